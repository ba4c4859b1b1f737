"""Analytic references of cascade theory (the tests' yardsticks, not the model).

* Rossi's Approximation A (B. Rossi, *High-Energy Particles*, Prentice-Hall 1952, ch. 5;
  Rossi and Greisen, Rev. Mod. Phys. 13 (1941) 240): for a primary of energy E0 and
  energies E << E0, the depth-integrated (track-length) spectra are
  ``L_gamma(k) = 0.572 X0 E0/k^2``, ``L_e+-(E) = 0.437 X0 E0/E^2`` (electrons and
  positrons together), ``L_e+(E) = 0.219 X0 E0/E^2`` (docs/physics.md#electromagnetic-showers). The ratio
  0.572/0.437 = (1 + b)/(7/9 - b/3) with Rossi's b ~ 0.0135 follows from photon balance.
* Approximation B adds a constant collision loss E_c per radiation length (E_c the
  critical energy in Rossi's definition) and no cut: all of E0 ends in ionisation, so the
  total charged track length is ``X0 E0 / E_c`` (PDG RPP "Passage of particles through
  matter", "Electromagnetic cascades"). For E >> E_c its spectra reduce to A's.
* Shower maximum of the energy deposition (PDG, same section, from fits of a gamma
  distribution to EGS4 showers): ``t_max = ln(E0/E_c) + C``, C = -0.5 for electrons and
  +0.5 for photons, t in radiation lengths.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["APPROX_A", "approximation_a", "approximation_a_integral", "approximation_b_total_charged", "pdg_t_max"]

#: Coefficients of the Approximation A track lengths (in units of X0 E0 / E^2).
APPROX_A = {"gamma": 0.572, "e+-": 0.437, "e+": 0.219}


def approximation_a(species: str, E0: float, E, X0: float):
    """Approximation A track-length density dL/dE (m/GeV) at energy E (GeV)."""
    return APPROX_A[species] * X0 * E0 / np.asarray(E, dtype=np.float64) ** 2


def approximation_a_integral(species: str, E0: float, e_lo: float, e_hi: float, X0: float) -> float:
    """Approximation A track length (m) with energy in [e_lo, e_hi]."""
    return APPROX_A[species] * X0 * E0 * (1.0 / e_lo - 1.0 / e_hi)


def approximation_b_total_charged(E0: float, X0: float, Ec: float) -> float:
    """Approximation B total track length of charged particles, X0 E0/E_c (m)."""
    return X0 * E0 / Ec


def pdg_t_max(E0: float, Ec: float, particle: str) -> float:
    """PDG shower maximum ln(E0/E_c) + C (C = -0.5 e, +0.5 gamma), radiation lengths."""
    C = {"e-": -0.5, "e+": -0.5, "gamma": 0.5}[particle]
    return math.log(E0 / Ec) + C

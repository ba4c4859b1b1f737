"""Z' production by the electrons and positrons of electromagnetic showers (issue 17).

Pure functions, like :mod:`fipgen.models.alp_xsec`: scalar ``@numba.njit`` kernels and numpy
references written from an independent form of each formula for the tests.

Conventions
-----------
The Z' couples to the electron vectorially, ``L = g_e Z'_mu ebar gamma^mu e`` with
``g_e = g x_e`` (:func:`electron_coupling`: ``epsilon e`` times the electron's charge -1 for
a dark photon, ``g_B-L`` times -1 for B-L, ``g`` times the card's electron charge for a
generic Z'; a B-coupled Z' has none at tree level: its leptons' charge -alpha/(4 pi) is the
loop-induced mixing of fipgen.models.zprime, and these channels refuse it). Energies are TOTAL energies in GeV, lab frame with the
target electron at rest; cross sections in GeV^-2 per electron; :data:`GEV2_TO_M2` converts.

1. Resonant ``e+ e- -> Z'`` on an electron at rest. ``s = 2 m^2 + 2 m E+``; the Z' is made
   at ``E+ = E_R = (M^2 - 2 m^2)/(2 m)`` (:func:`resonant_energy`, the ALP's). Breit-Wigner of a
   spin-1 resonance from two spin-1/2 particles (:func:`resonant_sigma_bw`)::

       sigma(s) = (3/4) (4 pi/k^2) (Gamma_ee Gamma/4) / ((sqrt s - M)^2 + Gamma^2/4),
       Gamma_ee = g_e^2 M (1 + 2 m^2/M^2) beta / (12 pi),  beta = sqrt(1 - 4 m^2/M^2),

   ``k`` the CM momentum (``k^2 = s/4 - m^2``). Narrow width: ``int sigma ds = 12 pi^2 M Gamma_ee /
   (M^2 - 4 m^2)``, and with ``ds = 2 m dE+``::

       sigma = sigma_0 delta(E+ - E_R),  sigma_0 = pi g_e^2 (1 + 2 m^2/M^2) / (2 m beta)

   (:func:`resonant_sigma_coefficient`; ``2 pi^2 alpha epsilon^2 / m`` for a light dark photon,
   twice the spin-0 ALP's ``pi g^2/(4 m beta)`` with the couplings' own normalisations). Z's per
   positron track length per unit energy at ``E_R``: ``n_e sigma_0`` (:func:`resonant_yield_per_track_length`).
   The atomic electrons are taken at rest (their motion spreads ``E_R`` by about ``p_e/m`` of
   itself, ``p_e ~ Z alpha m`` for the inner shells: the rate over a track-length spectrum smooth
   on that scale is unchanged; docs/physics.md#z-from-showers).
"""

from __future__ import annotations

import math

import numba

from .._jit import JIT_OPTIONS
from ..errors import PhysicsError
from .alp_xsec import GEV2_TO_M2, M_E, resonant_energy

__all__ = ["M_E", "GEV2_TO_M2", "electron_coupling", "resonant_energy", "resonant_sigma_coefficient",
           "resonant_sigma_bw", "resonant_yield_per_track_length"]

_JIT = JIT_OPTIONS


def electron_coupling(model) -> float:
    """``g_e``: the Z' model's tree-level vector coupling to the electron (module docstring);
    PhysicsError (one line) for a Z' without one (the B-coupled kind, a generic Z' with no
    electron charge)."""
    g = float(model.g) * float(model.charge_of("e"))
    if g == 0.0 or model.kind == "B":  # B: the electron's charge is loop-induced (-alpha/4 pi), not tree level
        raise PhysicsError(f"a Z' of kind {model.kind!r} has no tree-level coupling to the electron: the shower "
                           "channels (zprime:resonant) need one (kinds dark-photon, B-L, or generic with a charge "
                           "for e)")
    return g


@numba.njit(**_JIT)
def _beta(M):  # pragma: no cover - compiled
    return math.sqrt((1.0 - 2.0 * M_E / M) * (1.0 + 2.0 * M_E / M))


@numba.njit(**_JIT)
def resonant_sigma_coefficient(M, g):  # pragma: no cover - compiled
    """``sigma_0`` (GeV^-1) of ``sigma = sigma_0 delta(E+ - E_R)``: ``pi g^2 (1 + 2 m^2/M^2)/(2 m beta)``,
    0 if ``M <= 2 m``."""
    if not M > 2.0 * M_E:
        return 0.0
    return math.pi * g * g * (1.0 + 2.0 * M_E * M_E / (M * M)) / (2.0 * M_E * _beta(M))


@numba.njit(**_JIT)
def resonant_sigma_bw(E_pos, M, g, width):  # pragma: no cover - compiled
    """Spin-1 Breit-Wigner ``e+ e- -> Z'`` per electron (GeV^-2) at total positron energy ``E_pos``,
    total Z' width ``width`` (GeV): module docstring; its integral over ``E_pos`` is
    :func:`resonant_sigma_coefficient` in the narrow-width limit."""
    if not M > 2.0 * M_E:
        return 0.0
    s = 2.0 * M_E * M_E + 2.0 * M_E * E_pos
    k2 = 0.25 * s - M_E * M_E
    if not k2 > 0.0:
        return 0.0
    gee = g * g * M * (1.0 + 2.0 * M_E * M_E / (M * M)) * _beta(M) / (12.0 * math.pi)
    dm = math.sqrt(s) - M
    return 0.75 * 4.0 * math.pi / k2 * 0.25 * gee * width / (dm * dm + 0.25 * width * width)


def resonant_yield_per_track_length(M: float, g: float, electron_density: float) -> float:
    """Z's per (positron track length per unit energy at E_R), GeV m^-1: ``n_e sigma_0 (hbar c)^2``.

    ``N = resonant_yield_per_track_length(...) * dL/dE+ (E_R)`` with dL/dE+ in m/GeV;
    ``electron_density`` per m^3 (``Material.electron_density``)."""
    return float(electron_density) * resonant_sigma_coefficient(M, g) * GEV2_TO_M2

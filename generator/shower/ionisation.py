"""Ionisation of electrons and positrons: restricted stopping power and delta rays.

Delta-ray treatment (class II condensed history, as EGS4 and Geant4 do): energy
transfers to atomic electrons **above** the threshold ``T_cut`` (the electron tracking
cut, default 1 MeV kinetic) are simulated as discrete Moller (e-) or Bhabha (e+)
collisions that create a tracked delta electron; transfers **below** it are a continuous
loss given by the restricted collision stopping power. With ``T_cut`` equal to the
tracking cut, no electron above the cut is ever lost inside the continuous loss, and
every electron below it would have been discarded anyway.

Formulas (T kinetic energy, tau = T/m, gamma = tau + 1, Delta = min(T_cut, T_max)/m with
T_max = T/2 for e- and T for e+):

* Restricted collision stopping power (Berger and Seltzer, NASA SP-3012 (1964) and
  "Stopping powers and ranges of electrons and positrons", NBSIR 82-2550 (1982); ICRU
  Report 37 (1984), sec. 2)::

      -dE/dx = 2 pi r_e^2 m n_el / beta^2 [ ln(2 (tau + 2) / (I/m)^2) + F(tau, Delta) - delta ]

      F-(tau, D) = -1 - beta^2 + ln((tau - D) D) + tau/(tau - D)
                   + [D^2/2 + (2 tau + 1) ln(1 - D/tau)] / gamma^2
      F+(tau, D) = ln(tau D) - (beta^2/tau) [tau + 2D - (3/2) y D^2 - y^2 (D - D^3/3)
                   - y^3 (D^2/2 - tau D^3/3 + D^4/4)],   y = 1/(gamma + 1)

  At D = T_max these equal ICRU 37's unrestricted forms ``ln(tau^2 (tau+2) / 2) + F``
  with ``F- = 1 - beta^2 + [tau^2/8 - (2 tau + 1) ln 2]/gamma^2`` and ``F+ = 2 ln 2 -
  (beta^2/12) [23 + 14/(tau+2) + 10/(tau+2)^2 + 4/(tau+2)^3]`` (checked by the tests).
* Density effect delta: :func:`fipgen.geometry.stopping.density_effect` (Sternheimer,
  Berger and Seltzer, At. Data Nucl. Data Tables 30 (1984) 261), with the material's
  parameters from ``geometries/materials.toml`` and their density scaling.
* Moller cross section per electron, e = T_delta/T (Moller 1932; PDG RPP "delta rays";
  Geant4 Physics Reference Manual, "Moller scattering"), g = (2 gamma - 1)/gamma^2::

      d sigma/d e = 2 pi r_e^2 m / (beta^2 T) [ (1 - g) + 1/e^2 - g/e + 1/(1-e)^2 - g/(1-e) ]

  integrated in closed form over ``T_cut/T <= e <= 1/2``.
* Bhabha cross section per electron (Bhabha 1936; same references), y = 1/(gamma + 1),
  B1 = 2 - y^2, B2 = (1-2y)(3+y^2), B4 = (1-2y)^3, B3 = B4 + (1-2y)^2::

      d sigma/d e = 2 pi r_e^2 m / T [ 1/(beta^2 e^2) - B1/e + B2 - B3 e + B4 e^2 ]

  over ``T_cut/T <= e <= 1``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from ..geometry.stopping import density_effect
from .constants import M_E, R_E

__all__ = [
    "restricted_dedx",
    "moller_total",
    "bhabha_total",
    "moller_dsde",
    "bhabha_dsde",
    "sample_moller",
    "sample_bhabha",
]

_TWOPI_RE2_M = 2.0 * math.pi * R_E * R_E * M_E  # m^2 GeV


def restricted_dedx(T, t_cut, n_el, ionisation, density_ratio=1.0, positron=False):
    """Restricted collision stopping power, GeV/m (Berger-Seltzer; module docstring).

    Parameters
    ----------
    T : array_like
        Kinetic energy, GeV.
    t_cut : float
        Delta-ray threshold, GeV (``np.inf`` for the unrestricted stopping power).
    n_el : float
        Electron density, 1/m^3.
    ionisation : fipgen.geometry.materials.Ionisation
        The material's mean excitation energy and density-effect parameters.
    density_ratio : float
        rho / rho_ref of the density effect (:func:`fipgen.geometry.stopping.density_ratio`).
    positron : bool
        Bhabha (e+) instead of Moller (e-) kinematics.
    """
    T = np.asarray(T, dtype=np.float64)
    tau = T / M_E
    gam = tau + 1.0
    b2 = 1.0 - 1.0 / (gam * gam)
    eexc = ionisation.mean_excitation_gev / M_E
    if positron:
        d = np.minimum(t_cut / M_E, tau)
        y = 1.0 / (gam + 1.0)
        bracket = tau + 2.0 * d - y * (1.5 * d * d + y * (d - d**3 / 3.0 + y * (0.5 * d * d - tau * d**3 / 3.0 + 0.25 * d**4)))
        F = np.log(tau * d) - b2 * bracket / tau
    else:
        d = np.minimum(t_cut / M_E, 0.5 * tau)
        F = -1.0 - b2 + np.log((tau - d) * d) + tau / (tau - d) + (0.5 * d * d + (2.0 * tau + 1.0) * np.log1p(-d / tau)) / (gam * gam)
    delta = density_effect(np.sqrt(tau * (tau + 2.0)), ionisation, density_ratio)
    L = np.log(2.0 * (tau + 2.0) / (eexc * eexc)) + F - delta
    return np.maximum(_TWOPI_RE2_M * n_el / b2 * L, 0.0)


def moller_dsde(T, e):
    """Moller d sigma / d e per electron (m^2), e = T_delta / T."""
    T = np.asarray(T, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    gam = T / M_E + 1.0
    b2 = 1.0 - 1.0 / gam**2
    g = (2.0 * gam - 1.0) / gam**2
    return _TWOPI_RE2_M / (b2 * T) * ((1.0 - g) + 1.0 / e**2 - g / e + 1.0 / (1.0 - e) ** 2 - g / (1.0 - e))


def _bhabha_coefficients(T):
    """(beta^2, B1, B2, B3, B4) of the Bhabha cross section at positron kinetic energy T."""
    gam = T / M_E + 1.0
    y = 1.0 / (gam + 1.0)
    y12 = 1.0 - 2.0 * y
    B4 = y12**3
    return 1.0 - 1.0 / gam**2, 2.0 - y * y, y12 * (3.0 + y * y), B4 + y12 * y12, B4


def bhabha_dsde(T, e):
    """Bhabha d sigma / d e per electron (m^2), e = T_delta / T."""
    T = np.asarray(T, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    b2, B1, B2, B3, B4 = _bhabha_coefficients(T)
    return _TWOPI_RE2_M / T * (1.0 / (b2 * e * e) - B1 / e + B2 - B3 * e + B4 * e * e)


def moller_total(T, t_cut):
    """Moller cross section per electron (m^2) for delta rays above ``t_cut``; 0 if T < 2 t_cut."""
    T = np.asarray(T, dtype=np.float64)
    gam = T / M_E + 1.0
    b2 = 1.0 - 1.0 / gam**2
    g = (2.0 * gam - 1.0) / gam**2
    with np.errstate(divide="ignore", invalid="ignore"):
        xmin = t_cut / T
        xmax = 0.5
        s = (xmax - xmin) * (1.0 - g + 1.0 / (xmin * xmax) + 1.0 / ((1.0 - xmin) * (1.0 - xmax))) - g * np.log(
            xmax * (1.0 - xmin) / (xmin * (1.0 - xmax))
        )
        out = _TWOPI_RE2_M / (b2 * T) * s
    return np.where(T > 2.0 * t_cut, out, 0.0)


def bhabha_total(T, t_cut):
    """Bhabha cross section per electron (m^2) for delta rays above ``t_cut``; 0 if T < t_cut."""
    T = np.asarray(T, dtype=np.float64)
    b2, B1, B2, B3, B4 = _bhabha_coefficients(T)
    with np.errstate(divide="ignore", invalid="ignore"):
        xmin = t_cut / T
        xmax = 1.0
        s = (xmax - xmin) * (
            1.0 / (b2 * xmin * xmax) + B2 - 0.5 * B3 * (xmin + xmax) + B4 * (xmin * xmin + xmin * xmax + xmax * xmax) / 3.0
        ) - B1 * np.log(xmax / xmin)
        out = _TWOPI_RE2_M / T * s
    return np.where(T > t_cut, out, 0.0)


@numba.njit(**JIT_OPTIONS)
def sample_moller(T, t_cut, rng):  # pragma: no cover - compiled
    """Delta-ray kinetic energy of a Moller collision above ``t_cut`` (needs T > 2 t_cut).

    Proposal ~ 1/e^2 on [t_cut/T, 1/2]; acceptance e^2 (d sigma/d e) / max, the bracket
    ``1 - g e + e^2 [1 - g + (1 - g (1-e)) / (1-e)^2]`` being increasing in e there.
    """
    gam = T / M_E + 1.0
    g = (2.0 * gam - 1.0) / (gam * gam)
    xmin = t_cut / T
    xmax = 0.5
    ym = 1.0 - xmax
    fmax = 1.0 - g * xmax + xmax * xmax * (1.0 - g + (1.0 - g * ym) / (ym * ym))
    for _ in range(1000):
        q = rng.random()
        x = xmin * xmax / (xmin * (1.0 - q) + xmax * q)
        y = 1.0 - x
        f = 1.0 - g * x + x * x * (1.0 - g + (1.0 - g * y) / (y * y))
        if f >= fmax * rng.random():
            return x * T
    return x * T


@numba.njit(**JIT_OPTIONS)
def sample_bhabha(T, t_cut, rng):  # pragma: no cover - compiled
    """Delta-ray kinetic energy of a Bhabha collision above ``t_cut`` (needs T > t_cut).

    Proposal ~ 1/e^2 on [t_cut/T, 1]; acceptance ``1 + beta^2 (-B1 e + B2 e^2 - B3 e^3 +
    B4 e^4)`` (= beta^2 e^2 times the bracket), bounded by its terms' extremes.
    """
    gam = T / M_E + 1.0
    b2 = 1.0 - 1.0 / (gam * gam)
    y = 1.0 / (gam + 1.0)
    y12 = 1.0 - 2.0 * y
    B1 = 2.0 - y * y
    B2 = y12 * (3.0 + y * y)
    B4 = y12 * y12 * y12
    B3 = B4 + y12 * y12
    xmin = t_cut / T
    xmax = 1.0
    fmax = 1.0 + b2 * (-xmin * B1 + xmax * xmax * B2 - xmin**3 * B3 + xmax**4 * B4)
    for _ in range(1000):
        q = rng.random()
        x = xmin * xmax / (xmin * (1.0 - q) + xmax * q)
        f = 1.0 + b2 * x * (-B1 + x * (B2 + x * (-B3 + x * B4)))
        if f >= fmax * rng.random():
            return x * T
    return x * T

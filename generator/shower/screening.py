"""Atomic screening of bremsstrahlung and pair production (Tsai 1974).

Y.-S. Tsai, "Pair production and bremsstrahlung of charged leptons", Rev. Mod. Phys. 46
(1974) 815 (cited as *Tsai* below):

* Radiation logarithms ``L_rad``, ``L'_rad``: Tsai Table B.2 for Z = 1..4 and
  ``L_rad = ln(184.15 Z^-1/3)``, ``L'_rad = ln(1194 Z^-2/3)`` for Z >= 5 (Tsai eqs. 3.66-3.67,
  quoted in PDG RPP "Passage of particles through matter", radiation length).
* Coulomb correction ``f(Z) = a^2 [(1 + a^2)^-1 + 0.20206 - 0.0369 a^2 + 0.0083 a^4 -
  0.002 a^6]``, ``a = alpha Z`` (Davies, Bethe and Maximon, Phys. Rev. 93 (1954) 788; Tsai
  eq. 3.3; PDG ibid.).
* Radiation length ``1/X0 = 4 alpha r_e^2 N_A/A {Z^2 [L_rad - f(Z)] + Z L'_rad}`` (Tsai eq.
  3.66): reproduces the PDG table (Fe 13.84, C 42.70, Cu 12.86, W 6.76, Be 65.19 g/cm^2)
  to 5e-4, which the tests check.
* Screening functions of the Thomas-Fermi atom (cited here as Tsai eqs. 3.38-3.41; the
  paper itself was not at hand: the numbers are *unverified*, and Celeritas'
  ScreeningFunctions.hh cites the same four functions as Tsai eqs. 3.30-3.31; the
  functions and constants agree with that source):

      phi1(g) = 20.863 - 2 ln[1 + (0.55846 g)^2] - 4 [1 - 0.6 exp(-0.9 g) - 0.4 exp(-1.5 g)]
      phi2(g) = phi1(g) - (2/3) / (1 + 6.5 g + 6 g^2)
      psi1(e) = 28.340 - 2 ln[1 + (3.621 e)^2] - 4 [1 - 0.7 exp(-8 e) - 0.3 exp(-29.2 e)]
      psi2(e) = psi1(e) - (2/3) / (1 + 40 e + 400 e^2)

  with ``g = 100 m_e k / (E E' Z^1/3)`` and ``e = 100 m_e k / (E E' Z^2/3)`` (k the photon,
  E and E' the two lepton energies). In the complete-screening limit (g, e -> 0)
  ``phi1(0) = 4 ln 184.15`` and ``psi1(0) = 4 ln 1194``, so the cross sections reduce to
  Tsai's complete-screening forms (eqs. 3.83-3.84).

Tsai's equation and table numbers throughout this package are cited from memory and
secondary sources (the paper was not at hand): *unverified*. The formulas themselves are
checked numerically: X0 against the PDG table to 5e-4, the screening functions' complete-
screening limits, the complete-screening closed forms of the cross sections (tests).

For Z <= 4 the Thomas-Fermi model fails; we keep Tsai's screening *shape* but shift the
elastic and inelastic functions so that their complete-screening limits are Tsai's
Table B.2 logarithms (*derived*: ``Phi_el(g) = phi1(g) - phi1(0) + 4 [L_rad - f]``,
identical to ``phi1(g) - 4/3 ln Z - 4 f`` for Z >= 5).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .constants import ALPHA, AVOGADRO, R_E

__all__ = [
    "PHI1_0",
    "PSI1_0",
    "coulomb_correction",
    "radiation_logarithms",
    "tsai_radiation_length",
    "phi1",
    "psi1",
    "dphi",
    "dpsi",
    "phi1_np",
    "psi1_np",
    "dphi_np",
    "dpsi_np",
]

#: phi1(0) and psi1(0): 4 ln 184.15 and 4 ln 1194 (Tsai eqs. 3.38, 3.40).
PHI1_0 = 20.863
PSI1_0 = 28.340

# Tsai Table B.2: (L_rad, L'_rad) for Z = 1..4.
_LIGHT = {1: (5.31, 6.144), 2: (4.79, 5.621), 3: (4.74, 5.805), 4: (4.71, 5.924)}


def coulomb_correction(Z: float) -> float:
    """Coulomb correction f(Z) (Davies-Bethe-Maximon; Tsai eq. 3.3)."""
    a2 = (ALPHA * Z) ** 2
    return a2 * (1.0 / (1.0 + a2) + 0.20206 - 0.0369 * a2 + 0.0083 * a2 * a2 - 0.002 * a2 * a2 * a2)


def radiation_logarithms(Z: int) -> tuple[float, float]:
    """(L_rad, L'_rad) of Tsai: Table B.2 for Z <= 4, eqs. 3.66-3.67 above."""
    Z = int(Z)
    if Z < 1:
        raise ValueError(f"Z must be >= 1, got {Z}")
    if Z in _LIGHT:
        return _LIGHT[Z]
    return math.log(184.15 * Z ** (-1.0 / 3.0)), math.log(1194.0 * Z ** (-2.0 / 3.0))


def tsai_radiation_length(Z: int, A: float) -> float:
    """Radiation length in g/cm^2 from Tsai eq. 3.66 (A in g/mol)."""
    lrad, lprad = radiation_logarithms(Z)
    inv = 4.0 * ALPHA * (R_E * 100.0) ** 2 * AVOGADRO / A * (Z * Z * (lrad - coulomb_correction(Z)) + Z * lprad)
    return 1.0 / inv


@numba.njit(**JIT_OPTIONS)
def phi1(g):  # pragma: no cover - compiled
    """Tsai's elastic screening function phi1(gamma) (eq. 3.38)."""
    return PHI1_0 - 2.0 * math.log(1.0 + (0.55846 * g) ** 2) - 4.0 * (1.0 - 0.6 * math.exp(-0.9 * g) - 0.4 * math.exp(-1.5 * g))


@numba.njit(**JIT_OPTIONS)
def psi1(e):  # pragma: no cover - compiled
    """Tsai's inelastic screening function psi1(epsilon) (eq. 3.40)."""
    return PSI1_0 - 2.0 * math.log(1.0 + (3.621 * e) ** 2) - 4.0 * (1.0 - 0.7 * math.exp(-8.0 * e) - 0.3 * math.exp(-29.2 * e))


@numba.njit(**JIT_OPTIONS)
def dphi(g):  # pragma: no cover - compiled
    """phi1 - phi2 (Tsai eq. 3.39)."""
    return (2.0 / 3.0) / (1.0 + 6.5 * g + 6.0 * g * g)


@numba.njit(**JIT_OPTIONS)
def dpsi(e):  # pragma: no cover - compiled
    """psi1 - psi2 (Tsai eq. 3.41)."""
    return (2.0 / 3.0) / (1.0 + 40.0 * e + 400.0 * e * e)


def phi1_np(g):
    """numpy reference of :func:`phi1` (arrays)."""
    g = np.asarray(g, dtype=np.float64)
    return PHI1_0 - 2.0 * np.log1p((0.55846 * g) ** 2) - 4.0 * (1.0 - 0.6 * np.exp(-0.9 * g) - 0.4 * np.exp(-1.5 * g))


def psi1_np(e):
    """numpy reference of :func:`psi1`."""
    e = np.asarray(e, dtype=np.float64)
    return PSI1_0 - 2.0 * np.log1p((3.621 * e) ** 2) - 4.0 * (1.0 - 0.7 * np.exp(-8.0 * e) - 0.3 * np.exp(-29.2 * e))


def dphi_np(g):
    """numpy reference of :func:`dphi`."""
    g = np.asarray(g, dtype=np.float64)
    return (2.0 / 3.0) / (1.0 + 6.5 * g + 6.0 * g * g)


def dpsi_np(e):
    """numpy reference of :func:`dpsi`."""
    e = np.asarray(e, dtype=np.float64)
    return (2.0 / 3.0) / (1.0 + 40.0 * e + 400.0 * e * e)

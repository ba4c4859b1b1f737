"""Pair production by photons in the fields of nuclei and atomic electrons.

Differential cross section per atom in x = E+/k (Tsai, Rev. Mod. Phys. 46 (1974) 815,
the pair analogue of eq. 3.9 with the screening functions of eqs. 3.38-3.41; the same
form is Butcher and Messel, Nucl. Phys. 20 (1960) 15)::

    d sigma/dx = alpha r_e^2 { [1 - (4/3) x (1-x)] [Z^2 Phi_el(g) + Z Phi_in(e)]
                              - (2/3) x (1-x) [Z^2 (phi1 - phi2)(g) + Z (psi1 - psi2)(e)] }
    g = 100 m_e / (k x (1-x) Z^1/3),   e = 100 m_e / (k x (1-x) Z^2/3)

with Phi_el, Phi_in as in :mod:`.bremsstrahlung`. Complete screening gives Tsai eq. 3.84,
``4 alpha r_e^2 {[1 - 4/3 x(1-x)] [Z^2 (L_rad - f) + Z L'_rad] - (1/9) x (1-x) (Z^2 + Z)}``,
integrating to ``sigma = 4 alpha r_e^2 {7/9 [Z^2 (L_rad - f) + Z L'_rad] - (Z^2 + Z)/54}``
= ``(7/9) A/(X0 N_A)`` less a 1-2% term (the closed form the tests check). Kinematic
range ``m_e/k <= x <= 1 - m_e/k``; Coulomb correction for k > 50 MeV only (as for
bremsstrahlung).

Total cross section. The ultra-relativistic Born form fails near threshold (it is 2-4x
too small at 2 MeV), so the total cross section is **L. Urban's parametrisation** of the
evaluated pair cross sections (nuclear + electron field) per atom, GEANT3 manual PHYS211
and the Geant4 Physics Reference Manual ("Gamma conversion: cross section per atom"),
stated to describe the data from 1.5 MeV to 100 GeV::

    sigma(Z, k) = (Z + 1) [F1(X) Z + F2(X) Z^2 + F3(X)],  X = ln(k/m_e),  F_i quintic in X
    (k < 1.5 MeV: sigma(1.5 MeV) [(k - 2m)/(1.5 MeV - 2m)]^2)

Between 100 MeV and 80 GeV it agrees with the integral of the Tsai form to 1-4% (Be, C,
Fe, Cu, W; tests). Above 80 GeV the fit extrapolates badly (+17-28% at 1 TeV), so there
the total is the Tsai integral normalised to the fit at 80 GeV. The e+ e- energy sharing
and angles always come from the Tsai form (angles: Urban's distribution, theta = u m_e/E).
"""

from __future__ import annotations


import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .constants import ALPHA, M_E, R_E
from .screening import PHI1_0, PSI1_0, dphi, dphi_np, dpsi, dpsi_np, phi1, phi1_np, psi1, psi1_np

__all__ = [
    "URBAN_JOIN",
    "pair_dsdx",
    "pair_dsdx_np",
    "sample_pair_x",
    "pair_total_tsai",
    "pair_total_urban",
    "pair_total",
    "complete_screening_pair_total",
]

#: Energy (GeV) above which Urban's fit is replaced by the (normalised) Tsai integral.
URBAN_JOIN = 80.0
_AR2 = ALPHA * R_E * R_E
_COULOMB_THRESHOLD = 0.05

# Urban's coefficients, microbarn (GEANT3 PHYS211; Geant4 PRM "Gamma conversion").
_URBAN_A = (8.7842e2, -1.9625e3, 1.2949e3, -2.0028e2, 1.2575e1, -2.8333e-1)
_URBAN_B = (-1.0342e1, 1.7692e1, -8.2381, 1.3063, -9.0815e-2, 2.3586e-3)
_URBAN_C = (-4.5263e2, 1.1161e3, -8.6749e2, 2.1773e2, -2.0467e1, 6.5372e-1)
_MICROBARN = 1e-34  # m^2


@numba.njit(**JIT_OPTIONS)
def pair_dsdx(k, x, atom):  # pragma: no cover - compiled
    """d sigma/dx per atom (m^2), x = E+/k; 0 outside the kinematic range."""
    xm = M_E / k
    if x < xm or x > 1.0 - xm:
        return 0.0
    Z = atom[0]
    xx = x * (1.0 - x)
    g = 100.0 * M_E / (k * xx * atom[1])
    e = 100.0 * M_E / (k * xx * atom[2])
    f = atom[5] if k > _COULOMB_THRESHOLD else 0.0
    fel = max(phi1(g) + atom[3] - 4.0 * f, 0.0)
    fin = max(psi1(e) + atom[4], 0.0)
    val = (1.0 - 4.0 / 3.0 * xx) * (Z * Z * fel + Z * fin) - (2.0 / 3.0) * xx * (Z * Z * dphi(g) + Z * dpsi(e))
    return _AR2 * max(val, 0.0)


def pair_dsdx_np(k, x, atom):
    """numpy reference of :func:`pair_dsdx`."""
    k = np.asarray(k, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    Z = atom[0]
    xm = M_E / k
    ok = (x >= xm) & (x <= 1.0 - xm)
    xs = np.where(ok, x, 0.5)
    xx = xs * (1.0 - xs)
    g = 100.0 * M_E / (k * xx * atom[1])
    e = 100.0 * M_E / (k * xx * atom[2])
    f = np.where(k > _COULOMB_THRESHOLD, atom[5], 0.0)
    fel = np.maximum(phi1_np(g) + atom[3] - 4.0 * f, 0.0)
    fin = np.maximum(psi1_np(e) + atom[4], 0.0)
    val = (1.0 - 4.0 / 3.0 * xx) * (Z * Z * fel + Z * fin) - (2.0 / 3.0) * xx * (Z * Z * dphi_np(g) + Z * dpsi_np(e))
    return np.where(ok, _AR2 * np.maximum(val, 0.0), 0.0)


@numba.njit(**JIT_OPTIONS)
def sample_pair_x(k, atom, rng):  # pragma: no cover - compiled
    """Energy fraction of the positron (needs k > 2 m_e).

    Symmetric in x <-> 1-x: x uniform on [m_e/k, 1/2] accepted with d sigma/dx over its
    bound ``alpha r_e^2 [Z^2 Phi_el(0) + Z Phi_in(0)]`` (the value at x -> 0 with complete
    screening), then the two leptons swapped with probability 1/2.
    """
    Z = atom[0]
    f = atom[5] if k > _COULOMB_THRESHOLD else 0.0
    env = _AR2 * (Z * Z * max(PHI1_0 + atom[3] - 4.0 * f, 0.0) + Z * max(PSI1_0 + atom[4], 0.0))
    xm = M_E / k
    x = 0.5
    for _ in range(10000):
        x = xm + (0.5 - xm) * rng.random()
        if pair_dsdx(k, x, atom) >= env * rng.random():
            break
    if rng.random() < 0.5:
        x = 1.0 - x
    return x


_GL_X, _GL_W = np.polynomial.legendre.leggauss(96)


def pair_total_tsai(k, atom):
    """Integral of :func:`pair_dsdx_np` over x per atom (m^2) (vectorised over k)."""
    k = np.atleast_1d(np.asarray(k, dtype=np.float64))
    xm = np.minimum(M_E / k, 0.5)
    # x in [xm, 1/2], doubled; the map x = xm + (1/2 - xm) t^2 concentrates nodes near xm
    t = 0.5 * (_GL_X + 1.0)
    x = xm[:, None] + (0.5 - xm)[:, None] * t[None, :] ** 2
    jac = (0.5 - xm)[:, None] * 2.0 * t[None, :]
    f = pair_dsdx_np(k[:, None], x, atom) * jac
    return 2.0 * 0.5 * (f * _GL_W[None, :]).sum(axis=1)


def pair_total_urban(k, Z):
    """Urban's parametrised pair cross section per atom (m^2), 1.5 MeV - 100 GeV."""
    k = np.atleast_1d(np.asarray(k, dtype=np.float64))
    kk = np.maximum(k, 1.5e-3)
    X = np.log(kk / M_E)
    F1 = sum(c * X**i for i, c in enumerate(_URBAN_A))
    F2 = sum(c * X**i for i, c in enumerate(_URBAN_B))
    F3 = sum(c * X**i for i, c in enumerate(_URBAN_C))
    s = (Z + 1.0) * (F1 * Z + F2 * Z * Z + F3) * _MICROBARN
    low = np.clip((k - 2.0 * M_E) / (1.5e-3 - 2.0 * M_E), 0.0, None) ** 2
    s = np.where(k < 1.5e-3, s * low, s)
    return np.where(k > 2.0 * M_E, np.maximum(s, 0.0), 0.0)


def pair_total(k, atom):
    """The pair cross section per atom used by the cascade (m^2): Urban below 80 GeV,
    the Tsai integral normalised to it at 80 GeV above."""
    k = np.atleast_1d(np.asarray(k, dtype=np.float64))
    Z = atom[0]
    u = pair_total_urban(k, Z)
    norm = pair_total_urban(URBAN_JOIN, Z)[0] / pair_total_tsai(URBAN_JOIN, atom)[0]
    high = k > URBAN_JOIN
    if high.any():
        u = u.copy()
        u[high] = pair_total_tsai(k[high], atom) * norm
    return u


def complete_screening_pair_total(Z, lrad, lprad, f):
    """Tsai's complete-screening total, 4 alpha r_e^2 {7/9 [Z^2 (L_rad - f) + Z L'_rad] - (Z^2+Z)/54} (m^2)."""
    return 4.0 * _AR2 * (7.0 / 9.0 * (Z * Z * (lrad - f) + Z * lprad) - (Z * Z + Z) / 54.0)

"""Bremsstrahlung of electrons and positrons on atoms (Tsai 1974 with screening).

Differential cross section per atom for a lepton of total energy E radiating a photon
of energy k (y = k/E, E' = E - k), Tsai Rev. Mod. Phys. 46 (1974) 815, eq. 3.9 (the
intermediate-screening form with the screening functions of eqs. 3.38-3.41)::

    d sigma/dk = (alpha r_e^2 / k) { (4/3 - 4/3 y + y^2) [Z^2 Phi_el(g) + Z Phi_in(e)]
                                   + (2/3) (1 - y) [Z^2 (phi1 - phi2)(g) + Z (psi1 - psi2)(e)] }

    Phi_el(g) = phi1(g) - phi1(0) + 4 [L_rad - f(Z)],   Phi_in(e) = psi1(e) - psi1(0) + 4 L'_rad
    g = 100 m_e k / (E E' Z^1/3),   e = 100 m_e k / (E E' Z^2/3)

(:mod:`.screening`). For g, e -> 0 this is Tsai's complete-screening eq. 3.83 (PDG RPP
"Passage of particles through matter", bremsstrahlung), ``(4 alpha r_e^2/k) {(4/3 - 4/3 y
+ y^2) [Z^2 (L_rad - f) + Z L'_rad] + (1/9)(1 - y)(Z^2 + Z)}``, whose integral gives the
closed forms the tests check: photons above k_c per unit length, and the radiative loss
``E/X0 [1 + (Z^2 + Z)/(18 (Z^2 (L_rad - f) + Z L'_rad))]``. The Z (inelastic) terms are
bremsstrahlung in the field of the atomic electrons.

Low-energy corrections and their limits (our choices):

* Kinematic limit ``k <= T = E - m_e`` (the outgoing lepton keeps its mass).
* Coulomb correction f(Z) only for E > 50 MeV: it is the high-energy (Davies-Bethe-
  Maximon) correction to the Born approximation, as the Geant4 Bethe-Heitler models apply
  it; a step of 0.8% (Fe) to 7% (W) in the cross section at 50 MeV.
* The ultra-relativistic Born form is used down to the cut: against the Seltzer-Berger
  tables (not used here) it is known to be approximate below ~10 MeV; radiative losses
  are < 30% of ionisation there (E_c ~ 22 MeV in iron), so the effect on track lengths is
  small. Positrons use the electron cross section. No LPM or dielectric suppression
  (for 100 GeV in iron LPM acts below k ~ E^2/E_LPM ~ 1 GeV: a few-% effect on the soft
  photon yield of the hardest electrons).

Photon angles: Urban's parametrisation of Tsai's angular distribution (GEANT3 manual
PHYS211; Geant4 Physics Reference Manual, "Bremsstrahlung, angular distribution"):
``theta = u m_e / E`` with u drawn from ``f(u) ~ 9/(9+d) a^2 u e^(-a u) + d/(9+d) (3a)^2 u
e^(-3 a u)``, a = 0.625, d = 27 (the same distribution serves pair production).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .constants import ALPHA, M_E, R_E
from .screening import PHI1_0, PSI1_0, dphi, dphi_np, dpsi, dpsi_np, phi1, phi1_np, psi1, psi1_np

__all__ = [
    "COULOMB_THRESHOLD",
    "brems_dsdk",
    "brems_dsdk_np",
    "brems_envelope",
    "sample_brems_k",
    "sample_urban_u",
    "brems_total_above",
    "brems_loss_below",
    "complete_screening_total_above",
]

#: Energy above which the Coulomb correction f(Z) is applied (GeV).
COULOMB_THRESHOLD = 0.05
_AR2 = ALPHA * R_E * R_E


@numba.njit(**JIT_OPTIONS)
def brems_dsdk(E, k, atom):  # pragma: no cover - compiled
    """Tsai eq. 3.9 per atom, m^2/GeV; ``atom = (Z, Z^1/3, Z^2/3, 4 L_rad - phi1(0), 4 L'_rad - psi1(0), f)``.

    E is the lepton's total energy; returns 0 outside ``0 < k <= E - m_e``.
    """
    if k <= 0.0 or k > E - M_E:
        return 0.0
    Z = atom[0]
    y = k / E
    ep = E - k
    g = 100.0 * M_E * k / (E * ep * atom[1])
    e = 100.0 * M_E * k / (E * ep * atom[2])
    f = atom[5] if E > COULOMB_THRESHOLD else 0.0
    fel = max(phi1(g) + atom[3] - 4.0 * f, 0.0)
    fin = max(psi1(e) + atom[4], 0.0)
    val = (4.0 / 3.0 - 4.0 / 3.0 * y + y * y) * (Z * Z * fel + Z * fin) + (2.0 / 3.0) * (1.0 - y) * (
        Z * Z * dphi(g) + Z * dpsi(e)
    )
    return _AR2 * val / k


def brems_dsdk_np(E, k, atom):
    """numpy reference of :func:`brems_dsdk` (broadcasting arrays)."""
    E = np.asarray(E, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    Z = atom[0]
    ok = (k > 0) & (k <= E - M_E)
    ks = np.where(ok, k, 0.5 * (E - M_E))
    y = ks / E
    ep = E - ks
    g = 100.0 * M_E * ks / (E * ep * atom[1])
    e = 100.0 * M_E * ks / (E * ep * atom[2])
    f = np.where(E > COULOMB_THRESHOLD, atom[5], 0.0)
    fel = np.maximum(phi1_np(g) + atom[3] - 4.0 * f, 0.0)
    fin = np.maximum(psi1_np(e) + atom[4], 0.0)
    val = (4.0 / 3.0 - 4.0 / 3.0 * y + y * y) * (Z * Z * fel + Z * fin) + (2.0 / 3.0) * (1.0 - y) * (
        Z * Z * dphi_np(g) + Z * dpsi_np(e)
    )
    return np.where(ok, _AR2 * val / ks, 0.0)


@numba.njit(**JIT_OPTIONS)
def brems_envelope(E, atom):  # pragma: no cover - compiled
    """Upper bound of ``k d sigma/dk`` over k at lepton energy E (complete screening at y = 0)."""
    Z = atom[0]
    f = atom[5] if E > COULOMB_THRESHOLD else 0.0
    fel = max(PHI1_0 + atom[3] - 4.0 * f, 0.0)
    fin = max(PSI1_0 + atom[4], 0.0)
    return _AR2 * ((4.0 / 3.0) * (Z * Z * fel + Z * fin) + (4.0 / 9.0) * (Z * Z + Z))


@numba.njit(**JIT_OPTIONS)
def sample_brems_k(E, kc, atom, rng):  # pragma: no cover - compiled
    """Photon energy of a bremsstrahlung emission with k in [kc, E - m_e] (needs E - m_e > kc).

    Proposal uniform in ln k (the 1/k of the spectrum); acceptance ``k dsigma/dk / envelope``.
    """
    kmax = E - M_E
    lr = math.log(kmax / kc)
    env = brems_envelope(E, atom)
    k = kc
    for _ in range(10000):
        k = kc * math.exp(lr * rng.random())
        if k * brems_dsdk(E, k, atom) >= env * rng.random():
            return k
    return k


@numba.njit(**JIT_OPTIONS)
def sample_urban_u(rng):  # pragma: no cover - compiled
    """u of Urban's angular distribution (theta = u m_e / E), GEANT3 PHYS211."""
    a1 = 0.625
    if rng.random() < 9.0 / 36.0:
        return -math.log(rng.random() * rng.random()) / a1
    return -math.log(rng.random() * rng.random()) / (3.0 * a1)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(64)


def _ln_k_integral(E, k_lo, k_hi, atom, power):
    """int_{k_lo}^{k_hi} k^power dsigma/dk dk, by 64-point Gauss-Legendre in ln k (vectorised over E)."""
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    k_lo = np.broadcast_to(np.asarray(k_lo, dtype=np.float64), E.shape)
    k_hi = np.broadcast_to(np.asarray(k_hi, dtype=np.float64), E.shape)
    good = k_hi > k_lo
    a = np.log(np.where(good, k_lo, 1.0))
    b = np.log(np.where(good, k_hi, 2.0))
    lnk = 0.5 * (b - a)[:, None] * _GL_X[None, :] + 0.5 * (b + a)[:, None]
    k = np.exp(lnk)
    f = brems_dsdk_np(E[:, None], k, atom) * k ** (1 + power)
    return np.where(good, 0.5 * (b - a) * (f * _GL_W[None, :]).sum(axis=1), 0.0)


def brems_total_above(E, kc, atom):
    """Cross section per atom (m^2) for photons with k >= kc from a lepton of total energy E.

    Two Gauss-Legendre panels in ln k ([kc, 0.9 T] and [0.9 T, T]) resolve the
    endpoint region where screening weakens.
    """
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    T = E - M_E
    mid = np.maximum(0.9 * T, kc)
    return _ln_k_integral(E, kc, mid, atom, 0) + _ln_k_integral(E, mid, T, atom, 0)


def brems_loss_below(E, kc, atom):
    """Radiative energy loss per atom (GeV m^2) into photons with k < kc: int_0^kc k dsigma/dk.

    The integrand k dsigma/dk is finite at k -> 0; the lower limit is 1e-12 kc.
    """
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    T = E - M_E
    hi = np.minimum(kc, T)
    return _ln_k_integral(E, 1e-12 * hi, hi, atom, 1)


def complete_screening_total_above(E, kc, Z, lrad, lprad, f):
    """Closed form of int_kc^E (Tsai eq. 3.83) dk, per atom (m^2) (the test reference)."""
    r = kc / np.asarray(E, dtype=np.float64)
    big = Z * Z * (lrad - f) + Z * lprad
    return 4.0 * _AR2 * (
        big * (-4.0 / 3.0 * np.log(r) - 4.0 / 3.0 * (1.0 - r) + 0.5 * (1.0 - r * r)) + (Z * Z + Z) / 9.0 * (-np.log(r) - (1.0 - r))
    )

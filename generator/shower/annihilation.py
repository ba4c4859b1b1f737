"""Two-photon annihilation of positrons in flight on atomic electrons (Heitler).

W. Heitler, The Quantum Theory of Radiation (3rd ed., 1954), sec. 29; the form used by
EGS4 and Geant4 (G4eeToTwoGammaModel; Geant4 Physics Reference Manual, "Positron -
electron annihilation"). For a positron of Lorentz factor gamma on an electron at rest,
per electron::

    sigma = pi r_e^2 / (gamma + 1) [ (gamma^2 + 4 gamma + 1)/(gamma^2 - 1) ln(gamma + sqrt(gamma^2 - 1))
                                     - (gamma + 3)/sqrt(gamma^2 - 1) ]

With eps = k1/(T + 2 m_e) the energy fraction of one photon, eps in [eps1, eps2],
eps1,2 = [1 -+ sqrt((gamma - 1)/(gamma + 1))]/2::

    d sigma/d eps = pi r_e^2 S(eps) / ((gamma + 1)(gamma^2 - 1)),
    S(eps) = (gamma^2 + 4 gamma + 1)/eps - (gamma + 1)^2 - 1/eps^2

whose integral is the total above (*derived*; checked numerically by the tests). Sampled
from 1/eps with acceptance ``eps S(eps)/(gamma + 1)^2 <= 1``. The photon angle follows from
two-body kinematics, ``cos theta = (eps (gamma + 1) - 1)/(eps sqrt(gamma^2 - 1))``.
Positrons that reach the tracking cut annihilate at rest into two back-to-back 511 keV
photons (below the default 1 MeV photon cut: their energy is counted as below-cut).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .constants import M_E, R_E

__all__ = ["heitler_total", "heitler_dsde", "sample_annihilation_eps"]


def heitler_total(T):
    """Annihilation cross section per electron (m^2) for positron kinetic energy T (GeV)."""
    g = np.asarray(T, dtype=np.float64) / M_E + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(g * g - 1.0)
        out = np.pi * R_E**2 / (g + 1.0) * ((g * g + 4.0 * g + 1.0) / (g * g - 1.0) * np.log(g + s) - (g + 3.0) / s)
    return np.where(g > 1.0 + 1e-12, out, 0.0)


def heitler_dsde(T, eps):
    """d sigma/d eps per electron (m^2) inside [eps1, eps2]."""
    g = np.asarray(T, dtype=np.float64) / M_E + 1.0
    eps = np.asarray(eps, dtype=np.float64)
    S = (g * g + 4.0 * g + 1.0) / eps - (g + 1.0) ** 2 - 1.0 / eps**2
    return np.pi * R_E**2 * S / ((g + 1.0) * (g * g - 1.0))


@numba.njit(**JIT_OPTIONS)
def sample_annihilation_eps(T, rng):  # pragma: no cover - compiled
    """Energy fraction eps of the first photon of an annihilation in flight."""
    tau = T / M_E
    gam = tau + 1.0
    tau2 = tau + 2.0
    r = 0.5 * math.sqrt(tau / tau2)
    emin = 0.5 - r
    emax = 0.5 + r
    q = emax / emin
    eps = 0.5
    for _ in range(10000):
        eps = emin * q ** rng.random()
        if 1.0 - eps + (2.0 * gam * eps - 1.0) / (eps * tau2 * tau2) >= rng.random():
            break
    return eps

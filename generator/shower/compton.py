"""Compton scattering on atomic electrons (Klein-Nishina, free electrons at rest).

Klein and Nishina, Z. Phys. 52 (1929) 853. With kappa = k/m_e and eps = k'/k in
[1/(1 + 2 kappa), 1] (1 - cos theta = (1 - eps)/(kappa eps)), per electron::

    d sigma/d eps = (pi r_e^2 / kappa) (1/eps + eps) [1 - eps sin^2 theta / (1 + eps^2)]
    sigma = 2 pi r_e^2 { (1+kappa)/kappa^2 [2(1+kappa)/(1+2kappa) - ln(1+2kappa)/kappa]
                         + ln(1+2kappa)/(2 kappa) - (1+3kappa)/(1+2kappa)^2 }

Per atom: Z times this (binding and Doppler broadening neglected: below 1% of the cross
section above 1 MeV). Sampling: Butcher and Messel, Nucl. Phys. 20 (1960) 15 (the
method of EGS4 and Geant4's G4KleinNishinaCompton): eps from the mixture 1/eps
(weight ln(1/eps0)) and eps (weight (1 - eps0^2)/2), accepted with
``1 - eps sin^2 theta / (1 + eps^2)``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .constants import M_E, R_E

__all__ = ["klein_nishina_total", "klein_nishina_total_np", "klein_nishina_dsde", "sample_compton_eps"]


@numba.njit(**JIT_OPTIONS)
def klein_nishina_total(k):  # pragma: no cover - compiled
    """Klein-Nishina cross section per electron, m^2 (closed form)."""
    x = k / M_E
    if x < 1e-4:  # Thomson limit with the first correction, avoids cancellations
        return 8.0 * math.pi / 3.0 * R_E * R_E * (1.0 - 2.0 * x)
    l = math.log1p(2.0 * x)
    return 2.0 * math.pi * R_E * R_E * (
        (1.0 + x) / (x * x) * (2.0 * (1.0 + x) / (1.0 + 2.0 * x) - l / x) + l / (2.0 * x) - (1.0 + 3.0 * x) / (1.0 + 2.0 * x) ** 2
    )


def klein_nishina_total_np(k):
    """numpy version of :func:`klein_nishina_total`."""
    x = np.asarray(k, dtype=np.float64) / M_E
    l = np.log1p(2.0 * x)
    full = 2.0 * np.pi * R_E**2 * ((1.0 + x) / x**2 * (2.0 * (1.0 + x) / (1.0 + 2.0 * x) - l / x) + l / (2.0 * x) - (1.0 + 3.0 * x) / (1.0 + 2.0 * x) ** 2)
    return np.where(x < 1e-4, 8.0 * np.pi / 3.0 * R_E**2 * (1.0 - 2.0 * x), full)


def klein_nishina_dsde(k, eps):
    """d sigma/d eps per electron (m^2), eps = k'/k."""
    kappa = np.asarray(k, dtype=np.float64) / M_E
    eps = np.asarray(eps, dtype=np.float64)
    onemcos = (1.0 - eps) / (kappa * eps)
    sin2 = onemcos * (2.0 - onemcos)
    return np.pi * R_E**2 / kappa * (1.0 / eps + eps) * (1.0 - eps * sin2 / (1.0 + eps * eps))


@numba.njit(**JIT_OPTIONS)
def sample_compton_eps(k, rng):  # pragma: no cover - compiled
    """eps = k'/k of a Compton scattering (Butcher-Messel)."""
    kappa = k / M_E
    eps0 = 1.0 / (1.0 + 2.0 * kappa)
    eps0sq = eps0 * eps0
    a1 = -math.log(eps0)
    a2 = 0.5 * (1.0 - eps0sq)
    eps = 1.0
    for _ in range(10000):
        if a1 / (a1 + a2) > rng.random():
            eps = math.exp(-a1 * rng.random())
            epssq = eps * eps
        else:
            epssq = eps0sq + (1.0 - eps0sq) * rng.random()
            eps = math.sqrt(epssq)
        onemcos = (1.0 - eps) / (eps * kappa)
        sin2 = onemcos * (2.0 - onemcos)
        if 1.0 - eps * sin2 / (1.0 + epssq) >= rng.random():
            break
    return eps

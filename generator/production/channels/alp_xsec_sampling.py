"""Samplers of the ALP processes' kinematics, beside the channels that use them.

The cross sections and the envelopes' derivations are in :mod:`fipgen.models.alp_xsec` (its
module docstring, items 1, 2, 4, 6 and 7; no sampling there); these ``@numba.njit`` kernels draw
the Primakoff and inverse-Primakoff angle, the Compton-like ALP energy, the inverse-Compton photon
energy and the associated-production cosine, each exactly in distribution (accept-reject), from an
explicit ``numpy.random.Generator``. Used by :mod:`fipgen.production.channels.alp_shower` and
:mod:`fipgen.production.channels.alp_scatter`. Energies in GeV, angles in rad.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...models.alp_xsec import (
    M_E,
    _assoc_cm,
    compton_ea_range,
    compton_m2c,
    inverse_compton_egamma_range,
    nuclear_d,
    primakoff_t_range,
    screening_b,
)

__all__ = [
    "sample_primakoff_theta",
    "sample_primakoff_theta_array",
    "sample_inverse_primakoff_theta",
    "sample_compton_ea",
    "sample_inverse_compton_egamma",
    "sample_associated_cos",
]


@numba.njit(**JIT_OPTIONS)
def _sample_screened_t(t0, t1, b, d, rng):  # pragma: no cover - compiled
    """Exact draw of ``t`` from ``(t - t0)(t1 - t)/[(t + b)^2 (1 + t/d)^2]`` on [t0, t1] (accept-reject).

    Envelope: the smaller (by integral) of the mixture ``q (t1 - t0)/(t + b)`` on [t0, ts] and
    ``q (t1 - t0) d^2/t^3`` on [ts, t1] (``ts = d`` clamped, ``q = (t1 - t0)/(t1 + b)``), and the constant
    ``(t1 - t0)^2/[4 (t0 + b)^2 (1 + t0/d)^2]`` (better near threshold, where t1/t0 -> 1).
    """
    ts = min(max(d, t0), t1)
    wa = math.log((ts + b) / (t0 + b))                       # int of 1/(t+b) on [t0, ts]
    wb = 0.5 * (1.0 / (ts * ts) - 1.0 / (t1 * t1)) * d * d   # int of d^2/t^3 on [ts, t1]
    qfac = (t1 - t0) / (t1 + b)
    q0 = 1.0 + t0 / d
    cst = (t1 - t0) * (t1 - t0) / (4.0 * (t0 + b) * (t0 + b) * q0 * q0)
    uniform = cst * (t1 - t0) < qfac * (t1 - t0) * (wa + wb)
    t = t0
    for _ in range(1000000):
        if uniform:
            t = t0 + (t1 - t0) * rng.random()
            env = cst
        elif rng.random() * (wa + wb) < wa:
            t = (t0 + b) * math.exp(wa * rng.random()) - b
            t = min(max(t, t0), ts)
            env = qfac * (t1 - t0) / (t + b)
        else:
            inv2 = 1.0 / (ts * ts) - rng.random() * (1.0 / (ts * ts) - 1.0 / (t1 * t1))
            t = min(max(1.0 / math.sqrt(inv2), ts), t1)
            env = qfac * (t1 - t0) * d * d / (t * t * t)
        q = 1.0 + t / d
        f = (t - t0) * (t1 - t) / ((t + b) * (t + b) * q * q)
        if rng.random() * env <= f:
            return t
    return t  # not reached in practice (efficiency >= ~0.1)


@numba.njit(**JIT_OPTIONS)
def _theta_from_t(t, E, m_a):  # pragma: no cover - compiled
    t0, t1 = primakoff_t_range(E, m_a)
    p = math.sqrt((E - m_a) * (E + m_a))
    s2 = (t - t0) / (4.0 * E * p)  # sin^2(theta/2)
    return 2.0 * math.asin(math.sqrt(min(max(s2, 0.0), 1.0)))


@numba.njit(**JIT_OPTIONS)
def sample_primakoff_theta(E, m_a, Z, A, rng):  # pragma: no cover - compiled
    """ALP polar angle (rad, to the photon) of a Primakoff conversion, exact in distribution; NaN if E <= m_a."""
    t0, t1 = primakoff_t_range(E, m_a)
    if not t1 > t0:
        return math.nan
    t = _sample_screened_t(t0, t1, screening_b(Z), nuclear_d(A), rng)
    return _theta_from_t(t, E, m_a)


@numba.njit(**JIT_OPTIONS)
def sample_primakoff_theta_array(E, m_a, Z, A, rng):  # pragma: no cover - compiled
    """:func:`sample_primakoff_theta` for an array of energies (float64 array out)."""
    out = np.empty(E.shape[0])
    for i in range(E.shape[0]):
        out[i] = sample_primakoff_theta(E[i], m_a, Z, A, rng)
    return out


@numba.njit(**JIT_OPTIONS)
def sample_inverse_primakoff_theta(E, m_a, Z, A, rng):  # pragma: no cover - compiled
    """Photon polar angle (rad, to the ALP) of an inverse Primakoff scattering (same ``t`` law)."""
    return sample_primakoff_theta(E, m_a, Z, A, rng)


@numba.njit(**JIT_OPTIONS)
def _sample_m2c_w(S, wlo, whi, m_a, rng):  # pragma: no cover - compiled
    """Draw ``W = -U`` in [wlo, whi] (0 < W <= S) from ``compton_m2c(S, -W)`` by accept-reject.

    Envelope ``4 [S/W + 2 m^2 m_a^2/W^2 + 2 m^2 m_a^2/S^2]``: with ``S - W = m_a^2 - t`` and ``t <= 0``,
    ``M2C = 4[(S - W)^2/(S W) + 2 m^2 m_a^2 (1/W^2 + 1/S^2) + 2 m_a^2 (t - 2 m^2)/(S W)]`` and
    ``(S - W)^2 <= S^2``. Efficiency 0.47-0.86 (Compton-like), 0.55-0.83 (inverse Compton) in the tests' cases.
    """
    c2 = 2.0 * M_E * M_E * m_a * m_a
    w1 = S * math.log(whi / wlo)
    w2 = c2 * (1.0 / wlo - 1.0 / whi)
    w3 = c2 / (S * S) * (whi - wlo)
    tot = w1 + w2 + w3
    for _ in range(1000000):
        r = rng.random() * tot
        if r < w1:
            w = wlo * math.exp(math.log(whi / wlo) * rng.random())
        elif r < w1 + w2:
            w = 1.0 / (1.0 / wlo - rng.random() * (1.0 / wlo - 1.0 / whi))
        else:
            w = wlo + (whi - wlo) * rng.random()
        w = min(max(w, wlo), whi)
        env = 4.0 * (S / w + c2 / (w * w) + c2 / (S * S))
        if rng.random() * env <= compton_m2c(S, -w, m_a):
            return w
    return w


@numba.njit(**JIT_OPTIONS)
def sample_compton_ea(E_g, m_a, rng):  # pragma: no cover - compiled
    """ALP energy (GeV) of gamma e -> a e at photon energy E_g, exact accept-reject; NaN below threshold."""
    lo, hi = compton_ea_range(E_g, m_a)
    if not hi > lo:
        return math.nan
    S = 2.0 * M_E * E_g
    w = _sample_m2c_w(S, 2.0 * M_E * lo - m_a * m_a, 2.0 * M_E * hi - m_a * m_a, m_a, rng)
    return (w + m_a * m_a) / (2.0 * M_E)


@numba.njit(**JIT_OPTIONS)
def sample_inverse_compton_egamma(E_a, m_a, rng):  # pragma: no cover - compiled
    """Photon energy (GeV) of a e -> gamma e at ALP energy E_a, exact accept-reject; NaN if E_a <= m_a."""
    lo, hi = inverse_compton_egamma_range(E_a, m_a)
    if not hi > lo:
        return math.nan
    S = 2.0 * M_E * E_a + m_a * m_a
    return _sample_m2c_w(S, 2.0 * M_E * lo, 2.0 * M_E * hi, m_a, rng) / (2.0 * M_E)


@numba.njit(**JIT_OPTIONS)
def sample_associated_cos(E_pos, m_a, rng):  # pragma: no cover - compiled
    """CM cosine of the ALP (to the positron) of e+ e- -> a gamma, exact accept-reject; NaN below threshold.

    Envelope of :mod:`fipgen.models.alp_xsec` (module docstring, item 4), sampled as ``1/(m^2 - T)`` in ``m^2 - T`` with a random sign
    flip of the cosine; efficiency 0.83-1.
    """
    S, p1, ea, pa = _assoc_cm(E_pos, m_a)
    if not (pa > 0.0 and p1 > 0.0):
        return math.nan
    e1 = 0.5 * math.sqrt(S)
    m2 = M_E * M_E
    ma2 = m_a * m_a
    a0 = 2.0 * e1 * ea - ma2
    b0 = 2.0 * p1 * pa
    c0 = (S - ma2) ** 2 + 2.0 * ma2 * (S - 2.0 * m2)
    lr = math.log((a0 + b0) / (a0 - b0))
    for _ in range(1000000):
        y = (a0 - b0) * math.exp(lr * rng.random())
        c = min(max((a0 - y) / b0, -1.0), 1.0)
        if rng.random() < 0.5:
            c = -c
        mt = a0 - b0 * c  # m^2 - T
        mu = a0 + b0 * c  # m^2 - U
        env = 4.0 * c0 / (S - ma2) * (1.0 / mt + 1.0 / mu)
        if rng.random() * env <= -compton_m2c(-mu, -mt, m_a):
            return c
    return c

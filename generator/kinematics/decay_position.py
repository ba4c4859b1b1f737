"""Decay probabilities and forced decay positions along a ray through a detector.

A long-lived particle with lab decay length ``ell = beta gamma c tau`` (m) flies along a
ray that crosses the detector in one or more segments ``[l_in, l_out]`` (distances in m
from the production point; the geometry's ``Segments``: ``n_seg`` (n,) int64 used columns
of ``seg_in`` / ``seg_out`` (n, max_seg)). docs/physics.md#from-production-to-detection:

    P_decay = sum_k exp(-l_in_k/ell) - exp(-l_out_k/ell)

written as ``exp(-l_in/ell) * (-expm1(-(l_out - l_in)/ell))`` so that ``ell >> L`` keeps
all digits (it tends to ``(l_out - l_in)/ell``) and ``ell << L`` underflows cleanly to 0.
The forced decay position is the truncated exponential over the union of segments: a
segment is chosen with probability proportional to its decay probability, then (inverse
CDF of the exponential truncated to ``[l_in, l_out]``)::

    l = l_in - ell * log1p(u' * expm1(-(l_out - l_in)/ell))

which is exact to rounding for ``ell = 1e12 L`` (uniform limit ``l_in + u' (l_out - l_in)``)
and for ``ell << L`` (``l_in - ell log(1 - u')``). One uniform per event does both steps:
``u`` picks the segment and is rescaled to ``u'`` inside it.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "window_decay_probability",
    "decay_probability",
    "decay_probability_numpy",
    "survival_and_decay",
    "sample_decay_distance",
    "sample_decay_distance_numpy",
    "decay_probability_and_distance",
]

from .._jit import JIT_OPTIONS as _JIT


@numba.njit(**_JIT)
def _seg_weight(a, b, ell):  # pragma: no cover - compiled
    """exp(-a/ell) - exp(-b/ell) for 0 <= a <= b, stable for any ell > 0."""
    if b <= a:
        return 0.0
    return np.exp(-a / ell) * (-np.expm1(-(b - a) / ell))


def window_decay_probability(l_in, l_out, ell):
    """``exp(-l_in/ell) - exp(-l_out/ell)`` (numpy, broadcasting): decay between two distances
    along one straight path (the single-window case of :func:`decay_probability`)."""
    return np.exp(-l_in / ell) * -np.expm1(-(l_out - l_in) / ell)


@numba.njit(inline="always", **_JIT)
def _p_one(n_seg, seg_in, seg_out, i, L):  # pragma: no cover - compiled
    """Decay probability of event ``i`` (module docstring), segments summed in order."""
    s = 0.0
    for k in range(n_seg[i]):
        s += _seg_weight(seg_in[i, k], seg_out[i, k], L)
    return s


@numba.njit(inline="always", **_JIT)
def _sample_one(n_seg, seg_in, seg_out, i, L, u):  # pragma: no cover - compiled
    """Forced decay distance of event ``i`` from its uniform ``u`` (module docstring); NaN if
    its union of segments is empty."""
    ns = n_seg[i]
    if ns <= 0:
        return np.nan
    if ns == 1:  # one segment (the loops below with a0 = a: the same numbers, 2 functions not 6)
        a = seg_in[i, 0]
        b = seg_out[i, 0]
        if not (b > a):
            return np.nan
        e = np.expm1(-(b - a) / L)
        w = 1.0 * (-e)
        if not (w > 0.0):
            return np.nan
        up = (u * w - 0.0) / w
        if up < 0.0:
            up = 0.0
        elif up > 1.0:
            up = 1.0
        lpos = a - L * np.log1p(up * e)
        if not (lpos >= a):
            lpos = a
        elif lpos > b:
            lpos = b
        return lpos
    a0 = seg_in[i, 0]
    for k in range(1, ns):
        a0 = min(a0, seg_in[i, k])
    # segment weights relative to exp(-a0/ell): the common factor cancels in the choice
    # and the nearest segment can never underflow.
    tot = 0.0
    for k in range(ns):
        a = seg_in[i, k]
        b = seg_out[i, k]
        if b > a:
            tot += np.exp(-(a - a0) / L) * (-np.expm1(-(b - a) / L))
    if not (tot > 0.0):
        return np.nan
    target = u * tot
    acc = 0.0
    before = 0.0
    chosen = -1
    w = 0.0
    for k in range(ns):
        a = seg_in[i, k]
        b = seg_out[i, k]
        if b > a:
            w = np.exp(-(a - a0) / L) * (-np.expm1(-(b - a) / L))
            chosen = k
            before = acc
            acc += w
            if target < acc:
                break
    a = seg_in[i, chosen]
    b = seg_out[i, chosen]
    up = (target - before) / w
    if up < 0.0:
        up = 0.0
    elif up > 1.0:
        up = 1.0
    # inverse CDF of the truncated exponential (module docstring)
    lpos = a - L * np.log1p(up * np.expm1(-(b - a) / L))
    if not (lpos >= a):
        lpos = a
    elif lpos > b:
        lpos = b
    return lpos


@numba.njit(**_JIT)
def _decay_probability_kernel(n_seg, seg_in, seg_out, ell):  # pragma: no cover - compiled
    n = n_seg.shape[0]
    out = np.zeros(n)
    for i in range(n):
        out[i] = _p_one(n_seg, seg_in, seg_out, i, ell[i])
    return out


@numba.njit(**_JIT)
def _sample_kernel(n_seg, seg_in, seg_out, ell, u):  # pragma: no cover - compiled
    n = n_seg.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = _sample_one(n_seg, seg_in, seg_out, i, ell[i], u[i])
    return out


@numba.njit(**_JIT)
def _decay_and_sample_kernel(n_seg, seg_in, seg_out, ell, u):  # pragma: no cover - compiled
    n = n_seg.shape[0]
    p = np.empty(n)
    out = np.empty(n)
    for i in range(n):
        p[i] = _p_one(n_seg, seg_in, seg_out, i, ell[i])
        out[i] = _sample_one(n_seg, seg_in, seg_out, i, ell[i], u[i])
    return p, out


def _prep(n_seg, seg_in, seg_out, ell):
    ns = np.ascontiguousarray(np.asarray(n_seg), dtype=np.int64).reshape(-1)
    a = np.asarray(seg_in, dtype=np.float64)
    b = np.asarray(seg_out, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
        b = b.reshape(-1, 1)
    n = ns.shape[0]
    if a.shape != b.shape or a.shape[0] != n:
        raise ValueError(f"seg_in/seg_out must be ({n}, max_seg) arrays of the same shape")
    if np.any((ns < 0) | (ns > a.shape[1])):
        raise ValueError("n_seg must lie in [0, max_seg]")
    L = np.ascontiguousarray(np.broadcast_to(np.asarray(ell, dtype=np.float64), (n,)))
    if np.any(~(L > 0.0)):
        raise ValueError("decay lengths ell must be > 0 (inf allowed)")
    return ns, np.ascontiguousarray(a), np.ascontiguousarray(b), L


def decay_probability(n_seg, seg_in, seg_out, ell) -> np.ndarray:
    """Probability to decay inside the union of segments.

    Parameters
    ----------
    n_seg : array_like of int, shape (n,)
        Number of used columns of ``seg_in`` / ``seg_out`` per event.
    seg_in, seg_out : array_like, shape (n, max_seg)
        Entry and exit distances (m) from the production point, ``0 <= l_in <= l_out``.
    ell : array_like, shape (n,) or float
        Lab decay length ``beta gamma c tau`` (m), ``> 0``; ``inf`` gives 0.

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``sum_k exp(-l_in_k/ell) - exp(-l_out_k/ell)`` (dimensionless), docs/physics.md#from-production-to-detection.
    """
    return _decay_probability_kernel(*_prep(n_seg, seg_in, seg_out, ell))


def decay_probability_numpy(n_seg, seg_in, seg_out, ell) -> np.ndarray:
    """Plain-numpy reference of :func:`decay_probability` (same stable form)."""
    ns, a, b, L = _prep(n_seg, seg_in, seg_out, ell)
    used = np.arange(a.shape[1])[None, :] < ns[:, None]
    with np.errstate(invalid="ignore"):
        w = np.exp(-a / L[:, None]) * (-np.expm1(-(b - a) / L[:, None]))
    return np.sum(np.where(used & (b > a), w, 0.0), axis=1)


def survival_and_decay(n_seg, seg_in, seg_out, ell):
    """Survival probability to the first entry point and decay probability inside.

    Same arguments as :func:`decay_probability`. Returns ``(p_survive, p_decay)``, both
    shape (n,): ``p_survive = exp(-l_in_first/ell)`` (the factor ``P_survive(L1)`` of
    scattering signatures, docs/physics.md#from-production-to-detection; 0 when ``n_seg == 0``) and ``p_decay``.
    """
    ns, a, b, L = _prep(n_seg, seg_in, seg_out, ell)
    used = np.arange(a.shape[1])[None, :] < ns[:, None]
    first = np.min(np.where(used, a, np.inf), axis=1)
    p_surv = np.where(ns > 0, np.exp(-first / L), 0.0)
    return p_surv, _decay_probability_kernel(ns, a, b, L)


def sample_decay_distance(n_seg, seg_in, seg_out, ell, u) -> np.ndarray:
    """Forced decay distance drawn from the exponential truncated to the segments.

    Parameters
    ----------
    n_seg, seg_in, seg_out, ell
        As in :func:`decay_probability` (m).
    u : array_like, shape (n,)
        Uniforms in [0, 1) (one per event: segment choice and position).

    Returns
    -------
    numpy.ndarray, shape (n,)
        Distance (m) from the production point to the decay, inside one of the segments;
        the density is ``exp(-l/ell)/ell`` restricted to the union, normalised. NaN where
        the union is empty (``n_seg == 0`` or all segments of zero length). The weight of
        the forced decay is :func:`decay_probability`.
    """
    ns, a, b, L = _prep(n_seg, seg_in, seg_out, ell)
    uu = np.ascontiguousarray(np.broadcast_to(np.asarray(u, dtype=np.float64), ns.shape))
    return _sample_kernel(ns, a, b, L, uu)


def decay_probability_and_distance(n_seg, seg_in, seg_out, ell, u) -> tuple[np.ndarray, np.ndarray]:
    """``(decay_probability(...), sample_decay_distance(..., u))`` from one pass over the events
    (the same numbers as the two calls: the same per-event functions)."""
    ns, a, b, L = _prep(n_seg, seg_in, seg_out, ell)
    uu = np.ascontiguousarray(np.broadcast_to(np.asarray(u, dtype=np.float64), ns.shape))
    return _decay_and_sample_kernel(ns, a, b, L, uu)


def sample_decay_distance_numpy(n_seg, seg_in, seg_out, ell, u) -> np.ndarray:
    """Plain-numpy reference of :func:`sample_decay_distance` (same draws for same ``u``)."""
    ns, a, b, L = _prep(n_seg, seg_in, seg_out, ell)
    u = np.broadcast_to(np.asarray(u, dtype=np.float64), ns.shape)
    n, m = a.shape
    used = (np.arange(m)[None, :] < ns[:, None]) & (b > a)
    a0 = np.min(np.where(used, a, np.inf), axis=1)
    with np.errstate(invalid="ignore", over="ignore"):
        w = np.where(used, np.exp(-(a - a0[:, None]) / L[:, None]) * (-np.expm1(-(b - a) / L[:, None])), 0.0)
    tot = w.sum(axis=1)
    cum = np.cumsum(w, axis=1)
    target = u * tot
    k = np.sum(cum <= target[:, None], axis=1)
    last = m - 1 - np.argmax(used[:, ::-1], axis=1)
    k = np.minimum(k, last)
    # skip to a used column if rounding landed on an empty one
    idx = np.arange(n)
    acc = np.where(k > 0, cum[idx, np.maximum(k - 1, 0)], 0.0)
    wk = w[idx, k]
    with np.errstate(invalid="ignore", divide="ignore"):
        up = np.clip((target - acc) / wk, 0.0, 1.0)
        ak, bk = a[idx, k], b[idx, k]
        lpos = ak - L * np.log1p(up * np.expm1(-(bk - ak) / L))
    lpos = np.clip(lpos, ak, bk)
    return np.where(tot > 0, lpos, np.nan)

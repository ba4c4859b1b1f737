"""Numba kernels of the coupling reweighting: weighted sums of decay probabilities over many
lifetimes without an (events x couplings) matrix in memory.

For event ``i`` with lab ``beta gamma`` ``bg_i`` and chord segments ``[a_is, b_is]`` (m), the
probability to decay inside at proper decay length ``ctau`` is
``P_i = sum_s exp(-a_is/ell) (1 - exp(-(b_is - a_is)/ell))``, ``ell = bg_i ctau``
(docs/physics.md#from-production-to-detection; the stable ``expm1`` form). :func:`weighted_decay_sums` returns, for each
lifetime ``j`` and each weight set ``r``,
``S[r, j] = sum_i w[r, i] f[k_i, j] g[d_i, j] P_i(ctau_j)`` and the sum of squares, with
``f`` the channel factors and ``g`` the decay-channel factors of that coupling.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS

__all__ = ["weighted_decay_sums", "decay_probabilities", "cut_passes"]


@numba.njit(**JIT_OPTIONS)
def _p_decay(n_seg, seg_in, seg_out, i, ell):  # pragma: no cover - compiled
    p = 0.0
    for s in range(n_seg[i]):
        a = seg_in[i, s]
        b = seg_out[i, s]
        if b > a:
            p += math.exp(-a / ell) * -math.expm1(-(b - a) / ell)
    return p


@numba.njit(**JIT_OPTIONS)
def weighted_decay_sums(w, k, d, bg, n_seg, seg_in, seg_out, ctau, f, g, xt, xr, exposure):  # pragma: no cover - compiled
    """``(S, S2)``, each ``(n_sets, n_ctau)`` (module docstring).

    Parameters
    ----------
    w : (n_sets, n) weights without the decay probability (row 0 the central one).
    k, d : (n,) int channel and decay-channel indices of each event.
    bg, n_seg, seg_in, seg_out : per-event lab beta gamma and chord segments.
    ctau : (n_ctau,) proper decay lengths (m).
    f : (n_channels, n_ctau) channel factors; g : (n_decays, n_ctau) decay-channel factors.
    xt : (n,) flight of the boson X of an X -> N N chain over its decay length at the reference
        coupling (exponential, 0 for other channels); xr : (n_channels, n_ctau) ratio rho of X's
        decay length at each coupling to the reference one: the event's X flight is reweighted
        by the density ratio ``(1/rho) exp(-t (1/rho - 1))`` (1 when rho = 1).
    exposure : scattering signatures: the decay probability is replaced by the survival-weighted
        path ``ell P`` (= ``int_chord exp(-l/ell) dl``), the interaction rate being in ``w``/``g``.

    Events are the outer loop (each event's segments are read once); a segment whose entry is
    more than 700 decay lengths away contributes exactly 0 in double precision and is skipped,
    and the lifetimes are taken from the longest down, so that an event whose first segment is
    that far stops there (the sums are those of every lifetime, in each lifetime's order of
    events: the same floating-point additions as without the early stop).
    """
    n_sets, n = w.shape
    nc = ctau.size
    S = np.zeros((n_sets, nc))
    S2 = np.zeros((n_sets, nc))
    # the lifetimes from the longest down: once an event's first segment is more than 700 decay
    # lengths away it is for every shorter lifetime too, and the rest contributes exactly 0
    order = np.argsort(-ctau, kind="mergesort")
    for i in range(n):
        ki = k[i]
        di = d[i]
        ns = n_seg[i]
        first = seg_in[i, 0] if ns > 0 else 0.0
        for jj in range(nc):
            j = order[jj]
            if ns > 0 and first > 700.0 * bg[i] * ctau[j]:
                break
            fac = f[ki, j] * g[di, j]
            rho = xr[ki, j]
            if rho != 1.0:
                fac *= math.exp(-xt[i] * (1.0 / rho - 1.0)) / rho
            if fac == 0.0:
                continue
            ell = bg[i] * ctau[j]
            if math.isinf(ell):  # a stable particle: no decays; the whole chord for scattering
                if not exposure:
                    continue
                p = 0.0
                for s in range(ns):
                    p += max(seg_out[i, s] - seg_in[i, s], 0.0)
                for r in range(n_sets):
                    x = w[r, i] * fac * p
                    S[r, j] += x
                    S2[r, j] += x * x
                continue
            inv = 1.0 / ell
            p = 0.0
            for s in range(ns):
                a = seg_in[i, s] * inv
                if a > 700.0:
                    break  # segments are ascending
                b = seg_out[i, s] * inv
                if b > a:
                    p += math.exp(-a) * -math.expm1(a - b)
            if p == 0.0:
                continue
            if exposure:
                p *= bg[i] * ctau[j]
            for r in range(n_sets):
                x = w[r, i] * fac * p
                S[r, j] += x
                S2[r, j] += x * x
    return S, S2


@numba.njit(**JIT_OPTIONS)
def decay_probabilities(bg, n_seg, seg_in, seg_out, ctau):  # pragma: no cover - compiled
    """``(n,)`` decay probabilities at one proper decay length ``ctau``."""
    out = np.empty(bg.size)
    for i in range(bg.size):
        out[i] = _p_decay(n_seg, seg_in, seg_out, i, bg[i] * ctau)
    return out


@numba.njit(**JIT_OPTIONS)
def cut_passes(off, e, px, py, pz, visible, min_energy, min_angle):  # pragma: no cover - compiled
    """Per-event pass flags of :class:`fipgen.scan.reweight.Cuts` over flat daughter arrays
    (event ``i`` owns daughters ``off[i]:off[i+1]``): every visible daughter has
    ``e >= min_energy``, and (if ``min_angle > 0``) at least two visible daughters whose two
    most energetic open by at least ``min_angle`` (rad)."""
    n = off.size - 1
    ok = np.ones(n, dtype=np.bool_)
    for i in range(n):
        e1 = -1.0
        e2 = -1.0
        i1 = -1
        i2 = -1
        n_vis = 0
        fail = False
        for k in range(off[i], off[i + 1]):
            if not visible[k]:
                continue
            if min_energy > 0.0 and e[k] < min_energy:
                fail = True
                break
            n_vis += 1
            if e[k] >= e1:
                e2, i2 = e1, i1
                e1, i1 = e[k], k
            elif e[k] >= e2:
                e2, i2 = e[k], k
        if fail:
            ok[i] = False
            continue
        if min_angle > 0.0:
            if n_vis < 2:
                ok[i] = False
                continue
            dot = px[i1] * px[i2] + py[i1] * py[i2] + pz[i1] * pz[i2]
            na = math.sqrt(px[i1] ** 2 + py[i1] ** 2 + pz[i1] ** 2)
            nb = math.sqrt(px[i2] ** 2 + py[i2] ** 2 + pz[i2] ** 2)
            c = max(-1.0, min(1.0, dot / (na * nb)))
            if math.acos(c) < min_angle:
                ok[i] = False
    return ok

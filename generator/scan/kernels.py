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

__all__ = ["weighted_decay_sums", "weighted_decay_sums_numpy", "decay_probabilities", "cut_passes"]


@numba.njit(**JIT_OPTIONS)
def _p_decay(n_seg, seg_in, seg_out, i, ell):  # pragma: no cover - compiled
    p = 0.0
    for s in range(n_seg[i]):
        a = seg_in[i, s]
        b = seg_out[i, s]
        if b > a:
            p += math.exp(-a / ell) * -math.expm1(-(b - a) / ell)
    return p


#: Terms of the series of a decay probability in ``1/ctau`` (:func:`weighted_decay_sums`), and
#: the largest ``x = u b`` (``b`` the last exit, ``u = 1/ell``) where it stands for the
#: exponentials: the truncation is below ``x^K e^x / K!`` of the sum (7e-25 at x = 1/2).
SERIES_TERMS = 20
SERIES_REACH = 0.5
#: Terms of the series of the squares (the sum of squares gives the MC error, wanted to a few
#: digits): truncation below ``(2x)^K e^(2x) / K! = 6e-9`` at x = 1/2.
SQUARE_TERMS = 12

#: Terms of the direct sums below this fraction of the sum so far are left out (their total is
#: below ``n x 1e-30`` of the sum: far below its rounding).
LOG_NEGLIGIBLE = math.log(1e-30)


@numba.njit(**JIT_OPTIONS)
def _series(ns, seg_in, seg_out, i, bg, h, inv_fact):  # pragma: no cover - compiled
    """``h[m]``, ``m < SERIES_TERMS``: ``P_i(v) = v sum_m h[m] v^m`` with ``v = 1/ctau``, from
    ``exp(-x) = sum (-x)^k / k!``: ``h[k-1] = (-1)^(k+1) sum_s (beta_s^k - alpha_s^k) / k!``,
    ``alpha, beta = a/bg, b/bg``; ``beta^k - alpha^k`` by the recursion
    ``D_k = beta D_(k-1) + alpha^(k-1) (beta - alpha)`` (no cancellation: every term >= 0)."""
    for m in range(SERIES_TERMS):
        h[m] = 0.0
    for s in range(ns):
        a = seg_in[i, s]
        b = seg_out[i, s]
        if not b > a:
            continue
        al = a / bg
        be = b / bg
        d1 = (b - a) / bg
        dk = d1
        apow = 1.0  # alpha^(k-1)
        for m in range(SERIES_TERMS):  # inv_fact[m] = (-1)^m / (m + 1)!
            h[m] += dk * inv_fact[m]
            apow *= al
            dk = be * dk + apow * d1
    return h


@numba.njit(**JIT_OPTIONS)
def weighted_decay_sums(w, k, d, bg, n_seg, seg_in, seg_out, ctau, f, g, xt, xr, exposure):  # pragma: no cover - compiled
    """``(S, S2)``, each ``(n_sets, n_ctau)`` (module docstring).

    Parameters
    ----------
    w : (n_sets, n) weights without the decay probability (row 0 the central one).
    k, d : (n,) int channel and decay-channel indices of each event.
    bg, n_seg, seg_in, seg_out : per-event lab beta gamma and chord segments (ascending).
    ctau : (n_ctau,) proper decay lengths (m).
    f : (n_channels, n_ctau) channel factors; g : (n_decays, n_ctau) decay-channel factors.
    xt : (n,) flight of the boson X of an X -> N N chain over its decay length at the reference
        coupling (exponential, 0 for other channels); xr : (n_channels, n_ctau) ratio rho of X's
        decay length at each coupling to the reference one: the event's X flight is reweighted
        by the density ratio ``(1/rho) exp(-t (1/rho - 1))`` (1 when rho = 1).
    exposure : scattering signatures: the decay probability is replaced by the survival-weighted
        path ``ell P`` (= ``int_chord exp(-l/ell) dl``), the interaction rate being in ``w``/``g``.

    Three regimes per event and lifetime, ``u = 1/ell``, ``b`` the chord's last exit, ``a`` its
    first entry. (1) ``u b <= SERIES_REACH`` (lifetimes long beside the flight): ``P_i`` is
    its power series in ``v = 1/ctau`` (:func:`_series`, ``SERIES_TERMS`` terms), so the sums
    over such events are polynomials in ``v`` whose coefficients are moment sums over events,
    grouped by (channel, decay channel) and by the first lifetime each event leaves this
    regime at; each lifetime then costs a few polynomial evaluations instead of an exponential
    per event. (2) ``u a > 700``: the contribution is exactly 0 in double precision, skipped.
    (3) Between: the exponentials (stable ``expm1`` form). Events of a channel whose X -> N N
    flight is reweighted (``xr != 1``) take (3) throughout. The results equal the direct sums
    to rounding (the series' truncation is below 1e-24, the terms left out below 1e-30 of
    the sum each), the sums of squares to 1e-8 (:func:`weighted_decay_sums_numpy` is the
    reference).
    """
    n_sets, n = w.shape
    nc = ctau.size
    nk = f.shape[0]
    nd = g.shape[0]
    S = np.zeros((n_sets, nc))
    S2 = np.zeros((n_sets, nc))
    K = SERIES_TERMS
    K2 = SQUARE_TERMS
    # lifetimes from the longest down (v = 1/ctau ascending): an event is in regime (1) for a
    # leading run of them, and once in (2) it stays there
    order = np.argsort(-ctau, kind="mergesort")
    v = np.empty(nc)
    fs = np.empty((nk, nc))
    gs = np.empty((nd, nc))
    xrs = np.empty((nk, nc))
    for jj in range(nc):
        j = order[jj]
        v[jj] = 1.0 / ctau[j]
        fs[:, jj] = f[:, j]
        gs[:, jj] = g[:, j]
        xrs[:, jj] = xr[:, j]
    Ss = np.zeros((n_sets, nc))  # the sums in this order
    S2s = np.zeros((n_sets, nc))
    separable = np.ones(nk, dtype=np.bool_)
    for kk in range(nk):
        for j in range(nc):
            if xr[kk, j] != 1.0:
                separable[kk] = False
    # moment sums of the events in regime (1) up to position L - 1 (first out of it at L)
    M = np.zeros((nc + 1, nk * nd, n_sets, K))
    M2 = np.zeros((nc + 1, nk * nd, n_sets, K2))
    used = np.zeros((nc + 1, nk * nd), dtype=np.bool_)
    h = np.empty(K)
    hh = np.empty(K2)
    inv_fact = np.empty(K)
    x = 1.0
    for m in range(K):
        x /= -(m + 1.0) if m > 0 else 1.0
        inv_fact[m] = x
    # regime (3) leaves out terms below NEGLIGIBLE of the sum so far (a lower bound of the
    # sum: every term is >= 0), by the bound ``w fac exp(-a u)`` of a term, in logarithms
    lfs = np.log(fs)  # -inf where 0 (error_model numpy: no exception)
    lgs = np.log(gs)
    floor = np.full(nc, -np.inf)  # log(smallest set's sum so far) + log(NEGLIGIBLE)
    for i in range(n):
        if i % 64 == 0 and i > 0:
            for jj in range(nc):
                lo = Ss[0, jj]
                for r in range(1, n_sets):
                    lo = min(lo, Ss[r, jj])
                floor[jj] = math.log(lo) + LOG_NEGLIGIBLE if lo > 0.0 else -np.inf
        ki = k[i]
        di = d[i]
        ns = n_seg[i]
        if ns == 0:
            continue
        wmax = w[0, i]
        for r in range(1, n_sets):
            wmax = max(wmax, w[r, i])
        lw = math.log(wmax) if wmax > 0.0 else -np.inf
        cut = separable[ki] and not exposure
        start = 0
        if separable[ki] and bg[i] > 0.0:
            reach = SERIES_REACH * bg[i] / seg_out[i, ns - 1]  # v up to this: regime (1)
            if reach > 0.0 and seg_out[i, ns - 1] / bg[i] < 1e14:  # (powers stay finite)
                start = np.searchsorted(v, reach, side="right")
        if start > 0:
            _series(ns, seg_in, seg_out, i, bg[i], h, inv_fact)
            if exposure:  # ell P = (bg / v) P: the series from v^0
                for m in range(K):
                    h[m] *= bg[i]
            # the square's series (to the same order; exposure and decay alike)
            for m in range(K2):
                hh[m] = 0.0
            for q in range(K2):
                hq = h[q]
                for m in range(K2 - q):
                    hh[m + q] += hq * h[m]
            gid = ki * nd + di
            used[start, gid] = True
            for r in range(n_sets):
                wr = w[r, i]
                w2 = wr * wr
                for m in range(K):
                    M[start, gid, r, m] += wr * h[m]
                for m in range(K2):
                    M2[start, gid, r, m] += w2 * hh[m]
        # regimes (2) and (3), in the lifetimes' order (the factors copied in that order)
        ib = 1.0 / bg[i]
        first = seg_in[i, 0] * ib
        for jj in range(start, nc):
            vj = v[jj]
            if first * vj > 700.0:
                break
            if cut and lw + lfs[ki, jj] + lgs[di, jj] - first * vj < floor[jj]:
                continue
            fac = fs[ki, jj] * gs[di, jj]
            rho = xrs[ki, jj]
            if rho != 1.0:
                fac *= math.exp(-xt[i] * (1.0 / rho - 1.0)) / rho
            if fac == 0.0:
                continue
            if vj == 0.0:  # a stable particle: no decays; the whole chord for scattering
                if not exposure:
                    continue
                p = 0.0
                for s in range(ns):
                    p += max(seg_out[i, s] - seg_in[i, s], 0.0)
            else:
                u = vj * ib
                p = 0.0
                for s in range(ns):
                    a = seg_in[i, s] * u
                    if a > 700.0:
                        break  # segments are ascending
                    b = seg_out[i, s] * u
                    if b > a:
                        p += math.exp(-a) * -math.expm1(a - b)
                if p == 0.0:
                    continue
                if exposure:
                    p *= bg[i] / vj
            for r in range(n_sets):
                x = w[r, i] * fac * p
                Ss[r, jj] += x
                S2s[r, jj] += x * x
    # regime (1): at position jj the events first out at L > jj (suffix sums over L)
    C = np.zeros((nk * nd, n_sets, K))
    C2 = np.zeros((nk * nd, n_sets, K2))
    live = np.zeros(nk * nd, dtype=np.bool_)
    for jj in range(nc - 1, -1, -1):
        L = jj + 1
        for gid in range(nk * nd):
            if used[L, gid]:
                live[gid] = True
                for r in range(n_sets):
                    for m in range(K):
                        C[gid, r, m] += M[L, gid, r, m]
                        if m < K2:
                            C2[gid, r, m] += M2[L, gid, r, m]
        vj = v[jj]
        for gid in range(nk * nd):
            if not live[gid]:
                continue
            fac = fs[gid // nd, jj] * gs[gid % nd, jj]
            if fac == 0.0:
                continue
            lead = 1.0 if exposure else vj  # P = v (series); ell P = (series)
            for r in range(n_sets):
                y = 0.0
                y2 = 0.0
                for m in range(K - 1, -1, -1):  # Horner
                    y = y * vj + C[gid, r, m]
                for m in range(K2 - 1, -1, -1):
                    y2 = y2 * vj + C2[gid, r, m]
                Ss[r, jj] += fac * lead * y
                S2s[r, jj] += fac * fac * lead * lead * y2
    for jj in range(nc):
        S[:, order[jj]] = Ss[:, jj]
        S2[:, order[jj]] = S2s[:, jj]
    return S, S2


def weighted_decay_sums_numpy(w, k, d, bg, n_seg, seg_in, seg_out, ctau, f, g, xt, xr, exposure):
    """Plain-numpy reference of :func:`weighted_decay_sums`: the (events x lifetimes) matrix of
    decay probabilities (or exposures) with the exponentials everywhere."""
    w = np.atleast_2d(np.asarray(w, dtype=np.float64))
    ell = np.asarray(bg, dtype=np.float64)[:, None] * np.asarray(ctau, dtype=np.float64)[None, :]
    used = np.arange(seg_in.shape[1])[None, :] < np.asarray(n_seg)[:, None]
    a = np.where(used, seg_in, 0.0)[:, :, None]
    b = np.where(used, seg_out, 0.0)[:, :, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        L = ell[:, None, :]
        p_seg = np.where(np.isinf(L), 0.0, np.exp(-a / L) * -np.expm1(-(b - a) / L))
        p_seg = np.where(b > a, np.nan_to_num(p_seg), 0.0)
        P = p_seg.sum(axis=1)
        if exposure:
            P = np.where(np.isinf(ell), np.where(b > a, b - a, 0.0).sum(axis=1), P * ell)
        xt = np.asarray(xt, dtype=np.float64)[:, None]
        rho = np.asarray(xr)[k]
        dens = np.where(rho != 1.0, np.exp(-xt * (1.0 / rho - 1.0)) / rho, 1.0)
    fac = np.asarray(f)[k] * np.asarray(g)[d] * dens  # (n, n_ctau)
    x = w[:, :, None] * (fac * P)[None, :, :]
    return x.sum(axis=1), (x * x).sum(axis=1)


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

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
from ..fastexp import X_MAX, _bits_as_float, _float_bits, exp_neg, one_minus_exp_neg
from ..sampling import count_le_from

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
#: exponentials: the truncation is below ``x^K e^x / K!`` of the sum (1.2e-18 at x = 1/2).
SERIES_TERMS = 16
SERIES_REACH = 0.5
#: Terms of the series of the squares (the sum of squares gives the MC error, wanted to a few
#: digits): truncation below ``(2x)^K e^(2x) / K! = 6e-9`` at x = 1/2.
SQUARE_TERMS = 12


#: events per block of the vectorised regime (3) (:func:`_window_sums`)
BLOCK = 128
#: blocks of regime (3) stop where the rest is bounded below this fraction of the sum so far:
#: 2^-60 (8.7e-19), 128 times below the sum's rounding (2^-53 of it). It was 1e-30, which evaluated
#: ~10 % more exponentials for the same sums (identical to the last bit on the 184 calls of a
#: DUNE dark-photon scan).
NEGLIGIBLE = 2.0 ** -60
#: log2 of the buckets per octave that order the events by first entry (:func:`_by_entry`)
_BUCKET_SHIFT = 52 - 5


@numba.njit(**JIT_OPTIONS)
def _series_moments(w, k, d, bg, n_seg, seg_in, seg_out, entry_of, nd, max_ns, exposure, M, M2):  # pragma: no cover - compiled
    """Regime (1)'s moment sums: ``M[L, gid, r, m] = sum w[r, i] h_i[m]`` over the events first
    out of it at ``L = entry_of[i] > 0`` in group ``gid``, ``M2`` the same of ``w^2`` and the
    square's series. ``h_i[m]``, ``m < SERIES_TERMS``: ``P_i(v) = v sum_m h[m] v^m`` with
    ``v = 1/ctau``, from ``exp(-x) = sum (-x)^k / k!``:
    ``h[k-1] = (-1)^(k+1) sum_s (beta_s^k - alpha_s^k) / k!``, ``alpha, beta = a/bg, b/bg``;
    ``beta^k - alpha^k`` by the recursion ``D_k = beta D_(k-1) + alpha^(k-1) (beta - alpha)``
    (no cancellation: every term >= 0); times ``bg`` for exposures. The events are taken
    ``BLOCK`` at a time in their order: the series of a block and their squares in SIMD lanes
    (coefficient by coefficient over the events), then each event's added to its rows of ``M``
    and ``M2`` (no sort: a counting sort into runs of one ``(L, gid)`` and sums over the runs
    took longer than the whole of this)."""
    n_sets, n = w.shape
    K = M.shape[3]
    K2 = M2.shape[3]
    n_groups = M.shape[1]
    n1 = 0
    for i in range(n):
        if entry_of[i] > 0:
            n1 += 1
    if n1 == 0:
        return
    ev = np.empty(n1, dtype=np.int64)
    q = 0
    for i in range(n):
        if entry_of[i] > 0:
            ev[q] = i
            q += 1
    Mf = M.reshape((-1, K))  # row (L n_groups + gid) n_sets + r
    M2f = M2.reshape((-1, K2))
    inv_fact = np.empty(K)
    x = 1.0
    for m in range(K):
        x /= -(m + 1.0) if m > 0 else 1.0
        inv_fact[m] = x  # (-1)^m / (m + 1)!
    h = np.zeros((K, BLOCK))
    hh = np.zeros((K2, BLOCK))
    al = np.empty(BLOCK)
    be = np.empty(BLOCK)
    d1 = np.empty(BLOCK)
    dk = np.empty(BLOCK)
    apow = np.empty(BLOCK)
    for c in range(0, n1, BLOCK):
        m_ = min(BLOCK, n1 - c)
        h[:, :m_] = 0.0
        for s in range(max_ns):
            for t in range(m_):
                i = ev[c + t]
                a = seg_in[i, s]
                b = seg_out[i, s]
                ib = 1.0 / bg[i]
                ok = (s < n_seg[i]) & (b > a)
                al[t] = a * ib
                be[t] = b * ib
                d1[t] = (b - a) * ib * ok
                dk[t] = d1[t]
                apow[t] = 1.0
            for m in range(K):  # h[k-1] += (beta^k - alpha^k) (-1)^(k-1) / k!
                cm = inv_fact[m]
                hm = h[m]
                for t in range(m_):
                    hm[t] += dk[t] * cm
                    apow[t] *= al[t]
                    dk[t] = be[t] * dk[t] + apow[t] * d1[t]
        if exposure:  # ell P = (bg / v) P: the series from v^0
            for t in range(m_):
                al[t] = bg[ev[c + t]]
            for m in range(K):
                hm = h[m]
                for t in range(m_):
                    hm[t] *= al[t]
        # the square's series (to the same order; exposure and decay alike)
        hh[:, :m_] = 0.0
        for q in range(K2):
            hq = h[q]
            for m in range(K2 - q):
                hm = h[m]
                out = hh[m + q]
                for t in range(m_):
                    out[t] += hq[t] * hm[t]
        for t in range(m_):
            i = ev[c + t]
            row = (entry_of[i] * n_groups + k[i] * nd + d[i]) * n_sets
            for r in range(n_sets):
                wr = w[r, i]
                w2 = wr * wr
                for m in range(K):
                    Mf[row + r, m] += wr * h[m, t]
                for m in range(K2):
                    M2f[row + r, m] += w2 * hh[m, t]


@numba.njit(**JIT_OPTIONS)
def _by_entry(key):  # pragma: no cover - compiled
    """``(pos, lo_key, offsets, b0)``: the events ordered by their first entry ``key >= 0`` in
    buckets of 1/32 octave (a counting sort on the float's bits, which order non-negative floats;
    stable inside a bucket): ``pos[i]`` the position of event ``i`` in that order, ``lo_key[q]``
    the lower edge of the bucket of the event at position ``q`` (non-decreasing), ``offsets[b]``
    the first position of bucket ``b0 + b``. Positions rather than the permutation: the caller
    reads its events in their own order and writes each at its position (scattered stores
    cost less than scattered loads, which wait on the cache: the gather alone 45 -> 21 ns an
    event, the kernel 187 -> 176 on a DUNE dark-photon scan's calls)."""
    n = key.size
    bits = key.view(np.int64) >> _BUCKET_SHIFT
    b0 = bits.min()
    nb = bits.max() - b0 + 1
    offsets = np.zeros(nb + 1, dtype=np.int64)
    for i in range(n):
        offsets[bits[i] - b0 + 1] += 1
    for b in range(nb):
        offsets[b + 1] += offsets[b]
    fill = offsets[:-1].copy()
    pos = np.empty(n, dtype=np.int64)
    lo_key = np.empty(n)
    for i in range(n):
        b = bits[i] - b0
        pos[i] = fill[b]
        lo_key[fill[b]] = _bits_as_float(bits[i] << _BUCKET_SHIFT)
        fill[b] += 1
    return pos, lo_key, offsets, b0


@numba.njit(fastmath={"reassoc"}, **JIT_OPTIONS)
def _block_sums(jj, c, m, W, facg, grp, pbuf, inv_v, Ss, S2s):  # pragma: no cover - compiled
    """Add block ``[c, c + m)``'s terms ``W fac p inv_v`` and their squares to ``Ss``/``S2s`` at
    ``jj`` (summed in SIMD lanes: ``reassoc``; a function of its own so that the flag does not
    reach the exponentials' range reduction)."""
    gr = grp[c:c + m]
    for r in range(W.shape[0]):
        wr = W[r, c:c + m]  # 1-d slices: the loop vectorises
        acc = 0.0
        acc2 = 0.0
        for t in range(m):
            x = wr[t] * facg[gr[t]] * pbuf[t] * inv_v
            acc += x
            acc2 += x * x
        Ss[r, jj] += acc
        S2s[r, jj] += acc2


@numba.njit(fastmath={"contract"}, **JIT_OPTIONS)
def _window_sums(jj, vj, lo, lo_key, al, de, nsg, entry, grp, W, rest, facg, fmax, inv_v, Ss, S2s, pbuf):  # pragma: no cover - compiled
    """Regime (3) at lifetime position ``jj`` (``v = vj``): from position ``lo`` of the ordered
    events, blocks of ``BLOCK`` events' decay probabilities (those entered: ``entry <= jj``) by
    the vectorised exponentials, added to ``Ss``/``S2s``; stops where every later first entry
    gives ``a v > X_MAX`` or the bound ``fmax inv_v rest exp(-lo_key v)`` of all the rest is
    below ``NEGLIGIBLE`` of the smallest set's sum so far (every term is >= 0)."""
    n_sets, n_v = W.shape
    max_ns = al.shape[0]
    c = lo
    while c < n_v:
        x0 = lo_key[c] * vj
        if x0 > X_MAX:
            break
        low = Ss[0, jj]
        for r in range(1, n_sets):
            low = min(low, Ss[r, jj])
        if low > 0.0 and fmax * inv_v * rest[c] * math.exp(-x0) < NEGLIGIBLE * low:
            break
        e = min(c + BLOCK, n_v)
        m = e - c
        for t in range(m):
            pbuf[t] = 0.0
        ens = entry[c:e]
        nss = nsg[c:e]
        for s in range(max_ns):
            als = al[s, c:e]
            des = de[s, c:e]
            for t in range(m):  # branch-free (a mask multiplied in): vectorised
                a = als[t] * vj
                ok = (s < nss[t]) & (ens[t] <= jj) & (a <= X_MAX)
                pbuf[t] += exp_neg(min(a, X_MAX)) * one_minus_exp_neg(min(des[t] * vj, X_MAX)) * ok
        _block_sums(jj, c, m, W, facg, grp, pbuf, inv_v, Ss, S2s)
        c = e


@numba.njit(**JIT_OPTIONS)
def _lifetime_guide(v):  # pragma: no cover - compiled
    """``(guide, k0)`` for :func:`_count_le` over the ascending ``v >= 0``: ``guide[j]`` the number
    of ``v`` below the lower edge of the 1/32-octave bucket ``k0 + j`` (bucket of ``x > 0``: the
    bits of ``x`` shifted by ``_BUCKET_SHIFT``, which order as ``x``): about 1100 entries for
    ten decades, at most 2^16 (the whole exponent range of a float64)."""
    nc = v.size
    z = 0
    while z < nc and v[z] <= 0.0:
        z += 1
    if z == nc:
        return np.full(1, nc), np.int64(0)
    k0 = _float_bits(v[z]) >> _BUCKET_SHIFT
    size = (_float_bits(v[nc - 1]) >> _BUCKET_SHIFT) - k0 + 2
    guide = np.empty(size, dtype=np.int64)
    i = z
    for j in range(size):
        edge = _bits_as_float((k0 + j) << _BUCKET_SHIFT)
        while i < nc and v[i] < edge:
            i += 1
        guide[j] = i
    return guide, k0


@numba.njit(inline="always", **JIT_OPTIONS)
def _count_le(v, guide, k0, x):  # pragma: no cover - compiled
    """How many of the ascending ``v`` are ``<= x`` (``x > 0``, not NaN):
    ``np.searchsorted(v, x, side="right")``, from ``x``'s bucket in the guide table
    (:func:`_lifetime_guide`) and a step or two forward: 5 ns against 30 ns of a binary search's
    mispredicted branches for 100 lifetimes."""
    j = min(max((_float_bits(x) >> _BUCKET_SHIFT) - k0, 0), guide.size - 1)
    return count_le_from(v, x, guide[j])


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

    Regimes per event and lifetime, ``u = 1/ell``, ``b`` the chord's last exit, ``a`` its first
    entry. (1) ``u b <= SERIES_REACH`` (lifetimes long beside the flight): ``P_i`` is its power
    series in ``v = 1/ctau`` (:func:`_series_moments`, ``SERIES_TERMS`` terms), so the sums over such
    events are polynomials in ``v`` whose coefficients are moment sums over events, grouped by
    (channel, decay channel) and by the first lifetime each event leaves this regime at; each
    lifetime then costs a few polynomial evaluations instead of an exponential per event.
    (2) ``u a > X_MAX``: the contribution is below 1e-304 of the event's weight, left out.
    (3) Between: the exponentials (stable ``expm1`` form), lifetime by lifetime over the events
    in order of first entry ``a/bg`` (:func:`_by_entry`) in blocks the compiler vectorises
    (:mod:`fipgen.fastexp`), from the first event that can have left regime (1) to where
    the rest is bounded below ``NEGLIGIBLE`` of the sum (:func:`_window_sums`). Events of a
    channel whose X -> N N flight is reweighted (``xr != 1``), and the few whose powers would
    overflow, take (3) throughout event by event with ``math.exp``. The results equal the direct
    sums to rounding (the series' truncation is below 1e-18, the terms left out below 2^-60 of
    the sum in all, the exponentials within 2 ulp), the sums of squares to 1e-8
    (:func:`weighted_decay_sums_numpy` is the reference).
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
    guide, k0 = _lifetime_guide(v)
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
    # the direct path leaves out terms below NEGLIGIBLE of the sum so far (a lower bound of the
    # sum: every term is >= 0), by the bound ``w fac exp(-a u)`` of a term, in logarithms
    lfs = np.log(fs)  # -inf where 0 (error_model numpy: no exception)
    lgs = np.log(gs)
    floor = np.full(nc, -np.inf)  # log(smallest set's sum so far) + log(NEGLIGIBLE)
    log_negligible = math.log(NEGLIGIBLE)
    entry_of = np.full(n, -1)  # >= 0: the event takes the series, then the blocks, from there
    n_vec = 0
    max_ns = 1
    n_direct = 0
    for i in range(n):
        ki = k[i]
        di = d[i]
        ns = n_seg[i]
        if ns == 0:
            continue
        if separable[ki] and bg[i] > 0.0:
            reach = SERIES_REACH * bg[i] / seg_out[i, ns - 1]  # v up to this: regime (1)
            if reach > 0.0 and seg_out[i, ns - 1] / bg[i] < 1e14:  # (powers stay finite)
                start = _count_le(v, guide, k0, reach)  # = np.searchsorted(v, reach, side="right")
                entry_of[i] = start
                n_vec += 1
                max_ns = max(max_ns, ns)
                if start > 0:
                    used[start, ki * nd + di] = True
                continue
        # the direct path, event by event over every lifetime
        if n_direct % 64 == 0 and n_direct > 0:
            for jj in range(nc):
                lo = Ss[0, jj]
                for r in range(1, n_sets):
                    lo = min(lo, Ss[r, jj])
                floor[jj] = math.log(lo) + log_negligible if lo > 0.0 else -np.inf
        n_direct += 1
        wmax = w[0, i]
        for r in range(1, n_sets):
            wmax = max(wmax, w[r, i])
        lw = math.log(wmax) if wmax > 0.0 else -np.inf
        cut = separable[ki] and not exposure
        ib = 1.0 / bg[i]
        first = seg_in[i, 0] * ib
        for jj in range(nc):
            vj = v[jj]
            if first * vj > X_MAX:
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
                    if a > X_MAX:
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
    _series_moments(w, k, d, bg, n_seg, seg_in, seg_out, entry_of, nd, max_ns, exposure, M, M2)
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
    # regime (3) of the events that take the series: lifetime by lifetime, in blocks
    if n_vec > 0:
        ev = np.flatnonzero(entry_of >= 0)
        key = np.empty(n_vec)
        for q in range(n_vec):  # (+ 0.0: -0.0 would sort first by its bits, as a huge negative)
            key[q] = max(seg_in[ev[q], 0] / bg[ev[q]], 0.0) + 0.0
        pos, lo_key, offsets, b0 = _by_entry(key)
        al = np.zeros((max_ns, n_vec))  # a/bg, (b - a)/bg of each segment, in that order
        de = np.zeros((max_ns, n_vec))
        nsg = np.empty(n_vec, dtype=np.int64)
        entry = np.empty(n_vec, dtype=np.int64)
        grp = np.empty(n_vec, dtype=np.int64)
        W = np.empty((n_sets, n_vec))
        rest = np.zeros(n_vec + 1)  # suffix sums of the largest weight of each event
        rho_max = 1.0  # the largest last exit over first entry
        for q0 in range(n_vec):  # read in the events' order, written at their positions
            i = ev[q0]
            q = pos[q0]
            ib = 1.0 / bg[i]
            ns = n_seg[i]
            nsg[q] = ns
            for s in range(ns):
                al[s, q] = seg_in[i, s] * ib
                de[s, q] = max(seg_out[i, s] - seg_in[i, s], 0.0) * ib
            rho_max = max(rho_max, seg_out[i, ns - 1] / seg_in[i, 0]) if seg_in[i, 0] > 0.0 else np.inf
            entry[q] = entry_of[i]
            grp[q] = k[i] * nd + d[i]
            scale = bg[i] if exposure else 1.0
            for r in range(n_sets):
                W[r, q] = w[r, i] * scale
        for q in range(n_vec - 1, -1, -1):
            wm = W[0, q]
            for r in range(1, n_sets):
                wm = max(wm, W[r, q])
            rest[q] = rest[q + 1] + wm
        facg = np.empty(nk * nd)
        pbuf = np.empty(BLOCK)
        for jj in range(nc):
            vj = v[jj]
            if vj == 0.0:  # every such event is in regime (1) there
                continue
            fmax = 0.0
            for gid in range(nk * nd):
                facg[gid] = fs[gid // nd, jj] * gs[gid % nd, jj]
                fmax = max(fmax, facg[gid])
            if fmax == 0.0:
                continue
            lo = 0
            if rho_max < np.inf:  # an event entered here has a/bg > SERIES_REACH / (v rho_max)
                bt = (_float_bits(SERIES_REACH / (vj * rho_max)) >> _BUCKET_SHIFT) - b0
                lo = offsets[min(max(bt, 0), offsets.size - 1)]
            _window_sums(jj, vj, lo, lo_key, al, de, nsg, entry, grp, W, rest, facg, fmax,
                         1.0 / vj if exposure else 1.0, Ss, S2s, pbuf)
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

"""The aimed z proposal of the bremsstrahlung channel: compiled kernels and the numpy reference.

:class:`~fipgen.production.channels.brems_channel.BremsChannel` draws the aimed branch's
``z`` from bin probabilities over ``n_z`` bins of ``z`` (edges ``z_edges``, centres ``zc``):
the row ``rows[row_i]`` of the event's polar angle (``d2N/dz dOmega`` at the row's angle)
times, when the Z' is the detected particle (``c tau``), its decay probability in the
detector along the event's own ray at each bin's momentum ``p = zc P / cos(theta)``,

    wgt_b = rows[row_i, b] * [exp(-l_in/ell_b) - exp(-l_out/ell_b)],
    ell_b = zc_b P / cos(theta) / m * c tau

(:func:`fipgen.kinematics.window_decay_probability`, from the first entry ``l_in`` to the last
exit ``l_out`` of the ray; evaluated by :func:`fipgen.fastexp.window_factor`, within a few ulp
of numpy's ``exp`` and ``expm1``, and 0 below 1e-304), normalised where the ray hits the
detector and the sum is > 0 (else the angle row alone); then mixed with 5 % uniform:
``0.95 prop / sum(prop) + 0.05 / n_z`` (``1 / n_z`` for an all-zero row). The aimed events
draw their bin ``k`` by inverse cdf with one uniform (``k = #{b: cdf_b < u cdf_last}``) and
``z = z_edges[k] + u' dz[k]``; every event (aimed or not: the mixture's density is evaluated at
every point) needs the table's value at the bin of its own ``z``.

:func:`aimed_table_numpy` and :func:`aimed_draw_numpy` are the numpy reference (the decay
probabilities by :func:`fipgen.fastexp.window_factors`): the ``(n, n_z)`` table, then the draw
and the lookup. :func:`aimed_draw` gives the same numbers without the table: per event, one
compiled pass writes the decay probabilities of the bins from the first to the last non-zero
bin of its angle row (at the DarkQuest geometry ~30 of 160 on average: the rows vanish beyond
``pT = pt_max`` and ``s' < (2 m_p + m_pi0)^2``) with the vectorised exponentials of
:mod:`fipgen.fastexp` (numpy's ``exp`` and ``expm1``, which it used before, are scalar libm
calls on machines without AVX-512: 18 ns a bin against 3), and a second compiled pass
multiplies, normalises, draws and looks up. The sums over bins replicate numpy's pairwise
summation (``np.sum`` along a contiguous row: 8 accumulators up to 128 terms, halves above;
:func:`_sum_program`), the cdf its sequential ``cumsum`` (four events' chains of additions side
by side): the results are bit for bit those of the reference (tests/test_brems_kernels.py).
Events whose ray misses the detector, or whose row is all zero, take the row's own proposal,
computed once per call.
Events are done in chunks of :data:`CHUNK` so the probability buffer stays in cache.

:func:`bin_index` (the bin of each value among increasing edges, numpy's
``searchsorted(side="right") - 1`` clipped) is the compiled lookup of the channel's z and
angle bins.
"""

from __future__ import annotations

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...fastexp import window_factor, window_factors

__all__ = ["CHUNK", "floor_mix", "aimed_table_numpy", "aimed_draw_numpy", "aimed_draw", "bin_index",
           "bin_index_numpy"]

#: Events per pass of :func:`aimed_draw` (a buffer of at most CHUNK x n_z decay probabilities).
CHUNK = 2048


# ======================================================================================
# numpy reference
# ======================================================================================


def floor_mix(prop: np.ndarray) -> np.ndarray:
    """Rows of ``prop`` normalised and mixed with 5 % uniform (uniform where a row is 0)."""
    n_z = prop.shape[1]
    tot = prop.sum(axis=1)
    return np.where((tot > 0)[:, None], 0.95 * prop / np.where(tot > 0, tot, 1.0)[:, None] + 0.05 / n_z, 1.0 / n_z)


def aimed_table_numpy(rows, row, hit, l_in, l_out, cos_theta, zc, P, m, ctau) -> np.ndarray:
    """The ``(n, n_z)`` bin probabilities of each event (module docstring): ``rows`` (n_t, n_z)
    angle rows, ``row`` (n,) each event's row, ``hit`` (n,) whether its ray crosses the
    detector, ``l_in``/``l_out`` (n,) first entry and last exit (m; 0 where it misses),
    ``cos_theta`` (n,) (1 where <= 0), ``zc`` (n_z,) bin centres, ``P`` beam momentum (GeV),
    ``m`` the Z' mass (GeV), ``ctau`` its c tau (m)."""
    prop = rows[row]
    ell = (zc[None, :] * P / cos_theta[:, None]) / m * ctau
    wgt = prop * window_factors(l_in[:, None] / ell, (l_out - l_in)[:, None] / ell)
    tot = wgt.sum(axis=1)
    good = hit & (tot > 0)
    prop = np.where(good[:, None], wgt / np.where(good, tot, 1.0)[:, None], prop)
    return floor_mix(prop)


def aimed_draw_numpy(table, ia, u, z_edges, z):
    """The reference draw and lookup: ``z[ia]`` (written in place) from ``table[ia]`` with the
    uniforms ``u`` (2, len(ia)); returns ``(value, kz)``, ``kz`` (n,) the bin of each event's
    ``z`` and ``value = table[i, kz]``."""
    dz = np.diff(z_edges)
    if ia.size:
        cdf = np.cumsum(table[ia], axis=1)
        k = np.minimum((cdf < (u[0] * cdf[:, -1])[:, None]).sum(axis=1), dz.size - 1)
        z[ia] = z_edges[k] + u[1] * dz[k]
    kz = bin_index_numpy(z_edges, z)
    return table[np.arange(table.shape[0]), kz], kz


# ======================================================================================
# compiled path
# ======================================================================================


def _sum_program(n: int) -> np.ndarray:
    """numpy's pairwise summation of ``n`` contiguous terms as a stack program, (k, 3) int64:
    ``(0, start, length)`` pushes the sum of a block of <= 128 terms (8 accumulators, then
    the remainder one by one), ``(1, 0, 0)`` replaces the top two entries by their sum. Above
    128 terms numpy halves at a multiple of 8 and adds the halves' sums."""
    prog = []

    def split(start, length):
        if length <= 128:
            prog.append((0, start, length))
            return
        half = length // 2
        half -= half % 8
        split(start, half)
        split(start + half, length - half)
        prog.append((1, 0, 0))

    split(0, n)
    return np.array(prog, dtype=np.int64).reshape(-1, 3)


@numba.njit(inline="always", **JIT_OPTIONS)
def _block_sum(a):  # pragma: no cover - compiled
    """``a.sum()`` for ``a.size <= 128`` in numpy's order (8 accumulators from 8 terms)."""
    n = a.size
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[0], a[1], a[2], a[3]
    r4, r5, r6, r7 = a[4], a[5], a[6], a[7]
    top = n - n % 8
    for i in range(8, top, 8):
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(top, n):
        res += a[i]
    return res


@numba.njit(inline="always", **JIT_OPTIONS)
def _pairwise_sum(a, prog, stack, lo, hi):  # pragma: no cover - compiled
    """``a.sum()`` in numpy's order (``prog``: :func:`_sum_program` of ``a.size``) for an
    ``a`` >= 0 that is 0 outside ``[lo, hi)``: blocks outside it are skipped (their sum is +0,
    and ``x + 0 = x``). ``stack``: work space of ``len(prog)`` doubles."""
    d = 0
    for q in range(prog.shape[0]):
        if prog[q, 0] == 1:
            stack[d - 2] = stack[d - 2] + stack[d - 1]
            d -= 1
        else:
            s = prog[q, 1]
            n = prog[q, 2]
            stack[d] = _block_sum(a[s:s + n]) if (s < hi and s + n > lo) else 0.0
            d += 1
    return stack[0]


@numba.njit(**JIT_OPTIONS)
def _decay_factors(span, row, hit, l_in, l_out, cos_theta, zcP, m, ctau, start, stop, dp):  # pragma: no cover - compiled
    """Events ``start:stop`` that hit: the decay probabilities ``window_factor(l_in/ell_b,
    (l_out - l_in)/ell_b)`` over the span ``span[row_i]`` (first and one past the last non-zero
    bin of the angle row), event after event, into ``dp``; returns how many. ``zcP``: ``zc P``
    per bin."""
    p = 0
    for i in range(start, stop):
        r = row[i]
        lo = span[r, 0]
        hi = span[r, 1]
        if not hit[i] or hi <= lo:
            continue
        c = cos_theta[i]
        a = l_in[i]
        w = l_out[i] - l_in[i]
        L = hi - lo
        zv = zcP[lo:hi]
        out = dp[p:p + L]
        for t in range(L):  # (a view indexed from 0: no wraparound, vectorised)
            ell = zv[t] / c / m * ctau
            out[t] = window_factor(a / ell, w / ell)
        p += L
    return p


@numba.njit(inline="always", **JIT_OPTIONS)
def _bin_of(edges, x):  # pragma: no cover - compiled
    """``clip(searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)`` for increasing
    ``edges``: ``#{edges <= x} - 1`` from the guess of evenly spaced edges, corrected by
    comparisons (exact for any increasing edges; a NaN goes last, as in numpy)."""
    ne = edges.size
    nb = ne - 1
    if x != x:
        return nb - 1
    g = (x - edges[0]) / (edges[nb] - edges[0]) * nb
    c = 0
    if g >= ne:
        c = ne
    elif g > 0.0:
        c = int(g)
    while c > 0 and edges[c - 1] > x:
        c -= 1
    while c < ne and edges[c] <= x:
        c += 1
    return min(max(c - 1, 0), nb - 1)


@numba.njit(**JIT_OPTIONS)
def _bin_index(edges, x, out):  # pragma: no cover - compiled
    for i in range(x.size):
        out[i] = _bin_of(edges, x[i])


def bin_index(edges, x) -> np.ndarray:
    """The bin of each ``x`` among increasing ``edges`` (n_bins + 1), clipped to the first and
    last bins: :func:`bin_index_numpy`, compiled (equal for every input, NaN included)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    out = np.empty(x.shape, dtype=np.int64)
    _bin_index(np.ascontiguousarray(edges, dtype=np.float64), x.reshape(-1), out.reshape(-1))
    return out


def bin_index_numpy(edges, x) -> np.ndarray:
    """``clip(searchsorted(edges, x, side="right") - 1, 0, n_bins - 1)``."""
    return np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)


@numba.njit(inline="always", **JIT_OPTIONS)
def _draw_from(tab, cdf, n_z, i, slot, u, z_edges, dz, z, value, kz):  # pragma: no cover - compiled
    """Event ``i`` with the proposal ``tab`` (n_z,) and its cdf: the draw if it is aimed
    (``slot[i] >= 0``), then the bin of ``z[i]`` and its probability."""
    s = slot[i]
    if s >= 0:
        target = u[0, s] * cdf[n_z - 1]
        k = 0
        for b in range(n_z):  # #{b: cdf_b < target}
            k += cdf[b] < target
        if k > n_z - 1:
            k = n_z - 1
        z[i] = z_edges[k] + u[1, s] * dz[k]
    b = _bin_of(z_edges, z[i])
    kz[i] = b
    value[i] = tab[b]


#: Aimed events whose cdfs are summed side by side (independent chains of additions).
_GROUP = 4


@numba.njit(inline="always", **JIT_OPTIONS)
def _cumsum_group(own, cdf, ng):  # pragma: no cover - compiled
    """``cdf[g] = cumsum(own[g])`` (numpy's: sequential) for ``g < ng <= 4``, four rows side by
    side: each row's chain of additions is the same, the four run at once."""
    n_z = own.shape[1]
    a0 = a1 = a2 = a3 = 0.0
    o0, o1, o2, o3 = own[0], own[1], own[2], own[3]
    c0, c1, c2, c3 = cdf[0], cdf[1], cdf[2], cdf[3]
    if ng == 4:
        for b in range(n_z):
            a0 += o0[b]
            a1 += o1[b]
            a2 += o2[b]
            a3 += o3[b]
            c0[b] = a0
            c1[b] = a1
            c2[b] = a2
            c3[b] = a3
    else:
        for g in range(ng):
            a0 = 0.0
            og = own[g]
            cg = cdf[g]
            for b in range(n_z):
                a0 += og[b]
                cg[b] = a0


@numba.njit(**JIT_OPTIONS)
def _draw_chunk(rows, span, base, base_cdf, prog, row, hit, dp, start, stop, slot, u, z_edges, dz, z, value,
                kz):  # pragma: no cover - compiled
    """Events ``start:stop``: their bin probabilities, the draw of the aimed ones
    (``slot[i] >= 0``: uniforms ``u[:, slot[i]]``, ``z[i]`` written), and ``value[i]``,
    ``kz[i]``: the probability and the index of the bin of ``z[i]``.

    An event whose ray hits the detector and whose angle row is not all zero gets its own
    proposal from the decay probabilities ``dp`` over the row's span (as :func:`_decay_factors`
    wrote them; outside the span the row, hence the product, is 0), with numpy's sums
    (``prog``) and cumsum. The others, and those whose product sums to 0, take the row's own
    proposal ``base[r]`` (:func:`floor_mix` of ``rows``) with its cdf ``base_cdf[r]``."""
    n_z = rows.shape[1]
    prop = np.zeros(n_z)
    own = np.empty((_GROUP, n_z))  # own proposals of aimed events waiting for their cdf
    own_cdf = np.empty((_GROUP, n_z))
    waiting = np.empty(_GROUP, dtype=np.int64)
    stack = np.empty(prog.shape[0])
    floor = 0.05 / n_z
    p = 0
    ng = 0
    # (loops index views from 0: numba then needs no negative-index wraparound and vectorises)
    for i in range(start, stop):
        r = row[i]
        lo = span[r, 0]
        hi = span[r, 1]
        if not (hit[i] and hi > lo):
            _draw_from(base[r], base_cdf[r], n_z, i, slot, u, z_edges, dz, z, value, kz)
            continue
        L = hi - lo
        rr = rows[r, lo:hi]
        pv = prop[lo:hi]
        dv = dp[p:p + L]
        p += L
        for t in range(L):
            pv[t] = rr[t] * dv[t]
        tot = _pairwise_sum(prop, prog, stack, lo, hi)  # prop is 0 outside [lo, hi)
        if not tot > 0.0:
            pv[:] = 0.0
            _draw_from(base[r], base_cdf[r], n_z, i, slot, u, z_edges, dz, z, value, kz)
            continue
        for t in range(L):
            pv[t] = pv[t] / tot
        tot = _pairwise_sum(prop, prog, stack, lo, hi)
        o = own[ng]
        if tot > 0.0:
            o[:] = floor  # 0.95 * 0 / tot + floor = floor outside [lo, hi)
            ov = o[lo:hi]
            for t in range(L):
                ov[t] = 0.95 * pv[t] / tot + floor
        else:
            o[:] = 1.0 / n_z
        pv[:] = 0.0
        if slot[i] < 0:  # not aimed: no cdf needed
            _draw_from(o, o, n_z, i, slot, u, z_edges, dz, z, value, kz)
            continue
        waiting[ng] = i
        ng += 1
        if ng == _GROUP:
            _cumsum_group(own, own_cdf, ng)
            for g in range(ng):
                _draw_from(own[g], own_cdf[g], n_z, waiting[g], slot, u, z_edges, dz, z, value, kz)
            ng = 0
    _cumsum_group(own, own_cdf, ng)
    for g in range(ng):
        _draw_from(own[g], own_cdf[g], n_z, waiting[g], slot, u, z_edges, dz, z, value, kz)


def _spans(rows: np.ndarray) -> np.ndarray:
    """(n_t, 2) first and one past the last non-zero bin of each row ((0, 0) for a zero row)."""
    nz = rows != 0.0
    anyz = nz.any(axis=1)
    lo = np.where(anyz, np.argmax(nz, axis=1), 0)
    hi = np.where(anyz, rows.shape[1] - np.argmax(nz[:, ::-1], axis=1), 0)
    return np.ascontiguousarray(np.stack([lo, hi], axis=1), dtype=np.int64)


def aimed_draw(rows, row, hit, l_in, l_out, cos_theta, zc, P, m, ctau, z_edges, ia, u, z):
    """:func:`aimed_table_numpy` then :func:`aimed_draw_numpy`, compiled and without the
    ``(n, n_z)`` table (module docstring): same arguments; writes ``z[ia]``, returns
    ``(value, kz)``, equal bit for bit."""
    row = np.ascontiguousarray(row, dtype=np.int64)
    n = row.shape[0]
    hit = np.ascontiguousarray(hit, dtype=np.bool_)
    l_in, l_out, cos_theta = (np.ascontiguousarray(a, dtype=np.float64) for a in (l_in, l_out, cos_theta))
    if not (isinstance(z, np.ndarray) and z.dtype == np.float64 and z.flags.c_contiguous and z.shape == (n,)):
        raise ValueError("aimed_draw: z must be a contiguous float64 array of one value per event (written in place)")
    rows = np.ascontiguousarray(rows, dtype=np.float64)
    n_z = rows.shape[1]
    z_edges = np.ascontiguousarray(z_edges, dtype=np.float64)
    dz = np.diff(z_edges)
    slot = np.full(n, -1, dtype=np.int64)
    slot[ia] = np.arange(ia.size)
    u = np.ascontiguousarray(u, dtype=np.float64).reshape(2, -1)
    value = np.empty(n)
    kz = np.empty(n, dtype=np.int64)
    size = min(n, CHUNK) * n_z
    dp = np.empty(size)
    span = _spans(rows)
    base = floor_mix(rows)
    base_cdf = np.cumsum(base, axis=1)
    prog = _sum_program(n_z)
    zcP = np.ascontiguousarray(zc, dtype=np.float64) * P
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        _decay_factors(span, row, hit, l_in, l_out, cos_theta, zcP, float(m), float(ctau), start, stop, dp)
        _draw_chunk(rows, span, base, base_cdf, prog, row, hit, dp, start, stop, slot, u, z_edges, dz, z, value, kz)
    return value, kz

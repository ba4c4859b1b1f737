"""Exact ray chords through boxes, cylinders and spheres, one primitive at a time, and the
union of a ray's chords: numba kernels.

A ray is ``x(t) = o + t d``. With unit ``d`` the parameter ``t`` is the distance from
``o`` in metres; the kernels do not require unit ``d`` (then ``t`` is in units of
``|d|``), the :class:`~fipgen.geometry.shapes.Solid` wrappers do.

A solid is a list of ``k`` placed primitives, given as arrays (see
:meth:`~fipgen.geometry.shapes.Solid.compiled`):

``codes`` : int64 (k,)
    :data:`BOX`, :data:`CYLINDER` or :data:`SPHERE`.
``rot`` : float64 (k, 3, 3), ``trans`` : float64 (k, 3)
    placement of each primitive in the solid's frame, ``x = rot @ x_local + trans`` (m).
``params`` : float64 (k, 3), metres
    box: half edge lengths ``(hx, hy, hz)``; cylinder (axis along local z):
    ``(radius, half_length, 0)``; sphere: ``(radius, 0, 0)``.

Every primitive is a closed convex set, so its chord is one interval ``[t_in, t_out]``.
Intervals are forward-clipped (``t_in = max(t_in, 0)``); a miss, a tangent ray (zero
length) or an interval entirely behind the origin is stored as ``t_in = t_out = 0``.
:func:`merge_intervals` joins a ray's intervals into sorted disjoint segments.

Numerics: boxes use the slab method. A ray parallel to a face (a zero direction
component) gets ``1 / 0 = inf`` slab bounds, which make the slab either the whole ray or
empty; the ``0 * inf = NaN`` of a ray lying in a face plane is replaced explicitly
(closed box: the ray is inside that slab). Quadrics use the stable root pair
``q = -(b + sign(b) sqrt(D))``, ``t = q / a`` and ``c / q``, with the discriminant written
as ``D = a r^2 - |o x d|^2`` (perpendicular part only), which keeps full relative
precision for far-away origins (Haines et al., "Precision Improvements for Ray/Sphere
Intersection", Ray Tracing Gems, ch. 7, 2019). A tangent ray (``D = 0``) is a miss.
The cylinder is the intersection of the side quadric with the slab of its end caps; a
ray parallel to the axis is inside the side iff its distance to the axis is <= r.

Layout: the kernels work on blocks of :data:`BLOCK` rays and loop over primitives,
then over the rays of the block, in branch-free inner loops that LLVM vectorises
(faster than taking one ray at a time through all primitives, whose branches
mispredict). The per-ray chord functions (``_box_chord``, ``_cylinder_chord``,
``_sphere_chord``) are the only ones any kernel computes a chord with: the bounding-box
culling (:mod:`.culling`) and the fused solid kernels (:mod:`.chords`) use them too, so
every path gives the same floats.

Every kernel has a plain-numpy reference (suffix ``_numpy``) used by the tests.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS

__all__ = [
    "BOX",
    "CYLINDER",
    "SPHERE",
    "MERGE_GAP",
    "primitive_intervals",
    "primitive_intervals_numpy",
    "merge_intervals",
    "merge_intervals_numpy",
    "cube_sum",
    "cube_sum_numpy",
]

#: Primitive codes used in ``codes`` arrays.
BOX = 0
CYLINDER = 1
SPHERE = 2

#: Gaps between intervals shorter than ``MERGE_GAP * (1 + |t|)`` (metres for unit
#: directions) are closed when merging, so that rounding does not split a ray crossing
#: the shared face of two touching boxes into two segments.
MERGE_GAP = 1e-12

_jit = numba.njit(**JIT_OPTIONS)
#: the per-ray chord functions, inlined in numba's IR into every loop that calls them
_jit_inline = numba.njit(inline="always", **JIT_OPTIONS)


# --------------------------------------------------------------------------- kernels


#: Rays per block. The kernels loop over primitives, then over the rays of a block:
#: these inner loops are branch-free and vectorise, and the (k, BLOCK) scratch arrays
#: stay in cache.
BLOCK = 128


@_jit
def _clean_pair(a: float, b: float) -> tuple[float, float]:
    """Slab bounds ``a, b`` with ``0 * inf = NaN`` (ray in a face plane, parallel to it) fixed.

    The closed slab then holds the whole ray: the NaN bound is replaced by minus the
    other one (which is +-inf), giving (-inf, inf).
    """
    a2 = a if a == a else -b
    b2 = b if b == b else -a
    return min(a2, b2), max(a2, b2)


@_jit
def _rot9(rot: np.ndarray) -> tuple:
    """The 9 entries of a 3 x 3 matrix, row-major, as scalars (loaded once per block)."""
    return (rot[0, 0], rot[0, 1], rot[0, 2], rot[1, 0], rot[1, 1], rot[1, 2], rot[2, 0], rot[2, 1], rot[2, 2])


@_jit_inline
def _to_local(p: tuple, d: tuple, r: tuple) -> tuple[tuple, tuple]:
    """A point ``p`` (already less the translation) and a direction ``d`` in a primitive's local
    frame, ``R^T p`` and ``R^T d`` (``r`` the rotation's 9 entries, row-major)."""
    p0, p1, p2 = p
    d0, d1, d2 = d
    r00, r01, r02, r10, r11, r12, r20, r21, r22 = r
    return ((r00 * p0 + r10 * p1 + r20 * p2, r01 * p0 + r11 * p1 + r21 * p2, r02 * p0 + r12 * p1 + r22 * p2),
            (r00 * d0 + r10 * d1 + r20 * d2, r01 * d0 + r11 * d1 + r21 * d2, r02 * d0 + r12 * d1 + r22 * d2))


@_jit_inline
def _box_chord(p: tuple, d: tuple, r: tuple, h: tuple) -> tuple[float, float]:
    """Forward chord ``(t_in, t_out)`` of one ray through one box (slab method), ``0, 0`` if none.

    ``p = origin - trans``, ``d`` the direction, ``r`` the rotation's 9 entries (row-major),
    ``h`` the half edge lengths. Every kernel computes a box chord with this one function,
    so the culled and the unculled kernels give the same floats.
    """
    h0, h1, h2 = h
    (lo0, lo1, lo2), (ld0, ld1, ld2) = _to_local(p, d, r)
    # 1 / 0 = inf makes a parallel slab (-inf, inf) or empty, as it should
    i0 = 1.0 / ld0
    i1 = 1.0 / ld1
    i2 = 1.0 / ld2
    a0, b0 = _clean_pair((-h0 - lo0) * i0, (h0 - lo0) * i0)
    a1, b1 = _clean_pair((-h1 - lo1) * i1, (h1 - lo1) * i1)
    a2, b2 = _clean_pair((-h2 - lo2) * i2, (h2 - lo2) * i2)
    tmin = max(max(a0, a1), max(a2, 0.0))
    tmax = min(min(b0, b1), b2)
    ok = tmax > tmin
    return (tmin if ok else 0.0), (tmax if ok else 0.0)


@_jit
def _box_block(
    origins: np.ndarray, dirs: np.ndarray, start: int, m: int, rot: np.ndarray, trans: np.ndarray, par: np.ndarray,
    row_in: np.ndarray, row_out: np.ndarray,
) -> None:
    """Chords of rays ``start .. start + m - 1`` through one box (slab method)."""
    os = 0 if origins.shape[0] == 1 else 1
    r = _rot9(rot)
    t0, t1, t2 = trans[0], trans[1], trans[2]
    h = (par[0], par[1], par[2])
    for ii in range(m):
        i = start + ii
        io = i * os
        p = (origins[io, 0] - t0, origins[io, 1] - t1, origins[io, 2] - t2)
        row_in[ii], row_out[ii] = _box_chord(p, (dirs[i, 0], dirs[i, 1], dirs[i, 2]), r, h)


@_jit
def _quadric_roots(a: float, bh: float, c: float, disc: float) -> tuple[float, float, bool]:
    """Roots of ``a t^2 + 2 bh t + c`` given ``disc = bh^2 - a c``; ``hit`` if disc > 0.

    Stable pair ``q = -(bh + sign(bh) sqrt(disc))``, roots ``q / a`` and ``c / q``.
    """
    hit = disc > 0.0
    q = -(bh + math.copysign(math.sqrt(disc if hit else 0.0), bh))
    r1 = q / a
    r2 = c / q
    return min(r1, r2), max(r1, r2), hit


@_jit_inline
def _cylinder_chord(p: tuple, d: tuple, r: tuple, rad2: float, hl: float) -> tuple[float, float]:
    """Forward chord of one ray through one cylinder (side quadric + caps), ``0, 0`` if none.

    Arguments as for :func:`_box_chord`; ``rad2`` the squared radius, ``hl`` the half length.
    """
    (lo0, lo1, lo2), (ld0, ld1, ld2) = _to_local(p, d, r)
    # end caps
    za, zb = _clean_pair((-hl - lo2) / ld2, (hl - lo2) / ld2)
    # side: (lo + t ld)_perp^2 = r^2, discriminant a r^2 - (lo x ld)_z^2
    a = ld0 * ld0 + ld1 * ld1
    c = lo0 * lo0 + lo1 * lo1 - rad2
    cr = lo0 * ld1 - lo1 * ld0
    sa, sb, hit = _quadric_roots(a, lo0 * ld0 + lo1 * ld1, c, a * rad2 - cr * cr)
    inside_par = (a == 0.0) & (c <= 0.0)  # parallel to the axis, within the radius
    sa = sa if hit else (-np.inf if inside_par else np.inf)
    sb = sb if hit else (np.inf if inside_par else -np.inf)
    tmin = max(max(za, sa), 0.0)
    tmax = min(zb, sb)
    ok = tmax > tmin
    return (tmin if ok else 0.0), (tmax if ok else 0.0)


@_jit
def _cylinder_block(
    origins: np.ndarray, dirs: np.ndarray, start: int, m: int, rot: np.ndarray, trans: np.ndarray, par: np.ndarray,
    row_in: np.ndarray, row_out: np.ndarray,
) -> None:
    """Chords of rays ``start .. start + m - 1`` through one cylinder (side quadric + caps)."""
    os = 0 if origins.shape[0] == 1 else 1
    r = _rot9(rot)
    t0, t1, t2 = trans[0], trans[1], trans[2]
    rad2 = par[0] * par[0]
    hl = par[1]
    for ii in range(m):
        i = start + ii
        io = i * os
        p = (origins[io, 0] - t0, origins[io, 1] - t1, origins[io, 2] - t2)
        row_in[ii], row_out[ii] = _cylinder_chord(p, (dirs[i, 0], dirs[i, 1], dirs[i, 2]), r, rad2, hl)


@_jit_inline
def _sphere_chord(p: tuple, d: tuple, rad2: float) -> tuple[float, float]:
    """Forward chord of one ray through one sphere (rotation-invariant), ``0, 0`` if none."""
    p0, p1, p2 = p
    d0, d1, d2 = d
    a = d0 * d0 + d1 * d1 + d2 * d2
    c = p0 * p0 + p1 * p1 + p2 * p2 - rad2
    x0 = p1 * d2 - p2 * d1
    x1 = p2 * d0 - p0 * d2
    x2 = p0 * d1 - p1 * d0
    sa, sb, hit = _quadric_roots(a, p0 * d0 + p1 * d1 + p2 * d2, c, a * rad2 - (x0 * x0 + x1 * x1 + x2 * x2))
    tmin = max(sa, 0.0)
    ok = hit & (sb > tmin)
    return (tmin if ok else 0.0), (sb if ok else 0.0)


@_jit
def _sphere_block(
    origins: np.ndarray, dirs: np.ndarray, start: int, m: int, trans: np.ndarray, par: np.ndarray,
    row_in: np.ndarray, row_out: np.ndarray,
) -> None:
    """Chords of rays ``start .. start + m - 1`` through one sphere (rotation-invariant)."""
    os = 0 if origins.shape[0] == 1 else 1
    t0, t1, t2 = trans[0], trans[1], trans[2]
    rad2 = par[0] * par[0]
    for ii in range(m):
        i = start + ii
        io = i * os
        p = (origins[io, 0] - t0, origins[io, 1] - t1, origins[io, 2] - t2)
        row_in[ii], row_out[ii] = _sphere_chord(p, (dirs[i, 0], dirs[i, 1], dirs[i, 2]), rad2)


@_jit
def _fill_block(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray,
    start: int, m: int, b_in: np.ndarray, b_out: np.ndarray,
) -> None:
    """``b_in[j, ii], b_out[j, ii]``: chord of ray ``start + ii`` through primitive ``j``."""
    for j in range(codes.shape[0]):
        code = codes[j]
        if code == 0:
            _box_block(origins, dirs, start, m, rot[j], trans[j], params[j], b_in[j], b_out[j])
        elif code == 1:
            _cylinder_block(origins, dirs, start, m, rot[j], trans[j], params[j], b_in[j], b_out[j])
        elif code == 2:
            _sphere_block(origins, dirs, start, m, trans[j], params[j], b_in[j], b_out[j])
        else:
            b_in[j, :m] = 0.0
            b_out[j, :m] = 0.0


@_jit
def primitive_intervals(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Chord of every ray through every primitive.

    Parameters
    ----------
    origins : float64 (m, 3)
        Ray origins (m), ``m = n`` or ``m = 1`` (one origin shared by all rays).
    dirs : float64 (n, 3)
        Ray directions (unit vectors for ``t`` in metres).
    codes, rot, trans, params
        The primitives, see the module docstring. Unknown codes never intersect.

    Returns
    -------
    t_in, t_out : float64 (n, k)
        Forward-clipped entry and exit parameters (m); ``0, 0`` for no chord.
    """
    n = dirs.shape[0]
    k = codes.shape[0]
    t_in = np.empty((n, k))
    t_out = np.empty((n, k))
    b_in = np.empty((k, BLOCK))
    b_out = np.empty((k, BLOCK))
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        _fill_block(origins, dirs, codes, rot, trans, params, start, m, b_in, b_out)
        for ii in range(m):
            for j in range(k):
                t_in[start + ii, j] = b_in[j, ii]
                t_out[start + ii, j] = b_out[j, ii]
    return t_in, t_out


@_jit
def _merge_row(
    row_in: np.ndarray, row_out: np.ndarray, buf_in: np.ndarray, buf_out: np.ndarray, seg_in: np.ndarray, seg_out: np.ndarray, i: int
) -> int:
    """Union of one ray's intervals into ``seg_*[i]``; returns the true segment count.

    Only the first ``seg_in.shape[1]`` segments are stored; the count may exceed it.
    """
    m = 0
    for j in range(row_in.shape[0]):
        a = row_in[j]
        b = row_out[j]
        if b > a:  # non-empty: insertion sort by entry point
            p = m
            while p > 0 and buf_in[p - 1] > a:
                buf_in[p] = buf_in[p - 1]
                buf_out[p] = buf_out[p - 1]
                p -= 1
            buf_in[p] = a
            buf_out[p] = b
            m += 1
    if m == 0:
        return 0
    width = seg_in.shape[1]
    ns = 0
    cur_in = buf_in[0]
    cur_out = buf_out[0]
    for p in range(1, m):
        if buf_in[p] <= cur_out + MERGE_GAP * (1.0 + abs(cur_out)):
            if buf_out[p] > cur_out:
                cur_out = buf_out[p]
        else:
            if ns < width:
                seg_in[i, ns] = cur_in
                seg_out[i, ns] = cur_out
            ns += 1
            cur_in = buf_in[p]
            cur_out = buf_out[p]
    if ns < width:
        seg_in[i, ns] = cur_in
        seg_out[i, ns] = cur_out
    return ns + 1


@_jit
def merge_intervals(t_in: np.ndarray, t_out: np.ndarray, max_segments: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of the ``k`` intervals of each ray, as sorted disjoint segments.

    Empty intervals (``t_out <= t_in``) are ignored; overlapping or touching ones (gap
    below :data:`MERGE_GAP`) are joined.

    Parameters
    ----------
    t_in, t_out : float64 (n, k)
        Intervals per ray (m), e.g. from :func:`primitive_intervals`.
    max_segments : int
        Width of the output arrays.

    Returns
    -------
    n_seg : int64 (n,)
        Number of segments of each ray. It is the true count, so a value above
        ``max_segments`` means segments were dropped (callers must check).
    seg_in, seg_out : float64 (n, max_segments)
        Segments in ascending order (m); unused slots are 0.
    """
    n, k = t_in.shape
    n_seg = np.zeros(n, dtype=np.int64)
    seg_in = np.zeros((n, max_segments))
    seg_out = np.zeros((n, max_segments))
    buf_in = np.empty(k)
    buf_out = np.empty(k)
    for i in range(n):
        n_seg[i] = _merge_row(t_in[i], t_out[i], buf_in, buf_out, seg_in, seg_out, i)
    return n_seg, seg_in, seg_out


@_jit
def cube_sum(t_in: np.ndarray, t_out: np.ndarray) -> np.ndarray:
    """``sum_j (t_out^3 - t_in^3)`` per ray (m^3), over the (unmerged) intervals ``j``.

    For unit directions from a fixed origin, ``cube_sum / 3`` is the volume per
    steradian seen in that direction.
    """
    n, k = t_in.shape
    out = np.empty(n)
    for i in range(n):
        s = 0.0
        for j in range(k):
            a = t_in[i, j]
            b = t_out[i, j]
            s += b * b * b - a * a * a
        out[i] = s
    return out


# ------------------------------------------------------------- numpy references


def _slab_numpy(o: np.ndarray, d: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval of ``|o + t d| <= h`` (arrays); rays with d == 0 get (-inf, inf) or empty."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = (-h - o) / d
        t2 = (h - o) / d
    lo = np.minimum(t1, t2)
    hi = np.maximum(t1, t2)
    par = d == 0.0
    inside = (o >= -h) & (o <= h)
    lo = np.where(par, np.where(inside, -np.inf, np.inf), lo)
    hi = np.where(par, np.where(inside, np.inf, -np.inf), hi)
    return lo, hi


def _quadric_numpy(a: np.ndarray, bh: np.ndarray, c: np.ndarray, cross2: np.ndarray, r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    disc = a * r2 - cross2
    hit = (disc > 0.0) & (a > 0.0)
    sq = np.sqrt(np.where(hit, disc, 1.0))
    q = -(bh + np.copysign(sq, np.where(bh >= 0.0, 1.0, -1.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = q / a
        r2_ = c / q
    lo = np.where(hit, np.minimum(r1, r2_), np.inf)
    hi = np.where(hit, np.maximum(r1, r2_), -np.inf)
    return lo, hi


def primitive_intervals_numpy(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reference for :func:`primitive_intervals` (vectorised numpy, same arguments)."""
    origins = np.asarray(origins, dtype=np.float64).reshape(-1, 3)
    dirs = np.asarray(dirs, dtype=np.float64).reshape(-1, 3)
    n, k = dirs.shape[0], len(codes)
    t_in = np.zeros((n, k))
    t_out = np.zeros((n, k))
    for j in range(k):
        lo = np.einsum("ni,ij->nj", origins - trans[j], rot[j])  # R^T (o - t)
        ld = np.einsum("ni,ij->nj", dirs, rot[j])
        lo = np.broadcast_to(lo, ld.shape)
        p = params[j]
        if codes[j] == BOX:
            a = np.full(n, -np.inf)
            b = np.full(n, np.inf)
            for ax in range(3):
                s0, s1 = _slab_numpy(lo[:, ax], ld[:, ax], p[ax])
                a = np.maximum(a, s0)
                b = np.minimum(b, s1)
        elif codes[j] == CYLINDER:
            a, b = _slab_numpy(lo[:, 2], ld[:, 2], p[1])
            aa = ld[:, 0] ** 2 + ld[:, 1] ** 2
            c = lo[:, 0] ** 2 + lo[:, 1] ** 2 - p[0] ** 2
            cr = lo[:, 0] * ld[:, 1] - lo[:, 1] * ld[:, 0]
            s0, s1 = _quadric_numpy(aa, lo[:, 0] * ld[:, 0] + lo[:, 1] * ld[:, 1], c, cr**2, p[0] ** 2)
            par = aa == 0.0
            s0 = np.where(par, np.where(c <= 0.0, -np.inf, np.inf), s0)
            s1 = np.where(par, np.where(c <= 0.0, np.inf, -np.inf), s1)
            a = np.maximum(a, s0)
            b = np.minimum(b, s1)
        elif codes[j] == SPHERE:
            aa = np.sum(ld**2, axis=1)
            c = np.sum(lo**2, axis=1) - p[0] ** 2
            cr = np.cross(lo, ld)
            a, b = _quadric_numpy(aa, np.sum(lo * ld, axis=1), c, np.sum(cr**2, axis=1), p[0] ** 2)
        else:
            a = np.full(n, np.inf)
            b = np.full(n, -np.inf)
        a = np.maximum(a, 0.0)
        ok = b > a
        t_in[:, j] = np.where(ok, a, 0.0)
        t_out[:, j] = np.where(ok, b, 0.0)
    return t_in, t_out


def merge_intervals_numpy(t_in: np.ndarray, t_out: np.ndarray, max_segments: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference for :func:`merge_intervals` (a Python loop over rays; for tests only)."""
    n = t_in.shape[0]
    n_seg = np.zeros(n, dtype=np.int64)
    seg_in = np.zeros((n, max_segments))
    seg_out = np.zeros((n, max_segments))
    for i in range(n):
        keep = t_out[i] > t_in[i]
        a = t_in[i][keep]
        b = t_out[i][keep]
        order = np.argsort(a, kind="stable")
        segs: list[list[float]] = []
        for x, y in zip(a[order], b[order]):
            if segs and x <= segs[-1][1] + MERGE_GAP * (1.0 + abs(segs[-1][1])):
                segs[-1][1] = max(segs[-1][1], y)
            else:
                segs.append([x, y])
        n_seg[i] = len(segs)
        for s, (x, y) in enumerate(segs[:max_segments]):
            seg_in[i, s] = x
            seg_out[i, s] = y
    return n_seg, seg_in, seg_out


def cube_sum_numpy(t_in: np.ndarray, t_out: np.ndarray) -> np.ndarray:
    """Reference for :func:`cube_sum`."""
    return np.sum(t_out**3 - t_in**3, axis=1)

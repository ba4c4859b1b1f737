"""Exact ray chords through boxes, cylinders and spheres: numba kernels.

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
mispredict).

Culling: the fused kernels :func:`solid_segments` and :func:`solid_cube_sum` test each
ray against the solid's axis-aligned bounding box, then against each primitive's, and
compute exact chords only where the ray meets the box (DUNE ND-LAr: ~5 of 35 modules
per ray). The boxes are grown by a margin far above round-off (:data:`_CULL_MARGIN`),
so a chord skipped is an empty one, and the results are the same floats as without the
tests (see "bounding-box culling" below).

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
    "solid_segments",
    "solid_cube_sum",
    "solid_segments_and_cube_sum",
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
def _box_chord(p: tuple, d: tuple, r: tuple, h: tuple) -> tuple[float, float]:
    """Forward chord ``(t_in, t_out)`` of one ray through one box (slab method), ``0, 0`` if none.

    ``p = origin - trans``, ``d`` the direction, ``r`` the rotation's 9 entries (row-major),
    ``h`` the half edge lengths. Every kernel computes a box chord with this one function,
    so the culled and the unculled kernels give the same floats.
    """
    p0, p1, p2 = p
    d0, d1, d2 = d
    r00, r01, r02, r10, r11, r12, r20, r21, r22 = r
    h0, h1, h2 = h
    # local frame: R^T (x - t)
    lo0 = r00 * p0 + r10 * p1 + r20 * p2
    lo1 = r01 * p0 + r11 * p1 + r21 * p2
    lo2 = r02 * p0 + r12 * p1 + r22 * p2
    ld0 = r00 * d0 + r10 * d1 + r20 * d2
    ld1 = r01 * d0 + r11 * d1 + r21 * d2
    ld2 = r02 * d0 + r12 * d1 + r22 * d2
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
    p0, p1, p2 = p
    d0, d1, d2 = d
    r00, r01, r02, r10, r11, r12, r20, r21, r22 = r
    lo0 = r00 * p0 + r10 * p1 + r20 * p2
    lo1 = r01 * p0 + r11 * p1 + r21 * p2
    lo2 = r02 * p0 + r12 * p1 + r22 * p2
    ld0 = r00 * d0 + r10 * d1 + r20 * d2
    ld1 = r01 * d0 + r11 * d1 + r21 * d2
    ld2 = r02 * d0 + r12 * d1 + r22 * d2
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


# ------------------------------------------------------------ bounding-box culling
#
# The fused kernels below first test each ray against axis-aligned boxes: the solid's
# box (a ray missing it skips every primitive), then each primitive's box; the exact
# chord is computed only for the primitives whose box the ray meets. The boxes are grown
# by a margin far above round-off, so a skipped primitive is one whose exact chord is
# empty: the results are the same floats, in the same order, as without the tests.


#: Relative margin of the culling boxes: for ray ``i`` every box is grown by
#: ``_CULL_MARGIN * (1 + max_k |o_ik| + S)`` metres, ``S`` the largest |coordinate| of the
#: solid's box. An exact chord is found (``t_out > t_in``) only if the ray passes within
#: ~1e-14 of that length of the primitive (round-off of the local-frame transform, the
#: slabs and the quadric's discriminant), 1e5 times less than the margin. (The grazing
#: rays of tests/test_chords.py tell: a margin of 0 drops chords, 1e-15 does not.)
_CULL_MARGIN = 1e-9

#: Largest ``|R^T R - I|`` entry for which a primitive's box is computed from ``R`` (the
#: kernels invert ``R`` by its transpose); a solid with a rotation further from
#: orthonormal, or a non-finite entry, is not culled.
_ORTHO_TOL = 1e-12


@_jit
def _primitive_boxes(
    codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """Axis-aligned boxes of the primitives, as the chord kernels see them.

    Returns ``lo, hi`` (k, 3) in the solid frame (m), ``scale`` (the largest |coordinate|
    of the boxes, m) and ``usable``: False when the boxes cannot bound the kernels'
    primitives (a non-finite entry, a rotation not orthonormal to :data:`_ORTHO_TOL`).
    Half widths along axis ``a``: box ``sum_b |R_ab| h_b``; cylinder
    ``r sqrt(R_a0^2 + R_a1^2) + (L/2) |R_a2|``; sphere ``r`` (exact for each shape).
    Unknown codes, which never intersect, get an empty box (``+inf, -inf``).
    """
    k = codes.shape[0]
    lo = np.empty((k, 3))
    hi = np.empty((k, 3))
    scale = 0.0
    usable = True
    for j in range(k):
        code = codes[j]
        r = rot[j]
        p0 = abs(params[j, 0])
        p1 = abs(params[j, 1])
        p2 = abs(params[j, 2])
        if code < 0 or code > 2:
            lo[j, :] = np.inf
            hi[j, :] = -np.inf
            continue
        if code != 2:  # the sphere kernel ignores the rotation
            for a in range(3):
                for b in range(3):
                    g = r[0, a] * r[0, b] + r[1, a] * r[1, b] + r[2, a] * r[2, b] - (1.0 if a == b else 0.0)
                    if not abs(g) <= _ORTHO_TOL:
                        usable = False
        for a in range(3):
            if code == 0:
                h = abs(r[a, 0]) * p0 + abs(r[a, 1]) * p1 + abs(r[a, 2]) * p2
            elif code == 1:
                h = p0 * math.sqrt(r[a, 0] * r[a, 0] + r[a, 1] * r[a, 1]) + p1 * abs(r[a, 2])
            else:
                h = p0
            x0 = trans[j, a] - h
            x1 = trans[j, a] + h
            if not (math.isfinite(x0) and math.isfinite(x1)):
                usable = False
            lo[j, a] = x0
            hi[j, a] = x1
            scale = max(scale, max(abs(x0), abs(x1)))
    return lo, hi, scale, usable


@_jit
def _ray_box_hit(
    a0: float, a1: float, a2: float, b0: float, b1: float, b2: float, i0: float, i1: float, i2: float,
    lo: tuple, hi: tuple,
) -> bool:
    """False only if the forward ray misses the grown box ``[lo - g, hi + g]`` (slab test;
    ``lo``, ``hi`` 3-tuples).

    ``a = o + g``, ``b = o - g`` (``o`` the origin, ``g`` the margin) and ``i = 1 / d``; a
    zero direction component gives ``1 / 0 = inf`` slab bounds, as in :func:`_box_chord`.
    With finite rays a NaN comes only from ``0 * inf``: a ray parallel to a grown face, in
    its plane, so at the distance ``g`` from the primitive, where either answer is right.
    """
    t0 = (lo[0] - a0) * i0
    t1 = (hi[0] - b0) * i0
    t2 = (lo[1] - a1) * i1
    t3 = (hi[1] - b1) * i1
    t4 = (lo[2] - a2) * i2
    t5 = (hi[2] - b2) * i2
    tmin = max(max(min(t0, t1), min(t2, t3)), max(min(t4, t5), 0.0))
    tmax = min(min(max(t0, t1), max(t2, t3)), max(t4, t5))
    return not (tmin > tmax)


@_jit
def _cull_block(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, lo: np.ndarray, hi: np.ndarray, solid_lo: np.ndarray,
    solid_hi: np.ndarray, scale: float, usable: bool, start: int, m: int, dense: bool, prep: np.ndarray,
    flag: np.ndarray, alive: np.ndarray, cand: np.ndarray, n_cand: np.ndarray,
) -> None:
    """The (ray, primitive) pairs of rays ``start .. start + m - 1`` whose exact chord is needed.

    A ray is a candidate of primitive ``j`` if it meets the solid's grown box and then
    primitive ``j``'s; every other pair has an empty exact chord. Rays with a non-finite
    origin or direction, and all rays of an unusable solid (:func:`_primitive_boxes`),
    are candidates of every primitive of a known code; unknown codes have none.

    Output: ``cand[j, :n_cand[j]]``, the candidates' offsets in the block, ascending. With
    ``dense``, a primitive with candidates among more than half of the ``m`` rays gets
    ``n_cand[j] = m``: all the rays, in order (``cand[j]`` is then not written), for the
    block kernels. ``prep`` (10, BLOCK), ``flag`` and ``alive`` (BLOCK,) are scratch.
    """
    os = 0 if origins.shape[0] == 1 else 1
    k = codes.shape[0]
    s_lo = (solid_lo[0], solid_lo[1], solid_lo[2])
    s_hi = (solid_hi[0], solid_hi[1], solid_hi[2])
    bad = 0.0 if usable else 1.0
    for ii in range(m):  # the solid's box
        i = start + ii
        io = i * os
        o0 = origins[io, 0]
        o1 = origins[io, 1]
        o2 = origins[io, 2]
        d0 = dirs[i, 0]
        d1 = dirs[i, 1]
        d2 = dirs[i, 2]
        g = _CULL_MARGIN * (1.0 + max(max(abs(o0), abs(o1)), abs(o2)) + scale)
        i0 = 1.0 / d0
        i1 = 1.0 / d1
        i2 = 1.0 / d2
        finite = (abs(o0) < np.inf) & (abs(o1) < np.inf) & (abs(o2) < np.inf) & (abs(d0) < np.inf)
        finite = finite & (abs(d1) < np.inf) & (abs(d2) < np.inf) & (g < np.inf)
        free = bad if finite else 1.0  # 1.0: a candidate of every primitive
        ok = _ray_box_hit(o0 + g, o1 + g, o2 + g, o0 - g, o1 - g, o2 - g, i0, i1, i2, s_lo, s_hi)
        prep[0, ii] = o0 + g
        prep[1, ii] = o1 + g
        prep[2, ii] = o2 + g
        prep[3, ii] = o0 - g
        prep[4, ii] = o1 - g
        prep[5, ii] = o2 - g
        prep[6, ii] = i0
        prep[7, ii] = i1
        prep[8, ii] = i2
        prep[9, ii] = free
        flag[ii] = 1.0 if ok else free
    na = 0  # the rays meeting the solid's box, compacted (in place: na <= ii)
    for ii in range(m):
        if flag[ii] != 0.0:
            if na < ii:
                for x in range(10):
                    prep[x, na] = prep[x, ii]
            alive[na] = ii
            na += 1
    for j in range(k):  # each primitive's box, for the rays meeting the solid's
        code = codes[j]
        if code < 0 or code > 2:  # never intersects
            n_cand[j] = 0
            continue
        if k == 1:  # the solid's box is this primitive's
            flag[:na] = 1.0
        else:
            lj = (lo[j, 0], lo[j, 1], lo[j, 2])
            hj = (hi[j, 0], hi[j, 1], hi[j, 2])
            for q in range(na):  # branch-free
                ok = _ray_box_hit(
                    prep[0, q], prep[1, q], prep[2, q], prep[3, q], prep[4, q], prep[5, q], prep[6, q], prep[7, q],
                    prep[8, q], lj, hj,
                )
                flag[q] = 1.0 if ok else prep[9, q]
        nc = 0
        for q in range(na):
            cand[j, nc] = alive[q]
            nc += 1 if flag[q] != 0.0 else 0
        n_cand[j] = m if dense and 2 * nc > m else nc


@_jit
def _candidate_chords(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray,
    start: int, m: int, cand: np.ndarray, n_cand: np.ndarray, c_in: np.ndarray, c_out: np.ndarray,
) -> None:
    """``c_in[j, q], c_out[j, q]``: exact chord of candidate ``q`` of primitive ``j`` (ray
    ``start + cand[j, q]``, or ``start + q`` if ``n_cand[j] == m``), with the functions of
    :func:`_fill_block`, so the same floats."""
    os = 0 if origins.shape[0] == 1 else 1
    for j in range(codes.shape[0]):
        code = codes[j]
        nc = n_cand[j]
        if nc == 0:
            continue
        if nc == m:  # every ray of the block: the block kernels
            if code == 0:
                _box_block(origins, dirs, start, m, rot[j], trans[j], params[j], c_in[j], c_out[j])
            elif code == 1:
                _cylinder_block(origins, dirs, start, m, rot[j], trans[j], params[j], c_in[j], c_out[j])
            else:
                _sphere_block(origins, dirs, start, m, trans[j], params[j], c_in[j], c_out[j])
            continue
        r = _rot9(rot[j])
        t0, t1, t2 = trans[j, 0], trans[j, 1], trans[j, 2]
        par = params[j]
        if code == 0:
            h = (par[0], par[1], par[2])
            for q in range(nc):
                i = start + cand[j, q]
                io = i * os
                p = (origins[io, 0] - t0, origins[io, 1] - t1, origins[io, 2] - t2)
                c_in[j, q], c_out[j, q] = _box_chord(p, (dirs[i, 0], dirs[i, 1], dirs[i, 2]), r, h)
        elif code == 1:
            rad2 = par[0] * par[0]
            hl = par[1]
            for q in range(nc):
                i = start + cand[j, q]
                io = i * os
                p = (origins[io, 0] - t0, origins[io, 1] - t1, origins[io, 2] - t2)
                c_in[j, q], c_out[j, q] = _cylinder_chord(p, (dirs[i, 0], dirs[i, 1], dirs[i, 2]), r, rad2, hl)
        else:
            rad2 = par[0] * par[0]
            for q in range(nc):
                i = start + cand[j, q]
                io = i * os
                p = (origins[io, 0] - t0, origins[io, 1] - t1, origins[io, 2] - t2)
                c_in[j, q], c_out[j, q] = _sphere_chord(p, (dirs[i, 0], dirs[i, 1], dirs[i, 2]), rad2)


@_jit
def _solid_box(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Box holding all the primitives' boxes (empty boxes of unknown codes drop out)."""
    slo = np.full(3, np.inf)
    shi = np.full(3, -np.inf)
    for j in range(lo.shape[0]):
        for a in range(3):
            slo[a] = min(slo[a], lo[j, a])
            shi[a] = max(shi[a], hi[j, a])
    return slo, shi


@_jit
def _candidates(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray
) -> np.ndarray:
    """bool (n, k): the (ray, primitive) pairs the box tests of :func:`_cull_block` keep (not
    made dense; for tests, reference :func:`_candidates_numpy`)."""
    n = dirs.shape[0]
    k = codes.shape[0]
    lo, hi, scale, usable = _primitive_boxes(codes, rot, trans, params)
    slo, shi = _solid_box(lo, hi)
    out = np.zeros((n, k), dtype=np.bool_)
    prep = np.empty((10, BLOCK))
    flag = np.empty(BLOCK)
    alive = np.empty(BLOCK, dtype=np.int64)
    cand = np.empty((k, BLOCK), dtype=np.int64)
    n_cand = np.empty(k, dtype=np.int64)
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        _cull_block(origins, dirs, codes, lo, hi, slo, shi, scale, usable, start, m, False, prep, flag, alive, cand, n_cand)
        for j in range(k):
            for q in range(n_cand[j]):
                out[start + cand[j, q], j] = True
    return out


#: Solids with fewer primitives skip the box tests: one or two chords cost about what
#: the tests do.
_CULL_MIN_PRIMITIVES = 3

#: A block whose box tests keep more than this fraction of its (ray, primitive) pairs
#: (rays crossing most primitives: the tests would cost more than they save) turns the
#: tests off for the next :data:`_CULL_PAUSE` blocks. Either way the results are the same.
_CULL_KEEP_MAX = 0.75
_CULL_PAUSE = 16


@_jit_inline
def _merge_block(
    c_in: np.ndarray, c_out: np.ndarray, start: int, m: int, row_in: np.ndarray, row_out: np.ndarray,
    buf_in: np.ndarray, buf_out: np.ndarray, n_seg: np.ndarray, seg_in: np.ndarray, seg_out: np.ndarray,
) -> None:
    """Merge of the full rows ``c_*[:, ii]`` (every primitive's chord) of a block's rays."""
    k = c_in.shape[0]
    for ii in range(m):
        for j in range(k):
            row_in[j] = c_in[j, ii]
            row_out[j] = c_out[j, ii]
        n_seg[start + ii] = _merge_row(row_in, row_out, buf_in, buf_out, seg_in, seg_out, start + ii)


@_jit_inline
def _cube_block(c_in: np.ndarray, c_out: np.ndarray, start: int, m: int, out: np.ndarray) -> None:
    """``out[start + ii] += sum_j c_out^3 - c_in^3`` over full rows, primitives in order."""
    for j in range(c_in.shape[0]):
        for ii in range(m):
            a = c_in[j, ii]
            b = c_out[j, ii]
            out[start + ii] += b * b * b - a * a * a


@_jit
def _kept(n_cand: np.ndarray, m: int) -> float:
    """Fraction of a block's (ray, primitive) pairs left by the box tests."""
    s = 0
    for j in range(n_cand.shape[0]):
        s += n_cand[j]
    return s / max(1, m * n_cand.shape[0])


@_jit
def _cull_workspace(codes, rot, trans, params):  # pragma: no cover - compiled
    """What :func:`solid_segments` and :func:`solid_cube_sum` share: the chord blocks
    ``c_in, c_out`` (k, BLOCK), the primitives' and the solid's boxes (``lo, hi, scale,
    usable, slo, shi``: :func:`_primitive_boxes`, :func:`_solid_box`) and the buffers of
    :func:`_cull_block` (``prep, flag, alive, cand, n_cand``)."""
    k = codes.shape[0]
    lo, hi, scale, usable = _primitive_boxes(codes, rot, trans, params)
    slo, shi = _solid_box(lo, hi)
    return (np.empty((k, BLOCK)), np.empty((k, BLOCK)), lo, hi, scale, usable, slo, shi, np.empty((10, BLOCK)),
            np.empty(BLOCK), np.empty(BLOCK, dtype=np.int64), np.empty((k, BLOCK), dtype=np.int64),
            np.empty(k, dtype=np.int64))


@_jit
def solid_segments(
    origins: np.ndarray,
    dirs: np.ndarray,
    codes: np.ndarray,
    rot: np.ndarray,
    trans: np.ndarray,
    params: np.ndarray,
    max_segments: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fused :func:`primitive_intervals` + :func:`merge_intervals` (no (n, k) temporaries).

    Same arguments and results (the same floats) as the two calls in sequence. For solids
    of :data:`_CULL_MIN_PRIMITIVES` or more primitives, exact chords are computed only
    where a ray meets the primitive's bounding box (:func:`_cull_block`); the chords
    skipped are empty, which the merge ignores.
    """
    n_seg, seg_in, seg_out, _ = _segments(origins, dirs, codes, rot, trans, params, max_segments, False)
    return n_seg, seg_in, seg_out


@_jit
def solid_segments_and_cube_sum(
    origins: np.ndarray,
    dirs: np.ndarray,
    codes: np.ndarray,
    rot: np.ndarray,
    trans: np.ndarray,
    params: np.ndarray,
    max_segments: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`solid_segments` and :func:`solid_cube_sum` of the same rays from one pass over
    the primitives' chords: ``(n_seg, seg_in, seg_out, cube)``, the same floats as the two
    calls (the cube sum adds the primitives' ``b^3 - a^3`` in primitive order, as
    :func:`solid_cube_sum` does)."""
    return _segments(origins, dirs, codes, rot, trans, params, max_segments, True)


@_jit_inline
def _segments(origins, dirs, codes, rot, trans, params, max_segments, with_cube):  # pragma: no cover - compiled
    n = dirs.shape[0]
    k = codes.shape[0]
    n_seg = np.zeros(n, dtype=np.int64)
    seg_in = np.zeros((n, max_segments))
    seg_out = np.zeros((n, max_segments))
    cube = np.zeros(n if with_cube else 0)
    row_in = np.empty(k)
    row_out = np.empty(k)
    buf_in = np.empty(k)
    buf_out = np.empty(k)
    c_in, c_out, lo, hi, scale, usable, slo, shi, prep, flag, alive, cand, n_cand = _cull_workspace(codes, rot, trans,
                                                                                                 params)
    hits = np.empty(BLOCK, dtype=np.int64)
    h_in = np.empty((BLOCK, k))
    h_out = np.empty((BLOCK, k))
    pause = 0 if k >= _CULL_MIN_PRIMITIVES else n
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        if pause > 0:  # every chord, full rows (primitive_intervals' blocks)
            pause -= 1
            _fill_block(origins, dirs, codes, rot, trans, params, start, m, c_in, c_out)
            if k == 1:  # one interval a ray: what _merge_row makes of it, without the sort
                for ii in range(m):
                    a = c_in[0, ii]
                    b = c_out[0, ii]
                    if b > a:
                        n_seg[start + ii] = 1
                        if max_segments > 0:
                            seg_in[start + ii, 0] = a
                            seg_out[start + ii, 0] = b
            else:
                _merge_block(c_in, c_out, start, m, row_in, row_out, buf_in, buf_out, n_seg, seg_in, seg_out)
            if with_cube:
                _cube_block(c_in, c_out, start, m, cube)
            continue
        _cull_block(origins, dirs, codes, lo, hi, slo, shi, scale, usable, start, m, True, prep, flag, alive, cand, n_cand)
        if _kept(n_cand, m) > _CULL_KEEP_MAX:
            pause = _CULL_PAUSE
        _candidate_chords(origins, dirs, codes, rot, trans, params, start, m, cand, n_cand, c_in, c_out)
        # each ray's non-empty chords in primitive order: what the merge keeps of a full row
        hits[:m] = 0
        for j in range(k):
            nc = n_cand[j]
            for q in range(nc):
                a = c_in[j, q]
                b = c_out[j, q]
                ii = q if nc == m else cand[j, q]
                if with_cube:
                    cube[start + ii] += b * b * b - a * a * a
                if b > a:
                    h = hits[ii]
                    h_in[ii, h] = a
                    h_out[ii, h] = b
                    hits[ii] = h + 1
        for ii in range(m):
            h = hits[ii]
            if h > 0:
                n_seg[start + ii] = _merge_row(h_in[ii, :h], h_out[ii, :h], buf_in, buf_out, seg_in, seg_out, start + ii)
    return n_seg, seg_in, seg_out, cube


@_jit
def solid_cube_sum(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray
) -> np.ndarray:
    """Fused :func:`primitive_intervals` + :func:`cube_sum` (no (n, k) temporaries), m^3.

    The same floats as the two calls in sequence: the sum runs over the primitives in
    order, and a chord skipped by the box tests (:func:`_cull_block`, solids of
    :data:`_CULL_MIN_PRIMITIVES` or more primitives) would add +0.0 to a sum of terms
    ``b^3 - a^3 >= +0.0``, which is never -0.0.
    """
    n = dirs.shape[0]
    k = codes.shape[0]
    out = np.zeros(n)
    c_in, c_out, lo, hi, scale, usable, slo, shi, prep, flag, alive, cand, n_cand = _cull_workspace(codes, rot, trans,
                                                                                                 params)
    pause = 0 if k >= _CULL_MIN_PRIMITIVES else n
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        if pause > 0:  # every chord, full rows
            pause -= 1
            _fill_block(origins, dirs, codes, rot, trans, params, start, m, c_in, c_out)
            _cube_block(c_in, c_out, start, m, out)
            continue
        _cull_block(origins, dirs, codes, lo, hi, slo, shi, scale, usable, start, m, True, prep, flag, alive, cand, n_cand)
        if _kept(n_cand, m) > _CULL_KEEP_MAX:
            pause = _CULL_PAUSE
        _candidate_chords(origins, dirs, codes, rot, trans, params, start, m, cand, n_cand, c_in, c_out)
        for j in range(k):
            nc = n_cand[j]
            if nc == m:  # every ray of the block, in order
                for ii in range(m):
                    a = c_in[j, ii]
                    b = c_out[j, ii]
                    out[start + ii] += b * b * b - a * a * a
            else:
                for q in range(nc):
                    a = c_in[j, q]
                    b = c_out[j, q]
                    out[start + cand[j, q]] += b * b * b - a * a * a
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


def _nb_min(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numba's ``min(a, b)`` elementwise, NaN included (``b if b < a else a``)."""
    return np.where(b < a, b, a)


def _nb_max(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numba's ``max(a, b)`` elementwise, NaN included (``b if b > a else a``)."""
    return np.where(b > a, b, a)


def _primitive_boxes_numpy(
    codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """Reference for :func:`_primitive_boxes` (vectorised numpy, same floats)."""
    codes = np.asarray(codes)
    rot = np.asarray(rot, dtype=np.float64).reshape(-1, 3, 3)
    trans = np.asarray(trans, dtype=np.float64).reshape(-1, 3)
    p = np.abs(np.asarray(params, dtype=np.float64).reshape(-1, 3))
    known = (codes >= 0) & (codes <= 2)
    ar = np.abs(rot)
    h_box = ar[:, :, 0] * p[:, None, 0] + ar[:, :, 1] * p[:, None, 1] + ar[:, :, 2] * p[:, None, 2]
    h_cyl = p[:, None, 0] * np.sqrt(rot[:, :, 0] * rot[:, :, 0] + rot[:, :, 1] * rot[:, :, 1]) + p[:, None, 1] * ar[:, :, 2]
    h_sph = np.repeat(p[:, None, 0], 3, axis=1)
    h = np.where((codes == BOX)[:, None], h_box, np.where((codes == CYLINDER)[:, None], h_cyl, h_sph))
    lo = np.where(known[:, None], trans - h, np.inf)
    hi = np.where(known[:, None], trans + h, -np.inf)
    g = np.einsum("kia,kib->kab", rot, rot) - np.eye(3)
    ortho = np.all(np.abs(g) <= _ORTHO_TOL, axis=(1, 2)) | (codes == SPHERE)
    usable = bool(np.all(ortho[known]) and np.all(np.isfinite(lo[known])) and np.all(np.isfinite(hi[known])))
    scale = float(np.max(np.abs(np.concatenate([lo[known], hi[known]])), initial=0.0))
    return lo, hi, scale, usable


def _ray_box_hit_numpy(a: np.ndarray, b: np.ndarray, inv: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Reference for :func:`_ray_box_hit`: rays (n, 3) ``a = o + g``, ``b = o - g``, ``inv = 1 / d``."""
    with np.errstate(invalid="ignore"):
        t_lo = (lo - a) * inv
        t_hi = (hi - b) * inv
    near = _nb_min(t_lo, t_hi)
    far = _nb_max(t_lo, t_hi)
    tmin = _nb_max(_nb_max(near[:, 0], near[:, 1]), _nb_max(near[:, 2], np.zeros(len(a))))
    tmax = _nb_min(_nb_min(far[:, 0], far[:, 1]), far[:, 2])
    return ~(tmin > tmax)


def _candidates_numpy(
    origins: np.ndarray, dirs: np.ndarray, codes: np.ndarray, rot: np.ndarray, trans: np.ndarray, params: np.ndarray
) -> np.ndarray:
    """Reference for :func:`_candidates` (bool (n, k), same floats and decisions)."""
    dirs = np.asarray(dirs, dtype=np.float64).reshape(-1, 3)
    o = np.broadcast_to(np.asarray(origins, dtype=np.float64).reshape(-1, 3), dirs.shape)
    lo, hi, scale, usable = _primitive_boxes_numpy(codes, rot, trans, params)
    known = (np.asarray(codes) >= 0) & (np.asarray(codes) <= 2)
    slo = np.min(lo, axis=0, initial=np.inf)
    shi = np.max(hi, axis=0, initial=-np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ao = np.abs(o)
        g = _CULL_MARGIN * (1.0 + _nb_max(_nb_max(ao[:, 0], ao[:, 1]), ao[:, 2]) + scale)
        inv = 1.0 / dirs
        a = o + g[:, None]
        b = o - g[:, None]
    free = ~(np.all(np.abs(o) < np.inf, axis=1) & np.all(np.abs(dirs) < np.inf, axis=1) & (g < np.inf)) | (not usable)
    alive = free | _ray_box_hit_numpy(a, b, inv, slo, shi)
    out = np.zeros((len(dirs), len(known)), dtype=bool)
    for j in np.flatnonzero(known):
        out[:, j] = alive & (free | (len(known) == 1) | _ray_box_hit_numpy(a, b, inv, lo[j], hi[j]))
    return out

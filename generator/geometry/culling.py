"""Bounding-box culling for the solid chord kernels (:mod:`.chords`): the (ray, primitive)
pairs whose exact chord is needed.

The fused kernels :func:`~fipgen.geometry.chords.solid_segments` and
:func:`~fipgen.geometry.chords.solid_cube_sum` test each ray against the solid's
axis-aligned bounding box (a ray missing it skips every primitive), then against each
primitive's, and compute exact chords (:mod:`.primitive_chords`) only where the ray meets
the box (DUNE ND-LAr: ~5 of 35 modules per ray). The boxes are grown by a margin far
above round-off (:data:`_CULL_MARGIN`), so a chord skipped is an empty one, and the
results are the same floats, in the same order, as without the tests. Solids of fewer
than :data:`_CULL_MIN_PRIMITIVES` primitives skip the tests, and a block whose rays cross
most primitives turns them off for the next blocks (:data:`_CULL_KEEP_MAX`, :data:`_CULL_PAUSE`).

Everything here is private, the fused kernels' building blocks; :func:`_primitive_boxes`
and :func:`_candidates` have plain-numpy references (suffix ``_numpy``) used by the tests.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .primitive_chords import (
    BLOCK,
    BOX,
    CYLINDER,
    SPHERE,
    _box_block,
    _box_chord,
    _cylinder_block,
    _cylinder_chord,
    _rot9,
    _sphere_block,
    _sphere_chord,
)

__all__: list[str] = []

_jit = numba.njit(**JIT_OPTIONS)


# --------------------------------------------------------------------------- kernels


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


# ------------------------------------------------------------- numpy references


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

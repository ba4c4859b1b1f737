"""Chords of rays through a whole solid: the fused numba kernels.

:func:`solid_segments` (the merged chords), :func:`solid_cube_sum` (``sum_j t_out^3 -
t_in^3`` over the primitives) and :func:`solid_segments_and_cube_sum` (both, from one pass
over the primitives' chords) give the same floats as :func:`primitive_intervals` followed
by :func:`merge_intervals` or :func:`cube_sum`, without the (n, k) temporaries. A solid is
the arrays ``codes, rot, trans, params`` described in :mod:`.primitive_chords`; the rays
go by blocks of :data:`BLOCK`.

They are built from two modules: :mod:`.primitive_chords` (the chord of a ray through one
box, cylinder or sphere, and the merge of a ray's intervals) and :mod:`.culling` (the
bounding-box tests that skip the primitives a ray misses; the same floats). Three modules,
not two, because the culling computes its candidates' chords with the primitive kernels
and the fused kernels call both: ``primitive_chords`` <- ``culling`` <- ``chords``, no
import cycle.

The names the rest of fipgen and the tests take from here stay importable from here: the
primitive kernels, their constants and numpy references (``__all__``), and the culling's
``_primitive_boxes``, ``_candidates`` and their references (tests/test_chords.py).
"""

from __future__ import annotations

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .culling import (
    _CULL_KEEP_MAX,
    _CULL_MIN_PRIMITIVES,
    _CULL_PAUSE,
    _candidate_chords,
    _cull_block,
    _cull_workspace,
    _kept,
)
from .culling import _candidates, _candidates_numpy  # noqa: F401 - read as chords._candidates* (tests)
from .culling import _primitive_boxes, _primitive_boxes_numpy  # noqa: F401 - read as chords._primitive_boxes* (tests)
from .primitive_chords import (
    BLOCK,
    BOX,
    CYLINDER,
    MERGE_GAP,
    SPHERE,
    _fill_block,
    _merge_row,
    cube_sum,
    cube_sum_numpy,
    merge_intervals,
    merge_intervals_numpy,
    primitive_intervals,
    primitive_intervals_numpy,
)

__all__ = [
    # re-exported from .primitive_chords (its __all__)
    "BOX", "CYLINDER", "SPHERE", "MERGE_GAP", "primitive_intervals", "primitive_intervals_numpy", "merge_intervals",
    "merge_intervals_numpy", "cube_sum", "cube_sum_numpy",
    # the fused kernels
    "solid_segments", "solid_cube_sum", "solid_segments_and_cube_sum",
]

_jit = numba.njit(**JIT_OPTIONS)
#: the fused kernels' shared body and block helpers, inlined in numba's IR into their callers
_jit_inline = numba.njit(inline="always", **JIT_OPTIONS)


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

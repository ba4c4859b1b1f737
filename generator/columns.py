"""A chunk's event columns, written in place block by block: generation's last step.

:func:`fipgen.generation.generate_block` keeps a block's trials of non-zero weight and writes
their columns into a :class:`ChunkColumns`; the blocks of a chunk write one after the other
into the same buffers, so each written value is copied once, from the block's own arrays to
its place in the chunk (no per-block column arrays, no concatenation). The scalar columns are
the rows of one float64 and one int32 matrix (each a contiguous 1-d array); each collection
(daughters, siblings, segments) has its own matrices, grown when a block needs more room.

The kernels gather kept rows straight from the block's (n, k) arrays and flatten the jagged
collections (rows padded with PDG code 0) with their counts in one pass; each has a numpy
reference (``*_numpy``) the tests compare it with.
"""

from __future__ import annotations

import numba
import numpy as np

from ._jit import JIT_OPTIONS
from .events import COLLECTIONS, SCALARS, EventBatch

__all__ = ["ChunkColumns", "put_rows", "flatten_padded_numpy"]

_FLOAT = np.dtype("f8")


class ChunkColumns:
    """The columns of up to ``capacity`` events, filled block by block.

    A block opens its rows with :meth:`open` (``nk`` events), writes every column of
    :data:`fipgen.events.SCALARS` (and the alternative weights ``weight_<name>`` of
    ``alt_names``) and its collections, then :meth:`close` adds them; :meth:`batch` gives the
    events so far as an :class:`~fipgen.events.EventBatch` whose columns are views of the
    buffers (no copy)."""

    def __init__(self, capacity: int, alt_names=()) -> None:
        self.capacity = max(int(capacity), 1)
        names = list(SCALARS) + [f"weight_{a}" for a in alt_names]
        dtypes = {k: np.dtype(SCALARS[k][0]) if k in SCALARS else _FLOAT for k in names}
        f_names = [k for k in names if dtypes[k] == _FLOAT]
        i_names = [k for k in names if dtypes[k] != _FLOAT]
        if any(dtypes[k] != np.dtype("i4") for k in i_names):  # pragma: no cover - SCALARS' own types
            raise TypeError("scalar columns are float64 or int32")
        self._f = np.empty((len(f_names), self.capacity))
        self._i = np.empty((len(i_names), self.capacity), dtype=np.int32)
        self._row = {k: (self._f, r) for r, k in enumerate(f_names)}
        self._row.update({k: (self._i, r) for r, k in enumerate(i_names)})
        self._names = names
        self._counts = {c: np.zeros(self.capacity, dtype=np.int64) for c in COLLECTIONS}
        # collections: field -> row of their float / int matrix (allocated on first use)
        self._flat = {c: _Flat(fields) for c, (_, fields) in COLLECTIONS.items()}
        self.n = 0
        self._lo = self._hi = 0

    # --- a block's rows -----------------------------------------------------------------
    def open(self, nk: int) -> None:
        """Start a block of ``nk`` events (rows ``n`` to ``n + nk``)."""
        if self.n + nk > self.capacity:
            raise ValueError(f"{self.n + nk} events do not fit in {self.capacity}")
        self._lo, self._hi = self.n, self.n + nk

    def close(self) -> None:
        """The open block's events are written: add them."""
        self.n = self._hi

    def column(self, name: str) -> np.ndarray:
        """The open block's rows of scalar column ``name`` (a writable view)."""
        m, r = self._row[name]
        return m[r, self._lo:self._hi]

    def take(self, name: str, source, kept: np.ndarray) -> None:
        """Column ``name`` = ``source[kept]`` (``source`` (n,), any strides; cast to the column's type)."""
        col = self.column(name)
        source = np.asarray(source)
        if source.dtype != col.dtype:
            source = source.astype(col.dtype)
        np.take(source, kept, out=col, mode="clip")

    def fill(self, name: str, value) -> None:
        """Column ``name`` = ``value`` for every event of the block."""
        self.column(name)[:] = value

    def take_rows(self, names, source: np.ndarray, kept: np.ndarray) -> None:
        """Columns ``names[j]`` = ``source[kept, j]`` (``source`` (n, k) float64, ``k`` names;
        a name None skips its column)."""
        rows = np.array([-1 if k is None else self._row[k][1] for k in names], dtype=np.int64)
        _gather_rows(np.asarray(source, dtype=np.float64), kept, self._f, rows, self._lo)

    def take_points(self, names, local_names, points: np.ndarray, kept: np.ndarray, frame) -> None:
        """Columns ``names`` = ``points[kept]`` (n, 3) and ``local_names`` = the same points in
        the frame of ``frame`` (:class:`fipgen.geometry.frames.Placement`: ``R.T (x - t)``)."""
        rows = np.array([self._row[k][1] for k in (*names, *local_names)], dtype=np.int64)
        _gather_points(np.asarray(points, dtype=np.float64), kept, frame.offset, frame.matrix, self._f, rows,
                       self._lo)

    def flatten(self, collection: str, kept: np.ndarray, pdg: np.ndarray, p4: np.ndarray, *, frame=None,
                generation=None) -> None:
        """Collection ``collection`` (daughters or siblings) of the kept rows of ``pdg`` (n, k)
        and ``p4`` (n, k, 4), rows padded at the end with PDG code 0, with its counts;
        ``frame``: also the momenta rotated into its frame (``det_px``...; ``R.T p``),
        ``generation`` (n, k) int32: that field (siblings)."""
        n, k = pdg.shape
        flat = self._flat[collection]
        need = kept.size * k
        start = flat.reserve(need, self.capacity * k)
        rot = frame.matrix if frame is not None else np.eye(3)
        gen = np.ascontiguousarray(generation, dtype=np.int32) if generation is not None else pdg
        f_rows = flat.rows(("px", "py", "pz", "e", *(("det_px", "det_py", "det_pz") if frame is not None else ())))
        i_rows = flat.int_rows(("pdg", *(("generation",) if generation is not None else ())))
        written = _flatten_padded(kept, np.ascontiguousarray(pdg, dtype=np.int32),
                                  np.ascontiguousarray(p4, dtype=np.float64), gen, rot, flat.f, f_rows, flat.i, i_rows,
                                  start, self._counts[collection][self._lo:self._hi])
        flat.n = start + written

    def segments(self, kept: np.ndarray, n_seg: np.ndarray, seg_in: np.ndarray, seg_out: np.ndarray) -> None:
        """The chord segments (entry, exit) of the kept rows, ``n_seg`` of each (n,)."""
        flat = self._flat["segment"]
        counts = self._counts["segment"][self._lo:self._hi]
        np.take(n_seg, kept, out=counts, mode="clip")
        start = flat.reserve(int(counts.sum()), self.capacity)
        flat.n = start + _flatten_segments(kept, n_seg, seg_in, seg_out, flat.f, flat.rows(("entry", "exit")), start)

    def no_collection(self, collection: str) -> None:
        """The block's events have none of ``collection`` (count 0)."""
        self._counts[collection][self._lo:self._hi] = 0

    # --- the result -----------------------------------------------------------------------
    def batch(self) -> EventBatch:
        """The events written so far (columns are views of the buffers)."""
        n = self.n
        scalars = {k: self._row[k][0][self._row[k][1], :n] for k in self._names}
        counts = {c: self._counts[c][:n] for c in COLLECTIONS}
        flat = {c: self._flat[c].columns() for c in COLLECTIONS}
        return EventBatch(scalars, counts, flat)


class _Flat:
    """A collection's fields as rows of a float64 and an int32 matrix, grown on demand."""

    def __init__(self, fields) -> None:
        self.f_names = [f for f, (d, _) in fields.items() if np.dtype(d) == _FLOAT]
        self.i_names = [f for f, (d, _) in fields.items() if np.dtype(d) != _FLOAT]
        self.f = np.empty((len(self.f_names), 0))
        self.i = np.empty((len(self.i_names), 0), dtype=np.int32)
        self.n = 0

    def reserve(self, more: int, hint: int = 0) -> int:
        """Room for ``more`` entries after the ``n`` written (at least ``hint`` in all); returns ``n``."""
        need = self.n + more
        if need > self.f.shape[1]:
            cap = max(need, 2 * self.f.shape[1], hint)
            f, i = np.empty((self.f.shape[0], cap)), np.empty((self.i.shape[0], cap), dtype=np.int32)
            f[:, :self.n], i[:, :self.n] = self.f[:, :self.n], self.i[:, :self.n]
            self.f, self.i = f, i
        return self.n

    def rows(self, names) -> np.ndarray:
        return np.array([self.f_names.index(k) for k in names], dtype=np.int64)

    def int_rows(self, names) -> np.ndarray:
        return np.array([self.i_names.index(k) for k in names], dtype=np.int64)

    def columns(self) -> dict:
        out = {k: self.f[r, :self.n] for r, k in enumerate(self.f_names)}
        out.update({k: self.i[r, :self.n] for r, k in enumerate(self.i_names)})
        return out


# --- kernels (numpy references below) ----------------------------------------------------

@numba.njit(**JIT_OPTIONS)
def _gather_rows(source, kept, out, rows, lo):  # pragma: no cover - compiled
    """``out[rows[j], lo + r] = source[kept[r], j]`` for the columns ``j`` with ``rows[j] >= 0``."""
    for j in range(rows.size):
        row = rows[j]
        if row < 0:
            continue
        for r in range(kept.size):
            out[row, lo + r] = source[kept[r], j]


@numba.njit(**JIT_OPTIONS)
def _gather_points(points, kept, t, R, out, rows, lo):  # pragma: no cover - compiled
    """Rows ``rows[0:3]`` of ``out`` = ``points[kept]``, rows ``rows[3:6]`` = ``R.T (x - t)``.
    (The row numbers and ``R`` are read into locals once: the compiler cannot keep them in
    registers across the stores into ``out``, which it must assume may alias them.)"""
    r0, r1, r2, r3, r4, r5 = rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]
    t0, t1, t2 = t[0], t[1], t[2]
    R00, R01, R02 = R[0, 0], R[0, 1], R[0, 2]
    R10, R11, R12 = R[1, 0], R[1, 1], R[1, 2]
    R20, R21, R22 = R[2, 0], R[2, 1], R[2, 2]
    for r in range(kept.size):
        i = kept[r]
        x, y, z = points[i, 0], points[i, 1], points[i, 2]
        out[r0, lo + r] = x
        out[r1, lo + r] = y
        out[r2, lo + r] = z
        dx, dy, dz = x - t0, y - t1, z - t2
        out[r3, lo + r] = dx * R00 + dy * R10 + dz * R20
        out[r4, lo + r] = dx * R01 + dy * R11 + dz * R21
        out[r5, lo + r] = dx * R02 + dy * R12 + dz * R22


@numba.njit(**JIT_OPTIONS)
def _flatten_padded(kept, pdg, p4, gen, R, f_out, f_rows, i_out, i_rows, start, counts):  # pragma: no cover
    """The entries of the kept rows with ``pdg != 0``, in order: px, py, pz, e into ``f_rows[0:4]``,
    ``R.T p`` into ``f_rows[4:7]`` if there are 7 rows; pdg into ``i_rows[0]``, ``gen`` into
    ``i_rows[1]`` if there are 2. ``counts[r]``: the entries of kept row ``r``. Returns the
    number written from ``start``. (Rows and ``R`` read into locals once, as in
    :func:`_gather_points`: 17 -> 7 ns an entry.)"""
    m = start
    rotate = f_rows.size == 7
    tag = i_rows.size == 2
    r0, r1, r2, r3 = f_rows[0], f_rows[1], f_rows[2], f_rows[3]
    r4 = f_rows[4] if rotate else 0
    r5 = f_rows[5] if rotate else 0
    r6 = f_rows[6] if rotate else 0
    q0 = i_rows[0]
    q1 = i_rows[1] if tag else 0
    R00, R01, R02 = R[0, 0], R[0, 1], R[0, 2]
    R10, R11, R12 = R[1, 0], R[1, 1], R[1, 2]
    R20, R21, R22 = R[2, 0], R[2, 1], R[2, 2]
    width = pdg.shape[1]
    for r in range(kept.size):
        i = kept[r]
        c = 0
        for a in range(width):
            code = pdg[i, a]
            if code == 0:
                continue
            px, py, pz = p4[i, a, 0], p4[i, a, 1], p4[i, a, 2]
            f_out[r0, m] = px
            f_out[r1, m] = py
            f_out[r2, m] = pz
            f_out[r3, m] = p4[i, a, 3]
            if rotate:
                f_out[r4, m] = px * R00 + py * R10 + pz * R20
                f_out[r5, m] = px * R01 + py * R11 + pz * R21
                f_out[r6, m] = px * R02 + py * R12 + pz * R22
            i_out[q0, m] = code
            if tag:
                i_out[q1, m] = gen[i, a]
            m += 1
            c += 1
        counts[r] = c
    return m - start


@numba.njit(**JIT_OPTIONS)
def _flatten_segments(kept, n_seg, seg_in, seg_out, f_out, f_rows, start):  # pragma: no cover - compiled
    """The first ``n_seg[i]`` (entry, exit) pairs of each kept row ``i``, in order; returns the
    number written from ``start``."""
    m = start
    r0, r1 = f_rows[0], f_rows[1]
    for r in range(kept.size):
        i = kept[r]
        for s in range(n_seg[i]):
            f_out[r0, m] = seg_in[i, s]
            f_out[r1, m] = seg_out[i, s]
            m += 1
    return m - start


def flatten_padded_numpy(kept, pdg, p4, frame=None):
    """Plain-numpy reference of :meth:`ChunkColumns.flatten` (without ``generation``):
    ``(counts, pdg, p4 (m, 4), det (m, 3) or None)`` of the kept rows' entries with pdg != 0."""
    present = pdg[kept] != 0
    flat4 = p4[kept][present]
    det = frame.vectors_to_local(flat4[:, :3]) if frame is not None else None
    return present.sum(axis=1), pdg[kept][present], flat4, det


def put_rows(dst: np.ndarray, idx, src: np.ndarray) -> None:
    """``dst[idx, :k] = src``: a block's array filled channel by channel. ``dst`` (n, ...) and
    ``src`` (m, ...) of one dtype and rank; ``src``'s second axis may be shorter (``(m, k, 4)``
    into ``(n, kmax, 4)``), the others equal; ``idx`` (m,) row indices, or a slice."""
    if isinstance(idx, slice) or not dst.flags.c_contiguous or src.dtype != dst.dtype:
        if src.ndim > 1:
            dst[idx, :src.shape[1]] = src
        else:
            dst[idx] = src
        return
    if src.shape[0]:
        _put_rows(dst.reshape(dst.shape[0], -1), np.asarray(idx, dtype=np.int64),
                  np.ascontiguousarray(src).reshape(src.shape[0], -1))


@numba.njit(**JIT_OPTIONS)
def _put_rows(dst, idx, src):  # pragma: no cover - compiled
    """``dst[idx[r], :w] = src[r]``, ``w = src.shape[1]``."""
    w = src.shape[1]
    for r in range(idx.size):
        i = idx[r]
        for c in range(w):
            dst[i, c] = src[r, c]

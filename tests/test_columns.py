"""fipgen.columns: a chunk's columns written block by block, against numpy's own indexing."""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.columns import ChunkColumns, flatten_padded_numpy, put_rows
from fipgen.events import COLLECTIONS, SCALARS, EventBatch
from fipgen.geometry.frames import Placement


def _frame():
    """A detector placement off the beam axis, turned by 17 degrees about a skew axis."""
    return Placement.from_spec([1.5, -2.0, 40.0], {"axis": [0.3, 1.0, 0.2], "angle": np.radians(17.0)})


def _padded(rng, n, k):
    """(pdg (n, k), p4 (n, k, 4)): each row's first 0..k entries non-zero, then pdg 0 pads."""
    filled = rng.integers(0, k + 1, n)
    pdg = np.where(np.arange(k)[None, :] < filled[:, None], rng.choice([11, -11, 22, 211], (n, k)), 0)
    return pdg.astype(np.int32), rng.normal(size=(n, k, 4))


def _block(out, rng, n, k, frame):
    keep = rng.random(n) < 0.7
    kept = np.flatnonzero(keep)
    pdg, p4 = _padded(rng, n, k)
    gen = rng.integers(0, 2, (n, k)).astype(np.int32)
    src = {name: rng.normal(size=n) if d == "f8" else rng.integers(-5, 5, n).astype(np.int32)
           for name, (d, _) in SCALARS.items()}
    n_seg = rng.integers(0, 4, n)
    seg_in, seg_out = rng.random((n, 3)), rng.random((n, 3)) + 1
    out.open(kept.size)
    for name, a in src.items():
        out.take(name, a, kept)
    out.flatten("daughter", kept, pdg, p4, frame=frame)
    out.flatten("sibling", kept, pdg[:, :1], p4[:, :1], generation=gen[:, :1])
    out.segments(kept, n_seg, seg_in, seg_out)
    out.close()
    # the same block by numpy's boolean indexing
    counts, dpdg, d4, det = flatten_padded_numpy(kept, pdg, p4, frame)
    scounts, spdg, s4, _ = flatten_padded_numpy(kept, pdg[:, :1], p4[:, :1])
    smask = (pdg[:, :1] != 0) & keep[:, None]
    smask_seg = (np.arange(3)[None, :] < n_seg[:, None]) & keep[:, None]
    return EventBatch(
        {name: a[keep] for name, a in src.items()},
        {"daughter": counts, "sibling": scounts, "segment": n_seg[keep]},
        {"daughter": {"pdg": dpdg, "px": d4[:, 0], "py": d4[:, 1], "pz": d4[:, 2], "e": d4[:, 3],
                      "det_px": det[:, 0], "det_py": det[:, 1], "det_pz": det[:, 2]},
         "sibling": {"pdg": spdg, "px": s4[:, 0], "py": s4[:, 1], "pz": s4[:, 2], "e": s4[:, 3],
                     "generation": gen[:, :1][smask]},
         "segment": {"entry": seg_in[smask_seg], "exit": seg_out[smask_seg]}})


def _assert_same(a: EventBatch, b: EventBatch, rtol=0.0):
    assert len(a) == len(b)
    assert set(a.scalars) == set(b.scalars)
    for k in a.scalars:
        assert a.scalars[k].dtype == b.scalars[k].dtype
        np.testing.assert_array_equal(a.scalars[k], b.scalars[k], err_msg=k)
    for c, (_, fields) in COLLECTIONS.items():
        np.testing.assert_array_equal(a.counts[c], b.counts[c], err_msg=c)
        for f in fields:
            if rtol and f.startswith("det_"):
                np.testing.assert_allclose(a.flat[c][f], b.flat[c][f], rtol=rtol, atol=1e-14, err_msg=f"{c}.{f}")
            else:
                np.testing.assert_array_equal(a.flat[c][f], b.flat[c][f], err_msg=f"{c}.{f}")


def test_blocks_written_in_place_equal_numpy_selection_and_concatenation():
    """Three blocks into one ChunkColumns (the daughters' room grown from a small hint) give
    the numpy selection of each block, concatenated; the rotated momenta to rounding."""
    rng = np.random.default_rng(5)
    frame = _frame()
    out = ChunkColumns(3 * 500)
    want = [_block(out, rng, 500, k, frame) for k in (2, 5, 3)]  # a wider block later: the room grows
    _assert_same(out.batch(), EventBatch.concatenate(want), rtol=1e-14)


def test_rotated_momenta_are_the_frames_rotation():
    rng = np.random.default_rng(2)
    frame = _frame()
    pdg, p4 = _padded(rng, 200, 3)
    out = ChunkColumns(200)
    out.open(200)
    for name in SCALARS:
        out.fill(name, 0)
    out.flatten("daughter", np.arange(200), pdg, p4, frame=frame)
    out.no_collection("sibling")
    out.segments(np.arange(200), np.zeros(200, dtype=np.int64), np.zeros((200, 1)), np.zeros((200, 1)))
    out.close()
    b = out.batch()
    v = np.column_stack([b.flat["daughter"][f] for f in ("px", "py", "pz")])
    d = np.column_stack([b.flat["daughter"][f] for f in ("det_px", "det_py", "det_pz")])
    np.testing.assert_allclose(d, v @ frame.matrix, rtol=1e-13, atol=1e-15)
    # a rotation keeps lengths
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), np.linalg.norm(v, axis=1), rtol=1e-13)


def test_points_and_their_local_frame():
    rng = np.random.default_rng(3)
    frame = _frame()
    pts = rng.normal(size=(300, 3)) * 10
    kept = np.flatnonzero(rng.random(300) < 0.5)
    out = ChunkColumns(300)
    out.open(kept.size)
    out.take_points(("decay_x", "decay_y", "decay_z"), ("decay_det_x", "decay_det_y", "decay_det_z"), pts, kept,
                    frame)
    got = np.column_stack([out.column(f"decay_{c}") for c in "xyz"])
    loc = np.column_stack([out.column(f"decay_det_{c}") for c in "xyz"])
    np.testing.assert_array_equal(got, pts[kept])
    np.testing.assert_allclose(loc, frame.to_local(pts[kept]), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(frame.to_parent(loc), pts[kept], rtol=1e-12, atol=1e-12)


def test_take_casts_to_the_columns_type():
    out = ChunkColumns(3)
    out.open(2)
    out.take("weight", np.array([1.5, 2.5, 3.5], dtype=np.float32), np.array([2, 0]))
    out.take("channel", np.array([7, 8, 9], dtype=np.int64), np.array([1, 2]))
    assert out.column("weight").tolist() == [3.5, 1.5] and out.column("channel").tolist() == [8, 9]


def test_take_rows_skips_none_and_refuses_overflow():
    out = ChunkColumns(4)
    src = np.arange(20.0).reshape(5, 4)
    out.open(3)
    out.fill("llp_e", -1.0)
    out.take_rows(("llp_px", None, "llp_pz", "llp_e"), src, np.array([4, 0, 2]))
    np.testing.assert_array_equal(out.column("llp_px"), [16.0, 0.0, 8.0])
    np.testing.assert_array_equal(out.column("llp_e"), [19.0, 3.0, 11.0])
    out.close()
    with pytest.raises(ValueError, match="do not fit"):
        out.open(2)


@pytest.mark.parametrize("shape, k", [((50,), None), ((50, 3), None), ((50, 4, 4), 2), ((50, 3), 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.int32])
def test_put_rows_is_numpy_assignment(shape, k, dtype):
    rng = np.random.default_rng(1)
    dst = np.zeros(shape, dtype=dtype)
    want = dst.copy()
    idx = rng.choice(shape[0], 20, replace=False)
    sshape = (20, *shape[1:]) if k is None else (20, k, *shape[2:])
    src = (rng.normal(size=sshape) * 100).astype(dtype)
    put_rows(dst, idx, src)
    if k is None:
        want[idx] = src
    else:
        want[idx, :k] = src
    np.testing.assert_array_equal(dst, want)
    put_rows(dst, slice(0, 20), src)  # a slice: numpy's own assignment
    if k is None:
        want[0:20] = src
    else:
        want[0:20, :k] = src
    np.testing.assert_array_equal(dst, want)


def test_chunks_equal_their_blocks():
    """iter_chunks (blocks written into one ChunkColumns per chunk) gives exactly the
    concatenation of generate_block's batches (each in its own)."""
    from fipgen.card import default_card_name, load_packaged_card
    from fipgen.generation import blocks_of, generate_block, iter_chunks
    from fipgen.pipeline import build_job

    job = build_job(load_packaged_card(default_card_name()).replace(events=40_000))
    chunks = list(iter_chunks(job, chunk_size=40_000))
    assert len(chunks) == 1
    parts = [generate_block(job, b, n) for b, n in blocks_of(40_000)]
    _assert_same(chunks[0][0], EventBatch.concatenate([p[0] for p in parts]))
    assert chunks[0][1]["sum_weights"] == pytest.approx(sum(p[1]["sum_weights"] for p in parts), rel=1e-14)
    assert len(chunks[0][0]) > 30_000

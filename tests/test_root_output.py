"""ROOT output: reads back with uproot, flat branch names, run record, atomic writes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import uproot

from fipgen.errors import OutputError
from fipgen.events import COLLECTIONS, SCALARS
from fipgen.io.root import read_run
from fipgen.pipeline import build_job, run

from test_pipeline import make_card


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("root") / "events.root"
    job = build_job(make_card(events=30000))
    summary = run(job, str(out))
    return job, summary, out


def test_reads_back_with_flat_names(written):
    job, summary, out = written
    with uproot.open(out) as f:
        assert {k.split(";")[0] for k in f.keys()} == {"events", "run"}  # (card and metadata: run branches)
        tree = f["events"]
        names = set(tree.keys())
        assert not any("." in n or "/" in n for n in names)
        assert set(SCALARS) <= names
        for c, (counter, fields) in COLLECTIONS.items():
            assert counter in names
            for fld in fields:
                assert f"{c}_{fld}" in names
        assert tree.num_entries == summary.n_events
        ev = tree.arrays(["weight", "n_daughters", "daughter_pdg", "weight_decay"])
        assert np.all(ev["n_daughters"] == 2)
        np.testing.assert_allclose(float(np.sum(ev["weight"])), summary.sum_weights, rtol=1e-12)
        assert tree["weight"].interpretation.from_dtype == np.dtype(">f8")


def test_run_record(written):
    job, summary, out = written
    with uproot.open(out) as f:
        r = f["run"].arrays(library="np")
        assert r["pot"][0] == job.pot == 1e20
        assert r["n_trials"][0] == 30000
        assert r["n_events"][0] == summary.n_events
        np.testing.assert_allclose(r["sum_weights"][0], summary.sum_weights, rtol=1e-12)
        assert r["seed"][0] == 3
        assert r["run_card"].size == 1 and "dark-photon" in str(r["run_card"][0])
        meta = json.loads(str(r["run_metadata"][0]))
        _, cards, metas = read_run(f)
        assert cards == [str(r["run_card"][0])] and metas == [meta]
        assert meta["units"]["length"] == "m" and meta["units"]["time"] == "ns"
        assert meta["detector"]["name"] == "sbnd" and meta["beamline"]["name"] == "bnb"
        assert set(meta["channels"]) == {"zprime:pi0", "zprime:eta"}
        assert meta["version"]


def test_refuses_to_overwrite(written, tmp_path):
    job, _, out = written
    before = out.stat().st_mtime_ns
    with pytest.raises(OutputError, match="--overwrite"):
        run(job, str(out))
    assert out.stat().st_mtime_ns == before


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    import fipgen.generation as pl

    job = build_job(make_card(events=40000))
    real = pl._generate  # a block written into its chunk's columns (iter_chunks)
    calls = {"n": 0}

    def failing(job, block, n, out):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(job, block, n, out)

    monkeypatch.setattr(pl, "_generate", failing)
    out = tmp_path / "x.root"
    with pytest.raises(KeyboardInterrupt):
        run(job, str(out))
    assert list(tmp_path.iterdir()) == []


def test_output_has_umask_permissions(written):
    import os

    _, _, out = written
    umask = os.umask(0)
    os.umask(umask)
    assert (out.stat().st_mode & 0o777) == (0o666 & ~umask)


# --- branch titles: each TBranch's title is its description with unit (fipgen.io.root.set_branch_titles)

_LEAF_LIST = r"\w+(\[\w+\])*/[A-Za-z]"  # uproot's own TBranch title, e.g. "weight/D"
_BRANCH_FIELDS = ("fName", "fCompress", "fBasketSize", "fEntryOffsetLen", "fWriteBasket", "fEntryNumber", "fOffset",
                  "fMaxBaskets", "fSplitLevel", "fEntries", "fFirstEntry", "fTotBytes", "fZipBytes")
_LEAF_FIELDS = ("fName", "fTitle", "fLen", "fLenType", "fOffset", "fIsRange", "fIsUnsigned")


def _synthetic_batch(rng, n, extra=("weight_bb",)):
    from fipgen.events import EventBatch

    def col(d, size):
        return (rng.integers(-400, 400, size) if d == "i4" else rng.normal(size=size)).astype(d)

    scal = {k: col(d, n) for k, (d, _) in SCALARS.items()}
    scal.update({e: rng.random(n) for e in extra})
    counts = {c: rng.integers(0, 4, n) for c in COLLECTIONS}
    flat = {c: {f: col(d, int(counts[c].sum())) for f, (d, _) in fields.items()}
            for c, (_, fields) in COLLECTIONS.items()}
    return EventBatch(scal, counts, flat)


def _write_synthetic(path, n_batches, monkeypatch=None):
    """A file of RootWriter from synthetic batches (with an alternative weight and every run
    column fipgen writes); returns the batches."""
    from fipgen.io.root import RootWriter

    rng = np.random.default_rng(7)
    batches = [_synthetic_batch(rng, 50 + i) for i in range(n_batches)]
    run_record = {"pot": np.float64(1e20), "n_trials": np.int64(9), "n_events": np.int64(sum(map(len, batches))),
                  "sum_weights": np.float64(1.5), "sum_weights2": np.float64(2.5), "seed": np.int64(3),
                  "sum_weights_bb": np.float64(1.25), "pot_generated": np.float64(2e20), "w_ref": np.float64(0.5)}
    with RootWriter(path, extra_scalars=("weight_bb",)) as w:
        for b in batches:
            w.write(b)
        w.finish(run_record, "card text", {"weight_columns": ["weight", "weight_bb"], "pot": 1e20})
    return batches


def _check_titles(f, extra=()):
    """Every branch of both trees titled with its description; the leaves as uproot makes them."""
    import re

    from fipgen.io.root import COUNTER_TITLES, event_branch_titles, run_branch_title

    ev = f["events"]
    expected = {k: doc for k, (_, doc) in SCALARS.items()}
    for c, (counter, fields) in COLLECTIONS.items():
        expected[counter] = COUNTER_TITLES[c]
        expected.update({f"{c}_{fld}": doc for fld, (_, doc) in fields.items()})
    expected.update({e: f"event weight under the variation {e[7:]}, expected events at the run's POT" for e in extra})
    assert set(ev.keys()) == set(expected)
    assert expected == event_branch_titles(tuple(extra))
    assert ev["prod_z"].title == "production vertex z, m, beam frame"
    assert ev["n_daughters"].title == "number of daughters of the LLP (entries of the daughter_* branches)"
    counters = {f"{c}_{fld}": counter for c, (counter, fields) in COLLECTIONS.items() for fld in fields}
    for name in ev.keys():
        b = ev[name]
        assert b.title == expected[name], name
        assert not re.fullmatch(_LEAF_LIST, b.title), name
        (leaf,) = b.member("fLeaves")
        assert leaf.member("fName") == name
        if name in counters:
            assert leaf.member("fTitle") == f"{name}[{counters[name]}]"
            assert leaf.member("fLeafCount").member("fName") == counters[name]
        else:
            assert leaf.member("fTitle") == name and leaf.member("fLeafCount") is None
    run_tree = f["run"]
    for name in run_tree.keys():
        assert run_tree[name].title == run_branch_title(name) is not None, name
        assert not re.fullmatch(_LEAF_LIST, run_tree[name].title), name
    assert run_tree["pot"].title.startswith("protons on target")


def test_branch_titles_are_the_descriptions(written):
    _, _, out = written
    with uproot.open(out) as f:
        _check_titles(f)


def test_titles_in_every_writer_path_and_the_data_round_trips(tmp_path):
    """Alternative weights, the run columns of merged and unweighted files, more baskets than
    uproot's first basket arrays hold (its metadata rewritten): titles kept, data exact."""
    from fipgen.io.merge import merge_files

    out = tmp_path / "s.root"
    batches = _write_synthetic(out, 12)  # uproot's basket arrays start at 10: rewritten once
    with uproot.open(out) as f:
        assert f["events"]["weight"].member("fMaxBaskets") > 10
        _check_titles(f, extra=("weight_bb",))
        ev = f["events"].arrays(library="np")
    for k in [*SCALARS, "weight_bb"]:
        np.testing.assert_array_equal(ev[k], np.concatenate([b.scalars[k] for b in batches]), err_msg=k)
    for c, (counter, fields) in COLLECTIONS.items():
        np.testing.assert_array_equal(ev[counter], np.concatenate([b.counts[c] for b in batches]))
        for fld in fields:
            np.testing.assert_array_equal(np.concatenate(ev[f"{c}_{fld}"]),
                                          np.concatenate([b.flat[c][fld] for b in batches]), err_msg=f"{c}_{fld}")
    # fipgen merge writes through RootWriter: the same titles
    merge_files(tmp_path / "m.root", [out], pot=1e20)
    with uproot.open(tmp_path / "m.root") as f:
        _check_titles(f, extra=("weight_bb",))


def test_titles_change_nothing_but_the_titles(tmp_path, monkeypatch):
    """Against uproot's own file (the titles left as uproot makes them): every other TBranch and
    TLeaf member, the interpretation and the data equal."""
    import fipgen.io.root as root_io

    _write_synthetic(tmp_path / "titled.root", 3)
    monkeypatch.setattr(root_io, "mktree_titled", lambda d, name, types, titles, **kw: d.mktree(name, types, **kw))
    _write_synthetic(tmp_path / "plain.root", 3)
    with uproot.open(tmp_path / "titled.root") as a, uproot.open(tmp_path / "plain.root") as b:
        for t in ("events", "run"):
            assert a[t].keys() == b[t].keys() and a[t].title == b[t].title
            for name in a[t].keys():
                x, y = a[t][name], b[t][name]
                assert x.title != y.title and y.title.startswith(f"{name}") and "/" in y.title
                assert all(x.member(m) == y.member(m) for m in _BRANCH_FIELDS), name
                for m in ("fBasketBytes", "fBasketEntry"):
                    np.testing.assert_array_equal(x.member(m), y.member(m))
                (lx,), (ly,) = x.member("fLeaves"), y.member("fLeaves")
                assert lx.classname == ly.classname and all(lx.member(m) == ly.member(m) for m in _LEAF_FIELDS), name
                assert str(x.interpretation) == str(y.interpretation) and x.typename == y.typename
                xa, ya = x.array(library="np"), y.array(library="np")
                assert all(np.array_equal(p, q) for p, q in zip(xa, ya, strict=True)), name


def test_set_branch_titles_relies_on_uproot_internals_that_are_there(tmp_path):
    """``set_branch_titles`` uses uproot's writing internals (``Tree._branch_data[i]["fTitle"]``,
    ``Tree._relocate``): this fails when uproot changes them (then fipgen writes uproot's
    leaf-list titles, with a RuntimeWarning; see the function's docstring)."""
    from fipgen.io.root import set_branch_titles

    with uproot.recreate(tmp_path / "t.root") as f:
        tree = f.mktree("t", {"x": np.float64, "n": np.int32})
        assert set_branch_titles(tree, {"x": "x position, m"}), "uproot's TTree writing changed: see set_branch_titles"
        tree.extend({"x": np.arange(3.0), "n": np.arange(3, dtype=np.int32)})
        # too late once written: nothing changed, a warning, the file stays valid
        with pytest.warns(RuntimeWarning, match="keep uproot's titles"):
            assert not set_branch_titles(tree, {"n": "a count"})
        tree.extend({"x": np.arange(2.0), "n": np.arange(2, dtype=np.int32)})
    with uproot.open(tmp_path / "t.root") as f:
        assert f["t"]["x"].title == "x position, m" and f["t"]["n"].title == "n/I"
        np.testing.assert_array_equal(f["t"]["x"].array(library="np"), [0, 1, 2, 0, 1])


def test_titles_are_set_when_uproot_first_writes_the_tree(tmp_path, monkeypatch):
    """mktree_titled sets the titles before uproot's first serialisation of the tree's metadata
    (no rewrite, Tree._relocate never called), restores uproot's Tree.write_anew, and a tree
    made by plain mktree afterwards keeps uproot's titles."""
    import uproot.writing._cascadetree as ct

    from fipgen.io.root import mktree_titled

    own = vars(ct.Tree)["write_anew"]
    relocated = []
    real = ct.Tree._relocate
    monkeypatch.setattr(ct.Tree, "_relocate", lambda self, *a: relocated.append(self._name) or real(self, *a))
    with uproot.recreate(tmp_path / "t.root") as f:
        tree = mktree_titled(f, "t", {"x": np.float64, "n": np.int32}, {"x": "x position, m"}, title="a tree")
        assert vars(ct.Tree)["write_anew"] is own
        plain = f.mktree("u", {"y": np.float64})
        tree.extend({"x": np.arange(3.0), "n": np.arange(3, dtype=np.int32)})
        plain.extend({"y": np.arange(2.0)})
    assert relocated == []
    with uproot.open(tmp_path / "t.root") as f:
        assert f["t"]["x"].title == "x position, m" and f["t"]["n"].title == "n/I" and f["t"].title == "a tree"
        assert f["u"]["y"].title == "y/D"
        np.testing.assert_array_equal(f["t"]["x"].array(library="np"), [0, 1, 2])


def test_titles_fall_back_to_a_rewrite_when_write_anew_differs(tmp_path, monkeypatch):
    """Where uproot's Tree.write_anew is not what mktree_titled expects, the tree is made as
    uproot makes it and set_branch_titles rewrites its metadata: the titles are there."""
    import uproot.writing._cascadetree as ct

    from fipgen.io.root import mktree_titled

    own = vars(ct.Tree)["write_anew"]
    monkeypatch.setattr(ct.Tree, "write_anew", lambda self, sink, extra=None: own(self, sink))
    with uproot.recreate(tmp_path / "t.root") as f:
        tree = mktree_titled(f, "t", {"x": np.float64}, {"x": "x position, m"})
        tree.extend({"x": np.arange(3.0)})
    with uproot.open(tmp_path / "t.root") as f:
        assert f["t"]["x"].title == "x position, m"


@pytest.mark.root
def test_root_reads_the_titled_file(tmp_path):
    """ROOT itself: the titles, every branch's data (RDataFrame) as uproot reads it, and hadd's
    merging (TFileMerger) keeps the titles."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ROOT = pytest.importorskip("ROOT")
    path = str(tmp_path / "s.root")
    _write_synthetic(path, 2)
    rf = ROOT.TFile.Open(path)  # (kept: it owns the trees)
    with uproot.open(path) as f:
        for t in ("events", "run"):
            tree = rf.Get(t)
            names = [b.GetName() for b in tree.GetListOfBranches()]
            assert names == f[t].keys()
            for b in tree.GetListOfBranches():
                assert b.GetTitle() == f[t][b.GetName()].title
            cols = [n for n in names if n not in ("run_card", "run_metadata")]
            got = ROOT.RDataFrame(t, path).AsNumpy(cols)
            for n in cols:
                want = f[t][n].array(library="np")
                assert all(np.array_equal(np.asarray(x), y) for x, y in zip(got[n], want, strict=True)), n
        merger = ROOT.TFileMerger(False)
        merger.OutputFile(str(tmp_path / "hadd.root"), "RECREATE")
        merger.AddFile(path)
        merger.AddFile(path)
        assert merger.Merge()
        with uproot.open(tmp_path / "hadd.root") as h:
            assert h["events"].num_entries == 2 * f["events"].num_entries
            for t in ("events", "run"):
                assert [h[t][n].title for n in h[t].keys()] == [f[t][n].title for n in f[t].keys()]
    rf.Close()

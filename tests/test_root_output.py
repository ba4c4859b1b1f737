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
    real = pl.generate_block
    calls = {"n": 0}

    def failing(job, block, n):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(job, block, n)

    monkeypatch.setattr(pl, "generate_block", failing)
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

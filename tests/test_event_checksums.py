"""Behaviour pinned across refactors: every packaged example, with its seed, gives the same
events as when the checksums in ``tests/data/event_checksums.json`` were made.

Each example runs 20,000 trials; the digest covers every scalar column and every collection
field of the events, in order, with float columns rounded to float32 (so a change of operation
order that moves a value by an ulp of float64 does not count, a change of the physics does).
A change that alters a checksum must be its own commit: a deliberate physics change, explained,
or a reassignment of random streams shown statistically equivalent; then regenerate with
``python tests/test_event_checksums.py --update`` and say so in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data" / "event_checksums.json"
TRIALS = 20_000


def event_digest(name: str, trials: int = TRIALS) -> dict:
    from fipgen.card import load_packaged_card
    from fipgen.pipeline import build_job, iter_chunks

    job = build_job(load_packaged_card(name + ".toml").replace(events=trials))
    h = hashlib.sha256()
    n = 0
    sw = 0.0
    for batch, _sums in iter_chunks(job):
        n += len(batch)
        sw += float(batch.scalars["weight"].sum())
        cols = [(k, batch.scalars[k]) for k in sorted(batch.scalars)]
        cols += [(f"{c}.{f}", batch.flat[c][f]) for c in sorted(batch.flat) for f in sorted(batch.flat[c])]
        for key, a in cols:
            a = np.asarray(a)
            if a.dtype.kind == "f":
                a = a.astype(np.float32)
            h.update(key.encode())
            h.update(np.ascontiguousarray(a).tobytes())
    return {"n_events": n, "sum_weights": sw, "sha256": h.hexdigest()}


def _names() -> list[str]:
    from fipgen.resources import list_data

    return list(list_data("examples"))


def test_every_example_is_pinned():
    assert sorted(json.loads(DATA.read_text())) == sorted(_names())


@pytest.mark.parametrize("name", _names())
def test_examples_give_the_pinned_events(name):
    want = json.loads(DATA.read_text())[name]
    got = event_digest(name)
    assert got["n_events"] == want["n_events"]
    assert got["sum_weights"] == pytest.approx(want["sum_weights"], rel=1e-9)
    assert got["sha256"] == want["sha256"], f"{name}: the events changed (see the module docstring)"


if __name__ == "__main__":  # python tests/test_event_checksums.py --update
    if "--update" in sys.argv:
        DATA.write_text(json.dumps({n: event_digest(n) for n in _names()}, indent=1, sort_keys=True) + "\n")
        print(f"wrote {DATA}")

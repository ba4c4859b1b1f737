"""Behaviour pinned across refactors: every packaged example, with its seed, gives the same
events as when the checksums in ``tests/data/event_checksums.json`` were made.

Each example runs 20,000 trials; the digest covers every scalar column, counter and collection
field of the events, in order: the integer ones exactly (sha256), the float ones by their sum,
sum of squares, sum weighted by a fixed function of the event index (so a reordering counts) and
sum of magnitudes, compared to 1e-8 of the magnitudes (so a change of operation order, or a
machine whose numpy takes other SIMD paths, moving values by ulps of float64 does not count; a
change of the physics or of the random streams does). A hash of float32-rounded values did not
hold across CPUs: values made by cancellations carry ulp differences to the float32 boundary.
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


#: Tolerance of the float columns' sums, relative to the sum of their magnitudes: far above the
#: ulp-level differences between machines (numpy's SIMD and libm paths differ between CPUs, and
#: values made by cancellations, e.g. the transverse momenta of very forward daughters, carry
#: them up to ~1e-10 relative), far below any change of the events.
RTOL = 1e-8


def _order_weights(n: int) -> np.ndarray:
    """Fixed weights in [-1/2, 1/2) by event index (Knuth's multiplicative hash): a sum weighted
    by them changes when the events are reordered."""
    i = np.arange(n, dtype=np.uint64)
    return ((i * np.uint64(2654435761)) % np.uint64(2**32)).astype(np.float64) / 2.0**32 - 0.5


def event_digest(name: str, trials: int = TRIALS) -> dict:
    """``n_events``, ``sum_weights``, the sha256 of the integer columns (exact), and for each
    float column ``[sum, sum of squares, order-weighted sum, sum of magnitudes]``."""
    from fipgen.card import load_packaged_card
    from fipgen.pipeline import build_job, iter_chunks

    job = build_job(load_packaged_card(name + ".toml").replace(events=trials))
    cols: dict[str, list] = {}
    for batch, _sums in iter_chunks(job):
        for k in batch.scalars:
            cols.setdefault(k, []).append(batch.scalars[k])
        for c in batch.flat:
            cols.setdefault(f"n_{c}", []).append(batch.counts[c])
            for f in batch.flat[c]:
                cols.setdefault(f"{c}.{f}", []).append(batch.flat[c][f])
    h = hashlib.sha256()
    floats = {}
    for key in sorted(cols):
        a = np.concatenate(cols[key])
        if a.dtype.kind == "f":
            floats[key] = [float(a.sum()), float((a * a).sum()), float((a * _order_weights(a.size)).sum()),
                           float(np.abs(a).sum())]
        else:
            h.update(key.encode())
            h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
    return {"n_events": int(sum(c.size for c in cols["weight"])),
            "sum_weights": floats["weight"][0], "sha256_int": h.hexdigest(), "float_sums": floats}


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
    assert got["sha256_int"] == want["sha256_int"], f"{name}: integer columns changed (see the module docstring)"
    assert sorted(got["float_sums"]) == sorted(want["float_sums"])
    changed = []
    for key, (s1, s2, sw, mag) in want["float_sums"].items():
        g1, g2, gw, gmag = got["float_sums"][key]
        tol = RTOL * max(mag, 1e-300)
        if not (abs(g1 - s1) <= tol and abs(gw - sw) <= tol and abs(g2 - s2) <= RTOL * max(s2, 1e-300)
                and abs(gmag - mag) <= tol):
            changed.append(key)
    assert not changed, f"{name}: the events changed in {changed} (see the module docstring)"


if __name__ == "__main__":  # python tests/test_event_checksums.py --update
    if "--update" in sys.argv:
        DATA.write_text(json.dumps({n: event_digest(n) for n in _names()}, indent=1, sort_keys=True) + "\n")
        print(f"wrote {DATA}")

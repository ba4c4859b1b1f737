"""Scans at a target precision (issue 16, item 1) and the exact coupling dependence of the widths.

* ``Precision``: the points near the contour and the median relative error the sample stops at;
* adaptive scans are the same for any number of workers, stop at their precision (or at the
  trial cap), and agree with a large fixed-trial sample within their errors;
* ``ScanTable.widths``: partial widths quadratic in the scanned coupling, fitted at three
  couplings, equal the model rebuilt at every coupling (dark photon, HNL mixing, ALP photon
  coupling, the Z' of a Z' -> N N chain), and a model that is not quadratic falls back to
  the model at every coupling.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.card import load_packaged_card
from fipgen.scan import ScanAxes, collect_table
from fipgen.scan.reweight import Precision
from fipgen.scan.run import run_scan


def test_points_near_the_contour():
    p = Precision(0.05, 2.3, tuple(np.geomspace(1e-9, 1e-4, 8)))
    ev = np.array([0.01, 0.5, 1.2, 3.0, 4.5, 5.0, 0.2, 0.0])
    assert p.near(ev).tolist() == [2, 3, 4]  # 1.15 <= N <= 4.6
    # a coarse grid jumping over the threshold: the point on each side closest in log N
    ev = np.array([0.01, 0.1, 30.0, 80.0, 9.0, 0.05, 0.0, 0.0])
    assert p.near(ev).tolist() == [2, 4]  # 30 (not 0.1) and 9 (not 0.05)
    assert p.error(np.array([0.1, 0.2]), np.array([0.01, 0.01])) is None  # nothing near: stop


def test_precision_is_the_median_of_slope_scaled_errors():
    cs = tuple(1.2 ** np.arange(6))  # steps of ln 1.2
    # a gentle branch, N ~ c^4: the near points' relative errors as they are (median)
    ev = 1.0 * np.asarray(cs) ** 4  # 1, 2.07, 4.30, 8.9, ...: 2.07 and 4.30 near 2.3
    p = Precision(0.05, 2.3, cs)
    assert p.near(ev).tolist() == [1, 2]
    assert p.error(ev, ev * np.array([0, 0.02, 0.04, 0, 0, 0])) == pytest.approx(0.03)
    # a steep branch: each point's error over its slope relative to the gentlest near point
    ev = np.array([1e-3, 2.0, 30.0, 3.0, 1e-4, 1e-9])
    s1 = (np.log(30.0) - np.log(1e-3)) / (2 * np.log(1.2))  # central differences in ln N vs ln c
    s3 = (np.log(30.0) - np.log(1e-4)) / (2 * np.log(1.2))
    rel = np.array([0.1, 0.2])
    want = np.median([rel[0] / max(1, s1 / min(s1, s3)), rel[1] / max(1, s3 / min(s1, s3))])
    assert p.near(ev).tolist() == [1, 3]
    assert p.error(ev, ev * np.array([0, 0.1, 0, 0.2, 0, 0])) == pytest.approx(want, rel=1e-12)
    ev = np.array([1.2, 2.0, 3.0, 4.0])
    err = ev * np.array([0.1, 0.01, 0.01, 0.1])
    flat = Precision(0.05, 2.3, (1.0, 1.0 + 1e-9))  # fewer than 3 couplings: no slope, the median
    assert flat.error(ev[:2], err[:2]) == pytest.approx(0.055)
    assert flat.needed(ev[:2], err[:2], 1000) == int(np.ceil(1000 * 1.1 * (0.055 / 0.05) ** 2))
    assert Precision(0.06, 2.3, (1.0, 2.0)).needed(ev[:2], err[:2], 1000) is None


@pytest.mark.parametrize("example, particle, names", [
    ("dune_dark_photon_meson.toml", "zprime", None),
    ("sbnd_hnl_kaon.toml", "hnl", None),
    ("argoneut_alp.toml", "alp", None),
    ("sbnd_zprime_brems_hnl.toml", "zprime", ("N N",)),
])
def test_widths_fitted_along_the_coupling_equal_the_model(example, particle, names):
    card = load_packaged_card(example).replace(events=2000)
    key = {"zprime": "model.zprime.coupling", "hnl": None, "alp": None}[particle]
    table = collect_table(card, ScanAxes(card, coupling_key=key) if key else None)
    if table.axes.coupling_particle != particle:
        pytest.skip(f"{example}: the scan coupling is not the {particle}'s")
    cs = np.geomspace(table.c0 * 1e-3, table.c0 * 1e3, 13)
    sampling = names is None
    names = names or tuple(table.job.decay_names)
    got = table.widths(particle, cs, names, sampling)
    table._widths.clear()
    want = np.array([table.widths(particle, np.array([c]), names, sampling)[:, 0] for c in cs]).T
    assert np.allclose(got, want, rtol=1e-9, atol=1e-9 * want[0].max())
    assert got[0, -1] > got[0, 0] > 0  # the total width grows with the coupling


def test_a_model_not_quadratic_in_the_coupling_is_rebuilt_at_every_coupling():
    card = load_packaged_card("dune_dark_photon_meson.toml").replace(events=2000)
    table = collect_table(card)

    class Cubic:  # widths ~ c^3: not a quadratic form
        def __init__(self, c):
            self.c = c

        def partial_widths(self):
            return {"e+ e-": self.c**3, "mu+ mu-": 2 * self.c**3}

        def total_width(self):
            return 3 * self.c**3

    table._model = lambda c, particle: Cubic(c)
    cs = np.geomspace(table.c0, 100 * table.c0, 5)
    got = table.widths("zprime", cs, ("e+ e-",), False)
    assert np.allclose(got[0], 3 * cs**3, rtol=1e-12) and np.allclose(got[2], cs**3, rtol=1e-12)


@pytest.fixture(scope="module")
def adaptive():
    card = load_packaged_card("dune_dark_photon_meson.toml")
    masses, cs = [0.05, 0.2, 0.4], np.geomspace(1e-9, 1e-4, 40)
    return card, masses, cs, run_scan(card, masses, cs, n_trials=120_000, workers=1, precision=0.04, threshold=2.3)


def test_adaptive_scan_is_the_same_for_any_worker_count(adaptive):
    card, masses, cs, r1 = adaptive
    r2 = run_scan(card, masses, cs, n_trials=120_000, workers=2, precision=0.04, threshold=2.3)
    assert np.array_equal(r1.events, r2.events) and np.array_equal(r1.trials, r2.trials)


def test_adaptive_scan_stops_at_its_precision(adaptive):
    card, masses, cs, r = adaptive
    p = Precision(0.04, 2.3, tuple(cs))
    for i in range(len(masses)):
        e = p.error(r.events[i], r.mc_error[i])
        assert r.trials[i] == 120_000 or e is None or e <= 0.04
        assert r.trials[i] >= 4096
    assert r.trials.max() < 120_000  # it did stop early


def test_adaptive_scan_agrees_with_a_large_fixed_sample(adaptive):
    card, masses, cs, r = adaptive
    big = run_scan(card, masses, cs, n_trials=200_000, workers=1)
    assert big.trials.tolist() == [200_000] * 3
    near = (big.events > 0.5) & (big.events < 50.0)
    pull = (r.events - big.events)[near] / np.hypot(r.mc_error, big.mc_error)[near]
    assert near.sum() > 10 and np.all(np.abs(pull) < 5) and abs(np.mean(pull)) < 1.5


def test_cli_scan_at_a_precision_writes_errors_and_trials(tmp_path):
    import csv
    import os

    from fipgen.cli import main

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["scan", "dune_dark_photon_meson", "--masses", "0.05:0.2:2", "--couplings", "1e-9:1e-5:30",
                     "--precision", "0.05", "--workers", "1", "--output", "t.csv", "--quiet", "--json"]) == 0
    finally:
        os.chdir(cwd)
    text = (tmp_path / "t.csv").read_text().splitlines()
    rows = list(csv.DictReader(line for line in text if not line.startswith("#")))
    assert len(rows) == 60 and {"mc_error", "trials"} <= set(rows[0])
    trials = {float(r["mass"]): int(r["trials"]) for r in rows}
    assert all(4096 <= t < 200_000 for t in trials.values())

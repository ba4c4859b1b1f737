"""Coupling reweighting, acceptance tables, limits and scans (fipgen.scan, fipgen scan).

* Reweighted expected events equal a fresh generation at the new coupling: identical with
  the same random streams, within Monte Carlo errors with independent ones (HNLs from kaons
  at SBND; a dark photon from mesons and bremsstrahlung at DUNE with its alternative weights;
  an ALP -> N N chain with an ALP coupling scanned).
* ``fipgen reweight`` on a ROOT file agrees with a fresh file at the new coupling.
* Scan grids are identical with 1 and 2 local workers and on a dask LocalCluster.
* Acceptance x production x branching = expected events; Feldman-Cousins and Poisson limits
  against the published table.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import uproot

from fipgen.card import load_packaged_card
from fipgen.cli import main
from fipgen.pipeline import build_job, run
from fipgen.scan import ScanAxes, card_at, collect_table, reweight_file
from fipgen.scan.limits import event_threshold
from fipgen.scan.run import contour_lines, run_acceptance, run_scan


def _fresh(card, key, c, seed=None, shares=True):
    """A fresh generation at coupling c: with the scan's channel shares (its sampling plan:
    the same events from the same streams), or (``shares=False``) channels in proportion to
    their rates, as ``fipgen generate``."""
    from dataclasses import replace

    from fipgen.job import scan_shares

    card_c = card_at(card, coupling_key=key, coupling=c)
    if seed is not None:
        card_c = card_c.replace(seed=seed)
    job = build_job(card_c, decay_hints=False)
    return run(replace(job, channel_shares=scan_shares(job.rates)) if shares else job, None)


@pytest.mark.parametrize("example, key, couplings, events", [
    ("sbnd_hnl_kaon.toml", "model.hnl.mixing", [1e-9, 1e-6, 1e-3, 3e-2], 60_000),
    ("dune_dark_photon_reach.toml", "model.zprime.coupling", [1e-8, 1e-7, 1e-6, 5e-6], 40_000),
])
def test_reweighted_equals_fresh_generation(example, key, couplings, events):
    card = load_packaged_card(example).replace(events=events)
    table = collect_table(card)
    r = table.expected(couplings)
    for j, c in enumerate(couplings):
        same = _fresh(card, key, c)  # the same random streams: the same events
        assert r["events"][j] == pytest.approx(same.sum_weights, rel=1e-9, abs=1e-300)
        assert r["mc_error"][j] == pytest.approx(same.mc_error, rel=1e-9, abs=1e-300)
        indep = _fresh(card, key, c, seed=card.seed + 1000)  # independent streams: within errors
        pull = (r["events"][j] - indep.sum_weights) / math.hypot(r["mc_error"][j], indep.mc_error)
        assert abs(pull) < 4, (c, r["events"][j], indep.sum_weights, pull)
        if j < 2:  # channels in proportion to their rates (fipgen generate): the same expectation where
            # that sampling sees every channel that matters (at large couplings DUNE's absorber
            # bremsstrahlung, 1e-5 of the rate, dominates: tests/test_scan.py::test_scan_shares_*)
            plain = _fresh(card, key, c, seed=card.seed + 2000, shares=False)
            pull = (r["events"][j] - plain.sum_weights) / math.hypot(r["mc_error"][j], plain.mc_error)
            assert abs(pull) < 4, (c, r["events"][j], plain.sum_weights, pull)
        for a in indep.alt_sums:  # alternative weights reweight too
            assert r[f"events_{a}"][j] == pytest.approx(same.alt_sums[a], rel=1e-9, abs=1e-300)


def test_scan_shares_sample_a_channel_rare_in_production_but_first_in_the_detector():
    """DUNE's dark photons at eps = 5e-6: the absorber's proton bremsstrahlung is 1e-5 of the
    production rate but most of the signal (made 200 m nearer the detector, it survives the
    short lifetime). In proportion to the rates it gets ~1 trial in 40000; the scan's shares
    (a quarter equal among the 4 channels) give it 1/16: its expected events, stable over
    seeds, against proportional sampling's, which sees it once in a while."""
    from dataclasses import replace

    from fipgen.events import EventBatch
    from fipgen.job import scan_shares
    from fipgen.pipeline import iter_chunks
    from fipgen.registry import channel_code

    card = card_at(load_packaged_card("dune_dark_photon_reach.toml").replace(events=40_000),
                   coupling_key="model.zprime.coupling", coupling=5e-6)
    job = build_job(card, decay_hints=False)
    shares = scan_shares(job.rates)
    assert shares.sum() == pytest.approx(1.0) and np.all(shares >= 0.25 / 4)
    absorber = channel_code("zprime:bremsstrahlung (absorber)")

    def absorber_events(shares_, seed):
        j = replace(build_job(card.replace(seed=seed), decay_hints=False), channel_shares=shares_)
        b = EventBatch.concatenate([p[0] for p in iter_chunks(j)])
        w = b.scalars["weight"][b.scalars["channel"] == absorber]
        return w.sum(), math.sqrt((w * w).sum()), w.size

    got = [absorber_events(shares, s) for s in (1, 2, 3)]
    vals, errs = np.array([g[0] for g in got]), np.array([g[1] for g in got])
    assert np.all(errs / vals < 0.12) and np.ptp(vals) < 4 * math.sqrt(2) * errs.max()
    plain = [absorber_events(None, s) for s in (1, 2, 3)]
    assert all(p[2] <= 5 for p in plain)  # proportional sampling: a handful of trials at most
    assert min(p[0] for p in plain) < 0.5 * vals.mean()  # the channel missed at least once


def test_alp_coupling_scan_recomputes_branching_ratios():
    """ALP -> N N at DUNE scanning g_aNN: BR(a -> N N) and the HNL production change together."""
    card = load_packaged_card("dune_alp_hnl.toml").replace(events=30_000)
    card = card_at(card, coupling_key="model.alp.g_hnl", coupling=1e-8)  # a -> gamma gamma competes here
    axes = ScanAxes(card, coupling_key="model.alp.g_hnl")
    table = collect_table(card, axes)
    cs = [3e-9, 1e-8, 1e-6]
    r = table.expected(cs)
    for j, c in enumerate(cs):
        fresh = _fresh(card, "model.alp.g_hnl", c)
        # the ALP's own flight (c tau_a ~ 7 cm at the reference, metres in the lab) is reweighted
        # by its exponential density ratio: exact in expectation, within errors here
        pull = (r["events"][j] - fresh.sum_weights) / math.hypot(r["mc_error"][j], fresh.mc_error)
        assert abs(pull) < 4, (c, r["events"][j], fresh.sum_weights)
    # the rate grows with g_aNN until a -> N N dominates, then saturates
    assert r["events"][0] < r["events"][1] < r["events"][2]
    assert r["events"][2] / r["events"][1] < 1e4


def test_reweight_file_matches_a_fresh_file(tmp_path):
    card_text = load_packaged_card("sbnd_hnl_kaon.toml").text.replace("events = 200_000", "events = 40_000")
    (tmp_path / "c.toml").write_text(card_text)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["generate", "c.toml", "--output", "ref.root", "--quiet"]) == 0
        (tmp_path / "c3.toml").write_text(card_text.replace("mixing_mu = 1e-7", "mixing_mu = 3e-6"))
        assert main(["generate", "c3.toml", "--output", "new.root", "--quiet"]) == 0
    finally:
        os.chdir(cwd)
    res = reweight_file(tmp_path / "ref.root", 3e-6, output=tmp_path / "rw.root")
    with uproot.open(tmp_path / "new.root") as f:
        fresh = f["run"]["sum_weights"].array(library="np")[0]
    assert res["expected_signal"] == pytest.approx(fresh, rel=1e-9)
    with uproot.open(tmp_path / "rw.root") as f:
        w = f["events"]["weight"].array(library="np")
        assert f["run"]["sum_weights"].array(library="np")[0] == pytest.approx(w.sum())
        assert json.loads(str(f["run"]["run_metadata"].array(library="np")[0]))["reweighted"]["to_coupling"] == 3e-6
    assert w.sum() == pytest.approx(fresh, rel=1e-9)


def test_scan_identical_for_any_worker_count_and_on_dask():
    card = load_packaged_card("sbnd_hnl_kaon.toml")
    masses = [0.1, 0.25, 0.35]
    cs = np.geomspace(1e-9, 1e-5, 7)
    r1 = run_scan(card, masses, cs, n_trials=10_000, workers=1)
    r2 = run_scan(card, masses, cs, n_trials=10_000, workers=2)
    assert np.array_equal(r1.events, r2.events) and np.array_equal(r1.mc_error, r2.mc_error)
    from distributed import Client, LocalCluster

    # a dask LocalCluster with two workers (threads: the tasks are the same functions as in
    # processes; a process cluster only costs start-up time here)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl, Client(cl) as cli:
        r3 = run_scan(card, masses, cs, n_trials=10_000, scheduler=cli)
    assert np.array_equal(r1.events, r3.events)
    # each mass is its own stream family: one mass alone gives the same row
    r4 = run_scan(card, [0.1, 0.25], cs, n_trials=10_000)
    assert np.array_equal(r4.events, r1.events[:2])


def test_acceptance_times_production_is_expected_events():
    card = load_packaged_card("sbnd_hnl_kaon.toml").replace(events=30_000)
    table = collect_table(card)
    job = table.job
    ctau = job.ctau
    acc = table.acceptance([ctau], with_cuts=False)
    want = table.expected([table.c0])["events"][0]
    assert acc["acceptance"][0] * acc["llp_per_pot"] * job.weight_branching * job.pot == pytest.approx(want, rel=1e-9)
    a = run_acceptance(card, [0.2, 0.3], np.geomspace(1e-2, 1e6, 9), n_trials=20_000)
    assert a["acceptance"].shape == (2, 9) and np.all(a["acceptance"] >= 0) and np.all(a["acceptance"] < 1e-2)
    # long lifetimes: acceptance ~ 1/ctau; short: exponentially small
    assert a["acceptance"][0, -1] / a["acceptance"][0, -2] == pytest.approx(0.1, rel=0.02)
    assert a["acceptance"][0, 0] < 1e-30


def test_limits_against_feldman_cousins_table():
    # Feldman & Cousins, PRD 57 3873, table IV (90 % CL upper ends): b = 0, n = 0: 2.44; b = 3, n = 3: 4.42;
    # b = 0.5, n = 0: 1.94
    assert event_threshold() == pytest.approx(2.3026, abs=1e-4)
    assert event_threshold("feldman-cousins", 0.0) == pytest.approx(2.44, abs=0.01)
    assert event_threshold("feldman-cousins", 3.0) == pytest.approx(4.42, abs=0.01)
    assert event_threshold("feldman-cousins", 0.5) == pytest.approx(1.94, abs=0.01)
    # classical Poisson, n = 3 observed over b = 3: s_up with P(N <= 3 | s + 3) = 0.1 -> 6.68 - 3 = 3.68
    assert event_threshold("poisson", 3.0) == pytest.approx(3.681, abs=2e-3)
    with pytest.raises(ValueError):
        event_threshold("background-free", 1.0)


def test_contour_of_a_known_surface():
    """N = 1e-3 10^(2 m) / c (log N linear in m and log c, as the interpolation): the 2.3-event
    line is c = 1e-3 10^(2 m) / 2.3, recovered to rounding."""
    m = np.linspace(0.1, 1.0, 10)
    c = np.geomspace(1e-4, 1.0, 60)
    ev = 1e-3 * 10.0 ** (2 * m[:, None]) / c[None, :]
    (ln,) = contour_lines(m, c, ev, 2.3)
    assert len(ln) >= 10
    assert np.allclose(ln[:, 1], 1e-3 * 10.0 ** (2 * ln[:, 0]) / 2.3, rtol=1e-9)


def test_min_visible_energy_is_the_visible_daughters_summed():
    """The calorimeter threshold: an event passes when its visible daughters' energies (neutrinos
    and the invisible FIPs left out) sum to the cut; checked against a loop over the events."""
    from fipgen.events import EventBatch
    from fipgen.pipeline import iter_chunks
    from fipgen.scan.reweight import _INVISIBLE, Cuts

    job = build_job(load_packaged_card("sbnd_hnl_kaon.toml").replace(events=3000))
    b = EventBatch.concatenate([p[0] for p in iter_chunks(job)])
    off = b.offsets("daughter")
    d = b.flat["daughter"]
    e_vis = np.array([sum(e for e, pdg in zip(d["e"][off[i]:off[i + 1]], d["pdg"][off[i]:off[i + 1]])
                          if int(pdg) not in _INVISIBLE) for i in range(len(b))])
    srt = np.sort(e_vis)
    cut = float(0.5 * (srt[len(srt) // 2] + srt[len(srt) // 2 + 1]))  # between two events' values
    np.testing.assert_array_equal(Cuts(min_visible_energy=cut).passes(b), e_vis >= cut)
    both = Cuts(min_visible_energy=cut, min_daughter_energy=0.05).passes(b)
    np.testing.assert_array_equal(both, (e_vis >= cut) & Cuts(min_daughter_energy=0.05).passes(b))
    assert 0 < (e_vis >= cut).sum() < len(b) and Cuts(min_visible_energy=cut).kinematic


def test_cli_scan_outputs_and_errors(tmp_path, capsys):
    out = tmp_path / "t.csv"
    code = main(["scan", "sbnd_hnl_kaon", "--masses", "0.1:0.3:3", "--couplings", "1e-9:1e-5:5", "--events", "20000",
                 "--workers", "1", "--output", str(out), "--plot", str(tmp_path / "c.png"), "--quiet", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["masses"] == 3 and summary["couplings"] == 5
    rows = [ln for ln in out.read_text().splitlines() if not ln.startswith("#")]
    assert rows[0].startswith("mass,coupling,events,mc_error") and len(rows) == 1 + 15
    assert (tmp_path / "t_contour.csv").exists() and (tmp_path / "c.png").stat().st_size > 1000
    # refuses to overwrite, bad grids and keys are one-line errors
    assert main(["scan", "sbnd_hnl_kaon", "--masses", "0.1:0.3:3", "--couplings", "1e-9:1e-5:5", "--output", str(out)]) == 2
    assert main(["scan", "sbnd_hnl_kaon", "--masses", "0.3:0.1", "--couplings", "1e-9:1e-5:5"]) == 2
    assert main(["scan", "sbnd_hnl_kaon", "--masses", "0.1:0.3:3", "--couplings", "1e-9:1e-5:5",
                 "--coupling-key", "model.zprime.coupling"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "--masses" in err and "model.zprime" in err

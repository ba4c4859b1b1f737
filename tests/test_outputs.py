"""Outputs for detector simulations: HepMC3 / HepMC2 (NuHepMC), HEPEVT, MeVPrtl parents,
unweighting, beam timing, several formats at once.

* HepMC3 written by fipgen and read back with pyhepmc: the same particles, vertices (m -> mm,
  ns -> c t in mm), weights (CV and the alternative weights by name) and POT.
* HEPEVT parsed by a reader written here from the TextFileGen description (event line
  ``event n``, then 15 numbers per particle; GeV, cm, ns, detector frame), weights sidecar.
* ROOT opened by ROOT itself (RDataFrame; marker ``root``, skipped without the ``root`` package).
* Unweighted samples reproduce the weighted distributions (chi-square on the LLP energy and
  the decay position) and their equivalent POT.
* Timing: bucket structure of the BNB spill; a slow LLP arrives L/(beta c) - L/c late.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import uproot

from fipgen.card import load_packaged_card, parse_card
from fipgen.cli import main
from fipgen.pipeline import build_job, output_paths, run

C_MM_NS = 299.792458


def _val(x, t):
    """A pyhepmc attribute read from a file as type ``t`` (parsed on first access)."""
    return x.astype(t) if hasattr(x, "astype") else t(x)


def _in(tmp_path, args):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return main(args)
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def brems_files(tmp_path_factory):
    """A DarkQuest bremsstrahlung sample (alternative weights) in ROOT, HepMC3, HEPEVT."""
    d = tmp_path_factory.mktemp("out")
    card = load_packaged_card("darkquest_dark_photon_brems.toml").replace(events=4000, output=str(d / "dq"))
    s = run(build_job(card), str(d / "dq"), formats=("root", "hepmc3", "hepevt", "hepmc2"))
    return d, s


def test_output_paths():
    assert output_paths("a.root", ["root"]) == {"root": "a.root"}
    assert output_paths("out/s.root", ["root", "hepmc3", "hepevt", "mevprtl"]) == {
        "root": "out/s.root", "hepmc3": "out/s.hepmc3", "hepevt": "out/s.hepevt", "mevprtl": "out/s.mevprtl.txt"}


def test_hepmc3_round_trip(brems_files):
    import pyhepmc

    d, s = brems_files
    with uproot.open(d / "dq.root") as f:
        ev = f["events"].arrays(library="np")
        pot = f["run"]["pot"].array(library="np")[0]
    names = ["CV", "bb", "qr_lambda1", "qr_lambda2"]
    n = 0
    with pyhepmc.open(d / "dq.hepmc3") as f:
        for i, e in enumerate(f):
            n += 1
            assert e.momentum_unit == pyhepmc.Units.GEV and e.length_unit == pyhepmc.Units.MM
            ri = e.run_info
            assert ri.weight_names == names
            assert _val(ri.attributes["NuHepMC.Exposure.POT"], float) == pytest.approx(pot)
            assert "zprime:bremsstrahlung" in _val(ri.attributes["NuHepMC.Provenance.RunCard"], str)
            assert list(e.weights) == pytest.approx([ev["weight"][i], ev["weight_bb"][i], ev["weight_qr_lambda1"][i],
                                                     ev["weight_qr_lambda2"][i]], rel=1e-12)
            st = {p.status: p for p in e.particles if p.status in (2, 4, 20)}
            assert st[4].pid == 2212 and st[4].momentum.pz == pytest.approx(120.0)
            assert st[20].pid == ev["origin_nucleus"][i] == 1000260560  # FMAG iron
            llp = st[2]  # bremsstrahlung: the beam proton is the parent, the LLP the only decayed particle
            assert llp.pid == 32 and llp.momentum.e == pytest.approx(ev["llp_e"][i], rel=1e-12)
            pv, dv = llp.production_vertex, llp.end_vertex
            assert pv.status == 1 and dv.status == 21
            assert [pv.position.x, pv.position.y, pv.position.z] == pytest.approx(
                [ev["prod_x"][i] * 1e3, ev["prod_y"][i] * 1e3, ev["prod_z"][i] * 1e3], abs=1e-6)
            assert pv.position.t == pytest.approx(ev["prod_t"][i] * C_MM_NS, abs=1e-6)
            assert [dv.position.z, dv.position.t] == pytest.approx([ev["decay_z"][i] * 1e3, ev["decay_t"][i] * C_MM_NS],
                                                                   abs=1e-6)
            # the radiation: beam + nucleus -> LLP + the proton after the emission (status 1)
            assert sorted(p.status for p in pv.particles_in) == [4, 20]
            assert sorted(p.pid for p in pv.particles_out) == [32, 2212]
            dau = list(dv.particles_out)
            assert all(p.status == 1 for p in dau) and len(dau) == ev["n_daughters"][i]
            assert sorted(p.pid for p in dau) == sorted(ev["daughter_pdg"][i].tolist())
            assert sum(p.momentum.e for p in dau) == pytest.approx(ev["llp_e"][i], rel=1e-9)
            assert _val(e.attributes["signal_process_id"], int) == ev["channel"][i]
    assert n == len(ev["weight"]) == s.n_events


def test_hepmc2_is_readable(brems_files):
    import pyhepmc

    d, s = brems_files
    with pyhepmc.io.ReaderAsciiHepMC2(str(d / "dq.hepmc2")) as r:
        events = []
        while True:
            e = pyhepmc.GenEvent()
            r.read_event(e)
            if r.failed():
                break
            events.append(e)
    assert len(events) == s.n_events
    assert any(p.status == 4 for p in events[0].particles)


def _read_textfilegen(path):
    """HEPEVT in the TextFileGen dialect, read from its description: 'event n' then n lines of
    'status pdg mother1 mother2 daughter1 daughter2 px py pz E m x y z t'."""
    out = []
    with open(path) as fh:
        toks = fh.read().split("\n")
    i = 0
    while i < len(toks):
        head = toks[i].split()
        i += 1
        if not head:
            continue
        k = int(head[1])
        rows = [toks[i + j].split() for j in range(k)]
        i += k
        out.append([(int(r[0]), int(r[1])) + tuple(float(x) for x in r[6:15]) for r in rows])
    return out


def test_hepevt_detector_frame_and_weights(brems_files):
    d, s = brems_files
    with uproot.open(d / "dq.root") as f:
        ev = f["events"].arrays(library="np")
    evs = _read_textfilegen(d / "dq.hepevt")
    assert len(evs) == len(ev["weight"])
    for i in range(0, len(evs), 97):
        parts = evs[i]
        llp = [p for p in parts if p[0] == 2]
        fin = [p for p in parts if p[0] == 1]
        # beam, nucleus, the LLP, the proton after radiating (status 11: made in the beamline), daughters
        assert [p[0] for p in parts[:2]] == [4, 20] and [p[1] for p in parts[2:4]] == [32, 2212]
        assert parts[3][0] == 11
        assert len(llp) == 1 and llp[0][1] == 32 and len(fin) == ev["n_daughters"][i]
        for p in fin:  # produced at the decay vertex: detector frame, cm, ns
            assert p[7:10] == pytest.approx([ev["decay_det_x"][i] * 100, ev["decay_det_y"][i] * 100,
                                             ev["decay_det_z"][i] * 100], abs=1e-5)
            assert p[10] == pytest.approx(ev["decay_t"][i], rel=1e-8)
        assert sum(p[5] for p in fin) == pytest.approx(ev["llp_e"][i], rel=1e-8)
        assert sum(p[4] for p in fin) == pytest.approx(ev["daughter_det_pz"][i].sum(), rel=1e-8)
    side = (d / "dq.hepevt.weights.csv").read_text().splitlines()
    assert "POT = 1e+18" in side[0]
    rows = [r.split(",") for r in side[2:] if not r.startswith("#")]
    w = np.array([float(r[1]) for r in rows])
    assert w.sum() == pytest.approx(ev["weight"].sum(), rel=1e-9)
    assert side[-1].startswith("# events =")


@pytest.mark.root
def test_root_opens_in_root(brems_files):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ROOT = pytest.importorskip("ROOT")
    d, s = brems_files
    df = ROOT.RDataFrame("events", str(d / "dq.root"))
    sw = df.Sum("weight").GetValue()
    mean_nd = df.Mean("n_daughters").GetValue()
    with uproot.open(d / "dq.root") as f:
        ev = f["events"].arrays(["weight", "n_daughters"], library="np")
    assert sw == pytest.approx(ev["weight"].sum(), rel=1e-12)
    assert mean_nd == pytest.approx(ev["n_daughters"].mean(), rel=1e-12)


def test_unweighted_reproduces_the_weighted_sample(tmp_path):
    # (first-interaction sources: their weights spread less than the cascade's, so 8000
    # unit-weight events are within reach of 150k trials)
    card = load_packaged_card("sbnd_dark_photon.toml").replace(events=150_000, meson_sources="first-interactions")
    weighted = tmp_path / "w.root"
    unw = tmp_path / "u.root"
    sw = run(build_job(card), str(weighted))
    su = run(build_job(card), str(unw), unweighted=8000)
    assert su.n_events == 8000
    u = su.unweighting
    with uproot.open(weighted) as f:
        a = f["events"].arrays(["weight", "llp_e", "decay_det_z"], library="np")
    with uproot.open(unw) as f:
        b = f["events"].arrays(["weight", "llp_e", "decay_det_z"], library="np")
        run_u = f["run"].arrays(library="np")
        meta = json.loads(str(run_u["run_metadata"][0]))
    assert np.all(b["weight"] == 1.0) and meta["unweighted"]["kept"] == 8000
    # equivalent POT: 8000 events expected there
    assert run_u["pot"][0] == pytest.approx(u["pot_equivalent"])
    rate = sw.sum_weights / card.pot
    assert 8000 / (rate * u["pot_equivalent"]) == pytest.approx(1.0, abs=4 / math.sqrt(8000) + u["fraction_weight_above_w_ref"])
    for col, edges in (("llp_e", np.quantile(a["llp_e"], np.linspace(0, 1, 11))),
                       ("decay_det_z", np.linspace(0.0, 5.0, 11))):
        edges = edges.copy()
        edges[0], edges[-1] = -np.inf, np.inf
        hw, _ = np.histogram(a[col], bins=edges, weights=a["weight"])
        hw2, _ = np.histogram(a[col], bins=edges, weights=a["weight"] ** 2)
        hu, _ = np.histogram(b[col], bins=edges)
        scale = hu.sum() / hw.sum()
        chi2 = np.sum((hu - scale * hw) ** 2 / (hu + scale**2 * hw2))
        assert chi2 < 10 + 5 * math.sqrt(20), (col, chi2)


def test_bnb_bucket_structure_and_slow_llp_delay(tmp_path):
    """HNLs of 0.35 GeV from kaons decaying at rest (beta ~ 0.2): the arrival time at the decay
    point is the proton's bucket time + the kaon's stop time + L / (beta c); the delay relative
    to light, L/(beta c) - L/c, is exact per event. Buckets: 81 x 18.936 ns, sigma 1.308 ns."""
    card = parse_card("""
[experiment]
detector = "sbnd"
[model]
hnl = { mass = 0.35, mixing_mu = 1e-6 }
[signal]
produce = ["hnl:K+"]
detect = "hnl:decay"
[run]
events = 60000
""", "t")
    from fipgen.events import EventBatch
    from fipgen.pipeline import iter_chunks

    b = EventBatch.concatenate([p[0] for p in iter_chunks(build_job(card))]).scalars
    L = np.sqrt((b["decay_x"] - b["prod_x"]) ** 2 + (b["decay_y"] - b["prod_y"]) ** 2 + (b["decay_z"] - b["prod_z"]) ** 2)
    beta = np.sqrt(b["llp_px"] ** 2 + b["llp_py"] ** 2 + b["llp_pz"] ** 2) / b["llp_e"]
    delay = (b["decay_t"] - b["prod_t"]) - L / 0.299792458
    np.testing.assert_allclose(delay, L / 0.299792458 * (1 / beta - 1), rtol=1e-9)
    slow = beta < 0.5
    assert slow.sum() > 100 and np.median(delay[slow]) > 300.0  # ~110 m at beta < 0.5: >= 370 ns late
    # the proton's bucket time: pi0 -> gamma A' is prompt, so prod_t - z/c = k x 18.936 ns + N(0, 1.308 ns)
    a = EventBatch.concatenate([p[0] for p in iter_chunks(build_job(load_packaged_card("sbnd_dark_photon.toml")
                                                                    .replace(events=40_000)))]).scalars
    t0 = a["prod_t"] - a["prod_z"] / 0.299792458
    k = np.round(t0 / 18.936)
    assert k.min() == 0 and k.max() == 80 and len(np.unique(k)) == 81
    counts = np.bincount(k.astype(int))
    assert counts.min() > 0.8 * counts.mean()  # buckets filled equally
    assert np.std(t0 - 18.936 * k) == pytest.approx(1.308, rel=0.03)


def test_several_formats_from_the_cli_and_atomic_failure(tmp_path):
    card = load_packaged_card("sbnd_dark_photon.toml").text.replace("events = 200_000", "events = 3000")
    (tmp_path / "c.toml").write_text(card)
    assert _in(tmp_path, ["generate", "c.toml", "--format", "root,hepmc3,hepevt,mevprtl", "--output", "s", "--quiet"]) == 0
    for f in ("s.root", "s.hepmc3", "s.hepevt", "s.hepevt.weights.csv", "s.mevprtl.txt"):
        assert (tmp_path / f).stat().st_size > 0, f
    from fipgen.io.parent_list import read_mevprtl_text

    parents = read_mevprtl_text(tmp_path / "s.mevprtl.txt")
    from fipgen.geometry import load_beamline
    from fipgen.production.sources.resolve import meson_source

    for pdg in (111, 221):  # the BNB's sources (its cascade, the target's first interactions from fits)
        sel = parents["pdg"] == pdg
        per_pot = meson_source(load_beamline("bnb"), pdg).per_pot
        assert parents["weight"][sel].sum() / parents["pot"] == pytest.approx(per_pot, rel=1e-6)
    # existing outputs are refused without --overwrite, and nothing is touched
    before = (tmp_path / "s.hepmc3").stat().st_mtime_ns
    assert _in(tmp_path, ["generate", "c.toml", "--format", "root,hepmc3", "--output", "s", "--quiet"]) == 2
    assert (tmp_path / "s.hepmc3").stat().st_mtime_ns == before
    # a format that cannot be written for this card: one-line error, no file at all
    brems = load_packaged_card("darkquest_dark_photon_brems.toml").text.replace("events = 200_000", "events = 2000")
    (tmp_path / "b.toml").write_text(brems)
    assert _in(tmp_path, ["generate", "b.toml", "--format", "root,mevprtl", "--output", "bb", "--quiet"]) == 2
    assert not list(tmp_path.glob("bb*")) and not list(tmp_path.glob(".bb*"))
    assert _in(tmp_path, ["generate", "c.toml", "--format", "root,lhe", "--output", "x", "--quiet"]) == 2


def test_mass_or_none_for_writers():
    """Writers take PDG masses of SM daughters and the four-momentum's mass of BSM ones."""
    from fipgen.constants import PDG_ALP, PDG_HNL, mass, mass_or_none

    assert mass_or_none(11) == mass(11) and abs(mass_or_none(11) - 0.000511) < 1e-6
    assert mass_or_none(PDG_HNL) is None and mass_or_none(PDG_ALP) is None


def test_mevprtl_parent_list_of_an_hnl_card_on_the_cascade(tmp_path):
    """The BNB's default sources serve the HNL channels the cascade's decays; the parent list
    (mesons as produced, for MeVPrtl to transport) still has the K+ and K-: per POT, the
    Feynman-scaling K+ of the target's first interactions plus the cascade's later ones."""
    from fipgen.geometry import load_beamline
    from fipgen.io.parent_list import read_mevprtl_text
    from fipgen.production.sources.resolve import production_source

    card = load_packaged_card("sbnd_hnl_kaon.toml").text.replace("events = 200_000", "events = 2000")
    (tmp_path / "c.toml").write_text(card)
    assert _in(tmp_path, ["generate", "c.toml", "--format", "mevprtl", "--output", "k", "--quiet"]) == 0
    parents = read_mevprtl_text(tmp_path / "k")  # (one format: the --output name as given)
    bl = load_beamline("bnb")
    for pdg in (321, -321, 130):
        sel = parents["pdg"] == pdg
        assert sel.sum() > 0, pdg
        assert parents["weight"][sel].sum() / parents["pot"] == pytest.approx(production_source(bl, pdg).per_pot,
                                                                              rel=1e-6)
    assert production_source(bl, 321).per_pot > 0.04897  # the fit's first interactions and more

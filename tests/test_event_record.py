"""The event record written for detector simulations and NuHepMC-aware tools (issue 15).

* every packaged example's HepMC3 passes the NuHepMC 1.0 checker of ``tests/_nuhepmc.py``
  (written from the specification and the reference reader NuHepMC/cpputils), and the checker
  catches files that break it;
* the event graph (``fipgen.io.graph``): Z' -> N N chains hold the meson (or the radiating
  proton), the Z', both HNLs and the photon; HNLs from kaons the kaon and the muon of the
  right charge; four-momentum conserved at every decay vertex; the target nucleus is the one
  of the solid where the chain started;
* the running cross section (E.C.4) of the last event gives the run's expected signal back;
* HEPEVT read by edep-sim's reader as written in its source (``tests/_edepsim.py``): with the
  ``marley`` flavour the primaries are exactly the LLP's decay products at the decay vertex.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import uproot

from _edepsim import read_edepsim_hepevt
from _nuhepmc import check_file, parse

from fipgen.card import load_packaged_card
from fipgen.geometry import get_material, load_beamline
from fipgen.geometry.nuclei import collision_shares, nucleus_at, nucleus_at_numpy, solid_at, solid_at_numpy
from fipgen.io.hepmc import sigma_reference_pb
from fipgen.pipeline import build_job, run

EXAMPLES = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "examples").glob("*.toml"))


def _gen(tmp, card_name, events, formats, **changes):
    card = load_packaged_card(card_name).replace(events=events, **changes)
    stem = str(tmp / card_name.removesuffix(".toml"))
    # several formats: STEM.<format>; one: the path itself
    s = run(build_job(card), stem if len(formats) > 1 else f"{stem}.{formats[0]}", formats=formats)
    return stem, s


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_hepmc3_passes_nuhepmc(tmp_path, name):
    stem, s = _gen(tmp_path, name, 3000, ("hepmc3",))
    assert s.n_events > 0
    assert check_file(stem + ".hepmc3") == []


def test_the_checker_catches_each_broken_requirement(tmp_path):
    stem, _ = _gen(tmp_path, "sbnd_dark_photon.toml", 1500, ("hepmc3",))
    text = Path(stem + ".hepmc3").read_text()
    broken = {
        "E.R.3": text.replace(" signal_process_id ", " ProcessID "),
        "E.R.5": text.replace(" lab_pos ", " LabPos "),
        "E.C.4": re.sub(r"A 0 GenCrossSection [^\n]*\n", "", text),
        "G.R.6": text.replace("A NuHepMC.Units.CrossSection.Unit pb\n", ""),
        "G.R.8": re.sub(r"A NuHepMC\.ProcessInfo\[\d+\]\.Description [^\n]*\n", "", text),
        "G.R.11": re.sub(r"A NuHepMC\.AdditionalParticleInfo\[\d+\]\.Name [^\n]*\n", "", text),
        "E.R.6": re.sub(r"^V (-\d+) 21 ", r"V \1 1 ", text, count=1, flags=re.M),  # two primary vertices
        "G.R.2": text.replace("A NuHepMC.Version.Major 1\n", "A NuHepMC.Version.Major 0\n"),
    }
    for req, t in broken.items():
        p = tmp_path / f"{req}.hepmc3"
        p.write_text(t)
        assert any(req in v for v in check_file(p)), req


def _files_and_events(tmp_path_factory, card_name, formats):
    """``(stem, summary, ROOT events)`` of 8000 trials of a packaged card in ``formats`` (root first)."""
    stem, s = _gen(tmp_path_factory.mktemp(card_name.split("_")[1]), card_name, 8000, formats)
    with uproot.open(stem + ".root") as f:
        ev = f["events"].arrays(library="np")
    return stem, s, ev


@pytest.fixture(scope="module")
def chain_files(tmp_path_factory):
    """Z' (B-L) from pi0/eta decays and proton bremsstrahlung in the target and absorber,
    decaying to two HNLs (the arXiv:2410.08981 signature) at SBND."""
    return _files_and_events(tmp_path_factory, "sbnd_zprime_brems_hnl.toml", ("root", "hepmc3", "hepmc2"))


def _p4(p):
    m = p.momentum
    return np.array([m.px, m.py, m.pz, m.e])


def _conserved(v, tol=1e-9):
    pin = sum(_p4(p) for p in v.particles_in)
    pout = sum(_p4(p) for p in v.particles_out)
    return np.allclose(pin, pout, rtol=0, atol=tol * max(pin[3], 1.0))


def test_zprime_to_hnl_pairs_carry_the_whole_chain(chain_files):
    import pyhepmc

    stem, s, ev = chain_files
    kinds = {}
    with pyhepmc.open(stem + ".hepmc3") as f:
        for i, e in enumerate(f):
            zp = [p for p in e.particles if p.pid == 32]
            assert len(zp) == 1 and zp[0].status == 2
            z = zp[0]
            prim = z.end_vertex
            assert prim.status == 1
            hnl = sorted((p for p in prim.particles_out), key=lambda p: p.status)
            assert [p.pid for p in hnl] == [9900012, 9900012]  # Majorana: both the same code
            assert sorted(p.status for p in hnl) == [1, 2]  # the detected one decays in the detector
            llp = [p for p in hnl if p.status == 2][0]
            assert llp.end_vertex.status == 21 and _conserved(llp.end_vertex, 1e-7)
            assert _conserved(prim)  # Z' -> N N, exactly
            made = z.production_vertex
            ins = sorted(p.pid for p in made.particles_in)
            if made.status == 23:  # meson decay: pi0/eta -> gamma Z'
                meson = made.particles_in[0]
                assert meson.pid in (111, 221) and meson.status == 2
                assert sorted(p.pid for p in made.particles_out) == [22, 32] and _conserved(made)
                origin = meson.production_vertex
                assert origin.status == 22 and sorted(p.status for p in origin.particles_in) == [4, 20]
                kinds["meson"] = kinds.get("meson", 0) + 1
            else:  # the beam radiates: beam + nucleus -> Z' + proton
                assert made.status == 22 and ins[0] == 2212
                out = {p.pid: p for p in made.particles_out}
                assert set(out) == {32, 2212} and out[2212].status == 1
                assert out[2212].generated_mass == pytest.approx(0.93827, abs=1e-4)
                kinds["brems"] = kinds.get("brems", 0) + 1
            # the target nucleus: the ROOT file's, drawn in the solid where the chain started
            tgt = [p for p in e.particles if p.status == 20]
            assert len(tgt) == 1 and tgt[0].pid == ev["origin_nucleus"][i]
            # positions: the Z' made at the origin, its HNLs at the production vertex
            assert made.position.z == pytest.approx(ev["origin_z"][i] * 1e3, abs=1e-6)
            assert prim.position.z == pytest.approx(ev["prod_z"][i] * 1e3, abs=1e-6)
            assert e.weights[0] == pytest.approx(ev["weight"][i], rel=1e-12)
    assert kinds.get("meson", 0) > 50 and kinds.get("brems", 0) > 50


def test_chain_columns_and_the_nucleus_of_each_solid(chain_files):
    _, _, ev = chain_files
    gp = ev["grandparent_pdg"]
    assert set(np.unique(gp)) <= {111, 221, 2212}
    assert np.all(ev["n_siblings"] == 2)
    for i in range(0, gp.size, 37):  # siblings: the other HNL (made with the LLP) and X's partner
        assert list(ev["sibling_generation"][i]) == [0, 1]
        assert ev["sibling_pdg"][i][0] == 9900012 and ev["sibling_pdg"][i][1] == (2212 if gp[i] == 2212 else 22)
        # X = LLP + the other HNL; the grandparent = X + its partner
        x = np.array([ev["parent_px"][i], ev["parent_py"][i], ev["parent_pz"][i], ev["parent_e"][i]])
        n1 = np.array([ev["llp_px"][i], ev["llp_py"][i], ev["llp_pz"][i], ev["llp_e"][i]])
        sib = np.array([[ev[f"sibling_{c}"][i][k] for c in ("px", "py", "pz", "e")] for k in range(2)])
        assert np.allclose(n1 + sib[0], x, atol=1e-9)
        if gp[i] != 2212:
            g = np.array([ev[f"grandparent_{c}"][i] for c in ("px", "py", "pz", "e")])
            assert np.allclose(x + sib[1], g, atol=1e-9)
    # bremsstrahlung in the absorber (code 305) starts on iron, in the target (304) on beryllium
    ch, nuc = ev["channel"], ev["origin_nucleus"]
    assert np.all(nuc[ch == 304] == 1000040090)
    assert np.mean(nuc[ch == 305] == 1000260560) > 0.99
    assert np.all(ev["origin_known"] == 1)


def test_running_cross_section_gives_the_expected_signal_back(chain_files):
    stem, s, ev = chain_files
    run_, events = parse(stem + ".hepmc3")
    ref = float(run_["attrs"]["fipgen.xsec_reference_pb"])
    assert ref == pytest.approx(sigma_reference_pb(load_beamline("bnb")), rel=1e-9)
    # Be: 1 / (n lambda_I) = A / (N_A lambda_I[g/cm2]) = 9.012 / (6.022e23 x 77.8) cm2 = 192 mb
    assert ref == pytest.approx(9.0122 / (6.02214e23 * 77.8) * 1e36, rel=0.01)
    pot = float(run_["attrs"]["NuHepMC.Exposure.POT"])
    cs = [float(x) for x in events[-1]["attrs"][(0, "GenCrossSection")].split()]
    assert cs[0] / ref * pot == pytest.approx(ev["weight"].sum(), rel=1e-6)
    assert cs[1] / ref * pot == pytest.approx(math.sqrt((ev["weight"] ** 2).sum()), rel=1e-6)
    assert cs[2] == len(events) and cs[3] == s.n_trials
    # the alternative weights' estimates: the bb variation
    assert cs[4] / ref * pot == pytest.approx(ev["weight_bb"].sum(), rel=1e-6)


def test_hepmc2_keeps_the_graph_process_and_signal_vertex(chain_files):
    stem, _, ev = chain_files
    lines = Path(stem + ".hepmc2").read_text().splitlines()
    heads = [ln.split() for ln in lines if ln.startswith("E ")]
    assert len(heads) == ev["weight"].size
    assert [int(h[6]) for h in heads] == ev["channel"].tolist()  # signal_process_id
    vstat, signal = [], []
    for ln in lines:
        f = ln.split()
        if ln.startswith("E "):
            vstat.append({})
            signal.append(int(f[7]))
        elif ln.startswith("V "):
            vstat[-1][int(f[1])] = int(f[2])
    assert all(v[s] == 1 for v, s in zip(vstat, signal))  # the signal vertex is the primary
    assert sum(ln.startswith("C ") for ln in lines) == len(heads)


@pytest.fixture(scope="module")
def kaon_files(tmp_path_factory):
    return _files_and_events(tmp_path_factory, "sbnd_hnl_kaon.toml", ("root", "hepmc3", "hepevt"))


def test_hnl_from_kaons_carries_the_kaon_and_its_lepton(kaon_files):
    import pyhepmc

    stem, _, ev = kaon_files
    two_body = 0
    with pyhepmc.open(stem + ".hepmc3") as f:
        for i, e in enumerate(f):
            llp = [p for p in e.particles if p.pid == 9900012][0]
            prim = llp.production_vertex
            assert prim.status == 1
            k = prim.particles_in[0]
            assert abs(k.pid) in (321, 130) and k.pid == ev["parent_pdg"][i] and k.status == 2
            assert k.production_vertex.status == 22
            others = [p for p in prim.particles_out if p is not llp and p.id != llp.id]
            if abs(k.pid) == 321:  # K+ -> mu+ N (-13), K- -> mu- N: exactly two-body
                assert [p.pid for p in others] == [-13 * np.sign(k.pid)]
                assert _conserved(prim)
                two_body += 1
            else:  # K_L -> pi l N: the pion and lepton are not simulated (only the N energy)
                assert others == []
    assert two_body > 100
    flight = ev["origin_known"] == 1
    assert flight.mean() > 0.5  # transported kaons keep their production point
    p = np.hypot(np.hypot(ev["parent_px"], ev["parent_py"]), ev["parent_pz"])
    moved = np.hypot(ev["prod_z"] - ev["origin_z"], ev["prod_x"] - ev["origin_x"])
    assert np.median(moved[flight & (p > 1.0)]) > 0.5  # decays in flight happen downstream of where made


def test_edepsim_reads_the_hepevt_with_the_marley_flavour(kaon_files):
    stem, _, ev = kaon_files
    got = read_edepsim_hepevt(stem + ".hepevt", "marley", force_time_ns=None)  # /generator/time/set free
    assert got["stop"] == "end of input" and len(got["events"]) == ev["weight"].size
    for i in range(0, ev["weight"].size, 23):
        (v,) = got["events"][i]
        assert [v["x_mm"], v["y_mm"], v["z_mm"]] == pytest.approx(
            [ev["decay_det_x"][i] * 1e3, ev["decay_det_y"][i] * 1e3, ev["decay_det_z"][i] * 1e3], abs=1e-3)
        assert v["t_ns"] == pytest.approx(ev["decay_t"][i], rel=1e-8)
        prim = v["primaries"]  # exactly the decay products: not the beam, the kaon or the muon
        assert sorted(p["pdg"] for p in prim) == sorted(ev["daughter_pdg"][i].tolist())
        assert sum(p["pz_mev"] for p in prim) == pytest.approx(ev["daughter_det_pz"][i].sum() * 1e3, rel=1e-7)
    # edep-sim's default flavour expects 8 columns: it stops at the first particle line
    assert read_edepsim_hepevt(stem + ".hepevt")["stop"] == "aborted"


def test_hepmc3_in_the_detector_frame(tmp_path):
    import pyhepmc

    stem, _ = _gen(tmp_path, "icarus_dark_photon.toml", 2500, ("root", "hepmc3"), hepmc_frame="detector")
    with uproot.open(stem + ".root") as f:
        ev = f["events"].arrays(library="np")
    with pyhepmc.open(stem + ".hepmc3") as f:
        for i, e in enumerate(f):
            if i % 17:
                continue
            dv = [v for v in e.vertices if v.status == 21][0]
            assert [dv.position.x, dv.position.y, dv.position.z] == pytest.approx(
                [ev["decay_det_x"][i] * 1e3, ev["decay_det_y"][i] * 1e3, ev["decay_det_z"][i] * 1e3], abs=1e-6)
            pz = sorted(p.momentum.pz for p in dv.particles_out)
            assert pz == pytest.approx(sorted(ev["daughter_det_pz"][i].tolist()), abs=1e-12)
        assert "detector frame" in str(e.run_info.attributes["fipgen.frame"])


def test_nucleus_draw_follows_the_collision_shares():
    mat = get_material("concrete")
    codes, p = collision_shares(mat)
    frac = dict(mat.composition)
    w = np.array([frac[s] / a * a**0.71 for s, _, a in mat.elements])
    assert p == pytest.approx(w / w.sum(), rel=1e-12) and p.sum() == pytest.approx(1.0)
    bl = load_beamline("numi")  # its pipe shielding is concrete (10 elements)
    (k,) = [k for k, el in enumerate(bl.elements()) if el.name == "pipe_shielding"]
    pts = bl.elements()[k].solid.sample_points(200_000, np.random.default_rng(3))
    pts = pts[solid_at(bl, pts) == k]  # (where it overlaps an earlier solid, that one owns the point)
    got = nucleus_at(bl, pts, np.random.default_rng(4).random(len(pts)))
    n = len(pts)
    assert n > 100_000
    for c, q in zip(codes, p):
        k = np.sum(got == c)
        assert abs(k - n * q) < 5 * math.sqrt(n * q * (1 - q)) + 1, (c, k, n * q)


@pytest.mark.parametrize("name", ["bnb", "numi", "lbnf", "bnb_dump"])
def test_compiled_nucleus_draw_is_its_numpy_reference(name):
    """nucleus_at (one compiled pass) gives nucleus_at_numpy's codes: points in every solid, near
    them (some in none: the target's material), rows of NaN, and uniforms at the shares' edges."""
    bl = load_beamline(name)
    rng = np.random.default_rng(12)
    pts = [el.solid.sample_points(2000, rng) for el in bl.elements()]
    pts = np.concatenate([*pts, *(p + rng.normal(0, 0.5, p.shape) for p in pts)])
    pts[::991] = np.nan
    u = rng.random(len(pts))
    cdfs = np.concatenate([np.cumsum(collision_shares(el.material)[1]) for el in bl.elements()])
    u[: min(len(u), cdfs.size)] = np.clip(cdfs[: len(u)], 0.0, np.nextafter(1.0, 0.0))  # exactly on the edges
    owner = solid_at(bl, pts)
    assert np.any(owner < 0)
    got = nucleus_at(bl, pts, u, owner)
    assert got.dtype == np.int32
    assert np.array_equal(got, nucleus_at_numpy(bl, pts, u, owner))
    assert np.array_equal(nucleus_at(bl, pts, u), got)


@pytest.mark.parametrize("name", ["bnb", "numi", "lbnf", "bnb_dump", "darkquest_beam", "e137"])
def test_compiled_solid_at_is_the_solids_own_test(name):
    """solid_at (one compiled pass over the beamline's solids) against each solid's own
    ``contains`` in order: points drawn in every solid, around them, and rows of NaN."""
    bl = load_beamline(name)
    rng = np.random.default_rng(11)
    pts = [el.solid.sample_points(3000, rng) for el in bl.elements()]
    pts = np.concatenate([*pts, *(p + rng.normal(0, 0.5, p.shape) for p in pts)])  # inside and near each solid
    pts[::997] = np.nan
    got = solid_at(bl, pts)
    want = solid_at_numpy(bl, pts)
    assert np.array_equal(got, want)
    assert len(set(got.tolist())) >= min(3, len(bl.elements()) + 1)  # several owners, and -1
    assert np.all(got[::997] == -1)


def test_columns_of_files_written_before_the_record_are_filled_in(chain_files):
    from fipgen.events import COLLECTIONS, RECORD_SINCE, SCALARS, EventBatch, with_record_defaults

    _, _, ev = chain_files
    old = {k: v for k, v in ev.items() if k not in RECORD_SINCE and not k.startswith("sibling_")}
    got = with_record_defaults(old)
    n = ev["weight"].size
    batch = EventBatch({k: got[k] for k in SCALARS if not k.startswith("weight_") or k in got},
                       {c: got[cnt].astype(np.int64) for c, (cnt, _) in COLLECTIONS.items()},
                       {c: {f: np.concatenate(list(got[f"{c}_{f}"])).astype(d) if n else np.zeros(0, d)
                            for f, (d, _) in fields.items()} for c, (_, fields) in COLLECTIONS.items()})
    assert len(batch) == n and batch.counts["sibling"].sum() == 0
    assert np.array_equal(batch.scalars["origin_z"], ev["prod_z"])
    assert np.all(batch.scalars["origin_known"] == 0) and np.all(batch.scalars["origin_solid"] == -1)

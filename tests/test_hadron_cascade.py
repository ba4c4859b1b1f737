"""The hadron cascade in a beamline's solids (fipgen.cascade): geometry, conservation,
decays at rest, reproducibility, the scalar look-ups and path kernel the engine's speed
rests on (the same bits as numpy and the Python reference), its output pinned, and a user
beamline at an energy no packaged one has, whose pi0 and eta channels run from its own
cascade with no code change.

Needs pythia8mc (a run-time dependency).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from fipgen.cascade.engine import HadronCascade
from fipgen.cascade.pythia import CascadeSettings
from fipgen.cascade.records import DECAY_AT_REST, DECAY_IN_FLIGHT, EM_SEED, PRODUCED
from fipgen.cascade.stepping import LEFT, STOPPED, StoppingLookup, glide, interp
from fipgen.cascade.world import world_of
from fipgen.errors import GeometryError
from fipgen.geometry import load_beamline
from fipgen.geometry.materials import get_material
from fipgen.geometry.stopping import stopping_table

pytest.importorskip("pythia8mc")

_BEAMLINE = """
[beamline]
kind = "beamline"
name = "iron20"
title = "20 GeV protons on a 1 m iron block, a concrete wall behind"
beam_particle = {beam}
beam_momentum = {p}
sources = ["test"]
{sources}
[beamline.target]
material = "Fe"
shape = "box"
size = [0.6, 0.6, 1.0]
position = [0.0, 0.0, 0.5]

[[beamline.solids]]
name = "wall"
material = "concrete"
shape = "box"
size = [3.0, 3.0, 1.0]
position = [0.0, 0.0, 1.6]

[[beamline.solids]]
name = "core"
material = "Al"
shape = "box"
size = [0.2, 0.2, 0.2]
position = [0.0, 0.0, 1.6]
"""


def _beamline(tmp_path, beam=2212, p=20.0, sources="") -> str:
    path = tmp_path / "iron20.toml"
    path.write_text(_BEAMLINE.format(beam=beam, p=p, sources=sources))
    return str(path)


def test_beamline_solids_are_read_and_the_first_listed_owns_an_overlap(tmp_path):
    bl = load_beamline(_beamline(tmp_path))
    assert [e.name for e in bl.elements()] == ["target", "wall", "core"]
    assert [e.material.name for e in bl.solids] == ["concrete", "Al"]
    w = world_of(bl)
    path = w.path(np.array([0.0, 0.0, -1.0]), np.array([0.0, 0.0, 1.0]))
    # iron 0-1 m, concrete 1.1-1.5, the aluminium core inside the wall is the wall's (listed first), 1.5-2.1
    assert [k for _, _, k in path] == [0, 1]
    assert path[1][0] == pytest.approx(2.1) and path[1][1] == pytest.approx(3.1)
    # listed before the wall, the core owns its part: the wall's chord is split around it
    text = Path(bl.path).read_text()
    core = text[text.index('[[beamline.solids]]\nname = "core"'):]
    wall = text[text.index('[[beamline.solids]]\nname = "wall"'):text.index(core)]
    (tmp_path / "swapped.toml").write_text(text.replace(wall, "").replace(core, core + "\n" + wall))
    w2 = world_of(load_beamline(str(tmp_path / "swapped.toml")))
    path2 = w2.path(np.array([0.0, 0.0, -1.0]), np.array([0.0, 0.0, 1.0]))
    assert [w2.regions[k].name for _, _, k in path2] == ["target", "wall", "core", "wall"]
    assert path2[2][0] == pytest.approx(2.5) and path2[2][1] == pytest.approx(2.7)


def test_solid_names_must_differ(tmp_path):
    text = Path(_beamline(tmp_path)).read_text().replace('name = "core"', 'name = "wall"')
    (tmp_path / "dup.toml").write_text(text)
    with pytest.raises(GeometryError, match=r"beamline.solids\[1\].name.*already used"):
        load_beamline(str(tmp_path / "dup.toml"))


def test_path_kernel_is_its_python_reference(tmp_path):
    """``World.path`` (one numba call) gives the very segments of ``World.path_numpy`` (the
    chords of ``primitive_intervals``, precedence resolved in Python), overlaps included."""
    w = world_of(load_beamline(_beamline(tmp_path)))
    rng = np.random.default_rng(3)
    for i in range(3000):
        o = rng.uniform([-2.0, -2.0, -1.0], [2.0, 2.0, 3.5])
        d = rng.normal(size=3)
        d[2] = abs(d[2]) * (8.0 if i % 2 else 1.0)
        d = np.array([0.0, 0.0, 1.0]) if i % 7 == 0 else d / np.linalg.norm(d)
        assert w.path(o, d) == w.path_numpy(o, d)
    # the axis meets the core inside the wall: the wall, owner of the overlap, is one segment
    assert [k for *_, k in w.path((0.0, 0.0, -1.0), (0.0, 0.0, 1.0))] == [0, 1]


def test_scalar_lookups_are_numpy_to_the_bit():
    """The engine's one-float look-ups give numpy's bits: ``interp`` as ``np.interp``
    (inside, at nodes, at and beyond both ends), ``StoppingLookup`` as ``StoppingTable``."""
    rng = np.random.default_rng(8)
    xp = np.cumsum(rng.uniform(0.01, 1.0, 200))
    fp = rng.normal(size=200)
    xs = np.concatenate([rng.uniform(xp[0] - 1, xp[-1] + 1, 20000), xp, [xp[0], xp[-1], -1e300, 1e300]])
    got = np.array([interp(float(x), xp.tolist(), fp.tolist()) for x in xs])
    assert np.array_equal(got, np.interp(xs, xp, fp))
    assert math.isnan(interp(math.nan, xp.tolist(), fp.tolist()))
    for mass, mat in ((0.13957, "Fe"), (0.105658, "concrete"), (0.938272, "C")):
        table = stopping_table(mass, get_material(mat))
        look = StoppingLookup(table)
        p = np.exp(rng.uniform(math.log(1e-3), math.log(1e4), 5000))
        assert all(look.range_m(float(v)) == float(table.range_m(v)) for v in p)
        r = np.exp(rng.uniform(math.log(1e-4), math.log(1e5), 5000))
        assert all(look.momentum(float(v)) == float(table.momentum(v)) for v in r)


def test_glide_ranges_out_and_crosses():
    """A stable muon glides to the end of its CSDA range, losing all its kinetic energy to
    ionisation; given a shorter segment, it leaves at its end with the residual range."""
    m, p0 = 0.105658, 0.3
    look = StoppingLookup(stopping_table(m, get_material("Fe")))
    e0 = math.hypot(p0, m)
    r0 = look.range_m(p0)
    end, s, p, e, t, tau, ion, here = glide(look, m, p0, e0, 0.0, math.inf, 0.0, 10.0, 0.2, 1.0, 0.0, -math.inf)
    assert end == STOPPED and p == 0.0 and e == m
    assert s == pytest.approx(r0, rel=1e-9)
    assert ion - 1.0 == pytest.approx(e0 - m, rel=1e-12) and here == pytest.approx(e0 - m, rel=1e-12)
    assert r0 / 0.2998 < t < 2 * r0 / 0.2998  # slower than light (beta <= 0.94), mostly near it
    end, s, p, *_ = glide(look, m, p0, e0, 0.0, math.inf, 0.0, 0.3 * r0, 0.2, 0.0, 0.0, -math.inf)
    assert end == LEFT and s == pytest.approx(0.3 * r0, rel=1e-12)
    assert look.range_m(p) == pytest.approx(0.7 * r0, rel=1e-6)


#: Digest of the records and ledger of ``_pinned_run`` (float32-rounded, as
#: tests/test_event_checksums.py): a speed-up of the engine must leave it unchanged; a change
#: of physics changes it, in its own commit. Since Pythia's interpolation for untabulated
#: mass numbers is redone (``CascadeSettings.nucleus_interpolation``: the beamline's concrete
#: wall; with it off the run gives the previous (1493, 3, "cd773a1c8797f352"), with
#: ``pn_isospin`` off too (1321, 6, "2c64302e47eeeb28"), with ``nn_isospin`` off too the first
#: commit's (1472, 7, "c4439506eba5dcaa")). With the intranuclear cascade
#: (``CascadeSettings.intranuclear``) off: ``PINNED_BEFORE_INC``, the engine before it.
PINNED_CASCADE = (1107, 10, "514172157184fbdf")
PINNED_BEFORE_INC = (1358, 3, "cfd523a5fe93e514")


def _pinned_run(tmp_path, settings=None):
    res = HadronCascade(world_of(load_beamline(_beamline(tmp_path))), 2212, 20.0, settings=settings, seed=3).run(15)
    h = hashlib.sha256()
    for f in ("pot", "kind", "pdg", "region", "generation", "x", "y", "z", "t", "px", "py", "pz", "e"):
        a = res.records[f]
        h.update(f.encode())
        h.update(np.ascontiguousarray(a.astype(np.float32) if a.dtype.kind == "f" else a).tobytes())
    for k in sorted(res.ledger):
        if k == "nuclear" and not settings.intranuclear:
            continue  # (the term the intranuclear cascade added: 0 without it)
        h.update(k.encode())
        h.update(np.float32(res.ledger[k]).tobytes())
    return res.records.size, res.failed_collisions, h.hexdigest()[:16]


def test_cascade_output_is_pinned(tmp_path):
    assert _pinned_run(tmp_path, CascadeSettings()) == PINNED_CASCADE
    # without the intranuclear cascade, the engine before it, to the bit
    assert _pinned_run(tmp_path, CascadeSettings(intranuclear=False)) == PINNED_BEFORE_INC


def test_cascade_conserves_energy_and_is_reproducible(tmp_path):
    bl = load_beamline(_beamline(tmp_path))
    w = world_of(bl)
    runs = [HadronCascade(w, 2212, 20.0, seed=s).run(12) for s in (11, 11, 12)]
    a, b, c = runs
    assert np.array_equal(a.records, b.records) and a.ledger == b.ledger
    assert not (a.records.size == c.records.size and np.array_equal(a.records, c.records))
    led = a.ledger
    e_in = led["beam"] + led["struck_nucleons"]
    e_out = sum(v for k, v in led.items() if k not in ("beam", "struck_nucleons", "imbalance"))
    # every particle ends in one ledger term: the books close to rounding
    assert e_out - led["imbalance"] == pytest.approx(e_in, rel=1e-12)
    # Pythia's own non-conservation (Check:epTolErr = 1e-2 per collision) stays far below 1 %
    assert abs(led["imbalance"]) < 0.01 * led["beam"]
    assert led["beam"] == pytest.approx(12 * math.hypot(20.0, 0.93827), rel=1e-5)
    rec = a.records
    # 1 m of iron is 6 interaction lengths: nearly every proton interacts, pi0 are made
    # throughout the iron and their photons seed showers there
    pi0 = rec[(rec["kind"] == PRODUCED) & (rec["pdg"] == 111)]
    assert pi0.size > 12 * 3 and set(np.unique(pi0["region"])) >= {0}
    assert np.all((pi0["z"][pi0["region"] == 0] >= 0.0) & (pi0["z"][pi0["region"] == 0] <= 1.0))
    assert (rec["kind"] == EM_SEED).sum() > 2 * pi0.size * 0.9


def test_stopped_kaons_decay_at_rest_isotropically_with_the_pdg_branching(tmp_path):
    """K+ of 0.25 GeV/c (T = 60 MeV, below the interaction threshold) stop in iron within a
    few cm; ~1 % decay in flight first (c tau = 3.7 m). At rest, K+ -> pi+ pi0 (BR 20.67 %,
    PDG 2024) gives a pi0 of 205.1 MeV/c, isotropic."""
    bl = load_beamline(_beamline(tmp_path, beam=321, p=0.25))
    n = 1500
    rec = HadronCascade(world_of(bl), 321, 0.25, seed=5).run(n).records
    dar = rec[(rec["kind"] == DECAY_AT_REST) & (rec["pdg"] == 321)]
    dif = rec[(rec["kind"] == DECAY_IN_FLIGHT) & (rec["pdg"] == 321)]
    assert dar.size + dif.size == n
    assert 0.9 * n < dar.size
    assert np.all(dar["region"] == 0) and np.all(dar["z"] < 0.1)
    # the pi0 of K+ -> pi+ pi0 at rest: at the stopping points, with p* = 205.14 MeV
    pi0 = rec[(rec["kind"] == PRODUCED) & (rec["pdg"] == 111) & (rec["pot"] >= 0)]
    p = np.sqrt(pi0["px"] ** 2 + pi0["py"] ** 2 + pi0["pz"] ** 2)
    two_body = pi0[np.abs(p - 0.20514) < 0.002]
    br = two_body.size / dar.size
    sigma = math.sqrt(0.2067 * (1 - 0.2067) / dar.size)
    assert abs(br - 0.2067) < 4 * sigma, (br, sigma)
    ct = two_body["pz"] / 0.20514
    assert stats.kstest(ct, "uniform", args=(-1.0, 2.0)).pvalue > 1e-3
    phi = np.arctan2(two_body["py"], two_body["px"])
    assert stats.kstest(phi, "uniform", args=(-math.pi, 2 * math.pi)).pvalue > 1e-3


def test_kaon_decays_of_the_cascade_become_hnl_parents_at_their_points(tmp_path):
    """The cascade's K+ decays at rest and in flight, tabulated and served as parents: as many
    decays per POT as recorded, at rest with zero momentum in the iron, at the stopping time plus
    the K+ rest lifetime (12.38 ns)."""
    from fipgen.cascade.tables import make_tables
    from fipgen.production.sources.cascade_sources import cascade_parents

    bl = load_beamline(_beamline(tmp_path, beam=321, p=0.25))
    w = world_of(bl)
    n = 800
    res = HadronCascade(w, 321, 0.25, seed=9).run(n)
    rec = res.records
    dar = rec[(rec["kind"] == DECAY_AT_REST) & (rec["pdg"] == 321)]
    dif = rec[(rec["kind"] == DECAY_IN_FLIGHT) & (rec["pdg"] == 321)]
    arrays, header = make_tables(res, w, 0.25, {"made_by": "test", "pythia": {"version": "x"}, "seed": 9})
    par = cascade_parents(arrays, header, 321, "the test beamline")
    assert par.per_pot == pytest.approx((dar.size + dif.size) / n, rel=1e-12)
    d = par(40_000, np.random.default_rng(2))
    f_rest = dar.size / (dar.size + dif.size)
    assert abs(d.at_rest.mean() - f_rest) < 5 * math.sqrt(f_rest * (1 - f_rest) / 40_000)
    rest = d.at_rest
    assert np.all(d.p4[rest, :3] == 0.0) and np.allclose(d.p4[rest, 3], 0.493677, rtol=1e-4)
    assert np.all((d.vertex[rest, 2] >= 0.0) & (d.vertex[rest, 2] <= 0.1))  # stopped in the first cm of iron
    assert np.all(d.weight == par.per_pot)
    # time at rest = stopping time (binned) + exponential K+ lifetime (PDG 12.38 ns)
    lag = d.time[rest].mean() - dar["t"].mean()
    assert lag == pytest.approx(12.38, abs=5 * 12.38 / math.sqrt(rest.sum()) + 0.05)


def _aim(det_path):
    from fipgen.geometry import load_detector

    d = load_detector(str(det_path))
    return d.active_beam


def test_a_user_beamline_at_20_gev_gives_pi0_and_eta_channels_from_its_cascade(tmp_path, monkeypatch, run_cli):
    """No packaged table exists at 20 GeV/c: ``mesons = "cascade"`` builds the beamline's own
    sources on first use (cached), and the meson channels run from them."""
    monkeypatch.setenv("FIPGEN_CACHE_DIR", str(tmp_path / "cache"))
    bl_path = _beamline(tmp_path, sources='[beamline.particle_sources]\nmesons = "cascade"\ncascade_pot = 40\n'
                                          'cascade_showers = 400\n')
    code, out, err = run_cli(["sources", bl_path])
    assert code == 0, err
    assert "iron20" in out and "40 POT" in out and "pi0" in out
    from fipgen.cascade.build import load_tables

    arrays, head = load_tables(next((tmp_path / "cache" / "sources").glob("iron20-*.npz")))
    # the EM cascade ran in the iron and in the concrete wall, each from its own seeds
    assert {"dL_gamma_0", "dL_eplus_0", "dL_gamma_1"} <= set(arrays)
    sh = head["showers"]["solids"]
    for rk in ("0", "1"):  # energy-weighted seed sampling gives back each solid's seed energy (e+ rest mass aside)
        recorded = sum(v["energy_per_pot"] for v in head["multiplicities"][rk]["seed"].values())
        assert sh[rk]["seed_energy_per_pot_GeV"] == pytest.approx(recorded, rel=5e-3)
    for rk in ("0", "1"):  # the showers' energy books: deposited + escaped + below cut = seed energy (batch mean)
        s_ = sh[rk]
        tot = s_["deposited_per_pot_GeV"] + s_["escaped_per_pot_GeV"] + s_["below_cut_per_pot_GeV"]
        assert tot == pytest.approx(s_["seed_energy_per_pot_GeV"] + s_["photons_in_from_other_solids_per_pot_GeV"],
                                    rel=1e-6)
    assert sh["1"]["photons_in_from_other_solids_per_pot_GeV"] > 0  # the iron's forward photons shower in the wall
    cached = list((tmp_path / "cache" / "sources").glob("iron20-*.npz"))
    assert len(cached) == 1
    det = tmp_path / "det.toml"
    det.write_text(f"""
[detector]
kind = "detector"
name = "det"
title = "a 4 m cube 100 m downstream"
beamline = "{bl_path}"
material = "LAr"
exposure_pot = 1e20
sources = ["test"]
[detector.frame]
origin = [0.0, 0.0, 100.0]
[[detector.volumes]]
name = "box"
shape = "box"
size = [4.0, 4.0, 4.0]
position = [0.0, 0.0, 2.0]
""")
    card = tmp_path / "card.toml"
    card.write_text(f"""
[experiment]
detector = "{det}"
[model]
zprime = {{ kind = "dark-photon", mass = 0.1, coupling = 1e-5 }}
[signal]
produce = ["zprime:pi0", "zprime:eta", "zprime:bremsstrahlung"]
detect = "zprime:decay"
[run]
events = 3000
seed = 4
""")
    alp_card = tmp_path / "alp.toml"
    alp_card.write_text(f"""
[experiment]
detector = "{det}"
[model]
alp = {{ mass = 0.02, g_gamma = 1e-5 }}
[signal]
produce = ["alp:primakoff"]
detect = "alp:decay"
[run]
events = 3000
seed = 4
""")
    code, out, err = run_cli(["yields", str(card), "--json"])
    assert code == 0, err
    import json

    y = json.loads(out)
    text = json.dumps(y)
    assert "zprime:pi0" in text and "zprime:eta" in text and "zprime:bremsstrahlung" in text
    from fipgen.production.sources.resolve import meson_source

    src = meson_source(load_beamline(bl_path), 111)
    assert "cascade" in src.provenance and src.per_pot > 1.0  # pi0 of all generations in 1 m of iron
    pts = src.points.sample(2000, np.random.default_rng(1))
    # made in the iron (0-1 m) and the wall behind it (1.1-2.1 m), nowhere else
    assert np.all(((pts[:, 2] >= 0) & (pts[:, 2] <= 1.0)) | ((pts[:, 2] >= 1.1) & (pts[:, 2] <= 2.1)))
    assert len(list((tmp_path / "cache" / "sources").glob("iron20-*.npz"))) == 1  # reused, not rebuilt
    # shower ALPs from the showers of both solids, each on its own material, no code change
    code, out, err = run_cli(["yields", str(alp_card), "--json"])
    assert code == 0, err
    ya = json.loads(out)
    assert ya["channels"]["alp:primakoff"]["llp_per_pot"] > 0 and ya["total_expected_events"] > 0
    from fipgen.production.channels.alp_shower import ShowerALPMixture, shower_channel
    from fipgen.pipeline import build_model  # noqa: F401  (the card's model through the job)
    from fipgen.models.registry import make_model

    ch = shower_channel("primakoff", make_model("alp", mass=0.02, g_gamma=1e-5), load_beamline(bl_path))
    assert isinstance(ch, ShowerALPMixture) and [p.part.name for p in ch.parts] == ["target", "wall"]
    assert [p.part.material.name for p in ch.parts] == ["Fe", "concrete"]
    v = ch.sample(4000, np.random.default_rng(3), None, _aim(det)).vertex
    assert np.all(((v[:, 2] >= 0) & (v[:, 2] <= 1.0)) | ((v[:, 2] >= 1.1) & (v[:, 2] <= 2.1)))


def test_cascade_with_fits_replaces_the_targets_first_generation_and_keeps_the_rest():
    """BNB (packaged cascade table): the target's generation-1 pi0 and K+ come from the measured
    fits the file names (Sanford-Wang, Feynman scaling), every later generation and the absorber
    from the cascade; nothing counted twice."""
    from fipgen.cascade.build import load_tables  # noqa: F401
    from fipgen.production.channels.hnl_sources import parents_callable
    from fipgen.production.sources.resolve import (
        cascade_parent_decays,
        cascade_tables,
        first_interaction_view,
        meson_source,
        with_cascade_sources,
    )

    bl = with_cascade_sources(load_beamline("bnb"), measured=True)
    assert dict(bl.particle_sources)["first_interactions"] == "bnb-sanford-wang"
    arrays, head = cascade_tables(bl)
    n = head["n_pot"]
    later = sum(float(arrays[k].sum()) for k in arrays if k.startswith("prod_111_") and not k.endswith("_v"))
    later -= float(arrays["prod1_111_0"].sum())
    fit = meson_source(first_interaction_view(bl), 111)
    src = meson_source(bl, 111)
    assert src.per_pot == pytest.approx(fit.per_pot + later / n, rel=1e-12)
    assert "measured first interactions" in src.provenance
    # K+ decays: transported fit + the cascade's decays without those of the target's
    # generation 1, in whichever solid they happen
    cnt = lambda tag: sum(float(arrays[k].sum()) for k in arrays  # noqa: E731
                          if k.startswith(f"x{tag}_321_") and k.count("_") == 2)
    first = sum(float(arrays[k].sum()) for k in arrays if k.startswith(("xdif1_321_", "xdar1_321_")))
    casc_later = cascade_parent_decays(bl, 321, later_only=True)
    assert casc_later.per_pot == pytest.approx((cnt("dif") + cnt("dar") - first) / n, rel=1e-12)
    par = parents_callable(bl, 321)
    assert par.per_pot > casc_later.per_pot
    d = par(20_000, np.random.default_rng(1), bl)
    # the mixture's weights keep its normalisation: mean weight = decays per POT
    assert d.weight.mean() == pytest.approx(par.per_pot, rel=0.03)
    # decays at rest in the 50 m steel absorber come only from the cascade
    far = d.at_rest & (d.vertex[:, 2] > 49.0)
    assert far.any()


def test_charm_comes_from_the_beams_first_collisions_in_every_solid():
    """NuMI's cascade (packaged table): Ds+ per POT = sum over solids of the beam's first
    collisions per POT x A sigma_cc / sigma_inel(pA) x Ds+ per ccbar event (the hard ccbar table,
    p/n mixed by the solid's Z/A); the target's share follows its interacting fraction."""
    from fipgen.geometry.materials import AVOGADRO
    from fipgen.production.sources.meson_tables import CHARM_FILE, read_table
    from fipgen.production.sources.resolve import cascade_tables, meson_source, with_cascade_sources

    bl = with_cascade_sources(load_beamline("numi"))
    arrays, head = cascade_tables(bl)
    tab, th = read_table(CHARM_FILE)
    sig = th["charm_cross_section"]["sigma_cc_ub_per_nucleon"] * 1e-30
    expected = 0.0
    firsts = {}
    for rk, info in head["regions"].items():
        if rk == "v":
            continue
        f = sum(float(arrays[k].sum()) for k in arrays if k.startswith("coll1_") and k.endswith(f"_{rk}"))
        firsts[info["name"]] = f / head["n_pot"]
        mat = load_beamline("numi").elements()[int(rk)].material
        za = mat.z_over_a
        per_ccbar = (za * tab["counts_pp_431"].sum() / th["runs"]["pp"]["n_events"]
                     + (1 - za) * tab["counts_pn_431"].sum() / th["runs"]["pn"]["n_events"])
        expected += f / head["n_pot"] * mat.A * sig / (mat.A / (AVOGADRO * mat.interaction_length)) * per_ccbar
    src = meson_source(bl, 431)
    assert src.per_pot == pytest.approx(expected, rel=1e-9)
    # 0.95 m of graphite = 1.98 lambda_I: 86 % of the beam's first collisions happen there (PDG lambda_I;
    # Pythia's sigma_inel is 1.9 % lower), the rest mostly in the aluminium absorber
    assert firsts["target"] == pytest.approx(0.859, abs=0.02)
    assert firsts["absorber"] > 0.05 and sum(firsts.values()) <= 1.0
    assert "later collisions left out" in src.provenance
    pts = src.points.sample(3000, np.random.default_rng(2))
    in_target = (pts[:, 2] >= 0) & (pts[:, 2] <= 0.9538)
    share = src.points.shares[src.points.names.index("target")]
    assert share > 0.8 and abs(in_target.mean() - share) < 0.03  # drawn at the collisions of each solid


@pytest.mark.slow
def test_tables_are_the_same_whatever_the_number_of_workers(tmp_path):
    """Chunks are fixed by the beam momentum and seeded by their number: one worker or two
    processes give byte-identical arrays (hadronic tables and EM showers). Slow (90 s: two
    builds of three 400 GeV chunks): run by ``.ci/run``'s second step."""
    from fipgen.cascade.build import _chunk_pot, build_tables, load_tables

    bl = load_beamline(_beamline(tmp_path, p=400.0))
    n = 2 * _chunk_pot(400.0) + 3  # three chunks
    paths = [build_tables(bl, n, workers=w, progress=False, out=tmp_path / f"w{w}.npz", n_seeds=40) for w in (1, 2)]
    (a1, h1), (a2, h2) = (load_tables(p) for p in paths)
    assert h1["chunks"] == 3 and sorted(a1) == sorted(a2)
    assert all(np.array_equal(a1[k], a2[k]) for k in a1)
    assert h1["multiplicities"] == h2["multiplicities"] and h1["ledger_per_pot_GeV"] == h2["ledger_per_pot_GeV"]


def test_bremsstrahlung_radiates_where_the_cascade_put_the_beams_first_collisions():
    """NuMI on its cascade: the protons per POT colliding first in the target and in the absorber
    are the cascade's, at its points; the absorber gets fewer than the geometric (1 - f_target)
    x f_absorber because the helium of the decay pipe takes its share first."""
    from fipgen.production.channels.brems_channel import _elements
    from fipgen.production.sources.resolve import sources_variant, with_cascade_sources
    from fipgen.production.sources.vertex import interacting_fraction

    numi = load_beamline("numi")
    geo = {e.name: e.per_pot for e in _elements(sources_variant(numi, "first-interactions"), ("target", "absorber"))}
    els = {e.name: e for e in _elements(with_cascade_sources(numi), ("target", "absorber"))}
    assert set(els) == {"target", "absorber"}
    assert els["target"].per_pot == pytest.approx(interacting_fraction(numi), abs=0.02)
    assert els["absorber"].per_pot < geo["absorber"] and els["absorber"].per_pot == pytest.approx(geo["absorber"],
                                                                                                   rel=0.2)
    v = els["absorber"].vertices(2000, np.random.default_rng(1))
    assert np.all((v[:, 2] > 724.3) & (v[:, 2] < 726.8))  # in the aluminium core


def test_a_photon_leaving_its_solid_unconverted_showers_in_the_next_one(tmp_path):
    """A 100 GeV photon 0.1 m before the iron's back face, along z: it reaches the wall (1.1 m)
    with its weight times the probability of crossing 0.1 m of iron, exp(-7/9 L/X0) at high
    energy (Tsai's complete screening, X0(Fe) = 13.84 g/cm^2, PDG), within 3 % in the exponent."""
    from fipgen.cascade.showers import forward_photons

    bl = load_beamline(_beamline(tmp_path))
    w = world_of(bl)
    seeds = {"species": np.array([0, 1]), "energy": np.array([100.0, 100.0]),
             "position": np.array([[0.0, 0.0, 0.9], [0.0, 0.0, 0.9]]), "direction": np.array([[0, 0, 1.0]] * 2),
             "weight": np.array([1.0, 1.0]), "own": np.ones(2, dtype=bool)}
    out = forward_photons(w, 0, seeds)
    assert list(out) == [1] and out[1]["species"].tolist() == [0]  # photons only; the electron stays
    assert out[1]["position"][0] == pytest.approx([0.0, 0.0, 1.1])
    x0 = 13.84 / 7.874 * 1e-2
    assert -math.log(out[1]["weight"][0]) == pytest.approx(7.0 / 9.0 * 0.1 / x0, rel=0.03)
    assert not out[1]["own"].any()


def test_a_photon_crosses_every_solid_on_its_line_with_its_survival_probability(tmp_path):
    """Through iron (0.1 m left), concrete (0.4 m), an aluminium core (0.2 m) and concrete again:
    a seed in each solid further on, weighted by exp(-7/9 sum L/X0) of what lies before it."""
    from fipgen.cascade.showers import forward_photons
    from fipgen.geometry.materials import get_material

    text = Path(_beamline(tmp_path)).read_text()
    core = text[text.index('[[beamline.solids]]\nname = "core"'):]
    wall = text[text.index('[[beamline.solids]]\nname = "wall"'):text.index(core)]
    (tmp_path / "swapped.toml").write_text(text.replace(wall, "").replace(core, core + "\n" + wall))
    w = world_of(load_beamline(str(tmp_path / "swapped.toml")))
    assert w.names == ("target", "core", "wall")
    seeds = {"species": np.array([0]), "energy": np.array([100.0]), "position": np.array([[0.0, 0.0, 0.9]]),
             "direction": np.array([[0, 0, 1.0]]), "weight": np.array([1.0]), "own": np.ones(1, dtype=bool)}
    out = forward_photons(w, 0, seeds)
    x0 = {m: get_material(m).radiation_length_m for m in ("Fe", "concrete", "Al")}
    k = 7.0 / 9.0
    exp_wall = [k * 0.1 / x0["Fe"], k * (0.1 / x0["Fe"] + 0.4 / x0["concrete"] + 0.2 / x0["Al"])]
    exp_core = k * (0.1 / x0["Fe"] + 0.4 / x0["concrete"])
    assert sorted(out) == [1, 2]
    assert out[2]["position"][:, 2] == pytest.approx([1.1, 1.7])
    assert -np.log(out[2]["weight"]) == pytest.approx(exp_wall, rel=0.03)
    assert out[1]["position"][0, 2] == pytest.approx(1.5) and -math.log(out[1]["weight"][0]) == pytest.approx(
        exp_core, rel=0.03)


def test_packaged_bnb_sources_keep_each_solids_spectrum_and_points():
    """The BNB's default pi0 source: the fit's first interactions (0.9 per POT, the
    first-interaction variant's value) plus one part per solid of the cascade's later
    generations, the parts' rates adding up; a meson drawn from the absorber's part is made in
    the absorber with the absorber's spectrum, which differs from the target's."""
    from fipgen.production.sources.resolve import meson_source, sources_variant
    from fipgen.production.sources.vertex import source_sample

    bl = load_beamline("bnb")
    src = meson_source(bl, 111)
    assert meson_source(sources_variant(bl, "first-interactions"), 111).per_pot == pytest.approx(0.9)
    parts = src.components
    assert parts[0].points is None and parts[0].per_pot == pytest.approx(0.9)
    assert sum(p.per_pot for p in parts) == pytest.approx(src.per_pot, rel=1e-12)
    names = [p.provenance.rsplit("[part: ", 1)[-1] for p in parts[1:]]
    absorber = parts[1 + next(i for i, n in enumerate(names) if n.startswith("absorber"))]
    rng = np.random.default_rng(3)
    pts, p4 = source_sample(bl, absorber, 4000, rng)
    assert np.all((pts[:, 2] > 50.27) & (pts[:, 2] < 50.28 + 2.65))
    # the absorber's spectrum (a contained steel cascade: softer) is not the target's
    from scipy import stats

    target = parts[1 + names.index("target (later generations)]")]
    p_abs = np.linalg.norm(absorber.sample(20000, rng)[:, :3], axis=1)
    p_tgt = np.linalg.norm(target.sample(20000, rng)[:, :3], axis=1)
    assert np.mean(p_abs) < 0.9 * np.mean(p_tgt) and stats.ks_2samp(p_abs, p_tgt).pvalue < 1e-6
    # the joint draw picks parts in proportion to their rates
    pts, _ = source_sample(bl, src, 40000, rng)
    in_abs = np.mean(pts[:, 2] > 50.0)
    assert in_abs == pytest.approx(absorber.per_pot / src.per_pot, abs=4 * math.sqrt(0.25 / 40000))


def test_decays_of_the_targets_first_collision_are_kept_apart_wherever_they_happen():
    """The BNB table: the K+ made by the beam's first collision in the beryllium decay in the
    target, the decay pipe and the absorber; all those decays (``dif1``, ``dar1`` of every
    solid) are what the Sanford-Wang K+ replace, so "cascade+fits" leaves them all out. They
    number at most the K+ that collision made (at 0.5-3 GeV/c most interact in the steel before
    stopping, or leave the decay pipe sideways: 36 % decay), and most of them happen outside the
    target (in the pipe's air and in the vacuum around it)."""
    from fipgen.production.sources.resolve import cascade_parent_decays, cascade_tables

    bl = load_beamline("bnb")
    arrays, header = cascade_tables(bl)
    n = int(header["n_pot"])
    made = arrays["prod1_321_0"].sum() / n
    decays = {rk: sum(int(arrays[f"x{t}1_321_{rk}"].sum()) for t in ("dif", "dar") if f"x{t}1_321_{rk}" in arrays) / n
              for rk in header["regions"]}
    assert 0.2 * made < sum(decays.values()) <= made
    assert decays["0"] < 0.2 * sum(decays.values())
    every = cascade_parent_decays(bl, 321)
    later = cascade_parent_decays(bl, 321, later_only=True)
    assert later.per_pot == pytest.approx(every.per_pot - sum(decays.values()), rel=1e-9)


def test_profile_draw_kernel_matches_its_numpy_reference():
    """The compiled inverse-CDF draw of the production-point profiles (guide table, forward
    search) gives the numpy reference's numbers, bit for bit, empty bins and edges included."""
    from fipgen.production.sources.cascade_sources import _draw, _draw_kernel, _guide

    rng = np.random.default_rng(1)
    for trial in range(40):
        m = int(rng.integers(2, 80))
        c = rng.random(m) * (rng.random(m) > 0.3)
        c[-1] += 0.1
        cdf = np.minimum(np.cumsum(c) / np.sum(c), 1.0)
        edges = np.sort(rng.random(m + 1))
        u = rng.random(5000)
        u[:4] = [0.0, cdf[0], cdf[m // 2], np.nextafter(1.0, 0.0)]
        out = np.empty(u.size)
        _draw_kernel(edges, cdf, _guide(cdf), u, out)
        assert np.array_equal(out, _draw(edges, cdf, u)), trial


def test_precision_script_measures_the_tables_error_on_a_channel():
    """scripts/cascade_precision.py on the default card's pi0 channel: one row per part (the
    fit, then the cascade's solids), the fit without table error, the solids' errors finite,
    and the channel's error the quadrature of the parts' absolute errors."""
    import importlib.util
    from pathlib import Path

    from fipgen.card import load_packaged_card
    from fipgen.pipeline import build_job

    spec = importlib.util.spec_from_file_location(
        "cascade_precision", Path(__file__).resolve().parents[1] / "scripts" / "cascade_precision.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    job = build_job(load_packaged_card("sbnd_dark_photon.toml"))
    ch = next(c for c in job.channels if c.name == "zprime:pi0")
    r = mod.channel_precision(job, ch, 20000, 1)
    parts = r["parts"]
    assert parts[0]["part"] == "measured fit" and parts[0]["bins_used"] is None
    assert len(parts) == len(ch.source.components) and all(p["bins_used"] > 0 for p in parts[1:])
    assert r["signal_per_pot"] == pytest.approx(sum(p["signal_per_pot"] for p in parts), rel=1e-12)
    quad = math.sqrt(sum((p["relative_error"] * p["signal_per_pot"]) ** 2 for p in parts)) / r["signal_per_pot"]
    assert r["relative_error"] == pytest.approx(quad, rel=1e-9)
    assert 0.0 < r["relative_error"] < 0.05

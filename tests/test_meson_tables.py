"""Shipped meson tables (fluxes/*.npz) and their loader fipgen.production.sources.meson_tables."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from fipgen.errors import PhysicsError
from fipgen.geometry.loader import load_beamline
from fipgen.production.sources import meson_tables as mt
from fipgen.production.sources.meson_spectra import MesonSource, bnb_meson_source
from fipgen.production.sources.vertex import interacting_fraction
from fipgen.resources import data_dir

BEAM120 = ("numi", "lbnf", "darkquest_beam")
LIGHT = (111, 221, 331, 223, 113, 333, 211, -211, 321, -321, 130, 310)
CHARM = (411, -411, 421, -421, 431, -431)
#: final-state mesons of the tables: none is a decay product of another in this set
#: (K0S is not decayed: c tau0 = 26.8 mm > 10 mm), so their energies add without double counting
FINAL = (111, 211, -211, 321, -321, 130, 310)
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_meson_tables.py"


def _script():
    spec = importlib.util.spec_from_file_location("make_meson_tables", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def mean_energy(src: MesonSource) -> float:
    """<E> of a source from its bins (p at the bin centre)."""
    pc = 0.5 * (src.p_edges[1:] + src.p_edges[:-1])
    prob = src.bin_probabilities().sum(axis=1)
    return float(np.sum(prob * np.sqrt(pc**2 + src.mass**2)))


def shipped_tables() -> list[str]:
    return sorted(p.name for p in data_dir("fluxes").iterdir() if p.name.endswith(".npz"))


def test_every_table_is_shipped_and_well_formed():
    ours = {mt.LIGHT_FILE, mt.CHARM_FILE, mt.BMPT_FILE, mt.LOW_FILE}
    assert ours <= set(shipped_tables())
    for name in sorted(ours):
        size = len(data_dir("fluxes").joinpath(name).read_bytes())
        assert size < 5e6, (name, size)
        arrays, head = mt.read_table(name)
        assert head["made_by"].startswith("scripts/make_meson_tables.py")
        for key in ("table", "table_version", "date", "generator", "binning", "made_by"):
            assert key in head, (name, key)
        pe, te = arrays["p_edges"], arrays["theta_edges"]
        assert pe[0] == 0 and np.all(np.diff(pe) > 0) and te[0] == 0 and te[-1] == pytest.approx(math.pi)
        shape = (pe.size - 1, te.size - 1)
        for k, a in arrays.items():
            if k.startswith(("counts_", "yield_")):
                assert a.shape == shape, (name, k)
                assert a.dtype in (np.int32, np.float32), (name, k, a.dtype)
                assert np.all(a >= 0) and np.all(np.isfinite(a)), (name, k)
        if "runs" in head:  # Pythia tables: the header's multiplicities are the histogram sums
            assert "8.317" in head["generator"] and "pythia8mc==8.317.2" in head["generator"]
            for run in ("pp", "pn"):
                r = head["runs"][run]
                assert any("Beams:frameType = 2" == s for s in r["settings"])
                for pdg, m in r["multiplicity_per_event"].items():
                    assert arrays[f"counts_{run}_{pdg}"].sum() / r["n_events"] == pytest.approx(m, rel=1e-12)


@pytest.mark.parametrize("beamline", BEAM120)
def test_per_pot_is_per_collision_times_interacting_fraction(beamline):
    """Normalisations: recomputed from the counts, the Z/A mix and today's geometry."""
    arrays, head = mt.read_table(mt.LIGHT_FILE)
    norm = head["beamlines"][beamline]
    bl = load_beamline(beamline)
    f = interacting_fraction(bl)
    assert norm["interacting_fraction"] == pytest.approx(f, rel=1e-12)
    za = bl.target.material.z_over_a
    assert norm["z_over_a"] == pytest.approx(za, rel=1e-12)
    runs = head["runs"]
    got = mt.available_sources(beamline, "pythia8")
    for pdg in LIGHT:
        per_coll = za * arrays[f"counts_pp_{pdg}"].sum() / runs["pp"]["n_events"] + (1 - za) * arrays[f"counts_pn_{pdg}"].sum() / runs["pn"]["n_events"]
        assert got[pdg] == pytest.approx(per_coll * f, rel=1e-12)
    # sigma_inel(pA) from the PDG interaction length: 232 mb for C, 702 mb for Fe
    want = {"C": 232.4, "Fe": 702.0}[bl.target.material.name]
    assert norm["sigma_inel_pA_mb"] == pytest.approx(want, rel=2e-3)
    # first-interaction fractions of the three targets
    assert f == pytest.approx({"numi": 0.8587, "lbnf": 0.98958, "darkquest_beam": 1.0}[beamline], abs=2e-3)


@pytest.mark.parametrize("beamline", BEAM120)
def test_charm_normalisation(beamline):
    _, head = mt.read_table(mt.CHARM_FILE)
    cc = head["charm_cross_section"]
    # 18.1 ub at 400 GeV/c scaled by Pythia's LO ratio, which must be in the range of QCD (0.1-0.25)
    ratio = cc["pythia_lo_sigma_cc_ub"]["120"] / cc["pythia_lo_sigma_cc_ub"]["400"]
    assert 0.1 < ratio < 0.25
    assert cc["sigma_cc_ub_per_nucleon"] == pytest.approx(18.1 * ratio, rel=1e-12)
    norm = head["beamlines"][beamline]
    assert norm["ccbar_per_collision"] == pytest.approx(norm["A"] * cc["sigma_cc_ub_per_nucleon"] * 1e-3 / norm["sigma_inel_pA_mb"], rel=1e-12)
    src = mt.available_sources(beamline)
    d_per_pot = sum(src[p] for p in CHARM)
    # each ccbar pair makes two charm hadrons, most of them D mesons (Lambda_c etc. the rest)
    pairs = norm["ccbar_per_collision"] * norm["interacting_fraction"]
    assert 1.5 * pairs < d_per_pot < 2.0 * pairs
    # D0bar > D0 and D- > D+ (the beam remnant favours the c-bar + valence-quark mesons): leading-particle effect
    assert src[-421] > src[421] and src[-411] > src[411]
    assert "Lourenco" in mt.load_meson_source(beamline, 431).provenance


@pytest.mark.parametrize("beamline", [*BEAM120, "bnb_dump", "bnb"])
def test_every_source_loads_and_is_sane(beamline):
    bl = load_beamline(beamline)
    srcs = mt.available_sources(beamline)
    assert srcs and all(v > 0 and math.isfinite(v) for v in srcs.values())
    e_final = 0.0
    e_all = 0.0
    for pdg, per_pot in srcs.items():
        s = mt.load_meson_source(beamline, pdg)
        assert isinstance(s, MesonSource) and s.pdg == pdg and s.per_pot == per_pot
        assert s.p_edges[-1] <= bl.beam_momentum + 1e-9
        probs = s.bin_probabilities()
        assert probs.min() >= 0 and probs.sum() == pytest.approx(1.0)
        assert s.provenance and "POT" in s.provenance
        e = mean_energy(s)
        assert s.mass < e < bl.beam_energy
        e_all += e * per_pot
        if pdg in FINAL:
            e_final += e * per_pot
        x = s.sample(2000, np.random.default_rng(1))
        assert np.all(np.linalg.norm(x[:, :3], axis=1) <= s.p_edges[-1] * (1 + 1e-12))
    # energy sense checks per POT (first interactions): final-state mesons carry less than the
    # beam energy times the interacting fraction; with decay parents (eta, omega...) counted too,
    # at most twice that
    f = interacting_fraction(bl)
    if beamline in BEAM120:
        assert 0.2 * f * bl.beam_energy < e_final < f * bl.beam_energy
        assert e_all < 2 * f * bl.beam_energy
    else:  # BNB and the dump: pi0 and eta only; docs/physics.md#electromagnetic-showers: sum(E w) <= E_beam per POT
        assert e_all < bl.beam_energy


def test_shapes_at_120_gev():
    for beamline in BEAM120:
        pi0 = mt.load_meson_source(beamline, 111)
        eta = mt.load_meson_source(beamline, 221)
        d = mt.load_meson_source(beamline, 421)
        # mostly forward at 120 GeV/c: < 10% of pi0 beyond 90 degrees
        t = 0.5 * (pi0.theta_edges[1:] + pi0.theta_edges[:-1])
        assert pi0.bin_probabilities().sum(axis=0)[t > math.pi / 2].sum() < 0.1
        # heavier mesons are harder
        assert mean_energy(pi0) < mean_energy(eta) < mean_energy(d)
        # eta/pi0 per POT: literature 0.078-0.114 (docs/beamlines.md#meson-production-parameterisations); Pythia's p-p/p-n is a bit above
        r = eta.per_pot / pi0.per_pot
        assert 0.07 < r < 0.14, r


def test_bmpt_tables_against_pythia():
    """Charged pions and kaons: the BMPT+Pythia default against pure Pythia, per POT."""
    for beamline in BEAM120:
        bm = mt.available_sources(beamline)
        py = mt.available_sources(beamline, "pythia8")
        for pdg in (211, -211):
            assert 0.75 < bm[pdg] / py[pdg] < 1.25, (beamline, pdg, bm[pdg] / py[pdg])
        for pdg in (321, -321):
            assert 0.6 < bm[pdg] / py[pdg] < 1.4, (beamline, pdg, bm[pdg] / py[pdg])
        assert mt.available_sources(beamline, "bmpt").keys() == {211, -211, 321, -321}
        assert "BMPT" in mt.load_meson_source(beamline, 211).provenance
        assert "SoftQCD" in mt.load_meson_source(beamline, 211, "pythia8").provenance


def test_bnb_dump_source():
    pi0 = mt.load_meson_source("bnb_dump", 111)
    eta = mt.load_meson_source("bnb_dump", 221)
    assert pi0.per_pot == 2.42 and eta.per_pot == pytest.approx(2.42 / 30)
    assert mt.bnb_dump_meson_source(111) is mt.bnb_dump_meson_source(111)
    np.testing.assert_array_equal(pi0.cdf, bnb_meson_source(111).cdf)
    assert "1609.01770" in pi0.provenance and "1807.06137" in pi0.provenance
    assert mt.available_sources("bnb_dump") == {111: 2.42, 221: pytest.approx(2.42 / 30)}
    # the Pythia comparison at 8.89 GeV/c loads too (first interactions in the 15.7 lambda_I dump)
    pyt = mt.available_sources("bnb_dump", "pythia8")
    assert 0.7 < pyt[111] < 1.3
    assert mt.available_sources("bnb") == {111: 0.9, 221: pytest.approx(0.03)}
    with pytest.raises(PhysicsError, match="111"):
        mt.bnb_dump_meson_source(211)


def test_errors_name_what_exists():
    with pytest.raises(PhysicsError, match="available: numi, lbnf, darkquest_beam, bnb_dump, bnb"):
        mt.load_meson_source("sbnd", 111)
    with pytest.raises(PhysicsError, match="available:.*111 \\(pi0\\)"):
        mt.load_meson_source("numi", 999)
    with pytest.raises(PhysicsError, match="available: 111 \\(pi0\\), 221 \\(eta\\)"):
        mt.load_meson_source("bnb_dump", 321)
    with pytest.raises(PhysicsError, match="allowed: pythia8, bmpt, sanford-wang"):
        mt.available_sources("numi", "geant4")
    with pytest.raises(PhysicsError, match="not found"):
        mt.read_table("nothing.npz")


def test_header_is_json_with_settings():
    _, head = mt.read_table(mt.LIGHT_FILE)
    json.dumps(head)
    st = head["runs"]["pp"]["settings"]
    assert "SoftQCD:inelastic = on" in st and "Beams:idB = 2212" in st
    assert "Beams:idB = 2112" in head["runs"]["pn"]["settings"]
    assert any(s.startswith("Beams:eA = 120.00") for s in st)
    assert head["runs"]["pp"]["n_events"] >= 500_000


def _chi2_marginal(counts_small: np.ndarray, probs_ship: np.ndarray, n_groups: int, design: float) -> tuple[float, int]:
    """chi2 of a small sample's 1-d histogram against the shipped probabilities, in groups of
    about equal expected content; divided by the design effect of correlated mesons."""
    cum = np.cumsum(probs_ship)
    cut = np.searchsorted(cum, np.linspace(0, 1, n_groups + 1)[1:-1])
    grp_obs = np.add.reduceat(counts_small, np.r_[0, cut])
    grp_exp = np.add.reduceat(probs_ship, np.r_[0, cut]) * counts_small.sum()
    ok = grp_exp > 0
    return float(np.sum((grp_obs[ok] - grp_exp[ok]) ** 2 / grp_exp[ok]) / design), int(ok.sum() - 1)


def test_quick_regeneration_matches_shipped_table():
    """A few thousand p-p events at 120 GeV/c through the script's own functions, against the shipped table."""
    pytest.importorskip("pythia8mc")
    mk = _script()
    arrays, head = mt.read_table(mt.LIGHT_FILE)
    p_edges, theta_edges = arrays["p_edges"], arrays["theta_edges"]
    pe, te = mk.binning(120.0)
    np.testing.assert_array_equal(p_edges, pe)
    np.testing.assert_array_equal(theta_edges, te)
    settings = mk.pythia_settings(120.0, 2212, "light120", seed=4242)
    assert settings == [s if not s.startswith("Random:seed") else "Random:seed = 4242" for s in head["runs"]["pp"]["settings"]]
    n = 4000
    run = mk.generate(settings, n, (111, 221, 211, 321), p_edges, theta_edges, 120.0)
    assert run["n_events"] == n
    ship = head["runs"]["pp"]
    for pdg in (111, 221, 211, 321):
        m_ship = ship["multiplicity_per_event"][str(pdg)]
        var = ship["sumsq_per_event"][str(pdg)] - m_ship**2
        m_small = run["sum"][pdg] / n
        assert abs(m_small - m_ship) < 4 * math.sqrt(var / n), (pdg, m_small, m_ship)
        design = max(1.0, var / m_ship)  # Fano factor: mesons of one event are correlated
        ref = arrays[f"counts_pp_{pdg}"].astype(np.float64)
        ref /= ref.sum()
        small = run["counts"][pdg]
        for axis in (1, 0):  # p marginal, then theta marginal
            chi2, ndf = _chi2_marginal(small.sum(axis=axis), ref.sum(axis=axis), 12, design)
            assert stats.chi2.sf(chi2, ndf) > 1e-3, (pdg, axis, chi2, ndf)


@pytest.mark.parametrize("beamline", [*BEAM120, "bnb_dump", "bnb"])
def test_tertiary_estimates(beamline):
    """The stored cascade estimates: more mesons from thicker targets, energy conserved."""
    est = mt.tertiary_estimate(beamline)
    assert est["n_pot"] >= 1000
    f = est["tertiary_factor"]
    assert f["111"] >= 1.0 and f["211"] >= 1.0
    # re-interactions make softer mesons: the factor falls with momentum
    assert est["tertiary_factor_p_gt_1"]["111"] <= f["111"]
    # energy conservation: all the cascade's pi0 together carry less than the beam energy
    assert 0.05 < est["pi0_energy_fraction_of_beam"] < 1.0
    assert "not applied" in est["method"].lower() or "Not applied" in est["method"]
    # the first collision (p-A in PythiaCascade) against the p/n-mix table (nuclear effect: 0.8-2.5)
    if beamline in BEAM120:
        table = mt.available_sources(beamline, "pythia8")[111]
        assert 0.8 < est["first_collision_per_pot"]["111"] / table < 2.5


def test_tertiary_ordering_and_contained_shower():
    f = {b: mt.tertiary_estimate(b)["tertiary_factor"]["111"] for b in BEAM120}
    assert f["numi"] < f["lbnf"] < f["darkquest_beam"]
    # FMAG contains the shower: the pi0 carry the electromagnetic fraction of a 120 GeV hadron
    # shower, about 0.5-0.6 (Groom's f_em parameterisation); a sense check, not a fit
    assert 0.4 < mt.tertiary_estimate("darkquest_beam")["pi0_energy_fraction_of_beam"] < 0.8
    with pytest.raises(PhysicsError, match="available"):
        mt.tertiary_estimate("icarus")

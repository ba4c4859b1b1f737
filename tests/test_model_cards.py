"""Run cards with ALP, HNL and B-L / B Z' tables; Z' meson-decay factors; ALPs from meson mixing.

References: DarkCast (Ilten, Soreq, Williams, Xue arXiv:1801.04847, eqs. 2.7-2.10) and
docs/physics.md#meson-decays-to-gamma-z for the quark-charge factors (B-L: 2 (g/e)^2 for pi0, 0.5 (g/e)^2 for eta);
Kelly, Kumar, Liu arXiv:2011.05995 (used by arXiv:2311.07713) for the ALP-meson mixing.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fipgen.card import parse_card
from fipgen.constants import ALPHA_EM, mass as pdg_mass
from fipgen.errors import CardError
from fipgen.models.zprime import ZPrime
from fipgen.pipeline import build_job
from fipgen.production.sources.meson_decay import anomaly_factor, br_to_gamma_darkphoton, br_to_gamma_zprime, sm_branching_ratio
from fipgen.production.channels.meson_mixing import MAX_MIXING, alp_meson_mixing


BASE = """
[experiment]
detector = "{detector}"
pot = 1e20
[model]
{model}
[signal]
produce = {produce}
detect = "{detect}"
[run]
events = {events}
seed = 5
"""


def card(model, produce, detect, detector="sbnd", events=20000):
    return parse_card(BASE.format(model=model, produce=produce, detect=detect, detector=detector, events=events), "t")


# --- Z' kinds in meson decays -------------------------------------------------------------

def test_anomaly_factors_darkcast():
    q = (2 / 3, -1 / 3, -1 / 3)
    assert anomaly_factor(111, *q) == pytest.approx(1.0) and anomaly_factor(221, *q) == pytest.approx(1.0)
    third = (1 / 3, 1 / 3, 1 / 3)  # B-L and B quark charges
    assert anomaly_factor(111, *third) == pytest.approx(1.0)
    assert anomaly_factor(221, *third) == pytest.approx(0.5)
    # a Z' coupled to up quarks only: pi0 (2/3)/(4/9 - 1/9) = 2, eta (2/3)/(4/9 + 1/9 - 1/9) = 3/2
    assert anomaly_factor(111, 1.0, 0.0, 0.0) == pytest.approx(2.0)
    assert anomaly_factor(221, 1.0, 0.0, 0.0) == pytest.approx(1.5)


@pytest.mark.parametrize("kind, fac_pi0, fac_eta", [("B-L", 2.0, 0.5), ("B", 2.0, 0.5)])
def test_bl_and_baryonic_meson_branching(kind, fac_pi0, fac_eta):
    g, m = 3e-4, 0.06
    z = ZPrime(m, g, kind=kind)
    e2 = 4 * math.pi * ALPHA_EM
    for pdg, fac in ((111, fac_pi0), (221, fac_eta)):
        ps = (1 - m * m / pdg_mass(pdg) ** 2) ** 3
        expect = fac * g * g / e2 * ps * sm_branching_ratio(pdg, "gamma_gamma")
        assert br_to_gamma_zprime(pdg, z) == pytest.approx(expect, rel=1e-12)


def test_dark_photon_unchanged():
    z = ZPrime(0.1, 2e-4)
    for pdg in (111, 221):
        assert br_to_gamma_zprime(pdg, z) == pytest.approx(br_to_gamma_darkphoton(pdg, 0.1, 2e-4), rel=1e-12)
    assert br_to_gamma_zprime(111, ZPrime(0.2, 1e-4)) == 0.0


def test_bl_card_runs_and_scales_with_g_squared():
    a = build_job(card('zprime = { kind = "B-L", mass = 0.05, coupling = 1e-6 }', '["zprime:pi0"]', "zprime:decay"))
    b = build_job(card('zprime = { kind = "B-L", mass = 0.05, coupling = 2e-6 }', '["zprime:pi0"]', "zprime:decay"))
    assert b.channels[0].rate_per_pot / a.channels[0].rate_per_pot == pytest.approx(4.0, rel=1e-12)
    # B-L Z' decays to neutrinos: the visible fraction is below one
    assert 0.0 < a.weight_branching < 1.0


# --- ALP from mixing ----------------------------------------------------------------------

def test_mixing_angles_by_hand():
    from fipgen.models.alp import ALP

    # m = 0.3, c_gg = 1, f_a = 1000 -> f = 500 GeV; f_pi = 0.0920668 (130.2/sqrt2 MeV)
    a = ALP(0.3, c_gg=1.0, f_a=1000.0)
    fpi, mpi, meta = 0.1302 / math.sqrt(2), pdg_mass(111), pdg_mass(221)
    t_pi = (fpi / 500.0) * 0.09 / (0.09 - mpi**2) / 6
    t_eta = (fpi / 500.0) * (0.09 - 4 * mpi**2 / 9) / (0.09 - meta**2) / math.sqrt(6)
    assert alp_meson_mixing(a, 111) == pytest.approx(t_pi, rel=1e-6)
    assert alp_meson_mixing(a, 221) == pytest.approx(t_eta, rel=1e-6)
    assert abs(t_pi) == pytest.approx(3.86e-5, rel=2e-2)  # 1.2545/6 * 1.8413e-4


def test_mixing_refused_at_the_pole_and_without_gluons():
    from fipgen.errors import PhysicsError
    from fipgen.models.alp import ALP

    with pytest.raises(PhysicsError, match="exceeds"):
        # far from the pole but f = f_a/2 = 50 MeV: theta_api = (1/6)(0.0921/0.05) 0.09/0.0718 = 0.385
        alp_meson_mixing(ALP(0.3, c_gg=1.0, f_a=0.1, chiral="two-flavour"), 111)
    with pytest.raises(PhysicsError, match="gluon"):
        alp_meson_mixing(ALP(0.3, g_gamma=1e-5), 111)
    assert MAX_MIXING == 0.1


def test_alp_card_needs_gluon_coupling():
    with pytest.raises(CardError, match="model.alp.c_gg"):
        build_job(card("alp = { mass = 0.3, g_gamma = 1e-6 }", '["alp:pi0"]', "alp:decay"))




def test_mixing_channel_weights_agree_with_plain_monte_carlo(tmp_path, box_18m):
    """E[weight_geometric] is the fraction of ALPs (meson directions) hitting the box: plain MC of the source."""
    det = box_18m
    job = build_job(card("alp = { mass = 0.2, c_gg = 1.0, f_a = 1e4 }", '["alp:eta"]', "alp:decay", detector=str(det))
                    .replace(meson_sources="first-interactions"))  # (the plain MC below: target interaction points)
    ch = job.channels[0]
    solid = job.detector.active_beam
    rng = np.random.default_rng(7)
    n = 400_000
    s = ch.sample(n, rng, job.beamline, solid)
    w = s.weight_geometric
    forced, forced_err = w.mean(), w.std() / math.sqrt(n)
    # plain: mesons from the source, from interaction points; count rays crossing the box
    from fipgen.production.sources.vertex import sample_interaction_points

    m = 4_000_000
    vtx = sample_interaction_points(job.beamline, m, rng)
    par = ch.source.sample(m, rng)
    d = par[:, :3] / np.linalg.norm(par[:, :3], axis=1)[:, None]
    seg = solid.chords(vtx, d)
    hits = int(np.count_nonzero(seg.n > 0)) if hasattr(seg, "n") else int(np.count_nonzero(seg[0] > 0))
    plain, plain_err = hits / m, math.sqrt(hits) / m
    assert hits > 1000
    pull = (forced - plain) / math.hypot(forced_err, plain_err)
    assert abs(pull) < 4, (forced, forced_err, plain, plain_err)
    # the ALP keeps the meson's momentum and is on its own mass shell
    llp, par_ = s.llp_p4, s.parent_p4
    assert np.allclose(llp[:, :3], par_[:, :3])
    m2 = llp[:, 3] ** 2 - (llp[:, :3] ** 2).sum(1)
    assert np.allclose(m2, 0.04, rtol=1e-9)
    assert ch.rate_per_pot == pytest.approx(ch.source.per_pot * alp_meson_mixing(job.model, 221) ** 2)


# --- card checks ----------------------------------------------------------------------------

@pytest.mark.parametrize("model, produce, detect, key", [
    ('hnl = { mass = 0.3, mixing_mu = 1e-6 }', '["hnl:B+"]', "hnl:decay", "signal.produce[0]"),
    ('zprime = { kind = "B-L", mass = 0.05, coupling = 1e-6 }', '["zprime:pi0"]', "alp:decay", "signal.detect"),
    ('alp = { mass = 0.3, c_gg = 1.0, f_a = 1e3 }', '["zprime:pi0"]', "alp:decay", "signal.produce[0]"),
    ('hnl = { mass = 0.3, mixing_mu = -1e-6 }', '["zprime:pi0"]', "zprime:decay", "model.hnl.mixing_mu"),
    ('hnl = { mass = 0.3, dirac = 1 }', '["zprime:pi0"]', "zprime:decay", "model.hnl.dirac"),
    ('alp = { mass = 0.3, chiral = "one" }', '["alp:pi0"]', "alp:decay", "model.alp.chiral"),
    ('zprime = { kind = "generic", mass = 0.05, coupling = 1e-6 }', '["zprime:pi0"]', "zprime:decay", "model.zprime.kind"),
    ('axion = { mass = 0.3 }', '["zprime:pi0"]', "zprime:decay", "model.axion"),
])
def test_card_errors_name_the_key(model, produce, detect, key):
    with pytest.raises(CardError, match=key.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]")):
        card(model, produce, detect)


def test_zprime_with_hnl_opens_nn_and_dirac_bool_accepted():
    c = card('zprime = { kind = "B-L", mass = 0.3, coupling = 1e-5 }\nhnl = { mass = 0.1, mixing_mu = 1e-6, dirac = true }',
             '["zprime:eta"]', "zprime:decay")
    assert c.hnl.dirac is True and c.zprime.hnl_charge == -1.0
    job = build_job(c)
    assert job.model.branching_ratios()["N N"] > 0.1


def test_omega_to_pi0_dark_photon():
    """BR(omega -> pi0 A') = eps^2 |F|^2 (p*(m)/p*(0))^3 BR(omega -> pi0 gamma), NA60 pole form factor."""
    from fipgen.production.sources.meson_decay import OMEGA_LAMBDA_INV2, br_omega_to_pi0_zprime

    M, mp, m, eps = pdg_mass(223), pdg_mass(111), 0.4, 1e-4
    p0 = (M * M - mp * mp) / (2 * M)
    pm = math.sqrt((M * M - (mp + m) ** 2) * (M * M - (mp - m) ** 2)) / (2 * M)
    f2 = 1 / (1 - m * m * 2.223) ** 2
    expect = eps**2 * f2 * (pm / p0) ** 3 * 0.0833
    assert OMEGA_LAMBDA_INV2 == 2.223
    assert br_omega_to_pi0_zprime(ZPrime(m, eps)) == pytest.approx(expect, rel=1e-12)
    assert br_omega_to_pi0_zprime(ZPrime(m, 1e-3, kind="B-L")) == 0.0  # isoscalar: G parity
    assert br_omega_to_pi0_zprime(ZPrime(0.65, eps)) == 0.0  # above M_omega - m_pi0


def test_omega_channel_in_a_numi_card():
    c = card('zprime = { kind = "dark-photon", mass = 0.4, coupling = 1e-6 }', '["zprime:omega", "zprime:eta"]',
             "zprime:decay", detector="argoneut", events=20000)
    job = build_job(c)
    om = [ch for ch in job.channels if ch.name == "zprime:omega"][0]
    assert om.other_mass == pytest.approx(pdg_mass(111)) and om.parent_pdg == 223
    from fipgen.pipeline import iter_chunks

    batch = next(iter(iter_chunks(job)))[0]
    sel = batch.scalars["channel"] == 3
    assert sel.any()
    # parent omega -> pi0 A': the A' four-momentum is on shell and below the omega's energy
    e, p = batch.scalars["llp_e"][sel], np.stack([batch.scalars[k][sel] for k in ("llp_px", "llp_py", "llp_pz")], 1)
    assert np.allclose(e**2 - (p**2).sum(1), 0.16, rtol=1e-6)
    assert np.all(e < batch.scalars["parent_e"][sel])
    with pytest.raises(CardError, match="isovector"):
        build_job(card('zprime = { kind = "B-L", mass = 0.4, coupling = 1e-6 }', '["zprime:omega"]', "zprime:decay",
                       detector="argoneut"))

"""HNLs from charged mesons end to end: K+ / pi+ decays in flight and at rest -> N -> visible.

The forced, weighted sample (parents transported, HNL aimed at the detector with the
defensive mixture, decay forced in the chord) is compared with a plain Monte Carlo written
here: parents from the same transport, isotropic two-body decays in the parent rest frame
(numpy boost), exponential HNL decay, count decays inside a box. Also: Dirac HNLs from
negative parents decay to the charge-conjugate final states; production polarisation
reaches the decays.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.card import parse_card
from fipgen.constants import mass as pdg_mass
from fipgen.events import EventBatch
from fipgen.pipeline import build_job, iter_chunks
from fipgen.production.transport.meson_transport import sample_parent_decays



#: First-interaction sources: the plain Monte Carlo below transports mesons made at the beam's
#: interaction points in the target (the cascade's own decays: tests/test_hadron_cascade.py).
CARD = """
[experiment]
detector = "{det}"
pot = 1e20
meson_sources = "first-interactions"
[model]
hnl = {{ mass = {mass}, mixing_mu = {u2}{extra} }}
[signal]
produce = {produce}
detect = "hnl:decay"
hnl_polarisation = {pol}
[run]
events = {events}
seed = 11
"""


def _card(det, mass=0.2, u2=1e-3, produce='["hnl:K+"]', events=200_000, pol="true", extra=""):
    return parse_card(CARD.format(det=det, mass=mass, u2=u2, produce=produce, events=events, pol=pol, extra=extra), "t")


def _generate(card):
    job = build_job(card)
    parts = list(iter_chunks(job))
    return job, EventBatch.concatenate([p[0] for p in parts]), sum(p[1]["sum_weights"] for p in parts)


def _plain(job, n, rng):
    """Plain MC of K+ -> mu+ N (the only open channel with U_mu at this mass besides K -> pi mu N)."""
    ch = [c for c in job.channels if c.name == "hnl:K+ -> mu+ N"][0]
    from fipgen.production.sources.charged_mesons import bnb_charged_source

    pd = sample_parent_decays(bnb_charged_source(321), job.beamline, n, rng, fate="all")
    M, ml, m = pdg_mass(321), pdg_mass(13), job.model.mass
    ps = np.sqrt((M**2 - (m + ml) ** 2) * (M**2 - (m - ml) ** 2)) / (2 * M)
    c = rng.uniform(-1, 1, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    s = np.sqrt(1 - c * c)
    k = ps * np.stack([s * np.cos(ph), s * np.sin(ph), c], 1)
    e = np.sqrt(ps**2 + m**2)
    b = pd.p4[:, :3] / pd.p4[:, 3:4]
    b2 = (b * b).sum(1)
    g = 1 / np.sqrt(1 - b2)
    bk = (b * k).sum(1)
    g2 = np.where(b2 > 0, (g - 1) / np.where(b2 > 0, b2, 1), 0)
    p = k + (g2 * bk + g * e)[:, None] * b
    pm = np.linalg.norm(p, axis=1)
    ell = pm / m * job.ctau
    dv = pd.vertex + (-ell * np.log(rng.random(n)))[:, None] * p / pm[:, None]
    inside = np.all(np.abs(dv - [1.0, 0.0, 33.0]) <= 3.0, axis=1)
    return pd.weight * inside, ch


def test_kaon_chain_forced_agrees_with_plain(tmp_path, box_30m):
    det = box_30m
    # U_mu^2 = 1e-3 at 0.2 GeV: c tau ~ 0.2 km, beta gamma ~ 1-10: decay lengths 0.2-2 km
    job, batch, forced = _generate(_card(str(det)))
    w = batch.scalars["weight"]
    sel = batch.scalars["channel"] == 132  # K+ -> mu+ N
    f_k = w[sel].sum()
    f_err = np.sqrt((w[sel] ** 2).sum())
    rng = np.random.default_rng(99)
    tot, tot2, n_all = 0.0, 0.0, 0
    for _ in range(10):
        hit, ch = _plain(job, 1_000_000, rng)
        tot += hit.sum()
        tot2 += (hit**2).sum()
        n_all += hit.size
    scale = job.pot * ch.branching * job.weight_branching
    plain = scale * tot / n_all
    plain_err = scale * np.sqrt(tot2) / n_all
    pull = (f_k - plain) / np.hypot(f_err, plain_err)
    print(f"forced {f_k:.5g} +- {f_err:.3g}; plain {plain:.5g} +- {plain_err:.3g}; pull {pull:.2f}")
    assert np.count_nonzero(tot) and plain_err / plain < 0.1
    assert abs(pull) < 4
    # production vertices are the kaons' decay points: some in the pipe (z > 1 m), some at rest
    z = batch.scalars["prod_z"][sel]
    assert np.any(z > 5.0) and np.any(z < 0.72)
    assert np.all(batch.scalars["parent_pdg"][sel] == 321)


def test_dirac_hnl_from_negative_pions_decays_to_conjugates(tmp_path, box_30m):
    det = box_30m
    card = _card(str(det), mass=0.03, u2=1e-2, produce='["hnl:pi-", "hnl:pi+"]', events=60_000, extra=", dirac = true")
    job, batch, _ = _generate(card)
    par = batch.scalars["parent_pdg"]
    n_d = batch.counts["daughter"]
    first = np.cumsum(np.concatenate([[0], n_d[:-1]]))
    d0 = batch.flat["daughter"]["pdg"][first]  # first daughter: nu_mu or e- (N -> nu_mu e+ e-, nu e e ...)
    # at 30 MeV the HNL decays to nu e+ e- and nu nu nu: the neutrino is the first daughter
    assert set(np.unique(d0[par == 211])) <= {12, 14, 16}
    assert set(np.unique(d0[par == -211])) <= {-12, -14, -16}
    assert np.any(par == 211) and np.any(par == -211)


def test_polarisation_reaches_the_decays(tmp_path, box_30m):
    """N -> mu- pi+ from K+ -> mu+ N at 0.3 GeV, kaons decaying at rest: the HNL's helicity is
    P = +0.546 (fipgen.production.channels.hnl_kinematics.hnl_helicity_two_body) along its flight
    direction, and N -> mu- pi+ has A = -0.958 (sampler.polarised_asymmetry), so the muon's
    <cos> to the flight direction in the HNL rest frame is P A / 3 = -0.174 with the
    polarisation, 0 without. (Kaons in flight: the helicity axis is Wigner-rotated away from
    the lab flight direction, so they are left out.)"""
    from fipgen.decays.sampler import polarised_asymmetry
    from fipgen.production.channels.hnl_kinematics import hnl_helicity_two_body

    P = hnl_helicity_two_body(pdg_mass(321), pdg_mass(13), 0.3)
    A = polarised_asymmetry(0.3, pdg_mass(13), pdg_mass(211))
    assert P == pytest.approx(0.546, abs=2e-3) and A == pytest.approx(-0.958, abs=2e-3)
    from fipgen.kinematics.boost import boost_to_rest

    det = box_30m
    res = {}
    for pol in ("true", "false"):
        card = _card(str(det), mass=0.3, u2=1e-4, events=60_000, pol=pol, extra=", dirac = true")
        job, batch, _ = _generate(card)
        ch = batch.scalars["decay_channel"]
        from fipgen.pipeline import decay_codes

        code = decay_codes(job.model)["mu- pi+"]
        sel = (ch == code) & (batch.scalars["parent_px"] == 0.0) & (batch.scalars["parent_pz"] == 0.0)
        n_d = batch.counts["daughter"]
        first = np.cumsum(np.concatenate([[0], n_d[:-1]]))[sel]
        mu = np.stack([batch.flat["daughter"][k][first] for k in ("px", "py", "pz", "e")], 1)
        llp = np.stack([batch.scalars[k][sel] for k in ("llp_px", "llp_py", "llp_pz", "llp_e")], 1)
        rest = boost_to_rest(mu, llp, np.full(sel.sum(), 0.3))
        axis = llp[:, :3] / np.linalg.norm(llp[:, :3], axis=1)[:, None]
        cth = np.einsum("ij,ij->i", rest[:, :3], axis) / np.linalg.norm(rest[:, :3], axis=1)
        res[pol] = (cth.mean(), cth.std() / np.sqrt(cth.size))
    assert abs(res["false"][0]) < 4 * res["false"][1]
    assert abs(res["true"][0] - P * A / 3) < 4 * res["true"][1], res
    assert res["true"][1] < 0.02


def test_charm_and_tau_channels_at_lbnf():
    """D+- / Ds+- -> l N decay at the proton's interaction point in the LBNF target; the Ds -> tau
    chain expands to the tau decays open with the mixings; rates are parents/POT x BR."""
    from fipgen.models.hnl_production import br_meson_to_lepton_hnl
    from fipgen.production.sources.meson_tables import load_meson_source

    card = parse_card(CARD.format(det="dune_nd_lar", mass=1.0, u2=1e-7, produce='["hnl:D+", "hnl:Ds-", "hnl:tau"]',
                                  events=40_000, pol="true", extra=", mixing_tau = 1e-6"), "t")
    job = build_job(card)
    names = [c.name for c in job.channels]
    assert "hnl:D+ -> mu+ N" in names and "hnl:Ds- -> mu- N" in names
    assert {"hnl:tau -> N pi-", "hnl:tau -> N rho-", "hnl:tau -> nu_tau mu- N"} <= set(names)
    d = [c for c in job.channels if c.name == "hnl:D+ -> mu+ N"][0]
    expect = load_meson_source("lbnf", 411).per_pot * br_meson_to_lepton_hnl(411, "mu", job.model)
    assert d.rate_per_pot == pytest.approx(expect, rel=1e-12)
    parts = list(iter_chunks(job))
    batch = EventBatch.concatenate([p[0] for p in parts])
    ch = batch.scalars["channel"]
    assert set(np.unique(ch)) >= {161 + 1, 201}  # D+ -> mu+ N (162), tau -> N pi (201)
    dz = batch.scalars["prod_z"][ch == 162]
    assert dz.min() >= 0.0 and dz.max() <= 2.2  # inside the 2.2 m target: prompt decay
    assert np.all(batch.scalars["parent_pdg"][ch == 162] == 411)
    assert set(np.unique(batch.scalars["parent_pdg"][ch == 201])) == {15, -15}  # taus from Ds- and Ds+
    assert sum(p[1]["sum_weights"] for p in parts) > 0


@pytest.mark.parametrize("det, produce", [("darkquest", '["zprime:pi0", "zprime:eta"]'), ("argoneut", '["zprime:eta"]')])
def test_dark_photon_at_120_gev_uses_the_tables(det, produce):
    card = parse_card(f"""
[experiment]
detector = "{det}"
[model]
zprime = {{ kind = "dark-photon", mass = 0.1, coupling = 1e-6 }}
[signal]
produce = {produce}
detect = "zprime:decay"
[run]
events = 20000
""", "t")
    job = build_job(card)
    for c in job.channels:
        assert "Pythia" in c.source.provenance or "pythia" in c.source.provenance
    assert job.channels[-1].source.per_pot > 0.3  # eta per POT at 120 GeV (fluxes/README.md)

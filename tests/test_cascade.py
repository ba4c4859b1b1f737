"""HNLs from X -> N N with X = ALP (pi0/eta mixing) or Z' (P -> gamma Z'): the
arXiv:2311.07713 and arXiv:2410.08981 chains (fipgen.production.channels.cascade).

The forced, weighted sample (X drawn freely, flying, one N aimed at a box with the
defensive mixture, N decay forced in the chord) is compared with a plain Monte Carlo
written here in numpy: the same meson source, the ALP carrying the meson's momentum (or an
isotropic P -> gamma Z' decay), X's exponential flight, an isotropic X -> N N decay with
*both* HNLs followed, each HNL's exponential decay counted inside the box.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.card import parse_card
from fipgen.errors import CardError
from fipgen.events import EventBatch
from fipgen.pipeline import build_job, iter_chunks
from fipgen.production.sources.vertex import sample_interaction_points



#: First-interaction sources: the plain Monte Carlo below makes its mesons at the beam's
#: interaction points in the target (the boxes stand inside decay pipes, where the cascade's
#: mesons would be made around them; the cascade's per-solid sampling is checked against a
#: plain Monte Carlo in tests/test_pipeline.py).
CARD = """
[experiment]
detector = "{det}"
pot = 1e20
meson_sources = "first-interactions"
[model]
{boson}
hnl = {{ mass = {mn}, mixing_mu = {u2}{extra} }}
[signal]
produce = {produce}
detect = "hnl:decay"
final_states = "all"
[run]
events = {events}
seed = 5
"""


def _card(det, boson, produce, mn=0.1, u2=1.0, events=100_000, extra=""):
    return parse_card(CARD.format(det=det, boson=boson, mn=mn, u2=u2, produce=produce, events=events, extra=extra), "t")


def _boost(k, e, par):
    """Rest-frame (k, e) of daughters boosted by parents ``par`` (n, 4)."""
    b = par[:, :3] / par[:, 3:4]
    b2 = (b * b).sum(1)
    g = 1 / np.sqrt(1 - b2)
    bk = (b * k).sum(1)
    g2 = np.where(b2 > 0, (g - 1) / np.where(b2 > 0, b2, 1), 0)
    return k + (g2 * bk + g * e)[:, None] * b


def _iso(n, rng, ps):
    c = rng.uniform(-1, 1, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    s = np.sqrt(1 - c * c)
    return ps * np.stack([s * np.cos(ph), s * np.sin(ph), c], 1)


def _plain(job, x_ch, x_model, n, rng):
    """Expected HNL decays in the box per X (both HNLs of each decay counted)."""
    vtx = sample_interaction_points(job.beamline, n, rng)
    meson = x_ch.source.sample(n, rng)
    mx, mn = x_model.mass, job.model.mass
    if hasattr(x_ch, "other_mass"):  # P -> gamma Z': isotropic in the meson rest frame
        M = np.sqrt(meson[:, 3] ** 2 - (meson[:, :3] ** 2).sum(1))
        ps = (M[0] ** 2 - mx**2) / (2 * M[0])
        x3 = _boost(_iso(n, rng, ps), np.sqrt(ps**2 + mx**2), meson)
    else:  # mixing: the meson's momentum
        x3 = meson[:, :3]
    x = np.column_stack([x3, np.sqrt((x3**2).sum(1) + mx**2)])
    px = np.linalg.norm(x3, axis=1)
    xv = vtx + (-px / mx * x_model.ctau() * np.log(rng.random(n)))[:, None] * x3 / px[:, None]
    ps = np.sqrt(mx**2 / 4 - mn**2)
    k = _iso(n, rng, ps)
    hits = np.zeros(n)
    for sign in (1.0, -1.0):  # the two HNLs, back to back
        p = _boost(sign * k, np.sqrt(ps**2 + mn**2), x)
        pm = np.linalg.norm(p, axis=1)
        dv = xv + (-pm / mn * job.ctau * np.log(rng.random(n)))[:, None] * p / pm[:, None]
        hits += np.all(np.abs(dv - [1.0, 0.0, 33.0]) <= 3.0, axis=1)
    return hits


def _forced_vs_plain(job, n_plain, seed):
    parts = list(iter_chunks(job))
    batch = EventBatch.concatenate([p[0] for p in parts])
    w = batch.scalars["weight"]
    f, f_err = w.sum(), np.sqrt((w**2).sum())
    (ch,) = job.channels
    rng = np.random.default_rng(seed)
    tot = tot2 = 0.0
    for _ in range(n_plain // 500_000):
        h = _plain(job, ch.x_channel, ch.x_model, 500_000, rng)
        tot, tot2 = tot + h.sum(), tot2 + (h * h).sum()
    scale = job.pot * ch.x_channel.rate_per_pot * ch.br_nn * job.weight_branching
    plain, plain_err = scale * tot / n_plain, scale * np.sqrt(tot2) / n_plain
    return batch, f, f_err, plain, plain_err


@pytest.mark.parametrize("boson, produce, n_plain", [
    # prompt ALP (c tau_a = 44 nm), m_a = 0.3 GeV from pi0 mixing
    ('alp = { mass = 0.3, c_gg = 1.0, f_a = 1000.0, g_hnl = 1e-3 }', '["alp:pi0"]', 4_000_000),
    # long-lived ALP: c tau_a = 6.4 m, BR(N N) = 0.13 -- the X flight matters
    ('alp = { mass = 0.3, c_gg = 1.0, f_a = 1e4, g_hnl = 3e-8 }', '["alp:pi0"]', 4_000_000),
    # B-L Z' from eta -> gamma Z' (2410.08981's chain), prompt
    ('zprime = { kind = "B-L", mass = 0.3, coupling = 1e-3 }', '["zprime:eta"]', 4_000_000),
])
def test_forced_agrees_with_plain(tmp_path, boson, produce, n_plain, box_30m):
    det = box_30m
    job = build_job(_card(str(det), boson, produce))
    batch, f, f_err, plain, plain_err = _forced_vs_plain(job, n_plain, 3)
    pull = (f - plain) / np.hypot(f_err, plain_err)
    print(f"{boson}: forced {f:.5g} +- {f_err:.3g}; plain {plain:.5g} +- {plain_err:.3g}; pull {pull:.2f}")
    assert plain_err / plain < 0.05 and f_err / f < 0.03  # 3 % and 1-2 % measured
    assert abs(pull) < 4
    code = 311 if "alp" in produce else 302
    assert np.all(batch.scalars["channel"] == code)
    assert np.all(batch.scalars["parent_pdg"] == (9000005 if "alp" in produce else 32))
    # the HNL's energy is at most the boson's (the parent_p4 columns hold the boson)
    assert np.all(batch.scalars["llp_e"] <= batch.scalars["parent_e"] * (1 + 1e-12))


def test_x_flight_moves_the_production_vertex(tmp_path, box_30m):
    det = box_30m
    prompt = build_job(_card(str(det), 'alp = { mass = 0.3, c_gg = 1.0, f_a = 1000.0, g_hnl = 1e-3 }', '["alp:pi0"]',
                             events=20_000))
    slow = build_job(_card(str(det), 'alp = { mass = 0.3, c_gg = 1.0, f_a = 1e4, g_hnl = 3e-8 }', '["alp:pi0"]',
                           events=20_000))
    zp = EventBatch.concatenate([p[0] for p in iter_chunks(prompt)]).scalars["prod_z"]
    zs = EventBatch.concatenate([p[0] for p in iter_chunks(slow)]).scalars["prod_z"]
    assert zp.max() < 0.72  # inside the 71 cm target
    assert np.median(zs) > 1.0 and zs.max() > 30.0  # c tau 6.4 m, beta gamma ~ 1-10: metres


def test_rates_and_codes():
    card = _card("dune_nd_lar", 'alp = { mass = 0.3, c_gg = 1.0, f_a = 1000.0, g_hnl = 1e-3 }', '["alp:pi0", "alp:eta"]',
                 mn=0.12, u2=1e-7, events=1000)
    job = build_job(card)
    from fipgen.production.channels.meson_mixing import alp_meson_mixing
    from fipgen.production.sources.meson_tables import load_meson_source

    x = job.channels[0].x_model
    assert [c.name for c in job.channels] == ["alp:pi0 -> N N", "alp:eta -> N N"]
    for c, pdg in zip(job.channels, (111, 221)):
        want = load_meson_source("lbnf", pdg).per_pot * alp_meson_mixing(x, pdg) ** 2 * 2 * x.branching_ratios()["N N"]
        assert c.rate_per_pot == pytest.approx(want, rel=1e-12)


def test_dirac_pairs_give_n_and_nbar(tmp_path, box_30m):
    det = box_30m
    job = build_job(_card(str(det), 'alp = { mass = 0.3, c_gg = 1.0, f_a = 1000.0, g_hnl = 1e-3 }', '["alp:pi0"]',
                          events=40_000, extra=", dirac = true"))
    batch = EventBatch.concatenate([p[0] for p in iter_chunks(job)])
    n_d = batch.counts["daughter"]
    first = np.cumsum(np.concatenate([[0], n_d[:-1]]))
    d0 = batch.flat["daughter"]["pdg"][first]  # N -> nu e e / nu nu nu: the neutrino's sign is N's
    frac = np.mean(d0 > 0)
    assert 0.45 < frac < 0.55


def test_card_errors_and_closed_channels(tmp_path, box_30m):
    det = box_30m
    with pytest.raises(CardError, match="model.alp.g_hnl"):
        build_job(_card(str(det), 'alp = { mass = 0.3, c_gg = 1.0, f_a = 1000.0 }', '["alp:pi0"]'))
    with pytest.raises(CardError, match=r"signal.produce\[0\].*\[model.zprime\]"):
        parse_card(CARD.format(det=str(det), boson="", mn=0.1, u2=0.1, produce='["zprime:pi0"]', events=10, extra=""), "t")
    # m_Z' < 2 m_N: closed (note), the other channel stays
    job = build_job(_card(str(det), 'zprime = { kind = "B-L", mass = 0.3, coupling = 1e-3 }',
                          '["zprime:eta", "hnl:K+"]', mn=0.2, events=10))
    assert job.closed_channels == ["zprime:eta -> N N"]
    assert all(c.name.startswith("hnl:K+") for c in job.channels)

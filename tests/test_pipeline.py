"""The first chain end to end: pi0/eta -> gamma A' -> A' -> l+ l- in a detector.

Invariants (docs/design.md#random-streams): reproducibility with a seed whatever the chunk
size, four-momentum conservation per decay, on-shell daughters, decay vertices inside
the active volume, finite non-negative weights; and the forced, weighted sample agrees
with a plain unforced Monte Carlo written independently here.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.card import parse_card
from fipgen.constants import C_M_PER_NS, mass as pdg_mass
from fipgen.pipeline import build_job, iter_chunks
from fipgen.events import EventBatch


CARD = """
[experiment]
detector = "{detector}"
pot = 1e20
meson_sources = "{sources}"
[model]
zprime = {{ kind = "dark-photon", mass = {mass}, coupling = {eps} }}
[signal]
produce = {produce}
detect = "zprime:decay"
final_states = {final}
[run]
events = {events}
seed = {seed}
chunk_size = {chunk}
"""


def make_card(detector="sbnd", mass=0.05, eps=1e-7, produce='["zprime:pi0", "zprime:eta"]',
              final='"visible"', events=40000, seed=3, chunk=16384, sources="beamline"):
    return parse_card(CARD.format(detector=detector, mass=mass, eps=eps, produce=produce, final=final,
                                  events=events, seed=seed, chunk=chunk, sources=sources), source="test-card")


def generate(card, chunk=None):
    job = build_job(card)
    parts = list(iter_chunks(job, chunk))
    batch = EventBatch.concatenate([p[0] for p in parts])
    sw = sum(p[1]["sum_weights"] for p in parts)
    return job, batch, sw


def test_same_events_for_any_chunk_size():
    card = make_card(events=50000)
    _, a, swa = generate(card, chunk=16384)
    _, b, swb = generate(card, chunk=5 * 16384)
    assert len(a) == len(b) > 0
    for k in a.scalars:
        np.testing.assert_array_equal(a.scalars[k], b.scalars[k], err_msg=k)
    for c in a.flat:
        np.testing.assert_array_equal(a.counts[c], b.counts[c])
        for f in a.flat[c]:
            np.testing.assert_array_equal(a.flat[c][f], b.flat[c][f])
    assert swa == swb
    # and another seed gives other events
    _, c2, _ = generate(make_card(events=50000, seed=4), chunk=16384)
    assert not np.array_equal(a.scalars["llp_e"][:100], c2.scalars["llp_e"][:100])


@pytest.mark.parametrize("detector,mass,final", [("sbnd", 0.05, '"visible"'), ("microboone", 0.25, '["e+ e-", "mu+ mu-"]'),
                                                 ("icarus", 0.1, '"visible"'),
                                                 ("sbnd", 0.45, '["pi+ pi- pi0", "pi0 gamma"]')])
def test_decay_invariants(detector, mass, final):
    produce = '["zprime:eta"]' if mass > 0.135 else '["zprime:pi0", "zprime:eta"]'
    job, b, sw = generate(make_card(detector=detector, mass=mass, final=final, produce=produce, events=20000,
                                    sources="first-interactions"))
    n = len(b)
    # every trial is aimed at the detector; only mesons placed beyond the source table's
    # theta <= pi/2 carry zero weight and are dropped (measured: 0.05-1.2 % of trials; the
    # cascade's tables, filled by a Monte Carlo, have empty bins too: the first-interaction
    # fits are used here)
    assert n > 0.97 * 20000
    w = b.scalars["weight"]
    assert np.all(np.isfinite(w)) and np.all(w > 0)
    assert np.isclose(w.sum(), sw, rtol=1e-12)
    # four-momentum conservation in every decay, 1e-9 relative (daughters are jagged)
    llp = np.stack([b.scalars[f"llp_{c}"] for c in ("px", "py", "pz", "e")], axis=1)
    d = np.stack([b.flat["daughter"][c] for c in ("px", "py", "pz", "e")], axis=1)
    off = b.offsets("daughter")
    tot = np.add.reduceat(d, off[:-1], axis=0)
    np.testing.assert_allclose(tot, llp, rtol=1e-9, atol=1e-9 * llp[:, 3:4].max())
    # daughters on shell; the invariant mass of all daughters equals the A' mass
    pdg = b.flat["daughter"]["pdg"]
    m_d = np.sqrt(np.maximum(d[:, 3] ** 2 - (d[:, :3] ** 2).sum(-1), 0))
    m_expect = np.array([pdg_mass(abs(int(p))) if p != 22 else 0.0 for p in pdg])
    np.testing.assert_allclose(m_d, m_expect, rtol=1e-6, atol=1e-6)
    m_pair = np.sqrt(tot[:, 3] ** 2 - (tot[:, :3] ** 2).sum(-1))
    np.testing.assert_allclose(m_pair, mass, rtol=1e-7)
    if mass < 0.135:
        assert set(np.unique(np.abs(pdg))) == {11}
        assert np.all(b.counts["daughter"] == 2)
    if mass == 0.45:
        # pi+ pi- pi0 opens at 0.4195 GeV; pi0 -> gamma gamma is decayed by default:
        # pi+ pi- gamma gamma (4 daughters) and gamma gamma gamma (3)
        assert set(np.unique(np.abs(pdg))) == {211, 22}
        assert set(np.unique(b.counts["daughter"])) == {3, 4}
    # decay vertices inside the active volume (beam frame) and consistent detector frame
    dv = np.stack([b.scalars[f"decay_{c}"] for c in "xyz"], axis=1)
    solid = job.detector.active_beam
    lo, hi = solid.extent()
    assert np.all(dv >= lo - 1e-9) and np.all(dv <= hi + 1e-9)
    inside = solid.contains(dv)
    assert inside.mean() > 0.999
    dv_det = np.stack([b.scalars[f"decay_det_{c}"] for c in "xyz"], axis=1)
    np.testing.assert_allclose(job.detector.frame.to_parent(dv_det), dv, atol=1e-9)
    # decay vertex on the LLP's line of flight, inside one chord segment
    pv = np.stack([b.scalars[f"prod_{c}"] for c in "xyz"], axis=1)
    dist = np.linalg.norm(dv - pv, axis=1)
    assert np.all(dist >= b.scalars["l_entry"] - 1e-9) and np.all(dist <= b.scalars["l_exit"] + 1e-9)
    # decay time = production time + flight at the LLP speed
    beta = np.linalg.norm(llp[:, :3], axis=1) / llp[:, 3]
    np.testing.assert_allclose(b.scalars["decay_t"] - b.scalars["prod_t"], dist / (beta * C_M_PER_NS), rtol=1e-9)
    # weight is the product of its factors
    f = b.scalars
    prod = job.pot * f["weight_production"] * f["weight_branching"] * f["weight_geometric"] * f["weight_decay"] / job.n_trials
    np.testing.assert_allclose(w, prod, rtol=1e-12)


# --- unbiased weights: forced sample vs a plain Monte Carlo written independently here ---



def _plain_mc(job, n, rng, centre):
    """Unforced MC: isotropic pi0 -> gamma A', exponential decay, count decays in the box.
    Mesons of first-interaction sources are made here at the beam's interaction points in the
    target (own model below); those of a cascade source (made in every solid) at its points,
    each with the spectrum of its solid (the source's own joint draw: its input, not what is
    tested)."""
    ch = job.channels[0]
    src = ch.source
    beamline = job.beamline
    if src.points is not None:
        from fipgen.production.sources.vertex import source_sample

        vtx, parent = source_sample(beamline, src, n, rng)
    else:
        # proton interaction point: gaussian spot, exponential attenuation along the target
        tgt = beamline.target
        lo, hi = tgt.solid.extent()
        lam = tgt.material.interaction_length_m
        L = hi[2] - lo[2]
        u = rng.random(n)
        z = lo[2] - lam * np.log1p(-u * (-np.expm1(-L / lam)))
        sx, sy = beamline.beam_spot
        vtx = np.stack([rng.normal(0, sx, n), rng.normal(0, sy, n), z], axis=1)
        parent = src.sample(n, rng)
    M = pdg_mass(src.pdg)
    m = job.model.mass
    pstar = (M**2 - m**2) / (2 * M)  # photon is massless
    cth = rng.uniform(-1, 1, n)
    phi = rng.uniform(0, 2 * np.pi, n)
    sth = np.sqrt(1 - cth**2)
    p_rest = np.stack([pstar * sth * np.cos(phi), pstar * sth * np.sin(phi), pstar * cth], axis=1)
    e_rest = np.sqrt(pstar**2 + m**2)
    # boost along the parent's velocity (independent numpy implementation)
    b = parent[:, :3] / parent[:, 3:4]
    b2 = (b**2).sum(1)
    g = 1 / np.sqrt(1 - b2)
    bp = (b * p_rest).sum(1)
    g2 = np.where(b2 > 0, (g - 1) / b2, 0)
    p_lab = p_rest + (g2 * bp + g * e_rest)[:, None] * b
    pmag = np.linalg.norm(p_lab, axis=1)
    ell = pmag / m * job.model.ctau()
    dist = -ell * np.log(rng.random(n))
    dv = vtx + dist[:, None] * p_lab / pmag[:, None]
    inside = np.all(np.abs(dv - centre) <= 2.0, axis=1)
    e_llp = np.sqrt(pmag**2 + m**2)
    return inside, e_llp


@pytest.mark.parametrize(
    "mass,eps,produce",
    [
        (0.05, 1.5e-6, "pi0"),  # light A': wide decay cone
        (0.125, 5e-7, "pi0"),  # near the pi0 threshold: narrow cone, A' follows the pi0
        (0.25, 2e-7, "eta"),  # eta channel, e+e- and mu+mu- open
    ],
)
def test_forced_weights_agree_with_plain_monte_carlo(tmp_path, mass, eps, produce, box_18m):
    """First-interaction sources (the box at 18 m stands inside the decay pipe, whose cascade
    mesons would be made around it)."""
    # couplings chosen so that ell = beta gamma c tau is ~20-40 m at this 20 m box
    card = make_card(detector=str(box_18m), mass=mass, eps=eps, produce=f'["zprime:{produce}"]', events=200_000,
                     sources="first-interactions")
    _forced_vs_plain(card, np.array([0.5, 0.0, 20.0]))


def test_forced_weights_agree_with_plain_monte_carlo_from_the_cascade(tmp_path):
    """The BNB's default sources (its cascade in target, pipe and absorber, the target's first
    interactions from the fits): each meson aimed from the solid that made it, with that
    solid's spectrum; a 4 m box just beyond the absorber."""
    from _boxes import box_detector

    path = tmp_path / "box80.toml"
    path.write_text(box_detector("bnb", (0.5, 0.0, 58.0), 4.0, title="4 m cube 60 m downstream of the BNB target"))
    card = make_card(detector=str(path), mass=0.05, eps=1.5e-6, produce='["zprime:pi0"]', events=200_000)
    job = _forced_vs_plain(card, np.array([0.5, 0.0, 60.0]))
    assert len(job.channels[0].source.components) >= 3  # target fits, target later generations, absorber...


def _forced_vs_plain(card, centre):
    job, batch, sw = generate(card)
    w = batch.scalars["weight"]
    forced, forced_err = sw, np.sqrt((w**2).sum())

    rng = np.random.Generator(np.random.PCG64(2024))
    n_plain = 4_000_000
    hits = 0
    e_hits = []
    for _ in range(8):
        inside, e = _plain_mc(job, n_plain // 8, rng, centre)
        hits += int(inside.sum())
        e_hits.append(e[inside])
    e_hits = np.concatenate(e_hits)
    ch = job.channels[0]
    scale = job.pot * ch.rate_per_pot * job.weight_branching
    plain = scale * hits / n_plain
    plain_err = scale * np.sqrt(hits) / n_plain
    assert hits > 2000  # the check has statistical power (~2 %)
    pull = (forced - plain) / np.hypot(forced_err, plain_err)
    print(f"{job.model.mass} {job.channels[0].name}: forced {forced:.5g} +- {forced_err:.3g}, plain {plain:.5g} +- {plain_err:.3g} "
          f"({hits} hits), pull {pull:.2f}")
    assert abs(pull) < 4, (forced, forced_err, plain, plain_err)
    assert forced_err / forced < 0.03
    # the A' energy spectrum of the decays inside: weighted forced vs plain counts
    edges = np.quantile(e_hits, np.linspace(0, 1, 11))
    edges[0], edges[-1] = 0.0, np.inf
    fw, _ = np.histogram(batch.scalars["llp_e"], edges, weights=w)
    fw2, _ = np.histogram(batch.scalars["llp_e"], edges, weights=w**2)
    pc, _ = np.histogram(e_hits, edges)
    chi2 = float(np.sum((fw - scale * pc / n_plain) ** 2 / (fw2 + scale**2 * pc / n_plain**2)))
    from scipy import stats

    assert stats.chi2.sf(chi2, len(pc)) > 1e-4, chi2
    return job

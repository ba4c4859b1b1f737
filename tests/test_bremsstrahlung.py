"""Proton bremsstrahlung as a production channel: normalisation, samplers, weights, cards.

* the Gauss-Legendre rate integral against scipy;
* the free sampler's weighted (z, pT^2) distribution against the differential rate (chi-square);
* the forced (aimed, defensive-mixture) sample against a plain accept-reject Monte Carlo
  written here, for a far box (BNB, 30 m) and a box right behind a dump (DarkQuest-like);
* alternative weights: a quasi-real sample reweighted to Blumlein-Brunner equals a
  Blumlein-Brunner sample;
* elements (BNB target and absorber), production vertices, card errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from fipgen.card import parse_card
from fipgen.errors import CardError
from fipgen.events import EventBatch
from fipgen.geometry import load_beamline
from fipgen.models.zprime import ZPrime
from fipgen.pipeline import build_job, iter_chunks
from fipgen.production.channels import bremsstrahlung as B
from fipgen.production.channels.brems_channel import BremsChannel, BremsSettings, _Element, brems_channels
from fipgen.production.sources.vertex import interacting_fraction, sample_interaction_points

from _boxes import box_detector

MP = B.M_P

CARD = """
[experiment]
detector = "{det}"
pot = 1e20
[model]
zprime = {{ kind = "{kind}", mass = {m}, coupling = {g} }}
[signal]
produce = ["zprime:bremsstrahlung"]
detect = "zprime:decay"
final_states = "all"
[signal.bremsstrahlung]
treatment = "{tr}"
elements = ["target"]
[run]
events = {n}
seed = 3
"""


def _box(tmp_path, bl="bnb", x=1.0, z=30.0, a=6.0):
    p = tmp_path / f"box_{bl}.toml"
    p.write_text(box_detector(bl, (x, 0.0, z), a))
    return str(p)


def _job(det, m=0.3, g=2e-7, tr="quasi-real", n=100_000, kind="dark-photon"):
    return build_job(parse_card(CARD.format(det=det, m=m, g=g, tr=tr, n=n, kind=kind), "t"))


def _density(ch, z, pt2, treatment=None, lam=None):
    from fipgen.production.channels.brems_channel import _TREAT_CODE

    s = ch.settings
    return ch._density(np.atleast_1d(z), np.atleast_1d(pt2), _TREAT_CODE[treatment or s.treatment],
                       lam or s.lambda_p)


@pytest.mark.parametrize("treatment, beam, m", [("blumlein-brunner", 120.0, 0.4), ("quasi-real", 120.0, 0.8),
                                                 ("quasi-real", 8.89, 0.2)])
def test_rate_integral_against_scipy(treatment, beam, m):
    ch = BremsChannel("t", ZPrime(mass=m, coupling=1.0, kind="dark-photon"), _Element("target", None, 1.0),
                      BremsSettings(treatment=treatment), beam)
    f = lambda pt2, z: float(_density(ch, z, pt2)[0])  # noqa: E731
    ref, err = integrate.dblquad(f, 0.1, 0.9, 0.0, 1.0, epsrel=1e-7)
    assert ch.branching / ch.coupling_ff2 == pytest.approx(ref, rel=2e-4)


def test_free_sampler_follows_the_differential_rate():
    """Weighted (z, pT^2) histogram of sample_free against the integral of the rate per bin."""
    ch = BremsChannel("t", ZPrime(mass=0.5, coupling=1.0, kind="dark-photon"), _Element("target", load_beamline("numi"), 1.0),
                      BremsSettings(), 120.0)
    rng = np.random.default_rng(7)
    n = 400_000
    s = ch.sample_free(n, rng, None)
    llp, w = s["llp_p4"], s["weight"]
    z = llp[:, 2] / 120.0
    pt2 = llp[:, 0] ** 2 + llp[:, 1] ** 2
    assert w.mean() == pytest.approx(1.0, abs=5 * w.std() / math.sqrt(n))
    ze = np.linspace(0.1, 0.9, 9)
    pe = np.array([0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.55, 0.75, 1.0])
    h, _, _ = np.histogram2d(z, pt2, bins=(ze, pe), weights=w)
    h2, _, _ = np.histogram2d(z, pt2, bins=(ze, pe), weights=w * w)
    I0 = ch.branching / ch.coupling_ff2
    chi2 = 0.0
    for i in range(8):
        for j in range(8):
            exp = integrate.dblquad(lambda p2, zz: float(_density(ch, zz, p2)[0]), ze[i], ze[i + 1], pe[j], pe[j + 1],
                                    epsrel=1e-6)[0] / I0 * n
            chi2 += (h[i, j] - exp) ** 2 / h2[i, j]
    # 64 bins: chi2 well below 64 + 5 sqrt(128); a proposal without the weight fails by orders
    assert chi2 < 64 + 5 * math.sqrt(128), chi2


def _plain_hits(ch, beamline, n, rng, ctau, m, box_lo, box_hi):
    """Accept-reject plain MC: (z, pT^2) uniform in (z, t = ln(1 + pT^2/H0)), accepted with
    probability f T (pT^2 + H0) / fmax; isotropic azimuth; vertex; exponential decay in the box.
    Returns (hits among accepted, accepted, proposals)."""
    s = ch.settings
    P = ch.beam_momentum
    hits = acc = 0
    energies = []
    fmax = None
    for _ in range(n // 200_000):
        z = rng.uniform(s.z_min, s.z_max, 200_000)
        h0 = (1 - z) * m * m + z * z * MP * MP
        T = np.log1p(s.pt_max**2 / h0)
        t = rng.random(200_000) * T
        pt2 = h0 * np.expm1(t)
        g = _density(ch, z, pt2) * T * (pt2 + h0)  # f / proposal (up to a constant)
        if fmax is None:
            fmax = 1.3 * g.max()
        assert g.max() < fmax, "accept-reject bound too low"
        keep = rng.random(200_000) * fmax < g
        k = int(keep.sum())
        acc += k
        pt = np.sqrt(pt2[keep])
        phi = rng.uniform(0, 2 * np.pi, k)
        p3 = np.column_stack([pt * np.cos(phi), pt * np.sin(phi), z[keep] * P])
        pm = np.linalg.norm(p3, axis=1)
        vtx = sample_interaction_points(beamline, k, rng)
        dv = vtx + (-pm / m * ctau * np.log(rng.random(k)))[:, None] * p3 / pm[:, None]
        inside = np.all((dv >= box_lo) & (dv <= box_hi), axis=1)
        hits += int(inside.sum())
        energies.append(np.sqrt(pm[inside] ** 2 + m * m))
    return hits, acc, np.concatenate(energies)


@pytest.mark.parametrize("where", ["far", "near"])
def test_forced_agrees_with_plain(tmp_path, where):
    if where == "far":  # 6 m cube 30 m downstream of the BNB target, 1 m off axis
        det, lo, hi = _box(tmp_path), [-2.0, -3.0, 30.0], [4.0, 3.0, 36.0]
        m, g = 0.3, 2e-7
    else:  # 1.5 m cube right behind the DarkQuest iron dump (which ends at z = 5.029 m), on axis
        det = _box(tmp_path, bl="darkquest_beam", x=0.0, z=5.05, a=1.5)
        lo, hi = [-0.75, -0.75, 5.05], [0.75, 0.75, 6.55]
        m, g = 0.5, 1e-6
    job = _job(det, m=m, g=g, n=200_000)
    (ch,) = job.channels
    batch = EventBatch.concatenate([p[0] for p in iter_chunks(job)])
    w = batch.scalars["weight"]
    forced, f_err = w.sum(), math.sqrt((w * w).sum())
    rng = np.random.default_rng(11)
    hits, acc, e_plain = _plain_hits(ch, job.beamline, 4_000_000, rng, job.ctau, m, np.array(lo), np.array(hi))
    scale = job.pot * ch.rate_per_pot * job.weight_branching
    plain = scale * hits / acc
    p_err = scale * math.sqrt(hits) / acc
    pull = (forced - plain) / math.hypot(f_err, p_err)
    print(f"{where}: forced {forced:.5g} +- {f_err:.3g}, plain {plain:.5g} +- {p_err:.3g}, pull {pull:.2f}, "
          f"ESS/N {w.sum() ** 2 / (w * w).sum() / len(w):.3f}")
    assert hits > 1000 and f_err / forced < 0.02
    assert abs(pull) < 4
    # energy spectra: forced (weighted) against plain (counts), 10 bins of equal plain content
    edges = np.quantile(e_plain, np.linspace(0, 1, 11))
    edges[0], edges[-1] = 0.0, np.inf
    hf, _ = np.histogram(batch.scalars["llp_e"], bins=edges, weights=w)
    hf2, _ = np.histogram(batch.scalars["llp_e"], bins=edges, weights=w * w)
    hp, _ = np.histogram(e_plain, bins=edges)
    hp_s = hp * scale / acc
    chi2 = float(np.sum((hf - hp_s) ** 2 / (hf2 + hp * (scale / acc) ** 2)))
    assert chi2 < 10 + 5 * math.sqrt(20), chi2
    # decays inside the box, production in the dump/target, Z' time = vertex z / c
    assert np.all(batch.scalars["decay_z"] >= lo[2] - 1e-9) and np.all(batch.scalars["decay_z"] <= hi[2] + 1e-9)
    t0 = batch.scalars["prod_t"] - batch.scalars["prod_z"] / 0.299792458  # the proton's bucket time
    if where == "near":  # DarkQuest: no bucket structure in the beamline file
        assert np.allclose(t0, 0.0)
    else:  # BNB: 81 buckets 18.936 ns apart, sigma 1.308 ns
        assert t0.min() > -8.0 and t0.max() < 80 * 18.936 + 8.0
        resid = (t0 + 9.468) % 18.936 - 9.468
        assert np.std(resid) == pytest.approx(1.308, rel=0.05)


def test_alternative_weights_reweight_to_the_other_treatment(tmp_path):
    det = _box(tmp_path)
    qr = _job(det, tr="quasi-real", n=150_000)
    bb = _job(det, tr="blumlein-brunner", n=150_000)
    assert qr.alt_weight_names == ("bb", "qr_lambda1", "qr_lambda2")
    assert bb.alt_weight_names == ("qr_lambda1", "qr_lambda1p5", "qr_lambda2")
    default = build_job(parse_card(CARD.format(det=det, m=0.3, g=2e-7, tr="quasi-real", n=10, kind="dark-photon")
                                   .replace('treatment = "quasi-real"\n', ""), "t"))
    assert default.channels[0].settings.treatment == "blumlein-brunner"
    bq = EventBatch.concatenate([p[0] for p in iter_chunks(qr)]).scalars
    bbb = EventBatch.concatenate([p[0] for p in iter_chunks(bb)]).scalars
    for alt, other, oname in ((bq["weight_bb"], bbb["weight"], "bb"), (bbb["weight_qr_lambda1p5"], bq["weight"], "qr")):
        a, b = alt.sum(), other.sum()
        err = math.hypot(math.sqrt((alt**2).sum()), math.sqrt((other**2).sum()))
        assert abs(a - b) < 4 * err, (oname, a, b, err)
    # the band is ordered: Lambda_p = 1 < 1.5 < 2 (a stronger off-shell suppression with a smaller scale)
    assert bq["weight_qr_lambda1"].sum() < bq["weight"].sum() < bq["weight_qr_lambda2"].sum()
    # the ratio of the integrated rates equals the reweighted ratio of the whole production
    (ch,) = qr.channels
    ints = ch.variant_integrals()
    assert ints["qr_lambda1p5"] == pytest.approx(ch.branching, rel=1e-12)


def test_bnb_elements_target_and_absorber():
    from fipgen.production.sources.resolve import sources_variant

    bl = sources_variant(load_beamline("bnb"), "first-interactions")  # (the cascade's: test_hadron_cascade.py)
    model = ZPrime(mass=0.3, coupling=1e-6, kind="dark-photon")
    t, a = brems_channels(model, bl, BremsSettings())
    f_t = interacting_fraction(bl)
    assert t.source.per_pot == pytest.approx(f_t) and f_t == pytest.approx(0.814, abs=0.003)
    # 15.7 interaction lengths of steel: every proton that crossed the target interacts there
    assert a.source.per_pot == pytest.approx(1.0 - f_t, rel=1e-4)
    assert a.branching == pytest.approx(t.branching, rel=1e-12)  # the same beam momentum
    rng = np.random.default_rng(1)
    za = a.sample_free(2000, rng, bl)["vertex"][:, 2]
    zt = t.sample_free(2000, rng, bl)["vertex"][:, 2]
    assert za.min() >= 50.278 and za.max() <= 50.278 + 2.6416 and zt.max() <= 0.7112
    only_t = brems_channels(model, bl, BremsSettings(elements=("target",)))
    assert [c.name for c in only_t] == ["zprime:bremsstrahlung"]


def test_b_minus_l_uses_the_isoscalar_form_factor():
    """B-L at m -> 0 couples to the proton with g (F(0) = 1); at the omega mass the isoscalar
    form factor makes it larger than the dark photon's at equal g^2/4pi."""
    e = math.sqrt(4 * math.pi * B.ALPHA_EM)
    bl = load_beamline("numi")
    for m in (0.05, 0.782):
        ap = brems_channels(ZPrime(mass=m, coupling=1e-3, kind="dark-photon"), bl, BremsSettings())[0]
        bml = brems_channels(ZPrime(mass=m, coupling=1e-3 * e, kind="B-L"), bl, BremsSettings())[0]
        r = bml.branching / ap.branching
        if m < 0.1:
            assert r == pytest.approx(B.nucleon_form_factor(m, 0, 2) ** 2 / B.nucleon_form_factor(m, 1, 1) ** 2, rel=1e-9)
            assert r == pytest.approx(1.0, abs=0.02)
        else:
            assert r > 2.0


def test_card_errors():
    base = CARD.format(det="sbnd", m=0.3, g=1e-6, tr="quasi-real", n=10, kind="dark-photon")
    with pytest.raises(CardError, match="signal.bremsstrahlung.treatment"):
        parse_card(base.replace('treatment = "quasi-real"', 'treatment = "fww"'), "t")
    with pytest.raises(CardError, match="signal.bremsstrahlung.z_max"):
        parse_card(base.replace('elements = ["target"]', "z_min = 0.5\nz_max = 0.4"), "t")
    with pytest.raises(CardError, match="signal.bremsstrahlung.elements"):
        parse_card(base.replace('elements = ["target"]', 'elements = ["horn"]'), "t")
    with pytest.raises(CardError, match="unknown key signal.bremsstrahlung.lambda"):
        parse_card(base.replace('elements = ["target"]', "lambda = 1.0"), "t")
    with pytest.raises(CardError, match="only with 'zprime:bremsstrahlung'"):
        parse_card(base.replace('"zprime:bremsstrahlung"', '"zprime:pi0"').replace("mass = 0.3", "mass = 0.05"), "t")

"""The cross-section conventions of arXiv:2307.03878's public code (alplib) as fipgen options
(fipgen.models.alp_xsec item 8; docs/physics.md#paper-conventions-of-arxiv230703878).

* ``primakoff_sigma_massless`` is the closed form it claims: checked against Creswick's bracket
  written out independently, ``(g^2 alpha Z^2/4) [((2 eta^2 + 1)/(4 eta^2)) ln(1 + 4 eta^2) - 1]``,
  ``eta^2 = E^2/b``, and against a scipy quadrature of ``dsigma/dt = g^2 alpha Z^2/(32 E^2)
  t (4E^2 - t)/(t + b)^2`` on ``[0, 4 E^2]`` (the massless Yukawa-screened Primakoff);
* with Tsai's screening ``b`` it reduces to fipgen's default ``primakoff_sigma`` where they must
  agree (``m_a -> 0``, ``4 E^2 << d``: nuclear form factor 1) within 3e-4, and departs from it
  where the nuclear form factor matters (>= 0.3 % at 20 MeV);
* the ``"alplib"`` variant is twice ``"massless"`` with ``r0 = 2.2e-10 m``: alplib's
  ``(g Z)^2/(2 x 137) [...]``; the inverse variant is the same bracket in ``eta = r0 p`` with
  ``g^2 alpha Z^2/2``; the resonant variant is ``8 m_e^2/m_a^2`` times the spin-0 coefficient;
* the variants reach the channels (shower rate and ALP direction, scattering rate) only when the
  card asks; the default events are pinned by tests/test_event_checksums.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from fipgen.card import parse_card
from fipgen.constants import ALPHA_EM, HBARC_GEV_M
from fipgen.errors import CardError, PhysicsError
from fipgen.models import alp_xsec as X
from fipgen.models.alp import ALP

ME = X.M_E
R0 = 2.2e-10 / HBARC_GEV_M  # GeV^-1, alplib's screening radius
FE = (26.0, 55.845)


def creswick_bracket(eta2):
    """Creswick et al.'s bracket as alplib writes it (independent of the module's form)."""
    return ((2 * eta2 + 1) / (4 * eta2)) * math.log(1 + 4 * eta2) - 1


@pytest.mark.parametrize("E", [1e-3, 0.01, 0.1, 1.0, 8.0])
@pytest.mark.parametrize("Z", [1.0, 6.0, 26.0])
def test_massless_primakoff_is_the_closed_form(E, Z):
    g = 1e-3
    for b in (X.screening_b(Z), 1 / R0**2):
        got = X.primakoff_sigma_massless(E, 0.0, g, Z, b)
        assert got == pytest.approx(ALPHA_EM * g * g * Z * Z / 4 * creswick_bracket(E * E / b), rel=1e-12, abs=0)
        T = 4 * E * E
        f = lambda t: g * g * ALPHA_EM * Z * Z / (32 * E * E) * t * (T - t) / (t + b) ** 2  # noqa: E731
        quad = integrate.quad(f, 0, T, points=[b, 10 * b], limit=400, epsabs=0, epsrel=1e-11)[0]
        assert got == pytest.approx(quad, rel=1e-8, abs=0)


def test_massless_primakoff_small_eta_series_and_threshold():
    b = 1.0  # GeV^2: y = 4 E^2 from 4e-8 to 0.04, both sides of the series switch at y = 1e-2
    for E in (1e-4, 3e-3, 0.0158, 0.0499, 0.0501, 0.1):
        y = 4 * E * E / b
        exact = float(sum((-1) ** (k + 1) * y**k * (1 / (2 * k) - 1 / (k + 1)) for k in range(2, 60)))  # (1/2 + 1/y) ln(1+y) - 1
        assert X.primakoff_sigma_massless(E, 0.0, 1.0, 1.0, b) == pytest.approx(ALPHA_EM / 4 * exact, rel=1e-9, abs=0)
    assert X.primakoff_sigma_massless(0.05, 0.05, 1.0, 26.0, 1e-9) == 0.0  # E <= m_a
    assert X.primakoff_sigma_massless(0.0501, 0.05, 1.0, 26.0, 1e-9) > 0.0  # the mass is only a threshold


def test_massless_reduces_to_tsai_where_they_agree():
    """Same screening, m_a -> 0 and 4 E^2 << d (Fe: d = 0.0112 GeV^2): fipgen's default integral."""
    for Z, A in (FE, (6.0, 12.011), (18.0, 39.948)):
        b = X.screening_b(Z)
        for E in (1e-3, 2e-3):
            r = X.primakoff_sigma_massless(E, 1e-6, 1.0, Z, b) / X.primakoff_sigma(E, 1e-6, 1.0, Z, A)
            assert r == pytest.approx(1.0, abs=3e-4)
        # the nuclear form factor (absent from the massless form) shows up as E^2 grows
        assert X.primakoff_sigma_massless(0.02, 1e-6, 1.0, Z, b) / X.primakoff_sigma(0.02, 1e-6, 1.0, Z, A) > 1.003


def test_alplib_primakoff_variant():
    Z, A = FE
    g = 2e-5
    for E, m in ((0.02, 0.001), (0.5, 0.05), (3.0, 0.1), (0.3, 0.1)):
        eta2 = (R0 * E) ** 2
        alplib = (g * Z) ** 2 / (2 / ALPHA_EM) * creswick_bracket(eta2)  # alplib prod_xs.primakoff_sigma, alpha(0)
        assert X.primakoff_sigma_variant(E, m, g, Z, A, 2) == pytest.approx(alplib, rel=1e-12, abs=0)
        assert X.primakoff_sigma_variant(E, m, g, Z, A, 2) == 2 * X.primakoff_sigma_variant(E, m, g, Z, A, 1)
        assert X.primakoff_sigma_variant(E, m, g, Z, A, 0) == X.primakoff_sigma(E, m, g, Z, A)
    assert X.primakoff_sigma_variant(0.1, 0.1, g, Z, A, 2) == 0.0
    # several to tens of times Tsai at 50-100 MeV (docs/physics.md table); about 3x at 1 MeV
    assert 2.5 < X.primakoff_sigma_variant(1.0, 0.001, g, Z, A, 2) / X.primakoff_sigma(1.0, 0.001, g, Z, A) < 4
    assert X.primakoff_sigma_variant(1.0, 0.1, g, Z, A, 2) / X.primakoff_sigma(1.0, 0.1, g, Z, A) > 10


def test_alplib_inverse_primakoff_variant():
    Z, A = 6.0, 12.011
    g = 1e-4
    for E, m in ((0.05, 0.001), (1.0, 0.05), (0.2, 0.15)):
        p2 = E * E - m * m
        want = (g * Z) ** 2 / (2 / ALPHA_EM) * creswick_bracket(R0 * R0 * p2)  # alplib det_xs.iprimakoff_sigma
        assert X.inverse_primakoff_sigma_alplib(E, m, g, Z) == pytest.approx(want, rel=1e-12, abs=0)
        assert X.inverse_primakoff_sigma_variant(E, m, g, Z, A, 1) == X.inverse_primakoff_sigma_alplib(E, m, g, Z)
        assert X.inverse_primakoff_sigma_variant(E, m, g, Z, A, 0) == X.inverse_primakoff_sigma(E, m, g, Z, A)
    # detailed balance at m_a = 0: inverse = 2 x production (photon polarisations)
    assert X.inverse_primakoff_sigma_alplib(0.3, 0.0, g, Z) == pytest.approx(
        2 * X.primakoff_sigma_massless(0.3, 0.0, g, Z, 1 / R0**2), rel=1e-12)
    assert X.inverse_primakoff_sigma_alplib(0.05, 0.05, g, Z) == 0.0


def test_alplib_resonant_variant():
    for ma in (0.0015, 0.02, 0.1):
        beta = math.sqrt(1 - 4 * ME * ME / ma**2)
        assert X.resonant_sigma_coefficient_alplib(ma, 1e-6) == pytest.approx(2 * math.pi * ME * 1e-12 / (ma**2 * beta),
                                                                              rel=1e-12)
        assert X.resonant_sigma_coefficient_alplib(ma, 1e-6) / X.resonant_sigma_coefficient(ma, 1e-6) == pytest.approx(
            8 * ME * ME / ma**2, rel=1e-12)
        assert X.resonant_yield_per_track_length(ma, 1e-6, 1e30, "alplib") == pytest.approx(
            1e30 * X.resonant_sigma_coefficient_alplib(ma, 1e-6) * X.GEV2_TO_M2, rel=1e-14)
    assert X.resonant_yield_per_track_length(0.02, 1e-6, 1e30) == X.resonant_yield_per_track_length(0.02, 1e-6, 1e30, "spin-0")
    with pytest.raises(ValueError, match="allowed: spin-0, alplib"):
        X.resonant_yield_per_track_length(0.02, 1e-6, 1e30, "spin-1")


def test_model_and_card_take_the_conventions():
    a = ALP(0.05, g_gamma=1e-5)
    assert (a.primakoff_xsec, a.primakoff_angle, a.inverse_primakoff_xsec, a.resonant_xsec) == (
        "tsai", "sampled", "tsai", "spin-0")
    with pytest.raises(PhysicsError, match="primakoff_xsec must be one of"):
        ALP(0.05, g_gamma=1e-5, primakoff_xsec="creswick")
    card = """
[experiment]
detector = "miniboone_dump"
[model]
alp = {{ mass = 0.05, g_gamma = 1e-5, {extra} }}
[signal]
produce = ["alp:primakoff"]
detect = "alp:decay"
"""
    c = parse_card(card.format(extra='primakoff_xsec = "alplib", primakoff_angle = "collinear"'), "t")
    assert c.alp.primakoff_xsec == "alplib" and c.alp.primakoff_angle == "collinear"
    with pytest.raises(CardError, match="model.alp.primakoff_angle"):
        parse_card(card.format(extra='primakoff_angle = "forward"'), "t")


def _job(extra: str, proc="primakoff", detect="decay", ge=0.0):
    from fipgen.pipeline import build_job

    text = f"""
[experiment]
detector = "miniboone_dump"
[model]
alp = {{ mass = 0.05, g_gamma = 1e-6, g_electron = {ge}{extra} }}
[signal]
produce = ["alp:{proc}"]
detect = "alp:{detect}"
final_states = "all"
[run]
events = 4000
seed = 5
"""
    return build_job(parse_card(text, "t"))


def test_shower_channel_follows_the_primakoff_conventions():
    (tsai,) = _job("").channels
    (massless,) = _job(', primakoff_xsec = "massless"').channels
    (alplib,) = _job(', primakoff_xsec = "alplib"').channels
    assert alplib.rate_per_pot == pytest.approx(2 * massless.rate_per_pot, rel=1e-12)
    assert alplib.rate_per_pot > 5 * tsai.rate_per_pot  # m_a = 50 MeV
    mat = tsai.beamline.target.material
    z, a, n = X.material_targets(mat)
    E = np.array([0.2, 1.0, 4.0])
    want = sum(n[j] * np.array([X.primakoff_sigma_massless(e, 0.05, 1e-6, z[j], 1 / R0**2) for e in E])
               for j in range(z.size)) * X.GEV2_TO_M2
    np.testing.assert_allclose(massless._rate(E), want, rtol=1e-12)
    # collinear: the ALP along its photon; sampled: not
    rng = np.random.default_rng(3)
    job = _job(', primakoff_angle = "collinear"')
    (col,) = job.channels
    for ch, along in ((col, True), (tsai, False)):
        s = ch.sample(3000, rng, ch.beamline, job.detector.active_beam)
        ok = s.weight_geometric > 0
        assert ok.sum() > 100
        u = s.parent_p4[ok, :3] / np.linalg.norm(s.parent_p4[ok, :3], axis=1)[:, None]
        cos = np.einsum("ij,ij->i", u, s.direction[ok])
        assert np.all(cos > 1 - 1e-12) == along


def test_scatter_follows_the_inverse_primakoff_convention():
    from fipgen.production.channels.alp_scatter import interaction_rates, scatter_spec
    from fipgen.geometry.materials import get_material

    mat = get_material("CH2")
    E = np.array([0.1, 1.0])
    r_t = interaction_rates(scatter_spec(ALP(0.05, g_gamma=1e-5), mat, ["primakoff"]), E)[0][:, 0]
    r_a = interaction_rates(scatter_spec(ALP(0.05, g_gamma=1e-5, inverse_primakoff_xsec="alplib"), mat, ["primakoff"]), E)[0][:, 0]
    z, a, n = X.material_targets(mat)
    want = sum(n[j] * np.array([X.inverse_primakoff_sigma_alplib(e, 0.05, 1e-5, z[j]) for e in E]) for j in range(z.size))
    np.testing.assert_allclose(r_a, want * X.GEV2_TO_M2, rtol=1e-12)
    assert np.all(r_a > 2 * r_t)

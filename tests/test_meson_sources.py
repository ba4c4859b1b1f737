"""BNB pi0 / eta sources: sampled (p, theta) against independent integrations of the densities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, interpolate, stats

from fipgen.errors import PhysicsError
from fipgen.production import BNB_ETA_PER_PI0, BNB_PI0_PER_POT, MesonSource, bnb_meson_source, sanford_wang_pi0_per_pot
from fipgen.production.sources.meson_spectra import (
    BNB_P_BEAM,
    SW_PI_MINUS,
    SW_PI_PLUS,
    bnb_eta_density,
    bnb_pi0_density,
    sanford_wang,
)

M_PI0, M_ETA, M_PIC = 0.1349768, 0.547862, 0.13957039
TH_MAX = 0.5 * math.pi


def marginal_cdfs(density, p_max, n_grid=1500):
    """CDFs of p and theta from adaptive quadrature (scipy quad_vec), independent of the
    Gauss-Legendre bin integrals used to build the tables."""
    pg = np.linspace(0.0, p_max, n_grid)
    fp, _ = integrate.quad_vec(lambda t: density(pg, t) * 2 * math.pi * math.sin(t), 0.0, TH_MAX, epsrel=1e-10)
    tg = TH_MAX * np.linspace(0.0, 1.0, n_grid) ** 2
    ft, _ = integrate.quad_vec(lambda p: density(p, tg) * 2 * math.pi * np.sin(tg), 0.0, p_max, epsrel=1e-10, points=[0.5, 1, 2])
    Fp = integrate.cumulative_simpson(fp, x=pg, initial=0.0)
    Ft = integrate.cumulative_simpson(ft, x=tg, initial=0.0)
    return (
        interpolate.PchipInterpolator(pg, Fp / Fp[-1]),
        interpolate.PchipInterpolator(tg, Ft / Ft[-1]),
        Fp[-1],
    )


@pytest.fixture(scope="module")
def pi0_cdfs():
    return marginal_cdfs(bnb_pi0_density, BNB_P_BEAM - 1.0)


@pytest.fixture(scope="module")
def eta_cdfs():
    return marginal_cdfs(bnb_eta_density, math.sqrt((BNB_P_BEAM - 1.0) ** 2 - (M_ETA**2 - M_PIC**2)))


def test_normalisations_are_the_cited_numbers():
    assert BNB_PI0_PER_POT == 0.9 and BNB_ETA_PER_PI0 == pytest.approx(1 / 30)
    assert bnb_meson_source(111).per_pot == 0.9
    assert bnb_meson_source(221).per_pot == pytest.approx(0.03, rel=1e-15)
    assert bnb_meson_source(111) is bnb_meson_source(111)  # cached
    for pdg in (111, 221):
        prov = bnb_meson_source(pdg).provenance
        assert "0806.1449" in prov and "1609.01770" in prov


def test_sanford_wang_first_interaction_estimate():
    est = sanford_wang_pi0_per_pot()
    # (158.92 + 144.44)/2 mb from an independent dblquad of the two fits
    s_plus = integrate.dblquad(
        lambda t, p: sanford_wang(p, t, SW_PI_PLUS, BNB_P_BEAM) * 2 * math.pi * math.sin(t), 0, 7.89, 0, TH_MAX
    )[0]
    s_minus = integrate.dblquad(
        lambda t, p: sanford_wang(p, t, SW_PI_MINUS, BNB_P_BEAM) * 2 * math.pi * math.sin(t), 0, 7.89, 0, TH_MAX
    )[0]
    assert est["sigma_pi0_mb"] == pytest.approx(0.5 * (s_plus + s_minus), rel=1e-6)
    assert est["sigma_inel_mb"] == pytest.approx(212.28, abs=0.01)
    # the geometry's fraction (71.12 cm of Be, lambda_I = 42.10 cm, over the beam spot), which a
    # pencil beam through n sigma_inel L = 1.8643 (1.2349e23 cm^-3, 212.28 mb) would put at 0.845
    assert est["interacting_fraction"] == pytest.approx(0.8137, abs=5e-4)
    assert est["pi0_per_pot"] == pytest.approx(0.5814, abs=0.002)


@pytest.mark.parametrize("pdg", [111, 221])
def test_sampled_marginals_match_independent_integration(pdg, pi0_cdfs, eta_cdfs):
    src = bnb_meson_source(pdg)
    Fp, Ft, _ = pi0_cdfs if pdg == 111 else eta_cdfs
    rng = np.random.default_rng(21)
    p4 = src.sample(200000, rng)
    p = np.linalg.norm(p4[:, :3], axis=1)
    th = np.arccos(np.clip(p4[:, 2] / p, -1, 1))
    assert stats.kstest(p, Fp).pvalue > 1e-3
    assert stats.kstest(th, Ft).pvalue > 1e-3
    phi = np.arctan2(p4[:, 1], p4[:, 0])
    assert stats.kstest(phi, stats.uniform(loc=-math.pi, scale=2 * math.pi).cdf).pvalue > 1e-3
    m = M_PI0 if pdg == 111 else M_ETA
    assert np.allclose(p4[:, 3] ** 2 - p**2, m**2, rtol=0, atol=1e-9 * p4[:, 3].max() ** 2)
    assert th.max() <= TH_MAX + 1e-12


def test_ks_detects_wrong_shape(pi0_cdfs):
    """The marginal test can fail: pi+ alone is distinguishable from (pi+ + pi-)/2."""
    Fp, Ft, _ = pi0_cdfs
    src, _ = __import__("fipgen.production.sources.meson_spectra", fromlist=["tabulate_source"]).tabulate_source(
        211, lambda p, t: sanford_wang(p, t, SW_PI_PLUS, BNB_P_BEAM), 7.89, TH_MAX, 1.0, "test"
    )
    p4 = src.sample(200000, np.random.default_rng(22))
    p = np.linalg.norm(p4[:, :3], axis=1)
    assert stats.kstest(p, Fp).pvalue < 1e-3


def test_joint_distribution_chi2():
    """Coarse 2D bins: counts against a 2D Simpson integration of the density."""
    src = bnb_meson_source(111)
    rng = np.random.default_rng(23)
    n = 300000
    p4 = src.sample(n, rng)
    p = np.linalg.norm(p4[:, :3], axis=1)
    th = np.arccos(p4[:, 2] / p)
    pe = np.array([0, 0.3, 0.6, 1.0, 1.5, 2.2, 3.0, 4.5, 7.89])
    te = np.array([0, 0.03, 0.07, 0.12, 0.2, 0.3, 0.45, 0.7, 1.0, TH_MAX])
    counts, _, _ = np.histogram2d(p, th, [pe, te])
    expect = np.empty_like(counts)
    for i in range(len(pe) - 1):
        for j in range(len(te) - 1):
            pg = np.linspace(pe[i], pe[i + 1], 201)
            tg = np.linspace(te[j], te[j + 1], 201)
            f = bnb_pi0_density(pg[:, None], tg[None, :]) * 2 * math.pi * np.sin(tg)[None, :]
            expect[i, j] = integrate.simpson(integrate.simpson(f, x=tg, axis=1), x=pg)
    expect *= n / 151.675472
    assert expect.sum() == pytest.approx(n, rel=1e-5)
    chi2 = np.sum((counts - expect) ** 2 / expect)
    assert stats.chi2.sf(chi2, counts.size - 1) > 1e-3, chi2


def test_eta_mt_scaling_identity():
    """Equal invariant cross sections E d3sigma/dp3 at equal (E, p_L)."""
    p, th = np.array([0.3, 1.0, 2.5, 5.0]), np.array([0.05, 0.3, 0.1, 0.02])
    pl = p * np.cos(th)
    pt_pi = np.sqrt((p * np.sin(th)) ** 2 + M_ETA**2 - M_PIC**2)
    p_pi = np.hypot(pl, pt_pi)
    inv_eta = bnb_eta_density(p, th) / p**2
    inv_pi = bnb_pi0_density(p_pi, np.arctan2(pt_pi, pl)) / p_pi**2
    assert np.allclose(inv_eta, inv_pi, rtol=1e-13)


def test_sampling_reproducible_and_bins():
    src = bnb_meson_source(221)
    a = src.sample(1000, np.random.default_rng(5))
    b = src.sample(1000, np.random.default_rng(5))
    assert np.array_equal(a, b)
    for pdg in (111, 221):  # compiled kernel == numpy reference, draw by draw
        s = bnb_meson_source(pdg)
        assert np.array_equal(s.sample(50000, np.random.default_rng(6)), s.sample_numpy(50000, np.random.default_rng(6)))
    probs = src.bin_probabilities()
    assert probs.shape == (200, 200) and probs.sum() == pytest.approx(1.0, abs=1e-12) and probs.min() >= 0
    assert not src.cdf.flags.writeable
    with pytest.raises(PhysicsError):
        bnb_meson_source(211)
    with pytest.raises(PhysicsError):
        MesonSource(111, 0.9, np.array([0.0, 1.0]), np.array([0.0, 0.1]), np.array([0.5]), "bad cdf")


def test_sanford_wang_domain():
    assert sanford_wang(7.89, 0.1, SW_PI_PLUS, BNB_P_BEAM) == pytest.approx(0.0, abs=1e-12)
    assert sanford_wang(8.5, 0.1, SW_PI_PLUS, BNB_P_BEAM) == 0.0
    assert sanford_wang(1.0, 1.6, SW_PI_PLUS, BNB_P_BEAM) == 0.0
    assert sanford_wang(-0.1, 0.1, SW_PI_PLUS, BNB_P_BEAM) == 0.0
    v = sanford_wang(np.array([0.5, 1.0]), np.array([0.1, 1.5]), SW_PI_MINUS, BNB_P_BEAM)
    assert np.all(v > 0)

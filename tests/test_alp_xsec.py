"""ALP cross sections (generator/models/alp_xsec.py): kernels vs references, totals vs independent
integrals, kinematic limits, samplers (KS against the differential cross sections), materials.

Independent checks of the matrix elements (explicit Dirac matrices, relativistic Primakoff) and the
comparisons with alplib / published formulas are in tests/reference/test_alp_xsec_reference.py.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from scipy import integrate, stats

from fipgen.constants import ALPHA_EM, mass
from fipgen.geometry.materials import get_material
from fipgen.models import alp_xsec as X
from fipgen.production.channels import alp_xsec_sampling as XS
from fipgen.models.alp import fermion_width

ME = X.M_E
FE = (26.0, 55.845)
AR = (18.0, 39.948)


def ks_pvalue(samples, x_grid, pdf_grid):
    """KS p-value of ``samples`` against the CDF of a density tabulated on a fine grid (trapezoid)."""
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf_grid[1:] + pdf_grid[:-1]) * np.diff(x_grid))])
    cdf /= cdf[-1]
    return stats.kstest(samples, lambda v: np.interp(v, x_grid, cdf)).pvalue


# ------------------------------------------------------------------------------------------ constants


def test_constants_and_units():
    assert X.M_E == pytest.approx(mass(11), rel=1e-9, abs=0)
    assert X.M_P == pytest.approx(mass(2212), rel=1e-8, abs=0)
    # (hbar c)^2 = 0.3893793721 mb GeV^2 (PDG)
    assert X.GEV2_TO_CM2 == pytest.approx(0.3893793721e-27, rel=1e-9, abs=0)
    assert X.to_cm2(1.0) == X.GEV2_TO_CM2 and X.to_m2(np.ones(2))[1] == pytest.approx(X.GEV2_TO_CM2 * 1e-4, rel=1e-14, abs=0)
    assert X.per_length(2.0, 3.0) == pytest.approx(6.0 * X.GEV2_TO_M2, rel=1e-15, abs=0)


# ------------------------------------------------------------------------------------------ form factor


def test_form_factor_kernel_and_limits():
    t = np.geomspace(1e-14, 10.0, 60)
    for Z, A in (FE, AR, (1.0, 1.008), (6.0, 12.0107)):
        k = np.array([X.tsai_form_factor(v, Z, A) for v in t])
        assert np.allclose(k, X.tsai_form_factor_np(t, Z, A), rtol=1e-13, atol=0)
        a = 111.0 * Z ** (-1 / 3) / ME
        # screening: F ~ a^2 t for t << 1/a^2; nucleus: F -> 1/(1 + t/d) for t >> 1/a^2
        assert X.tsai_form_factor(1e-6 / a**2, Z, A) == pytest.approx(1e-6, rel=1e-5, abs=0)
        d = 0.164 * A ** (-2 / 3)
        assert X.tsai_form_factor(d, Z, A) == pytest.approx(0.5, rel=1e-6, abs=0)


# ------------------------------------------------------------------------------------------ Primakoff


@pytest.mark.parametrize("E,ma,ZA", [(1.0, 0.01, FE), (0.05, 0.02, FE), (5.0, 0.3, AR), (0.2, 0.19, (6.0, 12.0107))])
def test_primakoff_differential_kernels(E, ma, ZA):
    Z, A = ZA
    th = np.concatenate([np.geomspace(1e-7, 0.1, 30), np.linspace(0.2, 3.1, 10)])
    k = np.array([X.primakoff_dsigma_dtheta(v, E, ma, 1e-3, Z, A) for v in th])
    assert np.allclose(k, X.primakoff_dsigma_dtheta_np(th, E, ma, 1e-3, Z, A), rtol=2e-7, atol=0)
    # dsigma/dt * dt/dtheta = dsigma/dtheta, dt/dtheta = 2 E p sin(theta)
    p = math.sqrt(E * E - ma * ma)
    t0, t1 = X.primakoff_t_range(E, ma)
    assert t0 == pytest.approx((E - p) ** 2, rel=1e-8, abs=0) and t1 == pytest.approx((E + p) ** 2, rel=1e-14, abs=0)
    for v in (0.05, 1.0, 2.5):  # (t - t0 is formed from t here: fine away from theta -> 0)
        t = t0 + 4 * E * p * math.sin(v / 2) ** 2
        lhs = X.primakoff_dsigma_dt(t, E, ma, 1e-3, Z, A) * 2 * E * p * math.sin(v)
        assert lhs == pytest.approx(X.primakoff_dsigma_dtheta(v, E, ma, 1e-3, Z, A), rel=1e-9, abs=0)
    assert X.primakoff_dsigma_dt(t0 * 0.5, E, ma, 1e-3, Z, A) == 0.0


@pytest.mark.parametrize("E,ma,ZA", [(1.0, 0.01, FE), (0.05, 0.02, FE), (5.0, 0.3, AR), (0.2, 0.19, (1.0, 1.008)),
                                      (20.0, 1e-4, FE)])
def test_primakoff_total_vs_quad_over_theta(E, ma, ZA):
    Z, A = ZA
    # independent: scipy adaptive quadrature of the numpy reference in ln(theta)
    f = lambda lt: math.exp(lt) * float(X.primakoff_dsigma_dtheta_np(math.exp(lt), E, ma, 1.0, Z, A))
    ref = integrate.quad(f, math.log(1e-14), math.log(math.pi), limit=500, epsabs=0, epsrel=1e-10)[0]
    assert X.primakoff_sigma(E, ma, 1.0, Z, A) == pytest.approx(ref, rel=1e-7, abs=0)
    assert X.primakoff_sigma(E, ma, 2e-3, Z, A) == pytest.approx(4e-6 * ref, rel=1e-7, abs=0)


def test_primakoff_threshold_and_high_energy_limit():
    Z, A = FE
    assert X.primakoff_sigma(0.1, 0.1, 1.0, Z, A) == 0.0 and X.primakoff_sigma(0.05, 0.1, 1.0, Z, A) == 0.0
    assert X.primakoff_dsigma_dtheta(0.1, 0.09, 0.1, 1.0, Z, A) == 0.0
    assert 0.0 < X.primakoff_sigma(0.1000001, 0.1, 1.0, Z, A) < 1e-3 * X.primakoff_sigma(0.2, 0.1, 1.0, Z, A)
    # E >> m_a, t1 >> d: sigma -> (g^2 alpha Z^2/8) int_0^inf F^2 dt/t = (g^2 alpha Z^2/8) I(b/d),
    # I(r) = int_0^inf u du/((1+u)^2 (1+r u)^2) (u = t/b); analytic limit of the formula above
    b, d = X.screening_b(Z), X.nuclear_d(A)
    r = b / d
    I = integrate.quad(lambda lu: math.exp(2 * lu) / ((1 + math.exp(lu)) ** 2 * (1 + r * math.exp(lu)) ** 2), -40, 60, limit=400)[0]
    lim = ALPHA_EM * Z * Z / 8 * I
    assert X.primakoff_sigma(200.0, 1e-5, 1.0, Z, A) == pytest.approx(lim, rel=2e-4, abs=0)
    # and I(r) ~ ln(1/r) - 2 for r -> 0
    assert I == pytest.approx(math.log(1 / r) - 2, rel=2e-3, abs=0)


@pytest.mark.parametrize("E,ma,ZA", [(1.0, 0.01, FE), (0.06, 0.05, FE), (3.0, 0.5, AR), (0.5, 0.02, (1.0, 1.008)), (0.1001, 0.1, FE)])
def test_primakoff_angle_sampler_ks(E, ma, ZA):
    Z, A = ZA
    rng = np.random.default_rng(20240601)
    n = 12000
    th = np.array([XS.sample_primakoff_theta(E, ma, Z, A, rng) for _ in range(n)])
    assert np.all(th >= 0) and np.all(th <= math.pi)
    lg = np.linspace(math.log(th.min()) - 1, math.log(math.pi), 6000)
    grid = np.exp(lg)
    pdf = X.primakoff_dsigma_dtheta_np(grid, E, ma, 1.0, Z, A)
    assert ks_pvalue(th, grid, pdf) > 1e-3
    # array version (user hot loop), same stream semantics
    arr = XS.sample_primakoff_theta_array(np.full(5000, E), ma, Z, A, np.random.default_rng(3))
    assert ks_pvalue(arr, grid, pdf) > 1e-3


def test_inverse_primakoff_detailed_balance_and_sampler():
    Z, A = AR
    for E, ma in ((0.1, 0.05), (1.0, 0.01), (2.0, 1.9)):
        p2 = E * E - ma * ma
        r = X.inverse_primakoff_sigma(E, ma, 1e-4, Z, A) / X.primakoff_sigma(E, ma, 1e-4, Z, A)
        assert r == pytest.approx(2 * E * E / p2, rel=1e-13, abs=0)
        for th in (1e-3, 0.3):
            # Creswick-type inverse form: (1/2) g^2 alpha Z^2 F^2 beta sin^3/(1 + beta^2 - 2 beta cos)^2
            beta = math.sqrt(p2) / E
            t = E * E * (1 + beta * beta - 2 * beta * math.cos(th))
            ref = 0.5 * 1e-8 * ALPHA_EM * Z * Z * float(X.tsai_form_factor_np(t, Z, A)) ** 2 * beta * math.sin(th) ** 3 / (
                1 + beta * beta - 2 * beta * math.cos(th)) ** 2
            assert X.inverse_primakoff_dsigma_dtheta(th, E, ma, 1e-4, Z, A) == pytest.approx(ref, rel=1e-6, abs=0)
    rng = np.random.default_rng(7)
    th = np.array([XS.sample_inverse_primakoff_theta(0.1, 0.05, Z, A, rng) for _ in range(10000)])
    grid = np.exp(np.linspace(math.log(th.min()) - 1, math.log(math.pi), 4000))
    pdf = np.array([X.inverse_primakoff_dsigma_dtheta(v, 0.1, 0.05, 1.0, Z, A) for v in grid])
    assert ks_pvalue(th, grid, pdf) > 1e-3


# ------------------------------------------------------------------------------------------ Compton-like


CASES_C = [(0.003, 0.0), (0.003, 5e-4), (0.01, 1e-3), (0.1, 0.005), (1.0, 0.02), (1.0, 0.0), (1.5, 0.03), (0.0295, 0.005)]


@pytest.mark.parametrize("Eg,ma", CASES_C)
def test_compton_kernel_equals_physics_md_form(Eg, ma):
    lo, hi = X.compton_ea_range(Eg, ma)
    ea = np.linspace(lo, hi, 41)[1:-1]
    k = np.array([X.compton_dsigma_dea(v, Eg, ma, 1e-6) for v in ea])
    assert np.allclose(k, X.compton_dsigma_dea_np(ea, Eg, ma, 1e-6), rtol=1e-7, atol=0)
    # outside the kinematic range: zero in both
    assert X.compton_dsigma_dea(hi * 1.0001, Eg, ma, 1e-6) == 0.0 and X.compton_dsigma_dea_np(hi * 1.0001, Eg, ma, 1e-6) == 0.0
    assert X.compton_dsigma_dea(lo * 0.999, Eg, ma, 1e-6) == 0.0 and X.compton_dsigma_dea_np(lo * 0.999, Eg, ma, 1e-6) == 0.0


@pytest.mark.parametrize("Eg,ma", CASES_C)
def test_compton_total_closed_form_vs_integral(Eg, ma):
    lo, hi = X.compton_ea_range(Eg, ma)
    f = lambda e: float(X.compton_dsigma_dea_np(e, Eg, ma, 1.0))
    # the backward (small |u - m^2|) peak sits at lo: integrate in ln(E_a - m_a^2/(2m))
    e0 = ma * ma / (2 * ME)
    g = lambda y: math.exp(y) * f(e0 + math.exp(y))
    ref = integrate.quad(g, math.log(lo - e0), math.log(hi - e0), limit=400, epsabs=0, epsrel=1e-11)[0]
    assert X.compton_sigma(Eg, ma, 1.0) == pytest.approx(ref, rel=1e-8, abs=0)


def test_compton_massless_and_threshold_limits():
    mpmath = pytest.importorskip("mpmath")
    for E in (1e-6, 1e-4, 0.003, 0.1, 10.0):
        # m_a = 0 closed form (derived), in 40-digit arithmetic (it cancels for E << m)
        with mpmath.workdps(40):
            r = 1 + 2 * mpmath.mpf(E) / mpmath.mpf(ME)  # s/m^2
            closed = float(ALPHA_EM / (16 * mpmath.mpf(ME) * E) * (2 * mpmath.log(r) - 3 + 4 / r - 1 / r**2))
        assert X.compton_sigma(E, 0.0, 1.0) == pytest.approx(closed, rel=1e-9, abs=0)
        assert X.compton_sigma(E, 1e-9, 1.0) == pytest.approx(closed, rel=1e-5, abs=0)
    # non-relativistic axio-Compton (4 pi alpha alpha_a/3 m^2)(E/m)^2 (Raffelt), times the series of the
    # closed form above, 1 - 9 eps/2 + 72 eps^2/5 (eps = E/m; sympy)
    for E in (1e-6, 1e-5):
        eps = E / ME
        nr = 4 * math.pi * ALPHA_EM / (4 * math.pi) / (3 * ME**2) * eps**2
        assert X.compton_sigma(E, 0.0, 1.0) == pytest.approx(nr * (1 - 4.5 * eps + 14.4 * eps**2), rel=50 * eps**3 + 1e-9, abs=0)
    # threshold
    ma = 0.01
    eth = X.compton_threshold(ma)
    s = ME * ME + 2 * ME * eth
    assert math.sqrt(s) == pytest.approx(ME + ma, rel=1e-14, abs=0)
    assert X.compton_sigma(eth * 0.999, ma, 1.0) == 0.0 and X.compton_ea_range(eth * 0.999, ma)[1] < 0
    # two-body phase space opens as p* ~ sqrt(E - E_th)
    assert X.compton_sigma(eth * (1 + 1e-4), ma, 1.0) / X.compton_sigma(eth * (1 + 1e-6), ma, 1.0) == pytest.approx(10.0, rel=1e-3)


@pytest.mark.parametrize("Eg,ma", [(0.1, 0.005), (1.0, 0.0), (0.3, 0.012)])
def test_compton_two_body_kinematics(Eg, ma):
    lo, hi = X.compton_ea_range(Eg, ma)
    # the end points are the CM backward/forward ALPs: collinear in the lab (backward, or forward when the
    # CM moves faster than the ALP in the CM, as for heavy ALPs)
    assert abs(X.compton_cos_theta(lo, Eg, ma)) == pytest.approx(1.0, abs=1e-6)
    assert X.compton_cos_theta(hi, Eg, ma) == pytest.approx(1.0, abs=1e-9)
    for ea in np.linspace(lo, hi, 7)[1:-1]:
        c = X.compton_cos_theta(ea, Eg, ma)
        pa = math.sqrt(ea * ea - ma * ma)
        # recoil electron four-momentum is on shell
        ee = Eg + ME - ea
        pz, pt = Eg - pa * c, pa * math.sqrt(1 - c * c)
        assert ee * ee - pz * pz - pt * pt == pytest.approx(ME * ME, rel=1e-8, abs=0)


@pytest.mark.parametrize("Eg,ma", [(0.1, 0.005), (0.003, 0.0), (1.0, 0.02)])
def test_compton_energy_sampler_ks(Eg, ma):
    rng = np.random.default_rng(11)
    ea = np.array([XS.sample_compton_ea(Eg, ma, rng) for _ in range(12000)])
    lo, hi = X.compton_ea_range(Eg, ma)
    assert ea.min() >= lo and ea.max() <= hi
    e0 = ma * ma / (2 * ME)
    grid = e0 + np.exp(np.linspace(math.log(lo - e0), math.log(hi - e0), 20000))
    assert ks_pvalue(ea, grid, X.compton_dsigma_dea_np(grid, Eg, ma, 1.0)) > 1e-3


# ------------------------------------------------------------------------------------------ inverse Compton


@pytest.mark.parametrize("Ea,ma", [(0.01, 0.0), (0.1, 0.005), (1.0, 0.02), (0.012, 0.01), (0.002, 0.001)])
def test_inverse_compton_total_and_kinematics(Ea, ma):
    lo, hi = X.inverse_compton_egamma_range(Ea, ma)
    ref = integrate.quad(lambda y: math.exp(y) * X.inverse_compton_dsigma_degamma(math.exp(y), Ea, ma, 1.0),
                         math.log(lo), math.log(hi), limit=400, epsabs=0, epsrel=1e-11)[0]
    assert X.inverse_compton_sigma(Ea, ma, 1.0) == pytest.approx(ref, rel=1e-8, abs=0)
    assert X.inverse_compton_dsigma_degamma(hi * 1.001, Ea, ma, 1.0) == 0.0
    for eg in np.linspace(lo, hi, 6):
        cg, ee, ce = X.inverse_compton_kinematics(eg, Ea, ma)
        pa = math.sqrt(Ea * Ea - ma * ma)
        pz, pt = pa - eg * cg, eg * math.sqrt(max(1 - cg * cg, 0))
        assert ee * ee - pz * pz - pt * pt == pytest.approx(ME * ME, rel=1e-6, abs=0)
        assert ce == pytest.approx(pz / math.hypot(pz, pt), rel=1e-12, abs=1e-12)
    assert X.inverse_compton_kinematics(hi, Ea, ma)[0] == pytest.approx(1.0, abs=1e-7)


def test_samplers_below_threshold_return_nan():
    rng = np.random.default_rng(0)
    assert math.isnan(XS.sample_primakoff_theta(0.1, 0.2, 26.0, 55.845, rng))
    assert math.isnan(XS.sample_compton_ea(0.01, 0.02, rng))
    assert math.isnan(XS.sample_inverse_compton_egamma(0.01, 0.02, rng))
    assert math.isnan(XS.sample_associated_cos(0.01, 0.02, rng))


def test_inverse_compton_is_twice_compton_for_massless_alp():
    # same |M|^2, flux and phase space at m_a = 0; average 1/2 (electron) vs 1/4 (electron x photon)
    for E in (0.001, 0.05, 2.0):
        assert X.inverse_compton_sigma(E, 0.0, 1.0) == pytest.approx(2 * X.compton_sigma(E, 0.0, 1.0), rel=1e-10, abs=0)


def test_inverse_compton_sampler_ks():
    rng = np.random.default_rng(5)
    Ea, ma = 0.05, 0.01
    eg = np.array([XS.sample_inverse_compton_egamma(Ea, ma, rng) for _ in range(12000)])
    lo, hi = X.inverse_compton_egamma_range(Ea, ma)
    grid = np.geomspace(lo, hi, 8000)
    pdf = np.array([X.inverse_compton_dsigma_degamma(v, Ea, ma, 1.0) for v in grid])
    assert ks_pvalue(eg, grid, pdf) > 1e-3


# ------------------------------------------------------------------------------------------ resonance


def test_resonant_energy_and_coefficient():
    ma = 0.02
    er = X.resonant_energy(ma)
    assert 2 * ME * ME + 2 * ME * er == pytest.approx(ma * ma, rel=1e-14, abs=0)
    beta = math.sqrt(1 - 4 * ME**2 / ma**2)
    assert X.resonant_sigma_coefficient(ma, 1e-5) == pytest.approx(math.pi * 1e-10 / (4 * ME * beta), rel=1e-14, abs=0)
    assert X.resonant_sigma_coefficient(2 * ME, 1.0) == 0.0 and X.resonant_sigma_coefficient(1e-4, 1.0) == 0.0


@pytest.mark.parametrize("ma", [0.0011, 0.005, 0.05, 0.5])
def test_resonance_narrow_width_limit(ma):
    g = 1e-3
    beta = math.sqrt(1 - 4 * ME**2 / ma**2)
    gee = fermion_width(ma, g, ME)  # fipgen.models.alp: g^2 m beta/(8 pi)
    assert gee == pytest.approx(g * g * ma * beta / (8 * math.pi), rel=1e-12, abs=0)
    er = X.resonant_energy(ma)
    for width in (gee, 10 * gee):
        # Breit-Wigner in E+: sqrt(s) = m_a + delta -> E+ = ((m_a + delta)^2 - 2 m^2)/(2 m)
        def f(delta):
            rs = ma + delta
            return X.resonant_sigma_bw((rs * rs - 2 * ME * ME) / (2 * ME), ma, g, width) * rs / ME
        w = width / 2
        val = integrate.quad(f, -3000 * w, 3000 * w, points=[-w, 0, w], limit=400, epsabs=0, epsrel=1e-10)[0]
        # tails beyond +-3000 Gamma/2: 2/(pi 3000) of the total
        assert val / (1 - 2 / (math.pi * 3000)) == pytest.approx(X.resonant_sigma_coefficient(ma, g), rel=2e-5 + 5 * width / ma, abs=0)
    assert er > ME


def test_resonant_yield_units():
    mat = get_material("Fe")
    ma, g = 0.02, 1e-6
    y = X.resonant_yield_per_track_length(ma, g, mat.electron_density)
    assert y == pytest.approx(mat.electron_density * X.resonant_sigma_coefficient(ma, g) * X.GEV2_TO_CM2 * 1e-4, rel=1e-14, abs=0)
    # a flat track-length density dL/dE = 1 m/GeV across E_R gives N = y (delta function)


# ------------------------------------------------------------------------------------------ associated


@pytest.mark.parametrize("Ep,ma", [(0.1, 0.005), (1.0, 0.0), (1.0, 0.03), (0.02, 0.003), (5.0, 0.1)])
def test_associated_total_and_symmetry(Ep, ma):
    f = lambda c: X.associated_dsigma_dcos(c, Ep, ma, 1.0)
    ref = integrate.quad(f, -1, 1, points=[-1 + 1e-6, -0.99, 0, 0.99, 1 - 1e-6], limit=500, epsabs=0, epsrel=1e-11)[0]
    assert X.associated_sigma(Ep, ma, 1.0) == pytest.approx(ref, rel=1e-8, abs=0)
    for c in (0.1, 0.7, 0.999):
        assert f(c) == pytest.approx(f(-c), rel=1e-9, abs=0)
    assert f(1.0001) == 0.0


def test_associated_threshold_and_lab_kinematics():
    ma = 0.02
    eth = X.associated_threshold(ma)
    assert eth == pytest.approx(X.resonant_energy(ma), rel=1e-15, abs=0)
    assert X.associated_sigma(eth * 0.999, ma, 1.0) == 0.0
    # soft-photon (radiative return) growth 1/(E+ - E_R) just above threshold
    assert X.associated_sigma(eth * (1 + 1e-6), ma, 1.0) / X.associated_sigma(eth * (1 + 1e-4), ma, 1.0) == pytest.approx(100, rel=1e-3)
    assert X.associated_threshold(1e-4) == ME
    Ep = 0.3
    s = 2 * ME * (Ep + ME)
    for c in (-1.0, -0.3, 0.0, 0.8, 1.0):
        ea, cl = X.associated_lab(c, Ep, ma)
        # photon = p1 + p2 - k_a is massless
        pa = math.sqrt(ea * ea - ma * ma)
        pp = math.sqrt(Ep * Ep - ME * ME)
        eg = Ep + ME - ea
        pz, pt = pp - pa * cl, pa * math.sqrt(max(1 - cl * cl, 0))
        assert eg * eg - pz * pz - pt * pt == pytest.approx(0.0, abs=1e-9 * s)
    assert X.associated_lab(1.0, Ep, ma)[1] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("Ep,ma", [(0.1, 0.005), (2.0, 0.0)])
def test_associated_sampler_ks(Ep, ma):
    rng = np.random.default_rng(99)
    c = np.array([XS.sample_associated_cos(Ep, ma, rng) for _ in range(12000)])
    # fine grid with points crowded at +-1 (t, u peaks)
    y = np.linspace(-1, 1, 20001)
    grid = np.sign(y) * (1 - (1 - np.abs(y)) ** 3)
    pdf = np.array([X.associated_dsigma_dcos(v, Ep, ma, 1.0) for v in grid])
    assert ks_pvalue(c, grid, pdf) > 1e-3


# ------------------------------------------------------------------------------------------ bremsstrahlung


def test_brems_screened_limit_and_closed_form():
    Z, A = FE
    g = 1.0
    # numerical angular integral vs complete screening at E >> m, m_a << m_e
    for x in (0.2, 0.5, 0.8):
        num = X.brems_dsigma_dx(x, 10.0, 1e-4, g, Z, A)
        assert num == pytest.approx(X.brems_dsigma_dx_screened(x, 10.0, 1e-4, g, Z), rel=1.5e-2, abs=0)
    # m_a -> 0: 2 r_e^2 alpha_a x [Z^2 ln(111 e^1/2 Z^-1/3) + Z ln(773 e^1/2 Z^-2/3)]
    re2 = (ALPHA_EM / ME) ** 2
    for x in (0.1, 0.6):
        lim = 2 * re2 / (4 * math.pi) * x * (Z * Z * math.log(111 * math.exp(0.5) * Z ** (-1 / 3))
                                             + Z * math.log(773 * math.exp(0.5) * Z ** (-2 / 3)))
        assert X.brems_dsigma_dx_screened(x, 10.0, 0.0, g, Z) == pytest.approx(lim, rel=1e-12, abs=0)
        # the small-f series branch joins the closed form
        f = lambda ma: (ma * ma * (1 - x) / (ME * ME * x * x))
        ma = math.sqrt(0.99e-4 * ME * ME * x * x / (1 - x))
        assert f(ma) < 1e-4
        assert X.brems_dsigma_dx_screened(x, 10.0, ma, g, Z) == pytest.approx(
            X.brems_dsigma_dx_screened(x, 10.0, ma * 1.01, g, Z), rel=1e-5, abs=0)


def test_brems_ranges_and_total():
    Z, A = AR
    E, ma = 2.0, 0.005
    xlo, xhi = X.brems_x_range(E, ma)
    assert xlo == pytest.approx(ma / E) and xhi == pytest.approx(1 - ME / E)
    assert X.brems_dsigma_dx(xlo * 0.99, E, ma, 1.0, Z, A) == 0.0 and X.brems_dsigma_dx(xhi + 1e-6, E, ma, 1.0, Z, A) == 0.0
    assert X.brems_dsigma_dx_screened(1.0, E, ma, 1.0, Z) == 0.0
    sig = X.brems_sigma(E, ma, 1.0, Z, A, True)
    xf = 1 - ME**2 / ma**2  # f ~ 1: the spectrum's knee
    ref = integrate.quad(lambda v: X.brems_dsigma_dx_screened(v, E, ma, 1.0, Z), xlo, xhi, points=[xf, 0.5, 1 - 0.1 * (1 - xf)],
                         limit=500, epsabs=0, epsrel=1e-11)[0]
    assert sig == pytest.approx(ref, rel=1e-7, abs=0)
    # g^2 scaling, positivity of the full calculation
    assert X.brems_sigma(E, ma, 1e-3, Z, A, True) == pytest.approx(1e-6 * sig, rel=1e-12, abs=0)
    assert X.brems_sigma(E, ma, 1.0, Z, A, False) > 0.0
    assert X.brems_sigma(ma * 0.9, ma, 1.0, Z, A, True) == 0.0


def test_brems_chi_limits():
    Z, A = FE
    # tmin = 0, tmax << d, 0.71 GeV^2: chi = Z^2 [ln(1 + Y) + 1/(1 + Y) - 1] + Z [same with b'], Y = tmax/b
    tmax = 1e-6
    b = X.screening_b(Z)
    bp = (ME * Z ** (2 / 3) / 773.0) ** 2
    el = Z * Z * (math.log1p(tmax / b) + 1 / (1 + tmax / b) - 1)
    inel = Z * (math.log1p(tmax / bp) + 1 / (1 + tmax / bp) - 1)
    assert X.brems_chi(0.0, tmax, Z, A) == pytest.approx(el + inel, rel=3e-4, abs=0)
    assert X.brems_chi(1e-3, 1e-3, Z, A) == 0.0 and X.brems_chi(2e-3, 1e-3, Z, A) == 0.0


# ------------------------------------------------------------------------------------------ materials, numba


def test_material_helpers_ch2_and_lar():
    ch2 = get_material("CH2")
    z, a, n = X.material_targets(ch2)
    assert list(z) == [1.0, 6.0]
    assert np.sum(n * z) == pytest.approx(ch2.electron_density, rel=1e-3, abs=0)
    E, ma, g = 1.0, 0.01, 1e-4
    mu = X.inverse_primakoff_per_length(E, ma, g, ch2)
    by_hand = (n[0] * X.inverse_primakoff_sigma(E, ma, g, 1.0, a[0]) + n[1] * X.inverse_primakoff_sigma(E, ma, g, 6.0, a[1])) * X.GEV2_TO_M2
    assert mu == pytest.approx(by_hand, rel=1e-14, abs=0)
    lar = get_material("LAr")
    assert X.primakoff_per_length(E, ma, g, lar) == pytest.approx(
        lar.nuclei_density * X.primakoff_sigma(E, ma, g, 18.0, lar.A) * X.GEV2_TO_M2, rel=1e-12, abs=0)
    assert X.compton_per_length(0.1, 0.005, 1e-6, lar) == pytest.approx(lar.electron_density * X.compton_sigma(0.1, 0.005, 1e-6) * X.GEV2_TO_M2, rel=1e-14, abs=0)
    assert X.inverse_compton_per_length(0.1, 0.005, 1e-6, lar) > 0


def test_kernels_callable_from_user_njit():
    @numba.njit
    def user(E, rng):
        tot = 0.0
        for i in range(E.shape[0]):
            tot += X.primakoff_sigma(E[i], 0.01, 1e-4, 26.0, 55.845) + X.compton_sigma(E[i], 0.005, 1e-6)
            tot += XS.sample_primakoff_theta(E[i], 0.01, 26.0, 55.845, rng) * 0.0
        return tot

    E = np.array([0.5, 1.0])
    want = sum(X.primakoff_sigma(e, 0.01, 1e-4, 26.0, 55.845) + X.compton_sigma(e, 0.005, 1e-6) for e in E)
    assert user(E, np.random.default_rng(1)) == pytest.approx(want, rel=1e-14, abs=0)

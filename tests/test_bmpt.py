"""BMPT parameterisation (Bonesini et al., Eur. Phys. J. C20 (2001) 13): values, limits, units.

Equation labels (B1)-(B3) are those of generator/production/sources/bmpt.py's docstring:
(B1) the p-Be invariant cross section of positive mesons, (B2) the charge ratios,
(B3) the A scaling of Barton et al.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from fipgen.errors import PhysicsError
from fipgen.production.sources import bmpt

M_P, M_PI, M_K = 0.9382720813, 0.13957039, 0.493677


def test_b1_pion_value_by_hand():
    # (B1) at x_R = 0.5, p_T = 0.3 GeV/c, worked by hand:
    # 62.3 * 0.5^3.45 (=0.091505) * (1 + 1.57*0.5) * 0.5^-0.517 (=1.4310) = 14.557 mb/GeV^2
    # a' = 6.10 / 0.5^0.153 = 6.7825, b' = 6.10^2 / (2 * 0.5^0.478) = 25.913
    # (1 + 6.7825*0.3 + 25.913*0.09) exp(-6.7825*0.3) = 5.3670 * 0.13074 = 0.70170
    assert bmpt.invariant_cross_section_be(211, 0.5, 0.3) == pytest.approx(10.2154, rel=2e-4)
    # (B2): pi+/pi- = 1.05 (1 + 0.5)^2.65 = 3.0749
    assert bmpt.invariant_cross_section_be(-211, 0.5, 0.3) == pytest.approx(10.2154 / 3.07490, rel=2e-4)


def test_b1_kaon_value_by_hand():
    # (B1) kaons at x_R = 0.3, p_T = 0.4: 7.74 * 0.7^2.45 * 0.3^-0.444 = 7.74 * 0.41740 * 1.7073 = 5.5157
    # a' = 5.04 / 0.3^0.121 = 5.8238; delta = 2 gamma so b' = a'^2 / 2 and the p_T factor is
    # (1 + y + y^2/2) e^-y with y = a' p_T = 2.3295: (1 + 2.3295 + 2.7133) * 0.097331 = 0.58725
    assert bmpt.invariant_cross_section_be(321, 0.3, 0.4) == pytest.approx(3.23905, rel=2e-4)
    # (B2): K+/K- = 1.15 (1 - 0.3)^-3.17 = 3.5624
    assert bmpt.invariant_cross_section_be(-321, 0.3, 0.4) == pytest.approx(3.23905 / 3.56237, rel=2e-4)


def test_kaon_pt_factor_is_gamma_survival_form():
    y = np.linspace(0.01, 3.0, 7)
    x = 0.2
    a1 = 5.04 / x**0.121
    pt = y / a1
    f = bmpt.invariant_cross_section_be(321, x, pt) / bmpt.invariant_cross_section_be(321, x, 0.0)
    assert f == pytest.approx((1 + y + y * y / 2) * np.exp(-y), rel=1e-12)


def test_limits_and_domain():
    assert bmpt.invariant_cross_section_be(211, 1.0, 0.1) == 0.0
    assert bmpt.invariant_cross_section_be(211, 1.2, 0.1) == 0.0
    assert bmpt.invariant_cross_section_be(211, 0.0, 0.1) == 0.0
    # (1 - x_R)^alpha vanishing at the kinematic end point
    r = bmpt.invariant_cross_section_be(211, 0.999, 0.0) / bmpt.invariant_cross_section_be(211, 0.998, 0.0)
    assert r == pytest.approx((0.001 / 0.002) ** 3.45 * (1 + 1.57 * 0.999) / (1 + 1.57 * 0.998) * (0.999 / 0.998) ** -0.517, rel=1e-9)
    # small x_R: x_R^-beta at p_T = 0
    r = bmpt.invariant_cross_section_be(211, 1e-4, 0.0) / bmpt.invariant_cross_section_be(211, 2e-4, 0.0)
    assert r == pytest.approx(2**0.517 * ((1 - 1e-4) / (1 - 2e-4)) ** 3.45 * (1 + 1.57e-4) / (1 + 3.14e-4), rel=1e-9)
    with pytest.raises(PhysicsError, match="pi\\+"):
        bmpt.invariant_cross_section_be(111, 0.5, 0.3)
    with pytest.raises(PhysicsError):
        bmpt.d2sigma_dp_domega(130, 10.0, 0.01, 120.0)


def test_kinematics_x_r_and_x_f():
    p_beam = 120.0
    e_b = math.hypot(p_beam, M_P)
    s = 2 * M_P**2 + 2 * M_P * e_b
    beta = p_beam / (e_b + M_P)
    gam = 1 / math.sqrt(1 - beta**2)
    # a pion at rest in the NN frame moves along the beam with p = gamma beta m in the lab
    p_lab = gam * beta * M_PI
    assert bmpt.x_feynman(211, p_lab, 0.0, p_beam) == pytest.approx(0.0, abs=1e-12)
    e_max = (s - 4 * M_P**2 + M_PI**2) / (2 * math.sqrt(s))
    assert bmpt.x_radial(211, p_lab, 0.0, p_beam) == pytest.approx(M_PI / e_max, rel=1e-12)
    # forward pion with x_F = 0.5: p_L* = 0.25 sqrt(s), p_T = 0.4
    plc, pt = 0.25 * math.sqrt(s), 0.4
    ec = math.sqrt(plc**2 + pt**2 + M_PI**2)
    pl = gam * (plc + beta * ec)
    p, th = math.hypot(pl, pt), math.atan2(pt, pl)
    assert bmpt.x_feynman(211, p, th, p_beam) == pytest.approx(0.5, rel=1e-10)
    assert bmpt.x_radial(211, p, th, p_beam) == pytest.approx(ec / e_max, rel=1e-10)


def test_lab_density_is_p2_over_e_times_invariant():
    p, th, pb = 20.0, 0.015, 120.0
    xr = bmpt.x_radial(211, p, th, pb)
    want = p * p / math.hypot(p, M_PI) * bmpt.invariant_cross_section_be(211, xr, p * math.sin(th))
    assert bmpt.d2sigma_dp_domega(211, p, th, pb) == pytest.approx(want, rel=1e-12)


def test_b3_nuclear_scaling():
    # at x_F = 0, p_T = 0: alpha = 0.74 * 0.98
    assert bmpt.barton_alpha(0.0, 0.0) == pytest.approx(0.7252)
    # alpha falls with x_F (leading-particle absorption) and rises with p_T (Cronin)
    assert bmpt.barton_alpha(0.5, 0.3) < bmpt.barton_alpha(0.1, 0.3) < bmpt.barton_alpha(0.1, 0.8)
    pb = 120.0
    e_b = math.hypot(pb, M_P)
    beta = pb / (e_b + M_P)
    gam = 1 / math.sqrt(1 - beta**2)
    p = gam * beta * M_PI  # x_F = 0, p_T = 0
    r = bmpt.d2sigma_dp_domega(211, p, 0.0, pb, 12.0107) / bmpt.d2sigma_dp_domega(211, p, 0.0, pb)
    assert r == pytest.approx((12.0107 / 9.0121831) ** 0.7252, rel=1e-6)
    # A = Be is the fitted target: no scaling
    assert bmpt.d2sigma_dp_domega(211, 10.0, 0.02, pb, bmpt.A_BERYLLIUM) == bmpt.d2sigma_dp_domega(211, 10.0, 0.02, pb)


def _sigma(pdg, m, p_beam, forward_only=False):
    """Integral of (B1) over d3p/E in the NN frame (mb), independent of the module's lab code."""
    e_b = math.hypot(p_beam, M_P)
    s = 2 * M_P**2 + 2 * M_P * e_b
    e_max = (s - 4 * M_P**2 + m * m) / (2 * math.sqrt(s))

    def inner(pt):
        mt = math.hypot(m, pt)
        if e_max <= mt:
            return 0.0
        ymax = math.acosh(e_max / mt)
        f = lambda y: bmpt.invariant_cross_section_be(pdg, mt * math.cosh(y) / e_max, pt)  # noqa: E731
        return integrate.quad(f, 0.0, ymax, limit=200)[0] * (1 if forward_only else 2) * 2 * math.pi * pt

    return integrate.quad(inner, 0.0, 4.0, limit=200)[0]


def test_units_by_integration():
    """Read as E d3sigma/dp3 in mb GeV^-2, (B1) gives a physical p-Be pi+ multiplicity at 120 GeV/c."""
    s_pi = _sigma(211, M_PI, 120.0)
    s_k = _sigma(321, M_K, 120.0)
    sigma_inel_pbe = 9.0121831 / (6.02214076e23 * 77.8) * 1e27  # PDG lambda_I of Be: 192 mb
    n_pi = s_pi / sigma_inel_pbe
    assert 2.0 < n_pi < 4.0, n_pi  # NA49 pp 158 GeV: 3.0 pi+ per collision
    assert 0.05 < s_k / s_pi < 0.12, s_k / s_pi  # NA49 pp 158 GeV: K+/pi+ = 0.075
    # the multiplicity grows with energy (x_R scaling with a growing rapidity range)
    assert _sigma(211, M_PI, 450.0) > 1.3 * s_pi


def test_bin_integrals_match_quadrature():
    """The 8x8 Gauss-Legendre bin integration used for the tables against scipy over the forward hemisphere."""
    pb = 120.0
    p_edges = 120.0 * (np.arange(241) / 240) ** 2
    t_edges = math.pi * (np.arange(201) / 200) ** 2
    dens = lambda p, t: bmpt.d2sigma_dp_domega(211, p, t, pb, xf_min=0.0)  # noqa: E731
    w = bmpt.bin_integrals(dens, p_edges, t_edges)
    assert np.all(w >= 0) and np.all(np.isfinite(w))
    assert w.sum() == pytest.approx(_sigma(211, M_PI, pb, forward_only=True), rel=0.01)

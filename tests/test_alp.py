"""ALP widths, branching ratios, c*tau, a -> N N conventions and the pi0/eta mixing angles."""

from __future__ import annotations

import math

import numpy as np

import pytest

from fipgen.constants import HBARC_GEV_M, mass
from fipgen.errors import PhysicsError
from fipgen.models.alp import ALP, F_PI, fermion_width, hnl_pair_width, photon_width, theta_aeta, theta_api
from fipgen.models.base import Channel

M_E, M_MU = 0.51099895e-3, 0.1056583755


def test_photon_width_closed_form():
    # g^2 m^3/(64 pi): g = 1e-4 GeV^-1, m = 0.5 GeV -> 1.25e-9 / 201.0619298 = 6.2169897e-12 GeV
    assert photon_width(0.5, 1e-4) == pytest.approx(6.2169897e-12, rel=1e-7, abs=0)
    a = ALP(0.5, g_gamma=1e-4)
    assert a.partial_widths() == {"gamma gamma": pytest.approx(6.2169897e-12, rel=1e-7, abs=0), "e+ e-": 0.0, "mu+ mu-": 0.0}
    assert a.branching_ratios()["gamma gamma"] == 1.0
    assert a.ctau() == pytest.approx(HBARC_GEV_M / 6.2169897e-12, rel=1e-7, abs=0)
    # m^3 and g^2 scaling
    assert ALP(1.0, g_gamma=2e-4).total_width() == pytest.approx(4 * 8 * a.total_width(), rel=1e-13, abs=0)


def test_fermion_widths_closed_form_and_thresholds():
    # g^2 m beta/(8 pi): m = 0.3, g_mu = 1e-5: beta = sqrt(1 - 4 (0.1056583755/0.3)^2) = sqrt(0.50383) ...
    beta = math.sqrt(1 - 4 * (M_MU / 0.3) ** 2)
    assert fermion_width(0.3, 1e-5, M_MU) == pytest.approx(1e-10 * 0.3 * beta / (8 * math.pi), rel=1e-14, abs=0)
    assert beta == pytest.approx(0.7098, abs=1e-4)
    assert fermion_width(2 * M_MU, 1.0, M_MU) == 0.0 and fermion_width(0.1, 1.0, M_MU) == 0.0
    w = ALP(0.3, g_electron=1e-5, g_muon=1e-5).partial_widths()
    assert w["mu+ mu-"] / w["e+ e-"] == pytest.approx(beta / math.sqrt(1 - 4 * (M_E / 0.3) ** 2), rel=1e-12, abs=0)


def test_hnl_majorana_is_half_dirac():
    for m_a, m_n in ((1.0, 0.1), (0.5, 0.2), (2.0, 0.999)):
        beta = math.sqrt(1 - 4 * m_n**2 / m_a**2)
        dirac = hnl_pair_width(m_a, 1e-3, m_n, majorana=False)
        majorana = hnl_pair_width(m_a, 1e-3, m_n, majorana=True)
        assert dirac == pytest.approx(1e-6 * m_a * beta / (8 * math.pi), rel=1e-13, abs=0)
        assert majorana == pytest.approx(dirac / 2, rel=1e-15, abs=0)
        a_m = ALP(m_a, g_hnl=1e-3, hnl_mass=m_n)
        a_d = ALP(m_a, g_hnl=1e-3, hnl_mass=m_n, hnl_majorana=False)
        assert a_m.partial_widths()["N N"] == pytest.approx(majorana, rel=1e-15, abs=0)
        assert a_d.partial_widths()["N N"] == pytest.approx(dirac, rel=1e-15, abs=0)
    assert hnl_pair_width(1.0, 1.0, 0.5) == 0.0
    assert "N N" not in ALP(1.0, g_gamma=1e-4).channels()


@pytest.mark.parametrize("m", [0.001, 0.01, 0.2, 0.5, 1.5])
def test_brs_sum_to_one_and_channels(m):
    a = ALP(m, g_gamma=1e-5, g_electron=1e-7, g_muon=1e-6, g_hnl=1e-6, hnl_mass=0.05)
    br = a.branching_ratios()
    assert set(br) == set(a.channels()) == {"gamma gamma", "e+ e-", "mu+ mu-", "N N"}
    assert sum(br.values()) == pytest.approx(1.0, abs=1e-14)
    assert all(isinstance(c, Channel) for c in a.channels().values())
    assert a.channels()["gamma gamma"].daughters == (22, 22) and a.particle == "alp" and a.pdg == 9000005
    assert (br["mu+ mu-"] > 0) == (m > 2 * M_MU) and (br["N N"] > 0) == (m > 0.1)
    assert a.visible_channels() == [k for k in a.open_channels()]


def test_no_coupling_gives_infinite_ctau_and_bad_input_raises():
    a = ALP(0.1)
    assert a.total_width() == 0.0 and a.ctau() == math.inf and sum(a.branching_ratios().values()) == 0
    for bad in ({"mass": 0.0}, {"mass": -1.0}, {"mass": math.nan}, {"mass": 0.1, "g_gamma": math.inf},
                {"mass": 0.1, "hnl_mass": 0.0}, {"mass": 0.1, "hnl_majorana": "yes"}, {"mass": True}):
        with pytest.raises(PhysicsError):
            ALP(**bad)


def test_mixing_angles_hand_computed():
    # f_pi = 0.1302/sqrt2 = 0.092065 GeV (PDG f_pi+ = 130.2 MeV, ~93 MeV normalisation)
    assert F_PI == pytest.approx(0.0920653, rel=1e-6, abs=0)
    m_pi, m_eta = mass(111), mass(221)
    # theta_api at m_a = 0.3, f_a = 1000 GeV: (1/6)(9.20653e-5) * 0.09/(0.09 - 0.01821874) = 1.92387e-5
    assert theta_api(0.3, 1000.0) == pytest.approx(F_PI / 1000 / 6 * 0.09 / (0.09 - m_pi**2), rel=1e-14, abs=0)
    assert theta_api(0.3, 1000.0) == pytest.approx(1.92387e-5, rel=1e-5, abs=0)
    # theta_aeta at m_a = 0.3: (1/sqrt6)(9.20653e-5)(0.08190278)/(-0.21015275) = -1.46482e-5
    assert theta_aeta(0.3, 1000.0) == pytest.approx(
        F_PI / 1000 / math.sqrt(6) * (0.09 - 4 * m_pi**2 / 9) / (0.09 - m_eta**2), rel=1e-14, abs=0)
    assert theta_aeta(0.3, 1000.0) == pytest.approx(-1.46482e-5, rel=1e-5, abs=0)
    # 1/f_a scaling; f_pi = 130 MeV convention is sqrt2 larger
    assert theta_api(0.3, 500.0) == pytest.approx(2 * theta_api(0.3, 1000.0), rel=1e-14, abs=0)
    assert theta_api(0.3, 1000.0, f_pi=0.1302) == pytest.approx(math.sqrt(2) * theta_api(0.3, 1000.0), rel=1e-12, abs=0)
    # heavy ALP limits: theta_api -> (1/6) f_pi/f_a, theta_aeta -> (1/sqrt6) f_pi/f_a
    assert theta_api(100.0, 1000.0) == pytest.approx(F_PI / 1000 / 6, rel=1e-5, abs=0)
    assert theta_aeta(100.0, 1000.0) == pytest.approx(F_PI / 1000 / math.sqrt(6), rel=1e-4, abs=0)


# --- gluon coupling: c_gg (alpha_s/4 pi)(a/f_a) G G~ (module docstring; default three-flavour ASW
# arXiv:1811.03474, option two-flavour BNT arXiv:1708.00443) -----------------------------------------

from fipgen.constants import ALPHA_EM  # noqa: E402
from fipgen.models.alp import (  # noqa: E402
    ASW_DELTA_I,
    CHIRAL_TREATMENTS,
    EPS_UD,
    GLUON_MASS_MAX,
    MAX_PI0_MIXING,
    gluon_meson_mixing,
    g_00,
    g_pm,
    gluon_photon_coupling,
    three_pion_amplitude_sq,
    three_pion_width,
    three_pion_width_isospin,
)

M_PI0, M_PIC, M_ETA, M_ETAP = mass(111), mass(211), mass(221), mass(331)
TWO = "two-flavour"


def _g_quad(r, power, n=400):
    """Independent Gauss-Legendre evaluation of the g_ab integrals (z = lo + (hi - lo) sin^2 phi)."""
    import numpy as np

    lo, hi = 4 * r, (1 - math.sqrt(r)) ** 2
    x, w = np.polynomial.legendre.leggauss(n)
    phi = (x + 1) * math.pi / 4
    z = lo + (hi - lo) * np.sin(phi) ** 2
    jac = (hi - lo) * 2 * np.sin(phi) * np.cos(phi) * math.pi / 4
    lam = 1 + z * z + r * r - 2 * (z + r + z * r)
    return float(np.sum(w * jac * np.sqrt(1 - lo / z) * np.sqrt(np.clip(lam, 0, None)) * (z - r) ** power))


def test_gluon_photon_coupling_closed_form_and_limits():
    # two-flavour option, m = 0.1 GeV, c_gg = 1, f_a = 1000 GeV: m_pi0^2 = 0.1349768^2 = 0.0182187365;
    # m^2/(m_pi^2 - m^2) = 0.01/0.0082187365 = 1.2167320; eps = 0.52/1.48 = 0.3513514
    # c_eff = -1.92 - 0.3513514 * 1.2167320 = -2.3475004
    # g = alpha |c_eff|/(pi f_a) = 7.2973526e-3 * 2.3475004 / 3141.5927 = 5.4528197e-6 GeV^-1
    assert EPS_UD == pytest.approx(0.3513514, rel=1e-6, abs=0)
    assert gluon_photon_coupling(0.1, 1.0, 1000.0, TWO) == pytest.approx(5.4528197e-6, rel=1e-7, abs=0)
    a = ALP(0.1, c_gg=1.0, f_a=1000.0, chiral=TWO)
    assert a.g_gamma_eff == pytest.approx(5.4528197e-6, rel=1e-7, abs=0)
    # Gamma = g^2 m^3/(64 pi) = 2.9733e-11 * 1e-3 / 201.06193 = 1.4788102e-16 GeV
    assert a.partial_widths()["gamma gamma"] == pytest.approx(1.4788102e-16, rel=1e-6, abs=0)
    assert a.partial_widths()["pi0 pi0 pi0"] == 0.0 and a.partial_widths()["pi+ pi- pi0"] == 0.0
    # default (three-flavour, ASW): c_eff = -1.92 + (1/3)(0.01/-0.0082187) + (8/9)(0.0019028/-0.2901528)
    #   + (7/9)(-0.0223889/-0.9073425) = -1.92 - 0.4055773 - 0.0058292 + 0.0191918 = -2.3122147
    # g = 7.2973526e-3 * 2.3122147 / 3141.5927 = 5.3708574e-6 GeV^-1
    assert CHIRAL_TREATMENTS[0] == "three-flavour" and ASW_DELTA_I == pytest.approx(1 / 3)
    assert gluon_photon_coupling(0.1, 1.0, 1000.0) == pytest.approx(5.3708574e-6, rel=1e-7, abs=0)
    assert ALP(0.1, c_gg=1.0, f_a=1000.0).g_gamma_eff == pytest.approx(5.3708574e-6, rel=1e-7, abs=0)
    # m_a -> 0: two-flavour g -> 1.92 alpha c/(pi f_a) (the QCD-axion 1.92); three-flavour keeps the eta,
    # eta' mass-mixing terms: 1.92 - (32/81) m_pi^2/m_eta^2 - (112/81) m_pi^2/m_eta'^2 = 1.8685592
    assert gluon_photon_coupling(1e-6, 1.0, 1000.0, TWO) == pytest.approx(1.92 * ALPHA_EM / (math.pi * 1000), rel=1e-9, abs=0)
    assert gluon_photon_coupling(1e-6, 1.0, 1000.0) == pytest.approx(1.8685592 * ALPHA_EM / (math.pi * 1000), rel=1e-7, abs=0)
    x0 = 1.92 - 32 / 81 * M_PI0**2 / M_ETA**2 - 112 / 81 * M_PI0**2 / M_ETAP**2
    assert x0 == pytest.approx(1.8685592, rel=1e-7, abs=0)
    # heavy: two-flavour 1.92 - eps; three-flavour 1.92 - 1/3 - 8/9 - 7/9 = -0.08
    heavy = (1.92 - EPS_UD) * ALPHA_EM / (math.pi * 1000)
    assert gluon_photon_coupling(1e3, 1.0, 1000.0, TWO) == pytest.approx(heavy, rel=1e-6, abs=0)
    assert gluon_photon_coupling(1e3, 1.0, 1000.0) == pytest.approx(-0.08 * ALPHA_EM / (math.pi * 1000), rel=1e-4, abs=0)
    # linear in c_gg / f_a, adds to g_gamma (interference), and the BNT normalisation:
    # Gamma = 4 pi alpha^2 m^3 |C_eff|^2 / Lambda^2 with C/Lambda = c/(16 pi^2 f_a), c_eff = -pi f_a g/alpha
    for chiral in CHIRAL_TREATMENTS:
        b = ALP(0.3, g_gamma=2e-6, c_gg=-0.5, f_a=500.0, chiral=chiral)
        g = 2e-6 + gluon_photon_coupling(0.3, -0.5, 500.0, chiral)
        assert b.g_gamma_eff == pytest.approx(g, rel=1e-14, abs=0)
        c_eff = -math.pi * 500.0 * g / ALPHA_EM
        bnt = 4 * math.pi * ALPHA_EM**2 * 0.3**3 * (c_eff / (16 * math.pi**2 * 500.0)) ** 2
        assert b.partial_widths()["gamma gamma"] == pytest.approx(bnt, rel=1e-12, abs=0)
        assert gluon_photon_coupling(0.3, -0.5, 500.0, chiral) == pytest.approx(
            -gluon_photon_coupling(0.3, 1.0, 1000.0, chiral), rel=1e-14, abs=0)
    with pytest.raises(PhysicsError, match="three-flavour"):
        gluon_photon_coupling(0.3, 1.0, 1000.0, "three flavour")


def test_g_functions_normalisation_threshold_and_independent_quadrature():
    assert g_00(0.0) == pytest.approx(1.0, rel=1e-10, abs=0) and g_pm(0.0) == pytest.approx(1.0, rel=1e-10, abs=0)
    # r = 0: 2 int_0^1 (1 - z) dz = 1 and 12 int_0^1 z^2 (1 - z) dz = 12 (1/3 - 1/4) = 1
    for r in (0.01, 0.0506076, 0.1):
        assert g_00(r) == pytest.approx(2 * _g_quad(r, 0) / (1 - r) ** 2, rel=1e-8, abs=0)
        assert g_pm(r) == pytest.approx(12 * _g_quad(r, 2) / (1 - r) ** 2, rel=1e-8, abs=0)
    assert g_00(1 / 9) == 0.0 and g_pm(0.2) == 0.0 and 0 < g_pm(0.11) < g_00(0.11) < 1e-3
    assert g_00(0.0506076) == pytest.approx(0.2355987, rel=1e-6, abs=0)  # m_a = 0.6 GeV, r = m_pi0^2/m_a^2
    assert g_pm(0.0506076) == pytest.approx(0.1710751, rel=1e-6, abs=0)


def test_three_pion_widths_hand_computed_and_isospin_limit():
    """Two-flavour option: closed forms (the default is checked against ASW in tests/reference)."""
    # 3 pi0 at m_a = 0.6, c_gg = 1, f_a = 1000: all masses m_pi0, so the closed form is exact:
    # eps^2 m_a m_pi^4 g_00 / (3072 pi^3 f_a^2 f_pi^2)
    #  = 0.1234478 * 0.6 * 3.319224e-4 * 0.2355987 / (3072 * 31.00628 * 1e6 * 8.476020e-3) = 7.17433e-15 GeV
    w00 = three_pion_width(0.6, 1.0, 1000.0, "pi0 pi0 pi0", TWO)
    assert w00 == pytest.approx(7.17433e-15, rel=1e-5, abs=0)
    assert w00 == pytest.approx(three_pion_width_isospin(0.6, 1.0, 1000.0, "pi0 pi0 pi0"), rel=1e-9, abs=0)
    # pi+ pi- pi0 with physical masses is below the equal-mass (m_pi0) formula: smaller phase space
    wpm = three_pion_width(0.6, 1.0, 1000.0, "pi+ pi- pi0", TWO)
    assert wpm == pytest.approx(4.88192e-15, rel=1e-5, abs=0)
    assert 0.9 < wpm / three_pion_width_isospin(0.6, 1.0, 1000.0, "pi+ pi- pi0") < 0.97
    # scaling c_gg^2 / f_a^2
    assert three_pion_width(0.6, -3.0, 2000.0, "pi+ pi- pi0", TWO) == pytest.approx(wpm * 9 / 4, rel=1e-13, abs=0)
    w3 = three_pion_width(0.6, 1.0, 1000.0, "pi+ pi- pi0")
    assert three_pion_width(0.6, -3.0, 2000.0, "pi+ pi- pi0") == pytest.approx(w3 * 9 / 4, rel=1e-13, abs=0)
    # equal-mass +- 0 closed form against direct quadrature of |M|^2 with m_pi+ = m_pi0
    from scipy import integrate

    m, mp = 0.5, M_PI0
    k = (EPS_UD * mp**2 / (1000.0 * F_PI * (m * m - mp**2))) ** 2

    lo, hi = 4 * mp**2, (m - mp) ** 2

    def f(phi):
        # s = lo + (hi - lo) sin^2 phi removes the square-root endpoints (quad on s itself is good to 3e-5 only)
        s = lo + (hi - lo) * math.sin(phi) ** 2
        lam = (m * m - s - mp**2) ** 2 - 4 * s * mp**2
        jac = (hi - lo) * 2 * math.sin(phi) * math.cos(phi)
        return jac * math.sqrt(1 - 4 * mp**2 / s) * math.sqrt(max(lam, 0)) * k * (s - mp**2) ** 2

    direct = integrate.quad(f, 0.0, math.pi / 2, epsrel=1e-11)[0] / (256 * math.pi**3 * m**3)
    assert three_pion_width_isospin(0.5, 1.0, 1000.0, "pi+ pi- pi0") == pytest.approx(direct, rel=1e-8, abs=0)
    with pytest.raises(PhysicsError):
        three_pion_width(0.6, 1.0, 1000.0, "pi0 pi0 eta")
    with pytest.raises(PhysicsError, match="two-flavour"):
        three_pion_width(0.6, 1.0, 1000.0, "pi0 pi0 pi0", "2-flavour")
    with pytest.raises(PhysicsError):
        three_pion_amplitude_sq("pi0 pi0 eta", 0.1, 0.6, 1.0, 1000.0)


def test_three_flavour_widths_are_the_phase_space_integral_of_the_amplitude():
    """Default: 3 pi0 has a constant |M|^2, so its width is the two-flavour one (same phase space) times
    the |M|^2 ratio; pi+ pi- pi0 by an independent 2D Gauss-Legendre integration of |M|^2 over the
    physical Dalitz region (s12 = s(pi+ pi-), s23 limits of PDG Kinematics eq. 49.23)."""
    import numpy as np

    for m in (0.45, 0.6, 0.75, 0.81):
        ratio = (three_pion_amplitude_sq("pi0 pi0 pi0", 0.1, m, 1.0, 1000.0)
                 / three_pion_amplitude_sq("pi0 pi0 pi0", 0.1, m, 1.0, 1000.0, chiral=TWO))
        assert three_pion_width(m, 1.0, 1000.0, "pi0 pi0 pi0") == pytest.approx(
            ratio * three_pion_width(m, 1.0, 1000.0, "pi0 pi0 pi0", TWO), rel=1e-9, abs=0)
        m1, m3 = M_PIC, M_PI0
        x, w = np.polynomial.legendre.leggauss(200)
        lo, hi = 4 * m1**2, (m - m3) ** 2
        s12 = lo + (hi - lo) * (x + 1) / 2
        e2 = np.sqrt(s12) / 2
        e3 = (m * m - s12 - m3**2) / (2 * np.sqrt(s12))
        p2, p3 = np.sqrt(np.clip(e2**2 - m1**2, 0, None)), np.sqrt(np.clip(e3**2 - m3**2, 0, None))
        s23_lo, s23_hi = (e2 + e3) ** 2 - (p2 + p3) ** 2, (e2 + e3) ** 2 - (p2 - p3) ** 2
        amp = three_pion_amplitude_sq("pi+ pi- pi0", s12, m, 1.0, 1000.0)  # independent of s23
        total = np.sum(w * (hi - lo) / 2 * amp * (s23_hi - s23_lo)) / (256 * math.pi**3 * m**3)
        assert three_pion_width(m, 1.0, 1000.0, "pi+ pi- pi0") == pytest.approx(total, rel=1e-5, abs=0)
        assert three_pion_width(m, 1.0, 1000.0, "pi+ pi- pi0", TWO) != pytest.approx(total, rel=0.05, abs=0)


def test_three_pion_thresholds():
    thr00, thrpm = 3 * M_PI0, 2 * M_PIC + M_PI0
    assert three_pion_width(thr00 * (1 - 1e-9), 1.0, 1000.0, "pi0 pi0 pi0") == 0.0
    assert three_pion_width(thrpm * (1 - 1e-9), 1.0, 1000.0, "pi+ pi- pi0") == 0.0
    assert three_pion_width(thrpm * (1 + 1e-9), 1.0, 1000.0, "pi0 pi0 pi0") > 0
    w_just = three_pion_width(thr00 * (1 + 1e-4), 1.0, 1000.0, "pi0 pi0 pi0")
    w_far = three_pion_width(0.5, 1.0, 1000.0, "pi0 pi0 pi0")
    assert 0 < w_just < 1e-6 * w_far
    # phase space ~ (m - thr)^2 near threshold (non-relativistic 3-body): doubling the excess x ~4
    w2 = three_pion_width(thr00 * (1 + 2e-4), 1.0, 1000.0, "pi0 pi0 pi0")
    assert w2 / w_just == pytest.approx(4.0, rel=1e-2, abs=0)
    a = ALP(0.41, c_gg=1.0, f_a=1000.0)
    assert a.partial_widths()["pi0 pi0 pi0"] > 0 and a.partial_widths()["pi+ pi- pi0"] == 0.0  # 0.4049 < 0.41 < 0.4141


@pytest.mark.parametrize("m", [0.05, 0.3, 0.42, 0.6, 0.8])
def test_gluon_alp_brs_sum_to_one_and_channels(m):
    a = ALP(m, g_gamma=1e-6, g_electron=1e-7, g_muon=1e-6, c_gg=1.0, f_a=1000.0)
    br = a.branching_ratios()
    assert set(br) == set(a.channels()) == {"gamma gamma", "e+ e-", "mu+ mu-", "pi0 pi0 pi0", "pi+ pi- pi0"}
    assert sum(br.values()) == pytest.approx(1.0, abs=1e-14)
    ch = a.channels()
    assert ch["pi0 pi0 pi0"].kind == "three-body" and ch["pi0 pi0 pi0"].daughters == (111, 111, 111)
    assert ch["pi+ pi- pi0"].kind == "three-body" and sorted(ch["pi+ pi- pi0"].daughters) == [-211, 111, 211]
    assert (br["pi0 pi0 pi0"] > 0) == (m > 3 * M_PI0) and (br["pi+ pi- pi0"] > 0) == (m > 2 * M_PIC + M_PI0)
    assert a.ctau() == pytest.approx(HBARC_GEV_M / a.total_width(), rel=1e-14, abs=0)
    # without c_gg nothing changes: no 3 pi channels, same photon width
    assert "pi0 pi0 pi0" not in ALP(m, g_gamma=1e-6).channels()
    assert ALP(m, g_gamma=1e-6, c_gg=0.0, f_a=1000.0).partial_widths() == ALP(m, g_gamma=1e-6).partial_widths()


def test_gluon_coupling_refused_outside_validity():
    assert GLUON_MASS_MAX == pytest.approx(mass(221) + 2 * M_PI0, rel=1e-12, abs=0)
    for chiral in CHIRAL_TREATMENTS:
        for bad in ({"mass": 0.9, "c_gg": 1.0, "f_a": 1000.0},            # above the a -> eta pi pi threshold
                    {"mass": GLUON_MASS_MAX, "c_gg": 1.0, "f_a": 1000.0},
                    {"mass": M_PI0, "c_gg": 1.0, "f_a": 1000.0},          # on the pi0 pole
                    {"mass": 0.13498, "c_gg": 1.0, "f_a": 1000.0},        # mixing 0.35*0.0921*0.0182/(1000*8.6e-7) = 0.68
                    {"mass": 0.3, "c_gg": 1.0},                           # no f_a
                    {"mass": 0.3, "c_gg": 1.0, "f_a": 0.0},
                    {"mass": 0.3, "c_gg": math.nan, "f_a": 1000.0}):
            with pytest.raises(PhysicsError):
                ALP(**bad, chiral=chiral)
        ALP(0.9, g_gamma=1e-5, f_a=1000.0, chiral=chiral)  # no gluon coupling: any mass
        ALP(0.14, c_gg=1.0, f_a=1000.0, chiral=chiral)     # mixing 0.35*0.0921*0.0182/(1000*1.38e-3) = 4e-4: fine
    # the pi0 angle is the earlier eps f_pi m_pi^2 c/(f_a |m^2 - m_pi^2|) (delta_I = 1/3 in three-flavour)
    mix2 = gluon_meson_mixing(0.14, 1.0, 1000.0, TWO)
    assert set(mix2) == {"pi0"}
    assert mix2["pi0"] == pytest.approx(EPS_UD * F_PI * M_PI0**2 / (1000.0 * (0.14**2 - M_PI0**2)), rel=1e-13, abs=0)
    mix3 = gluon_meson_mixing(0.5, -2.0, 1000.0)
    assert mix3["pi0"] == pytest.approx(ASW_DELTA_I * 2 * F_PI * M_PI0**2 / (1000.0 * (0.25 - M_PI0**2)), rel=1e-13, abs=0)
    # eta: 2 |c| f_pi (m_eta^2/sqrt6 - m_pi^2/sqrt24)/(f_a |m^2 - m_eta^2|)
    #    = 4 * 0.0920653 * (0.1225366 - 0.0037189)/(1000 * 0.0501528) = 8.72455e-4 at m = 0.5, c = -2
    assert mix3["eta"] == pytest.approx(8.72455e-4, rel=1e-5, abs=0)
    assert mix3["eta'"] == pytest.approx(
        4 * F_PI * (M_ETAP**2 / math.sqrt(12) - M_PI0**2 / math.sqrt(3)) / (1000.0 * (M_ETAP**2 - 0.25)), rel=1e-13, abs=0)
    assert gluon_meson_mixing(M_ETA, 1.0, 1000.0)["eta"] == math.inf
    # eta pole: refused in the three-flavour (default) treatment, where the amplitudes have the pole
    # (at c = 1, f_a = 1 TeV the window is |m - m_eta| < 0.20 MeV); the two-flavour formulas have none
    for m in (M_ETA, M_ETA + 1e-4, M_ETA - 1.5e-4):
        assert gluon_meson_mixing(m, 1.0, 1000.0)["eta"] > MAX_PI0_MIXING
        with pytest.raises(PhysicsError, match=r"a-eta mixing .* \(too close to the eta pole"):
            ALP(m, c_gg=1.0, f_a=1000.0)
        ALP(m, c_gg=1.0, f_a=1000.0, chiral=TWO)
    for m in (M_ETA + 2.5e-4, M_ETA - 2.5e-4):
        assert ALP(m, c_gg=1.0, f_a=1000.0).total_width() > 0
    # the window scales with c_gg/f_a: at f_a = 100 TeV the eta is 100x closer
    ALP(M_ETA + 2.5e-6, c_gg=1.0, f_a=1e5)
    # eta' (above 0.818 GeV) only for large c_gg/f_a: at 0.8 GeV, f_a = 1.5 GeV its angle is 0.11
    with pytest.raises(PhysicsError, match="a-eta' mixing"):
        ALP(0.8, c_gg=1.0, f_a=1.5)
    ALP(0.8, c_gg=1.0, f_a=1.5, chiral=TWO)
    # the chiral option itself
    for bad in ("three flavour", "3", "", None, 3):
        with pytest.raises(PhysicsError, match="'three-flavour', 'two-flavour'"):
            ALP(0.3, chiral=bad)
    assert ALP(0.3).chiral == "three-flavour"


def test_mc_integral_of_sampler_density_reproduces_widths():
    """fipgen.decays: the sampler's Dalitz density (three_body_density, model 'alp') is the default
    (three-flavour) |M|^2 up to a constant; times S/(256 pi^3 m^3), integrated by phase_space_integral,
    it gives three_pion_width to 1 %."""
    import numpy as np

    from fipgen.decays.sampler import three_body_density
    from fipgen.decays.threebody import phase_space_integral

    rng = np.random.default_rng(7)
    for m in (0.45, 0.6, 0.8):
        for name, codes, sym in (("pi+ pi- pi0", (211, -211, 111), 1.0), ("pi0 pi0 pi0", (111, 111, 111), 1 / 6)):
            masses = [mass(abs(c)) for c in codes]
            dens, perm, _ = three_body_density(codes, m, masses, "alp")
            ms = [masses[i] for i in perm]
            # the sampler's density is proportional to |M|^2 over the Dalitz plot
            s12 = np.linspace((ms[0] + ms[1]) ** 2 * 1.01, (m - ms[2]) ** 2 * 0.99, 7)
            ratio = three_pion_amplitude_sq(name, s12, m, 1.0, 1000.0) / dens(s12, s12 * 0 + 0.2)
            assert np.allclose(ratio, ratio[0], rtol=1e-12, atol=0)
            norm = sym * ratio[0] / (256 * math.pi**3 * m**3)
            val, err = phase_space_integral(lambda a, b: norm * dens(a, b), m, *ms, 2_000_000, rng)
            w = three_pion_width(m, 1.0, 1000.0, name)
            assert val == pytest.approx(w, rel=0.01, abs=0) and err < 0.003 * w


def test_gluon_channels_sample_through_the_decay_sampler():
    import numpy as np

    from fipgen.decays.sampler import sample_decays

    a = ALP(0.7, c_gg=1.0, f_a=1000.0)
    rng = np.random.default_rng(3)
    par = np.zeros((2000, 4))
    par[:, 2], par[:, 3] = 5.0, math.sqrt(25.0 + 0.49)
    for name in ("pi0 pi0 pi0", "pi+ pi- pi0"):
        out = sample_decays(par, a.mass, a.channels()[name], rng, model="alp", decay_resonances=())
        assert out.pdg.shape == (2000, 3) and sorted(out.pdg[0]) == sorted(a.channels()[name].daughters)
        assert np.allclose(out.p4.sum(axis=1), par, atol=1e-9)


def test_sampler_follows_the_models_chiral_treatment():
    """The pi+ pi- pi0 Dalitz shape differs between the treatments; an ALP object passed as
    ``model`` selects its own (mean of s(+-) against the density's own quadrature)."""
    from scipy import integrate

    from fipgen.decays.sampler import sample_decays, three_body_density
    from fipgen.models.base import Channel

    m = 0.7
    par = np.tile([0.0, 0.0, 0.0, m], (60_000, 1))
    ch = Channel("pi+ pi- pi0", (211, -211, 111), kind="three-body")
    means = {}
    for chiral in ("three-flavour", "two-flavour"):
        a = ALP(m, c_gg=1.0, f_a=1000.0, chiral=chiral)
        out = sample_decays(par, m, ch, np.random.default_rng(4), model=a, decay_resonances=())
        pp = out.p4[:, 0] + out.p4[:, 1]
        s = pp[:, 3] ** 2 - (pp[:, :3] ** 2).sum(1)
        codes, masses = (211, -211, 111), [mass(211), mass(211), mass(111)]
        dens, _, label = three_body_density(codes, m, masses, a)
        assert chiral in label
        lo, hi = 4 * masses[0] ** 2, (m - masses[2]) ** 2

        def width(x, k):
            from fipgen.decays.threebody import s23_range

            a23, b23 = s23_range(x, m, *masses)
            return x**k * float(dens(np.array([x]), np.array([0.5 * (a23 + b23)]))[0]) * (b23 - a23)

        expect = integrate.quad(lambda x: width(x, 1), lo, hi)[0] / integrate.quad(lambda x: width(x, 0), lo, hi)[0]
        assert s.mean() == pytest.approx(expect, abs=4 * s.std() / np.sqrt(s.size))
        means[chiral] = s.mean()
    assert abs(means["three-flavour"] - means["two-flavour"]) > 10 * 60_000**-0.5 * s.std()

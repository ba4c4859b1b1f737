"""ALP widths, branching ratios, c*tau, a -> N N conventions and the pi0/eta mixing angles."""

from __future__ import annotations

import math

import pytest

from generator.constants import HBARC_GEV_M, mass
from generator.errors import PhysicsError
from generator.models.alp import ALP, F_PI, fermion_width, hnl_pair_width, photon_width, theta_aeta, theta_api
from generator.models.base import Channel

M_E, M_MU = 0.51099895e-3, 0.1056583755


def test_photon_width_closed_form():
    # g^2 m^3/(64 pi): g = 1e-4 GeV^-1, m = 0.5 GeV -> 1.25e-9 / 201.0619298 = 6.2169897e-12 GeV
    assert photon_width(0.5, 1e-4) == pytest.approx(6.2169897e-12, rel=1e-7)
    a = ALP(0.5, g_gamma=1e-4)
    assert a.partial_widths() == {"gamma gamma": pytest.approx(6.2169897e-12, rel=1e-7), "e+ e-": 0.0, "mu+ mu-": 0.0}
    assert a.branching_ratios()["gamma gamma"] == 1.0
    assert a.ctau() == pytest.approx(HBARC_GEV_M / 6.2169897e-12, rel=1e-7)
    # m^3 and g^2 scaling
    assert ALP(1.0, g_gamma=2e-4).total_width() == pytest.approx(4 * 8 * a.total_width(), rel=1e-13)


def test_fermion_widths_closed_form_and_thresholds():
    # g^2 m beta/(8 pi): m = 0.3, g_mu = 1e-5: beta = sqrt(1 - 4 (0.1056583755/0.3)^2) = sqrt(0.50383) ...
    beta = math.sqrt(1 - 4 * (M_MU / 0.3) ** 2)
    assert fermion_width(0.3, 1e-5, M_MU) == pytest.approx(1e-10 * 0.3 * beta / (8 * math.pi), rel=1e-14)
    assert beta == pytest.approx(0.7098, abs=1e-4)
    assert fermion_width(2 * M_MU, 1.0, M_MU) == 0.0 and fermion_width(0.1, 1.0, M_MU) == 0.0
    w = ALP(0.3, g_electron=1e-5, g_muon=1e-5).partial_widths()
    assert w["mu+ mu-"] / w["e+ e-"] == pytest.approx(beta / math.sqrt(1 - 4 * (M_E / 0.3) ** 2), rel=1e-12)


def test_hnl_majorana_is_half_dirac():
    for m_a, m_n in ((1.0, 0.1), (0.5, 0.2), (2.0, 0.999)):
        beta = math.sqrt(1 - 4 * m_n**2 / m_a**2)
        dirac = hnl_pair_width(m_a, 1e-3, m_n, majorana=False)
        majorana = hnl_pair_width(m_a, 1e-3, m_n, majorana=True)
        assert dirac == pytest.approx(1e-6 * m_a * beta / (8 * math.pi), rel=1e-13)
        assert majorana == pytest.approx(dirac / 2, rel=1e-15)
        a_m = ALP(m_a, g_hnl=1e-3, hnl_mass=m_n)
        a_d = ALP(m_a, g_hnl=1e-3, hnl_mass=m_n, hnl_majorana=False)
        assert a_m.partial_widths()["N N"] == pytest.approx(majorana, rel=1e-15)
        assert a_d.partial_widths()["N N"] == pytest.approx(dirac, rel=1e-15)
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
    assert F_PI == pytest.approx(0.0920653, rel=1e-6)
    m_pi, m_eta = mass(111), mass(221)
    # theta_api at m_a = 0.3, f_a = 1000 GeV: (1/6)(9.20653e-5) * 0.09/(0.09 - 0.01821874) = 1.92387e-5
    assert theta_api(0.3, 1000.0) == pytest.approx(F_PI / 1000 / 6 * 0.09 / (0.09 - m_pi**2), rel=1e-14)
    assert theta_api(0.3, 1000.0) == pytest.approx(1.92387e-5, rel=1e-5)
    # theta_aeta at m_a = 0.3: (1/sqrt6)(9.20653e-5)(0.08190278)/(-0.21015275) = -1.46482e-5
    assert theta_aeta(0.3, 1000.0) == pytest.approx(
        F_PI / 1000 / math.sqrt(6) * (0.09 - 4 * m_pi**2 / 9) / (0.09 - m_eta**2), rel=1e-14)
    assert theta_aeta(0.3, 1000.0) == pytest.approx(-1.46482e-5, rel=1e-5)
    # 1/f_a scaling; f_pi = 130 MeV convention is sqrt2 larger
    assert theta_api(0.3, 500.0) == pytest.approx(2 * theta_api(0.3, 1000.0), rel=1e-14)
    assert theta_api(0.3, 1000.0, f_pi=0.1302) == pytest.approx(math.sqrt(2) * theta_api(0.3, 1000.0), rel=1e-12)
    # heavy ALP limits: theta_api -> (1/6) f_pi/f_a, theta_aeta -> (1/sqrt6) f_pi/f_a
    assert theta_api(100.0, 1000.0) == pytest.approx(F_PI / 1000 / 6, rel=1e-5)
    assert theta_aeta(100.0, 1000.0) == pytest.approx(F_PI / 1000 / math.sqrt(6), rel=1e-4)

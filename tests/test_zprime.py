"""Dark photon widths, branching ratios, lifetime, validity range; meson -> gamma A' branching ratios."""

from __future__ import annotations

import math

import pytest

from generator.constants import HBARC_GEV_M, mass
from generator.errors import PhysicsError
from generator.models import DarkPhoton
from generator.production import br_to_gamma_darkphoton, sm_branching_ratio

# Masses used below (PDG via `particle`): m_e = 0.51099895e-3, m_mu = 0.1056583755,
# m_pi0 = 0.1349768, m_eta = 0.547862, m_pi+ = 0.13957039 GeV; alpha = 7.2973525693e-3.


def test_widths_against_hand_computed_values():
    # Gamma(A' -> l l) = eps^2 alpha m / 3 (1 + 2 mu) sqrt(1 - 4 mu)   (PHYSICS.md 3.3,
    # arXiv:1801.04847 sec. 2)
    # m = 0.1 GeV, eps = 1e-3: eps^2 alpha m / 3 = 1e-6 * 7.2973525693e-3 * 0.1 / 3
    #   = 2.4324508564e-10 GeV; mu_e = (0.51099895e-3 / 0.1)^2 = 2.6112e-5,
    #   (1 + 2 mu) sqrt(1 - 4 mu) = 1 - 6 mu^2 + O(mu^3) = 0.9999999959
    #   -> Gamma_ee = 2.4324508465e-10 GeV; mu mu closed.
    w = DarkPhoton(0.1, 1e-3).partial_widths()
    assert w["e+e-"] == pytest.approx(2.4324508465e-10, rel=1e-9)
    assert w["mu+mu-"] == 0.0
    # m = 0.25 GeV: prefactor 1e-6 * 7.2973525693e-3 * 0.25 / 3 = 6.0811271411e-10 GeV
    #   e+e-: mu_e = 4.1779e-6, factor 1 - 1.05e-10 -> 6.0811271404e-10 GeV
    #   mu+mu-: mu = (0.1056583755 / 0.25)^2 = 0.17861908; 1 + 2 mu = 1.35723816,
    #   sqrt(1 - 4 mu) = sqrt(0.28552368) = 0.53434416; product 0.72523014
    #   -> Gamma_mumu = 4.4102297e-10 GeV
    w = DarkPhoton(0.25, 1e-3).partial_widths()
    assert w["e+e-"] == pytest.approx(6.0811271404e-10, rel=1e-9)
    assert w["mu+mu-"] == pytest.approx(4.4102297e-10, rel=1e-7)


def test_brs_ctau_scaling():
    for m in (0.002, 0.05, 0.2, 0.2113, 0.22, 0.27):
        dp = DarkPhoton(m, 3e-5)
        br = dp.branching_ratios()
        assert set(br) == set(DarkPhoton.CHANNELS)
        assert sum(br.values()) == pytest.approx(1.0, abs=1e-15)
        if m < 2 * 0.1056583755:
            assert br["e+e-"] == 1.0 and br["mu+mu-"] == 0.0
            assert list(dp.open_channels()) == ["e+e-"]
        else:
            assert 0 < br["mu+mu-"] < br["e+e-"]
        assert dp.ctau() == pytest.approx(HBARC_GEV_M / dp.total_width(), rel=1e-15)
        # eps^2 scaling of widths, 1/eps^2 of c tau
        assert DarkPhoton(m, 3e-4).total_width() == pytest.approx(100 * dp.total_width(), rel=1e-13)
        assert DarkPhoton(m, 3e-4).ctau() == pytest.approx(dp.ctau() / 100, rel=1e-13)
    # well above both thresholds the lepton widths approach each other
    br = DarkPhoton(0.278, 1e-4).branching_ratios()
    assert 0.3 < br["mu+mu-"] < 0.5
    assert DarkPhoton.CHANNELS == {"e+e-": (11, -11), "mu+mu-": (13, -13)}


def test_ctau_known_value():
    # m = 0.1 GeV, eps = 1e-3: c tau = 1.973269804e-16 / 2.4324508465e-10 = 8.1122700e-7 m
    assert DarkPhoton(0.1, 1e-3).ctau() == pytest.approx(8.1122700e-7, rel=1e-7)


@pytest.mark.parametrize("m", [0.0005, 2 * mass(11), 2 * mass(211), 0.3, 1.0])
def test_validate_rejects_outside_range(m):
    dp = DarkPhoton(m, 1e-4)
    with pytest.raises(PhysicsError) as err:
        dp.validate()
    msg = str(err.value)
    assert "\n" not in msg and f"{m:g}" in msg and "2 m_pi+" in msg and "0.279141" in msg
    with pytest.raises(PhysicsError):
        dp.partial_widths()


def test_validate_accepts_inside_and_rejects_bad_numbers():
    assert DarkPhoton(0.0011, 1e-4).validate().mass == 0.0011
    assert DarkPhoton(0.279, 1e-4).validate().epsilon == 1e-4
    for bad in (0.0, -0.1, math.nan, math.inf):
        with pytest.raises(PhysicsError):
            DarkPhoton(bad, 1e-4)
        with pytest.raises(PhysicsError):
            DarkPhoton(0.1, bad)


def test_br_meson_to_gamma_darkphoton_closed_form():
    # 2 eps^2 (1 - m^2/M^2)^3 BR(gg)   (PHYSICS.md 3.1; arXiv:1801.04847 eqs. 2.7-2.10)
    # pi0, m = 0.05, eps = 1e-3: m^2/M^2 = 0.0025 / 0.01821874 = 0.13722105;
    #   (0.86277895)^3 = 0.64224188; * 2e-6 * 0.98823 = 1.2693640e-6
    assert br_to_gamma_darkphoton(111, 0.05, 1e-3) == pytest.approx(1.2693640e-6, rel=1e-7)
    # eta, m = 0.3, eps = 1e-3: m^2/M^2 = 0.09 / 0.30015275 = 0.29984732;
    #   (0.70015268)^3 = 0.34322449; * 2e-6 * 0.3936 = 2.7018632e-7
    assert br_to_gamma_darkphoton(221, 0.3, 1e-3) == pytest.approx(2.7018633e-7, rel=1e-6)
    assert br_to_gamma_darkphoton(111, 0.0, 1e-3) == pytest.approx(2e-6 * 0.98823, rel=1e-15)


def test_br_meson_scalings_and_threshold():
    for pdg, M in ((111, 0.1349768), (221, 0.547862)):
        for m in (0.01, 0.05, 0.1):
            ratio = br_to_gamma_darkphoton(pdg, m, 1e-3) / br_to_gamma_darkphoton(pdg, 0.0, 1e-3)
            assert ratio == pytest.approx((1 - m**2 / M**2) ** 3, rel=1e-13)
            assert br_to_gamma_darkphoton(pdg, m, 2e-3) == pytest.approx(4 * br_to_gamma_darkphoton(pdg, m, 1e-3), rel=1e-14)
        assert br_to_gamma_darkphoton(pdg, M, 1e-3) == 0.0
        assert br_to_gamma_darkphoton(pdg, M + 0.01, 1e-3) == 0.0
        assert 0.0 < br_to_gamma_darkphoton(pdg, M * (1 - 1e-6), 1e-3) < 1e-20
    assert sm_branching_ratio(111) == 0.98823 and sm_branching_ratio(221) == 0.3936
    with pytest.raises(PhysicsError):
        br_to_gamma_darkphoton(211, 0.01, 1e-3)
    with pytest.raises(PhysicsError):
        br_to_gamma_darkphoton(111, -0.01, 1e-3)

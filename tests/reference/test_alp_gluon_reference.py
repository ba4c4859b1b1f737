"""Reference: the ALP gluon coupling against the public ASW implementations and literature numbers.

Convention (generator/models/alp.py): ``c_gg (alpha_s/4 pi)(a/f_a) G G~``. Bauer, Neubert, Thamm
(BNT, arXiv:1708.00443) ``g_s^2 C_GG (a/Lambda) G G~`` is ``C_GG/Lambda = c_gg/(16 pi^2 f_a)``; Aloni,
Soreq, Williams (ASW, arXiv:1811.03474), sbncode and alp-aca write ``(alpha_s/8 pi)(c_g/f_a) G G~``,
i.e. ``f_ASW = f_a/(2 c_gg)`` (their ``Gamma(gamma gamma) = alpha^2 |c|^2 m^3/(256 pi^3 f^2)`` is ours
``alpha^2 |c|^2 m^3/(64 pi^3 f_a^2)``). The paper texts were not available to this check (equation
numbers are those quoted in the codes' comments). What is checked here:

1. The default (``chiral="three-flavour"``) a -> 3 pi ``|M|^2`` is ``k |A|^2`` with the ASW amplitudes
   (eqs. S31, S32) re-implemented below from SBNSoftware sbncode
   (``sbncode/EventGenerator/MeVPrtl/Tools/ALP/ALPMakeDecay_tool.cc``: ``AmplitudePi0Pi0Pi0``,
   ``AmplitudePiPPiMPi0``) and alp-aca (early ``alpaca/decays/hadronic/hadronic_decays_def.py``:
   ``ampato3pi0``, ``ampatopicharged``): physical eta, eta' masses, pi0 mass in the amplitude,
   ``delta_I = 1/3``, ``f_pi = 130.2/sqrt2 MeV``, ``k = 2.7`` (both codes multiply the 3 pi widths by it).
2. The ``chiral="two-flavour"`` option (BNT) is the ``m_eta, m_eta' -> infinity``, ``k = 1``,
   ``delta_I = eps`` limit of the same expressions (to 1e-7: the "infinity" is 10 TeV).
3. The default photon coupling is sbncode's ``GammaPartialWidth`` gluon term (ASW); hand value
   ``X(0.3 GeV) = -1.9026`` against BNT's two-flavour -1.4795.
4. The summed 3 pi widths that sbncode's ``ValidateWidths`` lists as "checks from arXiv:2207.08448"
   are reproduced to <= 13 % (they look read off a figure; a missing K factor would be x0.37).
5. The QCD-axion limit (PDG axion review: ``g = alpha (E/N - 1.92)/(2 pi f_a)``, KSVZ E/N = 0) holds
   exactly in the two-flavour option; the ASW formula tends to -1.8686 instead of -1.92 (2.7 % low).
6. Pinned numbers of the default at c_gg = 1, f_a = 1 TeV (hand arithmetic for the photon width).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fipgen.constants import ALPHA_EM, mass
from fipgen.models.alp import (
    ALP,
    ASW_DELTA_I,
    ASW_K_FACTOR,
    EPS_UD,
    F_PI,
    gluon_photon_coupling,
    three_pion_amplitude_sq,
    three_pion_width,
)

M_PI0, M_PIC, M_ETA, M_ETAP = mass(111), mass(211), mass(221), mass(331)


def asw_amplitudes(ma, s, fa_eff, delta, m_eta, m_etap, mpi):
    """a -> 3 pi0 and a -> pi+ pi- pi0 amplitudes of arXiv:1811.03474 (S31, S32) as in sbncode / alp-aca.

    ``s`` = (p+ + p-)^2; ``fa_eff`` in their alpha_s/8pi normalisation; f_pi = 92 MeV.
    """
    m2 = mpi**2
    s_e = -m2 * math.sqrt(2 / 3) / (m_eta**2 - m2)
    s_ep = -m2 / math.sqrt(3) / (m_etap**2 - m2)
    a_pi = delta / 2 * ma**2 / (ma**2 - m2)
    a_e = (ma**2 / math.sqrt(6) - m2 / math.sqrt(24)) / (ma**2 - m_eta**2)
    a_ep = (ma**2 / math.sqrt(12) - m2 / math.sqrt(3)) / (ma**2 - m_etap**2)
    r = (m2 - 2 * m_eta**2) / (m2 - 4 * m_eta**2)
    mix = (1 / math.sqrt(3) + math.sqrt(2) * s_e + s_ep) * (math.sqrt(2) * a_e + a_ep)
    m000 = m2 / (fa_eff * F_PI) * (a_pi - delta * mix + math.sqrt(3) * delta * r * (math.sqrt(2) * s_e + s_ep))
    eta_term = math.sqrt(3) * m2 * (math.sqrt(2) * s_e + s_ep) - 3 * s + ma**2 + 3 * m2
    mpm = (1 / (3 * fa_eff * F_PI)) * ((3 * s - ma**2 - 2 * m2) * a_pi - delta * m2 * mix + delta * r * eta_term)
    return m000 + 0 * s, mpm


def asw_photon_x(m, delta=1 / 3):
    """sbncode GammaPartialWidth gluon term (ASW): c_gamma^eff/c_g."""
    return (-1.92 + delta * m * m / (m * m - M_PI0**2) + 8 / 9 * (m * m - 4 / 9 * M_PI0**2) / (m * m - M_ETA**2)
            + 7 / 9 * (m * m - 16 / 9 * M_PI0**2) / (m * m - M_ETAP**2))


@pytest.mark.parametrize("ma", [0.42, 0.45, 0.5, 0.6, 0.7, 0.8])
def test_default_amplitudes_are_asw_with_physical_masses(ma):
    assert ASW_K_FACTOR == 2.7 and ASW_DELTA_I == pytest.approx(1 / 3, rel=1e-15, abs=0)
    for c, f_a in ((1.0, 1000.0), (-0.3, 250.0)):
        s = np.linspace(4 * M_PIC**2 * 1.01, (ma - M_PI0) ** 2 * 0.99, 11)
        h0, hpm = asw_amplitudes(ma, s, f_a / (2 * c), 1 / 3, M_ETA, M_ETAP, M_PI0)
        assert np.allclose(three_pion_amplitude_sq("pi0 pi0 pi0", s, ma, c, f_a), 2.7 * h0**2, rtol=1e-11, atol=0)
        assert np.allclose(three_pion_amplitude_sq("pi+ pi- pi0", s, ma, c, f_a), 2.7 * hpm**2, rtol=1e-11, atol=0)
        explicit = three_pion_amplitude_sq("pi+ pi- pi0", s, ma, c, f_a, chiral="three-flavour")
        assert np.array_equal(explicit, three_pion_amplitude_sq("pi+ pi- pi0", s, ma, c, f_a))
    # scalar in, float out (the sampler and the width quadrature call it both ways)
    v = three_pion_amplitude_sq("pi+ pi- pi0", 0.2, ma, 1.0, 1000.0)
    assert isinstance(v, float) and v == pytest.approx(2.7 * asw_amplitudes(ma, 0.2, 500.0, 1 / 3, M_ETA, M_ETAP, M_PI0)[1] ** 2)


def test_default_charged_dalitz_shape_is_not_the_two_flavour_one():
    """ASW's A(+-0) is linear in s but does not vanish at s = m_pi^2: the normalised shapes differ."""
    ma = 0.6
    s = np.linspace(4 * M_PIC**2, (ma - M_PI0) ** 2, 5)
    three = three_pion_amplitude_sq("pi+ pi- pi0", s, ma, 1.0, 1000.0)
    two = three_pion_amplitude_sq("pi+ pi- pi0", s, ma, 1.0, 1000.0, chiral="two-flavour")
    ratio = (three / three[-1]) / (two / two[-1])
    assert ratio[0] > 10 and ratio[2] == pytest.approx(5.868, rel=1e-3, abs=0)
    # 3 pi0 stays flat in both
    assert np.ptp(three_pion_amplitude_sq("pi0 pi0 pi0", s, ma, 1.0, 1000.0)) == 0.0


@pytest.mark.parametrize("ma", [0.42, 0.5, 0.6, 0.8])
def test_two_flavour_option_is_the_heavy_eta_limit(ma):
    c, f_a = 1.3, 1000.0
    s = np.linspace(4 * M_PI0**2 * 1.01, (ma - M_PI0) ** 2 * 0.99, 9)
    h0, hpm = asw_amplitudes(ma, s, f_a / (2 * c), EPS_UD, 1e4, 1e4, M_PI0)
    ours0 = three_pion_amplitude_sq("pi0 pi0 pi0", s, ma, c, f_a, chiral="two-flavour")
    assert np.allclose(h0**2, ours0, rtol=1e-7, atol=0)
    # the two-flavour option uses m_pi+ in (s - m_pi^2); ASW as in sbncode the pi0 mass: swap that factor
    ourspm = three_pion_amplitude_sq("pi+ pi- pi0", s, ma, c, f_a, chiral="two-flavour")
    assert np.allclose(hpm**2, ourspm * ((s - M_PI0**2) / (s - M_PIC**2)) ** 2, rtol=1e-7, atol=0)
    # and it is not the physical-mass (default) result
    assert not np.allclose(ours0, three_pion_amplitude_sq("pi0 pi0 pi0", s, ma, c, f_a), rtol=0.05, atol=0)


def test_three_over_two_flavour_ratios():
    """The numbers of the module docstring ("Validity"): amplitude-level eta/eta' effect with delta = eps,
    k = 1 (as quoted by the earlier version), and the width ratios of the two options (k, delta_I = 1/3)."""
    amp = []
    for ma in (0.42, 0.45, 0.5, 0.7):
        k = three_pion_amplitude_sq("pi0 pi0 pi0", 0.1, ma, 1.0, 1000.0, chiral="two-flavour")
        p0, _ = asw_amplitudes(ma, 0.1, 500.0, EPS_UD, M_ETA, M_ETAP, M_PI0)
        amp.append(float(p0) ** 2 / k)
    assert amp == pytest.approx([2.571, 3.794, 12.06, 0.05515], rel=2e-3, abs=0)
    r00, rpm = [], []
    for ma in (0.45, 0.6, 0.75):
        w = {ch: [three_pion_width(ma, 1.0, 1000.0, ch, chiral=t) for t in ("three-flavour", "two-flavour")]
             for ch in ("pi0 pi0 pi0", "pi+ pi- pi0")}
        r00.append(w["pi0 pi0 pi0"][0] / w["pi0 pi0 pi0"][1])
        rpm.append(w["pi+ pi- pi0"][0] / w["pi+ pi- pi0"][1])
    # 3 pi0: constant |M|^2 in both, so the width ratio is the |M|^2 ratio: 2.7 (1/3/eps)^2 A^2(eta)/A^2(no eta)
    assert r00 == pytest.approx([9.220, 11.125, 0.02781], rel=1e-3, abs=0)
    assert rpm == pytest.approx([9.234, 9.992, 0.7377], rel=1e-3, abs=0)
    ma = 0.6
    a3 = asw_amplitudes(ma, 0.1, 500.0, 1 / 3, M_ETA, M_ETAP, M_PI0)[0]
    k2 = three_pion_amplitude_sq("pi0 pi0 pi0", 0.1, ma, 1.0, 1000.0, chiral="two-flavour")
    assert r00[1] == pytest.approx(2.7 * float(a3) ** 2 / k2, rel=1e-9, abs=0)


def test_three_pion_widths_against_sbncode_validation_numbers():
    """sbncode ValidateWidths: a -> 3 pi (sum) at c_g = 1, f_a = 1 TeV (alpha_s/8 pi), i.e. c_gg = 1/2 here,
    "checks from arXiv:2207.08448". Its fifth line (0.8027 GeV, 1.0128e-16) repeats the first value
    and is left out. Agreement 6-13 %: the reference values look digitised; no K factor would give 0.4."""
    ref = {0.4184: 1.0128e-16, 0.5006: 2.4837e-14, 0.6013: 3.4839e-14, 0.7004: 2.0601e-15}
    for m, r in ref.items():
        tot = three_pion_width(m, 0.5, 1000.0, "pi0 pi0 pi0") + three_pion_width(m, 0.5, 1000.0, "pi+ pi- pi0")
        assert tot == pytest.approx(r, rel=0.15, abs=0), m


def test_photon_coupling_asw_by_hand_and_alp_aca_normalisation():
    # ASW / sbncode X(0.3): -1.92 + (1/3)(0.09/0.0717813) + (8/9)(0.0819028/-0.2101528) + (7/9)(0.0576111/-0.8273425)
    #                     = -1.92 + 0.4179364 - 0.3464264 - 0.0541597 = -1.9026498
    x03 = -gluon_photon_coupling(0.3, 1.0, 1000.0) * math.pi * 1000.0 / ALPHA_EM
    assert x03 == pytest.approx(-1.9026498, abs=1e-6) and asw_photon_x(0.3) == pytest.approx(-1.9026498, abs=1e-6)
    two = -gluon_photon_coupling(0.3, 1.0, 1000.0, chiral="two-flavour") * math.pi * 1000.0 / ALPHA_EM
    assert two == pytest.approx(-1.4795, abs=1e-4)
    for m in (0.05, 0.1, 0.2, 0.45, 0.6, 0.75, 0.81):
        x = -gluon_photon_coupling(m, 1.0, 1000.0) * math.pi * 1000.0 / ALPHA_EM
        assert x == pytest.approx(asw_photon_x(m), rel=1e-12, abs=0)
        assert ALP(m, c_gg=1.0, f_a=1000.0).g_gamma_eff == pytest.approx(-ALPHA_EM * x / (math.pi * 1000.0), rel=1e-12, abs=0)
    # alp-aca width normalisation alpha^2 m^3 |c|^2/((4 pi)^3 f_a^2) at m = 0.1:
    # two-flavour c_eff = -1.92 - 0.3513514 * 0.01/(0.0182187365 - 0.01) = -2.3475004 -> 1.47881e-16 GeV
    # three-flavour c_eff = -1.92 - 0.4055773 - 0.0058292 + 0.0191918 = -2.3122147
    #   -> 5.3251354e-5 * 1e-3 * 5.3463370 / (1984.4017 * 1e6) = 1.43468e-16 GeV
    c2 = -1.92 - EPS_UD * 0.01 / (M_PI0**2 - 0.01)
    assert c2 == pytest.approx(-2.3475004, rel=1e-7, abs=0)
    w2 = ALP(0.1, c_gg=1.0, f_a=1000.0, chiral="two-flavour").partial_widths()["gamma gamma"]
    assert w2 == pytest.approx(1.47881e-16, rel=1e-5, abs=0)
    assert w2 == pytest.approx(ALPHA_EM**2 * 0.1**3 * c2**2 / ((4 * math.pi) ** 3 * 1000.0**2), rel=1e-12, abs=0)
    w3 = ALP(0.1, c_gg=1.0, f_a=1000.0).partial_widths()["gamma gamma"]
    assert asw_photon_x(0.1) == pytest.approx(-2.3122147, rel=1e-7, abs=0)
    assert w3 == pytest.approx(1.43468e-16, rel=1e-5, abs=0)
    # alp-aca's LO chiral term -2 N_c tr(kappa Q^2), kappa = diag(m_d, m_u)/(m_u + m_d): 2.018 vs NLO 1.92
    z = 0.48
    lo = 2 * 3 * ((4 / 9) / (1 + z) + (1 / 9) * z / (1 + z))
    assert lo == pytest.approx(2.018018, rel=1e-6, abs=0) and lo == pytest.approx(1.92, rel=0.06, abs=0)


def test_qcd_axion_limit():
    f_a = 1e12
    m_a = 5.69e-6 * 1e-9  # 5.69 ueV for f_a = 1e12 GeV
    # two-flavour: exactly the PDG/KSVZ g = 1.92 alpha/(2 pi f_a) = 2.2299e-15 GeV^-1 = 3.92e-16 (m_a/ueV)
    a = ALP(m_a, c_gg=0.5, f_a=f_a, chiral="two-flavour")
    assert a.g_gamma_eff == pytest.approx(2.2299e-15, rel=1e-4, abs=0)
    assert a.g_gamma_eff / (m_a / 1e-15) == pytest.approx(3.92e-16, rel=2e-3, abs=0)
    # three-flavour (ASW): X(0) = -1.92 + (32/81)(0.0182187/0.3001528) + (112/81)(0.0182187/0.9173425)
    #                          = -1.92 + 0.0239795 + 0.0274612 = -1.8685592  ->  g = 2.1703e-15 GeV^-1
    b = ALP(m_a, c_gg=0.5, f_a=f_a)
    assert b.g_gamma_eff == pytest.approx(1.8685592 * ALPHA_EM / (2 * math.pi * f_a), rel=1e-7, abs=0)
    assert b.g_gamma_eff == pytest.approx(2.1703e-15, rel=1e-4, abs=0)
    assert b.g_gamma_eff / a.g_gamma_eff == pytest.approx(0.9732, abs=1e-4)  # 2.7 % below the QCD axion


def test_pinned_numbers_c1_f1TeV():
    # m_a = 0.6 (default, three-flavour): X = -1.92 + 0.3511018 + 5.2266827 - 0.4571850 = 3.2005994
    #   g = -7.2973526e-3 * 3.2005994/(pi * 1000) = -7.434415e-6; Gamma = g^2 0.216/(64 pi) = 5.93769e-14 GeV
    a = ALP(0.6, c_gg=1.0, f_a=1000.0)
    assert a.g_gamma_eff == pytest.approx(-7.434415e-6, rel=1e-6, abs=0)
    w = a.partial_widths()
    assert w["gamma gamma"] == pytest.approx(5.93769e-14, rel=1e-5, abs=0)
    assert w["pi0 pi0 pi0"] == pytest.approx(7.98167e-14, rel=1e-5, abs=0)
    assert w["pi+ pi- pi0"] == pytest.approx(4.87783e-14, rel=1e-5, abs=0)
    assert a.total_width() == pytest.approx(1.87972e-13, rel=1e-5, abs=0)
    br = a.branching_ratios()
    assert br["pi0 pi0 pi0"] + br["pi+ pi- pi0"] == pytest.approx(0.68412, rel=1e-4, abs=0)
    table = {0.45: (0.7802, 0.1518, 0.0680), 0.7: (0.0260, 0.2144, 0.7596), 0.8: (0.5739, 0.1348, 0.2914)}
    for m, (gg, p00, ppm) in table.items():
        br = ALP(m, c_gg=1.0, f_a=1000.0).branching_ratios()
        assert (br["gamma gamma"], br["pi0 pi0 pi0"], br["pi+ pi- pi0"]) == pytest.approx((gg, p00, ppm), abs=1e-4)
    # the two-flavour option keeps the earlier numbers
    b = ALP(0.6, c_gg=1.0, f_a=1000.0, chiral="two-flavour")
    wb = b.partial_widths()
    assert (wb["gamma gamma"], wb["pi0 pi0 pi0"], wb["pi+ pi- pi0"]) == pytest.approx((1.39243e-14, 7.17433e-15, 4.88192e-15), rel=1e-5, abs=0)
    assert b.ctau() == pytest.approx(7.59518e-3, rel=1e-5, abs=0)  # metres

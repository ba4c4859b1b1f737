"""Unit tests of the HNL model: API, validation, channel bookkeeping, limits, continuity."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from fipgen import constants as C
from fipgen.errors import PhysicsError
from fipgen.models import hnl_production as P
from fipgen.models import hnl_widths as W
from fipgen.models.base import Channel, DecayingParticle
from fipgen.models.hnl import HNL, JOIN_HIGH, JOIN_LOW
from fipgen.models.registry import make_model

MASSES = (0.05, 0.1, 0.3, 0.5, 0.8, 1.0, 1.3, 2.0, 3.0, 5.0)
COUPLINGS = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1e-6, 3e-7, 2e-8))


# ---------------------------------------------------------------------------- API


def test_api_and_class_attributes():
    h = HNL(0.5, (0.0, 1e-6, 0.0))
    assert isinstance(h, DecayingParticle)
    assert HNL.particle == "hnl" and HNL.pdg == 9900012 == C.PDG_HNL
    assert h.majorana is True and h.dipole == 0.0
    ch, w = h.channels(), h.partial_widths()
    assert set(ch) == set(w)
    assert all(isinstance(c, Channel) and c.name == k for k, c in ch.items())
    assert all(v >= 0 for v in w.values())
    for name in ("e- pi+", "nu_e pi0", "mu- rho+", "nu_mu omega", "nu nu nu", "e- mu+ nu_mu",
                 "nu_e e+ e-", "nu_mu e+ e-", "e- hadrons", "nu_e hadrons", "nu gamma", "tau- Ds+",
                 "nu_tau eta'", "e- K*+", "nu_e phi"):
        assert name in ch, name
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.mass = 1.0  # frozen
    assert hash(h) == hash(HNL(0.5, (0.0, 1e-6, 0.0)))


def test_registry_builds_hnl_from_card_parameters():
    h = make_model("hnl", mass=0.3, mixing_mu=1e-6)
    assert isinstance(h, HNL) and h.U2 == (0.0, 1e-6, 0.0) and h.majorana
    assert not make_model("hnl", mass=0.3, mixing_e=1e-6, dirac=True).majorana
    with pytest.raises(PhysicsError, match="U2|unknown parameter"):
        make_model("hnl", mass=0.3, U2=(0, 1e-6, 0))  # constructor names are not card parameters
    with pytest.raises(PhysicsError, match="does not decay"):
        make_model("hnl", mass=0.3)


@pytest.mark.parametrize(
    "kw",
    [
        dict(mass=-1.0, U2=(1, 0, 0)),
        dict(mass=0.0, U2=(1, 0, 0)),
        dict(mass=float("nan"), U2=(1, 0, 0)),
        dict(mass=11.0, U2=(1, 0, 0)),
        dict(mass=1.0, U2=(1, 0)),
        dict(mass=1.0, U2=(-1, 0, 0)),
        dict(mass=1.0, U2="abc"),
        dict(mass=1.0, U2=(1, 0, 0), dipole=-1e-6),
        dict(mass=1.0, U2=(1, 0, 0), majorana="yes"),
    ],
)
def test_bad_parameters_raise(kw):
    with pytest.raises(PhysicsError):
        HNL(**kw)


def test_channel_kinds_and_visibility():
    ch = HNL(1.0, (1, 1, 1)).channels()
    assert ch["nu nu nu"].visible is False
    assert all(c.visible for k, c in ch.items() if k != "nu nu nu")
    assert ch["e- hadrons"].kind == ch["nu_mu hadrons"].kind == "inclusive"
    assert ch["e- mu+ nu_mu"].kind == ch["nu_e e+ e-"].kind == "three-body"
    assert ch["e- pi+"].kind == "two-body"
    assert ch["e- pi+"].daughters == (11, 211)
    assert ch["e- mu+ nu_mu"].daughters == (11, -13, 14)
    assert ch["nu_mu e+ e-"].daughters == (14, -11, 11)
    # charge of every exclusive final state is zero
    for k, c in ch.items():
        if c.kind != "inclusive":
            assert sum(C.charge(p) for p in c.daughters) == 0, k


def test_conjugate_flags():
    maj, dirac = HNL(1.0, (1, 1, 1)).channels(), HNL(1.0, (1, 1, 1), majorana=False).channels()
    assert not any(c.conjugate for c in dirac.values())
    # a Majorana HNL decays to every final state and its charge conjugate (nu <-> nubar too)
    assert all(c.conjugate for c in maj.values())


# ------------------------------------------------------------------ bookkeeping


@pytest.mark.parametrize("m", MASSES)
@pytest.mark.parametrize("u2", COUPLINGS)
def test_majorana_exactly_twice_dirac(m, u2):
    maj, dirac = HNL(m, u2, dipole=1e-7), HNL(m, u2, majorana=False, dipole=1e-7)
    assert maj.total_width() == pytest.approx(2.0 * dirac.total_width(), rel=1e-14)
    wm, wd = maj.partial_widths(), dirac.partial_widths()
    for k in wm:  # every channel, neutral-current and invisible included
        assert wm[k] == pytest.approx(2.0 * wd[k], rel=1e-14, abs=0.0), k
    assert maj.ctau() == pytest.approx(0.5 * dirac.ctau(), rel=1e-14)


@pytest.mark.parametrize("m", MASSES)
@pytest.mark.parametrize("u2", COUPLINGS)
def test_brs_sum_to_one(m, u2):
    br = HNL(m, u2).branching_ratios()
    assert math.fsum(br.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(0.0 <= v <= 1.0 for v in br.values())


def test_linear_in_mixing_and_flavour_separation():
    m = 1.2
    e, mu = HNL(m, (1e-6, 0, 0)), HNL(m, (0, 1e-6, 0))
    both = HNL(m, (1e-6, 1e-6, 0))
    assert both.total_width() == pytest.approx(e.total_width() + mu.total_width(), rel=1e-12)
    assert HNL(m, (2e-6, 0, 0)).total_width() == pytest.approx(2 * e.total_width(), rel=1e-12)
    we = e.partial_widths()
    assert we["mu- pi+"] == 0 and we["nu_mu pi0"] == 0 and we["e- pi+"] > 0
    assert we["e- mu+ nu_mu"] > 0 and we["mu- e+ nu_e"] == 0


def test_ctau_units():
    h = HNL(1.0, (0, 1e-6, 0))
    assert h.ctau() == pytest.approx(1.973269804e-16 / h.total_width(), rel=1e-15)
    assert HNL(1.0, (0, 0, 0)).ctau() == float("inf")


def test_dipole_channel():
    m, d = 0.4, 1e-6
    h = HNL(m, (0, 0, 0), dipole=d, majorana=False)
    assert h.partial_widths()["nu gamma"] == pytest.approx(d * d * m**3 / (4 * math.pi), rel=1e-14)
    assert h.branching_ratios()["nu gamma"] == 1.0
    assert HNL(m, (0, 0, 0), dipole=d).partial_widths()["nu gamma"] == pytest.approx(2 * d * d * m**3 / (4 * math.pi))
    assert HNL(m, (1, 0, 0)).partial_widths()["nu gamma"] == 0.0


def test_three_nu_width():
    m = 0.5
    h = HNL(m, (0.3, 0.2, 0.1), majorana=False)
    assert h.partial_widths()["nu nu nu"] == pytest.approx(0.6 * C.G_FERMI**2 * m**5 / (192 * math.pi**3), rel=1e-14)


# ------------------------------------------------------------------ kernels


def test_cc_integral_massless_and_symmetric():
    assert W.cc_integral(0, 0, 0) == pytest.approx(1.0, rel=1e-9)
    for x in (0.01, 0.1, 0.3, 0.45):
        ref = 1 - 8 * x**2 + 8 * x**6 - x**8 - 12 * x**4 * math.log(x**2)  # muon-decay f(x)
        for args in ((x, 0, 0), (0, x, 0), (0, 0, x)):
            assert W.cc_integral(*args) == pytest.approx(ref, rel=1e-8)
    a = W.cc_integral(0.3, 0.2, 0.1)
    for args in ((0.2, 0.3, 0.1), (0.1, 0.2, 0.3), (0.3, 0.1, 0.2)):
        assert W.cc_integral(*args) == pytest.approx(a, rel=1e-8)
    assert W.cc_integral(0.5, 0.3, 0.2) == 0.0


def test_nc_log_equals_textbook_form_where_that_is_accurate():
    for x in (0.05, 0.1, 0.2, 0.3, 0.45, 0.499):
        s = math.sqrt(1 - 4 * x * x)
        naive = math.log((1 - 3 * x * x - (1 - x * x) * s) / (x * x * (1 + s)))
        assert W.nc_log(x) == pytest.approx(naive, rel=1e-9)
    with pytest.raises(ValueError):
        W.nc_log(0.5)


def test_alpha_s_running():
    assert W.alpha_s(91.1876) == pytest.approx(0.118, rel=1e-6)
    assert 0.30 < W.alpha_s(C.mass(15)) < 0.34  # PDG alpha_s(m_tau) = 0.314-0.33
    with pytest.raises(PhysicsError):
        W.alpha_s(0.5)


# ------------------------------------------------------------------ thresholds, continuity


@pytest.mark.parametrize(
    "name,thr",
    [
        ("e- pi+", C.mass(11) + C.mass(211)),
        ("mu- pi+", C.mass(13) + C.mass(211)),
        ("mu- K+", C.mass(13) + C.mass(321)),
        ("nu_mu pi0", C.mass(111)),
        ("nu_mu eta", C.mass(221)),
        ("mu- rho+", C.mass(13) + C.mass(213)),
        ("nu_mu phi", C.mass(333)),
        ("mu- e+ nu_e", C.mass(13) + C.mass(11)),
        ("nu_mu mu+ mu-", 2 * C.mass(13)),
        ("nu_mu tau+ tau-", 2 * C.mass(15)),
        ("mu- tau+ nu_tau", C.mass(13) + C.mass(15)),
        ("mu- D+", C.mass(13) + C.mass(411)),
    ],
)
def test_widths_vanish_continuously_at_threshold(name, thr):
    u2 = (1.0, 1.0, 1.0)
    assert HNL(thr * (1 - 1e-9), u2).partial_widths()[name] == 0.0
    w_close = HNL(thr * (1 + 1e-8), u2).partial_widths()[name]
    w_far = HNL(thr * 1.05, u2).partial_widths()[name]
    assert 0.0 <= w_close < 1e-2 * w_far  # two-body ~ p*, three-body faster
    assert w_far > 0


@pytest.mark.parametrize("u2", COUPLINGS[:3])
def test_total_width_continuous_across_join(u2):
    """No step in Gamma_total anywhere in [0.9, 1.6] GeV: on a 2 MeV grid the local change
    of ln(Gamma) never exceeds 3x its neighbours' mean (smooth power-law growth ~ M^5)."""
    ms = np.arange(0.9, 1.6, 0.002)
    g = np.array([HNL(float(m), u2).total_width() for m in ms])
    dlog = np.diff(np.log(g))
    assert np.all(dlog > 0)
    assert np.max(dlog) < 0.05  # < 5 % per 2 MeV; a step at the join would be ~10-30 %
    for m0 in (JOIN_LOW, JOIN_HIGH):
        lo, hi = HNL(m0 - 1e-7, u2).total_width(), HNL(m0 + 1e-7, u2).total_width()
        assert hi == pytest.approx(lo, rel=1e-5)


def test_inclusive_channels_closed_below_join():
    w = HNL(0.99, (1, 1, 1)).partial_widths()
    assert all(w[k] == 0 for k in w if k.endswith("hadrons"))
    w = HNL(2.0, (1, 1, 1)).partial_widths()
    assert all(w[k] > 0 for k in w if k.endswith("hadrons") and k != "tau- hadrons")
    # just above the tau threshold the single tau- pi+ width exceeds the quark-level one:
    # the remainder is 0 and the hadronic width is the exclusive one (max rule)
    assert w["tau- hadrons"] == 0.0
    assert HNL(3.0, (0, 0, 1)).partial_widths()["tau- hadrons"] > 0


def test_hadronic_width_above_join_is_max_of_exclusive_and_inclusive():
    m = 2.0
    h = HNL(m, (0, 1, 0), majorana=False)
    w = h.partial_widths()
    excl = sum(v for k, v in w.items() if k.startswith("mu- ") and k.count(" ") == 1 and "hadrons" not in k)
    incl = W.width_cc_quarks(m, C.mass(13)) * W.qcd_correction(m)
    assert excl + w["mu- hadrons"] == pytest.approx(max(excl, incl), rel=1e-12)


# ------------------------------------------------------------------ production


def test_production_api_and_limits():
    h = HNL(0.1, (1e-4, 1e-5, 0))
    br = P.br_meson_to_lepton_hnl(321, "mu", h)
    assert br > 0
    assert P.br_meson_to_lepton_hnl(-321, "mu", h) == br
    assert P.br_meson_to_lepton_hnl(321, "tau", h) == 0.0
    assert P.br_meson_to_lepton_hnl(211, "mu", HNL(0.03, (0, 1, 0))) > 0
    # closes at m_h - m_l
    thr = C.mass(211) - C.mass(13)
    assert P.br_meson_to_lepton_hnl(211, "mu", HNL(thr * (1 + 1e-9), (0, 1, 0))) == 0.0
    assert P.br_meson_to_lepton_hnl(211, "mu", HNL(thr * (1 - 1e-8), (0, 1, 0))) < 1e-2 * P.br_meson_to_lepton_hnl(
        211, "mu", HNL(thr * 0.9, (0, 1, 0))
    )
    # Majorana / Dirac does not change production
    assert P.br_meson_to_lepton_hnl(431, "e", HNL(1.0, (1, 0, 0))) == P.br_meson_to_lepton_hnl(
        431, "e", HNL(1.0, (1, 0, 0), majorana=False)
    )
    with pytest.raises(PhysicsError):
        P.br_meson_to_lepton_hnl(521, "e", h)
    with pytest.raises(PhysicsError):
        P.br_meson_to_lepton_hnl(211, "x", h)


def test_helicity_lifting():
    """pi -> e N for m_N >> m_e is enhanced by ~ m_N^2 / m_e^2 over the SM pi -> e nu."""
    sm = P.sm_width_meson_to_lepton_nu(211, "e")
    w = P.width_meson_to_lepton_hnl(211, "e", HNL(0.05, (1, 0, 0)))
    assert w / sm > 1e3


def test_tau_channels():
    h = HNL(0.5, (0.1, 0.2, 0.3))
    for ch in P.TAU_CHANNELS:
        assert P.br_tau_to_hnl(ch, h) > 0, ch
    assert P.br_tau_to_hnl("N pi-", HNL(1.7, (0, 0, 1))) == 0.0
    assert P.br_tau_to_hnl("nu_tau e- N", HNL(0.5, (0, 0, 1))) == 0.0
    with pytest.raises(PhysicsError):
        P.br_tau_to_hnl("N X", h)


def test_partial_widths_fast():
    import time

    t0 = time.perf_counter()
    for m in np.linspace(1.0, 4.0, 40):
        HNL(float(m) + 1e-4, (1, 1, 1)).partial_widths()
    assert time.perf_counter() - t0 < 10.0


def test_kaon_three_body_api_and_thresholds():
    h = HNL(0.2, (1e-6, 1e-6, 0))
    assert P.br_kaon_to_pi_lepton_hnl(321, "e", h) > 0
    assert P.br_kaon_to_pi_lepton_hnl(-321, "e", h) == P.br_kaon_to_pi_lepton_hnl(321, "e", h)
    assert P.br_kaon_to_pi_lepton_hnl(321, "tau", h) == 0.0
    thr = C.mass(321) - C.mass(111) - C.mass(13)
    assert P.br_kaon_to_pi_lepton_hnl(321, "mu", HNL(thr * (1 + 1e-9), (0, 1, 0))) == 0.0
    near = P.br_kaon_to_pi_lepton_hnl(321, "mu", HNL(thr * (1 - 1e-4), (0, 1, 0)))
    assert 0 <= near < 1e-3 * P.br_kaon_to_pi_lepton_hnl(321, "mu", HNL(0.1, (0, 1, 0)))
    # linear in |U_e|^2, independent of Majorana/Dirac
    assert P.br_kaon_to_pi_lepton_hnl(130, "e", HNL(0.2, (2e-6, 0, 0))) == pytest.approx(
        2 * P.br_kaon_to_pi_lepton_hnl(130, "e", HNL(0.2, (1e-6, 0, 0), majorana=False)), rel=1e-12
    )
    with pytest.raises(PhysicsError):
        P.br_kaon_to_pi_lepton_hnl(311, "e", h)


@pytest.mark.parametrize("m", [0.5, 1.2, 2.0, 3.0, 5.0])
@pytest.mark.parametrize("u2", COUPLINGS)
def test_sampling_widths_fold_inclusive_into_exclusive(m, u2):
    h = HNL(m, u2)
    sw, w, ch = h.sampling_widths(), h.partial_widths(), h.channels()
    assert all(ch[k].kind != "inclusive" for k in sw)
    assert set(sw) == {k for k in w if ch[k].kind != "inclusive"}
    assert math.fsum(sw.values()) == pytest.approx(h.total_width(), rel=1e-12)
    # leptonic and invisible channels untouched; single-meson channels scaled up only
    for k in sw:
        if ch[k].kind == "three-body" or k == "nu gamma":
            assert sw[k] == w[k]
        else:
            assert sw[k] >= w[k]
    assert math.fsum(h.sampling_branching_ratios().values()) == pytest.approx(1.0, abs=1e-12)


def test_sampling_widths_drop_only_tiny_tau_remainder():
    """tau- hadrons has a remainder but no exclusive channel between 1.78 and 1.92 GeV."""
    for m in np.linspace(1.79, 1.92, 14):
        h = HNL(float(m), (0, 0, 1))
        lost = h.total_width() - math.fsum(h.sampling_widths().values())
        assert 0 <= lost < 1e-3 * h.total_width()


def test_one_weak_mixing_angle_everywhere():
    """The HNL widths and the HNL matrix elements of the samplers use the same sin^2 theta_W."""
    from fipgen.decays.hnl_matrix_elements import SIN2_THETA_W
    from fipgen.models.hnl_widths import _const

    assert _const("electroweak", "sin2_theta_w") == SIN2_THETA_W

"""Z' / dark photon widths, branching ratios, lifetime, validity range; meson -> gamma A' branching ratios."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest

from fipgen.constants import HBARC_GEV_M, mass
from fipgen.errors import PhysicsError
from fipgen.models import DarkPhoton
from fipgen.models.base import Channel
from fipgen.models.zprime import LEGACY_NAMES, M_JOIN, ZPrime, alpha_s, family_coefficients, hnl_pair_width, vmd_table
from fipgen.production import br_to_gamma_darkphoton, sm_branching_ratio

# Masses used below (PDG via `particle`): m_e = 0.51099895e-3, m_mu = 0.1056583755,
# m_pi0 = 0.1349768, m_eta = 0.547862, m_pi+ = 0.13957039 GeV; alpha = 7.2973525693e-3.


def test_widths_against_hand_computed_values():
    # Gamma(A' -> l l) = eps^2 alpha m / 3 (1 + 2 mu) sqrt(1 - 4 mu)   (docs/physics.md#z-decays,
    # arXiv:1801.04847 sec. 2)
    # m = 0.1 GeV, eps = 1e-3: eps^2 alpha m / 3 = 1e-6 * 7.2973525693e-3 * 0.1 / 3
    #   = 2.4324508564e-10 GeV; mu_e = (0.51099895e-3 / 0.1)^2 = 2.6112e-5,
    #   (1 + 2 mu) sqrt(1 - 4 mu) = 1 - 6 mu^2 + O(mu^3) = 0.9999999959
    #   -> Gamma_ee = 2.4324508465e-10 GeV; mu mu closed.
    w = DarkPhoton(0.1, 1e-3).partial_widths()
    assert w["e+ e-"] == pytest.approx(2.4324508465e-10, rel=1e-9)
    assert w["mu+ mu-"] == 0.0
    # m = 0.25 GeV: prefactor 1e-6 * 7.2973525693e-3 * 0.25 / 3 = 6.0811271411e-10 GeV
    #   e+e-: mu_e = 4.1779e-6, factor 1 - 1.05e-10 -> 6.0811271404e-10 GeV
    #   mu+mu-: mu = (0.1056583755 / 0.25)^2 = 0.17861908; 1 + 2 mu = 1.35723816,
    #   sqrt(1 - 4 mu) = sqrt(0.28552368) = 0.53434416; product 0.72523014
    #   -> Gamma_mumu = 4.4102297e-10 GeV
    w = DarkPhoton(0.25, 1e-3).partial_widths()
    assert w["e+ e-"] == pytest.approx(6.0811271404e-10, rel=1e-9)
    assert w["mu+ mu-"] == pytest.approx(4.4102297e-10, rel=1e-7)


def test_brs_ctau_scaling():
    for m in (0.002, 0.05, 0.2, 0.2113, 0.22, 0.27):
        dp = DarkPhoton(m, 3e-5)
        br = dp.branching_ratios()
        assert set(br) == set(DarkPhoton.CHANNELS)
        assert sum(br.values()) == pytest.approx(1.0, abs=1e-15)
        if m < 2 * 0.1056583755:
            # pi0 gamma (omega family, DarkCast rf.pi0_gamma.omega) is open above m_pi0 at < 1e-6
            assert br["e+ e-"] == pytest.approx(1.0, abs=1e-6) and br["mu+ mu-"] == 0.0
            assert dp.open_channels() == (["e+ e-", "pi0 gamma"] if m > 0.14 else ["e+ e-"])
            assert br["pi0 gamma"] < 1e-6
        else:
            assert 0 < br["mu+ mu-"] < br["e+ e-"]
        assert dp.ctau() == pytest.approx(HBARC_GEV_M / dp.total_width(), rel=1e-15)
        # eps^2 scaling of widths, 1/eps^2 of c tau
        assert DarkPhoton(m, 3e-4).total_width() == pytest.approx(100 * dp.total_width(), rel=1e-13)
        assert DarkPhoton(m, 3e-4).ctau() == pytest.approx(dp.ctau() / 100, rel=1e-13)
    # well above both thresholds the lepton widths approach each other
    br = DarkPhoton(0.278, 1e-4).branching_ratios()
    assert 0.3 < br["mu+ mu-"] < 0.5
    assert DarkPhoton.CHANNELS["e+ e-"] == (-11, 11) and DarkPhoton.CHANNELS["mu+ mu-"] == (-13, 13)
    assert set(LEGACY_NAMES.values()) <= set(DarkPhoton.CHANNELS)


def test_ctau_known_value():
    # m = 0.1 GeV, eps = 1e-3: c tau = 1.973269804e-16 / 2.4324508465e-10 = 8.1122700e-7 m
    assert DarkPhoton(0.1, 1e-3).ctau() == pytest.approx(8.1122700e-7, rel=1e-7)


@pytest.mark.parametrize("m", [0.0005, 2 * mass(11), 10.5, 30.0])
def test_validate_rejects_outside_range(m):
    dp = DarkPhoton(m, 1e-4)
    with pytest.raises(PhysicsError) as err:
        dp.validate()
    msg = str(err.value)
    assert "\n" not in msg and f"{m:g}" in msg and "0.0010219979" in msg and "<= 10 GeV" in msg
    with pytest.raises(PhysicsError):
        dp.partial_widths()


def test_validate_accepts_inside_and_rejects_bad_numbers():
    assert DarkPhoton(0.0011, 1e-4).validate().mass == 0.0011
    assert DarkPhoton(0.279, 1e-4).validate().epsilon == 1e-4
    assert DarkPhoton(10.0, 1e-4).validate().mass == 10.0
    for bad in (0.0, -0.1, math.nan, math.inf):
        with pytest.raises(PhysicsError):
            DarkPhoton(bad, 1e-4)
        with pytest.raises(PhysicsError):
            DarkPhoton(0.1, bad)


def test_br_meson_to_gamma_darkphoton_closed_form():
    # 2 eps^2 (1 - m^2/M^2)^3 BR(gg)   (docs/physics.md#meson-decays-to-gamma-z; arXiv:1801.04847 eqs. 2.7-2.10)
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


# ---------------------------------------------------------------------------------------------
# ZPrime: kinds, hadrons (DarkCast VMD below 2 GeV, perturbative above), neutrinos, N N
# ---------------------------------------------------------------------------------------------
ALPHA = 7.2973525693e-3
E = math.sqrt(4 * math.pi * ALPHA)
MASSES = (0.01, 0.1, 0.15, 0.3, 0.5, 0.7, 0.775, 0.7826, 0.9, 1.0, 1.019, 1.2, 1.5, 1.8, 1.99, 2.0, 2.5, 4.0, 9.9)


def test_dark_photon_is_a_zprime_and_keeps_v0_api():
    dp = DarkPhoton(0.5, 1e-4)
    assert isinstance(dp, ZPrime) and dp.kind == "dark-photon" and dp.epsilon == 1e-4 and dp.coupling == 1e-4
    assert dp == DarkPhoton(mass=0.5, epsilon=1e-4) and dp.particle == "zprime" and dp.pdg == 32 == dp.PDG
    assert dp.partial_widths() == ZPrime(0.5, 1e-4).partial_widths()
    assert set(dp.channels()) == set(DarkPhoton.CHANNELS)
    assert all(isinstance(c, Channel) and c.daughters == DarkPhoton.CHANNELS[n] for n, c in dp.channels().items())
    with pytest.raises(PhysicsError):
        _ = ZPrime(0.5, 1e-4, "B-L").epsilon
    with pytest.raises(PhysicsError):
        DarkPhoton(0.5, 1e-4, kind="B-L")


@pytest.mark.parametrize("kind", ["dark-photon", "B-L", "B"])
@pytest.mark.parametrize("m", MASSES)
def test_brs_sum_to_one_and_widths_nonnegative(kind, m):
    z = ZPrime(m, 1e-3, kind, hnl_mass=0.1 if kind == "B-L" else None)
    w = z.partial_widths()
    assert set(w) == set(z.channels()) and all(v >= 0 for v in w.values())
    br = z.branching_ratios()
    assert sum(br.values()) == pytest.approx(1.0, abs=1e-13)
    assert z.ctau() == pytest.approx(HBARC_GEV_M / z.total_width(), rel=1e-14)
    # every open channel is kinematically allowed: the daughters' masses fit
    for name, ch in z.channels().items():
        if w[name] > 0 and ch.daughters and name != "N N" and not name.startswith("nu"):
            assert sum(mass(abs(p)) for p in ch.daughters) < m


def test_generic_with_em_charges_equals_dark_photon():
    q = (("u", 2 / 3), ("c", 2 / 3), ("d", -1 / 3), ("s", -1 / 3), ("b", -1 / 3), ("e", -1.0), ("mu", -1.0), ("tau", -1.0))
    for m in (0.3, 0.78, 1.02, 1.7, 3.0):
        a = DarkPhoton(m, 1e-3).partial_widths()
        b = ZPrime(m, 1e-3 * E, "generic", charges=q).partial_widths()
        assert set(a) == set(b)
        for k in a:
            assert b[k] == pytest.approx(a[k], rel=1e-12, abs=1e-300)


def test_family_coefficients_follow_darkcast():
    # arXiv:1801.04847 eq. 2.18 / DarkCast pars.rvs x Tr[T_V Q]
    assert family_coefficients(2 / 3, -1 / 3, -1 / 3) == pytest.approx({"rho0": 1.0, "omega": 1.0, "phi": -1.0})
    assert family_coefficients(1 / 3, 1 / 3, 1 / 3) == pytest.approx({"rho0": 0.0, "omega": 2.0, "phi": 1.0})


def test_bl_neutrino_widths_and_no_dark_photon_neutrinos():
    # 3 flavours x 1/2 x g^2 m / (12 pi), left-handed only, charge -1 (docs/physics.md#z-decays)
    for m in (0.01, 0.5, 3.0):
        w = ZPrime(m, 2e-4, "B-L").partial_widths()
        for f in ("nu_e", "nu_mu", "nu_tau"):
            assert w[f"{f} {f}"] == pytest.approx(0.5 * 4e-8 * m / (12 * math.pi), rel=1e-13)
        assert not ZPrime(m, 2e-4, "B-L").channels()["nu_e nu_e"].visible
    assert not any(k.startswith("nu") for k in DarkPhoton(0.5, 1e-3).channels())
    # B-L below 2 m_e: neutrinos only
    br = ZPrime(1e-4, 1e-4, "B-L").branching_ratios()
    assert br["nu_e nu_e"] == pytest.approx(1 / 3) and br["e+ e-"] == 0.0
    assert ZPrime(1e-4, 1e-4, "B-L").visible_channels() == []
    # B-L electrons: g^2 m/(12 pi) (1 + 2 mu) sqrt(1 - 4 mu)
    m, g = 0.05, 1e-4
    mu = (mass(11) / m) ** 2
    assert ZPrime(m, g, "B-L").partial_widths()["e+ e-"] == pytest.approx(
        g * g * m / (12 * math.pi) * (1 + 2 * mu) * math.sqrt(1 - 4 * mu), rel=1e-13)


def test_hnl_pair_threshold_and_dirac_variant():
    g, m = 1e-3, 1.0
    base = g * g * m / (24 * math.pi)
    for x in (0.0, 0.1, 0.3, 0.45, 0.499):
        assert hnl_pair_width(m, g, x * m) == pytest.approx(base * (1 - 4 * x * x) ** 1.5, rel=1e-12)
    assert hnl_pair_width(m, g, 0.5) == 0.0 and hnl_pair_width(m, g, 0.6) == 0.0
    # Dirac, vector coupling to both chiralities: g^2 m/(12 pi)(1 + 2 mu) beta -> 2x Majorana at m_N -> 0
    assert hnl_pair_width(m, g, 1e-6, majorana=False) == pytest.approx(2 * hnl_pair_width(m, g, 1e-6), rel=1e-9)
    # charge^2 scaling through the model
    z1 = ZPrime(m, g, "B-L", hnl_mass=0.2)
    z2 = ZPrime(m, g, "B-L", hnl_mass=0.2, hnl_charge=2.0)
    assert z2.partial_widths()["N N"] == pytest.approx(4 * z1.partial_widths()["N N"], rel=1e-13)
    assert z1.partial_widths()["N N"] == pytest.approx(base * (1 - 4 * 0.04) ** 1.5, rel=1e-12)
    assert "N N" not in ZPrime(m, g, "B-L").channels()


def test_omega_contributes_below_the_rho_no_hard_threshold():
    # B-L does not couple to the rho family (c_rho = 0): pi+ pi- is absent, omega -> 3 pi opens at 3 m_pi
    for m in (0.45, 0.6, 0.7):
        w = ZPrime(m, 1e-3, "B-L").hadronic_widths()
        assert w["pi+ pi-"] == 0.0 and w["pi+ pi- pi0"] > 0 and w["pi0 gamma"] > 0
    # dark photon: pi0 gamma from m_pi0, 3 pi from 3 m_pi, pi pi from 2 m_pi+
    w = DarkPhoton(0.2, 1e-3).hadronic_widths()
    assert w["pi0 gamma"] > 0 and w["pi+ pi- pi0"] == 0 == w["pi+ pi-"]
    assert DarkPhoton(0.45, 1e-3).hadronic_widths()["pi+ pi- pi0"] > 0


def test_kaon_split_thresholds():
    mk, mk0 = mass(321), mass(310)
    w = DarkPhoton(2 * mk + 0.004, 1e-3).hadronic_widths()  # between the K+K- and KS KL thresholds
    assert w["K+ K-"] > 0 and w["K_S0 K_L0"] == 0
    w = DarkPhoton(1.0195, 1e-3).hadronic_widths()  # phi peak: beta^3 ratio ~ 0.60
    assert 0.55 < w["K+ K-"] / (w["K+ K-"] + w["K_S0 K_L0"]) < 0.65
    assert 2 * mk0 > 2 * mk


def test_dark_photon_r_ratio_shape():
    # R = Gamma(had)/Gamma(mu mu, massless): rho peak ~ 12, phi peak ~ 50, ~2.2 near 2 GeV
    assert 9 < DarkPhoton(0.775, 1e-3).hadronic_r() < 40
    assert DarkPhoton(1.0195, 1e-3).hadronic_r() > 30
    assert 1.9 < DarkPhoton(1.95, 1e-3).hadronic_r() < 2.5
    # perturbative: 3 sum Q^2 (1 + alpha_s/pi) -> 10/3 (1 + alpha_s/pi) above the b threshold... c only here
    r = DarkPhoton(9.0, 1e-3).hadronic_r()
    assert r == pytest.approx(10 / 3 * (1 + alpha_s(9.0) / math.pi), rel=0.02)


@pytest.mark.parametrize("kind,tol", [("dark-photon", 0.03), ("B-L", 0.10), ("B", 0.10)])
def test_continuity_across_the_join(kind, tol):
    lo = ZPrime(M_JOIN - 1e-9, 1e-3, kind)
    hi = ZPrime(M_JOIN, 1e-3, kind)
    had_lo, had_hi = sum(lo.hadronic_widths().values()), sum(hi.hadronic_widths().values())
    assert had_hi == pytest.approx(had_lo, rel=tol)
    assert hi.total_width() == pytest.approx(lo.total_width(), rel=tol)
    # above the join all hadronic width is the inclusive "hadrons" channel
    assert set(k for k, v in hi.hadronic_widths().items() if v > 0) == {"hadrons"}


def test_alpha_s_running():
    assert alpha_s(91.1876) == pytest.approx(0.1180, rel=1e-12)
    assert 0.25 < alpha_s(2.0) < 0.32 and alpha_s(2.0) > alpha_s(5.0) > alpha_s(50.0)


def test_bad_input_raises_physics_error():
    for kwargs in ({"kind": "Z"}, {"kind": "B-L", "charges": (("e", 1.0),)},
                   {"kind": "generic", "charges": (("x", 1.0),)}, {"kind": "generic", "charges": (("e", math.nan),)},
                   {"kind": "generic", "charges": (("e", 1.0), ("e", 2.0))}, {"hnl_mass": -0.1},
                   {"hnl_majorana": 1}):
        with pytest.raises(PhysicsError):
            ZPrime(0.5, 1e-3, **kwargs)
    with pytest.raises(PhysicsError):
        ZPrime(0.5, -1e-3)
    assert ZPrime(0.5, 1e-3, "generic", charges={"e": 1.0}).charge_of("e") == 1.0


def test_vmd_table_packaged_and_regenerates():
    grid, cols = vmd_table()
    assert grid[0] == pytest.approx(0.14) and grid[-1] == pytest.approx(2.0) and len(grid) == 3721
    assert len(cols) == 12 and cols["pi+_pi-|rho0"][np.searchsorted(grid, 0.78 - 1e-9)] == pytest.approx(8.9820)
    raw = Path("/work/shared/data/darkcast-vmd")
    if not raw.is_dir():
        pytest.skip("raw DarkCast tables not present")
    import importlib.util

    spec = importlib.util.spec_from_file_location("mk", Path(__file__).parents[1] / "scripts/make_vmd_tables.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    from importlib import resources

    shipped = resources.files("fipgen").joinpath("data/darkcast/vmd_rf.csv.gz").read_bytes()
    assert gzip.decompress(mk.build(raw)) == gzip.decompress(shipped)
    assert b"GPL-2.0-or-later" in gzip.decompress(shipped) and b"arXiv:1801.04847" in gzip.decompress(shipped)


def test_dark_photon_rejects_hnl():
    with pytest.raises(PhysicsError):
        ZPrime(0.5, 1e-3, hnl_mass=0.1)
    assert "N N" in ZPrime(0.5, 1e-3, "generic", charges=(("u", 1.0),), hnl_mass=0.1, hnl_charge=1.0).channels()


def test_partial_widths_are_computed_once_per_frozen_model():
    """cached_partial_widths (what total_width, branching_ratios and scans use) equals
    partial_widths and is computed once per instance of a frozen model; a model class that is
    not a frozen dataclass computes it at every call."""
    from fipgen.models.base import DecayingParticle
    from fipgen.models.zprime import ZPrime

    z = ZPrime(mass=0.8, coupling=1e-4, kind="B-L")
    first = z.cached_partial_widths()
    assert first == z.partial_widths() and z.cached_partial_widths() is first
    assert z.total_width() == float(sum(z.partial_widths().values()))
    assert ZPrime(mass=0.8, coupling=2e-4, kind="B-L").total_width() == pytest.approx(4 * z.total_width(), rel=1e-12)

    class Mutable(DecayingParticle):
        def __init__(self):
            self.width = 1.0

        def channels(self):
            return {}

        def partial_widths(self):
            return {"x": self.width}

    m = Mutable()
    assert m.total_width() == 1.0
    m.width = 2.0
    assert m.total_width() == 2.0

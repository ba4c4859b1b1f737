"""The electromagnetic-shower Monte Carlo (fipgen.shower) and its per-POT tables.

Every test states its reference and tolerance. References:
[Tsai] Y.-S. Tsai, Rev. Mod. Phys. 46 (1974) 815.
[PDG] Particle Data Group, RPP, "Passage of particles through matter" (radiation length,
      critical energy, electromagnetic cascades) and "Atomic and Nuclear Properties".
[Rossi] B. Rossi, High-Energy Particles (1952); approximations A and B (docs/physics.md#electromagnetic-showers).
[ICRU37] ICRU Report 37 (1984), unrestricted e+- collision stopping powers.
[KN], [Heitler], [Moller], [Bhabha]: closed-form total cross sections (module docstrings).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.optimize import curve_fit
from scipy.special import gammaln

from fipgen.errors import GeometryError, PhysicsError
from fipgen.geometry.stopping import density_effect
from fipgen.resources import data_dir
from fipgen.shower import (
    Binning,
    ShowerSettings,
    load_shower_table,
    run_showers,
    shower_medium,
    shower_table_beamlines,
    simulate_single,
)
from fipgen.production.sources.shower_seeding import meson_photons
from fipgen.shower import annihilation, bremsstrahlung, compton, ionisation, pair, rossi, screening
from fipgen.shower.constants import M_E
from fipgen.shower.geometry import box
from fipgen.shower.sampling import draw
from fipgen.shower.tables import BREM, COMPTON, DEDX_E, PAIR, RANGE_E, physics_tables

MATERIALS = ("Be", "C", "Fe", "Cu", "W", "Pb")
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_shower_tables.py"


# ----------------------------------------------------------------------------------
# constants and material data


def test_electron_mass_is_the_pdg_value():
    """The kernel's frozen m_e equals the particle package's (PDG) value to 1e-9."""
    from fipgen import constants as C

    assert M_E == pytest.approx(C.mass(11), rel=1e-9)


@pytest.mark.parametrize("name", MATERIALS)
def test_tsai_radiation_length_matches_pdg_table(name):
    """[Tsai] eq. 3.66 with L_rad, L'_rad, f(Z) reproduces the PDG X0 of materials.toml to 1e-3
    (PDG computes X0 with this formula; we measure <= 4.5e-4)."""
    m = shower_medium(name)
    assert m.tsai_radiation_length() == pytest.approx(m.X0, rel=1e-3)


def test_critical_energy_rossi_definition():
    """[PDG] Atomic and Nuclear Properties, iron: E_c(e-) = 21.68 MeV (Rossi's definition),
    to 1% (we get 21.65 MeV with ICRU 37 I = 286 eV and Sternheimer's density effect); all
    solids within 7% (3 x the 2.2% rms) of the PDG fit 610 MeV/(Z + 1.24)."""
    assert shower_medium("Fe").critical_energy() * 1e3 == pytest.approx(21.68, rel=0.01)
    for name in MATERIALS:
        m = shower_medium(name)
        assert m.critical_energy() * 1e3 == pytest.approx(610.0 / (m.Z + 1.24), rel=0.07), name
        assert m.critical_energy(positron=True) < m.critical_energy()


def test_unknown_material_and_cuts_are_refused():
    """Every material of the table is a shower medium (compounds: tests/test_shower_compounds.py);
    a name the table does not know, and cuts outside 0.1 MeV - 1 GeV, are refused."""
    with pytest.raises(GeometryError, match="unknown material"):
        shower_medium("unobtainium")
    with pytest.raises(PhysicsError, match="cut_e"):
        physics_tables("Fe", 1e-5, 1e-3)


# ----------------------------------------------------------------------------------
# cross sections against independent numerical checks


def test_screening_kernels_match_numpy_references():
    g = np.array([0.0, 0.01, 0.3, 2.0, 30.0])
    for fn, ref in ((screening.phi1, screening.phi1_np), (screening.psi1, screening.psi1_np),
                    (screening.dphi, screening.dphi_np), (screening.dpsi, screening.dpsi_np)):
        assert np.allclose([fn(x) for x in g], ref(g), rtol=1e-14, atol=0)
    # complete screening limits [Tsai] eqs. 3.38, 3.40: 4 ln 184.15 and 4 ln 1194 to 1e-4
    assert screening.phi1(0.0) == pytest.approx(4 * math.log(184.15), rel=1e-4)
    assert screening.psi1(0.0) == pytest.approx(4 * math.log(1194.0), rel=1e-4)


def test_klein_nishina_total_against_integral():
    """[KN] closed form = numerical integral of d sigma/d eps over [1/(1+2 kappa), 1] to 1e-8;
    Thomson limit 8 pi r_e^2 / 3 at low energy to 1e-3."""
    for k in (1e-3, 1e-2, 0.1, 1.0, 100.0):
        e0 = 1.0 / (1.0 + 2.0 * k / M_E)
        num = integrate.quad(lambda e: compton.klein_nishina_dsde(k, e), e0, 1.0, epsabs=0, epsrel=1e-11, limit=200)[0]
        assert compton.klein_nishina_total(k) == pytest.approx(num, rel=1e-8)
        assert compton.klein_nishina_total_np(k) == pytest.approx(num, rel=1e-8)
    assert compton.klein_nishina_total(1e-9) == pytest.approx(8 * math.pi / 3 * 2.8179403262e-15**2, rel=1e-3)


@pytest.mark.parametrize("name", MATERIALS)
def test_pair_cross_section_complete_screening_and_urban(name):
    """[Tsai] eq. 3.84 integrated: sigma -> 4 alpha r_e^2 {7/9 [Z^2 (L_rad - f) + Z L'_rad] - (Z^2+Z)/54},
    checked at 10 TeV to 0.2% (residual screening); it is (7/9) A/(X0 N_A) less the 1/54
    term (1-2%). Urban's fit (the total used below 80 GeV, stated to describe the data to
    ~5%) agrees with the Tsai integral to 6% from 0.1 to 80 GeV (measured: Fe, Cu, W within
    2.4%, C 5.0%, Be 5.2%, the light elements low at the top of the range)."""
    m = shower_medium(name)
    cs = pair.complete_screening_pair_total(m.Z, m.lrad, m.lprad, m.coulomb)
    assert pair.pair_total_tsai(1e4, m.atom)[0] == pytest.approx(cs, rel=2e-3)
    seven_ninths = 7.0 / 9.0 * m.A / (m.material.radiation_length * 6.02214076e23) * 1e-4  # m^2
    assert cs == pytest.approx(seven_ninths, rel=0.03)
    k = np.geomspace(0.1, 80.0, 12)
    assert np.allclose(pair.pair_total_urban(k, m.Z), pair.pair_total_tsai(k, m.atom), rtol=0.06, atol=0)
    # the cascade's total is continuous at the 80 GeV join and tends to the Tsai shape above
    tot = pair.pair_total(np.array([79.999, 80.001, 1e4]), m.atom)
    assert tot[0] == pytest.approx(tot[1], rel=1e-4)
    assert tot[2] == pytest.approx(cs, rel=0.05)


def test_pair_kernel_matches_numpy_and_integrates():
    m = shower_medium("Fe")
    rng = np.random.default_rng(3)
    for k in (2e-3, 0.03, 1.0, 300.0):
        x = rng.random(20)
        assert np.allclose([pair.pair_dsdx(k, xi, m.atom) for xi in x], pair.pair_dsdx_np(k, x, m.atom), rtol=1e-13, atol=0)
        num = integrate.quad(lambda t: pair.pair_dsdx_np(k, t, m.atom), M_E / k, 1 - M_E / k, limit=400, epsrel=1e-9)[0]
        assert pair.pair_total_tsai(k, m.atom)[0] == pytest.approx(num, rel=1e-4)


@pytest.mark.parametrize("name", MATERIALS)
def test_bremsstrahlung_complete_screening_closed_forms(name):
    """[Tsai] eq. 3.83 integrated in closed form: photons above k_c = 1 GeV from a 10 TeV
    electron to 1% (screening is complete except at the endpoint), and the radiative loss
    int k dsigma/dk n_atoms = (E/X0)[1 + (Z^2+Z)/(18 (Z^2 (L_rad - f) + Z L'_rad))] to 1%."""
    m = shower_medium(name)
    E = 1e4
    num = bremsstrahlung.brems_total_above(E, 1.0, m.atom)[0]
    ref = bremsstrahlung.complete_screening_total_above(E, 1.0, m.Z, m.lrad, m.lprad, m.coulomb)
    assert num == pytest.approx(ref, rel=0.01)
    loss = m.n_atoms * bremsstrahlung.brems_loss_below(E, 2 * E, m.atom)[0]
    big = m.Z**2 * (m.lrad - m.coulomb) + m.Z * m.lprad
    assert loss == pytest.approx(E / m.X0 * (1 + (m.Z**2 + m.Z) / (18 * big)), rel=0.01)


def test_brems_kernel_matches_numpy():
    m = shower_medium("W")
    rng = np.random.default_rng(4)
    for E in (0.003, 0.04, 0.2, 50.0):
        k = rng.random(20) * (E - M_E)
        ref = bremsstrahlung.brems_dsdk_np(E, k, m.atom)
        assert np.allclose([bremsstrahlung.brems_dsdk(E, ki, m.atom) for ki in k], ref, rtol=1e-13, atol=0)


def test_ionisation_closed_forms():
    """[ICRU37] restricted Berger-Seltzer forms at Delta = T_max equal the unrestricted
    stopping powers to 1e-12; Moller [Moller] and Bhabha [Bhabha] totals equal the
    numerical integrals of their differential cross sections to 1e-8."""
    m = shower_medium("Fe")
    T = np.geomspace(2e-3, 100.0, 9)
    tau = T / M_E
    b2 = 1 - 1 / (tau + 1) ** 2
    delta = density_effect(np.sqrt(tau * (tau + 2)), m.material.ionisation, m.density_ratio)
    K = 2 * math.pi * 2.8179403262e-15**2 * M_E * m.n_electrons / b2
    eexc = m.mean_excitation / M_E
    Fm = 1 - b2 + (tau**2 / 8 - (2 * tau + 1) * math.log(2)) / (tau + 1) ** 2
    Fp = 2 * math.log(2) - b2 / 12 * (23 + 14 / (tau + 2) + 10 / (tau + 2) ** 2 + 4 / (tau + 2) ** 3)
    for F, pos in ((Fm, False), (Fp, True)):
        ref = K * (np.log(tau**2 * (tau + 2) / (2 * eexc**2)) + F - delta)
        assert np.allclose(m.dedx_collision(T, np.inf, pos), ref, rtol=1e-12, atol=0)
        assert np.all(m.dedx_collision(T, 1e-3, pos) <= ref * (1 + 1e-12))
    cut = 1e-3
    for t in (3e-3, 0.05, 2.0, 80.0):
        nm = integrate.quad(lambda e: ionisation.moller_dsde(t, e), cut / t, 0.5, epsrel=1e-11, limit=200)[0]
        nb = integrate.quad(lambda e: ionisation.bhabha_dsde(t, e), cut / t, 1.0, epsrel=1e-11, limit=200)[0]
        assert ionisation.moller_total(t, cut) == pytest.approx(nm, rel=1e-8)
        assert ionisation.bhabha_total(t, cut) == pytest.approx(nb, rel=1e-8)


def test_heitler_total_against_integral():
    """[Heitler] closed form = integral of d sigma/d eps over [eps1, eps2] to 1e-8."""
    for T in (1e-3, 0.02, 1.0, 50.0):
        g = T / M_E + 1
        r = 0.5 * math.sqrt((g - 1) / (g + 1))
        num = integrate.quad(lambda e: annihilation.heitler_dsde(T, e), 0.5 - r, 0.5 + r, epsrel=1e-11, limit=200)[0]
        assert annihilation.heitler_total(T) == pytest.approx(num, rel=1e-8)


def test_tables_interpolate_the_direct_formulas():
    """Tables on 40 points/decade, linear in ln E: within 0.5% of the direct formulas."""
    t = physics_tables("Fe")
    m = t.medium
    E = np.geomspace(2e-3, 500.0, 37) * 1.013
    assert np.allclose(t.interp(PAIR, E), m.n_atoms * pair.pair_total(E, m.atom), rtol=5e-3, atol=0)
    assert np.allclose(t.interp(COMPTON, E), m.n_electrons * compton.klein_nishina_total_np(E), rtol=5e-3, atol=0)
    Eb = E[E > 3e-3]
    assert np.allclose(t.interp(BREM, Eb), m.n_atoms * bremsstrahlung.brems_total_above(Eb + M_E, 1e-3, m.atom), rtol=5e-3, atol=0)
    # the range table is the integral of 1/dEdx
    lx = np.linspace(math.log(0.01), 0.0, 20001)
    r = np.trapezoid(np.exp(lx) / t.interp(DEDX_E, np.exp(lx)), lx)
    assert t.interp(RANGE_E, 1.0) - t.interp(RANGE_E, 0.01) == pytest.approx(r, rel=2e-3)


# ----------------------------------------------------------------------------------
# samplers against their differential cross sections (KS tests)


def _ks(sample, pdf, lo, hi, log=False):
    x = np.geomspace(lo, hi, 4001) if log else np.linspace(lo, hi, 4001)
    f = pdf(x)
    cdf = np.concatenate(([0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(x))))
    cdf /= cdf[-1]
    return stats.kstest(sample, lambda s: np.interp(s, x, cdf)).pvalue


def test_samplers_follow_their_cross_sections():
    """KS tests (20000 draws, p > 1e-3) of every final-state sampler against the numerical
    CDF of its differential cross section."""
    rng = np.random.default_rng(12)
    m = shower_medium("Fe")
    n = 20000
    k = 0.2
    e0 = 1 / (1 + 2 * k / M_E)
    assert _ks(draw("compton", k, n, rng), lambda e: compton.klein_nishina_dsde(k, e), e0, 1.0) > 1e-3
    for kk in (0.01, 5.0):
        x = draw("pair", kk, n, rng, m.atom)
        assert _ks(x, lambda t: pair.pair_dsdx_np(kk, t, m.atom), M_E / kk, 1 - M_E / kk) > 1e-3
    for E in (0.05, 20.0):
        kb = draw("brems", E, n, rng, m.atom, cut=1e-3)
        assert _ks(kb, lambda q: bremsstrahlung.brems_dsdk_np(E, q, m.atom), 1e-3, E - M_E, log=True) > 1e-3
    T = 0.5
    assert _ks(draw("moller", T, n, rng, cut=1e-3), lambda t: ionisation.moller_dsde(T, t / T), 1e-3, T / 2, log=True) > 1e-3
    assert _ks(draw("bhabha", T, n, rng, cut=1e-3), lambda t: ionisation.bhabha_dsde(T, t / T), 1e-3, T, log=True) > 1e-3
    g = T / M_E + 1
    r = 0.5 * math.sqrt((g - 1) / (g + 1))
    eps = draw("annihilation", T, n, rng)
    assert _ks(eps, lambda e: annihilation.heitler_dsde(T, e), 0.5 - r, 0.5 + r) > 1e-3
    # Urban's angular variable: mixture of u e^-au with a = 0.625 and 3a (GEANT3 PHYS211)
    a = 0.625
    u = draw("urban", 0.0, n, rng)
    assert _ks(u, lambda x: 0.25 * a * a * x * np.exp(-a * x) + 0.75 * 9 * a * a * x * np.exp(-3 * a * x), 0.0, 60.0) > 1e-3


# ----------------------------------------------------------------------------------
# showers in iron: Rossi and PDG references


_FE_SAMPLES = {1.0: 200, 10.0: 30, 100.0: 8}


@pytest.fixture(scope="module")
def iron_showers():
    m = shower_medium("Fe")
    out = {}
    for i, part in enumerate(("gamma", "e-")):
        for j, (E, n) in enumerate(_FE_SAMPLES.items()):
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(77, spawn_key=(i, j))))
            out[part, E] = simulate_single("Fe", part, E, n, rng, depth_dz=0.2 * m.X0, n_depth=200,
                                           binning=Binning(e_lo=1e-3, e_hi=200.0, per_decade=10))
    return m, out


def test_energy_is_conserved_in_every_shower(iron_showers):
    """deposited + escaped + below-cut = primary energy, per shower, to 1e-9 (we get ~1e-14).
    In the infinite medium nothing escapes."""
    _, res = iron_showers
    for r in res.values():
        assert np.max(np.abs(r.ledger.sum(axis=1) - r.budget) / r.budget) < 1e-9
        assert np.all(r.ledger[:, 1] == 0.0)
        assert r.depth.sum() == pytest.approx((r.ledger[:, 0] + r.ledger[:, 2]).sum(), rel=0.02)  # 40 X0 of depth


def test_total_charged_track_length_approximation_b(iron_showers):
    """[Rossi] approximation B (PDG "Electromagnetic cascades"): total charged track length
    X0 E0/E_c. Approximation B tracks electrons to zero energy with a constant loss E_c/X0;
    here electrons stop at 1 MeV (leaving 22% of E0 below the cut) and the restricted loss
    (delta rays above 1 MeV are tracks of their own) lies 5-15% below E_c/X0 between 1 MeV and
    E_c: so we require 0.7 < T / (X0 E0/E_c) < 1.0 (measured 0.853), and the proportionality
    to E0 that approximation B predicts: the ratio equal at 1, 10, 100 GeV for photons and
    electrons within 3% (the mean of each sample is known to 0.1%)."""
    m, res = iron_showers
    ec = m.critical_energy()
    ratios = []
    for (_part, E), r in res.items():
        T = r.tracklen[:, 1:].sum(axis=1).mean()
        ratios.append(T / rossi.approximation_b_total_charged(E, m.X0, ec))
    ratios = np.array(ratios)
    assert np.all((ratios > 0.7) & (ratios < 1.0)), ratios
    assert np.ptp(ratios) / ratios.mean() < 0.03, ratios


def _gamma_fit(prof, dz_x0):
    t = (np.arange(prof.size) + 0.5) * dz_x0

    def g(t, a, b, N):
        return N * np.exp((a - 1) * np.log(b * t) - b * t + np.log(b) - gammaln(a))

    (a, b, N), _ = curve_fit(g, t, prof, p0=(3.0, 0.5, 1.0), bounds=([1.01, 0.05, 0.5], [30, 3, 1.5]))
    return (a - 1) / b, b


def _gamma_fit_tmax(r, dz_x0):
    """t_max = (a-1)/b and b of a gamma-distribution fit to the mean deposition profile."""
    n = r.ledger.shape[0]
    return _gamma_fit(r.depth / (dz_x0 * n * r.budget[0]), dz_x0)


@pytest.mark.parametrize("part", ["gamma", "e-"])
def test_longitudinal_maximum_pdg(iron_showers, part):
    """[PDG] "Electromagnetic cascades": t_max = ln(E0/E_c) + C, C = -0.5 (e), +0.5 (gamma),
    from gamma-distribution fits to EGS4 showers; our t_max from the same fit to the mean
    deposition profile. Tolerance 0.7 X0 plus twice the statistical error: the formula's C
    is a rounded constant (for a photon the first conversion adds 9/7 X0 less the ln 2 of
    the halved energy, C_gamma - C_e ~ 0.6-0.8 rather than 1; we measure -0.5 X0 for 1 GeV
    photons). Statistical error of the mean of n showers: 1.3 X0 / sqrt(n), 1.3 X0 being the
    spread of a photon's first conversion depth (exponential, mean 9/7 X0), the largest
    single contribution to the scatter of a shower's maximum. PDG's b ~ 0.5 for iron:
    fitted b within [0.4, 0.7]."""
    m, res = iron_showers
    ec = m.critical_energy()
    for E, n in _FE_SAMPLES.items():
        tmax, b = _gamma_fit_tmax(res[part, E], 0.2)
        assert tmax == pytest.approx(rossi.pdg_t_max(E, ec, part), abs=0.7 + 2.0 * 1.3 / math.sqrt(n)), (E, tmax)
        assert 0.4 < b < 0.7


def test_track_length_spectra_approximation_a_and_b(iron_showers):
    """[Rossi] for E_c << E << E0 approximation B reduces to A: L_gamma = 0.572 X0 E0/k^2,
    L_e+- = 0.437 X0 E0/E^2, L_e+ = 0.219 X0 E0/E^2 (docs/physics.md#electromagnetic-showers). Window 1-10 GeV for
    E0 = 100 GeV (E > 45 E_c: B's ionisation correction ~ E_c/E < 3%; screening of the
    pair and brems cross sections complete to 5% above 1 GeV). Tolerance 12% for photons and
    e+-, 20% for e+ alone (8 showers per primary type, 1-sigma ~ 4-6%); both primary types."""
    m, res = iron_showers
    b = res["gamma", 100.0].binning
    e = b.energy_edges
    sel = (e[:-1] >= 1.0 - 1e-9) & (e[1:] <= 10.0 + 1e-9)
    for part in ("gamma", "e-"):
        r = res[part, 100.0]
        L = r.track_length.sum(axis=2)[:, sel].sum(axis=1) / r.weights.sum()
        ref = {s: rossi.approximation_a_integral(s, 100.0, 1.0, 10.0, m.X0) for s in rossi.APPROX_A}
        assert L[0] == pytest.approx(ref["gamma"], rel=0.12)
        assert L[1] + L[2] == pytest.approx(ref["e+-"], rel=0.12)
        assert L[2] == pytest.approx(ref["e+"], rel=0.20)
    # below E_c the e+- spectrum falls under approximation A (ionisation, approximation B's cut-off)
    r = res["e-", 10.0]
    sp = r.energy_spectrum()
    ec_bin = np.searchsorted(e, m.critical_energy()) - 1
    lo = np.searchsorted(e, 2e-3)
    ratio = (sp[1] + sp[2]) / rossi.approximation_a("e+-", 10.0, np.sqrt(e[1:] * e[:-1]), m.X0)
    assert ratio[lo] < 0.2 * ratio[ec_bin + 10]


def test_reproducible_with_a_seed():
    a = simulate_single("Cu", "e-", 2.0, 5, np.random.default_rng(9))
    b = simulate_single("Cu", "e-", 2.0, 5, np.random.default_rng(9))
    c = simulate_single("Cu", "e-", 2.0, 5, np.random.default_rng(10))
    assert np.array_equal(a.track_length, b.track_length) and np.array_equal(a.ledger, b.ledger)
    assert not np.array_equal(a.track_length, c.track_length)


@pytest.mark.parametrize("name", MATERIALS)
def test_every_material_showers_and_conserves_energy(name):
    """A 0.5 GeV photon in each material: ledger sums to the primary to 1e-9; photon track
    length at high energy ~ 9/7 X0 / (Urban/asymptotic) for the first conversion (> 0.9 X0)."""
    r = simulate_single(name, "gamma", 0.5, 200, np.random.default_rng(1))
    assert np.max(np.abs(r.ledger.sum(axis=1) - r.budget) / r.budget) < 1e-9
    m = shower_medium(name)
    e = r.binning.energy_edges
    top = r.track_length[0, np.searchsorted(e, 0.5) - 1].sum() / 200
    assert 0.9 * m.X0 < top < 2.5 * m.X0


def test_finite_geometry_escape_and_positrons():
    """A thin box: energy escapes, the ledger still closes; with a 0.1 MeV photon cut the
    annihilation photons at rest are tracked (more photon track length, same energy)."""
    geo = box((0, 0, 0.05), (0.02, 0.02, 0.05))
    r = run_showers("Fe", 0, np.full(30, 1.0), (0, 0, 0.0), (0, 0, 1), 1.0, np.random.default_rng(2), geometry=geo)
    assert np.max(np.abs(r.ledger.sum(axis=1) - r.budget) / r.budget) < 1e-9
    assert r.ledger[:, 1].mean() > 0.3
    s = ShowerSettings(cut_g=1e-4)
    r2 = simulate_single("Fe", "e+", 0.05, 50, np.random.default_rng(3), settings=s)
    assert np.max(np.abs(r2.ledger.sum(axis=1) - r2.budget) / r2.budget) < 1e-9
    assert r2.counters["positron_stops"] > 0


# ----------------------------------------------------------------------------------
# per-POT tables


def test_meson_photons_conserve_the_meson_momentum():
    rng = np.random.default_rng(5)
    e, pos, d, w, info = meson_photons("bnb_dump", 111, 500, rng)
    assert e.size == 1000 and np.allclose(np.linalg.norm(d, axis=1), 1.0)
    p = e[:, None] * d
    pm = p[0::2] + p[1::2]
    em = e[0::2] + e[1::2]
    m2 = em**2 - (pm**2).sum(axis=1)
    from fipgen import constants as C

    assert np.allclose(np.sqrt(m2), C.mass(111), rtol=1e-6, atol=0)
    assert w.sum() == pytest.approx(2 * info["per_pot"] * info["br_gamma_gamma"], rel=1e-12)
    assert np.all(pos[0::2] == pos[1::2])


@pytest.mark.parametrize("beamline", shower_table_beamlines())
def test_shipped_tables_are_well_formed(beamline):
    """Header (version, settings, sizes, POT normalisation, binning, energy check) and the
    energy check sum(E x w) <= E_beam per POT (docs/physics.md#electromagnetic-showers); ledger closes to 1e-9; the
    continuous loss rebuilt from the table (dE/dx x track length) within 1% of the scored."""
    name = f"shower_{beamline}.npz"
    assert len(data_dir("fluxes").joinpath(name).read_bytes()) < 5e6
    t = load_shower_table(beamline)
    h = t.header
    for key in ("table_version", "generator", "date", "seed", "settings", "binning", "sources", "energy_check", "target"):
        assert key in h
    assert h["settings"] == ShowerSettings().as_dict()
    chk = h["energy_check"]
    assert chk["seed_energy_le_beam_energy"] and chk["seed_energy_per_pot_GeV"] <= chk["beam_energy_GeV"]
    assert chk["ledger_sum_over_seed"] == pytest.approx(1.0, abs=1e-9)
    assert chk["table_over_scored_continuous_loss"] == pytest.approx(1.0, abs=0.01)
    for sp in ("gamma", "eminus", "eplus"):
        d = t.density(sp)
        assert d.shape == (t.energy_edges.size - 1, t.theta_edges.size - 1)
        assert np.all(np.isfinite(d)) and np.all(d >= 0) and d.sum() > 0
        assert np.all(t.error(sp) >= 0)
        dcos = np.cos(t.theta_edges[:-1]) - np.cos(t.theta_edges[1:])
        for src in h["sources"]:
            b = t.arrays[f"batch_{sp}_{src}"].astype(np.float64)
            assert b.shape == (h["sources"][src]["batches"], t.energy_edges.size - 1)
            integ = (t.density(sp, src) * dcos[None, :]).sum(axis=1)
            assert np.allclose(b.mean(axis=0), integ, rtol=1e-4, atol=1e-6 * integ.max())
        assert 0 < t.track_length_error(sp) < 0.05 * t.track_length(sp)
        tl = sum(h["sources"][s]["track_length_per_pot_m"][sp] for s in h["sources"])
        assert t.track_length(sp) == pytest.approx(tl, rel=1e-5)


def _script():
    spec = importlib.util.spec_from_file_location("make_shower_tables", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_quick_regeneration_matches_shipped_table(tmp_path):
    """scripts/make_shower_tables.py --quick for the MiniBooNE dump; per species and source,
    the track length in each decade of energy agrees with the shipped table within 4
    combined standard deviations (errors from the independent batches of both tables)."""
    mod = _script()
    assert mod.main(["--quick", "--out", str(tmp_path), "--beamlines", "bnb_dump"]) == 0
    q = load_shower_table("bnb_dump", tmp_path)
    s = load_shower_table("bnb_dump")
    assert q.header["settings"] == s.header["settings"] and q.header["binning"] == s.header["binning"]
    assert q.header["sources"]["pi0"]["mesons_sampled"] < s.header["sources"]["pi0"]["mesons_sampled"]
    for src in ("pi0", "eta"):
        for sp in ("gamma", "eminus", "eplus"):
            for lo, hi in ((1e-3, 1e-2), (1e-2, 1e-1), (1e-1, 1.0), (1.0, 10.0)):
                a, b = q.track_length(sp, src, lo, hi), s.track_length(sp, src, lo, hi)
                ea, eb = q.track_length_error(sp, src, lo, hi), s.track_length_error(sp, src, lo, hi)
                assert abs(a - b) <= 4 * math.hypot(ea, eb), (src, sp, lo, a, b, ea, eb)

"""Compounds and mixtures in the electromagnetic-shower Monte Carlo (fipgen.shower).

Every test states its reference and tolerance. References:
[Tsai]  Y.-S. Tsai, Rev. Mod. Phys. 46 (1974) 815 (cross sections per atom of one Z; X0 eq. 3.66).
[PDG]   Particle Data Group, RPP, "Passage of particles through matter": radiation length of
        a mixture or compound ``1/X0 = sum_j w_j / X0_j`` (w_j mass fractions); critical energy;
        "Electromagnetic cascades" (t_max, approximation B).
[PDG-AN] PDG "Atomic and Nuclear Properties of Materials" (pdg.lbl.gov/2024/AtomicNuclearProperties),
        one page per material: the X0 values below, as geometries/materials.toml has them.
[ESTAR] M. J. Berger, J. S. Coursey, M. A. Zucker, J. Chang, "ESTAR: Stopping Powers and Range
        Tables for Electrons", NIST Standard Reference Database 124 (ICRU Report 37 methods):
        unrestricted collision stopping powers, MeV cm^2/g.
[Rossi] B. Rossi, High-Energy Particles (1952); approximations A and B (fipgen.shower.rossi).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import curve_fit
from scipy.special import gammaln

from fipgen.errors import PhysicsError
from fipgen.geometry.materials import AVOGADRO, get_material, material_names
from fipgen.geometry.stopping import density_effect
from fipgen.shower import Binning, rossi, run_showers, shower_materials, shower_medium, simulate_single
from fipgen.shower import bremsstrahlung, pair, screening
from fipgen.shower.constants import M_E, R_E
from fipgen.shower.geometry import box
from fipgen.shower.ionisation import restricted_dedx
from fipgen.shower.sampling import draw, draw_in_medium
from fipgen.shower.tables import BREM, DEDX_E, DEDX_P, PAIR, physics_tables

COMPOUNDS = ("H2O", "concrete", "air", "CH2")

#: [PDG-AN] radiation lengths, g/cm^2, with the page each is from.
PDG_X0 = {
    "H2O": (36.08, "Water (liquid)"),
    "concrete": (26.57, "Shielding concrete"),
    "air": (36.62, "Air (dry, 1 atm)"),
    "CH2": (44.77, "Polyethylene"),
}


def _composition(name):
    """(n_j per m^3, Z_j, A_j, w_j) of each element, from the material table's composition
    (independent of fipgen.shower.media)."""
    mat = get_material(name)
    za = {sym: (Z, A) for sym, Z, A in mat.elements}
    out = []
    for sym, w in mat.composition:
        Z, A = za[sym]
        out.append((mat.density * 1e6 * AVOGADRO * w / A, Z, A, w))
    return out


def _atom(Z):
    """Tsai's atom vector of element Z, built here from the screening module's L_rad, L'_rad, f(Z)."""
    lrad, lprad = screening.radiation_logarithms(Z)
    f = screening.coulomb_correction(Z)
    return np.array([Z, Z ** (1 / 3), Z ** (2 / 3), 4 * lrad - screening.PHI1_0, 4 * lprad - screening.PSI1_0, f])


# ----------------------------------------------------------------------------------
# media


def test_every_material_is_a_shower_medium():
    """shower_materials() lists the whole material table; each medium's components are its
    composition, with number densities summing to the nuclei and (times Z) electron
    densities of the table to 1e-12; the per-element Tsai quantities of a compound are
    asked of its components, not of the compound."""
    assert shower_materials() == material_names()
    for name in shower_materials():
        m = shower_medium(name)
        comp = _composition(name)
        assert [c.symbol for c in m.components] == [s for s, _ in m.material.composition]
        assert m.atoms.shape == (len(comp), 6)
        assert sum(c.n_atoms for c in m.components) == pytest.approx(m.n_atoms, rel=1e-12)
        assert sum(c.n_atoms * c.Z for c in m.components) == pytest.approx(m.n_electrons, rel=1e-12)
        for c, (n, Z, _A, w) in zip(m.components, comp):
            assert c.n_atoms == pytest.approx(n, rel=1e-14) and c.Z == Z and c.mass_fraction == w
            assert np.allclose(c.atom, _atom(Z), rtol=1e-15, atol=0)
    with pytest.raises(PhysicsError, match="compound"):
        _ = shower_medium("H2O").atom
    assert shower_medium("Fe").atom is shower_medium("Fe").components[0].atom


# ----------------------------------------------------------------------------------
# (a) macroscopic cross sections


@pytest.mark.parametrize("name", COMPOUNDS)
def test_macroscopic_cross_sections_are_composition_sums(name):
    """[Tsai] cross sections are per atom of one Z, so a compound's pair and bremsstrahlung
    macroscopic cross sections are sum_j n_j sigma_j(Z_j), and so is its radiative loss.
    The tables (PAIR, BREM, the per-element rows and the radiative part of DEDX_E/P) equal
    this sum computed here from the composition and the per-element functions, to 1e-12
    on the grid; between grid points the interpolation stays within 0.5% (as for elements).
    An effective-Z medium would fail: one Tsai atom of Z = <Z/A> A_eff misses the Z^2
    weighting (water: the pair cross section at 1 GeV differs by > 10%)."""
    t = physics_tables(name)
    comp = _composition(name)
    E = t.energies
    pair_j = np.array([n * pair.pair_total(E, _atom(Z)) for n, Z, _, _ in comp])
    brem_j = np.array([n * bremsstrahlung.brems_total_above(E + M_E, t.cut_g, _atom(Z)) for n, Z, _, _ in comp])
    assert np.allclose(t.tab[PAIR], pair_j.sum(axis=0), rtol=1e-12, atol=0)
    assert np.allclose(t.tab[BREM], brem_j.sum(axis=0), rtol=1e-12, atol=0)
    assert np.allclose(t.tab[t.element_rows(PAIR)], pair_j, rtol=1e-12, atol=0)
    assert np.allclose(t.tab[t.element_rows(BREM)], brem_j, rtol=1e-12, atol=0)
    rad = sum(n * bremsstrahlung.brems_loss_below(E + M_E, t.cut_g, _atom(Z)) for n, Z, _, _ in comp)
    for row, pos in ((DEDX_E, False), (DEDX_P, True)):
        assert np.allclose(t.tab[row] - t.medium.dedx_collision(E, t.cut_e, pos), rad, rtol=1e-9, atol=1e-12 * t.tab[row].max())
    Eoff = np.geomspace(3e-3, 500.0, 23) * 1.013
    ref = sum(n * pair.pair_total(Eoff, _atom(Z)) for n, Z, _, _ in comp)
    assert np.allclose(t.interp(PAIR, Eoff), ref, rtol=5e-3, atol=0)
    if name == "H2O":
        m = t.medium
        z_eff = int(round(m.Z))
        assert abs(m.n_atoms * pair.pair_total(1.0, _atom(z_eff))[0] / t.interp(PAIR, 1.0) - 1) > 0.1


# ----------------------------------------------------------------------------------
# (b) radiation length


@pytest.mark.parametrize("name", COMPOUNDS)
def test_tsai_radiation_length_of_compounds_matches_pdg(name):
    """[Tsai] eq. 3.66 per element, combined as [PDG] 1/X0 = sum_j w_j / X0_j, reproduces the
    [PDG-AN] X0 of water 36.08, shielding concrete 26.57, air 36.62 and polyethylene 44.77
    g/cm^2 to 1e-3, the tolerance of the single-element test (tests/test_shower.py;
    measured: +6.1e-5, +3.9e-5, -1.0e-4, +9.1e-5). ShowerMedium.tsai_radiation_length() is
    the same sum (to 1e-12), in metres."""
    x0_pdg, _page = PDG_X0[name]
    mat = get_material(name)
    assert mat.radiation_length == x0_pdg  # the table still holds the PDG value quoted here
    inv = sum(w / screening.tsai_radiation_length(Z, A) for _, Z, A, w in _composition(name))
    assert 1.0 / inv == pytest.approx(x0_pdg, rel=1e-3)
    m = shower_medium(name)
    assert m.tsai_radiation_length() == pytest.approx(1.0 / inv / mat.density * 1e-2, rel=1e-12)
    assert m.X0 == pytest.approx(x0_pdg / mat.density * 1e-2, rel=1e-12)  # multiple scattering uses the PDG X0


# ----------------------------------------------------------------------------------
# (c) collision stopping power

#: [ESTAR] unrestricted collision stopping powers, MeV cm^2/g, at T = 0.1, 1, 10, 100 MeV:
#: "Water, liquid" (ESTAR's I = 75.0 eV) and "Air, dry (near sea level)" (I = 85.7 eV).
ESTAR = {
    "H2O": (75.0, {0.1: 4.115, 1.0: 1.849, 10.0: 1.968, 100.0: 2.202}),
    "air": (85.7, {0.1: 3.633, 1.0: 1.661, 10.0: 1.979, 100.0: 2.417}),
}


def _mass_stopping(medium, T_mev, ionisation=None):
    """Unrestricted e- collision stopping power of the shower's formula, MeV cm^2/g."""
    ion = ionisation or medium.material.ionisation
    s = restricted_dedx(np.array([T_mev * 1e-3]), np.inf, medium.n_electrons, ion, medium.density_ratio, False)
    return float(np.atleast_1d(s)[0]) * 1e3 / (medium.material.density * 100.0)


def test_collision_stopping_power_against_estar():
    """[ESTAR] at 0.1, 1, 10, 100 MeV. Air: ESTAR uses our I = 85.7 eV; within 0.5% (ICRU 37
    estimates 1-2% above 100 keV; measured <= 0.1%). Water: ESTAR uses I = 75.0 eV, PDG and
    our table 79.7 eV; with ESTAR's I within 1% (measured <= 0.5%, at 1 MeV, where the
    Sternheimer fit of delta and ESTAR's own delta differ most); with our I lower by the
    I dependence, 2 ln(79.7/75)/L ~ 0.4-1.1%, so within 1.5% and below ESTAR everywhere."""
    m = shower_medium("air")
    I_estar, ref = ESTAR["air"]
    assert m.material.ionisation.I == I_estar
    for T, s in ref.items():
        assert _mass_stopping(m, T) == pytest.approx(s, rel=5e-3), T
    w = shower_medium("H2O")
    I_estar, ref = ESTAR["H2O"]
    ion75 = dataclasses.replace(w.material.ionisation, I=I_estar)
    for T, s in ref.items():
        assert _mass_stopping(w, T, ion75) == pytest.approx(s, rel=1e-2), T
        ours = _mass_stopping(w, T)
        assert ours == pytest.approx(s, rel=1.5e-2) and ours < s, T


@pytest.mark.parametrize("name", ["concrete", "CH2"])
def test_collision_stopping_power_of_compounds_is_icru37_with_the_table_i(name):
    """Consistency check, not a comparison with data (no ESTAR or PDG electron stopping
    powers of these materials could be verified; PDG's concrete page gives muon tables):
    the shower's e- and e+ collision stopping power of a compound is ICRU 37's unrestricted
    formula (written out here as in tests/test_shower.py) with the electron density
    rho N_A sum_j w_j Z_j/A_j of the composition, the material's own I (shielding concrete
    135.2 eV, PDG) and its Sternheimer parameters: Bragg additivity enters only through I,
    as in PDG's and ESTAR's compound tables. Agreement 1e-12."""
    m = shower_medium(name)
    mat = m.material
    n_e = sum(n * Z for n, Z, _, _ in _composition(name))
    T = np.geomspace(1e-4, 1.0, 9)
    tau = T / M_E
    b2 = 1 - 1 / (tau + 1) ** 2
    delta = density_effect(np.sqrt(tau * (tau + 2)), mat.ionisation, m.density_ratio)
    K = 2 * math.pi * R_E**2 * M_E * n_e / b2
    eexc = mat.ionisation.I * 1e-9 / M_E
    Fm = 1 - b2 + (tau**2 / 8 - (2 * tau + 1) * math.log(2)) / (tau + 1) ** 2
    Fp = 2 * math.log(2) - b2 / 12 * (23 + 14 / (tau + 2) + 10 / (tau + 2) ** 2 + 4 / (tau + 2) ** 3)
    for F, pos in ((Fm, False), (Fp, True)):
        ref = K * (np.log(tau**2 * (tau + 2) / (2 * eexc**2)) + F - delta)
        assert np.allclose(m.dedx_collision(T, np.inf, pos), ref, rtol=1e-12, atol=0)


# ----------------------------------------------------------------------------------
# (e) the element of an interaction


@pytest.mark.parametrize("name", ["H2O", "concrete"])
def test_element_choice_follows_n_sigma(name):
    """The cascade's own samplers (transport.sample_pair_in_medium / sample_brems_in_medium,
    driven by sampling.draw_in_medium) pick element j with probability n_j sigma_j(E) / sum:
    chi-square test of 100000 draws (p > 1e-3) against n_j sigma_j computed here from the
    composition and the per-element cross sections, for pair production at 12.3 MeV, 1.07
    and 104 GeV and bremsstrahlung at 53 MeV and 5.3 GeV (off the table grid). The test has
    power: the hypothesis 'in proportion to the atoms' n_j alone is rejected (p < 1e-10)."""
    t = physics_tables(name)
    comp = _composition(name)
    rng = np.random.default_rng(2024)
    n = 100_000
    cases = [("pair", k) for k in (0.0123, 1.07, 104.0)] + [("brems", T) for T in (0.053, 5.3)]
    for proc, E in cases:
        if proc == "pair":
            s = np.array([nj * pair.pair_total(E, _atom(Z))[0] for nj, Z, _, _ in comp])
        else:
            s = np.array([nj * bremsstrahlung.brems_total_above(E + M_E, t.cut_g, _atom(Z))[0] for nj, Z, _, _ in comp])
        j, _ = draw_in_medium(t, proc, E, n, rng)
        counts = np.bincount(j, minlength=len(comp))
        assert counts.sum() == n and counts.size == len(comp)
        expected = n * s / s.sum()
        assert expected.min() > 20  # chi-square applies
        assert stats.chisquare(counts, expected).pvalue > 1e-3, (proc, E, counts, expected)
        by_atoms = np.array([nj for nj, _, _, _ in comp])
        assert stats.chisquare(counts, n * by_atoms / by_atoms.sum()).pvalue < 1e-10


def test_final_state_in_a_mixture_and_elements_draw_nothing_extra():
    """In water the positron fraction x of pair conversions at 30 MeV follows the mixture's
    sum_j n_j d sigma_j/dx and the bremsstrahlung photon energies of 1 GeV electrons sum_j
    n_j d sigma_j/dk (KS tests, 40000 draws, p > 1e-3). For an element the element choice
    draws no random number: the cascade's samplers give exactly the per-atom samplers'
    values from the same seed (single-element showers are unchanged by compounds)."""
    t = physics_tables("H2O")
    comp = _composition("H2O")
    rng = np.random.default_rng(5)
    k = 0.03
    _, x = draw_in_medium(t, "pair", k, 40_000, rng)
    xs = np.linspace(M_E / k, 1 - M_E / k, 4001)
    f = sum(n * pair.pair_dsdx_np(k, xs, _atom(Z)) for n, Z, _, _ in comp)
    cdf = np.concatenate(([0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(xs))))
    assert stats.kstest(x, lambda s: np.interp(s, xs, cdf / cdf[-1])).pvalue > 1e-3
    T = 1.0
    _, kb = draw_in_medium(t, "brems", T, 40_000, rng)
    ks = np.geomspace(t.cut_g, T, 4001)
    f = sum(n * bremsstrahlung.brems_dsdk_np(T + M_E, ks, _atom(Z)) for n, Z, _, _ in comp)
    cdf = np.concatenate(([0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(ks))))
    assert stats.kstest(kb, lambda s: np.interp(s, ks, cdf / cdf[-1])).pvalue > 1e-3
    fe = physics_tables("Fe")
    j, x1 = draw_in_medium(fe, "pair", 0.7, 500, np.random.default_rng(8))
    x2 = draw("pair", 0.7, 500, np.random.default_rng(8), fe.medium.atom)
    assert np.all(j == 0) and np.array_equal(x1, x2)
    j, k1 = draw_in_medium(fe, "brems", 0.7, 500, np.random.default_rng(8))
    k2 = draw("brems", 0.7 + M_E, 500, np.random.default_rng(8), fe.medium.atom, cut=fe.cut_g)
    assert np.all(j == 0) and np.array_equal(k1, k2)


# ----------------------------------------------------------------------------------
# (d) showers in water: Rossi and PDG references, as tests/test_shower.py does for iron


_WATER_SAMPLES = {1.0: 200, 10.0: 30, 100.0: 8}


@pytest.fixture(scope="module")
def water_showers():
    m = shower_medium("H2O")
    out = {}
    for i, part in enumerate(("gamma", "e-")):
        for j, (E, n) in enumerate(_WATER_SAMPLES.items()):
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(78, spawn_key=(i, j))))
            out[part, E] = simulate_single("H2O", part, E, n, rng, depth_dz=0.2 * m.X0, n_depth=200,
                                           binning=Binning(e_lo=1e-3, e_hi=200.0, per_decade=10))
    return m, out


def test_water_total_track_length_approximation_b(water_showers):
    """[Rossi] approximation B: total charged track length X0 E0/E_c, with water's PDG X0
    (36.08 cm) and its Rossi critical energy (78.3 MeV from the water I and density effect).
    Approximation B tracks electrons to zero energy at the constant loss eps = E_c/X0; here
    a fraction f_cut of E0 ends below the 1 MeV cuts (from the ledger: 13% in water, 22% in
    iron) and the rest is lost continuously at the restricted dE/dx S of e- and e+ between
    the cut and E0. So T / (X0 E0/E_c) must lie in [(1 - f_cut) eps/S_max, (1 - f_cut)
    eps/S_min]: [1.015, 1.078] for water (measured 1.028); the same bracket for iron is
    [0.807, 0.930] around the 0.853 of tests/test_shower.py, whose fixed window 0.7-1.0
    encodes iron's f_cut and S/eps. As there, the ratio is the same at 1, 10 and 100 GeV
    for photons and electrons within 3% (approximation B: T proportional to E0). The
    energy ledger closes to 1e-9 per shower."""
    m, res = water_showers
    t = physics_tables("H2O")
    ec = m.critical_energy()
    assert ec * 1e3 == pytest.approx(78.3, abs=0.1)
    eps = ec / m.X0
    ratios = []
    for (_part, E), r in res.items():
        assert np.max(np.abs(r.ledger.sum(axis=1) - r.budget) / r.budget) < 1e-9
        f_cut = r.ledger[:, 2].sum() / r.budget.sum()
        Tg = np.geomspace(t.cut_e, E, 400)
        S = np.concatenate([t.interp(DEDX_E, Tg), t.interp(DEDX_P, Tg)])
        ratio = r.tracklen[:, 1:].sum(axis=1).mean() / rossi.approximation_b_total_charged(E, m.X0, ec)
        assert (1 - f_cut) * eps / S.max() < ratio < (1 - f_cut) * eps / S.min(), (E, ratio, f_cut)
        ratios.append(ratio)
    assert np.ptp(ratios) / np.mean(ratios) < 0.03, ratios


def _gamma_fit_tmax(r, dz_x0):
    """t_max = (a-1)/b of a gamma-distribution fit to the mean deposition profile (as tests/test_shower.py)."""
    prof = r.depth / (dz_x0 * r.ledger.shape[0] * r.budget[0])
    t = (np.arange(prof.size) + 0.5) * dz_x0

    def g(t, a, b, N):
        return N * np.exp((a - 1) * np.log(b * t) - b * t + np.log(b) - gammaln(a))

    (a, b, _N), _ = curve_fit(g, t, prof, p0=(3.0, 0.5, 1.0), bounds=([1.01, 0.05, 0.5], [30, 3, 1.5]))
    return (a - 1) / b


@pytest.mark.parametrize("part", ["gamma", "e-"])
def test_water_longitudinal_maximum_pdg(water_showers, part):
    """[PDG] t_max = ln(E0/E_c) + C (C = -0.5 e, +0.5 gamma) in radiation lengths, with water's
    X0 and E_c, from the gamma-distribution fit to the mean deposition profile; tolerance of
    the iron test, 0.7 X0 plus twice 1.3 X0/sqrt(n) (measured deviations -0.1 to -0.8 X0,
    the largest for 1 GeV photons, only 13 E_c, and for 100 GeV photons, 8 showers)."""
    m, res = water_showers
    ec = m.critical_energy()
    for E, n in _WATER_SAMPLES.items():
        tmax = _gamma_fit_tmax(res[part, E], 0.2)
        assert tmax == pytest.approx(rossi.pdg_t_max(E, ec, part), abs=0.7 + 2.0 * 1.3 / math.sqrt(n)), (E, tmax)


def test_water_track_length_spectra_approximation_a(water_showers):
    """[Rossi] approximation A, L_gamma = 0.572 X0 E0/k^2, L_e+- = 0.437 X0 E0/E^2, L_e+ = 0.219
    X0 E0/E^2 with water's X0, for E0 = 100 GeV between 1 and 10 GeV (E > 12 E_c: B's
    ionisation correction ~ E_c/E <= 8%); the iron test's tolerances, 12% for photons and
    e+-, 20% for e+ (measured: photons -9% / -3%, e+- -5% / 0%, e+ -1% / +3% for photon /
    electron primaries)."""
    m, res = water_showers
    e = res["gamma", 100.0].binning.energy_edges
    sel = (e[:-1] >= 1.0 - 1e-9) & (e[1:] <= 10.0 + 1e-9)
    assert e[sel.argmax()] == pytest.approx(1.0) and e[len(sel) - sel[::-1].argmax()] == pytest.approx(10.0)
    for part in ("gamma", "e-"):
        r = res[part, 100.0]
        L = r.track_length.sum(axis=2)[:, sel].sum(axis=1) / r.weights.sum()
        ref = {s: rossi.approximation_a_integral(s, 100.0, 1.0, 10.0, m.X0) for s in rossi.APPROX_A}
        assert L[0] == pytest.approx(ref["gamma"], rel=0.12)
        assert L[1] + L[2] == pytest.approx(ref["e+-"], rel=0.12)
        assert L[2] == pytest.approx(ref["e+"], rel=0.20)


# ----------------------------------------------------------------------------------
# every compound showers


@pytest.mark.parametrize("name", COMPOUNDS)
def test_every_compound_showers_and_conserves_energy(name):
    """A 0.5 GeV photon in each compound (as the single-element test): ledger closes to 1e-9;
    photon track length at 0.5 GeV between 0.9 and 2.5 X0 (first conversion ~ 9/7 X0).
    In a finite concrete box (as the hadron cascade will use it) energy escapes and the
    ledger still closes."""
    r = simulate_single(name, "gamma", 0.5, 100, np.random.default_rng(1))
    assert np.max(np.abs(r.ledger.sum(axis=1) - r.budget) / r.budget) < 1e-9
    m = shower_medium(name)
    e = r.binning.energy_edges
    top = r.track_length[0, np.searchsorted(e, 0.5) - 1].sum() / 100
    assert 0.9 * m.X0 < top < 2.5 * m.X0
    assert r.counters["pair"] > 0 and r.counters["brems"] > 0
    if name == "concrete":
        geo = box((0, 0, 0.3), (0.2, 0.2, 0.3))
        rb = run_showers(name, 0, np.full(20, 2.0), (0, 0, 0.0), (0, 0, 1), 1.0, np.random.default_rng(2), geometry=geo)
        assert np.max(np.abs(rb.ledger.sum(axis=1) - rb.budget) / rb.budget) < 1e-9
        assert 0.05 < rb.ledger[:, 1].mean() / 2.0 < 0.95

"""Stopping power from the one material table: minimum ionisation against the PDG tables,
the density effect's asymptote and continuity, the numba kernel against numpy, the
Sternheimer-Peierls rule, and the strict ``ionisation`` tables of materials.toml."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fipgen.errors import GeometryError
from fipgen.geometry.materials import TableReader, _parse_material, get_material, materials
from fipgen.geometry.stopping import (
    bethe_dedx,
    density_effect,
    density_effect_numpy,
    density_ratio,
    mean_excitation_energy,
    plasma_energy,
    sternheimer_peierls,
)

M_MU = 0.1056583745

# Minimum ionisation <-dE/dx>_min of muons, MeV cm^2/g: PDG "Atomic and nuclear properties
# of materials" (pdg.lbl.gov/2024/AtomicNuclearProperties; RPP 2024 Table 6.1), one page per
# material: (value, relative tolerance). 0.2 % where our material is the PDG one; 1 % where
# it is not: target graphite at 1.78 g/cm^3 against PDG graphite at 2.21 (less density
# effect: +0.6 %), mineral oil at 0.845 against polyethylene at 0.94 (+0.7 %), and water,
# whose PDG minimum (1.992) goes with I = 75.0 eV while the table's I is 79.7 eV (-0.6 %).
PDG_MIN_DEDX = {
    "Be": (1.595, 2e-3),
    "C": (1.742, 1e-2),
    "Al": (1.615, 2e-3),
    "Fe": (1.451, 2e-3),
    "Cu": (1.403, 2e-3),
    "W": (1.145, 2e-3),
    "Pb": (1.122, 2e-3),
    "LAr": (1.508, 2e-3),
    "CH2": (2.079, 1e-2),
    "air": (1.815, 2e-3),
    "He": (1.937, 2e-3),
    "concrete": (1.711, 2e-3),
    "H2O": (1.992, 1e-2),
}


def test_every_material_is_checked_and_has_ionisation_data():
    assert sorted(PDG_MIN_DEDX) == sorted(materials())
    for m in materials().values():
        ion = m.ionisation
        assert mean_excitation_energy(m) == ion.I and ion.mean_excitation_gev == pytest.approx(ion.I * 1e-9)
        assert ion.x1 > ion.x0 and ion.cbar > 0 and ion.source


@pytest.mark.parametrize("name", sorted(PDG_MIN_DEDX))
def test_minimum_ionisation_matches_the_pdg_tables(name):
    want, tol = PDG_MIN_DEDX[name]
    bg = np.logspace(0, 1.2, 4001)
    d = bethe_dedx(bg, M_MU, get_material(name)) * 1e3
    assert d.min() == pytest.approx(want, rel=tol)
    assert 2.8 < bg[np.argmin(d)] < 4.0  # PDG: the minimum sits at beta gamma ~ 3-3.5


@pytest.mark.parametrize("name", sorted(PDG_MIN_DEDX))
def test_density_effect_high_energy_asymptote(name):
    """PDG RPP eq. 34.6 limit: delta -> 2 ln(beta gamma) + 2 ln(hbar omega_p / I) - 1 above x1,
    with the plasma energy at the material's own density (so the graphite's scaling from
    2.0 to 1.78 g/cm^3 is checked too). Water's parameters were fitted with I = 75.0 eV."""
    m = get_material(name)
    i_ev = 75.0 if name == "H2O" else m.ionisation.I
    hw = plasma_energy(m.density, m.z_over_a)
    bg = np.array([10.0 ** (m.ionisation.x1 + 0.01), 1e5, 1e7])
    want = 2 * np.log(bg) + 2 * math.log(hw / i_ev) - 1
    got = density_effect(bg, m.ionisation, density_ratio(m))
    assert np.allclose(got, want, rtol=0, atol=2e-3)


@pytest.mark.parametrize("name", sorted(PDG_MIN_DEDX))
def test_density_effect_is_continuous_at_x0_and_x1(name):
    """Exactly continuous at x1 (the a-term vanishes there); at x0 to the rounding of the
    published parameters (steps < 3e-3; Fe with a = 0.146 would step by 0.024, Be with
    x0 = 0.0392 by 0.012)."""
    ion = get_material(name).ionisation
    eps = 1e-10
    for x, tol in ((ion.x1, 1e-8), (ion.x0, 3e-3)):
        lo, hi = density_effect(10.0 ** np.array([x - eps, x + eps]), ion)
        assert abs(hi - lo) < tol, (name, x, lo, hi)
    # below x0: delta0 10^(2 (x - x0)); above x1: rising as 2 ln10 x - Cbar
    assert density_effect(10.0 ** (ion.x0 - 1.0), ion) == pytest.approx(ion.delta0 * 0.01)
    assert density_effect(10.0 ** (ion.x1 + 1.0), ion) == pytest.approx(2 * math.log(10) * (ion.x1 + 1.0) - ion.cbar)


def test_kernel_matches_numpy_reference():
    rng = np.random.default_rng(5)
    x = rng.uniform(-3.0, 7.0, 5000)
    for m in materials().values():
        for ratio in (1.0, density_ratio(m), 0.7):
            ref = density_effect_numpy(10.0**x, m.ionisation, ratio)
            got = density_effect(10.0**x, m.ionisation, ratio)
            assert np.allclose(got, ref, rtol=1e-12, atol=1e-14)
    ion = get_material("Fe").ionisation
    grid = 10.0 ** rng.uniform(-2, 5, (3, 4))
    assert density_effect(grid, ion).shape == (3, 4)
    assert np.ndim(density_effect(3.0, ion)) == 0


def test_density_scaling_shifts_the_curve():
    """delta_rho(x) = delta_ref(x + log10(rho/rho_ref)/2): graphite at 1.78 vs 2.0 g/cm^3."""
    c = get_material("C")
    assert c.ionisation.reference_density == 2.0 and density_ratio(c) == pytest.approx(0.89)
    bg = np.logspace(-1, 5, 50)
    shifted = density_effect(bg * math.sqrt(density_ratio(c)), c.ionisation)
    assert np.allclose(density_effect(bg, c.ionisation, density_ratio(c)), shifted, rtol=1e-12, atol=1e-14)


def test_sternheimer_peierls_rule_and_the_mineral_oil_entry():
    """Sternheimer & Peierls, PRB 3 (1971) 3681: Cbar = 2 ln(I / hbar omega_p) + 1, k = 3,
    a from continuity at x0 with delta0 = 0. The CH2 entry of materials.toml is this rule at
    0.845 g/cm^3 (rounded to 5 digits)."""
    ch2 = get_material("CH2")
    hw = plasma_energy(ch2.density, ch2.z_over_a)
    assert hw == pytest.approx(20.005, abs=1e-3)
    rule = sternheimer_peierls(ch2.ionisation.I, hw, gas=False)
    assert np.allclose(rule, ch2.ionisation.sternheimer, rtol=2e-4, atol=0)
    for i_ev, hw_, gas in ((57.4, 20.0, False), (300.0, 50.0, False), (85.7, 0.7067, True), (41.8, 0.2627, True)):
        cbar, x0, x1, a, k, _d0 = sternheimer_peierls(i_ev, hw_, gas)
        assert cbar == pytest.approx(2 * math.log(i_ev / hw_) + 1)
        assert 2 * math.log(10) * x0 - cbar + a * (x1 - x0) ** k == pytest.approx(0.0, abs=1e-12)
    # the rule against the fitted air parameters: same Cbar, the same bracket for x0
    air = sternheimer_peierls(85.7, plasma_energy(1.20479e-3, 0.49919), gas=True)
    assert air[0] == pytest.approx(get_material("air").ionisation.cbar, abs=1e-3)
    assert air[1] == 1.8


def _mat(ionisation):
    data = {
        "title": "t", "Z": 26, "A": 55.845, "composition": {"Fe": 1.0}, "density": 7.874,
        "radiation_length": 13.84, "interaction_length": 132.1, "electron_density": 2.2077e30,
        "source": "s",
    }
    if ionisation is not None:
        data["ionisation"] = ionisation
    return _parse_material("m.toml", "X", TableReader("m.toml", "materials.X", data), {"Fe": (26, 55.845)})


def test_ionisation_table_is_strict():
    good = {"I": 286.0, "cbar": 4.2911, "x0": -0.0012, "x1": 3.1531, "a": 0.1468, "k": 2.9632, "delta0": 0.12, "source": "s"}
    m = _mat(good)
    assert m.ionisation.reference_density == 7.874 and m.ionisation.sternheimer == (4.2911, -0.0012, 3.1531, 0.1468, 2.9632, 0.12)
    with pytest.raises(GeometryError, match=r"missing required key materials\.X\.ionisation"):
        _mat(None)
    with pytest.raises(GeometryError, match=r"materials\.X\.ionisation\.Cbar = 4\.3: unknown key"):
        _mat({**good, "Cbar": 4.3})
    with pytest.raises(GeometryError, match=r"missing required key materials\.X\.ionisation\.delta0"):
        _mat({k: v for k, v in good.items() if k != "delta0"})
    with pytest.raises(GeometryError, match=r"ionisation\.I = -1\.0: expected a positive number \(eV\)"):
        _mat({**good, "I": -1.0})
    with pytest.raises(GeometryError, match=r"ionisation\.x1 = -1\.0: expected a number > x0"):
        _mat({**good, "x1": -1.0})

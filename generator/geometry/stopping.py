"""Stopping power: the density-effect correction and the mean excitation energy, once.

Every stopping-power computation of fipgen (the Bethe-Bloch loss of charged mesons and
muons in :mod:`fipgen.production.transport.meson_transport`, the electrons' and positrons'
restricted collision loss in :mod:`fipgen.shower.ionisation`) takes its mean excitation
energy and density effect from here, and these from the material's
:class:`~fipgen.geometry.materials.Ionisation` (``geometries/materials.toml``).

Formulas
--------
* Density effect (Sternheimer, Berger and Seltzer, At. Data Nucl. Data Tables 30 (1984)
  261; PDG RPP "Passage of particles through matter", eq. 34.7 of the 2020 edition),
  ``x = log10(beta gamma)``::

      delta = 2 ln10 x - Cbar                     x >= x1
            = 2 ln10 x - Cbar + a (x1 - x)^k      x0 <= x < x1
            = delta0 10^(2 (x - x0))              x < x0

  At high energy ``delta -> 2 ln(beta gamma) + 2 ln(hbar omega_p / I) - 1`` (PDG eq.
  34.6's limit), i.e. ``Cbar = 2 ln(I / hbar omega_p) + 1``, with the plasma energy
  ``hbar omega_p = 28.816 eV sqrt(rho <Z/A>)`` (rho in g/cm^3; PDG Table 34.1).
  For a density rho other than the parameters' ``reference_density`` the plasma energy
  scales as sqrt(rho), which shifts the curve:
  ``delta_rho(x) = delta_ref(x + log10(rho / rho_ref) / 2)`` (*derived* from the limit
  above; exact there, an approximation below x1).
* Sternheimer and Peierls, Phys. Rev. B 3 (1971) 3681, general rule (for materials
  without fitted parameters; :func:`sternheimer_peierls`): ``Cbar`` from the limit above,
  ``k = 3``, (x0, x1) from the tabulated brackets in Cbar for solids/liquids (I < 100 eV
  and I >= 100 eV) and gases, and ``a`` from continuity at x0 with ``delta0 = 0``.
* Mean ionisation loss of a heavy charged particle (PDG RPP eq. 34.5, with ``W_max`` of
  eq. 34.4)::

      -dE/dx = K <Z/A> / beta^2 [ 1/2 ln(2 m_e beta^2 gamma^2 W_max / I^2) - beta^2 - delta/2 ]

  ``K = 4 pi N_A r_e^2 m_e c^2 = 0.307075 MeV mol^-1 cm^2``; no shell, Barkas, Bloch or
  radiative terms (a few % high below ``beta gamma ~ 0.3``; radiative losses matter for
  muons above ~100 GeV in iron).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .materials import Ionisation, Material, get_material

__all__ = [
    "K_BETHE",
    "PLASMA_ENERGY_COEFF",
    "bethe_dedx",
    "density_effect",
    "density_effect_numpy",
    "density_ratio",
    "mean_excitation_energy",
    "plasma_energy",
    "sternheimer_peierls",
    "StoppingTable",
    "stopping_table",
]

#: Bethe-Bloch constant K = 4 pi N_A r_e^2 m_e c^2, MeV mol^-1 cm^2 (PDG RPP Table 34.1).
K_BETHE = 0.307075
#: hbar omega_p = PLASMA_ENERGY_COEFF sqrt(rho <Z/A>) eV, rho in g/cm^3 (PDG RPP Table 34.1).
PLASMA_ENERGY_COEFF = 28.816
_M_E = 0.51099895e-3  # GeV
_TWO_LN10 = 2.0 * math.log(10.0)


def mean_excitation_energy(material: Material) -> float:
    """Mean excitation energy I of ``material``, eV (``geometries/materials.toml``)."""
    return material.ionisation.I


def density_ratio(material: Material) -> float:
    """``rho / rho_ref``: the material's density over that of its Sternheimer parameters."""
    return material.density / material.ionisation.reference_density


def plasma_energy(density: float, z_over_a: float) -> float:
    """Plasma energy hbar omega_p in eV of a material of ``density`` (g/cm^3) and ``<Z/A>`` (mol/g)."""
    return PLASMA_ENERGY_COEFF * math.sqrt(density * z_over_a)


def density_effect_numpy(betagamma, ionisation: Ionisation, density_ratio: float = 1.0) -> np.ndarray:
    """Density-effect correction delta (module docstring), numpy reference of :func:`density_effect`.

    Parameters
    ----------
    betagamma : array_like
        beta * gamma of the particle.
    ionisation : Ionisation
        The material's Sternheimer parameters.
    density_ratio : float
        rho / rho_ref (:func:`density_ratio`).
    """
    cbar, x0, x1, a, k, d0 = ionisation.sternheimer
    x = np.log10(np.asarray(betagamma, dtype=np.float64)) + 0.5 * math.log10(density_ratio)
    d = _TWO_LN10 * x - cbar
    d = np.where(x < x1, d + a * np.clip(x1 - x, 0.0, None) ** k, d)
    return np.where(x < x0, d0 * 10.0 ** (2.0 * (x - x0)), d)


@numba.njit(**JIT_OPTIONS)
def _delta(x, cbar, x0, x1, a, k, d0):  # pragma: no cover - compiled
    """delta at ``x = log10(beta gamma) + log10(rho/rho_ref)/2``."""
    if x >= x1:
        return _TWO_LN10 * x - cbar
    if x >= x0:
        return _TWO_LN10 * x - cbar + a * (x1 - x) ** k
    return d0 * 10.0 ** (2.0 * (x - x0))


@numba.njit(**JIT_OPTIONS)
def _density_effect_kernel(bg, shift, cbar, x0, x1, a, k, d0):  # pragma: no cover - compiled
    out = np.empty_like(bg)
    for i in range(bg.size):
        out[i] = _delta(math.log10(bg[i]) + shift, cbar, x0, x1, a, k, d0)
    return out


def density_effect(betagamma, ionisation: Ionisation, density_ratio: float = 1.0) -> np.ndarray:
    """Density-effect correction delta at ``betagamma`` (array in, array of its shape out).

    Parameters as :func:`density_effect_numpy`; the numba kernel ``_delta`` does the work
    (also callable from other kernels with the ``ionisation.sternheimer`` numbers).
    """
    bg = np.asarray(betagamma, dtype=np.float64)
    flat = np.ascontiguousarray(bg.reshape(-1))
    out = _density_effect_kernel(flat, 0.5 * math.log10(density_ratio), *ionisation.sternheimer)
    return out.reshape(bg.shape)


def sternheimer_peierls(I_ev: float, plasma_ev: float, gas: bool) -> tuple[float, float, float, float, float, float]:
    """``(cbar, x0, x1, a, k, delta0)`` of the Sternheimer-Peierls general rule (module docstring).

    Parameters
    ----------
    I_ev : float
        Mean excitation energy, eV.
    plasma_ev : float
        Plasma energy at the material's density, eV (:func:`plasma_energy`).
    gas : bool
        Gases have their own (x0, x1) brackets.
    """
    cbar = 2.0 * math.log(I_ev / plasma_ev) + 1.0
    if gas:
        x1 = 4.0
        if cbar < 10.0:
            x0 = 1.6
        elif cbar < 10.5:
            x0 = 1.7
        elif cbar < 11.0:
            x0 = 1.8
        elif cbar < 11.5:
            x0 = 1.9
        elif cbar < 12.25:
            x0 = 2.0
        elif cbar < 13.804:
            x0, x1 = 2.0, 5.0
        else:
            x0, x1 = 0.326 * cbar - 2.5, 5.0
    elif I_ev < 100.0:
        x0 = 0.2 if cbar < 3.681 else 0.326 * cbar - 1.0
        x1 = 2.0
    else:
        x0 = 0.2 if cbar < 5.215 else 0.326 * cbar - 1.5
        x1 = 3.0
    k = 3.0
    a = (cbar - _TWO_LN10 * x0) / (x1 - x0) ** k
    return cbar, x0, x1, a, k, 0.0


def bethe_dedx(betagamma, mass: float, material: Material) -> np.ndarray:
    """Mean ionisation loss ``-dE/dx`` (GeV cm^2/g) of a unit charge of ``mass`` (GeV).

    PDG RPP eq. 34.5 with ``W_max`` (eq. 34.4) and the density effect of the material's
    :class:`~fipgen.geometry.materials.Ionisation` (module docstring). Valid for
    ``0.05 < beta gamma < 1e5`` (no shell corrections: a few % high below
    ``beta gamma ~ 0.3``).
    """
    bg = np.asarray(betagamma, dtype=np.float64)
    i_gev = material.ionisation.mean_excitation_gev
    b2 = bg * bg / (1.0 + bg * bg)
    g = np.sqrt(1.0 + bg * bg)
    r = _M_E / mass
    wmax = 2.0 * _M_E * bg * bg / (1.0 + 2.0 * g * r + r * r)
    delta = density_effect(bg, material.ionisation, density_ratio(material))
    log_term = 0.5 * np.log(2.0 * _M_E * bg * bg * wmax / (i_gev * i_gev))
    L = np.maximum(log_term - b2 - 0.5 * delta, 1e-3)
    return K_BETHE * 1e-3 * material.z_over_a / b2 * L


# ------------------------------------------------------------------ range tables

_BG_MIN, _BG_MAX, _N_GRID = 0.05, 1.0e5, 1500


@dataclass(frozen=True, eq=False)
class StoppingTable:
    """CSDA range and related integrals of one meson in one material, on a grid in ``ln(beta gamma)``.

    Attributes
    ----------
    mass : float
        GeV.
    material : Material
    ln_bg : numpy.ndarray
        Uniform grid of ``ln(beta gamma)``.
    range_gcm2 : numpy.ndarray
        CSDA range ``R = int dE / (dE/dx)`` in g/cm^2.
    proper_gcm2 : numpy.ndarray
        ``int dR / (beta gamma)``: ``c`` times the proper time to stop, times the density (g/cm^2).
    lab_gcm2 : numpy.ndarray
        ``int dR / beta``: ``c`` times the lab time to stop, times the density (g/cm^2).
    """

    mass: float
    material: Material
    ln_bg: np.ndarray
    range_gcm2: np.ndarray
    proper_gcm2: np.ndarray
    lab_gcm2: np.ndarray

    def range(self, p) -> np.ndarray:
        """CSDA range (g/cm^2) at momentum ``p`` (GeV/c)."""
        return np.interp(np.log(np.asarray(p, dtype=np.float64) / self.mass), self.ln_bg, self.range_gcm2)

    def range_m(self, p) -> np.ndarray:
        """CSDA range in metres."""
        return self.range(p) / (100.0 * self.material.density)

    def momentum(self, range_gcm2) -> np.ndarray:
        """Momentum (GeV/c) with residual range ``range_gcm2`` (inverse of :meth:`range`)."""
        return self.mass * np.exp(np.interp(np.asarray(range_gcm2, dtype=np.float64), self.range_gcm2, self.ln_bg))


@lru_cache(maxsize=64)
def _stopping_table(mass: float, material_name: str) -> StoppingTable:
    mat = get_material(material_name)
    ln_bg = np.linspace(math.log(_BG_MIN), math.log(_BG_MAX), _N_GRID)
    bg = np.exp(ln_bg)
    beta = bg / np.sqrt(1.0 + bg * bg)
    dedx = bethe_dedx(bg, mass, mat)
    # dE = mass beta d(beta gamma) = mass beta bg d ln(bg)
    dr = mass * beta * bg / dedx  # dR / d ln(bg)
    h = ln_bg[1] - ln_bg[0]

    def cumtrapz(y):
        out = np.empty_like(y)
        out[0] = 0.0
        out[1:] = np.cumsum(0.5 * (y[1:] + y[:-1]) * h)
        return out

    # below bg_min: dE/dx ~ T^-0.75 (R ~ T^1.75), so R(bg_min) = T / (1.75 dE/dx)
    t0 = mass * (math.sqrt(1.0 + bg[0] ** 2) - 1.0)
    r0 = t0 / (1.75 * dedx[0])
    rng = r0 + cumtrapz(dr)
    # below bg_min the meson moves with bg ~ (R/r0)^(1/3.5): int dR/bg = 3.5/2.5 r0/bg0
    prop = r0 / bg[0] * (3.5 / 2.5) + cumtrapz(dr / bg)
    lab = r0 / beta[0] * (3.5 / 2.5) + cumtrapz(dr / beta)
    for a in (ln_bg, rng, prop, lab):
        a.setflags(write=False)
    return StoppingTable(mass, mat, ln_bg, rng, prop, lab)


def stopping_table(pdg_or_mass, material) -> StoppingTable:
    """The :class:`StoppingTable` of a particle (PDG code, or mass in GeV as a float) in
    ``material`` (name or Material)."""
    if isinstance(pdg_or_mass, (int, np.integer)):
        from ..constants import mass as pdg_mass

        mass = pdg_mass(int(pdg_or_mass))
    else:
        mass = float(pdg_or_mass)
    name = material.name if isinstance(material, Material) else str(material)
    return _stopping_table(mass, name)

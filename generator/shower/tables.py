"""Tabulated cross sections and stopping powers of one medium, for the cascade kernel.

Everything the transport needs at a kinetic energy T (or photon energy k) is tabulated
once per (medium, cuts) on a grid uniform in ln E, 40 points per decade from 0.1 MeV to
10 TeV, and linearly interpolated in ln E by the kernel (interpolation error < 0.1%
for these smooth functions; tested against the direct formulas):

========  ====================================================================
row       content (per metre)
========  ====================================================================
PAIR      n_atoms sigma_pair(k) (:func:`.pair.pair_total`)
COMPTON   n_el sigma_KN(k)
BREM      n_atoms sigma_brems(E; k >= k_cut) (photons above the photon cut)
MOLLER    n_el sigma_Moller(T; T_delta >= T_cut)
BHABHA    n_el sigma_Bhabha(T; T_delta >= T_cut)
ANNIH     n_el sigma_Heitler(T)
DEDX_E    restricted loss of e-: collision (T_delta < T_cut) + radiative (k < k_cut), GeV/m
DEDX_P    the same for e+
RANGE_E   int_{0.1 MeV}^T dT'/DEDX_E, m (restricted range)
RANGE_P   the same for e+
========  ====================================================================

followed by the per-element partial cross sections, two blocks of ``n_el`` rows (one row
per component of the medium, :attr:`.media.ShowerMedium.components`; ``n_el = 1`` for an
element, whose partial rows then repeat PAIR and BREM):

=====================  =========================================================
row                    content (per metre)
=====================  =========================================================
ELEMENT_ROWS + j       n_j sigma_pair,j(k) of element j
ELEMENT_ROWS + n_el+j  n_j sigma_brems,j(E; k >= k_cut) of element j
=====================  =========================================================

PAIR and BREM are their sums over j (Tsai's cross sections are per atom of one Z: a
compound's macroscopic cross section is the composition-weighted sum), and the kernel
draws the element of an interaction from the partial rows at that energy
(:func:`.transport.pick_element`). The radiative part of DEDX_E/P is the same sum of the
elements' losses; the collision part uses the material's electron density, I and
density-effect parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import PhysicsError
from .annihilation import heitler_total
from .bremsstrahlung import brems_loss_below, brems_total_above
from .compton import klein_nishina_total_np
from .constants import M_E
from .ionisation import bhabha_total, moller_total
from .media import ShowerMedium, shower_medium
from .pair import pair_total

__all__ = ["PhysicsTables", "physics_tables", "PAIR", "COMPTON", "BREM", "MOLLER", "BHABHA", "ANNIH", "DEDX_E", "DEDX_P",
           "RANGE_E", "RANGE_P", "ELEMENT_ROWS", "GRID_LO", "GRID_HI", "MIN_CUT"]

PAIR, COMPTON, BREM, MOLLER, BHABHA, ANNIH, DEDX_E, DEDX_P, RANGE_E, RANGE_P = range(10)
#: First row of the per-element partial cross sections (pair, then bremsstrahlung).
ELEMENT_ROWS = 10
#: Grid of the tables, GeV, and points per decade.
GRID_LO, GRID_HI, _PER_DECADE = 1e-4, 1e4, 40
#: Smallest allowed cut (GeV): below it photo-absorption and binding, which are not
#: modelled, matter.
MIN_CUT = 1e-4


@dataclass(frozen=True, eq=False)
class PhysicsTables:
    """Tables of one medium for given cuts; ``tab[row, i]`` at ``ln E = ln_lo + i * dln``."""

    medium: ShowerMedium
    cut_e: float
    cut_g: float
    ln_lo: float
    dln: float
    tab: np.ndarray

    @property
    def n_elements(self) -> int:
        """Number of elements of the medium (components)."""
        return len(self.medium.components)

    def element_rows(self, process: int) -> slice:
        """The rows of the per-element partial cross sections of ``process`` (PAIR or BREM)."""
        if process == PAIR:
            return slice(ELEMENT_ROWS, ELEMENT_ROWS + self.n_elements)
        if process == BREM:
            return slice(ELEMENT_ROWS + self.n_elements, ELEMENT_ROWS + 2 * self.n_elements)
        raise PhysicsError(f"per-element rows exist for PAIR ({PAIR}) and BREM ({BREM}), not row {process}")

    def partial(self, process: int, E) -> np.ndarray:
        """Interpolated per-element macroscopic cross sections of ``process`` (PAIR or BREM)
        at E (photon energy or kinetic energy, GeV), 1/m, shape (n_elements, len(E))."""
        return np.array([self.interp(r, np.atleast_1d(E)) for r in range(self.tab.shape[0])[self.element_rows(process)]])

    @property
    def energies(self) -> np.ndarray:
        return np.exp(self.ln_lo + self.dln * np.arange(self.tab.shape[1]))

    def interp(self, row: int, E):
        """Linear interpolation of a row in ln E (numpy; the kernel does the same)."""
        return np.interp(np.log(E), self.ln_lo + self.dln * np.arange(self.tab.shape[1]), self.tab[row])


def _range(T, dedx_fn):
    """int_{T[0]}^{T} dT/S on the grid T, by the trapezoid rule on a 16x finer ln T grid."""
    lnT = np.log(T)
    fine = np.linspace(lnT[0], lnT[-1], 16 * (T.size - 1) + 1)
    tf = np.exp(fine)
    g = tf / dedx_fn(tf)
    cum = np.concatenate(([0.0], np.cumsum(0.5 * (g[1:] + g[:-1]) * np.diff(fine))))
    return cum[::16]


@lru_cache(maxsize=32)
def physics_tables(material: str, cut_e: float = 1e-3, cut_g: float = 1e-3) -> PhysicsTables:
    """Build (and cache) the tables of ``material`` for the kinetic-energy cut ``cut_e`` of
    e+- (also the delta-ray threshold) and the photon cut ``cut_g`` (also the threshold
    of discrete bremsstrahlung), both in GeV.

    Raises
    ------
    PhysicsError
        If a cut is below 0.1 MeV or above 1 GeV.
    GeometryError
        If the material table does not know ``material``.
    """
    for name, c in (("cut_e", cut_e), ("cut_g", cut_g)):
        if not (MIN_CUT <= c <= 1.0):
            raise PhysicsError(f"{name} = {c} GeV: allowed 1e-4 (0.1 MeV) to 1 GeV")
    med = shower_medium(material)
    n = int(round(np.log10(GRID_HI / GRID_LO) * _PER_DECADE)) + 1
    E = np.geomspace(GRID_LO, GRID_HI, n)
    comps = med.components
    nel = len(comps)
    tab = np.zeros((ELEMENT_ROWS + 2 * nel, n))
    Etot = E + M_E
    pair_rows = tab[ELEMENT_ROWS:ELEMENT_ROWS + nel]
    brem_rows = tab[ELEMENT_ROWS + nel:]
    for j, c in enumerate(comps):
        pair_rows[j] = c.n_atoms * pair_total(E, c.atom)
        brem_rows[j] = c.n_atoms * brems_total_above(Etot, cut_g, c.atom)
    tab[PAIR] = pair_rows.sum(axis=0)
    tab[COMPTON] = med.n_electrons * klein_nishina_total_np(E)
    tab[BREM] = brem_rows.sum(axis=0)
    tab[MOLLER] = med.n_electrons * moller_total(E, cut_e)
    tab[BHABHA] = med.n_electrons * bhabha_total(E, cut_e)
    tab[ANNIH] = med.n_electrons * heitler_total(E)

    def dedx(T, positron):
        rad = comps[0].n_atoms * brems_loss_below(T + M_E, cut_g, comps[0].atom)
        for c in comps[1:]:
            rad = rad + c.n_atoms * brems_loss_below(T + M_E, cut_g, c.atom)
        return med.dedx_collision(T, cut_e, positron) + rad

    tab[DEDX_E] = dedx(E, False)
    tab[DEDX_P] = dedx(E, True)
    tab[RANGE_E] = _range(E, lambda t: dedx(t, False))
    tab[RANGE_P] = _range(E, lambda t: dedx(t, True))
    if not np.all(np.isfinite(tab)) or np.any(tab < 0) or np.any(tab[DEDX_E:DEDX_P + 1] <= 0):
        raise PhysicsError(f"shower tables of {material!r}: non-finite or negative entries")
    tab.setflags(write=False)
    return PhysicsTables(med, float(cut_e), float(cut_g), float(np.log(E[0])), float(np.log(E[1] / E[0])), tab)

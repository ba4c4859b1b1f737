"""Materials for the shower: fipgen's material table and what the cascade derives from it.

Every material of ``geometries/materials.toml`` is a shower medium, elements and
compounds or mixtures alike. Density, X0, the electron density, the composition, the
mean excitation energy I and the Sternheimer density-effect parameters all come from
there through :func:`fipgen.geometry.materials.get_material` (PDG "Atomic and Nuclear
Properties of Materials"; Sternheimer, Berger and Seltzer, At. Data Nucl. Data Tables 30
(1984) 261), the density effect being evaluated by :mod:`fipgen.geometry.stopping` (our
graphite at 1.78 g/cm^3 takes Sternheimer's 2.0 g/cm^3 carbon parameters, scaled by the
plasma energy).

How a compound enters each process:

* Pair production and bremsstrahlung (Tsai's cross sections are per atom of one Z): each
  element j of the composition is a :class:`ShowerElement` with its number density
  ``n_j = rho N_A w_j / A_j`` (w_j the mass fraction) and its own Tsai atom vector. The
  macroscopic cross section is ``sum_j n_j sigma_j`` (:mod:`.tables`); the element that
  takes part in an interaction is drawn with probability ``n_j sigma_j / sum`` at that
  energy and its atom vector gives the final state (:func:`.transport.pick_element`).
  Consequently ``1/X0 = sum_j w_j / X0_j`` for the Tsai radiation lengths
  (:meth:`ShowerMedium.tsai_radiation_length`), PDG's rule for mixtures.
* Compton scattering, Moller/Bhabha delta rays and annihilation go with the electron
  density, which is the material's total ``rho N_A <Z/A>`` (binding neglected).
* Collision stopping power: the Berger-Seltzer formula with the material's own I and
  Sternheimer parameters (for a compound these encode Bragg additivity, as PDG and ICRU
  37 use them) and its total electron density.
* Multiple scattering: the material's (PDG) X0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import PhysicsError
from ..geometry.materials import Material, get_material, material_names
from ..geometry.stopping import density_ratio
from .constants import M_E
from .ionisation import restricted_dedx
from .screening import PHI1_0, PSI1_0, coulomb_correction, radiation_logarithms, tsai_radiation_length

__all__ = ["ShowerElement", "ShowerMedium", "shower_materials", "shower_medium"]


@dataclass(frozen=True, eq=False)
class ShowerElement:
    """One element of a shower medium's composition.

    Attributes
    ----------
    symbol : str
    Z : int
    A : float
        g/mol.
    mass_fraction : float
        w, from the material's composition (1 for an element).
    n_atoms : float
        Atoms of this element per m^3, ``rho N_A w / A``.
    lrad, lprad, coulomb : float
        Tsai's L_rad, L'_rad and f(Z).
    atom : numpy.ndarray
        ``(Z, Z^1/3, Z^2/3, 4 L_rad - phi1(0), 4 L'_rad - psi1(0), f)``, the vector the
        cross-section kernels take (read-only).
    """

    symbol: str
    Z: int
    A: float
    mass_fraction: float
    n_atoms: float
    lrad: float
    lprad: float
    coulomb: float
    atom: np.ndarray

    def tsai_radiation_length(self) -> float:
        """The element's X0 from Tsai eq. 3.66, g/cm^2."""
        return tsai_radiation_length(self.Z, self.A)


def _element(symbol: str, Z: int, A: float, w: float, n_atoms: float) -> ShowerElement:
    lrad, lprad = radiation_logarithms(Z)
    fc = coulomb_correction(Z)
    atom = np.array([float(Z), Z ** (1 / 3), Z ** (2 / 3), 4 * lrad - PHI1_0, 4 * lprad - PSI1_0, fc])
    atom.setflags(write=False)
    return ShowerElement(symbol, int(Z), float(A), float(w), float(n_atoms), lrad, lprad, fc, atom)


@dataclass(frozen=True, eq=False)
class ShowerMedium:
    """One homogeneous medium (an element, a compound or a mixture) with everything the
    cascade needs.

    Attributes
    ----------
    material : Material
        The fipgen material (PDG numbers).
    Z : float
        Z of an element (an int); for a compound the material's effective
        ``Z = <Z/A> A`` (used only for rules of thumb such as PDG's E_c fits).
    A : float
        g/mol; for a compound the mean mass per atom ``1 / sum(w_j / A_j)``.
    X0 : float
        Radiation length in metres (PDG value of the table).
    n_atoms, n_electrons : float
        Number densities (all atoms; all electrons), 1/m^3.
    mean_excitation : float
        I in GeV.
    sternheimer : tuple
        (-C, x0, x1, a, k, delta0) of ``material.ionisation``.
    density_ratio : float
        density / the density of the Sternheimer parameters.
    components : tuple of ShowerElement
        The elements of the composition, in the table's order.
    atoms : numpy.ndarray, shape (n_elements, 6)
        The components' atom vectors, one row each (read-only; what the kernel takes).
    """

    material: Material
    Z: float
    A: float
    X0: float
    n_atoms: float
    n_electrons: float
    mean_excitation: float
    sternheimer: tuple
    density_ratio: float
    components: tuple
    atoms: np.ndarray

    @property
    def name(self) -> str:
        return self.material.name

    @property
    def is_element(self) -> bool:
        """True for a single-element material."""
        return len(self.components) == 1

    def _single(self, what: str) -> ShowerElement:
        if not self.is_element:
            symbols = ", ".join(c.symbol for c in self.components)
            raise PhysicsError(f"{self.name!r} is a compound ({symbols}): {what} is per element, see .components")
        return self.components[0]

    @property
    def lrad(self) -> float:
        """Tsai's L_rad of a single-element medium (compounds: per component)."""
        return self._single("L_rad").lrad

    @property
    def lprad(self) -> float:
        """Tsai's L'_rad of a single-element medium (compounds: per component)."""
        return self._single("L'_rad").lprad

    @property
    def coulomb(self) -> float:
        """f(Z) of a single-element medium (compounds: per component)."""
        return self._single("f(Z)").coulomb

    @property
    def atom(self) -> np.ndarray:
        """The atom vector of a single-element medium (compounds: ``atoms``, one row per component)."""
        return self._single("the atom vector").atom

    def dedx_collision(self, T, t_cut=np.inf, positron=False):
        """(Restricted) collision stopping power, GeV/m, at kinetic energy T (GeV)."""
        return restricted_dedx(T, t_cut, self.n_electrons, self.material.ionisation, self.density_ratio, positron)

    def critical_energy(self, positron: bool = False) -> float:
        """Rossi's critical energy (GeV, total energy): the energy at which the
        (unrestricted) collision loss per radiation length equals the energy (PDG RPP,
        "Critical energy"; its tables quote E_c for e- and e+ this way)."""
        lo, hi = 1e-3, 1.0  # GeV; f(lo) > 0 > f(hi) for every material of the table (E_c <= 0.2 GeV)

        def f(T):
            return float(np.atleast_1d(self.dedx_collision(T, positron=positron))[0]) * self.X0 - (T + M_E)

        for _ in range(60):  # bisection to 1e-18 GeV relative width
            mid = 0.5 * (lo + hi)
            if f(mid) > 0.0:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi) + M_E

    def tsai_radiation_length(self) -> float:
        """X0 from Tsai eq. 3.66, metres (for the consistency check against the PDG X0);
        for a compound ``1/X0 = sum_j w_j / X0_j`` in g/cm^2 (PDG RPP, radiation length)."""
        if self.is_element:
            c = self.components[0]
            return tsai_radiation_length(c.Z, c.A) / self.material.density * 1e-2
        inv = sum(c.mass_fraction / c.tsai_radiation_length() for c in self.components)
        return 1.0 / inv / self.material.density * 1e-2


def shower_materials() -> list[str]:
    """Names of the materials the shower Monte Carlo supports: every material of the table."""
    return list(material_names())


@lru_cache(maxsize=None)
def shower_medium(name: str) -> ShowerMedium:
    """The :class:`ShowerMedium` of material ``name`` (a key or alias of geometries/materials.toml).

    Raises
    ------
    GeometryError
        For a name the material table does not know.
    """
    mat = get_material(name)
    dens = mat.element_nuclei_densities()
    weights = dict(mat.composition)
    components = tuple(_element(sym, Z, A, weights[sym], dens[sym]) for sym, Z, A in mat.elements)
    atoms = np.array([c.atom for c in components])
    atoms.setflags(write=False)
    return ShowerMedium(
        material=mat,
        Z=components[0].Z if len(components) == 1 else float(mat.Z),
        A=float(mat.A),
        X0=mat.radiation_length_m,
        n_atoms=mat.nuclei_density,
        n_electrons=mat.electron_density,
        mean_excitation=mat.ionisation.mean_excitation_gev,
        sternheimer=mat.ionisation.sternheimer,
        density_ratio=density_ratio(mat),
        components=components,
        atoms=atoms,
    )

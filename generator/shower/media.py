"""Materials for the shower: fipgen's material table and what the cascade derives from it.

Z, A, density, X0, the electron density, the mean excitation energy I and the Sternheimer
density-effect parameters all come from ``geometries/materials.toml`` through
:func:`fipgen.geometry.materials.get_material` (PDG "Atomic and Nuclear Properties of
Materials"; Sternheimer, Berger and Seltzer, At. Data Nucl. Data Tables 30 (1984) 261),
the density effect being evaluated by :mod:`fipgen.geometry.stopping` (our graphite at
1.78 g/cm^3 takes Sternheimer's 2.0 g/cm^3 carbon parameters, scaled by the plasma
energy). Only single-element materials are supported: the Tsai cross sections are per
atom of one Z.
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

__all__ = ["ShowerMedium", "shower_materials", "shower_medium"]

@dataclass(frozen=True, eq=False)
class ShowerMedium:
    """One homogeneous single-element medium with everything the cascade needs.

    Attributes
    ----------
    material : Material
        The fipgen material (PDG numbers).
    Z : int
    A : float
        g/mol.
    X0 : float
        Radiation length in metres (PDG value of the table).
    n_atoms, n_electrons : float
        Number densities, 1/m^3.
    mean_excitation : float
        I in GeV.
    sternheimer : tuple
        (-C, x0, x1, a, k, delta0) of ``material.ionisation``.
    density_ratio : float
        density / the density of the Sternheimer parameters.
    lrad, lprad, coulomb : float
        Tsai's L_rad, L'_rad and f(Z).
    atom : numpy.ndarray
        ``(Z, Z^1/3, Z^2/3, 4 L_rad - phi1(0), 4 L'_rad - psi1(0), f)``, the vector the
        cross-section kernels take.
    """

    material: Material
    Z: int
    A: float
    X0: float
    n_atoms: float
    n_electrons: float
    mean_excitation: float
    sternheimer: tuple
    density_ratio: float
    lrad: float
    lprad: float
    coulomb: float
    atom: np.ndarray

    @property
    def name(self) -> str:
        return self.material.name

    def dedx_collision(self, T, t_cut=np.inf, positron=False):
        """(Restricted) collision stopping power, GeV/m, at kinetic energy T (GeV)."""
        return restricted_dedx(T, t_cut, self.n_electrons, self.material.ionisation, self.density_ratio, positron)

    def critical_energy(self, positron: bool = False) -> float:
        """Rossi's critical energy (GeV, total energy): the energy at which the
        (unrestricted) collision loss per radiation length equals the energy (PDG RPP,
        "Critical energy"; its tables quote E_c for e- and e+ this way)."""
        lo, hi = 1e-3, 1.0  # GeV; f(lo) > 0 > f(hi) for every supported material

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
        """X0 from Tsai eq. 3.66, metres (for the consistency check against the PDG X0)."""
        return tsai_radiation_length(self.Z, self.A) / self.material.density * 1e-2


def shower_materials() -> list[str]:
    """Names of the materials the shower Monte Carlo supports: the single-element ones."""
    return [name for name in material_names() if len(get_material(name).elements) == 1]


@lru_cache(maxsize=None)
def shower_medium(name: str) -> ShowerMedium:
    """The :class:`ShowerMedium` of material ``name`` (a key of geometries/materials.toml).

    Raises
    ------
    PhysicsError
        For a material that is not a single element.
    """
    mat = get_material(name)
    if len(mat.elements) != 1:
        raise PhysicsError(f"the shower Monte Carlo supports single-element materials {', '.join(shower_materials())}; not {name!r}")
    _, Z, A = mat.elements[0]
    lrad, lprad = radiation_logarithms(Z)
    fc = coulomb_correction(Z)
    atom = np.array([float(Z), Z ** (1 / 3), Z ** (2 / 3), 4 * lrad - PHI1_0, 4 * lprad - PSI1_0, fc])
    atom.setflags(write=False)
    return ShowerMedium(
        material=mat,
        Z=int(Z),
        A=float(A),
        X0=mat.radiation_length_m,
        n_atoms=mat.nuclei_density,
        n_electrons=mat.electron_density,
        mean_excitation=mat.ionisation.mean_excitation_gev,
        sternheimer=mat.ionisation.sternheimer,
        density_ratio=density_ratio(mat),
        lrad=lrad,
        lprad=lprad,
        coulomb=fc,
        atom=atom,
    )

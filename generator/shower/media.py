"""Materials for the shower: fipgen's material table plus ionisation constants.

Z, A, density, X0 and the electron density come from ``geometries/materials.toml``
through :func:`fipgen.geometry.materials.get_material` (PDG "Atomic and Nuclear
Properties of Materials"). That table has no mean excitation energies or density-effect
parameters, so they are here, for single-element materials only (the Tsai cross sections
are per atom of one Z):

* Mean excitation energy I: ICRU Report 37 (1984), the values of NIST ESTAR and of
  Geant4's NIST material builder (G4NistMaterialBuilder: Be 63.7, graphite 78.0,
  Al 166, Fe 286, Cu 322, W 727 eV).
* Density-effect parameters (-C, x0, x1, a, k, delta0) and the plasma energy of the
  reference density: Sternheimer, Berger and Seltzer, At. Data Nucl. Data Tables 30
  (1984) 261, as tabulated in Geant4's G4DensityEffectData (the carbon row is
  Sternheimer's 2.0 g/cm^3 carbon; our graphite at 1.78 g/cm^3 is handled by the density
  scaling of :func:`.ionisation.density_effect`). The reference density follows from the
  plasma energy, ``hbar omega_p = 28.816 eV sqrt(rho <Z/A>)`` (PDG).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import PhysicsError
from ..geometry.materials import Material, get_material
from .constants import M_E
from .ionisation import restricted_dedx
from .screening import PHI1_0, PSI1_0, coulomb_correction, radiation_logarithms, tsai_radiation_length

__all__ = ["IONISATION_DATA", "ShowerMedium", "shower_medium", "shower_materials"]

#: element -> (I eV, plasma energy eV, -C, x0, x1, a, k, delta0); see module docstring.
IONISATION_DATA = {
    "Be": (63.7, 26.096, 2.7847, 0.0392, 1.6922, 0.80392, 2.4339, 0.14),
    "C": (78.0, 28.803, 2.9925, -0.0351, 2.4860, 0.20240, 3.0036, 0.10),
    "Al": (166.0, 32.860, 4.2395, 0.1708, 3.0127, 0.08024, 3.6345, 0.12),
    "Fe": (286.0, 55.172, 4.2911, -0.0012, 3.1531, 0.14600, 2.9632, 0.12),
    "Cu": (322.0, 58.270, 4.4190, -0.0254, 3.2792, 0.14339, 2.9044, 0.08),
    "W": (727.0, 80.315, 5.4059, 0.2167, 3.4960, 0.15509, 2.8447, 0.14),
}


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
        (-C, x0, x1, a, k, delta0).
    density_ratio : float
        density / Sternheimer's reference density.
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
        return restricted_dedx(T, t_cut, self.n_electrons, self.mean_excitation, self.sternheimer, self.density_ratio, positron)

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
    """Names of the materials the shower Monte Carlo supports."""
    return list(IONISATION_DATA)


@lru_cache(maxsize=None)
def shower_medium(name: str) -> ShowerMedium:
    """The :class:`ShowerMedium` of material ``name`` (a key of geometries/materials.toml).

    Raises
    ------
    PhysicsError
        For a material that is not a single element with ionisation data here.
    """
    mat = get_material(name)
    if len(mat.elements) != 1 or mat.elements[0][0] not in IONISATION_DATA:
        raise PhysicsError(
            f"the shower Monte Carlo supports single-element materials {', '.join(IONISATION_DATA)}; not {name!r}"
        )
    sym, Z, A = mat.elements[0]
    I_ev, ep, C, x0, x1, a, k, d0 = IONISATION_DATA[sym]
    rho_ref = (ep / 28.816) ** 2 / (Z / A)
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
        mean_excitation=I_ev * 1e-9,
        sternheimer=(C, x0, x1, a, k, d0),
        density_ratio=mat.density / rho_ref,
        lrad=lrad,
        lprad=lprad,
        coulomb=fc,
        atom=atom,
    )

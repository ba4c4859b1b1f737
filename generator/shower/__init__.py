"""Electromagnetic showers in homogeneous dump and target materials.

A cascade Monte Carlo (numba) for photons, electrons and positrons: screened pair
production and bremsstrahlung (Tsai 1974), Compton scattering (Klein-Nishina), positron
annihilation in flight (Heitler), restricted ionisation loss with discrete delta rays
(Berger-Seltzer, Moller, Bhabha) and Highland multiple scattering, down to configurable
cuts (default 1 MeV for e+- kinetic energy and photons). It scores the track-length
density dL/dE dcos(theta) of each species, which the shower-secondary production
channels (ALPs, dark photons) fold with their cross sections.

* :func:`simulate_single`, :func:`run_showers`: showers of given primaries.
* :mod:`.fold`: the shipped track-length tables ``fluxes/shower_<beamline>.npz`` per proton
  on target (:func:`load_shower_table`), made by :mod:`fipgen.production.sources.shower_seeding`
  from the pi0/eta photons of a beamline's meson sources.
* :mod:`.rossi`: Rossi's approximations A and B, the analytic references of the tests.

Nothing is computed at import; cross-section tables are built on first use and cached.
"""

from .fold import ShowerTable, load_shower_table, shower_table_beamlines
from .media import ShowerMedium, shower_materials, shower_medium
from .tracklength import SPECIES, Binning, ShowerResult, ShowerSettings, run_showers, simulate_single

__all__ = [
    "SPECIES",
    "Binning",
    "ShowerMedium",
    "ShowerResult",
    "ShowerSettings",
    "ShowerTable",
    "load_shower_table",
    "run_showers",
    "shower_materials",
    "shower_medium",
    "shower_table_beamlines",
    "simulate_single",
]

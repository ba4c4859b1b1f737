"""Batch drivers of the final-state samplers, for tests and numpy comparisons.

:func:`draw` calls one sampler n times with the same arguments in a compiled loop (one
compiled function for all processes keeps numba's start-up short).
:func:`draw_in_medium` does the same for the cascade's own pair and bremsstrahlung
samplers in a medium (:func:`.transport.sample_pair_in_medium`,
:func:`.transport.sample_brems_in_medium`), which first draw the element of a compound.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .annihilation import sample_annihilation_eps
from .bremsstrahlung import sample_brems_k, sample_urban_u
from .compton import sample_compton_eps
from .constants import M_E
from .ionisation import sample_bhabha, sample_moller
from .pair import sample_pair_x
from .transport import sample_brems_in_medium, sample_pair_in_medium

__all__ = ["PROCESSES", "draw", "draw_in_medium"]

#: process name -> code of :func:`draw`; what is returned.
PROCESSES = {
    "compton": 0,  # eps = k'/k at photon energy E
    "pair": 1,  # x = E+/k at photon energy E
    "brems": 2,  # k at lepton total energy E, above cut
    "moller": 3,  # T_delta at kinetic energy E, above cut
    "bhabha": 4,  # T_delta at kinetic energy E, above cut
    "annihilation": 5,  # eps at positron kinetic energy E
    "urban": 6,  # u of the angular distribution
}


@numba.njit(**JIT_OPTIONS)
def _draw(code, E, n, atom, cut, rng):  # pragma: no cover - compiled
    out = np.empty(n)
    for i in range(n):
        if code == 0:
            out[i] = sample_compton_eps(E, rng)
        elif code == 1:
            out[i] = sample_pair_x(E, atom, rng)
        elif code == 2:
            out[i] = sample_brems_k(E, cut, atom, rng)
        elif code == 3:
            out[i] = sample_moller(E, cut, rng)
        elif code == 4:
            out[i] = sample_bhabha(E, cut, rng)
        elif code == 5:
            out[i] = sample_annihilation_eps(E, rng)
        else:
            out[i] = sample_urban_u(rng)
    return out


def draw(process: str, energy: float, n: int, rng: np.random.Generator, atom=None, cut: float = 0.0) -> np.ndarray:
    """n draws of ``process`` (a key of :data:`PROCESSES`) at ``energy`` (GeV)."""
    a = np.zeros(6) if atom is None else np.asarray(atom, dtype=np.float64)
    return _draw(PROCESSES[process], float(energy), int(n), a, float(cut), rng)


@numba.njit(**JIT_OPTIONS)
def _draw_in_medium(code, E, n, tab, ln_lo, dln, atoms, cut, rng):  # pragma: no cover - compiled
    elem = np.empty(n, np.int64)
    out = np.empty(n)
    for i in range(n):
        if code == 1:
            j, v = sample_pair_in_medium(tab, math.log(E), ln_lo, dln, E, atoms, rng)
        else:
            j, v = sample_brems_in_medium(tab, math.log(E), ln_lo, dln, E + M_E, cut, atoms, rng)
        elem[i] = j
        out[i] = v
    return elem, out


def draw_in_medium(tables, process: str, energy: float, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n pair conversions (``process="pair"``, photon energy ``energy``) or bremsstrahlung
    emissions (``"brems"``, lepton kinetic energy ``energy``, photons above the tables'
    ``cut_g``) in the medium of ``tables`` (:func:`.tables.physics_tables`), as the cascade
    samples them: returns (element index into ``tables.medium.components``, x = E+/k or k)."""
    if process not in ("pair", "brems"):
        raise ValueError(f"process {process!r}: 'pair' or 'brems'")
    return _draw_in_medium(PROCESSES[process], float(energy), int(n), tables.tab, tables.ln_lo, tables.dln,
                           tables.medium.atoms, float(tables.cut_g), rng)

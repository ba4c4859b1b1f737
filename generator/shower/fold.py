"""Shower track-length tables per proton on target: their format, reader and writer.

A table (``fluxes/shower_<beamline>.npz``) holds the track-length density
``dL/dE dcos(theta)`` of photons, electrons and positrons per POT inside a beamline's target,
from showers seeded by the photons of its pi0 and eta sources. The tables are made by
:func:`fipgen.production.sources.shower_seeding.make_shower_table` (``scripts/make_shower_tables.py``),
written by :func:`write_shower_table` and read back by :func:`load_shower_table`; this module
needs nothing from production, so the production channels that fold the tables
(:mod:`fipgen.production.channels.alp_shower`) depend on the shower package and not the reverse.

Each table holds ``energy_edges`` (GeV; photon energy, e+- kinetic energy), ``theta_edges``
(rad, to the beam axis), ``dL_<species>_<source>`` (float32, m / GeV / unit cos theta per POT;
species gamma, eminus, eplus; source pi0, eta) with ``err_`` arrays (the statistical error of
each bin from the spread of independent batches), ``batch_<species>_<source>`` (float32,
n_batches x n_energy: the angle-integrated dL/dE of each batch alone, scaled to the whole
sample; bins are correlated through the seed mesons, so the error of a sum over bins comes from
these, see :meth:`ShowerTable.track_length_error`), and a JSON ``header``. What the seeding
leaves out is listed in :mod:`fipgen.production.sources.shower_seeding`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import PhysicsError

__all__ = ["SOURCES", "SPECIES_KEYS", "TABLE_VERSION", "ShowerTable", "write_shower_table", "load_shower_table",
           "shower_table_beamlines", "table_name", "load_shower_file"]

#: Seeding mesons: key -> PDG code.
SOURCES = {"pi0": 111, "eta": 221}
#: Species keys of the table arrays, in the order of the kernel's species index.
SPECIES_KEYS = ("gamma", "eminus", "eplus")
TABLE_VERSION = 1


def shower_table_beamlines() -> tuple[str, ...]:
    """Packaged beamlines whose file names a shower table (``particle_sources.showers``)."""
    from ..geometry import list_geometries, load_beamline

    return tuple(n for n, kind, _ in list_geometries()
                 if kind == "beamline" and dict(load_beamline(n).particle_sources).get("showers"))


def table_name(beamline: str) -> str:
    """File name of the table made for the packaged beamline ``beamline``."""
    return f"shower_{beamline}.npz"


def write_shower_table(arrays: dict, header: dict, directory) -> Path:
    """Write ``shower_<beamline>.npz`` (compressed) into ``directory``; returns the path."""
    path = Path(directory) / header["table"]
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, header=np.array(json.dumps(header, sort_keys=True)), **arrays)
    tmp.replace(path)
    return path


@dataclass(frozen=True, eq=False)
class ShowerTable:
    """A per-POT shower track-length table (read with :func:`load_shower_table`)."""

    beamline: str
    energy_edges: np.ndarray
    theta_edges: np.ndarray
    arrays: dict
    header: dict

    @property
    def sources(self) -> tuple[str, ...]:
        """The seeding sources the table holds (``pi0``, ``eta``; ``cascade`` for the tables of a
        beamline's hadron cascade, :mod:`fipgen.cascade.showers`)."""
        return tuple(sorted({k.split("_", 2)[2] for k in self.arrays if k.startswith("dL_")}))

    def density(self, species: str, source: str | None = None) -> np.ndarray:
        """``dL/dE dcos(theta)`` per POT (m/GeV), shape (n_energy, n_theta); ``source`` None sums
        every source of the table."""
        keys = [source] if source else [s for s in self.sources if f"dL_{species}_{s}" in self.arrays]
        if species not in SPECIES_KEYS or not keys or f"dL_{species}_{keys[0]}" not in self.arrays:
            raise PhysicsError(f"species {species!r} / source {source!r}: species {SPECIES_KEYS}, sources {self.sources}")
        return sum(self.arrays[f"dL_{species}_{k}"].astype(np.float64) for k in keys)

    def error(self, species: str, source: str | None = None) -> np.ndarray:
        keys = [source] if source else [s for s in self.sources if f"err_{species}_{s}" in self.arrays]
        return np.sqrt(sum(self.arrays[f"err_{species}_{k}"].astype(np.float64) ** 2 for k in keys))

    def _sel(self, e_min: float, e_max: float) -> np.ndarray:
        return (self.energy_edges[:-1] >= e_min * (1 - 1e-9)) & (self.energy_edges[1:] <= e_max * (1 + 1e-9))

    def track_length_error(self, species: str, source: str | None = None, e_min: float = 0.0, e_max: float = np.inf) -> float:
        """Statistical error (m per POT) of :meth:`track_length` over [e_min, e_max]: the
        spread of the independent batch estimates over sqrt(n_batches), sources in quadrature."""
        keys = [source] if source else [s for s in self.sources if f"batch_{species}_{s}" in self.arrays]
        dE = np.diff(self.energy_edges)
        sel = self._sel(e_min, e_max)
        var = 0.0
        for k in keys:
            b = (self.arrays[f"batch_{species}_{k}"].astype(np.float64) * dE[None, :])[:, sel].sum(axis=1)
            var += b.var(ddof=1) / b.size
        return float(math.sqrt(var))

    def track_length(self, species: str, source: str | None = None, e_min: float = 0.0, e_max: float = np.inf) -> float:
        """Track length per POT (m) of ``species`` in the energy bins inside [e_min, e_max]."""
        dens = self.density(species, source)
        dE = np.diff(self.energy_edges)
        dcos = np.cos(self.theta_edges[:-1]) - np.cos(self.theta_edges[1:])
        return float((dens * dE[:, None] * dcos[None, :])[self._sel(e_min, e_max)].sum())


@lru_cache(maxsize=None)
def load_shower_file(name: str, directory: str | None = None) -> ShowerTable:
    """The shower table in file ``name`` of ``fluxes/`` (or of ``directory``), e.g. the one a
    beamline file names (:func:`fipgen.production.sources.resolve.shower_table_name`).

    Raises
    ------
    PhysicsError
        Missing file or no header.
    """
    from ..resources import read_flux_table

    arrays, header = read_flux_table(name, directory, "shower table", "scripts/make_shower_tables.py")
    arrays = dict(arrays)
    label = header.get("beamline", name)
    return ShowerTable(label, arrays.pop("energy_edges"), arrays.pop("theta_edges"), arrays, header)


def load_shower_table(beamline: str, directory: str | None = None) -> ShowerTable:
    """The shower table made for the packaged beamline ``beamline`` (``shower_<beamline>.npz``
    in ``fluxes/`` or ``directory``).

    Raises
    ------
    PhysicsError
        Missing file.
    """
    return load_shower_file(table_name(beamline), None if directory is None else str(directory))

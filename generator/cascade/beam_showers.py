"""An electron or positron beam's own electromagnetic showers in the beamline's solids (issue 17).

A beamline with ``beam_particle = 11`` or ``-11`` (an electron beam dump: E137's aluminium and
water, a tungsten or lead dump) has no hadron cascade: its sources are the showers the beam
starts in the solid it meets first. Each beam particle leaves the beam spot (Gaussian,
``beam_spot``) along +z, enters the first solid on its line and is showered there by fipgen's
shower Monte Carlo (:func:`fipgen.shower.tracklength.run_showers`: pair production,
bremsstrahlung with screening, Compton, annihilation, ionisation, multiple scattering), in
``n_batches`` batches of ``n/n_batches`` particles, each weighted ``1/(batch size)``: the
tables are per beam particle ("POT" is electrons on target), in the layout of the hadron
cascade's shower tables (:mod:`.showers`): ``dL_<s>_<k>``, ``err_<s>_<k>``, ``batch_<s>_<k>``
and the profiles ``<c>seedE_<k>`` where the shower channels draw their production points: x
and y where the beam enters (its spot), z the showers' deposited energy by depth (their
charged particles' track length to a good approximation: relativistic ionisation is nearly
constant), not the entry face.

Limitation (in the header's ``not_included``): what leaves the first solid (its leakage, a thin
target's forward photons) is not showered further; for the thick dumps of electron
beam-dump experiments (tens of radiation lengths) it is a negligible share of the track length.

Tables are cached as the hadron cascade's (:func:`fipgen.cascade.build.cache_dir`), keyed by
:func:`beam_content_key` (beam, solids and their materials, shower settings, statistics,
format); a packaged beamline may name a prebuilt one (``particle_sources.cascade_table``).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from .._version import __version__
from ..errors import PhysicsError

__all__ = ["BEAM_SHOWERS", "beam_showers_count", "beam_content_key", "beam_cached_path", "beam_seeds",
           "build_beam_tables"]

#: Beam particles showered by default: identical primaries, whose track lengths spread by a few
#: per cent from shower to shower (0.1 % on the totals from 2000).
BEAM_SHOWERS = 2000
_N_BATCHES = 10
_SEED = 20261206
#: Version of this table's layout and method (enters the content key).
BEAM_TABLE_FORMAT = 1


def beam_showers_count(beamline, n: int | None = None) -> int:
    """Beam particles to shower: ``n``, else the beamline's ``particle_sources.cascade_showers``,
    else :data:`BEAM_SHOWERS`."""
    if n is not None:
        return int(n)
    own = dict(beamline.particle_sources).get("cascade_showers")
    return int(own) if own else BEAM_SHOWERS


def _content(beamline) -> dict:
    import dataclasses

    from ..shower.tracklength import ShowerSettings
    from .build import solid_content

    return {"beam_particle": int(beamline.beam_particle), "beam_momentum": float(beamline.beam_momentum),
            "beam_spot": [float(x) for x in beamline.beam_spot], "solids": [solid_content(e) for e in beamline.elements()],
            "shower_settings": dataclasses.asdict(ShowerSettings()), "format": BEAM_TABLE_FORMAT}


def beam_content_key(beamline, n: int | None = None, seed: int = _SEED) -> str:
    """Hash of what the beam's showers depend on (module docstring) and their statistics."""
    doc = {**_content(beamline), "n": beam_showers_count(beamline, n), "seed": int(seed)}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:24]


def beam_cached_path(beamline, n: int | None = None, seed: int = _SEED) -> Path:
    """Where the tables of :func:`build_beam_tables` are cached (the content key and fipgen's version)."""
    from .build import cache_dir

    key = hashlib.sha256(f"{beam_content_key(beamline, n, seed)} fipgen {__version__}".encode()).hexdigest()[:24]
    return cache_dir() / "sources" / f"{beamline.name}-beam-{key}.npz"


def beam_seeds(beamline, world, n: int, rng: np.random.Generator) -> dict[int, dict]:
    """``n`` beam particles from the spot along +z, as seeds of the solid each meets first:
    ``{region index: seeds}`` (the layout of :func:`fipgen.cascade.showers.select_seeds`, weight
    ``1/n`` each; those that meet no solid are dropped with their weight)."""
    from .showers import SPECIES_INDEX

    sx, sy = beamline.beam_spot
    x = rng.normal(0.0, sx, n) if sx > 0 else np.zeros(n)
    y = rng.normal(0.0, sy, n) if sy > 0 else np.zeros(n)
    z0 = min(float(r.solid.extent()[0][2]) for r in world.regions) - 1e-3
    ez = np.array([0.0, 0.0, 1.0])
    first = np.full(n, -1)
    pos = np.column_stack([x, y, np.full(n, z0)])
    for i in range(n):
        path = world.path(pos[i], ez)
        if path:
            t_in, _, k = path[0]
            first[i] = k
            pos[i, 2] = z0 + t_in
    kinetic = beamline.beam_energy - abs(beamline.beam_mass)
    out = {}
    for k in np.unique(first[first >= 0]):
        sel = first == k
        m = int(sel.sum())
        out[int(k)] = {"species": np.full(m, SPECIES_INDEX[int(beamline.beam_particle)], dtype=np.int64),
                       "energy": np.full(m, kinetic), "position": pos[sel], "direction": np.tile(ez, (m, 1)),
                       "weight": np.full(m, 1.0 / n), "own": np.ones(m, dtype=bool)}
    return out


def build_beam_tables(beamline, n: int | None = None, workers: int = 1, scheduler=None, seed: int = _SEED,
                      progress: bool = True, out: Path | None = None) -> Path:
    """Shower ``n`` beam particles (:func:`beam_showers_count`) in the solids they meet first and
    write the tables (atomically) to ``out`` (default :func:`beam_cached_path`); returns the path."""
    from ..io.atomic import atomic_path
    from ..parallel import map_tasks
    from ..shower.geometry import from_solid
    from .showers import shower_arrays, shower_task
    from .tables import _region_edges, region_key
    from .world import world_of

    if not beamline.lepton_beam:
        raise PhysicsError(f"beamline {beamline.name!r}: beam_particle = {beamline.beam_particle} is not an electron "
                           "or positron beam; its sources are its hadron cascade (fipgen.cascade.build)")
    n = beam_showers_count(beamline, n)
    t0 = time.time()
    world = world_of(beamline)
    e_hi = max(130.0, 1.05 * beamline.beam_energy)
    per = max(1, n // _N_BATCHES)
    tasks, keys, notes = [], [], []
    for b in range(_N_BATCHES):
        rng = np.random.default_rng([int(seed), 0xBEA3, b])
        for k, seeds in sorted(beam_seeds(beamline, world, per, rng).items()):
            try:
                geom = from_solid(world.regions[k].solid)
            except PhysicsError as err:
                notes.append(f"{world.regions[k].name}: {err}")
                continue
            tasks.append((world.regions[k].material.name, geom, seeds, int(seed) * 1000 + k * 100 + b, e_hi,
                          _region_edges(world, k), True))
            keys.append((region_key(k), k))
    results: dict = {}
    if tasks:
        res = map_tasks(shower_task, tasks, workers, scheduler=scheduler, progress=progress, unit="batch",
                        desc=f"fipgen showers {beamline.name}")
        for key, r in zip(keys, res):
            results.setdefault(key, []).append(r)
    arrays, summary = shower_arrays(results, _N_BATCHES) if results else ({}, {})
    for rk, k in results:
        arrays[f"xedges_{rk}"], arrays[f"yedges_{rk}"], arrays[f"zedges_{rk}"] = _region_edges(world, k)
    names = {region_key(r.index): {"name": r.name, "material": r.material.name} for r in world.regions}
    header = {
        "table_format": BEAM_TABLE_FORMAT,
        "made_by": f"fipgen {__version__} (fipgen.cascade.beam_showers)",
        "units": "x y z m (beam frame), energies GeV; dL_* m / GeV / unit cos(theta) per beam particle; "
                 "zseedE_*: deposited energy by depth, GeV per beam particle",
        "normalisation": "per beam particle (electrons or positrons on target)",
        "beamline": {"name": beamline.name, "path": str(beamline.path), "beam_particle": beamline.beam_particle,
                     "beam_momentum_GeV": beamline.beam_momentum, "beam_spot_m": list(beamline.beam_spot)},
        "n_pot": n, "seed": seed, "regions": names,
        "showers": {"method": "fipgen.cascade.beam_showers: the beam particles showered in the first solid they meet "
                              "(fipgen.shower)", "beam_showers": n, "solids": summary, "not_showered": notes,
                    "not_included": "what leaves the first solid (leakage, forward photons of a thin target) is not "
                                    "showered further", "wall_seconds": round(time.time() - t0, 1)},
        "content_key": beam_content_key(beamline, n, seed),
    }
    path = Path(out) if out is not None else beam_cached_path(beamline, n, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, overwrite=True) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, header=np.array(json.dumps(header)), **arrays)
    return path

"""Building a beamline's cascade tables: in chunks, in parallel, cached by content.

The POT are split into chunks of a size fixed by the beam momentum (never by the number of
workers); chunk ``i`` runs in a fresh Pythia instance seeded with ``seed + i`` in whichever
process takes it, so the tables are identical for 1, 2 or 20 workers and on a dask
scheduler (Pythia's initialisation, about 1 s, is paid per chunk: chunks last 10-20 s).

Tables are cached under the user's cache directory (``$FIPGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/fipgen``, else ``~/.cache/fipgen``), in ``sources/<name>-<key>.npz``, where
the key is a hash of the beamline's physics content (beam, solids and their materials'
records: :func:`physics_content`), the fipgen and Pythia versions, the cascade settings, the
table format, the POT and the seed: editing any of them builds anew; nothing else is ever
reused. A packaged beamline names its prebuilt table (``particle_sources.cascade_table``, in
``fluxes/``), used while its header's :func:`content_key` matches the file's.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .._version import __version__
from .pythia import CascadeSettings, pythia_version, quiet_stdout
from .showers import N_SEEDS
from .tables import TABLE_FORMAT, make_tables

__all__ = ["default_pot", "beamline_pot", "beamline_seeds", "cache_dir", "physics_content", "solid_content", "content_key",
           "cache_key", "cached_path", "build_tables", "load_tables"]

_SEED = 20261206


def default_pot(beam_momentum: float) -> int:
    """POT simulated by default: ``4e6 / (p / GeV)`` rounded to hundreds, within 20000-60000
    (60000 at 8.89 GeV/c, 33300 at 120 GeV/c, 20000 at 400 GeV/c): the statistics at which the
    packaged beamlines' tables carry <= 3 % error on the signal of their cards' meson channels
    (``scripts/cascade_precision.py``), in a few minutes of the hadron cascade on 2 cores."""
    return int(min(60_000, max(20_000, round(4.0e6 / float(beam_momentum), -2))))


def _chunk_pot(beam_momentum: float) -> int:
    return int(max(20, min(2000, round(4.0e4 / float(beam_momentum)))))


def cache_dir() -> Path:
    """Where built tables are kept (module docstring)."""
    env = os.environ.get("FIPGEN_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fipgen"


def physics_content(beamline, settings: CascadeSettings | None = None) -> dict:
    """What the cascade of ``beamline`` depends on, as plain data: the beam (particle,
    momentum, spot), every solid (its role: target, decay_pipe, absorber or its own name; shape,
    placement) with its material's full record (composition, density, lengths, ionisation),
    the cascade settings, the Pythia version and the table format. The file's name, title,
    comments and sources do not enter: a copy of a beamline file under another name has the
    same content."""
    return {"beam_particle": int(beamline.beam_particle), "beam_momentum": float(beamline.beam_momentum),
            "beam_spot": [float(x) for x in beamline.beam_spot], "solids": [solid_content(e) for e in beamline.elements()],
            "settings": (settings or CascadeSettings()).as_dict(), "pythia": pythia_version(), "format": TABLE_FORMAT}


def solid_content(element) -> dict:
    """A beamline element as plain data: its role or name, shape, placement and material record."""
    import dataclasses

    v = element.solid.volumes[0]
    return {"name": element.name, "shape": type(v.shape).__name__, "dims": dataclasses.asdict(v.shape),
            "rotation": np.round(v.placement.matrix, 12).tolist(), "offset": np.round(v.placement.offset, 12).tolist(),
            "material": repr(element.material)}


def content_key(beamline, n_pot: int, seed: int = _SEED, settings: CascadeSettings | None = None,
                n_seeds: int = N_SEEDS) -> str:
    """Hash of :func:`physics_content` with the statistics (POT, seed, EM seeds showered per
    solid): what a table is valid for, whatever fipgen version made it (packaged tables carry it
    in their header)."""
    doc = {**physics_content(beamline, settings), "n_pot": int(n_pot), "seed": int(seed), "n_seeds": int(n_seeds)}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:24]


def cache_key(beamline, n_pot: int, seed: int = _SEED, settings: CascadeSettings | None = None,
              n_seeds: int = N_SEEDS) -> str:
    """The name of a beamline's tables in the cache: :func:`content_key` and the fipgen version
    (module docstring)."""
    h = hashlib.sha256(f"{content_key(beamline, n_pot, seed, settings, n_seeds)} fipgen {__version__}".encode())
    return h.hexdigest()[:24]


def beamline_pot(beamline, n_pot: int | None = None) -> int:
    """POT to simulate: ``n_pot`` if given, else the beamline's ``particle_sources.cascade_pot``,
    else :func:`default_pot`."""
    if n_pot:
        return int(n_pot)
    own = dict(beamline.particle_sources).get("cascade_pot")
    return int(own) if own else default_pot(beamline.beam_momentum)


def beamline_seeds(beamline, n_seeds: int | None = None) -> int:
    """EM seeds showered per solid: ``n_seeds`` if given, else the beamline's
    ``particle_sources.cascade_showers``, else :data:`fipgen.cascade.showers.N_SEEDS`."""
    if n_seeds is not None:
        return int(n_seeds)
    own = dict(beamline.particle_sources).get("cascade_showers")
    return int(own) if own else N_SEEDS


def cached_path(beamline, n_pot: int | None = None, seed: int = _SEED, n_seeds: int | None = None) -> Path:
    n = beamline_pot(beamline, n_pot)
    key = cache_key(beamline, n, seed, n_seeds=beamline_seeds(beamline, n_seeds))
    return cache_dir() / "sources" / f"{beamline.name}-{key}.npz"


def _run_chunk(beamline_path: str, n: int, seed: int):
    from ..geometry.loader import load_beamline
    from .engine import HadronCascade
    from .world import world_of

    bl = load_beamline(beamline_path)
    with quiet_stdout():  # Pythia's warnings (e.g. vanishing cross sections near threshold) go to stdout
        return HadronCascade(world_of(bl), bl.beam_particle, bl.beam_momentum, bl.beam_spot, seed=seed).run(n)


def build_tables(beamline, n_pot: int | None = None, workers: int = 1, scheduler=None, seed: int = _SEED,
                 progress: bool = True, out: Path | None = None, n_seeds: int | None = None) -> Path:
    """Run the hadron cascade of ``beamline``, then the EM cascade of every solid from its seeds
    (:mod:`.showers`; ``n_seeds`` per solid, 0 for none), and write the tables (atomically) to
    ``out`` (default: the cache path); returns the path."""
    from ..io.atomic import atomic_path
    from ..parallel import map_tasks
    from .engine import CascadeResult
    from .world import world_of

    if beamline.lepton_beam:  # Pythia's cascade would carry it without radiating: its showers are its sources
        from ..errors import PhysicsError

        raise PhysicsError(f"beamline {beamline.name!r}: an electron or positron beam has no hadron cascade; its "
                           "showers are built by fipgen.cascade.beam_showers.build_beam_tables")
    n_pot = beamline_pot(beamline, n_pot)
    n_seeds = beamline_seeds(beamline, n_seeds)
    size = _chunk_pot(beamline.beam_momentum)
    chunks = [min(size, n_pot - i) for i in range(0, n_pot, size)]
    t0 = time.time()
    parts = map_tasks(_run_chunk, [(str(beamline.path), n, seed + i) for i, n in enumerate(chunks)], workers,
                      scheduler=scheduler, progress=progress, unit="chunk", desc=f"fipgen sources {beamline.name}")
    result = CascadeResult.merge(parts)
    world = world_of(beamline)
    extra = {
        "made_by": f"fipgen {__version__} (fipgen.cascade)",
        "pythia": {"version": pythia_version(), "settings": CascadeSettings().as_dict(),
                   "interface": "pythia8mc.PythiaCascade (SoftQCD:inelastic, LowEnergyQCD:inelastic)"},
        "beamline": {"name": beamline.name, "path": str(beamline.path), "beam_particle": beamline.beam_particle,
                     "beam_momentum_GeV": beamline.beam_momentum, "beam_spot_m": list(beamline.beam_spot)},
        "seed": seed, "chunks": len(chunks), "chunk_pot": size,
        "cpu_seconds_per_pot": (time.time() - t0) * max(1, min(workers, len(chunks))) / max(n_pot, 1),
        "wall_seconds": round(time.time() - t0, 1),
    }
    arrays, header = make_tables(result, world, beamline.beam_momentum, extra)
    t1 = time.time()
    em_arrays, em_summary, em_notes = _showers(result, world, arrays, n_pot, seed, workers, scheduler, progress,
                                               n_seeds, beamline)
    arrays.update(em_arrays)
    header["showers"] = {"method": "fipgen.cascade.showers: EM seeds of each solid, drawn in proportion to their "
                                   "energy and weighted back, showered in the solid (fipgen.shower)",
                         "seeds_per_solid": n_seeds, "solids": em_summary,
                         "not_showered": em_notes, "wall_seconds": round(time.time() - t1, 1)}
    header["content_key"] = content_key(beamline, n_pot, seed, n_seeds=n_seeds)
    path = Path(out) if out is not None else cached_path(beamline, n_pot, seed, n_seeds)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, overwrite=True) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, header=np.array(json.dumps(header)), **arrays)
    return path


_EM_BATCHES = 10


def _showers(result, world, arrays, n_pot, seed, workers, scheduler, progress, n_seeds, beamline):
    """The EM cascade of every solid with seeds (:mod:`.showers`): arrays, summary, notes."""
    from ..errors import PhysicsError
    from ..parallel import map_tasks
    from ..shower.geometry import from_solid
    from .records import EM_SEED
    from .showers import forward_photons, select_seeds, shower_arrays, shower_task
    from .tables import _region_edges, region_key

    if n_seeds <= 0:
        return {}, {}, ["EM cascade not run (n_seeds = 0)"]
    rec = result.records
    tasks, keys, notes = [], [], []
    e_hi = max(130.0, 1.05 * beamline.beam_energy)
    geoms: dict[int, np.ndarray] = {}
    for r in world.regions:
        try:
            geoms[r.index] = from_solid(r.solid)
        except PhysicsError as err:
            notes.append(f"{r.name}: {err}")
    # batch b of every solid: its own seeds, and the photons leaving batch b of the other solids
    batches: dict[tuple[int, int], list] = {}
    for r in world.regions:
        if r.index not in geoms or not np.any((rec["kind"] == EM_SEED) & (rec["region"] == r.index)):
            continue
        for b in range(_EM_BATCHES):
            rng = np.random.default_rng([int(seed), 0x5EED, r.index, b])
            seeds = select_seeds(rec, r.index, max(1, n_seeds // _EM_BATCHES), n_pot, rng)
            batches.setdefault((r.index, b), []).append(seeds)
            for j, extra in forward_photons(world, r.index, seeds).items():
                if j in geoms:
                    batches.setdefault((j, b), []).append(extra)
    for (k, b), parts in sorted(batches.items()):
        seeds = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        rk = region_key(k)
        edges = (arrays[f"xedges_{rk}"], arrays[f"yedges_{rk}"], arrays[f"zedges_{rk}"]) if f"xedges_{rk}" in arrays \
            else _region_edges(world, k)
        tasks.append((world.regions[k].material.name, geoms[k], seeds, int(seed) * 1000 + k * 100 + b, e_hi, edges))
        keys.append((rk, k))
    if not tasks:
        return {}, {}, notes
    out = map_tasks(shower_task, tasks, workers, scheduler=scheduler, progress=progress, unit="batch",
                    desc=f"fipgen showers {beamline.name}")
    results: dict = {}
    for key, res in zip(keys, out):
        results.setdefault(key, []).append(res)
    em_arrays, summary = shower_arrays(results, _EM_BATCHES)
    for rk, k in results:  # a solid that only received photons has no edges of its own yet
        if f"xedges_{rk}" not in arrays:
            em_arrays[f"xedges_{rk}"], em_arrays[f"yedges_{rk}"], em_arrays[f"zedges_{rk}"] = _region_edges(world, k)
    return em_arrays, summary, notes


def load_tables(path) -> tuple[Mapping[str, np.ndarray], dict]:
    """(arrays, header) of a table file (a path or a binary file object): the arrays a read-only
    mapping of name to array, each read on first use (:class:`fipgen.resources.NpzArrays`)."""
    from ..resources import NpzArrays

    arrays = NpzArrays(path.read() if hasattr(path, "read") else Path(path).read_bytes())
    return arrays, arrays.header()

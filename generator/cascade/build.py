"""Building a beamline's cascade tables: in chunks, in parallel, cached by content.

The POT are split into chunks of a size fixed by the beam momentum (never by the number of
workers); chunk ``i`` runs in a fresh Pythia instance seeded with ``seed + i`` in whichever
process takes it, so the tables are identical for 1, 2 or 20 workers and on a dask
scheduler (Pythia's initialisation, about 1 s, is paid per chunk: chunks last 10-20 s).

Tables are cached under the user's cache directory (``$FIPGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/fipgen``, else ``~/.cache/fipgen``), in ``sources/<key>.npz``, where the
key is a hash of the beamline file's content, the materials table, the fipgen and Pythia
versions, the cascade settings, the table format, the POT and the seed: editing any of
them builds anew; nothing else is ever reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from .._version import __version__
from .pythia import CascadeSettings, pythia_version, quiet_stdout
from .tables import TABLE_FORMAT, make_tables

__all__ = ["default_pot", "beamline_pot", "cache_dir", "cache_key", "cached_path", "build_tables", "load_tables"]

_SEED = 20261206


def default_pot(beam_momentum: float) -> int:
    """POT simulated by default: about 300 / (p / GeV) thousand, within 2000-40000 (a few
    minutes on 2 cores; module docstring of :mod:`fipgen.cascade`)."""
    return int(min(40_000, max(2_000, round(3.0e5 / float(beam_momentum), -2))))


def _chunk_pot(beam_momentum: float) -> int:
    return int(max(20, min(2000, round(4.0e4 / float(beam_momentum)))))


def cache_dir() -> Path:
    """Where built tables are kept (module docstring)."""
    env = os.environ.get("FIPGEN_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fipgen"


def _materials_bytes() -> bytes:
    from ..resources import data_file

    return data_file("geometries", "materials.toml").read_bytes()


def cache_key(beamline, n_pot: int, seed: int = _SEED, settings: CascadeSettings | None = None) -> str:
    """The content hash naming a beamline's tables (module docstring)."""
    settings = settings or CascadeSettings()
    h = hashlib.sha256()
    h.update(Path(beamline.path).read_bytes() if Path(beamline.path).exists() else repr(beamline).encode())
    h.update(_materials_bytes())
    h.update(json.dumps({"fipgen": __version__, "pythia": pythia_version(), "settings": settings.as_dict(),
                         "format": TABLE_FORMAT, "n_pot": int(n_pot), "seed": int(seed)}, sort_keys=True).encode())
    return h.hexdigest()[:24]


def beamline_pot(beamline, n_pot: int | None = None) -> int:
    """POT to simulate: ``n_pot`` if given, else the beamline's ``particle_sources.cascade_pot``,
    else :func:`default_pot`."""
    if n_pot:
        return int(n_pot)
    own = dict(beamline.particle_sources).get("cascade_pot")
    return int(own) if own else default_pot(beamline.beam_momentum)


def cached_path(beamline, n_pot: int | None = None, seed: int = _SEED) -> Path:
    n = beamline_pot(beamline, n_pot)
    return cache_dir() / "sources" / f"{beamline.name}-{cache_key(beamline, n, seed)}.npz"


def _run_chunk(beamline_path: str, n: int, seed: int):
    from ..geometry.loader import load_beamline
    from .engine import HadronCascade
    from .world import world_of

    bl = load_beamline(beamline_path)
    with quiet_stdout():  # Pythia's warnings (e.g. vanishing cross sections near threshold) go to stdout
        return HadronCascade(world_of(bl), bl.beam_particle, bl.beam_momentum, bl.beam_spot, seed=seed).run(n)


def build_tables(beamline, n_pot: int | None = None, workers: int = 1, scheduler=None, seed: int = _SEED,
                 progress: bool = True, out: Path | None = None) -> Path:
    """Run the cascade of ``beamline`` and write its tables (atomically) to ``out`` (default:
    the cache path); returns the path."""
    from ..io.atomic import atomic_path
    from ..parallel import map_tasks
    from .engine import CascadeResult
    from .world import world_of

    n_pot = beamline_pot(beamline, n_pot)
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
    path = Path(out) if out is not None else cached_path(beamline, n_pot, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, overwrite=True) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, header=np.array(json.dumps(header)), **arrays)
    return path


def load_tables(path) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays, header) of a table file."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    header = json.loads(str(arrays.pop("header")))
    for a in arrays.values():
        a.setflags(write=False)
    return arrays, header

"""Access to the data shipped inside the package (geometries, fluxes, example cards).

The folders ``geometries/``, ``fluxes/`` and ``examples/`` at the top of the repository
are installed as the sub-packages ``fipgen.geometries``, ``fipgen.fluxes`` and
``fipgen.examples``; they are found through :mod:`importlib.resources`, never through
the repository path, so the same code works from a wheel.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["data_dir", "data_file", "list_data", "read_flux_table"]


_DATA_PACKAGES = {
    "geometries": "fipgen.geometries",
    "fluxes": "fipgen.fluxes",
    "examples": "fipgen.examples",
}


def data_dir(kind: str) -> Traversable:
    """Return the packaged folder ``kind`` (``geometries``, ``fluxes`` or ``examples``)."""
    try:
        return files(_DATA_PACKAGES[kind])
    except KeyError:
        raise ValueError(f"unknown data folder {kind!r}; allowed: {sorted(_DATA_PACKAGES)}") from None


def data_file(kind: str, name: str) -> Traversable:
    """Return the packaged file ``name`` inside the data folder ``kind``."""
    return data_dir(kind).joinpath(name)


def list_data(kind: str, suffix: str = ".toml") -> list[str]:
    """Names (without suffix) of the packaged files of folder ``kind`` ending with ``suffix``."""
    return sorted(
        p.name[: -len(suffix)]
        for p in data_dir(kind).iterdir()
        if p.name.endswith(suffix) and not p.name.startswith("_")
    )


def read_flux_table(name: str, directory: str | None, what: str, script: str):
    """(arrays, header) of the compressed table ``name`` of ``fluxes/`` (or of ``directory``).

    The ``.npz`` holds its arrays and ``header``, a JSON string (provenance, units,
    normalisation); the arrays come back read-only. ``what`` names the table kind and
    ``script`` the regeneration script in the error of a missing file or header.

    Raises
    ------
    PhysicsError
        If the file is missing or has no JSON header.
    """
    from pathlib import Path

    from .errors import PhysicsError

    try:
        raw = data_file("fluxes", name).read_bytes() if directory is None else (Path(directory) / name).read_bytes()
    except FileNotFoundError:
        where = "the packaged fluxes" if directory is None else directory
        raise PhysicsError(f"{what} {name!r} not found in {where}; regenerate with {script}") from None
    arrays = NpzArrays(raw)
    if not arrays.has_header:
        raise PhysicsError(f"{what} {name!r} has no header")
    return arrays, arrays.header()


class NpzArrays(Mapping):
    """The arrays of an ``.npz`` file's bytes as a read-only mapping, each array decompressed on
    first use (a run reads a few dozen of the hundreds in a cascade table: the default card 40
    of 703, 0.005 s instead of 0.09 s); the JSON ``header`` apart (:meth:`header`). Safe to
    share between threads; pickled as the file's bytes."""

    def __init__(self, data: bytes) -> None:
        import io
        import threading

        import numpy as np

        self._data = data
        self._npz = np.load(io.BytesIO(data), allow_pickle=False)
        self._keys = tuple(k for k in self._npz.files if k != "header")
        self._known = frozenset(self._keys)
        self.has_header = len(self._keys) < len(self._npz.files)
        self._read: dict = {}
        self._lock = threading.Lock()

    def header(self) -> dict:
        """The JSON string ``header`` of the file, parsed (KeyError without one)."""
        import json

        return json.loads(str(self._npz["header"]))

    def __getitem__(self, key: str):
        a = self._read.get(key)
        if a is None:
            if key not in self._known:
                raise KeyError(key)
            with self._lock:
                a = self._read.get(key)
                if a is None:
                    a = self._npz[key]
                    a.setflags(write=False)
                    self._read[key] = a
        return a

    def __contains__(self, key) -> bool:
        return key in self._known

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __reduce__(self):
        return (NpzArrays, (self._data,))

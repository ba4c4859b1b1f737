"""Access to the data shipped inside the package (geometries, fluxes, example cards).

The folders ``geometries/``, ``fluxes/`` and ``examples/`` at the top of the repository
are installed as the sub-packages ``fipgen.geometries``, ``fipgen.fluxes`` and
``fipgen.examples``; they are found through :mod:`importlib.resources`, never through
the repository path, so the same code works from a wheel.
"""

from __future__ import annotations

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
    import io
    import json
    from pathlib import Path

    import numpy as np

    from .errors import PhysicsError

    try:
        raw = data_file("fluxes", name).read_bytes() if directory is None else (Path(directory) / name).read_bytes()
    except FileNotFoundError:
        where = "the packaged fluxes" if directory is None else directory
        raise PhysicsError(f"{what} {name!r} not found in {where}; regenerate with {script}") from None
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    if "header" not in arrays:
        raise PhysicsError(f"{what} {name!r} has no header")
    header = json.loads(str(arrays.pop("header")))
    for a in arrays.values():
        a.setflags(write=False)
    return arrays, header

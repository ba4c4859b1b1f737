"""Access to the data shipped inside the package (geometries, fluxes, example cards).

The folders ``geometries/``, ``fluxes/`` and ``examples/`` at the top of the repository
are installed as the sub-packages ``generator.geometries``, ``generator.fluxes`` and
``generator.examples``; they are found through :mod:`importlib.resources`, never through
the repository path, so the same code works from a wheel.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

_DATA_PACKAGES = {
    "geometries": "generator.geometries",
    "fluxes": "generator.fluxes",
    "examples": "generator.examples",
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

"""Geometry: shapes and frames, materials, and the beamline/detector files.

- :mod:`.frames`: rotations and placements (``x_parent = R @ x_local + t``).
- :mod:`.shapes`: boxes, cylinders, spheres, placed volumes and their unions (solids),
  with exact ray chords.
- :mod:`.materials`: PDG material properties from ``geometries/materials.toml``.
- :mod:`.loader`: ``geometries/*.toml`` -> :class:`Beamline` and :class:`Detector`.
- :mod:`.plot` (not imported here: it needs matplotlib): :func:`plot_setup`.

Nothing is read at import time; files load on first use.
"""

from .frames import InvalidGeometry, Placement, rotation_matrix
from .loader import (
    PROTON_MASS,
    Beamline,
    Detector,
    Element,
    Timing,
    list_geometries,
    load_beamline,
    load_detector,
)
from .materials import Material, get_material, material_names, materials
from .shapes import Box, CompiledSolid, Cylinder, Segments, Shape, Solid, Sphere, Volume

__all__ = [
    "PROTON_MASS",
    "Beamline",
    "Box",
    "CompiledSolid",
    "Cylinder",
    "Detector",
    "Element",
    "InvalidGeometry",
    "Material",
    "Placement",
    "Segments",
    "Shape",
    "Solid",
    "Sphere",
    "Timing",
    "Volume",
    "get_material",
    "list_geometries",
    "load_beamline",
    "load_detector",
    "material_names",
    "materials",
    "rotation_matrix",
]

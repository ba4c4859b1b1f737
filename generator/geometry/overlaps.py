"""Overlap checks of geometry files: detector volumes with each other and with the beamline.

Two volumes overlap when a region of positive volume lies inside both. The check is exact for
its first step (the shapes' axis-aligned bounding boxes, :func:`~fipgen.geometry.shapes.
aabb`, must intersect with a thickness above :data:`TOUCH` in every direction, so volumes that
only share a face pass) and then samples the boxes' intersection on a regular grid of
:data:`GRID`^3 cell centres, reporting an overlap when a point lies inside both volumes: an
overlap thinner than a grid cell of that intersection can pass unseen.
"""

from __future__ import annotations

import numpy as np

from ..errors import GeometryError
from .shapes import Solid, Volume, aabb

__all__ = ["first_overlap", "check_detector_volumes", "check_detector_on_beamline", "GRID", "TOUCH"]

#: Grid points per axis in a bounding-box intersection.
GRID = 24
#: Thickness (m) below which bounding boxes only touch.
TOUCH = 1e-6


def _overlap(a: Volume, b: Volume) -> bool:
    lo_a, hi_a = aabb(a)
    lo_b, hi_b = aabb(b)
    lo, hi = np.maximum(lo_a, lo_b), np.minimum(hi_a, hi_b)
    if np.any(hi - lo <= TOUCH):
        return False
    axes = [lo[k] + (np.arange(GRID) + 0.5) * (hi[k] - lo[k]) / GRID for k in range(3)]
    pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    return bool(np.any(a.contains(pts) & b.contains(pts)))


def first_overlap(first: Solid, second: Solid | None = None) -> tuple[str, str] | None:
    """Names of the first two overlapping volumes: within ``first`` (``second`` None) or
    between ``first`` and ``second`` (both in one frame); None when none overlap."""
    for i, a in enumerate(first.volumes):
        others = first.volumes[i + 1:] if second is None else second.volumes
        for b in others:
            if _overlap(a, b):
                return a.name, b.name
    return None


def check_detector_volumes(detector_name: str, active: Solid) -> None:
    """GeometryError naming the first two active volumes of a detector that overlap."""
    hit = first_overlap(active)
    if hit:
        raise GeometryError(f"detector {detector_name!r}: volumes {hit[0]!r} and {hit[1]!r} overlap; "
                            "allowed: volumes that do not overlap (they may share faces)")


def check_detector_on_beamline(detector, beamline) -> None:
    """GeometryError when the detector's active volume intersects the beamline's target or
    absorber (both in the beam frame)."""
    for el in (beamline.target, beamline.absorber):
        if el is None:
            continue
        hit = first_overlap(detector.active_beam, el.solid)
        if hit:
            raise GeometryError(f"detector {detector.name!r}: volume {hit[0]!r} intersects the {el.name} "
                                f"({hit[1]!r}) of beamline {beamline.name!r}; allowed: a detector outside the "
                                "beamline's target and absorber")

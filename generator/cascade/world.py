"""The solids of a beamline as the hadron cascade sees them: regions and straight paths.

A :class:`World` is the ordered list of a beamline's solids (target, decay pipe, absorber,
then ``[[beamline.solids]]`` in file order; :meth:`fipgen.geometry.loader.Beamline.elements`),
each one convex volume of one material. Where two solids overlap, the one listed first owns
the overlap (a user describes the steel around an aluminium core by a box listed after the
core). Space outside every solid is vacuum: particles fly through it and may decay there
(the air of a target hall is not described; its 0.1 % of an interaction length per 10 m is
neglected), and a particle whose straight path meets no further solid leaves the world.

Tracks are straight between interactions (no multiple scattering, no magnetic field: horn
focusing is not modelled; focused beams come from dk2nu input).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..geometry.chords import primitive_intervals
from ..geometry.materials import Material
from ..geometry.shapes import Solid

__all__ = ["Region", "World", "world_of"]


@dataclass(frozen=True)
class Region:
    """One solid of the world.

    Attributes
    ----------
    index : int
        Position in :attr:`World.regions` (precedence: lower wins).
    name : str
        The element's name (``target``, ``decay_pipe``, ``absorber`` or the solid's own).
    material : Material
    solid : Solid
        One convex volume, beam frame (m).
    """

    index: int
    name: str
    material: Material
    solid: Solid


@dataclass(frozen=True, eq=False)
class World:
    """The regions of a beamline and the straight-path query of the cascade."""

    regions: tuple[Region, ...]
    _arrays: tuple = field(init=False, repr=False)

    def __post_init__(self) -> None:
        vols = [v for r in self.regions for v in r.solid.volumes]
        if len(vols) != len(self.regions):
            raise ValueError("each region of the cascade world is one volume")
        c = Solid(tuple(vols)).compiled()
        object.__setattr__(self, "_arrays", (c.codes, c.rot, c.trans, c.params))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.regions)

    def path(self, origin: np.ndarray, direction: np.ndarray) -> list[tuple[float, float, int]]:
        """The solids met along the ray ``origin + t direction``, ``t >= 0``.

        Returns
        -------
        list of (t_in, t_out, region index)
            Disjoint, ascending in ``t`` (m); overlaps resolved by precedence; gaps between
            intervals are vacuum. Empty when the ray meets no solid.
        """
        o = np.ascontiguousarray(origin, dtype=np.float64).reshape(1, 3)
        d = np.ascontiguousarray(direction, dtype=np.float64).reshape(1, 3)
        t_in, t_out = primitive_intervals(o, d, *self._arrays)
        out: list[tuple[float, float, int]] = []
        for k in range(len(self.regions)):
            a, b = float(t_in[0, k]), float(t_out[0, k])
            if not b > a:
                continue
            pieces = [(a, b)]
            for ca, cb, _ in out:  # remove what a region of higher precedence already owns
                nxt = []
                for pa, pb in pieces:
                    if cb <= pa or ca >= pb:
                        nxt.append((pa, pb))
                        continue
                    if ca > pa:
                        nxt.append((pa, ca))
                    if cb < pb:
                        nxt.append((cb, pb))
                pieces = nxt
            out.extend((pa, pb, k) for pa, pb in pieces if pb - pa > 1e-12)
        out.sort()
        return out

    def region_at(self, point: np.ndarray) -> int:
        """Index of the region owning ``point`` (-1 in vacuum)."""
        p = np.asarray(point, dtype=np.float64).reshape(1, 3)
        for r in self.regions:
            if bool(r.solid.contains(p)[0]):
                return r.index
        return -1


def world_of(beamline) -> World:
    """The :class:`World` of a :class:`~fipgen.geometry.loader.Beamline` (its elements, in order)."""
    return World(tuple(Region(i, e.name, e.material, e.solid) for i, e in enumerate(beamline.elements())))

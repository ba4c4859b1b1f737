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

import numba
import numpy as np

from .._jit import JIT_OPTIONS
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

    def path(self, origin, direction) -> list[tuple[float, float, int]]:
        """The solids met along the ray ``origin + t direction``, ``t >= 0``.

        ``origin`` and ``direction`` are 3-sequences (``direction`` a unit vector). One
        numba call (:func:`ray_path`); :meth:`path_numpy` is its reference.

        Returns
        -------
        list of (t_in, t_out, region index)
            Disjoint, ascending in ``t`` (m); overlaps resolved by precedence; gaps between
            intervals are vacuum. Empty when the ray meets no solid.
        """
        seg = ray_path(float(origin[0]), float(origin[1]), float(origin[2]), float(direction[0]),
                       float(direction[1]), float(direction[2]), *self._arrays)
        return [(a, b, int(k)) for a, b, k in seg.tolist()]

    def path_numpy(self, origin, direction) -> list[tuple[float, float, int]]:
        """:meth:`path` with the precedence resolved in Python (the reference of :func:`ray_path`)."""
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


@numba.njit(**JIT_OPTIONS)
def ray_path(ox, oy, oz, dx, dy, dz, codes, rot, trans, params):  # pragma: no cover - compiled
    """Segments ``(t_in, t_out, k)`` (rows of a float array) of one ray through the regions.

    The chords are those of :func:`fipgen.geometry.chords.primitive_intervals` (one
    primitive per region); region ``k`` keeps what regions ``< k`` do not own (pieces
    of 1e-12 m or less dropped), and the rows are sorted by ``(t_in, t_out, k)``, as
    :meth:`World.path_numpy` does.
    """
    n = codes.shape[0]
    o = np.empty((1, 3))
    d = np.empty((1, 3))
    o[0, 0], o[0, 1], o[0, 2] = ox, oy, oz
    d[0, 0], d[0, 1], d[0, 2] = dx, dy, dz
    t_in, t_out = primitive_intervals(o, d, codes, rot, trans, params)
    cap = 2 * n + 2  # disjoint pieces of n intervals: at most 2n - 1
    out = np.empty((cap, 3))
    m = 0
    pa_ = np.empty(cap)
    pb_ = np.empty(cap)
    na_ = np.empty(cap)
    nb_ = np.empty(cap)
    for k in range(n):
        a = t_in[0, k]
        b = t_out[0, k]
        if not b > a:
            continue
        pa_[0], pb_[0] = a, b
        npc = 1
        for c in range(m):  # remove what a region of higher precedence already owns
            ca, cb = out[c, 0], out[c, 1]
            nn = 0
            for i in range(npc):
                pa, pb = pa_[i], pb_[i]
                if cb <= pa or ca >= pb:
                    na_[nn], nb_[nn] = pa, pb
                    nn += 1
                    continue
                if ca > pa:
                    na_[nn], nb_[nn] = pa, ca
                    nn += 1
                if cb < pb:
                    na_[nn], nb_[nn] = cb, pb
                    nn += 1
            for i in range(nn):
                pa_[i], pb_[i] = na_[i], nb_[i]
            npc = nn
        for i in range(npc):
            if pb_[i] - pa_[i] > 1e-12:
                out[m, 0], out[m, 1], out[m, 2] = pa_[i], pb_[i], k
                m += 1
    # insertion sort by (t_in, t_out, k), as Python sorts the tuples
    for i in range(1, m):
        r0, r1, r2 = out[i, 0], out[i, 1], out[i, 2]
        j = i
        while j > 0 and (out[j - 1, 0] > r0 or (out[j - 1, 0] == r0 and (out[j - 1, 1] > r1 or (
                out[j - 1, 1] == r1 and out[j - 1, 2] > r2)))):
            out[j, 0], out[j, 1], out[j, 2] = out[j - 1, 0], out[j - 1, 1], out[j - 1, 2]
            j -= 1
        out[j, 0], out[j, 1], out[j, 2] = r0, r1, r2
    return out[:m]


def world_of(beamline) -> World:
    """The :class:`World` of a :class:`~fipgen.geometry.loader.Beamline` (its elements, in order)."""
    return World(tuple(Region(i, e.name, e.material, e.solid) for i, e in enumerate(beamline.elements())))

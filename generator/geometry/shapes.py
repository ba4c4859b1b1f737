"""Shapes (box, cylinder, sphere), placed volumes and solids (unions of volumes).

Units: metres. Every shape is centred on its local origin; a :class:`Volume` places it
in the solid's frame with a :class:`~fipgen.geometry.frames.Placement`. A
:class:`Solid` is the union of its volumes and provides what transport needs:
exact chords of rays, point sampling and the matching direction density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np

from . import chords as _k
from ..sampling import DiscreteChoice
from .points import draws_three_uniforms, primitive_points, primitives_contain
from .frames import InvalidGeometry, Placement

__all__ = ["aabb", "Box", "CompiledSolid", "Cylinder", "Segments", "Shape", "Solid", "Sphere", "Volume"]


def _positive(owner: str, name: str, value: Any) -> float:
    """``value`` as a float, or InvalidGeometry unless it is finite and > 0."""
    if isinstance(value, bool):
        raise InvalidGeometry(f"{owner} {name} must be a positive number of metres, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidGeometry(f"{owner} {name} must be a positive number of metres, got {value!r}") from None
    if not (math.isfinite(x) and x > 0.0):
        raise InvalidGeometry(f"{owner} {name} must be a positive finite number of metres, got {value!r}")
    return x


def _points(points: Any) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 3:
        raise ValueError(f"points must have shape (..., 3), got {p.shape}")
    return p


# ------------------------------------------------------------------------ shapes


@dataclass(frozen=True)
class Box:
    """Rectangular box centred on the origin, edges along the local axes.

    Attributes
    ----------
    size : tuple of 3 float
        FULL edge lengths ``(dx, dy, dz)``, metres: the box is ``|x| <= dx/2`` etc.
    """

    size: tuple[float, float, float]
    kernel_code: ClassVar[int] = _k.BOX

    def __post_init__(self) -> None:
        try:
            vals = tuple(self.size)
        except TypeError:
            raise InvalidGeometry(f"box size must be 3 edge lengths (m), got {self.size!r}") from None
        if len(vals) != 3:
            raise InvalidGeometry(f"box size must be 3 edge lengths (m), got {self.size!r}")
        s = tuple(_positive("box", f"size[{i}]", v) for i, v in enumerate(vals))
        object.__setattr__(self, "size", s)

    @property
    def half(self) -> np.ndarray:
        """Half edge lengths (3,), metres."""
        return 0.5 * np.array(self.size)

    def volume(self) -> float:
        """Volume, m^3."""
        return self.size[0] * self.size[1] * self.size[2]

    def contains_local(self, points: Any) -> np.ndarray:
        """True for local points (..., 3) inside or on the box."""
        return np.all(np.abs(_points(points)) <= self.half, axis=-1)

    def sample_local(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points uniform inside the box, local frame (n, 3), metres."""
        h = self.half
        return rng.uniform(-h, h, size=(int(n), 3))

    def bounding_radius(self) -> float:
        """Radius of the smallest origin-centred sphere holding the box (m)."""
        return float(np.linalg.norm(self.half))

    def kernel_params(self) -> tuple[float, float, float]:
        """Half edge lengths ``(hx, hy, hz)`` (m), as the chord kernels want them."""
        return (0.5 * self.size[0], 0.5 * self.size[1], 0.5 * self.size[2])


@dataclass(frozen=True)
class Cylinder:
    """Solid circular cylinder, axis along local z, ``z`` in ``[-length/2, length/2]``.

    Attributes
    ----------
    radius : float
        Metres.
    length : float
        Full length along the axis, metres.
    """

    radius: float
    length: float
    kernel_code: ClassVar[int] = _k.CYLINDER

    def __post_init__(self) -> None:
        object.__setattr__(self, "radius", _positive("cylinder", "radius", self.radius))
        object.__setattr__(self, "length", _positive("cylinder", "length", self.length))

    def volume(self) -> float:
        """Volume, m^3."""
        return math.pi * self.radius**2 * self.length

    def contains_local(self, points: Any) -> np.ndarray:
        """True for local points (..., 3) inside or on the cylinder."""
        p = _points(points)
        return (p[..., 0] ** 2 + p[..., 1] ** 2 <= self.radius**2) & (np.abs(p[..., 2]) <= 0.5 * self.length)

    def sample_local(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points uniform inside the cylinder, local frame (n, 3), metres."""
        n = int(n)
        u = rng.random((n, 3))
        rho = self.radius * np.sqrt(u[:, 0])
        phi = 2.0 * np.pi * u[:, 1]
        z = self.length * (u[:, 2] - 0.5)
        return np.stack([rho * np.cos(phi), rho * np.sin(phi), z], axis=1)

    def bounding_radius(self) -> float:
        """Radius of the smallest origin-centred sphere holding the cylinder (m)."""
        return math.hypot(self.radius, 0.5 * self.length)

    def kernel_params(self) -> tuple[float, float, float]:
        """``(radius, length / 2, 0)`` (m), as the chord kernels want them."""
        return (self.radius, 0.5 * self.length, 0.0)


@dataclass(frozen=True)
class Sphere:
    """Solid ball centred on the origin.

    Attributes
    ----------
    radius : float
        Metres.
    """

    radius: float
    kernel_code: ClassVar[int] = _k.SPHERE

    def __post_init__(self) -> None:
        object.__setattr__(self, "radius", _positive("sphere", "radius", self.radius))

    def volume(self) -> float:
        """Volume, m^3."""
        return 4.0 / 3.0 * math.pi * self.radius**3

    def contains_local(self, points: Any) -> np.ndarray:
        """True for local points (..., 3) inside or on the sphere."""
        p = _points(points)
        return np.sum(p * p, axis=-1) <= self.radius**2

    def sample_local(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points uniform inside the sphere, local frame (n, 3), metres."""
        n = int(n)
        v = rng.standard_normal((n, 3))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        r = self.radius * np.cbrt(rng.random(n))
        return v * r[:, None]

    def bounding_radius(self) -> float:
        """The radius (m)."""
        return self.radius

    def kernel_params(self) -> tuple[float, float, float]:
        """``(radius, 0, 0)`` (m), as the chord kernels want them."""
        return (self.radius, 0.0, 0.0)


Shape = Box | Cylinder | Sphere
_SHAPES = (Box, Cylinder, Sphere)

#: The chords' first width (:meth:`Solid.chords`): wider only when a ray needs it.
_FIRST_WIDTH = 8


# ------------------------------------------------------------------ volumes/solids


@dataclass(frozen=True)
class Volume:
    """A shape placed in a solid's frame.

    Attributes
    ----------
    name : str
        Label (e.g. ``"module_3_2"``).
    shape : Box, Cylinder or Sphere
        In its local frame.
    placement : Placement
        Local frame -> solid frame.
    material : str or None
        Material name, if the geometry file gives one.
    """

    name: str
    shape: Shape
    placement: Placement = field(default_factory=Placement)
    material: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.shape, _SHAPES):
            raise InvalidGeometry(f"volume {self.name!r}: shape must be a Box, Cylinder or Sphere, got {type(self.shape).__name__}")
        if not isinstance(self.placement, Placement):
            raise InvalidGeometry(f"volume {self.name!r}: placement must be a Placement, got {type(self.placement).__name__}")

    def contains(self, points: Any) -> np.ndarray:
        """True for points (..., 3) of the solid frame inside this volume."""
        return self.shape.contains_local(self.placement.to_local(points))


class CompiledSolid(NamedTuple):
    """A solid as contiguous arrays for the chord kernels (:mod:`.chords`; layout: :mod:`.primitive_chords`)."""

    codes: np.ndarray  #: int64 (k,)
    rot: np.ndarray  #: float64 (k, 3, 3), local -> solid frame
    trans: np.ndarray  #: float64 (k, 3), metres
    params: np.ndarray  #: float64 (k, 3), metres (shape.kernel_params())


class Segments(NamedTuple):
    """Merged chords of rays through a solid, ascending, forward part only (t >= 0).

    ``t_in[i, :n[i]]``, ``t_out[i, :n[i]]`` are the segments of ray ``i`` (metres from its
    origin); unused slots are 0.
    """

    n: np.ndarray  #: int64 (n_rays,)
    t_in: np.ndarray  #: float64 (n_rays, width)
    t_out: np.ndarray  #: float64 (n_rays, width)

    def lengths(self) -> np.ndarray:
        """Total chord length per ray (m)."""
        return np.sum(self.t_out - self.t_in, axis=1)


def _rays(origins: Any, dirs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Kernel-ready (m, 3) origins (m = 1 or n) and (n, 3) unit directions."""
    d = np.ascontiguousarray(dirs, dtype=np.float64)
    if d.ndim == 1:
        d = d.reshape(1, -1)
    if d.ndim != 2 or d.shape[1] != 3:
        raise ValueError(f"dirs must have shape (n, 3), got {np.shape(dirs)}")
    o = np.ascontiguousarray(origins, dtype=np.float64)
    if o.ndim == 1:
        o = o.reshape(1, -1)
    if o.ndim != 2 or o.shape[1] != 3 or o.shape[0] not in (1, d.shape[0]):
        raise ValueError(f"origins must have shape (3,), (1, 3) or ({d.shape[0]}, 3), got {np.shape(origins)}")
    norm2 = np.einsum("ij,ij->i", d, d)
    if d.shape[0] and not np.all(np.abs(norm2 - 1.0) <= 1e-6):
        bad = int(np.argmax(~(np.abs(norm2 - 1.0) <= 1e-6)))
        raise ValueError(f"dirs must be unit vectors; row {bad} has length {math.sqrt(norm2[bad]) if norm2[bad] >= 0 else norm2[bad]!r}")
    return o, d


def _max_distance(centre: np.ndarray, v: Volume) -> float:
    """Largest distance (m) from ``centre`` (solid frame) to a point of ``v``."""
    s = v.shape
    c = v.placement.to_local(centre)
    if isinstance(s, Box):
        far = np.abs(c) + s.half  # farthest corner, per axis
        return float(np.linalg.norm(far))
    if isinstance(s, Cylinder):
        rho = math.hypot(float(c[0]), float(c[1]))
        return math.hypot(rho + s.radius, abs(float(c[2])) + 0.5 * s.length)
    return float(np.linalg.norm(c)) + s.radius


def aabb(v: Volume) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounding box of ``v`` in the solid frame (exact for these shapes)."""
    r = v.placement.matrix
    t = v.placement.offset
    s = v.shape
    if isinstance(s, Box):
        h = np.abs(r) @ s.half
    elif isinstance(s, Cylinder):
        a = r[:, 2]  # axis direction in the solid frame
        h = 0.5 * s.length * np.abs(a) + s.radius * np.sqrt(np.clip(1.0 - a * a, 0.0, None))
    else:
        h = np.full(3, s.radius)
    return t - h, t + h


#: Relative tolerance of :func:`_tiling_box`: a volume or an overlap below this fraction of the
#: bounding box's counts as none (the chords' merge joins gaps below 1e-12 of the distance,
#: :data:`fipgen.geometry.chords.MERGE_GAP`).
_TILING_RTOL = 1e-12


def _tiling_box(volumes) -> CompiledSolid | None:
    """The box that ``volumes`` tile, as chord-kernel arrays, or None.

    Two or more boxes with one rotation whose extents in their common frame do not overlap
    and fill their bounding box (their volumes sum to its volume, both within
    :data:`_TILING_RTOL`) have that box as their union: a ray's merged chord through them is
    its chord through the box, to rounding (the box's faces are the boxes' outer faces,
    reached from another centre: ~1e-15 of the distance). DUNE ND-LAr's 7 x 5 modules
    (geometries/dune_nd_lar.toml) are one box for the chords: one chord a ray instead of 35
    bounding-box tests, about five chords and their merge.
    """
    if len(volumes) < 2 or not all(isinstance(v.shape, Box) for v in volumes):
        return None
    rot = volumes[0].placement.matrix
    if not all(np.array_equal(v.placement.matrix, rot) for v in volumes):
        return None
    centres = np.array([rot.T @ v.placement.offset for v in volumes])  # the boxes' common frame
    half = np.array([v.shape.half for v in volumes])
    lo, hi = centres - half, centres + half
    box_lo, box_hi = lo.min(axis=0), hi.max(axis=0)
    whole = float(np.prod(box_hi - box_lo))
    if abs(float(np.prod(hi - lo, axis=1).sum()) - whole) > _TILING_RTOL * whole:
        return None
    # pairwise overlaps (a sum of volumes equal to the box's could hide an overlap and a gap)
    edges = np.clip(np.minimum(hi[:, None, :], hi[None, :, :]) - np.maximum(lo[:, None, :], lo[None, :, :]), 0.0, None)
    overlap = np.prod(edges, axis=2)
    np.fill_diagonal(overlap, 0.0)
    if float(overlap.max()) > _TILING_RTOL * whole:
        return None
    arrays = (np.array([_k.BOX], dtype=np.int64), np.ascontiguousarray(rot.reshape(1, 3, 3), dtype=np.float64),
              (rot @ (0.5 * (box_lo + box_hi))).reshape(1, 3), (0.5 * (box_hi - box_lo)).reshape(1, 3))
    for a in arrays:
        a.setflags(write=False)
    return CompiledSolid(*arrays)


@dataclass(frozen=True)
class Solid:
    """Union of placed primitives, in the solid's own frame (metres).

    Attributes
    ----------
    volumes : tuple of Volume
        At least one. Volumes may overlap: the union is what :meth:`contains` and
        :meth:`chords` describe, while :meth:`volume_sum` and :meth:`sample_points`
        count an overlap once per volume holding it (see :meth:`proposal_density`).
    """

    volumes: tuple[Volume, ...]

    def __post_init__(self) -> None:
        try:
            vols = tuple(self.volumes)
        except TypeError:
            raise InvalidGeometry(f"solid volumes must be a sequence of Volume, got {type(self.volumes).__name__}") from None
        if not vols:
            raise InvalidGeometry("a solid needs at least one volume")
        for v in vols:
            if not isinstance(v, Volume):
                raise InvalidGeometry(f"solid volumes must be Volume objects, got {type(v).__name__}")
        object.__setattr__(self, "volumes", vols)

    @classmethod
    def single(cls, shape: Shape, placement: Placement | None = None, name: str = "solid", material: str | None = None) -> Solid:
        """A solid made of one placed shape."""
        return cls((Volume(name, shape, placement if placement is not None else Placement(), material),))

    # -------------------------------------------------------------- bookkeeping

    def volume_sum(self) -> float:
        """Sum of the primitives' volumes (m^3).

        Overlaps are counted once per volume holding them, so this equals the union's
        volume only for disjoint (or touching) volumes. It is the normalisation of
        :meth:`sample_points` and :meth:`proposal_density`.
        """
        return float(sum(v.shape.volume() for v in self.volumes))

    def _weights(self) -> np.ndarray:
        v = np.array([x.shape.volume() for x in self.volumes])
        return v / v.sum()

    def _volume_choice(self) -> DiscreteChoice:
        """The volumes in proportion to their volume, as ``rng.choice`` draws them (cached)."""
        c = self.__dict__.get("_choice")
        if c is None:
            c = DiscreteChoice(self._weights())
            object.__setattr__(self, "_choice", c)
        return c

    def compiled(self) -> CompiledSolid:
        """The solid as read-only contiguous arrays for :mod:`.chords` (cached)."""
        c = self.__dict__.get("_compiled")
        if c is None:
            k = len(self.volumes)
            codes = np.array([v.shape.kernel_code for v in self.volumes], dtype=np.int64)
            rot = np.ascontiguousarray(np.stack([v.placement.matrix for v in self.volumes]).reshape(k, 3, 3))
            trans = np.ascontiguousarray(np.stack([v.placement.offset for v in self.volumes]).reshape(k, 3))
            params = np.array([v.shape.kernel_params() for v in self.volumes], dtype=np.float64).reshape(k, 3)
            for a in (codes, rot, trans, params):
                a.setflags(write=False)
            c = CompiledSolid(codes, rot, trans, params)
            object.__setattr__(self, "_compiled", c)
        return c

    def chord_compiled(self) -> CompiledSolid:
        """What the chord kernels take (:meth:`chords`, :meth:`proposal_density`; cached):
        :meth:`compiled`, or one box when the volumes tile their bounding box
        (:func:`_tiling_box`), whose union it is."""
        c = self.__dict__.get("_chord_compiled")
        if c is None:
            c = _tiling_box(self.volumes) or self.compiled()
            object.__setattr__(self, "_chord_compiled", c)
        return c

    def transformed(self, outer: Placement) -> Solid:
        """The same solid with every placement composed with ``outer``.

        E.g. ``detector.transformed(detector_in_beam)`` turns a solid given in the
        detector frame into the beam frame.
        """
        return Solid(tuple(Volume(v.name, v.shape, v.placement.then(outer), v.material) for v in self.volumes))

    def extent(self) -> tuple[np.ndarray, np.ndarray]:
        """Axis-aligned bounding box ``(lo (3,), hi (3,))`` in the solid's frame (m), exact."""
        boxes = [aabb(v) for v in self.volumes]
        lo = np.min([b[0] for b in boxes], axis=0)
        hi = np.max([b[1] for b in boxes], axis=0)
        return lo, hi

    def bounding_sphere(self) -> tuple[np.ndarray, float]:
        """``(centre (3,), radius)`` of a sphere holding the solid (m).

        The centre is the middle of :meth:`extent`; the radius is the exact largest
        distance from it to the solid (not the minimal enclosing sphere in general).
        """
        lo, hi = self.extent()
        centre = 0.5 * (lo + hi)
        radius = max(_max_distance(centre, v) for v in self.volumes)
        return centre, float(radius)

    # ----------------------------------------------------------------- queries

    def contains(self, points: Any) -> np.ndarray:
        """True for points (..., 3) of the solid frame inside (or on) any volume."""
        p = _points(points)
        if p.ndim == 2 and p.shape[0] > 64:  # compiled (fipgen.geometry.points)
            c = self.compiled()
            return primitives_contain(np.ascontiguousarray(p, dtype=np.float64), c.codes, c.rot, c.trans, c.params)
        out = np.zeros(p.shape[:-1], dtype=bool)
        for v in self.volumes:
            out |= v.contains(p)
        return out

    def sample_points(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points (n, 3) in the solid frame (m).

        Volume ``i`` is picked with probability ``V_i / volume_sum()``, then a point is
        drawn uniformly inside it: uniform over the union when volumes do not overlap,
        density doubled in the overlap of two volumes otherwise.
        """
        n = int(n)
        if len(self.volumes) == 1:
            idx = np.zeros(n, dtype=np.int64)
        else:
            idx = self._volume_choice().draw(n, rng)  # rng.choice(k, size=n, p=weights)
        c = self.compiled()
        if draws_three_uniforms(c.codes):  # compiled, the same draws (fipgen.geometry.points)
            return primitive_points(idx, rng.random((n, 3)), c.codes, c.rot, c.trans, c.params)
        out = np.empty((n, 3))
        for i, v in enumerate(self.volumes):
            sel = np.flatnonzero(idx == i)
            if sel.size:
                out[sel] = v.placement.to_parent(v.shape.sample_local(sel.size, rng))
        return out

    def chords(self, origins: Any, dirs: Any, max_segments: int = 64) -> Segments:
        """Merged chords of rays through the union, forward part (t >= 0), ascending.

        Parameters
        ----------
        origins : array (3,) or (n, 3)
            Ray origins in the solid frame (m).
        dirs : array (n, 3)
            Unit directions in the solid frame.
        max_segments : int
            Largest number of segments kept per ray (a union of k convex volumes has at
            most k segments per ray).

        Returns
        -------
        Segments
            ``n`` (n,) int64 and ``t_in``, ``t_out`` (n, width) in metres; unused slots 0;
            ``width`` is ``min(8, max_segments, number of volumes)``, or that bound without
            the 8 when some ray has more than 8 segments; 1 for boxes that tile their
            bounding box (:meth:`chord_compiled`: their union is that box).

        Raises
        ------
        ValueError
            If a ray has more than ``max_segments`` segments.
        """
        return self._segments(origins, dirs, max_segments, False)[0]

    def chords_and_density(self, origins: Any, dirs: Any, max_segments: int = 64) -> tuple[Segments, np.ndarray]:
        """:meth:`chords` and :meth:`proposal_density` of the same rays, from one pass over the
        primitives' chords (the same numbers as the two calls): for channels that aim a
        particle at a :meth:`sample_points` point and send it along that ray."""
        seg, cube = self._segments(origins, dirs, max_segments, True)
        return seg, cube / (3.0 * self.volume_sum())

    def _segments(self, origins: Any, dirs: Any, max_segments: int, with_cube: bool):
        """``(Segments, cube sum or None)`` of :meth:`chords` / :meth:`chords_and_density`."""
        o, d = _rays(origins, dirs)
        c = self.chord_compiled()
        width = min(int(max_segments), c.codes.size)  # a ray has at most one segment per primitive
        if width < 1:
            raise ValueError(f"max_segments must be >= 1, got {max_segments}")
        # a ray crosses a few of many volumes (DUNE ND-LAr's 35 modules): narrow arrays first,
        # the full width only if some ray needs it (the kernel counts past its width)
        first = min(width, _FIRST_WIDTH)
        cube = None
        if with_cube:
            n_seg, t_in, t_out, cube = _k.solid_segments_and_cube_sum(o, d, c.codes, c.rot, c.trans, c.params, first)
        else:
            n_seg, t_in, t_out = _k.solid_segments(o, d, c.codes, c.rot, c.trans, c.params, first)
        if first < width and n_seg.size and int(n_seg.max()) > first:
            n_seg, t_in, t_out = _k.solid_segments(o, d, c.codes, c.rot, c.trans, c.params, width)
        if n_seg.size and int(n_seg.max()) > width:
            raise ValueError(f"a ray crosses {int(n_seg.max())} separate segments, more than max_segments={max_segments}")
        return Segments(n_seg, t_in, t_out), cube

    def proposal_density(self, origins: Any, dirs: Any) -> np.ndarray:
        """Density per steradian of the direction from ``origin`` to a :meth:`sample_points` point.

        ``p(d) = sum_i (t_out,i^3 - t_in,i^3) / (3 volume_sum)``, summed over the
        primitives ``i`` (not merged, so exact with overlaps) with ``t`` clipped at 0:
        the point density ``sum_i 1[x in V_i] / volume_sum`` integrated along the ray
        with the Jacobian ``r^2 dr dOmega``. Boxes that tile their bounding box
        (:meth:`chord_compiled`) do not overlap: the box's one term is their sum.

        Parameters
        ----------
        origins : array (3,) or (n, 3)
            Metres, solid frame.
        dirs : array (n, 3)
            Unit directions.

        Returns
        -------
        numpy.ndarray
            (n,) float64, sr^-1.
        """
        o, d = _rays(origins, dirs)
        c = self.chord_compiled()
        s = _k.solid_cube_sum(o, d, c.codes, c.rot, c.trans, c.params)
        return s / (3.0 * self.volume_sum())

"""Volumes the cascade can run in: infinite medium, axis-aligned box, z-aligned cylinder.

A geometry is a float64 vector ``g``: ``g[0]`` the shape code (0 infinite, 1 box, 2
cylinder), then the centre ``g[1:4]`` (m) and the half-sizes: box ``g[4:7]`` = (hx, hy,
hz); cylinder ``g[4]`` = radius, ``g[6]`` = half-length. Kernels ask whether a point is
inside and how far a ray from an inside point travels before leaving.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from ..errors import PhysicsError

__all__ = ["INFINITE", "BOX", "CYLINDER", "infinite", "box", "cylinder", "from_solid", "inside", "distance_to_exit"]

INFINITE, BOX, CYLINDER = 0, 1, 2


def infinite() -> np.ndarray:
    """The infinite medium."""
    return np.zeros(7)


def box(center, half) -> np.ndarray:
    """Axis-aligned box with centre ``center`` and half-sizes ``half`` (m)."""
    return np.array([BOX, *map(float, center), *map(float, half)])


def cylinder(center, radius: float, half_length: float) -> np.ndarray:
    """Cylinder along z with centre ``center``, radius and half-length (m)."""
    return np.array([CYLINDER, *map(float, center), float(radius), 0.0, float(half_length)])


def from_solid(solid) -> np.ndarray:
    """The geometry vector of a one-volume beamline target (box or cylinder, unrotated)."""
    if len(solid.volumes) != 1:
        raise PhysicsError("the shower geometry takes a single-volume target")
    vol = solid.volumes[0]
    rot = np.asarray(vol.placement.rotation, dtype=float)
    if not np.allclose(rot, np.eye(3).ravel()):
        raise PhysicsError(f"target volume {vol.name!r} is rotated; the shower geometry takes unrotated boxes and z-cylinders")
    c = vol.placement.translation
    kind = type(vol.shape).__name__
    if kind == "Box":
        return box(c, [0.5 * s for s in vol.shape.size])
    if kind == "Cylinder":
        return cylinder(c, vol.shape.radius, 0.5 * vol.shape.length)
    raise PhysicsError(f"target shape {kind} is not supported by the shower geometry (box, cylinder)")


@numba.njit(**JIT_OPTIONS)
def inside(g, x, y, z):  # pragma: no cover - compiled
    """True if (x, y, z) is inside (or on) the volume."""
    kind = int(g[0])
    if kind == INFINITE:
        return True
    if kind == BOX:
        return abs(x - g[1]) <= g[4] and abs(y - g[2]) <= g[5] and abs(z - g[3]) <= g[6]
    dx = x - g[1]
    dy = y - g[2]
    return dx * dx + dy * dy <= g[4] * g[4] and abs(z - g[3]) <= g[6]


@numba.njit(**JIT_OPTIONS)
def _slab(p, d, lo, hi):  # pragma: no cover - compiled
    if d > 0.0:
        return max((hi - p) / d, 0.0)
    if d < 0.0:
        return max((lo - p) / d, 0.0)
    return math.inf


@numba.njit(**JIT_OPTIONS)
def distance_to_exit(g, x, y, z, u, v, w):  # pragma: no cover - compiled
    """Path length from an inside point along the unit direction (u, v, w) to the surface."""
    kind = int(g[0])
    if kind == INFINITE:
        return math.inf
    sz = _slab(z, w, g[3] - g[6], g[3] + g[6])
    if kind == BOX:
        return min(sz, _slab(x, u, g[1] - g[4], g[1] + g[4]), _slab(y, v, g[2] - g[5], g[2] + g[5]))
    a = u * u + v * v
    if a <= 0.0:
        return sz
    px = x - g[1]
    py = y - g[2]
    b = px * u + py * v
    c = px * px + py * py - g[4] * g[4]
    disc = b * b - a * c
    t = (-b + math.sqrt(max(disc, 0.0))) / a
    return min(sz, max(t, 0.0))

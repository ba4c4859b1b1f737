"""Points and the primitives of a compiled solid (:class:`~fipgen.geometry.shapes.Solid`):
points drawn uniformly inside them, and which points they contain.

:func:`primitive_points` is the compiled form of :meth:`Solid.sample_points` for solids of
boxes and cylinders, whose points take three uniforms each: the draws are those the
per-volume numpy path makes (volume by volume, in order, 3 uniforms per point), so the points
are the same numbers (to the rounding of ``R x + t``). Spheres draw normal deviates and keep
the numpy path.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from .chords import BOX, CYLINDER, SPHERE

__all__ = ["primitive_points", "draws_three_uniforms", "primitives_contain", "first_container"]


def draws_three_uniforms(codes: np.ndarray) -> bool:
    """True when every primitive is a box or a cylinder (three uniforms per point)."""
    return bool(np.all((codes == BOX) | (codes == CYLINDER)))


@numba.njit(**JIT_OPTIONS)
def primitive_points(idx, u, codes, rot, trans, params):  # pragma: no cover - compiled
    """``(n, 3)`` points, point ``i`` uniform in primitive ``idx[i]`` (solid frame, m).

    ``u`` (n, 3): the uniforms in the order the numpy path consumes them: the points of
    primitive 0 in ascending ``i``, then those of primitive 1, ... A box maps ``u`` to
    ``-h + 2h u`` (numpy's ``uniform(-h, h)``), a cylinder to ``(rho cos phi, rho sin phi, z)``
    with ``rho = R sqrt(u0)``, ``phi = 2 pi u1``, ``z = L (u2 - 1/2)``; then ``R x + t``.
    """
    n = idx.size
    k = codes.size
    count = np.zeros(k + 1, dtype=np.int64)
    for i in range(n):
        count[idx[i] + 1] += 1
    for j in range(k):
        count[j + 1] += count[j]  # first row of each primitive
    out = np.empty((n, 3))
    two_pi = 2.0 * np.pi
    for i in range(n):
        j = idx[i]
        r = count[j]
        count[j] = r + 1
        if codes[j] == BOX:
            x = -params[j, 0] + (params[j, 0] - -params[j, 0]) * u[r, 0]
            y = -params[j, 1] + (params[j, 1] - -params[j, 1]) * u[r, 1]
            z = -params[j, 2] + (params[j, 2] - -params[j, 2]) * u[r, 2]
        else:  # CYLINDER: (radius, length / 2)
            rho = params[j, 0] * math.sqrt(u[r, 0])
            phi = two_pi * u[r, 1]
            x = rho * math.cos(phi)
            y = rho * math.sin(phi)
            z = (2.0 * params[j, 1]) * (u[r, 2] - 0.5)
        for a in range(3):
            out[i, a] = rot[j, a, 0] * x + rot[j, a, 1] * y + rot[j, a, 2] * z + trans[j, a]
    return out


@numba.njit(inline="always", **JIT_OPTIONS)
def _inside(points, i, j, codes, rot, trans, params):  # pragma: no cover - compiled
    """Point ``i`` (solid frame, m) inside or on primitive ``j``: local point ``R^T (x - t)``;
    a box ``|x_a| <= h_a``, a cylinder ``x^2 + y^2 <= R^2`` and ``|z| <= L/2``, a sphere
    ``|x|^2 <= R^2``."""
    d0 = points[i, 0] - trans[j, 0]
    d1 = points[i, 1] - trans[j, 1]
    d2 = points[i, 2] - trans[j, 2]
    x = d0 * rot[j, 0, 0] + d1 * rot[j, 1, 0] + d2 * rot[j, 2, 0]
    y = d0 * rot[j, 0, 1] + d1 * rot[j, 1, 1] + d2 * rot[j, 2, 1]
    z = d0 * rot[j, 0, 2] + d1 * rot[j, 1, 2] + d2 * rot[j, 2, 2]
    c = codes[j]
    if c == BOX:
        return abs(x) <= params[j, 0] and abs(y) <= params[j, 1] and abs(z) <= params[j, 2]
    if c == CYLINDER:
        return x * x + y * y <= params[j, 0] ** 2 and abs(z) <= params[j, 1]
    if c == SPHERE:
        return x * x + y * y + z * z <= params[j, 0] ** 2
    return False


@numba.njit(**JIT_OPTIONS)
def primitives_contain(points, codes, rot, trans, params):  # pragma: no cover - compiled
    """``(n,)`` bool: point ``i`` (solid frame, m) is inside or on one of the primitives
    (:meth:`Solid.contains` compiled, :func:`_inside`)."""
    n = points.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        for j in range(codes.size):
            if _inside(points, i, j, codes, rot, trans, params):
                out[i] = True
                break
    return out


@numba.njit(**JIT_OPTIONS)
def first_container(points, z_lo, z_hi, starts, codes, rot, trans, params):  # pragma: no cover - compiled
    """``(n,)`` int64: for each point (m), the first solid ``k`` (its primitives
    ``starts[k]:starts[k + 1]``) whose z extent ``[z_lo[k], z_hi[k]]`` holds it and that
    contains it; -1 for none, or a point with a coordinate not finite."""
    n = points.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        zi = points[i, 2]
        if not (np.isfinite(points[i, 0]) and np.isfinite(points[i, 1]) and np.isfinite(zi)):
            continue
        for k in range(z_lo.size):
            if zi < z_lo[k] or zi > z_hi[k]:
                continue
            found = False
            for j in range(starts[k], starts[k + 1]):
                if _inside(points, i, j, codes, rot, trans, params):
                    found = True
                    break
            if found:
                out[i] = k
                break
    return out

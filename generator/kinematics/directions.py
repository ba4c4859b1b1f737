"""Directions about an axis: the one construction the samplers share.

:func:`about_axis` returns the unit vector at polar cosine ``c`` and azimuth ``phi`` about a
unit axis ``s`` (numba, scalar arguments, inlined into the kernels that call it). The
azimuth is measured from ``e1 = normalise(h x s)`` with the helper ``h`` = x-hat, or y-hat
when ``s`` is within 0.9 of x-hat (so ``h`` is never near ``s``), and ``e2 = s x e1``.
Any fixed choice of ``e1`` is correct for a uniform ``phi``.

:func:`unit_toward` gives the unit vectors from points to targets, the aimed samplers' LLP
directions.
"""

from __future__ import annotations

import numba
import numpy as np

from .._jit import JIT_OPTIONS

__all__ = ["about_axis", "about_axis_cs", "about_axis_array", "unit_toward", "unit_toward_numpy"]


@numba.njit(inline="always", **JIT_OPTIONS)
def about_axis(sx, sy, sz, c, phi):  # pragma: no cover - compiled
    """Unit vector (x, y, z) at ``cos(theta) = c`` and azimuth ``phi`` about the unit axis ``s``."""
    return about_axis_cs(sx, sy, sz, c, np.cos(phi), np.sin(phi))


@numba.njit(inline="always", **JIT_OPTIONS)
def about_axis_cs(sx, sy, sz, c, cp, sp):  # pragma: no cover - compiled
    """:func:`about_axis` with the azimuth given by its cosine ``cp`` and sine ``sp`` (e.g.
    :func:`fipgen.fasttrig.cos_sin_turn` of a uniform, for ``phi = 2 pi u``)."""
    if abs(sx) < 0.9:
        hx, hy, hz = 1.0, 0.0, 0.0
    else:
        hx, hy, hz = 0.0, 1.0, 0.0
    ax = hy * sz - hz * sy
    ay = hz * sx - hx * sz
    az = hx * sy - hy * sx
    an = np.sqrt(ax * ax + ay * ay + az * az)
    ax /= an
    ay /= an
    az /= an
    bx = sy * az - sz * ay
    by = sz * ax - sx * az
    bz = sx * ay - sy * ax
    sn = np.sqrt(max(0.0, (1.0 - c) * (1.0 + c)))
    return (c * sx + sn * (cp * ax + sp * bx), c * sy + sn * (cp * ay + sp * by), c * sz + sn * (cp * az + sp * bz))


@numba.njit(**JIT_OPTIONS)
def _about_axis_kernel(axis, c, phi):  # pragma: no cover - compiled
    n = axis.shape[0]
    out = np.empty((n, 3))
    for i in range(n):
        x, y, z = about_axis(axis[i, 0], axis[i, 1], axis[i, 2], c[i], phi[i])
        out[i, 0] = x
        out[i, 1] = y
        out[i, 2] = z
    return out


def about_axis_array(axis, c, phi) -> np.ndarray:
    """Unit vectors (n, 3) at ``cos(theta) = c`` and azimuth ``phi`` about unit ``axis`` (n, 3)."""
    axis = np.ascontiguousarray(axis, dtype=np.float64).reshape(-1, 3)
    n = axis.shape[0]
    c = np.ascontiguousarray(np.broadcast_to(np.asarray(c, dtype=np.float64), (n,)))
    phi = np.ascontiguousarray(np.broadcast_to(np.asarray(phi, dtype=np.float64), (n,)))
    return _about_axis_kernel(axis, c, phi)


@numba.njit(**JIT_OPTIONS)
def _unit_toward_kernel(origins, targets, out):  # pragma: no cover - compiled
    for i in range(origins.shape[0]):
        dx = targets[i, 0] - origins[i, 0]
        dy = targets[i, 1] - origins[i, 1]
        dz = targets[i, 2] - origins[i, 2]
        s = np.sqrt(dx * dx + dy * dy + dz * dz)
        out[i, 0] = dx / s
        out[i, 1] = dy / s
        out[i, 2] = dz / s


def unit_toward(origins, targets) -> np.ndarray:
    """Unit vectors (n, 3) from ``origins`` to ``targets`` (both (n, 3)), in one pass: the same
    floats as :func:`unit_toward_numpy` (the same operations in the same order: the norm is
    ``sqrt((dx^2 + dy^2) + dz^2)``)."""
    o = np.ascontiguousarray(origins, dtype=np.float64).reshape(-1, 3)
    t = np.ascontiguousarray(targets, dtype=np.float64).reshape(-1, 3)
    if o.shape != t.shape:
        raise ValueError(f"origins {o.shape} and targets {t.shape} differ")
    out = np.empty_like(o)
    _unit_toward_kernel(o, t, out)
    return out


def unit_toward_numpy(origins, targets) -> np.ndarray:
    """Plain-numpy reference of :func:`unit_toward`."""
    d = np.asarray(targets, dtype=np.float64) - np.asarray(origins, dtype=np.float64)
    d /= np.sqrt((d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]) + d[:, 2] * d[:, 2])[:, None]
    return d

"""The nucleus a beam particle's collision struck at a point of the beamline, for event records.

A particle made at a point of a solid was made in a collision with one of the nuclei of that
solid's material. The event record (HepMC3 target particle, NuHepMC E.R.7) names it: the
element is drawn from the material's composition in proportion to its share of the
inelastic hadron-nucleus collisions, atoms x A^0.71 (the A dependence of the proton-nucleus
inelastic cross section, Carroll et al., Phys. Lett. B 80 (1979) 319). A point in no solid of
the beamline (a source that keeps no production point, a shower particle) takes the
target's material.
"""

from __future__ import annotations

from functools import lru_cache

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from ..constants import nuclear_pdg
from .points import first_container

__all__ = ["collision_shares", "nucleus_at", "nucleus_at_numpy", "solid_at", "solid_at_numpy"]

#: Exponent of A in sigma_inel(p A) ~ A^0.71 (Carroll et al. 1979).
A_EXPONENT = 0.71


@lru_cache(maxsize=64)
def collision_shares(material) -> tuple[np.ndarray, np.ndarray]:
    """``(pdg codes, probabilities)`` of the nuclei of ``material`` struck by a hadron:
    atoms (mass fraction / A) x A^0.71, normalised."""
    frac = dict(material.composition)
    codes, w = [], []
    for sym, z, a in material.elements:
        codes.append(nuclear_pdg(int(z), max(1, int(round(a)))))
        w.append(frac[sym] / a * a**A_EXPONENT)
    w = np.asarray(w, dtype=np.float64)
    codes, p = np.asarray(codes, dtype=np.int32), w / w.sum()
    codes.flags.writeable = p.flags.writeable = False  # cached: shared by every call
    return codes, p


def solid_at(beamline, points: np.ndarray) -> np.ndarray:
    """Index (n,) into ``beamline.elements()`` of the solid containing each of ``points`` (n, 3)
    (beam frame, m): the first that contains it (the order that owns overlaps in the cascade);
    -1 for a point in none of them or a row of NaN. Compiled
    (:func:`fipgen.geometry.points.first_container`); :func:`solid_at_numpy` is its reference."""
    z_lo, z_hi, starts, codes, rot, trans, params = _compiled_elements(beamline)
    points = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 3)
    return first_container(points, z_lo, z_hi, starts, codes, rot, trans, params)


@lru_cache(maxsize=32)
def _compiled_elements(beamline) -> tuple:
    """The beamline's solids in order, as one set of primitive arrays: their z extents and
    the first primitive of each (``starts``, one more than the solids)."""
    solids = [el.solid for el in beamline.elements()]
    comp = [s.compiled() for s in solids]
    z = np.array([[_extent(s)[0][2], _extent(s)[1][2]] for s in solids], dtype=np.float64).reshape(-1, 2)
    starts = np.zeros(len(solids) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([c.codes.size for c in comp])

    def cat(field, shape):
        parts = [getattr(c, field) for c in comp]
        return np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros((0, *shape)))

    return (np.ascontiguousarray(z[:, 0]), np.ascontiguousarray(z[:, 1]), starts,
            cat("codes", ()).astype(np.int64), cat("rot", (3, 3)), cat("trans", (3,)), cat("params", (3,)))


def solid_at_numpy(beamline, points: np.ndarray) -> np.ndarray:
    """Plain-numpy reference of :func:`solid_at` (each solid's own ``contains``)."""
    points = np.asarray(points, dtype=np.float64)
    n = points.shape[0]
    owner = np.full(n, -1, dtype=np.int64)
    rest = np.flatnonzero(np.isfinite(points).all(axis=1))  # not yet owned
    for k, el in enumerate(beamline.elements()):
        if rest.size == 0:
            break
        lo, hi = _extent(el.solid)
        z = points[rest, 2]
        near = rest[(z >= lo[2]) & (z <= hi[2])]  # the exact test on the points within its z extent
        if near.size == 0:
            continue
        inside = np.asarray(el.solid.contains(points[near]), dtype=bool)
        owner[near[inside]] = k
        rest = rest[owner[rest] < 0]
    return owner


@lru_cache(maxsize=64)
def _extent(solid) -> tuple[np.ndarray, np.ndarray]:
    return solid.extent()


def nucleus_at(beamline, points: np.ndarray, u: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
    """PDG code (n,) of the nucleus struck at each of ``points`` (n, 3) (beam frame, m; rows of
    NaN or points in no solid: the target's material), the element chosen by ``u`` (n,)
    uniform in [0, 1) (:func:`collision_shares`; the solid: ``owner``, default
    :func:`solid_at`). One compiled pass (:func:`_nucleus_kernel`) over the beamline's
    tables; :func:`nucleus_at_numpy` is its reference (the same codes)."""
    owner = solid_at(beamline, points) if owner is None else np.asarray(owner)
    starts, codes, cdf = _nucleus_tables(beamline)
    u = np.ascontiguousarray(u, dtype=np.float64).reshape(-1)
    owner = np.ascontiguousarray(owner, dtype=np.int64).reshape(-1)
    if u.size != owner.size or np.any(owner >= starts.size - 1):
        raise ValueError(f"nucleus_at: {owner.size} owners (< {starts.size - 1}) and {u.size} uniforms")
    out = np.empty(owner.size, dtype=np.int32)
    _nucleus_kernel(owner, u, starts, codes, cdf, out)
    return out


@lru_cache(maxsize=32)
def _nucleus_tables(beamline) -> tuple:
    """The beamline's solids' :func:`collision_shares` as flat arrays: solid ``k``'s codes and
    cumulative shares (the last set to 1) at ``starts[k]:starts[k + 1]``."""
    shares = [collision_shares(el.material) for el in beamline.elements()]
    starts = np.zeros(len(shares) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([c.size for c, _ in shares])
    cdfs = []
    for _, p in shares:
        c = np.cumsum(p)
        c[-1] = 1.0
        cdfs.append(c)
    return (starts, np.ascontiguousarray(np.concatenate([c for c, _ in shares]), dtype=np.int32),
            np.ascontiguousarray(np.concatenate(cdfs), dtype=np.float64))


@numba.njit(**JIT_OPTIONS)
def _nucleus_kernel(owner, u, starts, codes, cdf, out):  # pragma: no cover - compiled
    """Per point: the solid ``owner`` (the target, 0, when negative), then its element: the
    first whose cumulative share exceeds ``u`` (``np.searchsorted(cdf, u, side="right")``,
    capped at the last), or its only one without a draw."""
    for i in range(owner.size):
        k = owner[i] if owner[i] >= 0 else 0
        lo = starts[k]
        hi = starts[k + 1]
        if hi - lo == 1:
            out[i] = codes[lo]
            continue
        j = lo
        while j < hi and cdf[j] <= u[i]:
            j += 1
        out[i] = codes[min(j, hi - 1)]


def nucleus_at_numpy(beamline, points: np.ndarray, u: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
    """Plain-numpy reference of :func:`nucleus_at`: solid by solid, ``np.searchsorted`` on its
    cumulative shares."""
    n = np.asarray(points).shape[0]
    elements = beamline.elements()
    owner = solid_at(beamline, points) if owner is None else np.asarray(owner)
    owner = np.where(owner < 0, 0, owner)  # the target
    out = np.empty(n, dtype=np.int32)
    for k in np.flatnonzero(np.bincount(owner, minlength=len(elements))):
        codes, p = collision_shares(elements[int(k)].material)
        if codes.size == 1:  # one element: no draw
            out[owner == k] = codes[0]
            continue
        sel = np.flatnonzero(owner == k)
        cdf = np.cumsum(p)
        cdf[-1] = 1.0
        out[sel] = codes[np.minimum(np.searchsorted(cdf, u[sel], side="right"), codes.size - 1)]
    return out

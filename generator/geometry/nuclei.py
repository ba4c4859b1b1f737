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

import numpy as np

from ..constants import nuclear_pdg

__all__ = ["collision_shares", "nucleus_at", "solid_at"]

#: Exponent of A in sigma_inel(p A) ~ A^0.71 (Carroll et al. 1979).
A_EXPONENT = 0.71


def collision_shares(material) -> tuple[np.ndarray, np.ndarray]:
    """``(pdg codes, probabilities)`` of the nuclei of ``material`` struck by a hadron:
    atoms (mass fraction / A) x A^0.71, normalised."""
    frac = dict(material.composition)
    codes, w = [], []
    for sym, z, a in material.elements:
        codes.append(nuclear_pdg(int(z), max(1, int(round(a)))))
        w.append(frac[sym] / a * a**A_EXPONENT)
    w = np.asarray(w, dtype=np.float64)
    return np.asarray(codes, dtype=np.int32), w / w.sum()


def solid_at(beamline, points: np.ndarray) -> np.ndarray:
    """Index (n,) into ``beamline.elements()`` of the solid containing each of ``points`` (n, 3)
    (beam frame, m): the first that contains it (the order that owns overlaps in the cascade);
    -1 for a point in none of them or a row of NaN."""
    points = np.asarray(points, dtype=np.float64)
    n = points.shape[0]
    owner = np.full(n, -1, dtype=np.int64)
    known = np.all(np.isfinite(points), axis=1)
    for k, el in enumerate(beamline.elements()):
        free = np.flatnonzero(known & (owner < 0))
        if free.size == 0:
            break
        inside = np.asarray(el.solid.contains(points[free]), dtype=bool)
        owner[free[inside]] = k
    return owner


def nucleus_at(beamline, points: np.ndarray, u: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
    """PDG code (n,) of the nucleus struck at each of ``points`` (n, 3) (beam frame, m; rows of
    NaN or points in no solid: the target's material), the element chosen by ``u`` (n,)
    uniform in [0, 1) (:func:`collision_shares`; the solid: ``owner``, default
    :func:`solid_at`)."""
    n = np.asarray(points).shape[0]
    elements = beamline.elements()
    owner = (solid_at(beamline, points) if owner is None else np.asarray(owner, dtype=np.int64)).copy()
    owner[owner < 0] = 0  # the target
    out = np.empty(n, dtype=np.int32)
    for k in np.unique(owner):
        sel = np.flatnonzero(owner == k)
        codes, p = collision_shares(elements[int(k)].material)
        cdf = np.cumsum(p)
        cdf[-1] = 1.0
        out[sel] = codes[np.minimum(np.searchsorted(cdf, u[sel], side="right"), codes.size - 1)]
    return out

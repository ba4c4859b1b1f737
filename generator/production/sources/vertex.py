"""Where the primary protons interact in the target or dump.

The beam enters along +z with a gaussian spot (the beamline's ``beam_spot`` sigmas) and
is attenuated with the material's nuclear interaction length lambda_I (PDG "Atomic and
nuclear properties of materials"): the first inelastic interaction point follows the
exponential truncated to the target's chord, exactly as a decay inside a detector, so
the same kernel samples it. The probability that a proton interacts at all is the
"decay" probability of that chord with ell = lambda_I.

Fast path: when every ray of the spot within k sigma (k <= 6) sees the same chord of a
single convex target (z-aligned targets wider than the spot: every packaged beamline),
the depth is one vectorised truncated exponential; rays outside that region take the
general path (chords; rays missing the target are drawn again), so the result is exact
either way.
"""

from __future__ import annotations

from functools import lru_cache

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...kinematics import sample_decay_distance

__all__ = ["sample_interaction_points", "source_points", "source_parts", "source_sample",
           "interacting_fraction", "ray_toward_detector"]


_SPOT_SIGMAS = 6.0


@lru_cache(maxsize=32)
def _start_z(beamline) -> float:
    lo, _ = beamline.target.solid.extent()
    return min(float(lo[2]), 0.0) - 1.0


def _rays(origins_xy: np.ndarray, z0: float) -> tuple[np.ndarray, np.ndarray]:
    n = origins_xy.shape[0]
    origins = np.empty((n, 3))
    origins[:, :2] = origins_xy
    origins[:, 2] = z0
    dirs = np.zeros((n, 3))
    dirs[:, 2] = 1.0
    return origins, dirs


@lru_cache(maxsize=32)
def _uniform_chord(beamline) -> tuple[float, float, float] | None:
    """(k, t_in, t_out): every ray within k sigma of the spot (k <= 6) sees the chord
    [t_in, t_out] of the (single, convex) target; None if not even k = 1 qualifies."""
    if len(beamline.target.solid.volumes) != 1:
        return None
    sx, sy = beamline.beam_spot
    z0 = _start_z(beamline)
    for k in np.arange(6.0, 0.99, -0.25):
        g = np.linspace(-k, k, 13)
        xy = np.array([(a * sx, b * sy) for a in g for b in g])
        o, d = _rays(xy, z0)
        seg = beamline.target.solid.chords(o, d)
        if not np.all(seg.n == 1):
            continue
        t_in, t_out = seg.t_in[:, 0], seg.t_out[:, 0]
        # a convex target with the same chord on the corners and edges of the box has
        # it everywhere inside (packaged targets are single boxes or cylinders)
        if np.ptp(t_in) <= 1e-12 and np.ptp(t_out) <= 1e-12:
            return float(k), float(t_in[0]), float(t_out[0])
    return None


def _spot(beamline, n: int, rng: np.random.Generator) -> np.ndarray:
    sx, sy = beamline.beam_spot
    xy = np.empty((n, 2))
    xy[:, 0] = rng.normal(0.0, sx, n) if sx > 0 else 0.0
    xy[:, 1] = rng.normal(0.0, sy, n) if sy > 0 else 0.0
    return xy


def _general(beamline, xy: np.ndarray, u: np.ndarray, z0: float, lam: float, rng) -> np.ndarray:
    """Exact path: chord of each ray; rays missing the target are drawn again (those
    protons do not interact; only interacting protons make mesons)."""
    solid = beamline.target.solid
    o, d = _rays(xy, z0)
    seg = solid.chords(o, d)
    for _ in range(1000):
        miss = seg.n == 0
        if not miss.any():
            break
        o2, _ = _rays(_spot(beamline, int(miss.sum()), rng), z0)
        s2 = solid.chords(o2, d[miss])
        o[miss] = o2
        seg.n[miss], seg.t_in[miss], seg.t_out[miss] = s2.n, s2.t_in, s2.t_out
    else:
        raise ValueError(f"beam spot of {beamline.name!r} misses its target")
    # depth measured from the entry into the target: the ray's start is outside it
    t0 = seg.t_in[:, 0].copy()
    dist = sample_decay_distance(seg.n, seg.t_in - t0[:, None], seg.t_out - t0[:, None], np.full(len(u), lam), u)
    return o + (t0 + dist)[:, None] * d


def sample_interaction_points(beamline, n: int, rng: np.random.Generator) -> np.ndarray:
    """First-interaction points (n,3) in the beam frame, m, of protons that interact.

    Draws the spot (x, y gaussian) and one uniform for the depth per proton from ``rng``
    (and more spot draws for the rare rays that miss the target).
    """
    lam = beamline.target.material.interaction_length_m
    sx, sy = beamline.beam_spot
    xy = _spot(beamline, n, rng)
    u = rng.random(n)
    z0 = _start_z(beamline)
    fast = _uniform_chord(beamline)
    if fast is None:
        return _general(beamline, xy, u, z0, lam, rng)
    k, t_in, t_out = fast
    out = np.empty((n, 3))
    far = np.empty(n, dtype=np.bool_)
    _uniform_depth_kernel(xy, u, z0 + t_in, lam, float(np.expm1(-(t_out - t_in) / lam)), k * sx, k * sy, out, far)
    if far.any():
        out[far] = _general(beamline, xy[far], u[far], z0, lam, rng)
    return out


@numba.njit(**JIT_OPTIONS)
def _uniform_depth_kernel(xy, u, z_in, lam, e, x_max, y_max, out, far):  # pragma: no cover - compiled
    """The fast path of :func:`sample_interaction_points` per proton: ``out`` (n, 3) the spot's
    ``xy`` and the depth of the truncated exponential on the uniform chord,
    ``z_in - lam log1p(u e)`` with ``e = expm1(-(t_out - t_in)/lam)`` (the stable form,
    docs/physics.md#from-production-to-detection; the same operations as
    :func:`uniform_depth_numpy`); ``far``: the rays outside the box ``|x| <= x_max``,
    ``|y| <= y_max`` where the chord is known, drawn again by the general path."""
    for i in range(u.size):
        x = xy[i, 0]
        y = xy[i, 1]
        out[i, 0] = x
        out[i, 1] = y
        out[i, 2] = z_in - lam * np.log1p(u[i] * e)
        far[i] = abs(x) > x_max or abs(y) > y_max


def uniform_depth_numpy(xy, u, z_in, lam, e, x_max, y_max):
    """Plain-numpy reference of :func:`_uniform_depth_kernel`: ``(out (n, 3), far (n,))``."""
    out = np.empty((len(u), 3))
    out[:, :2] = xy
    out[:, 2] = z_in - lam * np.log1p(u * e)
    return out, (np.abs(xy[:, 0]) > x_max) | (np.abs(xy[:, 1]) > y_max)


def source_points(beamline, source, n: int, rng: np.random.Generator) -> np.ndarray:
    """Production points (n, 3) of ``source``'s mesons: its own ``points`` (a cascade source
    made throughout the beamline's solids), else the beam's first-interaction points."""
    pts = getattr(source, "points", None)
    if pts is not None:
        return pts.sample(n, rng)
    return sample_interaction_points(beamline, n, rng)


def source_parts(beamline, source, n: int, rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """``(parts, points)``: which part of ``source`` makes which of ``n`` mesons
    (:meth:`MesonSource.split`: a cascade source's solids, as consecutive slices;
    ``[(source, slice(0, n))]`` for a source of one part) and their production points (n, 3),
    each from its own part."""
    if not getattr(source, "components", ()):
        return [(source, slice(0, int(n)))], source_points(beamline, source, n, rng)
    parts = source.split(n, rng)
    pts = np.empty((n, 3))
    for part, sl in parts:
        if sl.stop > sl.start:
            pts[sl] = source_points(beamline, part, sl.stop - sl.start, rng)
    return parts, pts


def source_sample(beamline, source, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``(points (n, 3), four-momenta (n, 4))`` of ``n`` mesons of ``source``, point and
    momentum of each from the same part (:func:`source_parts`)."""
    parts, pts = source_parts(beamline, source, n, rng)
    if len(parts) == 1:
        return pts, source.sample(n, rng)
    p4 = np.empty((n, 4))
    for part, sl in parts:
        if sl.stop > sl.start:
            p4[sl] = part.sample(sl.stop - sl.start, rng)
    return pts, p4


def interacting_fraction(beamline, n: int = 20000, seed: int = 12345) -> float:
    """Probability that a beam proton interacts in the target (spot misses count as 0).

    ``1 - exp(-L / lambda_I)`` averaged over the spot, with L the ray's path in the target.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    lam = beamline.target.material.interaction_length_m
    o, d = _rays(_spot(beamline, n, rng), _start_z(beamline))
    seg = beamline.target.solid.chords(o, d)
    length = (seg.t_out - seg.t_in).sum(axis=1)
    return float(np.mean(-np.expm1(-length / lam)))


def ray_toward_detector(beamline, aim, n_points: int, seed: int, solid=None):
    """``(L1, L2)``: where the ray from the centre of the beamline's target solid (or of
    ``solid``) toward the detector's centre of volume (the mean of ``n_points`` uniform points
    of ``aim``, drawn with ``seed``) enters its first and leaves its last active segment (m);
    None if it misses. Proposals weigh energies by the decay probability in that window
    (:func:`fipgen.kinematics.window_decay_probability`); the weights stay exact whatever
    they choose."""
    pts = aim.sample_points(n_points, np.random.Generator(np.random.PCG64(seed)))
    lo, hi = (solid if solid is not None else beamline.target.solid).extent()
    c0 = 0.5 * (lo + hi)
    d = pts.mean(axis=0) - c0
    d /= np.linalg.norm(d)
    seg = aim.chords(c0[None, :], d[None, :])
    if seg.n[0] == 0:
        return None
    return float(seg.t_in[0, 0]), float(seg.t_out[0, seg.n[0] - 1])

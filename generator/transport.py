"""From the production vertex to a decay inside the detector.

For each LLP the exact chord of its ray through the active volume (all segments of a
union) gives the decay probability ``sum_seg exp(-L_in/ell) - exp(-L_out/ell)``, with
``ell = beta*gamma*c*tau`` (docs/physics.md#from-production-to-detection). The decay is forced inside: the position is
drawn from the exponential truncated to the segments (stable expm1/log1p forms), and the
time from the flight at the LLP's speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from ._jit import JIT_OPTIONS
from .constants import C_M_PER_NS
from .kinematics.decay_position import _p_one, _sample_one, decay_probability_and_distance

__all__ = ["Transported", "transport", "transport_numpy"]


@dataclass
class Transported:
    n_seg: np.ndarray
    seg_in: np.ndarray
    seg_out: np.ndarray
    beta_gamma: np.ndarray
    p_decay: np.ndarray
    distance: np.ndarray
    decay_vertex: np.ndarray
    flight_time: np.ndarray


def transport(vertex: np.ndarray, llp_p4: np.ndarray, mass: float, ctau: float, solid, rng: np.random.Generator,
              chords_only: bool = False, segments=None) -> Transported:
    """Force the decay of LLPs (vertex (n,3) m, p4 (n,4) GeV, |p| > 0) inside ``solid`` (beam frame).

    ``chords_only`` (scans, which reweight the chords to every lifetime): the chords and
    ``beta gamma`` only; the decay's uniform is still drawn, so the stream continues as in
    a full transport, and the other fields are None. ``segments``: the chords of these rays
    when the production computed them (fipgen.production.channels.sample.ProductionSample).

    One compiled pass per event (:func:`_transport_kernel`) when the chords are given; the
    same floats as :func:`transport_numpy`, the step-by-step reference."""
    if chords_only or segments is None:
        return transport_numpy(vertex, llp_p4, mass, ctau, solid, rng, chords_only, segments)
    seg = segments
    n = llp_p4.shape[0]
    n_seg = np.ascontiguousarray(seg.n, dtype=np.int64)
    if seg.t_in.shape != seg.t_out.shape or seg.t_in.shape[0] != n or np.any((n_seg < 0) | (n_seg > seg.t_in.shape[1])):
        raise ValueError(f"segments do not fit {n} rays")
    u = rng.random(n)
    out = np.empty((5, n))
    decay_vertex = np.empty((n, 3))
    _transport_kernel(np.ascontiguousarray(vertex, dtype=np.float64), np.ascontiguousarray(llp_p4, dtype=np.float64),
                      float(mass), float(ctau), n_seg, np.ascontiguousarray(seg.t_in, dtype=np.float64),
                      np.ascontiguousarray(seg.t_out, dtype=np.float64), u, C_M_PER_NS, out, decay_vertex)
    if np.any(~(out[1] > 0.0)):
        raise ValueError("decay lengths ell must be > 0 (inf allowed)")
    return Transported(seg.n, seg.t_in, seg.t_out, out[0], out[2], out[3], decay_vertex, out[4])


def transport_numpy(vertex, llp_p4, mass, ctau, solid, rng, chords_only=False, segments=None) -> Transported:
    """:func:`transport` step by step (numpy and the decay-position kernels): the reference of
    its fused kernel, and the path of chords not yet computed and of ``chords_only``."""
    p3 = llp_p4[:, :3]
    p = np.sqrt((p3[:, 0] * p3[:, 0] + p3[:, 1] * p3[:, 1]) + p3[:, 2] * p3[:, 2])
    dirs = p3 / p[:, None]
    seg = solid.chords(vertex, dirs) if segments is None else segments
    bg = p / mass
    if chords_only:
        rng.random(len(p))
        return Transported(seg.n, seg.t_in, seg.t_out, bg, None, None, None, None)
    ell = bg * ctau
    u = rng.random(len(p))
    p_decay, dist = decay_probability_and_distance(seg.n, seg.t_in, seg.t_out, ell, u)
    decay_vertex = vertex + dist[:, None] * dirs
    beta = p / llp_p4[:, 3]
    flight_time = dist / (beta * C_M_PER_NS)
    return Transported(seg.n, seg.t_in, seg.t_out, bg, p_decay, dist, decay_vertex, flight_time)


@numba.njit(**JIT_OPTIONS)
def _transport_kernel(vertex, p4, mass, ctau, n_seg, seg_in, seg_out, u, c, out, decay_vertex):  # pragma: no cover
    """Per event ``i``, :func:`transport_numpy`'s operations in its order: ``out[0]`` beta gamma,
    ``out[1]`` the decay length, ``out[2]`` the decay probability, ``out[3]`` the distance,
    ``out[4]`` the flight time (``c`` m/ns); ``decay_vertex`` (n, 3)."""
    for i in range(p4.shape[0]):
        px, py, pz = p4[i, 0], p4[i, 1], p4[i, 2]
        p = np.sqrt((px * px + py * py) + pz * pz)
        bg = p / mass
        ell = bg * ctau
        out[0, i] = bg
        out[1, i] = ell
        if not (ell > 0.0):
            out[2, i] = np.nan
            out[3, i] = np.nan
            continue
        dist = _sample_one(n_seg, seg_in, seg_out, i, ell, u[i])
        out[2, i] = _p_one(n_seg, seg_in, seg_out, i, ell)
        out[3, i] = dist
        decay_vertex[i, 0] = vertex[i, 0] + dist * (px / p)
        decay_vertex[i, 1] = vertex[i, 1] + dist * (py / p)
        decay_vertex[i, 2] = vertex[i, 2] + dist * (pz / p)
        out[4, i] = dist / ((p / p4[i, 3]) * c)

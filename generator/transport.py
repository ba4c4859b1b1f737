"""From the production vertex to a decay inside the detector.

For each LLP the exact chord of its ray through the active volume (all segments of a
union) gives the decay probability ``sum_seg exp(-L_in/ell) - exp(-L_out/ell)``, with
``ell = beta*gamma*c*tau`` (docs/physics.md#from-production-to-detection). The decay is forced inside: the position is
drawn from the exponential truncated to the segments (stable expm1/log1p forms), and the
time from the flight at the LLP's speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import C_M_PER_NS
from .kinematics.decay_position import decay_probability_and_distance

__all__ = ["Transported", "transport"]


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
    when the production computed them (fipgen.production.channels.sample.ProductionSample)."""
    p3 = llp_p4[:, :3]
    p = np.sqrt(np.einsum("ij,ij->i", p3, p3))
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

"""Where the primary protons interact in the target or dump.

The beam enters along +z with a gaussian spot (the beamline's ``beam_spot`` sigmas) and
is attenuated with the material's nuclear interaction length lambda_I (PDG "Atomic and
nuclear properties of materials"): the first inelastic interaction point follows the
exponential truncated to the target's chord, exactly as a decay inside a detector, so
the same kernel samples it. The probability that a proton interacts at all is the
"decay" probability of that chord with ell = lambda_I.
"""

from __future__ import annotations

import numpy as np

from ..kinematics import decay_probability, sample_decay_distance


def _beam_rays(beamline, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    sx, sy = beamline.beam_spot
    lo, hi = beamline.target.solid.extent()
    origins = np.empty((n, 3))
    origins[:, 0] = rng.normal(0.0, sx, n) if sx > 0 else 0.0
    origins[:, 1] = rng.normal(0.0, sy, n) if sy > 0 else 0.0
    origins[:, 2] = min(lo[2], 0.0) - 1.0
    dirs = np.zeros((n, 3))
    dirs[:, 2] = 1.0
    return origins, dirs


def sample_interaction_points(beamline, n: int, rng: np.random.Generator) -> np.ndarray:
    """First-interaction points (n,3) in the beam frame, m, of protons that interact.

    Protons of the beam spot that miss the target are redrawn only in the sense that the
    spot is sampled again for those rays (the interacting fraction quoted by
    :func:`interacting_fraction` accounts for the miss probability).
    """
    lam = beamline.target.material.interaction_length_m
    solid = beamline.target.solid
    origins, dirs = _beam_rays(beamline, n, rng)
    seg = solid.chords(origins, dirs)
    miss = seg.n == 0
    # a wide spot on a narrow target: redraw the misses (bounded loop; the spot of every
    # packaged beamline lies within its target, so this rarely runs)
    for _ in range(100):
        if not miss.any():
            break
        o2, d2 = _beam_rays(beamline, int(miss.sum()), rng)
        s2 = solid.chords(o2, d2)
        origins[miss] = o2
        seg.n[miss] = s2.n
        seg.t_in[miss] = s2.t_in
        seg.t_out[miss] = s2.t_out
        miss = seg.n == 0
    if miss.any():
        raise ValueError(f"beam spot of {beamline.name!r} misses its target")
    u = rng.random(n)
    ell = np.full(n, lam)
    dist = sample_decay_distance(seg.n, seg.t_in, seg.t_out, ell, u)
    return origins + dist[:, None] * dirs


def interacting_fraction(beamline, n: int = 20000, seed: int = 12345) -> float:
    """Probability that a beam proton interacts in the target (spot misses included)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    lam = beamline.target.material.interaction_length_m
    origins, dirs = _beam_rays(beamline, n, rng)
    seg = beamline.target.solid.chords(origins, dirs)
    return float(np.mean(decay_probability(seg.n, seg.t_in, seg.t_out, np.full(n, lam))))

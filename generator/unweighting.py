"""Unit-weight samples from weighted ones (``fipgen generate --unweighted N``).

:class:`Unweighting` documents the accept-reject and the equivalent POT; :func:`max_unweighted`
gives the largest N a sample supports (at most :data:`MAX_WEIGHT_ABOVE` of its weight above the
reference weight); :func:`plan_unweighting` draws the kept events from the random-stream family
:data:`fipgen.rng.UNWEIGHT_STREAM`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .rng import UNWEIGHT_STREAM, block_rng

__all__ = ["MAX_WEIGHT_ABOVE", "UNWEIGHT_OVERSAMPLE", "Unweighting", "max_unweighted", "plan_unweighting"]


#: The largest bias an unweighted sample may carry: the fraction of the weight above ``w_ref``
#: (``fraction_weight_above``) allowed in ``fipgen generate --unweighted N`` (0.01 = 1 %). A
#: request needing more is refused (:func:`max_unweighted` gives the largest N allowed).
MAX_WEIGHT_ABOVE = 0.01

#: Expected accepted events per requested unit-weight event (a subset of exactly N is then kept).
UNWEIGHT_OVERSAMPLE = 1.05


@dataclass
class Unweighting:
    """Accept-reject of a weighted sample to ``n`` unit-weight events (``fipgen generate
    --unweighted N``): event ``i`` is accepted with probability ``min(1, w_i / w_ref)``, ``w_ref``
    set so that the expected number accepted is 1.05 n, and a uniform random subset of exactly
    ``n`` is kept (fewer if fewer were accepted). Each kept event stands for ``w_ref x
    n_accepted / n`` expected events at the run's POT, so the sample's equivalent exposure is
    ``pot_equivalent = POT n / (w_ref n_accepted)``: ``n`` expected events at that POT. Events
    with ``w > w_ref`` are kept with probability 1 but carry more than one event's worth:
    ``fraction_events_above`` and ``fraction_weight_above`` say how much; the distributions are
    exact where ``w <= w_ref``, and ``fraction_weight_above`` is the sample's bias.

    The larger ``n``, the lower ``w_ref`` and the larger that bias: ``supported`` is the largest
    ``n`` whose ``fraction_weight_above`` is at most :data:`MAX_WEIGHT_ABOVE` (1 %)
    (:func:`max_unweighted`). :func:`run` refuses a request above it before writing anything
    (a request close to the number of non-zero weights would otherwise push ``w_ref`` to 0 and
    the equivalent POT to absurd values)."""

    requested: int
    w_ref: float = 0.0
    accepted: int = 0
    kept: int = 0
    pot_equivalent: float = 0.0
    fraction_events_above: float = 0.0
    fraction_weight_above: float = 0.0
    supported: int = 0  # largest n with fraction_weight_above <= MAX_WEIGHT_ABOVE
    keep: np.ndarray | None = None  # global event indices kept, sorted

    def as_dict(self) -> dict:
        return {"requested": self.requested, "w_ref": self.w_ref, "accepted": self.accepted, "kept": self.kept,
                "pot_equivalent": self.pot_equivalent, "fraction_events_above_w_ref": self.fraction_events_above,
                "fraction_weight_above_w_ref": self.fraction_weight_above, "max_supported": self.supported}


def _weight_above(pos: np.ndarray, w_ref: float) -> float:
    """Fraction of the (positive) weight above ``w_ref``: sum max(w - w_ref, 0) / sum w."""
    return float(np.sum(np.maximum(pos - w_ref, 0.0)) / pos.sum())


def _w_ref_at_bias(pos: np.ndarray, limit: float) -> float:
    """The smallest ``w_ref`` whose fraction of the weight above it is ``limit`` (exact: that
    fraction, ``(sum_{w > r} w - k r) / sum w`` with ``k`` weights above ``r``, is linear in ``r``
    between consecutive weights)."""
    ws = np.sort(pos)[::-1]  # descending
    tot = float(ws.sum())
    k = np.arange(1, ws.size + 1)
    r = (np.cumsum(ws) - limit * tot) / k  # the solution if exactly k weights lie above it
    below = np.append(ws[1:], 0.0)  # the k-th segment: [ws[k], ws[k-1]]
    ok = np.flatnonzero((r >= below) & (r <= ws))
    return float(r[ok[0]]) if ok.size else float(ws[-1])


def max_unweighted(w: np.ndarray, limit: float = MAX_WEIGHT_ABOVE) -> int:
    """The largest number of unit-weight events a weighted sample ``w`` supports: the largest
    ``n`` whose ``w_ref`` (:func:`_plan_unweighting`: ``sum min(1, w / w_ref) = 1.05 n``) leaves
    at most ``limit`` of the weight above ``w_ref``. 0 without a positive weight."""
    pos = np.asarray(w, dtype=float)
    pos = pos[pos > 0]
    if pos.size == 0:
        return 0
    r = _w_ref_at_bias(pos, limit)
    expected = min(float(np.minimum(1.0, pos / r).sum()), float(pos.size))
    n = int(math.floor(expected / UNWEIGHT_OVERSAMPLE))
    # the rule itself decides at the boundary (the sums above round differently)
    while n > 0 and _weight_above(pos, _solve_w_ref(pos, n)) > limit:
        n -= 1
    while _weight_above(pos, _solve_w_ref(pos, n + 1)) <= limit:
        n += 1
    return n


def _solve_w_ref(pos: np.ndarray, n: int) -> float:
    """``w_ref`` with ``sum min(1, w / w_ref) = min(1.05 n, number of positive weights)``
    (bisection in log w_ref; the expected number accepted decreases with w_ref)."""
    target = min(UNWEIGHT_OVERSAMPLE * n, float(pos.size))
    lo, hi = float(pos.min()) * 1e-12, float(pos.max())
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        e = float(np.minimum(1.0, pos / mid).sum())
        if e > target:
            lo = mid
        else:
            hi = mid
    return hi


def _plan_unweighting(w: np.ndarray, n: int, pot: float, seed: int) -> Unweighting:
    """The accept-reject plan of :class:`Unweighting` for ``n`` events (whether or not ``n`` is
    supported: ``u.supported`` says; :func:`run` refuses above it)."""
    u = Unweighting(int(n))
    pos = w[w > 0]
    if pos.size == 0:
        u.keep = np.zeros(0, dtype=np.int64)
        return u
    w_ref = _solve_w_ref(pos, n)
    rng = block_rng(seed, 0, (UNWEIGHT_STREAM,))
    acc = np.flatnonzero(rng.random(w.size) < np.minimum(1.0, w / w_ref))
    keep = np.sort(rng.choice(acc, size=min(n, acc.size), replace=False)) if acc.size else acc
    u.w_ref, u.accepted, u.kept, u.keep = float(w_ref), int(acc.size), int(keep.size), keep
    u.pot_equivalent = pot * keep.size / (w_ref * acc.size) if acc.size else 0.0
    u.fraction_events_above = float(np.mean(pos > w_ref))
    u.fraction_weight_above = _weight_above(pos, w_ref)
    u.supported = max_unweighted(pos)
    return u




#: The planner under its public name (:func:`_plan_unweighting`).
plan_unweighting = _plan_unweighting

"""Event-count thresholds for sensitivity contours (90 % CL by default).

* ``"background-free"``: 2.3 events (``-ln 0.1``: zero observed, no background).
* ``"poisson"``: the classical upper limit on the signal mean ``s`` for ``n`` observed
  events over a known background ``b``: the ``s`` with ``P(N <= n | s + b) = 1 - CL``, with
  ``n`` the observation the background alone makes most likely (``floor(b)``, the mode of the
  Poisson distribution): a median-sensitivity convention.
* ``"feldman-cousins"``: the upper end of the Feldman-Cousins (Phys. Rev. D 57, 3873 (1998))
  interval for the same ``n`` and ``b``, with the likelihood-ratio ordering of their paper,
  built on a grid of ``s`` (steps of 0.001 events); for ``b = 0``, ``n = 0`` it gives 2.44
  (their table IV).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LIMITS", "event_threshold"]

LIMITS = ("background-free", "poisson", "feldman-cousins")


def _poisson_upper(n: int, b: float, cl: float) -> float:
    from scipy import stats
    from scipy.optimize import brentq

    f = lambda s: stats.poisson.cdf(n, s + b) - (1.0 - cl)  # noqa: E731
    hi = max(10.0, 3.0 * (n + b) + 20.0)
    if f(0.0) <= 0.0:
        return 0.0
    return float(brentq(f, 0.0, hi, xtol=1e-10))


def _fc_accepts(n0: int, b: float, cl: float, s_grid: np.ndarray, n_max: int) -> np.ndarray:
    """Whether ``n0`` lies in the Feldman-Cousins acceptance region of each signal mean."""
    from scipy import stats

    ns = np.arange(n_max + 1)
    p = stats.poisson.pmf(ns[None, :], s_grid[:, None] + b)
    best = stats.poisson.pmf(ns, np.maximum(ns - b, 0.0) + b)
    r = p / best[None, :]
    order = np.argsort(-r, axis=1, kind="stable")
    acc = np.cumsum(np.take_along_axis(p, order, axis=1), axis=1)
    k = (acc < cl).sum(axis=1) + 1  # smallest set reaching cl
    rank = np.argsort(order, axis=1)[:, n0]  # position of n0 in each ordering
    return rank < k


def _fc_upper(n0: int, b: float, cl: float, step: float = 0.001) -> float:
    n_max = int(max(50, 5 * (n0 + b) + 50))
    s_hi = max(10.0, 3.0 * (n0 + b) + 20.0)
    coarse = np.arange(0.0, s_hi, 0.05)
    ok = _fc_accepts(n0, b, cl, coarse, n_max)
    if not ok.any():
        return 0.0
    last = coarse[np.flatnonzero(ok)[-1]]
    fine = np.arange(max(0.0, last - 0.05), last + 0.1 + step, step)
    okf = _fc_accepts(n0, b, cl, fine, n_max)
    return float(fine[np.flatnonzero(okf)[-1]])


def event_threshold(limit: str = "background-free", background: float = 0.0, cl: float = 0.9) -> float:
    """Signal events that define the contour (module docstring)."""
    if limit not in LIMITS:
        raise ValueError(f"limit {limit!r}: allowed {', '.join(LIMITS)}")
    if not (0.0 < cl < 1.0):
        raise ValueError(f"confidence level {cl!r}: need 0 < cl < 1")
    if not (background >= 0.0 and math.isfinite(background)):
        raise ValueError(f"background {background!r}: need a finite number >= 0")
    if limit == "background-free":
        if background != 0.0:
            raise ValueError("the background-free limit takes no background; use 'poisson' or 'feldman-cousins'")
        return -math.log(1.0 - cl)
    n = int(math.floor(background))
    if limit == "poisson":
        return _poisson_upper(n, background, cl)
    return _fc_upper(n, background, cl)

"""The cascade's per-step arithmetic on plain floats, bit-identical to numpy.

The cascade (:mod:`.engine`) follows one particle at a time and one step at a time, so
each look-up is for one float: there ``numpy.interp`` costs ~3 us of argument handling
for ~50 ns of work. Here:

* :func:`interp`: ``numpy.interp`` for one float, in plain Python on lists (``bisect``
  for the bin), following numpy's ``arr_interp`` (numpy/_core/src/multiarray/
  compiled_base.c) branch for branch;
* :class:`StoppingLookup`: :meth:`~fipgen.geometry.stopping.StoppingTable.range_m` and
  :meth:`~fipgen.geometry.stopping.StoppingTable.momentum` of one table with it;
* :func:`glide`: the steps of a charged particle that can no longer interact (a muon, a
  hadron below the interaction threshold: ~80 % of all steps at 9 GeV) in one loop.

Bit-identical, not just close: the logarithm and exponential stay numpy's (``np.log``
and ``np.exp`` of a float, ~0.2 us). numpy's own vectorised ``log`` and ``exp`` differ
from ``math.log``/``math.exp`` in the last bit for some arguments (with AVX-512: ~0.04 %
of logarithms, ~5 % of exponentials), which would change the cascade's random path; for
the same reason :func:`glide` is Python and not numba. tests/test_hadron_cascade.py
compares all three with numpy and with the engine's general step.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from ..constants import C_M_PER_NS

__all__ = ["interp", "StoppingLookup", "LEFT", "STOPPED", "DECAYED", "SLOW", "glide"]

#: Ends of :func:`glide`: at the end of the segment, stopped, decayed, below the threshold.
LEFT, STOPPED, DECAYED, SLOW = 0, 1, 2, 3


def interp(x: float, xp: list[float], fp: list[float]) -> float:
    """``numpy.interp(x, xp, fp)`` for one float ``x`` and increasing ``xp`` (lists), same bits.

    Outside ``[xp[0], xp[-1]]`` the end values; at a node its value; else the linear
    interpolation ``slope * (x - xp[j]) + fp[j]`` of numpy (with its NaN fall-backs).
    """
    if x != x:  # NaN
        return x
    n = len(xp)
    j = bisect_right(xp, x) - 1  # xp[j] <= x < xp[j + 1], as numpy's binary search
    if j < 0:
        return fp[0]
    if j >= n - 1:
        return fp[n - 1]
    x0 = xp[j]
    if x0 == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - x0)
    r = slope * (x - x0) + fp[j]
    if r != r:  # NaN: try from the other end
        r = slope * (x - xp[j + 1]) + fp[j + 1]
        if r != r and fp[j] == fp[j + 1]:
            r = fp[j]
    return r


class StoppingLookup:
    """Scalar :meth:`range_m` and :meth:`momentum` of one
    :class:`~fipgen.geometry.stopping.StoppingTable`, bit-identical to its (array) methods."""

    __slots__ = ("mass", "rho_100", "ln_bg", "range_gcm2")

    def __init__(self, table):
        self.mass = float(table.mass)
        self.rho_100 = 100.0 * table.material.density  # g/cm^2 per m, as StoppingTable.range_m divides
        self.ln_bg = [float(v) for v in table.ln_bg]
        self.range_gcm2 = [float(v) for v in table.range_gcm2]

    def range_m(self, p: float) -> float:
        """CSDA range (m) at momentum ``p`` (GeV/c)."""
        return interp(float(np.log(p / self.mass)), self.ln_bg, self.range_gcm2) / self.rho_100

    def momentum(self, range_gcm2: float) -> float:
        """Momentum (GeV/c) with residual range ``range_gcm2`` (g/cm^2)."""
        return self.mass * float(np.exp(interp(range_gcm2, self.range_gcm2, self.ln_bg)))


def glide(look: StoppingLookup, m: float, pmag: float, e: float, t: float, tau_left: float, s: float, t_out: float,
          range_step: float, ion_total: float, ion_here: float, e_slow: float):
    """A charged particle that cannot interact, from ``s`` to ``t_out`` (m) in one solid.

    Steps of ``range_step`` of the residual CSDA range (at least 0.1 mm) or less, to the
    end of the segment, of the range or of the proper length to the decay ``tau_left``
    (m); the time ``t`` (ns) advances with the mean velocity of each step; the ionisation
    loss of each step is added to ``ion_total`` and to ``ion_here``, in turn. The particle
    also ends when its kinetic energy falls below ``e_slow`` (``-inf``: never).

    Returns ``(end, s, pmag, e, t, tau_left, ion_total, ion_here)``, ``end`` one of
    :data:`LEFT` (at ``t_out``), :data:`STOPPED`, :data:`DECAYED`, :data:`SLOW`. The
    arithmetic is the engine's general step with no interaction, operation for operation.
    """
    ln_bg, rng_tab, mass, rho_100 = look.ln_bg, look.range_gcm2, look.mass, look.rho_100
    log, exp, hypot = np.log, np.exp, math.hypot
    while s < t_out:
        rng_res = interp(float(log(pmag / mass)), ln_bg, rng_tab) / rho_100
        step = min(t_out - s, max(range_step * rng_res, 1e-4))
        s_dec = tau_left * pmag / m
        ds = min(step, s_dec, rng_res)
        if ds >= rng_res:
            p_new = 0.0
        else:
            p_new = mass * float(exp(interp((rng_res - ds) * rho_100, rng_tab, ln_bg)))
        e_new = hypot(p_new, m)
        dep = e - e_new
        ion_total += dep
        ion_here += dep
        p_mid = 0.5 * (pmag + p_new)
        beta_mid = p_mid / hypot(p_mid, m) if p_mid > 0 else 1e-3
        t += ds / beta_mid / C_M_PER_NS
        tau_left -= ds * m / max(p_mid, 1e-9)
        s += ds
        pmag, e = p_new, e_new
        if ds == rng_res or pmag <= 0.0:
            return STOPPED, s, pmag, e, t, tau_left, ion_total, ion_here
        if ds == s_dec:
            return DECAYED, s, pmag, e, t, tau_left, ion_total, ion_here
        if e - m < e_slow:
            return SLOW, s, pmag, e, t, tau_left, ion_total, ion_here
    return LEFT, s, pmag, e, t, tau_left, ion_total, ion_here

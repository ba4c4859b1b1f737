"""Bremsstrahlung of ALPs and Z's (e Z -> e Z a, e Z -> e Z Z') off the shower's electrons and
positrons: the kernel.

The ALP's cross section is :func:`fipgen.models.alp_xsec.brems_d2sigma_dx_dl`: the
Weizsaecker-Williams form of Kim and Tsai, PRD 8 (1973) 3109 and Tsai, PRD 34 (1986) 1326
(their equation numbers were not readable here; the formula, its transcription and its checks
are in alp_xsec's docstring, item 5), with Tsai's elastic and inelastic form factors (Rev. Mod.
Phys. 46 (1974) 815); the Z''s (``vector=True``) is
:func:`fipgen.models.zprime_xsec.brems_d2sigma_dx_dl`, the same Weizsaecker-Williams form with
the vector's Compton-like matrix element (that module's docstring, item 4). ``x = E_a/E`` the boson's share
of the lepton's total energy E, ``l = (E theta/m_e)^2`` with theta the ALP's angle to the lepton.
It is steep in both (a peak at ``1 - x ~ m_e/E``, a tail ``~ e^-v`` in ``v = ln(1 + l)``), so the
kernel samples ``(x, l)`` from a proposal and returns the exact weight: per energy of a log-spaced
grid (steps of at most 0.35 in ln E, from the threshold ``m_a + m_e`` to the table's top energy)
the cross section is integrated (3 x 3 Gauss-Legendre points per cell) on cells of width <= 0.6 in

    y = ln(2x)            (x < 1/2)      v = ln(1 + l)  in [0, ln(1 + (E theta_max/m_e)^2)]
    y = -ln(2(1 - x))     (x >= 1/2)

giving ``sigma(E_k)`` and a piecewise-constant density over the cells (95 % the cell integrals,
5 % uniform, so no cell of the support is empty). At an energy E between grid points k and k+1
(log position f) the cell is drawn from grid k+1 with probability ``(1 + f)/2`` and from grid k
otherwise; grid k+1's support contains E's (x range ``[m_a/E, 1 - m_e/E]`` and v range widen
with E), so the mixture covers every (x, l) of nonzero cross section. The weight of a sample is
``(d2sigma/dx dl)(1 + l)(dx/dy) / g(y, v)`` with g the mixture's density: an unbiased estimate of
``sigma(E)`` whose expectation over the kernel's draws is the exact integral, whatever the grid.

Choices (documented): angles above ``THETA_MAX = 1 rad`` are not produced (the WW formula is a
small-angle one; at E = 0.1 GeV the cross section above 1 rad is ~1e-4 of the total, less at
higher energies); ``sigma(E)`` between grid points is interpolated log-log (it sets only the
reported ALPs per POT and the energy proposal, not the weights' expectation) and linearly from
zero at the threshold to the first grid point.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...models import alp_xsec as X
from ...models import zprime_xsec as ZX

__all__ = ["THETA_MAX", "BremsKernel"]

#: Largest ALP angle to the lepton produced (rad).
THETA_MAX = 1.0
_CELL = 0.6
_LN_STEP = 0.35
_FLOOR = 0.05
_G3_X, _G3_W = np.polynomial.legendre.leggauss(3)


@numba.njit(**JIT_OPTIONS)
def _x_of_y(y):  # pragma: no cover - compiled
    return 0.5 * math.exp(y) if y < 0.0 else 1.0 - 0.5 * math.exp(-y)


@numba.njit(**JIT_OPTIONS)
def _y_of_x(x):  # pragma: no cover - compiled
    return math.log(2.0 * x) if x < 0.5 else -math.log(2.0 * (1.0 - x))


@numba.njit(**JIT_OPTIONS)
def _dx_dy(y):  # pragma: no cover - compiled
    return 0.5 * math.exp(y) if y < 0.0 else 0.5 * math.exp(-y)


@numba.njit(**JIT_OPTIONS)
def _d2sigma(vector, x, l, E, m_a, Z, A):  # pragma: no cover - compiled
    """``d2sigma/dx dl`` per atom at unit coupling: the Z''s (``vector``) or the ALP's."""
    if vector:
        return ZX.brems_d2sigma_dx_dl(x, l, E, m_a, 1.0, Z, A)
    return X.brems_d2sigma_dx_dl(x, l, E, m_a, 1.0, Z, A)


@numba.njit(**JIT_OPTIONS)
def _grid_shape(E, m_a, th_max, cell):  # pragma: no cover - compiled
    xlo, xhi = X.brems_x_range(E, m_a)
    y0 = _y_of_x(xlo)
    y1 = _y_of_x(xhi)
    ny = max(1, int(math.ceil((y1 - y0) / cell)))
    vmax = min(math.log1p((E * th_max / X.M_E) ** 2), 64.0)
    nv = max(1, int(math.ceil(vmax / cell)))
    return y0, (y1 - y0) / ny, ny, vmax / nv, nv


@numba.njit(**JIT_OPTIONS)
def _tables(E_grid, m_a, Z, A, th_max, cell, gx, gw, floor, vector):  # pragma: no cover - compiled
    nk = E_grid.size
    y0 = np.empty(nk)
    dy = np.empty(nk)
    dv = np.empty(nk)
    ny = np.empty(nk, dtype=np.int64)
    nv = np.empty(nk, dtype=np.int64)
    for k in range(nk):
        y0[k], dy[k], ny[k], dv[k], nv[k] = _grid_shape(E_grid[k], m_a, th_max, cell)
    NY = ny.max()
    NV = nv.max()
    prob = np.zeros((nk, NY * NV))
    sig = np.zeros(nk)
    for k in range(nk):
        E = E_grid[k]
        for iy in range(ny[k]):
            for iv in range(nv[k]):
                s = 0.0
                for a in range(gx.size):
                    y = y0[k] + (iy + 0.5 * (gx[a] + 1.0)) * dy[k]
                    x = _x_of_y(y)
                    jy = _dx_dy(y)
                    for b in range(gx.size):
                        v = (iv + 0.5 * (gx[b] + 1.0)) * dv[k]
                        l = math.expm1(v)
                        s += gw[a] * gw[b] * _d2sigma(vector, x, l, E, m_a, Z, A) * (1.0 + l) * jy
                s *= 0.25 * dy[k] * dv[k]
                prob[k, iy * NV + iv] = s
                sig[k] += s
        ncell = ny[k] * nv[k]
        for iy in range(ny[k]):
            for iv in range(nv[k]):
                c = iy * NV + iv
                p = prob[k, c] / sig[k] if sig[k] > 0.0 else 0.0
                prob[k, c] = (1.0 - floor) * p + floor / ncell
    cdf = np.empty_like(prob)
    for k in range(nk):
        acc = 0.0
        for c in range(NY * NV):
            acc += prob[k, c]
            cdf[k, c] = acc
    return y0, dy, ny, dv, nv, NV, prob, cdf, sig


@numba.njit(**JIT_OPTIONS)
def _density(k, y, v, y0, dy, ny, dv, nv, NV, prob):  # pragma: no cover - compiled
    iy = int(math.floor((y - y0[k]) / dy[k]))
    iv = int(math.floor(v / dv[k]))
    if iy < 0 or iy >= ny[k] or iv < 0 or iv >= nv[k]:
        return 0.0
    return prob[k, iy * NV + iv] / (dy[k] * dv[k])


@numba.njit(**JIT_OPTIONS)
def _sample(E, m_a, g, Z, A, th_max, E_grid, y0, dy, ny, dv, nv, NV, prob, cdf, rng, vector):  # pragma: no cover - compiled
    """Per lepton energy: (E_a, cos theta to the lepton, weight in GeV^-2); E_a = nan for zero weight."""
    n = E.size
    nk = E_grid.size
    ea = np.full(n, np.nan)
    ct = np.full(n, np.nan)
    wt = np.zeros(n)
    g2 = g * g
    for i in range(n):
        e = E[i]
        xlo, xhi = X.brems_x_range(e, m_a)
        if not xhi > xlo:
            continue
        up = np.searchsorted(E_grid, e)
        if up >= nk:
            up = nk - 1
        lo = up - 1
        p_up = 1.0
        if lo >= 0 and E_grid[up] > e:
            f = math.log(e / E_grid[lo]) / math.log(E_grid[up] / E_grid[lo])
            p_up = 0.5 * (1.0 + f)
        k = up if (lo < 0 or rng.random() < p_up) else lo
        c = np.searchsorted(cdf[k], rng.random() * cdf[k, -1], side="right")
        c = min(c, NV * ny[k] - 1)
        iy = c // NV
        iv = c - iy * NV
        y = y0[k] + (iy + rng.random()) * dy[k]
        v = (iv + rng.random()) * dv[k]
        x = _x_of_y(y)
        l = math.expm1(v)
        th = X.M_E * math.sqrt(l) / e
        if not (x > xlo and x < xhi and th <= th_max):
            continue
        gd = p_up * _density(up, y, v, y0, dy, ny, dv, nv, NV, prob)
        if lo >= 0 and p_up < 1.0:
            gd += (1.0 - p_up) * _density(lo, y, v, y0, dy, ny, dv, nv, NV, prob)
        fd = _d2sigma(vector, x, l, e, m_a, Z, A) * (1.0 + l) * _dx_dy(y)
        if not (gd > 0.0 and fd > 0.0):
            continue
        ea[i] = x * e
        ct[i] = math.cos(th)
        wt[i] = g2 * fd / gd
    return ea, ct, wt


class BremsKernel:
    """ALP (or, with ``vector``, Z') bremsstrahlung on one element (Z, A) for lepton total
    energies up to ``e_max`` (GeV); ``m_a`` the boson's mass."""

    def __init__(self, m_a: float, Z: float, A: float, e_max: float, theta_max: float = THETA_MAX,
                 vector: bool = False):
        self.m_a, self.Z, self.A, self.theta_max = float(m_a), float(Z), float(A), float(theta_max)
        self.vector = bool(vector)
        self.threshold = self.m_a + X.M_E
        e0 = self.threshold * 1.05
        e1 = max(float(e_max) * 1.01, e0 * 1.5)
        nk = max(8, int(math.ceil(math.log(e1 / e0) / _LN_STEP)) + 1)
        self.E_grid = e0 * np.exp(np.linspace(0.0, math.log(e1 / e0), nk))
        (self._y0, self._dy, self._ny, self._dv, self._nv, self._NV, self._prob, self._cdf,
         self.sigma_grid) = _tables(self.E_grid, self.m_a, self.Z, self.A, self.theta_max, _CELL, _G3_X, _G3_W, _FLOOR, self.vector)

    def sigma(self, E, g: float = 1.0) -> np.ndarray:
        """Cross section per atom (GeV^-2) for angles up to ``theta_max``, interpolated on the grid."""
        E = np.asarray(E, dtype=np.float64)
        s = self.sigma_grid
        pos = s > 0
        out = np.zeros(E.shape)
        if not pos.any():
            return out
        eg, lg = self.E_grid[pos], np.log(s[pos])
        inner = np.exp(np.interp(np.log(np.clip(E, eg[0], eg[-1])), np.log(eg), lg))
        ramp = s[pos][0] * np.clip((E - self.threshold) / (eg[0] - self.threshold), 0.0, 1.0)
        out = np.where(E < eg[0], ramp, inner)
        return np.where(E > self.threshold, out, 0.0) * g * g

    def sample(self, E, g: float, rng: np.random.Generator):
        """(E_a, cos theta, weight): weight (GeV^-2) estimates ``sigma(E)`` (module docstring)."""
        E = np.ascontiguousarray(E, dtype=np.float64)
        return _sample(E, self.m_a, float(g), self.Z, self.A, self.theta_max, self.E_grid, self._y0, self._dy,
                       self._ny, self._dv, self._nv, self._NV, self._prob, self._cdf, rng, self.vector)

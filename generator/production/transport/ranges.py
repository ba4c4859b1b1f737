"""Ranges and interaction lengths of charged mesons in matter, and their table kernels.

Hadronic interaction lengths of pions and kaons per material, the CSDA range tables
(:class:`StoppingTable`, from the Bethe-Bloch mean loss of :mod:`fipgen.geometry.stopping`) and
the decay-in-flight rows, with the numba lookups the transport kernel
(:mod:`fipgen.production.transport.kernel`) uses. The physics and its sources are described in
:mod:`fipgen.production.transport.meson_transport`.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numba
import numpy as np

from ... import constants as C
from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...geometry.materials import Material
from ...geometry.stopping import StoppingTable, stopping_table

__all__ = ["StoppingTable", "stopping_table", "interaction_length"]


# ------------------------------------------------------------------ material data

#: Pion interaction lengths (g/cm^2), PDG "Atomic and nuclear properties" (as lengths:
#: Fe 20.42 cm, Cu 18.51 cm, Al 50.64 cm, W 11.33 cm, shielding concrete 55.92 cm).
_PION_LAMBDA_PDG = {"Fe": 160.8, "Cu": 165.85, "Al": 136.7, "W": 218.67, "concrete": 128.6}
#: For other materials lambda_pi = lambda_I * exp(a + b ln A): a fit of the PDG ratio
#: lambda_pi / lambda_I for Al, Fe, Cu, W (residuals < 0.3 %; it gives 130.6 g/cm^2 for
#: concrete, 1.5 % above the PDG value). Be: 105.5, C: 114.4, air: 118.8 g/cm^2.
_PION_RATIO_FIT = (0.4329, -0.05828)
#: sigma_abs(K A) / sigma_abs(pi A): an estimate (+-15 %) from high-energy absorption
#: cross sections on nuclei (pi, K+- on Be..Pb: Denisov et al. NPB 61 (1973) 62, Carroll
#: et al. PLB 80 (1979) 319): K+ ~0.85, K- ~1, K0L (K0 + K0bar)/2 ~0.92. No PDG table exists
#: for kaons; low-momentum K+ (p < 0.8 GeV/c) interact even less (K+ N ~ 10-18 mb).
_KAON_XSEC_RATIO = {C.K_PLUS: 0.85, -C.K_PLUS: 1.0, C.K0L: 0.92}


def interaction_length(pdg: int, material: Material) -> float:
    """Hadronic interaction length (g/cm^2) of meson ``pdg`` in ``material`` (constants above)."""
    lam_pi = _PION_LAMBDA_PDG.get(material.name)
    if lam_pi is None:
        a, b = _PION_RATIO_FIT
        lam_pi = material.interaction_length * math.exp(a + b * math.log(material.A))
    apdg = abs(int(pdg))
    if apdg == C.PI_PLUS:
        return lam_pi
    ratio = _KAON_XSEC_RATIO.get(int(pdg), _KAON_XSEC_RATIO.get(apdg))
    if ratio is None:
        raise PhysicsError(f"no hadronic interaction length for pdg {pdg}")
    return lam_pi / ratio


# ------------------------------------------------------------------ range tables

def _log_phi(z: np.ndarray) -> np.ndarray:
    """``log(expm1(z) / z)`` for z >= 0, stable."""
    z = np.asarray(z, dtype=np.float64)
    small = z < 1e-8
    zs = np.where(small, 1.0, z)
    big = zs > 30.0
    mid = np.log(np.expm1(np.minimum(zs, 30.0)) / np.minimum(zs, 30.0))
    large = zs + np.log1p(-np.exp(-zs)) - np.log(zs)
    return np.where(small, 0.5 * z, np.where(big, large, mid))


@lru_cache(maxsize=64)
def _decay_rows(pdg: int, material_name: str) -> np.ndarray:
    """Rows ``(X, Hd, H, T, ln_bg, LF)`` (6, N) of a charged meson in a material.

    ``X`` range (g/cm^2); ``Hd = int dR/(bg rho c tau)``; ``H = Hd + X/Lambda``; ``T`` lab
    time integral (g/cm^2); ``LF = log int_0^X (dHd/dX') e^H dX'`` with ``Hd`` and ``H``
    linear in X inside each cell (exact for piecewise-constant rates).
    """
    mass = C.mass(pdg)
    ctau = C.HBARC_GEV_M / C.width(pdg)
    tab = stopping_table(float(mass), material_name)
    mat = tab.material
    rho100 = 100.0 * mat.density  # (g/cm^2) per metre
    lam = interaction_length(pdg, mat)
    X = tab.range_gcm2
    Hd = tab.proper_gcm2 / (rho100 * ctau)
    H = Hd + X / lam
    lf0 = math.log(Hd[0]) + float(_log_phi(H[0]))
    seg = np.log(np.diff(Hd)) + H[:-1] + _log_phi(np.diff(H))
    LF = np.logaddexp.accumulate(np.concatenate([[lf0], seg]))  # cumulative log-sum-exp
    rows = np.ascontiguousarray(np.stack([X, Hd, H, tab.lab_gcm2, tab.ln_bg, LF]))
    rows.setflags(write=False)
    return rows


# ------------------------------------------------------------------ numba kernel

_IX, _IHD, _IH, _IT, _ILB, _ILF = range(6)


@numba.njit(inline="always", **JIT_OPTIONS)
def _lphi(z):  # pragma: no cover - compiled
    if z < 1e-8:
        return 0.5 * z
    if z > 30.0:
        return z + math.log1p(-math.exp(-z)) - math.log(z)
    return math.log(math.expm1(z) / z)


@numba.njit(**JIT_OPTIONS)
def _cell_lnbg(tab, lnbg):  # pragma: no cover - compiled
    """(X, j, w) at ln(beta gamma): range and its cell (see _cell); O(1) on the uniform grid."""
    lb = tab[_ILB]
    n = lb.size
    h = lb[1] - lb[0]
    f = (lnbg - lb[0]) / h
    if f <= 0.0:
        # below the grid: R ~ bg^3.5
        w = math.exp(3.5 * (lnbg - lb[0]))
        return tab[_IX, 0] * w, -1, w
    j = int(f)
    if j >= n - 1:
        return tab[_IX, n - 1], n - 2, 1.0
    w = f - j
    return tab[_IX, j] * (1.0 - w) + tab[_IX, j + 1] * w, j, w


@numba.njit(**JIT_OPTIONS)
def _x_of_lnbg(tab, lnbg):  # pragma: no cover - compiled
    """Range at ln(beta gamma)."""
    return _cell_lnbg(tab, lnbg)[0]


@numba.njit(**JIT_OPTIONS)
def _locate_below(arr, x, jhint):  # pragma: no cover - compiled
    """_locate for x <= arr[jhint + 1]: galloping search downwards from jhint."""
    if x < arr[0]:
        return -1
    hi = jhint + 1
    step = 1
    lo = hi - step
    while lo > 0 and arr[lo] > x:
        hi = lo
        step *= 2
        lo = hi - step
    if lo < 0:
        lo = 0
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if arr[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo


@numba.njit(**JIT_OPTIONS)
def _locate(arr, x):  # pragma: no cover - compiled
    """Largest j with arr[j] <= x (-1 below arr[0]; n-2 at or above the end)."""
    n = arr.size
    if x < arr[0]:
        return -1
    if x >= arr[n - 1]:
        return n - 2
    lo = 0
    hi = n - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if arr[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo


@numba.njit(**JIT_OPTIONS)
def _cell(tab, X):  # pragma: no cover - compiled
    """(j, w): X = X[j] (1 - w) + X[j+1] w; j = -1 below the first node (w = X / X[0])."""
    xs = tab[_IX]
    j = _locate(xs, X)
    if j < 0:
        return -1, X / xs[0]
    return j, (X - xs[j]) / (xs[j + 1] - xs[j])


@numba.njit(**JIT_OPTIONS)
def _row(tab, row, j, w):  # pragma: no cover - compiled
    """Row ``row`` (H, Hd, T or ln_bg) at the cell position (j, w) of _cell."""
    if j < 0:
        if row == _ILB:
            return tab[_ILB, 0] + math.log(max(w, 1e-300)) / 3.5
        return tab[row, 0] * w
    return tab[row, j] * (1.0 - w) + tab[row, j + 1] * w


@numba.njit(**JIT_OPTIONS)
def _at(tab, row, X):  # pragma: no cover - compiled
    j, w = _cell(tab, X)
    return _row(tab, row, j, w)


@numba.njit(**JIT_OPTIONS)
def _lf_cell(tab, X, j, w):  # pragma: no cover - compiled
    """log F(X), F = int_0^X (dHd/dX') e^H dX' with the cell model of _decay_rows."""
    if X <= 0.0:
        return -np.inf
    if j < 0:
        return tab[_ILF, 0] + math.log(w)
    xs = tab[_IX]
    dx = xs[j + 1] - xs[j]
    d = w * dx
    if d <= 0.0:
        return tab[_ILF, j]
    gd = (tab[_IHD, j + 1] - tab[_IHD, j]) / dx
    a = (tab[_IH, j + 1] - tab[_IH, j]) / dx
    seg = math.log(gd * d) + tab[_IH, j] + _lphi(a * d)
    l0 = tab[_ILF, j]
    if seg > l0:
        return seg + math.log1p(math.exp(l0 - seg))
    return l0 + math.log1p(math.exp(seg - l0))


@numba.njit(**JIT_OPTIONS)
def _lf(tab, X):  # pragma: no cover - compiled
    j, w = _cell(tab, X)
    return _lf_cell(tab, X, j, w)


@numba.njit(**JIT_OPTIONS)
def _x_of_lf(tab, lft):  # pragma: no cover - compiled
    """Inverse of _lf: the range X with log F(X) = lft."""
    lfs = tab[_ILF]
    xs = tab[_IX]
    if lft == -np.inf:
        return 0.0
    j = _locate(lfs, lft)
    if j < 0:
        return xs[0] * math.exp(lft - lfs[0])
    dx = xs[j + 1] - xs[j]
    gd = (tab[_IHD, j + 1] - tab[_IHD, j]) / dx
    a = (tab[_IH, j + 1] - tab[_IH, j]) / dx
    # y = (F_t - F_j) e^{-H_j}
    e = lft - lfs[j]
    if e < 0.0:
        e = 0.0
    y = math.exp(lfs[j] - tab[_IH, j]) * math.expm1(e)
    if a * dx > 1e-10:
        d = math.log1p(a * y / gd) / a
    else:
        d = y / gd
    if d < 0.0:
        d = 0.0
    elif d > dx:
        d = dx
    return xs[j] + d



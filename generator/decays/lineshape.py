"""Breit-Wigner line shapes of the short-lived SM resonances made in BSM decays.

A rho, K*, omega or phi produced in a two-body decay ``X -> a R`` (and decayed by fipgen)
gets a mass ``m`` drawn per event from

    dN/dm  ~  BW(m) * p*(M; m_a, m),      m_min <= m <= m_max = M - m_a,

* ``p*(M; m_a, m)`` the rest-frame momentum of the producing two-body decay (two-body phase
  space). The full density is ``BW(m) p*(m) |M(m)|^2``; the matrix element of the
  producing decay is taken as constant over the line shape (**approximation**: its mass
  dependence, e.g. the ``(1 - x_a^2)^2 + x_R^2 (...)`` of ``N -> l V``, varies little over
  a width and is not known in one form for every model).
* ``m_min`` the highest threshold among the resonance's listed decay modes
  (``data/sm_decays.toml``), so every mode is open at every sampled mass and the fixed
  branching fractions stay valid (it cuts the K*+ between the K+ pi0 and K0 pi+
  thresholds, 9 MeV far in the tail, and the phi below the K0L K0S threshold, 5.7 widths).
* ``BW(m) = (2m/pi) m Gamma(m) / [(m^2 - m0^2)^2 + m^2 Gamma(m)^2]`` (per unit m: the
  ``dm^2 = 2m dm`` Jacobian of the relativistic form in ``s = m^2`` whose imaginary part of
  the self energy is ``sqrt(s) Gamma(sqrt(s))``; narrow-width limit ``delta(m - m0)``).

  - rho, K* (P-wave decays to two pseudoscalars): mass-dependent width summed over the
    listed modes ``i`` with their branching fractions ``b_i``,
    ``Gamma(m) = Gamma0 sum_i b_i (m0/m) (q_i/q_i0)^3 B(q_i)/B(q_i0)``, ``q_i`` the
    daughter momentum at mass ``m`` (``q_i0`` at ``m0``), with the Blatt-Weisskopf P-wave
    barrier ``B(q) = 1/(1 + (q R)^2)``, ``R =`` :data:`BW_RADIUS` (1.5 GeV^-1 ~ 0.3 fm, a
    value commonly used for light resonances in Dalitz-plot fits; it only tames the
    high-mass tail, ``Gamma ~ m^2`` without it). ``radius=0`` switches it off.
  - omega, phi (narrow, 8.7 and 4.2 MeV): constant width, ``m Gamma(m) -> m0 Gamma0``.

``m0``, ``Gamma0`` come from :func:`fipgen.constants.mass` / :func:`~fipgen.constants.width`
(the ``particle`` package, PDG). pi0, eta and eta' (widths below 0.2 MeV, Gamma/m < 2e-4)
stay at their PDG masses.

Sampling (:func:`sample_line_shape`): inverse CDF on a table, one per
``(resonance, M, m_a)`` (cached; for BSM parents the mass is fixed, so one table per
channel). The variable is ``t = arctan((m^2 - m0^2) / (m0 Gamma0))``, in which a
constant-width Breit-Wigner is flat: the density in ``t`` is smooth, tabulated on
:data:`N_GRID` intervals and sampled exactly as its piecewise-linear interpolant (the
CDF agrees with the numerical integral of the exact density to 1e-6 - 1.5e-5, tested).

Two resonances in one two-body decay (``X -> R1 R2``): each mass is drawn from its own
truncated BW and the pair kept with probability ``p*(M; m1, m2) / p*(M; m1_min, m2_min)``
(exact accept-reject of ``BW1 BW2 p*``). Decays with three or more bodies keep the PDG
masses (no such channel in the HNL, ALP, Z' models has a rho, K*, omega or phi).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import constants as C
from ..errors import PhysicsError
from ..kinematics.boost import _as_p4
from ..kinematics.twobody import _isotropic_kernel

__all__ = [
    "BW_RADIUS",
    "N_GRID",
    "LINE_SHAPE_CODES",
    "LineShape",
    "line_shape",
    "has_line_shape",
    "running_width",
    "bw_density",
    "mass_density",
    "sample_line_shape",
    "sample_pair_line_shapes",
    "two_body_isotropic_masses",
]

#: Blatt-Weisskopf radius (GeV^-1) of the P-wave barrier of rho and K*.
BW_RADIUS = 1.5
#: Intervals of the inverse-CDF table in t = arctan((m^2 - m0^2)/(m0 Gamma0)).
N_GRID = 4096

#: |PDG code| -> width model: "pwave" (mass-dependent, P wave) or "fixed".
LINE_SHAPE_CODES: dict[int, str] = {113: "pwave", 213: "pwave", 323: "pwave", 313: "pwave", 223: "fixed", 333: "fixed"}


def has_line_shape(code: int) -> bool:
    """True for the resonances given a Breit-Wigner mass (rho, K*, omega, phi)."""
    return abs(int(code)) in LINE_SHAPE_CODES


def _q(m, ma, mb):
    m = np.asarray(m, dtype=np.float64)
    lam = (m * m - (ma + mb) ** 2) * (m * m - (ma - mb) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * m)


@dataclass(frozen=True)
class LineShape:
    """Line-shape parameters of one resonance (GeV).

    ``modes``: ``(m_a, m_b, b)`` of the listed decay modes (two-body ones enter the P-wave
    width; ``b`` renormalised over them).
    """

    code: int
    kind: str
    m0: float
    gamma0: float
    m_min: float
    modes: tuple[tuple[float, float, float], ...]
    radius: float


@lru_cache(maxsize=None)
def line_shape(code: int, radius: float = BW_RADIUS) -> LineShape:
    """:class:`LineShape` of ``|code|`` (PDG mass and width, thresholds from the decay table)."""
    from .particles import sm_decay_table, sm_mass

    a = abs(int(code))
    if a not in LINE_SHAPE_CODES:
        raise PhysicsError(f"no line shape for pdg {code}; known: {sorted(LINE_SHAPE_CODES)}")
    table = sm_decay_table()[a]
    m_min = max(sum(sm_mass(d) for d in ds) for ds, _, _ in table)
    two = [(sm_mass(ds[0]), sm_mass(ds[1]), br) for ds, br, _ in table if len(ds) == 2]
    tot = sum(b for _, _, b in two)
    modes = tuple((ma, mb, b / tot) for ma, mb, b in two)
    return LineShape(a, LINE_SHAPE_CODES[a], C.mass(a), C.width(a), float(m_min), modes, float(radius))


def running_width(ls: LineShape, m):
    """``Gamma(m)`` (GeV): P-wave running width for rho/K*, ``Gamma0`` for omega/phi."""
    m = np.asarray(m, dtype=np.float64)
    if ls.kind == "fixed":
        return np.full_like(m, ls.gamma0)
    g = np.zeros_like(m)
    R2 = ls.radius**2
    for ma, mb, b in ls.modes:
        q0 = float(_q(ls.m0, ma, mb))
        q = _q(m, ma, mb)
        g = g + b * (ls.m0 / m) * (q / q0) ** 3 * (1.0 + (q0 * q0) * R2) / (1.0 + q * q * R2)
    return ls.gamma0 * g


def bw_density(ls: LineShape, m):
    """Unnormalised ``BW(m)`` per unit mass (GeV^-1), zero below ``m_min``."""
    m = np.asarray(m, dtype=np.float64)
    mg = ls.m0 * ls.gamma0 if ls.kind == "fixed" else m * running_width(ls, m)
    d = (2.0 * m / np.pi) * mg / ((m * m - ls.m0**2) ** 2 + mg * mg)
    return np.where(m >= ls.m_min, d, 0.0)


def mass_density(code: int, m, M: float, m_other: float, *, phase_space: bool = True, radius: float = BW_RADIUS):
    """Unnormalised density of the mass ``m`` of resonance ``code`` made in ``M -> a R``:
    ``BW(m) p*(M; m_other, m)`` on ``[m_min, M - m_other]`` (``phase_space=False``: ``BW``)."""
    ls = line_shape(code, radius)
    m = np.asarray(m, dtype=np.float64)
    d = bw_density(ls, m)
    if phase_space:
        d = d * _q_parent(M, m_other, m)
    return np.where((m >= ls.m_min) & (m <= M - m_other), d, 0.0)


def _q_parent(M, ma, m):
    lam = (M * M - (ma + m) ** 2) * (M * M - (ma - m) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * M)


def _m_of_t(ls, t):
    return np.sqrt(ls.m0**2 + ls.m0 * ls.gamma0 * np.tan(t))


def _t_of_m(ls, m):
    return np.arctan((m * m - ls.m0**2) / (ls.m0 * ls.gamma0))


@lru_cache(maxsize=256)
def _table(code: int, M: float, m_other: float, phase_space: bool, radius: float):
    """(t grid, density at the nodes, cumulative integral of the linear interpolant)."""
    ls = line_shape(code, radius)
    m_hi = M - m_other
    if not m_hi > ls.m_min:
        raise PhysicsError(
            f"no room for the line shape of pdg {code}: maximum mass {m_hi:.6g} GeV <= threshold {ls.m_min:.6g} GeV"
        )
    t = np.linspace(_t_of_m(ls, ls.m_min), _t_of_m(ls, m_hi), N_GRID + 1)
    m = _m_of_t(ls, t)
    m[0], m[-1] = ls.m_min, m_hi
    dmdt = ls.m0 * ls.gamma0 * (1.0 + np.tan(t) ** 2) / (2.0 * m)
    w = mass_density(code, m, M, m_other, phase_space=phase_space, radius=radius) * dmdt
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(t))])
    if not cum[-1] > 0.0:
        raise PhysicsError(f"line shape of pdg {code} vanishes on [{ls.m_min:.6g}, {m_hi:.6g}] GeV")
    return t, w, cum


def _invert(t, w, cum, u):
    """Exact inverse CDF of the piecewise-linear density ``w`` on nodes ``t`` at uniforms ``u``."""
    target = u * cum[-1]
    j = np.clip(np.searchsorted(cum, target, side="right") - 1, 0, len(t) - 2)
    h = t[j + 1] - t[j]
    w0 = w[j]
    slope = (w[j + 1] - w0) / h
    r = target - cum[j]  # solve w0 x + slope x^2 / 2 = r on [0, h]
    disc = np.sqrt(np.clip(w0 * w0 + 2.0 * slope * r, 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(w0 + disc > 0.0, 2.0 * r / (w0 + disc), 0.0)
    return t[j] + np.clip(x, 0.0, h)


def sample_line_shape(code: int, M: float, m_other: float, u, *, phase_space: bool = True, radius: float = BW_RADIUS):
    """Masses (GeV) of resonance ``code`` made in ``M -> a R`` (``m_a = m_other``), one per
    uniform in ``u``: density ``BW(m) p*(M; m_other, m)`` truncated to ``[m_min, M - m_other]``
    (``phase_space=False``: ``BW(m)`` on the same interval)."""
    ls = line_shape(code, radius)
    t, w, cum = _table(abs(int(code)), float(M), float(m_other), bool(phase_space), float(radius))
    m = _m_of_t(ls, _invert(t, w, cum, np.asarray(u, dtype=np.float64)))
    return np.clip(m, ls.m_min, float(M) - float(m_other))


def sample_pair_line_shapes(code1: int, code2: int, M: float, n: int, rng: np.random.Generator, *, radius: float = BW_RADIUS):
    """Masses ``(m1, m2)`` of two resonances made in ``M -> R1 R2``: ``BW1 BW2 p*`` by
    accept-reject (each from its BW truncated to ``[m_min, M - m_min(other)]``)."""
    l1, l2 = line_shape(code1, radius), line_shape(code2, radius)
    pmax = float(_q_parent(M, l1.m_min, l2.m_min))
    m1 = np.empty(n)
    m2 = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        a = sample_line_shape(code1, M, l2.m_min, rng.random(todo.size), phase_space=False, radius=radius)
        b = sample_line_shape(code2, M, l1.m_min, rng.random(todo.size), phase_space=False, radius=radius)
        ok = (a + b < M) & (rng.random(todo.size) * pmax < _q_parent(M, a, b))
        m1[todo[ok]] = a[ok]
        m2[todo[ok]] = b[ok]
        todo = todo[~ok]
    return m1, m2


def two_body_isotropic_masses(parent_p4, M, m1, m2, u1, u2):
    """Isotropic two-body decays with per-event parent and daughter masses (GeV).

    Same conventions as :func:`fipgen.kinematics.twobody.two_body_isotropic`
    (``cos theta* = 2 u1 - 1``, ``phi* = 2 pi u2``), but ``M``, ``m1``, ``m2`` may be arrays (n,).
    """
    par = _as_p4(parent_p4)
    n = par.shape[0]

    def vec(x):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)))

    Mv, a, b = vec(M), vec(m1), vec(m2)
    if np.any(Mv < a + b):
        raise PhysicsError("two-body decay closed for a sampled resonance mass")
    return _isotropic_kernel(par, Mv, a, b, vec(u1), vec(u2))

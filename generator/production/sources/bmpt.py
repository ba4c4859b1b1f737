"""BMPT parameterisation of charged pion and kaon production in p-A collisions.

Bonesini, Marchionni, Pietropaolo, Tabarelli de Fatis, "On particle production for
high energy neutrino beams", Eur. Phys. J. C20 (2001) 13, hep-ph/0101163 ("BMPT").
The paper fits the inclusive *invariant* cross section ``E d3sigma/dp3`` measured in
p-Be collisions (its abstract: "data collected in different energy ranges and kinematic
regions") with a form in the
radial-scaling variable ``x_R = E*/E*_max`` and ``p_T``, and gives a prescription to carry
it to other nuclei. What this module implements (equation numbers are those of the
form as we use it here; see "What was verified" below):

* (B1) positive mesons, p-Be::

      E d3sigma/dp3 = A (1 - x_R)^alpha (1 + B x_R) x_R^(-beta)
                      (1 + a' p_T + b' p_T^2) exp(-a' p_T),
      a' = a / x_R^gamma,   b' = a^2 / (2 x_R^delta)

* (B2) charge ratios: ``pi+/pi- = r0 (1 + x_R)^r1`` and ``K+/K- = r0 (1 - x_R)^r1``.
* (B3) other nuclei: ``sigma(A) = sigma(Be) (A / A_Be)^alpha(x_F, p_T)`` with
  ``alpha(x_F, p_T) = (0.74 - 0.55 x_F + 0.26 x_F^2)(0.98 + 0.21 p_T^2)`` (Barton et al.,
  Phys. Rev. D27 (1983) 2580, as used by BMPT).

Parameters (docs/beamlines.md#meson-production-parameterisations): pions A 62.3, B 1.57, alpha 3.45, beta 0.517, a 6.10,
gamma 0.153, delta 0.478, r0 1.05, r1 2.65; kaons A 7.74, B 0, alpha 2.45, beta 0.444,
a 5.04, gamma 0.121, delta = 2 gamma, r0 1.15, r1 -3.17.

What was verified, and how
--------------------------
Only the title page and abstract of hep-ph/0101163 could be read here (the body of the
paper, with its equations and fit table, was not reachable through the reference
search), so the equations above are *not* checked line by line against the paper.
Checked instead:

* the abstract: the fitted quantity is the invariant cross section in p-Be;
* the public implementation the parameters come from (R. Nichol's ``BMPTFlux.py``)
  has the same parameter values and the same (B1)-(B3) structure, with three slips that
  we do not copy: it takes ``a' = a x_R^gamma`` (instead of ``a / x_R^gamma``), scales
  from Be with ``A_Be = 8`` (Be has A = 9.012) and evaluates ``alpha`` at ``x_R``
  instead of ``x_F``; the "kaon routine with the pion A" slip of docs/beamlines.md#meson-production-parameterisations is not in
  that copy, and is wrong on its face (it makes K+/pi+ = 0.7);
* units, by integration (``tests/test_bmpt.py``): read as ``E d3sigma/dp3`` in
  mb GeV^-2 c^3, (B1) gives sigma(pi+) = 580 mb over the full phase space at 120 GeV/c
  (2.7 pi+ per p-Be inelastic collision of 212 mb) and sigma(K+)/sigma(pi+) = 0.083; the
  same numbers read as a yield per interaction or as ``d2N/dx_R dp_T^2`` give 580 or 12
  pi+ per collision, which are not physical. pp data at 158 GeV (NA49) have 3.0 pi+ and
  K+/pi+ = 0.075 per collision.
* ``a / x_R^gamma`` against ``a x_R^gamma``: the first gives <p_T> = 10/(3 a') = 0.35
  GeV/c at x_R = 0.05 rising to 0.55 GeV/c at x_R -> 1 (the "seagull" rise seen in the
  data); the second gives 0.86 GeV/c at small x_R, far above any measurement.

``x_R = E*/E*_max`` in the nucleon-nucleon centre-of-mass frame with
``E*_max = (s - 4 m_p^2 + m^2) / (2 sqrt(s))`` (the recoil system carries at least two
nucleon masses: baryon number); ``x_F = 2 p_L* / sqrt(s)``.

Range of validity (BMPT's data: forward production, x_F > 0, p_T up to ~0.5-1 GeV/c,
from memory of the paper: *unverified*): fipgen uses BMPT for x_F >= 0 only, where it
is an interpolation of data; the backward hemisphere comes from Pythia 8 (see
``scripts/make_meson_tables.py``). Beyond p_T ~ 1 GeV/c and x_F -> 1 it is an
extrapolation (small yields there).

Units: momenta GeV/c, angles rad, cross sections mb; ``E d3sigma/dp3`` in mb GeV^-2 c^3,
``d2sigma/dp dOmega`` in mb/(GeV/c sr).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ...errors import PhysicsError

__all__ = [
    "BMPTParams",
    "BMPT_PIONS",
    "BMPT_KAONS",
    "A_BERYLLIUM",
    "x_radial",
    "x_feynman",
    "invariant_cross_section_be",
    "barton_alpha",
    "P_T_ALPHA_MAX",
    "d2sigma_dp_domega",
    "bin_integrals",
]

#: Mass number used for the BMPT reference target (Be, standard atomic weight).
A_BERYLLIUM = 9.0121831
_M_P = 0.9382720813
_MASS = {211: 0.13957039, -211: 0.13957039, 321: 0.493677, -321: 0.493677}


class BMPTParams(NamedTuple):
    """BMPT fit parameters of (B1)-(B2) (``A`` in mb GeV^-2 c^3)."""

    A: float
    B: float
    alpha: float
    beta: float
    a: float
    gamma: float
    delta: float
    r0: float
    r1: float


BMPT_PIONS = BMPTParams(62.3, 1.57, 3.45, 0.517, 6.10, 0.153, 0.478, 1.05, 2.65)
BMPT_KAONS = BMPTParams(7.74, 0.0, 2.45, 0.444, 5.04, 0.121, 2 * 0.121, 1.15, -3.17)


def _params(pdg: int) -> BMPTParams:
    if pdg in (211, -211):
        return BMPT_PIONS
    if pdg in (321, -321):
        return BMPT_KAONS
    raise PhysicsError(f"BMPT covers pi+ (211), pi- (-211), K+ (321), K- (-321), not pdg {pdg}")


def _cm(p, theta, m, p_beam):
    """(E*, p_L*, p_T, sqrt(s)) of a meson (p, theta) in the NN centre-of-mass frame."""
    e_b = math.hypot(p_beam, _M_P)
    s = 2.0 * _M_P * _M_P + 2.0 * _M_P * e_b
    rs = math.sqrt(s)
    beta = p_beam / (e_b + _M_P)
    gam = 1.0 / math.sqrt(1.0 - beta * beta)
    p = np.asarray(p, dtype=np.float64)
    th = np.asarray(theta, dtype=np.float64)
    e = np.sqrt(p * p + m * m)
    pl = p * np.cos(th)
    pt = p * np.sin(th)
    e_cm = gam * (e - beta * pl)
    pl_cm = gam * (pl - beta * e)
    return e_cm, pl_cm, pt, rs, s


def x_radial(pdg: int, p, theta, p_beam: float):
    """Radial scaling variable ``x_R = E*/E*_max`` (NN frame) of a meson at lab (p, theta)."""
    _params(pdg)
    m = _MASS[pdg]
    e_cm, _, _, rs, s = _cm(p, theta, m, p_beam)
    e_max = (s - 4.0 * _M_P * _M_P + m * m) / (2.0 * rs)
    return e_cm / e_max


def x_feynman(pdg: int, p, theta, p_beam: float):
    """Feynman ``x_F = 2 p_L* / sqrt(s)`` (NN frame) of a meson at lab (p, theta)."""
    _params(pdg)
    _, pl_cm, _, rs, _ = _cm(p, theta, _MASS[pdg], p_beam)
    return 2.0 * pl_cm / rs


def invariant_cross_section_be(pdg: int, x_r, p_t):
    """BMPT ``E d3sigma/dp3`` for p-Be (mb GeV^-2 c^3), eqs. (B1)-(B2).

    Parameters
    ----------
    pdg : int
        211, -211, 321 or -321.
    x_r : array_like
        Radial scaling variable, 0 < x_R < 1 (0 returned outside).
    p_t : array_like
        Transverse momentum, GeV/c.
    """
    P = _params(pdg)
    x = np.asarray(x_r, dtype=np.float64)
    pt = np.asarray(p_t, dtype=np.float64)
    ok = (x > 0.0) & (x < 1.0)
    xs = np.where(ok, x, 0.5)
    a1 = P.a / xs**P.gamma
    b1 = P.a * P.a / (2.0 * xs**P.delta)
    f = P.A * (1.0 - xs) ** P.alpha * (1.0 + P.B * xs) * xs ** (-P.beta) * (1.0 + a1 * pt + b1 * pt * pt) * np.exp(-a1 * pt)
    if pdg < 0:  # (B2): negative = positive / ratio
        ratio = P.r0 * (1.0 + xs) ** P.r1 if abs(pdg) == 211 else P.r0 * (1.0 - xs) ** P.r1
        f = f / ratio
    out = np.where(ok, f, 0.0)
    return out if out.ndim else float(out)


#: p_T (GeV/c) above which the p_T factor of (B3) is frozen: Barton et al.'s data stop near
#: 1 GeV/c and the Cronin enhancement saturates (alpha <~ 1.1); unfrozen, the quadratic
#: would give alpha ~ 10 at p_T ~ 7 GeV/c (fipgen's choice, not BMPT's).
P_T_ALPHA_MAX = 1.5


def barton_alpha(x_f, p_t):
    """``alpha(x_F, p_T) = (0.74 - 0.55 x_F + 0.26 x_F^2)(0.98 + 0.21 p_T^2)`` (B3).

    ``p_T`` is clipped at :data:`P_T_ALPHA_MAX` and ``x_F`` to its physical range [-1, 1].
    """
    x = np.clip(np.asarray(x_f, dtype=np.float64), -1.0, 1.0)
    pt = np.minimum(np.asarray(p_t, dtype=np.float64), P_T_ALPHA_MAX)
    return (0.74 - 0.55 * x + 0.26 * x * x) * (0.98 + 0.21 * pt * pt)


def d2sigma_dp_domega(pdg: int, p, theta, p_beam: float, mass_number: float = A_BERYLLIUM, xf_min: float | None = None):
    """BMPT ``d2sigma/dp dOmega`` (mb/(GeV/c sr)) in the lab for p-A at beam momentum ``p_beam``.

    ``= (p^2/E) E d3sigma/dp3`` with the Be form (B1)-(B2) scaled to ``mass_number`` by
    (B3). With ``xf_min`` set, zero where ``x_F < xf_min`` (fipgen uses ``xf_min = 0``).
    """
    _params(pdg)
    m = _MASS[pdg]
    e_cm, pl_cm, pt, rs, s = _cm(p, theta, m, p_beam)
    e_max = (s - 4.0 * _M_P * _M_P + m * m) / (2.0 * rs)
    xr = e_cm / e_max
    xf = 2.0 * pl_cm / rs
    p = np.asarray(p, dtype=np.float64)
    inv = invariant_cross_section_be(pdg, xr, pt)
    if mass_number != A_BERYLLIUM:
        inv = inv * (mass_number / A_BERYLLIUM) ** barton_alpha(xf, pt)
    out = p * p / np.sqrt(p * p + m * m) * inv
    if xf_min is not None:
        out = np.where(xf >= xf_min, out, 0.0)
    return out


_GL_X8, _GL_W8 = np.polynomial.legendre.leggauss(8)


def bin_integrals(density, p_edges, theta_edges) -> np.ndarray:
    """``int density(p, theta) 2 pi sin(theta) dp dtheta`` over each (p, theta) bin (8x8 Gauss-Legendre).

    Returns an array ``(n_p, n_theta)`` in the density's units times GeV/c sr.
    """
    p_edges = np.asarray(p_edges, dtype=np.float64)
    theta_edges = np.asarray(theta_edges, dtype=np.float64)
    pc, ph = 0.5 * (p_edges[1:] + p_edges[:-1]), 0.5 * np.diff(p_edges)
    tc, th = 0.5 * (theta_edges[1:] + theta_edges[:-1]), 0.5 * np.diff(theta_edges)
    P = pc[:, None] + ph[:, None] * _GL_X8[None, :]
    T = tc[:, None] + th[:, None] * _GL_X8[None, :]
    out = np.empty((pc.size, tc.size))
    for i in range(pc.size):  # row by row: bounded memory
        f = density(P[i][:, None, None], T[None, :, :]) * (2.0 * math.pi) * np.sin(T)[None, :, :]
        out[i] = np.einsum("ajb,a,b->j", f, _GL_W8, _GL_W8) * ph[i] * th
    return out

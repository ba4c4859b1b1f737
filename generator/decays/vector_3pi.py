"""Absolutely normalised ``V -> pi+ pi- pi0`` amplitude (V = omega, phi, a vector Z').

Amplitude (Gell-Mann, Sharp, Wagner, PRL 8 (1962) 261: omega -> rho pi -> 3 pi dominance)
------------------------------------------------------------------------------------------
With ``L = g_wrp eps^{mu nu a b} d_mu w_nu d_a rho_b . pi + g_rpp eps_abc rho^a_mu pi^b d^mu pi^c``
the rho exchange gives, for each charge state of the rho (p+, p-, p0 the pion momenta, P = p+ + p- + p0),

    M = G eps^{mu nu a b} e_mu(V) p+_nu p-_a p0_b  *  F(s+-, s-0, s+0),
    F = sum_{ij} 1 / D_rho(s_ij),    G = 2 g_wrp g_rpp   (omega),

the factor 2 from ``(p_i + p_j)_a (p_i - p_j)_b eps^{..ab} = -2 eps^{..ab} p_i_a p_j_b`` (the rho
propagator's ``q q / m^2`` term vanishes for equal pion masses). In the V rest frame
``eps^{mu nu a b} e_mu p+_nu p-_a p0_b = M_V e . (p+ x p-)`` and the spin average is

    |M|^2 (averaged) = G^2 M_V^2 |p+ x p-|^2 |F|^2 / 3,

    dGamma / ds12 ds23 = |M|^2 / (256 pi^3 M_V^3)    (PDG Review "Kinematics", eq. 49.22).

* ``g_rpp`` from ``Gamma(rho -> pi pi) = g_rpp^2 p^3 / (6 pi m_rho^2)`` (same Lagrangian): 5.98.
* ``g_wrp = 14.7 GeV^-1``: D. Garcia Gudino, G. Toledo Sanchez, "The omega rho pi coupling in the VMD
  model revisited", arXiv:1106.1467 (weighted average of radiative decays, omega -> 3 pi and
  e+e- -> 3 pi, rho-pi dominance without rho' or contact term).
* ``D_rho(s) = m_rho^2 - s - i sqrt(s) Gamma_rho(s)``, P-wave energy-dependent width
  ``Gamma_rho(s) = Gamma_rho (m_rho^2 / s) (p(s) / p(m_rho^2))^3`` (Kuehn, Santamaria, Z. Phys. C 48
  (1990) 445; it is the width the ``g_rpp`` Lagrangian gives at any s). ``running=False`` gives the
  fixed width ``m_rho Gamma_rho`` of :func:`fipgen.decays.resonances.vector_3pi_density`.

With these, Gamma(omega -> pi+ pi- pi0) at the PDG omega mass is 7.29 MeV (PDG: 0.892 x 8.68 =
7.74 MeV, -5.8 %; ``g_wrp = 15.15 GeV^-1`` would reproduce it exactly; with the e+e- rho width
0.1491 GeV instead of PDG's average 0.1474 it is 7.37 MeV, -4.8 %). See
``tests/reference/test_zprime_3pi.py``.

For the Z', whose Gamma(Z' -> 3 pi) comes from DarkCast's fitted tables, the amplitude is normalised
per mass: :func:`zprime_3pi_dgamma` returns ``dGamma/ds12 ds23 = Gamma_table(M) * shape / I(M)``,
i.e. ``|G_eff(M)|^2 = 768 pi^3 M Gamma(M) / I(M)`` (:func:`effective_coupling2`), so the matrix element
integrated over the Dalitz plot is the model's partial width by construction; the physics content
is that ``G_eff(M)`` is the omega (phi) Breit-Wigner form factor, checked against DarkCast in the test.

Conventions of :mod:`fipgen.decays.threebody`: particle 1 = pi+, 2 = pi-, 3 = pi0,
``s12 = s(+-)``, ``s23 = s(-0)``, GeV units.
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import mass as _mass, width as _width
from numpy.polynomial.legendre import leggauss

from .threebody import dalitz_bounds, s23_range

__all__ = [
    "M_PI_PM",
    "M_PI_0",
    "M_RHO",
    "G_RHO",
    "M_OMEGA",
    "G_OMEGA",
    "BR_OMEGA_3PI",
    "G_OMEGA_RHO_PI",
    "g_rho_pipi",
    "rho_propagator",
    "cross2",
    "shape",
    "shape_integral",
    "amplitude2",
    "dgamma",
    "omega_3pi_width",
    "effective_coupling2",
    "zprime_3pi_dgamma",
]

#: Pion masses (GeV), PDG 2024.
#: Pion, rho(770) and omega(782) masses and widths (GeV) from the `particle` package (PDG);
#: the rho width is PDG's average 0.1474 GeV (the e+e- value 0.1491 raises Gamma(omega -> 3 pi)
#: here by 1.1 %, through g_rho_pipi).
M_PI_PM = _mass(211)
M_PI_0 = _mass(111)
M_RHO = _mass(113)
G_RHO = _width(113)
#: omega(782) mass, width (GeV) and BR(pi+ pi- pi0), PDG 2024.
M_OMEGA = _mass(223)
G_OMEGA = _width(223)
BR_OMEGA_3PI = 0.892
#: g_{omega rho pi} (GeV^-1), arXiv:1106.1467 (weighted average, no rho' / contact term).
G_OMEGA_RHO_PI = 14.7


def _pstar(s, m):
    return np.sqrt(np.clip(np.asarray(s, dtype=np.float64) / 4.0 - m * m, 0.0, None))


def g_rho_pipi() -> float:
    """``g_rpp`` from ``Gamma_rho = g^2 p^3 / (6 pi m_rho^2)`` (dimensionless, ~5.98)."""
    p0 = float(_pstar(M_RHO**2, M_PI_PM))
    return math.sqrt(6.0 * math.pi * M_RHO**2 * G_RHO / p0**3)


def rho_propagator(s, running: bool = True):
    """``D_rho(s) = m^2 - s - i sqrt(s) Gamma(s)`` (running P-wave width) or ``- i m Gamma`` (fixed)."""
    s = np.asarray(s, dtype=np.float64)
    if running:
        p0 = float(_pstar(M_RHO**2, M_PI_PM))
        im = G_RHO * M_RHO * (M_RHO / np.sqrt(np.clip(s, 1e-300, None))) * (_pstar(s, M_PI_PM) / p0) ** 3
    else:
        im = M_RHO * G_RHO
    return M_RHO**2 - s - 1j * im


def cross2(M: float, s12, s23, m_pm: float = M_PI_PM, m_0: float = M_PI_0):
    """``|p+ x p-|^2`` (GeV^4) in the V rest frame at Dalitz point (s(+-), s(-0))."""
    s12 = np.asarray(s12, dtype=np.float64)
    s23 = np.asarray(s23, dtype=np.float64)
    M2 = M * M
    s13 = M2 + 2 * m_pm**2 + m_0**2 - s12 - s23
    ep = (M2 + m_pm**2 - s23) / (2 * M)
    em = (M2 + m_pm**2 - s13) / (2 * M)
    e0 = (M2 + m_0**2 - s12) / (2 * M)
    qp2 = ep * ep - m_pm**2
    qm2 = em * em - m_pm**2
    q02 = e0 * e0 - m_0**2
    dot = 0.5 * (q02 - qp2 - qm2)
    return np.clip(qp2 * qm2 - dot * dot, 0.0, None)


def shape(M: float, s12, s23, running: bool = True, rho: bool = True, m_pm: float = M_PI_PM, m_0: float = M_PI_0):
    """``|p+ x p-|^2 |F|^2`` (dimensionless: GeV^4 x GeV^-4), the coupling-free part of ``|M|^2``."""
    c2 = cross2(M, s12, s23, m_pm, m_0)
    if not rho:
        return c2
    s12 = np.asarray(s12, dtype=np.float64)
    s23 = np.asarray(s23, dtype=np.float64)
    s13 = M * M + 2 * m_pm**2 + m_0**2 - s12 - s23
    F = 1.0 / rho_propagator(s12, running) + 1.0 / rho_propagator(s23, running) + 1.0 / rho_propagator(s13, running)
    return c2 * np.abs(F) ** 2


def dalitz_quadrature(f, M: float, m_pm: float = M_PI_PM, m_0: float = M_PI_0, n: int = 96) -> float:
    """Deterministic integral of ``f(s12, s23)`` over the Dalitz region (Gauss-Legendre, n x n).

    ``s12`` over its range and ``s23`` over ``[lo(s12), hi(s12)]`` (PDG eq. 49.23), each mapped by
    ``u = t^2 (3 - 2 t)`` so that the square-root edges of the region are smoothed. Relative
    accuracy of n = 96 against n = 384 for :func:`shape`: < 1e-12 up to M = 1.2 GeV, 8e-9 at 1.5 GeV,
    7e-7 at 1.9 GeV (the rho peak inside the Dalitz plot).
    """
    a, b, _, _ = dalitz_bounds(M, m_pm, m_pm, m_0)
    x, w = leggauss(n)
    t = 0.5 * (x + 1.0)
    wt = 0.5 * w
    u = t * t * (3.0 - 2.0 * t)
    du = 6.0 * t * (1.0 - t)
    s12 = a + (b - a) * u
    w12 = (b - a) * du * wt
    lo, hi = s23_range(s12, M, m_pm, m_pm, m_0)
    S23 = lo[:, None] + (hi - lo)[:, None] * u[None, :]
    W = w12[:, None] * (hi - lo)[:, None] * (du * wt)[None, :]
    S12 = np.broadcast_to(s12[:, None], S23.shape)
    return float(np.sum(W * f(S12, S23)))


def shape_integral(M: float, running: bool = True, rho: bool = True, m_pm: float = M_PI_PM, m_0: float = M_PI_0) -> float:
    """``I(M) = int ds12 ds23 |p+ x p-|^2 |F|^2`` (GeV^4)."""
    return dalitz_quadrature(lambda a, b: shape(M, a, b, running, rho, m_pm, m_0), M, m_pm, m_0)


def amplitude2(M: float, s12, s23, G: float, running: bool = True):
    """Spin-averaged ``|M|^2 = G^2 M^2 |p+ x p-|^2 |F|^2 / 3`` (dimensionless; ``G`` in GeV^-1)."""
    return G * G * M * M * shape(M, s12, s23, running) / 3.0


def dgamma(M: float, s12, s23, G: float, running: bool = True):
    """``dGamma / ds12 ds23`` (GeV^-3) = ``|M|^2 / (256 pi^3 M^3)``."""
    return amplitude2(M, s12, s23, G, running) / (256.0 * math.pi**3 * M**3)


def omega_3pi_width(g_wrp: float = G_OMEGA_RHO_PI, M: float = M_OMEGA, running: bool = True) -> float:
    """Gamma(V -> pi+ pi- pi0) (GeV) with ``G = 2 g_wrp g_rpp``: ``G^2 I(M) / (768 pi^3 M)``."""
    G = 2.0 * g_wrp * g_rho_pipi()
    return G * G * shape_integral(M, running) / (768.0 * math.pi**3 * M)


def effective_coupling2(M: float, width: float, running: bool = True) -> float:
    """``|G_eff(M)|^2 = 768 pi^3 M Gamma / I(M)``: the coupling whose amplitude integrates to ``width``."""
    return 768.0 * math.pi**3 * M * width / shape_integral(M, running)


def zprime_3pi_dgamma(M: float, width: float, running: bool = True):
    """Normalised Dalitz density ``dGamma/ds12 ds23`` (GeV^-3) of ``Z' -> pi+ pi- pi0``.

    ``width`` is the model's Gamma(Z' -> pi+ pi- pi0) at mass ``M`` (GeV), e.g.
    ``ZPrime.partial_widths()["pi+ pi- pi0"]``; the returned ``f(s12, s23)`` integrates to it.
    """
    G2 = effective_coupling2(M, width, running)

    def f(s12, s23):
        return G2 * M * M * shape(M, s12, s23, running) / 3.0 / (256.0 * math.pi**3 * M**3)

    return f

"""Four-pion decays of a vector boson: ``V -> pi+ pi- pi+ pi-`` and ``V -> pi+ pi- pi0 pi0``.

The partial widths come from elsewhere (the Z' model, DarkCast's VMD fits); this module gives
the *kinematics*: the spin-averaged matrix element ``|M|^2 ~ -g_{mu nu} J^mu J^nu*`` of the
isovector four-pion current ``J`` and an exact sampler of it.

Model: the a1(1260) pi + omega pi current of Czyz and Kuhn
---------------------------------------------------------
H. Czyz, J. H. Kuhn, "Four pion final states with tagged photons at electron positron
colliders", Eur. Phys. J. C 18 (2001) 497, arXiv:hep-ph/0008262 (sec. 2), as coded in the public
PHOKHARA / TAUOLA current (TAUOLA ``curr_karls.f``, routines ``had1``, ``had2``, ``bwga1``,
``gfun8``, ``bwgrho``, ``bwgrho_t``, ``bwgf0``, ``anom_bwg``; we read the formulas and the numbers
there, the equation numbers of the paper could not be checked against its text). The a1 term has
the structure of eq. (A.3) of the later update Czyz, Kuhn, Wapienik, Phys. Rev. D 77 (2008)
114005, arXiv:0804.0359 (tests/test_zprime_4pi.py checks the algebraic identity below against
that basis form). Every amplitude is built from the ``pi+ pi- pi0 pi0`` current
``J0(q1, q2; q3, q4)`` (q1, q2 the pi0's, q3 the pi-, q4 the pi+):

    J0 = C_A(Q^2) [g_a1 A + g_f0 F] + C_W(Q^2) W,

* **a1 pi**, a1 -> rho pi, four terms (a1+ pi- with the rho+ made of either pi0, a1- pi+ likewise):

      A = 2 sum BW_a1(P^2) BW_rho'(k^2) [v_T - (Q.v_T / Q^2) Q],   v_T = v - (P.v / P^2) P,

  ``P`` the a1 (three-pion) momentum, ``k`` the rho pair, ``v`` the rho's relative momentum:
  ``v = q(pi0) - q(pi+)`` for a1+ -> rho+ pi0, ``v = q(pi-) - q(pi0)`` for a1- -> rho- pi0 (the
  isospin phases of rho+- -> pi+- pi0 and the C-odd combination a1+ pi- - a1- pi+). This is an
  S-wave a1 rho pi vertex ``g_{alpha beta}``, the a1 propagator's transverse projector
  ``g - P P / P^2`` and the conserved (Q-transverse) V a1 pi vertex; it equals the coefficient form
  ``(3 - d) q1 + (1 - d) q2 + (1 + d)(q3 - q4) + c Q`` of the sources (*derived*, identity tested).
  ``BW_a1(s) = m^2 / (m^2 - s - i m Gamma g(s)/g(m^2))`` with the three-pion phase-space function
  ``g(s)`` of Kuhn and Santamaria, Z. Phys. C 48 (1990) 445 (TAUOLA ``GFUN``):
  ``g = 4.1 c^3 (1 - 3.3 c + 5.8 c^2)``, ``c = s - 9 m_pi0^2``, below ``(m_rho + m_pi)^2``,
  ``g = 1.623 s + 10.38 - 9.32/s + 0.65/s^2`` above (GeV units). The rho inside the a1 is
  ``BW_rho'(s) = [BW(s; rho) + beta BW(s; rho(1450))] / (1 + beta)``, ``beta = -0.145``, each with the
  P-wave running width ``m Gamma(s) = m Gamma (m/sqrt s)(p(s)/p(m^2))^3`` and
  ``BW(s) = m^2 / (m^2 - s - i m Gamma(s))``.
* **rho0 f0(1370)** (part of the same current; the pi0 pair forms the f0):
  ``F = -3 BW_rho''(s(+-)) BW_f0(s(00)) [(q3 - q4) - (Q.(q3 - q4)/Q^2) Q]``,
  ``BW_f0(s) = (m^2 - i m Gamma)/(m^2 - s - i m Gamma)`` (fixed width).
* **omega pi0**, omega -> pi+ pi- pi0 (``W``): for each pi0 ``r`` recoiling against
  ``omega = (a, b, c) = (other pi0, pi-, pi+)``, ``R = a + b + c``:

      W = sum_r BW_omega(R^2) H(a, b, c) det[[a, b, c], [R.a, R.b, R.c], [r.a, r.b, r.c]],

  the determinant being ``eps^{mu nu alpha beta} R_alpha r_beta eps_{nu kappa lambda sigma} a b c``
  (V -> omega pi0 and omega -> 3 pi through epsilon tensors; tested). ``BW_omega = 1/(m^2 - s -
  i m Gamma)``. The source's omega -> 3 pi vertex is a contact term (``H = 1``); here, by default
  (``omega_rho=True``), it is the Gell-Mann-Sharp-Wagner rho pi dominance vertex of
  :mod:`fipgen.decays.vector_3pi`, ``H = N_H sum_ij 1/D_rho(s_ij)``, with ``N_H`` fixed so that
  ``Gamma(omega -> 3 pi)`` at the omega mass is that of the contact vertex
  (``N_H^2 = I_contact / I_GSW``, :func:`~fipgen.decays.vector_3pi.shape_integral`): the fitted
  omega pi weight of the source is kept, the omega Dalitz plot gets its rho bands.
* Q^2 dependence: ``C_A = (sqrt6 / f_pi^2) BW_rho''(Q^2)`` with
  ``BW_rho'' = [BW(rho) + 0.08 BW(rho(1350)) - 0.0075 BW(rho(1700))] / 1.0725`` (running widths),
  ``C_W = c_W m_rho^2 [1/(m_rho^2 - Q^2 - i m_rho Gamma_rho) + sigma/(m'^2 - Q^2 - i m' Gamma')]``
  (fixed widths, ``m' = 1.7``, ``Gamma' = 0.26``, ``sigma = -0.1``). Only their ratio matters here
  (the widths are not computed from this current): it sets the omega pi share of
  ``pi+ pi- pi0 pi0``, ``int |J_omega|^2 / int |J|^2`` (:func:`omega_fraction`): 0.89, 0.67, 0.43,
  0.30, 0.34 at 1.0, 1.2, 1.3, 1.5, 2.0 GeV (the remainder is the a1 pi + rho f0 part and their
  interference).

Parameters (:class:`FourPionCurrent`, GeV): rho 0.773/0.145, rho(1350) 1.35/0.30, rho(1700)
1.70/0.235 (Q^2 form factor), rho(1450) in the a1 decay 1.37/0.51 [the TAUOLA code puts 1.35 in
that Breit-Wigner's real part and 1.37 in its width: we use 1.37 in both], a1 1.251/0.599,
f0 1.3/0.6, omega 0.782/0.0085, f_pi = 0.0933, g_a1 = g_f0 = 0.38,
``c_W = (1.55/sqrt2) x 1475.98 x 12.924 x 0.266`` (the source's omega pi normalisation in the units
in which the a1 term carries ``sqrt6/f_pi^2``). The pion masses are the PDG ones (the source uses
0.14 in the rho width).

``pi+ pi- pi+ pi-`` by isospin (Czyz-Kuhn sec. 2; ``had1``): with the pi+ in ``q1, q4`` and the
pi- in ``q2, q3``, ``J = J0(q1, q2; q3, q4) + J0(q4, q2; q3, q1) + J0(q1, q3; q2, q4) +
J0(q4, q3; q2, q1)`` (one pi+ pi- pair in the "pi0" slots, in all four ways). The omega terms
cancel in this sum (omega pi0 cannot give four charged pions; tested) and are left out, and so do
the terms whose "rho" would be pi+ pi+ or pi- pi-: the kernel evaluates the remaining eight a1
terms (a1+- -> rho0 pi+-, ``v = q(pi-) - q(pi+)`` in the rho0) and four rho0 f0 terms, the numpy
reference the sum as written (they agree to 1e-12). Both currents are Bose symmetric in the
identical pions by construction (tested).

Both final states carry isospin 1 (G-parity +): only the isovector (rho-like) part of the
boson's coupling produces them, so the shape does not depend on the model's charges. The boson
is unpolarised: ``|M|^2 = -g_{mu nu} J^mu J^nu* / 3`` (``Q.J = 0``, so the ``Q Q / M^2`` part of
the polarisation sum drops; ``|M|^2`` is in arbitrary units).

Sampling
--------
Exact accept-reject against ``|M|^2`` over the Lorentz-invariant phase space ``dPhi_4``, with
candidates from a mixture of generators (multichannel importance sampling; Kleiss and Pittau,
Comput. Phys. Commun. 83 (1994) 141). With ``dPhi_2 = p*/(4 m) dOmega`` and the recursion
``dPhi_n = dPhi_j ds dPhi_{n-j+1}`` (no 2 pi factors; *derived*, the channels' normalisations are
checked against each other in the tests):

* GENBOD (F. James, CERN 68-15): ``Q -> 1 + M1, M1 -> 2 + M2, M2 -> 3 + 4`` with ``(M1, M2)``
  uniform in their ordered triangle and isotropic two-body decays; ``dPhi_4 = p1 p2 p3/(16 M)
  dM1 dM2 dOmega^3``, so its density on phase space is ``g = 2 / (T^2 (4 pi)^3 J)``,
  ``J = p1 p2 p3 / (16 M)``, ``T = M - sum m``. Probability 0.2.
* resonance chains ``Q -> r + X``, ``X -> b + Y``, ``Y -> y1 + y2``, ``s_X`` then ``s_Y`` drawn from
  Breit-Wigners (Cauchy in s, truncated to their kinematic ranges, normalised by the arctangent
  difference), ``dPhi_4 = p_r p_b p_y / (64 M sqrt(s_X s_Y)) ds_X ds_Y dOmega^3``:
  a1 -> rho pi for every charge assignment (8 for four charged pions, 4 for
  ``pi+ pi- pi0 pi0``), and omega(-> rho pi) pi0 for either pi0 (``pi+ pi- pi0 pi0``).

Each candidate has the weight ``w = |M|^2 / sum_k alpha_k g_k`` and is kept with probability
``w / w_max``: the kept events are distributed as ``|M|^2 dPhi_4`` whatever the mixture.
``w_max`` is 1.3 x the largest weight of 2^17 candidates drawn once per (final state, mass) with
a fixed internal seed (deterministic, cached, independent of the caller's ``rng``; the largest of
4 x 10^6 candidates exceeded it by at most 10 % at 0.6-2 GeV); if a candidate ever exceeds
``w_max``, it is raised (x 1.5) and the whole sample redrawn, so the result is exact. Accept rates
(:func:`acceptance`): 29 / 8 / 11 % (four charged pions) and 4 / 8 / 8 % (``pi+ pi- pi0 pi0``)
at 1.0 / 1.5 / 2.0 GeV; the largest weights come from interference (two rho0 or two omega
combinations on their peaks at once), which no single channel follows.

Kernels: :func:`amplitude2` (numba) with the plain-numpy reference :func:`amplitude2_numpy`
(projector matrices and explicit Levi-Civita contractions). Units GeV; four-vectors
``(px, py, pz, E)``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from .._jit import JIT_OPTIONS as _JIT
from ..constants import mass as _mass
from ..errors import PhysicsError
from ..kinematics.boost import _as_p4, boost_from_rest

__all__ = [
    "FourPionCurrent",
    "DEFAULT_CURRENT",
    "final_state_kind",
    "canonical_order",
    "amplitude2",
    "amplitude2_numpy",
    "current_numpy",
    "sample_four_pion",
    "acceptance",
    "omega_fraction",
    "phase_space_density",
]

#: final-state kinds: four charged pions, and pi+ pi- pi0 pi0
CHARGED, NEUTRAL = 0, 1


@dataclass(frozen=True)
class FourPionCurrent:
    """Parameters of the Czyz-Kuhn four-pion current (module docstring). Masses, widths in GeV.

    ``omega_rho``: omega -> 3 pi through rho pi (GSW, default) or the source's contact vertex.
    ``with_f0``, ``with_omega``: switch the rho f0 and omega pi terms (both on in the model).
    """

    m_rho: float = 0.773
    g_rho: float = 0.145
    m_rho1: float = 1.35
    g_rho1: float = 0.30
    m_rho2: float = 1.70
    g_rho2: float = 0.235
    b_rho1: float = 0.08
    b_rho2: float = -0.0075
    m_rho1_a1: float = 1.37
    g_rho1_a1: float = 0.51
    beta_a1: float = -0.145
    m_a1: float = 1.251
    g_a1: float = 0.599
    m_f0: float = 1.3
    g_f0: float = 0.6
    m_omega: float = 0.782
    g_omega: float = 0.0085
    m_rho_w: float = 1.7
    g_rho_w: float = 0.26
    sigma_w: float = -0.1
    f_pi: float = 0.0933
    c_a1: float = 0.38
    c_f0: float = 0.38
    c_w: float = 1.55 / math.sqrt(2.0) * 1475.98 * 12.924 * 0.266
    omega_rho: bool = True
    with_f0: bool = True
    with_omega: bool = True


#: The model of the module docstring.
DEFAULT_CURRENT = FourPionCurrent()

# indices of the packed parameter vector read by the kernels
(_MRHO, _GRHO, _MR1, _GR1, _MR2, _GR2, _BR1, _BR2, _MR1A, _GR1A, _BETA, _MA1, _GA1, _GMA1, _MF0, _GF0,
 _MW, _GW, _CA1, _CF0, _MPI, _MPI0, _SSW, _OMRHO, _NH, _MRP, _GRP, _WF0, _WOM, _NPAR) = range(30)


def _rho_pdg():
    from .vector_3pi import G_RHO, M_RHO

    return M_RHO, G_RHO


@lru_cache(maxsize=8)
def _gsw_norm(m_omega: float) -> float:
    """``N_H = sqrt(I_contact / I_GSW)`` at the omega mass (GeV^2): keeps Gamma(omega -> 3 pi)."""
    from .vector_3pi import shape_integral

    return math.sqrt(shape_integral(m_omega, rho=False) / shape_integral(m_omega, rho=True))


def _gfun_py(s, mpi0, s_switch):
    # a1 -> 3 pi phase-space function g(s): Kuhn, Santamaria, Z. Phys. C 48 (1990) 445 (TAUOLA GFUN)
    if s > s_switch:
        return 1.623 * s + 10.38 - 9.32 / s + 0.65 / (s * s)
    c = s - 9.0 * mpi0 * mpi0
    return max(0.0, 4.1 * c**3 * (1.0 - 3.3 * c + 5.8 * c * c))


def _pack(cur: FourPionCurrent) -> np.ndarray:
    p = np.zeros(_NPAR)
    mpi, mpi0 = _mass(211), _mass(111)
    p[_MRHO], p[_GRHO] = cur.m_rho, cur.g_rho
    p[_MR1], p[_GR1], p[_MR2], p[_GR2] = cur.m_rho1, cur.g_rho1, cur.m_rho2, cur.g_rho2
    p[_BR1], p[_BR2] = cur.b_rho1, cur.b_rho2
    p[_MR1A], p[_GR1A], p[_BETA] = cur.m_rho1_a1, cur.g_rho1_a1, cur.beta_a1
    p[_MA1], p[_GA1] = cur.m_a1, cur.g_a1
    p[_SSW] = (cur.m_rho + mpi) ** 2  # switch of the Kuhn-Santamaria g(s)
    p[_GMA1] = _gfun_py(cur.m_a1**2, mpi0, p[_SSW])
    p[_MF0], p[_GF0] = cur.m_f0, cur.g_f0
    p[_MW], p[_GW] = cur.m_omega, cur.g_omega
    p[_CA1], p[_CF0] = cur.c_a1, cur.c_f0
    p[_MPI], p[_MPI0] = mpi, mpi0
    p[_OMRHO] = 1.0 if cur.omega_rho else 0.0
    p[_NH] = _gsw_norm(cur.m_omega) if cur.omega_rho else 1.0
    p[_MRP], p[_GRP] = _rho_pdg()
    p[_WF0] = 1.0 if cur.with_f0 else 0.0
    p[_WOM] = 1.0 if cur.with_omega else 0.0
    return p


def _bw_run_py(s, m, g, mpi):
    """``m^2 / (m^2 - s - i m Gamma(s))``, P-wave running width (module docstring)."""
    im = 0.0
    if s > 4.0 * mpi * mpi:
        r = (s - 4.0 * mpi * mpi) / (m * m - 4.0 * mpi * mpi)
        im = m * g * math.sqrt(m * m / s * r**3)
    return m * m / complex(m * m - s, -im)


def _q2_couplings(M: float, cur: FourPionCurrent, mpi: float) -> tuple[complex, complex]:
    """``(C_A, C_W)`` at ``Q^2 = M^2`` (module docstring)."""
    # Czyz-Kuhn (hep-ph/0008262) Q^2 factors as coded in PHOKHARA/TAUOLA: C_A = coupl * bwgrho(Q^2),
    # coupl = sqrt6/f_pi^2; C_W = fac3 * (rho + sigma rho(1700)) with fixed widths (anom_bwg)
    s = M * M
    ff = (_bw_run_py(s, cur.m_rho, cur.g_rho, mpi) + cur.b_rho1 * _bw_run_py(s, cur.m_rho1, cur.g_rho1, mpi)
          + cur.b_rho2 * _bw_run_py(s, cur.m_rho2, cur.g_rho2, mpi)) / (1.0 + cur.b_rho1 + cur.b_rho2)
    c_a = math.sqrt(6.0) / cur.f_pi**2 * ff
    anom = (1.0 / complex(cur.m_rho**2 - s, -cur.m_rho * cur.g_rho)
            + cur.sigma_w / complex(cur.m_rho_w**2 - s, -cur.m_rho_w * cur.g_rho_w))
    c_w = cur.c_w * cur.m_rho**2 * anom if cur.with_omega else 0.0j
    return complex(c_a), complex(c_w)


# --- numba kernels ---------------------------------------------------------------------------


@numba.njit(**_JIT)
def _dot(a0, a1, a2, a3, b0, b1, b2, b3):  # pragma: no cover - compiled
    return a3 * b3 - a0 * b0 - a1 * b1 - a2 * b2


@numba.njit(**_JIT)
def _bw_run(s, m, g, mpi):  # pragma: no cover - compiled
    # m^2 / (m^2 - s - i m Gamma(s)), m Gamma(s) = m g (m/sqrt s)(p(s)/p(m^2))^3 (P wave)
    im = 0.0
    if s > 4.0 * mpi * mpi:
        r = (s - 4.0 * mpi * mpi) / (m * m - 4.0 * mpi * mpi)
        im = m * g * np.sqrt(m * m / s * r * r * r)
    return m * m / ((m * m - s) - 1j * im)


@numba.njit(**_JIT)
def _bw_rho_q2(s, p):  # pragma: no cover - compiled
    # rho + rho(1350) + rho(1700) combination (C_A's and the f0 term's rho), Czyz-Kuhn bwgrho
    mpi = p[_MPI]
    return (_bw_run(s, p[_MRHO], p[_GRHO], mpi) + p[_BR1] * _bw_run(s, p[_MR1], p[_GR1], mpi)
            + p[_BR2] * _bw_run(s, p[_MR2], p[_GR2], mpi)) / (1.0 + p[_BR1] + p[_BR2])


@numba.njit(**_JIT)
def _bw_rho_a1(s, p):  # pragma: no cover - compiled
    # the rho of a1 -> rho pi: rho + beta rho(1450), Czyz-Kuhn bwgrho_t
    mpi = p[_MPI]
    return (_bw_run(s, p[_MRHO], p[_GRHO], mpi) + p[_BETA] * _bw_run(s, p[_MR1A], p[_GR1A], mpi)) / (1.0 + p[_BETA])


@numba.njit(**_JIT)
def _gfun(s, p):  # pragma: no cover - compiled
    # Kuhn-Santamaria a1 -> 3 pi phase-space function g(s) (TAUOLA GFUN), GeV units
    if s > p[_SSW]:
        return 1.623 * s + 10.38 - 9.32 / s + 0.65 / (s * s)
    c = s - 9.0 * p[_MPI0] * p[_MPI0]
    v = 4.1 * c * c * c * (1.0 - 3.3 * c + 5.8 * c * c)
    return v if v > 0.0 else 0.0


@numba.njit(**_JIT)
def _bw_a1(s, p):  # pragma: no cover - compiled
    m = p[_MA1]
    return m * m / ((m * m - s) - 1j * (m * p[_GA1] * _gfun(s, p) / p[_GMA1]))


@numba.njit(**_JIT)
def _rho_prop_inv(s, p):  # pragma: no cover - compiled
    # 1 / D_rho(s), D = m^2 - s - i sqrt(s) Gamma(s) (fipgen.decays.vector_3pi.rho_propagator)
    m = p[_MRP]
    mpi = p[_MPI]
    im = 0.0
    if s > 4.0 * mpi * mpi:
        ps = np.sqrt(s / 4.0 - mpi * mpi)
        p0 = np.sqrt(m * m / 4.0 - mpi * mpi)
        im = p[_GRP] * m * (m / np.sqrt(s)) * (ps / p0) ** 3
    return 1.0 / ((m * m - s) - 1j * im)


@numba.njit(**_JIT)
def _a1_term(b, x, y, Q, Q2, p):  # pragma: no cover - compiled
    """One a1 -> rho(x y) pi(b) term: complex amplitude and the real vector
    [v_T - (Q.v_T/Q^2) Q], v = x - y (module docstring; Czyz-Kuhn a1 term, the basis form of
    arXiv:0804.0359 eq. (A.3) rewritten with projectors)."""
    P0, P1, P2_, P3 = b[0] + x[0] + y[0], b[1] + x[1] + y[1], b[2] + x[2] + y[2], b[3] + x[3] + y[3]
    PP = _dot(P0, P1, P2_, P3, P0, P1, P2_, P3)
    v0, v1, v2, v3 = x[0] - y[0], x[1] - y[1], x[2] - y[2], x[3] - y[3]
    d = _dot(P0, P1, P2_, P3, v0, v1, v2, v3) / PP
    t0, t1, t2, t3 = v0 - d * P0, v1 - d * P1, v2 - d * P2_, v3 - d * P3
    c = _dot(Q[0], Q[1], Q[2], Q[3], t0, t1, t2, t3) / Q2
    k0, k1, k2, k3 = x[0] + y[0], x[1] + y[1], x[2] + y[2], x[3] + y[3]
    amp = _bw_a1(PP, p) * _bw_rho_a1(_dot(k0, k1, k2, k3, k0, k1, k2, k3), p)
    return amp, t0 - c * Q[0], t1 - c * Q[1], t2 - c * Q[2], t3 - c * Q[3]


@numba.njit(**_JIT)
def _omega_term(a, b, c, r, p):  # pragma: no cover - compiled
    """omega(a b c) recoiling against r: BW_omega H times det[[a,b,c],[R.a,..],[r.a,..]] (complex, 4).

    The determinant is eps^{mu nu alpha beta} R_alpha r_beta eps_{nu k l s} a^k b^l c^s (Czyz-Kuhn
    omega pi term); H = N_H sum 1/D_rho (Gell-Mann, Sharp, Wagner, PRL 8 (1962) 261) or 1."""
    R0, R1, R2, R3 = a[0] + b[0] + c[0], a[1] + b[1] + c[1], a[2] + b[2] + c[2], a[3] + b[3] + c[3]
    Ra = _dot(R0, R1, R2, R3, a[0], a[1], a[2], a[3])
    Rb = _dot(R0, R1, R2, R3, b[0], b[1], b[2], b[3])
    Rc = _dot(R0, R1, R2, R3, c[0], c[1], c[2], c[3])
    ra = _dot(r[0], r[1], r[2], r[3], a[0], a[1], a[2], a[3])
    rb = _dot(r[0], r[1], r[2], r[3], b[0], b[1], b[2], b[3])
    rc = _dot(r[0], r[1], r[2], r[3], c[0], c[1], c[2], c[3])
    ca = Rb * rc - Rc * rb
    cb = Rc * ra - Ra * rc
    cc = Ra * rb - Rb * ra
    s = _dot(R0, R1, R2, R3, R0, R1, R2, R3)
    m = p[_MW]
    amp = 1.0 / ((m * m - s) - 1j * m * p[_GW])
    if p[_OMRHO] > 0.0:
        # pair masses from R = a + b + c: s_ab = (R - c)^2 = R^2 - 2 R.c + c^2, etc.
        sab = s - 2.0 * Rc + _dot(c[0], c[1], c[2], c[3], c[0], c[1], c[2], c[3])
        sac = s - 2.0 * Rb + _dot(b[0], b[1], b[2], b[3], b[0], b[1], b[2], b[3])
        sbc = s - 2.0 * Ra + _dot(a[0], a[1], a[2], a[3], a[0], a[1], a[2], a[3])
        amp = amp * p[_NH] * (_rho_prop_inv(sab, p) + _rho_prop_inv(sac, p) + _rho_prop_inv(sbc, p))
    return (amp * (ca * a[0] + cb * b[0] + cc * c[0]), amp * (ca * a[1] + cb * b[1] + cc * c[1]),
            amp * (ca * a[2] + cb * b[2] + cc * c[2]), amp * (ca * a[3] + cb * b[3] + cc * c[3]))


@numba.njit(**_JIT)
def _f0_term(xm, xp, y1, y2, Q, Q2, p):  # pragma: no cover - compiled
    """rho0(xm xp) f0(y1 y2): complex -3 BW_rho'' BW_f0 and the real vector (xm - xp)_T."""
    s12 = _dot(y1[0] + y2[0], y1[1] + y2[1], y1[2] + y2[2], y1[3] + y2[3],
               y1[0] + y2[0], y1[1] + y2[1], y1[2] + y2[2], y1[3] + y2[3])
    s34 = _dot(xm[0] + xp[0], xm[1] + xp[1], xm[2] + xp[2], xm[3] + xp[3],
               xm[0] + xp[0], xm[1] + xp[1], xm[2] + xp[2], xm[3] + xp[3])
    m = p[_MF0]
    mg = m * p[_GF0]
    amp = -3.0 * _bw_rho_q2(s34, p) * ((m * m - 1j * mg) / ((m * m - s12) - 1j * mg))
    d0, d1, d2, d3 = xm[0] - xp[0], xm[1] - xp[1], xm[2] - xp[2], xm[3] - xp[3]
    c = _dot(Q[0], Q[1], Q[2], Q[3], d0, d1, d2, d3) / Q2
    return amp, d0 - c * Q[0], d1 - c * Q[1], d2 - c * Q[2], d3 - c * Q[3]


@numba.njit(**_JIT)
def _j0(x1, x2, x3, x4, Q, Q2, cA, cW, omega, p):  # pragma: no cover - compiled
    """The pi+ pi- pi0 pi0 current J0(x1, x2; x3, x4): x1, x2 pi0 slots, x3 pi-, x4 pi+."""
    j0 = 0.0j
    j1 = 0.0j
    j2 = 0.0j
    j3 = 0.0j
    g1 = 2.0 * p[_CA1] * cA
    for k in range(4):
        # (bachelor, rho pair (x, y), v = x - y); one call site keeps the compiled code small
        if k == 0:  # a1+ (recoil x3) -> rho+(x2 x4) pi0(x1), v = pi0 - pi+
            b, x, y = x1, x2, x4
        elif k == 1:  # a1+ -> rho+(x1 x4) pi0(x2)
            b, x, y = x2, x1, x4
        elif k == 2:  # a1- (recoil x4) -> rho-(x3 x2) pi0(x1), v = pi- - pi0
            b, x, y = x1, x3, x2
        else:  # a1- -> rho-(x3 x1) pi0(x2)
            b, x, y = x2, x3, x1
        a, t0, t1, t2, t3 = _a1_term(b, x, y, Q, Q2, p)
        j0 += g1 * a * t0
        j1 += g1 * a * t1
        j2 += g1 * a * t2
        j3 += g1 * a * t3
    if p[_WF0] > 0.0:
        a, t0, t1, t2, t3 = _f0_term(x3, x4, x1, x2, Q, Q2, p)
        a = a * p[_CF0] * cA
        j0 += a * t0
        j1 += a * t1
        j2 += a * t2
        j3 += a * t3
    if omega:
        for k in range(2):
            # omega = (other pi0, pi-, pi+) recoiling against either pi0
            a, r = (x1, x2) if k == 0 else (x2, x1)
            w0, w1, w2, w3 = _omega_term(a, x3, x4, r, p)
            j0 += cW * w0
            j1 += cW * w1
            j2 += cW * w2
            j3 += cW * w3
    return j0, j1, j2, j3


@numba.njit(**_JIT)
def _j_charged(q, Q, Q2, cA, p):  # pragma: no cover - compiled
    """The pi+ pi+ pi- pi- current, q in canonical order (pi+, pi+, pi-, pi-).

    The isospin sum of the module docstring written out: the terms whose "rho" would be
    pi+ pi+ or pi- pi- cancel pairwise in it and are dropped, leaving eight a1 terms
    (a1+- -> rho0 pi+-, v = pi- - pi+ in the rho0) and four rho0 f0 terms (tested against the
    sum itself in the numpy reference)."""
    j0 = 0.0j
    j1 = 0.0j
    j2 = 0.0j
    j3 = 0.0j
    g1 = 2.0 * p[_CA1] * cA
    for k in range(8):
        r = k % 2
        b = (k // 2) % 2
        if k < 4:
            # a1+ recoiling against pi-(2 + r): bachelor pi+(b), rho0 = (pi-(3 - r), pi+(1 - b))
            ib, ix, iy = b, 3 - r, 1 - b
        else:
            # a1- recoiling against pi+(r): bachelor pi-(2 + b), rho0 = (pi-(3 - b), pi+(1 - r))
            ib, ix, iy = 2 + b, 3 - b, 1 - r
        a, t0, t1, t2, t3 = _a1_term(q[ib], q[ix], q[iy], Q, Q2, p)
        j0 += g1 * a * t0
        j1 += g1 * a * t1
        j2 += g1 * a * t2
        j3 += g1 * a * t3
    if p[_WF0] > 0.0:
        for k in range(4):
            r = k % 2
            b = k // 2
            # rho0(pi-(2 + b), pi+(r)) f0(pi-(3 - b), pi+(1 - r))
            a, t0, t1, t2, t3 = _f0_term(q[2 + b], q[r], q[3 - b], q[1 - r], Q, Q2, p)
            a = a * p[_CF0] * cA
            j0 += a * t0
            j1 += a * t1
            j2 += a * t2
            j3 += a * t3
    return j0, j1, j2, j3


@numba.njit(**_JIT)
def _amp2_event(q, kind, cA, cW, p):  # pragma: no cover - compiled
    """-g_{mu nu} J J* / 3 for one event; ``q`` (4, 4) in canonical order (:func:`canonical_order`)."""
    Q = (q[0, 0] + q[1, 0] + q[2, 0] + q[3, 0], q[0, 1] + q[1, 1] + q[2, 1] + q[3, 1],
         q[0, 2] + q[1, 2] + q[2, 2] + q[3, 2], q[0, 3] + q[1, 3] + q[2, 3] + q[3, 3])
    Q2 = _dot(Q[0], Q[1], Q[2], Q[3], Q[0], Q[1], Q[2], Q[3])
    if kind == 1:
        # pi0 pi0 pi- pi+
        j0, j1, j2, j3 = _j0(q[0], q[1], q[2], q[3], Q, Q2, cA, cW, p[_WOM] > 0.0, p)
    else:
        j0, j1, j2, j3 = _j_charged(q, Q, Q2, cA, p)
    r = (j3.real * j3.real + j3.imag * j3.imag) - (j0.real * j0.real + j0.imag * j0.imag) \
        - (j1.real * j1.real + j1.imag * j1.imag) - (j2.real * j2.real + j2.imag * j2.imag)
    return -r / 3.0


@numba.njit(**_JIT)
def _amp2_kernel(q, kind, cA, cW, p):  # pragma: no cover - compiled
    n = q.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = _amp2_event(q[i], kind, cA, cW, p)
    return out


# --- phase space: generators and their densities -----------------------------------------------


@numba.njit(**_JIT)
def _pstar(M, m1, m2):  # pragma: no cover - compiled
    # PDG Kinematics eq. 49.17, factorised Kallen function
    lam = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)
    if lam <= 0.0 or M <= 0.0:
        return 0.0
    return np.sqrt(lam) / (2.0 * M)


@numba.njit(**_JIT)
def _boost_into(P, mP, px, py, pz, e, o):  # pragma: no cover - compiled
    # from P's rest frame to the frame of P (Jackson eq. 11.19, u = gamma beta form)
    g = P[3] / mP
    ux, uy, uz = P[0] / mP, P[1] / mP, P[2] / mP
    up = ux * px + uy * py + uz * pz
    a = up / (g + 1.0) + e
    o[0] = px + a * ux
    o[1] = py + a * uy
    o[2] = pz + a * uz
    o[3] = g * e + up


@numba.njit(**_JIT)
def _decay2(P, mP, m1, m2, uc, uphi, o1, o2):  # pragma: no cover - compiled
    """Isotropic P -> 1 + 2 (cos theta = 2 uc - 1, phi = 2 pi uphi) in P's rest frame, then boosted."""
    ps = _pstar(mP, m1, m2)
    c = 2.0 * uc - 1.0
    sn = np.sqrt(max(0.0, (1.0 - c) * (1.0 + c)))
    phi = 2.0 * np.pi * uphi
    kx, ky, kz = ps * sn * np.cos(phi), ps * sn * np.sin(phi), ps * c
    _boost_into(P, mP, kx, ky, kz, np.sqrt(ps * ps + m1 * m1), o1)
    _boost_into(P, mP, -kx, -ky, -kz, np.sqrt(ps * ps + m2 * m2), o2)


@numba.njit(**_JIT)
def _chain(M, ms, order, M1, M2, u, out):  # pragma: no cover - compiled
    """Q (at rest, mass M) -> order[0] + X1(M1), X1 -> order[1] + X2(M2), X2 -> order[2] + order[3];
    angles from u[0:6]; writes out[order[k]]."""
    Q = np.array([0.0, 0.0, 0.0, M])
    X1 = np.empty(4)
    X2 = np.empty(4)
    _decay2(Q, M, ms[order[0]], M1, u[0], u[1], out[order[0]], X1)
    _decay2(X1, M1, ms[order[1]], M2, u[2], u[3], out[order[1]], X2)
    _decay2(X2, M2, ms[order[2]], ms[order[3]], u[4], u[5], out[order[2]], out[order[3]])


@numba.njit(**_JIT)
def _cauchy_t(lo, hi, m, g):  # pragma: no cover - compiled
    # arctan range of the Cauchy-in-s density mg / ((s - m^2)^2 + (mg)^2) on [lo, hi]
    mg = m * g
    return np.arctan((lo - m * m) / mg), np.arctan((hi - m * m) / mg)


@numba.njit(**_JIT)
def _generate(M, ms, chan, cpar, cum, u):  # pragma: no cover - compiled
    """Candidates in the rest frame, canonical order (module docstring, "Sampling").

    ``chan`` (K, 4): (r, b, y1, y2) of each resonance channel; ``cpar`` (K, 4): (m_X, G_X, m_Y, G_Y);
    ``cum`` (K + 1,): cumulative channel probabilities, entry 0 GENBOD.
    u (n, 9): [0] channel choice, [1:3] the two masses, [3:9] the three decays' angles.
    """
    n = u.shape[0]
    out = np.empty((n, 4, 4))
    T = M - (ms[0] + ms[1] + ms[2] + ms[3])
    gen = np.array([0, 1, 2, 3])
    order = np.empty(4, dtype=np.int64)
    K = chan.shape[0]
    for i in range(n):
        k = 0
        while k < K and u[i, 0] >= cum[k]:
            k += 1
        if k == 0:
            hi = max(u[i, 1], u[i, 2])
            lo = min(u[i, 1], u[i, 2])
            M1 = ms[1] + ms[2] + ms[3] + hi * T
            M2 = ms[2] + ms[3] + lo * T
            _chain(M, ms, gen, M1, M2, u[i, 3:9], out[i])
        else:
            c = k - 1
            r, b, y1, y2 = chan[c, 0], chan[c, 1], chan[c, 2], chan[c, 3]
            order[0], order[1], order[2], order[3] = r, b, y1, y2
            mX, gX, mY, gY = cpar[c, 0], cpar[c, 1], cpar[c, 2], cpar[c, 3]
            t0, t1 = _cauchy_t((ms[b] + ms[y1] + ms[y2]) ** 2, (M - ms[r]) ** 2, mX, gX)
            sX = mX * mX + mX * gX * np.tan(t0 + u[i, 1] * (t1 - t0))
            WX = np.sqrt(sX)
            t0, t1 = _cauchy_t((ms[y1] + ms[y2]) ** 2, (WX - ms[b]) ** 2, mY, gY)
            sY = mY * mY + mY * gY * np.tan(t0 + u[i, 2] * (t1 - t0))
            _chain(M, ms, order, WX, np.sqrt(sY), u[i, 3:9], out[i])
    return out


@numba.njit(**_JIT)
def _m2(q, i, j, k):  # pragma: no cover - compiled
    # invariant mass squared of particles i, j (and k >= 0) of one event
    e = q[i, 3] + q[j, 3]
    x = q[i, 0] + q[j, 0]
    y = q[i, 1] + q[j, 1]
    z = q[i, 2] + q[j, 2]
    if k >= 0:
        e += q[k, 3]
        x += q[k, 0]
        y += q[k, 1]
        z += q[k, 2]
    return e * e - x * x - y * y - z * z


@numba.njit(**_JIT)
def _density(qi, M, ms, chan, cpar, cum):  # pragma: no cover - compiled
    """(4 pi)^3 x the mixture density sum_k alpha_k g_k on dPhi_4 at one event (module docstring)."""
    T = M - (ms[0] + ms[1] + ms[2] + ms[3])
    M1 = np.sqrt(max(_m2(qi, 1, 2, 3), 0.0))
    M2 = np.sqrt(max(_m2(qi, 2, 3, -1), 0.0))
    J1 = _pstar(M, ms[0], M1) * _pstar(M1, ms[1], M2) * _pstar(M2, ms[2], ms[3]) / (16.0 * M)
    if not J1 > 0.0:
        return np.inf
    h = cum[0] * 2.0 / (T * T * J1)
    for c in range(chan.shape[0]):
        alpha = cum[c + 1] - cum[c]
        r, b, y1, y2 = chan[c, 0], chan[c, 1], chan[c, 2], chan[c, 3]
        mX, gX, mY, gY = cpar[c, 0], cpar[c, 1], cpar[c, 2], cpar[c, 3]
        sX = _m2(qi, b, y1, y2)
        sY = _m2(qi, y1, y2, -1)
        WX = np.sqrt(max(sX, 0.0))
        WY = np.sqrt(max(sY, 0.0))
        J = _pstar(M, ms[r], WX) * _pstar(WX, ms[b], WY) * _pstar(WY, ms[y1], ms[y2]) / (64.0 * M * WX * WY)
        if not J > 0.0:
            return np.inf
        t0, t1 = _cauchy_t((ms[b] + ms[y1] + ms[y2]) ** 2, (M - ms[r]) ** 2, mX, gX)
        bX = mX * gX / ((sX - mX * mX) ** 2 + (mX * gX) ** 2) / (t1 - t0)
        t0, t1 = _cauchy_t((ms[y1] + ms[y2]) ** 2, (WX - ms[b]) ** 2, mY, gY)
        bY = mY * gY / ((sY - mY * mY) ** 2 + (mY * gY) ** 2) / (t1 - t0)
        h += alpha * bX * bY / J
    return h


@numba.njit(**_JIT)
def _densities(q, M, ms, chan, cpar, cum):  # pragma: no cover - compiled
    n = q.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = _density(q[i], M, ms, chan, cpar, cum)
    return out


@numba.njit(**_JIT)
def _weights(q, M, ms, chan, cpar, cum, kind, cA, cW, p):  # pragma: no cover - compiled
    n = q.shape[0]
    w = np.empty(n)
    for i in range(n):
        h = _density(q[i], M, ms, chan, cpar, cum)
        w[i] = _amp2_event(q[i], kind, cA, cW, p) / h if np.isfinite(h) and h > 0.0 else 0.0
    return w


# --- public API ------------------------------------------------------------------------------


def final_state_kind(codes) -> int | None:
    """:data:`CHARGED` (pi+ pi- pi+ pi-), :data:`NEUTRAL` (pi+ pi- pi0 pi0) or None."""
    s = sorted(int(c) for c in codes)
    if s == [-211, -211, 211, 211]:
        return CHARGED
    if s == [-211, 111, 111, 211]:
        return NEUTRAL
    return None


def canonical_order(codes) -> tuple[int, tuple[int, int, int, int]]:
    """``(kind, idx)``: ``codes[idx[k]]`` is canonical particle k.

    Canonical order: ``(pi+, pi+, pi-, pi-)`` for four charged pions, ``(pi0, pi0, pi-, pi+)``
    (the slots ``q1, q2; q3, q4`` of the module docstring) for ``pi+ pi- pi0 pi0``.
    """
    codes = [int(c) for c in codes]
    kind = final_state_kind(codes)
    if kind is None:
        raise PhysicsError(f"not a four-pion final state: {tuple(codes)}")
    want = (211, 211, -211, -211) if kind == CHARGED else (111, 111, -211, 211)
    idx, used = [], set()
    for w in want:
        j = next(i for i, c in enumerate(codes) if c == w and i not in used)
        used.add(j)
        idx.append(j)
    return kind, tuple(idx)


def _canonical_masses(kind: int) -> np.ndarray:
    mc, m0 = _mass(211), _mass(111)
    return np.array([mc, mc, mc, mc] if kind == CHARGED else [m0, m0, mc, mc])


def _channels(kind: int, cur: FourPionCurrent):
    """Resonance channels (r, b, y1, y2), their (m_X, G_X, m_Y, G_Y) and cumulative probabilities
    (entry 0: GENBOD) for canonical order (module docstring, "Sampling")."""
    a1 = (cur.m_a1, cur.g_a1, cur.m_rho, cur.g_rho)
    if kind == CHARGED:
        # (pi+ pi+ pi- pi-): a1+ -> rho0 pi+ recoiling against a pi-, and the charge conjugates
        chan = [(r, b, 1 - b, 5 - r) for r in (2, 3) for b in (0, 1)]
        chan += [(r, b, 1 - r, 5 - b) for r in (0, 1) for b in (2, 3)]
        par = [a1] * 8
        alpha = [0.2] + [0.1] * 8
    else:
        # (pi0 pi0 pi- pi+): a1+ -> rho+ pi0 (recoil pi-), a1- -> rho- pi0 (recoil pi+), omega pi0
        chan = [(2, y, 3, 1 - y) for y in (0, 1)] + [(3, y, 2, 1 - y) for y in (0, 1)]
        par = [a1] * 4
        alpha = [0.2] + [0.125] * 4
        if cur.with_omega:
            chan += [(r, 1 - r, 2, 3) for r in (0, 1)]
            par += [(cur.m_omega, cur.g_omega, cur.m_rho, cur.g_rho)] * 2
            alpha += [0.15, 0.15]
        else:
            alpha = [0.2] + [0.2] * 4
    cum = np.cumsum(alpha)
    cum[-1] = 1.0
    return np.array(chan, dtype=np.int64), np.array(par, dtype=np.float64), cum


def _setup(kind: int, M: float, cur: FourPionCurrent):
    ms = _canonical_masses(kind)
    if not M > ms.sum():
        raise PhysicsError(f"four-pion decay closed: parent mass {M:.6g} GeV <= {ms.sum():.6g} GeV")
    p = _pack(cur)
    cA, cW = _q2_couplings(M, cur, p[_MPI])
    chan, cpar, cum = _channels(kind, cur)
    return ms, chan, cpar, cum, p, cA, cW


def amplitude2(q, kind: int, M: float | None = None, current: FourPionCurrent = DEFAULT_CURRENT) -> np.ndarray:
    """Spin-averaged ``|M|^2 = -g_{mu nu} J^mu J^nu* / 3`` (arbitrary units) at momenta ``q``.

    Parameters
    ----------
    q : array_like, shape (n, 4, 4)
        Pion four-momenta (GeV) in canonical order (:func:`canonical_order`), any frame.
    kind : int
        :data:`CHARGED` or :data:`NEUTRAL`.
    M : float, optional
        Parent mass (GeV) for the ``Q^2``-dependent couplings; default ``sqrt(Q^2)`` of the
        first event (all events must share it).
    """
    q = np.ascontiguousarray(q, dtype=np.float64)
    if M is None:
        Q = q[0].sum(axis=0)
        M = math.sqrt(Q[3] ** 2 - Q[0] ** 2 - Q[1] ** 2 - Q[2] ** 2)
    p = _pack(current)
    cA, cW = _q2_couplings(M, current, p[_MPI])
    return _amp2_kernel(q, int(kind), cA, cW, p)


# --- numpy reference ----------------------------------------------------------------------------

_G = np.diag([-1.0, -1.0, -1.0, 1.0])  # metric in (px, py, pz, E) order


def _levi_civita():
    """eps^{mu nu alpha beta} in (x, y, z, t) index order with eps^{t x y z} = +1."""
    eps = np.zeros((4, 4, 4, 4))
    base = (3, 0, 1, 2)  # t, x, y, z
    for perm in itertools.permutations(range(4)):
        inv = sum(1 for i in range(4) for j in range(i + 1, 4) if perm[i] > perm[j])
        eps[tuple(base[k] for k in perm)] = -1.0 if inv % 2 else 1.0
    return eps


_EPS = _levi_civita()


def _np_dot(a, b):
    return np.einsum("...i,ij,...j->...", a, _G, b)


def _np_bw_run(s, m, g, mpi):
    s = np.asarray(s, dtype=np.float64)
    r = np.clip((s - 4 * mpi**2) / (m * m - 4 * mpi**2), 0.0, None)
    im = m * g * np.sqrt(m * m / s * r**3)
    return m * m / (m * m - s - 1j * im)


def _np_gfun(s, mpi0, s_switch):
    hi = 1.623 * s + 10.38 - 9.32 / s + 0.65 / s**2
    c = s - 9 * mpi0**2
    lo = np.clip(4.1 * c**3 * (1 - 3.3 * c + 5.8 * c**2), 0.0, None)
    return np.where(s > s_switch, hi, lo)


def _np_transverse(K):
    """Projector ``T^mu_nu = delta^mu_nu - K^mu K_nu / K^2`` for each row of K, shape (n, 4, 4)."""
    K2 = _np_dot(K, K)
    Klow = K @ _G
    return np.eye(4)[None] - np.einsum("ni,nj->nij", K, Klow) / K2[:, None, None]


def _np_j0(x1, x2, x3, x4, cA, cW, cur: FourPionCurrent, omega: bool):
    from .vector_3pi import rho_propagator

    mpi, mpi0 = _mass(211), _mass(111)
    s_sw = (cur.m_rho + mpi) ** 2
    gm = _gfun_py(cur.m_a1**2, mpi0, s_sw)
    Q = x1 + x2 + x3 + x4
    TQ = _np_transverse(Q)

    def bw_a1(s):
        return cur.m_a1**2 / (cur.m_a1**2 - s - 1j * cur.m_a1 * cur.g_a1 * _np_gfun(s, mpi0, s_sw) / gm)

    def bw_rho_a1(s):
        return (_np_bw_run(s, cur.m_rho, cur.g_rho, mpi)
                + cur.beta_a1 * _np_bw_run(s, cur.m_rho1_a1, cur.g_rho1_a1, mpi)) / (1 + cur.beta_a1)

    def a1(b, x, y):
        P = b + x + y
        TP = _np_transverse(P)
        v = x - y
        t = np.einsum("nij,nj->ni", TQ, np.einsum("nij,nj->ni", TP, v))
        amp = bw_a1(_np_dot(P, P)) * bw_rho_a1(_np_dot(x + y, x + y))
        return 2 * cur.c_a1 * cA * amp[:, None] * t

    J = a1(x1, x2, x4) + a1(x2, x1, x4) + a1(x1, x3, x2) + a1(x2, x3, x1)
    if cur.with_f0:
        s34 = _np_dot(x3 + x4, x3 + x4)
        s12 = _np_dot(x1 + x2, x1 + x2)
        rho = (_np_bw_run(s34, cur.m_rho, cur.g_rho, mpi) + cur.b_rho1 * _np_bw_run(s34, cur.m_rho1, cur.g_rho1, mpi)
               + cur.b_rho2 * _np_bw_run(s34, cur.m_rho2, cur.g_rho2, mpi)) / (1 + cur.b_rho1 + cur.b_rho2)
        mg = cur.m_f0 * cur.g_f0
        f0 = (cur.m_f0**2 - 1j * mg) / (cur.m_f0**2 - s12 - 1j * mg)
        J = J - 3 * cur.c_f0 * cA * (rho * f0)[:, None] * np.einsum("nij,nj->ni", TQ, x3 - x4)
    if omega:
        nh = _gsw_norm(cur.m_omega) if cur.omega_rho else 1.0
        for a, r in ((x1, x2), (x2, x1)):
            b, c = x3, x4
            R = a + b + c
            # X_nu = eps_{nu k l s} a^k b^l c^s (lower index: eps with lowered indices = -eps^...)
            X_low = -np.einsum("ijkl,nj,nk,nl->ni", _EPS, a, b, c)
            # W^mu = eps^{mu nu alpha beta} X_nu R_alpha r_beta
            W = np.einsum("ijkl,nj,nk,nl->ni", _EPS, X_low, R @ _G, r @ _G)
            s = _np_dot(R, R)
            amp = 1.0 / (cur.m_omega**2 - s - 1j * cur.m_omega * cur.g_omega)
            if cur.omega_rho:
                F = sum(1.0 / rho_propagator(_np_dot(u + v, u + v)) for u, v in ((a, b), (a, c), (b, c)))
                amp = amp * nh * F
            J = J + cW * amp[:, None] * W
    return J


def current_numpy(q, kind: int, M: float | None = None, current: FourPionCurrent = DEFAULT_CURRENT) -> np.ndarray:
    """Plain-numpy four-pion current ``J^mu`` (complex, shape (n, 4), ``(x, y, z, t)`` components)
    at canonical-order momenta ``q`` (n, 4, 4); reference of the numba kernels."""
    q = np.asarray(q, dtype=np.float64)
    Q = q.sum(axis=1)
    if M is None:
        M = float(np.sqrt(_np_dot(Q[0], Q[0])))
    cA, cW = _q2_couplings(M, current, _mass(211))
    if kind == NEUTRAL:
        return _np_j0(q[:, 0], q[:, 1], q[:, 2], q[:, 3], cA, cW, current, current.with_omega)
    J = 0
    for ip in range(2):
        for im in range(2):
            J = J + _np_j0(q[:, 1 - ip], q[:, 3 - im], q[:, 2 + im], q[:, ip], cA, cW, current, False)
    return J


def amplitude2_numpy(q, kind: int, M: float | None = None, current: FourPionCurrent = DEFAULT_CURRENT) -> np.ndarray:
    """Plain-numpy reference of :func:`amplitude2`: ``-g_{mu nu} J^mu J^nu* / 3``."""
    J = current_numpy(q, kind, M, current)
    return -np.real(np.einsum("ni,ij,nj->n", J, _G, np.conj(J))) / 3.0


# --- sampling ------------------------------------------------------------------------------------

_N_PROBE = 1 << 17
_PROBE_SEED = 20240917


def _candidates(kind, M, setup, m, rng):
    ms, chan, cpar, cum, p, cA, cW = setup
    u = rng.random((m, 9))
    q = _generate(M, ms, chan, cpar, cum, u)
    return q, _weights(q, M, ms, chan, cpar, cum, kind, cA, cW, p)


@lru_cache(maxsize=256)
def _bound(kind: int, M: float, cur: FourPionCurrent) -> tuple[float, float]:
    """``(w_max, mean weight)`` from 2^17 candidates with a fixed internal seed (deterministic)."""
    setup = _setup(kind, M, cur)
    _, w = _candidates(kind, M, setup, _N_PROBE, np.random.default_rng(_PROBE_SEED))
    wmax = float(w.max())
    if not (wmax > 0.0 and np.isfinite(wmax)):
        raise PhysicsError(f"four-pion |M|^2 is zero or not finite at M = {M:.6g} GeV")
    return 1.3 * wmax, float(w.mean())


def acceptance(kind: int, M: float, current: FourPionCurrent = DEFAULT_CURRENT) -> float:
    """Expected fraction of candidates kept by the accept-reject step at parent mass ``M`` (GeV)."""
    wmax, wmean = _bound(int(kind), float(M), current)
    return wmean / wmax


def sample_four_pion(parent_p4, M: float, codes, rng: np.random.Generator, current: FourPionCurrent = DEFAULT_CURRENT):
    """Lab four-momenta of ``V -> 4 pi`` distributed as ``|M|^2 dPhi_4`` (module docstring).

    Parameters
    ----------
    parent_p4 : array_like, shape (n, 4)
        Lab four-momenta of the decaying bosons (GeV).
    M : float
        Their mass (GeV).
    codes : sequence of 4 int
        Daughter PDG codes (``pi+ pi- pi+ pi-`` or ``pi+ pi- pi0 pi0`` in any order).
    rng : numpy.random.Generator
        Source of every random number.

    Returns
    -------
    numpy.ndarray, shape (n, 4, 4)
        Lab four-momenta (GeV) in the order of ``codes``.
    """
    par = _as_p4(parent_p4)
    n = par.shape[0]
    M = float(M)
    kind, idx = canonical_order(codes)
    setup = _setup(kind, M, current)
    if n == 0:
        return np.zeros((0, 4, 4))
    wmax, wmean = _bound(kind, M, current)
    eff = max(wmean / wmax, 1e-4)
    while True:
        chunks = []
        got = 0
        redo = False
        while got < n:
            m = int(min(1 << 18, max(1024, 1.2 * (n - got) / eff)))
            q, w = _candidates(kind, M, setup, m, rng)
            wm = float(w.max(initial=0.0))
            if wm > wmax:  # bound underestimated: raise it and start again (exact)
                wmax = 1.5 * wm
                redo = True
                break
            keep = rng.random(m) * wmax < w
            chunks.append(q[keep])
            got += int(np.count_nonzero(keep))
        if not redo:
            break
    rest = np.concatenate(chunks)[:n]
    out = np.empty((n, 4, 4))
    for k in range(4):
        out[:, idx[k]] = boost_from_rest(rest[:, k], par, np.full(n, M))
    return out


def phase_space_density(q, kind: int, M: float, current: FourPionCurrent = DEFAULT_CURRENT) -> np.ndarray:
    """(4 pi)^3 x the candidates' density on ``dPhi_4`` at rest-frame canonical momenta ``q``
    (the mixture of module docstring "Sampling"; diagnostics and tests)."""
    ms, chan, cpar, cum, *_ = _setup(int(kind), float(M), current)
    return _densities(np.ascontiguousarray(q, dtype=np.float64), float(M), ms, chan, cpar, cum)


def omega_fraction(M: float, n: int = 400_000, seed: int = 1, current: FourPionCurrent = DEFAULT_CURRENT):
    """Fraction of Gamma(pi+ pi- pi0 pi0) from the omega pi0 term alone at parent mass ``M``:
    ``int |J_omega|^2 dPhi_4 / int |J|^2 dPhi_4`` (Monte Carlo over flat phase space; the two
    differ by interference, also returned). Returns ``(omega_only, a1_f0_only, total)`` in
    arbitrary units of the same normalisation."""
    from dataclasses import replace

    from .threebody import flat_nbody

    rng = np.random.default_rng(seed)
    ms = _canonical_masses(NEUTRAL)
    q = flat_nbody(np.array([[0.0, 0.0, 0.0, M]] * n), M, ms, rng)
    tot = amplitude2(q, NEUTRAL, M, current).mean()
    only_w = amplitude2(q, NEUTRAL, M, replace(current, with_f0=False, c_a1=0.0)).mean()
    no_w = amplitude2(q, NEUTRAL, M, replace(current, with_omega=False)).mean()
    return float(only_w), float(no_w), float(tot)

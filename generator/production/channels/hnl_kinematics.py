"""HNL-specific decay kinematics: spin axes and polarisations, three-body energy spectra.

What the HNL channels (:mod:`fipgen.production.channels.hnl_channels`) add to the generic
aiming of :mod:`fipgen.production.aiming`: the helicity axis of a child in the rest frame
reached from the lab by a pure boost (Wigner rotation included) with its plain-numpy reference
:func:`helicity_axis_numpy`; the N polarisation in ``h -> l N`` and the analysing power of
``tau -> N + meson``; the N energy spectra of ``tau -> N l nu`` and ``K -> pi l N`` (K_l3),
sampled in the parent rest frame (the FIP's rest-frame direction is then drawn by the aiming);
taus from ``Ds -> tau nu`` with their helicity axes.

Four-vectors ``(px, py, pz, E)`` in GeV, positions in m, times in ns (as in
:mod:`fipgen.production.aiming`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np

from ... import constants as C
from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError

__all__ = [
    "helicity_axis",
    "helicity_axis_numpy",
    "hnl_helicity_two_body",
    "fermion_meson_asymmetry",
    "TAU_LEPTONIC",
    "tau_leptonic_spectrum",
    "tau_leptonic_dgamma",
    "sample_tau_leptonic_energy",
    "kl3_msq",
    "kl3_dgamma_dE",
    "kl3_energy_range",
    "sample_kl3_energy",
    "TauFromDs",
    "taus_from_ds",
]


# ======================================================================================
# polarisation
# ======================================================================================


@numba.njit(**JIT_OPTIONS)
def _helicity_axis_kernel(par, M, child, mc, pstar):  # pragma: no cover - compiled
    """Helicity axis (unit, (n, 3)) of a child of lab p4 ``child`` and mass ``mc`` born with
    rest-frame momentum ``pstar`` in the decay of a parent of lab p4 ``par``, mass ``M``,
    expressed in the child's rest frame reached from the lab by a pure boost.

    In the parent frame the helicity spin vector is ``s* = (p*, E* n*) / m_c``, i.e.
    ``s = (E*/(m_c p*)) p_c - (m_c/p*) U`` with ``U = p_par / M`` (both sides are four-
    vectors, so this holds in every frame). In the child's rest frame ``p_c`` has no spatial
    part, so the axis is ``-(m_c/p*)`` times the spatial part of ``U`` boosted to the child's
    rest frame: ``s_vec = [p_c (U^0 - p_c.U / (E_c + m_c)) - m_c U] / p*`` (exact, smooth for
    ``m_c -> 0``, where it becomes the child's lab direction).
    """
    n = par.shape[0]
    out = np.zeros((n, 3))
    for i in range(n):
        ux, uy, uz = par[i, 0] / M[i], par[i, 1] / M[i], par[i, 2] / M[i]
        u0 = np.sqrt(1.0 + ux * ux + uy * uy + uz * uz)
        px, py, pz = child[i, 0], child[i, 1], child[i, 2]
        pp = px * px + py * py + pz * pz
        ec = np.sqrt(pp + mc * mc)
        k = u0 - (px * ux + py * uy + pz * uz) / (ec + mc)
        sx = px * k - mc * ux
        sy = py * k - mc * uy
        sz = pz * k - mc * uz
        nr = np.sqrt(sx * sx + sy * sy + sz * sz)
        if nr > 0.0:
            out[i, 0], out[i, 1], out[i, 2] = sx / nr, sy / nr, sz / nr
    return out


def helicity_axis(parent_p4, parent_mass, child_p4, child_mass: float, pstar) -> np.ndarray:
    """Unit (n, 3) spin axis, in the child's rest frame reached from the lab by a pure boost,
    of a child whose spin points along its direction of flight in the parent rest frame
    (helicity axis). The Wigner rotation is included (four-vector algebra, see kernel)."""
    par = np.ascontiguousarray(parent_p4, dtype=np.float64).reshape(-1, 4)
    n = par.shape[0]
    M = np.ascontiguousarray(np.broadcast_to(np.asarray(parent_mass, dtype=np.float64), (n,)))
    ch = np.ascontiguousarray(child_p4, dtype=np.float64).reshape(-1, 4)
    ps = np.ascontiguousarray(np.broadcast_to(np.asarray(pstar, dtype=np.float64), (n,)))
    return _helicity_axis_kernel(par, M, ch, float(child_mass), ps)


def helicity_axis_numpy(parent_p4, parent_mass, child_p4, child_mass: float, pstar=None) -> np.ndarray:
    """Plain-numpy reference of :func:`helicity_axis`: the child is taken to the parent
    frame, its helicity spin four-vector ``(|p|/m, E p_hat/m)`` built there, boosted to the
    lab and then to the child's rest frame (textbook boosts). Needs ``child_mass > 0``;
    loses digits for ``E/m`` large. ``pstar`` is unused (kept for the same signature)."""
    from ...kinematics.boost import boost_from_rest, boost_to_rest

    par = np.asarray(parent_p4, dtype=np.float64).reshape(-1, 4)
    n = par.shape[0]
    M = np.broadcast_to(np.asarray(parent_mass, dtype=np.float64), (n,))
    ch = np.asarray(child_p4, dtype=np.float64).reshape(-1, 4)
    rest = boost_to_rest(ch, par, M)
    p = np.linalg.norm(rest[:, :3], axis=1)
    e = np.sqrt(p**2 + child_mass**2)
    s = np.column_stack([e[:, None] * rest[:, :3] / p[:, None] / child_mass, p / child_mass])
    s_lab = boost_from_rest(s, par, M)
    s_child = boost_to_rest(s_lab, ch, np.full(n, child_mass))
    v = s_child[:, :3]
    return v / np.linalg.norm(v, axis=1)[:, None]


def hnl_helicity_two_body(M: float, m_l: float, m_n: float) -> float:
    """Helicity polarisation of N from ``h+ -> l+ N`` in the h rest frame (*derived*).

    Amplitude ``f_h p_h^mu [ubar_N gamma_mu (1 - g5) v_l]``; with ``u ubar -> (p_N + m_N)
    (1 + g5 s)/2`` the trace gives ``|M(s)|^2 ~ p_N.K - m_N s.K``, ``K = 2 (p_h.p_l) p_h -
    m_h^2 p_l``. For the helicity vector ``s`` in the h frame, ``s.K = m_h^2 p (E_l - E_N)/m_N``
    and ``p_N.K = m_h^2 (E_N E_l - p^2)``, so

        P = (x_N^2 - x_l^2) lambda^(1/2)(1, x_N^2, x_l^2) / [x_N^2 + x_l^2 - (x_N^2 - x_l^2)^2],

    ``x = m / m_h`` (the denominator is the Shrock factor of the width). Limits: -1 for
    ``m_N -> 0`` (the left-handed neutrino), +1 for ``m_l -> 0 < m_N``. Agrees with the
    spin-dependent width of arXiv:2109.10358 sec. 2 structure / Shrock (1981). For
    ``h- -> l- Nbar`` the value flips sign (CP). The polarisation is the physical spin
    polarisation of the produced HNL, which is what ``sample_decays(polarization=...)``
    expects (its lepton-number bookkeeping handles the decay's charge conjugate).
    """
    xn, xl = (m_n / M) ** 2, (m_l / M) ** 2
    if m_n + m_l >= M:
        raise PhysicsError(f"h -> l N closed: {M} <= {m_l} + {m_n} GeV")
    lam = max((1.0 - (math.sqrt(xn) + math.sqrt(xl)) ** 2) * (1.0 - (math.sqrt(xn) - math.sqrt(xl)) ** 2), 0.0)
    den = xn + xl - (xn - xl) ** 2
    if den <= 0.0:
        return -1.0
    return (xn - xl) * math.sqrt(lam) / den


def fermion_meson_asymmetry(M: float, m_f: float, m_m, spin: int = 0):
    """Analysing power ``A`` of ``F -> f + meson`` through ``f gamma^mu (1 - g5) F``.

    ``dGamma/dcos(theta) ~ 1 + P A cos(theta)``, ``theta`` between ``f`` and the spin of the
    decaying fermion ``F`` (polarisation ``P``), in the F rest frame. Used for
    ``tau- -> N pi-, N K-`` (``spin=0``) and ``tau- -> N rho-`` (``spin=1``) with
    ``F = tau-``, ``f = N``; for ``tau+ -> Nbar X+`` the sign flips (CP).

    *Derived* with two-component spinors in the F rest frame (only left-chiral components
    enter; f of helicity ``lambda`` has ``|u_L|^2 = E_f - 2 lambda p``): the projection of F's
    spin on f's direction is ``lambda`` for a pseudoscalar or a longitudinal vector, with
    ``|a|^2 = (E_f - 2 lambda p)(E_m - 2 lambda p)^2`` (``/ m_V^2`` for the vector), and
    ``-lambda`` for a transverse vector, ``|a|^2 = 2 (E_f - 2 lambda p)``;
    ``A = sum 2 J |a|^2 / sum |a|^2``. Pseudoscalar closed form: ``A = -(1 - x_f^2)
    lambda^(1/2)(1, x_f^2, x_m^2) / [(1 - x_f^2)^2 - x_m^2 (1 + x_f^2)]`` (-1 for a massless f:
    the SM ``tau -> pi nu``, pion along the tau spin).
    """
    M2 = M * M
    m_m = np.asarray(m_m, dtype=np.float64)
    ef = (M2 + m_f * m_f - m_m * m_m) / (2.0 * M)
    em = M - ef
    lam = (M2 - (m_f + m_m) ** 2) * (M2 - (m_f - m_m) ** 2)
    p = np.sqrt(np.maximum(lam, 0.0)) / (2.0 * M)
    f_minus = ef + p  # E_f - 2 lambda p at lambda = -1/2
    f_plus = m_f * m_f / (ef + p)  # at +1/2 (= E_f - p, no cancellation)
    m_minus = em + p
    m_plus = m_m * m_m / (em + p)
    if spin == 0:
        lp, lm = f_plus * m_plus**2, f_minus * m_minus**2
        A = (lp - lm) / (lp + lm)
    elif spin == 1:
        lp, lm = f_plus * m_plus**2 / m_m**2, f_minus * m_minus**2 / m_m**2
        tp, tm = 2.0 * f_plus, 2.0 * f_minus  # projections -1/2 and +1/2
        A = (lp - lm + tm - tp) / (lp + lm + tp + tm)
    else:
        raise ValueError("spin must be 0 or 1")
    return float(A) if np.ndim(A) == 0 else A


# ======================================================================================
# tau -> N l nu (three-body) spectra
# ======================================================================================

#: Leptonic tau channels: name -> kind. "A": tau- -> N l- nubar_l (N on the tau line,
#: |U_tau|^2); "B": tau- -> nu_tau l- Nbar (N from the W, |U_l|^2). Names as TAU_CHANNELS.
TAU_LEPTONIC = {"N e- nu_e": ("A", 11), "N mu- nu_mu": ("A", 13), "nu_tau e- N": ("B", 11), "nu_tau mu- N": ("B", 13)}


def tau_leptonic_spectrum(E, m_tau: float, m_n: float, m_l: float, kind: str):
    """``(dGamma/dE_N / (G_F^2 |U|^2), a(E_N))`` of a polarised tau- -> N l nu (*derived*).

    ``E`` is the N energy in the tau rest frame (GeV); ``dGamma/dE dcos(theta) =
    dGamma/dE (1 + P a(E) cos theta) / 2``, theta between N and the tau- spin.
    Matrix element (V-A x V-A, masses kept): ``<|M|^2> = 64 G^2 ((p_tau - m s).p_x)(p_y.p_z)``
    with ``(x; y, z) = (nubar_l; l, N)`` for kind A and ``(N; l, nu_tau)`` for kind B (muon-decay
    pairing: the spin enters with the antiparticle of the W's lepton pair). At fixed p_N the
    remaining (l, nu) pair of mass ``Q^2 = (p_tau - p_N)^2`` is integrated with
    ``int dPhi2 p_nu^a p_l^b = Phi2 (A Q^2 g^ab + B K^a K^b)``, ``Phi2 = (Q^2 - m_l^2) / (8 pi
    Q^2)``, ``A = (Q^2 - m_l^2)^2 / (12 Q^4)``, ``B = (Q^2 - m_l^2)(Q^2 + 2 m_l^2) / (6 Q^4)``:

    * kind A: ``dGamma/dE = G^2 p (Q^2 - m_l^2) / (pi^3 Q^2) [A Q^2 E + B (m - E)(m E - m_N^2)]``,
      ``a = p [A Q^2 - B (m E - m_N^2)] / [A Q^2 E + B (m - E)(m E - m_N^2)]``;
    * kind B: ``dGamma/dE = G^2 p E (Q^2 - m_l^2)^2 / (2 pi^3 Q^2)``, ``a = p / E``.

    Checks: massless limits give the muon-decay spectra ``x^2 (3 - 2x)`` with ``a = (1 - 2x)/
    (3 - 2x)`` (nu_mu-like) and ``x^2 (1 - x)`` with ``a = 1`` (nubar_e-like); the integral
    equals ``G_F^2 m^5 / (192 pi^3) I(x_N, x_l, 0)`` (tests).
    """
    E = np.asarray(E, dtype=np.float64)
    m = m_tau
    p = np.sqrt(np.maximum((E - m_n) * (E + m_n), 0.0))
    Q2 = m * m + m_n * m_n - 2.0 * m * E
    ml2 = m_l * m_l
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.maximum(Q2 - ml2, 0.0)
        if kind == "A":
            A = d * d / (12.0 * Q2 * Q2)
            B = d * (Q2 + 2.0 * ml2) / (6.0 * Q2 * Q2)
            core = A * Q2 * E + B * (m - E) * (m * E - m_n * m_n)
            dg = p * d / (np.pi**3 * Q2) * core
            a = np.where(core > 0, p * (A * Q2 - B * (m * E - m_n * m_n)) / core, 0.0)
        elif kind == "B":
            dg = p * E * d * d / (2.0 * np.pi**3 * Q2)
            a = np.where(E > 0, p / E, 0.0)
        else:
            raise ValueError("kind must be 'A' or 'B'")
    ok = (Q2 > ml2) & (E >= m_n)
    dg = np.where(ok, dg, 0.0)
    a = np.clip(np.where(ok, a, 0.0), -1.0, 1.0)
    return dg, a


def _tau_e_range(m_tau, m_n, m_l):
    return m_n, (m_tau * m_tau + m_n * m_n - m_l * m_l) / (2.0 * m_tau)


def tau_leptonic_dgamma(E, m_tau, m_n, m_l, kind):
    """``dGamma/dE_N / (G_F^2 |U|^2)`` only (see :func:`tau_leptonic_spectrum`)."""
    return tau_leptonic_spectrum(E, m_tau, m_n, m_l, kind)[0]


def _sample_1d(f, lo, hi, n, rng, ngrid=4001):
    """Accept-reject of a smooth 1-D density on [lo, hi]: bound = 1.3 x grid maximum; if a
    candidate ever exceeds it the bound is raised and the whole sample redrawn (exact)."""
    x = np.linspace(lo, hi, ngrid)
    fmax = 1.3 * float(np.max(f(x)))
    if not (fmax > 0 and np.isfinite(fmax)):
        raise PhysicsError("spectrum is zero or not finite")
    while True:
        out = np.empty(n)
        got = 0
        redo = False
        while got < n:
            k = max(1024, int(2.2 * (n - got)) + 16)
            c = lo + (hi - lo) * rng.random(k)
            fc = f(c)
            if fc.max(initial=0.0) > fmax:
                fmax = 1.5 * float(fc.max())
                redo = True
                break
            acc = c[rng.random(k) * fmax < fc]
            t = min(acc.size, n - got)
            out[got:got + t] = acc[:t]
            got += t
        if not redo:
            return out


def sample_tau_leptonic_energy(n: int, rng: np.random.Generator, m_tau: float, m_n: float, m_l: float, kind: str):
    """``n`` N energies (tau rest frame, GeV) from :func:`tau_leptonic_spectrum` and their
    analysing powers ``a(E)``: returns ``(E, a)``."""
    lo, hi = _tau_e_range(m_tau, m_n, m_l)
    if not hi > lo:
        raise PhysicsError(f"tau -> N l nu closed for m_N = {m_n} GeV")
    E = _sample_1d(lambda x: tau_leptonic_spectrum(x, m_tau, m_n, m_l, kind)[0], lo, hi, int(n), rng)
    return E, tau_leptonic_spectrum(E, m_tau, m_n, m_l, kind)[1]


# ======================================================================================
# K -> pi l N (three-body) spectrum and sampler
# ======================================================================================


@numba.njit(**JIT_OPTIONS)
def _kl3_msq_scalar(q2, s, mk, mp, ml, mn, fp0, mv, ms):  # pragma: no cover - compiled
    """Spin-summed |M|^2 / (G_F^2 |V U|^2) of K -> pi l N at q2 = m^2(l N), s = m^2(pi l).

    ``h = f_+ (p_K + p_pi) + f_- q``, ``q = p_K - p_pi``, ``f_- = (f_0 - f_+)(m_K^2 - m_pi^2)/q^2``,
    pole forms ``f_{+,0} = fp0 / (1 - q^2/m_{V,S}^2)``; lepton trace
    ``4 [2 (p_N.h)(p_l.h) - h^2 (p_N.p_l)]`` (*derived*; same physics as
    ``hnl_production._kl3_width``). Scalar products from the invariants:
    ``p_N.p_l = (q^2 - m_l^2 - m_N^2)/2``, ``p_N.q = m_N^2 + p_N.p_l``,
    ``p_N.P = m_K^2 - s - p_N.p_l`` (``P = p_K + p_pi = 2 p_K - q``, ``2 m_K E_N = m_K^2 + m_N^2 - s``),
    and the same with ``t = m^2(pi N) = m_K^2 + m_pi^2 + m_l^2 + m_N^2 - q^2 - s`` for the lepton.
    """
    fp = fp0 / (1.0 - q2 / (mv * mv))
    f0 = fp0 / (1.0 - q2 / (ms * ms))
    fm = (f0 - fp) * (mk * mk - mp * mp) / q2
    nl = 0.5 * (q2 - ml * ml - mn * mn)
    t = mk * mk + mp * mp + ml * ml + mn * mn - q2 - s
    nq = mn * mn + nl
    lq = ml * ml + nl
    nP = mk * mk - s - nl
    lP = mk * mk - t - nl
    nh = fp * nP + fm * nq
    lh = fp * lP + fm * lq
    PP = 2.0 * mk * mk + 2.0 * mp * mp - q2
    Pq = mk * mk - mp * mp
    hh = fp * fp * PP + 2.0 * fp * fm * Pq + fm * fm * q2
    return 4.0 * (2.0 * nh * lh - hh * nl)


@numba.njit(**JIT_OPTIONS)
def _kl3_msq_vec(q2, s, mk, mp, ml, mn, fp0, mv, ms):  # pragma: no cover - compiled
    out = np.empty(q2.shape[0])
    for i in range(q2.shape[0]):
        out[i] = _kl3_msq_scalar(q2[i], s[i], mk, mp, ml, mn, fp0, mv, ms)
    return out


def kl3_msq(q2, s, m_k, m_pi, m_l, m_n, fp0, mv, ms):
    """Vectorised :func:`_kl3_msq_scalar` (|M|^2 / (G_F^2 |V U|^2), spin summed)."""
    q2 = np.ascontiguousarray(q2, dtype=np.float64).ravel()
    s = np.ascontiguousarray(np.broadcast_to(np.asarray(s, dtype=np.float64), q2.shape)).ravel()
    return _kl3_msq_vec(q2, s, m_k, m_pi, m_l, m_n, fp0, mv, ms)


@numba.njit(inline="always", **JIT_OPTIONS)
def _q2_range_at_s(s, mk, mp, ml, mn):  # pragma: no cover - compiled
    """q^2 = m^2(l N) range at fixed s = m^2(pi l) (energies in the (pi l) rest frame)."""
    rs = np.sqrt(s)
    el = (s - mp * mp + ml * ml) / (2.0 * rs)
    en = (mk * mk - s - mn * mn) / (2.0 * rs)
    pl = np.sqrt(max((el - ml) * (el + ml), 0.0))
    pn = np.sqrt(max((en - mn) * (en + mn), 0.0))
    return (el + en) ** 2 - (pl + pn) ** 2, (el + en) ** 2 - (pl - pn) ** 2


def kl3_energy_range(m_k, m_pi, m_l, m_n):
    """(E_min, E_max) of N in the K rest frame for K -> pi l N (GeV)."""
    smin, smax = (m_pi + m_l) ** 2, (m_k - m_n) ** 2
    return (m_k**2 + m_n**2 - smax) / (2 * m_k), (m_k**2 + m_n**2 - smin) / (2 * m_k)


def kl3_dgamma_dE(E, m_k, m_pi, m_l, m_n, fp0, mv, ms, n: int = 96):
    """``dGamma/dE_N / (G_F^2 |V U|^2)`` of K -> pi l N in the K rest frame (quadrature).

    ``E_N = (m_K^2 + m_N^2 - s)/(2 m_K)`` with ``s = m^2(pi l)``; ``dGamma = |M|^2 ds dq^2 /
    ((2 pi)^3 32 m_K^3)`` (PDG "Kinematics"), so ``dGamma/dE = 2 m_K int dq^2 |M|^2 /
    ((2 pi)^3 32 m_K^3)`` over the q^2 range at that s (Gauss-Legendre, cos-mapped ends).
    """
    E = np.atleast_1d(np.asarray(E, dtype=np.float64))
    s = m_k**2 + m_n**2 - 2 * m_k * E
    z, wz = np.polynomial.legendre.leggauss(n)
    th = 0.5 * np.pi * (z + 1)
    wt = 0.5 * np.pi * wz
    out = np.zeros(E.size)
    smin, smax = (m_pi + m_l) ** 2, (m_k - m_n) ** 2
    for i, si in enumerate(s):
        if not (smin < si < smax):
            continue
        lo, hi = _q2_range_at_s(si, m_k, m_pi, m_l, m_n)
        q2 = lo + 0.5 * (hi - lo) * (1 - np.cos(th))
        jac = 0.5 * (hi - lo) * np.sin(th)
        out[i] = np.sum(wt * jac * kl3_msq(q2, si, m_k, m_pi, m_l, m_n, fp0, mv, ms))
    return out * 2 * m_k / ((2 * np.pi) ** 3 * 32 * m_k**3)


@numba.njit(**JIT_OPTIONS)
def _kl3_accept_reject(n, rng, mk, mp, ml, mn, fp0, mv, ms, fmax):  # pragma: no cover - compiled
    """Dalitz points (q2, s) by accept-reject, uniform in the bounding rectangle. Returns
    (s (n,), largest |M|^2 seen); if that exceeds ``fmax`` the caller redraws everything."""
    q2lo, q2hi = (ml + mn) ** 2, (mk - mp) ** 2
    slo, shi = (mp + ml) ** 2, (mk - mn) ** 2
    out = np.empty(n)
    seen = 0.0
    got = 0
    while got < n:
        s = slo + (shi - slo) * rng.random()
        q2 = q2lo + (q2hi - q2lo) * rng.random()
        lo, hi = _q2_range_at_s(s, mk, mp, ml, mn)
        if q2 < lo or q2 > hi:
            continue
        f = _kl3_msq_scalar(q2, s, mk, mp, ml, mn, fp0, mv, ms)
        if f > seen:
            seen = f
            if f > fmax:
                return out, seen
        if rng.random() * fmax < f:
            out[got] = s
            got += 1
    return out, seen


@numba.njit(**JIT_OPTIONS)
def _kl3_grid_max(s, t, mk, mp, ml, mn, fp0, mv, ms):  # pragma: no cover - compiled
    """Largest |M|^2 over the points ``q2 = lo + (hi - lo) t`` of each ``s`` (its q^2 range)."""
    best = 0.0
    for si in s:
        lo, hi = _q2_range_at_s(si, mk, mp, ml, mn)
        if hi > lo:
            for tj in t:
                f = _kl3_msq_scalar(lo + (hi - lo) * tj, si, mk, mp, ml, mn, fp0, mv, ms)
                if f > best:
                    best = f
    return best


@functools.lru_cache(maxsize=256)
def _kl3_fmax(mk, mp, ml, mn, fp0, mv, ms, ngrid=200):
    """Largest |M|^2 on an ``ngrid`` x ``ngrid`` grid of the Dalitz region, once per channel and
    mass (a scan asks for it in every block: it was 13 % of a kaon HNL scan in Python)."""
    return _kl3_grid_max(np.linspace((mp + ml) ** 2, (mk - mn) ** 2, ngrid), np.linspace(0.0, 1.0, ngrid),
                         mk, mp, ml, mn, fp0, mv, ms)


def sample_kl3_energy(n: int, rng: np.random.Generator, m_k: float, m_pi: float, m_l: float, m_n: float,
                      fp0: float, mv: float, ms: float) -> np.ndarray:
    """``n`` N energies in the K rest frame (GeV) for K -> pi l N, from the matrix element.

    The Dalitz point (q^2, s) is drawn by accept-reject (phase space is flat in the Dalitz
    variables) with a bound 1.3 x the maximum on a 200 x 200 grid; if any candidate exceeds
    the bound it is raised (x 1.5) and the whole sample is redrawn, so the sample is exact.
    ``E_N = (m_K^2 + m_N^2 - s) / (2 m_K)``. The N direction in the K frame is isotropic
    (spin-0 parent); the pi and l momenta would follow from (q^2, s) and two angles, not
    needed here.
    """
    if not m_k > m_pi + m_l + m_n:
        raise PhysicsError(f"K -> pi l N closed: {m_k} <= {m_pi + m_l + m_n} GeV")
    fmax = 1.3 * _kl3_fmax(m_k, m_pi, m_l, m_n, fp0, mv, ms)
    while True:
        s, seen = _kl3_accept_reject(int(n), rng, m_k, m_pi, m_l, m_n, fp0, mv, ms, fmax)
        if seen <= fmax:
            return (m_k**2 + m_n**2 - s) / (2 * m_k)
        fmax = 1.5 * seen


# ======================================================================================
# Ds -> tau nu, tau flight
# ======================================================================================


@dataclass(frozen=True)
class TauFromDs:
    """Taus from ``Ds -> tau nu_tau`` decays (lab frame).

    ``p4`` (n, 4), ``vertex`` (n, 3) m (tau decay point), ``time`` (n,) ns (tau decay),
    ``spin_axis`` (n, 3) in the tau rest frame reached by a pure boost, ``pdg`` (n,) signed,
    ``flight`` (n,) m.
    """

    p4: np.ndarray
    vertex: np.ndarray
    time: np.ndarray
    spin_axis: np.ndarray
    pdg: np.ndarray
    flight: np.ndarray


def taus_from_ds(ds_p4, ds_vertex, ds_time, ds_pdg, rng: np.random.Generator, *, flight: bool = True) -> TauFromDs:
    """Decay Ds+- isotropically to tau nu and (optionally) fly the tau to its decay point.

    The tau is fully polarised: ``Ds+ -> tau+ nu_tau`` with a left-handed neutrino and
    ``J = 0`` gives ``tau+`` helicity -1/2 in the Ds frame, ``tau-`` (from Ds-) +1/2
    (exact for a massless neutrino). The returned ``spin_axis`` is the tau's helicity axis
    carried to the tau rest frame reached from the lab by a pure boost
    (:func:`helicity_axis`); the polarisation along it is ``-1`` for tau+ and ``+1`` for tau-.

    Flight: ``c tau_tau = 87 um`` (PDG width via ``particle``), decay length
    ``|p|/m c tau`` drawn from the exponential; with ``flight=False`` the tau decays at the Ds
    vertex (a shift of ``~ (E/20 GeV) x 1 mm`` at these energies is then neglected).
    """
    par = np.ascontiguousarray(ds_p4, dtype=np.float64).reshape(-1, 4)
    n = par.shape[0]
    M, mt = C.mass(431), C.mass(15)
    ps = (M * M - mt * mt) / (2 * M)
    es = (M * M + mt * mt) / (2 * M)
    c = 2 * rng.random(n) - 1
    phi = 2 * np.pi * rng.random(n)
    sn = np.sqrt((1 - c) * (1 + c))
    k = ps * np.column_stack([sn * np.cos(phi), sn * np.sin(phi), c])
    u = par[:, :3] / M
    g = np.sqrt(1 + np.einsum("ij,ij->i", u, u))
    uk = np.einsum("ij,ij->i", u, k)
    tau = np.empty((n, 4))
    tau[:, :3] = k + (uk / (g + 1) + es)[:, None] * u
    pm = np.linalg.norm(tau[:, :3], axis=1)
    tau[:, 3] = np.sqrt(pm**2 + mt * mt)
    axis = helicity_axis(par, M, tau, mt, ps)
    vtx = np.array(np.broadcast_to(np.asarray(ds_vertex, dtype=np.float64), (n, 3)))
    t = np.array(np.broadcast_to(np.asarray(ds_time, dtype=np.float64), (n,)))
    L = np.zeros(n)
    if flight:
        ctau = C.HBARC_GEV_M / C.width(15)
        L = -(pm / mt) * ctau * np.log1p(-rng.random(n))
        vtx = vtx + L[:, None] * tau[:, :3] / pm[:, None]
        t = t + L * tau[:, 3] / pm / C.C_M_PER_NS
    sign = np.where(np.asarray(ds_pdg) > 0, -15, 15).astype(np.int32)  # Ds+ -> tau+ (pdg -15)
    return TauFromDs(tau, vtx, t, axis, sign, L)

"""Two-body decays ``P -> 1 + 2``: isotropic decays and decays forced toward a direction.

Four-vectors are float64 arrays ``(n, 4)`` ordered ``(px, py, pz, E)`` in GeV. Random
numbers come in as uniforms drawn by the caller (``rng.random(n)``), so the kernels are
deterministic functions of their inputs.

Formulas
--------
* Rest-frame momentum ``p* = sqrt(lambda(M^2, m1^2, m2^2)) / (2 M)`` with the Kallen
  function written as ``lambda = [M^2 - (m1 + m2)^2][M^2 - (m1 - m2)^2]`` (PDG Review
  "Kinematics", eq. 49.17; the factorised form avoids cancellations near threshold).
* Forced direction (:func:`two_body_toward`), *derived* here and checked in
  ``tests/test_kinematics.py``. For a parent with ``gamma`` and ``u = gamma beta``,
  daughter 1 of rest-frame momentum ``p*`` and energy ``E1*`` emitted along a lab unit
  vector at angle ``alpha`` to the parent (``c = cos alpha``, ``s = sin alpha``), the lab
  momentum ``q`` solves ``gamma (E1 - beta c q) = E1*``, i.e.::

      q_pm = [E1* u c  +/-  gamma R] / (1 + u^2 s^2),   R = sqrt(p*^2 - m1^2 u^2 s^2)
      q_+ q_- = (m1^2 u^2 - p*^2) / (1 + u^2 s^2)

  (``u^2 s^2`` replaces ``gamma^2 (1 - beta^2 c^2) - 1``: no cancellation for fast
  parents; the smaller root is taken from the product to avoid a cancellation too).
  Two positive roots exist when ``m1 u > p*`` (the parent is faster than daughter 1 in
  the parent frame), inside the cone ``sin alpha <= p* / (m1 u)``; otherwise one.
  The Jacobian of each root, from the invariance of ``d^3p / E`` at fixed ``p*``, is::

      dOmega*/dOmega_lab = q^2 / (p* |q - beta c E1|) = q^2 / (p* R)

  since ``gamma |q - beta c E1| = R`` at either root. Massless check:
  ``1 / [gamma^2 (1 - beta c)^2]``.
"""

from __future__ import annotations


import numba
import numpy as np

from ..errors import PhysicsError
from .boost import _as_p4, _as_v3, invariant_mass

__all__ = [
    "two_body_momentum",
    "two_body_isotropic",
    "two_body_isotropic_numpy",
    "two_body_toward",
    "two_body_toward_numpy",
]

from .._jit import JIT_OPTIONS as _JIT
from ..fasttrig import cos_sin_turn


@numba.njit(**_JIT)
def _pstar(M, m1, m2):  # pragma: no cover - compiled
    # PDG Kinematics eq. 49.17, factorised Kallen function.
    lam = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)
    if lam <= 0.0:
        return 0.0
    return np.sqrt(lam) / (2.0 * M)


def two_body_momentum(M, m1, m2):
    """Momentum of either daughter in the rest frame of a two-body decay.

    Parameters
    ----------
    M, m1, m2 : float or array_like
        Parent and daughter masses in GeV.

    Returns
    -------
    float or numpy.ndarray
        ``p* = sqrt(lambda(M^2, m1^2, m2^2)) / (2 M)`` in GeV (PDG Review "Kinematics",
        eq. 49.17). Exactly 0 at threshold.

    Raises
    ------
    PhysicsError
        If ``M < m1 + m2`` (closed channel).
    """
    M_ = np.asarray(M, dtype=np.float64)
    lam = (M_ * M_ - (m1 + m2) ** 2) * (M_ * M_ - (m1 - m2) ** 2)
    if np.any(M_ < np.asarray(m1) + np.asarray(m2)):
        raise PhysicsError(
            f"two-body decay closed: parent mass {M} GeV < m1 + m2 = {np.asarray(m1) + np.asarray(m2)} GeV"
        )
    p = np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * M_)
    return float(p) if p.ndim == 0 else p


@numba.njit(inline="always", **_JIT)
def rest_pair(M, m1, m2):  # pragma: no cover - compiled
    """Rest-frame momentum and energies ``(p*, E1, E2)`` of a two-body decay (GeV).

    PDG Kinematics eq. 49.17: ``E1 = (M^2 + m1^2 - m2^2) / 2M``, ``p*`` from the factorised
    Kallen function (0 at or below threshold).
    """
    return _pstar(M, m1, m2), (M * M + m1 * m1 - m2 * m2) / (2.0 * M), (M * M + m2 * m2 - m1 * m1) / (2.0 * M)


@numba.njit(**_JIT)
def _isotropic_kernel(parent, M, m1, m2, u1, u2):  # pragma: no cover - compiled
    """Isotropic decays; ``M``, ``m1``, ``m2`` per event (n,)."""
    n = parent.shape[0]
    p1 = np.empty((n, 4))
    p2 = np.empty((n, 4))
    _isotropic_into(parent, M, m1, m2, u1, u2, p1, p2)
    return p1, p2


@numba.njit(**_JIT)
def _isotropic_into(parent, M, m1, m2, u1, u2, p1, p2):  # pragma: no cover - compiled
    """:func:`_isotropic_kernel` writing rows of ``p1``, ``p2`` (n, 4), which may be strided
    views (the daughters' (n, 2, 4) array)."""
    n = parent.shape[0]
    for i in range(n):
        Mi = M[i]
        ps, e1, e2 = rest_pair(Mi, m1[i], m2[i])
        cth = 2.0 * u1[i] - 1.0
        sth = np.sqrt(max(0.0, (1.0 - cth) * (1.0 + cth)))
        cp, sp = cos_sin_turn(u2[i])  # phi = 2 pi u2
        kx = ps * sth * cp
        ky = ps * sth * sp
        kz = ps * cth
        store_pair_from_rest(parent, i, Mi, kx, ky, kz, e1, e2, p1, p2)


@numba.njit(inline="always", **_JIT)
def store_pair_from_rest(parent, i, Mi, kx, ky, kz, e1, e2, p1, p2):  # pragma: no cover - compiled
    """Boost the back-to-back rest-frame pair ``(k, e1)``, ``(-k, e2)`` of parent row ``i``
    (mass ``Mi``) to the lab and write rows ``i`` of ``p1`` and ``p2``.

    Rest frame -> lab with Jackson eq. 11.19 in the ``u = gamma beta`` form (see boost.py).
    """
    g = parent[i, 3] / Mi
    ux = parent[i, 0] / Mi
    uy = parent[i, 1] / Mi
    uz = parent[i, 2] / Mi
    uk = ux * kx + uy * ky + uz * kz
    a1 = uk / (g + 1.0) + e1
    a2 = -uk / (g + 1.0) + e2
    p1[i, 0] = kx + a1 * ux
    p1[i, 1] = ky + a1 * uy
    p1[i, 2] = kz + a1 * uz
    p1[i, 3] = g * e1 + uk
    p2[i, 0] = -kx + a2 * ux
    p2[i, 1] = -ky + a2 * uy
    p2[i, 2] = -kz + a2 * uz
    p2[i, 3] = g * e2 - uk


def _parent_mass(par, parent_mass):
    if parent_mass is None:
        M = invariant_mass(par)
    else:
        M = np.asarray(parent_mass, dtype=np.float64)
        M = np.ascontiguousarray(np.broadcast_to(M, par.shape[:1]))
    if np.any(~(M > 0.0)):
        raise ValueError("parent four-momenta must be time-like with positive mass")
    return M


def _check_open(M, m1, m2):
    if np.any(M < m1 + m2):
        raise PhysicsError(f"two-body decay closed: parent mass {float(np.min(M)):.6g} GeV < m1 + m2 = {m1 + m2:.6g} GeV")


def _uniform(u, n, name):
    a = np.ascontiguousarray(np.broadcast_to(np.asarray(u, dtype=np.float64), (n,)))
    if np.any((a < 0.0) | (a > 1.0)):
        raise ValueError(f"{name} must be uniforms in [0, 1]")
    return a


def two_body_isotropic(parent_p4, m1, m2, u1, u2, parent_mass=None, out=None):
    """Isotropic two-body decays in the parent rest frame, returned in the lab.

    Parameters
    ----------
    parent_p4 : array_like, shape (n, 4)
        Lab four-momenta of the parents (GeV).
    m1, m2 : float
        Daughter masses (GeV).
    u1, u2 : array_like, shape (n,)
        Uniforms in [0, 1]: ``cos theta* = 2 u1 - 1``, ``phi* = 2 pi u2`` (rest-frame
        angles about axes parallel to the lab axes).
    parent_mass : float or array_like, optional
        Exact parent mass(es) in GeV; default: invariant mass of ``parent_p4``.
    out : numpy.ndarray, shape (n, 2, 4), optional
        Written with the daughters (``out[:, 0]``, ``out[:, 1]``; a decay's (n, k, 4) array
        filled without a copy).

    Returns
    -------
    p1, p2 : numpy.ndarray, shape (n, 4)
        Lab four-momenta of daughters 1 and 2 (GeV); views of ``out`` when given.
    """
    par = _as_p4(parent_p4)
    n = par.shape[0]
    M = _parent_mass(par, parent_mass)
    _check_open(M, m1, m2)
    args = (par, M, np.full(n, float(m1)), np.full(n, float(m2)), _uniform(u1, n, "u1"), _uniform(u2, n, "u2"))
    if out is None:
        return _isotropic_kernel(*args)
    if out.shape != (n, 2, 4) or out.dtype != np.float64:
        raise ValueError(f"out must be a float64 array of shape ({n}, 2, 4), not {out.dtype} {out.shape}")
    _isotropic_into(*args, out[:, 0], out[:, 1])
    return out[:, 0], out[:, 1]


def two_body_isotropic_numpy(parent_p4, m1, m2, u1, u2, parent_mass=None):
    """Plain-numpy reference of :func:`two_body_isotropic` (same inputs, same outputs)."""
    from .boost import boost_from_rest

    par = np.asarray(parent_p4, dtype=np.float64).reshape(-1, 4)
    M = _parent_mass(par, parent_mass)
    ps = np.sqrt((M**2 - (m1 + m2) ** 2) * (M**2 - (m1 - m2) ** 2)) / (2 * M)
    cth = 2 * np.asarray(u1) - 1
    sth = np.sqrt(1 - cth**2)
    phi = 2 * np.pi * np.asarray(u2)
    k = ps[:, None] * np.stack([sth * np.cos(phi), sth * np.sin(phi), cth], axis=1)
    r1 = np.column_stack([k, np.sqrt(ps**2 + m1**2)])
    r2 = np.column_stack([-k, np.sqrt(ps**2 + m2**2)])
    return boost_from_rest(r1, par, M), boost_from_rest(r2, par, M)


@numba.njit(**_JIT)
def _toward_kernel(parent, M, m1, m2, direction, u):  # pragma: no cover - compiled
    n = parent.shape[0]
    p1 = np.zeros((n, 4))
    p2 = np.zeros((n, 4))
    dens = np.zeros(n)
    m1sq = m1 * m1
    for i in range(n):
        Mi = M[i]
        ps = _pstar(Mi, m1, m2)
        if ps <= 0.0:
            continue  # at threshold the daughter direction is a delta function
        e1s = (Mi * Mi + m1sq - m2 * m2) / (2.0 * Mi)
        g = parent[i, 3] / Mi
        ux = parent[i, 0] / Mi
        uy = parent[i, 1] / Mi
        uz = parent[i, 2] / Mi
        umag = np.sqrt(ux * ux + uy * uy + uz * uz)
        nx = direction[i, 0]
        ny = direction[i, 1]
        nz = direction[i, 2]
        nn = np.sqrt(nx * nx + ny * ny + nz * nz)
        nx /= nn
        ny /= nn
        nz /= nn
        if umag > 0.0:
            c = (ux * nx + uy * ny + uz * nz) / umag
            cx = uy * nz - uz * ny
            cy = uz * nx - ux * nz
            cz = ux * ny - uy * nx
            us = np.sqrt(cx * cx + cy * cy + cz * cz)  # u * sin(alpha), no 1 - c^2 cancellation
        else:
            c = 1.0
            us = 0.0
        r2 = (ps - m1 * us) * (ps + m1 * us)  # p*^2 - m1^2 u^2 s^2
        if r2 < 0.0:
            continue  # outside the allowed cone
        R = np.sqrt(r2)
        den = 1.0 + us * us
        A = e1s * umag * c
        B = g * R
        prod = (m1 * umag - ps) * (m1 * umag + ps) / den  # q+ q- (module docstring)
        qp = 0.0
        qm = 0.0
        if c >= 0.0:
            qp = (A + B) / den
            if qp > 0.0:
                qm = prod / qp
        else:
            qm = (A - B) / den
            if qm < 0.0:
                qp = prod / qm
            else:
                qm = 0.0
        jp = qp * qp / (ps * R) if qp > 0.0 else 0.0  # dOmega*/dOmega_lab
        jm = qm * qm / (ps * R) if qm > 0.0 else 0.0
        jt = jp + jm
        if not (jt > 0.0) or not np.isfinite(jt):
            continue
        q = qp if (jm == 0.0 or u[i] * jt < jp) else qm
        dens[i] = jt * (1.0 / (4.0 * np.pi))
        e1 = np.sqrt(q * q + m1sq)
        p1[i, 0] = q * nx
        p1[i, 1] = q * ny
        p1[i, 2] = q * nz
        p1[i, 3] = e1
        p2[i, 0] = parent[i, 0] - p1[i, 0]
        p2[i, 1] = parent[i, 1] - p1[i, 1]
        p2[i, 2] = parent[i, 2] - p1[i, 2]
        p2[i, 3] = parent[i, 3] - e1
    return p1, p2, dens


def two_body_toward(parent_p4, m1, m2, direction, u, parent_mass=None):
    """Two-body decay with daughter 1 forced along a given lab direction.

    Parameters
    ----------
    parent_p4 : array_like, shape (n, 4)
        Lab four-momenta of the parents (GeV).
    m1, m2 : float
        Daughter masses (GeV); daughter 1 is the one forced along ``direction``.
    direction : array_like, shape (n, 3)
        Lab unit vectors (normalised again inside).
    u : array_like, shape (n,)
        Uniforms in [0, 1] choosing between the two kinematic solutions when two exist:
        the larger-momentum one is taken when ``u < J+ / (J+ + J-)``.
    parent_mass : float or array_like, optional
        Exact parent mass(es) in GeV; default: invariant mass of ``parent_p4``.

    Returns
    -------
    p1, p2 : numpy.ndarray, shape (n, 4)
        Lab four-momenta (GeV); ``p2 = parent - p1``. Zero rows where no solution exists.
    density : numpy.ndarray, shape (n,)
        Probability density per steradian (sr^-1) of daughter 1's lab direction for an
        isotropic rest-frame decay, evaluated at ``direction``: the sum over kinematic
        solutions of ``|dOmega*/dOmega_lab| / (4 pi)``. Zero outside the allowed cone. If
        directions are drawn with density ``q_prop`` (sr^-1), ``density / q_prop`` is the
        exact importance weight.
    """
    par = _as_p4(parent_p4)
    n = par.shape[0]
    M = _parent_mass(par, parent_mass)
    _check_open(M, m1, m2)
    d = _as_v3(direction, n)
    return _toward_kernel(par, M, float(m1), float(m2), d, _uniform(u, n, "u"))


def two_body_toward_numpy(parent_p4, m1, m2, direction, u, parent_mass=None):
    """Plain-numpy reference of :func:`two_body_toward`.

    Independent of the kernel's algebra: it solves ``gamma (E1 - beta c q) = E1*`` as the
    textbook quadratic ``(1 - beta^2 c^2) q^2 - 2 (E1*/gamma) beta c q + m1^2 -
    E1*^2/gamma^2 = 0``, keeps roots with ``q > 0`` and ``E1*/gamma + beta c q > 0``, and
    uses the Jacobian ``q^2 / (p* gamma |q - beta c E1|)``. Less precise for very fast
    parents; meant for tests.
    """
    par = np.asarray(parent_p4, dtype=np.float64).reshape(-1, 4)
    M = _parent_mass(par, parent_mass)
    n = par.shape[0]
    d = np.broadcast_to(np.asarray(direction, dtype=np.float64), (n, 3))
    d = d / np.linalg.norm(d, axis=1)[:, None]
    ps = np.sqrt((M**2 - (m1 + m2) ** 2) * (M**2 - (m1 - m2) ** 2)) / (2 * M)
    e1s = (M**2 + m1**2 - m2**2) / (2 * M)
    pv = par[:, :3]
    pm = np.linalg.norm(pv, axis=1)
    beta = pm / par[:, 3]
    gamma = par[:, 3] / M
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(pm > 0, np.sum(pv * d, axis=1) / pm, 1.0)
        a = 1 - beta**2 * c**2
        b = (e1s / gamma) * beta * c
        disc = b**2 - a * (m1**2 - e1s**2 / gamma**2)
        sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
        roots = np.stack([(b + sq) / a, (b - sq) / a], axis=1)
        e1 = np.sqrt(roots**2 + m1**2)
        ok = (roots > 0) & ((e1s / gamma)[:, None] + (beta * c)[:, None] * roots > 0) & np.isfinite(roots)
        jac = np.where(ok, roots**2 / (ps[:, None] * gamma[:, None] * np.abs(roots - (beta * c)[:, None] * e1)), 0.0)
    jac = np.nan_to_num(jac)
    jt = jac.sum(axis=1)
    pick = np.where((jac[:, 1] == 0) | (np.asarray(u) * jt < jac[:, 0]), 0, 1)
    q = np.where(jt > 0, roots[np.arange(n), pick], 0.0)
    q = np.nan_to_num(q)
    p1 = np.zeros((n, 4))
    p1[:, :3] = q[:, None] * d
    p1[:, 3] = np.where(jt > 0, np.sqrt(q**2 + m1**2), 0.0)
    p2 = np.where(jt[:, None] > 0, par - p1, 0.0)
    return p1, p2, jt / (4 * np.pi)

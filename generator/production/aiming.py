"""FIPs from decaying parents, aimed at a detector with exact, bounded importance weights.

The input is a :class:`~fipgen.production.parents.ParentDecays` sample (mesons or taus
decaying in flight or at rest, beam frame). Each parent decays into a FIP of mass ``m``
(an HNL here; any mass, massless included) plus anything else; the FIP's momentum in the
parent rest frame ``p*`` may vary from event to event (three-body decays). Only the FIPs
that fly toward the detector matter, so the FIP direction is drawn mostly toward it.

Frames and conventions
----------------------
Four-vectors ``(px, py, pz, E)`` in GeV, positions in m, times in ns. The parent *rest
frame* is the one reached from the lab (beam frame) by a pure boost (axes parallel to the
lab's): ``u = p/M`` (``gamma beta``), ``gamma = sqrt(1 + u.u)``. In that frame the FIP
direction ``n*`` has the density

    f*(n*) = (1 + a s.n*) / (4 pi)    per steradian,   |a| <= 1,

with ``s`` a unit spin axis and ``a`` the product of the parent's polarisation and the
channel's analysing power (``a = 0``: isotropic, the case of every spin-0 parent).

Lab density of the FIP direction (*derived*)
--------------------------------------------
A lab direction ``d`` makes the angle ``alpha`` with ``u``; write ``u_c = u.d`` and
``u_s = |u x d|`` (``= u sin alpha``, computed without ``1 - cos^2`` cancellation). The
FIP's lab momentum ``q`` along ``d`` must give the rest-frame energy ``E* = sqrt(p*^2 +
m^2)``: ``E* = gamma E - u_c q`` with ``E = sqrt(q^2 + m^2)``. Squaring,

    (1 + u_s^2) q^2 - 2 E* u_c q + gamma^2 m^2 - E*^2 = 0,
    q_pm = [E* u_c +- gamma R] / (1 + u_s^2),     R = sqrt(p*^2 - m^2 u_s^2),
    q_+ q_- = (m^2 u^2 - p*^2) / (1 + u_s^2)

(``gamma^2 - u_c^2 = 1 + u_s^2``; ``gamma^2 m^2 - E*^2 = m^2 u^2 - p*^2``). A root is a
solution when ``q > 0`` (then ``E* + u_c q > 0`` holds). Two cases:

* ``m u < p*`` (the FIP is faster in the parent frame than the parent in the lab, or the
  parent is at rest): the product is negative, exactly one positive root, every lab
  direction is reached once;
* ``m u > p*``: both roots have the sign of ``u_c``; forward of the parent and inside the
  cone ``u_s <= p*/m`` (``sin alpha_max = p* / (m u)``) there are two solutions, none
  outside. At the cone edge ``R -> 0``.

Each root maps a rest-frame solid angle onto the lab one with the Jacobian (from the
invariance of ``d^3p / E`` at fixed ``p*``: ``p*^2 dp* dOmega* / E* = q^2 dq dOmega / E``
and ``dE*/dq = gamma q / E - u_c``)

    J = dOmega*/dOmega_lab = q^2 / (p* |gamma q - u_c E|) = q^2 / (p* R),

because ``gamma q - u_c E = [(1 + u_s^2) q - u_c E*] / gamma = +-R`` at the roots. The lab
density of the FIP direction is then

    g(d) = sum over solutions k of f*(n*_k) J_k,

with ``n*_k`` the rest-frame direction of solution ``k``. In the cone case ``g`` diverges
like ``1/R`` (integrably) at the cone edge; in the parent's own frame ``g = f*``.
Massless check: ``J = 1 / [gamma^2 (1 - beta cos alpha)^2]``.

Defensive mixture proposal and weight
-------------------------------------
With probability ``alpha`` (default 0.9) the direction points at a uniform point of the
detector solid seen from the decay vertex, of density ``q_det(d)`` per sr
(:meth:`~fipgen.geometry.shapes.Solid.proposal_density`); the FIP momentum is then one
of the solutions along ``d``, chosen with probability ``f*(n*_k) J_k / g(d)``. Otherwise
(probability ``1 - alpha``) the decay is drawn from the true rest-frame distribution
``f*`` and boosted. The proposal density of (direction, solution) is
``[alpha q_det(d) + (1 - alpha) g(d)] f*_k J_k / g(d)``, the true one ``f*_k J_k``, so

    w = g(d) / [alpha q_det(d) + (1 - alpha) g(d)]   <=   1 / (1 - alpha)

for every event (also at the cone edge, where ``g`` is unbounded). Directions that miss
the detector (``q_det(d) = 0``, only from the defensive branch) get ``w = 0``: they cannot
give a signal, and ``mean(w)`` is then exactly the probability that the FIP flies toward
the detector (its ray crosses the solid), the *geometric acceptance*.

Per-event ``p*`` is allowed: three-body decays draw the FIP's rest-frame energy from the
matrix element first (the FIP's rest-frame direction is then distributed as ``f*``,
isotropic for a spin-0 parent) -- :func:`~fipgen.production.channels.hnl_kinematics.sample_kl3_energy`,
:func:`~fipgen.production.channels.hnl_kinematics.sample_tau_leptonic_energy`.
The other daughters' momenta are not produced: they are not needed for the FIP and its
weight (for a two-body decay the partner is ``parent - FIP``; for a three-body decay one
would sample the remaining two-body system of mass ``sqrt((p_parent - p_FIP)^2)``).

Numba kernels (``JIT_OPTIONS``) do the per-event work; :func:`aim_kernels_numpy` is the
plain-numpy reference with independent algebra. The HNL-specific physics (helicity axes and
polarisations, tau leptonic and K_l3 energy spectra, taus from Ds) is in
:mod:`fipgen.production.channels.hnl_kinematics`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from ..fasttrig import cos_sin_turn
from ..kinematics.directions import about_axis_cs

__all__ = [
    "DEFAULT_ALPHA",
    "AimedDecays",
    "aim_decays",
    "aim_kernels",
    "aim_kernels_numpy",
    "lab_density",
    "two_body_pstar",
]

#: Default probability of the aimed branch of the defensive mixture.
DEFAULT_ALPHA = 0.9
_FOUR_PI = 4.0 * math.pi


# ======================================================================================
# kinematics kernels
# ======================================================================================


def two_body_pstar(M, m1, m2):
    """Rest-frame momentum ``sqrt(lambda(M^2, m1^2, m2^2)) / 2M`` (GeV; 0 if closed).

    Factorised Kallen function ``[M^2 - (m1+m2)^2][M^2 - (m1-m2)^2]`` (PDG "Kinematics").
    """
    M = np.asarray(M, dtype=np.float64)
    lam = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)
    p = np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * M)
    return float(p) if p.ndim == 0 else p


@numba.njit(inline="always", **JIT_OPTIONS)
def _cos_from_linear(a, u):  # pragma: no cover - compiled
    """cos(theta) distributed as (1 + a c)/2 on [-1, 1] from a uniform u (inverse CDF).

    CDF(c) = [(1 + c) + a (c^2 - 1)/2] / 2; with v = 2u - 1 the root of
    a c^2 / 2 + c - (v + a/2) = 0 in [-1, 1] is written without cancellation.
    """
    v = 2.0 * u - 1.0
    t = v + 0.5 * a
    disc = 1.0 + 2.0 * a * t
    if disc < 0.0:
        disc = 0.0
    c = 2.0 * t / (1.0 + np.sqrt(disc))
    if c > 1.0:
        c = 1.0
    if c < -1.0:
        c = -1.0
    return c


@numba.njit(**JIT_OPTIONS)
def _defensive_kernel(par, M, m, pstar, axis, asym, sel, u):  # pragma: no cover - compiled
    """Rows ``sel``: FIP rest direction from ``(1 + a s.n)/(4 pi)``, boosted to the lab.

    ``u``: (len(sel), 2) uniforms. Writes lab p4 (on shell: ``E = sqrt(|p|^2 + m^2)``),
    the unit lab direction and the rest-frame unit direction into new (n, .) arrays
    (other rows zero).
    """
    n = par.shape[0]
    p4 = np.zeros((n, 4))
    d = np.zeros((n, 3))
    ns = np.zeros((n, 3))
    for j in range(sel.shape[0]):
        i = sel[j]
        Mi = M[i]
        ps = pstar[i]
        es = np.sqrt(ps * ps + m * m)
        sx, sy, sz = axis[i, 0], axis[i, 1], axis[i, 2]
        c = _cos_from_linear(asym[i], u[j, 0])
        cp, sp = cos_sin_turn(u[j, 1])  # azimuth 2 pi u
        nx, ny, nz = about_axis_cs(sx, sy, sz, c, cp, sp)
        ux, uy, uz = par[i, 0] / Mi, par[i, 1] / Mi, par[i, 2] / Mi
        g = np.sqrt(1.0 + ux * ux + uy * uy + uz * uz)
        un = ps * (ux * nx + uy * ny + uz * nz)
        k = un / (g + 1.0) + es  # Jackson eq. 11.19 in the u = gamma beta form
        px = ps * nx + k * ux
        py = ps * ny + k * uy
        pz = ps * nz + k * uz
        pm = np.sqrt(px * px + py * py + pz * pz)
        p4[i, 0], p4[i, 1], p4[i, 2] = px, py, pz
        p4[i, 3] = np.sqrt(pm * pm + m * m)
        if pm > 0.0:
            d[i, 0], d[i, 1], d[i, 2] = px / pm, py / pm, pz / pm
        else:  # FIP at rest in the lab (measure zero): any direction
            d[i, 0], d[i, 1], d[i, 2] = nx, ny, nz
        ns[i, 0], ns[i, 1], ns[i, 2] = nx, ny, nz
    return p4, d, ns


@numba.njit(**JIT_OPTIONS)
def _toward_kernel(par, M, m, pstar, axis, asym, dirs, qdet, aimed, alpha, u, p4, ns):  # pragma: no cover - compiled
    """Lab density g(d) for every row; for ``aimed`` rows also the FIP p4 and rest
    direction along ``dirs`` (solution k with probability f*_k J_k / g, uniform ``u``).

    Returns ``(g, w)``; ``p4`` and ``ns`` are filled in place for aimed rows (zero when no
    solution exists). ``w = g / (alpha q + (1 - alpha) g)`` where ``q > 0`` and ``g > 0``,
    else 0. See the module docstring for the algebra.
    """
    n = par.shape[0]
    gout = np.zeros(n)
    wout = np.zeros(n)
    m2 = m * m
    for i in range(n):
        Mi = M[i]
        ps = pstar[i]
        if not (ps > 0.0):
            if aimed[i]:
                for k in range(4):
                    p4[i, k] = 0.0
            continue
        es = np.sqrt(ps * ps + m2)
        ux, uy, uz = par[i, 0] / Mi, par[i, 1] / Mi, par[i, 2] / Mi
        uu = ux * ux + uy * uy + uz * uz
        g = np.sqrt(1.0 + uu)
        umag = np.sqrt(uu)
        dx, dy, dz = dirs[i, 0], dirs[i, 1], dirs[i, 2]
        uc = ux * dx + uy * dy + uz * dz
        cx, cy, cz = uy * dz - uz * dy, uz * dx - ux * dz, ux * dy - uy * dx
        us = np.sqrt(cx * cx + cy * cy + cz * cz)
        r2 = (ps - m * us) * (ps + m * us)
        q1 = 0.0
        q2 = 0.0
        R = 0.0
        if r2 > 0.0:
            R = np.sqrt(r2)
            den = 1.0 + us * us
            prod = (m * umag - ps) * (m * umag + ps) / den
            if uc >= 0.0:
                q1 = (es * uc + g * R) / den
                if q1 > 0.0 and prod > 0.0:
                    q2 = prod / q1
            else:
                qm = (es * uc - g * R) / den
                if qm < 0.0 and prod < 0.0:
                    q1 = prod / qm
        # rest-frame directions and f* J of each solution
        fj1 = 0.0
        fj2 = 0.0
        n1x = n1y = n1z = 0.0
        n2x = n2y = n2z = 0.0
        a = asym[i]
        sx, sy, sz = axis[i, 0], axis[i, 1], axis[i, 2]
        if q1 > 0.0:
            e = np.sqrt(q1 * q1 + m2)
            k = e - q1 * uc / (g + 1.0)
            n1x = (q1 * dx - k * ux) / ps
            n1y = (q1 * dy - k * uy) / ps
            n1z = (q1 * dz - k * uz) / ps
            f = 1.0 + a * (sx * n1x + sy * n1y + sz * n1z)
            fj1 = max(f, 0.0) * q1 * q1 / (ps * R)
        if q2 > 0.0:
            e = np.sqrt(q2 * q2 + m2)
            k = e - q2 * uc / (g + 1.0)
            n2x = (q2 * dx - k * ux) / ps
            n2y = (q2 * dy - k * uy) / ps
            n2z = (q2 * dz - k * uz) / ps
            f = 1.0 + a * (sx * n2x + sy * n2y + sz * n2z)
            fj2 = max(f, 0.0) * q2 * q2 / (ps * R)
        gt = (fj1 + fj2) / (4.0 * np.pi)
        if not np.isfinite(gt):
            gt = 0.0
        gout[i] = gt
        if gt > 0.0 and qdet[i] > 0.0:
            wout[i] = gt / (alpha * qdet[i] + (1.0 - alpha) * gt)
        if aimed[i]:
            if gt > 0.0:
                if fj2 > 0.0 and u[i] * (fj1 + fj2) >= fj1:
                    q, nx, ny, nz = q2, n2x, n2y, n2z
                else:
                    q, nx, ny, nz = q1, n1x, n1y, n1z
                p4[i, 0] = q * dx
                p4[i, 1] = q * dy
                p4[i, 2] = q * dz
                p4[i, 3] = np.sqrt(q * q + m2)
                ns[i, 0], ns[i, 1], ns[i, 2] = nx, ny, nz
            else:
                for k in range(4):
                    p4[i, k] = 0.0
                ns[i, 0] = ns[i, 1] = ns[i, 2] = 0.0
    return gout, wout


def _prep(parent_p4, parent_mass, m, pstar, spin_axis, asymmetry):
    par = np.ascontiguousarray(parent_p4, dtype=np.float64).reshape(-1, 4)
    n = par.shape[0]
    M = np.ascontiguousarray(np.broadcast_to(np.asarray(parent_mass, dtype=np.float64), (n,)))
    if np.any(~(M > 0.0)):
        raise ValueError("parent masses must be > 0")
    ps = np.ascontiguousarray(np.broadcast_to(np.asarray(pstar, dtype=np.float64), (n,)))
    if spin_axis is None:
        ax = np.zeros((n, 3))
        ax[:, 2] = 1.0
    else:
        ax = np.array(np.broadcast_to(np.asarray(spin_axis, dtype=np.float64), (n, 3)))
        nr = np.linalg.norm(ax, axis=1)
        if np.any(~(nr > 0.0)):
            raise ValueError("spin_axis must be non-zero")
        ax /= nr[:, None]
    a = np.zeros(n) if asymmetry is None else np.ascontiguousarray(
        np.broadcast_to(np.asarray(asymmetry, dtype=np.float64), (n,)))
    if np.any(np.abs(a) > 1.0):
        raise ValueError("asymmetry must lie in [-1, 1]")
    if not (m >= 0.0):
        raise ValueError(f"FIP mass must be >= 0, got {m!r}")
    return par, M, float(m), ps, ax, a


def aim_kernels(parent_p4, parent_mass, m, pstar, dirs_aimed, aimed, qdet_fn, alpha, u_def, u_pick,
                spin_axis=None, asymmetry=None):
    """The deterministic core of :func:`aim_decays` (numba), given all uniforms.

    Parameters
    ----------
    parent_p4 : (n, 4) lab four-momenta; parent_mass : float or (n,) GeV.
    m : FIP mass (GeV). pstar : float or (n,) rest-frame FIP momentum (GeV).
    dirs_aimed : (n, 3) unit lab directions used for the ``aimed`` rows (others ignored).
    aimed : (n,) bool, the branch of each row.
    qdet_fn : callable ``(dirs (n,3)) -> (n,)`` proposal density per sr of the aimed branch
        at the final directions (e.g. ``lambda d: solid.proposal_density(vertex, d)``).
    alpha : aimed-branch probability. u_def : (n_def, 2) uniforms for the defensive rows in
        order (or (n, 2), of which those rows are used); u_pick : (n,) uniforms.
    spin_axis, asymmetry : rest-frame density ``(1 + a s.n*) / 4 pi`` (default isotropic).

    Returns
    -------
    dict with ``p4`` (n, 4), ``direction`` (n, 3), ``rest_direction`` (n, 3), ``g`` (n,)
    lab density per sr, ``q`` (n,) proposal density, ``weight`` (n,).
    """
    par, M, m, ps, ax, a = _prep(parent_p4, parent_mass, m, pstar, spin_axis, asymmetry)
    aimed = np.ascontiguousarray(aimed, dtype=np.bool_)
    sel = np.flatnonzero(~aimed).astype(np.int64)
    ud = np.ascontiguousarray(np.asarray(u_def, dtype=np.float64).reshape(-1, 2)[sel] if
                              np.shape(u_def)[0] == par.shape[0] else np.asarray(u_def, dtype=np.float64).reshape(-1, 2))
    p4, d, ns = _defensive_kernel(par, M, m, ps, ax, a, sel, ud)
    dirs = np.where(aimed[:, None], np.asarray(dirs_aimed, dtype=np.float64), d)
    dirs = np.ascontiguousarray(dirs)
    qd = np.ascontiguousarray(qdet_fn(dirs), dtype=np.float64)
    g, w = _toward_kernel(par, M, m, ps, ax, a, dirs, qd, aimed, float(alpha),
                          np.ascontiguousarray(u_pick, dtype=np.float64), p4, ns)
    return {"p4": p4, "direction": dirs, "rest_direction": ns, "g": g, "q": qd, "weight": w}


def aim_kernels_numpy(parent_p4, parent_mass, m, pstar, dirs_aimed, aimed, qdet_fn, alpha, u_def, u_pick,
                      spin_axis=None, asymmetry=None):
    """Plain-numpy reference of :func:`aim_kernels` (same inputs and outputs).

    Independent algebra: the defensive decay is boosted with the textbook
    ``p + [(gamma-1)(beta.p)/beta^2 + gamma E] beta``; the solutions along ``d`` come from
    the quadratic in ``q`` written with ``beta``, ``gamma`` and ``cos alpha``
    (``(1 - beta^2 c^2) q^2 - 2 (E*/gamma) beta c q + m^2 - E*^2/gamma^2 = 0``), the
    Jacobian as ``q^2 / (p* gamma |q - beta c E|)`` and the rest-frame direction by the
    inverse boost. Less precise for very fast parents; meant for tests.
    """
    par, M, m, ps, ax, a = _prep(parent_p4, parent_mass, m, pstar, spin_axis, asymmetry)
    n = par.shape[0]
    aimed = np.asarray(aimed, dtype=bool)
    ud = np.asarray(u_def, dtype=np.float64).reshape(-1, 2)
    if ud.shape[0] != n:
        full = np.zeros((n, 2))
        full[~aimed] = ud
        ud = full
    es = np.sqrt(ps**2 + m**2)
    beta = par[:, :3] / np.sqrt(M**2 + np.sum(par[:, :3] ** 2, axis=1))[:, None]
    b2 = np.sum(beta**2, axis=1)
    gam = 1.0 / np.sqrt(1.0 - b2)
    # defensive: c = cos(theta*) to the spin axis from (1 + a c)/2 by solving the quadratic
    v = 2 * ud[:, 0] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(np.abs(a) > 1e-12, (-1 + np.sqrt(np.clip(1 + a * (2 * v + a), 0, None))) / a, v)
    c = np.clip(c, -1, 1)
    phi = 2 * np.pi * ud[:, 1]
    # the azimuth convention of fipgen.kinematics.directions.about_axis
    ref = np.where(np.abs(ax[:, 0:1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    e1 = np.cross(ref, ax)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(ax, e1)
    sn = np.sqrt(1 - c**2)
    nst = c[:, None] * ax + sn[:, None] * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2)
    k = ps[:, None] * nst
    bk = np.sum(beta * k, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = np.where(b2 > 0, (gam - 1) * bk / b2, 0.0) + gam * es
    plab = k + coef[:, None] * beta
    pm = np.linalg.norm(plab, axis=1)
    d_def = plab / pm[:, None]
    dirs = np.where(aimed[:, None], np.asarray(dirs_aimed, dtype=np.float64), d_def)
    qd = np.asarray(qdet_fn(np.ascontiguousarray(dirs)), dtype=np.float64)
    # solutions along dirs
    bm = np.sqrt(b2)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosa = np.where(bm > 0, np.sum(beta * dirs, axis=1) / bm, 1.0)
        A = 1 - b2 * cosa**2
        B = (es / gam) * bm * cosa
        disc = B**2 - A * (m**2 - es**2 / gam**2)
        sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
        roots = np.stack([(B + sq) / A, (B - sq) / A], axis=1)
        E = np.sqrt(roots**2 + m**2)
        ok = (roots > 0) & ((es / gam)[:, None] + (bm * cosa)[:, None] * roots > 0) & np.isfinite(roots)
        jac = roots**2 / (ps[:, None] * gam[:, None] * np.abs(roots - (bm * cosa)[:, None] * E))
        # rest-frame momenta of each root: inverse boost
        p3 = roots[:, :, None] * dirs[:, None, :]
        bp = np.sum(beta[:, None, :] * p3, axis=2)
        cf = np.where(b2[:, None] > 0, (gam[:, None] - 1) * bp / b2[:, None], 0.0) - gam[:, None] * E
        prest = p3 + cf[:, :, None] * beta[:, None, :]
        nroot = prest / ps[:, None, None]
        f = np.clip(1 + a[:, None] * np.sum(ax[:, None, :] * nroot, axis=2), 0, None)
        fj = np.where(ok, f * jac, 0.0)
    fj = np.nan_to_num(fj)
    g = fj.sum(axis=1) / _FOUR_PI
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where((g > 0) & (qd > 0), g / (alpha * qd + (1 - alpha) * g), 0.0)
    pick = np.where((fj[:, 1] > 0) & (np.asarray(u_pick) * fj.sum(axis=1) >= fj[:, 0]), 1, 0)
    q = np.nan_to_num(roots[np.arange(n), pick])
    p4 = np.zeros((n, 4))
    ns = np.zeros((n, 3))
    good = g > 0
    p4[:, :3] = np.where(aimed[:, None], np.where(good[:, None], q[:, None] * dirs, 0.0), plab)
    p4[:, 3] = np.where(aimed, np.where(good, np.sqrt(q**2 + m**2), 0.0), np.sqrt(pm**2 + m**2))
    ns = np.where(aimed[:, None], np.where(good[:, None], np.nan_to_num(nroot[np.arange(n), pick]), 0.0), nst)
    return {"p4": p4, "direction": dirs, "rest_direction": ns, "g": g, "q": qd, "weight": w}


def lab_density(parent_p4, parent_mass, m, pstar, dirs, spin_axis=None, asymmetry=None) -> np.ndarray:
    """Lab density per steradian ``g(d)`` of the FIP direction (module docstring), numba."""
    par, M, m, ps, ax, a = _prep(parent_p4, parent_mass, m, pstar, spin_axis, asymmetry)
    n = par.shape[0]
    d = np.ascontiguousarray(np.broadcast_to(np.asarray(dirs, dtype=np.float64), (n, 3)))
    g, _ = _toward_kernel(par, M, m, ps, ax, a, d, np.zeros(n), np.zeros(n, dtype=np.bool_), 0.5,
                          np.zeros(n), np.zeros((n, 4)), np.zeros((n, 3)))
    return g


@dataclass(frozen=True)
class AimedDecays:
    """FIPs aimed at a solid (output of :func:`aim_decays`).

    Attributes
    ----------
    p4 : (n, 4) FIP lab four-momenta (GeV); zero rows where ``weight == 0`` and no solution
        exists along the aimed direction.
    direction : (n, 3) unit lab direction of the FIP.
    rest_direction : (n, 3) unit FIP direction in the parent rest frame (pure boost).
    weight : (n,) ``1[q > 0] g / (alpha q + (1 - alpha) g)``, in [0, 1/(1 - alpha)].
    g, q : (n,) lab density of the true decay and of the aimed proposal, per sr.
    aimed : (n,) bool, branch of each event.
    """

    p4: np.ndarray
    direction: np.ndarray
    rest_direction: np.ndarray
    weight: np.ndarray
    g: np.ndarray
    q: np.ndarray
    aimed: np.ndarray


def aim_decays(parent_p4, parent_mass, vertex, m, pstar, aim, rng: np.random.Generator, *,
               alpha: float = DEFAULT_ALPHA, spin_axis=None, asymmetry=None) -> AimedDecays:
    """Decay ``n`` parents into a FIP of mass ``m`` aimed at the solid ``aim``.

    Parameters
    ----------
    parent_p4 : array (n, 4)
        Parent lab four-momenta (GeV); zero 3-momentum for decays at rest.
    parent_mass : float or array (n,)
        Exact parent masses (GeV).
    vertex : array (n, 3)
        Decay vertices (m), same frame as ``aim``.
    m : float
        FIP mass (GeV), >= 0.
    pstar : float or array (n,)
        FIP momentum in the parent rest frame (GeV); rows with ``pstar <= 0`` get weight 0.
    aim : Solid
        Target solid (``sample_points``, ``proposal_density``).
    rng : numpy.random.Generator
    alpha : float
        Probability of the aimed branch, in [0, 1).
    spin_axis, asymmetry : optional
        Rest-frame direction density ``(1 + a s.n*) / 4 pi`` (module docstring); default
        isotropic.

    Returns
    -------
    AimedDecays
    """
    if not (0.0 <= alpha < 1.0):
        raise ValueError(f"alpha must lie in [0, 1), got {alpha!r}")
    par = np.ascontiguousarray(parent_p4, dtype=np.float64).reshape(-1, 4)
    n = par.shape[0]
    vtx = np.ascontiguousarray(np.broadcast_to(np.asarray(vertex, dtype=np.float64), (n, 3)))
    aimed = rng.random(n) < alpha
    ia = np.flatnonzero(aimed)
    dirs = np.zeros((n, 3))
    dirs[:, 2] = 1.0
    if ia.size:
        t = aim.sample_points(ia.size, rng) - vtx[ia]
        nr = np.sqrt(np.einsum("ij,ij->i", t, t))
        ok = nr > 0
        dirs[ia[ok]] = t[ok] / nr[ok, None]
    u_def = rng.random((n - ia.size, 2))
    u_pick = rng.random(n)
    out = aim_kernels(par, parent_mass, m, pstar, dirs, aimed, lambda d: aim.proposal_density(vtx, d), alpha,
                      u_def, u_pick, spin_axis=spin_axis, asymmetry=asymmetry)
    return AimedDecays(out["p4"], out["direction"], out["rest_direction"], out["weight"], out["g"], out["q"], aimed)

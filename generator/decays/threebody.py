"""Generic three-body decays ``P -> 1 + 2 + 3`` sampled from a Dalitz density.

Four-vectors are float64 arrays ``(n, 4)`` ordered ``(px, py, pz, E)`` in GeV.

Method
------
1. Dalitz variables ``s12 = (p1 + p2)^2``, ``s23 = (p2 + p3)^2`` (GeV^2). Phase space is
   flat in ``(s12, s23)`` (PDG Review "Kinematics", eq. 49.22:
   ``dGamma = |M|^2 / (256 pi^3 M^3) ds12 ds23`` with ``|M|^2`` spin-averaged).
2. Candidates uniform in the bounding rectangle; points outside the Dalitz region
   (PDG "Kinematics" eq. 49.23, the ``s23`` range at fixed ``s12``) are rejected; the rest
   are kept with probability ``f(s12, s23) / f_max`` (accept-reject).
   ``f_max`` is found numerically: the maximum of ``f`` on a 256 x 256 grid of the
   rectangle (points inside the region only) and on 4096 points along the region's
   boundary, times 1.5. If a candidate ever exceeds ``f_max``, ``f_max`` is raised
   (x 1.5) and the whole sample is redrawn, so the accepted sample is exactly
   distributed as ``f`` (no bias from an underestimated maximum).
3. Momenta in the parent rest frame from the energies ``E1 = (M^2 + m1^2 - s23)/(2M)``,
   ``E3 = (M^2 + m3^2 - s12)/(2M)``: daughter 1 along z, daughter 3 in the xz plane,
   ``p2 = -(p1 + p3)``; then a uniformly random rotation (Euler angles
   ``alpha = 2 pi u1``, ``cos beta = 2 u2 - 1``, ``gamma = 2 pi u3``: Haar measure on SO(3))
   and the boost to the lab (Jackson eq. 11.19 in the ``u = gamma beta`` form; see
   :mod:`fipgen.kinematics.boost`).

The density ``f`` is any vectorised function ``f(s12, s23) -> array`` (>= 0); it need not
be normalised. The momenta kernel is :func:`three_body_momenta` (numba) with the
plain-numpy reference :func:`three_body_momenta_numpy`.

:func:`flat_nbody` samples flat n-body phase space (GENBOD) for final states without a
matrix element (four and more bodies); it is checked against the flat Dalitz plot.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from .._jit import JIT_OPTIONS as _JIT
from ..errors import PhysicsError
from ..kinematics.boost import _as_p4, boost_from_rest

__all__ = [
    "dalitz_bounds",
    "in_dalitz",
    "s23_range",
    "dalitz_fmax",
    "sample_dalitz",
    "three_body_momenta",
    "three_body_momenta_numpy",
    "phase_space_integral",
    "flat_nbody",
]

Density = Callable[[np.ndarray, np.ndarray], np.ndarray]


def dalitz_bounds(M: float, m1: float, m2: float, m3: float) -> tuple[float, float, float, float]:
    """Bounding rectangle ``(s12_min, s12_max, s23_min, s23_max)`` of the Dalitz region (GeV^2).

    Raises
    ------
    PhysicsError
        If ``M <= m1 + m2 + m3`` (closed channel).
    """
    if not M > m1 + m2 + m3:
        raise PhysicsError(f"three-body decay closed: parent mass {M:.6g} GeV <= {m1 + m2 + m3:.6g} GeV")
    return (m1 + m2) ** 2, (M - m3) ** 2, (m2 + m3) ** 2, (M - m1) ** 2


def s23_range(s12, M, m1, m2, m3):
    """Allowed ``s23`` interval (GeV^2) at fixed ``s12`` (PDG "Kinematics" eq. 49.23).

    Uses the energies of 2 and 3 in the (12) rest frame,
    ``E2* = (s12 - m1^2 + m2^2) / (2 sqrt(s12))``, ``E3* = (M^2 - s12 - m3^2) / (2 sqrt(s12))``.
    Returns ``(lo, hi)`` arrays; ``lo > hi`` where ``s12`` is outside its range.
    """
    s12 = np.asarray(s12, dtype=np.float64)
    r = np.sqrt(np.clip(s12, 1e-300, None))
    e2 = (s12 - m1 * m1 + m2 * m2) / (2.0 * r)
    e3 = (M * M - s12 - m3 * m3) / (2.0 * r)
    q2 = np.sqrt(np.clip((e2 - m2) * (e2 + m2), 0.0, None))
    q3 = np.sqrt(np.clip((e3 - m3) * (e3 + m3), 0.0, None))
    bad = (e2 < m2) | (e3 < m3)
    lo = (e2 + e3) ** 2 - (q2 + q3) ** 2
    hi = (e2 + e3) ** 2 - (q2 - q3) ** 2
    lo = np.where(bad, np.inf, lo)
    hi = np.where(bad, -np.inf, hi)
    return lo, hi


def in_dalitz(s12, s23, M, m1, m2, m3):
    """Boolean mask: ``(s12, s23)`` inside the Dalitz region of ``M -> m1 m2 m3``."""
    lo, hi = s23_range(s12, M, m1, m2, m3)
    s23 = np.asarray(s23, dtype=np.float64)
    return (s23 >= lo) & (s23 <= hi)


def dalitz_fmax(density: Density, M: float, m1: float, m2: float, m3: float, ngrid: int = 256) -> float:
    """Numerical maximum of ``density`` over the Dalitz region (grid + boundary scan), x 1.5."""
    a, b, c, d = dalitz_bounds(M, m1, m2, m3)
    # grid of cell centres, plus points on the boundary curve s23 = lo(s12), hi(s12)
    g12 = a + (b - a) * (np.arange(ngrid) + 0.5) / ngrid
    g23 = c + (d - c) * (np.arange(ngrid) + 0.5) / ngrid
    S12, S23 = np.meshgrid(g12, g23, indexing="ij")
    S12 = S12.ravel()
    S23 = S23.ravel()
    inside = in_dalitz(S12, S23, M, m1, m2, m3)
    fm = float(np.max(density(S12[inside], S23[inside]), initial=0.0))
    t = a + (b - a) * np.linspace(0.0, 1.0, 4096)[1:-1]
    lo, hi = s23_range(t, M, m1, m2, m3)
    ok = lo <= hi
    for s23b in (lo[ok], hi[ok], 0.5 * (lo[ok] + hi[ok])):
        fm = max(fm, float(np.max(density(t[ok], s23b), initial=0.0)))
    if not (fm > 0.0 and np.isfinite(fm)):
        raise PhysicsError("three-body density is zero or not finite over the Dalitz region")
    return 1.5 * fm


def sample_dalitz(
    density: Density, M: float, m1: float, m2: float, m3: float, n: int, rng: np.random.Generator, fmax: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points ``(s12, s23)`` (GeV^2) distributed as ``density`` over the Dalitz region.

    Parameters
    ----------
    density : callable
        ``f(s12, s23) -> array`` (>= 0, any normalisation), vectorised over float64 arrays.
    M, m1, m2, m3 : float
        Parent and daughter masses (GeV).
    n : int
        Number of points.
    rng : numpy.random.Generator
        Source of every random number.
    fmax : float, optional
        An upper bound of ``density``; default :func:`dalitz_fmax`. It is raised
        automatically (and the sample redrawn) if a candidate exceeds it.

    Returns
    -------
    s12, s23 : numpy.ndarray, shape (n,)
    """
    a, b, c, d = dalitz_bounds(M, m1, m2, m3)
    fm = dalitz_fmax(density, M, m1, m2, m3) if fmax is None else float(fmax)
    while True:
        out12 = np.empty(n)
        out23 = np.empty(n)
        got = 0
        redo = False
        while got < n:
            m = max(1024, int(2.5 * (n - got)) + 16)
            x = a + (b - a) * rng.random(m)
            y = c + (d - c) * rng.random(m)
            ins = in_dalitz(x, y, M, m1, m2, m3)
            x = x[ins]
            y = y[ins]
            f = density(x, y)
            fmx = float(np.max(f, initial=0.0))
            if fmx > fm:  # maximum underestimated: raise it and start again (unbiased)
                fm = 1.5 * fmx
                redo = True
                break
            keep = rng.random(x.size) * fm < f
            k = min(int(np.count_nonzero(keep)), n - got)
            out12[got : got + k] = x[keep][:k]
            out23[got : got + k] = y[keep][:k]
            got += k
        if not redo:
            return out12, out23


def phase_space_integral(density: Density, M, m1, m2, m3, n: int, rng: np.random.Generator) -> tuple[float, float]:
    """Monte Carlo integral of ``density`` over the Dalitz region and its standard error.

    ``I = A * mean(f * 1_inside)`` over ``n`` uniform points of the bounding rectangle of
    area ``A`` (GeV^4 times the units of ``density``). With ``density = dGamma/ds12 ds23``
    this is the partial width in GeV.
    """
    a, b, c, d = dalitz_bounds(M, m1, m2, m3)
    x = a + (b - a) * rng.random(n)
    y = c + (d - c) * rng.random(n)
    f = np.where(in_dalitz(x, y, M, m1, m2, m3), 1.0, 0.0)
    ins = f > 0
    f[ins] = density(x[ins], y[ins])
    area = (b - a) * (d - c)
    return float(area * f.mean()), float(area * f.std() / np.sqrt(n))


@numba.njit(**_JIT)
def _three_body_kernel(parent, M, m1, m2, m3, s12, s23, u1, u2, u3):  # pragma: no cover - compiled
    n = parent.shape[0]
    out = np.empty((n, 3, 4))
    for i in range(n):
        Mi = M[i]
        e1 = (Mi * Mi + m1 * m1 - s23[i]) / (2.0 * Mi)
        e3 = (Mi * Mi + m3 * m3 - s12[i]) / (2.0 * Mi)
        e2 = Mi - e1 - e3
        q1 = np.sqrt(max(0.0, (e1 - m1) * (e1 + m1)))
        q2 = np.sqrt(max(0.0, (e2 - m2) * (e2 + m2)))
        q3 = np.sqrt(max(0.0, (e3 - m3) * (e3 + m3)))
        # angle between p1 and p3 from p2 = -(p1 + p3)
        if q1 > 0.0 and q3 > 0.0:
            c13 = (q2 * q2 - q1 * q1 - q3 * q3) / (2.0 * q1 * q3)
        else:
            c13 = 1.0
        c13 = min(1.0, max(-1.0, c13))
        s13 = np.sqrt(max(0.0, (1.0 - c13) * (1.0 + c13)))
        # body frame: p1 along z, p3 in the xz plane
        b1x, b1y, b1z = 0.0, 0.0, q1
        b3x, b3y, b3z = q3 * s13, 0.0, q3 * c13
        # rotation R = Rz(alpha) Ry(beta) Rz(gamma), cos(beta) uniform: Haar measure
        al = 2.0 * np.pi * u1[i]
        cb = 2.0 * u2[i] - 1.0
        sb = np.sqrt(max(0.0, (1.0 - cb) * (1.0 + cb)))
        ga = 2.0 * np.pi * u3[i]
        ca, sa = np.cos(al), np.sin(al)
        cg, sg = np.cos(ga), np.sin(ga)
        r00 = ca * cb * cg - sa * sg
        r01 = -ca * cb * sg - sa * cg
        r02 = ca * sb
        r10 = sa * cb * cg + ca * sg
        r11 = -sa * cb * sg + ca * cg
        r12 = sa * sb
        r20 = -sb * cg
        r21 = sb * sg
        r22 = cb
        k1x = r00 * b1x + r01 * b1y + r02 * b1z
        k1y = r10 * b1x + r11 * b1y + r12 * b1z
        k1z = r20 * b1x + r21 * b1y + r22 * b1z
        k3x = r00 * b3x + r01 * b3y + r02 * b3z
        k3y = r10 * b3x + r11 * b3y + r12 * b3z
        k3z = r20 * b3x + r21 * b3y + r22 * b3z
        k2x = -(k1x + k3x)
        k2y = -(k1y + k3y)
        k2z = -(k1z + k3z)
        g = parent[i, 3] / Mi
        ux = parent[i, 0] / Mi
        uy = parent[i, 1] / Mi
        uz = parent[i, 2] / Mi
        for j in range(3):
            if j == 0:
                kx, ky, kz, e = k1x, k1y, k1z, e1
            elif j == 1:
                kx, ky, kz, e = k2x, k2y, k2z, e2
            else:
                kx, ky, kz, e = k3x, k3y, k3z, e3
            uk = ux * kx + uy * ky + uz * kz
            a = uk / (g + 1.0) + e  # Jackson eq. 11.19, u = gamma beta form
            out[i, j, 0] = kx + a * ux
            out[i, j, 1] = ky + a * uy
            out[i, j, 2] = kz + a * uz
            out[i, j, 3] = g * e + uk
    return out


def _prep(parent_p4, parent_mass, s12, s23, u):
    par = _as_p4(parent_p4)
    n = par.shape[0]
    if parent_mass is None:
        from ..kinematics.boost import invariant_mass

        M = invariant_mass(par)
    else:
        M = np.ascontiguousarray(np.broadcast_to(np.asarray(parent_mass, dtype=np.float64), (n,)))
    s12 = np.ascontiguousarray(np.broadcast_to(np.asarray(s12, dtype=np.float64), (n,)))
    s23 = np.ascontiguousarray(np.broadcast_to(np.asarray(s23, dtype=np.float64), (n,)))
    u = np.ascontiguousarray(np.asarray(u, dtype=np.float64))
    if u.shape != (n, 3):
        raise ValueError(f"u must have shape ({n}, 3), got {u.shape}")
    return par, M, s12, s23, u


def three_body_momenta(parent_p4, masses, s12, s23, u, parent_mass=None) -> np.ndarray:
    """Lab four-momenta of a three-body decay at given Dalitz variables.

    Parameters
    ----------
    parent_p4 : array_like, shape (n, 4)
        Lab four-momenta of the parents (GeV).
    masses : tuple of 3 floats
        Daughter masses ``(m1, m2, m3)`` (GeV).
    s12, s23 : array_like, shape (n,)
        Dalitz variables ``(p1 + p2)^2``, ``(p2 + p3)^2`` (GeV^2), inside the region.
    u : array_like, shape (n, 3)
        Uniforms in [0, 1] for the random orientation (module docstring).
    parent_mass : float or array_like, optional
        Exact parent mass(es) (GeV); default: invariant mass of ``parent_p4``.

    Returns
    -------
    numpy.ndarray, shape (n, 3, 4)
        Lab four-momenta of daughters 1, 2, 3 (GeV).
    """
    par, M, s12, s23, u = _prep(parent_p4, parent_mass, s12, s23, u)
    m1, m2, m3 = (float(m) for m in masses)
    return _three_body_kernel(par, M, m1, m2, m3, s12, s23, u[:, 0].copy(), u[:, 1].copy(), u[:, 2].copy())


def three_body_momenta_numpy(parent_p4, masses, s12, s23, u, parent_mass=None) -> np.ndarray:
    """Plain-numpy reference of :func:`three_body_momenta` (rotation matrices built explicitly)."""
    par, M, s12, s23, u = _prep(parent_p4, parent_mass, s12, s23, u)
    m1, m2, m3 = (float(m) for m in masses)
    n = par.shape[0]
    e1 = (M**2 + m1**2 - s23) / (2 * M)
    e3 = (M**2 + m3**2 - s12) / (2 * M)
    e2 = M - e1 - e3
    q1 = np.sqrt(np.clip(e1**2 - m1**2, 0, None))
    q2 = np.sqrt(np.clip(e2**2 - m2**2, 0, None))
    q3 = np.sqrt(np.clip(e3**2 - m3**2, 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        c13 = np.where((q1 > 0) & (q3 > 0), (q2**2 - q1**2 - q3**2) / (2 * q1 * q3), 1.0)
    c13 = np.clip(c13, -1, 1)
    b1 = np.stack([np.zeros(n), np.zeros(n), q1], axis=1)
    b3 = np.stack([q3 * np.sqrt(1 - c13**2), np.zeros(n), q3 * c13], axis=1)

    def rz(t):
        c, s = np.cos(t), np.sin(t)
        R = np.zeros((t.size, 3, 3))
        R[:, 0, 0], R[:, 0, 1], R[:, 1, 0], R[:, 1, 1], R[:, 2, 2] = c, -s, s, c, 1
        return R

    cb = 2 * u[:, 1] - 1
    sb = np.sqrt(1 - cb**2)
    Ry = np.zeros((n, 3, 3))
    Ry[:, 0, 0], Ry[:, 0, 2], Ry[:, 1, 1], Ry[:, 2, 0], Ry[:, 2, 2] = cb, sb, 1, -sb, cb
    R = rz(2 * np.pi * u[:, 0]) @ Ry @ rz(2 * np.pi * u[:, 2])
    k1 = np.einsum("nij,nj->ni", R, b1)
    k3 = np.einsum("nij,nj->ni", R, b3)
    k2 = -(k1 + k3)
    out = np.empty((n, 3, 4))
    for j, (k, e) in enumerate(((k1, e1), (k2, e2), (k3, e3))):
        out[:, j, :] = boost_from_rest(np.column_stack([k, e]), par, M)
    return out


# --- flat n-body phase space (n >= 2), for channels without a matrix element -----------


def _pstar_np(M, m1, m2):
    lam = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * M)


def flat_nbody(parent_p4, M: float, masses, rng: np.random.Generator) -> np.ndarray:
    """Flat (constant matrix element) n-body phase space, lab four-momenta (n_ev, k, 4).

    GENBOD (F. James, CERN 68-15, "Monte Carlo phase space", sec. 9): intermediate masses
    ``M_1 > M_2 > ... > M_{k-2}`` from sorted uniforms, chain of two-body decays
    ``M -> m_1 + M_1``, ``M_1 -> m_2 + M_2``, ..., ``M_{k-2} -> m_{k-1} + m_k``, each isotropic
    in its own rest frame; the phase-space weight ``prod p*_i`` is unweighted by
    accept-reject against a numerically found maximum (x 1.2, raised and redrawn if a
    weight exceeds it, as in :func:`sample_dalitz`). No channel of the models uses it now
    (``Z' -> 4 pi`` has its matrix element, :mod:`fipgen.decays.fourpion`); the tests use it as
    the flat reference.

    Parameters
    ----------
    parent_p4 : array_like, shape (n_ev, 4)
        Lab four-momenta (GeV) of parents of mass ``M`` (GeV).
    masses : sequence of float
        Daughter masses (GeV), ``k >= 2`` of them.
    rng : numpy.random.Generator
    """
    par = _as_p4(parent_p4)
    n = par.shape[0]
    ms = np.asarray(masses, dtype=np.float64)
    k = ms.size
    if not M > ms.sum():
        raise PhysicsError(f"{k}-body decay closed: parent mass {M:.6g} GeV <= {ms.sum():.6g} GeV")
    tail = np.cumsum(ms[::-1])[::-1]  # tail[i] = sum_{j >= i} m_j
    T = M - tail[0]

    def draw(m):
        u = np.sort(rng.random((m, k - 2)), axis=1)[:, ::-1] if k > 2 else np.empty((m, 0))
        # M_i = sum_{j > i} m_j + u_(i) T, i = 1..k-2, decreasing
        Mi = tail[1 : k - 1][None, :] + u * T
        chain = np.column_stack([np.full(m, M), Mi, np.full(m, ms[-1])])
        w = np.ones(m)
        for i in range(k - 1):
            w *= _pstar_np(chain[:, i], ms[i], chain[:, i + 1])
        return chain, w

    _, wprobe = draw(20_000)
    wmax = 1.2 * float(wprobe.max())
    while True:
        chains = []
        got = 0
        redo = False
        while got < n:
            m = max(1024, 3 * (n - got))
            chain, w = draw(m)
            if w.max() > wmax:
                wmax = 1.2 * float(w.max())
                redo = True
                break
            keep = rng.random(m) * wmax < w
            chains.append(chain[keep])
            got += int(keep.sum())
        if not redo:
            break
    chain = np.concatenate(chains)[:n]
    out = np.empty((n, k, 4))
    current = par.copy()
    for i in range(k - 1):
        Mp = chain[:, i]
        Mr = chain[:, i + 1]
        ps = _pstar_np(Mp, ms[i], Mr)
        c = 2.0 * rng.random(n) - 1.0
        s = np.sqrt((1.0 - c) * (1.0 + c))
        phi = 2.0 * np.pi * rng.random(n)
        kv = ps[:, None] * np.column_stack([s * np.cos(phi), s * np.sin(phi), c])
        d1 = np.column_stack([kv, np.sqrt(ps * ps + ms[i] ** 2)])
        rr = np.column_stack([-kv, np.sqrt(ps * ps + Mr * Mr)])
        out[:, i] = boost_from_rest(d1, current, Mp)
        current = boost_from_rest(rr, current, Mp)
    out[:, k - 1] = current
    return out

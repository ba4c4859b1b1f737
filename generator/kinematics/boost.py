"""Lorentz boosts and invariant masses of four-vectors.

Four-vectors are float64 arrays of shape ``(n, 4)`` ordered ``(px, py, pz, E)`` in GeV.

Direction convention (the one that bites): :func:`boost` takes a four-vector measured in
a frame S' that moves with velocity ``beta`` (units of c) relative to the lab, and returns
the same four-vector measured in the lab. A particle at rest in S' comes out with lab
velocity ``+beta``. This is the convention of scikit-hep ``vector``'s ``boost_beta3`` and
``boost_p4`` (checked in the tests).

The kernels use the rapidity-safe form of the pure boost (Jackson, *Classical
Electrodynamics*, 3rd ed., eq. 11.19) written with ``u = gamma * beta``::

    E   = gamma E' + u . p'
    p   = p' + [ (u . p') / (gamma + 1) + E' ] u

which equals ``p' + [(gamma - 1)(beta . p')/beta^2 + gamma E'] beta`` but has no
``0/0`` at ``beta -> 0`` and no ``1 - beta^2`` cancellation for a parent given by its
four-momentum (``gamma = E/M``, ``u = p/M``).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "boost",
    "boost_numpy",
    "boost_to_rest",
    "boost_from_rest",
    "invariant_mass",
    "invariant_mass_numpy",
]

from .._jit import JIT_OPTIONS as _JIT


@numba.njit(**_JIT)
def _boost_u_kernel(p4, gamma, u, sign):  # pragma: no cover - compiled
    """Boost each row of ``p4`` by ``(gamma[i], sign * u[i])``; ``u = gamma * beta``."""
    n = p4.shape[0]
    out = np.empty_like(p4)
    for i in range(n):
        ux = sign * u[i, 0]
        uy = sign * u[i, 1]
        uz = sign * u[i, 2]
        g = gamma[i]
        px = p4[i, 0]
        py = p4[i, 1]
        pz = p4[i, 2]
        e = p4[i, 3]
        up = ux * px + uy * py + uz * pz
        # Jackson eq. 11.19 in the u = gamma*beta form (module docstring).
        k = up / (g + 1.0) + e
        out[i, 0] = px + k * ux
        out[i, 1] = py + k * uy
        out[i, 2] = pz + k * uz
        out[i, 3] = g * e + up
    return out


@numba.njit(**_JIT)
def _mass_kernel(p4):  # pragma: no cover - compiled
    n = p4.shape[0]
    out = np.empty(n)
    for i in range(n):
        p = np.sqrt(p4[i, 0] ** 2 + p4[i, 1] ** 2 + p4[i, 2] ** 2)
        e = p4[i, 3]
        # m^2 = (E - |p|)(E + |p|): no catastrophic E^2 - p^2 cancellation.
        m2 = (e - p) * (e + p)
        out[i] = np.sqrt(m2) if m2 > 0.0 else 0.0
    return out


def _as_p4(p4) -> np.ndarray:
    a = np.ascontiguousarray(p4, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(1, 4)
    if a.ndim != 2 or a.shape[1] != 4:
        raise ValueError(f"four-vectors must have shape (n, 4), got {np.shape(p4)}")
    return a


def _as_v3(v, n: int) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 1:
        a = np.broadcast_to(a, (n, 3))
    if a.shape != (n, 3):
        raise ValueError(f"three-vectors must have shape ({n}, 3), got {np.shape(v)}")
    return np.ascontiguousarray(a)


def boost(p4, beta) -> np.ndarray:
    """Boost four-vectors from a moving frame S' to the lab.

    Parameters
    ----------
    p4 : array_like, shape (n, 4)
        Four-vectors ``(px, py, pz, E)`` in GeV, measured in S'.
    beta : array_like, shape (n, 3) or (3,)
        Velocity of S' relative to the lab, in units of c (``|beta| < 1``).

    Returns
    -------
    numpy.ndarray, shape (n, 4)
        The four-vectors measured in the lab (GeV). A particle at rest in S' gets lab
        velocity ``+beta``. ``boost(boost(p, b), -b) == p``.
    """
    a = _as_p4(p4)
    b = _as_v3(beta, a.shape[0])
    b2 = np.einsum("ij,ij->i", b, b)
    if np.any(b2 >= 1.0):
        raise ValueError("boost velocity must satisfy |beta| < 1")
    gamma = 1.0 / np.sqrt(1.0 - b2)
    u = np.ascontiguousarray(b * gamma[:, None])
    return _boost_u_kernel(a, gamma, u, 1.0)


def boost_numpy(p4, beta) -> np.ndarray:
    """Plain-numpy reference of :func:`boost` (textbook form, Jackson eq. 11.19)."""
    a = np.asarray(p4, dtype=np.float64).reshape(-1, 4)
    b = np.broadcast_to(np.asarray(beta, dtype=np.float64), (a.shape[0], 3))
    b2 = np.sum(b * b, axis=1)
    gamma = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(b * a[:, :3], axis=1)
    # (gamma - 1)/beta^2 = gamma^2/(gamma + 1), finite at beta = 0
    coef = gamma**2 / (gamma + 1.0) * bp + gamma * a[:, 3]
    out = np.empty_like(a)
    out[:, :3] = a[:, :3] + coef[:, None] * b
    out[:, 3] = gamma * (a[:, 3] + bp)
    return out


def _parent_gamma_u(parent_p4, mass):
    par = _as_p4(parent_p4)
    m = invariant_mass(par) if mass is None else np.broadcast_to(np.asarray(mass, dtype=np.float64), par.shape[:1])
    if np.any(~(m > 0.0)):
        raise ValueError("parent four-momenta must be time-like with positive mass")
    gamma = np.ascontiguousarray(par[:, 3] / m)
    u = np.ascontiguousarray(par[:, :3] / m[:, None])
    return gamma, u


def boost_to_rest(p4, parent_p4, mass=None) -> np.ndarray:
    """Express lab four-vectors in the rest frame of ``parent_p4``.

    Parameters
    ----------
    p4 : array_like, shape (n, 4)
        Lab four-vectors (GeV).
    parent_p4 : array_like, shape (n, 4)
        Lab four-momenta of the parents (GeV); one per row of ``p4``.
    mass : float or array_like, optional
        Parent mass(es) in GeV. Defaults to the invariant mass of ``parent_p4``; pass the
        exact mass for very fast parents, where ``sqrt(E^2 - p^2)`` loses digits.

    Returns
    -------
    numpy.ndarray, shape (n, 4)
        Rest-frame four-vectors (GeV); axes parallel to the lab axes (pure boost).
    """
    a = _as_p4(p4)
    gamma, u = _parent_gamma_u(parent_p4, mass)
    return _boost_u_kernel(a, gamma, u, -1.0)


def boost_from_rest(p4_rest, parent_p4, mass=None) -> np.ndarray:
    """Take four-vectors given in the rest frame of ``parent_p4`` to the lab.

    Inverse of :func:`boost_to_rest`; same arguments (rest-frame axes parallel to the
    lab axes). Returns lab four-vectors, shape (n, 4), GeV.
    """
    a = _as_p4(p4_rest)
    gamma, u = _parent_gamma_u(parent_p4, mass)
    return _boost_u_kernel(a, gamma, u, 1.0)


def invariant_mass(p4) -> np.ndarray:
    """Invariant mass ``sqrt(E^2 - |p|^2)`` in GeV of each row of ``p4`` (0 if space-like)."""
    return _mass_kernel(_as_p4(p4))


def invariant_mass_numpy(p4) -> np.ndarray:
    """Plain-numpy reference of :func:`invariant_mass`."""
    a = np.asarray(p4, dtype=np.float64).reshape(-1, 4)
    m2 = a[:, 3] ** 2 - np.sum(a[:, :3] ** 2, axis=1)
    return np.sqrt(np.clip(m2, 0.0, None))

"""The atomic electrons' motion: shells and Compton profiles for resonant annihilation (issue 17).

A positron meets an atomic electron of momentum component ``q`` along its own direction; for
an ultra-relativistic positron ``s = 2 m^2 + 2 E+ (m - q)`` (binding neglected), so the
resonance ``s = M^2`` sits at ``E+ = E_R / (1 - q/m)`` instead of ``E_R``, and the rate per unit
positron path, ``n_e sigma(s)`` times the flux factor ``1 - q/m``, integrates over ``E+`` to the
same ``n_e sigma_0`` for every ``q`` (the use of the target's Compton profile in resonant
annihilation is that of Arias-Aragon, Darme, Grilli di Cortona and Nardi, arXiv:2403.15387,
whose text was not read here: the folding below is derived): the Z's (or ALPs) per POT are

    R = n_e sigma_0 int dq J(q) dL/dE+(E_R/(1 - q/m)),

``J`` the material's Compton profile (per electron, ``int J dq = 1``). The electrons at rest
are ``J = delta(q)``. Profiles (:func:`shell_momenta`): each shell of each element (filled in
the Madelung order, ground state) carries the hydrogenic 1s profile

    J(q) = (8/(3 pi p0)) (1 + q^2/p0^2)^-3,   p0 = Z_eff alpha m / n*,

with Slater's screened charge ``Z_eff`` and effective quantum number ``n*`` (J. C. Slater, Phys.
Rev. 36 (1930) 57: n* = 1, 2, 3, 3.7, 4.0, 4.2). It gives each shell the mean ``p^2 = p0^2`` of
a hydrogenic orbital of that charge (the virial theorem); the shapes of the outer shells'
profiles (their nodes) are not kept, nor are binding energies. Where it matters: near the
edges of a positron spectrum (a positron beam's own energy) and for heavy atoms (lead's K
shell, ``p0/m = 0.60``); a spectrum smooth on the scale ``p0/m`` is unchanged.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..constants import ALPHA_EM

__all__ = ["shell_occupancy", "slater_zeff", "shell_momenta", "profile_pdf", "profile_cdf", "sample_profile",
           "material_profile"]

#: Subshells (n, l) in the Madelung filling order, with their capacities 2(2l + 1).
_ORDER = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (3, 2), (4, 1), (5, 0), (4, 2), (5, 1), (6, 0), (4, 3),
          (5, 2), (6, 1), (7, 0), (5, 3), (6, 2), (7, 1))
#: Slater's effective principal quantum number n* for n = 1..7 (n = 7 as 6).
_N_STAR = {1: 1.0, 2: 2.0, 3: 3.0, 4: 3.7, 5: 4.0, 6: 4.2, 7: 4.2}
_M_E = 0.51099895069e-3


def shell_occupancy(Z: int) -> list[tuple[int, int, int]]:
    """(n, l, electrons) of the neutral atom's ground state, subshells filled in the Madelung
    order (the exceptions such as Cr and Cu, one electron moved between 4s and 3d, are not kept)."""
    Z = int(Z)
    if not 1 <= Z <= 118:
        raise ValueError(f"Z = {Z}: allowed 1 to 118")
    out, left = [], Z
    for n, l in _ORDER:
        if left <= 0:
            break
        k = min(left, 2 * (2 * l + 1))
        out.append((n, l, k))
        left -= k
    return out


def _group(n: int, l: int) -> tuple[int, int]:
    """Slater's group of subshell (n, l) as a sort key: (n, 0) for ns and np together, (n, 1)
    for nd, (n, 2) for nf; his order of groups is the order of these keys (1s; 2sp; 3sp; 3d;
    4sp; 4d; 4f; 5sp; ...)."""
    return (n, 0) if l <= 1 else (n, l - 1)


def slater_zeff(Z: int) -> list[tuple[int, int, int, float]]:
    """(n, l, electrons, Z_eff) per subshell by Slater's rules (Phys. Rev. 36 (1930) 57): an
    electron is screened 0.35 by each other electron of its group (0.30 in 1s) and nothing by
    the groups after its own; of an (ns, np) group, 0.85 by each electron of shell n - 1 and 1
    by each deeper one; of an nd or nf group, 1 by each electron of the groups before it."""
    occ = shell_occupancy(Z)
    groups: dict[tuple[int, int], int] = {}
    for n, l, k in occ:
        groups[_group(n, l)] = groups.get(_group(n, l), 0) + k
    out = []
    for n, l, k in occ:
        g = _group(n, l)
        s = (0.30 if n == 1 else 0.35) * (groups[g] - 1)
        for h, kh in groups.items():
            if not h < g:
                continue  # its own group (counted above) and the groups after it
            s += (0.85 if (l <= 1 and h[0] == n - 1) else 1.0) * kh
        out.append((n, l, k, float(Z) - s))
    return out


@lru_cache(maxsize=128)
def shell_momenta(Z: int) -> tuple[tuple[float, float], ...]:
    """(electrons, p0 in GeV) of each subshell: ``p0 = Z_eff alpha m / n*`` (module docstring)."""
    return tuple((float(k), max(z, 0.0) * ALPHA_EM * _M_E / _N_STAR[n]) for n, l, k, z in slater_zeff(Z))


def profile_pdf(y):
    """The hydrogenic 1s Compton profile in ``y = q/p0``: ``(8/(3 pi)) (1 + y^2)^-3``."""
    y = np.asarray(y, dtype=np.float64)
    return 8.0 / (3.0 * math.pi) / (1.0 + y * y) ** 3


def profile_cdf(y):
    """Its integral from -inf: ``1/2 + (1/pi)[atan y + y/(1+y^2) + (2/3) y/(1+y^2)^2]``."""
    y = np.asarray(y, dtype=np.float64)
    u = 1.0 / (1.0 + y * y)
    return 0.5 + (np.arctan(y) + y * u + (2.0 / 3.0) * y * u * u) / math.pi


_THETA = np.linspace(-0.5 * math.pi, 0.5 * math.pi, 20001)
#: the profile's CDF in theta (y = tan theta: density (8/3 pi) cos^4 theta)
_THETA_CDF = 0.5 + (_THETA + (2.0 / 3.0) * np.sin(2.0 * _THETA) + np.sin(4.0 * _THETA) / 12.0) / math.pi


def sample_profile(u):
    """``y`` with the profile's distribution from uniforms ``u`` (inverse CDF in ``theta = atan y``,
    interpolated on 20001 points: the CDF is smooth there, ``|dF/dtheta| <= 8/(3 pi)``)."""
    th = np.interp(np.asarray(u, dtype=np.float64), _THETA_CDF, _THETA)
    return np.tan(np.clip(th, -0.5 * math.pi + 1e-12, 0.5 * math.pi - 1e-12))


def material_profile(material) -> tuple[np.ndarray, np.ndarray]:
    """(weights, p0 in GeV) of every subshell of the material's elements, weights the shell's
    share of the material's electrons (summing to 1)."""
    from .alp_xsec import material_targets

    z, _, n = material_targets(material)
    w, p0 = [], []
    for zj, nj in zip(z, n):
        for k, p in shell_momenta(int(round(zj))):
            w.append(nj * k)
            p0.append(p)
    w = np.asarray(w, dtype=np.float64)
    return w / w.sum(), np.asarray(p0, dtype=np.float64)

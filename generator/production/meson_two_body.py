"""LLPs from two-body meson decays P -> gamma X (pi0, eta -> gamma A').

The meson is made at the proton's interaction point and decays promptly (pi0, eta:
c*tau < 1e-7 m). Instead of decaying mesons isotropically and keeping the few LLPs that
point at the detector, each trial is built backwards from the detector, with exact
weights:

1. the LLP's lab direction ``Omega`` points at a uniform point of the active volume
   (``Solid.sample_points``); its density per steradian is ``q(Omega)``
   (``Solid.proposal_density``);
2. the meson's momentum ``p`` is drawn from the source's momentum marginal, and its
   direction uniformly inside the cone around ``Omega`` from which a meson of that
   momentum can emit the LLP along ``Omega`` (half-angle ``theta_max``,
   ``sin theta_max = (beta* gamma*)_X / (beta gamma)_P``; the whole sphere when the
   meson is slower than the LLP in the meson's rest frame); density
   ``h = 1 / (2 pi (1 - cos theta_max))``;
3. the LLP momentum along ``Omega`` follows from two-body kinematics
   (``two_body_toward``, which also returns ``g``, the lab-direction density of an
   isotropic decay, both solutions summed).

The true density of (meson, LLP direction) is ``f(p, Omega_P) g``, the proposal's
``f_p(p) h q``, so

    weight_geometric = [f(Omega_P | p) / h] * g / q

with ``f(Omega_P | p)`` the source's conditional angular density
(``MesonSource.conditional_density``). Every trial reaches the detector and almost every
trial is kinematically allowed; the only zero weights are mesons sampled outside the
source table's angular range (and directions within rounding of the cone's edge).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba

from .._jit import JIT_OPTIONS
import numpy as np

from ..constants import PHOTON, mass as pdg_mass
from ..kinematics import two_body_momentum, two_body_toward
from .vertex import sample_interaction_points


@dataclass(frozen=True)
class MesonTwoBodyChannel:
    """P -> gamma X for one meson species, with its source and branching ratio.

    Parameters
    ----------
    name : channel name as in the run card (e.g. ``"pi0"``).
    source : a MesonSource (``per_pot``, ``sample(n, rng)``) in the beam frame.
    branching : BR(P -> gamma X) for the model's couplings.
    llp_mass : GeV.
    """

    name: str
    source: object
    branching: float
    llp_mass: float

    @property
    def parent_pdg(self) -> int:
        return int(self.source.pdg)

    @property
    def rate_per_pot(self) -> float:
        """LLPs produced per proton on target in this channel."""
        return float(self.source.per_pot) * self.branching

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> dict[str, np.ndarray]:
        """Draw ``n`` LLPs aimed at the solid ``aim`` (beam frame).

        Returns a dict with ``vertex`` (n,3) m, ``parent_p4`` (n,4), ``llp_p4`` (n,4),
        ``direction`` (n,3), ``weight_geometric`` (n,) — the exact forcing weight.
        """
        vertex = sample_interaction_points(beamline, n, rng)
        targets = aim.sample_points(n, rng)
        d = targets - vertex
        d /= np.sqrt(np.einsum("ij,ij->i", d, d))[:, None]
        q = aim.proposal_density(vertex, d)
        src = self.source
        M = pdg_mass(self.parent_pdg)
        p_star = two_body_momentum(M, self.llp_mass, 0.0)
        u = rng.random((4, n))
        parent, f_over_h = parent_in_cone(src.p_cdf, src.p_edges, src.conditional_density, src.neg_cos_theta_edges,
                                          M, p_star / self.llp_mass, d, u)
        llp, _photon, g = two_body_toward(parent, self.llp_mass, pdg_mass(PHOTON), d, rng.random(n), parent_mass=M)
        w = np.where(q > 0, f_over_h * g / np.where(q > 0, q, 1.0), 0.0)
        return {"vertex": vertex, "parent_p4": parent, "llp_p4": llp, "direction": d, "weight_geometric": w}


@numba.njit(**JIT_OPTIONS)
def parent_in_cone(p_cdf, p_edges, cond_density, neg_cos_edges, parent_mass, bg_star, dirs, u):  # pragma: no cover - compiled
    """Mesons able to emit a daughter along ``dirs``; returns (p4 (n,4), f/h (n,)).

    Momentum from the marginal ``p_cdf`` (uniform within the bin), direction uniform in the
    cone of half-angle ``theta_max`` around ``dirs`` with
    ``sin theta_max = bg_star / (p / M)`` (whole sphere if ``bg_star >= p/M``);
    ``f/h = cond_density[i_p, i_theta] * 2 pi (1 - cos theta_max)``, 0 outside the table.
    ``neg_cos_edges``: ``-cos(theta_edges)`` (increasing). ``u``: (4, n) uniforms.
    """
    n = dirs.shape[0]
    n_p = p_edges.size - 1
    n_t = neg_cos_edges.size - 1
    out = np.empty((n, 4))
    ratio = np.empty(n)
    for i in range(n):
        ip = np.searchsorted(p_cdf, u[0, i], side="right")
        if ip > n_p - 1:
            ip = n_p - 1
        p = p_edges[ip] + u[1, i] * (p_edges[ip + 1] - p_edges[ip])
        bg = p / parent_mass
        if bg > bg_star:
            s = bg_star / bg
            cmax = np.sqrt(1.0 - s * s) - 1e-12  # a hair wider than the kinematic cone
        else:
            cmax = -1.0
        ca = 1.0 - u[2, i] * (1.0 - cmax)
        sa = np.sqrt(max(1.0 - ca * ca, 0.0))
        phi = 2.0 * np.pi * u[3, i]
        dx, dy, dz = dirs[i, 0], dirs[i, 1], dirs[i, 2]
        # orthonormal basis (e1, e2) perpendicular to d
        if abs(dz) < 0.9:
            ax, ay, az = 0.0, 0.0, 1.0
        else:
            ax, ay, az = 1.0, 0.0, 0.0
        e1x, e1y, e1z = dy * az - dz * ay, dz * ax - dx * az, dx * ay - dy * ax
        nrm = np.sqrt(e1x * e1x + e1y * e1y + e1z * e1z)
        e1x, e1y, e1z = e1x / nrm, e1y / nrm, e1z / nrm
        e2x, e2y, e2z = dy * e1z - dz * e1y, dz * e1x - dx * e1z, dx * e1y - dy * e1x
        cp, sp = np.cos(phi), np.sin(phi)
        vx = ca * dx + sa * (cp * e1x + sp * e2x)
        vy = ca * dy + sa * (cp * e1y + sp * e2y)
        vz = ca * dz + sa * (cp * e1z + sp * e2z)
        x = -vz
        if x >= neg_cos_edges[-1]:
            f = 0.0
        else:
            it = np.searchsorted(neg_cos_edges, x, side="right") - 1
            if it < 0:
                it = 0
            if it > n_t - 1:
                it = n_t - 1
            f = cond_density[ip, it]
        ratio[i] = f * 2.0 * np.pi * (1.0 - cmax)
        out[i, 0] = p * vx
        out[i, 1] = p * vy
        out[i, 2] = p * vz
        out[i, 3] = np.sqrt(p * p + parent_mass * parent_mass)
    return out, ratio

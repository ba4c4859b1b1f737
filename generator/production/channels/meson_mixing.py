"""ALPs from pi0 / eta mixing (the production mechanism of arXiv:2311.07713).

An ALP coupled to gluons mixes with the neutral pseudoscalars; each pi0 (eta) made in the
target turns into an ALP with probability ``theta^2`` and the ALP carries the meson's
momentum (Kelly, Kumar, Liu arXiv:2011.05995, used by arXiv:2311.07713; docs/physics.md#alp-meson-mixing)::

    N_a = theta_aP^2 N_P,   p_a = p_P,   E_a = sqrt(p_P^2 + m_a^2)

with the mixing angles of :func:`fipgen.models.alp.theta_api` / :func:`~.theta_aeta`::

    theta_api  = (1/6) (f_pi/f) m_a^2 / (m_a^2 - m_pi^2)
    theta_aeta = (1/sqrt6) (f_pi/f) (m_a^2 - 4 m_pi^2/9) / (m_a^2 - m_eta^2)

``f_pi`` = 92.07 MeV (the 93 MeV normalisation; with 130 MeV the rates double). Their ``f``
is the QCD-axion decay constant of ``(alpha_s/8 pi)(a/f) G G~``; fipgen's gluon coupling is
``c_gg (alpha_s/4 pi)(a/f_a) G G~`` (fipgen.models.alp), so ``f = f_a / (2 c_gg)``. The
momentum (not the energy) is carried over: for ``m_a != m_P`` energy is not conserved by
``O((m_a^2 - m_P^2)/2E)``, the approximation of the papers. The first-order mixing fails near
the meson pole: masses where ``|theta| >`` :data:`MAX_MIXING` are refused.

Sampling (exact weights, as :mod:`meson_two_body`): the ALP direction ``d`` points at a
uniform point of the detector (density ``q(d)`` per sr), the meson momentum comes from the
source's momentum marginal, and the weight is the meson's angular density at ``d`` given
that momentum over ``q(d)``, ``f(Omega = d | p) / q(d)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import constants as C
from ...errors import PhysicsError
from ...kinematics.directions import unit_toward
from .sample import ProductionSample
from ..sources.vertex import source_parts, source_sample

__all__ = ["MAX_MIXING", "alp_meson_mixing", "MesonMixingChannel"]

#: Largest |theta| accepted (first-order mixing; the ALP model's pole cut uses the same 0.1).
MAX_MIXING = 0.1


def alp_meson_mixing(model, meson_pdg: int) -> float:
    """``theta_aP`` (dimensionless) of an :class:`~fipgen.models.alp.ALP` with ``c_gg``, ``f_a``.

    Raises PhysicsError without a gluon coupling, for a meson other than pi0 / eta, or
    where ``|theta|`` exceeds :data:`MAX_MIXING` (near ``m_a = m_P``).
    """
    from ...models.alp import theta_aeta, theta_api

    if not model.c_gg or model.f_a is None:
        raise PhysicsError("ALP-meson mixing needs the gluon coupling (c_gg != 0 and f_a)")
    f_qcd = model.f_a / (2.0 * abs(model.c_gg))
    pdg = int(meson_pdg)
    if pdg == C.PI0:
        theta = theta_api(model.mass, f_qcd)
    elif pdg == C.ETA:
        theta = theta_aeta(model.mass, f_qcd)
    else:
        raise PhysicsError(f"ALP-meson mixing is implemented for pi0 (111) and eta (221), not {meson_pdg}")
    if not abs(theta) <= MAX_MIXING:
        raise PhysicsError(
            f"ALP-{C.name(pdg)} mixing angle {theta:.3g} exceeds {MAX_MIXING} at m_a = {model.mass} GeV "
            f"(too close to the {C.name(pdg)} mass for first-order mixing)"
        )
    return theta


@dataclass(frozen=True)
class MesonMixingChannel:
    """ALPs from mixing with one meson species (interface of :class:`MesonTwoBodyChannel`).

    ``branching`` is ``theta^2``; ``rate_per_pot = per_pot * theta^2``.
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
        return float(self.source.per_pot) * self.branching

    def decay_sibling(self, parent_p4, llp_p4) -> None:
        """None: the ALP takes the meson's place (mixing), it has no sibling."""
        return None

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        """``n`` ALPs aimed at ``aim`` with exact weights (module docstring)."""
        parts, vertex = source_parts(beamline, self.source, n, rng)
        d = unit_toward(vertex, aim.sample_points(n, rng))
        q = aim.proposal_density(vertex, d)
        p, f = np.empty(n), np.empty(n)
        x = -d[:, 2]
        u = rng.random((2, n)) if len(parts) == 1 else None
        for src, sl in parts:  # each meson from the spectrum of the part (solid) that made it
            uu = u if u is not None else rng.random((2, sl.stop - sl.start))
            n_p = src.p_edges.size - 1
            ip = np.minimum(np.searchsorted(src.p_cdf, uu[0], side="right"), n_p - 1)
            p[sl] = src.p_edges[ip] + uu[1] * (src.p_edges[ip + 1] - src.p_edges[ip])
            edges = src.neg_cos_theta_edges
            inside = x[sl] < edges[-1]
            it = np.clip(np.searchsorted(edges, x[sl], side="right") - 1, 0, edges.size - 2)
            f[sl] = np.where(inside, src.conditional_density[ip, it], 0.0)
        w = np.where(q > 0, f / np.where(q > 0, q, 1.0), 0.0)
        M = C.mass(self.parent_pdg)
        parent = np.empty((n, 4))
        parent[:, :3] = p[:, None] * d
        parent[:, 3] = np.sqrt(p * p + M * M)
        llp = parent.copy()
        llp[:, 3] = np.sqrt(p * p + self.llp_mass**2)
        return ProductionSample(vertex, parent, llp, d, w)

    def sample_free(self, n: int, rng: np.random.Generator, beamline):
        """``n`` ALPs as produced, not aimed (the dict of
        :meth:`MesonTwoBodyChannel.sample_free`); the ALP carries the meson's momentum."""
        vertex, meson = source_sample(beamline, self.source, n, rng)
        alp = meson.copy()
        alp[:, 3] = np.sqrt(np.einsum("ij,ij->i", meson[:, :3], meson[:, :3]) + self.llp_mass**2)
        return {"vertex": vertex, "parent_p4": meson, "llp_p4": alp, "time": vertex[:, 2] / C.C_M_PER_NS,
                "weight": np.ones(n)}


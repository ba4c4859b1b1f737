"""LLPs from two-body meson decays P -> gamma X (pi0, eta -> gamma A').

The meson is made at the proton's interaction point and decays promptly (pi0, eta:
c*tau < 1e-7 m). Instead of decaying the meson isotropically and keeping the few LLPs
that point at the detector, the LLP's lab direction is *forced*: a point is drawn
uniformly in the detector's active volume (``Solid.sample_points``) and the LLP is sent
towards it. The weight stays exact:

    weight_geometric = f(Omega) / q(Omega)

with ``f`` the lab-frame density per steradian of the LLP direction for the isotropic
rest-frame decay of this meson (``two_body_toward``; both kinematic solutions summed)
and ``q`` the density of the forced direction (``Solid.proposal_density``: the summed
r^2 dr of the active volume along the ray over its volume). Every event therefore
reaches the detector; events whose forced direction is kinematically forbidden for
their meson (outside the meson's decay cone, possible only when the LLP's rest-frame
speed is below the meson's) carry f = 0 and are dropped by the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import PHOTON, mass as pdg_mass
from ..kinematics import two_body_toward
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
        parent = self.source.sample(n, rng)
        targets = aim.sample_points(n, rng)
        d = targets - vertex
        d /= np.linalg.norm(d, axis=1)[:, None]
        u = rng.random(n)
        llp, _photon, density = two_body_toward(parent, self.llp_mass, pdg_mass(PHOTON), d, u,
                                                parent_mass=pdg_mass(self.parent_pdg))
        q = aim.proposal_density(vertex, d)
        w = np.where(q > 0, density / np.where(q > 0, q, 1.0), 0.0)
        return {"vertex": vertex, "parent_p4": parent, "llp_p4": llp, "direction": d, "weight_geometric": w}

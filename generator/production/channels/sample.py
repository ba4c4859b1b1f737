"""What a production channel hands the pipeline: :class:`ProductionSample`, and the channel
interface :class:`ProductionChannel` every channel of :mod:`fipgen.registry` implements.

A channel's ``sample(n, rng, beamline, aim)`` draws ``n`` long-lived particles aimed at the
solid ``aim`` (the detector's active volume, beam frame) with exact importance weights;
:func:`fipgen.generation.generate_block` reads the record. The plain Monte Carlo samplers
``sample_free(n, rng, beamline)`` (not aimed; used by ``X -> N N`` chains and by tests as
references) still return dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["ProductionChannel", "ProductionSample", "recoil", "siblings"]


@dataclass(frozen=True)
class ProductionSample:
    """``n`` produced particles, beam frame (GeV, m, ns).

    Parameters
    ----------
    vertex : (n, 3) production point of the LLP, m.
    parent_p4 : (n, 4) four-momentum of the LLP's direct parent (px, py, pz, E), GeV.
    llp_p4 : (n, 4) four-momentum of the LLP, GeV.
    direction : (n, 3) unit vector the LLP was aimed along.
    weight_geometric : (n,) exact forcing weight (target density over proposal density), >= 0.
    time : (n,) production time, ns; None: the light-speed time of the proton from the
        target face to the vertex.
    parent_pdg : (n,) PDG code of each event's parent; None: the channel's ``parent_pdg``.
    polarization : (n,) LLP polarisation along ``spin_axis`` (HNLs from two-body meson
        decays); None: unpolarised.
    spin_axis : (n, 3) unit spin quantisation axis in the LLP rest frame (with ``polarization``).
    alt_ratios : alternative-weight name -> (n,) ratio to the nominal weight (theory
        variations, e.g. bremsstrahlung ``lambda_p``); empty: none varied.
    x_flight : (n,) for ``X -> N N`` chains, the X flight over its lab decay length (scans).
    meson_p4 : (n, 4) the grandparent's four-momentum where the LLP's parent was itself made
        in a decay: the Ds of ``hnl:tau`` (the parent is the tau), the meson (or the radiating
        beam proton) of an ``X -> N N`` chain (the parent is X); else None.
    meson_pdg : (n,) PDG code of that grandparent (with ``meson_p4``).
    origin : (n, 3) where the first particle of the recorded chain (the parent, or the
        grandparent) was made, m: a charged meson's production point before its transport; rows
        of NaN where the source keeps the decay point only. None: at ``vertex`` (a parent made
        and decayed promptly, or the beam proton radiating).
    sibling_p4, sibling_pdg : (n, k, 4) and (n, k): the other products of the decays that made
        the LLP and its parent, when the channel simulates them (two-body decays: exactly the
        parent's momentum minus the LLP's); ``pdg`` 0 pads absent ones. None: none simulated.
    sibling_generation : (k,) for each sibling column, 0: made with the LLP (at ``vertex``);
        1: made with the parent (at the parent's production point, in a chain).
    segments : the chords (:class:`fipgen.geometry.shapes.Segments`) of the rays ``(vertex,
        direction)`` through the aimed solid, when the channel computed them with its proposal
        density (the LLP flies along ``direction``); None: the pipeline computes them.
    """

    vertex: np.ndarray
    parent_p4: np.ndarray
    llp_p4: np.ndarray
    direction: np.ndarray
    weight_geometric: np.ndarray
    time: np.ndarray | None = None
    parent_pdg: np.ndarray | None = None
    polarization: np.ndarray | None = None
    spin_axis: np.ndarray | None = None
    alt_ratios: Mapping[str, np.ndarray] = field(default_factory=dict)
    x_flight: np.ndarray | None = None
    meson_p4: np.ndarray | None = None
    meson_pdg: np.ndarray | None = None
    origin: np.ndarray | None = None
    sibling_p4: np.ndarray | None = None
    sibling_pdg: np.ndarray | None = None
    sibling_generation: tuple[int, ...] = ()
    segments: object = None

    def __len__(self) -> int:
        return int(self.weight_geometric.shape[0])


def recoil(parent_p4: np.ndarray, llp_p4: np.ndarray, mass: float | None = None) -> np.ndarray:
    """The other product of a two-body decay ``parent -> LLP + other``: ``parent - llp`` (exact,
    on shell when both are). With ``mass``: the three-momentum ``parent - llp`` put on shell at
    that mass (a radiating particle whose partner in the collision, a nucleus, is not recorded)."""
    out = np.asarray(parent_p4, dtype=np.float64) - np.asarray(llp_p4, dtype=np.float64)
    if mass is not None:
        out[:, 3] = np.sqrt(np.einsum("ij,ij->i", out[:, :3], out[:, :3]) + float(mass) ** 2)
    return out


def siblings(*pairs) -> tuple[np.ndarray, np.ndarray]:
    """``(p4 (n, k, 4), pdg (n, k))`` from ``k`` pairs ``(p4 (n, 4), pdg)`` (``pdg`` an int or
    an (n,) array), for :class:`ProductionSample` ``sibling_p4`` / ``sibling_pdg``."""
    p4 = np.stack([np.asarray(p, dtype=np.float64) for p, _ in pairs], axis=1)
    n = p4.shape[0]
    pdg = np.stack([np.broadcast_to(np.asarray(c, dtype=np.int32), (n,)) for _, c in pairs], axis=1)
    return p4, np.ascontiguousarray(pdg)


@runtime_checkable
class ProductionChannel(Protocol):
    """A production (sub-)channel as the pipeline uses it.

    ``name`` is a sub-channel name of :mod:`fipgen.registry` (its code in the files);
    ``parent_pdg`` the parents' PDG code; ``rate_per_pot`` LLPs per proton on target;
    ``branching`` LLPs per parent; ``source`` the parents (``per_pot``, ``provenance``).
    """

    @property
    def name(self) -> str: ...

    @property
    def parent_pdg(self) -> int: ...

    @property
    def rate_per_pot(self) -> float: ...

    @property
    def branching(self) -> float: ...

    @property
    def source(self) -> object: ...

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample: ...

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

__all__ = ["ProductionChannel", "ProductionSample"]


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
    meson_p4 : (n, 4) the Ds four-momentum of ``hnl:tau`` (the parent is the tau); else None.
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

    def __len__(self) -> int:
        return int(self.weight_geometric.shape[0])


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

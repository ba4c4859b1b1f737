"""Decaying parents: the hand-over between meson transport and FIP production.

A :class:`ParentDecays` holds ``n`` parent decays (mesons or taus) in the beam frame: where
and when each parent decays, its lab four-momentum at that moment, and the weight that
turns the sample into decays per proton on target. Transport (charged mesons flying down
the decay pipe, stopping in the absorber, ...) produces them; the production channels
(:mod:`fipgen.production.aiming`) turn them into FIPs aimed at a detector.

Normalisation: ``sum(weight) / n`` estimates the number of such parent decays per POT
(``weight`` already contains the parent's multiplicity per POT and the probability of the
fate that was sampled, e.g. "decays in flight in the pipe" or "stops and decays at rest").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ParentDecays"]


@dataclass(frozen=True)
class ParentDecays:
    """``n`` parent decays.

    Attributes
    ----------
    pdg : numpy.ndarray (n,) int32
        Parent PDG code (signed).
    vertex : numpy.ndarray (n, 3)
        Decay position, beam frame, m.
    p4 : numpy.ndarray (n, 4)
        Lab four-momentum ``(px, py, pz, E)`` at the decay, GeV (zero 3-momentum at rest).
    time : numpy.ndarray (n,)
        Time of the decay after the proton's interaction, ns.
    weight : numpy.ndarray (n,)
        Decays per POT carried by each entry times ``n`` (so ``weight.mean()`` is decays
        per POT of this kind); 0 for a parent that does not decay (absorbed, captured).
    at_rest : numpy.ndarray (n,) bool
        Decay at rest (after stopping) rather than in flight.
    origin : numpy.ndarray (n, 3) or None
        Production point of each parent (beam frame, m) before its transport; None where the
        source keeps only decay points (the event record then says so).
    """

    pdg: np.ndarray
    vertex: np.ndarray
    p4: np.ndarray
    time: np.ndarray
    weight: np.ndarray
    at_rest: np.ndarray
    origin: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = self.pdg.shape[0]
        shapes = {"vertex": (n, 3), "p4": (n, 4), "time": (n,), "weight": (n,), "at_rest": (n,), "origin": (n, 3)}
        for name, shape in shapes.items():
            a = getattr(self, name)
            if a is None and name == "origin":
                continue
            if a.shape != shape:
                raise ValueError(f"ParentDecays.{name} has shape {a.shape}, expected {shape}")

    def __len__(self) -> int:
        return int(self.pdg.shape[0])

    @property
    def mass(self) -> np.ndarray:
        """Invariant mass of each parent (GeV) from ``p4``."""
        p = self.p4
        return np.sqrt(np.maximum(p[:, 3] ** 2 - np.einsum("ij,ij->i", p[:, :3], p[:, :3]), 0.0))

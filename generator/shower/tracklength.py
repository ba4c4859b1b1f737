"""Running showers and their track-length densities (the Python side of the kernel).

:func:`run_showers` takes a list of primaries (species, energy, position, direction,
weight), builds the medium's tables once (cached) and calls the numba kernel
:func:`.transport.cascade`. :func:`simulate_single` is the validation entry point
(n identical primaries at the origin along +z). Results are :class:`ShowerResult`:
track lengths binned in energy x angle (angle to the z axis), the depth profile of the
deposited energy, and the per-primary energy ledger.

Units: energies GeV (photon energy, or kinetic energy of e+-), lengths m. Track-length
densities are ``dL/dE dcos(theta)`` in m / GeV / unit cos(theta), per unit primary
weight (per initiating particle for unit weights; per POT when the weights are per POT).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import PhysicsError
from .constants import M_E
from .geometry import infinite
from .tables import physics_tables
from .transport import N_PAR, PAR_CUT_E, PAR_CUT_G, PAR_F_LOSS, PAR_MSC, PAR_THETA_MAX, PAR_X0, cascade

__all__ = ["SPECIES", "ShowerSettings", "Binning", "ShowerResult", "run_showers", "simulate_single", "budget_energy"]

#: species index -> (name, PDG code); the first axis of every track-length array.
SPECIES = {0: ("gamma", 22), 1: ("e-", 11), 2: ("e+", -11)}
_BY_NAME = {"gamma": 0, "photon": 0, 22: 0, "e-": 1, "electron": 1, 11: 1, "e+": 2, "positron": 2, -11: 2}


@dataclass(frozen=True)
class ShowerSettings:
    """Cuts and step control of the cascade.

    Attributes
    ----------
    cut_e : float
        Kinetic-energy cut of e+- and delta-ray threshold, GeV (default 1 MeV).
    cut_g : float
        Photon cut and threshold of discrete bremsstrahlung, GeV (default 1 MeV).
    f_loss : float
        Largest fractional continuous energy loss per charged step (default 0.1; the loss
        itself is exact through the range table, this bounds the cross-section change and
        the energy spread scored within a step).
    theta_max : float
        Largest Highland angle per charged step, rad (default 0.3: the per-step Gaussian
        stays a small-angle approximation; 0.2 doubles the steps of few-MeV electrons
        and changed no track length by more than its statistical error in our checks).
    msc : bool
        Multiple scattering on (default) or off (for tests).
    """

    cut_e: float = 1e-3
    cut_g: float = 1e-3
    f_loss: float = 0.1
    theta_max: float = 0.3
    msc: bool = True

    def __post_init__(self):
        if not (0.0 < self.f_loss <= 0.5):
            raise PhysicsError(f"f_loss = {self.f_loss}: allowed (0, 0.5]")
        if not (0.0 < self.theta_max <= 1.0):
            raise PhysicsError(f"theta_max = {self.theta_max}: allowed (0, 1] rad")

    def as_dict(self) -> dict:
        return {"cut_e_GeV": self.cut_e, "cut_g_GeV": self.cut_g, "f_loss": self.f_loss, "theta_max_rad": self.theta_max, "msc": self.msc}


@dataclass(frozen=True, eq=False)
class Binning:
    """Energy (log-uniform) and polar-angle bins of the track-length histograms.

    ``energy_edges = 10**(log10(e_lo) + i / per_decade)`` up to the first edge >= e_hi;
    ``theta_edges`` (rad, from 0 to pi, increasing).
    """

    e_lo: float = 1e-3
    e_hi: float = 130.0
    per_decade: int = 20
    theta_edges: np.ndarray = field(default_factory=lambda: np.pi * (np.arange(61) / 60.0) ** 2)

    def __post_init__(self):
        te = np.asarray(self.theta_edges, dtype=np.float64)
        if te.ndim != 1 or te.size < 2 or te[0] != 0.0 or abs(te[-1] - math.pi) > 1e-12 or np.any(np.diff(te) <= 0):
            raise PhysicsError("theta_edges must increase from 0 to pi")
        object.__setattr__(self, "theta_edges", te)

    @property
    def n_energy(self) -> int:
        return int(math.ceil(round(math.log10(self.e_hi / self.e_lo) * self.per_decade, 9)))

    @property
    def energy_edges(self) -> np.ndarray:
        return self.e_lo * 10.0 ** (np.arange(self.n_energy + 1) / self.per_decade)

    @property
    def cos_widths(self) -> np.ndarray:
        """Width in cos(theta) of each angle bin."""
        return np.cos(self.theta_edges[:-1]) - np.cos(self.theta_edges[1:])

    def as_dict(self) -> dict:
        return {
            "energy": f"log-uniform, {self.per_decade} per decade from {self.e_lo} GeV ({self.n_energy} bins; "
            "photon energy for gamma, kinetic energy for e+-)",
            "theta": f"{self.theta_edges.size - 1} bins in the polar angle to the beam (z) axis, rad",
        }


def budget_energy(species: int, energy):
    """Energy each primary brings to the ledger: k (photon), T (e-), T + 2 m_e (e+)."""
    return np.asarray(energy, dtype=np.float64) + (2.0 * M_E if species == 2 else 0.0)


@dataclass(eq=False)
class ShowerResult:
    """Output of :func:`run_showers` (sums over the primaries, weighted).

    Attributes
    ----------
    material : str
    settings : ShowerSettings
    binning : Binning
    track_length : numpy.ndarray, shape (3, n_energy, n_theta)
        Weighted track length (m) per species, energy bin, angle bin.
    depth : numpy.ndarray
        Weighted deposited energy (GeV) per slice of z (width ``depth_dz``).
    depth_dz : float
    ledger : numpy.ndarray, shape (n, 3)
        Per primary (unweighted): deposited, escaped, below-cut energy (GeV).
    budget : numpy.ndarray, shape (n,)
        Per primary: the energy it brought (:func:`budget_energy`).
    tracklen : numpy.ndarray, shape (n, 3)
        Per primary (unweighted): total track length per species (m).
    weights : numpy.ndarray
    counters : dict
        Steps and interactions by process.
    """

    material: str
    settings: ShowerSettings
    binning: Binning
    track_length: np.ndarray
    depth: np.ndarray
    depth_dz: float
    ledger: np.ndarray
    budget: np.ndarray
    tracklen: np.ndarray
    weights: np.ndarray
    counters: dict

    def density(self, normalise: float | None = None) -> np.ndarray:
        """``dL/dE dcos(theta)`` (m / GeV / unit cos theta), shape (3, n_energy, n_theta).

        Divided by the sum of the weights (per initiating particle) unless ``normalise``
        is given (e.g. 1 when the weights are already per POT).
        """
        norm = float(self.weights.sum()) if normalise is None else float(normalise)
        dE = np.diff(self.binning.energy_edges)
        return self.track_length / (norm * dE[None, :, None] * self.binning.cos_widths[None, None, :])

    def energy_spectrum(self, normalise: float | None = None) -> np.ndarray:
        """``dL/dE`` integrated over angles (m/GeV), shape (3, n_energy)."""
        norm = float(self.weights.sum()) if normalise is None else float(normalise)
        return self.track_length.sum(axis=2) / (norm * np.diff(self.binning.energy_edges)[None, :])


def run_showers(material: str, species, energies, positions, directions, weights, rng: np.random.Generator,
                settings: ShowerSettings | None = None, binning: Binning | None = None, geometry: np.ndarray | None = None,
                depth_dz: float = 0.0, n_depth: int = 0) -> ShowerResult:
    """Shower a list of primaries in ``material``.

    Parameters
    ----------
    material : str
        A material (name or alias) of geometries/materials.toml: an element, a compound
        or a mixture (:mod:`.media`).
    species : array_like of int
        0 photon, 1 e-, 2 e+ (one per primary, or a scalar).
    energies : array_like
        Photon energy or kinetic energy, GeV.
    positions, directions : array_like, shape (n, 3)
        Start points (m) and directions (normalised here).
    weights : array_like
        Weight of each primary (e.g. photons per POT it stands for).
    rng : numpy.random.Generator
        The only source of randomness.
    geometry : numpy.ndarray, optional
        A :mod:`.geometry` vector; infinite medium by default.
    depth_dz, n_depth : float, int
        Depth-profile slices (z from 0), none by default.
    """
    settings = settings or ShowerSettings()
    binning = binning or Binning()
    tabs = physics_tables(material, settings.cut_e, settings.cut_g)
    energies = np.ascontiguousarray(np.atleast_1d(energies), dtype=np.float64)
    n = energies.size
    sp = np.broadcast_to(np.asarray(species, dtype=np.int64), (n,)).copy()
    if np.any((sp < 0) | (sp > 2)):
        raise PhysicsError("species must be 0 (photon), 1 (e-) or 2 (e+)")
    pos = np.ascontiguousarray(np.broadcast_to(np.asarray(positions, dtype=np.float64), (n, 3)))
    d = np.asarray(directions, dtype=np.float64)
    d = np.ascontiguousarray(np.broadcast_to(d / np.linalg.norm(d, axis=-1, keepdims=True), (n, 3)))
    w = np.ascontiguousarray(np.broadcast_to(np.asarray(weights, dtype=np.float64), (n,)))
    if not (np.all(np.isfinite(energies)) and np.all(energies > 0) and np.all(np.isfinite(w)) and np.all(w >= 0)):
        raise PhysicsError("primary energies must be finite and > 0, weights finite and >= 0")
    if energies.max(initial=0.0) > 1e4:
        raise PhysicsError("primary energies above 10 TeV are outside the tables")
    geom = infinite() if geometry is None else np.asarray(geometry, dtype=np.float64)
    par = np.zeros(N_PAR)
    par[PAR_X0] = tabs.medium.X0
    par[PAR_CUT_E] = settings.cut_e
    par[PAR_CUT_G] = settings.cut_g
    par[PAR_F_LOSS] = settings.f_loss
    par[PAR_THETA_MAX] = settings.theta_max
    par[PAR_MSC] = 1.0 if settings.msc else 0.0
    nth = binning.theta_edges.size - 1
    hist = np.zeros((3, binning.n_energy, nth))
    depth = np.zeros(int(n_depth))
    ledger = np.zeros((n, 3))
    tracklen = np.zeros((n, 3))
    counters = np.zeros(8, dtype=np.int64)
    cascade(sp, energies, pos, d, w, tabs.tab, tabs.ln_lo, tabs.dln, par, tabs.medium.atoms, geom, binning.theta_edges,
            math.log(binning.e_lo), math.log(10.0) / binning.per_decade, binning.n_energy, float(depth_dz) if depth_dz > 0 else 1.0,
            rng, hist, depth, ledger, tracklen, counters)
    budget = np.where(sp == 2, energies + 2.0 * M_E, energies)
    names = ("steps", "pair", "compton", "brems", "delta", "annihilation_in_flight", "positron_stops", "stack_peak")
    return ShowerResult(material, settings, binning, hist, depth, float(depth_dz), ledger, budget, tracklen, w.copy(),
                        dict(zip(names, counters.tolist())))


def simulate_single(material: str, particle, energy: float, n: int, rng: np.random.Generator, **kwargs) -> ShowerResult:
    """n showers of one particle (``"gamma"``, ``"e-"``, ``"e+"`` or PDG 22/11/-11) of
    total energy ``energy`` (GeV) started at the origin along +z (unit weights)."""
    try:
        s = _BY_NAME[particle]
    except (KeyError, TypeError):
        raise PhysicsError(f"particle {particle!r}: allowed gamma/e-/e+ or 22/11/-11") from None
    e = float(energy) - (M_E if s else 0.0)
    return run_showers(material, s, np.full(int(n), e), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0), 1.0, rng, **kwargs)

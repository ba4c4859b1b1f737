"""Charged mesons (and K0L) from the target to their decay: in flight or at rest.

:func:`sample_parent_decays` turns a :class:`~fipgen.production.sources.meson_spectra.MesonSource`
into :class:`~fipgen.production.parents.ParentDecays` on a beamline read from
``geometries/*.toml``: where, when and with which four-momentum each meson decays, and
how many such decays there are per proton on target (POT). Beam frame, metres, GeV, ns.

What is modelled
----------------
Each trial follows one meson along a straight line through up to three regions:

1. **Target** (or dump). The meson starts at a proton interaction point
   (:func:`~fipgen.production.sources.vertex.sample_interaction_points`: beam spot and
   exponential depth) with the source's momentum and direction, at ``t = 0``, and crosses
   the rest of the target.
2. **Decay region** (only on beamlines with a ``decay_pipe``): the inside of the pipe's
   cylinder (its radius, about its axis, which must be parallel to the beam), extended
   upstream to the target's upstream face and downstream to the absorber's downstream
   face. The meson flies at constant momentum (ionisation in the gas is neglected:
   1.8 MeV cm^2/g x 1.2e-3 g/cm^3 x 49 m = 11 MeV of air at the BNB; NuMI's 46 m of air
   and 677 m of helium: 10 + 22 MeV) and may decay or be absorbed by the gas (its hadronic
   interaction length). Two gases: where the pipe starts downstream of the target's
   downstream face (NuMI: 46 m, LBNF: 22 m), the stretch before the pipe's upstream face,
   the *gap*, holds ``gap_material`` (default air: the target halls, whose horns,
   baffles and shielding are not described) inside the same radius; from the pipe's
   upstream face on, the pipe's material (air at the BNB, helium at NuMI and LBNF; 46 m
   of air are 0.047 pion interaction lengths, 677 m of helium 0.11). Between the pipe's
   downstream face and the absorber (1.6 m at NuMI) the pipe's gas is kept. On the BNB
   the pipe starts at the target's end: no gap. The region ends where the meson enters
   the absorber, reaches the pipe's radius or goes back upstream of the target (then it
   enters the *surrounding material*, ``wall_material``, default PDG shielding concrete:
   a stand-in for the concrete/earth around the decay pipes and for the target-hall
   shielding, treated as infinitely thick), or passes the absorber's downstream face
   (then it escapes). On beamlines without a pipe (the dumps) a meson leaving the target
   enters the absorber if it is aimed at one and otherwise escapes: its tracking ends.
3. **Absorber or wall**: the beamline's absorber (``beamline.absorber``: BNB iron, the
   NuMI and LBNF aluminium cores; until its far side, where the meson escapes) or the
   surrounding material. Mesons that reach the absorber slowly enough range out in it and
   pi+ / K+ decay at rest there (below).

In a material (target, absorber, wall) a charged meson slows down continuously (CSDA):
Bethe-Bloch mean energy loss (PDG RPP "Passage of particles through matter", eq. 34.5,
with ``W_max`` and the Sternheimer density effect, eq. 34.7: :func:`fipgen.geometry.stopping.bethe_dedx`,
with the mean excitation energy and density-effect parameters of ``geometries/materials.toml``;
no shell, Barkas or radiative terms), tabulated
as the CSDA range ``R(p)`` (g/cm^2) per material and meson. Along the way it may decay
(rate ``1/(beta gamma c tau)``, PDG lifetime from :mod:`fipgen.constants`) or be absorbed
(hadronic interaction length ``Lambda`` of :func:`interaction_length`, constant in momentum)
with exact survival ``exp(-H(R_in) + H(R_out))``, ``H(R) = int_0^R [dR'/(beta gamma rho c tau)
+ dR'/Lambda]``. A meson that reaches zero range stops: pi+ and K+ then decay at rest
(isotropically; at the stopping point; time = arrival + an exponential proper lifetime),
pi- and K- are captured by a nucleus (no decay: weight 0), K0L never stops (neutral: no
energy loss; it decays in flight or is absorbed). Mesons too slow to leave the target stop
and decay at rest there.

What is not modelled
--------------------
Magnetic horn focusing (users wanting focused beams give an external parent list);
multiple Coulomb scattering (straight lines); range straggling (every meson of a given
momentum stops at the CSDA range); secondary (tertiary) meson production by the absorbed
hadrons or the primary protons in the absorber; the momentum dependence of the hadronic
cross sections (the Delta(1232) region at ``p ~ 0.3 GeV/c`` absorbs pions more strongly than
the high-energy ``Lambda_pi`` used here); energy loss in the gases; materials other than
those of the beamline file (horn conductors, collimator, baffle, target-hall shielding,
pipe windows, the steel parts of the NuMI absorber: one material per element).

Fates and weights
-----------------
``fate="flight"``: the decay is forced to happen in flight in one of ``flight_regions``
(chosen with probability proportional to its decay probability; inside it, the position
follows the decay density exactly: a truncated exponential in the gap and in the pipe, the
tabulated ``int h e^H dR`` in materials), weight = ``per_pot x P(decay in flight there)``.
``fate="rest"``: the meson stops and decays at rest, weight = ``per_pot x P(stop)`` (0 for
negative mesons, K0L and mesons that cannot stop). ``fate="all"``: each trial is "flight"
with probability ``flight_fraction`` and "rest" otherwise, its weight divided by that
probability, so ``weight.mean()`` estimates flight + rest decays per POT.
``ParentDecays.weight.mean()`` is decays per POT of that kind (parents.py convention).

BNB numbers (per POT, ``fate_summary``, no horn): pi+ 0.633 produced, 0.0565 decay in
flight in the decay pipe (0.0646 in flight anywhere), 0.113 decay at rest (0.010 in the
target, 0.103 in the surrounding wall: unfocused pions hit the pipe wall long before the
absorber), 0.455 absorbed; pi- 0.575 produced, 0.053 in the pipe, 0.138 captured at rest;
K+ 0.0509 produced, 0.0146 in the pipe, 0.0040 at rest; K0L 0.0179 produced, 0.0021 in
the pipe.

NuMI and LBNF (shipped 120 GeV tables, ``load_meson_source``; no horns; per POT): NuMI
pi+ 2.60 produced, 0.171 decay in flight in the decay region (0.161 of them in the 46 m
gap, 0.0098 in the pipe proper), 0.146 at rest (0.142 in the walls), 2.26 absorbed;
K+ 0.235 produced, 0.063 in the region (0.0034 in the pipe proper), 0.0046 at rest.
LBNF pi+ 2.99 produced, 0.330 in the region (0.066 in the pipe proper), 0.148 at rest;
K+ 0.271 produced, 0.105 in the region (0.021 in the pipe proper), 0.0034 at rest.
Unfocused mesons mostly leave the pipe's aperture (0.99 m / 2 m radius) before its start;
decays at rest in the absorbers are < 1e-7 per POT: the mesons that reach them are fast,
and slow ones decay long before (the NuMI-absorber kaons decaying at rest seen by
MicroBooNE are made in the absorber, which is not modelled here).

Performance: table lookups and the per-meson bookkeeping run in one numba kernel, the
pipe geometry in another, the chords with the geometry kernels; 1e6 parents take about
0.7 s on one core after warm-up (vertex and source sampling included: ~0.15 s of it).

Interaction lengths are module constants (:func:`interaction_length`) rather than keys of
``geometries/materials.toml``: the materials loader accepts only its documented keys
(``generator/geometry/materials.py``, ``_MATERIAL_KEYS``), so a new key there would make
every geometry fail to load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from ... import constants as C
from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...geometry.materials import get_material
from ...geometry.shapes import Cylinder
from ...geometry.stopping import bethe_dedx, mean_excitation_energy
from ..sources.meson_spectra import MesonSource
from ..parents import ParentDecays
from ..sources.vertex import sample_interaction_points
from .kernel import (
    _AFTER,
    _P_DIF_A,
    _P_DIF_F,
    _P_DIF_G,
    _P_DIF_T,
    _P_ESC,
    _P_STOP,
    _STOP_REGION,
    _free_region,
    _kernel,
)
from .ranges import StoppingTable, _decay_rows, interaction_length, stopping_table

__all__ = [
    "FATES",
    "REGIONS",
    "StoppingTable",
    "stopping_table",
    "mean_excitation_energy",
    "interaction_length",
    "bethe_dedx",
    "MesonFates",
    "meson_fates",
    "fate_summary",
    "sample_parent_decays",
]

FATES = ("flight", "rest", "all")
#: Regions where a meson can decay in flight: the target, the decay region ("pipe": the
#: gap between the target and the pipe, if any, and the pipe), the absorber or surrounding
#: wall downstream of it.
REGIONS = ("target", "pipe", "absorber")

# ------------------------------------------------------------------ geometry


@dataclass(frozen=True)
class _Setup:
    """What the kernel needs about a beamline for one species (cached)."""

    tabs: np.ndarray  # (3, 6, N)
    rho100: np.ndarray  # (3,)
    kap_had: np.ndarray  # (3,)
    kap_free: float  # absorption per metre in the pipe's gas
    kap_gap: float  # ... in the gap between the target and the pipe
    pipe: tuple | None  # (cx, cy, R, z_lo, z_hi, z_gas)


def _pipe_geometry(beamline) -> tuple | None:
    """``(cx, cy, R, z_lo, z_hi, z_gas)`` of the decay region (module docstring), or None.

    The region is the pipe's cylinder extended upstream to the target's upstream face
    (``z_lo``) and downstream to the absorber's far face (``z_hi``). ``z_gas`` is the pipe's
    upstream face when it lies downstream of the target's downstream face (NuMI, LBNF: the
    stretch in between is the gap, filled with the gap material), else -inf (BNB: the
    pipe starts at the target).
    """
    pipe = beamline.decay_pipe
    if pipe is None:
        return None
    vols = pipe.solid.volumes
    if len(vols) != 1 or not isinstance(vols[0].shape, Cylinder):
        raise PhysicsError(f"beamline {beamline.name!r}: meson transport needs the decay pipe to be one cylinder")
    v = vols[0]
    if not np.allclose(v.placement.matrix, np.eye(3), atol=1e-9):
        raise PhysicsError(f"beamline {beamline.name!r}: meson transport needs the decay pipe's axis along the beam (z)")
    cx, cy, _ = (float(c) for c in v.placement.offset)
    z_lo = min(float(beamline.target.solid.extent()[0][2]), float(pipe.solid.extent()[0][2]))
    z_hi = float(pipe.solid.extent()[1][2])
    if beamline.absorber is not None:
        z_hi = max(z_hi, float(beamline.absorber.solid.extent()[1][2]))
    z_pipe = float(pipe.solid.extent()[0][2])
    z_gas = z_pipe if z_pipe > float(beamline.target.solid.extent()[1][2]) + 1e-6 else -np.inf
    return (cx, cy, float(v.shape.radius), z_lo, z_hi, z_gas)


@lru_cache(maxsize=64)
def _setup(beamline, pdg: int, wall_material: str, gap_material: str = "air") -> _Setup:
    target = beamline.target.material
    absorber = beamline.absorber.material if beamline.absorber is not None else get_material(wall_material)
    wall = get_material(wall_material)
    mats = (target, absorber, wall)
    charged = C.charge(pdg) != 0
    if charged:
        tabs = np.ascontiguousarray(np.stack([_decay_rows(pdg, m.name) for m in mats]))
    else:
        tabs = np.zeros((3, 6, 2))
    rho100 = np.array([100.0 * m.density for m in mats])
    kap_had = np.array([100.0 * m.density / interaction_length(pdg, m) for m in mats])
    if beamline.decay_pipe is not None:
        gas = beamline.decay_pipe.material
        kap_free = 100.0 * gas.density / interaction_length(pdg, gas)
        gap = get_material(gap_material)
        kap_gap = 100.0 * gap.density / interaction_length(pdg, gap)
    else:
        kap_free = kap_gap = 0.0
    return _Setup(tabs, rho100, kap_had, kap_free, kap_gap, _pipe_geometry(beamline))


def _first_segment(solid, origins, dirs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    seg = solid.chords(origins, dirs)
    has = seg.n > 0
    return has, seg.t_in[:, 0], seg.t_out[:, 0]


def _regions(beamline, setup: _Setup, vtx: np.ndarray, d: np.ndarray):
    """Lengths of the three regions along each ray: (L_t, L_f, L_g, after, L_a); L_g is the
    part of the decay region L_f upstream of the pipe (the gap)."""
    n = vtx.shape[0]
    has_t, _, t_out = _first_segment(beamline.target.solid, vtx, d)
    L_t = np.where(has_t, t_out, 0.0)
    if beamline.absorber is not None:
        has_a, t_ai, t_ao = _first_segment(beamline.absorber.solid, vtx, d)
        has_a &= t_ai >= L_t - 1e-9
        s_abs = np.where(has_a, np.maximum(t_ai - L_t, 0.0), np.inf)
        L_abs = np.where(has_a, t_ao - np.maximum(t_ai, L_t), 0.0)
    else:
        s_abs = np.full(n, np.inf)
        L_abs = np.zeros(n)
    if setup.pipe is None:
        hit = np.isfinite(s_abs)
        L_f = np.where(hit, s_abs, 0.0)
        after = np.where(hit, 0, 2).astype(np.int64)
        L_a = np.where(hit, L_abs, 0.0)
        return L_t, L_f, np.zeros(n), after, L_a
    L_f, L_g, after, L_a = _free_region(vtx, d, L_t, s_abs, L_abs, *setup.pipe)
    return L_t, L_f, L_g, after, L_a


@numba.njit(**JIT_OPTIONS)
def _directions(mom):  # pragma: no cover - compiled
    """|p| (>= 1e-9 GeV/c) and unit directions (+z for p = 0) of four-momenta (n, 4)."""
    n = mom.shape[0]
    p = np.empty(n)
    d = np.empty((n, 3))
    for i in range(n):
        q = math.sqrt(mom[i, 0] ** 2 + mom[i, 1] ** 2 + mom[i, 2] ** 2)
        if q > 0.0:
            d[i, 0] = mom[i, 0] / q
            d[i, 1] = mom[i, 1] / q
            d[i, 2] = mom[i, 2] / q
        else:
            d[i, 0] = 0.0
            d[i, 1] = 0.0
            d[i, 2] = 1.0
        p[i] = max(q, 1e-9)
    return p, d


def _prepare(source: MesonSource, beamline, n: int, rng: np.random.Generator, wall_material: str, gap_material: str):
    pdg = int(source.pdg)
    if abs(pdg) not in (C.PI_PLUS, C.K_PLUS) and pdg != C.K0L:
        raise PhysicsError(f"meson transport handles pi+-, K+- and K0L, not pdg {pdg}")
    setup = _setup(beamline, pdg, wall_material, gap_material)
    vtx = sample_interaction_points(beamline, n, rng)
    mom = source.sample(n, rng)
    p, d = _directions(mom)
    L_t, L_f, L_g, after, L_a = _regions(beamline, setup, vtx, d)
    return pdg, setup, vtx, p, d, L_t, L_f, L_g, after, L_a


def _run(source, beamline, n, rng, wall_material, gap_material, do_sample, fate, q_flight, mask):
    pdg, setup, vtx, p, d, L_t, L_f, L_g, after, L_a = _prepare(source, beamline, n, rng, wall_material, gap_material)
    mass = C.mass(pdg)
    ctau = C.HBARC_GEV_M / C.width(pdg)
    tau_ns = ctau / C.C_M_PER_NS
    charged = C.charge(pdg) != 0
    dar = charged and pdg > 0
    u = rng.random((3, n)) if do_sample else np.zeros((3, 1))
    out = _kernel(
        p, d, vtx, L_t, L_f, L_g, after, L_a,
        mass, ctau, C.C_M_PER_NS, tau_ns, charged, dar,
        setup.tabs, setup.rho100, setup.kap_had, setup.kap_free, setup.kap_gap,
        do_sample, fate, q_flight, mask, u,
    )
    return pdg, vtx, p, d, out


# ------------------------------------------------------------------ public API


@dataclass(frozen=True)
class MesonFates:
    """Per-trial fate probabilities of ``n`` mesons drawn from a source (no decay sampled).

    All arrays have shape (n,). Probabilities are per produced meson; multiply by
    ``per_pot`` for per-POT numbers.

    Attributes
    ----------
    pdg : int
    per_pot : float
        Mesons produced per POT (the source's normalisation).
    vertex, direction : numpy.ndarray (n, 3)
        Production point (m) and unit direction.
    p : numpy.ndarray
        Production momentum, GeV/c.
    dif_target, dif_pipe, dif_absorber : numpy.ndarray
        Probability to decay in flight in the target, the decay region (gap and pipe), the
        absorber or wall (see ``after``).
    stop : numpy.ndarray
        Probability to come to rest (whatever happens next: decay at rest for pi+/K+,
        capture for pi-/K-).
    stop_region : numpy.ndarray int
        0 target, 2 absorber/wall, -1 does not stop.
    escape : numpy.ndarray
        Probability to leave the described geometry (tracking ends).
    after : numpy.ndarray int
        What follows the decay region: 0 absorber, 1 surrounding wall, 2 nothing (escape).
    dif_gap : numpy.ndarray
        The part of ``dif_pipe`` upstream of the pipe's upstream face (the gap between the
        target and a pipe that starts downstream of it: NuMI, LBNF; 0 on the BNB).
    """

    pdg: int
    per_pot: float
    vertex: np.ndarray
    direction: np.ndarray
    p: np.ndarray
    dif_target: np.ndarray
    dif_pipe: np.ndarray
    dif_absorber: np.ndarray
    stop: np.ndarray
    stop_region: np.ndarray
    escape: np.ndarray
    after: np.ndarray
    dif_gap: np.ndarray

    @property
    def dif(self) -> np.ndarray:
        """Probability to decay in flight anywhere."""
        return self.dif_target + self.dif_pipe + self.dif_absorber

    @property
    def absorbed(self) -> np.ndarray:
        """Probability of a hadronic interaction (1 - the rest), clipped at 0."""
        return np.clip(1.0 - self.dif - self.stop - self.escape, 0.0, 1.0)

    @property
    def dar(self) -> np.ndarray:
        """Probability to decay at rest (0 for pi-, K-, K0L)."""
        return self.stop if (self.pdg > 0 and C.charge(self.pdg) != 0) else np.zeros_like(self.stop)

    @property
    def captured(self) -> np.ndarray:
        """Probability of nuclear capture at rest (pi-, K-)."""
        return self.stop if (self.pdg < 0) else np.zeros_like(self.stop)


def _check_common(source, n, wall_material, gap_material="air"):
    if not isinstance(source, MesonSource):
        raise TypeError(f"source must be a MesonSource, got {type(source).__name__}")
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    get_material(wall_material)
    get_material(gap_material)
    return n


def meson_fates(
    source: MesonSource,
    beamline,
    n: int,
    rng: np.random.Generator,
    *,
    wall_material: str = "concrete",
    gap_material: str = "air",
) -> MesonFates:
    """Draw ``n`` mesons from ``source`` on ``beamline`` and return their fate probabilities.

    Uses the same random draws as :func:`sample_parent_decays` up to the fate choice
    (vertex, then source), so with equal seeds the mesons are the same. ``wall_material``
    and ``gap_material``: see :func:`sample_parent_decays`.
    """
    n = _check_common(source, n, wall_material, gap_material)
    pdg, vtx, p, d, out = _run(source, beamline, n, rng, wall_material, gap_material, False, 0, 0.5, np.ones(3, dtype=np.bool_))
    pr = out[0]
    return MesonFates(
        pdg=pdg,
        per_pot=source.per_pot,
        vertex=vtx,
        direction=d,
        p=p,
        dif_target=pr[:, _P_DIF_T],
        dif_pipe=pr[:, _P_DIF_F],
        dif_absorber=pr[:, _P_DIF_A],
        stop=pr[:, _P_STOP],
        stop_region=pr[:, _STOP_REGION].astype(np.int64),
        escape=pr[:, _P_ESC],
        after=pr[:, _AFTER].astype(np.int64),
        dif_gap=pr[:, _P_DIF_G],
    )


def fate_summary(
    source: MesonSource,
    beamline,
    n: int = 400_000,
    seed: int = 20240611,
    *,
    wall_material: str = "concrete",
    gap_material: str = "air",
) -> dict[str, float]:
    """Per-POT numbers of each fate (Monte Carlo averages over ``n`` mesons).

    Keys: ``produced``; decays in flight ``dif_target``, ``dif_pipe`` (decay region: gap
    and pipe), ``dif_gap`` (its part upstream of the pipe), ``dif_absorber`` (the
    beamline's absorber), ``dif_wall`` (surrounding material), ``dif`` (all); decays at
    rest ``dar_target``, ``dar_absorber``, ``dar_wall``, ``dar`` (all; pi+ and K+ only);
    ``captured`` (pi-/K- at rest), ``absorbed`` (hadronic), ``escaped``.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    f = meson_fates(source, beamline, n, rng, wall_material=wall_material, gap_material=gap_material)
    w = f.per_pot
    at_t = f.stop_region == 0
    in_abs = f.after == 0
    in_wall = f.after == 1

    def mean(x):
        return w * float(np.mean(x)) if x.size else 0.0

    return {
        "produced": w,
        "dif_target": mean(f.dif_target),
        "dif_pipe": mean(f.dif_pipe),
        "dif_gap": mean(f.dif_gap),
        "dif_absorber": mean(np.where(in_abs, f.dif_absorber, 0.0)),
        "dif_wall": mean(np.where(in_wall, f.dif_absorber, 0.0)),
        "dif": mean(f.dif),
        "dar_target": mean(np.where(at_t, f.dar, 0.0)),
        "dar_absorber": mean(np.where(~at_t & in_abs, f.dar, 0.0)),
        "dar_wall": mean(np.where(~at_t & in_wall, f.dar, 0.0)),
        "dar": mean(f.dar),
        "captured": mean(f.captured),
        "absorbed": mean(f.absorbed),
        "escaped": mean(f.escape),
    }


def sample_parent_decays(
    source: MesonSource,
    beamline,
    n: int,
    rng: np.random.Generator,
    *,
    fate: str = "all",
    flight_fraction: float = 0.5,
    flight_regions: tuple[str, ...] = REGIONS,
    wall_material: str = "concrete",
    gap_material: str = "air",
) -> ParentDecays:
    """Transport ``n`` mesons of ``source`` down ``beamline`` to their decays (module docstring).

    No horn focusing: mesons keep the source's direction (give an external parent list for
    focused beams).

    Parameters
    ----------
    source : MesonSource
        pi+- (+-211), K+- (+-321) or K0L (130), per POT (e.g.
        :func:`~fipgen.production.sources.charged_mesons.bnb_charged_source`).
    beamline : Beamline
        ``fipgen.geometry.load_beamline(...)``: target, optional decay_pipe and absorber.
    n : int
        Number of trials (entries returned).
    rng : numpy.random.Generator
        Draws, in order: vertices, source, then ``rng.random((3, n))`` (fate choice, decay
        position or region, rest lifetime).
    fate : {"flight", "rest", "all"}
        Which decays to produce (module docstring, "Fates and weights").
    flight_fraction : float
        For ``fate="all"``: probability that a trial is a decay in flight (0 < q < 1).
    flight_regions : tuple of str
        Subset of ``("target", "pipe", "absorber")`` where in-flight decays are produced
        (``("pipe",)``: only in the decay region, gap included; "absorber" includes the
        wall).
    wall_material : str
        Material of the surroundings of the decay pipe (materials.toml name).
    gap_material : str
        Material between the target and a decay pipe that starts downstream of it (NuMI:
        46 m of target hall, LBNF: 20 m; materials.toml name). Default ``"air"``.

    Returns
    -------
    ParentDecays
        One entry per trial; ``weight.mean()`` is decays per POT of the requested kind.
        Entries of impossible fates (a pi- at rest, a meson that escapes...) have weight 0,
        the production vertex (or stopping point) and finite values.
    """
    n = _check_common(source, n, wall_material, gap_material)
    if fate not in FATES:
        raise ValueError(f"fate must be one of {FATES}, got {fate!r}")
    q = float(flight_fraction)
    if fate == "all" and not (0.0 < q < 1.0):
        raise ValueError(f"flight_fraction must be in (0, 1), got {flight_fraction!r}")
    regions = tuple(flight_regions)
    bad = [r for r in regions if r not in REGIONS]
    if bad or not regions:
        raise ValueError(f"flight_regions must be a non-empty subset of {REGIONS}, got {flight_regions!r}")
    mask = np.array([r in regions for r in REGIONS], dtype=np.bool_)
    code = {"flight": 0, "rest": 1, "all": 2}[fate]
    pdg, vtx, p, d, out = _run(source, beamline, n, rng, wall_material, gap_material, True, code, q, mask)
    _, vout, p4, tout, wf, rest = out
    return ParentDecays(
        pdg=np.full(n, pdg, dtype=np.int32),
        vertex=vout,
        p4=p4,
        time=tout,
        weight=source.per_pot * wf,
        at_rest=rest,
        origin=vtx,
    )

"""The generation pipeline: run card -> job -> blocks of weighted events -> writers.

A :class:`Job` holds everything resolved from a run card (detector, beamline, model,
production channels, final states). :func:`generate_block` turns one block of trials
into an :class:`~fipgen.events.EventBatch` using that block's own random stream
(:func:`fipgen.rng.block_rng`), so the events do not depend on how blocks are
grouped into chunks. :func:`run` streams chunks to the ROOT writer.

Weights (docs/design.md#weights): ``weight = POT * weight_production * weight_branching *
weight_geometric * weight_decay / n_trials``; the sum of weights is the expected number
of signal events for the run's POT.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import __version__
from . import constants as C
from .card import RunCard
from .constants import C_M_PER_NS
from .errors import CardError, ClosedError, GeometryError, InputFileError, NumericError, PhysicsError
from .events import EventBatch
from .decays import sample_decays
from . import registry
from .production.sample import ProductionSample
from .registry import NN_SUFFIX, BuildContext, channel_code  # codes of the `channel` branch
from .rng import BLOCK_SIZE, UNWEIGHT_STREAM, block_rng
from .transport import transport

__all__ = [
    "decay_codes", "UNITS", "Job", "build_model", "build_job", "generate_block", "n_blocks", "iter_blocks",
    "blocks_of", "blocks_per_chunk", "iter_chunk_plan", "chunks_of", "iter_chunks", "metadata", "Summary",
    "FORMATS", "output_paths", "MAX_WEIGHT_ABOVE", "UNWEIGHT_OVERSAMPLE", "Unweighting", "UNWEIGHT_STREAM",
    "max_unweighted", "run", "summary_text", "summary_json",
]


def decay_codes(model) -> dict[str, int]:
    """Codes of the `decay_channel` branch: 1 + the channel's position in the model's
    channel list (stable for a model; written to the run metadata)."""
    return {name: i + 1 for i, name in enumerate(model.channels())}

UNITS = {"energy": "GeV", "momentum": "GeV", "mass": "GeV", "length": "m", "time": "ns"}


@dataclass
class Job:
    card: RunCard
    detector: object
    beamline: object
    model: object
    channels: list
    closed_channels: list[str]
    decay_names: list[str]
    decay_probs: np.ndarray
    weight_branching: float
    pot: float
    n_trials: int
    notes: list[str] = field(default_factory=list)
    decay_resonances: tuple[str, ...] = ()
    polarised: bool = False
    polarisable: frozenset = frozenset()
    antiparticle_rule: object = None
    stream: tuple = ()  # random-stream family (fipgen.rng.block_rng)
    alt_weight_names: tuple = ()  # alternative weights written as weight_<name>
    #: scan mode (fipgen.scan): keep every trial whose LLP reaches the detector, whatever its
    #: decay probability at the card's coupling, and return the per-event scan columns
    keep_all: bool = False
    #: sample the LLP's decay products (False only in scans without cuts)
    sample_daughters: bool = True
    #: ALP detection by scattering (fipgen.production.alp_scatter.ScatterSpec), else None
    scatter: object = None
    _ctau: float | None = None
    _rates: np.ndarray | None = None

    @property
    def rate_per_pot(self) -> float:
        return float(self.rates.sum())

    @property
    def rates(self) -> np.ndarray:
        """Production rate per POT of each channel (computed once: some integrate form factors)."""
        if self._rates is None:
            self._rates = np.array([c.rate_per_pot for c in self.channels])
        return self._rates

    @property
    def ctau(self) -> float:
        """The LLP's c*tau in m (computed once: the hadronic widths interpolate tables)."""
        if self._ctau is None:
            self._ctau = self.model.ctau()
        return self._ctau


def _card_error(card: RunCard, key: str, value, msg: str, kind: type[CardError] = CardError) -> CardError:
    return kind(f"{card.source}: key {key} = {value!r}: {msg}")


def build_model(card: RunCard, particle: str | None = None):
    """The model of ``particle`` (default: the detected one) from the card's [model] tables
    (:func:`fipgen.models.registry.make_model`; CardError naming the key on bad values).

    An ``[model.hnl]`` next to a Z' or ALP is the HNL they decay to (``N N``, with the
    Z' charge ``hnl_charge`` or the ALP coupling ``g_hnl``).
    """
    from .models.registry import make_model

    llp = particle or card.llp
    spec = card.models[llp]
    hnl = card.hnl.as_dict() if (card.hnl is not None and llp != "hnl") else None
    try:
        return make_model(llp, hnl=hnl, **spec.as_dict())
    except PhysicsError as err:
        raise _card_error(card, f"model.{llp}.mass", spec.mass, str(err)) from None


def _resolve_path(card: RunCard, path: str) -> str:
    """A path from the card: as written if it exists, else relative to the card's folder."""
    from pathlib import Path

    p = Path(path)
    if p.exists() or p.is_absolute():
        return str(p)
    alt = Path(card.source).parent / p
    return str(alt) if alt.exists() else str(p)


def build_job(card: RunCard, decay_hints: bool = True) -> Job:
    """Resolve a validated run card into a Job (loads geometry, model, sources).

    Physics checks that need the model (closed channels, masses where the full width is
    not computed) raise CardError naming the card key. ``decay_hints=False`` keeps the
    proposals independent of the LLP's lifetime (coupling scans reweight one sample to many
    lifetimes; fipgen.scan).
    """
    from .geometry import load_beamline, load_detector
    from .geometry.overlaps import check_detector_on_beamline
    from .production.cascade import HNLFromBosonChannel

    from .card import MAX_POT, MAX_TRIALS

    # the card's checks, again for cards changed after parsing (RunCard.replace, --events)
    if not (isinstance(card.events, (int, np.integer)) and 0 < card.events <= MAX_TRIALS):
        raise _card_error(card, "run.events", card.events, f"allowed: an integer from 1 to {MAX_TRIALS:_} (1e12)")
    if card.pot is not None and not (math.isfinite(card.pot) and 0 < card.pot <= MAX_POT):
        raise _card_error(card, "experiment.pot", card.pot, f"allowed: a number > 0 and <= {MAX_POT:.0e}")
    try:
        detector = load_detector(card.detector)
    except GeometryError as err:
        raise _card_error(card, "experiment.detector", card.detector, str(err)) from None
    bl_name = card.beamline or detector.beamline
    try:
        beamline = load_beamline(bl_name)
        if card.beamline and not detector.overlaps_beamline:  # the detector file checked its own beamline
            check_detector_on_beamline(detector, beamline)
    except GeometryError as err:
        raise _card_error(card, "experiment.beamline", bl_name, str(err)) from None

    model = build_model(card)
    llp = card.llp
    mass_key = f"model.{llp}.mass"
    if not isinstance(card.final_states, str):  # names first: a closed mass must not hide a typo
        every = model.channels()
        for i, name in enumerate(card.final_states):
            if name not in every:
                raise _card_error(card, f"signal.final_states[{i}]", name, "allowed: " + ", ".join(repr(c) for c in every))

    external = None
    if card.parents is not None:
        from .production.external import ExternalParents

        path, fmt, z_off = card.parents
        try:
            external = ExternalParents(_resolve_path(card, path), fmt, z_off)
        except (PhysicsError, InputFileError) as err:
            raise _card_error(card, "experiment.parents", path, str(err)) from None

    # one registry entry per card channel (fipgen.registry); a Z' or ALP channel of a card
    # detecting the HNL makes it through X -> N N (fipgen.production.cascade)
    boson_models = {}
    channels, closed = [], []
    why: dict[str, str] = {}  # closed channels: the masses that close them, where known
    for particle, what in card.produce:
        entry = registry.spec(f"{particle}:{what}")
        name = entry.name
        if particle == llp:
            chs, shut, reasons = entry.build(BuildContext(name, card, model, beamline, external, decay_hints))
            channels += chs
            closed += shut
            why.update(reasons)
            continue
        if particle not in boson_models:
            boson_models[particle] = build_model(card, particle)
        x_model = boson_models[particle]
        x_chs = entry.build(BuildContext(name, card, x_model, beamline, external))[0]
        if not x_chs or not x_model.mass > 2.0 * model.mass:
            closed.append(name + NN_SUFFIX)
            why[name + NN_SUFFIX] = (f"m_{particle} = {x_model.mass} GeV" + (
                "" if x_chs else f" closes {name}") + (f", m_N = {model.mass} GeV" if x_chs else ""))
            continue
        if not x_model.branching_ratios().get("N N", 0.0) > 0.0:
            key = "model.alp.g_hnl" if particle == "alp" else "model.zprime.hnl_charge"
            raise _card_error(card, key, card.models[particle].as_dict().get(key.rsplit(".", 1)[1]),
                              f"channel {name!r} makes HNLs by {particle} -> N N, whose coupling is zero: "
                              "set a non-zero value")
        channels += [HNLFromBosonChannel(x.name + NN_SUFFIX, x, x_model, model) for x in x_chs]
    if not channels:
        if llp == "hnl":
            raise _card_error(card, mass_key, model.mass, "no open HNL production channel with a non-zero mixing in "
                              f"signal.produce (closed: {', '.join(closed) or 'none'})", ClosedError)
        allowed = ", ".join(f"{c} needs mass < {registry.spec_of(c).limit(beamline):.6g} GeV"
                            + registry.spec_of(c).limit_note for c in closed)
        raise _card_error(card, mass_key, model.mass, f"kinematically closed for every channel in signal.produce ({allowed})",
                          ClosedError)
    notes = [f"channel {c} is closed ({why[c]}) and contributes nothing" if c in why else
             f"channel {c} is closed at m = {model.mass} GeV and contributes nothing" for c in closed]

    known = model.channels()
    if hasattr(model, "sampling_branching_ratios"):
        # HNL: the inclusive (quark-level) remainder above the exclusive/inclusive join is
        # carried by the exclusive channels (HNL.sampling_widths), so every decay is sampled
        brs = model.sampling_branching_ratios()
        known = {k: v for k, v in known.items() if k in brs}
    else:
        brs = model.branching_ratios()
    if card.final_states == "visible":
        names = [k for k, v in brs.items() if v > 0 and known[k].visible]
    elif card.final_states == "all":
        names = [k for k, v in brs.items() if v > 0]
    else:
        names = []
        for i, name in enumerate(card.final_states):
            if name not in known:
                raise _card_error(card, f"signal.final_states[{i}]", name, "allowed: " + ", ".join(repr(c) for c in known))
            if brs[name] <= 0:
                raise _card_error(card, f"signal.final_states[{i}]", name, f"closed at m = {model.mass} GeV", ClosedError)
            names.append(name)
    for name in names:
        if known[name].kind == "inclusive":
            raise _card_error(card, "signal.final_states", card.final_states if isinstance(card.final_states, str)
                              else list(card.final_states),
                              f"the inclusive channel {name!r} (BR {brs[name]:.3g}) has no exclusive final state to "
                              f"sample; list the exclusive channels you want instead")
    if not names and card.detect[1] != "scatter":
        raise _card_error(card, "signal.final_states", card.final_states if isinstance(card.final_states, str)
                          else list(card.final_states), f"no selected decay channel is open at m = {model.mass} GeV",
                          ClosedError)
    probs = np.array([brs[n] for n in names])
    w_br = float(probs.sum())
    scatter = None
    if card.detect[1] == "scatter":  # ALP detection by scattering: no decay branching
        from .production.alp_scatter import PROCESS_NAMES, scatter_spec

        try:
            scatter = scatter_spec(model, detector.material, card.scatter)
        except PhysicsError as err:
            raise _card_error(card, "signal.scatter", list(card.scatter), str(err)) from None
        names = [PROCESS_NAMES[p] for p in ("primakoff", "compton")]
        probs, w_br = np.array([0.5, 0.5]), 1.0
    pot = card.pot if card.pot is not None else float(detector.exposure_pot)
    polarisable = frozenset(n for n in names if _polarisable(model, known[n])) if llp == "hnl" else frozenset()
    anti = _dirac_antiparticle if (llp == "hnl" and not model.majorana) else None
    alt = tuple(sorted({a for c in channels for a in getattr(c, "alt_weight_names", ())}))
    return Job(card, detector, beamline, model, channels, closed, names, probs / w_br, w_br, pot, card.events, notes,
               tuple(card.decay_resonances), polarised=bool(card.hnl_polarisation), polarisable=polarisable,
               antiparticle_rule=anti, alt_weight_names=alt, scatter=scatter)


def _polarisable(model, channel) -> bool:
    """Whether fipgen.decays samples ``channel`` of the HNL with a polarisation."""
    try:
        sample_decays(np.array([[0.0, 0.0, 1.0, math.hypot(1.0, model.mass)]]), model.mass, channel,
                      np.random.default_rng(0), polarization=1.0, decay_resonances=(), model=model)
    except PhysicsError:
        return False
    return True


#: Production codes where a negative parent gives N, not Nbar: tau- -> nu_tau l- Nbar comes from
#: W*- -> l- Nbar, so the HNL of ``hnl:tau -> nu_tau e- N`` (206) and ``... mu- N`` (207) is the
#: antiparticle for tau- (pdg 15) and the particle for tau+.
_FLIPPED_CODES = (206, 207)


def _dirac_antiparticle(parent_pdg, chan_code, rng):
    """Whether a Dirac HNL is Nbar, from its parent's PDG code: h+ -> l+ N gives N and h- the
    Nbar; for taus the PDG sign is the other way round (tau- = 15 -> N pi-: N, tau+ = -15 ->
    Nbar pi+), so the same rule "negative code -> Nbar" holds; the W*-emitted HNL of
    tau -> nu_tau l N is the opposite (:data:`_FLIPPED_CODES`); from a K_L (130: pi- l+ N or
    pi+ l- Nbar, equal rates) and from a Z' or ALP (X -> N Nbar) either with probability 1/2."""
    parent_pdg = np.asarray(parent_pdg)
    coin = rng.random(parent_pdg.size) < 0.5
    anti = parent_pdg < 0
    anti = np.where(np.isin(chan_code, _FLIPPED_CODES), ~anti, anti)
    # K_L, and a Z' or ALP decaying to N Nbar: either with probability 1/2
    return np.where(np.isin(parent_pdg, (130, C.PDG_ZPRIME, C.PDG_ALP)), coin, anti)


def _decays(job: Job, llp, rng, pol, spin_axis, parent_pdg, chan_code):
    """Step 3 of a block: the decay channel of each event in proportion to its BR among the
    selected final states, and its daughters from fipgen.decays (matrix elements,
    resonance decays). Returns ``(daughters (n, k, 4), pdg (n, k), decay_code (n,), channel index (n,))``."""
    model = job.model
    m = model.mass
    n = llp.shape[0]
    cum_d = np.cumsum(job.decay_probs)
    cum_d[-1] = 1.0
    dch = np.searchsorted(cum_d, rng.random(n), side="right")
    known = model.channels()
    codes = decay_codes(model)
    parts = []
    decay_code = np.empty(n, dtype=np.int32)
    for k, name in enumerate(job.decay_names):
        idx = np.flatnonzero(dch == k) if len(job.decay_names) > 1 else np.arange(n)
        if idx.size == 0:
            continue
        decay_code[idx] = codes[name]
        if not job.sample_daughters:  # scans without cuts: the daughters are not used
            continue
        kw = {}
        if job.polarised and name in job.polarisable and np.any(pol[idx] != 0.0):
            ax = spin_axis[idx]
            ok = np.einsum("ij,ij->i", ax, ax) > 0.5
            kw = {"polarization": np.where(ok, pol[idx], 0.0), "spin_axis": np.where(ok[:, None], ax, [0.0, 0.0, 1.0])}
        if job.antiparticle_rule is not None:
            kw["antiparticle"] = job.antiparticle_rule(parent_pdg[idx], chan_code[idx], rng)
        prod = sample_decays(llp[idx], m, known[name], rng, decay_resonances=job.decay_resonances,
                             model=model, **kw)
        parts.append((idx, prod))
    kmax = max((p.pdg.shape[1] for _, p in parts), default=0)
    dau = np.zeros((n, kmax, 4))
    dau_pdg = np.zeros((n, kmax), dtype=np.int32)
    for idx, prod in parts:
        k = prod.pdg.shape[1]
        dau[idx, :k] = prod.p4
        dau_pdg[idx, :k] = prod.pdg
    return dau, dau_pdg, decay_code, dch


def _scatter(job: Job, llp, tr, rng, ctau):
    """Step 3 for ``alp:scatter`` (fipgen.production.alp_scatter): the interaction
    probability inside the active volume before a decay, the process in proportion to its
    rate, the outgoing photon and recoil at the transport's sampled point (which follows the
    same truncated exponential). Returns ``(daughters, pdg, code, process index, P_int, rate)``,
    ``rate`` the summed interaction rate per metre."""
    from .production.alp_scatter import chord_exposure, interaction_rates, sample_scatter

    n = llp.shape[0]
    spec = job.scatter
    rates, per_el = interaction_rates(spec, llp[:, 3])
    expo = chord_exposure(tr.n_seg, tr.seg_in, tr.seg_out, tr.beta_gamma * ctau)
    rsum = rates.sum(axis=1)
    p_int = rsum * expo
    proc = (rng.random(n) * rsum > rates[:, 0]).astype(np.int64)  # 0 Primakoff, 1 Compton
    dau = np.zeros((n, 2, 4))
    dau_pdg = np.zeros((n, 2), dtype=np.int32)
    live = np.flatnonzero(p_int > 0)
    if live.size and job.sample_daughters:
        d4, dp = sample_scatter(spec, llp[live], proc[live], per_el[live], rng)
        dau[live], dau_pdg[live] = d4, dp
    return dau, dau_pdg, (proc + 1).astype(np.int32), proc, p_int, rsum


def generate_block(job: Job, block: int, n: int) -> tuple[EventBatch, dict[str, float]]:
    """Generate block ``block`` of ``n`` trials; return its events (non-zero weights) and sums.

    The block's stream is ``block_rng(seed, block)``: the result depends only on
    (card, seed, block), not on chunking or workers.
    """
    rng = block_rng(job.card.seed, block, job.stream)
    model = job.model
    m = model.mass
    ctau = job.ctau
    solid = job.detector.active_beam

    # 1. production channel of each trial, chosen in proportion to its rate: the
    #    production weight rate_c / P(choose c) is then the total rate for every event.
    rates = job.rates
    total_rate = rates.sum()
    cum = np.cumsum(rates / total_rate)
    cum[-1] = 1.0
    which = np.searchsorted(cum, rng.random(n), side="right")

    vertex = np.empty((n, 3))
    parent = np.empty((n, 4))
    llp = np.empty((n, 4))
    direction = np.empty((n, 3))
    w_geo = np.empty(n)
    prod_time = np.empty(n)
    pol = np.zeros(n)  # HNL polarisation from production (0: none), along spin_axis
    spin_axis = np.zeros((n, 3))
    parent_pdg = np.empty(n, dtype=np.int32)
    chan_code = np.empty(n, dtype=np.int32)
    alt = {a: np.ones(n) for a in job.alt_weight_names}  # alternative-weight ratios (1: not varied)
    x_flight = np.zeros(n)  # X -> N N chains: the X flight over its decay length (scans)
    for k, ch in enumerate(job.channels):
        idx = np.flatnonzero(which == k) if len(job.channels) > 1 else slice(None)
        size = n if isinstance(idx, slice) else idx.size
        if size == 0:
            continue
        s = ch.sample(size, rng, job.beamline, solid)
        if not isinstance(s, ProductionSample):
            raise TypeError(f"channel {ch.name!r}: sample() returned {type(s).__name__}, not a ProductionSample")
        vertex[idx] = s.vertex
        parent[idx] = s.parent_p4
        llp[idx] = s.llp_p4
        direction[idx] = s.direction
        w_geo[idx] = s.weight_geometric
        # production time: the channel's own (a parent that flew or stopped first), else the
        # light-speed time of the proton from the target face to the vertex
        prod_time[idx] = s.time if s.time is not None else s.vertex[:, 2] / C_M_PER_NS
        parent_pdg[idx] = s.parent_pdg if s.parent_pdg is not None else ch.parent_pdg
        chan_code[idx] = channel_code(ch.name)
        if s.polarization is not None:
            pol[idx] = s.polarization
            spin_axis[idx] = s.spin_axis
        for a, r in s.alt_ratios.items():
            alt[a][idx] = r
        if s.x_flight is not None:
            x_flight[idx] = s.x_flight

    # zero-weight trials (a meson drawn outside its source table's range) have no LLP
    # momentum: give them a stand-in along their aimed direction so the kernels below
    # stay finite; their weight is 0 and the final selection drops them
    bad = ~(w_geo > 0)
    if bad.any():
        llp[bad, :3] = direction[bad]
        llp[bad, 3] = np.sqrt(1.0 + m * m)
        w_geo[bad] = 0.0

    # 2. transport: chord, forced decay inside, decay time
    tr = transport(vertex, llp, m, ctau, solid, rng)

    p_det = tr.p_decay  # probability to be detected (decay or scatter inside)
    rsum = None
    if job.scatter is not None:
        dau, dau_pdg, decay_code, dch, p_det, rsum = _scatter(job, llp, tr, rng, ctau)
    else:
        dau, dau_pdg, decay_code, dch = _decays(job, llp, rng, pol, spin_axis, parent_pdg, chan_code)

    # 4. beam timing: the proton's bucket in the spill and its time within it (the beamline's
    #    bunch structure; drawn last so the kinematics above do not depend on it)
    t_bunch = np.zeros(n)
    timing = job.beamline.timing
    if timing is not None and timing.n_buckets > 0:
        t_bunch = rng.integers(0, timing.n_buckets, n) * timing.bucket_spacing
        if timing.bucket_sigma > 0:
            t_bunch = t_bunch + rng.normal(0.0, timing.bucket_sigma, n)
    prod_time = prod_time + t_bunch

    # an overflow gives inf sums, refused by run() with a one-line error (not numpy warnings)
    with np.errstate(over="ignore", invalid="ignore"):
        weight = job.pot * total_rate * job.weight_branching * w_geo * p_det / job.n_trials
        sums = {"sum_weights": float(weight.sum()), "sum_weights2": float((weight**2).sum()), "n_trials": n}
        alt_w = {a: weight * r for a, r in alt.items()}
        for a, w_a in alt_w.items():
            sums[f"sum_weights_{a}"] = float(w_a.sum())

    # assemble the written columns, keeping only non-zero weights: each column is copied
    # once, straight from its (possibly strided) source
    keep = weight > 0
    if job.keep_all:
        keep = (w_geo > 0) & (tr.n_seg > 0)
        sums["scan"] = {
            "w_nodecay": (job.pot * total_rate * job.weight_branching * w_geo / job.n_trials)[keep],
            "channel_index": which[keep], "decay_index": dch[keep], "beta_gamma": tr.beta_gamma[keep],
            "n_seg": tr.n_seg[keep], "seg_in": tr.seg_in[keep], "seg_out": tr.seg_out[keep],
            "x_flight": x_flight[keep],
            # scattering: the summed interaction rate per metre at the reference couplings
            "scatter_rate": (rsum if rsum is not None else np.zeros(n))[keep],
            "alt": {a: r[keep] for a, r in alt.items()},
        }
    nk = int(keep.sum())

    def col(a):
        return a[keep]

    det = job.detector
    dv = tr.decay_vertex[keep]
    dv_det = det.to_detector_frame(dv)
    present = (dau_pdg != 0) & keep[:, None]  # rows are padded at the end with pdg 0
    dau_flat = dau[present]
    dau_det = det.vectors_to_detector_frame(dau_flat[:, :3])
    n_seg = tr.n_seg[keep]
    seg_mask = (np.arange(tr.seg_in.shape[1])[None, :] < tr.n_seg[:, None]) & keep[:, None]
    l_entry = np.where(tr.n_seg > 0, tr.seg_in[:, 0], 0.0)
    l_exit = np.where(tr.n_seg > 0, tr.seg_out[np.arange(n), np.maximum(tr.n_seg - 1, 0)], 0.0)
    prod_t = col(prod_time)

    scalars = {
        "weight": col(weight),
        **{f"weight_{a}": col(w_a) for a, w_a in alt_w.items()},
        "weight_production": np.full(nk, total_rate),
        "weight_branching": np.full(nk, job.weight_branching),
        "weight_geometric": col(w_geo),
        "weight_decay": col(p_det),
        "channel": col(chan_code),
        "parent_pdg": col(parent_pdg),
        "parent_px": col(parent[:, 0]), "parent_py": col(parent[:, 1]), "parent_pz": col(parent[:, 2]),
        "parent_e": col(parent[:, 3]),
        "prod_x": col(vertex[:, 0]), "prod_y": col(vertex[:, 1]), "prod_z": col(vertex[:, 2]), "prod_t": prod_t,
        "llp_pdg": np.full(nk, model.pdg, dtype=np.int32),
        "llp_px": col(llp[:, 0]), "llp_py": col(llp[:, 1]), "llp_pz": col(llp[:, 2]), "llp_e": col(llp[:, 3]),
        "llp_mass": np.full(nk, m),
        "llp_beta_gamma": col(tr.beta_gamma),
        "llp_ctau": np.full(nk, ctau),
        "l_entry": col(l_entry), "l_exit": col(l_exit),
        "decay_x": np.ascontiguousarray(dv[:, 0]), "decay_y": np.ascontiguousarray(dv[:, 1]),
        "decay_z": np.ascontiguousarray(dv[:, 2]),
        "decay_det_x": np.ascontiguousarray(dv_det[:, 0]), "decay_det_y": np.ascontiguousarray(dv_det[:, 1]),
        "decay_det_z": np.ascontiguousarray(dv_det[:, 2]),
        "decay_t": prod_t + col(tr.flight_time),
        "decay_channel": col(decay_code),
    }
    counts = {"daughter": present.sum(axis=1)[keep].astype(np.int64), "segment": n_seg.astype(np.int64)}
    flat = {
        "daughter": {
            "pdg": dau_pdg[present],
            "px": np.ascontiguousarray(dau_flat[:, 0]), "py": np.ascontiguousarray(dau_flat[:, 1]),
            "pz": np.ascontiguousarray(dau_flat[:, 2]), "e": np.ascontiguousarray(dau_flat[:, 3]),
            "det_px": np.ascontiguousarray(dau_det[:, 0]), "det_py": np.ascontiguousarray(dau_det[:, 1]),
            "det_pz": np.ascontiguousarray(dau_det[:, 2]),
        },
        "segment": {"entry": tr.seg_in[seg_mask], "exit": tr.seg_out[seg_mask]},
    }
    batch = EventBatch(scalars, counts, flat)
    return batch, sums


def n_blocks(n_trials: int) -> int:
    """Number of blocks covering ``n_trials`` trials (all :data:`BLOCK_SIZE` but the last)."""
    return max(0, -(-int(n_trials) // BLOCK_SIZE))


def iter_blocks(n_trials: int, start: int = 0, stop: int | None = None):
    """Lazily yield (block index, size) of blocks ``start`` to ``stop`` (default: all) covering
    ``n_trials``: block ``b`` covers trials ``[b BLOCK_SIZE, min((b + 1) BLOCK_SIZE, n_trials))``.
    Memory is flat for any count."""
    n_trials = int(n_trials)
    stop = n_blocks(n_trials) if stop is None else min(stop, n_blocks(n_trials))
    for b in range(start, stop):
        yield b, min(BLOCK_SIZE, n_trials - b * BLOCK_SIZE)


def blocks_of(n_trials: int) -> list[tuple[int, int]]:
    """(block index, size) covering ``n_trials``, as a list (:func:`iter_blocks` is the lazy form)."""
    return list(iter_blocks(n_trials))


def blocks_per_chunk(chunk_size: int) -> int:
    """Whole blocks in a chunk of at most ``chunk_size`` trials (at least one)."""
    return max(1, -(-int(chunk_size) // BLOCK_SIZE))


def iter_chunk_plan(n_trials: int, chunk_size: int):
    """Lazily yield the chunks of :func:`chunks_of`, each a list of (block index, size): chunk
    ``k`` covers blocks ``[k per, min((k + 1) per, n_blocks))`` with ``per`` =
    :func:`blocks_per_chunk`. Nothing but the current chunk is held, whatever ``n_trials``."""
    per = blocks_per_chunk(chunk_size)
    nb = n_blocks(n_trials)
    for first in range(0, nb, per):
        yield list(iter_blocks(n_trials, first, first + per))


def chunks_of(n_trials: int, chunk_size: int) -> list[list[tuple[int, int]]]:
    """Blocks grouped into chunks of at most ``chunk_size`` trials (at least one block), as a
    list (:func:`iter_chunk_plan` is the lazy form; use it for large counts)."""
    return list(iter_chunk_plan(n_trials, chunk_size))


def iter_chunks(job: Job, chunk_size: int | None = None):
    """Yield (EventBatch, sums) per chunk, in order."""
    for chunk in iter_chunk_plan(job.n_trials, chunk_size or job.card.chunk_size):
        parts = [generate_block(job, b, n) for b, n in chunk]
        sums = {k: sum(p[1][k] for p in parts) for k in parts[0][1]}
        yield EventBatch.concatenate([p[0] for p in parts]), sums


def metadata(job: Job) -> dict:
    """Run metadata written next to the events (JSON in the ROOT file)."""
    from .production.vertex import interacting_fraction

    det, bl = job.detector, job.beamline
    return {
        "generator": "fipgen",
        "version": __version__,
        "units": UNITS,
        "frames": {
            "beam": "z along the primary proton beam, y up, origin at the upstream face of the target or dump",
            "detector": f"{det.name} frame: x_beam = R x_det + origin, origin {list(det.frame.translation)} m, "
            f"R (row-major) {list(det.frame.rotation)}",
        },
        "detector": {"name": det.name, "title": det.title, "file": str(det.path), "sources": list(det.sources)},
        "beamline": {"name": bl.name, "title": bl.title, "file": str(bl.path), "sources": list(bl.sources),
                     "beam_momentum_GeV": bl.beam_momentum, "interacting_fraction": interacting_fraction(bl)},
        "model": {"particle": job.model.particle, "card": {p: m.as_dict() for p, m in job.card.models.items()},
                  "mass_GeV": job.model.mass, "pdg": job.model.pdg, "ctau_m": job.ctau,
                  "total_width_GeV": job.model.total_width(), "branching_ratios": job.model.branching_ratios()},
        "channels": {c.name: {"code": channel_code(c.name), "parent_pdg": c.parent_pdg,
                              "rate_per_pot": c.rate_per_pot, "branching": c.branching,
                              "parent_per_pot": float(c.source.per_pot),
                              "source": str(getattr(c.source, "provenance", ""))} for c in job.channels},
        "external_parents": None if job.card.parents is None else
        {"path": job.card.parents[0], "format": job.card.parents[1], "z_offset_m": job.card.parents[2]},
        "closed_channels": job.closed_channels,
        "decay_channels": ({n: i + 1 for i, n in enumerate(job.decay_names)} if job.scatter is not None else
                           {n: decay_codes(job.model)[n] for n in job.decay_names}),
        "detection": ({"mode": "scatter", "processes": list(job.scatter.processes),
                       "g_gamma_eff": job.scatter.g_gamma, "g_electron": job.scatter.g_electron}
                      if job.scatter is not None else {"mode": "decay"}),
        "decay_resonances": list(job.decay_resonances),
        "final_states": job.card.final_states if isinstance(job.card.final_states, str) else list(job.card.final_states),
        "weight_columns": ["weight"] + [f"weight_{a}" for a in job.alt_weight_names],
        "alternative_weights": {f"weight_{a}": _ALT_DOC.get(a, a) for a in job.alt_weight_names},
        "bremsstrahlung": next((c.settings.as_dict() for c in job.channels if hasattr(c, "settings"))
                               or (c.x_channel.settings.as_dict() for c in job.channels
                                   if hasattr(getattr(c, "x_channel", None), "settings")), None),
        "pot": job.pot,
        "n_trials": job.n_trials,
        "seed": job.card.seed,
        "block_size": BLOCK_SIZE,
        "sampling": "LLP direction forced to a uniform point of the active volume (exact weight f/q); "
                    "decay forced inside the chord (truncated exponential)",
    }


#: What each alternative weight column means (written to the run metadata).
_ALT_DOC = {
    "bb": "bremsstrahlung: Blumlein-Brunner splitting function (arXiv:1311.3870) instead of the central treatment",
    "qr_lambda1": "bremsstrahlung: quasi-real approximation (arXiv:2108.05900), Lambda_p = 1 GeV",
    "qr_lambda1p5": "bremsstrahlung: quasi-real approximation (arXiv:2108.05900), Lambda_p = 1.5 GeV",
    "qr_lambda2": "bremsstrahlung: quasi-real approximation (arXiv:2108.05900), Lambda_p = 2 GeV",
}


@dataclass
class Summary:
    n_trials: int
    n_events: int
    sum_weights: float
    sum_weights2: float
    pot: float
    output: str | None
    seconds: float
    notes: list[str]
    alt_sums: dict = field(default_factory=dict)
    unweighting: dict | None = None
    card: str = ""

    @property
    def ess(self) -> float:
        """Kish effective sample size (sum w)^2 / sum w^2."""
        return self.sum_weights * (self.sum_weights / self.sum_weights2) if self.sum_weights2 > 0 else 0.0

    @property
    def mc_error(self) -> float:
        return math.sqrt(self.sum_weights2)

    def to_dict(self) -> dict:
        return {"card": self.card, "n_trials": self.n_trials, "n_events": self.n_events, "expected_signal": self.sum_weights,
                "mc_error": self.mc_error, "kish_ess": self.ess, "pot": self.pot, "output": self.output,
                "seconds": self.seconds, "notes": self.notes,
                "expected_signal_alternatives": {f"weight_{k}": v for k, v in self.alt_sums.items()},
                **({"unweighting": self.unweighting} if self.unweighting else {})}


def _produce(job: Job, queue, stop) -> None:
    """Generate the job's chunks into ``queue`` (worker thread); None marks the end, an
    exception is passed on to be raised in the writing thread."""
    try:
        for item in iter_chunks(job):
            if stop.is_set():
                return
            queue.put(item)
        queue.put(None)
    except BaseException as err:  # noqa: BLE001 - re-raised in the consumer
        queue.put(err)


def _chunks_in_background(job: Job):
    """Iterate over the job's chunks, generated one chunk ahead in a worker thread.

    The numba kernels release the GIL, so the next chunk is generated while the caller
    writes the current one (2 cores: generation and compression overlap).
    """
    import queue as _queue
    import threading

    q: _queue.Queue = _queue.Queue(maxsize=2)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(job, q, stop), daemon=True, name="fipgen-generate")
    worker.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get(timeout=0.05)
            except _queue.Empty:
                pass
        worker.join()


#: Output formats of ``fipgen generate --format`` and their file extensions.
FORMATS = {"root": ".root", "hepmc3": ".hepmc3", "hepmc2": ".hepmc2", "hepevt": ".hepevt", "mevprtl": ".mevprtl.txt"}


def output_paths(output: str, formats) -> dict[str, str]:
    """Files of each format: ``output`` itself for one format; with several, ``output`` is a
    stem (a known extension is dropped) and each format adds its extension."""
    formats = list(dict.fromkeys(formats))
    for f in formats:
        if f not in FORMATS:
            raise CardError(f"output format {f!r}: allowed: {', '.join(FORMATS)}")
    if len(formats) == 1:
        return {formats[0]: output}
    stem = output
    for ext in sorted(FORMATS.values(), key=len, reverse=True):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
            break
    return {f: stem + FORMATS[f] for f in formats}


#: The largest bias an unweighted sample may carry: the fraction of the weight above ``w_ref``
#: (``fraction_weight_above``) allowed in ``fipgen generate --unweighted N`` (0.01 = 1 %). A
#: request needing more is refused (:func:`max_unweighted` gives the largest N allowed).
MAX_WEIGHT_ABOVE = 0.01

#: Expected accepted events per requested unit-weight event (a subset of exactly N is then kept).
UNWEIGHT_OVERSAMPLE = 1.05


@dataclass
class Unweighting:
    """Accept-reject of a weighted sample to ``n`` unit-weight events (``fipgen generate
    --unweighted N``): event ``i`` is accepted with probability ``min(1, w_i / w_ref)``, ``w_ref``
    set so that the expected number accepted is 1.05 n, and a uniform random subset of exactly
    ``n`` is kept (fewer if fewer were accepted). Each kept event stands for ``w_ref x
    n_accepted / n`` expected events at the run's POT, so the sample's equivalent exposure is
    ``pot_equivalent = POT n / (w_ref n_accepted)``: ``n`` expected events at that POT. Events
    with ``w > w_ref`` are kept with probability 1 but carry more than one event's worth:
    ``fraction_events_above`` and ``fraction_weight_above`` say how much; the distributions are
    exact where ``w <= w_ref``, and ``fraction_weight_above`` is the sample's bias.

    The larger ``n``, the lower ``w_ref`` and the larger that bias: ``supported`` is the largest
    ``n`` whose ``fraction_weight_above`` is at most :data:`MAX_WEIGHT_ABOVE` (1 %)
    (:func:`max_unweighted`). :func:`run` refuses a request above it before writing anything
    (a request close to the number of non-zero weights would otherwise push ``w_ref`` to 0 and
    the equivalent POT to absurd values)."""

    requested: int
    w_ref: float = 0.0
    accepted: int = 0
    kept: int = 0
    pot_equivalent: float = 0.0
    fraction_events_above: float = 0.0
    fraction_weight_above: float = 0.0
    supported: int = 0  # largest n with fraction_weight_above <= MAX_WEIGHT_ABOVE
    keep: np.ndarray | None = None  # global event indices kept, sorted

    def as_dict(self) -> dict:
        return {"requested": self.requested, "w_ref": self.w_ref, "accepted": self.accepted, "kept": self.kept,
                "pot_equivalent": self.pot_equivalent, "fraction_events_above_w_ref": self.fraction_events_above,
                "fraction_weight_above_w_ref": self.fraction_weight_above, "max_supported": self.supported}


def _weight_above(pos: np.ndarray, w_ref: float) -> float:
    """Fraction of the (positive) weight above ``w_ref``: sum max(w - w_ref, 0) / sum w."""
    return float(np.sum(np.maximum(pos - w_ref, 0.0)) / pos.sum())


def _w_ref_at_bias(pos: np.ndarray, limit: float) -> float:
    """The smallest ``w_ref`` whose fraction of the weight above it is ``limit`` (exact: that
    fraction, ``(sum_{w > r} w - k r) / sum w`` with ``k`` weights above ``r``, is linear in ``r``
    between consecutive weights)."""
    ws = np.sort(pos)[::-1]  # descending
    tot = float(ws.sum())
    k = np.arange(1, ws.size + 1)
    r = (np.cumsum(ws) - limit * tot) / k  # the solution if exactly k weights lie above it
    below = np.append(ws[1:], 0.0)  # the k-th segment: [ws[k], ws[k-1]]
    ok = np.flatnonzero((r >= below) & (r <= ws))
    return float(r[ok[0]]) if ok.size else float(ws[-1])


def max_unweighted(w: np.ndarray, limit: float = MAX_WEIGHT_ABOVE) -> int:
    """The largest number of unit-weight events a weighted sample ``w`` supports: the largest
    ``n`` whose ``w_ref`` (:func:`_plan_unweighting`: ``sum min(1, w / w_ref) = 1.05 n``) leaves
    at most ``limit`` of the weight above ``w_ref``. 0 without a positive weight."""
    pos = np.asarray(w, dtype=float)
    pos = pos[pos > 0]
    if pos.size == 0:
        return 0
    r = _w_ref_at_bias(pos, limit)
    expected = min(float(np.minimum(1.0, pos / r).sum()), float(pos.size))
    n = int(math.floor(expected / UNWEIGHT_OVERSAMPLE))
    # the rule itself decides at the boundary (the sums above round differently)
    while n > 0 and _weight_above(pos, _solve_w_ref(pos, n)) > limit:
        n -= 1
    while _weight_above(pos, _solve_w_ref(pos, n + 1)) <= limit:
        n += 1
    return n


def _solve_w_ref(pos: np.ndarray, n: int) -> float:
    """``w_ref`` with ``sum min(1, w / w_ref) = min(1.05 n, number of positive weights)``
    (bisection in log w_ref; the expected number accepted decreases with w_ref)."""
    target = min(UNWEIGHT_OVERSAMPLE * n, float(pos.size))
    lo, hi = float(pos.min()) * 1e-12, float(pos.max())
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        e = float(np.minimum(1.0, pos / mid).sum())
        if e > target:
            lo = mid
        else:
            hi = mid
    return hi


def _plan_unweighting(w: np.ndarray, n: int, pot: float, seed: int) -> Unweighting:
    """The accept-reject plan of :class:`Unweighting` for ``n`` events (whether or not ``n`` is
    supported: ``u.supported`` says; :func:`run` refuses above it)."""
    u = Unweighting(int(n))
    pos = w[w > 0]
    if pos.size == 0:
        u.keep = np.zeros(0, dtype=np.int64)
        return u
    w_ref = _solve_w_ref(pos, n)
    rng = block_rng(seed, 0, (UNWEIGHT_STREAM,))
    acc = np.flatnonzero(rng.random(w.size) < np.minimum(1.0, w / w_ref))
    keep = np.sort(rng.choice(acc, size=min(n, acc.size), replace=False)) if acc.size else acc
    u.w_ref, u.accepted, u.kept, u.keep = float(w_ref), int(acc.size), int(keep.size), keep
    u.pot_equivalent = pot * keep.size / (w_ref * acc.size) if acc.size else 0.0
    u.fraction_events_above = float(np.mean(pos > w_ref))
    u.fraction_weight_above = _weight_above(pos, w_ref)
    u.supported = max_unweighted(pos)
    return u


#: What each summed quantity of a run is, in the message of a non-finite sum.
_SUM_NAMES = {"sum_weights": "sum of weights (expected signal)", "sum_weights2": "sum of squared weights (MC error)"}


def _check_finite(job: Job, sums: dict) -> None:
    """NumericError (one line) if a summed quantity of the run is not a finite number: the
    weights (POT x rate x probabilities / trials) overflow double precision. Raised inside the
    writers' block, so their temporary files are removed and nothing is written."""
    for key, v in sums.items():
        if not math.isfinite(v):
            what = _SUM_NAMES.get(key, f"sum of {key.replace('sum_weights_', 'weight_')}")
            raise NumericError(f"{job.card.source}: the {what} is {v!r}, not a finite number (POT {job.pot:.4g} x "
                               f"production rate {job.rate_per_pot:.4g} per POT overflows); lower experiment.pot or "
                               "the model's couplings; nothing written")


def _open_writers(job: Job, paths: dict[str, str], overwrite: bool, pot: float, stack):
    from .io.hepevt import HepEvtWriter
    from .io.hepmc import HepMCWriter
    from .io.root import RootWriter

    writers = {}
    for fmt, path in paths.items():
        if fmt == "root":
            writers[fmt] = stack.enter_context(RootWriter(path, overwrite=overwrite, compression=job.card.compression,
                                                          extra_scalars=tuple(f"weight_{a}" for a in job.alt_weight_names)))
        elif fmt in ("hepmc3", "hepmc2"):
            writers[fmt] = stack.enter_context(HepMCWriter(path, job, overwrite=overwrite, version=int(fmt[-1]),
                                                           metadata=metadata(job), pot=pot))
        elif fmt == "hepevt":
            writers[fmt] = stack.enter_context(HepEvtWriter(path, job, overwrite=overwrite, pot=pot))
    return writers


def run(job: Job, output: str | None, overwrite: bool = False, progress: bool = False, formats=("root",),
        unweighted: int | None = None) -> Summary:
    """Generate the job's events and write them (module docstring; atomic).

    ``formats``: any of :data:`FORMATS` (``output`` is the file, or the stem with several
    formats: :func:`output_paths`). ``unweighted``: write that many unit-weight events
    (:class:`Unweighting`; two passes over the same random streams). Chunks are generated in a
    worker thread one ahead of the writers.
    """
    from contextlib import ExitStack

    from .io.atomic import check_target

    t0 = time.perf_counter()
    paths = output_paths(output, formats) if output is not None else {}
    for pth in paths.values():
        check_target(pth, overwrite)
    if "hepevt" in paths:
        from .io.hepevt import sidecar_path

        check_target(sidecar_path(paths["hepevt"]), overwrite)
    if "mevprtl" in paths:
        from .production.parent_list_sources import parent_species

        if not parent_species(job):
            raise CardError(f"{job.card.source}: output format 'mevprtl': no meson parent feeds the channels "
                            f"{[c.name for c in job.channels]} (bremsstrahlung has none); allowed: cards with meson "
                            "channels")
    bar = None
    if progress:
        from .progress import progress_bar

        bar = progress_bar(job.n_trials * (2 if unweighted else 1), "trial", "fipgen", unit_scale=True)
    sw = sw2 = 0.0
    alt = {a: 0.0 for a in job.alt_weight_names}
    n_events = 0
    uw = None
    try:
        if unweighted:
            # first pass, weights only, before any writer opens: a refusal leaves no file
            ws = []
            first_sums = {"sum_weights": 0.0, "sum_weights2": 0.0}
            for batch, sums in iter_chunks(job):
                ws.append(batch.scalars["weight"])
                for k in first_sums:
                    first_sums[k] += sums[k]
                _check_finite(job, first_sums)
                if bar:
                    bar.update(sums["n_trials"])
            uw = _plan_unweighting(np.concatenate(ws) if ws else np.zeros(0), unweighted, job.pot, job.card.seed)
            del ws
            if uw.requested > uw.supported:
                raise CardError(f"--unweighted {uw.requested}: this sample ({job.n_trials} trials) supports at most "
                                f"N = {uw.supported} unit-weight events ({100 * MAX_WEIGHT_ABOVE:g} % of the weight "
                                "above w_ref); use --events to generate more trials or a smaller --unweighted")
            if not (math.isfinite(uw.pot_equivalent) and uw.pot_equivalent > 0):
                raise NumericError(f"--unweighted {uw.requested}: the equivalent POT of the unit-weight sample is "
                                   f"{uw.pot_equivalent!r} (accepted {uw.accepted} events); use --events to generate "
                                   "more trials")
        pot_out = uw.pot_equivalent if uw is not None else job.pot
        with ExitStack() as stack:
            writers = _open_writers(job, paths, overwrite, pot_out, stack)
            source = _chunks_in_background(job) if writers else iter_chunks(job)
            # closed first on leaving (an exception, Ctrl-C, SIGTERM): the generation thread stops
            # before the writers remove their temporary files
            stack.callback(source.close)
            first = 0
            for batch, sums in source:
                sw += sums["sum_weights"]
                sw2 += sums["sum_weights2"]
                for a in alt:
                    alt[a] += sums[f"sum_weights_{a}"]
                if bar:
                    bar.update(sums["n_trials"])
                nb = len(batch)
                override = None
                if uw is not None:
                    sel = uw.keep[(uw.keep >= first) & (uw.keep < first + nb)] - first
                    first += nb
                    mask = np.zeros(nb, dtype=bool)
                    mask[sel] = True
                    w = batch.scalars["weight"]
                    batch = batch.select(mask)
                    w = w[mask]
                    override = {"weight": np.ones(len(batch))}
                    for a in job.alt_weight_names:
                        override[f"weight_{a}"] = batch.scalars[f"weight_{a}"] / np.where(w > 0, w, 1.0)
                    batch.scalars.update(override)
                n_events += len(batch)
                _check_finite(job, {"sum_weights": sw, "sum_weights2": sw2,
                                    **{f"sum_weights_{a}": v for a, v in alt.items()}})
                for wr in writers.values():
                    wr.write(batch)
            # nothing is committed (the writers' temporary files renamed) unless every sum is finite
            _check_finite(job, {"sum_weights": sw, "sum_weights2": sw2, **{f"sum_weights_{a}": v for a, v in alt.items()}})
            meta = metadata(job)
            if uw is not None:
                meta["unweighted"] = uw.as_dict()
                meta["pot_generated"] = job.pot
            if "root" in writers:
                run_record = {
                    "pot": np.float64(pot_out), "n_trials": np.int64(job.n_trials), "n_events": np.int64(n_events),
                    "sum_weights": np.float64(sw if uw is None else n_events),
                    "sum_weights2": np.float64(sw2 if uw is None else n_events), "seed": np.int64(job.card.seed),
                    **{f"sum_weights_{a}": np.float64(v) for a, v in alt.items()},
                }
                if uw is not None:
                    run_record["pot_generated"] = np.float64(job.pot)
                    run_record["w_ref"] = np.float64(uw.w_ref)
                writers["root"].finish(run_record, job.card.text, meta)
            for fmt in ("hepmc3", "hepmc2", "hepevt"):
                if fmt in writers:
                    writers[fmt].finish()
            if "mevprtl" in paths:
                from .production.parent_list_sources import write_parent_list

                write_parent_list(paths["mevprtl"], job, n=max(job.n_trials, 1000), seed=job.card.seed,
                                  overwrite=overwrite)
    finally:
        if bar:
            bar.close()
    out = ", ".join(paths.values()) if paths else None
    s = Summary(job.n_trials, n_events, sw, sw2, job.pot, out, time.perf_counter() - t0, list(job.notes), alt)
    s.unweighting = uw.as_dict() if uw is not None else None
    s.card = job.card.source
    return s


def summary_text(s: Summary) -> str:
    lines = [
        f"trials generated   : {s.n_trials}",
        f"events written     : {s.n_events}" + (f" -> {s.output}" if s.output else " (no output file)"),
        f"POT                : {s.pot:.4g}",
        f"expected signal    : {s.sum_weights:.6g} +- {s.mc_error:.3g} (MC) events",
        f"Kish effective N   : {s.ess:.4g}",
        *[f"  with weight_{k:<12}: {v:.6g} events" for k, v in s.alt_sums.items()],
        f"time               : {s.seconds:.2f} s",
    ]
    if s.unweighting:
        u = s.unweighting
        lines.append(f"unweighted events  : {u['kept']} of {u['requested']} requested (at most "
                     f"{u.get('max_supported', '?')} supported), equivalent POT "
                     f"{u['pot_equivalent']:.4g}; {100 * u['fraction_events_above_w_ref']:.3g} % of events "
                     f"({100 * u['fraction_weight_above_w_ref']:.3g} % of the weight) above w_ref = {u['w_ref']:.4g}")
    lines += [f"note: {n}" for n in s.notes]
    return "\n".join(lines)


def summary_json(s: Summary) -> str:
    return json.dumps(s.to_dict())

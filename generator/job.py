"""The job: everything a run card resolves to (detector, beamline, model, production channels,
final states), as a frozen :class:`Job`, and its builder :func:`build_job`.

The job layer reads the card and the files it names and checks them (one-line errors naming the
card key); generation (:mod:`fipgen.generation`), scans and yields take a Job and never the
card again. The model comes from :func:`fipgen.models.registry.make_model`; the production
channels from :mod:`fipgen.registry`'s builders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import constants as C
from . import registry
from .card import RunCard
from .decays import sample_decays
from .errors import CardError, ClosedError, GeometryError, InputFileError, PhysicsError
from .registry import NN_SUFFIX, BuildContext

if TYPE_CHECKING:  # the annotations of Job
    from .geometry.loader import Beamline, Detector
    from .models.base import DecayingParticle

__all__ = ["decay_codes", "Job", "build_model", "build_job", "scan_shares"]


def decay_codes(model) -> dict[str, int]:
    """Codes of the `decay_channel` branch: 1 + the channel's position in the model's
    channel list (stable for a model; written to the run metadata)."""
    channels = model.cached_channels() if hasattr(model, "cached_channels") else model.channels()
    return {name: i + 1 for i, name in enumerate(channels)}

@dataclass(frozen=True)
class Job:
    """A resolved run card (frozen; ``dataclasses.replace`` makes variants, e.g. one channel of a
    yields run or the scan mode). ``rates`` and ``ctau`` are computed once, on first use."""

    card: RunCard
    detector: Detector
    beamline: Beamline
    model: DecayingParticle
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
    #: fill the event record's chain columns (origin, its solid and nucleus, siblings:
    #: fipgen.generation._record); False for jobs that write no events (scans, yields), whose
    #: batches then carry the production vertex as origin, origin_known 0 and no sibling
    record: bool = True
    #: ALP detection by scattering (fipgen.production.channels.alp_scatter.ScatterSpec), else None
    scatter: object = None
    #: the share of trials each channel gets (summing to 1), else None: in proportion to the
    #: rates. The production weight is then ``rate_k / share_k`` (the total rate when None).
    #: Scans use :func:`scan_shares`: a channel rare in production but first after the cuts
    #: or the acceptance (E137's bremsstrahlung beside the resonance's soft A's) is not starved.
    channel_shares: np.ndarray | None = None
    _ctau: float | None = None
    _rates: np.ndarray | None = None

    @property
    def rate_per_pot(self) -> float:
        return float(self.rates.sum())

    @property
    def rates(self) -> np.ndarray:
        """Production rate per POT of each channel (computed once: some integrate form factors)."""
        if self._rates is None:  # a cache: set once on the frozen object
            object.__setattr__(self, "_rates", np.array([c.rate_per_pot for c in self.channels]))
        return self._rates

    @property
    def ctau(self) -> float:
        """The LLP's c*tau in m (computed once: the hadronic widths interpolate tables)."""
        if self._ctau is None:  # a cache: set once on the frozen object
            object.__setattr__(self, "_ctau", self.model.ctau())
        return self._ctau


def _card_error(card: RunCard, key: str, value, msg: str, kind: type[CardError] = CardError) -> CardError:
    return kind(f"{card.source}: key {key} = {value!r}: {msg}")


#: The part of a scan's trials shared equally among its open channels (the rest goes by rate).
SCAN_EQUAL_SHARE = 0.25


def scan_shares(rates) -> np.ndarray | None:
    """Trial shares of a scan's channels: :data:`SCAN_EQUAL_SHARE` of them equal among the
    channels with a rate, the rest in proportion to the rates (None for one channel)."""
    rates = np.asarray(rates, dtype=np.float64)
    open_ = rates > 0
    if rates.size < 2 or not open_.any():
        return None
    return (1.0 - SCAN_EQUAL_SHARE) * rates / rates.sum() + SCAN_EQUAL_SHARE * open_ / open_.sum()


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


def _resolve_path(card: RunCard, path):
    """A path from the card: as written if it exists (a glob pattern: if it matches), else
    relative to the card's folder; a list, each of its entries."""
    import glob
    from pathlib import Path

    if not isinstance(path, str):
        return [_resolve_path(card, p) for p in path]
    p = Path(path)
    if any(c in path for c in "*?["):
        if glob.glob(path) or p.is_absolute():
            return path
        alt = str(Path(card.source).parent / p)
        return alt if glob.glob(alt) else path
    if p.exists() or p.is_absolute():
        return str(p)
    alt = Path(card.source).parent / p
    return str(alt) if alt.exists() else str(p)


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


def build_job(card: RunCard, decay_hints: bool = True) -> Job:
    """Resolve a validated run card into a Job (loads geometry, model, sources).

    Physics checks that need the model (closed channels, masses where the full width is
    not computed) raise CardError naming the card key. ``decay_hints=False`` keeps the
    proposals independent of the LLP's lifetime (coupling scans reweight one sample to many
    lifetimes; fipgen.scan).
    """
    from .card import MAX_POT, MAX_TRIALS
    from .geometry import load_beamline, load_detector
    from .geometry.overlaps import check_detector_on_beamline
    from .production.channels.cascade import HNLFromBosonChannel

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
        if card.meson_sources != "beamline":
            from .production.sources.resolve import sources_variant

            try:
                beamline = sources_variant(beamline, card.meson_sources)
            except PhysicsError as err:
                raise _card_error(card, "experiment.meson_sources", card.meson_sources, str(err)) from None
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
        from .production.sources.external import ExternalParents

        path, fmt, z_off = card.parents
        try:
            external = ExternalParents(_resolve_path(card, path), fmt, z_off, beamline=beamline)
        except (PhysicsError, InputFileError) as err:
            raise _card_error(card, "experiment.parents", path, str(err)) from None

    # one registry entry per card channel (fipgen.registry); a Z' or ALP channel of a card
    # detecting the HNL makes it through X -> N N (fipgen.production.channels.cascade)
    boson_models = {}
    channels, closed = [], []
    why: dict[str, str] = {}  # closed channels: the masses that close them, where known
    for particle, what in card.produce:
        entry = registry.spec(f"{particle}:{what}")
        name = entry.name
        if entry.hadron_beam and beamline.lepton_beam:  # before any build: a closed mass must not hide it
            shower = [e.name for e in registry.specs() if not e.hadron_beam]
            raise _card_error(card, "signal.produce", name,
                              f"needs a hadron beam (mesons or protons); beamline {beamline.name!r} has beam_particle = "
                              f"{beamline.beam_particle}: allowed there: " + ", ".join(shower))
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
        from .production.channels.alp_scatter import PROCESS_NAMES, scatter_spec

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



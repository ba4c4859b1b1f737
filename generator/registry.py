"""The production-channel registry: one entry per run-card channel name.

Each :class:`ChannelSpec` says everything the rest of fipgen needs to know about a channel of
``signal.produce``:

* its **codes** in the ``channel`` branch of the output files: one per sub-channel its builder
  can make (``zprime:bremsstrahlung`` makes ``zprime:bremsstrahlung`` in the target, code 4, and
  ``zprime:bremsstrahlung (absorber)``, code 5; ``hnl:K+`` makes ``hnl:K+ -> mu+ N`` and its
  siblings). The codes are fixed; a file written by one version is read by the next;
* its **builder**, ``"module:function"`` imported on first use: ``builder(ctx) -> (channels,
  closed, reasons)`` with ``ctx`` a :class:`BuildContext`, ``channels`` the open
  sub-channels (objects of the :class:`fipgen.production.channels.sample.ProductionChannel` interface),
  ``closed`` the names of the closed ones and ``reasons`` why some are closed (name -> text);
* the **power** of each scan coupling in its production rate (:func:`production_power`,
  used by :mod:`fipgen.scan`): ``R(c) = R(c0) (c/c0)^n`` (times ``BR(X -> N N)`` for the
  ``X -> N N`` sub-channels, reweighted from the X model);
* its **kinematic limit**: the mass of the produced particle below which it is open, for a
  beamline (quoted when every channel of a card is closed).

Codes
-----
=====================================  ==========================================================
Z'                                     1 ``pi0``, 2 ``eta``, 3 ``omega`` (omega -> pi0 Z'), 4
                                       ``bremsstrahlung`` (target), 5 (absorber); from the dump's
                                       showers 7 ``associated`` (e+ e- -> gamma Z'), 8
                                       ``resonant`` (e+ e- -> Z'), 9 ``compton`` (gamma e -> e Z'),
                                       10 ``e-bremsstrahlung`` (e Z -> e Z Z')
ALP                                    11 ``pi0``, 12 ``eta`` (mixing), 13 ``primakoff``, 14
                                       ``compton``, 15 ``resonant``, 16 ``associated``, 17
                                       ``e-bremsstrahlung`` (from the dump's shower; the card
                                       name ``alp:bremsstrahlung`` is an alias)
HNL ``hnl:<parent> -> ...``            ``100 + 10 * parent + mode``: parent pi+ 1, pi- 2, K+ 3,
                                       K- 4, K0L 5, D+ 6, D- 7, Ds+ 8, Ds- 9; mode 1, 2, 3 for the
                                       two-body decays to e, mu, tau, 4, 5 for ``pi e N``,
                                       ``pi mu N``
HNL ``hnl:tau -> X``                   ``200 + k``, k = 1..7: N pi-, N K-, N rho-, N e- nu_e,
                                       N mu- nu_mu, nu_tau e- N, nu_tau mu- N
HNL from ``X -> N N``                  ``300 +`` the code of X's sub-channel (301
                                       ``zprime:pi0 -> N N``, 311 ``alp:pi0 -> N N``...)
=====================================  ==========================================================

Adding a channel: one production module (its channel class and a builder function) and one
entry in :data:`_ENTRIES`. Importing this module imports nothing from
:mod:`fipgen.production` (the builders are named, not imported), so the run card may use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import FipgenError
from .models.params import coupling_keys

__all__ = [
    "ALIASES",
    "COUPLING_KEYS",
    "NN_SUFFIX",
    "PARTICLES",
    "TAU_DECAYS",
    "BuildContext",
    "ChannelError",
    "ChannelSpec",
    "all_codes",
    "canonical_name",
    "channel_code",
    "channel_names",
    "production_channels",
    "production_power",
    "spec",
    "spec_of",
    "specs",
    "register",
    "boson_entry",
]

#: Couplings a scan may vary (fipgen.scan.axes), as run-card keys: from the models' parameter
#: declarations (fipgen.models.params).
COUPLING_KEYS = coupling_keys()

#: Produced particles, in the order of the card's channel list.
PARTICLES = ("zprime", "alp", "hnl")

#: Suffix of the sub-channels of a boson X that decays to the detected HNL (fipgen.production.channels.cascade).
NN_SUFFIX = " -> N N"
#: Offset of the code of ``<X sub-channel> -> N N`` over the X sub-channel's code.
NN_OFFSET = 300


class ChannelError(FipgenError):
    """A production-channel name the registry does not know."""


@dataclass(frozen=True)
class BuildContext:
    """What a channel builder needs (fipgen.job.build_job makes one per card channel).

    Parameters
    ----------
    name : the run-card channel name (``"zprime:pi0"``).
    card : the validated run card (fipgen.card.RunCard): its keys name the errors.
    model : the model of the channel's particle (the Z' or ALP of an ``X -> N N`` chain too).
    beamline : the beamline (fipgen.geometry), its protons' momentum in GeV/c.
    external : the external parent list (fipgen.production.sources.external.ExternalParents) of
        ``experiment.parents``, or None for the packaged sources.
    decay_hints : whether the proposals may use the particle's own lifetime (True only when
        it is the detected particle and build_job's ``decay_hints`` is on; coupling scans turn
        it off so one sample reweights to every lifetime).
    """

    name: str
    card: Any
    model: Any
    beamline: Any
    external: Any = None
    decay_hints: bool = False

    @property
    def decay_ctau(self) -> float | None:
        """The particle's c tau (m) for a decay-aware proposal, or None (``decay_hints``)."""
        return self.model.ctau() if self.decay_hints else None


def _meson_limit(pdg: int, *minus: int) -> Callable[[Any], float]:
    """Limit ``M_pdg - sum M_minus`` in GeV (the parent's mass less its other daughters'),
    masses from fipgen.constants on call."""

    def limit(beamline) -> float:
        from .constants import mass

        return mass(pdg) - sum(mass(m) for m in minus)

    return limit


def _beam_limit(beamline) -> float:
    """Limit of the proton-beam and shower channels: the beam momentum (GeV/c), a loose bound."""
    return float(beamline.beam_momentum)


@dataclass(frozen=True)
class ChannelSpec:
    """One run-card production channel (module docstring).

    Parameters
    ----------
    name : the run-card name, ``"<particle>:<what>"``.
    codes : sub-channel name -> code in the ``channel`` branch (the ``X -> N N``
        sub-channels of a boson X included).
    builder : ``"module:function"`` under the fipgen package, imported on first use.
    powers : scan coupling key -> power of the rate in that coupling (a key not given: 0).
    limit : ``limit(beamline)``: the mass (GeV) below which the channel is open.
    limit_note : what else the channel needs, quoted with the limit (e.g. isovector charges).
    hadron_beam : the channel needs a hadron beam (its parents are mesons or the beam's
        protons); refused on an electron or positron beam (fipgen.job.build_job).
    """

    name: str
    codes: Mapping[str, int]
    builder: str
    powers: Mapping[str, int] = field(default_factory=dict)
    limit: Callable[[Any], float] = _beam_limit
    limit_note: str = ""
    hadron_beam: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", MappingProxyType(dict(self.codes)))
        object.__setattr__(self, "powers", MappingProxyType(dict(self.powers)))

    @property
    def particle(self) -> str:
        return self.name.partition(":")[0]

    @property
    def what(self) -> str:
        return self.name.partition(":")[2]

    def build(self, ctx: BuildContext) -> tuple[list, list[str], dict[str, str]]:
        """``(open channels, closed names, reasons)`` for ``ctx`` (module docstring)."""
        module, _, func = self.builder.partition(":")
        return getattr(importlib.import_module(module), func)(ctx)

    def power(self, coupling_key: str) -> int:
        """Power of the rate in ``coupling_key`` (0: the rate does not depend on it)."""
        if coupling_key not in COUPLING_KEYS:
            raise ChannelError(f"coupling key {coupling_key!r}: allowed: {', '.join(COUPLING_KEYS)}")
        return int(self.powers.get(coupling_key, 0))


def boson_entry(name: str, code: int, builder: str, powers: dict[str, int], limit, limit_note: str = "",
                extra: dict[str, int] | None = None, hadron_beam: bool = False) -> ChannelSpec:
    """A Z' or ALP entry: its sub-channels and, for each, its ``-> N N`` sub-channel (code + 300)."""
    own = {name: code, **(extra or {})}
    codes = {**own, **{k + NN_SUFFIX: NN_OFFSET + v for k, v in own.items()}}
    return ChannelSpec(name, codes, builder, powers, limit, limit_note, hadron_beam)


# HNL sub-channel codes (module docstring): parents, leptonic modes, tau decays
_HNL_PARENT = {"pi+": 1, "pi-": 2, "K+": 3, "K-": 4, "K0L": 5, "D+": 6, "D-": 7, "Ds+": 8, "Ds-": 9}
_TWO_BODY = ("pi+", "pi-", "K+", "K-", "D+", "D-", "Ds+", "Ds-")  # h -> l N for l = e, mu, tau
_MODE = {("two", "e"): 1, ("two", "mu"): 2, ("two", "tau"): 3, ("three", "e"): 4, ("three", "mu"): 5}
#: tau -> N X sub-channels in the order of fipgen.models.hnl_production.TAU_CHANNELS (codes 200 + k)
TAU_DECAYS = ("N pi-", "N K-", "N rho-", "N e- nu_e", "N mu- nu_mu", "nu_tau e- N", "nu_tau mu- N")


def _hnl_codes(parent: str) -> dict[str, int]:
    """Every sub-channel ``fipgen.production.channels.hnl_sources.hnl_channels(parent, ...)`` can name."""
    if parent == "tau":
        return {f"hnl:tau -> {t}": 200 + k for k, t in enumerate(TAU_DECAYS, start=1)}
    sign = parent[-1] if parent[-1] in "+-" else ""
    base = 100 + 10 * _HNL_PARENT[parent]
    out = {}
    if parent in _TWO_BODY:
        out.update({f"hnl:{parent} -> {lep}{sign} N": base + _MODE[("two", lep)] for lep in ("e", "mu", "tau")})
    if parent in ("K+", "K-"):
        out.update({f"hnl:{parent} -> pi0 {lep}{sign} N": base + _MODE[("three", lep)] for lep in ("e", "mu")})
    if parent == "K0L":
        out.update({f"hnl:K0L -> pi {lep} N": base + _MODE[("three", lep)] for lep in ("e", "mu")})
    return out


_Z = {"model.zprime.coupling": 2}  # BR(P -> gamma Z'), bremsstrahlung, showers: g^2 (eps^2)
_AGG = {"model.alp.g_gamma": 2}  # Primakoff gamma A -> a A: g_agg^2
_AEE = {"model.alp.g_electron": 2}  # the shower's electron processes: g_aee^2
_MIX: dict[str, int] = {}  # ALP-meson mixing: set by c_gg / f_a, which scans do not vary
_HNL_MIX = {"model.hnl.mixing": 1}  # meson and tau decays: |U|^2

_B = "fipgen.production.channels.builders:"

_ENTRIES = (
    boson_entry("zprime:pi0", 1, _B + "meson_decay", _Z, _meson_limit(111), hadron_beam=True),
    boson_entry("zprime:eta", 2, _B + "meson_decay", _Z, _meson_limit(221), hadron_beam=True),
    boson_entry("zprime:omega", 3, _B + "meson_decay", _Z, _meson_limit(223, 111), " and isovector charges",
                hadron_beam=True),
    boson_entry("zprime:bremsstrahlung", 4, _B + "proton_bremsstrahlung", _Z, _beam_limit,
                extra={"zprime:bremsstrahlung (absorber)": 5}, hadron_beam=True),
    boson_entry("zprime:associated", 7, _B + "zprime_shower", _Z, _beam_limit),
    boson_entry("zprime:resonant", 8, _B + "zprime_shower", _Z, _beam_limit),
    boson_entry("zprime:compton", 9, _B + "zprime_shower", _Z, _beam_limit),
    boson_entry("zprime:e-bremsstrahlung", 10, _B + "zprime_shower", _Z, _beam_limit),
    boson_entry("alp:pi0", 11, _B + "meson_mixing", _MIX, _meson_limit(111), hadron_beam=True),
    boson_entry("alp:eta", 12, _B + "meson_mixing", _MIX, _meson_limit(221), hadron_beam=True),
    boson_entry("alp:primakoff", 13, _B + "shower", _AGG, _beam_limit),
    boson_entry("alp:compton", 14, _B + "shower", _AEE, _beam_limit),
    boson_entry("alp:resonant", 15, _B + "shower", _AEE, _beam_limit),
    boson_entry("alp:associated", 16, _B + "shower", _AEE, _beam_limit),
    boson_entry("alp:e-bremsstrahlung", 17, _B + "shower", _AEE, _beam_limit),
    # HNL: open below the parent's mass less its lightest other daughters (e, or pi e for K0L)
    *(ChannelSpec(f"hnl:{p}", _hnl_codes(p), _B + "hnl_decays", _HNL_MIX, _meson_limit(*pdgs), hadron_beam=True)
      for p, pdgs in (("pi+", (211, 11)), ("pi-", (211, 11)), ("K+", (321, 11)), ("K-", (321, 11)),
                      ("K0L", (130, 211, 11)), ("D+", (411, 11)), ("D-", (411, 11)), ("Ds+", (431, 11)),
                      ("Ds-", (431, 11)), ("tau", (15, 11)))),
)

#: Former card names still accepted (issue 17's one scheme for the shower channels of ALPs and
#: Z's, ``<particle>:e-bremsstrahlung | associated | resonant | compton``): old -> current.
ALIASES = MappingProxyType({"alp:bremsstrahlung": "alp:e-bremsstrahlung"})

_BY_NAME = {e.name: e for e in _ENTRIES}
_BY_SUB = {sub: e for e in _ENTRIES for sub in e.codes}


def register(entry: ChannelSpec) -> None:
    """Add ``entry`` to the registry of this process (a channel defined outside fipgen, in a
    user's own module: its builder is ``"their_module:function"``). Its name and every code must
    be new (ChannelError otherwise). Worker processes of a parallel scan start from fipgen's own
    entries: register there too (e.g. on import of the module that defines the channel)."""
    global _ENTRIES
    if entry.particle not in PARTICLES:
        raise ChannelError(f"channel {entry.name!r}: the particle must be one of {', '.join(PARTICLES)}")
    if entry.name in _BY_NAME:
        raise ChannelError(f"channel {entry.name!r} is registered already")
    used = set(all_codes().values())
    clash = sorted(c for c in entry.codes.values() if c in used)
    if clash or len(set(entry.codes.values())) != len(entry.codes):
        raise ChannelError(f"channel {entry.name!r}: codes {clash or sorted(entry.codes.values())} are taken; "
                           "give new ones")
    _ENTRIES = (*_ENTRIES, entry)
    _BY_NAME[entry.name] = entry
    _BY_SUB.update({sub: entry for sub in entry.codes})


def channel_names(particle: str) -> tuple[str, ...]:
    """The card names of ``particle``'s channels (``"zprime"`` -> ``("zprime:pi0", ...)``)."""
    if particle not in PARTICLES:
        raise ChannelError(f"particle {particle!r}: allowed: {', '.join(PARTICLES)}")
    return tuple(e.name for e in _ENTRIES if e.particle == particle)


def specs() -> tuple[ChannelSpec, ...]:
    """Every entry, in the order of the card's channel list."""
    return _ENTRIES


def canonical_name(name: str) -> str:
    """``name`` with a former card name (:data:`ALIASES`) replaced by its current one."""
    return ALIASES.get(name, name) if isinstance(name, str) else name


def spec(name: str) -> ChannelSpec:
    """The entry of run-card channel ``name`` (a former name of :data:`ALIASES` too; ChannelError
    naming the allowed ones if unknown)."""
    try:
        return _BY_NAME[canonical_name(name)]
    except (KeyError, TypeError):
        raise ChannelError(f"production channel {name!r}: allowed: {', '.join(_BY_NAME)}") from None


def spec_of(sub_channel: str) -> ChannelSpec:
    """The entry whose builder makes ``sub_channel`` (e.g. ``"hnl:K+ -> mu+ N"`` -> ``hnl:K+``)."""
    try:
        return _BY_SUB[sub_channel]
    except (KeyError, TypeError):
        raise ChannelError(f"production sub-channel {sub_channel!r} is in no registry entry (allowed: the "
                           f"sub-channels of {', '.join(_BY_NAME)}; fipgen.registry)") from None


def channel_code(sub_channel: str) -> int:
    """Code of a production (sub-)channel in the ``channel`` branch (module docstring)."""
    return spec_of(sub_channel).codes[sub_channel]


def all_codes() -> dict[str, int]:
    """Every sub-channel name -> its code."""
    return {sub: e.codes[sub] for sub, e in _BY_SUB.items()}


def production_power(sub_channel: str, coupling_key: str) -> int:
    """``n``: the rate of ``sub_channel`` goes as ``c^n`` in the scan coupling ``coupling_key``
    (times ``BR(X -> N N)`` for an ``X -> N N`` sub-channel, whose power is X's own)."""
    return spec_of(sub_channel).power(coupling_key)


def production_channels() -> dict[str, tuple[str, ...]]:
    """``{particle: (what, ...)}`` of every entry (fipgen.card.PRODUCTION_CHANNELS)."""
    return {p: tuple(e.what for e in _ENTRIES if e.particle == p) for p in PARTICLES}

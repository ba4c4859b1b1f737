"""Run cards: TOML files with a strict schema.

A run card names the experiment (detector, beamline, POT), the model (particles and
couplings), the signal (production channels, detection, final states) and the run
(events, seed, chunking, output). Every key is checked: an unknown key, a wrong type, a
missing required value or a value out of range raises :class:`fipgen.errors.CardError`
whose one-line message names the key, the value and what is allowed.

The schema is the table :data:`SCHEMA` below: one entry per key, with its type,
default and check. ``fipgen`` documents it in the README (run-card reference); the
test-suite checks the README lists every key.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import registry
from .constants import MAX_POT, MAX_TRIALS
from .errors import CardError
from .models.params import MODEL_PARAMS

__all__ = [
    "CARD_VERSION", "CARD_VERSIONS", "PRODUCTION_CHANNELS", "CASCADE_PARENTS", "DETECTION_MODES", "SCATTER_PROCESSES",
    "COMPRESSIONS", "MAX_POT", "MAX_TRIALS", "Key", "OUTPUT_FORMATS", "RESONANCE_FAMILIES", "NUMBER", "SCHEMA",
    "MODEL_PARTICLES", "ModelSpec", "ZPrimeSpec", "RunCard", "parse_card", "load_card", "default_card_name",
    "load_packaged_card",
]

# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------

#: Run-card format version: an optional top-level key ``version = 1`` (cards without it are
#: read as this version). A future format change raises it and keeps reading the older ones.
CARD_VERSION = 1
#: Versions this fipgen reads.
CARD_VERSIONS = (1,)

# The [model.<particle>] keys come from fipgen.models.params (the Z' kinds there leave out
# "generic", whose per-fermion charges the card does not take yet).

#: Production channels implemented, by particle: ``{particle: (what, ...)}`` of the entries of
#: fipgen.registry (a channel that is not there is refused with the list of allowed ones).
PRODUCTION_CHANNELS = registry.production_channels()  # at import; the parser asks the registry each time

#: Bosons whose production channels make the detected HNL through X -> N N
#: (fipgen.production.channels.cascade), when the card has both [model.<X>] and [model.hnl].
CASCADE_PARENTS = ("zprime", "alp")

#: Detection modes implemented, by particle.
DETECTION_MODES = {"zprime": ("decay",), "alp": ("decay", "scatter"), "hnl": ("decay",)}

#: Scattering processes of ``alp:scatter`` (signal.scatter).
SCATTER_PROCESSES = ("primakoff", "compton")

COMPRESSIONS = ("zstd", "lz4", "zlib", "none")




@dataclass(frozen=True)
class Key:
    """One key of the schema: python type(s), whether required, default, and a check.

    ``check(value)`` returns None when the value is allowed, else a short phrase saying
    what is allowed (used in the error message).
    """

    types: tuple[type, ...]
    required: bool = False
    default: Any = None
    check: Callable[[Any], str | None] | None = None
    doc: str = ""
    #: what is allowed, quoted when the value has the wrong type (e.g. a float for an integer)
    allowed: str = ""


def _positive(v: Any) -> str | None:
    return None if math.isfinite(v) and v > 0 else "a finite number > 0"


def _finite(v: Any) -> str | None:
    return None if math.isfinite(v) else "a finite number"


def _nonneg(v: Any) -> str | None:
    return None if math.isfinite(v) and v >= 0 else "a finite number >= 0"


def _nonneg_int(v: Any) -> str | None:
    return None if v >= 0 else "an integer >= 0"


def _parent_paths(v: Any) -> str | None:
    if isinstance(v, str):
        return None if v.strip() else "a file path, a glob pattern or a list of them"
    ok = len(v) > 0 and all(isinstance(x, str) and x.strip() for x in v)
    return None if ok else "a file path, a glob pattern or a non-empty list of them"


def _positive_int(v: Any) -> str | None:
    return None if v > 0 else "an integer > 0"


def _pot(v: Any) -> str | None:
    return None if math.isfinite(v) and 0 < v <= MAX_POT else f"a number > 0 and <= {MAX_POT:.0e}"


_TRIALS_RANGE = f"an integer from 1 to {MAX_TRIALS:_} (1e12)"


def _trials(v: Any) -> str | None:
    return None if 0 < v <= MAX_TRIALS else _TRIALS_RANGE


def _one_of(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if v in options else "one of " + ", ".join(repr(o) for o in options)

    return check


def _str_list(v: Any) -> str | None:
    if isinstance(v, str):
        v = [v]
    return None if all(isinstance(x, str) and x for x in v) and len(v) > 0 else "a non-empty list of strings"


OUTPUT_FORMATS = ("root", "hepmc3", "hepmc2", "hepevt", "mevprtl", "mevprtl-nm")


def _formats(v: Any) -> str | None:
    v = [v] if isinstance(v, str) else v
    ok = len(v) > 0 and all(isinstance(x, str) and x in OUTPUT_FORMATS for x in v) and len(set(v)) == len(v)
    return None if ok else "a non-empty list of distinct names from " + ", ".join(repr(f) for f in OUTPUT_FORMATS)


def _unit_interval(v: Any) -> str | None:
    return None if math.isfinite(v) and 0 < v <= 1 else "a number in (0, 1]"


def _open_unit(v: Any) -> str | None:
    return None if math.isfinite(v) and 0 < v < 1 else "a number strictly between 0 and 1"


def _elements(v: Any) -> str | None:
    ok = len(v) > 0 and all(isinstance(x, str) and x in ("target", "absorber") for x in v) and len(set(v)) == len(v)
    return None if ok else "a non-empty list of distinct names from 'target', 'absorber'"


RESONANCE_FAMILIES = ("pi0", "eta", "eta'", "rho", "omega", "phi", "K*")


def _resonances(v: Any) -> str | None:
    ok = all(isinstance(x, str) and x in RESONANCE_FAMILIES for x in v) and len(set(v)) == len(v)
    return None if ok else "a list of distinct names from " + ", ".join(repr(r) for r in RESONANCE_FAMILIES)


def _compression(v: Any) -> str | None:
    algo, _, level = v.partition(":")
    if algo not in COMPRESSIONS:
        return "'ALGO' or 'ALGO:LEVEL' with ALGO one of " + ", ".join(COMPRESSIONS)
    if level and (not level.isdigit() or not 0 <= int(level) <= 9):
        return "a level from 0 to 9 after the colon"
    return None


NUMBER = (int, float)

SCHEMA: dict[str, dict[str, Key]] = {
    "experiment": {
        "detector": Key((str,), required=True, doc="packaged detector name (see `fipgen detectors`) or path to a detector .toml"),
        "beamline": Key((str,), doc="beamline name or path; default: the detector file's beamline"),
        "pot": Key(NUMBER, check=_pot, doc="protons on target, 0 < pot <= 1e30 (MAX_POT); default: the detector "
                                             "file's exposure_pot (same bound)"),
        "parents": Key((str, list), check=_parent_paths,
                       doc="external parent list replacing the beamline's meson sources: MeVPrtl text "
                           "(px py pz E pdg weight npot), a dk2nu ROOT file or sbncode TxtFileGenNM text (px py pz "
                           "x y z start_t wgt: pi0 with their production points); a glob pattern or a list of files "
                           "is one sample of their summed POT"),
        "parents_format": Key((str,), check=_one_of(("mevprtl", "dk2nu", "mevprtl-nm")),
                              doc="format of experiment.parents; default from the extension (.root: dk2nu, "
                                  ".mevprtl-nm.txt: mevprtl-nm)"),
        "parents_z_offset": Key(NUMBER, default=0.0, check=_finite,
                                doc="metres added to a dk2nu or mevprtl-nm file's z to reach the beamline frame"),
        "meson_sources": Key((str,), default="beamline",
                             check=_one_of(("beamline", "cascade", "cascade+fits", "first-interactions")),
                             doc="'beamline': the sources the beamline file names; 'cascade': the beam's own hadron "
                                 "cascade in the beamline's solids (fipgen.cascade); 'cascade+fits': that cascade "
                                 "with the target's first-interaction mesons of measured species from the fits the "
                                 "file names (BNB Sanford-Wang, 120 GeV BMPT); 'first-interactions': the file's "
                                 "first-interaction tables alone (the sources before the cascade)"),
    },
    "signal": {
        "produce": Key((list, str), required=True, check=_str_list, doc='production channels "particle:channel"'),
        "detect": Key((str,), required=True, doc='"particle:decay"'),
        "final_states": Key((str, list), default="visible", doc='"visible", "all" or a list of channel names'),
        "hnl_polarisation": Key((bool,), default=True,
                                doc="decay HNLs with the polarisation their production gives them (h -> l N); false: isotropic"),
        "scatter": Key((list,), default=["primakoff", "compton"], check=lambda v: None if (
            len(v) > 0 and len(set(v)) == len(v) and all(x in SCATTER_PROCESSES for x in v)) else
            "a non-empty list of distinct names from " + ", ".join(repr(x) for x in SCATTER_PROCESSES),
            doc="alp:scatter: inverse Primakoff a A -> gamma A and/or inverse Compton a e -> gamma e"),
        "decay_resonances": Key((list,), default=["pi0", "eta", "eta'", "rho", "omega", "phi", "K*"], check=_resonances,
                                doc="SM resonance families among the daughters decayed by fipgen"),
    },
    "signal.cuts": {
        "min_daughter_energy": Key(NUMBER, default=0.0, check=_nonneg,
                                   doc="fipgen scan/acceptance: minimum energy (GeV) of every visible daughter"),
        "min_opening_angle": Key(NUMBER, default=0.0, check=_nonneg,
                                 doc="fipgen scan/acceptance: minimum opening angle (rad) of the two leading visible daughters"),
        "efficiency": Key(NUMBER, default=1.0, check=_unit_interval, doc="fipgen scan/acceptance: overall efficiency factor"),
        "min_visible_energy": Key(NUMBER, default=0.0, check=_nonneg,
                                  doc="fipgen scan/acceptance: minimum summed energy (GeV) of the visible daughters"),
    },
    "signal.bremsstrahlung": {
        "treatment": Key((str,), default="blumlein-brunner", check=_one_of(("quasi-real", "blumlein-brunner")),
                         doc="central treatment of proton bremsstrahlung (the other is an alternative weight)"),
        "lambda_p": Key(NUMBER, default=1.5, check=_positive,
                        doc="Lambda_p (GeV) of the off-shell proton form factor of the quasi-real treatment"),
        "z_min": Key(NUMBER, default=0.1, check=_open_unit, doc="lowest z = p_Z',z / p_beam"),
        "z_max": Key(NUMBER, default=0.9, check=_open_unit, doc="highest z"),
        "pt_max": Key(NUMBER, default=1.0, check=_positive, doc="largest Z' transverse momentum (GeV)"),
        "elements": Key((list,), default=["target", "absorber"], check=_elements,
                        doc="beamline elements where primary protons radiate"),
    },
    "run": {
        "events": Key((int,), default=100_000, check=_trials, allowed=_TRIALS_RANGE,
                      doc="trials to generate, 1 to 1e12 (MAX_TRIALS; events written: those with non-zero weight)"),
        "seed": Key((int,), default=1, check=_nonneg_int, doc="run seed (SeedSequence entropy)"),
        "chunk_size": Key((int,), default=65_536, check=_positive_int, doc="trials held in memory at once (rounded up to a multiple of 16384)"),
        "output": Key((str,), default="fipgen_events.root", doc="output file (the stem with several formats)"),
        "formats": Key((list, str), default=["root"], check=_formats,
                       doc="output formats: root, hepmc3, hepmc2, hepevt, mevprtl, mevprtl-nm"),
        "compression": Key((str,), default="zstd:1", check=_compression, doc="ROOT compression ALGO[:LEVEL], ALGO in zstd, lz4, zlib, none"),
        "hepmc_frame": Key((str,), default="beam", check=_one_of(("beam", "detector")),
                           doc="frame of HepMC3/HepMC2 positions and momenta: beam or detector"),
    },
}

def _model_key(param) -> Key:
    """The card key of a model parameter (fipgen.models.params, the one declaration)."""
    types = {"number": NUMBER, "bool": (bool,), "string": (str,)}[param.kind]
    return Key(types, required=param.required, default=None if param.required else param.default,
               check=None if not param.allowed else param.check, doc=param.text)


#: Allowed sub-tables of [model]; each particle entry is a table (inline or not).
MODEL_PARTICLES = tuple(MODEL_PARAMS)

# [model.<particle>] keys, generated from the models' parameter declarations
SCHEMA.update({f"model.{particle}": {q.name: _model_key(q) for q in params} for particle, params in MODEL_PARAMS.items()})


# ---------------------------------------------------------------------------------------
# Parsed card
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """One validated ``[model.<particle>]`` table: ``particle`` and its keys as attributes."""

    particle: str
    params: tuple[tuple[str, Any], ...]

    def __getattr__(self, name: str) -> Any:
        for k, v in object.__getattribute__(self, "params"):
            if k == name:
                return v
        raise AttributeError(f"model.{object.__getattribute__(self, 'particle')} has no key {name!r}")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


#: Backwards-compatible name of the Z' entry (``card.zprime.kind``, ``.mass``, ``.coupling``).
ZPrimeSpec = ModelSpec


@dataclass(frozen=True)
class RunCard:
    """A validated run card. Paths are as written in the card (resolved by the loaders)."""

    detector: str
    beamline: str | None
    pot: float | None
    parents: tuple | None
    models: dict[str, ModelSpec]
    produce: tuple[tuple[str, str], ...]
    detect: tuple[str, str]
    final_states: str | tuple[str, ...]
    decay_resonances: tuple[str, ...]
    hnl_polarisation: bool
    scatter: tuple
    bremsstrahlung: tuple
    cuts: tuple
    events: int
    seed: int
    chunk_size: int
    output: str
    compression: str
    formats: tuple = ("root",)
    hepmc_frame: str = "beam"
    meson_sources: str = "beamline"
    text: str = ""
    source: str = "<string>"
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def zprime(self) -> ModelSpec | None:
        """The ``[model.zprime]`` table, or None."""
        return self.models.get("zprime")

    @property
    def alp(self) -> ModelSpec | None:
        """The ``[model.alp]`` table, or None."""
        return self.models.get("alp")

    @property
    def hnl(self) -> ModelSpec | None:
        """The ``[model.hnl]`` table, or None."""
        return self.models.get("hnl")

    @property
    def llp(self) -> str:
        """The particle whose decays are detected (``signal.detect``)."""
        return self.detect[0]

    def replace(self, **changes: Any) -> RunCard:
        """A copy with some fields replaced (used for command-line overrides)."""
        from dataclasses import replace

        return replace(self, **changes)


def _typename(types: tuple[type, ...]) -> str:
    names = {int: "integer", float: "number", str: "string", list: "list", bool: "boolean", dict: "table"}
    if set(types) == {int, float}:
        return "number"
    return " or ".join(names.get(t, t.__name__) for t in types)


def _check_table(where: str, table: Any, spec: dict[str, Key], src: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise CardError(f"{src}: key {where} = {table!r}: expected a table")
    for k in table:
        if k not in spec:
            raise CardError(
                f"{src}: unknown key {where}.{k}; allowed keys in [{where}]: " + ", ".join(spec)
            )
    out: dict[str, Any] = {}
    for k, key in spec.items():
        full = f"{where}.{k}"
        if k not in table:
            if key.required:
                raise CardError(f"{src}: missing required key {full} ({key.doc})")
            out[k] = key.default
            continue
        v = table[k]
        # bool is an int subclass in Python: never accept it for a number
        if (isinstance(v, bool) and bool not in key.types) or not isinstance(v, key.types):
            if key.allowed and isinstance(v, float) and key.types == (int,):
                # TOML reads 1e6 or 2.0 as a float: say what is allowed
                raise CardError(f"{src}: key {full} = {v!r}: allowed: {key.allowed}, written without a decimal "
                                "point or exponent (TOML reads those as floats), e.g. 1_000_000")
            raise CardError(f"{src}: key {full} = {v!r}: expected {_typename(key.types)} ({key.doc})")
        if key.check is not None:
            msg = key.check(v)
            if msg is not None:
                raise CardError(f"{src}: key {full} = {v!r}: allowed: {msg}")
        out[k] = float(v) if key.types == NUMBER else v
    return out


def _split_channel(where: str, value: str, allowed: dict[str, tuple[str, ...]], src: str) -> tuple[str, str]:
    particle, sep, what = value.partition(":")
    options = [f"{p}:{c}" for p, cs in allowed.items() for c in cs]
    if not sep or particle not in allowed or what not in allowed[particle]:
        raise CardError(f"{src}: key {where} = {value!r}: allowed: " + ", ".join(repr(o) for o in options))
    return particle, what


def _parents_spec(exp: dict, src: str) -> tuple | None:
    """``(path, format, z_offset)`` of ``experiment.parents`` (format from the extension when
    not given: ``.root`` dk2nu, ``.mevprtl-nm.txt`` mevprtl-nm, else mevprtl), or None."""
    path = exp["parents"]
    if path is None:
        if exp["parents_format"] is not None:
            raise CardError(f"{src}: key experiment.parents_format = {exp['parents_format']!r}: allowed: only with experiment.parents")
        return None
    first = path if isinstance(path, str) else path[0]
    fmt = exp["parents_format"] or ("dk2nu" if first.endswith(".root") else
                                    "mevprtl-nm" if first.endswith(".mevprtl-nm.txt") else "mevprtl")
    return (path if isinstance(path, str) else tuple(path), fmt, float(exp["parents_z_offset"]))


def parse_card(text: str, source: str = "<string>") -> RunCard:
    """Parse and validate run-card TOML text. Raises CardError with a one-line message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CardError(f"{source}: not valid TOML: {err}") from None

    top = ("experiment", "model", "signal", "run")
    for k in data:
        if k == "version":
            continue
        if k not in top:
            raise CardError(f"{source}: unknown table [{k}]; allowed tables: " + ", ".join(f"[{t}]" for t in top)
                            + ", and the key version")
    version = data.get("version", CARD_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version not in CARD_VERSIONS:
        raise CardError(f"{source}: key version = {version!r}: allowed: " + ", ".join(map(str, CARD_VERSIONS))
                        + f" (the run-card format; this fipgen reads version {CARD_VERSION})")
    for req in ("experiment", "model", "signal"):
        if req not in data:
            raise CardError(f"{source}: missing required table [{req}]")

    exp = _check_table("experiment", data["experiment"], SCHEMA["experiment"], source)
    model = data["model"]
    if not isinstance(model, dict):
        raise CardError(f"{source}: key model = {model!r}: expected a table")
    for k in model:
        if k not in MODEL_PARTICLES:
            raise CardError(f"{source}: unknown key model.{k}; allowed particles: " + ", ".join(MODEL_PARTICLES))
    if not model:
        raise CardError(f"{source}: missing required key model.<particle>: one of " + ", ".join(MODEL_PARTICLES))
    models = {
        k: ModelSpec(k, tuple(_check_table(f"model.{k}", model[k], SCHEMA[f"model.{k}"], source).items()))
        for k in MODEL_PARTICLES
        if k in model
    }
    sig_raw = data["signal"]
    brems_raw = cuts_raw = None
    if isinstance(sig_raw, dict) and ("bremsstrahlung" in sig_raw or "cuts" in sig_raw):
        sig_raw = dict(sig_raw)
        brems_raw = sig_raw.pop("bremsstrahlung", None)
        cuts_raw = sig_raw.pop("cuts", None)
    cuts = _check_table("signal.cuts", cuts_raw if cuts_raw is not None else {}, SCHEMA["signal.cuts"], source)
    sig = _check_table("signal", sig_raw, SCHEMA["signal"], source)
    brems = _check_table("signal.bremsstrahlung", brems_raw if brems_raw is not None else {},
                         SCHEMA["signal.bremsstrahlung"], source)
    if not brems["z_min"] < brems["z_max"]:
        raise CardError(f"{source}: key signal.bremsstrahlung.z_max = {brems['z_max']!r}: allowed: a number above "
                        f"z_min = {brems['z_min']!r}")
    run = _check_table("run", data.get("run", {}), SCHEMA["run"], source)

    produce_raw = sig["produce"] if isinstance(sig["produce"], list) else [sig["produce"]]
    produce = tuple(
        _split_channel(f"signal.produce[{i}]", registry.canonical_name(p), registry.production_channels(), source)
        for i, p in enumerate(produce_raw)
    )
    if len(set(produce)) != len(produce):
        raise CardError(f"{source}: key signal.produce = {produce_raw!r}: allowed: each channel at most once")
    if brems_raw is not None and ("zprime", "bremsstrahlung") not in produce:
        raise CardError(f"{source}: key signal.bremsstrahlung: allowed: only with 'zprime:bremsstrahlung' in signal.produce")
    detect = _split_channel("signal.detect", sig["detect"], DETECTION_MODES, source)
    if detect[0] not in models:
        raise CardError(
            f"{source}: key signal.detect = {sig['detect']!r}: allowed: a particle of [model] ("
            + ", ".join(repr(f"{p}:decay") for p in models) + ")"
        )
    for i, (particle, what) in enumerate(produce):
        if particle == detect[0]:
            continue
        # X -> N N: a Z' or ALP channel produces the detected HNL through the boson's decay
        if detect[0] == "hnl" and particle in CASCADE_PARENTS and particle in models:
            continue
        channels = registry.production_channels()
        allowed = [f"{detect[0]}:{c}" for c in channels.get(detect[0], ())]
        if detect[0] == "hnl":
            allowed += [f"{p}:{c}" for p in CASCADE_PARENTS if p in models for c in channels[p]]
        why = ("" if detect[0] != "hnl" or particle not in CASCADE_PARENTS else
               f" (a {particle} channel makes HNLs by {particle} -> N N: add a [model.{particle}] table)")
        raise CardError(
            f"{source}: key signal.produce[{i}] = '{particle}:{what}': allowed: channels producing the detected "
            f"particle {detect[0]!r}: " + (", ".join(repr(a) for a in allowed) or "none implemented yet") + why
        )

    fs = sig["final_states"]
    if isinstance(fs, str):
        if fs not in ("visible", "all"):
            raise CardError(f"{source}: key signal.final_states = {fs!r}: allowed: 'visible', 'all' or a list of channel names")
        final_states: str | tuple[str, ...] = fs
    else:
        if not fs or not all(isinstance(x, str) for x in fs):
            raise CardError(f"{source}: key signal.final_states = {fs!r}: allowed: 'visible', 'all' or a non-empty list of channel names")
        final_states = tuple(fs)

    card = RunCard(
        detector=exp["detector"],
        beamline=exp["beamline"],
        pot=exp["pot"],
        parents=_parents_spec(exp, source),
        meson_sources=exp["meson_sources"],
        models=models,
        produce=produce,
        detect=detect,
        final_states=final_states,
        decay_resonances=tuple(sig["decay_resonances"]),
        hnl_polarisation=sig["hnl_polarisation"],
        scatter=tuple(sig["scatter"]),
        bremsstrahlung=tuple(brems.items()),
        cuts=tuple(cuts.items()),
        events=run["events"],
        seed=run["seed"],
        chunk_size=run["chunk_size"],
        output=run["output"],
        formats=tuple([run["formats"]] if isinstance(run["formats"], str) else run["formats"]),
        compression=run["compression"],
        hepmc_frame=run["hepmc_frame"],
        text=text,
        source=source,
    )
    return card


def load_card(path: str | Path) -> RunCard:
    """Read and validate the run card at ``path`` (CardError if missing or invalid)."""
    p = Path(path)
    if not p.is_file():
        raise CardError(f"run card {str(path)!r} not found (no such file)")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CardError(f"run card {str(path)!r} cannot be read: {err}") from None
    return parse_card(text, source=str(path))


def default_card_name() -> str:
    """Name of the packaged example run by ``fipgen generate`` without a card."""
    return "sbnd_dark_photon.toml"


def load_packaged_card(name: str) -> RunCard:
    """Load a run card shipped in the package's ``examples`` folder."""
    from .resources import data_file

    f = data_file("examples", name)
    if not f.is_file():
        raise CardError(f"no packaged example card {name!r}")
    return parse_card(f.read_text(encoding="utf-8"), source=f"examples/{name}")

"""The one resolver from a beamline to its particle sources.

A beamline file names its sources in an optional table (``geometries/README.md``)::

    [beamline.particle_sources]
    mesons = "tables-120gev"        # which meson source set (below)
    table_entry = "numi"            # the entry of the 120 GeV tables' header for this target
    showers = "shower_numi.npz"     # the shower track-length table in fluxes/

Meson source sets:

* ``"bnb-sanford-wang"``: the BNB beryllium target at 8.89 GeV/c: pi+-, K0L from the
  Sanford-Wang fits and K+ from Feynman scaling (:mod:`.charged_mesons`), pi0 and eta from the
  pion fits (:mod:`.meson_spectra`); first interactions, normalised with the beamline's own
  interacting fraction. Refused for another beam momentum or target material.
* ``"bnb-dump-sanford-wang"``: the same pi0 / eta shapes at 2.42 pi0 per POT (the MiniBooNE
  steel dump, :func:`.meson_tables.bnb_dump_meson_source`).
* ``"tables-120gev"``: the Pythia 8 / BMPT / charm tables of ``fluxes/`` at 120 GeV/c
  (:mod:`.meson_tables`), with the per-POT normalisation of the header entry ``table_entry``.
* ``"cascade"``: the hadron cascade of the beam in the beamline's own solids
  (:mod:`fipgen.cascade`), any beam momentum and material: pi0, eta, eta', omega, rho0 and
  phi of all generations at their production points (:mod:`.cascade_sources`). Built on
  first use (or by ``fipgen sources BEAMLINE.toml``) and cached; ``cascade_pot`` sets the
  number of beam particles simulated (default :func:`fipgen.cascade.build.default_pot`).

With ``mesons = "cascade"`` two optional keys name first-interaction sets:
``first_interactions`` (``"bnb-sanford-wang"`` or ``"tables-120gev"``: their fits to
measurements replace the cascade's generation-1 mesons of those species in the target, the
later generations kept) and ``first_interaction_tables`` (any table set: the sources of the
run cards' variant ``experiment.meson_sources = "first-interactions"``, by default the
``first_interactions`` set). The packaged beamlines use their cascade, with the fits where
they exist (BNB, NuMI, LBNF), alone where they do not (the MiniBooNE and DarkQuest iron
dumps).

A beamline that names no meson source set gets ``"cascade"``: its own hadron cascade, built
the first time a run needs it. Which beamline a file describes is read from the file, never
from its name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from ...errors import PhysicsError

__all__ = ["MESON_SETS", "CASCADE_SPECIES", "meson_source", "meson_species", "shower_table_name", "check_sources",
           "cascade_tables", "beam_shower_tables", "cascade_parent_decays", "uses_cascade", "with_cascade_sources", "shower_solids", "cascade_ready", "MEASURED", "first_interaction_view",
           "VARIANTS", "sources_variant", "production_source",
           "measured_species"]

#: Meson source sets a beamline file may name (module docstring).
MESON_SETS = ("bnb-sanford-wang", "bnb-dump-sanford-wang", "tables-120gev", "cascade")

#: Species a cascade source set serves as production sources (the charged pi/K and K0L, the
#: HNL parents, are served as the cascade's own decays: :func:`cascade_parent_decays`).
CASCADE_SPECIES = (111, 221, 331, 223, 113, 333)

#: Species whose first-interaction spectra in a source set are fits to measurements (HARP for
#: the BNB Sanford-Wang set, NA49/SPY-based BMPT at 120 GeV): with ``first_interactions`` they
#: replace the cascade's generation-1 mesons of the target (``"cascade"``).
MEASURED = {"bnb-sanford-wang": (211, -211, 321, 130, 111), "tables-120gev": (211, -211, 321, -321)}

#: Where the BNB fits apply: beam momentum (GeV/c) and target material.
_BNB_MOMENTUM, _BNB_MATERIAL = 8.89, "Be"


#: The values of a run card's ``experiment.meson_sources`` (:func:`sources_variant`).
VARIANTS = ("beamline", "cascade", "cascade+fits", "first-interactions")


@dataclass(frozen=True)
class _Plan:
    mesons: str | None
    entry: str | None
    showers: str | None
    cascade_pot: int | None = None
    cascade_table: str | None = None
    first: str | None = None
    tables: str | None = None  # the first-interaction-only variant's set


def _plan(beamline) -> _Plan:
    ps = dict(beamline.particle_sources)
    pot = ps.get("cascade_pot")
    return _Plan(ps.get("mesons", "cascade"), ps.get("table_entry"), ps.get("showers"), int(pot) if pot else None,
                 ps.get("cascade_table"), ps.get("first_interactions"), ps.get("first_interaction_tables"))


def _first_interaction_set(plan: _Plan) -> str | None:
    """The set of the ``"first-interactions"`` variant: the file's ``first_interaction_tables``,
    else its ``first_interactions``, else its ``mesons`` when that is a table set."""
    if plan.tables is not None:
        return plan.tables
    if plan.first is not None:
        return plan.first
    return plan.mesons if plan.mesons != "cascade" else None


def check_sources(beamline) -> None:
    """PhysicsError (one line, naming the key) when the beamline names sources that do not
    exist or do not fit it (called when the beamline's sources are first used)."""
    plan = _plan(beamline)
    where = f"beamline {beamline.name!r} ({beamline.path}): particle_sources"
    if plan.mesons not in MESON_SETS:
        raise PhysicsError(f"{where}.mesons = {plan.mesons!r}: allowed: " + ", ".join(repr(m) for m in MESON_SETS))
    if plan.tables is not None:
        sets = tuple(m for m in MESON_SETS if m != "cascade")
        if plan.mesons != "cascade" or plan.tables not in sets:
            raise PhysicsError(f"{where}.first_interaction_tables = {plan.tables!r}: allowed with mesons = 'cascade': "
                               + ", ".join(repr(m) for m in sets))
        check_sources(_view(beamline, plan.tables))
    if plan.first is not None:
        if plan.mesons != "cascade" or plan.first not in MEASURED:
            raise PhysicsError(f"{where}.first_interactions = {plan.first!r}: allowed with mesons = 'cascade': "
                               + ", ".join(repr(m) for m in MEASURED))
        check_sources(first_interaction_view(beamline))
    if plan.mesons == "cascade":
        if plan.entry is not None and "tables-120gev" not in (plan.first, plan.tables):
            raise PhysicsError(f"{where}.table_entry: only with a 'tables-120gev' set")
        return
    if plan.mesons == "tables-120gev":
        from .meson_tables import table_entries

        entries = table_entries()
        if plan.entry not in entries:
            raise PhysicsError(f"{where}.table_entry = {plan.entry!r}: allowed: " + ", ".join(repr(e) for e in entries))
    elif plan.entry is not None:
        raise PhysicsError(f"{where}.table_entry: only with mesons = 'tables-120gev'")
    if plan.mesons in ("bnb-sanford-wang", "bnb-dump-sanford-wang"):
        ok = abs(beamline.beam_momentum - _BNB_MOMENTUM) < 0.01 * _BNB_MOMENTUM
        if plan.mesons == "bnb-sanford-wang":
            ok = ok and beamline.target.material.name == _BNB_MATERIAL
        if not ok:
            raise PhysicsError(f"{where}.mesons = {plan.mesons!r}: the fits hold for {_BNB_MOMENTUM} GeV/c protons"
                               + (" on beryllium" if plan.mesons == "bnb-sanford-wang" else "")
                               + f", not {beamline.beam_momentum} GeV/c on {beamline.target.material.name}")


def first_interaction_view(beamline):
    """``beamline`` as its ``first_interactions`` set sees it (``mesons`` = that set), or None
    when it names none: the measured first-interaction sources that replace the cascade's
    generation-1 mesons of the target."""
    plan = _plan(beamline)
    if plan.first is None:
        return None
    return _view(beamline, plan.first)


def _view(beamline, mesons: str):
    """``beamline`` with the meson set ``mesons`` alone (its table entry and shower table kept)."""
    keep = tuple((k, v) for k, v in beamline.particle_sources if k in ("table_entry", "showers"))
    return replace(beamline, particle_sources=(("mesons", mesons), *keep))


def sources_variant(beamline, variant: str):
    """``beamline`` with the sources of a run card's ``experiment.meson_sources``:
    ``"beamline"`` what its file says; ``"cascade"`` its own hadron cascade alone;
    ``"cascade+fits"`` that cascade with the target's generation-1 mesons from the measured
    fits of its set (:func:`with_cascade_sources`); ``"first-interactions"`` its
    first-interaction tables alone (the sources before the cascade: :func:`_first_interaction_set`).
    PhysicsError (one line) when the beamline has no such tables."""
    if variant == "beamline":
        return beamline
    if variant in ("cascade", "cascade+fits"):
        return with_cascade_sources(beamline, measured=variant == "cascade+fits")
    if variant == "first-interactions":
        chosen = _first_interaction_set(_plan(beamline))
        if chosen is None:
            raise PhysicsError(f"beamline {beamline.name!r} ({beamline.path}) names no first-interaction tables "
                               "(particle_sources.first_interaction_tables): allowed here: "
                               + ", ".join(repr(v) for v in VARIANTS if v != "first-interactions"))
        return _view(beamline, chosen)
    raise PhysicsError(f"meson sources {variant!r}: allowed: " + ", ".join(map(repr, VARIANTS)))


def measured_species(beamline) -> tuple[int, ...]:
    """Species whose generation-1 mesons in the target come from measured fits (empty unless the
    beamline's cascade names ``first_interactions``)."""
    plan = _plan(beamline)
    return MEASURED.get(plan.first, ()) if plan.mesons == "cascade" else ()


def _table_key(plan: _Plan) -> str:
    """The source set's key in :mod:`.meson_tables` (the 120 GeV tables: the header entry)."""
    return {"bnb-sanford-wang": "bnb", "bnb-dump-sanford-wang": "bnb_dump"}.get(plan.mesons, plan.entry)



def _with_interacting_fraction(src, beamline):
    """A first-interaction source normalised with ``beamline``'s own interacting fraction
    (the packaged fits use the packaged BNB target's: the same beam on a longer or shorter
    beryllium target makes proportionally more or fewer first interactions)."""
    from .meson_spectra import bnb_interacting_fraction
    from .vertex import interacting_fraction

    ratio = interacting_fraction(beamline) / bnb_interacting_fraction()
    return src if ratio == 1.0 else replace(src, per_pot=src.per_pot * ratio)


def cascade_tables(beamline):
    """(arrays, header) of ``beamline``'s cascade tables: from the cache, else built now (with a
    progress bar on a terminal) and cached (:mod:`fipgen.cascade.build`)."""
    from ...cascade.build import beamline_pot, build_tables, cached_path

    packaged = _matching_packaged(beamline)
    if packaged is not None:
        return packaged
    path = cached_path(beamline)
    return _cached_or_built(path, f"the particle sources of beamline {beamline.name!r} (its hadron cascade, "
                            f"{beamline_pot(beamline)} POT; minutes", lambda: build_tables(beamline, out=path))


def beam_shower_tables(beamline):
    """(arrays, header) of an electron or positron beam's showers in its solids
    (:mod:`fipgen.cascade.beam_showers`): the packaged table the beamline names
    (``particle_sources.cascade_table``) while its content key matches, else the cache, else
    built now (a minute or so, once) and cached."""
    from ...cascade.beam_showers import beam_cached_path, beam_content_key, beam_showers_count, build_beam_tables

    name = _plan(beamline).cascade_table
    packaged = _packaged_cascade(name) if name is not None else None
    if packaged is not None and packaged[1].get("content_key") == beam_content_key(beamline):
        return packaged
    path = beam_cached_path(beamline)
    return _cached_or_built(path, f"the showers of beamline {beamline.name!r} ({beam_showers_count(beamline)} beam "
                            "particles; a minute or so", lambda: build_beam_tables(beamline, out=path))


def _cached_or_built(path, what: str, build):
    """(arrays, header) of the table file at ``path``, built first (``build()``, saying so on
    stderr: ``what``) when it is not there."""
    if not path.exists():
        import sys

        sys.stderr.write(f"fipgen: building {what}, once: cached as {path})\n")
        build()
    return _load_cascade(str(path))


def cascade_ready(beamline) -> bool:
    """True when ``beamline``'s cascade tables exist (packaged and matching, or cached): using
    them costs no build."""
    from ...cascade.build import cached_path

    return _matching_packaged(beamline) is not None or cached_path(beamline).exists()


@lru_cache(maxsize=16)
def _matching_packaged(beamline):
    """(arrays, header) of the packaged cascade table the beamline names, when its header's
    content key is this beamline's (same beam, solids, materials, Pythia, statistics); else None."""
    from ...cascade.build import beamline_pot, beamline_seeds, content_key

    name = _plan(beamline).cascade_table
    packaged = _packaged_cascade(name) if name is not None else None
    if packaged is None:
        return None
    key = content_key(beamline, beamline_pot(beamline), n_seeds=beamline_seeds(beamline))
    return packaged if packaged[1].get("content_key") == key else None


@lru_cache(maxsize=8)
def _packaged_cascade(name: str):
    """(arrays, header) of a packaged cascade table of ``fluxes/``, None when absent."""
    from ...cascade.build import load_tables
    from ...resources import data_file

    f = data_file("fluxes", name)
    if not f.is_file():
        return None
    with f.open("rb") as fh:
        return load_tables(fh)


@lru_cache(maxsize=8)
def _load_cascade(path: str):
    from ...cascade.build import load_tables

    return load_tables(path)


@lru_cache(maxsize=64)
def _cascade_source(beamline, pdg: int, model):
    """The cascade's source of ``pdg`` for ``beamline`` (built once per process: a scan asks
    for it at every mass; sources are frozen)."""
    from .cascade_sources import CHARM, cascade_charm_source

    where = f"beamline {beamline.name!r} ({beamline.path})"
    if model is not None:
        raise PhysicsError(f"{where}: the cascade sources have no model variants (model {model!r})")

    if pdg not in CASCADE_SPECIES + CHARM:
        raise PhysicsError(f"{where}: the cascade sources serve pdg " + ", ".join(map(str, CASCADE_SPECIES + CHARM))
                           + f" as production sources, not {pdg} (charged pions and kaons and the K0L come as "
                           "the cascade's decays in flight and at rest, for the HNL channels)")
    if pdg in CHARM:
        return cascade_charm_source(*cascade_tables(beamline), pdg, where, beamline)
    return _made(beamline, pdg, where)


def _made(beamline, pdg: int, where: str):
    """The mesons ``pdg`` made in ``beamline``'s cascade, every generation and solid; for a
    species the file's measured fits cover, the target's generation 1 from the fits."""
    from .cascade_sources import cascade_meson_source, combine_sources

    arrays, header = cascade_tables(beamline)
    if pdg not in measured_species(beamline):
        return cascade_meson_source(arrays, header, pdg, where)
    later = cascade_meson_source(arrays, header, pdg, where, drop_first_in=("0",))
    return combine_sources(meson_source(first_interaction_view(beamline), pdg), later, beamline)


def with_cascade_sources(beamline, measured: bool = False):
    """``beamline`` with its meson sources replaced by its own hadron cascade (the run card's
    ``experiment.meson_sources = "cascade"``), with ``measured`` its generation-1 mesons of the
    target replaced by the measured fits of the set it named (``"cascade+fits"``: the BNB
    Sanford-Wang set, the 120 GeV BMPT tables; other sets have none); its shower table and
    cascade keys are kept."""
    plan = _plan(beamline)
    drop = ("mesons", "first_interactions", "first_interaction_tables")
    ps = tuple((k, v) for k, v in beamline.particle_sources if k not in drop)
    first = plan.first or _first_interaction_set(plan)
    extra = (("first_interactions", first),) if measured and first in MEASURED else ()
    if not extra:
        ps = tuple((k, v) for k, v in ps if k != "table_entry")
    return replace(beamline, particle_sources=(("mesons", "cascade"), *extra, *ps))


def uses_cascade(beamline) -> bool:
    """True when the beamline's sources are its own hadron cascade (``mesons = "cascade"``, a
    hadron beam)."""
    return _plan(beamline).mesons == "cascade" and not beamline.lepton_beam


def cascade_parent_decays(beamline, pdg: int, later_only: bool = False):
    """The decays of charged pions and kaons and the K0L in ``beamline``'s cascade, as a
    ``parents(n, rng, beamline) -> ParentDecays`` callable
    (:func:`fipgen.production.sources.cascade_sources.cascade_parents`); ``later_only``: without
    the decays of what the beam's first collision in the target made (those come from measured
    first-interaction fits, transported by the channels)."""
    from .cascade_sources import CASCADE_PARENTS, cascade_parents

    where = f"beamline {beamline.name!r} ({beamline.path})"
    if int(pdg) not in CASCADE_PARENTS:
        raise PhysicsError(f"{where}: the cascade serves decays of pdg " + ", ".join(map(str, CASCADE_PARENTS))
                           + f", not {pdg}")
    arrays, header = cascade_tables(beamline)
    # the decays of what the beam's first collision in the target made, in every solid
    drop = tuple(header["regions"]) if later_only else ()
    return cascade_parents(arrays, header, int(pdg), where, drop_first_in=drop)


def meson_source(beamline, pdg: int, model: str | None = None):
    """The (p, theta) source of meson ``pdg`` at ``beamline``, per POT (a MesonSource).

    Raises PhysicsError for a species
    or ``model`` its source set does not have (the message lists what exists).
    """
    check_sources(beamline)
    plan = _plan(beamline)
    pdg = int(pdg)
    if plan.mesons == "cascade":
        return _cascade_source(beamline, pdg, model)
    if plan.mesons == "bnb-sanford-wang":
        from .charged_mesons import BNB_CHARGED_PDGS, bnb_charged_source
        from .meson_tables import load_meson_source

        if pdg in BNB_CHARGED_PDGS and model in (None, "sanford-wang"):
            return _with_interacting_fraction(bnb_charged_source(pdg), beamline)
        return load_meson_source(_table_key(plan), pdg, model)
    from .meson_tables import load_meson_source

    return load_meson_source(_table_key(plan), pdg, model)


def meson_species(beamline, model: str | None = None) -> dict[int, float]:
    """Mesons per POT of every species the beamline's sources have: ``{pdg: per_pot}``, ordered
    light to heavy."""
    check_sources(beamline)
    plan = _plan(beamline)
    from .meson_tables import available_sources

    if plan.mesons == "cascade":
        from .cascade_sources import cascade_species

        from .cascade_sources import CASCADE_PARENTS

        arrays, header = cascade_tables(beamline)
        made = cascade_species(arrays, header)
        # the neutral mesons as the channels' sources have them (made in the solids; the target's
        # first interactions from the fits where the beamline names them)
        out = {pdg: _cascade_source(beamline, pdg, None).per_pot for pdg in CASCADE_SPECIES if made.get(pdg)}
        out.update({pdg: made[pdg] for pdg in CASCADE_PARENTS if made.get(pdg)})
        measured = set(measured_species(beamline)) & set(CASCADE_PARENTS)
        fitted = meson_species(first_interaction_view(beamline), model) if measured else {}
        for pdg in measured:  # the target's generation 1 from the fits
            first_in_target = float(arrays[f"prod1_{pdg}_0"].sum()) / int(header["n_pot"]) \
                if f"prod1_{pdg}_0" in arrays else 0.0
            out[pdg] = out.get(pdg, 0.0) - first_in_target + fitted[pdg]
        from .cascade_sources import CHARM, CHARM_MOMENTUM

        if abs(beamline.beam_momentum - CHARM_MOMENTUM) <= 0.02 * CHARM_MOMENTUM:
            out.update({pdg: _cascade_source(beamline, pdg, None).per_pot for pdg in CHARM})
    elif plan.mesons == "bnb-sanford-wang":
        from .charged_mesons import BNB_CHARGED_PDGS, bnb_charged_source

        out = dict(available_sources(_table_key(plan), model))
        for pdg in BNB_CHARGED_PDGS:
            out[pdg] = _with_interacting_fraction(bnb_charged_source(pdg), beamline).per_pot
    else:
        out = dict(available_sources(_table_key(plan), model))
    return dict(sorted(out.items(), key=lambda kv: (abs(kv[0]) > 400, abs(kv[0]), -kv[0])))


def shower_solids(beamline):
    """The showers of every solid of a beamline whose sources are its hadron cascade, or of an
    electron or positron beam (its own showers, :func:`beam_shower_tables`): a list of
    :class:`fipgen.production.sources.cascade_sources.ShowerSolid`; None for other beamlines
    (their one shower table: :func:`shower_table_name`)."""
    from .cascade_sources import cascade_shower_solids

    if beamline.lepton_beam:
        solids = cascade_shower_solids(*beam_shower_tables(beamline), beamline)
        if not solids:
            raise PhysicsError(f"beamline {beamline.name!r} ({beamline.path}): its beam meets no solid the showers "
                               "can run in (an unrotated box or z-cylinder on the beam axis)")
        return solids
    if not uses_cascade(beamline):
        return None
    solids = cascade_shower_solids(*cascade_tables(beamline), beamline)
    if not solids:
        raise PhysicsError(f"beamline {beamline.name!r} ({beamline.path}): its cascade tables hold no showers")
    return solids


def shower_table_name(beamline) -> str:
    """The shower track-length table the beamline names (PhysicsError when it names none)."""
    plan = _plan(beamline)
    if plan.showers is None:
        raise PhysicsError(f"beamline {beamline.name!r} ({beamline.path}) names no shower track-length table "
                           "([beamline.particle_sources] showers = \"shower_<name>.npz\", made by "
                           "scripts/make_shower_tables.py)")
    return plan.showers


def production_source(beamline, pdg: int):
    """The mesons ``pdg`` as produced (before any transport or decay), per POT: the beamline's
    :func:`meson_source`, and for a cascade beamline also the charged pions and kaons and the
    K0L, which its channels take as the cascade's decays (:func:`cascade_parent_decays`): every
    generation where it was made, the target's first interactions from the measured fits where
    the file names them (parent lists, ``fipgen generate --format mevprtl``)."""
    from .cascade_sources import CASCADE_PARENTS

    pdg = int(pdg)
    if not uses_cascade(beamline) or pdg not in CASCADE_PARENTS:
        return meson_source(beamline, pdg)
    check_sources(beamline)
    return _made(beamline, pdg, f"beamline {beamline.name!r} ({beamline.path})")


def _source(beamline, pdg: int, external=None):
    """The meson source of ``pdg``: the external parent list's when one is given, else the
    beamline's (:func:`meson_source`)."""
    if external is not None:
        return external.meson_source(pdg)
    return meson_source(beamline, pdg)

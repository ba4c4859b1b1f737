"""Meson sources of the 120 GeV beamlines and the MiniBooNE dump, from the tables in ``fluxes/``.

The tables are made by ``scripts/make_meson_tables.py`` (Pythia 8 through ``pythia8mc``,
and the BMPT parameterisation of :mod:`.bmpt`) and described in ``fluxes/README.md``.
Each is a compressed ``.npz`` with (p, theta) bin counts per species and a JSON header
(generator, settings, seeds, event counts, cross sections, binning, the per-POT
normalisation of each beamline, date). Nothing is read at import time; a file is read
on first use and cached.

Which model serves which (beamline, species) by default:

* ``numi``, ``lbnf`` (120 GeV/c on graphite), ``darkquest_beam`` (120 GeV/c on the FMAG
  iron): pi0, eta, eta', omega, rho0, phi, K0L, K0S from Pythia 8
  (``meson_p120_pythia8.npz``); pi+-, K+- from BMPT for x_F >= 0 joined to Pythia 8 for
  x_F < 0 (``meson_p120_bmpt.npz``; ``model="pythia8"`` gives the pure Pythia ones);
  D+-, D0, D0bar, Ds+- from the charm-enriched Pythia run (``charm_p120_pythia8.npz``).
* ``bnb_dump`` (8.89 GeV/c on the steel absorber): pi0 and eta from the BNB Sanford-Wang
  shape normalised to 2.42 pi0/POT (:func:`bnb_dump_meson_source`);
  ``model="pythia8"`` gives the Pythia 8 table at 8.89 GeV/c (comparison only: see
  fluxes/README.md for why it is not the default).
* ``bnb`` (the Be target): :func:`~fipgen.production.sources.meson_spectra.bnb_meson_source`.

Per-POT numbers count first interactions only (no tertiary production); each source's
``provenance`` says so and gives the estimate for its beamline.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ... import constants as C
from ...errors import NoSourcesError, PhysicsError
from .meson_spectra import MesonSource, bnb_meson_source

__all__ = [
    "MODELS",
    "DUMP_PI0_PER_POT",
    "DUMP_ETA_PER_PI0",
    "available_beamlines",
    "table_entries",
    "available_sources",
    "load_meson_source",
    "bnb_dump_meson_source",
    "read_table",
    "tertiary_estimate",
]

#: pi0 per POT of the MiniBooNE steel dump (BdNMC, deNiverville et al. arXiv:1609.01770, as
#: used for the MiniBooNE-DM beam-dump run, arXiv:1807.06137).
DUMP_PI0_PER_POT = 2.42
#: eta / pi0 for the dump: BdNMC's MiniBooNE value 1/30 (the same as the BNB target's).
DUMP_ETA_PER_PI0 = 1.0 / 30.0

LIGHT_FILE = "meson_p120_pythia8.npz"
CHARM_FILE = "charm_p120_pythia8.npz"
BMPT_FILE = "meson_p120_bmpt.npz"
LOW_FILE = "meson_p8.89_pythia8.npz"

_LIGHT = (111, 221, 331, 223, 113, 333, 211, -211, 321, -321, 130, 310)
_CHARM = (411, -411, 421, -421, 431, -431)
_CHARGED = (211, -211, 321, -321)

#: Models that can be asked for with ``model=``: None is the default of each beamline.
MODELS = ("pythia8", "bmpt", "sanford-wang")


@lru_cache(maxsize=None)
def read_table(name: str, directory: str | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays, header) of the table ``name`` (packaged, or in ``directory`` if given).

    Raises
    ------
    PhysicsError
        If the file is missing or has no JSON header.
    """
    from ...resources import read_flux_table

    return read_flux_table(name, directory, "meson table", "scripts/make_meson_tables.py")


def table_entries() -> tuple[str, ...]:
    """The targets the 120 GeV tables are normalised for: the entries of their header (each
    with its material, interacting fraction and per-POT multiplicities), which a beamline file
    names as ``particle_sources.table_entry`` (:mod:`fipgen.production.sources.resolve`)."""
    return tuple(read_table(LIGHT_FILE)[1]["beamlines"])


def available_beamlines() -> list[str]:
    """Source entries here: the 120 GeV tables' entries, ``bnb_dump`` and ``bnb`` (the
    Sanford-Wang sets)."""
    return [*table_entries(), "bnb_dump", "bnb"]


def _check_beamline(name: str) -> None:
    if name not in available_beamlines():
        raise NoSourcesError(f"no meson sources for beamline {name!r}; available: {', '.join(available_beamlines())}")


def _plan(beamline: str, model: str | None) -> dict[int, tuple[str, str]]:
    """pdg -> (kind, file) for a beamline and model choice."""
    _check_beamline(beamline)
    if model is not None and model not in MODELS:
        raise PhysicsError(f"unknown meson-production model {model!r}; allowed: {', '.join(MODELS)} (or None for the default)")
    if beamline in table_entries():
        if model == "sanford-wang":
            raise PhysicsError(f"model 'sanford-wang' exists for bnb and bnb_dump, not {beamline!r}; use 'pythia8' or 'bmpt'")
        plan = {pdg: ("pythia", LIGHT_FILE) for pdg in _LIGHT}
        if model == "bmpt":
            return {pdg: ("bmpt", BMPT_FILE) for pdg in _CHARGED}
        if model is None:
            plan.update({pdg: ("bmpt", BMPT_FILE) for pdg in _CHARGED})
        plan.update({pdg: ("charm", CHARM_FILE) for pdg in _CHARM})
        return plan
    if beamline == "bnb_dump":
        if model == "pythia8":  # species Pythia made at 8.89 GeV/c (no phi, say, in a small sample)
            arrays, _ = read_table(LOW_FILE)
            return {
                pdg: ("pythia_low", LOW_FILE)
                for pdg in _LIGHT
                if arrays[f"counts_pp_{pdg}"].any() or arrays[f"counts_pn_{pdg}"].any()
            }
        if model == "bmpt":
            raise PhysicsError("BMPT is a 120 GeV parameterisation; bnb_dump has models 'sanford-wang' (default) and 'pythia8'")
        return {C.PI0: ("dump_sw", ""), C.ETA: ("dump_sw", "")}
    # bnb
    if model not in (None, "sanford-wang"):
        raise PhysicsError(f"bnb has only the Sanford-Wang sources (model 'sanford-wang'), not {model!r}")
    return {C.PI0: ("bnb", ""), C.ETA: ("bnb", "")}


def available_sources(beamline_name: str, model: str | None = None) -> dict[int, float]:
    """Mesons per POT of every species available for ``beamline_name``: ``{pdg: per_pot}``.

    Raises
    ------
    PhysicsError
        Unknown beamline or model (the message lists what exists).
    """
    return {pdg: load_meson_source(beamline_name, pdg, model).per_pot for pdg in _plan(beamline_name, model)}


def load_meson_source(beamline_name: str, pdg: int, model: str | None = None) -> MesonSource:
    """The (p, theta) source of meson ``pdg`` at ``beamline_name``, normalised per POT.

    Parameters
    ----------
    beamline_name : str
        ``numi``, ``lbnf``, ``darkquest_beam``, ``bnb_dump`` or ``bnb``.
    pdg : int
        PDG code of the meson.
    model : str, optional
        None for the beamline's default (module docstring), or one of :data:`MODELS`
        for a systematic variation.

    Raises
    ------
    PhysicsError
        Unknown beamline, species or model; the message names what is available.
    """
    pdg = int(pdg)
    return _load(beamline_name, pdg, model)


@lru_cache(maxsize=None)
def _load(beamline: str, pdg: int, model: str | None) -> MesonSource:
    plan = _plan(beamline, model)
    if pdg not in plan:
        names = ", ".join(f"{p} ({C.name(p)})" for p in plan)
        raise PhysicsError(f"no {model or 'default'} source of pdg {pdg} at {beamline!r}; available: {names}")
    kind, fname = plan[pdg]
    if kind == "bnb":
        return bnb_meson_source(pdg)
    if kind == "dump_sw":
        return bnb_dump_meson_source(pdg)
    arrays, head = read_table(fname)
    if kind == "bmpt":
        norm = head["beamlines"][beamline]
        w = arrays[f"yield_{norm['material']}_{pdg}"].astype(np.float64)
        per_pot = float(norm["per_pot"][str(pdg)])
        what = f"target A = {norm['A']:.3f} ({norm['material']}); {float(w.sum()):.4g} per interacting proton"
    else:
        norm = head["beamlines"][beamline] if kind != "pythia_low" else head["comparison_bnb_dump"]
        za = float(norm["z_over_a"])
        runs = head["runs"]
        w = za * arrays[f"counts_pp_{pdg}"] / runs["pp"]["n_events"] + (1 - za) * arrays[f"counts_pn_{pdg}"] / runs["pn"]["n_events"]
        if kind == "charm":
            per_pot = float(norm["per_pot"][str(pdg)])
            cc = head["charm_cross_section"]
            what = (
                f"{head['process']}; {float(w.sum()):.4g} per ccbar event (p/n mixed by Z/A = {za:.4f}); "
                f"sigma_cc = {cc['sigma_cc_ub_per_nucleon']:.3g} ub/nucleon ({cc['method']}; {cc['check']}); "
                f"{norm['ccbar_per_collision']:.4g} ccbar per p-{norm['material']} collision (A^1 scaling, "
                f"sigma_inel = {norm['sigma_inel_pA_mb']:.1f} mb)"
            )
        elif kind == "pythia_low":
            per_pot = float(norm["per_pot_if_used"][str(pdg)])
            what = f"{head['process']}; {float(w.sum()):.4g} per collision (p/n mixed by Z/A = {za:.4f}); {head['use']}"
        else:
            per_pot = float(norm["per_pot"][str(pdg)])
            what = f"{head['process']}; {float(w.sum()):.4g} per inelastic collision (p/n mixed by Z/A = {za:.4f})"
        what += f"; {runs['pp']['n_events']} p-p + {runs['pn']['n_events']} p-n events, seed {head['seed']}"
    total = float(w.sum())
    if not total > 0 or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise PhysicsError(f"table {fname} has no usable entries for pdg {pdg} at {beamline!r}")
    cdf = np.cumsum(w.ravel()) / total
    cdf = np.minimum(cdf, 1.0)
    cdf[-1] = 1.0
    binning = head["binning"]
    if binning["p"].startswith("as "):  # the BMPT table shares the Pythia binning
        binning = read_table(LIGHT_FILE)[1]["binning"]
    tertiary = str(norm.get("tertiary", "not included")).rstrip(".")
    prov = (
        f"fipgen {C.name(pdg)} source for {beamline}: table {fname} (version {head['table_version']}, made {head['date']} "
        f"by {head['made_by']}; {head['generator']}); {what}; per POT {per_pot:.5g} = per interaction x interacting "
        f"fraction {norm['interacting_fraction']:.4f} ({norm['material']} target, lambda_I = {norm['lambda_I_m']:.4f} m). "
        f"Mesons counted as produced (primary and from decays with c tau0 < 10 mm). Tertiary production: "
        f"{tertiary}. Beam frame, z along the protons; binning {binning['p']}; {binning['theta']}."
    )
    return MesonSource(pdg, per_pot, arrays["p_edges"], arrays["theta_edges"], cdf, prov)


def tertiary_estimate(beamline_name: str) -> dict:
    """The tertiary-production estimate stored with the tables for ``beamline_name``.

    A simple hadron cascade in the target (``pythia8mc.PythiaCascade``; method in the
    returned ``method``), made by ``scripts/make_meson_tables.py``: per-POT meson counts
    from the primary's first collision and from all collisions, their ratios
    (``tertiary_factor``, also above 1 and 10 GeV/c), collisions per POT, the pi0 energy
    as a fraction of the beam energy and (120 GeV) a charm factor. Not applied to any
    ``per_pot``. Keys of the count dicts are PDG codes as strings.

    Raises
    ------
    PhysicsError
        For a beamline without an estimate (the message lists those with one).
    """
    _check_beamline(beamline_name)
    if beamline_name in table_entries():
        est = read_table(LIGHT_FILE)[1]["beamlines"][beamline_name].get("tertiary_estimate")
    else:
        est = read_table(LOW_FILE)[1].get("tertiary_estimate", {}).get(beamline_name)
    if not est:
        raise PhysicsError(f"no tertiary estimate stored for {beamline_name!r}; regenerate the tables without --no-cascade")
    return est


@lru_cache(maxsize=None)
def bnb_dump_meson_source(pdg: int) -> MesonSource:
    """pi0 (111) or eta (221) source of the MiniBooNE beam dump (8.89 GeV/c on steel), per POT.

    Shape: the BNB Sanford-Wang source of :func:`~fipgen.production.sources.meson_spectra.bnb_meson_source`
    ((pi+ + pi-)/2 fit to HARP p-Be data at 8.89 GeV/c, arXiv:0806.1449; eta by m_T
    scaling). Normalisation: :data:`DUMP_PI0_PER_POT` = 2.42 pi0/POT (BdNMC,
    arXiv:1609.01770, for the MiniBooNE steel dump of arXiv:1807.06137) and eta/pi0 =
    :data:`DUMP_ETA_PER_PI0`. The shape is that of a thin Be target: iron (softer, wider)
    and the shower in the 2.6 m dump (whose tertiary pi0 are soft and wide) are not in it.
    Pythia 8 at this energy is a comparison (``model="pythia8"``), see fluxes/README.md.
    """
    pdg = int(pdg)
    if pdg not in (C.PI0, C.ETA):
        raise PhysicsError(f"bnb_dump sources exist for pdg 111 (pi0) and 221 (eta), not {pdg}")
    base = bnb_meson_source(pdg)
    per_pot = DUMP_PI0_PER_POT if pdg == C.PI0 else DUMP_PI0_PER_POT * DUMP_ETA_PER_PI0
    norm = (
        f"{DUMP_PI0_PER_POT} pi0/POT (BdNMC, deNiverville et al. arXiv:1609.01770, MiniBooNE-DM steel dump "
        "arXiv:1807.06137)"
        + ("" if pdg == C.PI0 else f" x eta/pi0 = 1/30 (BdNMC MiniBooNE) = {per_pot:.5g} eta/POT")
    )
    prov = (
        f"fipgen {C.name(pdg)} source for bnb_dump (8.89 GeV/c protons on the steel absorber): shape of the BNB "
        f"Sanford-Wang source [{base.provenance}]; normalisation replaced by {norm}. The shape is the thin-Be-target "
        "one: iron nuclear effects and the soft, wide tertiary mesons of the dump shower are not in it. "
        "Pythia 8 at sqrt(s) = 4.3 GeV (not tuned there) is kept as a comparison (model='pythia8')."
    )
    return MesonSource(pdg, per_pot, base.p_edges, base.theta_edges, base.cdf, prov)

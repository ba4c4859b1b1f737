"""Sensitivity scans and acceptance tables over masses, in parallel.

Each mass is one task: the card at that mass (and its own coupling), one sample in scan mode
(:func:`fipgen.scan.reweight.collect_table`) drawn from the random-stream family
``(202, i_mass)`` of the card's seed, then the expected events at every coupling by
reweighting. Tasks run in one process (``workers=1``), in a local process pool, or on a
dask.distributed cluster (``scheduler`` address, or a ``distributed.Client``); each task's
result depends only on (card, seed, mass index), so the grid is identical for any number of
workers or any cluster. Contours are drawn in (mass, log10 coupling) with contourpy (the
engine of matplotlib's contour).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..card import RunCard, parse_card
from ..errors import CardError, ClosedError, FipgenError, RunFailure
from ..rng import ACCEPTANCE_STREAM, SCAN_STREAM
from ..parallel import map_tasks
from .axes import ScanAxes, card_at
from .reweight import Cuts, Precision, collect_table

__all__ = ["ScanSpec", "ScanResult", "run_scan", "run_acceptance", "parse_grid", "contour_lines", "check_scan"]

def parse_grid(spec: str, what: str, log: bool) -> np.ndarray:
    """``MIN:MAX:N`` -> N values, linear (masses, ctau if not log) or logarithmic."""
    try:
        lo, hi, n = spec.split(":")
        lo, hi, n = float(lo), float(hi), int(n)
        if not (0 < lo <= hi and n >= 1 and math.isfinite(hi)):
            raise ValueError
    except ValueError:
        raise CardError(f"{what} {spec!r}: expected MIN:MAX:N with 0 < MIN <= MAX and N >= 1") from None
    if n == 1:
        return np.array([lo])
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


@dataclass(frozen=True)
class ScanSpec:
    """Everything a mass task needs (picklable: the card travels as text)."""

    card_text: str
    card_source: str
    masses: tuple[float, ...]
    couplings: tuple[float, ...]
    mass_key: str | None = None
    coupling_key: str | None = None
    n_trials: int | None = None
    cuts: Cuts = field(default_factory=Cuts)
    #: adaptive samples: the relative MC error wanted near the contour at ``threshold`` events
    #: (fipgen.scan.reweight.Precision); None: ``n_trials`` trials per mass
    precision: float | None = None
    threshold: float = 2.3
    #: the card's seed (a card changed with ``replace(seed=...)`` keeps its text)
    seed: int | None = None

    def card(self) -> RunCard:
        card = parse_card(self.card_text, source=self.card_source)
        return card if self.seed is None else card.replace(seed=int(self.seed))


def check_scan(card: RunCard, masses, mass_key: str | None = None, coupling_key: str | None = None) -> ScanAxes:
    """Validate a scan before any work: the axes, the card and every file it names (detector,
    beamline, parent list, final states: :func:`fipgen.job.build_job` at the card's own
    mass, where being kinematically closed is no error), and the model at every mass of the
    grid. Bad input raises a one-line CardError (exit 2), as ``fipgen generate`` does."""
    from ..job import build_job, build_model

    axes = ScanAxes(card, mass_key, coupling_key)
    try:
        build_job(card, decay_hints=False)
    except ClosedError:
        pass
    particle = axes.mass_key.split(".")[1]
    for m in masses:
        try:
            build_model(card_at(card, mass_key=axes.mass_key, mass=float(m)), particle)
        except CardError as err:
            raise CardError(f"--masses: m = {float(m):.6g} GeV: {err}") from None
    return axes


def _closed_or_fail(err: FipgenError, mass: float) -> str:
    """A closed mass is a note; any other failure at a mass stops the scan (exit 1)."""
    if isinstance(err, ClosedError):
        return str(err)
    raise RunFailure(f"scan stopped at m = {mass:.6g} GeV: {err}") from None


def _all_closed(notes: list[str], n: int) -> None:
    if n and len(notes) == n:
        raise ClosedError(f"every mass of the scan is kinematically closed ({notes[0]}); choose masses where a "
                          "channel of signal.produce is open")


def _mass_task(spec: ScanSpec, i: int) -> dict:
    """Expected events at every coupling for mass ``i`` (or zeros and a note if closed)."""
    t0 = time.perf_counter()
    card = spec.card()
    axes = ScanAxes(card, spec.mass_key, spec.coupling_key)
    card_m = card_at(card, mass_key=axes.mass_key, mass=spec.masses[i])
    nc = len(spec.couplings)
    target = None if spec.precision is None else Precision(spec.precision, spec.threshold, spec.couplings)
    try:
        table = collect_table(card_m, ScanAxes(card_m, axes.mass_key, axes.coupling_key), spec.cuts,
                              stream=(SCAN_STREAM, i), n_trials=spec.n_trials, precision=target)
    except FipgenError as err:
        return {"i": i, "events": np.zeros(nc), "mc_error": np.zeros(nc), "alt": {},
                "note": _closed_or_fail(err, spec.masses[i]), "n_events": 0, "trials": 0,
                "seconds": time.perf_counter() - t0}
    r = table.expected(np.asarray(spec.couplings))
    alt = {k[len("events_"):]: v for k, v in r.items() if k.startswith("events_")}
    return {"i": i, "events": r["events"], "mc_error": r["mc_error"], "alt": alt, "note": "",
            "n_events": len(table), "trials": table.n_trials, "ctau": r["ctau"], "seconds": time.perf_counter() - t0}


def _acc_task(spec: ScanSpec, i: int, ctau: tuple[float, ...]) -> dict:
    card = spec.card()
    axes = ScanAxes(card, spec.mass_key, spec.coupling_key)
    card_m = card_at(card, mass_key=axes.mass_key, mass=spec.masses[i])
    try:
        table = collect_table(card_m, ScanAxes(card_m, axes.mass_key, axes.coupling_key), spec.cuts,
                              stream=(ACCEPTANCE_STREAM, i), n_trials=spec.n_trials)
    except FipgenError as err:
        z = np.zeros(len(ctau))
        return {"i": i, "acceptance": z, "acceptance_cuts": z, "mc_error": z, "llp_per_pot": 0.0,
                "note": _closed_or_fail(err, spec.masses[i])}
    a = table.acceptance(np.asarray(ctau), with_cuts=False)
    ac = table.acceptance(np.asarray(ctau), with_cuts=True)
    return {"i": i, "acceptance": a["acceptance"], "acceptance_cuts": ac["acceptance"], "mc_error": a["mc_error"],
            "llp_per_pot": a["llp_per_pot"], "note": ""}


@dataclass
class ScanResult:
    masses: np.ndarray
    couplings: np.ndarray
    events: np.ndarray  # (n_mass, n_coupling)
    mc_error: np.ndarray
    alt: dict[str, np.ndarray]
    notes: list[str]
    mass_key: str
    coupling_key: str
    seconds: float
    n_events: np.ndarray
    #: trials generated per mass (adaptive scans stop at their precision); None: not known (0)
    trials: np.ndarray = None

    def __post_init__(self) -> None:
        if self.trials is None:
            self.trials = np.zeros(np.asarray(self.masses).size, dtype=np.int64)

    def contours(self, threshold: float) -> dict[str, list[np.ndarray]]:
        """Contour lines at ``threshold`` events: ``{"central": [...], "<alt>": [...]}``, each
        line an (k, 2) array of (mass, coupling) points in order."""
        out = {"central": contour_lines(self.masses, self.couplings, self.events, threshold)}
        for k, v in self.alt.items():
            out[k] = contour_lines(self.masses, self.couplings, v, threshold)
        return out


def contour_lines(masses, couplings, events, threshold: float) -> list[np.ndarray]:
    """Lines where ``events(mass, coupling) = threshold`` (linear in mass, log in coupling)."""
    import contourpy

    if np.asarray(masses).size < 2 or np.asarray(couplings).size < 2:
        return []
    x, y = np.meshgrid(np.asarray(masses), np.log10(np.asarray(couplings)), indexing="ij")
    z = np.log10(np.maximum(np.asarray(events, dtype=np.float64), 1e-300))
    gen = contourpy.contour_generator(x, y, z, line_type=contourpy.LineType.Separate)
    return [np.column_stack([ln[:, 0], 10.0 ** ln[:, 1]]) for ln in gen.lines(math.log10(threshold)) if len(ln) >= 2]


def run_scan(card: RunCard, masses, couplings, mass_key=None, coupling_key=None, n_trials=None, cuts=None,
             workers: int = 1, scheduler=None, progress: bool = False, precision: float | None = None,
             threshold: float = 2.3) -> ScanResult:
    """Expected events on the (mass x coupling) grid (module docstring). ``precision``: each
    mass's sample grows block by block up to ``n_trials`` until the points near the contour
    at ``threshold`` events have that relative MC error (:class:`~fipgen.scan.reweight.Precision`);
    None: ``n_trials`` trials per mass."""
    t0 = time.perf_counter()
    axes = check_scan(card, masses, mass_key, coupling_key)  # bad input fails before any work
    spec = ScanSpec(card.text, card.source, tuple(float(m) for m in masses), tuple(float(c) for c in couplings),
                    axes.mass_key, axes.coupling_key, n_trials, cuts or Cuts(),
                    None if precision is None else float(precision), float(threshold), int(card.seed))
    res = map_tasks(_mass_task, [(spec, i) for i in range(len(spec.masses))], workers, scheduler, progress,
                    share=True)
    res.sort(key=lambda r: r["i"])
    ev = np.vstack([r["events"] for r in res])
    err = np.vstack([r["mc_error"] for r in res])
    names = sorted({k for r in res for k in r["alt"]})
    alt = {k: np.vstack([r["alt"].get(k, r["events"]) for r in res]) for k in names}
    notes = [f"mass {spec.masses[r['i']]:.6g}: {r['note']}" for r in res if r["note"]]
    _all_closed(notes, len(res))
    return ScanResult(np.asarray(spec.masses), np.asarray(spec.couplings), ev, err, alt, notes, axes.mass_key,
                      axes.coupling_key, time.perf_counter() - t0, np.array([r["n_events"] for r in res]),
                      np.array([r["trials"] for r in res], dtype=np.int64))


def run_acceptance(card: RunCard, masses, ctau, mass_key=None, n_trials=None, cuts=None, workers: int = 1,
                   scheduler=None, progress: bool = False) -> dict:
    """Acceptance table: P(decay inside [and pass cuts] | produced) on (mass x c*tau)."""
    axes = check_scan(card, masses, mass_key)  # bad input fails before any work
    spec = ScanSpec(card.text, card.source, tuple(float(m) for m in masses), (), axes.mass_key, axes.coupling_key,
                    n_trials, cuts or Cuts(), seed=int(card.seed))
    ct = tuple(float(c) for c in ctau)
    res = map_tasks(_acc_task, [(spec, i, ct) for i in range(len(spec.masses))], workers, scheduler, progress,
                    share=True)
    res.sort(key=lambda r: r["i"])
    _all_closed([r["note"] for r in res if r["note"]], len(res))
    return {"masses": np.asarray(spec.masses), "ctau": np.asarray(ct),
            "acceptance": np.vstack([r["acceptance"] for r in res]),
            "acceptance_cuts": np.vstack([r["acceptance_cuts"] for r in res]),
            "mc_error": np.vstack([r["mc_error"] for r in res]),
            "llp_per_pot": np.array([r["llp_per_pot"] for r in res]),
            "notes": [f"mass {spec.masses[r['i']]:.6g}: {r['note']}" for r in res if r["note"]],
            "mass_key": axes.mass_key}


# -- outputs -------------------------------------------------------------------------------

def write_scan_csv(path, res: ScanResult, overwrite: bool = False) -> None:
    from ..io.atomic import atomic_path

    names = sorted(res.alt)
    with atomic_path(path, overwrite) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"# fipgen scan: expected signal events; mass = {res.mass_key} (GeV), coupling = {res.coupling_key}\n")
        fh.write(",".join(["mass", "coupling", "events", "mc_error"] + [f"events_{n}" for n in names] + ["trials"])
                 + "\n")
        for i, m in enumerate(res.masses):
            for j, c in enumerate(res.couplings):
                row = [f"{m:.8g}", f"{c:.8g}", f"{res.events[i, j]:.8g}", f"{res.mc_error[i, j]:.4g}"]
                row += [f"{res.alt[n][i, j]:.8g}" for n in names] + [str(int(res.trials[i]))]
                fh.write(",".join(row) + "\n")


def write_contour_csv(path, lines: list[np.ndarray], res: ScanResult, threshold: float, overwrite: bool = False) -> None:
    from ..io.atomic import atomic_path

    with atomic_path(path, overwrite) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"# fipgen scan contour at {threshold:.4g} events; mass = {res.mass_key} (GeV), "
                 f"coupling = {res.coupling_key}; lines separated by a 'line' column\n")
        fh.write("line,mass,coupling\n")
        for k, ln in enumerate(lines):
            for m, c in ln:
                fh.write(f"{k},{m:.8g},{c:.8g}\n")


def write_scan_root(path, res: ScanResult, threshold: float, meta: dict, overwrite: bool = False) -> None:
    import json

    import uproot

    from ..io.atomic import atomic_path

    mm, cc = np.meshgrid(res.masses, res.couplings, indexing="ij")
    cols = {"mass": mm.ravel(), "coupling": cc.ravel(), "events": res.events.ravel(), "mc_error": res.mc_error.ravel()}
    cols.update({f"events_{k}": v.ravel() for k, v in res.alt.items()})
    cols["trials"] = np.repeat(np.asarray(res.trials, dtype=np.int64), len(res.couplings))
    with atomic_path(path, overwrite) as tmp:
        with uproot.recreate(tmp) as f:
            f.mktree("scan", {k: v.dtype for k, v in cols.items()}, title="fipgen scan")
            f["scan"].extend(cols)
            f["scan_metadata"] = json.dumps({**meta, "threshold_events": threshold}, indent=1, sort_keys=True)


def write_acceptance(path_csv, acc: dict, overwrite: bool = False, path_root=None) -> None:
    from ..io.atomic import atomic_path

    with atomic_path(path_csv, overwrite) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"# fipgen acceptance: P(LLP decays inside the detector | produced), and with the card's final "
                 f"states' cuts; mass = {acc['mass_key']} (GeV), ctau in m; llp_per_pot at the card's coupling\n")
        fh.write("mass,ctau,acceptance,acceptance_cuts,mc_error,llp_per_pot\n")
        for i, m in enumerate(acc["masses"]):
            for j, c in enumerate(acc["ctau"]):
                fh.write(f"{m:.8g},{c:.8g},{acc['acceptance'][i, j]:.8g},{acc['acceptance_cuts'][i, j]:.8g},"
                         f"{acc['mc_error'][i, j]:.4g},{acc['llp_per_pot'][i]:.8g}\n")
    if path_root is not None:
        import uproot

        mm, cc = np.meshgrid(acc["masses"], acc["ctau"], indexing="ij")
        cols = {"mass": mm.ravel(), "ctau": cc.ravel(), "acceptance": acc["acceptance"].ravel(),
                "acceptance_cuts": acc["acceptance_cuts"].ravel(), "mc_error": acc["mc_error"].ravel(),
                "llp_per_pot": np.repeat(acc["llp_per_pot"], acc["ctau"].size)}
        try:
            with atomic_path(path_root, overwrite) as tmp:
                with uproot.recreate(tmp) as f:
                    f.mktree("acceptance", {k: v.dtype for k, v in cols.items()}, title="fipgen acceptance")
                    f["acceptance"].extend(cols)
        except BaseException:
            from pathlib import Path

            Path(path_csv).unlink(missing_ok=True)  # the two tables stand or fall together
            raise


__all__ += ["write_scan_csv", "write_contour_csv", "write_scan_root", "write_acceptance", "FipgenError"]

"""Shared helpers of the paper-reproduction scripts (``scripts/reproduce_*.py``).

A reproduction is a set of *curves*: each curve is one run card scanned over a list of
masses and couplings with fipgen's scan machinery (:func:`fipgen.scan.run.run_scan`:
one sample per mass at the card's coupling, reweighted exactly to every coupling). The
seed papers vary a second mass together with the scanned one (arXiv:2410.08981 keeps
``m_Z' / m_N`` fixed), which ``run_scan``'s single mass key cannot do, so every mass is its
own card here: ``run_scan(card_i, [m_i], couplings, workers=1)``, the masses of all curves
spread over a local process pool. Cards travel as TOML text (``run_scan`` re-parses
``card.text`` in its workers), so every change to a card is made to its text
(:func:`card_text_with`).

Each mass ``i`` of a curve runs with the card's seed plus ``i``: its Monte Carlo errors are
independent of the other masses', and the grid does not depend on the number of workers.
"""

from __future__ import annotations

import math
import os
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"

MASS_KEY = "model.hnl.mass"
COUPLING_KEY = "model.hnl.mixing"
FLAVOURS = ("e", "mu", "tau")

__all__ = ["Curve", "load_card_text", "card_text_with", "dump_card", "log_grid", "run_curves", "band",
           "summarise", "write_curve_outputs", "plot_curves", "check_outputs", "seesaw_band", "tex_number",
           "default_workers"]


# -- run-card text ---------------------------------------------------------------------------

def load_card_text(name: str) -> tuple[str, str]:
    """``(text, source)`` of the example card ``name`` (``examples/<name>`` of this repository,
    else the packaged copy)."""
    p = EXAMPLES / name
    if p.is_file():
        return p.read_text(encoding="utf-8"), str(p)
    from fipgen.resources import data_file

    f = data_file("examples", name)
    return f.read_text(encoding="utf-8"), f"examples/{name}"


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else "nan"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {v!r} to TOML")


def dump_card(d: dict, header: str = "") -> str:
    """TOML text of a run-card dictionary (tables of scalars, lists and inline tables; the
    ``[model]`` particles as inline tables, sub-tables of ``[signal]`` as their own tables)."""
    out = [f"# {ln}" for ln in header.splitlines()]
    for table in ("experiment", "model", "signal", "run"):
        if table not in d:
            continue
        out.append(f"\n[{table}]")
        subs = []
        for k, v in d[table].items():
            if isinstance(v, dict) and table != "model":
                subs.append((k, v))
            else:
                out.append(f"{k} = {_toml_value(v)}")
        for k, v in subs:
            out.append(f"\n[{table}.{k}]")
            out.extend(f"{kk} = {_toml_value(vv)}" for kk, vv in v.items())
    return "\n".join(out) + "\n"


def card_text_with(text: str, changes: dict, header: str = "") -> str:
    """The card ``text`` with ``changes`` applied: ``{"model.zprime.mass": 0.42,
    "run.seed": 7, "experiment.detector": "/path/x.toml", "model.hnl": {...}}`` (a dotted key
    sets one value, creating tables; a value of None deletes the key). Comments are not
    kept (``header`` is written instead)."""
    d = tomllib.loads(text)
    for key, value in changes.items():
        parts = key.split(".")
        node = d
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return dump_card(d, header)


def log_grid(spec: str, what: str) -> np.ndarray:
    """``MIN:MAX:N`` -> N logarithmically spaced values (one value if N = 1); exits on bad input."""
    from fipgen.errors import CardError
    from fipgen.scan.run import parse_grid

    try:
        return parse_grid(spec, what, log=True)
    except CardError as err:
        raise SystemExit(str(err)) from None


# -- scans -------------------------------------------------------------------------------------

@dataclass
class Curve:
    """One sensitivity curve: a card scanned over ``masses`` (HNL mass) and ``couplings``.

    ``per_mass[i]`` are the card changes at mass ``i`` (e.g. the Z' mass that goes with the
    HNL mass); the HNL mass itself is set by ``run_scan``'s mass key."""

    label: str
    card_text: str
    source: str
    masses: np.ndarray
    couplings: np.ndarray
    per_mass: list = field(default_factory=list)
    style: dict = field(default_factory=dict)


def _mass_task(card_text: str, source: str, mass: float, changes: dict, couplings, n_trials, seed: int) -> dict:
    """Expected events of one mass of a curve (run in a worker process)."""
    from fipgen.card import parse_card
    from fipgen.scan import Cuts
    from fipgen.scan.run import run_scan

    t0 = time.perf_counter()
    base = tomllib.loads(card_text).get("run", {}).get("seed", 1)
    text = card_text_with(card_text, {**changes, "run.seed": int(base) + int(seed)},
                          header=f"derived from {source}")
    card = parse_card(text, source=f"{source} (mass {mass:.6g})")
    res = run_scan(card, [mass], couplings, MASS_KEY, COUPLING_KEY, n_trials=n_trials, cuts=Cuts(**dict(card.cuts)),
                   workers=1)
    return {"events": res.events[0], "mc_error": res.mc_error[0], "alt": {k: v[0] for k, v in res.alt.items()},
            "notes": res.notes, "n_events": int(res.n_events[0]), "seconds": time.perf_counter() - t0}


def run_curves(curves: list[Curve], n_trials: int | None, workers: int, progress: bool = True) -> dict:
    """Scan every curve (all masses of all curves over ``workers`` local processes, started with
    ``spawn`` as fipgen's own scans); returns ``{label: ScanResult}``."""
    from fipgen.scan.run import ScanResult, map_tasks

    tasks = [(c.label, i, (c.card_text, c.source, float(m), c.per_mass[i] if c.per_mass else {},
                           tuple(float(x) for x in c.couplings), n_trials, i))
             for c in curves for i, m in enumerate(c.masses)]
    if progress:
        print(f"  {len(tasks)} masses on {workers} worker(s)", file=sys.stderr, flush=True)
    done = map_tasks(_mass_task, [args for _, _, args in tasks], workers, progress=progress)
    out = {(label, i): r for (label, i, _), r in zip(tasks, done)}
    results = {}
    for c in curves:
        rows = [out[(c.label, i)] for i in range(len(c.masses))]
        names = sorted({k for r in rows for k in r["alt"]})
        results[c.label] = ScanResult(
            masses=np.asarray(c.masses, dtype=float), couplings=np.asarray(c.couplings, dtype=float),
            events=np.vstack([r["events"] for r in rows]), mc_error=np.vstack([r["mc_error"] for r in rows]),
            alt={k: np.vstack([r["alt"].get(k, r["events"]) for r in rows]) for k in names},
            notes=[n for r in rows for n in r["notes"]], mass_key=MASS_KEY, coupling_key=COUPLING_KEY,
            seconds=sum(r["seconds"] for r in rows), n_events=np.array([r["n_events"] for r in rows]))
    return results


# -- contours, tables, plots -------------------------------------------------------------------

def band(res, threshold: float) -> tuple[list, list]:
    """Contour lines of the lower and upper envelope of the central and alternative weights
    (the theory band, as ``fipgen scan --plot`` draws it)."""
    from fipgen.scan.run import contour_lines

    if not res.alt:
        return [], []
    lo = np.minimum.reduce([res.events] + list(res.alt.values()))
    hi = np.maximum.reduce([res.events] + list(res.alt.values()))
    return (contour_lines(res.masses, res.couplings, lo, threshold),
            contour_lines(res.masses, res.couplings, hi, threshold))


def summarise(res, threshold: float) -> dict:
    """Where the sensitive region lies: its mass range on the grid, the smallest coupling reached
    and its mass, and the largest expected number of events (with its Monte Carlo error)."""
    ok = res.events >= threshold
    out = {"max_events": float(res.events.max()), "sensitive": bool(ok.any())}
    imax = np.unravel_index(np.argmax(res.events), res.events.shape)
    out["max_events_rel_error"] = float(res.mc_error[imax] / res.events[imax]) if res.events[imax] > 0 else float("nan")
    if ok.any():
        rows = np.flatnonzero(ok.any(axis=1))
        out["mass_min"], out["mass_max"] = float(res.masses[rows[0]]), float(res.masses[rows[-1]])
        lows = [(res.couplings[np.argmax(ok[i])], res.masses[i]) for i in rows]
        c, m = min(lows)
        out["coupling_min"], out["coupling_min_mass"] = float(c), float(m)
    return out


def check_outputs(paths, overwrite: bool) -> None:
    """Refuse to replace existing outputs without ``--overwrite`` (before any work)."""
    for p in paths:
        if Path(p).exists() and not overwrite:
            raise SystemExit(f"{p} exists; use --overwrite to replace it")


def write_curve_outputs(out_dir: Path, stem: str, res, threshold: float) -> list[Path]:
    """``<stem>_grid.csv`` (every mass x coupling, central and alternative weights) and
    ``<stem>_contour.csv`` (the central contour's points in order) with fipgen's writers."""
    from fipgen.scan.run import write_contour_csv, write_scan_csv

    grid, cont = out_dir / f"{stem}_grid.csv", out_dir / f"{stem}_contour.csv"
    write_scan_csv(grid, res, overwrite=True)
    write_contour_csv(cont, res.contours(threshold)["central"], res, threshold, overwrite=True)
    return [grid, cont]


def seesaw_band(m):
    """Type-I seesaw band ``|U|^2 = m_nu / m_N`` for ``m_nu`` from ``sqrt(Delta m^2_sol)`` =
    8.7 meV to 0.23 eV (the band the arXiv:2410.08981 plots draw), ``m`` in GeV."""
    m = np.asarray(m, dtype=float)
    return np.sqrt(7.5e-5) * 1e-9 / m, 0.23e-9 / m


def plot_curves(path: Path, results: dict, curves: list[Curve], threshold: float, title: str, ylabel: str,
                xlim=None, ylim=None, seesaw: bool = True, note: str = "") -> None:
    """One PNG with every curve: the central contour (solid) and its theory band (thin dotted,
    the envelope of the alternative weights), log axes, HEP style."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mplhep
    from matplotlib.ticker import NullFormatter

    with plt.style.context(mplhep.style.ROOT):
        fig, ax = plt.subplots(figsize=(9, 7))
        allm = np.concatenate([results[c.label].masses for c in curves])
        allc = np.concatenate([results[c.label].couplings for c in curves])
        xs = np.geomspace(xlim[0] if xlim else allm.min(), xlim[1] if xlim else allm.max(), 50)
        if seesaw:
            lo, hi = seesaw_band(xs)
            ax.fill_between(xs, lo, hi, color="gold", alpha=0.3, lw=0, label="type-I seesaw")
        for k, c in enumerate(curves):
            res = results[c.label]
            st = {"color": f"C{k}", "lw": 2.0, **c.style}
            lines = res.contours(threshold)["central"]
            for j, ln in enumerate(lines):
                ax.plot(ln[:, 0], ln[:, 1], label=c.label if j == 0 else None, **st)
            if not lines:
                ax.plot([], [], label=f"{c.label} (no contour)", **st)
            lo_l, hi_l = band(res, threshold)
            for ln in lo_l + hi_l:
                ax.plot(ln[:, 0], ln[:, 1], color=st["color"], ls=":", lw=1.0)
        if any(results[c.label].alt for c in curves):
            ax.plot([], [], color="grey", ls=":", lw=1.0, label="theory band (alternative weights)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(*(xlim or (allm.min(), allm.max())))
        ax.set_ylim(*(ylim or (allc.min(), allc.max())))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("$m_N$ [GeV]")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=12, loc="right")
        ax.legend(fontsize=10, loc="lower left", framealpha=0.9)
        if note:
            ax.text(0.98, 0.98, note, transform=ax.transAxes, ha="right", va="top", fontsize=9)
        fig.tight_layout()
        fig.savefig(path, dpi=130)
        plt.close(fig)


def tex_number(x: float) -> str:
    """``1e-4`` -> ``10^{-4}``, ``3e-4`` -> ``3 \\times 10^{-4}`` (for plot labels)."""
    e = math.floor(math.log10(abs(x)))
    c = x / 10**e
    if abs(c - round(c)) < 1e-9:
        c = int(round(c))
    return f"10^{{{e}}}" if c == 1 else f"{c:g} \\times 10^{{{e}}}"


def default_workers() -> int:
    return os.cpu_count() or 1

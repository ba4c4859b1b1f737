#!/usr/bin/env python3
"""MiniBooNE beam-dump ALP limits (arXiv:2307.03878) from fipgen's shower ALPs.

ALPs are made by the secondaries of the pi0/eta electromagnetic showers in the MiniBooNE
steel dump (1.86e20 POT, 8.89 GeV/c protons; the shower table the bnb_dump beamline names, at
present `fluxes/shower_bnb_dump.npz`)
and seen in MiniBooNE's mineral oil (the 5.746 m signal sphere, 491 m away) by their decays
and by scattering:

* photon coupling g_agg (GeV^-1): Primakoff production gamma Fe -> a Fe; detection by
  a -> gamma gamma decays and by inverse Primakoff a N -> gamma N on C and H;
* electron coupling g_aee: Compton-like gamma e -> a e, resonant e+ e- -> a, associated
  e+ e- -> a gamma and bremsstrahlung e Fe -> e Fe a production; detection by a -> e+ e-
  decays and inverse Compton a e -> gamma e.

For each coupling the script scans (m_a, g) with `fipgen.scan.run.run_scan` (one sample per
mass, reweighted to every coupling: the production, lifetime and scattering rate all scale with
g^2) for the decay card and the scattering card, adds the two event grids, and draws the
excluded region where the expected signal exceeds the threshold (default 2.3 events: a
background-free 90 % CL; `--events-limit` changes it; the paper's own statistical treatment,
with MiniBooNE's dump-mode backgrounds and efficiencies, was not reconstructed here).

Particle sources (--sources): the dump's first-interaction variant (default, like the paper's:
the BNB Sanford-Wang pi0/eta shape normalised to 2.42 pi0/POT and the shower table seeded by
their photons in the steel) or its hadron cascade (`cascade`, the dump file's own default:
every generation of the cascade in the steel, and the showers its EM seeds make,
fluxes/cascade_bnb_dump.npz; run cards' experiment.meson_sources).

Two sets of cross-section conventions (--conventions, both by default): fipgen's, and those of
the paper's public code (alplib), PAPER_CONVENTIONS below: for the photon coupling its Primakoff
production cross section (massless, no nuclear form factor, twice the production normalisation),
the ALP along its photon, and its inverse Primakoff; for the electron coupling its resonant
cross section. They are [model.alp] options of fipgen, off by default
(docs/physics.md#paper-conventions-of-arxiv230703878 says what each is and why it is not the
default). What the paper's code does not share with fipgen and is not reproduced: its photon
flux (its own GEANT4 run; fipgen uses its shower table, whatever the beamline names), the
angular acceptance it applied, its efficiencies and statistical treatment.

Outputs in --output-dir (default: the current directory):
  miniboone_alp_<coupling>_contour.csv        the excluded region's boundary, fipgen's conventions:
                                              mass (GeV), coupling (GeV^-1 for g_agg, dimensionless
                                              g_aee), one row per point in order around each closed
                                              contour (lines separated by a '# line k' comment)
  miniboone_alp_<coupling>_paper_contour.csv  the same with the paper's code's conventions
  miniboone_alp_<coupling>[_paper]_grid.csv   the expected events on the grid (decays, scatters, sum)
  miniboone_alp.png                           the excluded regions, both conventions
  miniboone_alp_summary.json                  mass range, smallest and largest coupling excluded
and prints, for each coupling and convention, the mass range excluded and the couplings reached.

--tasks factors (miniboone_alp_convention_factors.csv): each paper convention switched on alone
(FACTOR_ROWS) at m = 10, 50, 100 MeV (photon) and 5, 20, 50 MeV (electron): the expected events
over the default's at the default contour's lower and upper edges, and the edges it gives.
--tasks edge (miniboone_alp_upper_edge.csv): what sets the photon contour's upper edge
(:func:`upper_edge`): the boost and lab decay length of the ALPs decaying in the detector
there, the edge with the paper's normalisation alone, and with the ALP spectrum cut at 2 and
1 GeV. Tables of a default run are in docs/physics.md#paper-conventions-of-arxiv230703878.

Default run: 36 masses (log, 1 MeV - 0.4 GeV) x 120 couplings, 40k trials per mass and card,
on all cores: about 5 minutes per convention on 2 cores (the electron case starts above
2 m_e). `--quick` makes a 6 x 30 grid with 5k trials.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

DECAY_CARD = """
[experiment]
detector = "miniboone_dump"
meson_sources = "{sources}"

[model]
alp = {{ mass = 0.05, {coupling} = {ref}{conventions} }}

[signal]
produce = {produce}
detect = "alp:{mode}"
{extra}

[run]
events = {events}
seed = {seed}
"""

CASES = {
    "photon": {"coupling": "g_gamma", "key": "model.alp.g_gamma", "produce": '["alp:primakoff"]',
               "scatter": '["primakoff"]', "ref": 1e-6, "couplings": (1e-9, 1e-2), "unit": "GeV^-1",
               "label": r"$g_{a\gamma\gamma}$ [GeV$^{-1}$]"},
    "electron": {"coupling": "g_electron", "key": "model.alp.g_electron",
                 "produce": '["alp:compton", "alp:resonant", "alp:associated", "alp:bremsstrahlung"]', "scatter": '["compton"]',
                 "ref": 1e-8, "couplings": (1e-11, 1e-3), "unit": "dimensionless", "label": r"$g_{aee}$"},
}


#: The cross-section conventions of the paper's public code (alplib) that differ from fipgen's,
#: as [model.alp] keys (fipgen.models.params; docs/physics.md#paper-conventions-of-arxiv230703878).
#: ``--conventions paper`` switches all of a case's on; ``--factors`` one at a time.
PAPER_CONVENTIONS = {
    "photon": {"primakoff_xsec": "alplib", "primakoff_angle": "collinear", "inverse_primakoff_xsec": "alplib"},
    "electron": {"resonant_xsec": "alplib"},
}
#: Rows of the --factors table: (label, [model.alp] keys switched from fipgen's defaults).
FACTOR_ROWS = {
    "photon": [("default", {}), ("primakoff_xsec=massless", {"primakoff_xsec": "massless"}),
               ("primakoff_xsec=alplib", {"primakoff_xsec": "alplib"}),
               ("primakoff_angle=collinear", {"primakoff_angle": "collinear"}),
               ("inverse_primakoff_xsec=alplib", {"inverse_primakoff_xsec": "alplib"}),
               ("paper (all)", PAPER_CONVENTIONS["photon"])],
    "electron": [("default", {}), ("resonant_xsec=alplib", {"resonant_xsec": "alplib"}),
                 ("paper (all)", PAPER_CONVENTIONS["electron"])],
}
#: Masses (GeV) of the --factors and --edge tables.
FACTOR_MASSES = {"photon": (0.01, 0.05, 0.1), "electron": (0.005, 0.02, 0.05)}
#: Baseline (m) from the dump face to MiniBooNE's centre (geometries/miniboone_dump.toml).
BASELINE_M = 491.03
#: hbar c in GeV m (c tau = 64 pi hbar c/(g^2 m^3) for a photon-coupled ALP, fipgen.models.alp).
HBARC = 1.973269804e-16


#: The run cards' experiment.meson_sources (--sources): "first-interactions" (the dump's
#: first-interaction variant: the BNB Sanford-Wang pi0/eta shape at 2.42 pi0/POT and its shower
#: table) or "cascade" (the beam's hadron cascade in the steel and the showers it seeds,
#: fluxes/cascade_bnb_dump.npz: the dump file's default). Set once by main().
SOURCES = {"meson_sources": "first-interactions"}


def _cards(case: dict, events: int, seed: int, conventions: dict | None = None):
    from fipgen.card import parse_card

    conv = "".join(f', {k} = "{v}"' for k, v in (conventions or {}).items())
    out = {}
    for mode, extra in (("decay", 'final_states = "visible"'), ("scatter", f"scatter = {case['scatter']}")):
        text = DECAY_CARD.format(coupling=case["coupling"], ref=case["ref"], produce=case["produce"], mode=mode,
                                 extra=extra, events=events, seed=seed, conventions=conv,
                                 sources=SOURCES["meson_sources"])
        out[mode] = parse_card(text, source=f"reproduce_miniboone_alp:{case['coupling']}:{mode}")
    return out


def case_masses(name: str, masses) -> np.ndarray:
    """The masses a case can scan: the electron coupling alone needs m_a > 2 m_e (the ALP must decay)."""
    masses = np.asarray(masses, dtype=np.float64)
    return masses[masses > 2 * 0.51099895e-3 * 1.0005] if name == "electron" else masses


def scan_case(name: str, masses, n_coupling: int, events: int, seed: int, workers: int, conventions: dict | None = None):
    from fipgen.scan.run import run_scan

    case = CASES[name]
    couplings = np.geomspace(case["couplings"][0], case["couplings"][1], n_coupling)
    grids = {}
    for mode, card in _cards(case, events, seed, conventions).items():
        r = run_scan(card, masses, couplings, mass_key="model.alp.mass", coupling_key=case["key"], workers=workers)
        grids[mode] = r
    return couplings, grids


def _crossings(couplings, events, threshold):
    """(lowest, highest) coupling where ``events`` crosses ``threshold`` (log-log interpolation), or Nones."""
    ex = events >= threshold
    if not ex.any():
        return None, None
    lg, le, lt = np.log(couplings), np.log(np.maximum(events, 1e-300)), math.log(threshold)
    i, j = int(np.argmax(ex)), int(len(ex) - 1 - np.argmax(ex[::-1]))
    lo = couplings[i] if i == 0 else math.exp(np.interp(lt, [le[i - 1], le[i]], [lg[i - 1], lg[i]]))
    hi = couplings[j] if j == len(ex) - 1 else math.exp(np.interp(lt, [le[j + 1], le[j]], [lg[j + 1], lg[j]]))
    return lo, hi


def _at(couplings, events, g):
    """events at coupling g (log-log interpolation on the grid)."""
    return float(np.exp(np.interp(math.log(g), np.log(couplings), np.log(np.maximum(events, 1e-300)))))


def convention_factors(name: str, n_coupling: int, events: int, seed: int, workers: int, threshold: float,
                       masses=None) -> list[dict]:
    """For each convention row (FACTOR_ROWS) and mass: the expected events over fipgen's default at
    the default contour's lower edge (decays + scattering, from the scans) and upper edge (decays,
    from the ordinary pipeline at that coupling: the scan's rate-proportional sample rarely visits
    the top of the spectrum that makes the upper edge), and the row's own edges from the scans
    (the upper one only to the scan's accuracy there, a few %)."""
    masses = np.asarray(masses if masses is not None else FACTOR_MASSES[name], dtype=np.float64)
    case = CASES[name]
    tot = {}
    for label, conv in FACTOR_ROWS[name]:
        couplings, g = scan_case(name, masses, n_coupling, events, seed, workers, conv)
        tot[label] = g["decay"].events + g["scatter"].events
    rows = []
    for i, m in enumerate(masses):
        lo0, hi0 = _crossings(couplings, tot["default"][i], threshold)
        n_hi = {label: _decays_at(_cards(case, events, seed, conv)["decay"], float(m), hi0, case["key"])[0]
                for label, conv in FACTOR_ROWS[name]} if hi0 else {}
        for label, _ in FACTOR_ROWS[name]:
            ev = tot[label][i]
            lo, hi = _crossings(couplings, ev, threshold)
            rows.append({"case": name, "mass": float(m), "convention": label, "g_lo_default": lo0,
                         "ratio_at_g_lo": _at(couplings, ev, lo0) / _at(couplings, tot["default"][i], lo0) if lo0 else None,
                         "g_hi_default": hi0,
                         "decay_ratio_at_g_hi": n_hi[label] / n_hi["default"] if hi0 and n_hi["default"] > 0 else None,
                         "g_lo": lo, "g_hi": hi})
    return rows


def _decays_at(base_card, mass: float, g: float, key: str, e_max: float = math.inf):
    """(expected decays, per-event weights, lab beta gamma) of ``base_card`` at (mass, g), from the
    ordinary pipeline: its energy proposal follows the decay probability at this g, which samples
    the top of the spectrum that makes the short-lifetime edge. ALPs above ``e_max`` GeV dropped."""
    from fipgen.pipeline import build_job, iter_chunks
    from fipgen.scan.axes import card_at

    card = card_at(base_card, mass_key="model.alp.mass", mass=mass, coupling_key=key, coupling=g)
    w, bg = [], []
    for batch, _ in iter_chunks(build_job(card)):
        w.append(np.where(batch.scalars["llp_e"] <= e_max, batch.scalars["weight"], 0.0))
        bg.append(batch.scalars["llp_beta_gamma"])
    w, bg = np.concatenate(w), np.concatenate(bg)
    return float(w.sum()), w, bg


def _edge_bisect(f, g0: float, threshold: float, steps: int = 12):
    """The coupling near ``g0`` where the decreasing ``f(g)`` crosses ``threshold`` (bisection in log g);
    None when ``f`` stays below it down to g0/256 (no excluded region there)."""
    lo, hi = g0 / 2, g0 * 2
    for _ in range(8):
        if f(lo) > threshold:
            break
        lo /= 2
    else:
        return None
    for _ in range(8):
        if f(hi) < threshold:
            break
        hi *= 2
    for _ in range(steps):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if f(mid) > threshold else (lo, mid)
    return math.sqrt(lo * hi)


def upper_edge(masses, events: int, seed: int, threshold: float, n_coupling: int = 120) -> list[dict]:
    """What sets the photon contour's upper (short-lifetime) edge, with fipgen's and the paper's conventions.

    Decays only (scattering is negligible at both edges, ``--tasks factors``). For each mass: the scan
    (one sample reweighted) locates both edges; the upper one is then refined by bisection with the
    ordinary pipeline, whose energy proposal follows the decay probability at each coupling (the
    edge is made by the top of the photon spectrum, which a rate-proportional sample barely
    visits). At the edge g_hi: c tau, the events-weighted median and 90 % quantile of the lab
    beta gamma of the ALPs decaying in the detector, the median's lab decay length over the
    491 m baseline (L/ell there is the log of the unsuppressed rate over the threshold). Row
    ``"default x R"`` moves only the normalisation: fipgen's sample with every weight times the
    ratio R of the paper's events to the default's at the default's lower edge; the remaining
    shift to ``"paper"`` is the change of the ALP energy spectrum. Rows ``"default E<2"``, ``"E<1"``:
    fipgen's sample without the ALPs above 2 or 1 GeV (how the edge follows the top of the
    spectrum; their g_lo is not computed). Returned rows: convention, mass,
    g_lo, g_hi, R, ctau_m, bg_median, bg_90, E_median_GeV, ell_over_L.
    """
    from fipgen.scan.axes import ScanAxes, card_at
    from fipgen.scan.reweight import collect_table

    case = CASES["photon"]
    couplings = np.geomspace(1e-8, 1e-2, n_coupling)
    bases = {label: _cards(case, events, seed, conv)["decay"]
             for label, conv in (("default", {}), ("paper", PAPER_CONVENTIONS["photon"]))}
    out = []
    for m in masses:
        scan = {}
        for label, base in bases.items():
            card = card_at(base, mass_key="model.alp.mass", mass=float(m))
            ev = collect_table(card, ScanAxes(card, "model.alp.mass", case["key"]), stream=(202, 0)).expected(couplings)
            scan[label] = _crossings(couplings, ev["events"], threshold), ev["events"]
        (lo_d, hi_d), ev_d = scan["default"]
        (lo_p, hi_p), ev_p = scan["paper"]
        if lo_d is None or hi_d is None:
            continue
        ratio = _at(couplings, ev_p, lo_d) / _at(couplings, ev_d, lo_d)
        rows = (("default", bases["default"], lo_d, hi_d, 1.0, math.inf),
                ("default x R", bases["default"], lo_d, hi_d, ratio, math.inf),
                ("paper", bases["paper"], lo_p, hi_p or hi_d, 1.0, math.inf),
                ("default E<2", bases["default"], None, hi_d, 1.0, 2.0),
                ("default E<1", bases["default"], None, hi_d, 1.0, 1.0))
        for label, base, g_lo, g_scan, factor, e_max in rows:
            cache = {}

            def f(g, base=base, factor=factor, cache=cache, e_max=e_max):
                if g not in cache:
                    cache[g] = _decays_at(base, float(m), g, case["key"], e_max)
                return factor * cache[g][0]

            g_hi = _edge_bisect(f, g_scan / math.sqrt(max(1.0, 5.0 / e_max)), threshold)
            if g_hi is None:
                out.append({"convention": label, "mass": float(m), "g_lo": g_lo, "g_hi": None, "R": factor})
                continue
            n, w, bg = _decays_at(base, float(m), g_hi, case["key"], e_max)
            order = np.argsort(bg)
            cw = np.cumsum(w[order]) / w.sum()
            bg_med = float(bg[order][np.searchsorted(cw, 0.5)])
            ctau = 64 * math.pi * HBARC / (g_hi**2 * m**3)
            out.append({"convention": label, "mass": float(m), "g_lo": g_lo, "g_hi": g_hi, "R": factor,
                        "ctau_m": ctau, "bg_median": bg_med, "bg_90": float(bg[order][np.searchsorted(cw, 0.9)]),
                        "E_median_GeV": m * math.sqrt(1 + bg_med**2), "ell_over_L": bg_med * ctau / BASELINE_M})
    return out


def write_contour(path: Path, lines, unit: str, conventions: str = "default") -> None:
    what = ("fipgen's cross sections" if conventions == "default" else
            "the paper's code's cross-section conventions, PAPER_CONVENTIONS")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# MiniBooNE dump ALP exclusion boundary (fipgen; arXiv:2307.03878 setup; {what}): mass in GeV, "
                 f"coupling in {unit}; points in order around each line\n")
        fh.write("mass,coupling\n")
        for k, ln in enumerate(lines):
            if len(lines) > 1:
                fh.write(f"# line {k}\n")
            for m, c in ln:
                fh.write(f"{m:.6g},{c:.6g}\n")


def _summary(masses, couplings, grids, total, threshold):
    excl = total >= threshold
    m_ex = masses[excl.any(axis=1)]
    return {"mass_range_excluded_GeV": [float(m_ex.min()), float(m_ex.max())] if m_ex.size else None,
            "smallest_coupling_excluded": float(couplings[excl.any(axis=0)].min()) if excl.any() else None,
            "largest_coupling_excluded": float(couplings[excl.any(axis=0)].max()) if excl.any() else None,
            "decay_dominates_fraction": float(np.mean(grids["decay"].events[excl] > grids["scatter"].events[excl]))
            if excl.any() else None, "notes": grids["decay"].notes + grids["scatter"].notes}


def _fmt(v, spec=".3g"):
    return "-" if v is None else format(v, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--output-dir", default=".", help="where the CSVs and the PNG go (default: current directory)")
    ap.add_argument("--masses", default="0.001:0.4:36", help="MIN:MAX:N ALP masses in GeV, log-spaced (default 0.001:0.4:36)")
    ap.add_argument("--couplings", type=int, default=120, help="couplings per scan, log-spaced (default 120)")
    ap.add_argument("--events", type=int, default=40_000, help="trials per mass and card (default 40000)")
    ap.add_argument("--events-limit", type=float, default=2.3, help="signal events of the excluded region (default 2.3)")
    ap.add_argument("--cases", default="photon,electron", help="photon, electron or both (default)")
    ap.add_argument("--conventions", default="default,paper",
                    help="cross-section conventions of the contours: default (fipgen's), paper (those of the paper's "
                         "code, PAPER_CONVENTIONS) or both (default)")
    ap.add_argument("--tasks", default="contours",
                    help="contours (the excluded regions), factors (each paper convention alone: events over the "
                         "default's at the default contour's edges, and the shifted edges), edge (what sets the photon "
                         "contour's upper edge); comma-separated (default contours)")
    ap.add_argument("--sources", default="first-interactions", choices=("first-interactions", "cascade"),
                    help="particle sources: the dump's first-interaction ones at 2.42 pi0/POT (default, as the "
                         "paper's) or its hadron cascade (the dump file's default)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="local processes (default: all cores)")
    ap.add_argument("--seed", type=int, default=2307, help="random seed (default 2307)")
    ap.add_argument("--quick", action="store_true", help="small grid and samples (smoke test)")
    ap.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = ap.parse_args(argv)
    from fipgen.scan.run import contour_lines

    lo, hi, n = args.masses.split(":")
    masses = np.geomspace(float(lo), float(hi), 6 if args.quick else int(n))
    n_c = 30 if args.quick else args.couplings
    events = 5_000 if args.quick else args.events
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    convs = [c.strip() for c in args.conventions.split(",") if c.strip()]
    tasks = [c.strip() for c in args.tasks.split(",") if c.strip()]
    for opt, vals, allowed in (("--cases", cases, CASES), ("--conventions", convs, ("default", "paper")),
                               ("--tasks", tasks, ("contours", "factors", "edge"))):
        bad = [v for v in vals if v not in allowed] or ([] if vals else ["(none)"])
        if bad:
            sys.stderr.write(f"reproduce_miniboone_alp: error: {opt} {bad[0]!r}: allowed {', '.join(allowed)}\n")
            return 2
    SOURCES["meson_sources"] = args.sources
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = {"default": "", "paper": "_paper"}
    files = []
    if "contours" in tasks:
        files += [out / "miniboone_alp.png"] + [out / f"miniboone_alp_{c}{suffix[v]}_{k}.csv"
                                                for c in cases for v in convs for k in ("contour", "grid")]
    if "factors" in tasks:
        files.append(out / "miniboone_alp_convention_factors.csv")
    if "edge" in tasks:
        files.append(out / "miniboone_alp_upper_edge.csv")
    for f in files:
        if f.exists() and not args.overwrite:
            sys.stderr.write(f"reproduce_miniboone_alp: error: {f} exists (use --overwrite)\n")
            return 2
    t0 = time.perf_counter()
    results = {}
    summary = {}
    if "contours" in tasks:
        for name in cases:
            m_case = case_masses(name, masses)
            for conv in convs:
                couplings, grids = scan_case(name, m_case, n_c, events, args.seed, args.workers,
                                             PAPER_CONVENTIONS[name] if conv == "paper" else None)
                total = grids["decay"].events + grids["scatter"].events
                lines = contour_lines(m_case, couplings, total, args.events_limit)
                write_contour(out / f"miniboone_alp_{name}{suffix[conv]}_contour.csv", lines, CASES[name]["unit"],
                              conv)
                with open(out / f"miniboone_alp_{name}{suffix[conv]}_grid.csv", "w", encoding="utf-8") as fh:
                    fh.write("mass,coupling,events_decay,events_scatter,events_total\n")
                    for i, m in enumerate(m_case):
                        for j, c in enumerate(couplings):
                            fh.write(f"{m:.6g},{c:.6g},{grids['decay'].events[i, j]:.6g},"
                                     f"{grids['scatter'].events[i, j]:.6g},{total[i, j]:.6g}\n")
                sm = _summary(m_case, couplings, grids, total, args.events_limit)
                results[(name, conv)] = {"masses": m_case, "couplings": couplings, "total": total, "lines": lines}
                summary[f"{name}{suffix[conv]}"] = sm
                print(f"{name} ({conv} conventions): excluded masses {sm['mass_range_excluded_GeV']} GeV, "
                      f"{CASES[name]['coupling']} from {sm['smallest_coupling_excluded']} to "
                      f"{sm['largest_coupling_excluded']}; decays dominate {sm['decay_dominates_fraction']} of the "
                      f"excluded grid points")
        _plot(out / "miniboone_alp.png", cases, convs, results, args.events_limit)
    if "factors" in tasks:
        rows = []
        for name in cases:
            rows += convention_factors(name, n_c, events, args.seed, args.workers, args.events_limit)
        keys = ["case", "mass", "convention", "g_lo_default", "ratio_at_g_lo", "g_hi_default", "decay_ratio_at_g_hi",
                "g_lo", "g_hi"]
        with open(out / "miniboone_alp_convention_factors.csv", "w", encoding="utf-8") as fh:
            fh.write(f"# expected events of each convention over fipgen's default at the default contour's lower edge "
                     f"(decays + scattering, scans) and upper edge (decays, pipeline at that coupling) "
                     f"({args.events_limit:g} events), and the convention's own edges (scans); {events} trials per "
                     f"mass and card, {n_c} couplings\n")
            fh.write(",".join(keys) + "\n")
            for r in rows:
                fh.write(",".join(str(r[k]) if isinstance(r[k], str) else _fmt(r[k], ".5g") for k in keys) + "\n")
        print(f"\n{'case':8s} {'m [GeV]':>8s} {'convention':32s} {'N/N_def @g_lo':>13s} {'D/D_def @g_hi':>13s} "
              f"{'g_lo':>9s} {'g_hi':>9s}")
        for r in rows:
            print(f"{r['case']:8s} {r['mass']:8.3g} {r['convention']:32s} {_fmt(r['ratio_at_g_lo']):>13s} "
                  f"{_fmt(r['decay_ratio_at_g_hi']):>13s} {_fmt(r['g_lo']):>9s} {_fmt(r['g_hi']):>9s}")
        summary["factors"] = rows
    if "edge" in tasks:
        rows = upper_edge(FACTOR_MASSES["photon"], events, args.seed, args.events_limit)
        keys = ["convention", "mass", "g_lo", "g_hi", "R", "ctau_m", "bg_median", "bg_90", "E_median_GeV", "ell_over_L"]
        with open(out / "miniboone_alp_upper_edge.csv", "w", encoding="utf-8") as fh:
            fh.write(f"# photon coupling, decays only: the upper edge g_hi ({args.events_limit:g} events) and there c*tau, "
                     f"the events-weighted median and 90% beta*gamma and median energy of the decaying ALPs, the "
                     f"median's lab decay length over {BASELINE_M} m; 'default x R': fipgen's sample times the paper's "
                     f"normalisation ratio R at the lower edge\n")
            fh.write(",".join(keys) + "\n")
            for r in rows:
                fh.write(",".join(str(r.get(k)) if isinstance(r.get(k), str) else _fmt(r.get(k), ".5g") for k in keys)
                         + "\n")
        print(f"\n{'convention':12s} {'m [GeV]':>8s} {'g_lo':>9s} {'g_hi':>9s} {'R':>6s} {'ctau[m]':>9s} {'bg_med':>8s} "
              f"{'bg_90':>8s} {'E_med':>7s} {'ell/L':>7s}")
        for r in rows:
            print(f"{r['convention']:12s} {r['mass']:8.3g} {_fmt(r['g_lo']):>9s} {_fmt(r['g_hi']):>9s} {r['R']:6.3g} "
                  + " ".join(f"{_fmt(r.get(k)):>{w}s}" for k, w in (("ctau_m", 9), ("bg_median", 8), ("bg_90", 8),
                                                                    ("E_median_GeV", 7), ("ell_over_L", 7))))
        summary["upper_edge"] = rows
    with open(out / "miniboone_alp_summary.json", "w", encoding="utf-8") as fh:
        json.dump(summary | {"seconds": time.perf_counter() - t0, "trials_per_mass": events,
                             "paper_conventions": PAPER_CONVENTIONS}, fh, indent=1)
    print(f"wrote {', '.join(str(f) for f in files)} in {time.perf_counter() - t0:.0f} s")
    return 0


def _plot(path: Path, cases, convs, results, threshold: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style = {"default": ("tab:blue", "-", "fipgen conventions"), "paper": ("tab:red", "--", "paper's code conventions")}
    fig, axes = plt.subplots(1, len(cases), figsize=(6.5 * len(cases), 5))
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, cases):
        for conv in convs:
            r = results[(name, conv)]
            color, ls, label = style[conv]
            if conv == convs[0]:
                ax.contourf(r["masses"], r["couplings"], (r["total"] >= threshold).T.astype(float), levels=[0.5, 1.5],
                            colors=[color], alpha=0.25)
            for k, ln in enumerate(r["lines"]):
                ax.plot(ln[:, 0], ln[:, 1], color=color, ls=ls, lw=1.8, label=label if k == 0 else None)
        ax.axvspan(0.01, 0.1, color="grey", alpha=0.08, label="10-100 MeV (paper: newly excluded)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"$m_a$ [GeV]")
        ax.set_ylabel(CASES[name]["label"])
        ax.set_title(f"MiniBooNE dump, 1.86e20 POT: {threshold:g} events (decays + scattering)", fontsize=10)
        ax.legend(fontsize=8, loc="upper right")
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)


if __name__ == "__main__":
    sys.exit(main())

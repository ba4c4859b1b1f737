#!/usr/bin/env python3
"""MiniBooNE beam-dump ALP limits (arXiv:2307.03878) from fipgen's shower ALPs.

ALPs are made by the secondaries of the pi0/eta electromagnetic showers in the MiniBooNE
steel dump (1.86e20 POT, 8.89 GeV/c protons; fipgen's shower tables `fluxes/shower_bnb_dump.npz`)
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

Outputs in --output-dir (default: the current directory):
  miniboone_alp_photon_contour.csv    the excluded region's boundary: mass (GeV), coupling
  miniboone_alp_electron_contour.csv  (GeV^-1 for g_agg, dimensionless g_aee), one row per point
                                      in order around each closed contour (lines separated by
                                      a '# line k' comment)
  miniboone_alp_<coupling>_grid.csv   the expected events on the grid (decays, scatters, sum)
  miniboone_alp.png                   both excluded regions
and prints, for each coupling, the mass range excluded and the smallest coupling reached.

Default run: 36 masses (log, 1 MeV - 0.4 GeV) x 120 couplings, 40k trials per mass and card,
on all cores: about 5 minutes on 2 cores. `--quick` makes a 6 x 30 grid with 5k trials.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

DECAY_CARD = """
[experiment]
detector = "miniboone_dump"

[model]
alp = {{ mass = 0.05, {coupling} = {ref} }}

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


def _cards(case: dict, events: int, seed: int):
    from fipgen.card import parse_card

    out = {}
    for mode, extra in (("decay", 'final_states = "visible"'), ("scatter", f"scatter = {case['scatter']}")):
        text = DECAY_CARD.format(coupling=case["coupling"], ref=case["ref"], produce=case["produce"], mode=mode,
                                 extra=extra, events=events, seed=seed)
        out[mode] = parse_card(text, source=f"reproduce_miniboone_alp:{case['coupling']}:{mode}")
    return out


def scan_case(name: str, masses, n_coupling: int, events: int, seed: int, workers: int):
    from fipgen.scan.run import run_scan

    case = CASES[name]
    couplings = np.geomspace(case["couplings"][0], case["couplings"][1], n_coupling)
    grids = {}
    for mode, card in _cards(case, events, seed).items():
        r = run_scan(card, masses, couplings, mass_key="model.alp.mass", coupling_key=case["key"], workers=workers)
        grids[mode] = r
    return couplings, grids


def write_contour(path: Path, lines, unit: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# MiniBooNE dump ALP exclusion boundary (fipgen; arXiv:2307.03878 setup): mass in GeV, coupling in "
                 f"{unit}; points in order around each line\n")
        fh.write("mass,coupling\n")
        for k, ln in enumerate(lines):
            if len(lines) > 1:
                fh.write(f"# line {k}\n")
            for m, c in ln:
                fh.write(f"{m:.6g},{c:.6g}\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--output-dir", default=".", help="where the CSVs and the PNG go (default: current directory)")
    ap.add_argument("--masses", default="0.001:0.4:36", help="MIN:MAX:N ALP masses in GeV, log-spaced (default 0.001:0.4:36)")
    ap.add_argument("--couplings", type=int, default=120, help="couplings per scan, log-spaced (default 120)")
    ap.add_argument("--events", type=int, default=40_000, help="trials per mass and card (default 40000)")
    ap.add_argument("--events-limit", type=float, default=2.3, help="signal events of the excluded region (default 2.3)")
    ap.add_argument("--cases", default="photon,electron", help="photon, electron or both (default)")
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
    for c in cases:
        if c not in CASES:
            sys.stderr.write(f"reproduce_miniboone_alp: error: --cases {c!r}: allowed photon, electron\n")
            return 2
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "miniboone_alp.png"] + [out / f"miniboone_alp_{c}_{k}.csv" for c in cases for k in ("contour", "grid")]
    for f in files:
        if f.exists() and not args.overwrite:
            sys.stderr.write(f"reproduce_miniboone_alp: error: {f} exists (use --overwrite)\n")
            return 2
    t0 = time.perf_counter()
    results = {}
    for name in cases:
        couplings, grids = scan_case(name, masses, n_c, events, args.seed, args.workers)
        total = grids["decay"].events + grids["scatter"].events
        lines = contour_lines(masses, couplings, total, args.events_limit)
        write_contour(out / f"miniboone_alp_{name}_contour.csv", lines, CASES[name]["unit"])
        with open(out / f"miniboone_alp_{name}_grid.csv", "w", encoding="utf-8") as fh:
            fh.write("mass,coupling,events_decay,events_scatter,events_total\n")
            for i, m in enumerate(masses):
                for j, c in enumerate(couplings):
                    fh.write(f"{m:.6g},{c:.6g},{grids['decay'].events[i, j]:.6g},{grids['scatter'].events[i, j]:.6g},"
                             f"{total[i, j]:.6g}\n")
        excl = total >= args.events_limit
        m_ex = masses[excl.any(axis=1)]
        summary = {"mass_range_excluded_GeV": [float(m_ex.min()), float(m_ex.max())] if m_ex.size else None,
                   "smallest_coupling_excluded": float(couplings[excl.any(axis=0)].min()) if excl.any() else None,
                   "decay_dominates_fraction": float(np.mean(grids["decay"].events[excl] > grids["scatter"].events[excl]))
                   if excl.any() else None, "notes": grids["decay"].notes + grids["scatter"].notes}
        results[name] = {"couplings": couplings, "total": total, "lines": lines, "summary": summary}
        print(f"{name}: excluded masses {summary['mass_range_excluded_GeV']} GeV, smallest {CASES[name]['coupling']} "
              f"{summary['smallest_coupling_excluded']}; decays dominate {summary['decay_dominates_fraction']} of the "
              f"excluded grid points")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(cases), figsize=(6.5 * len(cases), 5))
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, cases):
        r = results[name]
        ax.contourf(masses, r["couplings"], (r["total"] >= args.events_limit).T.astype(float), levels=[0.5, 1.5],
                    colors=["tab:blue"], alpha=0.35)
        for ln in r["lines"]:
            ax.plot(ln[:, 0], ln[:, 1], color="tab:blue", lw=1.8)
        ax.axvspan(0.01, 0.1, color="grey", alpha=0.08, label="10-100 MeV (paper: newly excluded)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"$m_a$ [GeV]")
        ax.set_ylabel(CASES[name]["label"])
        ax.set_title(f"MiniBooNE dump, 1.86e20 POT: {args.events_limit:g} events (decays + scattering)", fontsize=10)
        ax.legend(fontsize=8, loc="upper right")
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "miniboone_alp.png", dpi=130)
    with open(out / "miniboone_alp_summary.json", "w", encoding="utf-8") as fh:
        json.dump({k: v["summary"] for k, v in results.items()} | {"seconds": time.perf_counter() - t0,
                                                                    "trials_per_mass": events}, fh, indent=1)
    print(f"wrote {', '.join(str(f) for f in files)} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

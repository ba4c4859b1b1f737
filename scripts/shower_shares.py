#!/usr/bin/env python3
"""The share of each production mechanism of a card by mass: a table and a plot (issue 17).

For each mass the card's model is set to it (the coupling kept) and ``fipgen.yields.compute_yields``
gives the expected events of every channel of ``signal.produce`` with ``--trials`` trials per
channel; channels closed at a mass count zero. Default: the packaged example
``miniboone_dump_dark_photon_shower`` (dark photons in the MiniBooNE steel dump from pi0 and eta
decays and from the showers: associated, resonant, Compton-like, bremsstrahlung).

Writes ``<stem>_shares.png`` and ``<stem>_shares.csv`` into ``--output-dir`` and prints a
markdown table (events, and the share of the total where at least 0.1 %).

    python scripts/shower_shares.py [--card NAME_OR_PATH] [--masses 0.003,0.005,...]
           [--trials N] [--output-dir DIR] [--overwrite]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np


def shares(card_path: str, masses: list[float], trials: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(channel names, events [mass, channel], MC errors [mass, channel])."""
    from dataclasses import replace

    from fipgen.card import load_card
    from fipgen.errors import FipgenError
    from fipgen.job import build_job
    from fipgen.scan.axes import card_at
    from fipgen.yields import compute_yields

    card = load_card(card_path)
    names = [f"{p}:{w}" for p, w in card.produce]
    ev = np.zeros((len(masses), len(names)))
    err = np.zeros_like(ev)
    for i, m in enumerate(masses):
        c = replace(card_at(card, f"model.{card.llp}.mass", m), events=trials * len(names))
        try:
            res = compute_yields(build_job(c))
        except FipgenError as exc:  # every channel closed at this mass
            sys.stderr.write(f"shower_shares: m = {m:g} GeV: {exc}\n")
            continue
        for j, n in enumerate(names):
            got = res["channels"].get(n)
            if got is not None:
                ev[i, j], err[i, j] = got["expected_events"], got["mc_error"]
    return names, ev, err


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--card", default="miniboone_dump_dark_photon_shower", help="packaged example name or card path")
    ap.add_argument("--masses", default="0.003,0.005,0.01,0.02,0.03,0.05,0.07,0.1",
                    help="comma-separated masses in GeV")
    ap.add_argument("--trials", type=int, default=100_000, help="trials per channel and mass (default 100000)")
    ap.add_argument("--output-dir", default=".", help="folder for the png and csv (default: .)")
    ap.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = ap.parse_args(argv)
    try:
        masses = [float(m) for m in args.masses.split(",") if m.strip()]
    except ValueError:
        sys.stderr.write(f"shower_shares: error: --masses {args.masses!r}: expected comma-separated numbers\n")
        return 2
    card_path = args.card
    if not Path(card_path).exists():
        from fipgen.resources import data_file

        card_path = str(data_file("examples", card_path.removesuffix(".toml") + ".toml"))
    stem = Path(card_path).stem
    out_dir = Path(args.output_dir)
    png, csvp = out_dir / f"{stem}_shares.png", out_dir / f"{stem}_shares.csv"
    for p in (png, csvp):
        if p.exists() and not args.overwrite:
            sys.stderr.write(f"shower_shares: error: {p} exists (use --overwrite)\n")
            return 2
    names, ev, err = shares(card_path, masses, args.trials)
    total = ev.sum(axis=1)
    out_dir.mkdir(parents=True, exist_ok=True)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(2, 1, figsize=(7.0, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    ms = np.array(masses) * 1e3
    for j, n in enumerate(names):
        ok = ev[:, j] > 0
        ax.errorbar(ms[ok], ev[ok, j], yerr=err[ok, j], marker="o", ms=3, label=n.partition(":")[2])
        bx.plot(ms[ok], ev[ok, j] / total[ok], marker="o", ms=3)
    ax.plot(ms[total > 0], total[total > 0], color="k", lw=2, label="total")
    ax.set_yscale("log")
    ax.set_ylabel("expected events")
    ax.set_title(f"{stem}: events by production mechanism", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    bx.set_xscale("log")
    bx.set_yscale("log")
    bx.set_ylim(1e-4, 1.5)
    bx.set_xlabel("mass [MeV]")
    bx.set_ylabel("share of the total")
    bx.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    with open(csvp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["mass_GeV"] + [f"{n} events" for n in names] + [f"{n} error" for n in names])
        for i, m in enumerate(masses):
            w.writerow([f"{m:g}"] + [f"{v:.5g}" for v in ev[i]] + [f"{v:.3g}" for v in err[i]])
    print("| m (MeV) | " + " | ".join(n.partition(":")[2] for n in names) + " | total events |")
    print("|---|" + "---|" * (len(names) + 1))
    for i, m in enumerate(masses):
        cells = []
        for j in range(len(names)):
            v = ev[i, j]
            share = v / total[i] if total[i] > 0 else 0.0
            cells.append("closed" if v == 0 else f"{v:.3g} ({100 * share:.2g} %)" if share >= 1e-3 else f"{v:.2g}")
        print(f"| {1e3 * m:g} | " + " | ".join(cells) + f" | {total[i]:.3g} |")
    print(f"wrote {png} and {csvp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The E137 dark-photon exclusion from fipgen's electron-beam showers, next to the published ones.

Scans (m_A', eps) for the packaged card ``e137_dark_photon`` (20 GeV electrons, 1.87e20 on the
aluminium Beam Dump East, A' -> e+ e- in the 204 m region 179 m behind it, visible energy above
1 GeV) twice: with every shower mechanism (e N -> e N A', e+ e- -> gamma A', e+ e- -> A',
gamma e -> e A') and with the electrons' bremsstrahlung alone, which is what the published
limits count. The excluded region is where the expected events reach ``--events-limit``
(default 3.0: no events seen, 95 % CL, as those analyses). Overlaid: the curves of Andreas,
Niebuhr and Ringwald (arXiv:1209.6083) and of Bjorken, Essig, Schuster and Toro
(arXiv:0906.0580), as digitised by DarkCast (scripts/data/e137_limit_*.csv, sources in their
headers).

Outputs in --output-dir: ``e137_dark_photon_limit.png`` and ``e137_dark_photon_edges.csv`` (the
lower and upper edges by mass, both fipgen scans); a markdown table of the edges at selected
masses, with the published ones, is printed.

    python scripts/reproduce_e137.py [--output-dir DIR] [--masses N] [--workers N] [--overwrite]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PUBLISHED = {"Andreas et al. 2012": HERE / "data" / "e137_limit_andreas2012.csv",
             "Bjorken et al. 2009": HERE / "data" / "e137_limit_bjorken2009.csv"}
SHOW = (0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3)


def edges(couplings: np.ndarray, events: np.ndarray, limit: float) -> tuple[float, float]:
    """(lower, upper) coupling where the events cross ``limit`` (log-log interpolation on the
    grid); NaN when the mass excludes nothing."""
    above = events >= limit
    if not above.any():
        return float("nan"), float("nan")
    i, j = int(np.argmax(above)), int(above.size - 1 - np.argmax(above[::-1]))

    def cross(a, b):
        ea, eb = max(events[a], 1e-300), max(events[b], 1e-300)
        f = (np.log(limit) - np.log(ea)) / (np.log(eb) - np.log(ea))
        return float(np.exp(np.log(couplings[a]) + f * (np.log(couplings[b]) - np.log(couplings[a]))))

    lo = cross(i - 1, i) if i > 0 else float(couplings[0])
    hi = cross(j, j + 1) if j < above.size - 1 else float(couplings[-1])
    return lo, hi


def published(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(masses, lower, upper) of a closed contour file (lower edge rising in mass, then upper falling)."""
    rows = np.array([[float(v) for v in line.split(",")] for line in path.read_text().splitlines()
                     if line.strip() and not line.startswith("#")])
    tip = int(np.argmax(rows[:, 0]))
    low, up = rows[: tip + 1], rows[tip:][::-1]
    m = np.unique(np.concatenate([low[:, 0], up[:, 0]]))
    return m, np.interp(m, low[:, 0], low[:, 1]), np.interp(m, up[:, 0], up[:, 1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output-dir", default=".", help="folder for the png and csv (default: .)")
    ap.add_argument("--masses", type=int, default=40, help="log-spaced masses from 2 to 320 MeV (default 40)")
    ap.add_argument("--events-limit", type=float, default=3.0, help="excluded above this many events (default 3.0)")
    ap.add_argument("--workers", type=int, default=2, help="local processes (default 2)")
    ap.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = ap.parse_args(argv)
    out = Path(args.output_dir)
    png, csvp = out / "e137_dark_photon_limit.png", out / "e137_dark_photon_edges.csv"
    for p in (png, csvp):
        if p.exists() and not args.overwrite:
            sys.stderr.write(f"reproduce_e137: error: {p} exists (use --overwrite)\n")
            return 2
    import re

    from fipgen.card import load_packaged_card, parse_card
    from fipgen.scan.reweight import Cuts
    from fipgen.scan.run import run_scan

    card = load_packaged_card("e137_dark_photon.toml")
    masses = np.geomspace(0.002, 0.32, args.masses)
    couplings = np.geomspace(1e-9, 1e-3, 73)
    cuts = Cuts(**dict(card.cuts))
    res = {}
    # the scan's workers read the card's text: the bremsstrahlung-only card is the text edited
    brems = parse_card(re.sub(r"produce = \[[^\]]*\]", 'produce = ["zprime:e-bremsstrahlung"]', card.text),
                       source="e137_dark_photon (e-bremsstrahlung only)")
    assert [f"{p}:{w}" for p, w in brems.produce] == ["zprime:e-bremsstrahlung"]
    for name, c in (("all", card), ("brems", brems)):
        r = run_scan(c, masses, couplings, cuts=cuts, workers=args.workers, threshold=args.events_limit,
                     precision=0.015)
        res[name] = np.array([edges(couplings, r.events[i], args.events_limit) for i in range(masses.size)])
    pub = {k: published(p) for k, p in PUBLISHED.items()}
    out.mkdir(parents=True, exist_ok=True)
    with open(csvp, "w") as fh:
        fh.write(f"# fipgen scans of e137_dark_photon, excluded above {args.events_limit} events; NaN: nothing excluded\n")
        fh.write("mass_GeV,lower_all,upper_all,lower_brems_only,upper_brems_only\n")
        for i, m in enumerate(masses):
            fh.write(f"{m:.6g},{res['all'][i, 0]:.4g},{res['all'][i, 1]:.4g},{res['brems'][i, 0]:.4g},"
                     f"{res['brems'][i, 1]:.4g}\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 5.2))
    for name, colour, label in (("all", "tab:blue", "fipgen: every shower mechanism"),
                                ("brems", "tab:orange", "fipgen: e-bremsstrahlung only")):
        e = res[name]
        ok = np.isfinite(e[:, 0])
        ax.plot(np.concatenate([masses[ok], masses[ok][::-1]]), np.concatenate([e[ok, 0], e[ok, 1][::-1]]),
                color=colour, lw=2, label=label)
    for (k, (m, lo, up)), colour in zip(pub.items(), ("tab:red", "tab:green")):
        ax.plot(np.concatenate([m, m[::-1]]), np.concatenate([lo, up[::-1]]), color=colour, ls="--",
                label=f"{k} (bremsstrahlung; DarkCast)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(masses[0], masses[-1])
    ax.set_ylim(3e-9, 1e-3)
    ax.set_xlabel("$m_{A'}$ [GeV]")
    ax.set_ylabel(r"$\varepsilon$", rotation=0)  # upright: turned, epsilon reads as omega
    ax.set_title(f"E137, 1.87e20 electrons of 20 GeV: N >= {args.events_limit:g}", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(png, dpi=90)

    def at(m, e):
        return np.exp(np.interp(np.log(m), np.log(masses), np.log(e)))

    print("| m (MeV) | fipgen, all | fipgen, e-brems only | " + " | ".join(pub) + " |")
    print("|---|---|---|" + "---|" * len(pub))
    for m in SHOW:
        cells = [f"{at(m, res[n][:, 0]):.2g} - {at(m, res[n][:, 1]):.2g}" for n in ("all", "brems")]
        cells += [f"{np.interp(m, pm, lo):.2g} - {np.interp(m, pm, up):.2g}" if pm[0] <= m <= pm[-1] else "-"
                  for pm, lo, up in pub.values()]
        print(f"| {1e3 * m:g} | " + " | ".join(cells) + " |")
    print(f"wrote {png} and {csvp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Z' yields from proton bremsstrahlung per POT per coupling^2 against mass, both treatments.

For each beam (default: the BNB beryllium target at 8.89 GeV/c and the LBNF graphite
target at 120 GeV/c) and each treatment (Blumlein-Brunner; quasi-real with Lambda_p = 1.5
GeV and its 1-2 GeV band) the number of Z' per proton on target divided by the coupling^2
(eps^2 for the dark photon, g^2 for B-L / B) in the default validity range (0.1 < z < 0.9,
pT < 1 GeV), with the VMD nucleon form factor: ``f_int x I(m) / coupling^2``
(fipgen.production.channels.brems_channel). Targets only (no absorber), so the numbers are the
per-POT yield of the target.

Writes ``brems_yields.png`` and ``brems_yields.csv`` into ``--output-dir`` and prints a
markdown table at selected masses.

    python scripts/plot_brems_yields.py [--output-dir DIR] [--kind dark-photon|B-L|B]
           [--beamlines bnb,lbnf] [--masses MIN:MAX:N] [--overwrite]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np


def yields(kind: str, beamline: str, masses: np.ndarray) -> dict[str, np.ndarray]:
    from fipgen.geometry import load_beamline
    from fipgen.models.zprime import ZPrime
    from fipgen.production.channels.brems_channel import BremsSettings, brems_channels

    bl = load_beamline(beamline)
    out = {k: np.zeros(masses.size) for k in ("bb", "qr_lambda1", "qr_lambda1p5", "qr_lambda2")}
    for i, m in enumerate(masses):
        model = ZPrime(mass=float(m), coupling=1.0, kind=kind)
        (ch,) = brems_channels(model, bl, BremsSettings(elements=("target",)))
        per_pot = ch.source.per_pot
        for k, v in ch.variant_integrals().items():
            out[k][i] = per_pot * v  # coupling = 1: per coupling^2
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output-dir", default=".", help="folder for brems_yields.png and .csv (default: .)")
    ap.add_argument("--kind", default="dark-photon", choices=("dark-photon", "B-L", "B"), help="Z' kind")
    ap.add_argument("--beamlines", default="bnb,lbnf", help="comma-separated beamlines (default bnb,lbnf)")
    ap.add_argument("--masses", default="0.01:2.0:80", help="MIN:MAX:N, log-spaced, GeV (default 0.01:2.0:80)")
    ap.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = ap.parse_args(argv)
    try:
        lo, hi, n = args.masses.split(":")
        masses = np.geomspace(float(lo), float(hi), int(n))
    except ValueError:
        sys.stderr.write(f"plot_brems_yields: error: --masses {args.masses!r}: expected MIN:MAX:N\n")
        return 2
    out_dir = Path(args.output_dir)
    png, csvp = out_dir / "brems_yields.png", out_dir / "brems_yields.csv"
    for p in (png, csvp):
        if p.exists() and not args.overwrite:
            sys.stderr.write(f"plot_brems_yields: error: {p} exists (use --overwrite)\n")
            return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    bls = [b.strip() for b in args.beamlines.split(",") if b.strip()]
    res = {b: yields(args.kind, b, masses) for b in bls}

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fipgen.geometry import load_beamline

    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    colours = ["tab:blue", "tab:red", "tab:green", "tab:purple"]
    for c, b in zip(colours, bls):
        r = res[b]
        p = load_beamline(b).beam_momentum
        ax.plot(masses, r["bb"], color=c, ls="--", label=f"{b} ({p:g} GeV/c): Blumlein-Brunner")
        ax.plot(masses, r["qr_lambda1p5"], color=c, label=f"{b}: quasi-real, $\\Lambda_p$ = 1.5 GeV")
        ax.fill_between(masses, r["qr_lambda1"], r["qr_lambda2"], color=c, alpha=0.2,
                        label=f"{b}: quasi-real, $\\Lambda_p$ = 1-2 GeV")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("$m_{Z'}$ [GeV]")
    coupling = "$\\epsilon^2$" if args.kind == "dark-photon" else "$g^2$"
    ax.set_ylabel(f"Z' per POT / {coupling}")
    ax.set_title(f"proton bremsstrahlung, {args.kind}: 0.1 < z < 0.9, $p_T$ < 1 GeV, target only", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(png, dpi=130)
    with open(csvp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["beamline", "mass_GeV", "bb", "qr_lambda1", "qr_lambda1p5", "qr_lambda2"])
        for b in bls:
            for i, m in enumerate(masses):
                w.writerow([b, f"{m:.6g}"] + [f"{res[b][k][i]:.6e}" for k in ("bb", "qr_lambda1", "qr_lambda1p5", "qr_lambda2")])
    show = [0.01, 0.03, 0.1, 0.3, 0.5, 0.77, 1.0, 1.5, 2.0]
    print(f"| beamline | m (GeV) | BB | QR 1.5 | QR 1.0 | QR 2.0 |  (Z' per POT / coupling^2, {args.kind})")
    print("|---|---|---|---|---|---|")
    for b in bls:
        for m in show:
            if not (masses[0] <= m <= masses[-1]):
                continue
            r = yields(args.kind, b, np.array([m]))
            print(f"| {b} | {m:g} | {r['bb'][0]:.3e} | {r['qr_lambda1p5'][0]:.3e} | {r['qr_lambda1'][0]:.3e} | "
                  f"{r['qr_lambda2'][0]:.3e} |")
    print(f"wrote {png} and {csvp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

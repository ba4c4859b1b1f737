#!/usr/bin/env python
"""Statistical precision of the cascade tables in the bins a run card's channels use.

A cascade meson source is a histogram of Monte Carlo counts ``n_b`` per (solid, p, theta) bin
over ``N`` simulated POT. A channel's expected signal is ``S = sum_b P_b A_b`` with
``P_b = n_b / N`` and ``A_b`` the mean acceptance (here: the exact forcing weight of the
aimed sample, the detector's solid angle seen by that bin) of the mesons of bin ``b``. The
table's Poisson error on it is ``sigma_S^2 = sum_b A_b^2 n_b / N^2 = sum_b C_b^2 / n_b`` with
``C_b = P_b A_b`` the bin's share of the signal, estimated from an aimed sample of each solid
(``--n`` mesons per solid). Measured first-interaction fits in a source (their analytic
spectra) add no table error. Mesons of one POT are counted as independent (Poisson): their
correlation through the cascade makes the true error somewhat larger.

For every packaged card with neutral-meson channels on the cascade, it prints the relative
error of each channel's signal and of their sum: the issue's target is <= 3 %.

Usage: python scripts/cascade_precision.py [CARD ...] [--n 200000] [--seed 1] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys

import numpy as np


def _bins(src, p4: np.ndarray) -> np.ndarray:
    """Flat (p, theta) bin index of each meson (C order of the source's grid)."""
    p = np.linalg.norm(p4[:, :3], axis=1)
    th = np.arccos(np.clip(p4[:, 2] / np.maximum(p, 1e-300), -1.0, 1.0))
    ip = np.clip(np.searchsorted(src.p_edges, p, side="right") - 1, 0, src.p_edges.size - 2)
    it = np.clip(np.searchsorted(src.theta_edges, th, side="right") - 1, 0, src.theta_edges.size - 2)
    return ip * (src.theta_edges.size - 1) + it


def channel_precision(job, ch, n: int, seed: int) -> dict | None:
    """``{"signal_share_with_error", "relative_error", "parts"}`` of a meson channel whose
    source is a cascade one (None otherwise): the table's relative error on the channel's
    aimed signal (module docstring)."""
    from fipgen.production.sources.resolve import cascade_tables

    src = getattr(ch, "source", None)
    if src is None or getattr(src, "points", None) is None:
        return None
    n_pot = int(cascade_tables(job.beamline)[1]["n_pot"])
    parts = src.components or (src,)
    solid = job.detector.active_beam
    total, var, rows = 0.0, 0.0, []
    for k, part in enumerate(parts):
        one = dataclasses.replace(ch, source=part)
        s = one.sample(n, np.random.default_rng([seed, k]), job.beamline, solid)
        w = s.weight_geometric
        b = _bins(part, s.parent_p4)
        contrib = np.bincount(b, weights=w, minlength=part.cdf.size) * part.per_pot / n  # C_b per POT
        signal = float(contrib.sum())
        total += signal
        table = part.points is not None  # a fit (first interactions at the beam's points) has no table error
        if table:
            counts = np.diff(part.cdf, prepend=0.0) * part.per_pot * n_pot  # n_b
            used = contrib > 0
            v = float(np.sum(contrib[used] ** 2 / np.maximum(counts[used], 1.0)))
            var += v
        name = part.provenance.rsplit("[part: ", 1)[-1].rstrip("]") if "[part: " in part.provenance else (
            "measured fit" if not table else "cascade")
        rows.append({"part": name, "signal_per_pot": signal,
                     "relative_error": math.sqrt(v) / signal if table and signal > 0 else 0.0,
                     "bins_used": int(np.count_nonzero(contrib)) if table else None})
    return {"relative_error": math.sqrt(var) / total if total > 0 else float("nan"), "signal_per_pot": total,
            "parts": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cards", nargs="*", default=["sbnd_dark_photon", "icarus_dark_photon", "microboone_dark_photon_eta",
                                                 "dune_dark_photon_meson", "dune_alp_hnl"])
    ap.add_argument("--n", type=int, default=200_000, help="aimed mesons per solid (default 200000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from fipgen.card import load_card, load_packaged_card
    from fipgen.pipeline import build_job

    out = {}
    for name in args.cards:
        card = load_card(name) if name.endswith(".toml") else load_packaged_card(name + ".toml")
        job = build_job(card)
        res = {}
        for ch in job.channels:
            src_ch = getattr(ch, "x_channel", ch)  # X -> N N chains: the X (meson) channel, aimed itself
            r = channel_precision(job, src_ch, args.n, args.seed)
            if r is not None:
                res[ch.name] = r
        out[name] = res
        if not args.json:
            print(f"{name} ({job.beamline.name}):")
            for cname, r in res.items():
                print(f"  {cname:28s} table error on the aimed signal {100 * r['relative_error']:.2f} %")
                for p in r["parts"]:
                    err = "no table error" if p["bins_used"] is None else \
                        f"{100 * p['relative_error']:.2f} % over {p['bins_used']} bins"
                    print(f"      {p['part']:40s} {p['signal_per_pot']:.3e} per POT  {err}")
            if not res:
                print("  (no neutral-meson channel on cascade sources)")
    if args.json:
        json.dump(out, sys.stdout, indent=1)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

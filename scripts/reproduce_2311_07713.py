#!/usr/bin/env python3
"""HNLs from ALP decays at the DUNE near detector (the arXiv:2311.07713 mechanism) with fipgen's scans.

The scenario: an axion-like particle coupled to gluons mixes with the pi0 and eta made in the
LBNF target, decays promptly to a pair of heavy neutral leptons (coupling g_aNN), and the
HNLs, which mix with the active neutrinos through |U_alpha|^2, decay visibly in DUNE's
ND-LAr. The HNL flux then follows the neutral mesons, not the charged ones, and is
independent of |U|^2, so DUNE reaches mixings far below those that weak production needs
(the seesaw region).

What could be found about the paper, and what could not
-------------------------------------------------------
* Reachable: the abstract of "Heavy neutral leptons via axion-like particles at neutrino
  facilities" (arxivlens.com page of that title): ALP -> N N with the ALP produced through its
  mixing with pi0 / eta, "experiments like DUNE might be sensitive to HNLs that are too weakly
  coupled to the standard model to be produced via weak interactions, as is generically the
  case of HNLs that play a direct role in the type-I seesaw". The plane is therefore the HNL
  one, (m_N, |U|^2) at fixed ALP parameters; fipgen scans exactly that plane
  (``--mass-key model.hnl.mass --coupling-key model.hnl.mixing``). That this title is
  arXiv:2311.07713 is fipgen's attribution (README, fipgen.production.channels.meson_mixing), not
  checked against arXiv here.
* Also reachable: the IFT seminar abstract "HNLs from heavy ALP decays at neutrino facilities"
  (A. Abdullahi, 30 May 2024), which describes a chiral dark sector whose dark pion pi_D mixes
  with pi0 / eta and decays to HNL pairs, "the nu_D emerges directly from the pi0 decay", at
  DUNE and ICARUS near detectors, stopped-pion facilities and FASERnu. For m_pi_D > m_pi0 that
  is pi0 -> N N through the mixing (m_N < m_pi0 / 2), which fipgen does not model: its
  ``alp:pi0`` channel makes an on-shell ALP of mass m_a carrying the pi0's momentum.
* Not found: the paper's benchmark values (ALP mass, f_a or the mixing normalisation, g_aNN,
  the HNL flavour, DUNE exposure and efficiency) and its curves. No digitised points exist in
  ``scripts/data/``; no point-by-point comparison is possible.

Benchmark used here (fipgen's example values, ``examples/repro_2311_07713_dune.toml``, the
same as ``examples/dune_alp_hnl.toml``): ``c_gg = 1``, ``f_a = 1 TeV``, ``g_aNN = 1e-3``
(BR(a -> N N) ~ 1 for these masses), Majorana HNLs mixing with nu_mu, ALP masses 0.3 and
0.7 GeV (``--alp-masses``; the three-flavour chiral treatment stops at 0.818 GeV), DUNE
exposure 1.47e22 POT, no efficiency, contour at 2.3 events (90 % CL without background).
``--mass-ratio R`` scans with ``m_a = R m_N`` instead.

Conventions that move such curves (printed by the script at the chosen ALP masses):

* the mixing angles ``theta_api = (1/6)(f_pi/f) m_a^2/(m_a^2 - m_pi^2)`` and ``theta_aeta`` of
  arXiv:2011.05995 with ``f_pi`` = 92 MeV and ``f = f_a / (2 c_gg)``: the 130 MeV normalisation of
  f_pi doubles the ALP rate; taking f = f_a quarters it. The lower edge of a curve (long-lived
  HNLs) scales as 1 / rate, so these are factors 2 and 4 on |U|^2 there;
* ``Gamma(a -> N N)`` for a Majorana HNL is ``g^2 m_a beta / (16 pi)`` here (Dirac: ``/(8 pi)``):
  with BR(a -> N N) ~ 1 the curves do not depend on it;
* HNL widths: arXiv:1805.08567 (Majorana), the lower edge scales as 1 / Gamma_visible.

Outputs (``--output-dir``): ``repro_2311_07713_ma<m_a>_grid.csv`` / ``_contour.csv`` per
curve, ``repro_2311_07713.png`` and ``repro_2311_07713_summary.json``.

Run time of the default (2 curves x 30 masses x 151 couplings, 200k trials per mass): 110 CPU
seconds, about 2 minutes on two cores; ``--quick``: a few seconds.

    python scripts/reproduce_2311_07713.py [--output-dir DIR] [--quick] [--alp-masses 0.3,0.7 |
        --mass-ratio R] [--f-a 1000] [--c-gg 1] [--g-ann 1e-3] [--flavour mu] [--n-masses 30]
        [--couplings MIN:MAX:N] [--trials N] [--threshold 2.3] [--workers K] [--overwrite]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _repro_common as rc  # noqa: E402

PAPER = "arXiv:2311.07713"
STEM = "repro_2311_07713"
CARD = "repro_2311_07713_dune.toml"
#: the three-flavour chiral treatment of the ALP's gluon coupling ends here (a -> eta pi pi)
M_A_MAX = 0.8178


def _tag(m: float) -> str:
    return f"{m:.3g}".replace(".", "p")


def alp_rates(card_text: str, source: str, m_a: float, m_n: float) -> dict:
    """Mixing angles (fipgen's convention) and HNLs per POT by channel at one ALP mass."""
    from fipgen.card import parse_card
    from fipgen.models.alp import theta_aeta, theta_api
    from fipgen.pipeline import build_job

    text = rc.card_text_with(card_text, {"model.alp.mass": m_a, "model.hnl.mass": m_n})
    card = parse_card(text, source=source)
    alp = card.models["alp"]
    f = alp.f_a / (2.0 * abs(alp.c_gg))
    job = build_job(card, decay_hints=False)
    rates = {ch.name: float(ch.rate_per_pot) for ch in job.channels}
    br = job.channels[0].x_model.branching_ratios().get("N N", 0.0) if job.channels else 0.0
    return {"m_a": m_a, "theta_api": theta_api(m_a, f), "theta_aeta": theta_aeta(m_a, f), "br_NN": br,
            "hnl_per_pot": rates}


def build_curves(args) -> list[rc.Curve]:
    text0, source = rc.load_card_text(CARD)
    couplings = rc.log_grid(args.couplings, "--couplings")
    base = {"model.alp": {"mass": 0.3, "c_gg": args.c_gg, "f_a": args.f_a, "g_hnl": args.g_ann},
            "model.hnl": {"mass": 0.1, f"mixing_{args.flavour}": 1e-7}}
    curves = []
    if args.mass_ratio:
        hi = min(M_A_MAX * 0.999 / args.mass_ratio, 5.0)
        ms = np.geomspace(args.mn_min, hi, args.n_masses)
        per = [{"model.alp.mass": float(args.mass_ratio * m)} for m in ms]
        ch = {**base, "model.alp": {**base["model.alp"], "mass": float(args.mass_ratio * ms[0])},
              "model.hnl": {**base["model.hnl"], "mass": float(ms[0])}}
        text = rc.card_text_with(text0, ch, header=f"{PAPER} reproduction: {source} with {ch}")
        curves.append(rc.Curve(f"$m_a = {args.mass_ratio:g}\\,m_N$", text, source, ms, couplings, per, {}))
        return curves
    for k, m_a in enumerate(args.alp_masses):
        ms = np.geomspace(args.mn_min, 0.98 * m_a / 2.0, args.n_masses)
        ch = {**base, "model.alp": {**base["model.alp"], "mass": m_a},
              "model.hnl": {**base["model.hnl"], "mass": float(ms[-1])}}
        text = rc.card_text_with(text0, ch, header=f"{PAPER} reproduction: {source} with {ch}")
        curves.append(rc.Curve(f"$m_a$ = {m_a:g} GeV", text, source, ms, couplings, [], {"color": f"C{k}"}))
    return curves


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="See the module docstring (python -m pydoc) for what was found and the benchmark.")
    ap.add_argument("--output-dir", default=".", help="folder for the CSV tables, the PNG and the summary (default: .)")
    ap.add_argument("--quick", action="store_true", help="smoke test: 4 HNL masses x 12 couplings, 20k trials per mass")
    grp = ap.add_mutually_exclusive_group()
    grp.add_argument("--alp-masses", default="0.3,0.7",
                     help=f"comma-separated ALP masses in GeV, one curve each, < {M_A_MAX} (default 0.3,0.7)")
    grp.add_argument("--mass-ratio", type=float, default=None, help="one curve with m_a = R m_N instead (R > 2)")
    ap.add_argument("--f-a", type=float, default=1000.0, help="f_a in GeV (default 1000; mixing uses f_a/(2 c_gg))")
    ap.add_argument("--c-gg", type=float, default=1.0, help="ALP gluon coupling c_gg (default 1)")
    ap.add_argument("--g-ann", type=float, default=1e-3, help="g_aNN (default 1e-3: BR(a -> N N) ~ 1)")
    ap.add_argument("--flavour", choices=rc.FLAVOURS, default="mu", help="mixing flavour (default mu)")
    ap.add_argument("--mn-min", type=float, default=0.01, help="lightest HNL mass in GeV (default 0.01)")
    ap.add_argument("--n-masses", type=int, default=30,
                    help="HNL masses per curve, log-spaced from --mn-min to 0.98 m_a/2 (default 30)")
    ap.add_argument("--couplings", default=None, help="|U|^2 MIN:MAX:N, log-spaced (default 1e-16:1e-1:151)")
    ap.add_argument("--trials", type=int, default=None, help="trials per mass (default: the card's run.events, 200000)")
    ap.add_argument("--threshold", type=float, default=2.3,
                    help="signal events of the contour (default 2.3: 90 %% CL, no background)")
    ap.add_argument("--workers", type=int, default=rc.default_workers(), help="processes (default: all cores)")
    ap.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    args = ap.parse_args(argv)

    if args.mass_ratio is not None:
        if not args.mass_ratio > 2.0:
            ap.error("--mass-ratio must exceed 2 (a -> N N)")
        args.alp_masses = []
    else:
        try:
            args.alp_masses = [float(x) for x in args.alp_masses.split(",") if x.strip()]
        except ValueError:
            ap.error(f"--alp-masses {args.alp_masses!r}: expected comma-separated numbers")
        bad = [m for m in args.alp_masses if not (2 * args.mn_min < m < M_A_MAX)]
        if bad or not args.alp_masses:
            ap.error(f"--alp-masses: each must lie between 2 x --mn-min and {M_A_MAX} GeV")
    if args.quick:
        args.n_masses = 4
        args.couplings = args.couplings or "1e-14:1e-2:12"
        args.trials = args.trials or 20_000
    args.couplings = args.couplings or "1e-16:1e-1:151"
    if args.n_masses < 1:
        ap.error("--n-masses must be >= 1")

    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tags = [f"ratio{_tag(args.mass_ratio)}"] if args.mass_ratio else [f"ma{_tag(m)}" for m in args.alp_masses]
    targets = [out / f"{STEM}_{t}_{k}.csv" for t in tags for k in ("grid", "contour")]
    targets += [out / f"{STEM}.png", out / f"{STEM}_summary.json"]
    rc.check_outputs(targets, args.overwrite)

    curves = build_curves(args)
    print(f"{PAPER} mechanism: ALP (c_gg = {args.c_gg:g}, f_a = {args.f_a:g} GeV, g_aNN = {args.g_ann:g}) from pi0/eta"
          f" mixing -> N N at DUNE ND-LAr, |U_{args.flavour}|^2; {len(curves)} curve(s) x {args.n_masses} masses x "
          f"{len(curves[0].couplings)} couplings; {args.trials or 'card'} trials per mass; {args.workers} workers")
    t0 = time.perf_counter()
    results = rc.run_curves(curves, args.trials, args.workers, progress=not args.quiet)
    wall = time.perf_counter() - t0

    summary = {"paper": PAPER, "benchmark": {"c_gg": args.c_gg, "f_a": args.f_a, "g_aNN": args.g_ann,
                                             "flavour": args.flavour, "alp_masses": args.alp_masses,
                                             "mass_ratio": args.mass_ratio},
               "threshold_events": args.threshold, "wall_seconds": wall, "curves": {}}
    print(f"\nfipgen contours at {args.threshold:g} events, wall time {wall:.0f} s:")
    for tag, c in zip(tags, curves):
        res = results[c.label]
        rc.write_curve_outputs(out, f"{STEM}_{tag}", res, args.threshold)
        s = rc.summarise(res, args.threshold)
        s["cpu_seconds"] = res.seconds
        s["notes"] = sorted(set(res.notes))[:5]
        summary["curves"][tag] = s
        label = c.label.replace("$", "").replace("\\,", " ")
        if s["sensitive"]:
            print(f"  {label:22s} m_N {s['mass_min']:.3g}-{s['mass_max']:.3g} GeV; min |U|^2 = {s['coupling_min']:.2e} at"
                  f" m_N = {s['coupling_min_mass']:.3g} GeV (max {s['max_events']:.3g} events, MC error"
                  f" {100 * s['max_events_rel_error']:.1f} %)")
        else:
            print(f"  {label:22s} no point reaches {args.threshold:g} events (max {s['max_events']:.3g})")

    flav = {"e": "e", "mu": "\\mu", "tau": "\\tau"}[args.flavour]
    title = (f"{PAPER} mechanism with fipgen: DUNE ND-LAr, $c_{{gg}} = {args.c_gg:g}$, $f_a = {rc.tex_number(args.f_a)}$ GeV,"
             f" $g_{{aNN}} = {rc.tex_number(args.g_ann)}$, {args.threshold:g} events")
    rc.plot_curves(out / f"{STEM}.png", results, curves, args.threshold, title, f"$|U_{flav}|^2$",
                   xlim=(min(c.masses.min() for c in curves), max(c.masses.max() for c in curves)),
                   ylim=(curves[0].couplings.min(), curves[0].couplings.max()),
                   note="ALP from $\\pi^0$/$\\eta$ mixing, $a \\to NN$; 1.47e22 POT")

    print(f"\nComparison with {PAPER}: its benchmark values and curves could not be found (only the abstract and a"
          " seminar abstract were reachable), so there is no comparison; the curves above are fipgen's at its"
          " example benchmark.")
    rates = []
    if not args.quick:
        text0, source = rc.load_card_text(CARD)
        for m_a in (args.alp_masses or [args.mass_ratio * 0.1]):
            ch = {"model.alp": {"mass": m_a, "c_gg": args.c_gg, "f_a": args.f_a, "g_hnl": args.g_ann},
                  "model.hnl": {"mass": 0.1, f"mixing_{args.flavour}": 1e-7}}
            rates.append(alp_rates(rc.card_text_with(text0, ch), source, m_a, min(0.1, 0.45 * m_a)))
        print("Mixing and rates (fipgen: f_pi = 92.07 MeV, f = f_a/(2 c_gg); with f_pi = 130 MeV every rate doubles):")
        for r in rates:
            per = ", ".join(f"{k}: {v:.3g}" for k, v in r["hnl_per_pot"].items())
            print(f"  m_a = {r['m_a']:g} GeV: theta_api = {r['theta_api']:.3g}, theta_aeta = {r['theta_aeta']:.3g},"
                  f" BR(a -> N N) = {r['br_NN']:.6f}; HNLs per POT (2 BR x ALPs) {per}")
        summary["rates"] = rates
    with open(out / f"{STEM}_summary.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=1, default=float)
    print(f"\nwrote {out / STEM}_*_grid.csv, *_contour.csv, {STEM}.png, {STEM}_summary.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

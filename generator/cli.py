"""The ``fipgen`` command: a thin shell over the Python API.

Every command has a Python equivalent (``fipgen.pipeline``, ``fipgen.geometry``).
Errors are one line on stderr and a non-zero exit (2 for bad input); ``--debug`` shows
the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .constants import DEFAULT_SCAN_PRECISION as DEFAULT_PRECISION, MAX_TRIALS
from .errors import CardError, FipgenError

__all__ = ["build_parser", "main"]


def _arg_type(convert, ok, what: str):
    """An argparse type: ``convert`` the text, check ``ok``, else say what was expected."""

    def parse(text: str):
        try:
            v = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not ok(v):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return v

    return parse


_positive_int = _arg_type(int, lambda v: v > 0, "a positive integer")
#: --events: trials, bounded like run.events (fipgen.constants.MAX_TRIALS)
_trials = _arg_type(int, lambda v: 0 < v <= MAX_TRIALS, f"an integer from 1 to {MAX_TRIALS:_} (1e12)")
_nonneg_int = _arg_type(int, lambda v: v >= 0, "an integer >= 0")
_positive_float = _arg_type(float, lambda v: 0 < v < float("inf"), "a positive number")
_nonneg_float = _arg_type(float, lambda v: 0 <= v < float("inf"), "a number >= 0")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="fipgen", description="Feebly interacting particles at beam dumps: event generation.")
    p.add_argument("--version", action="version", version=f"fipgen {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    g = sub.add_parser("generate", help="generate weighted events from a run card to a ROOT file")
    g.add_argument("card", nargs="?", help="run card (TOML) path or packaged example name; default: the packaged default example")
    g.add_argument("--events", type=_trials, help="trials to generate, 1 to 1e12 (overrides run.events)")
    g.add_argument("--seed", type=_nonneg_int, help="run seed (overrides run.seed)")
    g.add_argument("--output", help="output file, or the stem with several formats (overrides run.output)")
    g.add_argument("--format", metavar="FMT[,FMT...]",
                   help="output formats: root, hepmc3, hepmc2, hepevt, mevprtl, mevprtl-nm (overrides run.formats); "
                        "with several, --output STEM writes STEM.root, STEM.hepmc3, STEM.hepevt, STEM.mevprtl.txt, "
                        "STEM.mevprtl-nm.txt")
    g.add_argument("--unweighted", type=_positive_int, metavar="N",
                   help="write N unit-weight events (accept-reject against the weights; equivalent POT reported)")
    g.add_argument("--no-output", action="store_true", help="generate without writing a file (timing, yields)")
    g.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    g.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    g.add_argument("--json", action="store_true", help="print the summary as JSON")
    g.add_argument("--debug", action="store_true", help="show tracebacks")

    y = sub.add_parser("yields", help="mesons per POT, LLPs per POT by channel and expected events, without writing events")
    y.add_argument("card", nargs="?", help="run card (TOML) path or packaged example name; default: the packaged default example")
    y.add_argument("--events", type=_trials, help="trials for the expected events, 1 to 1e12 (overrides run.events)")
    y.add_argument("--seed", type=_nonneg_int, help="run seed (overrides run.seed)")
    y.add_argument("--quiet", action="store_true", help="no progress bar")
    y.add_argument("--json", action="store_true",
                   help="print a JSON object (mesons_per_pot, channels {llp_per_pot, expected_events}, total_expected_events)")
    y.add_argument("--debug", action="store_true", help="show tracebacks")

    sc = sub.add_parser("scan", help="expected events on a mass x coupling grid, contour, table and plot")
    sc.add_argument("card", help="run card (TOML) path or packaged example name")
    sc.add_argument("--masses", required=True, metavar="MIN:MAX:N", help="masses in GeV, linearly spaced")
    sc.add_argument("--couplings", required=True, metavar="MIN:MAX:N",
                    help="couplings, logarithmically spaced (the card's model coupling; |U|^2 for HNLs)")
    sc.add_argument("--events", type=_trials,
                    help="trials per mass, 1 to 1e12: fixed, or with --precision the most a mass may use "
                         "(default: run.events, adaptive)")
    sc.add_argument("--precision", type=_arg_type(float, lambda v: 0 < v < 1, "a number in (0, 1)"),
                    help="relative MC error wanted near the contour (median over the points with 0.5-2x the "
                         f"threshold events); each mass generates blocks until it is reached (default "
                         f"{DEFAULT_PRECISION:g} without --events)")
    sc.add_argument("--workers", type=_positive_int, help="local processes (default: all cores)")
    sc.add_argument("--scheduler", metavar="ADDRESS", help="dask.distributed scheduler address (tcp://host:port)")
    sc.add_argument("--output", metavar="TABLE", help="grid table: .csv (and its contour as <stem>_contour.csv) or .root")
    sc.add_argument("--plot", metavar="FILE", help="contour plot (.png, .pdf, .svg)")
    sc.add_argument("--mass-key", help="mass varied (default: the detected particle's, e.g. model.hnl.mass)")
    sc.add_argument("--coupling-key", help="coupling varied: model.zprime.coupling, model.hnl.mixing, model.alp.g_gamma, ...")
    sc.add_argument("--limit", default="background-free", choices=("background-free", "poisson", "feldman-cousins"),
                    help="event threshold of the contour (default: background-free, 2.3 events at 90%% CL)")
    sc.add_argument("--background", type=_nonneg_float, default=0.0, help="expected background events (poisson, feldman-cousins)")
    sc.add_argument("--cl", type=_arg_type(float, lambda v: 0 < v < 1, "a number in (0, 1)"), default=0.9,
                    help="confidence level (default 0.9)")
    sc.add_argument("--no-band", action="store_true", help="no theory band from the alternative weights in the plot")
    sc.add_argument("--overlay", action="append", metavar="FILE:LABEL",
                    help="draw an existing limit on the plot: FILE has mass,coupling rows in the scan's units "
                         "(GeV; the scanned coupling), # comments, a blank line between pieces; repeatable")
    sc.add_argument("--mass-axis", choices=("auto", "log", "linear"),
                    help="mass axis of the plot (default auto: linear for a narrow scan, max/min < 3, else log)")
    sc.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    sc.add_argument("--quiet", action="store_true", help="no progress bar")
    sc.add_argument("--json", action="store_true", help="print a JSON summary")
    sc.add_argument("--debug", action="store_true", help="show tracebacks")

    ac = sub.add_parser("acceptance", help="P(decay inside the detector | produced) on a mass x c*tau grid")
    ac.add_argument("card", help="run card (TOML) path or packaged example name")
    ac.add_argument("--masses", required=True, metavar="MIN:MAX:N", help="masses in GeV, linearly spaced")
    ac.add_argument("--ctau", required=True, metavar="MIN:MAX:N", help="proper decay lengths c*tau in m, logarithmically spaced")
    ac.add_argument("--events", type=_trials, help="trials per mass, 1 to 1e12 (default: run.events)")
    ac.add_argument("--workers", type=_positive_int, help="local processes (default: all cores)")
    ac.add_argument("--scheduler", metavar="ADDRESS", help="dask.distributed scheduler address")
    ac.add_argument("--mass-key", help="mass varied (default: the detected particle's)")
    ac.add_argument("--output", required=True, metavar="TABLE.csv", help="CSV table (a .root twin with --root)")
    ac.add_argument("--root", metavar="TABLE.root", help="also write the table as a ROOT TTree")
    ac.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    ac.add_argument("--quiet", action="store_true", help="no progress bar")
    ac.add_argument("--debug", action="store_true", help="show tracebacks")

    rw = sub.add_parser("reweight", help="weights of a generated ROOT file at another coupling")
    rw.add_argument("file", help="ROOT file written by fipgen generate")
    rw.add_argument("--coupling", required=True, type=_positive_float, help="new value of the card's model coupling")
    rw.add_argument("--coupling-key", help="coupling changed (default: the detected particle's, as fipgen scan)")
    rw.add_argument("--output", help="write the reweighted events to this ROOT file")
    rw.add_argument("--overwrite", action="store_true", help="replace an existing output")
    rw.add_argument("--json", action="store_true", help="print a JSON summary")
    rw.add_argument("--debug", action="store_true", help="show tracebacks")

    mg = sub.add_parser("merge", help="combine ROOT files of one run card into one, weights for one POT")
    mg.add_argument("output", help="merged ROOT file to write")
    mg.add_argument("inputs", nargs="+", help="ROOT files written by fipgen generate (or merge)")
    mg.add_argument("--pot", type=_positive_float,
                    help="POT the merged weights are for (default: the inputs' card POT; unweighted files: their sum)")
    mg.add_argument("--overwrite", action="store_true", help="replace an existing output")
    mg.add_argument("--json", action="store_true", help="print a JSON summary")
    mg.add_argument("--debug", action="store_true", help="show tracebacks")

    d = sub.add_parser("detectors", help="list the packaged detectors and beamlines, or draw one setup")
    d.add_argument("name", nargs="?", help="detector name or path to a detector .toml")
    d.add_argument("--plot", metavar="FILE", help="draw the beamline and detector (top and side views) to FILE (.png/.pdf)")
    d.add_argument("--overwrite", action="store_true", help="replace an existing plot file")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument("--debug", action="store_true", help="show tracebacks")

    so = sub.add_parser("sources", help="build (or show) a beamline's particle sources: its hadron cascade (an "
                                        "electron beam's: its showers)")
    so.add_argument("beamline", help="beamline name or path to a beamline .toml")
    so.add_argument("--pot", type=_positive_int, help="beam particles to simulate (default: from the beam momentum; "
                                                      "electron beams: 2000 or the file's cascade_showers)")
    so.add_argument("--workers", type=_positive_int, default=1, help="local worker processes (default 1)")
    so.add_argument("--scheduler", help="dask scheduler address (instead of local workers)")
    so.add_argument("--output", help="write the tables to this .npz instead of the cache")
    so.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    so.add_argument("--json", action="store_true", help="print the table header as JSON")
    so.add_argument("--debug", action="store_true", help="show tracebacks")

    w = sub.add_parser("widths", help="total width, c*tau and branching ratios of a model")
    wsub = w.add_subparsers(dest="particle", metavar="PARTICLE", parser_class=_Parser, required=True)
    common = _Parser(add_help=False)
    common.add_argument("--mass", type=_positive_float, required=True, help="mass in GeV")
    common.add_argument("--json", action="store_true", help="print a JSON object (total_width GeV, ctau m, branching_ratios)")
    common.add_argument("--plot", metavar="FILE", help="draw BRs and c*tau against mass to FILE (.png/.pdf/.svg)")
    common.add_argument("--plot-masses", metavar="MIN:MAX:N", help="mass grid of the plot (default: up to max(2 x mass, 1 GeV))")
    common.add_argument("--overwrite", action="store_true", help="replace an existing plot file")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    h = wsub.add_parser("hnl", parents=[common], help="heavy neutral lepton")
    h.add_argument("--mixing", action="append", default=[], metavar="FLAVOUR=U2",
                   help="|U_flavour|^2 for flavour e, mu or tau (repeat for several)")
    h.add_argument("--dirac", action="store_true", help="Dirac HNL (default: Majorana)")
    h.add_argument("--dipole", type=_nonneg_float, default=0.0, help="transition magnetic moment d in GeV^-1 (N -> nu gamma)")
    a = wsub.add_parser("alp", parents=[common], help="axion-like particle")
    a.add_argument("--g-gamma", type=_nonneg_float, default=0.0, help="photon coupling g_agg in GeV^-1")
    a.add_argument("--g-electron", type=_nonneg_float, default=0.0, help="electron coupling g_aee")
    a.add_argument("--g-muon", type=_nonneg_float, default=0.0, help="muon coupling g_amumu")
    a.add_argument("--c-gg", type=float, default=0.0, help="gluon coupling c_GG (L = c_GG alpha_s/(4 pi) a/f_a G Gtilde)")
    a.add_argument("--f-a", type=_positive_float, help="ALP decay constant f_a in GeV (with --c-gg)")
    a.add_argument("--g-hnl", type=_nonneg_float, default=0.0, help="HNL coupling g_aNN")
    a.add_argument("--hnl-mass", type=_positive_float, help="HNL mass in GeV (with --g-hnl)")
    a.add_argument("--hnl-dirac", action="store_true", help="the HNLs are Dirac (default: Majorana)")
    z = wsub.add_parser("zprime", parents=[common], help="Z' / dark photon")
    z.add_argument("--kind", choices=("dark-photon", "B-L", "B"), default="dark-photon", help="Z' kind")
    z.add_argument("--coupling", type=_positive_float, required=True, help="epsilon (dark photon) or g")
    z.add_argument("--hnl-mass", type=_positive_float, help="mass of an HNL charged under the Z' (adds Z' -> N N)")

    e = sub.add_parser("examples", help="list the packaged example run cards, or print one")
    e.add_argument("name", nargs="?", help="example to print")
    e.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def _resolve_card(arg: str | None) -> object:
    """The run card a command names (a path or a packaged example; the default example for
    None: :func:`_default_note` says so once the command's input has been checked)."""
    from .card import default_card_name, load_card, load_packaged_card
    from .resources import list_data

    if arg is None:
        return load_packaged_card(default_card_name())
    path = Path(arg)
    if path.is_dir():
        raise CardError(f"run card {arg!r} is a directory; give a run card (.toml) or a packaged example name")
    if path.is_file():
        return load_card(path)
    examples = list_data("examples")
    stem = arg[:-5] if arg.endswith(".toml") else arg
    if path.parent == Path(".") and stem in examples:
        return load_packaged_card(stem + ".toml")
    raise CardError(f"run card {arg!r} not found (no such file, and no packaged example of that name; examples: {', '.join(examples)})")


def _check_plot(flag: str, path: str | None, overwrite: bool) -> None:
    """A plot file name in a format the plots are written in (one line naming the flag
    otherwise), writable: checked before any work."""
    if path is None:
        return
    from .io.atomic import PLOT_FORMATS, check_target

    if Path(path).suffix.lower().lstrip(".") not in PLOT_FORMATS:
        raise CardError(f"{flag} {path!r}: allowed: a file name ending in ." + ", .".join(PLOT_FORMATS))

    check_target(path, overwrite)


def _default_note(args, out) -> None:
    """Tell on stdout, once the input is checked (so that stderr carries errors only), that the
    packaged default example runs because no card was given."""
    if args.card is None:
        from .card import default_card_name

        name = default_card_name()
        out.write(f"fipgen: no run card given: running the packaged default example '{name}' "
                  f"(see `fipgen examples {name}`)\n")


def cmd_generate(args) -> int:
    from .pipeline import FORMATS, build_job, run, summary_json, summary_text

    card = _resolve_card(args.card)
    changes = {}
    if args.events is not None:
        changes["events"] = args.events
    if args.seed is not None:
        changes["seed"] = args.seed
    if args.output is not None:
        changes["output"] = args.output
    if changes:
        card = card.replace(**changes)
    if args.no_output:
        given = [f for f, v in (("--output", args.output), ("--format", args.format),
                                ("--unweighted", args.unweighted)) if v is not None]
        if given:
            raise CardError(f"--no-output conflicts with {', '.join(given)}: allowed: --no-output alone, or output options")
    if args.format is not None:
        formats = tuple(f.strip() for f in args.format.split(","))
        if not args.format.strip() or not all(formats):
            raise CardError(f"--format {args.format!r}: allowed: a comma-separated list of {', '.join(FORMATS)}")
    else:
        formats = card.formats
    output = None if args.no_output else card.output
    if output is not None:
        from .io.atomic import check_target
        from .pipeline import output_paths

        for pth in output_paths(output, formats).values():
            check_target(pth, args.overwrite)  # fail before any work
    job = build_job(card)
    _default_note(args, sys.stdout if not (args.quiet or args.json) else _Null())
    summary = run(job, output, overwrite=args.overwrite, progress=not args.quiet and not args.json, formats=formats,
                  unweighted=args.unweighted)
    if args.json:
        print(summary_json(summary))
    elif not args.quiet:
        print(summary_text(summary))
    return 0


def cmd_yields(args) -> int:
    from .pipeline import build_job
    from .yields import compute_yields, yields_json, yields_text

    card = _resolve_card(args.card)
    changes = {}
    if args.events is not None:
        changes["events"] = args.events
    if args.seed is not None:
        changes["seed"] = args.seed
    if changes:
        card = card.replace(**changes)
    job = build_job(card)
    _default_note(args, sys.stdout if not (args.quiet or args.json) else _Null())
    y = compute_yields(job, progress=not args.quiet and not args.json)
    print(json.dumps(yields_json(y)) if args.json else yields_text(y))
    return 0


def _cuts(card):
    from .scan import Cuts

    return Cuts(**dict(card.cuts))


def _workers(args) -> int:
    import os

    return args.workers or (os.cpu_count() or 1)


def cmd_scan(args) -> int:
    from .io.atomic import check_target
    from .scan.limits import event_threshold
    from .scan.plot import limit_text, plot_scan, read_overlay
    from .scan.run import parse_grid, run_scan, write_contour_csv, write_scan_csv, write_scan_root

    card = _resolve_card(args.card)
    masses = parse_grid(args.masses, "--masses", log=False)
    couplings = parse_grid(args.couplings, "--couplings", log=True)
    try:
        thr = event_threshold(args.limit, args.background, args.cl)
    except ValueError as err:
        raise CardError(f"--limit {args.limit} --background {args.background}: {err}") from None
    outputs = []
    if args.output:
        if not args.output.endswith((".csv", ".root")):
            raise CardError(f"--output {args.output!r}: allowed: a .csv or .root file name")
        outputs.append(args.output)
        if args.output.endswith(".csv"):
            outputs.append(args.output[:-4] + "_contour.csv")
    for flag, given in (("--overlay", args.overlay), ("--mass-axis", args.mass_axis)):
        if given and not args.plot:
            raise CardError(f"{flag} needs --plot FILE")
    overlays = []
    if args.plot:
        _check_plot("--plot", args.plot, args.overwrite)
        outputs.append(args.plot)
        overlays = [read_overlay(spec) for spec in args.overlay or ()]  # bad files fail before any work
    for o in outputs:
        check_target(o, args.overwrite)  # fail before any work
    # adaptive unless a fixed trial count is asked for (--events without --precision)
    precision = args.precision if args.precision is not None else (None if args.events else DEFAULT_PRECISION)
    res = run_scan(card, masses, couplings, args.mass_key, args.coupling_key, args.events, _cuts(card),
                   workers=_workers(args), scheduler=args.scheduler, progress=not (args.quiet or args.json),
                   precision=precision, threshold=thr)
    lines = res.contours(thr)["central"]
    meta = {"card": card.text, "mass_key": res.mass_key, "coupling_key": res.coupling_key, "limit": args.limit,
            "background": args.background, "cl": args.cl, "precision": precision,
            "trials_per_mass": [int(t) for t in res.trials], "max_trials_per_mass": args.events or card.events}
    with _all_or_nothing() as wrote:
        if args.output and args.output.endswith(".csv"):
            write_scan_csv(args.output, res, args.overwrite)
            wrote(args.output)
            write_contour_csv(outputs[1], lines, res, thr, args.overwrite)
            wrote(outputs[1])
        elif args.output:
            write_scan_root(args.output, res, thr, meta, args.overwrite)
            wrote(args.output)
        if args.plot:
            plot_scan(args.plot, res, thr, band=not args.no_band, overwrite=args.overwrite, card=card,
                      limit=limit_text(thr, args.limit, args.background, args.cl), overlays=overlays,
                      mass_axis=args.mass_axis or "auto")
    summary = {"masses": len(res.masses), "couplings": len(res.couplings), "threshold_events": thr,
               "precision": precision, "trials": int(res.trials.sum()),
               "max_events": float(res.events.max()), "contour_points": int(sum(len(x) for x in lines)),
               "seconds": res.seconds, "notes": res.notes, "outputs": outputs}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"scan: {len(res.masses)} masses x {len(res.couplings)} couplings in {res.seconds:.1f} s; "
              f"contour at {thr:.3g} events: {summary['contour_points']} points")
        for n in res.notes:
            print(f"note: {n}")
        for o in outputs:
            print(f"wrote {o}")
    return 0


@contextmanager
def _all_or_nothing():
    """Outputs of one command stand or fall together: ``wrote(path)`` after each one written;
    an exception (disk full on the next one, Ctrl-C, SIGTERM) removes those written."""
    written = []
    try:
        yield written.append
    except BaseException:
        for p in written:
            try:
                Path(p).unlink(missing_ok=True)
            except OSError:  # pragma: no cover - nothing more to do
                pass
        raise


def cmd_acceptance(args) -> int:
    from .io.atomic import check_target
    from .scan.run import parse_grid, run_acceptance, write_acceptance

    card = _resolve_card(args.card)
    masses = parse_grid(args.masses, "--masses", log=False)
    ctau = parse_grid(args.ctau, "--ctau", log=True)
    check_target(args.output, args.overwrite)
    if args.root:
        check_target(args.root, args.overwrite)
    acc = run_acceptance(card, masses, ctau, args.mass_key, args.events, _cuts(card), workers=_workers(args),
                         scheduler=args.scheduler, progress=not args.quiet)
    write_acceptance(args.output, acc, args.overwrite, args.root)
    for n in acc["notes"]:
        print(f"note: {n}")
    print(f"wrote {args.output}" + (f" and {args.root}" if args.root else ""))
    return 0


def cmd_reweight(args) -> int:
    from pathlib import Path as _P

    from .scan import reweight_file

    if _P(args.file).is_dir():
        raise CardError(f"file {args.file!r} is a directory; give a ROOT file written by fipgen generate")
    if not _P(args.file).is_file():
        raise CardError(f"file {args.file!r} not found")
    if args.output:
        from .io.atomic import check_target

        check_target(args.output, args.overwrite)
    res = reweight_file(args.file, args.coupling, args.output, args.overwrite, args.coupling_key)
    if args.json:
        print(json.dumps(res))
    else:
        print(f"{res['coupling_key']}: {res['reference_coupling']:.6g} -> {res['coupling']:.6g} "
              f"(c*tau {res['ctau_m']:.4g} m)")
        print(f"expected signal: {res['reference_signal']:.6g} -> {res['expected_signal']:.6g} "
              f"+- {res['mc_error']:.3g} (MC) events")
        if args.output:
            print(f"wrote {args.output}")
    return 0


def cmd_merge(args) -> int:
    from .io.atomic import check_target
    from .io.merge import merge_files

    check_target(args.output, args.overwrite)
    res = merge_files(args.output, args.inputs, pot=args.pot, overwrite=args.overwrite)
    if args.json:
        print(json.dumps(res))
    else:
        print(f"merged {res['inputs']} files ({res['run_entries']} run entries, {res['n_events']} events) into "
              f"{res['output']}: weights x {res['scale']:.6g}, expected signal {res['sum_weights']:.6g} events "
              f"for {res['pot']:.4g} POT")
    return 0


def cmd_detectors(args) -> int:
    from .geometry import list_geometries, load_beamline, load_detector

    if args.name is None:
        rows = list_geometries()
        if args.json:
            print(json.dumps([{"name": n, "kind": k, "title": t} for n, k, t in rows]))
            return 0
        for kind in ("detector", "beamline"):
            print(f"{kind}s:")
            for n, k, t in rows:
                if k == kind:
                    print(f"  {n:<18} {t}")
        return 0
    det = load_detector(args.name)
    bl = load_beamline(det.beamline)
    if args.plot:
        from .geometry.plot import plot_setup

        _check_plot("--plot", args.plot, args.overwrite)
        plot_setup(det, bl, args.plot)
        print(f"wrote {args.plot}")
        return 0
    lo, hi = det.active_beam.extent()
    centre = 0.5 * (lo + hi)
    info = {
        "name": det.name, "title": det.title, "beamline": bl.name, "material": det.material.name,
        "active_volume_m3": det.active.volume_sum(), "n_volumes": len(det.active.volumes),
        "centre_beam_frame_m": [round(float(c), 4) for c in centre],
        "exposure_pot": det.exposure_pot, "file": str(det.path),
    }
    if args.json:
        print(json.dumps(info))
    else:
        for k, v in info.items():
            print(f"{k:<20} {v}")
    return 0


def cmd_sources(args) -> int:
    from .cascade.build import build_tables, cached_path
    from .geometry import load_beamline
    from .io.atomic import check_target

    bl = load_beamline(args.beamline)
    if args.output:
        if not str(args.output).endswith(".npz"):
            raise CardError(f"--output {args.output!r}: allowed suffix: .npz")
        check_target(args.output, args.overwrite)
    if bl.lepton_beam:
        return _beam_sources(args, bl)
    path, head = _sources_tables(args, cached_path(bl, args.pot), build_tables, bl)
    if args.json:
        print(json.dumps(head))
        return 0
    print(f"beamline {bl.name} ({bl.path}): {head['n_pot']} POT of {bl.beam_momentum} GeV/c, tables {path}")
    led = head["ledger_per_pot_GeV"]
    print(f"energy per POT (GeV): beam {led['beam']:.4g}; EM seeds {led['em_seeds']:.4g}, escaping "
          f"{led['escaping']:.4g}, ionisation {led['ionisation']:.4g}, neutrinos {led['neutrinos']:.4g}; "
          f"ledger closes to {head['ledger_closure']:+.1e}")
    for rk, per in head["multiplicities"].items():
        prod = per.get("prod", {})
        if not prod:
            continue
        name = head["regions"][rk]["name"]
        shown = ", ".join(f"{_species_name(int(k))} {v['per_pot']:.3g}" for k, v in
                          sorted(prod.items(), key=lambda kv: -kv[1]["per_pot"])[:8])
        print(f"  {name:<12} per POT: {shown}")
        dar = per.get("dar", {})
        if dar:
            print(f"  {'':<12} decays at rest per POT: " + ", ".join(
                f"{_species_name(int(k))} {v['per_pot']:.3g}" for k, v in dar.items()))
    return 0


def _sources_tables(args, cached, build, bl):
    """(path, header) of ``fipgen sources``' tables: ``--output`` (built) or the cache (built
    when absent) by ``build(beamline, n, workers=..., scheduler=..., out=..., progress=...)``."""
    from .cascade.build import load_tables

    path = Path(args.output) if args.output else cached
    if args.output or not path.exists():
        build(bl, args.pot, workers=args.workers, scheduler=args.scheduler, out=path, progress=not args.json)
    return path, load_tables(path)[1]


def _beam_sources(args, bl) -> int:
    """``fipgen sources`` for an electron or positron beam: its own showers (fipgen.cascade.beam_showers)."""
    from .cascade.beam_showers import beam_cached_path, build_beam_tables

    path, head = _sources_tables(args, beam_cached_path(bl, args.pot), build_beam_tables, bl)
    if args.json:
        print(json.dumps(head))
        return 0
    print(f"beamline {bl.name} ({bl.path}): {head['n_pot']} beam particles ({bl.beam_particle}) of "
          f"{bl.beam_momentum} GeV/c showered, tables {path}")
    for rk, s in head["showers"]["solids"].items():
        tl = s["track_length_per_pot_m"]
        print(f"  {head['regions'][rk]['name']:<12} per beam particle: deposited {s['deposited_per_pot_GeV']:.4g} GeV, "
              f"escaped {s['escaped_per_pot_GeV']:.4g} GeV; track length (m) gamma {tl['gamma']:.4g}, "
              f"e- {tl['eminus']:.4g}, e+ {tl['eplus']:.4g}")
    return 0


def _species_name(pdg: int) -> str:
    from .constants import name

    try:
        return name(pdg)
    except Exception:  # noqa: BLE001 - a species without a short name: its code
        return str(pdg)


def cmd_examples(args) -> int:
    from .resources import data_file, list_data

    names = list_data("examples")
    if args.name is None:
        for n in names:
            print(n)
        return 0
    stem = args.name[:-5] if args.name.endswith(".toml") else args.name
    if stem not in names:
        raise CardError(f"no packaged example {args.name!r}; examples: {', '.join(names)}")
    sys.stdout.write(data_file("examples", stem + ".toml").read_text(encoding="utf-8"))
    return 0


def _widths_params(args) -> dict:
    from .errors import PhysicsError

    if args.particle == "hnl":
        u2 = {"e": 0.0, "mu": 0.0, "tau": 0.0}
        for item in args.mixing:
            flav, sep, val = item.partition("=")
            if not sep or flav not in u2:
                raise PhysicsError(f"--mixing {item!r}: expected FLAVOUR=U2 with FLAVOUR one of e, mu, tau")
            try:
                x = float(val)
            except ValueError:
                raise PhysicsError(f"--mixing {item!r}: U2 must be a number >= 0") from None
            if not (x >= 0 and x < float("inf")):
                raise PhysicsError(f"--mixing {item!r}: U2 must be a number >= 0")
            u2[flav] = x
        if not any(u2.values()):
            raise PhysicsError("--mixing: give at least one non-zero |U|^2, e.g. --mixing mu=1e-6")
        return {"mixing_e": u2["e"], "mixing_mu": u2["mu"], "mixing_tau": u2["tau"], "dirac": args.dirac,
                "dipole": args.dipole}
    if args.particle == "alp":
        if args.g_hnl > 0 and args.hnl_mass is None:
            raise PhysicsError("--g-hnl needs --hnl-mass")
        if args.c_gg != 0 and args.f_a is None:
            raise PhysicsError("--c-gg needs --f-a (the ALP decay constant in GeV)")
        if not (args.g_gamma or args.g_electron or args.g_muon or args.c_gg or args.g_hnl):
            raise PhysicsError("widths alp: every coupling is zero (the ALP does not decay); allowed: a non-zero "
                               "--g-gamma, --g-electron, --g-muon, --g-hnl or --c-gg with --f-a")
        p = {"g_gamma": args.g_gamma, "g_electron": args.g_electron, "g_muon": args.g_muon}
        if args.c_gg != 0:
            p.update(c_gg=args.c_gg, f_a=args.f_a)
        if args.g_hnl > 0:
            p.update(g_hnl=args.g_hnl, hnl={"mass": args.hnl_mass, "dirac": args.hnl_dirac})
        return p
    p = {"kind": args.kind, "coupling": args.coupling}
    if args.hnl_mass is not None:
        p["hnl"] = {"mass": args.hnl_mass}
    return p


def _mass_grid(spec: str):
    import numpy as np

    from .errors import PhysicsError

    parts = spec.split(":")
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3 or not (0 < lo < hi) or n < 2:
            raise ValueError
    except (ValueError, IndexError):
        raise PhysicsError(f"--plot-masses {spec!r}: expected MIN:MAX:N with 0 < MIN < MAX and N >= 2") from None
    return np.linspace(lo, hi, n)


def cmd_widths(args) -> int:
    from .models.registry import make_model
    from .widths import default_mass_grid, plot_scan, report, report_text, scan

    params = _widths_params(args)
    _check_plot("--plot", args.plot, args.overwrite)
    if args.plot_masses and not args.plot:
        raise CardError("--plot-masses needs --plot FILE")
    model = make_model(args.particle, mass=args.mass, **params)
    rep = report(model)
    if args.json:
        print(json.dumps({k: rep[k] for k in ("total_width", "ctau", "branching_ratios")}))
    else:
        print(report_text(rep))
    if args.plot:
        masses = _mass_grid(args.plot_masses) if args.plot_masses else default_mass_grid(args.particle, args.mass)
        res = scan(args.particle, params, masses)
        title = f"{args.particle}: " + ", ".join(f"{k}={v}" for k, v in params.items())
        plot_scan(res, args.plot, title=title)
        if not args.json:
            print(f"wrote {args.plot}")
    return 0


class _Null:
    def write(self, *_):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (0, 2 bad input or unwritable output, 130 on
    Ctrl-C, 128 + N on SIGTERM or SIGHUP, 1 internal error)."""
    from ._jit import without_numba_extensions
    from ._signals import Terminated, terminate_on_signals

    without_numba_extensions()  # this process runs fipgen's kernels only (fipgen._jit: start-up time)
    try:
        with terminate_on_signals():
            return _main(argv)
    except Terminated as sig:  # arrived outside the command (parsing, or while leaving)
        sys.stderr.write(f"fipgen: {sig}; no output written\n")
        return sig.exit_code
    finally:
        if argv is None:  # the fipgen command's own process, which ends now
            _skip_the_last_collection()


def _skip_the_last_collection() -> None:
    """Python collects the cyclic garbage once more when the interpreter exits, going through
    every object: after numba's start-up (its typing registries, the loaded kernels) that is
    0.15 s of a 1 s command. The command's files are closed and its pools stopped (atexit)
    by then, so its objects are frozen (``gc.freeze``: left out of every collection) instead."""
    import gc

    gc.freeze()


def _main(argv: list[str] | None) -> int:
    from ._signals import Terminated

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        sys.stderr.write("fipgen: error: a command is required: generate, yields, scan, acceptance, reweight, "
                         "merge, detectors, sources, widths or examples\n")
        return 2
    handler = {"generate": cmd_generate, "yields": cmd_yields, "scan": cmd_scan, "acceptance": cmd_acceptance,
               "reweight": cmd_reweight, "merge": cmd_merge, "detectors": cmd_detectors, "examples": cmd_examples,
               "widths": cmd_widths, "sources": cmd_sources}[args.command]
    try:
        return handler(args)
    except FipgenError as err:
        if getattr(args, "debug", False):
            raise
        sys.stderr.write(f"fipgen: error: {err}\n")
        return err.exit_code
    except (KeyboardInterrupt, Terminated) as stop:
        return _answer_stop(stop)
    except BrokenPipeError:
        # the reader of our stdout went away (e.g. `| head`): stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as err:
        # the system refused (disk full, read-only, permission) somewhere no output file was
        # named (those become OutputError where they happen): still one line, exit 2
        from .io.atomic import WRITE_ERRNOS

        if getattr(args, "debug", False) or err.errno not in WRITE_ERRNOS:
            if getattr(args, "debug", False):
                raise
            sys.stderr.write(f"fipgen: internal error: {type(err).__name__}: {err} (run with --debug for the traceback)\n")
            return 1
        import os

        where = f"{os.fsdecode(err.filename)!r}: " if err.filename is not None else ""
        sys.stderr.write(f"fipgen: error: {where}{os.strerror(err.errno)}\n")
        return 2
    except Exception as err:  # noqa: BLE001 - last resort: one line, not a traceback
        stop = _stop_request(err)
        if stop is not None:  # a signal's exception wrapped by compiled code (fipgen._signals)
            return _answer_stop(stop)
        if getattr(args, "debug", False):
            raise
        sys.stderr.write(f"fipgen: internal error: {type(err).__name__}: {err} (run with --debug for the traceback)\n")
        return 1


def _answer_stop(stop: BaseException) -> int:
    """One line and the exit status for Ctrl-C (130) or a handled signal (128 + N)."""
    from ._signals import Terminated

    if isinstance(stop, Terminated):
        sys.stderr.write(f"fipgen: {stop}; no output written\n")
        return stop.exit_code
    sys.stderr.write("fipgen: interrupted; no output written\n")
    return 130


def _stop_request(err: BaseException):
    """The Terminated or KeyboardInterrupt an exception was raised from, if any: a signal's
    handler that raises while compiled code (numba's dispatcher) is between two of its Python
    calls makes that code fail with a SystemError chained to the handler's exception."""
    from ._signals import Terminated

    seen = set()
    e = err.__cause__ or err.__context__
    while e is not None and id(e) not in seen:
        if isinstance(e, (Terminated, KeyboardInterrupt)):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

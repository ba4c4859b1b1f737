#!/usr/bin/env python
"""fipgen benchmark: medians over repeats, ratios against a baseline measured in the same run.

Figures:
1. chain without I/O: trials and written events per second of production + transport +
   decay (the default example: pi0/eta -> gamma A' at SBND), one process (one core).
1b. the same for the K -> mu N chain (``examples/sbnd_hnl_kaon.toml``: kaons transported
   to their decays in flight and at rest, HNL aimed at SBND, polarised decays), with
   ``--trials-hnl`` trials.
1c. the proton-bremsstrahlung chain (``examples/darkquest_dark_photon_brems.toml``: A' aimed
   at the DarkQuest decay region with the defensive mixture, alternative weights).
1d. the hadron cascade (``fipgen.cascade``) of 8.89 GeV/c protons in the ``bnb_dump`` iron,
   ``--cascade-pot`` POT per run (Pythia's initialisation not timed), without its
   intranuclear cascade against Pythia alone: the same Pythia calls (recorded during a run)
   replayed on an equally seeded instance. The ratio is what the cascade's own bookkeeping
   adds to Pythia (1 = none). Then the default cascade (with the intranuclear cascade, its
   hadron-nucleon generators set up in the warm-up) against the one without it. Skipped
   with ``--no-cascade`` or without pythia8mc.
2. generate-to-ROOT over uproot alone: time of ``fipgen``'s ``run`` writing a ROOT file
   divided by the time uproot alone needs to write the same arrays (same branches, same
   compression, arrays prepared beforehand).
3. scans (``fipgen scan`` on all cores, ``--scan-repeats`` repeats, skipped with
   ``--no-scans``): HNLs from kaons at SBND, 50 masses x 100 couplings (target < 60 s), and
   the dark-photon meson + bremsstrahlung reach at DUNE ND, 50 x 100 (target < 30 s); the
   baseline is FORESEE's measured cost on this kind of machine (docs/design.md#performance: 20 s per mass for
   HNLs, 2 s per mass for dark photons), scaled to 50 masses.

Usage: python scripts/bench.py [--trials N] [--repeats R] [--card CARD] [--no-scans] [--no-cascade] [--json]
Targets (docs/design.md#performance): >= 1e6 events/s per core without I/O; ratio <= 1.5; scans as above.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np


def _median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


class _RecordingCascade:
    """A ``PythiaCascade`` stand-in for the engine that records every Pythia call it passes on."""

    def __init__(self, casc, calls: list):
        self._casc, self._calls = casc, calls

    def particleData(self):
        return self._casc.particleData()

    def sigmaSetuphN(self, pdg, p4, m):
        self._calls.append(("sigmaSetuphN", pdg, (p4.px(), p4.py(), p4.pz(), p4.e()), m))
        return self._casc.sigmaSetuphN(pdg, p4, m)

    def sigmahA(self, a):
        self._calls.append(("sigmahA", a))
        return self._casc.sigmahA(a)

    def nextColl(self, z, a):
        self._calls.append(("nextColl", z, a))
        return self._casc.nextColl(z, a)

    def nextDecay(self, pdg, p4, m):
        self._calls.append(("nextDecay", pdg, (p4.px(), p4.py(), p4.pz(), p4.e()), m))
        return self._casc.nextDecay(pdg, p4, m)


def _cascade_bench(n_pot: int, repeats: int, seed: int = 7) -> dict:
    """1d: ms per POT of the cascade on ``bnb_dump``, and of the same Pythia calls alone (medians)."""
    import pythia8mc

    from fipgen.cascade.engine import HadronCascade
    from fipgen.cascade.pythia import CascadeSettings, make_cascade, quiet_stdout
    from fipgen.cascade.world import world_of
    from fipgen.geometry import load_beamline

    bl = load_beamline("bnb_dump")
    world = world_of(bl)

    off = CascadeSettings(intranuclear=False)

    def cascade(s, settings=off):
        return HadronCascade(world, bl.beam_particle, bl.beam_momentum, bl.beam_spot, settings=settings, seed=s)

    t_casc, t_pythia, t_inc = [], [], []
    with quiet_stdout():  # Pythia's banner and warnings
        cascade(seed + 1).run(5)  # warm-up: numba kernels, stopping tables
        cascade(seed + 1, CascadeSettings()).run(50)  # warm-up: the hadron-nucleon generators
        calls: list = []
        rec = cascade(seed)
        rec.casc = _RecordingCascade(rec.casc, calls)
        rec.run(n_pot)
        vec4 = pythia8mc.Vec4
        replay = [(c[0], c[1], vec4(*c[2]), c[3]) if len(c) == 4 else c for c in calls]
        for _ in range(repeats):
            h = cascade(seed)
            t0 = time.perf_counter()
            h.run(n_pot)
            t_casc.append(time.perf_counter() - t0)
            casc = make_cascade(off, seed)
            t0 = time.perf_counter()
            for c in replay:
                getattr(casc, c[0])(*c[1:])
            t_pythia.append(time.perf_counter() - t0)
            h = cascade(seed, CascadeSettings())
            t0 = time.perf_counter()
            h.run(n_pot)
            t_inc.append(time.perf_counter() - t0)
    tc, tp, ti = statistics.median(t_casc), statistics.median(t_pythia), statistics.median(t_inc)
    return {"beamline": "bnb_dump", "pot": n_pot, "seed": seed, "ms_per_pot": 1e3 * tc / n_pot,
            "pythia_alone_ms_per_pot": 1e3 * tp / n_pot, "ratio_cascade_over_pythia": tc / tp,
            "pythia_calls_per_pot": len(calls) / n_pot, "intranuclear_ms_per_pot": 1e3 * ti / n_pot,
            "ratio_intranuclear_over_without": ti / tc}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=2_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--card", default=None, help="run card (default: the packaged default example)")
    ap.add_argument("--trials-hnl", type=int, default=500_000)
    ap.add_argument("--trials-brems", type=int, default=500_000)
    ap.add_argument("--no-scans", action="store_true", help="skip the scan benchmarks (~70 s)")
    ap.add_argument("--cascade-pot", type=int, default=200)
    ap.add_argument("--no-cascade", action="store_true", help="skip the hadron-cascade benchmark (~20 s)")
    ap.add_argument("--scan-repeats", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import uproot

    from fipgen.card import default_card_name, load_card, load_packaged_card
    from fipgen.io.root import _branch_types, _counter_name, batch_to_branches, compression_from_spec
    from fipgen.pipeline import build_job, iter_chunks, metadata, run

    card = load_card(args.card) if args.card else load_packaged_card(default_card_name())
    card = card.replace(events=args.trials)
    job = build_job(card)

    # warm-up: numba compilation / cache load, table building
    warm = build_job(card.replace(events=20000))
    for _ in iter_chunks(warm):
        pass

    # 1. chain without I/O
    n_events = []

    def chain():
        n = 0
        for batch, _ in iter_chunks(job):
            n += len(batch)
        n_events.append(n)

    t_chain, chain_times = _median_time(chain, args.repeats)

    # 1b. the K -> mu N chain (charged-meson transport + aimed HNLs + polarised decays)
    hcard = load_packaged_card("sbnd_hnl_kaon.toml").replace(events=args.trials_hnl)
    hjob = build_job(hcard)
    for _ in iter_chunks(build_job(hcard.replace(events=20000))):
        pass
    h_events = []

    def hnl_chain():
        n = 0
        for batch, _ in iter_chunks(hjob):
            n += len(batch)
        h_events.append(n)

    t_hnl, _ = _median_time(hnl_chain, args.repeats)

    # 1c. proton bremsstrahlung at DarkQuest
    bcard = load_packaged_card("darkquest_dark_photon_brems.toml").replace(events=args.trials_brems)
    bjob = build_job(bcard)
    for _ in iter_chunks(build_job(bcard.replace(events=20000))):
        pass
    b_events = []

    def brems_chain():
        n = 0
        for batch, _ in iter_chunks(bjob):
            n += len(batch)
        b_events.append(n)

    t_brems, _ = _median_time(brems_chain, args.repeats)

    # 1d. the hadron cascade against Pythia alone
    cascade = None
    if not args.no_cascade:
        try:
            import pythia8mc  # noqa: F401
        except ImportError:
            pass
        else:
            cascade = _cascade_bench(args.cascade_pot, args.repeats)

    # 2. generate to ROOT vs uproot alone
    tmpdir = tempfile.mkdtemp(prefix="fipgen-bench-")
    out = os.path.join(tmpdir, "bench.root")

    def generate_to_root():
        run(job, out, overwrite=True)

    t_gen, gen_times = _median_time(generate_to_root, args.repeats)

    chunks = [batch_to_branches(b) for b, _ in iter_chunks(job)]
    comp = compression_from_spec(card.compression)
    meta = json.dumps(metadata(job))
    raw = os.path.join(tmpdir, "uproot.root")

    def uproot_alone():
        with uproot.recreate(raw, compression=comp) as f:
            t = f.mktree("events", _branch_types(), counter_name=_counter_name,
                         field_name=lambda o, i: f"{o}_{i}")
            for c in chunks:
                t.extend(c)
            f["run_metadata"] = meta

    t_up, up_times = _median_time(uproot_alone, args.repeats)
    size_mb = os.path.getsize(out) / 1e6
    for p in (out, raw):
        os.remove(p)
    os.rmdir(tmpdir)

    # 3. scans
    scans = {}
    if not args.no_scans:
        from fipgen.scan.run import run_scan

        workers = os.cpu_count() or 1
        for name, ex, masses, cpl, target, foresee in (
            ("hnl_kaon_sbnd", "sbnd_hnl_kaon.toml", np.linspace(0.02, 0.38, 50), np.geomspace(1e-10, 1e-3, 100), 60.0, 20.0),
            ("dark_photon_dune", "dune_dark_photon_reach.toml", np.linspace(0.01, 1.0, 50), np.geomspace(1e-9, 1e-4, 100),
             30.0, 2.0),
        ):
            sc = load_packaged_card(ex)
            t_scan, _ = _median_time(lambda: run_scan(sc, masses, cpl, workers=workers), args.scan_repeats)
            scans[name] = {"seconds_median": t_scan, "masses": 50, "couplings": 100, "trials_per_mass": sc.events,
                           "workers": workers, "target_seconds": target, "foresee_seconds_50_masses": 50 * foresee,
                           "speedup_over_foresee": 50 * foresee / t_scan}

    res = {
        "card": card.source,
        "trials": args.trials,
        "events_written": n_events[-1],
        "repeats": args.repeats,
        "chain_seconds_median": t_chain,
        "chain_trials_per_s": args.trials / t_chain,
        "chain_events_per_s": n_events[-1] / t_chain,
        "kmun_trials": args.trials_hnl,
        "kmun_events_written": h_events[-1],
        "kmun_chain_seconds_median": t_hnl,
        "kmun_chain_trials_per_s": args.trials_hnl / t_hnl,
        "kmun_chain_events_per_s": h_events[-1] / t_hnl,
        "brems_trials": args.trials_brems,
        "brems_events_written": b_events[-1],
        "brems_chain_seconds_median": t_brems,
        "brems_chain_trials_per_s": args.trials_brems / t_brems,
        "cascade": cascade,
        "scans": scans,
        "generate_to_root_seconds_median": t_gen,
        "uproot_alone_seconds_median": t_up,
        "ratio_generate_over_uproot": t_gen / t_up,
        "root_file_MB": size_mb,
        "compression": card.compression,
        "numba_threads": int(os.environ.get("NUMBA_NUM_THREADS", "0")) or None,
    }
    if args.json:
        print(json.dumps(res, indent=1))
    else:
        print(f"card: {card.source}, {args.trials} trials, {n_events[-1]} events written, medians of {args.repeats}")
        print(f"chain without I/O    : {t_chain:.3f} s  -> {res['chain_events_per_s']:.3g} events/s "
              f"({res['chain_trials_per_s']:.3g} trials/s), one process")
        print(f"K -> mu N chain      : {t_hnl:.3f} s for {args.trials_hnl} trials -> {res['kmun_chain_events_per_s']:.3g} "
              f"events/s ({res['kmun_chain_trials_per_s']:.3g} trials/s), one process")
        print(f"bremsstrahlung chain : {t_brems:.3f} s for {args.trials_brems} trials -> "
              f"{res['brems_chain_trials_per_s']:.3g} trials/s ({b_events[-1]} events), one process")
        if cascade:
            print(f"hadron cascade       : {cascade['ms_per_pot']:.2f} ms/POT (bnb_dump, {cascade['pot']} POT); "
                  f"Pythia alone {cascade['pythia_alone_ms_per_pot']:.2f} ms/POT; "
                  f"ratio cascade/Pythia {cascade['ratio_cascade_over_pythia']:.2f}; with the intranuclear cascade "
                  f"{cascade['intranuclear_ms_per_pot']:.2f} ms/POT, ratio {cascade['ratio_intranuclear_over_without']:.2f}")
        print(f"generate to ROOT     : {t_gen:.3f} s  ({size_mb:.1f} MB, {card.compression})")
        print(f"uproot alone, same arrays: {t_up:.3f} s")
        print(f"ratio generate/uproot: {res['ratio_generate_over_uproot']:.2f}  (target <= 1.5)")
        for name, sres in scans.items():
            print(f"scan {name:<16}: {sres['seconds_median']:.1f} s for 50 x 100 on {sres['workers']} cores "
                  f"(target < {sres['target_seconds']:.0f} s; FORESEE ~{sres['foresee_seconds_50_masses']:.0f} s: "
                  f"x{sres['speedup_over_foresee']:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

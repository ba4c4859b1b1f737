#!/usr/bin/env python
"""fipgen benchmark: medians over repeats, ratios against a baseline measured in the same run.

Figures:
1. chain without I/O: trials and written events per second of production + transport +
   decay (the default example: pi0/eta -> gamma A' at SBND), one process (one core).
1b. the same for the K -> mu N chain (``examples/sbnd_hnl_kaon.toml``: kaons transported
   to their decays in flight and at rest, HNL aimed at SBND, polarised decays), with
   ``--trials-hnl`` trials.
2. generate-to-ROOT over uproot alone: time of ``fipgen``'s ``run`` writing a ROOT file
   divided by the time uproot alone needs to write the same arrays (same branches, same
   compression, arrays prepared beforehand).

Usage: python scripts/bench.py [--trials N] [--repeats R] [--card CARD] [--json]
Target (DESIGN.md): >= 1e6 events/s per core without I/O; ratio <= 1.5.
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=2_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--card", default=None, help="run card (default: the packaged default example)")
    ap.add_argument("--trials-hnl", type=int, default=500_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import uproot

    from generator.card import default_card_name, load_card, load_packaged_card
    from generator.events import EventBatch
    from generator.io.root import RootWriter, _branch_types, _counter_name, batch_to_branches, compression_from_spec
    from generator.pipeline import build_job, iter_chunks, metadata, run

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
        print(f"generate to ROOT     : {t_gen:.3f} s  ({size_mb:.1f} MB, {card.compression})")
        print(f"uproot alone, same arrays: {t_up:.3f} s")
        print(f"ratio generate/uproot: {res['ratio_generate_over_uproot']:.2f}  (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

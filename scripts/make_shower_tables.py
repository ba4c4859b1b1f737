"""Regenerate fipgen's per-POT shower track-length tables ``fluxes/shower_<beamline>.npz``.

Usage::

    python scripts/make_shower_tables.py [--quick] [--out DIR] [--seed N] [--beamlines B ...]

For each beamline (MiniBooNE steel dump ``bnb_dump``, NuMI and LBNF graphite targets,
DarkQuest FMAG iron ``darkquest_beam``) the pi0 and eta sources of
``fipgen.production.sources.meson_tables`` are sampled, their two-photon decays shower in
the beamline's target with ``fipgen.shower`` (default settings: 1 MeV cuts), and the
track-length densities of photons, electrons and positrons per POT are written with a
JSON header (fipgen version, settings, sample sizes, seeds, POT normalisation, binning,
energy check). Every (source, batch) has its own stream ``SeedSequence(seed,
spawn_key=(source, batch))``: the same command makes the same tables.

The default sample takes 8 minutes on one core of a 2-core machine (bnb_dump 131 s, numi
11 s, lbnf 43 s, darkquest_beam 277 s; 13 minutes when the other core is busy); ``--quick``
(1/100 of the mesons, the same batches) about 10 s, for tests and trials.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    try:
        import fipgen  # noqa: F401
    except ImportError:  # running from a checkout without installing
        sys.path.insert(0, str(REPO))

from fipgen.production.sources.shower_seeding import make_shower_table  # noqa: E402
from fipgen.shower.fold import shower_table_beamlines, write_shower_table  # noqa: E402

#: mesons sampled per beamline in the default run (pi0, eta); --quick divides by QUICK_FACTOR
SAMPLES = {
    "bnb_dump": {"pi0": 30000, "eta": 3000},
    "numi": {"pi0": 300000, "eta": 60000},
    "lbnf": {"pi0": 300000, "eta": 60000},
    "darkquest_beam": {"pi0": 10000, "eta": 2000},
}
QUICK_FACTOR = 100
N_BATCHES = 10
SEED = 20240607


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"1/{QUICK_FACTOR} of the default sample")
    ap.add_argument("--out", default=str(REPO / "fluxes"), help="output directory (default: fluxes/)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--beamlines", nargs="*", default=list(shower_table_beamlines()), choices=list(shower_table_beamlines()))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for bl in args.beamlines:
        n = {k: max(v // QUICK_FACTOR, N_BATCHES) if args.quick else v for k, v in SAMPLES[bl].items()}
        t0 = time.time()
        arrays, header = make_shower_table(bl, n, seed=args.seed, n_batches=N_BATCHES)
        header["made_by"] = "scripts/make_shower_tables.py" + (" --quick" if args.quick else "")
        header["run_time_s"] = round(time.time() - t0, 1)
        path = write_shower_table(arrays, header, out)
        chk = header["energy_check"]
        print(
            f"{bl}: {n} mesons, {header['run_time_s']} s, {path} ({path.stat().st_size / 1e6:.2f} MB); seed energy "
            f"{chk['seed_energy_per_pot_GeV']:.3f} GeV/POT <= {chk['beam_energy_GeV']:.3f}; table/scored continuous loss "
            f"{chk['table_over_scored_continuous_loss']:.5f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

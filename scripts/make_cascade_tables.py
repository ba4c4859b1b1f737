"""Build the packaged beamlines' hadron-cascade tables into ``fluxes/cascade_<beamline>.npz``.

Usage::

    python scripts/make_cascade_tables.py [BEAMLINE ...] [--workers N] [--out DIR]

Each packaged beamline that names ``particle_sources.cascade_table`` is simulated with the POT
its file gives (``cascade_pot``) by :func:`fipgen.cascade.build.build_tables`, exactly as a
user's beamline is on first use: the header records the versions, settings, seed, POT, the
multiplicities per solid with MC errors, the energy ledger, and the ``content_key`` the run
checks before using the packaged table (a file whose solids, beam or materials changed since
gets its own cache instead). The tables are identical whatever ``--workers``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from fipgen.cascade.build import beamline_pot, build_tables, load_tables
    from fipgen.geometry import list_geometries, load_beamline

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("beamlines", nargs="*", help="packaged beamline names (default: all that name a cascade table)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "fluxes"))
    args = ap.parse_args(argv)
    names = args.beamlines or [n for n, k, _ in list_geometries() if k == "beamline"]
    for name in names:
        bl = load_beamline(name)
        table = dict(bl.particle_sources).get("cascade_table")
        if table is None:
            if args.beamlines:
                raise SystemExit(f"beamline {name!r} names no particle_sources.cascade_table")
            continue
        t0 = time.time()
        path = build_tables(bl, beamline_pot(bl), workers=args.workers, out=Path(args.out) / table)
        _, head = load_tables(path)
        prod = {k: v["per_pot"] for per in head["multiplicities"].values() for k, v in per.get("prod", {}).items()}
        print(f"{name}: {head['n_pot']} POT in {time.time() - t0:.0f} s -> {path} ({path.stat().st_size / 1e6:.2f} MB); "
              f"ledger closes to {head['ledger_closure']:+.1e}; pi0/POT {prod.get('111', 0):.3g}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

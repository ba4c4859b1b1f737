#!/usr/bin/env python
"""Write ``generator/data/pdg_snapshot.json``: the PDG values fipgen reads from the ``particle``
package (mass and width in GeV, charge in e, name) for every non-nuclear code of its table,
with the package's version. fipgen reads the snapshot instead of loading the whole table
(0.15-0.2 s at start-up) when the installed ``particle`` has that version
(:func:`fipgen.constants.pdg_values`); tests/test_pdg_snapshot.py checks it against the
installed package.

Usage: python scripts/pdg_snapshot.py
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from particle import Particle

OUT = Path(__file__).resolve().parents[1] / "generator" / "data" / "pdg_snapshot.json"


def snapshot() -> dict:
    rows = {}
    for p in Particle.all():
        code = int(p.pdgid)
        if abs(code) >= 1_000_000_000:  # nuclei: fipgen builds their codes itself
            continue
        rows[str(code)] = [None if p.mass is None else float(p.mass) * 1e-3,
                           None if p.width is None else float(p.width) * 1e-3,
                           None if p.charge is None else float(p.charge), str(p.name)]
    return {"particle_version": version("particle"),
            "source": "Particle Data Group values as the scikit-hep particle package ships them (its particle "
                      "table for that version); written by scripts/pdg_snapshot.py",
            "units": "mass and width in GeV (particle's MeV x 1e-3), charge in units of e; None where the PDG gives none",
            "columns": ["mass", "width", "charge", "name"],
            "particles": rows}


if __name__ == "__main__":
    OUT.write_text(json.dumps(snapshot(), separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")

"""Build fipgen's vector-meson-dominance table from DarkCast's fitted R_mu^F tables.

Source: DarkCast (Ilten, Soreq, Williams, Xue, arXiv:1801.04847, JHEP 06 (2018) 004),
folder ``vmd/`` (``darkcast/data/`` in the archival copy micha-a-schmidt/darkcast, commit
db9a0f6), licence GPL-2.0-or-later. The twelve ``rf.<final state>.<family>.dat`` files share
one 0.5 MeV mass grid; this script puts them side by side on the common grid 0.1400-2.0000 GeV
(0 below the first point of a file and, for the omega-phi interference file that stops at
1.478 GeV, above its last point) and writes one gzip'd CSV with a provenance header.

Usage::

    python scripts/make_vmd_tables.py [SOURCE_DIR] [OUTPUT]

defaults: ``/work/shared/data/darkcast-vmd`` and
``generator/data/darkcast/vmd_rf.csv.gz``. The output is byte-for-byte reproducible (gzip
mtime 0); ``tests/test_zprime.py`` regenerates it and compares.
"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import numpy as np

#: (column name, source file); column names are "<DarkCast final state>|<family>".
COLUMNS = (
    ("pi+_pi-|rho0", "rf.pi+_pi-.rho0.dat"),
    ("pi+_pi-_pi+_pi-|rho0", "rf.pi+_pi-_pi+_pi-.rho0.dat"),
    ("pi+_pi-_pi0_pi0|rho0", "rf.pi+_pi-_pi0_pi0.rho0.dat"),
    ("other|rho0", "rf.other.rho0.dat"),
    ("pi+_pi-_pi0|omega", "rf.pi+_pi-_pi0.omega.dat"),
    ("pi0_gamma|omega", "rf.pi0_gamma.omega.dat"),
    ("other|omega", "rf.other.omega.dat"),
    ("pi+_pi-_pi0|phi", "rf.pi+_pi-_pi0.phi.dat"),
    ("K_K|phi", "rf.K_K.phi.dat"),
    ("K_K_pi|phi", "rf.K_K_pi.phi.dat"),
    ("other|phi", "rf.other.phi.dat"),
    ("pi+_pi-_pi0|omega_phi", "rf.pi+_pi-_pi0.omega_phi.dat"),
)

M_MIN, M_MAX, STEP = 0.14, 2.0, 0.0005
VERSION = 1

HEADER = f"""\
# vmd_rf.csv.gz - version {VERSION} - made by scripts/make_vmd_tables.py; do not edit by hand
# Source: DarkCast, P. Ilten, Y. Soreq, M. Williams, W. Xue, arXiv:1801.04847 (JHEP 06 (2018) 004),
#   fitted vector-meson-dominance tables rf.<final state>.<family>.dat, repository
#   micha-a-schmidt/darkcast commit db9a0f6 (folder darkcast/data, upstream vmd/).
# Licence of the data: GPL-2.0-or-later (DarkCast).
# Columns: mass_GeV, then R_mu^F for final state F through vector-meson family V (rho0, omega, phi;
#   omega_phi = the omega-phi interference term), named "<F>|<V>", from arXiv:1801.04847 eqs. 2.15-2.18:
#   Gamma(X -> F) = g^2 m / (12 pi) * [ sum_V c_V^2 R^F_V(m) + 2 c_omega c_phi R^F_omega_phi(m) ],
#   c_rho = x_u - x_d, c_omega = 3 (x_u + x_d), c_phi = 3 x_s (DarkCast pars.rvs x Tr[T_V Q]).
#   Grid {M_MIN:.4f}-{M_MAX:.4f} GeV, step {STEP} GeV; 0 where DarkCast's file has no point (below threshold,
#   and above 1.478 GeV for the omega_phi column). Values copied unchanged (5 significant digits).
"""


def build(src: Path) -> bytes:
    n = int(round((M_MAX - M_MIN) / STEP)) + 1
    grid = M_MIN + STEP * np.arange(n)
    table = np.zeros((n, len(COLUMNS)))
    for j, (_, fname) in enumerate(COLUMNS):
        d = np.loadtxt(src / fname)
        idx = np.rint((d[:, 0] - M_MIN) / STEP).astype(int)
        if np.any(np.abs(grid[idx] - d[:, 0]) > 1e-9) or idx.min() < 0 or idx.max() >= n:
            raise ValueError(f"{fname}: points off the common {STEP} GeV grid")
        table[idx, j] = d[:, 1]
    out = io.StringIO()
    out.write(HEADER)
    out.write("mass_GeV," + ",".join(c for c, _ in COLUMNS) + "\n")
    for i in range(n):
        out.write(f"{grid[i]:.4f}," + ",".join(f"{v:.4e}" for v in table[i]) + "\n")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(out.getvalue().encode())
    return buf.getvalue()


def main(argv: list[str]) -> None:
    src = Path(argv[1]) if len(argv) > 1 else Path("/work/shared/data/darkcast-vmd")
    dst = Path(argv[2]) if len(argv) > 2 else Path(__file__).resolve().parents[1] / "generator/data/darkcast/vmd_rf.csv.gz"
    dst.write_bytes(build(src))
    print(f"wrote {dst}")


if __name__ == "__main__":
    main(sys.argv)

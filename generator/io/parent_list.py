"""SBN MeVPrtl's parent-list text format (``px py pz E pdg weight npot`` per line), read and
written.

SBN's MeVPrtl reads parent mesons as text and runs its own BSM chain on them
(docs/outputs.md#what-readers-expect): writing fipgen's
meson sources in that format (``fipgen generate --format mevprtl``, the mesons drawn by
:mod:`fipgen.production.sources.parent_list_sources`) lets a collaboration use fipgen's fluxes in its
own chain, and reading one (``experiment.parents``) replaces the beamline's meson sources
(:mod:`fipgen.production.sources.external`). Lines starting with ``#`` are comments. ``npot`` spreads a
written file's POT over its lines; the reader adds the column up (``npot_mode="sum"``) or takes
one line's value (``"per-file"``). Momenta in GeV, beam frame.

sbncode's reader (``TxtFileGen_tool.cc``) has no comment handling: it skips a fixed number of
lines (``NSkipLines``), starts at a random data line and reads on sequentially (wrapping at
the end), adding each line's ``npot`` to the POT. So a written file has **exactly one header
line** (``NSkipLines: 1``), whatever its provenance (the header is one line of text), and the
writer of fipgen's sources interleaves the species (the lines in a seeded random order), so
that any contiguous block of lines is a fair sample of the mix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import PhysicsError

__all__ = ["HEADER_LINES", "ParentList", "read_mevprtl_text", "write_mevprtl_text"]


class ParentList(dict):
    """Columns of a MeVPrtl text file: ``p4`` (n, 4), ``pdg`` (n,), ``weight`` (n,), ``pot`` (float)."""


def _fail(path, msg) -> PhysicsError:
    return PhysicsError(f"{path}: {msg}")


def read_mevprtl_text(path, npot_mode: str = "sum") -> ParentList:
    """Read a MeVPrtl text parent list (module docstring).

    Parameters
    ----------
    path : str or Path
    npot_mode : {"sum", "per-file"}
        How the ``npot`` column adds up to the file's POT.

    Raises
    ------
    PhysicsError
        Missing file, a line without 7 numbers, unphysical four-momenta (E < |p|),
        negative weights or non-positive POT: one line naming the file and line.
    """
    if npot_mode not in ("sum", "per-file"):
        raise PhysicsError(f"npot_mode must be 'sum' or 'per-file', got {npot_mode!r}")
    p = Path(path)
    if not p.is_file():
        raise PhysicsError(f"parent list {str(path)!r} not found")
    rows = []
    with p.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            parts = s.split()
            if len(parts) != 7:
                hint = " (8 columns: sbncode's TxtFileGenNM format, 'mevprtl-nm')" if len(parts) == 8 else ""
                raise _fail(path, f"line {i}: expected 7 columns 'px py pz E pdg weight npot', got {len(parts)}{hint}")
            try:
                vals = [float(x) for x in parts]
            except ValueError:
                raise _fail(path, f"line {i}: not a number in {s!r}") from None
            if not all(np.isfinite(vals)):
                raise _fail(path, f"line {i}: not a finite number in {s!r} (nan or inf)")
            if vals[4] != int(vals[4]):
                raise _fail(path, f"line {i}: pdg {parts[4]!r} is not an integer")
            rows.append(vals)
    if not rows:
        raise _fail(path, "no parents in the file")
    a = np.asarray(rows, dtype=np.float64)
    p4, pdg, w, npot = a[:, :4], a[:, 4].astype(np.int64), a[:, 5], a[:, 6]
    p2 = np.einsum("ij,ij->i", p4[:, :3], p4[:, :3])
    bad = np.flatnonzero(p4[:, 3] ** 2 < p2 * (1 - 1e-9))
    if bad.size:
        raise _fail(path, f"parent {bad[0] + 1}: E < |p| (not a physical four-momentum)")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise _fail(path, "weights must be finite and >= 0")
    if npot_mode == "sum":
        pot = float(npot.sum())
    else:
        if not np.all(npot == npot[0]):
            raise _fail(path, "npot_mode 'per-file' needs the same npot on every line")
        pot = float(npot[0])
    if not pot > 0:
        raise _fail(path, f"POT of the file is {pot}: must be > 0")
    return ParentList(p4=p4, pdg=pdg, weight=w, pot=pot, path=str(p))


#: Header lines of a written file (sbncode's ``NSkipLines``).
HEADER_LINES = 1


def write_mevprtl_text(path, p4, pdg, weight, pot: float, header: str = "", overwrite: bool = False) -> None:
    """Write parents as MeVPrtl text lines after one header line (``header`` folded into it);
    the file's POT is spread over the lines (npot = POT/n)."""
    from .atomic import atomic_path

    p4 = np.asarray(p4, dtype=np.float64)
    n = p4.shape[0]
    pdg = np.broadcast_to(np.asarray(pdg, dtype=np.int64), (n,))
    weight = np.broadcast_to(np.asarray(weight, dtype=np.float64), (n,))
    with atomic_path(path, overwrite=overwrite) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            note = " | ".join(x.strip() for x in header.splitlines() if x.strip())
            fh.write("# px py pz E pdg weight npot (GeV; beam frame; npot = POT of the sample / lines); "
                     f"{HEADER_LINES} header line (sbncode TxtFileGen NSkipLines: {HEADER_LINES})"
                     + (f"; {note}" if note else "") + "\n")
            share = pot / n
            for i in range(n):
                fh.write(f"{p4[i, 0]:.9g} {p4[i, 1]:.9g} {p4[i, 2]:.9g} {p4[i, 3]:.9g} {int(pdg[i])} "
                         f"{weight[i]:.9g} {share:.9g}\n")

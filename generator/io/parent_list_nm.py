"""sbncode's neutral-meson parent text (``TxtFileGenNM``): ``px py pz x y z start_t wgt`` per
line, read and written.

SBND's dark-photon configuration of SBN MeVPrtl reads its pi0 from text with the tool
``TxtFileGenNM`` (SBNSoftware/sbncode, ``sbncode/EventGenerator/MeVPrtl/Tools/TxtFileGenNM_tool.cc``,
branch ``feature/rohanr_dp_mevprtl``). What that reader does, and so what this format is:

* Each line is parsed as ``l4vec >> px >> py >> pz >> x >> y >> z >> start_t >> wgt``: eight
  numbers, nothing else read (no PDG code, no energy, no POT column). Momenta in GeV, beam
  frame (z along the protons).
* Every line is a pi0: ``flux.fptype = 111`` and ``flux.fppenergy = sqrt(p2 + mpi0*mpi0)``
  with ``mpi0 = 0.1349768`` (GeV, :data:`PI0_MASS`).
* ``x, y, z`` go to ``MCFlux::fvx, fvy, fvz``, which sbnobj's ``MesonParent`` takes as the
  parent's position and the flux tools move to the detector with their ``BeamOrigin`` (cm):
  the production point, **cm**, in the beam frame of the flux tool's ``BeamOrigin``.
* ``start_t`` goes to ``MCFlux::ftpx`` and is not used as a time (``MesonParent`` takes the
  time from ``fxpoint``, which the tool sets to 0).
* ``wgt`` goes to ``MCFlux::fnimpwt``, the parent's weight.
* The POT: parsing a line sets ``fAccumulatedPOT = 1000000`` (an assignment, not a sum) and
  ``GetPOT()`` returns it and resets it to 0: every line read stands for 1e6 POT
  (:data:`POT_PER_LINE`) when the POT is asked after each line. (sbncode's ``MeVPrtlGen``
  module asks once per accepted event, after however many lines it read for it, so its
  ``POTSummary`` holds 1e6 per *event*; docs/outputs.md says how to get the exposure.)
* Lines: no comment handling; ``NSkipLines`` (required) lines are skipped, the reader starts
  at a uniformly random data line (``CLHEP::RandFlat::shootInt``), reads on line by line,
  wrapping to the first data line at the end, and moves to the next file after one pass.

So a file's pi0 per POT is ``sum(wgt) / (1e6 x lines)``. fipgen writes the pi0 feeding a
card's channels (:mod:`fipgen.production.sources.parent_list_sources`) with every line's
``wgt = 1e6 x (pi0 per POT of the source)``, production points in cm in the beamline's beam
frame and ``start_t`` the proton's flight time from the target face to that point (ns, as
fipgen's ``prod_t`` before the bucket structure), in a seeded random order, with **no header
line** (``NSkipLines: 0``, as SBND's ``bnb_pi0_txt`` configuration has it). The reader
(:func:`read_mevprtl_nm_text`) takes the same convention; it also skips blank lines and
lines starting with ``#``, which sbncode's reader would parse as (broken) data lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PhysicsError
from .parent_list import ParentList

__all__ = ["PI0_MASS", "POT_PER_LINE", "NM_HEADER_LINES", "NM_COLUMNS", "NeutralMesonList", "read_mevprtl_nm_text",
           "write_mevprtl_nm_text"]

#: The pi0 mass sbncode's reader gives every line (GeV): ``double mpi0 = 0.1349768;``.
PI0_MASS = 0.1349768
#: POT a line stands for: ``fAccumulatedPOT = 1000000;`` on every line parsed.
POT_PER_LINE = 1.0e6
#: Header lines of a written file (sbncode's ``NSkipLines``): none.
NM_HEADER_LINES = 0
#: The columns of a line, in order (``x y z`` in cm, ``start_t`` in ns as fipgen writes it).
NM_COLUMNS = ("px", "py", "pz", "x", "y", "z", "start_t", "wgt")

_CM = 0.01


@dataclass(frozen=True, eq=False)
class NeutralMesonList:
    """The lines of TxtFileGenNM text: pi0 with their production points.

    Attributes
    ----------
    p4 : numpy.ndarray, shape (n, 4)
        ``(px, py, pz, E)`` GeV, beam frame, ``E`` from :data:`PI0_MASS`.
    position : numpy.ndarray, shape (n, 3)
        Production points, metres, in the file's frame.
    start_t : numpy.ndarray, shape (n,)
        The ``start_t`` column as written (fipgen writes ns; not used as a time).
    weight : numpy.ndarray, shape (n,)
        ``wgt``: each line's pi0 in its :data:`POT_PER_LINE` POT.
    path : str
        The file (or files) read.
    """

    p4: np.ndarray
    position: np.ndarray
    start_t: np.ndarray
    weight: np.ndarray
    path: str

    def __len__(self) -> int:
        return int(self.weight.size)

    @property
    def pot(self) -> float:
        """POT of the list: :data:`POT_PER_LINE` per line."""
        return POT_PER_LINE * len(self)

    @property
    def per_pot(self) -> float:
        """pi0 per POT: ``sum(wgt) / (1e6 x lines)``."""
        return float(self.weight.sum()) / self.pot

    def as_parent_list(self) -> ParentList:
        """The momenta as a :class:`~fipgen.io.parent_list.ParentList` (pdg 111, POT of the list)."""
        return ParentList(p4=self.p4, pdg=np.full(len(self), 111, dtype=np.int64), weight=self.weight, pot=self.pot,
                          path=self.path)


def _fail(path, msg) -> PhysicsError:
    return PhysicsError(f"{path}: {msg}")


def _pi0_p4(mom: np.ndarray) -> np.ndarray:
    """``(px, py, pz, E)`` with ``E = sqrt(p^2 + mpi0^2)``, sbncode's rule."""
    e = np.sqrt(np.einsum("ij,ij->i", mom, mom) + PI0_MASS * PI0_MASS)
    return np.column_stack([mom, e])


def _check_line(path, i: int, s: str) -> list[float]:
    parts = s.split()
    if len(parts) != len(NM_COLUMNS):
        hint = " (7 columns: SBN MeVPrtl's TxtFileGen format, 'mevprtl')" if len(parts) == 7 else ""
        raise _fail(path, f"line {i}: expected 8 columns 'px py pz x y z start_t wgt' (sbncode TxtFileGenNM), "
                          f"got {len(parts)}{hint}")
    try:
        vals = [float(x) for x in parts]
    except ValueError:
        raise _fail(path, f"line {i}: not a number in {s!r}") from None
    if not all(math.isfinite(v) for v in vals):
        raise _fail(path, f"line {i}: not a finite number in {s!r} (nan or inf)")
    if vals[7] < 0:
        raise _fail(path, f"line {i}: weight {parts[7]} < 0 (weights must be >= 0)")
    if vals[2] == 0:
        raise _fail(path, f"line {i}: pz = 0 (sbncode's reader divides by pz)")
    return vals


def read_mevprtl_nm_text(path) -> NeutralMesonList:
    """Read TxtFileGenNM text (module docstring): every line a pi0, 1e6 POT per line.

    Blank lines and lines starting with ``#`` are skipped (sbncode's reader would need them
    counted in ``NSkipLines`` at the top, and breaks on them elsewhere).

    Raises
    ------
    PhysicsError
        Missing or unreadable file, no line, a line without 8 numbers, a number that is not
        finite, a negative weight or ``pz = 0``: one line naming the file and the line.
    """
    p = Path(path)
    if not p.is_file():
        raise PhysicsError(f"parent list {str(path)!r} not found")
    rows = []
    try:
        with p.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                s = line.strip()
                if s and not s.startswith("#"):
                    rows.append(_check_line(path, i, s))
    except (OSError, UnicodeDecodeError) as err:
        raise _fail(path, f"cannot be read as text: {err}") from None
    if not rows:
        raise _fail(path, "no parents in the file")
    a = np.asarray(rows, dtype=np.float64)
    return NeutralMesonList(p4=_pi0_p4(a[:, 0:3]), position=a[:, 3:6] * _CM, start_t=a[:, 6].copy(),
                            weight=a[:, 7].copy(), path=str(p))


def write_mevprtl_nm_text(path, momentum, position, weight, start_t=None, overwrite: bool = False) -> None:
    """Write pi0 as TxtFileGenNM lines, no header (module docstring).

    Parameters
    ----------
    path : str or Path
        Written atomically (:func:`fipgen.io.atomic.atomic_path`).
    momentum : array (n, 3) or (n, 4)
        GeV, beam frame (an energy column is not written: the reader takes the pi0 mass).
    position : array (n, 3)
        Production points, metres (written in cm).
    weight : array (n,) or float
        Each line's ``wgt``: its pi0 in :data:`POT_PER_LINE` POT.
    start_t : array (n,), optional
        The ``start_t`` column (ns); 0 when not given.

    Raises
    ------
    PhysicsError
        No line, shapes that do not agree, numbers that are not finite, negative weights or
        ``pz = 0`` (which sbncode's reader divides by).
    """
    from .atomic import atomic_path

    mom = np.asarray(momentum, dtype=np.float64)
    pos = np.asarray(position, dtype=np.float64)
    n = mom.shape[0] if mom.ndim == 2 else 0
    if n == 0 or mom.shape[1] not in (3, 4) or pos.shape != (n, 3):
        raise PhysicsError(f"{path}: TxtFileGenNM lines need n >= 1 momenta (n, 3) and points (n, 3); "
                           f"got {mom.shape} and {pos.shape}")
    w = np.broadcast_to(np.asarray(weight, dtype=np.float64), (n,))
    t = np.zeros(n) if start_t is None else np.broadcast_to(np.asarray(start_t, dtype=np.float64), (n,))
    cols = np.column_stack([mom[:, :3], pos / _CM, t, w])
    if not np.all(np.isfinite(cols)):
        raise PhysicsError(f"{path}: a momentum, point, time or weight is not finite")
    if np.any(w < 0):
        raise PhysicsError(f"{path}: weights must be >= 0")
    if np.any(mom[:, 2] == 0):
        raise PhysicsError(f"{path}: a pi0 with pz = 0 (sbncode's reader divides by pz)")
    with atomic_path(path, overwrite=overwrite) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            np.savetxt(fh, cols, fmt="%.9g", delimiter=" ", newline="\n")

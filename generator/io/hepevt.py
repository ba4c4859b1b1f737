"""HEPEVT text in the LArSoft ``TextFileGen`` dialect (edep-sim's ``marley`` flavour), with a
weights sidecar.

Format (docs/outputs.md#what-readers-expect): per event a line ``event_number n_particles``, then
one line per particle with 15 numbers

    status pdg mother1 mother2 daughter1 daughter2 px py pz E mass x y z t

in GeV, cm and ns, **detector coordinates** (the detector file's frame: LArSoft and edep-sim
want vertices there); x y z t is each particle's production point. Indices are 1-based within
the event, 0 for none. The record is the event graph of :mod:`fipgen.io.graph`: the beam
particle (status 4) and the struck nucleus (20), the LLP's grandparent and parent (2), the
other products of the decays that made them (status :data:`SIBLING_STATUS`, 11: made in the
beamline, not to be tracked), the LLP (2) and its decay products (1, made at the decay vertex
inside the active volume at the decay time): only the decay products have status 1, the
only status LArSoft's LArG4 and edep-sim track.

Readers: LArSoft's ``TextFileGen`` reads it as is. edep-sim (4.0.0 or later) reads it with
``/generator/kinematics/hepevt/flavor marley`` (its default flavour ``pythia`` expects 8
columns and stops at the first particle line); its vertex is the last status-1 line's x y z t
(all the decay products share it), and its default time generator replaces t by 1 ns unless
``/generator/time/set free`` (edep-sim ``src/kinem/EDepSimHEPEVTKinematicsGenerator.cc``;
docs/outputs.md#edep-sim gives the macro).

Weights cannot travel in this format: they go to the sidecar ``<file>.weights.csv`` (a
header with the POT, the number of events and the sum of weights, then one row per event:
``event,weight`` and the alternative weights), written atomically with the events.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["HepEvtWriter", "SIBLING_STATUS", "read_hepevt", "sidecar_path"]

CM_PER_M = 100.0
#: HEPEVT status of the siblings (products of the decays that made the LLP and its parent,
#: made in the beamline): in the model builders' range (11-200), so that the readers that
#: track status 1 only (LArSoft's LArG4, edep-sim) do not inject them at the detector.
SIBLING_STATUS = 11


def sidecar_path(path) -> Path:
    return Path(str(path) + ".weights.csv")


class HepEvtWriter:
    """Stream EventBatches into a HEPEVT text file plus its weights sidecar (atomic)."""

    def __init__(self, path, job, overwrite: bool = False, pot: float | None = None) -> None:
        self.path = Path(path)
        self.job = job
        self.pot = float(job.pot if pot is None else pot)
        self.overwrite = overwrite
        self._n = 0
        self._sw = 0.0
        self._finished = False

    def __enter__(self) -> HepEvtWriter:
        from .atomic import atomic_path, check_target

        check_target(sidecar_path(self.path), self.overwrite)
        self._ctx = atomic_path(self.path, self.overwrite)
        self._ctx_w = atomic_path(sidecar_path(self.path), self.overwrite)
        self._fh = self._fw = None
        try:
            self._alts = list(self.job.alt_weight_names)
            with self._ctx.errors():
                self._fh = open(self._ctx.open(), "w", encoding="utf-8")
            with self._ctx_w.errors():
                self._fw = open(self._ctx_w.open(), "w", encoding="utf-8")
                self._fw.write(f"# fipgen HEPEVT weights for {self.path.name}: POT = {self.pot:.10g}; weight = "
                               "expected events at that POT; totals at the end\n")
                self._fw.write(",".join(["event", "weight"] + [f"weight_{a}" for a in self._alts]) + "\n")
        except BaseException as err:
            self._leave(err)
            raise
        return self

    def write(self, batch, weights: dict[str, np.ndarray] | None = None) -> None:
        from .graph import SIBLING0, SIBLING1, batch_graphs

        sc = batch.scalars
        n = len(batch)
        if n == 0:
            return
        w = weights or {}
        cv = w.get("weight", sc["weight"])
        alts = [w.get(f"weight_{a}", sc[f"weight_{a}"]) for a in self._alts]
        g = batch_graphs(batch, self.job.beamline, self.job.detector, "detector")
        status = g.status.copy()
        status[(g.role == SIBLING0) | (g.role == SIBLING1)] = SIBLING_STATUS
        pos = g.vertex[:, :3] * CM_PER_M
        mo1, da1 = g.mothers + 1, g.daughters + 1  # HEPEVT's 1-based indices, 0 for none
        lines = []
        rows = []
        for i in range(n):
            sl = g.event(i)
            k = sl.stop - sl.start
            lines.append(f"{self._n} {k}")
            for r in range(sl.start, sl.stop):
                p4 = g.p4[r]
                m1, m2 = mo1[r]  # 1-based, 0: none
                d1, d2 = da1[r]
                lines.append(f"{status[r]} {g.pdg[r]} {m1} {m2} {d1} {d2} {p4[0]:.9g} {p4[1]:.9g} "
                             f"{p4[2]:.9g} {p4[3]:.9g} {g.mass[r]:.9g} {pos[r, 0]:.9g} {pos[r, 1]:.9g} {pos[r, 2]:.9g} "
                             f"{g.vertex[r, 3]:.9g}")
            rows.append(",".join([str(self._n), f"{cv[i]:.12g}"] + [f"{a[i]:.12g}" for a in alts]) + "\n")
            self._sw += float(cv[i])
            self._n += 1
        with self._ctx.errors():
            self._fh.write("\n".join(lines) + "\n")
        with self._ctx_w.errors():
            self._fw.write("".join(rows))

    def finish(self) -> None:
        with self._ctx_w.errors():
            self._fw.write(f"# events = {self._n}; sum of weights = {self._sw:.12g}; POT = {self.pot:.10g}\n")
        # close (flush) here, inside the caller's block: a full disk fails before any rename
        self._close_files()
        self._finished = True

    def _close_files(self) -> None:
        first = None
        for name, ctx in (("_fh", self._ctx), ("_fw", self._ctx_w)):
            fh = getattr(self, name)
            setattr(self, name, None)
            if fh is not None:
                try:
                    with ctx.errors():
                        fh.close()
                except BaseException as e:  # noqa: BLE001 - close the other, then raise
                    first = first or e
        if first is not None:
            raise first

    def _leave(self, err) -> None:
        """Close the files; commit both (err None) or discard both and raise (converted)."""
        from .atomic import close_all

        own = err is None
        try:
            self._close_files()
        except BaseException as e:  # noqa: BLE001 - e.g. ENOSPC flushing (already converted)
            if err is None:
                err = e
        if err is None and not self._finished:
            err = RuntimeError("HepEvtWriter left without finish(): nothing written")
        # an OSError that came through the block is not blamed on these files (as RootWriter)
        close_all((self._ctx, self._ctx_w), err, convert=own)

    def __exit__(self, exc_type, exc, tb) -> bool:
        self._leave(exc)
        return False


def read_hepevt(path) -> list[list[tuple]]:
    """Read a HEPEVT file of this dialect: a list of events, each a list of particle tuples
    ``(status, pdg, m1, m2, d1, d2, px, py, pz, E, m, x, y, z, t)``. For users and tests."""
    events = []
    with open(path, encoding="utf-8") as fh:
        lines = iter(fh)
        for head in lines:
            head = head.strip()
            if not head:
                continue
            _, npart = (int(x) for x in head.split())
            parts = []
            for _ in range(npart):
                f = next(lines).split()
                parts.append(tuple(int(x) for x in f[:6]) + tuple(float(x) for x in f[6:]))
            events.append(parts)
    return events

"""HEPEVT text in the LArSoft ``TextFileGen`` / edep-sim dialect, with a weights sidecar.

Format (docs/outputs.md#what-readers-expect): per event a line ``event_number n_particles``, then
one line per particle with 15 numbers

    status pdg mother1 mother2 daughter1 daughter2 px py pz E mass x y z t

in GeV, cm and ns, **detector coordinates** (the detector file's frame: LArSoft and edep-sim
want vertices there). Indices are 1-based within the event, 0 for none. The record holds the
LLP (status 2: not tracked by TextFileGen, which tracks status 1 only; its momentum in the
detector frame, its position the production point in the detector frame) and its decay
products (status 1, produced at the decay vertex inside the active volume, at the decay time).

Weights cannot travel in this format: they go to the sidecar ``<file>.weights.csv`` (a
header with the POT, the number of events and the sum of weights, then one row per event:
``event,weight`` and the alternative weights), written atomically with the events.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..constants import mass_or_none

__all__ = ["HepEvtWriter", "read_hepevt", "sidecar_path"]

CM_PER_M = 100.0


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
        self._mass = {}

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

    def _m(self, code: int, p4) -> float:
        if code not in self._mass:
            self._mass[code] = mass_or_none(abs(code))  # None (a BSM daughter): from its four-momentum
        m = self._mass[code]
        if m is None:
            m = float(np.sqrt(max(p4[3] ** 2 - p4[0] ** 2 - p4[1] ** 2 - p4[2] ** 2, 0.0)))
        return m

    def write(self, batch, weights: dict[str, np.ndarray] | None = None) -> None:
        sc = batch.scalars
        n = len(batch)
        if n == 0:
            return
        det = self.job.detector
        w = weights or {}
        cv = w.get("weight", sc["weight"])
        alts = [w.get(f"weight_{a}", sc[f"weight_{a}"]) for a in self._alts]
        prod = det.to_detector_frame(np.column_stack([sc["prod_x"], sc["prod_y"], sc["prod_z"]])) * CM_PER_M
        llp_d = det.vectors_to_detector_frame(np.column_stack([sc["llp_px"], sc["llp_py"], sc["llp_pz"]]))
        dec = np.column_stack([sc["decay_det_x"], sc["decay_det_y"], sc["decay_det_z"]]) * CM_PER_M
        off = batch.offsets("daughter")
        dau = batch.flat["daughter"]
        lines = []
        rows = []
        for i in range(n):
            s, e = off[i], off[i + 1]
            k = e - s
            lines.append(f"{self._n} {k + 1}")
            lines.append(f"2 {int(sc['llp_pdg'][i])} 0 0 2 {k + 1} {llp_d[i, 0]:.9g} {llp_d[i, 1]:.9g} {llp_d[i, 2]:.9g} "
                         f"{sc['llp_e'][i]:.9g} {sc['llp_mass'][i]:.9g} {prod[i, 0]:.9g} {prod[i, 1]:.9g} "
                         f"{prod[i, 2]:.9g} {sc['prod_t'][i]:.9g}")
            t = sc["decay_t"][i]
            for j in range(s, e):
                code = int(dau["pdg"][j])
                p4 = (dau["det_px"][j], dau["det_py"][j], dau["det_pz"][j], dau["e"][j])
                lines.append(f"1 {code} 1 1 0 0 {p4[0]:.9g} {p4[1]:.9g} {p4[2]:.9g} {p4[3]:.9g} {self._m(code, p4):.9g} "
                             f"{dec[i, 0]:.9g} {dec[i, 1]:.9g} {dec[i, 2]:.9g} {t:.9g}")
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

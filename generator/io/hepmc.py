"""HepMC3 (NuHepMC 1.0 conventions) and HepMC2 ``IO_GenEvent`` output via pyhepmc.

Event record (each fipgen event):

====  =========================  ======  =====================================================
idx   particle                   status  vertex
====  =========================  ======  =====================================================
1     beam proton                4       in: the LLP production vertex (primary, status 1)
2     target nucleus             20      in: the LLP production vertex
3     the LLP (Z', ALP, HNL)     2       out of the primary vertex, in: its decay vertex
4...  the LLP's decay products   1       out of the decay vertex (status 21, fipgen-defined)
====  =========================  ======  =====================================================

Units: GeV and mm, declared in every event (``U GEV MM``); positions are the beam-frame
(lab) positions of the production and decay points, times ``c t`` in mm (HepMC3's
convention) from the beam-bucket time of the proton (fipgen.pipeline). The beam proton
carries the beamline momentum along +z; the target nucleus is at rest with the PDG nuclear
code of the target material's main element (``10LZZZAAAI``, mass ``A x 0.9315`` GeV). The rest
of the hadronic final state is not simulated: the LLP's parent (meson, tau, boson or the
beam proton) is kept as event attributes ``fipgen.parent_pdg`` and ``fipgen.parent_p4``
(sbncode #621: the parent for flux systematics). Event weights: ``CV`` (fipgen's ``weight``,
expected events at the run's POT) and the alternative weights by name.

Run info (NuHepMC 1.0): ``NuHepMC.Version.{Major,Minor,Patch}`` 1.0.0, the generator tool
(fipgen, version, description), ``NuHepMC.Exposure.POT``, ``NuHepMC.Conventions``,
``NuHepMC.ProcessIDs`` with ``NuHepMC.ProcessInfo[<id>].Name`` (the production-channel
codes of the ``channel`` branch), ``NuHepMC.ParticleStatusIDs`` / ``VertexStatusIDs`` with
their names, ``fipgen.run_card`` and ``fipgen.run_metadata`` (JSON). Event attributes:
``ProcessID`` (the production channel code), ``LabPos`` (production vertex x, y, z, t in mm,
beam frame), ``fipgen.decay_channel``.

HepMC2 (``version=2``): the same events through pyhepmc's ``WriterAsciiHepMC2`` (e1039 reads
``IO_GenEvent``); HepMC2 has no run-info attributes, so the POT and card go into each
event's attributes as well (the HepMC2 writer stores what its format can). The HepMC3 library
prints an "IO_GenEvent format is outdated" warning on stdout when that writer opens; fipgen
silences it (it would break ``--json`` output and fill logs under ``--quiet``).
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..constants import nuclear_pdg
from ..errors import FipgenError

__all__ = ["HepMCWriter"]

MM_PER_M = 1000.0
MM_PER_NS = 299.792458  # c in mm/ns: HepMC stores c t in length units

#: Particle and vertex status codes written (NuHepMC 1.0 style).
PARTICLE_STATUS = {1: ("UndecayedPhysical", "final-state particles: the LLP's decay products"),
                   2: ("DecayedPhysical", "the LLP"),
                   4: ("BeamParticle", "the primary proton"),
                   20: ("TargetParticle", "the target nucleus at rest")}
VERTEX_STATUS = {1: ("PrimaryVertex", "LLP production point (beam-frame position, mm)"),
                 21: ("LLPDecay", "LLP decay point inside the detector (fipgen-defined)")}


def _target(beamline) -> tuple[int, float]:
    mat = beamline.target.material
    # the main element of the material (by mass fraction)
    sym, Z, A = max(zip([e[0] for e in mat.elements], [e[1] for e in mat.elements], [e[2] for e in mat.elements]),
                    key=lambda e: dict(mat.composition)[e[0]])
    a = int(round(A))
    return nuclear_pdg(Z, a), a * 0.9314941  # atomic mass unit in GeV


@contextmanager
def _stdout_silenced():
    """Send the process's file descriptor 1 (C++ std::cout included) to /dev/null meanwhile."""
    import ctypes

    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        ctypes.CDLL(None).fflush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


class HepMCWriter:
    """Stream EventBatches into a HepMC3 (or HepMC2) ASCII file, atomically (context manager)."""

    def __init__(self, path, job, overwrite: bool = False, version: int = 3, metadata: dict | None = None,
                 pot: float | None = None) -> None:
        if version not in (2, 3):
            raise FipgenError(f"HepMC version {version!r}: allowed 2 or 3")
        self.path = Path(path)
        self.job = job
        self.overwrite = overwrite
        self.version = version
        self.metadata = metadata or {}
        self.pot = float(job.pot if pot is None else pot)
        self._n = 0
        self._finished = False
        self._w = None

    def _run_info(self):
        import pyhepmc

        from .. import __version__

        job = self.job
        ri = pyhepmc.GenRunInfo()
        ri.tools = [pyhepmc.GenRunInfo.ToolInfo("fipgen", __version__,
                                                "feebly interacting particles at beam dumps")]
        ri.weight_names = ["CV"] + [f"{a}" for a in job.alt_weight_names]
        a = ri.attributes
        a["NuHepMC.Version.Major"] = 1
        a["NuHepMC.Version.Minor"] = 0
        a["NuHepMC.Version.Patch"] = 0
        a["NuHepMC.Exposure.POT"] = self.pot
        a["NuHepMC.Conventions"] = "G.C.1 G.C.2 E.C.1 E.C.4"
        from ..registry import channel_code

        codes = sorted({channel_code(c.name): c.name for c in job.channels}.items())
        a["NuHepMC.ProcessIDs"] = [int(k) for k, _ in codes]
        for k, name in codes:
            a[f"NuHepMC.ProcessInfo[{k}].Name"] = name
            a[f"NuHepMC.ProcessInfo[{k}].Description"] = f"fipgen production channel {name}"
        a["NuHepMC.ParticleStatusIDs"] = sorted(PARTICLE_STATUS)
        for k, (n, d) in PARTICLE_STATUS.items():
            a[f"NuHepMC.ParticleStatusInfo[{k}].Name"] = n
            a[f"NuHepMC.ParticleStatusInfo[{k}].Description"] = d
        a["NuHepMC.VertexStatusIDs"] = sorted(VERTEX_STATUS)
        for k, (n, d) in VERTEX_STATUS.items():
            a[f"NuHepMC.VertexStatusInfo[{k}].Name"] = n
            a[f"NuHepMC.VertexStatusInfo[{k}].Description"] = d
        a["fipgen.run_card"] = job.card.text
        a["fipgen.run_metadata"] = json.dumps(self.metadata, sort_keys=True)
        a["fipgen.frame"] = "beam frame: z along the primary protons, y up, origin at the target's upstream face"
        return ri

    def __enter__(self) -> HepMCWriter:
        import pyhepmc

        from .atomic import atomic_path

        self._ctx = atomic_path(self.path, self.overwrite)
        tmp = self._ctx.open()
        try:
            self._ri = self._run_info()
            if self.version == 3:
                self._w = pyhepmc.io.WriterAscii(str(tmp), self._ri)
            else:  # its constructor prints an "outdated format" warning on stdout (would break --json)
                with _stdout_silenced():
                    self._w = pyhepmc.io.WriterAsciiHepMC2(str(tmp), self._ri)
            self._check()
        except BaseException as err:
            self._ctx.close(err)  # discards, raises (an OSError on the output as OutputError)
            raise
        self._beam_p = float(self.job.beamline.beam_momentum)
        self._beam_e = float(np.hypot(self._beam_p, self.job.beamline.beam_mass))
        self._tpdg, self._tmass = _target(self.job.beamline)
        return self

    def write(self, batch, weights: dict[str, np.ndarray] | None = None) -> None:
        """Write the events of ``batch`` (``weights``: optional replacement of the weight
        columns, e.g. unit weights of an unweighted sample)."""
        import pyhepmc

        from ..constants import mass_or_none

        sc = batch.scalars
        n = len(batch)
        if n == 0:
            return
        w = weights or {}
        cv = np.asarray(w.get("weight", sc["weight"]), dtype=np.float64)
        alts = [np.asarray(w.get(f"weight_{a}", sc[f"weight_{a}"]), dtype=np.float64) for a in self.job.alt_weight_names]
        # all particles of the batch, event after event: beam, target, LLP, daughters
        cnt = batch.counts["daughter"]
        size = 3 + cnt
        start = np.concatenate([[0], np.cumsum(size)])
        tot = int(start[-1])
        px, py, pz, en, m = (np.zeros(tot) for _ in range(5))
        pid = np.zeros(tot, dtype=np.int32)
        st = np.zeros(tot, dtype=np.int32)
        par = np.full((tot, 2), -1, dtype=np.int32)
        vx, vy, vz, vt = (np.zeros(tot) for _ in range(4))
        b0, b1, b2 = start[:-1], start[:-1] + 1, start[:-1] + 2
        pz[b0], en[b0], m[b0], pid[b0], st[b0] = self._beam_p, self._beam_e, self.job.beamline.beam_mass, 2212, 4
        en[b1], m[b1], pid[b1], st[b1] = self._tmass, self._tmass, self._tpdg, 20
        px[b2], py[b2], pz[b2], en[b2] = sc["llp_px"], sc["llp_py"], sc["llp_pz"], sc["llp_e"]
        m[b2], pid[b2], st[b2] = sc["llp_mass"], sc["llp_pdg"], 2
        par[b2] = (0, 1)
        vx[b2], vy[b2], vz[b2] = sc["prod_x"] * MM_PER_M, sc["prod_y"] * MM_PER_M, sc["prod_z"] * MM_PER_M
        vt[b2] = sc["prod_t"] * MM_PER_NS
        # daughters: positions in the flat arrays
        ev_of = np.repeat(np.arange(n), cnt)
        within = np.arange(int(cnt.sum())) - np.repeat(np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
        di = start[:-1][ev_of] + 3 + within
        dau = batch.flat["daughter"]
        px[di], py[di], pz[di], en[di] = dau["px"], dau["py"], dau["pz"], dau["e"]
        pid[di], st[di] = dau["pdg"], 1
        par[di] = (2, 2)
        vx[di], vy[di], vz[di] = (sc[k][ev_of] * MM_PER_M for k in ("decay_x", "decay_y", "decay_z"))
        vt[di] = sc["decay_t"][ev_of] * MM_PER_NS
        codes = np.unique(dau["pdg"])
        table = {}
        for c in codes:
            m_pdg = mass_or_none(abs(int(c)))  # None: a BSM daughter (an HNL of a pair), from the four-momentum
            table[int(c)] = np.nan if m_pdg is None else m_pdg
        md = np.array([table[int(c)] for c in dau["pdg"]]) if dau["pdg"].size else np.zeros(0)
        bad = ~np.isfinite(md)
        md[bad] = np.sqrt(np.maximum(dau["e"][bad] ** 2 - dau["px"][bad] ** 2 - dau["py"][bad] ** 2
                                     - dau["pz"][bad] ** 2, 0.0))
        m[di] = md
        ch, dch, ppdg = sc["channel"], sc["decay_channel"], sc["parent_pdg"]
        pp4 = np.column_stack([sc["parent_px"], sc["parent_py"], sc["parent_pz"], sc["parent_e"]])
        for i in range(n):
            a, b = start[i], start[i + 1]
            ev = pyhepmc.GenEvent(pyhepmc.Units.GEV, pyhepmc.Units.MM)
            ev.run_info = self._ri
            ev.from_hepevt(self._n, px[a:b], py[a:b], pz[a:b], en[a:b], m[a:b], pid[a:b], st[a:b], parents=par[a:b],
                           vx=vx[a:b], vy=vy[a:b], vz=vz[a:b], vt=vt[a:b], fortran=False)
            vs = ev.vertices
            vs[0].status = 1
            if len(vs) > 1:
                vs[1].status = 21
            ev.weights = [float(cv[i])] + [float(x[i]) for x in alts]
            at = ev.attributes
            at["ProcessID"] = int(ch[i])
            at["LabPos"] = [vx[a + 2], vy[a + 2], vz[a + 2], vt[a + 2]]
            at["fipgen.decay_channel"] = int(dch[i])
            at["fipgen.parent_pdg"] = int(ppdg[i])
            at["fipgen.parent_p4"] = pp4[i].tolist()
            if self.version == 2:
                at["NuHepMC.Exposure.POT"] = self.pot
            self._w.write(ev)
            self._n += 1
        self._check()

    def _check(self) -> None:
        """HepMC3's C++ stream only says *that* a write failed: ask the file system why."""
        if self._w is not None and self._w.failed():
            from .atomic import probe_write_error

            with self._ctx.errors():
                raise probe_write_error(self._ctx.tmp)

    def _close_writer(self) -> None:
        w, self._w = self._w, None
        if w is not None:
            w.close()
            if w.failed():
                from .atomic import probe_write_error

                with self._ctx.errors():
                    raise probe_write_error(self._ctx.tmp)

    def finish(self) -> None:
        # close (flush) here, inside the caller's block: a full disk fails before any rename
        self._close_writer()
        self._finished = True

    def __exit__(self, exc_type, exc, tb) -> bool:
        err = exc
        try:
            self._close_writer()
        except BaseException as e:  # noqa: BLE001 - e.g. ENOSPC flushing: passed to close()
            if err is None:
                err = e
        if err is None and not self._finished:
            err = RuntimeError("HepMCWriter left without finish(): nothing written")
        self._ctx.close(err, convert=err is not exc)  # commit, or discard and raise (as RootWriter)
        return False

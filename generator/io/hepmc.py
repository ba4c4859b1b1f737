"""HepMC3 (NuHepMC 1.0) and HepMC2 ``IO_GenEvent`` output via pyhepmc.

Each fipgen event is the graph of :mod:`fipgen.io.graph`: beam particle + the nucleus struck
at the origin -> (grandparent ->) parent -> LLP + siblings -> the LLP's decay products.

Status codes (declared in the run info, NuHepMC G.R.9/G.R.10 and G.S.2):

=======  ==================================================================================
status   particles
=======  ==================================================================================
4        the beam particle
20       the nucleus struck where the first recorded ancestor was made (``origin_nucleus``)
2        the LLP (decayed inside the detector), its parent and grandparent
1        the LLP's decay products (made at the status-21 vertex: what a detector simulation
         tracks) and the other products of the decays that made the LLP and its parent
         (made in the beamline: a photon of pi0 -> gamma Z', the muon of K -> mu N, the
         other HNL of Z' -> N N, the proton after radiating)
=======  ==================================================================================

=======  ==================================================================================
vertex   meaning
=======  ==================================================================================
1        primary: the LLP's production (its parent's decay, the beam's radiation)
21       the LLP's decay (or scattering) in the detector
22       the origin: beam + nucleus -> first recorded ancestor, in the solid where it was
         made; for a meson of the hadronic cascade a summary (the cascade's other particles
         and which hadron made the meson are not recorded: four-momentum is not conserved)
23       the grandparent's (prompt) decay that made the parent
=======  ==================================================================================

Units: GeV and mm, ``c t`` in mm (HepMC3's convention); positions and momenta in the beam
frame (z along the beam, origin at the upstream face of the target) or, with the card's
``run.hepmc_frame = "detector"``, the detector file's frame.

NuHepMC 1.0 (docs/outputs.md#nuhepmc has the requirement table). Run info: version 1.0.0,
the tool, the ``CV`` weight and the alternative weights, process IDs (the ``channel`` codes)
with names and descriptions and each process's parent source (``fipgen.ProcessSource[<id>]``),
status IDs, ``NuHepMC.AdditionalParticleNumbers`` (the model's BSM codes, under both the
spec's ``AdditionalParticleNumber[<pdg>].Name`` and the reference reader's
``AdditionalParticleInfo[<pdg>].Name/Description``), the cross-section units (pb per atom),
``NuHepMC.Exposure.POT``, the mono-energetic beam (G.C.4, under the spec's ``Beam[<pdg>].Type``
and the reader's ``Beam.Type``), and the run card, metadata and seed as
``NuHepMC.Provenance.*``. Conventions signalled: G.C.1, G.C.4, G.C.5, E.C.4, E.C.5 and the
suggestions G.S.1, G.S.2, E.S.1. Event attributes: ``signal_process_id``, ``lab_pos``
(the primary vertex, mm, and its time in seconds), the running cross-section estimate
(``GenCrossSection``, one value per weight), ``fipgen.decay_channel``, ``fipgen.parent_pdg``,
``fipgen.parent_p4``, ``fipgen.origin_known`` and ``fipgen.origin_solid``.

The flux-averaged total cross section (G.R.5) of a beam dump: fipgen's events are detected
LLP decays, not beam-target interactions, so the cross section reported is
``sigma_eff = (expected events per POT) x sigma_ref``, ``sigma_ref = 1 / (n_atoms lambda_I)``
the beam's inelastic cross section per atom of the target material (``fipgen.xsec_reference_pb``
in the run info): a reader's ``sigma_eff x sum_sel(w) / sum(w)`` divided by ``sigma_ref``
and multiplied by the POT is the expected number of selected events. Running estimate
(E.C.4): after each chunk, from the chunks generated so far (the last event carries the
run's value).

HepMC2 (``version=2``, e1039 reads ``IO_GenEvent``): the same graph and weights through
pyhepmc's ``WriterAsciiHepMC2``: the process ID and signal vertex in the ``E`` line, the
cross section in the ``C`` line. The format has no run-level record: the POT, the card and
the status and process tables are not in the file (the weights are expected events at the
card's POT; the ROOT or HepMC3 output keeps them). The HepMC3 library prints an "IO_GenEvent
format is outdated" warning on stdout when that writer opens; fipgen silences it (it would
break ``--json`` output and fill logs under ``--quiet``).
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import FipgenError

__all__ = ["HepMCWriter", "CONVENTIONS", "PARTICLE_STATUS", "VERTEX_STATUS", "sigma_reference_pb"]

MM_PER_M = 1000.0
MM_PER_NS = 299.792458  # c in mm/ns: HepMC stores c t in length units
PB_PER_M2 = 1.0e40

#: NuHepMC conventions and suggestions followed (NuHepMC.Conventions, G.R.4).
CONVENTIONS = ("G.C.1", "G.C.4", "G.C.5", "E.C.4", "E.C.5", "G.S.1", "G.S.2", "E.S.1")

#: Particle and vertex status codes written: code -> (name, description).
PARTICLE_STATUS = {
    1: ("UndecayedPhysical", "final state: the LLP's decay products (outgoing at the status-21 vertex, what a "
                             "detector simulation tracks) and the other products of the decays that made the LLP "
                             "and its parent (outgoing at status-1 and -23 vertices, made in the beamline)"),
    2: ("DecayedPhysical", "the LLP, its parent and grandparent"),
    4: ("IncomingBeam", "the beam particle"),
    20: ("Target", "the nucleus struck where the first recorded ancestor was made"),
}
VERTEX_STATUS = {
    1: ("PrimaryVertex", "the LLP's production: its parent's decay, or the beam's radiation"),
    21: ("LLPDecay", "the LLP's decay (or scattering) inside the detector"),
    22: ("Origin", "beam + nucleus -> the first recorded ancestor in the solid where it was made; for a meson of "
                   "the hadronic cascade a summary of the cascade (not four-momentum conserving)"),
    23: ("AncestorDecay", "the grandparent's prompt decay making the LLP's parent"),
}


def sigma_reference_pb(beamline) -> float:
    """The beam's inelastic cross section per atom of the target material, pb:
    ``1 / (n_atoms lambda_I)`` (the material's nuclear interaction length)."""
    mat = beamline.target.material
    return PB_PER_M2 / (mat.nuclei_density * mat.interaction_length_m)


def _bsm_particles(job) -> dict[int, tuple[str, str]]:
    """The BSM particle codes of the run (NuHepMC G.R.11): code -> (unique name, description)."""
    out = {}
    models = [job.model]
    for ch in job.channels:
        for attr in ("x_model", "hnl"):
            m = getattr(ch, attr, None)
            if m is not None and hasattr(m, "pdg"):
                models.append(m)
    for m in models:
        code = int(m.pdg)
        kind = getattr(m, "kind", None)
        what = f"{m.particle}" + (f" ({kind})" if kind else "")
        out.setdefault(code, (f"fipgen_{m.particle}",
                              f"fipgen {what}, mass {float(m.mass):.6g} GeV (antiparticle: the negative code)"))
    return out


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
                 pot: float | None = None, frame: str | None = None) -> None:
        if version not in (2, 3):
            raise FipgenError(f"HepMC version {version!r}: allowed 2 or 3")
        self.path = Path(path)
        self.job = job
        self.overwrite = overwrite
        self.version = version
        self.metadata = metadata or {}
        self.pot = float(job.pot if pot is None else pot)
        self.frame = frame or getattr(job.card, "hepmc_frame", "beam")
        if self.frame not in ("beam", "detector"):
            raise FipgenError(f"HepMC frame {self.frame!r}: allowed 'beam' or 'detector'")
        self._n = 0
        self._finished = False
        self._w = None
        # running sums for the cross-section estimate (E.C.4): the generated chunks' sums
        self._sums = {"sum_weights": 0.0, "sum_weights2": 0.0, "n_trials": 0}
        self._sigma_ref = sigma_reference_pb(job.beamline)

    def _run_info(self):
        import pyhepmc

        from .. import __version__
        from ..registry import channel_code

        job = self.job
        ri = pyhepmc.GenRunInfo()
        ri.tools = [pyhepmc.GenRunInfo.ToolInfo("fipgen", __version__,
                                                "feebly interacting particles at beam dumps")]
        ri.weight_names = ["CV"] + [f"{a}" for a in job.alt_weight_names]
        a = ri.attributes
        a["NuHepMC.Version.Major"] = 1
        a["NuHepMC.Version.Minor"] = 0
        a["NuHepMC.Version.Patch"] = 0
        a["NuHepMC.Conventions"] = list(CONVENTIONS)
        a["NuHepMC.Exposure.POT"] = self.pot
        a["NuHepMC.Units.CrossSection.Unit"] = "pb"
        a["NuHepMC.Units.CrossSection.TargetScale"] = "PerAtom"
        a["fipgen.xsec_reference_pb"] = self._sigma_ref
        a["fipgen.xsec_definition"] = (
            "GenCrossSection = (expected events per POT) x fipgen.xsec_reference_pb, the beam's inelastic cross "
            "section per atom of the target material: sigma x sum_sel(w) / sum(w) / fipgen.xsec_reference_pb x POT "
            "is the expected number of selected events; running estimate over the chunks generated so far (E.C.4)")
        chans = {channel_code(c.name): c for c in job.channels}
        codes = sorted(chans)
        a["NuHepMC.ProcessIDs"] = [int(k) for k in codes]
        for k in codes:
            ch = chans[k]
            a[f"NuHepMC.ProcessInfo[{k}].Name"] = ch.name
            a[f"NuHepMC.ProcessInfo[{k}].Description"] = f"fipgen production channel {ch.name}"
            src = getattr(ch, "source", None)
            prov = str(getattr(src, "provenance", "") or "")
            if prov:
                a[f"fipgen.ProcessSource[{k}]"] = prov
        for key, table in (("ParticleStatus", PARTICLE_STATUS), ("VertexStatus", VERTEX_STATUS)):
            a[f"NuHepMC.{key}IDs"] = sorted(table)
            for k, (n, d) in table.items():
                a[f"NuHepMC.{key}Info[{k}].Name"] = n
                a[f"NuHepMC.{key}Info[{k}].Description"] = d
        bsm = _bsm_particles(job)
        a["NuHepMC.AdditionalParticleNumbers"] = sorted(bsm)
        for k, (n, d) in bsm.items():
            a[f"NuHepMC.AdditionalParticleNumber[{k}].Name"] = n  # the spec's spelling (G.R.11)
            a[f"NuHepMC.AdditionalParticleInfo[{k}].Name"] = n  # the reference reader's (NuHepMC/cpputils)
            a[f"NuHepMC.AdditionalParticleInfo[{k}].Description"] = d  # G.C.5
        bl = job.beamline
        beam = int(bl.beam_particle)
        a["NuHepMC.Beam.Type"] = "MonoEnergetic"  # the reference reader's name
        a[f"NuHepMC.Beam[{beam}].Type"] = "MonoEnergetic"  # the spec's (G.C.4)
        a["NuHepMC.Beam.EnergyUnit"] = "GEV"
        a[f"NuHepMC.Beam[{beam}].MonoEnergetic.Energy"] = float(bl.beam_energy)
        a["NuHepMC.Provenance.RunCard"] = job.card.text
        a["NuHepMC.Provenance.Metadata"] = json.dumps(self.metadata, sort_keys=True)
        a["NuHepMC.Provenance.Seed"] = int(job.card.seed)
        a["fipgen.frame"] = (
            "beam frame: z along the beam, y up, origin at the target's upstream face" if self.frame == "beam" else
            f"detector frame of {job.detector.name}: the detector file's coordinates")
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
        return self

    def _cross_section(self) -> tuple[list[float], float, int]:
        """(estimates per weight, error of CV, trials so far): sigma_eff from the sums so far."""
        s = self._sums
        job = self.job
        trials = int(s["n_trials"])
        if trials <= 0:
            return [0.0] * (1 + len(job.alt_weight_names)), 0.0, 0
        f = self._sigma_ref * float(job.n_trials) / (trials * float(job.pot))
        vals = [s["sum_weights"] * f] + [s.get(f"sum_weights_{a}", 0.0) * f for a in job.alt_weight_names]
        return vals, float(np.sqrt(s["sum_weights2"])) * f, trials

    def write(self, batch, weights: dict[str, np.ndarray] | None = None, sums: dict | None = None) -> None:
        """Write the events of ``batch`` (``weights``: optional replacement of the weight
        columns, e.g. unit weights of an unweighted sample; ``sums``: the generated chunk's
        sums, ``sum_weights``, ``sum_weights2``, ``sum_weights_<alt>`` and ``n_trials``, for the
        running cross section; without them the written events' own weights count and the
        trials are the job's)."""
        import pyhepmc

        from .graph import BEAM, GRANDPARENT, LLP, PARENT, TARGET, batch_graphs

        sc = batch.scalars
        n = len(batch)
        if sums is not None:
            for k, v in sums.items():
                if k == "n_trials" or k.startswith("sum_weights"):
                    self._sums[k] = self._sums.get(k, 0) + v
        elif n:
            self._sums["sum_weights"] += float(sc["weight"].sum())
            self._sums["sum_weights2"] += float((sc["weight"] ** 2).sum())
            for a in self.job.alt_weight_names:
                self._sums[f"sum_weights_{a}"] = self._sums.get(f"sum_weights_{a}", 0.0) + float(sc[f"weight_{a}"].sum())
            self._sums["n_trials"] = self.job.n_trials
        if n == 0:
            return
        job = self.job
        w = weights or {}
        cv = np.asarray(w.get("weight", sc["weight"]), dtype=np.float64)
        alts = [np.asarray(w.get(f"weight_{a}", sc[f"weight_{a}"]), dtype=np.float64) for a in job.alt_weight_names]
        g = batch_graphs(batch, job.beamline, job.detector, self.frame)
        pos = g.vertex[:, :3] * MM_PER_M
        ct = g.vertex[:, 3] * MM_PER_NS
        xs, xs_err, trials = self._cross_section()
        names = [el.name for el in job.beamline.elements()]
        owner = sc["origin_solid"]
        ch, dch, ppdg, known = sc["channel"], sc["decay_channel"], sc["parent_pdg"], sc["origin_known"]
        pp4 = np.column_stack([sc["parent_px"], sc["parent_py"], sc["parent_pz"], sc["parent_e"]])
        for i in range(n):
            sl = g.event(i)
            p4 = g.p4[sl]
            ev = pyhepmc.GenEvent(pyhepmc.Units.GEV, pyhepmc.Units.MM)
            ev.run_info = self._ri
            ev.from_hepevt(self._n, p4[:, 0], p4[:, 1], p4[:, 2], p4[:, 3], g.mass[sl], g.pdg[sl], g.status[sl],
                           parents=g.mothers[sl], vx=pos[sl, 0], vy=pos[sl, 1], vz=pos[sl, 2], vt=ct[sl],
                           fortran=False)
            role = g.role[sl]
            primary = None
            for v in ev.vertices:
                first = role[v.particles_in[0].id - 1]
                out = {role[p.id - 1] for p in v.particles_out}
                if first in (BEAM, TARGET):
                    v.status = 1 if LLP in out else 22
                elif first == GRANDPARENT:
                    v.status = 23
                elif first == PARENT:
                    v.status = 1
                else:
                    v.status = 21
                if v.status == 1:
                    primary = v
            ev.weights = [float(cv[i])] + [float(x[i]) for x in alts]
            cs = pyhepmc.GenCrossSection()
            ev.cross_section = cs
            cs.set_cross_section(xs[0], xs_err, self._n + 1, trials)
            for k in range(1, len(xs)):
                cs.set_xsec(k, xs[k])
                cs.set_xsec_err(k, xs_err * (xs[k] / xs[0] if xs[0] > 0 else 0.0))
            at = ev.attributes
            at["signal_process_id"] = int(ch[i])
            pv = primary.position
            # E.R.5 / E.C.5: mm, and the time in seconds (written with full precision: HepMC3's
            # vector attribute keeps six decimals, which would round nanoseconds to zero)
            at["lab_pos"] = f"{pv.x!r} {pv.y!r} {pv.z!r} {pv.t / MM_PER_NS * 1e-9!r}"
            if self.version == 2:
                at["signal_process_vertex"] = int(primary.id)
            at["fipgen.decay_channel"] = int(dch[i])
            at["fipgen.parent_pdg"] = int(ppdg[i])
            at["fipgen.parent_p4"] = pp4[i].tolist()
            at["fipgen.origin_known"] = int(known[i])
            at["fipgen.origin_solid"] = names[owner[i]] if owner[i] >= 0 else "none"
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

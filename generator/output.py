"""The run and output layer of ``fipgen generate``: one table of formats, the writers, the run
metadata, the summary, and the writer thread.

:func:`run` generates the job's chunks (:mod:`fipgen.generation`) one ahead in a worker thread
and streams them to the writers of the requested formats (:data:`FORMATS`), atomically; with
``unweighted`` it plans a unit-weight sample first (:mod:`fipgen.unweighting`). Every summed
quantity is checked finite before any file is committed.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import __version__
from .errors import CardError, NumericError
from .generation import iter_chunks
from .job import Job, decay_codes
from .registry import channel_code  # codes of the `channel` branch
from .rng import BLOCK_SIZE
from .unweighting import MAX_WEIGHT_ABOVE, _plan_unweighting

__all__ = ["UNITS", "metadata", "Summary", "FORMATS", "output_paths", "run", "summary_text", "summary_json"]

UNITS = {"energy": "GeV", "momentum": "GeV", "mass": "GeV", "length": "m", "time": "ns"}


def metadata(job: Job) -> dict:
    """Run metadata written next to the events (JSON in the ROOT file)."""
    from .production.sources.vertex import interacting_fraction

    det, bl = job.detector, job.beamline
    return {
        "generator": "fipgen",
        "version": __version__,
        "units": UNITS,
        "frames": {
            "beam": "z along the primary proton beam, y up, origin at the upstream face of the target or dump",
            "detector": f"{det.name} frame: x_beam = R x_det + origin, origin {list(det.frame.translation)} m, "
            f"R (row-major) {list(det.frame.rotation)}",
        },
        "detector": {"name": det.name, "title": det.title, "file": str(det.path), "sources": list(det.sources)},
        "beamline": {"name": bl.name, "title": bl.title, "file": str(bl.path), "sources": list(bl.sources),
                     "beam_momentum_GeV": bl.beam_momentum, "interacting_fraction": interacting_fraction(bl)},
        "model": {"particle": job.model.particle, "card": {p: m.as_dict() for p, m in job.card.models.items()},
                  "mass_GeV": job.model.mass, "pdg": job.model.pdg, "ctau_m": job.ctau,
                  "total_width_GeV": job.model.total_width(), "branching_ratios": job.model.branching_ratios()},
        "channels": {c.name: {"code": channel_code(c.name), "parent_pdg": c.parent_pdg,
                              "rate_per_pot": c.rate_per_pot, "branching": c.branching,
                              "parent_per_pot": float(c.source.per_pot),
                              "source": str(getattr(c.source, "provenance", ""))} for c in job.channels},
        "external_parents": None if job.card.parents is None else
        {"path": job.card.parents[0], "format": job.card.parents[1], "z_offset_m": job.card.parents[2]},
        "closed_channels": job.closed_channels,
        "decay_channels": ({n: i + 1 for i, n in enumerate(job.decay_names)} if job.scatter is not None else
                           {n: decay_codes(job.model)[n] for n in job.decay_names}),
        "detection": ({"mode": "scatter", "processes": list(job.scatter.processes),
                       "g_gamma_eff": job.scatter.g_gamma, "g_electron": job.scatter.g_electron}
                      if job.scatter is not None else {"mode": "decay"}),
        "decay_resonances": list(job.decay_resonances),
        "final_states": job.card.final_states if isinstance(job.card.final_states, str) else list(job.card.final_states),
        "weight_columns": ["weight"] + [f"weight_{a}" for a in job.alt_weight_names],
        "alternative_weights": {f"weight_{a}": _ALT_DOC.get(a, a) for a in job.alt_weight_names},
        "bremsstrahlung": next((c.settings.as_dict() for c in job.channels if hasattr(c, "settings"))
                               or (c.x_channel.settings.as_dict() for c in job.channels
                                   if hasattr(getattr(c, "x_channel", None), "settings")), None),
        "pot": job.pot,
        "n_trials": job.n_trials,
        "seed": job.card.seed,
        "block_size": BLOCK_SIZE,
        "sampling": "LLP direction forced to a uniform point of the active volume (exact weight f/q); "
                    "decay forced inside the chord (truncated exponential)",
    }


#: What each alternative weight column means (written to the run metadata).
_ALT_DOC = {
    "bb": "bremsstrahlung: Blumlein-Brunner splitting function (arXiv:1311.3870) instead of the central treatment",
    "qr_lambda1": "bremsstrahlung: quasi-real approximation (arXiv:2108.05900), Lambda_p = 1 GeV",
    "qr_lambda1p5": "bremsstrahlung: quasi-real approximation (arXiv:2108.05900), Lambda_p = 1.5 GeV",
    "qr_lambda2": "bremsstrahlung: quasi-real approximation (arXiv:2108.05900), Lambda_p = 2 GeV",
}


@dataclass
class Summary:
    n_trials: int
    n_events: int
    sum_weights: float
    sum_weights2: float
    pot: float
    output: str | None
    seconds: float
    notes: list[str]
    alt_sums: dict = field(default_factory=dict)
    unweighting: dict | None = None
    card: str = ""

    @property
    def ess(self) -> float:
        """Kish effective sample size (sum w)^2 / sum w^2."""
        return self.sum_weights * (self.sum_weights / self.sum_weights2) if self.sum_weights2 > 0 else 0.0

    @property
    def mc_error(self) -> float:
        return math.sqrt(self.sum_weights2)

    def to_dict(self) -> dict:
        return {"card": self.card, "n_trials": self.n_trials, "n_events": self.n_events, "expected_signal": self.sum_weights,
                "mc_error": self.mc_error, "kish_ess": self.ess, "pot": self.pot, "output": self.output,
                "seconds": self.seconds, "notes": self.notes,
                "expected_signal_alternatives": {f"weight_{k}": v for k, v in self.alt_sums.items()},
                **({"unweighting": self.unweighting} if self.unweighting else {})}


def _produce(job: Job, queue, stop) -> None:
    """Generate the job's chunks into ``queue`` (worker thread); None marks the end, an
    exception is passed on to be raised in the writing thread."""
    try:
        for item in iter_chunks(job):
            if stop.is_set():
                return
            queue.put(item)
        queue.put(None)
    except BaseException as err:  # noqa: BLE001 - re-raised in the consumer
        queue.put(err)


def _chunks_in_background(job: Job):
    """Iterate over the job's chunks, generated one chunk ahead in a worker thread.

    The numba kernels release the GIL, so the next chunk is generated while the caller
    writes the current one (2 cores: generation and compression overlap).
    """
    import queue as _queue
    import threading

    q: _queue.Queue = _queue.Queue(maxsize=2)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(job, q, stop), daemon=True, name="fipgen-generate")
    worker.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get(timeout=0.05)
            except _queue.Empty:
                pass
        worker.join()


#: Output formats of ``fipgen generate --format`` and their file extensions.
FORMATS = {"root": ".root", "hepmc3": ".hepmc3", "hepmc2": ".hepmc2", "hepevt": ".hepevt", "mevprtl": ".mevprtl.txt",
           "mevprtl-nm": ".mevprtl-nm.txt"}


def output_paths(output: str, formats) -> dict[str, str]:
    """Files of each format: ``output`` itself for one format; with several, ``output`` is a
    stem (a known extension is dropped) and each format adds its extension."""
    formats = list(dict.fromkeys(formats))
    for f in formats:
        if f not in FORMATS:
            raise CardError(f"output format {f!r}: allowed: {', '.join(FORMATS)}")
    if len(formats) == 1:
        return {formats[0]: output}
    stem = output
    for ext in sorted(FORMATS.values(), key=len, reverse=True):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
            break
    return {f: stem + FORMATS[f] for f in formats}



#: What each summed quantity of a run is, in the message of a non-finite sum.
_SUM_NAMES = {"sum_weights": "sum of weights (expected signal)", "sum_weights2": "sum of squared weights (MC error)"}


def _check_finite(job: Job, sums: dict) -> None:
    """NumericError (one line) if a summed quantity of the run is not a finite number: the
    weights (POT x rate x probabilities / trials) overflow double precision. Raised inside the
    writers' block, so their temporary files are removed and nothing is written."""
    for key, v in sums.items():
        if not math.isfinite(v):
            what = _SUM_NAMES.get(key, f"sum of {key.replace('sum_weights_', 'weight_')}")
            raise NumericError(f"{job.card.source}: the {what} is {v!r}, not a finite number (POT {job.pot:.4g} x "
                               f"production rate {job.rate_per_pot:.4g} per POT overflows); lower experiment.pot or "
                               "the model's couplings; nothing written")


def _open_writers(job: Job, paths: dict[str, str], overwrite: bool, pot: float, stack):
    from .io.hepevt import HepEvtWriter
    from .io.hepmc import HepMCWriter
    from .io.root import RootWriter

    writers = {}
    for fmt, path in paths.items():
        if fmt == "root":
            writers[fmt] = stack.enter_context(RootWriter(path, overwrite=overwrite, compression=job.card.compression,
                                                          extra_scalars=tuple(f"weight_{a}" for a in job.alt_weight_names)))
        elif fmt in ("hepmc3", "hepmc2"):
            writers[fmt] = stack.enter_context(HepMCWriter(path, job, overwrite=overwrite, version=int(fmt[-1]),
                                                           metadata=metadata(job), pot=pot))
        elif fmt == "hepevt":
            writers[fmt] = stack.enter_context(HepEvtWriter(path, job, overwrite=overwrite, pot=pot))
    return writers


def run(job: Job, output: str | None, overwrite: bool = False, progress: bool = False, formats=("root",),
        unweighted: int | None = None) -> Summary:
    """Generate the job's events and write them (module docstring; atomic).

    ``formats``: any of :data:`FORMATS` (``output`` is the file, or the stem with several
    formats: :func:`output_paths`). ``unweighted``: write that many unit-weight events
    (:class:`Unweighting`; two passes over the same random streams). Chunks are generated in a
    worker thread one ahead of the writers.
    """
    from contextlib import ExitStack

    from .io.atomic import check_target

    t0 = time.perf_counter()
    paths = output_paths(output, formats) if output is not None else {}
    if not paths:  # no event written: no event record to fill (fipgen.generation._record)
        from dataclasses import replace

        job = replace(job, record=False)
    for pth in paths.values():
        check_target(pth, overwrite)
    if "hepevt" in paths:
        from .io.hepevt import sidecar_path

        check_target(sidecar_path(paths["hepevt"]), overwrite)
    if "mevprtl" in paths:
        from .production.sources.parent_list_sources import parent_species

        if not parent_species(job):
            raise CardError(f"{job.card.source}: output format 'mevprtl': no meson parent feeds the channels "
                            f"{[c.name for c in job.channels]} (bremsstrahlung has none); allowed: cards with meson "
                            "channels")
    if "mevprtl-nm" in paths:
        from .production.sources.parent_list_sources import nm_parent_source

        nm_parent_source(job)  # pi0 only: refused before anything is generated or written
    bar = None
    if progress:
        from .progress import progress_bar

        bar = progress_bar(job.n_trials * (2 if unweighted else 1), "trial", "fipgen", unit_scale=True)
    sw = sw2 = 0.0
    alt = {a: 0.0 for a in job.alt_weight_names}
    n_events = 0
    uw = None
    try:
        if unweighted:
            # first pass, weights only, before any writer opens: a refusal leaves no file
            ws = []
            first_sums = {"sum_weights": 0.0, "sum_weights2": 0.0}
            for batch, sums in iter_chunks(job):
                ws.append(batch.scalars["weight"])
                for k in first_sums:
                    first_sums[k] += sums[k]
                _check_finite(job, first_sums)
                if bar:
                    bar.update(sums["n_trials"])
            uw = _plan_unweighting(np.concatenate(ws) if ws else np.zeros(0), unweighted, job.pot, job.card.seed)
            del ws
            if uw.requested > uw.supported:
                raise CardError(f"--unweighted {uw.requested}: this sample ({job.n_trials} trials) supports at most "
                                f"N = {uw.supported} unit-weight events ({100 * MAX_WEIGHT_ABOVE:g} % of the weight "
                                "above w_ref); use --events to generate more trials or a smaller --unweighted")
            if not (math.isfinite(uw.pot_equivalent) and uw.pot_equivalent > 0):
                raise NumericError(f"--unweighted {uw.requested}: the equivalent POT of the unit-weight sample is "
                                   f"{uw.pot_equivalent!r} (accepted {uw.accepted} events); use --events to generate "
                                   "more trials")
        pot_out = uw.pot_equivalent if uw is not None else job.pot
        with ExitStack() as stack:
            writers = _open_writers(job, paths, overwrite, pot_out, stack)
            source = _chunks_in_background(job) if writers else iter_chunks(job)
            # closed first on leaving (an exception, Ctrl-C, SIGTERM): the generation thread stops
            # before the writers remove their temporary files
            stack.callback(source.close)
            first = 0
            for batch, sums in source:
                sw += sums["sum_weights"]
                sw2 += sums["sum_weights2"]
                for a in alt:
                    alt[a] += sums[f"sum_weights_{a}"]
                if bar:
                    bar.update(sums["n_trials"])
                nb = len(batch)
                override = None
                if uw is not None:
                    sel = uw.keep[(uw.keep >= first) & (uw.keep < first + nb)] - first
                    first += nb
                    mask = np.zeros(nb, dtype=bool)
                    mask[sel] = True
                    w = batch.scalars["weight"]
                    batch = batch.select(mask)
                    w = w[mask]
                    override = {"weight": np.ones(len(batch))}
                    for a in job.alt_weight_names:
                        override[f"weight_{a}"] = batch.scalars[f"weight_{a}"] / np.where(w > 0, w, 1.0)
                    batch.scalars.update(override)
                n_events += len(batch)
                _check_finite(job, {"sum_weights": sw, "sum_weights2": sw2,
                                    **{f"sum_weights_{a}": v for a, v in alt.items()}})
                for fmt, wr in writers.items():
                    if fmt in ("hepmc3", "hepmc2"):
                        wr.write(batch, sums=sums)  # the chunk's sums: the running cross section (E.C.4)
                    else:
                        wr.write(batch)
            # nothing is committed (the writers' temporary files renamed) unless every sum is finite
            _check_finite(job, {"sum_weights": sw, "sum_weights2": sw2, **{f"sum_weights_{a}": v for a, v in alt.items()}})
            meta = metadata(job)
            if uw is not None:
                meta["unweighted"] = uw.as_dict()
                meta["pot_generated"] = job.pot
            if "root" in writers:
                run_record = {
                    "pot": np.float64(pot_out), "n_trials": np.int64(job.n_trials), "n_events": np.int64(n_events),
                    "sum_weights": np.float64(sw if uw is None else n_events),
                    "sum_weights2": np.float64(sw2 if uw is None else n_events), "seed": np.int64(job.card.seed),
                    **{f"sum_weights_{a}": np.float64(v) for a, v in alt.items()},
                }
                if uw is not None:
                    run_record["pot_generated"] = np.float64(job.pot)
                    run_record["w_ref"] = np.float64(uw.w_ref)
                writers["root"].finish(run_record, job.card.text, meta)
            for fmt in ("hepmc3", "hepmc2", "hepevt"):
                if fmt in writers:
                    writers[fmt].finish()
            if "mevprtl" in paths:
                from .production.sources.parent_list_sources import write_parent_list

                write_parent_list(paths["mevprtl"], job, n=max(job.n_trials, 1000), seed=job.card.seed,
                                  overwrite=overwrite)
            if "mevprtl-nm" in paths:
                from .production.sources.parent_list_sources import write_nm_parent_list

                write_nm_parent_list(paths["mevprtl-nm"], job, n=max(job.n_trials, 1000), seed=job.card.seed,
                                     overwrite=overwrite)
    finally:
        if bar:
            bar.close()
    out = ", ".join(paths.values()) if paths else None
    s = Summary(job.n_trials, n_events, sw, sw2, job.pot, out, time.perf_counter() - t0, list(job.notes), alt)
    s.unweighting = uw.as_dict() if uw is not None else None
    s.card = job.card.source
    return s


def summary_text(s: Summary) -> str:
    lines = [
        f"trials generated   : {s.n_trials}",
        f"events written     : {s.n_events}" + (f" -> {s.output}" if s.output else " (no output file)"),
        f"POT                : {s.pot:.4g}",
        f"expected signal    : {s.sum_weights:.6g} +- {s.mc_error:.3g} (MC) events",
        f"Kish effective N   : {s.ess:.4g}",
        *[f"  with weight_{k:<12}: {v:.6g} events" for k, v in s.alt_sums.items()],
        f"time               : {s.seconds:.2f} s",
    ]
    if s.unweighting:
        u = s.unweighting
        lines.append(f"unweighted events  : {u['kept']} of {u['requested']} requested (at most "
                     f"{u.get('max_supported', '?')} supported), equivalent POT "
                     f"{u['pot_equivalent']:.4g}; {100 * u['fraction_events_above_w_ref']:.3g} % of events "
                     f"({100 * u['fraction_weight_above_w_ref']:.3g} % of the weight) above w_ref = {u['w_ref']:.4g}")
    lines += [f"note: {n}" for n in s.notes]
    return "\n".join(lines)


def summary_json(s: Summary) -> str:
    return json.dumps(s.to_dict())

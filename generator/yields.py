"""Expected yields of a run card without writing events (``fipgen yields``).

:func:`compute_yields` reports, for a card's beamline and detector:

* ``mesons_per_pot``: parent mesons per proton on target by species (PDG code), as the
  beamline's sources give them (first interactions for the packaged tables,
  ``fluxes/README.md``; every generation for a beamline's own hadron cascade), or as the
  card's external parent list gives them; ``mesons_counted`` says which;
* ``channels``: for every open production channel of the card, the LLPs produced per POT
  (``llp_per_pot`` = parents per POT x branching ratio into the LLP; for charged parents,
  decays per POT after transport x BR) and the expected number of events in the detector
  for the card's POT (``expected_events``: produced x aimed at the detector x decaying
  inside x branching into the selected final states), with its Monte Carlo error;
* ``total_expected_events``: their sum. Like ``fipgen scan``, the expected events are counted
  after the card's ``[signal.cuts]`` (kinematic cuts on the daughters, then the efficiency
  factor); ``expected_events_before_cuts`` and ``total_expected_events_before_cuts`` estimate
  the sum of weights of ``fipgen generate`` for the card, which writes every event.

The expected events come from the generation itself (:func:`fipgen.generation.iter_chunks`,
no writer), stratified by channel: each open channel is generated on its own with an
equal share ``ceil(N / n_channels)`` of the card's N trials (``run.events`` or
``--events``), so a channel with a rate 1e-6 of the others still gets its own estimate
(``fipgen generate`` picks channels in proportion to their rates and would give it ~0
trials). Channel k uses the random-stream family ``(101, k)`` of the card's seed
(:func:`fipgen.rng.block_rng`), so the channels' errors are independent. Each channel carries its Monte Carlo error; ``--events`` trades time for precision.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from . import constants as C
from .generation import iter_chunks
from .job import Job
from .rng import YIELDS_STREAM
from .scan.reweight import Cuts

__all__ = ["mesons_per_pot", "compute_yields", "yields_json", "yields_text"]


def mesons_per_pot(job: Job) -> dict[int, float]:
    """Parent mesons per POT by PDG code for the job's beamline (or external parent list)."""
    if job.card.parents is not None:
        from .job import _resolve_path
        from .production.sources.external import ExternalParents

        path, fmt, z_off = job.card.parents
        ext = ExternalParents(_resolve_path(job.card, path), fmt, z_off)
        return ext.per_pot_by_species()
    from .production.sources.resolve import cascade_ready, meson_species, uses_cascade

    if job.beamline.lepton_beam:
        return {}  # an electron or positron beam makes no hadron cascade here
    if uses_cascade(job.beamline) and not cascade_ready(job.beamline):
        return {}  # no channel of the card needed the cascade (e.g. bremsstrahlung only): not built for a list
    return meson_species(job.beamline)


def compute_yields(job: Job, progress: bool = False) -> dict:
    """Mesons per POT, LLPs per POT by channel and expected events (module docstring).

    Returns a dict with keys ``mesons_per_pot`` ({pdg: number}), ``channels``
    ({name: {"llp_per_pot", "expected_events", "mc_error", "parent_pdg"}}),
    ``total_expected_events``, ``total_mc_error``, ``closed_channels``, ``pot``,
    ``n_trials``, ``n_trials_per_channel``, ``detector``, ``beamline``, ``seconds``.
    """
    t0 = time.perf_counter()
    nch = len(job.channels)
    n_each = math.ceil(job.n_trials / nch)
    sw = np.zeros(nch)
    sw2 = np.zeros(nch)
    bar = None
    if progress:
        from .progress import progress_bar

        bar = progress_bar(n_each * nch, "trial", "fipgen yields", unit_scale=True)
    cuts = Cuts(**dict(job.card.cuts))
    kinematic = cuts.kinematic
    cw = np.zeros(nch)  # after the kinematic cuts (the efficiency factor is applied below)
    cw2 = np.zeros(nch)
    try:
        for k, ch in enumerate(job.channels):
            sub = replace(job, channels=[ch], n_trials=n_each, _rates=job.rates[k : k + 1], stream=(YIELDS_STREAM, k),
                          record=False)
            for batch, sums in iter_chunks(sub):
                sw[k] += sums["sum_weights"]
                sw2[k] += sums["sum_weights2"]
                if kinematic:
                    w = batch.scalars["weight"][cuts.passes(batch)]
                    cw[k] += float(w.sum())
                    cw2[k] += float(np.dot(w, w))
                if bar:
                    bar.update(sums["n_trials"])
    finally:
        if bar:
            bar.close()
    if not kinematic:
        cw, cw2 = sw.copy(), sw2.copy()
    eff = float(cuts.efficiency)
    cw, cw2 = eff * cw, eff * eff * cw2
    channels = {}
    for k, ch in enumerate(job.channels):
        channels[ch.name] = {
            "llp_per_pot": float(job.rates[k]),
            "expected_events": float(cw[k]),
            "mc_error": math.sqrt(float(cw2[k])),
            "expected_events_before_cuts": float(sw[k]),
            "parent_pdg": int(ch.parent_pdg),
        }
    return {
        "card": job.card.source,
        "detector": job.detector.name,
        "beamline": job.beamline.name,
        "pot": job.pot,
        "n_trials": n_each * nch,
        "n_trials_per_channel": n_each,
        "mesons_per_pot": {int(k): float(v) for k, v in mesons_per_pot(job).items()},
        "mesons_counted": _mesons_counted(job),
        "channels": channels,
        "closed_channels": list(job.closed_channels),
        "total_expected_events": float(cw.sum()),
        "total_mc_error": math.sqrt(float(cw2.sum())),
        "total_expected_events_before_cuts": float(sw.sum()),
        "cuts": dict(job.card.cuts),
        "seconds": time.perf_counter() - t0,
    }


def _mesons_counted(job: Job) -> str:
    if job.card.parents is not None:
        return "external parent list"
    from .production.sources.resolve import uses_cascade

    if job.beamline.lepton_beam:
        return "none: an electron or positron beam (its own showers only)"
    if not uses_cascade(job.beamline):
        return "first interactions"
    from .production.sources.resolve import cascade_ready, measured_species

    if not cascade_ready(job.beamline):
        return "hadron cascade not built: none needed"
    fits = measured_species(job.beamline)
    return "all generations (hadron cascade" + (
        f"; the target's first interactions of pdg {', '.join(map(str, fits))} from measured fits)" if fits else ")")


def yields_json(y: dict) -> dict:
    """The JSON form: PDG codes as string keys (JSON objects have string keys)."""
    out = dict(y)
    out["mesons_per_pot"] = {str(k): v for k, v in y["mesons_per_pot"].items()}
    return out


def yields_text(y: dict) -> str:
    lines = [f"detector {y['detector']} on beamline {y['beamline']}, {y['pot']:.4g} POT, {y['n_trials_per_channel']} trials per channel", "",
             f"mesons per POT ({y.get('mesons_counted', 'first interactions')}):"]
    for pdg, v in y["mesons_per_pot"].items():
        lines.append(f"  {C.name(pdg):<12} {pdg:>7}  {v:.4g}")
    lines += ["", f"{'channel':<42} {'LLPs per POT':>13} {'expected events':>16} {'MC error':>10}"]
    for name, c in y["channels"].items():
        lines.append(f"{name:<42} {c['llp_per_pot']:>13.4g} {c['expected_events']:>16.5g} {c['mc_error']:>10.3g}")
    lines.append(f"{'total':<42} {'':>13} {y['total_expected_events']:>16.5g} {y['total_mc_error']:>10.3g}")
    if y["total_expected_events_before_cuts"] != y["total_expected_events"]:
        cuts = ", ".join(f"{k} = {v}" for k, v in y["cuts"].items())
        lines.append(f"expected events after [signal.cuts] ({cuts}); before the cuts "
                     f"{y['total_expected_events_before_cuts']:.5g}, the sum of weights of fipgen generate")
    for c in y["closed_channels"]:
        lines.append(f"note: channel {c} is closed and contributes nothing")
    return "\n".join(lines)

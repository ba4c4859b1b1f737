"""The generation pipeline: run card -> job -> blocks of weighted events -> writers.

The pipeline has four layers, each a module: the job (:mod:`fipgen.job`: a frozen
:class:`~fipgen.job.Job` resolved from a run card, and :func:`~fipgen.job.build_job`),
generation (:mod:`fipgen.generation`: blocks of trials into weighted events, chunk iterators),
unweighting (:mod:`fipgen.unweighting`) and the run/output layer (:mod:`fipgen.output`:
formats, writers, metadata, summary, the writer thread). This module gathers their public
names, as the entry point of the Python API (``fipgen.pipeline.build_job``,
``fipgen.pipeline.run``); scans and yields use the job and generation layers directly.

Weights (docs/design.md#weights): ``weight = POT * weight_production * weight_branching *
weight_geometric * weight_decay / n_trials``; the sum of weights is the expected number
of signal events for the run's POT.
"""

from __future__ import annotations

from .generation import (
    blocks_of,
    blocks_per_chunk,
    chunks_of,
    generate_block,
    iter_blocks,
    iter_chunk_plan,
    iter_chunks,
    n_blocks,
)
from .job import Job, _resolve_path, build_job, build_model, decay_codes
from .output import FORMATS, UNITS, Summary, metadata, output_paths, run, summary_json, summary_text
from .rng import UNWEIGHT_STREAM
from .unweighting import MAX_WEIGHT_ABOVE, UNWEIGHT_OVERSAMPLE, Unweighting, _plan_unweighting, max_unweighted

__all__ = [
    "decay_codes", "UNITS", "Job", "build_model", "build_job", "generate_block", "n_blocks", "iter_blocks",
    "blocks_of", "blocks_per_chunk", "iter_chunk_plan", "chunks_of", "iter_chunks", "metadata", "Summary",
    "FORMATS", "output_paths", "MAX_WEIGHT_ABOVE", "UNWEIGHT_OVERSAMPLE", "Unweighting", "UNWEIGHT_STREAM",
    "max_unweighted", "run", "summary_text", "summary_json",
]

_private = (_resolve_path, _plan_unweighting)  # used by yields and the tests through this module

"""Combining ROOT files of one run card: ``fipgen merge OUT IN...``.

A file's weights are the expected events for the POT its ``run`` tree states (the sum of
``pot`` over its entries). ``hadd`` (or a ``TChain``) of two files of one card therefore holds
the expected events for twice the card's POT: the sum of weights doubles, and so does the
stated POT. ``merge`` instead states one POT (by default the card's, when every input was made
for it) and rescales every weight by ``POT_out / sum of the inputs' POT``: each input counts in
proportion to its POT, so files of one card with different seeds count equally and the merged
sum of weights is the mean of the inputs' (the POT-weighted mean in general). Every input's run
entries are kept (seed, trials, metadata, card), their ``pot`` and sums rescaled alike (their
sum is the stated POT and the sum of the weights); ``pot_generated`` keeps the POT each was
generated for.

Inputs must be files of one physics: the same model, detector, beamline, production channels
(with their rates per POT), detection and final states, weight columns (the run metadata,
without file paths, seeds, trial counts and POT), and all weighted or all unweighted (an
unweighted file's events have weight 1 for its POT: their default merged POT is the sum, so
the weights stay 1). Anything else is refused with one line naming what differs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputFileError as FipgenError  # (bad input files: one line, exit 2)
from .root import read_run

__all__ = ["physics_of", "merge_files"]

#: Metadata entries that must agree between merged files (file paths, seeds, trial counts,
#: POT and timings may differ).
_PHYSICS = ("model", "channels", "closed_channels", "decay_channels", "detection", "decay_resonances",
            "final_states", "weight_columns", "bremsstrahlung", "external_parents")


def physics_of(meta: dict) -> dict:
    """What must agree for two files' events to be combined: the physics part of their run
    metadata (module docstring)."""
    out = {k: meta.get(k) for k in _PHYSICS}
    det, bl = meta.get("detector") or {}, meta.get("beamline") or {}
    out["detector"] = det.get("name")
    out["beamline"] = (bl.get("name"), bl.get("beam_momentum_GeV"))
    if isinstance(out["external_parents"], dict):  # (its path may differ: the same file elsewhere)
        out["external_parents"] = {k: v for k, v in out["external_parents"].items() if k != "path"}
    if isinstance(out["channels"], dict):  # (their sources' provenance may name cache paths: the rates decide)
        out["channels"] = {k: {f: v for f, v in c.items() if f != "source"} if isinstance(c, dict) else c
                           for k, c in out["channels"].items()}
    out["unweighted"] = "unweighted" in meta
    return out


def _differs(a: dict, b: dict) -> str | None:
    """The first entry in which two physics dicts differ (None: they agree)."""
    for k in a:
        if a[k] != b.get(k):
            return k
    return None


def _read_inputs(inputs):
    from .rootfile import reading_root

    runs = []
    for path in inputs:
        with reading_root(path, "a ROOT file written by fipgen") as f:
            if "events" not in f or "run" not in f:
                raise FipgenError(f"{str(path)!r} is not a fipgen ROOT file (no 'events' and 'run' trees)")
            run, cards, metas = read_run(f)
            runs.append((str(path), run, cards, metas, [str(b) for b in f["events"].keys(recursive=False)]))
    return runs


def merge_files(output: str | Path, inputs: list[str | Path], pot: float | None = None, overwrite: bool = False,
                compression: str = "zstd:1") -> dict:
    """Merge the fipgen ROOT files ``inputs`` into ``output`` (module docstring); ``pot``: the
    POT the merged weights are for (default: the inputs' card POT when they all share it, the
    sum of their POT for unweighted files). Returns a summary: ``pot``, ``scale``,
    ``sum_weights``, ``n_events``, ``inputs``."""
    import uproot

    from ..events import COLLECTIONS, SCALARS, EventBatch, with_record_defaults
    from .root import RootWriter

    if not inputs:
        raise FipgenError("merge: no input files given")
    out_path = Path(output)
    if any(Path(p).resolve() == out_path.resolve() for p in inputs):
        raise FipgenError(f"merge: the output {str(output)!r} is also an input")
    runs = _read_inputs(inputs)
    ref_path, _, _, ref_metas, ref_branches = runs[0]
    ref = physics_of(ref_metas[0])
    for path, _, _, metas, branches in runs:
        for m in metas:
            k = _differs(ref, physics_of(m))
            if k is not None:
                raise FipgenError(f"merge: {path!r} and {ref_path!r} differ in {k!r}; only files of one card's physics "
                                  "combine (seeds, events and POT may differ)")
        if branches != ref_branches:
            raise FipgenError(f"merge: {path!r} and {ref_path!r} have different event branches")
    pots = np.concatenate([r[1]["pot"] for r in runs]).astype(float)
    total = float(pots.sum())
    unweighted = ref["unweighted"]
    if pot is None:
        card_pots = {float(m.get("pot", np.nan)) for r in runs for m in r[3]}
        if unweighted:
            pot = total
        elif len(card_pots) == 1 and all(np.isfinite(list(card_pots))):
            pot = card_pots.pop()
        else:
            raise FipgenError("merge: the inputs were made for different POT "
                              f"({', '.join(f'{p:g}' for p in sorted(card_pots))}): give the merged POT with --pot")
    if not (np.isfinite(pot) and pot > 0):
        raise FipgenError(f"merge: --pot must be a positive number of protons on target (got {pot})")
    scale = float(pot) / total
    weight_cols = list(ref_metas[0].get("weight_columns") or ["weight"])
    extra = tuple(c for c in weight_cols if c != "weight" and c not in SCALARS)
    # the run record: every input's entries, their POT and sums rescaled
    cols: dict[str, list] = {}
    keys = sorted({k for r in runs for k in r[1]})
    for _, run, _, _, _ in runs:
        n = run["pot"].size
        gen = run.get("pot_generated", run["pot"])
        for k in keys:
            if k == "pot_generated":  # (written by merge and by unweighted runs; the POT otherwise)
                continue
            v = run.get(k)
            if v is None:
                raise FipgenError(f"merge: the inputs' run records have different columns ({k!r})")
            if k == "pot" or (k.startswith("sum_weights") and k != "sum_weights2"):
                v = v * scale
            elif k == "sum_weights2":
                v = v * scale * scale
            cols.setdefault(k, []).append(np.asarray(v))
        cols.setdefault("pot_generated", []).append(np.asarray(gen, dtype=np.float64).reshape(n))
    run_out = {k: np.concatenate(v) for k, v in cols.items()}
    cards = [c for r in runs for c in r[2]]
    metas = [m for r in runs for m in r[3]]
    sw = n_events = 0
    with RootWriter(out_path, overwrite=overwrite, compression=compression, extra_scalars=extra) as w:
        for path, *_ in runs:
            with uproot.open(path) as f:
                for arr in f["events"].iterate(library="np", step_size="200 MB"):
                    n = arr["weight"].size
                    if n == 0:
                        continue
                    for c in weight_cols:
                        arr[c] = arr[c] * scale
                    arr = with_record_defaults(arr)
                    scal = {k: arr[k] for k in SCALARS}
                    scal.update({k: arr[k] for k in extra})
                    counts = {c: arr[cnt].astype(np.int64) for c, (cnt, _) in COLLECTIONS.items()}
                    flat = {c: {fn: np.concatenate(arr[f"{c}_{fn}"]).astype(d, copy=False) for fn, (d, _) in fields.items()}
                            for c, (_, fields) in COLLECTIONS.items()}
                    w.write(EventBatch(scal, counts, flat))
                    sw += float(arr["weight"].sum())
                    n_events += n
        w.finish(run_out, cards, metas)
    return {"output": str(out_path), "inputs": len(runs), "run_entries": len(cards), "pot": float(pot),
            "scale": scale, "sum_weights": sw, "n_events": n_events}

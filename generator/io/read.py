"""Events as awkward records with scikit-hep ``vector`` behaviour, for users.

:func:`read_events` reads the ``events`` tree of a fipgen ROOT file (layout in
:mod:`fipgen.io.root`); :meth:`fipgen.events.EventBatch.to_awkward` gives the same view of a
batch in memory. Both go through :func:`events_view`, so the two cannot drift apart.

One record per event, with fields:

- ``llp``, ``parent``: ``Momentum4D`` (``px, py, pz, E``; GeV, beam frame), so ``.mass``,
  ``.pt``, ``.eta``, ``.deltaR``, ``.boost`` ... work;
- ``daughters``: a list of ``Momentum4D`` per event (GeV, beam frame) with the extra fields
  ``pdg`` and ``det_px, det_py, det_pz`` (momentum in the detector frame, GeV);
- ``decay``, ``decay_det``: the decay vertex as ``Vector3D`` (``x, y, z``; m) in the beam
  frame and in the detector's own frame;
- ``siblings``: a list of ``Momentum4D`` per event (GeV, beam frame) with ``pdg`` and
  ``generation``: the other products of the decays that made the LLP (0) and its parent (1);
- ``segments``: a list of records ``entry, exit`` (m) per event, the LLP's chord through the
  active volume;
- every other scalar column (``weight`` and its factors, alternative weights ``weight_<name>``,
  ``channel``, ``llp_mass``, ``prod_x`` ..., ``decay_t``): a plain field under its branch name.

The counter branches (``n_daughters``, ``n_siblings``, ``n_segments``) are not kept: ``ak.num``
gives them. Files written before the event record's columns (``origin_*``, ``grandparent_*``,
siblings) read with those filled in (:func:`fipgen.events.with_record_defaults`).
This is a view for analysis; the generator's kernels work on float64 numpy columns.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError
from ..events import COLLECTIONS, RECORD_SINCE, SCALARS, events_view, with_record_defaults

__all__ = ["read_events"]

_WHAT = "a fipgen ROOT file (a TTree 'events' written by fipgen generate)"


def _required_branches() -> list[str]:
    names = list(SCALARS)
    for coll, (counter, fields) in COLLECTIONS.items():
        names.append(counter)
        names.extend(f"{coll}_{f}" for f in fields)
    return names


def read_events(path: str | Path, entry_start: int | None = None, entry_stop: int | None = None):
    """Read the events of a fipgen ROOT file as awkward records with vector behaviour.

    Parameters
    ----------
    path : str or Path
        A ROOT file written by ``fipgen generate`` (or :class:`fipgen.io.root.RootWriter`).
    entry_start, entry_stop : int, optional
        Read only entries ``[entry_start, entry_stop)`` (uproot's meaning), to bound memory.

    Returns
    -------
    awkward.Array
        One record per event, fields as in :mod:`fipgen.io.read` (GeV, m, ns).

    Raises
    ------
    InputFileError
        The file is missing, not ROOT, or has no fipgen ``events`` tree.
    """
    from .rootfile import reading_root

    with reading_root(path, _WHAT) as f:
        tree = f["events"]
        have = set(tree.keys())
        older = set(RECORD_SINCE) | {f"sibling_{f}" for f in COLLECTIONS["sibling"][1]}
        missing = [b for b in _required_branches() if b not in have and b not in older]
        if missing:
            raise InputFileError(f"{str(path)!r}: the tree 'events' has no branch {missing[0]!r} (not {_WHAT}?)")
        arrays = tree.arrays(entry_start=entry_start, entry_stop=entry_stop, library="ak")
        columns = {k: arrays[k] for k in arrays.fields}
    if "n_siblings" not in columns:
        columns = _older(columns)
    return events_view(columns)


def _older(columns: dict) -> dict:
    """A file written before the event record's columns: those filled in (no grandparent, no
    sibling, the origin at the production vertex and unknown)."""
    import awkward as ak
    import numpy as np

    n = len(columns["weight"])
    out = dict(columns)
    for k, v in with_record_defaults({"weight": np.zeros(n), **{f"prod_{c}": ak.to_numpy(columns[f"prod_{c}"])
                                                                  for c in "xyzt"}}).items():
        if k in ("weight",) or k.startswith("prod_"):
            continue
        if k.startswith("sibling_"):
            dtype = COLLECTIONS["sibling"][1][k.removeprefix("sibling_")][0]
            v = ak.unflatten(np.zeros(0, dtype=dtype), np.zeros(n, dtype=np.int64))
        out[k] = v
    return out

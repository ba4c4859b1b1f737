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
- ``segments``: a list of records ``entry, exit`` (m) per event, the LLP's chord through the
  active volume;
- every other scalar column (``weight`` and its factors, alternative weights ``weight_<name>``,
  ``channel``, ``llp_mass``, ``prod_x`` ..., ``decay_t``): a plain field under its branch name.

The counter branches (``n_daughters``, ``n_segments``) are not kept: ``ak.num`` gives them.
This is a view for analysis; the generator's kernels work on float64 numpy columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..events import COLLECTIONS, SCALARS

__all__ = ["events_view", "read_events", "VECTOR_FIELDS"]

#: Record name -> (vector behaviour, {component: column}). Columns named here are not kept as
#: plain fields.
VECTOR_FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "llp": ("Momentum4D", {"px": "llp_px", "py": "llp_py", "pz": "llp_pz", "E": "llp_e"}),
    "parent": ("Momentum4D", {"px": "parent_px", "py": "parent_py", "pz": "parent_pz", "E": "parent_e"}),
    "decay": ("Vector3D", {"x": "decay_x", "y": "decay_y", "z": "decay_z"}),
    "decay_det": ("Vector3D", {"x": "decay_det_x", "y": "decay_det_y", "z": "decay_det_z"}),
}

#: Collection -> field name of its list in the view.
_LISTS = {"daughter": "daughters", "segment": "segments"}
#: Daughter fields that make the Momentum4D (the others ride along as plain fields).
_DAUGHTER_P4 = {"px": "px", "py": "py", "pz": "pz", "E": "e"}

_WHAT = "a fipgen ROOT file (a TTree 'events' written by fipgen generate)"


def events_view(columns: Mapping[str, Any]):
    """Awkward records with vector behaviour (module docstring) from flat columns.

    Parameters
    ----------
    columns : mapping of column name -> array
        The scalar columns of :data:`fipgen.events.SCALARS` (and any ``weight_<name>``) as
        1-D arrays of length n, and for each collection ``c`` of
        :data:`fipgen.events.COLLECTIONS` and each of its fields ``f`` the jagged array
        ``c_f`` (n lists), as the ROOT branches are named. Counter branches are ignored.

    Returns
    -------
    awkward.Array
        n records.
    """
    import awkward as ak
    import vector

    vector.register_awkward()
    out: dict[str, Any] = {}
    used: set[str] = set()
    for name, (behaviour, comps) in VECTOR_FIELDS.items():
        out[name] = ak.zip({k: columns[c] for k, c in comps.items()}, with_name=behaviour)
        used.update(comps.values())
    for coll, (counter, fields) in COLLECTIONS.items():
        used.add(counter)
        cols = {f: columns[f"{coll}_{f}"] for f in fields}
        used.update(f"{coll}_{f}" for f in fields)
        if coll == "daughter":
            rec = {k: cols[f] for k, f in _DAUGHTER_P4.items()}
            rec.update({f: a for f, a in cols.items() if f not in _DAUGHTER_P4.values()})
            out[_LISTS[coll]] = ak.zip(rec, with_name="Momentum4D")
        else:
            out[_LISTS[coll]] = ak.zip(cols)
    plain = {k: columns[k] for k in columns if k not in used}
    # the four vectors first, then the scalars in their output order, then the lists
    fields = list(VECTOR_FIELDS) + [_LISTS["daughter"]] + list(plain) + [_LISTS["segment"]]
    out.update(plain)
    return ak.zip({k: out[k] for k in fields}, depth_limit=1)


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
        missing = [b for b in _required_branches() if b not in have]
        if missing:
            raise InputFileError(f"{str(path)!r}: the tree 'events' has no branch {missing[0]!r} (not {_WHAT}?)")
        arrays = tree.arrays(entry_start=entry_start, entry_stop=entry_stop, library="ak")
        columns = {k: arrays[k] for k in arrays.fields}
    return events_view(columns)

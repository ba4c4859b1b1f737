"""EventBatch: the columns every production chain fills and every writer reads.

Units: GeV, metres, nanoseconds. Frames: ``beam`` (z along the primary protons, y up,
origin at the upstream face of the target or dump) unless the column says ``det``
(the detector's own frame, from its geometry file).

Scalar columns are float64 (int32/int64 for codes); jagged collections (daughters,
chord segments) are stored flat with a per-event count, which becomes the ROOT counter
branch (``n_daughters``, ``n_segments``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataclasses import dataclass

import numpy as np

__all__ = ["SCALARS", "ALT_WEIGHT_PREFIX", "COLLECTIONS", "EventBatch", "VECTOR_FIELDS", "events_view",
           "RECORD_SINCE", "with_record_defaults"]

#: Scalar columns: name -> (dtype, description with unit). Order is the output order.
SCALARS: dict[str, tuple[str, str]] = {
    "weight": ("f8", "expected events for the run's POT (product of the factors below x POT / trials)"),
    "weight_production": ("f8", "LLPs produced per POT in this channel / probability of choosing the channel"),
    "weight_branching": ("f8", "branching ratio of the LLP into the selected final states"),
    "weight_geometric": ("f8", "direction-forcing weight: true / proposal density of the LLP direction"),
    "weight_decay": ("f8", "probability to decay inside the detector's active volume"),
    "channel": ("i4", "production channel code (run metadata maps code -> name)"),
    "parent_pdg": ("i4", "PDG code of the parent (meson) of the LLP"),
    "parent_px": ("f8", "parent momentum x, GeV, beam frame"),
    "parent_py": ("f8", "parent momentum y, GeV, beam frame"),
    "parent_pz": ("f8", "parent momentum z, GeV, beam frame"),
    "parent_e": ("f8", "parent energy, GeV"),
    "prod_x": ("f8", "production vertex x, m, beam frame"),
    "prod_y": ("f8", "production vertex y, m, beam frame"),
    "prod_z": ("f8", "production vertex z, m, beam frame"),
    "prod_t": ("f8", "production time, ns (t = 0: proton at the upstream face)"),
    "llp_pdg": ("i4", "PDG code of the LLP"),
    "llp_px": ("f8", "LLP momentum x, GeV, beam frame"),
    "llp_py": ("f8", "LLP momentum y, GeV, beam frame"),
    "llp_pz": ("f8", "LLP momentum z, GeV, beam frame"),
    "llp_e": ("f8", "LLP energy, GeV"),
    "llp_mass": ("f8", "LLP mass, GeV"),
    "llp_beta_gamma": ("f8", "|p|/m of the LLP"),
    "llp_ctau": ("f8", "proper decay length c*tau of the LLP, m (for reweighting)"),
    "l_entry": ("f8", "distance from production vertex to first entry into the active volume, m"),
    "l_exit": ("f8", "distance from production vertex to last exit from the active volume, m"),
    "decay_x": ("f8", "decay vertex x, m, beam frame"),
    "decay_y": ("f8", "decay vertex y, m, beam frame"),
    "decay_z": ("f8", "decay vertex z, m, beam frame"),
    "decay_det_x": ("f8", "decay vertex x, m, detector frame"),
    "decay_det_y": ("f8", "decay vertex y, m, detector frame"),
    "decay_det_z": ("f8", "decay vertex z, m, detector frame"),
    "decay_t": ("f8", "decay time, ns"),
    "decay_channel": ("i4", "LLP decay channel code (run metadata maps code -> name)"),
    "grandparent_pdg": ("i4", "PDG code of the particle whose decay made the parent (the meson of X -> N N, "
                              "the Ds of a tau), 0: none"),
    "grandparent_px": ("f8", "grandparent momentum x, GeV, beam frame"),
    "grandparent_py": ("f8", "grandparent momentum y, GeV, beam frame"),
    "grandparent_pz": ("f8", "grandparent momentum z, GeV, beam frame"),
    "grandparent_e": ("f8", "grandparent energy, GeV"),
    "origin_x": ("f8", "where the first particle of the chain (grandparent, else parent) was made, x, m, beam frame"),
    "origin_y": ("f8", "origin y, m, beam frame"),
    "origin_z": ("f8", "origin z, m, beam frame"),
    "origin_t": ("f8", "origin time, ns (the beam proton's light-speed time to origin_z, bucket time included)"),
    "origin_known": ("i4", "1: origin_* is a production point; 0: the source keeps none (cascade-table decays, "
                           "shower particles): origin_* is the parent's decay point"),
    "origin_solid": ("i4", "the beamline solid at origin_*: index into target, decay_pipe, absorber (those the "
                           "beamline has), then its [[beamline.solids]] in file order; -1: none"),
    "origin_nucleus": ("i4", "PDG code of the nucleus struck at origin_* (the solid's material, element drawn by "
                             "atoms x A^0.71; the target's for a point in no solid)"),
}

#: Extra scalar columns a batch may carry: alternative weights ``weight_<name>`` (float64), the
#: event's weight under a theory variation (e.g. ``weight_bb``, ``weight_qr_lambda1``; the run
#: metadata's ``alternative_weights`` says what each is).
ALT_WEIGHT_PREFIX = "weight_"

#: Jagged collections: name -> (counter branch, {field: (dtype, description)}).
COLLECTIONS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "daughter": (
        "n_daughters",
        {
            "pdg": ("i4", "PDG code"),
            "px": ("f8", "momentum x, GeV, beam frame"),
            "py": ("f8", "momentum y, GeV, beam frame"),
            "pz": ("f8", "momentum z, GeV, beam frame"),
            "e": ("f8", "energy, GeV"),
            "det_px": ("f8", "momentum x, GeV, detector frame"),
            "det_py": ("f8", "momentum y, GeV, detector frame"),
            "det_pz": ("f8", "momentum z, GeV, detector frame"),
        },
    ),
    "sibling": (
        "n_siblings",
        {
            "pdg": ("i4", "PDG code of a simulated sibling: another product of the decay that made the LLP "
                          "(generation 0) or its parent (generation 1)"),
            "px": ("f8", "momentum x, GeV, beam frame"),
            "py": ("f8", "momentum y, GeV, beam frame"),
            "pz": ("f8", "momentum z, GeV, beam frame"),
            "e": ("f8", "energy, GeV"),
            "generation": ("i4", "0: made with the LLP (at prod_*); 1: made with the LLP's parent (at origin_*)"),
        },
    ),
    "segment": (
        "n_segments",
        {
            "entry": ("f8", "distance from the production vertex to the entry of this chord segment, m"),
            "exit": ("f8", "distance from the production vertex to the exit of this chord segment, m"),
        },
    ),
}


#: Columns of the event record's chain (CHANGELOG, Unreleased); files written before lack them.
RECORD_SINCE = ("grandparent_pdg", "grandparent_px", "grandparent_py", "grandparent_pz", "grandparent_e",
                "origin_x", "origin_y", "origin_z", "origin_t", "origin_known", "origin_solid", "origin_nucleus",
                "n_siblings")


def with_record_defaults(columns: dict) -> dict:
    """``columns`` (file branches by name: scalars, counters, ``<collection>_<field>`` jagged)
    with the record columns of older files filled in: no grandparent, no sibling, the origin
    unknown (at the production vertex, ``origin_known`` 0, nucleus 0)."""
    out = dict(columns)
    n = len(out["weight"])
    for k in ("grandparent_pdg", "origin_known", "origin_nucleus"):
        out.setdefault(k, np.zeros(n, dtype=np.int32))
    out.setdefault("origin_solid", np.full(n, -1, dtype=np.int32))
    for k in ("grandparent_px", "grandparent_py", "grandparent_pz", "grandparent_e"):
        out.setdefault(k, np.zeros(n))
    for c in "xyzt":
        out.setdefault(f"origin_{c}", np.asarray(out[f"prod_{c}"], dtype=np.float64))
    if "n_siblings" not in out:
        out["n_siblings"] = np.zeros(n, dtype=np.int64)
        for f, (d, _) in COLLECTIONS["sibling"][1].items():
            out[f"sibling_{f}"] = np.empty(n, dtype=object)
            for i in range(n):
                out[f"sibling_{f}"][i] = np.zeros(0, dtype=d)
    return out


@dataclass
class EventBatch:
    """A batch of events as numpy columns.

    Attributes
    ----------
    scalars : dict of name -> (n,) arrays, keys as :data:`SCALARS`.
    counts : dict of collection name -> (n,) int64 counts.
    flat : dict of collection name -> dict of field -> flat arrays (sum of counts,).
    """

    scalars: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    flat: dict[str, dict[str, np.ndarray]]

    def __post_init__(self) -> None:
        n = len(self)
        for k, (dtype, _) in SCALARS.items():
            a = self.scalars[k]
            if a.shape != (n,):
                raise ValueError(f"column {k} has shape {a.shape}, expected ({n},)")
            self.scalars[k] = np.ascontiguousarray(a, dtype=dtype)
        for k in self.scalars:
            if k in SCALARS:
                continue
            if not k.startswith(ALT_WEIGHT_PREFIX):
                raise ValueError(f"unknown column {k!r} (extra columns must be alternative weights '{ALT_WEIGHT_PREFIX}<name>')")
            a = self.scalars[k]
            if a.shape != (n,):
                raise ValueError(f"column {k} has shape {a.shape}, expected ({n},)")
            self.scalars[k] = np.ascontiguousarray(a, dtype="f8")
        for c, (_, fields) in COLLECTIONS.items():
            cnt = np.ascontiguousarray(self.counts[c], dtype=np.int64)
            self.counts[c] = cnt
            total = int(cnt.sum())
            for f, (dtype, _) in fields.items():
                a = np.ascontiguousarray(self.flat[c][f], dtype=dtype)
                if a.shape != (total,):
                    raise ValueError(f"collection {c}.{f} has shape {a.shape}, expected ({total},)")
                self.flat[c][f] = a

    def __len__(self) -> int:
        return int(self.scalars["weight"].shape[0])

    @classmethod
    def empty(cls) -> EventBatch:
        return cls(
            {k: np.zeros(0, dtype=d) for k, (d, _) in SCALARS.items()},
            {c: np.zeros(0, dtype=np.int64) for c in COLLECTIONS},
            {c: {f: np.zeros(0, dtype=d) for f, (d, _) in fields.items()} for c, (_, fields) in COLLECTIONS.items()},
        )

    @classmethod
    def concatenate(cls, batches: list[EventBatch]) -> EventBatch:
        if not batches:
            return cls.empty()
        return cls(
            {k: np.concatenate([b.scalars[k] for b in batches]) for k in batches[0].scalars},
            {c: np.concatenate([b.counts[c] for b in batches]) for c in COLLECTIONS},
            {
                c: {f: np.concatenate([b.flat[c][f] for b in batches]) for f in fields}
                for c, (_, fields) in COLLECTIONS.items()
            },
        )

    def select(self, mask: np.ndarray) -> EventBatch:
        """The events where ``mask`` is true, in order."""
        mask = np.asarray(mask, dtype=bool)
        flat = {}
        counts = {}
        for c, (_, fields) in COLLECTIONS.items():
            cnt = self.counts[c]
            keep = np.repeat(mask, cnt)
            counts[c] = cnt[mask]
            flat[c] = {f: self.flat[c][f][keep] for f in fields}
        return EventBatch({k: v[mask] for k, v in self.scalars.items()}, counts, flat)

    def offsets(self, collection: str) -> np.ndarray:
        """Offsets (n+1,) of a jagged collection into its flat arrays."""
        off = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(self.counts[collection], out=off[1:])
        return off

    def jagged(self, collection: str, name: str):
        """An awkward array of one field of a collection (for users and tests)."""
        import awkward as ak

        return ak.unflatten(self.flat[collection][name], self.counts[collection])

    def to_awkward(self):
        """The events as awkward records with ``vector`` behaviour: ``llp``, ``parent`` and
        ``daughters`` as Momentum4D (GeV), ``decay``/``decay_det`` as Vector3D (m), the other
        columns as plain fields; the same view :func:`fipgen.io.read_events` gives of a ROOT
        file (:mod:`fipgen.io.read`)."""
        columns = dict(self.scalars)
        for c in COLLECTIONS:
            columns.update({f"{c}_{f}": self.jagged(c, f) for f in self.flat[c]})
        return events_view(columns)


# --- the user-facing view: awkward records with vector behaviour ---------------------------

#: Record name -> (vector behaviour, {component: column}). Columns named here are not kept as
#: plain fields.
VECTOR_FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "llp": ("Momentum4D", {"px": "llp_px", "py": "llp_py", "pz": "llp_pz", "E": "llp_e"}),
    "parent": ("Momentum4D", {"px": "parent_px", "py": "parent_py", "pz": "parent_pz", "E": "parent_e"}),
    "decay": ("Vector3D", {"x": "decay_x", "y": "decay_y", "z": "decay_z"}),
    "decay_det": ("Vector3D", {"x": "decay_det_x", "y": "decay_det_y", "z": "decay_det_z"}),
}

#: Collection -> field name of its list in the view.
_LISTS = {"daughter": "daughters", "sibling": "siblings", "segment": "segments"}
#: Daughter fields that make the Momentum4D (the others ride along as plain fields).
_DAUGHTER_P4 = {"px": "px", "py": "py", "pz": "pz", "E": "e"}


def events_view(columns: Mapping[str, Any]):
    """Awkward records with vector behaviour from flat columns (what :func:`fipgen.io.read_events`
    and :meth:`EventBatch.to_awkward` return).

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
        if coll in ("daughter", "sibling"):
            rec = {k: cols[f] for k, f in _DAUGHTER_P4.items()}
            rec.update({f: a for f, a in cols.items() if f not in _DAUGHTER_P4.values()})
            out[_LISTS[coll]] = ak.zip(rec, with_name="Momentum4D")
        else:
            out[_LISTS[coll]] = ak.zip(cols)
    plain = {k: columns[k] for k in columns if k not in used}
    # the four vectors first, then the scalars in their output order, then the lists
    fields = list(VECTOR_FIELDS) + [_LISTS["daughter"]] + list(plain) + [_LISTS["sibling"], _LISTS["segment"]]
    out.update(plain)
    return ak.zip({k: out[k] for k in fields}, depth_limit=1)

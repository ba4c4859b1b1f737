"""ROOT output with uproot: a TTree ``events`` and a run record.

Layout (all names flat, no dots, so ROOT's RDataFrame and TTree::Draw read them):

- TTree ``events``: one branch per scalar column of :data:`fipgen.events.SCALARS`,
  and for each jagged collection a counter branch (``n_daughters``, ``n_segments``) with
  its field branches (``daughter_pdg[n_daughters]``, ``segment_entry[n_segments]`` ...).
- TTree ``run``, one entry per generated file (one for ``fipgen generate``; a file of
  ``fipgen merge`` keeps one per input, and so do ``hadd`` and ``TChain``): ``pot``,
  ``n_trials``, ``n_events``, ``sum_weights``, ``sum_weights2``, ``seed`` (and the sums of
  the alternative weights), and two strings: ``run_card`` (the run card's text as given) and
  ``run_metadata`` (JSON with the package version, units, frames, the channel code tables,
  detector and beamline names and sources, and the sampling settings). The events' weights
  are the expected events for the sum of ``pot`` over the entries. (Files of fipgen 0.1
  before this layout hold the two strings as top-level TObjStrings: :func:`read_run` reads
  both.)

Branch titles: every TBranch's title is its description with its unit (``prod_z``: "production
vertex z, m, beam frame"; :func:`event_branch_titles`, :data:`RUN_TITLES`), so ROOT's
``TTree::Print`` and TBrowser, and uproot's ``tree[name].title``, say what a column is; the
leaves (name, ``name[counter]``, type) are uproot's, unchanged (:func:`mktree_titled`,
:func:`set_branch_titles`).

Compression: ZSTD level 1 by default. Measured here (2 cores; ``fipgen generate`` of
the default card, 5e5 trials, generation included, medians of 3): ZSTD(1) 0.95 s and
160 MB, LZ4(1) 0.91 s and 175 MB, ZLIB(1) 5.5 s and 153 MB, uncompressed 0.85 s and
206 MB. ZSTD(1) costs 4 % more time than LZ4 for files 9 % smaller; ZLIB, uproot's
default, is 6x slower. ROOT reads all of them. ``run.compression`` in the card changes it.
"""

from __future__ import annotations

import inspect
import json
import re
import threading
import warnings
from pathlib import Path
from typing import Any

import awkward as ak
import numpy as np
import uproot

from ..events import ALT_WEIGHT_PREFIX, COLLECTIONS, SCALARS, EventBatch
from .atomic import atomic_path

__all__ = ["compression_from_spec", "batch_to_branches", "read_run", "RootWriter"]


def compression_from_spec(spec: str):
    """uproot compression object from 'ALGO[:LEVEL]' (zstd, lz4, zlib, none)."""
    algo, _, level = spec.partition(":")
    if algo == "none":
        return None
    cls = {"zstd": uproot.ZSTD, "lz4": uproot.LZ4, "zlib": uproot.ZLIB}[algo]
    return cls(int(level) if level else 1)


def _counter_name(collection: str) -> str:
    return COLLECTIONS[collection][0]


def _branch_types(extra_scalars: tuple[str, ...] = ()) -> dict[str, Any]:
    types: dict[str, Any] = {}
    for k, (d, _) in SCALARS.items():
        types[k] = np.dtype(d)
        if k == "weight":  # alternative weights right after the central one
            types.update({e: np.dtype("f8") for e in extra_scalars})
    for c, (_, fields) in COLLECTIONS.items():
        rec = ak.zip({f: np.zeros(0, dtype=d) for f, (d, _) in fields.items()})
        types[c] = ak.unflatten(rec, np.zeros(0, dtype=np.int64)).type.content
    return types


#: Titles of the counter branches of the jagged collections, by collection.
COUNTER_TITLES: dict[str, str] = {
    "daughter": "number of daughters of the LLP (entries of the daughter_* branches)",
    "segment": "number of segments of the LLP's line through the active volume (entries of the segment_* branches)",
    "sibling": "number of simulated siblings: other products of the decays that made the LLP and its parent "
               "(entries of the sibling_* branches)",
}

#: Titles of the ``run`` tree's branches (``sum_weights_<name>``: :func:`run_branch_title`).
RUN_TITLES: dict[str, str] = {
    "pot": "protons on target the events' weights are for (the weights: expected events at the sum of pot "
           "over the entries)",
    "n_trials": "number of LLPs generated (trials) in this run",
    "n_events": "number of events this run wrote to the events tree",
    "sum_weights": "sum of the events' weights: expected signal events at pot",
    "sum_weights2": "sum of the squared weights (MC error squared of sum_weights)",
    "seed": "random seed of the run",
    "pot_generated": "protons on target the run was generated for (pot: after fipgen merge or unweighting)",
    "w_ref": "reference weight of the unweighting: an event was kept with probability min(1, weight / w_ref)",
    "run_card": "the run card's text (TOML) as given",
    "run_metadata": "JSON: fipgen version, units, frames, channel and decay code tables, detector, beamline, "
                    "sampling",
}


def _alt_weight_title(name: str) -> str:
    return f"event weight under the variation {name}, expected events at the run's POT"


def event_branch_titles(extra_scalars: tuple[str, ...] = ()) -> dict[str, str]:
    """The ``events`` tree's TBranch titles, branch name -> description with unit: the
    descriptions of :data:`~fipgen.events.SCALARS` and :data:`~fipgen.events.COLLECTIONS`
    (field branches ``<collection>_<field>``), :data:`COUNTER_TITLES` for the counters and a
    generic title for the alternative weights ``weight_<name>``."""
    titles = {k: doc for k, (_, doc) in SCALARS.items()}
    for e in extra_scalars:
        titles.setdefault(e, _alt_weight_title(e.removeprefix(ALT_WEIGHT_PREFIX)))
    for c, (counter, fields) in COLLECTIONS.items():
        titles[counter] = COUNTER_TITLES.get(c, f"number of {c} entries of the event")
        titles.update({f"{c}_{f}": doc for f, (_, doc) in fields.items()})
    return titles


def run_branch_title(name: str) -> str | None:
    """The title of the ``run`` tree's branch ``name`` (None: a column without one, which keeps
    uproot's leaf list)."""
    if name in RUN_TITLES:
        return RUN_TITLES[name]
    if name.startswith("sum_weights_"):
        alt = name.removeprefix("sum_weights_")
        return f"sum of {ALT_WEIGHT_PREFIX}{alt}: expected signal events at pot under the variation {alt}"
    return None


def set_branch_titles(tree, titles: dict[str, str]) -> bool:
    """Give the branches of ``tree``, a TTree just made by uproot's ``mktree`` (nothing written
    to it yet), the titles ``titles`` (branch name -> title; other branches keep uproot's).

    uproot's ``mktree`` takes no per-branch title: a TBranch's title is the leaf list that
    ``Tree._branch_np`` stores in ``Tree._branch_data[i]["fTitle"]``
    (``uproot/writing/_cascadetree.py``), serialised by ``Tree._build_out`` when the tree's
    metadata is written: whole, once, at ``mktree`` (``Tree.write_anew``), then patched in place
    (counts, basket positions) by each ``extend`` (``Tree.write_updates``), and written whole
    again only when the basket arrays grow (``Tree._relocate``); closing the file does not
    rewrite it. Hence editing ``fTitle`` after ``mktree`` alone shows nowhere. Here the titles
    are set there and the metadata written anew at once with ``Tree._relocate(file, sink)``,
    uproot's own complete rewrite (it frees the old copy and moves the tree in the file's
    table); later rewrites serialise the same data, so they keep the titles. Each TLeaf (name,
    title ``name[counter]``, type, counter reference) is built from ``fName``, the counter and
    the dtype, never from ``fTitle``: ROOT and uproot read the data as before.

    These are uproot internals (uproot 5.7.7): the layout is checked first (each branch's
    ``fTitle`` still uproot's leaf list ``name[counter]/T``, ``_relocate(file, sink)`` present,
    no entries yet); when it differs nothing is changed (a valid file with uproot's titles) and a
    RuntimeWarning says so. Returns whether the titles were set; ``tests/test_root_output.py``
    fails when they are not.
    """
    casc = getattr(tree, "_cascading", None)  # the uproot.writing._cascadetree.Tree
    data = getattr(casc, "_branch_data", None)
    relocate = getattr(casc, "_relocate", None)
    file = getattr(tree, "file", None)  # the WritableFile (what WritableTree.extend passes on)
    problem = None
    if relocate is None or getattr(file, "sink", None) is None:
        problem = "no Tree._relocate or WritableTree.file.sink"
    elif list(inspect.signature(relocate).parameters) != ["file", "sink"]:
        problem = "Tree._relocate does not take (file, sink)"
    elif tree.num_entries != 0:
        problem = "the tree already has entries"
    else:
        problem = _apply_titles(data, titles)
    if problem is not None:
        _warn_untitled(problem, getattr(tree, "object_path", "?"))
        return False
    relocate(file, file.sink)
    return True


def _apply_titles(data, titles: dict[str, str]) -> str | None:
    """Set the titles in uproot's ``Tree._branch_data``; returns None, or what differs from the
    layout expected (each branch's ``fTitle`` uproot's leaf list ``name[counter]/T``), then
    changing nothing."""
    if not isinstance(data, list):
        return "no Tree._branch_data list"
    branches = [d for d in data if isinstance(d, dict) and d.get("kind") != "record"]
    for d in branches:
        name, title = d.get("fName"), d.get("fTitle")
        if not (isinstance(name, str) and isinstance(title, str)
                and re.fullmatch(re.escape(name) + r"(\[[^\]]+\])*/[A-Za-z]", title)):
            return f"branch data {name!r} without uproot's leaf-list title (fTitle {title!r})"
    for d in branches:
        if titles.get(d["fName"]):
            d["fTitle"] = str(titles[d["fName"]])
    return None


def _warn_untitled(problem: str, where: str) -> None:
    warnings.warn(f"fipgen: uproot {uproot.__version__} writes TTrees differently from what fipgen expects "
                  f"({problem}); the branches of {where!r} keep uproot's titles (leaf lists)",
                  RuntimeWarning, stacklevel=3)


_MKTREE_LOCK = threading.Lock()


def mktree_titled(directory, name: str, branch_types, titles: dict[str, str], **kwargs):
    """``directory.mktree(name, branch_types, **kwargs)`` whose branches carry ``titles`` (branch
    name -> title) from the start: the metadata is serialised once.

    uproot's ``add_tree`` builds the ``Tree`` (its ``_branch_data``) and at once writes its
    metadata (``Tree.write_anew``): for this call only (this thread, this tree's name),
    ``write_anew`` first sets the titles as :func:`set_branch_titles` does (the same layout
    checks). Where uproot's internals differ, the tree is made as uproot makes it and
    :func:`set_branch_titles` follows (a second serialisation; its own fallback and warning).
    :func:`set_branch_titles` made every tree before: a rewrite of the metadata just written
    (0.08 s for the events tree here)."""
    cascadetree = getattr(getattr(uproot, "writing", None), "_cascadetree", None)
    Tree = getattr(cascadetree, "Tree", None)
    own = vars(Tree).get("write_anew") if Tree is not None else None
    if own is None or list(inspect.signature(own).parameters) != ["self", "sink"]:
        tree = directory.mktree(name, branch_types, **kwargs)
        set_branch_titles(tree, titles)
        return tree
    me = threading.get_ident()
    outcome = []

    def write_anew(tree_self, sink):
        if threading.get_ident() == me and not outcome and getattr(tree_self, "_name", name) == name:
            outcome.append(_apply_titles(getattr(tree_self, "_branch_data", None), titles))
        return own(tree_self, sink)

    with _MKTREE_LOCK:
        Tree.write_anew = write_anew
        try:
            tree = directory.mktree(name, branch_types, **kwargs)
        finally:
            Tree.write_anew = own
    if outcome != [None]:  # not set at creation: afterwards, or uproot's titles with a warning
        set_branch_titles(tree, titles)
    return tree


def batch_to_branches(batch: EventBatch) -> dict[str, Any]:
    """The arrays ``TTree.extend`` takes for one batch."""
    out: dict[str, Any] = dict(batch.scalars)
    for c in COLLECTIONS:
        rec = ak.zip(batch.flat[c], depth_limit=1)
        out[c] = ak.unflatten(rec, batch.counts[c])
    return out


class RootWriter:
    """Stream EventBatches into a ROOT file, atomically.

    Use as a context manager::

        with RootWriter("out.root", overwrite=False) as w:
            w.write(batch)
            ...
            w.finish(run_info, card_text, metadata)

    Leaving the block without ``finish`` (an exception, Ctrl-C) removes the temporary
    file and leaves nothing under the final name.
    """

    def __init__(self, path: str | Path, overwrite: bool = False, compression: str = "zstd:1",
                 extra_scalars: tuple[str, ...] = ()) -> None:
        self.path = Path(path)
        self.extra_scalars = tuple(extra_scalars)
        self.overwrite = overwrite
        self.compression = compression_from_spec(compression)
        self._ctx = None
        self._file = None
        self._tree = None
        self._finished = False

    def __enter__(self) -> RootWriter:
        self._ctx = atomic_path(self.path, self.overwrite)
        tmp = self._ctx.open()
        try:
            self._open(tmp)
        except BaseException as err:
            self._ctx.close(err)  # discards, raises (an OSError on the output as OutputError)
            raise
        return self

    def _open(self, tmp) -> None:
        self._file = uproot.recreate(tmp, compression=self.compression)
        self._tree = mktree_titled(
            self._file,
            "events",
            _branch_types(self.extra_scalars),
            event_branch_titles(self.extra_scalars),
            title="fipgen events",
            counter_name=_counter_name,
            field_name=lambda outer, inner: f"{outer}_{inner}",
        )

    def write(self, batch: EventBatch) -> None:
        if len(batch) == 0:
            return
        with self._ctx.errors():
            self._tree.extend(batch_to_branches(batch))

    def finish(self, run: dict[str, Any], card_text: str | list[str], metadata: dict[str, Any] | list[dict]) -> None:
        """Write the run record (a scalar per column, or one array entry per input file with
        a card text and metadata each); the file is renamed on leaving the block."""
        cols = {k: np.atleast_1d(np.asarray(v)) for k, v in run.items()}
        cards = [card_text] if isinstance(card_text, str) else list(card_text)
        metas = [metadata] if isinstance(metadata, dict) else list(metadata)
        n = len(cards)
        if len(metas) != n or any(len(v) != n for v in cols.values()):
            raise ValueError("run record: one value per entry in every column, card and metadata")
        with self._ctx.errors():
            types: dict[str, Any] = {k: v.dtype for k, v in cols.items()}
            types.update({"run_card": "string", "run_metadata": "string"})
            run_tree = mktree_titled(self._file, "run", types, {k: t for k in types if (t := run_branch_title(k))},
                                     title="fipgen run: one entry per generated file")
            run_tree.extend({**cols, "run_card": np.array(cards, dtype=object).astype(str),
                             "run_metadata": np.array([json.dumps(m, indent=1, sort_keys=True) for m in metas])})
            # close (flush) here, inside the caller's block: a full disk fails before any rename
            self._close_file()
        self._finished = True

    def _close_file(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            f.close()

    def __exit__(self, exc_type, exc, tb) -> bool:
        err = exc
        try:
            self._close_file()
        except BaseException as e:  # noqa: BLE001 - e.g. ENOSPC flushing: passed to close()
            if err is None:
                err = e
        if err is None and not self._finished:
            err = RuntimeError("RootWriter left without finish(): nothing written")
        # commit, or discard and raise; an OSError that came through the block (not from this
        # file: those were converted where they happened) is passed on as it is
        self._ctx.close(err, convert=err is not exc)
        return False


def read_run(f) -> tuple[dict[str, np.ndarray], list[str], list[dict]]:
    """The run record of an open fipgen ROOT file ``f`` (uproot): its columns (one entry per
    generated file), run cards and metadata; files of either layout (module docstring)."""
    run = f["run"].arrays(library="np")
    if "run_card" in run:
        cards = [str(c) for c in run.pop("run_card")]
        metas = [json.loads(str(m)) for m in run.pop("run_metadata")]
    else:
        cards, metas = [str(f["run_card"])], [json.loads(str(f["run_metadata"]))]
    return run, cards, metas

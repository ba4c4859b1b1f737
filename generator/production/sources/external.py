"""External parent lists: meson fluxes from the collaborations' own beam simulations.

Three formats (docs/outputs.md#what-readers-expect):

* **MeVPrtl text** (SBN's MeVPrtl meson input): one parent per line,
  ``px py pz E pdg weight npot`` (GeV, PDG code, weight, protons on target the line stands
  for). Lines starting with ``#`` and blank lines are skipped. Parents are mesons *as
  produced* in the target, beam frame (z along the protons). :func:`fipgen.io.parent_list.read_mevprtl_text`
  reads them; :func:`source_from_parents` bins one species into a
  :class:`~fipgen.production.sources.meson_spectra.MesonSource` (the form every production
  channel samples from, with exact forcing weights), normalised to
  ``sum(weight) / POT`` where ``POT = sum(npot)`` over the file's lines, unless the file
  says otherwise (see below); :func:`fipgen.io.parent_list.write_mevprtl_text` writes a list (e.g. mesons sampled
  from fipgen's own sources) for SBN's chain.
  The POT of the file: the MeVPrtl convention is that each line carries the POT of the
  sample it came from in its ``npot`` column, *divided among the lines* -- fipgen takes
  ``POT = sum(npot)``. A file whose lines all repeat the sample's total POT must be read
  with ``npot_mode="per-file"`` (``POT = npot`` of the first line; all lines must agree).
* **dk2nu** ROOT files (the NuMI / LBNF / BNB neutrino-flux ntuples; read with uproot):
  the tree ``dk2nuTree`` with the ``decay`` record (``decay.vx, vy, vz`` in cm: the parent's
  decay point; ``decay.pdpx, pdpy, pdpz`` GeV: its momentum at the decay; ``decay.ptype``
  its PDG code; ``decay.nimpwt`` its importance weight) and ``dkmetaTree`` with ``pots``.
  These are parents *at their decay*, already focused by the horns: :func:`read_dk2nu`
  returns them as :class:`~fipgen.production.parents.ParentDecays` (vertex in the
  beamline's frame after the file's z offset, weight per POT), which the charged-meson
  production channels take directly. This is the way to study focused beams: the
  parameterised sources (Sanford-Wang, BMPT, Pythia tables) carry no horn focusing. A dk2nu
  file's neutral mesons (SBND writes its pi0 and eta inputs so: a prompt decay's record is
  the meson as produced) are binned into meson sources like MeVPrtl text (their vertices are
  not kept).
* **TxtFileGenNM text** (``"mevprtl-nm"``, SBND's pi0 input to MeVPrtl, sbncode
  ``sbncode/EventGenerator/MeVPrtl/Tools/TxtFileGenNM_tool.cc``): ``px py pz x y z start_t wgt``
  per line, every line a pi0 standing for 1e6 POT, ``x y z`` its production point in cm
  (:mod:`fipgen.io.parent_list_nm`). :func:`source_with_points` bins the momenta like MeVPrtl
  text (all angles) and **keeps the production points**: every meson a channel draws is made
  at the point of one of the file's lines (drawn by weight, :class:`FilePoints`), moved to the
  beamline frame by ``experiment.parents_z_offset`` (m, as for dk2nu). Given the beamline,
  the lines are split by the solid that holds their point (target, decay pipe, absorber, the
  further solids, elsewhere), one component per solid with its own spectrum, as the cascade
  sources are: a meson's point and momentum come from the same solid's lines (within a
  solid they are drawn independently).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ... import constants as C
from ...errors import PhysicsError
from .meson_spectra import MesonSource
from ...io.parent_list import ParentList, read_mevprtl_text
from ...io.parent_list_nm import NeutralMesonList, read_mevprtl_nm_text
from ..parents import ParentDecays

__all__ = ["source_from_parents", "read_dk2nu", "parent_files", "ExternalParents", "PARENT_FORMATS", "FilePoints",
           "source_with_points"]

#: Formats of ``experiment.parents_format``.
PARENT_FORMATS = ("mevprtl", "dk2nu", "mevprtl-nm")

#: dk2nu lengths are in cm (its ``ptype`` parent codes are PDG codes).
_CM = 0.01


def _fail(path, msg) -> PhysicsError:
    return PhysicsError(f"{path}: {msg}")


def source_from_parents(parents: ParentList, pdg: int, n_p: int = 100, n_theta: int = 100,
                        theta_max: float = math.pi / 2, kind: str = "MeVPrtl text") -> MesonSource:
    """Bin the parents of code ``pdg`` into a :class:`MesonSource` (per POT, provenance = file).

    Momentum bins uniform up to the largest momentum; angle edges quadratic up to
    ``theta_max`` (parents beyond it are counted in the normalisation but lie outside the
    table: the source keeps ``per_pot`` of the tabulated range only, and says so).
    """
    sel = parents["pdg"] == int(pdg)
    if not np.any(sel):
        codes = sorted(set(int(c) for c in parents["pdg"]))
        raise PhysicsError(f"{parents['path']}: no parents with pdg {pdg}; present: {codes}")
    p4 = parents["p4"][sel]
    w = parents["weight"][sel]
    p = np.sqrt(np.einsum("ij,ij->i", p4[:, :3], p4[:, :3]))
    th = np.arccos(np.clip(p4[:, 2] / np.where(p > 0, p, 1.0), -1.0, 1.0))
    p_edges = np.linspace(0.0, float(p.max()) * (1 + 1e-9) + 1e-12, n_p + 1)
    t_edges = theta_max * (np.arange(n_theta + 1) / n_theta) ** 2
    h, _, _ = np.histogram2d(p, th, bins=(p_edges, t_edges), weights=w)
    total = float(h.sum())
    if not total > 0:
        raise PhysicsError(f"{parents['path']}: parents of pdg {pdg} have zero weight inside theta <= {theta_max:.4g}")
    cdf = np.minimum(np.cumsum(h.ravel()) / total, 1.0)
    cdf[-1] = 1.0
    per_pot = total / parents["pot"]
    outside = max(float(w.sum()) - total, 0.0)  # (rounding: never a negative share)
    prov = (f"external parent list {parents['path']} ({kind}): {int(sel.sum())} {C.name(int(pdg))} entries, "
            f"POT {parents['pot']:.6g}; {per_pot:.6g} per POT within theta <= {theta_max:.4g} rad "
            f"({outside / parents['pot']:.3g} per POT outside); {n_p} x {n_theta} bins")
    return MesonSource(int(pdg), per_pot, p_edges, t_edges, cdf, prov)


@dataclass(frozen=True, eq=False)
class FilePoints:
    """Production points of a parent list's lines (beamline frame, m), drawn by line weight:
    ``sample(n, rng)`` returns ``n`` of the lines' own points (one uniform each)."""

    xyz: np.ndarray  # (k, 3) m
    cdf: np.ndarray  # (k,) cumulative line weights, ending at 1

    @classmethod
    def of_lines(cls, xyz, weight) -> FilePoints:
        """The points ``xyz`` (k, 3) with line weights ``weight`` (k,), not all zero."""
        c = np.cumsum(np.asarray(weight, dtype=np.float64))
        c = c / c[-1]
        c[-1] = 1.0
        return cls(np.asarray(xyz, dtype=np.float64), c)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points (n, 3), beam frame (m)."""
        k = np.searchsorted(self.cdf, rng.random(int(n)), side="right")
        return self.xyz[np.minimum(k, self.cdf.size - 1)]


#: The group of lines whose point lies in none of the beamline's solids.
_ELSEWHERE = "elsewhere"


def _solid_groups(points: np.ndarray, beamline) -> list[tuple[str, np.ndarray]]:
    """``[(solid name, line indices)]``: the lines by the beamline solid that holds their point
    (the first listed owns an overlap, as in :meth:`Beamline.elements`), then those in none;
    empty groups left out. One group of every line without a beamline."""
    if beamline is None:
        return [("all lines", np.arange(points.shape[0]))]
    elements = beamline.elements()
    owner = np.full(points.shape[0], len(elements))
    for k in range(len(elements) - 1, -1, -1):  # the first listed last: it owns the overlap
        owner[elements[k].solid.contains(points)] = k
    names = [e.name for e in elements] + [_ELSEWHERE]
    return [(names[k], np.flatnonzero(owner == k)) for k in range(len(names)) if np.any(owner == k)]


def source_with_points(lst: NeutralMesonList, beamline=None, n_p: int = 100, n_theta: int = 100) -> MesonSource:
    """The pi0 of TxtFileGenNM lines as a :class:`MesonSource` that keeps their production points
    (module docstring): momenta binned over every angle (``theta <= pi``), per POT
    ``sum(wgt) / (1e6 x lines)``, points :class:`FilePoints`; with ``beamline``, one component
    per solid holding lines (groups of zero weight left out)."""
    kind = "sbncode TxtFileGenNM text"

    def part(idx: np.ndarray, label: str) -> MesonSource:
        sub = ParentList(p4=lst.p4[idx], pdg=np.full(idx.size, 111), weight=lst.weight[idx], pot=lst.pot,
                         path=lst.path)
        src = source_from_parents(sub, 111, n_p, n_theta, theta_max=math.pi, kind=f"{kind}, {label}")
        return replace(src, points=FilePoints.of_lines(lst.position[idx], lst.weight[idx]))

    groups = [(name, idx) for name, idx in _solid_groups(lst.position, beamline) if lst.weight[idx].sum() > 0]
    if not groups:
        raise PhysicsError(f"{lst.path}: the pi0 lines have zero weight")
    every = np.arange(len(lst))
    where = ", ".join(f"{name} {idx.size} lines" for name, idx in groups)
    top = part(every, f"production points of the lines kept ({where})")
    if len(groups) == 1:
        return top
    return replace(top, components=tuple(part(idx, f"lines in {name}") for name, idx in groups))


def _branch(tree, name: str):
    """Array of the dk2nu leaf ``name`` (e.g. ``"decay.vx"``) under split (``decay/decay.vx``)
    or flat (``decay.vx``) naming."""
    for key in tree.keys(recursive=True):
        if key == name or key.endswith("/" + name):
            return tree[key].array(library="np")
    raise PhysicsError(f"dk2nu tree {tree.name!r} has no branch {name!r}")


def read_dk2nu(path, z_offset: float = 0.0, pdgs=None) -> ParentDecays:
    """Parents at their decay from a dk2nu file, or several (module docstring), as ``ParentDecays``.

    Parameters
    ----------
    path : str or Path, or a list of them
        ROOT file(s) with ``dk2nuTree`` (and ``dkmetaTree`` with ``pots``); several files are
        one sample of the sum of their POT.
    z_offset : float
        Metres added to the file's z to reach the beamline frame (e.g. -0.034925 for G4BNB
        files on fipgen's BNB frame, see geometries/bnb.toml).
    pdgs : iterable of int, optional
        Keep only these parent codes.

    Returns
    -------
    ParentDecays
        ``weight = nimpwt x n / POT`` (so ``weight.mean()`` is decays per POT), ``time`` 0
        (dk2nu does not record it), ``at_rest`` where the momentum at decay is zero.
    """
    from ...io.rootfile import reading_root

    names = ("vx", "vy", "vz", "pdpx", "pdpy", "pdpz", "ptype", "nimpwt")
    parts, pots = [], 0.0
    for one in ([path] if isinstance(path, (str, bytes)) or not hasattr(path, "__iter__") else list(path)):
        with reading_root(one, "a dk2nu file (dk2nuTree and dkmetaTree)") as f:
            if "dk2nuTree" not in f:
                raise PhysicsError(f"{one}: no dk2nuTree (not a dk2nu file)")
            t = f["dk2nuTree"]
            parts.append({k: _branch(t, f"decay.{k}") for k in names})
            if "dkmetaTree" not in f:
                raise PhysicsError(f"{one}: no dkmetaTree (the POT of the file is unknown)")
            p = float(np.sum(_branch(f["dkmetaTree"], "pots")))
        if not p > 0:
            raise PhysicsError(f"{one}: dkmetaTree pots = {p}: must be > 0")
        pots += p
    cols = {k: np.concatenate([c[k] for c in parts]) for k in names}
    pdg = cols["ptype"].astype(np.int32)
    keep = np.ones(pdg.size, dtype=bool) if pdgs is None else np.isin(pdg, list(pdgs))
    n = int(keep.sum())
    vertex = np.stack([cols["vx"], cols["vy"], cols["vz"]], axis=1)[keep] * _CM
    vertex[:, 2] += z_offset
    mom = np.stack([cols["pdpx"], cols["pdpy"], cols["pdpz"]], axis=1)[keep].astype(np.float64)
    m = np.array([C.mass(abs(int(c))) for c in pdg[keep]]) if n else np.zeros(0)
    p4 = np.column_stack([mom, np.sqrt(np.einsum("ij,ij->i", mom, mom) + m * m)]) if n else np.zeros((0, 4))
    w = cols["nimpwt"][keep].astype(np.float64) * n / pots if n else np.zeros(0)
    at_rest = np.einsum("ij,ij->i", mom, mom) == 0.0 if n else np.zeros(0, dtype=bool)
    return ParentDecays(pdg=pdg[keep], vertex=vertex, p4=p4, time=np.zeros(n), weight=w, at_rest=at_rest)


def parent_files(spec) -> list[str]:
    """The files of ``experiment.parents``: a path, a glob pattern (``*``, ``?``, ``[``) or a
    list of either, in that order (each pattern's matches sorted); a pattern matching
    nothing, or a missing file, is an error naming it."""
    import glob

    out: list[str] = []
    for item in ([spec] if isinstance(spec, str) else list(spec)):
        item = str(item)
        if any(c in item for c in "*?["):
            found = sorted(glob.glob(item))
            if not found:
                raise PhysicsError(f"parent files {item!r}: the pattern matches no file")
            out.extend(found)
        else:
            out.append(item)
    if not out:
        raise PhysicsError("parent files: an empty list")
    return out


class ExternalParents:
    """A run card's ``experiment.parents``: the meson sources and parent decays it provides.

    * MeVPrtl text: :meth:`meson_source` bins a species into a ``MesonSource`` (neutral
      mesons decay promptly; charged ones are then transported like the beamline's own); so
      it does for a dk2nu file's neutral mesons (SBND's pi0 and eta inputs).
    * dk2nu: :meth:`decays` resamples the file's parents of a species at their decay points
      (uniformly over its entries, weight ``nimpwt x n_species / POT``: unbiased for the
      decays per POT) for the charged-meson (HNL) channels.
    * TxtFileGenNM text (``"mevprtl-nm"``): pi0 only, :meth:`meson_source` keeps the lines'
      production points (:func:`source_with_points`), shifted by ``z_offset``.
    """

    def __init__(self, path, fmt: str, z_offset: float = 0.0, beamline=None) -> None:
        """``path``: a file, a glob pattern or a list of either (:func:`parent_files`): the files
        are one sample of the sum of their POT. ``beamline``: where the production points of a
        ``"mevprtl-nm"`` list are sorted by solid (:func:`source_with_points`)."""
        if fmt not in PARENT_FORMATS:
            raise PhysicsError(f"parents format must be one of {', '.join(repr(f) for f in PARENT_FORMATS)}, got {fmt!r}")
        files = parent_files(path)
        self.path = files[0] if len(files) == 1 else f"{files[0]} (+{len(files) - 1} files)"
        self.files, self.format, self.z_offset, self.beamline = files, fmt, float(z_offset), beamline
        if fmt == "mevprtl":
            lists = [read_mevprtl_text(f) for f in files]
            self._list = lists[0] if len(lists) == 1 else ParentList(
                p4=np.concatenate([x["p4"] for x in lists]), pdg=np.concatenate([x["pdg"] for x in lists]),
                weight=np.concatenate([x["weight"] for x in lists]), pot=float(sum(x["pot"] for x in lists)),
                path=self.path)
        elif fmt == "dk2nu":
            self._all = read_dk2nu(files, z_offset=z_offset)
        else:
            lists = [read_mevprtl_nm_text(f) for f in files]
            pos = np.concatenate([x.position for x in lists])
            pos[:, 2] += self.z_offset
            self._nm = NeutralMesonList(p4=np.concatenate([x.p4 for x in lists]), position=pos,
                                        start_t=np.concatenate([x.start_t for x in lists]),
                                        weight=np.concatenate([x.weight for x in lists]), path=self.path)
        self._sources: dict[int, MesonSource] = {}

    def meson_source(self, pdg: int) -> MesonSource:
        """The species ``pdg`` of the file binned as a meson source. A dk2nu file's neutral
        mesons (as SBND writes its pi0 and eta inputs: the ``decay`` record of a prompt decay is
        the meson as produced) are binned alike, weight ``nimpwt`` over the file's POT; their
        vertices are not kept (as for MeVPrtl text, the source places production at the
        beamline's own points). TxtFileGenNM text keeps its lines' production points
        (:func:`source_with_points`)."""
        if pdg not in self._sources:
            if self.format == "mevprtl-nm":
                if int(pdg) != 111:
                    raise PhysicsError(f"{self.path}: no parents with pdg {pdg}; present: [111] (sbncode's "
                                       "TxtFileGenNM text holds pi0 only)")
                self._sources[pdg] = source_with_points(self._nm, self.beamline)
            elif self.format == "mevprtl":
                self._sources[pdg] = source_from_parents(self._list, pdg)
            else:
                a = self._all  # (weights nimpwt x n_all / POT: over n_all entries, per POT)
                lst = ParentList(p4=a.p4, pdg=a.pdg, weight=a.weight, pot=float(max(len(a), 1)), path=self.path)
                self._sources[pdg] = source_from_parents(lst, pdg, kind="dk2nu")
        return self._sources[pdg]

    def per_pot_by_species(self) -> dict[int, float]:
        """Parents per POT of every species in the file (MeVPrtl: as produced, all angles;
        dk2nu: decays per POT, the file's ``nimpwt`` summed over its POT; TxtFileGenNM: pi0,
        ``sum(wgt) / (1e6 x lines)``)."""
        if self.format == "mevprtl-nm":
            return {111: self._nm.per_pot}
        if self.format == "mevprtl":
            a = self._list
            codes, inv = np.unique(a["pdg"], return_inverse=True)
            sums = np.bincount(inv, weights=a["weight"])
            return {int(c): float(s / a["pot"]) for c, s in zip(codes, sums)}
        a = self._all
        codes, inv = np.unique(a.pdg, return_inverse=True)
        # read_dk2nu's weights are nimpwt x n_all / POT: their sum over a species / n_all is per POT
        sums = np.bincount(inv, weights=a.weight) / max(len(a), 1)
        return {int(c): float(s) for c, s in zip(codes, sums)}

    def decays(self, pdg: int):
        """``(parents(n, rng, beamline) -> ParentDecays, decays per POT)`` of species ``pdg`` (dk2nu)."""
        if self.format != "dk2nu":
            raise PhysicsError(f"{self.path}: parents at their decay come from dk2nu files, not {self.format!r} text")
        a = self._all
        sel = np.flatnonzero(a.pdg == int(pdg))
        if sel.size == 0:
            present = sorted(set(int(c) for c in a.pdg))
            raise PhysicsError(f"{self.path}: no parents with pdg {pdg}; present: {present}")
        # read_dk2nu's weights are nimpwt x n_all / POT: rescale to this species' entries
        w = a.weight[sel] * sel.size / len(a)
        vtx, p4, t, rest = a.vertex[sel], a.p4[sel], a.time[sel], a.at_rest[sel]
        codes = a.pdg[sel]

        def parents(n, rng, beamline):
            k = rng.integers(0, sel.size, n)
            return ParentDecays(pdg=codes[k], vertex=vtx[k], p4=p4[k], time=t[k], weight=w[k], at_rest=rest[k])

        per_pot = float(w.mean())
        parents.per_pot = per_pot
        parents.provenance = (f"dk2nu parents {self.path}: {sel.size} {C.name(abs(int(pdg)))} decays, "
                              f"{per_pot:.4g} per POT (z offset {self.z_offset} m)")
        return parents, per_pot

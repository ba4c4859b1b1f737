"""Beamline and detector files (``geometries/*.toml``) -> frozen geometry objects.

A name (``"sbnd"``) is a packaged file, found with :func:`fipgen.resources.data_file`;
a string ending in ``.toml`` or containing a path separator is a user file (relative to
the working directory). The schema is strict and documented in
``geometries/README.md``; every problem raises one
:class:`~fipgen.errors.GeometryError` line naming the file, the dotted key, the value
and what is allowed. Parsed files are cached per resolved path (and modification time).

Frames and units: metres, GeV, nanoseconds. Each beamline has its beam frame (z along
the primary beam, y up, origin at the upstream face of what the protons hit, unless its
file says otherwise); every beamline element is a :class:`~.shapes.Solid` in that frame.
A detector's active volume is a solid in the detector's own frame, placed in the beam
frame by ``Detector.frame``: ``x_beam = R @ x_det + origin``.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..constants import MAX_POT
from ..errors import GeometryError
from .frames import Placement
from .materials import Material, TableReader, get_material, material_names
from .overlaps import check_detector_on_beamline, check_detector_volumes
from .shapes import Box, Cylinder, Solid, Sphere, Volume

__all__ = [
    "PROTON_MASS",
    "Beamline",
    "Detector",
    "Element",
    "Timing",
    "list_geometries",
    "load_beamline",
    "load_detector",
]

#: PDG 2022 proton mass, GeV.
PROTON_MASS = 0.93827208816

#: Packaged files in ``geometries/`` that are not beamlines or detectors.
_NOT_GEOMETRIES = ("materials",)


# --------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class Element:
    """A piece of a beamline (target, dump, decay pipe, absorber).

    Attributes
    ----------
    name : str
        ``"target"``, ``"decay_pipe"`` or ``"absorber"``.
    material : Material
        What it is made of.
    solid : Solid
        Its shape, in the beam frame (metres).
    """

    name: str
    material: Material
    solid: Solid


@dataclass(frozen=True)
class Timing:
    """Bunch structure of the spill (nanoseconds).

    Attributes
    ----------
    n_buckets : int
        Number of RF buckets in the spill, filled equally.
    bucket_spacing : float
        Time between buckets, ns.
    bucket_sigma : float
        Gaussian sigma of the proton time within a bucket, ns.
    spill_length : float
        Length of the spill, ns.
    """

    n_buckets: int
    bucket_spacing: float
    bucket_sigma: float
    spill_length: float


@dataclass(frozen=True)
class Beamline:
    """A primary beam and what it hits, in its beam frame (metres, GeV).

    Attributes
    ----------
    name, title : str
        File name (without ``.toml``) and description.
    beam_particle : int
        PDG code of the primary (2212 for protons).
    beam_momentum : float
        Primary momentum, GeV/c.
    beam_spot : tuple of 2 float
        Gaussian sigmas (x, y) of the beam at the target, metres (0: pencil beam).
    target : Element
        What the primary hits first (target or dump).
    decay_pipe, absorber : Element or None
        Optional further elements.
    timing : Timing or None
        Bunch structure, if the file gives one.
    sources : tuple of str
        Where the numbers come from.
    path : str
        The file read.
    particle_sources : tuple of (str, str)
        ``[beamline.particle_sources]``: the packaged particle sources the file names (meson
        source set, table entry, shower table; :mod:`fipgen.production.sources.resolve`); empty when
        it names none.
    solids : tuple of Element
        ``[[beamline.solids]]``: further solids the beam's hadron cascade can reach (walls,
        shielding, the steel around an absorber core), each with its own name and material;
        empty when the file lists none. Where solids overlap, the one listed first (target,
        decay pipe, absorber, then these in file order) owns the overlap
        (:mod:`fipgen.cascade.world`).
    """

    name: str
    title: str
    beam_particle: int
    beam_momentum: float
    beam_spot: tuple[float, float]
    target: Element
    decay_pipe: Element | None
    absorber: Element | None
    timing: Timing | None
    sources: tuple[str, ...]
    path: str
    particle_sources: tuple[tuple[str, str], ...] = ()
    solids: tuple[Element, ...] = ()

    @property
    def beam_mass(self) -> float:
        """Mass of the primary, GeV (the PDG proton mass for protons)."""
        if self.beam_particle == 2212:
            return PROTON_MASS
        from ..constants import mass

        return mass(self.beam_particle)

    @property
    def lepton_beam(self) -> bool:
        """An electron or positron beam (``beam_particle`` 11 or -11): its sources are its own
        electromagnetic showers in the beamline's solids (fipgen.cascade.beam_showers)."""
        return abs(int(self.beam_particle)) == 11

    @property
    def beam_energy(self) -> float:
        """Total energy of the primary, GeV: ``sqrt(p^2 + m^2)``."""
        return math.hypot(self.beam_momentum, self.beam_mass)

    def elements(self) -> tuple[Element, ...]:
        """The elements present: target, decay pipe, absorber (those the file has), then the
        further ``solids`` in file order."""
        return tuple(e for e in (self.target, self.decay_pipe, self.absorber) if e is not None) + self.solids


@dataclass(frozen=True)
class Detector:
    """A detector's active volume and where it sits on its beamline.

    Attributes
    ----------
    name, title : str
        File name (without ``.toml``) and description.
    beamline : str
        Name of a packaged beamline, or the absolute path of a beamline file.
    material : Material
        Material of the active volume.
    frame : Placement
        Detector frame -> beam frame: ``x_beam = R @ x_det + origin`` (metres).
    active : Solid
        Active volume, detector frame.
    exposure_pot : float
        Default exposure (protons on target) for run cards; at most
        :data:`fipgen.constants.MAX_POT` (1e30).
    sources : tuple of str
        Where the numbers come from.
    path : str
        The file read.
    """

    name: str
    title: str
    beamline: str
    material: Material
    frame: Placement
    active: Solid
    exposure_pot: float
    sources: tuple[str, ...]
    path: str
    overlaps_beamline: bool = False

    @cached_property
    def active_beam(self) -> Solid:
        """The active volume in the beam frame (computed once)."""
        return self.active.transformed(self.frame)

    def to_detector_frame(self, points_beam: Any) -> np.ndarray:
        """Beam-frame points (..., 3) -> detector frame, metres."""
        return self.frame.to_local(points_beam)

    def to_beam_frame(self, points_det: Any) -> np.ndarray:
        """Detector-frame points (..., 3) -> beam frame, metres."""
        return self.frame.to_parent(points_det)

    def vectors_to_detector_frame(self, v: Any) -> np.ndarray:
        """Beam-frame vectors (..., 3) (directions, momenta) -> detector frame (rotation only)."""
        return self.frame.vectors_to_local(v)

    def vectors_to_beam_frame(self, v: Any) -> np.ndarray:
        """Detector-frame vectors (..., 3) -> beam frame (rotation only)."""
        return self.frame.vectors_to_parent(v)


# ------------------------------------------------------------------------ file access


def _is_path(s: str) -> bool:
    return s.endswith(".toml") or "/" in s or os.sep in s or (os.altsep is not None and os.altsep in s)


def _packaged(name: str):
    from ..resources import data_file

    return data_file("geometries", name + ".toml")


def _packaged_names() -> list[str]:
    from ..resources import list_data

    return [n for n in list_data("geometries", ".toml") if n not in _NOT_GEOMETRIES]


@lru_cache(maxsize=1)
def _packaged_kinds() -> dict[str, tuple[str, str]]:
    """name -> (kind, title) of every packaged geometry file (light read, cached)."""
    out: dict[str, tuple[str, str]] = {}
    for name in _packaged_names():
        try:
            doc = tomllib.loads(_packaged(name).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise GeometryError(f"{name}.toml: not valid TOML: {err}") from None
        for kind in ("beamline", "detector"):
            if isinstance(doc.get(kind), dict):
                out[name] = (kind, str(doc[kind].get("title", "")))
                break
    return out


def list_geometries() -> list[tuple[str, str, str]]:
    """``(name, kind, title)`` of every packaged beamline and detector file, by name."""
    return [(n, k, t) for n, (k, t) in sorted(_packaged_kinds().items())]


def _names_of(kind: str) -> list[str]:
    return [n for n, (k, _) in sorted(_packaged_kinds().items()) if k == kind]


def _locate(name_or_path: Any, kind: str, base: Path | None = None) -> tuple[str, bool]:
    """``(key, packaged)``: a packaged name, or the resolved path of a user file."""
    if not isinstance(name_or_path, str) or not name_or_path.strip():
        raise GeometryError(f"{kind} must be a name or a .toml path, got {name_or_path!r}")
    s = name_or_path.strip()
    if _is_path(s):
        p = Path(s).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        p = p.resolve()
        if not p.is_file():
            raise GeometryError(f"{kind} file not found: {s}")
        return str(p), False
    if s in _NOT_GEOMETRIES or not _packaged(s).is_file():
        raise GeometryError(f"unknown {kind} {s!r}; available: {', '.join(_names_of(kind))}")
    other = _packaged_kinds().get(s, (kind, ""))[0]
    if other != kind:
        raise GeometryError(f"{s!r} is a {other}, not a {kind}; {kind}s: {', '.join(_names_of(kind))}")
    return s, True


def _read(key: str, packaged: bool) -> tuple[dict, str, str]:
    """``(document, shown name, path string)`` of a geometry file."""
    if packaged:
        res = _packaged(key)
        shown, path = f"{key}.toml", str(res)
        text = res.read_text(encoding="utf-8")
    else:
        shown = path = key
        try:
            text = Path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise GeometryError(f"{shown}: cannot read: {err}") from None
    try:
        return tomllib.loads(text), shown, path
    except tomllib.TOMLDecodeError as err:
        raise GeometryError(f"{shown}: not valid TOML: {err}") from None


def _cache_key(key: str, packaged: bool) -> tuple[str, bool, int]:
    mtime = 0 if packaged else Path(key).stat().st_mtime_ns
    return key, packaged, mtime


def _top(doc: dict, shown: str, kind: str) -> TableReader:
    other = "detector" if kind == "beamline" else "beamline"
    if kind not in doc and isinstance(doc.get(other), dict):
        raise GeometryError(f"{shown}: is a {other} file ([{other}]), not a {kind} file")
    root = TableReader(shown, "", doc)
    root.check_keys({kind: f"the [{kind}] table"}, (kind,))
    return root.table(kind)


# ------------------------------------------------------------------------- volumes

_SHAPES = ("box", "cylinder", "sphere")
_SHAPE_KEYS = {"box": ("size",), "cylinder": ("radius", "length"), "sphere": ("radius",)}
_VOLUME_KEYS = {
    "name": "label",
    "material": "a key of the materials table",
    "shape": "box | cylinder | sphere",
    "size": "box: [dx, dy, dz] full lengths, m",
    "radius": "cylinder or sphere radius, m",
    "length": "cylinder full length along its axis (local z), m",
    "position": "centre [x, y, z], m",
    "rotation": "{ axis = 'x'|'y'|'z'|[ux, uy, uz], angle = radians } or 3x3 rows",
}


def _material(t: TableReader, name: str = "material") -> Material:
    value = t.data[name]
    if not isinstance(value, str):
        raise t.error(name, value, "expected a material name (string)")
    try:
        return get_material(value)
    except GeometryError:
        raise t.error(name, value, "unknown material; allowed: " + ", ".join(material_names())) from None


def _volume(t: TableReader, default_name: str, default_material: Material | None) -> Volume:
    required = ("shape",) if default_material is not None else ("shape", "material")
    t.check_keys(_VOLUME_KEYS, required)
    shape_name = t.choice("shape", _SHAPES)
    for key in ("size", "radius", "length"):
        if key not in _SHAPE_KEYS[shape_name] and t.has(key):
            raise t.error(key, t.data[key], f"not a key of a {shape_name}; a {shape_name} takes " + ", ".join(_SHAPE_KEYS[shape_name]))
    for key in _SHAPE_KEYS[shape_name]:
        if not t.has(key):
            raise GeometryError(f"{t.file}: missing required key {t.key(key)} ({_VOLUME_KEYS[key]})")
    if shape_name == "box":
        shape: Box | Cylinder | Sphere = Box(t.vector("size", positive=True))
    elif shape_name == "cylinder":
        shape = Cylinder(t.number("radius", positive=True, unit="m"), t.number("length", positive=True, unit="m"))
    else:
        shape = Sphere(t.number("radius", positive=True, unit="m"))
    position = t.vector("position") if t.has("position") else None
    rotation = t.data.get("rotation")
    try:
        placement = Placement.from_spec(position, rotation)
    except GeometryError as err:
        raise t.error("rotation", rotation, str(err)) from None
    material = _material(t) if t.has("material") else default_material
    name = t.string("name") if t.has("name") else default_name
    return Volume(name, shape, placement, material.name if material is not None else None)


def _element(parent: TableReader, key: str) -> Element | None:
    if not parent.has(key):
        return None
    t = parent.table(key)
    vol = _volume(t, key, None)
    return Element(key, get_material(vol.material), Solid((vol,)))


# ------------------------------------------------------------------------ beamlines

_BEAMLINE_KEYS = {
    "kind": '"beamline"',
    "name": "short name",
    "title": "description",
    "beam_particle": "PDG code of the primary, integer",
    "beam_momentum": "GeV/c",
    "sources": "list of strings",
    "beam_spot": "table: sigma_x, sigma_y (m)",
    "target": "volume table: what the primary hits first",
    "decay_pipe": "volume table",
    "absorber": "volume table",
    "timing": "table: n_buckets, bucket_spacing, bucket_sigma, spill_length (ns)",
    "particle_sources": "table: mesons, first_interactions, first_interaction_tables, table_entry, showers, "
                        "cascade_pot, cascade_showers, cascade_table (fipgen.production.sources.resolve)",
    "solids": "[[beamline.solids]] volume tables (name, material, shape, size/radius/length, position, rotation)",
}
_SOURCES_KEYS = {
    "mesons": "meson source set: 'bnb-sanford-wang', 'bnb-dump-sanford-wang', 'tables-120gev' or 'cascade'",
    "cascade_pot": "beam particles the cascade simulates (with mesons = 'cascade'), positive integer",
    "cascade_showers": "EM seeds showered per solid by the cascade (for an electron or positron beam: beam particles "
                       "showered), positive integer",
    "cascade_table": "prebuilt cascade table in fluxes/ (with mesons = 'cascade', or an electron beam's shower table; "
                     "used while it matches the file)",
    "first_interactions": "measured fits replacing the cascade's generation-1 target mesons (with mesons = 'cascade'): "
                          "'bnb-sanford-wang' or 'tables-120gev'",
    "first_interaction_tables": "the first-interaction source set of the variant 'first-interactions' (with mesons = "
                                "'cascade'): 'bnb-sanford-wang', 'bnb-dump-sanford-wang' or 'tables-120gev'",
    "table_entry": "entry of the 120 GeV tables' header for this target (with a 'tables-120gev' set)",
    "showers": "shower track-length table in fluxes/ (e.g. 'shower_numi.npz')",
}
#: The particle_sources keys of an electron or positron beam (fipgen.cascade.beam_showers).
_LEPTON_SOURCES_KEYS = ("cascade_showers", "cascade_table")
_BEAMLINE_REQUIRED = ("kind", "name", "title", "beam_particle", "beam_momentum", "sources", "target")
_SPOT_KEYS = {"sigma_x": "gaussian sigma, m", "sigma_y": "gaussian sigma, m"}
_TIMING_KEYS = {
    "n_buckets": "RF buckets in the spill, integer",
    "bucket_spacing": "ns",
    "bucket_sigma": "ns",
    "spill_length": "ns",
}


def _check_kind_and_name(t: TableReader, kind: str, packaged_name: str | None) -> str:
    value = t.data["kind"]
    if value != kind:
        raise t.error("kind", value, f'expected "{kind}"')
    name = t.string("name")
    if packaged_name is not None and name != packaged_name:
        raise t.error("name", name, f"must equal the file name {packaged_name!r}")
    return name


def _parse_beamline(doc: dict, shown: str, path: str, packaged_name: str | None) -> Beamline:
    t = _top(doc, shown, "beamline")
    t.check_keys(_BEAMLINE_KEYS, _BEAMLINE_REQUIRED)
    name = _check_kind_and_name(t, "beamline", packaged_name)
    spot = (0.0, 0.0)
    if t.has("beam_spot"):
        s = t.table("beam_spot")
        s.check_keys(_SPOT_KEYS, tuple(_SPOT_KEYS))
        spot = (s.number("sigma_x", nonnegative=True, unit="m"), s.number("sigma_y", nonnegative=True, unit="m"))
    timing = None
    if t.has("timing"):
        s = t.table("timing")
        s.check_keys(_TIMING_KEYS, tuple(_TIMING_KEYS))
        timing = Timing(
            n_buckets=s.integer("n_buckets", positive=True),
            bucket_spacing=s.number("bucket_spacing", positive=True, unit="ns"),
            bucket_sigma=s.number("bucket_sigma", nonnegative=True, unit="ns"),
            spill_length=s.number("spill_length", positive=True, unit="ns"),
        )
        train = (timing.n_buckets - 1) * timing.bucket_spacing
        if train > timing.spill_length * (1.0 + 1e-9):
            raise s.error(
                "spill_length", timing.spill_length,
                f"shorter than the bucket train, (n_buckets - 1) x bucket_spacing = {train:.6g} ns",
            )
    target = _element(t, "target")
    assert target is not None
    beam_particle = t.integer("beam_particle")
    particle_sources: tuple[tuple[str, str], ...] = ()
    if t.has("particle_sources"):
        s = t.table("particle_sources")
        s.check_keys(_SOURCES_KEYS)
        if abs(beam_particle) == 11:  # an electron beam's sources are its own showers
            for k in s.data:
                if k not in _LEPTON_SOURCES_KEYS:
                    raise s.error(k, s.data[k], f"not for an electron or positron beam (beam_particle = {beam_particle}): "
                                  "its sources are the beam's own showers in the solids; allowed: "
                                  + ", ".join(_LEPTON_SOURCES_KEYS))
        particle_sources = tuple((k, str(s.integer(k, positive=True)) if k in ("cascade_pot", "cascade_showers")
                                 else s.string(k))
                                 for k in _SOURCES_KEYS if k in s.data)
    solids: list[Element] = []
    if t.has("solids"):
        for s in t.tables("solids"):
            for key in ("name", "material"):
                if not s.has(key):
                    raise GeometryError(f"{s.file}: missing required key {s.key(key)} ({_VOLUME_KEYS[key]})")
            vol = _volume(s, "", None)
            taken = ["target", "decay_pipe", "absorber"] + [e.name for e in solids]
            if vol.name in taken:
                raise s.error("name", vol.name, "already used; each solid needs its own name (not " + ", ".join(taken) + ")")
            solids.append(Element(vol.name, get_material(vol.material), Solid((vol,))))
    return Beamline(
        name=name,
        title=t.string("title"),
        beam_particle=beam_particle,
        beam_momentum=t.number("beam_momentum", positive=True, unit="GeV/c"),
        beam_spot=spot,
        target=target,
        decay_pipe=_element(t, "decay_pipe"),
        absorber=_element(t, "absorber"),
        timing=timing,
        sources=t.strings("sources"),
        path=path,
        particle_sources=particle_sources,
        solids=tuple(solids),
    )


@lru_cache(maxsize=None)
def _beamline_cached(key: str, packaged: bool, mtime: int) -> Beamline:
    doc, shown, path = _read(key, packaged)
    return _parse_beamline(doc, shown, path, key if packaged else None)


def load_beamline(name_or_path: str) -> Beamline:
    """Load a beamline: a packaged name (``"bnb"``) or a ``.toml`` path.

    Raises
    ------
    GeometryError
        Unknown name, missing file or malformed content (one line).
    """
    key, packaged = _locate(name_or_path, "beamline")
    return _beamline_cached(*_cache_key(key, packaged))


# ------------------------------------------------------------------------ detectors

_DETECTOR_KEYS = {
    "kind": '"detector"',
    "name": "short name",
    "title": "description",
    "beamline": "name of a beamline file (or a .toml path)",
    "material": "a key of the materials table",
    "exposure_pot": "default protons on target, 0 < exposure_pot <= 1e30",
    "sources": "list of strings",
    "frame": "table: origin [x, y, z] (m) of the detector frame in the beam frame, optional rotation",
    "volumes": "[[detector.volumes]] tables: the active volume, detector frame",
    "overlaps_beamline": "true when the volume deliberately overlaps the beamline's target or absorber "
                         "(e.g. a public code's acceptance region for a comparison); default false: refused",
}
_DETECTOR_REQUIRED = ("kind", "name", "title", "beamline", "material", "exposure_pot", "sources", "frame", "volumes")
_FRAME_KEYS = {"origin": "[x, y, z] of the detector origin in the beam frame, m", "rotation": _VOLUME_KEYS["rotation"]}


def _parse_detector(doc: dict, shown: str, path: str, packaged_name: str | None) -> Detector:
    t = _top(doc, shown, "detector")
    t.check_keys(_DETECTOR_KEYS, _DETECTOR_REQUIRED)
    name = _check_kind_and_name(t, "detector", packaged_name)
    material = _material(t)

    ref = t.string("beamline")
    base = None if packaged_name is not None else Path(path).parent
    if packaged_name is not None and _is_path(ref):
        raise t.error("beamline", ref, "a packaged detector names a packaged beamline, not a path")
    try:
        bl_key, bl_packaged = _locate(ref, "beamline", base)
    except GeometryError as err:
        raise t.error("beamline", ref, str(err)) from None
    beamline = load_beamline(bl_key)  # a detector is only valid with a valid beamline

    f = t.table("frame")
    f.check_keys(_FRAME_KEYS, ("origin",))
    origin = f.vector("origin")
    try:
        frame = Placement.from_spec(origin, f.data.get("rotation"))
    except GeometryError as err:
        raise f.error("rotation", f.data.get("rotation"), str(err)) from None

    volumes = []
    seen: set[str] = set()
    for i, vt in enumerate(t.tables("volumes")):
        vol = _volume(vt, f"volume_{i}", material)
        if vol.name in seen:
            raise vt.error("name", vol.name, "duplicate volume name")
        seen.add(vol.name)
        volumes.append(vol)

    exposure_pot = t.number("exposure_pot", positive=True, unit="protons on target")
    if exposure_pot > MAX_POT:
        raise t.error("exposure_pot", exposure_pot, f"expected a positive number <= {MAX_POT:.0e} (protons on target)")

    overlaps = t.data.get("overlaps_beamline", False)
    if not isinstance(overlaps, bool):
        raise t.error("overlaps_beamline", overlaps, "expected true or false")
    active = Solid(tuple(volumes))
    check_detector_volumes(name, active)
    detector = Detector(
        name=name,
        title=t.string("title"),
        beamline=bl_key,
        material=material,
        frame=frame,
        active=active,
        exposure_pot=exposure_pot,
        sources=t.strings("sources"),
        path=path,
        overlaps_beamline=overlaps,
    )
    if not detector.overlaps_beamline:
        check_detector_on_beamline(detector, beamline)
    return detector


@lru_cache(maxsize=None)
def _detector_cached(key: str, packaged: bool, mtime: int) -> Detector:
    doc, shown, path = _read(key, packaged)
    return _parse_detector(doc, shown, path, key if packaged else None)


def load_detector(name_or_path: str) -> Detector:
    """Load a detector: a packaged name (``"sbnd"``) or a ``.toml`` path.

    Its beamline (``Detector.beamline``) is checked to load; get it with
    :func:`load_beamline`.

    Raises
    ------
    GeometryError
        Unknown name, missing file or malformed content (one line).
    """
    key, packaged = _locate(name_or_path, "detector")
    return _detector_cached(*_cache_key(key, packaged))

"""Packaged geometry files, materials, the loader's strict schema and the setup plot."""

from __future__ import annotations

import math
import os
import tomllib

import numpy as np
import pytest

from fipgen.errors import GeometryError, OutputError
from fipgen.geometry import (
    PROTON_MASS,
    get_material,
    list_geometries,
    load_beamline,
    load_detector,
    material_names,
    materials,
)
from fipgen.geometry.materials import AVOGADRO
from fipgen.resources import data_dir

BEAMLINES = {"bnb", "bnb_dump", "numi", "lbnf", "darkquest_beam", "e137"}
DETECTORS = {
    "sbnd", "microboone", "icarus", "miniboone", "miniboone_dump", "dune_nd_lar",
    "darkquest", "argoneut", "icarus_numi", "microboone_numi", "e137_detector",
}


def centre(det):
    lo, hi = det.active_beam.extent()
    return 0.5 * (lo + hi)


def ray(origin, direction):
    o = np.asarray(origin, dtype=float).reshape(1, 3)
    d = np.asarray(direction, dtype=float)
    return o, (d / np.linalg.norm(d)).reshape(1, 3)


# --------------------------------------------------------------------- packaged files


def test_packaged_names_and_kinds():
    rows = list_geometries()
    kinds = {n: k for n, k, _ in rows}
    assert {n for n, k in kinds.items() if k == "beamline"} == BEAMLINES
    assert {n for n, k in kinds.items() if k == "detector"} == DETECTORS
    assert "materials" not in kinds
    assert all(t.strip() for _, _, t in rows)


@pytest.mark.parametrize("name", sorted(BEAMLINES))
def test_every_beamline_loads(name):
    bl = load_beamline(name)
    assert bl.name == name
    assert bl.sources and all(s.strip() for s in bl.sources)
    assert bl.beam_particle == (11 if name == "e137" else 2212)
    assert bl.beam_energy == pytest.approx(math.hypot(bl.beam_momentum, 0.51099895e-3 if bl.lepton_beam else PROTON_MASS))
    assert bl.path.endswith(f"{name}.toml") and os.path.isfile(bl.path)
    lo, hi = bl.target.solid.extent()
    # the beam frame starts at the upstream face of what the protons hit (DarkQuest: the
    # FMAG face, with the 27.94 cm beam hole in front of the iron)
    assert lo[2] == pytest.approx(0.2794 if name == "darkquest_beam" else 0.0, abs=1e-9)
    assert lo[0] < 0.0 < hi[0] and lo[1] < 0.0 < hi[1]
    assert load_beamline(name) is bl  # cached


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_every_detector_loads_and_its_beamline_exists(name):
    det = load_detector(name)
    assert det.name == name
    assert det.beamline in BEAMLINES
    bl = load_beamline(det.beamline)
    assert det.exposure_pot > 0 and det.sources
    assert det.path.endswith(f"{name}.toml")
    assert det.active.volume_sum() > 0
    # the active volume is downstream of the target and clear of it
    lo, _ = det.active_beam.extent()
    assert lo[2] > bl.target.solid.extent()[1][2] - 1e-9
    assert load_detector(name) is det


@pytest.mark.parametrize("name", sorted(BEAMLINES | DETECTORS) + ["materials"])
def test_every_file_has_a_documented_header(name):
    text = data_dir("geometries").joinpath(name + ".toml").read_text(encoding="utf-8")
    header = text.split("\n[", 1)[0]
    assert all(line.startswith("#") or not line.strip() for line in header.splitlines())
    for word in ("UNITS", "SOURCE"):
        assert word in header, f"{name}.toml header lacks {word}"
    if name != "materials":
        assert "FRAME" in header


# ------------------------------------------------------------------------ positions


@pytest.mark.parametrize(
    "name, z_centre, tol",
    [
        ("sbnd", 112.465, 0.01),  # front face 110 m from the G4BNB origin
        ("microboone", 469.965, 0.01),
        ("icarus", 599.965, 0.01),
        ("miniboone", 541.305, 0.01),
        ("miniboone_dump", 491.026, 0.01),
        ("dune_nd_lar", 562.1, 0.01),
        ("darkquest", 5.5146, 1e-4),
    ],
)
def test_on_axis_detector_positions(name, z_centre, tol):
    assert centre(load_detector(name))[2] == pytest.approx(z_centre, abs=tol)


def test_sbnd_position_and_frame():
    det = load_detector("sbnd")
    lo, hi = det.active_beam.extent()
    assert lo[2] == pytest.approx(110.0 - 0.034925, abs=1e-6)  # G4BNB z = 110 m
    assert centre(det)[0] == pytest.approx(0.7378, abs=1e-9)
    np.testing.assert_allclose(det.to_detector_frame([0.7378, 0.0, 109.965075]), [0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(det.to_beam_frame([0.0, 0.0, 2.5]), [0.7378, 0.0, 112.465075], atol=1e-9)


def test_miniboone_distances():
    c = centre(load_detector("miniboone"))
    assert c[1] == pytest.approx(1.89614)
    assert np.linalg.norm(c) == pytest.approx(541.3, abs=0.1)
    cd = centre(load_detector("miniboone_dump"))
    assert np.linalg.norm(cd) == pytest.approx(491.0, abs=0.1)  # BdNMC card: 491 m
    # the same detector seen from the target and from the dump
    assert c[2] - cd[2] == pytest.approx(50.278674, abs=1e-6)


@pytest.mark.parametrize(
    "name, dist, angle_mrad, tol_m, tol_mrad",
    [
        ("icarus_numi", 799.0, 100.0, 1.5, 1.0),  # SIREN ~799 m at 100 mrad
        ("microboone_numi", 682.0, 135.0, 4.0, 3.0),  # SIREN ~682 m at 135 mrad
        ("argoneut", 1036.0, 0.5, 1.0, 1.0),
    ],
)
def test_numi_detector_positions(name, dist, angle_mrad, tol_m, tol_mrad):
    c = centre(load_detector(name))
    assert np.linalg.norm(c) == pytest.approx(dist, abs=tol_m)
    assert math.atan2(math.hypot(c[0], c[1]), c[2]) * 1e3 == pytest.approx(angle_mrad, abs=tol_mrad)


def test_icarus_numi_frame_matches_the_numi_flux_location():
    # ICARUS TPC centre (0, -0.2345, 0) m of the detector frame is at NuMI (450.37,
    # 7991.98, 79512.66) cm (ICARUS NuMI flux studies); our z is NuMI z + 0.35 m.
    det = load_detector("icarus_numi")
    p = det.to_beam_frame([0.0, -0.2345, 0.0])
    np.testing.assert_allclose(p, [4.5037, 79.9198, 795.1266 + 0.35], atol=2e-3)


def test_beam_direction_in_tilted_detector_frames():
    # NuMI dips 58.3 mrad and LBNF 101 mrad: in the detectors' (horizontal) frames the
    # beam points down by that angle.
    for name, angle in (("argoneut", 0.0582977560), ("dune_nd_lar", 0.101)):
        d = load_detector(name).vectors_to_detector_frame([0.0, 0.0, 1.0])
        np.testing.assert_allclose(d, [0.0, -math.sin(angle), math.cos(angle)], atol=1e-12)
    # NuMI neutrinos cross MicroBooNE along (0.462, 0.049, 0.885) in LArSoft coordinates
    det = load_detector("microboone_numi")
    src = det.to_detector_frame([0.0, 0.0, 0.0])
    u = -src / np.linalg.norm(src)
    np.testing.assert_allclose(u, [0.4624, 0.0489, 0.8853], atol=2e-3)


# -------------------------------------------------------------------------- volumes


def test_active_volumes():
    assert load_detector("sbnd").active.volume_sum() == pytest.approx(80.0)
    mb = load_detector("microboone").active.volume_sum()
    assert mb == pytest.approx(2.5635 * 2.33 * 10.368)
    icarus = load_detector("icarus")
    assert len(icarus.active.volumes) == 2
    v0, v1 = (v.shape.volume() for v in icarus.active.volumes)
    assert v0 == pytest.approx(v1) and v0 == pytest.approx(168.2, abs=0.2)
    x = sorted(v.placement.offset[0] for v in icarus.active.volumes)
    assert x[0] == pytest.approx(-x[1]) and x[1] == pytest.approx(2.102, abs=1e-3)
    dune = load_detector("dune_nd_lar")
    assert len(dune.active.volumes) == 35
    assert dune.active.volume_sum() == pytest.approx(105.0)
    lo, hi = dune.active.extent()
    np.testing.assert_allclose(hi - lo, [7.0, 3.0, 5.0])
    assert load_detector("miniboone").active.volume_sum() == pytest.approx(4 / 3 * math.pi * 5.746**3)
    assert load_detector("argoneut").active.volume_sum() == pytest.approx(0.1692)  # "170 L"


def test_icarus_numi_is_icarus_moved():
    a, b = load_detector("icarus"), load_detector("icarus_numi")
    assert a.active == b.active  # same active volume in the detector frame
    np.testing.assert_allclose(b.frame.matrix @ b.frame.matrix.T, np.eye(3), atol=1e-12)


# ---------------------------------------------------------------------------- rays


@pytest.mark.parametrize(
    "name, chord",
    [
        ("sbnd", 5.0),
        ("microboone", 10.368),
        ("icarus", None),  # the axis passes between the two modules, see below
        ("miniboone", 2 * math.sqrt(5.746**2 - 1.89614**2)),
        ("miniboone_dump", 2 * math.sqrt(5.746**2 - 1.89614**2)),
        ("dune_nd_lar", None),
        ("darkquest", 0.9708),
    ],
)
def test_ray_along_the_beam_axis_hits_on_axis_detectors(name, chord):
    det = load_detector(name)
    o, d = ray([0.0, 0.0, 0.0], [0.0, 0.0, 1.0])
    seg = det.active_beam.chords(o, d)
    if name == "icarus":
        # ICARUS's two modules sit at x = +-2.10 m (0.60-3.60 m from the axis): the axis
        # passes between them; a ray at x = 2.1 m crosses one module along its length.
        assert seg.n[0] == 0
        o2, _ = ray([2.1, 0.0, 0.0], [0.0, 0.0, 1.0])
        assert det.active_beam.chords(o2, d).lengths()[0] == pytest.approx(17.899)
        return
    assert seg.n[0] >= 1
    length = seg.lengths()[0]
    if chord is None:  # DUNE: 5 m deep, tilted by 0.101 rad about x
        assert length == pytest.approx(5.0 / math.cos(0.101), rel=1e-9)
    else:
        assert length == pytest.approx(chord, rel=1e-9)


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_ray_aimed_at_the_centre_hits(name):
    det = load_detector(name)
    # the centre of the first volume (ICARUS's bounding-box centre lies between modules)
    c = det.active_beam.volumes[0].placement.offset
    o, d = ray([0.0, 0.0, 0.0], c)
    seg = det.active_beam.chords(o, d)
    assert seg.n[0] >= 1 and seg.lengths()[0] > 0.1
    # the entry point is inside the solid, in both frames
    entry = o[0] + (seg.t_in[0, 0] + 1e-6) * d[0]
    assert det.active_beam.contains(entry)
    assert det.active.contains(det.to_detector_frame(entry))


def test_off_axis_numi_detectors_miss_the_axis():
    o, d = ray([0.0, 0.0, 0.0], [0.0, 0.0, 1.0])
    for name in ("icarus_numi", "microboone_numi"):
        assert load_detector(name).active_beam.chords(o, d).n[0] == 0


# ------------------------------------------------------------------------ beamlines


def test_bnb_details():
    bl = load_beamline("bnb")
    assert bl.beam_energy == pytest.approx(8.9394, abs=1e-4)
    assert bl.beam_spot == (0.00151, 0.00075)
    assert bl.timing.n_buckets == 81 and bl.timing.bucket_spacing == 18.936
    assert bl.target.material.name == "Be"
    assert bl.target.solid.volume_sum() == pytest.approx(math.pi * 0.0047625**2 * 0.7112)
    assert bl.absorber.material.name == "Fe"
    assert bl.absorber.solid.extent()[0][2] == pytest.approx(50.278674)
    assert bl.decay_pipe.material.name == "air"
    # the decay region runs from the end of the target to the absorber enclosure
    lo, hi = bl.decay_pipe.solid.extent()
    assert lo[2] == pytest.approx(0.7112) and hi[2] == pytest.approx(49.643074)


def test_beamline_optional_parts():
    # lbnf.toml has had a decay pipe and an absorber since they were added for the meson
    # transport; darkquest_beam.toml is the beamline without any optional part now
    bl = load_beamline("darkquest_beam")
    assert bl.decay_pipe is None and bl.absorber is None and bl.timing is None
    assert bl.beam_spot == (0.0, 0.0)
    assert len(bl.elements()) == 1
    bl = load_beamline("lbnf")
    # LBNF has NuMI's Main Injector bucket structure (lbnf.toml header), a pencil beam
    assert bl.timing is not None and bl.timing.n_buckets == 504 and bl.beam_spot == (0.0, 0.0)
    assert [e.name for e in bl.elements()] == ["target", "decay_pipe", "absorber"]
    assert bl.target.solid.extent()[1][2] == pytest.approx(2.2)


def test_numi_decay_pipe_and_absorber():
    """g4numi NumiDataInput.cc / NumiHadronAbsorber.cc numbers, NuMI frame z_NuMI = z - 0.35 m."""
    bl = load_beamline("numi")
    lo, hi = bl.decay_pipe.solid.extent()
    assert lo[2] - 0.35 == pytest.approx(45.699) and hi[2] - lo[2] == pytest.approx(676.681)
    assert hi[0] == pytest.approx(0.9906) and hi[1] == pytest.approx(0.9906)
    assert bl.decay_pipe.material.name == "He"
    assert bl.decay_pipe.solid.volume_sum() == pytest.approx(math.pi * 0.9906**2 * 676.681)
    lo, hi = bl.absorber.solid.extent()
    # core face: 60 in upstream (along the 58.35 mrad tilted axis) of the pivot at the pipe's
    # end + 10.25 ft; 8 aluminium blocks of 12 in
    pivot = 45.699 + 676.681 + 10.25 * 12 * 0.0254
    assert lo[2] - 0.35 == pytest.approx(pivot - 60 * 0.0254 / math.cos(0.05835), abs=1e-4)
    assert hi[2] - lo[2] == pytest.approx(8 * 12 * 0.0254)
    assert bl.absorber.material.name == "Al"
    assert lo[2] > bl.decay_pipe.solid.extent()[1][2]  # downstream of the pipe
    assert min(-lo[0], hi[0], -lo[1], hi[1]) > 0.9906  # covers the pipe's aperture
    # detectors on NuMI: downstream of the absorber (ArgoNeuT, ICARUS) or far off the axis
    # beside the pipe (MicroBooNE: 135 mrad at 682 m, z ~ 673 m)
    for name in ("icarus_numi", "microboone_numi", "argoneut"):
        dlo, dhi = load_detector(name).active_beam.extent()
        dx, dy = (0.0 if a <= 0.0 <= b else min(abs(a), abs(b)) for a, b in zip(dlo[:2], dhi[:2]))
        assert dlo[2] > hi[2] or math.hypot(dx, dy) > 10.0, name


def test_lbnf_decay_pipe_and_absorber():
    bl = load_beamline("lbnf")
    lo, hi = bl.decay_pipe.solid.extent()
    assert (lo[2], hi[2]) == (pytest.approx(22.2), pytest.approx(216.2))  # 194 m, starting 22.2 m
    assert hi[0] == pytest.approx(2.0) and bl.decay_pipe.material.name == "He"
    lo_a, hi_a = bl.absorber.solid.extent()
    assert lo_a[2] == pytest.approx(hi[2]) and bl.absorber.material.name == "Al"
    assert min(-lo_a[0], hi_a[0], -lo_a[1], hi_a[1]) > 2.0
    assert load_detector("dune_nd_lar").active_beam.extent()[0][2] > hi_a[2]


def test_helium_gas():
    """PDG "Helium gas (He)": 1.663e-4 g/cm^3 (1 atm, 20 C), X0 94.32 g/cm^2 = 5671 m,
    lambda_I 71.0 g/cm^2, <Z/A> 0.49967."""
    he = get_material("He")
    assert get_material("helium") is he
    assert he.Z == 2 and he.A == pytest.approx(4.002602)
    assert he.z_over_a == pytest.approx(0.49967, abs=1e-5)
    assert he.radiation_length_m == pytest.approx(5671.0, rel=1e-3)
    assert he.interaction_length_m == pytest.approx(71.0 / 1.663e-4 / 100.0)
    assert he.electron_density == pytest.approx(1.663e-4 * 1e6 * AVOGADRO * 2 / 4.002602)


# ------------------------------------------------------------------------ materials


def test_materials_table():
    names = material_names()
    for want in ("Be", "C", "Fe", "Cu", "W", "Pb", "Al", "LAr", "CH2", "air", "concrete", "H2O"):
        assert want in names
    for m in materials().values():
        assert m.electron_density == pytest.approx(m.density * 1e6 * AVOGADRO * m.z_over_a)
        assert m.nuclei_density == pytest.approx(m.density * 1e6 * AVOGADRO / m.A)
        assert m.electron_density == pytest.approx(m.Z * m.nuclei_density)
        assert sum(w for _, w in m.composition) == pytest.approx(1.0, abs=1e-6)
        assert m.source.startswith("PDG")
    lar = get_material("LAr")
    assert get_material("Ar") is lar
    # PDG: LAr X0 = 14.00 cm, lambda_I = 85.77 cm; iron X0 = 1.757 cm, lambda_I = 16.77 cm
    assert lar.radiation_length_m == pytest.approx(0.1400, abs=2e-4)
    assert lar.interaction_length_m == pytest.approx(0.8577, abs=5e-4)  # 119.7 g/cm^2 is rounded
    pb = get_material("Pb")  # PDG: lead X0 = 0.5612 cm, lambda_I = 17.59 cm (199.6 g/cm^2), I = 823 eV
    assert pb.radiation_length_m == pytest.approx(0.005612, abs=2e-6)
    assert pb.interaction_length_m == pytest.approx(0.1759, abs=2e-4)
    fe = get_material("Fe")
    assert fe.radiation_length_m == pytest.approx(0.01757, abs=2e-5)
    assert fe.interaction_length_m == pytest.approx(0.1677, abs=2e-4)
    assert fe.Z == 26 and fe.A == pytest.approx(55.845)
    ch2 = get_material("CH2")
    assert ch2.density == 0.845
    dens = ch2.element_nuclei_densities()
    assert dens["H"] / dens["C"] == pytest.approx(2.0, rel=1e-3)
    with pytest.raises(GeometryError, match="unknown material 'unobtainium'; available: Be"):
        get_material("unobtainium")


# ---------------------------------------------------------------- user files, errors

GOOD_DETECTOR = """\
[detector]
kind = "detector"
name = "my_det"
title = "a test detector"
beamline = "bnb"
material = "LAr"
exposure_pot = 1e20
sources = ["test"]
[detector.frame]
origin = [0.0, 0.0, 100.0]
[[detector.volumes]]
name = "tpc"
shape = "box"
size = [1.0, 2.0, 3.0]
position = [0.0, 0.0, 1.5]
"""

GOOD_BEAMLINE = """\
[beamline]
kind = "beamline"
name = "my_beam"
title = "a test beamline"
beam_particle = 2212
beam_momentum = 120.0
sources = ["test"]
[beamline.target]
material = "W"
shape = "sphere"
radius = 0.05
position = [0.0, 0.0, 0.05]
"""


def test_user_files_by_path(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "my_beam.toml").write_text(GOOD_BEAMLINE)
    (tmp_path / "sub" / "my_det.toml").write_text(GOOD_DETECTOR.replace('beamline = "bnb"', 'beamline = "my_beam.toml"'))
    det = load_detector(str(tmp_path / "sub" / "my_det.toml"))
    assert det.active.volume_sum() == pytest.approx(6.0)
    assert det.beamline == str((tmp_path / "sub" / "my_beam.toml").resolve())
    bl = load_beamline(det.beamline)
    assert bl.name == "my_beam" and bl.target.material.name == "W"
    monkeypatch.chdir(tmp_path)
    assert load_detector("sub/my_det.toml") is det  # relative to cwd, same resolved path
    assert load_beamline("sub/my_beam.toml") is bl
    # an edited file is read again
    p = tmp_path / "sub" / "my_det.toml"
    p.write_text(p.read_text().replace("exposure_pot = 1e20", "exposure_pot = 2e20"))
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    assert load_detector("sub/my_det.toml").exposure_pot == 2e20


def test_user_detector_on_packaged_beamline(tmp_path):
    p = tmp_path / "my_det.toml"
    p.write_text(GOOD_DETECTOR)
    det = load_detector(str(p))
    assert det.beamline == "bnb"
    assert centre(det)[2] == pytest.approx(101.5)


def test_unknown_names():
    with pytest.raises(GeometryError) as err:
        load_detector("foo")
    msg = str(err.value)
    assert msg.startswith("unknown detector 'foo'; available: ") and "sbnd" in msg and "bnb," not in msg
    with pytest.raises(GeometryError, match="unknown beamline 'foo'; available: bnb"):
        load_beamline("foo")
    with pytest.raises(GeometryError, match="'bnb' is a beamline, not a detector"):
        load_detector("bnb")
    with pytest.raises(GeometryError, match="unknown detector 'materials'"):
        load_detector("materials")
    with pytest.raises(GeometryError, match="detector file not found: nowhere/x.toml"):
        load_detector("nowhere/x.toml")


def _replace(text, old, new):
    assert old in text, old
    return text.replace(old, new)


BAD_DETECTORS = [
    ("unknown key", lambda t: t + "foo = 1\n", "detector.volumes[0].foo"),
    ("unknown top key", lambda t: _replace(t, "kind = ", "colour = 'red'\nkind = "), "detector.colour"),
    ("missing key", lambda t: _replace(t, "exposure_pot = 1e20\n", ""), "detector.exposure_pot"),
    ("missing frame origin", lambda t: _replace(t, "origin = [0.0, 0.0, 100.0]", ""), "detector.frame.origin"),
    ("bad size", lambda t: _replace(t, "size = [1.0, 2.0, 3.0]", "size = [1.0, -2.0, 3.0]"), "detector.volumes[0].size"),
    ("short size", lambda t: _replace(t, "size = [1.0, 2.0, 3.0]", "size = [1.0, 2.0]"), "detector.volumes[0].size"),
    ("zero radius", lambda t: _replace(t, 'shape = "box"\nsize = [1.0, 2.0, 3.0]', 'shape = "sphere"\nradius = 0.0'), "detector.volumes[0].radius"),
    ("unknown material", lambda t: _replace(t, 'material = "LAr"', 'material = "unobtainium"'), "detector.material"),
    ("unknown shape", lambda t: _replace(t, 'shape = "box"', 'shape = "cone"'), "detector.volumes[0].shape"),
    ("key of another shape", lambda t: _replace(t, "position = [0.0, 0.0, 1.5]", "radius = 1.0"), "detector.volumes[0].radius"),
    ("wrong type", lambda t: _replace(t, "exposure_pot = 1e20", 'exposure_pot = "lots"'), "detector.exposure_pot"),
    ("negative exposure", lambda t: _replace(t, "exposure_pot = 1e20", "exposure_pot = -1.0"), "detector.exposure_pot"),
    ("bool for number", lambda t: _replace(t, "origin = [0.0, 0.0, 100.0]", "origin = [0.0, true, 100.0]"), "detector.frame.origin"),
    ("bad rotation", lambda t: _replace(t, "origin = [0.0, 0.0, 100.0]", 'origin = [0.0, 0.0, 100.0]\nrotation = { axis = "w", angle = 1.0 }'), "detector.frame.rotation"),
    ("not a rotation", lambda t: _replace(t, "position = [0.0, 0.0, 1.5]", "rotation = [[1, 0, 0], [0, 1, 0], [0, 0, -1]]"), "detector.volumes[0].rotation"),
    ("unknown beamline", lambda t: _replace(t, 'beamline = "bnb"', 'beamline = "bnbb"'), "detector.beamline"),
    ("wrong kind", lambda t: _replace(t, 'kind = "detector"', 'kind = "beamline"'), "detector.kind"),
    ("duplicate volume", lambda t: t + '[[detector.volumes]]\nname = "tpc"\nshape = "sphere"\nradius = 1.0\n', "detector.volumes[1].name"),
    ("no volumes", lambda t: t.split("[[detector.volumes]]")[0], "detector.volumes"),
    ("empty sources", lambda t: _replace(t, 'sources = ["test"]', "sources = []"), "detector.sources"),
]


@pytest.mark.parametrize("what, edit, key", BAD_DETECTORS, ids=[b[0] for b in BAD_DETECTORS])
def test_malformed_detector_files(tmp_path, what, edit, key):
    p = tmp_path / "bad_det.toml"
    p.write_text(edit(GOOD_DETECTOR))
    with pytest.raises(GeometryError) as err:
        load_detector(str(p))
    msg = str(err.value)
    assert "\n" not in msg
    assert "bad_det.toml" in msg
    assert key in msg, msg


BAD_BEAMLINES = [
    ("missing target", lambda t: t.split("[beamline.target]")[0], "beamline.target"),
    ("target without material", lambda t: _replace(t, 'material = "W"\n', ""), "beamline.target.material"),
    ("cylinder without length", lambda t: _replace(t, 'shape = "sphere"\nradius = 0.05', 'shape = "cylinder"\nradius = 0.05'), "beamline.target.length"),
    ("float pdg code", lambda t: _replace(t, "beam_particle = 2212", "beam_particle = 2212.0"), "beamline.beam_particle"),
    ("spot without sigma_y", lambda t: t + "[beamline.beam_spot]\nsigma_x = 0.001\n", "beamline.beam_spot.sigma_y"),
    ("timing typo", lambda t: t + "[beamline.timing]\nn_buckets = 81\nbucket_spacing = 18.9\nbucket_sigma = 1.3\nspill_lenght = 1600.0\n", "beamline.timing.spill_lenght"),
    ("spill shorter than its buckets", lambda t: t + "[beamline.timing]\nn_buckets = 81\nbucket_spacing = 18.9\nbucket_sigma = 1.3\nspill_length = 160.0\n", "beamline.timing.spill_length"),
    ("zero buckets", lambda t: t + "[beamline.timing]\nn_buckets = 0\nbucket_spacing = 18.9\nbucket_sigma = 1.3\nspill_length = 1600.0\n", "beamline.timing.n_buckets"),
]


@pytest.mark.parametrize("what, edit, key", BAD_BEAMLINES, ids=[b[0] for b in BAD_BEAMLINES])
def test_malformed_beamline_files(tmp_path, what, edit, key):
    p = tmp_path / "bad_beam.toml"
    p.write_text(edit(GOOD_BEAMLINE))
    with pytest.raises(GeometryError) as err:
        load_beamline(str(p))
    msg = str(err.value)
    assert "\n" not in msg and "bad_beam.toml" in msg and key in msg, msg


def test_not_toml_and_wrong_file_kind(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("[detector\nkind = 1\n")
    with pytest.raises(GeometryError, match="broken.toml: not valid TOML"):
        load_detector(str(p))
    q = tmp_path / "beam.toml"
    q.write_text(GOOD_BEAMLINE)
    with pytest.raises(GeometryError, match=r"beam.toml: is a beamline file \(\[beamline\]\), not a detector file"):
        load_detector(str(q))


def test_packaged_files_parse_as_strict_toml():
    # every packaged file is plain TOML (no loader-specific extensions)
    for name in sorted(BEAMLINES | DETECTORS) + ["materials"]:
        tomllib.loads(data_dir("geometries").joinpath(name + ".toml").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- plot


def test_plot_setup_writes_png(tmp_path):
    from fipgen.geometry.plot import plot_setup

    det = load_detector("sbnd")
    out = tmp_path / "sbnd_setup.png"
    plot_setup(det, load_beamline(det.beamline), str(out))
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sbnd_setup.png"]  # no temporary left
    with pytest.raises(OutputError, match="unsupported plot format"):
        plot_setup(det, load_beamline(det.beamline), str(tmp_path / "x.jpgg"))


def test_plot_setup_rotated_detector_pdf(tmp_path):
    from fipgen.geometry.plot import plot_setup

    det = load_detector("icarus_numi")
    out = tmp_path / "icarus_numi.pdf"
    plot_setup(det, load_beamline(det.beamline), str(out))
    assert out.read_bytes()[:5] == b"%PDF-"

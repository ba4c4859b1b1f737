"""A beamline is data: its file names its particle sources; nothing looks them up by name.

A copy of a packaged beamline file under another name gives the same sources and the same
events with no code change; a user file that reuses a packaged name gets no tables it does not
name; a source set is refused where its fits do not hold.
"""

from __future__ import annotations

import re

import pytest

from fipgen.card import parse_card
from fipgen.errors import PhysicsError
from fipgen.geometry import load_beamline
from fipgen.pipeline import build_job, iter_chunks
from fipgen.production.sources.resolve import meson_source, meson_species
from fipgen.resources import data_file


def _copy(tmp_path, packaged: str, new: str, edit=lambda s: s) -> str:
    text = data_file("geometries", packaged + ".toml").read_text()
    text = re.sub(r'(?m)^name = "[^"]*"', f'name = "{new}"', text, count=1)
    p = tmp_path / f"{new}.toml"
    p.write_text(edit(text))
    return str(p)


def _detector(tmp_path, beamline_path: str, z: float = 1040.0) -> str:
    p = tmp_path / "det.toml"
    p.write_text(f"""
[detector]
kind = "detector"
name = "det"
title = "a 4 m cube on the beam axis"
beamline = "{beamline_path}"
material = "LAr"
exposure_pot = 1e20
sources = ["test"]
[detector.frame]
origin = [0.0, 0.0, {z}]
[[detector.volumes]]
name = "box"
shape = "box"
size = [4.0, 4.0, 4.0]
position = [0.0, 0.0, 2.0]
""")
    return str(p)


def _card(detector: str, produce: str = '"zprime:pi0", "zprime:eta"') -> str:
    return f"""
[experiment]
detector = "{detector}"
pot = 1e20
[model]
zprime = {{ kind = "dark-photon", mass = 0.05, coupling = 1e-6 }}
[signal]
produce = [{produce}]
detect = "zprime:decay"
[run]
events = 20000
seed = 3
"""


def test_a_copied_beamline_under_a_new_name_gives_the_same_sources_and_events(tmp_path):
    mine = load_beamline(_copy(tmp_path, "numi", "my_numi"))
    assert mine.name == "my_numi"
    assert meson_species(mine) == meson_species(load_beamline("numi"))
    sums = []
    for bl in ("numi", _copy(tmp_path, "numi", "my_numi")):
        det = _detector(tmp_path, bl)
        job = build_job(parse_card(_card(det)))
        w = sum(float(b.scalars["weight"].sum()) for b, _ in iter_chunks(job))
        sums.append(w)
    assert sums[0] > 0 and sums[0] == sums[1]


def test_a_user_file_reusing_a_packaged_name_gets_its_own_cascade_not_a_packaged_table(tmp_path, monkeypatch):
    """A copy of numi.toml at 70 GeV/c naming no meson sources: neither NuMI's 120 GeV tables nor
    NuMI's packaged cascade table (its content differs), but its own cascade, built and cached."""
    monkeypatch.setenv("FIPGEN_CACHE_DIR", str(tmp_path / "cache"))

    def strip(text):
        text = re.sub(r"(?ms)^\[beamline\.particle_sources\].*?\n\n",
                      "[beamline.particle_sources]\ncascade_pot = 12\ncascade_showers = 60\n\n", text)
        return text.replace("beam_momentum = 120.0", "beam_momentum = 70.0")

    path = _copy(tmp_path, "numi", "numi", strip)
    bl = load_beamline(path)
    assert bl.name == "numi" and dict(bl.particle_sources) == {"cascade_pot": "12", "cascade_showers": "60"}
    src = meson_source(bl, 111)
    assert "cascade" in src.provenance and "12 POT" in src.provenance
    assert list((tmp_path / "cache" / "sources").glob("numi-*.npz"))
    job = build_job(parse_card(_card(_detector(tmp_path, path))))
    assert {c.name for c in job.channels} == {"zprime:pi0", "zprime:eta"}


def test_the_bnb_fits_are_refused_at_another_energy(tmp_path):
    path = _copy(tmp_path, "bnb", "bnb70", lambda s: s.replace("beam_momentum = 8.89", "beam_momentum = 70.0"))
    with pytest.raises(PhysicsError, match="8.89 GeV/c"):
        meson_source(load_beamline(path), 211)


def test_a_shorter_beryllium_target_makes_proportionally_fewer_first_interactions(tmp_path):
    from fipgen.production.sources.vertex import interacting_fraction

    from fipgen.production.sources.resolve import sources_variant

    # the first-interaction sources (the packaged file's variant "first-interactions")
    short = sources_variant(load_beamline(_copy(tmp_path, "bnb", "bnb_short", lambda s: s.replace(
        "length = 0.7112\nposition = [0.0, 0.0, 0.3556]", "length = 0.3556\nposition = [0.0, 0.0, 0.1778]"))),
        "first-interactions")
    full = sources_variant(load_beamline("bnb"), "first-interactions")
    ratio = interacting_fraction(short) / interacting_fraction(full)
    assert 0.6 < ratio < 0.75  # 1 - exp(-35.56/42.1) = 0.570 against 0.815
    for pdg in (211, -211, 321, 130):
        assert meson_source(short, pdg).per_pot == pytest.approx(ratio * meson_source(full, pdg).per_pot, rel=1e-12)
    # the pi0 and eta sources are normalised by hand (0.9 and 0.03 per POT), not by the fraction
    assert meson_source(short, 111).per_pot == meson_source(full, 111).per_pot


def test_unknown_source_set_and_entry_name_the_key(tmp_path):
    bad = _copy(tmp_path, "numi", "n1", lambda s: s.replace('mesons = "cascade"', 'mesons = "geant4"'))
    with pytest.raises(PhysicsError, match="particle_sources.mesons"):
        meson_source(load_beamline(bad), 111)
    bad = _copy(tmp_path, "numi", "n2", lambda s: s.replace('table_entry = "numi"', 'table_entry = "sps"'))
    with pytest.raises(PhysicsError, match="particle_sources.table_entry"):
        meson_source(load_beamline(bad), 111)

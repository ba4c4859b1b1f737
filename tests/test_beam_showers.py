"""Electron and positron beams (fipgen.cascade.beam_showers): the beam's own showers as sources.

* The tables of a beam's showers keep the shower Monte Carlo's physics (tested on its own in
  tests/test_shower.py): the energy ledger closes on the beam's kinetic energy, the total
  charged track length is Rossi's approximation B ``X0 E0/E_c`` less what the 1 MeV cut
  leaves (0.7-1.0 of it, as there), the positron track length per energy follows
  approximation A (``0.219 X0 E0/E^2``) well inside the shower, and the depth profile the
  production points are drawn from peaks where the PDG puts an electron shower's maximum,
  ``ln(E0/E_c) - 0.5`` radiation lengths.
* The packaged E137 table matches its beamline's content (the example runs without a build),
  the shower channels of ALPs and Z's run on it with their production points inside the dump,
  meson and proton channels are refused with one line naming the key, and the beamline file
  refuses hadron-source keys.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.card import parse_card
from fipgen.cascade.beam_showers import beam_content_key, build_beam_tables
from fipgen.cascade.build import build_tables, load_tables
from fipgen.errors import CardError, GeometryError, PhysicsError
from fipgen.geometry import load_beamline
from fipgen.job import build_job
from fipgen.shower import rossi
from fipgen.shower.media import shower_medium

E0 = 10.0

BEAMLINE = """
[beamline]
kind = "beamline"
name = "{name}"
title = "test electron dump"
beam_particle = {pdg}
beam_momentum = {p}
sources = ["test"]
{extra}
[beamline.target]
material = "Al"
shape = "cylinder"
radius = 0.6
length = 4.5
position = [0.0, 0.0, 2.25]
"""


def _beamline(tmp_path, pdg=11, extra="", name="edump"):
    p = tmp_path / f"{name}.toml"
    p.write_text(BEAMLINE.format(name=name, pdg=pdg, p=E0, extra=extra))
    return load_beamline(str(p))


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("beam")
    out = {}
    for pdg in (11, -11):
        bl = _beamline(tmp, pdg)
        path = build_beam_tables(bl, n=300, out=tmp / f"t{pdg}.npz", progress=False)
        out[pdg] = (bl, *load_tables(path))
    return out


@pytest.mark.parametrize("pdg", [11, -11])
def test_ledger_closes_on_the_beams_kinetic_energy(tables, pdg):
    bl, arrays, head = tables[pdg]
    s = head["showers"]["solids"]["0"]
    kinetic = bl.beam_energy - 0.51099895e-3
    # a positron's budget counts its annihilation (2 m_e)
    assert s["seed_energy_per_pot_GeV"] == pytest.approx(kinetic + (2 * 0.51099895e-3 if pdg == -11 else 0), rel=1e-9)
    got = s["deposited_per_pot_GeV"] + s["escaped_per_pot_GeV"] + s["below_cut_per_pot_GeV"]
    assert got == pytest.approx(s["seed_energy_per_pot_GeV"], rel=1e-6)
    assert head["n_pot"] == 300 and head["normalisation"].startswith("per beam particle")


def test_track_lengths_follow_rossi(tables):
    bl, arrays, head = tables[11]
    m = shower_medium("Al")
    tl = head["showers"]["solids"]["0"]["track_length_per_pot_m"]
    ratio = (tl["eminus"] + tl["eplus"]) / rossi.approximation_b_total_charged(E0, m.X0, m.critical_energy())
    assert 0.7 < ratio < 1.0, ratio  # tests/test_shower.py: the 1 MeV cut's share (0.85 in iron)
    # photons and positrons between 0.3 and 1 GeV (E_c = 42 MeV << E << E0): approximation A,
    # asymptotic in E/E_c and E0/E; the shower MC's positrons lie 15-20 % under it there (as in
    # tests/test_shower.py, whose tolerance at 100 GeV is 20 %)
    e = arrays["shower_energy_edges"]
    dcos = np.cos(arrays["shower_theta_edges"][:-1]) - np.cos(arrays["shower_theta_edges"][1:])
    sel = (e[:-1] >= 0.3) & (e[1:] <= 1.0)
    for key, species, tol in (("dL_gamma_0", "gamma", 0.12), ("dL_eplus_0", "e+", 0.25)):
        per_e = (arrays[key] * dcos).sum(axis=1)  # m/GeV
        got = (per_e[sel] * np.diff(e)[sel]).sum()
        want = rossi.approximation_a_integral(species, E0, e[:-1][sel][0], e[1:][sel][-1], m.X0)
        assert got == pytest.approx(want, rel=tol), (species, got / want)


def test_production_depth_peaks_at_the_pdg_shower_maximum(tables):
    bl, arrays, head = tables[11]
    m = shower_medium("Al")
    z, prof = arrays["zedges_0"], arrays["zseedE_0"]
    t = 0.5 * (z[1:] + z[:-1]) / m.X0
    assert prof.sum() == pytest.approx(head["showers"]["solids"]["0"]["deposited_per_pot_GeV"]
                                       + head["showers"]["solids"]["0"]["below_cut_per_pot_GeV"], rel=0.01)
    mean_t = (t * prof).sum() / prof.sum()
    # a gamma distribution's mean is t_max + 1/b (b ~ 0.5 in aluminium's range): t_max within 1 X0
    t_max = mean_t - 1.0 / 0.5
    assert t_max == pytest.approx(rossi.pdg_t_max(E0, m.critical_energy(), "e-"), abs=1.0)
    assert np.argmax(prof) * (z[1] - z[0]) / m.X0 == pytest.approx(rossi.pdg_t_max(E0, m.critical_energy(), "e-"),
                                                                   abs=1.5)


def test_the_packaged_e137_table_is_its_beamlines(tmp_path, monkeypatch):
    """Its content key matches the beamline file's, so the example reads it and builds nothing."""
    from fipgen.production.sources.resolve import beam_shower_tables

    monkeypatch.setenv("FIPGEN_CACHE_DIR", str(tmp_path / "cache"))
    bl = load_beamline("e137")
    assert bl.lepton_beam and bl.beam_particle == 11
    arrays, head = beam_shower_tables(bl)
    assert head["content_key"] == beam_content_key(bl) and head["n_pot"] == 2000
    assert not (tmp_path / "cache").exists()


CARD = """
[experiment]
detector = "e137_detector"
[model]
zprime = {{ kind = "dark-photon", mass = 0.05, coupling = 1e-7 }}
alp = {{ mass = 0.05, g_electron = 1e-7 }}
[signal]
produce = [{produce}]
detect = "{detect}"
[run]
events = 2000
seed = 3
"""


@pytest.mark.parametrize("detect, produce", [("zprime:decay", "zprime:e-bremsstrahlung"),
                                             ("zprime:decay", "zprime:resonant"),
                                             ("alp:decay", "alp:e-bremsstrahlung")])
def test_shower_channels_run_on_the_electron_dump(detect, produce):
    from fipgen.events import EventBatch
    from fipgen.pipeline import iter_chunks

    text = CARD.format(produce=f'"{produce}"', detect=detect)
    if detect == "alp:decay":
        text = text.replace('zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }\n', "")
    else:
        text = text.replace("alp = { mass = 0.05, g_electron = 1e-7 }\n", "")
    job = build_job(parse_card(text, "t"))
    (ch,) = job.channels
    assert ch.rate_per_pot > 0
    b = EventBatch.concatenate([p[0] for p in iter_chunks(job)])
    assert b.scalars["weight"].sum() > 0
    assert np.all(np.isin(b.scalars["parent_pdg"], [11, -11, 22]))
    pts = ch.part.points.sample(2000, np.random.default_rng(1))
    assert np.all((pts[:, 2] >= 0.0) & (pts[:, 2] <= 4.5))  # inside the dump
    assert np.median(pts[:, 2]) < 1.5  # where the showers develop, the first metre or so (X0 = 8.9 cm)


@pytest.mark.parametrize("produce", ["zprime:pi0", "zprime:bremsstrahlung", "alp:eta"])
def test_hadron_channels_are_refused_on_an_electron_beam(produce):
    detect = "alp:decay" if produce.startswith("alp") else "zprime:decay"
    text = CARD.format(produce=f'"{produce}"', detect=detect)
    if detect == "alp:decay":
        text = text.replace('zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }\n', "").replace(
            "g_electron = 1e-7", "c_gg = 1.0, f_a = 1000.0")
    else:
        text = text.replace("alp = { mass = 0.05, g_electron = 1e-7 }\n", "")
    with pytest.raises(CardError) as err:
        build_job(parse_card(text, "t"))
    msg = str(err.value)
    assert "\n" not in msg and "signal.produce" in msg and "hadron beam" in msg and "zprime:resonant" in msg


def test_hadron_source_keys_are_refused_in_an_electron_beamline(tmp_path):
    with pytest.raises(GeometryError, match=r"particle_sources.mesons = 'cascade': not for an electron or positron "
                                            r"beam .*allowed: cascade_showers, cascade_table"):
        _beamline(tmp_path, extra='[beamline.particle_sources]\nmesons = "cascade"\n')
    bl = _beamline(tmp_path, name="edump2")
    with pytest.raises(PhysicsError, match="no hadron cascade"):
        build_tables(bl, n_pot=10, progress=False)
    proton = _beamline(tmp_path, pdg=2212, name="pdump")
    with pytest.raises(PhysicsError, match="not an electron or positron beam"):
        build_beam_tables(proton, n=10, progress=False)


def test_fipgen_sources_builds_an_electron_beams_showers(tmp_path):
    import json
    import subprocess
    import sys

    bl = _beamline(tmp_path)
    out = tmp_path / "s.npz"
    r = subprocess.run([sys.executable, "-m", "fipgen", "sources", str(bl.path), "--pot", "20", "--output", str(out),
                        "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    head = json.loads(r.stdout)
    assert head["n_pot"] == 20 and head["showers"]["solids"]["0"]["seed_energy_per_pot_GeV"] == pytest.approx(
        E0 - 0.51099895e-3, rel=1e-6)

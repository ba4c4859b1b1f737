"""The PDG snapshot (generator/data/pdg_snapshot.json, scripts/pdg_snapshot.py) holds the
``particle`` package's values: where it was made with the installed version, fipgen's
masses, widths, charges and names are exactly the package's; made with another version,
fipgen uses the package itself."""

from __future__ import annotations

import json
from importlib.metadata import version
from importlib.resources import files

import pytest

from fipgen import constants


def _snapshot_file() -> dict:
    return json.loads(files("fipgen").joinpath(constants._SNAPSHOT).read_text(encoding="utf-8"))


def test_snapshot_is_the_installed_particle_table():
    from particle import Particle

    data = _snapshot_file()
    if data["particle_version"] != version("particle"):
        pytest.skip(f"snapshot of particle {data['particle_version']}, installed {version('particle')}: "
                    "fipgen reads the package (regenerate with scripts/pdg_snapshot.py)")
    rows = data["particles"]
    want = {str(int(p.pdgid)) for p in Particle.all() if abs(int(p.pdgid)) < 1_000_000_000}
    assert set(rows) == want
    for code, (m, w, q, name) in rows.items():
        p = Particle.from_pdgid(int(code))
        assert m == (None if p.mass is None else float(p.mass) * 1e-3), code
        assert w == (None if p.width is None else float(p.width) * 1e-3), code
        assert q == (None if p.charge is None else float(p.charge)), code
        assert name == str(p.name), code


@pytest.mark.parametrize("code", [111, 211, -211, 221, 223, 321, 130, 411, 431, 13, 15, 2212, 22, 12])
def test_values_equal_the_package_with_and_without_the_snapshot(code, monkeypatch):
    got = (constants.mass_or_none(code), constants.width(code), constants.charge(code), constants.name(code))
    for f in (constants.mass, constants.width, constants.charge):
        f.cache_clear()
    monkeypatch.setattr(constants, "_snapshot", lambda: {})  # the package itself
    try:
        ref = (constants.mass_or_none(code), constants.width(code), constants.charge(code), constants.name(code))
    finally:
        for f in (constants.mass, constants.width, constants.charge):
            f.cache_clear()
    assert got == ref


def test_a_snapshot_of_another_version_is_not_used(monkeypatch):
    constants._snapshot.cache_clear()
    try:
        monkeypatch.setattr("importlib.metadata.version", lambda name: "0.0.0-not-this-one")
        assert constants._snapshot() == {}
        assert constants.pdg_values(111) is None
    finally:
        constants._snapshot.cache_clear()

"""The wheel ships the data folders inside the package (found by importlib.resources)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_contains_data_folders(tmp_path):
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    (whl,) = tmp_path.glob("fipgen-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    for f in (ROOT / "geometries").glob("*.toml"):
        assert f"generator/geometries/{f.name}" in names
    for f in (ROOT / "examples").glob("*.toml"):
        assert f"generator/examples/{f.name}" in names
    assert "generator/geometries/README.md" in names
    assert "generator/data/pdg_branching.toml" in names
    assert not any(n.startswith(("geometries/", "examples/", "fluxes/")) for n in names)


def test_resources_resolve_inside_the_package():
    from generator.resources import data_dir, list_data

    assert "sbnd" in list_data("geometries")
    assert "sbnd_dark_photon" in list_data("examples")
    assert data_dir("geometries").joinpath("sbnd.toml").is_file()

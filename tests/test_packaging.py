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
        assert f"fipgen/geometries/{f.name}" in names
    for f in (ROOT / "examples").glob("*.toml"):
        assert f"fipgen/examples/{f.name}" in names
    assert "fipgen/geometries/README.md" in names
    assert "fipgen/data/pdg_branching.toml" in names and "fipgen/data/pdg_snapshot.json" in names
    assert "fipgen/__main__.py" in names and not any(n.startswith("generator/") for n in names)
    assert not any(n.startswith(("geometries/", "examples/", "fluxes/")) for n in names)


def test_resources_resolve_inside_the_package():
    from fipgen.resources import data_dir, list_data

    assert "sbnd" in list_data("geometries")
    assert "sbnd_dark_photon" in list_data("examples")
    assert data_dir("geometries").joinpath("sbnd.toml").is_file()


# ---------------------------------------------------------------------------
# Every third-party module generator/ imports is a declared run-time dependency
# ---------------------------------------------------------------------------


def _imported_top_modules() -> dict[str, set[str]]:
    """Top-level names of the absolute imports in generator/ -> the files importing them."""
    import ast

    found: dict[str, set[str]] = {}
    for path in (ROOT / "generator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for n in names:
                found.setdefault(n.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def _declared_distributions() -> set[str]:
    """Normalised names of pyproject's run-time dependencies, extras expanded (dask[distributed])."""
    import importlib.metadata as md
    import re
    import tomllib

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    out = set()
    for req in deps:
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(\[([^\]]*)\])?", req)
        name, extras = m.group(1), [e.strip() for e in (m.group(3) or "").split(",") if e.strip()]
        out.add(norm(name))
        for extra in extras:  # requirements the extra brings, from the installed metadata
            for r in md.requires(name) or ():
                if re.search(rf"extra\s*==\s*['\"]{extra}['\"]", r):
                    out.add(norm(re.match(r"\s*([A-Za-z0-9_.-]+)", r).group(1)))
    return out


def test_every_third_party_import_is_a_declared_dependency():
    import importlib.metadata as md
    import re

    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    dists = md.packages_distributions()
    declared = _declared_distributions()
    missing = {}
    for mod, files in _imported_top_modules().items():
        if mod in stdlib or mod in ("generator", "fipgen"):
            continue
        if mod == "tomli":  # the Python < 3.11 fallback of tomllib, declared with its marker
            assert "tomli" in declared
            continue
        provided = {re.sub(r"[-_.]+", "-", d).lower() for d in dists.get(mod, [mod])}
        if not provided & declared:
            missing[mod] = sorted(files)
    assert not missing, f"imported by generator/ but not in pyproject's dependencies: {missing}"


def test_the_dependency_check_sees_an_undeclared_import():
    # the check above must be able to fail: pytest and mkdocs (test and docs extras) are not
    # run-time dependencies; pythia8mc is one (the cascade builds beamlines' sources)
    assert "pytest" not in _declared_distributions() and "mkdocs" not in _declared_distributions()
    assert "pythia8mc" in _declared_distributions()
    assert "scipy" in _declared_distributions() and "distributed" in _declared_distributions()


def test_generate_and_help_load_no_optional_heavy_modules(tmp_path):
    """scipy's numerics, matplotlib and dask load only in the commands that need them (start-up
    time; numba itself imports the top-level ``scipy`` package when it is installed)."""
    code = (
        "import sys, fipgen.cli as c\n"
        "rc = c.main(['generate', '--events', '2000', '--no-output', '--quiet'])\n"
        "heavy = sorted(m for m in ('scipy.integrate', 'scipy.stats', 'scipy.optimize', 'scipy.special', 'matplotlib',"
        " 'distributed', 'dask', 'mplhep', 'contourpy')"
        " if m in sys.modules)\n"
        "print(rc, ','.join(heavy))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[0] == "0"
    assert r.stdout.strip() == "0", f"heavy modules loaded by `fipgen generate`: {r.stdout.strip()}"

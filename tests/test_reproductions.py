"""Smoke tests of the paper-reproduction scripts (scripts/reproduce_*.py) with tiny settings.

Each script runs its ``--quick`` mode in one process (``--workers 1``: no process pool) on a
temporary folder and must write its tables, plot and summary; the tables must be the scan
grid of its cards (every mass x coupling, finite, non-negative events) and the summary must
name the benchmark. The run cards the scripts read (examples/repro_*.toml) must parse, and the
helper that edits card text must keep a card valid.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up there
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(SCRIPTS))
    return mod


def _grid(path: Path) -> np.ndarray:
    with open(path, encoding="utf-8") as fh:
        rows = [r for r in csv.reader(ln for ln in fh if not ln.startswith("#"))]
    assert rows[0][:4] == ["mass", "coupling", "events", "mc_error"]
    return np.array(rows[1:], dtype=float)


@pytest.mark.parametrize("card", sorted(p.name for p in (ROOT / "examples").glob("repro_*.toml")))
def test_reproduction_cards_parse(card):
    from fipgen.card import load_card

    c = load_card(ROOT / "examples" / card)
    assert c.detect == ("hnl", "decay") and c.events > 0


def test_card_text_edits_keep_a_valid_card():
    from fipgen.card import parse_card

    rc = _load("_repro_common")
    text, source = rc.load_card_text("repro_2410_08981_sbnd.toml")
    new = rc.card_text_with(text, {"model.zprime.mass": 0.84, "model.hnl": {"mass": 0.4, "mixing_tau": 1e-5},
                                   "run.seed": 7})
    c = parse_card(new, source="edited")
    assert c.models["zprime"].mass == 0.84 and c.models["hnl"].mixing_tau == 1e-5
    assert c.models["hnl"].mixing_mu == 0.0 and c.seed == 7
    assert dict(c.cuts)["efficiency"] == 0.2 and dict(c.bremsstrahlung)["treatment"] == "quasi-real"


def test_reproduce_2410_08981_quick(tmp_path, capsys):
    mod = _load("reproduce_2410_08981")
    assert mod.main(["--quick", "--workers", "1", "--quiet", "--detectors", "sbnd,dune,darkquest_code_volume",
                     "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "no published curve could be read" in out
    for det in ("sbnd", "dune", "darkquest_code_volume"):
        g = _grid(tmp_path / f"repro_2410_08981_{det}_grid.csv")
        assert g.shape[0] == 4 * 12 and np.all(np.isfinite(g[:, 2])) and np.all(g[:, 2] >= 0)
        assert (tmp_path / f"repro_2410_08981_{det}_contour.csv").is_file()
    assert _grid(tmp_path / "repro_2410_08981_dune_grid.csv")[:, 2].max() > 3.0  # DUNE sees the benchmark
    assert (tmp_path / "repro_2410_08981.png").stat().st_size > 10_000
    s = json.loads((tmp_path / "repro_2410_08981_summary.json").read_text())
    assert s["benchmark"]["g_BL"] == 1e-4 and s["benchmark"]["mass_ratio"] == 2.1 and s["threshold_events"] == 3.0
    with pytest.raises(SystemExit):  # outputs are never replaced silently
        mod.main(["--quick", "--workers", "1", "--quiet", "--detectors", "sbnd", "--output-dir", str(tmp_path)])


def test_public_code_conventions_factors():
    """The factors the 2410.08981 script prints: |F(0)|^2 = 0.25 in the code, eta 4x, Z' -> N N 8.3x at 2.1."""
    mod = _load("reproduce_2410_08981")
    (row,) = mod.conventions_table([0.1], 2.1, None, "mu")
    assert row["brems_8GeV"]["form_factor"] == pytest.approx(0.25, rel=0.05)
    assert row["eta"] == 4.0
    assert row["br_NN"] == pytest.approx(8.0, rel=0.05)  # beta (1 - x^2) / beta^3 at x = 1/2.1, small BR
    assert row["gamma_vis"] == pytest.approx(2.0, rel=1e-6)  # below the pi0 threshold: N -> nu e e only, 2x


def test_reproduce_2311_07713_quick(tmp_path, capsys):
    mod = _load("reproduce_2311_07713")
    assert mod.main(["--quick", "--workers", "1", "--quiet", "--alp-masses", "0.3", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "could not be found" in out
    g = _grid(tmp_path / "repro_2311_07713_ma0p3_grid.csv")
    assert g.shape[0] == 4 * 12 and np.all(g[:, 0] < 0.15) and g[:, 2].max() > 2.3
    assert (tmp_path / "repro_2311_07713_ma0p3_contour.csv").is_file()
    assert (tmp_path / "repro_2311_07713.png").is_file()


def test_miniboone_alp_script_smoke(tmp_path):
    """scripts/reproduce_miniboone_alp.py on a tiny grid: contour CSVs (mass, coupling) and a PNG."""
    import importlib.util
    import sys as _sys
    from pathlib import Path as _Path

    path = _Path(__file__).resolve().parents[1] / "scripts" / "reproduce_miniboone_alp.py"
    spec = importlib.util.spec_from_file_location("reproduce_miniboone_alp", path)
    mod = importlib.util.module_from_spec(spec)
    _sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    code = mod.main(["--output-dir", str(tmp_path), "--masses", "0.005:0.05:3", "--couplings", "12", "--events", "3000",
                     "--workers", "1", "--cases", "photon"])
    assert code == 0
    rows = (tmp_path / "miniboone_alp_photon_contour.csv").read_text().splitlines()
    assert rows[1] == "mass,coupling"
    pts = [r for r in rows[2:] if not r.startswith("#")]
    assert len(pts) > 2
    m, c = (float(x) for x in pts[0].split(","))
    assert 0.005 <= m <= 0.05 and 1e-9 <= c <= 1e-2
    # the paper's code's conventions (PAPER_CONVENTIONS): same layout, a larger region at 50 MeV
    paper = (tmp_path / "miniboone_alp_photon_paper_contour.csv").read_text().splitlines()
    assert "the paper's code's cross-section conventions" in paper[0] and paper[1] == "mass,coupling"

    def total(f):
        g = np.loadtxt(tmp_path / f, delimiter=",", skiprows=1)
        return g[g[:, 0] > 0.04][:, 4]

    assert np.sum(total("miniboone_alp_photon_paper_grid.csv") >= 2.3) > np.sum(total("miniboone_alp_photon_grid.csv") >= 2.3)
    assert (tmp_path / "miniboone_alp.png").stat().st_size > 1000
    assert mod.main(["--output-dir", str(tmp_path), "--quick", "--cases", "photon"]) == 2  # refuses to overwrite

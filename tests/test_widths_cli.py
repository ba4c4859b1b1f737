"""`fipgen widths`: table, JSON keys and values against closed forms, plots, bad input."""

from __future__ import annotations

import json
import math

import pytest

from fipgen.cli import main


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_dark_photon_json_closed_form(capsys):
    code, out, err = run(["widths", "zprime", "--kind", "dark-photon", "--mass", "0.1", "--coupling", "1e-3", "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert set(d) == {"total_width", "ctau", "branching_ratios"}
    # eps^2 alpha m / 3 (1 + 2 mu) sqrt(1 - 4 mu) with mu = (m_e/m)^2 (docs/physics.md#z-decays)
    mu = (0.51099895e-3 / 0.1) ** 2
    gamma = 1e-6 * 7.2973525693e-3 * 0.1 / 3 * (1 + 2 * mu) * math.sqrt(1 - 4 * mu)
    assert d["total_width"] == pytest.approx(gamma, rel=1e-6)
    assert d["ctau"] == pytest.approx(1.973269804e-16 / gamma, rel=1e-6)
    assert d["branching_ratios"] == pytest.approx({"e+ e-": 1.0})


def test_alp_photon_json_closed_form(capsys):
    code, out, err = run(["widths", "alp", "--mass", "0.05", "--g-gamma", "1e-4", "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    # g^2 m^3 / (64 pi) (docs/physics.md#alp-widths)
    assert d["total_width"] == pytest.approx(1e-8 * 0.05**3 / (64 * math.pi), rel=1e-9)
    assert d["branching_ratios"] == pytest.approx({"gamma gamma": 1.0})


def test_hnl_majorana_twice_dirac(capsys):
    args = ["widths", "hnl", "--mass", "0.3", "--mixing", "mu=1e-6", "--mixing", "e=1e-7", "--json"]
    code, out, _ = run(args, capsys)
    assert code == 0
    maj = json.loads(out)
    code, out, _ = run(args + ["--dirac"], capsys)
    dirac = json.loads(out)
    assert maj["total_width"] == pytest.approx(2 * dirac["total_width"], rel=1e-12)
    assert sum(maj["branching_ratios"].values()) == pytest.approx(1.0, abs=1e-12)


def test_table_and_plot(tmp_path, capsys):
    png = tmp_path / "w.png"
    code, out, err = run(["widths", "hnl", "--mass", "0.5", "--mixing", "e=1e-6", "--plot", str(png)], capsys)
    assert code == 0, err
    assert "total width" in out and "c*tau" in out and "branching ratios" in out
    assert png.stat().st_size > 10000


@pytest.mark.parametrize(
    "args,needle",
    [
        (["widths", "hnl", "--mass", "0.3", "--mixing", "x=1e-6"], "--mixing"),
        (["widths", "hnl", "--mass", "0.3"], "--mixing"),
        (["widths", "alp", "--mass", "0.3", "--g-hnl", "1e-3"], "--hnl-mass"),
    ],
)
def test_bad_input_one_line_exit_2(args, needle, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_bad_flag_values_exit_2(capsys):
    for args in (["widths", "zprime", "--mass", "-1", "--coupling", "1e-3"],
                 ["widths", "zprime", "--kind", "axial", "--mass", "0.1", "--coupling", "1e-3"]):
        with pytest.raises(SystemExit) as e:
            main(args)
        assert e.value.code == 2


def test_alp_gluon_coupling_adds_three_pions(capsys):
    """c_GG = 1, f_a = 1 TeV at 0.6 GeV: the 3 pi channels open and BR(3 pi) = 0.684 with the
    default three-flavour treatment (arXiv:1811.03474; 0.464 two-flavour;
    tests/reference/test_alp_gluon_reference.py pins the widths)."""
    code, out, err = run(["widths", "alp", "--mass", "0.6", "--c-gg", "1", "--f-a", "1000", "--json"], capsys)
    assert code == 0, err
    br = json.loads(out)["branching_ratios"]
    assert {"gamma gamma", "pi0 pi0 pi0", "pi+ pi- pi0"} == set(br)
    assert br["pi0 pi0 pi0"] + br["pi+ pi- pi0"] == pytest.approx(0.684, abs=2e-3)
    code, out, err = run(["widths", "alp", "--mass", "0.6", "--c-gg", "1"], capsys)
    assert code == 2 and "--f-a" in err

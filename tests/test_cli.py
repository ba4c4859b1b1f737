"""The fipgen command: default run, overrides, and one-line errors with exit 2 and no output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import uproot

from fipgen.cli import main

GOOD = """[experiment]
detector = "sbnd"
[model]
zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }
[signal]
produce = ["zprime:pi0"]
detect = "zprime:decay"
[run]
events = 2000
output = "out.root"
"""


def test_generate_writes_and_summarises(run_cli, tmp_path, capsys):
    (tmp_path / "c.toml").write_text(GOOD)
    code, out, err = run_cli(["generate", "c.toml", "--events", "3000", "--seed", "5", "--quiet"])
    assert code == 0, err
    with uproot.open(tmp_path / "out.root") as f:
        assert f["run"]["n_trials"].array()[0] == 3000
        assert f["run"]["seed"].array()[0] == 5
    code, out, err = run_cli(["generate", "c.toml", "--events", "3000", "--output", "b.root"])
    assert code == 0
    for word in ("events written", "expected signal", "Kish effective N", "b.root"):
        assert word in out


BAD = [
    ("unknown key", GOOD.replace("[run]", "[run]\nfoo = 1"), "run.foo"),
    ("wrong type", GOOD.replace("events = 2000", 'events = "2000"'), "run.events"),
    ("negative mass", GOOD.replace("mass = 0.05", "mass = -0.05"), "model.zprime.mass"),
    ("mass above pi0 for a pi0-only card", GOOD.replace("mass = 0.05", "mass = 0.2"), "model.zprime.mass"),
    ("mass above the eta mass for an eta-only card", GOOD.replace("mass = 0.05", "mass = 0.6").replace('"zprime:pi0"', '"zprime:eta"'), "model.zprime.mass"),
    ("unknown resonance family", GOOD.replace('detect = "zprime:decay"', 'detect = "zprime:decay"\ndecay_resonances = ["pion"]'), "signal.decay_resonances"),
    ("unknown detector", GOOD.replace('"sbnd"', '"sbndd"'), "experiment.detector"),
    ("unknown final state", GOOD.replace("[run]", '[run]').replace('detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = ["tau+ tau-"]'), "signal.final_states[0]"),
]


@pytest.mark.parametrize("label,text,key", BAD, ids=[b[0] for b in BAD])
def test_bad_cards_exit_2_one_line_no_output(run_cli, label, text, key, tmp_path, capsys):
    (tmp_path / "c.toml").write_text(text)
    code, out, err = run_cli(["generate", "c.toml"])
    assert code == 2
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and key in lines[0], err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


def test_missing_card_file(run_cli, tmp_path, capsys):
    code, out, err = run_cli(["generate", "nothere.toml"])
    assert code == 2 and "not found" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_overwrite(run_cli, tmp_path, capsys):
    (tmp_path / "c.toml").write_text(GOOD)
    (tmp_path / "out.root").write_text("keep me")
    code, out, err = run_cli(["generate", "c.toml"])
    assert code == 2 and "--overwrite" in err
    assert (tmp_path / "out.root").read_text() == "keep me"
    code, out, err = run_cli(["generate", "c.toml", "--overwrite", "--quiet"])
    assert code == 0
    with uproot.open(tmp_path / "out.root") as f:
        assert f["events"].num_entries > 0


def test_bad_flag_value(run_cli, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        run_cli(["generate", "--events", "-5"])
    assert e.value.code == 2


def test_console_script_default_example(tmp_path):
    """`fipgen generate` with no card runs the packaged default example and says which."""
    r = subprocess.run([sys.executable, "-m", "fipgen", "generate", "--events", "20000", "--json"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # stderr carries errors only
    assert json.loads(r.stdout)["card"] == "examples/sbnd_dark_photon.toml"
    r = subprocess.run([sys.executable, "-m", "fipgen", "generate", "--events", "20000", "--overwrite"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("fipgen: no run card given: running the packaged default example 'sbnd_dark_photon.toml'")
    assert (tmp_path / "fipgen_sbnd_dark_photon.root").is_file()


def test_detectors_listing(capsys):
    assert main(["detectors"]) == 0
    out = capsys.readouterr().out
    for name in ("sbnd", "microboone", "icarus", "miniboone", "miniboone_dump", "dune_nd_lar", "darkquest", "argoneut", "bnb", "lbnf"):
        assert name in out


def test_detector_plot(tmp_path, capsys):
    out = tmp_path / "sbnd.png"
    assert main(["detectors", "sbnd", "--plot", str(out)]) == 0
    assert out.stat().st_size > 10000

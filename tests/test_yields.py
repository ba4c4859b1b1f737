"""fipgen yields: mesons per POT, LLPs per POT by channel, expected events without writing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fipgen.card import load_packaged_card, parse_card
from fipgen.pipeline import build_job, run
from fipgen.yields import compute_yields

CARD = """[experiment]
detector = "sbnd"
[model]
hnl = { mass = 0.25, mixing_mu = 1e-7 }
[signal]
produce = ["hnl:K+"]
detect = "hnl:decay"
[run]
events = 40000
output = "never.root"
"""


def test_json_keys_values_and_no_file(run_cli, tmp_path, capsys):
    (tmp_path / "c.toml").write_text(CARD)
    code, out, err = run_cli(["yields", "c.toml", "--json"])
    assert code == 0, err
    y = json.loads(out)
    assert {"mesons_per_pot", "channels", "total_expected_events"} <= set(y)
    # the BNB's sources: its cascade, the target's first interactions from the fits; the pi0 is
    # the source the channels use (0.9 per POT from the fits + the later generations)
    from fipgen.geometry import load_beamline
    from fipgen.production.sources.resolve import meson_source

    assert y["mesons_per_pot"]["111"] == pytest.approx(meson_source(load_beamline("bnb"), 111).per_pot, rel=1e-9)
    assert y["mesons_per_pot"]["111"] > 0.9 and y["mesons_counted"].startswith("all generations")
    # the first-interaction variant: fipgen.production.sources.charged_mesons, meson_spectra
    (tmp_path / "f.toml").write_text(CARD.replace('detector = "sbnd"', 'detector = "sbnd"\nmeson_sources = "first-interactions"'))
    code, out, err = run_cli(["yields", "f.toml", "--json"])
    assert code == 0, err
    first = json.loads(out)
    assert first["mesons_counted"] == "first interactions"
    assert first["mesons_per_pot"]["111"] == pytest.approx(0.9)
    assert first["mesons_per_pot"]["321"] == pytest.approx(0.04897, rel=5e-4)
    assert first["mesons_per_pot"]["211"] == pytest.approx(0.6092, rel=5e-4)
    names = set(y["channels"])
    assert names == {"hnl:K+ -> mu+ N", "hnl:K+ -> pi0 mu+ N"}
    for c in y["channels"].values():
        assert {"llp_per_pot", "expected_events"} <= set(c)
        assert c["llp_per_pot"] > 0 and c["expected_events"] >= 0
    # the tiny three-body channel (1e-14 per POT, ~3e-6 of the two-body one) still gets an estimate
    assert y["channels"]["hnl:K+ -> pi0 mu+ N"]["expected_events"] > 0
    assert y["total_expected_events"] == pytest.approx(sum(c["expected_events"] for c in y["channels"].values()))
    assert not list(tmp_path.glob("*.root"))


def test_agrees_with_generate_and_channel_rates():
    """The per-channel rates are the job's; the total agrees with the sum of weights that
    `fipgen generate` writes, within the two Monte Carlo errors."""
    card = load_packaged_card("sbnd_dark_photon.toml").replace(events=60_000)
    job = build_job(card)
    y = compute_yields(job)
    for ch, r in zip(job.channels, job.rates):
        assert y["channels"][ch.name]["llp_per_pot"] == r
    s = run(build_job(card), None)
    diff = y["total_expected_events"] - s.sum_weights
    assert abs(diff) < 4 * np.hypot(y["total_mc_error"], s.mc_error)
    # pi0 -> gamma A' dominates eta -> gamma A' at 50 MeV (rates 1.1e-14 vs 2.3e-16 per POT)
    assert y["channels"]["zprime:pi0"]["expected_events"] > 50 * y["channels"]["zprime:eta"]["expected_events"]


def test_reproducible_and_text(run_cli, tmp_path, capsys):
    (tmp_path / "c.toml").write_text(CARD)
    _, a, _ = run_cli(["yields", "c.toml", "--json", "--events", "20000", "--seed", "4"])
    _, b, _ = run_cli(["yields", "c.toml", "--json", "--events", "20000", "--seed", "4"])
    ya, yb = json.loads(a), json.loads(b)
    assert ya["total_expected_events"] == yb["total_expected_events"]
    code, out, _ = run_cli(["yields", "c.toml", "--quiet", "--events", "20000"])
    assert code == 0
    for word in ("mesons per POT", "K+", "hnl:K+ -> mu+ N", "total"):
        assert word in out


def test_external_parent_species(tmp_path):
    """With a MeVPrtl parent list the mesons per POT are the file's."""
    from fipgen.io.parent_list import write_mevprtl_text

    rng = np.random.default_rng(1)
    n = 2000
    p = np.column_stack([rng.normal(0, 0.1, (n, 2)), rng.uniform(0.5, 3.0, n)])
    e = np.sqrt((p**2).sum(1) + 0.1349768**2)
    pdg = np.where(np.arange(n) < 1500, 111, 221)
    e[pdg == 221] = np.sqrt((p[pdg == 221] ** 2).sum(1) + 0.547862**2)
    write_mevprtl_text(tmp_path / "parents.txt", np.column_stack([p, e]), pdg, 1.0, pot=1000.0)
    card = parse_card(f"""[experiment]
detector = "sbnd"
parents = "{tmp_path / 'parents.txt'}"
[model]
zprime = {{ kind = "dark-photon", mass = 0.05, coupling = 1e-7 }}
[signal]
produce = ["zprime:pi0"]
detect = "zprime:decay"
[run]
events = 20000
""", "t")
    y = compute_yields(build_job(card))
    assert y["mesons_per_pot"] == {111: pytest.approx(1.5), 221: pytest.approx(0.5)}


def test_bad_card_is_one_line(run_cli, tmp_path, capsys):
    (tmp_path / "c.toml").write_text(CARD.replace("mixing_mu", "mixing_muon"))
    code, out, err = run_cli(["yields", "c.toml"])
    assert code == 2 and out == "" and err.count("\n") == 1 and "model.hnl.mixing_muon" in err

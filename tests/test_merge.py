"""``fipgen merge``: files of one card combined into one whose weights are the expected events
for one stated POT; the run record keeps every input's entries."""

from __future__ import annotations

import json

import numpy as np
import pytest
import uproot

from fipgen.cli import main
from fipgen.io.merge import merge_files
from fipgen.io.root import read_run

CARD = """[experiment]
detector = "sbnd"
pot = {pot}

[model]
zprime = {{ kind = "dark-photon", mass = 0.05, coupling = 1e-7 }}

[signal]
produce = ["zprime:pi0", "zprime:eta"]
detect = "zprime:decay"

[run]
events = {events}
seed = {seed}
output = "{out}"
"""


def _generate(d, name, seed, events=20000, pot=6.6e20):
    (d / f"{name}.toml").write_text(CARD.format(pot=pot, events=events, seed=seed, out=d / f"{name}.root"))
    assert main(["generate", str(d / f"{name}.toml"), "--quiet"]) == 0
    with uproot.open(d / f"{name}.root") as f:
        return f["events"].arrays(library="np"), f["run"].arrays(library="np")


def test_merged_weights_are_the_pot_weighted_mean_and_every_input_is_kept(tmp_path):
    a, ra = _generate(tmp_path, "a", 1)
    b, rb = _generate(tmp_path, "b", 2, events=30000)
    res = merge_files(tmp_path / "m.root", [tmp_path / "a.root", tmp_path / "b.root"])
    with uproot.open(tmp_path / "m.root") as f:
        m = f["events"].arrays(library="np")
        run, cards, metas = read_run(f)
    sa, sb = a["weight"].sum(), b["weight"].sum()
    assert sa != pytest.approx(sb, rel=1e-6)  # (two estimates, different seeds and trials)
    # same POT: the mean of the two files' expected signals, for the card's POT
    assert m["weight"].sum() == pytest.approx(0.5 * (sa + sb), rel=1e-12) == res["sum_weights"]
    assert res["pot"] == 6.6e20 and res["scale"] == 0.5
    assert m["weight"].size == a["weight"].size + b["weight"].size
    np.testing.assert_array_equal(m["llp_e"], np.concatenate([a["llp_e"], b["llp_e"]]))
    np.testing.assert_array_equal(m["daughter_pdg"][-1], b["daughter_pdg"][-1])
    np.testing.assert_allclose(m["weight_decay"], np.concatenate([a["weight_decay"], b["weight_decay"]]))
    # the run record: one entry per input, seeds and trials kept, POT and sums rescaled alike
    assert list(run["seed"]) == [1, 2] and list(run["n_trials"]) == [20000, 30000]
    assert run["pot"].sum() == pytest.approx(6.6e20) and list(run["pot_generated"]) == [6.6e20, 6.6e20]
    assert run["sum_weights"].sum() == pytest.approx(m["weight"].sum(), rel=1e-12)
    assert [x["seed"] for x in metas] == [1, 2] and "seed = 2" in cards[1]
    # merging the merged file with a third gives the POT-weighted mean of all three entries' POT shares
    c, _ = _generate(tmp_path, "c", 3, pot=1.32e21)
    res2 = merge_files(tmp_path / "m2.root", [tmp_path / "m.root", tmp_path / "c.root"], pot=6.6e20)
    sc = c["weight"].sum()
    # m states 6.6e20 (expected 0.5(sa+sb)), c states 1.32e21 (sc): per POT, POT-weighted
    expected = 6.6e20 * (0.5 * (sa + sb) + sc) / (6.6e20 + 1.32e21)
    assert res2["sum_weights"] == pytest.approx(expected, rel=1e-12)
    with uproot.open(tmp_path / "m2.root") as f:
        run2, cards2, _ = read_run(f)
    assert run2["pot"].sum() == pytest.approx(6.6e20) and len(cards2) == 3
    assert list(run2["pot_generated"]) == [6.6e20, 6.6e20, 1.32e21]


def test_different_pot_needs_a_stated_pot_and_a_merged_file_reweights(tmp_path, capsys):
    _generate(tmp_path, "a", 1, events=5000)
    _generate(tmp_path, "b", 2, events=5000, pot=1e21)
    assert main(["merge", str(tmp_path / "m.root"), str(tmp_path / "a.root"), str(tmp_path / "b.root")]) == 2
    assert "--pot" in capsys.readouterr().err and not (tmp_path / "m.root").exists()
    # a merge for the card's POT reweights as a generated file does; one stating twice the POT (what hadd
    # of two files states) is refused by reweight, which reads the POT as the sum over the run entries
    _generate(tmp_path, "c", 3, events=5000)
    assert main(["merge", str(tmp_path / "ok.root"), str(tmp_path / "a.root"), str(tmp_path / "c.root")]) == 0
    assert main(["reweight", str(tmp_path / "ok.root"), "--coupling", "2e-7"]) == 0
    assert main(["merge", str(tmp_path / "x2.root"), str(tmp_path / "a.root"), str(tmp_path / "c.root"),
                 "--pot", "1.32e21"]) == 0
    capsys.readouterr()
    assert main(["reweight", str(tmp_path / "x2.root"), "--coupling", "2e-7"]) == 2
    assert "fipgen merge" in capsys.readouterr().err


def test_files_of_the_previous_layout_are_read(tmp_path):
    """Files written before the run strings became branches (top-level TObjStrings) still read."""
    with uproot.recreate(tmp_path / "old.root") as f:
        f.mktree("run", {"pot": np.float64, "seed": np.int64}).extend({"pot": np.array([1e20]), "seed": np.array([4])})
        f["run_card"] = "[experiment]\n"
        f["run_metadata"] = json.dumps({"seed": 4})
    with uproot.open(tmp_path / "old.root") as f:
        run, cards, metas = read_run(f)
    assert run["pot"][0] == 1e20 and cards == ["[experiment]\n"] and metas == [{"seed": 4}]

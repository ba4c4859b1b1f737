"""Numbers that cannot be: requests and results outside what a run supports are refused with
one line (exit 2) before anything is written.

- ``--unweighted N`` above what the weighted sample supports (more than 1 % of the weight
  above w_ref) is refused after the weights-only pass, before any file is opened;
- POT above 1e30 (run card or detector file) is refused; a sum of weights that overflows is
  refused before the output is committed, leaving no file (not even a temporary one);
- more than 1e12 trials (``run.events``, ``--events``) is refused at once, and the planning of
  blocks and chunks is lazy, so memory does not grow with the count.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import uproot

from _boxes import box_detector
from fipgen.card import MAX_POT, MAX_TRIALS, load_packaged_card, parse_card
from fipgen.cli import build_parser, main
from fipgen.errors import CardError, GeometryError, NumericError
from fipgen.geometry import load_detector
from fipgen.pipeline import (MAX_WEIGHT_ABOVE, _plan_unweighting, blocks_of, build_job, chunks_of, iter_blocks,
                                iter_chunk_plan, iter_chunks, max_unweighted, n_blocks, run)
from fipgen.rng import BLOCK_SIZE

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = "sbnd_dark_photon"


def fipgen(args, cwd, timeout=300):
    """Run ``python -m fipgen`` of this checkout in ``cwd``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "fipgen", *args], cwd=cwd, capture_output=True, text=True,
                       timeout=timeout, env=env)
    return r, time.perf_counter() - t0


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("fipgen") and "error:" in lines[0], stderr
    return lines[0]


def no_files(path: Path) -> None:
    """Nothing in ``path`` but the inputs the test put there (hidden .part files included)."""
    left = [p for p in os.listdir(path) if not p.endswith(".toml")]
    assert left == [], left


def default_card(events: int = 20000):
    return load_packaged_card(DEFAULT + ".toml").replace(events=events)


# ------------------------------------------------------------------------- unweighting


def test_unweighted_beyond_what_the_sample_supports_is_refused(tmp_path):
    r, seconds = fipgen(["generate", DEFAULT, "--events", "20000", "--unweighted", "19000", "--output", "u.root",
                         "--quiet"], tmp_path)
    assert r.returncode == 2, r.stderr
    line = one_error_line(r.stderr)
    assert "--unweighted 19000" in line and "supports at most N = " in line and "--events" in line
    n_max = int(line.split("N = ")[1].split()[0])
    assert 0 < n_max < 19000
    no_files(tmp_path)  # refused after the weights-only pass: no output, no .part file
    assert r.stdout == ""


def test_a_supported_unweighted_sample_is_written(tmp_path):
    # first-interaction sources: the cascade's weights spread more (1452 supported at 20000 trials)
    card = default_card().replace(meson_sources="first-interactions")
    w = np.concatenate([b.scalars["weight"] for b, _ in iter_chunks(build_job(card))])
    n = max_unweighted(w)
    assert 1000 < n < 20000  # the default card at 20000 trials supports a few thousand (2520)
    out = tmp_path / "u.root"
    s = run(build_job(card), str(out), unweighted=n)
    u = s.unweighting
    assert s.n_events == n and u["kept"] == n and u["max_supported"] == n
    assert math.isfinite(u["pot_equivalent"]) and u["pot_equivalent"] > 0
    assert u["fraction_weight_above_w_ref"] <= MAX_WEIGHT_ABOVE
    # n unit-weight events are expected at the equivalent POT (within MC and the 1 % bias)
    assert n / (s.sum_weights / card.pot * u["pot_equivalent"]) == pytest.approx(1.0, abs=4 / math.sqrt(n) + 0.01)
    with uproot.open(out) as f:
        assert f["events"].num_entries == n
        assert np.all(f["events"]["weight"].array(library="np") == 1.0)
        assert f["run"]["pot"].array(library="np")[0] == pytest.approx(u["pot_equivalent"])
        assert json.loads(str(f["run"]["run_metadata"].array(library="np")[0]))["unweighted"]["max_supported"] == n
    with pytest.raises(CardError, match=f"supports at most N = {n} "):
        run(build_job(card), str(tmp_path / "v.root"), unweighted=n + 1)
    assert sorted(os.listdir(tmp_path)) == ["u.root"]


def _samples():
    rng = np.random.default_rng(7)
    with_zeros = rng.lognormal(0.0, 1.5, 5000)
    with_zeros[rng.random(5000) < 0.3] = 0.0
    return {"lognormal 1": rng.lognormal(0.0, 1.0, 20000), "lognormal 2.5": rng.lognormal(0.0, 2.5, 20000),
            "exponential": rng.exponential(1.0, 3000), "pareto": rng.pareto(1.5, 10000) + 1e-3,
            "equal": np.full(1000, 0.25), "with zeros": with_zeros}


@pytest.mark.parametrize("name", list(_samples()))
def test_supported_n_is_the_largest_with_at_most_1_percent_of_the_weight_above_w_ref(name):
    w = _samples()[name]
    n_max = max_unweighted(w)
    assert 0 < n_max < np.count_nonzero(w)
    at = _plan_unweighting(w, n_max, 1e20, 1)
    above = _plan_unweighting(w, n_max + 1, 1e20, 1)
    assert at.fraction_weight_above <= MAX_WEIGHT_ABOVE < above.fraction_weight_above
    assert at.supported == above.supported == n_max
    assert math.isfinite(at.pot_equivalent) and at.pot_equivalent > 0
    # further down the bias only shrinks; close to the number of positive weights it is most of the weight
    assert _plan_unweighting(w, max(1, n_max // 2), 1e20, 1).fraction_weight_above <= at.fraction_weight_above
    if name != "equal":
        assert _plan_unweighting(w, int(0.95 * np.count_nonzero(w)), 1e20, 1).fraction_weight_above > 0.5


def test_no_positive_weight_supports_nothing():
    assert max_unweighted(np.zeros(10)) == 0
    assert _plan_unweighting(np.zeros(10), 5, 1e20, 1).supported == 0


# ------------------------------------------------------------------------- POT and sums


def test_pot_above_1e30_is_refused_in_the_card():
    text = load_packaged_card(DEFAULT + ".toml").text
    assert parse_card(text.replace("pot = 6.6e20", f"pot = {MAX_POT!r}")).pot == MAX_POT
    for bad in ("1e300", "1.0000001e30", "inf", "0.0", "-1e20"):
        with pytest.raises(CardError) as err:
            parse_card(text.replace("pot = 6.6e20", f"pot = {bad}"))
        msg = str(err.value)
        assert "\n" not in msg and "experiment.pot" in msg and "1e+30" in msg


def test_pot_above_1e30_is_refused_in_a_detector_file(tmp_path, capsys):
    det = tmp_path / "box.toml"
    det.write_text(box_detector("bnb", (0.0, 0.0, 100.0), 4.0).replace("exposure_pot = 1e20", "exposure_pot = 1e300"))
    with pytest.raises(GeometryError) as err:
        load_detector(str(det))
    assert "exposure_pot" in str(err.value) and "1e+30" in str(err.value) and "\n" not in str(err.value)
    card = load_packaged_card(DEFAULT + ".toml").text.replace('detector = "sbnd"', f'detector = "{det}"')
    card = card.replace("pot = 6.6e20\n", "")
    (tmp_path / "c.toml").write_text(card)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(["generate", "c.toml", "--events", "2000", "--output", "o.root", "--quiet"])
    finally:
        os.chdir(cwd)
    out, errtext = capsys.readouterr()
    assert code == 2
    assert "exposure_pot" in one_error_line(errtext)
    no_files(tmp_path)


def _huge_job(rate: float):
    """The default job with a total production rate of ``rate`` per POT (6.6e20 POT): weights
    whose sum (1e300: POT x rate overflows) or sum of squares (1e150) overflows."""
    job = build_job(default_card())
    return replace(job, _rates=job.rates / job.rate_per_pot * rate)


@pytest.mark.parametrize("rate, what", [(1e300, "sum of weights"), (1e150, "sum of squared weights")])
def test_non_finite_sums_are_refused_and_leave_no_file(tmp_path, rate, what):
    job = _huge_job(rate)
    with pytest.raises(NumericError) as err:
        run(job, str(tmp_path / "o.root"), formats=("root", "hepmc3"))
    msg = str(err.value)
    assert "\n" not in msg and f"the {what}" in msg and "experiment.pot" in msg
    assert "is inf" in msg or "is nan" in msg  # POT x rate = inf; inf x 0 = nan for the trials that miss
    assert os.listdir(tmp_path) == []  # the writers removed their temporary files
    with pytest.raises(NumericError):  # the weights-only pass of an unweighted sample checks too
        run(job, str(tmp_path / "u.root"), unweighted=100)
    assert os.listdir(tmp_path) == []


def test_non_finite_sums_exit_2_with_one_line(tmp_path, capsys, monkeypatch):
    import fipgen.pipeline as pipeline

    huge = _huge_job(1e150)
    monkeypatch.setattr(pipeline, "build_job", lambda card, **kw: huge)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(["generate", DEFAULT, "--events", "20000", "--output", "o.root", "--quiet"])
    finally:
        os.chdir(cwd)
    assert code == 2
    assert "sum of squared weights" in one_error_line(capsys.readouterr().err)
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------- trial counts


def test_events_beyond_1e12_are_refused_at_once(tmp_path):
    r, seconds = fipgen(["generate", DEFAULT, "--events", "99999999999999", "--output", "o.root"], tmp_path)
    assert r.returncode == 2 and "--events" in one_error_line(r.stderr) and "1e12" in r.stderr
    assert seconds < 60
    text = load_packaged_card(DEFAULT + ".toml").text
    for value in ("1e29", "1000000000001"):
        (tmp_path / "c.toml").write_text(text.replace("events = 200_000", f"events = {value}"))
        r, seconds = fipgen(["generate", "c.toml", "--output", "o.root"], tmp_path)
        assert r.returncode == 2
        line = one_error_line(r.stderr)
        assert "run.events" in line and "1e12" in line and seconds < 60
    no_files(tmp_path)


@pytest.mark.parametrize("command", [["generate"], ["yields"], ["scan", "c.toml", "--masses", "0.01:0.02:2",
                                                                  "--couplings", "1e-8:1e-7:2"],
                                     ["acceptance", "c.toml", "--masses", "0.01:0.02:2", "--ctau", "1:10:2",
                                      "--output", "a.csv"]])
def test_every_events_option_is_bounded(command, capsys):
    parser = build_parser()
    assert parser.parse_args([*command, "--events", str(MAX_TRIALS)]).events == MAX_TRIALS
    for bad in (str(MAX_TRIALS + 1), "0", "1e6"):
        with pytest.raises(SystemExit) as err:
            parser.parse_args([*command, "--events", bad])
        assert err.value.code == 2
        assert "--events" in one_error_line(capsys.readouterr().err)


def test_a_card_changed_after_parsing_is_checked_too():
    with pytest.raises(CardError, match="run.events"):
        build_job(default_card(MAX_TRIALS + 1))


def _old_blocks_of(n_trials):
    out = []
    done, b = 0, 0
    while done < n_trials:
        size = min(BLOCK_SIZE, n_trials - done)
        out.append((b, size))
        done += size
        b += 1
    return out


def _old_chunks_of(n_trials, chunk_size):
    per = max(1, math.ceil(chunk_size / BLOCK_SIZE))
    bl = _old_blocks_of(n_trials)
    return [bl[i : i + per] for i in range(0, len(bl), per)]


@pytest.mark.parametrize("n", [0, 1, 16383, 16384, 16385, 3 * 65536 + 5, 200_000, 1_000_000])
def test_chunk_planning_matches_the_list_form(n):
    assert blocks_of(n) == list(iter_blocks(n)) == _old_blocks_of(n)
    assert n_blocks(n) == len(_old_blocks_of(n))
    for chunk in (1, 16384, 16385, 65536, 100_000, 10**9):
        assert chunks_of(n, chunk) == list(iter_chunk_plan(n, chunk)) == _old_chunks_of(n, chunk)


def test_chunk_planning_is_lazy():
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        first = next(iter_chunk_plan(MAX_TRIALS, 65536))
        first_block = next(iter_blocks(MAX_TRIALS))
        blocks = iter_blocks(MAX_TRIALS, n_blocks(MAX_TRIALS) - 1)
        last = next(blocks)
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == [(0, BLOCK_SIZE), (1, BLOCK_SIZE), (2, BLOCK_SIZE), (3, BLOCK_SIZE)]
    assert first_block == (0, BLOCK_SIZE)
    assert last == (n_blocks(MAX_TRIALS) - 1, MAX_TRIALS - (n_blocks(MAX_TRIALS) - 1) * BLOCK_SIZE)
    assert peak < 10 * 2**20 and seconds < 1.0

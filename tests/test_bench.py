"""scripts/bench.py: every figure for the current tree and a baseline git worktree, in the same
run, each in a subprocess of its own; the worktree and temporary files removed on exit and on
SIGTERM; no figure of another tool presented as measured. Tiny sizes (seconds)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "scripts" / "bench.py"

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(),
                                reason="needs git and a git checkout")


def _worktrees() -> list[str]:
    out = subprocess.run(["git", "worktree", "list", "--porcelain"], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    return [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("worktree ") and "fipgen-bench-" in line]


def _load_bench():
    """scripts/bench.py as a module (its dataclasses look their module up while it loads)."""
    spec = importlib.util.spec_from_file_location("fipgen_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules[spec.name]
    return bench


def _bench(args, tmp_path, **kw):
    return subprocess.run([sys.executable, str(BENCH), *args], cwd=tmp_path, capture_output=True, text=True, **kw)


def test_start_up_against_a_baseline_worktree_then_removed(tmp_path):
    before = _worktrees()
    r = _bench(["--baseline", "HEAD", "--figures", "startup-help", "--repeats", "2", "--warmup", "0", "--json"],
               tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    assert res["baseline"]["ref"] == "HEAD" and head.startswith(res["baseline"]["commit"])
    v = res["figures"]["startup_help"]["values"]["seconds"]
    assert len(v["current_runs"]) == len(v["baseline_runs"]) == 2
    assert 0 < v["current"] < 30 and 0 < v["baseline"] < 30
    assert v["ratio_current_over_baseline"] == pytest.approx(v["current"] / v["baseline"])
    assert "not measured here" in res["foresee"]
    assert _worktrees() == before and not Path(res["baseline"]["tree"]).exists()


def test_a_worker_figure_with_an_existing_baseline_tree(tmp_path):
    r = _bench(["--baseline-tree", str(REPO), "--figures", "chain", "--trials", "3000", "--repeats", "1",
                "--warmup", "0", "--json"], tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    v = json.loads(r.stdout)["figures"]["chain"]["values"]["trials_per_s"]
    assert v["current"] > 0 and v["baseline"] > 0 and v["ratio_current_over_baseline"] > 0


def test_the_start_up_floor_is_a_program_of_its_own(tmp_path):
    """The floor figure runs its own Python file (numba caches its kernel beside it) for both trees."""
    r = _bench(["--baseline-tree", str(REPO), "--figures", "startup_stack", "--repeats", "1", "--warmup", "1",
                "--json"], tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    fig = json.loads(r.stdout)["figures"]["startup_stack"]
    assert "notes" not in fig, fig
    v = fig["values"]["seconds"]
    assert 0 < v["current"] < 60 and 0 < v["baseline"] < 60


def test_sigterm_removes_the_worktree(tmp_path):
    before = _worktrees()
    proc = subprocess.Popen([sys.executable, str(BENCH), "--baseline", "HEAD", "--figures", "startup-help",
                             "--repeats", "1000", "--warmup", "0"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not [w for w in _worktrees() if w not in before]:
            time.sleep(0.2)
        created = [w for w in _worktrees() if w not in before]
        assert created, "no baseline worktree appeared"
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert _worktrees() == before
    assert not any(os.path.exists(w) for w in created)


def test_the_report_shows_current_baseline_and_ratio_and_measures_no_peer():
    bench = _load_bench()
    res = {"baseline": {"ref": "HEAD~1", "commit": "abc", "tree": "/tmp/x"},
           "current": {"tree": "/repo", "commit": "def", "note": ""}, "repeats": 3, "warmup": 1,
           "figures": {"startup_help": {"label": "start-up: fipgen --help", "values": {"seconds": {
               "unit": "s", "better": "lower", "current": 0.05, "baseline": 0.1, "ratio_current_over_baseline": 0.5}}}}}
    text = bench.report(res)
    row = next(line for line in text.splitlines() if line.startswith("start-up: fipgen --help"))
    assert row.split()[3:6] == ["0.05", "0.1", "0.500"]
    foresee = [line for line in text.splitlines() if "FORESEE" in line]
    assert foresee and all("not measured here" in line and not any(c.isdigit() for c in line) for line in foresee)
    assert "FORESEE ~" not in BENCH.read_text()


def test_the_report_gives_the_two_scans_worker_ratios():
    bench = _load_bench()

    def fig(cur, base):
        return {"label": "x", "values": {"seconds": {"unit": "s", "better": "lower", "current": cur, "baseline": base,
                                                     "ratio_current_over_baseline": cur / base}}}

    res = {"baseline": {"ref": "HEAD~1", "commit": "abc", "tree": "/tmp/x"},
           "current": {"tree": "/repo", "commit": "def", "note": ""}, "repeats": 3, "warmup": 1,
           "figures": {"scan_workers_1": fig(3.0, 4.0), "scan_workers_2": fig(2.4, 3.0),
                       "scan_workers_hnl_1": fig(20.0, 21.0), "scan_workers_hnl_2": fig(11.0, 12.6)}}
    lines = bench.report(res).splitlines()
    assert "fipgen scan dune_dark_photon_meson, 2 workers / 1 worker wall time (current): 0.800" in lines
    assert "fipgen scan dune_dark_photon_meson, 2 workers / 1 worker wall time (baseline): 0.750" in lines
    assert "fipgen scan sbnd_hnl_kaon, 2 workers / 1 worker wall time (current): 0.550" in lines
    assert "fipgen scan sbnd_hnl_kaon, 2 workers / 1 worker wall time (baseline): 0.600" in lines


def test_the_scan_figure_times_the_reweighting_kernel_the_scan_calls():
    """``_timed_kernel`` counts the kernel's calls from a scan (looked up on its module at each
    call) and gives their results unchanged; the module gets its kernel back afterwards."""
    import numpy as np

    from fipgen.card import load_packaged_card
    from fipgen.scan import kernels
    from fipgen.scan.run import parse_grid, run_scan

    bench = _load_bench()
    card = load_packaged_card("dune_dark_photon_meson.toml").replace(events=4000)
    masses, couplings = parse_grid("0.1:0.2:2", "--masses", log=False), parse_grid("1e-7:1e-5:5", "--couplings", log=True)
    inner = kernels.weighted_decay_sums
    plain = run_scan(card, masses, couplings, workers=1)
    try:
        acc = bench._timed_kernel()
        timed = run_scan(card, masses, couplings, workers=1)
    finally:
        kernels.weighted_decay_sums = inner
    assert acc[1] >= len(masses) and acc[0] > 0.0
    np.testing.assert_array_equal(timed.events, plain.events)

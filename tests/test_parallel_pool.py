"""Local process pools (fipgen.parallel): persistent across calls, shared with the calling
process for the scans, stopped after an error and at exit; results in task order."""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest

from fipgen import parallel


def _children() -> set[int]:
    return {p.pid for p in mp.active_children()}


def test_results_in_order_and_the_pool_persists():
    parallel.shutdown_pools()
    args = [(str(i),) for i in range(40)]
    assert parallel.map_tasks(int, args, workers=2, share=True) == list(range(40))
    got = parallel.map_tasks(os.getpid, [()] * 12, workers=3, share=True)
    assert os.getpid() in got  # the calling process takes tasks from the front
    ex = parallel._POOLS[2]  # --workers 3 with share: a pool of 2
    procs = set(ex._processes)
    assert 1 <= len(procs) <= 2  # (processes start as tasks come)
    parallel.map_tasks(os.getpid, [()] * 12, workers=3, share=True)
    assert parallel._POOLS[2] is ex and procs <= set(ex._processes)  # the same processes serve again
    plain = parallel.map_tasks(os.getpid, [()] * 6, workers=2)
    assert os.getpid() not in plain  # without share every task runs in the pool


def test_an_error_stops_the_pool_and_leaves_no_process():
    parallel.shutdown_pools()
    parallel.map_tasks(os.getpid, [()] * 4, workers=2, share=True)
    assert _children()
    with pytest.raises(ValueError):
        parallel.map_tasks(int, [("1",), ("x",), ("2",), ("y",)], workers=2, share=True)
    assert 1 not in parallel._POOLS
    parallel.shutdown_pools()
    assert not _children()


def _nap(i: int) -> tuple[int, int]:
    import time

    time.sleep(1.0 if i == 0 else 0.05)
    return i, os.getpid()


def test_a_pool_task_is_replaced_as_soon_as_it_returns():
    """While the calling process runs a long task (the first), the pool process works through
    the rest: each of its tasks is replaced from the executor's callback, not when the caller
    comes back."""
    parallel.shutdown_pools()
    parallel.map_tasks(os.getpid, [()] * 2, workers=2, share=True)  # the pool is up
    got = parallel.map_tasks(_nap, [(i,) for i in range(12)], workers=2, share=True)
    assert [i for i, _ in got] == list(range(12))
    by_caller = [i for i, pid in got if pid == os.getpid()]
    assert by_caller == [0], by_caller  # 11 x 0.05 s fit in the caller's 1 s


def test_pools_fork_only_a_single_threaded_process(monkeypatch):
    import sys
    import threading

    if not sys.platform.startswith("linux"):
        assert parallel._start_method() == "spawn"
        return
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert parallel._start_method() == "fork"
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # another thread could hold a lock
    assert parallel._start_method() == "spawn"


_FIRST_TASK_FORK = """
import json, os
from fipgen import parallel

loaded = {"done": False}


def load_once(i):
    seen = loaded["done"]  # whether this process had loaded before this task
    loaded["done"] = True
    return i, os.getpid(), seen


method = parallel._start_method()
got = parallel.map_tasks(load_once, [(i,) for i in range(8)], workers=2, share=True) if method == "fork" else []
print(json.dumps([method, os.getpid(), got]))
"""


def test_a_new_forked_pool_starts_after_the_callers_first_task():
    """The pool's processes are forked after the calling process ran its first task, so they
    inherit what it loaded (numba's initialisation and kernels in a scan) instead of loading
    it again. In a fresh interpreter (one thread: the pool forks; the test session may hold
    threads of other tests)."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _FIRST_TASK_FORK], capture_output=True, text=True, check=True)
    method, caller, got = json.loads(out.stdout)
    if not sys.platform.startswith("linux"):
        assert method == "spawn"
        return
    assert method == "fork"
    assert [i for i, _, _ in got] == list(range(8))
    assert got[0][1] == caller and got[0][2] is False  # the caller's first task loaded
    in_pool = [seen for _, pid, seen in got if pid != caller]
    assert in_pool and all(in_pool)  # every pool task found it loaded: inherited at the fork

"""Running independent tasks in order: serially, in a local process pool, or on a dask scheduler.

One helper for the scans (one task per mass) and the cascade builder (one task per chunk of
beam particles): results come back in task order whatever the number of workers; Ctrl-C,
SIGTERM or an error stop the pool's processes (or cancel the scheduler's tasks) at once.

Local pools persist: the pool of ``k`` processes made by one call serves the next calls of
the same Python process (a second scan pays no start-up), and is stopped at exit or after an
error. With ``share=True`` (the scans) the calling process works too: it runs tasks from the
front of the list while the pool's ``workers - 1`` processes take them from the back, so that
short tasks are not held up by a pool's start-up; a new forked pool starts after the calling
process's first task (its processes inherit what that task loaded). Pools fork the calling process where that
is safe (Linux, one thread: :func:`_start_method`; the processes start warm in ~0.05 s) and
start fresh interpreters otherwise (~2 s to import fipgen and load numba's cache). Which
process runs a task does not change its result.
"""

from __future__ import annotations

import atexit

__all__ = ["map_tasks", "shutdown_pools"]

#: How a local pool's processes start where :func:`_start_method` cannot fork: fresh
#: interpreters, which inherit no locks, numba or Pythia state.
_START_METHOD = "spawn"


def _start_method() -> str:
    """``fork`` on Linux when this process runs a single thread (no lock can be held by
    another thread at the fork; CPython's ProcessPoolExecutor forks all its processes before
    starting its manager thread): the processes inherit the warm parent (fipgen imported,
    numba's code loaded) and start in ~0.05 s instead of ~2 s. Otherwise :data:`_START_METHOD`."""
    import sys
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return _START_METHOD

#: The persistent local pools, by number of processes.
_POOLS: dict = {}


def shutdown_pools() -> None:
    """Stop the persistent local pools (at exit; after an error the failed pool is stopped)."""
    while _POOLS:
        _, ex = _POOLS.popitem()
        ex.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pools)


def _pool(k: int):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ex = _POOLS.get(k)
    if ex is None or getattr(ex, "_broken", False) or getattr(ex, "_shutdown_thread", False):
        ex = ProcessPoolExecutor(max_workers=k, mp_context=mp.get_context(_start_method()), initializer=_worker_init)
        _POOLS[k] = ex
    return ex


def map_tasks(func, args, workers: int, scheduler=None, progress: bool = False, unit: str = "mass",
              desc: str = "fipgen scan", share: bool = False) -> list:
    """``[func(*a) for a in args]`` in order: serially, in a local process pool (forked or
    spawned, persistent), or on a dask scheduler (address or Client); ``progress`` shows a bar over the
    tasks (``unit``, ``desc``); ``share``: the calling process runs tasks too (module
    docstring)."""
    n = len(args)
    bar = None
    if progress:
        from .progress import progress_bar

        bar = progress_bar(n, unit, desc)

    def collect(results):
        out = []
        for r in results:
            out.append(r)
            if bar:
                bar.update()
        return out

    try:
        if scheduler is not None:
            # fipgen connects to a running scheduler; it starts no dask workers of its own
            from distributed import Client
            from distributed.client import ClosedClientError

            client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
            futs = []
            try:
                futs = client.map(func, *zip(*args), pure=False)
                return collect(f.result() for f in futs)
            except BaseException:
                # an error, Ctrl-C or SIGTERM: the cluster drops the tasks not yet done
                try:
                    client.cancel(futs)
                except (ClosedClientError, OSError):  # the client or its scheduler is already gone
                    pass
                raise
            finally:
                if client is not scheduler:
                    client.close()
        if workers <= 1 or n <= 1:
            return collect(func(*a) for a in args)
        import multiprocessing as mp

        before = set(mp.active_children())
        ex = _pool(workers - 1 if share else workers)
        try:
            if not share:
                futs = [ex.submit(func, *a) for a in args]
                return collect(f.result() for f in futs)
            return _shared(ex, func, args, workers - 1, bar)
        except BaseException:
            if _POOLS.get(workers - 1 if share else workers) is ex:
                del _POOLS[workers - 1 if share else workers]
            _stop_pool(ex, before)
            raise
    finally:
        if bar:
            bar.close()


def _warm(module: str) -> None:
    """Import ``module`` (a spawned pool process's first task: the real ones come once it is done)."""
    import importlib

    importlib.import_module(module)


def _shared(ex, func, args, k: int, bar) -> list:
    """Run ``args`` in this process (from the front of the list) and on the pool ``ex`` of ``k``
    processes (from the back); results in task order. Each pool process has two tasks in
    flight (one running, one queued), and a task coming back is replaced at once from the
    executor's callback (not when this process ends its own task). A spawned pool first
    imports ``func``'s module (no task waits for a process to start); a forked one has it, and
    a new forked one is started after this process's first task (inheriting what it loaded)."""
    import threading
    from concurrent.futures import wait

    n = len(args)
    out = [None] * n
    lock = threading.RLock()  # a callback may run in this thread (a future already done)
    state = {"front": 0, "back": n - 1, "failed": None, "stop": False}
    flying = set()

    def submit_back() -> None:
        with lock:
            if state["stop"] or state["front"] > state["back"]:
                return
            i = state["back"]
            state["back"] -= 1
            f = ex.submit(func, *args[i])
            flying.add(f)
        f.add_done_callback(lambda f, i=i: done(f, i))

    def done(f, i) -> None:
        with lock:
            flying.discard(f)
            if f.cancelled():
                return
            err = f.exception()
            if err is not None:
                if state["failed"] is None:
                    state["failed"] = err
                state["stop"] = True
                return
            out[i] = f.result()
            if bar:
                bar.update()
        submit_back()

    def start_pool() -> None:
        for _ in range(2 * k):
            submit_back()

    if _start_method_of(ex) == "fork":
        if not getattr(ex, "_processes", None) and n > 1:
            # a new pool: this process runs the first task before the fork, so that the pool's
            # processes inherit numba's initialisation and the kernels that task loaded instead
            # of each paying them again (0.3-0.4 s, and the two at once slow each other down)
            state["front"] = 1
            out[0] = func(*args[0])
            if bar:
                bar.update()
        start_pool()
    else:
        def warmed(f) -> None:
            err = None if f.cancelled() else f.exception()
            if err is not None:
                with lock:
                    state["failed"] = state["failed"] or err
                return
            if not f.cancelled():
                start_pool()

        ex.submit(_warm, func.__module__).add_done_callback(warmed)
    try:
        while True:
            with lock:
                if state["failed"] is not None:
                    raise state["failed"]
                if state["front"] > state["back"]:
                    break
                i = state["front"]
                state["front"] += 1
            out[i] = func(*args[i])
            if bar:
                with lock:
                    bar.update()
        while True:
            with lock:
                if state["failed"] is not None:
                    raise state["failed"]
                pending = list(flying)
            if not pending:
                break
            wait(pending)
    finally:
        with lock:
            state["stop"] = True
    return out


def _start_method_of(ex) -> str:
    ctx = getattr(ex, "_mp_context", None)
    return ctx.get_start_method() if ctx is not None else _START_METHOD


def _worker_init() -> None:
    """Local pool workers ignore the terminal's Ctrl-C (sent to the whole process group): the
    parent stops them (:func:`_stop_pool`), without a traceback from every worker."""
    import signal

    from ._jit import without_numba_extensions

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    without_numba_extensions()  # a pool process runs fipgen's kernels only (fipgen._jit: start-up time)


def _stop_pool(ex, before=(), timeout: float = 5.0) -> None:
    """Stop a ProcessPoolExecutor now: pending tasks cancelled and the worker processes
    terminated (``shutdown(cancel_futures=True)`` alone lets running tasks finish). Child
    processes started since ``before`` (a set of multiprocessing children) are stopped too,
    in case one was being started when the exception came."""
    import multiprocessing as mp

    def stop(procs) -> None:
        for p in procs:
            try:
                p.terminate()
            except (OSError, ValueError):  # already gone (ProcessLookupError) or closed
                pass
        for p in procs:
            try:
                p.join(timeout)
                if p.is_alive():
                    p.kill()
                    p.join(1.0)
            except (OSError, ValueError):  # already reaped or closed
                pass

    manager = getattr(ex, "_executor_manager_thread", None)
    stop(list((getattr(ex, "_processes", None) or {}).values()))
    ex.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(timeout)  # it notices the dead workers and exits
    for _ in range(3):
        rest = [p for p in mp.active_children() if p not in before]
        if not rest:
            break
        stop(rest)

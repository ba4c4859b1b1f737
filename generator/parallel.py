"""Running independent tasks in order: serially, in a local process pool, or on a dask scheduler.

One helper for the scans (one task per mass) and the cascade builder (one task per chunk of
beam particles): results come back in task order whatever the number of workers; Ctrl-C,
SIGTERM or an error stop the pool's processes (or cancel the scheduler's tasks) at once.
"""

from __future__ import annotations

__all__ = ["map_tasks"]

#: Local pools start fresh interpreters (``spawn``): no inherited locks, numba or Pythia state.
_START_METHOD = "spawn"


def map_tasks(func, args, workers: int, scheduler=None, progress: bool = False, unit: str = "mass",
              desc: str = "fipgen scan") -> list:
    """``[func(*a) for a in args]`` in order: serially, in a local process pool (``spawn``), or
    on a dask scheduler (address or Client); ``progress`` shows a bar over the tasks (``unit``,
    ``desc``)."""
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
        from concurrent.futures import ProcessPoolExecutor

        before = set(mp.active_children())
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(_START_METHOD),
                                 initializer=_worker_init)
        try:
            futs = [ex.submit(func, *a) for a in args]
            out = collect(f.result() for f in futs)
            ex.shutdown(wait=True)
        except BaseException:
            _stop_pool(ex, before)
            raise
        return out
    finally:
        if bar:
            bar.close()


def _worker_init() -> None:
    """Local pool workers ignore the terminal's Ctrl-C (sent to the whole process group): the
    parent stops them (:func:`_stop_pool`), without a traceback from every worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


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

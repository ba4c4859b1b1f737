"""SIGTERM and SIGHUP handled like Ctrl-C: an exception unwinds the stack.

``fipgen`` installs :func:`terminate_on_signals` around a command. A SIGTERM or SIGHUP then
raises :class:`Terminated` (a BaseException, like KeyboardInterrupt) in the main thread, so
the same unwinding that removes temporary ``.part`` files, stops the generation thread and
terminates worker processes runs; the CLI answers with one line and exit status
``128 + signal number``. Python runs signal handlers in the main thread only, between
bytecodes: a blocking wait there (a queue, a future's result) is interrupted at once; a long
call into compiled code (a numba kernel, a compressor) finishes first.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["HANDLED", "Terminated", "terminate_on_signals"]

#: Signals turned into :class:`Terminated` (SIGINT stays KeyboardInterrupt).
HANDLED = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


class Terminated(BaseException):
    """The process was asked to stop by a signal (SIGTERM, SIGHUP)."""

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        super().__init__(self.signum)

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:  # pragma: no cover - not a known signal
            return f"signal {self.signum}"

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        return f"terminated by {self.name}"


@contextmanager
def terminate_on_signals(signals=HANDLED) -> Iterator[None]:
    """While inside, the first of ``signals`` raises :class:`Terminated` in the main thread;
    later ones are ignored so that the cleanup they triggered is not cut short. A signal
    already ignored (``nohup`` ignores SIGHUP) stays ignored. The previous handlers are
    restored on leaving. Outside the main thread (signal handlers cannot be set
    there) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = []

    def handler(signum, frame):
        if fired:
            return  # already unwinding
        fired.append(signum)
        raise Terminated(signum)

    previous = {}
    try:
        for s in signals:
            if signal.getsignal(s) is signal.SIG_IGN:
                continue  # ignored on purpose (``nohup fipgen ...``): stays ignored
            previous[s] = signal.signal(s, handler)
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)

"""Progress bars for long commands, drawn only on a terminal.

A bar redraws itself with carriage returns: in a log file or a pipe those frames pile up as one
long line, so when standard error is not a terminal no bar is drawn (``--quiet`` turns it off
on a terminal too).
"""

from __future__ import annotations

import sys

__all__ = ["progress_bar"]


def progress_bar(total: int, unit: str, desc: str, unit_scale: bool = False):
    """A tqdm bar on stderr, or None when stderr is not a terminal."""
    if not _is_terminal(sys.stderr):
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, unit_scale=unit_scale, desc=desc, leave=False)


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False

"""Atomic output files: write under a temporary name beside the target, rename on success.

A crash, an exception or Ctrl-C leaves no half-written file under the final name, and the
temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import OutputError


def check_target(path: str | Path, overwrite: bool) -> Path:
    """Check that ``path`` may be written; return it as a Path.

    Raises OutputError if it exists and ``overwrite`` is false, or if its directory does
    not exist.
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"output {str(p)!r} is a directory; give a file name")
    if p.exists() and not overwrite:
        raise OutputError(f"output {str(p)!r} exists; use --overwrite to replace it")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"output directory {str(parent)!r} does not exist")
    return p


@contextmanager
def atomic_path(path: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on normal exit rename it to ``path``."""
    target = check_target(path, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    if target.exists() and not overwrite:  # appeared while we were writing
        tmp_path.unlink(missing_ok=True)
        raise OutputError(f"output {str(target)!r} appeared while writing; use --overwrite to replace it")
    # mkstemp creates the file 0600; give the output the usual permissions (umask)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    os.replace(tmp_path, target)

"""Atomic output files: write under a temporary name beside the target, rename on success.

A crash, an exception, Ctrl-C or SIGTERM leaves no half-written file under the final name,
and the temporary file (``.NAME.XXXXXXXX.part``) is removed. Operating-system errors on the
output (disk full, quota, read-only file system, permission denied), raised while creating
the temporary file, writing it or renaming it, become one :class:`~fipgen.errors.OutputError`
naming the file and the reason: ``cannot write 'out.root': No space left on device``.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError

__all__ = ["AtomicFile", "atomic_path", "check_target", "close_all", "output_error", "probe_write_error", "PLOT_FORMATS",
           "plot_format", "save_figure"]

#: errno values that say "this output cannot be written" when a write raises them without a
#: file name (an ``OSError`` naming another file is about that file, and is passed on).
WRITE_ERRNOS = frozenset(getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "EFBIG", "EIO",
                                                       "ENAMETOOLONG", "ETXTBSY", "ESTALE") if hasattr(errno, n))


def output_error(path: str | Path, err: OSError) -> OutputError:
    """The one-line error of an OSError on output ``path``."""
    reason = os.strerror(err.errno) if err.errno else (err.strerror or str(err))
    return OutputError(f"cannot write {str(path)!r}: {reason}")


def _dir_error(parent: Path) -> int | None:
    """errno why files cannot be created in ``parent`` (EROFS, EACCES), or None."""
    if os.access(parent, os.W_OK | os.X_OK):
        return None
    try:
        if os.statvfs(parent).f_flag & os.ST_RDONLY:
            return errno.EROFS
    except (OSError, AttributeError):  # pragma: no cover - no statvfs
        pass
    return errno.EACCES


def check_target(path: str | Path, overwrite: bool) -> Path:
    """Check that ``path`` may be written; return it as a Path.

    Raises OutputError if it exists and ``overwrite`` is false, if its directory does not
    exist, or if files cannot be created there (read-only file system, no permission).
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"output {str(p)!r} is a directory; give a file name")
    if p.exists() and not overwrite:
        raise OutputError(f"output {str(p)!r} exists; use --overwrite to replace it")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"output directory {str(parent)!r} does not exist")
    code = _dir_error(parent)
    if code is not None:
        raise output_error(p, OSError(code, os.strerror(code)))
    return p


def probe_write_error(path: str | Path) -> OSError:
    """The OSError a write to ``path`` gets now (for writers that only say *that* a write
    failed, e.g. HepMC3's C++ streams); EIO if the probe succeeds. ``path`` is a temporary
    file about to be discarded: the probe appends to it."""
    try:
        with open(path, "ab") as fh:
            fh.write(b"\0" * 65536)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as err:
        return err
    return OSError(errno.EIO, os.strerror(errno.EIO))


class AtomicFile:
    """A temporary file beside ``path``, renamed to ``path`` by :meth:`commit`.

    As a context manager (``with atomic_path(p) as tmp:``) it commits on normal exit and
    discards on an exception; an OSError about the output becomes an OutputError.
    Writers that keep the file open across calls use :meth:`open` and :meth:`close` (or
    :func:`close_all` for several files that stand or fall together).
    """

    def __init__(self, path: str | Path, overwrite: bool = False) -> None:
        self.target = check_target(path, overwrite)
        self.overwrite = overwrite
        self.tmp: Path | None = None

    # -- the two halves ----------------------------------------------------------------
    def open(self) -> Path:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent or ".")
        except OSError as err:
            raise output_error(self.target, err) from None
        os.close(fd)
        self.tmp = Path(tmp)
        return self.tmp

    def discard(self) -> None:
        """Remove the temporary file (errors ignored: nothing more can be done)."""
        if self.tmp is not None:
            try:
                self.tmp.unlink(missing_ok=True)
            except OSError:  # pragma: no cover
                pass

    def commit(self) -> None:
        """Rename the temporary file to the target (OutputError and nothing left on failure)."""
        if self.target.exists() and not self.overwrite:  # appeared while we were writing
            self.discard()
            raise OutputError(f"output {str(self.target)!r} appeared while writing; use --overwrite to replace it")
        try:
            # mkstemp creates the file 0600; give the output the usual permissions (umask)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.tmp, 0o666 & ~umask)
            os.replace(self.tmp, self.target)
        except BaseException as err:
            self.discard()
            if isinstance(err, OSError):
                raise output_error(self.target, err) from None
            raise

    def convert(self, err: BaseException) -> BaseException:
        """``err`` as an OutputError if it is an OSError about this output, else ``err``."""
        if not isinstance(err, OSError) or isinstance(err, (BrokenPipeError, InterruptedError)):
            return err
        if err.filename is not None:
            names = {os.path.abspath(str(n)) for n in (self.tmp, self.target) if n is not None}
            if os.path.abspath(os.fsdecode(err.filename)) not in names:
                return err  # about another file (an input)
            return output_error(self.target, err)
        return output_error(self.target, err) if err.errno in WRITE_ERRNOS else err

    def close(self, err: BaseException | None = None, convert: bool = True) -> None:
        """Commit if ``err`` is None; else discard and raise ``err`` (converted if ``convert``:
        pass False for an exception that came from elsewhere, e.g. through a writer's
        ``__exit__``, so that an OSError of another output is not blamed on this one)."""
        if err is None:
            self.commit()
            return
        self.discard()
        conv = self.convert(err) if convert else err
        if conv is err:
            raise err
        raise conv from None

    @contextmanager
    def errors(self) -> Iterator[None]:
        """``with f.errors():`` around writes to this file: an OSError there is about it."""
        try:
            yield
        except OSError as err:
            conv = self.convert(err)
            if conv is err:
                raise
            raise conv from None

    # -- context manager ---------------------------------------------------------------
    def __enter__(self) -> Path:
        return self.open()

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            self.commit()
            return False
        self.discard()
        conv = self.convert(exc)
        if conv is not exc:
            raise conv from None
        return False


def atomic_path(path: str | Path, overwrite: bool = False) -> AtomicFile:
    """``with atomic_path(p) as tmp:`` yields a temporary path next to ``p``, renamed to ``p``
    on normal exit, removed on an exception (OSErrors about the output become OutputError)."""
    return AtomicFile(path, overwrite)


def close_all(files, err: BaseException | None = None, convert: bool = True) -> None:
    """Close several :class:`AtomicFile` together: commit all if ``err`` is None, else
    discard all and raise ``err`` (converted, as :meth:`AtomicFile.close`). If a commit
    fails the rest are discarded."""
    first = None
    for f in files:
        try:
            f.close(err, convert)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            if first is None:
                first = e
            if err is None:
                err = e
    if first is not None:
        raise first


#: File types the plots are written in (the suffix of the file name chooses).
PLOT_FORMATS = ("png", "pdf", "svg")


def plot_format(path: str | Path) -> str:
    """The format of plot file ``path`` from its suffix (OutputError naming the allowed ones)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        raise OutputError(f"plot {str(path)!r}: unsupported plot format {Path(path).suffix!r}; allowed: a file name "
                          "ending in ." + ", .".join(PLOT_FORMATS))
    return fmt


def save_figure(fig, path: str | Path, overwrite: bool = False) -> None:
    """Write the matplotlib figure ``fig`` to ``path`` atomically, in the format of its suffix."""
    fmt = plot_format(path)
    with atomic_path(path, overwrite=overwrite) as tmp:
        fig.savefig(tmp, format=fmt, dpi=130)

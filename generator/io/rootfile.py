"""Reading ROOT files that users give fipgen (``fipgen reweight`` inputs, dk2nu parent lists).

:func:`reading_root` opens a file with uproot and turns whatever a file that is not ROOT, is
truncated or lacks an expected object raises while it is read (uproot's own errors, OSError,
ValueError, decompression and deserialisation errors) into one :class:`~fipgen.errors.
InputFileError` line naming the file and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import FipgenError, InputFileError

__all__ = ["reading_root"]


@contextmanager
def reading_root(path: str | Path, what: str) -> Iterator[object]:
    """``with reading_root(path, "a fipgen ROOT file") as f:`` reads ``f`` like uproot's file;
    any failure inside the block that is not already a one-line fipgen error becomes one."""
    import uproot

    p = Path(path)
    if p.is_dir():
        raise InputFileError(f"{str(path)!r} is a directory, not {what}")
    if not p.is_file():
        raise InputFileError(f"{str(path)!r} not found (expected {what})")
    try:
        with uproot.open(p) as f:
            yield f
    except FipgenError:
        raise
    except KeyError as err:  # uproot's KeyInFileError derives from KeyError
        missing = getattr(err, "key", None) or (err.args[0] if err.args else "?")
        raise InputFileError(f"{str(path)!r}: no object {str(missing)!r} (not {what}?)") from None
    except Exception as err:  # noqa: BLE001 - any reading failure of a user's file: one line
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputFileError(f"{str(path)!r} is not a readable ROOT file ({type(err).__name__}: {reason[:160]}); "
                             f"expected {what}") from None

"""Writers (ROOT, HepMC3, HEPEVT, parent lists) and readers of fipgen's outputs.

:func:`read_events` (from :mod:`fipgen.io.read`) is imported on first use, so importing this
package stays light (``fipgen --help`` does not load awkward or vector).
"""

from __future__ import annotations

__all__ = ["read_events"]


def __getattr__(name: str):
    if name == "read_events":
        from .read import read_events

        return read_events
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""fipgen: feebly interacting particles from beam dumps and fixed targets.

The Python package behind the ``fipgen`` command. Nothing heavy is imported or read at
import time: tables and geometries load on first use.
"""

from ._version import __version__

__all__ = ["__version__"]

"""Exceptions with one-line messages meant for users.

Every user-facing error derives from :class:`FipgenError`; the CLI prints ``str(err)``
as one line and exits with :attr:`FipgenError.exit_code` (2 for bad input).
"""


class FipgenError(Exception):
    """Base class of errors whose message is shown to the user as one line."""

    exit_code = 2


class CardError(FipgenError):
    """A run card is malformed: unknown key, wrong type, value out of range."""


class GeometryError(FipgenError):
    """A geometry (detector or beamline) file is missing or malformed."""


class PhysicsError(FipgenError):
    """A request outside what the physics implemented here covers (e.g. a closed channel)."""


class OutputError(FipgenError):
    """An output cannot be written (exists without --overwrite, bad directory...)."""


class NumericError(FipgenError):
    """A result is not a finite number (the weights overflow double precision): nothing is written."""

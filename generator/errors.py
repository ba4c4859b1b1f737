"""Exceptions with one-line messages meant for users.

Every user-facing error derives from :class:`FipgenError`; the CLI prints ``str(err)``
as one line and exits with :attr:`FipgenError.exit_code` (2 for bad input).
"""

__all__ = [
    "FipgenError", "CardError", "GeometryError", "PhysicsError", "OutputError", "ClosedError", "RunFailure",
    "InputFileError", "NoSourcesError", "NumericError",
]


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


class ClosedError(CardError):
    """The card's mass is kinematically closed for every production channel in
    ``signal.produce``, or for a final state it selects. A scan notes such a mass and goes on;
    ``fipgen generate`` and ``yields`` refuse the card (exit 2) like any other card error."""


class RunFailure(FipgenError):
    """Work that passed validation failed at run time (a scan mass that is not simply closed):
    one line naming where, exit status 1."""

    exit_code = 1


class InputFileError(FipgenError):
    """A file given as input (a ROOT file to reweight, a parent list) is missing, not of the
    expected kind, or truncated."""


class NoSourcesError(PhysicsError):
    """A beamline has no meson sources here (the packaged tables are keyed by beamline)."""


class NumericError(FipgenError):
    """A result is not a finite number (the weights overflow double precision): nothing is written."""

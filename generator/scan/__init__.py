"""Coupling reweighting, acceptance tables and sensitivity scans (``fipgen reweight``,
``fipgen acceptance``, ``fipgen scan``)."""

from .axes import ScanAxes, card_at
from .reweight import Cuts, ScanTable, collect_table, expected_events, reweight_file

__all__ = ["ScanAxes", "card_at", "Cuts", "ScanTable", "collect_table", "expected_events", "reweight_file"]

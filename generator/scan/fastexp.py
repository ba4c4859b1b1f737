"""Moved to :mod:`fipgen.fastexp` (the bremsstrahlung proposal uses them too); kept importable
here."""

from ..fastexp import X_MAX, exp_neg, one_minus_exp_neg

__all__ = ["X_MAX", "exp_neg", "one_minus_exp_neg"]

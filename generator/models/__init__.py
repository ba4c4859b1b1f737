"""Physics models: one small frozen dataclass per particle (couplings, widths, BRs, lifetime).

No sampling here. Units: GeV, metres.
"""

from .zprime import DarkPhoton

__all__ = ["DarkPhoton"]

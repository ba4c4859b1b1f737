"""Production mechanisms: meson sources and meson decays into feebly interacting particles.

Nothing is computed at import time: tables are built on first use and cached.
"""

from .sources.meson_decay import br_to_gamma_darkphoton, sm_branching_ratio
from .sources.meson_spectra import (
    BNB_ETA_PER_PI0,
    BNB_PI0_PER_POT,
    MesonSource,
    bnb_meson_source,
    sanford_wang,
    sanford_wang_pi0_per_pot,
)

__all__ = [
    "br_to_gamma_darkphoton",
    "sm_branching_ratio",
    "sanford_wang",
    "sanford_wang_pi0_per_pot",
    "MesonSource",
    "bnb_meson_source",
    "BNB_PI0_PER_POT",
    "BNB_ETA_PER_PI0",
]

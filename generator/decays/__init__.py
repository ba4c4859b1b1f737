"""Decays of the BSM particles: daughters' lab four-momenta for every channel.

* :mod:`.sampler`: :func:`sample_decays` (two-body isotropic or polarised, three-body from
  the matrix element, Majorana charge conjugation, SM resonance decays).
* :mod:`.threebody`: the generic Dalitz-plot sampler and three-body momenta kernel.
* :mod:`.fourpion`: ``Z' -> 4 pi`` from the a1 pi / omega pi four-pion current (Czyz-Kuhn).
* :mod:`.hnl_matrix_elements`: ``dGamma/ds12 ds23`` of the HNL three-body channels.
* :mod:`.resonances`: the name table (channel notation -> PDG codes) and the decays of
  pi0, eta, eta', rho, omega, phi, K* with PDG branching fractions (``data/sm_decays.toml``).

Units: GeV; four-vectors ``(px, py, pz, E)``; every random number from the ``rng`` passed in.
"""

from .hnl_matrix_elements import dgamma_3nu, dgamma_cc, dgamma_nc
from .resonances import NAMES, decay_resonances, parse_channel
from .sampler import DEFAULT_RESONANCES, DecayProducts, sample_decays, three_body_density
from .threebody import sample_dalitz, three_body_momenta

__all__ = [
    "sample_decays",
    "DecayProducts",
    "DEFAULT_RESONANCES",
    "three_body_density",
    "dgamma_nc",
    "dgamma_cc",
    "dgamma_3nu",
    "NAMES",
    "parse_channel",
    "decay_resonances",
    "sample_dalitz",
    "three_body_momenta",
]

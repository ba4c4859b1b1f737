"""Kinematics kernels: boosts, two-body decays, decay positions along rays.

Pure functions on float64 arrays (``@numba.njit(cache=True, error_model="numpy")``
kernels behind thin wrappers), each with a plain-numpy reference (suffix ``_numpy``)
used in the tests. Units: GeV, m. Four-vectors are ``(n, 4)`` arrays ``(px, py, pz, E)``.
"""

from .boost import boost, boost_from_rest, boost_numpy, boost_to_rest, invariant_mass, invariant_mass_numpy
from .decay_position import (
    decay_probability,
    decay_probability_numpy,
    sample_decay_distance,
    sample_decay_distance_numpy,
    survival_and_decay,
    window_decay_probability,
)
from .twobody import (
    two_body_isotropic,
    two_body_isotropic_numpy,
    two_body_momentum,
    two_body_toward,
    two_body_toward_numpy,
)

__all__ = [
    "boost",
    "boost_numpy",
    "boost_to_rest",
    "boost_from_rest",
    "invariant_mass",
    "invariant_mass_numpy",
    "two_body_momentum",
    "two_body_isotropic",
    "two_body_isotropic_numpy",
    "two_body_toward",
    "two_body_toward_numpy",
    "window_decay_probability",
    "decay_probability",
    "decay_probability_numpy",
    "survival_and_decay",
    "sample_decay_distance",
    "sample_decay_distance_numpy",
]

"""Z's from the secondaries of the electromagnetic showers in a dump (issue 17).

The machinery of :mod:`fipgen.production.channels.alp_shower` (the photon, electron and
positron track lengths of every solid's showers, directions aimed at the detector, exact
weights) with the Z' cross sections of :mod:`fipgen.models.zprime_xsec` and the Z''s vector
coupling to the electron (docs/physics.md#z-from-showers):

==============  ================================  ================================================
channel         process                           Z' kinematics given the parent
==============  ================================  ================================================
``resonant``    e+ e- -> Z' (narrow width)        the positron's momentum, E = E_R + m_e
``associated``  e+ e- -> gamma Z'                 CM cosine from a proposal on the collinear
                                                  peaks, exact weight; photon above 1 MeV
``compton``     gamma e -> e Z'                   t from a proposal on its two peaks, exact weight
``e-bremsst-    e Z -> e Z Z' (electrons and      (x = E_Z'/E, angle) from d2sigma/dx dl with Tsai's
rahlung``       positrons, per atom)              screened form factors, sampled with exact weights
                                                  (fipgen.production.channels.alp_brems, ``vector``)
==============  ================================  ================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...models import alp_xsec as X
from ...models import zprime_xsec as Z
from .alp_shower import ASSOCIATED_K_MIN, ShowerALPChannel, shower_parts

__all__ = ["ZPRIME_SHOWER_CHANNELS", "ShowerZPrimeChannel", "zprime_shower_channel"]


@dataclass(frozen=True)
class ShowerZPrimeChannel(ShowerALPChannel):
    """A shower process making Z's (:data:`ZPRIME_SHOWER_CHANNELS`): the machinery of
    :class:`ShowerALPChannel` (track-length tables, aimed directions, exact weights) with the
    Z' cross sections of :mod:`fipgen.models.zprime_xsec` and its vector coupling to the
    electron. ``resonant``: ``e+ e- -> Z'`` on the atomic electrons, the Z' along the positron
    with its energy plus the electron's mass."""

    _VECTOR = True

    def _coupling(self) -> float:
        return Z.electron_coupling(self.model)

    def _electron_profile(self):
        """The material's atomic electrons in motion (fipgen.models.atomic_shells)."""
        from ...models import atomic_shells as AS

        return AS.material_profile(self._material)

    def _resonant_yield(self, m: float, g: float, material) -> float:
        return Z.resonant_yield_per_track_length(m, g, material.electron_density)

    def _rate(self, E):
        """Interactions per metre of parent track at total energies ``E``: ``n_e sigma(E)`` by
        quadrature (``associated`` with the photon above :data:`ASSOCIATED_K_MIN`)."""
        if self.process == "e-bremsstrahlung":
            return super()._rate(E)
        E = np.ascontiguousarray(E, dtype=np.float64)
        m, g = float(self.model.mass), self._coupling()
        n_e = self._material.electron_density
        return _zprime_rates(_ZCODE[self.process], E, m, g, ASSOCIATED_K_MIN) * n_e * Z.GEV2_TO_M2

    def _kinematics_weighted(self, E, rng):
        """(E_Z', cos to the parent, r): the angle drawn from a proposal that follows the
        process's collinear peaks (:func:`_zprime_kinematics`), ``r = n_e (dsigma/dx)/q(x)`` an
        unbiased estimate of ``n_e sigma(E)`` per metre (resonant: :meth:`_kinematics`;
        bremsstrahlung: the kernel's, as the ALP's)."""
        if self.process == "e-bremsstrahlung":
            return super()._kinematics_weighted(E, rng)
        E = np.ascontiguousarray(E, dtype=np.float64)
        if self.process == "resonant":
            return E + X.M_E, np.ones(E.size), np.zeros(E.size)
        m, g = float(self.model.mass), self._coupling()
        u = rng.random((2, E.size))
        ea, ct, w = _zprime_kinematics(_ZCODE[self.process], E, m, g, ASSOCIATED_K_MIN, u)
        return ea, ct, w * self._material.electron_density * Z.GEV2_TO_M2


#: The Z' shower channels (``zprime:<name>``).
ZPRIME_SHOWER_CHANNELS = ("resonant", "associated", "compton", "e-bremsstrahlung")
_ZCODE = {"associated": 0, "compton": 1}
#: Smallest ``1 -/+ cos`` (associated) and ``|t - t_end|`` fraction (compton) of the proposals
_Y_MIN = 1e-14


@numba.njit(**JIT_OPTIONS)
def _zprime_rates(code, E, M, g, k_min):  # pragma: no cover - compiled
    """sigma(E) per electron (GeV^-2) of the Z' ``associated`` (code 0, photon above ``k_min``) or
    ``compton`` (1) process."""
    out = np.zeros(E.size)
    for i in range(E.size):
        out[i] = Z.associated_sigma_cut(E[i], M, g, k_min) if code == 0 else Z.compton_sigma(E[i], M, g)
    return out


@numba.njit(**JIT_OPTIONS)
def _zprime_kinematics(code, E, M, g, k_min, u):  # pragma: no cover - compiled
    """(E_Z', cos of the Z' to its parent, dsigma/dx / q(x)) per parent energy: ``x`` the Z''s
    CM cosine (associated) or ``t`` (compton), drawn from ``q``: half from ``1 - x`` (or
    ``t_max - t``) and half from ``1 + x`` (``t - t_min``), each log-uniform down to
    :data:`_Y_MIN` of the range (the collinear peaks; every x covered). Closed, or below the
    photon-energy cut: weight 0 (NaN energy when closed)."""
    n = E.size
    ea = np.full(n, np.nan)
    ct = np.full(n, np.nan)
    w = np.zeros(n)
    for i in range(n):
        if code == 0:
            a, b = -1.0, 1.0
            if not 2.0 * X.M_E * X.M_E + 2.0 * X.M_E * E[i] > M * M:
                continue
        else:
            if not math.sqrt(X.M_E * X.M_E + 2.0 * X.M_E * E[i]) > X.M_E + M:
                continue
            a, b = Z.compton_t_range(E[i], M)
        span = b - a
        ln_span = math.log(1.0 / _Y_MIN)
        y = _Y_MIN ** u[1, i]  # log-uniform in [Y_MIN, 1], as a fraction of the range
        x = b - y * span if u[0, i] < 0.5 else a + y * span
        # q(x) = 0.5 / ((b - x) ln) + 0.5 / ((x - a) ln), per unit x
        q = 0.5 / (max(b - x, 1e-300) * ln_span) + 0.5 / (max(x - a, 1e-300) * ln_span)
        if code == 0:
            d = Z.associated_dsigma_dcos(x, E[i], M, g)
            e, c = X.associated_lab(x, E[i], M)
            if E[i] + X.M_E - e < k_min:
                d = 0.0
        else:
            d = Z.compton_dsigma_dt(x, E[i], M, g)
            e = E[i] + X.M_E - (2.0 * X.M_E * X.M_E - x) / (2.0 * X.M_E)  # E_gamma + m - E_e'
            c = X.compton_cos_theta(e, E[i], M)
        ea[i] = e
        ct[i] = c
        w[i] = d / q
    return ea, ct, w




def zprime_shower_channel(process: str, model, beamline, decay_ctau: float | None = None):
    """The ``zprime:<process>`` channel of ``beamline`` (:func:`~fipgen.production.channels.alp_shower.shower_parts`)."""
    if process not in ZPRIME_SHOWER_CHANNELS:
        raise PhysicsError(f"unknown Z' shower channel {process!r}; allowed {', '.join(ZPRIME_SHOWER_CHANNELS)}")
    return shower_parts(ShowerZPrimeChannel, f"zprime:{process}", process, model, beamline, decay_ctau)

"""HNLs from the decays of a Z' or an ALP: ``X -> N N`` with X made in the target.

The signatures of arXiv:2410.08981 (a B-L Z' from pi0/eta decays and proton
bremsstrahlung, decaying promptly to a pair of HNLs) and arXiv:2311.07713 (an ALP from
pi0/eta mixing decaying to a pair of HNLs): the detected particle is the HNL, its parent
a boson X made by one of X's own production channels.

Chain and sampling
------------------
1. X is drawn *freely* from its production channel (``x_channel.sample_free``: the
   meson from its source, the production vertex from the beamline's interaction points,
   the P -> gamma X decay isotropic in the meson rest frame, or the mixing ALP carrying
   the meson's momentum); each X stands for ``R_X = x_channel.rate_per_pot`` X per POT.
2. X flies an exponential distance with its lab decay length ``beta gamma c tau_X`` (the
   X model's total width) before decaying: for the prompt bosons of the seed scenarios this
   is microns, but a long-lived X is carried correctly (its decay may happen anywhere along
   the ray, the detector included).
3. ``X -> N N`` (or ``N Nbar`` for a Dirac HNL) is two-body with ``p* = sqrt(m_X^2/4 - m_N^2)``;
   one of the two HNLs is aimed at the detector with the defensive-mixture weights of
   :func:`fipgen.production.aiming.aim_decays` (exact, bounded). Both HNLs of a
   decay are identical candidates, so the channel's branching is ``2 BR(X -> N N)``: the
   expected number of HNLs per X (the sum of weights counts HNL decays in the detector;
   the probability that both of a pair decay inside is of second order in the decay
   probability and is not treated separately).

Normalisation (as every :mod:`hnl_channels` channel): ``rate_per_pot = R_X x 2 BR(X -> N N)``
and ``weight_geometric`` is the aiming weight times the X sampler's own weight (1 for meson
channels; the exact importance weight of the bremsstrahlung sampler, mean 1). The X
channel's alternative-weight ratios (bremsstrahlung theory variations) are passed on.

Polarisation: none. A (pseudo)scalar gives both HNLs equal helicities with equal
probabilities for ++ and --, so each HNL is unpolarised; for a vector Z' the HNL helicity
depends on the Z' polarisation, which is not tracked (its average over the Z' spin states
is zero): the HNL decays are sampled unpolarised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import constants as C
from ...errors import PhysicsError
from .. import aiming as DT
from ..parents import ParentDecays
from .sample import ProductionSample, recoil, siblings

__all__ = ["boson_decays", "HNLFromBosonChannel"]


def boson_decays(x_channel, x_model, n: int, rng: np.random.Generator, beamline):
    """``n`` X decays from ``x_channel``: ``(ParentDecays, alt_ratios, t)``, ``t`` the X flight
    over its lab decay length (exponential, mean 1).

    ``ParentDecays.pdg`` is the X code (32 for a Z', 9000005 for an ALP), its vertex and time
    those of the X decay, its weight ``R_X w_i`` (``R_X = x_channel.rate_per_pot`` X per POT,
    ``w_i`` the free sampler's weight, mean 1); ``alt_ratios`` the X channel's
    alternative-weight ratios (empty for meson channels).
    """
    m = float(x_model.mass)
    ctau = float(x_model.ctau())
    R = float(x_channel.rate_per_pot)
    s = x_channel.sample_free(n, rng, beamline)
    x, vertex = s["llp_p4"], s["vertex"]
    p = np.sqrt(np.einsum("ij,ij->i", x[:, :3], x[:, :3]))
    ell = p / m * ctau  # lab decay length, m
    flight = -ell * np.log1p(-rng.random(n))  # exponential
    step = np.where(p > 0, flight / np.where(p > 0, p, 1.0), 0.0)
    vtx = vertex + x[:, :3] * step[:, None]
    beta = p / x[:, 3]
    time = s["time"] + np.where(beta > 0, flight / np.where(beta > 0, beta, 1.0), 0.0) / C.C_M_PER_NS
    pd = ParentDecays(pdg=np.full(n, int(x_model.pdg), dtype=np.int32), vertex=vtx, p4=x, time=time,
                      weight=R * s["weight"], at_rest=np.zeros(n, dtype=bool), origin=vertex)
    # flight in units of the X decay length: coupling scans reweight the X flight exactly
    t = np.where(ell > 0, flight / np.where(ell > 0, ell, 1.0), 0.0)
    return pd, s.get("alt_ratios", {}), t, s["parent_p4"]


@dataclass(frozen=True)
class HNLFromBosonChannel:
    """``X -> N N`` with X from ``x_channel`` (module docstring); the channel interface of
    :mod:`hnl_channels` (``name``, ``parent_pdg``, ``rate_per_pot``, ``branching``, ``source``,
    ``sample``).

    Parameters
    ----------
    name : channel name (``"zprime:pi0 -> N N"``).
    x_channel : the X production channel (``rate_per_pot``, ``sample_free``, ``source``).
    x_model : the X model (``mass``, ``ctau()``, ``branching_ratios()`` with ``"N N"``, ``pdg``).
    hnl : the HNL model (``mass``).
    alpha : aimed-branch probability of the defensive mixture.
    """

    name: str
    x_channel: object
    x_model: object
    hnl: object
    alpha: float = DT.DEFAULT_ALPHA

    def __post_init__(self) -> None:
        mx, mn = float(self.x_model.mass), float(self.hnl.mass)
        if not mx > 2.0 * mn:
            raise PhysicsError(f"{self.name}: X -> N N is closed (m_X = {mx} GeV <= 2 m_N = {2 * mn} GeV)")
        if not self.br_nn > 0.0:
            raise PhysicsError(f"{self.name}: BR(X -> N N) is zero (no X coupling to the HNL)")

    @property
    def br_nn(self) -> float:
        return float(self.x_model.branching_ratios().get("N N", 0.0))

    @property
    def parent_pdg(self) -> int:
        return int(self.x_model.pdg)

    @property
    def branching(self) -> float:
        """HNLs per X: 2 BR(X -> N N)."""
        return 2.0 * self.br_nn

    @property
    def source(self):
        from .hnl_channels import ParentSource

        x = self.x_channel
        R = float(x.rate_per_pot)
        prov = (f"{x.name}: {R:.4g} {self.x_model.particle} per POT (parents {x.source.per_pot:.4g} per POT x "
                f"{x.branching:.4g}; {getattr(x.source, 'provenance', '')}); c tau_X = {self.x_model.ctau():.4g} m")
        return ParentSource(self.parent_pdg, R, prov)

    @property
    def rate_per_pot(self) -> float:
        return float(self.x_channel.rate_per_pot) * self.branching

    @property
    def alt_weight_names(self) -> tuple[str, ...]:
        return tuple(getattr(self.x_channel, "alt_weight_names", ()))

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        pd, alt, t, meson = boson_decays(self.x_channel, self.x_model, n, rng, beamline)
        R = float(self.x_channel.rate_per_pot)
        mx, mn = float(self.x_model.mass), float(self.hnl.mass)
        ps = DT.two_body_pstar(mx, mn, mn)
        a = DT.aim_decays(pd.p4, mx, pd.vertex, mn, ps, aim, rng, alpha=self.alpha)
        # the record: the meson (or radiating proton) that made X, X, the other HNL of the pair
        # (X - N exactly; its antiparticle for a Dirac HNL) and X's sibling (the photon of
        # P -> gamma X, the radiating proton after the emission; none for mixing)
        partner = int(self.hnl.pdg) if getattr(self.hnl, "majorana", True) else -int(self.hnl.pdg)
        pairs, gens = [(recoil(pd.p4, a.p4), partner)], [0]
        other = self.x_channel.decay_sibling(meson, pd.p4)
        if other is not None:
            pairs.append(other)
            gens.append(1)
        sp, sc = siblings(*pairs)
        mpdg = np.full(n, int(self.x_channel.parent_pdg), dtype=np.int32)
        return ProductionSample(pd.vertex, pd.p4, a.p4, a.direction, a.weight * (pd.weight / R), time=pd.time,
                                parent_pdg=pd.pdg, alt_ratios=alt or {}, x_flight=t, meson_p4=meson, meson_pdg=mpdg,
                                origin=pd.origin, sibling_p4=sp, sibling_pdg=sc, sibling_generation=tuple(gens))

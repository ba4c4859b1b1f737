"""HNL production channels from decaying parents, aimed at the detector.

Each channel turns a parent sample (a callable ``parents(n, rng, beamline) ->
ParentDecays``, e.g. charged-meson transport) into HNLs aimed at the detector solid with
the defensive-mixture weights of :mod:`fipgen.production.aiming`. The interface is
that of :class:`~fipgen.production.channels.meson_two_body.MesonTwoBodyChannel`: attributes
``name``, ``parent_pdg``, ``rate_per_pot``, ``branching``, ``source`` (``per_pot``,
``provenance``) and ``sample(n, rng, beamline, aim) ->``
:class:`~fipgen.production.channels.sample.ProductionSample`.

Channels
--------
* :class:`HNLMesonTwoBodyChannel`: ``h+- -> l+- N`` for h = pi, K, D, Ds (BR
  :func:`~fipgen.models.hnl_production.br_meson_to_lepton_hnl`), with the HNL
  polarisation (:func:`~fipgen.production.channels.hnl_kinematics.hnl_helicity_two_body`);
* :class:`HNLKaonThreeBodyChannel`: ``K+ -> pi0 l+ N`` and ``K_L -> pi-+ l+- N``
  (:func:`~fipgen.models.hnl_production.br_kaon_to_pi_lepton_hnl`), N energy from the
  matrix element; no HNL polarisation is returned (it depends on the Dalitz point);
* :class:`HNLTauChannel`: ``Ds+- -> tau+- nu``, tau flight, ``tau -> N X`` for the
  channels of :data:`~fipgen.models.hnl_production.TAU_CHANNELS`, with the tau's
  polarisation from the Ds decay driving the N angular distribution; no HNL polarisation
  is returned.

Normalisation: where each factor sits
-------------------------------------
``R`` = parent decays per POT of the species (``parents_per_pot`` argument, else the
callable's ``per_pot`` attribute, else 1; see below), ``BR`` = branching ratio of the
channel for the model's mixings, ``w_i`` = ``ParentDecays.weight`` (decays per POT carried
by entry ``i`` times ``n``: ``mean(w) ~ R``), ``w_aim,i`` = the aiming weight
``1[ray hits] g / (alpha q + (1 - alpha) g)``. Then

    rate_per_pot       = R * BR
    weight_geometric_i = (w_i / R) * w_aim,i

so ``rate_per_pot * mean(weight_geometric) = BR * mean(w * w_aim)``, an unbiased estimate of
the HNLs per POT that fly toward the detector (their ray crosses the solid). The parents'
per-event weights (fate probabilities, multiplicities) thus sit in ``weight_geometric``
normalised by ``R``; ``R`` itself sits in the rate. If no ``R`` is known it is 1:
``rate_per_pot`` is then the BR and ``weight_geometric`` carries the decays per POT; the
product -- what the pipeline uses -- is the same. Branching ratios are tree level (see
:mod:`fipgen.models.hnl_production`); the tau channels use the tree-level
``BR(Ds -> tau nu) = 5.21 %`` (PDG 2024: 5.32 %, the 2 % gap being f_Ds and radiative
corrections).

Frames, units: beam frame, m, GeV, ns. ``time`` is the HNL production time (parent decay,
or tau decay for the tau channels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ... import constants as C
from ...errors import PhysicsError
from ...models import hnl_production as HP
from ...models import hnl_widths as HW
from .. import aiming as DT
from . import hnl_kinematics as HK
from ..parents import ParentDecays
from .sample import ProductionSample, recoil, siblings

__all__ = [
    "ParentSource",
    "HNLMesonTwoBodyChannel",
    "HNLKaonThreeBodyChannel",
    "HNLTauChannel",
    "br_ds_to_tau_nu",
]

_LEPTON_PDG = {"e": 11, "mu": 13, "tau": 15}


@dataclass(frozen=True)
class ParentSource:
    """What the pipeline reads as ``channel.source``: species, parent decays per POT (R) and
    where they come from."""

    pdg: int
    per_pot: float
    provenance: str = ""


def br_ds_to_tau_nu() -> float:
    """Tree-level BR(Ds+ -> tau+ nu_tau) with the FLAG f_Ds and PDG |V_cs| (5.21 %)."""
    return HP.sm_width_meson_to_lepton_nu(431, "tau") / C.width(431)


def _resolve_R(parents, parents_per_pot):
    if parents_per_pot is not None:
        R = float(parents_per_pot)
    else:
        R = getattr(parents, "per_pot", None)
        R = 1.0 if R is None else float(R)
    if not (R > 0.0 and np.isfinite(R)):
        raise ValueError(f"parent decays per POT must be a positive number, got {R!r}")
    return R


class _DecayTowardChannel:
    """Shared plumbing: parent sampling, checks, normalisation (see module docstring)."""

    name: str
    parents: Callable
    hnl: object
    alpha: float
    parents_per_pot: float | None
    provenance: str

    #: species accepted from the parents callable (absolute PDG codes)
    def _species(self) -> tuple[int, ...]:
        raise NotImplementedError

    @property
    def parent_pdg(self) -> int:
        return int(self._species()[0])

    @property
    def source(self) -> ParentSource:
        R = _resolve_R(self.parents, self.parents_per_pot)
        prov = self.provenance or str(getattr(self.parents, "provenance", ""))
        return ParentSource(int(self._species()[0]), R, prov)

    @property
    def rate_per_pot(self) -> float:
        """HNLs produced per POT in this channel: R * BR."""
        return self.source.per_pot * self.branching

    def _draw_parents(self, n: int, rng, beamline) -> ParentDecays:
        pd = self.parents(n, rng, beamline)
        if not isinstance(pd, ParentDecays):
            raise TypeError(f"channel {self.name!r}: parents() must return ParentDecays, got {type(pd).__name__}")
        if len(pd) != n:
            raise ValueError(f"channel {self.name!r}: parents() returned {len(pd)} decays, {n} requested")
        bad = ~np.isin(np.abs(pd.pdg), self._species())
        if np.any(bad):
            raise PhysicsError(f"channel {self.name!r}: parent PDG {int(pd.pdg[bad][0])} is not one of {self._species()}")
        if np.any(~np.isfinite(pd.weight)) or np.any(pd.weight < 0):
            raise ValueError(f"channel {self.name!r}: parent weights must be finite and >= 0")
        return pd

    def _pack(self, pd: ParentDecays, vertex, parent_p4, aimed: DT.AimedDecays, time, pdg, **extra) -> ProductionSample:
        R = self.source.per_pot
        w = pd.weight / R * aimed.weight
        extra.setdefault("origin", pd.origin if pd.origin is not None else np.full((len(pd), 3), np.nan))
        return ProductionSample(vertex, parent_p4, aimed.p4, aimed.direction, w, time=time,
                                parent_pdg=np.asarray(pdg, dtype=np.int32), **extra)


@dataclass(frozen=True)
class HNLMesonTwoBodyChannel(_DecayTowardChannel):
    """``h+- -> l+- N`` (h = pi 211, K 321, D 411, Ds 431) from a parents callable.

    Parameters
    ----------
    name : channel name (e.g. ``"hnl:pi_mu"``).
    parents : ``parents(n, rng, beamline) -> ParentDecays`` of the meson (both charges).
    meson_pdg : 211, 321, 411 or 431.
    lepton : ``"e"``, ``"mu"`` or ``"tau"``.
    hnl : the HNL model (``mass``, ``U2``).
    parents_per_pot : R (see module docstring); default ``parents.per_pot`` or 1.
    alpha : aimed-branch probability of the defensive mixture.

    ``sample`` also returns ``polarization`` (n,) and ``spin_axis`` (n, 3): the HNL's
    helicity polarisation from the h rest frame (+P for h+, -P for h-) along its helicity
    axis carried to the HNL rest frame reached from the lab by a pure boost.
    """

    name: str
    parents: Callable
    meson_pdg: int
    lepton: str
    hnl: object
    parents_per_pot: float | None = None
    alpha: float = DT.DEFAULT_ALPHA
    provenance: str = ""

    def _species(self):
        return (abs(int(self.meson_pdg)),)

    @property
    def branching(self) -> float:
        return HP.br_meson_to_lepton_hnl(self.meson_pdg, self.lepton, self.hnl)

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        pd = self._draw_parents(n, rng, beamline)
        M = C.mass(abs(int(self.meson_pdg)))
        ml = C.mass(_LEPTON_PDG[self.lepton])
        mn = float(self.hnl.mass)
        open_ = M > ml + mn
        ps = DT.two_body_pstar(M, mn, ml) if open_ else 0.0
        a = DT.aim_decays(pd.p4, M, pd.vertex, mn, ps, aim, rng, alpha=self.alpha)
        P = HK.hnl_helicity_two_body(M, ml, mn) if open_ else 0.0
        axis = HK.helicity_axis(pd.p4, M, a.p4, mn, ps) if open_ else np.zeros((n, 3))
        zero = ~(np.einsum("ij,ij->i", axis, axis) > 0.5)
        axis[zero] = a.direction[zero]
        # the charged lepton: l+ from h+ (pdg -l), exactly the meson's momentum minus the HNL's
        sp, sc = siblings((recoil(pd.p4, a.p4), np.where(pd.pdg > 0, -1, 1) * _LEPTON_PDG[self.lepton]))
        return self._pack(pd, pd.vertex, pd.p4, a, pd.time, pd.pdg,
                          polarization=np.where(pd.pdg > 0, P, -P) * (a.weight > 0), spin_axis=axis,
                          sibling_p4=sp, sibling_pdg=sc, sibling_generation=(0,))


_KAON_PION = {321: 111, 130: 211}


@dataclass(frozen=True)
class HNLKaonThreeBodyChannel(_DecayTowardChannel):
    """``K+- -> pi0 l+- N`` (kaon_pdg 321) or ``K_L -> pi-+ l+- N`` (130).

    The N energy in the K rest frame is drawn from the matrix element
    (:func:`~fipgen.production.channels.hnl_kinematics.sample_kl3_energy`: the f_+ / f_0 pole form
    factors of ``hnl_production``); its direction there is isotropic; then aimed. No
    polarisation is returned (it depends on the Dalitz point).
    """

    name: str
    parents: Callable
    kaon_pdg: int
    lepton: str
    hnl: object
    parents_per_pot: float | None = None
    alpha: float = DT.DEFAULT_ALPHA
    provenance: str = ""

    def _species(self):
        k = abs(int(self.kaon_pdg))
        if k not in _KAON_PION:
            raise PhysicsError(f"K -> pi l N from {self.kaon_pdg}: allowed 321 (K+), 130 (K_L)")
        return (k,)

    @property
    def branching(self) -> float:
        return HP.br_kaon_to_pi_lepton_hnl(self.kaon_pdg, self.lepton, self.hnl)

    def kinematics(self) -> tuple[float, float, float, float, float, float, float]:
        """``(m_K, m_pi, m_l, m_N, f_+(0), m_V, m_S)`` in GeV, as in ``hnl_production``."""
        k = self._species()[0]
        kc = HW.hnl_constants()
        return (C.mass(k), C.mass(_KAON_PION[k]), C.mass(_LEPTON_PDG[self.lepton]), float(self.hnl.mass),
                kc["kl3"]["f_plus_0"], C.mass(323), kc["kl3"]["scalar_pole"])

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        pd = self._draw_parents(n, rng, beamline)
        mk, mp, ml, mn, fp0, mv, ms = self.kinematics()
        if mk > mp + ml + mn:
            E = HK.sample_kl3_energy(n, rng, mk, mp, ml, mn, fp0, mv, ms)
            ps = np.sqrt(np.maximum((E - mn) * (E + mn), 0.0))
        else:
            ps = np.zeros(n)
        a = DT.aim_decays(pd.p4, mk, pd.vertex, mn, ps, aim, rng, alpha=self.alpha)
        return self._pack(pd, pd.vertex, pd.p4, a, pd.time, pd.pdg)


_TAU_TWO_BODY = {"N pi-": (211, 0), "N K-": (321, 0), "N rho-": (213, 1)}


@dataclass(frozen=True)
class HNLTauChannel(_DecayTowardChannel):
    """``Ds+- -> tau+- nu_tau``, then ``tau -> N X`` (``tau_channel`` in TAU_CHANNELS).

    Steps: the tau from an isotropic Ds decay (fully polarised: helicity -1/2 for tau+,
    +1/2 for tau-); its flight (``flight=True``: exponential with ``c tau = 87 um``, i.e.
    ~ 1 mm at 20 GeV; ``False`` neglects it); its decay aimed at the detector with the N
    rest-frame density ``(1 + a s.n*)/4 pi``:

    * ``N pi-``, ``N K-``, ``N rho-``: two-body, ``a = A`` of
      :func:`~fipgen.production.channels.hnl_kinematics.fermion_meson_asymmetry` (rho at its PDG
      mass: the line shape is not sampled);
    * ``N l- nu_l`` (|U_tau|^2) and ``nu_tau l- N`` (|U_l|^2): the N energy from the
      three-body matrix element, ``a = a(E_N)``
      (:func:`~fipgen.production.channels.hnl_kinematics.tau_leptonic_spectrum`).

    ``a`` is the same for tau+ and tau- (the polarisation and the analysing power both flip
    under CP). ``polarised=False`` decays the tau isotropically (for comparisons).
    ``parent_p4`` in the output is the tau's, ``vertex`` and ``time`` its decay point;
    ``meson_p4`` is the Ds's. ``parent_pdg`` of the channel is 15 (the HNL's direct parent);
    ``source.pdg`` is 431.
    """

    name: str
    parents: Callable
    tau_channel: str
    hnl: object
    parents_per_pot: float | None = None
    alpha: float = DT.DEFAULT_ALPHA
    provenance: str = ""
    flight: bool = True
    polarised: bool = True

    def _species(self):
        return (431,)

    @property
    def parent_pdg(self) -> int:
        return 15

    @property
    def branching(self) -> float:
        return br_ds_to_tau_nu() * HP.br_tau_to_hnl(self.tau_channel, self.hnl)

    def tau_decay(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``(p*, a)`` per event for the tau -> N X step (tau rest frame)."""
        if self.tau_channel not in HP.TAU_CHANNELS:
            raise PhysicsError(f"unknown tau -> HNL channel {self.tau_channel!r}; allowed: {', '.join(HP.TAU_CHANNELS)}")
        mt, mn = C.mass(15), float(self.hnl.mass)
        if self.tau_channel in _TAU_TWO_BODY:
            pdg, spin = _TAU_TWO_BODY[self.tau_channel]
            mx = C.mass(pdg)
            if not mt > mn + mx:
                return np.zeros(n), np.zeros(n)
            ps = np.full(n, DT.two_body_pstar(mt, mn, mx))
            a = np.full(n, HK.fermion_meson_asymmetry(mt, mn, mx, spin))
        else:
            kind, lp = HK.TAU_LEPTONIC[self.tau_channel]
            ml = C.mass(lp)
            if not mt > mn + ml:
                return np.zeros(n), np.zeros(n)
            E, a = HK.sample_tau_leptonic_energy(n, rng, mt, mn, ml, kind)
            ps = np.sqrt(np.maximum((E - mn) * (E + mn), 0.0))
        if not self.polarised:
            a = np.zeros(n)
        return ps, a

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        pd = self._draw_parents(n, rng, beamline)
        tau = HK.taus_from_ds(pd.p4, pd.vertex, pd.time, pd.pdg, rng, flight=self.flight)
        ps, a = self.tau_decay(n, rng)
        mn = float(self.hnl.mass)
        ad = DT.aim_decays(tau.p4, C.mass(15), tau.vertex, mn, ps, aim, rng, alpha=self.alpha,
                           spin_axis=tau.spin_axis, asymmetry=a)
        # recorded: the tau's partner in Ds -> tau nu (its momentum exactly Ds - tau), and the N's
        # partner in a two-body tau decay (tau- -> N pi-); the three-body tau decays draw only
        # the N's energy, so their other products are not simulated
        pairs, gens = [(recoil(pd.p4, tau.p4), np.where(pd.pdg > 0, 16, -16))], [1]
        if self.tau_channel in _TAU_TWO_BODY:
            pairs.append((recoil(tau.p4, ad.p4), np.where(tau.pdg > 0, -1, 1) * _TAU_TWO_BODY[self.tau_channel][0]))
            gens.append(0)
        sp, sc = siblings(*pairs)
        origin = pd.origin if pd.origin is not None else np.full((n, 3), np.nan)
        return self._pack(pd, tau.vertex, tau.p4, ad, tau.time, tau.pdg, meson_p4=pd.p4, meson_pdg=pd.pdg,
                          origin=origin, sibling_p4=sp, sibling_pdg=sc, sibling_generation=tuple(gens))

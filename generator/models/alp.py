"""Axion-like particle (ALP): widths, BRs, c*tau; ALP-pi0 / ALP-eta mixing angles.

Lagrangian convention (PHYSICS.md 2)::

    L = - (g_gamma / 4) a F_{mu nu} F~^{mu nu}                 (g_gamma in GeV^-1)
        - i g_af a f-bar gamma5 f        for f = e, mu         (dimensionless Yukawa-like g_af)
        - i g_aNN a N-bar gamma5 N       Dirac HNL
        - (i/2) g_aNN a N-bar gamma5 N   Majorana HNL (the 1/2 of a Majorana bilinear)

``g_af`` relates to the derivative coupling ``(c_ff / 2 Lambda) d_mu a f-bar gamma^mu gamma5 f`` of
Bauer, Neubert, Thamm (arXiv:1708.00443) by ``g_af = c_ff m_f / Lambda`` (on shell).

Widths
------
* ``Gamma(a -> gamma gamma) = g_gamma^2 m^3 / (64 pi)`` (PHYSICS.md 2). In the notation of
  arXiv:1708.00443 (``L = e^2 C_gg (a/Lambda) F F~``, ``Gamma = 4 pi alpha^2 m^3 |C_gg^eff|^2 /
  Lambda^2``) this is ``g_gamma = 4 e^2 C_gg / Lambda = 16 pi alpha C_gg / Lambda`` (derived).
* ``Gamma(a -> f fbar) = g_af^2 m sqrt(1 - 4 m_f^2/m^2) / (8 pi)`` (PHYSICS.md 2).
  Derivation: ``sum |M|^2 = g^2 Tr[(p1 + m_f) gamma5 (p2 - m_f) gamma5] = 4 g^2 (p1.p2 + m_f^2)
  = 2 g^2 m^2``, ``Gamma = sum|M|^2 beta / (16 pi m)``.
* ``a -> N N``: the same trace; Dirac ``g^2 m beta / (8 pi)``; Majorana (Feynman rule ``g gamma5``
  from the 1/2 in L times 2 Wick contractions, identical-particle factor 1/2)
  ``g^2 m beta / (16 pi)``, ``beta = sqrt(1 - 4 m_N^2/m^2)`` (*derived* here, as PHYSICS.md says;
  the factor 2 between them is pinned by tests; the ``g_aNN`` normalisation of arXiv:2311.07713
  was not re-read in this version: check before comparing yields with that paper).

``g_gamma`` is the effective photon coupling at the ALP mass: the loop-induced contributions of
the lepton couplings (arXiv:1708.00443, ``c_ll B1(4 m_l^2/m_a^2)/(16 pi^2)`` in ``C_gg^eff``) are not
added to it.

Not implemented in this version: the gluon coupling (``C_GG`` / ``f_a``): the loop- and
mixing-induced photon coupling and ``a -> 3 pi``, ``a -> pi pi gamma`` of arXiv:1708.00443; the
mixing angles below are provided for production (ALP from pi0/eta mixing), not used in widths.

Mixing angles (PHYSICS.md 2; Kelly, Kumar, Liu arXiv:2011.05995, used by arXiv:2311.07713)::

    theta_api  = (1/6) (f_pi/f_a) m_a^2 / (m_a^2 - m_pi^2)
    theta_aeta = (1/sqrt6) (f_pi/f_a) (m_a^2 - 4 m_pi^2/9) / (m_a^2 - m_eta^2)

with ``f_pi`` in the ~93 MeV normalisation: :data:`F_PI` = 130.2 MeV / sqrt2 = 92.07 MeV (PDG
``f_pi+ = 130.2 MeV``). With the 130 MeV convention the angles are sqrt2 larger (rates 2x).
``m_pi`` is the pi0 mass.

PDG Monte Carlo code: :data:`generator.constants.PDG_ALP` (9000005).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import ClassVar

from .. import constants as C
from ..errors import PhysicsError
from .base import Channel, DecayingParticle

__all__ = ["ALP", "F_PI", "photon_width", "fermion_width", "hnl_pair_width", "theta_api", "theta_aeta"]

#: Pion decay constant in the ~93 MeV normalisation (GeV): PDG f_pi+ = 130.2 MeV divided by sqrt2.
F_PI = 0.1302 / math.sqrt(2.0)


def photon_width(mass: float, g_gamma: float) -> float:
    """``Gamma(a -> gamma gamma) = g^2 m^3 / (64 pi)`` in GeV (g in GeV^-1; PHYSICS.md 2)."""
    return g_gamma * g_gamma * mass**3 / (64.0 * math.pi)


def fermion_width(mass: float, g_af: float, m_f: float) -> float:
    """``Gamma(a -> f fbar) = g_af^2 m sqrt(1 - 4 m_f^2/m^2) / (8 pi)`` in GeV; 0 below threshold."""
    if mass <= 2.0 * m_f:
        return 0.0
    return g_af * g_af * mass * math.sqrt(1.0 - 4.0 * (m_f / mass) ** 2) / (8.0 * math.pi)


def hnl_pair_width(mass: float, g: float, m_n: float, majorana: bool = True) -> float:
    """``Gamma(a -> N N)`` in GeV: Dirac ``g^2 m beta/(8 pi)``, Majorana ``g^2 m beta/(16 pi)`` (derived)."""
    w = fermion_width(mass, g, m_n)
    return 0.5 * w if majorana else w


def theta_api(m_a: float, f_a: float, f_pi: float = F_PI) -> float:
    """ALP-pi0 mixing angle ``(1/6)(f_pi/f_a) m_a^2/(m_a^2 - m_pi0^2)`` (arXiv:2011.05995; PHYSICS.md 2).

    ``m_a``, ``f_a``, ``f_pi`` in GeV; ``f_pi`` defaults to :data:`F_PI` (92.07 MeV convention).
    Diverges at ``m_a = m_pi0`` (the formula is first order in the mixing).
    """
    m_pi = C.mass(C.PI0)
    return (f_pi / f_a) * m_a**2 / (m_a**2 - m_pi**2) / 6.0


def theta_aeta(m_a: float, f_a: float, f_pi: float = F_PI) -> float:
    """ALP-eta mixing angle ``(1/sqrt6)(f_pi/f_a)(m_a^2 - 4 m_pi0^2/9)/(m_a^2 - m_eta^2)``.

    arXiv:2011.05995 (PHYSICS.md 2); units and ``f_pi`` as :func:`theta_api`.
    """
    m_pi, m_eta = C.mass(C.PI0), C.mass(C.ETA)
    return (f_pi / f_a) * (m_a**2 - 4.0 * m_pi**2 / 9.0) / (m_a**2 - m_eta**2) / math.sqrt(6.0)


def _num(name: str, v, positive: bool = False) -> float:
    if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v) or (positive and v <= 0):
        raise PhysicsError(f"ALP {name} must be a finite number{' > 0' if positive else ''}, got {v!r}")
    return float(v)


_CHANNELS = {
    "gamma gamma": Channel("gamma gamma", (22, 22)),
    "e+ e-": Channel("e+ e-", (-11, 11)),
    "mu+ mu-": Channel("mu+ mu-", (-13, 13)),
    "N N": Channel("N N", (C.PDG_HNL, C.PDG_HNL)),
}


@dataclass(frozen=True)
class ALP(DecayingParticle):
    """Axion-like particle coupled to photons, electrons, muons and optionally an HNL.

    Parameters
    ----------
    mass : float
        Mass in GeV (> 0).
    g_gamma : float
        Photon coupling ``g_agg`` in GeV^-1.
    g_electron, g_muon : float
        Pseudoscalar Yukawa couplings ``g_aee``, ``g_amumu`` (dimensionless).
    g_hnl : float
        ``g_aNN`` (dimensionless; convention in the module docstring).
    hnl_mass : float or None
        HNL mass in GeV; None: no ``"N N"`` channel.
    hnl_majorana : bool
        Majorana (default) or Dirac HNL.
    """

    mass: float
    g_gamma: float = 0.0
    g_electron: float = 0.0
    g_muon: float = 0.0
    g_hnl: float = 0.0
    hnl_mass: float | None = None
    hnl_majorana: bool = True

    particle: ClassVar[str] = "alp"
    pdg: ClassVar[int] = C.PDG_ALP

    def __post_init__(self) -> None:
        object.__setattr__(self, "mass", _num("mass", self.mass, positive=True))
        for name in ("g_gamma", "g_electron", "g_muon", "g_hnl"):
            object.__setattr__(self, name, _num(name, getattr(self, name)))
        if self.hnl_mass is not None:
            object.__setattr__(self, "hnl_mass", _num("hnl_mass", self.hnl_mass, positive=True))
        if not isinstance(self.hnl_majorana, bool):
            raise PhysicsError(f"ALP hnl_majorana must be true or false, got {self.hnl_majorana!r}")

    def channels(self) -> dict[str, Channel]:
        """``"gamma gamma"``, ``"e+ e-"``, ``"mu+ mu-"`` and, with ``hnl_mass``, ``"N N"``."""
        names = ["gamma gamma", "e+ e-", "mu+ mu-"] + (["N N"] if self.hnl_mass is not None else [])
        return {n: _CHANNELS[n] for n in names}

    def partial_widths(self) -> dict[str, float]:
        """Partial widths in GeV (0 for closed channels or zero couplings)."""
        m = self.mass
        out = {
            "gamma gamma": photon_width(m, self.g_gamma),
            "e+ e-": fermion_width(m, self.g_electron, C.mass(C.ELECTRON)),
            "mu+ mu-": fermion_width(m, self.g_muon, C.mass(C.MUON)),
        }
        if self.hnl_mass is not None:
            out["N N"] = hnl_pair_width(m, self.g_hnl, self.hnl_mass, self.hnl_majorana)
        return out

"""Axion-like particle (ALP): widths, BRs, c*tau; ALP-pi0 / ALP-eta mixing angles.

Lagrangian convention (PHYSICS.md 2)::

    L = - (g_gamma / 4) a F_{mu nu} F~^{mu nu}                 (g_gamma in GeV^-1)
        + c_gg (alpha_s / 4 pi) (a / f_a) G^b_{mu nu} G~^{b mu nu}    (c_gg dimensionless, f_a in GeV)
        - i g_af a f-bar gamma5 f        for f = e, mu         (dimensionless Yukawa-like g_af)
        - i g_aNN a N-bar gamma5 N       Dirac HNL
        - (i/2) g_aNN a N-bar gamma5 N   Majorana HNL (the 1/2 of a Majorana bilinear)

with ``F~^{mu nu} = (1/2) eps^{mu nu rho sigma} F_{rho sigma}`` (same for G).

``g_af`` relates to the derivative coupling ``(c_ff / 2 Lambda) d_mu a f-bar gamma^mu gamma5 f`` of
Bauer, Neubert, Thamm (arXiv:1708.00443) by ``g_af = c_ff m_f / Lambda`` (on shell).

Gluon coupling: conventions
---------------------------
``c_gg (alpha_s/4 pi)(a/f_a) G G~`` is the normalisation of alp-aca (alpaca/decays/alp_decays/
gaugebosons.py: ``Gamma(gg) = alpha_s^2 m^3 |c_g|^2 / ((4 pi)^3 f_a^2)``) and of Bauer et al.
arXiv:2012.12272. Bauer, Neubert, Thamm arXiv:1708.00443 (eq. 1) write ``g_s^2 C_GG (a/Lambda) G G~``
and ``e^2 C_gg (a/Lambda) F F~``: the dictionary is ``C_GG/Lambda = c_gg/(16 pi^2 f_a)`` and
``C_gg/Lambda = c_gamma/(16 pi^2 f_a)`` for the photon term ``c_gamma (alpha/4 pi)(a/f_a) F F~``.
The QCD-axion normalisation ``(alpha_s/8 pi)(a/f_QCD) G G~`` (used by the mixing angles below,
arXiv:2011.05995) is ``f_QCD = f_a/(2 c_gg)``: the gluon term is a theta angle ``theta(a) = 2 c_gg a/f_a``.
With ``L = -(g/4) a F F~`` (our photon sign) ``g = -alpha c_gamma/(pi f_a)``.

Widths
------
* ``Gamma(a -> gamma gamma) = g_eff^2 m^3 / (64 pi)`` (PHYSICS.md 2) with the effective coupling
  ``g_eff = g_gamma + g_gluon(m)`` (:func:`gluon_photon_coupling`). In the notation of
  arXiv:1708.00443 (``Gamma = 4 pi alpha^2 m^3 |C_gg^eff|^2 / Lambda^2``) this is
  ``g = 4 e^2 C_gg / Lambda = 16 pi alpha C_gg / Lambda`` (derived), i.e. ``alpha |c_gamma^eff|/(pi f_a)``
  and ``Gamma = alpha^2 m^3 |c_gamma^eff|^2 / ((4 pi)^3 f_a^2)`` (alp-aca's formula, same file).
* Gluon-induced photon coupling below ~1 GeV (chiral perturbation theory; arXiv:1708.00443, the
  light-ALP expression for ``C_gg^eff``, quoted from memory as their eq. for ``m_a << 1 GeV``: the
  paper text was not available here, the equation number is not verified)::

      c_gamma^eff = c_gamma - 1.92 c_gg - eps m_a^2/(m_pi^2 - m_a^2) c_gg,   eps = (m_d - m_u)/(m_u + m_d)

  *derived here* at leading order in two-flavour ChPT: removing the ``G G~`` term by an axial
  rotation ``kappa_q = m_q^-1 / tr(m^-1)`` gives ``-2 N_c tr(kappa Q^2) = -(2/3)(4 + z)/(1 + z)``
  (``z = m_u/m_d``; 2.02 at LO, 1.92(4) at NLO, Grilli di Cortona et al. arXiv:1511.02867) and a
  kinetic a-pi0 mixing ``eps f_pi/(2 f_QCD)``; the pi0 admixture ``eps f_pi m_a^2/(2 f_QCD (m_a^2 -
  m_pi^2))`` times the pi0 -> gamma gamma anomaly gives the last term. Cross-checks: m_a -> 0 is
  the QCD-axion ``g = alpha (E/N - 1.92)/(2 pi f_QCD)`` with E/N = 0; the pion term has the sign and
  size ``+(1/3) m_a^2/(m_a^2 - m_pi^2)`` (eps = 1/3) of the public code SBNSoftware sbncode
  ``EventGenerator/MeVPrtl/Tools/ALP/ALPMakeDecay`` (Aloni, Soreq, Williams arXiv:1811.03474
  formulas). Numbers: ``z = 0.48`` (the value behind 1.92 in arXiv:1511.02867), eps = 0.35135;
  ``m_pi`` = pi0 mass. ``g_gluon = (alpha c_gg/(pi f_a)) (1.92 + eps m_a^2/(m_pi^2 - m_a^2))``,
  ``alpha = alpha(0)``.
* ``a -> pi^a pi^b pi0`` (arXiv:1708.00443, the ``Gamma(a -> pi^a pi^b pi^0)`` formula with the
  phase-space functions ``g_00``, ``g_+-``; equation number not verified). Derived here at LO
  two-flavour ChPT (contact term + a-pi0 mixing times the off-shell pi pi amplitude
  ``(s - (2 m_pi^2 + m_a^2)/3)/f_pi^2``; the off-shell pieces cancel)::

      |M(a -> pi0 pi0 pi0)|^2 = K m_a^4,     |M(a -> pi+ pi- pi0)|^2 = K (s_{+-} - m_pi^2)^2,
      K = eps^2 c_gg^2 m_pi^4 / (f_a^2 f_pi^2 (m_a^2 - m_pi^2)^2)            (f_pi = 92.07 MeV)

  so ``Gamma = S/(256 pi^3 m_a^3) int |M|^2 ds12 ds23`` (S = 1/6 for 3 pi0) is, for equal pion masses,
  ``Gamma_ab = eps^2 c_gg^2 m_a m_pi^4 g_ab(m_pi^2/m_a^2) / (3072 pi^3 f_a^2 f_pi^2)``, with
  :func:`g_00`, :func:`g_pm` normalised to 1 at r = 0. In BNT variables this is
  ``(pi/12) m_a m_pi^4 eps^2 C_GG^2 g_ab / (Lambda^2 f_pi^2)`` (f_pi = 92 MeV), i.e. ``(pi/6) ...`` with
  ``F_pi = sqrt2 f_pi = 130 MeV``; the prefactor ``pi/6`` is how their formula is recalled, not
  re-read (which f_pi they use was not checked). The same amplitudes are the
  ``m_eta, m_eta' -> infinity`` limit of arXiv:1811.03474 (eqs. S31, S32 as implemented in alp-aca
  ``ampato3pi0`` / ``ampatopicharged`` and in sbncode), checked in tests/reference. The widths use
  physical masses in the phase space (thresholds ``3 m_pi0`` and ``2 m_pi+ + m_pi0``), ``m_pi0`` in
  ``K`` and ``m_pi+`` in ``(s_{+-} - m_pi^2)``, the density of
  :func:`generator.decays.sampler.three_body_density` (isospin-limit formula; the choice is an
  O(Delta m_pi^2/m_pi^2) ambiguity).
* ``Gamma(a -> f fbar) = g_af^2 m sqrt(1 - 4 m_f^2/m^2) / (8 pi)`` (PHYSICS.md 2).
  Derivation: ``sum |M|^2 = g^2 Tr[(p1 + m_f) gamma5 (p2 - m_f) gamma5] = 4 g^2 (p1.p2 + m_f^2)
  = 2 g^2 m^2``, ``Gamma = sum|M|^2 beta / (16 pi m)``.
* ``a -> N N``: the same trace; Dirac ``g^2 m beta / (8 pi)``; Majorana (Feynman rule ``g gamma5``
  from the 1/2 in L times 2 Wick contractions, identical-particle factor 1/2)
  ``g^2 m beta / (16 pi)``, ``beta = sqrt(1 - 4 m_N^2/m^2)`` (*derived* here, as PHYSICS.md says;
  the factor 2 between them is pinned by tests; the ``g_aNN`` normalisation of arXiv:2311.07713
  was not re-read in this version: check before comparing yields with that paper).

``g_gamma`` is the photon coupling without the gluon-induced part; the loop-induced contributions
of the lepton couplings (arXiv:1708.00443, ``c_ll B1(4 m_l^2/m_a^2)/(16 pi^2)`` in ``C_gg^eff``) are
not added to it.

Validity of the gluon coupling (the model raises :class:`PhysicsError` outside it)
----------------------------------------------------------------------------------
Leading-order two-flavour ChPT: ``m_a <`` :data:`GLUON_MASS_MAX` ``= m_eta + 2 m_pi0`` (0.818 GeV),
where ``a -> eta pi pi`` (not implemented, dominant above its threshold in arXiv:1811.03474) opens.
Not included, so widths and BRs of a gluon-coupled ALP above ~0.2 GeV are LO two-flavour
estimates with O(1) uncertainties:

* a-eta and a-eta' mixing. The three-flavour amplitudes of Aloni, Soreq, Williams
  (arXiv:1811.03474, as implemented in alp-aca and sbncode) reduce to ours for m_eta, m_eta' -> inf
  (tests/reference/test_alp_gluon_reference.py) but with the physical masses give
  ``|M(3 pi0)|^2`` x2.6 at m_a = 0.42, x12 at 0.5 GeV (eta pole), x0.06 at 0.7 GeV, and change
  ``c_gamma^eff / c_gg`` from -1.48 to -1.90 at 0.3 GeV (about 1 % at 0.1 GeV);
* ``a -> pi pi gamma`` (threshold 0.279 GeV); NLO ChPT (large just above the 3 pi threshold,
  Di Luzio, Piazza arXiv:2206.04061); ``a -> g g`` / hadrons above ~1.5-2 GeV.

The first-order a-pi0 mixing diverges at ``m_a = m_pi0``: masses where the mixing angle
``eps f_pi m_pi^2 c_gg / (f_a |m_a^2 - m_pi^2|)`` exceeds :data:`MAX_PI0_MIXING` (0.1) are refused.

Mixing angles (PHYSICS.md 2; Kelly, Kumar, Liu arXiv:2011.05995, used by arXiv:2311.07713)::

    theta_api  = (1/6) (f_pi/f_a) m_a^2 / (m_a^2 - m_pi^2)
    theta_aeta = (1/sqrt6) (f_pi/f_a) (m_a^2 - 4 m_pi^2/9) / (m_a^2 - m_eta^2)

with ``f_pi`` in the ~93 MeV normalisation: :data:`F_PI` = 130.2 MeV / sqrt2 = 92.07 MeV (PDG
``f_pi+ = 130.2 MeV``). With the 130 MeV convention the angles are sqrt2 larger (rates 2x).
``m_pi`` is the pi0 mass. They are provided for production (ALP from pi0/eta mixing), not used in
widths. Their ``f_a`` is the QCD-axion ``f_QCD = f_a/(2 c_gg)`` of the gluon coupling above (as
the 1/6 = eps/2 at eps = 1/3 of the kinetic mixing derived above indicates; the Lagrangian of
arXiv:2011.05995 was not re-read).

PDG Monte Carlo code: :data:`generator.constants.PDG_ALP` (9000005).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from scipy import integrate

from .. import constants as C
from ..errors import PhysicsError
from .base import Channel, DecayingParticle

__all__ = [
    "ALP", "F_PI", "photon_width", "fermion_width", "hnl_pair_width", "theta_api", "theta_aeta",
    "M_U_OVER_M_D", "EPS_UD", "C_GAMMA_CHIRAL", "GLUON_MASS_MAX", "MAX_PI0_MIXING",
    "gluon_photon_coupling", "g_00", "g_pm", "three_pion_width", "three_pion_width_isospin",
    "three_pion_amplitude_sq",
]

#: Pion decay constant in the ~93 MeV normalisation (GeV): PDG f_pi+ = 130.2 MeV divided by sqrt2.
F_PI = 0.1302 / math.sqrt(2.0)

#: m_u/m_d used with the NLO 1.92 (Grilli di Cortona et al. arXiv:1511.02867: z = 0.48(3)).
M_U_OVER_M_D = 0.48
#: Isospin breaking ``eps = (m_d - m_u)/(m_u + m_d) = (1 - z)/(1 + z)`` = 0.35135.
EPS_UD = (1.0 - M_U_OVER_M_D) / (1.0 + M_U_OVER_M_D)
#: ``-2 N_c tr(kappa Q^2)`` at NLO: the gluon-induced ``c_gamma`` at m_a -> 0 is ``-1.92 c_gg``
#: (arXiv:1511.02867; quoted by arXiv:1708.00443 as 1.92 +- 0.04).
C_GAMMA_CHIRAL = 1.92
#: Largest mass (GeV) accepted with a gluon coupling: the a -> eta pi pi threshold, 0.818 GeV
#: (channel not implemented; module docstring "Validity").
GLUON_MASS_MAX = C.mass(C.ETA) + 2.0 * C.mass(C.PI0)
#: Largest first-order a-pi0 mixing angle accepted (module docstring "Validity").
MAX_PI0_MIXING = 0.1

_THREE_PI = ("pi0 pi0 pi0", "pi+ pi- pi0")


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


def gluon_photon_coupling(mass: float, c_gg: float, f_a: float) -> float:
    """Gluon-induced part of ``g_agg`` in GeV^-1: ``(alpha c_gg/(pi f_a))(1.92 + eps m^2/(m_pi^2 - m^2))``.

    arXiv:1708.00443 light-ALP ``C_gg^eff = C_gg - 1.92 C_GG - eps m_a^2/(m_pi^2 - m_a^2) C_GG`` in
    our sign convention ``L = -(g/4) a F F~`` (``g = -alpha c_gamma/(pi f_a)``); ``m_pi`` = pi0 mass,
    ``eps`` = :data:`EPS_UD`, ``alpha = alpha(0)``. ``mass``, ``f_a`` in GeV. Diverges at m = m_pi0.
    """
    m2, mpi2 = mass * mass, C.mass(C.PI0) ** 2
    return C.ALPHA_EM * c_gg / (math.pi * f_a) * (C_GAMMA_CHIRAL + EPS_UD * m2 / (mpi2 - m2))


def _lam(x: float, y: float, z: float) -> float:
    return x * x + y * y + z * z - 2.0 * (x * y + x * z + y * z)


def _g_integral(r: float, power: int) -> float:
    # int_{4r}^{(1-sqrt r)^2} dz sqrt(1 - 4r/z) lambda^(1/2)(1, z, r) (z - r)^power
    lo, hi = 4.0 * r, (1.0 - math.sqrt(r)) ** 2
    if hi <= lo:
        return 0.0

    def f(z: float) -> float:
        return math.sqrt(max(1.0 - lo / z, 0.0)) * math.sqrt(max(_lam(1.0, z, r), 0.0)) * (z - r) ** power

    return integrate.quad(f, lo, hi, epsabs=0.0, epsrel=1e-11, limit=200)[0]


def g_00(r: float) -> float:
    """Phase-space function of a -> 3 pi0 (arXiv:1708.00443), ``r = m_pi^2/m_a^2``; ``g_00(0) = 1``.

    ``g_00(r) = 2/(1 - r)^2 int_{4r}^{(1-sqrt r)^2} dz sqrt(1 - 4r/z) lambda^(1/2)(1, z, r)``; 0 for
    ``r >= 1/9`` (below threshold).
    """
    return 2.0 * _g_integral(r, 0) / (1.0 - r) ** 2 if r < 1.0 / 9.0 else 0.0


def g_pm(r: float) -> float:
    """Phase-space function of a -> pi+ pi- pi0 (arXiv:1708.00443), ``g_pm(0) = 1``.

    ``g_+-(r) = 12/(1 - r)^2 int_{4r}^{(1-sqrt r)^2} dz sqrt(1 - 4r/z) (z - r)^2 lambda^(1/2)(1, z, r)``
    (``z = s_{+-}/m_a^2``); 0 for ``r >= 1/9``.
    """
    return 12.0 * _g_integral(r, 2) / (1.0 - r) ** 2 if r < 1.0 / 9.0 else 0.0


def _three_pi_k(mass: float, c_gg: float, f_a: float) -> float:
    # K = eps^2 c^2 m_pi^4 / (f_a^2 f_pi^2 (m_a^2 - m_pi^2)^2), m_pi = pi0 mass (module docstring)
    mpi2 = C.mass(C.PI0) ** 2
    return (EPS_UD * c_gg * mpi2 / (f_a * F_PI * (mass * mass - mpi2))) ** 2


def three_pion_amplitude_sq(channel: str, s_pm, mass: float, c_gg: float, f_a: float):
    """``|M|^2`` (dimensionless) of ``a -> pi+ pi- pi0`` at ``s_pm = (p+ + p-)^2`` or of ``a -> 3 pi0``.

    ``K (s_pm - m_pi+^2)^2`` resp. ``K m_a^4`` (module docstring; LO ChPT, arXiv:1708.00443).
    ``s_pm`` in GeV^2 (ignored for ``"pi0 pi0 pi0"``); ``mass``, ``f_a`` in GeV.
    """
    k = _three_pi_k(mass, c_gg, f_a)
    if channel == "pi+ pi- pi0":
        return k * (s_pm - C.mass(C.PI_PLUS) ** 2) ** 2
    if channel == "pi0 pi0 pi0":
        return k * mass**4 + 0.0 * s_pm
    raise PhysicsError(f"ALP three-pion channel must be one of {_THREE_PI}, got {channel!r}")


@lru_cache(maxsize=4096)
def _three_pi_reduced(channel: str, mass: float) -> float:
    # S/(256 pi^3 m^3) int ds12 ds23 |M|^2 / K with physical masses; s12 = s(pi pi) of the equal pair
    if channel == "pi+ pi- pi0":
        m1, m3, sym = C.mass(C.PI_PLUS), C.mass(C.PI0), 1.0
    else:
        m1, m3, sym = C.mass(C.PI0), C.mass(C.PI0), 1.0 / 6.0
    lo, hi = (2.0 * m1) ** 2, (mass - m3) ** 2
    if hi <= lo:
        return 0.0
    mpm2 = C.mass(C.PI_PLUS) ** 2

    def f(s: float) -> float:
        # s23 range at fixed s12 (PDG Kinematics eq. 49.23): lambda^1/2(s, m1^2, m1^2) lambda^1/2(M^2, s, m3^2)/s
        width = math.sqrt(max(1.0 - lo / s, 0.0)) * math.sqrt(max(_lam(mass * mass, s, m3 * m3), 0.0))
        return width * ((s - mpm2) ** 2 if channel == "pi+ pi- pi0" else mass**4)

    val = integrate.quad(f, lo, hi, epsabs=0.0, epsrel=1e-11, limit=200)[0]
    return sym * val / (256.0 * math.pi**3 * mass**3)


def three_pion_width(mass: float, c_gg: float, f_a: float, channel: str) -> float:
    """``Gamma(a -> pi+ pi- pi0)`` or ``Gamma(a -> pi0 pi0 pi0)`` in GeV, physical pion masses.

    ``S/(256 pi^3 m^3) int |M|^2 ds12 ds23`` with :func:`three_pion_amplitude_sq` (S = 1/6 for 3 pi0),
    integrated over the Dalitz region by quadrature; 0 below threshold. Only the chiral range is
    meaningful (module docstring "Validity"; this function does not check it, :class:`ALP` does).
    """
    if channel not in _THREE_PI:
        raise PhysicsError(f"ALP three-pion channel must be one of {_THREE_PI}, got {channel!r}")
    if c_gg == 0.0:
        return 0.0
    return _three_pi_k(mass, c_gg, f_a) * _three_pi_reduced(channel, float(mass))


def three_pion_width_isospin(mass: float, c_gg: float, f_a: float, channel: str, m_pi: float | None = None) -> float:
    """Closed form for equal pion masses: ``eps^2 c^2 m_a m_pi^4 g_ab(m_pi^2/m_a^2)/(3072 pi^3 f_a^2 f_pi^2)``.

    arXiv:1708.00443 (``(pi/12) m_a m_pi^4 eps^2 C_GG^2 g_ab/(Lambda^2 f_pi^2)``, f_pi = 92 MeV, with
    ``C_GG/Lambda = c_gg/(16 pi^2 f_a)``). ``m_pi`` defaults to the pi0 mass; GeV.
    """
    m_pi = C.mass(C.PI0) if m_pi is None else m_pi
    g = {"pi0 pi0 pi0": g_00, "pi+ pi- pi0": g_pm}[channel](m_pi**2 / mass**2)
    return (EPS_UD * c_gg) ** 2 * mass * m_pi**4 * g / (3072.0 * math.pi**3 * f_a**2 * F_PI**2)


def _num(name: str, v, positive: bool = False) -> float:
    if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v) or (positive and v <= 0):
        raise PhysicsError(f"ALP {name} must be a finite number{' > 0' if positive else ''}, got {v!r}")
    return float(v)


_CHANNELS = {
    "gamma gamma": Channel("gamma gamma", (22, 22)),
    "e+ e-": Channel("e+ e-", (-11, 11)),
    "mu+ mu-": Channel("mu+ mu-", (-13, 13)),
    "N N": Channel("N N", (C.PDG_HNL, C.PDG_HNL)),
    "pi0 pi0 pi0": Channel("pi0 pi0 pi0", (111, 111, 111), kind="three-body"),
    "pi+ pi- pi0": Channel("pi+ pi- pi0", (211, -211, 111), kind="three-body"),
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
    c_gg : float
        Gluon coupling ``c_gg`` of ``c_gg (alpha_s/4 pi)(a/f_a) G G~`` (dimensionless; module
        docstring). Non-zero only for ``mass <`` :data:`GLUON_MASS_MAX` and away from the pi0 pole.
    f_a : float or None
        ``f_a`` in GeV (> 0); required when ``c_gg != 0``.

    With ``c_gg != 0`` the photon width uses ``g_gamma + gluon_photon_coupling(mass, c_gg, f_a)``
    and the channels ``"pi0 pi0 pi0"``, ``"pi+ pi- pi0"`` (kind ``"three-body"``) are added.
    """

    mass: float
    g_gamma: float = 0.0
    g_electron: float = 0.0
    g_muon: float = 0.0
    g_hnl: float = 0.0
    hnl_mass: float | None = None
    hnl_majorana: bool = True
    c_gg: float = 0.0
    f_a: float | None = None

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
        object.__setattr__(self, "c_gg", _num("c_gg", self.c_gg))
        if self.f_a is not None:
            object.__setattr__(self, "f_a", _num("f_a", self.f_a, positive=True))
        if self.c_gg != 0.0:
            self._check_gluon_range()

    def _check_gluon_range(self) -> None:
        m, mpi = self.mass, C.mass(C.PI0)
        if self.f_a is None:
            raise PhysicsError("ALP c_gg != 0 needs f_a (GeV)")
        if m >= GLUON_MASS_MAX:
            raise PhysicsError(
                f"ALP gluon coupling implemented (LO chiral perturbation theory) only for mass < "
                f"{GLUON_MASS_MAX:.4f} GeV (a -> eta pi pi threshold), got {m!r}")
        mix = EPS_UD * F_PI * mpi**2 * abs(self.c_gg) / (self.f_a * abs(m * m - mpi**2)) if m != mpi else math.inf
        if mix > MAX_PI0_MIXING:
            raise PhysicsError(
                f"ALP gluon coupling: a-pi0 mixing {mix:.3g} > {MAX_PI0_MIXING} at mass {m!r} (too close to the pi0)")

    @property
    def g_gamma_eff(self) -> float:
        """Effective photon coupling (GeV^-1): ``g_gamma`` plus :func:`gluon_photon_coupling` if ``c_gg != 0``."""
        if self.c_gg == 0.0:
            return self.g_gamma
        return self.g_gamma + gluon_photon_coupling(self.mass, self.c_gg, self.f_a)

    def channels(self) -> dict[str, Channel]:
        """``"gamma gamma"``, ``"e+ e-"``, ``"mu+ mu-"``; with ``hnl_mass`` ``"N N"``; with ``c_gg`` the 3 pi."""
        names = ["gamma gamma", "e+ e-", "mu+ mu-"] + (["N N"] if self.hnl_mass is not None else [])
        names += list(_THREE_PI) if self.c_gg != 0.0 else []
        return {n: _CHANNELS[n] for n in names}

    def partial_widths(self) -> dict[str, float]:
        """Partial widths in GeV (0 for closed channels or zero couplings)."""
        m = self.mass
        out = {
            "gamma gamma": photon_width(m, self.g_gamma_eff),
            "e+ e-": fermion_width(m, self.g_electron, C.mass(C.ELECTRON)),
            "mu+ mu-": fermion_width(m, self.g_muon, C.mass(C.MUON)),
        }
        if self.hnl_mass is not None:
            out["N N"] = hnl_pair_width(m, self.g_hnl, self.hnl_mass, self.hnl_majorana)
        if self.c_gg != 0.0:
            for name in _THREE_PI:
                out[name] = three_pion_width(m, self.c_gg, self.f_a, name)
        return out

"""Axion-like particle (ALP): widths, BRs, c*tau; ALP-pi0 / ALP-eta mixing angles.

Lagrangian convention (docs/physics.md#axion-like-particles)::

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
arXiv:2012.12272. Bauer, Neubert, Thamm arXiv:1708.00443 write ``g_s^2 C_GG (a/Lambda) G G~`` in
their effective Lagrangian (eq. 1 as recalled; only the abstract of 1708.00443 was reachable
here, so the number is not verified) and, after electroweak symmetry breaking,
``e^2 C_gg (a/Lambda) F F~`` with ``C_gg = C_WW + C_BB``: the dictionary is
``C_GG/Lambda = c_gg/(16 pi^2 f_a)`` and ``C_gg/Lambda = c_gamma/(16 pi^2 f_a)`` for the photon term
``c_gamma (alpha/4 pi)(a/f_a) F F~``.
The QCD-axion normalisation ``(alpha_s/8 pi)(a/f_QCD) G G~`` (used by the mixing angles below,
arXiv:2011.05995) is ``f_QCD = f_a/(2 c_gg)``: the gluon term is a theta angle ``theta(a) = 2 c_gg a/f_a``.
With ``L = -(g/4) a F F~`` (our photon sign) ``g = -alpha c_gamma/(pi f_a)``.

Widths
------
* ``Gamma(a -> gamma gamma) = g_eff^2 m^3 / (64 pi)`` (docs/physics.md#alp-widths) with the effective coupling
  ``g_eff = g_gamma + g_gluon(m)`` (:func:`gluon_photon_coupling`). In the notation of
  arXiv:1708.00443 (``Gamma = 4 pi alpha^2 m^3 |C_gg^eff|^2 / Lambda^2``) this is
  ``g = 4 e^2 C_gg / Lambda = 16 pi alpha C_gg / Lambda`` (derived), i.e. ``alpha |c_gamma^eff|/(pi f_a)``
  and ``Gamma = alpha^2 m^3 |c_gamma^eff|^2 / ((4 pi)^3 f_a^2)`` (alp-aca's formula, same file).
* Gluon-induced photon coupling ``g_gluon(m)`` (:func:`gluon_photon_coupling`) and the widths of
  ``a -> pi0 pi0 pi0``, ``a -> pi+ pi- pi0`` (:func:`three_pion_width`): two leading-order chiral
  treatments, chosen by ``ALP(chiral=...)``, section "Gluon coupling: chiral treatments" below. The
  default is the three-flavour one of Aloni, Soreq, Williams (arXiv:1811.03474), as in the SBN
  collaboration code sbncode.
* ``Gamma(a -> f fbar) = g_af^2 m sqrt(1 - 4 m_f^2/m^2) / (8 pi)`` (docs/physics.md#alp-widths).
  Derivation: ``sum |M|^2 = g^2 Tr[(p1 + m_f) gamma5 (p2 - m_f) gamma5] = 4 g^2 (p1.p2 + m_f^2)
  = 2 g^2 m^2``, ``Gamma = sum|M|^2 beta / (16 pi m)``.
* ``a -> N N``: the same trace; Dirac ``g^2 m beta / (8 pi)``; Majorana (Feynman rule ``g gamma5``
  from the 1/2 in L times 2 Wick contractions, identical-particle factor 1/2)
  ``g^2 m beta / (16 pi)``, ``beta = sqrt(1 - 4 m_N^2/m^2)`` (*derived* here, as docs/physics.md#alp-widths says;
  the factor 2 between them is pinned by tests; the ``g_aNN`` normalisation of arXiv:2311.07713
  was not re-read in this version: check before comparing yields with that paper).

``g_gamma`` is the photon coupling without the gluon-induced part; the loop-induced contributions
of the lepton couplings (arXiv:1708.00443, ``c_ll B1(4 m_l^2/m_a^2)/(16 pi^2)`` in the one-loop
``C_gg^eff``; the public code alp-aca numbers that expression eq. 13 and the loop functions
B1, B2 eq. 14 of 1708.00443, not re-read here) are not added to it.

Gluon coupling: chiral treatments
---------------------------------
Both treatments are leading-order chiral perturbation theory (ChPT); they differ in the mesons
the ALP mixes with. The ASW gluon term ``(alpha_s/8 pi)(a/f_ASW) G G~`` (their ``c_g/f_a``; the
``alpha_s/8 pi`` normalisation of sbncode and alp-aca) is ours with ``f_ASW = f_a/(2 c_gg)`` (the
``f_QCD`` dictionary above).

``chiral="three-flavour"`` (default): Aloni, Soreq, Williams arXiv:1811.03474 ("ASW"); the ALP
mixes with pi0, eta and eta'. The formulas below were read in two public implementations of ASW:
SBNSoftware sbncode ``sbncode/EventGenerator/MeVPrtl/Tools/ALP/ALPMakeDecay_tool.cc``
(``GammaPartialWidth``, ``AmplitudePi0Pi0Pi0``, ``AmplitudePiPPiMPi0``, ``Pi0Pi0Pi0PartialWidth``,
``PiPPiMPi0PartialWidth``, with ``ThreeBodyIntegrator.cc``) and alp-aca
``alpaca/decays/hadronic/hadronic_decays_def.py`` (early versions: ``ampato3pi0``,
``ampatopicharged``, ``ato3pi``). The paper itself was not available here: the equation numbers
S31, S32 (amplitudes), S33 (rate with the K factor), S8 (``S_PP'``) are the ones these codes quote
in comments, not re-read; the number of the photon-coupling equation is not known.

* photon coupling (ASW, as in sbncode ``GammaPartialWidth``): ``c_gamma^eff = c_gamma + c_gg X(m)``,
  ``g_gluon = -alpha c_gg X(m_a)/(pi f_a)`` with::

      X(m) = -1.92 + delta_I m^2/(m^2 - m_pi^2) + (8/9)(m^2 - 4 m_pi^2/9)/(m^2 - m_eta^2)
                   + (7/9)(m^2 - 16 m_pi^2/9)/(m^2 - m_eta'^2)

  (the pi0, eta, eta' admixtures times their two-photon anomaly couplings). X(0.3 GeV) = -1.9026,
  X(0.1 GeV) = -2.3122. Its ``m_a -> 0`` limit is NOT the QCD-axion -1.92 but
  ``-1.92 + (32/81) m_pi^2/m_eta^2 + (112/81) m_pi^2/m_eta'^2 = -1.8686`` (the eta, eta' terms keep
  their mass-mixing parts at m_a = 0): in this treatment a KSVZ-like axion's g is 2.7 % below the
  PDG value (the 1.92 itself is +-0.04); the two-flavour option keeps the exact limit.
* ``a -> 3 pi`` amplitudes (ASW eqs. S31, S32 as in both codes), ``s = (p+ + p-)^2``::

      a_pi  = (delta_I/2) m^2/(m^2 - m_pi^2)                    ALP-meson mixings <a P>
      a_eta = (m^2/sqrt6 - m_pi^2/sqrt24)/(m^2 - m_eta^2)
      a_eta' = (m^2/sqrt12 - m_pi^2/sqrt3)/(m^2 - m_eta'^2)
      S_eta = -sqrt(2/3) m_pi^2/(m_eta^2 - m_pi^2),  S_eta' = -(1/sqrt3) m_pi^2/(m_eta'^2 - m_pi^2)
      P = 1/sqrt3 + sqrt2 S_eta + S_eta',  Sig = sqrt2 S_eta + S_eta',
      R = (m_pi^2 - 2 m_eta^2)/(m_pi^2 - 4 m_eta^2)
      A(3 pi0)      = m_pi^2/(f_ASW f_pi) [a_pi - delta_I P (sqrt2 a_eta + a_eta') + sqrt3 delta_I R Sig]
      A(pi+ pi- pi0) = 1/(3 f_ASW f_pi) [(3 s - m^2 - 2 m_pi^2) a_pi - delta_I m_pi^2 P (sqrt2 a_eta + a_eta')
                                         + delta_I R (sqrt3 m_pi^2 Sig - 3 s + m^2 + 3 m_pi^2)]
      |M|^2 = k |A|^2,   Gamma = S/(256 pi^3 m^3) int |M|^2 ds12 ds23   (S = 1/6 for 3 pi0)

  ``A(3 pi0)`` is constant over the Dalitz plot; ``A(pi+ pi- pi0)`` is linear in s but, unlike the
  two-flavour amplitude, not proportional to ``s - m_pi^2`` (different Dalitz shape).
* Inputs as in sbncode: ``delta_I`` = :data:`ASW_DELTA_I` = 1/3 (ASW's value; sbncode and early
  alp-aca use it; later alp-aca versions compute (m_d - m_u)/(m_d + m_u) from quark masses);
  ``f_pi`` = :data:`F_PI` = 130.2/sqrt2 MeV (sbncode: ``fpion/sqrt(2)``, "~93 MeV convention");
  ``m_pi`` = pi0 mass in the amplitudes and the photon coupling (both codes); eta, eta' as simple
  poles without widths (both codes; the eta pole is refused, see "Validity"); the widths are
  integrated over the physical phase space (``2 m_pi+ + m_pi0`` for the charged channel, as in
  sbncode) by quadrature.
* K factor: ASW multiply the LO 3 pi rates by ``k`` = :data:`ASW_K_FACTOR` = 2.7, the mean of the
  factors that make the same LO calculation reproduce the measured eta -> 3 pi and eta' -> 3 pi
  rates (rate formula S33 per alp-aca's comment). fipgen follows the paper: the three-flavour
  ``|M|^2`` includes ``k`` (so the width is still the plain phase-space integral of ``|M|^2``).
  sbncode multiplies both 3 pi widths by ``kfactor = 2.7``; alp-aca does too (``k = 2.7`` in
  ``ato3pi`` of early versions, ``sqrt(kfact)`` in the amplitude of later ones). The two-flavour
  option has no K factor (BNT).
* The normalisation (``f_ASW``, ``f_pi``) is pinned by the limit ``m_eta, m_eta' -> infinity``
  (``S, a_eta, a_eta' -> 0``, ``R -> 1/2``), ``k -> 1``, ``delta_I -> eps``, where the amplitudes
  reduce algebraically to the two-flavour ones below (``A(3 pi0) -> delta m_pi^2 m^2/(f_ASW f_pi
  2 (m^2 - m_pi^2))``, ``A(+-0) -> delta m_pi^2 (s - m_pi^2)/(2 f_ASW f_pi (m^2 - m_pi^2))``;
  tests/reference/test_alp_gluon_reference.py). Not reconciled: ASW's a-eta numerator
  ``m^2 - m_pi^2/2`` in the 3 pi amplitudes differs from the ``m^2 - 4 m_pi^2/9`` of their photon
  term and of :func:`theta_aeta`; both are kept as published. Cross-check of the normalisation
  and of the K factor: the summed 3 pi widths that sbncode's ``ValidateWidths`` lists as checks
  "from arXiv:2207.08448" (``c_g = 1``, ``f_a = 1 TeV`` in the ``alpha_s/8 pi`` normalisation, i.e.
  ``c_gg = 1/2`` here) are reproduced to 6-13 % at 0.42, 0.50, 0.60 and 0.70 GeV (those values
  look read off a figure; without ``k`` the ratio would be ~0.4).
* Not in this treatment but in sbncode's total width: ``a -> pi+ pi- gamma`` (ASW, rho dominance),
  so fipgen's total width and BRs differ from sbncode's by that channel above 0.279 GeV.

``chiral="two-flavour"``: leading-order two-flavour ChPT, Bauer, Neubert, Thamm arXiv:1708.00443
("BNT"), the treatment of earlier fipgen versions (no eta, eta'; no K factor):

  * photon coupling (arXiv:1708.00443, the light-ALP expression for ``C_gg^eff``, valid for
    ``m_a`` well below 1 GeV; quoted from memory: only the abstract of the paper was reachable
    here, so no equation number is given. For orientation, alp-aca's comments number the
    perturbative pieces of ``C_gg^eff`` eqs. 13, 14 and 16 of 1708.00443, so this light-ALP
    expression is not one of those)::

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
    ``m_eta, m_eta' -> infinity`` limit of the three-flavour ones (above), checked in
    tests/reference. The widths use physical masses in the phase space (thresholds ``3 m_pi0`` and
    ``2 m_pi+ + m_pi0``), ``m_pi0`` in ``K`` and ``m_pi+`` in ``(s_{+-} - m_pi^2)`` (isospin-limit
    formula; the choice is an O(Delta m_pi^2/m_pi^2) ambiguity).
  * Decay sampling: :func:`fipgen.decays.sampler.three_body_density` takes the Dalitz shape from
    :func:`three_pion_amplitude_sq` with its default (three-flavour) treatment; it has no way to
    receive ``chiral``, so with ``chiral="two-flavour"`` the widths are BNT's but the sampled
    ``pi+ pi- pi0`` Dalitz distribution is ASW's (3 pi0 is flat in both).

Validity of the gluon coupling (the model raises :class:`PhysicsError` outside it)
----------------------------------------------------------------------------------
Leading-order ChPT in both treatments: ``m_a <`` :data:`GLUON_MASS_MAX` ``= m_eta + 2 m_pi0``
(0.818 GeV), where ``a -> eta pi pi`` (not implemented, dominant above its threshold in ASW) opens.

The first-order ALP-meson mixing diverges at the meson poles. The pole part of the mixing angle,
``theta_P = (f_pi/f_ASW) Res_P/|m_a^2 - m_P^2| = 2 |c_gg| f_pi Res_P/(f_a |m_a^2 - m_P^2|)`` with the
residues of ``a_P`` above, ``Res_pi0 = delta m_pi^2/2``, ``Res_eta = m_eta^2/sqrt6 - m_pi^2/sqrt24``,
``Res_eta' = m_eta'^2/sqrt12 - m_pi^2/sqrt3``, must not exceed :data:`MAX_PI0_MIXING` (0.1): pi0 in
both treatments (``delta`` = eps or delta_I; this is the earlier ``eps f_pi m_pi^2 c_gg/(f_a
|m_a^2 - m_pi^2|)``), eta and eta' in the three-flavour one (the two-flavour formulas have no eta
pole; eta' lies above 0.818 GeV and matters only for large ``c_gg/f_a``). At ``c_gg = 1,
f_a = 1 TeV`` the refused windows are ``|m_a - m_pi0| < 0.021 MeV`` (0.022 MeV two-flavour) and
``|m_a - m_eta| < 0.20 MeV``.

The widths and BRs of a gluon-coupled ALP above ~0.2 GeV are LO estimates with O(1) uncertainties:

* the two treatments differ by O(1) factors (three-flavour over two-flavour at ``c_gg = 1,
  f_a = 1 TeV``: ``Gamma(3 pi0)`` x9.2 at 0.45 GeV, x11.1 at 0.6, x0.028 at 0.75 GeV (``A(3 pi0)``
  vanishes at 0.733 GeV), ``Gamma(pi+ pi- pi0)`` x9.2, x10.0, x0.74, K factor included; ``c_gamma^eff/c_gg``
  -1.90 vs -1.48 at 0.3 GeV); the K factor 2.7 is itself a mean of the eta and eta' values;
* not included: ``a -> pi pi gamma`` (threshold 0.279 GeV), NLO ChPT (large just above the 3 pi
  threshold, Di Luzio, Piazza arXiv:2206.04061), ``a -> g g`` / hadrons above ~1.5-2 GeV.

Mixing angles (docs/physics.md#alp-meson-mixing; Kelly, Kumar, Liu arXiv:2011.05995, used by arXiv:2311.07713)::

    theta_api  = (1/6) (f_pi/f_a) m_a^2 / (m_a^2 - m_pi^2)
    theta_aeta = (1/sqrt6) (f_pi/f_a) (m_a^2 - 4 m_pi^2/9) / (m_a^2 - m_eta^2)

with ``f_pi`` in the ~93 MeV normalisation: :data:`F_PI` = 130.2 MeV / sqrt2 = 92.07 MeV (PDG
``f_pi+ = 130.2 MeV``). With the 130 MeV convention the angles are sqrt2 larger (rates 2x).
``m_pi`` is the pi0 mass. They are provided for production (ALP from pi0/eta mixing), not used in
widths. Their ``f_a`` is the QCD-axion ``f_QCD = f_a/(2 c_gg)`` of the gluon coupling above (as
the 1/6 = eps/2 at eps = 1/3 of the kinetic mixing derived above indicates; the Lagrangian of
arXiv:2011.05995 was not re-read).

PDG Monte Carlo code: :data:`fipgen.constants.PDG_ALP` (9000005).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import numpy as np

from .. import constants as C
from ..errors import PhysicsError
from .base import Channel, DecayingParticle
from .params import ALP_INVERSE_PRIMAKOFF_XSEC, ALP_PRIMAKOFF_ANGLE, ALP_PRIMAKOFF_XSEC, ALP_RESONANT_XSEC

__all__ = [
    "ALP", "F_PI", "photon_width", "fermion_width", "hnl_pair_width", "theta_api", "theta_aeta",
    "M_U_OVER_M_D", "EPS_UD", "C_GAMMA_CHIRAL", "GLUON_MASS_MAX", "MAX_PI0_MIXING",
    "gluon_photon_coupling", "g_00", "g_pm", "three_pion_width", "three_pion_width_isospin",
    "three_pion_amplitude_sq", "CHIRAL_TREATMENTS", "ASW_DELTA_I", "ASW_K_FACTOR", "gluon_meson_mixing",
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
#: Largest first-order ALP-meson (pi0, and eta, eta' in the three-flavour treatment) mixing angle
#: accepted (module docstring "Validity").
MAX_PI0_MIXING = 0.1
#: Chiral treatments of the gluon coupling (module docstring): the first is the default.
CHIRAL_TREATMENTS = ("three-flavour", "two-flavour")
#: Isospin breaking ``delta_I`` of the three-flavour treatment: 1/3 as in arXiv:1811.03474, sbncode
#: and early alp-aca (the two-flavour treatment keeps :data:`EPS_UD` = 0.351, z = 0.48).
ASW_DELTA_I = 1.0 / 3.0
#: K factor multiplying the LO three-flavour a -> 3 pi rates (arXiv:1811.03474, eq. S33 as quoted by
#: alp-aca; 2.7 in sbncode and alp-aca): makes the same LO calculation reproduce eta, eta' -> 3 pi.
ASW_K_FACTOR = 2.7

_THREE_PI = ("pi0 pi0 pi0", "pi+ pi- pi0")


def photon_width(mass: float, g_gamma: float) -> float:
    """``Gamma(a -> gamma gamma) = g^2 m^3 / (64 pi)`` in GeV (g in GeV^-1; docs/physics.md#alp-widths)."""
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
    """ALP-pi0 mixing angle ``(1/6)(f_pi/f_a) m_a^2/(m_a^2 - m_pi0^2)`` (arXiv:2011.05995; docs/physics.md#alp-meson-mixing).

    ``m_a``, ``f_a``, ``f_pi`` in GeV; ``f_pi`` defaults to :data:`F_PI` (92.07 MeV convention).
    Diverges at ``m_a = m_pi0`` (the formula is first order in the mixing).
    """
    m_pi = C.mass(C.PI0)
    return (f_pi / f_a) * m_a**2 / (m_a**2 - m_pi**2) / 6.0


def theta_aeta(m_a: float, f_a: float, f_pi: float = F_PI) -> float:
    """ALP-eta mixing angle ``(1/sqrt6)(f_pi/f_a)(m_a^2 - 4 m_pi0^2/9)/(m_a^2 - m_eta^2)``.

    arXiv:2011.05995 (docs/physics.md#alp-meson-mixing); units and ``f_pi`` as :func:`theta_api`.
    """
    m_pi, m_eta = C.mass(C.PI0), C.mass(C.ETA)
    return (f_pi / f_a) * (m_a**2 - 4.0 * m_pi**2 / 9.0) / (m_a**2 - m_eta**2) / math.sqrt(6.0)


#: ALP field -> its allowed cross-section conventions (the first is the default).
_XSEC_CONVENTIONS = {"primakoff_xsec": ALP_PRIMAKOFF_XSEC, "primakoff_angle": ALP_PRIMAKOFF_ANGLE,
                     "inverse_primakoff_xsec": ALP_INVERSE_PRIMAKOFF_XSEC, "resonant_xsec": ALP_RESONANT_XSEC}


def _check_chiral(chiral) -> str:
    if not isinstance(chiral, str) or chiral not in CHIRAL_TREATMENTS:
        allowed = ", ".join(repr(c) for c in CHIRAL_TREATMENTS)
        raise PhysicsError(f"ALP chiral must be one of {allowed} (gluon-coupling treatment), got {chiral!r}")
    return chiral


def _meson_masses_sq() -> tuple[float, float, float]:
    return C.mass(C.PI0) ** 2, C.mass(C.ETA) ** 2, C.mass(C.ETA_PRIME) ** 2


def gluon_photon_coupling(mass: float, c_gg: float, f_a: float, chiral: str = "three-flavour") -> float:
    """Gluon-induced part of ``g_agg`` in GeV^-1 (``mass``, ``f_a`` in GeV; ``alpha = alpha(0)``).

    ``chiral="three-flavour"`` (default): ``-(alpha c_gg/(pi f_a)) X(m)`` with the pi0, eta, eta' terms
    of arXiv:1811.03474 (as in sbncode ``GammaPartialWidth``; module docstring), poles at m_pi0,
    m_eta, m_eta'. ``chiral="two-flavour"``: ``(alpha c_gg/(pi f_a))(1.92 + eps m^2/(m_pi^2 - m^2))``,
    the light-ALP ``C_gg^eff`` of arXiv:1708.00443, pole at m_pi0. Sign: ``L = -(g/4) a F F~``,
    ``g = -alpha c_gamma/(pi f_a)``. The mass range is not checked here (:class:`ALP` does).
    """
    _check_chiral(chiral)
    m2 = mass * mass
    mpi2, meta2, metap2 = _meson_masses_sq()
    if chiral == "two-flavour":
        # arXiv:1708.00443 light-ALP C_gg^eff (eq. number not verified): c_eff = -1.92 - eps m^2/(m_pi^2 - m^2)
        x = -C_GAMMA_CHIRAL + EPS_UD * m2 / (m2 - mpi2)
    else:
        # arXiv:1811.03474 (photon coupling below ~1 GeV, eq. number not known; sbncode GammaPartialWidth):
        # X = -1.92 + delta_I m^2/(m^2 - m_pi^2) + (8/9)(m^2 - 4 m_pi^2/9)/(m^2 - m_eta^2)
        #           + (7/9)(m^2 - 16 m_pi^2/9)/(m^2 - m_eta'^2)
        x = (-C_GAMMA_CHIRAL + ASW_DELTA_I * m2 / (m2 - mpi2)
             + (8.0 / 9.0) * (m2 - 4.0 * mpi2 / 9.0) / (m2 - meta2)
             + (7.0 / 9.0) * (m2 - 16.0 * mpi2 / 9.0) / (m2 - metap2))
    return -C.ALPHA_EM * c_gg * x / (math.pi * f_a)


def gluon_meson_mixing(mass: float, c_gg: float, f_a: float, chiral: str = "three-flavour") -> dict[str, float]:
    """Pole parts of the first-order ALP-meson mixing angles (dimensionless, >= 0; module docstring "Validity").

    ``theta_P = 2 |c_gg| f_pi Res_P/(f_a |m^2 - m_P^2|)`` with ``Res_pi0 = delta m_pi^2/2`` (delta =
    :data:`ASW_DELTA_I` or, two-flavour, :data:`EPS_UD`), and in the three-flavour treatment
    ``Res_eta = m_eta^2/sqrt6 - m_pi^2/sqrt24``, ``Res_eta' = m_eta'^2/sqrt12 - m_pi^2/sqrt3`` (the
    residues of the ASW mixings ``a_eta``, ``a_eta'``). ``inf`` on a pole. Keys ``"pi0"`` (and
    ``"eta"``, ``"eta'"``).
    """
    _check_chiral(chiral)
    m2 = mass * mass
    mpi2, meta2, metap2 = _meson_masses_sq()
    delta = EPS_UD if chiral == "two-flavour" else ASW_DELTA_I
    res = {"pi0": (mpi2, 0.5 * delta * mpi2)}
    if chiral == "three-flavour":
        res["eta"] = (meta2, meta2 / math.sqrt(6.0) - mpi2 / math.sqrt(24.0))
        res["eta'"] = (metap2, metap2 / math.sqrt(12.0) - mpi2 / math.sqrt(3.0))
    out = {}
    for name, (mp2, r) in res.items():
        den = f_a * abs(m2 - mp2)
        out[name] = 2.0 * abs(c_gg) * F_PI * r / den if den > 0.0 else math.inf
    return out


def _lam(x: float, y: float, z: float) -> float:
    return x * x + y * y + z * z - 2.0 * (x * y + x * z + y * z)


def _g_integral(r: float, power: int) -> float:
    # int_{4r}^{(1-sqrt r)^2} dz sqrt(1 - 4r/z) lambda^(1/2)(1, z, r) (z - r)^power
    lo, hi = 4.0 * r, (1.0 - math.sqrt(r)) ** 2
    if hi <= lo:
        return 0.0

    def f(z: float) -> float:
        return math.sqrt(max(1.0 - lo / z, 0.0)) * math.sqrt(max(_lam(1.0, z, r), 0.0)) * (z - r) ** power

    from scipy import integrate  # loaded on first use (fipgen start-up)

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
    # two-flavour K = eps^2 c^2 m_pi^4 / (f_a^2 f_pi^2 (m_a^2 - m_pi^2)^2), m_pi = pi0 mass (module docstring)
    mpi2 = C.mass(C.PI0) ** 2
    return (EPS_UD * c_gg * mpi2 / (f_a * F_PI * (mass * mass - mpi2))) ** 2


def _asw_amplitude(channel: str, s_pm, mass: float, c_gg: float, f_a: float):
    """ASW amplitude ``A`` (dimensionless, real; no K factor) of a -> 3 pi0 / pi+ pi- pi0; module docstring."""
    m2 = mass * mass
    mpi2, meta2, metap2 = _meson_masses_sq()
    d = ASW_DELTA_I
    r2, r3, r6 = math.sqrt(2.0), math.sqrt(3.0), math.sqrt(6.0)
    # SM pi0-eta, pi0-eta' mass mixing over the mass splitting, S_PP' = M^2_PP'/(m_P^2 - m_P'^2)
    # (arXiv:1811.03474 eq. S8 as quoted by alp-aca) with M^2_pi eta = -sqrt(2/3) m_pi^2,
    # M^2_pi eta' = -m_pi^2/sqrt3
    s_eta = -math.sqrt(2.0 / 3.0) * mpi2 / (meta2 - mpi2)
    s_etap = -mpi2 / r3 / (metap2 - mpi2)
    # ALP-meson mixings <a P> of arXiv:1811.03474 for a pure gluon coupling (as in sbncode/alp-aca)
    a_pi = 0.5 * d * m2 / (m2 - mpi2)
    a_eta = (m2 / r6 - mpi2 / math.sqrt(24.0)) / (m2 - meta2)
    a_etap = (m2 / math.sqrt(12.0) - mpi2 / r3) / (m2 - metap2)
    sig = r2 * s_eta + s_etap
    p_mix = (1.0 / r3 + sig) * (r2 * a_eta + a_etap)
    r_eta = (mpi2 - 2.0 * meta2) / (mpi2 - 4.0 * meta2)
    # overall 1/(f_ASW f_pi) with f_ASW = f_a/(2 c_gg) (module docstring, "chiral treatments")
    pref = 2.0 * c_gg / (f_a * F_PI)
    if channel == "pi0 pi0 pi0":
        # arXiv:1811.03474 eq. S31: m_pi^2/(f f_pi) [a_pi - d P (sqrt2 a_eta + a_eta') + sqrt3 d R Sig]
        return pref * mpi2 * (a_pi - d * p_mix + r3 * d * r_eta * sig) + 0.0 * np.asarray(s_pm, dtype=np.float64)
    # arXiv:1811.03474 eq. S32: 1/(3 f f_pi) [(3s - m^2 - 2 m_pi^2) a_pi - d m_pi^2 P (sqrt2 a_eta + a_eta')
    #                                          + d R (sqrt3 m_pi^2 Sig - 3 s + m^2 + 3 m_pi^2)]
    s = np.asarray(s_pm, dtype=np.float64)
    return pref / 3.0 * ((3.0 * s - m2 - 2.0 * mpi2) * a_pi - d * mpi2 * p_mix
                         + d * r_eta * (r3 * mpi2 * sig - 3.0 * s + m2 + 3.0 * mpi2))


def three_pion_amplitude_sq(channel: str, s_pm, mass: float, c_gg: float, f_a: float, chiral: str = "three-flavour"):
    """``|M|^2`` (dimensionless) of ``a -> pi+ pi- pi0`` at ``s_pm = (p+ + p-)^2`` or of ``a -> 3 pi0``.

    ``chiral="three-flavour"`` (default): ``k |A|^2`` with the amplitudes of arXiv:1811.03474
    (eqs. S31, S32; pi0, eta, eta' mixing; ``k`` = :data:`ASW_K_FACTOR`; pi0 mass in the amplitude).
    ``chiral="two-flavour"``: ``K (s_pm - m_pi+^2)^2`` resp. ``K m_a^4`` (LO two-flavour ChPT,
    arXiv:1708.00443). Module docstring for both. ``s_pm`` in GeV^2, float or array (ignored for
    ``"pi0 pi0 pi0"``, whose ``|M|^2`` is constant; the result has the shape of ``s_pm``); ``mass``,
    ``f_a`` in GeV. The width is ``S/(256 pi^3 m^3) int |M|^2 ds12 ds23`` (S = 1/6 for 3 pi0).
    """
    if channel not in _THREE_PI:
        raise PhysicsError(f"ALP three-pion channel must be one of {_THREE_PI}, got {channel!r}")
    _check_chiral(chiral)
    if chiral == "three-flavour":
        amp = _asw_amplitude(channel, s_pm, mass, c_gg, f_a)
        out = ASW_K_FACTOR * amp * amp
        return float(out) if np.ndim(out) == 0 else out
    k = _three_pi_k(mass, c_gg, f_a)
    if channel == "pi+ pi- pi0":
        return k * (s_pm - C.mass(C.PI_PLUS) ** 2) ** 2
    return k * mass**4 + 0.0 * s_pm


@lru_cache(maxsize=4096)
def _three_pi_unit_width(channel: str, mass: float, chiral: str) -> float:
    # S/(256 pi^3 m^3) int ds12 ds23 |M|^2 at c_gg = f_a = 1, physical masses; s12 = s(pi pi) of the equal pair
    if channel == "pi+ pi- pi0":
        m1, m3, sym = C.mass(C.PI_PLUS), C.mass(C.PI0), 1.0
    else:
        m1, m3, sym = C.mass(C.PI0), C.mass(C.PI0), 1.0 / 6.0
    lo, hi = (2.0 * m1) ** 2, (mass - m3) ** 2
    if hi <= lo:
        return 0.0

    def f(s: float) -> float:
        # s23 range at fixed s12 (PDG Kinematics eq. 49.23): lambda^1/2(s, m1^2, m1^2) lambda^1/2(M^2, s, m3^2)/s
        width = math.sqrt(max(1.0 - lo / s, 0.0)) * math.sqrt(max(_lam(mass * mass, s, m3 * m3), 0.0))
        return width * float(three_pion_amplitude_sq(channel, s, mass, 1.0, 1.0, chiral))

    from scipy import integrate  # loaded on first use (fipgen start-up)

    val = integrate.quad(f, lo, hi, epsabs=0.0, epsrel=1e-11, limit=200)[0]
    return sym * val / (256.0 * math.pi**3 * mass**3)


def three_pion_width(mass: float, c_gg: float, f_a: float, channel: str, chiral: str = "three-flavour") -> float:
    """``Gamma(a -> pi+ pi- pi0)`` or ``Gamma(a -> pi0 pi0 pi0)`` in GeV, physical pion masses.

    ``S/(256 pi^3 m^3) int |M|^2 ds12 ds23`` with :func:`three_pion_amplitude_sq` of the same
    ``chiral`` treatment (S = 1/6 for 3 pi0; the three-flavour ``|M|^2`` includes the K factor),
    integrated over the Dalitz region by quadrature; 0 below threshold. Only the chiral range is
    meaningful (module docstring "Validity"; this function does not check it, :class:`ALP` does).
    """
    if channel not in _THREE_PI:
        raise PhysicsError(f"ALP three-pion channel must be one of {_THREE_PI}, got {channel!r}")
    _check_chiral(chiral)
    if c_gg == 0.0:
        return 0.0
    return (c_gg / f_a) ** 2 * _three_pi_unit_width(channel, float(mass), chiral)


def three_pion_width_isospin(mass: float, c_gg: float, f_a: float, channel: str, m_pi: float | None = None) -> float:
    """Two-flavour treatment, equal pion masses: ``eps^2 c^2 m_a m_pi^4 g_ab(m_pi^2/m_a^2)/(3072 pi^3 f_a^2 f_pi^2)``.

    Closed form of the ``chiral="two-flavour"`` width only (no three-flavour analogue).
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
    chiral : {"three-flavour", "two-flavour"}
        Chiral treatment of the gluon coupling (module docstring): ``"three-flavour"`` (default,
        pi0/eta/eta' mixing of arXiv:1811.03474 with its K factor 2.7, as sbncode) or
        ``"two-flavour"`` (LO two-flavour ChPT of arXiv:1708.00443, the earlier fipgen default).
    primakoff_xsec, primakoff_angle, inverse_primakoff_xsec, resonant_xsec : str
        Conventions of the shower production and scattering cross sections (not of the widths):
        fipgen's by default (``"tsai"``, ``"sampled"``, ``"tsai"``, ``"spin-0"``); the alternatives
        (``"massless"`` or ``"alplib"``, ``"collinear"``, ``"alplib"``, ``"alplib"``) are those of the
        public code of arXiv:2307.03878, one difference each (fipgen.models.params,
        :mod:`fipgen.models.alp_xsec` item 8, docs/physics.md#paper-conventions-of-arxiv230703878).

    With ``c_gg != 0`` the photon width uses ``g_gamma + gluon_photon_coupling(mass, c_gg, f_a, chiral)``
    and the channels ``"pi0 pi0 pi0"``, ``"pi+ pi- pi0"`` (kind ``"three-body"``) are added. Masses
    where an ALP-meson mixing angle exceeds :data:`MAX_PI0_MIXING` (pi0 pole; eta, eta' poles in the
    three-flavour treatment) or ``mass >=`` :data:`GLUON_MASS_MAX` are refused with ``c_gg != 0``.
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
    chiral: str = "three-flavour"
    primakoff_xsec: str = "tsai"
    primakoff_angle: str = "sampled"
    inverse_primakoff_xsec: str = "tsai"
    resonant_xsec: str = "spin-0"

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
        _check_chiral(self.chiral)
        for name, allowed in _XSEC_CONVENTIONS.items():
            if getattr(self, name) not in allowed:
                raise PhysicsError(f"ALP {name} must be one of {', '.join(repr(c) for c in allowed)} (cross-section "
                                   f"convention), got {getattr(self, name)!r}")
        if self.f_a is not None:
            object.__setattr__(self, "f_a", _num("f_a", self.f_a, positive=True))
        if self.c_gg != 0.0:
            self._check_gluon_range()

    def _check_gluon_range(self) -> None:
        m = self.mass
        if self.f_a is None:
            raise PhysicsError("ALP c_gg != 0 needs f_a (GeV)")
        if m >= GLUON_MASS_MAX:
            raise PhysicsError(
                f"ALP gluon coupling implemented (LO chiral perturbation theory) only for mass < "
                f"{GLUON_MASS_MAX:.4f} GeV (a -> eta pi pi threshold), got {m!r}")
        for meson, mix in gluon_meson_mixing(m, self.c_gg, self.f_a, self.chiral).items():
            if mix > MAX_PI0_MIXING:
                raise PhysicsError(
                    f"ALP gluon coupling: a-{meson} mixing {mix:.3g} > {MAX_PI0_MIXING} at mass {m!r} GeV "
                    f"(too close to the {meson} pole; {self.chiral} chiral treatment)")

    @property
    def g_gamma_eff(self) -> float:
        """Effective photon coupling (GeV^-1): ``g_gamma`` plus :func:`gluon_photon_coupling` if ``c_gg != 0``."""
        if self.c_gg == 0.0:
            return self.g_gamma
        return self.g_gamma + gluon_photon_coupling(self.mass, self.c_gg, self.f_a, self.chiral)

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
                out[name] = three_pion_width(m, self.c_gg, self.f_a, name, self.chiral)
        return out

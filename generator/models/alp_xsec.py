"""ALP production and detection cross sections (issue 6): photon and electron couplings.

Pure functions. Scalar ``@numba.njit`` kernels (callable from user kernels and hot loops),
``*_np`` numpy references written from an independent form of each formula for the tests, and a
few thin material helpers. No sampling here: the samplers whose envelopes are derived below live
beside the channels that use them, in :mod:`fipgen.production.channels.alp_xsec_sampling`.

Conventions
-----------
``L = -(g_agg/4) a F F~ - i g_aee a ebar gamma5 e`` (generator/models/alp.py), ``g_agg`` in GeV^-1,
``g_aee`` dimensionless, ``alpha_a = g_aee^2/(4 pi)``, ``e^2 = 4 pi alpha`` with alpha = alpha(0).
Energies are TOTAL energies in GeV, lab frame with the target (atom, electron) at rest. Cross
sections in GeV^-2 (per atom for Primakoff and bremsstrahlung, per electron for the electron
processes); :func:`to_cm2` / :func:`to_m2` convert, :func:`per_length` gives interactions per metre
of track. ``t`` below is the POSITIVE momentum transfer ``t = -q^2 = |k - p|^2`` (recoil
neglected) unless said otherwise; Mandelstam ``s, t, u`` of the electron processes are the usual
signed invariants.

Form factor (docs/physics.md#alp-cross-sections; Tsai, PRD 34 (1986) 1326 as written in Dobrich et al. arXiv:1512.03069;
equation numbers of either paper not read here)::

    F(t) = [a^2 t/(1 + a^2 t)] [1/(1 + t/d)],   a = 111 Z^(-1/3)/m_e,  d = 0.164 A^(-2/3) GeV^2

(atomic screening x nuclear). With ``b = 1/a^2``: ``F^2/t^2 = 1/[(t + b)^2 (1 + t/d)^2]``.

1. Primakoff ``gamma A -> a A`` (:func:`primakoff_dsigma_dtheta`)::

       dsigma/dtheta = (1/4) g^2 alpha Z^2 F(t)^2 E p^3 sin^3(theta)/t^2,
       t = E^2 + p^2 - 2 E p cos(theta) = t0 + 4 E p sin^2(theta/2),  t0 = (E - p)^2 = [m_a^2/(E + p)]^2

   DISAGREEMENT with arXiv:1512.03069 (docs/physics.md#alp-cross-sections), which writes ``p^4`` for ``E p^3``: its form
   is ``beta_a = p/E`` times this one. *Derived* here from ``L = g a E.B`` for a static nucleus:
   ``sum|M|^2 = 4 M^2 g^2 Z^2 e^2 |k x p|^2/t^2`` with flux ``4 M E`` and final phase space
   ``p dOmega/(16 pi^2 M)``. Checked (tests/reference/test_alp_xsec_reference.py) against the exact
   relativistic 2 -> 2 cross section on a heavy scalar nucleus (Levi-Civita contraction evaluated
   numerically, M = 10 TeV): agreement within 1e-3 (recoil), while the ``p^4`` form is low by ``beta_a`` (0.866 at
   E = 1, m_a = 0.5 GeV); and by detailed balance against the inverse-Primakoff form of Creswick et
   al. as in alplib ``det_xs.iprimakoff_dsigma_dtheta``. For E >> m_a the two forms coincide.
   In ``t`` (the ``p`` cancels): ``dsigma/dt = g^2 alpha Z^2/(32 E^2) F^2 (t - t0)(t1 - t)/t^2``,
   ``t1 = (E + p)^2``; total by composite Gauss-Legendre in ``ln(t + b)`` (:func:`primakoff_sigma`).
   Angle sampler: exact accept-reject in ``t``
   (:func:`fipgen.production.channels.alp_xsec_sampling.sample_primakoff_theta`) with the envelope
   ``q (t1 - t0)/(t + b)`` below ``t = d`` and ``q (t1 - t0) d^2/t^3`` above, ``q = (t1 - t0)/(t1 + b)``
   (both bound the density since ``(t - t0)/(t + b)`` rises to ``q``, ``(t1 - t) <= t1 - t0``,
   ``(1 + t/d)^-2 <= min(1, d^2/t^2)``, ``(t - t0)/(t + b)^2 <= 1/t``), or a constant envelope near
   threshold when its integral is smaller; efficiency 0.84-0.86 for E >> m_a, 0.27-0.29 at E ~ 1.2-6 m_a
   (Fe, Ar), about 2/3 just above threshold.
6. Inverse Primakoff ``a A -> gamma A``: the same ``|M|^2``; detailed balance
   ``g_a p^2 sigma(a -> gamma) = g_gamma k^2 sigma(gamma -> a)`` with ``g_gamma = 2`` polarisations,
   ``g_a = 1``, ``k = E``: ``dsigma_inv/dtheta = (2 E^2/p^2) dsigma_prim/dtheta`` at the same E, theta,
   i.e. ``(1/2) g^2 alpha Z^2 F^2 E^3 p sin^3/t^2`` = alplib's ``iprimakoff_dsigma_dtheta`` (Creswick
   et al.) with the Tsai F. The photon angle has the ALP angle's distribution
   (:func:`fipgen.production.channels.alp_xsec_sampling.sample_inverse_primakoff_theta`).

2. Compton-like ``gamma(k) e(p) -> a(k') e(p')`` (per electron). *Derived* spin sum (Dirac traces by
   hand, checked against explicit 4x4 Dirac matrices with physical photon polarisations in the
   tests), with ``S = s - m^2``, ``U = u - m^2`` (symmetric in S <-> U)::

       sum|M|^2 = e^2 g^2 M2C(S, U),
       M2C(S, U) = -4 [ (S U - 2 m^2 m_a^2)(S^2 + U^2)/(S^2 U^2) + 2 (S U + m_a^4 - m_a^2 (S + U + 2 m^2))/(S U) ]

   ``dsigma/dE_a = m <|M|^2>/(8 pi S^2)`` (``u = m^2 + m_a^2 - 2 m E_a``). This equals the x form of docs/physics.md#alp-cross-sections,
   ``dsigma/dE_a = pi alpha alpha_a/[E_g (s - m^2)] x/(1-x) [-2 m_a^2/(s - m^2)^2 (s - m^2/(1-x) - m_a^2/x) + x]``,
   ``x = 1 - E_a/E_g + m_a^2/(2 E_g m) = (m_a^2 - t)/(s - m^2) = (E_a - p_a cos theta)/m`` identically
   (sympy; numpy reference :func:`compton_dsigma_dea_np` is written in that form), the formula of
   Brodsky, Mottola, Muzinich, Weinstein PRL 56 (1986) 1763 as used by alplib
   ``prod_xs.compton_dsigma_dea``. Limits: ``x`` in ``[(s + m_a^2 - m^2 -+ lambda^1/2(s, m_a^2, m^2))/(2 s)]``
   (alplib's ``xmin, xmax``; two-body kinematics in the CM). Total: closed form of the ``U``
   integral (:func:`compton_sigma`, *derived*). ``m_a -> 0``:
   ``sigma = alpha g^2/(16 m E)[2 ln(s/m^2) - 3 + 4 m^2/s - m^4/s^2]``, whose ``E << m`` limit is the
   axio-Compton ``(4 pi alpha alpha_a/3 m^2)(E/m)^2`` (Raffelt, Stars as laboratories, 1996; recalled).
   The closed form ``compton_sigma`` of alplib (from arXiv:0807.2926, Borexino) agrees at m_a = 0 but
   is 17-26 % low in the tested cases (``m_a/E_g`` = 0.02-0.17) and negative near threshold (docs/physics.md#alp-cross-sections
   warning; tests/reference). ALP angle: ``cos theta_a = [E_a (E_g + m) - m E_g - m_a^2/2]/(E_g p_a)``.
7. Inverse Compton ``a(k') e(p) -> gamma(k) e(p')``: crossing both bosons, ``sum|M|^2 = e^2 g^2 M2C(s - m^2,
   u - m^2)`` with ``u = (p - k)^2 = m^2 - 2 m E_gamma`` (average 1/2),
   ``dsigma/dE_gamma = <|M|^2>/(32 pi m p_a^2)``; total in closed form. alplib's ``det_xs.icompton_sigma``
   ("Borexino 2008 eq. 14") agrees at m_a = 0, within 0.3 % up to m_a/E_a = 0.05, and is 11-12 % low at
   E_a = 2 m_a (tests/reference). At m_a = 0, sigma(a e -> gamma e) = 2 sigma(gamma e -> a e).

3. Resonant ``e+ e- -> a`` on atomic electrons at rest (*derived*; docs/physics.md#alp-cross-sections)::

       sigma = 2 pi <|M|^2> delta(s - m_a^2)/(2 lambda^1/2(s, m^2, m^2)),  <|M|^2> = g^2 s/2
             = pi g^2/(4 m beta) delta(E+ - E_R),   E_R = (m_a^2 - 2 m^2)/(2 m),  beta = sqrt(1 - 4 m^2/m_a^2)

   ``E+`` is the TOTAL positron energy and ``beta`` the e+- velocity in the ALP rest frame (not the
   positron's lab velocity). Check: the spin-0 Breit-Wigner
   ``sigma = (1/4)(4 pi/k^2) (Gamma_ee Gamma/4)/((sqrt s - m_a)^2 + Gamma^2/4)`` (``k`` the CM momentum;
   spin factor ``(2J+1)/((2s1+1)(2s2+1)) = 1/4``) with ``Gamma_ee = g^2 m_a beta/(8 pi)``
   (:func:`fipgen.models.alp.fermion_width`) integrated over ``E+`` gives the same coefficient
   (tests). alplib ``prod_xs.resonance_sigma`` uses ``12 pi/m_a^2`` (the spin-1 ``(2J+1) = 3``):
   its integral is ``3 beta^2`` times ours; ``resonance_peak = pi g^2/(2 m)`` is 2x ours at beta = 1.
   Yield: ``N_a = n_e sigma_0 dL/dE+(E_R)`` (:func:`resonant_yield_per_track_length`); the ALP carries
   the positron's four-momentum (E_a = E_R + m along the positron).

4. Associated ``e-(p1) e+(p2) -> gamma(q) a(k)`` (t and u channel electron exchange): crossing
   of the Compton-like process (photon to the final state, final electron to an initial positron: one
   crossed fermion, overall minus sign),
   ``T = (p1 - k)^2``, ``U = (p1 - q)^2 = 2 m^2 + m_a^2 - S - T``::

       sum|M|^2 = -e^2 g^2 M2C(U - m^2, T - m^2)
                = 4 e^2 g^2 [A/B + B/A + 2 - 2 m^2 m_a^2 (1/A^2 + 1/B^2) + 2 m_a^2 (S - 2 m^2)/(A B)],  A = U - m^2, B = T - m^2

   (checked against explicit Dirac matrices with the ``v``-spinor projector). CM:
   ``dsigma/dcos = <|M|^2> p_a/(16 pi S sqrt(S - 4 m^2))``, ``cos`` the ALP angle to the positron
   (the distribution is even in ``cos``). Total: closed form (:func:`associated_sigma`, *derived*); it
   behaves as ``1/(E+ - E_R)`` just above threshold (soft photon, radiative return onto the resonance of
   item 3): integrated over a positron spectrum it needs a soft-photon cut.
   Sampler: accept-reject with the envelope ``4 C0/(S - m_a^2) [1/(m^2 - T) + 1/(m^2 - U)]``,
   ``C0 = (S - m_a^2)^2 + 2 m_a^2 (S - 2 m^2)``, an upper bound since ``a + b = S - m_a^2`` for
   ``a = m^2 - U, b = m^2 - T``. alplib ``associated_dsigma_dcos_CM`` uses ``dt/dcos = 2 E1 E_a`` where
   ``2 p1 p_a`` is right (tests/reference give the numbers).

5. Bremsstrahlung ``e Z -> e Z a`` (per atom), Weizsacker-Williams (Kim and Tsai, PRD 8 (1973) 3109;
   Tsai, PRD 34 (1986) 1326: equation numbers not read). With ``x = E_a/E``, ``l = (E theta/m)^2``,
   ``f = m_a^2 (1 - x)/(m^2 x^2)``, ``U = m^2 x (1 + l + f)``::

       d2sigma/dx dOmega = (alpha^2 g^2/4 pi^2) beta_a (E^2/U^2) chi(l) B(x, U)
       B = x^3 - 2 m_a^2 x^2 (1 - x)/U + 2 m_a^2 [x m_a^2 (1 - x)^2 + m^2 x^3 (1 - x)]/U^2
       chi = int_tmin^tmax dt (t - tmin)/t^2 [Z^2 F(t)^2 + Z G_inel(t)],  tmin = [U/(2 E (1 - x))]^2

   ``B`` is Tsai's (as transcribed in alplib ``prod_xs.brem_dsigma_dea_domega``, whose ``U`` has
   ``m_e^2`` where ``m_a^2`` belongs) and equals, identically (sympy), the WW formula
   ``dsigma/dx dcos = (2 alpha chi/pi) E^2 x beta/(1-x) <|M|^2>/(16 pi s~^2)`` with the Compton-like
   ``M2C(s~, u~)``, ``s~ = U/(1 - x)``, ``u~ = -U``. The WW normalisation is fixed by the photon: the
   same formula with the QED Compton ``|M|^2`` and complete screening reproduces Bethe-Heitler
   ``(4 alpha r_e^2/k) [((4/3)(1 - y) + y^2) Z^2 ln(183 Z^-1/3) + (1 - y) Z^2/9]`` (y = k/E) exactly
   (tests/reference).
   ``tmax = m^2 (1 + l)^2 + m_a^2`` (choice: Tsai's ``m^2 (1+l)^2`` for m_a << m_e, the IWW
   ``m_a^2 + m^2`` of Bjorken et al. arXiv:0906.0580 at theta = 0 for heavy ALPs). ``G_inel`` is
   Tsai's (Rev. Mod. Phys. 46 (1974) 815, as quoted in arXiv:0906.0580):
   ``Z [a'^2 t/(1+a'^2 t)]^2 [(1 + t (mu_p^2 - 1)/(4 m_p^2))/(1 + t/0.71)^4]^2``, ``a' = 773 Z^(-2/3)/m_e``.
   Complete screening (``tmin -> 0``, ``tmax = m^2(1+l)^2``, ``d -> infinity``) integrates in closed
   form (*derived*)::

       dsigma/dx = (alpha^2 g^2 x beta/(4 pi m^2)) [ (Z^2 L + Z L') K(f) + (Z^2 + Z) J(f) ]
       K = (1 + 2f/3)/(1 + f)^2,  J = (4/3)[1/(1+f) + (1+f) ln(1+f)/f^2 - 1/f],
       L = 2 ln(111 Z^-1/3) - 1,  L' = 2 ln(773 Z^-2/3) - 1

   (:func:`brems_dsigma_dx_screened`); ``m_a -> 0``: ``2 r_e^2 alpha_a x [Z^2 ln(183 Z^-1/3) + Z ln(1274 Z^-2/3)]``.
   DISAGREEMENT with the integrated formula of alplib ``prod_xs.brem_dsigma_dea`` (attributed to Tsai
   1986): it equals ``K L + J/2`` (exactly: its second term is ``J/4 - K``), i.e. the angular
   integral of the same ``d2sigma/dx dOmega`` with ``tmax = m^2 (1+l)`` instead of ``m^2 (1+l)^2``; with
   the latter (which is what reproduces Bethe-Heitler for photons) it is 15 % low at m_a -> 0 (Fe) and 20-40 %
   low for m_a of a few m_e (tests/reference).

8. Paper conventions (docs/physics.md#paper-conventions-of-arxiv230703878). The public code of
   arXiv:2307.03878 (alplib, athompson-git/alplib: ``prod_xs.primakoff_sigma``,
   ``det_xs.iprimakoff_sigma``, ``fluxes.FluxResonanceIsotropic.resonance_peak``, read at its
   2023-04 tree and unchanged since in these functions) computes three of the cross sections
   differently. Each is a named variant, selected per run by the ALP's ``primakoff_xsec``,
   ``inverse_primakoff_xsec``, ``resonant_xsec`` (generator/models/params.py); none is the default,
   because each is an approximation or a normalisation this module's derivations contradict:

   * Massless Yukawa-screened Primakoff (:func:`primakoff_sigma_massless`, *derived* here): the
     ``m_a = 0`` limit of item 1 (``t0 = 0``, ``t1 = 4 E^2``) with the single screening factor
     ``F = t/(t + b)`` and no nuclear factor, integrated in closed form::

         sigma = g^2 alpha Z^2/(32 E^2) int_0^{4E^2} t (4E^2 - t)/(t + b)^2 dt
               = (g^2 alpha Z^2/4) [ (1/2 + 1/y) ln(1 + y) - 1 ],   y = 4 E^2/b = 4 eta^2,  eta = r0 E

     (the integral is ``(T + 2b) ln(1 + T/b) - 2T``, ``T = 4E^2``; below ``y = 1e-2`` its series
     ``y^2/12 - y^3/12 + 3 y^4/40 - ...``). This is the bracket of Creswick et al. (Phys. Lett. B 427 (1998) 235,
     as used by alplib; equation number not read) ``[((2 eta^2 + 1)/(4 eta^2)) ln(1 + 4 eta^2) - 1]``.
     With alplib's ``r0 = 2.2e-10 m`` (:data:`SCREENING_R0_ALPLIB_M`, ``b = 1/r0^2``; Tsai's atomic radius
     ``111 Z^-1/3/m_e`` is 1.45e-11 m for Fe) and the ALP mass kept only as a threshold ``E > m_a``.
     For ``E >> m_a`` and photon energies where the nuclear factor is 1 (``4 E^2 << d``) it is item 1
     with the screening ``b`` swapped (tests/test_alp_xsec.py); above, it keeps growing as
     ``ln E`` where Tsai's saturates, and it ignores ``t0 = (m_a^2/2E)^2``, which is what suppresses
     massive ALPs in item 1: at 50-100 MeV it is several to tens of times item 1 (the table in
     docs/physics.md).
   * alplib's Primakoff PRODUCTION cross section is twice the above: its prefactor
     ``(g Z)^2/(2 x 137)`` is Creswick's for the INVERSE process ``a A -> gamma A``
     (``g^2 alpha Z^2/2``), whose ``m_a = 0`` ratio to the production is the photon's 2
     polarisations (item 6: ``2 E^2/p^2 -> 2``). Variant ``"alplib"`` of
     :func:`primakoff_sigma_variant` is that factor 2 on top of ``"massless"``, so the two are reported
     separately.
   * alplib's inverse Primakoff (:func:`inverse_primakoff_sigma_alplib`): the same bracket with
     ``eta = r0 p`` and ``g^2 alpha Z^2/2`` (correct normalisation for the inverse process), no nuclear
     form factor, the mass only in ``p`` and the threshold.
   * Resonant ``e+ e- -> a`` (:func:`resonant_sigma_coefficient_alplib`): alplib's
     ``FluxResonanceIsotropic`` multiplies the positron track length per unit energy at ``E_R`` by
     ``2 pi m g^2/(m_a^2 beta)`` per electron where item 3 has ``pi g^2/(4 m beta)``: the ratio is
     ``8 m^2/m_a^2`` (0.005 at 20 MeV); its ``prod_xs.resonance_peak`` comments out ``pi g^2/(2 m)``.
   alplib writes ``alpha = 1/137``; the variants use alpha(0) (0.03 % apart).

Not here: the decays (generator/models/alp.py), incoherent Primakoff on atomic electrons,
the axio-electric effect, ALP pair conversion ``a Z -> e+ e- Z``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import JIT_OPTIONS
from ..constants import ALPHA_EM, HBARC_GEV_M
from .params import ALP_INVERSE_PRIMAKOFF_XSEC, ALP_PRIMAKOFF_XSEC, ALP_RESONANT_XSEC

__all__ = [
    "M_E", "M_P", "MU_P", "GEV2_TO_CM2", "GEV2_TO_M2", "to_cm2", "to_m2", "per_length",
    "screening_b", "nuclear_d", "tsai_form_factor", "tsai_form_factor_np",
    "primakoff_t_range", "primakoff_dsigma_dtheta", "primakoff_dsigma_dtheta_np", "primakoff_dsigma_dt",
    "primakoff_sigma", "inverse_primakoff_dsigma_dtheta", "inverse_primakoff_sigma",
    "compton_m2c", "compton_amp2", "compton_threshold", "compton_ea_range", "compton_dsigma_dea",
    "compton_dsigma_dea_np", "compton_sigma", "compton_cos_theta",
    "inverse_compton_amp2", "inverse_compton_egamma_range", "inverse_compton_dsigma_degamma",
    "inverse_compton_sigma", "inverse_compton_kinematics",
    "resonant_energy", "pair_beta", "breit_wigner_ee", "resonant_sigma_coefficient", "resonant_sigma_bw", "resonant_yield_per_track_length",
    "associated_amp2", "associated_threshold", "associated_dsigma_dcos", "associated_sigma",
    "associated_lab",
    "brems_chi", "brems_d2sigma_dx_dl", "brems_dsigma_dx", "brems_dsigma_dx_screened", "brems_x_range",
    "brems_sigma",
    "material_targets", "primakoff_per_length", "inverse_primakoff_per_length", "compton_per_length",
    "inverse_compton_per_length",
    "SCREENING_R0_ALPLIB_M", "PRIMAKOFF_XSEC_VARIANTS", "INVERSE_PRIMAKOFF_XSEC_VARIANTS", "RESONANT_XSEC_VARIANTS",
    "variant_code", "primakoff_sigma_massless", "primakoff_sigma_variant", "inverse_primakoff_sigma_alplib",
    "inverse_primakoff_sigma_variant", "resonant_sigma_coefficient_alplib",
]

_JIT = JIT_OPTIONS

#: Electron mass, GeV (PDG 2024 / CODATA 2022, the value of the ``particle`` package; a literal because
#: numba freezes globals; tests compare it with ``fipgen.constants.mass(11)``).
M_E = 0.51099895069e-3
#: Proton mass, GeV (PDG 2024 / CODATA 2022; checked against ``particle`` in the tests).
M_P = 0.93827208943
#: Proton magnetic moment in nuclear magnetons (CODATA 2018); enters only Tsai's inelastic form factor.
MU_P = 2.79284734463
_ALPHA = ALPHA_EM
#: (hbar c)^2 in cm^2 GeV^2: sigma[cm^2] = sigma[GeV^-2] * GEV2_TO_CM2 (0.3894 mb GeV^2).
GEV2_TO_CM2 = (HBARC_GEV_M * 1e2) ** 2
#: (hbar c)^2 in m^2 GeV^2.
GEV2_TO_M2 = HBARC_GEV_M**2

# Tsai's form-factor coefficients (docs/physics.md#alp-cross-sections; Tsai 1974/1986).
_A_ATOM = 111.0
_A_INEL = 773.0
_D_NUC = 0.164
_INEL_CP = (MU_P * MU_P - 1.0) / (4.0 * M_P * M_P)

_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)
_GL8_X, _GL8_W = np.polynomial.legendre.leggauss(8)


def to_cm2(sigma):
    """Cross section GeV^-2 -> cm^2."""
    return np.asarray(sigma, dtype=np.float64) * GEV2_TO_CM2 if np.ndim(sigma) else float(sigma) * GEV2_TO_CM2


def to_m2(sigma):
    """Cross section GeV^-2 -> m^2."""
    return np.asarray(sigma, dtype=np.float64) * GEV2_TO_M2 if np.ndim(sigma) else float(sigma) * GEV2_TO_M2


def per_length(sigma, density):
    """Interactions per metre: ``density`` (per m^3) x ``sigma`` (GeV^-2)."""
    return to_m2(sigma) * density


# ---------------------------------------------------------------------------------------------
# Form factors
# ---------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def screening_b(Z):  # pragma: no cover - compiled
    """``b = 1/a^2`` (GeV^2) of the atomic screening, ``a = 111 Z^(-1/3)/m_e``."""
    r = M_E * Z ** (1.0 / 3.0) / _A_ATOM
    return r * r


@numba.njit(**_JIT)
def nuclear_d(A):  # pragma: no cover - compiled
    """``d = 0.164 A^(-2/3)`` GeV^2 of the nuclear form factor."""
    return _D_NUC * A ** (-2.0 / 3.0)


@numba.njit(**_JIT)
def tsai_form_factor(t, Z, A):  # pragma: no cover - compiled
    """Elastic form factor ``F(t) = [a^2 t/(1 + a^2 t)] / (1 + t/d)`` (t = -q^2 >= 0, GeV^2)."""
    b = screening_b(Z)
    return t / (t + b) / (1.0 + t / nuclear_d(A))


def tsai_form_factor_np(t, Z, A):
    """numpy reference of :func:`tsai_form_factor`, written with ``a`` and ``d`` as in Dobrich et al. arXiv:1512.03069."""
    t = np.asarray(t, dtype=np.float64)
    a = 111.0 * Z ** (-1.0 / 3.0) / M_E
    d = 0.164 * A ** (-2.0 / 3.0)
    return (a * a * t / (1.0 + a * a * t)) * (1.0 / (1.0 + t / d))


@numba.njit(**_JIT)
def _screened_integral(t0, t1, b, d, upper):  # pragma: no cover - compiled
    """``int_t0^t1 (t - t0) w(t) / [(t + b)^2 (1 + t/d)^2] dt``, ``w = t1 - t`` (upper) or 1.

    Composite 16-point Gauss-Legendre in ``v = ln(t + b)``, segments of width <= 1.5 and a break at
    ``t = d``; ``t - t0`` and ``t1 - t`` via ``expm1`` (no cancellation for tiny ``t0``).
    """
    if not t1 > t0:
        return 0.0
    v0 = math.log(t0 + b)
    v1 = math.log(t1 + b)
    vd = math.log(d + b)
    total = 0.0
    for part in range(2):
        lo = v0 if part == 0 else max(v0, min(vd, v1))
        hi = max(v0, min(vd, v1)) if part == 0 else v1
        if not hi > lo:
            continue
        nseg = int(math.ceil((hi - lo) / 1.5))
        h = (hi - lo) / nseg
        for k in range(nseg):
            a_ = lo + k * h
            for i in range(_GL_X.shape[0]):
                v = a_ + 0.5 * h * (_GL_X[i] + 1.0)
                ev = math.exp(v)
                t = ev - b
                tm = (t0 + b) * math.expm1(v - v0)
                w = -(t1 + b) * math.expm1(v - v1) if upper else 1.0
                q = 1.0 + t / d
                total += 0.5 * h * _GL_W[i] * tm * w / (ev * q * q)
    return total


# ---------------------------------------------------------------------------------------------
# 1. Primakoff gamma A -> a A and 6. inverse Primakoff a A -> gamma A
# ---------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def primakoff_t_range(E, m_a):  # pragma: no cover - compiled
    """``(t0, t1) = ((E - p)^2, (E + p)^2)`` (GeV^2) for energy E, ALP momentum p; (0, 0) below threshold."""
    if not E > m_a:
        return 0.0, 0.0
    p = math.sqrt((E - m_a) * (E + m_a))
    r = m_a * m_a / (E + p)
    return r * r, (E + p) * (E + p)


@numba.njit(**_JIT)
def primakoff_dsigma_dtheta(theta, E, m_a, g, Z, A):  # pragma: no cover - compiled
    """Primakoff ``dsigma/dtheta`` (GeV^-2 rad^-1) per atom: photon energy E (GeV), ALP angle theta.

    ``(1/4) g^2 alpha Z^2 F^2 E p^3 sin^3/t^2`` (module docstring, item 1: ``E p^3``, not ``p^4``).
    """
    if not E > m_a:
        return 0.0
    p = math.sqrt((E - m_a) * (E + m_a))
    r = m_a * m_a / (E + p)
    sh = math.sin(0.5 * theta)
    t = r * r + 4.0 * E * p * sh * sh
    ff = tsai_form_factor(t, Z, A)
    s = math.sin(theta)
    return 0.25 * g * g * _ALPHA * Z * Z * ff * ff * E * p**3 * s**3 / (t * t)


def primakoff_dsigma_dtheta_np(theta, E, m_a, g, Z, A):
    """numpy reference of :func:`primakoff_dsigma_dtheta` (arXiv:1512.03069's ``t = E^2 + p^2 - 2 E p cos`` written
    without its cancellation as ``(E - p)^2 + 2 E p (1 - cos)`` with ``E - p = m_a^2/(E + p)``)."""
    theta = np.asarray(theta, dtype=np.float64)
    p = np.sqrt(max(E * E - m_a * m_a, 0.0))
    t = (m_a * m_a / (E + p)) ** 2 + 2.0 * E * p * (2.0 * np.sin(0.5 * theta) ** 2)
    ff = tsai_form_factor_np(t, Z, A)
    return np.where(E > m_a, 0.25 * g**2 * _ALPHA * Z**2 * ff**2 * E * p**3 * np.sin(theta) ** 3 / t**2, 0.0)


@numba.njit(**_JIT)
def primakoff_dsigma_dt(t, E, m_a, g, Z, A):  # pragma: no cover - compiled
    """Primakoff ``dsigma/dt`` (GeV^-4), ``t = |q^2|`` in ``[t0, t1]``: ``g^2 alpha Z^2/(32 E^2) F^2 (t-t0)(t1-t)/t^2``."""
    t0, t1 = primakoff_t_range(E, m_a)
    if not (t > t0 and t < t1):
        return 0.0
    b = screening_b(Z)
    q = 1.0 + t / nuclear_d(A)
    return g * g * _ALPHA * Z * Z / (32.0 * E * E) * (t - t0) * (t1 - t) / ((t + b) * (t + b) * q * q)


@numba.njit(**_JIT)
def primakoff_sigma(E, m_a, g, Z, A):  # pragma: no cover - compiled
    """Total Primakoff cross section per atom (GeV^-2) for a photon of energy E (GeV)."""
    t0, t1 = primakoff_t_range(E, m_a)
    if not t1 > t0:
        return 0.0
    return g * g * _ALPHA * Z * Z / (32.0 * E * E) * _screened_integral(t0, t1, screening_b(Z), nuclear_d(A), True)


@numba.njit(**_JIT)
def inverse_primakoff_dsigma_dtheta(theta, E, m_a, g, Z, A):  # pragma: no cover - compiled
    """Inverse Primakoff ``dsigma/dtheta`` (GeV^-2 rad^-1) per atom, ALP energy E, photon angle theta.

    ``(2 E^2/p^2)`` times :func:`primakoff_dsigma_dtheta` (detailed balance, module docstring item 6).
    """
    if not E > m_a:
        return 0.0
    return 2.0 * E * E / ((E - m_a) * (E + m_a)) * primakoff_dsigma_dtheta(theta, E, m_a, g, Z, A)


@numba.njit(**_JIT)
def inverse_primakoff_sigma(E, m_a, g, Z, A):  # pragma: no cover - compiled
    """Total inverse Primakoff cross section per atom (GeV^-2), ALP energy E (GeV)."""
    if not E > m_a:
        return 0.0
    return 2.0 * E * E / ((E - m_a) * (E + m_a)) * primakoff_sigma(E, m_a, g, Z, A)


# ---------------------------------------------------------------------------------------------
# 8. Paper conventions (alplib, the code of arXiv:2307.03878): Primakoff variants
# ---------------------------------------------------------------------------------------------

#: Screening radius (m) of alplib's massless Primakoff formulas (``r0`` of Creswick et al.; module
#: docstring, item 8).
SCREENING_R0_ALPLIB_M = 2.2e-10
_R0_ALPLIB = SCREENING_R0_ALPLIB_M / HBARC_GEV_M  # GeV^-1
_B_ALPLIB = 1.0 / (_R0_ALPLIB * _R0_ALPLIB)  # GeV^2
#: Names of the Primakoff production variants (codes 0, 1, 2 of :func:`primakoff_sigma_variant`).
PRIMAKOFF_XSEC_VARIANTS = ALP_PRIMAKOFF_XSEC
#: Names of the inverse Primakoff variants (codes 0, 1 of :func:`inverse_primakoff_sigma_variant`).
INVERSE_PRIMAKOFF_XSEC_VARIANTS = ALP_INVERSE_PRIMAKOFF_XSEC
#: Names of the resonant variants (``"spin-0"``: :func:`resonant_sigma_coefficient`).
RESONANT_XSEC_VARIANTS = ALP_RESONANT_XSEC


def variant_code(name, variants):
    """Index of ``name`` in ``variants`` (ValueError naming the allowed ones)."""
    if name not in variants:
        raise ValueError(f"unknown cross-section variant {name!r}; allowed: {', '.join(variants)}")
    return variants.index(name)


@numba.njit(**_JIT)
def _yukawa_bracket(y):  # pragma: no cover - compiled
    """``(1/2 + 1/y) ln(1 + y) - 1``; below y = 1e-2 its series
    ``sum_k>=2 (-1)^(k+1) (1/(2k) - 1/(k+1)) y^k = y^2/12 - y^3/12 + 3 y^4/40 - ...`` to k = 10."""
    if y < 1e-2:
        s = 0.0
        for k in range(10, 1, -1):
            s = s * y + (1.0 if k % 2 == 1 else -1.0) * (1.0 / (2.0 * k) - 1.0 / (k + 1.0))
        return s * y * y
    return (0.5 + 1.0 / y) * math.log1p(y) - 1.0


@numba.njit(**_JIT)
def primakoff_sigma_massless(E, m_a, g, Z, b):  # pragma: no cover - compiled
    """Massless Yukawa-screened Primakoff production per atom (GeV^-2), no nuclear form factor.

    ``(g^2 alpha Z^2/4) [(1/2 + 1/y) ln(1 + y) - 1]``, ``y = 4 E^2/b`` (``b`` GeV^2: the screening
    ``F = t/(t + b)``), for ``E > m_a``, else 0 (module docstring, item 8).
    """
    if not E > m_a:
        return 0.0
    return 0.25 * g * g * _ALPHA * Z * Z * _yukawa_bracket(4.0 * E * E / b)


@numba.njit(**_JIT)
def primakoff_sigma_variant(E, m_a, g, Z, A, variant):  # pragma: no cover - compiled
    """Primakoff production per atom (GeV^-2) in variant ``variant`` of :data:`PRIMAKOFF_XSEC_VARIANTS`:
    0 :func:`primakoff_sigma` (Tsai, default), 1 :func:`primakoff_sigma_massless` with alplib's
    ``r0``, 2 twice that (alplib's normalisation; module docstring, item 8)."""
    if variant == 0:
        return primakoff_sigma(E, m_a, g, Z, A)
    s = primakoff_sigma_massless(E, m_a, g, Z, _B_ALPLIB)
    return s if variant == 1 else 2.0 * s


@numba.njit(**_JIT)
def inverse_primakoff_sigma_alplib(E, m_a, g, Z):  # pragma: no cover - compiled
    """alplib's inverse Primakoff per atom (GeV^-2), ALP energy E: ``(g^2 alpha Z^2/2) [(1/2 + 1/y) ln(1 + y) - 1]``,
    ``y = 4 r0^2 p^2``, ``r0`` = :data:`SCREENING_R0_ALPLIB_M`, for ``E > m_a`` (module docstring, item 8)."""
    if not E > m_a:
        return 0.0
    p2 = (E - m_a) * (E + m_a)
    return 0.5 * g * g * _ALPHA * Z * Z * _yukawa_bracket(4.0 * p2 / _B_ALPLIB)


@numba.njit(**_JIT)
def inverse_primakoff_sigma_variant(E, m_a, g, Z, A, variant):  # pragma: no cover - compiled
    """Inverse Primakoff per atom (GeV^-2): 0 :func:`inverse_primakoff_sigma` (default), 1 alplib's."""
    if variant == 0:
        return inverse_primakoff_sigma(E, m_a, g, Z, A)
    return inverse_primakoff_sigma_alplib(E, m_a, g, Z)


# ---------------------------------------------------------------------------------------------
# 2. Compton-like gamma e -> a e and 7. inverse Compton a e -> gamma e
# ---------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def compton_m2c(S, U, m_a):  # pragma: no cover - compiled
    """``sum|M|^2 / (e^2 g^2)`` of gamma e -> a e with ``S = s - m^2``, ``U = u - m^2`` (symmetric in S, U)."""
    m2 = M_E * M_E
    ma2 = m_a * m_a
    su = S * U
    return -4.0 * ((su - 2.0 * m2 * ma2) * (S * S + U * U) / (su * su) + 2.0 * (su + ma2 * ma2 - ma2 * (S + U + 2.0 * m2)) / su)


@numba.njit(**_JIT)
def compton_amp2(s, u, m_a, g):  # pragma: no cover - compiled
    """Spin-averaged ``|M|^2`` (1/4 of the sum) of gamma e -> a e, Mandelstam s, u in GeV^2."""
    return math.pi * _ALPHA * g * g * compton_m2c(s - M_E * M_E, u - M_E * M_E, m_a)


@numba.njit(**_JIT)
def compton_threshold(m_a):  # pragma: no cover - compiled
    """Photon energy (GeV) where ``s = (m + m_a)^2``: ``m_a (2 m + m_a)/(2 m)``."""
    return m_a * (2.0 * M_E + m_a) / (2.0 * M_E)


@numba.njit(**_JIT)
def _lab_two_body(Ein, m_in, m3, m4):  # pragma: no cover - compiled
    """Projectile (energy Ein, mass m_in) on an electron at rest -> particle 3 (m3) + 4 (m4).

    Returns (s, E3 min, E3 max) in the lab; E3 max < 0 when closed.
    """
    s = m_in * m_in + M_E * M_E + 2.0 * Ein * M_E
    rs = math.sqrt(s)
    lam = (s - (m3 + m4) ** 2) * (s - (m3 - m4) ** 2)
    if s < (m3 + m4) ** 2 or lam < 0.0 or Ein < m_in:
        return s, -1.0, -1.0
    e3 = (s + m3 * m3 - m4 * m4) / (2.0 * rs)
    p3 = math.sqrt(lam) / (2.0 * rs)
    gam = (Ein + M_E) / rs
    bg = math.sqrt(max((Ein - m_in) * (Ein + m_in), 0.0)) / rs
    return s, gam * e3 - bg * p3, gam * e3 + bg * p3


@numba.njit(**_JIT)
def compton_ea_range(E_g, m_a):  # pragma: no cover - compiled
    """(E_a min, E_a max) in GeV of gamma e -> a e at photon energy E_g; (-1, -1) below threshold."""
    s, lo, hi = _lab_two_body(E_g, 0.0, m_a, M_E)
    return lo, hi


@numba.njit(**_JIT)
def compton_dsigma_dea(E_a, E_g, m_a, g):  # pragma: no cover - compiled
    """Compton-like ``dsigma/dE_a`` per electron (GeV^-3): ``m <|M|^2>/(8 pi (s - m^2)^2)``."""
    lo, hi = compton_ea_range(E_g, m_a)
    if not (E_a >= lo and E_a <= hi and hi > 0.0):
        return 0.0
    S = 2.0 * M_E * E_g
    U = m_a * m_a - 2.0 * M_E * E_a
    return M_E * 0.25 * 4.0 * math.pi * _ALPHA * g * g * compton_m2c(S, U, m_a) / (8.0 * math.pi * S * S)


def compton_dsigma_dea_np(E_a, E_g, m_a, g):
    """numpy reference: the ``dsigma/dE_a`` of docs/physics.md#alp-cross-sections in the ``x`` form (Brodsky et al. 1986), with the
    kinematic limits on ``x`` of alplib's ``compton_dsigma_dea``."""
    E_a = np.asarray(E_a, dtype=np.float64)
    m = M_E
    aa = g * g / (4.0 * np.pi)
    s = m * m + 2.0 * m * E_g
    x = 1.0 - E_a / E_g + m_a**2 / (2.0 * E_g * m)
    root = np.sqrt(max((s - m * m + m_a**2) ** 2 - 4.0 * s * m_a**2, 0.0))
    xmin = (s - m * m + m_a**2 - root) / (2.0 * s)
    xmax = (s - m * m + m_a**2 + root) / (2.0 * s)
    with np.errstate(divide="ignore", invalid="ignore"):
        val = np.pi * _ALPHA * aa / (E_g * (s - m * m)) * x / (1.0 - x) * (
            -2.0 * m_a**2 / (s - m * m) ** 2 * (s - m * m / (1.0 - x) - m_a**2 / x) + x)
    ok = (x >= xmin) & (x <= xmax) & (s > (m + m_a) ** 2)
    return np.where(ok, val, 0.0)


@numba.njit(**_JIT)
def _m2c_primitive(U, S, m_a):  # pragma: no cover - compiled
    """Antiderivative in U of :func:`compton_m2c` at fixed S (valid for U < 0); derived with sympy."""
    m2 = M_E * M_E
    ma2 = m_a * m_a
    return 2.0 * (-4.0 * m2 * ma2 / U - U * U / S
                  - 2.0 / S * (S * S - 2.0 * S * ma2 - 4.0 * m2 * ma2 + 2.0 * ma2 * ma2) * math.log(-U)
                  + 4.0 * U * (-S * S + S * ma2 + m2 * ma2) / (S * S))


@numba.njit(**_JIT)
def _m2c_w_integral(S, wlo, whi, m_a):  # pragma: no cover - compiled
    """``int_wlo^whi compton_m2c(S, -W) dW`` (0 < wlo < whi): closed form, or 64-point Gauss-Legendre when the
    interval is narrow (``whi - wlo < whi/4``: low energies, thresholds), where the closed form cancels."""
    if not whi > wlo:
        return 0.0
    if whi - wlo >= 0.25 * whi:
        return _m2c_primitive(-wlo, S, m_a) - _m2c_primitive(-whi, S, m_a)
    h = (whi - wlo) / 4.0
    total = 0.0
    for k in range(4):
        for i in range(_GL_X.shape[0]):
            w = wlo + k * h + 0.5 * h * (_GL_X[i] + 1.0)
            total += 0.5 * h * _GL_W[i] * compton_m2c(S, -w, m_a)
    return total


@numba.njit(**_JIT)
def compton_sigma(E_g, m_a, g):  # pragma: no cover - compiled
    """Total Compton-like cross section per electron (GeV^-2), photon energy E_g (closed form)."""
    lo, hi = compton_ea_range(E_g, m_a)
    if not hi > 0.0:
        return 0.0
    S = 2.0 * M_E * E_g
    # int dE_a = int dW/(2m), W = 2 m E_a - m_a^2 = -U: sigma = m/(8 pi S^2) * pi alpha g^2 * int M2C dW/(2m)
    wlo = 2.0 * M_E * lo - m_a * m_a
    whi = 2.0 * M_E * hi - m_a * m_a
    return _ALPHA * g * g / (16.0 * S * S) * _m2c_w_integral(S, wlo, whi, m_a)


@numba.njit(**_JIT)
def compton_cos_theta(E_a, E_g, m_a):  # pragma: no cover - compiled
    """Lab cosine of the ALP (to the photon) at ALP energy E_a: ``[E_a (E_g + m) - m E_g - m_a^2/2]/(E_g p_a)``."""
    pa = math.sqrt(max((E_a - m_a) * (E_a + m_a), 0.0))
    c = (E_a * (E_g + M_E) - M_E * E_g - 0.5 * m_a * m_a) / (E_g * pa)
    return min(max(c, -1.0), 1.0)


@numba.njit(**_JIT)
def inverse_compton_amp2(s, u, m_a, g):  # pragma: no cover - compiled
    """Spin-averaged ``|M|^2`` (1/2 of the sum) of a e -> gamma e, ``s = (p + k_a)^2``, ``u = (p - k_gamma)^2``."""
    return 2.0 * math.pi * _ALPHA * g * g * compton_m2c(s - M_E * M_E, u - M_E * M_E, m_a)


@numba.njit(**_JIT)
def inverse_compton_egamma_range(E_a, m_a):  # pragma: no cover - compiled
    """(E_gamma min, E_gamma max) in GeV of a e -> gamma e at ALP energy E_a; (-1, -1) if E_a <= m_a."""
    s, lo, hi = _lab_two_body(E_a, m_a, 0.0, M_E)
    return lo, hi


@numba.njit(**_JIT)
def inverse_compton_dsigma_degamma(E_gamma, E_a, m_a, g):  # pragma: no cover - compiled
    """Inverse Compton ``dsigma/dE_gamma`` per electron (GeV^-3): ``<|M|^2>/(32 pi m p_a^2)``."""
    lo, hi = inverse_compton_egamma_range(E_a, m_a)
    if not (E_gamma >= lo and E_gamma <= hi and hi > 0.0):
        return 0.0
    pa2 = (E_a - m_a) * (E_a + m_a)
    S = 2.0 * M_E * E_a + m_a * m_a
    U = -2.0 * M_E * E_gamma
    return 0.5 * 4.0 * math.pi * _ALPHA * g * g * compton_m2c(S, U, m_a) / (32.0 * math.pi * M_E * pa2)


@numba.njit(**_JIT)
def inverse_compton_sigma(E_a, m_a, g):  # pragma: no cover - compiled
    """Total inverse Compton cross section per electron (GeV^-2), ALP energy E_a (closed form)."""
    lo, hi = inverse_compton_egamma_range(E_a, m_a)
    if not hi > 0.0:
        return 0.0
    pa2 = (E_a - m_a) * (E_a + m_a)
    S = 2.0 * M_E * E_a + m_a * m_a
    # W = -U = 2 m E_gamma: sigma = 2 pi alpha g^2/(32 pi m pa2) int M2C dW/(2m)
    return _ALPHA * g * g / (32.0 * M_E * M_E * pa2) * _m2c_w_integral(S, 2.0 * M_E * lo, 2.0 * M_E * hi, m_a)


@numba.njit(**_JIT)
def inverse_compton_kinematics(E_gamma, E_a, m_a):  # pragma: no cover - compiled
    """(cos theta_gamma, E_e, cos theta_e) in the lab, angles to the ALP direction, E_e total (GeV)."""
    pa = math.sqrt(max((E_a - m_a) * (E_a + m_a), 0.0))
    S = 2.0 * M_E * E_a + m_a * m_a
    cg = min(max((M_E + E_a - S / (2.0 * E_gamma)) / pa, -1.0), 1.0)
    ee = M_E + E_a - E_gamma
    pz = pa - E_gamma * cg
    pt = E_gamma * math.sqrt(max(1.0 - cg * cg, 0.0))
    pe = math.sqrt(pz * pz + pt * pt)
    ce = pz / pe if pe > 0.0 else 1.0
    return cg, ee, ce


# ---------------------------------------------------------------------------------------------
# 3. Resonant e+ e- -> a
# ---------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def resonant_energy(m_a):  # pragma: no cover - compiled
    """Total positron energy (GeV) of resonant production on an electron at rest: ``(m_a^2 - 2 m^2)/(2 m)``."""
    return (m_a * m_a - 2.0 * M_E * M_E) / (2.0 * M_E)


@numba.njit(**_JIT)
def pair_beta(M):  # pragma: no cover - compiled
    """Velocity of an electron of the pair in the rest frame of a particle of mass M > 2m: ``sqrt(1 - 4 m^2/M^2)``."""
    return math.sqrt((1.0 - 2.0 * M_E / M) * (1.0 + 2.0 * M_E / M))


@numba.njit(**_JIT)
def breit_wigner_ee(E_pos, M, gee, spin_factor, width):  # pragma: no cover - compiled
    """``e+ e- -> X`` per electron at rest (GeV^-2), total positron energy ``E_pos``: the resonance
    formula of the PDG Review of Particle Physics ("Cross-section formulae for specific processes")
    ``spin_factor (4 pi/k^2)(Gamma_ee Gamma/4)/((sqrt s - M)^2 + Gamma^2/4)``, ``spin_factor =
    (2J+1)/4`` (1/4 spin 0, 3/4 spin 1), ``k`` the CM momentum, ``gee = Gamma(X -> e e)``,
    ``width`` the total width (GeV); 0 below threshold."""
    if not M > 2.0 * M_E:
        return 0.0
    s = 2.0 * M_E * M_E + 2.0 * M_E * E_pos
    k2 = 0.25 * s - M_E * M_E
    if not k2 > 0.0:
        return 0.0
    dm = math.sqrt(s) - M
    return spin_factor * 4.0 * math.pi / k2 * 0.25 * gee * width / (dm * dm + 0.25 * width * width)


@numba.njit(**_JIT)
def resonant_sigma_coefficient(m_a, g):  # pragma: no cover - compiled
    """``sigma_0`` (GeV^-1) of ``sigma = sigma_0 delta(E+ - E_R)``: ``pi g^2/(4 m beta)``, 0 if m_a <= 2 m."""
    if not m_a > 2.0 * M_E:
        return 0.0
    return math.pi * g * g / (4.0 * M_E * pair_beta(m_a))


@numba.njit(**_JIT)
def resonant_sigma_bw(E_pos, m_a, g, width):  # pragma: no cover - compiled
    """Spin-0 Breit-Wigner e+ e- -> a per electron (GeV^-2), total positron energy E_pos, total ALP width (GeV).

    ``(pi/k^2)(Gamma_ee Gamma/4)/((sqrt s - m_a)^2 + Gamma^2/4)``, ``Gamma_ee = g^2 m_a beta/(8 pi)``, k the CM
    momentum; its integral over E_pos is :func:`resonant_sigma_coefficient` (narrow width).
    """
    if not m_a > 2.0 * M_E:
        return 0.0
    return breit_wigner_ee(E_pos, m_a, g * g * m_a * pair_beta(m_a) / (8.0 * math.pi), 0.25, width)


@numba.njit(**_JIT)
def resonant_sigma_coefficient_alplib(m_a, g):  # pragma: no cover - compiled
    """alplib's resonant coefficient (GeV^-1) per electron: ``2 pi m g^2/(m_a^2 beta)``, ``8 m^2/m_a^2`` times
    :func:`resonant_sigma_coefficient` (module docstring, item 8); 0 if m_a <= 2 m."""
    if not m_a > 2.0 * M_E:
        return 0.0
    return 2.0 * math.pi * M_E * g * g / (m_a * m_a * pair_beta(m_a))


def resonant_yield_per_track_length(m_a, g, electron_density, variant="spin-0"):
    """ALPs per (positron track length per unit energy at E_R): ``n_e sigma_0 (hbar c)^2`` in GeV m^-1.

    ``N_a = resonant_yield_per_track_length(...) * dL/dE+ (E_R)`` with dL/dE+ in m/GeV (per POT, per
    shower, ...): the positron track-length density at :func:`resonant_energy` (total energy).
    ``electron_density`` per m^3 (``Material.electron_density``). ``variant`` one of
    :data:`RESONANT_XSEC_VARIANTS`: ``"spin-0"`` (:func:`resonant_sigma_coefficient`, default) or
    ``"alplib"`` (:func:`resonant_sigma_coefficient_alplib`).
    """
    coef = (resonant_sigma_coefficient if variant_code(variant, RESONANT_XSEC_VARIANTS) == 0
            else resonant_sigma_coefficient_alplib)
    return float(electron_density) * coef(m_a, g) * GEV2_TO_M2


# ---------------------------------------------------------------------------------------------
# 4. Associated e+ e- -> a gamma
# ---------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def associated_amp2(S, T, m_a, g):  # pragma: no cover - compiled
    """Spin-averaged ``|M|^2`` of e- e+ -> gamma a, ``S = (p1 + p2)^2``, ``T = (p1 - k_a)^2`` (GeV^2)."""
    m2 = M_E * M_E
    U = 2.0 * m2 + m_a * m_a - S - T
    return -math.pi * _ALPHA * g * g * compton_m2c(U - m2, T - m2, m_a)


@numba.njit(**_JIT)
def associated_threshold(m_a):  # pragma: no cover - compiled
    """Lowest total positron energy (GeV) for e+ e- -> a gamma on an electron at rest."""
    return max(resonant_energy(m_a), M_E)


@numba.njit(**_JIT)
def _assoc_cm(E_pos, m_a):  # pragma: no cover - compiled
    """(S, p1*, E_a*, p_a*) in the CM; p_a* <= 0 when closed."""
    S = 2.0 * M_E * (E_pos + M_E)
    rs = math.sqrt(S)
    p1 = math.sqrt(max(0.25 * S - M_E * M_E, 0.0))
    ea = (S + m_a * m_a) / (2.0 * rs)
    pa = (S - m_a * m_a) / (2.0 * rs)
    return S, p1, ea, pa


@numba.njit(**_JIT)
def associated_dsigma_dcos(cos_cm, E_pos, m_a, g):  # pragma: no cover - compiled
    """``dsigma/dcos theta*`` per electron (GeV^-2), theta* the CM angle of the ALP to the positron."""
    S, p1, ea, pa = _assoc_cm(E_pos, m_a)
    if not (pa > 0.0 and p1 > 0.0) or cos_cm < -1.0 or cos_cm > 1.0:
        return 0.0
    e1 = 0.5 * math.sqrt(S)
    T = M_E * M_E + m_a * m_a - 2.0 * (e1 * ea - p1 * pa * cos_cm)
    return associated_amp2(S, T, m_a, g) * pa / (16.0 * math.pi * S * math.sqrt(S - 4.0 * M_E * M_E))


@numba.njit(**_JIT)
def _assoc_primitive(T, S, m_a):  # pragma: no cover - compiled
    """Antiderivative in T of ``-compton_m2c(U - m^2, T - m^2)`` (derived with sympy)."""
    m2 = M_E * M_E
    ma2 = m_a * m_a
    A = m2 + ma2 - S - T  # U - m^2
    B = T - m2
    return 4.0 * (-2.0 * m2 * ma2 * (1.0 / A - 1.0 / B)
                  + (S * S - 4.0 * m2 * ma2 + ma2 * ma2) / (S - ma2) * math.log(A / B))


@numba.njit(**_JIT)
def associated_sigma(E_pos, m_a, g):  # pragma: no cover - compiled
    """Total e+ e- -> a gamma cross section per electron (GeV^-2), total positron energy E_pos (closed form).

    Grows as ``1/(E_pos - E_R)`` above the threshold :func:`resonant_energy` (soft photon: radiative return
    onto the resonance), so its integral over a positron spectrum diverges logarithmically at E_R: use
    a lower cut (e.g. on the photon energy, or ``E_pos - E_R``) and count the soft region with the resonant
    channel. The closed form is accurate to 1e-7 down to ``E_pos/E_R - 1 = 1e-8`` (tests).
    """
    S, p1, ea, pa = _assoc_cm(E_pos, m_a)
    if not (pa > 0.0 and p1 > 0.0):
        return 0.0
    e1 = 0.5 * math.sqrt(S)
    tlo = M_E * M_E + m_a * m_a - 2.0 * (e1 * ea + p1 * pa)
    thi = M_E * M_E + m_a * m_a - 2.0 * (e1 * ea - p1 * pa)
    return _ALPHA * g * g / (16.0 * S * (S - 4.0 * M_E * M_E)) * (_assoc_primitive(thi, S, m_a) - _assoc_primitive(tlo, S, m_a))


@numba.njit(**_JIT)
def associated_lab(cos_cm, E_pos, m_a):  # pragma: no cover - compiled
    """(E_a, cos theta_a) in the lab (GeV; angle to the positron) from the CM cosine."""
    S, p1, ea, pa = _assoc_cm(E_pos, m_a)
    rs = math.sqrt(S)
    gam = (E_pos + M_E) / rs
    bg = math.sqrt(max((E_pos - M_E) * (E_pos + M_E), 0.0)) / rs
    e_lab = gam * ea + bg * pa * cos_cm
    pz = gam * pa * cos_cm + bg * ea
    pt = pa * math.sqrt(max(1.0 - cos_cm * cos_cm, 0.0))
    return e_lab, pz / math.sqrt(pz * pz + pt * pt)


# ---------------------------------------------------------------------------------------------
# 5. ALP bremsstrahlung e Z -> e Z a
# ---------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def _inelastic_integral(t0, t1, bp):  # pragma: no cover - compiled
    """``int_t0^t1 (t - t0)/t^2 [t/(t+b')]^2 [(1 + c_p t)/(1 + t/0.71)^4]^2 dt`` (8-point GL in ln(t + b'))."""
    if not t1 > t0:
        return 0.0
    v0 = math.log(t0 + bp)
    v1 = math.log(t1 + bp)
    nseg = int(math.ceil((v1 - v0) / 1.5))
    h = (v1 - v0) / nseg
    total = 0.0
    for k in range(nseg):
        for i in range(_GL8_X.shape[0]):
            v = v0 + k * h + 0.5 * h * (_GL8_X[i] + 1.0)
            ev = math.exp(v)
            t = ev - bp
            tm = (t0 + bp) * math.expm1(v - v0)
            q = 1.0 + t / 0.71
            q4 = q * q * q * q
            fp = (1.0 + _INEL_CP * t) / q4
            total += 0.5 * h * _GL8_W[i] * tm * fp * fp / ev
    return total


@numba.njit(**_JIT)
def brems_chi(tmin, tmax, Z, A):  # pragma: no cover - compiled
    """Photon flux factor ``chi = int (t - tmin)/t^2 [Z^2 F^2 + G_inel] dt`` (dimensionless, Tsai form factors)."""
    if not tmax > tmin:
        return 0.0
    el = Z * Z * _screened_integral(tmin, tmax, screening_b(Z), nuclear_d(A), False)
    r = M_E * Z ** (2.0 / 3.0) / _A_INEL
    return el + Z * _inelastic_integral(tmin, tmax, r * r)


@numba.njit(**_JIT)
def brems_x_range(E, m_a):  # pragma: no cover - compiled
    """(x min, x max) = (m_a/E, 1 - m_e/E) of ALP bremsstrahlung by an electron of total energy E."""
    return m_a / E, 1.0 - M_E / E


@numba.njit(**_JIT)
def brems_d2sigma_dx_dl(x, l, E, m_a, g, Z, A):  # pragma: no cover - compiled
    """``d2sigma/dx dl`` per atom (GeV^-2), ``l = (E theta/m)^2``: ``pi m^2/E^2`` times ``d2sigma/dx dOmega``."""
    xlo, xhi = brems_x_range(E, m_a)
    if not (x > xlo and x < xhi):
        return 0.0
    m2 = M_E * M_E
    ma2 = m_a * m_a
    f = ma2 * (1.0 - x) / (m2 * x * x)
    U = m2 * x * (1.0 + l + f)
    tmin = (U / (2.0 * E * (1.0 - x))) ** 2
    tmax = m2 * (1.0 + l) ** 2 + ma2
    chi = brems_chi(tmin, tmax, Z, A)
    bracket = x**3 - 2.0 * ma2 * x * x * (1.0 - x) / U + 2.0 * ma2 * (x * ma2 * (1.0 - x) ** 2 + m2 * x**3 * (1.0 - x)) / (U * U)
    beta = math.sqrt(max(1.0 - ma2 / (x * E) ** 2, 0.0))
    return _ALPHA**2 * g * g / (4.0 * math.pi) * beta * m2 * chi * bracket / (U * U)


@numba.njit(**_JIT)
def brems_dsigma_dx(x, E, m_a, g, Z, A):  # pragma: no cover - compiled
    """ALP bremsstrahlung ``dsigma/dx`` per atom (GeV^-2), x = E_a/E, electron total energy E (GeV).

    Angular integral of :func:`brems_d2sigma_dx_dl` over ``v = ln(1 + l)`` in [0, 64] (composite GL).
    """
    xlo, xhi = brems_x_range(E, m_a)
    if not (x > xlo and x < xhi):
        return 0.0
    edges = (0.0, 1.0, 2.5, 5.0, 9.0, 15.0, 25.0, 40.0, 64.0)
    total = 0.0
    for k in range(len(edges) - 1):
        a_ = edges[k]
        h = edges[k + 1] - a_
        for i in range(_GL_X.shape[0]):
            v = a_ + 0.5 * h * (_GL_X[i] + 1.0)
            l = math.expm1(v)
            total += 0.5 * h * _GL_W[i] * (l + 1.0) * brems_d2sigma_dx_dl(x, l, E, m_a, g, Z, A)
    return total


@numba.njit(**_JIT)
def brems_dsigma_dx_screened(x, E, m_a, g, Z):  # pragma: no cover - compiled
    """Complete-screening closed form of ALP bremsstrahlung ``dsigma/dx`` per atom (GeV^-2).

    ``(alpha^2 g^2 x beta/(4 pi m^2)) [(Z^2 L + Z L') K(f) + (Z^2 + Z) J(f)]`` (module docstring item 5);
    valid for E >> m_a, m_e and m_a of order m_e or below: it keeps Tsai's ``tmax = m^2 (1+l)^2``, whose
    ``J ~ (4/3) ln(f)/f`` grows without bound for heavy ALPs, so above a few m_e it exceeds
    :func:`brems_dsigma_dx` (``tmax = m^2 (1+l)^2 + m_a^2``, the IWW limit) by x1.4-4 at m_a = 10 MeV,
    E = 1 GeV (x3.5-25 at 50 MeV): a theory spread of the WW approach, not a numerical error.
    """
    xlo, xhi = brems_x_range(E, m_a)
    if not (x > xlo and x < xhi):
        return 0.0
    m2 = M_E * M_E
    f = m_a * m_a * (1.0 - x) / (m2 * x * x)
    c = 1.0 + f
    K = (1.0 + 2.0 * f / 3.0) / (c * c)
    if f < 1e-4:  # series 1/c + c ln c/f^2 - 1/f = 3/2 - 7f/6 + 13f^2/12 + O(f^3) (avoids cancellation)
        J = 4.0 / 3.0 * (1.5 - 7.0 * f / 6.0 + 13.0 * f * f / 12.0)
    else:
        J = 4.0 / 3.0 * (1.0 / c + c * math.log1p(f) / (f * f) - 1.0 / f)
    L = 2.0 * math.log(_A_ATOM * Z ** (-1.0 / 3.0)) - 1.0
    Lp = 2.0 * math.log(_A_INEL * Z ** (-2.0 / 3.0)) - 1.0
    beta = math.sqrt(max(1.0 - m_a * m_a / (x * E) ** 2, 0.0))
    return _ALPHA**2 * g * g * x * beta / (4.0 * math.pi * m2) * ((Z * Z * L + Z * Lp) * K + (Z * Z + Z) * J)


@numba.njit(**_JIT)
def brems_sigma(E, m_a, g, Z, A, screened):  # pragma: no cover - compiled
    """Total ALP bremsstrahlung cross section per atom (GeV^-2): ``int dsigma/dx dx`` over :func:`brems_x_range`.

    ``screened=True`` integrates the closed form :func:`brems_dsigma_dx_screened` (fast).
    """
    xlo, xhi = brems_x_range(E, m_a)
    if not xhi > xlo:
        return 0.0
    # composite 16-point GL in ln(x) below x = 1/2 and in ln(1 - x) above (the spectrum rises steeply
    # where f = m_a^2 (1 - x)/(m^2 x^2) ~ 1, i.e. 1 - x ~ m^2/m_a^2), segments <= 1.5 wide
    xm = min(max(0.5, xlo), xhi)
    total = 0.0
    for part in range(2):
        lo = math.log(xlo) if part == 0 else math.log1p(-xhi)
        hi = math.log(xm) if part == 0 else math.log1p(-xm)
        if not hi > lo:
            continue
        nseg = int(math.ceil((hi - lo) / 1.5))
        h = (hi - lo) / nseg
        for k in range(nseg):
            for i in range(_GL_X.shape[0]):
                y = lo + k * h + 0.5 * h * (_GL_X[i] + 1.0)
                if part == 0:
                    x = math.exp(y)
                    jac = x
                else:
                    x = -math.expm1(y)
                    jac = 1.0 - x
                fx = brems_dsigma_dx_screened(x, E, m_a, g, Z) if screened else brems_dsigma_dx(x, E, m_a, g, Z, A)
                total += 0.5 * h * _GL_W[i] * jac * fx
    return total


# ---------------------------------------------------------------------------------------------
# Materials
# ---------------------------------------------------------------------------------------------


def material_targets(material):
    """``(Z, A, n)`` float64 arrays of a :class:`~fipgen.geometry.materials.Material`'s elements,
    ``n`` in nuclei per m^3 (mixtures such as CH2 need per-element Z for the coherent Z^2 processes)."""
    dens = material.element_nuclei_densities()
    z = np.array([float(zz) for _, zz, _ in material.elements])
    a = np.array([float(aa) for _, _, aa in material.elements])
    n = np.array([dens[sym] for sym, _, _ in material.elements])
    return z, a, n


def primakoff_per_length(E, m_a, g, material):
    """Primakoff conversions per metre of photon track (energy E, GeV) in ``material``."""
    z, a, n = material_targets(material)
    return float(sum(ni * primakoff_sigma(E, m_a, g, zi, ai) for zi, ai, ni in zip(z, a, n))) * GEV2_TO_M2


def inverse_primakoff_per_length(E, m_a, g, material):
    """Inverse Primakoff scatterings per metre of ALP path (energy E, GeV) in ``material``."""
    z, a, n = material_targets(material)
    return float(sum(ni * inverse_primakoff_sigma(E, m_a, g, zi, ai) for zi, ai, ni in zip(z, a, n))) * GEV2_TO_M2


def compton_per_length(E_g, m_a, g, material):
    """Compton-like ALP productions per metre of photon track in ``material`` (atomic electrons free, at rest)."""
    return material.electron_density * compton_sigma(E_g, m_a, g) * GEV2_TO_M2


def inverse_compton_per_length(E_a, m_a, g, material):
    """Inverse Compton scatterings per metre of ALP path in ``material`` (atomic electrons free, at rest)."""
    return material.electron_density * inverse_compton_sigma(E_a, m_a, g) * GEV2_TO_M2

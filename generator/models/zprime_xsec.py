"""Z' production by the electrons and positrons of electromagnetic showers (issue 17).

Pure functions, like :mod:`fipgen.models.alp_xsec`: scalar ``@numba.njit`` kernels and numpy
references written from an independent form of each formula for the tests.

Conventions
-----------
The Z' couples to the electron vectorially, ``L = g_e Z'_mu ebar gamma^mu e`` with
``g_e = g x_e`` (:func:`electron_coupling`: ``epsilon e`` times the electron's charge -1 for
a dark photon, ``g_B-L`` times -1 for B-L, ``g`` times the card's electron charge for a
generic Z'; a B-coupled Z' has none at tree level: its leptons' charge -alpha/(4 pi) is the
loop-induced mixing of fipgen.models.zprime, and these channels refuse it). Energies are TOTAL energies in GeV, lab frame with the
target electron at rest; cross sections in GeV^-2 per electron; :data:`GEV2_TO_M2` converts.

1. Resonant ``e+ e- -> Z'`` on an electron at rest. ``s = 2 m^2 + 2 m E+``; the Z' is made
   at ``E+ = E_R = (M^2 - 2 m^2)/(2 m)`` (:func:`resonant_energy`, the ALP's). Breit-Wigner of a
   spin-1 resonance from two spin-1/2 particles, with the spin factor ``(2J+1)/((2s_1+1)(2s_2+1))``
   of the PDG Review of Particle Physics (section "Cross-section formulae for specific
   processes", resonance formation) (:func:`resonant_sigma_bw`)::

       sigma(s) = (3/4) (4 pi/k^2) (Gamma_ee Gamma/4) / ((sqrt s - M)^2 + Gamma^2/4),
       Gamma_ee = g_e^2 M (1 + 2 m^2/M^2) beta / (12 pi),  beta = sqrt(1 - 4 m^2/M^2),

   ``k`` the CM momentum (``k^2 = s/4 - m^2``). Narrow width: ``int sigma ds = 12 pi^2 M Gamma_ee /
   (M^2 - 4 m^2)``, and with ``ds = 2 m dE+``::

       sigma = sigma_0 delta(E+ - E_R),  sigma_0 = pi g_e^2 (1 + 2 m^2/M^2) / (2 m beta)

   (:func:`resonant_sigma_coefficient`; ``2 pi^2 alpha epsilon^2 / m`` for a light dark photon,
   as in Nardi et al., Phys. Rev. D 97 (2018) 095004, arXiv:1802.04756, for positron beam dumps;
   twice the spin-0 ALP's ``pi g^2/(4 m beta)`` with the couplings' own normalisations). Z's per
   positron track length per unit energy at ``E_R``: ``n_e sigma_0`` (:func:`resonant_yield_per_track_length`).
   The shower channel folds in the atomic electrons' motion (:mod:`fipgen.models.atomic_shells`:
   the resonance at ``E_R/(1 - q/m)`` over the material's Compton profile, the same
   ``n_e sigma_0`` for every ``q``).

2. ``e+(p1) e-(p2) -> gamma(k1) Z'(k2)`` (``associated``), spin sum (*derived*: the two
   electron-exchange diagrams, traces evaluated with explicit Dirac matrices in the tests and
   reduced to this form; the Z' polarisation sum's ``k k/M^2`` term drops by current
   conservation), ``T = t - m^2``, ``U = u - m^2``, ``t = (p1 - k1)^2``, ``u = (p1 - k2)^2``::

       sum|M|^2 = 8 e^2 g_e^2 [U/T + T/U + 2 M^2 s/(T U) - 4 m^2 (1/T + 1/U)
                               - 4 m^4 (1/T + 1/U)^2 - 2 m^2 M^2 (1/T^2 + 1/U^2)]

   (:func:`annihilation_m2`); ``m -> 0`` gives the textbook ``8 e^2 g^2 [u/t + t/u + 2 M^2 s/(t u)]``
   and ``M -> 0`` ``e+ e- -> gamma gamma`` (whose total, halved for identical photons, is
   Dirac's, Proc. Camb. Phil. Soc. 26 (1930) 361: tested). In the CM frame ``dsigma/dcos = |k|/(32 pi s |p|) sum|M|^2/4``
   (:func:`associated_dsigma_dcos`; the angle of the Z' to the positron). The shower channel
   counts photons above ``ASSOCIATED_K_MIN`` = 1 MeV in the lab, as the ALP's
   (:func:`associated_sigma_cut`): softer ones belong to the resonant channel's radiative tail.
3. ``gamma(k) e-(p) -> e-(p') Z'(k')`` (``compton``): the crossing of 2 (``p1 -> -p'``,
   ``k1 -> -k``, a fermion crossed: overall sign -1), ``S = s - m^2``, ``U = u - m^2``,
   ``u = (p - k')^2``, ``t = (p - p')^2``::

       sum|M|^2 = -8 e^2 g_e^2 [S/U + U/S + 2 M^2 t/(U S) - 4 m^2 (1/U + 1/S)
                                - 4 m^4 (1/U + 1/S)^2 - 2 m^2 M^2 (1/U^2 + 1/S^2)]

   (:func:`compton_m2`; checked against its own explicit Dirac traces, and ``M -> 0`` gives
   Klein and Nishina, Z. Phys. 52 (1929) 853); ``dsigma/dt = sum|M|^2/4 / (16 pi S^2)`` (:func:`compton_dsigma_dt`).
4. Bremsstrahlung ``e Z -> e Z Z'`` (``e-bremsstrahlung``, per atom), Weizsacker-Williams with the
   angle kept (the form of :mod:`fipgen.models.alp_xsec`, item 5, whose normalisation reproduces
   Bethe-Heitler): the quasi-real photon's flux ``chi`` times the Compton-like process of item 3.
   With ``x = E_Z'/E``, ``l = (E theta/m)^2``, ``U = m^2 x (1 + l) + M^2 (1 - x)/x``::

       d2sigma/dx dcos = (2 alpha chi/pi) E^2 x beta/(1 - x) (sum|M|^2/4)/(16 pi s~^2),
       s~ = U/(1 - x) = s - m^2,  u - m^2 = -U,  t = M^2 - s~ + U   (item 3's sum|M|^2),
       chi = int_tmin^tmax dt (t - tmin)/t^2 [Z^2 F(t)^2 + Z G_inel(t)],
       tmin = [U/(2 E (1 - x))]^2,  tmax = m^2 (1 + l)^2 + M^2

   with Tsai's screened elastic (atomic and nuclear) and inelastic form factors
   (``alp_xsec.brems_chi``), ``beta = sqrt(1 - M^2/(x E)^2)`` and ``dcos = m^2 dl/(2 E^2)``
   (:func:`brems_d2sigma_dx_dl`). For ``m << M`` this is, identically, the closed form of
   Bjorken, Essig, Schuster and Toro, Phys. Rev. D 80 (2009) 075018, arXiv:0906.0580
   (appendix A)::

       d2sigma/dx dcos = 8 alpha^3 eps^2 E^2 x chi/U^2 [1 - x + x^2/2 - x (1 - x) M^2 E^2 x theta^2/U^2]

   (tested), whose angular integral at fixed ``chi`` is their improved-WW
   ``dsigma/dx = (4 alpha^3 eps^2 chi/M^2) x (1 - x + x^2/3)/(1 - x)``; for ``M -> 0`` and
   ``g_e = e`` the photon's Bethe-Heitler spectrum (tested with complete screening). The WW
   form replaces the exact 2 -> 3 matrix element by the on-shell photon's: Liu, McKeen and
   Miller, Phys. Rev. D 95 (2017) 036010, arXiv:1609.06781, compare it with the exact
   tree-level result (docs/physics.md#z-from-showers).
"""

from __future__ import annotations

import math

import numba

import numpy as np

from .._jit import JIT_OPTIONS
from ..constants import ALPHA_EM
from ..errors import PhysicsError
from .alp_xsec import (GEV2_TO_M2, M_E, associated_lab, breit_wigner_ee, brems_chi, brems_x_range, pair_beta,
                       resonant_energy)

__all__ = ["M_E", "GEV2_TO_M2", "electron_coupling", "resonant_energy", "resonant_sigma_coefficient",
           "resonant_sigma_bw", "resonant_yield_per_track_length", "annihilation_m2", "associated_dsigma_dcos",
           "associated_sigma", "associated_sigma_cut", "compton_m2", "compton_dsigma_dt", "compton_t_range",
           "compton_sigma", "brems_d2sigma_dx_dl"]

_JIT = JIT_OPTIONS


def electron_coupling(model) -> float:
    """``g_e``: the Z' model's tree-level vector coupling to the electron (module docstring);
    PhysicsError (one line) for a Z' without one (the B-coupled kind, a generic Z' with no
    electron charge)."""
    g = float(model.g) * float(model.charge_of("e"))
    if g == 0.0 or model.kind == "B":  # B: the electron's charge is loop-induced (-alpha/4 pi), not tree level
        raise PhysicsError(f"a Z' of kind {model.kind!r} has no tree-level coupling to the electron: the shower "
                           "channels (zprime:resonant) need one (kinds dark-photon, B-L, or generic with a charge "
                           "for e)")
    return g


@numba.njit(**_JIT)
def resonant_sigma_coefficient(M, g):  # pragma: no cover - compiled
    """``sigma_0`` (GeV^-1) of ``sigma = sigma_0 delta(E+ - E_R)``: ``pi g^2 (1 + 2 m^2/M^2)/(2 m beta)``,
    0 if ``M <= 2 m``."""
    if not M > 2.0 * M_E:
        return 0.0
    return math.pi * g * g * (1.0 + 2.0 * M_E * M_E / (M * M)) / (2.0 * M_E * pair_beta(M))


@numba.njit(**_JIT)
def resonant_sigma_bw(E_pos, M, g, width):  # pragma: no cover - compiled
    """Spin-1 Breit-Wigner ``e+ e- -> Z'`` per electron (GeV^-2) at total positron energy ``E_pos``,
    total Z' width ``width`` (GeV): module docstring; its integral over ``E_pos`` is
    :func:`resonant_sigma_coefficient` in the narrow-width limit."""
    if not M > 2.0 * M_E:
        return 0.0
    gee = g * g * M * (1.0 + 2.0 * M_E * M_E / (M * M)) * pair_beta(M) / (12.0 * math.pi)
    return breit_wigner_ee(E_pos, M, gee, 0.75, width)


def resonant_yield_per_track_length(M: float, g: float, electron_density: float) -> float:
    """Z's per (positron track length per unit energy at E_R), GeV m^-1: ``n_e sigma_0 (hbar c)^2``.

    ``N = resonant_yield_per_track_length(...) * dL/dE+ (E_R)`` with dL/dE+ in m/GeV;
    ``electron_density`` per m^3 (``Material.electron_density``)."""
    return float(electron_density) * resonant_sigma_coefficient(M, g) * GEV2_TO_M2


# ---------------------------------------------------------------------------------------------
# e+ e- -> gamma Z' and gamma e -> e Z' (module docstring, items 2 and 3)
# ---------------------------------------------------------------------------------------------

#: e^2 = 4 pi alpha
_E2 = 4.0 * math.pi * ALPHA_EM
#: Gauss-Legendre nodes and weights of the totals (on ln-spaced variables: the collinear peaks)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(64)


@numba.njit(**_JIT)
def _bracket(A, B, Mv, m, mid):  # pragma: no cover - compiled
    """``A/B + B/A + 2 M^2 mid/(A B) - 4 m^2 (1/A + 1/B) - 4 m^4 (1/A + 1/B)^2 - 2 m^2 M^2 (1/A^2 + 1/B^2)``."""
    ia = 1.0 / A
    ib = 1.0 / B
    m2 = m * m
    M2 = Mv * Mv
    return (A * ib + B * ia + 2.0 * M2 * mid * ia * ib - 4.0 * m2 * (ia + ib) - 4.0 * m2 * m2 * (ia + ib) ** 2
            - 2.0 * m2 * M2 * (ia * ia + ib * ib))


@numba.njit(**_JIT)
def annihilation_m2(s, t, M, g):  # pragma: no cover - compiled
    """``sum|M|^2`` of ``e+ e- -> gamma Z'`` (all spins and polarisations; module docstring),
    Mandelstam ``s``, ``t = (p1 - k1)^2``; ``u = 2 m^2 + M^2 - s - t``."""
    m = M_E
    u = 2.0 * m * m + M * M - s - t
    return 8.0 * _E2 * g * g * _bracket(u - m * m, t - m * m, M, m, s)


@numba.njit(**_JIT)
def compton_m2(s, t, M, g):  # pragma: no cover - compiled
    """``sum|M|^2`` of ``gamma e- -> e- Z'`` (module docstring), ``s``, ``t = (p - p')^2``;
    ``u = 2 m^2 + M^2 - s - t``."""
    m = M_E
    u = 2.0 * m * m + M * M - s - t
    return -8.0 * _E2 * g * g * _bracket(s - m * m, u - m * m, M, m, t)


@numba.njit(**_JIT)
def associated_dsigma_dcos(cos, E_pos, M, g):  # pragma: no cover - compiled
    """``dsigma/dcos`` (GeV^-2) of ``e+ e- -> gamma Z'`` in the CM frame, ``cos`` of the Z' to the
    positron (the photon opposite), positron total energy ``E_pos`` on an electron at rest; 0
    below threshold (``fipgen.models.alp_xsec.associated_lab`` gives the lab energy and angle)."""
    m = M_E
    s = 2.0 * m * m + 2.0 * m * E_pos
    if not s > M * M or cos < -1.0 or cos > 1.0:
        return 0.0
    rs = math.sqrt(s)
    p = math.sqrt(0.25 * s - m * m)
    k = (s - M * M) / (2.0 * rs)
    e1 = 0.5 * rs  # positron CM energy
    t = m * m - 2.0 * (e1 * k + p * k * cos)  # (p1 - k1)^2, the photon at -cos
    return k / (32.0 * math.pi * s * p) * 0.25 * annihilation_m2(s, t, M, g)


@numba.njit(**_JIT)
def _assoc_part(E_pos, M, g, sign, y_lo, y_hi):  # pragma: no cover - compiled
    """Integral of :func:`associated_dsigma_dcos` over ``cos = sign (1 - y)``, ``y_lo <= y <= y_hi``,
    by Gauss-Legendre in ``ln y`` (3 x 64 points)."""
    if not y_hi > y_lo:
        return 0.0
    la = math.log(y_lo)
    lb = math.log(y_hi)
    tot = 0.0
    for k in range(3):
        a = la + (lb - la) * k / 3.0
        b = la + (lb - la) * (k + 1) / 3.0
        for j in range(_GL_X.size):
            y = math.exp(a + (b - a) * 0.5 * (_GL_X[j] + 1.0))
            tot += _GL_W[j] * 0.5 * (b - a) * y * associated_dsigma_dcos(sign * (1.0 - y), E_pos, M, g)
    return tot


@numba.njit(**_JIT)
def associated_sigma_cut(E_pos, M, g, k_min):  # pragma: no cover - compiled
    """Total ``e+ e- -> gamma Z'`` (GeV^-2) with a lab photon energy above ``k_min`` (GeV). The Z''s
    lab energy is linear in its CM cosine, so the cut keeps ``cos <= c_max``; each side of
    ``cos = 0`` by Gauss-Legendre in the logarithm of the distance to its collinear peak
    (``1 - |cos| ~ m^2/s``), down to 1e-14."""
    m = M_E
    s = 2.0 * m * m + 2.0 * m * E_pos
    if not s > M * M:
        return 0.0
    e_lo, _ = associated_lab(-1.0, E_pos, M)
    e_hi, _ = associated_lab(1.0, E_pos, M)
    e_max = E_pos + m - k_min  # the Z' may take at most this
    if e_hi <= e_max:
        c_max = 1.0
    elif e_lo >= e_max:
        return 0.0
    else:
        c_max = -1.0 + 2.0 * (e_max - e_lo) / (e_hi - e_lo)
    y0 = 1e-14
    if c_max >= 0.0:  # [-1, 0] whole, [0, c_max] as y = 1 - cos in [1 - c_max, 1]
        return _assoc_part(E_pos, M, g, -1.0, y0, 1.0) + _assoc_part(E_pos, M, g, 1.0, max(1.0 - c_max, y0), 1.0)
    return _assoc_part(E_pos, M, g, -1.0, y0, 1.0 + c_max)  # [-1, c_max] as y = 1 + cos


@numba.njit(**_JIT)
def associated_sigma(E_pos, M, g):  # pragma: no cover - compiled
    """Total ``e+ e- -> gamma Z'`` (GeV^-2): :func:`associated_sigma_cut` without a cut."""
    return associated_sigma_cut(E_pos, M, g, -1.0)


@numba.njit(**_JIT)
def compton_dsigma_dt(t, E_gamma, M, g):  # pragma: no cover - compiled
    """``dsigma/dt`` (GeV^-4) of ``gamma e- -> e- Z'`` at photon energy ``E_gamma`` on an electron at
    rest; 0 outside the physical ``t`` range or below threshold."""
    m = M_E
    s = m * m + 2.0 * m * E_gamma
    if not math.sqrt(s) > m + M:
        return 0.0
    S = s - m * m
    return 0.25 * compton_m2(s, t, M, g) / (16.0 * math.pi * S * S)


@numba.njit(**_JIT)
def compton_t_range(E_gamma, M):  # pragma: no cover - compiled
    """``(t_min, t_max)`` of ``gamma e- -> e- Z'`` (``t = (p - p')^2 <= 0``): CM momenta ``q`` in,
    ``q'`` out, ``t = 2 m^2 - 2 (E E' - q q' cos)``."""
    m = M_E
    s = m * m + 2.0 * m * E_gamma
    rs = math.sqrt(s)
    q = (s - m * m) / (2.0 * rs)
    lam = (s - (m + M) ** 2) * (s - (m - M) ** 2)
    qp = math.sqrt(max(lam, 0.0)) / (2.0 * rs)
    e = (s + m * m) / (2.0 * rs)
    ep = (s + m * m - M * M) / (2.0 * rs)
    return 2.0 * m * m - 2.0 * (e * ep + q * qp), 2.0 * m * m - 2.0 * (e * ep - q * qp)


@numba.njit(**_JIT)
def compton_sigma(E_gamma, M, g):  # pragma: no cover - compiled
    """Total ``gamma e- -> e- Z'`` (GeV^-2): each half of the ``t`` range by Gauss-Legendre in the
    logarithm of the distance to its end (the peaks at both ends are a fraction ~m^2/s of the
    range wide), 3 x 64 points per half over 14 decades."""
    m = M_E
    s = m * m + 2.0 * m * E_gamma
    if not math.sqrt(s) > m + M:
        return 0.0
    t0, t1 = compton_t_range(E_gamma, M)
    half = 0.5 * (t1 - t0)
    lo = math.log(1e-14)
    tot = 0.0
    for end, sign in ((t0, 1.0), (t1, -1.0)):
        for k in range(3):  # ln y in three equal pieces of [ln 1e-14, 0]
            a = lo + (0.0 - lo) * k / 3.0
            b = lo + (0.0 - lo) * (k + 1) / 3.0
            for j in range(_GL_X.size):
                ly = a + (b - a) * 0.5 * (_GL_X[j] + 1.0)
                y = math.exp(ly)
                tot += _GL_W[j] * 0.5 * (b - a) * y * half * compton_dsigma_dt(end + sign * y * half, E_gamma, M, g)
    return tot


# ---------------------------------------------------------------------------------------------
# e Z -> e Z Z' (module docstring, item 4)
# ---------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def brems_d2sigma_dx_dl(x, l, E, M, g, Z, A):  # pragma: no cover - compiled
    """``d2sigma/dx dl`` per atom (GeV^-2) of a Z' radiated by an electron or positron of total
    energy ``E`` on an atom (Z, A): ``x = E_Z'/E``, ``l = (E theta/m)^2`` (module docstring, item 4);
    0 outside ``m_Z'/E < x < 1 - m/E``."""
    xlo, xhi = brems_x_range(E, M)
    if not (x > xlo and x < xhi):
        return 0.0
    m2 = M_E * M_E
    M2 = M * M
    U = m2 * x * (1.0 + l) + M2 * (1.0 - x) / x
    tmin = (U / (2.0 * E * (1.0 - x))) ** 2
    chi = brems_chi(tmin, m2 * (1.0 + l) ** 2 + M2, Z, A)
    st = U / (1.0 - x)
    amp = compton_m2(st + m2, M2 - st + U, M, g)
    beta = math.sqrt(max(1.0 - M2 / (x * E) ** 2, 0.0))
    return max(ALPHA_EM * chi * m2 * x * beta * amp / (64.0 * math.pi * math.pi * (1.0 - x) * st * st), 0.0)

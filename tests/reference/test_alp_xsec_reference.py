"""Reference: ALP cross sections (generator/models/alp_xsec.py) against independent computations,
published formulas and the public code alplib (athompson-git/alplib, the code of arXiv:2307.03878).

Independent computations (no formula of the module is reused):

* spin sums from explicit 4x4 Dirac matrices (Dirac representation) with explicit physical photon
  polarisation vectors, for gamma e -> a e, a e -> gamma e and e+ e- -> a gamma, built from the
  Feynman rules of ``L = -i g a ebar gamma5 e`` and QED (propagators ``(pslash + m)/(p^2 - m^2)``);
  integrated over two-body phase space ``sigma = int dt <|M|^2>/(16 pi lambda(s, m1^2, m2^2))``;
* Primakoff: the exact 2 -> 2 cross section gamma N -> a N on a scalar nucleus of charge Ze and
  mass M = 10 TeV, vertex ``g eps^{mu nu rho sigma} k_rho q_sigma`` contracted numerically, recoil
  kinematics solved numerically;
* bremsstrahlung: the Weizsacker-Williams formula of the module applied to QED Compton scattering,
  integrated over the photon angle with complete screening, against Bethe-Heitler.

Published / public formulas compared (their tolerance or the documented disagreement in each test):

* Bethe-Heitler complete screening (Tsai, Rev. Mod. Phys. 46 (1974) 815; PDG RPP "Passage of
  particles through matter", the complete-screening bremsstrahlung formula; equation numbers not
  read): exact agreement of the WW machinery;
* alplib (read at athompson-git/alplib prod_xs.py, det_xs.py, decay.py): ``compton_sigma`` (closed
  form "from 0807.2926"): equal at m_a = 0, 22-26 % low for m_a/E_g ~ 0.02-0.2, negative near
  threshold (docs/physics.md#alp-cross-sections warns of 20-70 %); ``icompton_sigma`` ("Borexino 2008 eq. 14"): equal at
  m_a = 0, within 0.3 % up to m_a/E_a = 0.05, 11-12 % low at E_a = 2 m_a; ``resonance_sigma`` (spin-1
  Breit-Wigner ``12 pi/m_a^2``): integral ``3 beta^2`` times ours; ``resonance_peak``: ``2 beta`` times
  our coefficient; ``associated_dsigma_dcos_CM``: 4x ours at m_a = 0 (a spin sum, not an average) and
  a different shape for m_a > 0 (``dt/dcos = 2 E1 E_a`` instead of ``2 p1 p_a``, and its |M|^2);
  ``brem_dsigma_dea`` (Tsai 1986 integrated): ``K L + J/2`` instead of ``K L + J`` (15 % low at m_a -> 0 for
  Fe, 20-40 % low for m_a of a few m_e);
  ``primakoff_sigma_tsai`` (Tsai's asymptotic closed form): 19 % above the integral of arXiv:1512.03069's
  form factor for Fe.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import integrate, optimize

from fipgen.constants import ALPHA_EM
from fipgen.models import alp_xsec as X

ME = X.M_E
E2 = 4 * math.pi * ALPHA_EM

# ------------------------------------------------------------------------------ Dirac matrices
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]
GAM = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG]
G5 = 1j * GAM[0] @ GAM[1] @ GAM[2] @ GAM[3]
ONE = np.eye(4)


def sl(p):
    return p[0] * GAM[0] - p[1] * GAM[1] - p[2] * GAM[2] - p[3] * GAM[3]


def dot(a, b):
    return a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3]


def bar(m):
    return GAM[0] @ m.conj().T @ GAM[0]


def pols(k):
    """Two real transverse polarisation four-vectors of a photon with momentum k."""
    n = np.asarray(k[1:], float) / np.linalg.norm(k[1:])
    a = np.array([1.0, 0, 0]) if abs(n[0]) < 0.9 else np.array([0, 1.0, 0])
    e1 = np.cross(n, a)
    e1 /= np.linalg.norm(e1)
    return [np.r_[0.0, e1], np.r_[0.0, np.cross(n, e1)]]


def trace_sum(out_proj, gam_of_eps, in_proj, k_photon):
    return sum(np.trace(out_proj @ gam_of_eps(e) @ in_proj @ bar(gam_of_eps(e))).real for e in pols(k_photon))


def m2_compton_dirac(p, k, pp, kp, m=ME):
    """sum |M|^2/(e g)^2 of gamma(k) e(p) -> a(kp) e(pp)."""
    s, u = dot(p + k, p + k), dot(p - kp, p - kp)
    gam = lambda e: G5 @ (sl(p + k) + m * ONE) @ sl(e) / (s - m * m) + sl(e) @ (sl(p - kp) + m * ONE) @ G5 / (u - m * m)
    return trace_sum(sl(pp) + m * ONE, gam, sl(p) + m * ONE, k)


def m2_inverse_compton_dirac(p, ka, pp, q, m=ME):
    """sum |M|^2/(e g)^2 of a(ka) e(p) -> gamma(q) e(pp)."""
    s, u = dot(p + ka, p + ka), dot(p - q, p - q)
    gam = lambda e: sl(e) @ (sl(p + ka) + m * ONE) @ G5 / (s - m * m) + G5 @ (sl(p - q) + m * ONE) @ sl(e) / (u - m * m)
    return trace_sum(sl(pp) + m * ONE, gam, sl(p) + m * ONE, q)


def m2_annihilation_dirac(p1, p2, q, ka, m=ME):
    """sum |M|^2/(e g)^2 of e-(p1) e+(p2) -> gamma(q) a(ka); v-spinor projector (p2slash - m)."""
    t, u = dot(p1 - ka, p1 - ka), dot(p1 - q, p1 - q)
    gam = lambda e: sl(e) @ (sl(p1 - ka) + m * ONE) @ G5 / (t - m * m) + G5 @ (sl(p1 - q) + m * ONE) @ sl(e) / (u - m * m)
    return trace_sum(sl(p2) - m * ONE, gam, sl(p1) + m * ONE, q)


def lam(a, b, c):
    return (a - b - c) ** 2 - 4 * b * c


def boost_z(v, beta):
    g = 1 / math.sqrt(1 - beta * beta)
    return np.array([g * (v[0] + beta * v[3]), v[1], v[2], g * (v[3] + beta * v[0])])


def two_body_cm(s, m1, m2, m3, m4, cos, phi=0.3):
    """CM four-vectors (p1 along +z) of 1 + 2 -> 3 + 4 with particle 3 at polar angle acos(cos)."""
    rs = math.sqrt(s)
    pi = math.sqrt(lam(s, m1 * m1, m2 * m2)) / (2 * rs)
    pf = math.sqrt(lam(s, m3 * m3, m4 * m4)) / (2 * rs)
    sn = math.sqrt(1 - cos * cos)
    p1 = np.array([math.hypot(pi, m1), 0, 0, pi])
    p2 = np.array([math.hypot(pi, m2), 0, 0, -pi])
    d = np.array([sn * math.cos(phi), sn * math.sin(phi), cos])
    p3 = np.r_[math.hypot(pf, m3), pf * d]
    p4 = np.r_[math.hypot(pf, m4), -pf * d]
    return p1, p2, p3, p4, pi, pf


# ------------------------------------------------------------------------------ matrix elements


@pytest.mark.parametrize("s_over,ma", [(3.0, 0.0), (30.0, 0.002), (1.2, 0.004), (400.0, 0.05)])
def test_spin_sums_against_dirac_matrices(s_over, ma):
    rng = np.random.default_rng(2)
    # Compton-like and inverse Compton: s = s_over * (m + m_a)^2 (electron lab frame is irrelevant: invariants)
    s = s_over * (ME + ma) ** 2
    for c in rng.uniform(-1, 1, 5):
        k, p, kp, pp, _, _ = two_body_cm(s, 0.0, ME, ma, ME, c)
        want = m2_compton_dirac(p, k, pp, kp)
        got = X.compton_m2c(s - ME**2, dot(p - kp, p - kp) - ME**2, ma)
        assert got == pytest.approx(want, rel=1e-9, abs=0)
        # (spin-averaged, with couplings)
        assert X.compton_amp2(s, dot(p - kp, p - kp), ma, 0.3) == pytest.approx(E2 * 0.09 * want / 4, rel=1e-9, abs=0)
        ka, p, q, pp, _, _ = two_body_cm(s, ma, ME, 0.0, ME, c)
        want = m2_inverse_compton_dirac(p, ka, pp, q)
        assert X.inverse_compton_amp2(s, dot(p - q, p - q), ma, 0.3) == pytest.approx(E2 * 0.09 * want / 2, rel=1e-9, abs=0)
    # e+ e- -> gamma a: S = s_over * max(m_a, 2m)^2
    S = s_over * max(ma, 2 * ME) ** 2 * 1.01
    for c in rng.uniform(-1, 1, 5):
        p1, p2, ka, q, _, _ = two_body_cm(S, ME, ME, ma, 0.0, c)
        want = m2_annihilation_dirac(p1, p2, q, ka)
        T = dot(p1 - ka, p1 - ka)
        assert X.associated_amp2(S, T, ma, 0.3) == pytest.approx(E2 * 0.09 * want / 4, rel=1e-9, abs=0)
        # C invariance: symmetric under e+ <-> e-
        assert X.associated_amp2(S, 2 * ME**2 + ma**2 - S - T, ma, 0.3) == pytest.approx(E2 * 0.09 * want / 4, rel=1e-9, abs=0)


@pytest.mark.parametrize("Eg,ma", [(0.01, 0.0), (0.1, 0.005), (1.0, 0.02), (0.0295, 0.005)])
def test_compton_total_from_dirac_traces(Eg, ma):
    """sigma = int du <|M|^2>/(16 pi (s - m^2)^2), |M|^2 from Dirac matrices, u range from CM kinematics."""
    s = ME**2 + 2 * ME * Eg
    rs = math.sqrt(s)
    ek = (s - ME**2) / (2 * rs)
    ea = (s + ma**2 - ME**2) / (2 * rs)
    pa = math.sqrt(lam(s, ma**2, ME**2)) / (2 * rs)
    # u = m^2 + m_a^2 - 2 (E_e* E_a* + p* p_a* cos), electron moving along -z
    ee = (s + ME**2) / (2 * rs)
    umin, umax = ME**2 + ma**2 - 2 * (ee * ea + ek * pa), ME**2 + ma**2 - 2 * (ee * ea - ek * pa)

    def integrand(lw):  # W = m^2 - u, integrated in ln W
        u = ME**2 - math.exp(lw)
        c = (ME**2 + ma**2 - u - 2 * ee * ea) / (2 * ek * pa)
        k, p, kp, pp, _, _ = two_body_cm(s, 0.0, ME, ma, ME, -c)  # two_body_cm puts the photon along +z
        return math.exp(lw) * E2 * m2_compton_dirac(p, k, pp, kp) / 4 / (16 * math.pi * (s - ME**2) ** 2)

    ref = integrate.quad(integrand, math.log(ME**2 - umax), math.log(ME**2 - umin), epsabs=0, epsrel=1e-9, limit=200)[0]
    assert X.compton_sigma(Eg, ma, 1.0) == pytest.approx(ref, rel=1e-7, abs=0)


@pytest.mark.parametrize("Ep,ma", [(0.1, 0.005), (1.0, 0.0), (0.1, 0.0099)])
def test_associated_total_from_dirac_traces(Ep, ma):
    S = 2 * ME * (Ep + ME)

    def integrand(c):
        p1, p2, ka, q, pi, pf = two_body_cm(S, ME, ME, ma, 0.0, c)
        # dsigma/dcos = <|M|^2> p_f/(32 pi S p_i)
        return E2 * m2_annihilation_dirac(p1, p2, q, ka) / 4 * pf / (32 * math.pi * S * pi)

    ref = integrate.quad(integrand, -1, 1, points=[-0.999, 0, 0.999], epsabs=0, epsrel=1e-9, limit=200)[0]
    assert X.associated_sigma(Ep, ma, 1.0) == pytest.approx(ref, rel=1e-7, abs=0)


@pytest.mark.parametrize("Ea,ma", [(0.05, 0.01), (1.0, 0.0)])
def test_inverse_compton_total_from_dirac_traces(Ea, ma):
    s = ME**2 + ma**2 + 2 * ME * Ea

    def integrand(c):
        ka, p, q, pp, pi, pf = two_body_cm(s, ma, ME, 0.0, ME, c)
        return E2 * m2_inverse_compton_dirac(p, ka, pp, q) / 2 * pf / (32 * math.pi * s * pi)

    ref = integrate.quad(integrand, -1, 1, points=[-0.99, 0.99], epsabs=0, epsrel=1e-9, limit=200)[0]
    assert X.inverse_compton_sigma(Ea, ma, 1.0) == pytest.approx(ref, rel=1e-7, abs=0)


# ------------------------------------------------------------------------------ Primakoff

_EPS4 = np.zeros((4, 4, 4, 4))
for _perm in itertools.permutations(range(4)):
    _EPS4[_perm] = np.linalg.det(np.eye(4)[list(_perm)])
_LOWER = np.diag([1.0, -1, -1, -1])


def primakoff_exact_dsdtheta(E, ma, th, M=1e4, Z=1.0):
    """gamma(k) N(P) -> a(p) N(P'), scalar nucleus, exact recoil, g = 1, no form factor."""
    c = math.cos(th)
    f = lambda x: E + M - math.hypot(x, ma) - math.sqrt(M * M + E * E + x * x - 2 * E * x * c)
    pa = optimize.brentq(f, 0.0, E, xtol=1e-15, rtol=1e-15)
    ea = math.hypot(pa, ma)
    k, P = np.array([E, 0, 0, E]), np.array([M, 0, 0, 0.0])
    p = np.array([ea, pa * math.sin(th), 0, pa * c])
    q, J = k - p, P + (k + P - p)
    m2 = 0.0
    for e in pols(k):
        amp = np.einsum("abcd,a,b,c,d->", _EPS4, _LOWER @ e, _LOWER @ k, _LOWER @ q, _LOWER @ J)
        m2 += (Z * math.sqrt(E2) * amp / dot(q, q)) ** 2 / 2  # average over photon polarisations

    def t_of(cc):
        x = optimize.brentq(lambda y: E + M - math.hypot(y, ma) - math.sqrt(M * M + E * E + y * y - 2 * E * y * cc), 0.0, E,
                            xtol=1e-15, rtol=1e-15)
        return ma * ma - 2 * (E * math.hypot(x, ma) - E * x * cc)

    h = 1e-5
    dtdc = (t_of(c + h) - t_of(c - h)) / (2 * h)
    s = M * M + 2 * M * E
    return m2 / (16 * math.pi * (s - M * M) ** 2) * abs(dtdc) * math.sin(th)


@pytest.mark.parametrize("E,ma", [(1.0, 0.5), (1.0, 0.9), (0.3, 0.1)])
def test_primakoff_against_relativistic_scalar_nucleus(E, ma):
    """The module's E p^3 form matches the exact static limit; arXiv:1512.03069's p^4 form is low by beta = p/E."""
    p = math.sqrt(E * E - ma * ma)
    for th in (0.02, 0.3, 1.2):
        exact = primakoff_exact_dsdtheta(E, ma, th)
        t = E * E + p * p - 2 * E * p * math.cos(th)
        mine = 0.25 * ALPHA_EM * E * p**3 * math.sin(th) ** 3 / t**2  # F = 1
        assert exact == pytest.approx(mine, rel=1e-3, abs=0)  # recoil corrections O(E/M)
        physics_md = 0.25 * ALPHA_EM * p**4 * math.sin(th) ** 3 / t**2
        assert physics_md / exact == pytest.approx(p / E, rel=1e-3, abs=0)
        # the module's kernel is this times its form factor squared
        ff = X.tsai_form_factor(t, 1.0, 1.0)
        assert X.primakoff_dsigma_dtheta(th, E, ma, 1.0, 1.0, 1.0) / ff**2 == pytest.approx(mine, rel=1e-10, abs=0)


def test_primakoff_against_tsai_asymptotic_formula():
    """alplib ``primakoff_sigma_tsai`` (Tsai 1986, E >> m_a): (alpha g^2/4) [Z^2 (ln(184 Z^-1/3) + ln(403 A^-1/3/m_e[MeV]))
    + Z ln(1194 Z^-2/3)]. Its coherent Z^2 part exceeds the integral of Tsai's form factor (arXiv:1512.03069),
    (alpha g^2 Z^2/4) [ln(111 Z^-1/3) + ln(sqrt(0.164 GeV^2) A^-1/3/m_e) - 1], by 1.50 in the bracket: x1.19 for Fe."""
    for (Z, A), ratio in (((26.0, 55.845), 1.189), ((18.0, 39.948), 1.184)):
        tsai_coh = ALPHA_EM / 4 * Z * Z * (math.log(184 * Z ** (-1 / 3)) + math.log(403 * A ** (-1 / 3) / 0.511))
        ours = X.primakoff_sigma(500.0, 1e-4, 1.0, Z, A)
        analytic = ALPHA_EM / 4 * Z * Z * (math.log(111 * Z ** (-1 / 3)) + math.log(math.sqrt(0.164) * A ** (-1 / 3) / ME) - 1)
        assert ours == pytest.approx(analytic, rel=2e-3, abs=0)
        assert tsai_coh / ours == pytest.approx(ratio, abs=0.005)


# ------------------------------------------------------------------------------ alplib's closed forms


def alplib_compton_sigma(eg, g, ma):
    """alplib prod_xs.compton_sigma ("Taken from 0807.2926"), transcribed, GeV units, z = 1."""
    s = 2 * eg * ME + ME**2
    p0 = 0.5 * (2 * eg * ME + ma**2) / math.sqrt(s)
    k0 = (eg * ME + ME**2) / math.sqrt(s)
    p = math.sqrt(p0**2 - ma**2)
    k = math.sqrt(s) - k0
    pref = ALPHA_EM * g**2 / (8 * s) * (p / k)
    return pref * (-3 + (ME**2 - ma**2) / s + s * (ma / (2 * eg * ME)) ** 2
                   + (1 - ma**2 / (eg * ME) + ma**2 * (ma**2 - 2 * ME**2) / (2 * (eg * ME) ** 2))
                   * (math.sqrt(s) / p) * math.log((2 * p0 * k0 + 2 * p * k - ma**2) / (2 * p0 * k0 - 2 * p * k - ma**2)))


def test_widely_used_compton_closed_form_is_wrong_for_massive_alps():
    for E in (0.003, 0.1, 5.0):
        assert alplib_compton_sigma(E, 1.0, 0.0) == pytest.approx(X.compton_sigma(E, 0.0, 1.0), rel=1e-9, abs=0)
    # (E_g, m_a, closed form / integral)
    for E, ma, ratio in ((0.003, 5e-4, 0.742), (0.1, 0.005, 0.779), (1.0, 0.02, 0.777), (0.01, 1e-3, 0.834)):
        assert alplib_compton_sigma(E, 1.0, ma) / X.compton_sigma(E, ma, 1.0) == pytest.approx(ratio, abs=0.002)
    # near threshold it even turns negative
    assert alplib_compton_sigma(0.003, 1.0, 1e-3) < 0 < X.compton_sigma(0.003, 1e-3, 1.0)


def alplib_icompton_sigma(ea, ma, g):
    """alplib det_xs.icompton_sigma ("Borexino 2008, eq. 14"), z = 1."""
    y = 2 * ME * ea + ma**2
    pa = math.sqrt(ea**2 - ma**2)
    pref = ALPHA_EM * (g / ME) ** 2 / (8 * pa)
    return pref * (2 * ME**2 * (ME + ea) * y / (ME**2 + y) ** 2 + 4 * ME * (ma**4 + 2 * (ma * ME) ** 2 - (2 * ME * ea) ** 2) / (y * (ME**2 + y))
                   + math.log((ME + ea + pa) / (ME + ea - pa)) * ((2 * ME * pa) ** 2 + ma**4) / (ea * y))


def test_inverse_compton_against_borexino_closed_form():
    assert alplib_icompton_sigma(0.01, 0.0, 1.0) == pytest.approx(X.inverse_compton_sigma(0.01, 0.0, 1.0), rel=1e-10, abs=0)
    assert alplib_icompton_sigma(0.1, 0.005, 1.0) == pytest.approx(X.inverse_compton_sigma(0.1, 0.005, 1.0), rel=3e-3, abs=0)
    assert alplib_icompton_sigma(1.0, 0.02, 1.0) == pytest.approx(X.inverse_compton_sigma(1.0, 0.02, 1.0), rel=3e-3, abs=0)
    # near threshold (E_a = 2 m_a) the closed form is 11-12 % low
    for ea, ma in ((0.01, 0.005), (0.02, 0.01)):
        assert alplib_icompton_sigma(ea, ma, 1.0) / X.inverse_compton_sigma(ea, ma, 1.0) == pytest.approx(0.885, abs=0.01)


@pytest.mark.parametrize("ma", [0.002, 0.02, 0.2])
def test_resonance_against_alplib_spin_one_breit_wigner(ma):
    g = 1e-4
    beta = math.sqrt(1 - 4 * ME**2 / ma**2)
    width = g * g * ma * beta / (8 * math.pi)  # alplib W_ee = ours
    # alplib resonance_sigma: (12 pi/m_a^2) (W/2)^2/((sqrt s - m_a)^2 + (W/2)^2), s = 2 m E (E+ total energy)
    # integral over E+: (12 pi/m_a^2) (pi W/2) (sqrt s/m) at the peak = 3 pi g^2 beta/(4 m)
    alplib_integral = 12 * math.pi / ma**2 * (math.pi * width / 2) * (ma / ME)
    ours = X.resonant_sigma_coefficient(ma, g)
    assert alplib_integral / ours == pytest.approx(3 * beta**2, rel=1e-12, abs=0)
    assert (math.pi * g * g / (2 * ME)) / ours == pytest.approx(2 * beta, rel=1e-12, abs=0)  # alplib resonance_peak
    # our Breit-Wigner at the peak: (pi/k^2) Gamma_ee/Gamma with Gamma = Gamma_ee -> 4 pi/(m_a^2 beta^2), 1/3 of the spin-1 peak
    peak = X.resonant_sigma_bw(X.resonant_energy(ma), ma, g, width)
    assert peak == pytest.approx(4 * math.pi / (ma * ma * beta * beta), rel=1e-6, abs=0)


def alplib_associated_dsdcos(c, ep, ma, g):
    """alplib prod_xs.associated_dsigma_dcos_CM ("Calculated with Mathematica"), z = 1."""
    s = 2 * ME * (ep + ME)
    ea = math.sqrt((s - ma**2) ** 2 / (4 * s) + ma**2)
    epc = math.sqrt(ME * (ep + ME) / 2)
    pa = math.sqrt(ea**2 - ma**2)
    pp = math.sqrt(epc**2 - ME**2)
    t = ma**2 + ME**2 - 2 * (epc * ea - pp * pa * c)
    up, tp, tm = ME**2 + ma**2 - s - t, ME**2 - t, t * (-(ma**2) + s + t)
    m2 = (-4 * (-(ME**2) * (s + ma**2) + 3 * ME**4 + tm) / tp**2 - 4 * (ME**2 * (ma**2 - 3 * s - 4 * t) + 7 * ME**4 + tm) / up**2
          + 2 * 4 * (ME**2 * (s - 2 * t) - 3 * ME**4 + tm) / (up * tp))
    return E2 * g**2 * 2 * epc * ea * m2 / (16 * math.pi * (s - 4 * ME**2) * s)


def test_associated_against_alplib():
    for c in (-0.9, 0.0, 0.5, 0.99):
        assert alplib_associated_dsdcos(c, 1.0, 0.0, 1.0) / X.associated_dsigma_dcos(c, 1.0, 0.0, 1.0) == pytest.approx(4.0, rel=1e-3)
    r = [alplib_associated_dsdcos(c, 0.1, 0.005, 1.0) / X.associated_dsigma_dcos(c, 0.1, 0.005, 1.0) for c in (-0.9, 0.0, 0.99)]
    assert r == pytest.approx([3.766, 3.571, 5.378], abs=0.005)


# ------------------------------------------------------------------------------ bremsstrahlung


def _ww_d2sigma_dx_dl(x, l, E, amp2, chi, ma=0.0):
    """WW: dsigma/dx dcos = (2 alpha chi/pi) E^2 x beta/(1-x) <|M|^2>/(16 pi s~^2), dcos = m^2 dl/(2 E^2)."""
    U = ME**2 * x * (1 + l) + ma**2 * (1 - x) / x
    st = U / (1 - x)
    beta = math.sqrt(1 - ma**2 / (x * E) ** 2)
    return ALPHA_EM * chi * ME**2 * x * beta * amp2(st, -U) / (16 * math.pi**2 * (1 - x) * st**2)


def test_ww_normalisation_reproduces_bethe_heitler():
    """QED Compton <|M|^2> = 2 e^4 [-u'/s' - s'/u' + 4m^2 (1/s' + 1/u') + 4 m^4 (1/s' + 1/u')^2], complete screening
    chi = Z^2 [ln(a^2 m^2 (1+l)^2) - 1]: the WW integral is Bethe-Heitler's Z^2 part
    (4 alpha^3/(m^2 y)) Z^2 [(4/3 - 4y/3 + y^2) ln(111 e^1/2 Z^-1/3) + (1 - y)/9] (L_rad with Tsai's a = 111 Z^-1/3/m)."""
    qed = lambda sp, up: 2 * E2**2 * (-up / sp - sp / up + 4 * ME**2 * (1 / sp + 1 / up) + 4 * ME**4 * (1 / sp + 1 / up) ** 2)
    Z = 26.0
    a = 111 * Z ** (-1 / 3) / ME
    for y in (0.1, 0.5, 0.9):
        f = lambda v: math.exp(v) * _ww_d2sigma_dx_dl(y, math.expm1(v), 10.0, qed, Z * Z * (math.log((a * ME * math.exp(v)) ** 2) - 1))
        ww = integrate.quad(f, 0, 80, limit=400, epsabs=0, epsrel=1e-11)[0]
        bh = 4 * ALPHA_EM**3 / (ME**2 * y) * Z * Z * ((4 / 3 - 4 * y / 3 + y * y) * math.log(111 * math.exp(0.5) * Z ** (-1 / 3)) + (1 - y) / 9)
        assert ww == pytest.approx(bh, rel=1e-8, abs=0)


@pytest.mark.parametrize("x,l,E,ma", [(0.3, 0.0, 1.0, 0.001), (0.7, 3.0, 5.0, 0.01), (0.95, 50.0, 0.2, 0.002), (0.5, 0.5, 10.0, 0.1)])
def test_brems_angular_formula_is_ww_with_pseudoscalar_compton(x, l, E, ma):
    Z, A = 18.0, 39.948
    U = ME**2 * x * (1 + l) + ma**2 * (1 - x) / x
    chi = X.brems_chi((U / (2 * E * (1 - x))) ** 2, ME**2 * (1 + l) ** 2 + ma**2, Z, A)
    ww = _ww_d2sigma_dx_dl(x, l, E, lambda sp, up: math.pi * ALPHA_EM * 0.04 * X.compton_m2c(sp, up, ma), chi, ma)
    assert X.brems_d2sigma_dx_dl(x, l, E, ma, 0.2, Z, A) == pytest.approx(ww, rel=1e-10, abs=0)


def test_brems_closed_form_is_the_screened_angular_integral():
    Z = 26.0
    a, ap = 111 * Z ** (-1 / 3) / ME, 773 * Z ** (-2 / 3) / ME
    for x, ma in ((0.2, 1e-4), (0.5, 0.001), (0.9, 0.003), (0.5, 0.02)):
        amp2 = lambda sp, up: math.pi * ALPHA_EM * X.compton_m2c(sp, up, ma)
        chi = lambda l: Z * Z * (math.log((a * ME * (1 + l)) ** 2) - 1) + Z * (math.log((ap * ME * (1 + l)) ** 2) - 1)
        f = lambda v: math.exp(v) * _ww_d2sigma_dx_dl(x, math.expm1(v), 1e4, amp2, chi(math.expm1(v)), ma)
        ww = integrate.quad(f, 0, 80, limit=400, epsabs=0, epsrel=1e-11)[0]
        assert X.brems_dsigma_dx_screened(x, 1e4, ma, 1.0, Z) == pytest.approx(ww, rel=1e-7, abs=0)


def alplib_brem_dsigma_dx(x, E, g, ma, z):
    """E x alplib prod_xs.brem_dsigma_dea (Tsai 1986 integrated, complete screening)."""
    r0 = ALPHA_EM / ME
    f = (ma / (x * ME)) ** 2 * (1 - x)
    ln_el, ln_inel = math.log(184 * z ** (-1 / 3)), math.log(1194 * z ** (-2 / 3))
    ps = (x * (1 + f / 1.5) / (1 + f) ** 2) * (z * z * ln_el + z * ln_inel) + x * (z * z + z) * (
        (1 + f) * math.log(1 + f) / (3 * f * f) - (1 + 4 * f + 2 * f * f) / (3 * f * (1 + f) ** 2))
    return 2 * r0**2 * g**2 / (4 * math.pi) * ps


def test_brems_against_alplib_integrated_tsai_formula():
    """alplib's integrated formula = (alpha^2 g^2 x/(4 pi m^2)) [K (Z^2 (2 ln 184.. - 2) + Z (2 ln 1194.. - 2)) + (Z^2 + Z) J/2]:
    the angular integral with tmax = m^2 (1 + l) (half the ln(1+l) of chi); ours (tmax = m^2 (1+l)^2, Bethe-Heitler's) has J."""
    Z = 26.0
    for x, ma, want in ((0.2, 1e-4, 0.852), (0.5, 0.001, 0.780), (0.9, 0.003, 0.801), (0.5, 0.01, 0.661)):
        f = ma**2 * (1 - x) / (ME**2 * x**2)
        K = (1 + 2 * f / 3) / (1 + f) ** 2
        J = 4 / 3 * (1 / (1 + f) + (1 + f) * math.log1p(f) / f**2 - 1 / f)
        pre = ALPHA_EM**2 * x / (4 * math.pi * ME**2)
        ident = pre * (K * (Z * Z * (2 * math.log(184 * Z ** (-1 / 3)) - 2) + Z * (2 * math.log(1194 * Z ** (-2 / 3)) - 2)) + (Z * Z + Z) * J / 2)
        alp = alplib_brem_dsigma_dx(x, 1e4, 1.0, ma, Z)
        assert alp == pytest.approx(ident, rel=1e-9, abs=0)
        ratio = alp / X.brems_dsigma_dx_screened(x, 1e4, ma, 1.0, Z)
        assert ratio == pytest.approx(want, abs=0.002)

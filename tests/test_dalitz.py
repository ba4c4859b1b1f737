"""HNL three-body matrix elements: widths and Dalitz distributions.

* The Monte Carlo integral of each ``dGamma/ds12 ds23`` (fipgen.decays.hnl_matrix_elements)
  over phase space reproduces the closed-form partial widths of Bondarenko, Boyarsky,
  Gorbunov, Ruchayskiy, arXiv:1805.08567 (written out below, independently of the code)
  within 1 %.
* Events from ``sample_decays`` follow the analytic Dalitz density (chi-square over a 2-D
  binning, p > 1e-3), and the same test rejects flat phase space (p < 1e-3).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from fipgen.constants import G_FERMI, mass
from fipgen.decays import hnl_matrix_elements as hme
from fipgen.decays.sampler import sample_decays, three_body_density
from fipgen.decays.threebody import dalitz_bounds, in_dalitz, phase_space_integral, sample_dalitz
from fipgen.kinematics import invariant_mass
from fipgen.models.base import Channel

ME, MMU = mass(11), mass(13)
SW2 = hme.SIN2_THETA_W


def _pref(M):
    """G_F^2 M^5 / (192 pi^3): the Dirac prefactor of 1805.08567 sec. 3 (|U|^2 = 1)."""
    return G_FERMI**2 * M**5 / (192 * np.pi**3)


def _L(x):
    # the logarithm of 1805.08567's NC width, in the stable form of docs/physics.md#hnl-decays
    return 2 * np.log(4 * x**2 / (1 + np.sqrt(1 - 4 * x**2)) ** 2)


def gamma_nc_closed(M, ml, same):
    """1805.08567 sec. 3 (C1..C4 form): Gamma(N -> nu_a l_b l_b), Dirac, |U_a|^2 = 1."""
    x = ml / M
    r = np.sqrt(1 - 4 * x**2)
    f1 = (1 - 14 * x**2 - 2 * x**4 - 12 * x**6) * r + 12 * x**4 * (x**4 - 1) * _L(x)
    f2 = x**2 * (2 + 10 * x**2 - 12 * x**4) * r + 6 * x**4 * (1 - 2 * x**2 + 2 * x**4) * _L(x)
    if same:
        c_a, c_b = 0.25 * (1 + 4 * SW2 + 8 * SW2**2), 0.5 * SW2 * (2 * SW2 + 1)  # C3, C4
    else:
        c_a, c_b = 0.25 * (1 - 4 * SW2 + 8 * SW2**2), 0.5 * SW2 * (2 * SW2 - 1)  # C1, C2
    return _pref(M) * (c_a * f1 + 4 * c_b * f2)


def gamma_cc_one_mass(M, m):
    """1805.08567 sec. 3.2 (muon-decay function): one massive lepton, x = m/M."""
    x2 = (m / M) ** 2
    return _pref(M) * (1 - 8 * x2 + 8 * x2**3 - x2**4 - 12 * x2**2 * np.log(x2))


def gamma_cc_I(M, ma, mb):
    """1805.08567 sec. 3: Gamma = prefactor * I(x_b, 0, x_a), the 1-D integral over the
    (l_b nu_b) pair mass s: I = 12 int ds/s (s - x_b^2)(1 + x_a^2 - s) lambda^1/2(s, x_b^2, 0)
    lambda^1/2(1, s, x_a^2)."""
    xa2, xb2 = (ma / M) ** 2, (mb / M) ** 2

    def lam(a, b, c):
        return a * a + b * b + c * c - 2 * a * b - 2 * a * c - 2 * b * c

    def f(s):
        return (s - xb2) * (1 + xa2 - s) * np.sqrt(max(lam(s, xb2, 0.0), 0)) * np.sqrt(max(lam(1, s, xa2), 0)) / s

    val, _ = integrate.quad(f, xb2, (1 - np.sqrt(xa2)) ** 2, epsabs=0, epsrel=1e-10)
    return _pref(M) * 12 * val


N_MC = 1_000_000


@pytest.mark.parametrize(
    "M, ml, same",
    [(1.0, ME, True), (1.0, ME, False), (0.5, MMU, False), (0.5, MMU, True), (0.3, MMU, True), (2.0, MMU, False)],
)
def test_nc_width_integral_matches_closed_form(M, ml, same):
    rng = np.random.default_rng(11)
    val, err = phase_space_integral(lambda a, b: hme.dgamma_nc(a, b, M, ml, same_flavour=same), M, 0.0, ml, ml, N_MC, rng)
    ref = gamma_nc_closed(M, ml, same)
    print(f"NC M={M} ml={ml} same={same}: MC {val:.6e} +- {err:.1e}, closed {ref:.6e}, ratio {val / ref:.5f}")
    assert abs(val / ref - 1) < 0.01
    assert err / ref < 0.003


def test_nc_interference_sign_is_tested():
    """The C2/C4 term matters at x = 0.35 (M = 0.3 GeV, muons): flipping its sign moves the
    width by far more than the 1 % tolerance, so the test above fixes the sign."""
    M, ml = 0.3, MMU
    gl, gr = hme.nc_couplings(True)
    rng = np.random.default_rng(3)

    def wrong(a, b):
        flipped = hme.dgamma_nc(a, b, M, ml, same_flavour=True)
        # remove twice the gL gR term: |M|^2 term gL gR m_l^2 (P.p1)
        return flipped - 2 * hme._NORM * gl * gr * ml**2 * 0.5 * (M**2 - b) / M**3

    val, _ = phase_space_integral(wrong, M, 0.0, ml, ml, N_MC, rng)
    assert abs(val / gamma_nc_closed(M, ml, True) - 1) > 0.05


@pytest.mark.parametrize("M, ma, mb", [(1.0, MMU, 0.0), (1.0, 0.0, MMU), (0.5, ME, MMU), (0.5, MMU, ME), (1.5, MMU, MMU)])
def test_cc_width_integral_matches_closed_form(M, ma, mb):
    rng = np.random.default_rng(12)
    val, err = phase_space_integral(lambda a, b: hme.dgamma_cc(a, b, M, ma, mb), M, ma, mb, 0.0, N_MC, rng)
    ref = gamma_cc_I(M, ma, mb)
    if ma == 0.0 or mb == 0.0:
        closed = gamma_cc_one_mass(M, ma + mb)
        assert abs(ref / closed - 1) < 1e-8
    print(f"CC M={M} ma={ma} mb={mb}: MC {val:.6e} +- {err:.1e}, 1805.08567 {ref:.6e}, ratio {val / ref:.5f}")
    assert abs(val / ref - 1) < 0.01


def test_three_nu_width_integral():
    M = 0.8
    rng = np.random.default_rng(13)
    val, _ = phase_space_integral(lambda a, b: hme.dgamma_3nu(a, b, M), M, 0.0, 0.0, 0.0, N_MC, rng)
    ref = _pref(M)  # 1805.08567 sec. 3, Dirac, summed over flavours
    print(f"3nu M={M}: MC {val:.6e}, closed {ref:.6e}, ratio {val / ref:.5f}")
    assert abs(val / ref - 1) < 0.01


# --- Dalitz distributions --------------------------------------------------------------


def _expected(dens, M, ms, e12, e23, rng, n=8_000_000):
    """Bin probabilities of ``dens`` on the (s12, s23) binning, by MC integration."""
    a, b, c, d = dalitz_bounds(M, *ms)
    x = a + (b - a) * rng.random(n)
    y = c + (d - c) * rng.random(n)
    ins = in_dalitz(x, y, M, *ms)
    w = np.zeros(n)
    w[ins] = dens(x[ins], y[ins])
    h, _, _ = np.histogram2d(x, y, bins=[e12, e23], weights=w)
    return h / h.sum()


def _chi2(s12, s23, prob, e12, e23):
    h, _, _ = np.histogram2d(s12, s23, bins=[e12, e23])
    exp = prob * s12.size
    ok = exp > 10
    chi2 = float(np.sum((h[ok] - exp[ok]) ** 2 / exp[ok]))
    dof = int(ok.sum()) - 1
    return chi2, dof, float(stats.chi2.sf(chi2, dof))


CASES = [
    ("nu_e e+ e-", 1.0, None),  # NC with W/Z interference
    ("nu_mu e+ e-", 1.0, None),  # NC only
    ("nu_mu mu+ mu-", 0.6, None),  # NC + interference, massive leptons
    ("e- mu+ nu_mu", 1.0, None),  # CC
    ("mu- e+ nu_e", 0.5, None),  # CC, massive l_a
    ("nu nu nu", 0.5, None),
    ("pi+ pi- pi0", 0.9, "zprime"),  # vector -> 3 pi (GSW, rho pi)
    ("pi+ pi- pi0", 1.2, "alp"),  # 1708.00443
]


@pytest.mark.parametrize("name, M, model", CASES)
def test_dalitz_matches_matrix_element_and_rejects_flat(name, M, model):
    rng = np.random.default_rng(2024)
    n = 200_000
    ch = Channel(name, (), conjugate=False, kind="three-body")
    par = np.zeros((n, 4))
    par[:, 0] = 0.7
    par[:, 2] = 2.0
    par[:, 3] = np.sqrt(0.49 + 4.0 + M * M)
    out = sample_decays(par, M, ch, rng, model=model, decay_resonances=())
    from fipgen.decays.resonances import parse_channel, sm_mass

    codes = parse_channel(name)
    masses = [sm_mass(c) for c in codes]
    dens, perm, label = three_body_density(codes, M, masses, model)
    ms = [masses[i] for i in perm]
    p = out.p4[:, list(perm), :]
    s12 = invariant_mass(p[:, 0] + p[:, 1]) ** 2
    s23 = invariant_mass(p[:, 1] + p[:, 2]) ** 2
    a, b, c, d = dalitz_bounds(M, *ms)
    e12 = np.linspace(a, b, 21)
    e23 = np.linspace(c, d, 21)
    prob = _expected(dens, M, ms, e12, e23, np.random.default_rng(7))
    chi2, dof, pval = _chi2(s12, s23, prob, e12, e23)
    fs12, fs23 = sample_dalitz(lambda x, y: np.ones_like(x), M, *ms, n, rng)
    chi2f, doff, pflat = _chi2(fs12, fs23, prob, e12, e23)
    print(f"{name} ({label}): ME chi2/dof = {chi2:.1f}/{dof} p = {pval:.3g}; flat chi2/dof = {chi2f:.0f}/{doff} p = {pflat:.3g}")
    assert pval > 1e-3
    assert pflat < 1e-3


def test_sampler_recovers_from_underestimated_maximum():
    """fmax far too small: the sampler raises it and redraws; the sample is still exact."""
    M, ml = 1.0, MMU
    dens = lambda x, y: hme.dgamma_nc(x, y, M, ml, same_flavour=True)  # noqa: E731
    rng = np.random.default_rng(5)
    s12, s23 = sample_dalitz(dens, M, 0.0, ml, ml, 100_000, rng, fmax=1e-30)
    a, b, c, d = dalitz_bounds(M, 0.0, ml, ml)
    e12, e23 = np.linspace(a, b, 16), np.linspace(c, d, 16)
    prob = _expected(dens, M, (0.0, ml, ml), e12, e23, np.random.default_rng(8))
    _, _, pval = _chi2(s12, s23, prob, e12, e23)
    assert pval > 1e-3


def test_flat_nbody_is_flat_phase_space():
    """GENBOD with three bodies gives a flat Dalitz plot (chi-square against flat), and
    rejects the N -> nu e e matrix element."""
    from fipgen.decays.threebody import flat_nbody

    M, ms = 1.0, (0.13957, 0.13957, 0.13498)
    n = 200_000
    rng = np.random.default_rng(21)
    par = np.zeros((n, 4))
    par[:, 1] = 1.3
    par[:, 3] = np.sqrt(1.69 + M * M)
    p = flat_nbody(par, M, ms, rng)
    assert np.all(np.abs(p.sum(axis=1) - par) < 1e-12 * par[:, 3:4])
    s12 = invariant_mass(p[:, 0] + p[:, 1]) ** 2
    s23 = invariant_mass(p[:, 1] + p[:, 2]) ** 2
    a, b, c, d = dalitz_bounds(M, *ms)
    e12, e23 = np.linspace(a, b, 21), np.linspace(c, d, 21)
    prob = _expected(lambda x, y: np.ones_like(x), M, ms, e12, e23, np.random.default_rng(9))
    chi2, dof, pval = _chi2(s12, s23, prob, e12, e23)
    print(f"GENBOD 3-body flat: chi2/dof = {chi2:.1f}/{dof} p = {pval:.3g}")
    assert pval > 1e-3
    me = _expected(lambda x, y: hme.dgamma_nc(x, y, M, 0.13957), M, ms, e12, e23, np.random.default_rng(9))
    assert _chi2(s12, s23, me, e12, e23)[2] < 1e-3

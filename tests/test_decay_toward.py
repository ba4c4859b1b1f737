"""FIPs from decaying parents aimed at a detector (fipgen.production.aiming).

* the numba kernels against their plain-numpy references;
* unbiasedness: the weighted aimed sample against a plain forward Monte Carlo written
  here (isotropic or polarised rest-frame decays, boosted with the textbook formula,
  counted when the ray crosses the solid according to its chords) -- acceptance (pull)
  and FIP energy spectrum inside the acceptance (chi-square), for light and heavy FIPs
  (kinematic cone), parents in flight and at rest;
* weights in [0, 1/(1 - alpha)], FIP on its mass shell;
* K -> pi l N: the sampled N energy spectrum against the differential width by
  quadrature, its integral against hnl_production._kl3_width, the SM limit against PDG;
* tau -> N l nu: spectra against the widths of hnl_production, massless limits;
* polarisation: helicity of N from h -> l N (limits and values by hand), analysing powers,
  spin axes (Wigner rotation) against explicit four-vector boosts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fipgen import constants as C
from fipgen.geometry.frames import Placement
from fipgen.geometry.shapes import Box, Solid
from fipgen.models import hnl_production as HP
from fipgen.models import hnl_widths as HW
from fipgen.models.hnl import HNL
from fipgen.production import aiming as DT
from fipgen.production.channels import hnl_kinematics as HK

DET = Solid.single(Box((3.0, 3.0, 6.0)), Placement(translation=(1.0, 0.0, 48.0)))


def population(rng, n, M, frac_rest=0.3, pmin=1.0, pmax=20.0, theta_max=0.05):
    """Parents: momentum uniform in [pmin, pmax] within theta_max of the z axis, a fraction at
    rest; vertices spread over 30 m of a decay pipe along z."""
    p = rng.uniform(pmin, pmax, n)
    th = theta_max * np.sqrt(rng.random(n))
    ph = rng.uniform(0, 2 * np.pi, n)
    par = np.column_stack([p * np.sin(th) * np.cos(ph), p * np.sin(th) * np.sin(ph), p * np.cos(th), np.hypot(p, M)])
    rest = rng.random(n) < frac_rest
    par[rest, :3] = 0.0
    par[rest, 3] = M
    vtx = np.column_stack([rng.normal(0, 0.3, n), rng.normal(0, 0.3, n), rng.uniform(0, 30, n)])
    return par, vtx


def random_axes(rng, n):
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1)[:, None]


def plain_decays(rng, par, M, m, pstar, axis=None, asym=0.0):
    """Independent forward MC: rest-frame direction by accept-reject on (1 + a s.n)/4 pi
    (isotropic proposal), textbook boost p + [(gamma-1)(b.p)/b^2 + gamma E] b."""
    n = par.shape[0]
    pstar = np.broadcast_to(np.asarray(pstar, dtype=float), (n,))
    asym = np.broadcast_to(np.asarray(asym, dtype=float), (n,))
    nst = np.empty((n, 3))
    todo = np.arange(n)
    while todo.size:
        v = rng.normal(size=(todo.size, 3))
        v /= np.linalg.norm(v, axis=1)[:, None]
        f = 1.0 if axis is None else 1.0 + asym[todo] * np.sum(axis[todo] * v, axis=1)
        keep = rng.random(todo.size) * 2.0 < f
        nst[todo[keep]] = v[keep]
        todo = todo[~keep]
    k = pstar[:, None] * nst
    e = np.sqrt(pstar**2 + m * m)
    b = par[:, :3] / par[:, 3:4]
    b2 = np.sum(b * b, axis=1)
    g = par[:, 3] / M
    bk = np.sum(b * k, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = np.where(b2 > 0, (g - 1) * bk / b2, 0.0) + g * e
    plab = k + coef[:, None] * b
    elab = g * (e + bk)
    return plab, elab


def hits(vtx, plab):
    d = plab / np.linalg.norm(plab, axis=1)[:, None]
    return DET.chords(vtx, d).n > 0


def compare(forced_w, forced_e, n_forced, plain_hit_e, n_plain, label, nbins=10):
    """Pull of the acceptance and chi-square of the energy spectrum inside it."""
    acc_f = forced_w.sum() / n_forced
    err_f = math.sqrt(np.sum(forced_w**2) / n_forced - acc_f**2) / math.sqrt(n_forced)
    k = plain_hit_e.size
    acc_p, err_p = k / n_plain, math.sqrt(k) / n_plain
    pull = (acc_f - acc_p) / math.hypot(err_f, err_p)
    edges = np.quantile(plain_hit_e, np.linspace(0, 1, nbins + 1))
    edges[0], edges[-1] = 0.0, np.inf
    fw, _ = np.histogram(forced_e, edges, weights=forced_w)
    fw2, _ = np.histogram(forced_e, edges, weights=forced_w**2)
    pc, _ = np.histogram(plain_hit_e, edges)
    chi2 = float(np.sum((fw / n_forced - pc / n_plain) ** 2 / (fw2 / n_forced**2 + pc / n_plain**2)))
    print(f"{label}: acceptance aimed {acc_f:.5g} +- {err_f:.2g}, plain {acc_p:.5g} +- {err_p:.2g} ({k} hits), "
          f"pull {pull:+.2f}; spectrum chi2 {chi2:.1f}/{nbins}")
    return pull, chi2, k


# ------------------------------------------------------------------------ kernels


@pytest.mark.parametrize("m", [0.0, 0.02, 0.3])
def test_kernels_match_numpy_reference(m):
    """aim_kernels (numba) equals aim_kernels_numpy (independent algebra) for random
    parents in flight and at rest, random spin axes and asymmetries; tolerance 1e-8 relative
    on momenta, 1e-6 on densities and weights."""
    rng = np.random.default_rng(11)
    n = 3000
    M = C.mass(321)
    ps = DT.two_body_pstar(M, m, C.mass(13))
    par, vtx = population(rng, n, M)
    aimed = rng.random(n) < 0.8
    t = DET.sample_points(n, rng) - vtx
    d = t / np.linalg.norm(t, axis=1)[:, None]
    ax, a = random_axes(rng, n), rng.uniform(-1, 1, n)
    ud, up = rng.random((n, 2)), rng.random(n)

    def qf(dd):
        return DET.proposal_density(vtx, dd)

    x = DT.aim_kernels(par, M, m, ps, d, aimed, qf, 0.9, ud, up, spin_axis=ax, asymmetry=a)
    y = DT.aim_kernels_numpy(par, M, m, ps, d, aimed, qf, 0.9, ud, up, spin_axis=ax, asymmetry=a)
    assert np.allclose(x["p4"], y["p4"], rtol=1e-8, atol=1e-12)
    assert np.allclose(x["direction"], y["direction"], rtol=0, atol=1e-12)
    assert np.allclose(x["rest_direction"], y["rest_direction"], rtol=0, atol=1e-8)
    # g ~ 1/R at the cone edge, where the textbook quadratic of the reference loses digits
    assert np.allclose(x["g"], y["g"], rtol=1e-6, atol=0)
    assert np.allclose(x["weight"], y["weight"], rtol=1e-6, atol=1e-12)
    assert (x["g"] > 0).sum() > 0.3 * n


def test_lab_density_massless_closed_form():
    """For a massless FIP g(d) = (1/4pi) / [gamma^2 (1 - beta cos alpha)^2] (aberration)."""
    rng = np.random.default_rng(3)
    n = 500
    M = C.mass(211)
    par, _ = population(rng, n, M, frac_rest=0.1)
    d = random_axes(rng, n)
    g = DT.lab_density(par, M, 0.0, 0.03, d)
    gam = par[:, 3] / M
    beta = par[:, :3] / par[:, 3:4]
    ref = 1 / (4 * np.pi * gam**2 * (1 - np.sum(beta * d, axis=1)) ** 2)
    assert np.allclose(g, ref, rtol=1e-9)


def test_lab_density_integrates_to_one():
    """int g dOmega = 1 for a heavy FIP inside its cone (two solutions, 1/R edge
    singularity): quadrature in u = sqrt(1 - sin(alpha)/sin(alpha_max)) near the edge."""
    M, m = C.mass(321), 0.3
    ps = DT.two_body_pstar(M, m, C.mass(13))
    p = 5.0
    par = np.array([[0.0, 0.0, p, math.hypot(p, M)]])
    smax = ps / (m * p / M)
    assert smax < 1
    z, w = np.polynomial.legendre.leggauss(200)
    # alpha in [0, alpha_max]: alpha = alpha_max (1 - v^2), v in [0, 1] removes the 1/sqrt edge
    amax = math.asin(smax)
    v = 0.5 * (z + 1)
    alpha = amax * (1 - v**2)
    jac = amax * 2 * v * 0.5 * w
    d = np.column_stack([np.sin(alpha), 0 * alpha, np.cos(alpha)])
    g = DT.lab_density(np.repeat(par, v.size, axis=0), M, m, ps, d)
    total = np.sum(2 * np.pi * np.sin(alpha) * g * jac)
    assert total == pytest.approx(1.0, rel=2e-3)


# ------------------------------------------------------------------------ unbiasedness

CASES = [
    # label, parent, lepton mass, FIP mass, asymmetry
    ("pi -> mu N light", 211, 13, 0.02, 0.0),
    ("K -> mu N heavy (cone)", 321, 13, 0.3, 0.0),
    ("K -> e N massless", 321, 11, 0.0, 0.0),
    ("tau -> N pi polarised", 15, 211, 0.5, 0.8),
]


@pytest.mark.parametrize("label,parent,other,m,asym", CASES)
def test_aimed_sample_reproduces_plain_monte_carlo(label, parent, other, m, asym):
    """Weighted aimed decays vs plain forward decays counted in the solid: acceptance pull
    |pull| < 4 and FIP-energy chi-square < 30 for 10 bins (p ~ 1e-3)."""
    rng = np.random.default_rng(sum(map(ord, label)))
    M = C.mass(parent)
    ps = DT.two_body_pstar(M, m, C.mass(other))
    n_f, n_p = 300_000, 3_000_000
    par, vtx = population(rng, n_f, M)
    ax = random_axes(rng, n_f)
    r = DT.aim_decays(par, M, vtx, m, ps, DET, rng, alpha=0.9, spin_axis=ax, asymmetry=asym)
    assert np.all(r.weight <= 1 / (1 - 0.9) * (1 + 1e-12)) and np.all(r.weight >= 0)
    e_hit = []
    for _ in range(6):
        par_p, vtx_p = population(rng, n_p // 6, M)
        plab, elab = plain_decays(rng, par_p, M, m, ps, random_axes(rng, n_p // 6), asym)
        h = hits(vtx_p, plab)
        e_hit.append(elab[h])
    pull, chi2, k = compare(r.weight, r.p4[:, 3], n_f, np.concatenate(e_hit), n_p, label)
    assert k > 3000
    assert abs(pull) < 4
    assert chi2 < 30


def test_cone_case_has_two_solutions_and_unbounded_g():
    """The heavy case really probes the cone: some aimed directions have no solution
    (g = 0), g reaches values far above the aimed proposal near the edge, and the
    weights stay bounded."""
    rng = np.random.default_rng(5)
    M, m = C.mass(321), 0.3
    ps = DT.two_body_pstar(M, m, C.mass(13))
    par, vtx = population(rng, 200_000, M, frac_rest=0.0)
    r = DT.aim_decays(par, M, vtx, m, ps, DET, rng)
    assert np.mean(r.g[r.aimed] == 0) > 0.1
    assert np.max(r.g / np.where(r.q > 0, r.q, np.inf)) > 100
    assert r.weight.max() <= 10.0 + 1e-9


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 0.99])
def test_weights_bounded_and_on_shell(alpha):
    """0 <= w <= 1/(1 - alpha); the FIP is on its mass shell (m^2 to 1e-9 GeV^2); the ray
    of every non-zero weight crosses the solid."""
    rng = np.random.default_rng(8)
    M = C.mass(321)
    for m in (0.0, 0.05, 0.35):
        ps = DT.two_body_pstar(M, m, C.mass(13))
        par, vtx = population(rng, 50_000, M, pmax=200.0)
        r = DT.aim_decays(par, M, vtx, m, ps, DET, rng, alpha=alpha, spin_axis=random_axes(rng, 50_000),
                          asymmetry=rng.uniform(-1, 1, 50_000))
        w = r.weight
        assert np.all(np.isfinite(w)) and np.all(w >= 0)
        assert np.all(w <= 1 / (1 - alpha) * (1 + 1e-12))
        ok = w > 0
        p = np.linalg.norm(r.p4[ok, :3], axis=1)
        e = r.p4[ok, 3]
        # m^2 = (E - |p|)(E + |p|) to 1e-9 GeV^2 (a float64 four-vector at E = 200 GeV
        # cannot hold m itself better than ~1e-6 for m -> 0)
        assert np.max(np.abs((e - p) * (e + p) - m * m)) < 1e-9
        assert np.allclose(r.p4[ok, :3] / p[:, None], r.direction[ok], atol=1e-12)
        assert np.all(DET.chords(vtx[ok], r.direction[ok]).n > 0)


def test_rejects_bad_alpha_and_asymmetry():
    rng = np.random.default_rng(0)
    par = np.array([[0, 0, 1.0, 1.5]])
    with pytest.raises(ValueError, match="alpha"):
        DT.aim_decays(par, 1.118, [[0, 0, 0]], 0.1, 0.2, DET, rng, alpha=1.0)
    with pytest.raises(ValueError, match="asymmetry"):
        DT.aim_decays(par, 1.118, [[0, 0, 0]], 0.1, 0.2, DET, rng, asymmetry=1.5)


# ------------------------------------------------------------------------ K -> pi l N


def _kl3_inputs(kaon, lepton, m_n):
    kc = HW.hnl_constants()
    pion = 111 if kaon == 321 else 211
    return (C.mass(kaon), C.mass(pion), C.mass({"e": 11, "mu": 13}[lepton]), m_n, kc["kl3"]["f_plus_0"], C.mass(323),
            kc["kl3"]["scalar_pole"])


@pytest.mark.parametrize("kaon,lepton,m_n", [(321, "e", 0.2), (130, "mu", 0.1), (321, "mu", 1e-6), (130, "e", 0.3)])
def test_kl3_spectrum_sampler_and_integral(kaon, lepton, m_n):
    """Sampled E_N (2e5 events) vs dGamma/dE_N integrated per bin (Gauss-Legendre): chi-square
    < 50 for 20 bins (p ~ 2e-4); integral of dGamma/dE_N vs _kl3_width within 1 % (observed
    < 1e-5)."""
    k = _kl3_inputs(kaon, lepton, m_n)
    lo, hi = HK.kl3_energy_range(k[0], k[1], k[2], k[3])
    z, w = np.polynomial.legendre.leggauss(200)
    th = 0.5 * np.pi * (z + 1)
    E = lo + 0.5 * (hi - lo) * (1 - np.cos(th))
    total = np.sum(0.5 * np.pi * w * 0.5 * (hi - lo) * np.sin(th) * HK.kl3_dgamma_dE(E, *k))
    ref = HP._kl3_width(k[0], k[1], k[2], k[3], k[4], k[5], k[6])
    assert total == pytest.approx(ref, rel=0.01)
    rng = np.random.default_rng(17)
    n = 200_000
    s = HK.sample_kl3_energy(n, rng, *k)
    assert s.min() >= lo and s.max() <= hi
    edges = np.linspace(lo, hi, 21)
    cnt, _ = np.histogram(s, edges)
    zz, ww = np.polynomial.legendre.leggauss(16)
    exp = []
    for a, b in zip(edges[:-1], edges[1:]):
        x = 0.5 * (b - a) * zz + 0.5 * (a + b)
        exp.append(0.5 * (b - a) * np.sum(ww * HK.kl3_dgamma_dE(x, *k)))
    exp = np.array(exp) / total * n
    chi2 = float(np.sum((cnt - exp) ** 2 / exp))
    print(f"K{kaon} -> pi {lepton} N, m_N = {m_n}: integral/_kl3_width - 1 = {total / ref - 1:.2e}, chi2 {chi2:.1f}/20")
    assert chi2 < 50


@pytest.mark.parametrize(
    "kaon,lepton,br_pdg,gap",
    [(321, "e", 0.0507, 0.068), (321, "mu", 0.03352, 0.060), (130, "e", 0.4055, 0.026), (130, "mu", 0.2704, 0.027)],
)
def test_kl3_spectrum_sm_limit(kaon, lepton, br_pdg, gap):
    """m_N -> 0: the integral of the sampled spectrum's density gives BR(K_l3) below PDG 2024
    (K+ pi0 e 5.07 %, pi0 mu 3.352 %, K_L pi e 40.55 %, pi mu 27.04 %) by the known tree-level
    gap: 6.8 / 6.0 % for K+ (isospin breaking in the K+ pi0 form factor, EM corrections),
    2.6 / 2.7 % for K_L (EM corrections); tolerance 0.5 % absolute on the gap."""
    k = _kl3_inputs(kaon, lepton, 1e-9)
    lo, hi = HK.kl3_energy_range(*k[:4])
    z, w = np.polynomial.legendre.leggauss(200)
    th = 0.5 * np.pi * (z + 1)
    E = lo + 0.5 * (hi - lo) * (1 - np.cos(th))
    total = np.sum(0.5 * np.pi * w * 0.5 * (hi - lo) * np.sin(th) * HK.kl3_dgamma_dE(E, *k))
    iso = 0.5 if kaon == 321 else 1.0
    vus = HW.hnl_constants()["ckm"]["Vus"]
    br = iso * C.G_FERMI**2 * vus**2 * total / C.width(kaon)
    assert 1 - br / br_pdg == pytest.approx(gap, abs=5e-3)


# ------------------------------------------------------------------------ tau -> N l nu


@pytest.mark.parametrize("channel", list(HK.TAU_LEPTONIC))
@pytest.mark.parametrize("m_n", [0.1, 0.6, 1.2])
def test_tau_leptonic_spectrum_integrates_to_width(channel, m_n):
    """int dGamma/dE_N dE = width_tau_to_hnl / |U|^2 (1805.08567 sec. 2.2 through
    cc_integral), tolerance 1e-4; the sampled spectrum matches (chi-square < 50, 20 bins)."""
    kind, lp = HK.TAU_LEPTONIC[channel]
    mt, ml = C.mass(15), C.mass(lp)
    lo, hi = m_n, (mt**2 + m_n**2 - ml**2) / (2 * mt)
    z, w = np.polynomial.legendre.leggauss(400)
    th = 0.5 * np.pi * (z + 1)
    E = lo + 0.5 * (hi - lo) * (1 - np.cos(th))
    f, a = HK.tau_leptonic_spectrum(E, mt, m_n, ml, kind)
    total = C.G_FERMI**2 * np.sum(0.5 * np.pi * w * 0.5 * (hi - lo) * np.sin(th) * f)
    U = (0.0, 0.0, 1.0) if kind == "A" else ((1.0, 0.0, 0.0) if lp == 11 else (0.0, 1.0, 0.0))
    ref = HP.width_tau_to_hnl(channel, HNL(m_n, U))
    assert total == pytest.approx(ref, rel=1e-4)
    assert np.all(np.abs(a) <= 1)
    rng = np.random.default_rng(4)
    s, sa = HK.sample_tau_leptonic_energy(100_000, rng, mt, m_n, ml, kind)
    edges = np.linspace(lo, hi, 21)
    cnt, _ = np.histogram(s, edges)
    zz, ww = np.polynomial.legendre.leggauss(16)
    exp = np.array([0.5 * (b - a_) * np.sum(ww * HK.tau_leptonic_dgamma(0.5 * (b - a_) * zz + 0.5 * (a_ + b), mt, m_n, ml, kind))
                    for a_, b in zip(edges[:-1], edges[1:])])
    exp = exp / exp.sum() * s.size
    chi2 = float(np.sum((cnt - exp) ** 2 / exp))
    assert chi2 < 50


def test_tau_leptonic_massless_limits():
    """Massless N and lepton: the muon-decay spectra. Kind A (N on the tau line, like nu_mu)
    x^2 (3 - 2x) with a = (1 - 2x)/(3 - 2x); kind B (N from the W, like nubar_e) x^2 (1 - x)
    with a = 1; normalisation G_F^2 m^5/(192 pi^3) each (x = 2E/m)."""
    m = 1.0
    x = np.linspace(0.05, 0.95, 19)
    E = x * m / 2
    fa, aa = HK.tau_leptonic_spectrum(E, m, 1e-9, 1e-9, "A")
    fb, ab = HK.tau_leptonic_spectrum(E, m, 1e-9, 1e-9, "B")
    unit = m**5 / (192 * np.pi**3)
    # dGamma/dx = (m/2) dGamma/dE; muon decay: dGamma/dx = unit * 2 x^2 (3 - 2x) and unit * 12 x^2 (1 - x)
    assert np.allclose(fa * m / 2, unit * 2 * x**2 * (3 - 2 * x), rtol=1e-6)
    assert np.allclose(aa, (1 - 2 * x) / (3 - 2 * x), atol=1e-6)
    assert np.allclose(fb * m / 2, unit * 12 * x**2 * (1 - x), rtol=1e-6)
    assert np.allclose(ab, 1.0, atol=1e-6)


# ------------------------------------------------------------------------ polarisation


def test_hnl_helicity_limits_and_hand_values():
    """P(h+ -> l+ N), helicity in the h frame. m_N -> 0: -1 (left-handed neutrino of
    pi+ -> mu+ nu); m_l -> 0 < m_N: +1. By hand (PDG masses): pi+ -> mu+ N at m_N = 0.02 GeV:
    E_N = (M^2 + m_N^2 - m_l^2)/2M = 0.031225, E_l = M - E_N = 0.108345, p = 0.023980;
    P = p (E_N - E_l)/(E_N E_l - p^2) = -0.6586. K+ -> mu+ N at m_N = 0.2 GeV: E_N = 0.27551,
    E_l = 0.21817, p = 0.18951, P = +0.4655."""
    mpi, mk, mmu, me = C.mass(211), C.mass(321), C.mass(13), C.mass(11)
    assert HK.hnl_helicity_two_body(mpi, mmu, 1e-7) == pytest.approx(-1.0, abs=1e-9)
    assert HK.hnl_helicity_two_body(mk, mmu, 1e-7) == pytest.approx(-1.0, abs=1e-9)
    assert HK.hnl_helicity_two_body(mk, me, 1e-9) == pytest.approx(-1.0, abs=1e-6)
    assert HK.hnl_helicity_two_body(mk, 1e-9, 0.3) == pytest.approx(1.0, abs=1e-9)
    assert HK.hnl_helicity_two_body(mpi, mmu, 0.02) == pytest.approx(-0.6586, abs=2e-4)
    assert HK.hnl_helicity_two_body(mk, mmu, 0.2) == pytest.approx(0.4655, abs=2e-4)
    for M, ml, mn in [(mpi, mmu, 0.02), (mk, mmu, 0.2), (C.mass(431), C.mass(15), 0.15)]:
        en = (M**2 + mn**2 - ml**2) / (2 * M)
        el = M - en
        p = math.sqrt(en**2 - mn**2)
        assert HK.hnl_helicity_two_body(M, ml, mn) == pytest.approx(p * (en - el) / (en * el - p**2), rel=1e-10)


def test_fermion_meson_asymmetry_crosses_to_hnl_decay_formula():
    """tau- -> N pi- / N rho- has the V-A structure of N -> l- pi+ / l- rho+ with (tau, N) in
    the roles of (N, l): the analysing power equals fipgen.decays.sampler.polarised_asymmetry
    (derived separately there); massless limits -1 (SM tau -> pi nu: pion along the spin) and
    -(M^2 - 2 m_V^2)/(M^2 + 2 m_V^2)."""
    from fipgen.decays.sampler import polarised_asymmetry

    mt = C.mass(15)
    for mn in (0.0, 0.3, 1.0):
        for pdg, spin in ((211, 0), (321, 0), (213, 1)):
            mx = C.mass(pdg)
            assert HK.fermion_meson_asymmetry(mt, mn, mx, spin) == pytest.approx(polarised_asymmetry(mt, mn, mx, spin), abs=1e-12)
    assert HK.fermion_meson_asymmetry(mt, 0.0, C.mass(211), 0) == pytest.approx(-1.0, abs=1e-12)
    mr = C.mass(213)
    assert HK.fermion_meson_asymmetry(mt, 0.0, mr, 1) == pytest.approx(-(mt**2 - 2 * mr**2) / (mt**2 + 2 * mr**2), rel=1e-12)


def test_helicity_axis_against_four_vector_boosts():
    """The closed-form axis equals the spin four-vector taken parent frame -> lab -> N rest
    frame with explicit boosts (1e-8); at rest it is the N direction; for m_N -> 0 it is the
    lab direction (no Wigner rotation for a massless particle)."""
    rng = np.random.default_rng(9)
    M = C.mass(321)
    for m in (0.05, 0.3):
        ps = DT.two_body_pstar(M, m, C.mass(13))
        par, vtx = population(rng, 2000, M, frac_rest=0.2)
        r = DT.aim_decays(par, M, vtx, m, ps, DET, rng, alpha=0.5)
        ok = r.weight > 0
        a = HK.helicity_axis(par[ok], M, r.p4[ok], m, ps)
        b = HK.helicity_axis_numpy(par[ok], M, r.p4[ok], m)
        assert np.allclose(a, b, atol=1e-8)
        rest = np.all(par[ok, :3] == 0, axis=1)
        assert np.allclose(a[rest], r.direction[ok][rest], atol=1e-12)
        # the Wigner rotation is not negligible here (the check has power)
        assert np.max(np.linalg.norm(a[~rest] - r.direction[ok][~rest], axis=1)) > 1e-2
    ps = DT.two_body_pstar(M, 1e-9, C.mass(13))
    par, vtx = population(rng, 2000, M, frac_rest=0.0)
    r = DT.aim_decays(par, M, vtx, 1e-9, ps, DET, rng)
    ok = r.weight > 0
    a = HK.helicity_axis(par[ok], M, r.p4[ok], 1e-9, ps)
    assert np.allclose(a, r.direction[ok], atol=1e-6)


def test_taus_from_ds():
    """Ds -> tau nu: tau on shell, Ds at rest gives the tau helicity axis = its direction;
    mean flight = (|p|/m) c tau with c tau = 87 um (PDG); time = flight / (beta c)."""
    rng = np.random.default_rng(21)
    n = 200_000
    M = C.mass(431)
    par = np.tile([0.0, 0.0, 0.0, M], (n, 1))
    t = HK.taus_from_ds(par, np.zeros((n, 3)), np.zeros(n), np.full(n, 431), rng)
    mt = C.mass(15)
    p = np.linalg.norm(t.p4[:, :3], axis=1)
    assert np.allclose(t.p4[:, 3] ** 2 - p**2, mt**2, rtol=1e-9)
    assert np.allclose(t.spin_axis, t.p4[:, :3] / p[:, None], atol=1e-12)
    ctau = C.HBARC_GEV_M / C.width(15)
    assert ctau == pytest.approx(87.03e-6, rel=0.01)
    assert t.flight.mean() == pytest.approx(np.mean(p / mt) * ctau, rel=0.01)
    assert np.allclose(t.time, t.flight * t.p4[:, 3] / p / C.C_M_PER_NS)
    assert np.all(t.pdg == -15)
    t2 = HK.taus_from_ds(par, np.zeros((n, 3)), np.zeros(n), np.full(n, -431), rng, flight=False)
    assert np.all(t2.flight == 0) and np.all(t2.pdg == 15)

"""Breit-Wigner line shapes of rho, K*, omega, phi made in BSM decays
(fipgen.decays.lineshape and sample_decays(line_shapes=...)).

The reference density is written out again here (not imported), from the PDG masses and
widths: dN/dm ~ BW(m) p*(M; m_a, m) on [m_min, M - m_a]."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from fipgen import constants as C
from fipgen.decays import parse_channel, sample_decays
from fipgen.decays import lineshape as L
from fipgen.decays.resonances import decay_resonances, sm_mass
from fipgen.models.base import Channel

R_BW = 1.5  # GeV^-1, the documented Blatt-Weisskopf radius


def _parents(n, M, rng, pmax=20.0):
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    p = pmax * rng.random(n)[:, None] * d
    return np.column_stack([p, np.sqrt(np.sum(p * p, axis=1) + M * M)])


def _mass(p4):
    return np.sqrt(np.clip(p4[..., 3] ** 2 - np.sum(p4[..., :3] ** 2, axis=-1), 0.0, None))


def _kallen_p(M, a, b):
    lam = (M * M - (a + b) ** 2) * (M * M - (a - b) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2 * M)


def _ref_density(code, M, m_a, m):
    """Independent reference: BW(m) * p*(M; m_a, m), truncated."""
    m0, g0 = C.mass(code), C.width(code)
    if code in (213, 113):
        pis = (C.mass(211), C.mass(111)) if code == 213 else (C.mass(211), C.mass(211))
        modes = [(pis[0], pis[1], 1.0)]
    elif code == 323:  # K+ pi0 : K0S pi+ : K0L pi+ = 1 : 1 : 1 (data/sm_decays.toml)
        modes = [(C.mass(321), C.mass(111), 1 / 3), (C.mass(310), C.mass(211), 1 / 3), (C.mass(130), C.mass(211), 1 / 3)]
    else:
        modes = None
    if modes is None:
        mg = m0 * g0 * np.ones_like(m)
        m_min = {223: 2 * C.mass(211) + C.mass(111), 333: C.mass(130) + C.mass(310)}[code]
    else:
        m_min = max(a + b for a, b, _ in modes)
        g = 0.0
        for a, b, w in modes:
            q, q0 = _kallen_p(m, a, b), _kallen_p(m0, a, b)
            g = g + w * (m0 / m) * (q / q0) ** 3 * (1 + (q0 * R_BW) ** 2) / (1 + (q * R_BW) ** 2)
        mg = m * g0 * g
    bw = 2 * m * mg / ((m * m - m0 * m0) ** 2 + mg * mg) / np.pi
    d = bw * _kallen_p(M, m_a, m)
    return np.where((m >= m_min) & (m <= M - m_a), d, 0.0), m_min


def _ref_cdf(code, M, m_a):
    _, m_min = _ref_density(code, M, m_a, np.array([1.0]))
    lo, hi = m_min, M - m_a
    m0, g0 = C.mass(code), C.width(code)
    xs = np.unique(np.concatenate([np.linspace(lo, hi, 1501), np.clip(m0 + g0 * np.linspace(-6, 6, 1201), lo, hi)]))
    f = lambda x: float(_ref_density(code, M, m_a, np.array([x]))[0][0])  # noqa: E731
    pieces = [integrate.quad(f, a, b, epsabs=0, epsrel=1e-10)[0] for a, b in zip(xs[:-1], xs[1:])]
    c = np.concatenate([[0.0], np.cumsum(pieces)])
    return (lambda x: np.interp(x, xs, c / c[-1])), lo, hi


def _resonance_masses(name, M, n, seed, **kw):
    """Invariant mass of everything but the lepton (first daughter) in N -> l R, R decayed."""
    par = _parents(n, M, np.random.default_rng(seed))
    out = sample_decays(par, M, Channel(name, parse_channel(name)), np.random.default_rng(seed + 1), **kw)
    lep = abs(out.pdg) == abs(parse_channel(name)[0])
    first = np.zeros_like(lep)
    first[np.arange(n), np.argmax(lep, axis=1)] = True
    had = out.p4 * (~first)[..., None]
    return _mass(had.sum(axis=1)), out, par


@pytest.mark.parametrize(
    "name, code, M, near",
    [
        ("mu- rho+", 213, 1.5, False),
        ("mu- rho+", 213, 0.95, True),
        ("nu_mu rho0", 113, 0.9, True),
        ("mu- K*+", 323, 1.2, False),
        ("mu- K*+", 323, 1.03, True),
    ],
)
def test_mass_distribution_ks(name, code, M, near):
    """Sampled masses follow BW * p*, truncated (KS); the same data reject BW without p*
    and BW with the truncation at M instead of M - m_l (so the test sees both)."""
    n = 40_000
    m, _, _ = _resonance_masses(name, M, n, 7)
    m_a = sm_mass(parse_channel(name)[0])
    cdf, lo, hi = _ref_cdf(code, M, m_a)
    assert m.min() >= lo - 1e-9 and m.max() <= hi + 1e-9
    p = stats.kstest(m, cdf).pvalue
    print(f"{name} M={M}: KS p = {p:.3g}, m in [{m.min():.4f}, {m.max():.4f}] of [{lo:.4f}, {hi:.4f}]")
    assert p > 1e-3
    if near:  # near threshold the phase-space factor and the truncation both matter
        xs = np.linspace(lo, hi, 4001)
        d, _ = _ref_density(code, M, m_a, xs)
        bw_only = d / np.where(_kallen_p(M, m_a, xs) > 0, _kallen_p(M, m_a, xs), np.inf)
        c = np.concatenate([[0], np.cumsum(0.5 * (bw_only[1:] + bw_only[:-1]))])
        c /= c[-1]
        assert stats.kstest(m, lambda x: np.interp(x, xs, c)).pvalue < 1e-6


def test_table_cdf_matches_exact_density():
    """The tabulated inverse CDF (piecewise linear in t) agrees with the exact density."""
    for code, M, m_a in [(213, 0.95, C.mass(13)), (113, 3.0, 0.0), (223, 1.0, 0.0), (333, 1.2, 0.0), (313, 1.0, 0.0)]:
        u = np.linspace(0.001, 0.999, 999)
        m = L.sample_line_shape(code, M, m_a, u)
        ls = L.line_shape(code)
        # exact CDF at the sampled masses: quad between consecutive nodes (the samples,
        # the range ends, and points around the peak)
        xs = np.unique(np.concatenate([[ls.m_min, M - m_a], m, np.clip(ls.m0 + ls.gamma0 * np.linspace(-8, 8, 161), ls.m_min, M - m_a)]))
        pieces = [integrate.quad(lambda x: float(L.mass_density(code, x, M, m_a)), a, b, epsabs=0, epsrel=1e-11)[0] for a, b in zip(xs[:-1], xs[1:])]
        c = np.concatenate([[0.0], np.cumsum(pieces)])
        c /= c[-1]
        err = np.max(np.abs(c[np.searchsorted(xs, m)] - u))
        print(f"pdg {code} M={M}: max |CDF error| = {err:.2e}")
        assert err < 2e-5, (code, M, err)


@pytest.mark.parametrize("name, code, M", [("nu_mu omega", 223, 1.0), ("nu_tau phi", 333, 1.3)])
def test_narrow_spread_is_gamma(name, code, M):
    """omega, phi: the median sits at m0 and the interquartile range is Gamma (Cauchy-like
    core; the standard deviation is dominated by the tails)."""
    m, _, _ = _resonance_masses(name, M, 40_000, 3)
    m0, g0 = C.mass(code), C.width(code)
    q1, q2, q3 = np.quantile(m, [0.25, 0.5, 0.75])
    print(f"{name}: median - m0 = {(q2 - m0) * 1e3:.3f} MeV, IQR = {(q3 - q1) * 1e3:.3f} MeV, Gamma = {g0 * 1e3:.3f} MeV")
    assert abs(q2 - m0) < 0.05 * g0
    assert 0.9 * g0 < q3 - q1 < 1.1 * g0
    cdf, lo, hi = _ref_cdf(code, M, 0.0)
    assert stats.kstest(m, cdf).pvalue > 1e-3


CHANNELS = [
    ("e- rho+", 1.0, {}),
    ("nu_e rho0", 1.0, {}),
    ("nu_mu omega", 1.0, {}),
    ("nu_tau phi", 1.2, {}),
    ("mu- K*+", 1.2, {}),
    ("tau- rho+", 2.7, {}),  # truncation at m_N - m_tau = 0.92 GeV
    ("nu_e rho0", 0.5, {}),  # below the PDG-mass threshold region: the tail only
    ("mu- rho+", 1.5, {"polarization": 0.8}),
    ("nu_e omega", 1.2, {"polarization": -1.0}),
    ("omega pi0", 1.6, {}),  # a Z'-like vector -> V P channel
    ("rho+ rho-", 2.0, {}),  # two line shapes (accept-reject on p*)
    ("K*+ K*-", 2.2, {}),
    ("nu_mu eta'", 1.2, {}),  # eta' -> rho0 gamma, omega gamma: line shapes one level down
]


@pytest.mark.parametrize("name, M, kw", CHANNELS)
def test_conservation_on_shell_with_line_shapes(name, M, kw):
    rng = np.random.default_rng(11)
    n = 5000
    par = _parents(n, M, rng)
    if name == "nu_e rho0" and M < 0.7:  # channel closed at PDG masses: the sampler refuses
        from fipgen.errors import PhysicsError

        with pytest.raises(PhysicsError, match="closed"):
            sample_decays(par, M, Channel(name, ()), rng)
        return
    out = sample_decays(par, M, Channel(name, parse_channel(name), conjugate=True), rng, **kw)
    tot = out.p4.sum(axis=1)
    assert np.all(np.abs(tot - par) <= 1e-9 * par[:, 3:4])
    live = out.pdg != 0
    assert np.all(out.p4[~live] == 0.0)
    for code in np.unique(out.pdg[live]):
        assert not L.has_line_shape(int(code))  # every resonance decayed
        sel = out.pdg == code
        p4 = out.p4[sel]
        m2 = p4[:, 3] ** 2 - np.sum(p4[:, :3] ** 2, axis=1)
        m = sm_mass(int(code))
        assert np.all(np.abs(m2 - m * m) <= 1e-9 * p4[:, 3] ** 2), (name, code)


def test_pair_masses_inside_phase_space():
    rng = np.random.default_rng(0)
    m1, m2 = L.sample_pair_line_shapes(213, -213, 1.6, 20_000, rng)
    assert np.all(m1 + m2 < 1.6) and np.all(m1 >= L.line_shape(213).m_min) and np.all(m2 >= L.line_shape(213).m_min)
    # the p* factor pushes both masses down against BW alone
    a = L.sample_line_shape(213, 1.6, L.line_shape(213).m_min, rng.random(20_000), phase_space=False)
    assert np.median(m1) < np.median(a)


def test_eta_prime_rho_line_shape():
    """eta' -> rho0 gamma: the rho0 mass (pi+ pi- pair) spreads up to m_eta' (line shape)
    with line_shapes=True and is exactly m_rho0 with line_shapes=False."""
    n = 20_000
    pdg = np.full((n, 1), 331)
    p4 = np.tile([0.0, 0.0, 0.0, C.mass(331)], (n, 1))[:, None, :]
    for ls in (True, False):
        P, Q = decay_resonances(pdg, p4, np.random.default_rng(5), ("rho", "eta'", "omega", "pi0", "eta"), line_shapes=ls)
        rows = np.flatnonzero((np.sum(P == 22, axis=1) == 1) & (np.sum(P == 211, axis=1) == 1) & (np.count_nonzero(P, axis=1) == 3))
        pair = Q[rows] * ((P[rows] == 211) | (P[rows] == -211))[..., None]
        m = _mass(pair.sum(axis=1))
        assert rows.size > 0.25 * n
        if ls:
            assert m.max() < C.mass(331) and m.min() >= 2 * C.mass(211) - 1e-9 and np.std(m) > 0.05
        else:
            # rho0 gamma (rho0 -> pi+ pi-) or omega gamma (omega -> pi+ pi-): fixed masses
            on_rho = np.isclose(m, C.mass(113), rtol=1e-9, atol=0)
            on_omega = np.isclose(m, C.mass(223), rtol=1e-9, atol=0)
            assert np.all(on_rho | on_omega) and np.mean(on_rho) > 0.9


@pytest.mark.parametrize("name, M", [("e- rho+", 1.0), ("nu_mu omega", 1.0), ("mu- K*+", 1.2), ("nu_tau phi", 1.2)])
def test_fixed_masses_when_off(name, M):
    """line_shapes=False: the resonance's decay products have exactly its PDG mass."""
    codes = parse_channel(name)
    m, _, _ = _resonance_masses(name, M, 3000, 2, line_shapes=False)
    m_r = sm_mass(codes[1])
    assert np.allclose(m, m_r, rtol=1e-9, atol=0)
    m_on, _, _ = _resonance_masses(name, M, 3000, 2)
    assert np.std(m_on) > 0.2 * C.width(codes[1])


@pytest.mark.parametrize("name, M", [("e- pi+", 0.5), ("nu_mu eta", 0.8), ("nu_e e+ e-", 0.5)])
def test_no_change_without_line_shape_resonances(name, M):
    """Channels without a rho, K*, omega, phi: identical output (same random stream)."""
    par = _parents(500, M, np.random.default_rng(0))
    ch = Channel(name, parse_channel(name), conjugate=True)
    a = sample_decays(par, M, ch, np.random.default_rng(3), line_shapes=True)
    b = sample_decays(par, M, ch, np.random.default_rng(3), line_shapes=False)
    assert np.array_equal(a.pdg, b.pdg) and np.array_equal(a.p4, b.p4)


def test_kept_resonance_stays_on_shell():
    """A resonance that is not decayed is a final particle: PDG mass, no line shape."""
    par = _parents(500, 1.0, np.random.default_rng(0))
    out = sample_decays(par, 1.0, Channel("e- rho+", ()), np.random.default_rng(1), decay_resonances=())
    assert np.allclose(_mass(out.p4[:, 1]), sm_mass(213), rtol=1e-9)

"""Decay samplers: conservation, on-shell daughters, Majorana conjugation, resonance
branching fractions, isotropy and the polarised HNL angular distribution."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fipgen.constants import PDG_HNL
from fipgen.decays import DecayProducts, parse_channel, sample_decays
from fipgen.decays.resonances import NAMES, conjugate, decay_resonances, sm_decay_table, sm_mass
from fipgen.decays.sampler import (
    polarised_asymmetry,
    sample_cos_linear,
    two_body_along_axis,
    two_body_along_axis_numpy,
)
from fipgen.decays.threebody import three_body_momenta, three_body_momenta_numpy
from fipgen.errors import PhysicsError
from fipgen.kinematics import boost_to_rest
from fipgen.models.base import Channel


def _parents(n, M, rng, pmax=20.0):
    """Parents of mass M (GeV) with random directions and momenta up to pmax (GeV)."""
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    p = pmax * rng.random(n)[:, None] * d
    return np.column_stack([p, np.sqrt(np.sum(p * p, axis=1) + M * M)])


# (name, parent mass, kwargs): every channel family the models name
CHANNELS = [
    ("e+ e-", 0.5, {}),
    ("mu+ mu-", 0.5, {}),
    ("gamma gamma", 0.5, {}),
    ("nu_e e+ e-", 0.5, {}),
    ("nu_mu mu+ mu-", 0.5, {}),
    ("nu_mu e+ e-", 0.5, {}),
    ("nu_tau mu+ mu-", 0.5, {}),
    ("e- mu+ nu_mu", 0.5, {}),
    ("mu- e+ nu_e", 0.5, {}),
    ("e- pi+", 0.5, {}),
    ("mu- K+", 0.8, {}),
    ("nu_e pi0", 0.5, {}),
    ("nu_mu eta", 0.8, {}),
    ("nu_mu eta'", 1.2, {}),
    ("e- rho+", 1.0, {}),
    ("nu_e rho0", 1.0, {}),
    ("nu_mu omega", 1.0, {}),
    ("nu_tau phi", 1.2, {}),
    ("mu- K*+", 1.2, {}),
    ("nu nu nu", 0.5, {}),
    ("N N", 1.0, {"bsm_masses": {PDG_HNL: 0.3}}),
    ("pi+ pi-", 0.6, {}),
    ("pi+ pi- pi0", 0.9, {"model": "zprime"}),
    ("pi+ pi- pi0", 0.9, {"model": "alp"}),
    ("pi0 pi0 pi0", 0.9, {"model": "alp"}),
    ("pi0 gamma", 0.6, {}),
    ("K+ K-", 1.1, {}),
    ("K_S0 K_L0", 1.1, {}),
    ("nu gamma", 0.5, {}),
    ("pi+ pi- pi+ pi-", 1.2, {}),  # Czyz-Kuhn four-pion current (fipgen.decays.fourpion)
    ("pi+ pi- pi0 pi0", 1.2, {}),
]


@pytest.mark.parametrize("name, M, kw", CHANNELS)
def test_conservation_and_on_shell(name, M, kw):
    rng = np.random.default_rng(1)
    n = 4000
    par = _parents(n, M, rng)
    out = sample_decays(par, M, Channel(name, parse_channel(name), conjugate=True), rng, **kw)
    assert isinstance(out, DecayProducts)
    assert out.pdg.dtype == np.int32 and out.pdg.shape[0] == n and out.p4.shape == out.pdg.shape + (4,)
    E = par[:, 3]
    tot = out.p4.sum(axis=1)
    assert np.all(np.abs(tot - par) <= 1e-9 * E[:, None])
    live = out.pdg != 0
    assert np.all(out.p4[~live] == 0.0)
    bsm = kw.get("bsm_masses")
    for code in np.unique(out.pdg[live]):
        sel = out.pdg == code
        m = sm_mass(int(code), bsm)
        p4 = out.p4[sel]
        m2 = p4[:, 3] ** 2 - np.sum(p4[:, :3] ** 2, axis=1)
        assert np.all(np.abs(m2 - m * m) <= 1e-9 * p4[:, 3] ** 2), (name, code)
    # k is fixed per channel: a different seed gives the same shape
    out2 = sample_decays(par[:10], M, Channel(name, (), conjugate=True), np.random.default_rng(9), **kw)
    assert out2.pdg.shape[1] == out.pdg.shape[1]


def test_names_and_errors():
    assert parse_channel("nu_mu e+ e-") == (14, -11, 11)
    assert parse_channel("e- mu+ nu_mu") == (11, -13, 14)
    assert parse_channel("nu_tau phi") == (16, 333)
    assert parse_channel("N N") == (PDG_HNL, PDG_HNL)
    assert all(isinstance(v, int) for v in NAMES.values())
    with pytest.raises(PhysicsError, match="unknown particle"):
        parse_channel("e- pion+")
    rng = np.random.default_rng(0)
    par = _parents(5, 1.0, rng)
    with pytest.raises(PhysicsError, match="inclusive"):
        sample_decays(par, 1.0, Channel("nu hadrons", (12,), kind="inclusive"), rng)
    with pytest.raises(PhysicsError, match="inclusive"):
        sample_decays(par, 1.0, Channel("nu hadrons", (12,)), rng)
    with pytest.raises(PhysicsError, match="closed"):
        sample_decays(par, 1.0, Channel("nu_tau tau+ tau-", ()), rng)
    with pytest.raises(PhysicsError, match="do not match"):
        sample_decays(par, 1.0, Channel("e- pi+", (13, 211)), rng)
    with pytest.raises(PhysicsError, match="model"):
        sample_decays(par, 1.0, Channel("pi+ pi- pi0", ()), rng)
    with pytest.raises(PhysicsError, match="HNL mass"):
        sample_decays(par, 1.0, Channel("N N", ()), rng)
    with pytest.raises(PhysicsError, match="polarised"):
        sample_decays(par, 1.0, Channel("pi+ pi- pi0", ()), rng, polarization=1.0, model="alp")
    with pytest.raises(PhysicsError, match="polarised"):
        sample_decays(par, 1.0, Channel("gamma gamma", ()), rng, polarization=1.0)
    assert conjugate(11) == -11 and conjugate(12) == -12 and conjugate(-14) == 14 and conjugate(9900012) == 9900012 and conjugate(111) == 111 and conjugate(-211) == 211


def test_empty_input():
    out = sample_decays(np.zeros((0, 4)), 1.0, Channel("nu_mu omega", ()), np.random.default_rng(0))
    assert out.pdg.shape == (0, 5) and out.p4.shape == (0, 5, 4)


def test_reproducible_with_seed():
    par = _parents(100, 1.0, np.random.default_rng(0))
    ch = Channel("nu_mu omega", (), conjugate=True)
    a = sample_decays(par, 1.0, ch, np.random.default_rng(42))
    b = sample_decays(par, 1.0, ch, np.random.default_rng(42))
    assert np.array_equal(a.pdg, b.pdg) and np.array_equal(a.p4, b.p4)


def test_majorana_conjugate_fraction():
    n = 40_000
    par = _parents(n, 1.0, np.random.default_rng(0))
    out = sample_decays(par, 1.0, Channel("e- pi+", (11, 211), conjugate=True), np.random.default_rng(1))
    k = np.count_nonzero(out.pdg[:, 0] == -11)
    assert set(np.unique(out.pdg[:, 0])) == {11, -11}
    assert np.all(out.pdg[:, 1] == np.sign(out.pdg[:, 0]) * 211)  # e- pi+ or e+ pi-
    assert stats.binomtest(k, n, 0.5).pvalue > 1e-3
    dirac = sample_decays(par, 1.0, Channel("e- pi+", (11, 211)), np.random.default_rng(1))
    assert np.all(dirac.pdg[:, 0] == 11)
    nu = sample_decays(par[:400], 0.5, Channel("nu_mu e+ e-", (14, -11, 11), conjugate=True), np.random.default_rng(1))
    # the conjugate of nu_mu e+ e- is nubar_mu e- e+ (the neutrino's code flips with the leptons')
    assert set(np.unique(nu.pdg[:, 0])) == {14, -14}
    assert np.all(nu.pdg[:, 1] == -11 * np.sign(nu.pdg[:, 0]))
    zp = sample_decays(par[:10], 0.5, Channel("nu_e nu_e", (12, -12)), np.random.default_rng(1))
    assert np.all(zp.pdg == [12, -12])  # signs from the channel's daughters, not the name


def _signature(row):
    return tuple(sorted(int(c) for c in row if c != 0))


@pytest.mark.parametrize(
    "name, M, expect",
    [
        # omega: pi+ pi- pi0 (pi0 -> 2 gamma), pi0 gamma, pi+ pi-
        ("nu_mu omega", 1.0, {(-211, 14, 22, 22, 211): 223.0, (14, 22, 22, 22): 223.1, (-211, 14, 211): 223.2}),
        # eta: gamma gamma, 3 pi0 (6 gamma), pi+ pi- pi0
        ("nu_mu eta", 1.0, {(14, 22, 22): 221.0, (14,) + (22,) * 6: 221.1, (-211, 14, 22, 22, 211): 221.2}),
        # phi: K+ K-, K0L K0S, pi+ pi- pi0, eta gamma (eta decays further)
        ("nu_tau phi", 1.5, {(-321, 16, 321): 333.0, (16, 130, 310): 333.1, (-211, 16, 22, 22, 211): 333.2}),
    ],
)
def test_resonance_branching_fractions(name, M, expect):
    """Final-state fractions match the (renormalised) PDG table: chi-square, p > 1e-3."""
    n = 60_000
    par = _parents(n, M, np.random.default_rng(0))
    out = sample_decays(par, M, Channel(name, ()), np.random.default_rng(3))
    table = sm_decay_table()
    probs = {}
    for sig, key in expect.items():
        code, idx = int(key), int(round((key - int(key)) * 10))
        probs[sig] = table[code][idx][1]
    counts = {}
    for row in out.pdg:
        s = _signature(row)
        counts[s] = counts.get(s, 0) + 1
    obs = [counts.get(s, 0) for s in probs]
    exp = [n * p for p in probs.values()]
    rest_obs = n - sum(obs)
    rest_exp = n - sum(exp)
    if rest_exp > 1e-9 * n:
        obs, exp = obs + [rest_obs], exp + [rest_exp]
    else:
        assert rest_obs == 0
    chi2 = sum((o - e) ** 2 / e for o, e in zip(obs, exp))
    pval = stats.chi2.sf(chi2, len(obs) - 1)
    print(f"{name}: observed {dict(zip(probs, obs))} rest {rest_obs}; expected {exp} rest {rest_exp:.0f}; chi2 {chi2:.2f} p {pval:.3g}")
    assert pval > 1e-3


def test_resonances_can_be_kept():
    par = _parents(100, 1.0, np.random.default_rng(0))
    out = sample_decays(par, 1.0, Channel("nu_mu omega", ()), np.random.default_rng(1), decay_resonances=())
    assert out.pdg.shape == (100, 2) and np.all(out.pdg[:, 1] == 223)
    out = sample_decays(par, 1.0, Channel("nu_mu omega", ()), np.random.default_rng(1), decay_resonances=("omega",))
    assert 111 in out.pdg and np.all(np.count_nonzero(out.pdg == 22, axis=1) <= 1)  # pi0 kept
    with pytest.raises(ValueError, match="unknown resonance family"):
        sample_decays(par, 1.0, Channel("nu_mu omega", ()), np.random.default_rng(1), decay_resonances=("omegaa",))


def test_table_renormalised_and_antiparticles():
    for modes in sm_decay_table().values():
        assert abs(sum(br for _, br, _ in modes) - 1) < 1e-12
    pdg = np.full((2000, 1), -213)
    p4 = np.tile([0.0, 0.0, 0.0, sm_mass(213)], (2000, 1))[:, None, :]
    P, Q = decay_resonances(pdg, p4, np.random.default_rng(0), ("rho",))
    assert np.all(P == np.array([-211, 111]))


# --- two-body angular distributions -----------------------------------------------------


def _cos_rest(out_p4, par, axis):
    k = boost_to_rest(out_p4, par)[:, :3]
    return np.sum(k * axis, axis=1) / np.linalg.norm(k, axis=1)


def test_two_body_isotropic_ks():
    n = 50_000
    M = 0.5
    par = _parents(n, M, np.random.default_rng(0))
    out = sample_decays(par, M, Channel("e- pi+", (11, 211)), np.random.default_rng(1), decay_resonances=())
    for axis in (np.array([0.0, 0.0, 1.0]), par[:, :3] / np.linalg.norm(par[:, :3], axis=1)[:, None]):
        c = _cos_rest(out.p4[:, 0], par, axis)
        p = stats.kstest(c, stats.uniform(-1, 2).cdf).pvalue
        print(f"isotropy KS p = {p:.3g}")
        assert p > 1e-3


@pytest.mark.parametrize(
    "name, M, P",
    [("mu- pi+", 0.5, 1.0), ("mu- pi+", 0.5, -1.0), ("nu_mu pi0", 0.4, 1.0), ("e- K+", 1.0, -0.6), ("mu- rho+", 1.5, 1.0), ("nu_e omega", 1.2, -1.0)],
)
def test_polarised_two_body_ks(name, M, P):
    """Dirac N with polarisation P along its flight direction: the lepton follows
    (1 + P A cos theta)/2 (KS), and is not isotropic (KS rejects the flat form)."""
    n = 50_000
    par = _parents(n, M, np.random.default_rng(0))
    codes = parse_channel(name)
    out = sample_decays(par, M, Channel(name, codes), np.random.default_rng(2), polarization=P, decay_resonances=())
    axis = par[:, :3] / np.linalg.norm(par[:, :3], axis=1)[:, None]
    c = _cos_rest(out.p4[:, 0], par, axis)
    A = polarised_asymmetry(M, sm_mass(codes[0]), sm_mass(codes[1]), 1 if abs(codes[1]) in (213, 223) else 0)
    a = P * A

    def cdf(x):
        return ((x + 1) + a * (x * x - 1) / 2) / 2

    p = stats.kstest(c, cdf).pvalue
    p_flat = stats.kstest(c, stats.uniform(-1, 2).cdf).pvalue
    print(f"{name} P={P}: A = {A:.4f}, KS p = {p:.3g}, KS p (isotropic) = {p_flat:.3g}")
    assert p > 1e-3 and p_flat < 1e-3
    # the Majorana sum of both charge states is isotropic (1610.08512)
    maj = sample_decays(par, M, Channel(name, codes, conjugate=True), np.random.default_rng(3), polarization=P, decay_resonances=())
    cm = _cos_rest(maj.p4[:, 0], par, axis)
    assert stats.kstest(cm, stats.uniform(-1, 2).cdf).pvalue > 1e-3


def test_polarised_asymmetry_closed_form():
    """Helicity-amplitude A equals -(1 - x_f^2) lambda^1/2 / [(1 - x_f^2)^2 - x_P^2 (1 + x_f^2)]."""
    for M, mf, mp in [(0.5, 0.10566, 0.13957), (1.0, 0.000511, 0.13957), (1.0, 0.10566, 0.49368), (0.3, 0.0, 0.135)]:
        xf, xp = mf / M, mp / M
        lam = (1 - (xf + xp) ** 2) * (1 - (xf - xp) ** 2)
        ref = -(1 - xf**2) * np.sqrt(lam) / ((1 - xf**2) ** 2 - xp**2 * (1 + xf**2))
        assert abs(polarised_asymmetry(M, mf, mp) - ref) < 1e-12
    assert polarised_asymmetry(0.5, 0.0, 0.135) == -1.0
    # vector, massless fermion: -(F_0 - F_-) with F_0 : F_- = M^2 : 2 m_V^2 (as t -> b W)
    for M, mv in [(1.0, 0.775), (2.0, 0.775), (1.5, 1.019)]:
        ref = -(M**2 - 2 * mv**2) / (M**2 + 2 * mv**2)
        assert abs(polarised_asymmetry(M, 0.0, mv, 1) - ref) < 1e-12
    # a massive fermion against the V: A is between the two limits and continuous
    a0 = polarised_asymmetry(1.5, 0.0, 0.775, 1)
    a1 = polarised_asymmetry(1.5, 1e-6, 0.775, 1)
    assert abs(a1 - a0) < 1e-9


def test_sample_cos_linear():
    u = np.random.default_rng(0).random(100_000)
    for a in (-1.0, -0.3, 0.0, 1e-12, 0.7, 1.0):
        c = sample_cos_linear(a, u)
        assert np.all(np.abs(c) <= 1)
        assert stats.kstest(c, lambda x: ((x + 1) + a * (x * x - 1) / 2) / 2).pvalue > 1e-3


# --- kernels against their numpy references ---------------------------------------------


def test_kernels_match_numpy():
    rng = np.random.default_rng(4)
    n = 1000
    M = 1.0
    par = _parents(n, M, rng)
    ms = (0.0, 0.10566, 0.13957)
    from fipgen.decays.threebody import sample_dalitz

    s12, s23 = sample_dalitz(lambda x, y: np.ones_like(x), M, *ms, n, rng)
    u = rng.random((n, 3))
    a = three_body_momenta(par, ms, s12, s23, u, parent_mass=M)
    b = three_body_momenta_numpy(par, ms, s12, s23, u, parent_mass=M)
    assert np.allclose(a, b, rtol=1e-10, atol=1e-12)
    axis = rng.normal(size=(n, 3))
    cth = 2 * rng.random(n) - 1
    up = rng.random(n)
    p1, p2 = two_body_along_axis(par, M, 0.10566, 0.13957, axis, cth, up)
    q1, q2 = two_body_along_axis_numpy(par, M, 0.10566, 0.13957, axis, cth, up)
    assert np.allclose(p1, q1, rtol=1e-10, atol=1e-12) and np.allclose(p2, q2, rtol=1e-10, atol=1e-12)
    # the rest-frame angle to the axis is the one asked for
    an = axis / np.linalg.norm(axis, axis=1)[:, None]
    assert np.allclose(_cos_rest(p1, par, an), cth, atol=1e-9)


def test_every_open_model_channel_has_a_sampler():
    """Every open exclusive channel of the HNL, ALP and Z' models samples (inclusive ones
    raise the documented error)."""
    try:
        from fipgen.models.alp import ALP
        from fipgen.models.hnl import HNL
        from fipgen.models.zprime import ZPrime
    except ImportError:  # pragma: no cover - models being written
        pytest.skip("models not available")
    models = [(HNL(m, (1e-6, 1e-6, 1e-6)), "hnl", None) for m in (0.3, 1.0, 1.9)]
    models.append((ALP(0.9, g_gamma=1e-5, g_electron=1e-6, g_muon=1e-6, g_hnl=1e-3, hnl_mass=0.2), "alp", {PDG_HNL: 0.2}))
    for m in (0.5, 0.78, 1.02, 1.6):
        models.append((ZPrime(m, 1e-4, kind="B-L", hnl_mass=0.1), "zprime", {PDG_HNL: 0.1}))
        models.append((ZPrime(m, 1e-4), "zprime", None))
    rng = np.random.default_rng(0)
    n_ok = 0
    for model, label, bsm in models:
        M = model.mass
        par = _parents(50, M, rng)
        chans = model.channels()
        for name, w in model.partial_widths().items():
            if w <= 0:
                continue
            ch = chans[name]
            if ch.kind == "inclusive":
                with pytest.raises(PhysicsError, match="inclusive"):
                    sample_decays(par, M, ch, rng, model=label, bsm_masses=bsm)
                continue
            out = sample_decays(par, M, ch, rng, model=label, bsm_masses=bsm)
            assert np.all(np.abs(out.p4.sum(axis=1) - par) <= 1e-9 * par[:, 3:4])
            n_ok += 1
    assert n_ok > 100


def _dirac_asymmetry(M, mf, mm, spin):
    """A of N(spin up along z) -> f + meson from explicit Dirac traces (independent of the
    helicity-amplitude algebra in polarised_asymmetry):
    |M|^2 = Tr[(pf/ + mf) G (pN/ + M)(1 + g5 s/)/2 Gbar] with G = q/(1 - g5) (pseudoscalar)
    or G = g^mu (1 - g5) contracted with -g_mu,nu + q_mu q_nu / m_V^2 (vector)."""
    I2, Z2 = np.eye(2), np.zeros((2, 2))
    sig = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
    g = [np.block([[Z2, I2], [I2, Z2]]).astype(complex)] + [np.block([[Z2, s], [-s, Z2]]).astype(complex) for s in sig]
    g5 = np.block([[-I2, Z2], [Z2, I2]]).astype(complex)
    eta = np.diag([1.0, -1.0, -1.0, -1.0])
    one = np.eye(4)

    def slash(p):  # gamma^mu p_mu
        return g[0] * p[0] - g[1] * p[1] - g[2] * p[2] - g[3] * p[3]

    ef = (M * M + mf * mf - mm * mm) / (2 * M)
    p = np.sqrt((M * M - (mf + mm) ** 2) * (M * M - (mf - mm) ** 2)) / (2 * M)
    pN = np.array([M, 0, 0, 0.0])
    rhoN = (slash(pN) + M * one) @ (one + g5 @ slash(np.array([0, 0, 0, 1.0]))) / 2
    vals = []
    for c in (1.0, -1.0):
        s = np.sqrt(1 - c * c)
        pf = np.array([ef, p * s, 0.0, p * c])
        q = pN - pf
        rf = slash(pf) + mf * one
        if spin == 0:
            G = slash(q) @ (one - g5)
            Gb = (one + g5) @ slash(q)
            vals.append(np.trace(rf @ G @ rhoN @ Gb).real)
        else:
            P = -eta + np.outer(eta @ q, eta @ q) / mm**2  # -g_mu,nu + q_mu q_nu / m^2 (lower indices)
            tot = 0.0
            for mu in range(4):
                for nu in range(4):
                    if P[mu, nu] != 0:
                        tot += P[mu, nu] * np.trace(rf @ g[mu] @ (one - g5) @ rhoN @ (one + g5) @ g[nu])
            vals.append(tot.real)
    return (vals[0] - vals[1]) / (vals[0] + vals[1])


@pytest.mark.parametrize("M, mf, mm, spin", [(0.5, 0.10566, 0.13957, 0), (1.0, 0.10566, 0.49368, 0), (1.5, 0.10566, 0.77526, 1), (1.2, 0.0, 0.78266, 1), (2.0, 0.10566, 1.01946, 1), (1.9, 0.5, 0.775, 1)])
def test_polarised_asymmetry_against_dirac_traces(M, mf, mm, spin):
    assert abs(polarised_asymmetry(M, mf, mm, spin) - _dirac_asymmetry(M, mf, mm, spin)) < 1e-10

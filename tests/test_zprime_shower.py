"""Z's from the dump's electromagnetic showers (fipgen.models.zprime_xsec, zprime:resonant).

* The resonant coefficient is the narrow-width integral of the spin-1 Breit-Wigner (numerical
  quadrature), whose peak uses the Z' model's own e+ e- width (fipgen.models.zprime.vector_width);
  its light-mass limit is 2 pi^2 alpha eps^2 / m_e; it is twice the spin-0 ALP's with the same
  coupling (spin counting, 1 + 2 m^2/M^2 aside).
* The channel's rate equals the analytic narrow-width result folded with the positron
  track-length spectrum of the table, and the full Breit-Wigner integrated numerically over that
  spectrum.
* Forced (aimed, weighted) samples agree with the plain Monte Carlo of tests/test_alp_shower.py;
  the Z' takes the positron's momentum and the electron's mass; the scan reweights it exactly;
  a Z' without an electron coupling is refused with one line.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from fipgen.card import parse_card
from fipgen.constants import ALPHA_EM
from fipgen.errors import CardError
from fipgen.events import EventBatch
from fipgen.models import alp_xsec as X
from fipgen.models import atomic_shells as AS
from fipgen.models import zprime_xsec as Z
from fipgen.models.zprime import vector_width
from fipgen.pipeline import build_job, iter_chunks

from test_alp_shower import BOX, _plain

M_E = Z.M_E

CARD = """
[experiment]
detector = "{det}"
pot = 1e20
[model]
zprime = {{ kind = "{kind}", mass = {m}, coupling = {g} }}
[signal]
produce = ["zprime:resonant"]
detect = "zprime:decay"
final_states = "all"
[run]
events = {n}
seed = 23
"""


def _job(det, m=0.02, g=1e-6, kind="dark-photon", n=50_000):
    return build_job(parse_card(CARD.format(det=det, m=m, g=g, kind=kind, n=n), "t"))


@pytest.mark.parametrize("M", [0.0015, 0.005, 0.02, 0.1, 0.5])
def test_resonant_coefficient_is_the_narrow_width_breit_wigner(M):
    g = 0.3
    gamma = 1e-6 * M  # narrow
    er = Z.resonant_energy(M)
    half = gamma * M / M_E  # the width in positron energy: ds = 2 m dE, d sqrt(s) = ds / (2 M)
    pts = er + half * np.array([-1e5, -1e3, -30, -3, 0, 3, 30, 1e3, 1e5])
    lo = max(er - 1e6 * half, (2 * M_E) ** 2 / (2 * M_E) - M_E + 1e-12)
    total = 0.0
    edges = np.concatenate([[lo], pts, [er + 1e6 * half]])
    for a, b in zip(edges[:-1], edges[1:]):
        total += integrate.quad(lambda e: Z.resonant_sigma_bw(e, M, g, gamma), a, b, epsabs=0, epsrel=1e-10,
                                limit=400)[0]
    assert total == pytest.approx(Z.resonant_sigma_coefficient(M, g), rel=2e-3)


@pytest.mark.parametrize("M", [0.0015, 0.02, 0.5])
def test_breit_wigner_peak_uses_the_models_electron_width(M):
    """At sqrt(s) = M: sigma = (3/4)(4 pi / k^2) Gamma_ee / Gamma (unitarity at the peak)."""
    g, gamma = 0.3, 1e-4
    k2 = 0.25 * M * M - M_E * M_E
    want = 0.75 * 4.0 * math.pi / k2 * vector_width(M, g, M_E) / gamma
    assert Z.resonant_sigma_bw(Z.resonant_energy(M), M, g, gamma) == pytest.approx(want, rel=1e-10)


def test_light_dark_photon_limit_and_spin_counting():
    eps = 1e-5
    g = eps * math.sqrt(4 * math.pi * ALPHA_EM)
    # M >> m_e: sigma_0 -> 2 pi^2 alpha eps^2 / m_e (the form PETITE and earlier work quote)
    assert Z.resonant_sigma_coefficient(2.0, g) == pytest.approx(2 * math.pi**2 * ALPHA_EM * eps**2 / M_E, rel=1e-6)
    for M in (0.0012, 0.01, 0.3):
        ratio = Z.resonant_sigma_coefficient(M, g) / X.resonant_sigma_coefficient(M, g)
        assert ratio == pytest.approx(2.0 * (1 + 2 * M_E**2 / M**2), rel=1e-12)
    assert Z.resonant_sigma_coefficient(2 * M_E, g) == 0.0


def test_rate_is_the_positron_track_length_at_resonance(tmp_path):
    det = tmp_path / "box.toml"
    det.write_text(BOX)
    M, eps = 0.02, 1e-6
    job = _job(str(det), m=M, g=eps)
    (ch,) = job.channels
    tab = ch._table()
    T = tab.density("eplus")  # (energy bins of kinetic energy, angles), m / GeV / unit cos per POT
    dcos = np.cos(tab.theta_edges[:-1]) - np.cos(tab.theta_edges[1:])
    e_tot = tab.energy_edges + M_E
    t_e = (T * dcos).sum(axis=1)  # dL/dE per POT
    mat = ch.beamline.target.material
    g = eps * math.sqrt(4 * math.pi * ALPHA_EM) * -1.0
    er = Z.resonant_energy(M)
    i = np.searchsorted(e_tot, er, side="right") - 1
    coef = mat.electron_density * Z.resonant_sigma_coefficient(M, g) * X.GEV2_TO_M2
    # the electrons in motion: n_e sigma_0 int J(q) dL/dE(E_R/(1 - q/m)) dq, shell by shell by
    # quadrature of the profile (fipgen.models.atomic_shells), split at the table's bin edges
    w_s, p0 = AS.material_profile(mat)
    folded = 0.0
    for w, p in zip(w_s, p0):
        q_edges = np.clip(M_E * (1 - er / e_tot), -50 * p, 50 * p)
        for a, b, t in zip(q_edges[:-1], q_edges[1:], t_e):
            if b > a and t > 0:
                folded += w * t * integrate.quad(lambda q: float(AS.profile_pdf(q / p)) / p, a, b, epsabs=0,
                                                 epsrel=1e-10)[0]
    assert ch.rate_per_pot == pytest.approx(coef * folded, rel=1e-7)
    # electrons at rest (the limit p0 -> 0): the spectrum at E_R
    object.__setattr__(ch, "_electron_profile", lambda: None)
    ch._cache.clear()
    narrow = coef * t_e[i]
    assert ch.rate_per_pot == pytest.approx(narrow, rel=1e-12)
    # the full Breit-Wigner over the (piecewise flat) spectrum, width far below the bin's
    gamma = 1e-7 * M
    half = gamma * M / M_E
    f = lambda e: Z.resonant_sigma_bw(e, M, g, gamma) * t_e[np.searchsorted(e_tot, e, side="right") - 1]  # noqa: E731
    edges = np.unique(np.clip(er + half * np.array([-1e6, -1e3, -10, 0, 10, 1e3, 1e6]), e_tot[i], e_tot[i + 1]))
    full = sum(integrate.quad(f, a, b, epsabs=0, epsrel=1e-10, limit=400)[0] for a, b in zip(edges[:-1], edges[1:]))
    assert ch.rate_per_pot == pytest.approx(mat.electron_density * full * X.GEV2_TO_M2, rel=3e-3)


def _forced_and_plain(job, ch, n_plain: int, seed: int):
    """The job's events, its expected signal with MC error, and that of the plain Monte Carlo
    of tests/test_alp_shower.py with ``n_plain`` parents."""
    b = EventBatch.concatenate([p[0] for p in iter_chunks(job)])
    w = b.scalars["weight"]
    mean, err = _plain(ch, job, n_plain, np.random.default_rng(seed))
    scale = job.pot * job.weight_branching
    return b, (w.sum(), math.sqrt((w * w).sum())), (scale * mean, scale * err)


def test_forced_agrees_with_plain_and_the_zprime_takes_the_positrons_momentum(tmp_path):
    det = tmp_path / "box.toml"
    det.write_text(BOX)
    job = _job(str(det), m=0.03, g=3e-6)
    (ch,) = job.channels
    b, (forced, f_err), (plain, p_err) = _forced_and_plain(job, ch, 500_000, 6)
    pull = (forced - plain) / math.hypot(f_err, p_err)
    assert f_err / forced < 0.05 and p_err / plain < 0.05
    assert abs(pull) < 4, (forced, plain, pull)
    s = b.scalars
    assert np.all(s["parent_pdg"] == -11)
    np.testing.assert_allclose(s["llp_e"], s["parent_e"] + M_E, rtol=1e-12)
    # along the positron, with its momentum plus the electron's q (|p_Z'|^2 = p+^2 + 2 E+ q)
    pz = np.column_stack([s[f"llp_{c}"] for c in ("px", "py", "pz")])
    pp = np.column_stack([s[f"parent_{c}"] for c in ("px", "py", "pz")])
    a, b = np.linalg.norm(pz, axis=1), np.linalg.norm(pp, axis=1)
    np.testing.assert_allclose(pz / a[:, None], pp / b[:, None], atol=1e-9)
    q = (a * a - b * b) / (2 * s["parent_e"])
    assert abs(np.median(q)) < 0.01 * M_E and np.quantile(np.abs(q), 0.9) < 0.3 * M_E
    er = Z.resonant_energy(0.03)  # moved by the atomic electrons' motion, E_R/(1 - q/m)
    assert np.median(np.abs(s["parent_e"] / er - 1)) < 0.05 and np.ptp(s["parent_e"]) > 0.05 * er


@pytest.mark.parametrize("produce", [["zprime:resonant"], ["zprime:e-bremsstrahlung"],
                                     ["zprime:resonant", "zprime:e-bremsstrahlung", "zprime:associated", "zprime:compton"]])
def test_scan_reweights_the_shower_channels_exactly(tmp_path, produce):
    """A scan's table at other couplings equals fresh generations from the same streams (the
    scan's channel shares for several channels): every rate ~ g^2, the lifetime ~ 1/g^2."""
    from dataclasses import replace

    from fipgen.job import scan_shares
    from fipgen.pipeline import run
    from fipgen.scan import ScanAxes, card_at, collect_table

    det = tmp_path / "box.toml"
    det.write_text(BOX)
    text = CARD.format(det=str(det), m=0.03, g=1e-6, kind="dark-photon", n=20_000).replace(
        '["zprime:resonant"]', "[" + ", ".join(f'"{p}"' for p in produce) + "]")
    card = parse_card(text, "t")
    table = collect_table(card, ScanAxes(card))
    got = table.expected([3e-7, 1e-6, 3e-6])["events"]
    for j, e in enumerate((3e-7, 1e-6, 3e-6)):
        job = build_job(card_at(card, coupling_key="model.zprime.coupling", coupling=e), decay_hints=False)
        fresh = run(replace(job, channel_shares=scan_shares(job.rates)), None)
        assert got[j] == pytest.approx(fresh.sum_weights, rel=1e-9)
        assert fresh.sum_weights > 0


def test_a_zprime_without_a_tree_level_electron_coupling_is_refused(tmp_path):
    """The B kind (its leptons' charge is the loop-induced -alpha/4pi) is refused by the card with
    one line; a generic Z' gets g times its electron charge, none without one."""
    from fipgen.errors import PhysicsError
    from fipgen.models.zprime import ZPrime

    det = tmp_path / "box.toml"
    det.write_text(BOX)
    with pytest.raises(CardError, match="no tree-level coupling to the electron") as err:
        _job(str(det), m=0.03, g=1e-4, kind="B")
    assert "\n" not in str(err.value) and "signal.produce" in str(err.value)
    assert Z.electron_coupling(ZPrime(mass=0.03, coupling=0.2, kind="generic", charges={"e": 0.5})) == 0.1
    assert Z.electron_coupling(ZPrime(mass=0.03, coupling=0.2, kind="B-L")) == -0.2
    with pytest.raises(PhysicsError, match="no tree-level coupling"):
        Z.electron_coupling(ZPrime(mass=0.03, coupling=0.2, kind="generic", charges={"u": 1.0}))


def test_the_shower_channels_are_named_alike_for_alps_and_zprimes():
    from fipgen import registry

    for proc in ("e-bremsstrahlung", "associated", "resonant", "compton"):
        assert f"zprime:{proc}" in registry.channel_names("zprime")
        assert f"alp:{proc}" in registry.channel_names("alp")


# -- e+ e- -> gamma Z' and gamma e -> e Z': spin sums against explicit Dirac traces --------------

_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_SIG = (np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex))
_G = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG]
_ETA = np.diag([1.0, -1.0, -1.0, -1.0])


def _slash(p):
    return sum(_ETA[m, m] * p[m] * _G[m] for m in range(4))


def _dot(a, b):
    return a[0] * b[0] - a[1:] @ b[1:]


def _traced(left, right, vertices):
    """sum over mu, nu (metric signs: the -g polarisation sums) of Tr[left Gam right Gam_bar],
    Gam = vertices(mu, nu) (4x4), Gam_bar = gamma0 Gam^dagger gamma0."""
    tot = 0.0
    for mu in range(4):
        for nu in range(4):
            gam = vertices(mu, nu)
            bar = _G[0] @ gam.conj().T @ _G[0]
            tot += _ETA[mu, mu] * _ETA[nu, nu] * np.trace(left @ gam @ right @ bar).real
    return tot


def _prop(q, m):
    return (_slash(q) + m * np.eye(4)) / (_dot(q, q) - m * m)


@pytest.mark.parametrize("seed", range(4))
def test_annihilation_spin_sum_equals_the_dirac_traces(seed):
    rng = np.random.default_rng(seed)
    m, e2 = M_E, 4 * math.pi * ALPHA_EM
    for _ in range(5):
        M = 10 ** rng.uniform(-3, 0)
        rs = (M + 2 * m) * 10 ** rng.uniform(0.01, 1.5)
        c = rng.uniform(-0.999, 0.999)
        s = rs * rs
        p = math.sqrt(s / 4 - m * m)
        k = (s - M * M) / (2 * rs)
        p1, p2 = np.array([rs / 2, 0, 0, p]), np.array([rs / 2, 0, 0, -p])
        k1 = np.array([k, k * math.sqrt(1 - c * c), 0, k * c])
        k2 = p1 + p2 - k1
        want = e2 * _traced(_slash(p1) - m * np.eye(4), _slash(p2) + m * np.eye(4),
                            lambda mu, nu: _G[mu] @ _prop(p2 - k2, m) @ _G[nu] + _G[nu] @ _prop(p2 - k1, m) @ _G[mu])
        got = Z.annihilation_m2(s, _dot(p1 - k1, p1 - k1), M, 1.0)
        assert got == pytest.approx(want, rel=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_compton_spin_sum_equals_its_own_dirac_traces(seed):
    """Not the crossing itself: gamma(k) e(p) -> e(p') Z'(k') written out and traced."""
    rng = np.random.default_rng(10 + seed)
    m, e2 = M_E, 4 * math.pi * ALPHA_EM
    for _ in range(5):
        M = 10 ** rng.uniform(-3, 0)
        eg = (M * M + 2 * m * M) / (2 * m) * 10 ** rng.uniform(0.01, 2)  # above threshold
        c = rng.uniform(-0.999, 0.999)
        p = np.array([m, 0, 0, 0])
        k = np.array([eg, 0, 0, eg])
        tot = p + k
        s = _dot(tot, tot)
        rs = math.sqrt(s)
        qp = math.sqrt((s - (m + M) ** 2) * (s - (m - M) ** 2)) / (2 * rs)
        # the outgoing Z' in the CM frame, boosted back along z
        beta = tot[3] / tot[0]
        gam = 1 / math.sqrt(1 - beta * beta)
        ez = (s + M * M - m * m) / (2 * rs)
        kz_cm = np.array([ez, qp * math.sqrt(1 - c * c), 0.0, qp * c])
        kp = np.array([gam * (kz_cm[0] + beta * kz_cm[3]), kz_cm[1], kz_cm[2], gam * (kz_cm[3] + beta * kz_cm[0])])
        pp = tot - kp
        want = e2 * _traced(_slash(pp) + m * np.eye(4), _slash(p) + m * np.eye(4),
                            lambda mu, nu: _G[nu] @ _prop(p + k, m) @ _G[mu] + _G[mu] @ _prop(p - kp, m) @ _G[nu])
        got = Z.compton_m2(s, _dot(p - pp, p - pp), M, 1.0)
        assert got == pytest.approx(want, rel=1e-7)


@pytest.mark.parametrize("gamma", [1.5, 10.0, 1000.0])
def test_massless_limit_of_annihilation_is_diracs_two_photon_cross_section(gamma):
    """M -> 0 with g = e: e+ e- -> gamma gamma, whose total (halved: identical photons) is
    Dirac's pi r_e^2/(g+1) [(g^2+4g+1)/(g^2-1) ln(g + sqrt(g^2-1)) - (g+3)/sqrt(g^2-1)],
    g the positron's Lorentz factor on an electron at rest."""
    e = math.sqrt(4 * math.pi * ALPHA_EM)
    r_e = ALPHA_EM / M_E
    b = math.sqrt(gamma * gamma - 1)
    dirac = math.pi * r_e**2 / (gamma + 1) * ((gamma**2 + 4 * gamma + 1) / (gamma**2 - 1) * math.log(gamma + b)
                                             - (gamma + 3) / b)
    assert 0.5 * Z.associated_sigma(gamma * M_E, 1e-9, e) == pytest.approx(dirac, rel=1e-3)


@pytest.mark.parametrize("k", [0.01, 1.0, 100.0])
def test_massless_limit_of_compton_is_klein_nishina(k):
    e = math.sqrt(4 * math.pi * ALPHA_EM)
    r_e = ALPHA_EM / M_E
    l2 = math.log(1 + 2 * k)
    kn = 2 * math.pi * r_e**2 * ((1 + k) / k**2 * (2 * (1 + k) / (1 + 2 * k) - l2 / k) + l2 / (2 * k)
                                 - (1 + 3 * k) / (1 + 2 * k) ** 2)
    assert Z.compton_sigma(k * M_E, 1e-9, e) == pytest.approx(kn, rel=1e-6)


# -- the weighted samplers of zprime:associated and zprime:compton -------------------------------

def _channel(tmp_path, proc, m=0.03, g=3e-6, n=50_000):
    det = tmp_path / "box.toml"
    det.write_text(BOX)
    card = parse_card(CARD.format(det=str(det), m=m, g=g, kind="dark-photon", n=n).replace(
        "zprime:resonant", f"zprime:{proc}"), "t")
    job = build_job(card)
    (ch,) = job.channels
    return job, ch


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")  # the references' tiny end pieces
@pytest.mark.parametrize("proc, E", [("associated", 2.0), ("associated", 0.9), ("compton", 1.5), ("compton", 5.0)])
def test_weighted_sampler_reproduces_the_differential_cross_section(tmp_path, proc, E):
    """At a fixed parent energy the weights average to n_e sigma (the rate per metre), and the
    weighted distribution of the Z''s lab energy follows the cross section (binned, chi2)."""
    job, ch = _channel(tmp_path, proc, m=0.03)
    n = 400_000
    ea, ct, r = ch._kinematics_weighted(np.full(n, E), np.random.default_rng(3))
    rate = float(ch._rate(np.array([E]))[0])
    assert r.mean() == pytest.approx(rate, rel=4 * r.std() / math.sqrt(n) / rate + 1e-3)
    assert np.all(np.isfinite(ea[r > 0])) and np.all(np.abs(ct[r > 0]) <= 1.0)
    # the lab energy spectrum: weighted histogram against the integral of the density per bin
    M, g = 0.03, Z.electron_coupling(ch.model)
    n_e = ch._material.electron_density * Z.GEV2_TO_M2
    if proc == "compton":
        t0, t1 = Z.compton_t_range(E, M)
        edges_t = np.linspace(t0, t1, 11)
        e_of_t = E + M_E - (2 * M_E * M_E - edges_t) / (2 * M_E)
        want = [n_e * integrate.quad(lambda t: Z.compton_dsigma_dt(t, E, M, g), a, b, epsabs=0, epsrel=1e-8, limit=200)[0]
                for a, b in zip(edges_t[:-1], edges_t[1:])]
        edges = np.sort(e_of_t)
        want = want[::-1] if e_of_t[0] > e_of_t[-1] else want
    else:
        from scipy.optimize import brentq

        edges_c = np.linspace(-1, 1, 11)
        e_of_c = np.array([X.associated_lab(c, E, M)[0] for c in edges_c])
        k_gamma = lambda c: E + M_E - X.associated_lab(c, E, M)[0] - 1e-3  # noqa: E731 - the photon cut
        cut = brentq(k_gamma, -1, 1) if k_gamma(-1) * k_gamma(1) < 0 else None

        def part(a, b):  # the density where the photon passes the cut, split at the cut's angle,
            # and geometrically toward cos = -1 and +1 (collinear peaks 1 - |cos| ~ m^2/s wide)
            pieces = [a, b] if cut is None or not a < cut < b else [a, cut, b]
            if a == -1.0:
                pieces = sorted(set(pieces) | set(-1.0 + (b - a) * np.geomspace(1e-12, 1.0, 40)))
            if b == 1.0:
                pieces = sorted(set(pieces) | set(1.0 - (b - a) * np.geomspace(1e-12, 1.0, 40)))
            return sum(integrate.quad(lambda c: Z.associated_dsigma_dcos(c, E, M, g), lo, hi, epsabs=0, epsrel=1e-9,
                                      limit=400)[0] for lo, hi in zip(pieces[:-1], pieces[1:])
                       if k_gamma(0.5 * (lo + hi)) >= 0)

        want = [n_e * part(a, b) for a, b in zip(edges_c[:-1], edges_c[1:])]
        edges = e_of_c
    assert rate == pytest.approx(sum(want), rel=2e-3)  # the quadrature of the total, against scipy's
    got, _ = np.histogram(ea, bins=edges, weights=r)
    got2, _ = np.histogram(ea, bins=edges, weights=r * r)
    got, err = got / n, np.sqrt(got2) / n
    ok = np.asarray(want) > 1e-3 * max(want)
    pulls = (got[ok] - np.asarray(want)[ok]) / np.maximum(err[ok], 1e-300)
    assert np.all(np.abs(pulls) < 5), pulls


@pytest.mark.parametrize("proc", ["associated", "compton", "e-bremsstrahlung"])
def test_forced_agrees_with_plain_for_the_weighted_processes(tmp_path, proc):
    job, ch = _channel(tmp_path, proc, m=0.03, g=3e-6)
    b, (forced, f_err), (plain, p_err) = _forced_and_plain(job, ch, 300_000, 7)
    pull = (forced - plain) / math.hypot(f_err, p_err)
    assert f_err / forced < 0.06 and p_err / plain < 0.06, (f_err / forced, p_err / plain)
    assert abs(pull) < 4, (forced, plain, pull)
    want = {"associated": [-11], "compton": [22], "e-bremsstrahlung": [-11, 11]}[proc]
    assert sorted(set(b.scalars["parent_pdg"].tolist())) == want  # electrons and positrons both radiate


# -- e Z -> e Z Z': the Weizsacker-Williams cross section and its kernel -------------------------

_FE = (26.0, 55.845)


@pytest.mark.parametrize("x, l, E, M", [(0.3, 0.0, 10.0, 0.05), (0.7, 3e3, 10.0, 0.05), (0.95, 1e4, 20.0, 0.2),
                                        (0.5, 50.0, 5.0, 0.02), (0.99, 0.5, 120.0, 0.5)])
def test_brems_is_bjorken_essig_schuster_toros_closed_form(x, l, E, M):
    """arXiv:0906.0580 appendix A (m_e neglected beside M): 8 alpha^3 eps^2 E^2 x chi/U^2
    [1 - x + x^2/2 - x (1 - x) M^2 E^2 x theta^2/U^2], with beta_Z' and the same chi."""
    eps = 1e-3
    g = eps * math.sqrt(4 * math.pi * ALPHA_EM)
    U = M_E**2 * x * (1 + l) + M**2 * (1 - x) / x
    chi = X.brems_chi((U / (2 * E * (1 - x))) ** 2, M_E**2 * (1 + l) ** 2 + M**2, *_FE)
    th2 = l * M_E**2 / E**2
    best = 8 * ALPHA_EM**3 * eps**2 * E**2 * x * chi / U**2 * (1 - x + x * x / 2 - x * (1 - x) * M**2 * E**2 * x * th2 / U**2)
    beta = math.sqrt(1 - M**2 / (x * E) ** 2)
    ours = Z.brems_d2sigma_dx_dl(x, l, E, M, g, *_FE) * 2 * E**2 / M_E**2  # dl = 2 E^2 dcos/m^2
    assert ours == pytest.approx(best * beta, rel=1e-4)  # the m_e terms they neglect: ~ m_e^2 (1 + l) x/U
    assert Z.brems_d2sigma_dx_dl(x, l, E, M, 2 * g, *_FE) == pytest.approx(4 * ours * M_E**2 / (2 * E**2), rel=1e-12)


@pytest.mark.parametrize("y", [0.1, 0.5, 0.9])
def test_massless_brems_with_the_electron_charge_is_bethe_heitler(y):
    """M -> 0 and g_e = e: the photon's bremsstrahlung spectrum at 1 TeV (complete screening) in
    Tsai's form (Rev. Mod. Phys. 46 (1974) 815, eq. 3.83; Born, no Coulomb correction):
    (4 alpha^3/(m^2 y)) {(4/3 - 4y/3 + y^2)[Z^2 ln(184.15 Z^-1/3) + Z ln(1194 Z^-2/3)] + (1 - y)(Z^2 + Z)/9}.
    Tsai's screening constants are fits: 0.5 % is their spread against the form factors."""
    e, E, (zz, aa) = math.sqrt(4 * math.pi * ALPHA_EM), 1000.0, _FE
    f = lambda v: math.exp(v) * Z.brems_d2sigma_dx_dl(y, math.expm1(v), E, 1e-7, e, zz, aa)  # noqa: E731
    ww = integrate.quad(f, 0, 60, limit=800, epsabs=0, epsrel=1e-9)[0]
    lrad, lrad_p = math.log(184.15 * zz ** (-1 / 3)), math.log(1194 * zz ** (-2 / 3))
    bh = 4 * ALPHA_EM**3 / (M_E**2 * y) * ((4 / 3 - 4 * y / 3 + y * y) * (zz * zz * lrad + zz * lrad_p)
                                         + (1 - y) * (zz * zz + zz) / 9)
    assert ww == pytest.approx(bh, rel=8e-3)


def _brems_sigma_reference(E, M, zz, aa, theta_max=1.0):
    """Gauss-Legendre (16 points per piece) over ln x (x < 1/2), ln(1 - x) (x > 1/2) and
    v = ln(1 + l) up to theta_max: a quadrature independent of the kernel's grid."""
    gx, gw = np.polynomial.legendre.leggauss(16)
    xlo, xhi = X.brems_x_range(E, M)
    vmax = min(math.log1p((E * theta_max / M_E) ** 2), 64.0)
    v_edges = np.linspace(0.0, vmax, int(math.ceil(vmax / 0.75)) + 1)
    vs = np.concatenate([a + 0.5 * (b - a) * (gx + 1) for a, b in zip(v_edges[:-1], v_edges[1:])])
    wv = np.concatenate([0.5 * (b - a) * gw for a, b in zip(v_edges[:-1], v_edges[1:])])
    total = 0.0
    for lo, hi, upper in ((math.log(xlo), math.log(0.5), False), (math.log(1 - xhi), math.log(0.5), True)):
        if not hi > lo:
            continue
        edges = np.linspace(lo, hi, int(math.ceil((hi - lo) / 0.25)) + 1)
        for a, b in zip(edges[:-1], edges[1:]):
            for gi, wi in zip(gx, gw):
                t = a + 0.5 * (b - a) * (gi + 1)
                x = 1 - math.exp(t) if upper else math.exp(t)
                jac = math.exp(t) * 0.5 * (b - a) * wi
                total += jac * sum(w * math.exp(v) * Z.brems_d2sigma_dx_dl(x, math.expm1(v), E, M, 1.0, zz, aa)
                                   for v, w in zip(vs, wv))
    return total


@pytest.fixture(scope="module")
def zprime_brems_kernel():
    from fipgen.production.channels.alp_brems import BremsKernel

    return BremsKernel(0.03, *_FE, 10.0, vector=True)


@pytest.mark.parametrize("E", [0.3, 2.0, 9.0])
def test_zprime_brems_kernel_weights_average_to_the_cross_section(zprime_brems_kernel, E):
    n = 300_000
    k = zprime_brems_kernel
    ea, ct, w = k.sample(np.full(n, E), 1.0, np.random.default_rng(21))
    ref = _brems_sigma_reference(E, 0.03, *_FE)
    mc, err = w.mean(), w.std() / math.sqrt(n)
    assert abs(mc - ref) < 4 * err + 3e-4 * ref, (mc / ref, err / ref)
    assert w.sum() ** 2 / (w * w).sum() > 0.85 * n  # the proposal follows the cross section
    assert k.sigma(E) == pytest.approx(ref, rel=0.01)  # the grid interpolation behind Z's per POT
    ok = np.isfinite(ea)
    assert np.all((ea[ok] > 0.03) & (ea[ok] < E - M_E)) and np.all(w[~ok] == 0.0)
    # the x spectrum: weighted fraction above x = 0.9 against the quadrature of the same piece
    x = ea[ok] / E
    hi = w[ok][x > 0.9]
    gx, gw = np.polynomial.legendre.leggauss(16)
    vs = np.linspace(0, min(math.log1p((E / M_E) ** 2), 64.0), 40)
    part = 0.0
    t_edges = np.linspace(math.log(1 - X.brems_x_range(E, 0.03)[1]), math.log(0.1), 24)
    for a, b in zip(t_edges[:-1], t_edges[1:]):
        for gi, wi in zip(gx, gw):
            t = a + 0.5 * (b - a) * (gi + 1)
            xx = 1 - math.exp(t)
            for va, vb in zip(vs[:-1], vs[1:]):
                for gj, wj in zip(gx, gw):
                    v = va + 0.5 * (vb - va) * (gj + 1)
                    part += (0.25 * (b - a) * (vb - va) * wi * wj * math.exp(t) * math.exp(v)
                             * Z.brems_d2sigma_dx_dl(xx, math.expm1(v), E, 0.03, 1.0, *_FE))
    assert hi.sum() / n == pytest.approx(part, abs=4 * math.sqrt((hi * hi).sum()) / n + 3e-4 * part)


# -- the atomic electrons' motion (fipgen.models.atomic_shells) --------------------------------


@pytest.mark.parametrize("Z, shell, zeff", [(6, (2, 1), 3.25), (7, (2, 1), 3.90), (8, (2, 1), 4.55), (26, (3, 2), 6.25),
                                            (26, (4, 0), 3.75), (30, (3, 2), 8.85), (30, (4, 0), 4.35), (1, (1, 0), 1.0)])
def test_slater_screened_charges(Z, shell, zeff):
    """Slater's rules (Phys. Rev. 36 (1930) 57) as worked in the textbooks: C, N, O 2p; Fe 3d and
    4s; Zn 3d and 4s (Slater's own example); H."""
    got = {(n, l): z for n, l, k, z in AS.slater_zeff(Z)}
    assert got[shell] == pytest.approx(zeff, abs=1e-12)
    assert sum(k for _, _, k, _ in AS.slater_zeff(Z)) == Z


def test_hydrogen_compton_profile_and_its_sampler():
    """Hydrogen's 1s profile in atomic units, J(q) = (8/3 pi)(1 + q^2)^-3: normalised, <q^2> =
    <p^2>/3 = 1/3 (the virial theorem: <T> = 1/2 hartree), the CDF its integral, the sampler
    its distribution (Kolmogorov-Smirnov)."""
    from scipy import stats

    assert integrate.quad(lambda y: float(AS.profile_pdf(y)), -np.inf, np.inf)[0] == pytest.approx(1.0, rel=1e-10)
    assert integrate.quad(lambda y: y * y * float(AS.profile_pdf(y)), -np.inf, np.inf)[0] == pytest.approx(1 / 3, rel=1e-9)
    for y in (-3.0, -0.4, 0.0, 0.7, 5.0):
        assert float(AS.profile_cdf(y)) == pytest.approx(
            integrate.quad(lambda t: float(AS.profile_pdf(t)), -np.inf, y)[0], rel=1e-9)
    (k, p0), = AS.shell_momenta(1)
    assert k == 1 and p0 == pytest.approx(ALPHA_EM * M_E, rel=1e-12)
    y = AS.sample_profile(np.random.default_rng(4).random(200_000))
    assert stats.kstest(y, lambda v: AS.profile_cdf(v)).pvalue > 1e-3


def test_the_resonance_reaches_beyond_the_spectrum_only_with_moving_electrons(tmp_path):
    """MiniBooNE's dump at 100 MeV: E_R = 9.8 GeV lies above the 8.9 GeV showers' positrons;
    electrons moving toward the positron (q < 0) bring it within reach, at rest none."""
    job = build_job(parse_card(CARD.format(det="miniboone_dump", m=0.1, g=1e-6, kind="dark-photon", n=100), "t"))
    (ch,) = job.channels if len(job.channels) == 1 else (job.channels[0],)
    parts = getattr(ch, "parts", [ch])
    assert sum(p.rate_per_pot for p in parts) > 0
    for p in parts:
        object.__setattr__(p, "_electron_profile", lambda: None)
        p._cache.clear()
    assert sum(p.rate_per_pot for p in parts) == 0.0

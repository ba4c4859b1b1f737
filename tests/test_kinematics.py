"""Boosts and two-body decays: invariants, references, isotropy and the forced-direction density."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from fipgen.errors import PhysicsError
from fipgen.kinematics import (
    boost,
    boost_from_rest,
    boost_numpy,
    boost_to_rest,
    invariant_mass,
    invariant_mass_numpy,
    two_body_isotropic,
    two_body_isotropic_numpy,
    two_body_momentum,
    two_body_toward,
    two_body_toward_numpy,
)

M_PI0 = 0.1349768
M_ETA = 0.547862


def random_p4(rng, n, mass, pmax=5.0):
    p = rng.normal(size=(n, 3)) * pmax / 2
    return np.column_stack([p, np.sqrt(np.sum(p * p, axis=1) + mass**2)])


def random_beta(rng, n, bmax=0.999):
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    return d * (bmax * rng.random(n))[:, None]


def minkowski2(p):
    return p[:, 3] ** 2 - np.sum(p[:, :3] ** 2, axis=1)


def test_boost_preserves_mass_and_inverts():
    rng = np.random.default_rng(1)
    p = random_p4(rng, 2000, 0.3)
    b = random_beta(rng, 2000)
    q = boost(p, b)
    e2 = p[:, 3] ** 2
    assert np.allclose(minkowski2(q), minkowski2(p), rtol=0, atol=1e-10 * np.max(q[:, 3] ** 2))
    back = boost(q, -b)
    assert np.allclose(back, p, rtol=1e-11, atol=1e-11 * np.sqrt(e2.max()))
    assert np.allclose(q, boost_numpy(p, b), rtol=1e-12, atol=1e-12)


def test_boost_direction_convention_particle_at_rest():
    beta = np.array([[0.6, 0.0, 0.0], [0.0, -0.3, 0.4]])
    rest = np.array([[0.0, 0.0, 0.0, 2.0]] * 2)
    q = boost(rest, beta)
    assert np.allclose(q[:, :3] / q[:, 3:4], beta, rtol=1e-14)


def test_boost_matches_scikit_hep_vector():
    vector = pytest.importorskip("vector")
    rng = np.random.default_rng(2)
    p = random_p4(rng, 500, 0.14)
    b = random_beta(rng, 500)
    v = vector.array({"px": p[:, 0], "py": p[:, 1], "pz": p[:, 2], "E": p[:, 3]})
    bv = vector.array({"x": b[:, 0], "y": b[:, 1], "z": b[:, 2]})
    w = v.boost_beta3(bv)
    ref = np.column_stack([w.px, w.py, w.pz, w.E])
    assert np.allclose(boost(p, b), ref, rtol=1e-10, atol=1e-12)
    par = random_p4(rng, 500, 0.5)
    pv = vector.array({"px": par[:, 0], "py": par[:, 1], "pz": par[:, 2], "E": par[:, 3]})
    w2 = v.boost_p4(pv)
    assert np.allclose(boost_from_rest(p, par), np.column_stack([w2.px, w2.py, w2.pz, w2.E]), rtol=1e-9, atol=1e-12)


def test_boost_to_rest_and_back():
    rng = np.random.default_rng(3)
    par = random_p4(rng, 1000, M_ETA, pmax=50.0)
    rest = boost_to_rest(par, par)
    assert np.allclose(rest[:, :3], 0.0, atol=1e-12 * par[:, 3].max())
    assert np.allclose(rest[:, 3], M_ETA, rtol=1e-12)
    x = random_p4(rng, 1000, 0.01)
    assert np.allclose(boost_from_rest(boost_to_rest(x, par), par), x, rtol=1e-10, atol=1e-10)
    # an exact mass keeps precision for ultra-relativistic parents: the daughter at rest
    # in the parent frame comes back as the parent four-momentum
    fast = np.array([[0.0, 3e5, 1e6, math.sqrt(1e12 + 9e10 + M_PI0**2)]])
    r = boost_from_rest(np.array([[0.0, 0.0, 0.0, M_PI0]]), fast, mass=M_PI0)
    assert np.allclose(r, fast, rtol=1e-15, atol=0)


def test_invariant_mass():
    rng = np.random.default_rng(4)
    p = random_p4(rng, 100, 0.7)
    assert np.allclose(invariant_mass(p), 0.7, rtol=1e-12)
    assert np.allclose(invariant_mass(p), invariant_mass_numpy(p), rtol=1e-9)


def test_two_body_momentum():
    assert two_body_momentum(M_PI0, 0.0, 0.0) == pytest.approx(M_PI0 / 2, rel=1e-15)
    # K+ -> mu+ nu: p* = (M^2 - m^2)/(2M) = 0.235533 GeV
    mk, mmu = 0.493677, 0.1056583755
    assert two_body_momentum(mk, mmu, 0.0) == pytest.approx((mk**2 - mmu**2) / (2 * mk), rel=1e-14)
    assert two_body_momentum(1.0, 0.5, 0.5) == 0.0
    with pytest.raises(PhysicsError):
        two_body_momentum(0.1, 0.06, 0.05)


def _fixed_parents(n, mass, p, direction=(0.3, -0.5, 0.8)):
    d = np.asarray(direction, float)
    d /= np.linalg.norm(d)
    par = np.zeros((n, 4))
    par[:, :3] = p * d
    par[:, 3] = math.sqrt(p * p + mass * mass)
    return par, d


@pytest.mark.parametrize("M,m1,m2,p", [(M_PI0, 0.02, 0.0, 1.5), (M_ETA, 0.5, 0.0, 5.0), (M_ETA, 0.1057, 0.1057, 0.3)])
def test_two_body_isotropic_conservation_shell_isotropy(M, m1, m2, p):
    rng = np.random.default_rng(5)
    n = 40000
    par = random_p4(rng, n, M, pmax=2 * p)
    u1, u2 = rng.random(n), rng.random(n)
    p1, p2 = two_body_isotropic(par, m1, m2, u1, u2)
    scale = par[:, 3][:, None]
    assert np.max(np.abs(p1 + p2 - par) / scale) < 1e-9
    assert np.max(np.abs(minkowski2(p1) - m1**2) / par[:, 3] ** 2) < 1e-9
    assert np.max(np.abs(minkowski2(p2) - m2**2) / par[:, 3] ** 2) < 1e-9
    r1, r2 = two_body_isotropic_numpy(par, m1, m2, u1, u2)
    assert np.allclose(p1, r1, rtol=1e-9, atol=1e-12) and np.allclose(p2, r2, rtol=1e-9, atol=1e-12)
    # rest-frame isotropy: cos theta* uniform in [-1, 1], phi* uniform
    rest = boost_to_rest(p1, par)
    ps = two_body_momentum(M, m1, m2)
    assert np.allclose(np.linalg.norm(rest[:, :3], axis=1), ps, rtol=1e-8)
    cth = rest[:, 2] / ps
    assert stats.kstest(cth, stats.uniform(loc=-1, scale=2).cdf).pvalue > 1e-3
    phi = np.arctan2(rest[:, 1], rest[:, 0])
    assert stats.kstest(phi, stats.uniform(loc=-math.pi, scale=2 * math.pi).cdf).pvalue > 1e-3


def test_two_body_isotropic_detects_anisotropy():
    """The isotropy test can fail: a cos theta* ~ 1 + 0.1 cos distorted sample is rejected."""
    rng = np.random.default_rng(6)
    n = 40000
    par = random_p4(rng, n, M_PI0)
    u = rng.random(n)
    # inverse CDF of (1 + a x)/2 on [-1, 1]
    a = 0.1
    x = (-1 + np.sqrt((1 - a) ** 2 + 4 * a * u)) / a
    p1, _ = two_body_isotropic(par, 0.0, 0.0, (x + 1) / 2, rng.random(n))
    cth = boost_to_rest(p1, par)[:, 2] / (M_PI0 / 2)
    assert stats.kstest(cth, stats.uniform(loc=-1, scale=2).cdf).pvalue < 1e-3


def _directions_at(alpha, axis):
    """Unit vectors at angle alpha (array) from ``axis`` (fixed azimuth)."""
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    perp = np.cross(axis, [1.0, 0.0, 0.0])
    perp /= np.linalg.norm(perp)
    alpha = np.atleast_1d(alpha)
    return np.cos(alpha)[:, None] * axis + np.sin(alpha)[:, None] * perp


def _density_at(par_row, m1, m2, alpha, axis):
    a = np.atleast_1d(alpha)
    par = np.repeat(par_row[None, :], a.size, axis=0)
    _, _, dens = two_body_toward(par, m1, m2, _directions_at(a, axis), np.zeros(a.size))
    return dens


# (M, m1, m2, |p_parent|): a light daughter (one solution, backward emission allowed),
# a light daughter with a fast parent (two solutions), and a heavy daughter near threshold
# with a fast parent (narrow cone, two solutions).
REGIMES = [
    pytest.param(M_PI0, 0.001, 0.0, 0.05, id="light-slow-one-root"),
    pytest.param(M_PI0, 0.0, 0.0, 0.4, id="massless"),
    pytest.param(M_PI0, 0.03, 0.0, 2.0, id="light-fast-two-roots"),
    pytest.param(M_ETA, 0.5, 0.0, 5.0, id="heavy-threshold-fast"),
]


@pytest.mark.parametrize("M,m1,m2,p", REGIMES)
def test_toward_density_matches_isotropic_histogram(M, m1, m2, p):
    rng = np.random.default_rng(7)
    n = 200000
    par, axis = _fixed_parents(n, M, p)
    p1, _ = two_body_isotropic(par, m1, m2, rng.random(n), rng.random(n))
    cosa = np.clip(p1[:, :3] @ axis / np.linalg.norm(p1[:, :3], axis=1), -1, 1)
    alpha = np.arccos(cosa)
    ps = two_body_momentum(M, m1, m2)
    u = p / M
    amax = math.asin(min(1.0, ps / (m1 * u))) if m1 * u > ps else math.pi
    edges = np.linspace(0.0, amax, 31)
    counts, _ = np.histogram(alpha, edges)

    def f(a):
        return float(_density_at(par[0], m1, m2, a, axis)[0]) * 2 * math.pi * math.sin(a)

    expected = np.array([integrate.quad(f, lo, hi, limit=200)[0] for lo, hi in zip(edges[:-1], edges[1:])])
    assert sum(expected) == pytest.approx(1.0, abs=2e-4)  # density normalised over the sphere
    exp_counts = expected * n
    chi2 = np.sum((counts - exp_counts) ** 2 / exp_counts)
    assert stats.chi2.sf(chi2, len(counts) - 1) > 1e-3, chi2


@pytest.mark.parametrize("M,m1,m2,p", REGIMES)
def test_toward_momenta_reproduce_isotropic_given_direction(M, m1, m2, p):
    rng = np.random.default_rng(8)
    n = 100000
    par, axis = _fixed_parents(n, M, p)
    p1, _ = two_body_isotropic(par, m1, m2, rng.random(n), rng.random(n))
    d = p1[:, :3] / np.linalg.norm(p1[:, :3], axis=1)[:, None]
    t1, t2, dens = two_body_toward(par, m1, m2, d, rng.random(n))
    assert np.all(dens > 0)
    # four-momentum conservation and mass shells
    assert np.max(np.abs(t1 + t2 - par)) < 1e-12 * par[0, 3]
    assert np.max(np.abs(minkowski2(t1) - m1**2)) < 1e-9 * par[0, 3] ** 2
    assert np.max(np.abs(minkowski2(t2) - m2**2)) < 1e-9 * par[0, 3] ** 2
    assert np.allclose(t1[:, :3] / np.linalg.norm(t1[:, :3], axis=1)[:, None], d, atol=1e-12)
    # each isotropic daughter is one of the kinematic solutions along its direction
    hi, _, _ = two_body_toward(par, m1, m2, d, np.zeros(n))
    lo, _, _ = two_body_toward(par, m1, m2, d, np.ones(n))
    q = np.linalg.norm(p1[:, :3], axis=1)
    qh, ql = np.linalg.norm(hi[:, :3], axis=1), np.linalg.norm(lo[:, :3], axis=1)
    assert np.max(np.minimum(abs(q - qh), abs(q - ql)) / q) < 1e-7
    # the momentum chosen given the direction has the isotropic distribution
    qt = np.linalg.norm(t1[:, :3], axis=1)
    if np.allclose(qh, ql):
        assert np.allclose(qt, q, rtol=1e-7)
    else:
        frac_iso = np.mean(abs(q - qh) < abs(q - ql))
        frac_tow = np.mean(abs(qt - qh) < abs(qt - ql))
        sigma = math.sqrt(frac_iso * (1 - frac_iso) * 2 / n)
        assert abs(frac_iso - frac_tow) < 4 * sigma
        assert stats.ks_2samp(q, qt).pvalue > 1e-3


@pytest.mark.parametrize("M,m1,m2,p", REGIMES)
def test_toward_weights_are_exact(M, m1, m2, p):
    """Directions from a uniform cone proposal, weight density/q: mean weight 1, weighted E1 = isotropic."""
    rng = np.random.default_rng(9)
    n = 200000
    par, axis = _fixed_parents(n, M, p)
    ps = two_body_momentum(M, m1, m2)
    u = p / M
    amax = min(math.pi, 1.2 * math.asin(ps / (m1 * u))) if m1 * u > ps else math.pi
    cmin = math.cos(amax)
    cosa = 1 - rng.random(n) * (1 - cmin)
    phi = 2 * math.pi * rng.random(n)
    e1 = axis
    e2 = np.cross(axis, [1.0, 0.0, 0.0])
    e2 /= np.linalg.norm(e2)
    e3 = np.cross(axis, e2)
    sa = np.sqrt(1 - cosa**2)
    d = cosa[:, None] * e1 + (sa * np.cos(phi))[:, None] * e2 + (sa * np.sin(phi))[:, None] * e3
    t1, _, dens = two_body_toward(par, m1, m2, d, rng.random(n))
    q_prop = 1.0 / (2 * math.pi * (1 - cmin))
    w = dens / q_prop
    err = w.std() / math.sqrt(n)
    assert abs(w.mean() - 1.0) < 5 * err
    iso, _ = two_body_isotropic(par, m1, m2, rng.random(n), rng.random(n))
    mean_iso = iso[:, 3].mean()
    mean_w = np.sum(w * t1[:, 3]) / np.sum(w)
    assert abs(mean_w - mean_iso) < 5 * (iso[:, 3].std() / math.sqrt(n) + np.sqrt(np.sum(w**2)) / np.sum(w) * t1[:, 3].std())


def test_toward_outside_cone_and_numpy_reference():
    rng = np.random.default_rng(10)
    par, axis = _fixed_parents(5, M_ETA, 5.0)
    ps = two_body_momentum(M_ETA, 0.5, 0.0)
    amax = math.asin(ps / (0.5 * 5.0 / M_ETA))
    d = _directions_at(np.array([1.5 * amax, 0.5, 2.0, math.pi, 1.01 * amax]), axis)
    p1, p2, dens = two_body_toward(par, 0.5, 0.0, d, rng.random(5))
    assert np.all(dens == 0) and np.all(p1 == 0) and np.all(p2 == 0)
    # kernel vs the independent textbook-quadratic reference
    n = 5000
    par = random_p4(rng, n, M_ETA, pmax=3.0)
    dirs = rng.normal(size=(n, 3))
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]
    dirs = 0.2 * dirs + par[:, :3] / np.linalg.norm(par[:, :3], axis=1)[:, None]
    uu = rng.random(n)
    for m1, m2 in [(0.0, 0.0), (0.2, 0.0), (0.45, 0.05)]:
        a1, a2, ad = two_body_toward(par, m1, m2, dirs, uu)
        b1, b2, bd = two_body_toward_numpy(par, m1, m2, dirs, uu)
        assert np.any(ad > 0)
        assert np.allclose(ad, bd, rtol=1e-6, atol=0)
        assert np.allclose(a1, b1, rtol=1e-7, atol=1e-9)
        assert np.allclose(a2, b2, rtol=1e-7, atol=1e-9)


def test_toward_parent_at_rest_is_isotropic_density():
    par = np.array([[0.0, 0.0, 0.0, M_PI0]] * 3)
    d = np.array([[0, 0, 1.0], [1.0, 0, 0], [0, -1.0, 1.0]])
    p1, p2, dens = two_body_toward(par, 0.02, 0.0, d, np.full(3, 0.5))
    assert np.allclose(dens, 1 / (4 * math.pi), rtol=1e-14)
    assert np.allclose(np.linalg.norm(p1[:, :3], axis=1), two_body_momentum(M_PI0, 0.02, 0.0), rtol=1e-14)


def test_cos_sin_of_a_turn_against_long_double():
    """fipgen.fasttrig.cos_sin_turn (the azimuths of the meson, two-body and aimed kernels):
    within 2.5e-16 of cos and sin of 2 pi u against x86's 80-bit long double, on 1e6 uniforms
    and the quarter and eighth points with their neighbours (the reduction's edges), where
    numpy's cos(2 pi u) is up to ~7e-16 off (its argument rounded); exact at quarter turns."""
    from fipgen.fasttrig import cos_sin_turns

    if np.finfo(np.longdouble).eps > 1e-18:
        pytest.skip("needs an extended-precision long double")
    rng = np.random.default_rng(8)
    edges = np.arange(9) / 8.0
    u = np.concatenate([rng.random(1_000_000), edges[:-1], np.nextafter(edges[1:], 0.0), np.nextafter(edges[:-1], 1.0),
                        [5e-324, 1e-300, 1e-12]])
    c, s = cos_sin_turns(u)
    two_pi = 2 * np.arccos(np.longdouble(-1))
    exact_c, exact_s = np.cos(two_pi * u.astype(np.longdouble)), np.sin(two_pi * u.astype(np.longdouble))
    assert float(np.max(np.abs(c - exact_c))) < 2.5e-16
    assert float(np.max(np.abs(s - exact_s))) < 2.5e-16
    assert float(np.max(np.abs(np.cos(2 * np.pi * u) - exact_c))) > 4e-16  # the library's rounded argument
    q = np.array([0.0, 0.25, 0.5, 0.75])
    cq, sq = cos_sin_turns(q)
    np.testing.assert_array_equal(cq, [1.0, 0.0, -1.0, 0.0])
    np.testing.assert_array_equal(sq, [0.0, 1.0, 0.0, -1.0])


def test_unit_toward_is_its_reference_and_unit():
    """fipgen.kinematics.directions.unit_toward: the numpy reference's floats exactly, unit
    length to rounding, pointing from each origin to its target, at scales 1e-3 to 1e5 m."""
    from fipgen.kinematics.directions import unit_toward, unit_toward_numpy

    rng = np.random.default_rng(3)
    for scale in (1e-3, 1.0, 1e5):
        o = rng.normal(size=(20_000, 3)) * scale
        t = o + rng.normal(size=(20_000, 3)) * scale * rng.random((20_000, 1))
        d = unit_toward(o, t)
        assert np.array_equal(d, unit_toward_numpy(o, t))
        assert np.allclose(np.linalg.norm(d, axis=1), 1.0, rtol=0, atol=4e-16)
        along = t - o
        assert np.allclose(np.cross(d, along) / np.linalg.norm(along, axis=1)[:, None], 0.0, atol=1e-15)
        assert np.all(np.einsum("ij,ij->i", d, along) > 0)
    with pytest.raises(ValueError, match="differ"):
        unit_toward(np.zeros((3, 3)), np.ones((2, 3)))


def test_two_body_isotropic_into_an_array_is_the_same_decay():
    """``out=`` (a decay's (n, 2, 4) daughters) gives the returned arrays' numbers exactly."""
    rng = np.random.default_rng(9)
    n = 5000
    p = rng.normal(size=(n, 3))
    par = np.column_stack([p, np.sqrt((p**2).sum(axis=1) + 0.05**2)])
    u1, u2 = rng.random(n), rng.random(n)
    p1, p2 = two_body_isotropic(par, 0.000511, 0.000511, u1, u2, parent_mass=0.05)
    out = np.empty((n, 2, 4))
    q1, q2 = two_body_isotropic(par, 0.000511, 0.000511, u1, u2, parent_mass=0.05, out=out)
    assert np.array_equal(out[:, 0], p1) and np.array_equal(out[:, 1], p2)
    assert np.shares_memory(q1, out) and np.array_equal(q2, p2)
    with pytest.raises(ValueError, match="out must be"):
        two_body_isotropic(par, 0.0, 0.0, u1, u2, out=np.empty((n, 3, 4)))

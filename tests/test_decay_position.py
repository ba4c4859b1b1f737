"""Decay probabilities and truncated-exponential decay positions over unions of segments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from fipgen.kinematics import (
    decay_probability,
    decay_probability_numpy,
    sample_decay_distance,
    sample_decay_distance_numpy,
    survival_and_decay,
)


def union_cdf(l, segs, ell):
    """CDF of the exponential exp(-l/ell)/ell restricted to a union of segments (float64,
    used only where it is well conditioned: ell not >> L)."""
    l = np.asarray(l, float)
    a0 = min(s[0] for s in segs)  # factor exp(-a0/ell) out of numerator and denominator
    num = np.zeros_like(l)
    tot = 0.0
    for a, b in segs:
        w = math.exp(-(a - a0) / ell) - math.exp(-(b - a0) / ell)
        tot += w
        inside = np.clip(l, a, b)
        num += np.exp(-(a - a0) / ell) - np.exp(-(inside - a0) / ell)
    return num / tot


def uniform_union_cdf(l, segs):
    """CDF for ell -> infinity: uniform over the union (lengths)."""
    l = np.asarray(l, float)
    tot = sum(b - a for a, b in segs)
    return sum(np.clip(l, a, b) - a for a, b in segs) / tot


def pack(segs, n):
    m = len(segs)
    a = np.tile([s[0] for s in segs], (n, 1))
    b = np.tile([s[1] for s in segs], (n, 1))
    return np.full(n, m, dtype=np.int64), a, b


SEGS_1 = [(100.0, 105.0)]
SEGS_3 = [(100.0, 101.0), (103.0, 103.5), (110.0, 114.0)]


@pytest.mark.parametrize("segs", [SEGS_1, SEGS_3], ids=["one", "three"])
@pytest.mark.parametrize("ell", [0.05, 0.7, 5.0, 100.0, 3e3], ids=lambda x: f"ell{x}")
def test_sampled_positions_follow_truncated_exponential(segs, ell):
    rng = np.random.default_rng(11)
    n = 50000
    ns, a, b = pack(segs, n)
    x = sample_decay_distance(ns, a, b, np.full(n, ell), rng.random(n))
    lo = min(s[0] for s in segs)
    hi = max(s[1] for s in segs)
    assert np.all((x >= lo) & (x <= hi))
    inside = np.zeros(n, bool)
    for s0, s1 in segs:
        inside |= (x >= s0) & (x <= s1)
    assert inside.all()
    assert stats.kstest(x, lambda t: union_cdf(t, segs, ell)).pvalue > 1e-3


@pytest.mark.parametrize("segs", [SEGS_1, SEGS_3], ids=["one", "three"])
def test_uniform_limit_keeps_precision(segs):
    """ell = 1e12 L: uniform over the union, and each draw equals the exact inverse CDF."""
    rng = np.random.default_rng(12)
    n = 100000
    ns, a, b = pack(segs, n)
    L = max(s[1] for s in segs)
    u = rng.random(n)
    x = sample_decay_distance(ns, a, b, np.full(n, 1e12 * L), u)
    assert stats.kstest(x, lambda t: uniform_union_cdf(t, segs)).pvalue > 1e-3
    # deterministic check: uniform inverse CDF over the lengths (the exponential tilts
    # positions by ~ Delta^2/ell, far below 1e-9 Delta)
    lengths = np.array([s1 - s0 for s0, s1 in segs])
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    t = u * cum[-1]
    k = np.minimum(np.searchsorted(cum, t, side="right") - 1, len(segs) - 1)
    expect = np.array([segs[j][0] for j in k]) + (t - cum[k])
    assert np.max(np.abs(x - expect)) < 1e-9 * lengths.sum()
    # the naive form exp(-l1/ell) - u (exp(-l1/ell) - exp(-l2/ell)) would quantise l in
    # steps of ~ ell * 1e-16 = 1e-2 L: check we resolve much finer than that
    assert np.min(np.diff(np.sort(x))) < 1e-6 * L


def test_per_event_decay_lengths_probability_integral_transform():
    """Events with different ell and segments: F_i(x_i) must be uniform."""
    rng = np.random.default_rng(13)
    n = 40000
    a0 = rng.uniform(10, 500, n)
    ln1 = rng.uniform(0.5, 20, n)
    gap = rng.uniform(0, 10, n)
    ln2 = rng.uniform(0.5, 20, n)
    two = rng.random(n) < 0.5
    seg_in = np.column_stack([a0, a0 + ln1 + gap])
    seg_out = np.column_stack([a0 + ln1, a0 + ln1 + gap + ln2])
    ns = np.where(two, 2, 1).astype(np.int64)
    ell = 10 ** rng.uniform(-0.5, 3, n)
    x = sample_decay_distance(ns, seg_in, seg_out, ell, rng.random(n))
    # CDF relative to exp(-a0/ell) (well conditioned)
    F = np.empty(n)
    for i in range(n):
        segs = [(seg_in[i, k] - a0[i], seg_out[i, k] - a0[i]) for k in range(ns[i])]
        F[i] = union_cdf(x[i] - a0[i], segs, ell[i])
    assert stats.kstest(F, "uniform").pvalue > 1e-3


def test_sampler_numpy_reference_agrees():
    rng = np.random.default_rng(14)
    n = 20000
    seg_in = np.column_stack([rng.uniform(1, 50, n), rng.uniform(60, 70, n), np.zeros(n)])
    seg_out = seg_in + np.column_stack([rng.uniform(0, 5, n), rng.uniform(0.1, 5, n), np.zeros(n)])
    ns = rng.integers(1, 3, n).astype(np.int64)
    ell = 10 ** rng.uniform(-2, 13, n)
    u = rng.random(n)
    x = sample_decay_distance(ns, seg_in, seg_out, ell, u)
    y = sample_decay_distance_numpy(ns, seg_in, seg_out, ell, u)
    ok = np.isfinite(x)
    assert np.array_equal(ok, np.isfinite(y))
    assert np.allclose(x[ok], y[ok], rtol=1e-12, atol=1e-9)
    p = decay_probability(ns, seg_in, seg_out, ell)
    q = decay_probability_numpy(ns, seg_in, seg_out, ell)
    assert np.allclose(p, q, rtol=1e-13, atol=0)


def test_decay_probability_closed_forms():
    # huge ell: P = exp(-l1/ell) (D/ell - D^2/(2 ell^2) + ...), D = l2 - l1
    l1, l2 = 110.0, 115.0
    for ell in (1e6, 1e9, 1e14, 1e18):
        D = l2 - l1
        expect = math.exp(-l1 / ell) * (D / ell - D**2 / (2 * ell**2) + D**3 / (6 * ell**3))
        got = decay_probability([1], [[l1]], [[l2]], [ell])[0]
        assert got == pytest.approx(expect, rel=1e-13)
        naive = math.exp(-l1 / ell) - math.exp(-l2 / ell)
        if ell >= 1e14:  # the naive difference has lost the digits (or everything)
            assert abs(naive - expect) > 1e-4 * expect
    # moderate and small ell: plain exponentials are well conditioned there
    for ell in (1.0, 20.0, 300.0):
        got = decay_probability([1], [[l1]], [[l2]], [ell])[0]
        assert got == pytest.approx(math.exp(-l1 / ell) - math.exp(-l2 / ell), rel=1e-12)
    # tiny ell: underflow to exactly 0, never negative or NaN
    assert decay_probability([1], [[l1]], [[l2]], [1e-3])[0] == 0.0
    # union of segments = sum; unused columns ignored; ell = inf -> 0
    segs_in = [[1.0, 3.0, 99.0]]
    segs_out = [[2.0, 4.0, 100.0]]
    got = decay_probability([2], segs_in, segs_out, [2.5])[0]
    expect = sum(math.exp(-a / 2.5) - math.exp(-b / 2.5) for a, b in [(1, 2), (3, 4)])
    assert got == pytest.approx(expect, rel=1e-14)
    assert decay_probability([3], segs_in, segs_out, [math.inf])[0] == 0.0
    assert decay_probability([0], segs_in, segs_out, [1.0])[0] == 0.0


def test_empty_union_and_survival():
    x = sample_decay_distance([0, 1], [[0.0], [5.0]], [[0.0], [5.0]], [1.0, 1.0], [0.5, 0.5])
    assert np.all(np.isnan(x))
    ps, pd = survival_and_decay([2, 0], [[3.0, 1.0], [0.0, 0.0]], [[4.0, 2.0], [0.0, 0.0]], [2.0, 2.0])
    assert ps[0] == pytest.approx(math.exp(-0.5)) and ps[1] == 0.0
    assert pd[0] == pytest.approx(math.exp(-1.5) - math.exp(-2.0) + math.exp(-0.5) - math.exp(-1.0))
    with pytest.raises(ValueError):
        decay_probability([1], [[1.0]], [[2.0]], [0.0])


def test_ks_detects_a_uniform_sampler():
    """The KS check can fail: a uniform draw is rejected when ell ~ L."""
    rng = np.random.default_rng(15)
    x = rng.uniform(100.0, 105.0, 50000)
    assert stats.kstest(x, lambda t: union_cdf(t, SEGS_1, 2.0)).pvalue < 1e-3


def test_one_segment_path_gives_the_general_paths_numbers():
    """The kernel's one-segment shortcut against its general loops (reached with an empty
    second segment, which they skip): the same distances, bit for bit, from ell << L to
    ell >> L, and NaN for an empty chord."""
    rng = np.random.default_rng(8)
    n = 20_000
    a = rng.uniform(0.0, 500.0, n)
    b = a + 10.0 ** rng.uniform(-6, 2, n)
    b[:50] = a[:50]  # empty chords
    ell = 10.0 ** rng.uniform(-4, 9, n)
    u = rng.random(n)
    one = sample_decay_distance(np.ones(n, dtype=np.int64), a[:, None], b[:, None], ell, u)
    two = sample_decay_distance(np.full(n, 2, dtype=np.int64), np.column_stack([a, b + 1.0]),
                                np.column_stack([b, b + 1.0]), ell, u)
    assert np.array_equal(one, two, equal_nan=True)
    assert np.all(np.isnan(one[:50])) and np.all((one[50:] >= a[50:]) & (one[50:] <= b[50:]))


def test_probability_and_distance_in_one_pass_are_the_two_calls():
    """``decay_probability_and_distance`` (one pass, what transport uses) gives the same floats
    as ``decay_probability`` and ``sample_decay_distance``: one, two and three segments, empty
    unions, zero-length segments, decay lengths from 1e-3 to 1e12 times the segments."""
    from fipgen.kinematics.decay_position import decay_probability_and_distance

    rng = np.random.default_rng(7)
    n = 5000
    ns = rng.integers(0, 4, n)
    starts = np.sort(rng.uniform(0.0, 200.0, (n, 3)), axis=1)
    lengths = rng.uniform(0.0, 10.0, (n, 3))
    lengths[rng.random((n, 3)) < 0.05] = 0.0  # zero-length segments
    seg_in, seg_out = starts, starts + lengths
    ell = 10.0 ** rng.uniform(-1.0, 14.0, n)
    u = rng.random(n)
    p, d = decay_probability_and_distance(ns, seg_in, seg_out, ell, u)
    assert np.array_equal(p, decay_probability(ns, seg_in, seg_out, ell))
    assert np.array_equal(d, sample_decay_distance(ns, seg_in, seg_out, ell, u), equal_nan=True)
    assert np.isnan(d[ns == 0]).all() and (p[ns == 0] == 0.0).all()
    assert np.isfinite(d[p > 0]).all()


@pytest.mark.parametrize("ctau", [1e-3, 1.0, 160.0, 1e12])
def test_fused_transport_is_the_step_by_step_reference(ctau):
    """fipgen.transport.transport's one pass gives transport_numpy's floats exactly (probability,
    distance, decay point, flight time, beta gamma), for rays through SBND's active volume, rays
    that miss it (NaN distance and point in both) and momenta from 1e-3 to 1e3 GeV."""
    from fipgen.geometry import load_detector
    from fipgen.transport import transport, transport_numpy

    solid = load_detector("sbnd").active_beam
    rng = np.random.default_rng(11)
    n = 20_000
    vertex = rng.normal(size=(n, 3)) * 0.3
    d = solid.sample_points(n, rng) - vertex
    d[: n // 10] = rng.normal(size=(n // 10, 3))  # mostly missing the detector
    d /= np.linalg.norm(d, axis=1)[:, None]
    p = 10.0 ** rng.uniform(-3, 3, n)
    m = 0.05
    p4 = np.column_stack([d * p[:, None], np.sqrt(p * p + m * m)])
    seg = solid.chords(vertex, d)
    assert 0 < np.count_nonzero(seg.n == 0) < n
    a = transport(vertex, p4, m, ctau, solid, np.random.default_rng(1), segments=seg)
    b = transport_numpy(vertex, p4, m, ctau, solid, np.random.default_rng(1), segments=seg)
    for k in ("beta_gamma", "p_decay", "distance", "decay_vertex", "flight_time"):
        assert np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True), k
    inside = seg.n > 0
    assert np.all(np.isfinite(a.distance[inside])) and np.all(np.isnan(a.distance[~inside]))
    with pytest.raises(ValueError, match="decay lengths"):
        transport(vertex, p4, m, 0.0, solid, np.random.default_rng(1), segments=seg)

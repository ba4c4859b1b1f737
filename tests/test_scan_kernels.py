"""The reweighting kernel (fipgen.scan.kernels.weighted_decay_sums) against its numpy reference.

The kernel replaces the exponentials by their power series in 1/ctau where the lifetime is
long beside the flight (moment sums per channel), skips what is exactly 0 and evaluates the
rest directly; its sums must equal the direct (events x lifetimes) matrix to rounding in every
regime: lifetimes from 1 mm to 1e9 m and infinite, several segments per chord, exposure
(scattering) sums, X -> N N flights reweighted, factors of 0, alternative weight sets.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.scan import kernels as K


def _case(seed, n=2500, n_sets=2, n_ch=3, n_dec=4, n_c=70, max_seg=3, exposure=False, x_chain=False, depth=20.0,
          far=600.0):
    rng = np.random.default_rng(seed)
    w = rng.random((n_sets, n))
    k = rng.integers(0, n_ch, n).astype(np.int64)
    d = rng.integers(0, n_dec, n).astype(np.int64)
    bg = 10.0 ** rng.uniform(-1.0, 2.5, n)
    ns = rng.integers(0, max_seg + 1, n).astype(np.int64)
    a0 = rng.uniform(0.0, far, n)
    edges = np.sort(a0[:, None] + rng.uniform(0.0, depth, (n, 2 * max_seg)), axis=1)
    seg_in = np.where(np.arange(max_seg)[None, :] < ns[:, None], edges[:, 0::2], 0.0)
    seg_out = np.where(np.arange(max_seg)[None, :] < ns[:, None], edges[:, 1::2], 0.0)
    ctau = np.geomspace(1e-3, 1e9, n_c)[rng.permutation(n_c)]  # any order
    f = rng.random((n_ch, n_c))
    if n_c > 7:
        ctau[5] = np.inf
        f[0, 7] = 0.0
    g = rng.random((n_dec, n_c))
    xt = rng.exponential(size=n)
    xr = np.ones((n_ch, n_c))
    if x_chain:
        xr[1] = rng.uniform(0.5, 2.0, n_c)
    return (w, k, d, bg, ns, seg_in, seg_out, ctau, f, g, xt, xr, exposure)


@pytest.mark.parametrize("kw", [{}, {"exposure": True}, {"x_chain": True}, {"max_seg": 1, "n_sets": 1},
                                {"n_c": 1}, {"depth": 1e-3, "far": 1e3, "n_c": 200},
                                {"n": 20000, "max_seg": 1, "n_sets": 1, "n_ch": 2, "n_dec": 1, "n_c": 100}],
                         ids=["decays", "exposure", "x-chain", "one-segment", "one-lifetime", "thin-and-far", "many"])
def test_kernel_equals_the_direct_sums(kw):
    args = _case(3, **kw)
    S, S2 = K.weighted_decay_sums(*args)
    R, R2 = K.weighted_decay_sums_numpy(*args)
    assert np.count_nonzero(R) > 0.5 * R.size  # the sums are not trivially 0
    np.testing.assert_allclose(S, R, rtol=5e-13, atol=0.0)
    np.testing.assert_allclose(S2, R2, rtol=1e-8, atol=0.0)  # the MC errors: SQUARE_TERMS


def test_long_lifetimes_give_the_linear_limit():
    """ctau >> the flight: P = L / (beta gamma ctau) (the series' leading term) to 1e-12."""
    w, k, d, bg, ns, seg_in, seg_out, _, f, g, xt, xr, _ = _case(5, n_c=3)
    ctau = np.array([1e17, 1e19, 1e21])  # L / ell < 1e-13: the next term is below the tolerance
    S, _ = K.weighted_decay_sums(w, k, d, bg, ns, seg_in, seg_out, ctau, np.ones((3, 3)), np.ones((4, 3)), xt,
                                 np.ones((3, 3)), False)
    length = np.where(np.arange(seg_in.shape[1])[None, :] < ns[:, None], seg_out - seg_in, 0.0).sum(axis=1)
    for j, c in enumerate(ctau):
        np.testing.assert_allclose(S[:, j], (w * length / (bg * c)).sum(axis=1), rtol=1e-12)


def test_fast_exponentials_are_within_a_few_ulp():
    """fipgen.fastexp in a compiled loop (the vectorised form the kernel runs) against
    the C library's exp and expm1, over the whole range, both branches of 1 - e^-x and their
    seam, and tiny arguments (1 - e^-x = x there, no cancellation)."""
    import numba

    from fipgen import fastexp as F

    @numba.njit
    def both(x, e, q):
        for i in range(x.size):
            e[i] = F.exp_neg(x[i])
            q[i] = F.one_minus_exp_neg(x[i])

    rng = np.random.default_rng(1)
    seam = np.log(2.0) / 2.0  # k = 0 below, k = -1 above
    x = np.concatenate([rng.uniform(0.0, F.X_MAX, 200_000), rng.uniform(0.0, 1.0, 200_000),
                        10.0 ** rng.uniform(-300.0, 0.0, 20_000), seam + np.arange(-64, 65) * np.spacing(seam),
                        [0.0, 0.5, np.log(2.0), 1.5 * np.log(2.0), F.X_MAX, 1e-320]])
    e, q = np.empty_like(x), np.empty_like(x)
    both(x, e, q)
    ref_e, ref_q = np.exp(-x), -np.expm1(-x)
    assert np.all(np.abs(e - ref_e) <= 2.0 * np.spacing(ref_e))
    assert np.all(np.abs(q - ref_q) <= 2.0 * np.spacing(ref_q))
    assert e[x == 0.0][0] == 1.0 and q[x == 0.0][0] == 0.0
    tiny = x < seam
    assert np.all(np.abs(q[tiny] - ref_q[tiny]) <= 2.0 * np.spacing(ref_q[tiny]))


def test_fast_exponentials_make_no_integer():
    """The reduction keeps ``k`` a float: a float-to-int64 conversion (LLVM ``fptosi``) has no
    SIMD instruction before AVX-512, and with one the compiled loops ran one lane at a time on
    AVX2 machines (2.9 against 1.6 ns an exponential)."""
    import numba

    from fipgen import fastexp as F

    @numba.njit(fastmath={"contract"})
    def loop(x, e, q):
        for i in range(x.size):
            e[i] = F.exp_neg(x[i])
            q[i] = F.one_minus_exp_neg(x[i])

    x = np.linspace(0.0, 5.0, 64)
    loop(x, np.empty_like(x), np.empty_like(x))
    ir = loop.inspect_llvm(loop.signatures[0])
    assert "fmul" in ir and "fptosi" not in ir and "fptoui" not in ir


def test_chords_from_the_production_point_and_signed_zeros():
    """Chords that start where the particle is made (entry 0, also written -0.0) are ordered
    first and summed as the others (the ordering reads the floats' bits)."""
    args = list(_case(8, max_seg=1, n_sets=1))
    seg_in = args[5]
    seg_in[:200, 0] = 0.0
    seg_in[200:400, 0] = -0.0
    S, S2 = K.weighted_decay_sums(*args)
    R, R2 = K.weighted_decay_sums_numpy(*args)
    np.testing.assert_allclose(S, R, rtol=5e-13, atol=0.0)
    np.testing.assert_allclose(S2, R2, rtol=1e-8, atol=0.0)


@pytest.mark.parametrize("grid", ["geometric", "with-zero-and-inf", "repeated", "one"])
def test_lifetime_search_is_numpys(grid):
    """The first lifetime out of the series regime: the guide-table count of the sorted
    ``v = 1/ctau`` not above ``x`` equals ``np.searchsorted(v, x, side="right")`` for ``x`` at,
    between, below and above the lifetimes (v = 0 for an infinite ctau, inf for ctau = 0)."""
    import numba

    rng = np.random.default_rng(7)
    v = {"geometric": np.geomspace(1e-6, 1e4, 100),
         "with-zero-and-inf": np.concatenate([[0.0, 0.0], np.geomspace(3e-300, 1e300, 50), [np.inf]]),
         "repeated": np.repeat(np.geomspace(1e-3, 1e3, 20), 3),
         "one": np.array([2.5])}[grid]
    x = np.concatenate([v[(v > 0) & np.isfinite(v)], np.nextafter(v[(v > 0) & np.isfinite(v)], 0.0),
                        np.nextafter(v[(v > 0) & np.isfinite(v)], np.inf),
                        10.0 ** rng.uniform(-310.0, 308.0, 5000), [5e-324, 1.7e308, np.inf]])

    @numba.njit
    def count(v, x):
        guide, k0 = K._lifetime_guide(v)
        out = np.empty(x.size, dtype=np.int64)
        for i in range(x.size):
            out[i] = K._count_le(v, guide, k0, x[i])
        return out

    np.testing.assert_array_equal(count(v, x), np.searchsorted(v, x, side="right"))


def test_window_factor_is_the_decay_probability():
    """fipgen.fastexp.window_factors (the bremsstrahlung proposal's decay probabilities) against
    numpy's window_decay_probability: within 4 ulp (two factors of 2 ulp) where the entry is
    at most X_MAX decay lengths, 0 beyond (where numpy's is below 1e-304) and for NaN."""
    from fipgen import fastexp as F
    from fipgen.kinematics import window_decay_probability

    rng = np.random.default_rng(11)
    ell = 10.0 ** rng.uniform(-4.0, 6.0, 100_000)
    l_in = rng.uniform(0.0, 600.0, ell.size)
    l_out = l_in + rng.uniform(0.0, 50.0, ell.size) * (rng.random(ell.size) > 0.01)
    got = F.window_factors(l_in / ell, (l_out - l_in) / ell)
    ref = window_decay_probability(l_in, l_out, ell)
    inside = l_in / ell <= F.X_MAX
    assert 0.2 < inside.mean() < 0.9
    assert np.all(np.abs(got[inside] - ref[inside]) <= 4.0 * np.spacing(ref[inside]))
    assert np.all(got[~inside] == 0.0) and np.all(ref[~inside] < 1e-304)
    assert np.array_equal(F.window_factors([np.nan, np.inf, 0.0, 0.0], [1.0, 1.0, 0.0, np.inf]), [0.0, 0.0, 0.0, 1.0])

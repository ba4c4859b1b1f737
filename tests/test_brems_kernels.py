"""The bremsstrahlung channel's compiled kernels against their numpy references, bit for bit.

* :func:`fipgen.production.channels.brems_proposal.aimed_draw` (the aimed z proposal: decay
  probability along each ray, normalisation, 5 % floor, inverse-cdf draw, lookup at each
  event's z) against :func:`aimed_table_numpy` + :func:`aimed_draw_numpy`, on random angle rows
  with zero rows, zeros inside a row's span, rays that miss, decay lengths that underflow the
  exponentials, several bin counts (numpy's pairwise sums of one block, of halves, of quarters)
  and more events than one chunk;
* the pairwise sum (numpy's order, blocks outside the non-zero span skipped) against ``np.sum``;
* the densities of every treatment in one pass against one treatment at a time.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.production.channels import brems_proposal as BP
from fipgen.production.channels.brems_channel import ALT_VARIANTS, _TREAT_CODE, _density2_array, _densities2_array


def _case(rng, n, n_t, n_z):
    rows = rng.random((n_t, n_z)) ** 3 * 10.0 ** rng.integers(-6, 3, (n_t, 1))
    for r in range(n_t):  # spans: zeros before and after, a few zeros inside
        lo = rng.integers(0, n_z // 3)
        hi = rng.integers(lo + 1, n_z + 1)
        rows[r, :lo] = 0.0
        rows[r, hi:] = 0.0
        rows[r, rng.integers(lo, hi, 2)] = 0.0
    rows[rng.integers(0, n_t)] = 0.0  # an all-zero row
    row = rng.integers(0, n_t, n)
    hit = rng.random(n) < 0.85
    l_in = np.where(hit, rng.uniform(0.0, 50.0, n), 0.0)
    l_out = np.where(hit, l_in + rng.uniform(0.0, 5.0, n) * (rng.random(n) > 0.02), 0.0)
    cth = np.where(rng.random(n) < 0.95, rng.uniform(0.01, 1.0, n), 1.0)
    z_edges = np.linspace(0.1, 0.9, n_z + 1)
    zc = 0.5 * (z_edges[1:] + z_edges[:-1])
    aimed = rng.random(n) < 0.8
    ia = np.flatnonzero(aimed)
    u = rng.random((2, ia.size))
    z = np.where(aimed, np.nan, rng.uniform(0.1, 0.9, n))
    z[~aimed & (rng.random(n) < 0.01)] = 0.9  # the last edge
    return rows, row, hit, l_in, l_out, cth, zc, z_edges, ia, u, z


@pytest.mark.parametrize("n_z", [160, 7, 100, 300, 700])
@pytest.mark.parametrize("ctau", [1e-4, 0.07, 3.0, 1e9])
def test_aimed_draw_equals_the_numpy_reference(n_z, ctau):
    rng = np.random.default_rng(n_z + int(ctau * 1000) % 97)
    n = BP.CHUNK + 1500 if n_z == 160 else 700
    rows, row, hit, l_in, l_out, cth, zc, z_edges, ia, u, z = _case(rng, n, 12, n_z)
    P, m = 120.0, 0.5
    table = BP.aimed_table_numpy(rows, row, hit, l_in, l_out, cth, zc, P, m, ctau)
    z_ref = z.copy()
    v_ref, k_ref = BP.aimed_draw_numpy(table, ia, u, z_edges, z_ref)
    z_new = z.copy()
    v_new, k_new = BP.aimed_draw(rows, row, hit, l_in, l_out, cth, zc, P, m, ctau, z_edges, ia, u, z_new)
    assert np.array_equal(k_new, k_ref)
    assert np.array_equal(z_new, z_ref)
    assert np.array_equal(v_new, v_ref)  # bit for bit, not approximately
    assert np.all(np.isfinite(v_new)) and np.all(v_new > 0)


def test_aimed_draw_without_aimed_events_and_empty():
    rng = np.random.default_rng(5)
    rows, row, hit, l_in, l_out, cth, zc, z_edges, _, _, z = _case(rng, 300, 6, 160)
    z = rng.uniform(0.1, 0.9, 300)
    none = np.empty(0, dtype=np.int64)
    table = BP.aimed_table_numpy(rows, row, hit, l_in, l_out, cth, zc, 8.9, 0.3, 0.2)
    v_ref, k_ref = BP.aimed_draw_numpy(table, none, np.empty((2, 0)), z_edges, z.copy())
    v_new, k_new = BP.aimed_draw(rows, row, hit, l_in, l_out, cth, zc, 8.9, 0.3, 0.2, z_edges, none,
                                 np.empty((2, 0)), z.copy())
    assert np.array_equal(v_new, v_ref) and np.array_equal(k_new, k_ref)
    e = np.empty(0)
    v, k = BP.aimed_draw(rows, np.empty(0, dtype=np.int64), np.empty(0, dtype=bool), e, e, e, zc, 8.9, 0.3, 0.2,
                         z_edges, none, np.empty((2, 0)), e.copy())
    assert v.size == 0 and k.size == 0


@pytest.mark.parametrize("n", [1, 5, 8, 9, 127, 128, 129, 160, 200, 256, 257, 513, 1000, 2100])
def test_pairwise_sum_is_numpys(n):
    rng = np.random.default_rng(n)
    prog = BP._sum_program(n)
    stack = np.empty(prog.shape[0])
    for _ in range(20):
        a = rng.random(n) ** 4 * 10.0 ** rng.integers(-12, 12, n)
        assert BP._pairwise_sum(a, prog, stack, 0, n) == a.sum()
        lo = int(rng.integers(0, n))
        hi = int(rng.integers(lo + 1, n + 1))
        b = np.zeros(n)
        b[lo:hi] = a[lo:hi]
        assert BP._pairwise_sum(b, prog, stack, lo, hi) == b.sum()  # blocks outside [lo, hi) skipped


@pytest.mark.parametrize("mass, beam", [(0.5, 120.0), (0.3, 8.89), (0.02, 400.0)])
def test_all_treatments_in_one_pass_equal_one_at_a_time(mass, beam):
    rng = np.random.default_rng(7)
    mp = 0.9382720813
    Ep = float(np.hypot(beam, mp))
    z = rng.uniform(0.05, 0.99, 4000)
    pt2 = rng.uniform(0.0, 1.5, 4000)
    variants = [("quasi-real", 1.5)] + list(ALT_VARIANTS.values())
    codes = np.array([_TREAT_CODE[t] for t, _ in variants], dtype=np.int64)
    lams = np.array([lam for _, lam in variants])
    keep = rng.random(4000) < 0.7
    both = _densities2_array(z, pt2, mass, mp, beam, Ep, codes, lams, keep)
    for k, (c, lam) in enumerate(zip(codes, lams)):
        one = _density2_array(z, pt2, mass, mp, beam, Ep, int(c), float(lam))
        assert np.array_equal(both[k], np.where(keep, one, 0.0))
    assert np.any(both[0] > 0.0)
    if beam < 10.0:  # the s' threshold binds at the BNB
        assert np.any(both[0] == 0.0)


@pytest.mark.parametrize("edges", [np.linspace(0.1, 0.9, 201), np.linspace(0.0, 1.5, 25),
                                   np.cumsum(np.random.default_rng(3).random(60)) ** 2, np.array([0.0, 1.0])])
def test_bin_index_is_numpys(edges):
    rng = np.random.default_rng(11)
    lo, hi = edges[0], edges[-1]
    x = np.concatenate([rng.uniform(lo - 0.2 * (hi - lo), hi + 0.2 * (hi - lo), 20000), edges, np.nextafter(edges, -9),
                        np.nextafter(edges, 9), [np.nan, np.inf, -np.inf, 0.0, -0.0]])
    assert np.array_equal(BP.bin_index(edges, x), BP.bin_index_numpy(edges, x))

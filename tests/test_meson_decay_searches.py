"""The guided table searches of the meson two-body channel's kernel
(fipgen.production.channels.meson_two_body): each equals numpy's binary search exactly,
whatever the guide's first guess, for the momentum CDF and the angle edges of a real source
table, at the edges themselves, in ties and beyond either end; and the kernel's output equals
that of the same kernel run with numpy's searches."""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.production.channels import meson_two_body as mt


def _tables(seed):
    rng = np.random.default_rng(seed)
    p = rng.random(150) ** 4  # one bin holds much of the probability: long runs of one guess
    p_cdf = np.cumsum(p) / p.sum()
    p_cdf[40:45] = p_cdf[40]  # empty bins: ties in the CDF
    theta = np.linspace(0.0, np.pi / 2, 181)
    neg_cos = -np.cos(theta)  # the packaged tables' layout: dense near the beam
    neg_cos[-1] = 0.0
    return p_cdf, neg_cos


@pytest.mark.parametrize("seed", [0, 1])
def test_count_from_any_guess_is_numpys_search(seed):
    p_cdf, neg_cos = _tables(seed)
    rng = np.random.default_rng(10 + seed)
    for edges, xs in ((p_cdf, np.concatenate([rng.random(300), p_cdf[::7], [0.0, np.nextafter(1.0, 0.0), 1.0]])),
                      (neg_cos, np.concatenate([rng.uniform(-1.0, 0.0, 300), -1.0 + 10.0 ** rng.uniform(-12, 0, 100),
                                                neg_cos[::5], [-2.0, 0.5]]))):
        for x in xs:
            want = np.searchsorted(edges, x, side="right")
            for guess in (0, edges.size, int(rng.integers(0, edges.size + 1)), want):
                assert mt._count_le_from(edges, x, guess) == want


def test_guides_are_counts_below_their_grid():
    p_cdf, neg_cos = _tables(2)
    gp, gt, h = mt._guides(p_cdf, neg_cos)
    n, m = p_cdf.size, mt.ANGLE_GUIDE * neg_cos.size
    np.testing.assert_array_equal(gp, np.searchsorted(p_cdf, np.arange(n + 1) / n, side="right"))
    assert h == pytest.approx(np.sqrt(neg_cos[-1] - neg_cos[0]) / m)
    np.testing.assert_array_equal(gt, np.searchsorted(neg_cos, neg_cos[0] + (np.arange(m + 1) * h) ** 2, side="right"))


def test_kernel_equals_the_binary_search_version(monkeypatch):
    """The compiled kernel against its own Python form with the guesses replaced by 0 (the
    walk from 0 is a linear search: the plain count) on a real source table's layout."""
    p_cdf, neg_cos = _tables(3)
    rng = np.random.default_rng(4)
    p_edges = np.linspace(0.1, 10.0, p_cdf.size + 1)
    cond = rng.random((p_cdf.size, neg_cos.size - 1))
    d = rng.normal(size=(2000, 3))
    d[:, 2] = np.abs(d[:, 2]) * 5
    d /= np.linalg.norm(d, axis=1)[:, None]
    u = rng.random((4, 2000))
    got = mt.meson_decay_toward(p_cdf, p_edges, cond, neg_cos, 0.548, 0.1, 0.0, d, u)
    guides = mt._guides
    monkeypatch.setattr(mt, "_guides", lambda pc, ne: (np.zeros(pc.size + 1, dtype=np.int64),
                                                        np.zeros(2 * ne.size + 1, dtype=np.int64),
                                                        guides(pc, ne)[2]))
    want = mt.meson_decay_toward.py_func(p_cdf, p_edges, cond, neg_cos, 0.548, 0.1, 0.0, d, u)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    assert np.count_nonzero(got[2]) > 1000  # most mesons inside the table's angles

"""fipgen.sampling.DiscreteChoice: numpy's Generator.choice with p, draw for draw."""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.sampling import DiscreteChoice


@pytest.mark.parametrize("p", [
    np.random.default_rng(0).random(35),  # the 35 ND-LAr modules' shape
    np.array([0.0, 1.0, 0.0, 0.0, 3.0, 0.0]),  # zero-probability entries (flat CDF runs)
    np.array([1e-12, 1.0, 1e-12]),
    np.ones(1),
    np.random.default_rng(1).random(1000) ** 8,
])
def test_draws_are_numpys_choice(p):
    """The same indices as rng.choice(k, size=n, p=p) and the same stream after them."""
    p = p / p.sum()
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    want = a.choice(p.size, size=50_000, p=p)
    got = DiscreteChoice(p).draw(50_000, b)
    assert got.dtype == np.int64 and np.array_equal(got, want)
    assert a.random() == b.random()


def test_uniforms_on_and_beside_every_edge():
    """Uniforms equal to CDF entries, to the guide's grid points j/G, and one ulp on either
    side: the count of entries <= u, as searchsorted gives it."""
    c = DiscreteChoice(np.random.default_rng(4).random(20))
    g = c.guide.size
    pts = np.concatenate([c.cdf[:-1], np.arange(g) / g])
    u = np.concatenate([pts, np.nextafter(pts, 0.0), np.nextafter(pts, 1.0), [0.0, np.nextafter(1.0, 0.0)]])
    u = u[(u >= 0) & (u < 1)]
    assert np.array_equal(c.from_uniforms(u), np.searchsorted(c.cdf, u, side="right"))


def test_bad_probabilities_are_refused():
    for p in ([], [0.0, 0.0], [1.0, -0.5], [np.nan, 1.0]):
        with pytest.raises(ValueError, match="p must be"):
            DiscreteChoice(np.asarray(p, dtype=float))

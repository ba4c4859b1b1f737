"""Proton interaction points in the target: depth distribution and interacting fraction."""

import numpy as np
import pytest
from scipy import stats

from fipgen.geometry import load_beamline
from fipgen.production.sources.vertex import interacting_fraction, sample_interaction_points


@pytest.mark.parametrize("name", ["bnb", "bnb_dump", "numi", "lbnf", "darkquest_beam"])
def test_depth_is_truncated_exponential(name):
    bl = load_beamline(name)
    lam = bl.target.material.interaction_length_m
    lo, hi = bl.target.solid.extent()
    v = sample_interaction_points(bl, 100_000, np.random.default_rng(7))
    assert np.all(bl.target.solid.contains(v))
    z0, z1 = v[:, 2].min(), v[:, 2].max()
    # the beam runs along z through the whole target length
    L = hi[2] - lo[2]
    cdf = lambda z: -np.expm1(-(z - lo[2]) / lam) / -np.expm1(-L / lam)
    assert stats.kstest(v[:, 2], cdf).pvalue > 1e-3
    assert z0 >= lo[2] - 1e-12 and z1 <= hi[2] + 1e-12


def test_interacting_fraction_bnb_closed_form():
    """71.12 cm of Be, lambda_I = 77.8 g/cm^2 / 1.848 g/cm^3 = 42.10 cm (PDG):
    1 - exp(-71.12/42.10) = 0.8154; the beam-spot tail beyond the 4.76 mm radius
    (sigma 1.51 x 0.75 mm) removes ~0.2 %."""
    bl = load_beamline("bnb")
    lam = bl.target.material.interaction_length_m
    assert lam == pytest.approx(0.4210, rel=2e-3)
    f = interacting_fraction(bl, n=200_000)
    assert f == pytest.approx(-np.expm1(-0.7112 / lam) * (1 - 0.0018), abs=1.5e-3)


def test_thick_dump_interacts_fully():
    assert interacting_fraction(load_beamline("bnb_dump")) > 0.999


def test_uniform_depth_kernel_is_its_numpy_reference():
    """The fast path's kernel gives its numpy reference's numbers to the last bit (the same
    operations), at the edges of u and for short, comparable and long interaction lengths."""
    from fipgen.production.sources.vertex import _uniform_depth_kernel, uniform_depth_numpy

    rng = np.random.default_rng(2)
    n = 50_000
    xy = rng.normal(size=(n, 2)) * np.array([0.0015, 0.00075])
    u = rng.random(n)
    u[:3] = [0.0, 1.0 - 2.0**-53, 0.5]
    for lam, length in ((0.421, 0.7112), (0.17, 50.0), (1e3, 0.01)):
        e = float(np.expm1(-length / lam))
        out, far = np.empty((n, 3)), np.empty(n, dtype=np.bool_)
        _uniform_depth_kernel(xy, u, -0.5, lam, e, 0.004, 0.002, out, far)
        ref, ref_far = uniform_depth_numpy(xy, u, -0.5, lam, e, 0.004, 0.002)
        assert np.array_equal(out, ref) and np.array_equal(far, ref_far)
        assert far.sum() == np.count_nonzero((np.abs(xy[:, 0]) > 0.004) | (np.abs(xy[:, 1]) > 0.002)) > 0
        # the depth lies on the chord [-0.5, -0.5 + length]
        assert np.all((out[:, 2] >= -0.5) & (out[:, 2] <= -0.5 + length * (1 + 1e-12)))

"""ALP bremsstrahlung kernel (fipgen.production.channels.alp_brems) against alp_xsec's own integrals.

The kernel samples (x, l) from a gridded proposal with weights; its weighted sums must reproduce
the cross section integrated independently by alp_xsec (composite Gauss-Legendre over x and
v = ln(1 + l), 16 points per segment, a different quadrature from the kernel's grid) in total,
in the x spectrum and in the angular spectrum, for light and heavy ALPs on iron and carbon.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fipgen.models import alp_xsec as X
from fipgen.production.channels.alp_brems import THETA_MAX, BremsKernel

N = 200_000


@pytest.fixture(scope="module")
def kernels():
    return {(m, z): BremsKernel(m, z, a, 10.0) for m in (0.005, 0.08) for z, a in ((26.0, 55.845), (6.0, 12.0107))}


@pytest.mark.parametrize("m, z, a", [(0.005, 26.0, 55.845), (0.08, 26.0, 55.845), (0.08, 6.0, 12.0107)])
@pytest.mark.parametrize("E", [0.3, 2.0, 9.0])
def test_weighted_total_is_the_cross_section(kernels, m, z, a, E):
    k = kernels[(m, z)]
    ea, ct, w = k.sample(np.full(N, E), 1.0, np.random.default_rng(11))
    mc, err = w.mean(), w.std() / math.sqrt(N)
    ref = X.brems_sigma(E, m, 1.0, z, a, False)  # angles to l = e^64: the 1 rad cut removes < 1e-4 here
    assert abs(mc - ref) < 4 * err + 2e-4 * ref
    assert err / ref < 3e-3  # the proposal follows the cross section: ESS/N ~ 0.9
    assert w.sum() ** 2 / (w * w).sum() > 0.8 * N
    # the grid interpolation that sets ALPs per POT: a few per cent
    assert k.sigma(E) == pytest.approx(ref, rel=0.03)
    ok = np.isfinite(ea)
    assert np.all((ea[ok] > m) & (ea[ok] < E - X.M_E)) and np.all(ct[ok] >= math.cos(THETA_MAX))
    assert np.all(w[~ok] == 0.0)


@pytest.mark.parametrize("m", [0.005, 0.08])
def test_x_spectrum(kernels, m):
    E = 2.0
    k = kernels[(m, 26.0)]
    ea, ct, w = k.sample(np.full(N, E), 1.0, np.random.default_rng(12))
    ok = np.isfinite(ea)
    x = ea[ok] / E
    xlo, xhi = X.brems_x_range(E, m)
    edges = np.concatenate([xlo * (0.5 / xlo) ** np.linspace(0, 1, 4)[:-1], 1 - 0.5 * ((1 - xhi) / 0.5) ** np.linspace(0, 1, 7)])
    h, _ = np.histogram(x, edges, weights=w[ok])
    h2, _ = np.histogram(x, edges, weights=w[ok] ** 2)
    gx, gw = np.polynomial.legendre.leggauss(24)
    for i in range(edges.size - 1):
        lo, hi = edges[i], edges[i + 1]
        # integrate dsigma/dx over the bin in ln(1 - x) (steep near x -> 1)
        a, b = math.log(1 - hi), math.log(1 - lo)
        t = a + 0.5 * (b - a) * (gx + 1)
        xs = 1 - np.exp(t)
        ref = 0.5 * (b - a) * sum(wi * (1 - xi) * X.brems_dsigma_dx(xi, E, m, 1.0, 26.0, 55.845) for xi, wi in zip(xs, gw))
        mc, err = h[i] / N, math.sqrt(h2[i]) / N
        assert abs(mc - ref) < 4 * err + 3e-3 * ref, (i, lo, hi, mc, ref, err)


def test_angular_spectrum(kernels):
    """Marginal in v = ln(1 + l) against the x integral of d2sigma/dx dl (1 + l) at v points."""
    E, m = 2.0, 0.005
    k = kernels[(m, 26.0)]
    ea, ct, w = k.sample(np.full(N, E), 1.0, np.random.default_rng(13))
    ok = np.isfinite(ea)
    th = np.arccos(np.clip(ct[ok], -1, 1))
    v = np.log1p((E * th / X.M_E) ** 2)
    edges = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0])
    h, _ = np.histogram(v, edges, weights=w[ok])
    h2, _ = np.histogram(v, edges, weights=w[ok] ** 2)
    gx, gw = np.polynomial.legendre.leggauss(12)
    xlo, xhi = X.brems_x_range(E, m)

    def dsig_dv(vv):
        l = math.expm1(vv)
        tot = 0.0
        for lo, hi, mode in ((math.log(xlo), math.log(0.5), 0), (math.log(1 - xhi), math.log(0.5), 1)):
            for s0 in np.linspace(lo, hi, 9)[:-1]:
                s1 = s0 + (hi - lo) / 8
                for gi, wi in zip(gx, gw):
                    y = s0 + 0.5 * (s1 - s0) * (gi + 1)
                    x = math.exp(y) if mode == 0 else 1 - math.exp(y)
                    jac = x if mode == 0 else 1 - x
                    tot += 0.5 * (s1 - s0) * wi * jac * X.brems_d2sigma_dx_dl(x, l, E, m, 1.0, 26.0, 55.845)
        return tot * (1 + l)

    for i in range(edges.size - 1):
        a, b = edges[i], edges[i + 1]
        ref = 0.5 * (b - a) * sum(wi * dsig_dv(a + 0.5 * (b - a) * (gi + 1)) for gi, wi in zip(gx, gw))
        mc, err = h[i] / N, math.sqrt(h2[i]) / N
        assert abs(mc - ref) < 4 * err + 3e-3 * ref, (i, mc, ref, err)


def test_coupling_scaling_and_threshold(kernels):
    k = kernels[(0.08, 26.0)]
    e = np.array([0.05, 0.08 + X.M_E, 0.0815, 1.0])
    s1, s2 = k.sigma(e, 1.0), k.sigma(e, 1e-3)
    assert s1[0] == 0.0 and s1[1] == 0.0 and s1[2] > 0.0
    np.testing.assert_allclose(s2, 1e-6 * s1)
    ea, ct, w = k.sample(np.array([0.05, 0.0805]), 1.0, np.random.default_rng(1))
    assert np.all(w == 0.0) and np.all(np.isnan(ea))

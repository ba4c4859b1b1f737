"""Polarised HNL three-body decays (fipgen.decays.sampler, hnl_matrix_elements.spin_ratio).

The expected asymmetries are derived independently of the code, from the structure of the
matrix elements (hnl_matrix_elements module docstring) and the polarised muon decay:
for ``|M|^2 ~ ((P - M s).p_a)(p_b.p_c)`` with massless daughters, ``p_a`` follows
``1 + lambda cos(theta)`` exactly (the rest depends on ``E_a`` only), while ``p_b`` and
``p_c`` follow ``1 - (lambda/3) cos(theta)`` (the electron of polarised mu- decay: the Michel
distribution ``x^2 [(3 - 2x) + P cos(theta) (1 - 2x)]`` integrated over x gives -1/3).
So for ``N -> nu e- e+`` (gL^2 term: e+ is ``p_a``; gR^2 term: e- is ``p_a``):

    A(e+) = (gL^2 - gR^2/3) / (gL^2 + gR^2),  A(e-) = (gR^2 - gL^2/3) / (gL^2 + gR^2),  A(nu) = -1/3

at m_N = 1 GeV (m_e^2/m_N^2 = 3e-7; the gL gR m_e^2 term is negligible). A distribution
``(1 + A c)/2`` has ``<c> = A/3``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fipgen.decays.hnl_matrix_elements import SIN2_THETA_W, nc_couplings, spin_ratio
from fipgen.decays.sampler import sample_decays
from fipgen.errors import PhysicsError
from fipgen.kinematics.boost import boost_to_rest
from fipgen.models.base import Channel

N = 120_000
M = 1.0


def _at_rest(n, m=M):
    p = np.zeros((n, 4))
    p[:, 3] = m
    return p


def _moving(n, m, rng):
    # HNLs of 1-20 GeV along random directions within 0.3 rad of z
    p = rng.uniform(1.0, 20.0, n)
    th = 0.3 * rng.random(n)
    ph = 2 * np.pi * rng.random(n)
    v = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1) * p[:, None]
    return np.column_stack([v, np.sqrt(p * p + m * m)])


def _asym(cos):
    """A of (1 + A c)/2 from the mean, and its standard error."""
    return 3.0 * cos.mean(), 3.0 * cos.std(ddof=1) / np.sqrt(cos.size)


def _cos_z(p4):
    return p4[:, 2] / np.linalg.norm(p4[:, :3], axis=1)


NC = Channel("nu_e e+ e-", (12, -11, 11), kind="three-body")


def _nc_expected():
    gl, gr = nc_couplings(True, SIN2_THETA_W)
    s = gl * gl + gr * gr
    return (gl * gl - gr * gr / 3) / s, (gr * gr - gl * gl / 3) / s


@pytest.mark.parametrize("pol", [1.0, -1.0, 0.5])
def test_neutral_current_asymmetries(pol):
    out = sample_decays(_at_rest(N), M, NC, np.random.default_rng(11), polarization=pol, spin_axis=(0.0, 0.0, 1.0))
    a_plus, a_minus = _nc_expected()
    for k, expect in ((1, a_plus), (2, a_minus), (0, -1.0 / 3.0)):
        a, err = _asym(_cos_z(out.p4[:, k]))
        assert abs(a - pol * expect) < 5 * err + 2e-3, (k, a, pol * expect)
    # the measured A(e+) is far from isotropy and from the e- value: the test can tell them apart
    assert abs(a_plus - a_minus) > 0.5


def test_helicity_axis_default_and_boost():
    """Moving HNLs, spin along the flight direction (default axis): the same asymmetries in the rest frame."""
    rng = np.random.default_rng(5)
    par = _moving(N, M, rng)
    out = sample_decays(par, M, NC, np.random.default_rng(12), polarization=1.0)
    assert np.allclose(out.p4.sum(axis=1), par, rtol=0, atol=1e-9 * par[:, 3:].max())
    rest = boost_to_rest(out.p4[:, 1], par, np.full(N, M))
    axis = par[:, :3] / np.linalg.norm(par[:, :3], axis=1)[:, None]
    c = np.einsum("ij,ij->i", rest[:, :3], axis) / np.linalg.norm(rest[:, :3], axis=1)
    a, err = _asym(c)
    assert abs(a - _nc_expected()[0]) < 5 * err + 2e-3


def test_charged_current_lb_plus_follows_spin_and_majorana_halves_flip():
    # N -> mu- e+ nu_e: |M|^2 ~ ((P - M s).p_e+)(p_mu.p_nu): e+ follows 1 + cos exactly (beta_e ~ 1)
    ch = Channel("mu- e+ nu_e", (13, -11, 12), conjugate=True, kind="three-body")
    out = sample_decays(_at_rest(N), M, ch, np.random.default_rng(13), polarization=1.0, spin_axis=(0, 0, 1))
    conj = out.pdg[:, 1] == 11  # the charge-conjugate half: mu+ e- nubar_e
    assert set(np.unique(out.pdg[:, 2])) == {12, -12}
    assert np.all(out.pdg[conj, 2] == -12) and np.all(out.pdg[~conj, 2] == 12)
    assert stats.binomtest(int(conj.sum()), N, 0.5).pvalue > 1e-3
    c = _cos_z(out.p4[:, 1])
    a, err = _asym(c[~conj])
    assert abs(a - 1.0) < 5 * err + 2e-3
    a, err = _asym(c[conj])
    assert abs(a + 1.0) < 5 * err + 2e-3
    # both halves together (Majorana, equal rates): isotropic e+-
    a, err = _asym(c)
    assert abs(a) < 5 * err


def test_invisible_antineutrino_follows_spin():
    ch = Channel("nu nu nu", (12, 12, -12), kind="three-body")
    out = sample_decays(_at_rest(N // 2), M, ch, np.random.default_rng(14), polarization=1.0, spin_axis=(0, 0, 1))
    a, err = _asym(_cos_z(out.p4[:, 2]))
    assert abs(a - 1.0) < 5 * err + 2e-3
    a, err = _asym(_cos_z(out.p4[:, 0]))
    assert abs(a + 1.0 / 3.0) < 5 * err + 2e-3


def test_energy_spectra_unchanged_and_momentum_conserved():
    """Polarisation moves directions only: each daughter's rest-frame energy spectrum is the unpolarised one."""
    ch = Channel("nu_mu mu+ mu-", (14, -13, 13), kind="three-body")
    pol = sample_decays(_at_rest(40_000), M, ch, np.random.default_rng(15), polarization=1.0, spin_axis=(0, 1, 0))
    unp = sample_decays(_at_rest(40_000), M, ch, np.random.default_rng(16))
    for k in range(3):
        assert stats.ks_2samp(pol.p4[:, k, 3], unp.p4[:, k, 3]).pvalue > 1e-3
    tot = pol.p4.sum(axis=1)
    assert np.allclose(tot, [0, 0, 0, M], rtol=0, atol=1e-9)
    m2 = pol.p4[..., 3] ** 2 - (pol.p4[..., :3] ** 2).sum(-1)
    assert np.allclose(m2[:, 1:], 0.1056583755**2, rtol=1e-9)
    # the mu+ (p_a of the gL^2 term) is polarised along y, not along z
    a_y, err = _asym(pol.p4[:, 1, 1] / np.linalg.norm(pol.p4[:, 1, :3], axis=1))
    a_z, _ = _asym(_cos_z(pol.p4[:, 1]))
    assert a_y > 0.3 and abs(a_z) < 5 * err


def test_spin_ratio_bounds_and_average():
    """|M(s)|^2 + |M(-s)|^2 = 2 |M|^2 and both non-negative, on random rest-frame configurations."""
    rng = np.random.default_rng(2)
    out = sample_decays(_at_rest(2000), M, Channel("nu_e mu+ mu-", (12, -13, 13)), rng)
    q = out.p4[:, [0, 2, 1]]  # order nu, l-, l+
    axis = rng.normal(size=(2000, 3))
    axis /= np.linalg.norm(axis, axis=1)[:, None]
    kw = dict(m_l=0.1056583755, same_flavour=False)
    rp = spin_ratio("nc", q, M, np.ones(2000), axis, **kw)
    rm = spin_ratio("nc", q, M, -np.ones(2000), axis, **kw)
    assert np.allclose(rp + rm, 2.0, atol=1e-12)
    assert rp.min() >= 0.0 and rp.max() <= 2.0 and rp.std() > 0.1
    with pytest.raises(ValueError, match="kind"):
        spin_ratio("xx", q, M, rp, axis)


def test_polarised_refusals():
    rng = np.random.default_rng(0)
    with pytest.raises(PhysicsError, match="lepton number"):
        sample_decays(_at_rest(4), 0.6, Channel("pi+ pi- pi0", ()), rng, polarization=1.0, model="alp")
    with pytest.raises(PhysicsError, match="direction of flight"):
        sample_decays(_at_rest(4), M, NC, rng, polarization=1.0)


def test_majorana_neutrino_direction_has_no_asymmetry():
    """de Gouvea, Fox, Kayser, Kelly (arXiv:2104.05719, abstract): for same-flavour charged leptons a
    polarised Majorana HNL has zero forward/backward asymmetry of the outgoing neutrino, a Dirac one
    does not (here -1/3 for nu_e e+ e-, module docstring)."""
    maj = Channel("nu_e e+ e-", (12, -11, 11), conjugate=True, kind="three-body")
    out = sample_decays(_at_rest(N), M, maj, np.random.default_rng(17), polarization=1.0, spin_axis=(0, 0, 1))
    a, err = _asym(_cos_z(out.p4[:, 0]))
    assert abs(a) < 5 * err
    dirac = sample_decays(_at_rest(N), M, NC, np.random.default_rng(18), polarization=1.0, spin_axis=(0, 0, 1))
    a, err = _asym(_cos_z(dirac.p4[:, 0]))
    assert abs(a + 1.0 / 3.0) < 5 * err + 2e-3

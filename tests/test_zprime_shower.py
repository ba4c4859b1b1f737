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
    narrow = mat.electron_density * Z.resonant_sigma_coefficient(M, g) * X.GEV2_TO_M2 * t_e[i]
    assert ch.rate_per_pot == pytest.approx(narrow, rel=1e-12)
    # the full Breit-Wigner over the (piecewise flat) spectrum, width far below the bin's
    gamma = 1e-7 * M
    half = gamma * M / M_E
    f = lambda e: Z.resonant_sigma_bw(e, M, g, gamma) * t_e[np.searchsorted(e_tot, e, side="right") - 1]  # noqa: E731
    edges = np.unique(np.clip(er + half * np.array([-1e6, -1e3, -10, 0, 10, 1e3, 1e6]), e_tot[i], e_tot[i + 1]))
    full = sum(integrate.quad(f, a, b, epsabs=0, epsrel=1e-10, limit=400)[0] for a, b in zip(edges[:-1], edges[1:]))
    assert ch.rate_per_pot == pytest.approx(mat.electron_density * full * X.GEV2_TO_M2, rel=3e-3)


def test_forced_agrees_with_plain_and_the_zprime_takes_the_positrons_momentum(tmp_path):
    det = tmp_path / "box.toml"
    det.write_text(BOX)
    job = _job(str(det), m=0.03, g=3e-6)
    (ch,) = job.channels
    b = EventBatch.concatenate([p[0] for p in iter_chunks(job)])
    w = b.scalars["weight"]
    forced, f_err = w.sum(), math.sqrt((w * w).sum())
    mean, err = _plain(ch, job, 500_000, np.random.default_rng(6))
    scale = job.pot * job.weight_branching
    plain, p_err = scale * mean, scale * err
    pull = (forced - plain) / math.hypot(f_err, p_err)
    assert f_err / forced < 0.05 and p_err / plain < 0.05
    assert abs(pull) < 4, (forced, plain, pull)
    s = b.scalars
    assert np.all(s["parent_pdg"] == -11)
    np.testing.assert_allclose(s["llp_e"], s["parent_e"] + M_E, rtol=1e-12)
    for c in ("px", "py", "pz"):
        np.testing.assert_allclose(s[f"llp_{c}"], s[f"parent_{c}"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(s["parent_e"], Z.resonant_energy(0.03), rtol=1e-12)


def test_scan_reweights_the_resonant_channel_exactly(tmp_path):
    from fipgen.scan import ScanAxes, card_at, collect_table
    from fipgen.pipeline import run

    det = tmp_path / "box.toml"
    det.write_text(BOX)
    card = parse_card(CARD.format(det=str(det), m=0.03, g=1e-6, kind="dark-photon", n=20_000), "t")
    table = collect_table(card, ScanAxes(card))
    got = table.expected([3e-7, 1e-6, 3e-6])["events"]
    for j, e in enumerate((3e-7, 1e-6, 3e-6)):
        fresh = run(build_job(card_at(card, coupling_key="model.zprime.coupling", coupling=e), decay_hints=False), None)
        assert got[j] == pytest.approx(fresh.sum_weights, rel=1e-9)


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


def test_unimplemented_zprime_shower_channels_are_not_offered():
    with pytest.raises(CardError, match="allowed: .*zprime:resonant"):
        parse_card(CARD.format(det="sbnd", m=0.03, g=1e-6, kind="dark-photon", n=10).replace(
            "zprime:resonant", "zprime:compton"), "t")

"""ALPs from the dump's electromagnetic showers (fipgen.production.channels.alp_shower).

* The channel rate is the track-length table folded with the process's rate per metre: checked
  against an independent fold (scipy quadrature of the cross section over each energy bin).
* Forced (aimed, weighted) samples agree with a plain Monte Carlo written here: parents drawn
  from the track-length table by accept-reject, the process's own ALP kinematics, the decay
  probability from the box's chord, for Primakoff, Compton-like, resonant and associated
  production.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from fipgen.card import parse_card
from fipgen.events import EventBatch
from fipgen.models import alp_xsec as X
from fipgen.pipeline import build_job, iter_chunks
from fipgen.production.channels.alp_shower import ASSOCIATED_K_MIN
from fipgen.production.sources.vertex import sample_interaction_points

from _boxes import box_detector

BOX = box_detector("bnb_dump", (1.0, 0.0, 40.0), 6.0, material="CH2",
                   title="6 m cube 40 m behind the MiniBooNE dump, 1 m off axis")

CARD = """
[experiment]
detector = "{det}"
pot = 1e20
[model]
alp = {{ mass = {m}, g_gamma = {gg}, g_electron = {ge} }}
[signal]
produce = ["alp:{proc}"]
detect = "alp:decay"
final_states = "all"
[run]
events = {n}
seed = 21
"""


def _job(det, proc, m=0.05, gg=1e-7, ge=1e-9, n=100_000):
    return build_job(parse_card(CARD.format(det=det, proc=proc, m=m, gg=gg, ge=ge, n=n), "t"))


def test_rate_is_the_track_length_fold(tmp_path):
    det = tmp_path / "box.toml"
    det.write_text(BOX)
    job = _job(str(det), "primakoff")
    (ch,) = job.channels
    tab = ch._table()
    T = tab.density("gamma")
    dcos = np.cos(tab.theta_edges[:-1]) - np.cos(tab.theta_edges[1:])
    fe = ch.beamline.target.material
    z, a, n = X.material_targets(fe)
    total = 0.0
    for i in range(T.shape[0]):
        t_i = float((T[i] * dcos).sum())
        if t_i == 0.0:
            continue
        lo, hi = tab.energy_edges[i], tab.energy_edges[i + 1]
        r = integrate.quad(lambda e: sum(n[j] * X.primakoff_sigma(e, 0.05, 1e-7, z[j], a[j]) for j in range(z.size)),
                           lo, hi, epsrel=1e-6, limit=200)[0] * X.GEV2_TO_M2
        total += t_i * r
    assert ch.rate_per_pot == pytest.approx(total, rel=2e-3)


def _plain(ch, job, n, rng):
    """Expected ALP decays in the box per POT from a plain Monte Carlo (module docstring):
    parent bins in proportion to ``T dE dcos x rmax`` (rmax an envelope of r(E) in the bin),
    the energy flat in the bin (the table's density), accepted with ``r(E)/rmax``; returns the
    estimate ``(sum over bins of T dE dcos rmax) x sum(accepted P_decay) / n`` and its error."""
    from fipgen.kinematics import decay_probability
    from fipgen.kinematics.directions import about_axis_array

    prep = ch._prepare()
    tab = ch._table()
    T = prep["T"]
    e_edges, dcos = prep["e_edges"], prep["dcos"]
    m = float(ch.model.mass)
    if ch.process == "resonant":
        env = prep["rate_bins"]  # the delta function in energy: no accept-reject
        rmax = None
    else:
        if type(ch).__name__ == "ShowerZPrimeChannel":  # a rate with a sharp rise above its threshold
            rmax = np.array([1.3 * ch._rate(np.concatenate([np.linspace(l, h, 257), l + (h - l) * np.geomspace(1e-9, 1, 1025)])).max()
                             for l, h in zip(e_edges[:-1], e_edges[1:])])
        else:
            rmax = np.array([1.05 * ch._rate(np.linspace(l, h, 257)).max() for l, h in zip(e_edges[:-1], e_edges[1:])])
        env = T * np.diff(e_edges)[:, None] * dcos[None, :] * rmax[:, None]
    s_env = env.sum()
    k = rng.choice(env.size, size=n, p=env.ravel() / s_env)
    ib, jt = np.unravel_index(k, T.shape)
    kw_res = np.ones(n)
    if rmax is None and prep.get("profile") is not None:
        # the resonance on moving electrons: the electron's q from the profile (shell by its
        # electrons), the positron at E_R/(1 - q/m), its angle bin by the table there; each
        # event carries n_e sigma_0 dL/dE(E) (the rate is the mean of that, fipgen.models.atomic_shells)
        from fipgen.models import atomic_shells as AS

        w_s, p0 = prep["profile"]
        q = AS.sample_profile(rng.random(n)) * p0[rng.choice(w_s.size, size=n, p=w_s / w_s.sum())]
        E = np.where(q < X.M_E, prep["ER"] / np.maximum(1 - q / X.M_E, 1e-300), np.inf)
        ib = np.searchsorted(e_edges, E, side="right") - 1
        ok = (ib >= 0) & (ib < T.shape[0])
        ib = np.clip(ib, 0, T.shape[0] - 1)
        t_ang = T * dcos[None, :]
        t_tot = t_ang.sum(axis=1)
        cum = np.cumsum(t_ang, axis=1) / np.where(t_tot > 0, t_tot, 1.0)[:, None]
        jt = np.minimum((cum[ib] < rng.random(n)[:, None]).sum(axis=1), T.shape[1] - 1)
        ok &= t_tot[ib] > 0
        E = np.where(ok, E, prep["ER"])
        kw_res = np.where(ok, prep["coef"] * t_tot[ib], 0.0)
        s_env = 1.0
    elif rmax is None:
        E = np.full(n, prep["ER"])
        ok = np.ones(n, dtype=bool)
    else:
        lo, hi = e_edges[ib], e_edges[ib + 1]
        E = lo + rng.random(n) * (hi - lo)
        r = ch._rate(E)
        assert np.all(r <= rmax[ib]), "envelope too low"
        ok = rng.random(n) * rmax[ib] < r
    c = np.cos(tab.theta_edges[jt + 1]) + rng.random(n) * dcos[jt]
    ph = rng.uniform(0, 2 * np.pi, n)
    s = np.sqrt(1 - c * c)
    v = np.column_stack([s * np.cos(ph), s * np.sin(ph), c])
    # the process's kinematics; bremsstrahlung's are weighted (rk/r(E), mean 1 at fixed E: its
    # kernel is checked on its own in test_brems_kernel_*)
    ea, ct, rk = ch._kinematics_weighted(E, rng)
    weighted = ch.process == "e-bremsstrahlung" or (type(ch).__name__ == "ShowerZPrimeChannel"
                                                     and ch.process != "resonant")
    kw = (rk / np.where(ch._rate(E) > 0, ch._rate(E), 1.0) if weighted else np.ones(n)) * kw_res
    good = ok & np.isfinite(ea)
    d = about_axis_array(v[good], ct[good], rng.uniform(0, 2 * np.pi, good.sum()))
    pa = np.sqrt(ea[good] ** 2 - m * m)
    vtx = sample_interaction_points(ch.beamline, good.sum(), rng)
    seg = job.detector.active_beam.chords(vtx, d)
    pdec = decay_probability(seg.n, seg.t_in, seg.t_out, pa / m * job.ctau) * kw[good]
    return s_env * pdec.sum() / n, s_env * math.sqrt((pdec**2).sum()) / n


@pytest.mark.parametrize("proc, kw", [("primakoff", {"gg": 1e-6}), ("compton", {"ge": 1e-8}), ("resonant", {"ge": 1e-8}),
                                      ("associated", {"ge": 1e-8}), ("bremsstrahlung", {"ge": 1e-8})])
def test_forced_agrees_with_plain(tmp_path, proc, kw):
    det = tmp_path / "box.toml"
    det.write_text(BOX)
    job = _job(str(det), proc, n=50_000, **kw)
    (ch,) = job.channels
    b = EventBatch.concatenate([p[0] for p in iter_chunks(job)])
    w = b.scalars["weight"]
    forced, f_err = w.sum(), math.sqrt((w * w).sum())
    rng = np.random.default_rng(5)
    mean, err = _plain(ch, job, 500_000, rng)
    scale = job.pot * job.weight_branching
    plain, p_err = scale * mean, scale * err
    pull = (forced - plain) / math.hypot(f_err, p_err)
    print(f"{proc}: forced {forced:.5g} +- {f_err:.3g}; plain {plain:.5g} +- {p_err:.3g}; pull {pull:.2f}")
    assert f_err / forced < 0.05 and p_err / plain < 0.05
    assert abs(pull) < 4
    if proc == "bremsstrahlung":  # electrons and positrons both radiate
        assert set(np.unique(b.scalars["parent_pdg"])) == {11, -11}
    else:
        assert np.all(b.scalars["parent_pdg"] == (22 if proc in ("primakoff", "compton") else -11))
    if proc == "resonant":  # the ALP takes the positron's energy plus m_e; the positron is at E_R
        # moved by the electron's motion, E_R/(1 - q/m) (iron: p0/m from 0.19 in K to 0.03)
        e_pos = b.scalars["parent_e"]
        np.testing.assert_allclose(b.scalars["llp_e"], e_pos + X.M_E, rtol=1e-12)
        er = X.resonant_energy(0.05)
        assert np.median(np.abs(e_pos / er - 1)) < 0.05 and np.ptp(e_pos) > 0.05 * er
    if proc == "associated":  # a photon of at least ASSOCIATED_K_MIN goes with it
        assert np.all(b.scalars["parent_e"] + X.M_E - b.scalars["llp_e"] >= ASSOCIATED_K_MIN * (1 - 1e-9))

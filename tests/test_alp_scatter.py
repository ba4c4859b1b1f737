"""ALP detection by scattering (``detect = "alp:scatter"``): inverse Primakoff and inverse Compton
in the detector (fipgen.production.channels.alp_scatter).

* The interaction probability is ``sum_k n sigma_k(E) int_chord exp(-l/ell) dl``: the same
  events generated for decays and for scattering differ by exactly ``rate(E) x ell`` per event,
  and a stable ALP gets ``n sigma L`` (docs/physics.md#from-production-to-detection).
* Four-momentum conservation of ``a + target at rest -> gamma + recoil`` (1e-9), photons on
  shell, the process mix in proportion to the rates.
"""

from __future__ import annotations

import numpy as np
import pytest

from fipgen.card import parse_card
from fipgen.errors import CardError
from fipgen.events import EventBatch
from fipgen.models.alp import ALP
from fipgen.models import alp_xsec as X
from fipgen.pipeline import build_job, iter_chunks
from fipgen.production.channels.alp_scatter import chord_exposure, interaction_rates, scatter_spec

CARD = """
[experiment]
detector = "{det}"
[model]
alp = {{ mass = {m}, c_gg = 1.0, f_a = 1000.0, g_gamma = {gg}, g_electron = {ge} }}
[signal]
produce = ["alp:pi0"]
detect = "alp:{mode}"
{extra}
[run]
events = 30000
seed = 9
"""


def _batch(mode, det="microboone", m=0.05, gg=1e-5, ge=1e-6, extra=""):
    job = build_job(parse_card(CARD.format(det=det, m=m, gg=gg, ge=ge, mode=mode, extra=extra), "t"))
    return job, EventBatch.concatenate([p[0] for p in iter_chunks(job)])


def test_scatter_weight_is_rate_times_exposure():
    jd, bd = _batch("decay", extra='final_states = "all"')
    js, bs = _batch("scatter")
    # the same trials (same streams up to the decay/scatter step): match events by their LLP momentum
    key_d = {round(e, 12): i for i, e in enumerate(bd.scalars["llp_e"])}
    idx = [(key_d[round(e, 12)], j) for j, e in enumerate(bs.scalars["llp_e"]) if round(e, 12) in key_d]
    assert len(idx) > 1000
    i_d, i_s = np.array(idx).T
    E = bs.scalars["llp_e"][i_s]
    rates, _ = interaction_rates(js.scatter, E)
    ell = bs.scalars["llp_beta_gamma"][i_s] * js.ctau
    want = bd.scalars["weight"][i_d] / bd.scalars["weight_branching"][i_d] * rates.sum(axis=1) * ell
    normal = want > 1e-280  # subnormal doubles carry a few digits only
    np.testing.assert_allclose(bs.scalars["weight"][i_s][normal], want[normal], rtol=1e-9)


def test_stable_alp_gets_n_sigma_length():
    """chord_exposure tends to the chord length for an infinite decay length; the Primakoff rate
    per metre in argon is n_Ar sigma."""
    n_seg = np.array([2])
    a = np.array([[1.0, 5.0]])
    b = np.array([[3.0, 5.5]])
    assert chord_exposure(n_seg, a, b, np.array([np.inf]))[0] == pytest.approx(2.5)
    assert chord_exposure(n_seg, a, b, np.array([1e12]))[0] == pytest.approx(2.5, rel=1e-9)
    ell = 2.0
    want = ell * (np.exp(-1 / ell) - np.exp(-3 / ell) + np.exp(-5 / ell) - np.exp(-5.5 / ell))
    assert chord_exposure(n_seg, a, b, np.array([ell]))[0] == pytest.approx(want, rel=1e-12)
    from fipgen.geometry.materials import get_material

    lar = get_material("LAr")
    spec = scatter_spec(ALP(0.05, g_gamma=1e-5, g_electron=1e-6), lar, ("primakoff", "compton"))
    r, _ = interaction_rates(spec, np.array([2.0]))
    z, aa, n = X.material_targets(lar)
    assert r[0, 0] == pytest.approx(n[0] * X.inverse_primakoff_sigma(2.0, 0.05, 1e-5, z[0], aa[0]) * X.GEV2_TO_M2, rel=1e-12)
    assert r[0, 1] == pytest.approx(lar.electron_density * X.inverse_compton_sigma(2.0, 0.05, 1e-6) * X.GEV2_TO_M2,
                                    rel=1e-12)


@pytest.mark.parametrize("det", ["microboone", "miniboone"])
def test_scatter_kinematics_conserve_four_momentum(det):
    job, b = _batch("scatter", det=det)
    sc = b.scalars
    off = b.offsets("daughter")
    pdg = b.flat["daughter"]["pdg"]
    p4 = np.column_stack([b.flat["daughter"][k] for k in ("px", "py", "pz", "e")])
    proc = sc["decay_channel"]
    for i in range(0, len(b), 37):
        s, e = off[i], off[i + 1]
        assert e - s == 2 and pdg[s] == 22
        target_m = 0.51099895e-3 if pdg[s + 1] == 11 else None
        llp = np.array([sc["llp_px"][i], sc["llp_py"][i], sc["llp_pz"][i], sc["llp_e"][i]])
        out = p4[s] + p4[s + 1]
        if target_m is None:  # nucleus: its mass from the recoil four-momentum
            rec = p4[s + 1]
            target_m = np.sqrt(rec[3] ** 2 - rec[:3] @ rec[:3])
            assert proc[i] == 1
        else:
            assert proc[i] == 2
        assert np.allclose(out[:3], llp[:3], rtol=0, atol=1e-9 * llp[3])
        assert out[3] == pytest.approx(llp[3] + target_m, rel=1e-9)
        g = p4[s]
        assert abs(g[3] ** 2 - g[:3] @ g[:3]) < 1e-9 * g[3] ** 2
    # the process mix follows the rates
    rates, _ = interaction_rates(job.scatter, sc["llp_e"])
    frac_p = np.average(rates[:, 0] / rates.sum(axis=1), weights=np.ones(len(b)))
    assert np.mean(proc == 1) == pytest.approx(frac_p, abs=5 * np.sqrt(frac_p * (1 - frac_p) / len(b)))


def test_scatter_card_errors():
    with pytest.raises(CardError, match="signal.scatter.*g_electron"):
        build_job(parse_card(CARD.format(det="microboone", m=0.05, gg=1e-5, ge=0.0, mode="scatter",
                                         extra='scatter = ["compton"]'), "t"))
    with pytest.raises(CardError, match="signal.scatter"):
        parse_card(CARD.format(det="microboone", m=0.05, gg=1e-5, ge=0.0, mode="scatter", extra='scatter = ["moller"]'),
                   "t")

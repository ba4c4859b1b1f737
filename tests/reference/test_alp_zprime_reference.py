"""Reference: Z' widths against DarkCast, ALP and Z' closed forms at hand-computed points.

DarkCast (Ilten, Soreq, Williams, Xue, arXiv:1801.04847; code micha-a-schmidt/darkcast commit
db9a0f6, ``darkcast/model.py`` ``Model.width`` and ``darkcast/pars.py``) computes

* ``Gamma(f f) = C_f x_f^2 m/(12 pi) (1 + m_f^2/m^2) sqrt(1 - 4 m_f^2/m^2)`` (its code; eq. 2.13 and
  fipgen use ``1 + 2 m_f^2/m^2``),
* ``Gamma(F) = m/(12 pi) sum_sets prod_V (r_V Tr[T_V Q])^{2 or x2 for the omega-phi pair} R^F_set(m)``
  with ``r = (2, 6, 3 sqrt2)``, ``T_rho = (1,-1,0)/2``, ``T_omega = (1,1,0)/2``, ``T_phi = (0,0,1)/sqrt2``,
  tables linearly interpolated,

with its masses (``pars.mfs``: m_mu = 0.10566, m_tau = 1.77682 GeV) and charges
(``models/dark_photon.py``: x = Q e, ``e = 0.302822``; ``models/B-L_boson.py``; ``B_boson.py``).
``DARKCAST`` below holds, per model and mass, ``[Gamma(e e), Gamma(mu mu), Gamma(hadrons)]`` for unit
global coupling from that transcription (function :func:`darkcast_widths`, run on the raw files of
``/work/shared/data/darkcast-vmd`` when they are present; the frozen numbers let the test run
without them).

Tolerances: hadronic widths 1e-3 relative (same tables; fipgen's table keeps DarkCast's 5 digits);
Gamma(e e) 1e-4; Gamma(mu mu) within the (1 + 2 mu)/(1 + mu) factor to 1e-4 (the one known
difference). BR(e e) then agrees to 2.5 % for m >= 0.5 GeV
(2e-4 with DarkCast's Gamma(mu mu) given the (1 + 2 mu) factor).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from fipgen.models.alp import ALP
from fipgen.models.zprime import ZPrime

RAW = Path("/work/shared/data/darkcast-vmd")
GE = 3.02822e-1  # DarkCast pars.ge
M_E, M_MU = 5.110e-04, 0.10566  # DarkCast pars.mfs
Q = {"dark-photon": (2 / 3 * GE, -1 / 3 * GE, -1 / 3 * GE, -GE), "B-L": (1 / 3, 1 / 3, 1 / 3, -1.0),
     "B": (1 / 3, 1 / 3, 1 / 3, -GE**2 / (4 * math.pi) ** 2)}
SETS = {"pi+_pi-": [("rho0",)], "pi+_pi-_pi+_pi-": [("rho0",)], "pi+_pi-_pi0_pi0": [("rho0",)],
        "pi+_pi-_pi0": [("omega",), ("phi",), ("omega", "phi")], "pi0_gamma": [("omega",)],
        "K_K": [("phi",)], "K_K_pi": [("phi",)], "other": [("rho0",), ("omega",), ("phi",)]}
RV = {"rho0": 2.0, "omega": 6.0, "phi": 3.0 * math.sqrt(2)}
TM = {"rho0": (0.5, -0.5, 0.0), "omega": (0.5, 0.5, 0.0), "phi": (0.0, 0.0, 1 / math.sqrt(2))}

# model -> {mass: (Gamma_ee, Gamma_mumu, Gamma_had)} in GeV for g = 1, DarkCast transcription
DARKCAST = {
    "dark-photon": {
        0.3: (7.297326e-04, 5.822193e-04, 1.244467e-05),
        0.5: (1.216223e-03, 1.151484e-03, 6.140445e-04),
        0.775: (1.885147e-03, 1.847427e-03, 2.267531e-02),
        1.0: (2.432448e-03, 2.404059e-03, 2.882230e-03),
        1.019: (2.478665e-03, 2.450851e-03, 1.233962e-01),
        1.5: (3.648673e-03, 3.630207e-03, 8.172196e-03),
        1.9: (4.621653e-03, 4.607183e-03, 8.646283e-03),
    },
    "B-L": {
        0.5: (1.326290e-02, 1.255692e-02, 6.749898e-06),
        0.7826: (2.075910e-02, 2.035233e-02, 1.021452e+00),
        1.0: (2.652582e-02, 2.621624e-02, 4.713887e-03),
        1.5: (3.978873e-02, 3.958736e-02, 2.750476e-02),
    },
    "B": {
        0.3: (2.683485e-09, 2.141026e-09, 1.810960e-07),
        0.7826: (7.000334e-09, 6.863165e-09, 1.021452e+00),
        1.019: (9.114927e-09, 9.012645e-09, 1.292049e+00),
    },
}


def _interp_edge(path: Path, m: float) -> float:
    d = np.loadtxt(path)
    return float(np.interp(m, d[:, 0], d[:, 1]))  # linear inside, edge value outside (utils.Dataset)


def darkcast_widths(model: str, m: float) -> tuple[float, float, float]:
    """Transcription of DarkCast Model.width for e e, mu mu and hadrons (unit global coupling)."""
    xu, xd, xs, xl = Q[model]

    def ff(x, mf):
        return 0.0 if m <= 2 * mf else x * x * m / (12 * math.pi) * (1 + mf**2 / m**2) * math.sqrt(1 - 4 * mf**2 / m**2)

    had = 0.0
    for state, sets in SETS.items():
        for mesons in sets:
            sub = 1.0
            for v in mesons:
                t = TM[v]
                sub *= RV[v] * (t[0] * xu + t[1] * xd + t[2] * xs)
            sub = sub * sub if len(mesons) == 1 else 2 * sub
            had += m / (12 * math.pi) * sub * _interp_edge(RAW / f"rf.{state}.{'_'.join(mesons)}.dat", m)
    return ff(xl, M_E), ff(xl, M_MU), had


def _ours(model: str, m: float) -> tuple[float, float, float]:
    # DarkCast's unit global coupling: for the dark photon, g = e (epsilon = 1 with DarkCast's e)
    coupling = GE / math.sqrt(4 * math.pi * 7.2973525693e-3) if model == "dark-photon" else 1.0
    z = ZPrime(m, coupling, model)
    w = z.partial_widths()
    had = sum(z.hadronic_widths().values())
    return w["e+ e-"], w["mu+ mu-"], had


CASES = [(model, m) for model, pts in DARKCAST.items() for m in pts]


@pytest.mark.parametrize("model,m", CASES)
def test_widths_against_darkcast(model, m):
    ee, mumu, had = DARKCAST[model][m]
    our_ee, our_mumu, our_had = _ours(model, m)
    # our alpha vs DarkCast's e differ by (0.302822^2/(4 pi alpha)) = 1.00000x; electron mass 0.5110 vs 0.51099895
    assert our_ee == pytest.approx(ee, rel=1e-4)
    mu = (M_MU / m) ** 2
    assert our_mumu == pytest.approx(mumu * (1 + 2 * mu) / (1 + mu), rel=2e-4)
    assert our_had == pytest.approx(had, rel=1e-3)
    tot = our_ee + our_mumu + our_had
    # BR(e e) within e e + mu mu + hadrons, as DarkCast's code gives it (below 2 m_tau) ...
    if m >= 0.5:
        assert our_ee / tot == pytest.approx(ee / (ee + mumu + had), rel=0.025)
    # ... and exactly once its Gamma(mu mu) carries (1 + 2 mu)
    assert our_ee / tot == pytest.approx(ee / (ee + mumu * (1 + 2 * mu) / (1 + mu) + had), rel=2e-4)


@pytest.mark.skipif(not RAW.is_dir(), reason="raw DarkCast tables not present")
@pytest.mark.parametrize("model,m", CASES)
def test_frozen_darkcast_numbers_match_transcription(model, m):
    assert darkcast_widths(model, m) == pytest.approx(DARKCAST[model][m], rel=1e-6)


def test_darkcast_raw_table_values():
    """Values read off DarkCast's files (rf.pi+_pi-.rho0.dat at 0.78 GeV: 8.9820; rf.pi+_pi-_pi0.omega.dat:
    8.1462; rf.pi0_gamma.omega.dat: 0.87374; rf.K_K.phi.dat at 1.02 GeV: see below) reproduce the
    dark-photon exclusive widths: Gamma(F) = alpha m/3 R^F for epsilon = 1 (c_V^2 = 1). Tolerance 1e-4."""
    m, a = 0.78, 7.2973525693e-3
    w = ZPrime(m, 1.0, "dark-photon").hadronic_widths()
    assert w["pi+ pi-"] == pytest.approx(a * m / 3 * 8.9820, rel=1e-4)
    assert w["pi0 gamma"] == pytest.approx(a * m / 3 * 0.87374, rel=1e-4)
    # pi+ pi- pi0 = omega + phi - 2 x (omega-phi interference): 8.1462 + 1.0846e-4 - 2 x 1.2719e-2
    assert w["pi+ pi- pi0"] == pytest.approx(a * m / 3 * (8.1462 + 1.0846e-4 - 2 * 1.2719e-2), rel=1e-4)


def test_alp_closed_forms_hand_computed():
    """Gamma(a -> gamma gamma) = g^2 m^3/(64 pi) (docs/physics.md#alp-widths): g = 1e-5 GeV^-1, m = 0.1 GeV ->
    1e-10 * 1e-3 / 201.0619298 = 4.973591972e-16 GeV. Gamma(a -> e e) = g^2 m beta/(8 pi): g = 1e-6,
    m = 0.01: beta = sqrt(1 - 4 (0.51099895e-3/0.01)^2) = sqrt(0.98955523) = 0.99476391;
    1e-12 * 0.01 * 0.99476391 / 25.13274123 = 3.958054e-16 GeV. Tolerance 1e-7."""
    assert ALP(0.1, g_gamma=1e-5).partial_widths()["gamma gamma"] == pytest.approx(4.973591972e-16, rel=1e-7)
    assert ALP(0.01, g_electron=1e-6).partial_widths()["e+ e-"] == pytest.approx(3.958054e-16, rel=1e-6)


def test_zprime_closed_forms_hand_computed():
    """B-L neutrinos: 3 flavours x 1/2 x g^2 m/(12 pi): g = 1e-4, m = 0.1 -> 1.5 x 1e-8 x 0.1/37.69911184
    = 3.978873577e-11 GeV. Z' -> N N Majorana: g^2 m (1 - 4x^2)^(3/2)/(24 pi), g = 1e-4, m = 1, m_N = 0.3:
    (1 - 0.36)^1.5 = 0.512; 1e-8 x 0.512/75.39822369 = 6.790610e-11 GeV. Tolerance 1e-8."""
    w = ZPrime(0.1, 1e-4, "B-L").partial_widths()
    assert w["nu_e nu_e"] + w["nu_mu nu_mu"] + w["nu_tau nu_tau"] == pytest.approx(3.978873577e-11, rel=1e-8)
    w = ZPrime(1.0, 1e-4, "B-L", hnl_mass=0.3).partial_widths()
    assert w["N N"] == pytest.approx(6.790610e-11, rel=1e-6)

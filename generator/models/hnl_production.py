"""HNL production: branching ratios of meson and tau decays into an HNL (docs/physics.md#hnl-production).

All widths in GeV; a branching ratio is the width divided by the parent's PDG total
width (``particle``, via :func:`fipgen.constants.width`). Production does not depend
on the HNL being Majorana or Dirac (h+ -> l+ N and h- -> l- Nbar for a Dirac HNL).

Normalisation: tree level throughout. For ``m_N -> 0`` the two-body formula is the SM
tree width ``Gamma(h -> l nu)``, which with the FLAG decay constants gives
BR(pi+ -> mu+ nu) = 0.9771 (PDG 0.99988) and BR(K+ -> mu+ nu) = 0.6231 (PDG 0.6356):
the 2.3 % / 2.0 % gaps are the radiative corrections (and, for the kaon, f_K/|V_us|), not
applied here (tests/reference/test_hnl_reference.py pins them). Multiply by
``BR_PDG / BR_tree`` if the measured normalisation is wanted.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .. import constants as C
from ..errors import PhysicsError
from . import hnl_widths as W

__all__ = [
    "width_meson_to_lepton_hnl",
    "br_meson_to_lepton_hnl",
    "sm_width_meson_to_lepton_nu",
    "width_tau_to_hnl",
    "br_tau_to_hnl",
    "TAU_CHANNELS",
    "width_kaon_to_pi_lepton_hnl",
    "br_kaon_to_pi_lepton_hnl",
]

_PI = math.pi
_LEPTON = {"e": 11, "mu": 13, "tau": 15}
_FIDX = {"e": 0, "mu": 1, "tau": 2}
# meson PDG -> (decay-constant key, CKM key)
_MESONS = {211: ("pi", "Vud"), 321: ("K", "Vus"), 411: ("D", "Vcd"), 431: ("Ds", "Vcs")}


def _meson(meson_pdg: int) -> tuple[float, float, float]:
    key = _MESONS.get(abs(int(meson_pdg)))
    if key is None:
        raise PhysicsError(f"HNL production from meson {meson_pdg} is not implemented; allowed: 211, 321, 411, 431")
    k = W.hnl_constants()
    return C.mass(abs(int(meson_pdg))), k["pseudoscalar_f"][key[0]], k["ckm"][key[1]]


def _flavour(lepton_flavour: str) -> int:
    if lepton_flavour not in _LEPTON:
        raise PhysicsError(f"lepton flavour must be 'e', 'mu' or 'tau', got {lepton_flavour!r}")
    return _LEPTON[lepton_flavour]


def _two_body(m_h: float, f_h: float, v: float, m_l: float, m_n: float) -> float:
    """Gamma(h+ -> l+ N) for |U|^2 = 1 (Shrock 1981; 1805.08567 sec. 2.1 -- 2.1.1 for pi, K,
    2.1.2 for D, Ds; equation number not re-read -- / docs/physics.md#hnl-production).

    ``G_F^2 f^2 |V|^2 m_h m_N^2 / (8 pi) [1 - x_N^2 + 2 x_l^2 + (x_l^2/x_N^2)(1 - x_l^2)]
    sqrt(lambda(1, x_N^2, x_l^2))``, written as ``m_h^3 [x_N^2 (1 - x_N^2 + 2 x_l^2) +
    x_l^2 (1 - x_l^2)]`` so that ``m_N = 0`` is exact (the SM width).
    """
    if m_n + m_l >= m_h:
        return 0.0
    xn2, xl2 = (m_n / m_h) ** 2, (m_l / m_h) ** 2
    kin = (xn2 * (1.0 - xn2 + 2.0 * xl2) + xl2 * (1.0 - xl2)) * math.sqrt(max(W.kallen(1.0, xn2, xl2), 0.0))
    return C.G_FERMI**2 * f_h**2 * v**2 * m_h**3 / (8.0 * _PI) * kin


def width_meson_to_lepton_hnl(meson_pdg: int, lepton_flavour: str, hnl) -> float:
    """Gamma(h+ -> l_a+ N) in GeV for h = pi+, K+, D+, Ds+ (``|U_a|^2`` of ``hnl`` included)."""
    m_h, f_h, v = _meson(meson_pdg)
    ml = C.mass(_flavour(lepton_flavour))
    return hnl.U2[_FIDX[lepton_flavour]] * _two_body(m_h, f_h, v, ml, hnl.mass)


def br_meson_to_lepton_hnl(meson_pdg: int, lepton_flavour: str, hnl) -> float:
    """BR(h+ -> l_a+ N), tree level, PDG total width of h (see the module note)."""
    return width_meson_to_lepton_hnl(meson_pdg, lepton_flavour, hnl) / C.width(abs(int(meson_pdg)))


def sm_width_meson_to_lepton_nu(meson_pdg: int, lepton_flavour: str) -> float:
    """SM tree width Gamma(h+ -> l+ nu) = G_F^2 f^2 |V|^2 m_h m_l^2 (1 - m_l^2/m_h^2)^2 / (8 pi)."""
    m_h, f_h, v = _meson(meson_pdg)
    ml = C.mass(_flavour(lepton_flavour))
    if ml >= m_h:
        return 0.0
    return C.G_FERMI**2 * f_h**2 * v**2 * m_h * ml**2 * (1.0 - ml**2 / m_h**2) ** 2 / (8.0 * _PI)


# --------------------------------------------------------------------------------------
# tau decays (1805.08567 sec. 2.2, HNL production from the tau lepton)
# --------------------------------------------------------------------------------------

#: tau- decay channels into an HNL: name -> mixing that enters ("tau" or the light lepton).
TAU_CHANNELS = {
    "N pi-": "tau",
    "N K-": "tau",
    "N rho-": "tau",
    "N e- nu_e": "tau",  # tau -> N W*-, W* -> e- nubar_e      (|U_tau|^2)
    "N mu- nu_mu": "tau",
    "nu_tau e- N": "e",  # tau -> nu_tau W*-, W* -> e- Nbar   (|U_e|^2)
    "nu_tau mu- N": "mu",
}


def width_tau_to_hnl(channel: str, hnl) -> float:
    """Gamma(tau- -> channel) in GeV, channels of :data:`TAU_CHANNELS`.

    * ``N P-`` (P = pi, K): ``G_F^2 f^2 |V|^2 m_tau^3 / (16 pi) [(1 - x_N^2)^2 - x_P^2 (1 + x_N^2)]
      sqrt(lambda(1, x_P^2, x_N^2))`` (1805.08567 sec. 2.2; x = m / m_tau).
    * ``N rho-``: ``G_F^2 g_rho^2 |V_ud|^2 m_tau^3 / (16 pi m_rho^2) [(1 - x_N^2)^2 + x_rho^2 (1 + x_N^2
      - 2 x_rho^2)] sqrt(lambda(1, x_rho^2, x_N^2))`` (tau -> N rho, 1805.08567 sec. 2.2, whose
      formula was not re-read: the kinematic factor is that of N -> l V of sec. 3.2.1 with the
      roles of parent and lepton exchanged, and the prefactor is fixed so that ``m_N -> 0``
      gives the SM tree width ``G_F^2 f_rho^2 |V_ud|^2 m_tau^3 (1 - x^2)^2 (1 + 2x^2) / (16 pi)``,
      ``f_rho = g_rho / m_rho``, the same normalisation as the decay N -> l rho of sec. 3.2.1
      -- derived, tested against PDG BR(tau -> pi pi0 nu)).
    * leptonic: ``G_F^2 m_tau^5 / (192 pi^3) I(x_N, x_l, 0)`` with the W-mediated phase-space
      integral of :func:`hnl_widths.cc_integral`, for both leptonic channels of 1805.08567
      sec. 2.2 (``|U_tau|^2``: N in the tau current; ``|U_l|^2``: N in the W -> l current). I is
      symmetric in its three arguments, so which slot holds m_N does not matter; the paper's
      one-dimensional integrals were not re-read and are not transcribed here.
    """
    if channel not in TAU_CHANNELS:
        raise PhysicsError(f"unknown tau -> HNL channel {channel!r}; allowed: {', '.join(TAU_CHANNELS)}")
    u2 = hnl.U2[_FIDX[TAU_CHANNELS[channel]]]
    mt, mn = C.mass(15), hnl.mass
    k = W.hnl_constants()
    xn2 = (mn / mt) ** 2
    if channel in ("N pi-", "N K-"):
        pdg, fk, vk = (211, "pi", "Vud") if channel == "N pi-" else (321, "K", "Vus")
        mp = C.mass(pdg)
        if mn + mp >= mt:
            return 0.0
        xp2 = (mp / mt) ** 2
        kin = ((1.0 - xn2) ** 2 - xp2 * (1.0 + xn2)) * math.sqrt(max(W.kallen(1.0, xp2, xn2), 0.0))
        f, v = k["pseudoscalar_f"][fk], k["ckm"][vk]
        return u2 * C.G_FERMI**2 * f**2 * v**2 * mt**3 / (16.0 * _PI) * max(kin, 0.0)
    if channel == "N rho-":
        mr = C.mass(213)
        if mn + mr >= mt:
            return 0.0
        xr2 = (mr / mt) ** 2
        kin = ((1.0 - xn2) ** 2 + xr2 * (1.0 + xn2 - 2.0 * xr2)) * math.sqrt(max(W.kallen(1.0, xr2, xn2), 0.0))
        g, v = k["vector_g"]["rho"], k["ckm"]["Vud"]
        return u2 * C.G_FERMI**2 * g**2 * v**2 * mt**3 / (16.0 * _PI * mr**2) * max(kin, 0.0)
    ml = C.mass(11 if " e-" in channel else 13)
    if mn + ml >= mt:
        return 0.0
    return u2 * C.G_FERMI**2 * mt**5 / (192.0 * _PI**3) * W.cc_integral(mn / mt, ml / mt, 0.0)


def br_tau_to_hnl(channel: str, hnl) -> float:
    """BR(tau- -> channel), tree level, PDG tau width."""
    return width_tau_to_hnl(channel, hnl) / C.width(15)


# --------------------------------------------------------------------------------------
# K -> pi l N (three-body; production from strange mesons is 1805.08567 sec. 2.1.1; the
# width below is derived from the amplitude, not transcribed, with pole form factors)
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _gauss(n: int = 64):
    import numpy as np

    z, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * _PI * (z + 1.0), 0.5 * _PI * w


def _kl3_width(m_k: float, m_p: float, m_l: float, m_n: float, fp0: float, mv: float, ms: float, n: int = 64) -> float:
    """Gamma(P -> P' l N) / (G_F^2 |V|^2 |U|^2) for a form factor normalisation fp0 (GeV).

    Derived from the amplitude ``G_F/sqrt2 V U [ubar_N gamma_mu (1 - g5) v_l] h^mu`` with
    ``h = f_+ (p_K + p_pi) + f_- q``, ``f_- = (f_0 - f_+)(m_K^2 - m_pi^2)/q^2``; the spin sum
    is ``4 [2 (p_N.h)(p_l.h) - h^2 (p_N.p_l)]`` per unit ``G_F^2 |V U|^2`` (both lepton masses
    kept), integrated over the Dalitz plot (q^2 = m^2(l N), s = m^2(pi l)) with Gauss-Legendre
    in cos-mapped variables. ``Gamma = int |M|^2 dq^2 ds / ((2 pi)^3 32 m_K^3)``.
    """
    import numpy as np

    lo, hi = (m_l + m_n) ** 2, (m_k - m_p) ** 2
    if lo >= hi:
        return 0.0
    t, wt = _gauss(n)
    q2 = lo + 0.5 * (hi - lo) * (1.0 - np.cos(t))
    jq = 0.5 * (hi - lo) * np.sin(t)
    rq = np.sqrt(q2)
    el = (q2 + m_l**2 - m_n**2) / (2 * rq)
    ep = (m_k**2 - q2 - m_p**2) / (2 * rq)
    pl = np.sqrt(np.maximum(el**2 - m_l**2, 0.0))
    pp = np.sqrt(np.maximum(ep**2 - m_p**2, 0.0))
    smin = (el + ep) ** 2 - (pl + pp) ** 2
    smax = (el + ep) ** 2 - (pl - pp) ** 2
    # 2-D grid: axis 0 = q^2, axis 1 = s
    s = smin[:, None] + 0.5 * (smax - smin)[:, None] * (1.0 - np.cos(t))[None, :]
    js = 0.5 * (smax - smin)[:, None] * np.sin(t)[None, :]
    Q2 = q2[:, None]
    fp = fp0 / (1.0 - Q2 / mv**2)
    f0 = fp0 / (1.0 - Q2 / ms**2)
    fm = (f0 - fp) * (m_k**2 - m_p**2) / Q2
    k1k2 = (Q2 - m_l**2 - m_n**2) / 2.0
    pk1 = (s - m_p**2 - m_l**2) / 2.0
    u = m_k**2 + m_p**2 + m_l**2 + m_n**2 - Q2 - s
    pk2 = (u - m_p**2 - m_n**2) / 2.0
    Pk1 = pk1 + m_l**2 + k1k2
    Pk2 = pk2 + m_n**2 + k1k2
    qk1 = m_l**2 + k1k2
    qk2 = m_n**2 + k1k2
    hk1 = fp * (Pk1 + pk1) + fm * qk1
    hk2 = fp * (Pk2 + pk2) + fm * qk2
    h2 = fp**2 * (2 * m_k**2 + 2 * m_p**2 - Q2) + 2 * fp * fm * (m_k**2 - m_p**2) + fm**2 * Q2
    msq = 4.0 * (2.0 * hk1 * hk2 - h2 * k1k2)
    integral = np.sum(wt[:, None] * jq[:, None] * wt[None, :] * js * msq)
    return float(integral) / ((2 * _PI) ** 3 * 32.0 * m_k**3)


_KAONS = {321: (111, 0.5), 130: (211, 1.0)}


def width_kaon_to_pi_lepton_hnl(kaon_pdg: int, lepton_flavour: str, hnl) -> float:
    """Gamma(K -> pi l_a N) in GeV, tree level.

    * ``321``: K+ -> pi0 l+ N (the K+ pi0 form factor is f_+(0)/sqrt2: factor 1/2);
    * ``130``: K_L -> pi-+ l+- N, both charge states summed (each K0 -> pi- l+ at 1/2).

    Form factors: pole forms with f_+(0) = 0.9698 (FLAG 2019), vector pole m_K*(892),
    scalar pole 1.097 GeV (PDG lambda_0); ``|V_us|`` PDG 2024 (hnl_constants.toml). For
    m_N -> 0 the tree width is ~4-7 % below PDG's K_l3 rates (no radiative or isospin-
    breaking corrections; pinned in tests/reference/test_hnl_reference.py).
    """
    k = abs(int(kaon_pdg))
    if k not in _KAONS:
        raise PhysicsError(f"K -> pi l N from {kaon_pdg} is not implemented; allowed: 321 (K+), 130 (K_L)")
    pion, iso = _KAONS[k]
    kc = W.hnl_constants()
    ml = C.mass(_flavour(lepton_flavour))
    u2 = hnl.U2[_FIDX[lepton_flavour]]
    if u2 == 0.0:
        return 0.0
    vus = kc["ckm"]["Vus"]
    fp0 = kc["kl3"]["f_plus_0"]
    w = _kl3_width(C.mass(k), C.mass(pion), ml, hnl.mass, fp0, C.mass(323), kc["kl3"]["scalar_pole"])
    return iso * C.G_FERMI**2 * vus**2 * u2 * w


def br_kaon_to_pi_lepton_hnl(kaon_pdg: int, lepton_flavour: str, hnl) -> float:
    """BR(K -> pi l_a N), tree level, PDG K+ / K_L total width (see the width's docstring)."""
    return width_kaon_to_pi_lepton_hnl(kaon_pdg, lepton_flavour, hnl) / C.width(abs(int(kaon_pdg)))

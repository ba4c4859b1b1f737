"""Heavy-neutral-lepton partial widths: pure functions (Dirac widths, GeV).

Every function returns the width of a *Dirac* HNL ``N`` for a mixing ``|U_a|^2 = 1``
(callers multiply by ``|U_a|^2`` and, for a Majorana HNL, by 2). Formulas follow
Bondarenko, Boyarsky, Gorbunov, Ruchayskiy, arXiv:1805.08567 (JHEP 11 (2018) 032),
section 3. Citations name the subsection of arXiv v3; these were checked against the
paper's table of contents (3.1.1 W-mediated decays, 3.1.2 Z-mediated decays and the
interference case, 3.2.1 single meson in the final state). The equation numbers that
earlier versions of this module gave from memory are not repeated: the equations
themselves could not be read here, so no equation number is asserted. The formulas are
cross-checked term by term against two public implementations of the paper (FairShip
``python/hnl.py``, updated by one of its authors, and cHNLdecay) and by the derived
checks in tests/reference. Masses in GeV, widths in GeV.

Inputs (decay constants, CKM, sin^2 theta_W, alpha_s) come from
``generator/data/hnl_constants.toml``, read on first use (:func:`hnl_constants`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib.resources import files

import numpy as np

from .. import constants as C
from ..errors import PhysicsError

__all__ = [
    "hnl_constants",
    "kallen",
    "nc_log",
    "nc_f1",
    "nc_f2",
    "nc_couplings",
    "cc_integral",
    "width_lepton_pseudoscalar",
    "width_nu_pseudoscalar",
    "width_lepton_vector",
    "width_nu_vector",
    "width_three_nu",
    "width_cc_leptons",
    "width_nc_leptons",
    "width_cc_quarks",
    "width_nc_quarks",
    "alpha_s",
    "qcd_correction",
    "width_dipole",
]

_PI = math.pi


@lru_cache(maxsize=1)
def hnl_constants() -> dict:
    """The parsed ``hnl_constants.toml`` as ``{table: {key: float}}`` (loaded once)."""
    import tomllib

    with files("fipgen").joinpath("data/hnl_constants.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    if raw.get("schema_version") != 1:
        raise PhysicsError(f"hnl_constants.toml: unsupported schema_version {raw.get('schema_version')!r}")
    out: dict[str, dict[str, float]] = {}
    for table, entries in raw.items():
        if not isinstance(entries, dict):
            continue
        out[table] = {k: float(v["value"]) for k, v in entries.items()}
    return out


def _const(table: str, key: str) -> float:
    return hnl_constants()[table][key]


def kallen(a: float, b: float, c: float) -> float:
    """Kallen function lambda(a, b, c) = a^2 + b^2 + c^2 - 2ab - 2ac - 2bc."""
    return a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)


def _sqrt_kallen(a: float, b: float, c: float) -> float:
    return math.sqrt(max(kallen(a, b, c), 0.0))


# --------------------------------------------------------------------------------------
# Two-body decays into one meson, 1805.08567 sec. 3.2.1
# --------------------------------------------------------------------------------------


def width_lepton_pseudoscalar(m_n: float, m_l: float, m_h: float, f_h: float, v_ckm: float) -> float:
    """Gamma(N -> l_a^- h^+) for |U_a|^2 = 1, Dirac (1805.08567 sec. 3.2.1, charged pseudoscalar).

    ``G_F^2 f_h^2 |V|^2 M^3 / (16 pi) [(1 - x_l^2)^2 - x_h^2 (1 + x_l^2)] sqrt(lambda(1, x_h^2, x_l^2))``.
    """
    if m_n <= m_l + m_h:
        return 0.0
    xl2, xh2 = (m_l / m_n) ** 2, (m_h / m_n) ** 2
    kin = ((1.0 - xl2) ** 2 - xh2 * (1.0 + xl2)) * _sqrt_kallen(1.0, xh2, xl2)
    return C.G_FERMI**2 * f_h**2 * v_ckm**2 * m_n**3 / (16.0 * _PI) * max(kin, 0.0)


def width_nu_pseudoscalar(m_n: float, m_h: float, f_h: float) -> float:
    """Gamma(N -> nu_a h^0) for |U_a|^2 = 1, Dirac (1805.08567 sec. 3.2.1, neutral pseudoscalar).

    ``G_F^2 f_h^2 M^3 / (32 pi) (1 - x_h^2)^2``.
    """
    if m_n <= m_h:
        return 0.0
    xh2 = (m_h / m_n) ** 2
    return C.G_FERMI**2 * f_h**2 * m_n**3 / (32.0 * _PI) * (1.0 - xh2) ** 2


def width_lepton_vector(m_n: float, m_l: float, m_h: float, g_h: float, v_ckm: float) -> float:
    """Gamma(N -> l_a^- V^+) for |U_a|^2 = 1, Dirac (1805.08567 sec. 3.2.1, charged vector); ``g_h`` in GeV^2.

    ``G_F^2 g_h^2 |V|^2 M^3 / (16 pi m_h^2) [(1 - x_l^2)^2 + x_h^2 (1 + x_l^2) - 2 x_h^4]
    sqrt(lambda(1, x_h^2, x_l^2))``.
    """
    if m_n <= m_l + m_h:
        return 0.0
    xl2, xh2 = (m_l / m_n) ** 2, (m_h / m_n) ** 2
    kin = ((1.0 - xl2) ** 2 + xh2 * (1.0 + xl2) - 2.0 * xh2**2) * _sqrt_kallen(1.0, xh2, xl2)
    return C.G_FERMI**2 * g_h**2 * v_ckm**2 * m_n**3 / (16.0 * _PI * m_h**2) * max(kin, 0.0)


def width_nu_vector(m_n: float, m_h: float, g_h: float, kappa_h: float) -> float:
    """Gamma(N -> nu_a V^0) for |U_a|^2 = 1, Dirac (1805.08567 sec. 3.2.1, neutral vector); ``g_h`` in GeV^2.

    ``G_F^2 kappa_h^2 g_h^2 M^3 / (32 pi m_h^2) (1 + 2 x_h^2) (1 - x_h^2)^2``.
    """
    if m_n <= m_h:
        return 0.0
    xh2 = (m_h / m_n) ** 2
    return C.G_FERMI**2 * kappa_h**2 * g_h**2 * m_n**3 / (32.0 * _PI * m_h**2) * (1.0 + 2.0 * xh2) * (1.0 - xh2) ** 2


# --------------------------------------------------------------------------------------
# Three-body decays, 1805.08567 sec. 3.1: 3.1.1 (W-mediated) and 3.1.2 (Z-mediated,
# W/Z interference); the quark-level widths are the same formulas with quark masses,
# colour and CKM factors
# --------------------------------------------------------------------------------------


def width_three_nu(m_n: float) -> float:
    """Sum over beta of Gamma(N -> nu_a nu_b nubar_b) for |U_a|^2 = 1, Dirac.

    ``sum_b (1 + delta_ab) G_F^2 M^5 / (768 pi^3) = G_F^2 M^5 / (192 pi^3)`` (1805.08567 sec. 3.1,
    a Z-mediated channel, 3.1.2).
    """
    return C.G_FERMI**2 * m_n**5 / (192.0 * _PI**3)


def cc_integral(xu: float, xd: float, xl: float) -> float:
    """Phase-space integral I(x_u, x_d, x_l) of the W-mediated 3-body width (1805.08567 sec. 3.1.1).

    ``I = 12 int_{(x_d+x_l)^2}^{(1-x_u)^2} dx/x (x - x_l^2 - x_d^2)(1 + x_u^2 - x)
    sqrt(lambda(x, x_l^2, x_d^2) lambda(1, x, x_u^2))``; ``I(0,0,0) = 1``. Symmetric in its
    three arguments (checked in the tests). Zero at and above threshold ``x_u+x_d+x_l >= 1``.
    """
    if xu + xd + xl >= 1.0:
        return 0.0
    xu2, xd2, xl2 = xu * xu, xd * xd, xl * xl
    lo, hi = (xd + xl) ** 2, (1.0 - xu) ** 2
    # x = lo + (hi - lo) (1 - cos t)/2 removes the square-root end-point behaviour of the
    # integrand, which is then smooth: fixed Gauss-Legendre (deterministic, no warnings).
    t, wt = _gauss_legendre()
    half = 0.5 * (hi - lo)
    x = lo + half * (1.0 - np.cos(t))
    jac = half * np.sin(t)
    lam1 = np.maximum(_kallen_np(x, xl2, xd2), 0.0)
    lam2 = np.maximum(_kallen_np(1.0, x, xu2), 0.0)
    f = (x - xl2 - xd2) * (1.0 + xu2 - x) * np.sqrt(lam1 * lam2) / x
    return float(12.0 * np.sum(wt * f * jac))


@lru_cache(maxsize=1)
def _gauss_legendre(n: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Nodes in (0, pi) and weights of an n-point Gauss-Legendre rule."""
    z, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * _PI * (z + 1.0), 0.5 * _PI * w


def _kallen_np(a, b, c):
    return a * a + b * b + c * c - 2.0 * (a * b + a * c + b * c)


def width_cc_leptons(m_n: float, m_a: float, m_b: float) -> float:
    """Gamma(N -> l_a^- l_b^+ nu_b), a != b, for |U_a|^2 = 1, Dirac (1805.08567 sec. 3.1.1).

    ``G_F^2 M^5 / (192 pi^3) I(0, x_b, x_a)`` (the W-mediated width with N_W = 1, V = 1).
    """
    if m_n <= m_a + m_b:
        return 0.0
    return C.G_FERMI**2 * m_n**5 / (192.0 * _PI**3) * cc_integral(0.0, m_b / m_n, m_a / m_n)


def nc_log(x: float) -> float:
    """The logarithm L(x) of the neutral-current width, in the cancellation-free form.

    1805.08567 sec. 3.1.2 writes ``L = ln[(1 - 3x^2 - (1 - x^2) s) / (x^2 (1 + s))]``,
    ``s = sqrt(1 - 4x^2)``, whose numerator cancels catastrophically for small x (it is
    ``~2 x^6``). Multiplying by the conjugate, the numerator is
    ``4 x^6 / (1 - 3x^2 + (1 - x^2) s)`` and, with ``x^2 = (1 - s^2)/4``,
    ``(1 + s)(1 - 3x^2 + (1 - x^2) s) = (1 + s)^4 / 4``, hence the stable form
    ``L = 2 ln[4 x^2 / (1 + s)^2]`` (docs/physics.md#hnl-decays; derived here, checked against an
    mpmath evaluation of the original form in the tests). Valid for ``0 < x < 1/2``.
    """
    if not 0.0 < x < 0.5:
        raise ValueError(f"nc_log needs 0 < x < 1/2, got {x!r}")
    s = math.sqrt(1.0 - 4.0 * x * x)
    return 2.0 * math.log(4.0 * x * x / (1.0 + s) ** 2)


def nc_f1(x: float) -> float:
    """Coefficient of C1 in the NC width: ``(1 - 14x^2 - 2x^4 - 12x^6) s + 12 x^4 (x^4 - 1) L``."""
    if x >= 0.5:
        return 0.0
    if x == 0.0:
        return 1.0
    x2 = x * x
    s = math.sqrt(1.0 - 4.0 * x2)
    return (1.0 - 14.0 * x2 - 2.0 * x2**2 - 12.0 * x2**3) * s + 12.0 * x2**2 * (x2**2 - 1.0) * nc_log(x)


def nc_f2(x: float) -> float:
    """Coefficient of 4 C2: ``x^2 (2 + 10x^2 - 12x^4) s + 6 x^4 (1 - 2x^2 + 2x^4) L``."""
    if x >= 0.5 or x == 0.0:
        return 0.0
    x2 = x * x
    s = math.sqrt(1.0 - 4.0 * x2)
    return x2 * (2.0 + 10.0 * x2 - 12.0 * x2**2) * s + 6.0 * x2**2 * (1.0 - 2.0 * x2 + 2.0 * x2**2) * nc_log(x)


def _nc_width(m_n: float, m_f: float, c1: float, c2: float) -> float:
    """``G_F^2 M^5 / (192 pi^3) [C1 f1(x) + 4 C2 f2(x)]`` (1805.08567 sec. 3.1.2), x = m_f/M."""
    if m_n <= 2.0 * m_f:
        return 0.0
    x = m_f / m_n
    w = C.G_FERMI**2 * m_n**5 / (192.0 * _PI**3) * (c1 * nc_f1(x) + 4.0 * c2 * nc_f2(x))
    return max(w, 0.0)


def nc_couplings(t3: float, q: float, s2w: float) -> tuple[float, float]:
    """(C1, C2) = (g_L^2 + g_R^2, g_L g_R) with g_L = T3 - Q s^2, g_R = -Q s^2.

    For charged leptons (T3 = -1/2, Q = -1): C1 = (1 - 4s^2 + 8s^4)/4, C2 = s^2 (2s^2 - 1)/2,
    the coefficients of the Z-mediated width of 1805.08567 sec. 3.1.2. For quarks the same
    g_L, g_R give the quark coefficients (u: C1 = (1 - 8s^2/3 + 32s^4/9)/4, C2 = s^2 (4s^2/3 - 1)/3;
    d: C1 = (1 - 4s^2/3 + 8s^4/9)/4, C2 = s^2 (2s^2/3 - 1)/6), the values in the authors'
    FairShip code; where the paper tabulates them was not re-read.
    """
    gl, gr = t3 - q * s2w, -q * s2w
    return gl * gl + gr * gr, gl * gr


def width_nc_leptons(m_n: float, m_l: float, same_flavour: bool) -> float:
    """Gamma(N -> nu_a l_b^- l_b^+) for |U_a|^2 = 1, Dirac (1805.08567 sec. 3.1.2).

    For ``a == b`` (``same_flavour``) the W-exchange diagram interferes with the Z one:
    g_L -> g_L + 1, i.e. C1 -> C3 = (1 + 4s^2 + 8s^4)/4, C2 -> C4 = s^2 (2s^2 + 1)/2.
    """
    s2w = _const("electroweak", "sin2_theta_w")
    gl, gr = -0.5 + s2w, s2w
    if same_flavour:
        gl += 1.0
    return _nc_width(m_n, m_l, gl * gl + gr * gr, gl * gr)


# --------------------------------------------------------------------------------------
# QCD: alpha_s running and the inclusive correction (1805.08567 sec. 3.2, after the
# single-meson subsection 3.2.1; subsection and equation numbers not re-read)
# --------------------------------------------------------------------------------------


def _beta(nf: int) -> tuple[float, float, float]:
    b0 = 11.0 - 2.0 * nf / 3.0
    b1 = 102.0 - 38.0 * nf / 3.0
    b2 = 2857.0 / 2.0 - 5033.0 * nf / 18.0 + 325.0 * nf * nf / 54.0
    return b0, b1, b2


def _run(a: float, t0: float, t1: float, nf: int, steps: int = 200) -> float:
    """RK4 for da/dt = -b0 a^2 - b1 a^3 - b2 a^4, a = alpha_s/(4 pi), t = ln mu^2."""
    b0, b1, b2 = _beta(nf)

    def rhs(y: float) -> float:
        return -(b0 * y * y + b1 * y**3 + b2 * y**4)

    h = (t1 - t0) / steps
    for _ in range(steps):
        k1 = rhs(a)
        k2 = rhs(a + 0.5 * h * k1)
        k3 = rhs(a + 0.5 * h * k2)
        k4 = rhs(a + h * k3)
        a += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
    return a


@lru_cache(maxsize=4096)
def alpha_s(mu: float) -> float:
    """Strong coupling alpha_s(mu), MS-bar, three-loop running from alpha_s(M_Z) (PDG 2024).

    Flavour thresholds at the PDG MS-bar masses m_b, m_c (``particle``), continuous
    matching. Valid for ``mu >= 0.8`` GeV (it is used above the exclusive/inclusive join).
    """
    if mu < 0.8:
        raise PhysicsError(f"alpha_s: scale {mu} GeV below 0.8 GeV is outside perturbative QCD")
    mz = _const("qcd", "m_z")
    a = _const("qcd", "alpha_s_mz") / (4.0 * _PI)
    mb, mc = C.mass(5), C.mass(4)
    t = math.log(mz**2)
    for lo, nf in ((mb, 5), (mc, 4), (0.0, 3)):
        target = max(lo, mu)
        if target < math.exp(0.5 * t):
            a = _run(a, t, math.log(target**2), nf)
            t = math.log(target**2)
        if mu >= lo:
            break
    return 4.0 * _PI * a


def qcd_correction(m_n: float) -> float:
    """``1 + a + 5.2 a^2 + 26.4 a^3``, ``a = alpha_s(M_N)/pi`` (1805.08567 sec. 3.2; same series in
    the authors' FairShip code, applied to both the W- and the Z-mediated quark widths)."""
    a = alpha_s(m_n) / _PI
    return 1.0 + a + 5.2 * a * a + 26.4 * a**3


# Quarks: (pdg, T3, Q) and the CKM key of each (up, down) pair.
_UP = (2, 4)
_DOWN = (1, 3, 5)
_CKM_KEY = {(2, 1): "Vud", (2, 3): "Vus", (2, 5): "Vub", (4, 1): "Vcd", (4, 3): "Vcs", (4, 5): "Vcb"}
_QUARK_T3Q = {1: (-0.5, -1.0 / 3.0), 2: (0.5, 2.0 / 3.0), 3: (-0.5, -1.0 / 3.0), 4: (0.5, 2.0 / 3.0), 5: (-0.5, -1.0 / 3.0)}


def width_cc_quarks(m_n: float, m_l: float) -> float:
    """Sum over (u, c) x (d, s, b) of Gamma(N -> l_a^- u dbar) for |U_a|^2 = 1, Dirac, tree level.

    ``N_c G_F^2 |V_ud|^2 M^5 / (192 pi^3) I(x_u, x_d, x_l)``: the W-mediated width of
    1805.08567 sec. 3.1.1 with colour and CKM factor ``N_c |V_ud|^2``, with the PDG MS-bar
    quark masses from ``particle``; multiply by :func:`qcd_correction`.
    """
    tot = 0.0
    for u in _UP:
        for d in _DOWN:
            mu_, md_ = C.mass(u), C.mass(d)
            if m_n <= m_l + mu_ + md_:
                continue
            v = _const("ckm", _CKM_KEY[(u, d)])
            tot += 3.0 * v * v * cc_integral(mu_ / m_n, md_ / m_n, m_l / m_n)
    return C.G_FERMI**2 * m_n**5 / (192.0 * _PI**3) * tot


def width_nc_quarks(m_n: float) -> float:
    """Sum over q = u, d, s, c, b of Gamma(N -> nu_a q qbar) for |U_a|^2 = 1, Dirac, tree level.

    ``N_c`` times the Z-mediated formula of 1805.08567 sec. 3.1.2 with the quark C1^q, C2^q
    (:func:`nc_couplings`); multiply by :func:`qcd_correction`.
    """
    s2w = _const("electroweak", "sin2_theta_w")
    tot = 0.0
    for q, (t3, qq) in _QUARK_T3Q.items():
        c1, c2 = nc_couplings(t3, qq, s2w)
        tot += 3.0 * _nc_width(m_n, C.mass(q), c1, c2)
    return tot


# --------------------------------------------------------------------------------------
# Dipole portal
# --------------------------------------------------------------------------------------


def width_dipole(m_n: float, d: float) -> float:
    """Gamma(N -> nu gamma) = d^2 M^3 / (4 pi), Dirac, ``d`` in GeV^-1.

    Convention ``L = d nubar_L sigma_{mu nu} N F^{mu nu} + h.c.`` (Magill, Plestid, Pospelov,
    Tsai, arXiv:1803.03262 eq. 2-3; also arXiv:2402.01624). For a Majorana N both nu gamma and
    nubar gamma are open: the model doubles it like every other channel.
    """
    return d * d * m_n**3 / (4.0 * _PI)

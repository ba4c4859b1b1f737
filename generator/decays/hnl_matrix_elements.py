"""Differential widths ``dGamma / ds12 ds23`` of the HNL three-body decays.

Written from the four-fermion matrix elements (not from the width module), so that the
widths of :mod:`fipgen.models.hnl` can be checked against them. Units: masses in GeV,
``s12``, ``s23`` in GeV^2, results in GeV^-3 (GeV per GeV^4 of Dalitz area).

Normalisation: one charge state of a Dirac HNL, unpolarised (spin-averaged), mixing
``|U|^2`` (dimensionless). A Majorana HNL has twice the width (both charge-conjugate
final states, docs/physics.md#hnl-decays); the conjugate state has the same Dalitz density with every
particle replaced by its antiparticle, which is what the sampler produces.

Matrix elements
---------------
Phase space: ``dGamma = |M|^2 / (256 pi^3 m_N^3) ds12 ds23`` (PDG Review "Kinematics"
eq. 49.22), ``|M|^2`` averaged over the HNL spin.

*Neutral current* ``N -> nu_a(p1) l_b^-(p2) l_b^+(p3)`` (Bondarenko, Boyarsky, Gorbunov,
Ruchayskiy, arXiv:1805.08567, sec. 3.1.2, Z-mediated decays and the interference case,
with the coefficients C1..C4; the four-fermion operators as in Gorbunov & Shaposhnikov,
arXiv:0705.1729; subsection checked against the paper's table of contents, equation
numbers not quoted because the equations could not be re-read). The effective interaction is

    (G_F U / sqrt 2) [nu_a gamma^mu (1 - g5) N] [l gamma_mu (gL (1 - g5) + gR (1 + g5)) l]

with ``gL = -1/2 + sin^2 theta_W`` (+1 when a == b: the W exchange, Fierz-rearranged,
adds to the left-handed coupling) and ``gR = sin^2 theta_W``; then
``gL^2 + gR^2`` is C1 (a != b) or C3 (a == b) and ``gL gR`` is C2 or C4 of 1805.08567.
The spin-averaged square (trace algebra as for muon decay; *derived* here, and checked
against the closed-form total width of 1805.08567, written out independently in
``tests/test_dalitz.py``, to 0.2 % for m_l/m_N from 5e-4 to 0.35, which also fixes the
sign of the ``gL gR m_l^2`` interference term):

    |M|^2 = 64 G_F^2 |U|^2 [ gL^2 (P.p3)(p1.p2) + gR^2 (P.p2)(p1.p3) + gL gR m_l^2 (P.p1) ]

*Charged current* ``N -> l_a^-(p1) l_b^+(p2) nu_b(p3)``, ``a != b`` (1805.08567 sec. 3.1.1,
W-mediated decays: the muon-decay-like width with its phase-space function ``I(x, y, z)``):

    |M|^2 = 64 G_F^2 |U_a|^2 (P.p2)(p1.p3)

*Three neutrinos* ``N -> nu_a(p1) nu_b(p2) nubar_b(p3)`` summed over b: the neutral-current
form with ``gL = 1/2`` (``gL = 1`` for b == a, with the 1/2 of identical particles) and
``gR = 0``; the sum over b gives weight 1/4 + 1/4 + 1/2 = 1:

    |M|^2 = 64 G_F^2 |U_a|^2 (P.p3)(p1.p2)

so ``Gamma = G_F^2 m_N^5 |U_a|^2 / (192 pi^3)`` (1805.08567 sec. 3.1, Dirac). This is
*not* flat in the Dalitz plane, so the sampler uses it.

*Polarised HNL* (option of the sampler, arXiv:2109.10358 sec. 2 for the setting). For an
HNL in the pure spin state ``s`` (``s.P = 0``, ``s^2 = -1``) the spin projector
``u ubar = (Pslash + M)(1 + g5 sslash)/2`` next to the ``(1 - g5)`` of the ``N`` current
gives ``(1 - g5)(Pslash - M sslash)/2``: the polarised ``|M|^2`` is the averaged one with
``P -> P - M s`` in every factor ``P.p_i`` (a factor 2 for not averaging, absorbed in the
definition of the average). In the rest frame, ``s = (0, s_hat)`` and
``(P - lambda M s).p = M (E + lambda s_hat.p_vec)`` for polarisation ``lambda`` along
``s_hat`` (linear in ``lambda``: partial polarisation is the same formula). The
charge-conjugate decay has ``lambda -> -lambda`` (CP). Check: ``N -> l- pi+`` gives
``1 - cos(theta)`` for a massless ``l-``, the left-handed lepton against the spin, as
:func:`fipgen.decays.sampler.polarised_asymmetry`. :func:`spin_ratio` returns
``|M(lambda)|^2 / |M(0)|^2`` in ``[0, 2]``.

Dot products from the Dalitz variables (``P`` the HNL momentum, ``s13 = M^2 + m1^2 + m2^2
+ m3^2 - s12 - s23``): ``P.p3 = (M^2 + m3^2 - s12)/2``, ``p1.p2 = (s12 - m1^2 - m2^2)/2``,
``P.p2 = (M^2 + m2^2 - s13)/2``, ``p1.p3 = (s13 - m1^2 - m3^2)/2``,
``P.p1 = (M^2 + m1^2 - s23)/2``.
"""

from __future__ import annotations

import numpy as np

from ..constants import G_FERMI

__all__ = [
    "SIN2_THETA_W",
    "nc_couplings",
    "dgamma_nc",
    "dgamma_cc",
    "dgamma_3nu",
    "spin_ratio",
]

#: sin^2 theta_W (MS-bar at M_Z, PDG 2024 Review "Electroweak model", 0.23129). The
#: three-body shapes depend on it only through gL, gR.
SIN2_THETA_W = 0.23129

_NORM = 64.0 * G_FERMI**2 / (256.0 * np.pi**3)  # |M|^2 prefactor / phase-space factor


def nc_couplings(same_flavour: bool, sin2w: float = SIN2_THETA_W) -> tuple[float, float]:
    """``(gL, gR)`` of the charged lepton in ``N -> nu_a l_b l_b`` (module docstring).

    ``same_flavour`` (a == b) adds the W exchange (+1 to gL). Then ``gL^2 + gR^2`` equals
    C1 = (1 - 4 s^2 + 8 s^4)/4 or C3 = (1 + 4 s^2 + 8 s^4)/4 and ``gL gR`` equals
    C2 = s^2 (2 s^2 - 1)/2 or C4 = s^2 (2 s^2 + 1)/2 of arXiv:1805.08567 (sec. 3.1.2).
    """
    gl = -0.5 + sin2w + (1.0 if same_flavour else 0.0)
    return gl, sin2w


def dgamma_nc(s12, s23, m_n: float, m_l: float, u2: float = 1.0, *, same_flavour: bool = False, sin2w: float = SIN2_THETA_W):
    """``dGamma/ds12 ds23`` (GeV^-3) of ``N -> nu_a(1) l^-(2) l^+(3)`` (neutral current).

    Parameters
    ----------
    s12, s23 : array_like
        ``(p_nu + p_l-)^2`` and ``(p_l- + p_l+)^2`` in GeV^2 (inside the Dalitz region).
    m_n, m_l : float
        HNL and charged-lepton masses (GeV).
    u2 : float
        ``|U_a|^2``.
    same_flavour : bool
        ``a == b``: include the W exchange and its interference with the Z.
    """
    s12 = np.asarray(s12, dtype=np.float64)
    s23 = np.asarray(s23, dtype=np.float64)
    M2 = m_n * m_n
    ml2 = m_l * m_l
    s13 = M2 + 2.0 * ml2 - s12 - s23
    gl, gr = nc_couplings(same_flavour, sin2w)
    Pp3 = 0.5 * (M2 + ml2 - s12)
    p1p2 = 0.5 * (s12 - ml2)
    Pp2 = 0.5 * (M2 + ml2 - s13)
    p1p3 = 0.5 * (s13 - ml2)
    Pp1 = 0.5 * (M2 - s23)
    me2 = gl * gl * Pp3 * p1p2 + gr * gr * Pp2 * p1p3 + gl * gr * ml2 * Pp1
    return _NORM * u2 * me2 / m_n**3


def dgamma_cc(s12, s23, m_n: float, m_a: float, m_b: float, u2: float = 1.0):
    """``dGamma/ds12 ds23`` (GeV^-3) of ``N -> l_a^-(1) l_b^+(2) nu_b(3)``, a != b.

    Parameters
    ----------
    s12, s23 : array_like
        ``(p_la + p_lb)^2`` and ``(p_lb + p_nu)^2`` in GeV^2.
    m_n, m_a, m_b : float
        Masses of N, l_a, l_b (GeV).
    u2 : float
        ``|U_a|^2``.
    """
    s12 = np.asarray(s12, dtype=np.float64)
    s23 = np.asarray(s23, dtype=np.float64)
    M2 = m_n * m_n
    s13 = M2 + m_a * m_a + m_b * m_b - s12 - s23
    Pp2 = 0.5 * (M2 + m_b * m_b - s13)
    p1p3 = 0.5 * (s13 - m_a * m_a)
    return _NORM * u2 * Pp2 * p1p3 / m_n**3


def dgamma_3nu(s12, s23, m_n: float, u2: float = 1.0):
    """``dGamma/ds12 ds23`` (GeV^-3) of ``N -> nu_a(1) nu_b(2) nubar_b(3)``, summed over b."""
    s12 = np.asarray(s12, dtype=np.float64)
    s23 = np.asarray(s23, dtype=np.float64)
    M2 = m_n * m_n
    return _NORM * u2 * (0.5 * (M2 - s12)) * (0.5 * s12) / m_n**3 + 0.0 * s23


def _dot(a, b):
    return a[..., 3] * b[..., 3] - np.einsum("...i,...i->...", a[..., :3], b[..., :3])


def spin_ratio(kind: str, q, m_n: float, lam, axis, *, m_l: float = 0.0, same_flavour: bool = False, sin2w: float = SIN2_THETA_W):
    """``|M(lambda)|^2 / |M(0)|^2`` of a polarised HNL three-body decay (module docstring).

    Parameters
    ----------
    kind : {"nc", "cc", "3nu"}
        Matrix element: :func:`dgamma_nc` (daughters ``nu, l-, l+``), :func:`dgamma_cc`
        (``l_a-, l_b+, nu_b``) or :func:`dgamma_3nu` (``nu_a, nu_b, nubar_b``).
    q : array_like, shape (n, 3, 4)
        Daughter four-momenta ``(px, py, pz, E)`` in the HNL rest frame, in that order (GeV).
    m_n : float
        HNL mass (GeV).
    lam : array_like, shape (n,)
        Polarisation along ``axis`` in [-1, 1], sign already flipped for the conjugate decay.
    axis : array_like, shape (n, 3)
        Unit spin axis in the rest frame.
    m_l, same_flavour, sin2w
        For ``"nc"``: charged-lepton mass (GeV), W exchange, weak angle.

    Returns
    -------
    numpy.ndarray, shape (n,)
        The ratio, in ``[0, 2]``; ``1 + O(lambda)``.
    """
    q = np.asarray(q, dtype=np.float64)
    lam = np.asarray(lam, dtype=np.float64)
    axis = np.asarray(axis, dtype=np.float64)
    p1, p2, p3 = q[:, 0], q[:, 1], q[:, 2]

    def pq(p):  # (P.p, (P - lam M s).p) / M
        e = p[:, 3]
        return e, e + lam * np.einsum("ij,ij->i", axis, p[:, :3])

    if kind == "nc":
        gl, gr = nc_couplings(same_flavour, sin2w)
        (a1, b1), (a2, b2), (a3, b3) = pq(p1), pq(p2), pq(p3)
        x12, x13 = _dot(p1, p2), _dot(p1, p3)
        c3, c2, c1 = gl * gl * x12, gr * gr * x13, gl * gr * m_l * m_l
        num = c3 * b3 + c2 * b2 + c1 * b1
        den = c3 * a3 + c2 * a2 + c1 * a1
    elif kind == "cc":
        a2, b2 = pq(p2)
        x13 = _dot(p1, p3)
        num, den = b2 * x13, a2 * x13
    elif kind == "3nu":
        a3, b3 = pq(p3)
        x12 = _dot(p1, p2)
        num, den = b3 * x12, a3 * x12
    else:
        raise ValueError(f"kind must be 'nc', 'cc' or '3nu', got {kind!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0.0, num / np.where(den > 0.0, den, 1.0), 1.0)
    return np.clip(r, 0.0, 2.0)

"""Neutral-meson sources of the Booster Neutrino Beam target (8.89 GeV/c p on Be).

Normalisation choices (the physics choice of this module; numbers reproduced by
``sanford_wang_pi0_per_pot()`` and the tests):

* **Shape of pi0.** No fit exists for pi0 at the BNB (docs/physics.md#meson-production). We use the average
  ``(pi+ + pi-)/2`` of the MiniBooNE Sanford-Wang fits (arXiv:0806.1449; parameters in
  docs/beamlines.md#meson-production-parameterisations, identical to the G4BNB production card ``input/production.in``), as
  BdNMC does (deNiverville et al., arXiv:1609.01770, code ``sanfordwang.cpp``), over
  ``0 <= p <= p_B - c9 = 7.89 GeV/c`` (the factor ``1 - p/(p_B - c9)`` vanishes there)
  and ``0 <= theta <= pi/2``. The angular cut is the domain of the formula itself:
  ``cos(theta)^c8`` with non-integer ``c8`` is undefined beyond ``pi/2``, and BdNMC uses
  the same range, so its normalisation applies to exactly this shape. Of the
  ``theta <= pi/2`` integral, 26 % lies below 0.2 rad (the HARP data of the fit cover
  30-210 mrad, 0.75-6.5 GeV/c), 56 % below 0.4 rad and 89 % below 1 rad: the large-angle
  part is an extrapolation of the fit (a systematic to carry).
* **pi0 per POT: 0.9** (:data:`BNB_PI0_PER_POT`), the value of BdNMC for the BNB
  beryllium target (``pi0_per_POT 0.9`` in its ``parameter.dat`` and in the MiniBooNE
  defaults of ``Parameter_Card_Generator.py``; BdNMC is documented in arXiv:1609.01770,
  appendix, and was used for MiniBooNE-DM, arXiv:1807.06137, whose steel-dump runs use
  2.42). Chosen because it is what the published BNB sensitivities use (results stay
  comparable) and because the first-interaction estimate below leaves out tertiary
  production in a target 1.86 inelastic interaction lengths long, which raises the
  count. The estimate
  from the fit itself: ``sigma(pi0) = [sigma(pi+) + sigma(pi-)]/2 = (158.9 + 144.4)/2 =
  151.7 mb`` (``theta <= pi/2``), over ``sigma_inel(p Be, 8.89 GeV/c) = 212.3 mb`` (the
  MiniBooNE flux paper's Regge fit, arXiv:0806.1449, parameters of the G4BNB card
  ``ineProBeXsecPar``), times the fraction of protons interacting in 71.12 cm of Be
  (0.8137, from the target's geometry and the beam spot:
  :func:`fipgen.production.sources.charged_mesons.bnb_interacting_fraction`), gives **0.58 pi0/POT**
  (primary interactions only).
  Use it as the alternative normalisation (ratio 0.67) for a meson-production
  systematic.
* **eta.** Shape by transverse-mass scaling of the same pion fit: equal invariant cross
  sections ``E d^3sigma/dp^3`` at equal rapidity and ``m_T`` (so equal ``E`` and
  ``p_L``, and ``p_T,pi^2 = p_T,eta^2 + m_eta^2 - m_pi^2``). Normalisation ``eta/pi0 =
  1/30`` (:data:`BNB_ETA_PER_PI0`), BdNMC's ``meson_per_pi0`` for MiniBooNE
  (arXiv:1609.01770 code, ``eta_decay: 1/30``). For comparison: Pythia 8 at 8.9 GeV/c
  p-p gives eta/pi0 = 0.049 per collision (docs/physics.md#meson-production); the m_T-scaled shape
  integrates to 0.109 of the pion one (m_T scaling is a high-energy rule and is not
  used for the normalisation); BdNMC samples the eta shape from the K0L fit instead.

Units: momenta GeV/c, angles rad, cross sections mb, ``d2sigma/dp dOmega`` in
mb/(GeV/c sr). Sources are in the beam frame (z along the protons).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

import numba

from ..._jit import JIT_OPTIONS
import numpy as np

from ... import constants as C
from ...fasttrig import cos_sin_turn, cos_sin_turns
from ...errors import PhysicsError

__all__ = [
    "bnb_interacting_fraction",
    "SanfordWangParams",
    "SW_PI_PLUS",
    "SW_PI_MINUS",
    "SW_K0L",
    "BNB_P_BEAM",
    "BNB_PI0_PER_POT",
    "BNB_ETA_PER_PI0",
    "sanford_wang",
    "pbe_inelastic_cross_section",
    "sanford_wang_pi0_per_pot",
    "bnb_pi0_density",
    "bnb_eta_density",
    "MesonSource",
    "tabulate_source",
    "bnb_meson_source",
]


class SanfordWangParams(NamedTuple):
    """Parameters ``c1..c9`` of the Sanford-Wang form (c1 in mb/(GeV/c sr))."""

    c1: float
    c2: float
    c3: float
    c4: float
    c5: float
    c6: float
    c7: float
    c8: float
    c9: float


# MiniBooNE flux paper arXiv:0806.1449 (Sanford-Wang fits to HARP/E910 p-Be data), as in
# docs/beamlines.md#meson-production-parameterisations and the G4BNB production card (SBNSoftware/G4BNB input/production.in,
# /boone/physics/SW*Par; c9 = 1 hard-coded there for pions).
SW_PI_PLUS = SanfordWangParams(220.7, 1.080, 1.000, 1.978, 1.32, 5.572, 0.08678, 9.686, 1.0)
SW_PI_MINUS = SanfordWangParams(213.66, 0.93785, 5.4537, 1.2096, 1.2836, 4.7807, 0.073383, 8.3294, 1.0)
SW_K0L = SanfordWangParams(15.13, 1.975, 4.084, 0.9277, 0.7306, 4.362, 0.04789, 13.3, 1.278)

#: BNB primary proton momentum (GeV/c): 8 GeV kinetic energy.
BNB_P_BEAM = 8.89
#: BNB beryllium target length (m), G4BNB geometry BooNE_50m.gdml (docs/beamlines.md#meson-production-parameterisations).
BNB_TARGET_LENGTH = 0.7112
#: Beryllium density (g/cm^3, PDG atomic and nuclear properties) and molar mass (g/mol).
BE_DENSITY = 1.848
BE_MOLAR_MASS = 9.012182
#: Regge fit of the p-Be inelastic cross section, sigma = A + B p^n + C ln^2 p + D ln p
#: (mb, p in GeV/c): MiniBooNE flux paper arXiv:0806.1449, parameters (A, B, n, C, D) of
#: the G4BNB card ("ineProBeXsecPar"); 212.3 mb at 8.89 GeV/c.
PBE_INEL_REGGE = (-126.08, 420.02, -0.579, -6.802, 115.47)
_AVOGADRO = 6.02214076e23

#: pi0 per proton on target for the BNB Be target (BdNMC default, arXiv:1609.01770; see
#: the module docstring for why this and not the 0.60 first-interaction estimate).
BNB_PI0_PER_POT = 0.9
#: eta / pi0 ratio for the BNB (BdNMC meson_per_pi0 for MiniBooNE, arXiv:1609.01770 code).
BNB_ETA_PER_PI0 = 1.0 / 30.0
#: Angular range (rad) of the tabulated BNB sources: the domain of the Sanford-Wang form.
BNB_THETA_MAX = 0.5 * math.pi


def sanford_wang(p, theta, params, p_beam):
    """Sanford-Wang double-differential production cross section.

    ``d2sigma/dp dOmega = c1 p^c2 (1 - p/(p_B - c9)) exp[-c3 p^c4 / p_B^c5
    - c6 theta (p - c7 p_B cos^c8 theta)]`` (MiniBooNE flux paper arXiv:0806.1449,
    Sanford-Wang form of its meson-production section; the same expression as G4BNB's
    ``BooNEpBeInteraction::SetPiPlusPhysicsModel``, which converts it to
    ``d2sigma/dp_z dp_T`` with the Jacobian ``2 pi p_T / p^2``, confirming the units).

    Parameters
    ----------
    p : array_like
        Meson momentum (GeV/c).
    theta : array_like
        Angle to the proton beam (rad).
    params : SanfordWangParams or sequence of 9 floats
        ``c1..c9`` (``c1`` in mb/(GeV/c sr)).
    p_beam : float
        Proton momentum ``p_B`` (GeV/c).

    Returns
    -------
    numpy.ndarray or float
        ``d2sigma/dp dOmega`` in mb/(GeV/c sr) (a float for scalar inputs). Zero outside ``0 <= p < p_B - c9`` and
        ``0 <= theta <= pi/2`` (beyond ``pi/2`` the form is undefined).
    """
    c1, c2, c3, c4, c5, c6, c7, c8, c9 = (float(c) for c in params)
    p = np.asarray(p, dtype=np.float64)
    th = np.asarray(theta, dtype=np.float64)
    pmax = p_beam - c9
    ok_p = (p >= 0.0) & (p < pmax)
    ok_t = (th >= 0.0) & (th <= 0.5 * math.pi)
    # the factors of p alone and of theta alone on their own arrays (a (p, theta) grid passed as
    # broadcasting axes: powers on n_p + n_theta values, not n_p x n_theta); same operations in
    # the same order where the form is defined, so the same bits
    ps = np.where(ok_p, p, 0.5 * pmax)
    ts = np.where(ok_t, th, 0.0)
    cos_t = np.maximum(np.cos(ts), 0.0)
    f_p = c1 * ps**c2 * (1.0 - ps / pmax)
    e_p = -c3 * ps**c4 / p_beam**c5
    a_t = c7 * p_beam * cos_t**c8
    val = f_p * np.exp(e_p - c6 * ts * (ps - a_t))
    out = np.where(ok_p & ok_t, val, 0.0)
    return out if out.ndim else float(out)


def pbe_inelastic_cross_section(p: float) -> float:
    """p-Be inelastic cross section (mb) at proton momentum ``p`` (GeV/c).

    Regge form ``A + B p^n + C ln^2 p + D ln p`` of the MiniBooNE flux paper
    (arXiv:0806.1449) with the parameters :data:`PBE_INEL_REGGE` of the G4BNB card; the
    G4BNB code treats quasi-elastic scattering inside this cross section.
    """
    A, B, n, Cc, D = PBE_INEL_REGGE
    lp = math.log(p)
    return A + B * p**n + Cc * lp * lp + D * lp


def bnb_pi0_density(p, theta):
    """pi0 ``d2sigma/dp dOmega`` (mb/(GeV/c sr)) at the BNB: ``(SW pi+ + SW pi-)/2``."""
    return 0.5 * (sanford_wang(p, theta, SW_PI_PLUS, BNB_P_BEAM) + sanford_wang(p, theta, SW_PI_MINUS, BNB_P_BEAM))


def bnb_eta_density(p, theta):
    """eta ``d2sigma/dp dOmega`` shape (mb/(GeV/c sr)) from m_T scaling of :func:`bnb_pi0_density`.

    Equal invariant cross sections at equal rapidity and transverse mass (module
    docstring): the pion partner has the same ``E`` and ``p_L`` and
    ``p_T,pi^2 = p_T^2 + m_eta^2 - m_pi^2``, so
    ``d2sigma_eta/dp dOmega (p, theta) = (p / p_pi)^2 d2sigma_pi/dp dOmega (p_pi, theta_pi)``.
    ``m_pi`` is the charged-pion mass (the fit's particle). Only the shape is used; the
    normalisation is set by :data:`BNB_ETA_PER_PI0`.
    """
    p = np.asarray(p, dtype=np.float64)
    th = np.asarray(theta, dtype=np.float64)
    d_m2 = C.mass(C.ETA) ** 2 - C.mass(C.PI_PLUS) ** 2
    pl = p * np.cos(th)
    pt2 = (p * np.sin(th)) ** 2 + d_m2
    p_pi = np.sqrt(pl * pl + pt2)
    th_pi = np.arctan2(np.sqrt(pt2), pl)
    ok = (th >= 0.0) & (th <= 0.5 * math.pi) & (p >= 0.0)
    return np.where(ok, (p / p_pi) ** 2 * bnb_pi0_density(p_pi, th_pi), 0.0)


@lru_cache(maxsize=None)
def bnb_interacting_fraction() -> float:
    """Protons interacting in the BNB beryllium target: the one value fipgen uses for the BNB
    (0.8137), :func:`fipgen.production.sources.vertex.interacting_fraction` of the packaged ``bnb``
    beamline, i.e. ``1 - exp(-L / lambda_I)`` over the beam spot, with the target's geometry
    (71.12 cm, radius 0.5 cm, rays of the spot that miss it count as 0) and beryllium's nuclear
    interaction length from ``materials.toml`` (42.10 cm). The first-interaction vertices of
    every BNB channel are drawn with the same numbers. (A pencil beam through the Regge fit's
    ``sigma_inel`` = 212.3 mb would give 0.845: fipgen used that for the charged mesons before
    0.2, so their per-POT numbers are 3.7 % lower since.)
    """
    from ...geometry import load_beamline
    from .vertex import interacting_fraction

    return interacting_fraction(load_beamline("bnb"))


def sanford_wang_pi0_per_pot(theta_max: float = BNB_THETA_MAX) -> dict[str, float]:
    """First-interaction estimate of pi0 per POT at the BNB target from the Sanford-Wang fits.

    ``N = sigma(pi0) / sigma_inel * [1 - exp(-n sigma_inel L)]`` with ``sigma(pi0)`` the
    integral of :func:`bnb_pi0_density` over ``p`` and ``theta <= theta_max``, ``sigma_inel``
    from :func:`pbe_inelastic_cross_section` at 8.89 GeV/c and ``L`` = 71.12 cm of Be.
    Tertiary production is not included (see the module docstring).

    Returns
    -------
    dict
        ``sigma_pi0_mb``, ``sigma_inel_mb``, ``interacting_fraction``,
        ``pi0_per_interaction``, ``pi0_per_pot``.
    """
    src = _bnb_table(C.PI0, theta_max)
    sigma = src[3]
    s_in = pbe_inelastic_cross_section(BNB_P_BEAM)
    frac = bnb_interacting_fraction()
    return {
        "sigma_pi0_mb": sigma,
        "sigma_inel_mb": s_in,
        "interacting_fraction": frac,
        "pi0_per_interaction": sigma / s_in,
        "pi0_per_pot": sigma / s_in * frac,
    }


@dataclass(frozen=True, eq=False)
class MesonSource:
    """A tabulated meson source in ``(p, theta)``, normalised per proton on target.

    Attributes
    ----------
    pdg : int
        PDG code of the meson.
    per_pot : float
        Mesons per proton on target in the tabulated range.
    p_edges : numpy.ndarray, shape (n_p + 1,)
        Momentum bin edges (GeV/c).
    theta_edges : numpy.ndarray, shape (n_theta + 1,)
        Polar-angle bin edges (rad) to the beam (z) axis.
    cdf : numpy.ndarray, shape (n_p * n_theta,)
        Cumulative probability over bins flattened in C order (index
        ``i_p * n_theta + i_theta``), ending at 1.
    provenance : str
        How the table was made: model, parameters, normalisation and citations.
    points : object or None
        Where the mesons are made: an object with ``sample(n, rng) -> (n, 3)`` beam-frame
        points (m), e.g. :class:`fipgen.production.sources.cascade_sources.ProductionPoints`;
        None for sources made at the beam's first interaction points
        (:func:`fipgen.production.sources.vertex.source_points`).
    components : tuple of MesonSource
        Empty, or the parts this source sums (a cascade source: one per solid, each with its
        own spectrum and points; their ``per_pot`` add up to this one's): a meson's momentum
        and point are then drawn from one part (:meth:`split`), so that where it is made and
        how it moves stay together.
    """

    pdg: int
    per_pot: float
    p_edges: np.ndarray
    theta_edges: np.ndarray
    cdf: np.ndarray
    provenance: str
    points: object = None
    components: tuple = ()

    def __post_init__(self) -> None:
        pe = np.array(self.p_edges, dtype=np.float64)
        te = np.array(self.theta_edges, dtype=np.float64)
        cdf = np.array(self.cdf, dtype=np.float64)
        if pe.ndim != 1 or te.ndim != 1 or np.any(np.diff(pe) <= 0) or np.any(np.diff(te) <= 0):
            raise PhysicsError("MesonSource: p_edges and theta_edges must be strictly increasing 1-d arrays")
        if pe[0] < 0 or te[0] < 0 or te[-1] > math.pi:
            raise PhysicsError("MesonSource: need p >= 0 and 0 <= theta <= pi")
        if cdf.shape != ((pe.size - 1) * (te.size - 1),):
            raise PhysicsError(f"MesonSource: cdf must have {(pe.size - 1) * (te.size - 1)} entries, got {cdf.size}")
        if np.any(np.diff(cdf) < 0) or cdf[0] < 0 or abs(cdf[-1] - 1.0) > 1e-12:
            raise PhysicsError("MesonSource: cdf must be non-decreasing from >= 0 to 1")
        if not (self.per_pot >= 0 and math.isfinite(self.per_pot)):
            raise PhysicsError(f"MesonSource: per_pot must be finite and >= 0, got {self.per_pot}")
        for name, arr in (("p_edges", pe), ("theta_edges", te), ("cdf", cdf)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "pdg", int(self.pdg))
        object.__setattr__(self, "per_pot", float(self.per_pot))

    @property
    def mass(self) -> float:
        """PDG mass of the meson (GeV)."""
        return C.mass(self.pdg)

    def split(self, n: int, rng: np.random.Generator) -> list:
        """``[(part, slice)]``: how many of ``n`` mesons each part makes (a multinomial draw
        with probabilities ``part.per_pot / per_pot``), as consecutive slices of the ``n``
        (``[(self, slice(0, n))]``, no random number used, for a source of one part)."""
        n = int(n)
        if not self.components:
            return [(self, slice(0, n))]
        share = np.array([c.per_pot for c in self.components])
        counts = rng.multinomial(n, share / share.sum())
        ends = np.cumsum(counts)
        return [(c, slice(int(e - k), int(e))) for c, k, e in zip(self.components, counts, ends)]

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_p, n_theta)`` number of bins."""
        return self.p_edges.size - 1, self.theta_edges.size - 1

    def bin_probabilities(self) -> np.ndarray:
        """Probability of each ``(p, theta)`` bin, shape ``(n_p, n_theta)``."""
        return np.diff(self.cdf, prepend=0.0).reshape(self.shape)

    @cached_property
    def p_cdf(self) -> np.ndarray:
        """Cumulative probability of the momentum bins (the p marginal), shape ``(n_p,)``."""
        c = np.cumsum(self.bin_probabilities().sum(axis=1))
        c /= c[-1]
        c[-1] = 1.0
        c.setflags(write=False)
        return c

    @cached_property
    def neg_cos_theta_edges(self) -> np.ndarray:
        """``-cos(theta_edges)``: increasing, for bin look-ups by direction cosine."""
        e = -np.cos(self.theta_edges)
        e.setflags(write=False)
        return e

    @cached_property
    def conditional_density(self) -> np.ndarray:
        """Density per steradian of the meson direction given its momentum bin, ``(n_p, n_theta)``.

        ``P(i_p, i_theta) / P(i_p) / (2 pi (cos theta_lo - cos theta_hi))``: the exact density
        of the table's model (uniform in ``cos theta`` and ``phi`` within a bin); 0 where
        the momentum bin is empty.
        """
        b = self.bin_probabilities()
        pp = b.sum(axis=1)
        dcos = np.cos(self.theta_edges[:-1]) - np.cos(self.theta_edges[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(pp[:, None] > 0, b / pp[:, None], 0.0) / (2.0 * math.pi * dcos[None, :])
        f.setflags(write=False)
        return f

    @cached_property
    def _guide(self) -> np.ndarray:
        """Guide table: ``guide[j]`` = first bin with ``cdf > j / K`` (indexed search)."""
        K = self.cdf.size
        return np.searchsorted(self.cdf, np.arange(K) / K, side="right").astype(np.int64)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` mesons.

        A bin is chosen from :attr:`cdf`, then ``p`` and ``cos(theta)`` uniformly inside it,
        and ``phi`` uniformly in ``[0, 2 pi)``: the table's model density is constant in
        ``(p, cos theta, phi)`` within a bin, so its density per steradian
        (:attr:`conditional_density`) is bounded, which the direction-forcing weights need.

        Parameters
        ----------
        n : int
            Number of mesons.
        rng : numpy.random.Generator
            The random stream (4 uniforms per meson, drawn as one ``rng.random((4, n))``).

        Returns
        -------
        numpy.ndarray, shape (n, 4)
            Four-momenta ``(px, py, pz, E)`` in GeV in the beam frame (z along the beam).
            Each meson stands for ``per_pot / n`` mesons per POT.
        """
        u = rng.random((4, int(n)))
        return _sample_kernel(self.cdf, self._guide, self.p_edges, self.theta_edges, self.mass, u)

    def sample_numpy(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Plain-numpy reference of :meth:`sample` (identical output for the same ``rng``; the
        azimuth's cosine and sine from :func:`fipgen.fasttrig.cos_sin_turns`, as the kernel
        takes them)."""
        u = rng.random((4, int(n)))
        k = np.searchsorted(self.cdf, u[0], side="right")
        k = np.minimum(k, self.cdf.size - 1)
        n_theta = self.theta_edges.size - 1
        ip, it = np.divmod(k, n_theta)
        p = self.p_edges[ip] + u[1] * (self.p_edges[ip + 1] - self.p_edges[ip])
        c_lo, c_hi = np.cos(self.theta_edges[it]), np.cos(self.theta_edges[it + 1])
        ct = c_lo + u[2] * (c_hi - c_lo)
        cp, sp = cos_sin_turns(u[3])  # cos and sin of the azimuth 2 pi u[3] (fipgen.fasttrig)
        st = np.sqrt(np.maximum(1.0 - ct * ct, 0.0))
        out = np.empty((int(n), 4))
        out[:, 0] = p * st * cp
        out[:, 1] = p * st * sp
        out[:, 2] = p * ct
        out[:, 3] = np.sqrt(p * p + self.mass**2)
        return out


@numba.njit(**JIT_OPTIONS)
def _sample_kernel(cdf, guide, p_edges, theta_edges, mass, u):  # pragma: no cover - compiled
    n = u.shape[1]
    nb = cdf.size
    K = guide.size
    n_theta = theta_edges.size - 1
    cos_edges = np.empty(theta_edges.size)  # the same np.cos values, once per edge, not twice a meson
    for j in range(theta_edges.size):
        cos_edges[j] = np.cos(theta_edges[j])
    out = np.empty((n, 4))
    for i in range(n):
        x = u[0, i]
        j = int(x * K)
        if j >= K:
            j = K - 1
        k = guide[j]
        while k < nb - 1 and cdf[k] <= x:  # same bin as searchsorted(cdf, x, "right")
            k += 1
        ip = k // n_theta
        it = k - ip * n_theta
        p = p_edges[ip] + u[1, i] * (p_edges[ip + 1] - p_edges[ip])
        c_lo = cos_edges[it]
        c_hi = cos_edges[it + 1]
        ct = c_lo + u[2, i] * (c_hi - c_lo)
        cp, sp = cos_sin_turn(u[3, i])  # azimuth 2 pi u[3]
        st = np.sqrt(max(1.0 - ct * ct, 0.0))
        out[i, 0] = p * st * cp
        out[i, 1] = p * st * sp
        out[i, 2] = p * ct
        out[i, 3] = np.sqrt(p * p + mass * mass)
    return out


_GL_X, _GL_W = np.polynomial.legendre.leggauss(4)


def _bin_integrals(density: Callable, p_edges: np.ndarray, theta_edges: np.ndarray) -> np.ndarray:
    """Integral of ``density(p, theta) * 2 pi sin(theta)`` over each bin (4x4 Gauss-Legendre)."""
    pc, ph = 0.5 * (p_edges[1:] + p_edges[:-1]), 0.5 * np.diff(p_edges)
    tc, th = 0.5 * (theta_edges[1:] + theta_edges[:-1]), 0.5 * np.diff(theta_edges)
    P = pc[:, None] + ph[:, None] * _GL_X[None, :]  # (n_p, 4)
    T = tc[:, None] + th[:, None] * _GL_X[None, :]  # (n_t, 4)
    f = density(P[:, :, None, None], T[None, None, :, :]) * (2.0 * math.pi) * np.sin(T)[None, None, :, :]
    return np.einsum("iajb,a,b->ij", f, _GL_W, _GL_W) * (ph[:, None] * th[None, :])


def tabulate_source(
    pdg: int,
    density: Callable,
    p_max: float,
    theta_max: float,
    per_pot: float,
    provenance: str,
    n_p: int = 200,
    n_theta: int = 200,
) -> tuple[MesonSource, float]:
    """Tabulate ``density(p, theta)`` (``d2sigma/dp dOmega``) into a :class:`MesonSource`.

    Momentum bins are uniform on ``[0, p_max]``; angle edges are
    ``theta_max (i / n_theta)^2`` (finer at small angle, equal solid angle near 0).
    Returns the source and the integral of the density over the range (the density's
    units times GeV/c sr, e.g. mb).
    """
    p_edges = np.linspace(0.0, p_max, n_p + 1)
    theta_edges = theta_max * (np.arange(n_theta + 1) / n_theta) ** 2
    w = _bin_integrals(density, p_edges, theta_edges)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise PhysicsError(f"tabulated density for pdg {pdg} is negative or not finite")
    total = float(w.sum())
    if not total > 0:
        raise PhysicsError(f"tabulated density for pdg {pdg} integrates to zero")
    cdf = np.minimum(np.cumsum(w.ravel()) / total, 1.0)
    cdf[-1] = 1.0
    return MesonSource(pdg, per_pot, p_edges, theta_edges, cdf, provenance), total


@lru_cache(maxsize=None)
def _bnb_table(pdg: int, theta_max: float = BNB_THETA_MAX):
    """(source, ..., integral) for the BNB; cached. Integral in mb."""
    if pdg == C.PI0:
        p_max = BNB_P_BEAM - SW_PI_PLUS.c9
        density = bnb_pi0_density
        per_pot = BNB_PI0_PER_POT
        what = (
            "shape (pi+ + pi-)/2 Sanford-Wang (arXiv:0806.1449; c_i of docs/beamlines.md#meson-production-parameterisations / G4BNB "
            "production.in), p_B = 8.89 GeV/c"
        )
        norm = (
            f"normalisation {BNB_PI0_PER_POT} pi0/POT (BdNMC default for the BNB Be target, "
            "deNiverville et al. arXiv:1609.01770)"
        )
    elif pdg == C.ETA:
        d_m2 = C.mass(C.ETA) ** 2 - C.mass(C.PI_PLUS) ** 2
        p_max = math.sqrt((BNB_P_BEAM - SW_PI_PLUS.c9) ** 2 - d_m2)
        density = bnb_eta_density
        per_pot = BNB_PI0_PER_POT * BNB_ETA_PER_PI0
        what = "shape m_T-scaled (pi+ + pi-)/2 Sanford-Wang (arXiv:0806.1449), p_B = 8.89 GeV/c"
        norm = (
            f"normalisation eta/pi0 = 1/30 (BdNMC, arXiv:1609.01770) x {BNB_PI0_PER_POT} pi0/POT "
            f"= {per_pot:.6g} eta/POT"
        )
    else:
        raise PhysicsError(f"BNB meson sources exist for pdg 111 (pi0) and 221 (eta), not {pdg}")
    n_p, n_t = 200, 200
    prov_tmpl = (
        f"fipgen BNB {C.name(pdg)} source: {what}; 0 <= p <= {p_max:.4f} GeV/c, "
        f"0 <= theta <= {theta_max:.4f} rad, {n_p} x {n_t} bins (theta edges quadratic); {norm}; "
        "integral of the shape {total:.4g} mb. Beam frame, z along the protons."
    )
    src, total = tabulate_source(pdg, density, p_max, theta_max, per_pot, "", n_p, n_t)
    src = MesonSource(src.pdg, src.per_pot, src.p_edges, src.theta_edges, src.cdf, prov_tmpl.format(total=total))
    return src, p_max, theta_max, total


def bnb_meson_source(pdg: int) -> MesonSource:
    """The BNB Be-target source of pi0 (``pdg=111``) or eta (``pdg=221``), per POT.

    Built on first use (about 0.1 s) and cached. Shapes, ranges and normalisations are
    described in the module docstring and in the source's ``provenance``.
    """
    return _bnb_table(int(pdg))[0]

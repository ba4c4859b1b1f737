"""LLPs from two-body meson decays P -> gamma X (pi0, eta -> gamma A').

The meson is made at the proton's interaction point and decays promptly (pi0, eta:
c*tau < 1e-7 m). Instead of decaying mesons isotropically and keeping the few LLPs that
point at the detector, each trial is built backwards from the detector, with exact
weights:

1. the LLP's lab direction ``d`` points at a uniform point of the active volume
   (``Solid.sample_points``); its density per steradian is ``q(d)``
   (``Solid.proposal_density``);
2. the meson's momentum ``p`` is drawn from the source's momentum marginal;
3. the decay angle in the meson rest frame is drawn isotropically and boosted: this gives
   the LLP's lab momentum and its lab angle ``alpha`` to the meson's direction; the
   meson's direction is then placed at angle ``alpha`` from ``d`` with a uniform azimuth.

For a meson of momentum p the solid-angle density of the relative direction of meson and
LLP is the same function g(alpha) whichever of the two is held fixed (the lab-frame
density of an isotropic two-body decay, both kinematic solutions included), so the
proposal density of the meson direction given ``d`` is exactly ``g``. The true density of
(meson, LLP direction) is ``f_p(p) f(Omega_P | p) g`` and the proposal's
``f_p(p) q(d) g``; the Jacobian cancels and

    weight_geometric = f(Omega_P | p) / q(d)

with ``f(Omega_P | p)`` the source's conditional angular density
(``MesonSource.conditional_density``), bounded. (An earlier version drew the meson
uniformly in the kinematic cone and carried g / h in the weight; g's integrable
singularity at the cone edge gave a log-divergent weight variance: Kish ESS/N 0.11 on the
default card.) The only zero weights are mesons placed outside the source table's angular
range (theta > pi/2).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...fasttrig import cos_sin_turn
from ...kinematics.directions import about_axis_cs, unit_toward
from ...sampling import count_le_from as _count_le_from

from ...constants import C_M_PER_NS, mass as pdg_mass
from ...kinematics.twobody import two_body_isotropic
from .sample import ProductionSample, recoil
from ..sources.vertex import source_parts, source_sample

__all__ = ["MesonTwoBodyChannel", "meson_decay_toward"]


@dataclass(frozen=True)
class MesonTwoBodyChannel:
    """P -> gamma X (or omega -> pi0 X, ``other_mass`` = m_pi0) for one meson species, with its
    source and branching ratio.

    Parameters
    ----------
    name : channel name as in the run card (e.g. ``"pi0"``).
    source : a MesonSource (``per_pot``, ``sample(n, rng)``) in the beam frame.
    branching : BR(P -> gamma X) for the model's couplings.
    llp_mass : GeV.
    """

    name: str
    source: object
    branching: float
    llp_mass: float
    #: mass of the other daughter (GeV): 0 for P -> gamma X, m_pi0 for omega -> pi0 X
    other_mass: float = 0.0

    @property
    def parent_pdg(self) -> int:
        return int(self.source.pdg)

    def decay_sibling(self, parent_p4: np.ndarray, llp_p4: np.ndarray) -> tuple[np.ndarray, int]:
        """The LLP's sibling in the decay, ``(p4, pdg)``: the photon of P -> gamma X, the pi0 of
        omega -> pi0 X (exactly the meson's momentum minus the LLP's)."""
        return recoil(parent_p4, llp_p4), (22 if self.other_mass == 0.0 else 111)

    @property
    def rate_per_pot(self) -> float:
        """LLPs produced per proton on target in this channel."""
        return float(self.source.per_pot) * self.branching

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        """Draw ``n`` LLPs aimed at the solid ``aim`` (beam frame): ``vertex``, ``parent_p4`` (the
        meson), ``llp_p4``, ``direction`` and ``weight_geometric`` (the exact forcing weight) of a
        :class:`~fipgen.production.channels.sample.ProductionSample`.
        """
        parts, vertex = source_parts(beamline, self.source, n, rng)
        d = unit_toward(vertex, aim.sample_points(n, rng))
        seg, q = aim.chords_and_density(vertex, d)  # the LLP flies along d: its chords too
        M = pdg_mass(self.parent_pdg)
        parent, llp, f = np.empty((n, 4)), np.empty((n, 4)), np.empty(n)
        # each meson from the spectrum of the part (solid) that made it, written in place
        for src, sl in parts if len(parts) > 1 else [(self.source, slice(0, n))]:
            if sl.stop > sl.start:
                _decay_toward(src.p_cdf, src.p_edges, src.conditional_density, src.neg_cos_theta_edges, M,
                              self.llp_mass, self.other_mass, d[sl], rng.random((4, sl.stop - sl.start)),
                              *_source_guides(src), parent[sl], llp[sl], f[sl])
        w = np.where(q > 0, f / np.where(q > 0, q, 1.0), 0.0)
        sib, code = self.decay_sibling(parent, llp)  # one sibling an event (siblings() without its copies)
        return ProductionSample(vertex, parent, llp, d, w, sibling_p4=sib[:, None, :],
                                sibling_pdg=np.full((n, 1), code, dtype=np.int32), sibling_generation=(0,),
                                segments=seg)

    def sample_free(self, n: int, rng: np.random.Generator, beamline):
        """``n`` LLPs as produced, not aimed (each stands for ``rate_per_pot / n`` per POT); a dict,
        not a ProductionSample: the plain Monte Carlo reference of ``X -> N N`` chains and tests.

        The meson from the source, the decay isotropic in its rest frame. Returns a dict:
        ``vertex`` (n, 3) m, ``parent_p4`` (the meson), ``llp_p4``, ``time`` (n,) ns (the
        proton's flight from the target face to the vertex) and ``weight`` (all 1).
        """
        vertex, meson = source_sample(beamline, self.source, n, rng)
        u = rng.random((2, n))
        llp, _ = two_body_isotropic(meson, self.llp_mass, self.other_mass, u[0], u[1],
                                    parent_mass=pdg_mass(self.parent_pdg))
        return {"vertex": vertex, "parent_p4": meson, "llp_p4": llp, "time": vertex[:, 2] / C_M_PER_NS,
                "weight": np.ones(n)}


#: Cells of the angle guide table per angle edge (:func:`_guides`). With 2 a cell held up to 5
#: edges of the packaged cascade tables (dense near the beam) and the search's mispredicted
#: steps cost ~20 ns a meson; 16 (25 kB for a 201-edge table) leaves at most one or two: the
#: two-body kernel 86 -> 64 ns a meson on the default card's sources. The searches' results do
#: not depend on it.
ANGLE_GUIDE = 16


@numba.njit(**JIT_OPTIONS)
def _guides(p_cdf, neg_cos_edges):  # pragma: no cover - compiled
    """Guide tables (H.-C. Chen and Y. Asau, AIIE Transactions 6 (1974) 163) for
    :func:`meson_decay_toward`'s two searches: ``gp[j]`` the count of ``p_cdf`` entries <=
    ``j / n`` (``u`` in ``[j/n, (j+1)/n)`` starts there), ``gt[j]`` that of the angle edges <=
    ``e0 + (j h)^2``, ``h = sqrt(e1 - e0) / m`` with ``m`` :data:`ANGLE_GUIDE` times the edges
    (a grid uniform in ``sqrt(x - e0)``, about the angle, where the tables' edges are dense near
    the beam)."""
    n = p_cdf.size
    gp = np.empty(n + 1, dtype=np.int64)
    for j in range(n + 1):
        gp[j] = np.searchsorted(p_cdf, j / n, side="right")
    m = ANGLE_GUIDE * neg_cos_edges.size
    e0 = neg_cos_edges[0]
    h = np.sqrt(neg_cos_edges[-1] - e0) / m
    gt = np.empty(m + 1, dtype=np.int64)
    for j in range(m + 1):
        gt[j] = np.searchsorted(neg_cos_edges, e0 + (j * h) ** 2, side="right")
    return gp, gt, h


#: Guide tables of the sources sampled so far (:func:`_guides`; a source's tables are fixed).
_GUIDES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _source_guides(src) -> tuple:
    """:func:`_guides` of a meson source's tables, made once per source."""
    g = _GUIDES.get(src)
    if g is None:
        g = _GUIDES[src] = _guides(src.p_cdf, src.neg_cos_theta_edges)
    return g


@numba.njit(**JIT_OPTIONS)
def meson_decay_toward(p_cdf, p_edges, cond_density, neg_cos_edges, M, m1, m2, dirs, u):  # pragma: no cover - compiled
    """Mesons of mass ``M`` decaying to (m1 along ``dirs``, m2); returns (parent p4, LLP p4, f).

    Per event: the meson momentum from the marginal ``p_cdf`` (uniform within the bin); the
    rest-frame decay angle isotropic (``u[2]``), boosted along the meson's flight to give the
    LLP's lab momentum and its lab angle alpha; the meson direction at angle alpha from
    ``dirs`` with azimuth ``2 pi u[3]``. ``f = cond_density[i_p, i_theta]`` is the meson's
    angular density per sr at that direction (0 beyond the table). ``u``: (4, n) uniforms.
    The table searches start from guide tables (:func:`_guides`), which leaves their results
    as ``np.searchsorted``'s (half the time of this kernel went to the two binary searches).
    Two-body kinematics: E* = (M^2 + m1^2 - m2^2)/2M, p* = lambda^(1/2)(M^2, m1^2, m2^2)/2M.
    """
    n = dirs.shape[0]
    parent = np.empty((n, 4))
    llp = np.empty((n, 4))
    f_out = np.empty(n)
    gp, gt, h = _guides(p_cdf, neg_cos_edges)
    _decay_toward(p_cdf, p_edges, cond_density, neg_cos_edges, M, m1, m2, dirs, u, gp, gt, h, parent, llp, f_out)
    return parent, llp, f_out


@numba.njit(**JIT_OPTIONS)
def _decay_toward(p_cdf, p_edges, cond_density, neg_cos_edges, M, m1, m2, dirs, u, gp, gt, h, parent, llp,
                  f_out):  # pragma: no cover - compiled
    """:func:`meson_decay_toward` with the guide tables given (:func:`_guides` of these tables: the
    searches start from them, and their results are ``np.searchsorted``'s whatever the guides)
    and the results written into ``parent``, ``llp`` (n, 4) and ``f_out`` (n,)."""
    n = dirs.shape[0]
    n_p = p_edges.size - 1
    n_t = neg_cos_edges.size - 1
    lam = (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)
    ps = np.sqrt(max(lam, 0.0)) / (2.0 * M)
    es = (M * M + m1 * m1 - m2 * m2) / (2.0 * M)
    n_gp = gp.size - 1
    n_gt = gt.size - 1
    e0 = neg_cos_edges[0]
    for i in range(n):
        ip = _count_le_from(p_cdf, u[0, i], gp[min(int(u[0, i] * n_gp), n_gp)])
        if ip > n_p - 1:
            ip = n_p - 1
        p = p_edges[ip] + u[1, i] * (p_edges[ip + 1] - p_edges[ip])
        bg = p / M
        g = np.sqrt(1.0 + bg * bg)
        cs = 2.0 * u[2, i] - 1.0
        sn = np.sqrt(max(0.0, (1.0 - cs) * (1.0 + cs)))
        pz = g * ps * cs + bg * es  # LLP momentum along the meson's flight
        pt = ps * sn
        pl = np.sqrt(pz * pz + pt * pt)
        el = g * es + bg * ps * cs
        ca = pz / pl
        cp, sp = cos_sin_turn(u[3, i])  # azimuth 2 pi u[3]
        dx, dy, dz = dirs[i, 0], dirs[i, 1], dirs[i, 2]
        vx, vy, vz = about_axis_cs(dx, dy, dz, ca, cp, sp)
        x = -vz
        if x >= neg_cos_edges[-1]:
            f = 0.0
        else:
            jt = min(int(np.sqrt(x - e0) / h), n_gt) if h > 0.0 and x > e0 else 0  # (not NaN)
            it = _count_le_from(neg_cos_edges, x, gt[jt]) - 1
            if it < 0:
                it = 0
            if it > n_t - 1:
                it = n_t - 1
            f = cond_density[ip, it]
        f_out[i] = f
        parent[i, 0] = p * vx
        parent[i, 1] = p * vy
        parent[i, 2] = p * vz
        parent[i, 3] = g * M
        llp[i, 0] = pl * dx
        llp[i, 1] = pl * dy
        llp[i, 2] = pl * dz
        llp[i, 3] = el

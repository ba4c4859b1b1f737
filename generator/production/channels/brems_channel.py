"""Z' from proton bremsstrahlung as a production channel: sampling with exact weights.

The physics (splitting functions, form factors, normalisation) is in
:mod:`fipgen.production.channels.bremsstrahlung`; this module turns it into the channel interface
of :class:`~fipgen.production.channels.meson_two_body.MesonTwoBodyChannel` (``name``,
``parent_pdg``, ``rate_per_pot``, ``branching``, ``source``, ``sample``) plus ``sample_free``
for the X -> N N cascade.

Where the protons radiate (``elements``): the target (or dump) the beam hits, with the
production vertex at the proton's first inelastic interaction
(fipgen.production.sources.vertex); and, for beamlines with an absorber, the absorber, which
the protons that crossed the target without interacting reach (fraction ``1 - f_target``;
the arXiv:2410.08981 code radiates in the BNB steel absorber too). Each element is its own
channel: ``zprime:bremsstrahlung`` and ``zprime:bremsstrahlung (absorber)``.
On a beamline whose sources are its hadron cascade, the protons per POT whose first collision
is in the target or the absorber, and where, are the cascade's own (its ``coll1`` tables: the
beam that crosses the target also meets the decay pipe's gas and whatever lies between).

Kinematic range: ``z_min <= z <= z_max``, ``pT <= pt_max`` (run card; defaults 0.1, 0.9, 1 GeV)
and ``s' = 2 m_p (E_p - E_Z') >= (2 m_p + m_pi0)^2`` (the radiating proton still collides
inelastically; binds only at the 8 GeV beams, above z ~ 0.75), the same for every treatment,
so the alternative weights reweight one common support.

Normalisation: ``rate_per_pot = f_int x I``, ``f_int`` the protons per POT whose first
interaction is in the element, ``I = int dz dpT2 d2N/dz dpT2`` over the validity range
(Z' per interaction; Gauss-Legendre, 96 nodes in z times 96 in ``t = ln(1 + pT^2/H0(z))``,
checked against scipy in the tests).

Forced sampling (:meth:`BremsChannel.sample`), a defensive mixture of two proposals in
``(p, Omega)``:

* aimed (probability ``alpha`` = 0.8): the Z' direction ``d`` points at a uniform point of the
  detector (density ``q(d)`` per sr); ``z`` is drawn from a proposal tabulated per polar angle
  (24 rows of ``d2N/dz dOmega`` at the row's angle, 160 z bins), times, when the Z' is the
  detected particle (``decay_ctau``), its exact decay probability in the detector along the
  event's own ray at each bin's momentum (so short-lived Z's are drawn where they survive),
  mixed with 5 % uniform so it covers the whole range; ``p = z P / cos(theta)``;
* free (``1 - alpha``): ``(z, pT^2, phi)`` from the production proposal of ``sample_free``
  (its z marginal times, for a detected Z', the decay probability along the axis to the
  detector's centre), which follows the production's own angular spread: it carries the weight where the detector
  subtends more than that spread (DarkQuest's decay region 5 m behind the dump) and bounds the
  weights there.

The weight is the true density ``f(p, Omega) = (d2N/dz dpT2) p^2 / (pi P)`` over the mixture
``alpha q(d) g_a(p | theta) + (1 - alpha) g_b(p, Omega)``, both evaluated at every point: exact
for any proposal. ``sample_free`` draws ``z`` from the marginal proposal and ``pT^2`` from
``1/(pT^2 + H0)``, with weights ``f / (I g)`` (mean 1).

Alternative weights (``alt_ratios``): the density of each other treatment over the central
one at the event's ``(z, pT^2)`` (``weight_<name> = weight x ratio``): ``qr_lambda1``,
``qr_lambda1p5``, ``qr_lambda2`` (quasi-real with Lambda_p = 1, 1.5, 2 GeV) and ``bb``
(Blumlein-Brunner), minus the central one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numba
import numpy as np

from ... import constants as C
from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...kinematics import window_decay_probability
from ...models.zprime import family_coefficients
from . import bremsstrahlung as B
from . import brems_proposal as BP
from .sample import ProductionSample, recoil, siblings
from ..sources.vertex import interacting_fraction, ray_toward_detector, sample_interaction_points

__all__ = ["BremsSettings", "BremsChannel", "brems_channels", "ALT_VARIANTS"]

_TREAT_CODE = {"blumlein-brunner": 0, "quasi-real": 1}

#: Smallest s' (GeV^2): the inelastic threshold (2 m_p + m_pi0)^2 of the proton's collision
#: after it radiated. Below it sigma_pp(s') of the fit means nothing; at 120 GeV it never
#: binds in the default range, at the BNB (E_p = 8.94 GeV) it removes E_Z' > E_p - 2.23 GeV.
_SP_MIN = (2.0 * C.mass(2212) + C.mass(111)) ** 2

#: Alternative-weight variants: name -> (treatment, Lambda_p).
ALT_VARIANTS = {
    "bb": ("blumlein-brunner", B.DEFAULT_LAMBDA_P),
    "qr_lambda1": ("quasi-real", 1.0),
    "qr_lambda1p5": ("quasi-real", 1.5),
    "qr_lambda2": ("quasi-real", 2.0),
}


@dataclass(frozen=True)
class BremsSettings:
    """Run-card ``[signal.bremsstrahlung]``: treatment, Lambda_p, validity range, elements."""

    treatment: str = B.DEFAULT_TREATMENT
    lambda_p: float = B.DEFAULT_LAMBDA_P
    z_min: float = B.DEFAULT_Z_RANGE[0]
    z_max: float = B.DEFAULT_Z_RANGE[1]
    pt_max: float = B.DEFAULT_PT_MAX
    elements: tuple[str, ...] = ("target", "absorber")

    def __post_init__(self) -> None:
        if self.treatment not in _TREAT_CODE:
            raise PhysicsError(f"bremsstrahlung treatment {self.treatment!r}: allowed {', '.join(B.TREATMENTS)}")
        if not (0.0 < self.z_min < self.z_max < 1.0):
            raise PhysicsError(f"bremsstrahlung z range [{self.z_min}, {self.z_max}]: need 0 < z_min < z_max < 1")
        if not (self.pt_max > 0.0 and math.isfinite(self.pt_max)):
            raise PhysicsError(f"bremsstrahlung pt_max {self.pt_max}: need a finite number > 0")
        if not (self.lambda_p > 0.0 and math.isfinite(self.lambda_p)):
            raise PhysicsError(f"bremsstrahlung lambda_p {self.lambda_p}: need a finite number > 0")

    @property
    def central_variant(self) -> str | None:
        """The ALT_VARIANTS name equal to the central choice (None for an unlisted Lambda_p)."""
        for k, (t, lam) in ALT_VARIANTS.items():
            if t == self.treatment and (t == "blumlein-brunner" or lam == self.lambda_p):
                return k
        return None

    def as_dict(self) -> dict:
        return {"treatment": self.treatment, "lambda_p_GeV": self.lambda_p, "z_min": self.z_min, "z_max": self.z_max,
                "pt_max_GeV": self.pt_max, "elements": list(self.elements)}


@numba.njit(**JIT_OPTIONS)
def _sigma_ratio(z, pt2, m, mp, P, Ep):  # pragma: no cover - compiled
    """``sigma_pp(s') / sigma_pp(s)`` of the radiating proton; -1 below the inelastic threshold."""
    ez = math.sqrt(z * z * P * P + pt2 + m * m)
    s = 2.0 * mp * Ep
    sp = 2.0 * mp * (Ep - ez)
    if sp < _SP_MIN:  # the radiating proton must still collide inelastically (pp -> pp pi0 threshold)
        return -1.0
    return B._sigma_pp_nb(sp) / B._sigma_pp_nb(s)


@numba.njit(**JIT_OPTIONS)
def _splitting(z, pt2, m, mp, code, lam):  # pragma: no cover - compiled
    if code == 0:
        return B.splitting_bb(z, pt2, m, mp)
    return B.splitting_qr(z, pt2, m, mp, lam)


@numba.njit(**JIT_OPTIONS)
def _density2(z, pt2, m, mp, P, Ep, code, lam):  # pragma: no cover - compiled
    """``d2N/dz dpT2 / [(g^2/4 pi) |F(m)|^2]`` per interaction (GeV^-2); 0 outside kinematics."""
    ratio = _sigma_ratio(z, pt2, m, mp, P, Ep)
    if ratio < 0.0:
        return 0.0
    return ratio * _splitting(z, pt2, m, mp, code, lam)


@numba.njit(**JIT_OPTIONS)
def _density2_array(z, pt2, m, mp, P, Ep, code, lam):  # pragma: no cover - compiled
    out = np.empty(z.size)
    for i in range(z.size):
        out[i] = _density2(z[i], pt2[i], m, mp, P, Ep, code, lam)
    return out


@numba.njit(**JIT_OPTIONS)
def _densities2_array(z, pt2, m, mp, P, Ep, codes, lams, keep):  # pragma: no cover - compiled
    """``_density2`` of every treatment ``(codes[k], lams[k])`` at each point where ``keep``
    (0 elsewhere), (k, n): the cross-section ratio, common to all, computed once per point."""
    out = np.zeros((codes.size, z.size))
    for i in range(z.size):
        if not keep[i]:
            continue
        ratio = _sigma_ratio(z[i], pt2[i], m, mp, P, Ep)
        if ratio < 0.0:
            continue
        for k in range(codes.size):
            out[k, i] = ratio * _splitting(z[i], pt2[i], m, mp, codes[k], lams[k])
    return out


def _h0(z, m, mp):
    return (1.0 - z) * m * m + z * z * mp * mp


@dataclass(frozen=True)
class _Element:
    name: str
    beamline: object  # a beamline whose `target` is this element (for the vertex sampler)
    per_pot: float  # protons per POT interacting first in this element
    points: object = None  # where (a cascade's first collisions); None: the exponential in the element

    def vertices(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.points is not None:
            return self.points.sample(n, rng)
        return sample_interaction_points(self.beamline, n, rng)


def _elements(beamline, wanted: tuple[str, ...]) -> list[_Element]:
    from ..sources.resolve import uses_cascade

    if uses_cascade(beamline):
        return _cascade_elements(beamline, wanted)
    f_t = interacting_fraction(beamline)
    out = []
    if "target" in wanted:
        out.append(_Element("target", beamline, f_t))
    if "absorber" in wanted and beamline.absorber is not None and beamline.absorber.name == "absorber":
        pseudo = replace(beamline, target=beamline.absorber)
        f_a = (1.0 - f_t) * interacting_fraction(pseudo)
        if f_a > 1e-6:
            out.append(_Element("absorber", pseudo, f_a))
    return out


def _cascade_elements(beamline, wanted: tuple[str, ...]) -> list[_Element]:
    """The elements of a beamline whose sources are its hadron cascade: the beam's first
    collisions per POT in the target and in the absorber (what crosses the target and the
    solids between), at their points (the cascade's ``coll1`` tables)."""
    from ..sources.cascade_sources import first_collisions
    from ..sources.resolve import cascade_tables

    firsts = {name: (per_pot, pts) for name, per_pot, pts in
              first_collisions(*cascade_tables(beamline), beamline.beam_particle).values()}
    out = []
    for name in ("target", "absorber"):
        el = getattr(beamline, name, None)
        if name not in wanted or el is None or name not in firsts:
            continue
        per_pot, pts = firsts[name]
        out.append(_Element(name, beamline if name == "target" else replace(beamline, target=el), per_pot, pts))
    return out


@dataclass(frozen=True)
class _Source:
    pdg: int
    per_pot: float
    provenance: str


@dataclass(frozen=True)
class BremsChannel:
    """``p A -> p A Z'`` in one beamline element (module docstring)."""

    name: str
    model: object  # ZPrime
    element: _Element
    settings: BremsSettings
    beam_momentum: float
    #: c*tau (m) of the detected LLP, if it is this Z': its decay probability shapes the aimed
    #: proposal (any value gives exact weights; None: no decay hint)
    decay_ctau: float | None = None
    #: probability of the aimed branch of the defensive mixture
    alpha: float = 0.8
    n_gl: int = 96
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    # -- normalisation -------------------------------------------------------------------
    @property
    def parent_pdg(self) -> int:
        return C.PROTON

    @property
    def coupling_ff2(self) -> float:
        """``(g^2/4 pi) |F(m)|^2`` of the model."""
        if "ff2" not in self._cache:
            c = family_coefficients(self.model.charge_of("u"), self.model.charge_of("d"), self.model.charge_of("s"))
            ff = B.nucleon_form_factor(self.model.mass, c["rho0"], c["omega"])
            self._cache["ff2"] = self.model.g**2 / (4.0 * math.pi) * ff * ff
        return self._cache["ff2"]

    def _kin(self):
        P = float(self.beam_momentum)
        return P, math.hypot(P, B.M_P), B.M_P, float(self.model.mass)

    def _z_range(self) -> tuple[float, float]:
        """``[z_min, z_hi]``: the card's range cut at the kinematic end (s' threshold at pT = 0)."""
        s = self.settings
        P, Ep, mp, m = self._kin()
        e_max = Ep - _SP_MIN / (2.0 * mp)
        z_kin = math.sqrt(max(e_max * e_max - m * m, 0.0)) / P
        z_hi = min(s.z_max, z_kin)
        if not z_hi > s.z_min:
            raise PhysicsError(f"{self.name}: no phase space for m = {m} GeV with z >= {s.z_min} at "
                               f"{P} GeV/c (the radiating proton would fall below the inelastic threshold)")
        return s.z_min, z_hi

    def _pt2_cap(self, z):
        """Largest pT^2 at ``z``: the card's pt_max^2 and the s' threshold (GeV^2, >= 0)."""
        P, Ep, mp, m = self._kin()
        e_max = Ep - _SP_MIN / (2.0 * mp)
        return np.clip(e_max * e_max - (z * P) ** 2 - m * m, 0.0, self.settings.pt_max**2)

    def _grid(self):
        """Gauss-Legendre nodes (z, pT2) and weights of the validity range, with the
        densities of the central treatment and of every variant."""
        if "grid" not in self._cache:
            s = self.settings
            P, Ep, mp, m = self._kin()
            z_lo, z_hi = self._z_range()
            xz, wz = np.polynomial.legendre.leggauss(self.n_gl)
            z = 0.5 * (z_hi - z_lo) * xz + 0.5 * (z_hi + z_lo)
            wz = wz * 0.5 * (z_hi - z_lo)
            h0 = _h0(z, m, mp)
            T = np.log1p(self._pt2_cap(z) / h0)
            xt, wt = np.polynomial.legendre.leggauss(self.n_gl)
            t = 0.5 * (xt[None, :] + 1.0) * T[:, None]
            pt2 = h0[:, None] * np.expm1(t)
            jac = (pt2 + h0[:, None]) * (0.5 * T[:, None]) * wt[None, :] * wz[:, None]  # dz dpT2
            zz = np.broadcast_to(z[:, None], pt2.shape).ravel()
            dens = {}
            for k, (tr, lam) in ALT_VARIANTS.items():
                dens[k] = _density2_array(zz, pt2.ravel(), m, mp, P, Ep, _TREAT_CODE[tr], lam).reshape(pt2.shape)
            cen = _density2_array(zz, pt2.ravel(), m, mp, P, Ep, _TREAT_CODE[s.treatment], s.lambda_p).reshape(pt2.shape)
            self._cache["grid"] = (z, pt2, jac, cen, dens, wz)
        return self._cache["grid"]

    @property
    def branching(self) -> float:
        """Z' per inelastic interaction in the validity range (``I`` of the module docstring)."""
        if "I" not in self._cache:
            _, _, jac, cen, _, _ = self._grid()
            if not np.sum(jac * cen) > 0:
                raise PhysicsError(f"{self.name}: zero bremsstrahlung rate in the range {self.settings.as_dict()}")
            self._cache["I"] = float(np.sum(jac * cen)) * self.coupling_ff2
        return self._cache["I"]

    def variant_integrals(self) -> dict[str, float]:
        """Z' per interaction for each ALT_VARIANTS treatment (same range, same coupling)."""
        _, _, jac, _, dens, _ = self._grid()
        return {k: float(np.sum(jac * d)) * self.coupling_ff2 for k, d in dens.items()}

    @property
    def rate_per_pot(self) -> float:
        return self.element.per_pot * self.branching

    @property
    def source(self) -> _Source:
        s = self.settings
        return _Source(C.PROTON, self.element.per_pot,
                       f"primary protons interacting first in the {self.element.name} "
                       f"({self.element.beamline.target.material.name}): {self.element.per_pot:.4g} per POT; "
                       f"bremsstrahlung {s.treatment}" + (f" (Lambda_p {s.lambda_p} GeV)" if s.treatment == "quasi-real" else "")
                       + f", z in [{s.z_min}, {s.z_max}], pT < {s.pt_max} GeV")

    @property
    def alt_weight_names(self) -> tuple[str, ...]:
        c = self.settings.central_variant
        return tuple(k for k in ALT_VARIANTS if k != c)

    # -- sampling ------------------------------------------------------------------------
    def _density(self, z, pt2, code, lam):
        P, Ep, mp, m = self._kin()
        return _density2_array(np.ascontiguousarray(z, dtype=np.float64), np.ascontiguousarray(pt2, dtype=np.float64),
                               m, mp, P, Ep, code, lam)

    def _densities(self, z, pt2, keep):
        """The central density (:meth:`_density`) and those of the alternative treatments
        (:attr:`alt_weight_names`) at ``(z, pt2)`` where ``keep`` (0 elsewhere: points the
        weight sets to 0, where the alternative ratios are 1 whatever the densities), in one
        pass: ``(central, {name: density})``."""
        P, Ep, mp, m = self._kin()
        s = self.settings
        names = self.alt_weight_names
        codes = np.array([_TREAT_CODE[s.treatment]] + [_TREAT_CODE[ALT_VARIANTS[k][0]] for k in names], dtype=np.int64)
        lams = np.array([s.lambda_p] + [ALT_VARIANTS[k][1] for k in names], dtype=np.float64)
        d = _densities2_array(np.ascontiguousarray(z, dtype=np.float64), np.ascontiguousarray(pt2, dtype=np.float64),
                              m, mp, P, Ep, codes, lams, np.ascontiguousarray(keep, dtype=np.bool_))
        return d[0], dict(zip(names, d[1:]))

    @staticmethod
    def _alt_ratios(alt, cen):
        """Each alternative density over the central one ``cen`` (1 where ``cen`` is 0)."""
        ok = cen > 0
        den = np.where(ok, cen, 1.0)
        return {k: np.where(ok, d / den, 1.0) for k, d in alt.items()}

    def _angle_table(self, aim):
        """Per-angle production rows for the aimed branch (module docstring): ``(t_edges,
        z_edges, rows)`` with ``rows[j]`` the bin probabilities of ``d2N/dz dOmega`` at the row's
        angle (no floor; :meth:`_aimed_proposal` adds the decay factor and the floor)."""
        key = ("rows", id(aim))
        if key not in self._cache:
            s = self.settings
            P, Ep, mp, m = self._kin()
            rng = np.random.Generator(np.random.PCG64(20240611))
            pts = aim.sample_points(4096, rng)
            lo, hi = self.element.beamline.target.solid.extent()
            v = pts - 0.5 * (lo + hi)
            th = np.arctan2(np.hypot(v[:, 0], v[:, 1]), v[:, 2])
            t_lo, t_hi = max(0.0, 0.8 * th.min()), min(0.5 * math.pi * 0.999, 1.25 * th.max() + 1e-4)
            n_t, n_z = 24, 160
            t_edges = np.linspace(t_lo, t_hi, n_t + 1)
            z_lo, z_hi = self._z_range()
            z_edges = np.linspace(z_lo, z_hi, n_z + 1)
            code, lam = _TREAT_CODE[s.treatment], s.lambda_p
            rows = np.zeros((n_t, n_z))
            zs = np.linspace(z_lo, z_hi, 3 * n_z + 1)
            for j in range(n_t):
                tc = 0.5 * (t_edges[j] + t_edges[j + 1])
                p = zs * P / math.cos(tc)
                pt2 = (p * math.sin(tc)) ** 2
                f = self._density(zs, pt2, code, lam) * p * p * np.where(pt2 <= s.pt_max**2, 1.0, 0.0)
                # bin value: the largest of its three sub-points (edges and middle)
                fb = np.maximum(np.maximum(f[0:-1:3], f[1::3]), f[3::3])
                tot = fb.sum()
                if tot > 0:
                    rows[j] = fb / tot
            self._cache[key] = (t_edges, z_edges, rows)
        return self._cache[key]

    def _aimed_proposal(self, aim, vertex, d, cth, ia, u, z):
        """The aimed branch's z proposal at each event's direction (module docstring;
        :mod:`fipgen.production.channels.brems_proposal`): the row of its angle times, with
        ``decay_ctau``, the exact decay probability along its own ray at each bin's momentum,
        mixed with 5 % uniform. Draws ``z[ia]`` (uniforms ``u``, (2, len(ia))) and returns
        ``(z_edges, value, kz)``: the bin ``kz`` of every event's ``z`` and the proposal's
        probability of that bin."""
        t_edges, z_edges, rows = self._angle_table(aim)
        P, Ep, mp, m = self._kin()
        j = BP.bin_index(t_edges, np.arccos(cth))
        if not (self.decay_ctau is not None and self.decay_ctau > 0):
            # no decay factor: one proposal per angle row, inverse cdf row by row
            table = BP.floor_mix(rows)
            if ia.size:
                cdf = np.cumsum(table, axis=1)
                ra = j[ia]
                k = np.empty(ia.size, dtype=np.int64)
                for r in np.unique(ra):
                    sel = np.flatnonzero(ra == r)
                    k[sel] = np.searchsorted(cdf[r], u[0][sel] * cdf[r, -1], side="right")
                dz = np.diff(z_edges)
                k = np.minimum(k, dz.size - 1)
                z[ia] = z_edges[k] + u[1] * dz[k]
            kz = BP.bin_index(z_edges, z)
            return z_edges, table[j, kz], kz
        seg = aim.chords(vertex, d)
        hit = seg.n > 0
        l1 = np.where(hit, seg.t_in[:, 0], 0.0)
        l2 = np.where(hit, seg.t_out[np.arange(seg.n.size), np.maximum(seg.n - 1, 0)], 0.0)
        zc = 0.5 * (z_edges[1:] + z_edges[:-1])
        c = np.where(cth > 0, cth, 1.0)
        value, kz = BP.aimed_draw(rows, j, hit, l1, l2, c, zc, P, m, self.decay_ctau, z_edges, ia, u, z)
        return z_edges, value, kz

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        """``n`` Z' aimed at ``aim`` with exact weights (module docstring): a defensive mixture
        of the aimed proposal (probability :attr:`alpha`) and free production."""
        s = self.settings
        P, Ep, mp, m = self._kin()
        vertex = self.element.vertices(n, rng)
        zf_edges, zf_cdf, zf_dens = self._marginal(aim)
        aimed = rng.random(n) < self.alpha
        ia, ib = np.flatnonzero(aimed), np.flatnonzero(~aimed)
        d = np.empty((n, 3))
        z = np.empty(n)
        pt2 = np.empty(n)
        # aimed branch: direction to a uniform detector point (z below, from its own proposal)
        if ia.size:
            da = aim.sample_points(ia.size, rng) - vertex[ia]
            d[ia] = da / np.sqrt(np.einsum("ij,ij->i", da, da))[:, None]
        # free branch: (z, pT^2, phi) from the production proposal of sample_free
        if ib.size:
            u = rng.random((4, ib.size))
            k = np.minimum(np.searchsorted(zf_cdf, u[0], side="right"), zf_cdf.size - 1)
            zb = zf_edges[k] + u[1] * (zf_edges[k + 1] - zf_edges[k])
            h0 = _h0(zb, m, mp)
            pt2b = h0 * np.expm1(u[2] * np.log1p(self._pt2_cap(zb) / h0))
            ptb = np.sqrt(pt2b)
            phi = 2.0 * math.pi * u[3]
            vb = np.empty((ib.size, 3))
            vb[:, 0] = ptb * np.cos(phi)
            vb[:, 1] = ptb * np.sin(phi)
            vb[:, 2] = zb * P
            d[ib] = vb / np.sqrt(np.einsum("ij,ij->i", vb, vb))[:, None]
            z[ib], pt2[ib] = zb, pt2b
        cth = np.clip(d[:, 2], -1.0, 1.0)
        fwd = cth > 0
        u = rng.random((2, ia.size)) if ia.size else np.empty((2, 0))
        z_edges, g_z, kz = self._aimed_proposal(aim, vertex, d, cth, ia, u, z)
        dz = np.diff(z_edges)
        if ia.size:
            ca = cth[ia]
            pa = np.where(ca > 0, z[ia] * P / np.where(ca > 0, ca, 1.0), 0.0)
            pt2[ia] = pa * pa * np.maximum(0.0, 1.0 - ca * ca)
        p = np.where(fwd, z * P / np.where(fwd, cth, 1.0), 0.0)
        jac = p * p / (math.pi * P)  # d3N/dp dOmega = (d2N/dz dpT2) p^2 / (pi P)
        f2, alt = self._densities(z, pt2, fwd & (pt2 <= s.pt_max**2))
        I0 = self.branching / self.coupling_ff2
        # proposal densities in (p, Omega) at every point, both branches
        q = aim.proposal_density(vertex, d)
        g_a = q * g_z / dz[kz] * np.where(fwd, cth, 0.0) / P
        kf = BP.bin_index(zf_edges, z)
        h0 = _h0(z, m, mp)
        Tb = np.log1p(self._pt2_cap(z) / h0)
        inb = (z >= zf_edges[0]) & (z <= zf_edges[-1]) & (pt2 <= self._pt2_cap(z)) & (Tb > 0)
        g_b = np.where(inb, zf_dens[kf] / (np.where(Tb > 0, Tb, 1.0) * (pt2 + h0)), 0.0) * jac
        mix = self.alpha * g_a + (1.0 - self.alpha) * g_b
        ok = (mix > 0) & (f2 > 0)
        w = np.where(ok, f2 * jac / (I0 * np.where(ok, mix, 1.0)), 0.0)
        llp = np.empty((n, 4))
        llp[:, :3] = p[:, None] * d
        llp[:, 3] = np.sqrt(p * p + m * m)
        beam = np.zeros((n, 4))
        beam[:, 2] = P
        beam[:, 3] = Ep
        sp, sc = siblings(self.decay_sibling(beam, llp))
        return ProductionSample(vertex, beam, llp, d, w, alt_ratios=self._alt_ratios(alt, f2),
                                sibling_p4=sp, sibling_pdg=sc, sibling_generation=(0,))

    def decay_sibling(self, beam_p4: np.ndarray, llp_p4: np.ndarray) -> tuple[np.ndarray, int]:
        """The radiating proton after the emission, ``(p4, 2212)``: the beam momentum minus the
        LLP's, on shell (the nucleus that takes the rest of the four-momentum is not recorded)."""
        return recoil(beam_p4, llp_p4, self._kin()[2]), 2212

    def _marginal(self, aim=None):
        """z proposal of the free branch: the production's z marginal; with ``aim`` and
        ``decay_ctau``, times the Z''s decay probability in the detector along the ray from the
        element's centre to the detector's centre of volume at ``p = z P`` (so that a short-lived
        Z' is drawn at the momenta that reach a detector right behind the dump)."""
        key = ("marginal", None if aim is None or self.decay_ctau is None else id(aim))
        if key not in self._cache:
            z, pt2, jac, cen, _, wz = self._grid()
            P, Ep, mp, m = self._kin()
            n_z = 200
            z_lo, z_hi = self._z_range()
            z_edges = np.linspace(z_lo, z_hi, n_z + 1)
            # the z marginal on the Gauss-Legendre nodes, interpolated to bin centres
            fz = np.sum(jac * cen, axis=1) / wz
            zc = 0.5 * (z_edges[1:] + z_edges[:-1])
            fb = np.interp(zc, z, fz)
            if key[1] is not None and self.decay_ctau > 0:
                ray = ray_toward_detector(self.element.beamline, aim, 4096, 20240612)
                if ray is not None:
                    pdec = window_decay_probability(*ray, zc * P / m * self.decay_ctau)
                    if np.sum(fb * pdec) > 0:
                        fb = fb * pdec
            rows = 0.95 * fb / fb.sum() + 0.05 / n_z
            cdf = np.cumsum(rows)
            cdf /= cdf[-1]
            dens = rows / rows.sum() / np.diff(z_edges)
            self._cache[key] = (z_edges, cdf, dens)
        return self._cache[key]

    def sample_free(self, n: int, rng: np.random.Generator, beamline) -> dict[str, np.ndarray]:
        """``n`` Z' as produced (not aimed), with exact weights of mean 1 (module docstring): a
        dict (not a ProductionSample: the plain Monte Carlo of ``X -> N N`` chains and tests) of
        ``vertex``, ``parent_p4`` (the beam proton), ``llp_p4``, ``time``, ``weight``,
        ``alt_ratios``."""
        P, Ep, mp, m = self._kin()
        vertex = self.element.vertices(n, rng)
        z_edges, cdf, dens = self._marginal()
        u = rng.random((4, n))
        k = np.minimum(np.searchsorted(cdf, u[0], side="right"), cdf.size - 1)
        z = z_edges[k] + u[1] * (z_edges[k + 1] - z_edges[k])
        h0 = _h0(z, m, mp)
        T = np.log1p(self._pt2_cap(z) / h0)
        pt2 = h0 * np.expm1(u[2] * T)
        g = dens[k] / (np.where(T > 0, T, 1.0) * (pt2 + h0))
        f2, alt = self._densities(z, pt2, T > 0)
        I0 = self.branching / self.coupling_ff2
        w = f2 / (I0 * g)
        pt = np.sqrt(pt2)
        phi = 2.0 * math.pi * u[3]
        llp = np.empty((n, 4))
        llp[:, 0] = pt * np.cos(phi)
        llp[:, 1] = pt * np.sin(phi)
        llp[:, 2] = z * P
        llp[:, 3] = np.sqrt(z * z * P * P + pt2 + m * m)
        beam = np.zeros((n, 4))
        beam[:, 2] = P
        beam[:, 3] = Ep
        return {"vertex": vertex, "parent_p4": beam, "llp_p4": llp, "time": vertex[:, 2] / C.C_M_PER_NS,
                "weight": w, "alt_ratios": self._alt_ratios(alt, f2)}


def brems_channels(model, beamline, settings: BremsSettings, decay_ctau: float | None = None) -> list[BremsChannel]:
    """One :class:`BremsChannel` per element of ``settings.elements`` the beam reaches."""
    els = _elements(beamline, tuple(settings.elements))
    if not els:
        raise PhysicsError(f"no bremsstrahlung element of {list(settings.elements)} on beamline {beamline.name!r}")
    out = []
    for e in els:
        name = "zprime:bremsstrahlung" if e.name == "target" else f"zprime:bremsstrahlung ({e.name})"
        out.append(BremsChannel(name, model, e, settings, float(beamline.beam_momentum), decay_ctau=decay_ctau))
    return out

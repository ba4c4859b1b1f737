"""ALPs from the secondaries of the electromagnetic showers in a dump (arXiv:2307.03878).

The photons of pi0/eta decays start showers in the target or dump; their photons, electrons
and positrons produce ALPs on the material's nuclei and electrons. The per-POT track-length
densities ``T_s(E, cos theta) = dL/dE dcos(theta)`` (m/GeV; s = gamma, e-, e+; angle to the
beam) come from fipgen's shower Monte Carlo (fipgen.shower; ``fluxes/shower_<beamline>.npz``),
the cross sections from :mod:`fipgen.models.alp_xsec` on the beamline target's material.

Channels (run card ``alp:<name>``):

==============  ================================  ================================================
channel         process                           ALP kinematics given the parent
==============  ================================  ================================================
``primakoff``   gamma A -> a A (g_agg, Tsai FF)   E_a = E_gamma, angle from dsigma/dtheta
``compton``     gamma e -> a e (g_aee)            E_a from dsigma/dE_a, angle from 2-body kinematics
``resonant``    e+ e- -> a (g_aee)                the positron's direction, E_a = E+ + m_e, E+ the
                                                  resonance on the moving atomic electron
``associated``  e+ e- -> a gamma (g_aee)          CM angle from dsigma/dcos*, boosted; photon
                                                  energy above ``ASSOCIATED_K_MIN``
``e-bremsst-    e Z -> e Z a (g_aee; electrons    (x = E_a/E, angle) from d2sigma/dx dl, sampled
rahlung``       and positrons, Tsai FFs; the old  with exact weights (fipgen.production.channels.alp_brems)
                name ``bremsstrahlung`` is an
                alias)
==============  ================================  ================================================

ALPs per POT: ``R = sum_bins T_s(E, cos) dE dcos x r(E)``, ``r(E) = sum n sigma(E)`` per metre
of track (resonant: ``n_e sigma_0 int J(q) T_e+(E_R/(1 - q/m)) dq``, the positron density at
the resonance on electrons of Compton profile J).

Sampling (exact weights): the ALP direction ``d`` points at a uniform point of the detector
(density ``q(d)``); the parent energy bin is drawn in proportion to its ALP rate (times, for
a detected ALP outside scans, its decay probability toward the detector's centre, mixed with
10 % of the rate alone) and the energy log-uniformly inside it; the ALP's energy and angle to its parent come from the
process; the parent's direction is placed at that angle from ``d`` with a uniform azimuth.
The kernel of the ALP direction around the parent's is symmetric in the relative angle, so
the weight is ``T_Omega(E, Omega_parent) r(E) / (R g(E) q(d))`` (bremsstrahlung: ``r(E)``
replaced by the kernel's weighted estimate, whose product with its draw density is the
differential rate), with ``T_Omega = T/(2 pi)``
per steradian and ``g`` the energy proposal: the parent's angular density at the placed
direction (0 outside the table's angles, 0 to 0.3 rad).

Cross-section conventions: the ALP's ``primakoff_xsec`` (rate of ``primakoff``: Tsai by default, or
the massless forms of arXiv:2307.03878's code), ``primakoff_angle`` (``"collinear"``: the ALP along
the photon, as that code, instead of the ``dsigma/dtheta`` draw; the energy proposal and weights are
unchanged, the kernel being a delta function) and ``resonant_xsec`` (:mod:`fipgen.models.alp_xsec`,
item 8; docs/physics.md#paper-conventions-of-arxiv230703878). With ``primakoff_xsec`` other than
``"tsai"`` the angle is still drawn from Tsai's ``t`` law unless ``primakoff_angle = "collinear"``.

On a beamline whose sources are its hadron cascade (``mesons = "cascade"``), the showers of
every solid (target, absorber, dump, walls) are folded, each with its own table and material
(:class:`ShowerALPMixture`), and the production point is drawn from where that solid's
showers start (the EM seeds' energy-weighted profiles, :mod:`fipgen.cascade.showers`).

Approximations (documented): with the packaged shower tables, the production vertex is the
proton's first interaction point in the dump (the shower extends a few radiation lengths, ~0.1-0.3 m of iron, negligible on
the way to a detector hundreds of metres away; not for a detector right behind the dump);
nuclear recoil in Primakoff neglected (E_a = E_gamma); atomic electrons free and at rest, except
in the resonance, which folds in their motion (fipgen.models.atomic_shells: the positron at
``E_R/(1 - q/m)``, q from the material's Compton profile; the particle takes the positron's
direction, its momentum plus q, and its energy plus m_e; with ``resonant_xsec = "alplib"`` at rest); the
associated channel's soft photons (below ``ASSOCIATED_K_MIN``) belong to the resonant
channel's radiative tail and are not counted. Bremsstrahlung uses the Kim-Tsai WW cross section
of alp_xsec (``tmax = m^2 (1+l)^2 + m_a^2``; the spread to other choices is discussed there) and
angles to the lepton up to 1 rad; its parents are the e- and e+ track lengths together, each
event's ``parent_pdg`` drawn from their densities in the parent's cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...models import alp_xsec as X
from ...models import atomic_shells as AS
from . import alp_xsec_sampling as XS
from ...kinematics import window_decay_probability
from ...kinematics.directions import unit_toward
from .sample import ProductionSample
from ..sources.vertex import ray_toward_detector, sample_interaction_points

__all__ = ["SHOWER_CHANNELS", "ShowerALPChannel", "ShowerALPMixture", "shower_channel", "shower_parts",
           "ASSOCIATED_K_MIN"]

#: Run-card channel names (``alp:<name>``) -> (parent species of the table, coupling).
SHOWER_CHANNELS = {"primakoff": ("gamma", "g_gamma"), "compton": ("gamma", "g_electron"),
                   "resonant": ("eplus", "g_electron"), "associated": ("eplus", "g_electron"),
                   "e-bremsstrahlung": ("electrons", "g_electron")}
#: PDG code of the parent; "electrons" (e- and e+ together) reports 11, the events carry their own
_PARENT_PDG = {"gamma": 22, "eminus": 11, "eplus": -11, "electrons": 11}
#: Lowest lab photon energy (GeV) counted in e+ e- -> a gamma (module docstring).
ASSOCIATED_K_MIN = 1e-3
_CODE = {"primakoff": 0, "compton": 1, "resonant": 2, "associated": 3, "e-bremsstrahlung": 4}


@numba.njit(**JIT_OPTIONS)
def _rates(code, E, m_a, g, Z, A, n_nuc, n_e, conv, pvar):  # pragma: no cover - compiled
    """Interactions per metre of parent track at total energy E (per element for Primakoff, in the
    Primakoff variant ``pvar`` of alp_xsec.primakoff_sigma_variant)."""
    out = np.zeros(E.size)
    for i in range(E.size):
        if code == 0:
            s = 0.0
            for j in range(Z.size):
                s += n_nuc[j] * X.primakoff_sigma_variant(E[i], m_a, g, Z[j], A[j], pvar)
            out[i] = s * conv
        elif code == 1:
            out[i] = n_e * X.compton_sigma(E[i], m_a, g) * conv
    return out


@numba.njit(**JIT_OPTIONS)
def _assoc_sigma_cut(E_pos, m_a, g, k_min, n_gl_x, n_gl_w):  # pragma: no cover - compiled
    """e+ e- -> a gamma cross section with a lab photon energy above k_min (GeV^-2)."""
    if not E_pos > X.associated_threshold(m_a):
        return 0.0
    s = 0.0
    for k in range(n_gl_x.size):
        c = n_gl_x[k]
        ea, _ = X.associated_lab(c, E_pos, m_a)
        if E_pos + X.M_E - ea >= k_min:
            s += n_gl_w[k] * X.associated_dsigma_dcos(c, E_pos, m_a, g)
    return s


@numba.njit(**JIT_OPTIONS)
def _kin_kernel(code, E, m_a, Z, A, k_min, rng, collinear):  # pragma: no cover - compiled
    """(E_a, cos to the parent) per event for Primakoff (single element; along the photon when
    ``collinear``), Compton, associated."""
    n = E.size
    ea = np.full(n, np.nan)
    ct = np.full(n, np.nan)
    for i in range(n):
        if code == 0:
            if collinear:
                if E[i] > m_a:
                    ea[i] = E[i]
                    ct[i] = 1.0
                continue
            ea[i] = E[i]
            ct[i] = math.cos(XS.sample_primakoff_theta(E[i], m_a, Z, A, rng))
        elif code == 1:
            e = XS.sample_compton_ea(E[i], m_a, rng)
            if e == e:
                ea[i] = e
                ct[i] = X.compton_cos_theta(e, E[i], m_a)
        else:
            for _ in range(100000):  # accept-reject on the photon-energy cut
                c = XS.sample_associated_cos(E[i], m_a, rng)
                if c != c:
                    break
                e, cl = X.associated_lab(c, E[i], m_a)
                if E[i] + X.M_E - e >= k_min:
                    ea[i] = e
                    ct[i] = cl
                    break
    return ea, ct


@dataclass(frozen=True)
class ShowerALPChannel:
    """One shower process making ALPs in the beamline's target (module docstring)."""

    name: str
    process: str
    model: object  # ALP
    beamline: object
    #: c*tau (m) of the ALP when it is the detected particle: its decay probability on the way
    #: to the detector's centre shapes the energy proposal (any value gives exact weights)
    decay_ctau: float | None = None
    #: the showers of one solid of a beamline's hadron cascade (a
    #: :class:`~fipgen.production.sources.cascade_sources.ShowerSolid`): its table, material and
    #: production points; None for the beamline's one shower table in its target
    part: object = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)
    #: the bremsstrahlung kernel's boson: spin 0 here, a vector in the Z' subclass
    _VECTOR = False

    @property
    def parent_pdg(self) -> int:
        return _PARENT_PDG[SHOWER_CHANNELS[self.process][0]]

    @property
    def _material(self):
        """The material the showers run in: the solid's, else the beamline target's."""
        return self.part.material if self.part is not None else self.beamline.target.material

    def _table(self):
        if self.part is not None:
            return self.part.table
        if "table" not in self._cache:
            from ...shower.fold import load_shower_file
            from ..sources.resolve import shower_table_name

            self._cache["table"] = load_shower_file(shower_table_name(self.beamline))
        return self._cache["table"]

    def _density(self, species: str) -> np.ndarray:
        """The table's dL/dE dcos of ``species`` (float64, cached); "electrons" is e- plus e+."""
        key = ("density", species)
        if key not in self._cache:
            tab = self._table()
            self._cache[key] = (self._density("eminus") + self._density("eplus") if species == "electrons"
                                else tab.density(species))
        return self._cache[key]

    def _brems_kernels(self):
        """One :class:`~fipgen.production.channels.alp_brems.BremsKernel` per element of the target material."""
        if "brems" not in self._cache:
            from .alp_brems import BremsKernel

            z, a, _ = X.material_targets(self._material)
            e_max = float(self._table().energy_edges[-1]) + X.M_E
            self._cache["brems"] = [BremsKernel(float(self.model.mass), zz, aa, e_max, vector=self._VECTOR)
                                    for zz, aa in zip(z, a)]
        return self._cache["brems"]

    def _convention(self, name: str) -> str:
        """The model's cross-section convention ``name`` (fipgen.models.params; first value: the default)."""
        from ...models.params import MODEL_PARAMS

        default = next(q.default for q in MODEL_PARAMS["alp"] if q.name == name)
        return getattr(self.model, name, default)

    def _primakoff_variant(self) -> int:
        return X.variant_code(self._convention("primakoff_xsec"), X.PRIMAKOFF_XSEC_VARIANTS)

    def _coupling(self) -> float:
        return float(self.model.g_gamma_eff) if self.process == "primakoff" else float(self.model.g_electron)

    def _electron_profile(self):
        """(shell weights, p0) of the material's atomic electrons for the resonance
        (fipgen.models.atomic_shells); None with ``resonant_xsec = "alplib"``, whose electrons
        are at rest (the paper's convention)."""
        if self._convention("resonant_xsec") == "alplib":
            return None
        return AS.material_profile(self._material)

    def _resonant_yield(self, m: float, g: float, material) -> float:
        """Particles per (positron track length per unit energy at E_R), GeV m^-1 (alp_xsec)."""
        return X.resonant_yield_per_track_length(m, g, material.electron_density, self._convention("resonant_xsec"))

    def _prepare(self):
        """Per energy bin: ALP rate per POT (bins x angles), and the energy proposal."""
        if "prep" in self._cache:
            return self._cache["prep"]
        tab = self._table()
        species = SHOWER_CHANNELS[self.process][0]
        T = self._density(species)  # (n_E, n_theta), m / GeV / unit cos, per POT
        e_edges = tab.energy_edges + (0.0 if species == "gamma" else X.M_E)  # total energy
        c_edges = np.cos(tab.theta_edges)
        dcos = c_edges[:-1] - c_edges[1:]
        dE = np.diff(e_edges)
        mat = self._material
        z, a, n = X.material_targets(mat)
        m, g = float(self.model.mass), self._coupling()
        if self.process == "resonant":
            ER = X.resonant_energy(m)
            coef = self._resonant_yield(m, g, mat)
            # the share of the resonance in each positron energy bin: the atomic electrons'
            # Compton profile moves it to E_R/(1 - q/m) (fipgen.models.atomic_shells), or all
            # in E_R's bin with the electrons at rest
            profile = self._electron_profile()
            if profile is None:
                share = np.zeros(T.shape[0])
                i = np.searchsorted(e_edges, ER, side="right") - 1
                if 0 <= i < T.shape[0]:
                    share[i] = 1.0
            else:
                w_s, p0 = profile
                y = X.M_E * (1.0 - ER / e_edges)[None, :] / p0[:, None]  # q/p0 at each edge, per shell
                share = (w_s[:, None] * np.maximum(np.diff(AS.profile_cdf(y), axis=1), 0.0)).sum(axis=0)
            rate_bins = T * dcos[None, :] * (coef * share)[:, None] if g != 0.0 else np.zeros_like(T)
            prep = {"T": T, "e_edges": e_edges, "dcos": dcos, "rate_bins": rate_bins, "ER": ER, "coef": coef,
                    "profile": profile}
        else:
            # the rate per metre at 8 points per energy bin (log-spaced): bin average, and the proposal
            sub = np.exp(np.log(e_edges[:-1])[:, None] + (np.arange(8)[None, :] + 0.5) / 8.0
                         * np.log(e_edges[1:] / e_edges[:-1])[:, None])
            r = self._rate(sub.ravel()).reshape(sub.shape)
            # the rate averaged over the bin with the table's flat density in E: mean of r at
            # log-spaced points weighted by E (dE = E dlnE)
            r_bin = np.sum(r * sub, axis=1) / np.sum(sub, axis=1)
            rate_bins = T * dE[:, None] * dcos[None, :] * r_bin[:, None]
            prep = {"T": T, "e_edges": e_edges, "dcos": dcos, "rate_bins": rate_bins}
        tot = float(rate_bins.sum())
        prep["total"] = tot
        pe = rate_bins.sum(axis=1)
        prep["p_bin"] = pe / tot if tot > 0 else pe
        prep["cdf"] = np.cumsum(prep["p_bin"])
        self._cache["prep"] = prep
        return prep

    def _proposal(self, aim):
        """Energy-bin proposal: the rate, times (with ``decay_ctau``) the ALP's decay probability
        along the ray from the dump to the detector's centre at p ~ E, mixed with 10 % of the
        rate alone (so every bin with a rate is covered)."""
        key = ("proposal", id(aim))
        if key in self._cache:
            return self._cache[key]
        prep = self._prepare()
        p = prep["p_bin"].copy()
        if self.decay_ctau is not None and self.decay_ctau > 0 and self.process != "resonant" and p.sum() > 0:
            ray = ray_toward_detector(self.beamline, aim, 2048, 20240613,
                                      solid=self.part.solid if self.part is not None else None)
            if ray is not None:
                e = np.sqrt(prep["e_edges"][:-1] * prep["e_edges"][1:])
                m = float(self.model.mass)
                ell = np.sqrt(np.maximum(e * e - m * m, 1e-300)) / m * self.decay_ctau
                pdec = window_decay_probability(*ray, ell)
                wd = p * pdec
                if wd.sum() > 0:
                    p = 0.9 * wd / wd.sum() + 0.1 * p
        p = p / p.sum() if p.sum() > 0 else p
        self._cache[key] = (p, np.cumsum(p))
        return self._cache[key]

    def _rate(self, E):
        E = np.ascontiguousarray(E, dtype=np.float64)
        m, g = float(self.model.mass), self._coupling()
        mat = self._material
        z, a, n = X.material_targets(mat)
        if self.process in ("primakoff", "compton"):
            return _rates(_CODE[self.process], E, m, g, z, a, n, mat.electron_density, X.GEV2_TO_M2,
                          self._primakoff_variant())
        if self.process == "e-bremsstrahlung":
            return sum(nj * k.sigma(E, g) for nj, k in zip(n, self._brems_kernels())) * X.GEV2_TO_M2
        # associated: with the photon-energy cut, interpolated (log-log) on 600 energies from the
        # threshold to the table's end (the cross section is smooth there)
        if "assoc" not in self._cache:
            xg, wg = np.polynomial.legendre.leggauss(96)
            e0 = X.associated_threshold(m)
            grid = e0 * np.exp(np.linspace(1e-9, math.log(max(self._table().energy_edges[-1] + X.M_E, 2 * e0) / e0), 600))
            sig = np.array([_assoc_sigma_cut(e, m, g, ASSOCIATED_K_MIN, xg, wg) for e in grid])
            self._cache["assoc"] = (grid, sig * mat.electron_density * X.GEV2_TO_M2)
        grid, rate = self._cache["assoc"]
        pos = rate > 0
        if not pos.any():
            return np.zeros(E.size)
        lg, lr = np.log(grid[pos]), np.log(rate[pos])
        out = np.exp(np.interp(np.log(np.maximum(E, grid[pos][0])), lg, lr))
        return np.where((E >= grid[pos][0]) & (E <= grid[-1]), out, 0.0)

    @property
    def branching(self) -> float:
        return 1.0

    @property
    def rate_per_pot(self) -> float:
        """ALPs produced per POT in the dump."""
        return self._prepare()["total"]

    @property
    def source(self):
        from .hnl_channels import ParentSource

        tab = self._table()
        species = SHOWER_CHANNELS[self.process][0]
        parts = ("eminus", "eplus") if species == "electrons" else (species,)
        length = sum(tab.track_length(s) for s in parts)
        where = self.beamline.name + (f" ({self.part.name})" if self.part is not None else "")
        return ParentSource(self.parent_pdg, length,
                            f"shower track lengths of {where} ({tab.header.get('generator', '')}): "
                            f"{length:.4g} m of {' + '.join(parts)} per POT")

    def _kinematics(self, E, rng):
        """(E_a, cos of the ALP to its parent) for parent total energies E.

        Exact draws from the process's normalised distribution, except bremsstrahlung: see
        :meth:`_kinematics_weighted`."""
        m = float(self.model.mass)
        E = np.ascontiguousarray(E, dtype=np.float64)
        if self.process == "resonant":
            return E + X.M_E, np.ones(E.size)
        if self.process == "e-bremsstrahlung":
            raise PhysicsError("bremsstrahlung kinematics are weighted: use _kinematics_weighted")
        z, a, nn = X.material_targets(self._material)
        collinear = self.process == "primakoff" and self._convention("primakoff_angle") == "collinear"
        if self.process == "primakoff" and z.size > 1:
            # mixtures: the element in proportion to n sigma, then each group
            ea = np.full(E.size, np.nan)
            ct = np.full(E.size, np.nan)
            pvar = self._primakoff_variant()
            s = np.column_stack([_rates(0, E, m, 1.0, z[j:j + 1], a[j:j + 1], nn[j:j + 1], 0.0, 1.0, pvar)
                                 for j in range(z.size)])
            cum = np.cumsum(s, axis=1)
            el = np.minimum((cum < (rng.random(E.size) * cum[:, -1])[:, None]).sum(axis=1), z.size - 1)
            for j in range(z.size):
                sel = np.flatnonzero(el == j)
                ea[sel], ct[sel] = _kin_kernel(0, E[sel], m, z[j], a[j], 0.0, rng, collinear)
            return ea, ct
        return _kin_kernel(_CODE[self.process], E, m, z[0], a[0], ASSOCIATED_K_MIN, rng, collinear)

    def _kinematics_weighted(self, E, rng):
        """(E_a, cos to the parent, r) with ``r`` (per metre of track) an unbiased estimate of the
        process's rate r(E) whose product with the draw's density is the differential rate: r(E)
        itself for the exactly sampled processes; for bremsstrahlung, the element drawn in
        proportion to ``n_j sigma_j(E)`` and ``n_j w_j / P_j`` with the kernel's weight w_j."""
        E = np.ascontiguousarray(E, dtype=np.float64)
        if self.process != "e-bremsstrahlung":
            ea, ct = self._kinematics(E, rng)
            return ea, ct, self._rate(E)
        z, a, nn = X.material_targets(self._material)
        kern = self._brems_kernels()
        g = self._coupling()
        ea = np.full(E.size, np.nan)
        ct = np.full(E.size, np.nan)
        r = np.zeros(E.size)
        if len(kern) == 1:
            ea, ct, w = kern[0].sample(E, g, rng)
            return ea, ct, nn[0] * w * X.GEV2_TO_M2
        s = np.column_stack([nn[j] * kern[j].sigma(E) for j in range(len(kern))])
        cum = np.cumsum(s, axis=1)
        el = np.minimum((cum < (rng.random(E.size) * cum[:, -1])[:, None]).sum(axis=1), len(kern) - 1)
        for j in range(len(kern)):
            sel = np.flatnonzero(el == j)
            if sel.size == 0:
                continue
            ea[sel], ct[sel], w = kern[j].sample(E[sel], g, rng)
            p_j = s[sel, j] / np.where(cum[sel, -1] > 0, cum[sel, -1], 1.0)
            r[sel] = np.where(p_j > 0, nn[j] * w / np.where(p_j > 0, p_j, 1.0), 0.0) * X.GEV2_TO_M2
        return ea, ct, r

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        from ...kinematics.directions import about_axis_array

        prep = self._prepare()
        m = float(self.model.mass)
        if self.part is not None:
            vertex = self.part.points.sample(n, rng)
        else:
            vertex = sample_interaction_points(self.beamline, n, rng)
        d = unit_toward(vertex, aim.sample_points(n, rng))
        q = aim.proposal_density(vertex, d)
        e_edges = prep["e_edges"]
        u = rng.random((3, n))
        if self.process == "resonant":
            # no energy proposal: the positron energy at resonance, E_R or (electrons in motion)
            # E_R/(1 - q/m) with the electron's q drawn from the profile (shell by u[0], q by u[1])
            g_E = np.ones(n)
            if prep["profile"] is None:
                E = np.full(n, prep["ER"])
            else:
                w_s, p0 = prep["profile"]
                k = np.minimum(np.searchsorted(np.cumsum(w_s), u[0] * w_s.sum(), side="right"), w_s.size - 1)
                q_e = AS.sample_profile(u[1]) * p0[k]
                E = np.where(q_e < X.M_E, prep["ER"] / np.maximum(1.0 - q_e / X.M_E, 1e-300), np.inf)
            ib = np.searchsorted(e_edges, E, side="right") - 1
            in_table = (ib >= 0) & (ib < e_edges.size - 1)
            ib = np.clip(ib, 0, e_edges.size - 2)
            E = np.where(in_table, E, prep["ER"])
        else:
            p_bin, cdf = self._proposal(aim)
            ib = np.minimum(np.searchsorted(cdf, u[0] * cdf[-1], side="right"), e_edges.size - 2)
            lo, hi = e_edges[ib], e_edges[ib + 1]
            E = lo * (hi / lo) ** u[1]
            g_E = p_bin[ib] / (E * np.log(hi / lo))
        ea, ct, r = self._kinematics_weighted(E, rng)
        ok = np.isfinite(ea) & np.isfinite(ct) & (q > 0)
        ct = np.where(ok, ct, 1.0)
        v = about_axis_array(d, ct, 2.0 * math.pi * u[2])  # the parent's direction
        cos_p = np.clip(v[:, 2], -1.0, 1.0)
        th_p = np.arccos(cos_p)
        tab_th = self._table().theta_edges
        jt = np.searchsorted(tab_th, th_p, side="right") - 1
        inside = (jt >= 0) & (jt < tab_th.size - 1)
        jt = np.clip(jt, 0, tab_th.size - 2)
        T_omega = np.where(inside, prep["T"][ib, jt], 0.0) / (2.0 * math.pi)
        if self.process == "resonant":
            r = prep["coef"]  # ALPs per (m/GeV) of positron density
            w = np.where(ok & inside & in_table, T_omega * r / (prep["total"] * np.where(q > 0, q, 1.0)), 0.0)
        else:
            w = np.where(ok & inside, T_omega * r / (prep["total"] * g_E * np.where(q > 0, q, 1.0)), 0.0)
        pa = np.sqrt(np.maximum(ea * ea - m * m, 0.0))
        llp = np.empty((n, 4))
        llp[:, :3] = np.where(ok, pa, 0.0)[:, None] * d
        llp[:, 3] = np.where(ok, ea, m)
        mpar = 0.0 if self.parent_pdg == 22 else X.M_E
        pp = np.sqrt(np.maximum(E * E - mpar * mpar, 0.0))
        parent = np.column_stack([pp[:, None] * v, E])
        pdg = np.full(n, self.parent_pdg, dtype=np.int32)
        if SHOWER_CHANNELS[self.process][0] == "electrons":  # e- or e+ by their densities in the cell
            t_m = self._density("eminus")[ib, jt]
            t_p = self._density("eplus")[ib, jt]
            tot = t_m + t_p
            pdg = np.where(rng.random(n) * np.where(tot > 0, tot, 1.0) < t_m, 11, -11).astype(np.int32)
        # the shower particle's own creation point is not tracked by the track-length tables
        return ProductionSample(vertex, parent, llp, d, w, parent_pdg=pdg, origin=np.full((n, 3), np.nan))

    def sample_free(self, n: int, rng: np.random.Generator, beamline) -> dict[str, np.ndarray]:
        raise PhysicsError(f"{self.name}: particles from showers feed only their own detection, not X -> N N")


@dataclass
class ShowerALPMixture:
    """One shower process over the showers of several solids (a beamline's hadron cascade:
    target, absorber, dump...): each solid is a :class:`ShowerALPChannel` with its own table,
    material and production points. An event comes from solid k with probability
    ``R_k / R`` (its share of the ALPs per POT), so each keeps its own exact weight."""

    name: str
    process: str
    parts: list

    @property
    def parent_pdg(self) -> int:
        return self.parts[0].parent_pdg

    @property
    def branching(self) -> float:
        return 1.0

    @property
    def rate_per_pot(self) -> float:
        return float(sum(p.rate_per_pot for p in self.parts))

    @property
    def source(self):
        from .hnl_channels import ParentSource

        srcs = [p.source for p in self.parts]
        return ParentSource(self.parent_pdg, float(sum(s.per_pot for s in srcs)),
                            "; ".join(s.provenance for s in srcs))

    def sample(self, n: int, rng: np.random.Generator, beamline, aim) -> ProductionSample:
        rates = np.array([p.rate_per_pot for p in self.parts])
        if not rates.sum() > 0:
            return self.parts[0].sample(n, rng, beamline, aim)
        counts = rng.multinomial(int(n), rates / rates.sum())
        got = [p.sample(int(c), rng, beamline, aim) for p, c in zip(self.parts, counts) if c > 0]
        pdg = [s.parent_pdg if s.parent_pdg is not None else np.full(len(s), self.parent_pdg, dtype=np.int32)
               for s in got]
        return ProductionSample(np.concatenate([s.vertex for s in got]), np.concatenate([s.parent_p4 for s in got]),
                                np.concatenate([s.llp_p4 for s in got]), np.concatenate([s.direction for s in got]),
                                np.concatenate([s.weight_geometric for s in got]), parent_pdg=np.concatenate(pdg),
                                origin=np.concatenate([s.origin for s in got]))

    def sample_free(self, n: int, rng: np.random.Generator, beamline) -> dict[str, np.ndarray]:
        raise PhysicsError(f"{self.name}: particles from showers feed only their own detection, not X -> N N")


def shower_channel(process: str, model, beamline, decay_ctau: float | None = None):
    """The ``alp:<process>`` channel of ``beamline``: on its one shower table, or (a beamline
    whose sources are its hadron cascade) over the showers of every solid."""
    if process not in SHOWER_CHANNELS:
        raise PhysicsError(f"unknown shower channel {process!r}; allowed {', '.join(SHOWER_CHANNELS)}")
    return shower_parts(ShowerALPChannel, f"alp:{process}", process, model, beamline, decay_ctau)


def shower_parts(cls, name: str, process: str, model, beamline, decay_ctau: float | None = None):
    """A shower channel of class ``cls`` (:class:`ShowerALPChannel` or a subclass) named ``name``:
    on the beamline's one shower table, or over the showers of every solid of its hadron
    cascade (a :class:`ShowerALPMixture` when there are several)."""
    from ..sources.resolve import shower_solids, shower_table_name

    solids = shower_solids(beamline)
    if solids is not None:
        parts = [cls(name, process, model, beamline, decay_ctau, part=s) for s in solids]
        return parts[0] if len(parts) == 1 else ShowerALPMixture(name, process, parts)
    shower_table_name(beamline)  # PhysicsError when the beamline names no shower table
    return cls(name, process, model, beamline, decay_ctau)

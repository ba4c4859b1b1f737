"""Meson sources and decaying parents read from a beamline's cascade tables (:mod:`fipgen.cascade`).

A species' source is its (p, theta) table summed over the solids where it is made, per POT,
with :class:`ProductionPoints`: the solid is drawn with its share of the species, then the
production point's x, y and z from that solid's profiles (uniform within each bin). The
point is drawn independently of the meson's momentum (within the mixture of solids: the
momentum spectrum of a solid's share is not kept apart from another's).

The charged pions and kaons and the K0L (the HNL parents) are served as the cascade's own
decays (:func:`cascade_parents`): decays in flight where they happened, with the momentum
at the decay (per solid, and in the vacuum between solids), and decays at rest at the
stopping points, isotropic, at the stopping time plus an exponential rest lifetime. Within
one solid the point, the time and the momentum are drawn independently from their tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np

from ..._jit import JIT_OPTIONS
from ...errors import PhysicsError
from ...sampling import DiscreteChoice, guide_table as _guide
from .meson_spectra import MesonSource

__all__ = ["ProductionPoints", "ShowerSolid", "cascade_meson_source", "cascade_species", "cascade_parents",
           "cascade_shower_solids", "combine_sources", "cascade_charm_source", "first_collisions", "CASCADE_PARENTS", "CHARM",
           "CHARM_MOMENTUM"]

#: Charmed mesons served from the charm-enriched Pythia table of :mod:`.meson_tables`.
CHARM = (411, -411, 421, -421, 431, -431)
#: The beam momentum (GeV/c) of that table; the cascade serves charm within 2 % of it.
CHARM_MOMENTUM = 120.0

#: Species served as decays (in flight and at rest) rather than as production sources.
CASCADE_PARENTS = (211, -211, 321, -321, 130)


@dataclass(frozen=True, eq=False)
class ProductionPoints:
    """Production points of one species: solids, their shares and coordinate profiles (m)."""

    names: tuple[str, ...]
    shares: np.ndarray  # (k,) summing to 1
    profiles: tuple  # per solid: ((edges, cdf) for x, y, z)

    @cached_property
    def _guides(self) -> tuple:
        """Guide tables of the first solid's x, y, z CDFs (:func:`_guide`)."""
        return tuple(_guide(cdf) for _, cdf in self.profiles[0])

    @cached_property
    def _choice(self) -> DiscreteChoice:
        return DiscreteChoice(self.shares)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points (n, 3), beam frame (m)."""
        n = int(n)
        out = np.empty((n, 3))
        if len(self.shares) == 1:  # one solid (a source's part): no choice to draw
            u = rng.random((3, n))
            for c, ((edges, cdf), guide) in enumerate(zip(self.profiles[0], self._guides)):
                _draw_kernel(edges, cdf, guide, u[c], out[:, c])
            return out
        which = self._choice.draw(n, rng)  # rng.choice(k, size=n, p=shares)
        u = rng.random((3, n))
        for k, prof in enumerate(self.profiles):
            sel = np.flatnonzero(which == k)
            if not sel.size:
                continue
            for c, (edges, cdf) in enumerate(prof):
                out[sel, c] = _draw(edges, cdf, u[c, sel])
        return out


def _cdf(counts: np.ndarray) -> np.ndarray:
    c = np.cumsum(np.maximum(counts.astype(np.float64), 0.0))
    return np.minimum(c / c[-1], 1.0)


def _get(arrays, tag: str, pdg: int, rk: str, drop_first: bool = False, prefix: str = "") -> np.ndarray:
    """``arrays["<prefix><tag>_<pdg>_<rk>"]``, minus its generation-1 part
    (``<prefix><tag>1_<pdg>_<rk>``, when the table has one) if ``drop_first``: what the later
    generations made (counts, so the difference is exact)."""
    a = arrays[f"{prefix}{tag}_{pdg}_{rk}"].astype(np.float64)
    first = f"{prefix}{tag}1_{pdg}_{rk}"
    return a - arrays[first] if drop_first and first in arrays else a


def _profiles(arrays, tag: str, pdg: int, rk: str, drop_first: bool = False) -> tuple:
    return tuple((arrays[f"{c}edges_{rk}"], _cdf(_get(arrays, tag, pdg, rk, drop_first, prefix=c))) for c in "xyz")


def _draw(edges: np.ndarray, cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse of a binned CDF, uniform within the bin (the numpy reference of
    :func:`_draw_kernel`)."""
    i = np.minimum(np.searchsorted(cdf, u, side="right"), cdf.size - 1)
    lo = np.where(i > 0, cdf[i - 1], 0.0)
    f = np.where(cdf[i] > lo, (u - lo) / np.where(cdf[i] > lo, cdf[i] - lo, 1.0), 0.5)
    return edges[i] + f * (edges[i + 1] - edges[i])


@numba.njit(**JIT_OPTIONS)
def _draw_kernel(edges, cdf, guide, u, out):  # pragma: no cover - compiled
    """:func:`_draw` into ``out``, the same operations per element (the same numbers); the bin
    found from the guide table by a short forward search (the index ``searchsorted`` gives)."""
    m = cdf.size
    g = guide.size
    for k in range(u.size):
        j = int(u[k] * g)
        i = guide[j if j < g else g - 1]
        while i < m and cdf[i] <= u[k]:
            i += 1
        if i > m - 1:
            i = m - 1
        lo = cdf[i - 1] if i > 0 else 0.0
        f = (u[k] - lo) / (cdf[i] - lo) if cdf[i] > lo else 0.5
        out[k] = edges[i] + f * (edges[i + 1] - edges[i])


def cascade_species(arrays, header) -> dict[int, float]:
    """Per-POT multiplicity of every species made somewhere in the cascade (solids and vacuum)."""
    out: dict[int, float] = {}
    for per in header["multiplicities"].values():
        for pdg, v in per.get("prod", {}).items():
            out[int(pdg)] = out.get(int(pdg), 0.0) + v["per_pot"]
    return out


def cascade_meson_source(arrays, header, pdg: int, what: str, first_only: bool = False,
                         drop_first_in: tuple[str, ...] = ()) -> MesonSource:
    """The :class:`MesonSource` of ``pdg`` from a cascade table (``first_only``: the beam
    particle's first collision only; ``drop_first_in``: solids, by key, whose generation-1
    mesons are left out, measured fits standing for them)."""
    pdg = int(pdg)
    tag = "prod1" if first_only else "prod"
    keys = [k for k in arrays if k.startswith(f"{tag}_{pdg}_")]
    total = None
    hists, names, shares, profiles = [], [], [], []
    for key in sorted(keys):
        rk = key.rsplit("_", 1)[1]
        drop = rk in drop_first_in and not first_only
        h = _get(arrays, tag, pdg, rk, drop)
        if not h.sum() > 0 or rk == "v":
            continue  # decays in vacuum between solids: too few to place (listed in the header)
        total = h if total is None else total + h
        hists.append(h.astype(np.float64))
        names.append(header["regions"][rk]["name"] + (" (later generations)" if drop else ""))
        shares.append(h.sum())
        profiles.append(_profiles(arrays, tag, pdg, rk, drop))
    if total is None:
        raise PhysicsError(f"the cascade of {what} made no pdg {pdg}")
    n_pot = int(header["n_pot"])
    per_pot = float(total.sum()) / n_pot
    s = np.array(shares) / float(np.sum(shares))
    err = math.sqrt(total.sum()) / n_pot
    prov = (f"fipgen cascade source of pdg {pdg} for {what}: {header['made_by']}, Pythia {header['pythia']['version']} "
            f"({header['pythia']['interface']}), {n_pot} POT, seed {header['seed']}; {per_pot:.5g} +- {err:.2g} per POT"
            + (" (first collision only)" if first_only else " (generation 1 of the target left out)" if drop_first_in
               else " (all generations)")
            + "; made in " + ", ".join(f"{nm} {sh:.1%}" for nm, sh in zip(names, s)))
    return _by_solid(pdg, [h / n_pot for h in hists], names, profiles, arrays["p_edges"], arrays["theta_edges"], prov)


def _cdf_of(h: np.ndarray) -> np.ndarray:
    cdf = np.minimum(np.cumsum(h.ravel()) / h.sum(), 1.0)
    cdf[-1] = 1.0
    return cdf


def _by_solid(pdg: int, per_pot: list, names: list, profiles: list, p_edges, theta_edges, prov: str) -> MesonSource:
    """The source summing per-solid (p, theta) histograms ``per_pot`` (mesons per POT), with one
    component per solid (its own spectrum and points, :attr:`MesonSource.components`)."""
    total = np.sum(per_pot, axis=0)
    tot = float(total.sum())
    share = np.array([float(h.sum()) for h in per_pot]) / tot
    pts = ProductionPoints(tuple(names), share, tuple(profiles))
    parts = tuple(MesonSource(pdg, float(h.sum()), p_edges, theta_edges, _cdf_of(h), f"{prov} [part: {nm}]",
                              ProductionPoints((nm,), np.ones(1), (pr,)))
                  for h, nm, pr in zip(per_pot, names, profiles)) if len(per_pot) > 1 else ()
    return MesonSource(pdg, tot, p_edges, theta_edges, _cdf_of(total), prov, pts, parts)


def cascade_parents(arrays, header, pdg: int, what: str, drop_first_in: tuple[str, ...] = ()):
    """``parents(n, rng, beamline) -> ParentDecays`` of species ``pdg`` (one of
    :data:`CASCADE_PARENTS`) from the cascade's decays in flight and at rest (module
    docstring), with ``per_pot`` (decays per POT) and ``provenance``; ``drop_first_in``: solids,
    by key, in which the decays of what the beam's first collision in the target made are left
    out (all of them: the measured fits' transported mesons stand for those decays)."""
    from ... import constants as C
    from ..parents import ParentDecays

    pdg = int(pdg)
    n_pot = int(header["n_pot"])
    parts = []  # (at_rest, count, ptheta cdf or None, profiles, (t_edges, t cdf), region name)
    for key in sorted(arrays):
        tag, _, rest = key.partition("_")
        if tag not in ("dif", "dar") or not rest.startswith(f"{pdg}_") or rest.count("_") != 1:
            continue
        rk = rest.rsplit("_", 1)[1]
        drop = rk in drop_first_in
        count = int(round(_get(arrays, tag, pdg, rk, drop, prefix="x").sum()))
        if count <= 0:
            continue
        h = _get(arrays, tag, pdg, rk, drop)
        ptheta = None
        if tag == "dif":
            ptheta = np.minimum(np.cumsum(h.ravel()) / h.sum(), 1.0)
            ptheta[-1] = 1.0
        parts.append((tag == "dar", count, ptheta, _profiles(arrays, tag, pdg, rk, drop),
                      (arrays["t_edges"], _cdf(_get(arrays, tag, pdg, rk, drop, prefix="t"))),
                      header["regions"][rk]["name"]))
    if not parts:
        raise PhysicsError(f"the cascade of {what} has no decays of pdg {pdg} ({n_pot} POT)")
    counts = np.array([c for _, c, *_ in parts], dtype=np.float64)
    total = float(counts.sum())
    shares = counts / total
    per_pot = total / n_pot
    mass = C.mass(pdg)
    ctau_rest_ns = C.HBARC_GEV_M / C.width(pdg) / C.C_M_PER_NS
    p_edges, th_edges = arrays["p_edges"], arrays["theta_edges"]
    n_theta = th_edges.size - 1

    choice = DiscreteChoice(shares) if len(parts) > 1 else None

    def parents(n, rng, bl=None):
        n = int(n)
        # rng.choice(k, size=n, p=shares)'s draws
        which = choice.draw(n, rng) if choice is not None else np.zeros(n, dtype=np.int64)
        vertex = np.empty((n, 3))
        p4 = np.zeros((n, 4))
        p4[:, 3] = mass
        time = np.empty(n)
        rest = np.zeros(n, dtype=bool)
        u = rng.random((8, n))
        for k, (at_rest, _, ptheta, prof, (te, tc), _) in enumerate(parts):
            sel = np.flatnonzero(which == k)
            if not sel.size:
                continue
            for c, (edges, cdf) in enumerate(prof):
                vertex[sel, c] = _draw(edges, cdf, u[c, sel])
            time[sel] = _draw(te, tc, u[3, sel])
            if at_rest:
                rest[sel] = True
                time[sel] += -ctau_rest_ns * np.log1p(-u[4, sel])
                continue
            b = np.minimum(np.searchsorted(ptheta, u[4, sel], side="right"), ptheta.size - 1)
            ip, it = np.divmod(b, n_theta)
            p = p_edges[ip] + u[5, sel] * (p_edges[ip + 1] - p_edges[ip])
            ct = np.cos(th_edges[it]) + u[6, sel] * (np.cos(th_edges[it + 1]) - np.cos(th_edges[it]))
            st = np.sqrt(np.maximum(1.0 - ct * ct, 0.0))
            phi = 2.0 * np.pi * u[7, sel]
            p4[sel, 0] = p * st * np.cos(phi)
            p4[sel, 1] = p * st * np.sin(phi)
            p4[sel, 2] = p * ct
            p4[sel, 3] = np.sqrt(p * p + mass * mass)
        return ParentDecays(pdg=np.full(n, pdg, dtype=np.int32), vertex=vertex, p4=p4, time=time,
                            weight=np.full(n, per_pot), at_rest=rest)

    parents.per_pot = per_pot
    where = ", ".join(f"{'at rest' if r else 'in flight'} in {nm} {sh:.1%}"
                      for (r, _, _, _, _, nm), sh in zip(parts, shares))
    parents.provenance = (f"fipgen cascade decays of pdg {pdg} for {what}: {header['made_by']}, Pythia "
                          f"{header['pythia']['version']}, {n_pot} POT, seed {header['seed']}; {per_pot:.5g} +- "
                          f"{math.sqrt(total) / n_pot:.2g} decays per POT ({where})")
    return parents


@dataclass(frozen=True, eq=False)
class ShowerSolid:
    """The electromagnetic showers of one solid of a beamline's cascade: the solid's name,
    material and volume, its track-length table (a :class:`fipgen.shower.fold.ShowerTable`
    with source ``cascade``) and where its showers start (:class:`ProductionPoints`, the
    seeds' energy-weighted profiles)."""

    name: str
    material: object
    solid: object
    table: object
    points: ProductionPoints


def cascade_shower_solids(arrays, header, beamline) -> list[ShowerSolid]:
    """The :class:`ShowerSolid` of every solid whose showers the cascade tables hold."""
    from ...shower.fold import SPECIES_KEYS, ShowerTable

    out = []
    elements = {e.name: e for e in beamline.elements()}
    for rk, info in sorted(header["regions"].items()):
        if f"dL_gamma_{rk}" not in arrays:
            continue
        tab_arrays = {f"{kind}_{sp}_cascade": arrays[f"{kind}_{sp}_{rk}"]
                      for kind in ("dL", "err", "batch") for sp in SPECIES_KEYS}
        el = elements[info["name"]]
        table = ShowerTable(f"{beamline.name}:{info['name']}", arrays["shower_energy_edges"],
                            arrays["shower_theta_edges"], tab_arrays,
                            {"generator": header["made_by"], **header.get("showers", {}).get("solids", {}).get(rk, {})})
        prof = tuple((arrays[f"{c}edges_{rk}"], _cdf(arrays[f"{c}seedE_{rk}"])) for c in "xyz")
        out.append(ShowerSolid(info["name"], el.material, el.solid, table,
                               ProductionPoints((info["name"],), np.ones(1), (prof,))))
    return out


@dataclass(frozen=True, eq=False)
class _MixedPoints:
    """Production points of a combined source: each component with its share (``None``: the
    beam's first-interaction points in the target)."""

    beamline: object
    shares: np.ndarray
    parts: tuple

    @cached_property
    def _choice(self) -> DiscreteChoice:
        return DiscreteChoice(self.shares)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        from .vertex import sample_interaction_points

        n = int(n)
        which = self._choice.draw(n, rng)  # rng.choice(k, size=n, p=shares)
        out = np.empty((n, 3))
        for k, pts in enumerate(self.parts):
            sel = np.flatnonzero(which == k)
            if sel.size:
                out[sel] = (pts.sample(sel.size, rng) if pts is not None
                            else sample_interaction_points(self.beamline, sel.size, rng))
        return out


def _rebin(src: MesonSource, p_edges: np.ndarray, theta_edges: np.ndarray) -> np.ndarray:
    """``src``'s bin probabilities moved onto another (p, theta) grid, its density being uniform
    in p and cos(theta) within each of its bins (as its sampler draws)."""
    def overlap(old, new):
        lo = np.maximum(old[:-1, None], new[None, :-1])
        hi = np.minimum(old[1:, None], new[None, 1:])
        return np.clip(hi - lo, 0.0, None) / np.diff(old)[:, None]

    wp = overlap(src.p_edges, p_edges)
    wc = overlap(-np.cos(src.theta_edges), -np.cos(theta_edges))
    return wp.T @ src.bin_probabilities() @ wc


def combine_sources(first: MesonSource, later: MesonSource, beamline) -> MesonSource:
    """The measured first-interaction source ``first`` (made at the beam's first interaction
    points in the target) plus the cascade's later generations ``later``, on ``later``'s grid:
    per POT the sum; (p, theta) the per-POT-weighted sum of the two; the production point drawn
    from the two in proportion, independently of the momentum."""
    h = first.per_pot * _rebin(first, later.p_edges, later.theta_edges) + later.per_pot * later.bin_probabilities()
    total = float(h.sum())
    cdf = np.minimum(np.cumsum(h.ravel()) / total, 1.0)
    cdf[-1] = 1.0
    per_pot = first.per_pot + later.per_pot
    shares = np.array([first.per_pot, later.per_pot]) / per_pot
    pts = _MixedPoints(beamline, shares, (first.points, later.points))
    prov = (f"measured first interactions in the target, {first.per_pot:.4g} per POT [{first.provenance}] + the "
            f"cascade's later generations, {later.per_pot:.4g} per POT [{later.provenance}]")
    parts = (first, *(later.components or (later,)))  # each with its own spectrum and points
    return MesonSource(first.pdg, per_pot, later.p_edges, later.theta_edges, cdf, prov, pts, parts)


def first_collisions(arrays, header, beam_pdg: int) -> dict[str, tuple[str, float, ProductionPoints]]:
    """The beam's own first collisions in each solid of a cascade table: ``{solid key: (name,
    collisions per POT, where)}`` (the charm sources and proton bremsstrahlung)."""
    out = {}
    for rk, info in sorted(header["regions"].items()):
        key = f"coll1_{int(beam_pdg)}_{rk}"
        if rk == "v" or key not in arrays or not arrays[key].sum():
            continue
        pts = ProductionPoints((info["name"],), np.ones(1), (_profiles(arrays, "coll1", int(beam_pdg), rk),))
        out[rk] = (info["name"], float(arrays[key].sum()) / int(header["n_pot"]), pts)
    return out


def cascade_charm_source(arrays, header, pdg: int, what: str, beamline) -> MesonSource:
    """Charmed meson ``pdg`` from the beam's own first collisions in every solid of the cascade.

    Minimum-bias collisions make almost no charm, so it comes from Pythia's hard ccbar table
    at 120 GeV/c (:data:`fipgen.production.sources.meson_tables.CHARM_FILE`; mesons per ccbar
    event, p-p and p-n mixed by the solid's Z/A), times ``A sigma_cc(pN) / sigma_inel(pA)``
    per collision (A^alpha scaling with alpha = 1: E769 measured alpha = 1.00 +- 0.05 for D
    mesons, Alves et al., PRL 70 (1993) 722; sigma_cc(pN) of that table's header, sigma_inel(pA)
    from the material's lambda_I), times the beam particle's first collisions per POT in each solid
    (target and, for the beam that crosses it, absorber or dump), at their points. Later
    collisions are left out: a secondary's ccbar cross section falls steeply below the beam
    momentum (the 1-d estimate of scripts/make_meson_tables.py: +12 % at NuMI).
    """
    from ...geometry.materials import AVOGADRO
    from .meson_tables import CHARM_FILE, read_table

    pdg = int(pdg)
    if abs(beamline.beam_momentum - CHARM_MOMENTUM) > 0.02 * CHARM_MOMENTUM:
        raise PhysicsError(f"{what}: charm sources exist for {CHARM_MOMENTUM:g} GeV/c beams (the hard ccbar table), "
                           f"not {beamline.beam_momentum:g} GeV/c")
    tab, head = read_table(CHARM_FILE)
    sigma_cc_cm2 = head["charm_cross_section"]["sigma_cc_ub_per_nucleon"] * 1e-30
    runs = head["runs"]
    n_pot = int(header["n_pot"])
    elements = {e.name: e for e in beamline.elements()}
    total = None
    hists, names, shares, profiles = [], [], [], []
    for name, per_pot_k, pts in first_collisions(arrays, header, beamline.beam_particle).values():
        mat = elements[name].material
        za = float(mat.z_over_a)
        shape = (za * tab[f"counts_pp_{pdg}"] / runs["pp"]["n_events"]
                 + (1 - za) * tab[f"counts_pn_{pdg}"] / runs["pn"]["n_events"])  # mesons per ccbar event
        sigma_inel_cm2 = mat.A / (AVOGADRO * mat.interaction_length)
        per_coll = mat.A * sigma_cc_cm2 / sigma_inel_cm2
        w = per_pot_k * per_coll * shape
        total = w if total is None else total + w
        hists.append(np.asarray(w, dtype=np.float64))
        names.append(name)
        shares.append(float(w.sum()))
        profiles.append(pts.profiles[0])
    if total is None or not total.sum() > 0:
        raise PhysicsError(f"{what}: the cascade has no beam collisions to make charm in")
    per_pot = float(total.sum())
    cdf = np.minimum(np.cumsum(total.ravel()) / per_pot, 1.0)
    cdf[-1] = 1.0
    s = np.array(shares) / per_pot
    prov = (f"fipgen charm source of pdg {pdg} for {what}: {head['process']} mesons per ccbar event (table {CHARM_FILE}) "
            f"x A sigma_cc(pN) / sigma_inel(pA), sigma_cc = {head['charm_cross_section']['sigma_cc_ub_per_nucleon']:.3g} "
            f"ub/nucleon, x the beam's first collisions per POT of the cascade ({n_pot} POT): {per_pot:.4g} per POT, "
            "made in " + ", ".join(f"{nm} {sh:.1%}" for nm, sh in zip(names, s))
            + "; later collisions left out")
    return _by_solid(pdg, hists, names, profiles, tab["p_edges"], tab["theta_edges"], prov)

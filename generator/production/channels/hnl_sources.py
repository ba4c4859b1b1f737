"""HNL production channels of a run card: parent species -> aimed HNL channels.

A run-card channel ``"hnl:<parent>"`` stands for every decay of that parent into an HNL
that is open at the HNL mass and has a non-zero mixing:

===========  ===================================================================
``pi+``      pi+ -> e+ N, mu+ N
``pi-``      pi- -> e- N, mu- N (their charge conjugates)
``K+``       K+ -> e+ N, mu+ N; K+ -> pi0 e+ N, pi0 mu+ N (form factors)
``K-``       K- -> e- N, mu- N (no K- source at the BNB)
``K0L``      K_L -> pi-+ e+- N, pi-+ mu+- N
``D+``       D+ -> e+ N, mu+ N, tau+ N  (and ``D-``)
``Ds+``      Ds+ -> e+ N, mu+ N, tau+ N  (and ``Ds-``)
``tau``      Ds+- -> tau+- nu, tau -> N X for every X of ``TAU_CHANNELS``
===========  ===================================================================

Parents. On a beamline whose sources are its hadron cascade (``mesons = "cascade"``), the
charged pions and kaons and the K0L are the cascade's own decays in flight and at rest,
wherever they happened (:func:`fipgen.production.sources.resolve.cascade_parent_decays`).
Otherwise charged pions and kaons are carried through the target, decay pipe, absorber and
walls to their decays in flight or at rest (:mod:`fipgen.production.transport.meson_transport`),
the parent's decay point being the HNL's vertex. BNB: the Sanford-Wang / Feynman-scaling
sources; 120 GeV beamlines: the BMPT / Pythia tables (:mod:`meson_tables`), through the
NuMI / LBNF target, the air gap and the helium decay pipe to the aluminium absorber (no
horn focusing: give a dk2nu parent list for focused beams). Charmed mesons (c tau 0.15-0.31 mm) decay where they are made:
at the proton's interaction point, with the table's momentum (flight neglected). Sub-channel
names are ``"hnl:<parent> -> <daughters>"`` (e.g. ``"hnl:K+ -> mu+ N"``) with stable codes
(:func:`fipgen.registry.channel_code`).
"""

from __future__ import annotations

from functools import lru_cache

from ... import constants as C
from ...errors import PhysicsError
from ..sources.resolve import (
    _source,
    cascade_parent_decays,
    first_interaction_view,
    measured_species,
    uses_cascade,
)

__all__ = ["HNL_PARENTS", "hnl_channels", "parents_callable"]

#: Run-card parent names -> PDG code.
HNL_PARENTS = {"pi+": 211, "pi-": -211, "K+": 321, "K-": -321, "K0L": 130, "D+": 411, "D-": -411,
               "Ds+": 431, "Ds-": -431, "tau": 431}


_PROMPT = (411, 431)  # charmed parents: decay at the production point


@lru_cache(maxsize=None)
def _decays_per_pot(beamline_path: str, pdg: int) -> float:
    """Decays per POT of species ``pdg`` after transport in the beamline of that file (cached by
    the file, not by the beamline's name: two files of one name may differ)."""
    from ...geometry import load_beamline
    from ..transport.meson_transport import fate_summary

    bl = load_beamline(beamline_path)
    if uses_cascade(bl):
        return cascade_parent_decays(bl, pdg).per_pot
    if abs(pdg) in _PROMPT:
        return _source(bl, pdg).per_pot
    s = fate_summary(_source(bl, pdg), bl, n=100_000)
    return s["dif"] + s["dar"]


def parents_callable(beamline, pdg: int, external=None):
    """``parents(n, rng, beamline) -> ParentDecays`` of species ``pdg`` (flight and rest), with
    ``per_pot`` (decays per POT; only the channel mix depends on its accuracy) and
    ``provenance``."""
    if external is not None and external.format == "dk2nu":
        return external.decays(pdg)[0]
    if external is None and uses_cascade(beamline) and abs(pdg) not in _PROMPT:
        if pdg in measured_species(beamline):
            # measured first interactions in the target, transported, + the cascade's later generations
            view = first_interaction_view(beamline)
            return _mixed_parents([_transported(_source(view, pdg), view),
                                   cascade_parent_decays(beamline, pdg, later_only=True)])
        return cascade_parent_decays(beamline, pdg)  # the cascade's own decays in flight and at rest
    src = _source(beamline, pdg, external)
    if abs(pdg) in _PROMPT:
        return _prompt_parents(src, beamline)
    return _transported(src, beamline, _decays_per_pot(str(beamline.path), pdg) if external is None else None)


def _transported(src, beamline, per_pot: float | None = None):
    """Parents from the meson source ``src`` carried through the beamline's solids by the meson
    transport (decays in flight and at rest); ``per_pot`` their decays per POT when known, else
    from :func:`~fipgen.production.transport.meson_transport.fate_summary` on ``beamline``."""
    from ..transport.meson_transport import fate_summary, sample_parent_decays

    def parents(n, rng, bl):
        return sample_parent_decays(src, bl, n, rng, fate="all")

    if per_pot is None:
        f = fate_summary(src, beamline, n=100_000)
        per_pot = f["dif"] + f["dar"]
    parents.per_pot = per_pot
    parents.provenance = (f"{src.provenance}; transported (decays in flight and at rest, "
                          f"fipgen.production.transport.meson_transport): {parents.per_pot:.4g} decays per POT")
    return parents


def _mixed_parents(parts):
    """One parents callable from several: each decay drawn from part k with probability
    ``R_k / R`` (its share of the decays per POT), its weight scaled by ``R / R_k`` (exact)."""
    import numpy as np

    from ..parents import ParentDecays

    rates = np.array([p.per_pot for p in parts], dtype=np.float64)
    total = float(rates.sum())

    def parents(n, rng, bl):
        counts = rng.multinomial(int(n), rates / total)
        got = [(p(int(c), rng, bl), total / r) for p, c, r in zip(parts, counts, rates) if c > 0]
        return ParentDecays(pdg=np.concatenate([d.pdg for d, _ in got]),
                            vertex=np.concatenate([d.vertex for d, _ in got]),
                            p4=np.concatenate([d.p4 for d, _ in got]), time=np.concatenate([d.time for d, _ in got]),
                            weight=np.concatenate([d.weight * f for d, f in got]),
                            at_rest=np.concatenate([d.at_rest for d, _ in got]),
                            origin=np.concatenate([np.full((len(d), 3), np.nan) if d.origin is None else d.origin
                                                   for d, _ in got]))

    parents.per_pot = total
    parents.provenance = " + ".join(f"[{p.provenance}]" for p in parts)
    return parents


def _prompt_parents(sources, beamline):
    """Parents decaying where they are made (charm: the proton's interaction point, or a cascade source's own
    production points): ``ParentDecays`` with the
    sources' momenta (a list of sources: each parent drawn from one of them in proportion to
    its ``per_pot``, e.g. Ds+ and Ds-), weight = total per POT, time = light-speed time to the
    vertex."""
    import numpy as np

    from ...constants import C_M_PER_NS
    from ..parents import ParentDecays
    from ..sources.vertex import source_points, source_sample

    sources = list(sources) if isinstance(sources, (list, tuple)) else [sources]
    rates = np.array([s.per_pot for s in sources])
    total = float(rates.sum())
    cum = np.cumsum(rates / total)
    cum[-1] = 1.0

    def parents(n, rng, bl):
        v = source_points(bl, sources[0], n, rng)
        which = np.searchsorted(cum, rng.random(n), side="right") if len(sources) > 1 else np.zeros(n, dtype=np.int64)
        p4 = np.empty((n, 4))
        pdg = np.empty(n, dtype=np.int32)
        for k, src in enumerate(sources):
            idx = np.flatnonzero(which == k)
            if idx.size:
                pdg[idx] = src.pdg
                if src.components:  # point and momentum from the same part (solid) of the source
                    v[idx], p4[idx] = source_sample(bl, src, idx.size, rng)
                    continue
                p4[idx] = src.sample(idx.size, rng)
                if k > 0 and src.points is not None:  # each source at its own production points
                    v[idx] = src.points.sample(idx.size, rng)
        return ParentDecays(pdg=pdg, vertex=v, p4=p4, time=v[:, 2] / C_M_PER_NS, weight=np.full(n, total),
                            at_rest=np.zeros(n, dtype=bool), origin=v)

    parents.per_pot = total
    parents.provenance = "; ".join(s.provenance for s in sources) + "; decaying at the production point (flight neglected)"
    return parents


def hnl_channels(parent: str, hnl, beamline, external=None) -> tuple[list, list[str]]:
    """The open sub-channels of ``"hnl:<parent>"`` (module table) and the names of closed ones."""
    from ...models.hnl_production import TAU_CHANNELS
    from .hnl_channels import HNLKaonThreeBodyChannel, HNLMesonTwoBodyChannel, HNLTauChannel

    if parent not in HNL_PARENTS:
        raise PhysicsError(f"HNL parent {parent!r}: allowed {', '.join(HNL_PARENTS)}")
    pdg = HNL_PARENTS[parent]
    U2 = dict(zip(("e", "mu", "tau"), hnl.U2))
    out, closed = [], []
    if parent == "tau":
        par = _prompt_parents([_source(beamline, 431, external), _source(beamline, -431, external)], beamline)
        for tc, flav in TAU_CHANNELS.items():
            if U2[flav] <= 0.0:
                continue
            ch = HNLTauChannel(f"hnl:tau -> {tc}", par, tc, hnl, parents_per_pot=par.per_pot)
            (out if ch.branching > 0.0 else closed).append(ch if ch.branching > 0.0 else ch.name)
        return out, closed
    par = parents_callable(beamline, pdg, external)
    sign = "+" if pdg > 0 else "-"
    m_parent = C.mass(abs(pdg))
    for lep in ("e", "mu", "tau"):
        if U2[lep] <= 0.0:
            continue
        ml = C.mass({"e": 11, "mu": 13, "tau": 15}[lep])
        if abs(pdg) in (211, 321, 411, 431):
            name = f"hnl:{parent} -> {lep}{sign} N"
            if m_parent > ml + hnl.mass:
                out.append(HNLMesonTwoBodyChannel(name, par, pdg, lep, hnl, parents_per_pot=par.per_pot))
            else:
                closed.append(name)
        if abs(pdg) in (321, 130) and lep != "tau":
            pion = "pi0" if abs(pdg) == 321 else "pi"
            name = f"hnl:{parent} -> {pion} {lep}{sign if abs(pdg) == 321 else ''} N"
            m_pi = C.mass(111 if abs(pdg) == 321 else 211)
            if m_parent > ml + hnl.mass + m_pi:
                out.append(HNLKaonThreeBodyChannel(name, par, abs(pdg), lep, hnl, parents_per_pot=par.per_pot))
            else:
                closed.append(name)
    return out, closed

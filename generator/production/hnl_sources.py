"""HNL production channels of a run card: parent species -> aimed HNL channels.

A run-card channel ``"hnl:<parent>"`` stands for every decay of that parent into an HNL
that is open at the HNL mass and has a non-zero mixing:

===========  =================================================================
``pi+``      pi+ -> e+ N, mu+ N
``pi-``      pi- -> e- N, mu- N (their charge conjugates)
``K+``       K+ -> e+ N, mu+ N; K+ -> pi0 e+ N, pi0 mu+ N (form factors)
``K0L``      K_L -> pi-+ e+- N, pi-+ mu+- N
===========  =================================================================

The parents are the beamline's charged-meson sources carried through the target, decay
pipe, absorber and walls (:mod:`generator.production.meson_transport`): decays in flight
and at rest, the parent's decay point being the HNL's production vertex. Sub-channel names
are ``"hnl:<parent> -> <daughters>"`` (e.g. ``"hnl:K+ -> mu+ N"``) with stable codes
(:func:`channel_code`).
"""

from __future__ import annotations

from functools import lru_cache

from .. import constants as C
from ..errors import PhysicsError

__all__ = ["HNL_PARENTS", "hnl_channels", "channel_code", "parents_callable"]

#: Run-card parent names -> PDG code.
HNL_PARENTS = {"pi+": 211, "pi-": -211, "K+": 321, "K0L": 130}

_PARENT_INDEX = {"pi+": 1, "pi-": 2, "K+": 3, "K-": 4, "K0L": 5, "D+": 6, "D-": 7, "Ds+": 8, "Ds-": 9}
_MODE_INDEX = {("two", "e"): 1, ("two", "mu"): 2, ("two", "tau"): 3, ("three", "e"): 4, ("three", "mu"): 5}
_FIXED = {"zprime:pi0": 1, "zprime:eta": 2, "alp:pi0": 11, "alp:eta": 12}


def channel_code(name: str) -> int:
    """Code of a production (sub-)channel in the ``channel`` branch.

    Z': 1 (pi0), 2 (eta); ALP: 11 (pi0), 12 (eta); HNL: ``100 + 10 * parent + mode`` with
    parent pi+ 1, pi- 2, K+ 3, K- 4, K0L 5, D+ 6, D- 7, Ds+ 8, Ds- 9 and mode 1, 2, 3 for the
    two-body decays to e, mu, tau and 4, 5 for the three-body ``pi e N``, ``pi mu N``.
    """
    if name in _FIXED:
        return _FIXED[name]
    if name.startswith("hnl:") and " -> " in name:
        parent, _, rest = name[4:].partition(" -> ")
        d = rest.split()
        kind = "three" if len(d) == 3 else "two"
        lep = d[-2].rstrip("+-")
        if parent in _PARENT_INDEX and (kind, lep) in _MODE_INDEX:
            return 100 + 10 * _PARENT_INDEX[parent] + _MODE_INDEX[(kind, lep)]
    raise KeyError(f"no channel code for {name!r}")


def _source(beamline, pdg: int):
    if beamline.name not in ("bnb",):
        raise PhysicsError(
            f"charged-meson sources exist for the BNB target only in this version, not beamline {beamline.name!r}"
        )
    from .charged_mesons import bnb_charged_source

    return bnb_charged_source(pdg)


@lru_cache(maxsize=None)
def _decays_per_pot(beamline_name: str, pdg: int) -> float:
    from ..geometry import load_beamline
    from .meson_transport import fate_summary

    bl = load_beamline(beamline_name)
    s = fate_summary(_source(bl, pdg), bl, n=100_000)
    return s["dif"] + s["dar"]


def parents_callable(beamline, pdg: int):
    """``parents(n, rng, beamline) -> ParentDecays`` of species ``pdg`` (flight and rest), with
    ``per_pot`` (decays per POT; only the channel mix depends on its accuracy) and
    ``provenance``."""
    from .meson_transport import sample_parent_decays

    src = _source(beamline, pdg)

    def parents(n, rng, bl):
        return sample_parent_decays(src, bl, n, rng, fate="all")

    parents.per_pot = _decays_per_pot(beamline.name, pdg)
    parents.provenance = (f"{src.provenance}; transported (decays in flight and at rest, "
                          f"generator.production.meson_transport): {parents.per_pot:.4g} decays per POT")
    return parents


def hnl_channels(parent: str, hnl, beamline) -> tuple[list, list[str]]:
    """The open sub-channels of ``"hnl:<parent>"`` (module table) and the names of closed ones."""
    from .hnl_channels import HNLKaonThreeBodyChannel, HNLMesonTwoBodyChannel

    if parent not in HNL_PARENTS:
        raise PhysicsError(f"HNL parent {parent!r}: allowed {', '.join(HNL_PARENTS)}")
    pdg = HNL_PARENTS[parent]
    U2 = dict(zip(("e", "mu", "tau"), hnl.U2))
    par = parents_callable(beamline, pdg)
    sign = "+" if pdg > 0 else "-"
    out, closed = [], []
    m_parent = C.mass(abs(pdg))
    for lep in ("e", "mu"):
        if U2[lep] <= 0.0:
            continue
        ml = C.mass({"e": 11, "mu": 13}[lep])
        if abs(pdg) in (211, 321):
            name = f"hnl:{parent} -> {lep}{sign} N"
            if m_parent > ml + hnl.mass:
                out.append(HNLMesonTwoBodyChannel(name, par, pdg, lep, hnl, parents_per_pot=par.per_pot))
            else:
                closed.append(name)
        if abs(pdg) in (321, 130):
            pion = "pi0" if abs(pdg) == 321 else "pi"
            name = f"hnl:{parent} -> {pion} {lep}{sign if abs(pdg) == 321 else ''} N"
            m_pi = C.mass(111 if abs(pdg) == 321 else 211)
            if m_parent > ml + hnl.mass + m_pi:
                out.append(HNLKaonThreeBodyChannel(name, par, abs(pdg), lep, hnl, parents_per_pot=par.per_pot))
            else:
                closed.append(name)
    return out, closed

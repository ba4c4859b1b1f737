"""What a scan varies: the mass and coupling axes of a run card, and how rates scale.

A scan point is the card with two values replaced: the **mass** (default: the detected
particle's, ``model.<llp>.mass``) and the **coupling** (default: the detected particle's
"model coupling"):

======================  ==============================================================
coupling key            meaning
======================  ==============================================================
``model.zprime.coupling``  epsilon (dark photon) or g (B-L, B)
``model.hnl.mixing``       ``|U|^2``: the card's non-zero mixings scaled together so their
                           sum is the value (one flavour: that flavour's ``|U|^2``)
``model.alp.g_gamma``,     an ALP coupling (the default for a detected ALP is the first
``g_electron``,            non-zero of g_gamma, g_electron, g_muon, g_hnl)
``g_muon``, ``g_hnl``
======================  ==============================================================

Production rates against the coupling (for the reweighting of :mod:`fipgen.scan.reweight`):
each channel's rate is ``R_k(c) = R_k(c0) (c/c0)^n_k x B_k(c)/B_k(c0)`` with the power
``n_k`` of the channel's registry entry (:func:`fipgen.registry.production_power`: Z' channels 2
in g; HNL channels 1 in ``|U|^2``; ALP mixing 0 in an ALP coupling; ALPs from showers 2 in their
own coupling: Primakoff in g_agg, the electron processes in g_aee; ``X -> N N`` X's own power)
and ``B_k`` the boson's ``BR(X -> N N)`` for the X -> N N channels (recomputed from the X model
at ``c``: an ALP coupling changes it). Everything else (the
detected particle's branching ratios and c*tau) is recomputed from the model at ``c``.
"""

from __future__ import annotations

from dataclasses import replace

from ..card import ModelSpec, RunCard
from ..errors import CardError
from ..registry import COUPLING_KEYS, production_power

__all__ = ["ScanAxes", "default_coupling_key", "card_at", "COUPLING_KEYS"]



def default_coupling_key(card: RunCard) -> str:
    llp = card.llp
    if llp == "zprime":
        return "model.zprime.coupling"
    if llp == "hnl":
        return "model.hnl.mixing"
    spec = card.models["alp"]
    for k in ("g_gamma", "g_electron", "g_muon", "g_hnl"):
        if getattr(spec, k) != 0.0:
            return f"model.alp.{k}"
    return "model.alp.g_gamma"


def _mixings(card: RunCard) -> dict[str, float]:
    spec = card.models["hnl"]
    return {k: getattr(spec, k) for k in ("mixing_e", "mixing_mu", "mixing_tau")}


def coupling_value(card: RunCard, key: str) -> float:
    """The card's value of the coupling ``key``."""
    if key == "model.hnl.mixing":
        return float(sum(_mixings(card).values()))
    _, particle, name = key.split(".")
    return float(getattr(card.models[particle], name))


def card_at(card: RunCard, mass_key: str | None = None, mass: float | None = None, coupling_key: str | None = None,
            coupling: float | None = None) -> RunCard:
    """The card with the mass and/or coupling replaced (keys as in the module docstring)."""
    models = dict(card.models)

    def set_(particle, values):
        spec = models[particle].as_dict()
        spec.update(values)
        models[particle] = ModelSpec(particle, tuple(spec.items()))

    if mass is not None:
        _, particle, name = mass_key.split(".")
        set_(particle, {name: float(mass)})
    if coupling is not None:
        if coupling_key == "model.hnl.mixing":
            mix = _mixings(card)
            tot = sum(mix.values())
            set_("hnl", {k: float(coupling) * v / tot for k, v in mix.items()})
        else:
            _, particle, name = coupling_key.split(".")
            set_(particle, {name: float(coupling)})
    return replace(card, models=models)


class ScanAxes:
    """The mass and coupling keys of a scan of ``card`` (checked against the card)."""

    def __init__(self, card: RunCard, mass_key: str | None = None, coupling_key: str | None = None) -> None:
        self.card = card
        self.mass_key = mass_key or f"model.{card.llp}.mass"
        self.coupling_key = coupling_key or default_coupling_key(card)
        parts = self.mass_key.split(".")
        if len(parts) != 3 or parts[0] != "model" or parts[2] != "mass" or parts[1] not in card.models:
            allowed = ", ".join(f"model.{p}.mass" for p in card.models)
            raise CardError(f"scan mass key {self.mass_key!r}: allowed: {allowed}")
        if self.coupling_key not in COUPLING_KEYS:
            raise CardError(f"scan coupling key {self.coupling_key!r}: allowed: {', '.join(COUPLING_KEYS)}")
        particle = self.coupling_key.split(".")[1]
        if particle not in card.models:
            raise CardError(f"scan coupling key {self.coupling_key!r}: the card has no [model.{particle}] table")
        if not coupling_value(card, self.coupling_key) > 0.0:
            raise CardError(f"scan coupling key {self.coupling_key!r}: the card's value is 0; give it a non-zero "
                            "reference value (it sets the pattern and the reference sample)")
        self.coupling_particle = particle

    def coupling_of(self, card: RunCard) -> float:
        return coupling_value(card, self.coupling_key)

    def production_power(self, channel) -> int:
        """``n_k``: the channel's production rate goes as ``c^n_k`` times the X -> N N branching
        ratio (module docstring; the power is the registry entry's, fipgen.registry: a channel
        name the registry does not know raises ChannelError)."""
        return production_power(channel.name, self.coupling_key)

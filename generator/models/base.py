"""What every BSM model in fipgen provides: named channels, partial widths, BRs, c*tau.

A model is a small frozen dataclass (mass, couplings, options) that subclasses
:class:`DecayingParticle` and implements :meth:`~DecayingParticle.channels` and
:meth:`~DecayingParticle.partial_widths`; totals, branching ratios, c*tau and the visible
channels follow here. No sampling happens in models (decay samplers live in
``fipgen.decays``).

Channel names
-------------
A channel is named by its daughters, space-separated, in this notation (charges as
superscripts are written ``+``/``-``):

- leptons ``e-``, ``e+``, ``mu-``, ``mu+``, ``tau-``, ``tau+``; neutrinos ``nu_e``,
  ``nu_mu``, ``nu_tau`` (for a Majorana state or when the antineutrino is meant, the
  same name: the generator does not distinguish nu from nubar in names), ``nu`` for a
  sum over flavours;
- mesons ``pi+``, ``pi-``, ``pi0``, ``K+``, ``K-``, ``eta``, ``eta'``, ``rho+``,
  ``rho-``, ``rho0``, ``omega``, ``phi``, ``K*+``, ``K*-``, ``D+``, ``Ds+`` ...;
- ``gamma``, ``N`` (the HNL), ``hadrons`` for an inclusive hadronic final state.

Examples: ``"e+ e-"``, ``"mu+ mu-"``, ``"nu_e e+ e-"``, ``"e- pi+"``, ``"nu_mu pi0"``,
``"e- mu+ nu_mu"``, ``"nu nu nu"``, ``"gamma gamma"``, ``"pi+ pi- pi0"``, ``"N N"``.
For a Majorana HNL every channel stands for both charge conjugates (``"e- pi+"``:
``e- pi+`` and ``e+ pi-``; ``"nu_e e+ e-"``: ``nu_e e+ e-`` and ``nubar_e e- e+``); its width
includes both and the sampler picks each with probability 1/2 (:attr:`Channel.conjugate`).
Names do not tell nu from nubar: a channel's ``daughters`` carry the signs (the decay of
``N`` has lepton number +1).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..constants import HBARC_GEV_M

__all__ = ["Channel", "DecayingParticle"]


@dataclass(frozen=True)
class Channel:
    """A decay channel of a BSM particle.

    Attributes
    ----------
    name : str
        The channel's name (see the module docstring).
    daughters : tuple of int
        PDG codes of the daughters (one charge state).
    visible : bool
        Whether the final state leaves anything a detector can see (default: anything
        but neutrinos only).
    conjugate : bool
        The width includes the charge-conjugate final state (Majorana HNL), which the
        sampler produces with probability 1/2.
    kind : str
        ``"two-body"``, ``"three-body"`` or ``"inclusive"`` (quark-level width sampled
        through exclusive final states; see the model's docstring).
    """

    name: str
    daughters: tuple[int, ...]
    visible: bool = True
    conjugate: bool = False
    kind: str = "two-body"


class DecayingParticle:
    """Mixin: totals, branching ratios, c*tau and visible channels from partial widths.

    Subclasses implement ``channels()`` (name -> :class:`Channel`, every channel the
    model knows, open or closed) and ``partial_widths()`` (name -> width in GeV, 0 for
    closed channels; the same keys as ``channels()``).
    """

    #: run-card / registry name of the particle ("hnl", "alp", "zprime")
    particle: str = ""
    #: PDG Monte Carlo code used in outputs
    pdg: int = 0

    def channels(self) -> dict[str, Channel]:  # pragma: no cover - abstract
        raise NotImplementedError

    def partial_widths(self) -> dict[str, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def cached_partial_widths(self) -> dict[str, float]:
        """:meth:`partial_widths`, computed once per instance of a frozen dataclass (its fields
        cannot change; a scan asks the same model for its c*tau, totals and widths many times),
        else at every call. The dict is shared: do not modify it."""
        return self._once("_partial_widths_once", self.partial_widths)

    def _once(self, key: str, make):
        """``make()``, kept under ``key`` on a frozen dataclass instance (its fields cannot
        change), else made at every call."""
        v = self.__dict__.get(key)
        if v is None:
            v = make()
            params = getattr(type(self), "__dataclass_params__", None)
            if params is not None and params.frozen:
                object.__setattr__(self, key, v)
        return v

    def cached_channels(self) -> dict[str, Channel]:
        """:meth:`channels`, built once per instance of a frozen dataclass (as
        :meth:`cached_partial_widths`; generation asks for them every block). The dict is
        shared: do not modify it."""
        return self._once("_channels_once", self.channels)

    def total_width(self) -> float:
        """Total width in GeV (sum of the partial widths)."""
        return float(sum(self.cached_partial_widths().values()))

    def branching_ratios(self) -> dict[str, float]:
        """Branching ratio of every channel (0 for closed ones); they sum to 1."""
        w = self.cached_partial_widths()
        tot = sum(w.values())
        if not tot > 0:
            return {k: 0.0 for k in w}
        return {k: v / tot for k, v in w.items()}

    def ctau(self) -> float:
        """Proper decay length c*tau in metres (docs/physics.md#conventions-and-constants: 1.973269804e-16 / Gamma[GeV])."""
        tot = self.total_width()
        return HBARC_GEV_M / tot if tot > 0 else float("inf")

    def open_channels(self) -> list[str]:
        """Channels with a non-zero width at this mass and these couplings."""
        return [k for k, v in self.partial_widths().items() if v > 0]

    def visible_channels(self) -> list[str]:
        """Open channels whose final state is visible (anything but neutrinos only)."""
        ch = self.channels()
        return [k for k in self.open_channels() if ch[k].visible]

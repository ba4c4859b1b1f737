"""The parameters of each model, declared once: the run card's ``[model.<particle>]`` keys.

Every parameter a user sets for a model is one :class:`Param` here: its type, default (or
required), allowed range, unit, documentation, and whether a scan may vary it as a coupling.
The run card's schema (:data:`fipgen.card.SCHEMA`) and the scan's coupling keys
(:data:`fipgen.scan.axes.COUPLING_KEYS`) are generated from these tables, and
:func:`fipgen.models.registry.build_model` is the one place that turns them into a model
object (the models' dataclass fields follow these parameters; ``tests/test_model_params.py``
checks that defaults agree). Nothing heavy is imported here, so the card parser stays light.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Param", "REQUIRED", "MODEL_PARAMS", "ZPRIME_KINDS", "ALP_CHIRAL", "ALP_PRIMAKOFF_XSEC",
           "ALP_PRIMAKOFF_ANGLE", "ALP_INVERSE_PRIMAKOFF_XSEC", "ALP_RESONANT_XSEC", "coupling_keys"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Marker of a parameter without default.
REQUIRED = _Required()

#: Z' kinds (:class:`fipgen.models.zprime.ZPrime`).
ZPRIME_KINDS = ("dark-photon", "B-L", "B")
#: Chiral treatments of the ALP gluon coupling (:class:`fipgen.models.alp.ALP`).
ALP_CHIRAL = ("three-flavour", "two-flavour")
#: Conventions of the ALP shower and scattering cross sections (fipgen.models.alp_xsec, section
#: "Paper conventions"): the first of each is fipgen's default; the others reproduce the public
#: code of arXiv:2307.03878 (alplib) one difference at a time.
#: Primakoff production gamma A -> a A: Tsai's form factors with the mass (default), the massless
#: Yukawa-screened closed form (screening radius 2.2e-10 m, no nuclear form factor), or twice that
#: (alplib's normalisation, the inverse-Primakoff one).
ALP_PRIMAKOFF_XSEC = ("tsai", "massless", "alplib")
#: ALP direction of Primakoff production: sampled from dsigma/dtheta (default) or along the photon.
ALP_PRIMAKOFF_ANGLE = ("sampled", "collinear")
#: Inverse Primakoff a A -> gamma A in the detector: Tsai by detailed balance (default) or alplib's
#: massless screened form (Creswick et al.; no nuclear form factor).
ALP_INVERSE_PRIMAKOFF_XSEC = ("tsai", "alplib")
#: Resonant e+ e- -> a: the spin-0 integral pi g^2/(4 m_e beta) (default) or alplib's 2 pi m_e g^2/(m_a^2 beta).
ALP_RESONANT_XSEC = ("spin-0", "alplib")


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes
    ----------
    name : str
        Key in ``[model.<particle>]``.
    kind : str
        ``"number"``, ``"bool"`` or ``"string"``.
    default : object
        Default value, or :data:`REQUIRED`.
    allowed : str or tuple of str
        ``"positive"`` (finite, > 0), ``"nonneg"`` (finite, >= 0), ``"finite"``, ``""`` (any
        value of the kind), or the tuple of allowed strings.
    unit : str
        Unit of the value (``""`` for dimensionless or strings).
    doc : str
        What it is.
    coupling : bool
        Whether ``fipgen scan`` may vary it (``--coupling-key model.<particle>.<name>``).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    allowed: str | tuple[str, ...] = ""
    unit: str = ""
    doc: str = ""
    coupling: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def check(self, value: Any) -> str | None:
        """None when ``value`` (already of the right kind) is allowed, else what is allowed."""
        a = self.allowed
        if isinstance(a, tuple):
            return None if value in a else "one of " + ", ".join(repr(o) for o in a)
        if a == "positive":
            return None if math.isfinite(value) and value > 0 else "a finite number > 0"
        if a == "nonneg":
            return None if math.isfinite(value) and value >= 0 else "a finite number >= 0"
        if a == "finite":
            return None if math.isfinite(value) else "a finite number"
        return None

    @property
    def text(self) -> str:
        """The documentation with the unit, as shown in error messages and docs."""
        return f"{self.doc} ({self.unit})" if self.unit else self.doc


def _p(*args, **kw) -> Param:
    return Param(*args, **kw)


#: particle -> its parameters, in card order.
MODEL_PARAMS: dict[str, tuple[Param, ...]] = {
    "zprime": (
        _p("kind", "string", allowed=ZPRIME_KINDS, doc="Z' kind"),
        _p("mass", "number", allowed="positive", unit="GeV", doc="mass"),
        _p("coupling", "number", allowed="positive", doc="kinetic mixing epsilon (dark photon) or gauge coupling g "
           "(B-L, B)", coupling=True),
        _p("hnl_charge", "number", -1.0, "finite", doc="charge of the HNL of [model.hnl] under the Z' (opens Z' -> N N; "
           "default -1, its B-L charge)"),
    ),
    "alp": (
        _p("mass", "number", allowed="positive", unit="GeV", doc="mass"),
        _p("g_gamma", "number", 0.0, "finite", unit="GeV^-1", doc="photon coupling g_agg", coupling=True),
        _p("g_electron", "number", 0.0, "finite", doc="electron coupling g_aee", coupling=True),
        _p("g_muon", "number", 0.0, "finite", doc="muon coupling g_amumu", coupling=True),
        _p("c_gg", "number", 0.0, "finite", doc="gluon coupling c_gg of c_gg (alpha_s/4 pi)(a/f_a) G G~"),
        _p("f_a", "number", None, "positive", unit="GeV",
           doc="ALP decay constant f_a: needed with c_gg and for production by pi0/eta mixing (theta ~ f_pi/f_a)"),
        _p("g_hnl", "number", 0.0, "finite", doc="g_aNN to the HNL of [model.hnl] (opens a -> N N)", coupling=True),
        _p("chiral", "string", "three-flavour", ALP_CHIRAL, doc="chiral treatment of c_gg"),
        _p("primakoff_xsec", "string", "tsai", ALP_PRIMAKOFF_XSEC,
           doc="Primakoff production cross section of alp:primakoff: Tsai form factors (default) or the "
               "massless conventions of arXiv:2307.03878's code (docs/physics.md#paper-conventions-of-arxiv230703878)"),
        _p("primakoff_angle", "string", "sampled", ALP_PRIMAKOFF_ANGLE,
           doc="ALP direction in alp:primakoff: sampled from dsigma/dtheta (default) or along the photon"),
        _p("inverse_primakoff_xsec", "string", "tsai", ALP_INVERSE_PRIMAKOFF_XSEC,
           doc="inverse Primakoff cross section of alp:scatter: Tsai (default) or alplib's massless screened form"),
        _p("resonant_xsec", "string", "spin-0", ALP_RESONANT_XSEC,
           doc="resonant e+ e- -> a cross section of alp:resonant: spin-0 (default) or alplib's"),
    ),
    "hnl": (
        _p("mass", "number", allowed="positive", unit="GeV", doc="mass"),
        _p("mixing_e", "number", 0.0, "nonneg", doc="|U_e|^2"),
        _p("mixing_mu", "number", 0.0, "nonneg", doc="|U_mu|^2"),
        _p("mixing_tau", "number", 0.0, "nonneg", doc="|U_tau|^2"),
        _p("dirac", "bool", False, doc="Dirac HNL (default Majorana)"),
        _p("dipole", "number", 0.0, "nonneg", unit="GeV^-1", doc="transition magnetic moment d (N -> nu gamma)"),
    ),
}


def coupling_keys() -> tuple[str, ...]:
    """The scan's coupling keys: every parameter marked ``coupling``, and ``model.hnl.mixing``
    (``|U|^2``: the card's non-zero mixings scaled together, :mod:`fipgen.scan.axes`)."""
    keys = [f"model.{p}.{q.name}" for p, qs in MODEL_PARAMS.items() for q in qs if q.coupling]
    keys.insert(keys.index("model.alp.g_gamma"), "model.hnl.mixing")
    return tuple(keys)

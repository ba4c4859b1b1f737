"""Registry of the BSM models and their one builder.

``make_model("hnl", mass=0.3, mixing_mu=1e-6)`` builds a model from the parameters of the run
card's ``[model.<particle>]`` table (:data:`fipgen.models.params.MODEL_PARAMS`: the same names,
defaults and checks); a Z' or ALP that decays to the HNL of an ``[model.hnl]`` table takes that
table as ``hnl={...}``. The run card (:func:`fipgen.job.build_model`), ``fipgen widths`` and
the scans all build models here. ``MODEL_PARTICLES`` lists the particles.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from ..errors import PhysicsError
from .params import MODEL_PARAMS

__all__ = ["MODEL_PARTICLES", "model_class", "make_model", "model_arguments"]

__all__ = ["MODEL_PARTICLES", "model_class", "make_model"]

#: particle name -> "module:Class"
_MODELS = {
    "hnl": "fipgen.models.hnl:HNL",
    "alp": "fipgen.models.alp:ALP",
    "zprime": "fipgen.models.zprime:ZPrime",
}

MODEL_PARTICLES = tuple(_MODELS)


def model_class(particle: str):
    """The model class registered for ``particle`` ("hnl", "alp", "zprime")."""
    try:
        target = _MODELS[particle]
    except KeyError:
        raise PhysicsError(f"unknown particle {particle!r}; allowed: {', '.join(MODEL_PARTICLES)}") from None
    module, cls = target.split(":")
    return getattr(import_module(module), cls)


def _values(particle: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` checked against the declarations, defaults filled in."""
    decl = {q.name: q for q in MODEL_PARAMS[particle]}
    unknown = sorted(set(params) - set(decl))
    if unknown:
        raise PhysicsError(f"{particle}: unknown parameter {unknown[0]!r}; allowed: {', '.join(decl)}")
    out = {}
    for name, q in decl.items():
        if name not in params or params[name] is None:
            if q.required:
                raise PhysicsError(f"{particle}: parameter {name!r} is required ({q.text})")
            out[name] = q.default
            continue
        v = params[name]
        if q.kind == "number" and not isinstance(v, bool) and isinstance(v, (int, float)):
            v = float(v)
            msg = q.check(v) if q.allowed else None
        elif q.kind == "bool" and isinstance(v, bool):
            msg = None
        elif q.kind == "string" and isinstance(v, str):
            msg = q.check(v) if q.allowed else None
        else:
            msg = f"a {q.kind}"
        if msg is not None:
            raise PhysicsError(f"{particle}: {name} = {v!r}: allowed: {msg}")
        out[name] = v
    return out


def model_arguments(particle: str, params: Mapping[str, Any], hnl: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The model class's constructor arguments for card-level ``params`` (and the HNL table
    ``hnl`` for a Z' or ALP decaying to it): the one mapping from the card's names to the
    dataclass fields."""
    v = _values(particle, params)
    h = _values("hnl", hnl) if hnl is not None else None
    if particle == "hnl":
        return {"mass": v["mass"], "U2": (v["mixing_e"], v["mixing_mu"], v["mixing_tau"]), "majorana": not v["dirac"],
                "dipole": v["dipole"]}
    if particle == "zprime":
        out = {"mass": v["mass"], "coupling": v["coupling"], "kind": v["kind"]}
        if h is not None:
            out.update(hnl_mass=h["mass"], hnl_charge=v["hnl_charge"], hnl_majorana=not h["dirac"])
        return out
    if v["g_hnl"] != 0.0 and h is None:
        raise PhysicsError("g_hnl needs an [model.hnl] table with the HNL's mass")
    out = {k: v[k] for k in ("mass", "g_gamma", "g_electron", "g_muon", "g_hnl", "c_gg", "f_a", "chiral",
                             "primakoff_xsec", "primakoff_angle", "inverse_primakoff_xsec", "resonant_xsec")}
    if h is not None:
        out.update(hnl_mass=h["mass"], hnl_majorana=not h["dirac"])
    return out


def make_model(particle: str, hnl: Mapping[str, Any] | None = None, **params):
    """Build the model of ``particle`` from its card-level parameters (PhysicsError, one line,
    on bad values or when every coupling is zero, so that the particle does not decay)."""
    cls = model_class(particle)
    try:
        model = cls(**model_arguments(particle, params, hnl))
        if hasattr(model, "validate"):
            model.validate()
    except (TypeError, ValueError) as err:
        raise PhysicsError(f"{particle}: {err}") from None
    if not model.total_width() > 0:
        raise PhysicsError("every coupling is zero: the particle does not decay (set a coupling)")
    return model

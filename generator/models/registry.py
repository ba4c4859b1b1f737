"""Registry of the BSM models: particle name -> model class, imported on first use.

``make_model("hnl", mass=0.3, U2=(0, 1e-6, 0))`` builds a model; ``MODEL_PARTICLES``
lists the names the run card and ``fipgen widths`` accept.
"""

from __future__ import annotations

from importlib import import_module

from ..errors import PhysicsError

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


def make_model(particle: str, **params):
    """Build the model of ``particle`` with ``params`` (PhysicsError on bad values)."""
    cls = model_class(particle)
    try:
        return cls(**params)
    except TypeError as err:
        raise PhysicsError(f"{particle}: {err}") from None
    except ValueError as err:
        raise PhysicsError(f"{particle}: {err}") from None

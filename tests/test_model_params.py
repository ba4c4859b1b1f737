"""Model parameters are declared once (fipgen.models.params): the run card's schema, the scan's
coupling keys and the one model builder all follow the declarations, and the declared defaults
are those of the model dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from fipgen.card import SCHEMA, parse_card
from fipgen.errors import CardError, PhysicsError
from fipgen.models.params import MODEL_PARAMS
from fipgen.models.registry import make_model, model_arguments, model_class
from fipgen.scan.axes import COUPLING_KEYS

# card parameter -> (dataclass field, how the card value maps to the field value)
_FIELD = {
    ("hnl", "mixing_e"): ("U2", lambda d: d[0]),
    ("hnl", "mixing_mu"): ("U2", lambda d: d[1]),
    ("hnl", "mixing_tau"): ("U2", lambda d: d[2]),
    ("hnl", "dirac"): ("majorana", lambda d: not d),
}


def test_card_schema_is_generated_from_the_declarations():
    for particle, params in MODEL_PARAMS.items():
        keys = SCHEMA[f"model.{particle}"]
        assert list(keys) == [q.name for q in params]
        for q in params:
            assert keys[q.name].required == q.required
            if not q.required:
                assert keys[q.name].default == q.default
            assert q.doc in keys[q.name].doc


def test_declared_defaults_are_the_dataclass_defaults():
    checked = 0
    for particle, params in MODEL_PARAMS.items():
        fields = {f.name: f for f in dataclasses.fields(model_class(particle))}
        for q in params:
            if q.required:
                continue
            name, conv = _FIELD.get((particle, q.name), (q.name, None))
            f = fields[name]
            if f.default is dataclasses.MISSING:  # HNL: U2 has no default; the card's mixings default to 0
                assert name == "U2" and q.default == 0.0
                continue
            want = f.default if conv is None else conv(f.default)
            assert q.default == want, (particle, q.name, q.default, want)
            checked += 1
    assert checked >= 10


def test_scan_coupling_keys_are_the_declared_couplings():
    declared = {f"model.{p}.{q.name}" for p, qs in MODEL_PARAMS.items() for q in qs if q.coupling}
    assert set(COUPLING_KEYS) == declared | {"model.hnl.mixing"}


def test_one_builder_for_cards_and_python():
    card = parse_card("""
[experiment]
detector = "sbnd"
[model]
zprime = { kind = "B-L", mass = 0.42, coupling = 1e-4 }
hnl = { mass = 0.2, mixing_mu = 1e-6, dirac = true }
[signal]
produce = ["zprime:pi0"]
detect = "hnl:decay"
""")
    from fipgen.pipeline import build_model

    z = build_model(card, "zprime")
    assert z == make_model("zprime", hnl=card.hnl.as_dict(), **card.zprime.as_dict())
    assert z.hnl_mass == 0.2 and z.hnl_majorana is False and z.hnl_charge == -1.0
    h = build_model(card)
    assert h.U2 == (0.0, 1e-6, 0.0) and not h.majorana
    assert model_arguments("hnl", card.hnl.as_dict())["U2"] == (0.0, 1e-6, 0.0)


@pytest.mark.parametrize("params, match", [
    ({"mass": 0.3, "mixing_mu": -1.0}, "mixing_mu"),
    ({"mixing_mu": 1e-6}, "required"),
    ({"mass": 0.3, "mixing_mu": 1e-6, "mixing_x": 1.0}, "unknown parameter"),
    ({"mass": 0.3, "mixing_mu": 1e-6, "dirac": "yes"}, "dirac"),
])
def test_builder_checks_like_the_card(params, match):
    with pytest.raises(PhysicsError, match=match):
        make_model("hnl", **params)


def test_card_refuses_what_the_declarations_refuse():
    with pytest.raises(CardError, match="model.alp.chiral"):
        parse_card("""
[experiment]
detector = "sbnd"
[model]
alp = { mass = 0.1, g_gamma = 1e-5, chiral = "one-flavour" }
[signal]
produce = ["alp:primakoff"]
detect = "alp:decay"
""")


def test_card_version_key_is_optional_and_checked():
    text = """
[experiment]
detector = "sbnd"
[model]
zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }
[signal]
produce = ["zprime:pi0"]
detect = "zprime:decay"
"""
    from dataclasses import replace

    assert replace(parse_card("version = 1\n" + text), text="") == replace(parse_card(text), text="")
    for bad in ("version = 2", 'version = "1"', "version = true"):
        with pytest.raises(CardError, match="key version"):
            parse_card(bad + "\n" + text)

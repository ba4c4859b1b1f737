"""Run-card schema: valid cards parse; every kind of bad input is a one-line CardError."""

import pytest

from fipgen.card import SCHEMA, load_card, load_packaged_card, parse_card
from fipgen.errors import CardError
from fipgen.resources import list_data

GOOD = """
[experiment]
detector = "sbnd"
pot = 1e20
[model]
zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }
[signal]
produce = ["zprime:pi0", "zprime:eta"]
detect = "zprime:decay"
[run]
events = 1000
seed = 4
"""


def test_good_card_parses_with_defaults():
    c = parse_card(GOOD)
    assert c.detector == "sbnd" and c.pot == 1e20
    assert c.zprime.mass == 0.05 and c.zprime.coupling == 1e-7
    assert c.produce == (("zprime", "pi0"), ("zprime", "eta"))
    assert c.final_states == "visible"
    assert c.events == 1000 and c.seed == 4
    assert c.compression == "zstd:1"


@pytest.mark.parametrize(
    "old,new,needle",
    [
        ("pot = 1e20", "pot = 1e20\ncolour = 3", "experiment.colour"),
        ("seed = 4", "sed = 4", "run.sed"),
        ("pot = 1e20", 'pot = "many"', "experiment.pot"),
        ("events = 1000", "events = 10.5", "run.events"),
        ("events = 1000", "events = true", "run.events"),
        ("mass = 0.05", "mass = -0.05", "model.zprime.mass"),
        ("mass = 0.05", "mass = 0.0", "model.zprime.mass"),
        ("mass = 0.05, ", "", "model.zprime.mass"),
        ('kind = "dark-photon"', 'kind = "axion"', "model.zprime.kind"),
        ('"zprime:pi0", ', '"zprime:rho", ', "signal.produce[0]"),
        ('detect = "zprime:decay"', 'detect = "zprime:scatter"', "signal.detect"),
        ('detector = "sbnd"\n', "", "experiment.detector"),
        ("[run]", "[runs]", "[runs]"),
        ("zprime = {", "alp = {", "model.alp"),
        ("seed = 4", "seed = -1", "run.seed"),
    ],
)
def test_bad_cards_name_the_key(old, new, needle):
    assert old in GOOD
    with pytest.raises(CardError) as err:
        parse_card(GOOD.replace(old, new, 1), source="card.toml")
    msg = str(err.value)
    assert needle in msg, msg
    assert "\n" not in msg
    assert msg.startswith("card.toml")


def test_bad_toml_is_one_line():
    with pytest.raises(CardError) as err:
        parse_card("[experiment\n", source="x.toml")
    assert "\n" not in str(err.value) and "not valid TOML" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(CardError, match="not found"):
        load_card(tmp_path / "nope.toml")


def test_every_packaged_example_parses():
    names = list_data("examples")
    assert "sbnd_dark_photon" in names
    for n in names:
        card = load_packaged_card(n + ".toml")
        assert card.events > 0


def test_readme_documents_every_key():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "docs" / "run-card.md").read_text()
    for table, keys in SCHEMA.items():
        for k in keys:
            assert f"`{table}.{k}`" in readme, f"docs/run-card.md lacks {table}.{k}"

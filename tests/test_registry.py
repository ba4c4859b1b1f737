"""The production-channel registry (fipgen.registry) against the behaviour it replaced: the
card's channel list, the codes written to files, the scan's coupling powers, the closed-channel
message, and the typed record a channel hands generate_block."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
from fipgen import registry
from fipgen.card import PRODUCTION_CHANNELS, load_packaged_card, parse_card
from fipgen.errors import CardError, ClosedError, FipgenError
from fipgen.production.channels.sample import ProductionChannel, ProductionSample
from fipgen.registry import ChannelError, channel_code, production_power
from fipgen.resources import list_data
from fipgen.scan.axes import COUPLING_KEYS, ScanAxes

#: The codes of the ``channel`` branch as written before the registry (the former
#: fipgen.production.channels.hnl_sources.channel_code, evaluated on every sub-channel name).
PINNED_CODES = {
    "zprime:pi0": 1, "zprime:eta": 2, "zprime:omega": 3, "zprime:bremsstrahlung": 4,
    "zprime:bremsstrahlung (absorber)": 5,
    "zprime:associated": 7, "zprime:resonant": 8, "zprime:compton": 9,  # issue 17
    "zprime:associated -> N N": 307, "zprime:resonant -> N N": 308, "zprime:compton -> N N": 309,
    "zprime:e-bremsstrahlung": 10, "zprime:e-bremsstrahlung -> N N": 310,
    "alp:pi0": 11, "alp:eta": 12, "alp:primakoff": 13, "alp:compton": 14,
    "alp:resonant": 15, "alp:associated": 16, "alp:e-bremsstrahlung": 17,  # renamed (alias alp:bremsstrahlung)
    "hnl:pi+ -> e+ N": 111, "hnl:pi+ -> mu+ N": 112, "hnl:pi+ -> tau+ N": 113,
    "hnl:pi- -> e- N": 121, "hnl:pi- -> mu- N": 122, "hnl:pi- -> tau- N": 123,
    "hnl:K+ -> e+ N": 131, "hnl:K+ -> mu+ N": 132, "hnl:K+ -> tau+ N": 133, "hnl:K+ -> pi0 e+ N": 134,
    "hnl:K+ -> pi0 mu+ N": 135, "hnl:K- -> e- N": 141, "hnl:K- -> mu- N": 142, "hnl:K- -> tau- N": 143,
    "hnl:K- -> pi0 e- N": 144, "hnl:K- -> pi0 mu- N": 145, "hnl:K0L -> pi e N": 154, "hnl:K0L -> pi mu N": 155,
    "hnl:D+ -> e+ N": 161, "hnl:D+ -> mu+ N": 162, "hnl:D+ -> tau+ N": 163,
    "hnl:D- -> e- N": 171, "hnl:D- -> mu- N": 172, "hnl:D- -> tau- N": 173,
    "hnl:Ds+ -> e+ N": 181, "hnl:Ds+ -> mu+ N": 182, "hnl:Ds+ -> tau+ N": 183,
    "hnl:Ds- -> e- N": 191, "hnl:Ds- -> mu- N": 192, "hnl:Ds- -> tau- N": 193,
    "hnl:tau -> N pi-": 201, "hnl:tau -> N K-": 202, "hnl:tau -> N rho-": 203, "hnl:tau -> N e- nu_e": 204,
    "hnl:tau -> N mu- nu_mu": 205, "hnl:tau -> nu_tau e- N": 206, "hnl:tau -> nu_tau mu- N": 207,
    "zprime:pi0 -> N N": 301, "zprime:eta -> N N": 302, "zprime:omega -> N N": 303,
    "zprime:bremsstrahlung -> N N": 304, "zprime:bremsstrahlung (absorber) -> N N": 305,
    "alp:pi0 -> N N": 311, "alp:eta -> N N": 312, "alp:primakoff -> N N": 313, "alp:compton -> N N": 314,
    "alp:resonant -> N N": 315, "alp:associated -> N N": 316, "alp:e-bremsstrahlung -> N N": 317,
}

_SHOWER = ("primakoff", "compton", "resonant", "associated", "e-bremsstrahlung")


def former_power(name: str, key: str) -> int:
    """The name-based rule of ScanAxes.production_power before the registry (0 for any name
    it did not know, and for every ALP -> N N channel)."""
    x = name.split(":")[0]
    if name.endswith(" -> N N"):
        return 2 if (x == "zprime" and key == "model.zprime.coupling") else 0
    if x == "hnl":
        return 1 if key == "model.hnl.mixing" else 0
    if x == "zprime":
        return 2 if key == "model.zprime.coupling" else 0
    what = name.split(":", 1)[1]
    if what == "primakoff":
        return 2 if key == "model.alp.g_gamma" else 0
    if what in ("compton", "resonant", "associated", "e-bremsstrahlung"):
        return 2 if key == "model.alp.g_electron" else 0
    return 0


def test_every_card_channel_has_an_entry_and_every_entry_is_a_card_channel():
    card_names = {f"{p}:{w}" for p, ws in PRODUCTION_CHANNELS.items() for w in ws}
    assert card_names == {s.name for s in registry.specs()}
    assert len(card_names) == 25  # zprime:associated, resonant, compton, e-bremsstrahlung (issue 17)
    for p in ("zprime", "alp", "hnl"):
        assert registry.channel_names(p) == tuple(f"{p}:{w}" for w in PRODUCTION_CHANNELS[p])
        for name in registry.channel_names(p):
            s = registry.spec(name)
            assert s.particle == p and s.name == name
            assert name in s.codes or p == "hnl"  # an HNL entry names only its sub-channels


def test_codes_are_unique_and_those_written_before():
    codes = registry.all_codes()
    assert codes == PINNED_CODES
    assert len(set(codes.values())) == len(codes)
    for name, code in PINNED_CODES.items():
        assert channel_code(name) == code


def test_every_boson_sub_channel_has_its_n_n_code():
    for s in registry.specs():
        if s.particle == "hnl":
            continue
        own = {k: v for k, v in s.codes.items() if not k.endswith(" -> N N")}
        assert own and all(s.codes[k + " -> N N"] == 300 + v for k, v in own.items())


def test_tau_sub_channels_follow_the_model_list():
    from fipgen.models.hnl_production import TAU_CHANNELS

    assert registry.TAU_DECAYS == tuple(TAU_CHANNELS)


def test_every_hnl_sub_channel_the_builder_names_is_registered(monkeypatch):
    """hnl_channels with every mixing on names each sub-channel, open or closed (stand-in parents:
    only the names matter here)."""
    from fipgen.models.hnl import HNL
    from fipgen.production.channels import hnl_sources

    def parents(n, rng, bl):  # never drawn
        raise AssertionError

    parents.per_pot = 1.0
    parents.provenance = "stand-in"
    monkeypatch.setattr(hnl_sources, "_source", lambda bl, pdg, external=None: None)
    monkeypatch.setattr(hnl_sources, "parents_callable", lambda bl, pdg, external=None: parents)
    monkeypatch.setattr(hnl_sources, "_prompt_parents", lambda sources, bl: parents)
    seen = set()
    for mass in (0.01, 0.3, 1.0):
        hnl = HNL(mass, (1e-6, 1e-6, 1e-6), majorana=True)
        for parent in PRODUCTION_CHANNELS["hnl"]:
            out, closed = hnl_sources.hnl_channels(parent, hnl, None)
            names = [c.name for c in out] + list(closed)
            assert names and set(names) <= set(registry.spec(f"hnl:{parent}").codes), parent
            seen |= set(names)
    assert seen == {k for k in PINNED_CODES if k.startswith("hnl:")}


def test_bremsstrahlung_sub_channels_are_registered():
    from fipgen.geometry import load_beamline
    from fipgen.models.zprime import ZPrime
    from fipgen.production.channels.brems_channel import BremsSettings, brems_channels

    chans = brems_channels(ZPrime(mass=0.5, coupling=1e-5, kind="dark-photon"), load_beamline("numi"), BremsSettings())
    assert [c.name for c in chans] == ["zprime:bremsstrahlung", "zprime:bremsstrahlung (absorber)"]
    assert [channel_code(c.name) for c in chans] == [4, 5]


def _example_jobs():
    from fipgen.pipeline import build_job

    return [(name, build_job(load_packaged_card(name + ".toml"))) for name in list_data("examples")]


@pytest.fixture(scope="module")
def example_jobs():
    return _example_jobs()


def test_production_power_of_every_example_channel_is_the_former_rule(example_jobs):
    n = 0
    for name, job in example_jobs:
        for ch in job.channels:
            assert isinstance(ch, ProductionChannel), (name, ch.name)
            for key in COUPLING_KEYS:
                assert production_power(ch.name, key) == former_power(ch.name, key), (name, ch.name, key)
                n += 1
        ax = ScanAxes(job.card)
        assert [ax.production_power(c) for c in job.channels] == [
            former_power(c.name, ax.coupling_key) for c in job.channels]
    assert n >= 6 * 30


def test_production_power_differs_from_the_former_rule_only_for_alp_showers_to_n_n():
    """The former rule gave every ALP -> N N channel power 0; an X -> N N sub-channel now has X's
    own power (alp:primakoff -> N N goes as g_agg^2)."""
    changed = {(name, key) for name in PINNED_CODES for key in COUPLING_KEYS
               if production_power(name, key) != former_power(name, key)}
    assert changed == {(f"alp:{w} -> N N", "model.alp.g_gamma" if w == "primakoff" else "model.alp.g_electron")
                       for w in _SHOWER}
    for name, _ in changed:
        x = name[: -len(" -> N N")]
        assert all(production_power(name, k) == production_power(x, k) == former_power(x, k) for k in COUPLING_KEYS)


def test_an_unknown_channel_is_an_error_everywhere():
    text = load_packaged_card("sbnd_dark_photon.toml").text
    bad = text.replace('produce = ["zprime:pi0", "zprime:eta"]', 'produce = ["zprime:pi0", "zprime:eta_prime"]')
    assert bad != text
    with pytest.raises(CardError, match="allowed: .*'zprime:omega'"):
        parse_card(bad)
    for f in (lambda: channel_code("zprime:eta_prime"), lambda: production_power("zprime:eta_prime", COUPLING_KEYS[0]),
              lambda: registry.spec("zprime:eta_prime"), lambda: channel_code("hnl:K+ -> nu N")):
        with pytest.raises(ChannelError) as err:
            f()
        assert isinstance(err.value, FipgenError) and "\n" not in str(err.value)
    with pytest.raises(ChannelError, match="allowed: zprime:pi0, zprime:eta"):
        registry.spec("zprime:eta_prime")
    with pytest.raises(ChannelError, match="coupling key"):
        production_power("zprime:pi0", "model.zprime.mass")

    class Unknown:
        name = "zprime:eta_prime"

    with pytest.raises(ChannelError):
        ScanAxes(load_packaged_card("sbnd_dark_photon.toml")).production_power(Unknown())


def test_closed_message_quotes_each_entry_limit():
    from fipgen.pipeline import build_job
    from fipgen.scan.axes import card_at

    card = card_at(load_packaged_card("sbnd_dark_photon.toml"), "model.zprime.mass", 0.7)
    with pytest.raises(ClosedError, match=r"zprime:pi0 needs mass < 0\.13497\d* GeV, zprime:eta needs mass < "
                                          r"0\.5478\d* GeV\)"):
        build_job(card)
    from fipgen.geometry import load_beamline

    bl = load_beamline("bnb")
    assert registry.spec("zprime:omega").limit(bl) == pytest.approx(0.78266 - 0.134977, abs=1e-4)
    assert registry.spec("zprime:omega").limit_note == " and isovector charges"
    assert registry.spec("alp:primakoff").limit(bl) == bl.beam_momentum


class _Spy:
    """A channel that records what the wrapped channel's sample() returns."""

    def __init__(self, ch, seen, as_dict=False):
        self._ch, self._seen, self._as_dict = ch, seen, as_dict

    def __getattr__(self, k):
        return getattr(self._ch, k)

    def sample(self, n, rng, beamline, aim):
        s = self._ch.sample(n, rng, beamline, aim)
        self._seen.append(s)
        return dataclasses.asdict(s) if self._as_dict else s


@pytest.mark.parametrize("example", ["sbnd_hnl_kaon", "sbnd_zprime_brems_hnl"])
def test_generate_block_receives_the_typed_record(example):
    from fipgen.pipeline import build_job, generate_block

    job = build_job(load_packaged_card(example + ".toml").replace(events=4000))
    seen: list = []
    spied = dataclasses.replace(job, channels=[_Spy(c, seen) for c in job.channels])
    batch, _ = generate_block(spied, 0, 4000)
    ref, _ = generate_block(job, 0, 4000)
    assert seen and all(type(s) is ProductionSample for s in seen)
    assert sum(len(s) for s in seen) == 4000
    assert np.array_equal(batch.scalars["weight"], ref.scalars["weight"])
    # a channel handing back the former dict is refused, not read
    bad = dataclasses.replace(job, channels=[_Spy(c, [], as_dict=True) for c in job.channels])
    with pytest.raises(TypeError, match="not a ProductionSample"):
        generate_block(bad, 0, 4000)


def test_importing_the_registry_and_the_card_loads_no_production_code():
    code = ("import sys, fipgen.registry, fipgen.card; "
            "print(sorted(m for m in sys.modules if m.startswith('fipgen.production') or m == 'numba'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_new_channel_is_one_module_and_one_registry_entry(tmp_path, monkeypatch):
    """A channel defined in a module of its own (here a user's, outside fipgen) and one registry
    entry: the card accepts it, build_job builds it, generation runs it, its code is written and
    scans know its coupling power, with nothing else changed. The module reuses the pi0 -> gamma
    Z' physics under a new name and code so the events can be compared with zprime:pi0's."""
    import fipgen.registry as R
    from fipgen.card import parse_card
    from fipgen.pipeline import build_job, iter_chunks

    (tmp_path / "my_channel.py").write_text('''
from fipgen.production.channels.meson_two_body import MesonTwoBodyChannel
from fipgen.production.sources.meson_decay import br_to_gamma_zprime
from fipgen.production.sources.resolve import meson_source


def build(ctx):
    src = meson_source(ctx.beamline, 111)
    return [MesonTwoBodyChannel(ctx.name, src, br_to_gamma_zprime(111, ctx.model), ctx.model.mass)], [], {}
''')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(R, "_ENTRIES", R._ENTRIES)
    monkeypatch.setattr(R, "_BY_NAME", dict(R._BY_NAME))
    monkeypatch.setattr(R, "_BY_SUB", dict(R._BY_SUB))
    entry = R.boson_entry("zprime:my_pi0", 91, "my_channel:build", {"model.zprime.coupling": 2}, lambda bl: 0.1349768)
    R.register(entry)
    with pytest.raises(R.ChannelError, match="registered already"):
        R.register(entry)
    with pytest.raises(R.ChannelError, match="taken"):
        R.register(R.boson_entry("zprime:other", 1, "my_channel:build", {}, lambda bl: 1.0))

    def card(channel):
        return parse_card(f"""
[experiment]
detector = "sbnd"
[model]
zprime = {{ kind = "dark-photon", mass = 0.05, coupling = 1e-7 }}
[signal]
produce = ["{channel}"]
detect = "zprime:decay"
[run]
events = 20000
""")

    new, ref = build_job(card("zprime:my_pi0")), build_job(card("zprime:pi0"))
    assert [c.name for c in new.channels] == ["zprime:my_pi0"]
    assert R.channel_code("zprime:my_pi0") == 91 and R.channel_code("zprime:my_pi0 -> N N") == 391
    assert R.production_power("zprime:my_pi0", "model.zprime.coupling") == 2
    (b_new, _), (b_ref, _) = next(iter_chunks(new)), next(iter_chunks(ref))
    assert set(b_new.scalars["channel"]) == {91}
    assert b_new.scalars["weight"].sum() == b_ref.scalars["weight"].sum()  # the same physics, the same stream


def test_former_card_names_are_aliases_of_the_current_ones():
    """``alp:bremsstrahlung`` (before the one scheme ``<particle>:e-bremsstrahlung | associated |
    resonant | compton``) is still a card name: the same entry, the same code, the same events."""
    from fipgen.card import load_packaged_card
    from fipgen.pipeline import build_job, iter_chunks

    assert registry.ALIASES["alp:bremsstrahlung"] == "alp:e-bremsstrahlung"
    assert registry.spec("alp:bremsstrahlung") is registry.spec("alp:e-bremsstrahlung")
    card = load_packaged_card("miniboone_dump_alp_electron.toml").replace(events=3000)
    old = parse_card(card.text.replace('"alp:e-bremsstrahlung"', '"alp:bremsstrahlung"'), "old")
    assert ("alp", "e-bremsstrahlung") in old.produce
    a = [b.scalars["weight"] for b, _ in iter_chunks(build_job(card))]
    b = [b.scalars["weight"] for b, _ in iter_chunks(build_job(old.replace(events=3000)))]
    assert all(np.array_equal(x, y) for x, y in zip(a, b)) and len(a) == len(b)
    with pytest.raises(CardError, match="each channel at most once"):
        parse_card(card.text.replace('"alp:compton"', '"alp:bremsstrahlung"'), "both")

"""A catalogue of bad inputs across every subcommand, as a user meets them.

Each case runs ``fipgen`` in-process (``fipgen.cli.main``) in a directory of its own that
holds the case's input files, and asserts what every bad input must give: the expected exit
status (2 for bad input), exactly one line on stderr that names the problem (a substring per
case) with no traceback and no "internal error", and no new file in the directory, hidden
``.part`` files included. Faults (signals, disk full) are in ``test_faults.py``; impossible
numbers in ``test_limits.py`` as well.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fipgen.cli import main

# --------------------------------------------------------------------------- inputs

CARD = """[experiment]
detector = "sbnd"
pot = 6.6e20

[model]
zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }

[signal]
produce = ["zprime:pi0", "zprime:eta"]
detect = "zprime:decay"

[run]
events = 20000
seed = 1
"""

HNL_CARD = """[experiment]
detector = "sbnd"

[model]
hnl = { mass = 0.2, mixing_mu = 1e-6 }

[signal]
produce = ["hnl:K+"]
detect = "hnl:decay"

[run]
events = 20000
"""

ALP_CARD = """[experiment]
detector = "dune_nd_lar"

[model]
alp = { mass = 0.3, c_gg = 1.0, f_a = 1000.0, g_hnl = 1e-3 }
hnl = { mass = 0.1, mixing_mu = 1e-6 }

[signal]
produce = ["alp:pi0"]
detect = "hnl:decay"

[run]
events = 20000
"""

BREMS_CARD = """[experiment]
detector = "darkquest"

[model]
zprime = { kind = "dark-photon", mass = 0.6, coupling = 1e-6 }

[signal]
produce = ["zprime:bremsstrahlung"]
detect = "zprime:decay"

[run]
events = 20000
"""


def card(text: str = CARD, **changes: str) -> str:
    """``text`` with lines replaced: ``changes`` maps the start of a line (``pot``) to its new
    text (a key=value line, or "" to drop it); ``extra`` appends text."""
    extra = changes.pop("extra", "")
    lines = []
    for line in text.splitlines():
        key = line.split("=")[0].strip()
        if key in changes:
            new = changes[key]
            if new:
                lines.append(new)
        else:
            lines.append(line)
    return "\n".join(lines) + "\n" + extra


def beamline(**changes: str) -> str:
    """A user beamline file (a copy of the BNB's essentials under another name)."""
    text = """[beamline]
kind = "beamline"
name = "my_beam"
title = "a user's beamline"
beam_particle = 2212
beam_momentum = 70.0
sources = ["test"]

[beamline.target]
material = "Fe"
shape = "cylinder"
radius = 0.05
length = 1.0
position = [0.0, 0.0, 0.5]

[beamline.absorber]
material = "Fe"
shape = "box"
size = [2.0, 2.0, 2.0]
position = [0.0, 0.0, 40.0]
"""
    return card(text, **changes)


def detector(volumes: str | None = None, origin: str = "[0.0, 0.0, 100.0]", bl: str = "bnb", **changes: str) -> str:
    vols = volumes if volumes is not None else """
[[detector.volumes]]
name = "box"
shape = "box"
size = [2.0, 2.0, 2.0]
position = [0.0, 0.0, 1.0]
"""
    text = f"""[detector]
kind = "detector"
name = "my_det"
title = "a user's detector"
beamline = "{bl}"
material = "LAr"
exposure_pot = 1e20
sources = ["test"]
[detector.frame]
origin = {origin}
""" + vols
    return card(text, **changes)


OVERLAP = """
[[detector.volumes]]
name = "a"
shape = "box"
size = [2.0, 2.0, 2.0]
position = [0.0, 0.0, 1.0]
[[detector.volumes]]
name = "b"
shape = "box"
size = [2.0, 2.0, 2.0]
position = [0.5, 0.0, 1.5]
"""

TOUCHING = """
[[detector.volumes]]
name = "a"
shape = "box"
size = [2.0, 2.0, 2.0]
position = [0.0, 0.0, 1.0]
[[detector.volumes]]
name = "b"
shape = "box"
size = [2.0, 2.0, 2.0]
position = [2.0, 0.0, 1.0]
"""

MEVPRTL_OK = "0.1 0.0 5.0 5.003 111 1.0 1000\n0.0 0.1 4.0 4.004 111 1.0 1000\n"
# sbncode TxtFileGenNM text: px py pz x y z start_t wgt (pi0; cm; wgt per 1e6 POT)
NM_OK = "0.1 0.0 5.0 0.0 0.0 30.0 1.0 9e5\n0.0 0.1 4.0 0.1 0.0 30.5 1.0 9e5\n"


def with_parents(name: str, fmt: str | None = None, base: str = CARD) -> str:
    extra = f'parents = "{name}"\n' + (f'parents_format = "{fmt}"\n' if fmt else "")
    return base.replace('pot = 6.6e20\n', 'pot = 6.6e20\n' + extra)


@dataclass
class Case:
    argv: list[str]
    match: str
    files: dict[str, str] = field(default_factory=dict)
    code: int = 2
    root_inputs: tuple[str, ...] = ()  # "good.root", "heavier.root", "truncated.root", "foreign.root" copies


def C(*argv: str, match: str, files: dict | None = None, code: int = 2, root: tuple = ()) -> Case:
    return Case(list(argv), match, dict(files or {}), code, tuple(root))


# --------------------------------------------------------------------------- the catalogue

GEN = {
    # which card
    "gen-unknown-card": C("generate", "nosuch", match="not found"),
    "gen-card-directory": C("generate", "sub", match="is a directory", files={"sub/x.txt": "x"}),
    "gen-card-toml-syntax": C("generate", "c.toml", match="c.toml", files={"c.toml": "[experiment\ndetector = 1"}),
    "gen-card-empty": C("generate", "c.toml", match="experiment", files={"c.toml": ""}),
    "gen-card-binary": C("generate", "c.toml", match="c.toml", files={"c.toml": "\x00\x01\x02"}),
    "gen-unknown-top-key": C("generate", "c.toml", match="foo", files={"c.toml": card(extra="[foo]\nx = 1\n")}),
    "gen-unknown-experiment-key": C("generate", "c.toml", match="detectr",
                                    files={"c.toml": card(detector='detectr = "sbnd"')}),
    "gen-missing-detector": C("generate", "c.toml", match="detector", files={"c.toml": card(detector="")}),
    "gen-unknown-detector": C("generate", "c.toml", match="experiment.detector",
                              files={"c.toml": card(detector='detector = "nosuch"')}),
    "gen-detector-path-missing": C("generate", "c.toml", match="experiment.detector",
                                   files={"c.toml": card(detector='detector = "gone.toml"')}),
    "gen-detector-wrong-type": C("generate", "c.toml", match="experiment.detector",
                                 files={"c.toml": card(detector="detector = 3")}),
    "gen-unknown-beamline": C("generate", "c.toml", match="experiment.beamline",
                              files={"c.toml": card(extra="").replace('pot = 6.6e20', 'pot = 6.6e20\nbeamline = "nosuch"')}),
    # POT
    "gen-pot-negative": C("generate", "c.toml", match="experiment.pot", files={"c.toml": card(pot="pot = -1.0")}),
    "gen-pot-zero": C("generate", "c.toml", match="experiment.pot", files={"c.toml": card(pot="pot = 0")}),
    "gen-pot-huge": C("generate", "c.toml", match="experiment.pot", files={"c.toml": card(pot="pot = 1e300")}),
    "gen-pot-inf": C("generate", "c.toml", match="experiment.pot", files={"c.toml": card(pot="pot = inf")}),
    "gen-pot-nan": C("generate", "c.toml", match="experiment.pot", files={"c.toml": card(pot="pot = nan")}),
    "gen-pot-string": C("generate", "c.toml", match="experiment.pot", files={"c.toml": card(pot='pot = "lots"')}),
    # model
    "gen-no-model": C("generate", "c.toml", match="model",
                      files={"c.toml": card(zprime="").replace("[model]\n", "")}),
    "gen-zprime-kind": C("generate", "c.toml", match="kind", files={"c.toml": card(
        zprime='zprime = { kind = "photon", mass = 0.05, coupling = 1e-7 }')}),
    "gen-zprime-mass-negative": C("generate", "c.toml", match="mass", files={"c.toml": card(
        zprime='zprime = { kind = "dark-photon", mass = -0.05, coupling = 1e-7 }')}),
    "gen-zprime-mass-string": C("generate", "c.toml", match="mass", files={"c.toml": card(
        zprime='zprime = { kind = "dark-photon", mass = "light", coupling = 1e-7 }')}),
    "gen-zprime-coupling-zero": C("generate", "c.toml", match="coupling", files={"c.toml": card(
        zprime='zprime = { kind = "dark-photon", mass = 0.05, coupling = 0.0 }')}),
    "gen-zprime-unknown-key": C("generate", "c.toml", match="epsilon", files={"c.toml": card(
        zprime='zprime = { kind = "dark-photon", mass = 0.05, epsilon = 1e-7 }')}),
    "gen-zprime-closed": C("generate", "c.toml", match="kinematically closed", files={"c.toml": card(
        zprime='zprime = { kind = "dark-photon", mass = 0.8, coupling = 1e-7 }')}),
    "gen-model-not-table": C("generate", "c.toml", match="zprime", files={"c.toml": card(zprime='zprime = "A prime"')}),
    "gen-hnl-no-mixing": C("generate", "c.toml", match="model.hnl", files={"c.toml": card(
        HNL_CARD, hnl="hnl = { mass = 0.2 }")}),
    "gen-hnl-mass-negative": C("generate", "c.toml", match="mass", files={"c.toml": card(
        HNL_CARD, hnl="hnl = { mass = -0.2, mixing_mu = 1e-6 }")}),
    "gen-hnl-mixing-negative": C("generate", "c.toml", match="mixing_mu", files={"c.toml": card(
        HNL_CARD, hnl="hnl = { mass = 0.2, mixing_mu = -1e-6 }")}),
    "gen-hnl-closed": C("generate", "c.toml", match="model.hnl.mass", files={"c.toml": card(
        HNL_CARD, hnl="hnl = { mass = 0.6, mixing_mu = 1e-6 }")}),
    "gen-alp-no-cgg": C("generate", "c.toml", match="c_gg", files={"c.toml": card(
        ALP_CARD, alp="alp = { mass = 0.3, g_hnl = 1e-3, g_gamma = 1e-5 }")}),
    "gen-alp-zero-couplings": C("generate", "c.toml", match="model.alp", files={"c.toml": card(
        ALP_CARD, alp="alp = { mass = 0.3 }")}),
    "gen-zprime-nn-zero-charge": C("generate", "c.toml", match="hnl_charge", files={"c.toml": card(
        zprime='zprime = { kind = "B-L", mass = 0.12, coupling = 1e-4, hnl_charge = 0.0 }',
        produce='produce = ["zprime:pi0"]', detect='detect = "hnl:decay"',
        extra="").replace("[signal]", 'hnl = { mass = 0.02, mixing_mu = 1e-6 }\n\n[signal]')}),
    # signal
    "gen-unknown-channel": C("generate", "c.toml", match="signal.produce", files={"c.toml": card(
        produce='produce = ["zprime:kaon"]')}),
    "gen-channel-wrong-particle": C("generate", "c.toml", match="signal.produce", files={"c.toml": card(
        produce='produce = ["alp:pi0"]')}),
    "gen-produce-empty": C("generate", "c.toml", match="signal.produce", files={"c.toml": card(produce="produce = []")}),
    "gen-produce-not-list": C("generate", "c.toml", match="signal.produce", files={"c.toml": card(produce="produce = 3")}),
    "gen-detect-unknown": C("generate", "c.toml", match="signal.detect", files={"c.toml": card(
        detect='detect = "zprime:teleport"')}),
    "gen-final-state-unknown": C("generate", "c.toml", match="signal.final_states", files={"c.toml": card(
        extra="").replace('detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = ["e+ e+"]')}),
    "gen-final-state-closed": C("generate", "c.toml", match="signal.final_states", files={"c.toml": card(
        extra="").replace('detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = ["mu+ mu-"]')}),
    "gen-final-state-keyword": C("generate", "c.toml", match="signal.final_states", files={"c.toml": card(
        extra="").replace('detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = "visibles"')}),
    "gen-decay-resonances": C("generate", "c.toml", match="decay_resonances", files={"c.toml": card(
        extra="").replace('detect = "zprime:decay"', 'detect = "zprime:decay"\ndecay_resonances = ["Z0"]')}),
    "gen-cuts-efficiency-zero": C("generate", "c.toml", match="efficiency", files={"c.toml": card(
        extra="\n[signal.cuts]\nefficiency = 0.0\n").replace("[run]\nevents = 20000\nseed = 1\n", "") +
        "[run]\nevents = 20000\n"}),
    "gen-cuts-efficiency-above-1": C("generate", "c.toml", match="efficiency", files={"c.toml": CARD.replace(
        "[run]", "[signal.cuts]\nefficiency = 1.5\n\n[run]")}),
    "gen-cuts-unknown": C("generate", "c.toml", match="min_energy", files={"c.toml": CARD.replace(
        "[run]", "[signal.cuts]\nmin_energy = 0.1\n\n[run]")}),
    "gen-brems-treatment": C("generate", "c.toml", match="treatment", files={"c.toml": BREMS_CARD.replace(
        "[run]", '[signal.bremsstrahlung]\ntreatment = "classical"\n\n[run]')}),
    "gen-brems-z-range": C("generate", "c.toml", match="z_m", files={"c.toml": BREMS_CARD.replace(
        "[run]", "[signal.bremsstrahlung]\nz_min = 0.8\nz_max = 0.3\n\n[run]")}),
    "gen-brems-elements": C("generate", "c.toml", match="elements", files={"c.toml": BREMS_CARD.replace(
        "[run]", '[signal.bremsstrahlung]\nelements = ["horn"]\n\n[run]')}),
    "gen-brems-pt-negative": C("generate", "c.toml", match="pt_max", files={"c.toml": BREMS_CARD.replace(
        "[run]", "[signal.bremsstrahlung]\npt_max = -1.0\n\n[run]")}),
    # run
    "gen-events-zero": C("generate", "c.toml", match="run.events", files={"c.toml": card(events="events = 0")}),
    "gen-events-negative": C("generate", "c.toml", match="run.events", files={"c.toml": card(events="events = -5")}),
    "gen-events-float": C("generate", "c.toml", match="run.events", files={"c.toml": card(events="events = 1e29")}),
    "gen-events-huge-int": C("generate", "c.toml", match="run.events", files={"c.toml": card(
        events="events = 99999999999999")}),
    "gen-seed-negative": C("generate", "c.toml", match="run.seed", files={"c.toml": card(seed="seed = -1")}),
    "gen-seed-string": C("generate", "c.toml", match="run.seed", files={"c.toml": card(seed='seed = "one"')}),
    "gen-run-unknown-key": C("generate", "c.toml", match="evnts", files={"c.toml": card(events="evnts = 5")}),
    "gen-output-is-dir": C("generate", "c.toml", match="directory", files={
        "c.toml": card(seed='seed = 1\noutput = "outdir"'), "outdir/keep.txt": "x"}),
    "gen-output-missing-dir": C("generate", "c.toml", match="does not exist", files={
        "c.toml": card(seed='seed = 1\noutput = "no/such/out.root"')}),
    "gen-formats-unknown": C("generate", "c.toml", match="root", files={"c.toml": card(seed='seed = 1\nformats = ["lhe"]')}),
    "gen-compression-unknown": C("generate", "c.toml", match="compression", files={
        "c.toml": card(seed='seed = 1\ncompression = "gzip:9"')}),
    "gen-hepmc-frame-unknown": C("generate", "c.toml", match="hepmc_frame", files={
        "c.toml": card(seed='seed = 1\nhepmc_frame = "lab"')}),
    "gen-chunk-size-zero": C("generate", "c.toml", match="chunk_size", files={"c.toml": card(seed="seed = 1\nchunk_size = 0")}),
    "gen-mevprtl-brems": C("generate", "c.toml", "--format", "mevprtl", "--output", "p", match="mevprtl",
                           files={"c.toml": BREMS_CARD}),
    # flags
    "gen-flag-events-zero": C("generate", "c.toml", "--events", "0", match="--events", files={"c.toml": CARD}),
    "gen-flag-events-text": C("generate", "c.toml", "--events", "many", match="--events", files={"c.toml": CARD}),
    "gen-flag-events-huge": C("generate", "c.toml", "--events", "99999999999999", match="--events", files={"c.toml": CARD}),
    "gen-flag-events-float": C("generate", "c.toml", "--events", "1e5", match="--events", files={"c.toml": CARD}),
    "gen-flag-seed-negative": C("generate", "c.toml", "--seed", "-1", match="--seed", files={"c.toml": CARD}),
    "gen-flag-format-unknown": C("generate", "c.toml", "--format", "lhe", match="lhe", files={"c.toml": CARD}),
    "gen-flag-format-empty": C("generate", "c.toml", "--format", "", match="--format", files={"c.toml": CARD}),
    "gen-flag-format-empty-item": C("generate", "c.toml", "--format", "root,,hepmc3", match="--format",
                                    files={"c.toml": CARD}),
    "gen-no-output-with-output": C("generate", "c.toml", "--no-output", "--output", "x.root", match="--no-output",
                                   files={"c.toml": CARD}),
    "gen-no-output-with-format": C("generate", "c.toml", "--no-output", "--format", "root", match="--no-output",
                                   files={"c.toml": CARD}),
    "gen-no-output-with-unweighted": C("generate", "c.toml", "--no-output", "--unweighted", "10",
                                       match="--no-output", files={"c.toml": CARD}),
    "gen-unweighted-zero": C("generate", "c.toml", "--unweighted", "0", match="--unweighted", files={"c.toml": CARD}),
    "gen-unweighted-too-many": C("generate", "c.toml", "--unweighted", "19000", match="supports at most",
                                 files={"c.toml": CARD}),
    "gen-output-exists": C("generate", "c.toml", "--output", "old.root", match="exists", files={
        "c.toml": CARD, "old.root": "previous"}),
    "gen-output-exists-multi": C("generate", "c.toml", "--format", "root,hepevt", "--output", "old", match="exists",
                                 files={"c.toml": CARD, "old.hepevt": "previous"}),
    "gen-flag-output-missing-dir": C("generate", "c.toml", "--output", "nodir/x.root", match="does not exist",
                                     files={"c.toml": CARD}),
    "gen-unknown-flag": C("generate", "c.toml", "--fast", match="--fast", files={"c.toml": CARD}),
    # external parents
    "gen-parents-missing": C("generate", "c.toml", match="experiment.parents", files={"c.toml": with_parents("gone.txt")}),
    "gen-parents-glob-none": C("generate", "c.toml", match="matches no file", files={"c.toml": with_parents("gone*.txt")}),
    "gen-parents-empty-list": C("generate", "c.toml", match="experiment.parents", files={
        "c.toml": CARD.replace("[model]", "parents = []\n\n[model]")}),
    "gen-parents-nan": C("generate", "c.toml", match="experiment.parents", files={
        "c.toml": with_parents("p.txt"), "p.txt": "nan 0.0 5.0 5.003 111 1.0 1000\n"}),
    "gen-parents-columns": C("generate", "c.toml", match="7 columns", files={
        "c.toml": with_parents("p.txt"), "p.txt": "0.1 0.0 5.0 5.003 111 1.0\n"}),
    "gen-parents-empty": C("generate", "c.toml", match="no parents", files={"c.toml": with_parents("p.txt"), "p.txt": ""}),
    "gen-parents-negative-weight": C("generate", "c.toml", match="weights", files={
        "c.toml": with_parents("p.txt"), "p.txt": "0.1 0.0 5.0 5.003 111 -1.0 1000\n"}),
    "gen-parents-unphysical": C("generate", "c.toml", match="E < |p|", files={
        "c.toml": with_parents("p.txt"), "p.txt": "0.1 0.0 5.0 1.0 111 1.0 1000\n"}),
    "gen-parents-zero-pot": C("generate", "c.toml", match="POT", files={
        "c.toml": with_parents("p.txt"), "p.txt": "0.1 0.0 5.0 5.003 111 1.0 0\n"}),
    "gen-parents-no-pi0": C("generate", "c.toml", match="pdg 111", files={
        "c.toml": with_parents("p.txt"), "p.txt": MEVPRTL_OK.replace(" 111 ", " 221 ")}),
    "gen-parents-format": C("generate", "c.toml", match="parents_format", files={
        "c.toml": with_parents("p.txt", "lhe"), "p.txt": MEVPRTL_OK}),
    "gen-parents-nm-columns": C("generate", "c.toml", match="p.txt: line 3: expected 8 columns", files={
        "c.toml": with_parents("p.txt", "mevprtl-nm"), "p.txt": NM_OK + MEVPRTL_OK}),
    "gen-parents-nm-nan": C("generate", "c.toml", match="p.txt: line 2: not a finite number", files={
        "c.toml": with_parents("p.txt", "mevprtl-nm"), "p.txt": NM_OK.replace(" 30.5 ", " nan ")}),
    "gen-parents-nm-inf": C("generate", "c.toml", match="p.mevprtl-nm.txt: line 1: not a finite number", files={
        "c.toml": with_parents("p.mevprtl-nm.txt"), "p.mevprtl-nm.txt": NM_OK.replace("0.1 0.0 5.0", "0.1 0.0 inf", 1)}),
    "gen-parents-nm-negative-weight": C("generate", "c.toml", match="p.txt: line 2: weight -9e5 < 0", files={
        "c.toml": with_parents("p.txt", "mevprtl-nm"), "p.txt": NM_OK.replace("30.5 1.0 9e5", "30.5 1.0 -9e5")}),
    "gen-parents-nm-pz-zero": C("generate", "c.toml", match="p.txt: line 1: pz = 0", files={
        "c.toml": with_parents("p.txt", "mevprtl-nm"), "p.txt": NM_OK.replace("0.1 0.0 5.0", "0.1 0.0 0.0", 1)}),
    "gen-parents-nm-empty": C("generate", "c.toml", match="no parents", files={
        "c.toml": with_parents("p.txt", "mevprtl-nm"), "p.txt": "\n"}),
    "gen-parents-nm-eta-channel": C("generate", "c.toml", match="no parents with pdg 221; present: [111]", files={
        "c.toml": with_parents("p.txt", "mevprtl-nm"), "p.txt": NM_OK}),
    "gen-mevprtl-nm-eta": C("generate", "c.toml", "--format", "mevprtl-nm", "--output", "p", files={"c.toml": CARD},
                            match="output format 'mevprtl-nm' holds pi0 only"),
    "gen-mevprtl-nm-brems": C("generate", "c.toml", "--format", "root,mevprtl-nm", "--output", "p",
                              files={"c.toml": BREMS_CARD}, match="no pi0 feeds the channels"),
    "gen-dk2nu-not-root": C("generate", "c.toml", match="not a readable ROOT file", files={
        "c.toml": with_parents("d.root", base=HNL_CARD.replace('detector = "sbnd"\n', 'detector = "sbnd"\npot = 6.6e20\n')),
        "d.root": "this is text, not ROOT\n"}),
    "gen-dk2nu-truncated": C("generate", "c.toml", match="d.root", root=("truncated.root",), files={
        "c.toml": with_parents("truncated.root", base=HNL_CARD.replace('detector = "sbnd"\n',
                                                                       'detector = "sbnd"\npot = 6.6e20\n'))}),
    "gen-dk2nu-foreign": C("generate", "c.toml", match="dk2nuTree", root=("foreign.root",), files={
        "c.toml": with_parents("foreign.root", base=HNL_CARD.replace('detector = "sbnd"\n',
                                                                     'detector = "sbnd"\npot = 6.6e20\n'))}),
    # user geometry files
    "gen-beamline-cascade-pot": C("generate", "c.toml", match="particle_sources.cascade_pot", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(bl="b.toml"),
        "b.toml": beamline(extra="[beamline.particle_sources]\ncascade_pot = -5\n")}),
    "gen-beamline-no-first-interaction-tables": C("generate", "c.toml", match="experiment.meson_sources", files={
        "c.toml": card(detector='detector = "d.toml"\nmeson_sources = "first-interactions"'),
        "d.toml": detector(bl="b.toml"), "b.toml": beamline()}),
    "gen-beamline-bad-first-interaction-tables": C("generate", "c.toml",
                                                   match="particle_sources.first_interaction_tables", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(bl="b.toml"),
        "b.toml": beamline(extra='[beamline.particle_sources]\nfirst_interaction_tables = "geant4"\n')}),
    "gen-beamline-malformed": C("generate", "c.toml", match="beam_momentum", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(bl="b.toml"),
        "b.toml": beamline(beam_momentum="beam_momentum = -70.0")}),
    "gen-beamline-unknown-material": C("generate", "c.toml", match="material", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(bl="b.toml"),
        "b.toml": beamline().replace('material = "Fe"', 'material = "unobtainium"', 1)}),
    "gen-detector-overlap": C("generate", "c.toml", match="overlap", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(OVERLAP)}),
    "gen-detector-in-target": C("generate", "c.toml", match="intersects the target", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(origin="[0.0, 0.0, -0.5]")}),
    "gen-detector-in-absorber": C("generate", "c.toml", match="intersects the absorber", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(origin="[0.0, 0.0, 50.5]")}),
    "gen-detector-exposure-huge": C("generate", "c.toml", match="exposure_pot", files={
        "c.toml": card(detector='detector = "d.toml"', pot=""), "d.toml": detector(exposure_pot="exposure_pot = 1e300")}),
    "gen-detector-missing-key": C("generate", "c.toml", match="material", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(material="")}),
    "gen-detector-unknown-material": C("generate", "c.toml", match="material", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(material='material = "kryptonite"')}),
    "gen-detector-bad-shape": C("generate", "c.toml", match="shape", files={
        "c.toml": card(detector='detector = "d.toml"'),
        "d.toml": detector().replace('shape = "box"', 'shape = "torus"')}),
    "gen-detector-negative-size": C("generate", "c.toml", match="size", files={
        "c.toml": card(detector='detector = "d.toml"'),
        "d.toml": detector().replace("size = [2.0, 2.0, 2.0]", "size = [2.0, -2.0, 2.0]")}),
    "gen-card-beamline-cuts-detector": C("generate", "c.toml", match="experiment.beamline", files={
        "c.toml": card(detector='detector = "d.toml"').replace("pot = 6.6e20", 'pot = 6.6e20\nbeamline = "b.toml"'),
        "d.toml": detector(origin="[0.0, 0.0, 39.5]"), "b.toml": beamline()}),
}

YIELDS = {
    "yields-unknown-card": C("yields", "nosuch", match="not found"),
    "yields-card-directory": C("yields", "sub", match="is a directory", files={"sub/x.txt": "x"}),
    "yields-unknown-detector": C("yields", "c.toml", match="experiment.detector",
                                 files={"c.toml": card(detector='detector = "nosuch"')}),
    "yields-closed": C("yields", "c.toml", match="kinematically closed", files={"c.toml": card(
        zprime='zprime = { kind = "dark-photon", mass = 0.8, coupling = 1e-7 }')}),
    "yields-parents-nan": C("yields", "c.toml", match="experiment.parents", files={
        "c.toml": with_parents("p.txt"), "p.txt": "nan 0.0 5.0 5.003 111 1.0 1000\n"}),
    "yields-parents-nm-columns": C("yields", "c.toml", match="p.txt: line 1: expected 8 columns", files={
        "c.toml": with_parents("p.txt", "mevprtl-nm"), "p.txt": MEVPRTL_OK}),
    "yields-final-state": C("yields", "c.toml", match="signal.final_states", files={"c.toml": card(
        extra="").replace('detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = ["e+ e+"]')}),
    "yields-events-zero": C("yields", "c.toml", "--events", "0", match="--events", files={"c.toml": CARD}),
    "yields-events-huge": C("yields", "c.toml", "--events", "99999999999999", match="--events", files={"c.toml": CARD}),
    "yields-pot-huge": C("yields", "c.toml", match="experiment.pot", files={"c.toml": card(pot="pot = 1e300")}),
    "yields-unknown-flag": C("yields", "c.toml", "--output", "x", match="--output", files={"c.toml": CARD}),
    "yields-beamline-mesons-unknown": C("yields", "c.toml", match="particle_sources.mesons", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(bl="b.toml"),
        "b.toml": beamline(extra='[beamline.particle_sources]\nmesons = "geant4"\n')}),
    "yields-detector-overlap": C("yields", "c.toml", match="overlap", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(OVERLAP)}),
    "yields-cuts-bad": C("yields", "c.toml", match="efficiency", files={"c.toml": CARD.replace(
        "[run]", "[signal.cuts]\nefficiency = -1\n\n[run]")}),
}

_G = ("--masses", "0.02:0.1:3", "--couplings", "1e-8:1e-6:3")
SCAN = {
    "scan-no-card": C("scan", *_G, match="card"),
    "scan-precision-zero": C("scan", "c.toml", *_G, "--precision", "0", match="--precision", files={"c.toml": CARD}),
    "scan-precision-text": C("scan", "c.toml", *_G, "--precision", "fine", match="--precision", files={"c.toml": CARD}),
    "scan-unknown-card": C("scan", "nosuch", *_G, match="not found"),
    "scan-card-directory": C("scan", "sub", *_G, match="is a directory", files={"sub/x.txt": "x"}),
    "scan-no-masses": C("scan", "c.toml", "--couplings", "1e-8:1e-6:3", match="--masses", files={"c.toml": CARD}),
    "scan-masses-format": C("scan", "c.toml", "--masses", "0.02-0.1", "--couplings", "1e-8:1e-6:3", match="--masses",
                            files={"c.toml": CARD}),
    "scan-masses-reversed": C("scan", "c.toml", "--masses", "0.1:0.02:3", "--couplings", "1e-8:1e-6:3",
                              match="--masses", files={"c.toml": CARD}),
    "scan-masses-zero-n": C("scan", "c.toml", "--masses", "0.02:0.1:0", "--couplings", "1e-8:1e-6:3",
                            match="--masses", files={"c.toml": CARD}),
    "scan-masses-negative": C("scan", "c.toml", "--masses", "-0.1:0.1:3", "--couplings", "1e-8:1e-6:3",
                              match="--masses", files={"c.toml": CARD}),
    "scan-couplings-zero": C("scan", "c.toml", "--masses", "0.02:0.1:3", "--couplings", "0:1e-6:3",
                             match="--couplings", files={"c.toml": CARD}),
    "scan-couplings-text": C("scan", "c.toml", "--masses", "0.02:0.1:3", "--couplings", "small",
                             match="--couplings", files={"c.toml": CARD}),
    "scan-workers-zero": C("scan", "c.toml", *_G, "--workers", "0", match="--workers", files={"c.toml": CARD}),
    "scan-events-huge": C("scan", "c.toml", *_G, "--events", "99999999999999", match="--events", files={"c.toml": CARD}),
    "scan-plot-suffix": C("scan", "c.toml", *_G, "--plot", "s.xyz", match="--plot", files={"c.toml": CARD}),
    "scan-plot-no-suffix": C("scan", "c.toml", *_G, "--plot", "contour", match="--plot", files={"c.toml": CARD}),
    "scan-output-suffix": C("scan", "c.toml", *_G, "--output", "t.txt", match="--output", files={"c.toml": CARD}),
    "scan-output-exists": C("scan", "c.toml", *_G, "--output", "t.csv", match="exists",
                            files={"c.toml": CARD, "t.csv": "old"}),
    "scan-contour-exists": C("scan", "c.toml", *_G, "--output", "t.csv", match="exists",
                             files={"c.toml": CARD, "t_contour.csv": "old"}),
    "scan-plot-exists": C("scan", "c.toml", *_G, "--plot", "s.png", match="exists", files={"c.toml": CARD, "s.png": "old"}),
    "scan-overlay-no-label": C("scan", "c.toml", *_G, "--plot", "s.png", "--overlay", "lim.csv", match="--overlay 'lim.csv'",
                               files={"c.toml": CARD, "lim.csv": "0.02,1e-7\n0.1,1e-6\n"}),
    "scan-overlay-missing-file": C("scan", "c.toml", *_G, "--plot", "s.png", "--overlay", "gone.csv:CHARM",
                                   match="'gone.csv': no such file", files={"c.toml": CARD}),
    "scan-overlay-bad-row": C("scan", "c.toml", *_G, "--plot", "s.png", "--overlay", "lim.csv:CHARM",
                              match="lim.csv: line 3: expected two numbers",
                              files={"c.toml": CARD, "lim.csv": "# CHARM\n0.02,1e-7\n0.1,n/a\n"}),
    "scan-overlay-negative": C("scan", "c.toml", *_G, "--plot", "s.png", "--overlay", "lim.csv:CHARM",
                               match="lim.csv: line 2: mass and coupling must be finite numbers > 0",
                               files={"c.toml": CARD, "lim.csv": "0.02,1e-7\n0.1,-1e-6\n"}),
    "scan-overlay-one-point-piece": C("scan", "c.toml", *_G, "--plot", "s.png", "--overlay", "lim.csv:CHARM",
                                      match="lim.csv: line 4: a piece of one point",
                                      files={"c.toml": CARD, "lim.csv": "0.02,1e-7\n0.1,1e-6\n\n0.05,1e-7\n"}),
    "scan-overlay-no-rows": C("scan", "c.toml", *_G, "--plot", "s.png", "--overlay", "lim.csv:CHARM",
                              match="lim.csv: no mass,coupling rows", files={"c.toml": CARD, "lim.csv": "# empty\n"}),
    "scan-overlay-without-plot": C("scan", "c.toml", *_G, "--overlay", "lim.csv:CHARM", match="--overlay needs --plot",
                                   files={"c.toml": CARD, "lim.csv": "0.02,1e-7\n0.1,1e-6\n"}),
    "scan-mass-axis-unknown": C("scan", "c.toml", *_G, "--plot", "s.png", "--mass-axis", "sqrt", match="--mass-axis",
                                files={"c.toml": CARD}),
    "scan-mass-axis-without-plot": C("scan", "c.toml", *_G, "--mass-axis", "log", match="--mass-axis needs --plot",
                                     files={"c.toml": CARD}),
    "scan-output-missing-dir": C("scan", "c.toml", *_G, "--output", "no/t.csv", match="does not exist",
                                 files={"c.toml": CARD}),
    "scan-limit-unknown": C("scan", "c.toml", *_G, "--limit", "bayes", match="--limit", files={"c.toml": CARD}),
    "scan-cl-above-1": C("scan", "c.toml", *_G, "--cl", "1.5", match="--cl", files={"c.toml": CARD}),
    "scan-background-negative": C("scan", "c.toml", *_G, "--background", "-1", match="--background", files={"c.toml": CARD}),
    "scan-mass-key": C("scan", "c.toml", *_G, "--mass-key", "model.zprime.width", match="mass key", files={"c.toml": CARD}),
    "scan-mass-key-absent": C("scan", "c.toml", *_G, "--mass-key", "model.hnl.mass", match="mass key",
                              files={"c.toml": CARD}),
    "scan-coupling-key": C("scan", "c.toml", *_G, "--coupling-key", "model.zprime.epsilon", match="coupling key",
                           files={"c.toml": CARD}),
    "scan-coupling-key-absent": C("scan", "c.toml", *_G, "--coupling-key", "model.alp.g_gamma", match="coupling key",
                                  files={"c.toml": CARD}),
    "scan-unknown-detector": C("scan", "c.toml", *_G, match="experiment.detector",
                               files={"c.toml": card(detector='detector = "nosuch"')}),
    "scan-broken-geometry": C("scan", "c.toml", *_G, match="shape", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector().replace('shape = "box"', 'shape = "torus"')}),
    "scan-detector-overlap": C("scan", "c.toml", *_G, match="overlap", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(OVERLAP)}),
    "scan-parents-nan": C("scan", "c.toml", *_G, match="experiment.parents", files={
        "c.toml": with_parents("p.txt"), "p.txt": "nan 0.0 5.0 5.003 111 1.0 1000\n"}),
    "scan-final-state": C("scan", "c.toml", *_G, match="signal.final_states", files={"c.toml": card(
        extra="").replace('detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = ["e+ e+"]')}),
    "scan-final-state-at-closed-card-mass": C("scan", "c.toml", *_G, match="signal.final_states", files={"c.toml": card(
        zprime='zprime = { kind = "dark-photon", mass = 0.8, coupling = 1e-7 }').replace(
        'detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = ["e+ e+"]')}),
    "scan-every-mass-closed": C("scan", "c.toml", "--masses", "0.6:0.9:3", "--couplings", "1e-8:1e-6:3",
                                "--output", "t.csv", match="every mass", files={"c.toml": CARD}),
    "scan-beamline-cascade-showers": C("scan", "c.toml", *_G, match="particle_sources.cascade_showers", files={
        "c.toml": card(detector='detector = "d.toml"'), "d.toml": detector(bl="b.toml"),
        "b.toml": beamline(extra="[beamline.particle_sources]\ncascade_showers = 0\n")}),
    "scan-pot-huge": C("scan", "c.toml", *_G, match="experiment.pot", files={"c.toml": card(pot="pot = 1e300")}),
    "scan-mass-outside-model": C("scan", "c.toml", "--masses", "0.3:1.0:3", "--couplings", "1e-6:1e-3:3",
                                 "--mass-key", "model.alp.mass", match="--masses", files={"c.toml": ALP_CARD}),
}

_A = ("--masses", "0.02:0.1:3", "--ctau", "0.1:100:4", "--output", "a.csv")
ACCEPTANCE = {
    "acc-unknown-card": C("acceptance", "nosuch", *_A, match="not found"),
    "acc-no-output": C("acceptance", "c.toml", "--masses", "0.02:0.1:3", "--ctau", "0.1:100:4", match="--output",
                       files={"c.toml": CARD}),
    "acc-no-ctau": C("acceptance", "c.toml", "--masses", "0.02:0.1:3", "--output", "a.csv", match="--ctau",
                     files={"c.toml": CARD}),
    "acc-ctau-format": C("acceptance", "c.toml", "--masses", "0.02:0.1:3", "--ctau", "1:10", "--output", "a.csv",
                         match="--ctau", files={"c.toml": CARD}),
    "acc-masses-format": C("acceptance", "c.toml", "--masses", "x", "--ctau", "0.1:100:4", "--output", "a.csv",
                           match="--masses", files={"c.toml": CARD}),
    "acc-output-exists": C("acceptance", "c.toml", *_A, match="exists", files={"c.toml": CARD, "a.csv": "old"}),
    "acc-root-exists": C("acceptance", "c.toml", *_A, "--root", "a.root", match="exists",
                         files={"c.toml": CARD, "a.root": "old"}),
    "acc-output-missing-dir": C("acceptance", "c.toml", "--masses", "0.02:0.1:3", "--ctau", "0.1:100:4",
                                "--output", "no/a.csv", match="does not exist", files={"c.toml": CARD}),
    "acc-workers-zero": C("acceptance", "c.toml", *_A, "--workers", "0", match="--workers", files={"c.toml": CARD}),
    "acc-events-huge": C("acceptance", "c.toml", *_A, "--events", "99999999999999", match="--events",
                         files={"c.toml": CARD}),
    "acc-unknown-detector": C("acceptance", "c.toml", *_A, match="experiment.detector",
                              files={"c.toml": card(detector='detector = "nosuch"')}),
    "acc-parents-nan": C("acceptance", "c.toml", *_A, match="experiment.parents", files={
        "c.toml": with_parents("p.txt"), "p.txt": "nan 0.0 5.0 5.003 111 1.0 1000\n"}),
    "acc-every-mass-closed": C("acceptance", "c.toml", "--masses", "0.6:0.9:3", "--ctau", "0.1:100:4",
                               "--output", "a.csv", match="every mass", files={"c.toml": CARD}),
    "acc-mass-key": C("acceptance", "c.toml", *_A, "--mass-key", "model.zprime.coupling", match="mass key",
                      files={"c.toml": CARD}),
    "acc-final-state": C("acceptance", "c.toml", *_A, match="signal.final_states", files={"c.toml": card(
        extra="").replace('detect = "zprime:decay"', 'detect = "zprime:decay"\nfinal_states = ["e+ e+"]')}),
}

REWEIGHT = {
    "rw-missing-file": C("reweight", "gone.root", "--coupling", "1e-7", match="not found"),
    "rw-directory": C("reweight", "sub", "--coupling", "1e-7", match="directory", files={"sub/x.txt": "x"}),
    "rw-text-file": C("reweight", "x.root", "--coupling", "1e-7", match="not a readable ROOT file",
                      files={"x.root": "plain text\n"}),
    "rw-empty-file": C("reweight", "x.root", "--coupling", "1e-7", match="x.root", files={"x.root": ""}),
    "rw-truncated": C("reweight", "truncated.root", "--coupling", "1e-7", match="truncated.root", root=("truncated.root",)),
    "rw-foreign-root": C("reweight", "foreign.root", "--coupling", "1e-7", match="no object 'run'", root=("foreign.root",)),
    "rw-no-coupling": C("reweight", "good.root", match="--coupling", root=("good.root",)),
    "rw-coupling-zero": C("reweight", "good.root", "--coupling", "0", match="--coupling", root=("good.root",)),
    "rw-coupling-negative": C("reweight", "good.root", "--coupling", "-1e-7", match="--coupling", root=("good.root",)),
    "rw-coupling-text": C("reweight", "good.root", "--coupling", "tiny", match="--coupling", root=("good.root",)),
    "rw-coupling-inf": C("reweight", "good.root", "--coupling", "inf", match="--coupling", root=("good.root",)),
    "rw-coupling-key": C("reweight", "good.root", "--coupling", "1e-7", "--coupling-key", "model.hnl.mixing",
                         match="coupling key", root=("good.root",)),
    "rw-output-exists": C("reweight", "good.root", "--coupling", "1e-7", "--output", "o.root", match="exists",
                          root=("good.root",), files={"o.root": "old"}),
    "rw-output-missing-dir": C("reweight", "good.root", "--coupling", "1e-7", "--output", "no/o.root",
                               match="does not exist", root=("good.root",)),
    "rw-output-is-input-dir": C("reweight", "good.root", "--coupling", "1e-7", "--output", "sub", match="directory",
                                root=("good.root",), files={"sub/x.txt": "x"}),
}

WIDTHS = {
    "w-no-particle": C("widths", match="PARTICLE"),
    "w-unknown-particle": C("widths", "axion", "--mass", "0.1", match="axion"),
    "w-no-mass": C("widths", "hnl", "--mixing", "mu=1e-6", match="--mass"),
    "w-mass-zero": C("widths", "hnl", "--mass", "0", "--mixing", "mu=1e-6", match="--mass"),
    "w-mass-negative": C("widths", "zprime", "--mass", "-1", "--coupling", "1e-3", match="--mass"),
    "w-mass-text": C("widths", "zprime", "--mass", "heavy", "--coupling", "1e-3", match="--mass"),
    "w-mass-nan": C("widths", "zprime", "--mass", "nan", "--coupling", "1e-3", match="--mass"),
    "w-hnl-no-mixing": C("widths", "hnl", "--mass", "0.3", match="--mixing"),
    "w-hnl-mixing-flavour": C("widths", "hnl", "--mass", "0.3", "--mixing", "nu=1e-6", match="--mixing"),
    "w-hnl-mixing-negative": C("widths", "hnl", "--mass", "0.3", "--mixing", "mu=-1e-6", match="--mixing"),
    "w-hnl-mixing-text": C("widths", "hnl", "--mass", "0.3", "--mixing", "mu=small", match="--mixing"),
    "w-hnl-mixing-no-equals": C("widths", "hnl", "--mass", "0.3", "--mixing", "mu", match="--mixing"),
    "w-hnl-mixing-zero": C("widths", "hnl", "--mass", "0.3", "--mixing", "mu=0", match="--mixing"),
    "w-hnl-dipole-negative": C("widths", "hnl", "--mass", "0.3", "--mixing", "mu=1e-6", "--dipole", "-1",
                               match="--dipole"),
    "w-alp-no-coupling": C("widths", "alp", "--mass", "0.1", match="every coupling is zero"),
    "w-alp-ghnl-no-mass": C("widths", "alp", "--mass", "0.1", "--g-hnl", "1e-3", match="--hnl-mass"),
    "w-alp-cgg-no-fa": C("widths", "alp", "--mass", "0.1", "--c-gg", "1", match="--f-a"),
    "w-alp-ggamma-negative": C("widths", "alp", "--mass", "0.1", "--g-gamma", "-1e-3", match="--g-gamma"),
    "w-zprime-no-coupling": C("widths", "zprime", "--mass", "0.1", match="--coupling"),
    "w-zprime-kind": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--kind", "photon", match="--kind"),
    "w-zprime-coupling-zero": C("widths", "zprime", "--mass", "0.1", "--coupling", "0", match="--coupling"),
    "w-zprime-hnl-mass-zero": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--hnl-mass", "0",
                                match="--hnl-mass"),
    "w-plot-suffix": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--plot", "w.xyz", match="--plot"),
    "w-plot-exists": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--plot", "w.png", match="exists",
                       files={"w.png": "old"}),
    "w-plot-missing-dir": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--plot", "no/w.png",
                            match="does not exist"),
    "w-plot-masses-bad": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--plot", "w.png",
                           "--plot-masses", "1:0.1:5", match="--plot-masses"),
    "w-plot-masses-no-plot": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--plot-masses", "0.1:1:5",
                               match="--plot-masses"),
    "w-unknown-flag": C("widths", "zprime", "--mass", "0.1", "--coupling", "1e-3", "--verbose", match="--verbose"),
}

DETECTORS = {
    "det-unknown": C("detectors", "nosuch", match="nosuch"),
    "det-path-missing": C("detectors", "gone.toml", match="gone.toml"),
    "det-directory": C("detectors", "sub", match="sub", files={"sub/x.txt": "x"}),
    "det-broken": C("detectors", "d.toml", match="shape", files={"d.toml": detector().replace('shape = "box"',
                                                                                               'shape = "torus"')}),
    "det-toml-syntax": C("detectors", "d.toml", match="d.toml", files={"d.toml": "[detector\n"}),
    "det-is-beamline": C("detectors", "b.toml", match="detector", files={"b.toml": beamline()}),
    "det-overlap": C("detectors", "d.toml", match="overlap", files={"d.toml": detector(OVERLAP)}),
    "det-in-target": C("detectors", "d.toml", match="intersects the target", files={
        "d.toml": detector(origin="[0.0, 0.0, -0.5]")}),
    "det-plot-suffix": C("detectors", "sbnd", "--plot", "d.xyz", match="--plot"),
    "det-plot-exists": C("detectors", "sbnd", "--plot", "d.png", match="exists", files={"d.png": "old"}),
    "det-plot-missing-dir": C("detectors", "sbnd", "--plot", "no/d.png", match="does not exist"),
    "det-unknown-flag": C("detectors", "sbnd", "--zoom", match="--zoom"),
}

MERGE = {
    "mg-no-inputs": C("merge", "m.root", match="inputs"),
    "mg-missing-input": C("merge", "m.root", "good.root", "gone.root", match="gone.root", root=("good.root",)),
    "mg-foreign-input": C("merge", "m.root", "good.root", "foreign.root", match="foreign.root",
                          root=("good.root", "foreign.root")),
    "mg-truncated-input": C("merge", "m.root", "truncated.root", match="truncated.root", root=("truncated.root",)),
    "mg-other-physics": C("merge", "m.root", "good.root", "heavier.root", match="differ in 'model'",
                          root=("good.root", "heavier.root")),
    "mg-output-is-input": C("merge", "good.root", "good.root", "--overwrite", match="also an input",
                            root=("good.root",)),
    "mg-output-exists": C("merge", "m.root", "good.root", match="exists", root=("good.root",), files={"m.root": "old"}),
    "mg-pot-zero": C("merge", "m.root", "good.root", "--pot", "0", match="--pot", root=("good.root",)),
    "mg-pot-text": C("merge", "m.root", "good.root", "--pot", "lots", match="--pot", root=("good.root",)),
}

OTHER = {
    "ex-unknown": C("examples", "nosuch", match="nosuch"),
    "ex-two-names": C("examples", "sbnd_dark_photon", "dune_alp_hnl", match="dune_alp_hnl"),
    "top-no-command": C(match="command"),
    "top-unknown-command": C("simulate", match="simulate"),
    "top-unknown-option": C("--turbo", match="--turbo"),
}

CATALOGUE = {**GEN, **YIELDS, **SCAN, **ACCEPTANCE, **REWEIGHT, **MERGE, **WIDTHS, **DETECTORS, **OTHER}


def test_the_catalogue_covers_every_subcommand_with_150_cases():
    assert len(CATALOGUE) >= 150
    commands = {c.argv[0] for c in CATALOGUE.values() if c.argv}
    assert commands >= {"generate", "yields", "scan", "acceptance", "reweight", "merge", "widths", "detectors",
                        "examples"}


# --------------------------------------------------------------------------- running a case

@pytest.fixture(scope="module")
def root_inputs(tmp_path_factory):
    """A small fipgen ROOT file, one of another mass, a truncated copy and a ROOT file of another kind."""
    import numpy as np
    import uproot

    d = tmp_path_factory.mktemp("root_inputs")
    (d / "c.toml").write_text(CARD)
    old = Path.cwd()
    os.chdir(d)
    try:
        assert main(["generate", "c.toml", "--events", "2000", "--output", "good.root", "--quiet"]) == 0
        (d / "h.toml").write_text(CARD.replace("mass = 0.05", "mass = 0.06"))
        assert main(["generate", "h.toml", "--events", "2000", "--output", "heavier.root", "--quiet"]) == 0
    finally:
        os.chdir(old)
    data = (d / "good.root").read_bytes()
    (d / "truncated.root").write_bytes(data[: len(data) // 3])
    with uproot.recreate(d / "foreign.root") as f:
        f.mktree("tree", {"x": np.float64}).extend({"x": np.zeros(3)})
    return d


def _listing(d: Path) -> set[str]:
    return {str(p.relative_to(d)) for p in d.rglob("*")}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_bad_input(name, tmp_path, monkeypatch, capsys, root_inputs):
    case = CATALOGUE[name]
    for rel, text in case.files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    for rel in case.root_inputs:
        shutil.copy(root_inputs / rel, tmp_path / rel)
    before = _listing(tmp_path)
    monkeypatch.chdir(tmp_path)
    try:
        code = main(case.argv)
    except SystemExit as e:  # argparse
        code = e.code
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == case.code, f"{name}: exit {code}, stderr {err!r}"
    assert len(lines) == 1, f"{name}: stderr has {len(lines)} lines: {err!r}"
    assert "Traceback" not in err and "internal error" not in err, err
    assert case.match in lines[0], f"{name}: {lines[0]!r} does not name {case.match!r}"
    assert _listing(tmp_path) == before, f"{name}: files left: {_listing(tmp_path) - before}"


# --------------------------------------------------------------------------- scans at run time

def test_a_closed_mass_is_a_note_and_the_scan_goes_on(tmp_path, monkeypatch, capsys):
    (tmp_path / "c.toml").write_text(CARD)
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "c.toml", "--masses", "0.3:0.6:2", "--couplings", "1e-8:1e-6:3", "--events", "3000",
                 "--workers", "1", "--output", "t.csv", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "note: mass 0.6: " in out and "kinematically closed" in out
    assert (tmp_path / "t.csv").is_file()


def test_a_mass_failing_for_another_reason_stops_the_scan_with_exit_1(tmp_path, monkeypatch, capsys):
    import fipgen.scan.run as run_mod
    from fipgen.errors import PhysicsError

    real = run_mod.collect_table

    def failing(card, *a, **k):
        if card.models["zprime"].mass > 0.05:
            raise PhysicsError("table lookup failed")
        return real(card, *a, **k)

    monkeypatch.setattr(run_mod, "collect_table", failing)
    (tmp_path / "c.toml").write_text(CARD)
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "c.toml", "--masses", "0.02:0.1:3", "--couplings", "1e-8:1e-6:3", "--events", "3000",
                 "--workers", "1", "--output", "t.csv", "--plot", "t.png"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == ["fipgen: error: scan stopped at m = 0.06 GeV: table lookup failed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


def test_volumes_that_share_a_face_are_accepted_and_the_overlap_flag_opts_out(tmp_path):
    from fipgen.geometry import load_detector

    (tmp_path / "t.toml").write_text(detector(TOUCHING))
    assert len(load_detector(str(tmp_path / "t.toml")).active.volumes) == 2
    inside = detector(origin="[0.0, 0.0, -0.5]").replace("exposure_pot = 1e20", "exposure_pot = 1e20\noverlaps_beamline = true")
    (tmp_path / "i.toml").write_text(inside)
    assert load_detector(str(tmp_path / "i.toml")).overlaps_beamline

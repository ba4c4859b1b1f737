"""The documentation in docs/ stays in step with the code.

- every run-card key of fipgen.card.SCHEMA is documented in docs/run-card.md;
- every flag of every subcommand of fipgen.cli.build_parser() is documented in that
  command's section (or synopsis line) of docs/cli.md;
- the TOML blocks of the two how-to pages load with fipgen.geometry, and the detector
  does not overlap its beamline;
- no tracked file other than CHANGELOG.md cites the developer-only references that are
  not in the repository.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fipgen import card
from fipgen.cli import build_parser
from fipgen.geometry import load_beamline, load_detector
from fipgen.geometry.overlaps import check_detector_on_beamline

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"


def _keys(schema: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in schema.items():
        if isinstance(v, dict):
            out += _keys(v, f"{prefix}{k}.")
        else:
            out.append(prefix + k)
    return out


def test_every_card_key_in_run_card_page():
    text = (DOCS / "run-card.md").read_text()
    keys = _keys(card.SCHEMA)
    assert len(keys) > 30
    missing = [k for k in keys if f"`{k}`" not in text]
    assert not missing, f"docs/run-card.md lacks {missing}"


def _commands(parser: argparse.ArgumentParser, prefix: str = "fipgen"):
    """(command path, its own option strings) for every (nested) subcommand."""
    for act in parser._actions:
        if isinstance(act, argparse._SubParsersAction):
            for name, sub in act.choices.items():
                path = f"{prefix} {name}"
                flags = [o for a in sub._actions for o in a.option_strings]
                yield path, flags
                yield from _commands(sub, path)


def _synopsis(common: str) -> list[str]:
    """The synopsis entries: a line starting with ``fipgen`` and its continuation lines."""
    entries: list[str] = []
    for ln in common.splitlines():
        if ln.strip().startswith("fipgen "):
            entries.append(ln.strip())
        elif entries and ln.startswith("    ") and ln.strip():
            entries[-1] += " " + ln.strip()
    return entries


def test_every_cli_flag_in_cli_page():
    text = (DOCS / "cli.md").read_text()
    common = text.split("## fipgen ", 1)[0]  # synopsis and the flags every command takes
    sections = {m.group(1): m.group(2) for m in
                re.finditer(r"^## (fipgen \w+)\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)}
    commands = list(_commands(build_parser()))
    assert {c for c, _ in commands} >= {"fipgen generate", "fipgen scan", "fipgen widths hnl"}
    missing = []
    for cmd, flags in commands:
        top = " ".join(cmd.split()[:2])
        assert top in sections, f"docs/cli.md has no section '## {top}'"
        synopsis = "\n".join(e for e in _synopsis(common) if e.startswith(top))
        here = sections[top] + synopsis
        for f in flags:
            if f in ("-h", "--help", "--debug"):
                ok = f in common
            else:
                ok = re.search(re.escape(f) + r"(?![\w-])", here) is not None
            if not ok:
                missing.append(f"{cmd} {f}")
    assert not missing, f"docs/cli.md lacks {missing}"


def _toml_blocks(page: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


def test_howto_files_load(tmp_path):
    (beamline_toml,) = _toml_blocks("howto-beamline.md")
    (detector_toml,) = _toml_blocks("howto-detector.md")
    (tmp_path / "sps_dump.toml").write_text(beamline_toml)
    (tmp_path / "my_lar.toml").write_text(detector_toml)
    bl = load_beamline(str(tmp_path / "sps_dump.toml"))
    assert bl.name == "sps_dump" and bl.beam_momentum == 400.0
    det = load_detector(str(tmp_path / "my_lar.toml"))
    assert det.name == "my_lar" and det.exposure_pot == 1.0e21
    check_detector_on_beamline(det, load_beamline(det.beamline))
    # the same detector on the example beamline, by relative path, also loads
    (tmp_path / "my_lar_sps.toml").write_text(detector_toml.replace('beamline = "bnb"', 'beamline = "sps_dump.toml"'))
    det2 = load_detector(str(tmp_path / "my_lar_sps.toml"))
    check_detector_on_beamline(det2, load_beamline(det2.beamline))


def test_howto_overlap_rule_is_enforced(tmp_path):
    """The how-to says volumes may not overlap: moving module 2 into module 1 is refused."""
    from fipgen.errors import GeometryError

    (detector_toml,) = _toml_blocks("howto-detector.md")
    bad = detector_toml.replace("position = [0.0, 0.0, 5.0]", "position = [0.0, 0.0, 2.0]")
    assert bad != detector_toml
    (tmp_path / "bad.toml").write_text(bad)
    with pytest.raises(GeometryError):
        load_detector(str(tmp_path / "bad.toml"))


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_no_citations_of_missing_references():
    out = subprocess.run(["git", "grep", "-l", "-E", r"(DESIGN|PHYSICS|BEAMLINES)\.md", "--", ".", ":!CHANGELOG.md",
                          ":!tests/test_docs.py"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    assert out.stdout == "", f"files cite references that are not in the repository:\n{out.stdout}"

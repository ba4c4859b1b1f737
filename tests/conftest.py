"""Fixtures shared by the test modules (pytest loads this file itself; helpers that modules use
at import time, such as the one-box detector text, stay in ``_boxes.py``)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def run_cli(tmp_path, capsys):
    """``run_cli(args) -> (exit code, stdout, stderr)``: ``fipgen.cli.main(args)`` run in the
    test's ``tmp_path`` (the working directory restored after), the output captured since the
    last read."""
    from fipgen.cli import main

    def run(args):
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            code = main(args)
        finally:
            os.chdir(cwd)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def box_30m(tmp_path):
    """A user detector file in ``tmp_path``: a 6 m LAr cube 30 m downstream of the BNB target,
    1 m off axis (the forced-vs-plain tests of the HNL and X -> N N chains); its path."""
    from _boxes import box_detector

    path = tmp_path / "box.toml"
    path.write_text(box_detector("bnb", (1.0, 0.0, 30.0), 6.0,
                                 title="6 m cube 30 m downstream of the BNB target, off axis"))
    return path


@pytest.fixture
def box_18m(tmp_path):
    """A user detector file in ``tmp_path``: a 4 m LAr cube 18 m downstream of the BNB target,
    0.5 m off axis (the forced-vs-plain tests of the meson channels); its path."""
    from _boxes import box_detector

    path = tmp_path / "box.toml"
    path.write_text(box_detector("bnb", (0.5, 0.0, 18.0), 4.0, title="4 m cube 20 m downstream of the BNB target"))
    return path

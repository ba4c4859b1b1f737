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

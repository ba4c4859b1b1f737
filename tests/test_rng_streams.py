"""The random-stream families of fipgen.rng: one registry, distinct, used at the call sites."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from fipgen import rng

ROOT = Path(__file__).parents[1]


def test_families_distinct_and_registered():
    values = list(rng.STREAM_FAMILIES.values())
    assert len(set(values)) == len(values)
    assert rng.GENERATE_STREAM == ()
    assert rng.STREAM_FAMILIES["yields"] == 101 and rng.STREAM_FAMILIES["unweight"] == 301


def test_families_give_independent_streams():
    a = rng.block_rng(7, 0).random(8)
    b = rng.block_rng(7, 0, (rng.SCAN_STREAM, 0)).random(8)
    c = rng.block_rng(7, 0, (rng.ACCEPTANCE_STREAM, 0)).random(8)
    assert not np.allclose(a, b) and not np.allclose(b, c)
    # the spawn key is (*family, block): the same family and block give the same stream
    np.testing.assert_array_equal(b, np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(7, spawn_key=(202, 0, 0)))).random(8))


def test_no_literal_family_numbers_at_call_sites():
    """Call sites name the family (fipgen.rng), they do not repeat its number."""
    out = subprocess.run(["git", "grep", "-n", "-E", r"stream=\(\s*[0-9]|block_rng\([^)]*\(\s*[0-9]", "--",
                          "generator"], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout == "", out.stdout

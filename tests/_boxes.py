"""Test helper: the run-card text of a one-box detector (a user detector file)."""

from __future__ import annotations


def box_detector(beamline: str, origin: tuple, side: float, material: str = "LAr", title: str = "test box") -> str:
    """A cube of ``side`` metres of ``material`` whose upstream face is centred on the frame
    ``origin`` (beam coordinates, m), on ``beamline``, as the text of a detector file."""
    x, y, z = origin
    return f"""
[detector]
kind = "detector"
name = "test_box"
title = "{title}"
beamline = "{beamline}"
material = "{material}"
exposure_pot = 1e20
sources = ["test"]
[detector.frame]
origin = [{x}, {y}, {z}]
[[detector.volumes]]
name = "box"
shape = "box"
size = [{side}, {side}, {side}]
position = [0.0, 0.0, {side / 2}]
"""

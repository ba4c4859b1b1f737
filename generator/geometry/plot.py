"""Drawing of a beamline and a detector, to scale (matplotlib, Agg; no pyplot state).

:func:`plot_setup` draws the beam frame seen from above (z-x) and from the side (z-y):
two full-length panels, then zoomed panels around the target and around the detector,
every panel with equal aspect (to scale). Distances (target face to detector front and
centre, off-axis angle) and sizes are written on the figure. The file type follows the
extension (png, pdf, svg); the file is written atomically.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import OutputError
from .loader import Beamline, Detector
from .shapes import Box, Cylinder, Solid, Volume

__all__ = ["plot_setup"]

_STYLE = {
    "target": dict(facecolor="#d62728", edgecolor="#7f1414", alpha=0.9, zorder=4),
    "decay_pipe": dict(facecolor="#9ecae1", edgecolor="#3182bd", alpha=0.25, zorder=1),
    "absorber": dict(facecolor="#7f7f7f", edgecolor="#3f3f3f", alpha=0.8, zorder=3),
    "detector": dict(facecolor="#2ca02c", edgecolor="#135213", alpha=0.55, zorder=5),
}
#: The further solids of ``[[beamline.solids]]`` (walls, shielding).
_SOLID_STYLE = dict(facecolor="#bcbd22", edgecolor="#5f5f11", alpha=0.5, zorder=2)


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (counter-clockwise) of 2-D points (n, 2), monotone chain."""
    pts = np.unique(np.round(points, 12), axis=0)
    if len(pts) < 3:
        return pts
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[np.ndarray] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[np.ndarray] = []
    for p in pts[::-1]:
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def _outline(v: Volume, axes: tuple[int, int]) -> np.ndarray:
    """Outline (k, 2) of volume ``v`` (solid frame) projected on the plane ``axes``."""
    s = v.shape
    if isinstance(s, Box):
        h = s.half
        local = np.array([[sx * h[0], sy * h[1], sz * h[2]] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
    elif isinstance(s, Cylinder):
        phi = np.linspace(0.0, 2.0 * np.pi, 96, endpoint=False)
        ring = np.stack([s.radius * np.cos(phi), s.radius * np.sin(phi), np.zeros_like(phi)], axis=1)
        local = np.concatenate([ring + [0, 0, -0.5 * s.length], ring + [0, 0, 0.5 * s.length]])
    else:  # sphere: the projection is a circle around the projected centre
        c = v.placement.offset[list(axes)]
        phi = np.linspace(0.0, 2.0 * np.pi, 160, endpoint=False)
        return np.stack([c[0] + s.radius * np.cos(phi), c[1] + s.radius * np.sin(phi)], axis=1)
    pts = v.placement.to_parent(local)[:, list(axes)]
    return _hull(pts)


def _draw_solid(ax, solid: Solid, axes: tuple[int, int], style: dict, label: str | None) -> None:
    from matplotlib.patches import Polygon

    for i, v in enumerate(solid.volumes):
        poly = _outline(v, axes)
        ax.add_patch(Polygon(poly, closed=True, linewidth=0.8, label=label if i == 0 else None, **style))


def _fmt_len(x: float) -> str:
    return f"{x * 1e3:.3g} mm" if x < 0.1 else f"{x:.3g} m"


def _describe_target(bl: Beamline) -> str:
    v = bl.target.solid.volumes[0]
    s = v.shape
    mat = bl.target.material.title
    if isinstance(s, Box):
        dims = " x ".join(_fmt_len(d) for d in s.size)
        return f"target: {mat}, box {dims}"
    if isinstance(s, Cylinder):
        return f"target: {mat}, cylinder r = {_fmt_len(s.radius)}, L = {_fmt_len(s.length)}"
    return f"target: {mat}, sphere r = {_fmt_len(s.radius)}"


def _fit(lim_z: tuple[float, float], lim_t: tuple[float, float], ratio: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Grow one of the two ranges (about its centre) so that span_t / span_z == ratio."""
    (z0, z1), (t0, t1) = lim_z, lim_t
    dz, dt = z1 - z0, t1 - t0
    if dt < ratio * dz:
        c, h = 0.5 * (t0 + t1), 0.5 * ratio * dz
        return (z0, z1), (c - h, c + h)
    c, h = 0.5 * (z0 + z1), 0.5 * dt / ratio
    return (c - h, c + h), (t0, t1)


def _set_view(ax, zlim, tlim, ratio: float, xlabel: str, ylabel: str) -> None:
    """Limits covering ``zlim`` x ``tlim`` with the panel's height/width ``ratio``, 1:1 scale."""
    zl, tl = _fit(zlim, tlim, ratio)
    ax.set_xlim(*zl)
    ax.set_ylim(*tl)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, linewidth=0.3, alpha=0.5)


def _box_ratio(ax) -> float:
    """Height / width of the axes box as laid out (inches ratio)."""
    bb = ax.get_window_extent()
    return max(bb.height, 1.0) / max(bb.width, 1.0)


def _draw_all(ax, det: Detector, bl: Beamline, axes: tuple[int, int]) -> None:
    for el in bl.elements():
        _draw_solid(ax, el.solid, axes, _STYLE.get(el.name, _SOLID_STYLE), f"{el.name.replace('_', ' ')} ({el.material.title})")
    _draw_solid(ax, det.active_beam, axes, _STYLE["detector"], f"{det.name} active volume ({det.material.title})")


def plot_setup(detector: Detector, beamline: Beamline, path: str) -> None:
    """Draw ``beamline`` and ``detector`` to scale and write the figure to ``path``.

    Six panels, all with equal aspect in the beam frame: top view (z-x) and side view
    (z-y) over the whole length, then zooms around the target (top, side) and around the
    detector (top, side). Labelled: target face to detector front and centre distances,
    the off-axis angle, the target and the active-volume sizes.

    Parameters
    ----------
    detector, beamline : Detector, Beamline
        As loaded by :func:`~fipgen.geometry.loader.load_detector` and
        :func:`~fipgen.geometry.loader.load_beamline`.
    path : str
        Output file; ``.png``, ``.pdf`` or ``.svg``. Written to a temporary file in the
        same directory, then renamed: no partial file under ``path``.

    Raises
    ------
    OutputError
        Unknown extension or unwritable directory.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..io.atomic import plot_format, save_figure

    out = Path(path)
    plot_format(out)  # OutputError for an unknown suffix, before any drawing
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: directory {str(parent)!r} does not exist")

    active = detector.active_beam
    dlo, dhi = active.extent()
    dcen, _ = active.bounding_sphere()
    tlo, thi = beamline.target.solid.extent()
    los = [dlo, tlo] + [e.solid.extent()[0] for e in beamline.elements()]
    his = [dhi, thi] + [e.solid.extent()[1] for e in beamline.elements()]
    glo, ghi = np.min(los, axis=0), np.max(his, axis=0)
    dist_centre = float(np.linalg.norm(dcen))
    off_axis = math.atan2(math.hypot(dcen[0], dcen[1]), dcen[2])
    front = float(dlo[2])
    dsize_lo, dsize_hi = detector.active.extent()
    dsize = dsize_hi - dsize_lo

    fig = Figure(figsize=(13.0, 13.0), layout="constrained")
    FigureCanvasAgg(fig)  # Agg, no pyplot: no global state, safe in threads and workers
    gs = fig.add_gridspec(4, 2, height_ratios=[1.0, 1.0, 1.6, 1.6])
    ax_top = fig.add_subplot(gs[0, :])
    ax_side = fig.add_subplot(gs[1, :])
    ax_t_top = fig.add_subplot(gs[2, 0])
    ax_d_top = fig.add_subplot(gs[2, 1])
    ax_t_side = fig.add_subplot(gs[3, 0])
    ax_d_side = fig.add_subplot(gs[3, 1])
    panels = (ax_top, ax_side, ax_t_top, ax_d_top, ax_t_side, ax_d_side)
    for ax in panels:
        ax.set_xlabel("z (m)")
        ax.set_ylabel("x (m)")

    n_vol = len(detector.active.volumes)
    ax_top.set_title(
        f"top view (z-x), to scale.  Target face -> detector front {front:.2f} m, -> active centre "
        f"{dist_centre:.2f} m; off-axis angle {off_axis * 1e3:.1f} mrad",
        fontsize=10, loc="left",
    )
    ax_side.set_title("side view (z-y), to scale", fontsize=10, loc="left")
    ax_t_top.set_title("near the target, top view\n" + _describe_target(beamline) + "\n", fontsize=9.5, loc="left")
    ax_t_side.set_title("near the target, side view", fontsize=9.5, loc="left")
    ax_d_top.set_title(
        f"near the detector, top view (+: active centre)\nactive: {n_vol} volume{'s' if n_vol > 1 else ''} of "
        f"{detector.material.title}, {detector.active.volume_sum():.4g} m^3;\nextent "
        f"{dsize[0]:.3g} x {dsize[1]:.3g} x {dsize[2]:.3g} m (detector-frame x, y, z)",
        fontsize=9.5, loc="left",
    )
    ax_d_side.set_title(
        f"near the detector, side view; active centre at ({dcen[0]:.2f}, {dcen[1]:.2f}, {dcen[2]:.2f}) m",
        fontsize=9.5, loc="left",
    )
    fig.suptitle(
        f"{detector.title}  |  {beamline.title}\n"
        f"detector '{detector.name}' on beamline '{beamline.name}'; beam frame: origin at the target face, "
        f"z along the beam, y up; all panels 1:1",
        fontsize=11,
    )
    for ax, k in ((ax_top, 0), (ax_side, 1), (ax_t_top, 0), (ax_t_side, 1), (ax_d_top, 0), (ax_d_side, 1)):
        _draw_all(ax, detector, beamline, (2, k))
        ax.axhline(0.0, color="k", linewidth=0.6, linestyle="--", zorder=2)
    handles, labels = ax_top.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(handles), fontsize=9, frameon=False)
    fig.draw_without_rendering()  # lay the panels out, to know their shapes
    ratios = {ax: _box_ratio(ax) for ax in panels}

    # ---------------------------------------------------------------- full views
    zspan = ghi[2] - min(glo[2], 0.0)
    zlim = (min(glo[2], 0.0) - 0.03 * zspan, ghi[2] + 0.03 * zspan)
    for ax, k, name in ((ax_top, 0, "x"), (ax_side, 1, "y")):
        ax.plot([0.0, dcen[2]], [0.0, dcen[k]], color="#135213", linewidth=0.8, linestyle=":", zorder=2)
        # markers, so that a millimetre target or a small far detector stays visible
        ax.plot(0.5 * (tlo[2] + thi[2]), 0.0, marker=">", color=_STYLE["target"]["facecolor"], markersize=7, zorder=6)
        ax.plot(dcen[2], dcen[k], marker="s", markerfacecolor="none", markeredgecolor=_STYLE["detector"]["edgecolor"],
                markersize=10, markeredgewidth=1.2, zorder=6)
        t0, t1 = min(glo[k], -1.0), max(ghi[k], 1.0)
        pad = 0.35 * (t1 - t0)
        _set_view(ax, zlim, (t0 - pad, t1 + pad), ratios[ax], "z (m, along the beam)", f"{name} (m)")
    # distance arrow below the beam line: target face -> detector front
    y_arrow = ax_top.get_ylim()[0] + 0.22 * (ax_top.get_ylim()[1] - ax_top.get_ylim()[0])
    ax_top.annotate(
        "", xy=(front, y_arrow), xytext=(0.0, y_arrow),
        arrowprops=dict(arrowstyle="<->", color="#1f1f1f", linewidth=1.0, shrinkA=0, shrinkB=0), zorder=6,
    )
    ax_top.text(0.5 * front, y_arrow, f" {front:.2f} m ", ha="center", va="center", fontsize=9, zorder=7,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"))

    # ---------------------------------------------------------------- target zoom
    tlen = thi[2] - tlo[2]
    tz = (tlo[2] - 0.3 * tlen, thi[2] + 0.3 * tlen)
    for ax, k, name in ((ax_t_top, 0, "x"), (ax_t_side, 1, "y")):
        half = max(abs(tlo[k]), abs(thi[k]))
        w = max(3.0 * half, 0.05 * tlen)
        _set_view(ax, tz, (-w, w), ratios[ax], "z (m)", f"{name} (m)")

    # -------------------------------------------------------------- detector zoom
    dspan = float(np.max(dhi - dlo))
    for ax, k, name in ((ax_d_top, 0, "x"), (ax_d_side, 1, "y")):
        ax.plot(dcen[2], dcen[k], marker="+", color="k", markersize=8, zorder=7)
        m = 0.15 * dspan
        _set_view(ax, (dlo[2] - m, dhi[2] + m), (dlo[k] - m, dhi[k] + m), ratios[ax], "z (m)", f"{name} (m)")

    # the caller checked --overwrite; an OSError on the file becomes one OutputError
    save_figure(fig, out, overwrite=True)

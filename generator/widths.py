"""Width tables and plots: the Python side of ``fipgen widths``.

``report(model)`` gives the total width (GeV), c*tau (m) and the branching ratios;
``scan(particle, params, masses)`` evaluates them on a mass grid, and ``plot_scan``
draws branching ratios and c*tau against mass.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import PhysicsError
from .models.registry import make_model

__all__ = ["report", "report_text", "scan", "plot_scan", "default_mass_grid", "finite"]


def report(model) -> dict[str, Any]:
    """``{"total_width": GeV, "ctau": m, "branching_ratios": {channel: BR}}`` (open channels, BR > 0)."""
    brs = model.branching_ratios()
    return {
        "particle": model.particle,
        "mass": model.mass,
        "total_width": model.total_width(),
        "ctau": model.ctau(),
        "branching_ratios": {k: v for k, v in sorted(brs.items(), key=lambda kv: -kv[1]) if v > 0},
    }


def report_text(rep: dict[str, Any], min_br: float = 0.0) -> str:
    lines = [
        f"{rep['particle']} of mass {rep['mass']:.6g} GeV",
        f"total width : {rep['total_width']:.6e} GeV",
        f"c*tau       : {rep['ctau']:.6e} m",
        "branching ratios:",
    ]
    brs = rep["branching_ratios"]
    if not brs:
        lines.append("  (no open channel)")
    width = max((len(k) for k in brs), default=8)
    for k, v in brs.items():
        if v >= min_br:
            lines.append(f"  {k:<{width}}  {v:.6e}")
    return "\n".join(lines)


def scan(particle: str, params: dict[str, Any], masses: np.ndarray) -> dict[str, Any]:
    """Total width, c*tau and BRs of ``particle`` (other parameters fixed) on ``masses``.

    Masses where the model refuses the parameters (e.g. a closed channel the model
    requires) give NaN.
    """
    masses = np.asarray(masses, dtype=float)
    ctau = np.full(masses.shape, np.nan)
    total = np.full(masses.shape, np.nan)
    brs: dict[str, np.ndarray] = {}
    for i, m in enumerate(masses):
        try:
            mod = make_model(particle, mass=float(m), **params)
            w = mod.partial_widths()
        except PhysicsError:
            continue
        tot = sum(w.values())
        total[i] = tot
        ctau[i] = mod.ctau()
        for k, v in w.items():
            brs.setdefault(k, np.zeros(masses.shape))[i] = v / tot if tot > 0 else 0.0
    return {"mass": masses, "total_width": total, "ctau": ctau, "branching_ratios": brs}


def plot_scan(result: dict[str, Any], path: str, title: str = "", min_br: float = 1e-3) -> None:
    """Branching ratios (top) and c*tau (bottom) against mass; PNG/PDF by extension. Atomic."""

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = result["mass"]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 8), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    shown = [(k, v) for k, v in result["branching_ratios"].items() if np.nanmax(v, initial=0) >= min_br]
    shown.sort(key=lambda kv: -np.nanmax(kv[1]))
    cmap = plt.get_cmap("tab20")
    for i, (k, v) in enumerate(shown):
        ax1.plot(m, np.where(v > 0, v, np.nan), label=k, color=cmap(i % 20), lw=1.5,
                 ls="-" if i < 20 else "--")
    ax1.set_yscale("log")
    ax1.set_ylim(min_br, 1.5)
    ax1.set_ylabel("branching ratio")
    ax1.grid(alpha=0.3, which="both")
    if shown:
        ax1.legend(fontsize=7, ncol=3, loc="lower left")
    ax2.plot(m, result["ctau"], color="k")
    ax2.set_yscale("log")
    ax2.set_ylabel(r"$c\tau$ (m)")
    ax2.set_xlabel("mass (GeV)")
    ax2.grid(alpha=0.3, which="both")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    from .io.atomic import save_figure

    try:
        # the caller checked --overwrite; an OSError on the file becomes one OutputError
        save_figure(fig, path, overwrite=True)
    finally:
        plt.close(fig)


def default_mass_grid(particle: str, mass: float, n: int = 300) -> np.ndarray:
    """A grid from near zero to a little above max(2 x mass, 1 GeV), for plots."""
    hi = max(2.0 * mass, 1.0)
    lo = min(1e-3, mass / 2)
    return np.linspace(lo, hi, n)


def finite(x: float) -> float | None:
    return x if math.isfinite(x) else None

"""Scan plots: the expected-event contour of ``fipgen scan`` (``--plot``).

The contour at the limit's event threshold is drawn in (mass, coupling), with the theory band
of the alternative weights (dotted) and any existing limits a user supplies (``--overlay
FILE:LABEL``, :func:`read_overlay`). The axes are labelled from the model:

* the mass: ``m_{A'}`` (a dark-photon Z'), ``m_{Z'}`` (B-L, B), ``m_a``, ``m_N``, in the unit of
  the model's ``mass`` parameter (GeV);
* the coupling: ``epsilon`` (dark photon), ``g_{B-L}``, ``g_B``, ``|U_mu|^2`` (the card's one
  non-zero mixing; the sum and the card's ratio if several), ``g_{a gamma gamma}`` [GeV^-1],
  ``g_{aee}``, ``g_{a mu mu}``, ``g_{aNN}``: the symbols of :data:`SYMBOLS`, the units of
  :data:`fipgen.models.params.MODEL_PARAMS`.

The mass axis is logarithmic unless the scan is narrow and linear (``mass_axis="auto"``: linear
when the masses are evenly spaced and span less than a factor :data:`LINEAR_BELOW`); the ticks
of a logarithmic axis are labelled within a decade (0.2, 0.3, 0.5, 1 on a 0.2-1 GeV scan) as
densely as the labels fit without overlapping, with plain numbers from 1e-3 to 1e4 and
``m x 10^k`` outside. The legend names the card, the detector, the POT and the limit
criterion (``N >= 2.3 (background-free, 90% CL)``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CardError, InputFileError
from ..models.params import MODEL_PARAMS
from .run import ScanResult, contour_lines

__all__ = ["SYMBOLS", "ZPRIME_SYMBOLS", "LINEAR_BELOW", "Overlay", "parse_overlay", "read_overlay", "mass_label",
           "coupling_label", "limit_text", "legend_title", "scan_title", "number_label", "scan_figure",
           "plot_scan"]

#: mathtext symbol of each model parameter a scan plots, ``model.<particle>.<name>`` -> symbol
#: (``model.hnl.mixing`` is the card's mixings scaled together, fipgen.scan.axes). The unit of
#: each comes from its parameter in fipgen.models.params; a Z' is labelled by its kind
#: (:data:`ZPRIME_SYMBOLS`).
SYMBOLS: dict[str, str] = {
    "model.zprime.mass": "m_{Z'}",
    "model.zprime.coupling": "g_{Z'}",
    "model.alp.mass": "m_a",
    "model.alp.g_gamma": r"g_{a\gamma\gamma}",
    "model.alp.g_electron": "g_{aee}",
    "model.alp.g_muon": r"g_{a\mu\mu}",
    "model.alp.g_hnl": "g_{aNN}",
    "model.hnl.mass": "m_N",
    "model.hnl.mixing": "|U|^2",
    "model.hnl.mixing_e": "|U_e|^2",
    "model.hnl.mixing_mu": r"|U_\mu|^2",
    "model.hnl.mixing_tau": r"|U_\tau|^2",
}

#: Z' kind -> (mass symbol, coupling symbol, name in the title).
ZPRIME_SYMBOLS: dict[str, tuple[str, str, str]] = {
    "dark-photon": ("m_{A'}", r"\varepsilon", "dark photon"),
    "B-L": ("m_{Z'}", "g_{B-L}", "$B-L$ gauge boson"),
    "B": ("m_{Z'}", "g_B", "baryonic $Z'$"),
}

_NAMES = {"alp": "ALP", "hnl": "HNL", "zprime": "$Z'$"}

#: ``mass_axis="auto"`` draws a linear mass axis for evenly spaced masses spanning less than
#: this factor (max/min), a logarithmic one otherwise.
LINEAR_BELOW = 3.0

_MIXINGS = ("mixing_e", "mixing_mu", "mixing_tau")


# -- labels --------------------------------------------------------------------------------

def _param(key: str):
    parts = key.split(".")
    if len(parts) == 3:
        for p in MODEL_PARAMS.get(parts[1], ()):
            if p.name == parts[2]:
                return p
    return None


def _unit_tex(unit: str) -> str:
    """``GeV^-1`` -> ``GeV$^{-1}$``."""
    return re.sub(r"\^\{?(-?\d+)\}?", r"$^{\1}$", unit)


def _with_unit(symbol: str, key: str) -> str:
    p = _param(key)
    unit = p.unit if p is not None else ""
    return f"${symbol}$" + (f" [{_unit_tex(unit)}]" if unit else "")


def _zprime_kind(card) -> str | None:
    spec = card.models.get("zprime") if card is not None else None
    kind = getattr(spec, "kind", None) if spec is not None else None
    return kind if kind in ZPRIME_SYMBOLS else None


def mass_label(mass_key: str, card=None) -> str:
    """Axis label of the scan's mass ``model.<particle>.mass``: ``$m_{A'}$ [GeV]`` for the Z' of
    a dark-photon ``card``, the model's symbol and unit otherwise (the key itself if unknown)."""
    symbol = SYMBOLS.get(mass_key)
    if mass_key == "model.zprime.mass" and _zprime_kind(card):
        symbol = ZPRIME_SYMBOLS[_zprime_kind(card)][0]
    if symbol is None:
        return mass_key
    return _with_unit(symbol, mass_key)


def _ratio(values: list[float]) -> str:
    lo = min(values)
    return ":".join(f"{v / lo:.3g}" for v in values)


def _one_symbol(label: str) -> bool:
    """A label that is one letter or one TeX symbol (``$\\varepsilon$``): drawn upright, since
    turned a quarter it reads as another letter (epsilon as omega)."""
    return re.fullmatch(r"\$(\\[A-Za-z]+|[A-Za-z])\$", label) is not None


def coupling_label(coupling_key: str, card=None) -> str:
    """Axis label of the scan's coupling: ``$\\varepsilon$`` (a dark-photon ``card``), ``$g_{B-L}$``,
    ``$g_B$``, ``$|U_\\mu|^2$`` (the card's one non-zero mixing; with several, their sum and the
    card's ratio), ``$g_{a\\gamma\\gamma}$ [GeV$^{-1}$]``, ... (the key itself if unknown)."""
    if coupling_key == "model.zprime.coupling" and _zprime_kind(card):
        return _with_unit(ZPRIME_SYMBOLS[_zprime_kind(card)][1], coupling_key)
    if coupling_key == "model.hnl.mixing" and card is not None and card.models.get("hnl") is not None:
        spec = card.models["hnl"]
        used = [(k, float(getattr(spec, k))) for k in _MIXINGS if float(getattr(spec, k)) > 0.0]
        if len(used) == 1:
            return _with_unit(SYMBOLS[f"model.hnl.{used[0][0]}"], f"model.hnl.{used[0][0]}")
        if used:
            total = "+".join(SYMBOLS[f"model.hnl.{k}"] for k, _ in used)
            flavours = ":".join(k.split("_")[1].replace("mu", r"\mu").replace("tau", r"\tau") for k, _ in used)
            return f"${total}$ (${flavours}$ = {_ratio([v for _, v in used])})"
    symbol = SYMBOLS.get(coupling_key)
    if symbol is None:
        return coupling_key
    return _with_unit(symbol, coupling_key)


def number_label(v: float) -> str:
    """A tick label: plain from 1e-3 to 1e4 (``0.2``, ``1``, ``30``), ``$m\\times10^{k}$``
    outside (``$10^{-8}$``, ``$2\\times10^{-8}$``)."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else ""
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.6g}"
    k = math.floor(math.log10(abs(v)) + 1e-9)
    m = round(v / 10.0**k, 6)
    if abs(m) >= 10:
        m, k = m / 10, k + 1
    return f"$10^{{{k}}}$" if m == 1 else f"${m:g}\\times10^{{{k}}}$"


def _pot_text(pot: float) -> str:
    return f"{number_label(pot)} POT"


def limit_text(threshold: float, limit: str = "", background: float = 0.0, cl: float | None = None) -> str:
    """The limit criterion: ``$N \\geq 2.3$ (background-free, 90% CL)``; ``limit`` one of
    fipgen.scan.limits.LIMITS (or "" for the threshold alone), ``background`` shown if > 0."""
    parts = []
    if limit:
        parts.append({"poisson": "Poisson", "feldman-cousins": "Feldman-Cousins"}.get(limit, limit))
    if background > 0:
        parts.append(f"$b$ = {background:.3g}")
    if cl is not None:
        parts.append(f"{100 * cl:.3g}% CL")
    text = f"$N \\geq {threshold:.3g}$"
    return text + (f" ({', '.join(parts)})" if parts else "")


def _detector(card):
    """(name, POT) of the card's detector: the card's POT, else the detector's exposure."""
    try:
        from ..geometry import load_detector

        det = load_detector(card.detector)
        name, exposure = det.name, float(det.exposure_pot)
    except Exception:  # a plot is no place to fail on a file the scan already used
        name, exposure = Path(str(card.detector)).stem, None
    return name, (card.pot if card.pot is not None else exposure)


def _card_name(card) -> str:
    src = str(getattr(card, "source", "") or "")
    return Path(src).stem if src and not src.startswith("<") else ""


def legend_title(card) -> str:
    """The legend's heading: the card's name, its detector and POT (two lines)."""
    if card is None:
        return ""
    det, pot = _detector(card)
    lines = []
    name = _card_name(card)
    if name:
        lines.append(f"card: {name}")
    lines.append(f"detector: {det}" + (f", {_pot_text(pot)}" if pot else ""))
    return "\n".join(lines)


def scan_title(card, coupling_key: str | None = None) -> str:
    """Default title: the model (dark photon, $B-L$ gauge boson, ALP, HNL)."""
    if card is None:
        return ""
    particle = card.llp
    if particle == "zprime" and _zprime_kind(card):
        name = ZPRIME_SYMBOLS[_zprime_kind(card)][2]
    else:
        name = _NAMES.get(particle, particle)
    if coupling_key and coupling_key.split(".")[1] != particle:  # e.g. an ALP coupling of an ALP -> N N card
        name += f" (via the {_NAMES.get(coupling_key.split('.')[1], coupling_key.split('.')[1])})"
    return name[0].upper() + name[1:] if name[0].islower() else name


# -- overlays ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overlay:
    """An existing limit to draw: its legend ``label``, the ``pieces`` of its contour (each an
    (k, 2) array of (mass, coupling) in the scan's units) and the file it came from."""

    label: str
    pieces: tuple[np.ndarray, ...]
    source: str = ""


def parse_overlay(spec: str) -> tuple[str, str]:
    """``FILE:LABEL`` -> (file, label), split at the first colon (a label may hold colons, a
    file name may not); CardError naming ``--overlay`` without a file or a label."""
    path, sep, label = spec.partition(":")
    if not sep or not label.strip() or not path.strip():
        raise CardError(f"--overlay {spec!r}: expected FILE:LABEL (a file of mass,coupling rows, a colon, "
                        "the legend label)")
    return path.strip(), label.strip()


_HEADER = re.compile(r"^\s*mass\s*[,\s]\s*coupling\s*$", re.I)


def read_overlay(spec: str) -> Overlay:
    """Read ``FILE:LABEL`` (``--overlay``): rows of ``mass, coupling`` (comma or blank
    separated; mass in GeV and the coupling in the scan's units: as drawn, nothing converted),
    ``#`` comments, an optional ``mass,coupling`` header, and a blank line between separate
    pieces of a contour. Every value must be a finite number > 0 (the axes are logarithmic)
    and every piece have two points at least. A problem raises one line naming the file and
    the line (InputFileError, exit 2)."""
    path, label = parse_overlay(spec)
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"--overlay {path!r}: " + ("is a directory; give a file of mass,coupling rows"
                                                        if p.is_dir() else "no such file"))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputFileError(f"--overlay {path!r}: cannot read it as text ({err.__class__.__name__})") from None
    pieces: list[list[tuple[float, float]]] = [[]]
    starts = [0]
    seen_data = False
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0]
        if not raw.strip():
            if pieces[-1]:
                pieces.append([])
                starts.append(0)
            continue
        if not line.strip():
            continue  # a comment line does not split a contour
        if not seen_data and _HEADER.match(line):
            seen_data = True
            continue
        seen_data = True
        cols = [c for c in re.split(r"[,\s]+", line.strip()) if c]
        if len(cols) != 2:
            raise InputFileError(f"--overlay {path}: line {n}: expected 2 columns (mass, coupling), got "
                                 f"{len(cols)}: {raw.strip()!r}")
        try:
            m, c = float(cols[0]), float(cols[1])
        except ValueError:
            raise InputFileError(f"--overlay {path}: line {n}: expected two numbers (mass, coupling): "
                                 f"{raw.strip()!r}") from None
        if not (math.isfinite(m) and math.isfinite(c) and m > 0 and c > 0):
            raise InputFileError(f"--overlay {path}: line {n}: mass and coupling must be finite numbers > 0 "
                                 f"(logarithmic axes): {raw.strip()!r}")
        if not pieces[-1]:
            starts[-1] = n
        pieces[-1].append((m, c))
    if not pieces[-1]:
        pieces.pop()
        starts.pop()
    if not pieces:
        raise InputFileError(f"--overlay {path}: no mass,coupling rows")
    for pts, n in zip(pieces, starts):
        if len(pts) < 2:
            raise InputFileError(f"--overlay {path}: line {n}: a piece of one point; a piece (rows between "
                                 "blank lines) needs two points at least")
    return Overlay(label, tuple(np.array(pts, dtype=np.float64) for pts in pieces), path)


# -- ticks ---------------------------------------------------------------------------------

#: Mantissas labelled within a decade, densest first (the first whose labels do not overlap).
_SUBS = ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 5, 6, 8), (1, 2, 3, 4, 5, 7), (1, 2, 3, 5), (1, 2, 5),
         (1, 3), (1,))


def _labels_fit(axis, lo: float, hi: float, renderer) -> tuple[int, bool]:
    """(number of labelled ticks inside [lo, hi], whether their labels keep apart)."""
    locs = axis.get_majorticklocs()
    labels = axis.get_ticklabels()
    boxes = []
    for loc, lbl in zip(locs, labels):
        if lo * (1 - 1e-9) <= loc <= hi * (1 + 1e-9) and lbl.get_text():
            boxes.append(lbl.get_window_extent(renderer))
    if not boxes:
        return 0, True
    vertical = axis.axis_name == "y"
    pad = 0.35 * boxes[0].height if not vertical else 0.15 * boxes[0].height
    spans = sorted((b.y0, b.y1) if vertical else (b.x0, b.x1) for b in boxes)
    ok = all(b0 - a1 >= pad for (_, a1), (b0, _) in zip(spans, spans[1:]))
    return len(boxes), ok


def _log_ticks(fig, axis, lo: float, hi: float) -> None:
    """Label a logarithmic axis within a decade where the range allows (module docstring)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

    fmt = FuncFormatter(lambda v, _pos: number_label(v))
    decades = math.log10(hi / lo)
    choices = _SUBS if decades <= 2.5 else ((1,),)
    renderer = fig.canvas.get_renderer()
    for subs in choices:
        minor = tuple(s for s in range(1, 10) if s not in subs)
        axis.set_major_locator(LogLocator(base=10, subs=subs, numticks=100 if len(choices) > 1 else "auto"))
        axis.set_minor_locator(LogLocator(base=10, subs=minor or (1,), numticks=100 if decades <= 2.5 else "auto"))
        axis.set_major_formatter(fmt)
        axis.set_minor_formatter(NullFormatter())
        if len(choices) == 1:
            return
        fig.canvas.draw()
        n, ok = _labels_fit(axis, lo, hi, renderer)
        if ok and n >= 2 and n <= 10:
            return
        if ok and n < 2:
            break  # too narrow for decade ticks: ticks evenly spaced in value
    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(fmt)


# -- the plot ------------------------------------------------------------------------------

_OVERLAY_COLOURS = ("tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive",
                    "tab:cyan", "black", "tab:gray")


def _even(x: np.ndarray) -> bool:
    d = np.diff(x)
    return len(x) >= 2 and bool(np.allclose(d, d[0], rtol=1e-6, atol=0))


def _mass_scale(masses: np.ndarray, mass_axis: str) -> str:
    if mass_axis not in ("auto", "log", "linear"):
        raise CardError(f"--mass-axis {mass_axis!r}: allowed: auto, log, linear")
    if mass_axis != "auto":
        return mass_axis
    lo, hi = float(masses.min()), float(masses.max())
    return "linear" if (_even(masses) and hi / lo < LINEAR_BELOW) else "log"


def _limits(lo: float, hi: float, log: bool) -> tuple[float, float]:
    if hi > lo:
        return lo, hi
    return (lo / 1.5, hi * 1.5) if log else (lo - 0.1 * abs(lo), hi + 0.1 * abs(hi))


def scan_figure(res: ScanResult, threshold: float, title: str | None = None, band: bool = True, *, card=None,
                limit: str = "", overlays=(), mass_axis: str = "auto"):
    """The matplotlib Figure of :func:`plot_scan`, drawn (the caller closes it; draw or save it
    again within ``matplotlib.pyplot.style.context(mplhep.style.ROOT)``, the style of its texts)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mplhep
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    scale = _mass_scale(np.asarray(res.masses), mass_axis)
    with plt.style.context(mplhep.style.ROOT):
        fig, ax = plt.subplots(figsize=(10, 8))
        if band and res.alt:
            lo = np.minimum.reduce([res.events] + list(res.alt.values()))
            hi = np.maximum.reduce([res.events] + list(res.alt.values()))
            for ln in contour_lines(res.masses, res.couplings, lo, threshold) + \
                    contour_lines(res.masses, res.couplings, hi, threshold):
                ax.plot(ln[:, 0], ln[:, 1], color="tab:blue", ls=":", lw=1.5)
        for k, ln in enumerate(contour_lines(res.masses, res.couplings, res.events, threshold)):
            ax.plot(ln[:, 0], ln[:, 1], color="tab:blue", lw=2.5, label=(limit or f"{threshold:.3g} events")
                    if k == 0 else None)
        if band and res.alt:
            ax.plot([], [], color="tab:blue", ls=":", lw=1.5, label="theory band (alternative weights)")
        for i, ov in enumerate(overlays):
            colour = _OVERLAY_COLOURS[i % len(_OVERLAY_COLOURS)]
            for k, pc in enumerate(ov.pieces):
                ax.plot(pc[:, 0], pc[:, 1], color=colour, lw=1.8, ls="--", label=ov.label if k == 0 else None)
        ax.set_yscale("log")
        ax.set_xscale(scale)
        mlo, mhi = _limits(float(np.min(res.masses)), float(np.max(res.masses)), scale == "log")
        clo, chi = _limits(float(np.min(res.couplings)), float(np.max(res.couplings)), True)
        ax.set_xlim(mlo, mhi)
        ax.set_ylim(clo, chi)
        ax.set_xlabel(mass_label(res.mass_key, card))
        y_label = coupling_label(res.coupling_key, card)
        ax.set_ylabel(y_label, rotation=0 if _one_symbol(y_label) else 90)
        label_size = FontProperties(size=matplotlib.rcParams["axes.labelsize"]).get_size_in_points()
        title = scan_title(card, res.coupling_key) if title is None else title
        if title:
            ax.set_title(title, fontsize=label_size, pad=12)
        handles, labels = ax.get_legend_handles_labels()
        heading = legend_title(card)
        if handles or heading:
            ax.legend(handles, labels, title=heading or None, loc="best", fontsize="x-small",
                      title_fontsize="x-small", framealpha=0.9, alignment="left")
        fig.tight_layout()
        if scale == "log":
            _log_ticks(fig, ax.xaxis, mlo, mhi)
        else:
            sf = ScalarFormatter(useOffset=False)
            ax.xaxis.set_major_formatter(sf)
            ax.xaxis.set_minor_formatter(NullFormatter())
        _log_ticks(fig, ax.yaxis, clo, chi)
        fig.tight_layout()
        if title:  # a long title shrinks to the figure's width
            fig.canvas.draw()
            t = ax.title
            width = t.get_window_extent().width
            if width > 0.98 * fig.bbox.width:
                t.set_fontsize(label_size * 0.98 * fig.bbox.width / width)
        fig.canvas.draw()
    return fig


def plot_scan(path, res: ScanResult, threshold: float, title: str | None = None, band: bool = True,
              overwrite: bool = False, *, card=None, limit: str = "", overlays=(), mass_axis: str = "auto") -> None:
    """Write the contour plot of a scan to ``path`` (.png, .pdf, .svg; HEP style via mplhep):
    the ``threshold`` contour, the theory band of the alternative weights (``band``), the
    ``overlays`` (:class:`Overlay`, from :func:`read_overlay`); axis labels, title and legend
    heading from ``card`` (the scan's RunCard; without it, from the keys), the contour's legend
    entry ``limit`` (:func:`limit_text`); ``mass_axis`` "auto", "log" or "linear" (module
    docstring). ``title=None`` is the model's name, "" none."""
    import matplotlib.pyplot as plt
    import mplhep

    from ..io.atomic import save_figure

    fig = scan_figure(res, threshold, title, band, card=card, limit=limit, overlays=overlays, mass_axis=mass_axis)
    try:
        with plt.style.context(mplhep.style.ROOT):  # the texts' mathtext fonts are the style's
            save_figure(fig, path, overwrite)
    finally:
        plt.close(fig)

"""Scan plots (fipgen.scan.plot, ``fipgen scan --plot``).

* Axis labels come from the model: epsilon for a dark photon, g_{B-L}, g_B, |U_mu|^2 (the
  card's one mixing; the sum and ratio for several), g_{a gamma gamma} [GeV^-1], ...; every
  scan coupling key and Z' kind has its symbol.
* A 0.2-1.0 GeV mass axis is labelled within the decade (0.2, 0.3, ..., 1), not at 10^0 alone,
  without overlapping labels; narrow even scans get a linear axis, wide ones decade labels.
* ``--overlay FILE:LABEL``: pieces split at blank lines, comments and a header skipped, values
  drawn as given (the scan's units); bad files are one line naming the file and line.
* The legend names the card, detector, POT and limit criterion; the title is as large as the
  axis labels; a coupling label of one symbol (epsilon) is upright.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from fipgen.card import load_packaged_card, parse_card
from fipgen.errors import CardError, InputFileError
from fipgen.models.params import ZPRIME_KINDS
from fipgen.scan.axes import COUPLING_KEYS
from fipgen.scan.plot import (SYMBOLS, ZPRIME_SYMBOLS, Overlay, coupling_label, legend_title, limit_text, mass_label,
                              number_label, parse_overlay, plot_scan, read_overlay, scan_figure, scan_title)
from fipgen.scan.run import ScanResult


def _card(model: str, detect: str = "zprime", detector: str = "sbnd", pot: str = "pot = 6.6e20") -> object:
    return parse_card(f"""[experiment]
detector = "{detector}"
{pot}

[model]
{model}

[signal]
produce = ["{detect}:{'K+' if detect == 'hnl' else 'pi0'}"]
detect = "{detect}:decay"
""", source="/some/where/my_card.toml")


DARK = 'zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }'


# --------------------------------------------------------------------------- labels

@pytest.mark.parametrize("model, detect, key, label", [
    (DARK, "zprime", "model.zprime.coupling", r"$\varepsilon$"),
    ('zprime = { kind = "B-L", mass = 0.05, coupling = 1e-7 }', "zprime", "model.zprime.coupling", "$g_{B-L}$"),
    ('zprime = { kind = "B", mass = 0.05, coupling = 1e-7 }', "zprime", "model.zprime.coupling", "$g_B$"),
    ("hnl = { mass = 0.2, mixing_mu = 1e-6 }", "hnl", "model.hnl.mixing", r"$|U_\mu|^2$"),
    ("hnl = { mass = 0.2, mixing_e = 1e-6 }", "hnl", "model.hnl.mixing", "$|U_e|^2$"),
    ("hnl = { mass = 0.2, mixing_e = 1e-6, mixing_mu = 2e-6 }", "hnl", "model.hnl.mixing",
     r"$|U_e|^2+|U_\mu|^2$ ($e:\mu$ = 1:2)"),
    ("alp = { mass = 0.1, g_gamma = 1e-5 }", "alp", "model.alp.g_gamma", r"$g_{a\gamma\gamma}$ [GeV$^{-1}$]"),
    ("alp = { mass = 0.1, g_electron = 1e-5 }", "alp", "model.alp.g_electron", "$g_{aee}$"),
    ("alp = { mass = 0.1, g_muon = 1e-5 }", "alp", "model.alp.g_muon", r"$g_{a\mu\mu}$"),
])
def test_coupling_label_from_the_model(model, detect, key, label):
    assert coupling_label(key, _card(model, detect)) == label


def test_mass_labels_from_the_model():
    assert mass_label("model.zprime.mass", _card(DARK)) == "$m_{A'}$ [GeV]"
    assert mass_label("model.zprime.mass", _card(DARK.replace("dark-photon", "B-L"))) == "$m_{Z'}$ [GeV]"
    assert mass_label("model.hnl.mass") == "$m_N$ [GeV]"
    assert mass_label("model.alp.mass") == "$m_a$ [GeV]"


def test_every_coupling_key_and_zprime_kind_has_a_symbol():
    assert set(COUPLING_KEYS) <= set(SYMBOLS)
    assert set(ZPRIME_KINDS) == set(ZPRIME_SYMBOLS)
    for key in COUPLING_KEYS:  # without a card: the model's symbol, never the key
        assert coupling_label(key).startswith("$"), key
    assert coupling_label("model.alp.g_hnl") == "$g_{aNN}$"
    assert coupling_label("model.zprime.coupling") == "$g_{Z'}$"  # no card: no kind; not "eps or g"
    assert coupling_label("model.nosuch.x") == "model.nosuch.x"


def test_numbers_and_limit_texts():
    assert [number_label(v) for v in (0.2, 0.30000000000000004, 1.0, 30.0)] == ["0.2", "0.3", "1", "30"]
    assert number_label(1e-8) == "$10^{-8}$" and number_label(2e-8) == r"$2\times10^{-8}$"
    assert number_label(6.6e20) == r"$6.6\times10^{20}$"
    assert limit_text(2.3, "background-free", 0.0, 0.9) == r"$N \geq 2.3$ (background-free, 90% CL)"
    assert limit_text(3.68, "poisson", 3.0, 0.9) == r"$N \geq 3.68$ (Poisson, $b$ = 3, 90% CL)"
    assert limit_text(2.44, "feldman-cousins", 0.0, 0.95) == r"$N \geq 2.44$ (Feldman-Cousins, 95% CL)"


# --------------------------------------------------------------------------- figures

def _result(masses, couplings=None, key=("model.zprime.mass", "model.zprime.coupling")):
    m = np.asarray(masses, dtype=float)
    c = np.geomspace(1e-9, 1e-5, 30) if couplings is None else np.asarray(couplings, dtype=float)
    ev = 1e14 * c[None, :] ** 2 * np.exp(-(c[None, :] / 3e-7) ** 2 * (m[:, None] / 0.3) ** 5)
    extra = {"trials": np.full(len(m), 1000)} if "trials" in {f.name for f in dataclasses.fields(ScanResult)} else {}
    return ScanResult(m, c, ev, 0.1 * ev, {"alt": 1.3 * ev}, [], key[0], key[1], 1.0, np.ones(len(m)), **extra)


def _tick_texts(ax, which="x"):
    """The non-empty major tick labels inside the view, in order."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    lo, hi = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    return [lbl.get_text() for loc, lbl in zip(axis.get_majorticklocs(), axis.get_ticklabels())
            if lo * (1 - 1e-9) <= loc <= hi * (1 + 1e-9) and lbl.get_text()]


def _close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_a_tenth_of_a_decade_scan_has_readable_mass_ticks():
    fig = scan_figure(_result(np.linspace(0.2, 1.0, 9)), 2.3, card=_card(DARK))
    try:
        ax = fig.axes[0]
        assert ax.get_xscale() == "log"
        texts = _tick_texts(ax)
        assert len(texts) >= 4 and {"0.2", "0.3", "0.5", "1"} <= set(texts), texts
        assert not any("10^" in t for t in texts)
        boxes = sorted((lbl.get_window_extent().x0, lbl.get_window_extent().x1) for lbl in ax.get_xticklabels()
                       if lbl.get_text() in texts)
        assert all(b[0] > a[1] for a, b in zip(boxes, boxes[1:]))  # no overlap
        assert ax.get_xlabel() == "$m_{A'}$ [GeV]" and ax.get_ylabel() == r"$\varepsilon$"
        assert ax.yaxis.label.get_rotation() == 0  # one symbol upright: turned, epsilon reads as omega
    finally:
        _close(fig)
    fig = scan_figure(_result(np.linspace(0.2, 1.0, 9)), 2.3,
                      card=_card('zprime = { kind = "B-L", mass = 0.05, coupling = 1e-7 }'))
    try:  # a longer label along the axis
        assert fig.axes[0].get_ylabel() == "$g_{B-L}$" and fig.axes[0].yaxis.label.get_rotation() == 90
    finally:
        _close(fig)


def test_mass_axis_scales():
    for masses, axis, scale, expect in [
        (np.linspace(0.3, 0.6, 7), "auto", "linear", {"0.30", "0.40", "0.50", "0.60"}),  # narrow and even: linear
        (np.linspace(0.3, 0.6, 7), "log", "log", {"0.3", "0.4", "0.5", "0.6"}),
        (np.linspace(0.01, 1.0, 12), "auto", "log", {"0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"}),
        (np.geomspace(1e-3, 3.0, 12), "auto", "log", {"0.001", "0.01", "0.1", "1"}),  # wide: decades
        (np.linspace(0.2, 1.0, 9), "linear", "linear", {"0.2", "0.4", "0.6", "0.8", "1.0"}),
    ]:
        fig = scan_figure(_result(masses), 2.3, mass_axis=axis)
        try:
            ax = fig.axes[0]
            assert ax.get_xscale() == scale
            assert expect <= set(_tick_texts(ax)), (masses[0], masses[-1], axis, _tick_texts(ax))
        finally:
            _close(fig)
    with pytest.raises(CardError, match="--mass-axis"):
        scan_figure(_result(np.linspace(0.2, 1.0, 3)), 2.3, mass_axis="sqrt")


def test_legend_names_card_detector_pot_and_limit(tmp_path):
    ov = Overlay("NuCal", (np.array([[0.2, 1e-7], [1.0, 2e-7]]), np.array([[0.3, 1e-6], [0.9, 2e-6]])))
    limit = limit_text(2.3, "background-free", 0.0, 0.9)
    fig = scan_figure(_result(np.linspace(0.2, 1.0, 9)), 2.3, card=_card(DARK), limit=limit, overlays=[ov])
    try:
        ax = fig.axes[0]
        leg = ax.get_legend()
        heading = leg.get_title().get_text()
        assert heading == "card: my_card\n" + r"detector: sbnd, $6.6\times10^{20}$ POT"
        texts = [t.get_text() for t in leg.get_texts()]
        assert texts == [limit, "theory band (alternative weights)", "NuCal"]
        # the overlay's two pieces are two lines, drawn as given
        drawn = [ln for ln in ax.get_lines() if ln.get_color() == "tab:red"]
        assert len(drawn) == 2 and np.allclose(drawn[0].get_xydata(), ov.pieces[0])
        # the title: the model, as large as the axis labels
        assert ax.get_title() == "Dark photon"
        assert ax.title.get_fontsize() == pytest.approx(ax.xaxis.label.get_fontsize(), rel=0.05)
    finally:
        _close(fig)
    # without a band, the band's entry goes; POT from the detector when the card has none
    card = _card(DARK, pot="")
    assert legend_title(card).endswith(r"$6.6\times10^{20}$ POT")  # SBND's exposure
    fig = scan_figure(_result(np.linspace(0.2, 1.0, 9)), 2.3, band=False, card=card)
    try:
        assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["2.3 events"]
    finally:
        _close(fig)
    assert scan_title(_card("hnl = { mass = 0.2, mixing_mu = 1e-6 }", "hnl")) == "HNL"
    plot_scan(tmp_path / "p.png", _result(np.linspace(0.2, 1.0, 5)), 2.3, card=card, title="")
    assert (tmp_path / "p.png").stat().st_size > 1000


# --------------------------------------------------------------------------- overlays

def test_overlay_pieces_comments_and_units(tmp_path):
    f = tmp_path / "lim.csv"
    f.write_text("# NuCal, digitised: mass GeV, epsilon\n"
                 "mass,coupling\n"
                 "0.2, 3e-7\n"
                 "# a comment line does not split a piece\n"
                 "0.5,5e-7   # inline comment\n"
                 "1.0\t1e-6\n"
                 "\n"
                 "   \n"
                 "0.2, 2e-5\n"
                 "1.0, 4e-6\n")
    ov = read_overlay(f"{f}:NuCal: 90% CL")
    assert ov.label == "NuCal: 90% CL" and ov.source == str(f)
    assert len(ov.pieces) == 2
    assert np.array_equal(ov.pieces[0], [[0.2, 3e-7], [0.5, 5e-7], [1.0, 1e-6]])  # as given: GeV, epsilon
    assert np.array_equal(ov.pieces[1], [[0.2, 2e-5], [1.0, 4e-6]])
    assert parse_overlay("a.csv:  CHARM ") == ("a.csv", "CHARM")


@pytest.mark.parametrize("text, spec, match", [
    (None, "lim.csv", "expected FILE:LABEL"),
    (None, "lim.csv:", "expected FILE:LABEL"),
    (None, ":CHARM", "expected FILE:LABEL"),
    (None, "gone.csv:CHARM", "'gone.csv': no such file"),
    ("0.2,1e-7\n0.3,abc\n", "lim.csv:X", "lim.csv: line 2: expected two numbers"),
    ("0.2,1e-7,4\n", "lim.csv:X", "lim.csv: line 1: expected 2 columns"),
    ("0.2,1e-7\n0.3,-1e-7\n", "lim.csv:X", "lim.csv: line 2: mass and coupling must be finite numbers > 0"),
    ("0.2,1e-7\nnan,1e-7\n", "lim.csv:X", "lim.csv: line 2: mass and coupling must be finite"),
    ("# nothing\n\n", "lim.csv:X", "lim.csv: no mass,coupling rows"),
    ("0.2,1e-7\n0.3,1e-7\n\n0.5,1e-7\n", "lim.csv:X", "lim.csv: line 4: a piece of one point"),
    ("coupling,mass\n0.2,1e-7\n", "lim.csv:X", "lim.csv: line 1: expected two numbers"),
])
def test_overlay_errors_name_the_file_and_line(tmp_path, monkeypatch, text, spec, match):
    monkeypatch.chdir(tmp_path)
    if text is not None:
        (tmp_path / "lim.csv").write_text(text)
    with pytest.raises((CardError, InputFileError), match=match.replace("(", r"\(").replace("$", r"\$")) as err:
        read_overlay(spec)
    assert "\n" not in str(err.value)


def test_cli_scan_passes_model_labels_limit_and_overlays(tmp_path, monkeypatch, run_cli):
    """The scan subcommand's plot: overlays read before any work, the card, the limit text
    and the mass axis handed to plot_scan (a stand-in scan keeps this fast)."""
    import fipgen.scan.plot as plot_mod
    import fipgen.scan.run as run_mod

    (tmp_path / "lim.txt").write_text("0.2 1e-7\n1.0 2e-7\n")
    calls = []
    monkeypatch.setattr(run_mod, "run_scan", lambda card, masses, couplings, *a, **k: _result(masses, couplings))
    real = plot_mod.plot_scan
    monkeypatch.setattr(plot_mod, "plot_scan", lambda *a, **k: (calls.append(k), real(*a, **k)))
    code, out, err = run_cli(["scan", "darkquest_dark_photon_brems", "--masses", "0.2:1.0:9", "--couplings",
                              "1e-9:1e-5:30", "--plot", "s.png", "--overlay", "lim.txt:CHARM", "--mass-axis", "log",
                              "--limit", "poisson", "--background", "1", "--json"])
    assert code == 0, err
    assert json.loads(out)["outputs"] == ["s.png"] and (tmp_path / "s.png").stat().st_size > 1000
    (k,) = calls
    assert k["card"].source.endswith("darkquest_dark_photon_brems.toml") and k["mass_axis"] == "log"
    assert k["limit"].startswith(r"$N \geq") and "(Poisson, $b$ = 1, 90% CL)" in k["limit"]
    assert [o.label for o in k["overlays"]] == ["CHARM"]
    # overlays and --mass-axis need --plot
    code, out, err = run_cli(["scan", "darkquest_dark_photon_brems", "--masses", "0.2:1.0:3", "--couplings",
                              "1e-9:1e-5:3", "--overlay", "lim.txt:CHARM"])
    assert code == 2 and err.strip().endswith("--overlay needs --plot FILE") and err.count("\n") == 1


def test_packaged_example_labels():
    card = load_packaged_card("sbnd_hnl_kaon.toml")
    assert coupling_label("model.hnl.mixing", card) == r"$|U_\mu|^2$"
    assert legend_title(card).startswith("card: sbnd_hnl_kaon\ndetector: sbnd, ")

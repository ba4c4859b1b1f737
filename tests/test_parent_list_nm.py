"""sbncode's neutral-meson parent text (TxtFileGenNM, ``px py pz x y z start_t wgt``): written by
``fipgen generate --format mevprtl-nm``, read as sbncode's reader reads it, and read back by
fipgen (``experiment.parents_format = "mevprtl-nm"``) into a pi0 source that keeps the lines'
production points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial import cKDTree

from fipgen.constants import C_M_PER_NS, mass
from fipgen.errors import CardError, OutputError, PhysicsError
from fipgen.io.parent_list import read_mevprtl_text
from fipgen.io.parent_list_nm import (NM_HEADER_LINES, PI0_MASS, POT_PER_LINE, read_mevprtl_nm_text,
                                      write_mevprtl_nm_text)
from fipgen.production.sources.external import ExternalParents, FilePoints

from test_external_parents import _card, _pi0_signal_as_the_builtin_source

ZP = 'zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-6 }'

PI0_CARD = """[experiment]
detector = "sbnd"
pot = 6.6e20

[model]
zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-7 }

[signal]
produce = ["zprime:pi0"]
detect = "zprime:decay"

[run]
events = 20000
seed = 3
"""


class _TxtFileGenNM:
    """sbncode's ``TxtFileGenNM`` as its source does it (SBNSoftware/sbncode,
    ``sbncode/EventGenerator/MeVPrtl/Tools/TxtFileGenNM_tool.cc``):

    * ``GetNextEntry``: on a new file count its lines (``getline``), ``fCurrentFileLines = lines -
      fNSkipLines``, start at ``fEntryStart = RandFlat::shootInt(fEngine, fCurrentFileLines)``
      (uniform in [0, n)) after skipping ``fNSkipLines + fEntryStart`` lines; then read on line
      by line, rewinding past the skipped lines at the end of the file; after
      ``(fEntry + 1) % n == fEntryStart`` the next call opens the next file (wrapping over the
      list). No comment handling.
    * ``MakeMCFlux``: ``l4vec >> px >> py >> pz >> x >> y >> z >> start_t >> wgt``;
      ``fptype = 111``, ``fppenergy = sqrt(p2 + mpi0*mpi0)`` with ``mpi0 = 0.1349768``;
      ``fvx, fvy, fvz = x, y, z``; ``fnimpwt = wgt``; ``ftpx = start_t``; then
      ``fAccumulatedPOT = 1000000`` (assigned, not added).
    * ``GetPOT``: returns ``fAccumulatedPOT`` and sets it to 0.
    """

    MPI0 = 0.1349768

    def __init__(self, files, n_skip: int, rng):
        self.files = [str(f) for f in files]
        self.n_skip, self.rng = n_skip, rng
        self.file_index, self.new_file = 0, True
        self.entry = self.entry_start = self.n_lines = self.pos = 0
        self.lines: list[str] = []
        self.accumulated_pot = 0.0

    def _next_entry(self) -> str:
        if self.new_file:
            if self.file_index >= len(self.files):
                self.file_index = 0
            with open(self.files[self.file_index], encoding="utf-8") as fh:
                lines = fh.read().split("\n")
            if lines and lines[-1] == "":  # (getline does not see a line after the last newline)
                lines.pop()
            self.lines = lines
            self.n_lines = len(lines) - self.n_skip
            if self.n_lines <= 0:
                raise RuntimeError("no usable data lines after skipping the header lines")
            self.entry_start = int(self.rng.integers(0, self.n_lines))
            self.entry = self.entry_start
            self.pos = self.n_skip + self.entry_start
            self.new_file = False
        else:
            self.entry = (self.entry + 1) % self.n_lines
            if (self.entry + 1) % self.n_lines == self.entry_start:
                self.file_index += 1
                self.new_file = True
        if self.pos >= len(self.lines):  # getline fails: rewind, skip fNSkipLines, read the next one
            self.pos = self.n_skip
        line = self.lines[self.pos]
        self.pos += 1
        return line

    def get_next(self) -> dict:
        line = self._next_entry()
        vals: list[float] = []
        for tok in line.split()[:8]:
            try:
                vals.append(float(tok))
            except ValueError:  # operator>> fails: stores 0, the stream stops
                vals.append(0.0)
                break
        vals += [math.nan] * (8 - len(vals))  # never extracted (uninitialised in the C++)
        px, py, pz, x, y, z, start_t, wgt = vals
        e = math.sqrt(px * px + py * py + pz * pz + self.MPI0 * self.MPI0)
        self.accumulated_pot = 1000000.0
        return {"line": line, "pdg": 111, "p4": (px, py, pz, e), "pos_cm": (x, y, z), "weight": wgt, "tpx": start_t,
                "dxdz": px / pz, "dydz": py / pz}

    def get_pot(self) -> float:
        ret = self.accumulated_pot
        self.accumulated_pot = 0.0
        return ret


def _meson_parent_mass(flux: dict) -> float:
    """sbnobj's ``MesonParent`` mass from the MCFlux (``fpppz * sqrt(1 + drdz2)`` against ``fppenergy``)."""
    px, py, pz, e = flux["p4"]
    p = pz * math.sqrt(1 + flux["dxdz"] ** 2 + flux["dydz"] ** 2)
    return math.sqrt(e * e - p * p)


def _all_from(points, lines) -> bool:
    """Every point (k, 3) is one of ``lines`` (m, 3), to the 9 digits the text keeps."""
    d, _ = cKDTree(lines).query(points)
    return bool(np.all(d < 1e-6))


def _in_absorber(part) -> bool:
    return bool(part.points.xyz[:, 2].min() > 45.0)


def _source_points(job, n: int, seed: int):
    from fipgen.production.sources.vertex import source_sample

    return source_sample(job.beamline, job.channels[0].source, n, np.random.default_rng(seed))


def test_constants_are_sbncodes():
    assert PI0_MASS == _TxtFileGenNM.MPI0 == mass(111)
    assert POT_PER_LINE == 1e6 and NM_HEADER_LINES == 0


def test_written_list_reads_in_sbncode_txtfilegennm(tmp_path, monkeypatch):
    """``fipgen generate --format mevprtl-nm``, read as TxtFileGenNM reads it with NSkipLines = 0
    (no header; SBND's configuration): every line is a pi0 (MesonParent's mass 0.135 GeV);
    reading line by line with the POT asked after each line, sum(wgt) / POT is the source's pi0
    per POT; a contiguous block from the random start has the source's production points (mean
    z, the share made in the absorber) and momenta; one pass over two files reads every line
    once. Asked once after several lines (as sbncode's MeVPrtlGen asks once per event), the POT
    is 1e6, not 1e6 per line: the assignment in the source."""
    from fipgen.card import parse_card
    from fipgen.cli import main
    from fipgen.pipeline import build_job

    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text(PI0_CARD)
    assert main(["generate", "c.toml", "--format", "mevprtl-nm", "--output", "p.txt", "--quiet"]) == 0
    job = build_job(parse_card(PI0_CARD, "c.toml"))
    per_pot = job.channels[0].source.per_pot
    text = (tmp_path / "p.txt").read_text()
    lines = text.splitlines()
    assert len(lines) == 20000 and text.endswith("\n")
    assert all(len(x.split()) == 8 for x in lines)  # no header: the first line is a parent too

    pts, p4 = _source_points(job, 400_000, 11)
    z_src = pts[:, 2]
    for seed in range(3):
        r = _TxtFileGenNM([tmp_path / "p.txt"], NM_HEADER_LINES, np.random.default_rng(seed))
        n = 4000
        got, pot = [], 0.0
        for _ in range(n):  # the POT asked after every line
            got.append(r.get_next())
            pot += r.get_pot()
        w = np.array([g["weight"] for g in got])
        assert w.sum() / pot == pytest.approx(per_pot, rel=1e-7)
        assert all(g["pdg"] == 111 for g in got)
        assert all(abs(_meson_parent_mass(g) - PI0_MASS) < 1e-6 for g in got)
        z = np.array([g["pos_cm"][2] for g in got]) * 0.01
        err = z_src.std() * math.sqrt(1 / n + 1 / z_src.size)
        assert abs(z.mean() - z_src.mean()) < 5 * err, (z.mean(), z_src.mean(), err)
        f_abs, f_src = np.mean(z > 45.0), np.mean(z_src > 45.0)
        assert 0.3 < f_src < 0.7  # (BNB: about half the pi0 are made in the absorber)
        assert abs(f_abs - f_src) < 5 * math.sqrt(f_src * (1 - f_src) / n)
        p = np.array([np.linalg.norm(g["p4"][:3]) for g in got])
        assert stats.ks_2samp(p, np.linalg.norm(p4[:, :3], axis=1)).pvalue > 1e-3  # (p4: the parts in a row)
        t = np.array([g["tpx"] for g in got])
        assert np.allclose(t, z / C_M_PER_NS, rtol=1e-6, atol=1e-6)  # start_t: the flight time, ns

    # the POT asked after each line is 1e6; asked once after several lines it is still 1e6
    r = _TxtFileGenNM([tmp_path / "p.txt"], 0, np.random.default_rng(9))
    r.get_next()
    assert r.get_pot() == 1e6 and r.get_pot() == 0.0
    for _ in range(7):
        r.get_next()
    assert r.get_pot() == 1e6

    # two files: one pass reads every line of each once, and the pi0 per POT is the source's
    (tmp_path / "a.txt").write_text("\n".join(lines[:7000]) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(lines[7000:]) + "\n")
    r = _TxtFileGenNM([tmp_path / "a.txt", tmp_path / "b.txt"], 0, np.random.default_rng(4))
    got, pot = [], 0.0
    for _ in range(len(lines)):
        got.append(r.get_next())
        pot += r.get_pot()
    assert sorted(g["line"] for g in got) == sorted(lines)
    assert sum(g["weight"] for g in got) / pot == pytest.approx(per_pot, rel=1e-7)


def test_reader_recovers_the_lines_and_their_points(tmp_path):
    """fipgen's reader: E from sbncode's pi0 mass, points in metres (cm in the file), 1e6 POT per
    line; the source keeps the lines' points (moved by parents_z_offset) and sorts them by solid;
    several files are one sample of their summed POT."""
    from fipgen.geometry import load_beamline

    rng = np.random.default_rng(2)
    n = 3000
    mom = np.column_stack([rng.normal(0, 0.1, n), rng.normal(0, 0.1, n), rng.uniform(0.2, 4.0, n)])
    absorber = rng.random(n) < 0.4
    pos = np.column_stack([rng.uniform(-0.003, 0.003, n), rng.uniform(-0.003, 0.003, n),
                           np.where(absorber, rng.uniform(50.4, 52.0, n), rng.uniform(0.05, 0.65, n))])
    g4bnb = pos + [0.0, 0.0, 0.034925]  # written in the G4BNB frame
    w = rng.uniform(0.5, 1.5, n) * 1e6
    write_mevprtl_nm_text(tmp_path / "p.txt", mom, g4bnb, w, start_t=pos[:, 2] / C_M_PER_NS)
    lst = read_mevprtl_nm_text(tmp_path / "p.txt")
    assert len(lst) == n and lst.pot == n * 1e6 and lst.per_pot == pytest.approx(w.sum() / (n * 1e6), rel=1e-8)
    assert np.allclose(lst.p4[:, :3], mom, rtol=1e-8)
    assert np.allclose(lst.p4[:, 3], np.sqrt((mom ** 2).sum(axis=1) + 0.1349768 ** 2), rtol=1e-12)
    assert np.allclose(lst.position, g4bnb, rtol=1e-8, atol=1e-9)

    bnb = load_beamline("bnb")
    ext = ExternalParents(str(tmp_path / "p.txt"), "mevprtl-nm", z_offset=-0.034925, beamline=bnb)
    assert ext.per_pot_by_species() == {111: pytest.approx(lst.per_pot, rel=1e-12)}
    src = ext.meson_source(111)
    assert src.per_pot == pytest.approx(lst.per_pot, rel=1e-9)
    assert len(src.components) == 2 and "lines in target" in src.components[0].provenance
    assert [_in_absorber(c) for c in src.components] == [False, True]
    assert sum(c.per_pot for c in src.components) == pytest.approx(src.per_pot, rel=1e-12)
    assert src.components[1].per_pot == pytest.approx(w[absorber].sum() / (n * 1e6), rel=1e-8)
    # every point drawn is a line's own point, in the beamline frame, from its own solid's lines
    from fipgen.production.sources.vertex import source_parts

    parts, drawn = source_parts(bnb, src, 20_000, np.random.default_rng(3))
    assert _all_from(drawn, pos)
    for part, sl in parts:
        z = drawn[sl, 2]
        assert np.all(z > 50) if _in_absorber(part) else np.all(z < 1)
    share = (parts[1][1].stop - parts[1][1].start) / 20_000
    f = w[absorber].sum() / w.sum()
    assert abs(share - f) < 5 * math.sqrt(f * (1 - f) / 20_000)
    # without a beamline: one source of all the lines; two files are one sample of their POT
    whole = ExternalParents(str(tmp_path / "p.txt"), "mevprtl-nm").meson_source(111)
    assert whole.components == () and isinstance(whole.points, FilePoints)
    lines = (tmp_path / "p.txt").read_text().splitlines()
    (tmp_path / "q1.txt").write_text("\n".join(lines[:1000]) + "\n")
    (tmp_path / "q2.txt").write_text("# a comment line (fipgen skips it)\n\n" + "\n".join(lines[1000:]) + "\n")
    both = ExternalParents(f"{tmp_path}/q?.txt", "mevprtl-nm")
    assert both.per_pot_by_species()[111] == pytest.approx(lst.per_pot, rel=1e-12)
    with pytest.raises(PhysicsError, match=r"no parents with pdg 221; present: \[111\]"):
        ext.meson_source(221)


def test_reader_and_writer_refuse_bad_lines(tmp_path):
    f = tmp_path / "bad.txt"
    ok = "0.1 0.0 5.0 0.0 0.0 30.0 1.0 9e5\n"
    for text, needle in ((ok + "0.1 0.0 5.0 5.003 111 1.0 1000\n", "line 2: expected 8 columns"),
                         ("0.1 0.0 5.0 0.0 0.0 30.0 1.0 9e5 7\n", "got 9"),
                         (ok + "0.1 0.0 5.0 0.0 nan 30.0 1.0 9e5\n", "line 2: not a finite number"),
                         (ok + "0.1 0.0 5.0 0.0 0.0 inf 1.0 9e5\n", "not a finite number"),
                         ("0.1 0.0 5.0 0.0 0.0 30.0 1.0 -9e5\n", "line 1: weight -9e5 < 0"),
                         ("0.1 0.0 0 0.0 0.0 30.0 1.0 9e5\n", "line 1: pz = 0"),
                         ("0.1 0.0 5.0 x 0.0 30.0 1.0 9e5\n", "not a number"),
                         ("# only a comment\n\n", "no parents")):
        f.write_text(text)
        with pytest.raises(PhysicsError, match=needle) as err:
            read_mevprtl_nm_text(f)
        assert "\n" not in str(err.value) and str(f) in str(err.value)
    f.write_text(ok.replace(" 9e5", "") + "\n")
    with pytest.raises(PhysicsError, match="7 columns: SBN MeVPrtl's TxtFileGen format, 'mevprtl'"):
        read_mevprtl_nm_text(f)
    f.write_text(ok)  # an 8-column file read as 7-column MeVPrtl text says which format it is
    with pytest.raises(PhysicsError, match="8 columns: sbncode's TxtFileGenNM format, 'mevprtl-nm'"):
        read_mevprtl_text(f)
    with pytest.raises(PhysicsError, match="not found"):
        read_mevprtl_nm_text(tmp_path / "missing.txt")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PhysicsError, match="cannot be read as text"):
        read_mevprtl_nm_text(tmp_path / "bin.txt")

    out = tmp_path / "w.txt"
    mom, pos = np.array([[0.1, 0.0, 1.0]]), np.zeros((1, 3))
    for args, needle in (((np.array([[0.1, 0.0, 0.0]]), pos, 1.0), "pz = 0"), ((mom, pos, -1.0), "weights"),
                         ((mom, pos * np.nan, 1.0), "not finite"), ((np.zeros((0, 3)), np.zeros((0, 3)), 1.0), "n >= 1"),
                         ((mom, np.zeros((2, 3)), 1.0), "points")):
        with pytest.raises(PhysicsError, match=needle):
            write_mevprtl_nm_text(out, *args)
    assert not out.exists()
    write_mevprtl_nm_text(out, mom, pos, 1.0)
    assert out.read_text() == "0.1 0 1 0 0 0 0 1\n"
    with pytest.raises(OutputError, match="--overwrite"):
        write_mevprtl_nm_text(out, mom, pos, 1.0)


def test_card_format_and_refusals(tmp_path, monkeypatch):
    """``parents_format = "mevprtl-nm"`` (or a ``.mevprtl-nm.txt`` file) reads TxtFileGenNM text;
    the allowed formats are listed in the error of another; ``--format mevprtl-nm`` refuses a
    card whose channels need a meson other than pi0, before writing anything."""
    from fipgen.cli import main
    from fipgen.output import output_paths

    for extra, fmt in (('parents = "p.txt"\nparents_format = "mevprtl-nm"', "mevprtl-nm"),
                       ('parents = "p.mevprtl-nm.txt"', "mevprtl-nm"), ('parents = "p.txt"', "mevprtl")):
        assert _card(extra, ZP, '["zprime:pi0"]', "zprime:decay").parents[1] == fmt
    from fipgen.production.sources.external import PARENT_FORMATS

    for fmt in PARENT_FORMATS:  # the card takes every format the reader knows
        assert _card(f'parents = "p"\nparents_format = "{fmt}"', ZP, '["zprime:pi0"]', "zprime:decay").parents[1] == fmt
    with pytest.raises(CardError, match="'mevprtl', 'dk2nu', 'mevprtl-nm'"):
        _card('parents = "p.txt"\nparents_format = "nm"', ZP, '["zprime:pi0"]', "zprime:decay")
    assert output_paths("s", ["root", "mevprtl", "mevprtl-nm"]) == {
        "root": "s.root", "mevprtl": "s.mevprtl.txt", "mevprtl-nm": "s.mevprtl-nm.txt"}
    (tmp_path / "c.toml").write_text(PI0_CARD.replace('["zprime:pi0"]', '["zprime:pi0", "zprime:eta"]'))
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "c.toml", "--format", "root,mevprtl-nm", "--output", "s", "--quiet"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


def test_round_trip_reproduces_the_first_interaction_source(tmp_path):
    """pi0 of the BNB first interactions written as TxtFileGenNM text (with their points in the
    target), read back: 0.9 per POT, the same expected A' signal, and every LLP made in the
    target at a point of the file."""
    from fipgen.pipeline import build_job, iter_chunks
    from fipgen.production.sources.parent_list_sources import write_nm_parent_list

    job = build_job(_card('meson_sources = "first-interactions"', ZP, '["zprime:pi0"]', "zprime:decay"))
    f = tmp_path / "pi0.mevprtl-nm.txt"
    assert write_nm_parent_list(f, job, n=200_000, seed=5) == pytest.approx(0.9)
    ext = _pi0_signal_as_the_builtin_source(f, fmt="mevprtl-nm")
    src = ext.channels[0].source
    assert src.per_pot == pytest.approx(0.9, rel=1e-9) and "TxtFileGenNM" in src.provenance
    assert src.components == ()  # every line in the target
    sc = next(iter(iter_chunks(ext)))[0].scalars
    z = sc["prod_z"]
    assert np.all((z >= 0) & (z <= 0.7112 + 1e-9))
    assert _all_from(np.column_stack([sc["prod_x"], sc["prod_y"], z]), read_mevprtl_nm_text(f).position)


def test_round_trip_keeps_the_production_points_of_the_cascade(tmp_path):
    """pi0 of the BNB hadron cascade (target, decay pipe, absorber: about half made at 50 m, on
    the way to SBND) written and read back: the same expected A' signal as the cascade source and
    the same share of it made in the absorber, within statistics (dropping the points, the
    absorber's pi0 would be made in the target)."""
    from fipgen.pipeline import build_job, iter_chunks
    from fipgen.production.sources.parent_list_sources import write_nm_parent_list

    ref = build_job(_card("", ZP, '["zprime:pi0"]', "zprime:decay"))
    f = tmp_path / "pi0.txt"
    write_nm_parent_list(f, ref, n=200_000, seed=6)
    ext = _pi0_signal_as_the_builtin_source(f, fmt="mevprtl-nm", sources="beamline")
    parts = ext.channels[0].source.components
    assert [("lines in " + x) in c.provenance for x, c in zip(("target", "decay_pipe", "absorber"), parts)] == [True] * 3
    assert [_in_absorber(c) for c in parts[:3]] == [False, False, True]

    def absorber_share(job):
        w_all = w_abs = w2 = 0.0
        for batch, _ in iter_chunks(job):
            w, z = batch.scalars["weight"], batch.scalars["prod_z"]
            w_all += w.sum()
            w_abs += w[z > 45.0].sum()
            w2 += (w ** 2).sum()
        return w_abs / w_all, math.sqrt(w2) / w_all

    (a, ea), (b, eb) = absorber_share(ext), absorber_share(ref)
    assert 0.2 < b < 0.95, b
    assert abs(a - b) < 5 * math.hypot(ea, eb) + 0.03, (a, ea, b, eb)

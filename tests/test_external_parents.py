"""External parent lists: MeVPrtl text (write, read, bin into a source) and dk2nu files (uproot)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from fipgen.constants import mass
from fipgen.errors import FipgenError, OutputError, PhysicsError
from fipgen.io.parent_list import read_mevprtl_text, write_mevprtl_text
from fipgen.production.sources.external import read_dk2nu, source_from_parents
from fipgen.production.sources.meson_spectra import bnb_meson_source


def test_round_trip_through_text_reproduces_the_source(tmp_path):
    src = bnb_meson_source(111)
    rng = np.random.default_rng(1)
    n, pot = 60_000, 5e4
    p4 = src.sample(n, rng)
    # every line stands for pot/n protons and carries the source's per-POT weight
    w = np.full(n, src.per_pot * pot / n)
    f = tmp_path / "pi0.txt"
    write_mevprtl_text(f, p4, 111, w, pot, header="fipgen BNB pi0")
    lst = read_mevprtl_text(f)
    assert lst["pot"] == pytest.approx(pot, rel=1e-6)
    assert np.allclose(lst["p4"], p4, rtol=1e-8)
    s2 = source_from_parents(lst, 111)
    assert s2.per_pot == pytest.approx(src.per_pot, rel=1e-6)
    assert "pi0" in s2.provenance and str(f) in s2.provenance
    # momenta sampled from the binned list follow the original source (KS, two samples)
    a = np.linalg.norm(s2.sample(20_000, np.random.default_rng(2))[:, :3], axis=1)
    b = np.linalg.norm(src.sample(20_000, np.random.default_rng(3))[:, :3], axis=1)
    assert stats.ks_2samp(a, b).pvalue > 1e-3
    with pytest.raises(OutputError, match="--overwrite"):
        write_mevprtl_text(f, p4, 111, w, pot)  # no silent overwrite


def test_per_file_npot_and_errors(tmp_path):
    f = tmp_path / "k.txt"
    e = np.sqrt(1.0 + mass(321) ** 2)
    f.write_text(f"# comment\n0 0 1 {e} 321 2.0 100\n\n0 0.1 1 {np.sqrt(1.01 + mass(321) ** 2)} 321 1.0 100\n")
    lst = read_mevprtl_text(f, npot_mode="per-file")
    assert lst["pot"] == 100 and lst["weight"].sum() == 3.0
    assert read_mevprtl_text(f)["pot"] == 200
    s = source_from_parents(lst, 321)
    assert s.per_pot == pytest.approx(0.03)
    with pytest.raises(PhysicsError, match="no parents with pdg 211; present: \\[321\\]"):
        source_from_parents(lst, 211)
    bad = tmp_path / "bad.txt"
    for text, needle in (("0 0 1 1.2 321 1.0\n", "line 1: expected 7 columns"),
                         ("0 0 1 0.5 321 1.0 10\n", "E < |p|"),
                         ("0 0 1 x 321 1.0 10\n", "not a number"),
                         ("0 0 1 1.2 321 -1.0 10\n", "weights"),
                         ("0 0 1 1.2 321 1.0 0\n", "POT of the file")):
        bad.write_text(text)
        with pytest.raises(PhysicsError, match=needle.replace("|", "\\|")) as err:
            read_mevprtl_text(bad)
        assert "\n" not in str(err.value)
    with pytest.raises(PhysicsError, match="not found"):
        read_mevprtl_text(tmp_path / "missing.txt")


def _write_dk2nu(path, rows, pots):
    import uproot

    arr = {k: np.asarray([r[i] for r in rows], dtype=np.float64 if k != "decay.ptype" else np.int32)
           for i, k in enumerate(["decay.vx", "decay.vy", "decay.vz", "decay.pdpx", "decay.pdpy", "decay.pdpz",
                                  "decay.ptype", "decay.nimpwt"])}
    with uproot.recreate(path) as f:  # TTrees, like the dk2nu ntuples (flat "decay.*" leaves)
        f.mktree("dk2nuTree", {k: v.dtype for k, v in arr.items()}).extend(arr)
        f.mktree("dkmetaTree", {"pots": np.float64}).extend({"pots": np.asarray(pots, dtype=np.float64)})


def test_dk2nu_reader(tmp_path):
    path = tmp_path / "flux.dk2nu.root"
    rows = [
        (10.0, -5.0, 2500.0, 0.1, 0.0, 3.0, 211, 2.0),  # pi+ in flight at z = 25 m
        (0.0, 0.0, 5000.0, 0.0, 0.0, 0.0, 321, 1.0),  # K+ at rest in the absorber
        (1.0, 1.0, 1000.0, 0.0, 0.2, 1.0, -211, 0.5),
    ]
    _write_dk2nu(path, rows, [1e3, 3e3])
    pd = read_dk2nu(path, z_offset=-0.034925)
    assert len(pd) == 3
    assert pd.vertex[0] == pytest.approx([0.10, -0.05, 25.0 - 0.034925])
    assert list(pd.pdg) == [211, 321, -211]
    assert pd.weight.mean() == pytest.approx((2.0 + 1.0 + 0.5) / 4e3)
    assert np.allclose(pd.mass, [mass(211), mass(321), mass(211)], rtol=1e-9)
    assert list(pd.at_rest) == [False, True, False]
    kaons = read_dk2nu(path, pdgs=[321])
    assert len(kaons) == 1 and kaons.weight.mean() == pytest.approx(1.0 / 4e3)
    with pytest.raises(FipgenError, match="not found"):
        read_dk2nu(tmp_path / "nope.root")
    import uproot

    other = tmp_path / "other.root"
    with uproot.recreate(other) as f:
        f.mktree("tree", {"x": np.float64}).extend({"x": np.zeros(2)})
    with pytest.raises(PhysicsError, match="no dk2nuTree"):
        read_dk2nu(other)


def _card(extra, model, produce, detect, events=60_000, detector="sbnd"):
    from fipgen.card import parse_card

    return parse_card(f"""
[experiment]
detector = "{detector}"
pot = 1e20
{extra}
[model]
{model}
[signal]
produce = {produce}
detect = "{detect}"
[run]
events = {events}
seed = 4
""", "t")


def _sum_weights(job):
    from fipgen.pipeline import iter_chunks

    tot, tot2 = 0.0, 0.0
    for _batch, sums in iter_chunks(job):
        tot += sums["sum_weights"]
        tot2 += sums["sum_weights2"]
    return tot, np.sqrt(tot2)


def test_card_with_mevprtl_parents_matches_the_builtin_source(tmp_path):
    """pi0 list written from the BNB source (0.9 per POT) -> the same expected A' signal."""

    src = bnb_meson_source(111)
    n, pot = 200_000, 1e5
    f = tmp_path / "pi0.txt"
    write_mevprtl_text(f, src.sample(n, np.random.default_rng(5)), 111, np.full(n, src.per_pot * pot / n), pot)
    ext = _pi0_signal_as_the_builtin_source(f)
    assert ext.channels[0].source.per_pot == pytest.approx(0.9, rel=1e-6)
    assert "MeVPrtl" in ext.channels[0].source.provenance


def _pi0_signal_as_the_builtin_source(parents, fmt=None, sources="first-interactions"):
    """The A' job of a card reading pi0 from ``parents`` (``experiment.parents_format = fmt``, or
    from the extension), after asserting its expected signal is the built-in source's
    (``experiment.meson_sources = sources``, which the file was written from: the first
    interactions for MeVPrtl text and dk2nu, whose parents have no production points), within
    the binning's 5 % and statistics."""
    from fipgen.pipeline import build_job

    model = 'zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-6 }'
    extra = f'parents = "{parents}"' + (f'\nparents_format = "{fmt}"' if fmt else "")
    ext = build_job(_card(extra, model, '["zprime:pi0"]', "zprime:decay"))
    ref = build_job(_card(f'meson_sources = "{sources}"', model, '["zprime:pi0"]', "zprime:decay"))
    a, ea = _sum_weights(ext)
    b, eb = _sum_weights(ref)
    # binning the list changes the angular model within bins: agreement within 5 % + stats
    assert abs(a - b) < 4 * np.hypot(ea, eb) + 0.05 * b, (a, ea, b, eb)
    return ext


def test_card_with_dk2nu_parents_feeds_the_hnl_channels(tmp_path):
    from fipgen.errors import CardError
    from fipgen.models.hnl_production import br_meson_to_lepton_hnl
    from fipgen.pipeline import build_job, iter_chunks

    rng = np.random.default_rng(8)
    n = 5000
    # K+ decaying at rest in the absorber and in flight down the pipe (dk2nu units: cm, GeV)
    rows = []
    for i in range(n):
        if i % 2:
            rows.append((rng.normal(0, 30), rng.normal(0, 30), 5030.0, 0.0, 0.0, 0.0, 321, 1.0))
        else:
            pz = rng.uniform(1, 4)
            rows.append((0.0, 0.0, rng.uniform(100, 4900), rng.normal(0, 0.05), rng.normal(0, 0.05), pz, 321, 1.0))
    rows.append((0.0, 0.0, 1000.0, 0.0, 0.0, 2.0, 211, 3.0))
    path = tmp_path / "k.dk2nu.root"
    _write_dk2nu(path, rows, [1e4])
    card = _card(f'parents = "{path}"\nparents_z_offset = -0.034925', 'hnl = { mass = 0.2, mixing_mu = 1e-6 }',
                 '["hnl:K+"]', "hnl:decay", events=40_000)
    job = build_job(card)
    ch = [c for c in job.channels if c.name == "hnl:K+ -> mu+ N"][0]
    assert ch.rate_per_pot == pytest.approx(n / 1e4 * br_meson_to_lepton_hnl(321, "mu", job.model), rel=1e-9)
    batch = next(iter(iter_chunks(job)))[0]
    z = batch.scalars["prod_z"]
    assert np.all((z > 0.9) & (z < 50.3))  # the file's decay points, shifted to the BNB frame
    assert np.any(np.isclose(z, 50.3 - 0.034925))
    bad = _card(f'parents = "{path}"', 'zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-6 }',
                '["zprime:pi0"]', "zprime:decay")
    with pytest.raises(CardError, match="experiment.parents|signal.produce"):
        build_job(bad)


class _TxtFileGen:
    """sbncode's ``TxtFileGen`` reader as its source does it (``TxtFileGen_tool.cc``): count the
    lines, skip ``NSkipLines``, start at a uniformly random data line, read on line by line
    (wrapping), parse ``px py pz E pdg wgt npot`` with ``>>`` and add ``npot`` to the POT; no
    comment handling."""

    def __init__(self, path, n_skip: int, rng):
        with open(path, encoding="utf-8") as fh:
            self.lines = fh.read().split("\n")
        if self.lines and self.lines[-1] == "":  # (getline does not see a line after the last newline)
            self.lines.pop()
        self.n_skip = n_skip
        self.n_data = len(self.lines) - n_skip
        self.entry = int(rng.integers(0, self.n_data))
        self.pot = 0.0

    def next(self):
        line = self.lines[self.n_skip + self.entry]
        self.entry = (self.entry + 1) % self.n_data
        tok = line.split()
        vals = []
        for t in tok[:7]:  # operator>> stops at the first token that is not a number
            try:
                vals.append(float(t))
            except ValueError:
                break
        vals += [0.0] * (7 - len(vals))
        self.pot += vals[6]
        return vals


def test_written_parent_list_reads_in_sbncode_txtfilegen(tmp_path, monkeypatch):
    """fipgen generate --format mevprtl, read as TxtFileGen reads it with NSkipLines = 1 (the
    documented header length): every line read is a parent (E >= |p| > 0, a PDG code), a
    contiguous block from a random start has the file's species mix (pi0 : eta within 5
    standard errors), and the POT it adds up is the lines' share of the file's POT."""
    from fipgen.cli import main
    from fipgen.io.parent_list import HEADER_LINES

    monkeypatch.chdir(tmp_path)
    assert main(["generate", "sbnd_dark_photon", "--events", "20000", "--format", "mevprtl", "--output", "p.txt",
                 "--quiet"]) == 0
    path = tmp_path / "p.txt"
    lines = path.read_text().splitlines()
    assert HEADER_LINES == 1 and lines[0].startswith("#") and not any(x.startswith("#") for x in lines[1:])
    lst = read_mevprtl_text(path)
    frac_eta = float(np.mean(lst["pdg"] == 221))
    assert 0.2 < frac_eta < 0.8  # (both species written)
    for seed in range(3):
        r = _TxtFileGen(path, HEADER_LINES, np.random.default_rng(seed))
        n = 1000
        got = np.array([r.next() for _ in range(n)])
        p = np.sqrt((got[:, :3] ** 2).sum(axis=1))
        assert np.all(got[:, 3] >= p * (1 - 1e-9)) and np.all(p > 0)
        assert set(got[:, 4].astype(int)) <= {111, 221}
        f = float(np.mean(got[:, 4] == 221))
        assert abs(f - frac_eta) < 5 * math.sqrt(frac_eta * (1 - frac_eta) / n), (f, frac_eta)
        assert r.pot == pytest.approx(lst["pot"] * n / len(lst["pdg"]), rel=1e-6)
    # with NSkipLines = 0 (the header read as a parent) the first line would be zeros: the one header line
    # is what must be skipped
    r0 = _TxtFileGen(path, 0, np.random.default_rng(0))
    r0.entry = 0
    assert r0.next()[3] == 0.0


def test_card_with_dk2nu_neutral_mesons_matches_the_builtin_source(tmp_path):
    """pi0 written as a dk2nu file (SBND makes its neutral-meson inputs so: the decay record of a
    prompt decay is the meson as produced), from the BNB first-interaction source (0.9 per POT,
    nimpwt 1, pots = n / 0.9): per POT 0.9 exactly, and the same expected A' signal within the
    binning's 5 % and statistics."""

    src = bnb_meson_source(111)
    n = 100_000
    p4 = src.sample(n, np.random.default_rng(6))
    rows = [(0.0, 0.0, 30.0, float(q[0]), float(q[1]), float(q[2]), 111, 1.0) for q in p4]
    rows += [(0.0, 0.0, 30.0, 0.1, 0.0, 2.0, 211, 5.0)]  # (another species: not counted for pi0)
    path = tmp_path / "neutral.dk2nu.root"
    _write_dk2nu(path, rows, [n / src.per_pot])
    ext = _pi0_signal_as_the_builtin_source(path)
    assert ext.channels[0].source.per_pot == pytest.approx(0.9, rel=1e-9)
    assert "dk2nu" in ext.channels[0].source.provenance


def test_parent_files_as_a_list_or_a_glob_are_one_sample_of_their_pot(tmp_path):
    """Two dk2nu files of different POT are one sample of the sum: per POT = sum(nimpwt) / sum(pots),
    whether given as a list or a glob; a MeVPrtl list split in two files gives the whole file's
    per POT; a pattern matching nothing is refused with one line naming it."""
    from fipgen.errors import CardError
    from fipgen.pipeline import build_job

    _write_dk2nu(tmp_path / "a.dk2nu.root", [(0.0, 0.0, 1000.0, 0.0, 0.0, 2.0, 321, 2.0)] * 30, [1e3])
    _write_dk2nu(tmp_path / "b.dk2nu.root", [(0.0, 0.0, 1000.0, 0.0, 0.0, 2.0, 321, 1.0)] * 10, [4e3])
    model, prod = 'hnl = { mass = 0.2, mixing_mu = 1e-6 }', '["hnl:K+"]'
    rates = []
    for spec in (f'["{tmp_path / "a.dk2nu.root"}", "{tmp_path / "b.dk2nu.root"}"]', f'"{tmp_path}/*.dk2nu.root"'):
        job = build_job(_card(f"parents = {spec}", model, prod, "hnl:decay", events=2000))
        rates.append(job.channels[0].rate_per_pot / job.channels[0].branching)
    assert rates[0] == pytest.approx((30 * 2.0 + 10 * 1.0) / 5e3, rel=1e-9) and rates[1] == pytest.approx(rates[0])
    src = bnb_meson_source(111)
    n, pot = 20_000, 1e5
    p4 = src.sample(n, np.random.default_rng(3))
    w = np.full(n, src.per_pot * pot / n)
    write_mevprtl_text(tmp_path / "p1.txt", p4[: n // 4], 111, w[: n // 4], pot / 4)
    write_mevprtl_text(tmp_path / "p2.txt", p4[n // 4:], 111, w[n // 4:], 3 * pot / 4)
    zp = 'zprime = { kind = "dark-photon", mass = 0.05, coupling = 1e-6 }'
    job = build_job(_card(f'parents = "{tmp_path}/p?.txt"', zp, '["zprime:pi0"]', "zprime:decay", events=2000))
    assert job.channels[0].source.per_pot == pytest.approx(src.per_pot, rel=1e-9)
    with pytest.raises(CardError, match="matches no file"):
        build_job(_card(f'parents = "{tmp_path}/none*.txt"', zp, '["zprime:pi0"]', "zprime:decay"))

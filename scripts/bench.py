#!/usr/bin/env python
"""fipgen benchmark: every figure measured for this tree and for a baseline in the same run.

The baseline is another revision of fipgen (``--baseline REF``, a git ref), checked out in a
git worktree in a temporary folder (removed on exit, Ctrl-C and SIGTERM included). Every
figure runs in a subprocess of its own, with ``fipgen`` imported from one tree (a shim
folder ``fipgen/`` of symlinks into the tree's ``generator/`` and its data folders, first
on ``PYTHONPATH``), alternating baseline, current, baseline, current... over the repeats;
each figure is shown as the median for the current tree, the median for the baseline and
their ratio (current / baseline). A first round with small sizes warms both trees (numba's
caches, bytecode, tables) and is not counted. The subprocesses write bytecode under a
temporary ``PYTHONPYCACHEPREFIX`` (as an installed package has it) whatever
``PYTHONDONTWRITEBYTECODE`` says.

Figures:
- start-up: wall time of ``fipgen --help``, and of a warm
  ``fipgen generate --events 1000 --output X.root --overwrite --quiet`` (the default card);
  with the CPU time (user + system) of each command, less sensitive to other load; and the
  floor under them: a Python program importing numpy, numba, uproot and awkward and calling
  one cached kernel (``STACK_FLOOR``), what the required libraries cost before fipgen does
  anything.
- chain without I/O: trials (and events) per second of production + transport + decay for
  the default card (``--card``, ``--trials``), one process (one core); the K -> mu N chain
  (``sbnd_hnl_kaon``, ``--trials-hnl``: kaons to their decays in flight and at rest, HNL
  aimed at SBND, polarised decays); the proton-bremsstrahlung chain
  (``darkquest_dark_photon_brems``, ``--trials-brems``); the shower chain
  (``miniboone_dump_dark_photon_shower``, ``--trials-shower``: pi0 and eta dark photons with the
  associated, resonant, Compton-like and bremsstrahlung ones of the dump's showers) and the
  electron-beam chain (``e137_dark_photon``, ``--trials-shower``: the four shower mechanisms of
  the beam's own showers); a tree without a card shows an error for its figure.
- generate to ROOT: seconds of ``fipgen``'s ``run`` writing the default card's ``--trials``
  to a ROOT file, and its ratio to uproot alone writing the same arrays (same branches and
  compression, arrays prepared beforehand) measured in the same process.
- hadron cascade (``--no-cascade`` skips it; needs pythia8mc): ms per POT of 8.89 GeV/c
  protons in the ``bnb_dump`` iron (``--cascade-pot``) without the intranuclear cascade, its
  ratio to the same Pythia calls replayed alone (what the cascade's bookkeeping adds to
  Pythia: 1 = none), and ms per POT with the intranuclear cascade.
- scans (``--no-scans`` skips them; ``--scan-repeats`` of the repeats run them): the DUNE
  dark-photon meson scan (``dune_dark_photon_meson``, 0.01-0.5 GeV x 1e-9-1e-4, 50 x 100) and the
  SBND kaon HNL scan (``sbnd_hnl_kaon``, 0.02-0.35 GeV x 1e-10-1e-4), each in one process at the
  tree's default (its default precision, or the card's trials per mass for a tree without
  one): CPU seconds per mass after a warm-up (start-up excluded), the median relative MC error
  over the points above 2.3 events, the trials, and the share of that CPU time spent in the
  reweighting kernel (``fipgen.scan.kernels.weighted_decay_sums``; n/a for a tree whose scans do
  not call it through that module); and the dark-photon scan through
  ``fipgen scan`` with ``--workers 1`` and ``--workers 2`` (wall and CPU time, start-up
  included; the report gives their ratio for each tree), and the same for the kaon HNL scan,
  whose ~10x more work per mass shows what the pool does once start-up is a small part.

Baseline (``--baseline``, default ``auto``): the newest tag reachable from HEAD if there is
one, else HEAD when ``generator/`` has uncommitted changes (the figures then compare the
working tree with its last commit), else ``HEAD~1``. ``--baseline-tree DIR`` uses an
existing checkout instead (no worktree; e.g. one kept to keep its numba cache warm).

FORESEE: the published per-mass cost of FORESEE's scans is quoted in
docs/design.md#performance; it is NOT measured here and no ratio against it is shown.
Targets (docs/design.md#performance): >= 1e6 events/s per core on the default chain (1.5e6 trials/s
wanted), >= 5e5 on the bremsstrahlung chain; generate to ROOT <= 1.5 x uproot alone; the DUNE
dark-photon scan <= 0.04 CPU s per mass at its default precision with a median relative MC
error <= ~3 %, its reweighting kernel < 10 % of it; 2 workers <= 0.6 x the wall time of one;
``fipgen --help`` < 0.3 s and warm ``generate --events 1000`` < 1 s.

Usage: python scripts/bench.py [--baseline REF | --baseline-tree DIR] [--repeats R] [--figures A,B]
       [--trials N] [--trials-hnl N] [--trials-brems N] [--trials-shower N] [--card CARD] [--no-scans]
       [--no-cascade] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The command's console script, for a given tree: ``fipgen`` is ``fipgen.cli:main``.
CLI = "import sys; from fipgen.cli import main; sys.exit(main())"
#: Data folders installed as sub-packages of fipgen (pyproject.toml's package-dir).
DATA_PACKAGES = ("geometries", "fluxes", "examples")


# --------------------------------------------------------------------------------------------
# figures measured inside a worker process (``--worker NAME``), with the tree's fipgen
# --------------------------------------------------------------------------------------------

def _card(name: str | None, trials: int):
    from fipgen.card import default_card_name, load_card, load_packaged_card

    if name is None:
        card = load_packaged_card(default_card_name())
    elif Path(name).is_file():
        card = load_card(name)
    else:
        card = load_packaged_card(name if name.endswith(".toml") else name + ".toml")
    return card.replace(events=trials)


def _chain(p: dict) -> dict:
    """Trials and events per second of the chain without I/O (after an untimed warm-up)."""
    from fipgen.pipeline import build_job, iter_chunks

    card = _card(p["card"], p["trials"])
    job = build_job(card)
    for _ in iter_chunks(build_job(card.replace(events=min(20_000, p["trials"])))):
        pass
    t0 = time.perf_counter()
    n = sum(len(batch) for batch, _ in iter_chunks(job))
    dt = time.perf_counter() - t0
    return {"seconds": dt, "trials_per_s": p["trials"] / dt, "events_per_s": n / dt, "events": n}


def _generate_to_root(p: dict) -> dict:
    """Seconds of ``run`` writing a ROOT file, and of uproot alone writing the same arrays."""
    import json as _json

    import uproot

    from fipgen.io.root import _branch_types, _counter_name, batch_to_branches, compression_from_spec
    from fipgen.pipeline import build_job, iter_chunks, metadata, run

    card = _card(p["card"], p["trials"])
    job = build_job(card)
    out, raw = os.path.join(p["tmp"], "bench.root"), os.path.join(p["tmp"], "uproot.root")
    run(build_job(card.replace(events=min(20_000, p["trials"]))), out, overwrite=True)  # warm-up
    t0 = time.perf_counter()
    run(job, out, overwrite=True)
    t_gen = time.perf_counter() - t0
    size = os.path.getsize(out) / 1e6
    chunks = [batch_to_branches(b) for b, _ in iter_chunks(job)]
    comp = compression_from_spec(card.compression)
    meta = _json.dumps(metadata(job))
    t0 = time.perf_counter()
    with uproot.recreate(raw, compression=comp) as f:
        t = f.mktree("events", _branch_types(), counter_name=_counter_name, field_name=lambda o, i: f"{o}_{i}")
        for c in chunks:
            t.extend(c)
        f["run_metadata"] = meta
    t_up = time.perf_counter() - t0
    for x in (out, raw):
        os.remove(x)
    return {"seconds": t_gen, "uproot_seconds": t_up, "ratio_generate_over_uproot": t_gen / t_up, "file_MB": size,
            "compression": card.compression}


class _RecordingCascade:
    """A ``PythiaCascade`` stand-in for the engine that records every Pythia call it passes on."""

    def __init__(self, casc, calls: list):
        self._casc, self._calls = casc, calls

    def particleData(self):
        return self._casc.particleData()

    def sigmaSetuphN(self, pdg, p4, m):
        self._calls.append(("sigmaSetuphN", pdg, (p4.px(), p4.py(), p4.pz(), p4.e()), m))
        return self._casc.sigmaSetuphN(pdg, p4, m)

    def sigmahA(self, a):
        self._calls.append(("sigmahA", a))
        return self._casc.sigmahA(a)

    def nextColl(self, z, a):
        self._calls.append(("nextColl", z, a))
        return self._casc.nextColl(z, a)

    def nextDecay(self, pdg, p4, m):
        self._calls.append(("nextDecay", pdg, (p4.px(), p4.py(), p4.pz(), p4.e()), m))
        return self._casc.nextDecay(pdg, p4, m)


def _cascade(p: dict, seed: int = 7) -> dict:
    """ms per POT of the cascade on ``bnb_dump`` with and without its intranuclear cascade, and
    of the same Pythia calls replayed alone."""
    try:
        import pythia8mc
    except ImportError:
        return {"skipped": "pythia8mc is not installed"}
    from fipgen.cascade.engine import HadronCascade
    from fipgen.cascade.pythia import CascadeSettings, make_cascade, quiet_stdout
    from fipgen.cascade.world import world_of
    from fipgen.geometry import load_beamline

    n_pot = p["pot"]
    bl = load_beamline("bnb_dump")
    world = world_of(bl)
    off = CascadeSettings(intranuclear=False)

    def cascade(s, settings=off):
        return HadronCascade(world, bl.beam_particle, bl.beam_momentum, bl.beam_spot, settings=settings, seed=s)

    with quiet_stdout():  # Pythia's banner and warnings
        cascade(seed + 1).run(5)  # warm-up: numba kernels, stopping tables
        cascade(seed + 1, CascadeSettings()).run(50)  # warm-up: the hadron-nucleon generators
        calls: list = []
        rec = cascade(seed)
        rec.casc = _RecordingCascade(rec.casc, calls)
        rec.run(n_pot)
        vec4 = pythia8mc.Vec4
        replay = [(c[0], c[1], vec4(*c[2]), c[3]) if len(c) == 4 else c for c in calls]
        h = cascade(seed)
        t0 = time.perf_counter()
        h.run(n_pot)
        tc = time.perf_counter() - t0
        casc = make_cascade(off, seed)
        t0 = time.perf_counter()
        for c in replay:
            getattr(casc, c[0])(*c[1:])
        tp = time.perf_counter() - t0
        h = cascade(seed, CascadeSettings())
        t0 = time.perf_counter()
        h.run(n_pot)
        ti = time.perf_counter() - t0
    return {"ms_per_pot": 1e3 * tc / n_pot, "pythia_alone_ms_per_pot": 1e3 * tp / n_pot,
            "ratio_cascade_over_pythia": tc / tp, "pythia_calls_per_pot": len(calls) / n_pot,
            "intranuclear_ms_per_pot": 1e3 * ti / n_pot, "ratio_intranuclear_over_without": ti / tc}


def _scan(p: dict) -> dict:
    """CPU seconds of a 50 x 100 scan in this process (one worker, after a warm-up on 2 masses),
    at the tree's default: its default precision where ``fipgen scan`` has one (the
    ``fipgen.constants.DEFAULT_SCAN_PRECISION`` of the tree), else the card's trials per mass;
    with its median relative MC error over the points above the threshold and its trials."""
    import inspect

    import numpy as np

    from fipgen.card import load_packaged_card
    from fipgen.scan.run import parse_grid, run_scan

    card = load_packaged_card(p["card"] + ".toml")
    masses = parse_grid(p["masses"], "--masses", log=False)
    couplings = parse_grid(p["couplings"], "--couplings", log=True)
    kw = {}
    if "precision" in inspect.signature(run_scan).parameters:
        try:
            from fipgen.constants import DEFAULT_SCAN_PRECISION
        except ImportError:  # a tree whose scans have no default precision
            DEFAULT_SCAN_PRECISION = None
        kw["precision"] = DEFAULT_SCAN_PRECISION
    run_scan(card, masses[:2], couplings, workers=1, **kw)  # warm-up: kernels, tables
    kernel = _timed_kernel()
    c0, t0 = time.process_time(), time.perf_counter()
    res = run_scan(card, masses, couplings, workers=1, **kw)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    above = res.events > p["threshold"]
    rel = float(np.median(res.mc_error[above] / res.events[above])) if above.any() else float("nan")
    trials = getattr(res, "trials", None)
    n_trials = int(np.sum(trials)) if trials is not None and np.sum(trials) > 0 else len(masses) * int(card.events)
    share = kernel[0] / cpu if kernel[1] else None  # None: the tree's scans do not call it there
    return {"cpu_seconds": cpu, "seconds": wall, "cpu_per_mass": cpu / len(masses), "median_rel_error": rel,
            "trials": n_trials, "kernel_share": share}


def _timed_kernel() -> list:
    """``[CPU seconds, calls]`` of ``fipgen.scan.kernels.weighted_decay_sums`` from now on (the
    reweighting kernel, looked up on its module at each call), counted by a wrapper put in its
    place; calls stay 0 in a tree that has no such kernel or binds it elsewhere."""
    acc = [0.0, 0]
    try:
        from fipgen.scan import kernels
    except ImportError:
        return acc
    inner = getattr(kernels, "weighted_decay_sums", None)
    if inner is None:
        return acc

    def timed(*args):
        c = time.process_time()
        try:
            return inner(*args)
        finally:
            acc[0] += time.process_time() - c
            acc[1] += 1

    kernels.weighted_decay_sums = timed
    return acc


WORKERS = {"chain": _chain, "generate_to_root": _generate_to_root, "cascade": _cascade, "scan": _scan}


# --------------------------------------------------------------------------------------------
# the figures, and how each one runs
# --------------------------------------------------------------------------------------------

@dataclass
class Figure:
    name: str
    label: str
    #: "cli": wall time of the command ``args``; "python": of the Python program ``script``;
    #: "worker": values a worker returns
    kind: str
    #: shown values: (key, unit, "lower"/"higher" is better)
    shown: tuple
    params: dict = field(default_factory=dict)
    #: smaller sizes for the warm-up round (default: ``params``)
    warm: dict | None = None
    #: only in the first N timed rounds (None: every round)
    rounds: int | None = None


#: what a command's figure shows: its wall time, and its CPU time (user + system, its worker
#: processes included: less sensitive than the wall time to other load on the machine)
WALL_CPU = (("seconds", "s", "lower"), ("cpu_seconds", "s CPU", "lower"))

#: The start-up no fipgen command can go below: the interpreter importing numpy, numba (its
#: extension entry points skipped as in the ``fipgen`` command's process, where the tree has
#: ``fipgen._jit.without_numba_extensions``), uproot and awkward, and one call of a cached
#: kernel (numba's target initialisation and a cache load). Compare ``startup_generate``.
STACK_FLOOR = """\
try:
    from fipgen._jit import without_numba_extensions
except ImportError:
    pass
else:
    without_numba_extensions()
import awkward  # noqa: F401
import numba
import numpy as np
import uproot  # noqa: F401


@numba.njit(cache=True, nogil=True)
def _total(x):
    s = 0.0
    for v in x:
        s += v
    return s


_total(np.ones(4))
"""


def _chain_figure(name: str, title: str, card: str, trials: int) -> Figure:
    """A chain-without-I/O figure of one packaged card: trials per second (warm-up: 20000 trials)."""
    return Figure(name, title, "worker", (("trials_per_s", "trials/s", "higher"),),
                  {"worker": "chain", "card": card, "trials": trials},
                  {"worker": "chain", "card": card, "trials": min(trials, 20_000)})


def figures(args, tmp: Path) -> list[Figure]:
    out_root = str(tmp / "startup.root")
    figs = [
        Figure("startup_help", "start-up: fipgen --help", "cli", WALL_CPU, {"args": ["--help"]}),
        Figure("startup_generate", "start-up: generate --events 1000 (warm)", "cli", WALL_CPU,
               {"args": ["generate", "--events", "1000", "--output", out_root, "--overwrite", "--quiet"]}),
        Figure("startup_stack", "start-up floor: numpy, numba, uproot, awkward, 1 cached kernel", "python",
               WALL_CPU, {"script": STACK_FLOOR}),
        Figure("chain", f"chain without I/O ({args.card or 'default card'})", "worker",
               (("trials_per_s", "trials/s", "higher"), ("events_per_s", "events/s", "higher")),
               {"worker": "chain", "card": args.card, "trials": args.trials},
               {"worker": "chain", "card": args.card, "trials": min(args.trials, 20_000)}),
        *(_chain_figure(name, f"{what} ({card})", card, trials) for name, what, card, trials in (
            ("kmun_chain", "K -> mu N chain", "sbnd_hnl_kaon", args.trials_hnl),
            ("brems_chain", "bremsstrahlung chain", "darkquest_dark_photon_brems", args.trials_brems),
            ("shower_chain", "shower Z' chain", "miniboone_dump_dark_photon_shower", args.trials_shower),
            ("ebeam_chain", "electron-beam shower chain", "e137_dark_photon", args.trials_shower))),
        Figure("generate_to_root", f"generate to ROOT ({args.card or 'default card'})", "worker",
               (("seconds", "s", "lower"), ("ratio_generate_over_uproot", "x uproot alone", "lower")),
               {"worker": "generate_to_root", "card": args.card, "trials": args.trials, "tmp": str(tmp)},
               {"worker": "generate_to_root", "card": args.card, "trials": min(args.trials, 20_000), "tmp": str(tmp)}),
    ]
    if not args.no_cascade:
        figs.append(Figure("cascade", "hadron cascade (bnb_dump)", "worker",
                           (("ms_per_pot", "ms/POT", "lower"), ("ratio_cascade_over_pythia", "x Pythia alone", "lower"),
                            ("intranuclear_ms_per_pot", "ms/POT, intranuclear", "lower")),
                           {"worker": "cascade", "pot": args.cascade_pot}, {"worker": "cascade", "pot": 10}))
    if not args.no_scans:
        scan_shown = (("cpu_per_mass", "CPU s/mass", "lower"), ("median_rel_error", "median rel. MC error", "lower"),
                      ("trials", "trials", "lower"), ("kernel_share", "of the CPU in the reweighting kernel", "lower"))
        for name, card, masses, cpl in (("scan_dark_photon_dune", "dune_dark_photon_meson", "0.01:0.5:50", "1e-9:1e-4:100"),
                                        ("scan_hnl_kaon_sbnd", "sbnd_hnl_kaon", "0.02:0.35:50", "1e-10:1e-4:100")):
            figs.append(Figure(name, f"scan {card}, 50 x 100, default precision, 1 process", "worker", scan_shown,
                               {"worker": "scan", "card": card, "masses": masses, "couplings": cpl, "threshold": 2.3},
                               {"worker": "scan", "card": card, "masses": masses.rsplit(":", 1)[0] + ":3",
                                "couplings": cpl.rsplit(":", 1)[0] + ":10", "threshold": 2.3},
                               rounds=args.scan_repeats))
        base = ["scan", "dune_dark_photon_meson", "--masses", "0.01:0.5:50", "--couplings", "1e-9:1e-4:100", "--quiet",
                "--output", str(tmp / "scan.csv"), "--overwrite"]
        for w in (1, 2):
            figs.append(Figure(f"scan_workers_{w}", f"fipgen scan dune_dark_photon_meson, --workers {w}", "cli",
                               WALL_CPU, {"args": [*base, "--workers", str(w)]},
                               {"args": [*base[:2], "--masses", "0.01:0.5:3", *base[4:], "--workers", str(w)]},
                               rounds=args.scan_repeats))
        hnl = ["scan", "sbnd_hnl_kaon", "--masses", "0.02:0.35:50", "--couplings", "1e-10:1e-4:100", *base[6:]]
        for w in (1, 2):
            figs.append(Figure(f"scan_workers_hnl_{w}", f"fipgen scan sbnd_hnl_kaon, --workers {w}", "cli",
                               WALL_CPU, {"args": [*hnl, "--workers", str(w)]},
                               {"args": [*hnl[:2], "--masses", "0.02:0.35:3", *hnl[4:], "--workers", str(w)]},
                               rounds=args.scan_repeats))
    if args.figures:
        wanted = {f.strip().replace("-", "_") for f in args.figures.split(",")}
        unknown = wanted - {f.name for f in figs}
        if unknown:
            raise SystemExit(f"bench.py: unknown figures {sorted(unknown)}; allowed: {', '.join(f.name for f in figs)}")
        figs = [f for f in figs if f.name in wanted]
    return figs


# --------------------------------------------------------------------------------------------
# trees: the baseline worktree, a shim per tree, subprocesses
# --------------------------------------------------------------------------------------------

def _git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def resolve_baseline(ref: str) -> str:
    """The git ref ``auto`` stands for (module docstring), or ``ref`` itself."""
    if ref != "auto":
        return ref
    try:
        return _git("describe", "--tags", "--abbrev=0", "HEAD")
    except subprocess.CalledProcessError:
        pass
    return "HEAD" if _git("status", "--porcelain", "--", "generator") else "HEAD~1"


class Worktree:
    """A detached git worktree of ``ref`` in ``where``, removed on leaving (also on an exception)."""

    def __init__(self, ref: str, where: Path):
        self.ref, self.path = ref, where
        self.commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}")

    def __enter__(self) -> Worktree:
        _git("worktree", "add", "--detach", "--quiet", str(self.path), self.commit)
        return self

    def __exit__(self, *exc) -> None:
        try:
            _git("worktree", "remove", "--force", str(self.path))
        except (subprocess.CalledProcessError, OSError):
            pass
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            _git("worktree", "prune")
        except (subprocess.CalledProcessError, OSError):
            pass


def make_shim(tree: Path, where: Path) -> Path:
    """A folder holding ``fipgen/``: symlinks to the entries of ``tree/generator`` and to the
    tree's data folders (the installed package's layout). Put first on ``PYTHONPATH``."""
    pkg = where / "fipgen"
    pkg.mkdir(parents=True)
    for entry in sorted((tree / "generator").iterdir()):
        if entry.name != "__pycache__":
            (pkg / entry.name).symlink_to(entry)
    for name in DATA_PACKAGES:
        if (tree / name).is_dir():
            (pkg / name).symlink_to(tree / name)
    return where


@dataclass
class Tree:
    name: str
    root: Path
    env: dict
    commit: str
    note: str = ""


def make_tree(name: str, root: Path, tmp: Path) -> Tree:
    shim = make_shim(root, tmp / f"shim-{name}")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(shim), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    try:
        commit = _git("rev-parse", "--short", "HEAD", cwd=root)
        dirty = bool(_git("status", "--porcelain", "--", "generator", cwd=root))
    except (subprocess.CalledProcessError, OSError):
        commit, dirty = "?", False
    return Tree(name, root, env, commit, "uncommitted changes in generator/" if dirty else "")


def _children_cpu() -> float:
    """CPU seconds (user + system) of the children waited for so far (0 without ``resource``)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return 0.0
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(cmd: list[str], env: dict, cwd: Path, timeout: float) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, exit status, stderr tail) of ``cmd`` (the CPU time of its own
    children included once they are waited for); on any exception (Ctrl-C, SIGTERM, timeout) the
    child is terminated, then killed."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except BaseException:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    return time.perf_counter() - t0, _children_cpu() - cpu0, proc.returncode, (err or "").strip()[-2000:]


def measure(fig: Figure, tree: Tree, params: dict, tmp: Path, timeout: float) -> dict:
    """One run of ``fig`` with ``tree``'s fipgen: its values, or ``{"error": ...}``."""
    cwd = tmp / "cwd"
    cwd.mkdir(exist_ok=True)
    if fig.kind in ("cli", "python"):
        if fig.kind == "cli":
            cmd = [sys.executable, "-c", CLI, *params["args"]]
        else:
            script = tmp / f"{fig.name}.py"  # one file per figure: numba caches its kernel beside it
            if not script.exists() or script.read_text() != params["script"]:
                script.write_text(params["script"])
            cmd = [sys.executable, str(script)]
        dt, cpu, code, err = _run(cmd, tree.env, cwd, timeout)
        if code != 0:
            return {"error": f"exit {code}: {err.splitlines()[-1] if err else ''}"}
        return {"seconds": dt, "cpu_seconds": cpu} if cpu > 0 else {"seconds": dt}
    result = tmp / "result.json"
    result.unlink(missing_ok=True)
    _, _, code, err = _run([sys.executable, str(Path(__file__).resolve()), "--worker", params["worker"],
                         "--params", json.dumps(params), "--result", str(result)], tree.env, cwd, timeout)
    if code != 0 or not result.exists():
        return {"error": f"exit {code}: {err.splitlines()[-1] if err else ''}"}
    return json.loads(result.read_text())


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------

def _median(values: list) -> float | None:
    nums = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(nums) if nums else None


def bench(args, tmp: Path, trees: list[Tree]) -> dict:
    figs = figures(args, tmp)
    runs: dict = {f.name: {t.name: [] for t in trees} for f in figs}
    for rnd in range(args.warmup + args.repeats):
        warm = rnd < args.warmup
        timed = rnd - args.warmup
        for fig in figs:
            if not warm and fig.rounds is not None and timed >= fig.rounds:
                continue
            for tree in trees:  # baseline first, then current, every round
                values = measure(fig, tree, (fig.warm or fig.params) if warm else fig.params, tmp, args.timeout)
                if not args.quiet:  # progress on stderr
                    what = "warm-up" if warm else f"repeat {timed + 1}/{args.repeats}"
                    shown = values.get("error") or values.get("skipped") or ", ".join(
                        f"{values[k]:.4g} {u}" for k, u, _ in fig.shown if values.get(k) is not None)
                    print(f"  [{what}] {fig.name:<22} {tree.name:<8} {shown}", file=sys.stderr, flush=True)
                if not warm:
                    runs[fig.name][tree.name].append(values)
    out = {}
    for fig in figs:
        rec = {"label": fig.label, "values": {}}
        for key, unit, better in fig.shown:
            cur = _median([v.get(key) for v in runs[fig.name]["current"]])
            base = _median([v.get(key) for v in runs[fig.name]["baseline"]])
            rec["values"][key] = {"unit": unit, "better": better, "current": cur, "baseline": base,
                                  "ratio_current_over_baseline": cur / base if cur is not None and base else None,
                                  "current_runs": [v.get(key) for v in runs[fig.name]["current"]],
                                  "baseline_runs": [v.get(key) for v in runs[fig.name]["baseline"]]}
        notes = {v.get("error") or v.get("skipped") for t in trees for v in runs[fig.name][t.name]} - {None}
        if notes:
            rec["notes"] = sorted(notes)
        out[fig.name] = rec
    return out


def report(res: dict) -> str:
    b, c = res["baseline"], res["current"]
    lines = [f"current : {c['tree']} ({c['commit']}{', ' + c['note'] if c['note'] else ''})",
             f"baseline: {b['ref']} = {b['commit']} ({b['tree']})",
             f"medians of {res['repeats']} interleaved repeats (baseline, current, ...) after {res['warmup']} warm-up "
             "round(s); ratio = current / baseline",
             ""]
    width = max([len(f["label"]) for f in res["figures"].values()] + [40])
    lines.append(f"{'figure':<{width}} {'current':>11} {'baseline':>11} {'ratio':>7}  unit (better)")
    for fig in res["figures"].values():
        first = True
        for key, v in fig["values"].items():
            name = fig["label"] if first else "  " + key.replace("_", " ")
            first = False

            def num(x):
                return "n/a" if x is None else f"{x:.4g}"

            ratio = "n/a" if v["ratio_current_over_baseline"] is None else f"{v['ratio_current_over_baseline']:.3f}"
            lines.append(f"{name:<{width}} {num(v['current']):>11} {num(v['baseline']):>11} {ratio:>7}  "
                         f"{v['unit']} ({v['better']})")
        for n in fig.get("notes", ()):
            lines.append(f"  note: {n}")
    for stem, what in (("scan_workers", "dune_dark_photon_meson"), ("scan_workers_hnl", "sbnd_hnl_kaon")):
        w1, w2 = res["figures"].get(f"{stem}_1"), res["figures"].get(f"{stem}_2")
        if w1 and w2:
            for tree in ("current", "baseline"):
                a, b = w1["values"]["seconds"][tree], w2["values"]["seconds"][tree]
                if a and b:
                    lines.append(f"fipgen scan {what}, 2 workers / 1 worker wall time ({tree}): {b / a:.3f}")
    lines += ["", "targets (docs/design.md#performance): >= 1e6 events/s per core on the default chain (1.5e6 trials/s "
              "wanted), >= 5e5 on the brems chain; generate to ROOT <= 1.5 x uproot alone; DUNE dark-photon scan <= 0.04 "
              "CPU s/mass at ~3 % median MC error, its reweighting kernel < 10 % of it; 2 workers <= 0.6 x one; --help < 0.3 s; generate --events 1000 < 1 s",
              "FORESEE: its published per-mass scan cost is quoted in docs/design.md#performance; not measured here "
              "(no ratio shown)"]
    return "\n".join(lines)


def _terminate_as_exit(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="auto", metavar="REF",
                    help="git ref of the baseline (default auto: newest tag, else HEAD with uncommitted changes in "
                         "generator/, else HEAD~1)")
    ap.add_argument("--baseline-tree", metavar="DIR", help="an existing checkout as the baseline (no worktree)")
    ap.add_argument("--figures", metavar="A,B", help="only these figures (names as in --json)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="warm-up rounds, not counted (default 1)")
    ap.add_argument("--trials", type=int, default=2_000_000)
    ap.add_argument("--card", default=None, help="run card of the chain and ROOT figures (default: the default example)")
    ap.add_argument("--trials-hnl", type=int, default=500_000)
    ap.add_argument("--trials-brems", type=int, default=500_000)
    ap.add_argument("--trials-shower", type=int, default=300_000,
                    help="trials of the shower chain (meson and shower dark photons in the MiniBooNE dump)")
    ap.add_argument("--no-scans", action="store_true", help="skip the scans (minutes per tree)")
    ap.add_argument("--scan-repeats", type=int, default=1, help="timed rounds that run the scans (default 1)")
    ap.add_argument("--cascade-pot", type=int, default=200)
    ap.add_argument("--no-cascade", action="store_true", help="skip the hadron-cascade figure")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds one run may take")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--params", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        values = WORKERS[args.worker](json.loads(args.params))
        Path(args.result).write_text(json.dumps(values))
        return 0

    if args.card and Path(args.card).is_file():
        args.card = str(Path(args.card).resolve())  # the workers run elsewhere
    previous = signal.signal(signal.SIGTERM, _terminate_as_exit)  # SIGTERM unwinds like Ctrl-C: cleanup runs
    tmp = Path(tempfile.mkdtemp(prefix="fipgen-bench-"))
    wt = None
    try:
        if args.baseline_tree:
            base_root, ref = Path(args.baseline_tree).resolve(), "(--baseline-tree)"
        else:
            ref = resolve_baseline(args.baseline)
            wt = Worktree(ref, tmp / "baseline")
            wt.__enter__()
            base_root = wt.path
        trees = [make_tree("baseline", base_root, tmp), make_tree("current", REPO, tmp)]
        if wt is not None:
            trees[0].commit = wt.commit[:12]
        figs = bench(args, tmp, trees)
    except KeyboardInterrupt:
        print("bench.py: interrupted; baseline worktree and temporary files removed", file=sys.stderr)
        return 130
    finally:
        if wt is not None:
            wt.__exit__(None, None, None)
        shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)
    res = {"baseline": {"ref": ref, "commit": trees[0].commit, "tree": str(base_root)},
           "current": {"tree": str(REPO), "commit": trees[1].commit, "note": trees[1].note},
           "repeats": args.repeats, "warmup": args.warmup, "python": sys.version.split()[0],
           "cpu_count": os.cpu_count(), "figures": figs,
           "foresee": "published per-mass costs quoted in docs/design.md#performance; not measured here"}
    print(json.dumps(res, indent=1) if args.json else report(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())

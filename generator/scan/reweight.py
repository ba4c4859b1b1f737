"""Coupling reweighting: one sample at a reference coupling, expected events at any other.

A :class:`ScanTable` holds, for every trial whose LLP reaches the detector (whatever its decay
probability at the reference coupling ``c0``), the weight without the decay probability
``w0_i = POT (R_k/s_k) W_br w_geo,i / N`` (fipgen.generation), its production channel ``k_i``,
decay channel ``d_i``, lab ``beta gamma`` and chord segments. At coupling ``c``

    w_i(c) = w0_i x [R_k(c) / R_k(c0)] x [BR_d(c) / BR_d(c0)] x P_i(c tau(c))

exactly: channels were chosen with shares ``s_k`` and weighted ``R_k(c0)/s_k``
(:func:`fipgen.job.scan_shares`: 3/4 in proportion to the rates, 1/4 equal), decay channels to
``BR_d(c0)``, the direction proposals do not depend on the coupling (the table is made with
``build_job(decay_hints=False)``), and the decay probability is recomputed from the stored
chord for the new lifetime. ``R_k(c)/R_k(c0)`` follows :meth:`ScanAxes.production_power` and
the X -> N N branching ratio (when the scanned coupling changes the lifetime of the boson X of
an X -> N N chain, the sampled X flight ``t`` (in units of its reference decay length) gets the
exact density ratio ``(1/rho) exp(-t (1/rho - 1))``, ``rho`` the ratio of decay lengths); ``BR_d(c)`` and ``c tau(c)`` come from the detected particle's
model rebuilt at ``c``. Alternative weights (bremsstrahlung theory variations) ride along as
per-event ratios.

Cuts (``Cuts``): minimum energy of every visible daughter, minimum opening angle between the
two most energetic visible daughters, minimum visible energy (the daughters' sum: a
calorimeter's threshold), an overall efficiency factor. Applied per event (the
daughters were sampled at ``c0``; their kinematics do not depend on the coupling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..card import RunCard
from ..errors import FipgenError
from ..generation import generate_block, iter_blocks
from ..job import Job, build_job, build_model, scan_shares
from . import kernels as K
from .axes import ScanAxes, card_at

__all__ = ["Cuts", "Precision", "ScanTable", "collect_table", "expected_events", "reweight_file"]

#: Invisible daughters (neutrinos, the HNL, the ALP, the Z') for the cuts.
_INVISIBLE = {12, 14, 16, -12, -14, -16, 9900012, -9900012, 9000005, 32}


@dataclass(frozen=True)
class Cuts:
    """Simple selection on the decay products (applied to every scan point)."""

    min_daughter_energy: float = 0.0  # GeV, every visible daughter
    min_opening_angle: float = 0.0  # rad, between the two most energetic visible daughters
    efficiency: float = 1.0  # overall factor
    min_visible_energy: float = 0.0  # GeV, the visible daughters' energies summed

    @property
    def kinematic(self) -> bool:
        """Any cut on the daughters' kinematics (the efficiency aside)."""
        return self.min_daughter_energy > 0.0 or self.min_opening_angle > 0.0 or self.min_visible_energy > 0.0

    @property
    def active(self) -> bool:
        return self.kinematic or self.efficiency != 1.0

    def passes(self, batch) -> np.ndarray:
        """Per-event pass flag (bool, (n,)) from the batch's daughters."""
        n = len(batch)
        ok = np.ones(n, dtype=bool)
        if not self.kinematic:
            return ok
        d = batch.flat["daughter"]
        visible = ~np.isin(d["pdg"], list(_INVISIBLE))
        off = np.ascontiguousarray(batch.offsets("daughter"), dtype=np.int64)
        if self.min_visible_energy > 0.0:  # each event's visible energies summed in order
            owner = np.repeat(np.arange(n), np.diff(off))
            ok &= np.bincount(owner, weights=np.where(visible, d["e"], 0.0), minlength=n) >= self.min_visible_energy
        if not (self.min_daughter_energy > 0.0 or self.min_opening_angle > 0.0):
            return ok
        return ok & K.cut_passes(off, *(np.ascontiguousarray(d[c], dtype=np.float64) for c in ("e", "px", "py", "pz")),
                                 visible, float(self.min_daughter_energy), float(self.min_opening_angle))


def _branching_table_widths(model) -> dict[str, float]:
    """The widths the pipeline samples decays in proportion to (HNLs: the exclusive channels')."""
    if hasattr(model, "sampling_widths"):
        return model.sampling_widths()
    return _partial_widths(model)


def _partial_widths(model) -> dict[str, float]:
    """The model's partial widths, computed once per model where it can
    (:meth:`fipgen.models.base.DecayingParticle.cached_partial_widths`)."""
    return getattr(model, "cached_partial_widths", model.partial_widths)()


@dataclass
class ScanTable:
    """Per-event scan columns of one sample (module docstring)."""

    job: Job
    axes: ScanAxes
    w0: np.ndarray  # (n_sets, n): row 0 central, then the alternative-weight sets
    set_names: tuple[str, ...]
    channel_index: np.ndarray
    decay_index: np.ndarray
    beta_gamma: np.ndarray
    n_seg: np.ndarray
    seg_in: np.ndarray
    seg_out: np.ndarray
    passes: np.ndarray
    c0: float
    x_flight: np.ndarray = None
    _models: dict = field(default_factory=dict, repr=False)
    _widths: dict = field(default_factory=dict, repr=False)
    _sums: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.beta_gamma.size)

    # -- coupling dependence --------------------------------------------------------------
    def _model(self, c: float, particle: str):
        key = (particle, float(c))
        if key not in self._models:
            card = card_at(self.job.card, coupling_key=self.axes.coupling_key, coupling=c)
            self._models[key] = build_model(card, particle)
        return self._models[key]

    def widths(self, particle: str, couplings: np.ndarray, names: tuple[str, ...], sampling: bool) -> np.ndarray:
        """``(2 + len(names), n_c)``: the total width, the sum of the widths decays are drawn
        from (``sampling``: :func:`_branching_table_widths`, the exclusive channels for HNLs, else every
        partial width) and the width of each of ``names``, of ``particle``'s model at each
        coupling.

        Partial widths are quadratic forms of the couplings, so along one coupling ``c`` each
        is ``A c^2 + B c + C``: fitted to the model at ``c0 (1, 2, 4)`` and used at every
        coupling when it reproduces the model at the grid's smallest and largest couplings
        to 1e-9 (relative to the total width); otherwise (a model that is not quadratic in
        this coupling) the model is rebuilt at every coupling."""

        def exact(c):
            m = self._model(c, particle)
            w = _branching_table_widths(m) if sampling else _partial_widths(m)
            return np.array([m.total_width(), float(sum(w.values()))] + [w.get(n, 0.0) for n in names])

        key = (particle, names, sampling, couplings.tobytes())
        if key in self._widths:
            return self._widths[key]
        c0 = float(self.c0)
        x = np.array([1.0, 2.0, 4.0])
        coef = np.linalg.solve(np.vander(x, 3), np.array([exact(c0 * xi) for xi in x]))  # (3, k): A, B, C
        fit = (np.vander(couplings / c0, 3) @ coef).T
        ok = True
        for j in {int(np.argmin(couplings)), int(np.argmax(couplings))}:
            want = exact(float(couplings[j]))
            scale = max(abs(want[0]), 1e-300)
            ok = ok and bool(np.all(np.abs(fit[:, j] - want) <= 1e-9 * scale))
        if not ok:
            fit = np.array([exact(float(c)) for c in couplings]).T
        self._widths[key] = fit
        return fit

    def factors(self, couplings) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(ctau (n_c,), f (n_channels, n_c), g (n_decays, n_c), xr (n_channels, n_c))`` at each
        coupling: the detected particle's c*tau, the channel and decay-channel factors, and the
        ratio of an X -> N N boson's decay length to its reference one (from :meth:`widths`)."""
        from ..constants import HBARC_GEV_M

        job, ax = self.job, self.axes
        couplings = np.atleast_1d(np.asarray(couplings, dtype=np.float64))
        llp = job.card.llp
        br0 = job.decay_probs * job.weight_branching
        nch = len(job.channels)
        w = self.widths(llp, couplings, tuple(job.decay_names), True)
        with np.errstate(divide="ignore", invalid="ignore"):
            ctau = np.where(w[0] > 0, HBARC_GEV_M / w[0], np.inf)
            if job.scatter is not None:
                # the interaction rate of each process scales with its own coupling squared
                sp = {"model.alp.g_gamma": 0, "model.alp.g_electron": 1}.get(ax.coupling_key)
                g = np.array([(couplings / self.c0) ** 2 if sp == d else np.ones(couplings.size)
                              for d in range(len(job.decay_names))])
            else:
                brs = np.where(w[1] > 0, w[2:] / w[1], 0.0)
                g = np.array([brs[i] / b0 if b0 else np.zeros(couplings.size) for i, b0 in enumerate(br0)])
        g = g.reshape(len(job.decay_names), couplings.size)
        f = np.empty((nch, couplings.size))
        xr = np.ones((nch, couplings.size))
        for kk, ch in enumerate(job.channels):
            f[kk] = (couplings / self.c0) ** ax.production_power(ch)
            x0 = getattr(ch, "x_model", None)
            if x0 is not None and ax.coupling_particle == x0.particle:
                wx = self.widths(x0.particle, couplings, ("N N",), False)
                br_nn = np.where(wx[1] > 0, wx[2] / wx[1], 0.0)
                f[kk] *= br_nn / x0.branching_ratios()["N N"]
                xr[kk] = x0.total_width() / wx[0]  # ctau(c) / ctau(c0)
        return ctau, f, g, xr

    def sums(self, couplings, with_cuts: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(S, S2, ctau)``: the weighted sums of :func:`fipgen.scan.kernels.weighted_decay_sums`
        at each coupling (row 0 central, then the alternative sets; cuts applied when
        ``with_cuts``). Sums over events: a sample's are those of its parts added."""
        couplings = np.atleast_1d(np.asarray(couplings, dtype=np.float64))
        key = (couplings.tobytes(), bool(with_cuts))
        if key in self._sums:
            return self._sums[key]
        ctau, f, g, xr = self.factors(couplings)
        w = self.w0 * (self.passes[None, :] if with_cuts else 1.0)
        if with_cuts:
            w = w * self.cut_efficiency
        S, S2 = K.weighted_decay_sums(np.ascontiguousarray(w), self.channel_index, self.decay_index, self.beta_gamma,
                                      self.n_seg, self.seg_in, self.seg_out, ctau, f, g, self._xt(), xr,
                                      self.job.scatter is not None)
        self._sums[key] = (S, S2, ctau)
        return S, S2, ctau

    def expected(self, couplings, with_cuts: bool = True) -> dict[str, np.ndarray]:
        """Expected events at each coupling: ``{"events": (n_c,), "mc_error": (n_c,),
        "events_<alt>": ...}`` (cuts applied when ``with_cuts`` and the table has them)."""
        S, S2, ctau = self.sums(couplings, with_cuts)
        out = {"events": S[0], "mc_error": np.sqrt(S2[0]), "ctau": ctau}
        for r, name in enumerate(self.set_names[1:], start=1):
            out[f"events_{name}"] = S[r]
        return out

    cut_efficiency: float = 1.0
    #: trials the sample holds (its weights are for the card's POT with these trials)
    n_trials: int = 0

    def _xt(self) -> np.ndarray:
        return self.x_flight if self.x_flight is not None else np.zeros(len(self))

    def acceptance(self, ctau_grid, with_cuts: bool = True) -> dict[str, np.ndarray]:
        """P(LLP produced -> decays inside the detector [and passes the cuts]) against c*tau:
        ``(1/N) sum_i w_geo,i P_i(ctau) [pass_i]``, model independent (no branching ratio, no
        coupling); ``with_cuts`` applies the cuts to the decays sampled into the card's final
        states. Also ``llp_per_pot`` at the card's coupling (to turn it into events)."""
        job = self.job
        ctau_grid = np.atleast_1d(np.asarray(ctau_grid, dtype=np.float64))
        norm = job.pot * job.rate_per_pot * job.weight_branching
        wg = self.w0[:1] / norm  # w_geo / N
        if with_cuts:
            wg = wg * self.passes[None, :] * self.cut_efficiency
        ones_f = np.ones((len(job.channels), ctau_grid.size))
        ones_g = np.ones((len(job.decay_names), ctau_grid.size))
        if self.job.scatter is not None:
            raise FipgenError("acceptance tables are for decays; scattering signatures are not tabulated")
        S, S2 = K.weighted_decay_sums(np.ascontiguousarray(wg), self.channel_index, self.decay_index, self.beta_gamma,
                                      self.n_seg, self.seg_in, self.seg_out, ctau_grid, ones_f, ones_g, self._xt(),
                                      np.ones_like(ones_f), False)
        return {"ctau": ctau_grid, "acceptance": S[0], "mc_error": np.sqrt(S2[0]), "llp_per_pot": job.rate_per_pot}


@dataclass(frozen=True)
class Precision:
    """Stop a scan's sample when the points near the contour are known to ``relative`` (MC).

    The points near the contour are those of ``couplings`` with ``0.5 threshold <= N <=
    2 threshold`` expected events; where none is (a coarse grid jumping over the contour) the
    grid point on either side of each crossing of ``threshold`` closest to it in log N.

    What a point's error does to the contour is its relative error over the local slope
    ``s = |d ln N / d ln c|``: on the upper (short-lifetime) edge of a contour N falls by orders
    of magnitude between grid points, so a large relative error there hardly moves the
    contour, while such a point's expected events come from a steep exponential tail and keep
    a large relative error at any sample size. Each point's relative error is therefore
    divided by ``max(1, s / s_min)``, ``s_min`` the smallest slope among the points near the
    contour (those of its gentle branch count as they are), and the sample is precise when
    the median of these is at most ``relative`` (the median: a grid has a few points near
    each branch, and one steep point should not hold the whole mass back). ``needed`` returns None then (or when no point
    is near the contour: more trials would not draw it), else the trials that should reach it
    (errors fall as 1/sqrt(trials); 10 % more for the estimate's own noise)."""

    relative: float
    threshold: float
    couplings: tuple[float, ...]

    def near(self, events: np.ndarray) -> np.ndarray:
        """Indices of the couplings near the contour (class docstring)."""
        thr = self.threshold
        idx = np.flatnonzero((events >= 0.5 * thr) & (events <= 2.0 * thr))
        if idx.size:
            return idx
        above = events >= thr
        cross = np.flatnonzero(above[1:] != above[:-1])  # between j and j + 1
        pick = set()
        for j in cross:
            lo, hi = int(j), int(j) + 1
            ln = np.abs(np.log(np.maximum(events[[lo, hi]], 1e-300) / thr))
            pick.add(lo if ln[0] <= ln[1] else hi)
        return np.array(sorted(pick), dtype=np.int64)

    def error(self, events: np.ndarray, mc_error: np.ndarray) -> float | None:
        """The median slope-scaled relative MC error near the contour (class docstring);
        None: no point near it."""
        idx = self.near(events)
        if idx.size == 0:
            return None
        rel = mc_error[idx] / events[idx]
        if len(self.couplings) < 3:
            return float(np.median(rel))
        with np.errstate(divide="ignore", invalid="ignore"):
            ln_n = np.log(np.maximum(events, 1e-300))
            slope = np.abs(np.gradient(ln_n, np.log(np.asarray(self.couplings, dtype=np.float64))))[idx]
        slope = np.where(np.isfinite(slope), slope, np.inf)
        s_min = max(float(np.min(slope)), 1e-12)
        return float(np.median(rel / np.maximum(1.0, slope / s_min)))

    def needed(self, events: np.ndarray, mc_error: np.ndarray, trials: int) -> int | None:
        rel = self.error(events, mc_error)
        if rel is None or rel <= self.relative:
            return None
        return int(math.ceil(trials * 1.1 * (rel / self.relative) ** 2))


#: Trials of an adaptive sample's first step (``collect_table``): a quarter of a block.
FIRST_STEP = 4096
#: An adaptive sample grows at most this many times per step: an estimate from a small sample
#: with few points near the contour can ask for far more trials than needed (then checked again).
GROWTH = 4


def collect_table(card: RunCard, axes: ScanAxes | None = None, cuts: Cuts | None = None, stream: tuple = (),
                  n_trials: int | None = None, precision: Precision | None = None) -> ScanTable:
    """Generate the card's sample in scan mode and return its :class:`ScanTable`.

    ``stream`` selects the random-stream family (fipgen.rng.block_rng); scans give each
    mass its own so the results do not depend on how masses are spread over workers.
    ``n_trials`` (default: the card's) is the sample: its blocks (:func:`fipgen.generation.iter_blocks`).
    With ``precision`` it is the most the sample may grow to, in steps: block 0 with
    :data:`FIRST_STEP` trials, then blocks 1, 2, ... of up to a full block each until the
    trials ``precision.needed`` asked for at the last check (at most :data:`GROWTH` times the
    trials so far) are reached, the check repeated there; the weights are scaled to the trials used (``ScanTable.n_trials``). Each step's
    size depends only on the steps before, so a scan is the same for any number of workers
    (its sample is not the fixed-trial one: another split into blocks).
    """
    from dataclasses import replace

    from ..rng import BLOCK_SIZE

    axes = axes or ScanAxes(card)
    cuts = cuts or Cuts()
    job = build_job(card, decay_hints=False)
    job = replace(job, keep_all=True, stream=tuple(stream), n_trials=int(n_trials or job.n_trials),
                  sample_daughters=cuts.active, record=False, channel_shares=scan_shares(job.rates))
    parts = []
    batches = []

    def step(b, n):
        batch, sums = generate_block(job, b, n)
        parts.append(sums["scan"])
        if cuts.active:
            batches.append(batch)

    if precision is None:
        for b, n in iter_blocks(job.n_trials):
            step(b, n)
        return _table(job, axes, card, cuts, parts, batches, job.n_trials)
    # the sums at the precision's couplings are kept step by step (each event goes through
    # the reweighting kernel once), scaled to the trials so far at each check
    couplings = np.asarray(precision.couplings, dtype=np.float64)
    cap = job.n_trials
    cache = {}  # models and widths at the couplings, shared by the tables
    S = S2 = ctau = None
    done, b, target = 0, 0, min(FIRST_STEP, cap)
    while True:
        while done < target:
            n = min(BLOCK_SIZE, target - done)
            step(b, n)
            part = _table(job, axes, card, cuts, parts[-1:], batches[-1:], job.n_trials, cache)
            s1, s2, ctau = part.sums(couplings)
            S, S2 = (s1, s2) if S is None else (S + s1, S2 + s2)
            done += n
            b += 1
        if done >= cap:
            break
        scale = cap / done
        need = precision.needed(S[0] * scale, np.sqrt(S2[0]) * scale, done)
        if need is None:
            break
        target = min(max(need, done + 1), GROWTH * done, cap)
    table = _table(job, axes, card, cuts, parts, batches, done, cache)
    scale = cap / done
    table._sums[(couplings.tobytes(), True)] = (S * scale, S2 * scale * scale, ctau)
    return table


def _table(job: Job, axes: ScanAxes, card: RunCard, cuts: Cuts, parts: list, batches: list, done: int,
           cache: dict | None = None) -> ScanTable:
    """The :class:`ScanTable` of the blocks generated so far (``done`` trials of the job's
    ``n_trials``: weights scaled by ``n_trials / done``); ``cache``: the models and widths of
    an earlier table of the same job (they do not depend on the sample)."""
    from ..events import EventBatch

    def cat(key):
        return np.concatenate([p[key] for p in parts])

    # keep only the segment columns some event uses (DUNE ND-LAr's 35 modules: a ray crosses a few)
    width = max(1, max((int(p["n_seg"].max()) if p["n_seg"].size else 0 for p in parts), default=1))

    def pad(key):
        def one(a):
            if a.shape[1] >= width:
                return a[:, :width]
            out = np.zeros((a.shape[0], width))
            out[:, :a.shape[1]] = a
            return out

        cols = [one(p[key]) for p in parts]
        return np.ascontiguousarray(cols[0]) if len(cols) == 1 else np.concatenate(cols)

    w0 = cat("w_nodecay")
    if done != job.n_trials:
        w0 = w0 * (job.n_trials / done)
    if job.scatter is not None:  # scattering: the reference interaction rate per metre rides in w0
        w0 = w0 * cat("scatter_rate")
    names = ("central",) + tuple(job.alt_weight_names)
    sets = [w0] + [w0 * np.concatenate([p["alt"][a] for p in parts]) for a in job.alt_weight_names]
    passes = cuts.passes(EventBatch.concatenate(batches)) if cuts.active else np.ones(w0.size, dtype=bool)
    table = ScanTable(job, axes, np.ascontiguousarray(np.vstack(sets)), names, cat("channel_index").astype(np.int64),
                      cat("decay_index").astype(np.int64), cat("beta_gamma"), cat("n_seg").astype(np.int64),
                      pad("seg_in"), pad("seg_out"), passes,
                      axes.coupling_of(card), cat("x_flight"))
    table.cut_efficiency = float(cuts.efficiency)
    table.n_trials = int(done)
    if cache is not None:
        table._models, table._widths = cache.setdefault("models", {}), cache.setdefault("widths", {})
    return table


def expected_events(card: RunCard, couplings, axes: ScanAxes | None = None, cuts: Cuts | None = None,
                    n_trials: int | None = None) -> dict[str, np.ndarray]:
    """Expected events of ``card`` at each coupling, from one sample at the card's coupling."""
    return collect_table(card, axes, cuts, n_trials=n_trials).expected(couplings)


def reweight_file(path, coupling: float, output=None, overwrite: bool = False, coupling_key: str | None = None) -> dict:
    """Reweight a ``fipgen generate`` ROOT file to another coupling.

    Reads the file's run card and events, rebuilds the reference job (no generation), and
    computes each event's weight at ``coupling`` (module docstring; the file holds the events
    with non-zero weight at the reference coupling, so events that only a longer lifetime
    would bring into the detector's decay volume are absent: reweight toward shorter
    lifetimes, or generate at the smallest coupling). Returns ``{"coupling", "expected_signal",
    "reference_signal", "ctau_m"}``; with ``output`` writes a copy of the file with ``weight``,
    ``weight_decay``, ``llp_ctau`` and the alternative weights replaced and the run record
    updated (atomic).
    """
    from ..card import parse_card
    from ..errors import FipgenError
    from ..job import decay_codes
    from ..registry import channel_code

    from ..io.rootfile import reading_root

    from ..io.root import read_run

    with reading_root(path, "a ROOT file written by fipgen generate") as f:
        run, cards, metas = read_run(f)
        ev = f["events"].arrays(library="np")
    card_text = cards[0]
    card = parse_card(card_text, source=f"{path}:run_card")
    axes = ScanAxes(card, coupling_key=coupling_key)
    job = build_job(card, decay_hints=False)
    pot = float(run["pot"].sum())
    if abs(job.pot - pot) > 1e-9 * job.pot:
        raise FipgenError(f"{path}: its run card gives POT {job.pot} but its weights are for {pot} (the sum over its "
                          f"{run['pot'].size} run entries: files joined by hadd? combine them with fipgen merge)")
    # per-event channel and decay indices of the reference job
    codes = {channel_code(c.name): i for i, c in enumerate(job.channels)}
    dcode = decay_codes(job.model)
    didx = {dcode[n]: i for i, n in enumerate(job.decay_names)}
    try:
        k = np.array([codes[c] for c in ev["channel"]], dtype=np.int64)
        d = np.array([didx[c] for c in ev["decay_channel"]], dtype=np.int64)
    except KeyError as err:
        raise FipgenError(f"{path}: event code {err} is not a channel of its run card (file from another version?)") from None
    n = ev["weight"].size
    nseg = ev["n_segments"].astype(np.int64)
    width = max(int(nseg.max()) if n else 1, 1)
    seg_in = np.zeros((n, width))
    seg_out = np.zeros((n, width))
    off = np.concatenate([[0], np.cumsum(nseg)])
    flat_in, flat_out = np.concatenate(ev["segment_entry"]) if n else [], np.concatenate(ev["segment_exit"]) if n else []
    for s in range(width):
        has = nseg > s
        seg_in[has, s] = flat_in[off[:-1][has] + s]
        seg_out[has, s] = flat_out[off[:-1][has] + s]
    p0 = ev["weight_decay"]
    names = ("central",) + tuple(job.alt_weight_names)
    w0 = np.vstack([ev["weight"] / p0] + [ev[f"weight_{a}"] / p0 for a in job.alt_weight_names])
    table = ScanTable(job, axes, w0, names, k, d, ev["llp_beta_gamma"], nseg, seg_in, seg_out,
                      np.ones(n, dtype=bool), axes.coupling_of(card))
    ctau, fch, gdc, xr = table.factors([coupling])
    if np.any(xr != 1.0):
        raise FipgenError(f"{path}: the coupling {axes.coupling_key} changes the lifetime of the boson of an "
                          "X -> N N chain, whose flight a ROOT file does not store: use fipgen scan instead")
    p1 = K.decay_probabilities(ev["llp_beta_gamma"], nseg, seg_in, seg_out, float(ctau[0]))
    fac = fch[k, 0] * gdc[d, 0] * p1 / p0
    new_w = ev["weight"] * fac
    res = {"coupling": float(coupling), "coupling_key": axes.coupling_key, "expected_signal": float(new_w.sum()),
           "mc_error": float(np.sqrt((new_w**2).sum())), "reference_coupling": table.c0,
           "reference_signal": float(ev["weight"].sum()), "ctau_m": float(ctau[0]), "n_events": int(n)}
    if output is not None:
        out_ev = dict(ev)
        out_ev["weight"] = new_w
        out_ev["weight_decay"] = p1
        out_ev["llp_ctau"] = np.full(n, float(ctau[0]))
        for a in job.alt_weight_names:
            out_ev[f"weight_{a}"] = ev[f"weight_{a}"] * fac
        note = {"from_coupling": table.c0, "to_coupling": float(coupling), "key": axes.coupling_key,
                "ctau_m": float(ctau[0])}
        metas = [{**m, "reweighted": note} for m in metas]
        # (a merged file's entries: their sums rescaled in proportion, the events not knowing their entry)
        run_out = {k2: v for k2, v in run.items()}
        old = max(float(run["sum_weights"].sum()), 1e-300)
        run_out["sum_weights"] = run["sum_weights"] * (new_w.sum() / old)
        run_out["sum_weights2"] = run["sum_weights2"] * ((new_w**2).sum() / max(float(run["sum_weights2"].sum()), 1e-300))
        for a in job.alt_weight_names:
            run_out[f"sum_weights_{a}"] = run["sum_weights"] * (out_ev[f"weight_{a}"].sum() / old)
        _write_copy(output, overwrite, out_ev, run_out, cards, metas, job)
        res["output"] = str(output)
    return res


def _write_copy(output, overwrite, ev, run, card_text, meta, job) -> None:
    """Write reweighted events (same layout as generate's ROOT files), atomically."""
    from ..events import COLLECTIONS, SCALARS, EventBatch, with_record_defaults
    from ..io.root import RootWriter

    n = ev["weight"].size
    ev = with_record_defaults(ev)
    scal = {k: ev[k] for k in SCALARS}
    scal.update({k: ev[k] for k in ev if k.startswith("weight_") and k not in SCALARS})
    counts = {c: ev[COLLECTIONS[c][0]].astype(np.int64) for c in COLLECTIONS}
    flat = {}
    for c, (_, fields) in COLLECTIONS.items():
        flat[c] = {fname: (np.concatenate(ev[f"{c}_{fname}"]) if n else np.zeros(0)) for fname in fields}
    batch = EventBatch(scal, counts, flat)
    with RootWriter(output, overwrite=overwrite, compression=job.card.compression,
                    extra_scalars=tuple(f"weight_{a}" for a in job.alt_weight_names)) as w:
        w.write(batch)
        w.finish(run, card_text, meta)

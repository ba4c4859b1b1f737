"""Coupling reweighting: one sample at a reference coupling, expected events at any other.

A :class:`ScanTable` holds, for every trial whose LLP reaches the detector (whatever its decay
probability at the reference coupling ``c0``), the weight without the decay probability
``w0_i = POT R_tot W_br w_geo,i / N`` (fipgen.generation), its production channel ``k_i``,
decay channel ``d_i``, lab ``beta gamma`` and chord segments. At coupling ``c``

    w_i(c) = w0_i x [R_k(c) / R_k(c0)] x [BR_d(c) / BR_d(c0)] x P_i(c tau(c))

exactly: channels were chosen in proportion to ``R_k(c0)`` and decay channels to
``BR_d(c0)``, the direction proposals do not depend on the coupling (the table is made with
``build_job(decay_hints=False)``), and the decay probability is recomputed from the stored
chord for the new lifetime. ``R_k(c)/R_k(c0)`` follows :meth:`ScanAxes.production_power` and
the X -> N N branching ratio (when the scanned coupling changes the lifetime of the boson X of
an X -> N N chain, the sampled X flight ``t`` (in units of its reference decay length) gets the
exact density ratio ``(1/rho) exp(-t (1/rho - 1))``, ``rho`` the ratio of decay lengths); ``BR_d(c)`` and ``c tau(c)`` come from the detected particle's
model rebuilt at ``c``. Alternative weights (bremsstrahlung theory variations) ride along as
per-event ratios.

Cuts (``Cuts``): minimum energy of every visible daughter, minimum opening angle between the
two most energetic visible daughters, an overall efficiency factor. Applied per event (the
daughters were sampled at ``c0``; their kinematics do not depend on the coupling).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..card import RunCard
from ..errors import FipgenError
from ..generation import generate_block, iter_blocks
from ..job import Job, build_job, build_model
from . import kernels as K
from .axes import ScanAxes, card_at

__all__ = ["Cuts", "ScanTable", "collect_table", "expected_events", "reweight_file"]

#: Invisible daughters (neutrinos, the HNL, the ALP, the Z') for the cuts.
_INVISIBLE = {12, 14, 16, -12, -14, -16, 9900012, -9900012, 9000005, 32}


@dataclass(frozen=True)
class Cuts:
    """Simple selection on the decay products (applied to every scan point)."""

    min_daughter_energy: float = 0.0  # GeV, every visible daughter
    min_opening_angle: float = 0.0  # rad, between the two most energetic visible daughters
    efficiency: float = 1.0  # overall factor

    @property
    def active(self) -> bool:
        return self.min_daughter_energy > 0.0 or self.min_opening_angle > 0.0 or self.efficiency != 1.0

    def passes(self, batch) -> np.ndarray:
        """Per-event pass flag (bool, (n,)) from the batch's daughters."""
        n = len(batch)
        ok = np.ones(n, dtype=bool)
        if not (self.min_daughter_energy > 0.0 or self.min_opening_angle > 0.0):
            return ok
        d = batch.flat["daughter"]
        visible = ~np.isin(d["pdg"], list(_INVISIBLE))
        return K.cut_passes(np.ascontiguousarray(batch.offsets("daughter"), dtype=np.int64),
                            *(np.ascontiguousarray(d[c], dtype=np.float64) for c in ("e", "px", "py", "pz")),
                            visible, float(self.min_daughter_energy), float(self.min_opening_angle))


def _branching_table(model) -> dict[str, float]:
    """The branching ratios the pipeline samples decays from (HNLs: the exclusive channels)."""
    if hasattr(model, "sampling_branching_ratios"):
        return model.sampling_branching_ratios()
    return model.branching_ratios()


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

    def __len__(self) -> int:
        return int(self.beta_gamma.size)

    # -- coupling dependence --------------------------------------------------------------
    def _model(self, c: float, particle: str):
        key = (particle, float(c))
        if key not in self._models:
            card = card_at(self.job.card, coupling_key=self.axes.coupling_key, coupling=c)
            self._models[key] = build_model(card, particle)
        return self._models[key]

    def factors(self, couplings) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(ctau (n_c,), f (n_channels, n_c), g (n_decays, n_c), xr (n_channels, n_c))`` at each
        coupling: the detected particle's c*tau, the channel and decay-channel factors, and the
        ratio of an X -> N N boson's decay length to its reference one."""
        job, ax = self.job, self.axes
        couplings = np.atleast_1d(np.asarray(couplings, dtype=np.float64))
        llp = job.card.llp
        br0 = job.decay_probs * job.weight_branching
        nch = len(job.channels)
        ctau = np.empty(couplings.size)
        f = np.empty((nch, couplings.size))
        g = np.empty((len(job.decay_names), couplings.size))
        xr = np.ones((nch, couplings.size))
        powers = [ax.production_power(ch) for ch in job.channels]
        cascade = [getattr(ch, "x_model", None) for ch in job.channels]
        scan_key = ax.coupling_key
        for j, c in enumerate(couplings):
            m = self._model(c, llp)
            ctau[j] = m.ctau()
            if job.scatter is not None:
                # the interaction rate of each process scales with its own coupling squared
                sp = {"model.alp.g_gamma": 0, "model.alp.g_electron": 1}.get(scan_key)
                g[:, j] = [(c / self.c0) ** 2 if sp == d else 1.0 for d in range(len(job.decay_names))]
            else:
                brs = _branching_table(m)
                g[:, j] = [brs.get(name, 0.0) / b0 for name, b0 in zip(job.decay_names, br0)]
            for kk in range(len(job.channels)):
                r = (c / self.c0) ** powers[kk]
                x0 = cascade[kk]
                if x0 is not None and ax.coupling_particle == x0.particle:
                    xc = self._model(c, x0.particle)
                    r *= xc.branching_ratios().get("N N", 0.0) / x0.branching_ratios()["N N"]
                    xr[kk, j] = xc.ctau() / x0.ctau()
                f[kk, j] = r
        return ctau, f, g, xr

    def expected(self, couplings, with_cuts: bool = True) -> dict[str, np.ndarray]:
        """Expected events at each coupling: ``{"events": (n_c,), "mc_error": (n_c,),
        "events_<alt>": ...}`` (cuts applied when ``with_cuts`` and the table has them)."""
        ctau, f, g, xr = self.factors(couplings)
        w = self.w0 * (self.passes[None, :] if with_cuts else 1.0)
        if with_cuts:
            w = w * self.cut_efficiency
        S, S2 = K.weighted_decay_sums(np.ascontiguousarray(w), self.channel_index, self.decay_index, self.beta_gamma,
                                      self.n_seg, self.seg_in, self.seg_out, ctau, f, g, self._xt(), xr,
                                      self.job.scatter is not None)
        out = {"events": S[0], "mc_error": np.sqrt(S2[0]), "ctau": ctau}
        for r, name in enumerate(self.set_names[1:], start=1):
            out[f"events_{name}"] = S[r]
        return out

    cut_efficiency: float = 1.0

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


def collect_table(card: RunCard, axes: ScanAxes | None = None, cuts: Cuts | None = None, stream: tuple = (),
                  n_trials: int | None = None) -> ScanTable:
    """Generate the card's sample in scan mode and return its :class:`ScanTable`.

    ``stream`` selects the random-stream family (fipgen.rng.block_rng); scans give each
    mass its own so the results do not depend on how masses are spread over workers.
    """
    from dataclasses import replace

    from ..events import EventBatch

    axes = axes or ScanAxes(card)
    cuts = cuts or Cuts()
    job = build_job(card, decay_hints=False)
    job = replace(job, keep_all=True, stream=tuple(stream), n_trials=int(n_trials or job.n_trials),
                  sample_daughters=cuts.active, record=False)
    parts = []
    batches = []
    for b, n in iter_blocks(job.n_trials):
        batch, sums = generate_block(job, b, n)
        parts.append(sums["scan"])
        if cuts.active:
            batches.append(batch)

    def cat(key):
        return np.concatenate([p[key] for p in parts])

    # keep only the segment columns some event uses (DUNE ND-LAr's 35 modules: a ray crosses a few)
    width = max(1, max((int(p["n_seg"].max()) if p["n_seg"].size else 0 for p in parts), default=1))

    def pad(key):
        return np.concatenate([np.pad(p[key][:, :width], ((0, 0), (0, max(0, width - p[key].shape[1]))))
                               for p in parts])

    w0 = cat("w_nodecay")
    if job.scatter is not None:  # scattering: the reference interaction rate per metre rides in w0
        w0 = w0 * cat("scatter_rate")
    names = ("central",) + tuple(job.alt_weight_names)
    sets = [w0] + [w0 * np.concatenate([p["alt"][a] for p in parts]) for a in job.alt_weight_names]
    passes = cuts.passes(EventBatch.concatenate(batches)) if cuts.active else np.ones(w0.size, dtype=bool)
    table = ScanTable(job, axes, np.ascontiguousarray(np.vstack(sets)), names, cat("channel_index").astype(np.int64),
                      cat("decay_index").astype(np.int64), cat("beta_gamma"), cat("n_seg").astype(np.int64),
                      np.ascontiguousarray(pad("seg_in")), np.ascontiguousarray(pad("seg_out")), passes,
                      axes.coupling_of(card), cat("x_flight"))
    table.cut_efficiency = float(cuts.efficiency)
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

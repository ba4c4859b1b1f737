"""Generation: blocks of trials of a :class:`~fipgen.job.Job` -> weighted events.

:func:`generate_block` turns one block of trials into an :class:`~fipgen.events.EventBatch`
with that block's own random stream (:func:`fipgen.rng.block_rng`): production (the job's
channels, chosen in proportion to their rates), transport through the detector, the forced
decay or scattering and its products, beam timing. Blocks are planned lazily
(:func:`iter_blocks`, :func:`iter_chunk_plan`) and grouped into chunks (:func:`iter_chunks`),
so the events depend neither on the chunk size nor on the number of workers.

Weights (docs/design.md#weights): ``weight = POT * weight_production * weight_branching *
weight_geometric * weight_decay / n_trials``; the sum of weights is the expected number of
signal events for the run's POT.
"""

from __future__ import annotations

import numpy as np

from .columns import ChunkColumns, put_rows
from .constants import C_M_PER_NS
from .decays import sample_decays
from .events import EventBatch
from .job import Job, decay_codes
from .production.channels.sample import ProductionSample
from .registry import channel_code  # codes of the `channel` branch
from .rng import BLOCK_SIZE, block_rng
from .transport import transport

__all__ = ["generate_block", "n_blocks", "iter_blocks", "blocks_of", "blocks_per_chunk", "iter_chunk_plan",
           "chunks_of", "iter_chunks"]


def _decays(job: Job, llp, rng, pol, spin_axis, parent_pdg, chan_code):
    """Step 3 of a block: the decay channel of each event in proportion to its BR among the
    selected final states, and its daughters from fipgen.decays (matrix elements,
    resonance decays). Returns ``(daughters (n, k, 4), pdg (n, k), decay_code (n,), channel index (n,))``."""
    model = job.model
    m = model.mass
    n = llp.shape[0]
    cum_d = np.cumsum(job.decay_probs)
    cum_d[-1] = 1.0
    dch = np.searchsorted(cum_d, rng.random(n), side="right")
    known = model.cached_channels()
    codes = decay_codes(model)
    parts = []
    decay_code = np.empty(n, dtype=np.int32)
    single = len(job.decay_names) == 1  # every event: slices, no index copies
    for k, name in enumerate(job.decay_names):
        idx = slice(None) if single else np.flatnonzero(dch == k)
        if n == 0 or not single and idx.size == 0:
            continue
        decay_code[idx] = codes[name]
        if not job.sample_daughters:  # scans without cuts: the daughters are not used
            continue
        kw = {}
        if job.polarised and name in job.polarisable and np.any(pol[idx] != 0.0):
            ax = spin_axis[idx]
            ok = np.einsum("ij,ij->i", ax, ax) > 0.5
            kw = {"polarization": np.where(ok, pol[idx], 0.0), "spin_axis": np.where(ok[:, None], ax, [0.0, 0.0, 1.0])}
        if job.antiparticle_rule is not None:
            kw["antiparticle"] = job.antiparticle_rule(parent_pdg[idx], chan_code[idx], rng)
        prod = sample_decays(llp[idx], m, known[name], rng, decay_resonances=job.decay_resonances,
                             model=model, **kw)
        parts.append((idx, prod))
    if single and parts:
        return parts[0][1].p4, parts[0][1].pdg, decay_code, dch
    kmax = max((p.pdg.shape[1] for _, p in parts), default=0)
    dau = np.zeros((n, kmax, 4))
    dau_pdg = np.zeros((n, kmax), dtype=np.int32)
    for idx, prod in parts:
        put_rows(dau, idx, prod.p4)
        put_rows(dau_pdg, idx, prod.pdg)
    return dau, dau_pdg, decay_code, dch


def _scatter(job: Job, llp, tr, rng, ctau):
    """Step 3 for ``alp:scatter`` (fipgen.production.channels.alp_scatter): the interaction
    probability inside the active volume before a decay, the process in proportion to its
    rate, the outgoing photon and recoil at the transport's sampled point (which follows the
    same truncated exponential). Returns ``(daughters, pdg, code, process index, P_int, rate)``,
    ``rate`` the summed interaction rate per metre."""
    from .production.channels.alp_scatter import chord_exposure, interaction_rates, sample_scatter

    n = llp.shape[0]
    spec = job.scatter
    rates, per_el = interaction_rates(spec, llp[:, 3])
    expo = chord_exposure(tr.n_seg, tr.seg_in, tr.seg_out, tr.beta_gamma * ctau)
    rsum = rates.sum(axis=1)
    p_int = rsum * expo
    proc = (rng.random(n) * rsum > rates[:, 0]).astype(np.int64)  # 0 Primakoff, 1 Compton
    dau = np.zeros((n, 2, 4))
    dau_pdg = np.zeros((n, 2), dtype=np.int32)
    live = np.flatnonzero(p_int > 0)
    if live.size and job.sample_daughters:
        d4, dp = sample_scatter(spec, llp[live], proc[live], per_el[live], rng)
        dau[live], dau_pdg[live] = d4, dp
    return dau, dau_pdg, (proc + 1).astype(np.int32), proc, p_int, rsum


def generate_block(job: Job, block: int, n: int) -> tuple[EventBatch, dict[str, float]]:
    """Generate block ``block`` of ``n`` trials; return its events (non-zero weights) and sums.

    A scan without cuts (``job.keep_all`` without ``job.sample_daughters``) returns no events
    (None): its sums carry the scan's columns (``sums["scan"]``) and its trials.

    The block's stream is ``block_rng(seed, block)``: the result depends only on
    (card, seed, block), not on chunking or workers.
    """
    out = ChunkColumns(n, job.alt_weight_names)
    sums = _generate(job, block, n, out)
    return (None if job.keep_all and not job.sample_daughters else out.batch()), sums


def _generate(job: Job, block: int, n: int, out: ChunkColumns) -> dict:
    """:func:`generate_block` writing the block's events after those already in ``out``;
    returns its sums."""
    rng = block_rng(job.card.seed, block, job.stream)
    model = job.model
    m = model.mass
    ctau = job.ctau
    solid = job.detector.active_beam

    # 1. production channel of each trial, chosen in proportion to its rate: the
    #    production weight rate_c / P(choose c) is then the total rate for every event
    #    (or with the job's channel_shares: rate_c / share_c, per event). Each trial's uniform
    #    picks its channel; the block's trials are then ordered by channel (channel k's the
    #    k-th consecutive slice: a multinomial split of the block, the same distribution of
    #    events, and each channel's results are copied as one slice, not scattered)
    rates = job.rates
    total_rate = rates.sum()
    shares = job.channel_shares
    cum = np.cumsum(rates / total_rate if shares is None else shares)
    cum[-1] = 1.0
    n_ch = len(job.channels)
    counts = np.bincount(np.searchsorted(cum, rng.random(n), side="right"), minlength=n_ch)
    ends = np.cumsum(counts)
    which = np.repeat(np.arange(n_ch), counts)
    if shares is not None:
        total_rate = (rates / np.where(shares > 0, shares, 1.0))[which]  # per trial

    vertex = np.empty((n, 3))
    parent = np.empty((n, 4))
    llp = np.empty((n, 4))
    direction = np.empty((n, 3))
    w_geo = np.empty(n)
    prod_time = np.empty(n)
    pol = np.zeros(n)  # HNL polarisation from production (0: none), along spin_axis
    spin_axis = np.zeros((n, 3))
    parent_pdg = np.empty(n, dtype=np.int32)
    chan_code = np.empty(n, dtype=np.int32)
    alt = {a: np.ones(n) for a in job.alt_weight_names}  # alternative-weight ratios (1: not varied)
    x_flight = np.zeros(n)  # X -> N N chains: the X flight over its decay length (scans)
    # the event record's chain (writers): grandparent, origin, siblings (the channels' own)
    gp_pdg = gp = origin = None  # allocated when a channel has them
    sib_parts = []  # (idx, p4 (m, k, 4), pdg (m, k), generation (k,))
    seg_parts = []  # (idx, Segments) of the channels that computed their chords
    sampled = 0
    for k, ch in enumerate(job.channels):
        idx = slice(int(ends[k] - counts[k]), int(ends[k]))
        size = int(counts[k])
        if size == 0:
            continue
        s = ch.sample(size, rng, job.beamline, solid)
        if not isinstance(s, ProductionSample):
            raise TypeError(f"channel {ch.name!r}: sample() returned {type(s).__name__}, not a ProductionSample")
        put_rows(vertex, idx, s.vertex)
        put_rows(parent, idx, s.parent_p4)
        put_rows(llp, idx, s.llp_p4)
        put_rows(direction, idx, s.direction)
        put_rows(w_geo, idx, s.weight_geometric)
        # production time: the channel's own (a parent that flew or stopped first), else the
        # light-speed time of the proton from the target face to the vertex
        prod_time[idx] = s.time if s.time is not None else s.vertex[:, 2] / C_M_PER_NS
        parent_pdg[idx] = s.parent_pdg if s.parent_pdg is not None else ch.parent_pdg
        chan_code[idx] = channel_code(ch.name)
        if s.polarization is not None:
            pol[idx] = s.polarization
            spin_axis[idx] = s.spin_axis
        for a, r in s.alt_ratios.items():
            alt[a][idx] = r
        if s.x_flight is not None:
            x_flight[idx] = s.x_flight
        if s.meson_p4 is not None:
            if gp is None:
                gp, gp_pdg = np.zeros((n, 4)), np.zeros(n, dtype=np.int32)
            gp[idx] = s.meson_p4
            gp_pdg[idx] = s.meson_pdg if s.meson_pdg is not None else 0
        # origin: the channel's (NaN rows: not kept); None: made where it decayed (the vertex)
        if s.origin is not None:
            if origin is None:
                origin = vertex.copy() if k > 0 else np.empty((n, 3))
            origin[idx] = s.origin
        elif origin is not None:
            origin[idx] = s.vertex
        if s.sibling_p4 is not None:
            sib_parts.append((idx, s.sibling_p4, s.sibling_pdg, s.sibling_generation))
        sampled += 1
        if s.segments is not None:
            seg_parts.append((idx, s.segments))

    # zero-weight trials (a meson drawn outside its source table's range) have no LLP
    # momentum: give them a stand-in along their aimed direction so the kernels below
    # stay finite; their weight is 0 and the final selection drops them
    bad = np.flatnonzero(~(w_geo > 0))  # (integer rows: numpy's 2-d boolean indexing costs 26 ns a row)
    if bad.size:
        llp[bad, :3] = direction[bad]
        llp[bad, 3] = np.sqrt(1.0 + m * m)
        w_geo[bad] = 0.0

    # 2. transport: chord, forced decay inside, decay time (a scan without cuts keeps only the
    #    chords: it reweights them to every lifetime, and writes no event)
    scan_only = job.keep_all and not job.sample_daughters
    segments = _gather_segments(seg_parts, n) if seg_parts and len(seg_parts) == sampled else None
    tr = transport(vertex, llp, m, ctau, solid, rng, chords_only=scan_only, segments=segments)

    p_det = tr.p_decay  # probability to be detected (decay or scatter inside)
    rsum = None
    if job.scatter is not None:
        dau, dau_pdg, decay_code, dch, p_det, rsum = _scatter(job, llp, tr, rng, ctau)
    else:
        dau, dau_pdg, decay_code, dch = _decays(job, llp, rng, pol, spin_axis, parent_pdg, chan_code)
    if scan_only:
        return {"n_trials": n, "scan": _scan_columns(job, total_rate, w_geo, tr, which, dch, x_flight, rsum, alt)}

    # 4. beam timing: the proton's bucket in the spill and its time within it (the beamline's
    #    bunch structure; drawn last so the kinematics above do not depend on it)
    t_bunch = np.zeros(n)
    timing = job.beamline.timing
    if timing is not None and timing.n_buckets > 0:
        t_bunch = rng.integers(0, timing.n_buckets, n) * timing.bucket_spacing
        if timing.bucket_sigma > 0:
            t_bunch = t_bunch + rng.normal(0.0, timing.bucket_sigma, n)
    prod_time = prod_time + t_bunch

    # an overflow gives inf sums, refused by run() with a one-line error (not numpy warnings)
    with np.errstate(over="ignore", invalid="ignore"):
        weight = job.pot * total_rate * job.weight_branching * w_geo * p_det / job.n_trials
        sums = {"sum_weights": float(weight.sum()), "sum_weights2": float((weight**2).sum()), "n_trials": n}
        alt_w = {a: weight * r for a, r in alt.items()}
        for a, w_a in alt_w.items():
            sums[f"sum_weights_{a}"] = float(w_a.sum())

    # the written columns of the trials kept (non-zero weights), each copied once into ``out``
    keep = weight > 0
    if job.keep_all:
        keep = (w_geo > 0) & (tr.n_seg > 0)
        sums["scan"] = _scan_columns(job, total_rate, w_geo, tr, which, dch, x_flight, rsum, alt)
    kept = np.flatnonzero(keep)
    out.open(kept.size)
    out.take("weight", weight, kept)
    for a, w_a in alt_w.items():
        out.take(f"weight_{a}", w_a, kept)
    if np.ndim(total_rate) == 0:
        out.fill("weight_production", total_rate)
    else:
        out.take("weight_production", total_rate, kept)
    out.fill("weight_branching", job.weight_branching)
    out.take("weight_geometric", w_geo, kept)
    out.take("weight_decay", p_det, kept)
    out.take("channel", chan_code, kept)
    out.take("parent_pdg", parent_pdg, kept)
    out.take_rows(("parent_px", "parent_py", "parent_pz", "parent_e"), parent, kept)
    out.take_rows(("prod_x", "prod_y", "prod_z"), vertex, kept)
    out.take("prod_t", prod_time, kept)
    out.fill("llp_pdg", model.pdg)
    out.take_rows(("llp_px", "llp_py", "llp_pz", "llp_e"), llp, kept)
    out.fill("llp_mass", m)
    out.take("llp_beta_gamma", tr.beta_gamma, kept)
    out.fill("llp_ctau", ctau)
    n_seg = tr.n_seg[kept]
    out.take("l_entry", tr.seg_in[:, 0], kept)
    out.column("l_exit")[:] = tr.seg_out[kept, np.maximum(n_seg - 1, 0)]
    out.column("l_entry")[n_seg == 0] = 0.0
    out.column("l_exit")[n_seg == 0] = 0.0
    det = job.detector
    out.take_points(("decay_x", "decay_y", "decay_z"), ("decay_det_x", "decay_det_y", "decay_det_z"),
                    tr.decay_vertex, kept, det.frame)
    np.add(out.column("prod_t"), tr.flight_time[kept], out=out.column("decay_t"))
    out.take("decay_channel", decay_code, kept)
    out.flatten("daughter", kept, dau_pdg, dau, frame=det.frame)
    out.segments(kept, tr.n_seg, tr.seg_in, tr.seg_out)
    _record(job, block, out, kept, vertex, t_bunch, origin, gp, gp_pdg, sib_parts)
    out.close()
    return sums


def _gather_segments(parts, n: int):
    """The chords of a block's ``n`` rays from its channels' (``parts``: (idx, Segments))."""
    from .geometry.shapes import Segments

    if len(parts) == 1 and isinstance(parts[0][0], slice):
        return parts[0][1]
    width = max(sg.t_in.shape[1] for _, sg in parts)
    n_seg = np.zeros(n, dtype=np.int64)
    t_in = np.zeros((n, width))
    t_out = np.zeros((n, width))
    for idx, sg in parts:
        put_rows(n_seg, idx, np.asarray(sg.n, dtype=np.int64))
        put_rows(t_in, idx, sg.t_in)
        put_rows(t_out, idx, sg.t_out)
    return Segments(n_seg, t_in, t_out)


def _scan_columns(job: Job, total_rate, w_geo, tr, which, dch, x_flight, rsum, alt) -> dict:
    """The scan's per-event columns (fipgen.scan.reweight.ScanTable) of the trials whose LLP
    reaches the detector, whatever its decay probability."""
    keep = np.flatnonzero((w_geo > 0) & (tr.n_seg > 0))
    # only the segment columns an event uses (the chords are as wide as a detector's modules)
    width = max(1, int(tr.n_seg.max()) if tr.n_seg.size else 1)
    prod = total_rate if np.ndim(total_rate) == 0 else total_rate[keep]
    return {
        "w_nodecay": job.pot * prod * job.weight_branching * w_geo[keep] / job.n_trials,
        "channel_index": which[keep], "decay_index": dch[keep], "beta_gamma": tr.beta_gamma[keep],
        "n_seg": tr.n_seg[keep], "seg_in": tr.seg_in[keep, :width], "seg_out": tr.seg_out[keep, :width],
        "x_flight": x_flight[keep],
        # scattering: the summed interaction rate per metre at the reference couplings
        "scatter_rate": rsum[keep] if rsum is not None else np.zeros(keep.size),
        "alt": {a: r[keep] for a, r in alt.items()},
    }


def _record(job: Job, block: int, out: ChunkColumns, kept, vertex, t_bunch, origin, gp, gp_pdg, sib_parts) -> None:
    """The kept events' record columns (grandparent, origin, siblings; :data:`fipgen.events.SCALARS`),
    written into ``out``'s open block. ``origin``, ``gp`` None: every parent made where it
    decayed, no grandparent. The struck nucleus is drawn from the block's own record stream
    (:data:`fipgen.rng.RECORD_STREAM`): the physics draws and their results do not depend on it."""
    from .geometry.nuclei import nucleus_at, solid_at
    from .rng import RECORD_STREAM

    nk = kept.size
    if not job.record:  # nothing will be written: the cheapest valid columns
        for k in ("grandparent_pdg", "grandparent_px", "grandparent_py", "grandparent_pz", "grandparent_e",
                  "origin_known", "origin_nucleus"):
            out.fill(k, 0)
        for c in "xyzt":
            out.column(f"origin_{c}")[:] = out.column(f"prod_{c}")
        out.fill("origin_solid", -1)
        out.no_collection("sibling")
        return
    ox, oy, oz = (out.column(f"origin_{c}") for c in "xyz")
    if origin is None:
        ox[:], oy[:], oz[:] = out.column("prod_x"), out.column("prod_y"), out.column("prod_z")
        out.fill("origin_known", 1)
    else:
        out.take_rows(("origin_x", "origin_y", "origin_z"), origin, kept)
        unknown = np.isnan(ox)
        if unknown.any():  # the decay point (and its solid: where stopped mesons and shower particles were made)
            at = vertex[kept[unknown]]
            ox[unknown], oy[unknown], oz[unknown] = at[:, 0], at[:, 1], at[:, 2]
        out.column("origin_known")[:] = ~unknown
    pts = np.column_stack([ox, oy, oz])
    owner = solid_at(job.beamline, pts)
    u = block_rng(job.card.seed, block, (RECORD_STREAM, *job.stream)).random(nk)
    if gp is None:
        for k in ("grandparent_pdg", "grandparent_px", "grandparent_py", "grandparent_pz", "grandparent_e"):
            out.fill(k, 0)
    else:
        out.take("grandparent_pdg", gp_pdg, kept)
        out.take_rows(("grandparent_px", "grandparent_py", "grandparent_pz", "grandparent_e"), gp, kept)
    np.add(oz / C_M_PER_NS, t_bunch[kept], out=out.column("origin_t"))
    out.column("origin_solid")[:] = owner
    out.column("origin_nucleus")[:] = nucleus_at(job.beamline, pts, u, owner)
    # siblings of the kept events, in event order (pdg 0 pads a channel's absent ones)
    if not sib_parts:
        out.no_collection("sibling")
        return
    n = vertex.shape[0]
    kmax = max(p.shape[1] for _, p, _, _ in sib_parts)
    sp = np.zeros((n, kmax, 4))
    sc = np.zeros((n, kmax), dtype=np.int32)
    sg = np.zeros((n, kmax), dtype=np.int32)
    for idx, p4, pdg, gen in sib_parts:
        put_rows(sp, idx, p4)
        put_rows(sc, idx, np.asarray(pdg, dtype=np.int32))
        put_rows(sg, idx, np.broadcast_to(np.asarray(gen, dtype=np.int32)[None, :], pdg.shape))
    out.flatten("sibling", kept, sc, sp, generation=sg)


def n_blocks(n_trials: int) -> int:
    """Number of blocks covering ``n_trials`` trials (all :data:`BLOCK_SIZE` but the last)."""
    return max(0, -(-int(n_trials) // BLOCK_SIZE))


def iter_blocks(n_trials: int, start: int = 0, stop: int | None = None):
    """Lazily yield (block index, size) of blocks ``start`` to ``stop`` (default: all) covering
    ``n_trials``: block ``b`` covers trials ``[b BLOCK_SIZE, min((b + 1) BLOCK_SIZE, n_trials))``.
    Memory is flat for any count."""
    n_trials = int(n_trials)
    stop = n_blocks(n_trials) if stop is None else min(stop, n_blocks(n_trials))
    for b in range(start, stop):
        yield b, min(BLOCK_SIZE, n_trials - b * BLOCK_SIZE)


def blocks_of(n_trials: int) -> list[tuple[int, int]]:
    """(block index, size) covering ``n_trials``, as a list (:func:`iter_blocks` is the lazy form)."""
    return list(iter_blocks(n_trials))


def blocks_per_chunk(chunk_size: int) -> int:
    """Whole blocks in a chunk of at most ``chunk_size`` trials (at least one)."""
    return max(1, -(-int(chunk_size) // BLOCK_SIZE))


def iter_chunk_plan(n_trials: int, chunk_size: int):
    """Lazily yield the chunks of :func:`chunks_of`, each a list of (block index, size): chunk
    ``k`` covers blocks ``[k per, min((k + 1) per, n_blocks))`` with ``per`` =
    :func:`blocks_per_chunk`. Nothing but the current chunk is held, whatever ``n_trials``."""
    per = blocks_per_chunk(chunk_size)
    nb = n_blocks(n_trials)
    for first in range(0, nb, per):
        yield list(iter_blocks(n_trials, first, first + per))


def chunks_of(n_trials: int, chunk_size: int) -> list[list[tuple[int, int]]]:
    """Blocks grouped into chunks of at most ``chunk_size`` trials (at least one block), as a
    list (:func:`iter_chunk_plan` is the lazy form; use it for large counts)."""
    return list(iter_chunk_plan(n_trials, chunk_size))


def iter_chunks(job: Job, chunk_size: int | None = None):
    """Yield (EventBatch, sums) per chunk, in order."""
    for chunk in iter_chunk_plan(job.n_trials, chunk_size or job.card.chunk_size):
        out = ChunkColumns(sum(n for _, n in chunk), job.alt_weight_names)
        parts = [_generate(job, b, n, out) for b, n in chunk]
        sums = {k: sum(p[k] for p in parts) for k in parts[0]}
        yield out.batch(), sums



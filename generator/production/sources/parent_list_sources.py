"""The meson parent list of a run (``fipgen generate --format mevprtl``): the mesons feeding the
card's production channels, drawn as produced.

For every meson species that feeds the card's channels (pi0, eta, omega for Z' and ALP
channels; pi+-, K+-, K0L, D, Ds for HNL channels; the parents of X -> N N chains), ``n`` mesons
are drawn *as produced* from the beamline's source (before any transport: MeVPrtl transports
charged mesons itself), each line with weight ``per_pot x POT_file / n`` so that the file's
weights summed over a species and divided by its POT give the source's mesons per POT
(:data:`FILE_POT`); :func:`fipgen.io.parent_list.write_mevprtl_text` writes them, after one
header line, in a seeded random order (species interleaved, for sbncode's TxtFileGen, which
reads a contiguous block from a random line). Bremsstrahlung channels have no meson parent
and add nothing.

``fipgen generate --format mevprtl-nm`` writes the pi0 alone in sbncode's ``TxtFileGenNM``
format (:mod:`fipgen.io.parent_list_nm`, :func:`write_nm_parent_list`): ``n`` pi0 drawn with
their production points (point and momentum from the same part of the source,
:func:`~fipgen.production.sources.vertex.source_sample`), every line weighted
``per_pot x 1e6`` (the reader counts 1e6 POT per line), in a seeded random order. That
reader sets pdg 111 on every line, so a card whose channels need another meson (eta, omega,
the HNL parents) or none is refused (:func:`nm_parent_source`): a file holding part of the
card's parents would pass for all of them.
"""

from __future__ import annotations

import numpy as np

from ... import constants as C
from ...errors import CardError, PhysicsError
from ...io.parent_list import write_mevprtl_text
from ...io.parent_list_nm import POT_PER_LINE, write_mevprtl_nm_text
from ...rng import PARENT_NM_STREAM, PARENT_STREAM, block_rng
from .resolve import production_source

__all__ = ["parent_species", "write_parent_list", "FILE_POT", "nm_parent_source", "write_nm_parent_list"]

#: Nominal POT of a written parent list (each species' weights are normalised to it).
FILE_POT = 1.0e6


def _channel_parents(ch, beamline) -> dict[int, object]:
    """``{pdg: MesonSource}`` of the mesons feeding one channel (none for bremsstrahlung)."""
    chan = getattr(ch, "x_channel", ch)  # X -> N N: X's own channel
    src = getattr(chan, "source", None)
    pdg = int(getattr(src, "pdg", 0) or 0)
    if pdg in (0, 2212):
        return {}  # bremsstrahlung: the beam proton
    if hasattr(src, "sample"):
        return {pdg: src}
    # HNL channels: the parent species of the sub-channel (both charges as the source has them)
    parent = int(getattr(ch, "meson_pdg", getattr(ch, "kaon_pdg", 0)) or 0)
    if parent == 0 and getattr(ch, "parent_pdg", 0) == 15:
        parent = 431
    if parent == 0:
        return {}
    out = {}
    for code in ((parent, -parent) if parent not in (130, 111, 221) else (parent,)):
        try:
            out[code] = production_source(beamline, code)
        except PhysicsError:  # a species without a source at this beamline
            continue
    return out


def parent_species(job) -> dict[int, object]:
    """``{pdg: MesonSource}`` of the mesons feeding the job's channels."""
    out = {}
    for ch in job.channels:
        out.update(_channel_parents(ch, job.beamline))
    return out


def nm_parent_source(job):
    """The pi0 source feeding the job's channels, for ``--format mevprtl-nm``.

    Raises
    ------
    CardError
        One line, when a channel needs a meson other than pi0 (sbncode's TxtFileGenNM sets pdg
        111 on every line) or no channel needs pi0 (bremsstrahlung), naming the channels and
        the way out.
    """
    need: dict[int, list[str]] = {}
    for ch in job.channels:
        for code in _channel_parents(ch, job.beamline):
            need.setdefault(code, []).append(ch.name)
    others = {c: names for c, names in sorted(need.items()) if c != 111}
    if not others and 111 in need:
        return parent_species(job)[111]
    why = ("; ".join(f"{C.name(c)} ({c}) feeds {names}" for c, names in others.items()) if others else
           f"no pi0 feeds the channels {[c.name for c in job.channels]}")
    raise CardError(f"{job.card.source}: output format 'mevprtl-nm' holds pi0 only (sbncode's TxtFileGenNM gives "
                    f"every line pdg 111): {why}; allowed: cards whose meson channels all come from pi0 (e.g. "
                    "signal.produce = [\"zprime:pi0\"]), or --format mevprtl for every species")


def write_nm_parent_list(path, job, n: int, seed: int, overwrite: bool = False) -> float:
    """Write ``n`` pi0 of the job's source as TxtFileGenNM lines (module docstring); return its
    pi0 per POT. Points in cm in the beamline's beam frame, ``start_t`` the proton's flight from
    the target face to the point (ns)."""
    from .vertex import source_sample

    src = nm_parent_source(job)
    points, p4 = source_sample(job.beamline, src, int(n), block_rng(seed, 0, (PARENT_NM_STREAM,)))
    # the solids' parts interleaved (a seeded random order): a reader that takes a contiguous block
    # of lines from a random start (sbncode's TxtFileGenNM) gets the mix of the whole file
    order = block_rng(seed, 1, (PARENT_NM_STREAM,)).permutation(int(n))
    points, p4 = points[order], p4[order]
    write_mevprtl_nm_text(path, p4, points, float(src.per_pot) * POT_PER_LINE, start_t=points[:, 2] / C.C_M_PER_NS,
                          overwrite=overwrite)
    return float(src.per_pot)


def write_parent_list(path, job, n: int, seed: int, overwrite: bool = False) -> dict[int, float]:
    """Write ``n`` parents of each species (module docstring); return ``{pdg: per_pot}``."""
    species = parent_species(job)
    p4s, pdgs, ws = [], [], []
    for k, (pdg, src) in enumerate(sorted(species.items())):
        rng = block_rng(seed, k, (PARENT_STREAM,))
        p4 = src.sample(n, rng)
        p4s.append(p4)
        pdgs.append(np.full(n, pdg, dtype=np.int64))
        ws.append(np.full(n, float(src.per_pot) * FILE_POT / n))
    if not p4s:
        raise CardError(f"{job.card.source}: output format 'mevprtl': no meson parent feeds the channels "
                        f"{[c.name for c in job.channels]} (bremsstrahlung has none); allowed: cards with meson channels")
    p4, pdg, w = np.concatenate(p4s), np.concatenate(pdgs), np.concatenate(ws)
    # species interleaved (a seeded random order): a reader that takes a contiguous block of lines from
    # a random start (sbncode's TxtFileGen) gets the mix of the whole file
    order = block_rng(seed, len(p4s), (PARENT_STREAM,)).permutation(len(pdg))
    p4, pdg, w = p4[order], pdg[order], w[order]
    from .resolve import uses_cascade

    made = "its hadron cascade, every generation and solid" if uses_cascade(job.beamline) else "first interactions"
    header = (f"fipgen parent list: {job.beamline.name} meson sources as produced ({made}), "
              f"{n} lines per species, weights normalised to POT = {FILE_POT:g}\n"
              + "\n".join(f"pdg {c}: {float(s.per_pot):.6g} per POT ({getattr(s, 'provenance', '')})"
                          for c, s in sorted(species.items())))
    write_mevprtl_text(path, p4, pdg, w, FILE_POT, header=header, overwrite=overwrite)
    return {c: float(s.per_pot) for c, s in species.items()}

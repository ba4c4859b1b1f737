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
"""

from __future__ import annotations

import numpy as np

from ...errors import CardError, PhysicsError
from ...io.parent_list import write_mevprtl_text
from ...rng import PARENT_STREAM, block_rng
from .resolve import production_source

__all__ = ["parent_species", "write_parent_list", "FILE_POT"]

#: Nominal POT of a written parent list (each species' weights are normalised to it).
FILE_POT = 1.0e6

def parent_species(job) -> dict[int, object]:
    """``{pdg: MesonSource}`` of the mesons feeding the job's channels."""
    out = {}
    for ch in job.channels:
        chan = getattr(ch, "x_channel", ch)  # X -> N N: X's own channel
        src = getattr(chan, "source", None)
        pdg = int(getattr(src, "pdg", 0) or 0)
        if pdg in (0, 2212):
            continue  # bremsstrahlung: the beam proton
        if hasattr(src, "sample"):
            out[pdg] = src
            continue
        # HNL channels: the parent species of the sub-channel (both charges as the source has them)
        parent = int(getattr(ch, "meson_pdg", getattr(ch, "kaon_pdg", 0)) or 0)
        if parent == 0 and getattr(ch, "parent_pdg", 0) == 15:
            parent = 431
        if parent == 0:
            continue
        for code in ((parent, -parent) if parent not in (130, 111, 221) else (parent,)):
            try:
                s = production_source(job.beamline, code)
            except PhysicsError:  # a species without a source at this beamline
                continue
            out[code] = s
    return out


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

"""Random streams.

One :class:`numpy.random.Generator` per *block* of trials, built from
``SeedSequence(seed, spawn_key=(block,))`` which equals ``SeedSequence(seed).spawn(n)[block]``.
Blocks have a fixed size (:data:`BLOCK_SIZE`) that does not depend on the user's chunk
size or on the number of workers, so the same card and seed give identical events
however the work is split: a chunk is a whole number of blocks.

No global random state is used anywhere in fipgen: every sampler takes ``rng``.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

__all__ = ["BLOCK_SIZE", "block_rng", "block_sizes"]

#: Trials per random stream. Chunks are multiples of this, so results do not depend
#: on the chunk size. Changing it changes the events a seed produces.
BLOCK_SIZE = 16384

# Random-stream families: the prefix of the spawn key (``block_rng(seed, block, stream)``).
# Every family used under a run seed is declared here, so that two uses never share a
# stream by accident. Changing a number changes the events or numbers of that family.

#: ``fipgen generate`` (and ``fipgen.scan.collect_table`` without a family): the empty prefix,
#: ``spawn_key = (block,)``.
GENERATE_STREAM: tuple[int, ...] = ()
#: ``fipgen yields``: channel ``k`` of the card draws from ``(YIELDS_STREAM, k, block)``.
YIELDS_STREAM = 101
#: ``fipgen scan``: mass point ``i`` draws from ``(SCAN_STREAM, i, block)``.
SCAN_STREAM = 202
#: ``fipgen acceptance``: mass point ``i`` draws from ``(ACCEPTANCE_STREAM, i, block)``.
ACCEPTANCE_STREAM = 203
#: Accept-reject of unweighted samples (``--unweighted``): ``(UNWEIGHT_STREAM, 0)``.
UNWEIGHT_STREAM = 301
#: Event-record details that no weight depends on (the struck nucleus of a compound):
#: block ``k`` of a family ``stream`` draws from ``(RECORD_STREAM, *stream, k)``.
RECORD_STREAM = 302
#: Meson parent list (``--format mevprtl``): block ``k`` draws from ``(PARENT_STREAM, k)``.
PARENT_STREAM = 401
#: sbncode TxtFileGenNM pi0 list (``--format mevprtl-nm``): the pi0 from ``(PARENT_NM_STREAM, 0)``,
#: the order of the lines from ``(PARENT_NM_STREAM, 1)``.
PARENT_NM_STREAM = 402

#: Every family above by name (read-only): ``{name: first element of the spawn key}``.
STREAM_FAMILIES = MappingProxyType({
    "yields": YIELDS_STREAM,
    "scan": SCAN_STREAM,
    "acceptance": ACCEPTANCE_STREAM,
    "unweight": UNWEIGHT_STREAM,
    "parent_list": PARENT_STREAM,
    "parent_list_nm": PARENT_NM_STREAM,
    "record": RECORD_STREAM,
})


def block_rng(seed: int, block: int, stream: tuple[int, ...] = ()) -> np.random.Generator:
    """The generator of block ``block`` for run seed ``seed`` (PCG64 bit generator).

    ``stream`` prefixes the spawn key, ``SeedSequence(seed, spawn_key=(*stream, block))``:
    independent families of blocks under one seed (``fipgen yields`` generates each
    production channel in its own family ``(YIELDS_STREAM, channel)``; the default ``()``
    is the family of ``fipgen generate``). The families are the constants above
    (:data:`STREAM_FAMILIES`).
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(*stream, block))))


def block_sizes(n_trials: int) -> list[int]:
    """Sizes of the blocks covering ``n_trials`` trials (all BLOCK_SIZE but the last)."""
    n_full, rest = divmod(int(n_trials), BLOCK_SIZE)
    return [BLOCK_SIZE] * n_full + ([rest] if rest else [])

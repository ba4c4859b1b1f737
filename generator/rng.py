"""Random streams.

One :class:`numpy.random.Generator` per *block* of trials, built from
``SeedSequence(seed, spawn_key=(block,))`` which equals ``SeedSequence(seed).spawn(n)[block]``.
Blocks have a fixed size (:data:`BLOCK_SIZE`) that does not depend on the user's chunk
size or on the number of workers, so the same card and seed give identical events
however the work is split: a chunk is a whole number of blocks.

No global random state is used anywhere in fipgen: every sampler takes ``rng``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BLOCK_SIZE", "block_rng", "block_sizes"]

#: Trials per random stream. Chunks are multiples of this, so results do not depend
#: on the chunk size. Changing it changes the events a seed produces.
BLOCK_SIZE = 16384


def block_rng(seed: int, block: int, stream: tuple[int, ...] = ()) -> np.random.Generator:
    """The generator of block ``block`` for run seed ``seed`` (PCG64 bit generator).

    ``stream`` prefixes the spawn key, ``SeedSequence(seed, spawn_key=(*stream, block))``:
    independent families of blocks under one seed (``fipgen yields`` generates each
    production channel in its own family ``(101, channel)``; the default ``()`` is the
    family of ``fipgen generate``).
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(*stream, block))))


def block_sizes(n_trials: int) -> list[int]:
    """Sizes of the blocks covering ``n_trials`` trials (all BLOCK_SIZE but the last)."""
    n_full, rest = divmod(int(n_trials), BLOCK_SIZE)
    return [BLOCK_SIZE] * n_full + ([rest] if rest else [])

"""How ``incremental.parallel`` cuts its items into slices: the bounds handed to the workers.

A slice is one short message each way (its bounds, then its results), and a worker's life
(``maxtasksperchild``) is counted in slices; so a slice's size is what the work weighs, and
an item that copies more of the parent's memory into its worker goes in shorter slices."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

__all__ = ["SAVE_FORKS", "SAVE_LIFE", "SLICE_MAX", "bounds", "save_life", "slice_size"]

SLICE_MAX = 32
"""The most items (of weight 1) a worker is given at once."""


def slice_size(count: int, workers: int) -> int:
    """The size of a slice of ``count`` items (or of their weight) over ``workers``."""
    # Small slices: a slow stretch of items (long notes) does not leave a core idle at the
    # end, and few results wait in the parent for the slice before them. Only the bounds
    # travel, so a slice costs one short message each way.
    return max(1, min(-(-count // (workers * 4)), SLICE_MAX))


def bounds(
    start: int, end: int, size: int, workers: int, weights: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """Slices of ``size`` over ``start:end``, but the last ``2 * workers`` slices' worth of
    items in quarters: the workers finish together instead of one doing a whole last slice
    alone (at 1,000 notes, the pages' last slices, the listings and exports, took 0.18 s of
    CPU each against 0.04 s for a slice of paper pages). With ``weights`` (one per item), a
    slice holds ``size`` of weight, not of items (an item heavier than that, alone)."""
    if weights is None:
        tail = max(start, end - 2 * workers * size)
        small = max(1, size // 4)
        return [
            *((i, min(i + size, tail)) for i in range(start, tail, size)),
            *((i, min(i + small, end)) for i in range(tail, end, small)),
        ]
    tail, left = end, 2 * workers * size  # the tail: the last items within that weight
    while tail > start and weights[tail - 1] <= left:
        tail -= 1
        left -= weights[tail]
    return [*_weighed(start, tail, size, weights), *_weighed(tail, end, max(1, size // 4), weights)]


def _weighed(start: int, end: int, size: int, weights: Sequence[int]) -> Iterator[tuple[int, int]]:
    """``start:end`` in slices of about ``size`` of ``weights`` each, in order."""
    at, held = start, 0
    for i in range(start, end):
        if held and held + weights[i] > size:
            yield at, i
            at, held = i, 0
        held += weights[i]
    if at < end:
        yield at, end


SAVE_LIFE = 64
"""About how many buckets a saving worker writes before a new fork takes its place (~1,000
entries), at least: see :func:`save_life`."""

SAVE_FORKS = 16
"""About how many lives the workers of a save have in all, at most (:func:`save_life`)."""


def save_life(buckets: int) -> int:
    """How many of ``buckets`` a saving worker writes before a new fork takes its place:
    :data:`SAVE_LIFE`, or longer where that would fork more than :data:`SAVE_FORKS` times.

    A fork costs CPU in proportion to the parent's size (its page tables copied, the
    worker's torn down), and the parent is biggest in the biggest library. A cold build
    of 50,000 notes writes 4,096 buckets: with lives of 64, 70 workers were forked and the
    save took 18.8 s (24.8 s of the workers' CPU); with lives of 512, 10 forks and 13.7 s
    (19.7 s). A worker's own memory grows with its life, though (the pages of the notes it
    reads, copied by reference counts): the tree's peak in the save was 1,043 MiB with 64,
    1,356 with 256 and 1,559 with 512, against 1,427-1,434 MiB while the pages are rendered
    (``benchmarks/memstages.py``): 256 it is there. At 5,000 notes (512 buckets) the life
    stays 64: 256 raised the save's peak from 202 to 223 MiB, above the pages' 212."""
    return max(SAVE_LIFE, buckets // SAVE_FORKS)

"""How ``incremental.parallel`` hands slices to its workers: a few at a time, as the caller
takes results, to one pool, or to one pool per worker whose lives are staggered.

A worker is replaced after a number of slices (its life: ``parallel.ITEMS_PER_WORKER``), as
what it copied of the parent's memory grows with the slices it did. In one pool the workers
start together and do slices at the same pace, so they reach the end of their lives, and
their largest copies, together: the tree's memory peaks at twice a life's copy. With one
pool per worker, the ``i``-th worker's first life is ``i / workers`` of a life shorter, so
the workers are replaced in turn and, at any time, the sum of their copies is one full
life's and one half life's (at 20,000 notes a page worker's private memory was 34 MiB after
64 pages, 51–58 after 128, 72–79 after 256: copies grow ever slower, so a staggered life can
be half as long again for the same peak, and the parent is forked a third less often).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

__all__ = ["Pending", "one", "staggered", "windowed"]

Run = Callable[[tuple[int, int]], list[Any]]
"""What a worker runs for a slice's bounds (a module-level function: pickled by name)."""


class Pending(Protocol):
    """A slice handed out: its results when done (``AsyncResult``)."""

    def get(self) -> list[Any]: ...

    def ready(self) -> bool: ...


Submit = Callable[[tuple[int, int]], Pending]


def one(pool: Pool, run: Run) -> Submit:
    """Each slice to ``pool``, whose workers take them as they are free."""
    return lambda bounds: pool.apply_async(run, (bounds,))


def staggered(pools: Sequence[Pool], run: Run, lives: int) -> Submit:
    """Each slice to the one-worker pool of ``pools`` with the fewest slices not yet done
    (the first such), the ``i``-th pool's first worker ending ``i / len(pools)`` of
    ``lives`` slices early."""
    for i, pool in enumerate(pools):
        for _ in range(i * lives // len(pools)):  # a slice of nothing counts toward its life
            pool.apply_async(run, ((0, 0),))
    given: list[list[Pending]] = [[] for _ in pools]

    def submit(bounds: tuple[int, int]) -> Pending:
        for mine in given:
            mine[:] = [pending for pending in mine if not pending.ready()]
        least = min(range(len(pools)), key=lambda i: len(given[i]))
        made = pools[least].apply_async(run, (bounds,))
        given[least].append(made)
        return made

    return submit


def windowed(submit: Submit, slices: Sequence[tuple[int, int]], ahead: int) -> Iterator[list[Any]]:
    """Each slice's results in order, with at most ``ahead`` slices submitted and not yet
    taken: the next slice is submitted only as the caller takes one (``imap`` would submit
    them all, and queue every result in the parent however slowly the caller takes them).
    The first ``ahead`` are submitted now, before the caller takes anything."""
    pending: deque[Pending] = deque()
    todo = iter(slices)
    for bounds in todo:
        pending.append(submit(bounds))
        if len(pending) >= max(1, ahead):
            break
    return _taken(submit, pending, todo)


def _taken(
    submit: Submit, pending: deque[Pending], todo: Iterator[tuple[int, int]]
) -> Iterator[list[Any]]:
    while pending:
        part = pending.popleft().get()
        for bounds in todo:  # one in for the one out, before the caller works on it
            pending.append(submit(bounds))
            break
        yield part

"""``[fn(x) for x in items]`` over forked worker processes, when there are enough items.

The workers are forked after ``fn`` and ``items`` exist and receive them through the pool's
initializer (inherited through the fork, never pickled: ``fn`` is usually a closure over the
library, the templates and the Markdown parser). Only slice bounds go to a worker and only
results come back, as values, in the order of ``items`` (a slotted dataclass as its class and
fields: :func:`_reduce_value`): the output does not depend on how the work was split, or on how
many workers there were. Slices are handed out only as the caller
takes results (:data:`WINDOW_PER_WORKER` ahead), so a caller that writes each result away holds
a few slices' results at a time, however fast the workers are.

What the workers inherit stays shared with the parent only while nobody writes to its memory
pages. The cyclic garbage collector writes to the header of every object it examines, so a full
collection in a worker would copy nearly the whole inherited heap (at 5,000 notes, over a hundred
MiB per worker). The parent therefore freezes its objects (``gc.freeze``) before forking, which
puts them out of every collection's reach in the workers, and thaws them when the pool is done.
A worker still copies each inherited page it writes to, by reference counts on the objects it
reads and by allocations into the parent's freed memory, and that grows with the pages it has
rendered; so a worker is replaced by a new fork after :data:`ITEMS_PER_WORKER` items.

The parent does the first slice itself, before it forks: what the work builds on first use
(compiled templates, Pygments' lexers, the TeX table, modules imported late) is inherited by
every worker rather than built in each (at 1,000 notes, 5 forks did it again for the pages,
0.03–0.1 s of CPU each), and that slice's CPU time tells whether the rest is worth a pool
(:data:`FORK_WORTH`).

A stage whose result is needed only later is handed out at once instead (:class:`Ahead`):
its workers run beside the parent's own work, so the parent's serial stretches do not leave
a core idle.

Before forking, the parent also gives the C heap's free pages back to the system
(:func:`give_back_free_memory`): what the stages before freed (the index's postings while they
were gathered, results read from workers) would otherwise stay in the parent, and a worker's
first allocations there would copy them page by page.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import chain
from typing import Any, Generic, TypeVar

from papernotes.incremental.slicing import SLICE_MAX, bounds, slice_size
from papernotes.incremental.window import windowed

__all__ = [
    "FIRST_SLICE",
    "FORK_WORTH",
    "ITEMS_PER_WORKER",
    "OWN_ITEMS_LIFE",
    "PARALLEL_FROM",
    "SLICE_MAX",
    "WINDOW_PER_WORKER",
    "Ahead",
    "fans_out",
    "give_back_free_memory",
    "parallel_iter",
    "parallel_map",
]

PARALLEL_FROM = 64
"""Below this many items a process pool costs more than it saves."""
ITEMS_PER_WORKER = 256
"""About how many items a worker does before a new fork takes its place: what it copied of the
parent's memory is given back. At 5,000 notes a page worker's private memory was 20 MiB after
its first 32 pages and 67 MiB after 512, growing 2–3 MiB a slice (pages copied by reference
counts and by allocations into the parent's free memory: its traced allocations grew 1 MiB).
A new worker inherits what the parent's first slice warmed (:func:`parallel_iter`), so a short
life costs little: at 5,000 notes the tree's peak (the pages, over 2 workers) was 422–440 MiB
with 512, 385–406 with 256 and 395 with 128 (``benchmarks/memstages.py``, one run each;
main, with 512 and no warm parent: 403–416)."""

OWN_ITEMS_LIFE = 1_024
"""About how many items a worker does before a new fork takes its place when each item reads
only itself (a note's text parsed, its search document tokenised): such a worker copies little
of the parent's memory, while each fork costs CPU in proportion to the parent's size (the
parent's page tables copied, the worker's torn down; at 50,000 notes a parent of ~1 GiB).
With :data:`ITEMS_PER_WORKER`'s life, the notes' parsing and tokenising forked ~200 times
each at 50,000 notes; with this one, ~50."""

FIRST_SLICE = 8
"""The items the parent does itself before it forks (:func:`parallel_iter`): enough to warm
what the workers inherit and to tell the rest's cost, few enough that the fork is not kept
waiting (at 1,000 notes, a first slice of 32 notes parsed was 0.16 s of the parent's CPU with
no worker running)."""

FORK_WORTH = 0.25
"""Seconds of CPU the items left after the first slice must be expected to take for a pool to
be forked for them: forking two workers, their first steps and the results pickled back cost
about 0.15 s of CPU at 1,000 notes (rendering the note bodies there took 0.30 s instead of
0.15 s here), and saves at most half the work's wall time."""

WINDOW_PER_WORKER = 2
"""Slices handed out per worker beyond the one the caller is taking: the workers never wait
for work, and the parent never holds the results of more slices than this (a slow consumer,
writing pages to disk, holds back the workers instead of piling their pages up in memory)."""

_clock = time.process_time  # what the first slice cost (CPU: a loaded machine's wall lies)

_T = TypeVar("_T")
_R = TypeVar("_R")


def fans_out(count: int, workers: int) -> bool:
    """Whether ``count`` items go to ``workers`` forked processes (else they run here)."""
    return count >= PARALLEL_FROM and workers >= 2 and hasattr(os, "fork")


def give_back_free_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``): at 2,000 notes,
    the 8 MiB the page rendering would start from. A no-op where there is no glibc."""
    import ctypes

    try:  # the symbols the process has loaded: the C library's among them
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS), or no dlopen
        return
    trim(0)


def parallel_map(
    fn: Callable[[_T], _R],
    items: Sequence[_T],
    workers: int,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[_R]:
    """``[fn(x) for x in items]``, in forked processes when :func:`fans_out` says so.

    ``progress(done, total)`` is called as slices finish.
    """
    return list(parallel_iter(fn, items, workers, progress=progress))


def parallel_iter(
    fn: Callable[[_T], _R],
    items: Sequence[_T],
    workers: int,
    *,
    progress: Callable[[int, int], None] | None = None,
    first_here: bool = True,
    life: int | None = None,
    meanwhile: Iterator[object] | None = None,
    window: int = WINDOW_PER_WORKER,
    weights: Sequence[int] | None = None,
) -> Iterator[_R]:
    """:func:`parallel_map` as results come: each in the order of ``items``, as soon as its
    slice is done, so the caller can use it (write a page) and let it go.

    ``first_here=False`` leaves the first slice to the workers too: for work whose first-use
    state the caller keeps alive long after (citeproc's, 10 MiB at 1,000 notes), which the
    parent would carry through the rest of the build.

    ``life`` is about how many items a worker does before a new fork takes its place
    (default :data:`ITEMS_PER_WORKER`): more for work that copies little of the parent's
    memory, as each new fork costs CPU (the fork, and the pages it copies as it starts).

    ``meanwhile`` is the caller's own work in small steps, each a ``next`` of it, that no
    result waits for (a memo filled ahead): once the pool is forked, a step is taken whenever
    the next slice's results are not back yet, instead of waiting idle for them. Steps not
    taken by the end are left to the caller (so are all of them when nothing is forked).
    ``window``: slices handed out per worker beyond the one taken (:data:`WINDOW_PER_WORKER`).

    ``weights``, one per item, say how much of a worker's life each item takes (by default 1
    each): a slice holds about the same weight, so an item of weight 8 goes in slices an
    eighth as long, and ``life`` counts weight, not items. Work whose items copy unequal
    parts of the parent's memory gives each its share: a worker then lives long on the
    light items and short on the heavy ones (``sitejobs.run_jobs``)."""
    if not fans_out(len(items), workers):
        for i, item in enumerate(items):
            yield fn(item)
            if progress and i % 100 == 0:
                progress(i, len(items))
        return
    size = slice_size(len(items) if weights is None else sum(weights), workers)
    ahead = workers * window
    forked = partial(
        _forked, fn, items, workers, size, progress, life=life, idle=meanwhile, weights=weights
    )
    if not first_here:
        yield from forked(start=0, ahead=ahead)
        return
    # The first slice is done here, before any fork: what the work builds on first use (the
    # compiled templates, Pygments' lexers, the TeX table, modules imported late) is then
    # inherited by every worker, instead of built again in each of them and in each new
    # fork that replaces one. It also tells what the rest would cost.
    # A short slice: the workers wait for the fork while it runs, a core idle. What it tells
    # of the rest leaves out its first item, which pays for what the workers inherit.
    first = max(2, min(size, FIRST_SLICE))
    yield fn(items[0])
    started = _clock()
    yield from map(fn, items[1:first])
    if progress:
        progress(first, len(items))
    if (_clock() - started) * (len(items) - first) / (first - 1) < FORK_WORTH:
        yield from map(fn, items[first:])  # less than a pool's own cost: done here too
        return
    yield from forked(start=first, ahead=ahead)


class Ahead(Generic[_R]):
    """``[fn(x) for x in items]`` at work in forked processes from the moment it is made, every
    slice handed out at once, while the caller goes on with other work; the results, in the
    order of ``items``, as the caller iterates (once). With too few items for a pool
    (:func:`fans_out`), they are made here as the caller iterates.

    This is how a stage that only the end of the build needs (the formatted references) runs
    beside the parent's own work instead of after it: at 1,000 notes, with 2 cores, the parent
    renders the bodies and tokenises the search documents alone while both workers format.
    While one is at work, the caller does the rest in this process (``workers=1``): a second
    pool would be forked beside the threads of the first, and the cores are busy anyway. Let go
    before it is done (an exception), its workers are ended with it.

    The first ``here`` items are made here before the fork, so that what the work builds on
    first use is inherited by every worker (:func:`parallel_iter`'s first slice): citeproc-py
    took 0.11 s for the first reference and 1 ms for each next one, in each new worker.
    ``life`` is :func:`parallel_iter`'s."""

    __slots__ = ("_results", "forked")

    def __init__(
        self,
        fn: Callable[[_T], _R],
        items: Sequence[_T],
        workers: int,
        *,
        here: int = 0,
        life: int | None = None,
    ) -> None:
        self.forked = fans_out(len(items), workers)  # else made here as iterated
        self._results: Iterator[_R]
        if not self.forked:
            self._results = map(fn, items)
            return
        first = [fn(x) for x in items[:here]]
        size = slice_size(len(items) - here, workers)
        parts = _slices(fn, items, workers, size, min(here, len(items)), len(items), life)
        next(parts)  # forked, every slice handed out
        self._results = chain(first, (result for _, part in parts for result in part))

    def __iter__(self) -> Iterator[_R]:
        return self._results


def _forked(
    fn: Callable[[_T], _R],
    items: Sequence[_T],
    workers: int,
    size: int,
    progress: Callable[[int, int], None] | None,
    *,
    start: int,
    ahead: int,
    life: int | None = None,
    idle: Iterator[object] | None = None,
    weights: Sequence[int] | None = None,
) -> Iterator[_R]:
    """``fn`` over ``items[start:]`` in slices of ``size`` (in ``weights``), over ``workers``
    forked processes, ``ahead`` slices handed out beyond the one taken; a step of ``idle``
    whenever the next slice is not back yet."""
    parts = _slices(fn, items, workers, size, start, ahead, life, idle, weights)
    next(parts)  # forked
    for end, part in parts:
        yield from part
        if progress:
            progress(end, len(items))


def _slices(
    fn: Callable[[_T], _R],
    items: Sequence[_T],
    workers: int,
    size: int,
    start: int,
    ahead: int,
    life: int | None = None,
    idle: Iterator[object] | None = None,
    weights: Sequence[int] | None = None,
) -> Iterator[tuple[int, list[Any]]]:
    """Each slice's end and results, in order, after a first ``(start, [])`` once the pool is
    forked and its first ``ahead`` slices are handed out; a step of ``idle`` whenever the
    next slice is not back yet."""
    import multiprocessing

    slices = bounds(start, len(items), size, workers, weights)
    context = multiprocessing.get_context("fork")
    give_back_free_memory()
    thaw = gc.get_freeze_count() == 0  # a caller's own frozen objects stay frozen
    gc.freeze()
    try:
        items_each = ITEMS_PER_WORKER if life is None else life
        lives = max(1, items_each // size)  # slices a worker does before it is replaced
        with context.Pool(workers, _adopt, (fn, items), maxtasksperchild=lives) as pool:
            done = windowed(lambda b: pool.apply_async(_run_slice, (b,)), slices, ahead, idle)
            yield start, []
            for (_, end), part in zip(slices, done, strict=True):
                yield end, part
    finally:
        if thaw:
            gc.unfreeze()  # the parent's garbage is collectable again


class _Work:
    """What this process was forked to do; set once by the pool's initializer, so only in
    worker processes (the parent never writes it)."""

    fn: Callable[[Any], Any] | None = None
    items: Sequence[Any] = ()


def _adopt(fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    from multiprocessing.reduction import ForkingPickler  # what sends the results back

    # Everything inherited out of this worker's collections: a worker the pool forks to
    # replace one (``maxtasksperchild``) is forked from the parent as it is then, with the
    # objects it made since the pool started unfrozen. A collection here walked them and
    # wrote to each one's header, copying its memory page: at 20,000 notes the workers
    # spent 15 s of CPU collecting (5 s of it in 18 full collections), against 2.7 s at 5,000.
    gc.freeze()
    # The collector on, for what this worker makes: a pool forked while the parent's is
    # paused (``cache.collector_paused``: stage 4's pools) inherits it off, and a worker then
    # kept all the cyclic garbage of its life (citeproc-py's, Jinja's).
    gc.enable()
    _Work.fn, _Work.items = fn, items
    ForkingPickler.reducer_override = _reduce_value  # type: ignore[method-assign, assignment]


_FIELDS: dict[type, tuple[str, ...] | None] = {}
"""Per class, the fields :func:`_reduce_value` sends, or None for a class it leaves to pickle."""


def _reduce_value(_pickler: object, obj: object) -> object:
    """A worker's results as ``cls(*fields)`` when ``cls`` is a slotted dataclass whose
    ``__init__`` only stores its fields (no ``__post_init__``, every field positional).

    Pickle's own way for a frozen slotted dataclass is a state list set back field by field
    through ``object.__setattr__`` in Python: at 1,000 notes, the parsed notes (30 small
    values each, most of them ``Location``) took 0.29 s to pickle in the workers and 0.34 s
    to unpickle in the parent, against 0.12 s and 0.20 s so. Pickle calls this for every
    object but the built-in containers, strings and numbers."""
    cls = type(obj)
    names = _FIELDS.get(cls, ())
    if names == ():
        names = _FIELDS[cls] = _sent_fields(cls)
    if names is None:
        return NotImplemented
    return cls, tuple(map(obj.__getattribute__, names))


def _sent_fields(cls: type) -> tuple[str, ...] | None:
    import dataclasses
    import inspect

    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        return None
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or not all(f.init and not f.kw_only for f in fields):
        return None
    names = tuple(f.name for f in fields)
    # An ``__init__`` of the class's own (kept by ``dataclass``) may not take the fields.
    return names if tuple(inspect.signature(cls).parameters) == names else None


def _run_slice(bounds: tuple[int, int]) -> list[Any]:
    fn = _Work.fn
    assert fn is not None, "a slice ran outside a worker"
    return [fn(x) for x in _Work.items[bounds[0] : bounds[1]]]

"""The process pool (incremental/parallel.py) and the one cached step (incremental/reuse.py):
results come back as values, in order, the same whatever the number of workers."""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from papernotes.incremental import parallel, window
from papernotes.incremental import reuse as reuse_module
from papernotes.incremental.parallel import PARALLEL_FROM, fans_out, parallel_map
from papernotes.incremental.reuse import reuse


@pytest.fixture(autouse=True)
def _always_worth_a_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    # These items cost next to nothing: without this, the first slice would tell the pool
    # that the rest is not worth forking for (see the tests of FORK_WORTH below).
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)


@pytest.mark.parametrize(
    ("count", "workers", "expected"),
    [
        (0, 8, False),
        (PARALLEL_FROM - 1, 2, False),
        (PARALLEL_FROM, 2, True),
        (80, 2, True),
        (80, 1, False),
        (10_000, 1, False),
        (10_000, 8, True),
    ],
)
def test_fans_out_only_for_many_items_and_several_workers(
    count: int, workers: int, expected: bool
) -> None:
    assert fans_out(count, workers) is expected


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_closure_maps_the_same_whatever_the_workers(workers: int) -> None:
    offset = {"by": 7}  # a closure over a local: it reaches the workers by fork, not pickle

    def fn(x: int) -> tuple[int, int]:
        return x, x * x + offset["by"]

    items = list(range(200))
    assert parallel_map(fn, items, workers) == [(x, x * x + 7) for x in items]


def test_many_items_go_to_other_processes_and_nothing_stays_behind() -> None:
    pids = parallel_map(lambda _: os.getpid(), range(100), 2)
    size = parallel.FIRST_SLICE  # the first slice: done here, before the fork
    assert pids[:size] == [os.getpid()] * size
    assert os.getpid() not in pids[size:]
    assert len(pids) == 100
    # The worker's slot is written in the workers only, never in this process.
    assert parallel._Work.fn is None and parallel._Work.items == ()


def test_workers_see_the_inherited_objects_frozen_and_the_parent_thaws_them() -> None:
    # Frozen objects are out of the garbage collector's reach in the workers, so a collection
    # there does not write to (and copy) every page of the heap they share with the parent.
    inherited = [[i] for i in range(1000)]  # containers the collector would otherwise track
    seen = parallel_map(lambda _: (os.getpid(), gc.get_freeze_count()), range(100), 2)
    frozen = [count for pid, count in seen if pid != os.getpid()]  # the first slice's: here
    assert frozen and min(frozen) >= len(inherited)
    assert gc.get_freeze_count() == 0


def test_a_worker_forked_later_leaves_what_the_parent_made_since_out_of_its_collections() -> None:
    # A worker that replaces one is forked from the parent as it is then: the objects the
    # parent made after the pool started are not frozen there. The worker freezes all it
    # inherited, so its collections walk (and copy the pages of) only its own objects.
    made: list[list[int]] = []
    late = 50_000

    def fn(_: int) -> tuple[int, int]:
        return os.getpid(), len(gc.get_objects())  # the objects its collections would walk

    seen = []
    for result in parallel.parallel_iter(fn, range(600), 2, life=parallel.SLICE_MAX):
        if len(seen) == parallel.FIRST_SLICE:  # the first from a worker: the pool has started
            made.extend([i] for i in range(late))
        seen.append(result)
    # One slice a worker, slices handed out as results are taken: a worker that did a slice
    # past the first 8 from workers was forked once ``made`` was there.
    forked_after = seen[parallel.FIRST_SLICE + 8 * parallel.SLICE_MAX :]
    assert forked_after and {pid for pid, _ in forked_after}.isdisjoint({os.getpid()})
    assert max(walked for _, walked in forked_after) < late
    assert gc.get_freeze_count() == 0


def test_a_freeze_of_the_callers_own_is_left_as_it_was() -> None:
    gc.freeze()
    try:
        parallel_map(lambda x: x, range(100), 2)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_parent_thaws_its_objects_even_when_a_worker_fails() -> None:
    def fn(x: int) -> int:
        if x == 90:
            raise ValueError("item 90")
        return x

    with pytest.raises(ValueError, match="item 90"):
        parallel_map(fn, list(range(100)), 2)
    assert gc.get_freeze_count() == 0


def test_a_worker_is_replaced_after_its_share_and_the_results_stay_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a worker copied of the parent's memory goes with it: a new fork starts clean.
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 20)
    done = parallel_map(lambda x: (x, os.getpid()), list(range(400)), 2)
    assert [x for x, _ in done] == list(range(400))
    assert len({pid for _, pid in done}) >= 400 // parallel.SLICE_MAX  # one slice each


def test_few_items_stay_in_this_process() -> None:
    assert set(parallel_map(lambda _: os.getpid(), range(PARALLEL_FROM - 1), 8)) == {os.getpid()}


def test_an_exception_in_a_worker_reaches_the_caller() -> None:
    def fn(x: int) -> int:
        if x == 77:
            raise ValueError("item 77")
        return x

    with pytest.raises(ValueError, match="item 77"):
        parallel_map(fn, list(range(100)), 2)


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_goes_up_to_the_total(workers: int) -> None:
    seen: list[tuple[int, int]] = []
    parallel_map(lambda x: x, list(range(250)), workers, progress=lambda d, t: seen.append((d, t)))
    assert seen and all(t == 250 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] >= 200


def test_reuse_keeps_same_fingerprints_and_makes_the_rest_in_order() -> None:
    made: list[str] = []

    def make(text: str) -> str:
        made.append(text)
        return text.upper()

    wanted = {"a": ("fa", "aa"), "b": ("fb2", "bb"), "c": ("fc", "cc")}
    previous = {"a": ("fa", "OLD A"), "b": ("fb1", "OLD B"), "gone": ("fg", "OLD G")}
    out = reuse(wanted, previous, make)
    assert out == {"a": ("fa", "OLD A"), "b": ("fb2", "BB"), "c": ("fc", "CC")}
    assert list(out) == ["a", "b", "c"]  # the order of what was wanted
    assert made == ["bb", "cc"]  # only what changed or is new


def test_reuse_over_workers_equals_reuse_here() -> None:
    wanted = {f"k{i:03}": (f"f{i}", i) for i in range(150)}
    previous = {f"k{i:03}": (f"f{i}", -i) for i in range(0, 150, 3)}
    here = reuse(wanted, previous, lambda x: x * 2, workers=1)
    there = reuse(wanted, previous, lambda x: x * 2, workers=2)
    assert here == there
    assert here["k003"] == ("f3", -3) and here["k004"] == ("f4", 8)


@pytest.mark.parametrize("workers", [1, 2])
def test_reuse_adopts_each_value_made_as_it_arrives_and_no_other(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Adopted as it comes (search terms are interned so): each value as made is let go before
    # the next is read, instead of all of them being held until the last has come.
    events: list[tuple[str, int]] = []
    original = parallel.parallel_iter

    def watched(
        fn: Callable[[int], int], items: list[int], workers: int, **kw: bool
    ) -> Iterator[int]:
        for value in original(fn, items, workers, **kw):
            events.append(("arrive", value))
            yield value

    def adopt(value: int) -> int:
        events.append(("adopt", value))
        return -value

    monkeypatch.setattr(reuse_module, "parallel_iter", watched)
    wanted = {f"k{i:03}": (f"f{i}", i) for i in range(100)}
    out = reuse(wanted, {"k000": ("f0", 1000)}, lambda x: x * 2, workers=workers, own=adopt)
    assert out["k000"] == ("f0", 1000)  # kept, not adopted
    assert out["k007"] == ("f7", -14)
    assert events[:4] == [("arrive", 2), ("adopt", 2), ("arrive", 4), ("adopt", 4)]
    assert len(events) == 2 * 99


@pytest.mark.parametrize(("count", "workers", "trims"), [(100, 2, 1), (100, 1, 0), (10, 2, 0)])
def test_the_heap_is_given_back_before_each_fork_only(
    count: int, workers: int, trims: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The free pages of the parent's C heap would be copied into each worker that allocates
    # there: given back first (glibc's malloc_trim), once per pool, never when nothing forks.
    calls: list[int] = []
    monkeypatch.setattr(parallel, "give_back_free_memory", lambda: calls.append(1))
    assert parallel_map(lambda x: x + 1, list(range(count)), workers) == [
        x + 1 for x in range(count)
    ]
    assert len(calls) == trims
    monkeypatch.undo()
    parallel.give_back_free_memory()  # where there is no glibc, it does nothing


@pytest.mark.parametrize(("count", "ahead"), [(0, 2), (1, 2), (3, 1), (10, 1), (10, 4), (10, 20)])
def test_slices_are_handed_out_only_as_the_caller_takes_results(count: int, ahead: int) -> None:
    # The parent holds the results of at most ``ahead`` slices besides the one it is taking:
    # handing every slice out at once (``imap``) queues every page in the parent's memory.
    slices = [(i, i + 1) for i in range(count)]
    submitted: list[tuple[int, int]] = []

    class Done:
        def __init__(self, bounds: tuple[int, int]) -> None:
            self.bounds = bounds

        def get(self) -> list[object]:
            return [self.bounds]

    def submit(bounds: tuple[int, int]) -> Done:
        submitted.append(bounds)
        return Done(bounds)

    taken = []
    for i, part in enumerate(window.windowed(submit, slices, ahead)):
        assert len(submitted) <= i + 1 + ahead
        taken.extend(part)
    assert taken == slices == submitted


def test_the_callers_steps_are_taken_only_while_the_next_slice_is_not_back() -> None:
    # Each slice is back after it was asked twice whether it is; a step is taken at each
    # "not yet", never once it is back, and the slices come in order all the same.
    events: list[object] = []

    class Later:
        def __init__(self, bounds: tuple[int, int]) -> None:
            self.bounds, self.asked = bounds, 0

        def ready(self) -> bool:
            self.asked += 1
            return self.asked > 2

        def get(self) -> list[object]:
            events.append(self.bounds)
            return [self.bounds]

    def steps() -> Iterator[int]:
        for i in range(5):
            events.append(f"step {i}")
            yield i

    slices = [(i, i + 1) for i in range(4)]
    taken = [b for part in window.windowed(Later, slices, 2, steps()) for b in part]
    assert taken == slices
    assert events == [
        *("step 0", "step 1", (0, 1)),
        *("step 2", "step 3", (1, 2)),
        *("step 4", (2, 3)),  # no step left: the slices are waited for
        (3, 4),
    ]


@pytest.mark.parametrize(("count", "forked"), [(PARALLEL_FROM - 1, False), (200, True)])
def test_steps_meanwhile_are_taken_only_while_workers_run(count: int, forked: bool) -> None:
    # Steps run here, in the parent, while forked workers make the results (each slow
    # enough that the parent waits for it); none when the items are made here.
    import time

    def slow(x: int) -> int:
        time.sleep(0.002)
        return x * 2

    pid, where = os.getpid(), []

    def steps() -> Iterator[None]:
        for _ in range(10):
            where.append(os.getpid())
            yield None

    made = list(parallel.parallel_iter(slow, list(range(count)), 2, meanwhile=steps()))
    assert made == [x * 2 for x in range(count)]
    assert where == ([pid] * 10 if forked else [])


@pytest.mark.parametrize("window", [None, 1, 5])
def test_workers_wait_for_a_slow_caller_instead_of_running_ahead(
    tmp_path: Path, window: int | None
) -> None:
    # Each item notes in a shared log that it started; when the caller takes an item, no
    # worker has started beyond the window that follows it (the caller's, or the default).
    log = tmp_path / "started"
    log.touch()

    def fn(x: int) -> int:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, f"{x}\n".encode())
        finally:
            os.close(fd)
        return x

    workers, count = 2, 640
    size = parallel.SLICE_MAX  # 640 items over 2 workers: full slices
    ahead = workers * (window or parallel.WINDOW_PER_WORKER)
    kw = {} if window is None else {"window": window}
    for x in parallel.parallel_iter(fn, list(range(count)), workers, **kw):
        started = max(map(int, log.read_text().split()))
        first = parallel.FIRST_SLICE  # done here; the slices after it from there
        assert started < first + ((x - first) // size + 1 + ahead) * size
    assert sorted(map(int, log.read_text().split())) == list(range(count))


def test_what_the_work_builds_on_first_use_is_built_once_not_once_per_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A table built on first use (Pygments' lexers, the TeX table, compiled templates) is
    # built by the first slice, here, and every worker, replacements too, inherits it.
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 40)  # several forks per worker slot
    log = tmp_path / "built"
    log.touch()
    table: dict[int, int] = {}

    def fn(x: int) -> int:
        if not table:
            with log.open("a", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")
            table.update((i, i * i) for i in range(100))
        return table[x % 100]

    assert parallel_map(fn, list(range(400)), 2) == [(x % 100) ** 2 for x in range(400)]
    assert log.read_text(encoding="utf-8").split() == [str(os.getpid())]


@pytest.mark.parametrize(("step", "forked"), [(0.0, False), (1.0, True)])
def test_a_pool_is_forked_only_when_the_first_slice_says_the_rest_is_worth_it(
    step: float, forked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rendering 1,000 note bodies took 0.15 s here and 0.30 s over two workers: the first
    # slice's CPU time, times the slices left, decides (a clock that advances ``step``).
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.25)
    ticks = iter(range(1000))
    monkeypatch.setattr(parallel, "_clock", lambda: next(ticks) * step)
    trims: list[int] = []
    monkeypatch.setattr(parallel, "give_back_free_memory", lambda: trims.append(1))
    pids = parallel_map(lambda _: os.getpid(), range(300), 2)
    assert len(pids) == 300
    assert (set(pids) != {os.getpid()}) is forked
    assert len(trims) == int(forked)


@dataclass(frozen=True, slots=True)
class _Value:
    path: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class _Checked:
    path: str

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("no path")


@dataclass(frozen=True, slots=True)
class _OwnInit:
    path: str

    def __init__(self, *parts: str) -> None:
        object.__setattr__(self, "path", "/".join(parts))


def test_workers_send_slotted_values_as_their_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pickle's own way for a frozen slotted dataclass (a state set back field by field in
    # Python) was half the cost of sending the parsed notes back: a worker sends cls(*fields).
    from multiprocessing.reduction import ForkingPickler

    # Absent as in a fresh process, and absent again afterwards (undone in reverse order).
    monkeypatch.setattr(ForkingPickler, "reducer_override", None, raising=False)
    monkeypatch.delattr(ForkingPickler, "reducer_override")
    values = [_Value("papers/a.md", i) for i in range(50)]
    before = len(ForkingPickler.dumps(values))
    parallel._adopt(len, [])  # what a worker does when it starts
    after = ForkingPickler.dumps(values)
    assert pickle.loads(after) == values
    assert len(after) < before * 0.8
    assert parallel._reduce_value(None, _Value("a", 3)) == (_Value, ("a", 3))
    # A class whose __init__ checks, or a value that is not a dataclass: pickle's own way.
    assert parallel._reduce_value(None, _Checked("a")) is NotImplemented
    assert parallel._reduce_value(None, _OwnInit("a", "b")) is NotImplemented
    assert parallel._reduce_value(None, Path("a")) is NotImplemented


def test_values_come_back_from_workers_equal_to_those_made_here() -> None:
    items = list(range(150))
    made = parallel_map(lambda i: (_Value(f"p{i}", i or None), _Checked(f"c{i}")), items, 2)
    assert made == [(_Value(f"p{i}", i or None), _Checked(f"c{i}")) for i in items]


def test_a_worker_renders_at_most_256_items_in_its_life() -> None:
    # At 5,000 notes a page worker grew 2–3 MiB of private memory a slice, to 67 MiB after
    # 512 pages: replaced after 256, the tree's peak was 385 MiB instead of 422–440.
    done = parallel_map(lambda _: os.getpid(), list(range(1024)), 2)
    workers = [pid for pid in done if pid != os.getpid()]
    lives = {pid: workers.count(pid) for pid in workers}
    assert len(workers) == 1024 - parallel.FIRST_SLICE  # the first slice: here
    assert max(lives.values()) <= 256


def test_a_caller_may_leave_the_first_slice_to_the_workers() -> None:
    # The references' citeproc memo would otherwise stay in the parent through the pages.
    pids = list(parallel.parallel_iter(lambda _: os.getpid(), range(100), 2, first_here=False))
    assert len(pids) == 100 and os.getpid() not in pids


def test_reuse_passes_first_here_on(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = parallel.parallel_iter

    def watched(fn: Callable[[int], int], items: list[int], workers: int, **kw: bool) -> Any:
        seen.append(kw["first_here"])
        return real(fn, items, workers, **kw)

    monkeypatch.setattr(reuse_module, "parallel_iter", watched)
    wanted = {f"k{i:03}": (f"f{i}", i) for i in range(100)}
    for previous in ({}, {k: ("old", 0) for k in wanted}):  # the loop's way and _patched's
        made = reuse(wanted, previous, lambda x: x + 1, workers=2, first_here=False)
        assert made["k005"] == ("f5", 6)
    assert seen == [False, False]


def test_what_the_first_item_warms_does_not_count_toward_forking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first item pays for what the workers would inherit (compiled templates, Pygments'
    # lexers): the rest's cost is told from the first slice's other items, so a cheap stage
    # with a costly first use stays here instead of forking for nothing.
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.25)
    now = [0.0]
    monkeypatch.setattr(parallel, "_clock", lambda: now[0])

    def fn(x: int) -> int:
        now[0] += 10.0 if x == 0 else 0.0001
        return os.getpid()

    assert set(parallel_map(fn, list(range(300)), 2)) == {os.getpid()}
    # The same items, each costing what the first did: worth the pool.

    def costly(_: int) -> int:
        now[0] += 10.0
        return os.getpid()

    assert os.getpid() not in parallel_map(costly, list(range(300)), 2)[parallel.FIRST_SLICE :]


def test_a_caller_may_give_its_workers_a_longer_life(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cache save copies little of the parent: fewer forks do the same work.
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 40)
    items = list(range(400))
    short = list(parallel.parallel_iter(lambda _: os.getpid(), items, 2))
    # A life counts slices of the full size (the last, smaller ones too): ample here.
    long = list(parallel.parallel_iter(lambda _: os.getpid(), items, 2, life=4 * len(items)))
    # The first two forks did it all: no worker was replaced. (Not "exactly 2": on a loaded
    # machine one worker may take every slice before the other has started.)
    assert 1 <= len(set(long) - {os.getpid()}) <= 2
    assert len(set(short) - {os.getpid()}) >= 400 // 40


def test_reuse_passes_a_life_on(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int | None] = []
    real = parallel.parallel_iter

    def watched(fn: Callable[[int], int], items: list[int], workers: int, **kw: Any) -> Any:
        seen.append(kw["life"])
        return real(fn, items, workers, **kw)

    monkeypatch.setattr(reuse_module, "parallel_iter", watched)
    wanted = {f"k{i:03}": (f"f{i}", i) for i in range(100)}
    for previous in ({}, {k: ("old", 0) for k in wanted}):  # the loop's way and _patched's
        assert reuse(wanted, previous, lambda x: x + 1, workers=2, life=500)["k005"] == ("f5", 6)
    assert reuse(wanted, {}, lambda x: x + 1, workers=2)["k005"] == ("f5", 6)
    assert seen == [500, 500, None]

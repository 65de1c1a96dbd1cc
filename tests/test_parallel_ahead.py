"""Work handed to forked workers ahead of time (``incremental.parallel.Ahead``), and the build's
use of it: the references are formatted by the workers while the parent renders the bodies."""

from __future__ import annotations

import multiprocessing
import os
import select
from pathlib import Path
from typing import Any

import pytest
from test_build import NOTES, _big_library

from papernotes.bib import styles as bib_styles
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import bodies, packed, parallel, searchstate, slicing
from papernotes.incremental.parallel import ITEMS_PER_WORKER, PARALLEL_FROM, Ahead
from papernotes.incremental.reuse import reuse, reuse_ahead


def test_the_workers_are_at_work_before_the_caller_asks_for_a_result() -> None:
    # Each item says it was made through a pipe; the caller reads every item's word before it
    # takes a single result: a pool that started only when asked would leave it waiting.
    read, write = os.pipe()
    parent = os.getpid()

    def fn(x: int) -> tuple[int, int]:
        os.write(write, b"x")
        return x * x, os.getpid()

    items = list(range(PARALLEL_FROM * 2))
    ahead = Ahead(fn, items, 2)
    assert ahead.forked
    said = b""
    while len(said) < len(items):
        ready, _, _ = select.select([read], [], [], 60)  # a guard against a hang, not a timing
        assert ready, f"only {len(said)} of {len(items)} items made before the caller asked"
        said += os.read(read, 4096)
    results = list(ahead)
    os.close(read)
    os.close(write)
    assert [square for square, _ in results] == [x * x for x in items]
    assert parent not in {pid for _, pid in results}


def test_what_the_first_items_build_here_every_worker_inherits(tmp_path: Path) -> None:
    # ``here`` items are made before the fork: a table built on first use (citeproc-py's
    # state) is built once, here, instead of in each worker and each worker that replaces one.
    log = tmp_path / "built"
    log.touch()
    table: dict[int, int] = {}

    def fn(x: int) -> tuple[int, int]:
        if not table:
            with log.open("a", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")
            table.update((i, i * i) for i in range(100))
        return table[x % 100], os.getpid()

    items = list(range(ITEMS_PER_WORKER * 3))  # replaced workers too
    results = list(Ahead(fn, items, 2, here=1))
    assert [square for square, _ in results] == [(x % 100) ** 2 for x in items]
    assert results[0][1] == os.getpid() and os.getpid() not in {p for _, p in results[1:]}
    assert log.read_text(encoding="utf-8").split() == [str(os.getpid())]


def test_few_items_are_made_here_when_asked() -> None:
    made: list[int] = []
    ahead = Ahead(lambda x: made.append(x) or x + 1, list(range(PARALLEL_FROM - 1)), 2)
    assert not ahead.forked and made == []  # nothing made until asked
    assert list(ahead) == list(range(1, PARALLEL_FROM))
    assert made == list(range(PARALLEL_FROM - 1))


def test_workers_let_go_before_their_results_are_taken_are_ended() -> None:
    ahead = Ahead(lambda x: x, list(range(PARALLEL_FROM * 4)), 2)
    before = set(multiprocessing.active_children())
    assert before  # the workers, at work
    del ahead  # an exception before the results were taken: the pool is ended with it
    assert not set(multiprocessing.active_children()) & before


@pytest.mark.parametrize("workers", [1, 2])
def test_reuse_ahead_equals_reuse(workers: int) -> None:
    wanted = {f"k{i}": (f"fp{i % 7}", i) for i in range(150)}
    previous = {f"k{i}": ("fp0", -i) for i in range(0, 150, 2)}
    later = reuse_ahead(wanted, previous, lambda x: x * 3, workers=workers)
    assert later.forked is (workers == 2)
    assert later() == reuse(wanted, previous, lambda x: x * 3, workers=1)


class _Value:
    """A made value that can be watched for when it goes."""

    def __init__(self, x: int) -> None:
        self.x = x


def test_reuse_ahead_lets_go_of_its_values_and_inputs_once_called() -> None:
    # The build keeps what started the references (it holds every note's CSL item) until the
    # pages are done: called, it must hold none of that any more, nor the references made.
    import gc
    import weakref

    items = {f"k{i}": (f"fp{i}", _Value(i)) for i in range(10)}
    later = reuse_ahead(items, {"k0": ("fp0", _Value(-1))}, lambda v: _Value(v.x * 3), workers=1)
    inputs = [weakref.ref(v) for _, v in items.values()]
    made = later()
    assert [v.x for _, v in made.values()] == [-1, *(3 * i for i in range(1, 10))]
    outputs = [weakref.ref(v) for _, v in made.values()]
    del items, made
    gc.collect()
    assert [r() for r in inputs + outputs] == [None] * 20  # only ``later`` is left, holding none


def test_a_build_formats_the_references_in_workers_while_the_parent_renders_the_bodies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert NOTES >= PARALLEL_FROM
    lib = _big_library(tmp_path / "lib")
    steps: list[tuple[str, object]] = []
    real_ahead_init = Ahead.__init__

    def ahead_init(self: Ahead[Any], fn: Any, items: Any, workers: int, **kw: Any) -> None:
        real_ahead_init(self, fn, items, workers, **kw)
        steps.append(("references handed out", (len(items), self.forked)))

    def counted(label: str, real: Any) -> Any:
        def wrapper(*args: Any, **kw: Any) -> Any:
            steps.append((label, kw["workers"]))
            return real(*args, **kw)

        return wrapper

    formatted = tmp_path / "formatted-by"
    formatted.touch()
    real_format = bib_styles.StyleSet.format

    def format_logged(self: Any, item: Any) -> Any:
        with formatted.open("a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
        return real_format(self, item)

    monkeypatch.setattr(Ahead, "__init__", ahead_init)
    real_render = bodies.render_packed  # a cold build's bodies, packed where rendered

    def render_counted(
        wanted: Any, render: Any, workers: int, spool: Any, terms: bool, **more: Any
    ) -> Any:
        steps.append(("bodies", (workers, terms)))
        return real_render(wanted, render, workers, spool, terms=terms, **more)

    monkeypatch.setattr(bodies, "render_packed", render_counted)
    monkeypatch.setattr(searchstate, "reuse", counted("search", searchstate.reuse))
    real_terms = packed.tokenise_packed  # a cold build's terms, packed where made

    def terms_counted(docs: Any, workers: int, spool: Any) -> Any:
        steps.append(("search terms", workers))
        return real_terms(docs, workers, spool)

    monkeypatch.setattr(packed, "tokenise_packed", terms_counted)
    monkeypatch.setattr(bib_styles.StyleSet, "format", format_logged)
    config, _ = load_config(lib)
    report = build(lib, config, out=tmp_path / "site", use_cache=False, workers=2)
    assert report.errors == 0
    # Handed out before the first body; the bodies and search documents made here meanwhile
    # (the documents with their bodies, never from them after); the terms not with them but
    # over the workers, to the spool, once the references are in.
    assert steps == [
        ("references handed out", (NOTES, True)),
        ("bodies", (1, False)),
        ("search terms", 2),
    ]
    pids = formatted.read_text(encoding="utf-8").split()
    assert len(pids) == NOTES  # each once
    assert pids.count(str(os.getpid())) == 1  # the first, here: it warms citeproc-py


@pytest.mark.parametrize(
    ("start", "end", "size", "workers"), [(0, 1000, 32, 2), (32, 1473, 32, 2), (0, 70, 3, 8)]
)
def test_the_last_slices_are_smaller_so_the_workers_finish_together(
    start: int, end: int, size: int, workers: int
) -> None:
    bounds = slicing.bounds(start, end, size, workers)
    assert [i for a, b in bounds for i in range(a, b)] == list(range(start, end))  # each once
    sizes = [b - a for a, b in bounds]
    assert max(sizes) <= size
    tail = sizes[-2 * workers * 4 :]  # the last two rounds of slices, in quarters
    assert max(tail) <= max(1, size // 4) < size or size < 4


@pytest.mark.parametrize(
    ("start", "end", "size", "workers"), [(0, 1000, 32, 2), (32, 1473, 32, 2), (0, 70, 3, 8)]
)
def test_slices_of_weight_one_are_slices_of_items(
    start: int, end: int, size: int, workers: int
) -> None:
    ones = [1] * end
    assert slicing.bounds(start, end, size, workers, ones) == slicing.bounds(
        start, end, size, workers
    )


@pytest.mark.parametrize(("start", "size", "workers"), [(0, 32, 2), (8, 32, 2), (0, 3, 8)])
def test_a_slice_holds_a_size_of_weight(start: int, size: int, workers: int) -> None:
    # Light items (1) then heavy ones (8), then light again: slices of ~size weight each.
    weights = [1] * 500 + [8] * 100 + [1] * 30 + [40] + [1] * 20
    bounds = slicing.bounds(start, len(weights), size, workers, weights)
    assert [i for a, b in bounds for i in range(a, b)] == list(range(start, len(weights)))
    held = [sum(weights[a:b]) for a, b in bounds]
    assert all(h <= size or b - a == 1 for h, (a, b) in zip(held, bounds, strict=True))
    assert max(b - a for a, b in bounds) == size  # a slice of light items: size of them
    if size >= 8:
        heavy = [b - a for a, b in bounds if a >= 500 and b <= 600]
        assert max(heavy) == size // 8  # of heavy ones: an eighth as many
    # The last two rounds' weight in quarters: each of those slices weighs a quarter or less
    # (or is one item).
    tail = min(
        i for i in range(start, len(weights) + 1) if sum(weights[i:]) <= 4 * workers * size // 2
    )
    ends = [(h, b - a) for h, (a, b) in zip(held, bounds, strict=True) if a >= tail]
    assert ends and all(h <= max(1, size // 4) or n == 1 for h, n in ends)
    assert all(b <= tail or a >= tail for a, b in bounds)  # none across it


def test_a_cold_build_renders_its_pages_without_what_made_the_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What handed the references out holds every note's CSL item, and held the references
    # made: the page workers would inherit all of it, and the parent keep it to the end.
    import gc

    from papernotes import plan
    from papernotes.incremental.reuse import Later

    lib = _big_library(tmp_path / "lib")
    alive: list[int] = []
    real_run = plan.run_jobs

    def run_jobs(*args: Any) -> Any:
        alive.append(sum(type(o) is Later for o in gc.get_objects()))
        return real_run(*args)

    monkeypatch.setattr(plan, "run_jobs", run_jobs)
    made: list[int] = []
    real_init = Later.__init__

    def init(self: Any, *args: Any) -> None:
        made.append(1)
        real_init(self, *args)

    monkeypatch.setattr(Later, "__init__", init)
    config, _ = load_config(lib)
    report = build(lib, config, out=tmp_path / "site", use_cache=False, workers=1)
    assert report.errors == 0
    assert made == [1] and alive == [0]


def test_ahead_workers_live_as_long_as_the_caller_says(monkeypatch: pytest.MonkeyPatch) -> None:
    # The references are formatted each from its own item: a long life spares forks of the
    # big parent (at 50,000 notes, ~1 GiB) without copying more of it.
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 40)
    items = list(range(400))
    short = set(Ahead(lambda _: os.getpid(), items, 2))
    long = set(Ahead(lambda _: os.getpid(), items, 2, life=4 * len(items)))
    assert os.getpid() not in short | long
    assert 1 <= len(long) <= 2  # no worker replaced (one may take every slice, under load)
    assert len(short) >= len(items) // 40


def test_reuse_ahead_passes_a_life_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from papernotes.incremental import reuse as reuse_module

    lives: list[int | None] = []
    real_init = Ahead.__init__

    def init(self: Ahead[Any], fn: Any, items: Any, workers: int, **kw: Any) -> None:
        lives.append(kw.get("life"))
        real_init(self, fn, items, workers, **kw)

    monkeypatch.setattr(reuse_module.Ahead, "__init__", init)
    wanted = {f"k{i:03}": (f"f{i}", i) for i in range(100)}
    assert reuse_ahead(wanted, {}, lambda x: x + 1, workers=2, life=500)()["k005"] == ("f5", 6)
    assert reuse_ahead(wanted, {}, lambda x: x + 1, workers=2)()["k005"] == ("f5", 6)
    assert lives == [500, None]


def test_workers_forked_while_the_collector_is_paused_collect_their_own_garbage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Stage 4 pauses the parent's collector (``cache.collector_paused``); its page workers
    # made ~75 cyclic objects a page (Jinja's), which a worker without one kept to its end.
    import gc
    import weakref

    def cycle_collected(_: int) -> tuple[int, bool]:
        node = _Node()
        node.me = node  # a cycle, unreachable once dropped
        ref = weakref.ref(node)
        del node
        for _ in range(3):  # young collections come with allocations, as in a page job
            [[] for _ in range(10_000)]
        return os.getpid(), ref() is None

    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # cheap items: forked all the same
    gc.disable()
    try:
        seen = parallel.parallel_map(cycle_collected, list(range(PARALLEL_FROM * 2)), 2)
    finally:
        gc.enable()
    in_workers = [gone for pid, gone in seen if pid != os.getpid()]
    assert in_workers
    assert all(in_workers)


class _Node:
    me: object = None


@pytest.mark.parametrize(("workers", "during"), [(2, True), (1, False)])
def test_references_made_here_are_made_while_the_workers_render_the_bodies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, during: bool
) -> None:
    # References written without citeproc-py are made in the building process: with a pool
    # of workers rendering the bodies, in the time it waits for them; else after them.
    from benchmarks.generate import generate
    from papernotes import fingerprints

    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    generate(80, tmp_path)  # built-in styles, references each written plain
    steps: list[str] = []
    real_render, real_reuse = bodies.render_packed, fingerprints.reuse

    def render_logged(*args: Any, **kw: Any) -> Any:
        steps.append("bodies start")
        made = real_render(*args, **kw)
        steps.append("bodies done")
        return made

    def reuse_logged(*args: Any, **kw: Any) -> Any:
        steps.append(f"references over {kw['workers']}")
        return real_reuse(*args, **kw)

    monkeypatch.setattr(bodies, "render_packed", render_logged)
    monkeypatch.setattr(fingerprints, "reuse", reuse_logged)
    config, _ = load_config(tmp_path)
    report = build(tmp_path, config, out=tmp_path / "site", use_cache=False, workers=workers)
    assert report.errors == 0
    made = ["bodies start", "references over 1", "bodies done"]
    assert steps == (made if during else [*made[::2], made[1]])


def test_a_save_forks_its_workers_a_bounded_number_of_times() -> None:
    from papernotes.incremental.slicing import SAVE_FORKS, SAVE_LIFE, save_life

    # Up to SAVE_FORKS lives of SAVE_LIFE buckets: the life a small library's save had.
    for buckets in (1, 64, 512, SAVE_LIFE * SAVE_FORKS):
        assert save_life(buckets) == SAVE_LIFE
    # Beyond, the lives grow so that the forks do not: 50,000 notes write 4,096 buckets.
    assert save_life(4_096) == 256
    for buckets in (2_048, 4_096, 8_192, 65_536):
        life = save_life(buckets)
        assert life >= SAVE_LIFE and -(-buckets // life) <= SAVE_FORKS

"""A job names every file it makes; the jobs run over forked workers, those that read the whole
library in this process, and are taken in job order."""

from __future__ import annotations

import os
from functools import partial

import pytest

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.incremental import parallel
from papernotes.render import Output
from papernotes.sitejobs import (
    HEAVY,
    HERE_WINDOW,
    LIFE_FROM,
    LIFE_MIN,
    Job,
    page_life,
    run_jobs,
)


def test_a_job_makes_its_path_unless_it_names_its_outputs() -> None:
    def run() -> Output:
        return Output(())

    assert Job("index.html", "fp", run).paths == ("index.html",)
    both = Job("robots.txt", "fp", run, ("robots.txt", "sitemap.xml"))
    assert both.paths == ("robots.txt", "sitemap.xml")


class _Pids:
    """A sink whose jobs make nothing: each says which process ran it; taken in order."""

    def __init__(self) -> None:
        self.taken: list[tuple[str, int]] = []

    def made(self, job: Job) -> tuple[str, int]:
        return job.path, os.getpid()

    def take(self, made: tuple[str, int]) -> tuple[Diagnostic, ...]:
        self.taken.append(made)
        return (Diagnostic(Severity.WARNING, Location(made[0]), made[0]),)


def _jobs(count: int, here: set[int]) -> list[Job]:
    return [Job(f"p{i}.html", "fp", lambda: Output(()), here=i in here) for i in range(count)]


@pytest.mark.parametrize("workers", [1, 2])
def test_whole_library_jobs_run_here_and_every_job_is_taken_in_order(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # Jobs that read every note (library.bib, library-data.js) run in this process: in a
    # worker, reading the whole library copied most of the memory it inherited.
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # these jobs cost nothing
    here = {0, 70, 197, 198, 199}
    sink = _Pids()
    problems = run_jobs(sink, _jobs(200, here), workers, None)
    assert [path for path, _ in sink.taken] == [f"p{i}.html" for i in range(200)]
    assert [d.message for d in problems] == [f"p{i}.html" for i in range(200)]
    ran_here = {i for i, (_, pid) in enumerate(sink.taken) if pid == os.getpid()}
    assert here <= ran_here
    if workers == 2:  # the others: the parent's first slice, then the workers
        assert ran_here - here == set(range(1, parallel.FIRST_SLICE + 1))


def test_jobs_run_here_only_once_the_workers_are_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a job here makes and lets go is never in a worker's inherited memory.
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    order: list[str] = []
    # Called before each fork, and after each job here.
    monkeypatch.setattr(parallel, "give_back_free_memory", lambda: order.append("trim"))

    class Sink(_Pids):
        def made(self, job: Job) -> tuple[str, int]:
            if job.here:
                order.append(job.path)
            return super().made(job)

    run_jobs(Sink(), _jobs(100, {50, 99}), 2, None)
    assert order == ["trim", "p50.html", "trim", "p99.html", "trim"]


@pytest.mark.parametrize(("count", "here"), [(3, {0, 1, 2}), (80, {0, 1, 79}), (70, {3, 5})])
def test_a_job_here_is_made_once_whether_its_turn_comes_first_or_not(
    monkeypatch: pytest.MonkeyPatch, count: int, here: set[int]
) -> None:
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)

    class Once(_Pids):
        def made(self, job: Job) -> tuple[str, int]:
            assert job.path not in made, "made twice"  # a site file staged twice fails
            made.append(job.path)
            return super().made(job)

    made: list[str] = []
    sink = Once()
    run_jobs(sink, _jobs(count, here), 2, None)
    assert [path for path, _ in sink.taken] == [f"p{i}.html" for i in range(count)]
    assert sorted(f"p{i}.html" for i in here) == sorted(p for p in made if int(p[1:-5]) in here)


def test_a_page_worker_lives_shorter_as_the_site_grows_down_to_a_floor() -> None:
    # A worker's copy of the parent's memory grows with its pages: the pages a life shrink
    # with the jobs; but each fork costs in proportion to the parent's size, so never below
    # LIFE_MIN pages (at 50,000 notes, lives of one slice were ~2,000 forks, of 64 ~1,000).
    full = parallel.ITEMS_PER_WORKER
    assert page_life(1) == page_life(1_500) == page_life(LIFE_FROM) == full
    assert page_life(2 * LIFE_FROM) == full // 2
    assert page_life(5_000) == 168
    assert page_life(6_700) == LIFE_MIN == 128  # 5,000 notes (126 without the floor)
    assert page_life(13_091) == LIFE_MIN  # 10,000 notes
    assert page_life(26_000) == page_life(65_000) == page_life(10**7) == LIFE_MIN


def test_forks_for_the_pages_of_a_big_site_grow_with_its_jobs_not_faster() -> None:
    # The pages' forks: jobs / life. With the floor, 50,000 notes fork 2.5 times as often
    # as 20,000, not 6 times (lives of one slice, 32 pages), and half as often as with a
    # floor of 64 pages.
    def forks(jobs: int) -> int:
        return -(-jobs // page_life(jobs))

    assert forks(26_000) == 204  # 20,000 notes: was 813, then 407
    assert forks(65_000) == 508  # 50,000 notes: was 2,032, then 1,016
    assert forks(65_000) / forks(26_000) == pytest.approx(65_000 / 26_000, rel=0.01)


def test_the_pages_go_to_workers_with_the_life_the_site_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lives: list[int | None] = []
    weighed: list[object] = []
    real = parallel.parallel_iter

    def parallel_iter(
        *args: object, life: int | None = None, weights: object = None, **kw: object
    ) -> object:
        lives.append(life)
        weighed.append(weights)
        return real(*args, life=life, weights=weights, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "parallel_iter", parallel_iter)
    monkeypatch.setattr("papernotes.sitejobs.LIFE_FROM", 10)
    jobs = _jobs(40, {3})
    jobs[5] = jobs[5]._replace(light=True)
    run_jobs(_Pids(), jobs, 1, None)
    # A life of page_life(39) jobs, counted in light jobs: HEAVY each but for the light one.
    assert lives == [page_life(39) * HEAVY] and page_life(39) < parallel.ITEMS_PER_WORKER
    assert weighed == [[HEAVY] * 4 + [1] + [HEAVY] * 34]


def test_a_page_worker_lives_longer_on_light_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker that renders paper pages copies a tenth of the parent's memory a listing's
    # worker does per job: it is replaced after HEAVY times as many.
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    monkeypatch.setattr("papernotes.sitejobs.LIFE_FROM", 1)
    monkeypatch.setattr("papernotes.sitejobs.LIFE_MIN", 4)  # 4 heavy jobs a life, 32 light
    light, heavy = 400, 100
    jobs = [j._replace(light=i < light) for i, j in enumerate(_jobs(light + heavy, set()))]
    sink = _Pids()
    run_jobs(sink, jobs, 2, None)
    assert [path for path, _ in sink.taken] == [job.path for job in jobs]
    pids = [pid for _, pid in sink.taken]
    weight = {pid: 0 for pid in set(pids) - {os.getpid()}}
    light_ran, heavy_ran = dict.fromkeys(weight, 0), dict.fromkeys(weight, 0)
    for job, pid in zip(jobs, pids, strict=True):
        if pid != os.getpid():
            weight[pid] += 1 if job.light else HEAVY
            (light_ran if job.light else heavy_ran)[pid] += 1
    assert max(weight.values()) <= 4 * HEAVY  # each worker's life: a slice of that weight
    assert max(light_ran.values()) == 4 * HEAVY  # 32 light jobs
    assert max(heavy_ran.values()) == 4  # or 4 heavy ones
    assert len(weight) < (light + heavy * HEAVY) // (4 * HEAVY) + 2 * 2 * 4


@pytest.mark.parametrize(("here", "window"), [({3}, HERE_WINDOW), (set(), None)])
def test_with_jobs_here_the_workers_are_handed_a_longer_window(
    monkeypatch: pytest.MonkeyPatch, here: set[int], window: int | None
) -> None:
    # A job made here (the site's .bib files) takes longer than a few slices of pages: the
    # workers go on with the slices handed out meanwhile instead of waiting for the parent.
    windows: list[int] = []
    real = parallel.parallel_iter

    def parallel_iter(*args: object, window: int = 0, **kw: object) -> object:
        windows.append(window)
        return real(*args, window=window, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "parallel_iter", parallel_iter)
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    sink = _Pids()
    run_jobs(sink, _jobs(200, here), 2, None)
    assert windows == [window or parallel.WINDOW_PER_WORKER]
    assert HERE_WINDOW > parallel.WINDOW_PER_WORKER
    assert [path for path, _ in sink.taken] == [f"p{i}.html" for i in range(200)]


def test_a_late_job_is_made_at_its_turn_after_the_entries_before_it_were_received(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The site's .bib files join the entries the paper pages' workers send back: made here,
    # but only once every job before them was taken, not early while the workers render.
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    received: list[str] = []
    order: list[str] = []

    def page(i: int) -> Output:
        return Output((), (), ((f"k{i}", ("bib", "biblatex")),))

    def late() -> Output:
        order.append(f"late after {len(received)} entries")
        return Output()

    jobs = [Job(f"p{i}.html", "fp", partial(page, i)) for i in range(150)]
    jobs.append(Job("library.bib", "fp", late, here=True, late=True))
    jobs.append(Job("tail.html", "fp", Output))

    class Sink:
        def made(self, job: Job) -> Output:
            return job.run()

        def take(self, made: Output) -> tuple[Diagnostic, ...]:
            return ()

    def receive(sent: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        received.extend(key for key, _ in sent)

    run_jobs(Sink(), jobs, 2, None, receive)
    assert order == ["late after 150 entries"]
    assert received == [f"k{i}" for i in range(150)]  # in job order, from every worker

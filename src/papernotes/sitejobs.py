"""What stage 4 (``plan``) makes: the jobs that make the site's files, and the rendered site with
what the next build may reuse."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from papernotes.bib.entrytexts import EntryTexts, Sent
    from papernotes.bib.styles import Reference
    from papernotes.errors import Diagnostic
    from papernotes.incremental.indexrows import IndexRows
    from papernotes.incremental.searchstate import DocEntry, SearchState
    from papernotes.incremental.summary import PlanSummary
    from papernotes.markdown._types import RenderedBody
    from papernotes.render import Output
    from papernotes.search import index as search
    from papernotes.search.index import SearchIndex
    from papernotes.write import Copy, Page

__all__ = [
    "HEAVY",
    "HERE_WINDOW",
    "LIFE_FROM",
    "LIFE_MIN",
    "Collected",
    "Job",
    "Progress",
    "RenderedSite",
    "Sink",
    "SitePlan",
    "page_life",
    "run_jobs",
]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` during long builds."""


class Job(NamedTuple):
    """Something that makes output files."""

    path: str
    """The main file it makes."""
    fingerprint: str
    """Digest of everything the output shows."""
    run: Callable[[], Output]
    """Make the files (a template error gives no page, and a diagnostic)."""
    outputs: tuple[str, ...] = ()
    """Every file the job makes, when more than ``path``."""
    here: bool = False
    """Run in the building process, never a forked worker (:func:`run_jobs`): the job reads
    every note, so a worker would copy most of the parent's memory it inherited."""
    late: bool = False
    """A job :attr:`here` made at its turn, once every job before it was taken, not while the
    workers render (:func:`run_jobs`): it joins what they sent back (the site's .bib files,
    of the entries the paper pages made)."""
    light: bool = False
    """The job copies little of the parent's memory in a worker (a paper page, a file made
    beforehand): toward a page worker's life it counts 1, another job :data:`HEAVY`
    (:func:`run_jobs`)."""

    @property
    def paths(self) -> tuple[str, ...]:
        return self.outputs or (self.path,)


class Sink(Protocol):
    """Where ``render_site`` sends the files each job makes: :meth:`made` runs where the job
    runs (a worker process, or here), :meth:`take` here, in job order, with what it returned
    (``sitewriter.SiteWriter`` stages the files in the worker and takes their hashes here)."""

    def made(self, job: Job) -> Any:
        """Run ``job``; what goes back to :meth:`take` (sent from a worker as a value)."""
        ...

    def take(self, made: Any) -> tuple[Diagnostic, ...]:
        """Take what :meth:`made` returned; the job's problems. What :meth:`made` returns has
        the ``entries`` its job's page made in a worker (``render.Output.entries``)."""
        ...


class Collected:
    """A :class:`Sink` that keeps the pages in memory, in job order (a caller without one)."""

    def __init__(self) -> None:
        self.pages: list[Page] = []

    def made(self, job: Job) -> Output:
        return job.run()

    def take(self, made: Output) -> tuple[Diagnostic, ...]:
        self.pages.extend(made.pages)
        return made.diagnostics


LIFE_FROM = 3_300
"""Jobs up to which a page worker keeps ``parallel.ITEMS_PER_WORKER``'s life (:func:`page_life`)."""

LIFE_MIN = 128
"""The fewest jobs a page worker runs before a new fork takes its place (:func:`page_life`)."""

HEAVY = 8
"""How many :attr:`Job.light` jobs a job that is not light counts for in a page worker's life.

What a worker copies of the parent's memory depends on what its jobs read. A child forked
from a 50,000-note build's parent (865 MiB) and given 128 jobs of one kind copied 38 MiB
with paper pages (~0.15 MiB a page past the first: its note, the rows of the notes around
it), 163 MiB with author pages, 173 with year pages and 250 with tag pages (each lists up to
200 notes, spread over the parent's heap), and 2.3 MiB with search and preview shards
(their text made beforehand). Lives counted in jobs alike were set by the listings: at
50,000 notes ~390 forks for the paper pages alone, each ~60 ms of CPU (the parent's page
tables copied, the worker's torn down, what it warms copied again)."""


HERE_WINDOW = 128
"""Slices handed out per page worker beyond the one taken when jobs run here too
(:func:`run_jobs`): while the parent makes one, it takes no result and hands out no slice,
so the workers must have enough to do meanwhile. At 1,000 notes the site's .bib files took
0.15 s of CPU against 0.05 s a slice; at 50,000 the jobs here took 20 s (library.bib 6 s,
the home page and its data 7 s) against ~0.15 s a slice, and with 8 slices ahead both
workers sat idle for most of it, each holding as its own the pages the parent's jobs copied
(a worker of 405 MiB, ``benchmarks/memstages.py``). What a worker sends back
(``sitewriter``: its files' hashes) is a few bytes a page."""


def page_life(jobs: int) -> int:
    """About how many of ``jobs`` a page worker runs before a new fork takes its place: fewer
    as the site grows, down to :data:`LIFE_MIN` (jobs that are not :attr:`Job.light`; of
    light ones, :data:`HEAVY` times as many).

    What a worker copies of the parent's memory (reference counts on the notes each page
    lists, allocations into the parent's freed memory) comes mostly with its first pages and
    then slows, whatever the site's size: at 20,000 notes 18 MiB after 32 pages, 34 after 64,
    51–58 after 128, 72–79 after 256 (its private memory; 20 MiB after 32 at 5,000). A short
    life keeps the tree's peak down (at 10,000 notes, 64 pages instead of 256 took it from 431
    to 399 MiB), but each fork costs CPU in proportion to the parent's memory: the parent
    copies its page tables, the worker tears them down when it ends (~0.1 s of CPU a fork of
    a 760 MiB process, under load). Lives of 32 pages at 20,000 notes were 824 forks; at
    50,000, ~2,000 forks of a ~1.3 GiB parent: by estimate a third of the build's CPU."""
    from papernotes.incremental import parallel

    full = parallel.ITEMS_PER_WORKER
    return max(LIFE_MIN, min(full, full * LIFE_FROM // max(jobs, 1)))


def run_jobs(
    to: Sink,
    todo: Sequence[Job],
    workers: int,
    progress: Callable[[int, int], None] | None,
    received: Callable[[Sent], None] | None = None,
) -> list[Diagnostic]:
    """Run ``todo`` over ``workers`` forked processes (``incremental.parallel``), each job's
    files to ``to``, taken in job order; their problems, in job order. The .bib entries each
    job's page made in a worker go to ``received`` as it is taken (``bib.entrytexts``).

    A job that reads every note (:attr:`Job.here`) runs in this process, once the workers
    are forked, one between each two results taken from them, however late it comes in
    ``todo``: in a worker, reading it all (reference counts, allocations into the parent's
    freed memory) copied most of the inherited heap. At 5,000 notes the site's library.bib
    alone grew its worker by 33 MiB, over 300 MiB at 50,000.
    """
    from collections import deque
    from itertools import chain, islice

    from papernotes.incremental import parallel

    here = [job for job in todo if job.here and not job.late]  # made while the workers render
    pooled = [job for job in todo if not job.here]
    forked = parallel.fans_out(len(pooled), workers)
    # A life of page_life's jobs that are not light, or HEAVY times as many light ones.
    weights = [1 if job.light else HEAVY for job in pooled]
    life = page_life(len(pooled)) * HEAVY
    window = HERE_WINDOW if here else parallel.WINDOW_PER_WORKER
    if forked and len(pooled) < len(todo):  # no import in this process while the pool may fork
        from papernotes.bib.site_files import import_ahead

        import_ahead()
    run = partial(
        parallel.parallel_iter, progress=progress, life=life, window=window, weights=weights
    )
    results = run(to.made, pooled, workers)
    # The parent's first slice, and one result from a worker: forked before a job runs here,
    # so what it makes and frees is never in a worker's inherited memory. Unforked, each job
    # runs at its turn, each page written before the next is made.
    first = list(islice(results, parallel.FIRST_SLICE + 1)) if here and forked else []
    stream, waiting = chain(first, results), deque(here if forked else ())
    made_here: dict[int, Any] = {}
    problems: list[Diagnostic] = []
    for job in todo:
        if id(job) in made_here:
            made = made_here.pop(id(job))
        elif job.here:  # its turn came before it was made ahead
            if waiting and waiting[0] is job:
                waiting.popleft()
            made = to.made(job)
        else:
            if waiting:  # one here while the workers render
                pending = waiting.popleft()
                made_here[id(pending)] = to.made(pending)
                parallel.give_back_free_memory()  # what it made and let go: a site file's worth
            made = next(stream)
        problems.extend(to.take(made))
        if received is not None and made.entries:
            received(made.entries)
    return problems


class SitePlan(NamedTuple):
    """The jobs and copies that make the site."""

    jobs: tuple[Job, ...]
    """Every job, in a fixed order."""
    copies: tuple[Copy, ...]
    """Files copied as they are."""
    search: SearchIndex | None = None
    """The search index the search files were made from."""
    index_rows: IndexRows | None = None
    """The site index as rows, for the next build (None: ``serve``'s, kept in memory)."""
    entries: EntryTexts | None = None
    """The build's .bib entries: what the paper pages' workers send back goes there."""


class RenderedSite(NamedTuple):
    """Stage 4's result: what to write, and what the next build may reuse."""

    pages: tuple[Page, ...]
    """The files rendered by this build (none when they went to ``render_site``'s sink)."""
    copies: tuple[Copy, ...]
    """Static files and the notes' local files, copied as they are."""
    unchanged: tuple[str, ...]
    """Files the last build wrote that would come out the same: left as they are."""
    rendered: int
    """Jobs run (the others were unchanged)."""
    bodies: Mapping[str, tuple[str, RenderedBody]]
    """Citekey → (body fingerprint, rendered body): the next build's ``BuildCache.bodies``."""
    terms: Mapping[str, tuple[str, search.DocTerms]]
    """Citekey → (search document digest, its terms): the next build's ``BuildCache.terms``."""
    refs: Mapping[str, tuple[str, tuple[Reference, ...]]]
    """Citekey → (CSL item and styles digest, its references): the next ``BuildCache.refs``."""
    fingerprints: dict[str, str]
    """Output path → fingerprint of every job: the next build's ``BuildCache.pages``."""
    docs: Mapping[str, tuple[str, DocEntry]]
    """Citekey → (body fingerprint, its search document and digest): ``BuildCache.docs``."""
    search: SearchState | None
    """The search index as built: the next build's ``BuildCache.search``."""
    summary: PlanSummary | None = None
    """What the fingerprints were made from: the next build's ``BuildCache.summary``."""

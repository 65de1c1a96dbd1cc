"""The paper pages' jobs kept from one save to the next (``serve``), so that a save makes the
jobs of the pages whose fingerprints moved, not one job, one URL and one closure per note;
and the jobs a build runs told from those it leaves, at C speed.

``plan.plan_site`` lists a job per paper page in the index's order. A save changes the
fingerprints of a few pages; :class:`PaperJobs` keeps each page's job under its key and
makes again those whose fingerprint is another (a new note's, or one gone), and the list of
jobs only when one of them or the order moved — a pass at C speed, no Python step per note.
A kept job renders with what the save that runs it holds (:attr:`PaperJobs.page`): its
fingerprint vouches that the page is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import compress, repeat
from operator import and_, attrgetter, eq, is_not, methodcaller, ne, not_
from typing import Generic, Protocol, TypeVar

from papernotes import urls
from papernotes.incremental.cache import digest
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.model import CiteKey, Library, Metadata, Note
from papernotes.render import Output

__all__ = [
    "FileJobs",
    "PaperJobs",
    "feed_notes",
    "file_jobs",
    "left_jobs",
    "paper_jobs",
    "robots_html",
    "split_jobs",
]

_GONE = object()


class _Job(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def outputs(self) -> tuple[str, ...]:
        """Every file it makes, when more than ``path`` (else empty)."""
        ...

    @property
    def paths(self) -> tuple[str, ...]: ...


_J = TypeVar("_J", bound=_Job)
_F = TypeVar("_F")
Make = Callable[[str, str, Callable[[], Output]], _J]
"""``Job(path, fingerprint, run)``."""


class PaperJobs(Generic[_J]):
    """Each paper page's job, kept while its fingerprint is the same."""

    def __init__(self, make: Make[_J]) -> None:
        self._make = make
        self._prints: Mapping[CiteKey, str] = {}
        self._jobs: dict[CiteKey, _J] = {}
        self._paths: dict[CiteKey, str] = {}
        self._keys: Sequence[CiteKey] = ()
        self._list: list[_J] = []
        self._at: dict[CiteKey, int] = {}
        """Each key's place in the list, made with the list: made on the first save that
        needed it, it was 30 ms of the first save's CPU at 50,000 notes (``serve``'s first
        build runs with nothing moved)."""
        self.html: tuple[str, ...] = ()
        """The pages' paths, in the jobs' order (the same tuple while they are)."""
        self.page: Callable[[CiteKey], Output] = _unset
        """This save's page maker: what every kept job runs."""
        self.made = 0
        """Jobs made since made (what a test counts)."""
        self.compared = 0
        """Fingerprints compared with the last ones since made (what a test counts)."""

    def __call__(
        self,
        keys: Sequence[CiteKey],
        prints: Mapping[CiteKey, str],
        page: Callable[[CiteKey], Output],
        memo: SaveMemo | None = None,
    ) -> list[_J]:
        """The jobs of the pages of ``keys`` (in that order) with ``prints``, each running
        ``page(key)``. With ``memo``, the pages fingerprinted again alone are compared when
        the fingerprints say so (``SaveMemo.moved``): the same notes, no pass over them."""
        self.page = page
        last = self._prints
        told = memo.moved("paper-prints", last, prints) if memo is not None else None
        if told is not None:
            moved = [k for k in told if prints[k] != last[k]]
        else:
            moved = list(
                compress(prints, map(ne, map(last.get, prints, repeat(_GONE)), prints.values()))
            )
        self.compared += len(prints) if told is None else len(told)
        for key in moved:
            path = self._paths.get(key) or self._paths.setdefault(key, urls.paper_page(key))
            self._jobs[key] = self._make(path, prints[key], partial(self._run, key))
        self.made += len(moved)
        for key in () if told is not None else last.keys() - prints.keys():  # notes gone
            self._jobs.pop(key, None)
            self._paths.pop(key, None)
        self._prints = prints
        order = keys is not self._keys and keys != self._keys
        if order:
            self.html, self._keys = tuple(map(self._paths.__getitem__, keys)), keys
            self._list = list(map(self._jobs.__getitem__, keys))
            self._at = {key: at for at, key in enumerate(keys)}
        elif moved:  # the same pages in the same order: the moved ones put in their places
            places = list(map(self._at.get, moved))
            if None in places:  # not a page listed: the list made again
                self._list = list(map(self._jobs.__getitem__, keys))
            for at, key in zip(places, moved, strict=True):
                if at is not None:
                    self._list[at] = self._jobs[key]
        return list(self._list)

    def _run(self, key: CiteKey) -> Output:
        return self.page(key)


def _unset(key: CiteKey) -> Output:
    raise RuntimeError(f"no page maker for {key}")


def paper_jobs(
    make: Make[_J],
    keys: Sequence[CiteKey],
    prints: Mapping[CiteKey, str],
    page: Callable[[CiteKey], Output],
    memo: SaveMemo | None,
) -> tuple[list[_J], tuple[str, ...] | None]:
    """The paper pages' jobs, and (with ``memo``) their paths in a tuple kept while they are
    the same; without ``memo`` (a build), made afresh and None."""
    if memo is None:
        return [make(urls.paper_page(k), prints[k], partial(page, k)) for k in keys], None
    kept: PaperJobs[_J] = memo.slot("paper-jobs", partial(PaperJobs, make))
    jobs = kept(keys, prints, page, memo)
    memo.count("paper-job", kept.made)
    kept.made = 0
    return jobs, kept.html


class FileJobs(Generic[_F, _J]):
    """The jobs of a list of files (``serve``): the last save's job of each file that is the
    very object it was (a preview or search shard its memo kept), made again for the others
    at C speed, not a job and a closure made per file of the site each save."""

    def __init__(self) -> None:
        self._files: list[_F] = []
        self._jobs: list[_J] = []
        self.made = 0
        """Jobs made since (what ``SaveMemo.count`` is told)."""

    def __call__(self, files: Iterable[_F], job_of: Callable[[_F], _J]) -> list[_J]:
        given, last = list(files), self._files
        if len(given) != len(last):
            self._jobs = list(map(job_of, given))
            self.made += len(given)
        else:
            moved = list(compress(range(len(given)), map(is_not, given, last)))
            for at in moved:
                self._jobs[at] = job_of(given[at])
            self.made += len(moved)
        self._files = given
        return self._jobs


def file_jobs(
    memo: SaveMemo | None, tag: str, files: Iterable[_F], job_of: Callable[[_F], _J]
) -> list[_J]:
    """``list(map(job_of, files))``; with ``memo``, the jobs of the files kept from the last
    save (:class:`FileJobs`), each made counted under ``tag``."""
    if memo is None:
        return list(map(job_of, files))
    kept: FileJobs[_F, _J] = memo.slot(tag, FileJobs)
    jobs = kept(files, job_of)
    memo.count(tag, kept.made)
    kept.made = 0
    return jobs


def robots_html(
    jobs: Sequence[_Job], papers: int, paper_html: tuple[str, ...] | None, memo: SaveMemo | None
) -> tuple[list[str], str]:
    """The sorted paths of the site's pages a sitemap lists (every ``.html`` but the 404
    page) from ``jobs``, and their fingerprint. The first ``papers`` jobs are the paper pages
    at ``paper_html`` (when given: those are not looked at again, and the list is kept while
    the others are equal)."""

    def listed(jobs: Sequence[_Job]) -> list[str]:
        # At C speed (a save lists thousands of jobs): each job's path, or its files.
        paths = list(map(_path, jobs))
        many = list(compress(range(len(jobs)), map(_outputs, jobs)))
        for at in reversed(many):  # a job of many files: its files instead, at the end
            del paths[at]
        for at in many:
            paths.extend(jobs[at].paths)
        html = list(filter(_is_html, paths))
        return [p for p in html if p != "404.html"] if "404.html" in html else html

    def made(html: list[str]) -> tuple[list[str], str]:
        return html, digest("robots", html)

    if paper_html is None or memo is None:
        return made(sorted(listed(jobs)))
    others = memo.slot("robots-others", _Others)(jobs[papers:], listed)

    def make() -> tuple[list[str], str]:
        return made(sorted((*(p for p in paper_html if p.endswith(".html")), *others)))

    return memo.same("robots-html", (paper_html, others), make)


class _Others:
    """The pages of the jobs after the paper pages' (``serve``), kept while those jobs are
    the very objects they were or make the same files: most are (the previews' and search
    shards' jobs are kept by ``FileJobs``), and a listing page's job is made again with the
    same path each save. Compared by address at C speed, the others one by one."""

    def __init__(self) -> None:
        self._jobs: Sequence[_Job] = ()
        self._pages: tuple[str, ...] = ()

    def __call__(
        self, jobs: Sequence[_Job], listed: Callable[[Sequence[_Job]], list[str]]
    ) -> tuple[str, ...]:
        last = self._jobs
        if len(jobs) != len(last) or any(
            jobs[at].path != last[at].path or jobs[at].outputs != last[at].outputs
            for at in compress(range(len(jobs)), map(is_not, jobs, last))
        ):
            self._pages = tuple(listed(jobs))
        self._jobs = jobs
        return self._pages


class _Planned(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def outputs(self) -> tuple[str, ...]: ...


_P = TypeVar("_P", bound=_Planned)
_path = attrgetter("path")
_fingerprint = attrgetter("fingerprint")
_outputs = attrgetter("outputs")
_is_html = methodcaller("endswith", ".html")


def split_jobs(
    jobs: Sequence[_P], pages: Mapping[str, str] | None, written: Mapping[str, str] | None
) -> tuple[list[_P], list[str], dict[str, str]]:
    """The jobs to run, the files of those left as they are, and every job's path → its
    fingerprint. A job is left when its fingerprint is ``pages``' (the last build's) and the
    output folder's manifest ``written`` knows each of its files (one it marks unknown, "",
    was being replaced when a build stopped). At C speed: no Python step per job."""
    paths = list(map(_path, jobs))
    prints = list(map(_fingerprint, jobs))
    if pages is None or written is None:
        return list(jobs), [], dict(zip(paths, prints, strict=True))
    same = list(map(eq, map(pages.get, paths), prints))
    left, unchanged = left_jobs(jobs, paths, same, map(bool, map(written.get, paths)), written)
    todo = list(compress(jobs, map(not_, left)))
    return todo, unchanged, dict(zip(paths, prints, strict=True))


def left_jobs(
    jobs: Sequence[_P],
    paths: list[str],
    same: list[bool],
    known: Iterable[bool],
    written: Mapping[str, str],
) -> tuple[list[bool], list[str]]:
    """Whether each job is left as it is, and the files of those: a job is left when its
    fingerprint is the ``same`` and its file is ``known`` to the manifest ``written`` (a job
    of many files, when ``written`` knows each of them). At C speed but for those few jobs."""
    left = list(map(and_, same, known))
    many = list(compress(range(len(jobs)), map(_outputs, jobs)))  # the few jobs of many files
    for at in many:  # left out of the paths below (not removed after: a pass over them each)
        left[at] = False
    unchanged = list(compress(paths, left))
    for at in many:
        outputs = jobs[at].outputs
        left[at] = same[at] and all(written.get(p) for p in outputs)
        unchanged.extend(outputs if left[at] else ())
    return left, unchanged


def feed_notes(
    library: Library, metas: tuple[Metadata, ...], memo: SaveMemo | None
) -> list[Note] | None:
    """The notes the feed lists, picked again only when a note's metadata moved (``metas``,
    every note's in library order: which notes it lists, newest first, is read from those
    alone); None without a memo (a build picks them once anyway). Their entries are made
    again from this save's notes: a body edit changes a summary, not which notes they are."""
    if memo is None:
        return None
    from papernotes.machine import feed_entries

    def pick() -> tuple[CiteKey, ...]:
        return tuple(n.key for n, _, _ in feed_entries(library, {}))

    return [library.notes[k] for k in memo.same("feed-keys", metas, pick)]

"""The paper pages' jobs serve keeps between saves: the jobs a build would make, each made
again only when its page's fingerprint moved, each running the page maker of the save."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from papernotes import urls
from papernotes.incremental import jobmemo
from papernotes.incremental.jobmemo import (
    PaperJobs,
    file_jobs,
    paper_jobs,
    robots_html,
    split_jobs,
)
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.model import CiteKey
from papernotes.render import Output
from papernotes.write import Page


@dataclass(frozen=True)
class _Job:
    path: str
    fingerprint: str
    run: Callable[[], Output]
    outputs: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return self.outputs or (self.path,)


def _page(tag: str) -> Callable[[CiteKey], Output]:
    return lambda key: Output((Page(urls.paper_page(key), f"{tag}:{key}".encode()),))


def _plain(keys: list[str], prints: dict[str, str]) -> list[tuple[str, str]]:
    return [(urls.paper_page(k), prints[k]) for k in keys]


def test_the_jobs_kept_are_the_jobs_made_and_a_save_makes_those_that_moved() -> None:
    jobs: PaperJobs[_Job] = PaperJobs(_Job)
    keys = [CiteKey(f"k{i}") for i in range(50)]
    prints = {k: f"fp-{k}" for k in keys}
    got = jobs(keys, prints, _page("one"))
    assert [(j.path, j.fingerprint) for j in got] == _plain(keys, prints)
    assert jobs.made == 50
    first = jobs.html
    jobs.made = 0
    prints = {**prints, keys[7]: "moved"}
    got = jobs(list(keys), prints, _page("two"))
    assert [(j.path, j.fingerprint) for j in got] == _plain(keys, prints)
    assert jobs.made == 1  # the page whose fingerprint moved, no other
    assert jobs.html is first  # the same pages
    assert got[3].run().pages[0].content == b"two:k3"  # a kept job renders with this save's maker
    # A note gone, one added, the order changed: the jobs follow.
    keys = [*reversed(keys[1:]), CiteKey("new")]
    prints = {k: prints.get(k, "fp-new") for k in keys}
    jobs.made = 0
    got = jobs(keys, prints, _page("three"))
    assert [(j.path, j.fingerprint) for j in got] == _plain(keys, prints)
    assert jobs.made == 1
    assert jobs.html == tuple(urls.paper_page(k) for k in keys)


def test_a_save_makes_the_jobs_of_the_pages_that_moved_and_the_sitemap_list_once() -> None:
    memo = SaveMemo()
    keys = [CiteKey(f"k{i}") for i in range(30)]
    prints = {k: f"fp-{k}" for k in keys}
    others = [_Job("tags/a.html", "x", Output), _Job("404.html", "y", Output)]
    jobs, html = paper_jobs(_Job, keys, prints, _page("one"), memo)
    listed, fp = robots_html([*jobs, *others], len(keys), html, memo)
    plain, plain_html = paper_jobs(_Job, keys, prints, _page("one"), None)
    assert plain_html is None
    assert (listed, fp) == robots_html([*plain, *others], len(keys), None, None)
    assert "404.html" not in listed and "tags/a.html" in listed
    memo.sweep()
    assert memo.made["paper-job"] == 30
    jobs, html = paper_jobs(_Job, keys, {**prints, keys[0]: "moved"}, _page("two"), memo)
    assert robots_html([*jobs, *others], len(keys), html, memo) == (listed, fp)
    memo.sweep()
    assert memo.made == {"paper-job": 1}  # no sitemap list made again


def test_the_pages_after_the_papers_are_listed_again_only_when_their_files_moved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A save's listing pages' jobs are new objects with the same paths: their pages are not
    listed again (no path looked at), and a page renamed is."""
    looked: list[str] = []
    real = jobmemo._is_html

    def counted(path: str) -> bool:
        looked.append(path)
        return bool(real(path))

    monkeypatch.setattr(jobmemo, "_is_html", counted)
    memo = SaveMemo()
    keys = [CiteKey(f"k{i}") for i in range(4)]
    jobs, html = paper_jobs(_Job, keys, {k: "fp" for k in keys}, _page("one"), memo)
    files = ("library.bib", "library.json")
    others = [_Job("tags/a.html", "x", Output), _Job("lib.bib", "z", Output, files)]
    first = robots_html([*jobs, *others], len(keys), html, memo)
    assert looked == ["tags/a.html", "library.bib", "library.json"]
    looked.clear()
    again = [_Job("tags/a.html", "moved", Output), others[1]]  # made again, the same file
    assert robots_html([*jobs, *again], len(keys), html, memo) == first
    assert looked == []
    renamed = [_Job("tags/b.html", "x", Output), others[1]]
    got = robots_html([*jobs, *renamed], len(keys), html, memo)
    assert got == robots_html([*jobs, *renamed], len(keys), None, None) != first
    assert "tags/b.html" in got[0] and "tags/a.html" not in got[0]


@dataclass(frozen=True)
class _Planned:
    path: str
    fingerprint: str
    outputs: tuple[str, ...] = ()


def _split_by_loop(
    jobs: list[_Planned], pages: dict[str, str], written: dict[str, str]
) -> tuple[list[_Planned], list[str]]:
    """The loop render_site ran before (a Python step per job)."""
    todo: list[_Planned] = []
    unchanged: list[str] = []
    for job in jobs:
        paths = job.outputs or (job.path,)
        if pages.get(job.path) == job.fingerprint and all(written.get(p) for p in paths):
            unchanged.extend(paths)
        else:
            todo.append(job)
    return todo, unchanged


def test_the_jobs_split_at_c_speed_as_the_loop_split_them() -> None:
    jobs = [
        _Planned("a.html", "1"),  # the same
        _Planned("b.html", "2"),  # another fingerprint
        _Planned("c.html", "3"),  # not in the manifest
        _Planned("d.html", "4"),  # marked unknown: was being replaced
        _Planned("e.json", "5", ("e.json", "e-1.json")),  # several files, all there
        _Planned("f.json", "6", ("f.json", "f-1.json")),  # one of its files missing
        _Planned("g.txt", "7", ("g.txt",)),  # the same, listed as its own output
        _Planned("h.html", "8"),  # new
    ]
    pages = {"a.html": "1", "b.html": "x", "c.html": "3", "d.html": "4", "e.json": "5"}
    pages |= {"f.json": "6", "g.txt": "7"}
    written = {"a.html": "h", "b.html": "h", "d.html": "", "e.json": "h", "e-1.json": "h"}
    written |= {"f.json": "h", "g.txt": "h"}
    todo, unchanged, prints = split_jobs(jobs, pages, written)
    want_todo, want_unchanged = _split_by_loop(jobs, pages, written)
    assert todo == want_todo and sorted(unchanged) == sorted(want_unchanged)
    assert [j.path for j in todo] == ["b.html", "c.html", "d.html", "f.json", "h.html"]
    assert prints == {j.path: j.fingerprint for j in jobs}
    assert split_jobs(jobs, None, written) == (jobs, [], prints)


def test_the_sitemap_lists_the_html_files_of_every_job_as_the_loop_did() -> None:
    """``robots_html`` lists the paths at C speed: each job's path, or each of its files."""
    jobs = [
        _Job("a.html", "1", Output),
        _Job("404.html", "2", Output),
        _Job("data.js", "3", Output, ("data.js", "data-1.js")),
        _Job("b.json", "4", Output, ("b.json", "b.html", "c.html")),
        _Job("tags/t.html", "5", Output),
        _Job("robots.txt", "6", Output, ("robots.txt", "sitemap.xml")),
    ]
    loop = sorted(p for j in jobs for p in j.paths if p.endswith(".html") and p != "404.html")
    listed, _ = robots_html(jobs, 0, None, None)
    assert listed == loop == ["a.html", "b.html", "c.html", "tags/t.html"]


def test_the_jobs_of_files_kept_from_the_last_save_are_kept() -> None:
    """A save's preview and search shards are mostly the very files of the last save: their
    jobs are kept, and one made for each other file alone (none made per file of the site)."""
    memo = SaveMemo()
    files = [("a.js", "1"), ("b.js", "2"), ("c.js", "3")]

    def job_of(file: tuple[str, str]) -> _Job:
        return _Job(file[0], file[1], Output)

    first = list(file_jobs(memo, "shard-jobs", files, job_of))
    assert first == [job_of(f) for f in files] and memo._made == {"shard-jobs": 3}
    memo.sweep()
    again = file_jobs(memo, "shard-jobs", list(files), job_of)
    assert all(map(operator.is_, again, first)) and memo._made == {}
    memo.sweep()
    moved = [files[0], ("b.js", "9"), files[2]]
    assert file_jobs(memo, "shard-jobs", moved, job_of) == [job_of(f) for f in moved]
    assert memo._made == {"shard-jobs": 1}
    memo.sweep()
    assert file_jobs(memo, "shard-jobs", files[:2], job_of) == [job_of(f) for f in files[:2]]
    assert memo._made == {"shard-jobs": 2}
    assert file_jobs(None, "shard-jobs", files, job_of) == first

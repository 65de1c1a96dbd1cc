"""Which jobs a save runs (``serve``): the last save's split of the site's jobs, patched at the
jobs whose fingerprints moved and those it ran, not every job's path looked up again.

``jobmemo.split_jobs`` looks each job's path up in the last fingerprints and in the output
folder's manifest, and makes the map of every path's fingerprint again: three passes of
look-ups over the site's paths (at 10,000 notes 13,000 paths a pass). A save lists the same
jobs in the same order (the paths compare equal, most of them the very strings), and while
the manifest is the one the last save's commit wrote (``OutputMemo.last``; the commit checks
that the files kept are on disk), each job the last save left is in it still: only the jobs
whose fingerprints moved and those the last save ran (which may have made no file) are
looked at. Otherwise it splits as a build does, and keeps what the next save needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, ne, not_
from typing import TYPE_CHECKING, TypeVar

from papernotes.incremental.jobmemo import left_jobs, split_jobs

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.sitejobs import Job

__all__ = ["served_split"]

_J = TypeVar("_J", bound="Job")
_path = attrgetter("path")
_fingerprint = attrgetter("fingerprint")


@dataclass(slots=True)
class _Split:
    paths: list[str] = field(default_factory=list)
    """The jobs' paths, in order."""
    prints: list[str] = field(default_factory=list)
    """Their fingerprints."""
    made: dict[str, str] | None = None
    """Each path's fingerprint, as given (the next save's ``pages``: the very map)."""
    ran: list[int] = field(default_factory=list)
    """The places of the jobs run."""


def served_split(
    jobs: Sequence[_J],
    pages: Mapping[str, str] | None,
    written: Mapping[str, str] | None,
    memo: SaveMemo,
) -> tuple[list[_J], list[str], dict[str, str]]:
    """``split_jobs(jobs, pages, written)``, from the last save's split when it can be."""
    from papernotes.sitewriter import output_memo  # what the last commit left

    last: _Split = memo.slot("split-jobs", _Split)
    paths, prints = list(map(_path, jobs)), list(map(_fingerprint, jobs))
    output = output_memo(memo)
    ours = written is not None and output is not None and output.last(written)
    made = last.made
    if not ours or made is None or pages is not made or len(made) != len(paths):
        return _kept(last, jobs, paths, prints, *split_jobs(jobs, pages, written))
    if paths != last.paths:  # most of them the very strings: no look-up
        return _kept(last, jobs, paths, prints, *split_jobs(jobs, pages, written))
    assert written is not None
    moved = list(compress(range(len(paths)), map(ne, prints, last.prints)))
    same, known = [True] * len(paths), [True] * len(paths)
    for at in moved:
        same[at] = False
    # A job run may have made no file (a template's error). At C speed: after the first
    # build, every job ran.
    for at in compress(last.ran, map(not_, map(written.get, map(paths.__getitem__, last.ran)))):
        known[at] = False
    left, unchanged = left_jobs(jobs, paths, same, known, written)
    ran = list(compress(range(len(paths)), map(not_, left)))
    made = dict(made)  # the last one is the last build's cache's, kept should this one fail
    for at in moved:
        made[paths[at]] = prints[at]
    last.paths, last.prints, last.made, last.ran = paths, prints, made, ran
    memo.count("split-moved", len(moved))
    return list(map(jobs.__getitem__, ran)), unchanged, made


def _kept(
    last: _Split,
    jobs: Sequence[_J],
    paths: list[str],
    prints: list[str],
    todo: list[_J],
    unchanged: list[str],
    made: dict[str, str],
) -> tuple[list[_J], list[str], dict[str, str]]:
    """A build's split, kept for the next save."""
    ran = {id(job) for job in todo}
    last.paths, last.prints, last.made = paths, prints, made
    last.ran = [at for at, job in enumerate(jobs) if id(job) in ran]
    return todo, unchanged, made

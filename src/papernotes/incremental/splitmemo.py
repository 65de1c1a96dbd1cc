"""Which jobs a save runs (``serve``): the last save's split of the site's jobs, patched at the
jobs whose fingerprints moved and those it ran, not every job's path looked up again.

``jobmemo.split_jobs`` looks each job's path up in the last fingerprints and in the output
folder's manifest, and makes the map of every path's fingerprint again: three passes of
look-ups over the site's paths (at 10,000 notes 13,000 paths a pass). A save lists the same
jobs in the same order, most of them the very objects (``jobmemo`` keeps a paper page's,
a preview's and a search shard's job while its fingerprint holds): those are told by address
alone, without a look at what they hold, and only the others are compared with the last
ones' paths and fingerprints. While the manifest is the one the last save's commit wrote
(``OutputMemo.last``; the commit checks that the files kept are on disk), each job the last
save left is in it still: only the jobs whose fingerprints moved and those the last save ran
(which may have made no file) are looked at. Otherwise it splits as a build does, and keeps
what the next save needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not, not_
from typing import TYPE_CHECKING, TypeVar

from papernotes.incremental.jobmemo import split_jobs

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.sitejobs import Job

__all__ = ["served_split"]

_J = TypeVar("_J", bound="Job")


@dataclass(slots=True)
class _Split:
    jobs: Sequence[Job] = ()
    """The jobs last given (a tuple: the very objects, in order)."""
    paths: list[str] = field(default_factory=list)
    """The jobs' paths, in order."""
    prints: list[str] = field(default_factory=list)
    """Their fingerprints."""
    made: dict[str, str] | None = None
    """Each path's fingerprint, as given (the next save's ``pages``: the very map)."""
    ran: list[int] = field(default_factory=list)
    """The places of the jobs run."""
    many: list[int] = field(default_factory=list)
    """The places of the jobs of many files (``Job.outputs``)."""


def served_split(
    jobs: Sequence[_J],
    pages: Mapping[str, str] | None,
    written: Mapping[str, str] | None,
    memo: SaveMemo,
) -> tuple[list[_J], list[str], dict[str, str]]:
    """``split_jobs(jobs, pages, written)``, from the last save's split when it can be."""
    from papernotes.sitewriter import output_memo  # what the last commit left

    last: _Split = memo.slot("split-jobs", _Split)
    output = output_memo(memo)
    ours = written is not None and output is not None and output.last(written)
    made = last.made
    n = len(jobs)
    if not ours or made is None or pages is not made or len(made) != n or len(last.jobs) != n:
        return _kept(last, jobs, *split_jobs(jobs, pages, written))
    # The jobs that are other objects than last time (most are the very ones: their paper
    # page's, preview's or shard's fingerprint held), compared by address alone.
    differ = list(compress(range(n), map(is_not, jobs, last.jobs)))
    paths, before = last.paths, last.prints
    if any(
        jobs[at].path != paths[at] or jobs[at].outputs != last.jobs[at].outputs for at in differ
    ):
        return _kept(last, jobs, *split_jobs(jobs, pages, written))
    assert written is not None
    prints = list(before)
    for at in differ:
        prints[at] = jobs[at].fingerprint
    moved = [at for at in differ if prints[at] != before[at]]
    # ``left_jobs``: a job is left when its fingerprint held and its file is known; a job
    # run may have made no file (a template's error). After the first build, every job ran.
    left = [True] * n
    for at in moved:
        left[at] = False
    for at in last.ran:
        if not written.get(paths[at]):
            left[at] = False
    many, same = last.many, dict.fromkeys(moved, False)
    for at in many:  # left out of the paths below, their files put after
        left[at] = False
    unchanged = list(compress(paths, left))
    for at in many:
        outputs = jobs[at].outputs
        left[at] = same.get(at, True) and all(written.get(p) for p in outputs)
        unchanged.extend(outputs if left[at] else ())
    ran = list(compress(range(n), map(not_, left)))
    made = dict(made)  # the last one is the last build's cache's, kept should this one fail
    for at in moved:
        made[paths[at]] = prints[at]
    last.jobs, last.prints, last.made, last.ran = tuple(jobs), prints, made, ran
    memo.count("split-moved", len(moved))
    return list(map(jobs.__getitem__, ran)), unchanged, made


def _kept(
    last: _Split,
    jobs: Sequence[_J],
    todo: list[_J],
    unchanged: list[str],
    made: dict[str, str],
) -> tuple[list[_J], list[str], dict[str, str]]:
    """A build's split, kept for the next save."""
    ran = {id(job) for job in todo}
    last.jobs, last.paths, last.prints, last.made = tuple(jobs), [*made], [*made.values()], made
    if len(made) != len(jobs):  # a path twice: not kept (the next save splits as a build)
        last.made = None
    last.ran = [at for at, job in enumerate(jobs) if id(job) in ran]
    last.many = [at for at, job in enumerate(jobs) if job.outputs]
    return todo, unchanged, made

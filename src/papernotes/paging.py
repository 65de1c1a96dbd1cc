"""Long listings split into pages: a tag's, an author's or a year's papers, the to-read queue,
and the authors index of a large library.

At 50,000 notes a tag listed 2,500 papers on one 1.4 MB page, a year 5,000, and the authors
index named 58,976 authors in 6.4 MB: a browser lays such a page out for seconds, and a build
renders it in one job. A listing of more than :data:`PAPERS_PER_PAGE` papers is cut into pages
of that many; its first page keeps the listing's path (every link to a tag still leads to it),
the others are ``<stem>/page-N.html`` beside it (``tags/peft/page-2.html``). A slug never holds
a ``/``, so no tag, author or year page can be named so. Every page of a listing links the
others (:class:`Pager`, the ``pager`` macro of ``_macros.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, TypeVar

__all__ = [
    "AUTHORS_ON_ONE_PAGE",
    "AUTHORS_PER_PAGE",
    "PAPERS_PER_PAGE",
    "Pager",
    "page_path",
    "paged",
]

PAPERS_PER_PAGE = 200
"""Papers on one page of a listing: a row weighs ~0.55 KB, so a page stays near 110 KB."""
AUTHORS_ON_ONE_PAGE = 2_000
"""Up to this many authors, the authors index is one page (~220 KB); above, it is a page per
initial (``authors/initial/s.html``), each cut into pages of :data:`AUTHORS_PER_PAGE`."""
AUTHORS_PER_PAGE = 1_000
"""Authors on one page of an initial's section of the authors index."""

_T = TypeVar("_T")


class Pager(NamedTuple):
    """Where one page of a listing stands among the others: what its navigation shows."""

    number: int
    """This page's number, from 1."""
    paths: tuple[str, ...]
    """Every page's site path, the first page's first."""
    first: int
    """The place (from 1) of this page's first item in the whole listing."""
    last: int
    """The place of its last item."""
    total: int
    """How many items the whole listing has."""

    @property
    def pages(self) -> int:
        """How many pages the listing has."""
        return len(self.paths)

    @property
    def links(self) -> tuple[tuple[int, str], ...]:
        """The pages the navigation names, as (number, path): the first, the last, and two
        either side of this one; a gap is ``(0, "")`` (shown as an ellipsis). Ten pages
        of a listing of 2,000 show eight links, not 2,000 / :data:`PAPERS_PER_PAGE`."""
        near = {1, self.pages, *range(self.number - 2, self.number + 3)}
        shown = sorted(n for n in near if 1 <= n <= self.pages)
        out: list[tuple[int, str]] = []
        for before, n in zip([0, *shown], shown, strict=False):
            if n - before > 1 and before:
                out.append((0, ""))
            out.append((n, self.paths[n - 1]))
        return tuple(out)


def page_path(first: str, number: int) -> str:
    """The path of page ``number`` of the listing whose first page is ``first``:
    ``tags/peft.html``, 3 → ``tags/peft/page-3.html``."""
    return first if number == 1 else f"{first.removesuffix('.html')}/page-{number}.html"


def paged(
    first: str, items: Sequence[_T], size: int | None = None
) -> list[tuple[str, Sequence[_T], Pager]]:
    """``items`` cut into pages of ``size`` (:data:`PAPERS_PER_PAGE`): each page's path, items
    and :class:`Pager`. An empty listing is one empty page (its first page is still linked)."""
    size = size or PAPERS_PER_PAGE
    count = max(1, -(-len(items) // size))
    paths = tuple(page_path(first, n) for n in range(1, count + 1))
    out = []
    for n, path in enumerate(paths, 1):
        part = items[(n - 1) * size : n * size]
        start = (n - 1) * size + 1
        out.append((path, part, Pager(n, paths, start, start + len(part) - 1, len(items))))
    return out

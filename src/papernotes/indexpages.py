"""The pages of the site index and their fingerprints: a page per tag, per author with a page
and per year (each in pages of :data:`paging.PAPERS_PER_PAGE`), the authors index (one page,
or a page per initial), and the fingerprints of the tags and years indexes.

Each is made from the ``SiteIndex``, the notes' metadata fingerprints and what every page shows
alone: with a ``memo`` (``serve``) they are kept while those are, a body save making none again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial

from papernotes.incremental.cache import digest
from papernotes.incremental.searchmemo import SaveMemo, same
from papernotes.model import CiteKey
from papernotes.paging import paged
from papernotes.siteindex import AUTHORS_INDEX, SiteIndex, authors_pages, initial_page
from papernotes.urls import year_page

__all__ = ["Listed", "index_listings"]

Listed = tuple[str, str, str, tuple[CiteKey, ...], dict[str, object]]
"""A page listing notes: (path, fingerprint, template, the notes' keys, its context)."""


def index_listings(
    index: SiteIndex,
    shown: tuple[str, str],
    listing: Callable[[Iterable[CiteKey]], str],
    metas: Mapping[CiteKey, str],
    memo: SaveMemo | None,
) -> tuple[dict[str, str], list[Listed]]:
    """The fingerprints of the tags, authors and years indexes (by template), and the pages
    listing a tag's, an author's and a year's notes. Each is made from the ``index``, the
    notes' metadata fingerprints (``metas``) and what every page shows (``shown``) alone:
    with a ``memo`` they are kept while those are (a body save), not one listing per tag and
    author and a pass over every author made again at each save."""
    of = (index, shown, tuple(metas.values()))
    return same(memo, "index-listings", of, partial(_index_listings, index, shown, listing))


def _index_listings(
    index: SiteIndex, shown: tuple[str, str], listing: Callable[[Iterable[CiteKey]], str]
) -> tuple[dict[str, str], list[Listed]]:
    # The indexes show names, links and counts (and the authors index the papers of an author
    # with two and no page): editing another note's title or body leaves them.
    counts = {
        "tags.html": [(t, index.tag_names[t], len(k)) for t, k in index.tag_notes.items()],
        "years.html": [*((y, len(k)) for y, k in index.year_notes.items()), len(index.undated)],
    }
    prints = {t: digest(t, *shown, c) for t, c in counts.items()}
    pages: list[Listed] = []
    # The authors index: each page shows its own authors' counts and entries, and the
    # initials (the first page of an index split by initial, their counts too).
    authors = authors_pages(index.author_groups)
    split = len(authors) > 1
    initials = tuple((g, initial_page(g), len(names)) for g, names in index.author_groups)
    for page in authors:
        named = [n for _, names in page.sections for n in names]
        entries = [index.author_notes[n] for n in named if index.entry_anchor(n)]
        # An initial's page shows the initials, not their counts: a new author elsewhere
        # leaves it.
        nav = initials if page.path == AUTHORS_INDEX else tuple(g for g, _, _ in initials)
        papers = [len(index.author_notes[n]) for n in named]
        fp = digest("authors.html", *shown, page, nav, papers, [listing(k) for k in entries])
        context: dict[str, object] = {"sections": page.sections, "initial": page.initial}
        context |= {"pager": page.pager, "split": split, "initials": initials}
        pages.append((page.path, fp, "authors.html", (), context))
    for tag, keys in index.tag_notes.items():
        name = index.tag_names[tag]
        shows: dict[str, object] = {"tag": name, "folded": tag}
        pages.extend(_paged("tag", index.tag_path(tag), "tag.html", keys, shows, listing))
    for author, keys in index.author_pages():
        path = index.author_path(author)
        pages.extend(_paged("author", path, "author.html", keys, {"author": author}, listing))
    for year, keys in index.year_notes.items():
        pages.extend(_paged("year", year_page(year), "year.html", keys, {"year": year}, listing))
    return prints, pages


def _paged(
    kind: str,
    first: str,
    template: str,
    keys: tuple[CiteKey, ...],
    context: dict[str, object],
    listing: Callable[[Iterable[CiteKey]], str],
) -> Iterable[Listed]:
    """The pages of one tag's, author's or year's listing, each fingerprinted by what it
    shows: its own notes, its place among the pages, and the whole listing's count."""
    for path, part, pager in paged(first, keys):
        fp = digest(kind, *context.values(), pager, listing(part))
        yield path, fp, template, tuple(part), context | {"pager": pager}

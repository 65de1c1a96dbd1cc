"""The site index (``siteindex.SiteIndex``) as the last build made it, kept in the cache's
summary for the next build.

The index shows only each note's key and front matter, in library order: an edit that changed
no front matter (a body edit) takes it as stored instead of sorting the library and folding and
slugging every tag and author again (0.4 s of CPU at 10,000 notes, a tenth of an edit build).
It is taken only where it was made from the same keys and front-matter digests, in the same
order (:attr:`IndexRows.inputs`). Like the rest of the cache it is untrusted input (decoded
against these types by ``incremental.codec``): rows that do not line up, that name a tag or an
author twice, or a note the library does not have, are not used, and the index is made again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, pairwise
from typing import TYPE_CHECKING, TypeVar

from papernotes.incremental.cache import digest
from papernotes.model import CiteKey
from papernotes.siteindex import SiteIndex

if TYPE_CHECKING:
    from papernotes.model import Library

__all__ = ["IndexRows", "site_index"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class IndexRows:
    """A :class:`SiteIndex`, a column per field and a place per tag, author or year (plain
    lists of strings decode and encode at C speed), with what it was made from."""

    inputs: str
    """Digest of every note's key and front matter's digest, in library order."""
    tags: tuple[str, ...]
    """Every folded tag, sorted (``tag_slugs`` and ``tag_notes`` in order)."""
    tag_slugs: tuple[str, ...]
    """Its slug."""
    tag_keys: tuple[int, ...]
    """Its notes (their places in library order), one tag's after the other's."""
    tag_ends: tuple[int, ...]
    """Where each tag's notes end."""
    named: tuple[str, ...]
    """Every folded tag in ``tag_names``' order (the first met first)."""
    names: tuple[str, ...]
    """The spelling it is shown in."""
    authors: tuple[str, ...]
    """Every author, A–Z (``author_notes`` in order)."""
    author_slugs: tuple[str, ...]
    """Their slug."""
    author_links: tuple[str, ...]
    """What a link to them leads to."""
    author_keys: tuple[int, ...]
    """Their notes (places), one author's after the other's."""
    author_ends: tuple[int, ...]
    """Where each author's notes end."""
    initials: tuple[str, ...]
    """The authors index's sections."""
    grouped: tuple[str, ...]
    """Their authors, one section's after the other's."""
    group_ends: tuple[int, ...]
    """Where each section's authors end."""
    years: tuple[int, ...]
    """Every year, newest first."""
    year_keys: tuple[int, ...]
    """Its notes (places), one year's after the other's."""
    year_ends: tuple[int, ...]
    """Where each year's notes end."""
    undated: tuple[int, ...]
    """``SiteIndex.undated`` (places)."""

    def index(self, notes: Mapping[CiteKey, object]) -> SiteIndex | None:
        """The index of the library whose notes are ``notes`` (in library order), or None when
        the rows do not fit together or place a note out of it (a crafted file may say
        anything)."""
        keys = tuple(notes)
        places = (self.tag_keys, self.author_keys, self.year_keys, self.undated)
        if not self._fits() or not all(_within(c, len(keys)) for c in places):
            return None
        at = keys.__getitem__
        tag_keys, author_keys = tuple(map(at, self.tag_keys)), tuple(map(at, self.author_keys))
        year_keys = tuple(map(at, self.year_keys))
        slugs = dict(zip(self.authors, self.author_slugs, strict=True))
        links = dict(zip(self.authors, self.author_links, strict=True))
        a_z = sorted(self.authors)  # ``assign_slugs`` and ``author_links``' order
        return SiteIndex(
            tag_slugs=dict(zip(self.tags, self.tag_slugs, strict=True)),
            tag_names=dict(zip(self.named, self.names, strict=True)),
            tag_notes=dict(zip(self.tags, _cut(tag_keys, self.tag_ends), strict=True)),
            author_slugs={name: slugs[name] for name in a_z},
            author_notes=dict(zip(self.authors, _cut(author_keys, self.author_ends), strict=True)),
            author_links={name: links[name] for name in a_z},
            author_groups=tuple(
                zip(self.initials, _cut(self.grouped, self.group_ends), strict=True)
            ),
            year_notes=dict(zip(self.years, _cut(year_keys, self.year_ends), strict=True)),
            undated=tuple(map(at, self.undated)),
        )

    def _fits(self) -> bool:
        tags, authors = self.tags, self.authors
        columns = (
            (tags, self.tag_slugs, self.tag_ends),
            (self.named, self.names),
            (authors, self.author_slugs, self.author_links, self.author_ends),
            (self.initials, self.group_ends),
            (self.years, self.year_ends),
        )
        return (
            all(len(c) == len(cs[0]) for cs in columns for c in cs)
            and _ends(self.tag_ends, len(self.tag_keys))
            and _ends(self.author_ends, len(self.author_keys))
            and _ends(self.group_ends, len(self.grouped))
            and _ends(self.year_ends, len(self.year_keys))
            and list(tags) == sorted(set(tags))
            and set(self.named) == set(tags)
            and len(set(self.named)) == len(tags)
            and len(set(authors)) == len(authors)
            and len(set(self.grouped)) == len(self.grouped)
            and set(self.grouped) == set(authors)
            and len(set(self.years)) == len(self.years)
        )


def _ends(ends: Sequence[int], size: int) -> bool:
    steps = pairwise((0, *ends))
    return all(0 <= a <= b for a, b in steps) and (ends[-1] if ends else 0) == size


def _within(places: tuple[int, ...], size: int) -> bool:
    return not places or (min(places) >= 0 and max(places) < size)


def _cut(flat: tuple[_T, ...], ends: Sequence[int]) -> list[tuple[_T, ...]]:
    return [flat[a:b] for a, b in pairwise((0, *ends))]


def _flat(groups: Iterable[Iterable[_T]]) -> tuple[tuple[_T, ...], tuple[int, ...]]:
    tuples = [tuple(g) for g in groups]
    return tuple(chain.from_iterable(tuples)), tuple(accumulate(map(len, tuples)))


def rows_of(index: SiteIndex, keys: Iterable[CiteKey], inputs: str) -> IndexRows:
    """``index`` as rows, made from ``inputs`` (see :attr:`IndexRows.inputs`) for a library
    whose notes are ``keys``, in order."""
    place = {k: i for i, k in enumerate(keys)}.__getitem__
    tags = tuple(index.tag_notes)
    authors = tuple(index.author_notes)
    tag_keys, tag_ends = _flat(map(place, ks) for ks in index.tag_notes.values())
    author_keys, author_ends = _flat(map(place, ks) for ks in index.author_notes.values())
    grouped, group_ends = _flat(names for _, names in index.author_groups)
    year_keys, year_ends = _flat(map(place, ks) for ks in index.year_notes.values())
    return IndexRows(
        inputs,
        tags,
        tuple(index.tag_slugs[t] for t in tags),
        tag_keys,
        tag_ends,
        tuple(index.tag_names),
        tuple(index.tag_names.values()),
        authors,
        tuple(index.author_slugs[a] for a in authors),
        tuple(index.author_links[a] for a in authors),
        author_keys,
        author_ends,
        tuple(g for g, _ in index.author_groups),
        grouped,
        group_ends,
        tuple(index.year_notes),
        year_keys,
        year_ends,
        tuple(map(place, index.undated)),
    )


def site_index(
    library: Library, metas: Mapping[CiteKey, str], last: IndexRows | None
) -> tuple[SiteIndex, IndexRows, bool]:
    """The library's index, its rows for the next build, and whether it was made (rather
    than taken from ``last``, the last build's rows); ``metas`` is each note's
    ``fingerprints.meta_digest``."""
    inputs = digest(tuple(library.notes), tuple(metas[k] for k in library.notes))
    if last is not None and last.inputs == inputs:
        index = last.index(library.notes)
        if index is not None:
            return index, last, False
    index = SiteIndex.of(library)
    return index, rows_of(index, library.notes, inputs), True

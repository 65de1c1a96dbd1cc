"""The site's index: where every tag, author and year lives, and which notes each lists; and
who gets an author page (:data:`AUTHOR_PAGE_MIN_PAPERS`).

The templates read it as ``index`` (and through ``tag_path`` and ``author_path``); ``plan``
fingerprints pages with it.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from papernotes import paging, urls
from papernotes.model import Author, CiteKey, Library, named
from papernotes.paging import Pager, paged

__all__ = [
    "AUTHORS_INDEX",
    "AUTHOR_PAGE_MIN_PAPERS",
    "AuthorsPage",
    "SiteIndex",
    "authors_pages",
    "initial_page",
]


AUTHOR_PAGE_MIN_PAPERS = 3
"""An author gets a page of their own from this many papers. A page listing one paper says no
more than the paper's own page, and a lab's bibliography is mostly such authors (6,314 notes made
13,000 author pages): every link to an author with one paper leads to that paper. A page of two
rows is mostly the site's chrome (at 1,000 notes, 217 such pages weighed 0.48 KB a note): an
author with two papers is an entry of the authors index that links both, and links to them
lead there. The authors index names everyone."""
AUTHORS_INDEX = "authors/index.html"


class SiteIndex(NamedTuple):
    """Where every tag, author and year lives, and which notes each lists."""

    tag_slugs: Mapping[str, str]
    """Folded tag → slug."""
    tag_names: Mapping[str, str]
    """Folded tag → the spelling shown (the first one met)."""
    tag_notes: Mapping[str, tuple[CiteKey, ...]]
    """Folded tag → its notes, newest first."""
    author_slugs: Mapping[str, str]
    """Author display name → slug, given to every author (with a page or not), so an author's
    slug does not change when another one's second paper gives them a page."""
    author_notes: Mapping[str, tuple[CiteKey, ...]]
    """Author display name → their notes, newest first; authors A–Z by family name."""
    author_links: Mapping[str, str]
    """Author display name → what a link to them leads to: their page, their entry in the
    authors index (``authors/index.html#a-slug``, or on the page of the index split by initial
    that names them: ``authors/initial/s.html#a-slug``), or their one paper."""
    author_groups: tuple[tuple[str, tuple[str, ...]], ...]
    """The authors index's sections: an initial ("A"…"Z", or "Other") and its authors."""
    year_notes: Mapping[int, tuple[CiteKey, ...]]
    """Year → its notes, newest year first; notes with no year are in :attr:`undated`."""
    undated: tuple[CiteKey, ...] = ()
    """Notes with no year, by title: listed after every dated note, with no year page."""

    @classmethod
    def of(cls, library: Library) -> SiteIndex:
        """Index a library's tags, authors and years; notes newest first, then by title."""
        order = sorted(
            library.notes.values(), key=lambda n: (n.meta.sort_year, n.meta.heading.casefold())
        )
        tags: dict[str, list[CiteKey]] = defaultdict(list)
        names: dict[str, str] = {}
        authors: dict[str, list[CiteKey]] = defaultdict(list)
        sort_keys: dict[str, tuple[str, str, str]] = {}
        years: dict[int, list[CiteKey]] = defaultdict(list)
        for note in order:
            meta, key = note.meta, note.key
            for tag in meta.tags:
                names.setdefault(tag.casefold(), tag)
                tags[tag.casefold()].append(key)
            # An editor's page lists the volumes they edited too.
            people = (*named(meta.authors), *named(meta.editors))
            shown = [p.display for p in people]  # a property: made once per name and note
            for person, name in zip(people, shown, strict=True):
                if name not in sort_keys:  # folded once per name, not once per paper
                    sort_keys[name] = _family_key(person)
            for author in dict.fromkeys(shown):
                authors[author].append(key)
            if meta.year is not None:
                years[meta.year].append(key)
        slugs = urls.assign_slugs(authors)
        a_z = sorted(authors, key=lambda name: sort_keys[name])
        groups: dict[str, list[str]] = defaultdict(list)
        for name in a_z:
            groups[_initial(sort_keys[name][0])].append(name)
        sections = tuple(
            (g, tuple(groups[g])) for g in sorted(groups, key=lambda g: (g == _OTHER, g))
        )
        # Which page of the authors index names each author (one page, or one of many).
        listed_on = {
            name: page.path
            for page in authors_pages(sections)
            for _, names in page.sections
            for name in names
        }
        return cls(
            tag_slugs=urls.assign_slugs(tags),
            tag_names=names,
            tag_notes={k: tuple(v) for k, v in sorted(tags.items())},
            author_slugs=slugs,
            author_notes={name: tuple(authors[name]) for name in a_z},
            author_links={
                name: _author_link(slugs[name], keys, listed_on[name])
                for name, keys in sorted(authors.items())
            },
            author_groups=sections,
            year_notes={k: tuple(v) for k, v in sorted(years.items(), reverse=True)},
            undated=tuple(n.key for n in order if n.meta.year is None),
        )

    def tag_path(self, tag: str) -> str:
        return urls.tag_page(self.tag_slugs[tag.casefold()])

    def links_digest(self) -> str:
        """A digest of where every tag and author link leads (what every page shows)."""
        from papernotes.incremental.cache import digest

        return digest(sorted(self.tag_slugs.items()), sorted(self.author_links.items()))

    def in_order(self) -> list[CiteKey]:
        """Every note's key in the site's order: by year, the undated last."""
        return [*(k for keys in self.year_notes.values() for k in keys), *self.undated]

    def author_path(self, author: Author | str) -> str:
        """Where a link to an author leads: their page, or their one paper's."""
        return self.author_links[author if isinstance(author, str) else author.display]

    def entry_anchor(self, author: str) -> str:
        """The id of an author's entry in the authors index when a link to them leads there
        (they have more than one paper and no page), else ``""``."""
        return self.author_links[author].partition("#")[2]

    def author_entries(self) -> Iterable[tuple[str, tuple[CiteKey, ...]]]:
        """The authors whose entry in the authors index lists their papers, and those."""
        return (
            (name, keys)
            for name, keys in self.author_notes.items()
            if 1 < len(keys) < AUTHOR_PAGE_MIN_PAPERS
        )

    def author_pages(self) -> Iterable[tuple[str, tuple[CiteKey, ...]]]:
        """The authors with a page of their own, and their notes."""
        return (
            (name, keys)
            for name, keys in self.author_notes.items()
            if len(keys) >= AUTHOR_PAGE_MIN_PAPERS
        )


_OTHER = "Other"


def _author_link(slug: str, keys: tuple[CiteKey, ...] | list[CiteKey], listed_on: str) -> str:
    if len(keys) >= AUTHOR_PAGE_MIN_PAPERS:
        return urls.author_page(slug)
    if len(keys) > 1:
        return f"{listed_on}#a-{slug}"
    return urls.paper_page(keys[0])


class AuthorsPage(NamedTuple):
    """One page of the authors index."""

    path: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    """The sections it lists: an initial and its authors (none on the first page of an index
    split by initial: that page names the initials)."""
    initial: str = ""
    """The initial whose authors it lists, on an index split by initial."""
    pager: Pager | None = None
    """Where it stands among its initial's pages."""


def initial_page(initial: str) -> str:
    """The first page of an initial's authors, on an index split by initial."""
    return f"authors/initial/{initial.lower()}.html"


def authors_pages(
    sections: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[AuthorsPage]:
    """The pages of the authors index: one, or past :data:`AUTHORS_ON_ONE_PAGE` authors the
    index of initials and each initial's authors in pages of :data:`AUTHORS_PER_PAGE`."""
    if sum(len(names) for _, names in sections) <= paging.AUTHORS_ON_ONE_PAGE:
        return [AuthorsPage(AUTHORS_INDEX, sections)]
    pages = [AuthorsPage(AUTHORS_INDEX, ())]
    for initial, names in sections:
        for path, part, pager in paged(initial_page(initial), names, paging.AUTHORS_PER_PAGE):
            pages.append(AuthorsPage(path, ((initial, tuple(part)),), initial, pager))
    return pages


def _fold(text: str) -> str:
    """``text`` compared as a reader alphabetises: case and accents ignored (Ł as L)."""
    if text.isascii():  # most names: NFKD leaves ASCII as it is, and none of it combines
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ł", "l")


def _family_key(author: Author) -> tuple[str, str, str]:
    # "van Dijk" files under D, as bibliographies do; the display name breaks ties.
    return (_fold(author.family), _fold(author.given), author.display)


def _initial(family: str) -> str:
    """The authors index section of a folded family name: its letter, or "Other"."""
    first = family[:1].upper()
    return first if "A" <= first <= "Z" else _OTHER

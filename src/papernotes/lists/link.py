"""Reading lists resolved against the library: each entry becomes a note's key (or a warning
naming the file and line), and each paper learns which lists and series it is in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from papernotes import urls
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.load import Source
from papernotes.model import CiteKey, Library

if TYPE_CHECKING:  # parse_list is imported by read_lists: a library with no list never needs it
    from papernotes.lists.parse import ReadingList

__all__ = [
    "LinkedList",
    "LinkedSection",
    "Memberships",
    "Placed",
    "SeriesPlace",
    "link_lists",
    "read_lists",
]


class Placed(NamedTuple):
    """One paper of a list, found in the library."""

    key: CiteKey
    """The note's key."""
    commentary: str
    """The reader's commentary on it in this list (Markdown)."""


class LinkedSection(NamedTuple):
    """A section whose entries are notes of the library."""

    title: str
    """The heading ("" for the unnamed first section)."""
    intro: str
    """Markdown under the heading."""
    entries: tuple[Placed, ...]
    """The papers found, in order."""


class LinkedList(NamedTuple):
    """A reading list whose papers are notes of the library."""

    source: str
    """The file, relative to the library root."""
    slug: str
    """The page is ``lists/<slug>.html``."""
    title: str
    """The list's title."""
    intro: str
    """Markdown above the sections."""
    series: bool
    """Whether the papers form a series (previous / next on each paper's page)."""
    sections: tuple[LinkedSection, ...]
    """The sections, in order (those left with no paper are kept for their text)."""

    @property
    def keys(self) -> tuple[CiteKey, ...]:
        """Every paper of the list, in order, once each."""
        return tuple(p.key for s in self.sections for p in s.entries)


class SeriesPlace(NamedTuple):
    """Where a paper stands in one series."""

    slug: str
    """The series' list page is ``lists/<slug>.html``."""
    title: str
    """The series' title."""
    position: int
    """1-based place of the paper in the series."""
    total: int
    """How many papers the series has."""
    previous: CiteKey | None
    """The paper before (None for the first)."""
    next: CiteKey | None
    """The paper after (None for the last)."""


def link_lists(
    lists: Sequence[ReadingList], library: Library
) -> tuple[tuple[LinkedList, ...], tuple[Diagnostic, ...]]:
    """Resolve every entry of ``lists`` (sorted by slug in the result); an entry that names no
    note, or a paper already in the same list, is a warning at its line and is left out."""
    diags: list[Diagnostic] = []
    out: list[LinkedList] = []
    guesses: dict[str, list[str]] = {}  # each unknown name's typo guess, looked for once
    slugs = urls.assign_slugs(r.stem for r in lists)
    for reading in sorted(lists, key=lambda r: slugs[r.stem]):
        seen: set[CiteKey] = set()
        sections: list[LinkedSection] = []
        for section in reading.sections:
            placed: list[Placed] = []
            for entry in section.entries:
                where = Location(reading.source, entry.line, entry.column)
                found = library.resolve(entry.target)
                if not isinstance(found, str):
                    diags.append(_unknown(entry.target, where, library.notes, guesses))
                    continue
                if found in seen:
                    message = f'"{entry.target}" is already in this list: listed once'
                    diags.append(Diagnostic(Severity.WARNING, where, message))
                    continue
                seen.add(found)
                placed.append(Placed(found, entry.commentary))
            sections.append(LinkedSection(section.title, section.intro, tuple(placed)))
        out.append(
            LinkedList(
                reading.source,
                slugs[reading.stem],
                reading.title,
                reading.intro,
                reading.series,
                tuple(sections),
            )
        )
    return tuple(out), tuple(diags)


def _unknown(
    target: str, where: Location, keys: Iterable[str], guesses: dict[str, list[str]]
) -> Diagnostic:
    from difflib import get_close_matches  # only for a mistake (~2 ms to import)

    close = guesses.get(target)
    if close is None:  # every key compared: 0.1 s at 50,000 notes
        close = guesses[target] = get_close_matches(target, list(keys), n=1, cutoff=0.7)
    hint = f"did you mean '{close[0]}'?" if close else "no note has this key, alias or title"
    return Diagnostic(Severity.WARNING, where, f'reading list names unknown paper "{target}"', hint)


def read_lists(
    library: Library, sources: Sequence[Source]
) -> tuple[Library, tuple[Diagnostic, ...]]:
    """The library with its reading lists (parsed from ``sources``, then linked), and every
    problem found in them; a list whose front matter cannot be read is left out."""
    parsed: list[ReadingList] = []
    diags: list[Diagnostic] = []
    for source in sources:
        from papernotes.lists.parse import parse_list

        reading, found = parse_list(source.path, source.text)
        diags.extend(found)
        if reading is not None:
            parsed.append(reading)
    linked, problems = link_lists(parsed, library)
    return replace(library, reading_lists=linked), (*diags, *problems)


class Memberships(NamedTuple):
    """Each paper's lists and series places, made once for every paper page (walking every
    list for each of 50,000 pages would not do)."""

    lists: Mapping[CiteKey, tuple[LinkedList, ...]]
    """Paper → the lists it is in, in slug order."""
    series: Mapping[CiteKey, tuple[SeriesPlace, ...]]
    """Paper → its place in each series it is in, in slug order."""

    @classmethod
    def of(cls, lists: Sequence[LinkedList]) -> Memberships:
        """The memberships of ``lists`` (as :func:`link_lists` gives them)."""
        found: dict[CiteKey, list[LinkedList]] = defaultdict(list)
        places: dict[CiteKey, list[SeriesPlace]] = defaultdict(list)
        for r in lists:
            keys = r.keys
            for i, key in enumerate(keys):
                found[key].append(r)
                if r.series:
                    before = keys[i - 1] if i > 0 else None
                    after = keys[i + 1] if i + 1 < len(keys) else None
                    places[key].append(
                        SeriesPlace(r.slug, r.title, i + 1, len(keys), before, after)
                    )
        return cls(
            {k: tuple(v) for k, v in found.items()}, {k: tuple(v) for k, v in places.items()}
        )

    def lists_of(self, key: CiteKey) -> tuple[LinkedList, ...]:
        """The lists a paper is in."""
        return self.lists.get(key, ())

    def series_of(self, key: CiteKey) -> tuple[SeriesPlace, ...]:
        """Where a paper stands in each series it is in."""
        return self.series.get(key, ())

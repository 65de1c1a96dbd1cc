"""A conference paper's references in the built-in styles, written as plain strings: the same
bytes citeproc-py writes, without it.

Formatting a reference through citeproc-py (even compiled, :mod:`~papernotes.bib.citeproc_plan`)
is a few hundred calls per style; for the commonest entry of a library (a conference paper with
its authors, title, venue and year) each built-in style writes a fixed pattern. Here only such
an entry is written, and only when every one of its texts is of a kind no style rule can touch
(no case change, quote, punctuation to merge, particle or escape applies): a name is one
capitalised Latin word and given names of capitalised words or initials, a title and a venue
are words, digits, spaces, colons and hyphens. Anything else (another type or field, a
language, a user style, another version of citeproc-py or of a packaged style) goes to
citeproc-py as before. ``tests/test_bib_plainrefs.py`` holds the patterns against citeproc-py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from html import unescape
from typing import Any

from papernotes.bib.stylefile import Style, _citeproc_version
from papernotes.blake import blake2b

__all__ = ["WRITERS", "plain_references", "writes"]

_LOWER = "a-z\u00e0-\u00f6\u00f8-\u00fe"  # Latin-1's lower-case letters, but ß and ÿ
_WORD = f"[A-Z][{_LOWER}]+"
_FAMILY = re.compile(_WORD)
_PART = f"(?:{_WORD}(?:-[A-Za-z][{_LOWER}]+)?|[A-Z]\\.)"  # "Min-jun", "J."
_GIVEN = re.compile(f"{_PART}(?: {_PART})*")
_TEXT = re.compile("[A-Za-z0-9]+(?:(?:: | |-)[A-Za-z0-9]+)*")
# APA writes a venue in title case: one whose every word starts with a capital or a digit.
_VENUE = re.compile("[A-Z0-9][A-Za-z0-9]*(?:(?:: | |-)[A-Z0-9][A-Za-z0-9]*)*")
_FIELDS = frozenset(("id", "type", "title", "author", "container-title", "issued"))
_MAX_AUTHORS = 6

CITEPROC = "0.11.1"
"""The citeproc-py whose output the writers match."""

PACKAGED = {
    "apa": "33aeb7dff0a139adc01b20b34bb1e18c",
    "ieee": "62805d976ac7a9a531ff9eefcd418d83",
    "gb7714": "eaef3975b692fe36474b67bbd83d6a36",
}
"""Built-in style → digest (blake2b, 16 bytes) of the packaged file the writers match."""

Names = Sequence[tuple[str, str]]


def _initials(given: str, dot: str, hyphen: str) -> str:
    """``given`` as initials: "Edward J." → "E. J." (APA, IEEE), "Min-jun" → "M.-J."; GB/T
    writes them with no dot, and a hyphen as a space ("M J")."""
    parts = []
    for word in given.split(" "):
        first, _, second = word.partition("-")
        mark = f"{first[0]}{dot}"
        parts.append(f"{mark}{hyphen}{second[0].upper()}{dot}" if second else mark)
    return " ".join(parts)


def _apa(names: Names, title: str, venue: str, year: int) -> str:
    people = [f"{family}, {_initials(given, '.', '-')}" for family, given in names]
    if len(people) > 1:
        people[-1] = f"&amp; {people[-1]}"
    return f"{', '.join(people)} ({year}). {title}. <i>{venue}</i>."


def _ieee(names: Names, title: str, venue: str, year: int) -> str:
    people = [f"{_initials(given, '.', '-')} {family}" for family, given in names]
    if len(people) == 2:
        who = " and ".join(people)
    else:
        who = ", ".join(people[:-1]) + ", and " + people[-1] if len(people) > 2 else people[0]
    return f"{who}, “{title},” in <i>{venue}</i>, {year}."


def _gb7714(names: Names, title: str, venue: str, year: int) -> str:
    people = [f"{family.upper()} {_initials(given, '', ' ')}" for family, given in names]
    who = ", ".join(people[:3]) + (", et al" if len(people) > 3 else "")
    return f"{who}. {title}[C]//{venue}. {year}."


Writer = Callable[[Names, str, str, int], str]

WRITERS: dict[str, Writer] = {"apa": _apa, "ieee": _ieee, "gb7714": _gb7714}
"""Built-in style → what writes a conference paper's reference in it, as HTML."""


@cache
def _matches(data: bytes, name: str) -> bool:
    digest = blake2b(data, digest_size=16).hexdigest()
    return PACKAGED.get(name) == digest and _citeproc_version() == CITEPROC


def _written(style: Style) -> bool:
    return not style.prepared and style.name in WRITERS and _matches(style.data, style.name)


def _shape(item: Mapping[str, Any]) -> tuple[Names, str, str, int] | None:
    """(names, title, venue, year) of a conference paper no style rule touches, or None."""
    if item.keys() != _FIELDS or item["type"] != "paper-conference":
        return None
    title, venue, issued, authors = (
        item["title"],
        item["container-title"],
        item["issued"],
        item["author"],
    )
    if not (type(title) is str and _TEXT.fullmatch(title)):
        return None
    if not (type(venue) is str and _VENUE.fullmatch(venue)):
        return None
    if type(issued) is not dict or issued.keys() != {"date-parts"}:
        return None
    parts = issued["date-parts"]
    if not (type(parts) is list and len(parts) == 1 and type(parts[0]) is list):
        return None
    if len(parts[0]) != 1 or type(year := parts[0][0]) is not int or not 1000 <= year <= 2999:
        return None
    if type(authors) is not list or not 1 <= len(authors) <= _MAX_AUTHORS:
        return None
    names = []
    for person in authors:
        if type(person) is not dict or person.keys() != {"family", "given"}:
            return None
        family, given = person["family"], person["given"]
        if not (type(family) is str and type(given) is str):
            return None
        if not (_FAMILY.fullmatch(family) and _GIVEN.fullmatch(given)):
            return None
        names.append((family, given))
    return names, title, venue, year


def _plain(html: str) -> str:
    # The HTML's only tags are the formatter's (the item's text is escaped), so the plain text
    # is the HTML without them: formatting once instead of twice halves the time.
    return unescape(re.sub("<[^>]*>", "", html))


def plain_references(
    item: Mapping[str, Any], styles: Sequence[Style]
) -> tuple[tuple[Style, str], ...] | None:
    """Each style's HTML of ``item`` (as ``styles.citeproc_item`` gives it), written here;
    None when any style or the item is not one written here (citeproc-py formats it)."""
    if not all(map(_written, styles)):
        return None
    shape = _shape(item)
    if shape is None:
        return None
    return tuple((style, WRITERS[style.name](*shape)) for style in styles)


def writes(item: Mapping[str, Any], styles: Sequence[Style]) -> bool:
    """Whether :func:`plain_references` writes ``item`` (is not None), told without writing
    it: a build asks of every note before it formats them (at 1,000 notes, writing each
    reference twice was a third of the references' time, in the parent alone)."""
    return all(map(_written, styles)) and _shape(item) is not None

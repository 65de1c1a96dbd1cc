"""BibTeX export: a note's metadata as an :class:`entry.Entry` and as .bib text.

Only bibliographic data is exported (title, authors, year, venue, DOI, URL, arXiv id, and the
note's extra ``bibtex:`` fields); tags, status, rating, read date, pdf, code and abstract are site
data and are never written, so nothing has to be filtered out of the copyable BibTeX later.

The .bib text is written here rather than by pybtex's writer: that writer LaTeX-encodes every
field, which breaks ``url``/``doi``/``eprint`` (``_`` → ``\\_``, ``~`` → ``\\textasciitilde``)
and would double-escape the text this module has already escaped, and it can only be changed
by overriding its private methods. The Entry from :func:`to_entry` already holds BibTeX field
text, exactly what pybtex's parser returns for the written file, so writing is a join.

:func:`format_bib` writes one of two flavours, as Better BibTeX does: ``bibtex``, ASCII for
classic 8-bit BibTeX (:mod:`.texascii`) in BibTeX's types and fields, and ``biblatex``, UTF-8
in biblatex's (:mod:`.biblatex`); with no flavour, the UTF-8 BibTeX both start from.

Front matter holds plain Unicode, ``bibtex:`` fields included, and is encoded here. The one
way to write raw TeX is Better BibTeX's: a ``bibtex:`` key ``tex.NAME`` is field NAME, written
as given once :func:`check_raw_field` finds it brace-balanced and free of a bare ``%``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal, get_args

from papernotes.bib.biblatex import bibtex_type, month_number, to_biblatex, to_bibtex
from papernotes.bib.braces import brace_error
from papernotes.bib.entry import Entry, Person, parse_name, split_name_list, split_tex_string
from papernotes.bib.entrytype import (
    CONFERENCE_ACRONYMS,
    CONFERENCE_PREFIXES,
    CONFERENCE_WORDS,
    TEX_PREFIX,
    entry_type,
)
from papernotes.bib.latex import latex_field, latex_text, latex_title
from papernotes.bib.names import (
    format_person,
    is_others,
    parse_person,
    split_authors,
    to_person,
)
from papernotes.model import Metadata

__all__ = [
    "CONFERENCE_ACRONYMS",
    "CONFERENCE_PREFIXES",
    "CONFERENCE_WORDS",
    "FLAVOURS",
    "TEX_PREFIX",
    "VERBATIM_FIELDS",
    "Flavour",
    "check_raw_field",
    "duplicate_keys",
    "entry_type",
    "flavour_entry",
    "format_bib",
    "format_bibs",
    "format_entry",
    "is_others",
    "keep_as",
    "looks_like_tex",
    "parse_person",
    "split_authors",
    "to_entry",
]

_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_:.+/-]*")
_PERSON_ROLES = frozenset({"author", "editor"})
# A control word or control symbol, or a TeX quote: what raw TeX looks like.
_TEX_LIKE = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z\s])|``|''")
_BARE_PERCENT = re.compile(r"(?<!\\)(?:\\\\)*%")

VERBATIM_FIELDS = frozenset({"url", "doi", "eprint"})
"""Fields that BibTeX styles and biblatex read verbatim: written as given, never escaped."""


_VENUE_FIELD = {"article": "journal", "inproceedings": "booktitle", "misc": "howpublished"}
"""The field a venue goes in, by entry type; other types use ``booktitle``
(``incollection``, ``proceedings``) or ``journal`` (``periodical``)."""

_JOURNAL_TYPES = frozenset({"article", "periodical", "suppperiodical"})


def _venue_field(kind: str) -> str:
    kind = bibtex_type(kind)  # a biblatex type's venue goes where its BibTeX type's does
    if kind in _VENUE_FIELD:
        return _VENUE_FIELD[kind]
    return "journal" if kind in _JOURNAL_TYPES else "booktitle"


def _verbatim(value: str) -> str:
    # url, doi and eprint are never LaTeX-escaped: "\_" or "\textasciitilde" breaks the link.
    # A field must still be brace-balanced; no URL or DOI legally holds a brace, so
    # percent-encode them (resolvers decode it) rather than fail.
    value = value.strip()
    if brace_error(value):
        return value.replace("{", "%7B").replace("}", "%7D")
    return value


def _split_name(name: str) -> tuple[str, bool]:
    """The field a ``bibtex:`` key names, and whether its value is raw TeX (``tex.NAME``)."""
    if name[: len(TEX_PREFIX)].lower() == TEX_PREFIX:
        return name[len(TEX_PREFIX) :], True
    return name, False


def looks_like_tex(value: str) -> str | None:
    """The first bit of ``value`` that reads as TeX markup (a control sequence such as
    ``\\emph`` or ``\\%``, or a TeX quote), or None.

    A plain field holding one prints it literally; ``check`` suggests the ``tex.`` form.
    """
    found = _TEX_LIKE.search(value)
    return found.group() if found else None


def check_raw_field(name: str, value: str) -> str | None:
    """Why the ``bibtex:`` field ``name: value`` cannot be exported, or None if it can.

    A plain field is text and is escaped on export, so only its name, and for
    ``author``/``editor`` its names, can be wrong. A ``tex.NAME`` field is written as given, so
    it must also be brace-balanced and hold no bare ``%`` (TeX would comment out the rest of
    the line biber writes it on, ending the field there).
    """
    field, raw = _split_name(name)
    if not _FIELD_NAME.fullmatch(field):
        return f"bibtex field name {name!r} is not a BibTeX field name (letters, digits, -_:.+/)"
    if raw:
        problem = brace_error(value)
        if problem:
            return f"bibtex field {name!r} has unbalanced braces: {problem}"
        if _BARE_PERCENT.search(value):
            return f"bibtex field {name!r} has a bare '%', which comments out the rest (write \\%)"
    if field.lower() in _PERSON_ROLES:
        if raw:
            for person in split_name_list(value):
                if len(split_tex_string(person, ",")) > 3:
                    return f"bibtex field {name!r}: name {person!r} has more than two commas"
        else:
            for person in split_authors(value):
                try:
                    parse_person(person)
                except ValueError as exc:
                    return f"bibtex field {name!r}: {exc}"
    return None


def _plain_people(value: str) -> list[Person]:
    """The persons of a plain ``author``/``editor`` value; a last name ``others`` stays
    BibTeX's "et al." keyword. Raises ValueError for a name :func:`parse_person` rejects."""
    names = split_authors(value)
    return [
        Person(last="others")
        if is_others(n) and i == len(names) - 1
        else to_person(parse_person(n))
        for i, n in enumerate(names)
    ]


def _raw_people(value: str) -> list[Person]:
    """The persons of a raw ``tex.author``/``tex.editor`` value, as BibTeX reads them."""
    return [parse_name(name) for name in split_name_list(value)]


def keep_as(name: str, value: str) -> str:
    """The ``bibtex:`` key that keeps a field's original BibTeX ``value``: ``name`` when the
    export of ``value`` as plain text is ``value`` itself (``2021a``, ``PMLR``) and holds
    nothing the note's reader takes for TeX (:func:`looks_like_tex`), or when the
    value could not pass through as TeX (a bare ``%``), else ``tex.name``."""
    if name.lower() in _PERSON_ROLES:
        try:
            people = [format_person(p) for p in _plain_people(value)]
        except ValueError:  # not plain names ("M{\\"u}ller"): keep the TeX
            return TEX_PREFIX + name
        return name if " and ".join(people) == value else TEX_PREFIX + name
    if _encode(name, value) == value and looks_like_tex(value) is None:
        return name  # ("``x''" is written back as it is, but BibTeX reads its quotes as TeX)
    # A bare "%" ("improves by 50%") cannot pass through as TeX; as text it is escaped.
    return TEX_PREFIX + name if check_raw_field(TEX_PREFIX + name, value) is None else name


def _encode(field: str, value: str) -> str:
    """A plain ``bibtex:`` field's value as BibTeX field text."""
    lower = field.lower()
    if lower in VERBATIM_FIELDS:
        return _verbatim(value)
    if lower == "title":
        return latex_title(value)
    return latex_field(value)


def to_entry(meta: Metadata) -> Entry:
    """The :class:`entry.Entry` exported for ``meta``; its field values are BibTeX field text.

    Fields: author, title (escaped, acronyms braced), the venue as ``journal`` (article),
    ``booktitle`` (inproceedings and others) or ``howpublished`` (misc), year, doi, eprint with
    ``archivePrefix = arXiv``, url; then the note's ``bibtex:`` fields, added or replacing ours
    (names compared ignoring case): plain ones encoded (escaped, URLs as ``\\url``; ``url``,
    ``doi`` and ``eprint`` verbatim, a title case-protected), ``tex.NAME`` ones as given.
    A url-only ``misc`` gets no ``howpublished = {\\url{...}}``: natbib and biblatex styles
    print ``url`` themselves.

    Raises ValueError for a raw field that :func:`check_raw_field` rejects.
    """
    kind = entry_type(meta)
    # A field the note does not give is not written: nothing is invented for it.
    fields: dict[str, str] = {"title": latex_title(meta.title)} if meta.title is not None else {}
    if meta.venue and meta.venue.strip():
        fields[_venue_field(kind)] = latex_text(meta.venue)
    if meta.year is not None:
        fields["year"] = str(meta.year)
    if meta.doi:
        fields["doi"] = _verbatim(meta.doi)
    if meta.arxiv:
        fields["eprint"] = _verbatim(meta.arxiv)
        fields["archivePrefix"] = "arXiv"
    if meta.url:
        fields["url"] = _verbatim(meta.url)
    persons: dict[str, list[Person]] = {}
    if meta.authors:
        persons["author"] = [to_person(a) for a in meta.authors]
    if meta.editors:
        persons["editor"] = [to_person(a) for a in meta.editors]
    entry = Entry(kind, fields=fields, persons=persons)
    for name, value in meta.bibtex.items():
        problem = check_raw_field(name, value)
        if problem:
            raise ValueError(f"{meta.key}: {problem}")
        name, raw = _split_name(name)
        # Keep our spelling of a field the note overrides ("Title" replaces "title").
        if name.lower() in _PERSON_ROLES:
            role = next((r for r in entry.persons if r.lower() == name.lower()), name)
            entry.persons[role] = _raw_people(value) if raw else _plain_people(value)
        else:
            field = next((f for f in entry.fields if f.lower() == name.lower()), name)
            entry.fields[field] = value if raw else _encode(name, value)
    return entry


_MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

Flavour = Literal["bibtex", "biblatex"]
"""A .bib flavour: ASCII-safe classic BibTeX, or UTF-8 biblatex for biber."""

FLAVOURS: tuple[Flavour, ...] = get_args(Flavour)
"""Every flavour, the default (``bibtex``) first."""


def flavour_entry(meta: Metadata, flavour: Flavour | None = None) -> Entry:
    """:func:`to_entry` in ``flavour``'s entry types and field names (:mod:`.biblatex`);
    with no flavour, as :func:`to_entry` makes it."""
    return _flavoured(to_entry(meta), flavour)


def _flavoured(entry: Entry, flavour: Flavour | None) -> Entry:
    # to_bibtex and to_biblatex make a new entry: the one given can be made into the other.
    if flavour is None:
        return entry
    return to_bibtex(entry) if flavour == "bibtex" else to_biblatex(entry)


def _field_value(name: str, value: str) -> str:
    # A month is written as the standard macro (``jul``), which every BibTeX style and
    # biblatex read as that month; any other value is brace-delimited.
    number = month_number(value) if name.lower() == "month" else None
    if number is not None:
        return _MONTH_MACROS[number - 1]
    return f"{{{value}}}"


def _write_entry(key: str, entry: Entry, *, ascii: bool) -> str:
    # Values are brace-delimited: unlike "...", braces let a value hold a '"', and every value
    # here is brace-balanced. No trailing comma, which some older tools reject; but an entry
    # with no field (a note with no title, authors or year) still has the comma after its
    # key, which biber requires ("found '}', expected ','"), and BibTeX and pybtex accept.
    from papernotes.bib.texascii import ascii_name, ascii_tex, ascii_url

    lines = [f"@{entry.original_type}{{{key}"]
    for role, persons in entry.persons.items():
        names = [format_person(p) for p in persons]
        lines.append(f"  {role} = {{{' and '.join(map(ascii_name, names) if ascii else names)}}}")
    for name, value in entry.fields.items():
        if ascii:
            value = ascii_url(value) if name.lower() in VERBATIM_FIELDS else ascii_tex(value)
        lines.append(f"  {name} = {_field_value(name, value)}")
    return ",\n".join(lines) + (",\n}\n" if len(lines) == 1 else "\n}\n")


def format_entry(meta: Metadata, flavour: Flavour | None = None) -> str:
    """One note's entry as .bib text ending in a newline.

    ``bibtex`` (a paper page's ``KEY.bib``, the site's ``library.bib``) is ASCII but for
    characters TeX has no command for (CJK), in BibTeX's types and fields; ``biblatex`` is
    UTF-8 in biblatex's. With no flavour: :func:`to_entry` as it is, BibTeX in UTF-8, the
    layer both build on (bibtex8, bibtexu and biber read it).
    """
    entry = flavour_entry(meta, flavour)
    return _write_entry(meta.key, entry, ascii=flavour == "bibtex")


def format_bib(metas: Iterable[Metadata], flavour: Flavour | None = None) -> str:
    """The whole library as one .bib text (see :func:`format_entry`): entries in the given
    order, a blank line between."""
    return "\n".join(format_entry(m, flavour) for m in metas)


def format_bibs(metas: Iterable[Metadata], flavours: Sequence[Flavour]) -> tuple[str, ...]:
    """:func:`format_bib` in each of ``flavours``, each note's entry built once for all of
    them (building it is most of the cost of writing it: the site's library.bib and
    library-biblatex.bib are made together)."""
    entries = [format_entries(meta, flavours) for meta in metas]
    return tuple("\n".join(each[i] for each in entries) for i in range(len(flavours)))


def format_entries(meta: Metadata, flavours: Sequence[Flavour]) -> tuple[str, ...]:
    """:func:`format_entry` of one note in each of ``flavours``, its entry built once."""
    entry = to_entry(meta)
    return tuple(
        _write_entry(meta.key, _flavoured(entry, f), ascii=f == "bibtex") for f in flavours
    )


def duplicate_keys(keys: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs ``(first, later)`` of keys that BibTeX and biber would take for one key.

    Keys are compared ignoring case ("Liu2022" and "liu2022" collide), each later key paired
    with the first one it collides with, in input order.
    """
    first_seen: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    for key in keys:
        folded = key.lower()
        if folded in first_seen:
            pairs.append((first_seen[folded], key))
        else:
            first_seen[folded] = key
    return pairs

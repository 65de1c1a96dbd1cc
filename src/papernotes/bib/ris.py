"""RIS export: notes as the tagged records EndNote, Mendeley and Zotero import.

Each line is a two-character tag, two spaces, a hyphen and a space (``TY  - JOUR``); a record
starts with ``TY`` and ends with ``ER  - ``. Lines end in CRLF: the RIS specification (Research
Information Systems, the RefMan format) requires a carriage return and line feed after every
line, and EndNote writes it so; readers that expect LF accept CRLF too. Text is UTF-8.

Tags written, in this order (:data:`TAGS`): TY (type, :data:`RIS_TYPES`), ID (the note's
key), AU (one per author, "Family, Given, Suffix"; a closing "and others" is omitted, RIS
has no such name), A2 (editors; A3 in a BOOK, where the
specification's A2 is the series editor), TI, T2 (the venue: journal, proceedings or site),
T3 (series), PY (year), DA (``YYYY/MM//`` when the note has a month), VL, IS, SP and EP (a page
range split), PB (publisher; the school of a thesis, the institution of a report), CY
(address), SN (ISBN or ISSN), ET (edition), DO, UR, AN + DB (the arXiv id as "arXiv:ID" in
database "arXiv"), AB, N1 (note), LA (language), KW (one per tag), ER. The ``bibtex:`` fields
these come from are read as plain text (a ``tex.NAME`` field is decoded first); every other
``bibtex:`` field has no RIS tag and is not written.
A value never spans lines (RIS continuation lines are read differently by each reader), so
line breaks inside a value (an abstract's paragraphs) become spaces.

Sources: the RIS Format Specifications (Research Information Systems, refman.com, 2011:
tag format, record layout, reference types, ``PY  - YYYY`` and ``DA  - YYYY/MM/DD/other``),
the tag table of Wikipedia's "RIS (file format)", and Zotero's RIS translator
(zotero/translators, RIS.js: fieldMap and importTypeMap), which decides what Zotero makes of
each tag. Where they differ, Zotero's reading is followed: a BibTeX ``@proceedings`` volume is
a BOOK (Zotero reads CONF as one conference paper), editors are A2 except in a BOOK (A3), and
DA carries the month while PY stays the bare year Zotero keeps as a fallback. ``unpublished``
stays UNPB, the specification's "unpublished work", which EndNote reads as such and Zotero as
a journal article (its own manuscript type, MANSCPT, is no unpublished work). The ID is the
citekey, although the 2011 specification allows only 20 characters A–Z and 0–9 there:
Zotero ignores ID, EndNote and Mendeley keep it as the label, and it is the only tag that
carries the key back to ``papernotes import``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from papernotes.bib.csl import month_of, plain_fields
from papernotes.bib.entrytype import entry_type
from papernotes.bib.names import is_others, parse_person, split_authors
from papernotes.model import NO_DATE, Author, Metadata, named

__all__ = ["RIS_TYPES", "TAGS", "format_record", "format_ris"]

RIS_TYPES: Mapping[str, str] = {
    "article": "JOUR",
    # CPAPER is one paper in proceedings; a whole volume is a BOOK (see above: Zotero).
    "inproceedings": "CPAPER",
    "conference": "CPAPER",
    "proceedings": "BOOK",
    "incollection": "CHAP",
    "inbook": "CHAP",
    "book": "BOOK",
    "booklet": "PAMP",
    "phdthesis": "THES",
    "mastersthesis": "THES",
    "thesis": "THES",
    "techreport": "RPRT",
    "report": "RPRT",
    "manual": "RPRT",
    "online": "ELEC",
    "www": "ELEC",
    "software": "COMP",
    "dataset": "DATA",
    "patent": "PAT",
    "unpublished": "UNPB",
    "misc": "GEN",
}
"""RIS reference type by BibTeX/biblatex entry type (anything else: GEN)."""

EOL = "\r\n"
"""The RIS line ending."""


TAGS: tuple[str, ...] = (
    "TY", "ID", "AU", "A2", "A3", "TI", "T2", "T3", "PY", "DA", "VL", "IS", "SP", "EP", "PB",
    "CY", "SN", "ET", "DO", "UR", "AN", "DB", "AB", "N1", "LA", "KW", "ER",
)  # fmt: skip
"""Every tag the export writes, in the order it writes them."""

TYPE_TAGS: Mapping[str, Mapping[str, str]] = {
    "JOUR": {"T2": "venue", "VL": "volume", "IS": "number", "SP": "pages", "SN": "issn"},
    "CPAPER": {
        **{"A2": "editor", "T2": "venue", "VL": "volume", "SP": "pages"},
        **{"PB": "publisher", "CY": "address"},
    },
    "BOOK": {
        **{"A3": "editor", "T2": "series", "VL": "volume", "PB": "publisher"},
        **{"CY": "address", "SN": "isbn", "ET": "edition"},
    },
    "CHAP": {
        **{"A2": "editor", "T2": "venue", "T3": "series", "VL": "volume", "SP": "pages"},
        **{"PB": "publisher", "CY": "address", "SN": "isbn", "ET": "edition"},
    },
    "PAMP": {
        **{"T2": "venue", "SP": "pages", "PB": "publisher", "CY": "address"},
        **{"SN": "isbn", "ET": "edition"},
    },
    "THES": {"PB": "school", "CY": "address"},
    "RPRT": {
        **{"T2": "series", "VL": "volume", "SP": "pages", "PB": "institution"},
        **{"CY": "address", "SN": "number", "ET": "edition"},
    },
    "ELEC": {"T2": "venue"},
    "COMP": {"PB": "publisher", "CY": "address", "SN": "isbn"},
    "DATA": {"T3": "series", "PB": "publisher", "CY": "address", "SN": "issn"},
    "PAT": {"T2": "venue", "SP": "pages", "SN": "number"},
    "UNPB": {"SP": "pages", "PB": "institution", "CY": "address"},
    "GEN": {
        **{"A2": "editor", "T2": "venue", "T3": "series", "VL": "volume", "SP": "pages"},
        **{"PB": "publisher", "CY": "address", "SN": "isbn", "ET": "edition"},
    },
}
"""For each RIS type written, its tags whose meaning depends on the type, and what each holds:
the note's ``venue``, its ``editor`` names, or the ``bibtex:`` field of that name. A tag is used
only where the 2011 specification's table for the type gives it that meaning: a thesis's T2 is
its academic department and its VL its degree, so a thesis's venue and volume have no tag; a
book's T2 is its series (Zotero reads it so too); a report's SN is its number. ELEC's T2 is
the website title, as Zotero writes and reads it. The same table reads records back in
:mod:`papernotes.notes.importris`."""

_RANGE = re.compile(r"\s*(?:-+|\u2013|\u2014)\s*")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _author(author: Author) -> str:
    family = " ".join(p for p in (author.particle, author.family) if p)
    parts = [family, author.given, author.suffix] if author.suffix else [family, author.given]
    return ", ".join(parts).rstrip(", ")


def _editors(value: str) -> list[str]:
    try:
        return [_author(parse_person(n)) for n in split_authors(value) if not is_others(n)]
    except ValueError:  # not plain names: RIS has no way to write them
        return []


def _lines(
    meta: Metadata, ty: str, fields: Mapping[str, str], tags: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """The (tag, value) lines of ``tags`` that :data:`TYPE_TAGS` gives type ``ty``."""
    for tag in tags:
        source = TYPE_TAGS[ty].get(tag)
        if source == "editor":
            names = [_author(a) for a in named(meta.editors)] or _editors(fields.get("editor", ""))
            yield from ((tag, e) for e in names)
            continue
        value = (meta.venue or "").strip() if source == "venue" else fields.get(source or "")
        if not value:
            continue
        if tag == "SP":
            # Zotero and the 2001 specification split a page range into SP and EP.
            first, *last = _RANGE.split(value.strip(), maxsplit=1)
            yield "SP", first
            if last and last[0]:
                yield "EP", last[0]
            continue
        yield tag, value


def format_record(meta: Metadata) -> str:
    """One note as a RIS record: CRLF-terminated lines from ``TY`` to ``ER``."""
    ty = RIS_TYPES.get(entry_type(meta), "GEN")
    fields = plain_fields(meta)
    lines = [("TY", ty), ("ID", meta.key)]
    lines.extend(("AU", _author(a)) for a in named(meta.authors))
    lines.extend(_lines(meta, ty, fields, ("A2", "A3")))
    if meta.title is not None:
        lines.append(("TI", meta.title))
    lines.extend(_lines(meta, ty, fields, ("T2", "T3")))
    if meta.year is not None:
        lines.append(("PY", str(meta.year)))
        month = month_of(fields.get("month", ""))
        if month:
            lines.append(("DA", f"{meta.year:04d}/{month:02d}//"))
    elif meta.year_label != NO_DATE:
        # A year written as text goes in DA's free "other info" part (YYYY/MM/DD/other).
        lines.append(("DA", f"///{meta.year_label}"))
    lines.extend(_lines(meta, ty, fields, ("VL", "IS", "SP", "PB", "CY", "SN", "ET")))
    if meta.doi:
        lines.append(("DO", meta.doi))
    if meta.url:
        lines.append(("UR", meta.url))
    if meta.arxiv:
        lines.extend((("AN", f"arXiv:{meta.arxiv}"), ("DB", "arXiv")))
    if meta.abstract:
        lines.append(("AB", meta.abstract))
    lines.extend(
        (tag, fields[name])
        for name, tag in (("note", "N1"), ("language", "LA"))
        if fields.get(name)
    )
    lines.extend(("KW", tag) for tag in meta.tags)
    text = "".join(f"{tag}  - {_one_line(value)}{EOL}" for tag, value in lines)
    return text + f"ER  - {EOL}"


def format_ris(metas: Iterable[Metadata]) -> str:
    """The library as one RIS file: records in the given order, each line a tagged line."""
    return "".join(format_record(m) for m in metas)

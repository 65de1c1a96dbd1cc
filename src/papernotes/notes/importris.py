"""``papernotes import FILE.ris``: one note per RIS record (EndNote, Mendeley, Zotero and
``papernotes bib --format ris`` write them), by the rules of ``import FILE.bib``.

A line is a tag (an uppercase letter and a letter or digit), two spaces, a hyphen and a space,
then the value; a record runs from ``TY`` to ``ER``; a line without a tag continues the value
above it (RIS lets a long value wrap). Tags are read as Zotero's RIS translator reads them
(zotero/translators, RIS.js), which is also the inverse of :mod:`papernotes.bib.ris`:

======================  ==================================================================
TY                      entry type (:data:`BIBTEX_TYPES`)
ID                      the citekey
AU, A1                  authors, "Last, First" or "Last, First, Suffix"
A2 (A3 in BOOK), ED     editors (bibtex ``editor``)
TI, T1, CT              title
T2, JF, JO, BT, J2      venue (the first given, in this order)
PY, Y1, DA              year; DA ``YYYY/MM/DD/`` also a month
DO, UR, L1              DOI, URL, PDF
AN + DB                 ``AN  - arXiv:ID`` is the arXiv id
AB, N2                  abstract
KW                      tags (several in one KW split at ``;``, as Zotero does)
VL IS SP/EP PB CY SN    volume, number, pages, publisher (school for THES, institution for
ET N1 LA T3             RPRT), address, isbn (issn for JOUR), edition, note, language, series
======================  ==================================================================

Any other tag is named in a warning and not imported. Untrusted input never raises: a line
that is not a tag line outside a record, or a record with no ``ER``, is reported at its line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from papernotes.bib.ris import RIS_TYPES, TYPE_TAGS
from papernotes.errors import Diagnostic, error, warning
from papernotes.ids import clean_doi, is_arxiv
from papernotes.model import Author, CiteKey
from papernotes.notes.draft import pages_range
from papernotes.notes.file import NoteDraft
from papernotes.notes.importbib import ImportReport
from papernotes.notes.importrecords import (
    NO_TITLE,
    NO_YEAR,
    Record,
    admit,
    author_text,
    check_fields,
    stated_type,
)
from papernotes.notes.match import NoteIndex

__all__ = ["BIBTEX_TYPES", "import_ris", "parse_name", "read_records"]

BIBTEX_TYPES: Mapping[str, str] = {
    **dict.fromkeys(("JOUR", "EJOUR", "JFULL", "MGZN", "NEWS", "ABST"), "article"),
    # Zotero reads CONF, like CPAPER, as a conference paper.
    **dict.fromkeys(("CPAPER", "CONF"), "inproceedings"),
    **dict.fromkeys(("CHAP", "ECHAP"), "incollection"),
    **dict.fromkeys(("BOOK", "EBOOK", "EDBOOK"), "book"),
    "THES": "phdthesis",
    **dict.fromkeys(("RPRT", "GOVDOC", "STAND"), "techreport"),
    **dict.fromkeys(("ELEC", "WEB", "BLOG"), "online"),
    "COMP": "software",
    **dict.fromkeys(("DATA", "DBASE"), "dataset"),
    "PAT": "patent",
    **dict.fromkeys(("UNPB", "UNPD", "MANSCPT"), "unpublished"),
    "PAMP": "booklet",
    "GEN": "misc",
}
"""BibTeX entry type by RIS reference type; any other type is read as misc."""

# Zotero accepts one or two spaces before the hyphen; the value may be missing ("ER  -").
_LINE = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?: (.*)|$)")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DA = re.compile(r"\s*(\d{4})?/(\d{0,2})/")
# Tags every type reads alike (besides the type-dependent ones of TYPE_TAGS).
_READ = frozenset(
    {"TY", "ER", "ID", "AU", "A1", "ED", "TI", "T1", "CT", "JF", "JO", "BT", "J2", "PY", "Y1"}
    | {"DA", "DO", "UR", "L1", "AN", "DB", "AB", "N2", "KW", "EP", "N1", "LA"}
)

Tags = dict[str, list[str]]


def parse_name(value: str) -> Author | None:
    """An ``AU`` value: "Last, First", "Last, First, Suffix", or one part ("OpenAI").

    Leading lowercase words of the family part are its particle ("van der Berg, J."), as
    BibTeX reads them, unless they are the whole family name.
    """
    parts = [" ".join(p.split()) for p in value.split(",")]
    if not parts[0]:
        return None
    family, given = parts[0], parts[1] if len(parts) > 1 else ""
    suffix = ", ".join(parts[2:]) if len(parts) > 2 else ""
    words = family.split()
    lower = 0
    while lower < len(words) - 1 and words[lower][:1].islower():
        lower += 1
    return Author(" ".join(words[lower:]), given, " ".join(words[:lower]), suffix)


def read_records(path: str, text: str) -> tuple[list[tuple[int, Tags]], list[Diagnostic]]:
    """The records of ``text``, each with its ``TY`` line and its values by tag, in order."""
    records: list[tuple[int, Tags]] = []
    diags: list[Diagnostic] = []
    current: Tags | None = None
    start = 0
    last = ""
    stray = False
    for number, line in enumerate(text.splitlines(), start=1):
        m = _LINE.match(line)
        if m is None:
            if current is not None and last and line.strip():
                current[last][-1] = f"{current[last][-1]} {line.strip()}".strip()
            elif line.strip() and not stray:
                diags.append(error(path, number, "not a RIS tag line ('TY  - JOUR')", _HINT))
                stray = True
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag == "TY":
            if current is not None:
                diags.append(warning(path, start, "record has no 'ER  - ' before the next TY"))
                records.append((start, current))
            current, start, last, stray = {"TY": [value]}, number, "TY", False
        elif current is None:
            if not stray:
                diags.append(error(path, number, f"'{tag}' line outside a record", _HINT))
                stray = True
        elif tag == "ER":
            records.append((start, current))
            current, last = None, ""
        else:
            current.setdefault(tag, []).append(value)
            last = tag
    if current is not None:
        diags.append(warning(path, start, "record has no 'ER  - ' line at the end of the file"))
        records.append((start, current))
    return records, diags


_HINT = "a RIS record starts with 'TY  - ' and ends with 'ER  - '; is this a RIS file?"


def _first(tags: Tags, *names: str) -> str | None:
    return next((v for n in names for v in tags.get(n, ()) if v), None)


def _names(values: list[str], role: str, remarks: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        author = parse_name(value)
        if author is None:
            remarks.append(f"{role} '{value}' dropped: no family name")
        else:
            out.append(author_text(author))
    return out


def _date(tags: Tags) -> tuple[int | None, str | None]:
    year = month = None
    for value in (*tags.get("PY", ()), *tags.get("Y1", ()), *tags.get("DA", ())):
        m = _DA.match(value)
        if m and m.group(2) and month is None and 1 <= int(m.group(2)) <= 12:
            month = str(int(m.group(2)))
        found = _YEAR.search(value)
        if found and year is None:
            year = int(found.group())
    return year, month


def _fields(tags: Tags, table: Mapping[str, str], remarks: list[str]) -> dict[str, str]:
    """The ``bibtex:`` fields of a record whose type's tags mean what ``table`` says."""
    fields: dict[str, str] = {}
    for tag, name in (*table.items(), ("N1", "note"), ("LA", "language")):
        values = [v for v in tags.get(tag, ()) if v]
        if name in ("venue", "editor") or not values:
            continue
        if len(values) > 1:
            remarks.append(f"{len(values) - 1} more {tag} line(s) dropped: BibTeX has one {name}")
        if tag == "SP":
            end = _first(tags, "EP")
            pages = pages_range(values[0])
            fields[name] = f"{pages}--{end}" if end and "-" not in pages else pages
        else:
            fields[name] = values[0]
    return fields


def _record(line: int, tags: Tags) -> Record:
    remarks: list[str] = []
    ty = (tags["TY"][0] or "GEN").upper()
    kind = BIBTEX_TYPES.get(ty)
    if kind is None:
        remarks.append(f"RIS type '{ty}' has no BibTeX type: imported as misc")
        kind = "misc"
    key = _first(tags, "ID") or ""
    title = _first(tags, "TI", "T1", "CT") or (_first(tags, "BT") if kind == "book" else None)
    if not title:
        title = None
        remarks.append(NO_TITLE)
    # What T2, A2, VL, ... hold depends on the type: the export's table, for a type it does not
    # write that of the type it reads as (EJOUR as JOUR).
    table = TYPE_TAGS.get(ty) or TYPE_TAGS[RIS_TYPES.get(kind, "GEN")]
    venue_tags = [t for t, name in table.items() if name == "venue"]
    venue = _first(tags, *venue_tags, "JF", "JO", *(() if kind == "book" else ("BT",)), "J2")
    editor_tags = [t for t, name in table.items() if name == "editor"] + ["ED"]
    editors = _names([v for t in editor_tags for v in tags.get(t, ()) if v], "editor", remarks)
    authors = _names([v for t in ("AU", "A1") for v in tags.get(t, ()) if v], "author", remarks)
    fields = _fields(tags, table, remarks)
    year, month = _date(tags)
    if month:
        fields["month"] = month
    if year is None:
        remarks.append(NO_YEAR)
    accession = _first(tags, "AN") or ""
    arxiv = accession.removeprefix("arXiv:").strip() if accession.startswith("arXiv:") else None
    if arxiv is not None and not is_arxiv(arxiv):
        remarks.append(f"AN '{accession}' is not an arXiv id: dropped")
        arxiv = None
    doi_text = _first(tags, "DO")
    doi = clean_doi(doi_text) if doi_text else None
    if doi_text and doi is None:
        remarks.append(f"DO '{doi_text}' is not a DOI: dropped")
    url, pdf = _first(tags, "UR"), _first(tags, "L1")
    links = [u for u in (url, pdf) if u and not u.lower().startswith(("http://", "https://"))]
    remarks.extend(f"link '{u}' is not an http(s) address: dropped" for u in links)
    unread = sorted(t for t in tags if t not in _READ and t not in table)
    if unread:
        remarks.append(f"tags not imported (papernotes has no place for them): {', '.join(unread)}")
    draft = NoteDraft(
        key=CiteKey("import"),
        title=title,
        authors=tuple(authors),
        editors=tuple(editors),
        year=year,
        entry_type=stated_type(kind, venue),
        venue=venue,
        arxiv=arxiv,
        doi=doi,
        url=url if url not in links else None,
        pdf=pdf if pdf not in links else None,
        abstract=_first(tags, "AB", "N2"),
        bibtex=check_fields(fields, remarks),
    )
    # One KW line is one tag; Zotero also splits a line at ";" (RefMan wrote several so).
    keywords = [k.strip() for v in tags.get("KW", ()) for k in v.split(";")]
    tags_out = tuple(dict.fromkeys(k for k in keywords if k))
    return Record(key, line, draft, tags_out, tuple(remarks))


def import_ris(
    path: str,
    text: str,
    *,
    index: NoteIndex,
    papers_dir: str,
    files: Collection[str] = (),
    merge: bool = False,
) -> ImportReport:
    """Notes for the RIS records of ``text`` (the file at ``path``) not already in ``index``."""
    found, diags = read_records(path, text)
    records = [_record(line, tags) for line, tags in found]
    return admit(
        path, records, index=index, papers_dir=papers_dir, diags=diags, files=files, merge=merge
    )

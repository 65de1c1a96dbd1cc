"""``papernotes import FILE.json``: one note per CSL-JSON item (Zotero, pandoc, Better BibTeX
and ``papernotes bib --format csl-json`` write them), by the rules of ``import FILE.bib``.

The reading is the inverse of :mod:`papernotes.bib.csl`: ``citation-key`` (or ``id``) is the
key; ``author`` names (``family``/``given``/particles/``suffix``, or ``literal``) become
authors; ``issued`` gives the year (and a month); ``container-title`` the venue; ``number:
"arXiv:ID"`` the arXiv id; ``DOI``, ``URL``, ``abstract`` their keys; ``keyword`` (comma-
separated, as the CSL 1.0.2 variable is written) the tags. ``custom`` (which our export
writes) restores the note's own BibTeX type and ``bibtex:`` fields exactly; without it, the
CSL type gives the entry type and the CSL variables BibTeX has fields for (``editor``,
``volume``, ``issue``, ``page``, ``publisher``, ...) become ``bibtex:`` fields.

The file is untrusted: malformed JSON is reported at its line and column, an item of the wrong
shape or a value of the wrong type is named with its line, and nothing raises.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from papernotes.errors import Diagnostic, error
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

__all__ = ["BIBTEX_TYPES", "import_csl", "read_items"]

BIBTEX_TYPES: Mapping[str, str] = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection",
    "book": "book",
    "pamphlet": "booklet",
    "thesis": "phdthesis",
    "report": "techreport",
    "webpage": "online",
    "post-weblog": "online",
    "post": "online",
    "software": "software",
    "dataset": "dataset",
    "patent": "patent",
    "manuscript": "unpublished",
    # CSL "article" is a preprint or working paper: BibTeX has only misc for it.
    "article": "misc",
    "document": "misc",
}
"""BibTeX entry type by CSL 1.0.2 item type, for items without our ``custom`` block."""

# CSL variables that BibTeX keeps as fields, for items from other tools.
_FIELDS: Mapping[str, str] = {
    "volume": "volume",
    "issue": "number",
    "page": "pages",
    "publisher": "publisher",
    "publisher-place": "address",
    "edition": "edition",
    "ISBN": "isbn",
    "ISSN": "issn",
    "note": "note",
    "collection-title": "series",
    "language": "language",
}
_PUBLISHER = {"thesis": "school", "report": "institution"}
_ARXIV_PREFIX = "arXiv:"
_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


class _Lines:
    """Line numbers of offsets in ``text``, asked in increasing order (one pass in all)."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


def read_items(text: str) -> list[tuple[int, Any]]:
    """The items of a CSL-JSON array (or one item) with the line each starts on.

    Raises json.JSONDecodeError (with line and column) for anything else; RecursionError for
    JSON nested deeper than Python's parser goes.
    """
    lines = _Lines(text)
    i = _skip(text, 0)
    if text.startswith("{", i):
        item, end = _DECODER.raw_decode(text, i)
        if _skip(text, end) != len(text):
            raise json.JSONDecodeError("text after the item", text, _skip(text, end))
        return [(lines.at(i), item)]
    if not text.startswith("[", i):
        raise json.JSONDecodeError("expected a JSON array of CSL items ('[')", text, i)
    items: list[tuple[int, Any]] = []
    i = _skip(text, i + 1)
    if text.startswith("]", i):
        end = i + 1
    else:
        while True:
            item, end = _DECODER.raw_decode(text, i)
            items.append((lines.at(i), item))
            i = _skip(text, end)
            if text.startswith(",", i):
                i = _skip(text, i + 1)
                continue
            if not text.startswith("]", i):
                raise json.JSONDecodeError("expected ',' or ']' after an item", text, i)
            end = i + 1
            break
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("text after the array", text, _skip(text, end))
    return items


def _text(item: Mapping[str, Any], name: str, remarks: list[str]) -> str | None:
    value = item.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        remarks.append(f"'{name}' dropped: expected text, got {type(value).__name__}")
        return None
    return str(value)


def _author(name: Any) -> Author | None:
    if not isinstance(name, Mapping):
        return None
    parts = {k: str(v).strip() for k, v in name.items() if isinstance(v, str | int)}
    if parts.get("literal"):
        return Author(family=parts["literal"])
    family, given = parts.get("family", ""), parts.get("given", "")
    particle = " ".join(
        p for p in (parts.get("dropping-particle"), parts.get("non-dropping-particle")) if p
    )
    if not family:
        family, given = given, ""
    if not family:
        return None
    return Author(family, given, particle, parts.get("suffix", ""))


def _names(item: Mapping[str, Any], role: str, remarks: list[str]) -> list[str]:
    value = item.get(role)
    if value is None:
        return []
    if not isinstance(value, list):
        remarks.append(f"'{role}' dropped: expected a list of names")
        return []
    out: list[str] = []
    for i, name in enumerate(value, start=1):
        author = _author(name)
        if author is None:
            remarks.append(f"{role} {i} dropped: a CSL name needs 'family' or 'literal'")
        else:
            out.append(author_text(author))
    return out


def _date(item: Mapping[str, Any], remarks: list[str]) -> tuple[int | None, int | None]:
    """(year, month) of ``issued``."""
    issued = item.get("issued")
    if not isinstance(issued, Mapping):
        return None, None
    parts = issued.get("date-parts")
    try:
        first = parts[0] if isinstance(parts, list) else None
        year = int(first[0]) if isinstance(first, list) and first else None
        month = int(first[1]) if isinstance(first, list) and len(first) > 1 else None
    except (TypeError, ValueError):
        year = month = None
    if year is None:
        for other in ("raw", "literal"):
            text = str(issued.get(other, ""))
            digits = next(
                (text[i : i + 4] for i in range(len(text) - 3) if text[i : i + 4].isdigit()), ""
            )
            if digits:
                return int(digits), None
    if year is not None and not 1000 <= year <= 9999:
        remarks.append(f"year {year} is not a four-digit year")
        year = None
    return year, month if month is not None and 1 <= month <= 12 else None


def _custom(item: Mapping[str, Any], remarks: list[str]) -> tuple[str | None, dict[str, str]]:
    """The BibTeX type and ``bibtex:`` fields our export keeps in ``custom``."""
    custom = item.get("custom")
    if not isinstance(custom, Mapping):
        return None, {}
    kind = custom.get("bibtex-type")
    raw = custom.get("bibtex")
    fields: dict[str, str] = {}
    if isinstance(raw, Mapping):
        for name, value in raw.items():
            if isinstance(value, str):
                fields[str(name)] = value
            else:
                remarks.append(f"custom bibtex field '{name}' dropped: expected text")
    return (kind.strip() or None) if isinstance(kind, str) else None, fields


def _variables(
    item: Mapping[str, Any], csl_type: str, arxiv: str | None, remarks: list[str]
) -> dict[str, str]:
    """The ``bibtex:`` fields of an item from another tool, from its CSL variables."""
    fields: dict[str, str] = {}
    for variable, field in _FIELDS.items():
        value = _text(item, variable, remarks)
        if value is None or (variable == "publisher" and arxiv and value == "arXiv"):
            continue
        if variable == "publisher":
            field = _PUBLISHER.get(csl_type, field)
        fields[field] = pages_range(value) if field == "pages" else value
    return fields


def _record(item: Any, line: int) -> Record:
    if not isinstance(item, Mapping):
        return Record(
            "",
            line,
            None,
            problem=f"expected a CSL item (a JSON object), got {type(item).__name__}",
        )
    remarks: list[str] = []
    key = _text(item, "citation-key", remarks) or _text(item, "id", remarks) or ""
    title = _text(item, "title", remarks)
    if not title:
        title = None
        remarks.append(NO_TITLE)
    custom_type, fields = _custom(item, remarks)
    number = _text(item, "number", remarks)
    arxiv = number.removeprefix(_ARXIV_PREFIX).strip() if number else None
    if arxiv is not None and (arxiv == number or not is_arxiv(arxiv)):
        if arxiv != number:
            remarks.append(f"'{number}' is not an arXiv id: kept as bibtex number")
        arxiv = None
    csl_type = _text(item, "type", remarks) or "document"
    year, month = _date(item, remarks)
    editors = _names(item, "editor", remarks)
    if not isinstance(item.get("custom"), Mapping):
        # Not ours: custom would hold every bibtex: field exactly, the variables only a copy.
        fields = _variables(item, csl_type, arxiv, remarks)
        if number and arxiv is None and "issue" not in item:
            fields["number"] = number
        if month is not None:
            fields["month"] = str(month)
    if year is None and "year" not in fields:
        remarks.append(NO_YEAR)
    authors = tuple(_names(item, "author", remarks))
    venue = _text(item, "container-title", remarks)
    kind = custom_type
    if kind is None:
        kind = BIBTEX_TYPES.get(csl_type, "misc")
        if csl_type not in BIBTEX_TYPES:
            remarks.append(f"CSL type '{csl_type}' has no BibTeX type: imported as misc")
        kind = stated_type(kind, venue) or ""
    doi_text = _text(item, "DOI", remarks)
    doi = clean_doi(doi_text) if doi_text else None
    if doi_text and doi is None:
        remarks.append(f"DOI '{doi_text}' is not a DOI: dropped")
    url = _text(item, "URL", remarks)
    if url and not url.lower().startswith(("http://", "https://")):
        remarks.append(f"URL '{url}' is not an http(s) address: dropped")
        url = None
    keyword = _text(item, "keyword", remarks) or ""
    draft = NoteDraft(
        key=CiteKey("import"),
        title=title,
        authors=authors,
        year=year,
        editors=() if "editor" in fields else tuple(editors),
        entry_type=kind or None,
        venue=venue,
        arxiv=arxiv,
        doi=doi,
        url=url,
        abstract=_text(item, "abstract", remarks),
        bibtex=check_fields(fields, remarks),
    )
    tags = tuple(dict.fromkeys(t.strip() for t in keyword.split(",") if t.strip()))
    return Record(key, line, draft, tags, tuple(remarks))


def import_csl(
    path: str,
    text: str,
    *,
    index: NoteIndex,
    papers_dir: str,
    files: Collection[str] = (),
    merge: bool = False,
) -> ImportReport:
    """Notes for the CSL-JSON items of ``text`` (the file at ``path``) not already in ``index``."""
    try:
        items = read_items(text)
    except json.JSONDecodeError as exc:
        diag = error(
            path,
            exc.lineno,
            f"not CSL-JSON: {exc.msg}",
            "export CSL JSON again from your reference manager, or fix the file at this line",
            col=exc.colno,
        )
        return ImportReport((), (diag,), 0)
    except RecursionError:
        diag = error(path, 1, "not CSL-JSON: nested too deeply to read", "is this a CSL-JSON file?")
        return ImportReport((), (diag,), 0)
    diags: list[Diagnostic] = []
    records = [_record(item, line) for line, item in items]
    return admit(
        path, records, index=index, papers_dir=papers_dir, diags=diags, files=files, merge=merge
    )

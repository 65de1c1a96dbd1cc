"""CSL-JSON export: notes as the items Zotero, pandoc, Quarto and citeproc read, and back.

Mapping (CSL-JSON schema v1.0, ``csl-data.json``):

=====================  ==========================================================
note                   CSL item
=====================  ==========================================================
key                    ``id`` and ``citation-key``
entry type             ``type`` via :data:`CSL_TYPES` (unknown types: ``document``;
                       an arXiv preprint: ``article``)
title                  ``title``
authors                ``author``: ``{family, given, non-dropping-particle, suffix}``,
                       or ``{literal}`` for a one-part name ("OpenAI", "杨植麟");
                       a closing "and others" is omitted: CSL has no such name
year, bibtex month      ``issued: {"date-parts": [[year]]}``, ``[[year, month]]``
venue                  ``container-title``
doi, url, abstract     ``DOI``, ``URL``, ``abstract``
arxiv                  ``number: "arXiv:ID"``; a preprint (no venue) also gets
                       ``publisher: "arXiv"`` — Zotero's mapping of a preprint's
                       archive ID and repository
bibtex: fields         ``editor``, ``volume``, ``issue`` (``number``; a report's
                       ``number``), ``page``, ``publisher`` (a thesis's ``school``,
                       a report's ``institution``), ``publisher-place``
                       (``address``), ``edition``, ``ISBN``, ``ISSN``,
                       ``collection-title`` (``series``), ``note``, ``language``
=====================  ==========================================================

Variable names and types are those of CSL 1.0.2 (the specification's appendix IV). The
``bibtex:`` fields are written as plain text (a ``tex.NAME`` field decoded) for the processors
that print them. CSL has no place for the note's own BibTeX type nor for the exact text of
its ``bibtex:`` fields, so those also go in ``custom`` (the schema's free key-value object),
which is what makes :func:`from_csl` and ``papernotes import`` lossless.
Tags, status, rating and the other site data are not bibliographic and are never written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from papernotes.bib.entrytype import TEX_PREFIX, entry_type
from papernotes.model import NO_DATE, Author, CiteKey, Metadata, named

__all__ = ["CSL_TYPES", "format_csl", "from_csl", "month_of", "plain_fields", "to_csl"]

CSL_TYPES: Mapping[str, str] = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "book": "book",
    "booklet": "pamphlet",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "online": "webpage",
    "www": "webpage",
    "software": "software",
    "dataset": "dataset",
    "patent": "patent",
    "unpublished": "manuscript",
    "misc": "document",
}
"""CSL item type by BibTeX/biblatex entry type; a ``misc`` with an arXiv id is a preprint,
which Zotero and Better BibTeX export as CSL ``article``."""

_ARXIV_PREFIX = "arXiv:"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# CSL variables written from the note's bibtex: fields of the same meaning, in this order.
_VARIABLES = (
    ("volume", "volume"),
    ("page", "pages"),
    ("publisher-place", "address"),
    ("edition", "edition"),
    ("ISBN", "isbn"),
    ("ISSN", "issn"),
    ("collection-title", "series"),
    ("note", "note"),
    ("language", "language"),
)
_PUBLISHER = {"thesis": "school", "report": "institution"}


def _name(author: Author) -> dict[str, str]:
    if not (author.given or author.particle or author.suffix):
        # One-part names: an organisation or a CJK name with no space, never split or initialled.
        return {"literal": author.family}
    name = {"family": author.family, "given": author.given}
    if author.particle:
        # BibTeX's lowercase "von" part is printed with the family name, always.
        name["non-dropping-particle"] = author.particle
    if author.suffix:
        name["suffix"] = author.suffix
    return {k: v for k, v in name.items() if v}


def _csl_type(kind: str, meta: Metadata) -> str:
    if kind == "misc" and meta.arxiv:
        return "article"
    return CSL_TYPES.get(kind, "document")


def plain_fields(meta: Metadata) -> dict[str, str]:
    """The note's non-empty ``bibtex:`` fields by lowercase name, as plain text (``tex.``
    decoded): what the CSL-JSON and RIS exports read their extra variables and tags from."""
    out: dict[str, str] = {}
    for name, value in meta.bibtex.items():
        low = name.lower()
        if low.startswith(TEX_PREFIX):
            from papernotes.bib.unlatex import latex_to_text  # pybtex: only for raw TeX

            out.setdefault(low[len(TEX_PREFIX) :], latex_to_text(value))
        elif value.strip():
            out[low] = value
    return out


def month_of(value: str) -> int | None:
    """The month 1–12 a ``month`` field names (``7``, ``jul``, ``July``, ``jul.``), or None."""
    word = value.strip().strip(".").lower()
    if word.isdigit():
        return int(word) if 1 <= int(word) <= 12 else None
    return _MONTHS.index(word[:3]) + 1 if word[:3] in _MONTHS else None


def _editors(value: str) -> list[dict[str, str]]:
    if not value.strip():
        return []
    # The name parser, imported for the notes that have an ``editor`` field only.
    from papernotes.bib.names import is_others, parse_person, split_authors

    try:
        return [_name(parse_person(n)) for n in split_authors(value) if not is_others(n)]
    except ValueError:  # not plain names (raw TeX): custom keeps them
        return []


def _bibtex_variables(item: dict[str, Any], meta: Metadata, csl_type: str) -> None:
    """Add the CSL variables the note's ``bibtex:`` fields give to ``item``."""
    fields = plain_fields(meta)
    editors = _editors(fields.get("editor", ""))
    if editors and "editor" not in item:
        item["editor"] = editors
    month = month_of(fields.get("month", ""))
    if month and meta.year is not None:
        item["issued"] = {"date-parts": [[meta.year, month]]}
    if fields.get("number") and "number" not in item:
        # A journal's number is its issue; a report's or a patent's is the document number.
        item["issue" if csl_type.startswith("article") else "number"] = fields["number"]
    for variable, name in _VARIABLES:
        if fields.get(name):
            item[variable] = fields[name].replace("--", "-") if name == "pages" else fields[name]
    publisher = fields.get(_PUBLISHER.get(csl_type, "publisher")) or fields.get("publisher")
    if publisher:
        item["publisher"] = publisher


def to_csl(meta: Metadata) -> dict[str, Any]:
    """The CSL-JSON item for ``meta`` (a JSON-ready dict, keys in a fixed order)."""
    kind = entry_type(meta)
    item: dict[str, Any] = {
        "id": meta.key,
        "citation-key": meta.key,
        "type": _csl_type(kind, meta),
    }
    # What the note does not give is left out, so citeproc prints its own "n.d."/no title.
    if meta.title is not None:
        item["title"] = meta.title
    if meta.authors:
        item["author"] = [_name(a) for a in named(meta.authors)]
    if meta.editors:
        item["editor"] = [_name(a) for a in named(meta.editors)]
    if meta.year is not None:
        item["issued"] = {"date-parts": [[meta.year]]}
    elif meta.year_label != NO_DATE:
        # A year written as text (400 BC, forthcoming): CSL's literal date, shown as written.
        item["issued"] = {"literal": meta.year_label}
    venue = meta.venue.strip() if meta.venue else ""
    if venue:
        item["container-title"] = meta.venue
    if meta.arxiv:
        item["number"] = _ARXIV_PREFIX + meta.arxiv
        if not venue:
            item["publisher"] = "arXiv"
    if meta.doi:
        item["DOI"] = meta.doi
    if meta.url:
        item["URL"] = meta.url
    if meta.abstract:
        item["abstract"] = meta.abstract
    _bibtex_variables(item, meta, item["type"])
    custom: dict[str, Any] = {}
    if meta.entry_type:
        custom["bibtex-type"] = meta.entry_type
    if meta.bibtex:
        custom["bibtex"] = dict(meta.bibtex)
    if custom:
        item["custom"] = custom
    return item


def format_csl(metas: Iterable[Metadata]) -> str:
    """The library as a CSL-JSON array (UTF-8 text, items in the given order, newline at end).

    One item a line, without spaces: indented, the site's library.json weighed twice as much
    (0.5 KB a note), and a line per item still shows a change to one item as one line.
    """
    return csl_array([csl_line(m) for m in metas])


def csl_line(meta: Metadata) -> str:
    """One item of :func:`format_csl`'s array, as its line."""
    return json.dumps(to_csl(meta), ensure_ascii=False, separators=(",", ":"))


def csl_array(lines: list[str]) -> str:
    """:func:`format_csl`'s text of the items' lines (:func:`csl_line`)."""
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _author(name: Mapping[str, Any]) -> Author:
    if "literal" in name:
        return Author(family=str(name["literal"]))
    return Author(
        family=str(name.get("family", "")),
        given=str(name.get("given", "")),
        particle=str(name.get("non-dropping-particle", name.get("dropping-particle", ""))),
        suffix=str(name.get("suffix", "")),
    )


def _text(item: Mapping[str, Any], field: str) -> str | None:
    value = item.get(field)
    return str(value) if value is not None else None


def from_csl(item: Mapping[str, Any]) -> Metadata:
    """Read an item written by :func:`to_csl` back into the note metadata it came from.

    Title, authors, editors and year are optional, as in a note; a literal ``issued`` comes
    back through ``custom.bibtex`` (where the note holds it). Raises ValueError for an item
    with no id, or an ``issued`` whose date-parts hold no year.
    """
    key, title = _text(item, "id"), _text(item, "title")
    if not key:
        raise ValueError(f"CSL item {item.get('id')!r} has no id")
    year: int | None = None
    issued = item.get("issued")
    if isinstance(issued, Mapping) and "date-parts" in issued:
        try:
            year = int(issued["date-parts"][0][0])
        except (IndexError, TypeError, ValueError) as exc:
            raise ValueError(f"CSL item {key!r} has no year in 'issued'") from exc
    number = _text(item, "number")
    arxiv = number[len(_ARXIV_PREFIX) :] if number and number.startswith(_ARXIV_PREFIX) else None
    custom: Mapping[str, Any] = item.get("custom") or {}
    raw = custom.get("bibtex") or {}
    return Metadata(
        key=CiteKey(key),
        title=title,
        authors=tuple(_author(n) for n in item.get("author", ())),
        editors=tuple(_author(n) for n in item.get("editor", ())),
        year=year,
        entry_type=custom.get("bibtex-type"),
        venue=_text(item, "container-title"),
        arxiv=arxiv,
        doi=_text(item, "DOI"),
        url=_text(item, "URL"),
        abstract=_text(item, "abstract"),
        bibtex={str(k): str(v) for k, v in raw.items()},
    )

"""What machines read: JSON-LD, popover data, page summaries, feed and sitemap entries.

A paper page is a note *about* a paper, not the paper: its JSON-LD is an ``Article`` whose
``about`` is the ``ScholarlyArticle``, and no Google Scholar ``citation_*`` tags are emitted, so
Scholar never indexes a note as the article itself.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Iterable, Mapping
from html import escape as _html_escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a quick edit reads summaries and XML text only: it imports no model
    import datetime as dt

    from papernotes.model import CiteKey, Library, Note

__all__ = [
    "feed_entries",
    "json_ld",
    "newest",
    "script_json",
    "sitemap",
    "summary",
    "summary_text",
    "xml_bytes",
    "xml_text",
]

_SUMMARY_CHARS = 200
_CITED_AUTHORS = 10
# What XML 1.0 forbids outright (its Char production): C0 controls other than tab, LF and CR,
# lone surrogates, U+FFFE and U+FFFF. YAML escapes ("\x01") and note bodies can hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_C0 = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
"""The C0 controls of :data:`_NOT_XML`, as the bytes UTF-8 writes them."""


def xml_text(text: str) -> str:
    """``text`` without the characters no XML document may contain, so a feed stays
    well-formed whatever a title or note holds (HTML pages get the same treatment: there
    these characters are parse errors, shown as nothing or as boxes)."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def xml_bytes(text: str) -> bytes:
    """``xml_text(text)`` in UTF-8, told without the regular expression when ``text`` holds
    none of those characters (a page, nearly always): a lone surrogate does not encode, a C0
    control is a byte whose deletion shortens the bytes, U+FFFE and U+FFFF are looked for.
    The expression's scan was 0.1 ms a page, on every page of a site."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return xml_text(text).encode("utf-8")
    if "\ufffe" in text or "\uffff" in text or len(data.translate(None, _C0)) != len(data):
        return xml_text(text).encode("utf-8")
    return data


def script_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element: ``<``, ``>`` and ``&`` are escaped, so
    a title containing ``</script>`` cannot end the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def summary(note: Note, body_text: str) -> str:
    """One or two sentences for descriptions and feeds: the abstract, else the note's start."""
    return summary_text(note.meta.abstract or body_text)


def summary_text(text: str) -> str:
    """The start of ``text`` that :func:`summary` shows."""
    # Whitespace collapsed in a start long enough, not in the whole of a 10 KB note: the start
    # collapsed is the start of the whole collapsed.
    head = " ".join(text[: 4 * _SUMMARY_CHARS].split())
    text = head if len(head) > _SUMMARY_CHARS else " ".join(text.split())
    if len(text) <= _SUMMARY_CHARS:
        return text
    cut = (
        text[:_SUMMARY_CHARS].rsplit(" ", 1)[0]
        if " " in text[:_SUMMARY_CHARS]
        else text[:_SUMMARY_CHARS]
    )
    return cut.rstrip(",;:，；：") + "…"


def _same_as(note: Note) -> list[str]:
    out = []
    if note.meta.doi:
        out.append(f"https://doi.org/{note.meta.doi}")
    if note.meta.arxiv:
        out.append(f"https://arxiv.org/abs/{note.meta.arxiv}")
    if note.meta.url:
        out.append(note.meta.url)
    return out


def _cited(note: Note) -> dict[str, Any]:
    """A paper this page cites, in few bytes: its identifiers (DOI, arXiv, URL) say which paper
    it is, as for a cited paper outside the library, and its own page has the rest. The name
    went too: no consumer reads a citation's name (Google Scholar reads ``citation_*`` tags,
    Zotero the page's own item), and the page's Cites list shows it. With no identifier, its
    name, first authors, year and venue do (all 3,000 authors on every citing page would make
    the site grow with citations times authors)."""
    same = _same_as(note)
    if not same:
        return _scholarly(note, _CITED_AUTHORS)
    return {"@type": "ScholarlyArticle", "sameAs": same}


def _scholarly(note: Note, max_authors: int | None = None) -> dict[str, Any]:
    from papernotes.model import named

    meta = note.meta
    paper: dict[str, Any] = {
        "@type": "ScholarlyArticle",
        "name": meta.heading,
        "author": [
            {"@type": "Person", "name": a.display} for a in named(meta.authors)[:max_authors]
        ],
    }
    if meta.editors:
        paper["editor"] = [{"@type": "Person", "name": a.display} for a in named(meta.editors)]
    if meta.year is not None:
        paper["datePublished"] = str(meta.year)
    if meta.venue:
        paper["isPartOf"] = {"@type": "PublicationIssue", "name": meta.venue}
    same = _same_as(note)
    if same:
        paper["sameAs"] = same
    if meta.doi:
        paper["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": meta.doi}
    return paper


def json_ld(note: Note, library: Library, *, site_name: str, author: str, page_url: str) -> str:
    """The page as a schema.org ``Article`` about the paper, citing what the paper cites."""
    citations: list[dict[str, Any]] = [
        _cited(library.notes[k]) for k in library.cites.get(note.key, ())
    ]
    citations.extend(
        {"@type": "ScholarlyArticle", "sameAs": [x.url]} for x in library.external.get(note.key, ())
    )
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": f"Reading notes: {note.meta.heading}"[:110],
        "about": _scholarly(note),
        "isPartOf": {"@type": "WebSite", "name": site_name},
        "keywords": list(note.meta.tags),
    }
    if citations:
        doc["citation"] = citations
    if page_url:
        doc["url"] = page_url
    if author:
        doc["author"] = {"@type": "Person", "name": author}
    if note.meta.read:
        doc["dateCreated"] = note.meta.read.isoformat()
    return script_json(doc)


def feed_entries(
    library: Library,
    texts: Mapping[CiteKey, str],
    *,
    limit: int = 20,
    among: Iterable[Note] | None = None,
) -> list[tuple[Note, str, str]]:
    """The most recently read notes, newest first: (note, RFC 3339 date, summary); chosen
    ``among`` some notes when the caller knows the newest are there (``serve``)."""
    import datetime as dt  # here: a quick edit imports this module for its text helpers

    notes = library.notes.values() if among is None else among
    read = [n for n in notes if n.meta.read is not None]
    # The first ``limit`` without sorting them all (keys differ: the order is sorted()'s).
    read = heapq.nlargest(limit, read, key=lambda n: (n.meta.read or dt.date.min, n.key))
    return [(n, _rfc3339(n.meta.read), summary(n, texts.get(n.key, ""))) for n in read]


def _rfc3339(date: dt.date | None) -> str:
    return f"{date.isoformat() if date is not None else '1970-01-01'}T00:00:00Z"


def newest(entries: Iterable[tuple[Note, str, str]]) -> str:
    """The feed's ``updated``: its newest entry (deterministic, unlike the build time)."""
    return max((date for _, date, _ in entries), default=_rfc3339(None))


def sitemap(locations: Iterable[str]) -> bytes:
    """A sitemap.xml listing these absolute URLs."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    # Not xml.sax.saxutils.escape (the same three characters): it imports urllib.request,
    # http.client and ssl, a tenth of what an edit build imports.
    lines.extend(
        f"  <url><loc>{_html_escape(loc, quote=False)}</loc></url>"
        for loc in sorted(set(locations))
    )
    lines.append("</urlset>")
    return xml_bytes("\n".join(lines) + "\n")

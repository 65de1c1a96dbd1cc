"""The arXiv API (Atom): titles, authors, abstracts, dates, categories and later DOIs.

One request looks up many ids (``id_list=a,b,c``), which keeps to arXiv's "one request every
3 seconds" without making a batch slow. arXiv answers a bad query with HTTP 200 and a single
entry titled "Error", an unknown id with an empty feed, and throttling sometimes with a plain
``Rate exceeded.`` body; each becomes a one-line FetchError or a missing record.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from papernotes.fetch.http import Answer, FetchError, Http
from papernotes.ids import split_arxiv_version

__all__ = ["API_URL", "SERVICE", "ArxivRecord", "fetch_arxiv", "parse_feed", "query_url"]

API_URL = "https://export.arxiv.org/api/query"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_BATCH = 50
SERVICE = "arXiv"


@dataclass(frozen=True, slots=True)
class ArxivRecord:
    """One arXiv paper as the API describes its latest version."""

    ident: str
    """The id without version ("2106.09685", "cs/0112017")."""
    version: str
    """The latest version ("v2")."""
    title: str
    """Title, whitespace collapsed."""
    authors: tuple[str, ...]
    """Author names as arXiv lists them, in order."""
    summary: str
    """The abstract, whitespace collapsed."""
    published: dt.date
    """When version 1 was submitted."""
    updated: dt.date
    """When the latest version was submitted."""
    primary_category: str = ""
    """The primary category ("cs.CL")."""
    doi: str = ""
    """The DOI of the published version, when the authors gave one."""
    journal_ref: str = ""
    """The published version's citation, when the authors gave one."""
    comment: str = ""
    """The authors' comment ("Accepted at ICLR 2022")."""

    @property
    def abs_url(self) -> str:
        """The abstract page, version-less (it shows the latest)."""
        return f"https://arxiv.org/abs/{self.ident}"

    @property
    def pdf_url(self) -> str:
        """The PDF of the latest version."""
        return f"https://arxiv.org/pdf/{self.ident}"


def query_url(idents: Sequence[str]) -> str:
    """The API URL that looks up ``idents`` (ids without versions) in one request."""
    return f"{API_URL}?{urlencode({'id_list': ','.join(idents), 'max_results': len(idents)})}"


def _text(el: ET.Element, tag: str) -> str:
    found = el.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise FetchError(f"arXiv: malformed answer: {what} date {text!r}") from None


def _entry(el: ET.Element) -> ArxivRecord:
    abs_id = _text(el, f"{_ATOM}id")
    title = _text(el, f"{_ATOM}title")
    if title == "Error" and "/api/errors" in abs_id:
        reason = _text(el, f"{_ATOM}summary") or abs_id
        raise FetchError(f"arXiv: {reason}")
    _, _, tail = abs_id.partition("/abs/")
    split = split_arxiv_version(tail)
    if split is None or not title:
        raise FetchError(f"arXiv: malformed answer: entry {abs_id!r} has no arXiv id or title")
    authors = tuple(
        name
        for a in el.findall(f"{_ATOM}author")
        if (name := " ".join((a.findtext(f"{_ATOM}name") or "").split()))
    )
    if not authors:
        raise FetchError(f"arXiv: malformed answer: {split[0]} lists no authors")
    primary = el.find(f"{_ARXIV}primary_category")
    return ArxivRecord(
        ident=split[0],
        version=split[1] or "v1",
        title=title,
        authors=authors,
        summary=_text(el, f"{_ATOM}summary"),
        published=_date(_text(el, f"{_ATOM}published"), "published"),
        updated=_date(_text(el, f"{_ATOM}updated"), "updated"),
        primary_category=primary.get("term", "") if primary is not None else "",
        doi=_text(el, f"{_ARXIV}doi"),
        journal_ref=_text(el, f"{_ARXIV}journal_ref"),
        comment=_text(el, f"{_ARXIV}comment"),
    )


def parse_feed(answer: Answer) -> dict[str, ArxivRecord]:
    """The records in an API answer, by id; raises FetchError for an unusable answer."""
    if answer.status != 200:
        raise FetchError(f"arXiv: the API answered HTTP {answer.status}")
    body = answer.text.strip()
    if body.lower().startswith("rate exceeded"):
        raise FetchError("arXiv: rate limit exceeded; wait a minute and try again")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FetchError(f"arXiv: malformed answer: not valid XML ({exc})") from None
    if root.tag != f"{_ATOM}feed":
        raise FetchError(f"arXiv: malformed answer: expected an Atom feed, got <{root.tag}>")
    total = root.findtext(f"{_OPENSEARCH}totalResults")
    entries = root.findall(f"{_ATOM}entry")
    if total is not None and total.strip() == "0":
        return {}
    records = [_entry(e) for e in entries]
    return {r.ident: r for r in records}


def fetch_arxiv(http: Http, idents: Sequence[str]) -> Mapping[str, ArxivRecord]:
    """Look up arXiv ids (without versions); ids arXiv does not know are absent."""
    unique = list(dict.fromkeys(idents))
    found: dict[str, ArxivRecord] = {}
    for start in range(0, len(unique), _BATCH):
        batch = unique[start : start + _BATCH]
        found.update(
            http.fetch(query_url(batch), parse_feed, service=SERVICE, accept="application/atom+xml")
        )
    return found

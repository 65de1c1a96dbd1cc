"""DOIs: Crossref's works API, falling back to DOI content negotiation (CSL-JSON).

Crossref knows Crossref DOIs (most journals and proceedings, the ACL Anthology); doi.org
content negotiation reaches every registration agency (DataCite, mEDRA, …). Both answers are
read into one :class:`Work`. CSL-JSON is asked for rather than the agencies' BibTeX because
its names and dates are typed, so papernotes makes its own key and escaping.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from papernotes.fetch.http import Answer, FetchError, Http, load_json

__all__ = [
    "CSL_ACCEPT",
    "Name",
    "UnknownDOI",
    "Work",
    "fetch_work",
    "parse_crossref",
    "parse_csl",
]

CROSSREF_URL = "https://api.crossref.org/works/"
DOI_URL = "https://doi.org/"
CSL_ACCEPT = "application/vnd.citationstyles.csl+json"

# Crossref's type vocabulary and CSL's, to BibTeX entry types (doi.org sometimes answers with
# the registry's own names, so both are listed).
_TYPES = {
    "journal-article": "article",
    "article-journal": "article",
    "proceedings-article": "inproceedings",
    "paper-conference": "inproceedings",
    "book-chapter": "incollection",
    "book-section": "incollection",
    "book-part": "incollection",
    "chapter": "incollection",
    "reference-entry": "incollection",
    "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "dissertation": "phdthesis",
    "thesis": "phdthesis",
    "report": "techreport",
    "report-component": "techreport",
    "proceedings": "proceedings",
    "manuscript": "unpublished",
}
_TAG = re.compile(r"<[^>]+>")


class UnknownDOI(FetchError):
    """Neither Crossref nor doi.org knows the DOI."""


@dataclass(frozen=True, slots=True)
class Name:
    """One author as the record types it."""

    family: str = ""
    """Family name ("Du", "van de Schoot")."""
    given: str = ""
    """Given names ("Zhengxiao")."""
    literal: str = ""
    """A name that is not split ("OpenAI"), used when there is no family name."""


@dataclass(frozen=True, slots=True)
class Work:
    """What a DOI's record says about a paper."""

    doi: str
    """The DOI as the record spells it."""
    source: str
    """"Crossref" or "doi.org"."""
    entry_type: str
    """The BibTeX entry type the record's type maps to ("inproceedings", "misc", …)."""
    title: str
    """Title (and subtitle), markup stripped."""
    authors: tuple[Name, ...]
    """Authors in order."""
    year: int | None
    """Year of publication ("issued")."""
    container: str = ""
    """Journal or proceedings title."""
    event: str = ""
    """The conference's name, when given."""
    event_acronym: str = ""
    """The conference's acronym ("ACL 2022"), when given."""
    event_location: str = ""
    """Where the conference took place."""
    publisher: str = ""
    """Publisher."""
    publisher_location: str = ""
    """Publisher's place."""
    volume: str = ""
    """Volume."""
    issue: str = ""
    """Issue (BibTeX ``number``)."""
    pages: str = ""
    """Page range as the record writes it ("320-335")."""
    article_number: str = ""
    """Article number, for journals that use one instead of pages."""
    url: str = ""
    """The landing page (not the doi.org link)."""
    abstract: str = ""
    """Abstract, markup stripped."""


def _plain(value: Any) -> str:
    """Text from a string or the first of a list, with HTML/JATS markup stripped."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


def _year(record: Mapping[str, Any]) -> int | None:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        date = record.get(key)
        parts = date.get("date-parts") if isinstance(date, dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            first = parts[0][0]
            # Only a plausible year: "²".isdigit() is true and int() refuses it, and a
            # 5,000-digit number is past int()'s limit.
            if isinstance(first, str) and first.isascii() and first.isdigit() and len(first) <= 4:
                first = int(first)
            if type(first) is int and 0 < first < 10000:
                return first
    return None


def _names(items: Any) -> tuple[Name, ...]:
    out: list[Name] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        family, given = _plain(item.get("family")), _plain(item.get("given"))
        literal = _plain(item.get("literal") or item.get("name"))
        if family or literal:
            out.append(Name(family=family, given=given, literal="" if family else literal))
    return tuple(out)


def _title(record: Mapping[str, Any]) -> str:
    title = _plain(record.get("title"))
    subtitle = _plain(record.get("subtitle"))
    if subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    return title


def _work(record: Mapping[str, Any], doi: str, source: str, event: Any) -> Work:
    title = _title(record)
    if not title:
        raise FetchError(f"{source}: the record for {doi} has no title")
    kind = str(record.get("type", ""))
    resource = record.get("resource")
    primary = resource.get("primary") if isinstance(resource, dict) else None
    landing = primary.get("URL") if isinstance(primary, dict) else None
    event_map = event if isinstance(event, dict) else {}
    return Work(
        doi=found.strip() if isinstance(found := record.get("DOI"), str) and found.strip() else doi,
        source=source,
        entry_type=_TYPES.get(kind, "misc"),
        title=title,
        authors=_names(record.get("author")),
        year=_year(record),
        container=_plain(record.get("container-title")),
        event=_plain(event_map.get("name") or (event if isinstance(event, str) else "")),
        event_acronym=_plain(event_map.get("acronym")),
        event_location=_plain(event_map.get("location") or record.get("event-place")),
        publisher=_plain(record.get("publisher")),
        publisher_location=_plain(
            record.get("publisher-location") or record.get("publisher-place")
        ),
        volume=_plain(record.get("volume")),
        issue=_plain(record.get("issue")),
        pages=_plain(record.get("page")),
        article_number=_plain(record.get("article-number") or record.get("number")),
        url=str(landing) if isinstance(landing, str) else "",
        abstract=_plain(record.get("abstract")),
    )


def parse_crossref(answer: Answer, doi: str = "") -> Work | None:
    """A Crossref ``/works/{doi}`` answer as a Work; None when Crossref does not know the DOI."""
    if answer.status == 404:
        return None
    if answer.status != 200:
        raise FetchError(f"Crossref: the API answered HTTP {answer.status} for {doi}")
    data = load_json(answer, "Crossref")
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict) or data.get("message-type") != "work":
        raise FetchError("Crossref: malformed answer: no work record in it")
    return _work(message, doi, "Crossref", message.get("event"))


def parse_csl(answer: Answer, doi: str = "") -> Work | None:
    """A doi.org CSL-JSON answer as a Work; None when no agency knows the DOI."""
    if answer.status == 404:
        return None
    if answer.status in (406, 415):
        raise FetchError(f"doi.org: the agency that registered {doi} offers no CSL-JSON")
    if answer.status != 200:
        raise FetchError(f"doi.org: answered HTTP {answer.status} for {doi}")
    data = load_json(answer, "doi.org")
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise FetchError("doi.org: malformed answer: not a CSL-JSON item")
    event: Any = data.get("event-title") or data.get("event")
    return _work(data, doi, "doi.org", event)


def _quote(doi: str) -> str:
    # A DOI's "/" separates prefix and suffix and both APIs take it as is; anything that
    # would end or split the path ("?", "#", "%", spaces) is escaped.
    return quote(doi, safe="/:;()")


def fetch_work(http: Http, doi: str) -> Work:
    """The record of ``doi`` from Crossref, else from doi.org; FetchError if neither knows it."""

    def crossref(answer: Answer) -> Work | None:
        return parse_crossref(answer, doi)

    def csl(answer: Answer) -> Work | None:
        return parse_csl(answer, doi)

    work = http.fetch(
        CROSSREF_URL + _quote(doi), crossref, service="Crossref", accept="application/json"
    )
    if work is None:
        work = http.fetch(DOI_URL + _quote(doi), csl, service="doi.org", accept=CSL_ACCEPT)
    if work is None:
        raise UnknownDOI(f"unknown DOI {doi}: neither Crossref nor doi.org knows it")
    return work

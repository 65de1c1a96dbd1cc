"""Semantic Scholar's Academic Graph API: a paper's external ids and what it references.

Semantic Scholar is optional: callers treat its failures as warnings where they can. The DOI
of a paper sits under ``externalIds`` (asking for a ``doi`` field is a 400), and references
come in pages of up to 1,000 with a ``next`` offset while more remain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from papernotes.fetch.http import Answer, FetchError, Http, load_json

__all__ = ["API_URL", "SERVICE", "S2Paper", "fetch_paper", "fetch_references", "paper_id"]

API_URL = "https://api.semanticscholar.org/graph/v1/paper/"
SERVICE = "Semantic Scholar"
_FIELDS = "title,externalIds"
_PAGE = 1000
_MAX_PAGES = 10


@dataclass(frozen=True, slots=True)
class S2Paper:
    """A paper as Semantic Scholar identifies it."""

    title: str = ""
    """Its title."""
    arxiv: str = ""
    """Its arXiv id, when it has one."""
    doi: str = ""
    """Its DOI, when it has one."""


def paper_id(arxiv: str | None, doi: str | None) -> str | None:
    """The Graph API's name for a paper: ``arXiv:<id>`` (preferred) or ``DOI:<doi>``."""
    if arxiv:
        return f"arXiv:{arxiv}"
    if doi:
        return f"DOI:{doi}"
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _paper(item: Any) -> S2Paper | None:
    if not isinstance(item, dict):
        return None
    ids = item.get("externalIds")
    ids = ids if isinstance(ids, dict) else {}
    title = item.get("title")
    return S2Paper(
        title=" ".join(title.split()) if isinstance(title, str) else "",
        arxiv=_text(ids.get("ArXiv")),
        doi=_text(ids.get("DOI")),
    )


def _json(answer: Answer, what: str) -> dict[str, Any] | None:
    if answer.status == 404:
        return None
    if answer.status in (401, 403):
        raise FetchError(
            f"{SERVICE}: the API refused the request (HTTP {answer.status}); check S2_API_KEY"
        )
    if answer.status != 200:
        raise FetchError(f"{SERVICE}: the API answered HTTP {answer.status} for {what}")
    data = load_json(answer, SERVICE)
    if not isinstance(data, dict):
        raise FetchError(f"{SERVICE}: malformed answer: expected a JSON object")
    return data


def _headers(api_key: str | None) -> Mapping[str, str]:
    return {"x-api-key": api_key} if api_key else {}


def fetch_paper(http: Http, ident: str, api_key: str | None = None) -> S2Paper | None:
    """The paper's title and external ids; None when Semantic Scholar does not know it."""

    def parse(answer: Answer) -> S2Paper | None:
        data = _json(answer, ident)
        return None if data is None else _paper(data)

    url = f"{API_URL}{quote(ident, safe=':/')}?{urlencode({'fields': _FIELDS})}"
    return http.fetch(
        url, parse, service=SERVICE, accept="application/json", headers=_headers(api_key)
    )


def _page(answer: Answer, ident: str) -> tuple[list[S2Paper], int | None] | None:
    data = _json(answer, ident)
    if data is None:
        return None
    items = data.get("data")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise FetchError(f"{SERVICE}: malformed answer: 'data' is not a list")
    papers = [
        p for item in items if isinstance(item, dict) if (p := _paper(item.get("citedPaper")))
    ]
    nxt = data.get("next")
    return papers, nxt if isinstance(nxt, int) and not isinstance(nxt, bool) else None


def fetch_references(
    http: Http, ident: str, api_key: str | None = None
) -> tuple[S2Paper, ...] | None:
    """Every paper ``ident`` references; None when Semantic Scholar does not know it."""
    papers: list[S2Paper] = []
    offset: int | None = 0
    for _ in range(_MAX_PAGES):
        if offset is None:
            break
        query = urlencode({"fields": _FIELDS, "limit": _PAGE, "offset": offset})
        url = f"{API_URL}{quote(ident, safe=':/')}/references?{query}"
        page = http.fetch(
            url,
            lambda a: _page(a, ident),
            service=SERVICE,
            accept="application/json",
            headers=_headers(api_key),
        )
        if page is None:
            return None if offset == 0 else tuple(papers)
        found, offset = page
        papers.extend(found)
    return tuple(papers)

"""``migrate --fetch``: title, authors and year for notes that lack them, fetched as ``add``
fetches them (one arXiv request for every id, then each DOI record) and chosen by the same
rules (:func:`papernotes.notes.draft.draft_note`: the published version's record wins)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from papernotes.fetch.arxiv import ArxivRecord, fetch_arxiv
from papernotes.fetch.crossref import Work, fetch_work
from papernotes.fetch.http import FetchError, Http
from papernotes.fetch.ids import PaperRef, parse_ref
from papernotes.notes.draft import Sources, draft_note

__all__ = ["fetch_fills"]


def _sources(
    http: Http, ref: PaperRef, records: Mapping[str, ArxivRecord], batch_error: str | None
) -> Sources:
    if ref.kind == "doi":
        return Sources(work=fetch_work(http, ref.ident), anthology=ref.anthology)
    if batch_error is not None:
        raise FetchError(batch_error)
    rec = records.get(ref.ident)
    if rec is None:
        raise FetchError(f"unknown arXiv id {ref.ident}: arXiv has no such paper")
    work: Work | None = None
    if rec.doi:
        try:
            work = fetch_work(http, rec.doi)
        except FetchError:  # arXiv's own record still says who wrote it and when
            work = None
    return Sources(arxiv=rec, work=work)


def fetch_fills(
    http: Http, labels: Sequence[str], progress: Callable[[str], None] | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """For each ``arXiv:ID`` / ``doi:DOI`` label: the title, authors (a list of names) and
    year to fill in, with ``source`` (the label); and, apart, why a label could not be."""
    refs: dict[str, PaperRef] = {}
    failed: dict[str, str] = {}
    for label in dict.fromkeys(labels):
        try:
            refs[label] = parse_ref(label)
        except ValueError as exc:
            failed[label] = str(exc)
    idents = [r.ident for r in refs.values() if r.kind == "arxiv"]
    records: Mapping[str, ArxivRecord] = {}
    batch_error: str | None = None
    if idents:
        try:
            records = fetch_arxiv(http, idents)
        except FetchError as exc:
            batch_error = str(exc)
    fills: dict[str, dict[str, Any]] = {}
    for label, ref in refs.items():
        if progress is not None:
            progress(label)
        try:
            src = _sources(http, ref, records, batch_error)
        except FetchError as exc:
            failed[label] = str(exc)
            continue
        draft = draft_note(src, taken=(), version=ref.version)
        fills[label] = {
            "title": draft.title,
            "authors": list(draft.authors),
            "year": draft.year,
            "source": label,
        }
    return fills, failed

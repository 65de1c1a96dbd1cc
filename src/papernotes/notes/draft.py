"""Fetched records become a note draft (pure): which source wins for which field.

- A DOI record (Crossref or doi.org) is the published version: title, authors, year, type,
  venue, pages, volume, publisher and address come from it.
- The arXiv record gives the id, the abstract and the PDF, and everything when there is no
  DOI record. An arXiv paper whose record names a DOI is looked up by that DOI, so it takes
  the published venue; one that only gives a journal reference takes that as its venue.
- The key follows :mod:`papernotes.notes.citekeys`, with the arXiv v1 year when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from papernotes.bib.export import parse_person
from papernotes.cjk import has_cjk
from papernotes.fetch.arxiv import ArxivRecord
from papernotes.fetch.crossref import Name, Work
from papernotes.model import Author
from papernotes.notes.citekeys import arxiv_year, make_key
from papernotes.notes.file import NoteDraft, skeleton

__all__ = ["Sources", "author_string", "draft_note", "pages_range"]

_RANGE = re.compile(r"\s*([A-Za-z]?\d+)\s*(?:-+|–|—)\s*([A-Za-z]?\d+)\s*")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_ACL_PREFIXES = ("10.18653/v1/", "10.3115/v1/")


@dataclass(frozen=True, slots=True)
class Sources:
    """What was fetched about one paper."""

    arxiv: ArxivRecord | None = None
    """The arXiv record, if the paper is on arXiv."""
    work: Work | None = None
    """The DOI record of the published version, if any."""
    anthology: str = ""
    """The ACL Anthology id, when known."""


def author_string(name: Name) -> str:
    """A record's typed name as the note format writes it, reading back to the same parts."""
    if not name.family:
        return "{" + name.literal.replace("{", "").replace("}", "") + "}"
    family, given = name.family, name.given
    candidates = [f"{family} {given}".strip()] if has_cjk(family) else []
    candidates += [f"{given} {family}".strip(), f"{family}, {given}" if given else family]
    for text in candidates:
        try:
            author = parse_person(text)
        except ValueError:
            continue
        full_family = " ".join(p for p in (author.particle, author.family) if p)
        if full_family == family and author.given == " ".join(given.split()):
            return text
    # Brace the family name so no rule splits it ("{Ferreira da Silva}, Rafael").
    return f"{{{family}}}, {given}" if given else f"{{{family}}}"


def pages_range(pages: str) -> str:
    """BibTeX's page range form: "320-335" and "320–335" become "320--335"."""
    m = _RANGE.fullmatch(pages)
    return f"{m.group(1)}--{m.group(2)}" if m else pages.strip()


def _anthology_id(src: Sources) -> str:
    if src.anthology:
        return src.anthology
    doi = src.work.doi if src.work else ""
    for prefix in _ACL_PREFIXES:
        if doi.lower().startswith(prefix):
            return doi[len(prefix) :]
    return ""


def _venue(work: Work) -> tuple[str | None, list[tuple[str, str]]]:
    """The venue to show, and the raw fields that keep the exact proceedings title."""
    raw: list[tuple[str, str]] = []
    if work.entry_type == "inproceedings":
        venue = work.event_acronym or work.container or work.event
        if work.container and venue != work.container:
            raw.append(("booktitle", work.container))
        return venue or None, raw
    if work.entry_type in ("article", "incollection", "misc"):
        return work.container or None, raw
    return None, raw


def _work_fields(work: Work) -> list[tuple[str, str]]:
    address = (
        work.event_location if work.entry_type == "inproceedings" else ""
    ) or work.publisher_location
    pairs = [
        ("volume", work.volume),
        ("number", work.issue),
        ("pages", pages_range(work.pages) if work.pages else ""),
        ("eid", work.article_number if not work.pages else ""),
        ("publisher", work.publisher),
        ("address", address),
    ]
    return [(k, v) for k, v in pairs if v]


def _authors(src: Sources) -> tuple[str, ...]:
    if src.work and src.work.authors:
        return tuple(author_string(n) for n in src.work.authors)
    if src.arxiv:
        return src.arxiv.authors
    return ()


def _parsed(authors: tuple[str, ...]) -> tuple[Author, ...]:
    out: list[Author] = []
    for name in authors:
        try:
            out.append(parse_person(name))
        except ValueError:
            continue
    return tuple(out)


def draft_note(
    src: Sources,
    *,
    taken: Collection[str],
    cites: tuple[str, ...] = (),
    language: str = "en",
    version: str = "",
) -> NoteDraft:
    """The note for a fetched paper; ``taken`` holds the keys already in use."""
    rec, work = src.arxiv, src.work
    if work is None and rec is None:
        raise ValueError("draft_note needs an arXiv record or a DOI record")
    title = work.title if work else rec.title if rec else ""
    authors = _authors(src)
    venue: str | None = None
    entry_type: str | None = None
    raw: list[tuple[str, str]] = []
    if work is not None:
        year: int | None = work.year or (rec.published.year if rec else None)
        entry_type = work.entry_type
        venue, raw = _venue(work)
        raw += _work_fields(work)
    elif rec is not None and rec.journal_ref:
        venue = rec.journal_ref
        years = [int(m.group()) for m in _YEAR.finditer(rec.journal_ref)]
        year = years[-1] if years else rec.published.year
    else:
        assert rec is not None
        year = rec.published.year
        # arXiv's own BibTeX export carries the primary category.
        raw = [("primaryClass", rec.primary_category)] if rec.primary_category else []
    arxiv = rec.ident + version if rec else None
    key_year = arxiv_year(rec.ident) if rec else None
    key = make_key(_parsed(authors), key_year or year, title, taken)
    anthology = _anthology_id(src)
    # The published version's PDF when the Anthology has it, else arXiv's.
    pdf = (
        f"https://aclanthology.org/{anthology}.pdf"
        if anthology
        else f"https://arxiv.org/pdf/{rec.ident}{version}"
        if rec
        else None
    )
    url = (work.url if work and work.url else None) or (rec.abs_url if rec else None)
    if url is None and work is not None:
        url = f"https://doi.org/{work.doi}"
    abstract = (rec.summary if rec else "") or (work.abstract if work else "")
    return NoteDraft(
        key=key,
        title=title,
        authors=authors,
        year=year,
        entry_type=entry_type if entry_type and (entry_type != "misc" or venue) else None,
        venue=venue,
        arxiv=arxiv,
        doi=work.doi if work else (rec.doi if rec and rec.doi else None),
        url=url,
        pdf=pdf,
        status="to-read",
        cites=cites,
        abstract=abstract or None,
        bibtex=tuple(raw),
        body=skeleton(language),
    )

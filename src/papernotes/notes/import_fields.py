"""One parsed BibTeX entry becomes a note draft that exports back to the same fields (pure).

The draft is made in two passes: first the front matter from the mapped fields (in Unicode)
and the raw ``bibtex:`` block from the rest; then the draft is run through the engine
(:func:`parse.parse_note` and :func:`bib.to_entry`) and every mapped field the export would
not write back as the file had it is added to ``bibtex:`` in its original LaTeX. Author
lists are compared name part by name part (the export writes "Last, First"), other fields as
text with whitespace collapsed.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from markdown_it import MarkdownIt
from pybtex.database import Entry, Person

from papernotes.bib.export import check_raw_field, keep_as, parse_person, split_authors, to_entry
from papernotes.bib.names import person_parts
from papernotes.bib.unlatex import latex_to_text, unwrap_group, verbatim_text
from papernotes.errors import PapernotesError
from papernotes.ids import KEY_RE, arxiv_in_text, clean_doi, is_arxiv, strip_arxiv_prefix
from papernotes.model import CiteKey
from papernotes.notes.citekeys import make_key
from papernotes.notes.file import NoteDraft, render_note
from papernotes.parse import parse_note

__all__ = ["ImportProblem", "draft_from_entry", "entry_arxiv", "entry_doi"]

_YEAR = re.compile(r"\d{4}")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
# Fields whose value the front matter holds (the export writes them from there).
_MAPPED = frozenset({"title", "author", "year", "doi", "url", "eprint", "archiveprefix"})
# Fields that are identifiers, not text: compared and kept with TeX escapes undone.
_VERBATIM = frozenset({"doi", "url"})
UNTITLED = "(untitled)"
"""The title of a note made from an entry that has none."""
NO_YEAR = 9999
"""The year of a note made from an entry with no four-digit year: the schema needs one in
1000–9999, and the largest sorts such entries (mostly ``forthcoming``) after every dated one."""
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def month_number(value: str) -> str | None:
    """``jul``, ``July`` (pybtex's expansion of the ``jul`` macro) or ``07`` as ``"7"``, else None.

    Months are kept as numbers: plain text with one meaning, biblatex's own form, and what
    CSL-JSON and RIS want; the BibTeX export writes the bare macro back from it.
    """
    word = value.strip().strip(".").lower()
    if word.isdigit() and 1 <= int(word) <= 12:
        return str(int(word))
    for number, name in enumerate(_MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return str(number)
    return None


class ImportProblem(PapernotesError):
    """The entry cannot become a note; the message says why."""


def _venue_field(kind: str) -> str:
    # The field bib.to_entry writes a venue to, by entry type.
    if kind in ("article", "periodical", "suppperiodical"):
        return "journal"
    if kind == "misc":
        return "howpublished"
    return "booktitle"


def entry_doi(entry: Entry) -> str | None:
    """The entry's DOI without a resolver prefix, when it has a valid one."""
    raw = entry.fields.get("doi")
    if raw is None:
        return None
    return clean_doi(verbatim_text(raw))


def _arxiv_eprint(entry: Entry) -> str | None:
    eprint = str(entry.fields.get("eprint", "")).strip()
    archive = (entry.fields.get("archiveprefix") or entry.fields.get("eprinttype") or "").lower()
    ident = strip_arxiv_prefix(eprint)
    return ident if archive == "arxiv" and is_arxiv(ident) else None


def entry_arxiv(entry: Entry) -> str | None:
    """The entry's arXiv id, from ``eprint``, or a journal, note, url or DOI that names one."""
    eprint = _arxiv_eprint(entry)
    if eprint:
        return eprint
    for name in ("journal", "note", "url", "howpublished", "doi"):
        value = entry.fields.get(name, "")
        found = arxiv_in_text(value)
        if found:
            return found
    return None


def _author_names(raw: str, notes: list[str]) -> tuple[list[str], bool]:
    """Front-matter names for a BibTeX author list, and whether the raw list must be kept."""
    try:
        names = split_authors(raw)
    except ValueError as exc:
        raise ImportProblem(str(exc)) from None
    keep_raw = False
    out: list[str] = []
    for name in names:
        if name.strip().lower() == "others":
            keep_raw = True  # "and others" has no front-matter form; the export keeps it
            continue
        inner = unwrap_group(name)
        text = "{" + latex_to_text(inner) + "}" if inner is not None else latex_to_text(name)
        try:
            parse_person(text)
        except ValueError:
            text = "{" + text.replace("\\", "").replace("{", "").replace("}", "") + "}"
            keep_raw = True
            notes.append(f"author '{name}' kept as one name")
        out.append(text)
    return out, keep_raw


def _same_people(raw: str, exported: list[Person]) -> bool:
    try:
        original = [Person(n) for n in split_authors(raw)]
    except Exception:  # pybtex's InvalidNameString and friends
        return False
    return [person_parts(p) for p in original] == [person_parts(p) for p in exported]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _first_pass(entry: Entry, key: str, taken: Collection[str]) -> tuple[NoteDraft, list[str]]:
    notes: list[str] = []
    fields = entry.fields
    kind = entry.type.lower()
    title_raw = fields.get("title", "").strip()
    title = latex_to_text(title_raw) if title_raw else ""
    if not title:
        title = UNTITLED
        notes.append(f"no title: the note's title is '{UNTITLED}' (the export writes it)")
    raw: dict[str, str] = {}
    author_raw = fields.get("author") or fields.get("editor")
    if author_raw:
        authors, keep = _author_names(author_raw, notes)
        if keep and "author" in fields:
            raw["author"] = fields["author"]
        if "author" not in fields:
            notes.append("no author: the editors are listed as authors")
    else:
        who = fields.get("organization") or fields.get("institution") or fields.get("publisher")
        authors = ["{" + (latex_to_text(who) if who else "Anonymous") + "}"]
        notes.append(f"no author: listed as {authors[0]}")
    if not authors:
        authors = ["{Anonymous}"]
    year_raw = fields.get("year") or fields.get("date") or ""
    found = _YEAR.search(year_raw)
    year = int(found.group()) if found else NO_YEAR
    if found is None:
        # bibtex: year holds what was written (empty when nothing was), so the export gives
        # that back instead of the placeholder.
        raw["year"] = fields.get("year", "")
        written = f"year '{year_raw.strip()}' is not a four-digit year" if year_raw else "no year"
        notes.append(
            f"{written}: the note's year is {NO_YEAR}, and bibtex: year keeps "
            f"'{raw['year']}' for the export"
        )
    venue_name = _venue_field(kind)
    venue_raw = fields.get(venue_name)
    for name, value in fields.items():
        low = name.lower()
        if low in _MAPPED or low == venue_name or low in raw:
            continue
        if not _FIELD_NAME.fullmatch(name):
            notes.append(f"field '{name}' dropped: notes take field names of letters, digits, _ -")
            continue
        problem = check_raw_field(keep_as(low, value), value)
        if problem:
            notes.append(f"field '{name}' dropped: {problem}")
            continue
        month = month_number(value) if low == "month" else None
        raw[low] = month or value
    arxiv = _arxiv_eprint(entry)
    url = verbatim_text(fields.get("url", ""))
    abstract = fields.get("abstract")
    draft = NoteDraft(
        key=CiteKey(key or "import"),
        title=title,
        authors=tuple(authors),
        year=year,
        entry_type=kind,
        venue=latex_to_text(venue_raw) if venue_raw else None,
        arxiv=arxiv,
        doi=entry_doi(entry),
        url=url if url.lower().startswith(("http://", "https://")) else None,
        abstract=latex_to_text(abstract) if abstract else None,
        # Kept fields are the entry's own BibTeX: raw TeX (tex.NAME) unless plain text is equal.
        bibtex=tuple((keep_as(k, v), v) for k, v in raw.items()),
    )
    return draft, notes


def draft_from_entry(
    entry: Entry, key: str, *, taken: Collection[str], md: MarkdownIt
) -> tuple[NoteDraft, list[str]]:
    """The note for ``entry`` (citekey ``key``), and remarks worth reporting.

    An invalid key is replaced by one made by the library's scheme. An entry with no title or
    no four-digit year still becomes a note (see UNTITLED, NO_YEAR), and a field a note cannot
    hold is dropped; the remarks say so. Raises ImportProblem only for a draft that does not
    parse (an author list BibTeX cannot split).
    """
    valid = key if KEY_RE.fullmatch(key) else ""
    draft, notes = _first_pass(entry, valid, taken)
    if not valid:
        authors = tuple(parse_person(a) for a in draft.authors)
        draft = replace(draft, key=make_key(authors, draft.year, draft.title, taken))
    note, diags = parse_note("papers/x.md", render_note(draft), md)
    if note is None:
        raise ImportProblem(diags[0].message if diags else "cannot be made a note")
    exported = to_entry(note.meta)
    raw = {k.removeprefix("tex."): v for k, v in draft.bibtex}
    for name, value in entry.fields.items():
        low = name.lower()
        if low in raw or low == "crossref" or not _FIELD_NAME.fullmatch(name):
            continue
        if low == "title" and draft.title == UNTITLED:
            continue
        if check_raw_field(keep_as(low, value), value):
            continue  # dropped, and said so, in the first pass
        if low in ("author", "editor") and low in exported.persons:
            if not _same_people(value, exported.persons[low]):
                raw[low] = value
            continue
        out = exported.fields.get(name)
        if low in _VERBATIM and out is not None and verbatim_text(out) == verbatim_text(value):
            continue  # the same identifier, once its TeX escapes are undone
        if out is None or _squash(out) != _squash(value):
            raw[low] = value
    if len(raw) == len(draft.bibtex):
        return draft, notes
    return replace(draft, bibtex=tuple((keep_as(k, v), v) for k, v in raw.items())), notes

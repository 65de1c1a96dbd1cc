"""One parsed BibTeX entry becomes a note draft that exports back to the same fields (pure).

The draft is made in two passes: first the front matter from the mapped fields and the
``bibtex:`` block from the rest, all decoded to plain Unicode (the export encodes again);
then the draft is run through the engine (:func:`parse.parse_note` and :func:`bib.to_entry`)
and every mapped field whose export would not mean what the file's did is added to
``bibtex:`` too. Name lists are compared name part by name part, other fields as decoded text
with whitespace collapsed. Nothing is made up: an entry with no title, author or year is
imported without one, with a remark that says so.

A field stays raw TeX (``tex.NAME``) only where decoding would lose what it means
(:func:`tex_reason`): math, which the plain-text export would escape into its source; a macro
the decoder does not know (``\\cite``, a user's own), which plain text cannot hold; braces
protecting capitals (``{IEEE} Computer Society``) that the export would not write back; a
braced ``and`` in a field biblatex splits into a list; and fields biber reads verbatim other
than ``url``/``doi``/``eprint`` (``file``, ``verba``…), which the export would escape.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import replace

from markdown_it import MarkdownIt
from pybtex.database import Entry, Person

from papernotes.bib.export import check_raw_field, keep_as, parse_person, split_authors, to_entry
from papernotes.bib.latex import latex_field, latex_title
from papernotes.bib.names import person_parts
from papernotes.bib.unlatex import classic_tex, latex_to_text, unwrap_group, verbatim_text
from papernotes.errors import Diagnostic, PapernotesError
from papernotes.ids import KEY_RE, arxiv_in_text, clean_doi, is_arxiv, strip_arxiv_prefix
from papernotes.model import CiteKey
from papernotes.notes.citekeys import make_key
from papernotes.notes.file import NoteDraft, render_note
from papernotes.parse import parse_note

__all__ = [
    "ImportProblem",
    "checked_draft",
    "decode",
    "draft_from_entry",
    "entry_arxiv",
    "entry_doi",
    "month_number",
    "repair_percent",
    "tex_reason",
]

_YEAR = re.compile(r"\d{4}")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
# Fields whose value the front matter holds (the export writes them from there).
_MAPPED = frozenset({"title", "author", "editor", "year", "doi", "url", "eprint", "archiveprefix"})
# Fields that are identifiers, not text: compared and kept with TeX escapes undone.
_VERBATIM = frozenset({"doi", "url", "eprint"})
# Verbatim to biber, but escaped by the export as text: kept as written.
_RAW_VERBATIM = frozenset({"file", "pdf", "verba", "verbb", "verbc", "urlraw"})
# biblatex splits these at " and "; "{Barnes and Noble}" is one publisher only in braces.
_LIST_FIELDS = frozenset(
    {
        "publisher",
        "location",
        "address",
        "institution",
        "organization",
        "language",
        "origlocation",
        "origpublisher",
    }
)
_BRACED_AND = re.compile(r"\{[^{}]*\band\b[^{}]*\}", re.IGNORECASE)
_MATH = re.compile(r"(?<!\\)\$")
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")
_PEOPLE = ("author", "editor")
# A brace group around plain letters with a capital: case protection ("{BERT}", "{T}").
_PROTECTED = re.compile(r"\{([^{}\\]*[A-Z][^{}\\]*)\}")
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


def repair_percent(value: str) -> str:
    """``value`` with each bare ``%`` written ``\\%``: in a field a ``%`` means a percent sign
    ("improves by 50%"), but TeX and biber would take it as a comment and lose the rest."""
    return _BARE_PERCENT.sub(lambda m: m.group(1) + "\\%", value)


def decode(value: str) -> str:
    """A field's TeX as plain Unicode, a bare ``%`` read as a percent sign."""
    return latex_to_text(repair_percent(value))


def tex_reason(name: str, value: str) -> str | None:
    """Why the field ``name = {value}`` must stay raw TeX to keep its meaning, or None."""
    low = name.lower()
    if low in _RAW_VERBATIM:
        return "biber reads it verbatim"
    if _MATH.search(value):
        return "it holds math"
    if "\\" in decode(value):
        return "it holds a macro plain text cannot stand for"
    if low in _LIST_FIELDS and _BRACED_AND.search(value):
        return "a braced 'and' keeps it one item"
    protected = _PROTECTED.findall(value)
    if protected:
        text = decode(value)
        encoded = latex_title(text) if low == "title" else latex_field(text)
        if any(f"{{{p}}}" not in encoded for p in protected):
            return "braces keep its case, and the export would not write them"
    return None


def _kept(name: str, value: str) -> tuple[str, str]:
    """The ``bibtex:`` key and value that keep field ``name``: plain Unicode when decoding
    keeps its meaning, else its TeX (``tex.NAME``, a bare ``%`` escaped)."""
    low = name.lower()
    if low in _PEOPLE:
        return keep_as(low, value), value
    if low in _VERBATIM:
        return low, verbatim_text(value)
    if low == "month" and month_number(value):
        return low, month_number(value) or value
    if keep_as(low, value) == low and not _BARE_PERCENT.search(value):
        return low, value  # already plain text that the export writes back unchanged ("3--12")
    if tex_reason(low, value):
        repaired = classic_tex(repair_percent(value))
        return keep_as(low, repaired), repaired
    return low, decode(value)


def _author_names(raw: str, notes: list[str]) -> tuple[list[str], bool]:
    """Front-matter names for a BibTeX author list, and whether the raw list must be kept."""
    try:
        names = split_authors(raw)
    except ValueError as exc:
        raise ImportProblem(str(exc)) from None
    keep_raw = False
    out: list[str] = []
    for i, name in enumerate(names):
        if name.strip().lower() == "others":
            if i == len(names) - 1 and i > 0:
                out.append("others")  # "and others": front matter's OTHERS, exported bare
            else:
                keep_raw = True  # "others" first or mid-list has no front-matter form
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


def _people(
    fields: Mapping[str, str], raw: dict[str, tuple[str, str]], notes: list[str]
) -> tuple[list[str], list[str]]:
    """Front-matter authors and editors, a closing "and others" as ``others``; a list the
    front matter cannot hold as written (a name BibTeX cannot split) is also kept in ``raw``."""
    found: dict[str, list[str]] = {}
    for role in _PEOPLE:
        value = fields.get(role)
        names, keep = _author_names(value, notes) if value else ([], False)
        if keep and value is not None:
            raw[role] = _kept(role, value)
        found[role] = names
    authors, editors = found["author"], found["editor"]
    if not authors and "author" not in fields:
        if editors:
            eds = "editors" if len(editors) > 1 else "editor"
            notes.append(f"no author: imported with its {eds} only (exported as editor, no author)")
        else:
            who = next(
                (f for f in ("organization", "institution", "publisher") if fields.get(f)), None
            )
            kept = f"; its {who} '{decode(fields[who])}' is kept in bibtex:" if who else ""
            notes.append(f"no author or editor: imported with neither, and exported so{kept}")
    return authors, editors


def _year(
    fields: Mapping[str, str], raw: dict[str, tuple[str, str]], notes: list[str]
) -> int | None:
    """The note's year; a year that is not four digits is kept, as written, in ``raw``."""
    written = fields.get("year")
    found = _YEAR.search(written if written is not None else fields.get("date", ""))
    if found is not None:
        return int(found.group())
    if written is None:
        notes.append("no year: imported without one (shown as n.d., exported with no year)")
    elif written.strip():
        raw["year"] = _kept("year", written)
        notes.append(
            f"year '{raw['year'][1]}' is not a four-digit year: imported with no year, and "
            f"bibtex: year keeps '{raw['year'][1]}' (shown and exported as written)"
        )
    return None


def _first_pass(entry: Entry, key: str) -> tuple[NoteDraft, list[str]]:
    notes: list[str] = []
    fields = entry.fields
    kind = entry.type.lower()
    title_raw = fields.get("title", "").strip()
    title = decode(title_raw) if title_raw else None
    if "title" not in fields:
        notes.append("no title: imported without one (the page shows the id, the export has none)")
    raw: dict[str, tuple[str, str]] = {}
    authors, editors = _people(fields, raw, notes)
    year = _year(fields, raw, notes)
    venue_name = _venue_field(kind)
    venue_raw = fields.get(venue_name)
    for name, value in fields.items():
        low = name.lower()
        if low in _MAPPED or low == venue_name or low in raw:
            continue
        if not _FIELD_NAME.fullmatch(name):
            notes.append(f"field '{name}' dropped: notes take field names of letters, digits, _ -")
            continue
        kept = _kept(low, value)
        problem = check_raw_field(*kept)
        if problem:
            notes.append(f"field '{name}' dropped: {problem}")
            continue
        raw[low] = kept
    arxiv = _arxiv_eprint(entry)
    url = verbatim_text(fields.get("url", ""))
    abstract = fields.get("abstract")
    draft = NoteDraft(
        key=CiteKey(key or "import"),
        title=title or None,
        authors=tuple(authors),
        editors=tuple(editors),
        year=year,
        entry_type=kind,
        venue=decode(venue_raw) if venue_raw else None,
        arxiv=arxiv,
        doi=entry_doi(entry),
        url=url if url.lower().startswith(("http://", "https://")) else None,
        abstract=decode(abstract) if abstract else None,
        bibtex=tuple(raw.values()),
    )
    return draft, notes


def _same_meaning(name: str, source: str, exported: str | None) -> bool:
    if exported is None:
        return False
    if name in _VERBATIM:
        return verbatim_text(exported) == verbatim_text(source)
    return _squash(decode(exported)) == _squash(decode(source))


def draft_from_entry(
    entry: Entry, key: str, *, taken: Collection[str], md: MarkdownIt
) -> tuple[NoteDraft, list[str]]:
    """The note for ``entry`` (citekey ``key``), and remarks worth reporting.

    An invalid key is replaced by one made by the library's scheme. An entry with no title,
    author or four-digit year becomes a note without one (the remarks say so; nothing is
    made up), and a field a note cannot hold is dropped, with a remark. Raises ImportProblem
    only for a draft that does not parse (an author list BibTeX cannot split).
    """
    draft, notes, _ = checked_draft(entry, key, taken=taken, md=md)
    return draft, notes


def checked_draft(
    entry: Entry, key: str, *, taken: Collection[str], md: MarkdownIt
) -> tuple[NoteDraft, list[str], tuple[str, tuple[Diagnostic, ...]] | None]:
    """:func:`draft_from_entry`, and the note's text with what parsing it said (diagnostics at
    ``papers/x.md``), made on the way; None when the draft changed after (a field kept raw)."""
    valid = key if KEY_RE.fullmatch(key) else ""
    draft, notes = _first_pass(entry, valid)
    if not valid:
        people = tuple(parse_person(a) for a in draft.authors or draft.editors)
        draft = replace(draft, key=make_key(people, draft.year, draft.title, taken))
    text = render_note(draft)
    note, diags = parse_note("papers/x.md", text, md)
    if note is None:
        raise ImportProblem(diags[0].message if diags else "cannot be made a note")
    exported = to_entry(note.meta)
    raw = {k.removeprefix("tex."): (k, v) for k, v in draft.bibtex}
    for name, value in entry.fields.items():
        low = name.lower()
        if low in raw or low == "crossref" or not _FIELD_NAME.fullmatch(name):
            continue
        if check_raw_field(*_kept(low, value)):
            continue  # dropped, and said so, in the first pass
        if low in _PEOPLE and low in exported.persons:
            if not _same_people(value, exported.persons[low]):
                raw[low] = _kept(low, value)
            continue
        out = exported.fields.get(name)
        if tex_reason(low, value) or not _same_meaning(low, value, out):
            raw[low] = _kept(low, value)
    if len(raw) == len(draft.bibtex):
        return draft, notes, (text, diags)
    return replace(draft, bibtex=tuple(raw.values())), notes, None

"""What ``import`` does with records read from a CSL-JSON or RIS file (pure).

:mod:`papernotes.notes.importcsl` and :mod:`papernotes.notes.importris` turn each record into
a :class:`Record` (a draft, or the reason there is none); :func:`admit` then applies the rules
``import FILE.bib`` follows (:mod:`papernotes.notes.importbib`): a key already in the library
or earlier in the file (ignoring case) is skipped with a warning, a record with another
note's DOI or arXiv id is imported with a warning naming both, an invalid key is replaced by
one made by the library's scheme (and said so), and every note is checked by the engine's own
parser before it is offered for writing. Every record ends up imported or named, with its line.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

import yaml

from papernotes.bib.export import check_raw_field, entry_type
from papernotes.bib.names import parse_person
from papernotes.cjk import has_cjk
from papernotes.errors import Diagnostic, error, warning
from papernotes.ids import KEY_RE, key_problem
from papernotes.markdown.factory import make_parser
from papernotes.model import Author, CiteKey, Metadata
from papernotes.notes.citekeys import make_key
from papernotes.notes.file import NoteDraft, check_note, place_note, render_note, taken_names
from papernotes.notes.importbib import ImportedNote, ImportReport
from papernotes.notes.match import NoteIndex, same_paper

__all__ = [
    "NO_TITLE",
    "NO_YEAR",
    "Record",
    "admit",
    "author_text",
    "check_fields",
    "importer_for",
    "stated_type",
    "with_tags",
]

# Front-matter keys that come after ``tags`` in the schema's (the README's) order.
_AFTER_TAGS = ("status:", "rating:", "read:", "cites:", "abstract:", "bibtex:")


@dataclass(frozen=True, slots=True)
class Record:
    """One record of the file, read."""

    key: str
    """The citekey as the file gives it (CSL ``id``, RIS ``ID``); empty when it gives none."""
    line: int
    """The record's first line in the file."""
    draft: NoteDraft | None
    """The note, or None when the record cannot be one (see ``problem``)."""
    tags: tuple[str, ...] = ()
    """Tags for the note (RIS ``KW``, CSL ``keyword``)."""
    remarks: tuple[str, ...] = ()
    """What was adjusted or dropped, reported as warnings."""
    problem: str = ""
    """Why the record cannot become a note (with ``draft`` None)."""


def author_text(author: Author) -> str:
    """``author`` as a front-matter name that :func:`parse_person` reads back as ``author``.

    The plain forms are tried first ("Hu, Edward J.", "田中 英輝", "van Beethoven, Ludwig");
    braces keep a name the BibTeX rules would re-split ("{De la Cruz}, Maria", "{OpenAI}").
    """
    family = " ".join(author.family.replace("{", "").replace("}", "").split())
    given = " ".join(author.given.replace("{", "").replace("}", "").split())
    particle, suffix = " ".join(author.particle.split()), " ".join(author.suffix.split())
    von = f"{particle} " if particle else ""
    tail = f", {suffix}" if suffix else ""
    candidates: list[str] = []
    if not (given or particle or suffix):
        candidates = [f"{{{family}}}"]
    if has_cjk(family) and not (particle or suffix):
        candidates.append(f"{family} {given}".strip())
    candidates += [
        f"{von}{family}{tail}, {given}".rstrip(", "),
        f"{von}{{{family}}}{tail}, {given}".rstrip(", "),
    ]
    want = Author(family, given, particle, suffix)
    for text in candidates:
        try:
            if parse_person(text) == want:
                return text
        except ValueError:
            continue
    return candidates[-1]


def stated_type(kind: str, venue: str | None) -> str | None:
    """The note's ``type`` for BibTeX type ``kind``: None when the venue implies it anyway
    (a note states its type only when it is not the inferred one, as ``add`` writes them)."""
    bare = Metadata(CiteKey("x"), "x", (), 1, venue=venue)
    return None if entry_type(bare) == kind else kind


NO_TITLE = "no title: imported without one (the page shows the id, the export has none)"
"""What import says of a record with no title (as for .bib entries)."""
NO_YEAR = "no year: imported without one (shown as n.d., exported with no year)"
"""What import says of a record with no year."""


def check_fields(fields: dict[str, str], remarks: list[str]) -> tuple[tuple[str, str], ...]:
    """The ``bibtex:`` fields of ``fields`` the export can write; the others are dropped, and
    the remarks say why."""
    kept: list[tuple[str, str]] = []
    for name, value in fields.items():
        problem = check_raw_field(name, value)
        if problem:
            remarks.append(f"field '{name}' dropped: {problem}")
        else:
            kept.append((name, value))
    return tuple(kept)


def with_tags(text: str, tags: tuple[str, ...]) -> str:
    """A rendered note with a ``tags:`` list added in its schema place (drafts carry none)."""
    # One line each (a YAML continuation line would need its own indentation), no lone "#".
    one_line = [" ".join(t.split()) for t in tags]
    kept = [t for t in one_line if t.lstrip("#").strip()]
    if not kept:
        return text
    dumped = yaml.safe_dump({"tags": kept}, allow_unicode=True, width=1 << 16)
    block = "".join(
        f"  {ln}\n" if ln.startswith("- ") else f"{ln}\n" for ln in dumped.split("\n") if ln
    )
    lines = text.split("\n")
    end = lines.index("---", 1)
    at = next((i for i in range(1, end) if lines[i].startswith(_AFTER_TAGS)), end)
    return "\n".join([*lines[:at], block.rstrip("\n"), *lines[at:]])


def _named(rec: Record, taken: set[str]) -> tuple[NoteDraft, list[str]]:
    """The record's draft under a valid key, and what was said about the key."""
    assert rec.draft is not None
    if KEY_RE.fullmatch(rec.key):
        return replace(rec.draft, key=CiteKey(rec.key)), []
    authors: list[Author] = []
    for name in rec.draft.authors:
        try:
            authors.append(parse_person(name))
        except ValueError:
            continue
    key = make_key(tuple(authors), rec.draft.year, rec.draft.title, taken)
    if not rec.key:
        return replace(rec.draft, key=key), [f"no citekey: the note's id is '{key}'"]
    why = key_problem(rec.key)
    said = f"'{rec.key}' is not a valid note id ({why}); the note's id is '{key}'"
    return replace(rec.draft, key=key), [said]


def admit(
    path: str,
    records: list[Record],
    *,
    index: NoteIndex,
    papers_dir: str,
    diags: list[Diagnostic],
    files: Collection[str] = (),
    merge: bool = False,
) -> ImportReport:
    """The notes to write for ``records`` (read from ``path``), with ``diags`` and every
    record's fate added; ``index`` learns each note made, so later records are checked
    against earlier ones. File names avoid ``files`` (the names already in ``papers_dir``)
    and each other (:func:`place_note`)."""
    names = taken_names(files)
    md = make_parser()
    notes: list[ImportedNote] = []
    seen: dict[str, int] = {}
    # The library's keys by their casefold, kept up to date: one look-up per record, not a scan.
    folded = {k.casefold(): k for k in index.keys}
    made: set[str] = set()
    out = list(diags)
    for rec in records:
        name = rec.key or f"record on line {rec.line}"
        if rec.draft is None:
            out.append(error(path, rec.line, f"{name}: {rec.problem}"))
            continue
        if rec.key:
            first = seen.get(rec.key.casefold())
            if first is not None:
                out.append(
                    warning(
                        path,
                        rec.line,
                        f"duplicate key '{rec.key}' (first on line {first}): skipped, "
                        "the first one is imported",
                    )
                )
                continue
            seen[rec.key.casefold()] = rec.line
            clash = folded.get(rec.key.casefold())
            if clash is not None:
                out.append(
                    warning(path, rec.line, f"{name}: already in the library as '{clash}'; skipped")
                )
                continue
        draft, said = _named(rec, index.keys)
        found = index.find(draft.arxiv, draft.doi, None)
        if found is not None:
            said.append(same_paper(found, made, merge=merge))
            if merge:
                out.extend(warning(path, rec.line, f"{name}: {r}") for r in said)
                continue
        rel, moved = place_note(draft.key, names, papers_dir)
        if moved:
            said.append(moved)
        out.extend(warning(path, rec.line, f"{name}: {r}") for r in (*rec.remarks, *said))
        text = with_tags(render_note(draft), rec.tags)
        problems = check_note(rel, text, md)
        if any(d.severity.value == "error" for d in problems):
            msg = next(d.message for d in problems if d.severity.value == "error")
            out.append(error(path, rec.line, f"{name}: cannot be made a note: {msg}"))
            continue
        out.extend(warning(path, rec.line, f"{name}: {d.message}") for d in problems)
        index.add(draft.key, rel, draft.arxiv, draft.doi, draft.title)
        folded[draft.key.casefold()] = draft.key
        notes.append(ImportedNote(draft.key, rel, text, rec.line))
        made.add(draft.key)
    out.sort(key=lambda d: d.where.line or 0)
    return ImportReport(tuple(notes), tuple(out), len(records))


def importer_for(suffix: str, text: str) -> Callable[..., ImportReport]:
    """The importer for a file with ``suffix`` holding ``text``: by the suffix, else by the
    first character (``[``/``{``: CSL-JSON; a ``TY`` tag line: RIS), else BibTeX."""
    suffix = suffix.lower()
    start = text.lstrip()[:6]
    if suffix == ".json" or (suffix != ".bib" and start[:1] in ("[", "{")):
        from papernotes.notes.importcsl import import_csl

        return import_csl
    if suffix == ".ris" or (suffix != ".bib" and start[:2] == "TY" and "-" in start):
        from papernotes.notes.importris import import_ris

        return import_ris
    from papernotes.notes.importbib import import_bib

    return import_bib

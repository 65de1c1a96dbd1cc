"""``papernotes import FILE.bib``: one note per entry not yet in the library (no network).

Each entry keeps its key and every field. Fields the note format has a home for (title,
author, year, type, venue, doi, arXiv eprint, url, abstract) go to the front matter in plain
Unicode; every other field goes to the raw ``bibtex:`` block in its original LaTeX. When the
export would not write a mapped field back exactly as the file had it (a braced ``{T}itle``,
a year such as ``2023a``, a ``\\url{…}`` venue), the
original is kept in ``bibtex:`` as well, so ``papernotes bib`` gives back every field. The
abstract is both shown (front matter) and kept (``bibtex:``), since the front matter's is
never exported.

``@string`` macros are expanded, ``crossref``'d entries inherit their parent's fields (and
lose the ``crossref`` field, which would dangle in a partial export). Entries already in the
library or earlier in the file under the same key (ignoring case) are reported and skipped,
since one id cannot name two notes; an entry with another entry's DOI or arXiv id is imported
too, with a warning naming both keys. A malformed entry is reported with its line and the
rest imported.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import DuplicateField, Parser, month_names
from pybtex.exceptions import PybtexError

from papernotes.bib.split import Block, split_bib, without_comments
from papernotes.bib.unlatex import repair_c1
from papernotes.errors import Diagnostic, error, warning
from papernotes.foreign import bibtex_error
from papernotes.ids import KEY_RE, key_problem
from papernotes.markdown.factory import make_parser
from papernotes.model import CiteKey
from papernotes.notes.file import check_note, place_note, render_note, taken_names
from papernotes.notes.import_fields import ImportProblem, checked_draft, entry_arxiv, entry_doi
from papernotes.notes.match import NoteIndex, same_paper

__all__ = ["ImportReport", "ImportedNote", "import_bib", "summary"]

_PARENT_TYPES = frozenset({"proceedings", "book", "mvbook", "mvproceedings", "collection"})


@dataclass(frozen=True, slots=True)
class ImportedNote:
    """A note made from one entry, ready to be written."""

    key: CiteKey
    """The entry's key (the note's id)."""
    path: str
    """Where it goes, relative to the library root."""
    text: str
    """The note's text."""
    line: int
    """The entry's line in the .bib file."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What importing a .bib file would do."""

    notes: tuple[ImportedNote, ...]
    """Notes to write, in file order."""
    diagnostics: tuple[Diagnostic, ...]
    """Malformed entries (errors), duplicates and adjustments (warnings), by .bib line."""
    entries: int
    """Entries found in the file."""


class _Parser(Parser):  # type: ignore[misc]  # pybtex has no type hints
    """pybtex's parser, keeping the first of a field given twice, as BibTeX and biber do
    (pybtex fails the entry), and noting the field's name in ``repeated``."""

    def __init__(self) -> None:
        super().__init__(macros=month_names, person_fields=[])
        self.repeated: list[str] = []

    def handle_error(self, error: Exception) -> None:
        if not isinstance(error, DuplicateField):
            super().handle_error(error)
            return
        found = _REPEATED.search(str(error))
        self.repeated.append(found.group(1) if found else "?")


_REPEATED = re.compile(r"duplicate (\S+) field$")


def _parse(block: Block, parser: _Parser) -> tuple[Entry, list[str]]:
    """The entry of ``block``, and the fields it gives twice."""
    parser.data = BibliographyData()  # the file's parser, for this entry alone
    parser.repeated = []
    data = parser.parse_string(without_comments(block.text))
    if len(data.entries) != 1:
        raise PybtexError("no entry could be read")
    return next(iter(data.entries.values())), parser.repeated


_STRING_NAME = re.compile(r"@\s*string\s*[{(]\s*([^\s=,{}()]+)", re.IGNORECASE)


def _define(block: Block, parser: _Parser) -> None:
    """Read the ``@string`` ``block`` into ``parser``'s macros; when it fails, they are left as
    they were (pybtex may define the name before it finds the error)."""
    found = _STRING_NAME.match(block.text)
    name = found.group(1) if found else None
    before = parser.macros.get(name) if name else None
    try:
        parser.data = BibliographyData()
        parser.parse_string(without_comments(block.text))
    except PybtexError:
        if name and before is None:
            parser.macros.pop(name, None)
        elif name:
            parser.macros[name] = before
        raise


def _bib_error(path: str, lines: list[str], block: Block, what: str, exc: Exception) -> Diagnostic:
    # The block's column in its first line, so pybtex's offsets become the file's columns.
    col = lines[block.line - 1].find(block.text.partition("\n")[0]) + 1
    return bibtex_error(exc, path, what, line=block.line, col=max(col, 1))


def _inherit(entries: dict[str, tuple[Entry, Block]], path: str) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for entry, block in entries.values():
        parent_key = entry.fields.get("crossref")
        if parent_key is None:
            continue
        found = entries.get(parent_key.strip().casefold())
        if found is None:
            diags.append(
                warning(path, block.line, f"crossref to '{parent_key}', which is not in the file")
            )
            continue
        parent = found[0]
        for name, value in parent.fields.items():
            if name.lower() not in ("crossref", "ids") and name not in entry.fields:
                entry.fields[name] = value
        if parent.type in _PARENT_TYPES and "booktitle" not in entry.fields:
            title = parent.fields.get("title")
            if title is not None:
                entry.fields["booktitle"] = title
        del entry.fields["crossref"]
    return diags


def _read(path: str, text: str) -> tuple[dict[str, tuple[Entry, Block]], list[Diagnostic], int]:
    # One parser for the file, its macros growing with each @string: a parser per entry copied
    # every macro so far (a lab's file defines ~1,700: ~1.7 ms an entry).
    parser = _Parser()
    entries: dict[str, tuple[Entry, Block]] = {}
    diags: list[Diagnostic] = []
    count = 0
    lines = text.split("\n")
    for block in split_bib(text):
        if block.kind == "comment":
            continue
        if block.kind == "preamble":
            diags.append(warning(path, block.line, "@preamble ignored: notes have no place for it"))
            continue
        if block.kind != "string":
            count += 1
        if not block.complete:
            diags.append(error(path, block.line, f"@{block.kind} is not closed: missing '}}'"))
            continue
        if block.kind == "string":
            try:
                _define(block, parser)
            except PybtexError as exc:
                diags.append(_bib_error(path, lines, block, "@string", exc))
            continue
        key = block.key
        if key is None:
            diags.append(error(path, block.line, f"@{block.kind} has no citekey"))
            continue
        first = entries.get(key.casefold())
        if first is not None:
            diags.append(
                warning(
                    path,
                    block.line,
                    f"duplicate key '{key}' (first on line {first[1].line}): skipped, "
                    "the first one is imported",
                )
            )
            continue
        try:
            entry, repeated = _parse(block, parser)
        except PybtexError as exc:
            diags.append(_bib_error(path, lines, block, key, exc))
            continue
        entries[key.casefold()] = (entry, block)
        diags.extend(
            warning(path, block.line, f"{key}: '{name}' is given twice: the first one is imported")
            for name in repeated
        )
    diags.extend(_inherit(entries, path))
    return entries, diags, count


def import_bib(
    path: str,
    text: str,
    *,
    index: NoteIndex,
    papers_dir: str,
    files: Collection[str] = (),
    merge: bool = False,
) -> ImportReport:
    """Notes for the entries of ``text`` (the .bib file at ``path``) not already in ``index``.

    An entry with the DOI or arXiv id of a note (in the library or made earlier here) is
    imported too, with a warning naming both, or with ``merge`` left out in favour of that note.

    ``index`` learns each note made, so later entries are checked against earlier ones.
    Each note keeps its entry's key as its id; its file name in ``papers_dir`` is made from
    the key (:func:`note_name`), different from ``files`` (the names already there) and from
    every other note made here, so no note is ever overwritten.
    """
    text, mended = repair_c1(text)
    entries, diags, count = _read(path, text)
    if mended:
        lines = ", ".join(map(str, mended[:5])) + (" …" if len(mended) > 5 else "")
        diags.insert(
            0,
            warning(
                path,
                mended[0],
                "control characters U+0080–U+009F (Windows-1252 quotes and dashes stored as "
                f"Latin-1) read as the Windows-1252 characters they stand for, on lines {lines}",
            ),
        )
    names = taken_names(files)
    md = make_parser()
    notes: list[ImportedNote] = []
    made: set[str] = set()
    # The library's keys by their casefold, kept up to date: one look-up per entry, not a scan.
    folded = {k.casefold(): k for k in index.keys}
    for entry, block in entries.values():
        key = block.key or ""
        where = block.line
        doi, arxiv = entry_doi(entry), entry_arxiv(entry)
        clash = folded.get(key.casefold())
        if clash is not None:
            diags.append(
                warning(path, where, f"{key}: already in the library as '{clash}'; skipped")
            )
            continue
        found = index.find(arxiv, doi, None)
        if found is not None:
            diags.append(warning(path, where, f"{key}: {same_paper(found, made, merge=merge)}"))
            if merge:
                continue
        try:
            draft, notes_for_entry, checked = checked_draft(entry, key, taken=index.keys, md=md)
        except ImportProblem as exc:
            diags.append(error(path, where, f"{key}: {exc}"))
            continue
        note_key = draft.key
        if not KEY_RE.fullmatch(key):
            notes_for_entry.append(
                f"'{key}' is not a valid note id ({key_problem(key)}); "
                f"the note's id is '{draft.key}'"
            )
        rel, moved = place_note(note_key, names, papers_dir)
        if moved:
            notes_for_entry.append(moved)
        diags.extend(warning(path, where, f"{key}: {n}") for n in notes_for_entry)
        # Parsed on the way when the draft did not change since (only the messages are used,
        # and they do not name the file: a draft always has its id).
        note, problems = (
            checked if checked else (text := render_note(draft), check_note(rel, text, md))
        )
        if any(d.severity.value == "error" for d in problems):
            diags.append(error(path, where, f"{key}: cannot be made a note: {problems[0].message}"))
            continue
        diags.extend(warning(path, where, f"{key}: {d.message}") for d in problems)
        index.add(note_key, rel, draft.arxiv or arxiv, draft.doi or doi, draft.title)
        notes.append(ImportedNote(note_key, rel, note, where))
        made.add(note_key)
        folded[note_key.casefold()] = note_key
    diags.sort(key=lambda d: d.where.line or 0)
    return ImportReport(tuple(notes), tuple(diags), count)


def summary(report: ImportReport) -> str:
    """One line: how many entries became notes."""
    errors = sum(d.severity.value == "error" for d in report.diagnostics)
    return f"{len(report.notes)} of {report.entries} entries imported, {errors} errors"

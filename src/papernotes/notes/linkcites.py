"""``papernotes link``: add to existing notes the ``cites:`` Semantic Scholar knows about.

For each note with an arXiv id or DOI, Semantic Scholar's reference list is matched against
the library (by arXiv id, DOI, or near-identical title); notes the paper references that its
``cites:`` does not list yet are appended, by :func:`cites_edit.add_cites`, which leaves every
other byte of the file as it was. It only ever adds. The plan is made first and written only
when every lookup succeeded, so a failed run changes no file.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from papernotes.atomic import write_atomic
from papernotes.fetch.http import Http
from papernotes.fetch.s2 import fetch_references, paper_id
from papernotes.ids import strip_version
from papernotes.model import CiteKey, Library, Note
from papernotes.notes.cites_edit import EditError, add_cites
from papernotes.notes.match import NoteIndex

__all__ = ["CiteEdit", "LinkPlan", "apply_edit", "plan_links"]


@dataclass(frozen=True, slots=True)
class CiteEdit:
    """Keys to add to one note's ``cites:`` and the file's new bytes."""

    source: str
    """The note file, relative to the library root."""
    key: CiteKey
    """The note's key."""
    added: tuple[CiteKey, ...]
    """The keys appended, in order."""
    before: bytes
    """The file as read (writing is refused if it changed since)."""
    after: bytes
    """The file with the keys added."""


@dataclass(frozen=True, slots=True)
class LinkPlan:
    """What ``link`` would do."""

    edits: tuple[CiteEdit, ...]
    """Notes that gain citations."""
    skipped: tuple[str, ...]
    """One line per note that could not be looked up or edited, and why."""
    checked: int
    """Notes whose references were looked up."""


def _targets(library: Library, keys: Sequence[str]) -> tuple[list[Note], list[str]]:
    if not keys:
        return list(library.notes.values()), []
    notes: list[Note] = []
    missing: list[str] = []
    for k in keys:
        found = library.resolve(k)
        if isinstance(found, str) and found in library.notes:
            notes.append(library.notes[found])
        else:
            missing.append(k)
    return notes, missing


def _base_arxiv(arxiv: str | None) -> str | None:
    return strip_version(arxiv) if arxiv else None


def _edit(root: Path, note: Note, keys: tuple[CiteKey, ...]) -> CiteEdit:
    raw = (root / note.source).read_bytes()
    bom = raw.startswith(codecs.BOM_UTF8)
    text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    edited = add_cites(text, keys)
    after = (codecs.BOM_UTF8 if bom else b"") + edited.encode("utf-8")
    return CiteEdit(note.source, note.key, keys, raw, after)


def plan_links(
    root: Path,
    library: Library,
    http: Http,
    *,
    keys: Sequence[str] = (),
    api_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> LinkPlan:
    """The citations to add; raises FetchError when Semantic Scholar cannot be asked, and
    KeyError for a key that names no note.

    A note Semantic Scholar does not know, or one without an arXiv id or DOI, is skipped
    with a reason; so is a note whose front matter cannot be edited safely.
    """
    notes, missing = _targets(library, keys)
    if missing:
        raise KeyError(f"no note with key: {', '.join(missing)}")
    index = NoteIndex.of_library(library)
    edits: list[CiteEdit] = []
    skipped: list[str] = []
    checked = 0
    for note in notes:
        if progress is not None:
            progress(note.key)
        ident = paper_id(_base_arxiv(note.meta.arxiv), note.meta.doi)
        if ident is None:
            if keys:
                skipped.append(f"{note.source}: no arXiv id or DOI to look up")
            continue
        refs = fetch_references(http, ident, api_key)
        checked += 1
        if refs is None:
            skipped.append(f"{note.source}: Semantic Scholar does not know {ident}")
            continue
        have = {note.key.casefold(), *(k.casefold() for k in library.cites.get(note.key, ()))}
        found = index.match_all([(p.arxiv, p.doi, p.title) for p in refs], exclude=have)
        if not found:
            continue
        try:
            edits.append(_edit(root, note, found))
        except (EditError, UnicodeDecodeError) as exc:
            skipped.append(f"{note.source}: cites: not changed ({exc})")
    return LinkPlan(tuple(edits), tuple(skipped), checked)


def apply_edit(root: Path, edit: CiteEdit) -> None:
    """Write one edit atomically; refuses (OSError) if the file changed since it was read."""
    path = root / edit.source
    if path.read_bytes() != edit.before:
        raise OSError(f"{edit.source}: changed while papernotes was working; run link again")
    write_atomic(path, edit.after, mode=path.stat().st_mode & 0o7777)

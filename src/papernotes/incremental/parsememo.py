"""Stage 2 of a save in ``serve``: the notes parsed last time, with the ones saved parsed again.

A build's stage 2 goes through every note: a dictionary of the last build's entries, one of
the sources, the notes and their problems gathered again — at 10,000 notes a tenth of a save
that changed one note. The session's notes folder (``session.TextMemo``) gives the very same
``Source`` object for a file that did not move, so what a save changed is found by identity
at C speed, and only those sources are looked at in Python.

Parsing is a pure function of a note's text (the parser and the ``keys`` setting are kept
with the memo: a change of the configuration makes a new one), so the result is the full
pass's. Whatever this does not take in piecemeal — a note added, removed or renamed, a note
with problems before or after, a note that stopped or started being a note (a draft, an
unreadable front matter) — goes through the full pass, which is then kept for the next save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import is_not
from typing import TYPE_CHECKING

from papernotes.incremental.cache import text_digest

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from papernotes.errors import Diagnostic
    from papernotes.incremental.cache import NoteEntry
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.load import Source
    from papernotes.model import Note

__all__ = ["Parsed", "drafts_of", "parse_saved"]

Parsed = tuple[list["Note"], list["Diagnostic"], dict[str, "NoteEntry"]]
"""Stage 2's result: the notes that parsed (in the sources' order), their problems, and every
note's cache entry by path (``parsenotes.parse_notes``)."""


@dataclass(slots=True)
class _Last:
    """The last pass: its sources (the very objects), its result, and where each note is."""

    sources: tuple[Source, ...]
    parsed: Parsed
    at: dict[str, int]
    """Path → the note's place in ``parsed[0]``."""
    given: object = None
    """The entries map last given out (the very object)."""
    drafts: tuple[str, ...] | None = None
    """The drafts among them (:func:`drafts_of`), once asked."""


def parse_saved(
    memo: SaveMemo,
    sources: Sequence[Source],
    full: Callable[[], Parsed],
    md: MarkdownIt,
    keys: tuple[tuple[str, str], ...],
) -> Parsed:
    """Stage 2 as ``full()`` does it, taking the last save's result for every source that is
    the very object it was then, and parsing again (with ``md`` and ``keys``) those whose
    text digest moved. Counts each source looked at in Python as ``"parse-visit"``, each note
    parsed as ``"parse-note"``."""
    from papernotes.incremental.highlights import parse_as_last

    def parse_one(source: Source, last: Note | None) -> tuple[Note | None, tuple[Diagnostic, ...]]:
        # The fences whose code the save left are written as Pygments wrote them last.
        return parse_as_last(md, dict(keys), source, last)

    now = tuple(sources)
    box: list[_Last | None] = memo.slot("parse", lambda: [None])
    last = box[0]
    patched = _patch(last, now, parse_one, memo) if last is not None else None
    if patched is not None:
        return patched
    memo.count("parse-visit", len(now))
    notes, diags, entries = full()
    at = {note.source: i for i, note in enumerate(notes)}
    box[0] = last = _Last(now, (notes, diags, entries), at)
    last.given = given = dict(entries)
    return list(notes), list(diags), given


def drafts_of(memo: SaveMemo, entries: dict[str, NoteEntry]) -> tuple[str, ...]:
    """``cache.drafts(entries)``: the last save's, when ``entries`` is what :func:`parse_saved`
    gave last and was patched (a note patched was no draft, nor is one now: a draft has a
    problem, which sends a save through the full pass)."""
    from papernotes.incremental.cache import drafts

    box: list[_Last | None] = memo.slot("parse", lambda: [None])
    last = box[0]
    if last is None or last.given is not entries:
        return drafts(entries)
    if last.drafts is None:
        last.drafts = drafts(entries)
    return last.drafts


def _patch(
    last: _Last,
    now: tuple[Source, ...],
    parse_one: Callable[[Source, Note | None], tuple[Note | None, tuple[Diagnostic, ...]]],
    memo: SaveMemo,
) -> Parsed | None:
    """The last result with the sources that moved taken again; None when one of them is
    more than a note whose text changed (the full pass then)."""
    if len(now) != len(last.sources):
        return None
    moved = list(compress(now, map(is_not, now, last.sources)))
    memo.count("parse-visit", len(moved))
    notes, diags, entries = last.parsed
    if not moved:
        last.given = given = dict(entries)
        return list(notes), list(diags), given
    notes, entries = list(notes), dict(entries)
    for source in moved:
        entry = entries.get(source.path)
        at = last.at.get(source.path)
        if entry is None or at is None or entry[2]:  # new, renamed, or had problems
            return None
        sha = source.digest or text_digest(source.text)
        if sha == entry[0]:
            continue
        memo.count("parse-note", 1)
        note, problems = parse_one(source, entry[1])
        if note is None or problems or note.source != source.path:
            return None
        notes[at] = note
        entries[source.path] = (sha, note, problems)
    last.sources, last.parsed = now, (notes, diags, entries)
    last.given = given = dict(entries)
    return list(notes), list(diags), given

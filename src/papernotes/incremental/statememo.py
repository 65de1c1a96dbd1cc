"""The search documents a save shows and the search state it stores, patched from the last
save's (``serve``) at the notes whose documents moved, not made again note by note.

Stage 4 hands the planner each note's search document (``lazydoc.kept_docs``: a Python step
per note) and, once the pages are written, stores the index with each note's document digest
and size in index order (``lazydoc.sizes_of`` and ``searchstate.state_of``: a look-up and a
Python step per note). A save changes the documents of the notes the stages before said they
changed (``SaveMemo.moved("search-docs")``, ``("search-digests")``); while the index keeps
its notes in the same order (the very tuple of keys, :attr:`IndexMemo.keys
<papernotes.incremental.indexmemo.IndexMemo.keys>`), the last save's values are taken with
those notes' entries replaced. Otherwise each is made as a build makes it, and kept for the
next save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papernotes.incremental.lazydoc import doc_size, kept_docs, sizes_of
from papernotes.incremental.searchstate import SearchState, state_of

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.incremental.searchstate import DocEntry
    from papernotes.search.index import SearchDoc, SearchIndex

__all__ = ["search_state", "shown_docs"]


@dataclass(slots=True)
class _Shown:
    given: object = None
    """The documents map last given (``SaveMemo.moved`` names it)."""
    shown: dict[str, SearchDoc] | None = None
    """What was made from it (patched in place by the next save: no one else holds it)."""


@dataclass(slots=True)
class _Stored:
    keys: tuple[str, ...] | None = None
    """The index's keys (the very tuple) the state below was made for."""
    digests: object = None
    """The digests map it was made from."""
    state: SearchState | None = None
    """What was made."""
    at: dict[str, int] = field(default_factory=dict)
    """Each key's place in ``keys``."""


def shown_docs(docs: Mapping[str, tuple[str, DocEntry]], memo: SaveMemo) -> dict[str, SearchDoc]:
    """``lazydoc.kept_docs(docs)``: the last save's with the documents of the notes the
    search documents' stage says it changed replaced (no step per note)."""
    last: _Shown = memo.slot("shown-docs", _Shown)
    moved = memo.moved("search-docs", last.given, docs) if last.shown is not None else None
    shown = last.shown
    if moved is None or shown is None:
        shown = kept_docs(docs)
    else:
        for key in moved:
            shown[key] = docs[key][1][1]
        memo.count("shown-doc", len(moved))
    last.given, last.shown = docs, shown
    return shown


def search_state(
    index: SearchIndex,
    digests: Mapping[str, str],
    previous: SearchState | None,
    max_body_chars: int,
    memo: SaveMemo,
) -> SearchState:
    """``state_of(index, digests, sizes_of(index.docs, digests, previous, max_body_chars))``:
    ``previous`` (when it is the state made here last) patched at the notes whose digests the
    stage that made them says moved, while the index's notes are in the same order."""
    last: _Stored = memo.slot("search-state", _Stored)
    keys = memo.index.keys
    moved = None
    if keys is not None and last.keys is keys and previous is last.state is not None:
        moved = memo.moved("search-digests", last.digests, digests)
    if moved is None or previous is None or keys is None:
        state = state_of(index, digests, sizes_of(index.docs, digests, previous, max_body_chars))
        last.keys = keys if keys is not None and keys == state.keys else None
        last.at = {k: i for i, k in enumerate(state.keys)} if last.keys is not None else {}
    else:
        found, sized = list(previous.digests), list(previous.sizes)
        for key in moved:
            i = last.at[key]
            found[i] = digests[key]
            sized[i] = doc_size(index.docs[i], max_body_chars)
        terms, postings = index.terms, index.postings
        state = SearchState(keys, tuple(found), index.lengths, terms, postings, tuple(sized))
        memo.count("state-doc", len(moved))
    last.digests, last.state = digests, state
    return state

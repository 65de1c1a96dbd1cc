"""The types of the build cache's files (``incremental.store``): what an entry file holds per
note, what the index holds, and what is said of a file that could not be used. Decoded against
these by ``incremental.codec``: a file can hold only values of the declared types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from papernotes.bib.styles import Reference
    from papernotes.errors import Diagnostic
    from papernotes.incremental.searchstate import SearchState, StoredDoc
    from papernotes.incremental.summary import PlanSummary
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import Note
    from papernotes.search.index import DocTerms

__all__ = ["CacheIndex", "Damage", "NoteRecord"]


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """The types of one note file's part of the cache, in the order its entry file holds them
    (the note in the first line, each other part in a line of its own, with its fingerprint in
    the first line: ``Parts``)."""

    path: str
    """The note file, as ``BuildCache.notes`` keys it."""
    note: tuple[str, Note | None, tuple[Diagnostic, ...]]
    """Its text digest, the note as parsed (None when it has errors) and its problems."""
    body: RenderedBody | None
    """Its rendered body (fingerprinted by its body fingerprint); None when not rendered."""
    terms: DocTerms | None
    """Its search terms (by its search document's digest); None when it has none."""
    refs: tuple[Reference, ...] | None
    """Its formatted references (by its CSL item's digest); None when it has none."""
    doc: tuple[str, StoredDoc] | None = None
    """Its search document's digest and the document (by its body fingerprint)."""


@dataclass(frozen=True, slots=True)
class CacheIndex:
    """What ``index.json`` holds."""

    key: str
    """The cache key of the build that wrote it."""
    pages: dict[str, str]
    """Output path → fingerprint of what the page was made from."""
    entries: dict[str, str]
    """Note file → the version of its entry file."""
    search: SearchState | None = None
    """The search index as built (``incremental.searchstate``), or None."""
    summary: PlanSummary | None = None
    """What each note's fingerprints were made from (``incremental.summary``), or None."""


class Damage(NamedTuple):
    """A cache file that could not be used: the build does again what it held."""

    file: str
    """The file, relative to the library (``.papernotes/cache/index.json``)."""
    why: str
    """What is wrong with it, in a few words."""
    note: str | None = None
    """The note file whose entry it is; None for the index."""

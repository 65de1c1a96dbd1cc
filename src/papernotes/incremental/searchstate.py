"""The search index kept on disk from one build to the next, so that ``papernotes build`` after
an edit re-encodes only the postings the edit moved (``serve`` does the same in memory:
``incremental.searchmemo``).

The last build's index is stored in the cache as a :class:`SearchState`: the notes in index
order with the digest of each one's search document, the body lengths, and every term with its
encoded postings (at 1,000 notes about 600 KB). A build whose notes come in the same order
decodes only the posting lists of the terms whose value changed in the notes whose search
document changed, and keeps every other list as the encoded string it was; any other change
(a note added, removed or moved in the order, a state that does not fit) builds the index from
every note's terms, as ``search.index.build_index`` does. The cache is untrusted: the state's
shape is checked, and every posting list that is read must hold the terms the cache says the
changed notes had; the lists that are kept as they were are only checked to be VLQ digits (the
site shows them as data, never as markup or code). Either way the index is the same
(``tests/test_incremental_searchstate.py`` holds it to ``build_index``).

Each note's search document is kept in the cache too, keyed by its body fingerprint (which
covers the note's whole text and what its rendered body shows), so an unchanged note's document
is neither cleaned nor hashed again.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, cast

from papernotes.errors import PapernotesError
from papernotes.incremental.cache import digest
from papernotes.incremental.lazy import fingerprints
from papernotes.incremental.lazydoc import in_stored_order, with_kept
from papernotes.incremental.reuse import reuse
from papernotes.search.index import (
    INDEX_FORMAT,
    DocTerms,
    SearchDoc,
    SearchIndex,
    build_index,
    decode_pairs,
    doc_terms,
    encode_pairs,
    interned,
)
from papernotes.search.text import new_folds

if TYPE_CHECKING:
    from papernotes.incremental.cache import BuildCache
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.incremental.spool import Spool
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import Library, Note

__all__ = [
    "DocEntry",
    "SearchState",
    "StoredDoc",
    "doc_entry",
    "search_docs",
    "search_inputs",
    "search_terms",
    "state_of",
    "stored_indexer",
]

DocEntry = tuple[str, SearchDoc]
"""A note's search document digest (what its terms are reused by) and the document."""


@dataclass(frozen=True, slots=True)
class SearchState:
    """A built search index as the cache stores it."""

    keys: tuple[str, ...]
    """The notes' citekeys in index order."""
    digests: tuple[str, ...]
    """The digest of each note's search document, in index order (what its terms came from)."""
    lengths: tuple[int, ...]
    """Each note's body length in tokens, in index order."""
    terms: tuple[str, ...]
    """Every term, in the index's order (UTF-16 code units)."""
    postings: tuple[str, ...]
    """The encoded postings of each term."""
    sizes: tuple[int, ...] = ()
    """Each note's document size in its shard (``lazydoc.doc_size``), in index order."""


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """A search document as the cache stores it (the cache's codec takes no ``int | str``)."""

    fields: tuple[str, ...]
    """Its text fields in ``SearchDoc``'s order, without ``year`` and ``tags``."""
    tags: tuple[str, ...]
    """Its tags."""
    year: int | None
    """Its year, or None when it shows a label instead."""
    year_label: str
    """The label shown instead of a year ("n.d."), or "" when it has a year."""

    @classmethod
    def of(cls, doc: SearchDoc) -> StoredDoc:
        text = tuple(getattr(doc, name) for name in _TEXT_FIELDS)
        if isinstance(doc.year, int):
            return cls(text, doc.tags, doc.year, "")
        return cls(text, doc.tags, None, doc.year)

    def restored(self) -> SearchDoc:
        """The document as it was; ValueError when the stored fields do not make one."""
        if len(self.fields) != len(_TEXT_FIELDS):
            raise ValueError("a search document of another shape")
        year = self.year if self.year is not None else self.year_label
        return SearchDoc(
            **dict(zip(_TEXT_FIELDS, self.fields, strict=True)), year=year, tags=self.tags
        )


_TEXT_FIELDS = tuple(f.name for f in fields(SearchDoc) if f.name not in ("year", "tags"))


def state_of(
    index: SearchIndex, digests: Mapping[str, str], sizes: tuple[int, ...] = ()
) -> SearchState:
    """What the cache keeps of ``index``, whose notes' search documents have ``digests`` (and
    ``sizes``, ``lazydoc.sizes_of``)."""
    keys = tuple(map(attrgetter("key"), index.docs))
    found = tuple(map(digests.__getitem__, keys))
    return SearchState(keys, found, index.lengths, index.terms, index.postings, sizes)


def doc_entry(note: Note, text: str) -> DocEntry:
    """``note``'s search document, whose rendered body's plain text is ``text``, and its
    digest (what :func:`search_docs` makes of each note)."""
    # The index format is in the digest: terms cached under another format (a theme of the
    # library's own keeps the cache key when search.js changes) are made again, not reused.
    doc = SearchDoc.of_note(note, text)
    return digest(INDEX_FORMAT, doc), doc


def _made(note: Note, body: RenderedBody) -> DocEntry:
    return doc_entry(note, body.text)


def search_docs(
    library: Library,
    bodies: Mapping[str, tuple[str, RenderedBody]],
    previous: Mapping[str, tuple[str, DocEntry]],
    memo: SaveMemo | None = None,
    body_fps: Mapping[str, str] | None = None,
) -> Mapping[str, tuple[str, DocEntry]]:
    """Citekey → (body fingerprint, (document digest, search document)) of every note: the
    last build's where the body fingerprint (and the index format) is the same (the same text,
    the same rendered body: the same document), else made now. With ``memo`` and the body
    fingerprints ``body_fps`` (``serve``), those of the notes whose fingerprints moved alone
    (``incremental.searchpatch``)."""
    if memo is not None and body_fps is not None:
        from papernotes.incremental import searchpatch

        given, by_key = body_fps, cast("Mapping[str, Note]", library.notes)

        def want(key: str) -> str:
            return searchpatch.doc_fingerprint(given[key])

        def make(key: str) -> DocEntry:
            return _made(by_key[key], bodies[key][1])

        source = ("body-fp", body_fps)
        patched = searchpatch.patch(memo, "search-docs", source, body_fps, previous, want, make)
        if patched is not None:
            return patched
        docs = search_docs(library, bodies, previous)
        searchpatch.kept(memo, "search-docs", body_fps, docs)
        return docs
    # Keyed by the index format too (see ``_made``). The body looked up only for a document
    # made now: a kept one's stays undecoded.
    body_fps = fingerprints(bodies)
    notes = library.notes  # at C speed: a save's pass over every note costs no Python step
    made = map(f"{INDEX_FORMAT}:".__add__, map(body_fps.get, notes, repeat("")))
    paired = zip(made, notes.values(), strict=True)
    wanted: dict[str, tuple[str, Note]] = dict(zip(notes, paired, strict=True))
    # Serial: cleaning a body is quick, and the pair would have to travel to a worker.
    return reuse(wanted, previous, lambda n: _made(n, bodies[n.key][1]), workers=1)


def search_terms(
    docs: Mapping[str, tuple[str, DocEntry]],
    previous: Mapping[str, tuple[str, DocTerms]],
    workers: int,
) -> Mapping[str, tuple[str, DocTerms]]:
    """Citekey → (document digest, its search terms): the last build's where the document is
    the same, else tokenised now (over ``workers`` processes when there are many)."""
    folds = new_folds()  # a memo of folded characters, shared by the notes tokenised here
    # Memory: each note's terms arrive as strings of their own (from a worker, or the cache,
    # which interns them as it decodes them). One shared copy of each term: at 1,000 notes
    # the terms take 7 MiB instead of 23. They are interned as each slice arrives: interned
    # after all had come, the copies left holes the size of the terms in the heap (at 2,000
    # notes, 21 MiB of free blocks that stayed to the end). What the last build in this
    # process kept (serve's previous) is interned already, and terms read from disk are
    # decoded only when needed.
    return reuse(
        dict(zip(docs, map(itemgetter(1), docs.values()), strict=True)),
        previous,
        lambda doc: doc_terms(doc, folds),
        workers=workers,
        own=interned,
    )


def search_inputs(
    library: Library,
    bodies: Mapping[str, tuple[str, RenderedBody]],
    previous: BuildCache | None,
    memo: SaveMemo | None,
    workers: int,
    docs: Mapping[str, tuple[str, DocEntry]] | None = None,
    spool: Spool | None = None,
    terms: Mapping[str, tuple[str, DocTerms]] | None = None,
) -> tuple[
    Mapping[str, tuple[str, DocEntry]],
    Mapping[str, tuple[str, DocTerms]],
    dict[str, str],
    Callable[..., SearchIndex],
]:
    """What stage 4 makes the search index from: each note's search document (as
    :func:`search_docs`), its terms (:func:`search_terms`), the documents' digests, and the
    indexer: ``serve``'s, which updates the index it keeps in memory, or one that updates the
    index the last build stored (:func:`stored_indexer`). A cold build's ``spool`` takes the
    terms as they are made, unless made with the bodies (``terms``, packed already)."""
    if docs is None:  # else made by the caller (who may then let go of the bodies)
        docs = search_docs(library, bodies, previous.docs if previous else {})
    old_terms = previous.terms if previous else {}
    if memo is not None:
        return (docs, *_served_terms(memo, docs, old_terms, workers), memo.index)
    state = previous.search if previous else None
    docs = with_kept(docs, state)  # the documents kept from the cache are not decoded (``lazydoc``)
    if terms is None and spool is not None:  # a cold build's: spooled as made (``packed``)
        from papernotes.incremental.packed import tokenise_packed

        terms = tokenise_packed(docs, workers, spool)
    elif terms is None:
        terms = search_terms(docs, old_terms, workers)
    entries = map(itemgetter(1), docs.values())
    digests = dict(zip(docs, map(itemgetter(0), entries), strict=True))
    return docs, terms, digests, stored_indexer(state, old_terms, digests)


def _served_terms(
    memo: SaveMemo,
    docs: Mapping[str, tuple[str, DocEntry]],
    old_terms: Mapping[str, tuple[str, DocTerms]],
    workers: int,
) -> tuple[Mapping[str, tuple[str, DocTerms]], dict[str, str]]:
    """``serve``'s terms and document digests: the last save's, with those of the documents
    made again this save (``incremental.searchpatch``), or made as a build makes them."""
    from papernotes.incremental import searchpatch

    def want(key: str) -> str:
        return docs[key][1][0]

    folds = new_folds()

    def make(key: str) -> DocTerms:
        return interned(doc_terms(docs[key][1][1], folds))

    source = ("search-docs", docs)
    patched = searchpatch.patch(memo, "search-terms", source, docs, old_terms, want, make)
    last: searchpatch.Last = memo.slot("search-digests", searchpatch.Last)
    if patched is not None and isinstance(last.made, dict):
        moved = memo.moved("search-terms", old_terms, patched)
        if last.given is old_terms and moved is not None:
            digests: dict[str, str] = {**last.made, **{k: want(k) for k in moved}}
            memo.record("search-digests", last.made, digests, moved)  # ``statememo``'s
            last.given, last.made = patched, digests
            return patched, digests
    terms: Mapping[str, tuple[str, DocTerms]]
    if patched is None:
        terms = search_terms(docs, old_terms, workers)
        searchpatch.kept(memo, "search-terms", docs, terms)
    else:
        terms = patched
    entries = map(itemgetter(1), docs.values())
    digests = dict(zip(docs, map(itemgetter(0), entries), strict=True))
    last.given, last.made = terms, digests
    return terms, digests


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be", "surrogatepass")


def stored_indexer(
    state: SearchState | None,
    old_terms: Mapping[str, tuple[str, DocTerms]],
    digests: Mapping[str, str],
) -> Callable[..., SearchIndex]:
    """An indexer for ``search.shards.search_files``: ``build_index``, but from ``state`` (the
    last build's index) when the notes are in the same order and the terms they had then
    (``old_terms``, by document digest) are at hand. ``digests`` are this build's."""

    def index(
        docs: Iterable[SearchDoc],
        *,
        terms_of: Callable[[SearchDoc], DocTerms] | None = None,
        order: Callable[[SearchDoc], Any],
    ) -> SearchIndex:
        # The documents kept from the cache are not read to sort them (``lazydoc``).
        ordered = in_stored_order(docs, order, state, digests)
        keys = tuple(doc.key for doc in ordered)
        if state is None or terms_of is None or keys != state.keys or not _sound(state):
            return build_index(ordered, terms_of=terms_of, order=order)
        changed = [i for i, k in enumerate(keys) if digests[k] != state.digests[i]]
        before = [old_terms.get(keys[i]) for i in changed]
        if any(b is None or b[0] != state.digests[i] for b, i in zip(before, changed, strict=True)):
            return build_index(ordered, terms_of=terms_of, order=order)
        after = [terms_of(ordered[i]) for i in changed]
        try:
            olds = [b[1] for b in before if b is not None]
            return _update(state, ordered, changed, olds, after)
        except _Unfit:  # the stored postings do not hold the stored terms: start over
            return build_index(ordered, terms_of=terms_of, order=order)

    return index


class _Unfit(PapernotesError):
    """The stored index does not fit the stored terms (a cache edited by hand, or crafted)."""


_POSTINGS = re.compile(r"[A-Za-z0-9+/]+(?: [A-Za-z0-9+/]+)*")


def _sound(state: SearchState) -> bool:
    """Whether ``state`` has the shape of an index: a value for each note, postings for each
    term, no term with a space (the shards join them with spaces) and postings of VLQ digits
    only (they reach the site as they are)."""
    n = len(state.keys)
    return (
        len(state.digests) == n == len(state.lengths)
        and len(state.terms) == len(state.postings)
        and all(" " not in t and t for t in state.terms)
        and (not state.postings or _POSTINGS.fullmatch(" ".join(state.postings)) is not None)
    )


def _update(
    state: SearchState,
    ordered: tuple[SearchDoc, ...],
    changed: list[int],
    before: list[DocTerms],
    after: list[DocTerms],
) -> SearchIndex:
    """``state``'s index with the postings of the ``changed`` notes moved from ``before`` to
    ``after``: only the lists of the terms whose value moved are decoded and encoded again."""
    encoded = dict(zip(state.terms, state.postings, strict=True))
    touched: dict[str, list[tuple[int, int]]] = {}

    def postings_of(term: str) -> list[tuple[int, int]]:
        found = touched.get(term)
        if found is None:
            try:
                found = decode_pairs(encoded[term]) if term in encoded else []
            except ValueError:
                raise _Unfit from None
            touched[term] = found
        return found

    lengths = list(state.lengths)
    for doc_id, (_, old), (length, new) in zip(changed, before, after, strict=True):
        lengths[doc_id] = length
        for term, value in old.items():
            if new.get(term) != value:
                postings = postings_of(term)
                at = bisect.bisect_left(postings, (doc_id, -1))
                if at == len(postings) or postings[at] != (doc_id, value):
                    raise _Unfit
                del postings[at]
        for term, value in new.items():
            if old.get(term) != value:
                postings = postings_of(term)
                at = bisect.bisect_left(postings, (doc_id, -1))
                if at < len(postings) and postings[at][0] == doc_id:
                    raise _Unfit
                postings.insert(at, (doc_id, value))
    vocabulary_moved = False
    for term, postings in touched.items():
        if postings:
            vocabulary_moved |= term not in encoded
            encoded[term] = encode_pairs(postings)
        else:
            vocabulary_moved = True
            del encoded[term]
    # The sort only when a term came or went: most edits add and remove none.
    terms = tuple(sorted(encoded, key=_utf16)) if vocabulary_moved else state.terms
    return SearchIndex(ordered, tuple(lengths), terms, tuple(encoded[t] for t in terms))

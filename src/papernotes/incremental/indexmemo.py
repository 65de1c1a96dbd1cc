"""The search index kept from one save to the next, so that a save re-encodes only the terms of
the notes it changed.

``search.index.build_index`` sorts every term of every note and encodes every posting list: at
1,000 notes that is a third of a save's work in ``serve``, although a body edit touches a few
hundred terms. :class:`IndexMemo` gives the same :class:`~papernotes.search.index.SearchIndex`
(``tests/test_incremental_searchmemo.py`` holds it to ``build_index``): when the notes are the
same ones in the same order, it moves only the postings of the notes whose terms changed and
encodes only the terms those postings are in; otherwise it builds the index as
``build_index`` does and keeps what the next save needs.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter, is_not, itemgetter, ne, sub
from typing import Any, NamedTuple

from papernotes.search.index import (
    DocTerms,
    Posting,
    SearchDoc,
    SearchIndex,
    build_index,
    encode_postings,
    vlq_numbers,
)

__all__ = ["IndexMemo", "Moves"]

_Found = dict[str, list[tuple[int, int]]]
_TABLE = 1 << 15
"""Numbers below this are looked up (three VLQ digits at most)."""


@dataclass(frozen=True, slots=True)
class _Kept:
    """What one index was made from, and the index."""

    keys: tuple[str, ...]
    """The notes' keys in index order."""
    packed: tuple[DocTerms, ...]
    """Each note's terms, in index order."""
    found: _Found
    """Term → [(note number, ``fields << 4 | body_tf``)] by ascending note: never changed in
    place once kept (a save copies the lists it changes)."""
    index: SearchIndex
    """The index itself."""
    moves: Moves | None = None
    """What moved since the index before (None: built from nothing)."""


class Moves(NamedTuple):
    """How one index differs from the one before it: the terms whose postings differ (added
    and gone ones too), the other terms' postings being the same strings, in the same order."""

    before: tuple[str, ...]
    """The terms of the index before (the very tuple)."""
    terms: frozenset[str]
    """The terms added, gone or whose postings changed."""


_key = attrgetter("key")
_first = itemgetter(0)


def _utf16(term: str) -> bytes:
    # The order search.js compares terms in (build_index sorts by the same key).
    return term.encode("utf-16-be", "surrogatepass")


def _vlq(number: int) -> str:
    return vlq_numbers((number,))


class _Encoder:
    """``encode_postings`` at C speed: every number below :data:`_TABLE` is looked up, so a
    list of a thousand postings (a common word's) is joined without a Python loop."""

    def __init__(self) -> None:
        self._digits = [_vlq(n) for n in range(_TABLE)]
        # Indexed by the difference of note numbers, 1 more than the gap that is encoded.
        self._gaps = ["", *self._digits[: _TABLE - 1]]

    def __call__(self, postings: Sequence[tuple[int, int]]) -> str:
        docs = list(map(itemgetter(0), postings))
        out: list[str] = [""] * (2 * len(postings))
        try:
            out[0::2] = map(self._gaps.__getitem__, map(sub, docs, [-1, *docs]))
            out[1::2] = map(self._digits.__getitem__, map(itemgetter(1), postings))
        except IndexError:  # a gap of more than 32,767 notes: rare, and correct either way
            return encode_postings(Posting(doc, v >> 4, v & 15) for doc, v in postings)
        return "".join(out)


class IndexMemo:
    """Builds search indexes like ``build_index``, reusing the last one it built."""

    def __init__(self) -> None:
        self._kept: _Kept | None = None
        self._encode = _Encoder()
        self._sorted: tuple[tuple[SearchDoc, ...], list[int], list[Any]] | None = None
        """The documents last given, the order they were put in, and each one's sort key."""
        self.sorted = 0
        """Sort keys made (a document's ``order``): what a test counts."""
        self.looked = 0
        """Documents whose terms were looked up (``terms_of``): what a test counts."""
        self._source: tuple[object, object] | None = None
        """The documents and terms maps (``serve``'s) the kept index was made from."""
        self._told: tuple[Collection[str] | None, tuple[object, object]] | None = None
        """What :meth:`tell` said of the next call: the keys that moved, and the maps."""
        self._where: dict[str, int] | None = None
        """Each document's key → its place in the documents last given."""
        self._at: tuple[tuple[str, ...], dict[str, int]] | None = None
        """The kept keys (in index order) and each one's place in them."""
        self.placed = 0
        """Places put in those two maps (a key each): what a test counts."""
        self._listed: tuple[object, Sequence[str] | None] = (None, None)
        """The documents map and keys :meth:`listed` was last given."""

    def tell(
        self,
        docs: object,
        terms: object,
        moved: Callable[[str, object, object], Collection[str] | None],
    ) -> None:
        """Say what the next call indexes: the documents and terms maps (``serve``'s, by key)
        it is given through ``terms_of`` and its documents. When the stages that made them
        say (``moved``, ``SaveMemo.moved``) which keys differ from the maps of the last
        index, the next call looks at those alone: no pass over every note."""
        last, keys = self._source, None
        if last is not None:
            in_docs = moved("search-docs", last[0], docs)
            in_terms = moved("search-terms", last[1], terms)
            if in_docs is not None and in_terms is not None:
                keys = {*in_docs, *in_terms}
        self._told = (keys, (docs, terms))

    def _sort(
        self, docs: tuple[SearchDoc, ...], order: Callable[[SearchDoc], Any]
    ) -> tuple[SearchDoc, ...]:
        """``tuple(sorted(docs, key=order))``; when the documents come as last time but a few
        other objects whose sort keys are the same (an edit of a body), the last order again
        without a sort key made for the others."""
        last = self._sorted
        if last is not None and len(last[0]) == len(docs):
            before, positions, keys = last
            moved = list(compress(range(len(docs)), map(is_not, docs, before)))
            self.sorted += len(moved)
            if all(order(docs[i]) == keys[i] for i in moved):  # a stable sort: the same order
                self._sorted = (docs, positions, keys)
                return tuple(map(docs.__getitem__, positions))
        keys = [order(doc) for doc in docs]
        self.sorted += len(docs)
        self._where = None  # the documents may come in another order
        positions = sorted(range(len(docs)), key=keys.__getitem__)
        self._sorted = (docs, positions, keys)
        return tuple(map(docs.__getitem__, positions))

    def listed(
        self,
        docs: Mapping[str, SearchDoc],
        keys: Sequence[str],
        *,
        terms_of: Callable[[SearchDoc], DocTerms],
        order: Callable[[SearchDoc], Any],
    ) -> SearchIndex:
        """The index of ``docs[k]`` for each of ``keys`` (``serve``'s: the documents by key,
        the library's keys in its order). Told which keys moved (:meth:`tell`), with the
        very keys of the last call, the documents last given with those replaced: not every
        key looked up."""
        told, last, where = self._told, self._sorted, self._where
        same = docs is self._listed[0] and (keys is self._listed[1] or keys == self._listed[1])
        moved = None
        if same and told is not None and told[0] is not None and where is not None:
            moved = [(where.get(key, -1), key) for key in told[0]]
        if last is None or moved is None or any(i < 0 for i, _ in moved):
            given = tuple(map(docs.__getitem__, keys))
        else:
            patched = list(last[0])
            for i, key in moved:
                patched[i] = docs[key]
            given = tuple(patched)
        index = self(given, terms_of=terms_of, order=order)
        self._listed = (docs, keys)  # after: a call of its own forgets them
        return index

    def __call__(
        self,
        docs: Iterable[SearchDoc],
        *,
        terms_of: Callable[[SearchDoc], DocTerms] | None = None,
        order: Callable[[SearchDoc], Any],
    ) -> SearchIndex:
        """The index of ``docs``, as ``build_index(docs, terms_of=terms_of, order=order)``."""
        told, self._told, self._source = self._told, None, None
        self._listed = (None, None)
        given = tuple(docs)
        if told is not None and told[0] is not None and terms_of is not None:
            index = self._told_index(given, terms_of, order, told[0])
            if index is not None:
                self._source = told[1]
                return index
        ordered = self._sort(given, order)
        if terms_of is None:
            return build_index(ordered, order=order)  # nothing to tell an edit by
        packed = tuple(map(terms_of, ordered))
        self.looked += len(packed)
        keys = tuple(map(_key, ordered))
        kept = self._kept
        if kept is None or kept.keys != keys:
            self._kept = _full(ordered, keys, packed, order)
        else:
            self._kept = _update(kept, ordered, packed, self._encode)
        self._source = None if told is None else told[1]
        if told is not None:  # serve: made now, not by the first save (50,000 notes: 20 ms)
            self._places()
        return self._kept.index

    def _places(self) -> None:
        """Each document's place in those last given, and each kept key's in index order:
        what a save looks the notes it changed up by."""
        last, kept = self._sorted, self._kept
        if last is not None and self._where is None:
            self._where = {doc.key: i for i, doc in enumerate(last[0])}
            self.placed += len(self._where)
        if kept is not None and (self._at is None or self._at[0] is not kept.keys):
            self._at = (kept.keys, {key: i for i, key in enumerate(kept.keys)})
            self.placed += len(kept.keys)

    def _told_index(
        self,
        docs: tuple[SearchDoc, ...],
        terms_of: Callable[[SearchDoc], DocTerms],
        order: Callable[[SearchDoc], Any],
        moved: Collection[str],
    ) -> SearchIndex | None:
        """The kept index with the documents of ``moved`` alone looked at (every other one is
        the very document, with the very terms, it was); None when one of them moved in the
        order, or is not there."""
        kept, last = self._kept, self._sorted
        if kept is None or last is None or len(last[0]) != len(docs):
            return None
        _, positions, sort_keys = last
        self._places()
        where = self._where
        assert where is not None  # made from ``last``
        given = [where.get(key, -1) for key in moved]
        if any(i < 0 or docs[i].key != key for i, key in zip(given, moved, strict=True)):
            return None
        self.sorted += len(given)
        if any(order(docs[i]) != sort_keys[i] for i in given):
            return None
        self._sorted = (docs, positions, sort_keys)
        at = self._at
        assert at is not None and at[0] is kept.keys  # made with ``where``
        # The others are the very documents, each in its place: the kept order, patched.
        placed = list(kept.index.docs)
        for key, i in zip(moved, given, strict=True):
            placed[at[1][key]] = docs[i]
        ordered = tuple(placed)
        packed = list(kept.packed)
        for key in moved:
            i = at[1][key]
            packed[i] = terms_of(ordered[i])
        self.looked += len(moved)
        changed = sorted(i for i in map(at[1].__getitem__, moved) if packed[i] != kept.packed[i])
        self._kept = _update(kept, ordered, tuple(packed), self._encode, changed)
        return self._kept.index

    @property
    def keys(self) -> tuple[str, ...] | None:
        """The notes' keys in the last index's order: the very tuple while no note came, went
        or moved in the order (None: no index made yet)."""
        return None if self._kept is None else self._kept.keys

    @property
    def moves(self) -> Moves | None:
        """How the last index made differs from the one before (None: made from nothing)."""
        return None if self._kept is None else self._kept.moves


def _full(
    ordered: tuple[SearchDoc, ...],
    keys: tuple[str, ...],
    packed: tuple[DocTerms, ...],
    order: Callable[[SearchDoc], Any],
) -> _Kept:
    by_key = dict(zip(keys, packed, strict=True))
    index = build_index(ordered, terms_of=lambda doc: by_key[doc.key], order=order)
    found: _Found = {}
    for doc_id, (_, terms) in enumerate(packed):
        for term, value in terms.items():
            found.setdefault(term, []).append((doc_id, value))
    return _Kept(keys, packed, found, index)


def _update(
    kept: _Kept,
    ordered: tuple[SearchDoc, ...],
    packed: tuple[DocTerms, ...],
    encode: Callable[[Sequence[tuple[int, int]]], str],
    told: list[int] | None = None,
) -> _Kept:
    """``kept`` with the notes whose terms differ moved (``told``, in ascending order: the
    only places where ``packed`` may differ from ``kept.packed``; None: compared)."""
    if told is None:
        changed = list(compress(range(len(packed)), map(ne, kept.packed, packed)))
    else:
        changed = told
    found = dict(kept.found)
    copied: set[str] = set()

    def postings_of(term: str) -> list[tuple[int, int]]:
        if term not in copied:  # copy on first write: the kept lists stay as they were
            copied.add(term)
            found[term] = list(found.get(term, ()))
        return found[term]

    for doc_id in changed:
        before, after = kept.packed[doc_id][1], packed[doc_id][1]
        # Only the terms whose posting moved: a sentence added changes the counts of a few
        # of a note's hundreds of terms (its length is in ``lengths``, not in the postings).
        for term, value in before.items():
            if after.get(term) != value:
                postings = postings_of(term)
                del postings[bisect.bisect_left(postings, (doc_id, -1))]
        for term, value in after.items():
            if before.get(term) != value:
                bisect.insort(postings_of(term), (doc_id, value))
    gone = {term for term in copied if not found[term]}
    for term in gone:
        del found[term]
    old = kept.index
    if told is None:
        lengths = tuple(map(_first, packed))
    else:  # the others' lengths are the kept ones
        patched = list(old.lengths)
        for doc_id in changed:
            patched[doc_id] = packed[doc_id][0]
        lengths = tuple(patched)
    # Most saves add and remove no term: the postings moved are put in place, no sort, no
    # pass over the vocabulary. A term added or gone is put in or taken out where the order
    # has it (a bisection): a word new to the library is no pass over the vocabulary either.
    terms, lists = old.terms, list(old.postings)
    if gone or not all(term in kept.found for term in copied):
        terms = _placed(list(old.terms), lists, gone, [t for t in copied if t not in kept.found])
    for term in copied - gone:
        lists[bisect.bisect_left(terms, _utf16(term), key=_utf16)] = encode(found[term])
    index = SearchIndex(ordered, lengths, tuple(terms), tuple(lists))
    return _Kept(kept.keys, packed, found, index, Moves(old.terms, frozenset(copied)))


def _placed(
    terms: list[str], lists: list[str], gone: Iterable[str], added: Iterable[str]
) -> tuple[str, ...]:
    """``terms`` (in index order) without ``gone`` and with ``added``, ``lists`` (their
    postings) kept in step: an added term's postings are put in after."""
    for term in gone:
        at = bisect.bisect_left(terms, _utf16(term), key=_utf16)
        del terms[at], lists[at]
    for term in added:
        at = bisect.bisect_left(terms, _utf16(term), key=_utf16)
        terms.insert(at, term)
        lists.insert(at, "")
    return tuple(terms)

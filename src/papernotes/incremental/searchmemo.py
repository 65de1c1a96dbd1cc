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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter, is_, is_not, itemgetter, ne, sub
from typing import Any, NamedTuple, TypeVar, cast

from papernotes.search.index import (
    DocTerms,
    Posting,
    SearchDoc,
    SearchIndex,
    build_index,
    encode_postings,
    vlq_numbers,
)

__all__ = ["IndexMemo", "Moves", "SaveMemo", "once", "same"]

_T = TypeVar("_T")
_K = TypeVar("_K")
_N = TypeVar("_N")
_Each = tuple[tuple[Any, ...], object, dict[Any, Any], dict[Any, Any], tuple[Any, ...]]
_Found = dict[str, list[tuple[int, int]]]
_TABLE = 1 << 15
"""Numbers below this are looked up (three VLQ digits at most)."""
_STALE = 256
"""Values a save memo makes before it forgets those no build asked for since."""


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
        positions = sorted(range(len(docs)), key=keys.__getitem__)
        self._sorted = (docs, positions, keys)
        return tuple(map(docs.__getitem__, positions))

    def __call__(
        self,
        docs: Iterable[SearchDoc],
        *,
        terms_of: Callable[[SearchDoc], DocTerms] | None = None,
        order: Callable[[SearchDoc], Any],
    ) -> SearchIndex:
        """The index of ``docs``, as ``build_index(docs, terms_of=terms_of, order=order)``."""
        ordered = self._sort(tuple(docs), order)
        if terms_of is None:
            return build_index(ordered, order=order)  # nothing to tell an edit by
        packed = tuple(map(terms_of, ordered))
        keys = tuple(map(_key, ordered))
        kept = self._kept
        if kept is None or kept.keys != keys:
            self._kept = _full(ordered, keys, packed, order)
        else:
            self._kept = _update(kept, ordered, packed, self._encode)
        return self._kept.index

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
) -> _Kept:
    changed = list(compress(range(len(packed)), map(ne, kept.packed, packed)))
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
    lengths = tuple(map(_first, packed))
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


class SaveMemo:
    """What ``serve`` keeps from one save's stage 4 for the next, beyond the build cache: the
    search index, and values made from one note's objects, kept while those very objects are
    (a note that did not change is the same object from save to save: ``incremental.reuse``)."""

    def __init__(self) -> None:
        self.index = IndexMemo()
        """The search index."""
        self._kept: dict[tuple[str, tuple[int, ...]], tuple[tuple[object, ...], object]] = {}
        self._used: set[tuple[str, tuple[int, ...]]] = set()
        self._last: dict[str, tuple[tuple[object, ...], object]] = {}
        self._used_last: set[str] = set()
        self._made: dict[str, int] = {}
        self._slots: dict[str, object] = {}
        self._each: dict[
            str, tuple[tuple[Any, ...], object, dict[Any, Any], dict[Any, Any], tuple[Any, ...]]
        ]
        self._each = {}
        """Per tag of :meth:`each`: the keys, the token, the notes, the values, and the keys
        made every time."""
        self._stale = 0
        """Values made since the last pass that forgot the unused ones (as many replaced)."""
        self._held: set[str] = set()
        """Tags whose values a stage keeps up to date itself this build (:meth:`hold`)."""
        self.made: dict[str, int] = {}
        """How many values of each tag the last build made afresh (the others were kept):
        what a test asks of a save instead of timing it (``sweep`` sets it)."""
        self._moves: dict[str, tuple[object, object, frozenset[Any]]] = {}
        """Per tag: the last two values a stage gave and the keys where they differ
        (:meth:`moved`)."""

    def slot(self, name: str, make: Callable[[], _T]) -> _T:
        """The state a stage keeps from one save to the next under ``name`` (``make()`` the
        first time): for a stage that works out itself what a save changed."""
        if name not in self._slots:
            self._slots[name] = make()
        return cast(_T, self._slots[name])

    def record(self, tag: str, before: object, after: object, keys: Iterable[Any]) -> None:
        """Say that a stage's value ``after`` differs from its last one, ``before``, at
        ``keys`` alone (no other key came, went or holds another value)."""
        self._moves[tag] = (before, after, frozenset(keys))

    def moved(self, tag: str, before: object, after: object) -> frozenset[Any] | None:
        """The keys where ``after`` differs from ``before``, when the stage that made them
        said so (:meth:`record`) of these very objects; None when not known: the caller
        compares them whole. One set of changed keys, carried from the stage that knows it
        to the later ones, instead of each comparing every note again."""
        said = self._moves.get(tag)
        if said is None or said[0] is not before or said[1] is not after:
            return None
        return said[2]

    def count(self, tag: str, n: int) -> None:
        """Count ``n`` values made afresh under ``tag`` (:attr:`made`), by a stage that keeps
        its own state (:meth:`slot`)."""
        if n:
            self._made[tag] = self._made.get(tag, 0) + n

    def once(self, tag: str, of: tuple[object, ...], make: Callable[[], _T]) -> _T:
        """``make()``, or what it gave last time for these very objects (compared by
        identity: exact, and free of hashing a whole note)."""
        key = (tag, tuple(map(id, of)))
        self._used.add(key)
        hit = self._kept.get(key)
        if hit is not None and all(map(is_, hit[0], of)):  # ids equal: lengths are too
            return cast(_T, hit[1])
        value = make()
        self._made[tag] = self._made.get(tag, 0) + 1
        self._kept[key] = (of, value)  # holding the objects keeps their ids from being reused
        return value

    def each(
        self,
        tag: str,
        notes: Mapping[_K, _N],
        token: object,
        make: Callable[[_K, _N], _T],
        *,
        always: Callable[[_N], bool] | None = None,
        counted: bool = True,
    ) -> dict[_K, _T]:
        """``{k: make(k, n) for k, n in notes.items()}``, where the last call's values are
        kept for the notes that are the very objects they were, the same keys in the same
        order and ``token`` the same object: ``make`` runs for the notes saved (and those
        ``always`` says, each time). A save then costs a comparison per note, not a look-up
        and a call (what :meth:`once` per note cost at 10,000 notes was a tenth of a save).
        Each call of ``make`` counts as a value made under ``tag``, unless not ``counted``
        (a ``make`` that keeps values of its own counts those it makes)."""
        keys = tuple(notes)
        last = self._each.get(tag)
        if last is not None and last[1] is token and last[0] == keys:
            before, out = last[2], dict(last[3])
            # At C speed: the same keys in the same order, so ``before`` has each of them.
            fresh = list(compress(keys, map(is_not, notes.values(), map(before.__getitem__, keys))))
            fresh.extend(k for k in last[4] if notes[k] is before[k])  # not listed yet
        else:
            out, fresh = {}, list(keys)
        for k in fresh:
            out[k] = make(k, notes[k])
        self.count(tag, len(fresh) if counted else 0)
        again = tuple(k for k in fresh if always(notes[k])) if always else ()
        self._each[tag] = (keys, token, dict(notes), out, again)
        given = dict(out)
        if last is not None and last[1] is token and last[0] == keys:
            said = self._moves.get(tag)
            # The keys made again are the only ones that may differ from the last value given.
            self._moves[tag] = (said[1] if said else None, given, frozenset(fresh))
        else:
            self._moves[tag] = (None, given, frozenset())
        return given

    def forget(self, tag: str, of: tuple[object, ...]) -> None:
        """Forget the value made for these objects (a stage that replaced them knows)."""
        self._kept.pop((tag, tuple(map(id, of))), None)

    def hold(self, *tags: str) -> None:
        """Keep the values of ``tags`` through this build's :meth:`sweep` although the build
        did not ask for them: a stage that patched its last output (``incremental.linkmemo``)
        asked for the changed notes' alone, and forgot those they replaced."""
        self._held.update(tags)

    def same(self, tag: str, of: tuple[object, ...], make: Callable[[], _T]) -> _T:
        """``make()``, or what it gave last time for values *equal* to ``of``: for a value made
        from every note (the site's tag, author and year index), where a save brings one new
        note object whose metadata is most often the same. Only the last value is kept."""
        hit = self._last.get(tag)
        self._used_last.add(tag)
        # Equal tuples: the notes that did not change are the same objects (compared by
        # identity first), so this costs one comparison of the note that did.
        if hit is not None and hit[0] == of:
            return cast(_T, hit[1])
        value = make()
        self._made[tag] = self._made.get(tag, 0) + 1
        self._last[tag] = (of, value)
        return value

    def sweep(self) -> None:
        """Forget what the last build did not ask for (notes edited, gone): once enough was
        made since the last time to be worth a pass over everything kept (a save makes a few
        values, and a pass over a value per note and tag each save cost more than the save's
        own work at 5,000 notes). What is not forgotten yet holds the objects it was made
        from, so their ids are never another's; memory holds :data:`_STALE` values more at
        most."""
        self._stale += sum(self._made.values())
        held = self._held
        if self._stale >= _STALE:
            self._kept = {k: v for k, v in self._kept.items() if k in self._used or k[0] in held}
            self._stale = 0
        self._used, self._held = set(), set()
        self._last = {k: v for k, v in self._last.items() if k in self._used_last or k in held}
        self._used_last = set()
        self.made, self._made = self._made, {}


def once(memo: SaveMemo | None, tag: str, of: tuple[object, ...], make: Callable[[], _T]) -> _T:
    """:meth:`SaveMemo.once`, or ``make()`` when there is no memo (a build from the command
    line makes everything once anyway)."""
    return make() if memo is None else memo.once(tag, of, make)


def same(memo: SaveMemo | None, tag: str, of: tuple[object, ...], make: Callable[[], _T]) -> _T:
    """:meth:`SaveMemo.same`, or ``make()`` when there is no memo."""
    return make() if memo is None else memo.same(tag, of, make)

"""What ``serve`` keeps from one save's stage 4 for the next (:class:`SaveMemo`): values made
from one note's objects, kept while those very objects are; the state each stage keeps of its
own (:meth:`SaveMemo.slot`); which keys each stage changed (:meth:`SaveMemo.record`); and the
search index (:class:`~papernotes.incremental.indexmemo.IndexMemo`, re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import compress
from operator import is_, is_not
from typing import Any, TypeVar, cast

from papernotes.incremental.indexmemo import IndexMemo, Moves

__all__ = ["IndexMemo", "Moves", "SaveMemo", "once", "same"]

_T = TypeVar("_T")
_K = TypeVar("_K")
_N = TypeVar("_N")
_Each = tuple[tuple[Any, ...], object, Mapping[Any, Any], dict[Any, Any], tuple[Any, ...]]
_STALE = 256
"""Values a save memo makes before it forgets those no build asked for since; or an eighth
of the values it keeps, when more (a pass over them all then costs a step per value made)."""


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
        self._each: dict[str, _Each] = {}
        """Per tag of :meth:`each`: the keys, the token, the notes, the values, and the keys
        made every time."""
        self._stale = 0
        self.compared = 0
        """Notes :meth:`each` compared with the last call's one by one: what a test counts."""
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

    def embedding(self, notes: Mapping[Any, Any]) -> tuple[Any, ...] | None:
        """Of ``notes`` (a library's, as the link stage made it), the notes with embeds, when
        that stage kept it (``incremental.linkmemo``); None when it did not: look at all."""
        linked = self._slots.get("link")
        return None if linked is None else linked.embedding(notes)  # type: ignore[attr-defined]

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
        last = self._each.get(tag)
        # The notes linking replaced, when it says (the very map this call was last given).
        told = self.moved("notes", last[2], notes) if last and last[1] is token else None
        if last is not None and told is not None:
            keys, before, out = last[0], last[2], dict(last[3])
            fresh = [k for k in told if notes[k] is not before[k]]
            fresh.extend(k for k in last[4] if notes[k] is before[k])  # not listed yet
        elif last is not None and last[1] is token and last[0] == (keys := tuple(notes)):
            before, out = last[2], dict(last[3])
            # At C speed: the same keys in the same order, so ``before`` has each of them.
            fresh = list(compress(keys, map(is_not, notes.values(), map(before.__getitem__, keys))))
            self.compared += len(keys)
            fresh.extend(k for k in last[4] if notes[k] is before[k])  # not listed yet
        else:
            keys = tuple(notes)
            out, fresh, last = {}, list(keys), None
        for k in fresh:
            out[k] = make(k, notes[k])
        self.count(tag, len(fresh) if counted else 0)
        again = tuple(k for k in fresh if always(notes[k])) if always else ()
        # The map itself, not a copy: a library's notes are never changed once made.
        self._each[tag] = (keys, token, notes, out, again)
        given = dict(out)
        # The keys made again are the only ones that may differ from the last value given.
        said = self._moves.get(tag) if last is not None else None
        self._moves[tag] = (said[1] if said else None, given, frozenset(fresh))
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
        own work at 5,000 notes; once every 256 values made, a tenth of a save's at 10,000).
        What is not forgotten yet holds the objects it was made from, so their ids are never
        another's; memory holds :data:`_STALE` values, or an eighth of those kept, more at
        most."""
        self._stale += sum(self._made.values())
        held = self._held
        if self._stale >= max(_STALE, len(self._kept) // 8):
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

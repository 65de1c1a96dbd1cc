"""Keep what the last build made when its inputs are the same; make the rest.

Every cached step of the build (parsing a note, rendering a body, tokenising a note for the
search index) is this one function: inputs keyed and fingerprinted, the last build's values
under the same keys, and a pure function that makes a value from an input. What it returns is
both the step's result and its part of the next build's cache.

When the last build's values come from the cache on disk (``incremental.lazy.Parts``), only
their fingerprints are compared: a kept value is decoded when something reads it, so an edit
build never decodes the search terms of the notes it did not touch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from itertools import compress
from operator import itemgetter, ne
from typing import Generic, TypeVar, cast

from papernotes.incremental.lazy import Parts, Reused
from papernotes.incremental.parallel import Ahead, parallel_iter

__all__ = ["Later", "reuse", "reuse_ahead"]

_K = TypeVar("_K", bound=str)
_T = TypeVar("_T")
_R = TypeVar("_R")


def reuse(
    wanted: Mapping[_K, tuple[str, _T]],
    previous: Mapping[str, tuple[str, _R]],
    make: Callable[[_T], _R],
    *,
    workers: int = 1,
    own: Callable[[_R], _R] | None = None,
    first_here: bool = True,
    life: int | None = None,
    meanwhile: Iterator[object] | None = None,
) -> Mapping[_K, tuple[str, _R]]:
    """``key → (fingerprint, value)`` for every key of ``wanted`` (``key → (fingerprint,
    input)``), in its order: the previous value where the fingerprint is the same, else
    ``make(input)``, run over ``workers`` processes when there are many
    (:func:`~papernotes.incremental.parallel.parallel_iter`).

    ``own`` is applied to each value made here (and, by the caller, to each one read from
    disk), never to one kept in memory, as it arrives from its worker: a value that replaces
    its parts by shared copies (``search.index.interned``) lets the copies go before the next
    results are read, so their memory is reused instead of left in holes. ``first_here`` is
    :func:`~papernotes.incremental.parallel.parallel_iter`'s, and so are ``life`` and
    ``meanwhile``."""
    run = partial(
        parallel_iter, workers=workers, first_here=first_here, life=life, meanwhile=meanwhile
    )
    if isinstance(previous, Parts):
        todo = [k for k, (fp, _) in wanted.items() if previous.fingerprint(k) != fp]
        values = run(make, [wanted[k][1] for k in todo])
        new = dict(zip(todo, values if own is None else map(own, values), strict=True))
        return Reused(wanted, previous, new, make if own is None else lambda x: own(make(x)))
    if type(previous) is dict and len(previous) == len(wanted) and list(previous) == list(wanted):
        return _patched(wanted, previous, make, run, own)
    kept, missing = _split(wanted, previous)
    made = run(make, [wanted[k][1] for k in missing])
    kept.update(zip(missing, made if own is None else map(own, made), strict=True))
    return {key: (fp, kept[key]) for key, (fp, _) in wanted.items()}


class Later(Generic[_K, _R]):
    """What :func:`reuse_ahead` started: called, the mapping :func:`reuse` returns."""

    __slots__ = ("_kept", "_made", "_missing", "_wanted")

    def __init__(
        self,
        wanted: Mapping[_K, tuple[str, object]],
        kept: dict[_K, _R],
        missing: list[_K],
        made: Ahead[_R],
    ) -> None:
        self._wanted, self._kept, self._missing, self._made = wanted, kept, missing, made

    @property
    def forked(self) -> bool:
        """Whether the values are being made in forked workers (else when called)."""
        return self._made.forked

    def __call__(self) -> dict[_K, tuple[str, _R]]:
        """The mapping, once: what it was made from and the values made are let go here
        (a caller that keeps this object, to the build's end, keeps none of them)."""
        kept, wanted, missing = self._kept, self._wanted, self._missing
        self._kept, self._wanted, self._missing = {}, {}, []
        kept.update(zip(missing, self._made, strict=True))
        return {key: (fp, kept[key]) for key, (fp, _) in wanted.items()}


def reuse_ahead(
    wanted: Mapping[_K, tuple[str, _T]],
    previous: Mapping[str, tuple[str, _R]],
    make: Callable[[_T], _R],
    *,
    workers: int,
    here: int = 0,
    life: int | None = None,
) -> Later[_K, _R]:
    """:func:`reuse` (no ``own``), the values to make handed to forked workers now but the
    first ``here`` (:class:`~papernotes.incremental.parallel.Ahead`, and its ``life``): the
    caller goes on with other work and calls the result when it needs the mapping.
    ``previous`` is read now."""
    kept, missing = _split(wanted, previous)
    made = Ahead(make, [wanted[k][1] for k in missing], workers, here=here, life=life)
    return Later(wanted, kept, missing, made)


def _split(
    wanted: Mapping[_K, tuple[str, _T]], previous: Mapping[str, tuple[str, _R]]
) -> tuple[dict[_K, _R], list[_K]]:
    """The previous values whose fingerprint is the same, and the keys to make again."""
    kept: dict[_K, _R] = {}
    missing: list[_K] = []
    for key, (fp, _) in wanted.items():
        hit = previous.get(key)
        if hit is not None and hit[0] == fp:
            kept[key] = hit[1]
        else:
            missing.append(key)
    return kept, missing


def _patched(
    wanted: Mapping[_K, tuple[str, _T]],
    previous: dict[str, tuple[str, _R]],
    make: Callable[[_T], _R],
    run: Callable[[Callable[[_T], _R], list[_T]], Iterator[_R]],
    own: Callable[[_R], _R] | None,
) -> Mapping[_K, tuple[str, _R]]:
    """:func:`reuse` of the last build's values kept in memory (``serve``'s): a copy of them
    with the changed keys' values made again, the fingerprints compared without a Python
    step per key (a loop and a tuple per key was 15 ms of a 10,000-note save, each of the
    five times a save reuses). The result is the loop's: the same keys in the same order,
    each with a fingerprint equal to ``wanted``'s."""
    keys = list(wanted)  # the keys of ``previous`` in the same order: the caller saw to it
    now = map(itemgetter(0), wanted.values())
    then = map(itemgetter(0), previous.values())
    missing = list(compress(keys, map(ne, now, then)))
    made = run(make, [wanted[k][1] for k in missing])
    out: dict[_K, tuple[str, _R]] = cast("dict[_K, tuple[str, _R]]", dict(previous))
    for key, value in zip(missing, made if own is None else map(own, made), strict=True):
        out[key] = (wanted[key][0], value)
    return out

"""Keep what the last build made when its inputs are the same; make the rest.

Every cached step of the build (parsing a note, rendering a body, tokenising a note for the
search index) is this one function: inputs keyed and fingerprinted, the last build's values
under the same keys, and a pure function that makes a value from an input. What it returns is
both the step's result and its part of the next build's cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from papernotes.incremental.parallel import parallel_iter

__all__ = ["reuse"]

_K = TypeVar("_K", bound=str)
_T = TypeVar("_T")
_R = TypeVar("_R")


def reuse(
    wanted: Mapping[_K, tuple[str, _T]],
    previous: Mapping[str, tuple[str, _R]],
    make: Callable[[_T], _R],
    *,
    workers: int = 1,
    adopt: Callable[[_R], _R] | None = None,
) -> dict[_K, tuple[str, _R]]:
    """``key → (fingerprint, value)`` for every key of ``wanted`` (``key → (fingerprint,
    input)``), in its order: the previous value where the fingerprint is the same, else
    ``make(input)``, run over ``workers`` processes when there are many
    (:func:`~papernotes.incremental.parallel.parallel_iter`).

    ``adopt`` is applied to each value made, as it arrives from its worker: a value that
    replaces its parts by shared copies (``search.index.interned``) lets the copies go
    before the next results are read, so their memory is reused instead of left in holes."""
    kept: dict[_K, _R] = {}
    missing: list[_K] = []
    for key, (fp, _) in wanted.items():
        hit = previous.get(key)
        if hit is not None and hit[0] == fp:
            kept[key] = hit[1]
        else:
            missing.append(key)
    made = parallel_iter(make, [wanted[k][1] for k in missing], workers)
    kept.update(zip(missing, made if adopt is None else map(adopt, made), strict=True))
    return {key: (fp, kept[key]) for key, (fp, _) in wanted.items()}

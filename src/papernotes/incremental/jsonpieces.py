"""A large JSON value written in pieces, byte for byte as ``entryfile.dump`` writes it whole.

The cache's index holds the search index's terms and postings and the plan's summary: at
2,000 notes, 3.3 MB of JSON, and it grows with the library. Dumped whole, ``json.dumps``
holds the text's parts, their join and then its bytes at once: five times the text (17 MiB
at 2,000 notes, about 90 at 10,000), the save stage's peak, in the process that has just
rendered the site. Here each large list and dict of the codec's output is written an item
at a time (runs of small items dumped together, at C speed) into buffers of
:data:`_BUFFER` bytes, so one buffer and one run are held at a time.

The bytes are the same: ``json.dumps`` with these separators writes a list as its items'
texts joined by commas in brackets, and a dict with string keys as each key's text, a colon
and its value's, joined by commas in braces (``tests/test_incremental_jsonpieces.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from papernotes.incremental.entryfile import dump

__all__ = ["dump_pieces"]

_BUFFER = 1 << 20
"""Bytes gathered before a piece is handed to the writer."""
_LARGE = 1 << 16
"""About how many characters of text a list or dict must hold to be written an item at a
time; smaller items are dumped together, in runs of about as many."""


_STRING = 1 << 20
"""Characters of strings dumped in one call at most (a longer string is cut): at 50,000 notes
a run of the index's postings was 17 MB, 0.07 s to dump, in which ``serve``'s save could not
give up (``between``)."""

_SCALARS = {str, int, float, bool, type(None)}
_RUN = 2048
"""Strings and numbers dumped in one call, in a list of nothing else."""


def dump_pieces(value: Any, between: Callable[[], None] | None = None) -> Iterator[bytes]:
    """``dump(value)`` as consecutive pieces of about :data:`_BUFFER` bytes; ``between`` is
    called before each part of a piece is dumped (a few milliseconds apart: ``serve``'s save
    gives up there, ``incremental.deferred``)."""
    held: list[bytes] = []
    size = 0
    for piece in _pieces(value) if between is None else _between(_pieces(value), between):
        held.append(piece)
        size += len(piece)
        if size >= _BUFFER:
            yield b"".join(held)
            held.clear()
            size = 0
    if held:
        yield b"".join(held)


def _between(pieces: Iterator[bytes], between: Callable[[], None]) -> Iterator[bytes]:
    while True:
        between()
        piece = next(pieces, None)
        if piece is None:
            return
        yield piece


def _chars(scalars: list[Any]) -> int:
    """The characters of the strings among ``scalars``: a run of 2,048 postings of the
    search index was 17 MB at 50,000 notes, 0.07 s to dump at once."""
    try:
        return sum(map(len, scalars))  # strings only (the terms, the postings): at C speed
    except TypeError:
        return sum(len(v) for v in scalars if type(v) is str)


def _size(value: Any, most: int) -> int:
    """About how long ``value``'s text is (a string by its length, anything else as 8), or
    the first count over ``most``: an estimate that stops once it has decided."""
    size = 0
    todo = [value]
    while todo and size <= most:
        item = todo.pop()
        kind = type(item)
        if kind is str:
            size += len(item)
        elif kind is list or kind is tuple:
            size += 8
            todo.extend(item)
        elif kind is dict:
            size += 8
            todo.extend(item)
            todo.extend(item.values())
        else:
            size += 8
    return size


def _pieces(value: Any) -> Iterator[bytes]:
    kind = type(value)
    if kind is str and len(value) > _STRING:  # escaped a character at a time: cut anywhere
        quote = b'"'
        for at in range(0, len(value), _STRING):
            yield quote + dump(value[at : at + _STRING])[1:-1]
            quote = b""
        yield b'"'
    elif not value or kind not in (list, tuple, dict) or _size(value, _LARGE) <= _LARGE:
        yield dump(value)
    elif kind is dict:
        if not all(type(k) is str for k in value):
            yield dump(value)  # its keys' text is json's to make
            return
        if set(map(type, value.values())) <= _SCALARS:  # runs of :data:`_RUN` items
            # A page's fingerprint, an entry's version: two calls per item were most of
            # writing the index (at 50,000 notes, 227,000 dumps of 113,000 items).
            items = list(value.items())
            comma = b"{"
            for at in range(0, len(items), _RUN):
                pairs = items[at : at + _RUN]
                if _chars([v for _, v in pairs]) > _STRING:
                    for key, item in pairs:
                        yield comma + dump(key) + b":"
                        yield from _pieces(item)
                        comma = b","
                    continue
                yield comma + dump(dict(pairs))[1:-1]
                comma = b","
            yield b"}"
            return
        comma = b"{"
        for key, item in value.items():
            yield comma + dump(key) + b":"
            yield from _pieces(item)
            comma = b","
        yield b"}"
    elif set(map(type, value)) <= _SCALARS:  # strings and numbers: runs of :data:`_RUN`
        comma = b"["
        for at in range(0, len(value), _RUN):
            part = value[at : at + _RUN]
            if _chars(part) > _STRING:  # long strings: an item (a slice) at a time
                for item in part:
                    yield comma
                    yield from _pieces(item)
                    comma = b","
                continue
            yield comma + dump(part)[1:-1]
            comma = b","
        yield b"]"
    else:
        yield b"["
        run: list[Any] = []
        held = 0
        comma = b""
        for item in value:
            size = _size(item, _LARGE)
            if run and held + size > _LARGE:  # the run so far, then this item
                yield comma + dump(run)[1:-1]
                run, held, comma = [], 0, b","
            if size > _LARGE:
                yield comma
                yield from _pieces(item)
                comma = b","
            else:
                run.append(item)
                held += size
        if run:
            yield comma + dump(run)[1:-1]
        yield b"]"

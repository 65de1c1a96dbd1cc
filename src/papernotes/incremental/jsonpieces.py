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

from collections.abc import Iterator
from typing import Any

from papernotes.incremental.entryfile import dump

__all__ = ["dump_pieces"]

_BUFFER = 1 << 20
"""Bytes gathered before a piece is handed to the writer."""
_LARGE = 1 << 16
"""About how many characters of text a list or dict must hold to be written an item at a
time; smaller items are dumped together, in runs of about as many."""


_SCALARS = {str, int, float, bool, type(None)}
_RUN = 2048
"""Strings and numbers dumped in one call, in a list of nothing else."""


def dump_pieces(value: Any) -> Iterator[bytes]:
    """``dump(value)`` as consecutive pieces of about :data:`_BUFFER` bytes."""
    held: list[bytes] = []
    size = 0
    for piece in _pieces(value):
        held.append(piece)
        size += len(piece)
        if size >= _BUFFER:
            yield b"".join(held)
            held.clear()
            size = 0
    if held:
        yield b"".join(held)


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
    if not value or kind not in (list, tuple, dict) or _size(value, _LARGE) <= _LARGE:
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
                yield comma + dump(dict(items[at : at + _RUN]))[1:-1]
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
            yield comma + dump(value[at : at + _RUN])[1:-1]
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

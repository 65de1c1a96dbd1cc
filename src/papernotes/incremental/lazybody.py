"""A note's parsed body read from the build cache only when something reads it.

An edit build needs every note of the library to link it, but of the notes it did not touch
it reads their front matter and the rows the cache keeps of them (``incremental.summary``,
``incremental.linkrows``), not their bodies: only the edited note and the pages re-rendered
read one. Decoding every note's body (its packed text and template, its citations with
their context, headings, leads) was most of reading the cache: ~150 ms at 1,000 notes. So
the store keeps the body as a line of JSON of its own in its entry, and a note read
from the cache holds a :class:`LazyBody`: a :class:`ParsedBody` whose fields are filled from
that text the first time one is read (and so compares, hashes, pickles and prints as the
body it stands for).

The store does not even read that line until the body is read: the body holds what reads it
from its bucket file (``lazy.Load``), so an edit build reads the first line of each entry only.

The text is untrusted input like the rest of the cache: it is decoded against our own types
by the same codec, only later. One that does not decode, or is no longer there as it was
(the store checks the entry's length when it reads its first line, so only a crafted or
rewritten file gets this far), raises :class:`BodyDamaged`, on which the build starts again
without the cache (``build``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from papernotes.errors import PapernotesError
from papernotes.markdown._types import ParsedBody

if TYPE_CHECKING:
    from papernotes.incremental.lazy import Load

__all__ = ["BodyDamaged", "LazyBody", "lazy_body", "raw_body", "undecoded"]

_FIELDS = frozenset(ParsedBody.__dataclass_fields__)
_SLOTS = {name: ParsedBody.__dict__[name] for name in _FIELDS}


class BodyDamaged(PapernotesError, ValueError):
    """A cached body that fit its entry but does not decode: the cache is not to be trusted."""


class LazyBody(ParsedBody):
    """A :class:`ParsedBody` made from its JSON text on the first read of a field.

    No ``__slots__`` of its own (a ``__dict__`` holds the text): parallel's reducer then
    leaves it to :meth:`__reduce__`, which sends a worker the text, not the fields."""

    _raw: bytes | Load | None
    _decode: Callable[[Any], ParsedBody] | None

    def __getattr__(self, name: str) -> Any:
        # Called only when a field's slot is empty, i.e. before the body is decoded.
        if name not in _FIELDS or self.__dict__.get("_raw") is None:
            raise AttributeError(name)
        self._load()
        return _SLOTS[name].__get__(self, ParsedBody)

    def _load(self) -> None:
        raw, decode = self.__dict__["_raw"], self.__dict__["_decode"]
        try:
            value = decode(json.loads(raw if type(raw) is bytes else raw()))
        except (ValueError, RecursionError, OSError) as exc:
            raise BodyDamaged(f"a cached note body does not decode: {exc}") from None
        for slot in _SLOTS.values():
            slot.__set__(self, slot.__get__(value, ParsedBody))
        self.__dict__.update(_raw=None, _decode=None)
        decoded(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedBody):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in ParsedBody.__dataclass_fields__)

    __hash__ = ParsedBody.__hash__

    def __repr__(self) -> str:  # a body's, as digests of a ``repr`` must see it
        return repr(ParsedBody(*(getattr(self, n) for n in ParsedBody.__dataclass_fields__)))

    def __reduce__(self) -> tuple[Any, ...]:
        raw = raw_body(self)
        if raw is not None:
            return _remade, (raw,)
        return ParsedBody, tuple(getattr(self, n) for n in ParsedBody.__dataclass_fields__)


def decoded(body: LazyBody) -> None:
    """Called once per body decoded (what the tests count)."""


def lazy_body(raw: bytes | Load, decode: Callable[[Any], ParsedBody]) -> ParsedBody:
    """A body that ``decode`` makes from JSON text ``raw`` (or what ``raw`` reads) when first
    read."""
    body = object.__new__(LazyBody)
    body.__dict__.update(_raw=raw, _decode=decode)
    return body


def undecoded(body: ParsedBody) -> bool:
    """Whether ``body`` is a cached body no one has read yet (reading a field decodes it)."""
    return type(body) is LazyBody and body.__dict__.get("_raw") is not None


def raw_body(body: ParsedBody) -> bytes | None:
    """``body``'s JSON text while it is not decoded (the store writes it as it is); else None."""
    if type(body) is LazyBody:
        raw: bytes | Load | None = body.__dict__.get("_raw")
        if raw is None or isinstance(raw, bytes):
            return raw
        try:
            read = raw()
        except (OSError, ValueError):  # then it is decoded from its fields: BodyDamaged
            return None
        body.__dict__["_raw"] = read
        return read
    return None


def _remade(raw: bytes) -> ParsedBody:
    from papernotes.incremental.store import body_decoder

    return lazy_body(raw, body_decoder())

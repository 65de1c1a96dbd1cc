"""A cold build's parsed bodies with their packed text and template in the build's spool
(and their quoted sentences and leads: ``incremental.spoolquotes``).

Once a body is parsed, its packed text (``ParsedBody.packed_text``) and its template are
read by the worker that renders it, by a note that embeds it, and by the cache save, never
by the build's own process between: yet it held every note's, about 2.6 KB a note at 2,000
notes, through the pages, and every page worker forked from it inherited them. In the
build's spool (``incremental.spool``) they cost the parent where they are; a worker reads
them with ``pread`` on the descriptor it inherited, the save as it writes each entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from papernotes.incremental.spoolquotes import spooled_quotes
from papernotes.markdown._types import ParsedBody

if TYPE_CHECKING:
    from papernotes.incremental.spool import Spool

__all__ = ["SpooledBody", "spooled_body"]

_FIELDS = tuple(ParsedBody.__dataclass_fields__)
_SLOTS = {name: ParsedBody.__dict__[name] for name in _FIELDS}
_SPOOLED = ("packed_text", "template")


class SpooledBody(ParsedBody):
    """A :class:`ParsedBody` whose packed text and template are read from the spool at each
    use and never kept (no ``__slots__`` of its own, as ``lazybody.LazyBody``: a ``__dict__``
    holds where they are). It compares, hashes, pickles and prints as the body it stands for."""

    def __getattr__(self, name: str) -> Any:
        # Called only for an empty slot: the two fields in the spool.
        where = self.__dict__.get("_at")
        if where is None or name not in _SPOOLED:
            raise AttributeError(name)
        spool, at, text, template = where
        if name == "packed_text":
            return spool.get(at, text)
        return spool.get(at + text, template) if template >= 0 else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedBody):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _FIELDS)

    __hash__ = ParsedBody.__hash__

    def __repr__(self) -> str:  # a body's, as digests of a ``repr`` must see it
        return repr(_whole(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return ParsedBody, tuple(getattr(self, n) for n in _FIELDS)


def _whole(body: ParsedBody) -> ParsedBody:
    return ParsedBody(*(getattr(body, n) for n in _FIELDS))


def spooled_body(body: ParsedBody, spool: Spool) -> ParsedBody:
    """``body`` with its packed text and template in ``spool`` (:class:`SpooledBody`);
    ``body`` itself when the spool cannot take them (a full disk: they stay in memory)."""
    text, template = body.packed_text, body.template
    where = spool.put(text + (template or b""))
    if where is None:
        return body
    spooled = object.__new__(SpooledBody)
    for name, slot in _SLOTS.items():
        if name not in _SPOOLED:
            slot.__set__(spooled, slot.__get__(body, ParsedBody))
    size = -1 if template is None else len(template)
    spooled.__dict__["_at"] = (spool, where[0], len(text), size)
    quotes = spooled_quotes(body.citations, body.leads, spool)
    if quotes is not None:  # the sentences it quotes, and its leads, too
        _SLOTS["citations"].__set__(spooled, quotes[0])
        _SLOTS["leads"].__set__(spooled, quotes[1])
    return spooled

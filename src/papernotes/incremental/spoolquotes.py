"""A cold build's quoted sentences and lead paragraphs in the build's spool.

Each parsed body keeps the sentence around its first citation of each note (``Passage``: what
a backlink quotes) and the first paragraph of each section (``Lead``: what a link preview
shows). The build reads them twice: the backlinks and the previews once each, in the build's
own process before the pages, then the cache save; yet it held every note's through the
pages, about 3 KB a note (at 2,000 notes, 3.7 sentences and 3 leads a note, mostly CJK
text), and every page worker forked from it inherited them. In the build's spool
(``incremental.spool``) each note's are one JSON text; a sentence or a lead is an object
with empty fields that reads its own from there at each use (:class:`SpooledPassage`,
:class:`SpooledLead`), as ``spoolbody.SpooledBody`` reads a body's text.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from papernotes.markdown._types import BodyCitation, Lead, Passage

if TYPE_CHECKING:
    from papernotes.incremental.spool import Spool

__all__ = ["SpooledLead", "SpooledPassage", "spooled_quotes"]


class _Place:
    """Where one note's quotes are in the spool (shared by its sentences and leads)."""

    __slots__ = ("at", "size", "spool")

    def __init__(self, spool: Spool, at: int, size: int) -> None:
        self.spool, self.at, self.size = spool, at, size

    def fields(self, index: int) -> list[str]:
        """The ``index``-th value's fields, as written (``Spool.json``: one note's quotes
        are read one after another, so the last text read is decoded once)."""
        found: list[str] = self.spool.json(self.at, self.size)[index]
        return found


def _read(self: Any, name: str, base: type[Any]) -> Any:
    """A spooled value's field ``name`` (called for an empty slot alone)."""
    names = base.__dataclass_fields__
    try:
        place, index = object.__getattribute__(self, "_place"), object.__getattribute__(self, "_i")
    except AttributeError:
        raise AttributeError(name) from None
    if name not in names:
        raise AttributeError(name)
    return place.fields(index)[list(names).index(name)]


class _Spooled:
    """What a spooled value shares: its fields read from the spool at each use and never
    kept; it compares, hashes, pickles and prints as the value (``_base``) it stands for."""

    __slots__ = ()
    _base: ClassVar[type[Any]]

    def __getattr__(self, name: str) -> Any:
        return _read(self, name, self._base)

    def _whole(self) -> Any:
        return self._base(*(getattr(self, n) for n in self._base.__dataclass_fields__))

    def __eq__(self, other: object) -> bool:
        return bool(self._whole() == (other._whole() if isinstance(other, _Spooled) else other))

    def __hash__(self) -> int:
        return hash(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __reduce__(self) -> tuple[Any, ...]:
        return self._base, tuple(getattr(self, n) for n in self._base.__dataclass_fields__)


class SpooledPassage(_Spooled, Passage):
    """A :class:`Passage` whose fields are read from the spool at each use and never kept.
    It compares, hashes, pickles and prints as the passage it stands for."""

    __slots__ = ("_i", "_place")
    _base = Passage


class SpooledLead(_Spooled, Lead):
    """A :class:`Lead` read from the spool at each use, as :class:`SpooledPassage`."""

    __slots__ = ("_i", "_place")
    _base = Lead


def _spooled(kind: type[Any], place: _Place, index: int) -> Any:
    made = object.__new__(kind)
    object.__setattr__(made, "_place", place)
    object.__setattr__(made, "_i", index)
    return made


def spooled_quotes(
    citations: tuple[BodyCitation, ...], leads: tuple[Lead, ...], spool: Spool
) -> tuple[tuple[BodyCitation, ...], tuple[Lead, ...]] | None:
    """``citations`` and ``leads`` with every quoted sentence and lead in ``spool``, one JSON
    text for them all; None when there is none, or when the spool cannot take them."""
    said = [c.context for c in citations if c.context is not None]
    if not said and not leads:
        return None
    rows = [[p.before, p.cited, p.after] for p in said] + [
        [lead.anchor, lead.text] for lead in leads
    ]
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()
    where = spool.put(data)
    if where is None:
        return None
    place = _Place(spool, *where)
    out: list[BodyCitation] = []
    i = 0
    for c in citations:
        if c.context is None:
            out.append(c)
        else:
            out.append(replace(c, context=_spooled(SpooledPassage, place, i)))
            i += 1
    shown = tuple(_spooled(SpooledLead, place, i + j) for j in range(len(leads)))
    return tuple(out), shown

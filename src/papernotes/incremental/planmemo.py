"""What the site's plan takes from the last save (``serve``): every note's metadata in
library order, the tuple the planner keys its site-wide values by (the index, the tag
colours, the graph, the reading queue, the feed).

``plan.plan_site`` makes that tuple from every note (a step per note, at 20,000 notes some
8 ms a save) and compares it with the last one for each value. A save whose link stage says
which notes it replaced (``SaveMemo.moved("notes")``) changed the metadata of none of them
when each is equal to the last one: the last tuple is this save's (equal, element by
element), and each comparison with it finds the very tuple, not a note at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.model import CiteKey, Library, Metadata, Note

__all__ = ["metas_of"]

_meta = attrgetter("meta")


@dataclass(slots=True)
class _Metas:
    notes: Mapping[CiteKey, Note] | None = None
    """The notes map the tuple below was made for (the very map)."""
    metas: tuple[Metadata, ...] = ()
    """Their metadata, in library order."""


def metas_of(library: Library, memo: SaveMemo) -> tuple[Metadata, ...]:
    """Every note's metadata in library order: the last save's tuple when the notes the link
    stage replaced have metadata equal to their last (counted as ``"plan-metas"`` when made
    afresh)."""
    notes = library.notes
    last: _Metas = memo.slot("plan-metas", _Metas)
    told = memo.moved("notes", last.notes, notes) if last.notes is not None else None
    before = last.notes
    if told is None or before is None or any(_other(notes[k], before[k]) for k in told):
        last.metas = tuple(map(_meta, notes.values()))
        memo.count("plan-metas", 1)
    last.notes = notes
    return last.metas


def _other(now: Note, then: Note) -> bool:
    return now.meta is not then.meta and now.meta != then.meta

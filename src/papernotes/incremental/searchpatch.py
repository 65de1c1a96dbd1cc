"""The search inputs of a save (``serve``): the last save's documents, terms and digests with
those of the notes whose body fingerprints moved made again, not every note compared again.

A note's search document is made from its note and rendered body, both covered by its body
fingerprint (the note's whole text and what its body shows); its terms from the document. So
the notes whose body fingerprints were made again this save (``SaveMemo.moved("body-fp")``)
hold every document and every term list that can differ from the last save's: the others are
taken as they are, with no Python step — and no comparison — per note. Each step says which
keys it changed (``SaveMemo.record``) to the next; a step that cannot tell (the first save, a
note added or removed, a full pass) returns None and the caller does what a build does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from papernotes.search.index import INDEX_FORMAT

if TYPE_CHECKING:
    from papernotes.incremental.cache import BuildCache
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import CiteKey, Note

__all__ = ["Last", "doc_fingerprint", "kept", "patch", "served_bodies"]

_Entries = Mapping[str, tuple[str, Any]]
_MOST = 64
"""Values made here at most: more go through a build's pass (over the worker processes)."""


@dataclass(slots=True)
class Last:
    """What one step was last made from and what it made (the very objects)."""

    given: object = None
    made: object = None


def patch(
    memo: SaveMemo,
    tag: str,
    source: tuple[str, object],
    given: object,
    previous: _Entries,
    want: Callable[[str], str],
    make: Callable[[str], Any],
) -> dict[str, tuple[str, Any]] | None:
    """``previous`` (this step's last value, ``key → (fingerprint, value)``), with the value
    of each key the step before moved (``source``: its tag and its value ``given`` now)
    made again by ``make(key)`` when its fingerprint ``want(key)`` is another; recorded under
    ``tag`` for the next step. None when the step before cannot say what moved, or
    ``previous`` is not what this step made last."""
    last: Last = memo.slot(f"patch:{tag}", Last)
    # Only a value this step made in memory (not one read lazily from the cache, the first
    # save's: copying it would decode every note's).
    moved = None
    if last.made is previous and type(previous) is dict:
        moved = memo.moved(source[0], last.given, source[1])
    last.given, last.made = given, None
    if moved is None:
        return None
    wanted = {key: fp for key in moved if previous[key][0] != (fp := want(key))}
    if len(wanted) > _MOST:  # many (the names every note resolves by moved): a build's pass
        return None
    out = dict(previous)
    for key, fp in wanted.items():
        out[key] = (fp, make(key))
    changed = list(wanted)
    memo.count(f"patched-{tag}", len(moved))
    memo.record(tag, previous, out, changed)
    last.made = out
    return out


def kept(memo: SaveMemo, tag: str, given: object, made: _Entries) -> None:
    """Keep what a full pass of the step ``tag`` made from ``given``, for the next save."""
    last: Last = memo.slot(f"patch:{tag}", Last)
    last.given, last.made = given, made


def doc_fingerprint(body_fp: str) -> str:
    """What a note's search document is kept under (see ``searchstate.search_docs``)."""
    return f"{INDEX_FORMAT}:{body_fp}"


def served_bodies(
    memo: SaveMemo,
    notes: Mapping[CiteKey, Note],
    body_fps: Mapping[str, str],
    previous: BuildCache | None,
    render_body: Callable[[Note], RenderedBody],
) -> dict[str, tuple[str, RenderedBody]] | None:
    """The last save's rendered bodies with those whose fingerprints moved rendered again,
    or None when that is not known (the caller reuses as a build does, then :func:`kept`)."""
    if previous is None:
        return None
    by_key = cast("Mapping[str, Note]", notes)

    def make(key: str) -> RenderedBody:
        return render_body(by_key[key])

    source = ("body-fp", body_fps)
    return patch(memo, "bodies", source, body_fps, previous.bodies, body_fps.__getitem__, make)

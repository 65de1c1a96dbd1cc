"""Which notes' bodies draw a diagram, kept in the summary so that an edit build looks only at
the bodies that changed.

A site carries Mermaid (3.5 MB) only if a body draws a diagram. Without ``serve``'s memory an
edit build asked every body: a look for the marker in each one's stored JSON, and a decode of
those that may hold it (6 ms at 1,000 notes, the fourth largest pass of planning). A rendered
body is what its fingerprint says, so a note whose text and body fingerprint are those of the
last build draws what it drew then: the summary stores the notes that drew one
(``PlanSummary.drawn``), and only the others' bodies are looked at.

The stored keys are untrusted like the rest of the cache, but they only ever decide whether the
theme's own diagram assets are copied: a crafted list keeps them or leaves them out, as a
crafted page fingerprint keeps a page stale. A summary stored without the list (None) makes
every body be looked at, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from papernotes.incremental.lazy import may_hold
from papernotes.markdown.code import MERMAID_OPEN, has_diagram
from papernotes.model import CiteKey

if TYPE_CHECKING:
    from papernotes.incremental.summary import PlanSummary
    from papernotes.markdown._types import RenderedBody

__all__ = ["drawn"]


def drawn(
    last: PlanSummary | None,
    still: Mapping[str, int],
    fps: Mapping[str, str],
    bodies: Mapping[str, RenderedBody],
) -> tuple[tuple[CiteKey, ...], int]:
    """The notes whose bodies draw a diagram, in the order of ``fps`` (each note's body
    fingerprint), and how many bodies were looked at. ``still``: the notes whose file and text
    are those of ``last`` → their place in it."""
    stored = last is not None and last.drawn is not None
    kept = frozenset(last.drawn or ()) if last is not None else frozenset()
    old = last.body_fps if last is not None else ()
    out: list[CiteKey] = []
    looked = 0
    for k, fp in fps.items():
        i = still.get(k) if stored else None
        if i is not None and old[i] == fp:
            if k in kept:
                out.append(CiteKey(k))
            continue
        looked += 1
        if may_hold(bodies, k, MERMAID_OPEN) and has_diagram(bodies[k].html):
            out.append(CiteKey(k))
    return tuple(out), looked

"""Holes: the parts of a rendered body that depend on the library, filled in later.

A body is parsed and rendered once, when its note is parsed, into a template
(:class:`~papernotes.markdown._types.BodyTemplate`): HTML and plain text in which each part
that depends on other notes or on the page (a citation's label and link, a local link's URL,
an embed, a footnote id's prefix) is a *mark*, ``NUL`` + the hole's number + ``NUL``. Each
hole records the name of the function that makes its part and that function's arguments
(plain JSON values); rendering the body for a page calls them with the page's context and
puts their results in place of the marks — no second parse.

Marks cannot come from a note: markdown-it replaces every ``NUL`` of the text (and every
``&#0;``) by U+FFFD before it parses, so the only ``NUL`` in its output are ours.

A render rule calls :func:`deferred` with the function and its arguments: rendering with an
``env`` that holds :data:`HOLES` records a hole and returns its mark; any other ``env`` (an
embedded note's excerpt, a test's ``md.render``) calls the function at once, so both ways run
the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from markdown_it.utils import EnvType

__all__ = ["HOLES", "MARK", "PIECES", "deferred", "fill_marks", "mark_index"]

MARK = "\x00"
"""What opens and closes a hole's number in a template."""
HOLES = "papernotes_holes"
"""The ``env`` key of the list of holes recorded while a template is rendered."""
PIECES = "papernotes_pieces"
"""The ``env`` key of the parts filled so far, in hole order, while a template is filled:
a hole may hold text with marks of earlier holes (a task's label with a citation in it)."""


def deferred(env: EnvType, name: str, make: Callable[..., str], *args: Any) -> str:
    """``make(env, *args)`` now, or, while a template is rendered, a mark for it later.

    ``name`` is how :data:`papernotes.markdown.body.FILLERS` finds ``make`` again; ``args``
    must survive a JSON round trip (lists may come back for tuples)."""
    holes: list[list[Any]] | None = env.get(HOLES)
    if holes is None:
        return make(env, *args)
    holes.append([name, *args])
    return f"{MARK}{len(holes) - 1}{MARK}"


def fill_marks(text: str, pieces: Sequence[str]) -> str:
    """``text`` with each mark replaced by its hole's part."""
    if MARK not in text:
        return text
    parts = text.split(MARK)
    parts[1::2] = [pieces[int(i)] for i in parts[1::2]]
    return "".join(parts)


def mark_index(text: str) -> int | None:
    """The hole number of the mark ``text`` ends with, if it ends with one."""
    if not text.endswith(MARK):
        return None
    return int(text[:-1].rpartition(MARK)[2])

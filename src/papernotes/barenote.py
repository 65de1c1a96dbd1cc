"""A note with no front matter, read as Obsidian reads it: all body, titled by its first
``# heading`` (left out of the body when it opens the note), else by its file name.

The one home of that reading, without YAML: the parse stage makes the note's fields from it
(``frontmatter.quick_note``), and a quick edit (``incremental.quickfront``) checks that an edit
left them as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["BareTitle", "bare", "bare_title", "first_heading", "split_bare"]

_FENCES = ("---", "+++")
_ATX_H1 = re.compile(r" {0,3}#[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_CODE_FENCE = re.compile(r" {0,3}(```|~~~)")


class BareTitle(NamedTuple):
    """A body's first ``# heading``, which titles a note with no front matter."""

    line_index: int
    """Its line, counted from 0 in the body."""
    text: str
    """Its text, stripped: the title."""
    opens: bool
    """Whether only blank lines are above it: the body then leaves it out (a blank line in
    its place keeps the other lines where they are)."""


def bare(text: str) -> bool:
    """Whether ``text`` has no front matter at all: its first line that is not blank is no
    ``---`` or ``+++`` fence (Obsidian reads such a note as all body)."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return first not in _FENCES


def first_heading(lines: Sequence[str]) -> tuple[int, str] | None:
    """The index and text of the first ``# heading`` outside code blocks, or None."""
    fence = ""
    for i, line in enumerate(lines):
        m = _CODE_FENCE.match(line)
        if m and (not fence or m[1] == fence):
            fence = "" if fence else m[1]
            continue
        if not fence and (h := _ATX_H1.fullmatch(line)) and h["text"].strip():
            return i, h["text"].strip()
    return None


def bare_title(lines: Sequence[str]) -> BareTitle | None:
    """The heading that titles a body of ``lines`` read as a note with no front matter, or
    None (the file name titles it)."""
    found = first_heading(lines)
    if found is None:
        return None
    return BareTitle(*found, opens=not any(line.strip() for line in lines[: found[0]]))


def split_bare(text: str) -> tuple[BareTitle | None, str]:
    """``text`` read as a note with no front matter: its title's heading, and its body."""
    lines = text.split("\n")
    title = bare_title(lines)
    if title is None or not title.opens:
        return title, text
    lines[title.line_index] = ""
    return title, "\n".join(lines)

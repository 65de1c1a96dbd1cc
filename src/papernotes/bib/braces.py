"""BibTeX brace scanning, the one place that counts ``{`` and ``}`` (pure).

BibTeX counts every brace, escaped or not: ``\\{`` opens a level just as ``{`` does (which is
why a lone ``\\{`` in a field breaks a .bib file), so nothing here looks at backslashes.
Everything that splits, validates or unwraps BibTeX text by its brace groups asks here: the
field check (``brace_error``), the .bib splitter, name splitting and the LaTeX decoder.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["balanced", "brace_error", "depths", "group_end", "is_one_group"]


def depths(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """``(index, character, depth)`` for each character from ``start``.

    ``depth`` is the nesting level once the character is read: a ``{`` at the top level has
    depth 1, its matching ``}`` depth 0, and everything else the depth it sits at. An unmatched
    ``}`` makes the depth negative.
    """
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        yield i, ch, depth


def brace_error(text: str) -> str | None:
    """Why ``text`` is not brace-balanced the way BibTeX counts (``\\{`` counts too), or None."""
    depth = 0
    for i, _, depth in depths(text):
        if depth < 0:
            return f"unmatched '}}' at character {i + 1}"
    if depth:
        return f"{depth} unclosed '{{'"
    return None


def balanced(text: str) -> bool:
    """Whether every brace in ``text`` is matched, in order."""
    return brace_error(text) is None


def group_end(text: str, start: int) -> int:
    """The index just past the group that opens at ``text[start] == "{"``, or -1 if unclosed."""
    for i, ch, depth in depths(text, start):
        if ch == "}" and depth == 0:
            return i + 1
    return -1


def is_one_group(text: str) -> bool:
    """Whether ``text`` is exactly one brace group, ``{…}`` (and not ``{A} {B}``)."""
    return text.startswith("{") and group_end(text, 0) == len(text)

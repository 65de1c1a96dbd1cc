"""A .bib file cut into its ``@…{…}`` blocks, each with the line it starts on (pure).

pybtex stops at the first syntax error, so ``import`` hands it one block at a time and a
malformed entry costs only itself. Blocks are found the way BibTeX finds them: anything
outside an ``@type{…}`` / ``@type(…)`` is a comment, and a block ends at the brace (or
parenthesis) that balances its opening one. As biber does, a ``%`` outside values starts a
comment to the end of its line, in a block (``% abstract = {…}``) or before one
(``%@misc{``). A line that starts with ``@type{`` while a block is still open means that
block was never closed: it ends there, marked incomplete, and the next block starts — so one
missing brace does not swallow the rest of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Block", "split_bib", "without_comments"]

_START = re.compile(r"@\s*([A-Za-z][A-Za-z0-9_-]*)\s*([{(])")
_LINE_START = re.compile(r"\n[ \t]*@\s*[A-Za-z][A-Za-z0-9_-]*\s*[{(]")
_KEY = re.compile(r"\s*([^,\s{}()]+)\s*,")


@dataclass(frozen=True, slots=True)
class Block:
    """One ``@…`` block of a .bib file."""

    kind: str
    """The word after ``@``, lower case: an entry type, ``string``, ``preamble`` or ``comment``."""
    text: str
    """The block's text, from ``@`` to its closing brace."""
    line: int
    """The 1-based line of its ``@``."""
    complete: bool
    """False when the file ended, or a new ``@type{`` line began, before it was closed."""

    @property
    def key(self) -> str | None:
        """The entry's citekey as written, or None (no key, or not an entry)."""
        m = _START.match(self.text)
        if m is None:
            return None
        found = _KEY.match(self.text, m.end())
        return found.group(1) if found else None


def _walk(text: str, start: int, level: int) -> Iterator[tuple[int, str, int, bool]]:
    """``(index, character, brace depth, inside a "quoted" value)`` for each character from
    ``start`` that is not in a comment: a ``%`` where the fields are (brace depth ``level``,
    outside a quoted value) up to the end of its line, as biber reads it."""
    depth, quoted, i = 0, False, start
    while i < len(text):
        ch = text[i]
        if ch == "%" and depth == level and not quoted:
            i = text.find("\n", i)
            if i < 0:
                return
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == level:
            quoted = not quoted
        yield i, ch, depth, quoted
        i += 1


def _level(opener: str) -> int:
    return 1 if opener == "{" else 0  # @type(…): the fields are at depth 0


def _close(text: str, start: int, opener: str) -> tuple[int, bool]:
    """Where the block opened at ``start`` ends (exclusive), and whether it was closed. The
    braces of a comment do not count (``%eprint = {…",``)."""
    closer = "}" if opener == "{" else ")"
    for i, ch, depth, quoted in _walk(text, start, _level(opener)):
        if ch == "\n":
            if _LINE_START.match(text, i) is not None:
                return i + 1, False
        elif ch == closer and depth == 0 and not quoted:
            return i + 1, True
    return len(text), False


def split_bib(text: str) -> list[Block]:
    """Every ``@`` block of ``text`` in order; what lies between blocks is dropped."""
    blocks: list[Block] = []
    pos = 0
    line = 1
    while True:
        at = text.find("@", pos)
        if at < 0:
            return blocks
        line += text.count("\n", pos, at)
        m = _START.match(text, at)
        if m is None or "%" in text[max(pos, text.rfind("\n", 0, at) + 1) : at]:
            pos = at + 1  # not a block, or one commented out (%@article{…), as biber reads it
            continue
        opener_at = m.end() - 1
        end, complete = _close(text, opener_at + 1 if m.group(2) == "(" else opener_at, m.group(2))
        blocks.append(Block(m.group(1).lower(), text[at:end], line, complete))
        line += text.count("\n", at, end)
        pos = end


def without_comments(text: str) -> str:
    """The block ``text`` with biber's comments taken out: from a ``%`` between an entry's
    fields (outside every value) to the end of its line, which stays.

    Many .bib files comment a field out (``% abstract = {…}``): biber reads that as a comment,
    BibTeX and pybtex fail on it. A ``%`` inside a value is part of it and stays.
    """
    if "%" not in text:
        return text
    opener = _START.match(text)
    level = _level(opener.group(2) if opener else "{")
    return "".join(ch for _, ch, _, _ in _walk(text, 0, level))

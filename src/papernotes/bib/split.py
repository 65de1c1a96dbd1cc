"""A .bib file cut into its ``@…{…}`` blocks, each with the line it starts on (pure).

pybtex stops at the first syntax error, so ``import`` hands it one block at a time and a
malformed entry costs only itself. Blocks are found the way BibTeX finds them: anything
outside an ``@type{…}`` / ``@type(…)`` is a comment, and a block ends at the brace (or
parenthesis) that balances its opening one. A line that starts with ``@type{`` while a block
is still open means that block was never closed: it ends there, marked incomplete, and the
next block starts — so one missing brace does not swallow the rest of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from papernotes.bib.braces import depths

__all__ = ["Block", "split_bib"]

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


def _close(text: str, start: int, opener: str) -> tuple[int, bool]:
    """Where the block opened at ``start`` ends (exclusive), and whether it was closed."""
    closer = "}" if opener == "{" else ")"
    for i, ch, depth in depths(text, start):
        if ch == "\n":
            if _LINE_START.match(text, i) is not None:
                return i + 1, False
        elif ch == closer and depth == 0:
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
        if m is None:
            pos = at + 1
            continue
        opener_at = m.end() - 1
        end, complete = _close(text, opener_at + 1 if m.group(2) == "(" else opener_at, m.group(2))
        blocks.append(Block(m.group(1).lower(), text[at:end], line, complete))
        line += text.count("\n", at, end)
        pos = end

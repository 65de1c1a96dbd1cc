"""Block rules tried only where they can match: by the first character of the line.

markdown-it tries its block rules, in order, at the start of every block until one matches:
with this dialect's fifteen that was about 260,000 calls for 1,000 notes, most of them a rule
reading the line's first character and saying no. Each rule of :data:`BLOCK_STARTS` starts
with that check (after the indented-code one, which does not depend on the character), so at
a line starting with any other character it is not called; the rules left, in their order, do
what the full list did. A rule not listed (a plugin's) is tried at every line, as before.
``tests/test_markdown_dispatch.py`` parses a corpus and random text both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markdown_it.parser_block import ParserBlock

if TYPE_CHECKING:
    from markdown_it.rules_block import StateBlock

__all__ = ["BLOCK_STARTS", "BlockTable", "DispatchParserBlock", "install_block_dispatch"]

BLOCK_STARTS: dict[str, str | None] = {
    "table": None,  # a header row may start with anything
    "code": None,  # four columns of indent, whatever follows
    "math_block": "$",
    "obsidian_comment": "%",
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
    "lheading": None,  # text underlined on the next line
    "hugo_shortcode": "{",
    "paragraph": None,
}
"""Block rule name → the only first characters (after the indent) of a line it can match at;
None: any."""

_Rule = Callable[["StateBlock", int, int, bool], bool]


class BlockTable:
    """The enabled block rules of one parser by a line's first character; made again when the
    parser's rules change (``Ruler`` makes a new list then)."""

    def __init__(self, parser: ParserBlock) -> None:
        self.rules = parser.ruler.getRules("")
        named = [r for r in parser.ruler.__rules__ if r.enabled]
        self._starts = [
            (fn, BLOCK_STARTS.get(rule.name)) for rule, fn in zip(named, self.rules, strict=True)
        ]
        self._at: dict[str, Sequence[_Rule]] = {}

    def at(self, ch: str) -> Sequence[_Rule]:
        """The rules that may match at a line starting with ``ch``, in the parser's order."""
        found = self._at.get(ch)
        if found is None:
            found = self._at[ch] = tuple(
                fn for fn, starts in self._starts if starts is None or ch in starts
            )
        return found


class DispatchParserBlock(ParserBlock):
    """``ParserBlock`` trying at each line only :meth:`BlockTable.at` its first character."""

    _table: BlockTable | None = None

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        """``ParserBlock.tokenize`` of markdown-it-py 4, the rules taken from the table."""
        table = self._table
        if table is None or table.rules is not self.ruler.getRules(""):
            table = self._table = BlockTable(self)
        at, src = table.at, state.src
        line = startLine
        maxNesting = state.md.options.maxNesting
        hasEmptyLines = False

        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                break  # the end of a nested call (blockquotes, lists)
            if state.level >= maxNesting:
                state.line = endLine
                break
            ok = False
            # Not an empty line (skipped above): the character is the line's first.
            for rule in at(src[state.bMarks[line] + state.tShift[line]]):
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            if not ok:
                raise RuntimeError("none of the block rules matched")
            state.tight = not hasEmptyLines
            line = state.line
            # A paragraph may take one empty line after it in nested lists.
            if (line - 1) < endLine and state.isEmpty(line - 1):
                hasEmptyLines = True
            if line < endLine and state.isEmpty(line):
                hasEmptyLines = True
                line += 1
                state.line = line


def install_block_dispatch(parser: ParserBlock) -> DispatchParserBlock:
    """A :class:`DispatchParserBlock` with ``parser``'s rules (the same ``Ruler``)."""
    block = DispatchParserBlock()
    block.ruler = parser.ruler
    return block

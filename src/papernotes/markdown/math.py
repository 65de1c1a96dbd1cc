"""TeX math with pandoc's dollar rules: ``$…$`` inline, ``$$…$$`` display.

Pandoc's rules keep prices literal: an opening ``$`` must be followed by a non-space, the
closing ``$`` must follow a non-space and must not be followed by a digit, and ``\\$`` is a
dollar. So ``价格 $5 和 $10`` stays text while ``中文$x^2$公式`` is math. dollarmath's
``allow_space``/``allow_digits`` switches are a different rule (they still pair ``$10 … 中文$``),
so the inline rule is our own; the block rule (``$$`` on its own lines) is dollarmath's.

The TeX is emitted HTML-escaped inside ``<span class="math inline">`` / ``<div class="math
display">``; KaTeX typesets the element's text in the browser.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath.index import math_block_dollar

__all__ = ["MATH_TOKENS", "math_plugin"]

MATH_TOKENS = frozenset({"math_inline", "math_display", "math_block"})
"""Token types whose ``content`` is TeX."""

_SPACE = frozenset(" \t\n\r\f\v")


def _escaped(src: str, pos: int) -> bool:
    """Whether ``src[pos]`` is preceded by an odd number of backslashes."""
    n = 0
    while pos > 0 and src[pos - 1] == "\\":
        n += 1
        pos -= 1
    return n % 2 == 1


def _find_unescaped(src: str, needle: str, pos: int, end: int) -> int:
    while True:
        pos = src.find(needle, pos, end)
        if pos < 0 or not _escaped(src, pos):
            return pos
        pos += 1


def math_inline(state: StateInline, silent: bool) -> bool:
    """``$tex$`` (inline) or ``$$tex$$`` (display) inside a paragraph."""
    src = state.src
    start = state.pos
    if src[start] != "$":
        return False
    end = state.posMax
    if start + 1 >= end:
        return False
    # The escape rule consumes ``\$`` before we get here, so this ``$`` is never escaped.
    if src[start + 1] == "$":
        close = _find_unescaped(src, "$$", start + 2, end)
        if close < 0 or not src[start + 2 : close].strip():
            return False
        kind, content, after = "math_display", src[start + 2 : close], close + 2
    else:
        if src[start + 1] in _SPACE:
            return False
        # Pandoc takes the first unescaped ``$``; if it cannot close, nothing is math here.
        close = _find_unescaped(src, "$", start + 1, end)
        if close < 0 or src[close - 1] in _SPACE:
            return False
        if close + 1 < end and "0" <= src[close + 1] <= "9":
            return False
        kind, content, after = "math_inline", src[start + 1 : close], close + 1
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = content
        token.markup = "$$" if kind == "math_display" else "$"
        token.meta = {"pos": start}
    state.pos = after
    return True


def _render_inline(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<span class="math inline">{escapeHtml(tokens[idx].content.strip())}</span>'


def _render_display_inline(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # A <div> may not sit inside a <p>; the class still makes KaTeX use display mode.
    return f'<span class="math display">{escapeHtml(tokens[idx].content.strip())}</span>'


def _render_block(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="math display">{escapeHtml(tokens[idx].content.strip())}</div>\n'


_dollar_block = math_block_dollar(allow_labels=False, allow_blank_lines=False)


def math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``$$`` on its own line(s) up to a line ending in ``$$``: dollarmath's block rule."""
    if not silent:
        return _dollar_block(state, start_line, end_line, False)
    # dollarmath pushes its token even when only asked whether a block starts here (to end
    # a paragraph); undo that.
    n_tokens, line = len(state.tokens), state.line
    found = _dollar_block(state, start_line, end_line, False)
    del state.tokens[n_tokens:]
    state.line = line
    return found


def math_plugin(md: MarkdownIt) -> None:
    """Register the math rules and their renderers on ``md``."""
    md.inline.ruler.before("escape", "math_inline", math_inline)
    md.block.ruler.before(
        "fence",
        "math_block",
        math_block,
        # A display equation between two lines of text ends the paragraph above it.
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_display", _render_display_inline)
    md.add_render_rule("math_block", _render_block)

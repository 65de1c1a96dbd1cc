"""Pandoc's dollar rules: math where an author means math, prices stay prices."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from papernotes.markdown.math import MATH_TOKENS, math_plugin


def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    math_plugin(md)
    return md


def _math(text: str) -> list[tuple[str, str]]:
    out = []
    for tok in _md().parse(text, {}):
        if tok.type in MATH_TOKENS:
            out.append((tok.type, tok.content.strip()))
        for child in tok.children or ():
            if child.type in MATH_TOKENS:
                out.append((child.type, child.content))
    return out


@pytest.mark.parametrize(
    ("text", "math"),
    [
        ("中文$x^2$公式", [("math_inline", "x^2")]),
        ("$a$ and $b$", [("math_inline", "a"), ("math_inline", "b")]),
        ("价格 $5 和 $10", []),  # an opening $ before a space, a closing $ before a digit
        ("costs $5 and $ 6", []),
        ("$x $", []),  # the closing $ must follow a non-space
        (r"\$x$", []),  # an escaped dollar is a dollar
        ("$x$1", []),
        ("$$E = mc^2$$ inline", [("math_display", "E = mc^2")]),
        ("$$\nE = mc^2\n$$", [("math_block", "E = mc^2")]),
    ],
)
def test_what_is_math(text: str, math: list[tuple[str, str]]) -> None:
    assert _math(text) == math


def test_math_is_escaped_tex_for_katex() -> None:
    md = _md()
    assert md.renderInline("$a<b$") == '<span class="math inline">a&lt;b</span>'
    assert md.render("$$\na<b\n$$") == '<div class="math display">a&lt;b</div>\n'
    assert '<span class="math display">x</span>' in md.renderInline("see $$x$$")


def test_a_display_block_ends_the_paragraph_above_it() -> None:
    types = [t.type for t in _md().parse("Text above\n$$\nx\n$$\n", {})]
    assert types == ["paragraph_open", "inline", "paragraph_close", "math_block"]

"""CJK-friendly emphasis: ``**`` beside CJK text and full-width punctuation opens and closes."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from papernotes.markdown.cjk import install_cjk_emphasis


def _md(cjk: bool = True) -> MarkdownIt:
    md = MarkdownIt("commonmark")
    if cjk:
        install_cjk_emphasis(md)
    return md


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("这是**“重点”**内容", "这是<strong>“重点”</strong>内容"),
        ("**注意力（Attention）**是", "<strong>注意力（Attention）</strong>是"),
        ("日本語の*強調*です", "日本語の<em>強調</em>です"),
        ("한국어**강조**입니다", "한국어<strong>강조</strong>입니다"),
    ],
)
def test_emphasis_beside_cjk_is_emphasis(text: str, html: str) -> None:
    assert _md().renderInline(text) == html


def test_the_first_case_is_literal_under_plain_commonmark() -> None:
    """Why the amendment exists: the standard rules leave these asterisks as text."""
    assert _md(cjk=False).renderInline("这是**“重点”**内容") == "这是**“重点”**内容"


@pytest.mark.parametrize(
    "text",
    ["a**b**c", "**bold** text", "snake_case_name", "2 * 3 * 4", "**“quoted”**x", "*a *b"],
)
def test_text_without_cjk_parses_as_commonmark(text: str) -> None:
    assert _md().renderInline(text) == _md(cjk=False).renderInline(text)


def test_installing_after_plugins_is_refused() -> None:
    md = MarkdownIt("commonmark")
    md.inline.ruler.push("mine", lambda state, silent: False)
    with pytest.raises(ValueError, match="before plugins"):
        install_cjk_emphasis(md)


def test_rules_disabled_before_installing_stay_disabled() -> None:
    md = MarkdownIt("commonmark").disable("emphasis")
    install_cjk_emphasis(md)
    assert md.renderInline("这是**重点**") == "这是**重点**"

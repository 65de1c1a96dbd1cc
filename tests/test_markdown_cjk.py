"""CJK-friendly emphasis: ``**`` beside CJK text and full-width punctuation opens and closes."""

from __future__ import annotations

from dataclasses import fields
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_inline import emphasis
from markdown_it.token import Token
from test_markdown_dispatch import FIXTURES, PIECES, _shape

from papernotes.markdown.cjk import (
    CjkStateInline,
    _token,
    emphasis_tokenize,
    install_cjk_emphasis,
)
from papernotes.markdown.factory import make_parser


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


def _markdown_it_emphasis() -> MarkdownIt:
    """The dialect with markdown-it's own emphasis rule (a ``state.push`` per marker)."""
    md = make_parser()
    md.inline.ruler.at("emphasis", emphasis.tokenize)
    return md


OURS, THEIRS = make_parser(), _markdown_it_emphasis()
_EMPHASIS_PIECES = [
    *PIECES,
    "*",
    "**",
    "***",
    "_",
    "__",
    "这是**“重点”**内容",
    "**注意力（Attention）**是",
    # Runs of two around plain text: made whole (``cjk._plain_strong``), or not.
    "**low-rank update**",
    " **in-context learning** ",
    "把 **www.x.org** 与",
    "**w-w**",
    "__b__",
]


def test_the_emphasis_rule_is_ours_and_markdown_it_s_is_not() -> None:
    assert emphasis_tokenize in OURS.inline.ruler.getRules("")
    assert emphasis.tokenize not in OURS.inline.ruler.getRules("")
    assert emphasis.tokenize in THEIRS.inline.ruler.getRules("")


def test_fixture_notes_parse_as_with_markdown_it_s_emphasis_rule() -> None:
    notes = sorted(FIXTURES.rglob("*.md"))
    assert len(notes) > 50
    for path in notes:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _shape(OURS.parse(text, {})) == _shape(THEIRS.parse(text, {})), path


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_EMPHASIS_PIECES), max_size=40).map("".join))
def test_random_text_parses_as_with_markdown_it_s_emphasis_rule(text: str) -> None:
    ours, theirs = OURS.parse(text, {}), THEIRS.parse(text, {})
    assert _shape(ours) == _shape(theirs)
    # The levels too, which the renderer does not show.
    levels = [[c.level for c in t.children or ()] for t in ours]
    assert levels == [[c.level for c in t.children or ()] for t in theirs]


def test_plain_strong_is_made_without_delimiters() -> None:
    """``**term**`` around plain text is made whole; a run that is not (here the unclosed
    ``**b*``) leaves a delimiter per marker for the post rules to pair, as markdown-it does."""
    text = "把 **low-rank update** 与 **b*"
    state = CjkStateInline(text, OURS, {}, [])
    OURS.inline.tokenize(state)
    assert [chr(d.marker) for d in state.delimiters] == ["*", "*", "*"]
    assert state.delimited
    # As fragments_join leaves them: the text before takes in the empty one after it.
    kinds = [t.type for t in state.tokens]
    assert kinds[:5] == ["text", "strong_open", "text", "strong_close", "text"]
    assert _shape(OURS.parse(text, {})) == _shape(THEIRS.parse(text, {}))


@pytest.mark.parametrize(
    ("text", "contents"),
    [
        # The text after the run goes into the empty tail, the one before takes the head.
        ("把 **low-rank update** 与", ["把 ", "", "low-rank update", "", " 与"]),
        # Nothing before: an empty head; nothing after: the empty tail stays.
        ("**a**", ["", "", "a", "", ""]),
        # Two runs side by side: the first one's tail is the second one's head.
        ("**a**__b__ c", ["", "", "a", "", "", "", "b", "", " c"]),
        ("[**a**](u) **b**", ["", "", "", "a", "", "", "", " ", "", "b", "", ""]),
    ],
)
def test_plain_strong_makes_the_tokens_the_post_rules_would(text: str, contents: list[str]) -> None:
    """An inline text whose only emphasis is plain ``**term**`` runs makes no delimiter, so
    no post rule runs on it: the tokens are already the ones markdown-it ends with."""
    state = CjkStateInline(text, OURS, {}, [])
    OURS.inline.tokenize(state)
    assert not state.delimited
    assert [t.content for t in state.tokens] == contents
    tokens = OURS.parse(text, {})
    assert _shape(tokens) == _shape(THEIRS.parse(text, {}))
    assert [t.level for t in tokens[1].children or ()] == [
        t.level for t in THEIRS.parse(text, {})[1].children or ()
    ]


@pytest.mark.parametrize(
    ("kind", "tag", "nesting", "content", "level"),
    [("text", "", 0, "把 **x** 与", 2), ("strong_open", "strong", 1, "", 0), ("s", "b", -1, "", 1)],
)
def test_tokens_are_made_as_markdown_it_makes_them(
    kind: str, tag: str, nesting: Literal[-1, 0, 1], content: str, level: int
) -> None:
    made = _token(kind, tag, nesting, content, level)
    expected = Token(kind, tag, nesting, content=content, level=level)
    # Every field set (an unset slot raises here), to the dataclass's own values.
    assert [getattr(made, f.name) for f in fields(Token)] == [
        getattr(expected, f.name) for f in fields(Token)
    ]
    assert made == expected
    assert made.attrs is not expected.attrs and made.meta is not expected.meta  # its own

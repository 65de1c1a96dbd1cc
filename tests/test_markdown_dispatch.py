"""Inline rules tried by the character at the position: the same tokens as trying them all."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.token import Token

from papernotes.markdown.dispatch import RULE_STARTS, RuleTable
from papernotes.markdown.factory import make_parser

FIXTURES = Path(__file__).parent / "fixtures"


def _every_rule(md: MarkdownIt) -> MarkdownIt:
    """``md`` trying every inline rule at every stop, as markdown-it does."""
    md.inline.tokenize = types.MethodType(ParserInline.tokenize, md.inline)  # type: ignore[method-assign]
    md.inline.skipToken = types.MethodType(ParserInline.skipToken, md.inline)  # type: ignore[method-assign]
    return md


def _shape(tokens: list[Token]) -> list[Any]:
    return [
        (
            t.type,
            t.tag,
            t.nesting,
            t.content,
            t.markup,
            t.info,
            sorted(t.attrs.items()),
            repr(sorted(t.meta.items())) if t.meta else "",
            t.map,
            t.hidden,
            _shape(t.children or []),
        )
        for t in tokens
    ]


FAST, FULL = make_parser(), _every_rule(make_parser())
FAST_HTML, FULL_HTML = make_parser(allow_html=True), _every_rule(make_parser(allow_html=True))


def _same(text: str) -> None:
    for fast, full in ((FAST, FULL), (FAST_HTML, FULL_HTML)):
        assert _shape(fast.parse(text, {})) == _shape(full.parse(text, {})), text


def test_every_fixture_note_parses_the_same() -> None:
    notes = sorted(FIXTURES.rglob("*.md"))
    assert len(notes) > 50
    for path in notes:
        _same(path.read_text(encoding="utf-8", errors="replace"))


PIECES = [
    *"abcw \n\t*_~=$`\\%#!&<>[](){}:@|^-+.;,'\"",
    "这是",
    "（注意）",
    "www.example.com",
    "https://example.org/x",
    "a@b.org",
    "[@key]",
    "[@a, p. 3; @b]",
    "[[key|alias]]",
    "![[fig.png]]",
    "[^1]",
    "[^1]: note\n",
    "[x]: /u\n",
    "{{< ref key >}}",
    "{{< figure src=x >}}",
    "%%c%%",
    "==m==",
    "#tag",
    "$x$",
    "$$y$$",
    "<span>",
    "<!-- c -->",
    "&amp;",
    "&#35;",
    "`c`",
    "**b**",
    "[l](http://x)",
    "![i](p.png)",
    "<http://a.b>",
    "\\*",
    "  \n",
    "- [ ] t\n",
    "> [!note]\n",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_random_text_parses_the_same(text: str) -> None:
    _same(text)


def test_a_rule_is_tried_only_where_it_can_match() -> None:
    inline = FAST.inline
    names = [r.name for r in inline.ruler.__rules__ if r.enabled]
    by_fn = dict(zip(inline.ruler.getRules(""), names, strict=True))
    table = RuleTable(inline)
    # "w" stops the text rule for www. autolinks: only that rule is tried there, not 22.
    assert [by_fn[f] for f in table.at("w")] == ["gfm_autolink_www"]
    assert [by_fn[f] for f in table.at("[")] == [
        "wikilink",
        "citation",
        "hugo_shortcode",
        "link",
        "footnote_ref",
    ]
    assert [by_fn[f] for f in table.at("x")] == ["text"]
    # Every rule of the dialect has its characters listed (else it is tried everywhere).
    assert set(names) - {"text"} <= set(RULE_STARTS)


def test_a_rule_of_unknown_start_is_tried_everywhere() -> None:
    md = make_parser()
    calls: list[str] = []

    def mine(state: Any, silent: bool) -> bool:
        calls.append(state.src[state.pos])
        return False

    md.inline.ruler.push("mine", mine)
    md.parse("a *b* w: x", {})
    # Where every rule before it failed, as markdown-it would call it (the table was remade).
    assert calls == ["w", ":"]

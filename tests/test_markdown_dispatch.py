"""Inline rules tried by the character at the position, post and core rules run only where
their markers are: the same tokens as running them all."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_core.text_join import text_join
from markdown_it.token import Token

from papernotes.markdown import factory
from papernotes.markdown.blockdispatch import BLOCK_STARTS
from papernotes.markdown.dispatch import POST_NEEDS, RULE_STARTS, TEXT_ONLY, RuleTable
from papernotes.markdown.factory import CORE_NEEDS, make_parser

FIXTURES = Path(__file__).parent / "fixtures"


def _every_post_rule(inline: Any, state: Any) -> None:
    for rule in inline.ruler2.getRules(""):
        rule(state)


def _every_rule(md: MarkdownIt) -> MarkdownIt:
    """``md`` trying every block rule at every line, every inline rule at every stop, and
    running every ``ruler2`` rule on every inline text, as markdown-it does."""
    md.block.tokenize = types.MethodType(ParserBlock.tokenize, md.block)  # type: ignore[method-assign]
    md.inline.tokenize = types.MethodType(ParserInline.tokenize, md.inline)  # type: ignore[method-assign]
    md.inline.skipToken = types.MethodType(ParserInline.skipToken, md.inline)  # type: ignore[method-assign]
    md.inline.post_process = types.MethodType(_every_post_rule, md.inline)  # type: ignore[attr-defined]
    for rule in md.core.ruler.__rules__:
        if rule.name in CORE_NEEDS:
            md.core.ruler.at(rule.name, rule.fn.__wrapped__)  # type: ignore[attr-defined]
    md.core.ruler.at("text_join", text_join)
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
            t.level,
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
    "\n# h {#id .c}\n",
    " ^blk\n",
    "\n- [x] done\n",
    "~~s~~",
    "_e_",
    # Block starts (each line's first character picks the block rules tried).
    "\n1. ",
    "\n2) ",
    "\n    code\n",
    "\n```\n",
    "\n~~~\n",
    "\n| a | b |\n|---|---|\n",
    "\n***\n",
    "\n___\n",
    "\n<div>\n",
    "\nT\n===\n",
    "\n%%\nc\n%%\n",
    "\n{{< figure src=x >}}\n",
    "\n$$\nx\n$$\n",
    "\n> q\n",
    "\n+ i\n",
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
    assert table.at("x") is TEXT_ONLY  # done by tokenize itself, without a call
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


def test_a_rule_before_the_text_rule_is_tried_where_markdown_it_tries_it() -> None:
    """A plugin's rule ahead of markdown-it's text rule is tried wherever the text rule would
    start, not only at terminators: inside a plain ``**term**`` too, so that is not made whole
    (``cjk._plain_strong``) then."""
    calls: dict[str, list[str]] = {"fast": [], "full": []}
    for name, md in (("fast", make_parser()), ("full", _every_rule(make_parser()))):

        def mine(state: Any, silent: bool, seen: list[str] = calls[name]) -> bool:
            seen.append(state.src[state.pos])
            return False

        md.inline.ruler.before("text", "mine", mine)
        md.parse("a-b **cd** w x", {})
    assert calls["fast"] == calls["full"] == list("a-b*c* w ")


def test_a_post_rule_runs_only_on_text_with_its_markers() -> None:
    md = make_parser()
    ran: list[tuple[str, str]] = []
    for name in ("strikethrough", "mark", "emphasis", "balance_pairs"):
        rule = next(r.fn for r in md.inline.ruler2.__rules__ if r.name == name)

        def counted(state: Any, _rule: Any = rule, _name: str = name) -> None:
            ran.append((_name, state.src))
            _rule(state)

        md.inline.ruler2.at(name, counted)
    html = md.render("plain 中文\n\n**b** ~~s~~ ==m==\n\n# a_b\n")
    assert "<strong>b</strong> <s>s</s> <mark>m</mark>" in html
    # ``**b**`` is made whole (``cjk._plain_strong``): no delimiter for emphasis to pair.
    assert sorted(ran) == [
        ("balance_pairs", "**b** ~~s~~ ==m=="),
        ("balance_pairs", "a_b"),
        ("emphasis", "a_b"),
        ("mark", "**b** ~~s~~ ==m=="),
        ("strikethrough", "**b** ~~s~~ ==m=="),
    ]
    # A rule of another name (a plugin's) runs on every inline text, as before.
    assert set(POST_NEEDS) == {"strikethrough", "mark", "emphasis"}


def test_a_core_rule_walks_only_notes_with_its_markers() -> None:
    md = make_parser()
    ran: list[str] = []
    for name, needs in CORE_NEEDS.items():
        rule = next(r.fn for r in md.core.ruler.__rules__ if r.name == name).__wrapped__

        def counted(state: Any, _rule: Any = rule, _name: str = name) -> None:
            ran.append(_name)
            _rule(state)

        md.core.ruler.at(name, factory._needing(needs, counted))
    # Citations, braces in math and quotes are everywhere in notes: none of these rules' marks.
    md.parse("# A heading\n\nplain **text**, $x_{2}$ [@key] 中文。\n\n- item\n\n> quote\n", {})
    assert ran == []
    html = md.render("> [!tip] T\n\n# H {#top}\n\n- [ ] task\n\ntext ^blk\n")
    assert 'id="h-top"' in html and 'type="checkbox"' in html and "^blk" not in html
    assert 'class="callout' in html
    assert ran == [
        "callout",
        "hugo_heading_attrs",
        "github-tasklists",
        "task_checkbox",
        "embed_blocks",
    ]


class _Markers(frozenset[str]):
    """The ``[TOC]`` markers, counting the paragraphs compared with them."""

    asked = 0

    def __contains__(self, text: object) -> bool:
        _Markers.asked += 1
        return super().__contains__(text)


def test_paragraphs_are_compared_with_the_toc_marker_only_in_a_note_with_one(
    monkeypatch: Any,
) -> None:
    from papernotes.markdown import toc

    monkeypatch.setattr(toc, "_TOC_MARKERS", _Markers(toc._TOC_MARKERS))
    md = make_parser()
    md.parse("one [link](x)\n\ntwo [@key]\n\nthree\n", {})
    assert _Markers.asked == 0
    env: dict[str, Any] = {}
    md.parse("one\n\n[Toc]\n\nthree\n", env)
    assert _Markers.asked == 3 and env["has_toc"]


def _pairing_runs(md: MarkdownIt) -> list[str]:
    """Where ``md``'s ``balance_pairs`` and ``fragments_join`` are run (each inline text, once
    for both: they run together or not at all), from now on."""
    ran: list[str] = []
    for name in ("balance_pairs", "fragments_join"):
        rule = next(r.fn for r in md.inline.ruler2.__rules__ if r.name == name)

        def counted(state: Any, _rule: Any = rule, _name: str = name) -> None:
            if _name == "balance_pairs":
                ran.append(state.src)
            else:
                assert ran[-1] == state.src  # joined where paired, and only there
                ran[-1] += " (joined)"
            _rule(state)

        md.inline.ruler2.at(name, counted)
    return ran


def test_delimiters_are_paired_only_in_text_with_a_delimiter_character() -> None:
    md = make_parser()
    ran = _pairing_runs(md)
    md.parse("plain 中文 [a link](x) and [@key]\n\n| a | b |\n|---|---|\n| c | d |\n", {})
    assert ran == []
    md.parse("a ~~s~~\n\nb ==m==\n\nc *e*\n\nd_e\n", {})
    assert ran == ["a ~~s~~ (joined)", "b ==m== (joined)", "c *e* (joined)", "d_e (joined)"]


def test_delimiters_are_paired_everywhere_with_a_rule_of_unknown_start() -> None:
    md = make_parser()
    md.inline.ruler.push("mine", lambda state, silent: False)  # might make delimiters
    ran = _pairing_runs(md)
    md.parse("plain 中文\n", {})
    assert ran == ["plain 中文 (joined)"]


def test_a_text_rule_of_a_plugin_is_called_at_every_character() -> None:
    md = make_parser()
    calls: list[str] = []

    def text(state: Any, silent: bool) -> bool:
        calls.append(state.src[state.pos])
        return False

    md.inline.ruler.at("text", text)
    assert md.render("ab *c*") == "<p>ab <em>c</em></p>\n"
    assert calls == ["a", "b", " ", "*", "c", "*"]


def test_a_block_rule_is_tried_only_at_lines_it_can_start() -> None:
    md = make_parser()
    # Every block rule of the dialect has its characters listed (else it is tried everywhere).
    assert {r.name for r in md.block.ruler.__rules__ if r.enabled} <= set(BLOCK_STARTS)
    tried: list[str] = []
    for name in ("heading", "fence", "table"):
        rule = next(r.fn for r in md.block.ruler.__rules__ if r.name == name)

        def counted(state: Any, line: int, end: int, silent: bool, _rule: Any = rule) -> bool:
            if not silent:  # not as a paragraph's end is looked for
                tried.append(state.src[state.bMarks[line] + state.tShift[line]])
            return bool(_rule(state, line, end, silent))

        md.block.ruler.at(name, counted)
    html = md.render("text\n\n- item\n\n# H\n\n```\nx\n```\n")
    assert "<h2" in html and "<pre" in html
    # table (any first character) at each block; heading at "#" and fence at "`" only.
    assert sorted(tried) == sorted(["t", "-", "i", "#", "#", "`", "`"])


def test_a_block_rule_of_a_plugin_is_tried_at_every_line() -> None:
    md = make_parser()
    tried: list[int] = []

    def mine(state: Any, line: int, end: int, silent: bool) -> bool:
        tried.append(line)
        return False

    md.block.ruler.before("paragraph", "mine", mine)
    md.parse("a\n\n# b\n\n- c\n", {})
    assert tried == [0, 4]  # where no rule before it matched: "a", the item's text (nested)


def test_text_is_joined_only_in_blocks_where_it_changes_something(monkeypatch: Any) -> None:
    from papernotes.markdown import dispatch

    handed: list[str] = []

    def counted(state: Any) -> None:
        handed.extend(block.content for block in state.tokens)
        text_join(state)

    monkeypatch.setattr(dispatch, "markdown_it_text_join", counted)
    md = make_parser()
    source = (
        "plain **text** [@key] 中文。\n\nan \\* escape\n\nan &amp; entity\n\n![alt *x*](p.png)\n"
    )
    tokens = md.parse(source, {})
    assert handed == ["an \\* escape", "an &amp; entity", "![alt *x*](p.png)"]
    assert _shape(tokens) == _shape(FULL.parse(source, {}))
    assert [c.content for c in tokens[4].children or []] == ["an * escape"]  # joined

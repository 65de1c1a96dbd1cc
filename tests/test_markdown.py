"""The notes Markdown dialect: parse once, render many times, everything escaped."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from papernotes.markdown._types import CiteTarget, LocalLink, RenderContext, RenderedBody
from papernotes.markdown.body import render_body
from papernotes.markdown.code import pygments_css
from papernotes.markdown.extract import is_local_url, parse_body
from papernotes.markdown.factory import make_parser
from papernotes.markdown.html_rules import install_render_rules

MD = make_parser()
MD_HTML = make_parser(allow_html=True)

TARGETS = {
    "hu2021lora": CiteTarget("Hu et al., 2021", "LoRA: Low-Rank Adaptation", "../hu2021lora/"),
    "vaswani2017attention": CiteTarget(
        "Vaswani et al., 2017", "Attention Is All You Need", "../vaswani2017attention/"
    ),
    "arXiv:2106.09685": CiteTarget("Hu et al., 2021", "LoRA", "https://arxiv.org/abs/2106.09685"),
    "evil": CiteTarget('<b>"Bad" & co</b>', 'A "quoted" <title>', '../x/?a=1&b="2"'),
}


def _cite(key: str) -> CiteTarget | None:
    return TARGETS.get(key)


def _local(url: str) -> str | None:
    return None if url.startswith("missing") else "../files/" + url


CTX = RenderContext(cite=_cite, local=_local)
NO_CTX = RenderContext(cite=lambda key: None, local=lambda url: None)


def render(text: str, *, md: object = MD, ctx: RenderContext = CTX) -> RenderedBody:
    parser = MD_HTML if md is MD_HTML else MD
    return render_body(parser, parse_body(parser, text), ctx)


def html(text: str, **kw: object) -> str:
    return render(text, **kw).html  # type: ignore[arg-type]


def inline(text: str) -> str:
    """The HTML of a one-paragraph body without the <p> wrapper."""
    out = html(text).strip()
    assert out.startswith("<p>") and out.endswith("</p>"), out
    return out[3:-4]


def soup(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "html.parser")


# --- base dialect -------------------------------------------------------------------------


def test_raw_html_is_escaped_by_default() -> None:
    out = html("<script>alert(1)</script>\n\na <b onclick=x>b</b>")
    assert "<script>" not in out and "<b" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;b onclick=x&gt;b&lt;/b&gt;" in out


def test_table() -> None:
    out = html("| a | b |\n|---|--:|\n| 1 | 2 |\n")
    cells = soup(out).find_all(["th", "td"])
    assert [c.get_text() for c in cells] == ["a", "b", "1", "2"]
    assert cells[1]["style"] == "text-align:right"


def test_strikethrough() -> None:
    assert inline("~~gone~~ and ~~删除~~了") == "<s>gone</s> and <s>删除</s>了"


def test_footnotes_have_prefixed_ids() -> None:
    out = html("Text[^1] more[^n].\n\n[^1]: First.\n[^n]: Second.\n")
    doc = soup(out)
    refs = doc.select("sup.footnote-ref a")
    assert [(a["href"], a["id"]) for a in refs] == [("#fn-1", "fnref-1"), ("#fn-2", "fnref-2")]
    items = doc.select("li.footnote-item")
    assert [li["id"] for li in items] == ["fn-1", "fn-2"]
    assert items[0].select_one("a.footnote-backref")["href"] == "#fnref-1"


def test_inline_footnotes_are_not_parsed() -> None:
    assert inline("a^[inline]") == "a^[inline]"


def test_task_list_renders_disabled_checkboxes() -> None:
    doc = soup(html("- [ ] todo\n- [x] done\n- plain\n"))
    boxes = doc.find_all("input")
    assert len(boxes) == 2
    assert all(b["type"] == "checkbox" and b.has_attr("disabled") for b in boxes)
    assert [b.has_attr("checked") for b in boxes] == [False, True]
    assert doc.find("ul")["class"] == ["contains-task-list"]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("# Intro", ["h-intro"]),
        ("# 注意力 机制 Attention", ["h-注意力-机制-attention"]),
        ("# 方法（Method）", ["h-方法method"]),
        ("# A\n\n# A\n\n# A", ["h-a", "h-a-1", "h-a-2"]),
        ("# a-1\n\n# a\n\n# a", ["h-a-1", "h-a", "h-a-2"]),
        ("# `code` and $x$", ["h-code-and-x"]),
        ("# !!!", ["h-section"]),
        ("# location", ["h-location"]),  # never a bare DOM-clobbering id
    ],
)
def test_heading_anchors(text: str, ids: list[str]) -> None:
    doc = soup(html(text))
    assert [h["id"] for h in doc.find_all(re.compile(r"^h\d$"))] == ids
    assert [h.anchor for h in parse_body(MD, text).headings] == ids


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("# A\n\n## B\n\n### C", ["h2", "h3", "h4"]),
        ("## A\n\n### B", ["h2", "h3"]),
        ("### A\n\n#### B\n\n### C", ["h2", "h3", "h2"]),
        ("#### only", ["h2"]),
        ("## A\n\n# B", ["h3", "h2"]),
        ("# A\n\n##### B\n\n###### C", ["h2", "h6", "h6"]),  # capped at h6
        ("Setext\n======\n\nSub\n---", ["h2", "h3"]),
    ],
)
def test_headings_shift_so_top_level_is_h2(text: str, tags: list[str]) -> None:
    doc = soup(html(text))
    assert [h.name for h in doc.find_all(re.compile(r"^h\d$"))] == tags
    assert [f"h{h.level}" for h in parse_body(MD, text).headings] == tags


def test_heading_records_line_and_text() -> None:
    body = parse_body(MD, "intro\n\n## 方法 $x^2$\n\ntext\n\n### Sub [@hu2021lora]\n")
    assert [(h.line, h.text) for h in body.headings] == [
        (3, "方法 x^2"),
        (7, "Sub [@hu2021lora]"),
    ]


# --- table of contents ----------------------------------------------------------------------

TOC_DOC = "# One\n\n{marker}\n\n## One.A\n\n### deep\n\n#### too deep\n\n# Two\n"


@pytest.mark.parametrize("marker", ["[TOC]", "[[TOC]]", "[toc]", "  [TOC]  "])
def test_toc_marker_is_replaced_by_nav(marker: str) -> None:
    body = parse_body(MD, TOC_DOC.format(marker=marker))
    assert body.has_toc
    out = render_body(MD, body, CTX)
    assert "[TOC]" not in out.html and "[toc]" not in out.html
    doc = soup(out.html)
    nav = doc.find("nav", class_="toc")
    assert nav is not None
    # The nav sits where the marker was: after the first heading, before the second.
    assert nav.find_previous(re.compile(r"^h\d$"))["id"] == "h-one"
    assert out.toc_html and out.toc_html in out.html


def test_toc_nesting_and_levels() -> None:
    out = render(TOC_DOC.format(marker="[TOC]"))
    nav = soup(out.toc_html).find("nav")
    top = nav.find("ul", recursive=False)
    items = top.find_all("li", recursive=False)
    assert [li.a.get_text() for li in items] == ["One", "Two"]
    sub = items[0].find("ul").find_all("li", recursive=False)
    assert [li.a["href"] for li in sub] == ["#h-onea"]
    assert sub[0].find("ul").li.a["href"] == "#h-deep"  # h4 after the shift
    assert "too deep" not in out.toc_html  # h5 is left out


def test_toc_returns_to_shallower_levels() -> None:
    toc = render("## a\n\n#### b\n\n### c\n\n## d\n").toc_html
    nav = soup(toc).find("nav")
    top = [li.a.get_text() for li in nav.ul.find_all("li", recursive=False)]
    assert top == ["a", "d"]
    nested = [li.a.get_text() for li in nav.ul.li.ul.find_all("li", recursive=False)]
    assert nested == ["b", "c"]


def test_toc_html_exists_without_marker() -> None:
    body = parse_body(MD, "# A\n\n# B\n")
    assert not body.has_toc
    out = render_body(MD, body, CTX)
    assert "<nav" not in out.html
    assert [a["href"] for a in soup(out.toc_html).find_all("a")] == ["#h-a", "#h-b"]


@pytest.mark.parametrize("text", ["no headings", "# just one\n\n[TOC]", "[TOC]"])
def test_toc_is_empty_below_two_headings(text: str) -> None:
    out = render(text)
    assert out.toc_html == ""
    assert "TOC" not in out.html


@pytest.mark.parametrize(
    "text", ["see [TOC] here", "[TOC] and more", "`[TOC]`", "[toc]\n\n[toc]: http://x.org"]
)
def test_toc_marker_only_alone_in_a_paragraph(text: str) -> None:
    assert not parse_body(MD, text).has_toc


def test_toc_entries_keep_math_and_code_but_no_links() -> None:
    toc = render("# The $O(n^2)$ `attn`\n\n# See [x](http://a.org) [@hu2021lora]\n").toc_html
    assert '<span class="math inline">O(n^2)</span>' in toc
    assert "<code>attn</code>" in toc
    assert toc.count("<a ") == 2  # only the TOC links themselves
    assert "(Hu et al., 2021)" in toc


# --- code ---------------------------------------------------------------------------------


def test_fenced_code_is_highlighted_with_classes() -> None:
    out = html("```python\ndef f(x):\n    return '<b>'\n```\n")
    assert out.startswith('<pre class="highlight" tabindex="0"><code class="language-python">')
    assert '<span class="k">def</span>' in out
    assert '<span class="nf">f</span>' in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert "style=" not in out


@pytest.mark.parametrize(
    ("fence", "expected"),
    [
        (
            "```nosuchlang\n<x> & y\n```",
            '<pre tabindex="0"><code class="language-nosuchlang">&lt;x&gt; &amp; y\n</code></pre>\n',
        ),
        ("```\n<x>\n```", '<pre tabindex="0"><code>&lt;x&gt;\n</code></pre>\n'),
        ("    <indented>", '<pre tabindex="0"><code>&lt;indented&gt;\n</code></pre>\n'),
        (
            '```"><script>\nx\n```',
            '<pre tabindex="0"><code class="language-&quot;&gt;&lt;script&gt;">x\n</code></pre>\n',
        ),
        ("```math\n\\frac{a}{b}\n```", '<div class="math display">\\frac{a}{b}</div>\n'),
    ],
)
def test_code_without_known_language_is_escaped_plain(fence: str, expected: str) -> None:
    assert html(fence) == expected


def test_pygments_css_has_light_and_dark_themes() -> None:
    css = pygments_css()
    assert ".highlight .k {" in css
    assert '[data-theme="dark"] .highlight .k {' in css
    media = css[css.index("@media (prefers-color-scheme: dark)") :]
    assert ':root:not([data-theme="light"]) .highlight .k {' in media
    # Nothing outside .highlight is restyled.
    rules = [line.strip() for line in css.splitlines() if "{" in line and "@media" not in line]
    assert all(".highlight" in rule for rule in rules)


# --- math ---------------------------------------------------------------------------------

M = '<span class="math inline">{}</span>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("价格 $5 和 $10", "价格 $5 和 $10"),
        ("$20,000 and $30,000", "$20,000 and $30,000"),
        ("中文$x^2$公式", "中文" + M.format("x^2") + "公式"),
        ("$a$ and $b$", M.format("a") + " and " + M.format("b")),
        ("$$\\frac{a}{b}$$ inline", '<span class="math display">\\frac{a}{b}</span> inline'),
        ("\\$5 and \\$6", "$5 and $6"),
        ("$ x$", "$ x$"),  # opening $ followed by a space
        ("$x $", "$x $"),  # closing $ preceded by a space
        ("$x$5", "$x$5"),  # closing $ followed by a digit
        ("$a<b$", M.format("a&lt;b")),
        ("$\\$x$", M.format("\\$x")),  # an escaped dollar inside math
        ("`$x$` and $y$", "<code>$x$</code> and " + M.format("y")),
        ("$x$, $y$.", M.format("x") + ", " + M.format("y") + "."),
        ("cost $5 but $x$", "cost $5 but " + M.format("x")),
        ("$a\nb$", M.format("a\nb")),
    ],
)
def test_inline_math(text: str, expected: str) -> None:
    assert inline(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$$\\frac{a}{b}$$", '<div class="math display">\\frac{a}{b}</div>\n'),
        ("$$\na < b\n$$", '<div class="math display">a &lt; b</div>\n'),
        (
            "text\n$$\nx\n$$\nmore",
            '<p>text</p>\n<div class="math display">x</div>\n<p>more</p>\n',
        ),
        (
            "> $$\n> x\n> $$",
            '<blockquote>\n<div class="math display">x</div>\n</blockquote>\n',
        ),
    ],
)
def test_display_math(text: str, expected: str) -> None:
    assert html(text) == expected


def test_math_in_table_needs_escaped_pipes() -> None:
    out = html("| $\\|x\\|$ | b |\n|---|---|\n| c | d |\n")
    assert M.format("|x|") in out


# --- CJK-friendly emphasis ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The CommonMark failures the amendment fixes.
        ("这是**“重点”**内容", "这是<strong>“重点”</strong>内容"),
        ("**注意力（Attention）**是", "<strong>注意力（Attention）</strong>是"),
        ("这是**重点。**下一句", "这是<strong>重点。</strong>下一句"),
        ("他说*“好”*了", "他说<em>“好”</em>了"),
        ("**「括号」**内", "<strong>「括号」</strong>内"),
        ("~~删除。~~了", "<s>删除。</s>了"),
        (
            "**このアスタリスクは強調記号として認識されず、そのまま表示されます。**この文のせいで。",
            "<strong>このアスタリスクは強調記号として認識されず、そのまま表示されます。</strong>"
            "この文のせいで。",
        ),
        ("**`npm publish`**를 실행", "<strong><code>npm publish</code></strong>를 실행"),
        # What already worked keeps working.
        ("这是**重点**内容", "这是<strong>重点</strong>内容"),
        ("中文**English**中文", "中文<strong>English</strong>中文"),
        # Plain CommonMark, unchanged.
        ("**bold**", "<strong>bold</strong>"),
        ("*a*b", "<em>a</em>b"),
        ("snake_case_name", "snake_case_name"),
        ("2*3*4", "2<em>3</em>4"),
        ("_a_b", "_a_b"),
        ("a**“b”**c", "a**“b”**c"),
        ("a **b** c", "a <strong>b</strong> c"),
        ("** not bold **", "** not bold **"),
        ("中文 ** 不是 ** 强调", "中文 ** 不是 ** 强调"),
        ("emoji😀**x**", "emoji😀<strong>x</strong>"),
    ],
)
def test_cjk_friendly_emphasis(text: str, expected: str) -> None:
    assert inline(text) == expected


def test_cjk_emphasis_does_not_leak_to_other_parsers() -> None:
    from markdown_it import MarkdownIt

    assert "**" in MarkdownIt("commonmark").renderInline("这是**“重点”**内容")


# --- citations ------------------------------------------------------------------------------


def _anchor(key: str, cls: str = "cite", text: str | None = None, frag: str = "") -> str:
    t = TARGETS[key]
    return f'<a class="{cls}" href="{t.href}{frag}">{t.label if text is None else text}</a>'


HU = _anchor("hu2021lora")
VA = _anchor("vaswani2017attention")
UNRESOLVED = '<span class="cite unresolved" title="no note with this key">@{}</span>'


def _cites(inner: str) -> str:
    return f'<span class="citation">({inner})</span>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[@hu2021lora]", _cites(HU)),
        ("[@hu2021lora, p. 3]", _cites(HU + ", p. 3")),
        ("[@hu2021lora; @vaswani2017attention]", _cites(f"{HU}; {VA}")),
        (
            "[see @hu2021lora, ch. 2; @vaswani2017attention]",
            _cites(f"see {HU}, ch. 2; {VA}"),
        ),
        ("[@hu2021lora p. 33]", _cites(HU + " p. 33")),
        ("[-@hu2021lora]", _cites(HU)),
        ("[@nokey]", _cites(UNRESOLVED.format("nokey"))),
        ("[@hu2021lora; @nokey]", _cites(f"{HU}; " + UNRESOLVED.format("nokey"))),
        ("[@arXiv:2106.09685]", _cites(_anchor("arXiv:2106.09685"))),
        ("见[@hu2021lora]。", "见" + _cites(HU) + "。"),
        ("[@hu2021lora, <b>p. 3</b>]", _cites(HU + ", &lt;b&gt;p. 3&lt;/b&gt;")),
        ("[<i>see</i> @hu2021lora]", _cites("&lt;i&gt;see&lt;/i&gt; " + HU)),
        (
            "[@evil]",
            _cites(
                '<a class="cite" href="../x/?a=1&amp;b=&quot;2&quot;">'
                "&lt;b&gt;&quot;Bad&quot; &amp; co&lt;/b&gt;</a>"
            ),
        ),
    ],
)
def test_pandoc_citation_rendering(text: str, expected: str) -> None:
    assert inline(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[hu2021lora]]", _anchor("hu2021lora", "cite wikilink")),
        ("[[hu2021lora|LoRA]]", _anchor("hu2021lora", "cite wikilink", "LoRA")),
        (
            "[[hu2021lora#Method 方法]]",
            _anchor("hu2021lora", "cite wikilink", frag="#h-method-%E6%96%B9%E6%B3%95"),
        ),
        (
            "[[hu2021lora#Method|the method]]",
            _anchor("hu2021lora", "cite wikilink", "the method", "#h-method"),
        ),
        ("[[ hu2021lora ]]", _anchor("hu2021lora", "cite wikilink")),
        (
            "[[nokey|别名]]",
            '<span class="cite wikilink unresolved" title="no note with this key">别名</span>',
        ),
        (
            "[[<b>x</b>]]",
            '<span class="cite wikilink unresolved" title="no note with this key">'
            "&lt;b&gt;x&lt;/b&gt;</span>",
        ),
    ],
)
def test_wikilink_rendering(text: str, expected: str) -> None:
    assert inline(text) == expected


def test_unresolved_citation_is_not_a_link() -> None:
    doc = soup(html("[@nokey] and [[nokey]]"))
    assert doc.find("a") is None
    spans = doc.select("span.unresolved")
    assert [s.get_text() for s in spans] == ["@nokey", "nokey"]
    assert all(s["title"] == "no note with this key" for s in spans)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("[@hu2021lora]", ("hu2021lora",)),
        ("[@a.]", ("a",)),  # trailing punctuation is not part of the key
        ("[@a:b.c-d_e]", ("a:b.c-d_e",)),
        ("[@arXiv:2106.09685.]", ("arXiv:2106.09685",)),
        ("[@doi:10.1145/3292500.3330701]", ("doi:10.1145/3292500.3330701",)),
        ("[@_private]", ("_private",)),
        ("[@1999paper]", ("1999paper",)),
        ("[@a#b$c%d&e+f?g<h>i~j/k]", ("a#b$c%d&e+f?g<h>i~j/k",)),
        ("[@https://example.org/x]", ("https://example.org/x",)),
        ("[@杨2023研究]", ("杨2023研究",)),
        ("[@a; @b; @c]", ("a", "b", "c")),
        ("[see @a, p. 1; also @b, ch. 2]", ("a", "b")),
    ],
)
def test_citation_keys(text: str, keys: tuple[str, ...]) -> None:
    body = parse_body(MD, text)
    assert [c.keys for c in body.citations] == [keys]
    assert body.citations[0].syntax == "pandoc"


@pytest.mark.parametrize(
    "text",
    [
        "[text](url)",
        "[@x](url)",
        "[@x][ref]\n\n[ref]: http://a.org",
        "[@x]\n\n[@x]: http://a.org",
        "[TOC]",
        "see [[TOC]] here",
        "[contact me@x.org]",
        "<me@x.org> and me@x.org",
        "`[@a]` and `[[b]]`",
        "```\n[@a] [[b]]\n```",
        "    [@a] indented code",
        "\\[@a]",
        "[see@a]",
        "[@]",
        "[@ a]",
        "[@a; not a key]",
        "[^1]\n\n[^1]: x",
        "[[a]](url)",
        "[[]]",
        "[[a\nb]]",
        "[@a [nested]]",
        "[unclosed @a",
    ],
)
def test_citation_rules_do_not_steal(text: str) -> None:
    body = parse_body(MD, text)
    assert body.citations == ()
    out = render_body(MD, body, CTX).html
    assert 'class="citation"' not in out and "cite" not in out


def test_link_around_citation_is_not_nested() -> None:
    out = html("[see [@hu2021lora]](http://a.org)")
    assert "<a " in out
    for a in soup(out).find_all("a"):
        assert a.find("a") is None


def test_wikilink_keys_and_syntax() -> None:
    body = parse_body(MD, "[[a]] [[b|B]] [[c#sec]] [[d#sec|D]]")
    assert [(c.keys, c.syntax) for c in body.citations] == [
        (("a",), "wikilink"),
        (("b",), "wikilink"),
        (("c",), "wikilink"),
        (("d",), "wikilink"),
    ]


def _positions(text: str) -> list[tuple[int, int]]:
    return [(c.line, c.col) for c in parse_body(MD, text).citations]


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        ("[@a]", [(1, 1)]),
        ("x [@a] y [[b]]", [(1, 3), (1, 10)]),
        ("中文[@a]", [(1, 3)]),
        ("intro\n\npara line one\nline two [@a] and\n  three [@b]", [(4, 10), (5, 9)]),
        ("- item [@a]\n- item\n  cont [[b]]", [(1, 8), (3, 8)]),
        ("1. one\n   1. nested [@a]", [(2, 14)]),
        ("> quote [@a]\n> > deeper [@b]\nlazy [@c]", [(1, 9), (2, 12), (3, 6)]),
        (
            "| h | [@x] |\n|---|---|\n| [@a] | [@a] |\n| `\\|` | \\| [@b] |",
            [(1, 7), (3, 3), (3, 10), (4, 13)],
        ),
        ("text[^1]\n\n[^1]: note [@a]\n    more [@b]", [(3, 12), (4, 10)]),
        ("## Heading [@a]\n\nSetext [@b]\n---", [(1, 12), (3, 8)]),
        ("*[@a]* **x [@b]**", [(1, 2), (1, 12)]),
        ("a\r\nb [@a]\r\nc", [(2, 3)]),
        ("x\t[@a]", [(1, 3)]),
    ],
)
def test_citation_line_and_column(text: str, positions: list[tuple[int, int]]) -> None:
    assert _positions(text) == positions
    lines = re.split(r"\r\n|\n", text)
    for line, col in positions:
        assert lines[line - 1][col - 1] == "["


_FRAGMENT = st.sampled_from(
    [
        "plain text",
        "中文**重点**",
        "[@a]",
        "[see @b, p. 3; @c]",
        "[[d|D]]",
        "$x$",
        "`[@no]`",
        "[l](figs/a.png)",
        "**[@e]**",
    ]
)
_CONTAINER = st.sampled_from(["", "> ", "- ", "1. ", "## ", "| x | ", "> - "])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CONTAINER, st.lists(_FRAGMENT, min_size=1, max_size=4)), max_size=6))
def test_citation_positions_point_at_brackets(
    blocks: list[tuple[str, list[str]]],
) -> None:
    lines = []
    for prefix, fragments in blocks:
        line = prefix + " ".join(fragments)
        if prefix == "| x | ":
            line += " |\n|---|---|"
        lines.extend([line, ""])
    text = "\n".join(lines)
    body = parse_body(MD, text)
    src_lines = text.split("\n")
    expected = sum(
        1 for _, fragments in blocks for f in fragments if "@" in f and "`" not in f
    ) + sum(1 for _, fragments in blocks for f in fragments if f.startswith("[["))
    assert len(body.citations) == expected
    for c in body.citations:
        assert src_lines[c.line - 1][c.col - 1] == "["


# --- links and images -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("figures/a.svg", True),
        ("../other.md#method", True),
        ("a.pdf", True),
        ("#section", False),
        ("/abs/path", False),
        ("//cdn.example.org/x.js", False),
        ("https://arxiv.org", False),
        ("mailto:a@b.org", False),
        ("data:image/png;base64,AA", False),
        ("", False),
    ],
)
def test_is_local_url(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_local_links_are_collected_with_lines() -> None:
    text = (
        "![RLHF](figures/rlhf.svg)\n\n"
        "See [method](../adapters/houlsby.md#method) and [web](https://x.org),\n"
        "[anchor](#h-a), [root](/x), ![图 1](<figures/图 1.png>) and [ref][r].\n\n"
        "[r]: notes/ref.pdf\n"
    )
    links = parse_body(MD, text).local_links
    line4 = text.split("\n")[3]
    assert links == (
        LocalLink("figures/rlhf.svg", 1, True, 1),
        LocalLink("../adapters/houlsby.md#method", 3, False, 5),
        LocalLink("figures/图 1.png", 4, True, line4.index("![图") + 1),
        LocalLink("notes/ref.pdf", 4, False, line4.index("[ref]") + 1),
    )


def test_local_links_are_rewritten_through_ctx() -> None:
    out = html("[m](other.md#x) ![f](fig.png) [n](missing.md) [e](https://e.org) [a](#top)")
    doc = soup(out)
    hrefs = [a["href"] for a in doc.find_all("a")]
    assert hrefs == ["../files/other.md#x", "missing.md", "https://e.org", "#top"]
    img = doc.find("img")
    assert img["src"] == "../files/fig.png"
    assert img["loading"] == "lazy"
    assert img["alt"] == "f"


def test_local_url_is_passed_decoded_and_result_escaped() -> None:
    seen: list[str] = []

    def local(url: str) -> str:
        seen.append(url)
        return '../x/"<q>'

    out = html("![图 1](<figures/图 1.png>)", ctx=RenderContext(cite=_cite, local=local))
    assert seen == ["figures/图 1.png"]
    assert 'src="../x/&quot;&lt;q&gt;"' in out


def test_external_links_get_noopener() -> None:
    doc = soup(html("[a](https://a.org) [b](http://b.org) <https://c.org> [m](mailto:x@y.org)"))
    rels = [(a["href"], a.get("rel")) for a in doc.find_all("a")]
    assert rels == [
        ("https://a.org", ["noopener"]),
        ("http://b.org", ["noopener"]),
        ("https://c.org", ["noopener"]),
        ("mailto:x@y.org", None),
    ]


def test_image_title_and_alt_are_escaped() -> None:
    img = soup(html('![a "b" <c>](https://x.org/i.png "t <t>")')).find("img")
    assert img["alt"] == 'a "b" <c>'
    assert img["title"] == "t <t>"
    assert img["loading"] == "lazy"


BAD_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](vbscript:msgbox)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
]


@pytest.mark.parametrize("md", [MD, MD_HTML], ids=["html-off", "html-on"])
@pytest.mark.parametrize("text", BAD_LINKS)
def test_dangerous_links_never_pass(md: object, text: str) -> None:
    out = html(text, md=md).lower()
    assert 'href="javascript' not in out and 'src="javascript' not in out
    assert "vbscript:" not in out.replace("(vbscript:msgbox)", "")
    assert 'href="data:' not in out
    assert "<a" not in out.replace("<a>", "")  # no link was made of it


def test_data_image_is_allowed_without_raw_html() -> None:
    assert '<img src="data:image/png;base64,AAAA"' in html("![d](data:image/png;base64,AAAA)")


# --- raw HTML allowed, then sanitized -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("<script>alert(1)</script>", "alert"),
        ('<div onclick="steal()">x</div>', "onclick"),
        ('<a href="vbscript:x">x</a>', "vbscript"),
        ("<iframe src=https://evil.org></iframe>", "iframe"),
        ('<span style="position:fixed">x</span>', "position"),
        ("<style>body{display:none}</style>", "display"),
        ('<input type="text" name="q">', 'type="text"'),
    ],
)
def test_allow_html_sanitizes(text: str, forbidden: str) -> None:
    out = html(text, md=MD_HTML)
    assert forbidden not in out


def test_allow_html_keeps_formatting_and_our_markup() -> None:
    text = (
        "# Title\n\n"
        "<details><summary>More</summary>\n\n"
        "**b** <kbd>Ctrl</kbd> <mark>m</mark> H<sub>2</sub>O x<sup>2</sup>\n\n"
        "</details>\n\n"
        '<figure><img src="fig.png" alt="A" width="100"><figcaption>Cap</figcaption></figure>\n\n'
        "- [x] done\n\n"
        "| a |\n|--:|\n| b |\n\n"
        "[@hu2021lora] [[nokey]] [ext](https://a.org) $x$ note[^1]\n\n"
        "[^1]: fn\n"
    )
    doc = soup(html(text, md=MD_HTML))
    for tag in ("details", "summary", "kbd", "mark", "sub", "sup", "figure", "figcaption"):
        assert doc.find(tag) is not None, tag
    assert doc.find("h2")["id"] == "h-title"
    assert doc.find("img", alt="A")["width"] == "100"
    assert doc.find("input")["type"] == "checkbox"
    assert doc.find("td")["style"] == "text-align:right"
    cite = doc.select_one("a.cite")
    assert cite["href"] == TARGETS["hu2021lora"].href and not cite.has_attr("title")
    assert doc.select_one("span.unresolved") is not None
    assert doc.find("a", href="https://a.org")["rel"] == ["noopener"]
    assert doc.select_one("span.math.inline").get_text() == "x"
    assert doc.find("li", id="fn-1") is not None


def test_allow_html_keeps_raw_html() -> None:
    assert "<kbd>K</kbd>" in html("press <kbd>K</kbd>", md=MD_HTML)
    assert "&lt;kbd&gt;" in html("press <kbd>K</kbd>")


# --- plain text -------------------------------------------------------------------------------


def test_plain_text() -> None:
    text = (
        "# 标题 Title\n\n"
        "[TOC]\n\n"
        "这是**重点**内容，公式 $E = mc^2$ 和 [@hu2021lora, p. 3] [@nokey]\n"
        "第二行  <b>x</b> [[hu2021lora|LoRA]] [link](https://a.org)\n\n"
        "```python\nprint('hi')\n```\n\n"
        "$$\n\\sum_i x_i\n$$\n\n"
        "- [x] 任务\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert render(text).text == (
        "标题 Title 这是重点内容，公式 E = mc^2 和 (Hu et al., 2021, p. 3) (@nokey) "
        "第二行 <b>x</b> LoRA link print('hi') \\sum_i x_i 任务 a b 1 2"
    )


def test_plain_text_strips_raw_html_tags() -> None:
    text = "<div class='x'>\n<p>inside</p>\n</div>\n\npress <kbd>K</kbd> now"
    assert render(text, md=MD_HTML).text == "inside press K now"


# --- parse once, render many ------------------------------------------------------------------


SAMPLE = (
    "# LoRA\n\n[TOC]\n\n## 方法\n\n"
    "这是**“重点”**内容 $x$ [@hu2021lora, p. 3] [[vaswani2017attention]] [@nokey]\n\n"
    "![图](figures/a.png) [o](other.md) [e](https://e.org)\n\n"
    "```python\nx = 1\n```\n\n- [ ] t\n\nf[^1]\n\n[^1]: n\n"
)


@pytest.mark.parametrize("md", [MD, MD_HTML], ids=["html-off", "html-on"])
def test_rendering_twice_is_identical_and_does_not_mutate(md: object) -> None:
    parser = MD_HTML if md is MD_HTML else MD
    body = parse_body(parser, SAMPLE)
    first = render_body(parser, body, CTX)
    other = render_body(parser, body, NO_CTX)
    second = render_body(parser, body, CTX)
    assert first == second
    # The body is a plain value; rendering left nothing behind in the parser either.
    assert body == parse_body(parser, SAMPLE)
    # A different context gives a different page, and does not leak into the next render.
    assert other.html != first.html
    assert "../files/figures/a.png" in first.html
    assert 'src="figures/a.png"' in other.html
    assert "Hu et al., 2021" in first.html and "Hu et al., 2021" not in other.html


def test_parse_body_is_deterministic() -> None:
    a, b = parse_body(MD, SAMPLE), parse_body(MD, SAMPLE)
    assert (a.citations, a.local_links, a.has_toc, a.headings) == (
        b.citations,
        b.local_links,
        b.has_toc,
        b.headings,
    )


def test_sample_parse_summary() -> None:
    body = parse_body(MD, SAMPLE)
    assert body.has_toc
    assert [(c.keys, c.line) for c in body.citations] == [
        (("hu2021lora",), 7),
        (("vaswani2017attention",), 7),
        (("nokey",), 7),
    ]
    assert [(link.url, link.is_image) for link in body.local_links] == [
        ("figures/a.png", True),
        ("other.md", False),
    ]
    assert [h.level for h in body.headings] == [2, 3]


@pytest.mark.parametrize(
    ("source", "html", "text"),
    [
        ("中文第一行\n第二行", "<p>中文第一行第二行</p>\n", "中文第一行第二行"),
        ("句号。\n下一句", "<p>句号。下一句</p>\n", "句号。下一句"),
        ("English line\nnext line", "<p>English line\nnext line</p>\n", "English line next line"),
        ("中文。\nEnglish", "<p>中文。\nEnglish</p>\n", "中文。 English"),
    ],
)
def test_line_breaks_between_cjk_characters_vanish(source: str, html: str, text: str) -> None:
    md = make_parser()
    out = render_body(
        md, parse_body(md, source), RenderContext(cite=lambda k: None, local=lambda u: None)
    )
    assert out.html == html
    assert out.text == text


def test_render_rules_only_read_the_tokens() -> None:
    # The HTML rules copy attributes before rewriting them, so the same tokens can be
    # rendered for two pages with two contexts.
    md = MarkdownIt("commonmark")
    install_render_rules(md)
    tokens = md.parse("[a](x.md) ![b](y.png) [c](https://c.org)", {})
    env = {"local": lambda url: "../files/" + url, "toc_html": ""}
    first = md.renderer.render(tokens, md.options, env)
    assert 'href="../files/x.md"' in first and 'src="../files/y.png"' in first
    assert 'rel="noopener"' in first
    assert md.renderer.render(tokens, md.options, env) == first
    assert [t.attrs for t in tokens[1].children or () if t.attrs] == [
        {"href": "x.md"},
        {"src": "y.png", "alt": ""},
        {"href": "https://c.org"},
    ]


def test_emphasis_tags_render_as_markdown_it_renders_them() -> None:
    """Strong and em tokens have their own render rule (``html_rules._render_inline_tag``):
    the HTML is markdown-it's, and a token given attributes is rendered by markdown-it."""
    text = "a **b** *c* __d__ _e_ ***f*** **g *h* i**"
    ours, theirs = make_parser(), MarkdownIt("commonmark")
    assert ours.render(text) == theirs.render(text)
    tokens = ours.parse("**b**")
    tokens[1].children[1].attrs = {"class": "x"}  # type: ignore[index]
    assert ours.renderer.render(tokens, ours.options, {}) == '<p><strong class="x">b</strong></p>\n'


def test_task_list_rule_is_mdit_py_plugins_own_imported_on_first_need() -> None:
    """The task-list rule, installed without importing its plugin, renders as the plugin does."""
    from mdit_py_plugins.tasklists import tasklists_plugin

    from papernotes.markdown.factory import _tasklists_rule

    theirs = MarkdownIt("commonmark")
    tasklists_plugin(theirs)
    ours = MarkdownIt("commonmark")
    ours.core.ruler.after("inline", "github-tasklists", _tasklists_rule())
    text = "- [ ] to do\n- [x] done\n  - [X] nested\n\n1. [ ] numbered\n\n[ ] not a list\n"
    assert ours.render(text) == theirs.render(text)
    assert 'type="checkbox"' in ours.render(text)

"""The citation and wikilink rules on a bare markdown-it: what they take and what they leave."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from papernotes.markdown._types import CiteTarget
from papernotes.markdown.cite import CITE_TOKENS, cite_plugin

TARGETS = {
    "hu2021": CiteTarget("Hu et al., 2021", "LoRA", "hu2021.html"),
    "vaswani2017": CiteTarget("Vaswani et al., 2017", "Attention <Is> All", "v.html"),
}


def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    cite_plugin(md)
    return md


def _render(text: str) -> str:
    return _md().renderInline(text, {"cite": TARGETS.get})


def _cites(text: str) -> list[tuple[str, object]]:
    [block] = [t for t in _md().parse(text, {}) if t.type == "inline"]
    return [(t.type, t.meta) for t in block.children or () if t.type in CITE_TOKENS]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("[@hu2021]", (("", "hu2021", ""),)),
        ("[@hu2021, p. 3]", (("", "hu2021", ", p. 3"),)),
        ("[see @hu2021; @vaswani2017]", (("see", "hu2021", ""), ("", "vaswani2017", ""))),
        ("[-@hu2021]", (("", "hu2021", ""),)),
        ("[@arXiv:2106.09685]", (("", "arXiv:2106.09685", ""),)),
        ("[@smith/article]", (("", "smith/article", ""),)),
        ("[@DoeLR+19, p. 3]", (("", "DoeLR+19", ", p. 3"),)),
        ("[see @Müller:2020; @x&y]", (("see", "Müller:2020", ""), ("", "x&y", ""))),
        ("[@a.b-c_d:e.]", (("", "a.b-c_d:e", "."),)),  # as pandoc: the last "." ends it
        ("[@{d.}]", (("", "d.", ""),)),  # braces take any key, as in pandoc
        ("[@{a;b}; -@{x]y}, p. 2]", (("", "a;b", ""), ("", "x]y", ", p. 2"))),
        ("[see @{..} and @{a!b}]", (("see", "..", " and @{a!b}"),)),
    ],
)
def test_pandoc_citations_become_citation_tokens(text: str, items: tuple[object, ...]) -> None:
    [(kind, meta)] = _cites(text)
    assert kind == "citation"
    assert isinstance(meta, dict) and meta["items"] == items and meta["pos"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "[@hu2021](https://example.org)",  # an inline link
        "[@hu2021]\n\n[@hu2021]: https://example.org",  # a reference the author defined
        "[no at sign]",
        "mail me at a@b.org",
        "[@{a b}]",  # no key holds white space
        "`[@hu2021]`",  # code spans are code
        "[^1]",
        "[[TOC]]",
        "[[x]](https://example.org)",
    ],
)
def test_what_markdown_it_should_keep_is_left_alone(text: str) -> None:
    tokens = _md().parse(text, {})
    inline = [c for t in tokens if t.type == "inline" for c in t.children or ()]
    assert not [c for c in inline if c.type in CITE_TOKENS]


@pytest.mark.parametrize(
    ("text", "meta"),
    [
        ("[[hu2021]]", {"key": "hu2021", "heading": "", "alias": ""}),
        ("[[hu2021|LoRA]]", {"key": "hu2021", "heading": "", "alias": "LoRA"}),
        ("[[hu2021#Method]]", {"key": "hu2021", "heading": "Method", "alias": ""}),
    ],
)
def test_wikilinks_carry_key_heading_and_alias(text: str, meta: dict[str, str]) -> None:
    [(kind, got)] = _cites(text)
    assert kind == "wikilink"
    assert got == {**meta, "pos": 0}


def test_citations_render_as_escaped_links_or_unresolved_spans() -> None:
    html = _render("[see @vaswani2017, ch. 2; @nobody]")
    assert html.startswith('<span class="citation">(see <a class="cite" href="v.html"')
    assert "title=" not in html.partition("unresolved")[0]  # the href alone names the note
    assert ">Vaswani et al., 2017</a>, ch. 2; " in html
    assert '<span class="cite unresolved" title="no note with this key">@nobody</span>)' in html


def test_wikilinks_render_with_label_alias_and_heading_anchor() -> None:
    assert _render("[[hu2021]]") == (
        '<a class="cite wikilink" href="hu2021.html">Hu et al., 2021</a>'
    )
    assert ">the LoRA paper</a>" in _render("[[hu2021|the LoRA paper]]")
    assert 'href="hu2021.html#h-low-rank-adaptation"' in _render("[[hu2021#Low-Rank Adaptation]]")
    assert _render("[[missing|alias]]") == (
        '<span class="cite wikilink unresolved" title="no note with this key">alias</span>'
    )

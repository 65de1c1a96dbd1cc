"""Headings: slugs that keep CJK, the level shift, ``[TOC]`` markers and the nested list."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from papernotes.markdown._types import CiteTarget, Heading
from papernotes.markdown.cite import cite_plugin
from papernotes.markdown.toc import (
    ANCHOR_PREFIX,
    anchor_slug,
    headings_of,
    inline_text,
    toc_html,
    toc_plugin,
)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("注意力 机制 (Attention)", "注意力-机制-attention"),
        ("  Low-Rank   Adaptation ", "low-rank-adaptation"),
        ("What's new?", "whats-new"),
        ("!!!", "section"),
        ("", "section"),
    ],
)
def test_anchor_slug(text: str, slug: str) -> None:
    assert anchor_slug(text) == slug


def test_headings_shift_so_the_top_level_is_h2_with_unique_ids() -> None:
    md = MarkdownIt("commonmark")
    toc_plugin(md)
    env: dict[str, object] = {}
    tokens = md.parse("### Intro\n\ntext\n\n#### Intro\n\n### 方法\n", env)
    headings = headings_of(env)
    assert headings == (
        Heading(2, ANCHOR_PREFIX + "intro", "Intro", 1),
        Heading(3, ANCHOR_PREFIX + "intro-1", "Intro", 5),
        Heading(2, ANCHOR_PREFIX + "方法", "方法", 7),
    )
    first = tokens[0]
    assert (first.tag, first.attrGet("id")) == ("h2", "h-intro")
    env = {}
    md.parse("no headings", env)
    assert headings_of(env) == ()


def test_inline_text_uses_labels_and_drops_breaks_between_wide_characters() -> None:
    md = MarkdownIt("commonmark")
    cite_plugin(md)
    [block] = [t for t in md.parse("中文\n换行 and [@k] `code`", {}) if t.type == "inline"]
    target = CiteTarget("Kim, 2020", "A title", "k.html")
    assert inline_text(block.children or (), {"k": target}.get) == "中文换行 and (Kim, 2020) code"
    assert inline_text(block.children or (), None) == "中文换行 and [@k] code"


@pytest.mark.parametrize("marker", ["[TOC]", "[[TOC]]", "[toc]"])
def test_toc_markers_alone_in_a_paragraph_are_recognised(marker: str) -> None:
    md = MarkdownIt("commonmark")
    toc_plugin(md)
    assert marker not in md.render(f"{marker}\n\n## A\n")
    assert marker in md.render(f"See {marker} here\n")


def test_toc_html_nests_deeper_levels_and_needs_two_entries() -> None:
    assert toc_html([(2, "h-a", "A")]) == ""
    html = toc_html([(2, "h-a", "A"), (3, "h-b", "B"), (2, "h-c", "C & D")])
    assert html == (
        '<nav class="toc" aria-label="Contents">\n<ul>\n'
        '<li><a href="#h-a">A</a>\n<ul>\n<li><a href="#h-b">B</a></li>\n</ul>\n</li>\n'
        '<li><a href="#h-c">C & D</a></li>\n</ul>\n</nav>\n'
    )

"""Headings of a note body: level shift, ``h-`` anchors, the ``[TOC]`` marker and the TOC list.

The marker and the heading shift are core rules, so the tokens ``md.parse`` returns are final:
nothing edits them later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType

from papernotes.cjk import is_wide
from papernotes.markdown._types import CiteTarget, Heading
from papernotes.markdown.holes import HOLES, PIECES, deferred, mark_index
from papernotes.urls import unique_slug

__all__ = [
    "ANCHOR_PREFIX",
    "anchor_slug",
    "cite_text",
    "headings_of",
    "inline_text",
    "soft_after",
    "toc_entry_html",
    "toc_html",
    "toc_plugin",
    "wiki_text",
]

ANCHOR_PREFIX = "h-"
"""Prefix of heading ids, so a heading can never clobber a DOM global (``id="location"``)."""
TOC_MIN_LEVEL = 2
TOC_MAX_LEVEL = 4

_TOC_MARKERS = frozenset({"[TOC]", "[[TOC]]"})
_TOC_IN = re.compile(r"\[toc\]", re.IGNORECASE)
"""What every marker holds, in any case: a note without it is not walked paragraph by
paragraph (each one's text stripped and upper-cased to be compared)."""
_SLUG_DROP = re.compile(r"[^\w\- ]")
_SLUG_SPACE = re.compile(r"\s+")
_EMPHASIS_TAGS = {
    "strong_open": "<strong>",
    "strong_close": "</strong>",
    "em_open": "<em>",
    "em_close": "</em>",
    "s_open": "<s>",
    "s_close": "</s>",
}


def anchor_slug(text: str) -> str:
    """GitHub-style slug that keeps CJK: ``注意力 机制 (Attention)`` → ``注意力-机制-attention``."""
    slug = _SLUG_SPACE.sub("-", _SLUG_DROP.sub("", text.strip().lower()))
    return slug or "section"


def inline_text(
    children: Sequence[Token],
    cite: Callable[[str], CiteTarget | None] | None,
    holes: list[list[Any]] | None = None,
) -> str:
    """Plain text of inline tokens; citations use their labels when ``cite`` is given.

    With ``holes`` (a template being made, see :mod:`.holes`) a citation, or a wikilink shown
    by its label, is a hole instead, and so is a line break whose rendering depends on it."""
    out: list[str] = []
    for i, tok in enumerate(children):
        kind = tok.type
        if kind in ("text", "code_inline", "math_inline", "math_display", "hashtag"):
            out.append(tok.content)
        elif kind == "softbreak" and out and i + 1 < len(children):
            nxt = children[i + 1]
            wide_next = nxt.type == "text" and is_wide(nxt.content[:1])
            prev = mark_index(out[-1]) if holes is not None else None
            if prev is not None and wide_next:
                out.append(_hole(holes, "soft_after", soft_after, prev))
            else:
                out.append("" if wide_next and is_wide(out[-1][-1:]) else " ")
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind == "citation":
            items = tok.meta["items"]
            if holes is not None:
                out.append(_hole(holes, "cite_text", cite_text, items, False))
            else:
                out.append(_citation_text(items, cite, tok.content))
        elif kind == "wikilink":
            alias = tok.meta["alias"]
            if holes is not None and not alias:
                out.append(_hole(holes, "wiki_text", wiki_text, tok.meta["key"], False))
                continue
            target = cite(tok.meta["key"]) if cite is not None and not alias else None
            out.append(alias or (target.label if target is not None else tok.meta["key"]))
        elif kind == "image" and tok.children:
            out.append(inline_text(tok.children, cite, holes))
    return "".join(out)


def _hole(holes: list[list[Any]] | None, name: str, make: Callable[..., str], *args: Any) -> str:
    return deferred({HOLES: holes}, name, make, *args)


def _citation_text(
    items: Sequence[Sequence[str]], cite: Callable[[str], CiteTarget | None] | None, written: str
) -> str:
    if cite is None:
        return "[" + written + "]"
    parts = []
    for prefix, key, suffix in items:
        target = cite(key)
        label = target.label if target is not None else "@" + key
        parts.append(" ".join(p for p in (prefix, label + suffix) if p))
    return "(" + "; ".join(parts) + ")"


def cite_text(env: EnvType, items: Sequence[Sequence[str]], escape: bool) -> str:
    """A citation's plain text (its labels), HTML-escaped when ``escape``: a hole's part."""
    text = _citation_text(items, env["cite"], "")
    return escapeHtml(text) if escape else text


def wiki_text(env: EnvType, key: str, escape: bool) -> str:
    """A wikilink without alias as plain text: the label of what it names, or its key."""
    target = env["cite"](key)
    text = target.label if target is not None else key
    return escapeHtml(text) if escape else text


def soft_after(env: EnvType, prev: int) -> str:
    """A line break after hole ``prev``, before CJK text: none when the hole's text ends in
    a wide character too (as :func:`inline_text` drops it between two)."""
    return "" if is_wide(env[PIECES][prev][-1:]) else " "


def _toc_rule(state: StateCore) -> None:
    """Replace a paragraph holding only ``[TOC]`` by a ``toc`` token (before inline parsing)."""
    if _TOC_IN.search(state.src) is None:  # no marker: no paragraph to look at
        return
    tokens = state.tokens
    refs = state.env.get("references") or {}
    if "TOC" in refs:  # ``[toc]: url`` makes the marker an ordinary link
        return
    out: list[Token] | None = None
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if (
            tok.type == "paragraph_open"
            and i + 2 < n
            and tokens[i + 1].content.strip().upper() in _TOC_MARKERS
        ):
            if out is None:
                out = tokens[:i]
            marker = Token("toc", "nav", 0)
            marker.block = True
            marker.map = tok.map
            marker.level = tok.level
            out.append(marker)
            state.env["has_toc"] = True
            i += 3
            continue
        if out is not None:
            out.append(tok)
        i += 1
    if out is not None:
        state.tokens = out


def _heading_rule(state: StateCore) -> None:
    """Shift heading levels so the body's top level is h2 and give each heading an ``h-`` id.

    Runs last among the core rules, on tokens nobody else holds yet, and records the headings
    in ``env["headings"]`` for :func:`headings_of`.
    """
    tokens = state.tokens
    opens = [i for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    headings: list[Heading] = []
    state.env["headings"] = headings
    if not opens:
        return
    top = min(int(tokens[i].tag[1]) for i in opens)
    shift = TOC_MIN_LEVEL - top
    seen: set[str] = set()
    for i in opens:
        open_tok, inline, close_tok = tokens[i], tokens[i + 1], tokens[i + 2]
        level = min(int(open_tok.tag[1]) + shift, 6)
        open_tok.tag = close_tok.tag = f"h{level}"
        text = inline_text(inline.children or (), None)
        # ``{#id}`` (Hugo, see hugo.py) names the anchor; sanitised like any heading's text.
        base = anchor_slug(str(open_tok.meta.get("anchor") or text))
        anchor = ANCHOR_PREFIX + unique_slug(base, seen)
        open_tok.attrSet("id", anchor)
        line = open_tok.map[0] + 1 if open_tok.map else 0
        headings.append(Heading(level=level, anchor=anchor, text=text, line=line))


def headings_of(env: EnvType) -> tuple[Heading, ...]:
    """The headings the heading rule found while ``md.parse(text, env)`` ran."""
    return tuple(env.get("headings", ()))


def toc_plugin(md: MarkdownIt) -> None:
    """Recognise ``[TOC]``, ``[[TOC]]`` and ``[toc]`` alone in a paragraph; shift and anchor
    headings.

    Install it after every other plugin: the heading rule must see the final token stream
    (footnotes moved to the end) so anchors are numbered in document order.
    """
    md.core.ruler.after("block", "papernotes_toc", _toc_rule)
    md.core.ruler.push("papernotes_headings", _heading_rule)


def toc_entry_html(
    children: Sequence[Token],
    cite: Callable[[str], CiteTarget | None] | None,
    holes: list[list[Any]] | None = None,
) -> str:
    """Heading content for a TOC link: text, code, math and emphasis; no nested links.
    With ``holes``, citations and labels are holes (see :func:`inline_text`)."""
    out: list[str] = []
    for tok in children:
        kind = tok.type
        if kind == "text":
            out.append(escapeHtml(tok.content))
        elif kind == "code_inline":
            out.append(f"<code>{escapeHtml(tok.content)}</code>")
        elif kind in ("math_inline", "math_display"):
            out.append(f'<span class="math inline">{escapeHtml(tok.content.strip())}</span>')
        elif kind in _EMPHASIS_TAGS:
            out.append(_EMPHASIS_TAGS[kind])
        elif holes is not None and kind == "citation":
            out.append(_hole(holes, "cite_text", cite_text, tok.meta["items"], True))
        elif holes is not None and kind == "wikilink" and not tok.meta["alias"]:
            out.append(_hole(holes, "wiki_text", wiki_text, tok.meta["key"], True))
        elif kind in ("citation", "wikilink", "softbreak"):
            out.append(escapeHtml(inline_text((tok,), cite)))
    return "".join(out)


def toc_html(entries: Sequence[tuple[int, str, str]]) -> str:
    """A nested ``<nav class="toc">`` list of ``(level, anchor, inner_html)``; empty below two."""
    if len(entries) < 2:
        return ""
    out = ['<nav class="toc" aria-label="Contents">\n']
    levels: list[int] = []
    for level, anchor, inner in entries:
        if not levels:
            out.append("<ul>\n")
            levels.append(level)
        elif level > levels[-1]:
            out.append("\n<ul>\n")
            levels.append(level)
        else:
            out.append("</li>\n")
            # Close deeper lists until this entry is a sibling of the open one.
            while len(levels) > 1 and level <= levels[-2]:
                levels.pop()
                out.append("</ul>\n</li>\n")
            levels[-1] = level
        out.append(f'<li><a href="#{escapeHtml(anchor)}">{inner}</a>')
    out.append("</li>\n")
    out.extend("</ul>\n</li>\n" for _ in levels[1:])
    out.append("</ul>\n</nav>\n")
    return "".join(out)

"""Rendering a note body: its HTML, its table of contents and its plain text.

A body is parsed once, when its note is parsed: :func:`body_template` renders the tokens right
away into a template whose parts that depend on the library are holes (see :mod:`.holes`), and
:func:`render_body` fills them for a page — no second parse, and an unchanged note read from
the build cache is never parsed at all. A body without a template (made by hand) is parsed and
rendered directly, the same way.

A template is the JSON ``[html, text, toc, holes]`` (HTML not yet sanitized; plain text with
whitespace collapsed; the TOC entries as ``[level, anchor, html]``; each hole as its maker's
name and arguments, in number order), zlib-compressed: every note holds one in memory and in
the build cache, and compressed it is a sixth of its size for 0.2 ms per note.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType

from papernotes._lazy import lazy_pattern
from papernotes.markdown._types import CiteTarget, ParsedBody, RenderContext, RenderedBody
from papernotes.markdown.cite import citation_html, wikilink_html
from papernotes.markdown.code import is_diagram_fence
from papernotes.markdown.embed import embed_html
from papernotes.markdown.holes import HOLES, MARK, PIECES, fill_marks
from papernotes.markdown.html_rules import (
    SANITIZER,
    checkbox_html,
    footnote_id,
    hashtag_html,
    image_html,
    link_open_html,
    raw_html,
    toc_marker,
)
from papernotes.markdown.math import MATH_TOKENS
from papernotes.markdown.toc import (
    TOC_MAX_LEVEL,
    cite_text,
    inline_text,
    soft_after,
    toc_entry_html,
    toc_html,
    wiki_text,
)

__all__ = ["FILLERS", "body_template", "render_body"]

_TAG = lazy_pattern(r"<[^>]*>")

FILLERS: Mapping[str, Callable[..., str]] = {
    "checkbox": checkbox_html,
    "citation": citation_html,
    "cite_text": cite_text,
    "embed": embed_html,
    "footnote_id": footnote_id,
    "hashtag": hashtag_html,
    "image": image_html,
    "link_open": link_open_html,
    "raw_html": raw_html,
    "soft_after": soft_after,
    "toc": toc_marker,
    "wiki_text": wiki_text,
    "wikilink": wikilink_html,
}
"""Each hole's name, and the function that makes its part (the one the render rule defers)."""

_Entry = tuple[int, str, str]


def _text_and_toc(
    tokens: Sequence[Token],
    cite: Callable[[str], CiteTarget | None] | None,
    holes: list[list[Any]] | None = None,
) -> tuple[str, list[_Entry]]:
    """One walk over the tokens for the plain text and the TOC entries (with holes, when
    ``holes`` is given)."""
    parts: list[str] = []
    entries: list[_Entry] = []
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "inline":
            parts.append(inline_text(tok.children or (), cite, holes))
            prev = tokens[i - 1]
            if prev.type == "heading_open" and int(prev.tag[1]) <= TOC_MAX_LEVEL:
                anchor = str(prev.attrGet("id"))
                inner = toc_entry_html(tok.children or (), cite, holes)
                entries.append((int(prev.tag[1]), anchor, inner))
        elif is_diagram_fence(tok):
            pass  # a diagram's source is not prose: keep it out of summaries and search
        elif kind in ("fence", "code_block") or kind in MATH_TOKENS:
            parts.append(tok.content)
        elif kind == "html_block":
            parts.append(_TAG().sub(" ", tok.content))
        parts.append(" ")
    return " ".join("".join(parts).split()), entries


def body_template(md: MarkdownIt, tokens: Sequence[Token], text: str) -> bytes | None:
    """The body ``md`` parsed into ``tokens`` from ``text``, rendered with holes and packed;
    None when the text holds a ``NUL`` (markdown-it drops it, but a template is not worth the
    doubt)."""
    if MARK in text:
        return None
    holes: list[list[Any]] = []
    plain, entries = _text_and_toc(tokens, None, holes)
    html = md.renderer.render(tokens, md.options, {HOLES: holes})
    return zlib.compress(json.dumps([html, plain, entries, holes], ensure_ascii=False).encode())


def _env(ctx: RenderContext) -> EnvType:
    env: EnvType = {"cite": ctx.cite, "local": ctx.local, "tag": ctx.tag, "embed": ctx.embed}
    env.update(missing=ctx.missing, id_prefix=ctx.id_prefix)
    return env


def _fill(md: MarkdownIt, template: bytes, ctx: RenderContext) -> RenderedBody:
    html, text, entries, holes = json.loads(zlib.decompress(template))
    env = _env(ctx)
    pieces: list[str] = []
    env[PIECES] = pieces
    tocs: list[int] = []
    for name, *args in holes:
        if name == "toc":  # made last, from the filled entries
            tocs.append(len(pieces))
            pieces.append("")
            continue
        pieces.append(FILLERS[name](env, *args))
    if MARK in text:  # labels may hold runs of spaces: collapsed as the direct render does
        text = " ".join(fill_marks(text, pieces).split())
    toc = toc_html([(level, a, fill_marks(inner, pieces)) for level, a, inner in entries])
    for i in tocs:
        pieces[i] = toc
    html = fill_marks(html, pieces)
    if md.options.get("html"):
        html = SANITIZER.clean(html)
    return RenderedBody(html=html, toc_html=toc, text=text)


def render_body(md: MarkdownIt, body: ParsedBody, ctx: RenderContext) -> RenderedBody:
    """Render a body for one page with ``md`` (the parser that made ``body``): HTML, TOC and
    plain text; the same body may be rendered again with another ctx."""
    if body.template is not None:
        return _fill(md, body.template, ctx)
    tokens = md.parse(body.text, {})
    text, entries = _text_and_toc(tokens, ctx.cite)
    toc = toc_html(entries)
    env = _env(ctx)
    env["toc_html"] = toc
    html = md.renderer.render(tokens, md.options, env)
    if md.options.get("html"):
        html = SANITIZER.clean(html)
    return RenderedBody(html=html, toc_html=toc, text=text)

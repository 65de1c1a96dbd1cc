"""Rendering a note body: its HTML, its table of contents and its plain text.

A note keeps its body as text plus extracted facts
(:class:`~papernotes.markdown._types.ParsedBody`, made by
:func:`~papernotes.markdown.extract.parse_body`); :func:`render_body` parses the text again and
renders the fresh tokens, so no token stream outlives one call. The incremental build renders
a body only when its text or what it cites changed, so parsing twice costs little.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType

from papernotes.markdown._types import CiteTarget, ParsedBody, RenderContext, RenderedBody
from papernotes.markdown.code import is_diagram_fence
from papernotes.markdown.html_rules import SANITIZER
from papernotes.markdown.math import MATH_TOKENS
from papernotes.markdown.toc import TOC_MAX_LEVEL, inline_text, toc_entry_html, toc_html

__all__ = ["render_body"]

_TAG = re.compile(r"<[^>]*>")


def _text_and_toc(
    tokens: Sequence[Token], cite: Callable[[str], CiteTarget | None]
) -> tuple[str, str]:
    """One walk over the tokens for the plain text and the TOC entries."""
    parts: list[str] = []
    entries: list[tuple[int, str, str]] = []
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "inline":
            parts.append(inline_text(tok.children or (), cite))
            prev = tokens[i - 1]
            if prev.type == "heading_open" and int(prev.tag[1]) <= TOC_MAX_LEVEL:
                anchor = str(prev.attrGet("id"))
                entries.append((int(prev.tag[1]), anchor, toc_entry_html(tok.children or (), cite)))
        elif is_diagram_fence(tok):
            pass  # a diagram's source is not prose: keep it out of summaries and search
        elif kind in ("fence", "code_block") or kind in MATH_TOKENS:
            parts.append(tok.content)
        elif kind == "html_block":
            parts.append(_TAG.sub(" ", tok.content))
        parts.append(" ")
    return " ".join("".join(parts).split()), toc_html(entries)


def render_body(md: MarkdownIt, body: ParsedBody, ctx: RenderContext) -> RenderedBody:
    """Render a body for one page: parse its text with ``md`` (the parser that made ``body``)
    and write HTML, TOC and plain text; the same body may be rendered again with another ctx."""
    tokens = md.parse(body.text, {})
    text, toc = _text_and_toc(tokens, ctx.cite)
    env: EnvType = {"cite": ctx.cite, "local": ctx.local, "tag": ctx.tag, "toc_html": toc}
    env.update(embed=ctx.embed, missing=ctx.missing, id_prefix=ctx.id_prefix)
    html = md.renderer.render(tokens, md.options, env)
    if md.options.get("html"):
        html = SANITIZER.clean(html)
    return RenderedBody(html=html, toc_html=toc, text=text)

"""A part of a note shown inside another: the whole body, one heading's section, or one block.

``![[note#Method]]`` shows the heading ``Method`` and what follows it up to the next heading
of the same or a higher level; ``![[note#^b1]]`` shows the paragraph that ends with the block
id ``^b1`` (without the marker), as Obsidian does. Transcluded headings lose their ids, so the
embedding page keeps one element per id (and its table of contents lists only its own
headings); footnote ids get the context's ``id_prefix``.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType

from papernotes.markdown._types import RenderContext
from papernotes.markdown.html_rules import SANITIZER
from papernotes.markdown.toc import anchor_slug, inline_text

__all__ = ["excerpt_tokens", "parse_for_excerpt", "render_excerpt"]


def parse_for_excerpt(md: MarkdownIt, text: str) -> list[Token]:
    """A body's tokens, ready to be shown in another page: headings without ids.

    The tokens are only read afterwards, so one parse serves every excerpt of the note.
    """
    tokens = md.parse(text, {})
    for tok in tokens:
        if tok.type == "heading_open" and tok.attrs:
            tok.attrs.pop("id", None)
    return tokens


def _same_heading(children: Sequence[Token], wanted: str) -> bool:
    text = inline_text(children, None)
    if " ".join(text.split()).casefold() == " ".join(wanted.split()).casefold():
        return True
    return anchor_slug(text) == anchor_slug(wanted)


def _section(tokens: list[Token], heading: str) -> list[Token] | None:
    # Footnote definitions come after the body (one block); a section that refers to one
    # takes the block along, so its footnote links lead somewhere.
    notes = next((j for j, t in enumerate(tokens) if t.type == "footnote_block_open"), len(tokens))
    for i, tok in enumerate(tokens[:notes]):
        if tok.type != "heading_open" or not _same_heading(tokens[i + 1].children or (), heading):
            continue
        level = int(tok.tag[1])
        end = next(
            (
                j
                for j in range(i + 3, notes)
                if tokens[j].type == "heading_open" and int(tokens[j].tag[1]) <= level
            ),
            notes,
        )
        part = tokens[i:end]
        refers = any(c.type == "footnote_ref" for t in part for c in t.children or ())
        return [*part, *tokens[notes:]] if refers else part
    return None


def _block(tokens: list[Token], block_id: str) -> list[Token] | None:
    # The embed rule took the paragraph's `` ^id`` out of its text and into its meta.
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and tok.meta.get("block_id") == block_id:
            # A paragraph of a tight list item is hidden; shown alone it needs its <p>.
            return [tok.copy(hidden=False), tokens[i + 1], tokens[i + 2].copy(hidden=False)]
    return None


def excerpt_tokens(tokens: list[Token], fragment: str) -> list[Token] | None:
    """The tokens ``fragment`` names (a heading, ``^block`` or "" for all); None if absent.

    ``A#B`` (Obsidian's path of nested headings) looks for the last heading, ``B``.
    """
    if not fragment:
        return tokens
    wanted = fragment.rsplit("#", 1)[-1].strip()
    if wanted.startswith("^"):
        return _block(tokens, wanted[1:])
    return _section(tokens, wanted)


def render_excerpt(md: MarkdownIt, tokens: list[Token], ctx: RenderContext) -> str:
    """Render an excerpt for the embedding page: citations, links and embeds through ``ctx``."""
    env: EnvType = {"cite": ctx.cite, "local": ctx.local, "tag": ctx.tag, "toc_html": ""}
    env.update(embed=ctx.embed, missing=ctx.missing, id_prefix=ctx.id_prefix)
    html = md.renderer.render(tokens, md.options, env)
    return SANITIZER.clean(html) if md.options.get("html") else html

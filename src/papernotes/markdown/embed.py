"""Obsidian embeds: ``![[fig.png|300]]``, ``![[paper.pdf]]``, ``![[note]]``, ``![[note#Method]]``.

The parser only reads the syntax: an ``embed`` token with ``meta`` keys ``target``,
``fragment`` (the heading or ``^block`` after ``#``), ``label`` (after ``|``) and ``pos``.
What the target is — an image, another file, a note — is decided at render time by
``env["embed"]`` (a ``RenderContext.embed``), which knows the library. A paragraph holding
nothing but note embeds is shown as blocks (no ``<p>`` around them); a note embedded in the
middle of text is shown as a link to it, since a block cannot sit inside a paragraph.
A target that resolves to nothing is a visible placeholder, never a gap.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from papernotes._lazy import lazy_pattern
from papernotes.markdown._types import EmbedTarget
from papernotes.markdown.holes import deferred

__all__ = [
    "FILE_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "embed_html",
    "embed_plugin",
    "embed_rule",
    "file_kind",
    "missing_image_html",
    "split_label",
]

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp"})
"""What Obsidian shows as an image."""
FILE_EXTENSIONS = IMAGE_EXTENSIONS | frozenset(
    {"pdf", "mp3", "wav", "m4a", "ogg", "flac", "3gp", "webm", "mp4", "ogv", "mov", "mkv"}
)
"""What Obsidian embeds as a file rather than a note (anything else is looked up as a note)."""

_SIZE = lazy_pattern(r"(\d+)(?:x(\d+))?")
# Obsidian's block id: `` ^id`` ending a paragraph; hidden on the page, named by ``#^id``.
_BLOCK_ID = lazy_pattern(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$")


def file_kind(target: str) -> str:
    """``image``, ``file`` or ``note``, from the target's extension."""
    ext = posixpath.splitext(target)[1][1:].lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    return "file" if ext in FILE_EXTENSIONS else "note"


def split_label(label: str) -> tuple[str, str, str]:
    """``alt``, ``width`` and ``height`` from what follows ``|``: ``300``, ``300x200``,
    ``alt text``, ``alt text|300`` (Obsidian puts the size last)."""
    text, _, last = label.rpartition("|")
    size = _SIZE().fullmatch(last.strip())
    if size is None:
        return label.strip(), "", ""
    return text.strip(), size[1], size[2] or ""


def embed_rule(state: StateInline, silent: bool) -> bool:
    """``![[target]]``, ``![[target|label]]``, ``![[target#heading]]``."""
    src = state.src
    start = state.pos
    if not src.startswith("![[", start) or state.linkLevel > 0:
        return False
    close = src.find("]]", start + 3, state.posMax)
    if close < 0:
        return False
    inner = src[start + 3 : close]
    if "[" in inner or "]" in inner or "\n" in inner:
        return False
    target, _, label = inner.partition("|")
    target, _, fragment = target.partition("#")
    target = target.strip()
    if not target:
        return False  # ``![[#heading]]`` (the note itself) stays text
    if not silent:
        token = state.push("embed", "", 0)
        token.content = inner
        token.meta = {"target": target, "fragment": fragment.strip(), "label": label, "pos": start}
    state.pos = close + 2
    return True


def _blank(tok: Token) -> bool:
    return tok.type == "softbreak" or (tok.type == "text" and not tok.content.strip())


def _block_id(paragraph: Token, children: list[Token]) -> None:
    """Move a trailing ``^id`` from the text into ``paragraph.meta["block_id"]``."""
    last = children[-1] if children else None
    if last is None or last.type != "text":
        return
    match = _BLOCK_ID().search(last.content)
    if match is not None and (match.start() > 0 or len(children) > 1):
        last.content = last.content[: match.start()].rstrip()
        paragraph.meta["block_id"] = match[1]


def _block_embeds(state: StateCore) -> None:
    """Paragraphs of nothing but note embeds lose their ``<p>``: each embed becomes a block.
    A paragraph's trailing block id (`` ^id``) is taken out of its text."""
    tokens = state.tokens
    for i in range(1, len(tokens) - 1):
        inline = tokens[i]
        if inline.type != "inline" or tokens[i - 1].type != "paragraph_open":
            continue
        children = inline.children or []
        _block_id(tokens[i - 1], children)
        embeds = [t for t in children if t.type == "embed"]
        if not embeds or any(t.type != "embed" and not _blank(t) for t in children):
            continue
        if any(file_kind(t.meta["target"]) != "note" for t in embeds):
            continue
        tokens[i - 1].hidden = tokens[i + 1].hidden = True
        for tok in embeds:
            tok.meta["block"] = True


def missing_image_html(alt: str, path: str) -> str:
    """What stands where an image that is not there would be: its alt text and path."""
    shown = escapeHtml(alt) + " " if alt else ""
    return (
        f'<span class="missing-image" title="image not found">{shown}'
        f"<code>{escapeHtml(path)}</code></span>"
    )


def _written(meta: dict[str, str]) -> str:
    return meta["target"] + (f"#{meta['fragment']}" if meta["fragment"] else "")


def _missing(meta: dict[str, str], block: bool) -> str:
    alt = split_label(meta["label"])[0]
    if file_kind(meta["target"]) == "image":
        return missing_image_html(alt, meta["target"])
    title = "note not found" if file_kind(meta["target"]) == "note" else "file not found"
    html = f'<span class="embed-missing" title="{title}">{escapeHtml(alt or _written(meta))}</span>'
    return f"<p>{html}</p>\n" if block else html


def _note_html(found: EmbedTarget, label: str, block: bool) -> str:
    link = f'<a href="{escapeHtml(found.href)}">{escapeHtml(label or found.title)}</a>'
    if not block:
        return link.replace("<a ", '<a class="embed-link" ', 1)
    notice = ""
    if found.notice:
        notice = f' <span class="embed-notice">({escapeHtml(found.notice)})</span>'
    return (
        f'<div class="embed">\n<p class="embed-source">{link}{notice}</p>\n'
        f"{found.html if not found.notice else ''}</div>\n"
    )


def _render_embed(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    args = (meta["target"], meta["fragment"], meta["label"], bool(meta.get("block")))
    return deferred(env, "embed", embed_html, *args)


def embed_html(env: EnvType, target: str, fragment: str, label: str, block: bool) -> str:
    """``![[target#fragment|label]]`` as resolved by ``env["embed"]``; ``block`` when it
    stands alone (a note's content is shown, not a link to it)."""
    meta = {"target": target, "fragment": fragment, "label": label}
    found: EmbedTarget | None = env["embed"](target, fragment, block) if "embed" in env else None
    if found is None:
        return _missing(meta, block)
    alt, width, height = split_label(label)
    if found.kind == "note":
        return _note_html(found, alt, block)
    if found.kind == "image":
        size = (f' width="{width}"' if width else "") + (f' height="{height}"' if height else "")
        return (
            f'<img src="{escapeHtml(found.href)}" alt="{escapeHtml(alt or found.title)}"'
            f'{size} loading="lazy">'
        )
    text = escapeHtml(alt or found.title)
    return f'<a class="embed-file" href="{escapeHtml(found.href)}">{text}</a>'


def embed_plugin(md: MarkdownIt) -> None:
    """Register the embed rule (before wikilinks, which would take its ``[[``), the block rule
    and the renderer on ``md``."""
    md.inline.ruler.before("wikilink", "embed", embed_rule)
    md.core.ruler.after("inline", "embed_blocks", _block_embeds)
    md.add_render_rule("embed", _render_embed)

"""Inline citations: pandoc ``[see @a, p. 3; @b]`` (``[@{key}]`` for any key) and Obsidian
``[[key#heading|alias]]`` (and, through ``embed``, ``![[file or note]]``).

Both rules run before ``link`` so they see the ``[`` first, and both step aside for anything
markdown-it should keep: ``[text](url)``, ``[@x](url)``, reference links (``[@x]`` with a
``[@x]: url`` definition), ``[[TOC]]``, footnote references, email-like text, code spans (the
backtick rule consumes them before we see their brackets) and brackets inside link text.

Tokens: ``citation`` with ``meta["items"]`` = ``((prefix, key, suffix), ...)`` and ``wikilink``
with ``meta`` keys ``key``, ``heading``, ``alias``; both carry ``meta["pos"]``, the offset of
their ``[`` in the inline content, for diagnostics. Rendering resolves keys through
``env["cite"]`` (a ``RenderContext.cite``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml, normalizeReference
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from papernotes.markdown._types import CiteTarget
from papernotes.markdown.embed import embed_plugin
from papernotes.markdown.toc import ANCHOR_PREFIX, anchor_slug

__all__ = ["CITE_TOKENS", "cite_plugin"]

CITE_TOKENS = frozenset({"citation", "wikilink"})

# Pandoc's citation key: starts with a letter, digit or _, may contain :.#$%&-+?<>~/ when a
# letter/digit/_ follows (so trailing punctuation is not part of it), and :// as in URLs.
_KEY = r"\w(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*"
# Any other key is written in braces, as in pandoc (``@{..}``, ``@{a;b}``, ``@{x]}``): a
# citekey holds no braces or white space (ids.KEY_RE), so the braces are never nested.
_BRACED = re.compile(r"@\{([^\s{}]+)\}")
# One ``;``-separated item: optional prefix ending in whitespace, optional ``-`` (suppress
# author), ``@key`` or ``@{key}``, then the locator/suffix. ``@`` right after a word char is
# an email.
_ITEM = re.compile(
    rf"(?P<prefix>(?:.*?\s)?)-?@(?:(?P<key>{_KEY})|\{{(?P<braced>[^\s{{}}]+)\}})(?P<suffix>.*)",
    re.DOTALL,
)
_SPACES = re.compile(r"\s+")
UNRESOLVED_TITLE = "no note with this key"


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _suffix(text: str) -> str:
    """The suffix as displayed after the label: ``, p. 3`` stays, ``p. 3`` gains a space."""
    text = _squash(text)
    if not text or text[0] in ",.:;)":
        return text
    return " " + text


def _mask(text: str) -> str:
    """``text`` with each braced key's characters as ``x``, so the ``]`` or ``;`` a key may
    hold neither closes the citation nor splits it."""
    return _BRACED.sub(lambda m: "@{" + "x" * len(m[1]) + "}", text) if "@{" in text else text


def citation_rule(state: StateInline, silent: bool) -> bool:
    """``[@key]``, ``[@key, p. 3]``, ``[see @a, ch. 2; @b]``, ``[@{odd;key}]``."""
    src = state.src
    start = state.pos
    end = state.posMax
    if src[start] != "[" or state.linkLevel > 0 or start + 1 >= end or src[start + 1] in "[^":
        return False
    masked = _mask(src[start:end])
    close = masked.find("]", 1)
    if close < 0:
        return False
    close += start
    inner = src[start + 1 : close]
    shape = masked[1 : close - start]
    if "@" not in inner or "[" in shape:
        return False
    if close + 1 < end and src[close + 1] in "([":
        return False  # an inline or full reference link
    refs = state.env.get("references")
    if refs and normalizeReference(inner) in refs:
        return False  # a shortcut reference link the author defined
    items = []
    at = 0
    for part in shape.split(";"):
        piece = inner[at : at + len(part)]
        at += len(part) + 1
        match = _ITEM.fullmatch(piece)
        if match is None:
            return False
        key = match["key"] or match["braced"]
        items.append((_squash(match["prefix"]), key, _suffix(match["suffix"])))
    if not silent:
        token = state.push("citation", "", 0)
        token.content = inner
        token.meta = {"items": tuple(items), "pos": start}
    state.pos = close + 1
    return True


def wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[key]]``, ``[[key|alias]]``, ``[[key#heading]]``."""
    src = state.src
    start = state.pos
    end = state.posMax
    if not src.startswith("[[", start) or state.linkLevel > 0:
        return False
    close = src.find("]]", start + 2, end)
    if close < 0:
        return False
    inner = src[start + 2 : close]
    if "[" in inner or "]" in inner or "\n" in inner:
        return False
    if close + 2 < end and src[close + 2] == "(":
        return False  # ``[[x]](url)`` is a link whose text is ``[x]``
    target, _, alias = inner.partition("|")
    key, _, heading = target.partition("#")
    key = key.strip()
    if not key or (key.upper() == "TOC" and not alias and not heading):
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = inner
        token.meta = {"key": key, "heading": heading.strip(), "alias": alias.strip(), "pos": start}
    state.pos = close + 2
    return True


def _anchor(target: CiteTarget, key: str, text: str, cls: str, fragment: str = "") -> str:
    return (
        f'<a class="{cls}" href="{escapeHtml(target.href + fragment)}" '
        f'title="{escapeHtml(target.title)}" data-key="{escapeHtml(key)}">{escapeHtml(text)}</a>'
    )


def _unresolved(text: str, cls: str) -> str:
    return f'<span class="{cls}" title="{UNRESOLVED_TITLE}">{escapeHtml(text)}</span>'


def _render_citation(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    cite: Callable[[str], CiteTarget | None] = env["cite"]
    parts = []
    for prefix, key, suffix in tokens[idx].meta["items"]:
        target = cite(key)
        if target is None:
            ref = _unresolved("@" + key, "cite unresolved")
        else:
            ref = _anchor(target, key, target.label, "cite")
        head = escapeHtml(prefix) + " " if prefix else ""
        parts.append(head + ref + escapeHtml(suffix))
    return '<span class="citation">(' + "; ".join(parts) + ")</span>"


def _render_wikilink(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    key: str = meta["key"]
    target: CiteTarget | None = env["cite"](key)
    if target is None:
        return _unresolved(meta["alias"] or key, "cite wikilink unresolved")
    fragment = ""
    if meta["heading"] and "#" not in target.href:
        fragment = normalizeLink("#" + ANCHOR_PREFIX + anchor_slug(meta["heading"]))
    return _anchor(target, key, meta["alias"] or target.label, "cite wikilink", fragment)


def cite_plugin(md: MarkdownIt) -> None:
    """Register the citation and wikilink rules and renderers on ``md``."""
    md.inline.ruler.before("link", "wikilink", wikilink_rule)
    md.inline.ruler.before("link", "citation", citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("wikilink", _render_wikilink)
    embed_plugin(md)  # ``![[…]]``: before the wikilink rule, which would take its ``[[``

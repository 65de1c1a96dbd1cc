"""Inline citations: pandoc ``[see @a, p. 3; @b]`` (``[@{key}]`` for any key) and Obsidian
``[[key#heading|alias]]`` (and, through ``embed``, ``![[file or note]]``).

Both rules run before ``link`` so they see the ``[`` first, and both step aside for anything
markdown-it should keep: ``[text](url)``, ``[@x](url)``, reference links (``[@x]`` with a
``[@x]: url`` definition), ``[[TOC]]``, footnote references, email-like text, code spans (the
backtick rule consumes them before we see their brackets) and brackets inside link text.

Tokens: ``citation`` with ``meta["items"]`` = ``((prefix, key, suffix), ...)`` and ``wikilink``
with ``meta`` keys ``key``, ``heading``, ``alias`` (read by :func:`link_target` too: the
Dendron reading ``[[label|note.path#heading]]``); both carry ``meta["pos"]``, the offset of
their ``[`` in the inline content, for diagnostics. Rendering resolves keys through
``env["cite"]`` (a ``RenderContext.cite``): the left part when it names something (Obsidian's
``[[note|label]]``, also when both parts do), else the right part (Dendron's order), else a
file of the vault (``[[fig.png]]``, through ``env["embed"]``). ``[[#Heading]]`` (empty key)
links to a heading of the same page.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml, normalizeReference
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from papernotes._lazy import lazy_pattern
from papernotes.markdown._types import CiteTarget, EmbedTarget
from papernotes.markdown.embed import embed_plugin
from papernotes.markdown.holes import deferred
from papernotes.markdown.toc import ANCHOR_PREFIX, anchor_slug, inline_text

__all__ = ["CITE_TOKENS", "citation_html", "cite_plugin", "link_target", "wikilink_html"]

CITE_TOKENS = frozenset({"citation", "wikilink"})

# Pandoc's citation key: starts with a letter, digit or _, may contain :.#$%&-+?<>~/ when a
# letter/digit/_ follows (so trailing punctuation is not part of it), and :// as in URLs.
_KEY = r"\w(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*"
# Any other key is written in braces, as in pandoc (``@{..}``, ``@{a;b}``, ``@{x]}``): a
# citekey holds no braces or white space (ids.KEY_RE), so the braces are never nested.
_BRACED = lazy_pattern(r"@\{([^\s{}]+)\}")
# One ``;``-separated item: optional prefix ending in whitespace, optional ``-`` (suppress
# author), ``@key`` or ``@{key}``, then the locator/suffix. ``@`` right after a word char is
# an email.
_ITEM = re.compile(
    rf"(?P<prefix>(?:.*?\s)?)-?@(?:(?P<key>{_KEY})|\{{(?P<braced>[^\s{{}}]+)\}})(?P<suffix>.*)",
    re.DOTALL,
)
_SPACES = re.compile(r"\s+")
UNRESOLVED_TITLE = "no note with this key"
NO_HEADING_TITLE = "no such heading in this note"


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
    return _BRACED().sub(lambda m: "@{" + "x" * len(m[1]) + "}", text) if "@{" in text else text


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


# Dendron's cross-vault links: ``[[dendron://vault/note.path]]``.
_DENDRON_VAULT = lazy_pattern(r"^dendron://[^/|#]*/")


def link_target(text: str) -> tuple[str, str]:
    """``note`` and ``heading`` of a link target, without a Dendron vault prefix: applied to
    the part after ``|``, the Dendron reading of ``[[label|note.path#heading]]``."""
    key, _, heading = _DENDRON_VAULT().sub("", text.strip()).partition("#")
    return key.strip(), heading.strip()


def wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[key]]``, ``[[key|alias]]``, ``[[key#heading]]``, ``[[#heading]]`` (this note),
    and Dendron's ``[[label|note.path]]`` (the alias read as a target, by ``link_target``)."""
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
    key, heading = link_target(target)
    if (not key and not heading) or (key.upper() == "TOC" and not alias and not heading):
        return False
    if not key and start > 0 and src[start - 1] == "!":
        return False  # ``![[#Heading]]`` embeds nothing; it is not a link either
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = inner
        token.meta = {
            "key": key,
            "heading": heading,
            # A link within the note shows the heading's text, as Obsidian does.
            "alias": alias.strip() or ("" if key else heading.rsplit("#", 1)[-1].strip()),
            "pos": start,
        }
    state.pos = close + 2
    return True


def _self_links(state: StateCore) -> None:
    """Point each ``[[#Heading]]`` at its heading's ``heading_open`` token (the heading rule
    gives it its id afterwards), matched ignoring case and spacing or by slug, as
    ``vault.heading_anchor`` matches embeds; a ``^block`` or absent heading gets none."""
    tokens = state.tokens
    links = [
        child
        for tok in tokens
        if tok.type == "inline"
        for child in tok.children or ()
        if child.type == "wikilink" and not child.meta["key"]
    ]
    if not links:
        return
    headings = [
        (" ".join(text.split()).casefold(), anchor_slug(text), tok)
        for tok, inline in itertools.pairwise(tokens)
        if tok.type == "heading_open"
        for text in (inline_text(inline.children or (), None),)
    ]
    for link in links:
        wanted = link.meta["heading"].rsplit("#", 1)[-1].strip()
        folded, slug = " ".join(wanted.split()).casefold(), anchor_slug(wanted)
        found = [t for f, s, t in headings if f == folded or s == slug]
        link.meta["heading_open"] = found[0] if found and not wanted.startswith("^") else None


def _anchor(target: CiteTarget, text: str, cls: str, fragment: str = "") -> str:
    # No title= nor data-key=: repeated on every citation they weighed ~0.8 KB a page, and the
    # href alone names the note (its page's file name) for previews and popovers.
    return f'<a class="{cls}" href="{escapeHtml(target.href + fragment)}">{escapeHtml(text)}</a>'


def _unresolved(text: str, cls: str, title: str = UNRESOLVED_TITLE) -> str:
    return f'<span class="{cls}" title="{title}">{escapeHtml(text)}</span>'


def _render_citation(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return deferred(env, "citation", citation_html, tokens[idx].meta["items"])


def citation_html(env: EnvType, items: Sequence[Sequence[str]]) -> str:
    """A citation's HTML: each ``(prefix, key, suffix)`` item linked through ``env["cite"]``."""
    cite: Callable[[str], CiteTarget | None] = env["cite"]
    parts = []
    for prefix, key, suffix in items:
        target = cite(key)
        if target is None:
            ref = _unresolved("@" + key, "cite unresolved")
        else:
            ref = _anchor(target, target.label, "cite")
        head = escapeHtml(prefix) + " " if prefix else ""
        parts.append(head + ref + escapeHtml(suffix))
    return '<span class="citation">(' + "; ".join(parts) + ")</span>"


def _label_first(left: CiteTarget | None, right: CiteTarget | None) -> bool:
    """Whether ``[[left|right]]`` is Dendron's ``[[label|note.path]]`` rather than Obsidian's
    ``[[note|label]]``: the right part names a note by its id, file name or path, and the
    left names nothing, or the same note but not so (its title). ``wikitarget.label_first``
    is the same rule for ``link``."""
    if right is None or not right.by_path:
        return False
    return left is None or (left.href == right.href and not left.by_path)


def _render_self_link(text: str, heading: str, anchor: str) -> str:
    """``[[#Heading]]``: a link to the heading's id on this page; ``[[#^block]]`` (blocks
    have no ids on the page) and a heading that is not there are shown as text."""
    if heading.rsplit("#", 1)[-1].strip().startswith("^"):
        return f'<span class="wikilink block">{escapeHtml(text)}</span>'
    if not anchor:  # absent, or a transcluded heading (those lose their ids)
        return _unresolved(text, "cite wikilink unresolved", NO_HEADING_TITLE)
    href = escapeHtml(normalizeLink("#" + anchor))
    return f'<a class="wikilink heading" href="{href}">{escapeHtml(text)}</a>'


def _render_wikilink(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tok = tokens[idx]
    meta = tok.meta
    found: Token | None = meta.get("heading_open")
    anchor = found.attrGet("id") if found is not None else None
    anchor_text = str(anchor) if anchor else ""
    args = (meta["key"], meta["heading"], meta["alias"], tok.content, found is not None)
    return deferred(env, "wikilink", wikilink_html, *args, anchor_text)


def wikilink_html(
    env: EnvType, key: str, heading: str, text: str, written: str, found: bool, anchor: str
) -> str:
    """A wikilink's HTML: ``key`` (and ``heading``) as written in ``[[written]]``, shown as
    ``text`` (its alias); for a link within the note, whether the note has the heading
    (``found``) and its id (``anchor``)."""
    cite: Callable[[str], CiteTarget | None] = env["cite"]
    if not key:
        # Dendron's ``[[#label|note.path#heading]]`` reads as a link within the note; it is
        # one when the note has no such heading and the right part is a note's path.
        dendron = "|" in written and not found
        named = cite(link_target(text)[0]) if dendron and link_target(text)[0] else None
        if named is None or not named.by_path:
            return _render_self_link(text, heading, anchor)
    target = cite(key) if key else None
    right, right_heading = link_target(text) if text else ("", "")
    alt = cite(right) if right else None
    if _label_first(target, alt):
        # Dendron's ``[[label|note.path]]``: the right part is a note's path, the left names
        # no note (or the same one by title).
        label = written.partition("|")[0].strip()
        key, heading, text, target = right, right_heading, label, alt
    if target is None:
        # ``[[fig.png]]``: a file of the vault, linked (``![[fig.png]]`` would show it).
        file: EmbedTarget | None = env["embed"](key, "", False) if "embed" in env else None
        if file is not None and file.kind != "note":
            return (
                f'<a class="wikilink file" href="{escapeHtml(file.href)}" '
                f'title="{escapeHtml(file.title)}">{escapeHtml(text or key)}</a>'
            )
        return _unresolved(text or key, "cite wikilink unresolved")
    fragment = ""
    if heading and "#" not in target.href:
        fragment = normalizeLink("#" + ANCHOR_PREFIX + anchor_slug(heading))
    return _anchor(target, text or target.label, "cite wikilink", fragment)


def cite_plugin(md: MarkdownIt) -> None:
    """Register the citation and wikilink rules and renderers on ``md``."""
    md.inline.ruler.before("link", "wikilink", wikilink_rule)
    md.inline.ruler.before("link", "citation", citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("wikilink", _render_wikilink)
    # After the inline rule; the heading rule (``toc_plugin``, installed later) runs after it.
    md.core.ruler.push("wikilink_headings", _self_links)
    embed_plugin(md)  # ``![[…]]``: before the wikilink rule, which would take its ``[[``

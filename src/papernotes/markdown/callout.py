"""Obsidian callouts: a blockquote whose first line is ``[!type]`` (``> [!tip]- Title``).

A core rule between block and inline parsing turns such a blockquote's tokens into a callout:
``<div class="callout callout-tip">`` with a title and a content ``div``, or, when foldable
(``+`` open, ``-`` closed), ``<details>`` with a ``<summary>`` title, so folding needs no
script. The title is Markdown (default: the type as written, capitalised); the body is the rest
of the blockquote, nested callouts included. Unknown types get the note style, as in Obsidian.
The title and body keep their source lines, so citations in them are located as elsewhere.
"""

from __future__ import annotations

from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from papernotes._lazy import lazy_pattern

__all__ = ["CALLOUT_STYLES", "callout_plugin"]

CALLOUT_STYLES: dict[str, str] = {
    "note": "note",
    **dict.fromkeys(("abstract", "summary", "tldr"), "abstract"),
    "info": "info",
    "todo": "todo",
    **dict.fromkeys(("tip", "hint", "important"), "tip"),
    **dict.fromkeys(("success", "check", "done"), "success"),
    **dict.fromkeys(("question", "help", "faq"), "question"),
    **dict.fromkeys(("warning", "caution", "attention"), "warning"),
    **dict.fromkeys(("failure", "fail", "missing"), "failure"),
    **dict.fromkeys(("danger", "error"), "danger"),
    "bug": "bug",
    "example": "example",
    **dict.fromkeys(("quote", "cite"), "quote"),
}
"""Obsidian's callout types and aliases → the style (CSS class suffix) they share."""

_HEAD = lazy_pattern(r"\[!([^\]\s]+)\]([+-]?)[ \t]*(.*)")


def _block(kind: str, tag: str, nesting: Literal[1, -1], like: Token, cls: str = "") -> Token:
    tok = Token(kind, tag, nesting, map=like.map, level=like.level, block=True)
    if cls:
        tok.attrSet("class", cls)
    return tok


def _matching_close(tokens: list[Token], i: int) -> int:
    level = tokens[i].level
    for j in range(i + 1, len(tokens)):
        if tokens[j].type == "blockquote_close" and tokens[j].level == level:
            return j
    return len(tokens) - 1  # unreachable: markdown-it closes every blockquote


def _convert(tokens: list[Token], i: int) -> bool:
    """Turn the blockquote opening at ``tokens[i]`` into a callout, if its first line says so."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open":
        return False
    para, inline = tokens[i + 1], tokens[i + 2]
    first, _, rest = inline.content.partition("\n")
    m = _HEAD().fullmatch(first)
    if inline.type != "inline" or m is None:
        return False
    written, fold, title = m.groups()
    style = CALLOUT_STYLES.get(written.lower(), "note")
    tag = "details" if fold else "div"
    close = _matching_close(tokens, i)
    opener = tokens[i]
    opener.type, opener.tag = "callout_open", tag
    opener.attrs = {"class": f"callout callout-{style}"}
    if fold == "+":
        opener.attrSet("open", "")
    tokens[close].type, tokens[close].tag = "callout_close", tag
    line = opener.map[0] if opener.map else 0
    title_tok = Token("inline", "", 0, map=[line, line + 1], level=opener.level + 2)
    title_tok.content = title.strip() or written[:1].upper() + written[1:].lower()
    title_tok.children = []
    title_tag = "summary" if fold else "div"
    head = [
        _block("callout_title_open", title_tag, 1, opener, "callout-title"),
        title_tok,
        _block("callout_title_close", title_tag, -1, opener),
    ]
    if rest.strip():
        inline.content = rest
        for tok in (para, inline):
            if tok.map:
                tok.map = [tok.map[0] + 1, tok.map[1]]
        body = tokens[i + 1 : close]
    else:
        body = tokens[i + 4 : close]  # the paragraph held only the title line
    if body:
        body = [
            _block("callout_content_open", "div", 1, opener, "callout-content"),
            *body,
            _block("callout_content_close", "div", -1, opener),
        ]
    tokens[i + 1 : close] = head + body
    return True


def _callout_rule(state: StateCore) -> None:
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type == "blockquote_open":
            _convert(tokens, i)
        i += 1


def callout_plugin(md: MarkdownIt) -> None:
    """Render ``> [!type]±title`` blockquotes as Obsidian callouts."""
    md.core.ruler.after("block", "callout", _callout_rule)

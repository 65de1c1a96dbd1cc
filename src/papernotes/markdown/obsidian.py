"""Obsidian's inline syntax: ``%%comments%%``, ``==highlights==`` and ``#tags``.

Comments are dropped by the parser itself (a block rule for ``%%`` lines, an inline rule for
``%%…%%`` in text), so they reach no output: page, search index, feed or description all come
from the tokens. Code spans and blocks are parsed first and keep their ``%%``. Highlights use
markdown-it's delimiter algorithm, as ``~~strikethrough~~`` does, so they nest with emphasis.
A ``#tag`` follows Obsidian's rules: after a space or at the start of a line, letters, digits,
``_``, ``-`` and ``/`` with at least one non-digit (``#123`` is not a tag; ``# Title`` is a
heading; ``a.org/#x`` and code are not text the rule sees).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter

from papernotes._lazy import lazy_pattern

__all__ = ["obsidian_plugin"]

_COMMENT = "%%"
_MARK = 0x3D  # "="
_TAG = lazy_pattern(r"#([\w/-]+)")


def _comment_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Lines from one starting with ``%%`` to one ending with ``%%`` (an unclosed ``%%`` is
    text, not a comment running to the end of the note: a stray one should not hide it)."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    pos = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith(_COMMENT, pos):
        return False
    line, search = start, pos + 2
    while line < end:
        line_end = state.eMarks[line]
        found = state.src.find(_COMMENT, search, line_end)
        if found >= 0:
            if state.src[found + 2 : line_end].strip():
                return False  # text after the comment: an inline comment in a paragraph
            break
        line += 1
        if line < end:
            search = state.bMarks[line] + state.tShift[line]
    else:
        return False
    if not silent:
        state.line = line + 1
    return True


def _comment_inline(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith(_COMMENT, pos):
        return False
    found = state.src.find(_COMMENT, pos + 2, state.posMax)
    if found < 0:
        return False
    state.pos = found + 2
    return True


def _mark_tokenize(state: StateInline, silent: bool) -> bool:
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "="
        length -= 1
    for _ in range(length // 2):
        state.push("text", "", 0).content = "=="
        state.delimiters.append(
            Delimiter(_MARK, 0, len(state.tokens) - 1, -1, scanned.can_open, scanned.can_close)
        )
    state.pos += scanned.length
    return True


def _mark_pairs(state: StateInline, delimiters: list[Delimiter]) -> None:
    for start in delimiters:
        if start.marker != _MARK or start.end == -1:
            continue
        end = delimiters[start.end]
        opener, closer = state.tokens[start.token], state.tokens[end.token]
        opener.type, opener.nesting = "mark_open", 1
        closer.type, closer.nesting = "mark_close", -1
        for tok in (opener, closer):
            tok.tag, tok.markup, tok.content = "mark", "==", ""


def _mark_post(state: StateInline) -> None:
    _mark_pairs(state, state.delimiters)
    for meta in state.tokens_meta:
        if meta and "delimiters" in meta:
            _mark_pairs(state, meta["delimiters"])


def _tag_inline(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if (
        state.src[pos] != "#"
        or state.linkLevel > 0
        or (pos > 0 and not state.src[pos - 1].isspace())
    ):
        return False
    m = _TAG().match(state.src, pos, state.posMax)
    if m is None or m.group(1).isdigit():
        return False
    if not silent:
        tok = state.push("hashtag", "", 0)
        tok.content = m.group(0)
        tok.meta["tag"] = m.group(1)
    state.pos = m.end()
    return True


def obsidian_plugin(md: MarkdownIt) -> None:
    """Drop ``%%comments%%``, make ``==highlights==`` ``<mark>`` and ``#tags`` tag tokens
    (rendered by ``html_rules``: a link to the tag's page)."""
    alt = ["paragraph", "reference", "blockquote", "list"]
    md.block.ruler.before("fence", "obsidian_comment", _comment_block, {"alt": alt})
    # After code spans and escapes, so `` `%%` `` and ``\%%`` stay text.
    md.inline.ruler.after("backticks", "obsidian_comment", _comment_inline)
    md.inline.ruler.after("obsidian_comment", "hashtag", _tag_inline)
    md.inline.ruler.before("emphasis", "mark", _mark_tokenize)
    md.inline.ruler2.before("emphasis", "mark", _mark_post)

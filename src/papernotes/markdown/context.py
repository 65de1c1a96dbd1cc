"""Plain text of a body for the reader's side of links: the sentence around each citation
(backlinks in context) and the first paragraph of the note and of each section (previews).

Made while the body is parsed (:func:`~papernotes.markdown.extract.parse_body`) and cached with
the note. What a citation shows depends on the library (its label), so citations are kept as
holes, ``\\0key\\0``, that :func:`fill` replaces once the library is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markdown_it.token import Token

from papernotes._lazy import lazy_pattern
from papernotes.markdown._types import Lead, Passage

__all__ = ["CONTEXT_CHARS", "LEAD_CHARS", "SECTION_CHARS", "fill", "leads", "passage", "plain"]

HOLE = "\x00"
CONTEXT_CHARS = 200
"""About how long a backlink's quoted sentence may be, citation included."""
LEAD_CHARS = 300
"""About how long a preview's first paragraph may be."""
SECTION_CHARS = 140
"""About how long a section's first paragraph may be in a preview (there may be many)."""

_HOLES = lazy_pattern("\x00([^\x00]*)\x00")
# A sentence ends at . ! ? (and closing quotes or brackets) before a space, or at CJK stops.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|[。！？]\s*")


def _hole(key: str) -> str:
    return HOLE + key + HOLE


def _citation(items: Sequence[Sequence[str]]) -> str:
    # As the body shows it: "(see Hu et al., 2021, p. 3; Li and Liang, 2021)".
    parts = [
        " ".join(p for p in (prefix, _hole(key) + suffix) if p) for prefix, key, suffix in items
    ]
    return "(" + "; ".join(parts) + ")"


def plain(children: Sequence[Token]) -> tuple[str, list[tuple[int, int]]]:
    """The plain text of an inline token's children (math as its TeX source, no Markdown
    syntax, citations as holes) and the span of each citation and wikilink in it, in order."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    size = 0
    for tok in children:
        kind = tok.type
        piece = ""
        if kind in ("text", "code_inline", "math_inline", "math_display", "hashtag"):
            piece = tok.content
        elif kind in ("softbreak", "hardbreak"):
            piece = " "
        elif kind == "image" and tok.children:
            piece = plain(tok.children)[0]
        elif kind == "citation":
            piece = _citation(tok.meta["items"])
        elif kind == "wikilink":
            meta = tok.meta
            alias = str(meta.get("alias") or "").strip()
            piece = alias or (_hole(meta["key"]) if meta["key"] else str(meta["heading"]))
        if kind in ("citation", "wikilink"):
            spans.append((size, size + len(piece)))
        out.append(piece)
        size += len(piece)
    return "".join(out), spans


def _squash(text: str) -> str:
    return " ".join(text.split())


def _cut_left(text: str, room: int) -> str:
    """The end of ``text`` in about ``room`` characters, from a word start, with "…"."""
    if len(text) <= room:
        return text
    tail = text[len(text) - room :]
    space = tail.find(" ")
    tail = tail[space + 1 :] if 0 <= space < room // 2 else tail
    if tail.count(HOLE) % 2:  # never half a hole
        tail = tail[tail.index(HOLE) + 1 :]
    return "…" + tail.lstrip()


def _cut_right(text: str, room: int) -> str:
    """The start of ``text`` in about ``room`` characters, to a word end, with "…"."""
    if len(text) <= room:
        return text
    head = text[:room]
    space = head.rfind(" ")
    head = head[:space] if space > room // 2 else head
    if head.count(HOLE) % 2:
        head = head[: head.rindex(HOLE)]
    return head.rstrip() + "…"


def passage(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> Passage:
    """The sentence of ``text`` holding ``text[start:end]`` (a citation), trimmed to about
    ``limit`` characters around it."""
    head = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        head = m.end()
    stop = _SENTENCE_END.search(text, end)
    tail = stop.end() if stop else len(text)
    before = _squash(text[head:start])
    cited = _squash(text[start:end])
    after = _squash(text[end:tail])
    if text[start - 1 : start].isspace() and before:
        before += " "
    if text[end : end + 1].isspace() and after:
        after = " " + after
    room = max(limit - len(cited), 0)
    if len(before) + len(after) > room:
        keep = max(room // 2, room - len(after))
        before = _cut_left(before, keep)
        after = _cut_right(after, max(room - len(before), room // 2))
    return Passage(before, cited, after)


def fill(text: str, label: Callable[[str], str]) -> str:
    """``text`` with each hole replaced by the label of its key."""
    return _HOLES().sub(lambda m: label(m[1]), text) if HOLE in text else text


def leads(
    tokens: Sequence[Token],
    plain_of: Callable[[Token], tuple[str, list[tuple[int, int]]]] | None = None,
) -> tuple[Lead, ...]:
    """The first paragraph with text of the body (anchor ""), wherever it is, then the first
    of each later section (a section whose first paragraph is the body's has none of its own:
    a preview falls back to the body's). ``plain_of`` gives an inline token's :func:`plain`
    (the one the body's citations made already, when they did)."""
    plain_of = plain_of or (lambda inline: plain(inline.children or ()))
    found: dict[str, str] = {}
    anchor = ""
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            anchor = str(tok.attrGet("id") or "") if "" in found else ""
        elif tok.type == "paragraph_open" and anchor not in found and i + 1 < len(tokens):
            text = _squash(plain_of(tokens[i + 1])[0])
            if text:
                limit = SECTION_CHARS if anchor else LEAD_CHARS
                found[anchor] = _cut_right(text, limit)
    return tuple(Lead(a, t) for a, t in found.items())

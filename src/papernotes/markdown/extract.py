"""What a note body says, besides its text: citations, links, headings and ``[TOC]``.

:func:`parse_body` parses the body once and keeps only plain values (:class:`ParsedBody`),
each citation and link with its line and column in the body and the body rendered with
holes, so later stages never hold markdown-it tokens, nor parse it again.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType

from papernotes.markdown._types import (
    BodyCitation,
    BodyEmbed,
    LocalLink,
    ParsedBody,
    Passage,
    WebLink,
    pack_text,
)
from papernotes.markdown.body import body_template
from papernotes.markdown.cite import link_target
from papernotes.markdown.context import leads, passage, plain
from papernotes.markdown.reading import reading_seconds
from papernotes.markdown.toc import headings_of
from papernotes.markdown.urlkind import is_local_url, is_root_url

__all__ = ["is_local_url", "is_root_url", "parse_body"]

# markdown-it splits lines on these three only (str.splitlines knows more breaks).
_NEWLINE = re.compile(r"\r\n|\r|\n")


class _Locator:
    """Maps an offset in an inline token's content back to a line and column of the body."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None
        # Per line, where the last located thing was: table cells and repeated text on one
        # line are found left to right.
        self._cursor: dict[int, int] = {}

    def locate(self, inline: Token, offset: int, *, in_order: bool = True) -> tuple[int, int]:
        """1-based line and column of ``inline.content[offset]`` in the body.

        ``in_order`` says the caller locates things left to right on a line (citations and
        link brackets are); a URL comes after the text of its link, so it is found on its own.
        """
        if self._lines is None:
            self._lines = _NEWLINE.split(self._text)
        content = inline.content
        row = content.count("\n", 0, offset)
        seg_start = content.rfind("\n", 0, offset) + 1
        seg_end = content.find("\n", offset)
        segment = content[seg_start : seg_end if seg_end >= 0 else len(content)]
        within = offset - seg_start
        line = (inline.map[0] if inline.map else 0) + row
        if line >= len(self._lines):
            return line + 1, within + 1
        source = self._lines[line]
        cursor = self._cursor.get(line, 0) if in_order else 0
        found = source.find(segment, cursor)
        if found >= 0 and found + within >= cursor:
            col = found + within
        else:
            # The segment was rewritten by a container (tabs, ``\|`` in tables): find the
            # thing itself.
            found = source.find(segment[within : within + 12], cursor)
            col = found if found >= 0 else within
        if in_order:
            self._cursor[line] = col + 1
        return line + 1, col + 1


def _web_link(block: Token, tok: Token, url: str, locator: _Locator) -> WebLink:
    content = block.content
    # markdown-it percent-encodes URLs; look for the URL as written to get its line, after
    # the link's own bracket when it is known (a URL may be written twice on a line).
    start = int(tok.meta.get("pos", 0))
    at = max(content.find(url, start), content.find(unquote(url), start))
    if at < 0:
        line, col = (block.map[0] if block.map else 0) + 1, 0
    else:
        line, col = locator.locate(block, at, in_order=False)
    return WebLink(url, line, tok.type == "image", col)


_Plain = tuple[str, list[tuple[int, int]]]


class _Plains:
    """Each inline block's :func:`~papernotes.markdown.context.plain`, made once for a body:
    the passages of its citations and the leads (a section's first paragraph most often
    cites) read the same blocks."""

    def __init__(self) -> None:
        self._made: dict[int, _Plain] = {}  # by the block's id: the tokens outlive this

    def __call__(self, block: Token) -> _Plain:
        made = self._made.get(id(block))
        if made is None:
            made = self._made[id(block)] = plain(block.children or ())
        return made


class _Contexts:
    """The passage around each citation of one inline block, made when first asked for."""

    def __init__(self, block: Token, plains: _Plains) -> None:
        self._block = block
        self._plains = plains
        self._made: _Plain | None = None
        self._next = 0

    def skip(self) -> None:
        """Pass the block's next citation or wikilink by, its passage not wanted."""
        self._next += 1

    def next(self) -> Passage | None:
        """The passage of the block's next citation or wikilink (they come in order)."""
        if self._made is None:
            self._made = self._plains(self._block)
        text, spans = self._made
        if self._next >= len(spans):
            return None
        start, end = spans[self._next]
        self._next += 1
        return passage(text, start, end)


def _wikilink(tok: Token, line: int, col: int, context: Passage | None) -> BodyCitation:
    """``[[key]]`` or ``[[#Heading]]`` (no keys), with the Dendron reading of what follows
    ``|`` (``[[label|note.path]]``, ``[[#label|note.path#heading]]``), if any."""
    meta = tok.meta
    alias = tok.content.partition("|")[2]
    alt = link_target(alias)[0] if alias.strip() else ""
    if not meta["key"]:
        return BodyCitation((), line, col, "wikilink", alt=alt, fragment=meta["heading"])
    heading = meta["heading"]  # [[key#Heading]]: what a preview of the link shows
    return BodyCitation(
        (sys.intern(meta["key"]),), line, col, "wikilink", alt=alt, context=context, heading=heading
    )


def _first_said(keys: tuple[str, ...], contexts: _Contexts, quoted: set[str]) -> Passage | None:
    """The passage of the next citation of ``contexts``, unless an earlier citation of the
    body already carries a passage for each of ``keys`` (then None).

    A backlink quotes the first passage a note cites the paper in (``backlinks``), and a key
    resolves alike wherever it is written: a later passage of the same keys is never shown.
    Kept, it was a third of a parsed note's memory (a note cites a few papers many times);
    made, it was most of the time spent on passages."""
    if keys and quoted.issuperset(keys):
        contexts.skip()
        return None
    context = contexts.next()
    if context is not None:
        quoted.update(keys)
    return context


def parse_body(md: MarkdownIt, text: str) -> ParsedBody:
    """Parse a note body: its citations and links with line and column, headings, ``[TOC]``,
    and its template (the HTML :func:`~papernotes.markdown.body.render_body` fills in)."""
    env: EnvType = {}
    tokens = md.parse(text, env)
    citations: list[BodyCitation] = []
    local_links: list[LocalLink] = []
    root_links: list[LocalLink] = []
    embeds: list[BodyEmbed] = []
    web_links: list[WebLink] = []
    tags: dict[str, str] = {}
    locator = _Locator(text)
    quoted: set[str] = set()  # keys a citation already carries the passage of
    plains = _Plains()
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        contexts = _Contexts(block, plains)
        for tok in block.children:
            kind = tok.type
            if kind == "citation":
                line, col = locator.locate(block, tok.meta["pos"])
                keys = tuple(sys.intern(item[1]) for item in tok.meta["items"])  # memory
                context = _first_said(keys, contexts, quoted)
                citations.append(BodyCitation(keys, line, col, "pandoc", context=context))
            elif kind == "wikilink":
                line, col = locator.locate(block, tok.meta["pos"])
                key = tok.meta["key"]
                context = _first_said((key,) if key else (), contexts, quoted)
                citations.append(_wikilink(tok, line, col, context))
            elif kind == "embed":
                line, col = locator.locate(block, tok.meta["pos"])
                meta = tok.meta
                embeds.append(
                    BodyEmbed(meta["target"], meta["fragment"], meta["label"].strip(), line, col)
                )
            elif kind == "hashtag":
                tags.setdefault(tok.meta["tag"].casefold(), tok.meta["tag"])
            elif kind in ("link_open", "image"):
                url = str(tok.attrGet("href" if kind == "link_open" else "src") or "")
                if is_local_url(url) and "pos" in tok.meta:
                    line, col = locator.locate(block, tok.meta["pos"])
                    local_links.append(LocalLink(unquote(url), line, kind == "image", col))
                elif is_root_url(url) and "pos" in tok.meta:
                    line, col = locator.locate(block, tok.meta["pos"])
                    root_links.append(LocalLink(unquote(url), line, kind == "image", col))
                elif url.lower().startswith(("http://", "https://")):
                    web_links.append(_web_link(block, tok, url, locator))
    # Before the template is made: making it may rewrite tokens.
    first = leads(tokens, plains)
    seconds = reading_seconds(tokens)
    return ParsedBody(
        packed_text=pack_text(text),
        citations=tuple(citations),
        local_links=tuple(local_links),
        has_toc=bool(env.get("has_toc")),
        headings=headings_of(env),
        web_links=tuple(web_links),
        tags=tuple(tags.values()),
        embeds=tuple(embeds),
        root_links=tuple(root_links),
        template=body_template(md, tokens, text),
        leads=first,
        reading_seconds=seconds,
    )

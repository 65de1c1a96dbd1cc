"""The highlighted code of a note parsed again, taken from its last template, not Pygments.

Pygments was a fifth of an edit build at 1,000 notes whose edited note has a fenced language:
importing it and compiling its lexer's patterns (a hundred for Python), to highlight code the
edit seldom touched. The note's last template (``markdown.body.body_template``: its HTML
before the library is filled in) holds what Pygments made of each of its fences: while the
note is parsed again, its parser is given that (``markdown.code.HIGHLIGHTED``), and a fence
whose language and code are the same is written as it was. Only the note's own last fences
are given, and only for a parser that escapes raw HTML: where raw HTML is let through, a note
could write what looks like highlighted code.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from papernotes.markdown.code import HIGHLIGHTED, known_highlights

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from papernotes.errors import Diagnostic
    from papernotes.incremental.cache import BuildCache
    from papernotes.load import Source
    from papernotes.model import Note

__all__ = ["parse_again", "parse_as_last"]

Parsed = tuple["Note | None", tuple["Diagnostic", ...]]


def parse_again(
    md: MarkdownIt, previous: BuildCache | None, keys: Mapping[str, str]
) -> Callable[[Source], Parsed]:
    """What parses a note (``parse.parse_note``) with ``md``, given the fences ``previous``
    highlighted in that note."""

    def parse_one(source: Source) -> Parsed:
        entry = previous.notes.get(source.path) if previous is not None else None
        return parse_as_last(md, keys, source, entry[1] if entry is not None else None)

    return parse_one


def parse_as_last(
    md: MarkdownIt, keys: Mapping[str, str], source: Source, last: Note | None
) -> Parsed:
    """``parse.parse_note`` of ``source`` with ``md``, given the fences its ``last`` note (its
    note before this edit, if any) highlighted: ``serve``'s save as an edit build's."""
    from papernotes import parse

    known = _last_highlights(md, last)
    if not known:
        return parse.parse_note(source.path, source.text, md, keys)
    md.options[HIGHLIGHTED] = known
    try:
        return parse.parse_note(source.path, source.text, md, keys)
    finally:
        del md.options[HIGHLIGHTED]


def _last_highlights(md: MarkdownIt, last: Note | None) -> dict[tuple[str, str], str]:
    """What the note ``last`` showed of each highlighted fence."""
    if last is None or md.options.get("html"):
        return {}
    template = last.body.template
    if template is None:
        return {}
    try:  # [html, text, toc, holes] (``body_template``); a template that is not: none known
        html = json.loads(zlib.decompress(template))[0]
    except (zlib.error, ValueError, RecursionError, TypeError, IndexError, KeyError):
        return {}
    return known_highlights(html) if type(html) is str else {}

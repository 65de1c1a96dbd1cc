"""Reading a vault's notes as the tools that wrote them do, where papernotes' format differs.

A real vault holds notes with no front matter, titles with an unquoted ``: `` (invalid YAML
that Obsidian shows anyway), front matter after a blank line, file names with spaces, and keys
that other tools give a meaning (Quartz's ``draft``, Obsidian Publish's ``publish``) or use for
their own pages (``cssclasses``, ``permalink``). Each is read the way that tool reads it, with
a warning wherever papernotes' own format would be written differently. Pure functions on text
and values; :mod:`papernotes.frontmatter` and :mod:`papernotes.parse` call them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.model import NO_DATE

if TYPE_CHECKING:
    from papernotes.frontmatter import Field
    from papernotes.model import Note

__all__ = [
    "FOREIGN_KEYS",
    "bare",
    "citable",
    "compose",
    "extra_tags",
    "first_heading",
    "is_foreign",
    "quote_value",
    "unpublished",
]

FOREIGN_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "draft": "Quartz, Hugo: `true` leaves the note out of the site (a note says so)",
        "publish": "Obsidian Publish: `false` leaves the note out of the site (a note says so)",
        "categories": "Hugo: joins the note's tags",
        "cssclasses": "Obsidian: ignored",
        "cssclass": "Obsidian: ignored",
        "enabletoc": "Quartz: ignored",
        "lang": "Quartz, Hugo: ignored",
        "permalink": "Quartz, Jekyll: ignored (the page address is made from the id)",
        "slug": "Hugo: ignored (the page address is made from the id)",
        "created": "Dendron (a millisecond timestamp): ignored",
        "updated": "Dendron (a millisecond timestamp): ignored",
        "lastmod": "Hugo: ignored",
        "weight": "Hugo: ignored",
        "layout": "Jekyll, Hugo: ignored",
        "nav_order": "Just the Docs: ignored",
    }
)
"""Other tools' keys that are not papernotes keys but are known: read without an "unknown key"
warning, for the meaning given (lowercase; matched in any case, ``enableToc``)."""

_FENCES = ("---", "+++")
_ATX_H1 = re.compile(r" {0,3}#[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_CODE_FENCE = re.compile(r" {0,3}(```|~~~)")
# A top-level or nested ``key: value`` line whose plain value holds ": " (``title: A: B``).
_COLON_LINE = re.compile(
    r"(?P<lead>[ \t]*(?P<key>[^\s#'\"\-?:,\[\]{}&*!|>%@`][^:#]*?):[ \t]+)"
    r"(?P<value>[^\s'\"\[\]{}&*!|>%@`#].*?:[ \t].*?)(?P<tail>[ \t]+#.*)?$"
)
_FLAGS: Mapping[str, bool] = MappingProxyType(
    {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
)


def bare(text: str) -> bool:
    """Whether ``text`` has no front matter at all: its first line that is not blank is no
    ``---`` or ``+++`` fence (Obsidian reads such a note as all body)."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return first not in _FENCES


def first_heading(lines: Sequence[str]) -> tuple[int, str] | None:
    """The index and text of the first ``# heading`` outside code blocks, or None."""
    fence = ""
    for i, line in enumerate(lines):
        m = _CODE_FENCE.match(line)
        if m and (not fence or m[1] == fence):
            fence = "" if fence else m[1]
            continue
        if not fence and (h := _ATX_H1.fullmatch(line)) and h["text"].strip():
            return i, h["text"].strip()
    return None


def quote_value(line: str) -> tuple[str, str, int] | None:
    """``key: A: B`` as ``key: "A: B"``, with the key and the value's 1-based column; None when
    ``line`` is not a key whose plain value holds ``": "``. A comment after it stays one."""
    m = _COLON_LINE.fullmatch(line)
    if m is None:
        return None
    # JSON's double-quoted string is YAML's: the value is read back exactly.
    quoted = json.dumps(m["value"], ensure_ascii=False)
    return f"{m['lead']}{quoted}{m['tail'] or ''}", m["key"].strip(), len(m["lead"]) + 1


def compose(
    text: str, loader: type[yaml.SafeLoader], path: str, first_line: int
) -> tuple[yaml.Node | None, tuple[Diagnostic, ...]]:
    """YAML ``text`` composed, with each line whose plain value holds ``": "`` read as if quoted
    (a warning each, at ``path``; ``first_line`` is the file line of the text's first line).

    Obsidian and Quartz show ``title: Attention: a survey`` as that title; YAML refuses the
    second ``:``. Any other error is raised, at its place in the original text."""
    lines = text.split("\n")
    warnings: list[Diagnostic] = []
    fixed: set[int] = set()
    while True:
        try:
            return yaml.compose("\n".join(lines), Loader=loader), tuple(warnings)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            if (
                "mapping values are not allowed" not in str(exc.problem)
                or mark is None
                or mark.line in fixed
                or (quoted := quote_value(lines[mark.line])) is None
            ):
                raise
            fixed.add(mark.line)
            lines[mark.line], key, col = quoted
            where = Location(path, mark.line + first_line, col)
            message = f'{key}: the value holds ": ", which YAML reads as another key'
            hint = f"read as the text; quote it to say so: {lines[mark.line].strip()}"
            warnings.append(Diagnostic(Severity.WARNING, where, message, hint))


def is_foreign(name: str) -> bool:
    """Whether ``name`` is another tool's key that papernotes knows (:data:`FOREIGN_KEYS`)."""
    return name.casefold() in FOREIGN_KEYS


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return _FLAGS.get(value.strip().lower()) if isinstance(value, str) else None


def unpublished(fields: Sequence[Field]) -> Diagnostic | None:
    """Why the note is not to be published (``draft: true``, ``publish: false``), as the
    note that says so (the user's choice: ``--strict`` does not fail on it); None for a note
    to publish."""
    for f in fields:
        low = f.name.casefold()
        if (low == "draft" and _flag(f.value) is True) or (
            low == "publish" and _flag(f.value) is False
        ):
            what = f"{f.name}: {'true' if low == 'draft' else 'false'}"
            hint = "remove it to publish the note"
            message = f"not published ({what}): left out of the site; links to it are unresolved"
            return Diagnostic(Severity.NOTE, f.where.key, message, hint)
    return None


def extra_tags(fields: Sequence[Field]) -> tuple[str, ...]:
    """Hugo's ``categories`` (a list, or one string of comma-separated names), read as tags."""
    out: list[str] = []
    for f in fields:
        if f.name.casefold() != "categories" or f.value is None:
            continue
        items = f.value.split(",") if isinstance(f.value, str) else f.value
        if isinstance(items, list):
            out.extend(t for item in items if (t := str(item).strip().lstrip("#")))
    return tuple(out)


def citable(notes: Sequence[Note]) -> tuple[tuple[Note, ...], tuple[Diagnostic, ...]]:
    """The notes a bibliography can cite, and a warning naming each file left out: a quick
    note or a page with only a title has no authors, editors or year to cite it by."""
    kept: list[Note] = []
    skipped: list[Diagnostic] = []
    for note in notes:
        meta = note.meta
        if meta.authors or meta.editors or meta.year_label != NO_DATE:
            kept.append(note)
            continue
        message = f'not exported: "{meta.heading}" has no authors, editors or year to cite it by'
        hint = "add them to its front matter to cite it"
        skipped.append(Diagnostic(Severity.WARNING, Location(note.source, 1), message, hint))
    return tuple(kept), tuple(skipped)

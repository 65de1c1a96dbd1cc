"""Reading a vault's notes as the tools that wrote them do, where papernotes' format differs.

A real vault holds notes with no front matter, titles with an unquoted ``: `` (invalid YAML
that Obsidian shows anyway), front matter after a blank line, file names with spaces, and keys
that other tools give a meaning (Quartz's ``draft``, Obsidian Publish's ``publish``) or use for
their own pages (``cssclasses``, ``permalink``). Each is read the way that tool reads it, with
a warning wherever papernotes' own format would be written differently. Pure functions on text
and values; :mod:`papernotes.frontmatter` and :mod:`papernotes.parse` call them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from papernotes.barenote import bare, first_heading
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.model import NO_DATE, FieldLocation

if TYPE_CHECKING:
    from papernotes.frontmatter import Field
    from papernotes.model import Note

__all__ = [
    "FOREIGN_KEYS",
    "PAGE_KEYS",
    "STATUS_WORDS",
    "bare",
    "citable",
    "compose",
    "drop_empty",
    "extra_tags",
    "first_heading",
    "is_foreign",
    "quote_value",
    "requote_value",
    "status_word",
    "unpublished",
    "year_in",
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
        "url_slides": "Hugo Blox: ignored",
        "url_video": "Hugo Blox: ignored",
        "url_dataset": "Hugo Blox: ignored",
        "url_project": "Hugo Blox: ignored",
        "url_poster": "Hugo Blox: ignored",
        "url_source": "Hugo Blox: ignored",
        "publication_types": "Hugo Blox: the entry type when `type` is not given",
        "publication_short": "Hugo Blox: ignored (the venue is `publication`)",
        "publishdate": "Hugo: ignored (the page's date, not the paper's)",
        "date_end": "Hugo Blox: ignored",
        "show_date": "Hugo Blox: ignored",
        "author_notes": "Hugo Blox: ignored",
        "featured": "Hugo Blox: ignored",
        "projects": "Hugo Blox: ignored",
        "slides": "Hugo Blox: ignored",
        "image": "Hugo Blox: ignored",
        "links": "Hugo Blox: ignored",
        "hugoblox": "Hugo Blox: ignored",
    }
)
"""Other tools' keys that are not papernotes keys but are known: read without an "unknown key"
warning, for the meaning given (lowercase; matched in any case, ``enableToc``)."""

PAGE_KEYS: Mapping[str, str] = MappingProxyType({"date": "year"})
"""Other tools' keys that spell one of ours but mean the page's own (Quartz's and Hugo's
``date`` is the day the page was written): read as ours only when ours is not given, and
quietly ignored beside it."""

STATUS_WORDS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("done", "finished", "completed", "complete", "read"), "read"),
        **dict.fromkeys(("doing", "in-progress", "reading", "started", "wip"), "reading"),
        **dict.fromkeys(
            ("todo", "to-do", "to-read", "toread", "backlog", "next", "unread", "planned"),
            "to-read",
        ),
        "true": "read",  # a checkbox (Obsidian, Dataview): read or not yet
        "false": "to-read",
    }
)
"""Other tools' reading states (lowercase, ``_`` and spaces as ``-``) → our ``status``."""


# The two repairs below are compiled on first use: only front matter YAML refused needs them.
@functools.cache
def _colon_line() -> re.Pattern[str]:
    """A top-level or nested ``key: value`` line whose plain value holds ": " (``title: A: B``)."""
    return re.compile(
        r"(?P<lead>[ \t]*(?P<key>[^\s#'\"\-?:,\[\]{}&*!|>%@`][^:#]*?):[ \t]+)"
        r"(?P<value>[^\s'\"\[\]{}&*!|>%@`#].*?:[ \t].*?)(?P<tail>[ \t]+#.*)?$"
    )


@functools.cache
def _nested_quotes() -> re.Pattern[str]:
    """``key: "text with "quotes" inside"``: a quoted value whose quotes hold the same quote."""
    return re.compile(
        r"(?P<lead>[ \t]*(?P<key>[^\s#'\"\-?:,\[\]{}&*!|>%@`][^:#]*?):[ \t]+)"
        r"(?P<q>[\"'])(?P<value>.*(?P=q).*)(?P=q)[ \t]*"
    )


_NUMBER = re.compile(r"\d+")
_YEAR_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y")
_FLAGS: Mapping[str, bool] = MappingProxyType(
    {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
)


def quote_value(line: str) -> tuple[str, str, int] | None:
    """``key: A: B`` as ``key: "A: B"``, with the key and the value's 1-based column; None when
    ``line`` is not a key whose plain value holds ``": "``. A comment after it stays one."""
    m = _colon_line().fullmatch(line)
    if m is None:
        return None
    # JSON's double-quoted string is YAML's: the value is read back exactly.
    quoted = json.dumps(m["value"], ensure_ascii=False)
    return f"{m['lead']}{quoted}{m['tail'] or ''}", m["key"].strip(), len(m["lead"]) + 1


def requote_value(line: str) -> tuple[str, str, int, str] | None:
    """``key: "A "B" C"`` as ``key: "A \\"B\\" C"``, with the key, the value's 1-based column
    and the value single-quoted as YAML wants it (the hint); None when ``line`` is no quoted
    value holding its own quote. Obsidian shows such a value as the text between the outer
    quotes (Zotero Integration's templates write ``title: "{{title}}"``)."""
    m = _nested_quotes().fullmatch(line)
    if m is None:
        return None
    value = m["value"]
    single = "'" + value.replace("'", "''") + "'"
    quoted = json.dumps(value, ensure_ascii=False)
    return f"{m['lead']}{quoted}", m["key"].strip(), len(m["lead"]) + 1, single


def _repair(problem: str, line: str, path: str, file_line: int) -> tuple[str, Diagnostic] | None:
    """``line`` rewritten so YAML reads its value as the text shown, and the warning saying
    how to write it; None when the error on ``line`` is none of those read leniently."""
    if "mapping values are not allowed" in problem and (colon := quote_value(line)):
        fixed, key, col = colon
        message = f'{key}: the value holds ": ", which YAML reads as another key'
        hint = f"read as the text; quote it to say so: {fixed.strip()}"
    elif quotes := requote_value(line):
        fixed, key, col, single = quotes
        message = f"{key}: the quoted value holds the same quotes, which end it for YAML"
        hint = f"read as the text between the outer quotes; write it as: {key}: {single}"
    else:
        return None
    return fixed, Diagnostic(Severity.WARNING, Location(path, file_line, col), message, hint)


def compose(
    text: str, loader: type[yaml.SafeLoader], path: str, first_line: int
) -> tuple[yaml.Node | None, tuple[Diagnostic, ...]]:
    """YAML ``text`` composed, with each line whose plain value holds ``": "`` read as if quoted
    (a warning each, at ``path``; ``first_line`` is the file line of the text's first line).

    Obsidian and Quartz show ``title: Attention: a survey`` as that title; YAML refuses the
    second ``:``. A quoted value holding its own quotes (``title: "From "um" to "yeah""``) is
    read as the text between the outer quotes. Any other error is raised, at its place in the
    original text."""
    lines = text.split("\n")
    warnings: list[Diagnostic] = []
    fixed: set[int] = set()
    while True:
        try:
            return yaml.compose("\n".join(lines), Loader=loader), tuple(warnings)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            if mark is None or mark.line in fixed or mark.line >= len(lines):
                raise
            repaired = _repair(str(exc.problem), lines[mark.line], path, mark.line + first_line)
            if repaired is None:
                raise
            fixed.add(mark.line)
            lines[mark.line] = repaired[0]
            warnings.append(repaired[1])


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


def drop_empty(f: Field) -> Field | None:
    """``f`` without the empty items of its list (``aliases:\\n  - \\n``, as Zotero
    Integration's templates write a value they do not have), and None for a list with none
    left (``authors: []``, Hugo Blox): absent, like ``authors: ""``."""
    if not isinstance(f.value, list):
        return f
    keep = [i for i, v in enumerate(f.value) if v is not None and v != "" and str(v).strip()]
    if not keep:
        return None
    if len(keep) == len(f.value):
        return f
    items = tuple(f.where.items[i] for i in keep if i < len(f.where.items))
    return f._replace(
        value=[f.value[i] for i in keep],
        where=FieldLocation.of(f.where.key, items, f.where.value),
    )


def status_word(value: Any) -> str | None:
    """Our ``status`` for another tool's word for it (``done``, ``Next``, ``in progress``),
    or None for a value that names none (an emoji, a mapping)."""
    if isinstance(value, (dict, list)) or value is None:
        return None
    text = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    return STATUS_WORDS.get(text)


def year_in(value: Any) -> int | None:
    """The year a value that is not a whole number holds: a date's (``2021-03-17``,
    ``March 17, 2021``), or the only number from 1000 to 2999 in the text (``2023/08``,
    ``17/03/2021``); None when it holds none, or more than one (a template's ``{{date}}``)."""
    if isinstance(value, dt.date):
        return value.year
    if not isinstance(value, str) or isinstance(value, bool):
        return None
    text = value.strip()
    for form in _YEAR_FORMATS:
        try:
            return dt.datetime.strptime(text, form).year
        except ValueError:
            continue
    years = [n for n in map(int, _NUMBER.findall(text)) if 1000 <= n <= 2999]
    return years[0] if len(years) == 1 else None

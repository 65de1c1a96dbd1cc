"""Reading lists as written: a Markdown file in the notes folder's ``lists/`` folder.

```markdown
---
title: The GPT line
series: true        # optional: the papers build on each other, in this order
---
Why this list exists (Markdown, shown above the sections).

## Pre-training
Text under a heading introduces the section.

- [[radford2018improving]] what to look for in this one (Markdown)
- [@radford2019language]: the commentary may follow a colon or a dash
```

Each list item that starts with a reference (``[[key]]``, ``[[key|shown]]``, ``[@key]``)
names one paper, in order; the rest of the item is the reader's commentary. The parse is
line-based (lists are short and their structure is flat), so every entry keeps its line.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.frontmatter import RawNote, split_note

__all__ = ["ListEntry", "ListSection", "ReadingList", "parse_list"]

_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?: +(.*)|$)")
_REF = re.compile(r"^(?:\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]|\[@([^\];\s]+)\])")
_HEADING = re.compile(r"^ {0,3}(#{1,6}) +(.*?)(?: +#+)? *$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SEPARATOR = re.compile(r"^\s*(?:[-–—:]\s*)?")


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One paper of a list, as written."""

    target: str
    """What the item names: a key, an alias, a title or a file (resolved by the library)."""
    line: int
    """The file line of the item (1-based)."""
    column: int
    """The column of the reference on that line (1-based)."""
    commentary: str
    """The rest of the item, Markdown, without the separator after the reference."""


@dataclass(frozen=True, slots=True)
class ListSection:
    """A ``##`` heading and the papers under it (the unnamed first section has no heading)."""

    title: str
    """The heading's text ("" for the papers before any heading)."""
    intro: str
    """Markdown written under the heading, outside the items."""
    entries: tuple[ListEntry, ...]
    """The papers, in order."""


@dataclass(frozen=True, slots=True)
class ReadingList:
    """A reading list file, parsed."""

    source: str
    """The file, relative to the library root ("papers/lists/gpt.md")."""
    stem: str
    """The file's name without ``.md`` (the page's slug is made from it)."""
    title: str
    """Front-matter ``title``, else the stem."""
    intro: str
    """Markdown before the first heading and item."""
    series: bool
    """Front-matter ``series: true``: every paper gets previous / next links in list order."""
    sections: tuple[ListSection, ...]
    """The sections in order; the first may be unnamed."""

    @property
    def entries(self) -> tuple[ListEntry, ...]:
        """Every paper of the list, in order."""
        return tuple(e for s in self.sections for e in s.entries)


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


@dataclass(slots=True)
class _Open:
    """The section being read (mutable only while one file is parsed)."""

    title: str
    intro: list[str]
    entries: list[ListEntry]
    item: list[str] | None = None
    """The lines of the item being read, when it names a paper."""


def parse_list(path: str, text: str) -> tuple[ReadingList | None, tuple[Diagnostic, ...]]:
    """A reading list and its problems; None when its front matter cannot be read."""
    if text.lstrip().startswith("---"):
        raw, diags = split_note(path, text)
        if raw is None:
            return None, diags
    else:  # a list needs no front matter: its title is then its file name
        raw, diags = RawNote((), frozenset(), text, 1), ()
    found = list(diags)
    fields = {f.name: f for f in raw.fields}
    title_field = fields.get("title")
    title = str(title_field.value).strip() if title_field and title_field.value else ""
    series_field = fields.get("series")
    series = bool(series_field.value) if series_field is not None else False
    if series_field is not None and not isinstance(series_field.value, bool):
        message = "series: expected true or false"
        found.append(Diagnostic(Severity.WARNING, series_field.where.key, message))
        series = str(series_field.value).strip().lower() in ("true", "yes")
    intro: list[str] = []
    sections: list[ListSection] = []
    current: _Open | None = None
    fenced = False

    def close_item() -> None:
        if current is not None and current.item is not None:
            entry = current.entries.pop()
            first, *more = current.item
            # Continuation lines are indented under the item: their common indent goes.
            commentary = (first + "\n" + textwrap.dedent("\n".join(more))).strip()
            current.entries.append(ListEntry(entry.target, entry.line, entry.column, commentary))
            current.item = None

    def close_section() -> None:
        close_item()
        if current is not None:
            body = "\n".join(current.intro).strip()
            sections.append(ListSection(current.title, body, tuple(current.entries)))

    for n, line in enumerate(raw.body.split("\n")):
        lineno = raw.body_line + n
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is not None and len(heading.group(1)) >= 2:
            close_section()
            current = _Open(heading.group(2).strip(), [], [])
            continue
        item = None if fenced else _ITEM.match(line)
        if item is not None:
            close_item()
            content = item.group(1) or ""
            ref = _REF.match(content)
            if ref is None:
                where = Location(path, lineno, 1)
                message = "list item names no paper: start it with [[key]] or [@key]"
                found.append(Diagnostic(Severity.WARNING, where, message))
                continue
            if current is None:
                current = _Open("", [], [])
            target = (ref.group(1) or ref.group(2)).strip()
            rest = _SEPARATOR.sub("", content[ref.end() :], count=1)
            current.entries.append(ListEntry(target, lineno, item.start(1) + 1, ""))
            current.item = [rest]
            continue
        if current is not None and current.item is not None:
            if line.strip() and not line.startswith((" ", "\t")) and current.item[-1] == "":
                close_item()  # a paragraph after a blank line, not indented: the section's
                current.intro.append(line)
            else:
                current.item.append(line)
            continue
        (current.intro if current is not None else intro).append(line)
    close_section()
    if not title:
        title = _stem(path)
    if not any(s.entries for s in sections):
        found.append(Diagnostic(Severity.WARNING, Location(path, 1), "reading list names no paper"))
    reading = ReadingList(
        path, _stem(path), title, "\n".join(intro).strip(), series, tuple(sections)
    )
    return reading, tuple(found)

"""Splitting a note into front matter and body (YAML between ``---`` lines, or Hugo's TOML
between ``+++`` lines), and reading the YAML with the line and
column of every key and list item (:func:`_at` is the one place a YAML mark becomes one).

Identifiers and prose are read as the text the user wrote: YAML 1.1 would turn ``id: 0123``
into 83, ``arxiv: 2101.00190`` into 2101.0019 and ``id: no`` into False. Only ``year``,
``rating`` and ``read`` (the schema's number and date kinds, and keys papernotes does not
know) get YAML's numbers and dates, and a date that does not exist (``2024-13-01``) is
reported where it is written instead of crashing.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Mapping
from typing import Any, NamedTuple

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from papernotes.barenote import split_bare
from papernotes.errors import Diagnostic, Location, PapernotesError, Severity
from papernotes.foreign import yaml_error
from papernotes.hugo import page_stem
from papernotes.lenient import compose
from papernotes.model import FieldLocation
from papernotes.schema import KEYS, by_name, resolve

__all__ = ["TEXT_KEYS", "Field", "RawNote", "date_problem", "quick_note", "split_note"]

_FENCE = "---"
# libyaml's parser when PyYAML was built with it (its nodes carry the same line marks).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"
_SURROGATE = re.compile("[\ud800-\udfff]")

TEXT_KEYS = frozenset(k.name for k in KEYS if k.kind.as_written)
"""Keys whose plain scalars (and those of their lists and mappings) are kept as written."""
_TOML_FENCE = "+++"
_TOML_ERROR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _as_written(name: str, keys: Mapping[str, str]) -> bool:
    """Whether ``name`` (a key, another tool's spelling of one, or a spelling in the
    library's ``keys:``) is read as text."""
    key = by_name(keys[name]) if name in keys else resolve(name)
    return key is not None and key.kind.as_written


class Field(NamedTuple):
    """One top-level front-matter key with its value and where it was written."""

    name: str
    """The key as written."""
    value: Any
    """For a key in TEXT_KEYS, the text as written (a string, None for an empty value or
    ``null``, or a list or dict of those); otherwise the value as YAML's safe loader reads it."""
    where: FieldLocation
    """Where the key, and each item of a list value (each key of a mapping), is written."""

    def item(self, i: int) -> Location:
        """Where the ``i``-th item of a list value is; the key's place for any other value."""
        return self.where.item(i)


class RawNote(NamedTuple):
    """A note split into its front-matter fields and its body."""

    fields: tuple[Field, ...]
    unreadable: frozenset[str]
    """Keys that were given but whose values could not be read (each has a diagnostic)."""
    body: str
    body_line: int
    """The 1-based file line on which the body starts."""
    front_matter: bool = True
    """False for a note with none (:func:`quick_note`): its fields were made up."""

    @property
    def names(self) -> frozenset[str]:
        """The keys read."""
        return frozenset(f.name for f in self.fields)


class _BadValue(PapernotesError):
    """A value that cannot be read, with the YAML mark of where it is."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.mark = mark


def _at(path: str, mark: yaml.Mark) -> Location:
    """The one way a YAML mark becomes a place in the note: marks count lines and columns
    (characters) from 0 in the YAML text, which starts on the line after the opening ``---``."""
    return Location(path, mark.line + 2, mark.column + 1)


def _error(where: Location, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, where, message, hint)


def split_note(
    path: str, text: str, keys: Mapping[str, str] | None = None
) -> tuple[RawNote | None, tuple[Diagnostic, ...]]:
    """Split ``text`` at its ``---`` (or ``+++``) fences and read the front matter as a YAML
    (TOML) mapping; ``keys`` are the library's own spellings (``Config.keys``)."""
    keys = keys or {}
    lines = text.split("\n")
    if lines and lines[0].rstrip() == _TOML_FENCE:
        return _split_toml(path, lines, keys)
    # Blank lines above the opening "---" (a vault's stray newlines) are passed over.
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if lines[start].rstrip() != _FENCE:
        return None, (
            _error(
                Location(path, 1),
                "no front matter: a note starts with a '---' line, then YAML, then '---'",
                "add at least title, authors and year between '---' lines at the top",
            ),
        )
    diags: list[Diagnostic] = []
    if start:
        message = f"front matter starts on line {start + 1}, after blank lines: read anyway"
        hint = "remove the blank lines above '---': Obsidian and others read it on line 1 only"
        diags.append(Diagnostic(Severity.WARNING, Location(path, start + 1), message, hint))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].rstrip() in (_FENCE, "...")),
        None,
    )
    if end is None:
        hint = "add a '---' line after it"
        return None, (_error(Location(path, start + 1), "front matter is not closed", hint),)
    # As many empty lines as were skipped keep YAML's marks on the file's lines (see _at).
    yaml_text = "\n" * start + "\n".join(lines[start + 1 : end])
    try:
        node, repaired = compose(yaml_text, _LOADER, path, first_line=2)
    except yaml.MarkedYAMLError as exc:
        what = "front matter is not valid YAML"
        return None, (yaml_error(exc, path, what, first_line=2, unknown_line=start + 1),)
    diags.extend(repaired)
    if node is None:  # only comments (``# Autogenerated``): no keys, as in no front matter
        body = "\n".join(lines[end + 1 :])
        return quick_note(path, body, first_line=end + 2), tuple(diags)
    if not isinstance(node, yaml.MappingNode):
        where, got = _at(path, node.start_mark), f"a {_kind(node)}"
        return None, (_error(where, f"front matter must be a mapping of key: value, got {got}"),)
    fields: list[Field] = []
    seen: dict[str, Location] = {}
    unreadable: set[str] = set()
    for key_node, value_node in node.value:
        where = _at(path, key_node.start_mark)
        name = sys.intern(str(key_node.value))  # memory: one "title" for every note's key
        if name in seen:
            message = f"{name}: given twice (first on line {seen[name].line})"
            diags.append(_error(where, message))
            continue
        seen[name] = where
        try:
            value = _as_text(value_node) if _as_written(name, keys) else _construct(value_node)
        except _BadValue as exc:
            diags.append(_error(_at(path, exc.mark), f"{name}: {exc}"))
            unreadable.add(name)
            continue
        items: tuple[Location, ...] = ()
        if isinstance(value_node, yaml.SequenceNode):
            items = tuple(_at(path, n.start_mark) for n in value_node.value)
        elif isinstance(value_node, yaml.MappingNode):  # bibtex: each sub-key's place
            items = tuple(_at(path, k.start_mark) for k, _ in value_node.value)
        fields.append(
            Field(name, value, FieldLocation.of(where, items, _at(path, value_node.start_mark)))
        )
    body = "\n".join(lines[end + 1 :])
    return RawNote(tuple(fields), frozenset(unreadable), body, end + 2), tuple(diags)


def quick_note(path: str, text: str, first_line: int = 1) -> RawNote:
    """A note with no front matter (or one of only comments), titled as Obsidian shows it: by
    its first ``# heading`` (left out of the body when it opens the note: the page shows it as
    the title), else by its file name. ``text`` is the body, on file line ``first_line``."""
    found, body = split_bare(text)
    if found is None:
        title, where = page_stem(path), Location(path, 1)
    else:
        title, where = found.text, Location(path, found.line_index + first_line, 1)
    field = Field("title", title, FieldLocation.of(where, (), where))
    return RawNote((field,), frozenset(), body, first_line, front_matter=False)


def _split_toml(
    path: str, lines: list[str], keys: Mapping[str, str]
) -> tuple[RawNote | None, tuple[Diagnostic, ...]]:
    """Hugo's TOML front matter between ``+++`` lines, read with the same keys as YAML."""
    import tomllib  # here: most notes have YAML front matter (~2 ms a build)

    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _TOML_FENCE), None)
    if end is None:
        hint = "add a '+++' line after it"
        return None, (_error(Location(path, 1), "front matter is not closed", hint),)
    try:
        table = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_ERROR_AT.search(str(exc))
        # tomllib counts from the line after "+++"; "at end of document" is the last line.
        where = Location(path, int(m[1]) + 1, int(m[2])) if m else Location(path, max(end, 1))
        message = _TOML_ERROR_AT.sub("", str(exc)).replace("(at end of document)", "").strip()
        return None, (_error(where, f"front matter is not valid TOML: {message}"),)
    fields: list[Field] = []
    for name, value in table.items():
        where = _toml_key_at(path, lines, end, name)
        text = _toml_text(value) if _as_written(name, keys) else value
        fields.append(Field(name, text, FieldLocation.of(where, (), where)))
    body = "\n".join(lines[end + 1 :])
    return RawNote(tuple(fields), frozenset(), body, end + 2), ()


def _toml_key_at(path: str, lines: list[str], end: int, name: str) -> Location:
    """The line a top-level TOML key (``name = …``, ``"name" = …`` or ``[name]``) is on:
    tomllib keeps no positions, and a key is written once at the top level."""
    key = re.escape(name)
    pattern = re.compile(rf"\s*(?:(?:{key}|\"{key}\"|'{key}')\s*=|\[\s*{key}\s*\])")
    line = next((i for i in range(1, end) if pattern.match(lines[i])), 0)
    return Location(path, line + 1 if line else 1, 1)


def _toml_text(value: Any) -> Any:
    """A TOML value as the text YAML would have kept: TOML types its values itself."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return [_toml_text(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _toml_text(v) for k, v in value.items()}
    return str(value)


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "single value"


def _as_text(node: yaml.Node, depth: int = 0) -> Any:
    """The text written: no YAML 1.1 numbers, booleans or dates.

    Only two levels are read (a key's list or mapping, and its items); anything deeper becomes
    an empty list or dict, enough for the reader to say "expected a name, got a list". That
    also keeps aliases from multiplying the work (``[*a, *a, …]`` of a long ``&a`` list).
    """
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL and not node.style:
            return None
        if _SURROGATE.search(node.value):
            raise _BadValue(
                "contains an escape such as \\ud800 that is not a character; remove it",
                node.start_mark,
            )
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_as_text(n, depth + 1) for n in node.value] if depth < 1 else []
    if isinstance(node, yaml.MappingNode) and depth < 1:
        return {_key_text(k): _as_text(v, depth + 1) for k, v in node.value}
    return {}


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<a {_kind(node)}>"


def _month_days(year: int, month: int) -> int:
    # calendar.monthrange's day count (the Gregorian leap rule), without importing calendar.
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def date_problem(text: str) -> str | None:
    """Why ``text``, shaped like a YAML date (``2024-13-01``), is not a real one, or None."""
    m = SafeConstructor.timestamp_regexp.match(text.strip())
    if m is None:
        return None
    year, month, day = (int(m[k]) for k in ("year", "month", "day"))
    if year == 0:
        return "year 0"
    if not 1 <= month <= 12:
        return f"month {month}"
    days = _month_days(year, month)
    if not 1 <= day <= days:
        if day == 0:
            return f"day {day}"
        import calendar  # for the month's name, in a mistake only (it imports locale)

        return f"{calendar.month_name[month]} {year} has {days} days"
    for unit, limit in (("hour", 23), ("minute", 59), ("second", 59), ("tz_hour", 23)):
        if m[unit] and int(m[unit]) > limit:
            return f"{unit.replace('tz_', 'time zone ')} {int(m[unit])}"
    return None


class _Loader(yaml.SafeLoader):
    """The safe loader, reporting impossible dates instead of raising ValueError."""


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        reason = date_problem(node.value) or str(exc)
        raise _BadValue(
            f"{node.value} is not a real date ({reason}); write YYYY-MM-DD",
            node.start_mark,
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _construct(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_object(node, deep=True)
    except ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _BadValue(f"cannot read value: {exc.problem}", mark or node.start_mark) from None
    except (ValueError, OverflowError) as exc:
        # An explicit tag on text that is not of its kind (``!!int ten``).
        raise _BadValue(f"cannot read value: {exc}", node.start_mark) from None
    finally:
        loader.dispose()

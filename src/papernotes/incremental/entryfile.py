"""The layout of one note's entry file in the build cache (``incremental.store``).

The first line is a JSON object that names the entry (note file, version, cache key, layout)
and holds the note as parsed but its body, the length of the body's line and, for each other
part (rendered body, search terms, references, search document: :data:`PARTS`), its
fingerprint and the length of its line. The note's parsed body follows on the second line
(empty when the note has errors), then each part on a line of its own, empty when the note has
none. A build reads only the first line of every entry (the notes are linked together) and
checks that the lengths it gives add up to the file's size (:func:`read_head`); it reads the
body's line only when something reads the body (``incremental.lazybody``), and a part's line
only when it needs the part (``incremental.lazy``), from the file again (:func:`line_of`):
after an edit, the bodies and search terms of the other notes are neither parsed nor read,
nor held in memory (25 MB at 1,000 notes).

JSON never holds a raw newline (it escapes one in a string, and UTF-8 has no such byte inside
another character), so the lines split where they were joined. A line whose length is not
the one the first line gives was cut short or changed: the entry is not used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from papernotes.blake import blake2b

__all__ = [
    "ENTRIES",
    "PARTS",
    "Head",
    "Part",
    "check_head",
    "dump",
    "entry_name",
    "join",
    "line_of",
    "read_head",
]

ENTRIES = "notes"
"""The folder of the entry files, in ``.papernotes/cache/``."""

PARTS = ("body", "terms", "refs", "doc")
"""The parts of an entry read only when asked for, in file order."""


def entry_name(path: str) -> str:
    """The entry file of a note file: a digest, so that no note path becomes a file path."""
    return blake2b(path.encode("utf-8"), digest_size=16).hexdigest() + ".json"


Part = tuple[str, bytes]
"""A part as stored: its fingerprint and its JSON text."""


def dump(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, on one line."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def join(head: dict[str, Any], body: bytes, parts: Sequence[Part | None]) -> bytes:
    """An entry file: ``head`` (with the body's length and each part's fingerprint and
    length), then the note's parsed ``body`` (JSON), then the parts."""
    specs = [None if p is None else [p[0], len(p[1])] for p in parts]
    lines = [b"" if p is None else p[1] for p in parts]
    return b"\n".join([dump({**head, "body": len(body), "parts": specs}), body, *lines])


class Head(NamedTuple):
    """What the first line of an entry file says: all a build reads of most entries."""

    note: Any
    """The note as JSON, but its body (to decode)."""
    body: int
    """The length of the body's line (0: none)."""
    parts: list[tuple[str, int] | None]
    """Each part's fingerprint and the length of its line, in :data:`PARTS` order."""


def read_head(line: bytes, size: int, path: str, version: str, key: str, shape: str) -> Head | str:
    """The head of an entry file of ``size`` bytes whose first line (its newline included)
    is ``line``, if it is the entry of ``path`` at ``version`` made with ``key`` and
    ``shape`` and the lines it gives add up to ``size``; else what is wrong with it (the
    words the cache's warning gives). The other lines are not read: :func:`line_of` checks the
    one asked for when it is. Raises ValueError or RecursionError when ``line`` is not JSON."""
    head = json.loads(line)
    ended = line.endswith(b"\n")
    return check_head(head, len(line), size, path, version, key, shape, ended=ended)


def check_head(
    head: Any,
    length: int,
    size: int,
    path: str,
    version: str,
    key: str,
    shape: str,
    *,
    ended: bool = True,
) -> Head | str:
    """:func:`read_head` of a first line already decoded (``head``), ``length`` bytes long
    with its newline (``ended``: it has one): the heads file (``incremental.heads``) holds it
    apart from its entry."""
    if not isinstance(head, dict):
        return "not a cache entry"
    if (head.get("path"), head.get("version")) != (path, version):
        return "not the entry the index names (another note's, or another version)"
    if (head.get("key"), head.get("shape")) != (key, shape):
        return "made by another build"
    specs = head.get("parts")
    if type(specs) is not list or len(specs) != len(PARTS) or not ended:
        return "cut short, or not of the shape papernotes writes"
    body = head.get("body")
    if type(body) is not int or body < 0:
        return "the note's body cut short or changed since it was written"
    parts: list[tuple[str, int] | None] = []
    for spec in specs:
        if spec is not None and not (_fits(spec, None) and spec[1] >= 0):
            return "a part cut short or changed since it was written"
        parts.append(None if spec is None else (spec[0], spec[1]))
    if size != length + body + sum(1 + (0 if p is None else p[1]) for p in parts):
        return "cut short or changed since it was written (its lines and size differ)"
    return Head(head.get("note"), body, parts)


def line_of(
    data: bytes, path: str, key: str, shape: str, at: int, mark: str, length: int
) -> bytes | str:
    """Line ``at`` of entry file ``data`` (0: the note's body, 1 on: each of :data:`PARTS`)
    if it still holds what its head said when the build read it: the entry of ``path`` made
    with ``key`` and ``shape``, whose note's text has digest ``mark`` (the body) or whose part
    has fingerprint ``mark``, and that line of ``length``; else what is wrong. The version
    may have moved on (``serve`` saved the entry again for another part): what the line was
    made from is what says it is the same. Raises ValueError or RecursionError when the
    first line is not JSON."""
    lines = data.split(b"\n")
    head = json.loads(lines[0])
    if not isinstance(head, dict) or len(lines) != len(PARTS) + 2:
        return "not a cache entry"
    if (head.get("path"), head.get("key"), head.get("shape")) != (path, key, shape):
        return "not the entry read (another note's, or another build's)"
    if at == 0:
        note = head.get("note")
        same = type(note) is list and note[:1] == [mark] and head.get("body") == length
    else:
        specs = head.get("parts")
        same = type(specs) is list and len(specs) == len(PARTS) and specs[at - 1] == [mark, length]
    if not same or len(lines[at + 1]) != length:
        return "changed since it was read"
    return lines[at + 1]


def _fits(spec: Any, text: bytes | None) -> bool:
    """Whether ``spec`` is a part's [fingerprint, length] and ``text`` (unless None) has that
    length."""
    return (
        type(spec) is list
        and len(spec) == 2
        and type(spec[0]) is str
        and type(spec[1]) is int
        and (text is None or len(text) == spec[1])
    )

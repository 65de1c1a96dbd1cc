"""The layout of one note's entry file in the build cache (``incremental.store``).

The first line is a JSON object that names the entry (note file, version, cache key, layout)
and holds the note as parsed but its body, the length of the body's line and, for each other
part (rendered body, search terms, references, search document: :data:`PARTS`), its
fingerprint and the length of its line. The note's parsed body follows on the second line
(empty when the note has errors), then each part on a line of its own, empty when the note has
none. A build parses the first line of every entry (the notes are linked together), the
body's only when something reads the body (``incremental.lazybody``), and a part's line only
when it needs the part (``incremental.lazy``): after an edit, the bodies and search terms of
the other notes are never parsed.

JSON never holds a raw newline (it escapes one in a string, and UTF-8 has no such byte inside
another character), so the lines split where they were joined. A line whose length is not
the one the first line gives was cut short or changed: the entry is not used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["PARTS", "Part", "dump", "join", "split"]

PARTS = ("body", "terms", "refs", "doc")
"""The parts of an entry read only when asked for, in file order."""

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


def split(
    data: bytes, path: str, version: str, key: str, shape: str
) -> tuple[Any, bytes, list[Part | None]] | str:
    """The note (as JSON, to decode, but its body), its parsed body (JSON text, to decode
    when read) and the parts of an entry file, if it is the entry of ``path`` at ``version``
    made with ``key`` and ``shape``; else what is wrong with it.
    Raises ValueError or RecursionError when its first line is not JSON."""
    lines = data.split(b"\n")
    head = json.loads(lines[0])
    if not isinstance(head, dict):
        return "not a cache entry"
    if (head.get("path"), head.get("version")) != (path, version):
        return "not the entry the index names (another note's, or another version)"
    if (head.get("key"), head.get("shape")) != (key, shape):
        return "made by another build"
    specs = head.get("parts")
    if type(specs) is not list or len(specs) != len(PARTS) or len(lines) != len(PARTS) + 2:
        return "cut short, or not of the shape papernotes writes"
    body = head.get("body")
    if type(body) is not int or len(lines[1]) != body:
        return "the note's body cut short or changed since it was written"
    parts: list[Part | None] = []
    for spec, text in zip(specs, lines[2:], strict=True):
        if spec is None and not text:
            parts.append(None)
        elif _fits(spec, text):
            parts.append((spec[0], text))
        else:
            return "a part cut short or changed since it was written"
    return head.get("note"), lines[1], parts


def _fits(spec: Any, text: bytes) -> bool:
    """Whether ``spec`` is a part's [fingerprint, length] and ``text`` has that length."""
    return (
        type(spec) is list
        and len(spec) == 2
        and type(spec[0]) is str
        and type(spec[1]) is int
        and len(text) == spec[1]
    )

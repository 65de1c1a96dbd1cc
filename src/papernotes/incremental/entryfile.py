"""The layout of one note's entry in the build cache (``incremental.store``), and of the bucket
files that hold the entries.

The entries are spread over a few bucket files, ``<count>-<bucket>.pack``: a note's bucket is
a digest of its path modulo the count of buckets (:func:`bucket_of`), a power of two that grows
with the library (:func:`buckets_for`: about :data:`PER_BUCKET` entries each), and a bucket
file is its entries one after another, each followed by a newline. Making a file costs far more
than writing its bytes on some file systems (ext4 after a large removal, NTFS, network
shares): a cold build of 1,000 notes made 1,000 entry files, it now makes 64. An edit rewrites
one bucket (~16 entries, the unchanged ones copied as they are). An entry's first line gives
its length, so a bucket is read entry by entry without an index (:func:`scan`); a damaged
entry is passed over, and costs only its note.

An entry's first line is a JSON object that names the entry (note file, version, cache key,
layout) and holds the note as parsed but its body, the length of the body's line and, for each other
part (rendered body, search terms, references, search document: :data:`PARTS`), its
fingerprint and the length of its line. The note's parsed body follows on the second line
(empty when the note has errors), then each part on a line of its own, empty when the note has
none. A build reads only the first line of every entry (the notes are linked together) and
checks that the lengths it gives add up to the entry's length (:func:`check_head`); it reads the
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
import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, TypeGuard

from papernotes.blake import blake2b

__all__ = [
    "ENTRIES",
    "PARTS",
    "PER_BUCKET",
    "Head",
    "Part",
    "bucket_count",
    "bucket_of",
    "buckets_for",
    "check_head",
    "dump",
    "join",
    "line_of",
    "read_head",
    "scan",
    "valid_count",
]

ENTRIES = "packs"
"""The folder of the bucket files, in ``.papernotes/cache/``."""

PER_BUCKET = 16
"""About how many entries a bucket holds: an edit rewrites that many (~0.5 MB at 1,000 notes).
Not more: the save's workers write whole buckets, and a pool is forked for 64 items or more
(``parallel.PARALLEL_FROM``): 64 buckets at 1,000 notes."""
_FEWEST, _MOST = 16, 4096
_START = b'\n{"path":'
"""Where an entry begins in a bucket (:func:`join` puts its note file first)."""
_NAME = re.compile(r"([1-9][0-9]{1,3})-([0-9a-f]{3})\.pack")

PARTS = ("body", "terms", "refs", "doc")
"""The parts of an entry read only when asked for, in file order."""


def buckets_for(notes: int) -> int:
    """How many buckets the entries of ``notes`` notes are spread over: the least power of
    two that gives at most :data:`PER_BUCKET` each, within 16 and 4,096."""
    count = _FEWEST
    while count < _MOST and count * PER_BUCKET < notes:
        count *= 2
    return count


def bucket_of(path: str, buckets: int) -> str:
    """The name of the bucket file of a note file's entry among ``buckets``: by a digest, so
    that no note path becomes a file path."""
    digest = blake2b(path.encode("utf-8"), digest_size=8).digest()
    return f"{buckets}-{int.from_bytes(digest, 'big') % buckets:03x}.pack"


def bucket_count(name: str) -> int | None:
    """The count of buckets a bucket file's ``name`` was made among, if it is a name
    :func:`bucket_of` makes (the only files a save removes); else None."""
    found = _NAME.fullmatch(name)
    if found is None or not valid_count(count := int(found[1])) or int(found[2], 16) >= count:
        return None
    return count


def valid_count(buckets: object) -> TypeGuard[int]:
    """Whether ``buckets`` is a count of buckets :func:`buckets_for` gives."""
    return type(buckets) is int and _FEWEST <= buckets <= _MOST and buckets & (buckets - 1) == 0


Part = tuple[str, bytes]
"""A part as stored: its fingerprint and its JSON text."""


def dump(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, on one line."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def join(head: dict[str, Any], body: bytes, parts: Sequence[Part | None]) -> bytes:
    """An entry: ``head`` (with the body's length and each part's fingerprint and
    length), then the note's parsed ``body`` (JSON), then the parts."""
    specs = [None if p is None else [p[0], len(p[1])] for p in parts]
    lines = [b"" if p is None else p[1] for p in parts]
    return b"\n".join([dump({**head, "body": len(body), "parts": specs}), body, *lines])


class Head(NamedTuple):
    """What the first line of an entry says: all a build reads of most entries."""

    note: Any
    """The note as JSON, but its body (to decode)."""
    body: int
    """The length of the body's line (0: none)."""
    parts: list[tuple[str, int] | None]
    """Each part's fingerprint and the length of its line, in :data:`PARTS` order."""


def read_head(line: bytes, size: int, path: str, version: str, key: str, shape: str) -> Head | str:
    """The head of an entry of ``size`` bytes whose first line (its newline included)
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


def _size(head: Any, length: int) -> int | None:
    """The length of the entry whose first line (``length`` bytes with its newline) is
    ``head``, as that line gives it; None when it is not an entry's first line."""
    if not isinstance(head, dict):
        return None
    specs, body = head.get("parts"), head.get("body")
    if type(specs) is not list or len(specs) != len(PARTS) or type(body) is not int or body < 0:
        return None
    size = length + body
    for spec in specs:
        if spec is not None and not (_fits(spec, None) and spec[1] >= 0):
            return None
        size += 1 + (0 if spec is None else spec[1])
    return size


def scan(data: bytes) -> Iterator[tuple[int, bytes, int, Any]]:
    """Each entry of a bucket file's ``data``: where it starts, its first line (with its
    newline), its length and its first line decoded. A stretch that is not an entry (its first
    line not one, or not held whole) is passed over up to the next line that begins as an
    entry's first line does: a damaged entry costs its note, not the rest of its bucket (and
    nothing is misread: an entry is taken only if it is the one the index names)."""
    at = 0
    while (end := data.find(b"\n", at)) >= 0:
        line = data[at : end + 1]
        try:
            size = _size(head := json.loads(line), len(line))
        except (ValueError, RecursionError):
            size = None
        if size is None or at + size >= len(data) or data[at + size] != 0x0A:
            at = data.find(_START, at) + 1  # 0 when there is none: the scan ends
            if not at:
                return
            continue
        yield at, line, size, head
        at += size + 1


def line_of(
    data: bytes, path: str, key: str, shape: str, at: int, mark: str, length: int
) -> bytes | str:
    """Line ``at`` of the entry ``data`` (0: the note's body, 1 on: each of :data:`PARTS`)
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

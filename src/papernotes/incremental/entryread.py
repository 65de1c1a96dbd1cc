"""Reading the entries of the build cache (``incremental.store``) from their bucket files
(``incremental.entryfile``): each entry's first line when the cache is read, each other line
when it is asked for (``incremental.lazy``, ``lazybody``).

Every file is read through ``O_NOFOLLOW``; an entry's first line is taken only if it is the
one the index names and the lines it gives add up to its length (``entryfile.check_head``),
and a line asked for later only if the entry still holds what that first line said of it
(``entryfile.line_of``): read where the entry was, or, when its bucket was written again since
(a save rewrote another entry of it), where the bucket holds it now.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papernotes.incremental import entryfile

if TYPE_CHECKING:
    from papernotes.incremental.lazy import Load

__all__ = [
    "NOFOLLOW",
    "Ident",
    "Scanned",
    "Where",
    "entry",
    "find",
    "find_in",
    "ident",
    "of_head",
    "read_bytes",
    "scan_file",
    "why",
]

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
"""Open a file but not a symlink (where the system can tell them apart)."""

Ident = tuple[int, int, int]
"""A file as ``stat`` sees it: its size, modification time (ns) and inode."""

Scanned = tuple[Ident, dict[str, tuple[int, bytes, int, Any]]]
"""A bucket file as read: the file, and note file → its entry's start, first line (with its
newline), length and first line decoded (``entryfile.scan``)."""


def ident(st: os.stat_result) -> Ident:
    """What tells a file apart from the one it replaced."""
    return st.st_size, st.st_mtime_ns, st.st_ino


def read_bytes(path: str | Path) -> bytes:
    """What ``path`` holds, opened without following a symlink."""
    fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _pread(file: str, offset: int, size: int) -> bytes:
    """``size`` bytes of ``file`` from ``offset`` (fewer past its end), opened without
    following a symlink."""
    fd = os.open(file, os.O_RDONLY | NOFOLLOW)
    try:
        return os.pread(fd, size, offset)
    finally:
        os.close(fd)


def why(exc: BaseException) -> str:
    """What is wrong with a cache file, in a few words."""
    if isinstance(exc, RecursionError):
        return "nested too deep"
    if isinstance(exc, OSError):
        return f"cannot be read: {exc.strerror or exc}"
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON (cut short?): {exc.msg} at character {exc.pos}"
    return f"not of the shape papernotes writes: {exc}"


def scan_file(file: str) -> Scanned | str:
    """The entries of the bucket ``file`` (``entryfile.scan``), found by the note file each
    names; what is wrong when it cannot be read."""
    try:
        fd = os.open(file, os.O_RDONLY | NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data, st = f.read(), os.fstat(fd)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return why(exc)
    found: dict[str, tuple[int, bytes, int, Any]] = {}
    for at, line, size, head in entryfile.scan(data):
        if type(path := head.get("path")) is str:
            found.setdefault(path, (at, line, size, head))
    return ident(st), found


def entry(
    file: str,
    path: str,
    version: str,
    key: str,
    shape: str,
    decode: Callable[[Any], Any],
    scanned: dict[str, Scanned | str],
) -> tuple[Any, list[tuple[str, Load] | None], tuple[int, int, Ident]] | str:
    """The note of ``path``'s entry in the bucket ``file``, what reads each of its parts and
    where the entry is (start, length, the bucket file), if its first line is exactly the one
    the index names; else what is wrong (``entryfile.check_head``). Each bucket is read once
    (``scanned`` keeps it); of an entry, only its first line is kept: the note's body and the
    parts are read from the file when asked for (:func:`_line`)."""
    if file not in scanned:
        scanned[file] = scan_file(file)
    bucket = scanned[file]
    if isinstance(bucket, str):
        return bucket
    hit = bucket[1].pop(path, None)
    if hit is None:
        return "not in its bucket whole (missing, cut short or changed since it was written)"
    at, line, size, first = hit
    try:
        head = entryfile.check_head(first, len(line), size, path, version, key, shape)
        if isinstance(head, str):
            return head
        where = (file, path, key, shape, at, size)
        return (*of_head(head, where, decode, line), (at, size, bucket[0]))
    except (ValueError, RecursionError) as exc:
        return why(exc)


Where = tuple[str, str, str, str, int, int]
"""An entry: its bucket file, note file, cache key, layout, start and length."""


def of_head(
    head: entryfile.Head, where: Where, decode: Callable[[Any], Any], first: bytes | None = None
) -> tuple[Any, list[tuple[str, Load] | None]]:
    """:func:`entry` of a first line read already (from the bucket, or from the heads file:
    ``incremental.heads``) of the entry ``where`` says. ``first``: that line as the bucket
    held it (its newline included), so that a later read takes only the line it needs while
    the entry still begins with it (:func:`_line`). Raises ValueError or RecursionError when
    the note does not decode."""
    # Where each later line starts in the entry: after the first line, each line and its
    # newline (a part that is absent is an empty line); the sizes were checked to add up.
    lengths = [head.body, *(0 if p is None else p[1] for p in head.parts)]
    starts = list(itertools.accumulate((n + 1 for n in lengths[:-1]), initial=len(first or b"")))
    note = head.note
    if head.body and type(note) is list and len(note) == 3 and type(note[1]) is list:
        # What reads the body: the codec makes a LazyBody of it (``lazybody``).
        line = functools.partial(_line, where, 0, note[0], head.body, first, starts[0])
        note[1][2:3] = [line]
    parts: list[tuple[str, Callable[[], bytes]] | None] = [
        None if p is None else (p[0], functools.partial(_line, where, at, *p, first, starts[at]))
        for at, p in enumerate(head.parts, 1)
    ]
    return decode(note), parts


def _line(
    where: Where, at: int, mark: Any, length: int, first: bytes | None = None, offset: int = 0
) -> bytes:
    """Line ``at`` of the entry ``where`` says, if it still holds what its first line said
    when the cache was read (``entryfile.line_of``): where it was, else where its bucket holds
    it now; else a ValueError (an OSError when it cannot be read).

    While the entry still begins with its first line as read (``first``), that line vouches
    for the rest as it did then: only the line asked for is read, at ``offset``, and taken if
    it is a line of ``length`` bytes (at 50,000 notes, ``serve``'s start reads 200,000 lines:
    the whole entry read and its first line decoded again for each took 10 s of 116)."""
    file, path, key, shape, start, size = where
    if type(mark) is not str:
        raise ValueError("not a cache entry")
    if first is not None and offset > 0 and offset + length <= size:
        taken = _line_alone(file, start, first, start + offset, length)
        if taken is not None:
            return taken
    try:
        line = entryfile.line_of(_pread(file, start, size), path, key, shape, at, mark, length)
    except (ValueError, RecursionError):  # not an entry's first line there now
        line = "not where it was"
    if isinstance(line, str):  # its bucket written again since: the entry may have moved
        data = find_in(file, path)
        if data is not None:
            line = entryfile.line_of(data, path, key, shape, at, mark, length)
    if isinstance(line, str):
        raise ValueError(f"{file}: {line}")
    return line


def _line_alone(file: str, entry: int, first: bytes, at: int, length: int) -> bytes | None:
    """The ``length`` bytes of ``file`` at ``at``, if the entry at ``entry`` still begins
    with ``first`` and they are a line (a newline after them, none within); else None."""
    fd = os.open(file, os.O_RDONLY | NOFOLLOW)
    try:
        if os.pread(fd, len(first), entry) != first:
            return None
        data = os.pread(fd, length + 1, at)
    finally:
        os.close(fd)
    return data[:length] if data.find(b"\n") == length else None


def find_in(file: str, path: str) -> bytes | None:
    """``path``'s entry as the bucket ``file`` holds it now; None when it holds none."""
    data = read_bytes(file)
    for at, _, size, head in entryfile.scan(data):
        if head.get("path") == path:
            return data[at : at + size]
    return None


def find(folder: str, path: str) -> bytes | None:
    """``path``'s entry, found without the index (``incremental.quick``): in its bucket among
    the one count of buckets ``folder`` holds (None when it holds files of two counts: a save
    was cut short, or none)."""
    names = os.listdir(folder)
    counts = {n for name in names if (n := entryfile.bucket_count(name)) is not None}
    if len(counts) != 1:
        return None
    return find_in(os.path.join(folder, entryfile.bucket_of(path, counts.pop())), path)

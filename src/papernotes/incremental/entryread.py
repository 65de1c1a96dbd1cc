"""Reading one entry file of the build cache (``incremental.store``): its first line when the
cache is read, each other line when it is asked for (``incremental.lazy``, ``lazybody``).

Every file is read through ``O_NOFOLLOW``; its first line is taken only if it is the one the
index names and the lines it gives add up to the file's size (``entryfile.read_head``), and a
line asked for later only if the file still holds what that first line said of it
(``entryfile.line_of``).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papernotes.incremental import entryfile

if TYPE_CHECKING:
    from papernotes.incremental.lazy import Load

__all__ = ["entry", "of_head", "read_bytes", "why"]


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_bytes(path: str | Path) -> bytes:
    """What ``path`` holds, opened without following a symlink."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _read_head(path: str) -> tuple[bytes, int]:
    """The first line of ``path`` (with its newline, if it has one) and the file's size,
    opened without following a symlink."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.readline(), os.fstat(fd).st_size


def why(exc: BaseException) -> str:
    """What is wrong with a cache file, in a few words."""
    if isinstance(exc, RecursionError):
        return "nested too deep"
    if isinstance(exc, OSError):
        return f"cannot be read: {exc.strerror or exc}"
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON (cut short?): {exc.msg} at character {exc.pos}"
    return f"not of the shape papernotes writes: {exc}"


def entry(
    file: str, path: str, version: str, key: str, shape: str, decode: Callable[[Any], Any]
) -> tuple[Any, list[tuple[str, Load] | None]] | str:
    """The note of ``path``'s entry and what reads each of its parts, if its first line is
    exactly the one the index names; else what is wrong (``entryfile.read_head``). Only the
    first line is read: the note's body and the parts are read from the file when asked for
    (:func:`_line`)."""
    try:
        head = entryfile.read_head(*_read_head(file), path, version, key, shape)
        return head if isinstance(head, str) else of_head(head, file, path, key, shape, decode)
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError, RecursionError) as exc:
        return why(exc)


def of_head(
    head: entryfile.Head, file: str, path: str, key: str, shape: str, decode: Callable[[Any], Any]
) -> tuple[Any, list[tuple[str, Load] | None]]:
    """:func:`entry` of a first line read already (from the entry ``file``, or from the heads
    file: ``incremental.heads``). Raises ValueError or RecursionError when the note does not
    decode."""
    note, where = head.note, (file, path, key, shape)
    if head.body and type(note) is list and len(note) == 3 and type(note[1]) is list:
        # What reads the body: the codec makes a LazyBody of it (``lazybody``).
        note[1][2:3] = [functools.partial(_line, where, 0, note[0], head.body)]
    parts: list[tuple[str, Callable[[], bytes]] | None] = [
        None if p is None else (p[0], functools.partial(_line, where, at, *p))
        for at, p in enumerate(head.parts, 1)
    ]
    return decode(note), parts


def _line(where: tuple[str, str, str, str], at: int, mark: Any, length: int) -> bytes:
    """Line ``at`` of the entry file ``where`` names (file, note path, key, shape), if it
    still holds what its first line said when the cache was read (``entryfile.line_of``);
    else a ValueError (an OSError when it cannot be read)."""
    file, path, key, shape = where
    if type(mark) is not str:
        raise ValueError("not a cache entry")
    line = entryfile.line_of(read_bytes(file), path, key, shape, at, mark, length)
    if isinstance(line, str):
        raise ValueError(f"{file}: {line}")
    return line

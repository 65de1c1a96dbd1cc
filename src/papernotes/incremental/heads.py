"""The heads file of the build cache: the first line of every entry, in one file.

A build reads the first line of every note's entry (``incremental.entryread``): read from the
bucket files, that is every bucket read whole. So the save also writes
``.papernotes/cache/heads.json``: a line naming the cache (format, key, layout), then a line per
entry, ``<size> <mtime_ns> <inode> <start> <length> <first line>``: what ``os.lstat`` said of
the entry's bucket file once written, where the entry is in it, and its first line as the
bucket holds it. A build reads it in one go and takes an entry's line only if it is the first
line the index names (as ``entryfile.check_head`` checks it, with that length), the entry lies
within the bucket, and the bucket file is still the one written (a regular file of that size,
time and inode; one ``lstat`` per bucket); any other entry is read from its bucket, as before,
and so is every entry when the heads file is missing, damaged or of another cache: it is never
trusted further than a bucket file would be. The later lines of an entry (its body, its parts)
are read from the bucket and checked against the entry's own first line when asked for
(``entryfile.line_of``), as always.

A save writes the file anew line by line, copying the lines of the entries whose bucket it did
not write from the heads file it read (:class:`OnDisk` says where each is), when that file is
still the one read; else from the bucket files themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from papernotes.atomic import temp_name
from papernotes.incremental import entryfile, entryread
from papernotes.incremental.entryread import Ident
from papernotes.incremental.entryread import ident as _ident

__all__ = ["HEADS", "Heads", "OnDisk", "Place", "Taken", "Writer", "read", "take"]

HEADS = "heads.json"
_FORMAT = 2
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

Place = tuple[str, int, int, Ident]
"""Where an entry is: its bucket file's name, its start and length there, and the bucket file
as it was then (``entryread.Ident``)."""


class OnDisk(dict[str, str]):
    """Note file → the version of its entry as it is on disk (``BuildCache.stored``),
    and where the heads file holds the first line of each: what the next save copies rather
    than read the bucket again."""

    __slots__ = ("file", "lines", "marks", "places")

    def __init__(
        self,
        versions: Mapping[str, str],
        file: Ident | None = None,
        lines: dict[str, tuple[int, int]] | None = None,
        marks: dict[str, tuple[str | None, ...]] | None = None,
        places: dict[str, Place] | None = None,
    ) -> None:
        super().__init__(versions)
        self.file = file
        """The heads file the positions are in (None: none)."""
        self.lines = lines if lines is not None else {}
        """Note file → (start, end) of its entry's line in that heads file."""
        self.marks = marks if marks is not None else {}
        """Note file → what its entry's version is the digest of, as its first line says:
        the text digest and each part's fingerprint (``store``: a save whose inputs are
        these keeps the version rather than hash them again)."""
        self.places = places if places is not None else {}
        """Note file → where its entry is (``store``: a save that writes its bucket again
        copies an entry that did not change from there, rather than encode it again)."""


class Heads(NamedTuple):
    """A heads file as read: its lines, each decoded only when its entry is taken."""

    data: bytes
    """The file's bytes."""
    found: dict[str, tuple[int, int]]
    """Note file → where its entry's line is in ``data`` (start, end before the newline)."""
    file: Ident
    """The heads file as read."""


def _header(key: str, shape: str) -> bytes:
    return entryfile.dump({"format": _FORMAT, "key": key, "shape": shape})


_PATH = b'{"path":"'
"""How an entry's first line begins (``entryfile.join``): its note file comes first."""


def read(file: Path, key: str, shape: str) -> Heads | None:
    """The heads file ``file`` of the cache made with ``key`` and ``shape``, each line found
    by the note file it names (decoded only when :func:`take` takes it, as an entry's
    first line is read: never all at once); None when there is none, or it is not one of this
    cache. A line that does not name its note is left out (its entry is read from its file)."""
    try:
        fd = os.open(file, os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data, ident = f.read(), _ident(os.fstat(fd))
    except OSError:
        return None
    header = _header(key, shape) + b"\n"
    if not data.startswith(header):
        return None
    found: dict[str, tuple[int, int]] = {}
    start = len(header)
    while (end := data.find(b"\n", start)) >= 0:  # a last line without its end: cut short
        at = data.find(_PATH, start, end) + len(_PATH)
        close = data.find(b'"', at, end)
        # A name JSON writes without an escape is its UTF-8 as it is (``ensure_ascii=False``);
        # another is rare enough to read from its entry. ``take`` checks the line whole.
        if at > len(_PATH) and close > 0 and b"\\" not in data[at:close]:
            with contextlib.suppress(UnicodeDecodeError):
                found[data[at:close].decode("utf-8")] = (start, end)
        start = end + 1
    return Heads(data, found, ident)


class Taken(NamedTuple):
    """An entry's line taken from the heads file."""

    head: entryfile.Head
    """Its first line, checked."""
    line: tuple[int, int]
    """Where the heads file holds the line (start, end before the newline)."""
    start: int
    """Where the entry starts in its bucket file."""
    size: int
    """The entry's length."""
    bucket: Ident
    """The bucket file as it was when the line was written (as it is now)."""
    first: bytes
    """The entry's first line, its newline included (as the bucket holds it)."""


def take(
    heads: Heads | None,
    path: str,
    version: str,
    file: str,
    key: str,
    shape: str,
    seen: dict[str, Ident | None],
) -> Taken | None:
    """The first line of ``path``'s entry from ``heads``, if it is the one the index names
    (``version``) and its bucket ``file`` is still the one it was read from (``seen`` keeps
    the ``lstat`` of each bucket: one per bucket, not per entry); else None (read the
    bucket)."""
    at = heads.found.get(path) if heads is not None else None
    if heads is None or at is None:
        return None
    try:
        *numbers, line = heads.data[at[0] : at[1]].split(b" ", 5)
        size, mtime, ino, start, length = map(int, numbers)
        head = json.loads(line)
        if file not in seen:
            st = os.lstat(file)
            seen[file] = _ident(st) if stat.S_ISREG(st.st_mode) else None
    except (OSError, ValueError, RecursionError):
        return None
    if seen[file] != (size, mtime, ino) or not 0 <= start < start + length < size:
        return None  # the entry and the newline after it lie within the bucket
    found = entryfile.check_head(head, len(line) + 1, length, path, version, key, shape)
    if isinstance(found, str):
        return None
    return Taken(found, at, start, length, (size, mtime, ino), line + b"\n")


class Writer:
    """Writes a heads file anew, a line at a time as the save writes the entries (a cold
    build's lines are never all in memory), then puts it in place (:meth:`commit`); left
    without committing, it leaves the old one as it was."""

    def __init__(
        self,
        file: Path,
        key: str,
        shape: str,
        stored: Mapping[str, str],
        folder: str,
        between: Callable[[], None] | None = None,
    ) -> None:
        """``stored``: the entries on disk as the cache was read (an :class:`OnDisk` says
        where the heads file read holds their lines); ``folder``: the bucket files' (its
        path and a separator); ``between``: called before each megabyte copied from the old
        file (at 50,000 notes it is 60 MB, most of it one run: ``serve``'s save gives up
        there)."""
        self._between = between
        self._file = file
        self._folder = folder
        self._old = _old_lines(file, stored)
        self._old_places = stored.places if isinstance(stored, OnDisk) else {}
        self._places: dict[str, Place] = {}
        self._scanned: dict[str, entryread.Scanned | str] = {}
        self._tmp = file.parent / temp_name()
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self._out = os.fdopen(fd, "wb")
        self._at = self._out.write(_header(key, shape) + b"\n")
        self._lines: dict[str, tuple[int, int]] = {}
        self._run: tuple[int, int] | None = None
        """The lines of the old file still to copy: from the start of the first to the end
        of the last (its newline left out)."""

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            os.close(self._old[0])
            self._old = None
        if not self._out.closed:  # not committed: the old heads file stays as it was
            self._out.close()
            with contextlib.suppress(OSError):
                self._tmp.unlink()

    def copy(self, path: str) -> bool:
        """The line of ``path``'s entry, unchanged since the cache was read, copied from the
        heads file read then (with its neighbours: one write for a run of lines); False when
        that file does not have it (then :meth:`add` it)."""
        at = self._old[1].get(path) if self._old is not None else None
        place = self._old_places.get(path)
        if at is None or place is None:
            return False
        self._places[path] = place
        start, end = at
        if self._run is None or self._run[1] + 1 != start:
            self._flush()
            self._run = (start, start)
        self._lines[path] = (self._at, self._at + end - start)
        self._at += end - start + 1
        self._run = (self._run[0], end)
        return True

    def add(
        self, path: str, bucket: str, written: tuple[int, int, Ident, bytes] | None = None
    ) -> None:
        """The line of ``path``'s entry in the bucket file named ``bucket``: ``written`` (its
        start, length, the bucket file and its first line without the newline) when the save
        just wrote it; else it is read from the bucket (no line when it cannot be: the next
        build reads the bucket itself)."""
        self._flush()
        if written is None:
            file = self._folder + bucket
            if file not in self._scanned:
                self._scanned[file] = entryread.scan_file(file)
            scanned = self._scanned[file]
            hit = None if isinstance(scanned, str) else scanned[1].get(path)
            if isinstance(scanned, str) or hit is None:
                return
            written = (hit[0], hit[2], scanned[0], hit[1][:-1])
        start, size, ident, first = written
        line = b"%d %d %d %d %d " % (*ident, start, size) + first
        self._lines[path] = (self._at, self._at + len(line))
        self._at += self._out.write(line + b"\n")
        self._places[path] = (bucket, start, size, ident)

    def _flush(self) -> None:
        """Copy the run of old lines pending, a megabyte at a time (never the whole file)."""
        if self._run is not None and self._old is not None:
            start, end = self._run[0], self._run[1] + 1
            while start < end:
                if self._between is not None:
                    self._between()
                chunk = os.pread(self._old[0], min(end - start, 1 << 20), start)
                if not chunk:
                    raise OSError(f"{self._file}: cut short while it was copied")
                start += self._out.write(chunk)
        self._run = None

    def commit(
        self, versions: Mapping[str, str], marks: dict[str, tuple[str | None, ...]]
    ) -> OnDisk:
        """Put the file in place: ``versions`` (the entries now on disk, made from
        ``marks``) with where it holds each one's line."""
        self._flush()
        self._out.flush()
        ident = _ident(os.fstat(self._out.fileno()))
        self._out.close()
        try:
            os.replace(self._tmp, self._file)
        except OSError:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
            raise
        return OnDisk(versions, ident, self._lines, marks, self._places)


def _old_lines(
    file: Path, stored: Mapping[str, str]
) -> tuple[int, dict[str, tuple[int, int]]] | None:
    """The heads file the cache was read with, open, and where each entry's line is in it, if
    it is still that file; else None."""
    if not isinstance(stored, OnDisk) or stored.file is None or not stored.lines:
        return None
    try:
        fd = os.open(file, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        if _ident(os.fstat(fd)) == stored.file:
            return fd, stored.lines
    except OSError:
        pass
    os.close(fd)
    return None

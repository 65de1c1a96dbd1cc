"""Writing the bucket files of the build cache (``incremental.store``, ``entryfile``): which
buckets a save writes, each bucket's entries (copied from where they are when unchanged), and
removing the buckets no note has now.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from papernotes.atomic import write_atomic
from papernotes.incremental import entryfile
from papernotes.incremental.cache import state_path
from papernotes.incremental.deferred import STEP, GiveUp, give_up_if
from papernotes.incremental.entryread import NOFOLLOW, Ident, ident
from papernotes.incremental.heads import OnDisk, Place

__all__ = ["emptied", "grouped", "remove_old", "remove_stale", "to_write", "write"]

_OLD = ("build.json", "build.pickle")
"""Earlier layouts: one JSON (or, before that, a pickle, which is never read) for everything."""
_OLD_ENTRIES, _OLD_NAME = "notes", re.compile(r"[0-9a-f]{32}\.json")
"""The folder of the entry files of earlier layouts (one per note), and their names."""


def grouped(
    versions: Mapping[str, str], stored: Mapping[str, str], give_up: GiveUp = None
) -> tuple[int, dict[str, list[str]]]:
    """The count of buckets for the entries ``versions`` names, and each bucket's note files
    (``entryfile.bucket_of``: a digest per note, but for those whose place ``stored`` knows
    among as many buckets, a serve's save at 50,000 notes). ``give_up`` is asked every
    :data:`~papernotes.incremental.deferred.STEP` notes (``deferred``)."""
    count = entryfile.buckets_for(len(versions))
    places = stored.places if isinstance(stored, OnDisk) else {}
    among = f"{count}-"
    buckets: dict[str, list[str]] = {}
    for i, path in enumerate(versions):
        if not i % STEP:
            give_up_if(give_up)
        place = places.get(path)
        name = place[0] if place and place[0].startswith(among) else None
        buckets.setdefault(name or entryfile.bucket_of(path, count), []).append(path)
    return count, buckets


def to_write(
    stored: Mapping[str, str],
    versions: Mapping[str, str],
    buckets: Mapping[str, list[str]],
    give_up: GiveUp = None,
) -> list[str]:
    """The buckets to write: those that hold an entry whose version changed, that moved (the
    count of buckets changed), or that is gone. ``give_up`` is asked every
    :data:`~papernotes.incremental.deferred.STEP` notes: at 50,000 notes the two passes
    were 0.13 s of a serve's save of the cache, which a save that came meanwhile waited for."""
    places = stored.places if isinstance(stored, OnDisk) else {}
    held: dict[str, int] = {}  # bucket → how many of the entries read are in it
    for i, path in enumerate(stored):
        if not i % STEP:
            give_up_if(give_up)
        if (place := places.get(path)) is not None:
            held[place[0]] = held.get(place[0], 0) + 1
    out: list[str] = []
    seen = 0
    for name, paths in buckets.items():
        if seen >= STEP:
            give_up_if(give_up)
            seen = 0
        seen += len(paths)
        if held.get(name) != len(paths) or any(
            stored.get(p) != versions[p] or (q := places.get(p)) is None or q[0] != name
            for p in paths
        ):
            out.append(name)
    return out


def write(
    encode: Callable[[str], bytes],
    stored: Mapping[str, str],
    inside: str,
    versions: Mapping[str, str],
    job: tuple[str, list[str]],
) -> list[tuple[int, int, Ident, bytes]]:
    """Write the bucket ``job`` names, of the entries of its note files, into the folder
    ``inside`` names; where each entry is, the bucket file, and each entry's first line
    (``heads``). An entry whose version is the one stored is copied from where it is; another
    is made by ``encode``."""
    name, paths = job
    places = stored.places if isinstance(stored, OnDisk) else {}
    chunks: list[bytes] = []
    made: list[tuple[int, int, bytes]] = []
    at = 0
    with _Olds(inside) as olds:
        for path in paths:
            version, place = versions[path], places.get(path)
            data = None
            if place is not None and stored.get(path) == version:
                data = olds.entry(place, path, version)
            if data is None:
                data = encode(path)
            made.append((at, len(data), data[: data.index(b"\n")]))
            chunks += (data, b"\n")
            at += len(data) + 1
    file = inside + name
    write_atomic(Path(file), chunks)
    now = ident(os.lstat(file))
    return [(start, size, now, first) for start, size, first in made]


class _Olds:
    """The bucket files a save copies entries from, each opened once (through ``O_NOFOLLOW``)
    and used only while it is the file the cache was read from."""

    def __init__(self, inside: str) -> None:
        self._inside = inside
        self._fds: dict[str, int | None] = {}

    def __enter__(self) -> _Olds:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self._fds.values():
            if fd is not None:
                os.close(fd)

    def entry(self, place: Place, path: str, version: str) -> bytes | None:
        """The entry at ``place``, if its bucket is still the one read and it still names
        ``path`` at ``version``; else None (encode it again)."""
        name, start, size, ident = place
        if name not in self._fds:
            self._fds[name] = self._open(name, ident)
        fd = self._fds[name]
        if fd is None:
            return None
        try:
            data = os.pread(fd, size, start)
            first = data[: data.index(b"\n") + 1]
            head = json.loads(first)
        except (OSError, ValueError, RecursionError):
            return None
        # Its key and layout are those of the cache read (the bucket is the one read).
        if not isinstance(head, dict) or (head.get("path"), head.get("version")) != (path, version):
            return None
        return data

    def _open(self, name: str, was: Ident) -> int | None:
        try:
            fd = os.open(self._inside + name, os.O_RDONLY | NOFOLLOW)
        except OSError:
            return None
        try:
            if ident(os.fstat(fd)) == was:
                return fd
        except OSError:
            pass
        os.close(fd)
        return None


def emptied(stored: Mapping[str, str], buckets: Collection[str]) -> bool:
    """Whether a bucket on disk may hold no note now (then the folder is listed to remove
    it): one that held an entry ``stored`` knows is not among ``buckets``; or ``stored``
    does not know where its entries are."""
    if not isinstance(stored, OnDisk) or len(stored.places) != len(stored):
        return True
    return any(place[0] not in buckets for place in stored.places.values())


def remove_stale(folder: Path, keep: Collection[str]) -> None:
    """Remove the bucket files no note has now: only names this module makes."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entryfile.bucket_count(entry.name) and entry.name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def remove_old(root: Path) -> None:
    """Remove the cache files of earlier layouts: only the names they had."""
    for name in _OLD:
        with contextlib.suppress(OSError):
            state_path(root, "cache", name).unlink()
    with contextlib.suppress(OSError):
        folder = state_path(root, "cache", _OLD_ENTRIES)
        if not folder.is_dir():
            return
        for entry in os.scandir(folder):
            if _OLD_NAME.fullmatch(entry.name):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        folder.rmdir()

"""What quick edits (``incremental.quick``) leave for the builds after them, in
``.papernotes/cache/quick.json``.

- ``paths``: the site files they rewrote since the last full build saved its cache. The
  cache's fingerprints of those files are of the text the cache last saw, which a note may come
  back to: the next full build makes them again whatever the fingerprints say
  (:func:`forget_quick`), then removes the journal (:func:`clear_journal`).
- ``notes``: for each note a quick edit made, what the cache entry would hold for its new
  text (its digest, its parsed body, its rendered body, its search terms), so the next quick
  edit of the same note starts from the site as it is. Taken only while the cache's index is
  the one the journal was started on (``index``: its size, time and inode): a full build that
  saved its cache and was stopped before it removed the journal leaves one that says so.

The journal is untrusted like the rest of the cache: parsed defensively, any doubt reads as
an empty journal (the paths then come to no harm: they are only made again).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from papernotes.incremental.cache import BuildCache
    from papernotes.model import Library, Note

__all__ = [
    "INDEX",
    "JOURNAL",
    "Journal",
    "clear_journal",
    "forget_quick",
    "mentioned",
    "read_journal",
]

JOURNAL = "quick.json"
INDEX = "index.json"
"""``incremental.store``'s index (named here: importing the store is most of a quick edit's
imports of the cache; a test holds the two names equal)."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _read(path: Path) -> Any:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            return json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return None


def _signature(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


class Journal:
    """The journal as read (or empty), and what a quick edit adds to it."""

    def __init__(self, root: Path) -> None:
        from papernotes.incremental.cache import state_path

        self.path = state_path(root, "cache", JOURNAL)
        index = _signature(state_path(root, "cache", INDEX))
        data = _read(self.path)
        data = data if isinstance(data, dict) else {}
        paths, notes = data.get("paths"), data.get("notes")
        self.paths: set[str] = (
            {p for p in paths if isinstance(p, str)} if isinstance(paths, list) else set()
        )
        same = index is not None and data.get("index") == index
        self.notes: dict[str, Any] = notes if same and isinstance(notes, dict) else {}
        self.index = index

    def note(self, display: str) -> list[Any] | None:
        """What the last quick edit of note file ``display`` made: ``[digest, parsed body,
        rendered body, search terms]`` as JSON values, or None."""
        entry = self.notes.get(display)
        return entry if isinstance(entry, list) and len(entry) == 4 else None

    def save(self, changed: set[str], display: str, entry: list[Any]) -> None:
        """Write the journal with the site files ``changed`` and note ``display``'s ``entry``."""
        from papernotes.atomic import write_atomic

        data = {
            "format": 1,
            "index": self.index,
            "paths": sorted(self.paths | changed),
            "notes": {**self.notes, display: entry},
        }
        write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def mentioned(library: Library, papers_dir: str, among: Iterable[Note] | None = None) -> list[str]:
    """The notes a quick edit leaves to the full build, for the stamp: every note an embed
    shows (``![[note]]``), found as the link stage finds it (``vault.resolve_embed``). Its body
    is on the embedding note's page, and, nested, on the pages that embed that one (each
    embedding note is itself in the list then). A wikilink or a citation shows only the note's
    title and lead, which a quick edit keeps.
    A body still undecoded is not read (decoding every body was most of an edit build's
    reading of the cache): it is a note the link stage took from its rows in the cache, and a
    note with an embed never has rows there (``incremental.linkrows``). ``among``: the notes
    that may have embeds, when that is known (``serve``'s link memo); else every note."""
    from papernotes.incremental.lazybody import undecoded
    from papernotes.vault import resolve_embed

    return sorted(
        {
            found
            for note in (library.notes.values() if among is None else among)
            if not undecoded(note.body)
            for embed in note.body.embeds
            if isinstance(found := resolve_embed(note, embed.target, library, papers_dir), str)
        }
    )


def read_journal(root: Path) -> Journal:
    """The journal of library ``root`` (empty when there is none, or it is not one)."""
    return Journal(root)


def forget_quick(root: Path, cache: BuildCache | None) -> BuildCache | None:
    """``cache`` without the fingerprints of the site files quick edits rewrote since it was
    saved: the full build makes them again."""
    from dataclasses import replace

    from papernotes.incremental.cache import state_path

    try:
        data = _read(state_path(root, "cache", JOURNAL)) if cache is not None else None
    except OSError:  # a state folder that leads elsewhere: the cache is not read either
        data = None
    paths = data.get("paths") if isinstance(data, dict) else None
    if cache is None or not isinstance(paths, list) or not paths:
        return cache
    gone = {p for p in paths if isinstance(p, str)}
    return replace(cache, pages={p: fp for p, fp in cache.pages.items() if p not in gone})


def clear_journal(root: Path) -> None:
    """Remove the journal, once a full build saved its cache (its fingerprints are the site's)."""
    import contextlib

    from papernotes.incremental.cache import state_path

    with contextlib.suppress(OSError):  # a journal left behind only makes files again
        state_path(root, "cache", JOURNAL).unlink(missing_ok=True)

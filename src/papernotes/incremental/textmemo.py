"""The note files a serve session has read: their texts, kept while their files do not move,
and the last walk of the notes folder while the watcher says no file came or went."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes import load
from papernotes.incremental.cache import text_digest
from papernotes.serve.lastgood import LastGood

if TYPE_CHECKING:
    from collections.abc import Collection

    from papernotes.errors import Diagnostic

__all__ = ["TextMemo"]


class TextMemo:
    """The text of each note file read so far (with its digest), with the size, modification
    time and inode its file had just before it was read: a file where none of them moved is
    not read again (the test the no-op build makes of every input, and the inode).

    Told by the watcher which files moved (:meth:`expect`), it keeps the last walk of the
    notes folder while those files were all there before, and looks at those files alone:
    a save then costs the files saved, not the library."""

    def __init__(self, keeper: LastGood | None = None) -> None:
        self._keeper = keeper or LastGood()
        """The notes that stand in with their last text without errors (serve/lastgood.py)."""
        self._kept: dict[str, tuple[tuple[int, int, int], load.Source]] = {}
        self._used: set[str] = set()
        self._walk: tuple[tuple[Path, str, tuple[str, ...]], load.Walk, dict[str, str]] | None
        self._walk = None
        """The last walk, what it was asked, and each file's absolute path → its display."""
        self._told: frozenset[str] | None = None
        """The absolute paths of the files that moved since the last build (None: unknown)."""
        self._fresh: frozenset[str] | None = None
        """The displays of the files to look at this build; None: look at every one."""
        self._linked: frozenset[str] = frozenset()
        """The displays of the notes reached through a symlink (looked at every time)."""
        self.looked = 0
        """Files looked at (their size and time taken) since made: what a test counts."""
        self._loaded: tuple[load.Walk, load.Sources, tuple[Diagnostic, ...]] | None = None
        """The last load: its walk, what it found, and its problems."""
        self._at: dict[str, tuple[bool, int]] = {}
        """Each note file's display → (whether a reading list, its place in what was found)."""
        self._replayed = False
        """Whether the last load was a replay (no file looked at but those that moved)."""
        self._missed = 0
        """Notes this load could not give (``load_sources`` read them itself)."""
        self._paths: dict[str, str] = {}
        """Each file of the last walk: its display → its absolute path."""

    def expect(self, told: Collection[str] | None) -> None:
        """The files (absolute paths) that moved since the last build, or None when that is
        not known; until the next call, every other file is taken to be as it was."""
        self._told = None if told is None else frozenset(map(os.path.abspath, told))

    def walk(self, root: Path, papers_dir: str, patterns: tuple[str, ...]) -> load.Walk:
        """The walk of the notes folder: the last one while the files that moved were all
        found by it (an edit), else walked again (a file added, removed or renamed)."""
        asked = (root, papers_dir, patterns)
        told, self._fresh, self._missed = self._told, None, 0
        last = self._walk
        if told is not None and last is not None and last[0] == asked:
            where = last[2]
            if all(p in where and os.path.isfile(p) for p in told):
                self._fresh = frozenset(where[p] for p in told)
                return last[1]
        found = load.walk_notes(root, papers_dir, patterns)
        displays = {os.path.abspath(p): Path(papers_dir, rel).as_posix() for p, rel in found.files}
        # A note reached through a symlink moves when its target does, which the watcher
        # reports under the target's name: such a note is looked at every time.
        self._linked = frozenset(
            shown for path, shown in displays.items() if os.path.realpath(path) != path
        )
        self._walk = (asked, found, displays)
        self._paths = {shown: path for path, shown in displays.items()}
        return found

    def replay(self, walk: load.Walk) -> tuple[load.Sources, tuple[Diagnostic, ...]] | None:
        """The last load with the notes that moved read again, while the walk is the last
        one (no file came or went) and every note the last load found was given here."""
        last, fresh = self._loaded, self._fresh
        if last is None or last[0] is not walk or fresh is None or self._linked:
            return None
        _, found, diags = last
        notes, lists = list(found.notes), list(found.lists)
        for display in fresh:
            at = self._at.get(display)
            if at is None:  # not a note: the walk's list of other files holds it still
                continue
            source = self(Path(self._paths[display]), display)
            if source is None:  # unreadable now: the full pass says why
                return None
            (lists if at[0] else notes)[at[1]] = source
        self._replayed = True
        found = replace(found, notes=tuple(notes), lists=tuple(lists))
        self._loaded = (walk, found, diags)
        return found, diags

    def loaded(self, walk: load.Walk, found: load.Sources, diags: tuple[Diagnostic, ...]) -> None:
        """Keep what a full load found for :meth:`replay`, when each note was given here."""
        self._replayed = False
        if self._missed:  # a note read by ``load_sources`` (and said what is wrong with it)
            self._loaded = None
            return
        self._loaded = (walk, found, diags)
        self._at = {s.path: (False, i) for i, s in enumerate(found.notes)}
        self._at.update((s.path, (True, i)) for i, s in enumerate(found.lists))

    def __call__(self, path: Path, display: str) -> load.Source | None:
        """The note at ``path``, from memory or read now; None when it cannot be read or
        decoded (``load_sources`` then reads it and says what is wrong)."""
        source = self._give(path, display)
        if self._keeper.held and (held := self._keeper.held.get(display)) is not None:
            source = held.good  # its file has errors: the last good text is built instead
        self._missed += source is None
        return source

    def _give(self, path: Path, display: str) -> load.Source | None:
        self._used.add(display)
        kept = self._kept.get(display)
        fresh = self._fresh
        # The watcher said it did not move (a note through a symlink: it cannot say).
        if kept and fresh is not None and display not in fresh and display not in self._linked:
            return kept[1]
        self.looked += 1
        try:
            st = path.stat()
        except OSError:
            return None
        # The inode too: an editor that saves by renaming a new file into place changes it,
        # even within one tick of a coarse clock.
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            text, problem = load.decode(path.read_bytes(), display)
        except OSError:
            return None
        if text is None or problem is not None:
            self._keeper.read(display, None, problem, kept[1] if kept else None)
            return None
        # Taken with the time from before reading: a file saved again meanwhile is newer, so
        # the next look reads it again.
        source = load.Source(display, text, text_digest(text))
        self._keeper.read(display, source, None, kept[1] if kept else None)
        self._kept[display] = (stamp, source)
        return source

    def forget_unused(self) -> None:
        """Drop the texts of files the last build did not find (deleted or renamed)."""
        if self._replayed:  # every file the last full load found is there still
            return
        self._kept = {k: v for k, v in self._kept.items() if k in self._used}
        self._keeper.retain(self._paths)  # the files of the last walk
        self._used = set()

    def __len__(self) -> int:
        return len(self._kept)

"""A library being served: what ``papernotes serve`` keeps in memory from one save to the next.

A build from the command line starts from nothing: it imports the pipeline, reads every note,
decodes the cache, compiles the templates it uses and, once the site is written, encodes the
cache again. A session keeps all of that: the configuration, the theme (with the templates
Jinja compiled), the Markdown parser, the citation styles, the text of every note file (with
the size and time its file had) and the last build's cache. On a save it reads only the files
whose size or time moved, runs the same stages as a build (so the site is the same byte for
byte), writes the pages whose fingerprints changed, and leaves saving the cache to
:meth:`Session.persist`, which the caller runs *after* it told the browser to reload.

A change the session cannot take in piecemeal — the configuration, the templates, the styles,
a folder that appeared or went away — drops what depends on it, and the next build loads it as
a plain build would.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Collection, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes import load, write
from papernotes.build import BuildReport, Run, Warm, apply_strict, persist, run
from papernotes.incremental import cache as cache
from papernotes.incremental import fastpath as fastpath
from papernotes.incremental.cache import text_digest
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.serve.lastgood import LastGood, checker
from papernotes.sitewriter import output_memo

if TYPE_CHECKING:
    from papernotes.config import Config
    from papernotes.errors import Diagnostic
    from papernotes.theme import Theme

__all__ = ["Session", "TextMemo"]

_CONFIGS = ("papernotes.yaml", "pyproject.toml")


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


class Session:
    """One library served into one output folder."""

    def __init__(self, root: Path, out: Path, *, defer_collector: bool = False) -> None:
        self.root = root
        self.out = out
        self._defer = defer_collector
        """Leave what a save made out of the cycle collector until :meth:`persist` (serve)."""
        self._frozen = False
        """Whether this session froze the objects (``gc.freeze``) that :meth:`persist` thaws."""
        self._config: tuple[Config, tuple[Diagnostic, ...]] | None = None
        self._warm = Warm(memo=SaveMemo())
        self._keeper = LastGood()
        """The notes whose file has errors, built from their last good text meanwhile."""
        self._texts = TextMemo(self._keeper)
        self._pending: Run | None = None
        self._stamp: dict[str, object] | None = None
        """The inputs' stamp the last build started from."""
        self._told: set[str] | None = None
        """The files :meth:`invalidate` was told of since (None: not told, or not only files
        whose stamp can be taken alone): the next stamp is the last one with those again."""
        self._looked = 0
        """Note files the last build looked at (took the size and time of, or read)."""
        self._paths: tuple[object, dict[str, str]] | None = None
        """The stamp's inputs, and each one's absolute path → its name there."""

    def config(self) -> tuple[Config, tuple[Diagnostic, ...]]:
        """The configuration and its problems, loaded once and again after it changed."""
        if self._config is None:
            from papernotes.config import load_config

            self._config = load_config(self.root)
        return self._config

    def invalidate(self, changed: Collection[str] | None) -> bool:
        """Forget what the changed files (absolute paths; None: anything) make stale. True
        when the next build is a full one (only the cache in memory is kept)."""
        if changed is None:
            full = True
        else:
            base = self.root.resolve()
            full = any(_needs_full(Path(p), base) for p in changed)
        self._told = None if full or changed is None else {*(self._told or ()), *changed}
        if full:
            self._config = None
            self._texts = TextMemo(self._keeper)
            self._warm = Warm(cache=self._warm.cache, memo=SaveMemo())
        return full

    def build(
        self, *, keep_going: bool = True, strict: bool = False, hold: bool = False
    ) -> BuildReport:
        """Build the site with what the session holds; the cache stays pending until
        :meth:`persist`. Raises what :func:`papernotes.build.build` raises.

        With ``hold``, a build that finds nothing changed still runs the stages once the
        session holds nothing (rendering nothing), so that the first save finds the cache,
        the parser, the templates and the search index in memory as every later one does:
        ``serve``'s first build."""
        start = time.perf_counter()
        config, _ = self.config()
        with self._collector_paused(self._warm.cache is not None):
            return self._build(config, start, keep_going, strict, hold)

    @contextlib.contextmanager
    def _collector_paused(self, pause: bool) -> Iterator[None]:
        """Without the cycle collector while ``pause``: a save allocates a few hundred
        thousand objects, and each pass of the collector's oldest generation walks the whole
        library the session holds (about a third of a save at 1,000 notes).

        Switched on again after, the collector walks every object the save made (a fifth of
        a save at 5,000 notes, before the browser is told). Deferring (``defer_collector``),
        those are frozen first (``gc.freeze``: no walk) and thawed once the browser was told
        to reload (:meth:`persist`). A caller's own frozen objects are left as they are:
        nothing is frozen then."""
        paused = pause and gc.isenabled()
        if paused:
            gc.disable()
        try:
            yield
        finally:
            if paused:
                if self._defer and gc.get_freeze_count() == 0:
                    gc.freeze()
                    self._frozen = True
                gc.enable()

    def _build(
        self, config: Config, start: float, keep_going: bool, strict: bool, hold: bool
    ) -> BuildReport:
        with cache.build_lock(self.root):
            output = output_memo(self._warm.memo)  # the manifest: read once while unchanged
            read = output.manifest if output is not None else None
            write.check_output(self.root, self.out, config.papers_dir, read)
            self.persist_unlocked()  # a build not saved yet is this one's starting point
            # Told what moved, the stamp of every other input is the last one's (a walk of
            # the notes folder and a look at every file spared); else taken afresh.
            told, self._told = self._told, None
            known, kept, moved = None, self._stamp, None
            if told is not None and kept is not None:
                moved = fastpath.moved_in_place(kept, told, self._by_path(kept))
            if moved and kept is not None:  # patched: not a no-op, nothing more to look at
                known, stamp, last = kept, kept, None
            else:
                if told is not None and kept is not None:
                    known = fastpath.restamp(kept, told)
                stamp, last = fastpath.up_to_date(self.root, config, self.out, known)
            # The stamp vouches for the files told (all of them inputs already) alone.
            self._texts.expect(told if known is not None else None)
            self._stamp = stamp
            if last is not None and not (hold and self._warm.cache is None):
                diags = apply_strict(last.diagnostics, strict)
                seconds = time.perf_counter() - start
                return BuildReport(last.notes, last.pages, diags, seconds, None, up_to_date=True)
            warm = replace(self._warm, known=self._texts)
            looked = self._texts.looked
            self._keeper.check = checker(config, self._warm.md)
            done = run(
                self.root,
                config,
                self.out,
                stamp=stamp,
                strict=strict,
                keep_going=keep_going,
                warm=warm,
            )
        self._looked = self._texts.looked - looked
        self._texts.forget_unused()
        done = self._keeper.after(done, str(self.root))  # a broken note deleted: forgotten
        if done.warm.memo is not None:
            done.warm.memo.sweep()
        self._warm = replace(done.warm, known=None)
        if done.cache is not None:
            self._pending = done
        if last is not None:  # held: as a build that found nothing changed says it
            if done.warm.theme is not None:
                _compile_templates(done.warm.theme)
            diags = apply_strict(last.diagnostics, strict)
            seconds = time.perf_counter() - start
            return BuildReport(last.notes, last.pages, diags, seconds, None, up_to_date=True)
        return replace(done.report, seconds=time.perf_counter() - start)

    def _by_path(self, stamp: dict[str, object]) -> dict[str, str]:
        """Each input's absolute path → its name in ``stamp``, made once per stamp taken (a
        stamp patched in place keeps its names)."""
        inputs = stamp["inputs"]
        kept = self._paths
        if kept is None or kept[0] is not inputs:
            names = inputs if isinstance(inputs, dict) else {}
            kept = self._paths = (inputs, {os.path.abspath(k): k for k in names})
        return kept[1]

    @property
    def held(self) -> tuple[str, ...]:
        """The note files with errors whose last good text the site was built from."""
        return tuple(sorted(self._keeper.held))

    @property
    def made(self) -> Mapping[str, int]:
        """What the last build made afresh rather than kept from the save before, by kind
        (:attr:`SaveMemo.made <papernotes.incremental.searchmemo.SaveMemo.made>`): notes
        linked again (``"link-note"``), the library's names (``"link-names"``), a paper
        page's fingerprint (``"paper:<key>"``), a preview card (``"preview:<key>"``)…; and
        the note files it looked at (``"look-file"``)."""
        memo = self._warm.memo
        made = dict(memo.made) if memo is not None else {}
        return made | ({"look-file": self._looked} if self._looked else {})

    def persist(self) -> tuple[Diagnostic, ...]:
        """Save the last build's cache and stamp for the next build (a warning if it cannot
        be); nothing when it is saved already."""
        with cache.build_lock(self.root):
            return self.persist_unlocked()

    def persist_unlocked(self) -> tuple[Diagnostic, ...]:
        """:meth:`persist`, for a caller that holds the build lock."""
        if self._frozen:  # the collector may walk the library again, the browser told
            self._frozen = False
            gc.unfreeze()
        done, self._pending = self._pending, None
        if done is None or done.cache is None:
            return ()
        saved, problems = persist(self.root, done, self.out)
        # What is on disk now; when saving failed, no entry is taken to be there.
        self._warm = replace(self._warm, cache=saved or replace(done.cache, stored={}))
        return problems


def _needs_full(path: Path, base: Path) -> bool:
    """Whether a change of ``path`` (under the library ``base``) is more than a note file or
    a file next to the notes: the configuration, a template, a style, or a folder."""
    if path.parent == base and path.name in _CONFIGS:
        return True
    if path.is_relative_to(base / "templates") or path.is_relative_to(base / "styles"):
        return True
    # A folder that appeared or went away (a folder moved); a file that went away is fine.
    return path.is_dir() or (not path.exists() and not path.suffix)


def _compile_templates(theme: Theme) -> None:
    """Have Jinja compile every template now rather than on the first save that renders it."""
    names = {p.name for folder in theme.dirs for p in folder.iterdir() if p.is_file()}
    for name in sorted(names):
        # A template that does not compile is reported by the build that renders it.
        with contextlib.suppress(Exception):
            theme.env.get_template(name)

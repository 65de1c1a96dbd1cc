"""A library being served: what ``papernotes serve`` keeps in memory from one save to the next.

A build from the command line starts from nothing: it imports the pipeline, reads every note,
decodes the cache, compiles the templates it uses and, once the site is written, encodes the
cache again. A session keeps all of that: the configuration, the theme (with the templates
Jinja compiled), the Markdown parser, the citation styles, the text of every note file (with
the size and time its file had) and the last build's cache. On a save it reads only the files
whose size or time moved, runs the same stages as a build (so the site is the same byte for
byte), writes the pages whose fingerprints changed, and leaves saving the cache to
:meth:`Session.persist`, which the caller runs *after* it told the browser to reload (``serve``:
once no save came for a moment; a save's build does not wait for the last one's to be saved).
Until then the cache's index on disk is set aside (``deferred.set_aside``): its fingerprints are
no longer the site's, and a build after a crash must not take them for it.

A change the session cannot take in piecemeal — the configuration, the templates, the styles,
a folder that appeared or went away — drops what depends on it, and the next build loads it as
a plain build would.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, overload

from papernotes import write
from papernotes.build import BuildReport, Run, Warm, apply_strict, persist, run
from papernotes.incremental import cache as cache
from papernotes.incremental import deferred as deferred
from papernotes.incremental import fastpath as fastpath
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.incremental.textmemo import TextMemo
from papernotes.serve.lastgood import LastGood, checker
from papernotes.sitewriter import output_memo

if TYPE_CHECKING:
    from papernotes.config import Config
    from papernotes.errors import Diagnostic
    from papernotes.theme import Theme

__all__ = ["Session", "TextMemo"]

_CONFIGS = ("papernotes.yaml", "pyproject.toml")


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
        # Thawed before the lock, which counts the frozen objects (see :meth:`persist`): the
        # save before froze the whole library (0.35 s of every save but the first at 50,000).
        self._thaw()
        with cache.build_lock(self.root):
            output = output_memo(self._warm.memo)  # the manifest: read once while unchanged
            read = output.manifest if output is not None else None
            write.check_output(self.root, self.out, config.papers_dir, read)
            # A build not saved yet stays pending: this one, if it writes, supersedes it.
            # Told what moved, the stamp of every other input is the last one's (a walk of
            # the notes folder and a look at every file spared); else taken afresh.
            told, self._told = self._told, None
            known, kept, moved = None, self._stamp, None
            if told is not None and kept is not None:
                moved = fastpath.moved_in_place(kept, told, self._by_path(kept, told))
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
            # Set aside once the cache is in memory: the first build reads it from disk.
            held = self._warm.cache is not None
            aside = held and self._pending is None and deferred.set_aside(self.root)
            done = self._run(config, stamp, strict, keep_going, warm)
            if hold and done.cache is not None and done.warm.memo and not done.report.errors:
                done = self._again(config, stamp, strict, keep_going, done)
            if aside and done.cache is None:  # nothing written: the index is the site's still
                deferred.put_back(self.root)
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

    def _again(
        self, config: Config, stamp: dict[str, object], strict: bool, keep_going: bool, done: Run
    ) -> Run:
        """Held: the stages once more, nothing changed, from what the first run kept. The
        first run took the last build's values from the cache, read lazily; a save patches
        maps it holds in memory, and the first one made them (a map of every note's bodies,
        documents and terms, each a Python step per note: at 20,000 notes a first save took
        four times a later one's work). Made here, before the browser waits for any save."""
        assert done.warm.memo is not None  # the caller's test
        done.warm.memo.sweep()
        self._texts.forget_unused()
        self._texts.expect(())  # no file moved: the last walk and texts, none looked at
        warm = replace(done.warm, known=self._texts)
        again = self._run(config, stamp, strict, keep_going, warm)
        if again.cache is None or again.report.errors:
            return done
        # What the first run did and said is this build's report, and the stamp's to replay.
        return again._replace(report=done.report, stamp=done.stamp)

    def _run(
        self, config: Config, stamp: dict[str, object], strict: bool, keep_going: bool, warm: Warm
    ) -> Run:
        """The build's stages on this library and output, from what ``warm`` holds."""
        return run(
            self.root,
            config,
            self.out,
            stamp=stamp,
            strict=strict,
            keep_going=keep_going,
            warm=warm,
        )

    def _by_path(self, stamp: dict[str, object], told: Collection[str]) -> Mapping[str, str]:
        """The told files' (absolute paths) names in ``stamp``: each the input under the
        library folder as given whose absolute path it is, found without looking at the other
        inputs; else every input's absolute path → its name, made once per stamp taken (a
        stamp patched in place keeps its names)."""
        inputs = stamp["inputs"]
        names = inputs if isinstance(inputs, dict) else {}
        kept = self._paths
        if kept is not None and kept[0] is inputs:
            return kept[1]
        base, found = os.path.abspath(self.root), {}
        for path in map(os.path.abspath, told):
            # A stamp names a file as the library folder given, joined to its place there.
            name = str(self.root / os.path.relpath(path, base))
            if name not in names or os.path.abspath(name) != path:
                break  # not an input yet, or reached another way: every input's name
            found[path] = name
        else:
            return found
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

    @overload
    def persist(self) -> tuple[Diagnostic, ...]: ...
    @overload
    def persist(self, give_up: Callable[[], bool]) -> tuple[Diagnostic, ...] | None: ...

    def persist(self, give_up: Callable[[], bool] | None = None) -> tuple[Diagnostic, ...] | None:
        """Save the last build's cache and stamp for the next build (a warning if it cannot
        be); nothing when it is saved already. None when ``give_up``, asked between the
        save's steps, said to stop (``serve``: a change came): the build stays to be saved,
        and the cache on disk is as it was (``deferred.SaveAbandoned``)."""
        # Thawed first: the lock counts the frozen objects (``gc.get_freeze_count`` walks
        # them one by one), which were the whole library: 0.36 s of a save at 50,000 notes.
        self._thaw()
        with cache.build_lock(self.root):
            return self.persist_unlocked(give_up)

    def _thaw(self) -> None:
        """Let the collector walk the library again (the browser was told), if this froze it."""
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

    def persist_unlocked(
        self, give_up: Callable[[], bool] | None = None
    ) -> tuple[Diagnostic, ...] | None:
        """:meth:`persist`, for a caller that holds the build lock."""
        self._thaw()
        done, self._pending = self._pending, None
        if done is None or done.cache is None:
            return ()
        made = done.cache
        try:
            saved, problems = persist(self.root, done, self.out, ledger=False, give_up=give_up)
        except deferred.SaveAbandoned as given_up:
            if given_up.stored is not None:  # the heads file it wrote is the one on disk
                kept = replace(made, stored=given_up.stored)
                done = done._replace(cache=kept)
                self._warm = replace(self._warm, cache=kept)
            self._pending = done
            return None
        # What is on disk now; when saving failed, no entry is taken to be there.
        self._warm = replace(self._warm, cache=saved or replace(made, stored={}))
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

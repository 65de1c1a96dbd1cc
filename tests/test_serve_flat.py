"""A save through a serve session does the same work in a library four times as large: the
same notes linked, backlinks made, search shards re-encoded, output folders listed and
manifests read (none: the session keeps the one it wrote). The site is still the clean
build's, byte for byte.

The counts are what the session reports it made afresh (``Session.made``), not seconds."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from papernotes import machine, paperprints, plan, sitewriter, urls
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import bodies as stage_bodies
from papernotes.incremental import cache, fastpath, searchstate
from papernotes.incremental.indexmemo import IndexMemo
from papernotes.incremental.jobmemo import PaperJobs
from papernotes.incremental.lazy import Kept, Parts, Reused
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.incremental.session import Session
from papernotes.incremental.textmemo import TextMemo
from papernotes.lists import pages
from papernotes.model import Library, Metadata
from papernotes.outputmemo import OutputMemo
from papernotes.siteindex import SiteIndex

from conftest import note_text, site_tree, write_note

_A = TypeVar("_A")
_R = TypeVar("_R")
WORDS = [
    "attention",
    "rank",
    "adapter",
    "low",
    "memory",
    "transformer",
    "vision",
    "speech",
    "graph",
    "kernel",
]


def _library(root: Path, n: int) -> Path:
    """``n`` notes, each citing the one before it, in a few topics, with a body that cites."""
    root.mkdir(parents=True)
    (root / "papernotes.yaml").write_text("title: Flat\n", encoding="utf-8")
    for i in range(n):
        cites = f"[n{i - 1}]" if i else "[]"
        words = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(3 + i % 5))
        body = f"On {words} w{i}x, as [@n{max(i - 1, 0)}] says.\n\nAnd {WORDS[i % 7]} more.\n"
        extra = f"id: n{i}\ntags: [t{i % 3}]\ncites: {cites}\n"
        text = note_text(
            f"Paper {i} {words}",
            authors=f"[Writer {i % 9}]",
            year=2000 + i % 20,
            extra=extra,
            body=body,
        )
        write_note(root, f"n{i}.md", text)
    return root


class _Asked:
    """Counts the save memo's look-ups by tag (a look-up is a note visited by a stage), and
    the fingerprints read one key at a time from the last build's values (as "fingerprint")."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked: dict[str, int] = {}
        self.saved: dict[str, int] = {}
        """What the last save asked (not its ``persist``, nor the clean build after it)."""
        for name in ("once", "same"):
            monkeypatch.setattr(SaveMemo, name, self._wrap(getattr(SaveMemo, name)))
        for kind in (Kept, Parts, Reused):
            monkeypatch.setattr(kind, "fingerprint", self._read(kind.fingerprint))
        monkeypatch.setattr(urls, "paper_page", self._called("paper-url", urls.paper_page))
        searched = self._called("diagram-search", paperprints.has_diagram)
        monkeypatch.setattr(paperprints, "has_diagram", searched)
        feed = machine.feed_entries

        def feed_entries(library: Library, texts: object, **kw: Any) -> object:
            among = kw.get("among")
            seen = len(library.notes) if among is None else len(among)
            self.asked["feed-among"] = self.asked.get("feed-among", 0) + seen
            return feed(library, texts, **kw)

        monkeypatch.setattr(machine, "feed_entries", feed_entries)
        give = TextMemo.__call__

        def given(memo: TextMemo, path: Path, display: str) -> object:
            self.asked["give-note"] = self.asked.get("give-note", 0) + 1
            return give(memo, path, display)

        monkeypatch.setattr(TextMemo, "__call__", given)
        kept = searchstate.reuse

        def reuse(wanted: dict[str, object], *args: Any, **kw: Any) -> object:
            self.asked["search-reuse"] = self.asked.get("search-reuse", 0) + len(wanted)
            return kept(wanted, *args, **kw)

        monkeypatch.setattr(searchstate, "reuse", reuse)
        bodies = stage_bodies.reuse

        def body_reuse(wanted: dict[str, object], *args: Any, **kw: Any) -> object:
            self.asked["body-reuse"] = self.asked.get("body-reuse", 0) + len(wanted)
            return bodies(wanted, *args, **kw)

        monkeypatch.setattr(stage_bodies, "reuse", body_reuse)
        index = IndexMemo.__call__

        def indexed(memo: IndexMemo, *args: Any, **kw: Any) -> object:
            before = memo.looked
            try:
                return index(memo, *args, **kw)
            finally:
                looked = self.asked.get("index-looked", 0) + memo.looked - before
                self.asked["index-looked"] = looked

        monkeypatch.setattr(IndexMemo, "__call__", indexed)
        each = SaveMemo.each

        def each_counted(memo: SaveMemo, *args: Any, **kw: Any) -> object:
            before = memo.compared
            try:
                return each(memo, *args, **kw)
            finally:
                compared = self.asked.get("each-compared", 0) + memo.compared - before
                self.asked["each-compared"] = compared

        monkeypatch.setattr(SaveMemo, "each", each_counted)
        restamp, saved = fastpath.restamp, cache.saved_stamp

        def restamped(stamp: dict[str, Any], changed: Any) -> object:
            copied = self.asked.get("stamp-copied", 0) + len(stamp["inputs"])
            self.asked["stamp-copied"] = copied
            return restamp(stamp, changed)

        monkeypatch.setattr(fastpath, "restamp", restamped)
        encode = OutputMemo.encode

        def encoded(memo: OutputMemo, files: dict[str, str]) -> str:
            self.asked["manifest-file"] = self.asked.get("manifest-file", 0) + len(files)
            return encode(memo, files)

        monkeypatch.setattr(OutputMemo, "encode", encoded)
        jobs = PaperJobs.__call__

        def jobs_counted(kept: PaperJobs[Any], *args: Any) -> object:
            before = kept.compared
            try:
                return jobs(kept, *args)
            finally:
                compared = self.asked.get("job-compared", 0) + kept.compared - before
                self.asked["job-compared"] = compared

        monkeypatch.setattr(PaperJobs, "__call__", jobs_counted)
        check = sitewriter._check_targets

        def checked(*args: Any) -> None:
            kept = len(args) == 5 and args[4] is not None  # the folders given
            folded = self.asked.get("dirs-folded", 0) + (0 if kept else len(args[3]))
            self.asked["dirs-folded"] = folded
            return check(*args)

        monkeypatch.setattr(sitewriter, "_check_targets", checked)
        monkeypatch.setattr(cache, "saved_stamp", self._called("stamp-read", saved))
        for name in ("_differ", "_replaced"):  # a key of every note compared, each call
            compare = getattr(paperprints, name)
            monkeypatch.setattr(paperprints, name, self._compared(compare, _len_first))
        compare_at = paperprints._differ_at  # the keys told to compare, each call
        monkeypatch.setattr(paperprints, "_differ_at", self._compared(compare_at, _len_first))
        entries = self._called("author-entries", SiteIndex.author_entries)
        monkeypatch.setattr(SiteIndex, "author_entries", entries)
        queue = pages.to_read

        def to_read(library: Library) -> tuple[str, ...]:
            self.asked["to-read"] = self.asked.get("to-read", 0) + len(library.notes)
            return queue(library)

        monkeypatch.setattr(pages, "to_read", to_read)
        monkeypatch.setattr(plan, "to_read", to_read, raising=False)
        heading = Metadata.heading.fget
        assert heading is not None
        monkeypatch.setattr(Metadata, "heading", property(self._called("heading", heading)))

    def _called(self, tag: str, function: Callable[[_A], _R]) -> Callable[[_A], _R]:
        def counted(arg: _A) -> _R:
            self.asked[tag] = self.asked.get(tag, 0) + 1
            return function(arg)

        return counted

    def _compared(
        self, function: Callable[..., set[str]], many: Callable[[tuple[Any, ...]], int]
    ) -> Callable[..., set[str]]:
        def counted(*args: Any) -> set[str]:
            self.asked["compared"] = self.asked.get("compared", 0) + many(args)
            return function(*args)

        return counted

    def _read(self, method: Callable[..., str | None]) -> Callable[..., str | None]:
        def counted(values: object, key: str) -> str | None:
            self.asked["fingerprint"] = self.asked.get("fingerprint", 0) + 1
            return method(values, key)

        return counted

    def _wrap(self, method: Callable[..., object]) -> Callable[..., object]:
        def counted(memo: SaveMemo, tag: str, *args: object) -> object:
            kind = tag.split(":")[0]
            self.asked[kind] = self.asked.get(kind, 0) + 1
            return method(memo, tag, *args)

        return counted


def _len_first(args: tuple[Any, ...]) -> int:
    return len(args[0])


def _save_counts(root: Path, asked: _Asked | None = None) -> dict[str, int]:
    """What the second of two body saves of a served library made afresh, by kind (and the
    look-ups it made, into ``asked``)."""
    out = root / "site"
    session = Session(root, out, defer_collector=True)
    assert session.build(hold=True).errors == 0
    session.persist()
    made: dict[str, int] = {}
    for n, rel in enumerate(("n3.md", "n5.md")):
        path = root / "papers" / rel
        before = path.stat().st_mtime_ns
        path.write_text(path.read_text("utf-8") + f"\nA sentence {n} on rank.\n", "utf-8")
        os.utime(path, ns=(before + 10**9, before + 10**9))
        session.invalidate([str(path.resolve())])
        if asked is not None:
            asked.asked.clear()
        report = session.build()
        if asked is not None:
            asked.saved = dict(asked.asked)
        assert report.errors == 0, [d.format() for d in report.diagnostics]
        made = dict(session.made)
        session.persist()
    config, _ = load_config(root)
    assert build(root, config, out=root.parent / "clean", use_cache=False).errors == 0
    assert site_tree(out) == site_tree(root.parent / "clean")
    return {k.split(":")[0]: v for k, v in made.items()}


@pytest.mark.parametrize("n", [40])
def test_a_body_save_does_the_same_work_in_a_library_four_times_as_large(
    tmp_path: Path, n: int
) -> None:
    small = _save_counts(_library(tmp_path / "small" / "lib", n))
    large = _save_counts(_library(tmp_path / "large" / "lib", 4 * n))
    assert small == large
    assert small["link-note"] == 1  # the note saved, and no other
    assert "link-names" not in small  # no name moved: the library was patched
    assert small["backlinks"] == 1
    assert "manifest-read" not in small  # the session's own manifest, from memory
    assert small.get("folder-listed", 0) <= 2  # the site's root (staging came and went)
    # The site's files as the last commit left them, patched with the root listed again:
    # not every folder's files gathered again (40 and 160 more before).
    assert small.get("scan-file", 0) < 2 * n, small
    assert small.get("search-term-shard", 0) <= 2
    assert small["preview"] == 1 and small["preview-shard"] == 1
    assert small["paper-job"] == small["paper-fp"]  # the pages fingerprinted again, no other
    # The references of the note saved alone: no pass over every note's text digest.
    assert "refs-text" not in small and small["csl"] == 1
    # Stage 2 looks at the source saved alone (it went through every note's before).
    assert small["parse-visit"] == 1 and small["parse-note"] == 1


def test_a_body_save_visits_the_note_saved_not_every_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _Asked(monkeypatch)
    _save_counts(_library(tmp_path / "small" / "lib", 30), asked)
    small = asked.saved
    _save_counts(_library(tmp_path / "large" / "lib", 120), asked)
    large = asked.saved
    # Linking, backlinks and link previews look up the notes saved alone (they looked up
    # every note before: 30 and 120 of each).
    for kind in ("link-note", "backlinks", "preview", "preview-shard"):
        assert small.get(kind, 0) == large.get(kind, 0) <= 1, (kind, small, large)
    # The fingerprints of the references (plan_site's, note_references') and of the bodies
    # (search_docs') are taken whole, not read note by note (30 and 120 reads each before).
    assert small.get("fingerprint", 0) == large.get("fingerprint", 0), (small, large)
    # The paper pages' jobs are kept: no URL made per note (30 and 120 more before), only
    # for the pages that link to one (those rendered).
    assert small.get("paper-url", 0) == large.get("paper-url", 0), (small, large)
    # The bodies whose fingerprints moved alone are searched for a diagram, and the headings
    # the library token holds taken again for the notes saved alone (30 and 120 more each).
    for kind in ("diagram-search", "heading"):
        assert small.get(kind, 0) == large.get(kind, 0), (kind, small, large)
    # The feed picks its notes among those it listed (it went through every note before).
    assert small.get("feed-among", 0) == large.get("feed-among", 0), (small, large)
    # The to-read queue is kept while no note's metadata moved (sorted anew each save before).
    assert small.get("to-read", 0) == large.get("to-read", 0), (small, large)
    # The indexes' and the tag, author and year pages' fingerprints are kept: no pass over
    # every author (a look at each author's entry in the index each save before).
    assert "author-entries" not in small and "author-entries" not in large, (small, large)
    # The paper pages, listings and diagrams to look at again are found among the notes the
    # stages before said they changed (linking, body and metadata fingerprints), not by
    # comparing every note's inputs with the last save's (9 passes of 30 and 120 before).
    assert small.get("compared", 0) == large.get("compared", 0) > 0, (small, large)
    # The search documents, terms and digests are the last save's with those of the notes
    # whose body fingerprints moved made again: no pass over every note's (two of 30 and 120).
    assert small.get("search-reuse", 0) == large.get("search-reuse", 0), (small, large)
    # So are the rendered bodies (every note's fingerprint compared before).
    assert small.get("body-reuse", 0) == large.get("body-reuse", 0) == 0, (small, large)
    # The search index looks up the terms of the notes whose documents moved alone (every
    # note's, 30 and 120, before).
    assert small.get("index-looked", 0) == large.get("index-looked", 0) <= 2, (small, large)
    # The values kept per note (metadata and body fingerprints, what links show) are made
    # again for the notes linking replaced: no note compared (each of 30 and 120, four times).
    assert small.get("each-compared", 0) == large.get("each-compared", 0) == 0, (small, large)
    # The session's stamp is patched with the note saved (it moved: not a no-op), not copied
    # (an entry per note) and compared with the stamp saved on disk, read again each save.
    assert "stamp-copied" not in large and "stamp-read" not in large, large
    # The manifests of a save (the files being replaced marked, then the new one) are the
    # last one patched, not every file quoted again (twice 30 and 120 files and more before);
    # the output folders checked are the ones kept (every file's folder taken before).
    for kind in ("manifest-file", "dirs-folded"):
        assert small.get(kind, 0) == large.get(kind, 0) == 0, (kind, small, large)
    # The paper jobs compare the fingerprints made again alone (30 and 120 before).
    assert small.get("job-compared", 0) == large.get("job-compared", 0) <= 2, (small, large)
    # Stage 1 gives the note saved alone: the last load is replayed (each note was given
    # from memory, a step per note, before).
    assert small.get("give-note", 0) == large.get("give-note", 0) == 1, (small, large)


def test_a_manifest_changed_behind_the_sessions_back_is_read_again(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    counted: dict[str, int] = {}
    memo = OutputMemo(lambda tag, n: counted.__setitem__(tag, counted.get(tag, 0) + n))
    (out / ".papernotes-site.json").write_text('{"files": {"a.html": ""}}', "utf-8")
    assert memo.manifest(out) == {"a.html": ""}
    assert memo.manifest(out) == {"a.html": ""}
    assert counted == {"manifest-read": 1}
    (out / ".papernotes-site.json").write_text('{"files": {"b/c.html": ""}}', "utf-8")
    assert memo.manifest(out) == {"b/c.html": ""}
    assert counted == {"manifest-read": 2}
    (out / "b").mkdir()
    (out / "b" / "c.html").write_text("x", "utf-8")
    assert memo.scan(out) == {"b/c.html": 1}
    assert counted["folder-listed"] == 2  # the root and b/
    assert memo.scan(out) == {"b/c.html": 1}
    assert counted["folder-listed"] == 2  # neither moved
    (out / "b" / "d.html").write_text("yy", "utf-8")
    moved = (out / "b").stat().st_mtime_ns + 10**9  # past a coarse clock's tick
    os.utime(out / "b", ns=(moved, moved))
    assert memo.scan(out) == {"b/c.html": 1, "b/d.html": 2}
    assert counted["folder-listed"] == 3  # b/ alone, listed again


def test_a_library_served_by_a_relative_path_patches_its_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``papernotes serve`` from inside the library: the stamp names the inputs by relative
    paths, the watcher by absolute ones; the stamp is patched all the same, not taken again
    (a walk and a look at every input) nor copied."""
    _library(tmp_path / "lib", 30)
    monkeypatch.chdir(tmp_path)
    asked = _Asked(monkeypatch)
    taken = fastpath.stamp_for

    def stamp_for(*args: Any) -> object:
        asked.asked["stamp-taken"] = asked.asked.get("stamp-taken", 0) + 1
        return taken(*args)

    monkeypatch.setattr(fastpath, "stamp_for", stamp_for)
    _save_counts(Path("lib"), asked)
    for kind in ("stamp-taken", "stamp-copied", "stamp-read"):
        assert kind not in asked.saved, (kind, asked.saved)

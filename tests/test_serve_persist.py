"""Saving a serve session's cache: it never holds up a save, and a save of the cache given up
half-way (a change came) or cut short (the server killed) never leaves a cache that makes a
site other than a clean build's."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from papernotes.incremental import cache, deferred
from papernotes.incremental.deferred import ASIDE
from papernotes.incremental.session import Session

from conftest import copy_fixture, same_as_clean

NOTES = ("peft/lora.md", "peft/adapters.md")


def _lib(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    return root


def _save(root: Path, session: Session, i: int) -> None:
    """A save of one note (another each time), built."""
    note = root / "papers" / NOTES[i % len(NOTES)]
    before = note.stat().st_mtime_ns
    note.write_text(note.read_text("utf-8") + f"\nSaved while serving, {i}.\n", encoding="utf-8")
    os.utime(note, ns=(before + 10**9, before + 10**9))  # seen in the same tick
    session.invalidate({str(note.resolve())})
    assert session.build().rendered > 0


def test_a_save_after_a_save_does_not_count_a_frozen_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The save before froze what it made (serve defers the collector); the build lock counts
    # the frozen objects one by one: the library must be thawed before it does.
    if gc.get_freeze_count():  # what an earlier test's build in this process left frozen
        gc.unfreeze()
    root = _lib(tmp_path)
    session = Session(root, root / "site", defer_collector=True)
    assert session.build().errors == 0
    session.persist()
    counted: list[int] = []

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(gc, name)

        def get_freeze_count(self) -> int:
            counted.append(gc.get_freeze_count())
            return counted[-1]

    try:
        _save(root, session, 0)
        assert gc.get_freeze_count() > 0  # the first save's objects, not saved yet
        monkeypatch.setattr(cache, "gc", Counting())
        _save(root, session, 1)
        assert counted == [0]
    finally:
        session.persist()
        if gc.get_freeze_count():
            gc.unfreeze()
    same_as_clean(root, tmp_path / "clean")


def _debris(root: Path) -> list[str]:
    """The temporary files left in the cache's folders."""
    folder = root / ".papernotes" / "cache"
    return [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]


class _Asked:
    """A ``give_up`` that says so the ``at``-th time it is asked (from 0; -1: never)."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked - 1 == self.at


def test_a_save_of_the_cache_given_up_at_any_step_leaves_it_as_good_as_before(
    tmp_path: Path,
) -> None:
    root = _lib(tmp_path)
    session = Session(root, root / "site", defer_collector=True)
    assert session.build().errors == 0
    session.persist()
    index = root / ".papernotes" / "cache" / "index.json"
    _save(root, session, 0)
    never = _Asked(-1)
    assert session.persist(never) == ()
    steps = never.asked
    assert steps >= 5
    for k in range(steps):  # given up at step k: a change came then
        _save(root, session, k + 1)
        assert session.persist(_Asked(k)) is None
        assert not index.exists() and index.with_name(ASIDE).exists()  # no index: no wrong build
        assert _debris(root) == []
    _save(root, session, steps + 1)  # the build still to save, and this save, saved as one
    assert session.persist() == ()
    assert index.exists() and not index.with_name(ASIDE).exists()
    report = same_as_clean(root, tmp_path / "clean")
    assert report.up_to_date and report.diagnostics == ()  # every entry taken, none damaged


_KILLED = """
import os, signal, sys
from pathlib import Path
from papernotes.incremental.session import Session

root, at = Path(sys.argv[1]), int(sys.argv[2])
session = Session(root, root / "site", defer_collector=True)
assert session.build().errors == 0
session.persist()
note = root / "papers" / "peft" / "lora.md"
note.write_text(note.read_text("utf-8") + "\\nSaved, then killed.\\n", encoding="utf-8")
session.invalidate({str(note.resolve())})
assert session.build().rendered > 0
asked = iter(range(1000))
session.persist(lambda: next(asked) == at and os.kill(os.getpid(), signal.SIGKILL) is None)
"""


@pytest.mark.parametrize("at", [0, 3, 5, 99])
def test_a_server_killed_while_it_saves_the_cache_leaves_one_that_builds_the_clean_site(
    tmp_path: Path, at: int
) -> None:
    import signal
    import subprocess
    import sys

    root = _lib(tmp_path)
    done = subprocess.run([sys.executable, "-c", _KILLED, str(root), str(at)], check=False)
    # Killed at the step ``at`` of the save (99: never; the save done).
    assert done.returncode == (0 if at == 99 else -signal.SIGKILL)
    same_as_clean(root, tmp_path / "clean")
    assert "Saved, then killed." in (root / "site" / "papers" / "hu2021lora.html").read_text(
        "utf-8"
    )


def test_a_save_that_comes_while_serve_saves_the_cache_is_built_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache is being saved (held at its first step until the change is seen): the save
    # stops, the change is built, and the cache is saved later, at the latest when serve stops.
    import threading

    from papernotes.cli import serve as serve_cli

    from serving import start

    saving, real = threading.Event(), deferred.give_up_if
    given_up: list[bool] = []

    def held(give_up):  # type: ignore[no-untyped-def]
        if give_up is not None and not saving.is_set():
            saving.set()
            for _ in range(600):  # until the watcher says a change came (or 30 s)
                if give_up():
                    break
                threading.Event().wait(0.05)
            given_up.append(give_up())
        real(give_up)

    monkeypatch.setattr(serve_cli, "SAVE_AFTER", 0.0)
    monkeypatch.setattr("papernotes.incremental.store.give_up_if", held)
    live = start(_lib(tmp_path))
    try:
        note = live.root / "papers" / "peft" / "lora.md"
        first = live.state.generation
        note.write_text(note.read_text("utf-8") + "\nFirst save.\n", encoding="utf-8")
        assert saving.wait(30), "the cache was never saved"
        note.write_text(note.read_text("utf-8") + "\nSecond save.\n", encoding="utf-8")
        for _ in range(600):
            if live.state.generation >= first + 2:
                break
            threading.Event().wait(0.05)
        assert live.state.generation >= first + 2
        assert given_up == [True]
    finally:
        live.close()
    assert same_as_clean(live.root, tmp_path / "clean", live.site).up_to_date
    assert "Second save." in (live.site / "papers" / "hu2021lora.html").read_text("utf-8")


def test_the_build_loop_takes_what_came_as_one_batch_and_builds_it_before_it_ends() -> None:
    import queue
    import threading

    from papernotes.cli.serve import _next_batch

    batches: queue.SimpleQueue[set[str] | None] = queue.SimpleQueue()
    arrived = threading.Event()
    assert _next_batch(batches, arrived, 0.01) == set()  # nothing came: the loop may save
    for batch in ({"a.md"}, {"b.md"}, None):  # two batches, then the watcher ended
        batches.put(batch)
    arrived.set()
    assert _next_batch(batches, arrived, 0.01) == {"a.md", "b.md"}  # one build
    assert not arrived.is_set()
    assert _next_batch(batches, arrived, 0.01) is None  # then the end


def test_the_versions_of_a_large_cache_are_made_asking_between_steps() -> None:
    from papernotes.incremental import versions
    from papernotes.incremental.cache import BuildCache
    from papernotes.incremental.deferred import STEP, SaveAbandoned

    n = 2 * STEP + 1
    notes = {f"papers/{i}.md": (f"{i:032x}", None, ()) for i in range(n)}
    made = BuildCache("key", notes, {}, {}, {})  # type: ignore[arg-type]
    never = _Asked(-1)
    marks = versions.marks(made, never)
    # Once before each part's fingerprints are gathered, then every STEP entries.
    asked = len(versions.ATTRS) + 3
    assert never.asked == asked and len(marks) == n and marks == versions.marks(made)
    assert marks["papers/7.md"] == (f"{7:032x}", None, None, None, None)
    for at in range(asked):
        with pytest.raises(SaveAbandoned):
            versions.marks(made, _Asked(at))
    never = _Asked(-1)
    assert versions.versions(made, marks, never) == versions.versions(made, marks)
    assert never.asked == 3
    with pytest.raises(SaveAbandoned):
        versions.versions(made, marks, _Asked(1))


def test_the_buckets_of_a_large_cache_are_grouped_and_compared_asking_between_steps() -> None:
    # At 50,000 notes the two passes were 0.2 s that a save coming meanwhile waited for.
    from papernotes.incremental import entryfile, packs
    from papernotes.incremental.deferred import STEP, SaveAbandoned
    from papernotes.incremental.heads import OnDisk

    n = 2 * STEP + 1
    now = {f"papers/{i}.md": f"v{i}" for i in range(n)}
    never = _Asked(-1)
    count, buckets = packs.grouped(now, {}, never)
    assert never.asked == 3 and (count, buckets) == packs.grouped(now, {})
    assert sum(map(len, buckets.values())) == n and count == entryfile.buckets_for(n)
    for at in range(3):
        with pytest.raises(SaveAbandoned):
            packs.grouped(now, {}, _Asked(at))
    # Every entry on disk where it belongs, one of them at an older version.
    places = {p: (name, 0, 1, None) for name, paths in buckets.items() for p in paths}
    stored = OnDisk({**now, "papers/5.md": "old"}, places=places)  # type: ignore[arg-type]
    never = _Asked(-1)
    todo = packs.to_write(stored, now, buckets, never)
    assert todo == packs.to_write(stored, now, buckets)
    assert todo == [places["papers/5.md"][0]]
    assert never.asked >= 4  # both passes asked, every STEP entries
    for at in range(never.asked):
        with pytest.raises(SaveAbandoned):
            packs.to_write(stored, now, buckets, _Asked(at))


def test_the_watcher_says_a_change_came_before_the_build_loop_can_take_it() -> None:
    # Said after, the loop could take the batch and clear the flag first: the flag would stay
    # set with nothing to build, and every save of the cache would give up at once.
    import queue
    import threading

    from papernotes.cli.serve import _watch

    arrived, watching = threading.Event(), threading.Event()
    seen: list[tuple[set[str] | None, bool]] = []

    class Told(queue.SimpleQueue[set[str] | None]):
        def put(self, item: set[str] | None, block: bool = True, timeout: float | None = None):  # type: ignore[no-untyped-def]
            seen.append((item, arrived.is_set()))

    _watch(iter([set(), {(1, "/lib/papers/a.md")}]), Told(), arrived, watching)
    assert seen == [({"/lib/papers/a.md"}, True), (None, True)]
    assert watching.is_set()


def test_a_defect_in_the_build_loop_is_a_warning_and_the_site_stays_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    import threading
    import urllib.request

    from serving import start

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a defect")

    monkeypatch.setattr("papernotes.serve.watch.rebuild", broken)
    live = start(_lib(tmp_path))
    try:
        note = live.root / "papers" / "peft" / "lora.md"
        note.write_text(note.read_text("utf-8") + "\nA save.\n", encoding="utf-8")
        err = ""
        for _ in range(600):  # until the build loop has met the defect (or 30 s)
            err += capfd.readouterr().err
            if "a defect" in err:
                break
            threading.Event().wait(0.05)
        assert "papernotes: warning: not rebuilding on changes any more: a defect" in err
        assert "Traceback" not in err
        with urllib.request.urlopen(live.url) as page:  # the last site is still served
            assert page.status == 200
    finally:
        live.close()

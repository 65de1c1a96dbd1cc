"""A serve session, driven without a terminal: it keeps the library in memory, reads only the
files that moved, renders what changed, and saves the cache only when asked (after the
browser was told)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cachefiles import all_entries

from papernotes import load
from papernotes.build import build
from papernotes.config import Config, load_config
from papernotes.incremental import fastpath
from papernotes.incremental.cache import text_digest
from papernotes.incremental.deferred import ASIDE
from papernotes.incremental.session import Session
from papernotes.incremental.textmemo import TextMemo
from papernotes.serve.watch import rebuild

from conftest import copy_fixture, site_tree


def _lib(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    return root


def _touch(path: Path, text: str) -> None:
    """Write ``text`` and move the time on, so a same-size save in the same tick is seen."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def _counting_decode(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = load.decode

    def counting(raw: bytes, display: str):  # type: ignore[no-untyped-def]
        read.append(display)
        return real(raw, display)

    monkeypatch.setattr(load, "decode", counting)
    return read


def _built(tmp_path: Path) -> tuple[Path, Path, Config]:
    """A library built once by ``papernotes build``: its folder, its site and its config."""
    root = _lib(tmp_path)
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    return root, root / "site", config


def test_the_memo_reads_a_file_again_only_when_it_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = _counting_decode(monkeypatch)
    memo = TextMemo()
    note = tmp_path / "a.md"
    _touch(note, "one")
    assert memo(note, "papers/a.md") == load.Source("papers/a.md", "one", text_digest("one"))
    assert memo(note, "papers/a.md") == load.Source("papers/a.md", "one", text_digest("one"))
    assert read == ["papers/a.md"]
    _touch(note, "two")  # the same size: the time tells
    assert memo(note, "papers/a.md") == load.Source("papers/a.md", "two", text_digest("two"))
    assert read == ["papers/a.md"] * 2
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe not UTF-8")
    assert memo(bad, "papers/bad.md") is None  # load_sources reads it and says what is wrong
    assert memo(tmp_path / "gone.md", "papers/gone.md") is None
    memo.forget_unused()
    assert len(memo) == 1
    memo.forget_unused()  # a build that did not find a.md any more
    assert len(memo) == 0


@pytest.mark.parametrize(
    ("changed", "full"),
    [
        (["papers/peft/lora.md"], False),
        (["papers/peft/figures/new.svg"], False),
        (["papers/peft/deleted.md"], False),
        (["papernotes.yaml"], True),
        (["pyproject.toml"], True),
        (["templates/index.html"], True),
        (["styles/mine.csl"], True),
        (["papers/peft"], True),  # a folder
        (["papers/went-away"], True),  # a folder that went away
        (["papers/peft/lora.md", "papernotes.yaml"], True),
    ],
)
def test_what_a_change_makes_stale(tmp_path: Path, changed: list[str], full: bool) -> None:
    root = _lib(tmp_path)
    session = Session(root, root / "site")
    paths = [str(root.resolve() / p) for p in changed]
    assert session.invalidate(paths) is full


def test_a_save_reads_and_renders_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out)
    first = session.build()
    assert first.errors == 0 and first.written is not None
    session.persist()
    index = root / ".papernotes" / "cache" / "index.json"
    saved = index.read_bytes()
    read = _counting_decode(monkeypatch)
    note = root / "papers" / "peft" / "lora.md"
    _touch(note, note.read_text("utf-8") + "\nA sentence added while serving.\n")
    assert session.invalidate({str(note.resolve())}) is False
    report = session.build()
    assert read == ["papers/peft/lora.md"]  # the other notes came from memory
    assert report.written is not None and report.rendered < first.rendered
    assert "A sentence added while serving." in (out / "papers" / "hu2021lora.html").read_text(
        "utf-8"
    )
    # The cache waits for persist(), which the server calls after the reload event; its
    # index meanwhile set aside, as it is not the site's.
    aside = index.with_name(ASIDE)
    assert not index.exists() and aside.read_bytes() == saved
    config, _ = load_config(root)
    assert session.persist() == ()
    assert index.read_bytes() != saved and not aside.exists()
    assert build(root, config, out=out).up_to_date
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert site_tree(out) == site_tree(clean)


def test_a_build_after_a_save_never_saved_makes_the_site_a_clean_build_makes(
    tmp_path: Path,
) -> None:
    # The server saved a note and was killed before it saved its cache; the note then went
    # back to its text the cache knows. The page shows the save's text: it must be made again.
    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    session.persist()
    note = root / "papers" / "peft" / "lora.md"
    text = note.read_text("utf-8")
    _touch(note, text + "\nA sentence the cache never saw.\n")
    session.invalidate({str(note.resolve())})
    assert session.build().rendered > 0
    del session  # killed: nothing saved
    _touch(note, text)
    config, _ = load_config(root)
    report = build(root, config, out=out)
    assert report.errors == 0 and not report.up_to_date
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert site_tree(out) == site_tree(clean)
    assert "never saw" not in (out / "papers" / "hu2021lora.html").read_text("utf-8")


def test_the_first_build_of_a_session_starts_from_the_saved_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only a build from the cache in memory sets the index aside: the first one reads it.
    from papernotes.incremental import cache

    root, out, _ = _built(tmp_path)
    found: list[bool] = []
    real = cache.read_cache

    def reading(*args, **kwargs):  # type: ignore[no-untyped-def]
        got = real(*args, **kwargs)
        found.append(got[0] is not None)
        return got

    monkeypatch.setattr(cache, "read_cache", reading)
    session = Session(root, out)
    assert session.build(hold=True).errors == 0
    assert found == [True]
    assert session.persist() == ()


def test_a_save_that_writes_nothing_leaves_the_index_in_place(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    session.persist()
    index = root / ".papernotes" / "cache" / "index.json"
    saved = index.read_bytes()
    note = root / "papers" / "peft" / "lora.md"
    _touch(note, note.read_text("utf-8") + "\nCites [@no-such-key-anywhere].\n")
    session.invalidate({str(note.resolve())})
    report = session.build(strict=True, keep_going=False)
    assert report.errors > 0 and report.written is None
    assert index.read_bytes() == saved and not index.with_name(ASIDE).exists()
    assert session.persist() == ()


def test_a_broken_configuration_then_a_fixed_one(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    session.persist()
    config = root / "papernotes.yaml"
    good = config.read_text("utf-8") if config.exists() else ""
    _touch(config, "title: [\n")
    outcome = rebuild(root, out, session, {str(config.resolve())})
    assert outcome.problems and "papernotes.yaml" in outcome.problems[0]
    _touch(config, good + "\ntitle: Served Notes\n")
    outcome = rebuild(root, out, session, {str(config.resolve())})
    assert outcome.problems == () and outcome.status and outcome.status.startswith("rebuilt")
    session.persist()
    assert "Served Notes" in (out / "index.html").read_text("utf-8")


def test_a_cache_that_cannot_be_saved_is_written_whole_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes.incremental import store

    root = _lib(tmp_path)
    session = Session(root, root / "site")
    assert session.build().errors == 0
    real = store.save

    def failing(root: Path, cache, **kw):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device", "index.json")

    monkeypatch.setattr(store, "save", failing)
    problems = session.persist()
    assert [d.message for d in problems] == ["cannot save the build cache: No space left on device"]
    monkeypatch.setattr(store, "save", real)
    entries = root / ".papernotes" / "cache" / "packs"
    for entry in entries.glob("*.pack"):
        entry.unlink()  # whatever was there, the session must not count on it
    note = root / "papers" / "peft" / "lora.md"
    _touch(note, note.read_text("utf-8") + "\nMore.\n")
    session.invalidate({str(note.resolve())})
    assert session.build().errors == 0
    assert session.persist() == ()
    notes = len(list((root / "papers").rglob("*.md")))
    assert len(all_entries(root)) == notes


def test_a_held_first_build_leaves_the_first_save_nothing_to_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from papernotes.incremental import session as session_module
    from papernotes.incremental import store

    root, out, config = _built(tmp_path)
    session = Session(root, out)
    first = session.build(hold=True)
    assert first.up_to_date and first.errors == 0  # said as a build that found nothing to do
    session.persist()

    def no_disk(*_: object) -> None:
        raise AssertionError("the save read the cache from disk")

    monkeypatch.setattr(store, "load", no_disk)
    real_run = session_module.run
    collector: list[bool] = []

    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        collector.append(gc.isenabled())
        return real_run(*args, **kwargs)

    monkeypatch.setattr(session_module, "run", run)
    note = root / "papers" / "peft" / "lora.md"
    _touch(note, note.read_text("utf-8") + "\nHeld and saved.\n")
    session.invalidate({str(note.resolve())})
    report = session.build()
    assert report.errors == 0 and report.rendered > 0
    assert collector == [False] and gc.isenabled()  # paused for the save only
    session.persist()
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert site_tree(out) == site_tree(clean)


def test_without_hold_a_session_on_a_built_site_does_nothing(tmp_path: Path) -> None:
    root, out, _ = _built(tmp_path)
    session = Session(root, out)
    report = session.build()
    assert report.up_to_date and report.rendered == 0
    assert session.persist() == ()  # nothing was run, so nothing waits to be saved


@pytest.mark.parametrize(
    ("edit", "indexed_again"),
    [
        (lambda text: text + "\nA sentence added while serving.\n", False),  # the body only
        (lambda text: text.replace("tags: [peft, 低秩]", "tags: [peft, 低秩, new]"), True),
        (lambda text: text.replace("year: 2022", "year: 2020"), True),
    ],
)
def test_a_save_indexes_tags_authors_and_years_again_only_when_metadata_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[str], str], indexed_again: bool
) -> None:
    from papernotes import render

    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    made: list[int] = []
    real = render.SiteIndex.of

    def counting(library):  # type: ignore[no-untyped-def]
        made.append(len(library.notes))
        return real(library)

    monkeypatch.setattr(render.SiteIndex, "of", counting)
    note = root / "papers" / "peft" / "lora.md"
    text = note.read_text("utf-8")
    assert edit(text) != text
    _touch(note, edit(text))
    session.invalidate({str(note.resolve())})
    assert session.build().errors == 0
    assert bool(made) is indexed_again
    config, _ = load_config(root)
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert site_tree(out) == site_tree(clean)


@pytest.mark.parametrize(
    ("edit", "all_again"),
    [
        (lambda text: text + "\nA sentence added while serving.\n", False),  # the body only
        # Another note's heading: what a citation of it shows may change, so every note's.
        (lambda text: text.replace("year: 2022", "year: 2021"), True),
    ],
)
def test_a_save_fingerprints_again_only_the_bodies_whose_links_may_resolve_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[str], str], all_again: bool
) -> None:
    from papernotes import fingerprints

    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out)
    first = session.build()
    assert first.errors == 0
    made: list[str] = []
    real = fingerprints.body_fingerprint

    def counting(note, *args):  # type: ignore[no-untyped-def]
        made.append(note.key)
        return real(note, *args)

    monkeypatch.setattr(fingerprints, "body_fingerprint", counting)
    made_all = [str(k) for k in session_keys(root)]
    note = root / "papers" / "peft" / "lora.md"
    _touch(note, edit(note.read_text("utf-8")))
    session.invalidate({str(note.resolve())})
    assert session.build().errors == 0
    assert sorted(made) == (sorted(made_all) if all_again else ["hu2021lora"])
    config, _ = load_config(root)
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert site_tree(out) == site_tree(clean)


def session_keys(root: Path) -> list[str]:
    """The keys of the library's notes, as a clean read finds them."""
    from papernotes.build import read_library

    config, _ = load_config(root)
    library, _ = read_library(root, config)
    return list(library.notes)


def test_a_file_added_next_to_the_notes_reaches_the_pages_that_link_to_it(tmp_path: Path) -> None:
    # What a note's links resolve to is kept between saves while the library's files are the
    # same: a file that appears must still be copied, and the link to it made anew.
    root = _lib(tmp_path)
    out = root / "site"
    note = root / "papers" / "peft" / "lora.md"
    _touch(note, note.read_text("utf-8") + "\nSee [the data](data.csv).\n")
    session = Session(root, out)
    assert session.build().errors == 0
    before = (out / "papers" / "hu2021lora.html").read_text("utf-8")
    data = root / "papers" / "peft" / "data.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    session.invalidate({str(data.resolve())})
    assert session.build().errors == 0
    assert (out / "papers" / "hu2021lora.html").read_text("utf-8") != before
    config, _ = load_config(root)
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert site_tree(out) == site_tree(clean)
    assert any(p.endswith("data.csv") for p in site_tree(out))


def test_a_deferring_session_leaves_the_collector_to_after_the_save(tmp_path: Path) -> None:
    import gc

    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out, defer_collector=True)
    assert session.build().errors == 0
    session.persist()
    assert gc.get_freeze_count() == 0  # the first build reads from disk: nothing deferred
    walks: list[int] = []

    def counting(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            walks.append(info["generation"])

    note = root / "papers" / "peft" / "lora.md"
    _touch(note, note.read_text("utf-8") + "\nDeferred.\n")
    session.invalidate({str(note.resolve())})
    gc.callbacks.append(counting)
    try:
        assert session.build().rendered > 0
        assert walks == [] and gc.isenabled()  # not even the young objects walked
        assert gc.get_freeze_count() > 0  # the save's objects, until persisted
        session.persist()
        assert gc.get_freeze_count() == 0
    finally:
        gc.callbacks.remove(counting)
        if gc.get_freeze_count():
            gc.unfreeze()
    clean = tmp_path / "clean"
    config, _ = load_config(root)
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(out) == site_tree(clean)


@pytest.mark.parametrize("given", [".", "abs"])
def test_a_save_finds_the_files_told_in_the_stamp_without_naming_every_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """The watcher gives absolute paths; a stamp names the inputs as the library folder was
    given (``papernotes serve`` inside the library: relative). A save looks up the files it
    was told of, not every input's absolute path (20,000 of them at 20,000 notes)."""
    root = _lib(tmp_path)
    monkeypatch.chdir(root)
    lib = Path(".") if given == "." else root
    session = Session(lib, lib / "site")
    assert session.build(hold=True).errors == 0
    session.persist()
    restamped: list[object] = []
    real = fastpath.restamp
    monkeypatch.setattr(fastpath, "restamp", lambda *a: restamped.append(a) or real(*a))
    for text in ("\nSaved once.\n", "\nSaved twice.\n"):
        note = root / "papers" / "peft" / "lora.md"
        _touch(note, note.read_text("utf-8") + text)
        session.invalidate({str(note.resolve())})
        report = session.build()
        assert report.errors == 0 and report.rendered > 0
        assert session.made.get("look-file") == 1
        session.persist()
    assert restamped == []  # patched in place: no stamp taken afresh
    assert session._paths is None  # no map of every input made
    # A file that is no input yet (a new note) still finds its way: a stamp taken afresh.
    new = root / "papers" / "new.md"
    new.write_text(
        (root / "papers" / "peft" / "lora.md")
        .read_text("utf-8")
        .replace("hu2021lora", "new2024note"),
        "utf-8",
    )
    session.invalidate({str(new.resolve())})
    assert session.build().errors == 0
    session.persist()
    clean = tmp_path / "clean"
    config, _ = load_config(root)
    build(root, config, out=clean, use_cache=False)
    assert site_tree(root / "site") == site_tree(clean)


def test_the_first_save_after_a_held_build_patches_as_every_later_one(tmp_path: Path) -> None:
    # Held on a built site, the stages took the last build's values from the cache, read
    # lazily; the first save then made a map of every note's bodies, documents and terms.
    # The held build runs them once more itself, so the first save patches the saved note's.
    root, out, config = _built(tmp_path)
    session = Session(root, out)
    assert session.build(hold=True).up_to_date
    session.persist()
    note = root / "papers" / "peft" / "lora.md"
    for line in ("\nA first save.\n", "\nA second save.\n"):
        _touch(note, note.read_text("utf-8") + line)
        session.invalidate({str(note.resolve())})
        assert session.build().rendered > 0
        made = session.made
        assert made["patched-bodies"] == made["patched-search-docs"] == 1
        session.persist()
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert site_tree(out) == site_tree(clean)

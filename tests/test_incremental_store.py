"""The cache on disk is an index and an entry per note in a few bucket files: an edit rewrites
one bucket, a bad entry costs only its note, a deleted note's entry goes, and nothing is read or
written through a symlink."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from cachefiles import all_entries, bucket, encoded_here, entry, rewrite_entry

from papernotes import parse
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import cache as cache
from papernotes.incremental import drawn, entryfile, entryread, lazy, packs, store
from papernotes.incremental.store import ENTRIES

from conftest import copy_fixture, note_text, site_tree, write_note


def _lib(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    return root


def _build(root: Path, out: Path | None = None, **kw: object):  # type: ignore[no-untyped-def]
    config, _ = load_config(root)
    report = build(root, config, out=out or root / "site", **kw)  # type: ignore[arg-type]
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    return report


def _entries(root: Path) -> dict[str, int]:
    folder = root / ".papernotes" / "cache" / ENTRIES
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


LORA = "papers/peft/lora.md"


def _read_caches(monkeypatch: pytest.MonkeyPatch) -> list[cache.BuildCache]:
    """The caches the builds from now on read from disk."""
    read: list[cache.BuildCache] = []
    real = cache.read_cache

    def keep(*args, **kw):  # type: ignore[no-untyped-def]
        found = real(*args, **kw)
        if found[0] is not None:
            read.append(found[0])
        return found

    monkeypatch.setattr(cache, "read_cache", keep)
    return read


def _edit_lora(root: Path, monkeypatch: pytest.MonkeyPatch) -> cache.BuildCache:
    """Append a line to the LoRA note and build: the cache that build read from disk."""
    read = _read_caches(monkeypatch)
    path = root / LORA
    path.write_text(path.read_text("utf-8") + "\nOne more line.\n", encoding="utf-8")
    _build(root)
    (loaded,) = read
    return loaded


def test_an_edit_rewrites_only_its_own_bucket(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    for i in range(40):  # more buckets than one
        write_note(root, f"f{i}.md", note_text(f"Filler {i}", extra=f"id: filler{i}\n"))
    _build(root)
    before, held = _entries(root), all_entries(root)
    notes = [p for p in (root / "papers").rglob("*.md")]
    assert len(held) == len(notes) and 10 < len(before) < len(notes)
    path = root / LORA
    path.write_text(path.read_text("utf-8") + "\nOne more line.\n", encoding="utf-8")
    _build(root)
    after = _entries(root)
    assert set(after) == set(before)
    assert {n for n in after if after[n] != before[n]} == {bucket(root, LORA).name}
    now = all_entries(root)
    assert {p for p in now if now[p] != held[p]} == {LORA}  # its neighbours copied as they were


def test_a_save_names_only_the_entries_it_writes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # serve's save: the entries of the other notes are copied by their lines, and with the
    # same notes as on disk there is none to remove: no name made (nor the folder listed)
    # per note of the library.
    from papernotes.incremental.session import Session

    root = _lib(tmp_path)
    for i in range(12):
        write_note(root, f"f{i}.md", note_text(f"Filler {i}", extra=f"id: filler{i}\n"))
    _build(root)
    session = Session(root, root / "site")
    session.build(hold=True)
    session.persist()
    named: list[str] = []
    real, lora = entryfile.bucket_of, bucket(root, LORA).name

    def naming(path: str, count: int) -> str:
        named.append(path)
        return real(path, count)

    monkeypatch.setattr(entryfile, "bucket_of", naming)
    monkeypatch.setattr(packs, "remove_stale", lambda *_: named.append("<listed>"))
    path = root / LORA
    path.write_text(path.read_text("utf-8") + "\nOne more line.\n", encoding="utf-8")
    session.invalidate({str(path.resolve())})
    assert session.build().errors == 0
    before = _entries(root)
    session.persist()
    after = _entries(root)
    written = {n for n in after if after[n] != before[n]}
    assert written == {lora} and len(after) > 5
    assert named == [], named  # the buckets known from the read: none named, none listed
    named.clear()
    gone = root / "papers" / "f3.md"
    gone.unlink()  # a note gone: its entry is removed
    session.invalidate({str(gone.resolve())})
    assert session.build().errors == 0
    session.persist()
    assert named[-1] == "<listed>"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: text.replace('"note":[', '"note":[1,'),  # the wrong shape
        lambda text: text.replace(LORA, "papers/other.md", 1),  # another note's entry
        lambda text: "[" * 50_000 + "]" * 50_000,  # too deep
    ],
    ids=["cut", "shape", "other", "deep"],
)
def test_a_bad_entry_redoes_only_its_note(tmp_path: Path, monkeypatch, spoil) -> None:  # type: ignore[no-untyped-def]
    root = _lib(tmp_path)
    _build(root)
    for i in range(40):  # a bucket holds other notes' entries too
        write_note(root, f"f{i}.md", note_text(f"Filler {i}", extra=f"id: filler{i}\n"))
    _build(root)
    rewrite_entry(root, LORA, lambda data: spoil(data.decode("utf-8")).encode("utf-8"))
    (root / ".papernotes" / "cache" / "stamp.json").unlink()  # so that the build runs
    parsed: list[str] = []
    real = parse.parse_note

    def counting(path: str, *args, **kw):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return real(path, *args, **kw)

    monkeypatch.setattr(parse, "parse_note", counting)
    _build(root)
    assert parsed == [LORA]
    head = json.loads(entry(root, LORA).partition(b"\n")[0])
    assert head["path"] == LORA  # written again, whole
    clean = _build(root, tmp_path / "clean", use_cache=False)
    assert clean.written is not None
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_deleted_notes_entry_is_removed_and_nothing_else(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    write_note(root, "gone.md", note_text("Gone Paper", extra="id: gonepaper\n"))
    _build(root)
    folder = root / ".papernotes" / "cache" / ENTRIES
    assert "papers/gone.md" in all_entries(root)
    mine = folder / "README.txt"  # a file papernotes did not write
    mine.write_text("keep me", encoding="utf-8")
    other = folder / "16-fff.pack.txt"  # nor this one
    other.write_text("keep me", encoding="utf-8")
    stale = folder / "32-000.pack"  # one it writes, of no note now (another count of buckets)
    stale.write_bytes(b"")
    (root / "papers" / "gone.md").unlink()
    _build(root)
    assert "papers/gone.md" not in all_entries(root)
    assert mine.read_text("utf-8") == other.read_text("utf-8") == "keep me"
    assert not stale.exists()
    notes = len(list((root / "papers").rglob("*.md")))
    assert len(all_entries(root)) == notes
    assert all(b"papers/gone.md" not in p.read_bytes() for p in folder.glob("*.pack"))


def test_an_entry_that_is_a_symlink_is_not_followed(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    _build(root)
    file = bucket(root, LORA)
    outside = tmp_path / "outside.json"
    original = file.read_bytes()
    outside.write_bytes(original)  # a valid entry, but not in the library
    file.unlink()
    file.symlink_to(outside)
    key = json.loads((root / ".papernotes" / "cache" / "index.json").read_bytes())["key"]
    loaded = cache.load_cache(root, key)
    assert loaded is not None and LORA not in loaded.notes and loaded.notes
    (root / ".papernotes" / "cache" / "stamp.json").unlink()
    _build(root)
    assert not file.is_symlink() and file.is_file()  # the link was replaced, not written through
    assert outside.read_bytes() == original


def test_an_entries_folder_that_leads_outside_is_not_used(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    (elsewhere / "16-000.pack").write_text("my own file", encoding="utf-8")
    (root / ".papernotes" / "cache").mkdir(parents=True)
    (root / ".papernotes" / "cache" / ENTRIES).symlink_to(elsewhere)
    report = _build(root)
    assert report.written is not None
    assert [d.message for d in report.diagnostics if "cache" in d.message]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["16-000.pack"]
    assert (elsewhere / "16-000.pack").read_text("utf-8") == "my own file"


def test_the_collector_does_not_walk_the_cache_as_it_is_read_or_after(tmp_path: Path) -> None:
    # Decoding a cache makes objects that all survive: collecting while they are made, or
    # walking them again later in the build, was a tenth of an edit build at 1,000 notes.
    root = _lib(tmp_path)
    _build(root)
    key = json.loads((root / ".papernotes" / "cache" / "index.json").read_bytes())["key"]
    runs: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.callbacks.append(count)
    try:
        loaded, damage = store.read(root, key)
        assert loaded is not None and loaded.notes and damage == ()
        assert runs == [] and gc.isenabled()  # none while reading; on again after
        assert gc.get_freeze_count() == 0  # read outside a build: nothing else changes
        with cache.build_lock(root):
            loaded, problems = cache.read_cache(root, key)
            assert loaded is not None and loaded.notes and problems == ()
            assert runs == []
            assert gc.get_freeze_count() > 0  # left out of the collector's walks…
        assert gc.get_freeze_count() == 0  # …until the build lets go of the library
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()


def test_a_build_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    _build(root)
    write_note(root, "new.md", note_text("New Paper", extra="id: newpaper\n"))
    gc.freeze()  # a caller's own frozen objects stay frozen
    try:
        mine = gc.get_freeze_count()
        _build(root)
        assert gc.get_freeze_count() >= mine > 0 and gc.isenabled()
    finally:
        gc.unfreeze()
    write_note(root, "newer.md", note_text("Newer Paper", extra="id: newerpaper\n"))
    _build(root)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_an_edit_decodes_the_search_terms_of_its_note_only(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The stored search index is updated from the edited note's old and new terms: the other
    # notes' terms stay undecoded JSON (a quarter of reading the cache at 1,000 notes).
    root = _lib(tmp_path)
    for n in range(4):
        write_note(root, f"n{n}.md", note_text(f"Paper {n}", extra=f"id: paper{n}\n"))
    _build(root)
    loaded = _edit_lora(root, monkeypatch)
    notes = len(list((root / "papers").rglob("*.md")))
    assert len(loaded.terms) == notes > 3
    assert isinstance(loaded.terms, lazy.Parts) and loaded.terms.decoded == 1
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_part_that_does_not_decode_is_made_again_and_written_again(tmp_path: Path) -> None:
    # Its length is right (a changed byte, or a crafted file): it is found out only when it is
    # decoded, and then made as a clean build makes it, and its entry saved whole again.
    root = _lib(tmp_path)
    _build(root)
    head, parsed, *parts = entry(root, LORA).split(b"\n")  # the note's parsed body second
    body = parts[store.PARTS.index("body")]
    parts[store.PARTS.index("body")] = b"[" + b" " * (len(body) - 2) + b"]"
    rewrite_entry(root, LORA, lambda _: b"\n".join([head, parsed, *parts]))
    other = root / "papers" / "other.md"
    write_note(root, "other.md", note_text("Other Paper", extra="id: otherpaper\n"))
    report = _build(root)
    assert not [d for d in report.diagnostics if "cache" in d.message]
    assert entry(root, LORA).split(b"\n")[2 + store.PARTS.index("body")] == body
    other.unlink()
    _build(root)
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_parsed_body_that_does_not_decode_makes_the_build_again_without_the_cache(
    tmp_path: Path,
) -> None:
    # Its length is right (a crafted file): it is found out only when something reads the
    # note's body (``lazybody``), after the library is made from it; the build is made again
    # without the cache, with one warning, and the site is a clean build's.
    root = _lib(tmp_path)
    _build(root)
    head, parsed, *parts = entry(root, LORA).split(b"\n")
    spoilt = b"\n".join([head, b"[" + b" " * (len(parsed) - 2) + b"]", *parts])
    rewrite_entry(root, LORA, lambda _: spoilt)
    # A new note: the names move, so every note's links by section are read from its body.
    write_note(root, "other.md", note_text("Other Paper", extra="id: otherpaper\n"))

    report = _build(root, strict=True)  # a damaged cache is not the library's fault

    said = [d for d in report.diagnostics if "build cache" in d.message]
    assert len(said) == 1 and "body does not decode" in said[0].message, said
    assert entry(root, LORA).split(b"\n")[1] == parsed  # saved whole again
    assert _build(root).up_to_date
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_search_terms_cached_under_another_index_format_are_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A theme of the library's own keeps the cache key when search.js changes, so the index
    format is in each search document's digest: no terms of the old format are reused."""
    from papernotes.incremental import searchstate
    from papernotes.search import index

    root = _lib(tmp_path)
    _build(root)
    made: list[str] = []
    real = index.doc_terms

    def counting(doc, *args, **kw):  # type: ignore[no-untyped-def]
        made.append(doc.key)
        return real(doc, *args, **kw)

    monkeypatch.setattr(searchstate, "doc_terms", counting)
    monkeypatch.setattr(searchstate, "INDEX_FORMAT", searchstate.INDEX_FORMAT + 1)
    write_note(root, "new.md", note_text("A New Paper", extra="id: newpaper\n"))  # so it runs
    _build(root)
    assert len(made) > 1 and "newpaper" in made


def test_an_edit_decodes_no_other_body_or_references_but_the_feeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Planning an edit build reads no other note's body (the diagram check looks at the
    # undecoded JSON) nor its references (the page fingerprints take their fingerprint): of
    # the other bodies, only the feed's (the notes with a read date) are decoded, for their
    # summaries. The edited note's old references are read, to reuse them.
    root = _lib(tmp_path)
    for n in range(6):
        write_note(root, f"n{n}.md", note_text(f"Paper {n}", extra=f"id: paper{n}\n"))
    read_on = note_text("Read Paper", extra="id: readpaper\nread: 2024-05-01\n")
    write_note(root, "read.md", read_on)
    _build(root)
    loaded = _edit_lora(root, monkeypatch)
    assert isinstance(loaded.bodies, lazy.Parts) and isinstance(loaded.refs, lazy.Parts)
    assert len(loaded.bodies) == len(loaded.refs) == 9
    assert loaded.bodies.decoded == 1  # readpaper's, in the feed with the edited lora
    assert loaded.refs.decoded == 1  # lora's own
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


@pytest.mark.parametrize("other", ["diagram", "marker in text"])
def test_a_diagram_in_an_unchanged_body_is_seen_by_an_edit_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, other: str
) -> None:
    # The mermaid assets follow every body, the undecoded ones too: whether an unchanged body
    # draws a diagram is in the summary (``incremental.drawn``), so none is decoded to know.
    root = _lib(tmp_path)
    body = (
        "```mermaid\ngraph TD\n  A --> B\n```\n"
        if other == "diagram"
        else 'Write `<pre class="mermaid">` to draw.\n'
    )
    write_note(root, "d.md", note_text("Drawn", extra="id: drawn\n", body=body))
    _build(root)
    loaded = _edit_lora(root, monkeypatch)
    assert isinstance(loaded.bodies, lazy.Parts)
    assert loaded.bodies.decoded == 0  # lora's is made, drawn's is known from the summary
    has_mermaid = (root / "site" / "static" / "mermaid").is_dir()
    assert has_mermaid is (other == "diagram")
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_build_keeps_the_search_terms_as_the_text_it_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Memory: once the search index is made, the terms are read only by the cache's save, so
    # the parent (and the workers it forks for the pages) holds each as its JSON text, which
    # the save writes without decoding it: the entries are those of terms kept as dicts.
    from papernotes import plan

    root = _lib(tmp_path)
    sites: list[plan.RenderedSite] = []
    real = plan.render_site

    def keep(*args, **kw):  # type: ignore[no-untyped-def]
        found = real(*args, **kw)
        sites.append(found[0])
        return found

    monkeypatch.setattr(plan, "render_site", keep)
    _build(root)
    (site,) = sites
    assert isinstance(site.terms, lazy.Parts) and len(site.terms) == 2
    assert site.terms.decoded == 2  # once each, by the index: spooled as they were made
    packed = {p.name: p.read_bytes() for p in (root / ".papernotes/cache" / ENTRIES).iterdir()}
    monkeypatch.setattr(store, "pack", lambda terms: terms)
    _build(root, use_cache=False)
    _build(root)
    kept = {p.name: p.read_bytes() for p in (root / ".papernotes/cache" / ENTRIES).iterdir()}
    assert packed == kept


@pytest.mark.parametrize("edit", ["drawn", "plain"])
def test_an_edit_build_looks_at_the_edited_body_only_for_a_diagram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    # The summary names the notes whose bodies draw a diagram: an edit build looks at the
    # edited body alone, and the assets follow it whether the edit takes the only diagram
    # out or leaves the diagram of an unchanged note.
    root = _lib(tmp_path)
    for n in range(5):
        write_note(root, f"n{n}.md", note_text(f"Paper {n}", extra=f"id: paper{n}\n"))
    diagram = "```mermaid\ngraph TD\n  A --> B\n```\n"
    write_note(root, "d.md", note_text("Drawn", extra="id: drawn\n", body=diagram))
    _build(root)
    looked: list[str] = []
    real = drawn.may_hold
    monkeypatch.setattr(drawn, "may_hold", lambda b, k, t: looked.append(k) or real(b, k, t))
    if edit == "drawn":
        write_note(root, "d.md", note_text("Drawn", extra="id: drawn\n", body="No more.\n"))
    else:
        write_note(root, "n3.md", note_text("Paper 3", extra="id: paper3\n", body="Edited.\n"))
    _build(root)
    assert looked == (["drawn"] if edit == "drawn" else ["paper3"])
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")
    assert (root / "site" / "static" / "mermaid" / "mermaid.min.js").is_file() is (edit == "plain")


def test_an_edit_reads_the_other_entries_no_further_than_their_first_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every entry's first line is read (the notes are linked together), from the heads file
    # (``incremental.heads``: no bucket is read for it), but an entry's other lines only when
    # its note's body or a part is read, once for each, and only that entry's bytes
    # (``entryread``): the others are neither read nor held in memory, and the edited note's
    # entry is written again from what was read.
    from papernotes.incremental import lazybody

    root = _lib(tmp_path)
    for n in range(6):
        write_note(root, f"n{n}.md", note_text(f"Paper {n}", extra=f"id: paper{n}\n"))
    read_on = note_text("Read Paper", extra="id: readpaper\nread: 2024-05-01\n")
    write_note(root, "read.md", read_on)
    _build(root)
    heads: list[str] = []
    whole: list[str] = []
    lines: list[int] = []
    bodies: list[object] = []
    entries: list[int] = []
    real_scan, real_bytes, real_pread = entryread.scan_file, entryread.read_bytes, entryread._pread
    real_line = entryread._line_alone
    monkeypatch.setattr(entryread, "scan_file", lambda p: heads.append(p) or real_scan(p))
    monkeypatch.setattr(entryread, "read_bytes", lambda p: whole.append(str(p)) or real_bytes(p))
    monkeypatch.setattr(
        entryread, "_pread", lambda p, at, n: entries.append(n) or real_pread(p, at, n)
    )
    monkeypatch.setattr(entryread, "_line_alone", lambda *a: lines.append(a[-1]) or real_line(*a))
    monkeypatch.setattr(lazybody, "decoded", bodies.append)
    loaded = _edit_lora(root, monkeypatch)
    assert [p for p in whole if f"/cache/{ENTRIES}/" in p] == []  # no bucket read whole
    parts = (loaded.bodies, loaded.terms, loaded.refs, loaded.docs)
    assert all(isinstance(p, lazy.Parts) for p in parts)
    decoded = sum(p.decoded for p in parts if isinstance(p, lazy.Parts)) + len(bodies)
    assert heads == [] and len(loaded.notes) == 9
    assert 0 < len(lines) == decoded < 9 * 5  # a line read for each value decoded, no more
    assert entries == []  # each alone: no entry read whole while it begins as it did
    assert loaded.terms.decoded == 1  # lora's own, of the terms
    held = [k for p in parts for k in p if type(p._raw.get(k)) is bytes]  # type: ignore[attr-defined]
    assert held == []  # each text read was decoded and let go; none held
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_library_grown_past_a_power_of_two_moves_every_entry_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The count of buckets doubles: every entry goes to a bucket of the new count, copied as
    # it was (none encoded again but the new note's), and the buckets of the old count go.
    monkeypatch.setattr(entryfile, "PER_BUCKET", 1)  # 16 notes fill the fewest buckets
    root = _lib(tmp_path)
    have = len(list((root / "papers").rglob("*.md")))
    for i in range(16 - have):
        write_note(root, f"f{i}.md", note_text(f"Filler {i}", extra=f"id: filler{i}\n"))
    _build(root)
    folder = root / ".papernotes" / "cache" / ENTRIES
    assert {p.name.partition("-")[0] for p in folder.iterdir()} == {"16"}
    held = all_entries(root)
    encoded = encoded_here(monkeypatch)
    write_note(root, "extra.md", note_text("Extra Paper", extra="id: extrapaper\n"))
    _build(root)
    assert {p.name.partition("-")[0] for p in folder.iterdir()} == {"32"}
    now = all_entries(root)
    assert set(now) == {*held, "papers/extra.md"}
    assert encoded == ["papers/extra.md"]
    assert [p for p in held if now[p] != held[p]] == []
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")

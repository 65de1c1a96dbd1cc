"""A build's own rendered bodies and search terms are held compressed once the search index
is made: the parent of the page workers decodes none of them, and the cache gets them as it
would the objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import lazy, parallel, store
from papernotes.incremental.entryfile import dump
from papernotes.incremental.packed import Packed, pack_bodies
from papernotes.markdown._types import RenderedBody

from conftest import catch_saves, note_text, site_tree, write_note


def _body(i: int) -> RenderedBody:
    text = " ".join(f"word{j % 50} of note {i}" for j in range(300))
    return RenderedBody(f'<p class="x">{text}</p>', "", text)


def test_packed_bodies_read_back_equal_and_hold_a_fraction_of_their_text() -> None:
    bodies = {f"k{i}": (f"fp{i}", _body(i)) for i in range(20)}
    packed = pack_bodies(bodies)
    assert isinstance(packed, Packed)
    held = sum(len(t) for t in packed._raw.values())
    shown = sum(len(b.html) + len(b.text) for _, b in bodies.values())
    assert held * 4 < shown
    assert list(packed) == list(bodies)
    codec, tp = store._codec(), store._types()["body"]
    assert packed.raw("k3") == dump(codec.encode(bodies["k3"][1], tp))  # what the store writes
    assert lazy.fingerprint_of(packed, "k3") == "fp3"
    assert packed.may_hold("k3", "word7 of note 3") and not packed.may_hold("k3", "note 4 ")
    assert packed.decoded == 0
    assert dict(packed.items()) == bodies
    assert packed["k3"] == bodies["k3"] and packed.decoded == 21  # decoded again, not kept
    assert not packed._done


def test_a_spooled_text_is_kept_as_the_store_writes_it_and_compressed_only_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Compressed into the spool, each text cost a compression to pack and an inflation to
    # save, for no memory: the spool is a file.
    import zlib

    from papernotes.incremental import packed as packed_module
    from papernotes.incremental.spool import Spool

    calls: list[str] = []
    real_compress, real_inflate = zlib.compress, zlib.decompress

    class Counted:  # the zlib packed.py sees
        @staticmethod
        def compress(data: bytes, level: int = -1) -> bytes:
            calls.append("compress")
            return real_compress(data, level)

        @staticmethod
        def decompress(data: bytes) -> bytes:
            calls.append("inflate")
            return real_inflate(data)

    monkeypatch.setattr(packed_module, "zlib", Counted)
    bodies = {f"k{i}": (f"fp{i}", _body(i)) for i in range(5)}
    codec, tp = store._codec(), store._types()["body"]
    spool = Spool.open(tmp_path)
    assert spool is not None
    spooled = pack_bodies(bodies, spool)
    assert isinstance(spooled, Packed) and spooled.held() == 0  # every text in the spool
    assert spooled.raw("k3") == dump(codec.encode(bodies["k3"][1], tp))
    assert dict(spooled.items()) == bodies
    assert calls == []
    in_memory = pack_bodies(bodies)
    assert in_memory.raw("k3") == spooled.raw("k3")
    assert calls == ["compress"] * 5 + ["inflate"]


def test_bodies_kept_from_the_cache_are_left_as_they_are() -> None:
    kept = lazy.Parts({"k": ("fp", b"[]")}, lambda d: d)
    assert pack_bodies(kept) is kept


def test_a_cold_build_over_workers_saves_bodies_its_parent_never_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lib"
    body = "A sentence about attention. " * 40 + "\n"
    for i in range(70):  # enough pages to go to worker processes
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", extra=f"id: paper{i}\n", body=body))
    saved = catch_saves(monkeypatch)
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # the pages go to workers, however quick
    config, _ = load_config(root)
    report = build(root, config, out=root / "site", workers=2)
    assert report.errors == 0
    bodies = saved[0].bodies
    assert isinstance(bodies, Packed) and len(bodies) == 70
    # The pages decoded theirs in the workers, but for the first slice's, rendered here
    # before the fork (and not kept: ``decoded`` counts each decoding).
    assert 0 < bodies.decoded <= parallel.SLICE_MAX
    terms = saved[0].terms  # spooled as made, read once each by the index, then by the save
    assert isinstance(terms, Packed) and len(terms) == 70 and terms.decoded == 70
    refs = saved[0].refs  # read by each page (in its worker) and the save
    assert isinstance(refs, Packed) and len(refs) == 70 and refs.decoded <= parallel.SLICE_MAX
    docs = saved[0].docs  # the index keeps a part of each (below), the cache all of it
    assert isinstance(docs, Packed) and len(docs) == 70 and docs.decoded == 0
    assert bodies.held() == terms.held() == refs.held() == docs.held() == 0  # in the spool
    assert sorted(p.name for p in (root / ".papernotes").iterdir()) == ["build.lock", "cache"]
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")
    write_note(root, "n0.md", note_text("Paper 0", extra="id: paper0\n", body="Edited.\n"))
    build(root, config, out=root / "site", workers=2)  # the packed entries read back
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_build_never_holds_its_bodies_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """Each body is packed where it is rendered (a worker sends it back packed), with its
    search document made there too: when the terms and references are made, the parent
    holds no rendered body's HTML (before: every note's, until the documents were made),
    and it never makes the documents from the bodies (``search_docs``)."""
    import gc

    from papernotes.incremental import searchstate

    for i in range(70):  # enough bodies to go to worker processes
        text = note_text(f"Paper {i}", extra=f"id: paper{i}\n", body=f"Body *{i}*.\n")
        write_note(tmp_path, f"papers/n{i}.md", text)
    held: dict[str, int] = {}

    def count(stage: str) -> None:
        alive = [o for o in gc.get_objects() if type(o) is RenderedBody and o.html]
        held[stage] = len(alive)

    from papernotes import plan

    docs, terms = searchstate.search_docs, plan.search_inputs

    def documents(*args, **kwargs):  # type: ignore[no-untyped-def]
        count("docs")
        return docs(*args, **kwargs)

    def tokenising(*args, **kwargs):  # type: ignore[no-untyped-def]
        count("terms")
        return terms(*args, **kwargs)

    monkeypatch.setattr(searchstate, "search_docs", documents)  # not read by the cold path
    monkeypatch.setattr(plan, "search_inputs", tokenising)  # the terms (made, or to make)
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # the bodies go to workers, however quick
    config, _ = load_config(tmp_path)
    assert build(tmp_path, config, out=tmp_path / "site", workers=workers).errors == 0
    assert held == {"terms": 0}
    build(tmp_path, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(tmp_path / "site") == site_tree(tmp_path / "clean")


def test_a_cold_build_keeps_of_each_search_document_what_the_shards_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the terms are counted, the documents go to the spool for the cache and the index
    keeps of each body its first ``MAX_BODY_CHARS`` (what the shards store): at the pages, no
    document with a longer body is held; the site is the one made from whole documents, and
    the next build reads the documents back whole."""
    import gc

    from papernotes import plan
    from papernotes.search.index import MAX_BODY_CHARS, SearchDoc

    long = "A sentence about attention and its many heads. " * 100 + "\n"  # 4,800 characters
    for i in range(6):
        write_note(tmp_path, f"papers/n{i}.md", note_text(f"Paper {i}", body=f"{i} {long}"))
    held: list[int] = []
    split = plan.jobmemo.split_jobs

    def splitting(*args, **kwargs):  # type: ignore[no-untyped-def]
        docs = [o for o in gc.get_objects() if type(o) is SearchDoc]
        held.append(sum(len(d.body) > MAX_BODY_CHARS for d in docs))
        return split(*args, **kwargs)

    monkeypatch.setattr(plan.jobmemo, "split_jobs", splitting)
    config, _ = load_config(tmp_path)
    assert build(tmp_path, config, out=tmp_path / "site", workers=1).errors == 0
    assert held == [0]
    saved = store.load(tmp_path, _key(tmp_path))  # the documents read back whole
    assert saved is not None and len(saved.docs) == 6
    assert all(len(doc.body) > MAX_BODY_CHARS for _, (_, (_, doc)) in saved.docs.items())
    whole = tmp_path / "whole"  # the documents as they were made, as before
    monkeypatch.setattr(
        plan, "pack_docs", lambda docs, spool: (docs, {k: v[1][1] for k, v in docs.items()})
    )
    build(tmp_path, config, out=whole, use_cache=False, workers=1)
    assert held[-1] == 6
    assert site_tree(tmp_path / "site") == site_tree(whole)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_build_holds_no_search_document_body_at_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The bodies the document shards show wait in the spool (``lazydoc.SpooledDoc``): at the
    pages, the parent holds no document with its body, and the shards (in the page workers,
    over 64 jobs) read them from there; the site is the one made with the bodies held."""
    import gc

    from papernotes import plan
    from papernotes.incremental.lazydoc import SpooledDoc
    from papernotes.incremental.spool import Spool
    from papernotes.search.index import SearchDoc

    body = "A sentence about attention and its heads, é 注意. " * 20 + "\n"
    for i in range(70):  # enough jobs for the page workers
        write_note(tmp_path, f"papers/n{i}.md", note_text(f"Paper {i}", body=f"{i} {body}"))
    held: list[tuple[int, int]] = []
    split = plan.jobmemo.split_jobs

    def splitting(*args, **kwargs):  # type: ignore[no-untyped-def]
        docs = [o for o in gc.get_objects() if isinstance(o, SearchDoc)]
        held.append((sum(type(d) is SpooledDoc for d in docs), len(docs)))
        return split(*args, **kwargs)

    monkeypatch.setattr(plan.jobmemo, "split_jobs", splitting)
    config, _ = load_config(tmp_path)
    assert build(tmp_path, config, out=tmp_path / "site", workers=workers).errors == 0
    assert held == [(70, 70)]
    monkeypatch.setattr(Spool, "open", classmethod(lambda cls, root: None))  # held in memory
    build(tmp_path, config, out=tmp_path / "held", use_cache=False, workers=workers)
    assert held[-1] == (0, 70)
    assert site_tree(tmp_path / "site") == site_tree(tmp_path / "held")


def _key(root: Path) -> str:
    import json

    return str(json.loads((root / ".papernotes/cache/index.json").read_text())["key"])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_build_spools_each_notes_terms_as_they_are_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The terms go to the spool as they come back from the workers (as the save writes
    them): the parent never holds them as dicts, the index reads each note's once, and the
    site and the saved terms are those of a build that held them all (no spool)."""
    from papernotes import plan
    from papernotes.incremental import searchstate
    from papernotes.incremental.spool import Spool

    body = "A sentence about attention and its heads, é 注意. " * 20 + "\n"
    for i in range(70):  # enough notes to tokenise over workers
        write_note(tmp_path, f"papers/n{i}.md", note_text(f"Paper {i}", body=f"{i} {body}"))
    seen: list[tuple[int, int]] = []
    inputs, index = searchstate.search_inputs, plan.build_index

    def made(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = inputs(*args, **kwargs)
        terms = found[1]  # a dict of terms holds no object the collector tracks: not counted
        spooled = isinstance(terms, Packed) and len(terms._at) == len(terms)  # type: ignore[attr-defined]
        seen.append((terms.held() if isinstance(terms, Packed) else -1, spooled))
        return found

    monkeypatch.setattr(plan, "search_inputs", made)
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # tokenised in workers, however quick
    config, _ = load_config(tmp_path)
    saved = catch_saves(monkeypatch)
    assert build(tmp_path, config, out=tmp_path / "site", workers=workers).errors == 0
    assert seen == [(0, True)]  # every note's terms in the spool, none in memory
    assert saved[0].terms.decoded == 70  # type: ignore[attr-defined]
    assert index is plan.build_index
    spooled = {k: saved[0].terms.raw(k) for k in saved[0].terms}  # type: ignore[attr-defined]
    monkeypatch.setattr(Spool, "open", classmethod(lambda cls, root: None))  # held in memory
    build(tmp_path, config, out=tmp_path / "held", use_cache=False, workers=workers)
    assert seen[-1] == (-1, False)  # as before: every note's terms held as a dict
    assert site_tree(tmp_path / "site") == site_tree(tmp_path / "held")
    codec, tp = store._codec(), store._types()["terms"]
    held = saved[-1].terms
    assert spooled == {k: dump(codec.encode(held[k][1], tp)) for k in held}


def test_a_cold_build_parses_renders_and_tokenises_over_workers_of_a_long_life(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A note parsed or tokenised reads only itself: its workers are forked a quarter as often
    # as the pages' (each fork of a big parent costs CPU), and the site is the same.
    from papernotes.incremental import reuse

    lives: dict[str, int | None] = {}
    real = parallel.parallel_iter

    def watched(fn: object, items: object, workers: int, **kw: object) -> object:
        lives[getattr(fn, "__qualname__", "")] = kw.get("life")  # type: ignore[assignment]
        return real(fn, items, workers, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(reuse, "parallel_iter", watched)
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # to workers, however quick
    monkeypatch.setattr(parallel, "OWN_ITEMS_LIFE", 4)  # replaced as they go, here
    root = tmp_path / "lib"
    for i in range(70):  # enough notes to go to worker processes
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", extra=f"id: paper{i}\n"))
    config, _ = load_config(root)
    assert build(root, config, out=root / "site", workers=2).errors == 0
    assert lives["parse_again.<locals>.parse_one"] == 4
    # The terms made with the bodies, whose workers in a small library live as long: 6 forks
    # at 1,000 notes where 2 do.
    assert lives["render_packed.<locals>.make"] == 4
    assert "tokenise_packed.<locals>.make" not in lives
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_large_librarys_bodies_render_over_a_bounded_number_of_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past ``LIFE_FROM`` notes a body worker lives at least the default life, and longer when
    # that would fork more than ``BODY_LIVES`` workers; the site is the same.
    from papernotes.incremental import packed, reuse

    lives: dict[str, object] = {}
    real = parallel.parallel_iter

    def watched(fn: object, items: object, workers: int, **kw: object) -> object:
        lives[getattr(fn, "__qualname__", "")] = kw.get("life")
        return real(fn, items, workers, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(reuse, "parallel_iter", watched)
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # to workers, however quick
    monkeypatch.setattr("papernotes.sitejobs.LIFE_FROM", 10)
    monkeypatch.setattr(parallel, "ITEMS_PER_WORKER", 2)
    monkeypatch.setattr(packed, "BODY_LIVES", 7)
    root = tmp_path / "lib"
    for i in range(70):
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", extra=f"id: paper{i}\n"))
    config, _ = load_config(root)
    assert build(root, config, out=root / "site", workers=2).errors == 0
    assert lives["render_packed.<locals>.make"] == 10  # 70 bodies over at most 7 lives
    monkeypatch.setattr(packed, "BODY_LIVES", 1_000)
    assert packed._body_life(70) == 2  # never shorter than the default life
    assert packed._body_life(10) == parallel.OWN_ITEMS_LIFE  # a small library's
    build(root, config, out=tmp_path / "clean", use_cache=False, workers=1)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")

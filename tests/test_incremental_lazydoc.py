"""The search documents an edit did not touch stay undecoded: a :class:`LazyDoc` knows its key
and reads the rest on demand; the stored index's order and sizes stand for reading them; an
edit build decodes the documents of the shard it writes and the edited note's neighbours
only, and its site is a clean build's byte for byte."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import cache
from papernotes.incremental.lazydoc import (
    LazyDoc,
    doc_size,
    in_stored_order,
    lazy_doc,
    sizes_of,
)
from papernotes.incremental.searchstate import SearchState
from papernotes.search.index import SearchDoc
from papernotes.search.shards import doc_order

from conftest import note_text, site_tree, write_note


def _doc(key: str, title: str, year: int = 2020, body: str = "text") -> SearchDoc:
    return SearchDoc(key, f"papers/{key}.html", title, "A. B.", year, "", (), "", body)


def _state(docs: list[SearchDoc], sizes: tuple[int, ...] = ()) -> SearchState:
    keys = tuple(d.key for d in docs)
    return SearchState(keys, tuple(f"d-{k}" for k in keys), (1,) * len(keys), (), (), sizes)


def test_a_lazy_doc_knows_its_key_and_reads_the_rest_once() -> None:
    reads: list[str] = []
    real = _doc("a", "Alpha")

    def load() -> SearchDoc:
        reads.append("a")
        return real

    doc = lazy_doc("a", load)
    assert isinstance(doc, LazyDoc) and doc.key == "a" and reads == [] and not doc.loaded
    assert doc.title == "Alpha" and doc.body == "text" and reads == ["a"] and doc.loaded
    assert doc == real and real == doc and hash(doc) == hash(real) and repr(doc) == repr(real)
    assert type(pickle.loads(pickle.dumps(doc))) is SearchDoc


def test_the_stored_order_stands_while_each_changed_doc_sorts_in_its_place() -> None:
    docs = [_doc("a", "Alpha"), _doc("b", "Beta"), _doc("c", "Gamma")]
    state = _state(sorted(docs, key=doc_order))
    same = {d.key: f"d-{d.key}" for d in docs}
    loads: list[str] = []

    def lazy(d: SearchDoc) -> SearchDoc:
        return lazy_doc(d.key, lambda: loads.append(d.key) or d)  # type: ignore[func-returns-value]

    ordered = in_stored_order([lazy(d) for d in reversed(docs)], doc_order, state, same)
    assert [d.key for d in ordered] == ["a", "b", "c"] and loads == []  # nothing read
    edited = {**same, "b": "d-new"}  # b changed but sorts where it was: its neighbours read
    ordered = in_stored_order([lazy(d) for d in docs], doc_order, state, edited)
    assert [d.key for d in ordered] == ["a", "b", "c"] and sorted(loads) == ["a", "b", "c"]
    moved = [docs[0], _doc("b", "Zeta"), docs[2]]  # retitled: it moves, so all are sorted
    ordered = in_stored_order(moved, doc_order, state, edited)
    assert [d.key for d in ordered] == ["a", "c", "b"]
    added = [*docs, _doc("d", "Delta")]
    assert [d.key for d in in_stored_order(added, doc_order, state, same)] == list("abdc")


def test_sizes_are_the_stored_ones_where_the_doc_is_the_same() -> None:
    docs = [_doc("a", "Alpha", body="x" * 10), _doc("b", "Beta", body="y" * 7)]
    state = _state(docs, (99, -1))  # b's stored size is not a count: b's is made
    digests = {"a": "d-a", "b": "d-b"}
    assert sizes_of(docs, digests, state, 3000) == (99, 7)
    assert sizes_of(docs, {**digests, "a": "other"}, state, 3000) == (10, 7)
    assert sizes_of(docs, digests, _state(docs), 5) == (5, 5)  # no sizes stored
    assert doc_size(docs[0], 4) == 4


def test_an_edit_build_decodes_the_docs_of_one_shard_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lib"
    (root / "papers").mkdir(parents=True)
    for i in range(120):
        body = f"Some words about topic {i % 7} and method {i}.\n" * 60  # 3 KB: 16 a shard
        write_note(root, f"n{i}.md", note_text(f"Paper {i:03}", extra=f"id: n{i}\n", body=body))
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    edited = root / "papers" / "n42.md"
    edited.write_text(edited.read_text("utf-8") + "\nA new word: zyzzyva.\n", encoding="utf-8")
    read: list[cache.BuildCache] = []
    real = cache.read_cache

    def keep(*args, **kw):  # type: ignore[no-untyped-def]
        found = real(*args, **kw)
        read.append(found[0])
        return found

    monkeypatch.setattr(cache, "read_cache", keep)

    assert build(root, config, out=root / "site").errors == 0

    (last,) = read
    docs = last.docs
    assert len(docs) == 120
    # The shard the edited note's row is in (16 rows a shard), and the neighbours that place
    # it; not the other hundred.
    assert 0 < docs.decoded <= 18, docs.decoded  # type: ignore[attr-defined]
    clean = tmp_path / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(root / "site") == site_tree(clean)


def test_a_spooled_doc_reads_its_body_from_the_spool_at_each_use_and_keeps_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes.incremental.lazydoc import SpooledDoc, spooled_doc
    from papernotes.incremental.spool import Spool

    spool = Spool.open(tmp_path)
    assert spool is not None
    body = "Attention é 注意 \ud800 heads " * 20  # a lone surrogate, as a note's text may hold
    doc = _doc("a", "Attention", body=body)
    spooled = spooled_doc(doc, spool)
    assert isinstance(spooled, SpooledDoc)
    with pytest.raises(AttributeError):  # no body held: the slot is empty
        object.__getattribute__(spooled, "body")
    reads: list[int] = []
    get = Spool.get
    monkeypatch.setattr(
        Spool, "get", lambda self, at, size: reads.append(size) or get(self, at, size)
    )
    assert doc_size(spooled, 100) == 100 and doc_size(spooled, 10**6) == len(body) + len("")
    assert reads == []  # its size is known without reading it
    assert spooled.body == body and spooled.body == body and len(reads) == 2  # never kept
    assert spooled == doc and doc == spooled and repr(spooled) == repr(doc)
    assert (spooled.key, spooled.title, spooled.year, spooled.tags) == ("a", "Attention", 2020, ())
    assert pickle.loads(pickle.dumps(spooled)) == doc
    assert doc_order(spooled) == doc_order(doc)


def test_a_doc_the_spool_cannot_take_stays_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes.incremental.lazydoc import spooled_doc
    from papernotes.incremental.spool import Spool

    spool = Spool.open(tmp_path)
    assert spool is not None
    monkeypatch.setattr(Spool, "put", lambda self, data: None)  # a full disk
    doc = _doc("a", "Attention", body="long text")
    assert spooled_doc(doc, spool) is doc

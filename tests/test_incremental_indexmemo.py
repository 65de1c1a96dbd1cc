"""``IndexMemo`` told which notes moved (``serve``: ``IndexMemo.tell``) gives the index a build
makes from nothing, looking at the notes told alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_incremental_searchmemo import _doc, _library, edit

from papernotes.incremental.indexmemo import IndexMemo
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.search.index import DocTerms, SearchDoc, build_index, doc_terms
from papernotes.search.shards import doc_order


def _told(
    memo: SaveMemo,
    index: IndexMemo,
    docs: dict[str, SearchDoc],
    terms: dict[str, DocTerms],
) -> None:
    got = index(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert got == build_index(docs.values(), order=doc_order)


@settings(max_examples=30, deadline=None)
@given(edits=st.lists(edit, min_size=1, max_size=8))
def test_the_index_told_what_moved_equals_the_index_built(
    edits: list[tuple[str, int, object]],
) -> None:
    docs = _library(6)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo, index = SaveMemo(), IndexMemo()
    index.tell(docs, terms, memo.moved)
    _told(memo, index, docs, terms)
    for op, i, arg in edits:
        key = f"k{i}"
        old, before, terms_before = docs.get(key), docs, terms
        docs = dict(docs)  # a new map each save, as serve's
        if op == "body" and old is not None:
            docs[key] = _doc(key, old.title, " ".join(arg))  # type: ignore[arg-type]
        elif op == "new-word" and old is not None:
            docs[key] = _doc(key, old.title, f"{old.body} {arg}")
        elif op == "title" and old is not None:
            docs[key] = _doc(key, str(arg), old.body)
        elif op == "add" and old is None:
            docs[key] = _doc(key, "Added", "lora rank")
        elif op == "delete" and old is not None and len(docs) > 1:
            del docs[key]
        terms = {k: terms[k] if before.get(k) is d else doc_terms(d) for k, d in docs.items()}
        moved = {k for k in docs.keys() | before.keys() if docs.get(k) is not before.get(k)}
        memo.record("search-docs", before, docs, moved)
        memo.record("search-terms", terms_before, terms, moved)
        looked = index.looked
        index.tell(docs, terms, memo.moved)
        _told(memo, index, docs, terms)
        if op in ("body", "new-word") and old is not None:  # the note told alone
            assert index.looked - looked == 1


def test_an_index_not_told_compares_every_note() -> None:
    docs = _library(6)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo, index = SaveMemo(), IndexMemo()
    _told(memo, index, docs, terms)
    docs = {**docs, "k1": _doc("k1", "Paper 1", "lora zeta")}
    terms = {**terms, "k1": doc_terms(docs["k1"])}
    looked = index.looked
    index.tell(docs, terms, memo.moved)  # nothing recorded: not known
    _told(memo, index, docs, terms)
    assert index.looked - looked == 6


def test_the_first_save_after_an_index_made_from_nothing_places_no_note() -> None:
    """Serve's first save finds each note's place in the maps its first build made: the
    save puts no key in them, whether the library has 6 notes or 24."""
    for n in (6, 24):
        docs = _library(n)
        terms = {k: doc_terms(d) for k, d in docs.items()}
        memo, index = SaveMemo(), IndexMemo()
        index.tell(docs, terms, memo.moved)
        _told(memo, index, docs, terms)
        assert index.placed == 2 * n  # made with the index, by the first build
        before, terms_before = docs, terms
        docs = {**docs, "k1": _doc("k1", docs["k1"].title, "lora zeta")}
        terms = {**terms, "k1": doc_terms(docs["k1"])}
        memo.record("search-docs", before, docs, {"k1"})
        memo.record("search-terms", terms_before, terms, {"k1"})
        index.tell(docs, terms, memo.moved)
        _told(memo, index, docs, terms)
        assert index.placed == 2 * n and index.looked == n + 1

"""``IndexMemo`` told which notes moved (``serve``: ``IndexMemo.tell``) gives the index a build
makes from nothing, looking at the notes told alone."""

from __future__ import annotations

from functools import partial

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


class _Counted(dict[str, SearchDoc]):
    """Serve's documents map (patched in place from save to save), counting look-ups."""

    looked = 0

    def __getitem__(self, key: str) -> SearchDoc:
        self.looked += 1
        return super().__getitem__(key)


def test_the_documents_listed_are_looked_up_for_the_notes_told_alone() -> None:
    """``IndexMemo.listed`` (``plan_site``'s, in serve): a body save looks up the document of
    the note saved, whether the library has 6 notes or 24; the index is the one built."""
    for n in (6, 24):
        plain = _library(n)
        shown, terms = _Counted(plain), {k: doc_terms(d) for k, d in plain.items()}
        told = dict(plain)  # the stage's map, new each save (``shown`` is patched in place)
        keys = sorted(shown)
        memo, index = SaveMemo(), IndexMemo()
        for step in range(3):
            index.tell(told, terms, memo.moved)
            shown.looked = 0
            got = index.listed(shown, keys, terms_of=partial(_terms, terms), order=doc_order)
            assert shown.looked == (n if step == 0 else 1), (n, step)
            assert got == build_index([plain[k] for k in keys], order=doc_order)
            key = f"k{step + 1}"
            plain[key] = shown[key] = _doc(key, plain[key].title, f"lora zeta {step}")
            before, terms_before, told = told, terms, dict(plain)
            terms = {**terms, key: doc_terms(plain[key])}
            memo.record("search-docs", before, told, {key})
            memo.record("search-terms", terms_before, terms, {key})
        # Another map, or keys in another order: every document looked up again.
        index.tell(told, terms, memo.moved)
        other = _Counted(plain)
        got = index.listed(other, keys[::-1], terms_of=partial(_terms, terms), order=doc_order)
        assert other.looked == n
        assert got == build_index(list(plain.values()), order=doc_order)


def _terms(terms: dict[str, DocTerms], doc: SearchDoc) -> DocTerms:
    return terms[doc.key]

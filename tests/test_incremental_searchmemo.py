"""What serve keeps between saves gives exactly what a build makes from nothing: the search index
updated in place equals ``build_index``'s, and a memoised value is reused only for the very
objects it was made from."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.incremental import indexmemo, searchmemo
from papernotes.incremental.searchmemo import IndexMemo, SaveMemo, once
from papernotes.search.index import (
    DocTerms,
    Posting,
    SearchDoc,
    build_index,
    doc_terms,
    encode_postings,
)
from papernotes.search.shards import doc_order

WORDS = ["attention", "lora", "低秩", "adapter", "rank", "😀emoji", "zeta", "x"]


def _doc(key: str, title: str, body: str, year: int = 2020) -> SearchDoc:
    return SearchDoc(key, f"papers/{key}.html", title, "Ann Writer", year, "", (), "", body)


def _library(n: int) -> dict[str, SearchDoc]:
    return {
        f"k{i}": _doc(f"k{i}", f"Paper {i}", " ".join(WORDS[: i % len(WORDS) + 1]))
        for i in range(n)
    }


def _index(memo: IndexMemo, docs: dict[str, SearchDoc], terms: dict[str, DocTerms]) -> None:
    """Build with the memo and from nothing, and compare."""
    got = memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert got == build_index(docs.values(), order=doc_order)


edit = st.one_of(
    st.tuples(st.just("body"), st.integers(0, 5), st.lists(st.sampled_from(WORDS), max_size=6)),
    st.tuples(st.just("new-word"), st.integers(0, 5), st.text("abcxyz", min_size=1, max_size=4)),
    st.tuples(st.just("title"), st.integers(0, 5), st.sampled_from(["Aaa", "Zzz", "Paper 3"])),
    st.tuples(st.just("add"), st.integers(6, 9), st.just([])),
    st.tuples(st.just("delete"), st.integers(0, 9), st.just([])),
)


@settings(max_examples=30, deadline=None)
@given(edits=st.lists(edit, min_size=1, max_size=8))
def test_the_index_updated_equals_the_index_built(edits: list[tuple[str, int, object]]) -> None:
    docs = _library(6)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo = IndexMemo()
    _index(memo, docs, terms)
    for op, i, arg in edits:
        key = f"k{i}"
        old, before = docs.get(key), dict(docs)
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
        # Unchanged notes keep their very terms object, as the build cache gives them.
        terms = {k: terms[k] if before.get(k) is d else doc_terms(d) for k, d in docs.items()}
        _index(memo, docs, terms)


def test_a_body_edit_updates_the_index_without_building_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _library(30)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo = IndexMemo()
    memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    docs["k3"] = _doc("k3", "Paper 3", "lora brandnew")
    terms["k3"] = doc_terms(docs["k3"])
    expected = build_index(docs.values(), order=doc_order)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the whole index was built again")

    monkeypatch.setattr(indexmemo, "build_index", refuse)
    got = memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert got == expected


@pytest.mark.parametrize(
    "postings",
    [
        [],
        [(0, 0)],
        [(0, 255), (1, 17), (2, 31), (3, 32)],
        [(5, 1), (40, 16), (1100, 3)],  # gaps of two and three digits
        [(0, 1), (40_000, 2), (40_001, 3)],  # a gap beyond the table
    ],
)
def test_the_fast_encoder_encodes_as_encode_postings(postings: list[tuple[int, int]]) -> None:
    expected = encode_postings(Posting(d, v >> 4, v & 15) for d, v in postings)
    assert indexmemo._Encoder()(postings) == expected


def test_a_memoised_value_is_reused_only_for_the_same_objects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(searchmemo, "_STALE", 0)  # every sweep forgets what was not asked for
    memo = SaveMemo()
    made: list[str] = []

    def make(text: str) -> str:
        made.append(text)
        return text.upper()

    a, b = ["note"], ["note"]  # equal, but not the same object
    assert memo.once("t", (a,), lambda: make("a")) == "A"
    assert memo.once("t", (a,), lambda: make("again")) == "A"
    assert memo.once("t", (b,), lambda: make("b")) == "B"
    assert memo.once("other", (a,), lambda: make("c")) == "C"  # another tag: another value
    assert made == ["a", "b", "c"]
    memo.sweep()
    assert memo.once("t", (a,), lambda: make("d")) == "A"  # used last time: kept
    memo.sweep()  # "t" of b and "other" were not asked for: forgotten
    assert memo.once("t", (b,), lambda: make("e")) == "E"
    assert once(None, "t", (a,), lambda: make("f")) == "F"  # no memo: always made
    assert made == ["a", "b", "c", "e", "f"]


def test_a_sentence_added_encodes_only_the_terms_it_moved() -> None:
    docs = _library(30)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo = IndexMemo()
    memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    encoded: list[int] = []
    real = memo._encode

    def counting(postings: Sequence[tuple[int, int]]) -> str:
        encoded.append(len(postings))
        return real(postings)

    memo._encode = counting  # type: ignore[assignment]
    docs["k7"] = _doc("k7", "Paper 7", docs["k7"].body + " brandnew lora")
    terms["k7"] = doc_terms(docs["k7"])
    got = memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert got == build_index(docs.values(), order=doc_order)
    assert len(encoded) == 2  # "brandnew" is new; "lora" counts twice now; the rest stayed


@pytest.mark.parametrize(
    ("first", "then", "made_again"),
    [
        ((("a",), ("b",)), (("a",), ("b",)), False),  # equal values, other objects: kept
        ((("a",), ("b",)), (("a",), ("c",)), True),  # one value changed
        ((("a",), ("b",)), (("b",), ("a",)), True),  # the same values in another order
        ((("a",), ("b",)), (("a",),), True),  # one gone
    ],
)
def test_a_value_kept_while_equal_is_made_again_only_when_its_inputs_differ(
    first: tuple[object, ...], then: tuple[object, ...], made_again: bool
) -> None:
    memo = SaveMemo()
    made: list[tuple[object, ...]] = []

    def make(of: tuple[object, ...]) -> int:
        made.append(of)
        return len(made)

    assert memo.same("index", first, lambda: make(first)) == 1
    assert memo.same("index", then, lambda: make(then)) == (2 if made_again else 1)
    assert len(made) == (2 if made_again else 1)
    memo.sweep()
    memo.sweep()  # not asked for since the last sweep: forgotten
    assert memo.same("index", then, lambda: make(then)) == len(made) == (3 if made_again else 2)


def test_a_sweep_passes_over_what_is_kept_only_once_enough_was_made() -> None:
    memo = SaveMemo()
    kept = [["note", n] for n in range(searchmemo._STALE + 1)]
    first = ["first"]
    assert memo.once("t", (first,), lambda: 1) == 1
    memo.sweep()
    memo.sweep()  # "first" was not asked for; too little made since to pass over everything
    assert memo.once("t", (first,), lambda: 2) == 1
    memo.sweep()
    for n, one in enumerate(kept):  # a save that makes more than _STALE values
        memo.once("t", (one,), lambda n=n: n)  # type: ignore[misc]
    memo.sweep()  # "first" was not asked for by that save: forgotten now
    assert memo.once("t", (first,), lambda: 3) == 3


def test_an_edit_that_keeps_the_order_makes_one_sort_key_and_no_sort() -> None:
    docs = _library(30)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo = IndexMemo()
    memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert memo.sorted == 30
    docs["k7"] = _doc("k7", "Paper 7", docs["k7"].body + " brandnew")  # the body: same place
    terms["k7"] = doc_terms(docs["k7"])
    got = memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert got == build_index(docs.values(), order=doc_order)
    assert memo.sorted == 31
    docs["k3"] = _doc("k3", "A title that sorts first", docs["k3"].body)  # moves: sorted again
    terms["k3"] = doc_terms(docs["k3"])
    got = memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert got == build_index(docs.values(), order=doc_order)
    assert got.docs[0].key == "k3"
    assert memo.sorted == 31 + 1 + 30


def test_a_word_new_to_the_library_is_put_in_place_without_sorting_the_vocabulary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = {f"k{i}": _doc(f"k{i}", f"Paper {i}", f"word{i}x lora") for i in range(300)}
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo = IndexMemo()
    memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    keyed: list[str] = []
    real = indexmemo._utf16
    monkeypatch.setattr(indexmemo, "_utf16", lambda t: keyed.append(t) or real(t))
    docs["k7"] = _doc("k7", "Paper 7", "brandnew lora")  # one word new, one gone
    terms["k7"] = doc_terms(docs["k7"])
    got = memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    assert got == build_index(docs.values(), order=doc_order)
    moves = memo.moves
    assert moves is not None and {"brandnew", "word7x"} <= moves.terms
    # A bisection per term moved (about ten keys each), not a sort of the 300 words.
    assert len(keyed) < 60

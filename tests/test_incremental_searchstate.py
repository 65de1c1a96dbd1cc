"""The search index a build stores and the next one updates gives exactly what ``build_index``
makes from nothing; a stored index that does not fit is built again, never trusted."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_incremental_searchmemo import WORDS, edit  # the same edits as serve's memo is held to

from papernotes.incremental import searchstate
from papernotes.incremental.cache import digest
from papernotes.incremental.searchstate import SearchState, StoredDoc, state_of, stored_indexer
from papernotes.search.index import (
    DocTerms,
    SearchDoc,
    build_index,
    decode_pairs,
    doc_terms,
    encode_pairs,
)
from papernotes.search.shards import doc_order


def _doc(key: str, title: str, body: str, year: int | str = 2020) -> SearchDoc:
    return SearchDoc(key, f"papers/{key}.html", title, "Ann Writer", year, "", ("t",), "", body)


def _library(n: int) -> dict[str, SearchDoc]:
    return {
        f"k{i}": _doc(f"k{i}", f"Paper {i}", " ".join(WORDS[: i % len(WORDS) + 1]))
        for i in range(n)
    }


def _stored(docs: dict[str, SearchDoc]) -> tuple[SearchState, dict[str, tuple[str, DocTerms]]]:
    """What a build leaves: the index's state, and each note's (document digest, terms)."""
    terms = {k: (digest(d), doc_terms(d)) for k, d in docs.items()}
    index = build_index(docs.values(), order=doc_order)
    return state_of(index, {k: fp for k, (fp, _) in terms.items()}), terms


def _next(
    state: SearchState, old: dict[str, tuple[str, DocTerms]], docs: dict[str, SearchDoc]
) -> object:
    digests = {k: digest(d) for k, d in docs.items()}
    terms = {
        k: old[k][1] if old.get(k, ("",))[0] == digests[k] else doc_terms(d)
        for k, d in docs.items()
    }
    indexer = stored_indexer(state, old, digests)
    return indexer(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)


@settings(max_examples=40, deadline=None)
@given(edits=st.lists(edit, min_size=1, max_size=8))
def test_the_stored_index_updated_equals_the_index_built(
    edits: list[tuple[str, int, object]],
) -> None:
    docs = _library(6)
    state, old = _stored(docs)
    for op, i, arg in edits:
        key = f"k{i}"
        was = docs.get(key)
        if op == "body" and was is not None:
            docs[key] = _doc(key, was.title, " ".join(arg))  # type: ignore[arg-type]
        elif op == "new-word" and was is not None:
            docs[key] = _doc(key, was.title, f"{was.body} {arg}")
        elif op == "title" and was is not None:
            docs[key] = _doc(key, str(arg), was.body)
        elif op == "add" and was is None:
            docs[key] = _doc(key, "Added", "lora rank")
        elif op == "delete" and was is not None and len(docs) > 1:
            del docs[key]
        got = _next(state, old, docs)
        assert got == build_index(docs.values(), order=doc_order)
        state, old = _stored(docs)  # each build stores what it built


def test_a_body_edit_updates_the_stored_index_without_building_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = _library(30)
    state, old = _stored(docs)
    docs["k3"] = _doc("k3", "Paper 3", "lora brandnew")  # a term no note had
    expected = build_index(docs.values(), order=doc_order)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the whole index was built again")

    monkeypatch.setattr(searchstate, "build_index", refuse)
    assert _next(state, old, docs) == expected


def _spoiled(state: SearchState, term: str) -> list[SearchState]:
    """``state`` spoiled in each way a build can tell (``term``'s postings are ones it reads)."""
    at = state.terms.index(term)

    def postings(value: str) -> SearchState:
        return replace(state, postings=(*state.postings[:at], value, *state.postings[at + 1 :]))

    first = state.postings[0]
    return [
        postings(first + "!"),  # not a VLQ digit
        postings(state.postings[at] + "A"),  # cut short
        postings("AA"),  # another note's posting only
        postings("AAAA"),  # the same note twice
        replace(state, postings=(first + "!", *state.postings[1:])),  # in a term not read
        replace(state, terms=("a b", *state.terms[1:])),  # a space would split a shard's list
        replace(state, terms=state.terms[1:]),  # a term without postings
        replace(state, digests=state.digests[1:]),
        replace(state, lengths=(*state.lengths, 1)),
    ]


def test_a_stored_index_that_does_not_fit_is_built_again() -> None:
    docs = _library(12)
    state, old = _stored(docs)
    docs["k0"] = _doc("k0", "Paper 0", "attention adapter lora newword")
    expected = build_index(docs.values(), order=doc_order)
    assert "lora" not in old["k0"][1][1]  # the edit adds k0 to the postings of "lora"
    for bad in _spoiled(state, "lora"):
        assert _next(bad, old, docs) == expected, bad


@pytest.mark.parametrize(
    "pairs", [[], [(0, 0)], [(0, 255), (1, 17), (2, 31), (3, 32)], [(5, 1), (40_000, 3)]]
)
def test_postings_decode_to_what_was_encoded(pairs: list[tuple[int, int]]) -> None:
    assert decode_pairs(encode_pairs(pairs)) == pairs


@pytest.mark.parametrize("encoded", ["!", "g", "A"])
def test_what_is_not_postings_does_not_decode(encoded: str) -> None:
    with pytest.raises(ValueError):
        decode_pairs(encoded)


@pytest.mark.parametrize("year", [2020, "n.d.", "400 BC"])
def test_a_stored_search_document_is_the_document(year: int | str) -> None:
    doc = replace(_doc("k", "T", "body"), year=year, arxiv="1706.03762", headings="H")
    assert StoredDoc.of(doc).restored() == doc
    with pytest.raises(ValueError):
        replace(StoredDoc.of(doc), fields=("too", "few")).restored()

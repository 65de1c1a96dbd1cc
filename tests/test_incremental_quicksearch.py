"""``incremental.quicksearch``: the search files patched for one note's new body are the files
a build makes of the edited notes, byte for byte; an edit that moves the shard counts, or files
that are not the index's, are not patched."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.incremental.quicksearch import body_terms, patched, read_lengths, search_paths
from papernotes.search.clean import clean_text
from papernotes.search.index import SearchDoc, doc_terms, vlq_numbers
from papernotes.search.shards import MANIFEST, search_files

WORDS = ["attention", "adapter", "low", "rank", "update", "注意力", "预训练", "model", "lora", "a"]
SIZES = {"term_shard_bytes": 400, "doc_shard_bytes": 600}


def _doc(n: int, body: str) -> SearchDoc:
    return SearchDoc(
        key=f"note{n}",
        path=f"papers/note{n}.html",
        title=f"Paper {n} on {WORDS[n % len(WORDS)]}",
        authors="Ada Lovelace",
        year=2020 + n % 3,
        venue="ICML",
        tags=("peft",),
        abstract="",
        body=clean_text(body),
        headings="Method",
        arxiv="2106.0968" + str(n % 10) if n % 2 else "",
    )


def _files(docs: list[SearchDoc]) -> dict[str, str]:
    return {f.path: f.make() for f in search_files(docs, **SIZES)}


texts = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(bodies=st.lists(texts, min_size=1, max_size=12), data=st.data())
def test_patched_files_are_the_built_files(bodies: list[str], data: st.DataObject) -> None:
    docs = [_doc(n, body) for n, body in enumerate(bodies)]
    me = data.draw(st.integers(0, len(docs) - 1))
    new_text = data.draw(st.one_of(texts, st.just(bodies[me] + " appended words lora")))
    old_terms = doc_terms(docs[me])
    new_terms = body_terms(old_terms, new_text)
    edited = [*docs[:me], replace(docs[me], body=clean_text(new_text)), *docs[me + 1 :]]
    assert new_terms == doc_terms(edited[me])

    before, after = _files(docs), _files(edited)
    out = patched(before, docs[me].key, old_terms, new_terms, new_text, **SIZES)

    if out is None:  # only when the shards would be cut anew
        assert (
            before.keys() != after.keys()
            or before[MANIFEST].split('"docsPerShard":')[1][:4]
            != after[MANIFEST].split('"docsPerShard":')[1][:4]
        )
    else:
        files, stored = out
        assert {**before, **files} == after
        assert set(files) == {p for p in after if after[p] != before[p]}
        assert stored.key == docs[me].key and stored.abstract == docs[me].abstract


def test_an_appended_paragraph_rewrites_the_manifest_its_doc_shard_and_some_term_shards() -> None:
    docs = [_doc(n, " ".join(WORDS[n % 5 :] * 3)) for n in range(30)]
    new_text = docs[7].body + " 注意力 update"
    old_terms = doc_terms(docs[7])
    before = _files(docs)
    assert len([p for p in before if "/t-" in p]) > 1  # the test is about shards

    out = patched(before, "note7", old_terms, body_terms(old_terms, new_text), new_text, **SIZES)

    assert out is not None and MANIFEST in out[0]
    assert [p for p in out[0] if "/d-" in p] and len([p for p in out[0] if "/t-" in p]) < len(
        [p for p in before if "/t-" in p]
    )


def test_files_that_are_not_the_index_are_refused() -> None:
    docs = [_doc(n, "attention model") for n in range(5)]
    before = _files(docs)
    old_terms = doc_terms(docs[2])
    new = body_terms(old_terms, "attention lora")
    with pytest.raises(ValueError, match="cache"):  # the note's terms are not the index's
        patched(before, "note2", (old_terms[0], {"lora": 1}), new, "attention lora", **SIZES)
    shard = next(p for p in before if "/d-" in p)
    with pytest.raises(ValueError):
        patched({**before, shard: "alert(1)"}, "note2", old_terms, new, "x", **SIZES)
    with pytest.raises(ValueError):
        search_paths("window.PAPERNOTES_SEARCH={};\n")


def test_lengths_read_back() -> None:
    numbers = [0, 1, 31, 32, 1536, 99999]
    assert read_lengths(vlq_numbers(numbers)) == numbers
    with pytest.raises(ValueError):
        read_lengths("!")

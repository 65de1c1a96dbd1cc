"""``incremental.quickshards``: the search files patched from the ledger and the shards an edit
touches are the files a build makes of the edited notes, byte for byte, and the ledger after is
the edited index's; a ledger that does not hold the files is found out, not written from."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.incremental.quicksearch import body_terms
from papernotes.incremental.quickshards import ledger_patched
from papernotes.incremental.searchledger import Ledger, ledger_of
from papernotes.search.clean import clean_text
from papernotes.search.index import MAX_BODY_CHARS, SearchDoc, build_index, doc_terms
from papernotes.search.shards import MANIFEST, doc_order, shard_files

WORDS = ["attention", "adapter", "low", "rank", "update", "注意力", "预训练", "model", "lora", "a"]
SIZES = {"term_shard_bytes": 400, "doc_shard_bytes": 600}


def _doc(n: int, body: str) -> SearchDoc:
    return SearchDoc(
        key=f"Note{n}" if n % 3 else f"note-{n}",  # a key term, and an id term for the key
        path=f"papers/note{n}.html",
        title=f"Paper {n} on {WORDS[n % len(WORDS)]}",
        authors="Ada Lovelace",
        year=2020 + n % 3,
        venue="ICML",
        tags=("peft",),
        abstract="An abstract." if n % 4 == 1 else "",
        body=clean_text(body),
        headings="Method",
        arxiv="2106.0968" + str(n % 10) if n % 2 else "",
    )


def _built(docs: list[SearchDoc]) -> tuple[dict[str, str], Ledger]:
    index = build_index(docs, terms_of=doc_terms, order=doc_order)
    files = {f.path: f.make() for f in shard_files(index, **SIZES)}
    sizes = [len(d.body[:MAX_BODY_CHARS]) + len(d.abstract) for d in index.docs]
    return files, ledger_of(index.terms, index.postings, sizes, **SIZES)


def _reader(files: dict[str, str], read: list[str]):  # type: ignore[no-untyped-def]
    def read_file(path: str) -> str:
        read.append(path)
        return files[path]

    return read_file


texts = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(bodies=st.lists(texts, min_size=1, max_size=14), data=st.data())
def test_patched_files_and_ledger_are_the_built_ones(
    bodies: list[str], data: st.DataObject
) -> None:
    docs = [_doc(n, body) for n, body in enumerate(bodies)]
    me = data.draw(st.integers(0, len(docs) - 1))
    new_text = data.draw(st.one_of(texts, st.just(bodies[me] + " appended words lora")))
    old_terms = doc_terms(docs[me])
    new_terms = body_terms(old_terms, new_text)
    edited = [*docs[:me], replace(docs[me], body=clean_text(new_text)), *docs[me + 1 :]]
    (before, ledger), (after, ledger_after) = _built(docs), _built(edited)

    out = ledger_patched(
        before.__getitem__, ledger, docs[me].key, old_terms, new_terms, new_text, **SIZES
    )

    if out is None:  # only when the shards would be cut anew
        assert (
            before.keys() != after.keys()
            or before[MANIFEST].split('"docsPerShard":')[1][:4]
            != after[MANIFEST].split('"docsPerShard":')[1][:4]
        )
    else:
        files, stored, made = out
        assert {**before, **files} == after
        assert set(files) == {p for p in after if after[p] != before[p]}
        assert stored.key == docs[me].key and stored.abstract == docs[me].abstract
        assert made == ledger_after


def test_an_edit_reads_only_the_shards_it_touches() -> None:
    docs = [_doc(n, " ".join(WORDS[n % 5 :] * 3)) for n in range(40)]
    new_text = docs[7].body + " update"
    old_terms = doc_terms(docs[7])
    before, ledger = _built(docs)
    shards = [p for p in before if p != MANIFEST]
    assert len([p for p in shards if "/t-" in p]) > 2 and len([p for p in shards if "/d-" in p]) > 2
    read: list[str] = []

    out = ledger_patched(
        _reader(before, read),
        ledger,
        "Note7",
        old_terms,
        body_terms(old_terms, new_text),
        new_text,
        **SIZES,
    )

    assert out is not None
    # The manifest, the key term's shard, the shard of "update", the note's doc shard.
    assert len(set(read) - {MANIFEST}) <= 3 < len(shards)
    assert set(out[0]) <= set(read)


@pytest.mark.parametrize("spoil", ["size", "weight", "docs"])
def test_a_ledger_that_does_not_hold_the_files_is_found_out(spoil: str) -> None:
    docs = [_doc(n, " ".join(WORDS[n % 5 :] * 3)) for n in range(40)]
    new_text = docs[7].body + " update lora"
    old_terms = doc_terms(docs[7])
    before, ledger = _built(docs)
    sizes, weights, doc_sizes = (
        list(ledger.sizes),
        [dict(w) for w in ledger.weights],
        list(ledger.docs),
    )
    if spoil == "size":
        sizes = [s + 1 for s in sizes]
    elif spoil == "weight":
        weights = [{p: w + 1 for p, w in ws.items()} for ws in weights]
    else:
        doc_sizes = [s + 1 for s in doc_sizes]

    with pytest.raises(ValueError, match="ledger"):
        ledger_patched(
            before.__getitem__,
            Ledger(sizes, weights, doc_sizes),
            "Note7",
            old_terms,
            body_terms(old_terms, new_text),
            new_text,
            **SIZES,
        )

"""What serve keeps of the sharded search index between saves gives exactly the files
``shard_files`` makes from nothing, and a body edit re-encodes only the shards it reached."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.incremental.cache import digest
from papernotes.incremental.searchmemo import IndexMemo
from papernotes.incremental.shardmemo import ShardMemo
from papernotes.search.index import DocTerms, SearchDoc, doc_terms
from papernotes.search.shards import doc_order, shard_files

WORDS = ["attention", "lora", "低秩", "adapter", "rank", "😀emoji", "zeta", "x", "transformer"]
WORDS += [f"w{i}{c}" for i in range(40) for c in "ab"]  # enough postings for several shards
SIZES = {"term_shard_bytes": 300, "doc_shard_bytes": 400}


def _doc(key: str, title: str, body: str) -> SearchDoc:
    return SearchDoc(key, f"papers/{key}.html", title, "Ann Writer", 2020, "", (), "", body)


def _library(n: int) -> dict[str, SearchDoc]:
    return {
        f"k{i}": _doc(f"k{i}", f"Paper {i}", " ".join(WORDS[i % 7 :: 1 + i % 5])) for i in range(n)
    }


class _Counted:
    def __init__(self) -> None:
        self.made: dict[str, int] = {}

    def __call__(self, tag: str, n: int) -> None:
        self.made[tag] = self.made.get(tag, 0) + n


def _files(
    memo: IndexMemo,
    shards: ShardMemo,
    docs: dict[str, SearchDoc],
    terms: dict[str, DocTerms],
    told: bool = True,
) -> None:
    """Shard with the memos and from nothing, and compare every file and fingerprint; the
    shard memo told what moved (``IndexMemo.moves``), or not (it compares the postings)."""
    index = memo(docs.values(), terms_of=lambda d: terms[d.key], order=doc_order)
    digests = {k: digest(d) for k, d in docs.items()}
    got = shards(index, digests, memo.moves if told else None)
    want = shard_files(index, doc_digests=digests, **SIZES)
    assert [(f.path, f.fingerprint, f.make()) for f in got] == [
        (f.path, f.fingerprint, f.make()) for f in want
    ]


edit = st.one_of(
    st.tuples(st.just("body"), st.integers(0, 39), st.lists(st.sampled_from(WORDS), max_size=9)),
    st.tuples(st.just("more"), st.integers(0, 39), st.lists(st.sampled_from(WORDS), max_size=40)),
    st.tuples(st.just("new-word"), st.integers(0, 39), st.text("abcxyz", min_size=1, max_size=4)),
    st.tuples(st.just("title"), st.integers(0, 39), st.sampled_from(["Aaa", "Zzz", "Paper 3"])),
    st.tuples(st.just("add"), st.integers(40, 45), st.just([])),
    st.tuples(st.just("delete"), st.integers(0, 45), st.just([])),
)


@settings(max_examples=40, deadline=None)
@given(edits=st.lists(edit, min_size=1, max_size=8), told=st.booleans())
def test_the_shards_kept_equal_the_shards_made(
    edits: list[tuple[str, int, object]], told: bool
) -> None:
    docs = _library(40)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo, shards = IndexMemo(), ShardMemo(**SIZES)
    _files(memo, shards, docs, terms)
    for op, i, arg in edits:
        key = f"k{i}"
        old, before = docs.get(key), dict(docs)
        if op == "body" and old is not None:
            docs[key] = _doc(key, old.title, " ".join(arg))  # type: ignore[arg-type]
        elif op == "more" and old is not None:
            docs[key] = _doc(key, old.title, old.body + " " + " ".join(arg))  # type: ignore[arg-type]
        elif op == "new-word" and old is not None:
            docs[key] = _doc(key, old.title, f"{old.body} {arg}")
        elif op == "title" and old is not None:
            docs[key] = _doc(key, str(arg), old.body)
        elif op == "add" and old is None:
            docs[key] = _doc(key, "Added", "lora rank")
        elif op == "delete" and old is not None and len(docs) > 1:
            del docs[key]
        terms = {k: terms[k] if before.get(k) is d else doc_terms(d) for k, d in docs.items()}
        _files(memo, shards, docs, terms, told)


def test_a_body_edit_remakes_the_shards_it_reached_alone() -> None:
    docs = _library(40)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    counted = _Counted()
    memo, shards = IndexMemo(), ShardMemo(counted, **SIZES)
    _files(memo, shards, docs, terms)
    term_shards = counted.made["search-term-shard"]
    doc_shards = counted.made["search-doc-shard"]
    assert term_shards > 4 and doc_shards > 4  # several of each: an edit can spare some
    counted.made.clear()
    docs["k3"] = _doc("k3", docs["k3"].title, docs["k3"].body + " lora zeta")
    terms["k3"] = doc_terms(docs["k3"])
    _files(memo, shards, docs, terms)
    # Two terms moved (at most two term shards), one note's stored text (its doc shard).
    assert 1 <= counted.made["search-term-shard"] <= 2
    assert counted.made["search-doc-shard"] == 1


def test_a_word_new_to_the_library_remakes_its_shard_alone() -> None:
    docs = _library(40)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    counted = _Counted()
    memo, shards = IndexMemo(), ShardMemo(counted, **SIZES)
    _files(memo, shards, docs, terms)
    assert counted.made["search-term-shard"] > 4
    for word in ("brandnew", "zzznew", "lo"):  # a new key, a new short prefix, a short word
        counted.made.clear()
        docs["k3"] = _doc("k3", docs["k3"].title, f"{docs['k3'].body} {word}")
        terms["k3"] = doc_terms(docs["k3"])
        _files(memo, shards, docs, terms)
        # The word's shard, and the shards of the terms whose counts moved.
        assert 1 <= counted.made["search-term-shard"] <= 2, word


def test_a_key_new_to_the_library_patches_the_typo_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word whose key (first code points) is new, or a key gone, moves the manifest's typo
    keys at that key's prefix: they are not made again from every key of the library."""
    from papernotes.incremental import shardmemo

    passes: list[int] = []
    real = shardmemo.typo_keys
    monkeypatch.setattr(shardmemo, "typo_keys", lambda keys: passes.append(len(keys)) or real(keys))
    docs = _library(40)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    memo, shards = IndexMemo(), ShardMemo(_Counted(), **SIZES)
    _files(memo, shards, docs, terms)
    assert len(passes) == 1  # the shards made from nothing
    body = docs["k3"].body
    for text in (f"{body} brandnew qqqword", f"{body} qqqother", body):  # came, then went
        docs["k3"] = _doc("k3", docs["k3"].title, text)
        terms["k3"] = doc_terms(docs["k3"])
        _files(memo, shards, docs, terms)  # the manifest equal to the one made from nothing
    assert len(passes) == 1

"""The term shards a save rewrote are packed ahead, over threads, into the very bytes each
job would pack alone; each text is given once, and a job run again packs it again."""

from __future__ import annotations

import pytest
from test_incremental_shardmemo import SIZES, WORDS, _Counted, _doc, _files, _library

from papernotes.incremental import packahead
from papernotes.incremental.packahead import Packer, Prepacked
from papernotes.incremental.searchmemo import IndexMemo
from papernotes.incremental.shardmemo import ShardMemo
from papernotes.search.index import doc_terms
from papernotes.search.shards import _packed_script as packed_script


def _shards(n: int) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"t-{i}", {"terms": " ".join(WORDS[i:]), "postings": "ab" * (i + 1)}) for i in range(n)
    ]


@pytest.mark.parametrize(("cores", "filled"), [(1, 0), (2, 5), (8, 5)])
def test_the_shards_are_packed_ahead_into_the_bytes_a_job_packs(
    monkeypatch: pytest.MonkeyPatch, cores: int, filled: int
) -> None:
    monkeypatch.setattr(packahead.os, "cpu_count", lambda: cores)
    shards = _shards(5)
    made = [Prepacked(name, shard) for name, shard in shards]
    packer = Packer()
    packer.ahead(made)
    assert packer.filled == filled  # one core: each left to its job
    assert [m._text is not None for m in made] == [filled > 0] * 5
    want = [packed_script(name, shard) for name, shard in shards]
    assert [m() for m in made] == want
    assert all(m._text is None for m in made)  # given once, not held
    assert [m() for m in made] == want  # asked again: packed again


def test_a_body_edit_packs_the_shards_it_reached_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packahead.os, "cpu_count", lambda: 2)
    docs = _library(40)
    terms = {k: doc_terms(d) for k, d in docs.items()}
    counted = _Counted()
    memo, shards = IndexMemo(), ShardMemo(counted, **SIZES)
    _files(memo, shards, docs, terms)
    assert shards.packer.filled == 0  # made from nothing: each packed by its job
    counted.made.clear()
    docs["k3"] = _doc("k3", docs["k3"].title, docs["k3"].body + " lora zeta attention")
    terms["k3"] = doc_terms(docs["k3"])
    _files(memo, shards, docs, terms)  # the files equal shard_files'
    rewritten = counted.made["search-term-shard"]
    assert rewritten > 1
    assert shards.packer.filled == rewritten

"""The sharded search index: which file holds what, that it is complete and escaped, and that
editing one note changes only the files that show it."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papernotes.search.index import SearchDoc, build_index, decode_postings
from papernotes.search.shards import (
    KEY_CHARS,
    MANIFEST,
    SHARD_DIR,
    SearchFile,
    doc_order,
    pack_rows,
    search_files,
    shard_of,
    typo_keys,
    unpack_rows,
)
from papernotes.search.text import tokenize

WORDS = "attention transformer reward model policy gradient prompt retrieval 注意力 奖励模型 训练"


def doc(key: str, **changes: Any) -> SearchDoc:
    base = SearchDoc(
        key, f"papers/{key}.html", f"Title {key}", "Ada Lovelace", 2020, "", (), "", ""
    )
    return replace(base, **changes)


def library(n: int) -> list[SearchDoc]:
    words = WORDS.split()
    return [
        doc(
            f"k{i:03d}",
            year=2000 + i % 25,
            body=" ".join(words[(i + j) % len(words)] + str(j % (i % 7 + 1)) for j in range(60)),
        )
        for i in range(n)
    ]


def data(file: SearchFile) -> Any:
    text = file.make()
    assert text.endswith(");\n") or text.endswith("};\n")
    if file.path == MANIFEST:
        assert text.startswith("window.PAPERNOTES_SEARCH=")
        return json.loads(text.removeprefix("window.PAPERNOTES_SEARCH=")[:-2])
    name = file.path.removeprefix(SHARD_DIR).removesuffix(".js")
    prefix = f'PAPERNOTES_SEARCH_SHARD("{name}",'
    assert text.startswith(prefix)
    value = json.loads(text[len(prefix) : -3])
    return unpack_rows(value)


def small(docs: list[SearchDoc]) -> dict[str, SearchFile]:
    files = search_files(docs, term_shard_bytes=2_000, doc_shard_bytes=1_500)
    return {f.path: f for f in files}


@pytest.mark.parametrize(
    ("term", "shard"),
    # Pinned: search.js computes the same numbers, and a change would move every term.
    [("transformer", 582), ("trans", 582), ("奖励", 776), ("𠀀𠀁", 386), ("a", 300), ("lora", 826)],
)
def test_shard_of_is_pinned(term: str, shard: int) -> None:
    assert shard_of(term, 1024) == shard
    assert shard_of(term, 1) == 0


@given(st.text(min_size=KEY_CHARS), st.text(), st.sampled_from([1, 2, 64, 4096]))
def test_words_with_a_common_prefix_share_a_shard(prefix: str, tail: str, count: int) -> None:
    assert shard_of(prefix + tail, count) == shard_of(prefix[:KEY_CHARS], count)
    assert 0 <= shard_of(prefix, count) < count


def test_every_term_is_in_its_own_shard_and_nowhere_else() -> None:
    docs = library(120)
    files = small(docs)
    manifest = data(files[MANIFEST])
    count = manifest["termShards"]
    assert count > 1 and count & (count - 1) == 0
    whole = build_index(docs, order=doc_order)
    seen: dict[str, str] = {}
    for n in range(count):
        shard = data(files[f"{SHARD_DIR}t-{n}.js"])
        terms, postings = shard["terms"].split(" "), shard["postings"].split(" ")
        assert terms == sorted(terms, key=lambda t: t.encode("utf-16-be", "surrogatepass"))
        for term, encoded in zip(terms, postings, strict=True):
            assert shard_of(term, count) == n
            seen[term] = encoded
    assert seen == dict(zip(whole.terms, whole.postings, strict=True))
    assert manifest["count"] == len(docs)


def test_short_prefixes_name_the_shards_of_their_words() -> None:
    files = small(library(120))
    manifest = data(files[MANIFEST])
    count = manifest["termShards"]
    for term in tokenize(WORDS):
        if len(term) >= 2 and term.isascii():
            for i in range(1, min(KEY_CHARS, len(term))):
                assert shard_of(term, count) in manifest["short"][term[:i]], term


def test_doc_shards_hold_every_note_newest_first() -> None:
    docs = library(120)
    files = small(docs)
    manifest = data(files[MANIFEST])
    per = manifest["docsPerShard"]
    assert 1 < per < len(docs)
    rows = []
    for n in range(-(-len(docs) // per)):
        part = data(files[f"{SHARD_DIR}d-{n}.js"])
        assert len(part) == per or n == len(docs) // per
        rows.extend(part)
    assert [r[0] for r in rows] == [d.key for d in sorted(docs, key=doc_order)]
    years = [r[4] for r in rows]
    assert years == sorted(years, reverse=True)
    assert len(files) == 1 + manifest["termShards"] + -(-len(docs) // per)


def test_the_same_notes_give_the_same_files_in_any_order() -> None:
    docs = library(60)
    ahead, behind = small(docs), small(list(reversed(docs)))
    assert {p: f.fingerprint for p, f in ahead.items()} == {
        p: f.fingerprint for p, f in behind.items()
    }
    assert all(ahead[p].make() == behind[p].make() for p in ahead)


def test_text_cannot_end_a_script_or_a_string() -> None:
    hostile = doc("x", title="</script><script>alert(1)</script>", body="a \u2028 b \u2029 c")
    files = search_files([hostile, doc("y")])
    for file in files:
        text = file.make()
        assert "</" not in text and "\u2028" not in text and "\u2029" not in text
    rows = data(next(f for f in files if f.path.endswith("d-0.js")))
    assert rows[0][2] == "</script><script>alert(1)</script>"  # packed: nothing to escape
    assert rows[0][8] == "a \u2028 b \u2029 c"


def test_term_shards_are_gzipped_base64_and_fingerprinted_by_what_they_hold() -> None:
    docs = library(120)
    files, again = small(docs), small(list(reversed(docs)))
    terms = [p for p in files if p.startswith(f"{SHARD_DIR}t-")]
    assert len(terms) > 1
    for path in terms:
        text = files[path].make()
        packed = json.loads(text[text.index(",") + 1 : -3])
        assert isinstance(packed, str) and base64.b64decode(packed)[:2] == b"\x1f\x8b"
        assert set(unpack_rows(packed)) == {"terms", "postings"}
        assert again[path].fingerprint == files[path].fingerprint
        assert again[path].make() == text
    # One more note changes the fingerprint of the shards its words are in, not the others'.
    more = small([*docs, doc("zzz", year=1900, body="zyzzyva")])  # numbered last
    changed = {p for p in terms if more[p].fingerprint != files[p].fingerprint}
    assert changed and changed != set(terms)


def test_doc_shards_are_gzipped_base64_of_the_same_rows_and_deterministic() -> None:
    docs = library(200)
    files = {f.path: f for f in search_files(docs)}
    shard = files[f"{SHARD_DIR}d-0.js"]
    text = shard.make()
    packed = json.loads(text[len('PAPERNOTES_SEARCH_SHARD("d-0",') : -3])
    assert isinstance(packed, str) and packed.isascii()
    assert base64.b64decode(packed)[:2] == b"\x1f\x8b"  # gzip's magic number
    assert unpack_rows(packed) == unpack_rows(pack_rows(unpack_rows(packed)))
    assert pack_rows(unpack_rows(packed)) == packed  # no time stamp: same rows, same bytes
    assert shard.make() == text
    raw = len(json.dumps(unpack_rows(packed), ensure_ascii=False).encode())
    assert len(text) < raw  # smaller, base64's third more included


@pytest.mark.parametrize(
    ("edit", "moved"),
    [
        # (what changes in note k050, which files may change besides its doc shard)
        ({"body": "attention " * 60}, {"terms"}),
        ({"abstract": "zyzzyva"}, {"terms"}),
        ({"venue": "ICLR"}, {"terms"}),
    ],
)
def test_editing_one_note_changes_only_its_shards(edit: dict[str, str], moved: set[str]) -> None:
    docs = library(200)
    before = small(docs)
    edited = [replace(d, **edit) if d.key == "k050" else d for d in docs]
    after = small(edited)
    assert before.keys() == after.keys()
    changed = {p for p in before if before[p].fingerprint != after[p].fingerprint}
    doc_shards = {p for p in changed if p.startswith(f"{SHARD_DIR}d-")}
    term_shards = {p for p in changed if p.startswith(f"{SHARD_DIR}t-")}
    assert len(doc_shards) == 1
    assert "k050" in [row[0] for row in data(after[doc_shards.pop()])]
    total_terms = sum(p.startswith(f"{SHARD_DIR}t-") for p in before)
    assert 0 < len(term_shards) < total_terms
    assert changed <= {MANIFEST} | term_shards | {p for p in changed if "/d-" in p}
    # Every term shard that changed holds a term of the note, before or after the edit.
    count = data(after[MANIFEST])["termShards"]
    old = next(d for d in docs if d.key == "k050")
    new = next(d for d in edited if d.key == "k050")
    touched = {
        f"{SHARD_DIR}t-{shard_of(t, count)}.js"
        for d in (old, new)
        for t in tokenize(" ".join((d.body, d.abstract, d.venue, d.title, d.authors)))
    }
    assert term_shards <= touched


def test_shard_counts_grow_with_the_library_in_powers_of_two() -> None:
    counts = []
    for n in (1, 30, 300):
        files = search_files(library(n), term_shard_bytes=8_000, doc_shard_bytes=4_000)
        manifest = data(files[0])
        counts.append((manifest["termShards"], len(files)))
    assert counts[0] == (1, 3)  # manifest, one term shard, one doc shard
    assert counts[0][0] <= counts[1][0] < counts[2][0]
    assert counts[2][1] < 300  # fewer files than notes


def test_postings_in_shards_decode_to_notes_in_tie_break_order() -> None:
    docs = [doc("old", year=1999, body="lora"), doc("new", year=2024, body="lora")]
    files = {f.path: f for f in search_files(docs)}
    shard = data(files[f"{SHARD_DIR}t-0.js"])
    terms = shard["terms"].split(" ")
    postings = decode_postings(shard["postings"].split(" ")[terms.index("lora")])
    assert [p.doc for p in postings] == [0, 1]
    assert [r[0] for r in data(files[f"{SHARD_DIR}d-0.js"])] == ["new", "old"]


def test_short_prefixes_list_the_shards_of_their_most_common_words_first() -> None:
    files = small(library(120))
    manifest = data(files[MANIFEST])
    count = manifest["termShards"]
    weight: dict[str, dict[int, int]] = {}
    for n in range(count):
        shard = data(files[f"{SHARD_DIR}t-{n}.js"])
        postings = shard["postings"].split(" ")
        for term, encoded in zip(shard["terms"].split(" "), postings, strict=True):
            if len(term) >= 2 and term.isascii():
                for i in range(1, min(KEY_CHARS, len(term))):
                    by_shard = weight.setdefault(term[:i], {})
                    by_shard[n] = by_shard.get(n, 0) + len(encoded)
    assert any(len(s) > 1 for s in weight.values())
    for prefix, by_shard in weight.items():
        assert manifest["short"][prefix] == sorted(by_shard, key=lambda n: (-by_shard[n], n))


def test_typo_keys_list_the_letter_keys_some_word_starts_with() -> None:
    terms = ["attention", "atom", "at", "a1b", "ünter", "über", "2017a", "注意力", "attn"]
    assert typo_keys(terms) == {"at": "ot", "üb": "e", "ün": "t"}
    manifest = data(search_files(library(40), term_shard_bytes=1000)[0])
    assert manifest["termShards"] > 1
    assert manifest["typoKeys"]["at"] == "t" and manifest["typoKeys"]["tr"] == "a"
    assert "注意" not in manifest["typoKeys"]

"""The search index: folding, tokens, postings, and the script the search page loads."""

from __future__ import annotations

import itertools
import json
import re
import tracemalloc
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papernotes.build import read_library
from papernotes.cjk import CJK_RANGES, is_cjk_char
from papernotes.config import load_config
from papernotes.markdown.factory import make_parser
from papernotes.render import render_note_body
from papernotes.search import index as search
from papernotes.search import text as search_text
from papernotes.search.index import (
    FIELD_ABSTRACT,
    FIELD_AUTHORS,
    FIELD_KEY,
    FIELD_META,
    FIELD_TITLE,
    INDEX_FORMAT,
    Posting,
    SearchDoc,
    build_index,
    decode_pairs,
    decode_postings,
    encode_pairs,
    encode_postings,
    index_data,
    search_index_js,
)
from papernotes.search.text import _fold_char, new_folds, normalize, tokenize

from conftest import REPO, clean_library, note_text, write_note

SEARCH_JS = REPO / "templates" / "static" / "search.js"


def doc(key: str = "k", **changes: Any) -> SearchDoc:
    base = SearchDoc(
        key=key,
        path=f"papers/{key}.html",
        title="",
        authors="",
        year=2020,
        venue="",
        tags=(),
        abstract="",
        body="",
    )
    return replace(base, **changes)


def postings_of(index: search.SearchIndex, term: str) -> tuple[Posting, ...]:
    return decode_postings(index.postings[index.terms.index(term)])


def load_js(text: str) -> dict[str, object]:
    prefix = "window.PAPERNOTES_SEARCH="
    assert text.startswith(prefix)
    assert text.endswith(";\n")
    data = json.loads(text[len(prefix) : -2])
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ＬｏＲＡ", "lora"),  # full-width Latin
        ("Müller García", "muller garcia"),  # accents
        ("İstanbul", "istanbul"),  # lower-casing that adds a combining dot
        ("Ⅻ ① ﬁne", "xii 1 fine"),  # compatibility forms
        ("co\u00adoperate", "cooperate"),  # soft hyphen: a format character
        ("奖励\n模型", "奖励模型"),  # soft line break inside a Chinese word
        ("\u3000全角\u3000空格\u3000", "全角空格"),  # ideographic spaces
        ("中文 English 中文", "中文 english 中文"),  # spaces next to Latin stay
        ("  a \t\n b  ", "a b"),
        ("ガ がぎ", "ガがぎ"),  # kana keep their voicing marks
        ("", ""),
    ],
)
def test_normalize(text: str, folded: str) -> None:
    assert normalize(text) == folded


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("人", ["人"]),
        ("奖励模型", ["奖", "励", "模", "型", "奖励", "励模", "模型"]),
        ("用LoRA微调", ["用", "lora", "微", "调", "微调"]),
        ("RLHF奖励", ["rlhf", "奖", "励", "奖励"]),
        ("fine-tuning", ["fine", "tuning", "finetuning"]),
        ("GPT-3 1.3B", ["gpt", "3", "gpt3", "1", "3b"]),
        ("r_\\theta don't", ["r", "theta", "don", "t"]),
        ("𠀀𠀁", ["𠀀", "𠀁", "𠀀𠀁"]),  # beyond the BMP
        ("한국어", ["한", "국", "어", "한국", "국어"]),
        ("第3章", ["第", "3", "章"]),  # digits split CJK runs
        ("——；。「」", []),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_ascii_folds_as_lower_case() -> None:
    # normalize() lower-cases ASCII text instead of folding it character by character: the
    # two must agree on every ASCII character.
    for code in range(128):
        ch = chr(code)
        assert _fold_char(ch) == ch.lower(), repr(ch)


def test_what_is_not_looked_up_folds_as_lower_case() -> None:
    # Folding lower-cases the text and looks up only what _LOOKED_UP matches: the rest (ASCII
    # and the CJK unified ideographs) must fold to its lower case.
    kept = [chr(c) for c in range(0x110000) if not search_text._LOOKED_UP.match(chr(c))]
    assert len(kept) == 128 + 0x5200
    assert [c for c in kept if _fold_char(c) != c.lower()] == []


def test_every_fold_is_its_own_lower_case() -> None:
    # What the fold table gives passes through the text's final str.lower() unchanged, and
    # holds no capital sigma (whose lower case depends on the letters beside it).
    changed = [hex(c) for c in range(0x110000) if (f := _fold_char(chr(c))).lower() != f]
    assert changed == []


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ΟΔΟΣ", "οδοσ"),  # per character: no final sigma
        ("微调（ＬｏＲＡ）：Müller，", "微调(lora):muller,"),
        ("İstanbul 𝐀𝐁", "istanbul ab"),
        ("ﾃｽﾄ ｶﾞ", "テスト カ"),  # a half-width voicing mark is a mark of its own: dropped
    ],
)
def test_folded_text_is_each_character_folded(text: str, folded: str) -> None:
    assert search_text._folded(text, None) == folded
    assert search_text._folded(text, None) == "".join(map(_fold_char, text))


@pytest.mark.parametrize(
    "text",
    ["Fine-Tuning GPT‐3", "Müller-Lüdenscheidt fine‐tuning", "ＬｏＲＡ x-y-z 中-文", "a--b -c d-"],
)
def test_tokenize_ascii_and_folded_paths_agree(text: str) -> None:
    # The same words whether the text takes the ASCII path or the folding table.
    assert tokenize(text + " é") == [*tokenize(text.lower()), "e"]


def _tokenize_in_three_passes(text: str) -> list[str]:
    """tokenize as it was: normalize (gaps closed, whitespace collapsed), then one findall."""
    cjk = search_text._CJK_CLASS
    word = f"[^\\W_{cjk}]"  # a letter or digit outside CJK
    pattern = re.compile(f"(?P<cjk>[{cjk}]+)|(?P<word>{word}+(?:[-\u2010]{word}+)*)")
    out: list[str] = []
    for run, w in pattern.findall(normalize(text)):
        if run:
            out.extend(run)
            out.extend(a + b for a, b in itertools.pairwise(run))
        elif "-" in w or "\u2010" in w:
            parts = re.split("[-\u2010]", w)
            out.extend(parts)
            out.append("".join(parts))
        else:
            out.append(w)
    return out


_TOKEN_TEXT = st.text(
    st.sampled_from(
        # U+200B: tokenize marks CJK runs with it, as folding drops it from every text
        [*"中文微调한국かカ𠀀", *"aZ9é_-\u2010.,", *" \t\n\u3000\x85\u2028\xa0", "\x1c", "\u200b"]
    ),
    max_size=40,
)


@given(_TOKEN_TEXT)
def test_tokenize_in_one_pass_gives_what_three_passes_gave(text: str) -> None:
    assert tokenize(text) == _tokenize_in_three_passes(text)
    assert tokenize(text, new_folds()) == _tokenize_in_three_passes(text)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("奖励\n模型", ["奖", "励", "模", "型", "奖励", "励模", "模型"]),
        (
            "奖励 \u3000\n模型 训练",
            ["奖", "励", "模", "型", "训", "练", "奖励", "励模", "模型", "型训", "训练"],
        ),
        ("奖励 model", ["奖", "励", "奖励", "model"]),
        ("a 中 b", ["a", "中", "b"]),
    ],
)
def test_whitespace_between_cjk_joins_the_run(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("ch", "cjk"),
    [
        *(("中", True), ("𠀀", True), ("か", True), ("カ", True), ("한", True)),
        *(("・", False), ("a", False), ("。", False), ("\u3099", False)),
    ],
)
def test_is_cjk_char(ch: str, cjk: bool) -> None:
    assert is_cjk_char(ch) is cjk


def test_search_js_uses_the_same_cjk_ranges() -> None:
    source = SEARCH_JS.read_text("utf-8")
    block = re.search(r"const CJK_RANGES = \[(.*?)\];", source, re.S)
    assert block is not None
    pairs = re.findall(r"\[0x([0-9a-f]+), 0x([0-9a-f]+)\]", block.group(1))
    assert tuple((int(a, 16), int(b, 16)) for a, b in pairs) == CJK_RANGES


def test_search_js_reads_the_current_format() -> None:
    assert f"const INDEX_FORMAT = {INDEX_FORMAT};" in SEARCH_JS.read_text("utf-8")


@pytest.mark.parametrize(
    ("postings", "encoded"),
    [
        ((), ""),
        ((Posting(0, 0, 1),), "AB"),
        ((Posting(0, 0, 1), Posting(1, 0, 2)), "ABAC"),
        ((Posting(0, FIELD_TITLE, 0),), "AgB"),  # 32 needs a second digit
        ((Posting(40, 0, 15),), "oBP"),
    ],
)
def test_encode_postings(postings: tuple[Posting, ...], encoded: str) -> None:
    assert encode_postings(postings) == encoded
    assert decode_postings(encoded) == postings


@given(
    st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=30),
    st.lists(st.integers(1, 5000), min_size=30, max_size=30),
)
def test_postings_round_trip(values: list[tuple[int, int]], gaps: list[int]) -> None:
    doc = -1
    postings = []
    for (fields_, tf), gap in zip(values, gaps, strict=False):
        doc += gap
        postings.append(Posting(doc, fields_, tf))
    assert decode_postings(encode_postings(postings)) == tuple(postings)


def test_postings_far_apart_and_every_field_bit_encode_as_encode_pairs_does() -> None:
    # Gaps and values past the table of one- and two-digit numbers take three digits or more.
    keys = [f"k{i:05}" for i in range(2_100)]
    value = {k: (i * 37) % 2048 for i, k in enumerate(keys)}
    has = {"rare": {keys[0], keys[1_500], keys[2_099]}, "every": set(keys)}
    terms = {k: (1, {t: value[k] for t, holders in has.items() if k in holders}) for k in keys}
    index = build_index([doc(k) for k in keys], terms_of=lambda d: terms[d.key])
    for term, holders in has.items():
        pairs = [(i, value[k]) for i, k in enumerate(keys) if k in holders]
        assert index.postings[index.terms.index(term)] == encode_pairs(pairs)
        assert decode_pairs(encode_pairs(pairs)) == pairs


def test_field_bits_and_body_frequency() -> None:
    index = build_index(
        [
            doc(
                "hu2021lora",
                title="LoRA: Low-Rank Adaptation",
                authors="Edward J. Hu, 沈业龙",
                venue="ICLR",
                tags=("peft",),
                abstract="Adapters, but low-rank.",
                body="LoRA LoRA lora " + "rank " * 40,
            )
        ]
    )
    assert postings_of(index, "lora") == (Posting(0, FIELD_TITLE, 3),)
    # The whole key, marked as the key: search.js finds the note without its stored text.
    assert postings_of(index, "hu2021lora") == (Posting(0, FIELD_META | FIELD_KEY, 0),)
    assert postings_of(index, "rank") == (Posting(0, FIELD_TITLE | FIELD_ABSTRACT, 15),)
    assert postings_of(index, "沈业") == (Posting(0, FIELD_AUTHORS, 0),)
    assert postings_of(index, "peft") == (Posting(0, FIELD_META, 0),)
    assert postings_of(index, "2020") == (Posting(0, FIELD_META, 0),)
    assert postings_of(index, "iclr") == (Posting(0, FIELD_META, 0),)
    assert index.lengths == (43,)


def test_notes_are_numbered_by_path_whatever_the_input_order() -> None:
    docs = [doc("b", body="注意力"), doc("a", body="attention"), doc("c", body="注意力 attention")]
    index = build_index(docs)
    assert [d.key for d in index.docs] == ["a", "b", "c"]
    assert [p.doc for p in postings_of(index, "注意")] == [1, 2]
    assert build_index(reversed(docs)) == index


def test_building_the_index_makes_no_object_per_posting() -> None:
    # Memory: a tuple per posting was millions of objects made and freed at 5,000 notes, and
    # the holes they left in the heap stayed to the end of the build. Flat lists of numbers
    # cost two references a posting (21 bytes at the peak here); encoded as they are found,
    # about two VLQ digits, then the postings' strings (under 6 bytes).
    terms = {f"k{i:03}": (10, {f"t{t}": 1 + (t + i) % 9 for t in range(300)}) for i in range(200)}
    docs = [doc(k) for k in terms]
    postings = sum(len(tf) for _, tf in terms.values())
    tracemalloc.start()
    try:
        build_index(docs, terms_of=lambda d: terms[d.key])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * postings, peak / postings


def test_terms_sort_as_javascript_compares_them() -> None:
    # U+FA0E < U+20000 as code points, but JavaScript compares UTF-16 units: D840 < FA0E.
    index = build_index([doc(body="﨎 z 𠀀")])
    assert index.terms == ("2020", "k", "z", "𠀀", "﨎")


def test_index_data_rows_match_the_field_names() -> None:
    data = index_data(build_index([doc(title="T", tags=("x", "y"))]))
    names = data["fields"]
    assert isinstance(names, list)
    assert set(names) <= {f.name for f in fields(SearchDoc)}
    rows = data["docs"]
    assert isinstance(rows, list)
    assert dict(zip(names, rows[0], strict=True))["tags"] == ["x", "y"]


def test_search_index_js_is_deterministic_data() -> None:
    docs = [
        doc("z", title="<img src=x onerror=alert(1)>", body="</script> \u2028 line"),
        doc("a", title="Attention", body="注意力机制"),
    ]
    text = search_index_js(docs)
    assert text == search_index_js(list(reversed(docs)))
    assert "\u2028" not in text
    data = load_js(text)
    assert data["format"] == INDEX_FORMAT
    rows = data["docs"]
    assert isinstance(rows, list)
    assert rows[1][2] == "<img src=x onerror=alert(1)>"
    assert rows[1][8] == "</script> \u2028 line"
    terms = data["terms"]
    assert isinstance(terms, str)
    assert "注意" in terms.split(" ")
    postings = data["postings"]
    assert isinstance(postings, str)
    assert len(postings.split(" ")) == len(terms.split(" "))


def test_long_bodies_are_stored_truncated_but_indexed_whole() -> None:
    body = "开头 " + "填充 " * 100 + "zebra"
    data = load_js(search_index_js([doc(body=body)], max_body_chars=20))
    rows = data["docs"]
    assert isinstance(rows, list)
    assert rows[0][8] == body[:20]
    terms = data["terms"]
    assert isinstance(terms, str)
    assert "zebra" in terms.split(" ")


def test_search_doc_of_note(tmp_path: Path) -> None:
    write_note(
        tmp_path,
        "peft/lora.md",
        note_text(
            "LoRA",
            authors="[Edward J. Hu, 沈业龙]",
            year=2022,
            extra="id: hu2021lora\ntags: [peft, lora]\nabstract: Low-rank updates.\n",
        ),
    )
    note = next(iter(clean_library(tmp_path).notes.values()))
    assert SearchDoc.of_note(note, "正文") == SearchDoc(
        key="hu2021lora",
        path="papers/hu2021lora.html",
        title="LoRA",
        authors="Edward J. Hu, 沈业龙",
        year=2022,
        venue="",
        tags=("peft", "lora"),
        abstract="Low-rank updates.",
        body="正文",
    )


def test_bundled_library_index_stays_small() -> None:
    """A budget, so a change that bloats the index is noticed: the 30 notes' index is ~260 KB."""
    config, _ = load_config(REPO)
    md = make_parser(allow_html=config.allow_html)
    library, _ = read_library(REPO, config, md)
    docs = [
        SearchDoc.of_note(n, render_note_body(n, library, md, config.papers_dir).text)
        for n in library.notes.values()
    ]
    size = len(search_index_js(docs).encode("utf-8"))
    text = sum(len(d.body.encode("utf-8")) for d in docs)
    assert size < 2.5 * text
    assert size < 400_000


def test_an_empty_library_gives_an_empty_index() -> None:
    data = load_js(search_index_js([]))
    assert (data["docs"], data["terms"], data["postings"]) == ([], "", "")

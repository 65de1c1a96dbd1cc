"""Search text without markup (search/clean.py), and what the index holds for issue 14: section
headings, arXiv ids, DOIs and citekeys as id terms, sharded whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.build import read_library
from papernotes.config import load_config
from papernotes.markdown.factory import make_parser
from papernotes.search.clean import clean_text
from papernotes.search.index import (
    FIELD_HEADING,
    FIELD_ID,
    FIELD_TITLE,
    SearchDoc,
    build_index,
    decode_postings,
    doc_terms,
    id_term,
    id_terms,
)
from papernotes.search.shards import KEY_CHARS, search_files, shard_of, unpack_rows

from conftest import note_text, write_note

CLEAN_CASES = [
    # (text, cleaned)
    ("Uses $x^2 + \\alpha$ here", "Uses x^2 + \\alpha here"),
    ("$$E = mc^2$$ and \\(y\\) and \\[z\\]", "E = mc^2 and y and z"),
    ("It costs $5 and $10 today", "It costs $5 and $10 today"),  # prices are no math
    ("see [[hu2021lora|LoRA]] and [[vaswani2017attention]]", "see LoRA and vaswani2017attention"),
    ("an embed ![[figure.png]] here", "an embed figure.png here"),
    ("a claim^[with an inline note] ends", "a claim with an inline note ends"),
    ("before %%a private\ncomment%% after", "before after"),
    ("> [!note] Callout title\n> body", "Callout title > body"),
    ("[!warning]- Folded", "Folded"),
    ("**bold**, __strong__, ==marked== and ~~gone~~", "bold, strong, marked and gone"),
    ('<span class="x">text</span><br/>', "text"),
    ("a<b and c>d", "a<b and c>d"),  # a comparison, not a tag
    ("  spaces\n\nand   lines ", "spaces and lines"),
]


@pytest.mark.parametrize(("text", "cleaned"), CLEAN_CASES)
def test_clean_text(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


_PIECES = ["%%", "[!", "[[", "]]", "|", "^[", "]", "[", "<b>", "</i>", "<a x='1'>", "<", ">"]
_PIECES += ["$$", "$", "\\(", "\\", ")", "**", "__", "==", "~~", "*", "_", "=", "~", "!"]
_PIECES += ["x", "yz", "1", " ", "\n", "-"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_clean_text_is_every_rule_applied(text: str) -> None:
    # The rules a text cannot match are skipped: the result is that of applying them all.
    from papernotes.search.clean import _RULES

    expected = text
    for _, pattern, replacement in _RULES:
        expected = pattern().sub(replacement, expected)
    assert clean_text(text) == " ".join(expected.split())


def test_clean_text_keeps_the_very_string_when_clean() -> None:
    # Memory: a search document holds its rendered body's text itself, not an equal copy.
    text = "Already clean text, 注意力 and x^2."
    assert clean_text(text) is text
    assert clean_text(" " + text) == text


ID_CASES = [
    # (key, arxiv, doi, id terms)
    ("hu2021lora", None, None, ("@ra:key:hu2021lora",)),
    ("Vaswani2017", "1706.03762v5", None, ("@17:key:vaswani2017", "@62:arxiv:1706.03762")),
    ("m", "hep-th/9711200", None, ("@m:key:m", "@00:arxiv:hep-th/9711200")),
    ("g", "math.GT/0309136", None, ("@g:key:g", "@36:arxiv:math.gt/0309136")),
    ("d", None, "10.1023/A:1026654312961", ("@d:key:d", "@61:doi:10.1023/a:1026654312961")),
    (  # arXiv's own DOI names the id too; one arXiv term, not two
        "l",
        "2106.09685v2",
        "10.48550/arXiv.2106.09685",
        ("@l:key:l", "@85:arxiv:2106.09685", "@85:doi:10.48550/arxiv.2106.09685"),
    ),
    ("x", "not an id", None, ("@x:key:x",)),
]


@pytest.mark.parametrize(("key", "arxiv", "doi", "terms"), ID_CASES)
def test_id_terms(key: str, arxiv: str | None, doi: str | None, terms: tuple[str, ...]) -> None:
    assert id_terms(key, arxiv, doi) == terms


def _doc(key: str = "k", **changes: Any) -> SearchDoc:
    fields: dict[str, Any] = dict(
        key=key, path=f"papers/{key}.html", title="", authors="", year=2020, venue="", tags=()
    )
    fields.update(abstract="", body="")
    fields.update(changes)
    return SearchDoc(**fields)


def test_id_terms_are_indexed_and_a_plain_key_is_found_as_its_word() -> None:
    _, packed = doc_terms(_doc("hu2021lora", arxiv="2106.09685", doi="10.1/X"))
    assert packed[id_term("arxiv", "2106.09685")] == FIELD_ID << 4
    assert packed[id_term("doi", "10.1/x")] == FIELD_ID << 4
    # The word hu2021lora is in the meta fields: search.js checks which note's key it is.
    assert id_term("key", "hu2021lora") not in packed
    # A key the tokenizer splits or folds gets its term: no single word would find it.
    for key in ("smith:2020", "Müller2020", "a.b-c_d"):
        assert id_term("key", key.lower()) in doc_terms(_doc(key))[1]


def test_a_heading_word_has_the_heading_bit_and_a_paragraph_word_not() -> None:
    index = build_index(
        [
            _doc("h", headings="Regularization\nMethod", body="Regularization Method dropout"),
            _doc("p", body="regularization in passing"),
            _doc("t", title="Regularization"),
        ]
    )
    postings = decode_postings(index.postings[index.terms.index("regularization")])
    assert [(p.doc, p.fields) for p in postings] == [(0, FIELD_HEADING), (1, 0), (2, FIELD_TITLE)]
    assert decode_postings(index.postings[index.terms.index("dropout")])[0].fields == 0


def test_of_note_reads_headings_ids_and_cleans_the_text(tmp_path: Path) -> None:
    write_note(
        tmp_path,
        "lora.md",
        note_text(
            "LoRA",
            extra=(
                "id: hu2021lora\narxiv: 2106.09685v2\ndoi: 10.48550/arXiv.2106.09685\n"
                "abstract: Updates $W_0 + BA$ of **low** rank.\n"
            ),
            body="## Method\n\nWe train $A$ and ==B== only^[see the appendix].\n\n### Results $r$\n",
        ),
    )
    config, _ = load_config(tmp_path)
    md = make_parser(allow_html=config.allow_html)
    library, _ = read_library(tmp_path, config, md)
    note = library.notes["hu2021lora"]
    doc = SearchDoc.of_note(note, "Method We train $A$ and B only^[see the appendix]. Results r")
    assert doc.headings == "Method\nResults r"
    assert (doc.arxiv, doc.doi) == ("2106.09685v2", "10.48550/arXiv.2106.09685")
    assert doc.abstract == "Updates W_0 + BA of low rank."
    assert doc.body == "Method We train A and B only see the appendix. Results r"


def _terms_of(text: str) -> list[str]:
    """The terms of a term shard's script (its data packed as pack_rows packs it)."""
    packed = text.split('"')[3]
    return str(unpack_rows(packed)["terms"]).split(" ")


def test_id_terms_spread_over_the_shards_and_stay_out_of_short_prefixes() -> None:
    terms = [id_term("doi", f"10.1000/{n}") for n in range(100)]
    assert len({t[:KEY_CHARS] for t in terms}) == 100  # not all under "@do"
    assert len({shard_of(t, 64) for t in terms}) > 32
    docs = [_doc(f"k{n}", doi=f"10.1000/{n}", body=f"word{n} other{n}") for n in range(60)]
    files = search_files(docs, term_shard_bytes=200)
    assert '"@' not in files[0].make()  # the manifest lists no id term's prefix
    shards = [f for f in files if "/t-" in f.path]
    assert len(shards) > 4
    for n in (0, 7, 59):
        term = id_term("doi", f"10.1000/{n}")
        holders = [f.path for f in shards if term in _terms_of(f.make())]
        assert holders == [f"static/search/t-{shard_of(term, len(shards))}.js"]

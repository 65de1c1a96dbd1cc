"""BibTeX export: entry types, escaping, case protection, names, and round trips through pybtex,
real bibtex (plain.bst) and biber."""

from __future__ import annotations

import itertools
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database import BibliographyData, Person, parse_string
from pybtex.richtext import Text

from papernotes.bib import names
from papernotes.bib.export import (
    CONFERENCE_ACRONYMS,
    check_raw_field,
    duplicate_keys,
    entry_type,
    format_bib,
    format_entry,
    parse_person,
    split_authors,
    to_entry,
)
from papernotes.bib.latex import escape_latex, latex_title, needs_case_protection
from papernotes.bib.names import format_person, to_person
from papernotes.bib.names import person_parts as read_parts
from papernotes.cjk import has_cjk as is_cjk
from papernotes.model import Author, CiteKey, Metadata, Status

# --------------------------------------------------------------------------- helpers

_MACROS = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
}


def decode(latex: str) -> str:
    """Read back the small LaTeX subset the exporter may write, as a LaTeX reader would.

    Strict on purpose: a special character left unescaped (``_``, ``%``, a bare ``~`` tie...)
    or an unknown macro fails the test instead of being passed through.
    """
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            word = re.match(r"[A-Za-z]+", latex[i + 1 :])
            if word:
                assert word.group() in _MACROS, f"unexpected macro in {latex!r}"
                out.append(_MACROS[word.group()])
                i += 1 + len(word.group())
                while i < len(latex) and latex[i] == " ":  # TeX skips spaces after a word
                    i += 1
                continue
            assert latex[i + 1 : i + 2] in set("&%#_$"), f"unexpected escape in {latex!r}"
            out.append(latex[i + 1])
            i += 2
            continue
        if ch in "{}":
            depth += 1 if ch == "{" else -1
            assert depth >= 0, f"unbalanced braces in {latex!r}"
        elif ch in "~^$#%&_":
            raise AssertionError(f"unescaped {ch!r} in {latex!r}")
        else:
            out.append(ch)
        i += 1
    assert depth == 0, f"unbalanced braces in {latex!r}"
    return "".join(out)


def squash(text: str) -> str:
    """What a text field is expected to come back as: whitespace runs as one space."""
    return " ".join(text.split())


def meta(key: str = "x", **kw: Any) -> Metadata:
    kw.setdefault("title", "A Title")
    kw.setdefault("authors", (Author("Doe", "Jane"),))
    kw.setdefault("year", 2020)
    return Metadata(key=CiteKey(key), **kw)


def parse_bib(text: str) -> BibliographyData:
    return parse_string(text, "bibtex")


def person_parts(p: Person) -> tuple[str, str, str, str]:
    """(given, particle, family, suffix) of a parsed name, decoded."""
    return (
        decode(" ".join(p.first_names + p.middle_names)),
        decode(" ".join(p.prelast_names)),
        decode(" ".join(p.last_names)),
        decode(" ".join(p.lineage_names)),
    )


def expected_parts(a: Author) -> tuple[str, str, str, str]:
    """How ``a`` should come back from pybtex: CJK names are one family-first token."""
    given, particle = squash(a.given), squash(a.particle)
    family, suffix = squash(a.family), squash(a.suffix)
    if is_cjk(family) and not (particle or suffix) and (not given or is_cjk(given)):
        return ("", "", squash(f"{family} {given}"), "")
    if "," in family + given + particle + suffix:
        return ("", "", Author(family, given, particle, suffix).display, "")
    return (given, particle, family, suffix)


# --------------------------------------------------------------------------- entry types

ENTRY_TYPES = [
    ({"entry_type": "article", "venue": "NeurIPS 2020"}, "article"),
    ({"entry_type": "InProceedings"}, "inproceedings"),
    ({"entry_type": "phdthesis", "venue": "JMLR"}, "phdthesis"),
    ({}, "misc"),
    ({"venue": "   "}, "misc"),
    ({"venue": "NeurIPS 2020"}, "inproceedings"),
    ({"venue": "NIPS 2017"}, "inproceedings"),
    ({"venue": "ICLR 2022"}, "inproceedings"),
    ({"venue": "ACL 2022"}, "inproceedings"),
    ({"venue": "Findings of EACL 2023"}, "inproceedings"),
    ({"venue": "Findings of the Association for Computational Linguistics"}, "inproceedings"),
    ({"venue": "EMNLP-IJCNLP 2019"}, "inproceedings"),
    ({"venue": "NAACL-HLT 2019"}, "inproceedings"),
    ({"venue": "NeurIPS'20"}, "inproceedings"),
    ({"venue": "CVPR2022"}, "inproceedings"),
    ({"venue": "Proceedings of the 40th ICML"}, "inproceedings"),
    ({"venue": "Advances in Neural Information Processing Systems"}, "article"),
    ({"venue": "International Conference on Learning Representations"}, "inproceedings"),
    ({"venue": "NeurIPS Workshop on Efficient NLP"}, "inproceedings"),
    ({"venue": "USENIX Symposium on Operating Systems"}, "inproceedings"),
    ({"venue": "Annual Meeting of the ACL"}, "inproceedings"),
    ({"venue": "JMLR"}, "article"),
    ({"venue": "TACL"}, "article"),
    ({"venue": "Transactions of the ACL"}, "article"),
    ({"venue": "Nature"}, "article"),
    ({"venue": "arXiv"}, "article"),
    ({"venue": "Chinese Journal of Computers"}, "article"),  # not CHI
    ({"venue": "Aclinical Review"}, "article"),  # a word starting with an acronym is not it
]


@pytest.mark.parametrize(("kw", "expected"), ENTRY_TYPES)
def test_entry_type(kw: dict[str, Any], expected: str) -> None:
    assert entry_type(meta(**kw)) == expected


@pytest.mark.parametrize("acronym", sorted(CONFERENCE_ACRONYMS))
def test_every_acronym_is_a_conference(acronym: str) -> None:
    assert entry_type(meta(venue=f"{acronym} 2023")) == "inproceedings"
    assert entry_type(meta(venue=acronym.lower())) == "inproceedings"


@pytest.mark.parametrize(
    ("kind", "venue_field"),
    [("article", "journal"), ("inproceedings", "booktitle"), ("misc", "howpublished"),
     ("incollection", "booktitle"), ("periodical", "journal")],
)  # fmt: skip
def test_venue_field_by_type(kind: str, venue_field: str) -> None:
    fields = to_entry(meta(entry_type=kind, venue="Some Venue")).fields
    assert fields[venue_field] == "Some Venue"
    assert {"journal", "booktitle", "howpublished"} & set(fields) == {venue_field}


# --------------------------------------------------------------------------- escaping

ESCAPES = [
    ("plain text", "plain text"),
    ("{", r"{\textbraceleft}"),
    ("}", r"{\textbraceright}"),
    ("\\", r"{\textbackslash}"),
    ("~", r"{\textasciitilde}"),
    ("^", r"{\textasciicircum}"),
    ("%", r"\%"),
    ("&", r"\&"),
    ("#", r"\#"),
    ("_", r"\_"),
    ("$", r"\$"),
    ("Müller 注意力 ½ —", "Müller 注意力 ½ —"),  # non-ASCII stays UTF-8
    ('say "hi" @home', 'say "hi" @home'),
    (r"\emph{x}", r"{\textbackslash}emph{\textbraceleft}x{\textbraceright}"),
]


@pytest.mark.parametrize(("text", "latex"), ESCAPES)
def test_escape_latex(text: str, latex: str) -> None:
    assert escape_latex(text) == latex
    assert decode(latex) == text


PROTECTED = [
    ("GPT", True),
    ("GPT-3", True),
    ("LoRA", True),
    ("BERT", True),
    ("P-Tuning", True),
    ("DetectGPT", True),
    ("ChatGLM-6B", True),
    ("T5", True),
    ("iPhone", True),
    ("Q&A", True),
    ("X-ray", True),
    ("Attention", False),
    ("attention", False),
    ("Pre-Training", False),
    ("Self-Attention", False),
    ("A", False),
    ("2022", False),
    ("注意力", False),
    ("Élan", False),
    ("ÉLAN", True),
]


@pytest.mark.parametrize(("word", "protect"), PROTECTED)
def test_needs_case_protection(word: str, protect: bool) -> None:
    assert needs_case_protection(word) is protect


TITLES = [
    (
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "{LoRA}: Low-Rank Adaptation of Large Language Models",
    ),
    ("Few-Shot Learners (GPT-3)", "Few-Shot Learners ({GPT-3})"),
    ("P-Tuning v2", "{P-Tuning} v2"),
    ("DetectGPT and ChatGLM-6B", "{DetectGPT} and {ChatGLM-6B}"),
    ("Q&A on 50% of BERT", r"{Q\&A} on 50\% of {BERT}"),
    ("  many   spaces\n\tand lines ", "many spaces and lines"),
    ("&GPT", r"\&{GPT}"),  # the protecting group never starts with a backslash
    ("a_b {c} $x$", r"a\_b {\textbraceleft}c{\textbraceright} \$x\$"),
    ("\\ ~ ^ #", r"{\textbackslash} {\textasciitilde} {\textasciicircum} \#"),
    ("注意力就是你所需要的 GPT", "注意力就是你所需要的 {GPT}"),
    ("bell\x07 and nul\x00", "bell and nul"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "latex"), TITLES)
def test_latex_title(title: str, latex: str) -> None:
    assert latex_title(title) == latex


# --------------------------------------------------------------------------- names

PARSED_NAMES = [
    ("Edward J. Hu", Author("Hu", "Edward J.")),
    ("Hu, Edward J.", Author("Hu", "Edward J.")),
    ("Zhengxiao Du", Author("Du", "Zhengxiao")),
    ("José García", Author("García", "José")),
    ("Ludwig van Beethoven", Author("Beethoven", "Ludwig", particle="van")),
    ("van Beethoven, Ludwig", Author("Beethoven", "Ludwig", particle="van")),
    ("de la Fuente, Ana", Author("Fuente", "Ana", particle="de la")),
    ("Doe, Jr., John", Author("Doe", "John", suffix="Jr.")),
    ("Doe, III, John", Author("Doe", "John", suffix="III")),
    ("{OpenAI}", Author("OpenAI")),
    ("OpenAI", Author("OpenAI")),
    ("{Allen Institute for AI}", Author("Allen Institute for AI")),
    ("{Barnes and Noble}", Author("Barnes and Noble")),
    ("{Acme, Inc.}", Author("Acme, Inc.")),
    ("杨植麟", Author("杨植麟")),
    ("田中 英輝", Author("田中", "英輝")),
    ("{田中 英輝}", Author("田中", "英輝")),
    ("田中, 英輝", Author("田中", "英輝")),
    ("  Edward   J.  Hu ", Author("Hu", "Edward J.")),
    ("{dos Santos}, Cícero", Author("dos Santos", "Cícero")),
]


@pytest.mark.parametrize(("name", "author"), PARSED_NAMES)
def test_parse_person(name: str, author: Author) -> None:
    assert parse_person(name) == author


def _by_pybtex(name: str, monkeypatch: pytest.MonkeyPatch) -> Author | str:
    """``parse_person(name)`` with every name taken through pybtex (no plain-name shortcut)."""
    with monkeypatch.context() as m:
        m.setattr(names, "_PLAIN_NAME", re.compile("(?!)"))
        try:
            return parse_person(name)
        except ValueError as exc:
            return str(exc)


def test_plain_names_split_as_pybtex_splits_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Capitalised ASCII words are split without pybtex (``names._PLAIN_NAME``), as it would:
    every name of up to three of these words, the shortcut's and its near misses."""
    words = ["Tao", "Gao", "A", "McDonald", "And", "and", "van", "Jr", "Others", "Gao-Li"]
    shortcut = 0
    for size in (1, 2, 3):
        for combo in itertools.product(words, repeat=size):
            name = " ".join(combo)
            try:
                ours: Author | str = parse_person(name)
            except ValueError as exc:
                ours = str(exc)
            assert ours == _by_pybtex(name, monkeypatch), name
            shortcut += names._PLAIN_NAME.fullmatch(name) is not None and "And" not in combo
    assert shortcut == 5**2 + 5**3  # of Tao, Gao, A, Jr, Others: every pair and triple


BAD_NAMES = [
    ("", "empty"),
    ("   ", "empty"),
    ("Doe, John, Jr., Extra", "commas"),
    ("{OpenAI", "unbalanced"),
    ("Open}AI{", "unbalanced"),
    ("{}", "empty inside"),
    ('M{\\"u}ller, Hans', "backslash"),
    ("Hu and Shen", "several names"),
    (", John", "no family name"),
]


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_parse_person_rejects(name: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_person(name)


SPLITS = [
    ("A and B and C", ["A", "B", "C"]),
    ("Hu, Edward J. AND Shen, Yelong", ["Hu, Edward J.", "Shen, Yelong"]),
    ("Armand and anderssen", ["Armand", "anderssen"]),
    ("{Barnes and Noble} and Hu", ["{Barnes and Noble}", "Hu"]),
    ("A\nand\tB", ["A", "B"]),
    ("Anand Sandberg", ["Anand Sandberg"]),
    ("", []),
]


@pytest.mark.parametrize(("value", "names"), SPLITS)
def test_split_authors(value: str, names: list[str]) -> None:
    assert split_authors(value) == names


@pytest.mark.parametrize("value", ["A and", "and B", "A and and B", "{A and B"])
def test_split_authors_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        split_authors(value)


WRITTEN_NAMES = [
    (Author("Hu", "Edward J."), "Hu, Edward J."),
    (Author("Beethoven", "Ludwig", particle="van"), "van Beethoven, Ludwig"),
    (Author("Doe", "John", suffix="Jr."), "Doe, Jr., John"),
    (Author("Doe", suffix="Jr."), "Doe, Jr.,"),
    (Author("Doe", particle="van"), "van Doe"),
    (Author("OpenAI"), "{OpenAI}"),
    (Author("杨植麟"), "{杨植麟}"),
    (Author("田中", "英輝"), "{田中 英輝}"),
    (Author("dos Santos", "Cícero"), "{dos Santos}, Cícero"),
    (Author("Acme, Inc."), "{Acme, Inc.}"),
    (Author("Smith", "Anne and Mary"), "Smith, {Anne and Mary}"),
    (Author("Smith, Ltd", "Anne", suffix="Jr."), "{Anne Smith, Ltd, Jr.}"),
    (Author("O'Brien_%", "A~B"), r"O'Brien\_\%, A{\textasciitilde}B"),
    (Author("", "Madonna"), "{Madonna}"),
]


@pytest.mark.parametrize(("author", "written"), WRITTEN_NAMES)
def test_written_name(author: Author, written: str) -> None:
    assert format_person(to_person(author)) == written


@pytest.mark.parametrize("author", [a for a, _ in WRITTEN_NAMES])
def test_written_name_parses_back(author: Author) -> None:
    entry = parse_bib(format_entry(meta(authors=(author,)))).entries["x"]
    [person] = entry.persons["author"]
    assert person_parts(person) == expected_parts(author if author.family else Author("Madonna"))


@pytest.mark.parametrize("name", [n for n, _ in PARSED_NAMES])
def test_front_matter_name_survives_export_and_reimport(name: str) -> None:
    """parse_person → export → pybtex → parse_person gives the same Author."""
    author = parse_person(name)
    entry = parse_bib(format_entry(meta(authors=(author,)))).entries["x"]
    [person] = entry.persons["author"]
    assert parse_person(decode_name(format_person(person))) == author


def decode_name(latex_name: str) -> str:
    # Decode each top-level brace group's text but keep the grouping braces, which
    # parse_person reads as "one token".
    parts = re.split(r"(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})", latex_name)
    return "".join(f"{{{decode(p[1:-1])}}}" if p.startswith("{") else decode(p) for p in parts)


def test_to_person_rejects_empty_author() -> None:
    with pytest.raises(ValueError, match="no name"):
        to_person(Author(""))


# --------------------------------------------------------------------------- entries


def test_site_only_data_is_never_exported() -> None:
    import datetime as dt

    m = meta(
        title="T",
        venue="ICLR 2022",
        arxiv="2106.09685",
        doi="10.1/x",
        url="https://example.org/p",
        pdf="https://example.org/secret.pdf",
        code="https://github.com/secret/code",
        tags=("secrettag",),
        status=Status.READ,
        rating=5,
        read=dt.date(2023, 4, 2),
        abstract="Secret abstract.",
    )
    entry = to_entry(m)
    assert list(entry.fields) == [
        "title", "booktitle", "year", "doi", "eprint", "archivePrefix", "url",
    ]  # fmt: skip
    assert list(entry.persons) == ["author"]
    text = format_entry(m)
    for secret in ("secret", "Secret", "2023", "rating", "read"):
        assert secret not in text


def test_misc_with_only_a_url_gets_no_howpublished() -> None:
    fields = to_entry(meta(url="https://example.org/a_b")).fields
    assert "howpublished" not in fields
    assert fields["url"] == "https://example.org/a_b"


def test_arxiv_fields() -> None:
    fields = to_entry(meta(arxiv="cs/0112017", bibtex={"primaryClass": "cs.CL"})).fields
    assert (fields["eprint"], fields["archivePrefix"], fields["primaryClass"]) == (
        "cs/0112017", "arXiv", "cs.CL",
    )  # fmt: skip
    assert "primaryClass" not in to_entry(meta(arxiv="2106.09685")).fields


def test_raw_fields_add_and_override_as_written() -> None:
    m = meta(
        title="Bert",
        venue="NAACL 2019",
        bibtex={
            "tex.Title": "{BERT}: Pre-training",
            "pages": "4171--4186",
            "tex.note": r"50\% \emph{x}",
        },
    )
    entry = to_entry(m)
    assert list(entry.fields) == ["title", "booktitle", "year", "pages", "note"]
    assert entry.fields["title"] == "{BERT}: Pre-training"
    assert entry.fields["note"] == r"50\% \emph{x}"


def test_raw_override_keeps_our_field_spelling() -> None:
    text = format_entry(
        meta(bibtex={"tex.TITLE": "{X}", "tex.Author": "Roe, R", "tex.Editor": "Poe, E"})
    )
    assert "  author = {Roe, R},\n  Editor = {Poe, E},\n  title = {{X}}," in text


def test_raw_author_replaces_persons() -> None:
    entry = to_entry(meta(bibtex={"tex.author": 'M{\\"u}ller, Hans and {OpenAI}'}))
    assert [str(p) for p in entry.persons["author"]] == ['M{\\"u}ller, Hans', "{OpenAI}"]
    assert 'author = {M{\\"u}ller, Hans and {OpenAI}}' in format_entry(
        meta(bibtex={"tex.author": 'M{\\"u}ller, Hans and {OpenAI}'})
    )


RAW_FIELD_CHECKS = [
    ("pages", "1--13", None),
    ("tex.note", r"{\'E}t{\'e} \emph{x}", None),
    ("note", "", None),
    ("tex.note", "{unclosed", "unclosed"),
    ("tex.note", "closed}", "unmatched"),
    ("tex.note", r"\{", "unclosed"),  # BibTeX counts escaped braces too
    ("my field", "x", "not a BibTeX field name"),
    ("", "x", "not a BibTeX field name"),
    ("tex.author", "Doe, John, Jr., X and Roe, R", "more than two commas"),
    ("editor", "Doe, Jr., John and Roe, R", None),
]


@pytest.mark.parametrize(("name", "value", "problem"), RAW_FIELD_CHECKS)
def test_check_raw_field(name: str, value: str, problem: str | None) -> None:
    found = check_raw_field(name, value)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_to_entry_rejects_a_bad_raw_field() -> None:
    with pytest.raises(ValueError, match=r"x: bibtex field 'tex\.note' has unbalanced braces"):
        to_entry(meta(bibtex={"tex.note": "{"}))


VERBATIM = [
    "https://example.org/~user/a_b%20c?q=1&r=2#frag",
    "https://openreview.net/forum?id=nZeVKeeFYf9",
    "https://x.org/path\\",
]


@pytest.mark.parametrize("url", VERBATIM)
def test_url_doi_eprint_are_verbatim(url: str) -> None:
    m = meta(url=url, doi="10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O",
             arxiv="2106.09685")  # fmt: skip
    text = format_entry(m)
    assert f"url = {{{url}}}" in text
    fields = parse_bib(text).entries["x"].fields
    assert (fields["url"], fields["doi"], fields["eprint"]) == (url, m.doi, m.arxiv)


def test_unbalanced_brace_in_url_is_percent_encoded() -> None:
    fields = parse_bib(format_entry(meta(url="https://x.org/a{b"))).entries["x"].fields
    assert fields["url"] == "https://x.org/a%7Bb"


def test_format_entry_layout() -> None:
    m = meta(
        "hu2021lora",
        title="LoRA: Low-Rank Adaptation of Large Language Models",
        authors=(Author("Hu", "Edward J."), Author("Shen", "Yelong")),
        year=2022,
        venue="ICLR 2022",
        arxiv="2106.09685",
        url="https://openreview.net/forum?id=nZeVKeeFYf9",
    )
    assert format_entry(m) == (
        "@inproceedings{hu2021lora,\n"
        "  author = {Hu, Edward J. and Shen, Yelong},\n"
        "  title = {{LoRA}: Low-Rank Adaptation of Large Language Models},\n"
        "  booktitle = {ICLR 2022},\n"
        "  year = {2022},\n"
        "  eprint = {2106.09685},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://openreview.net/forum?id=nZeVKeeFYf9}\n"
        "}\n"
    )


def test_format_bib_order_newline_determinism() -> None:
    metas = [meta("b"), meta("a", title="Second"), meta("c", venue="JMLR")]
    text = format_bib(metas)
    assert text == format_bib(list(metas))
    assert text.endswith("}\n") and "}\n\n@" in text
    assert list(parse_bib(text).entries) == ["b", "a", "c"]
    assert format_bib([]) == ""


DUPLICATES = [
    (["Liu2022", "liu2022"], [("Liu2022", "liu2022")]),
    (["a", "b", "A", "B", "a"], [("a", "A"), ("b", "B"), ("a", "a")]),
    (["hu2021lora", "vaswani2017attention"], []),
    ([], []),
]


@pytest.mark.parametrize(("keys", "pairs"), DUPLICATES)
def test_duplicate_keys(keys: list[str], pairs: list[tuple[str, str]]) -> None:
    assert duplicate_keys(keys) == pairs


# --------------------------------------------------------------------------- round trips

LIBRARY = [
    meta(
        "hu2021lora",
        title="LoRA: Low-Rank Adaptation of Large Language Models",
        authors=(Author("Hu", "Edward J."), Author("Shen", "Yelong"), Author("Chen", "Weizhu")),
        year=2022,
        venue="ICLR 2022",
        arxiv="2106.09685",
        url="https://openreview.net/forum?id=nZeVKeeFYf9",
    ),
    meta(
        "du2022glm",
        title="GLM: General Language Model Pretraining with Autoregressive Blank Infilling",
        authors=(
            Author("Du", "Zhengxiao"),
            Author("杨植麟"),
            Author("田中", "英輝"),
            Author("García", "José"),
            Author("OpenAI"),
        ),
        year=2022,
        venue="ACL 2022",
        doi="10.18653/v1/2022.acl-long.26",
        url="https://aclanthology.org/2022.acl-long.26",
    ),
    meta(
        "hostile",
        title='Q&A on 50% of {BERT} models: a_b #1 $5 \\emph ~tilde ^caret "quoted" 注意力',
        authors=(
            Author("Beethoven", "Ludwig", particle="van"),
            Author("Doe", "John", suffix="Jr."),
            Author("Acme, Inc."),
            Author("dos Santos", "Cícero"),
            Author("Smith", "Anne and Mary"),
        ),
        year=2021,
        venue="Findings of EACL 2023",
        arxiv="2301.00001",
        doi="10.1000/a_b~c%d#e",
        url="https://example.org/~user/a_b%20c#frag",
        bibtex={"pages": "1--13", "tex.note": r"see \url{https://x.org}"},
    ),
    meta("misc", title="注意力就是你所需要的", authors=(Author("杨植麟"),), year=2019),
    meta("journal", title="Attention", venue="JMLR & Friends", year=2018),
]


def assert_round_trip(metas: list[Metadata], text: str) -> None:
    bib = parse_bib(text)
    assert list(bib.entries) == [m.key for m in metas]
    for m in metas:
        entry = bib.entries[m.key]
        assert entry.type == entry_type(m)
        raw = {k.lower(): v for k, v in m.bibtex.items()}
        title = entry.fields["title"]
        if "tex.title" in raw:
            assert title == raw["tex.title"]
        else:
            assert decode(title) == squash(raw.get("title", m.title))
        assert entry.fields["year"] == str(m.year)
        for name, value in (("doi", m.doi), ("url", m.url), ("eprint", m.arxiv)):
            assert entry.fields.get(name) == value
        if m.venue:
            [venue] = [
                v for k, v in entry.fields.items() if k in ("journal", "booktitle", "howpublished")
            ]
            assert decode(venue) == squash(m.venue)
        for name, value in raw.items():  # tex.NAME is field NAME as written, plain ones text
            if name.startswith("tex."):
                assert entry.fields[name[4:]] == value
            elif name != "title":
                assert decode(entry.fields[name]) == squash(value)
        persons = entry.persons.get("author", [])
        assert [person_parts(p) for p in persons] == [expected_parts(a) for a in m.authors]


def test_round_trip_library() -> None:
    assert_round_trip(LIBRARY, format_bib(LIBRARY))


def test_titles_agree_with_pybtex_own_latex_reader() -> None:
    """A second, independent reader: pybtex's Text.from_latex (it knows \\textbackslash,
    \\textasciitilde and \\& \\% \\# \\_ but not \\textbraceleft or \\textasciicircum)."""
    title = "Q&A: 50% of GPT-3 a_b #1 \\ back ~tilde Müller 注意力 LoRA"
    latex = to_entry(meta(title=title)).fields["title"]
    assert Text.from_latex(latex).render_as("text") == title


HOSTILE = "{}%&#_$\\~^\"@,= \t\nAaZz09-:.'()" + "注意力杨植麟田中英輝ÉéüßØ"
hostile_text = st.text(
    st.one_of(st.sampled_from(HOSTILE), st.characters(exclude_categories=("Cc", "Cs"))),
    max_size=40,
)
name_word = st.text(
    st.one_of(st.sampled_from(HOSTILE.replace(" ", "").replace("\t", "").replace("\n", "")),
              st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"))),
    min_size=1, max_size=8,
).filter(lambda w: w.split() == [w])  # fmt: skip
authors = st.builds(
    Author,
    family=st.lists(name_word, min_size=1, max_size=3).map(" ".join),
    given=st.lists(name_word, max_size=3).map(" ".join),
    particle=st.sampled_from(["", "van", "de la", "von der", "di"]),
    suffix=st.sampled_from(["", "Jr.", "III", "Sr."]),
)
url_text = st.text(
    st.sampled_from("abcXYZ0129-._~:/?#[]@!$&'()*+,;=%"), min_size=1, max_size=60
).map(lambda s: "https://example.org/" + s)


@settings(max_examples=300, deadline=None)
@given(
    title=hostile_text,
    venue=st.none() | hostile_text.filter(str.strip),
    people=st.lists(authors, max_size=4),
    url=st.none() | url_text,
    doi=st.none() | url_text.map(lambda u: "10.1000/" + u[20:]),
    arxiv=st.none() | st.sampled_from(["2106.09685", "cs/0112017", "hep-th/9901001"]),
)
def test_round_trip_hostile(
    title: str,
    venue: str | None,
    people: list[Author],
    url: str | None,
    doi: str | None,
    arxiv: str | None,
) -> None:
    m = meta(title=title, venue=venue, authors=tuple(people), url=url, doi=doi, arxiv=arxiv)
    text = format_bib([m])
    assert text == format_bib([m])
    assert_round_trip([m], text)


# --------------------------------------------------------------------------- real tools


def hostile_library(n: int = 60) -> list[Metadata]:
    """The curated library plus ``n`` seeded random entries full of special characters."""
    rng = random.Random(20240601)

    def word(k: int) -> str:
        return "".join(rng.choice(HOSTILE.strip()) for _ in range(k)).strip() or "x"

    out = list(LIBRARY)
    for i in range(n):
        people = tuple(
            Author(
                word(6).replace(" ", ""), word(5), rng.choice(["", "van"]), rng.choice(["", "Jr."])
            )
            for _ in range(rng.randint(0, 3))
        )
        out.append(
            meta(
                f"r{i}",
                title=word(rng.randint(1, 50)),
                authors=people,
                year=1990 + i,
                venue=rng.choice([None, "NeurIPS 2020", word(12), "JMLR"]),
                url=rng.choice([None, "https://example.org/~a_b%20c#x"]),
                doi=rng.choice([None, "10.1000/a_b~c%d#e"]),
                arxiv=rng.choice([None, "2106.09685"]),
            )
        )
    return out


BIBTEX_PACKAGES = "apt-get install -y --no-install-recommends texlive-binaries texlive-base"


def run_tool(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="replace",
        timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("style", ["plain", "unsrt", "alpha"])
def test_real_bibtex_accepts_the_export(tmp_path: Path, style: str) -> None:
    if shutil.which("bibtex") is None:
        pytest.fail(f"bibtex is not installed; install it with: {BIBTEX_PACKAGES}")
    found = run_tool(["kpsewhich", f"{style}.bst"], tmp_path)
    if found.returncode != 0 or not found.stdout.strip():
        pytest.fail(f"{style}.bst is not installed; install it with: {BIBTEX_PACKAGES}")
    library = hostile_library()
    (tmp_path / "lib.bib").write_text(format_bib(library), encoding="utf-8")
    (tmp_path / "doc.aux").write_text(
        f"\\citation{{*}}\n\\bibdata{{lib}}\n\\bibstyle{{{style}}}\n", encoding="utf-8"
    )
    result = run_tool(["bibtex", "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stdout + blg
    assert "error message" not in blg, blg
    bbl = (tmp_path / "doc.bbl").read_bytes()
    assert bbl.count(b"\\bibitem") == len(library)
    if style != "alpha":  # alpha labels cut names bytewise; plain and unsrt write them whole
        text = bbl.decode("utf-8")
        assert "{LoRA}" in text and "{杨植麟}" in text and "{田中 英輝}" in text


def test_real_biber_accepts_the_export(tmp_path: Path) -> None:
    assert shutil.which("biber") is not None, (
        "biber is not installed: run 'bash .ci/system-deps' "
        "(apt-get install -y --no-install-recommends biber)"
    )
    library = hostile_library()
    (tmp_path / "lib.bib").write_text(format_bib(library), encoding="utf-8")
    result = run_tool(["biber", "--tool", "--output-file", "out.bib", "lib.bib"], tmp_path)
    blg = (tmp_path / "lib.bib.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stdout + blg
    assert not re.search(r"\b(ERROR|WARN)\b", blg), blg
    out = parse_bib((tmp_path / "out.bib").read_text(encoding="utf-8"))
    assert len(out.entries) == len(library)
    for m in library:
        fields = out.entries[m.key].fields
        for name, value in (("url", m.url), ("doi", m.doi), ("eprint", m.arxiv)):
            assert fields.get(name) == value, (m.key, name)


@pytest.mark.parametrize("flavour", ["bibtex", "biblatex"])
def test_an_entry_with_no_field_keeps_the_comma_biber_requires(
    tmp_path: Path, flavour: str
) -> None:
    # A vault note with no title, authors or year was written `@misc{CRC\n}`: BibTeX took it,
    # biber stopped ("found '}', expected ','") and printed no entry of the whole file.
    bare = Metadata(key=CiteKey("CRC"))
    assert format_entry(bare, flavour) == "@misc{CRC,\n}\n"  # type: ignore[arg-type]
    titled = format_entry(Metadata(key=CiteKey("x"), title="T"), flavour)  # type: ignore[arg-type]
    assert titled.endswith("{T}\n}\n")  # no trailing comma after a field
    bib = format_bib([bare, Metadata(key=CiteKey("x"), title="T")], flavour)  # type: ignore[arg-type]
    (tmp_path / "lib.bib").write_text(bib, encoding="utf-8")
    result = run_tool(["biber", "--tool", "--output-file", "out.bib", "lib.bib"], tmp_path)
    blg = (tmp_path / "lib.bib.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0 and "ERROR" not in blg, result.stdout + blg
    assert set(parse_bib((tmp_path / "out.bib").read_text(encoding="utf-8")).entries) == {
        "CRC",
        "x",
    }
    (tmp_path / "doc.aux").write_text(
        "\\citation{*}\n\\bibdata{lib}\n\\bibstyle{plain}\n", encoding="utf-8"
    )
    result = run_tool(["bibtex", "doc"], tmp_path)
    assert result.returncode == 0 and (tmp_path / "doc.bbl").read_text().count("\\bibitem") == 2
    assert set(parse_string(bib, "bibtex").entries) == {"CRC", "x"}


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ('M{\\"u}ller, J{\\"o}rg', ("Jörg", "", "Müller", "")),
        ("Müller, Jörg", ("Jörg", "", "Müller", "")),
        ("de la Fuente, Jos{\\'e}", ("José", "de la", "Fuente", "")),
        ("{van der Berg}, Jan", ("Jan", "", "van der Berg", "")),
        ("King, Jr, Martin Luther", ("Martin Luther", "", "King", "Jr")),
        ("{\\L}ukasz Kaiser", ("Łukasz", "", "Kaiser", "")),
        ("others", ("", "", "others", "")),
    ],
)
def test_person_parts_reads_a_name_as_bibtex_does_with_accents_decoded(
    name: str, parts: tuple[str, str, str, str]
) -> None:
    assert read_parts(Person(name)) == parts

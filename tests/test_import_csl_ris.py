"""Round trips: notes → ``bib --format csl-json`` / ``ris`` → ``import`` into an empty library
→ the same notes; the CSL-JSON export against the CSL-JSON schema and citeproc-py; the RIS
export against the RIS specification's tag tables.

What RIS cannot carry, and CSL-JSON can (each asserted below, by name):
- ``bibtex:`` fields with no RIS tag for the record's type (``howpublished``, a thesis's
  ``volume``, ...), and the exact text of a ``tex.NAME`` field (RIS gets it decoded);
- the exact BibTeX type where several share one RIS type (``inbook``/``incollection`` are CHAP,
  the thesis types THES, the report types RPRT, ``proceedings`` BOOK, ``www`` ELEC);
- the venue of a type whose T2 means something else (a thesis's department, a book's series);
- line breaks in a title or abstract (a value is one line);
- a name RIS's "Last, First" cannot tell apart: a braced family name that starts with a
  lowercase word (``{dos Santos}`` comes back as particle ``dos``), a one-part name with a
  comma (``{Acme, Inc.}``);
- a month written as a name (``jul`` comes back as ``7``).
CSL-JSON carries no tags (site data, like status and rating: tests/test_csl.py asserts the
export leaves them out); RIS carries them as KW.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import jsonschema
import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from csl_ris_corpus import CORPUS, RAW_TEX, corpus_metas, parse

from papernotes.bib.csl import format_csl
from papernotes.bib.export import entry_type
from papernotes.bib.ris import RIS_TYPES, TAGS, TYPE_TAGS, format_ris
from papernotes.model import Author, Metadata
from papernotes.notes.importcsl import import_csl
from papernotes.notes.importris import BIBTEX_TYPES, import_ris
from papernotes.notes.match import NoteIndex

from conftest import FIXTURES

SCHEMA = json.loads((FIXTURES / "csl" / "csl-data.json").read_text(encoding="utf-8"))
BIBLIOGRAPHIC = (
    "key",
    "title",
    "authors",
    "year",
    "entry_type",
    "venue",
    "arxiv",
    "doi",
    "url",
    "abstract",
    "bibtex",
)
METAS = corpus_metas([*CORPUS, RAW_TEX])


def _reimport(fmt: str) -> dict[str, Metadata]:
    """The corpus exported as ``fmt`` and imported into an empty library, by key."""
    if fmt == "csl-json":
        report = import_csl("lib.json", format_csl(METAS), index=NoteIndex([]), papers_dir="papers")
    else:
        report = import_ris("lib.ris", format_ris(METAS), index=NoteIndex([]), papers_dir="papers")
    assert report.entries == len(METAS)
    assert not [d for d in report.diagnostics if d.severity.value == "error"]
    return {n.key: parse(n.path, n.text) for n in report.notes}


CSL_BACK = _reimport("csl-json")
RIS_BACK = _reimport("ris")


def test_the_corpus_covers_every_exported_entry_type() -> None:
    assert {entry_type(m) for m in METAS} >= set(RIS_TYPES)
    assert {RIS_TYPES.get(entry_type(m), "GEN") for m in METAS} == set(TYPE_TAGS)


@pytest.mark.parametrize("meta", METAS, ids=lambda m: m.key)
def test_csl_json_round_trip_is_lossless(meta: Metadata) -> None:
    back = CSL_BACK[meta.key]
    assert {f: getattr(back, f) for f in BIBLIOGRAPHIC} == {
        f: getattr(meta, f) for f in BIBLIOGRAPHIC
    }
    assert back.tags == ()


def _ris_expected(meta: Metadata) -> dict[str, Any]:
    """What a RIS record of ``meta`` can give back (see the module docstring)."""
    ty = RIS_TYPES.get(entry_type(meta), "GEN")
    carried = {"note", "language", "month", *TYPE_TAGS[ty].values()}
    return {
        "key": meta.key,
        "title": " ".join(meta.title.split()),
        "authors": meta.authors,
        "year": meta.year,
        "type": BIBTEX_TYPES[ty],
        "venue": meta.venue if "venue" in carried else None,
        "arxiv": meta.arxiv,
        "doi": meta.doi,
        "url": meta.url,
        "abstract": " ".join(meta.abstract.split()) if meta.abstract else None,
        "bibtex": {k: v for k, v in meta.bibtex.items() if k in carried},
        "tags": meta.tags,
    }


@pytest.mark.parametrize(
    "meta", [m for m in METAS if m.key != str(RAW_TEX["id"])], ids=lambda m: m.key
)
def test_ris_round_trip_gives_back_all_ris_carries(meta: Metadata) -> None:
    back = RIS_BACK[meta.key]
    got = {f: getattr(back, f) for f in ("key", "authors", "year", "venue", "arxiv", "doi")}
    got |= {"url": back.url, "abstract": back.abstract, "tags": back.tags, "title": back.title}
    got |= {"type": entry_type(back), "bibtex": dict(back.bibtex)}
    assert got == _ris_expected(meta)


def test_what_ris_cannot_carry_is_lost_exactly_as_documented() -> None:
    meta, back = METAS[-1], RIS_BACK[str(RAW_TEX["id"])]
    assert back.authors == (
        Author("Santos", "Cícero", particle="dos"),
        Author("Acme", "Inc."),
        Author("De la Cruz", "Maria"),
    )
    assert meta.authors[0] == Author("dos Santos", "Cícero")
    assert meta.bibtex == {"tex.note": "See \\emph{x}", "howpublished": "By hand", "month": "jul"}
    assert back.bibtex == {"note": "See x", "month": "7"}
    assert (meta.abstract, back.abstract) == ("Line one\nline two.", "Line one line two.")
    lost_types = {(m.entry_type, entry_type(RIS_BACK[m.key])) for m in METAS if m.entry_type}
    assert {
        ("inbook", "incollection"),
        ("mastersthesis", "phdthesis"),
        ("proceedings", "book"),
    }.issubset(lost_types)
    assert {("www", "online"), ("manual", "techreport"), ("thesis", "phdthesis")} <= lost_types


def test_the_csl_export_of_the_corpus_validates_against_the_schema() -> None:
    items = json.loads(format_csl(METAS))
    jsonschema.validate(items, SCHEMA, cls=jsonschema.Draft7Validator)
    assert {i["type"] for i in items} <= set(SCHEMA["items"]["properties"]["type"]["enum"])
    properties = set(SCHEMA["items"]["properties"])
    assert all(set(i) <= properties for i in items)


def test_citeproc_py_renders_every_item_of_the_csl_export() -> None:
    items = json.loads(format_csl(METAS))
    with warnings.catch_warnings():
        # citeproc-py warns about variables it does not use (citation-key, custom).
        warnings.simplefilter("ignore")
        source = CiteProcJSON(items)
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, source, formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    by_title = {m.title: m for m in METAS}
    for text in rendered:
        meta = next(m for t, m in by_title.items() if t in text)
        assert meta.authors[0].family.split(",")[0] in text, text
        assert str(meta.year) in text
    journal = next(t for t in rendered if "中国科学" in t)
    assert "53(7), pp. 1201–1220" in journal  # volume, issue and pages from bibtex: fields


# The RIS specification (Research Information Systems, 2011 "RIS Format Specifications", as
# reproduced by Zotero's RIS.js test data; refman.com "Tag Format"; Wikipedia "RIS (file
# format)"): a tag is an uppercase letter and an uppercase letter or digit, then two spaces, a
# hyphen and a space; TY is first, ER last; lines end in CRLF.
SPEC_TAGS = frozenset(
    [
        "TY",
        "A1",
        "A2",
        "A3",
        "A4",
        "AB",
        "AD",
        "AN",
        "AU",
        "BT",
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C6",
        "C7",
        "C8",
        "CA",
        "CN",
        "CP",
        "CT",
        "CY",
        "DA",
        "DB",
        "DO",
        "DP",
        "ED",
        "EP",
        "ET",
        "ID",
        "IS",
        "J1",
        "J2",
        "JA",
        "JF",
        "JO",
        "KW",
        "L1",
        "L2",
        "L3",
        "L4",
        "LA",
        "LB",
        "LK",
        "M1",
        "M2",
        "M3",
        "N1",
        "N2",
        "NV",
        "OP",
        "PB",
        "PP",
        "PY",
        "RI",
        "RN",
        "RP",
        "SE",
        "SN",
        "SP",
        "ST",
        "SV",
        "T1",
        "T2",
        "T3",
        "TA",
        "TI",
        "TT",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "UR",
        "VL",
        "VO",
        "Y1",
        "Y2",
        "ER",
    ]
)
SPEC_TYPES = frozenset(
    [
        "ABST",
        "ADVS",
        "AGGR",
        "ANCIENT",
        "ART",
        "BILL",
        "BLOG",
        "BOOK",
        "CASE",
        "CHAP",
        "CHART",
        "CLSWK",
        "COMP",
        "CONF",
        "CPAPER",
        "CTLG",
        "DATA",
        "DBASE",
        "DICT",
        "EBOOK",
        "ECHAP",
        "EDBOOK",
        "EJOUR",
        "ELEC",
        "ENCYC",
        "EQUA",
        "FIGURE",
        "GEN",
        "GOVDOC",
        "GRANT",
        "HEAR",
        "ICOMM",
        "INPR",
        "JFULL",
        "JOUR",
        "LEGAL",
        "MANSCPT",
        "MAP",
        "MGZN",
        "MPCT",
        "MULTI",
        "MUSIC",
        "NEWS",
        "PAMP",
        "PAT",
        "PCOMM",
        "RPRT",
        "SER",
        "SLIDE",
        "SOUND",
        "STAND",
        "STAT",
        "THES",
        "UNBILL",
        "UNPB",
        "VIDEO",
    ]
)
# What each type-dependent tag means in the 2011 tables of the types the export writes: the
# export may write a tag only where it means what the export puts there.
MEANING = {
    "JOUR": {"T2": "Journal", "VL": "Volume", "IS": "Issue", "SP": "Pages", "SN": "ISSN"},
    "CPAPER": {"A2": "Editor", "T2": "Conference Name", "VL": "Volume", "SP": "Pages"}
    | {"PB": "Publisher", "CY": "Conference Location"},
    "BOOK": {"A3": "Editor", "T2": "Series Title", "VL": "Volume", "PB": "Publisher"}
    | {"CY": "Place Published", "SN": "ISBN", "ET": "Edition"},
    "CHAP": {"A2": "Editor", "T2": "Book Title", "T3": "Series Title", "VL": "Volume"}
    | {"SP": "Pages", "PB": "Publisher", "CY": "Place Published", "SN": "ISBN", "ET": "Edition"},
    "PAMP": {"T2": "Published Source", "SP": "Pages", "PB": "Publisher"}
    | {"CY": "Place Published", "SN": "ISBN", "ET": "Edition"},
    "THES": {"PB": "University", "CY": "Place Published"},
    "RPRT": {"T2": "Series Title", "VL": "Volume", "SP": "Pages", "PB": "Institution"}
    | {"CY": "Place Published", "SN": "Report Number", "ET": "Edition"},
    "ELEC": {"T2": "Website Title (Zotero)"},
    "COMP": {"PB": "Publisher", "CY": "Place Published", "SN": "ISBN"},
    "DATA": {"T3": "Series Title", "PB": "Distributor", "CY": "Place Published", "SN": "ISSN"},
    "PAT": {"T2": "Published Source", "SP": "Pages", "SN": "Patent Number"},
    "UNPB": {"SP": "Pages", "PB": "Institution", "CY": "Place Published"},
    "GEN": {"A2": "Author, Secondary", "T2": "Secondary Title", "T3": "Tertiary Title"}
    | {"VL": "Volume", "SP": "Pages", "PB": "Publisher", "CY": "Place Published"}
    | {"SN": "ISSN/ISBN", "ET": "Edition"},
}
# Tags every type's table has, with one meaning (EP goes with SP, as Zotero writes pages).
GENERAL = frozenset(
    ["TY", "ID", "AU", "TI", "PY", "DA", "DO", "UR", "AN", "DB", "AB", "N1", "LA", "KW", "EP", "ER"]
)
LINE = re.compile(r"([A-Z][A-Z0-9])  - (.*)")


def ris_problems(text: str) -> list[str]:
    """Every way ``text`` breaks the RIS specification's rules (empty when it keeps them)."""
    problems: list[str] = []
    if not text.endswith("\r\n") or "\n" in text.replace("\r\n", ""):
        problems.append("lines must end in CRLF")
    record: list[tuple[str, str]] = []
    for n, line in enumerate(text.split("\r\n")[:-1], start=1):
        m = LINE.fullmatch(line)
        if m is None:
            problems.append(f"line {n}: not 'XX  - value': {line!r}")
            continue
        tag, value = m.groups()
        record.append((tag, value))
        if tag != "ER":
            continue
        tags = [t for t, _ in record]
        ty = record[0][1]
        if tags[0] != "TY" or tags.count("TY") != 1 or tags.count("ER") != 1 or value:
            problems.append(f"line {n}: a record is TY first, ER (empty) last, once each")
        if ty not in SPEC_TYPES:
            problems.append(f"line {n}: TY {ty} is not a reference type of the specification")
        for t, v in record:
            if t not in SPEC_TAGS:
                problems.append(f"line {n}: {t} is not a tag of the specification")
            elif t not in GENERAL and t not in MEANING.get(ty, {}):
                problems.append(f"line {n}: {t} does not mean what is written there in a {ty}")
            if t == "PY" and not re.fullmatch(r"\d{4}", v):
                problems.append(f"line {n}: PY must be YYYY, got {v!r}")
            if t == "DA" and not re.fullmatch(r"\d{4}/(\d{2})?/(\d{2})?/[^/]*", v):
                problems.append(f"line {n}: DA must be YYYY/MM/DD/other, got {v!r}")
        record = []
    if record:
        problems.append("text after the last ER")
    return problems


def test_the_ris_export_of_the_corpus_keeps_the_specification() -> None:
    text = format_ris(METAS)
    assert ris_problems(text) == []
    assert set(RIS_TYPES.values()) <= SPEC_TYPES and set(TAGS) <= SPEC_TAGS
    assert {ty: set(tags) for ty, tags in TYPE_TAGS.items()} == {
        ty: set(tags) for ty, tags in MEANING.items()
    }
    written = {LINE.fullmatch(line).group(1) for line in text.split("\r\n")[:-1]}  # type: ignore[union-attr]
    assert written == set(TAGS)  # the corpus exercises every tag the export can write


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("TY  - JOUR\r\nTI  - x\r\n", "text after the last ER"),
        ("TI  - x\r\nTY  - JOUR\r\nER  - \r\n", "TY first"),
        ("TY  - JOUR\nER  - \n", "CRLF"),
        ("TY  - JOUR\r\nTI - x\r\nER  - \r\n", "not 'XX  - value'"),
        ("TY  - JOURNAL\r\nER  - \r\n", "not a reference type"),
        ("TY  - JOUR\r\nZZ  - x\r\nER  - \r\n", "ZZ is not a tag"),
        ("TY  - THES\r\nT2  - Dept.\r\nER  - \r\n", "T2 does not mean"),
        ("TY  - JOUR\r\nPY  - 2021/07/01/\r\nER  - \r\n", "PY must be YYYY"),
        ("TY  - JOUR\r\nDA  - July 2021\r\nER  - \r\n", "DA must be"),
    ],
)
def test_the_ris_validator_catches_each_rule(text: str, problem: str) -> None:
    assert any(problem in p for p in ris_problems(text)), ris_problems(text)

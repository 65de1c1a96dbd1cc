"""A corpus of notes for the CSL-JSON and RIS round trips: every entry type the exports map,
and every kind of value they carry (CJK, accents, particles, suffixes, organisations, arXiv ids
old and new, DOIs, tags, editors, the BibTeX fields RIS has tags for, raw TeX)."""

from __future__ import annotations

from typing import Any

import yaml

from papernotes.markdown.factory import make_parser
from papernotes.model import Metadata
from papernotes.parse import parse_note

ABSTRACT = "First paragraph: improves by 50% & more.\n\nSecond paragraph, 中文摘要。"

CORPUS: list[dict[str, Any]] = [
    {
        "id": "hu2021lora",
        "title": "LoRA: Low-Rank Adaptation of Large Language Models",
        "authors": ["Edward J. Hu", "Yelong Shen", "{OpenAI}"],
        "year": 2022,
        "venue": "ICLR 2022",
        "arxiv": "2106.09685",
        "doi": "10.48550/arXiv.2106.09685",
        "url": "https://openreview.net/forum?id=nZeVKeeFYf9",
        "tags": ["peft", "低秩", "Multi Word"],
        "abstract": ABSTRACT,
        "editors": ["Doe, Jane", "van Rossum, Guido"],
        "bibtex": {"pages": "1--13", "month": "4"},
    },
    {
        "id": "vaswani2017attention",
        "title": "Attention Is All You Need",
        "authors": ["Ashish Vaswani", "Łukasz Kaiser", "Ülfar Erlingsson"],
        "year": 2017,
        "type": "inproceedings",
        "venue": "NeurIPS 2017",
        "arxiv": "1706.03762v5",
        "bibtex": {"publisher": "Curran Associates", "address": "Long Beach, CA", "volume": "30"},
    },
    {
        "id": "yang2023moon",
        "title": "月之暗面：长上下文模型",
        "authors": ["杨植麟", "田中 英輝", "{宋 海越}"],
        "year": 2023,
        "type": "article",
        "venue": "中国科学：信息科学",
        "doi": "10.1360/SSI-2023-0001",
        "tags": ["中文"],
        "bibtex": {"volume": "53", "number": "7", "pages": "1201--1220", "language": "chinese"},
    },
    {
        "id": "gehrmann2021old",
        "title": "An Old-Style arXiv Preprint with $x^2$ Math & 100% {Braces}",
        "authors": ["Ludwig van Beethoven", "King, Jr., Martin Luther", "Jean de la Fontaine"],
        "year": 2001,
        "arxiv": "cs/0112017",
        "url": "https://arxiv.org/abs/cs/0112017",
    },
    {
        "id": "conf:2019-x",
        "title": "A Conference Entry",
        "authors": ["Ada Lovelace"],
        "year": 2019,
        "type": "conference",
        "venue": "Proceedings of the Workshop",
        "bibtex": {"series": "LNCS", "edition": "2"},
    },
    {
        "id": "proc2020",
        "title": "Proceedings of Something",
        "authors": ["Grace Hopper"],
        "year": 2020,
        "type": "proceedings",
        "editors": ["Doe, Jane"],
        "bibtex": {"publisher": "ACL", "isbn": "978-1-952148-60-6"},
    },
    {
        "id": "chap2018",
        "title": "A Chapter",
        "authors": ["Alan Turing"],
        "year": 2018,
        "type": "incollection",
        "venue": "The Big Book",
        "editors": ["Knuth, Donald E."],
        "bibtex": {
            "pages": "5--9",
            "publisher": "Springer",
            "series": "Lecture Notes",
        },
    },
    {
        "id": "inbook2018",
        "title": "Part of a Book",
        "authors": ["Alan Turing"],
        "year": 2018,
        "type": "inbook",
        "venue": "Another Book",
    },
    {
        "id": "knuth1997art",
        "title": "The Art of Computer Programming",
        "authors": ["Donald E. Knuth"],
        "year": 1997,
        "type": "book",
        "editors": ["Roe, Richard"],
        "bibtex": {
            "publisher": "Addison-Wesley",
            "edition": "3",
            "isbn": "0-201-89683-4",
        },
    },
    {
        "id": "booklet2010",
        "title": "A Booklet",
        "authors": ["Anonymous Author"],
        "year": 2010,
        "type": "booklet",
    },
    {
        "id": "phd2015",
        "title": "A Thesis on Things",
        "authors": ["Søren Kierkegaard"],
        "year": 2015,
        "type": "phdthesis",
        "bibtex": {"school": "Universität Zürich", "month": "11"},
    },
    {
        "id": "msc2014",
        "title": "A Master's Thesis",
        "authors": ["Niels Bohr"],
        "year": 2014,
        "type": "mastersthesis",
        "bibtex": {"school": "KU"},
    },
    {
        "id": "thesis2013",
        "title": "A biblatex Thesis",
        "authors": ["Lise Meitner"],
        "year": 2013,
        "type": "thesis",
    },
    {
        "id": "tr2012",
        "title": "A Technical Report",
        "authors": ["Claude E. Shannon"],
        "year": 2012,
        "type": "techreport",
        "bibtex": {"institution": "Bell Labs", "number": "TR-42"},
    },
    {
        "id": "report2011",
        "title": "A biblatex Report",
        "authors": ["Emmy Noether"],
        "year": 2011,
        "type": "report",
    },
    {
        "id": "manual2009",
        "title": "A Manual",
        "authors": ["{The Python Software Foundation}"],
        "year": 2009,
        "type": "manual",
    },
    {
        "id": "web2024",
        "title": "A Web Page",
        "authors": ["Tim Berners-Lee"],
        "year": 2024,
        "type": "online",
        "url": "https://example.org/a_b?c=d%20e#f",
        "tags": ["web"],
    },
    {
        "id": "www2008",
        "title": "A WWW Page",
        "authors": ["Tim Berners-Lee"],
        "year": 2008,
        "type": "www",
        "venue": "Example Site",
    },
    {
        "id": "sw2021",
        "title": "A Software Package",
        "authors": ["Guido van Rossum"],
        "year": 2021,
        "type": "software",
        "url": "https://github.com/python/cpython",
    },
    {
        "id": "data2022",
        "title": "A Dataset",
        "authors": ["Fei-Fei Li"],
        "year": 2022,
        "type": "dataset",
        "doi": "10.5281/zenodo.1234567",
    },
    {
        "id": "pat1999",
        "title": "A Patent",
        "authors": ["Hedy Lamarr"],
        "year": 1999,
        "type": "patent",
    },
    {
        "id": "unpub2020",
        "title": "An Unpublished Draft",
        "authors": ["Alan Turing"],
        "year": 2020,
        "type": "unpublished",
        "bibtex": {"note": "Draft of 3 May; see https://example.org/x_y"},
    },
    {
        "id": "misc2020",
        "title": "A Blog Post",
        "authors": ["Jay Alammar"],
        "year": 2020,
        "type": "misc",
        "url": "https://jalammar.github.io/",
    },
    {
        "id": "mvref2005",
        "title": "A biblatex-only Type",
        "authors": ["Marie Curie"],
        "year": 2005,
        "type": "mvreference",
    },
    {
        "id": "journal2016",
        "title": "A Journal Article Without a Stated Type",
        "authors": ["Rosalind Franklin"],
        "year": 2016,
        "venue": "Journal of Machine Learning Research",
        "doi": "10.5555/3045390.3045432",
        "bibtex": {"volume": "17", "number": "1", "issn": "1532-4435", "pages": "1--30"},
    },
]
"""Front matter of each note, as a user writes it."""

RAW_TEX = {
    "id": "raw2020",
    "title": "A Note With Raw TeX and a Field RIS Has No Tag For",
    "authors": ["{dos Santos}, Cícero", "{Acme, Inc.}", "{De la Cruz}, Maria"],
    "year": 2020,
    "type": "article",
    "venue": "Some Journal",
    "abstract": "Line one\nline two.",
    "bibtex": {"tex.note": "See \\emph{x}", "howpublished": "By hand", "Month": "jul"},
}
"""What RIS cannot carry (see tests/test_import_csl_ris.py); CSL-JSON carries all of it."""


def note_text(front: dict[str, Any]) -> str:
    """The note file for ``front``."""
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\nBody.\n"


def parse(path: str, text: str) -> Metadata:
    """The metadata of the note ``text``, which must parse without an error (a warning about
    a non-standard type, ``www`` or ``mvreference``, is expected)."""
    note, diags = parse_note(path, text, make_parser())
    assert note is not None, (path, diags)
    assert all("standard BibTeX entry type" in d.message for d in diags), (path, diags)
    return note.meta


def corpus_metas(fronts: list[dict[str, Any]] = CORPUS) -> list[Metadata]:
    """The corpus notes, read as the build reads them."""
    return [parse(f"papers/{f['id']}.md", note_text(f)) for f in fronts]

"""CSL-JSON export: schema-valid items, the type and name mapping, and a lossless round trip.

The schema, tests/fixtures/csl/csl-data.json, is the CSL-JSON input schema v1.0 from
https://github.com/citation-style-language/schema (schemas/input/csl-data.json at commit
e3ce254a72c4470a5ed3b9d23b428017d25674e9), MIT License, Copyright (c) 2007-2018 Citation Style
Language and contributors.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from papernotes.bib.csl import CSL_TYPES, format_csl, from_csl, to_csl
from papernotes.model import Author, CiteKey, Metadata

from conftest import FIXTURES, REPO, clean_library

SCHEMA = json.loads((FIXTURES / "csl" / "csl-data.json").read_text(encoding="utf-8"))


def _validate(items: Any) -> None:
    jsonschema.validate(items, SCHEMA, cls=jsonschema.Draft7Validator)


def _meta(**changes: Any) -> Metadata:
    base: dict[str, Any] = {
        "key": CiteKey("hu2021lora"),
        "title": "LoRA: Low-Rank Adaptation of Large Language Models",
        "authors": (Author("Hu", "Edward J."),),
        "year": 2021,
    }
    base.update(changes)
    return Metadata(**base)


@pytest.mark.parametrize(
    ("changes", "csl_type"),
    [
        ({"venue": "Journal of Machine Learning Research"}, "article-journal"),
        ({"venue": "ICLR 2022"}, "paper-conference"),
        ({}, "document"),
        ({"arxiv": "2106.09685"}, "article"),
        ({"entry_type": "misc", "arxiv": "2106.09685"}, "article"),
        ({"entry_type": "online", "url": "https://example.org/a_b"}, "webpage"),
        ({"entry_type": "book"}, "book"),
        ({"entry_type": "phdthesis"}, "thesis"),
        ({"entry_type": "techreport"}, "report"),
        ({"entry_type": "mvreference"}, "document"),
    ],
)
def test_entry_types_map_to_csl_types(changes: dict[str, Any], csl_type: str) -> None:
    item = to_csl(_meta(**changes))
    assert item["type"] == csl_type
    _validate([item])


def test_every_mapped_type_is_a_csl_type() -> None:
    assert set(CSL_TYPES.values()) <= set(SCHEMA["items"]["properties"]["type"]["enum"])


@pytest.mark.parametrize(
    ("author", "name"),
    [
        (Author("Hu", "Edward J."), {"family": "Hu", "given": "Edward J."}),
        (Author("OpenAI"), {"literal": "OpenAI"}),
        (Author("杨植麟"), {"literal": "杨植麟"}),
        (Author("田中", "英輝"), {"family": "田中", "given": "英輝"}),
        (
            Author("Beethoven", "Ludwig", particle="van"),
            {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        ),
        (Author("King", "Martin Luther", suffix="Jr."), {
            "family": "King", "given": "Martin Luther", "suffix": "Jr."
        }),
    ],
)  # fmt: skip
def test_names_are_split_or_literal(author: Author, name: dict[str, str]) -> None:
    item = to_csl(_meta(authors=(author,)))
    assert item["author"] == [name]
    assert from_csl(item).authors == (author,)


def test_an_arxiv_preprint_is_an_article_numbered_in_arxiv_as_zotero_writes_it() -> None:
    item = to_csl(_meta(arxiv="2106.09685", url="https://arxiv.org/abs/2106.09685"))
    assert item["type"] == "article"
    assert item["number"] == "arXiv:2106.09685"
    assert item["publisher"] == "arXiv"
    assert item["issued"] == {"date-parts": [[2021]]}
    published = to_csl(_meta(arxiv="2106.09685", venue="ICLR 2022"))
    assert published["container-title"] == "ICLR 2022" and "publisher" not in published


def test_raw_fields_and_the_set_type_go_in_custom_and_come_back() -> None:
    meta = _meta(entry_type="misc", bibtex={"note": "see https://x.org/a_b%20c", "Month": "jul"})
    item = to_csl(meta)
    assert item["custom"] == {"bibtex-type": "misc", "bibtex": dict(meta.bibtex)}
    _validate([item])
    assert from_csl(item) == meta


def test_site_data_is_not_exported() -> None:
    item = to_csl(_meta(tags=("peft",), rating=5, pdf="https://x.org/a.pdf", code="https://g"))
    assert set(item) == {"id", "citation-key", "type", "title", "author", "issued"}


def test_output_is_a_utf8_json_array_in_the_given_order() -> None:
    metas = [_meta(key=CiteKey("b"), title="Ünïcode 标题"), _meta(key=CiteKey("a"))]
    text = format_csl(metas)
    assert "Ünïcode 标题" in text and text.endswith("]\n")
    assert [i["id"] for i in json.loads(text)] == ["b", "a"]
    assert format_csl(metas) == text
    assert text.splitlines()[1:-1] == [  # one item a line: small, and a change is one line
        json.dumps(i, ensure_ascii=False, separators=(",", ":")) + ("," if n == 0 else "")
        for n, i in enumerate(json.loads(text))
    ]
    assert format_csl([]) == "[]\n"


@pytest.mark.parametrize(
    "bad",
    [
        {"title": "t", "issued": {"date-parts": [[2020]]}},
        {"id": "k", "title": "t", "issued": {"date-parts": [["spring"]]}},
    ],
)
def test_reading_an_item_without_id_or_with_an_unreadable_year_fails(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="CSL item"):
        from_csl(bad)


@pytest.mark.parametrize(
    ("item", "title", "year"),
    [
        ({"id": "k", "issued": {"date-parts": [[2020]]}}, None, 2020),
        ({"id": "k", "title": "t", "issued": {}}, "t", None),
        ({"id": "k", "title": "t"}, "t", None),
    ],
)
def test_title_and_year_are_optional_as_in_a_note(
    item: dict[str, Any], title: str | None, year: int | None
) -> None:
    meta = from_csl(item)
    assert (meta.title, meta.year, meta.authors) == (title, year, ())


def test_bundled_library_validates_and_round_trips() -> None:
    library = clean_library(REPO)
    metas = [n.meta for n in library.notes.values()]
    items = json.loads(format_csl(metas))
    _validate(items)
    assert [i["id"] for i in items] == [m.key for m in metas]
    # Every note, and not the reading lists in papers/lists/.
    notes = [p for p in (REPO / "papers").rglob("*.md") if p.parent.name != "lists"]
    assert len(items) == len(notes) > 10
    fields = ("key", "title", "authors", "year", "entry_type", "venue", "arxiv", "doi", "url")
    for meta, item in zip(metas, items, strict=True):
        back = from_csl(item)
        for name in (*fields, "abstract", "bibtex"):
            assert getattr(back, name) == getattr(meta, name), (meta.key, name)


def test_schema_fixture_is_the_csl_data_schema() -> None:
    assert SCHEMA["$id"].endswith("/csl-data.json")
    with pytest.raises(jsonschema.ValidationError):
        _validate([{"id": "k", "type": "preprint"}])
    with pytest.raises(jsonschema.ValidationError):
        _validate([{"id": "k", "type": "article", "author": [{"name": "X"}]}])

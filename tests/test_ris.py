"""RIS export: tag-line shape per the RIS specification, CRLF lines, TY…ER records, the type
map, and the mapped fields read back by a tiny RIS reader."""

from __future__ import annotations

import re
from typing import Any

import pytest

from papernotes.bib.ris import RIS_TYPES, format_record, format_ris
from papernotes.model import Author, CiteKey, Metadata

from conftest import REPO, clean_library

LINE = re.compile(r"^[A-Z][A-Z0-9]  - ")


def _meta(**changes: Any) -> Metadata:
    base: dict[str, Any] = {
        "key": CiteKey("hu2021lora"),
        "title": "LoRA: Low-Rank Adaptation of Large Language Models",
        "authors": (Author("Hu", "Edward J."), Author("OpenAI")),
        "year": 2021,
    }
    base.update(changes)
    return Metadata(**base)


def _records(text: str) -> list[list[tuple[str, str]]]:
    """Split RIS text into records of (tag, value), checking every line's shape on the way."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in text.split("\r\n")[:-1]:
        assert line == "ER  - " or LINE.match(line), repr(line)
        tag, value = line[:2], line[6:]
        current.append((tag, value))
        if tag == "ER":
            records.append(current)
            current = []
    assert current == [], "text after the last ER"
    for record in records:
        assert record[0][0] == "TY" and record[-1] == ("ER", "")
        assert [t for t, _ in record].count("TY") == 1
    return records


def _read(record: list[tuple[str, str]]) -> dict[str, Any]:
    """The note fields this module maps, read back from one record."""
    values: dict[str, list[str]] = {}
    for tag, value in record:
        values.setdefault(tag, []).append(value)

    def one(tag: str) -> str | None:
        return values[tag][0] if tag in values else None

    arxiv = one("AN")
    return {
        "key": one("ID"),
        "authors": values.get("AU", []),
        "title": one("TI"),
        "venue": one("T2"),
        "year": int(values["PY"][0]),
        "doi": one("DO"),
        "url": one("UR"),
        "arxiv": arxiv.removeprefix("arXiv:") if arxiv else None,
        "abstract": one("AB"),
        "tags": tuple(values.get("KW", [])),
    }


def _expected(meta: Metadata) -> dict[str, Any]:
    def author(a: Author) -> str:
        family = " ".join(p for p in (a.particle, a.family) if p)
        return ", ".join(p for p in (family, a.given, a.suffix) if p)

    return {
        "key": meta.key,
        "authors": [author(a) for a in meta.authors],
        "title": " ".join(meta.title.split()),
        "venue": meta.venue or None,
        "year": meta.year,
        "doi": meta.doi,
        "url": meta.url,
        "arxiv": meta.arxiv,
        "abstract": " ".join(meta.abstract.split()) if meta.abstract else None,
        "tags": meta.tags,
    }


@pytest.mark.parametrize(
    ("changes", "ty"),
    [
        ({"venue": "Journal of Machine Learning Research"}, "JOUR"),
        ({"venue": "ICLR 2022"}, "CPAPER"),
        ({}, "GEN"),
        ({"entry_type": "online"}, "ELEC"),
        ({"entry_type": "book"}, "BOOK"),
        ({"entry_type": "phdthesis"}, "THES"),
        ({"entry_type": "techreport"}, "RPRT"),
        ({"entry_type": "mvreference"}, "GEN"),
    ],
)
def test_entry_types_map_to_ris_types(changes: dict[str, Any], ty: str) -> None:
    (record,) = _records(format_record(_meta(**changes)))
    assert record[0] == ("TY", ty)


def test_types_are_ris_type_codes() -> None:
    assert all(re.fullmatch(r"[A-Z]{3,6}", t) for t in RIS_TYPES.values())


def test_a_full_record_reads_back_field_by_field() -> None:
    meta = _meta(
        venue="ICLR 2022",
        doi="10.48550/arXiv.2106.09685",
        url="https://arxiv.org/abs/2106.09685",
        arxiv="2106.09685",
        abstract="An important paradigm\n\nimproves by 50%.",
        tags=("peft", "低秩"),
        authors=(Author("Beethoven", "Ludwig", particle="van"), Author("King", "M.", suffix="Jr.")),
    )
    (record,) = _records(format_record(meta))
    assert _read(record) == _expected(meta)
    assert ("AU", "van Beethoven, Ludwig") in record and ("AU", "King, M., Jr.") in record
    assert ("AB", "An important paradigm improves by 50%.") in record
    assert ("DB", "arXiv") in record


def test_bundled_library_is_well_formed_and_round_trips() -> None:
    library = clean_library(REPO)
    metas = [n.meta for n in library.notes.values()]
    records = _records(format_ris(metas))
    assert len(records) == len(metas) > 10
    for meta, record in zip(metas, records, strict=True):
        assert _read(record) == _expected(meta), meta.key

"""`papernotes import` keeps every entry of a .bib file: entries sharing a DOI or arXiv id, with
no title, with a year that is not four digits, or with a field a note cannot hold each become a
note, with a warning that names what was done."""

from __future__ import annotations

from pathlib import Path

import pytest
from pybtex.database import parse_string

from papernotes.markdown.factory import make_parser
from papernotes.notes.importbib import import_bib
from papernotes.notes.match import NoteIndex
from papernotes.parse import parse_note

BIB = Path(__file__).parent / "fixtures" / "bib" / "every_entry.bib"
KEYS = ["survey2023", "survey2023v2", "typo2020a", "typo2020b", "notitle", "plato", "soon",
        "oddfield"]  # fmt: skip


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    text = BIB.read_text(encoding="utf-8")
    return import_bib("every.bib", text, index=NoteIndex([]), papers_dir="papers")


def test_every_key_survives(report) -> None:  # type: ignore[no-untyped-def]
    assert report.entries == len(KEYS)
    assert [n.key for n in report.notes] == KEYS
    assert not [d for d in report.diagnostics if d.severity.value == "error"]


@pytest.mark.parametrize(
    "message",
    [
        "survey2023v2: same arXiv id 2303.18223 as 'survey2023', earlier in the file; both are kept",
        "typo2020b: same DOI 10.1000/SHARED_DOI as 'typo2020a', earlier in the file; both are kept",
        "notitle: no title: imported without one",
        "plato: year '400 BC' is not a four-digit year: imported with no year, "
        "and bibtex: year keeps '400 BC' (shown and exported as written)",
        "soon: year 'forthcoming' is not a four-digit year",
        "oddfield: field 'journal.name' dropped: notes take field names of letters, digits, _ -",
    ],
)
def test_each_adjustment_is_named(report, message: str) -> None:  # type: ignore[no-untyped-def]
    warnings = [d.message for d in report.diagnostics if d.severity.value == "warning"]
    assert any(message in w for w in warnings), warnings


def _meta(report, key: str):  # type: ignore[no-untyped-def]
    note = next(n for n in report.notes if n.key == key)
    parsed, diags = parse_note(note.path, note.text, make_parser())
    assert parsed is not None, diags
    return parsed.meta


@pytest.mark.parametrize(
    ("key", "field", "value"),
    [
        ("survey2023", "authors", ("Martín", "Łukasz")),
        ("typo2020a", "doi", "10.1000/shared_doi"),
        ("notitle", "title", None),
        ("plato", "year", None),
        ("oddfield", "title", "An “Odd” Field: pre-training, 50% & $\\alpha$"),
    ],
)
def test_fields_are_plain_unicode(report, key: str, field: str, value: object) -> None:  # type: ignore[no-untyped-def]
    meta = _meta(report, key)
    got = getattr(meta, field)
    if field == "authors":
        got = tuple(a.family for a in got)
    assert got == value


def test_month_and_unwritten_year_are_kept_for_the_export(report) -> None:  # type: ignore[no-untyped-def]
    assert _meta(report, "oddfield").bibtex["month"] == "7"
    assert _meta(report, "plato").bibtex["year"] == "400 BC"
    assert "doi" not in _meta(report, "typo2020a").bibtex  # no \_ kept to break the export


def test_import_then_bib_exports_every_key(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "lib"
    (root / "papers").mkdir(parents=True)
    imported = cli("import", "--root", str(root), str(BIB))
    assert imported.code == 0, imported.err
    assert f"{len(KEYS)} of {len(KEYS)} entries imported, 0 errors" in imported.err
    built = cli("build", "--root", str(root), "--strict")
    assert built.code == 0, built.err
    exported = cli("bib", "--root", str(root))
    entries = parse_string(exported.out, "bibtex").entries
    assert sorted(entries) == sorted(KEYS)
    assert entries["plato"].fields["year"] == "400 BC"
    assert entries["typo2020a"].fields["doi"] == "10.1000/shared_doi"

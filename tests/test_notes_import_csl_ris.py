"""``papernotes import`` of CSL-JSON and RIS files from other tools, and of broken ones: every
record imported or named with its line, names and dates read, the CLI's choice of reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from csl_ris_corpus import parse

from papernotes.bib.names import parse_person
from papernotes.model import Author, CiteKey
from papernotes.notes.importbib import ImportReport
from papernotes.notes.importcsl import import_csl, read_items
from papernotes.notes.importrecords import author_text, with_tags
from papernotes.notes.importris import import_ris, parse_name, read_records
from papernotes.notes.match import NoteIndex


def _csl(items: Any, index: NoteIndex | None = None) -> ImportReport:
    text = items if isinstance(items, str) else json.dumps(items, ensure_ascii=False, indent=1)
    return import_csl("in.json", text, index=index or NoteIndex([]), papers_dir="papers")


def _ris(text: str, index: NoteIndex | None = None) -> ImportReport:
    return import_ris("in.ris", text, index=index or NoteIndex([]), papers_dir="papers")


def _said(report: ImportReport) -> list[str]:
    return [f"{d.where.line}:{d.severity.value}: {d.message}" for d in report.diagnostics]


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        ('[{"id": "a",}]', 1, 13, "Expecting property name"),
        ('[\n {"id": "a", "title": "t"},\n oops\n]', 3, 2, "Expecting value"),
        ('{"id": "a"', 1, 11, "Expecting ',' delimiter"),
        ('"a string"', 1, 1, "expected a JSON array of CSL items"),
        ("[{}] []", 1, 6, "text after the array"),
        ('[{"id": "a"} {"id": "b"}]', 1, 14, "expected ',' or ']' after an item"),
        ("", 1, 1, "expected a JSON array"),
    ],
)
def test_malformed_json_is_one_error_at_its_line_and_column(
    text: str, line: int, col: int, message: str
) -> None:
    report = _csl(text)
    (diag,) = report.diagnostics
    assert diag.severity.value == "error" and report.notes == ()
    assert (diag.where.line, diag.where.col) == (line, col)
    assert message in diag.message and diag.message.startswith("not CSL-JSON")
    assert diag.hint and "export CSL JSON again" in diag.hint


def test_json_nested_too_deeply_is_an_error_not_a_crash() -> None:
    report = _csl("[" * 100_000 + "]" * 100_000)
    assert _said(report) == ["1:error: not CSL-JSON: nested too deeply to read"]


def test_items_of_the_wrong_shape_are_named_with_their_line() -> None:
    text = '[\n  1,\n  ["x"],\n  {"id": "ok2020", "title": "Fine", "author": [{"literal": "X"}],'
    text += ' "issued": {"date-parts": [[2020]]}}\n]'
    report = _csl(text)
    assert _said(report) == [
        "2:error: record on line 2: expected a CSL item (a JSON object), got int",
        "3:error: record on line 3: expected a CSL item (a JSON object), got list",
    ]
    assert [n.key for n in report.notes] == ["ok2020"] and report.entries == 3
    assert [(line, type(item).__name__) for line, item in read_items(text)] == [
        (2, "int"),
        (3, "list"),
        (4, "dict"),
    ]


def test_values_of_the_wrong_type_are_dropped_with_a_warning() -> None:
    item = {
        "id": "odd",
        "title": ["not", "text"],
        "author": [{"family": "Smith", "given": "J."}, "Jones", {"given": ""}],
        "issued": {"date-parts": [["spring"]]},
        "DOI": "not a doi",
        "URL": "ftp://x.org/a",
        "custom": {"bibtex": {"pages": 12, "note": "kept"}},
    }
    report = _csl([item])
    (note,) = report.notes
    meta = parse(note.path, note.text)
    assert meta.title is None and meta.authors == (Author("Smith", "J."),)
    assert meta.year is None and meta.doi is None and meta.url is None
    assert meta.bibtex == {"note": "kept"}
    said = "\n".join(_said(report))
    for part in (
        "'title' dropped: expected text, got list",
        "author 2 dropped",
        "author 3 dropped",
        "DOI 'not a doi' is not a DOI",
        "URL 'ftp://x.org/a' is not an http(s) address",
        "custom bibtex field 'pages' dropped",
        "no year",
    ):
        assert part in said


def test_an_item_from_zotero_maps_every_variable() -> None:
    item = {
        "id": "http://zotero.org/users/1/items/ABCD",
        "citation-key": "smith2020deep",
        "type": "article-journal",
        "title": "Deep Things",
        "container-title": "Journal of Things",
        "author": [
            {"family": "Smith", "given": "Jane"},
            {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            {"literal": "The ACME Consortium"},
            {"family": "宋", "given": "海越"},
        ],
        "editor": [{"family": "Doe", "given": "John"}],
        "issued": {"date-parts": [[2020, 5, 3]]},
        "volume": "12",
        "issue": 3,
        "page": "10-20",
        "publisher": "ACME Press",
        "publisher-place": "Paris",
        "ISSN": "1234-5678",
        "DOI": "https://doi.org/10.1000/XYZ",
        "URL": "https://example.org/deep",
        "abstract": "Deep.\n\nThings.",
        "keyword": "deep, things,  ",
        "language": "en",
    }
    report = _csl([item])
    (note,) = report.notes
    meta = parse(note.path, note.text)
    assert meta.key == "smith2020deep" and meta.entry_type is None  # article, from the venue
    assert meta.authors == (
        Author("Smith", "Jane"),
        Author("Beethoven", "Ludwig", particle="van"),
        Author("King", "Martin Luther", suffix="Jr."),
        Author("The ACME Consortium"),
        Author("宋", "海越"),
    )
    assert (meta.year, meta.venue, meta.doi) == (2020, "Journal of Things", "10.1000/XYZ")
    assert meta.abstract == "Deep.\n\nThings." and meta.tags == ("deep", "things")
    assert meta.bibtex == {
        "volume": "12",
        "number": "3",
        "pages": "10--20",
        "publisher": "ACME Press",
        "address": "Paris",
        "issn": "1234-5678",
        "language": "en",
        "month": "5",
    }
    assert meta.editors == (Author("Doe", "John"),)
    assert report.diagnostics == ()


def test_a_zotero_preprint_is_a_misc_note_with_its_arxiv_id() -> None:
    item = {
        "id": "hu2021lora",
        "type": "article",
        "title": "LoRA",
        "author": [{"family": "Hu", "given": "Edward J."}],
        "issued": {"date-parts": [["2021"]]},
        "number": "arXiv:2106.09685",
        "publisher": "arXiv",
    }
    (note,) = _csl([item]).notes
    meta = parse(note.path, note.text)
    assert (meta.arxiv, meta.entry_type, meta.year, dict(meta.bibtex)) == (
        "2106.09685",
        None,
        2021,
        {},
    )


def _item(key: str, **more: Any) -> dict[str, Any]:
    item = {"id": key, "title": f"Paper {key}", "author": [{"literal": "X"}]}
    return item | {"issued": {"date-parts": [[2020]]}} | more


def test_keys_follow_the_bib_import_rules() -> None:
    index = NoteIndex([(CiteKey("Taken2020"), "papers/Taken2020.md", None, "10.1000/a", "Other")])
    items = [
        _item("doe'2021"),
        _item("DoeLR+19"),
        _item("taken2020"),
        _item("dup"),
        _item("DUP"),
        _item("samedoi", DOI="10.1000/A"),
        {"title": "No Key", "author": [{"family": "Li", "given": "Wei"}]},
    ]
    report = _csl(items, index)
    assert [n.key for n in report.notes] == ["x2020paper", "DoeLR+19", "dup", "samedoi", "lino"]
    said = "\n".join(_said(report))
    assert "'doe'2021' is not a valid note id (" in said
    assert "the note's id is 'x2020paper'" in said
    assert "taken2020: already in the library as 'Taken2020'; skipped" in said
    assert "duplicate key 'DUP' (first on line" in said
    assert "samedoi: same DOI 10.1000/A as 'Taken2020', already in the library" in said
    assert "no citekey: the note's id is 'lino'" in said


def test_every_item_of_the_file_is_imported_or_named() -> None:
    items = [_item(f"k{i}") for i in range(5)] + [7, _item("k1")]
    report = _csl(items)
    named = {d.where.line for d in report.diagnostics}
    assert len(report.notes) + len(named) == report.entries == 7


# RIS -----------------------------------------------------------------------------------------

ENDNOTE = """TY  - JOUR
T1  - A Mathematical Theory of
  Communication
A1  - Shannon, Claude E.
A1  - van der Berg, J.
JF  - Bell System Technical Journal
Y1  - 1948/07/01/
VL  - 27
IS  - 3
SP  - 379
EP  - 423
KW  - information; entropy
KW  - 信息论
N2  - The fundamental problem.
UR  - https://example.org/shannon
DO  - 10.1002/j.1538-7305.1948.tb01338.x
M3  - Journal Article
ER  -
"""


def test_an_endnote_record_maps_every_tag_it_has() -> None:
    report = _ris(ENDNOTE)
    (note,) = report.notes
    meta = parse(note.path, note.text)
    assert meta.title == "A Mathematical Theory of Communication"
    assert meta.authors == (Author("Shannon", "Claude E."), Author("Berg", "J.", "van der"))
    assert (meta.year, meta.venue, meta.entry_type) == (1948, "Bell System Technical Journal", None)
    assert meta.tags == ("information", "entropy", "信息论")
    assert meta.abstract == "The fundamental problem." and meta.doi.startswith("10.1002/")
    assert meta.bibtex == {"volume": "27", "number": "3", "pages": "379--423", "month": "7"}
    assert _said(report) == [
        "1:warning: record on line 1: tags not imported (papernotes has no place for them): M3",
        "1:warning: record on line 1: no citekey: the note's id is 'shannon1948mathematical'",
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "Provider: X\nTY  - JOUR\nTI  - T\nER  - \n",
            ["1:error: not a RIS tag line ('TY  - JOUR')"],
        ),
        ("AU  - A, B\nTI  - T\n", ["1:error: 'AU' line outside a record"]),
        (
            "TY  - JOUR\nTI  - T\n",
            ["1:warning: record has no 'ER  - ' line at the end of the file"],
        ),
        (
            "TY  - JOUR\nTI  - T\nTY  - BOOK\nTI  - U\nER  - \n",
            ["1:warning: record has no 'ER  - ' before the next TY"],
        ),
        ("TY - JOUR\r\nTI - T\r\nER  -\r\n", []),
    ],
)
def test_ris_layout_problems_are_named_with_their_line(text: str, said: list[str]) -> None:
    records, diags = read_records("in.ris", text)
    assert [f"{d.where.line}:{d.severity.value}: {d.message}" for d in diags] == said
    assert all(tags["TI"] for _, tags in records)


def test_a_record_that_cannot_be_a_note_is_an_error_and_the_rest_import() -> None:
    text = "TY  - WHAT\nID  - a\nTI  - T\nAU  - Li, Wei\nPY  - 2020\nER  - \n"
    text += "TY  - JOUR\nID  - b\nTI  - U\nAU  - ,\nPY  - 1800s\nAN  - arXiv:9999.99999\nER  - \n"
    report = _ris(text)
    assert [n.key for n in report.notes] == ["a", "b"]
    said = "\n".join(_said(report))
    assert "1:warning: a: RIS type 'WHAT' has no BibTeX type: imported as misc" in said
    assert "7:warning: b: author ',' dropped: no family name" in said
    assert "AN 'arXiv:9999.99999' is not an arXiv id: dropped" in said


@pytest.mark.parametrize(
    ("value", "author"),
    [
        ("Shannon, Claude E.", Author("Shannon", "Claude E.")),
        ("van der Berg, J.", Author("Berg", "J.", "van der")),
        ("King, M., Jr.", Author("King", "M.", suffix="Jr.")),
        ("OpenAI", Author("OpenAI")),
        ("d'Alembert, Jean", Author("d'Alembert", "Jean")),
        ("田中, 英輝", Author("田中", "英輝")),
        ("  ", None),
    ],
)
def test_ris_names(value: str, author: Author | None) -> None:
    assert parse_name(value) == author


@pytest.mark.parametrize(
    ("author", "text"),
    [
        (Author("Hu", "Edward J."), "Hu, Edward J."),
        (Author("OpenAI"), "{OpenAI}"),
        (Author("田中", "英輝"), "田中 英輝"),
        (Author("Beethoven", "Ludwig", "van"), "van Beethoven, Ludwig"),
        (Author("King", "M.", suffix="Jr."), "King, Jr., M."),
        (Author("De la Cruz", "Maria"), "{De la Cruz}, Maria"),
        (Author("dos Santos", "Cícero"), "{dos Santos}, Cícero"),
        (Author("Acme, Inc."), "{Acme, Inc.}"),
    ],
)
def test_author_text_reads_back_as_the_same_author(author: Author, text: str) -> None:
    assert author_text(author) == text and parse_person(text) == author


def test_tags_go_in_their_schema_place() -> None:
    text = "---\nid: a\ntitle: T\nabstract: >-\n  x\nbibtex:\n  note: n\n---\n\nBody.\n"
    assert with_tags(text, ("b; c", "#d")).split("\n")[3:7] == [
        "tags:",
        "  - b; c",
        "  - '#d'",
        "abstract: >-",
    ]
    assert with_tags(text, ()) == with_tags(text, ("#", " ")) == text
    assert "  - a b\n" in with_tags(text, ("a\n\n b",))


# The command line ----------------------------------------------------------------------------


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    (tmp_path / "lib" / "papers").mkdir(parents=True)
    return tmp_path / "lib"


@pytest.mark.parametrize("name", ["refs.ris", "refs.txt"])
def test_cli_imports_ris_by_suffix_or_content_and_never_overwrites(
    lib: Path, cli, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(ENDNOTE.replace("TY  - JOUR\n", "TY  - JOUR\nID  - shannon1948\n"), "utf-8")
    result = cli("import", "--root", str(lib), str(path))
    assert result.code == 0, result.err
    assert (lib / "papers" / "shannon1948.md").is_file()
    before = (lib / "papers" / "shannon1948.md").read_bytes()
    again = cli("import", "--root", str(lib), str(path))
    assert "shannon1948: already in the library as 'shannon1948'; skipped" in again.err
    assert (lib / "papers" / "shannon1948.md").read_bytes() == before


@pytest.mark.parametrize("name", ["library.json", "export.csljson"])
def test_cli_imports_csl_json_and_reports_bad_json_at_its_line(
    lib: Path, cli, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(json.dumps([_item("good2020")]), "utf-8")
    assert cli("import", "--root", str(lib), str(path)).code == 0
    assert (lib / "papers" / "good2020.md").is_file()
    path.write_text('[\n  {"id": "bad",\n]\n', "utf-8")
    result = cli("import", "--root", str(lib), str(path))
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{path}:3:1: error: not CSL-JSON: Expecting property name" in result.err

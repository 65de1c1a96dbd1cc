"""Where each front-matter key and list item was written is kept from parsing, and every
problem about a field is reported at that field's ``path:line:col``."""

from __future__ import annotations

import pytest

from papernotes import link
from papernotes.cli.check import collect_links
from papernotes.errors import Location
from papernotes.markdown.factory import make_parser
from papernotes.model import FieldLocation
from papernotes.parse import parse_note, parse_notes

MD = make_parser()
PATH = "papers/x.md"


def _note(front: str) -> str:
    return f"---\n{front}---\n\nBody.\n"


def _problems(front: str, files: frozenset[str] = frozenset()) -> list[str]:
    """Every diagnostic of parsing and linking the one note, as the CLI prints it."""
    notes, d_parse = parse_notes([(PATH, _note(front))], MD)
    _, d_link = link.link(notes, files, "papers")
    return [d.format() for d in (*d_parse, *d_link)]


BASE = "title: T\nauthors: [Ada Lovelace]\nyear: 2020\n"


@pytest.mark.parametrize(
    ("front", "where", "message"),
    [
        ("title: T\nauthors: [A B]\nyear: 20x\n", "4:1", "warning: year: expected a whole number"),
        (
            'title: T\nauthors:\n  - Ada Lovelace\n  - "Doe, John, Jr., Extra"\nyear: 2020\n',
            "5:5",
            'error: authors: cannot read the name "Doe, John, Jr., Extra"',
        ),
        ("title: T\nauthors: [A B, [x]]\nyear: 2020\n", "3:16", "error: authors: expected a name"),
        (f"{BASE}cites: [ok, 'bad key!']\n", "5:13", 'error: cites: expected a citekey, got "bad'),
        (f"{BASE}cites:\n  - ghost\n", "6:5", 'warning: unknown citation key "ghost"'),
        (
            f"{BASE}tags: [a]\npdf: missing.pdf\n",
            "6:1",
            'warning: link "missing.pdf": no such file',
        ),
        (f"{BASE}pdf: javascript:x\n", "5:1", "error: pdf: expected an http(s) URL or a file"),
        (f"{BASE}arxiv: 2101.019\n", "5:1", "error: arxiv: expected an arXiv id"),
        (f"{BASE}tittle: T\n", "5:1", "warning: tittle: unknown key, ignored"),
        (f"{BASE}title: U\n", "5:1", "error: title: given twice (first on line 2)"),
        (f"{BASE}read: 2024-13-01\n", "5:7", "error: read: 2024-13-01 is not a real date"),
        (f"{BASE}venue: [a\n", "6:1", "error: front matter is not valid YAML"),
        (f"{BASE}id: 'a b'\n", "5:1", 'error: id: "a b": expected'),
        ("title: T\nyear: 2020\n", None, "warning: authors: missing from the front matter"),
    ],
)
def test_problems_point_at_the_field(front: str, where: str | None, message: str) -> None:
    prefix = f"{PATH}:{where}: " if where else f"{PATH}:1: "
    problems = _problems(front)
    assert any(p.startswith(prefix + message) for p in problems), problems


def test_a_local_pdf_that_exists_is_fine() -> None:
    assert _problems(f"{BASE}pdf: paper.pdf\n", frozenset({"paper.pdf"})) == []


def test_every_key_and_list_item_keeps_its_line_and_column() -> None:
    front = "title: T\nauthors:\n  - Ada Lovelace\n  - Alan Turing\nyear: 2020\ncites: [a, b]\n"
    note, diags = parse_note(PATH, _note(front), MD)
    assert diags == () and note is not None
    at = {name: (w.key.line, w.key.col) for name, w in note.locations.items()}
    assert at == {"title": (2, 1), "authors": (3, 1), "year": (6, 1), "cites": (7, 1)}
    assert note.locations["authors"].items == (Location(PATH, 4, 5), Location(PATH, 5, 5))
    assert note.locations["cites"].items == (Location(PATH, 7, 9), Location(PATH, 7, 12))
    assert [(c.line, c.col) for c in note.meta.cites] == [(7, 9), (7, 12)]
    assert note.locations["title"] == FieldLocation.of(
        Location(PATH, 2, 1), (), Location(PATH, 2, 8)
    )
    assert note.locations["year"].value == Location(PATH, 6, 7)
    assert note.at("pdf") == Location(PATH, 1) and note.key_line == 1


def test_columns_count_characters_not_bytes() -> None:
    note, _ = parse_note(
        PATH, _note("title: 标题\nauthors: [杨植麟, 'Ada Lovelace']\nyear: 2020\n"), MD
    )
    assert note is not None
    assert [w.col for w in note.locations["authors"].items] == [11, 16]


def test_check_takes_front_matter_links_from_the_kept_locations() -> None:
    text = _note(f"{BASE}doi: https://doi.org/10.1000/x\ncode: https://code.example/\npdf: a.pdf\n")
    sources = [("papers/a.md", _note(f"{BASE}url: https://a.example/\n")), ("papers/a/x.md", text)]
    notes, diags = parse_notes(sources, MD)
    library, _ = link.link(notes, frozenset({"a/a.pdf"}), "papers")
    assert diags == () and len(library.notes) == 2
    # No file is read: the notes exist only as text given to the parser. They come in the
    # order load_sources reads them (folder "a" before "a.md"), keys in the order written.
    links = [(x.url, str(x.where)) for x in collect_links(library)]
    assert links == [
        ("https://doi.org/10.1000/x", "papers/a/x.md:5:6"),
        ("https://code.example/", "papers/a/x.md:6:7"),
        ("https://a.example/", "papers/a.md:5:6"),
    ]

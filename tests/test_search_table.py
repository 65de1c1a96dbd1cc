"""The home table's shared data (static/library-data.js) and the first page index.html keeps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from papernotes import urls
from papernotes.model import Author, Metadata
from papernotes.render import HOME_ROWS
from papernotes.search.table import (
    FIELDS,
    LIBRARY_DATA,
    LIBRARY_PARTS,
    TABLE_FORMAT,
    library_files,
    library_paths,
    people_text,
)

from conftest import clean_library, note_text, write_note


def load(text: str) -> dict[str, Any]:
    prefix = "window.PAPERNOTES_LIBRARY="
    assert text.startswith(prefix) and text.endswith(";\n")
    data = json.loads(text[len(prefix) : -2])
    assert isinstance(data, dict)
    return data


def people(n: int, others: bool = False) -> tuple[Author, ...]:
    named = tuple(Author(f"Family{i}", "Given") for i in range(n))
    return (*named, Author("", others=True)) if others else named


@pytest.mark.parametrize(
    ("meta", "shown", "more"),
    [
        (Metadata("k"), "", ""),
        (Metadata("k", authors=people(2)), "Given Family0, Given Family1", ""),
        (Metadata("k", authors=people(1, others=True)), "Given Family0 et al.", ""),
        (
            Metadata("k", authors=people(5)),
            "Given Family0, Given Family1, Given Family2 et al.",
            "Given Family3, Given Family4",
        ),
        (
            Metadata("k", authors=people(12)),
            "Given Family0, Given Family1, Given Family2 et al. (12 authors)",
            ", ".join(f"Given Family{i}" for i in range(3, 10)),
        ),
        (Metadata("k", editors=people(2)), "Given Family0, Given Family1 (eds.)", ""),
        (Metadata("k", editors=people(1)), "Given Family0 (ed.)", ""),
    ],
)
def test_people_text_matches_the_server_rendered_rows(
    meta: Metadata, shown: str, more: str
) -> None:
    assert people_text(meta) == (shown, more)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    from papernotes.build import build
    from papernotes.config import load_config

    for i in range(HOME_ROWS + 5):
        write_note(
            tmp_path,
            f"n{i:03d}.md",
            note_text(
                f"Paper {i:03d}",
                authors="[Ada Lovelace, Alan Turing]",
                year=1900 + i,
                extra=f"id: n{i:03d}\ntags: [Tag{i % 3}]\nstatus: to-read\nrating: 4\n",
            ),
        )
    write_note(
        tmp_path,
        "hostile.md",
        '---\ntitle: "</script><script>alert(1)</script>"\nauthors: [Eve]\n---\nBody.\n',
    )
    config, _ = load_config(tmp_path)
    out = tmp_path / "site"
    report = build(tmp_path, config, out=out)
    assert report.errors == 0, report.diagnostics
    return out


def test_library_data_has_every_note_in_table_order(site: Path) -> None:
    text = (site / LIBRARY_DATA).read_text("utf-8")
    assert "</script>" not in text
    data = load(text)
    assert data["format"] == TABLE_FORMAT
    assert data["fields"] == list(FIELDS)
    rows = [dict(zip(FIELDS, row, strict=True)) for row in data["rows"]]
    assert len(rows) == HOME_ROWS + 6
    first = rows[0]
    assert first["title"] == f"Paper {HOME_ROWS + 4:03d}"  # newest first
    assert first["href"] == urls.paper_page(f"n{HOME_ROWS + 4:03d}")
    assert first["authors"] == "Ada Lovelace, Alan Turing"
    assert first["author"] == "Lovelace"
    assert (first["year"], first["label"], first["status"], first["rating"]) == (
        1900 + HOME_ROWS + 4,
        str(1900 + HOME_ROWS + 4),
        "to-read",
        4,
    )
    assert data["tags"][first["tags"][0]] == ["Tag2", "tag2", "tags/tag2.html"]
    hostile = rows[-1]  # no year: after every dated note
    assert hostile["title"] == "</script><script>alert(1)</script>"
    assert hostile["year"] is None


def test_home_page_keeps_only_the_first_page_of_rows(site: Path) -> None:
    soup = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    rows = soup.select("#library-table table.papers tbody tr")
    assert len(rows) == HOME_ROWS
    assert rows[0].select_one("td.title").get_text() == f"Paper {HOME_ROWS + 4:03d}"
    assert soup.select_one("#result-count").get_text() == f"{HOME_ROWS + 6} papers."
    more = soup.select_one("#table-more")
    assert more is not None
    assert {a["href"] for a in more.select("a")} == {"years/index.html", "tags/index.html"}
    scripts = [s["src"] for s in soup.select("script[src]")]
    assert scripts.index(LIBRARY_DATA) < scripts.index("static/table.js")


def test_a_library_of_one_page_shows_no_more_link(tmp_path: Path) -> None:
    write_note(tmp_path, "a.md", note_text("Only", authors="[Ada Lovelace]", year=2020))
    library = clean_library(tmp_path)
    assert len(library.notes) == 1
    from papernotes.build import build
    from papernotes.config import load_config

    config, _ = load_config(tmp_path)
    build(tmp_path, config, out=tmp_path / "site")
    soup = BeautifulSoup((tmp_path / "site" / "index.html").read_text("utf-8"), "html.parser")
    assert soup.select_one("#table-more") is None
    assert len(soup.select("table.papers tbody tr")) == 1


def _rows(files: tuple[tuple[str, str], ...]) -> tuple[dict[str, Any], list[list[Any]]]:
    """The first file's data and every row, parts included, in order; the data's "people"
    with every part's added."""
    first = load(files[0][1])
    rows = list(first["rows"])
    for n, (path, text) in enumerate(files[1:], start=1):
        assert path == f"{LIBRARY_PARTS}{n}.js"
        prefix = f"PAPERNOTES_LIBRARY_PART({n},"
        assert text.startswith(prefix) and text.endswith(");\n")
        part, people = json.loads("[" + text[len(prefix) : -3] + "]")
        rows.extend(part)
        first["people"].extend(people)
    return first, rows


@pytest.mark.parametrize(
    ("count", "first_rows", "part_rows", "parts"),
    [(0, 3, 2, 0), (3, 3, 2, 0), (4, 3, 2, 1), (5, 3, 2, 1), (6, 3, 2, 2), (9, 3, 2, 3)],
)
def test_rows_past_the_first_go_in_parts_in_order(
    tmp_path: Path, count: int, first_rows: int, part_rows: int, parts: int
) -> None:
    for i in range(count):
        write_note(tmp_path, f"n{i}.md", note_text(f"Paper {i}", year=2000 + i))
    library = clean_library(tmp_path) if count else None
    notes = sorted(library.notes.values(), key=lambda n: n.meta.heading) if library else []
    files = library_files(notes, urls.tag_page, first_rows=first_rows, part_rows=part_rows)
    assert [p for p, _ in files] == list(library_paths(count, first_rows, part_rows))
    first, rows = _rows(files)
    assert (first["count"], first["parts"], len(files)) == (count, parts, parts + 1)
    assert len(first["rows"]) == min(count, first_rows)
    assert [r[FIELDS.index("title")] for r in rows] == [f"Paper {i}" for i in range(count)]


def test_authors_with_pages_of_their_own_are_linked(tmp_path: Path) -> None:
    authors = "[Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra]"
    write_note(tmp_path, "a.md", note_text("A", authors=authors, year=2000, extra="id: a\n"))
    write_note(
        tmp_path, "b.md", note_text("B", authors="[Alan Turing]", year=2001, extra="id: b\n")
    )
    eds = "editors: [Grace Hopper]\nid: c\n"
    write_note(tmp_path, "c.md", note_text("C", authors="[]", year=2002, extra=eds))
    pages = {"Alan Turing": "authors/alan-turing.html", "Grace Hopper": "authors/hopper.html"}

    def author_path(a: Author) -> str:  # as SiteIndex.author_path: else their one paper
        return pages.get(a.display) or urls.paper_page({"Ada Lovelace": "a"}.get(a.display, "b"))

    library = clean_library(tmp_path)
    notes = [library.notes[k] for k in ("a", "b", "c")]
    files = library_files(notes, urls.tag_page, author_path, first_rows=1, part_rows=1)
    assert len(load(files[0][1])["people"]) == 2  # the first row's; the third row names no other
    first, rows = _rows(files)
    people = first["people"]
    got = []
    for row in rows:
        text, links = row[FIELDS.index("authors")], row[FIELDS.index("links")]
        got.append([(text[s:e], people[n]) for s, e, n in links])
    assert got == [
        [("Alan Turing", "authors/alan-turing.html"), ("Grace Hopper", "authors/hopper.html")],
        [("Alan Turing", "authors/alan-turing.html")],
        [("Grace Hopper", "authors/hopper.html")],
    ]
    assert rows[0][FIELDS.index("authors")].endswith(" et al.")  # the fourth is not shown

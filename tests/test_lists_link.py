"""Reading lists against the library: entries found by key, alias or title; unknown and
repeated papers reported at their line; each paper's lists and series places."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.lists.link import Memberships, SeriesPlace, link_lists, read_lists
from papernotes.lists.parse import parse_list
from papernotes.load import Source
from papernotes.model import CiteKey, Library

from conftest import clean_library, note_text, write_note


def _library(tmp_path: Path) -> Library:
    for key, title in [("a2020", "Alpha"), ("b2021", "Beta"), ("c2022", "Gamma")]:
        write_note(tmp_path, f"{key}.md", note_text(title, extra="aliases: [" + key[0] + "]\n"))
    return clean_library(tmp_path)


def test_entries_resolve_by_key_alias_and_title(tmp_path: Path) -> None:
    library = _library(tmp_path)
    text = "---\ntitle: S\nseries: true\n---\n- [[a2020]]\n- [[b]]\n- [[Gamma]]\n"
    reading, _ = parse_list("papers/lists/s.md", text)
    assert reading is not None
    (linked,), diags = link_lists([reading], library)
    assert diags == ()
    assert linked.keys == ("a2020", "b2021", "c2022")
    assert linked.slug == "s"


@pytest.mark.parametrize(
    ("item", "message", "hint"),
    [
        ("[[a2002]]", 'reading list names unknown paper "a2002"', "did you mean 'a2020'?"),
        ("[@nothing-like-it]", 'unknown paper "nothing-like-it"', "no note has this key"),
        ("[[a2020]] again", '"a2020" is already in this list', None),
    ],
)
def test_unknown_and_repeated_papers_are_warnings_at_their_line(
    tmp_path: Path, item: str, message: str, hint: str | None
) -> None:
    library = _library(tmp_path)
    text = f"---\ntitle: L\n---\n- [[a2020]]\n\n## More\n- {item}\n- [[b2021]]\n"
    reading, _ = parse_list("papers/lists/l.md", text)
    assert reading is not None
    (linked,), diags = link_lists([reading], library)
    assert linked.keys == ("a2020", "b2021")  # the bad entry is left out, the rest kept
    (d,) = diags
    assert (d.where.path, d.where.line, d.where.col) == ("papers/lists/l.md", 7, 3)
    assert message in d.message
    if hint is not None:
        assert d.hint is not None and hint in d.hint


def test_series_places_and_memberships(tmp_path: Path) -> None:
    library = _library(tmp_path)
    sources = [
        Source(
            "papers/lists/line.md",
            "---\ntitle: Line\nseries: true\n---\n- [[a2020]]\n- [[b2021]]\n- [[c2022]]\n",
        ),
        Source("papers/lists/picks.md", "---\ntitle: Picks\n---\n- [[c2022]]\n- [[a2020]]\n"),
    ]
    library, diags = read_lists(library, sources)
    assert diags == ()
    lists = library.reading_lists
    assert [x.slug for x in lists] == ["line", "picks"]
    key = CiteKey
    found = Memberships.of(lists)
    series_of, lists_of = found.series_of, found.lists_of
    assert series_of(key("a2020")) == (SeriesPlace("line", "Line", 1, 3, None, "b2021"),)
    assert series_of(key("b2021")) == (
        SeriesPlace("line", "Line", 2, 3, key("a2020"), key("c2022")),
    )
    assert series_of(key("c2022")) == (SeriesPlace("line", "Line", 3, 3, "b2021", None),)
    assert [x.title for x in lists_of(key("c2022"))] == ["Line", "Picks"]
    assert [x.title for x in lists_of(key("b2021"))] == ["Line"]
    assert lists_of(key("nobody")) == () and series_of(key("nobody")) == ()


def test_slugs_are_unique_and_never_index(tmp_path: Path) -> None:
    library = _library(tmp_path)
    sources = [
        Source("papers/lists/index.md", "- [[a2020]]\n"),
        Source("papers/lists/My List.md", "- [[a2020]]\n"),
    ]
    library, _ = read_lists(library, sources)
    assert sorted(x.slug for x in library.reading_lists) == ["index-2", "my-list"]

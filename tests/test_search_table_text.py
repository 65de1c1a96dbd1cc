"""The start of each note's text in the home table's data, which the filter also matches:
short (it is loaded for every note), cut at a word, and given per key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papernotes import urls
from papernotes.model import CiteKey
from papernotes.search.table import EXCERPT_CHARS, FIELDS, LIBRARY_DATA, excerpt, library_files

from conftest import clean_library, note_text, write_note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("  short\n\n text  ", "short text"),
        ("word " * 40, ("word " * 24).strip()),  # cut at a word: 24 words are 119 characters
        ("长" * 200, "长" * EXCERPT_CHARS),  # no spaces (Chinese): cut at the limit
        ("a" * 200, "a" * EXCERPT_CHARS),
    ],
)
def test_excerpt(text: str, expected: str) -> None:
    assert excerpt(text) == expected
    assert len(excerpt(text)) <= EXCERPT_CHARS


def test_rows_carry_the_text_they_are_given(tmp_path: Path) -> None:
    write_note(tmp_path, "a.md", note_text("A", extra="id: a\n"))
    write_note(tmp_path, "b.md", note_text("B", extra="id: b\n"))
    library = clean_library(tmp_path)
    notes = list(library.notes.values())
    files = library_files(notes, urls.tag_page, texts={CiteKey("a"): "about quokkas"})
    path, text = files[0]
    assert path == LIBRARY_DATA
    data = json.loads(text.removeprefix("window.PAPERNOTES_LIBRARY=").removesuffix(";\n"))
    by_title = {r[FIELDS.index("title")]: r[FIELDS.index("text")] for r in data["rows"]}
    assert by_title == {"A": "about quokkas", "B": ""}

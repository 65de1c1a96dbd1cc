"""``incremental.quickbody``: a body edited where no hole is, spliced into its last render, is
what rendering the edited body gives, byte for byte; an edit that adds or moves a hole, or
changes the table of contents, is not spliced."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes import urls
from papernotes.bodyctx import note_context
from papernotes.build import read_library
from papernotes.config import load_config
from papernotes.incremental.quickbody import facets, respliced
from papernotes.markdown.body import render_body
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
from papernotes.model import Library, Note

from conftest import FIXTURES

_MD = make_parser()
_ROOT = FIXTURES / "small"


@pytest.fixture(scope="module")
def library() -> Library:
    config, _ = load_config(_ROOT)
    lib, _ = read_library(_ROOT, config, _MD)
    return lib


def _render(library: Library, note: Note):  # type: ignore[no-untyped-def]
    page = urls.paper_page(note.key)
    return render_body(_MD, note.body, note_context(note, library, _MD, "papers", page=page))


def _edited(note: Note, text: str) -> Note:
    return dataclasses.replace(note, body=parse_body(_MD, text))


def _check(library: Library, note: Note, text: str) -> bool:
    """Whether the edit to ``text`` was spliced (it then equals the full render)."""
    new = _edited(note, text)
    quick = respliced(note.body, _render(library, note), new.body, sanitized=False)
    if quick is not None:
        assert quick == _render(library, new)
    return quick is not None


SNIPPETS = [
    "word",
    " two words ",
    "\n\nA paragraph added.\n",
    "注意力",
    "  ",
    "\n",
    "**bold** and *em*",
    "$x^2$",
    "[@hu2021lora]",
    "[[houlsby2019parameter]]",
    "\n## A heading\n",
    "#tag",
    "[a link](adapters.md)",
    "<b>html</b>",
    "\n- an item\n",
    "`code`",
    "\n\n```python\nx = 1\n```\n",
    "[^1]\n\n[^1]: a footnote\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_spliced_body_is_the_rendered_body(library: Library, data: st.DataObject) -> None:
    note = data.draw(st.sampled_from(sorted(library.notes.values(), key=lambda n: n.key)))
    text = note.body.text
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:at] + data.draw(st.sampled_from(SNIPPETS)) + text[at:]
        else:
            text = text[:at] + text[at + data.draw(st.integers(0, 12)) :]
    _check(library, note, text)


@pytest.mark.parametrize(
    "added", ["\nA paragraph added at the end.\n", " more words", "\n\n注意力。\n"]
)
def test_an_appended_paragraph_is_spliced(library: Library, added: str) -> None:
    spliced = {n.key: _check(library, n, n.body.text + added) for n in library.notes.values()}
    # Footnotes are rendered after the body, with holes: an appended paragraph goes between
    # holes there (the build renders that note in full).
    assert spliced == {key: "[^" not in n.body.text for key, n in library.notes.items()}
    assert sum(spliced.values()) == 2
    # A new paragraph keeps what the rest of the site reads (words added to a note's first
    # paragraph change its lead: the previews show it).
    for note in library.notes.values() if added.startswith("\n") else ():
        assert facets(_edited(note, note.body.text + added).body) == facets(note.body)


@pytest.mark.parametrize(
    "added",
    ["\nSee [@hu2021lora].\n", "\n## A new section\n", "\nSee [[houlsby2019parameter]].\n"],
)
def test_a_new_hole_or_heading_is_not_spliced(library: Library, added: str) -> None:
    note = library.notes[sorted(library.notes)[0]]
    assert not _check(library, note, note.body.text + added)
    assert facets(_edited(note, note.body.text + added).body) != facets(note.body)


def test_an_edit_between_two_holes_is_not_spliced(library: Library) -> None:
    note = library.notes["hu2021lora"]
    text = note.body.text
    first = text.index("[@")
    second = text.index("[[", first)
    middle = (first + second) // 2
    assert not _check(library, note, text[:middle] + "x" + text[middle:])


def test_a_sanitized_body_is_not_spliced(library: Library) -> None:
    note = library.notes[sorted(library.notes)[0]]
    new = _edited(note, note.body.text + "\nMore.\n")
    assert respliced(note.body, _render(library, note), new.body, sanitized=True) is None


def test_facets_see_a_citations_sentence() -> None:
    a = parse_body(_MD, "One [@x]. Two.")
    b = parse_body(_MD, "Two [@x]. Two.")
    assert a.citations == b.citations  # compared without their sentences
    assert facets(a) != facets(b)

"""A note without a title, authors or year, or with editors, goes through every export and
every label without anything being made up for what it lacks."""

from __future__ import annotations

import pytest

from papernotes.bib.csl import from_csl, to_csl
from papernotes.bib.export import format_entry
from papernotes.bib.ris import format_record
from papernotes.link import author_year_label
from papernotes.model import Author, CiteKey, Metadata

EDS = (Author("Roe", "Richard"), Author("Poe", "Edgar", "van der"))

CASES = {
    "bare": Metadata(key=CiteKey("bare")),
    "edited": Metadata(key=CiteKey("edited"), title="Handbook", editors=EDS, year=2001),
    "plato": Metadata(
        key=CiteKey("plato"), title="The Republic", authors=(Author("Plato"),),
        bibtex={"year": "400 BC"},
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("key", "bibtex", "absent"),
    [
        ("bare", "@misc{bare,\n}\n", ("title", "author", "year")),  # the comma biber needs
        (
            "edited",
            "@misc{edited,\n  editor = {Roe, Richard and van der Poe, Edgar},\n"
            "  title = {Handbook},\n  year = {2001}\n}\n",
            ("author",),
        ),
        (
            "plato",
            "@misc{plato,\n  author = {{Plato}},\n  title = {The Republic},\n  year = {400 BC}\n}\n",
            (),
        ),
    ],
)
def test_bibtex_writes_only_what_the_note_gives(key: str, bibtex: str, absent: tuple[str]) -> None:
    text = format_entry(CASES[key])
    assert text == bibtex
    assert not any(f"  {name} = " in text for name in absent)


@pytest.mark.parametrize(
    ("key", "csl", "absent"),
    [
        ("bare", {}, ("title", "author", "editor", "issued")),
        (
            "edited",
            {
                "editor": [
                    {"family": "Roe", "given": "Richard"},
                    {"family": "Poe", "given": "Edgar", "non-dropping-particle": "van der"},
                ],
                "issued": {"date-parts": [[2001]]},
            },
            ("author",),
        ),
        ("plato", {"issued": {"literal": "400 BC"}, "author": [{"literal": "Plato"}]}, ()),
    ],
)
def test_csl_json_leaves_out_what_is_missing_and_reads_back(
    key: str, csl: dict[str, object], absent: tuple[str]
) -> None:
    item = to_csl(CASES[key])
    assert {k: item[k] for k in csl} == csl
    assert not set(absent) & set(item)
    assert from_csl(item) == CASES[key]


@pytest.mark.parametrize(
    ("key", "tags"),
    [
        ("bare", ["TY", "ID", "ER"]),
        ("edited", ["TY", "ID", "A2", "A2", "TI", "PY", "ER"]),
        ("plato", ["TY", "ID", "AU", "TI", "DA", "ER"]),
    ],
)
def test_ris_writes_editors_and_no_empty_title_or_year(key: str, tags: list[str]) -> None:
    lines = format_record(CASES[key]).split("\r\n")[:-1]
    assert [line[:2] for line in lines] == tags
    if key == "plato":
        assert "DA  - ///400 BC" in lines


@pytest.mark.parametrize(
    ("key", "label", "year", "heading"),
    [
        ("bare", "bare, n.d.", "n.d.", "bare"),
        ("plato", "Plato, 400 BC", "400 BC", "The Republic"),
        ("edited", "Roe and van der Poe, 2001", "2001", "Handbook"),
    ],
)
def test_what_is_shown_for_what_is_missing(key: str, label: str, year: str, heading: str) -> None:
    meta = CASES[key]
    shown = author_year_label(meta.authors or meta.editors, meta.year_label, anonymous=meta.key)
    assert (shown, meta.year_label, meta.heading) == (label, year, heading)

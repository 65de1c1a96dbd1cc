"""One BibTeX entry becomes a note draft whose export gives the same fields back."""

from __future__ import annotations

import pytest
from pybtex.database import Entry
from pybtex.database.input.bibtex import Parser

from papernotes.markdown.factory import make_parser
from papernotes.notes.file import check_note, render_note
from papernotes.notes.import_fields import (
    draft_from_entry,
    entry_arxiv,
    entry_doi,
    month_number,
)


def _entry(fields: str, kind: str = "article", key: str = "k") -> Entry:
    # As import reads them: author and editor stay fields of LaTeX text.
    data = Parser(person_fields=[]).parse_string(f"@{kind}{{{key},\n{fields}\n}}")
    return data.entries[key]


def _draft(fields: str, kind: str = "article", key: str = "smith2020x"):  # type: ignore[no-untyped-def]
    return draft_from_entry(_entry(fields, kind, key), key, taken=set(), md=make_parser())


@pytest.mark.parametrize(
    ("field", "doi"),
    [
        ("doi = {10.1000/xyz}", "10.1000/xyz"),
        ("doi = {https://doi.org/10.1000/xyz}", "10.1000/xyz"),
        ("doi = {doi: 10.1000/xyz}", "10.1000/xyz"),
        ("doi = {not a doi}", None),
        ("title = {T}", None),
    ],
)
def test_entry_doi(field: str, doi: str | None) -> None:
    assert entry_doi(_entry(field)) == doi


@pytest.mark.parametrize(
    ("field", "arxiv"),
    [
        ("eprint = {2106.09685}, archivePrefix = {arXiv}", "2106.09685"),
        ("eprint = {arXiv:2106.09685v2}, eprinttype = {arxiv}", "2106.09685v2"),
        ("eprint = {2106.09685}", None),  # an eprint of no named archive
        ("journal = {arXiv preprint arXiv:1706.03762}", "1706.03762"),
        ("url = {https://arxiv.org/abs/hep-th/9901001v1}", "hep-th/9901001v1"),
        ("doi = {10.48550/arXiv.2305.18290}", "2305.18290"),
        ("journal = {Nature}", None),
    ],
)
def test_entry_arxiv(field: str, arxiv: str | None) -> None:
    assert entry_arxiv(_entry(field)) == arxiv


def test_mapped_fields_go_to_front_matter_and_the_rest_to_bibtex() -> None:
    draft, notes = _draft(
        'title = {Attention Is All You Need}, author = {Smith, John and M{\\"u}ller, Anna},'
        " year = {2020}, journal = {Nature}, volume = {7}, doi = {10.1000/xyz}"
    )
    assert (draft.key, draft.title, draft.year) == ("smith2020x", "Attention Is All You Need", 2020)
    assert draft.authors == ("Smith, John", "Müller, Anna")  # LaTeX decoded
    assert (draft.entry_type, draft.venue, draft.doi) == ("article", "Nature", "10.1000/xyz")
    assert dict(draft.bibtex) == {"volume": "7"}
    assert notes == []


def test_what_the_export_would_change_is_kept_in_its_original_latex() -> None:
    draft, _ = _draft(
        "title = {{BERT}: Pre-training}, author = {Devlin, Jacob and others}, year = {2019a}"
    )
    raw = dict(draft.bibtex)
    assert raw["year"] == "2019a"
    assert "author" not in raw and draft.authors == ("Devlin, Jacob", "others")
    assert draft.year == 2019


def test_no_author_is_made_up_for_editor_only_and_organisation_only_entries() -> None:
    draft, notes = _draft("title = {T}, editor = {Doe, Jane}, year = {2020}", kind="book")
    assert (draft.authors, draft.editors) == ((), ("Doe, Jane",))
    assert notes == ["no author: imported with its editor only (exported as editor, no author)"]
    draft, notes = _draft("title = {T}, organization = {OpenAI}, year = {2020}", kind="misc")
    assert (draft.authors, draft.editors) == ((), ())
    assert dict(draft.bibtex) == {"organization": "OpenAI"}
    assert notes == [
        "no author or editor: imported with neither, and exported so; "
        "its organization 'OpenAI' is kept in bibtex:"
    ]


def test_an_invalid_key_is_replaced_by_the_library_scheme() -> None:
    # doe+2021 is a key since issue 11; biber cannot read a ' in one
    draft, _ = _draft("title = {Great Paper}, author = {Doe, Jane}, year = {2021}", key="doe'2021")
    assert draft.key.startswith("doe2021")


@pytest.mark.parametrize(
    ("fields", "title", "year", "raw", "note"),
    [
        (
            "author = {Doe, Jane}, year = {2020}",
            None,
            2020,
            {},
            "no title: imported without one (the page shows the id, the export has none)",
        ),
        (
            "title = {T}, author = {Plato}, year = {400 BC}",
            "T",
            None,
            {"year": "400 BC"},
            "year '400 BC' is not a four-digit year: imported with no year, "
            "and bibtex: year keeps '400 BC' (shown and exported as written)",
        ),
        (
            "title = {T}, author = {Doe, Jane}, year = {forthcoming}",
            "T",
            None,
            {"year": "forthcoming"},
            "year 'forthcoming' is not a four-digit year: imported with no year, "
            "and bibtex: year keeps 'forthcoming' (shown and exported as written)",
        ),
        (
            "title = {T}, author = {Doe, Jane}",
            "T",
            None,
            {},
            "no year: imported without one (shown as n.d., exported with no year)",
        ),
        (
            "title = {T}, author = {Doe, Jane}, year = {2020}, journal.name = {J}",
            "T",
            2020,
            {},
            "field 'journal.name' dropped: notes take field names of letters, digits, _ -",
        ),
    ],
)
def test_entries_a_note_cannot_hold_as_written_are_kept_with_a_remark(
    fields: str, title: str | None, year: int | None, raw: dict[str, str], note: str
) -> None:
    draft, notes = _draft(fields)
    assert (draft.title, draft.year) == (title, year)
    assert note in notes
    kept = dict(draft.bibtex)
    assert {k: kept[k] for k in raw} == raw
    assert "journal.name" not in kept
    assert "year" in kept or "year" not in raw


@pytest.mark.parametrize(
    ("month", "kept"),
    [
        ("jul", "7"),
        ("{July}", "7"),
        ("{7}", "7"),
        ("{09}", "9"),
        ("{Sept.}", "9"),
        ("{Summer}", "Summer"),
    ],
)
def test_months_are_kept_as_numbers(month: str, kept: str) -> None:
    draft, _ = _draft(f"title = {{T}}, author = {{Doe, Jane}}, year = {{2020}}, month = {month}")
    assert dict(draft.bibtex)["month"] == kept


def test_tex_escaped_dois_and_urls_are_plain_and_not_kept_raw() -> None:
    draft, _ = _draft(
        "title = {T}, author = {Doe, Jane}, year = {2020}, doi = {10.1000/a\\_b},"
        " url = {\\url{https://x.org/a\\_b\\%20}}"
    )
    assert (draft.doi, draft.url) == ("10.1000/a_b", "https://x.org/a_b%20")
    assert "doi" not in dict(draft.bibtex)


def test_month_number_reads_macros_names_and_numbers() -> None:
    assert [month_number(m) for m in ("jan", "December", "12", "13", "")] == [
        "1",
        "12",
        "12",
        None,
        None,
    ]


def test_tex_quotes_in_a_kept_field_become_the_quotes_they_stand_for() -> None:
    # A lab's .bib writes ``free search'' in an abstract or note: kept as it is, a plain
    # bibtex: field would be read back as TeX-looking text, and warned about on every build.
    draft, _ = _draft(
        "title = {T}, author = {Roe, Ann}, year = {1990},"
        " note = {Special issue on ``Program Generation''}"
    )
    kept = dict(draft.bibtex)
    assert kept == {"note": "Special issue on “Program Generation”"}
    text = render_note(draft)
    assert check_note("papers/smith2020x.md", text) == ()

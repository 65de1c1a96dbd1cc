"""bib.entry holds what pybtex's Entry and Person would: the same words by part, the same text,
the same case-insensitive fields (it replaces them on export so an edit build never imports
pybtex, which the tests compare it against here)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pybtex.bibtex import utils
from pybtex.database import Entry as PybtexEntry
from pybtex.database import Person as PybtexPerson

from papernotes.bib.entry import (
    Entry,
    Person,
    from_pybtex,
    parse_name,
    split_name_list,
    split_tex_string,
)

# The characters that matter to splitting: braces, spaces, "~", "\", commas and "and".
_TEX = st.lists(
    st.sampled_from([*"ab {}~\\ ,\t\nAé", " and ", "AND ", "\\ ", "\\~"]), max_size=12
).map("".join)


@given(_TEX, st.sampled_from([None, ",", " [Aa][Nn][Dd] "]))
def test_split_tex_string_is_pybtex_s(text: str, sep: str | None) -> None:
    expected = utils.split_tex_string(text) if sep is None else utils.split_tex_string(text, sep)
    assert split_tex_string(text, sep) == expected


@given(_TEX)
def test_split_name_list_is_pybtex_s(text: str) -> None:
    assert split_name_list(text) == utils.split_name_list(text)


@given(_TEX, _TEX, _TEX, _TEX, _TEX)
def test_a_person_is_pybtex_s(first: str, middle: str, prelast: str, last: str, jr: str) -> None:
    parts = {"first": first, "middle": middle, "prelast": prelast, "last": last, "lineage": jr}
    ours, theirs = Person(**parts), PybtexPerson(**parts)
    assert str(ours) == str(theirs)
    assert from_pybtex(theirs) == ours
    assert ours.last_names == theirs.last_names and ours.first_names == theirs.first_names


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        ({"last": "others"}, "others"),
        ({"first": "Edward J.", "last": "Hu"}, "Hu, Edward J."),
        ({"first": "Ludwig", "prelast": "van", "last": "{Beethoven}"}, "van {Beethoven}, Ludwig"),
        ({"first": "John", "last": "Doe", "lineage": "Jr"}, "Doe, Jr, John"),
        ({"last": "{Acme, Inc.}"}, "{Acme, Inc.}"),
    ],
)
def test_a_person_reads_as_bibtex(parts: dict[str, str], text: str) -> None:
    assert str(Person(**parts)) == text == str(PybtexPerson(**parts))


def test_fields_compare_ignoring_case_and_keep_their_place() -> None:
    ours = Entry("InProceedings", fields={"Title": "T", "year": "2020"})
    theirs = PybtexEntry("InProceedings", fields={"Title": "T", "year": "2020"})
    for entry in (ours, theirs):
        entry.fields["TITLE"] = "U"
        entry.fields["note"] = "n"
        del entry.fields["YEAR"]
    assert (ours.type, ours.original_type) == (theirs.type, theirs.original_type)
    assert (
        list(ours.fields.items()) == list(theirs.fields.items()) == [("TITLE", "U"), ("note", "n")]
    )
    assert "title" in ours.fields and ours.fields.get("Note") == "n" and 1 not in ours.fields
    assert ours == Entry("inproceedings", fields={"TITLE": "U", "note": "n"}) != theirs


def test_an_entry_s_persons_are_by_role_ignoring_case() -> None:
    people = [Person(first="A", last="B")]
    entry = Entry("article", persons={"Author": people})
    assert entry.persons["author"] is people and list(entry.persons) == ["Author"]
    assert entry != Entry("article", persons={"Author": [Person(last="B")]})


# Names: letters of either case (and uncased), braces, commas, spaces and "~".
_NAME = st.lists(
    st.sampled_from([*"aBé É{},,~ 1-", "van ", "De ", "{\\'e}", "\\ss ", "Jr"]), max_size=14
).map("".join)


@given(_NAME)
def test_parse_name_is_pybtex_s(text: str) -> None:
    try:
        expected = PybtexPerson(text)
    except Exception:  # pybtex's own rejections (too many commas) are its to make
        return
    if text.strip():
        assert parse_name(text) == from_pybtex(expected)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Houlsby, Neil", (["Neil"], [], [], ["Houlsby"], [])),
        ("Ludwig van Beethoven", (["Ludwig"], [], ["van"], ["Beethoven"], [])),
        ("de la Fontaine, Jr., Jean", (["Jean"], [], ["de", "la"], ["Fontaine"], ["Jr."])),
        ("Avinash K. Dixit", (["Avinash"], ["K."], [], ["Dixit"], [])),
        ("{Barnes and Noble}", ([], [], [], ["{Barnes and Noble}"], [])),
        ("Jastrzębski, Stanisław", (["Stanisław"], [], [], ["Jastrzębski"], [])),
        ("{von} Neumann, John", (["John"], [], [], ["{von}", "Neumann"], [])),
    ],
)
def test_parse_name_reads_bibtex_s_forms(text: str, parts: tuple[list[str], ...]) -> None:
    person = parse_name(text)
    got = (person.first_names, person.middle_names, person.prelast_names)
    assert (*got, person.last_names, person.lineage_names) == parts
    assert from_pybtex(PybtexPerson(text)) == person

"""Drafting a note from fetched metadata: arXiv alone, a DOI record, or both."""

from __future__ import annotations

import datetime as dt

import pytest

from papernotes.fetch.arxiv import ArxivRecord
from papernotes.fetch.crossref import Name, Work
from papernotes.notes.draft import Sources, author_string, draft_note, pages_range
from papernotes.notes.file import check_note, render_note

LORA = ArxivRecord(
    ident="2106.09685",
    version="v2",
    title="LoRA: Low-Rank Adaptation of Large Language Models",
    authors=("Edward J. Hu", "Yelong Shen"),
    summary="We propose LoRA.",
    published=dt.date(2021, 6, 17),
    updated=dt.date(2021, 10, 16),
    primary_category="cs.CL",
)
ACL = Work(
    doi="10.18653/v1/2020.acl-main.1",
    source="crossref",
    entry_type="inproceedings",
    title="A Paper at ACL",
    authors=(Name(family="Smith", given="John"), Name(literal="The BigScience Workshop")),
    year=2020,
    container="Proceedings of the 58th Annual Meeting of the ACL",
    event_acronym="ACL 2020",
    event_location="Online",
    pages="1–10",
)


def test_an_arxiv_record_alone() -> None:
    draft = draft_note(Sources(arxiv=LORA), taken=set(), version="v2")
    assert draft.key.startswith("hu2021")
    assert (draft.title, draft.year, draft.authors) == (LORA.title, 2021, LORA.authors)
    assert draft.arxiv == "2106.09685v2"
    assert draft.pdf == "https://arxiv.org/pdf/2106.09685v2"
    assert draft.url == "https://arxiv.org/abs/2106.09685"
    assert draft.bibtex == (("primaryClass", "cs.CL"),)
    assert (draft.status, draft.abstract, draft.entry_type) == ("to-read", "We propose LoRA.", None)
    assert check_note(f"papers/{draft.key}.md", render_note(draft)) == ()


def test_a_taken_key_is_not_reused() -> None:
    first = draft_note(Sources(arxiv=LORA), taken=set())
    second = draft_note(Sources(arxiv=LORA), taken={first.key})
    assert second.key != first.key and second.key.startswith("hu2021")


def test_an_acl_work_gets_its_venue_fields_and_the_anthology_pdf() -> None:
    draft = draft_note(Sources(work=ACL), taken=set(), cites=("x2019",))
    assert draft.entry_type == "inproceedings"
    assert draft.venue == "ACL 2020"
    assert draft.doi == ACL.doi
    assert draft.url == "https://doi.org/" + ACL.doi
    assert draft.pdf == "https://aclanthology.org/2020.acl-main.1.pdf"
    assert draft.authors == ("John Smith", "{The BigScience Workshop}")
    assert dict(draft.bibtex) == {
        "booktitle": ACL.container,
        "pages": "1--10",
        "address": "Online",
    }
    assert draft.cites == ("x2019",)


def test_the_work_wins_over_the_preprint_but_keeps_its_arxiv_id() -> None:
    draft = draft_note(Sources(arxiv=LORA, work=ACL), taken=set())
    assert draft.title == ACL.title
    assert draft.arxiv == "2106.09685"
    assert draft.key.startswith("smith2021")  # the key's year is the arXiv id's


def test_nothing_to_draft_from_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs an arXiv record or a DOI record"):
        draft_note(Sources(), taken=set())


@pytest.mark.parametrize(
    ("name", "written"),
    [
        (Name(family="Smith", given="John"), "John Smith"),
        (Name(family="van der Berg", given="Anna"), "Anna van der Berg"),
        (Name(family="Ferreira da Silva", given="Rafael"), "Ferreira da Silva, Rafael"),
        (Name(family="A and B", given="C"), "{A and B}, C"),  # "and" would split it in two
        (Name(family="张", given="三"), "张 三"),
        (Name(literal="OpenAI"), "{OpenAI}"),
    ],
)
def test_author_string_reads_back_to_the_same_parts(name: Name, written: str) -> None:
    assert author_string(name) == written


@pytest.mark.parametrize(
    ("pages", "bibtex"),
    [("320-335", "320--335"), ("320–335", "320--335"), ("e12 - e19", "e12--e19"), (" 17 ", "17")],
)
def test_pages_range(pages: str, bibtex: str) -> None:
    assert pages_range(pages) == bibtex

"""Is this paper already in the library? By arXiv id, DOI, then a near-identical title."""

from __future__ import annotations

import pytest

from papernotes.model import CiteKey
from papernotes.notes.match import Match, NoteIndex, normalize_title

INDEX = NoteIndex(
    [
        (CiteKey("hu2021"), "papers/hu.md", "2106.09685v2", None, "LoRA: Low-Rank Adaptation"),
        (CiteKey("devlin2019"), "papers/bert.md", None, "10.18653/V1/N19-1423", "BERT"),
        (CiteKey("zh2023"), "papers/zh.md", None, None, "大语言模型综述"),
    ]
)


@pytest.mark.parametrize(
    ("arxiv", "doi", "title", "expected"),
    [
        ("2106.09685", None, None, Match("hu2021", "papers/hu.md", "same arXiv id 2106.09685")),
        ("arXiv:2106.09685v1", None, None, None),  # the prefix is the caller's to strip
        (
            None,
            "10.18653/v1/n19-1423",
            None,
            Match("devlin2019", "papers/bert.md", "same DOI 10.18653/v1/n19-1423"),
        ),
        (
            None,
            None,
            "LoRA: low-rank adaptation",
            Match("hu2021", "papers/hu.md", 'near-identical title "LoRA: Low-Rank Adaptation"'),
        ),
        (
            None,
            None,
            "LoRA - Low Rank Adaptations",
            Match("hu2021", "papers/hu.md", 'near-identical title "LoRA: Low-Rank Adaptation"'),
        ),
        (
            None,
            None,
            "大语言模型综述",
            Match("zh2023", "papers/zh.md", 'near-identical title "大语言模型综述"'),
        ),
        (None, None, "QLoRA: Efficient Finetuning", None),
        ("9999.99999", "10.1/none", "???", None),
    ],
)
def test_find(
    arxiv: str | None, doi: str | None, title: str | None, expected: Match | None
) -> None:
    assert INDEX.find(arxiv, doi, title) == expected


@pytest.mark.parametrize(
    ("title", "normal"),
    [
        ("LoRA: Low-Rank  Adaptation", "lora low rank adaptation"),
        ("Café Naïve", "cafe naive"),
        ("大语言模型：综述", "大语言模型 综述"),
        ("!!!", ""),
    ],
)
def test_normalize_title(title: str, normal: str) -> None:
    assert normalize_title(title) == normal


def test_added_papers_are_found_and_match_all_keeps_order_once() -> None:
    index = NoteIndex([])
    index.add(CiteKey("a"), "a.md", None, "10.1/a", "First")
    index.add(CiteKey("b"), "b.md", "2001.00001", None, "Second")
    assert index.keys == {"a", "b"}
    papers = [("2001.00001", "", ""), ("", "10.1/A", ""), ("", "", "Second"), ("", "", "nope")]
    assert index.match_all(papers) == ("b", "a")
    assert index.match_all(papers, exclude=["B"]) == ("a",)

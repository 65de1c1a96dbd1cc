"""What a graph node says (papernotes.graph.labels): author and year, fitted to the node, and
distinct from the nodes drawn beside it; graph.js follows the same rules
(test_graph_details_browser holds it to them)."""

from __future__ import annotations

import pytest

from papernotes.graph.labels import (
    distinct_labels,
    fit_label,
    node_parts,
    short_title,
    title_word,
)
from papernotes.graph.layout import GEOMETRY
from papernotes.graph.svg import text_width

ROOM = GEOMETRY.node_w - 12


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Hu et al., 2021", "Hu et al. 2021"),
        ("Liu et al., 2021b", "Liu et al. 2021b"),  # the library's own letter stays
        ("Smith (ed.), 2020", "Smith (ed.) 2020"),
        ("OpenAI, n.d.", "OpenAI n.d."),
        ("Dettmers et al., 2023", "Dettmers… 2023"),  # cut at a word, not on "et"
        ("Vaswani and Shazeer, 2017", "Vaswani… 2017"),
        ("Wolfeschlegelsteinhausen et al., 2020", "Wolfeschleg… 2020"),  # within a word
        ("Anonymous", "Anonymous"),  # no year: the names, whole
    ],
)
def test_a_label_keeps_its_year_and_fits_the_node(label: str, shown: str) -> None:
    who, tail = node_parts(label)
    assert fit_label(who, tail, ROOM) == shown
    assert text_width(shown) <= ROOM


@pytest.mark.parametrize(
    ("title", "short", "word"),
    [
        ("LoRA: Low-Rank Adaptation of Large Language Models", "LoRA", "LoRA"),
        ("Attention Is All You Need", "Attention Is All You Need", "Attention"),
        (
            "Training language models to follow instructions with human feedback",
            "Training language models to follow…",
            "Training",
        ),
        (
            "On the Opportunities and Risks of Foundation Models",
            "On the Opportunities and Risks of…",
            "Opportunities",
        ),
        ("A: b", "A: b", "b"),  # a one-letter "head" is no short title
    ],
)
def test_short_titles_and_the_word_that_tells_papers_apart(
    title: str, short: str, word: str
) -> None:
    assert short_title(title) == short
    assert title_word(title) == word


@pytest.mark.parametrize(
    ("labels", "titles", "shown"),
    [
        (  # distinct already: untouched
            ["Hu et al., 2021", "Hu et al., 2022"],
            ["LoRA: x", "Other"],
            ("Hu et al. 2021", "Hu et al. 2022"),
        ),
        (  # names cut to the same text: a title word sets them apart
            ["Wolfeschlegelsteinhausen et al., 2020", "Wolfeschlegelsteinhausenberg, 2020"],
            ["LoRA: x", "QLoRA: y"],
            ("Wolfe… 2020 LoRA", "Wolf… 2020 QLoRA"),
        ),
        (  # the same word too: then a letter, in drawing order
            ["Wolfeschlegelsteinhausen et al., 2020", "Wolfeschlegelsteinhausenberg, 2020"],
            ["LoRA: x", "LoRA: y"],
            ("Wolf… 2020 LoRA a", "Wolf… 2020 LoRA b"),
        ),
    ],
)
def test_labels_drawn_together_never_read_the_same(
    labels: list[str], titles: list[str], shown: tuple[str, ...]
) -> None:
    assert distinct_labels(labels, titles, ROOM) == shown
    assert len(set(shown)) == len(shown)
    assert all(text_width(s) <= ROOM for s in shown)

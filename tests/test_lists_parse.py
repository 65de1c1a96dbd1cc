"""Reading list files as written: front matter, sections, entries with their lines, and the
problems a list file can have."""

from __future__ import annotations

import pytest

from papernotes.errors import Severity
from papernotes.lists.parse import ListEntry, parse_list

LIST = """---
title: The GPT line
series: true
---
Why this list.

## Pre-training
The first models.

- [[radford2018improving]] the first one
  continued on a second line
- [@radford2019language]: after a colon
* [[brown2020language|GPT-3]] — after a dash

## Alignment
1. [[ouyang2022training#Method]]
2) [[openai2022introducing]]

A closing paragraph of the section.
"""


def test_a_list_keeps_its_sections_entries_lines_and_commentary() -> None:
    reading, diags = parse_list("papers/lists/gpt.md", LIST)
    assert diags == ()
    assert reading is not None
    assert (reading.title, reading.stem, reading.series) == ("The GPT line", "gpt", True)
    assert reading.intro == "Why this list."
    assert [s.title for s in reading.sections] == ["Pre-training", "Alignment"]
    assert reading.sections[0].intro == "The first models."
    assert reading.sections[0].entries == (
        ListEntry("radford2018improving", 10, 3, "the first one\ncontinued on a second line"),
        ListEntry("radford2019language", 12, 3, "after a colon"),
        ListEntry("brown2020language", 13, 3, "after a dash"),
    )
    assert reading.sections[1].entries == (
        ListEntry("ouyang2022training", 16, 4, ""),
        ListEntry("openai2022introducing", 17, 4, ""),
    )
    assert reading.sections[1].intro == "A closing paragraph of the section."
    assert [e.target for e in reading.entries][-1] == "openai2022introducing"


@pytest.mark.parametrize(
    ("text", "title", "series", "targets"),
    [
        ("---\n---\n- [[a]]\n", "mine", False, ["a"]),  # the title defaults to the stem
        ("- [[a]]\n", "mine", False, ["a"]),  # no front matter at all
        ("---\ntitle: T\nseries: false\n---\n- [[a]]\n- [@b]\n", "T", False, ["a", "b"]),
        # Items in a fenced block are code, not papers.
        ("---\ntitle: T\n---\n```\n- [[x]]\n```\n- [[a]]\n", "T", False, ["a"]),
        # An item before any heading goes to an unnamed first section.
        ("---\ntitle: T\n---\n- [[a]]\n## S\n- [[b]]\n", "T", False, ["a", "b"]),
        # "# Title" (level 1) is text, not a section.
        ("---\ntitle: T\n---\n# Big\n- [[a]]\n", "T", False, ["a"]),
    ],
)
def test_list_shapes(text: str, title: str, series: bool, targets: list[str]) -> None:
    reading, _ = parse_list("papers/lists/mine.md", text)
    assert reading is not None
    assert (reading.title, reading.series) == (title, series)
    assert [e.target for e in reading.entries] == targets


@pytest.mark.parametrize(
    ("text", "severity", "line", "message"),
    [
        ("---\ntitle: T\n---\n- just a thought\n- [[a]]\n", Severity.WARNING, 4, "names no paper"),
        ("---\ntitle: T\n---\nNo items at all.\n", Severity.WARNING, 1, "names no paper"),
        ("---\ntitle: T\nseries: maybe\n---\n- [[a]]\n", Severity.WARNING, 3, "series:"),
        ("---\ntitle: [unclosed\n---\n", Severity.ERROR, 3, "not valid YAML"),
    ],
)
def test_list_problems_name_the_line(
    text: str, severity: Severity, line: int, message: str
) -> None:
    _, diags = parse_list("papers/lists/bad.md", text)
    assert len(diags) == 1
    (d,) = diags
    assert d.severity is severity
    assert (d.where.path, d.where.line) == ("papers/lists/bad.md", line)
    assert message in d.message

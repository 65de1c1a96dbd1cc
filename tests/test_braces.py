"""BibTeX brace scanning (papernotes.bib.braces), and the callers that now share it."""

from __future__ import annotations

import pytest

from papernotes.bib.braces import balanced, brace_error, depths, group_end, is_one_group
from papernotes.bib.names import split_authors
from papernotes.bib.split import split_bib, without_comments
from papernotes.bib.unlatex import unwrap_group

# text, brace_error (None when balanced)
BALANCE = [
    ("", None),
    ("plain", None),
    ("{BERT}: Pre-training", None),
    ("{{nested} groups}", None),
    ("\\{escaped\\}", None),  # BibTeX counts escaped braces: these two match
    ("\\{", "1 unclosed '{'"),  # so a lone escaped brace is unbalanced
    ("a}", "unmatched '}' at character 2"),
    ("}{", "unmatched '}' at character 1"),
    ("{a}}{", "unmatched '}' at character 4"),
    ("{{a}", "1 unclosed '{'"),
    ("{{{", "3 unclosed '{'"),
    ("\\}", "unmatched '}' at character 2"),
]


@pytest.mark.parametrize(("text", "problem"), BALANCE)
def test_brace_error(text: str, problem: str | None) -> None:
    assert brace_error(text) == problem
    assert balanced(text) is (problem is None)


# text, start, group_end
GROUPS = [
    ("{a}", 0, 3),
    ("{a} rest", 0, 3),
    ("x{a{b}c}y", 1, 8),
    ("x{a{b}c}y", 3, 6),
    ("{\\{}", 0, -1),  # the escaped brace opens a level
    ("{\\{}}", 0, 5),
    ("{open", 0, -1),
    ("{}", 0, 2),
]


@pytest.mark.parametrize(("text", "start", "end"), GROUPS)
def test_group_end(text: str, start: int, end: int) -> None:
    assert group_end(text, start) == end


# text, is exactly one group
ONE_GROUP = [
    ("{OpenAI}", True),
    ("{{A} {B}}", True),
    ("{A} {B}", False),
    ("{A}x", False),
    ("x{A}", False),
    ("{A", False),
    ("{}", True),
    ("", False),
]


@pytest.mark.parametrize(("text", "want"), ONE_GROUP)
def test_is_one_group(text: str, want: bool) -> None:
    assert is_one_group(text) is want
    assert (unwrap_group(text) is not None) is want


def test_depths_reports_the_level_after_each_character() -> None:
    assert [d for _, _, d in depths("a{b{c}}}")] == [0, 1, 1, 2, 2, 1, 0, -1]
    assert [i for i, _, _ in depths("abc", 1)] == [1, 2]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("A and B", ["A", "B"]),
        ("{Barnes and Noble} and C", ["{Barnes and Noble}", "C"]),
        ("{A {and} B} and C", ["{A {and} B}", "C"]),
    ],
)
def test_names_split_only_at_the_top_level(value: str, names: list[str]) -> None:
    assert split_authors(value) == names


@pytest.mark.parametrize(
    ("text", "closed", "kept"),
    [
        ("@article{k, title={A {B} C}}\n", True, "@article{k, title={A {B} C}}"),
        ("@article(k, title={x)})", True, "@article(k, title={x)})"),
        ("@article{k, title={A}\n@book{b,}", False, "@article{k, title={A}\n"),
    ],
)
def test_split_bib_closes_blocks_by_depth(text: str, closed: bool, kept: str) -> None:
    first = split_bib(text)[0]
    assert (first.complete, first.text) == (closed, kept)


def test_a_commented_out_field_neither_opens_nor_closes_a_block() -> None:
    # As biber reads it: "%" between fields comments out the rest of its line.
    text = '@misc{k,\n  %eprint = {https://x.org/a.pdf",\n  title = {T},\n}\n@misc{m, title={U}}'
    blocks = split_bib(text)
    assert [(b.key, b.complete) for b in blocks] == [("k", True), ("m", True)]


def test_an_entry_commented_out_line_by_line_is_no_block() -> None:
    text = "%@misc{maxima,\n%  title = {Old},\n% }\n\n@misc{maxima,\n  title = {New},\n}\n"
    blocks = split_bib(text)
    assert [(b.key, b.line) for b in blocks] == [("maxima", 5)]


@pytest.mark.parametrize(
    ("block", "plain"),
    [
        (
            "@article{k,\n  % abstract = {A {nested} one},\n  title = {50% off},\n}",
            "@article{k,\n  \n  title = {50% off},\n}",
        ),
        (
            '@article{k, title = "50% off", % why\n year = 2020}',
            '@article{k, title = "50% off", \n year = 2020}',
        ),
        ("@article(k, note = {a}, %x\n year = 2020)", "@article(k, note = {a}, \n year = 2020)"),
        ("@article{k, title = {No comment}}", "@article{k, title = {No comment}}"),
    ],
)
def test_without_comments_keeps_every_line_and_every_value(block: str, plain: str) -> None:
    assert without_comments(block) == plain

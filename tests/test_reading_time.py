"""Reading time (markdown/reading.py): what each kind of content counts for, the minutes a
page shows, and that an edit's new reading time is the same built incrementally, served from
memory and built clean."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.build import build
from papernotes.cjk import CJK_RANGES
from papernotes.config import load_config
from papernotes.incremental.session import Session
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
from papernotes.markdown.reading import (
    CJK_PER_MINUTE,
    WORDS_PER_MINUTE,
    count_text,
    minutes,
)

from conftest import copy_bundled, note_text, write_note

MD = make_parser()


def _seconds(body: str) -> int:
    return parse_body(MD, body).reading_seconds


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("The authors’ update doesn’t touch W.", (6, 0)),
        ("low-rank, rank-4 and 175B", (4, 0)),
        ("训练时冻结权重。", (0, 7)),  # seven characters; the full stop is not one
        ("冻结 W0 的权重", (1, 5)),
        ("— *** 42 …", (1, 0)),
        ("", (0, 0)),
    ],
)
def test_words_and_cjk_characters(text: str, counts: tuple[int, int]) -> None:
    assert count_text(text) == counts  # (words, CJK characters)


@pytest.mark.parametrize(
    ("body", "seconds"),
    [
        (" ".join(["word"] * WORDS_PER_MINUTE) + "\n", 60),
        ("注" * CJK_PER_MINUTE + "\n", 60),
        ("word " * 115 + "\n\n" + "注" * 200 + "\n", 60),  # half a minute of each
        # Code: 3 s a non-blank line, however long; its words are not prose.
        ("```python\n" + "x = call(a, b, c, d, e, f)\n\n" * 10 + "```\n", 30),
        ("    indented = code\n    second = line\n", 6),
        ("```mermaid\ngraph TD\n  A --> B\n```\n", 12),  # a diagram is a figure
        ("```math\nE = mc^2\n```\n", 10),
        ("$$\n\\sum_{i=1}^{n} x_i^2 + \\frac{a}{b}\n$$\n", 10),  # not its TeX words
        ("$a$ $b$ $c$ $d$ $e$ $f$\n", 6),
        ("![A curve](fig.png)\n", 12),
        # A citation reads as its label, two words a key: 4 words here, plus "See".
        ("See [@hu2021lora; @li2021prefix].\n" * 46, round(46 * 5 * 60 / WORDS_PER_MINUTE)),
        ("", 0),
    ],
)
def test_what_each_kind_of_content_counts_for(body: str, seconds: int) -> None:
    assert _seconds(body) == seconds


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, 0), (1, 1), (29, 1), (89, 1), (90, 2), (389, 6), (391, 7), (3600, 60)],
)
def test_minutes_shown(seconds: int, shown: int) -> None:
    assert minutes(seconds) == shown


def test_a_parsed_body_says_its_minutes() -> None:
    body = parse_body(MD, " ".join(["word"] * (WORDS_PER_MINUTE * 6)) + "\n")
    assert (body.reading_seconds, body.reading_minutes) == (360, 6)


def test_the_bundled_notes_take_minutes_not_hours(tmp_path: Path) -> None:
    from papernotes.cli.main import main

    root = copy_bundled(tmp_path / "lib")
    out = tmp_path / "site"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    shown = {}
    for page in (out / "papers").glob("*.html"):
        found = re.search(r'<span class="reading-time">(\d+) min read</span>', page.read_text())
        if found:
            shown[page.stem] = int(found[1])
    assert len(shown) > 20
    assert all(1 <= m <= 30 for m in shown.values()), shown
    assert shown["hu2021lora"] >= 5  # a long note, mostly in Chinese, with code and formulas


def _site(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _reading_time(site: Path) -> str:
    found = re.search(r'class="reading-time">([^<]*)<', (site / "papers/ra.html").read_text())
    assert found is not None
    return found[1]


def test_an_edit_shows_its_new_reading_time_incrementally_served_and_clean(tmp_path: Path) -> None:
    short = "A short note.\n"
    long = " ".join(["word"] * (WORDS_PER_MINUTE * 7)) + "\n\n" + "注" * CJK_PER_MINUTE + "\n"
    built, served, clean = (tmp_path / name for name in ("built", "served", "clean"))
    for root in (built, served):
        write_note(root, "ra.md", note_text("Reading", extra="id: ra\n", body=short))
    config, _ = load_config(built)
    build(built, config, out=built / "site")
    session = Session(served, served / "site")
    assert session.build().errors == 0
    assert _reading_time(built / "site") == _reading_time(served / "site") == "1 min read"
    for root in (built, served):
        write_note(root, "ra.md", note_text("Reading", extra="id: ra\n", body=long))
    assert not build(built, config, out=built / "site").up_to_date  # from the cache
    session.invalidate({str((served / "papers" / "ra.md").resolve())})
    assert session.build().errors == 0
    shutil.copytree(built / "papers", clean / "papers")
    build(clean, config, out=clean / "site", use_cache=False)
    assert _reading_time(clean / "site") == "8 min read"
    assert _site(built / "site") == _site(clean / "site") == _site(served / "site")


_CJK_CHAR = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in CJK_RANGES) + "]")


def _count_by_character(text: str) -> tuple[int, int]:
    """count_text as it was: each CJK character replaced by a space on its own."""
    rest, cjk = _CJK_CHAR.subn(" ", text)
    return len(re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", rest)), cjk


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "训练",
                "权",
                "。",
                "（",
                "ｗ",
                "a",
                "don",
                "'",
                "’",
                "-",
                " ",
                "\n",
                "W0",
                "_",
                "𠀀",
                "한국어",
                "かな",
                "é",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_counting_cjk_runs_counts_as_character_by_character(text: str) -> None:
    assert count_text(text) == _count_by_character(text)

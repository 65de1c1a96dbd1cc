"""New note files: the YAML they hold, their names, and never overwriting one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from papernotes.model import CiteKey
from papernotes.notes.file import (
    NoteDraft,
    NoteExists,
    check_note,
    note_name,
    relative,
    render_note,
    skeleton,
    write_new,
)

DRAFT = NoteDraft(
    key=CiteKey("hu2021lora"),
    title="LoRA: Low-Rank Adaptation of Large Language Models",
    authors=("Edward J. Hu", "Yelong Shen"),
    year=2021,
    arxiv="2106.09685",
    cites=("vaswani2017attention",),
    abstract="A long abstract. " * 10,
    bibtex=(("note", "short"),),
    body="## Summary\n\nText.",
)


def _front(text: str) -> dict[str, object]:
    _, front, _ = text.split("---\n", 2)
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data


def test_render_note_writes_the_fields_in_order_and_drops_empty_ones() -> None:
    text = render_note(DRAFT)
    data = _front(text)
    assert list(data) == ["id", "title", "authors", "year", "arxiv", "cites", "abstract", "bibtex"]
    assert data["arxiv"] == "2106.09685"  # quoted, so YAML keeps it a string
    assert isinstance(data["abstract"], str)
    assert data["abstract"].split() == (DRAFT.abstract or "").split()  # folded, words intact
    assert text.endswith("---\n\n## Summary\n\nText.\n")
    assert check_note("papers/hu2021lora.md", text) == ()


def test_an_arxiv_id_that_looks_like_a_number_stays_a_string() -> None:
    text = render_note(NoteDraft(CiteKey("k"), "T", ("A B",), 2020, arxiv="1706.03762"))
    assert _front(text)["arxiv"] == "1706.03762"
    assert render_note(NoteDraft(CiteKey("k"), "T", ("A B",), 2020)).endswith("year: 2020\n---\n")


def test_skeleton_is_a_body_in_the_note_language() -> None:
    assert skeleton("en") != skeleton("zh-CN")
    assert skeleton("en").startswith("## ")


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("hu2021lora", "hu2021lora.md"),
        ("arXiv:2106.09685", "arXiv_2106.09685.md"),
        ("a/b\\c*d", "a_b_c_d.md"),
        ("CON", "CON_.md"),
        ("nul.txt", "nul_.txt.md"),
    ],
)
def test_note_name(key: str, name: str) -> None:
    assert note_name(key) == name


def test_write_new_creates_and_then_refuses(tmp_path: Path) -> None:
    path = tmp_path / "papers" / "a.md"
    write_new(path, "first\n")
    with pytest.raises(NoteExists, match="never overwrites"):
        write_new(path, "second\n")
    assert path.read_text(encoding="utf-8") == "first\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.md"]  # no temp file left


def test_relative_paths_for_messages(tmp_path: Path) -> None:
    assert relative(tmp_path / "papers" / "a.md", tmp_path) == "papers/a.md"
    assert relative(Path("/elsewhere/a.md"), tmp_path) == "/elsewhere/a.md"

"""``papernotes init``: a new library that builds, and never a touched file of an old one."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.notes.file import check_note
from papernotes.notes.scaffold import CACHE_LINE, GITIGNORE_LINE, InitRefused, init_library


def test_a_new_library_has_config_an_example_note_and_a_gitignore(tmp_path: Path) -> None:
    target = tmp_path / "lib"
    created = init_library(target)
    assert [p.relative_to(target).as_posix() for p in created] == [
        "papernotes.yaml",
        "papers/vaswani2017attention.md",
        ".gitignore",
    ]
    lines = (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert GITIGNORE_LINE in lines and CACHE_LINE in lines
    example = created[1]
    assert check_note("papers/" + example.name, example.read_text(encoding="utf-8")) == ()


@pytest.mark.parametrize("existing", ["papernotes.yaml", "papers"])
def test_an_existing_library_is_refused_untouched(tmp_path: Path, existing: str) -> None:
    if existing == "papers":
        (tmp_path / "papers").mkdir()
    else:
        (tmp_path / existing).write_text("x", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InitRefused, match="already exists"):
        init_library(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_existing_gitignore_gains_only_the_missing_lines(tmp_path: Path) -> None:
    gitignore = tmp_path / ".gitignore"
    gitignore.write_text(f"*.pyc\n{GITIGNORE_LINE}\n", encoding="utf-8")
    created = init_library(tmp_path)
    lines = gitignore.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["*.pyc", GITIGNORE_LINE]
    assert lines.count(GITIGNORE_LINE) == 1 and lines.count(CACHE_LINE) == 1
    assert gitignore in created


def test_a_complete_gitignore_is_left_alone(tmp_path: Path) -> None:
    gitignore = tmp_path / ".gitignore"
    text = f"{GITIGNORE_LINE}\n{CACHE_LINE}\n"
    gitignore.write_text(text, encoding="utf-8")
    assert gitignore not in init_library(tmp_path)
    assert gitignore.read_text(encoding="utf-8") == text

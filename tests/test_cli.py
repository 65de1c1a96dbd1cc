from __future__ import annotations

from pathlib import Path

import pytest
from pybtex.database import parse_string

from conftest import copy_fixture, note_text, write_note


def test_init_creates_a_library_that_builds_without_warnings(tmp_path: Path, cli) -> None:
    lib = tmp_path / "notes"
    result = cli("init", str(lib))
    assert result.code == 0, result.err
    assert (lib / "papernotes.yaml").is_file()
    assert "/site/" in (lib / ".gitignore").read_text(encoding="utf-8").splitlines()
    [example] = list((lib / "papers").glob("*.md"))
    built = cli("build", "--root", str(lib), "--strict")
    assert built.code == 0, built.err
    assert built.err == ""
    assert "0 warnings" in built.out
    assert (lib / "site" / "papers" / f"{example.stem}.html").is_file()


def test_init_never_overwrites(tmp_path: Path, cli) -> None:
    assert cli("init", str(tmp_path)).code == 0
    note = next((tmp_path / "papers").glob("*.md"))
    note.write_text("my own words", encoding="utf-8")
    result = cli("init", str(tmp_path))
    assert result.code == 1
    assert "already exists" in result.err
    assert note.read_text(encoding="utf-8") == "my own words"


def test_usage_errors_exit_2(cli) -> None:
    assert cli("build", "--no-such-flag").code == 2
    assert cli().code == 2
    assert cli("bib", "--status", "finished").code == 2


def test_every_command_explains_itself(cli) -> None:
    for command in ("build", "bib", "init"):
        result = cli(command, "--help")
        assert result.code == 0
        assert "usage: papernotes " + command in result.out
    assert "--root" in cli("build", "--help").out
    assert "--strict" in cli("build", "--help").out


def test_missing_root_is_one_clear_line(tmp_path: Path, cli) -> None:
    result = cli("build", "--root", str(tmp_path / "nope"))
    assert result.code == 1
    assert result.err.strip().count("\n") == 0
    assert "no such folder" in result.err


def test_refuses_output_that_is_the_library(tmp_path: Path, cli) -> None:
    write_note(tmp_path, "a.md", note_text())
    result = cli("build", "--root", str(tmp_path), "--out", str(tmp_path))
    assert result.code == 1
    assert "library root" in result.err
    assert (tmp_path / "papers" / "a.md").is_file()


def test_summary_line(tmp_path: Path, cli) -> None:
    root = copy_fixture("small", tmp_path)
    result = cli("build", "--root", str(root))
    assert result.code == 0
    [line] = result.out.splitlines()
    assert line.startswith("built: 3 notes, ")
    assert " 0 warnings, 0 errors in " in line


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return copy_fixture("small", tmp_path)


def test_bib_exports_everything_and_parses(small: Path, cli) -> None:
    result = cli("bib", "--root", str(small))
    assert result.code == 0, result.err
    data = parse_string(result.out, "bibtex")
    assert sorted(data.entries) == ["evil:key.1", "houlsby2019parameter", "hu2021lora"]
    lora = data.entries["hu2021lora"]
    assert lora.type == "inproceedings"
    assert lora.fields["eprint"] == "2106.09685"
    assert str(lora.persons["author"][0]) == "Hu, Edward J."


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (["--tag", "peft"], ["houlsby2019parameter", "hu2021lora"]),
        (["--tag", "PEFT", "--status", "read"], ["houlsby2019parameter", "hu2021lora"]),
        (["--status", "to-read"], ["evil:key.1"]),
        (["--key", "HU2021LORA"], ["hu2021lora"]),
        (["--tag", "强化学习"], ["evil:key.1"]),
    ],
)
def test_bib_subsets(small: Path, cli, args: list[str], keys: list[str]) -> None:
    result = cli("bib", "--root", str(small), *args)
    assert result.code == 0, result.err
    assert sorted(parse_string(result.out, "bibtex").entries) == keys


def test_bib_to_file_and_unknown_key(small: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "refs.bib"
    assert cli("bib", "--root", str(small), "-o", str(out)).code == 0
    assert "@inproceedings{hu2021lora," in out.read_text(encoding="utf-8")
    missing = cli("bib", "--root", str(small), "--key", "nope")
    assert missing.code == 1 and "no note with key: nope" in missing.err
    refused = cli("bib", "--root", str(small), "-o", str(small / "papers" / "x.bib"))
    assert refused.code == 1 and "inside the notes folder" in refused.err


def test_bib_to_a_file_whose_name_is_at_the_limit(small: Path, cli, tmp_path: Path) -> None:
    # The temporary name must not be longer than the file's own (255 bytes is the limit).
    out = tmp_path / ("r" * 251 + ".bib")
    for _ in range(2):
        result = cli("bib", "--root", str(small), "-o", str(out))
        assert result.code == 0, result.err
    assert "@inproceedings{hu2021lora," in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, small.name])

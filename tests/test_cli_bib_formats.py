"""``papernotes bib --format``: bibtex by default and unchanged, csl-json and ris to standard
output and to files, and which existing files ``-o`` may overwrite for each format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import copy_fixture

KEYS = ["evil:key.1", "houlsby2019parameter", "hu2021lora"]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return copy_fixture("small", tmp_path)


def _ris_ids(text: str) -> list[str]:
    return sorted(line[6:] for line in text.split("\r\n") if line.startswith("ID  - "))


def test_bibtex_is_the_default_and_unchanged(small: Path, cli) -> None:
    default = cli("bib", "--root", str(small))
    named = cli("bib", "--root", str(small), "--format", "bibtex")
    assert default.code == named.code == 0
    assert named.out == default.out and "@inproceedings{hu2021lora," in default.out


def test_csl_json_to_stdout(small: Path, cli) -> None:
    result = cli("bib", "--root", str(small), "--format", "csl-json")
    assert result.code == 0, result.err
    items = json.loads(result.out)
    assert sorted(i["id"] for i in items) == KEYS
    lora = next(i for i in items if i["id"] == "hu2021lora")
    assert lora["type"] == "paper-conference" and lora["number"] == "arXiv:2106.09685"


def test_ris_to_stdout_keeps_crlf(small: Path, cli) -> None:
    result = cli("bib", "--root", str(small), "--format", "ris", "--tag", "peft")
    assert result.code == 0, result.err
    assert result.out.startswith("TY  - ") and result.out.endswith("ER  - \r\n")
    assert _ris_ids(result.out) == ["houlsby2019parameter", "hu2021lora"]


@pytest.mark.parametrize(
    ("fmt", "name", "check"),
    [
        ("bibtex", "refs.bib", lambda t: "@inproceedings{hu2021lora," in t),
        ("csl-json", "refs.json", lambda t: sorted(i["id"] for i in json.loads(t)) == KEYS),
        ("ris", "refs.ris", lambda t: _ris_ids(t) == KEYS),
    ],
)
def test_each_format_writes_and_overwrites_its_own_file(
    small: Path, cli, tmp_path: Path, fmt: str, name: str, check
) -> None:
    out = tmp_path / name
    for _ in range(2):  # the second run replaces the file the first one wrote
        result = cli("bib", "--root", str(small), "--format", fmt, "-o", str(out))
        assert result.code == 0, result.err
    assert check(out.read_bytes().decode("utf-8"))
    assert "wrote 3 entries" in result.err


@pytest.mark.parametrize(
    ("fmt", "existing"),
    [("csl-json", "refs.bib"), ("ris", "refs.json"), ("bibtex", "refs.ris"), ("ris", "notes.md")],
)
def test_an_existing_file_of_another_kind_is_never_overwritten(
    small: Path, cli, tmp_path: Path, fmt: str, existing: str
) -> None:
    out = tmp_path / existing
    out.write_text("precious", encoding="utf-8")
    result = cli("bib", "--root", str(small), "--format", fmt, "-o", str(out))
    assert result.code == 1 and "refusing to overwrite" in result.err
    assert out.read_text(encoding="utf-8") == "precious"


def test_unknown_format_is_a_usage_error(small: Path, cli) -> None:
    assert cli("bib", "--root", str(small), "--format", "endnote").code == 2

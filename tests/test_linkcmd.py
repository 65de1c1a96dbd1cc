"""`papernotes link` and the front-matter editor under it: only adds, every other byte kept."""

from __future__ import annotations

import codecs
from pathlib import Path

import httpx
import pytest
from fetch_replay import Replay

from papernotes.cli import fetch as cli_fetch
from papernotes.notes.cites_edit import EditError, add_cites, yaml_key

from conftest import write_note

EDITS = [
    (
        "block list with comments",
        '---\ntitle: A # c\ncites:\n  - a   # first\n  - "b"\n# after\nyear: 2020\n---\nbody\n',
        '---\ntitle: A # c\ncites:\n  - a   # first\n  - "b"\n  - k1\n  - k2\n# after\nyear: 2020\n'
        "---\nbody\n",
    ),
    (
        "unindented block list",
        "---\ntitle: A\nyear: 2020\ncites:\n- a\n---\n",
        "---\ntitle: A\nyear: 2020\ncites:\n- a\n- k1\n- k2\n---\n",
    ),
    (
        "flow list",
        "---\ntitle: A\ncites: [a, b]  # flow\nyear: 2020\n---\nbody",
        "---\ntitle: A\ncites: [a, b, k1, k2]  # flow\nyear: 2020\n---\nbody",
    ),
    (
        "empty flow list",
        "---\ntitle: A\ncites: []\n---\n",
        "---\ntitle: A\ncites: [k1, k2]\n---\n",
    ),
    (
        "empty value with a comment",
        "---\ntitle: A\ncites:  # none yet\nyear: 2020\n---\n",
        "---\ntitle: A\ncites:  # none yet\n  - k1\n  - k2\nyear: 2020\n---\n",
    ),
    ("null", "---\ntitle: A\ncites: ~\n---\n", "---\ntitle: A\ncites: [k1, k2]\n---\n"),
    ("one key", "---\ntitle: A\ncites: a\n---\n", "---\ntitle: A\ncites: [a, k1, k2]\n---\n"),
    (
        "no cites yet",
        "---\ntitle: A\nyear: 2020\n---\n\n# Body\n",
        "---\ntitle: A\nyear: 2020\ncites:\n  - k1\n  - k2\n---\n\n# Body\n",
    ),
    (
        "windows line endings",
        "---\r\ntitle: A\r\ncites:\r\n  - a\r\n---\r\nbody\r\n",
        "---\r\ntitle: A\r\ncites:\r\n  - a\r\n  - k1\r\n  - k2\r\n---\r\nbody\r\n",
    ),
    (
        "unicode before the list",
        "---\ntitle: 注意力 😀 Ünïcode\ncites:\n  - a # 中文\n---\n",
        "---\ntitle: 注意力 😀 Ünïcode\ncites:\n  - a # 中文\n  - k1\n  - k2\n---\n",
    ),
]


@pytest.mark.parametrize(("what", "before", "after"), EDITS, ids=[e[0] for e in EDITS])
def test_add_cites_edits_only_the_list(what: str, before: str, after: str) -> None:
    assert add_cites(before, ["k1", "k2"]) == after


def test_keys_are_quoted_when_yaml_would_misread_them() -> None:
    assert yaml_key("hu2021lora") == "hu2021lora"
    assert yaml_key("true") == '"true"' and yaml_key("2021") == '"2021"'
    assert yaml_key("1e5") == '"1e5"' and yaml_key("arXiv:2106.09685") == '"arXiv:2106.09685"'
    assert add_cites("---\ncites: [a]\n---\n", ["null"]) == '---\ncites: [a, "null"]\n---\n'


@pytest.mark.parametrize(
    "text",
    [
        "no front matter\n",
        "---\ntitle: A\n",
        "---\ncites: {a: 1}\n---\n",
        "---\ncites: |\n  a\n---\n",
    ],
)
def test_refuses_what_it_cannot_edit_safely(text: str) -> None:
    with pytest.raises(EditError):
        add_cites(text, ["k"])


# The command ---------------------------------------------------------------------------------

LORA = (
    "---\r\n"
    "# my LoRA note — hand-written, keep this comment\r\n"
    "id: hu2021lora\r\n"
    'title: "LoRA: Low-Rank Adaptation of Large Language Models"\r\n'
    "year: 2022   # ICLR version\r\n"
    "authors: [Edward J. Hu, Yelong Shen]\r\n"
    "arxiv: '2106.09685'\r\n"
    "cites:\r\n"
    "    -   arXiv:2005.14165   # GPT-3, no note... or is there?\r\n"
    "tags: [peft]\r\n"
    "---\r\n"
    "\r\n"
    "Body with [@houlsby2019parameter] and trailing spaces   \r\n"
)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    write_note(tmp_path, "peft/lora.md", "")
    (tmp_path / "papers" / "peft" / "lora.md").write_bytes(codecs.BOM_UTF8 + LORA.encode())
    write_note(tmp_path, "houlsby.md", "---\nid: houlsby2019parameter\ntitle: Parameter-Efficient "
               "Transfer Learning for NLP\nauthors: [Neil Houlsby]\nyear: 2019\n"
               'arxiv: "1902.00751"\n---\n')  # fmt: skip
    write_note(tmp_path, "prefix.md", "---\nid: li2021prefix\ntitle: Prefix-Tuning\n"
               "authors: [Xiang Lisa Li]\nyear: 2021\ndoi: 10.18653/v1/2021.acl-long.353\n---\n")  # fmt: skip
    write_note(tmp_path, "attention.md", "---\nid: vaswani2017attention\ntitle: Attention Is All "
               "You Need\nauthors: [Ashish Vaswani]\nyear: 2017\n---\n")  # fmt: skip
    write_note(tmp_path, "gpt3.md", "---\nid: brown2020language\ntitle: Language Models are "
               'Few-Shot Learners\nauthors: [Tom Brown]\nyear: 2020\narxiv: "2005.14165"\n---\n')  # fmt: skip
    return tmp_path


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Replay:
    r = Replay()
    monkeypatch.setattr(cli_fetch, "http_factory", r.factory())
    return r


def test_link_adds_missing_cites_and_keeps_every_other_byte(library: Path, cli, replay) -> None:
    result = cli("link", "--root", str(library))
    assert result.code == 0, result.err
    assert result.out == (
        "papers/peft/lora.md: cites: + houlsby2019parameter, li2021prefix, vaswani2017attention\n"
    )
    expected = LORA.replace(
        "no note... or is there?\r\n",
        "no note... or is there?\r\n"
        "    -   houlsby2019parameter\r\n"
        "    -   li2021prefix\r\n"
        "    -   vaswani2017attention\r\n",
    )
    assert (library / "papers" / "peft" / "lora.md").read_bytes() == (
        codecs.BOM_UTF8 + expected.encode()
    )
    built = cli("build", "--root", str(library), "--strict")
    assert built.code == 0, built.err
    assert "added 3 citations to 1 notes" in result.err


def test_link_only_adds_and_a_second_run_changes_nothing(library: Path, cli, replay) -> None:
    assert cli("link", "--root", str(library)).code == 0
    after_first = (library / "papers" / "peft" / "lora.md").read_bytes()
    second = cli("link", "--root", str(library), "hu2021lora")
    assert second.code == 0 and second.out == ""
    assert "added 0 citations to 0 notes" in second.err
    assert (library / "papers" / "peft" / "lora.md").read_bytes() == after_first


def test_link_dry_run_shows_but_does_not_write(library: Path, cli, replay) -> None:
    before = (library / "papers" / "peft" / "lora.md").read_bytes()
    result = cli("link", "--root", str(library), "--dry-run", "hu2021lora")
    assert "cites: + houlsby2019parameter" in result.out and "would add 3" in result.err
    assert (library / "papers" / "peft" / "lora.md").read_bytes() == before


def test_link_skips_papers_semantic_scholar_does_not_know(library: Path, cli, replay) -> None:
    result = cli("link", "--root", str(library), "houlsby2019parameter", "vaswani2017attention")
    assert result.code == 0
    assert "papers/houlsby.md: Semantic Scholar does not know arXiv:1902.00751" in result.err
    assert "papers/attention.md: no arXiv id or DOI to look up" in result.err


def test_link_failure_changes_no_file(library: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    replay = Replay(overrides={"": lambda r: httpx.Response(429, headers={"Retry-After": "1"})})
    monkeypatch.setattr(cli_fetch, "http_factory", replay.factory())
    before = {p: p.read_bytes() for p in (library / "papers").rglob("*.md")}
    result = cli("link", "--root", str(library))
    assert result.code == 1
    assert result.err.count("\n") == 1 and "(no note was changed)" in result.err
    assert {p: p.read_bytes() for p in (library / "papers").rglob("*.md")} == before


def test_link_unknown_key(library: Path, cli, replay) -> None:
    result = cli("link", "--root", str(library), "nosuchkey")
    assert result.code == 1 and "no note with key: nosuchkey" in result.err

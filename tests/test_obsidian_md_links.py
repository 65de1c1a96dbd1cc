"""Markdown links as Obsidian writes them (``![](Pasted%20image.png)``, ``[x](img/fig.png)``):
a link that leads to nothing from the note's folder is a path from the vault's top, else a
file name found once anywhere, as Obsidian resolves it; ``./`` and ``../`` stay as written."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c6360000002000001e221bc330000000049454e44ae426082"
)

NOTE = """---
title: A
authors: [Ada Lovelace]
year: 2020
---
![one](Pasted%20image%201.png)

![two](img/deep/fig.png)

[the other note](other.md) and [by path](notes/b/other.md)

![beside](./Pasted%20image%201.png)

![twice](dup.png)

![gone](nowhere.png)
"""


@pytest.fixture
def built(tmp_path: Path, cli) -> tuple[Path, str]:
    papers = tmp_path / "papers"
    (papers / "notes" / "a").mkdir(parents=True)
    (papers / "notes" / "b").mkdir(parents=True)
    (papers / "attachments").mkdir()
    (papers / "img" / "deep").mkdir(parents=True)
    (papers / "x").mkdir()
    (papers / "attachments" / "Pasted image 1.png").write_bytes(PNG)
    (papers / "img" / "deep" / "fig.png").write_bytes(PNG)
    (papers / "attachments" / "dup.png").write_bytes(PNG)
    (papers / "x" / "dup.png").write_bytes(PNG)
    (papers / "notes" / "a" / "a.md").write_text(NOTE, encoding="utf-8")
    (papers / "notes" / "b" / "other.md").write_text(
        "---\ntitle: Other\nauthors: [B C]\nyear: 2021\n---\nx\n", encoding="utf-8"
    )
    run = cli("build", "--root", str(tmp_path), "--no-cache")
    assert run.code == 0, run.err
    return tmp_path / "site", run.err


def test_only_what_obsidian_could_not_find_either_is_warned(built: tuple[Path, str]) -> None:
    _, err = built
    warned = sorted(line.split(": warning: ")[1] for line in err.splitlines() if "warning" in line)
    assert warned == [
        'link "./Pasted image 1.png": no such file next to the note',
        'link "dup.png": no such file next to the note',
        'link "nowhere.png": no such file next to the note',
    ]


@pytest.mark.parametrize(
    ("alt", "src"),
    [
        ("one", "../files/attachments/Pasted%20image%201.png"),
        ("two", "../files/img/deep/fig.png"),
    ],
)
def test_found_images_are_published_and_shown(built: tuple[Path, str], alt: str, src: str) -> None:
    site, _ = built
    page = (site / "papers" / "a.html").read_text(encoding="utf-8")
    assert f'src="{src}"' in page and f'alt="{alt}"' in page
    assert (site / "papers" / unquote(src)).resolve().read_bytes() == PNG


def test_a_note_named_by_its_file_name_is_linked(built: tuple[Path, str]) -> None:
    site, _ = built
    page = (site / "papers" / "a.html").read_text(encoding="utf-8")
    assert page.count('href="other.html"') >= 2

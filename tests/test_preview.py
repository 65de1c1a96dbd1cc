"""The data of link previews: one card per paper page, in shards a hover loads one of, written
by the build so that an edit rewrites only the shard its card is in."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from papernotes import urls
from papernotes.build import build
from papernotes.config import load_config
from papernotes.preview import (
    NOTES_PER_SHARD,
    PREVIEW_INDEX,
    linked_sections,
    preview_entry,
    preview_files,
    shard_cards,
    shard_count,
    shard_of,
)

from conftest import REPO, clean_library, library_at, note_text, write_note


@pytest.mark.parametrize(
    ("notes", "count"),
    [(0, 1), (1, 1), (NOTES_PER_SHARD, 1), (NOTES_PER_SHARD + 1, 2), (1000, 64), (50_000, 4096)],
)
def test_shard_count(notes: int, count: int) -> None:
    assert shard_count(notes) == count


@pytest.mark.parametrize(
    ("path", "count", "shard"),
    [
        # FNV-1a 32 of "a" is 0xe40c292c; of "" the offset basis 0x811c9dc5.
        ("a", 1 << 32, 0xE40C292C),
        ("", 1 << 32, 0x811C9DC5),
        ("a", 8, 0xE40C292C & 7),
        ("papers/hu2021lora.html", 1, 0),
        # UTF-16 code units, as JavaScript's charCodeAt: one unit for é, two for 𝔸.
        ("é", 1 << 32, ((0x811C9DC5 ^ 0xE9) * 0x01000193) & 0xFFFFFFFF),
    ],
)
def test_shard_of(path: str, count: int, shard: int) -> None:
    assert shard_of(path, count) == shard


def test_shard_of_counts_utf16_units_like_javascript() -> None:
    # 𝔸 is the surrogate pair D835 DD38 in UTF-16.
    h = 0x811C9DC5
    for unit in (0xD835, 0xDD38):
        h = ((h ^ unit) * 0x01000193) & 0xFFFFFFFF
    assert shard_of("𝔸", 1 << 32) == h


def _library(root: Path) -> Path:
    body = "## Intro\n\nFirst words, citing [@other].\n\n## Method\n\nHow it works.\n"
    extra = "id: main\nvenue: ICLR\nstatus: to-read\n"
    authors = "[Ann One, Bob Two, Cy Three, Di Four]"
    write_note(root, "main.md", note_text("Main", authors=authors, extra=extra, body=body))
    other = "id: other\nabstract: An abstract  that stands in\n  for a body.\n"
    write_note(
        root, "other.md", note_text("Other", authors="[Otto Her]", year=2019, extra=other, body="")
    )
    return root


def test_entry_holds_what_the_card_shows(tmp_path: Path) -> None:
    library = clean_library(_library(tmp_path))
    assert preview_entry(library.notes["main"], library, {"Method", "nowhere"}) == {
        "t": "Main",
        "a": "Ann One, Bob Two, Cy Three et al.",
        "y": 2020,
        "v": "ICLR",
        "s": "to-read",
        # The first paragraph wherever it is, its citation as the body shows it.
        "p": "First words, citing (Her, 2019).",
        "h": {"h-method": "How it works."},
    }
    # Sections no link names are left out.
    assert "h" not in preview_entry(library.notes["main"], library)
    # No body: the abstract; no venue or status: left out.
    assert preview_entry(library.notes["other"], library) == {
        "t": "Other",
        "a": "Otto Her",
        "y": 2019,
        "p": "An abstract that stands in for a body.",
    }


def test_linked_sections_come_from_wikilinks_and_markdown_links(tmp_path: Path) -> None:
    root = _library(tmp_path)
    body = (
        "See [[main#Method|how]], [[Main#Intro]], [the rest](../main.md#results) and [[other]].\n"
    )
    write_note(root, "sub/linker.md", note_text("Linker", extra="id: linker\n", body=body))
    assert linked_sections(clean_library(root)) == {"main": {"Method", "Intro", "results"}}


def _cards(text: str) -> dict[str, object]:
    """A preview script's data, a shard's cards unpacked (``cards``) from its gzipped ``z``."""
    m = re.fullmatch(r"PAPERNOTES_PREVIEW\((.*)\);\n", text, re.S)
    assert m is not None
    data = dict(json.loads(m[1]))
    if "z" in data:
        data["cards"] = shard_cards(data)
    return data


def test_shards_are_gzipped_and_the_index_is_not() -> None:
    files = list(preview_files(library_at(REPO)[0]))
    index = json.loads(files[0].text[len("PAPERNOTES_PREVIEW(") : -len(");\n")])
    assert set(index) == {"shards"}
    cards = 0
    for n, file in enumerate(files[1:]):
        data = json.loads(file.text[len("PAPERNOTES_PREVIEW(") : -len(");\n")])
        assert set(data) == {"shard", "z"} and data["shard"] == n
        assert base64.b64decode(data["z"], validate=True)[:2] == b"\x1f\x8b"  # gzip's magic
        cards += len(shard_cards(data))
    assert cards == len(library_at(REPO)[0].notes)


def test_every_page_is_in_the_shard_its_path_hashes_to() -> None:
    library = library_at(REPO)[0]
    files = list(preview_files(library))
    assert files[0].path == PREVIEW_INDEX
    count = _cards(files[0].text)["shards"]
    assert count == shard_count(len(library.notes)) == len(files) - 1
    seen: dict[str, int] = {}
    for n, file in enumerate(files[1:]):
        assert file.path == f"static/preview/{n}.js"
        data = _cards(file.text)
        assert data["shard"] == n
        cards = data["cards"]
        assert isinstance(cards, dict)
        for path in cards:
            assert shard_of(path, int(str(count))) == n
            seen[path] = n
    assert sorted(seen) == sorted(urls.paper_page(k) for k in library.notes)
    # Titles with "</script>" cannot end the script they are loaded by.
    assert all("</" not in f.text for f in files)


def test_an_edit_rewrites_only_its_cards_shard(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for i in range(3 * NOTES_PER_SHARD):
        write_note(
            root, f"n{i}.md", note_text(f"Note {i}", extra=f"id: n{i}\n", body=f"Body {i}.\n")
        )
    config, _ = load_config(root)
    out = root / "site"
    assert build(root, config, out=out).errors == 0
    before = {p.name: p.read_bytes() for p in (out / "static/preview").iterdir()}
    assert len(before) == 1 + 4
    (root / "papers/n5.md").write_text(
        note_text("Note 5", extra="id: n5\n", body="A new first paragraph.\n"), "utf-8"
    )
    assert build(root, config, out=out).errors == 0
    after = {p.name: p.read_bytes() for p in (out / "static/preview").iterdir()}
    shard = f"{shard_of(urls.paper_page('n5'), 4)}.js"
    assert {k for k in after if after[k] != before[k]} == {shard}
    assert "A new first paragraph." in json.dumps(
        _cards(after[shard].decode("utf-8"))["cards"], ensure_ascii=False
    )


def test_a_served_save_remakes_the_cards_of_the_notes_linking_says_it_replaced() -> None:
    """Told which notes linking replaced (``SaveMemo.moved``), the preview memo looks at
    those alone: a note object replaced without being told of is not even compared (it is
    the same note: linking said so), where without being told every note is compared."""
    from dataclasses import replace

    from papernotes.build import read_library
    from papernotes.preview import PreviewMemo

    config, _ = load_config(REPO)
    library, _ = read_library(REPO, config)
    first = next(iter(library.notes))
    copied = replace(library, notes={k: replace(n) for k, n in library.notes.items()})
    for told, want in ((frozenset({first}), 1), (None, len(library.notes))):
        made: dict[str, int] = {}

        def count(tag: str, n: int, made: dict[str, int] = made) -> None:
            made[tag.split(":")[0]] = made.get(tag.split(":")[0], 0) + n

        def moved(tag: str, before: object, after: object, told: object = told) -> object:
            return told if tag == "notes" and after is copied.notes else None

        memo = PreviewMemo(count, moved)  # type: ignore[arg-type]
        memo.files(library, None)
        made.clear()
        files = memo.files(copied, None)
        assert made["preview"] == want, (told, made)
        assert [f.text for f in files] == [f.text for f in preview_files(copied)]

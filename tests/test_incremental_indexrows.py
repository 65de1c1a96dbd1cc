"""An edit build that changed no front matter takes the site index as the last build stored it
(``incremental.indexrows``): it indexes no note, in a library of 30 notes or of 120, and still
makes what a clean build makes. An edit of front matter indexes the library again, and so do
rows that do not fit, whatever they say."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_serve_flat import _library

from papernotes.build import build, read_library
from papernotes.config import load_config
from papernotes.incremental.indexrows import IndexRows, rows_of, site_index
from papernotes.siteindex import SiteIndex

from conftest import note_text, site_tree, write_note

_SUMMARY, _ROWS = 4, 21  # the cache index's summary, and its last field: the site index


def _indexed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The notes ``SiteIndex.of`` indexes, one count per call, from here on."""
    seen: list[int] = []
    real = SiteIndex.of.__func__  # type: ignore[attr-defined]

    def counted(cls: type[SiteIndex], library: Any) -> SiteIndex:
        seen.append(len(library.notes))
        return real(cls, library)  # type: ignore[no-any-return]

    monkeypatch.setattr(SiteIndex, "of", classmethod(counted))
    return seen


def _build(root: Path, out: Path | None = None, *, use_cache: bool = True) -> None:
    config, _ = load_config(root)
    report = build(root, config, out=out or root / "site", use_cache=use_cache)
    assert report.errors == 0, [d.format() for d in report.diagnostics]


def _clean(root: Path, tmp_path: Path) -> dict[str, bytes]:
    clean = tmp_path / "clean"
    shutil.copytree(root / "papers", clean / "papers")
    shutil.copy(root / "papernotes.yaml", clean / "papernotes.yaml")
    _build(clean, use_cache=False)
    return site_tree(clean / "site")


def _append(root: Path, name: str, text: str) -> None:
    path = root / "papers" / name
    path.write_text(path.read_text("utf-8") + text, encoding="utf-8")


def _edit_build(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any) -> int:
    """Build, ``edit``, build again: the notes the second build indexed, after checking that
    its site is a clean build's."""
    _build(root)
    edit(root)
    seen = _indexed(monkeypatch)
    _build(root)
    monkeypatch.undo()
    assert site_tree(root / "site") == _clean(root, tmp_path)
    return sum(seen)


@pytest.mark.parametrize("n", [30, 120])
def test_a_body_edit_indexes_no_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    root = _library(tmp_path / "lib", n)
    edit = lambda r: _append(r, "n7.md", "\nOne more sentence.\n")  # noqa: E731
    assert _edit_build(root, tmp_path, monkeypatch, edit) == 0


@pytest.mark.parametrize("n", [30, 120])
def test_a_front_matter_edit_indexes_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    root = _library(tmp_path / "lib", n)

    def edit(r: Path) -> None:
        path = r / "papers" / "n7.md"
        text = path.read_text("utf-8").replace("tags: [t1]", "tags: [t1, Fresh]")
        path.write_text(text, encoding="utf-8")

    assert _edit_build(root, tmp_path, monkeypatch, edit) == n


def _mixed(root: Path) -> Path:
    """Notes with no year, an author and a tag outside A–Z, tags spelt two ways, an editor."""
    _library(root, 12)
    extra = "id: {}\ntags: [{}]\n"
    write_note(root, "u.md", note_text("Undated", year=0, extra=extra.format("u", "RL, 强化")))
    path = root / "papers" / "u.md"
    path.write_text(path.read_text("utf-8").replace("year: 0\n", ""), encoding="utf-8")
    write_note(
        root,
        "c.md",
        note_text("Zhong", authors="[张 三, Émile Zola]", extra=extra.format("c", "rl")),
    )
    write_note(
        root,
        "e.md",
        note_text("Edited", extra=extra.format("e", "t1") + "editors: [Writer 3, 1Two]\n"),
    )
    return root


def _in_order(index: SiteIndex) -> list[object]:
    """Every field, with each mapping's items in order: what the templates iterate over."""
    return [list(f.items()) if isinstance(f, dict) else f for f in index]


def test_rows_give_back_the_index_in_every_order(tmp_path: Path) -> None:
    root = _mixed(tmp_path / "lib")
    config, _ = load_config(root)
    library, diags = read_library(root, config)
    assert not [d for d in diags if d.severity.name == "ERROR"]
    index = SiteIndex.of(library)
    assert index.undated and any(g == "Other" for g, _ in index.author_groups)
    rows = rows_of(index, library.notes, "inputs")
    again = rows.index(library.notes)
    assert again is not None and _in_order(again) == _in_order(index)
    metas = {k: f"m{k}" for k in library.notes}
    made, made_rows, fresh = site_index(library, metas, None)
    assert fresh and _in_order(made) == _in_order(index)
    kept, _, fresh = site_index(library, metas, made_rows)
    assert not fresh and _in_order(kept) == _in_order(index)
    _, _, fresh = site_index(library, {**metas, "n3": "changed"}, made_rows)
    assert fresh  # a note's front matter is not what the rows were made from


def _cut(rows: IndexRows, **change: object) -> IndexRows:
    fields = {f: getattr(rows, f) for f in IndexRows.__dataclass_fields__}
    return IndexRows(**{**fields, **change})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"undated": (-1,)},
        {"tag_ends": (99,)},
        {"author_ends": ()},
        {"authors": ("Writer 1", "Writer 1")},
        {"grouped": ()},
        {"named": ("t9",)},
        {"tags": ("t2", "t1", "t0")},
        {"years": (2001, 2001)},
    ],
    ids=lambda c: next(iter(c)),
)
def test_rows_that_do_not_fit_give_no_index(tmp_path: Path, change: dict[str, object]) -> None:
    root = _library(tmp_path / "lib", 6)
    config, _ = load_config(root)
    library, _ = read_library(root, config)
    rows = rows_of(SiteIndex.of(library), library.notes, "inputs")
    assert rows.index(library.notes) is not None
    assert _cut(rows, **change).index(library.notes) is None


def test_rows_that_place_a_note_past_the_library_give_no_index(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib", 6)
    config, _ = load_config(root)
    library, _ = read_library(root, config)
    rows = rows_of(SiteIndex.of(library), library.notes, "inputs")
    past = (*rows.author_keys[:-1], len(library.notes))
    assert _cut(rows, author_keys=past).index(library.notes) is None
    assert _cut(rows, author_keys=rows.author_keys).index(library.notes) is not None


@pytest.mark.parametrize(
    ("place", "value"),
    [
        (3, [30]),  # tag_keys: a note that is not there
        (4, [3, 2, 1]),  # tag_ends: out of order
        (7, ["Writer 1"] * 9),  # authors: one named nine times
        (1, "not a list"),  # tags: a column of the wrong type
    ],
)
def test_stored_rows_that_do_not_fit_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place: int, value: object
) -> None:
    root = _library(tmp_path / "lib", 30)
    _build(root)
    index = root / ".papernotes" / "cache" / "index.json"
    data = json.loads(index.read_bytes())
    rows = data["index"][_SUMMARY][_ROWS]
    assert rows is not None and len(rows) == len(IndexRows.__dataclass_fields__)
    rows[place] = value
    index.write_text(json.dumps(data), encoding="utf-8")
    _append(root, "n7.md", "\nOne more sentence.\n")
    seen = _indexed(monkeypatch)
    _build(root)
    monkeypatch.undo()
    assert seen == [30]
    assert site_tree(root / "site") == _clean(root, tmp_path)

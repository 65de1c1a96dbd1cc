"""An edit builds from the cache what a clean build makes, without building the search index
again: the index the last build stored (``incremental.searchstate``) is updated, whether that
build ran from the command line or in ``serve``; a stored index that does not fit is built
again, and a note's references are kept by its text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_incremental import Library, _build

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import searchstate
from papernotes.incremental.session import Session

from conftest import site_tree


def _clean(lib: Library, tmp_path: Path) -> dict[str, bytes]:
    clean = tmp_path / "clean"
    shutil.copytree(lib.root / "papers", clean / "papers")
    _build(clean, clean / "site", use_cache=False)
    return site_tree(clean / "site")


def _refuse_full_index(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the whole search index was built again")

    monkeypatch.setattr(searchstate, "build_index", refuse)


@pytest.mark.parametrize(
    ("op", "key", "arg"),
    [
        ("body", "delta", "A body with new words: quaternion, 低秩适配, again."),
        ("body", "alpha", "Text."),  # the body it had: nothing to move
        ("tags", "beta", ["peft", "llm"]),
        ("cites", "gamma", ["alpha", "delta"]),
    ],
)
def test_an_edit_updates_the_stored_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, op: str, key: str, arg: object
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    lib.apply(op, key, arg)
    _refuse_full_index(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)


def test_serve_leaves_an_index_the_next_build_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    session = Session(lib.root, out)
    session.build(hold=True)
    lib.apply("body", "beta", "Saved in serve: a word never seen.")
    assert session.build().errors == 0
    session.persist()
    lib.apply("body", "gamma", "Then built from the command line.")
    _refuse_full_index(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)


def _spoil(index: Path, field: int, value: object) -> None:
    data = json.loads(index.read_bytes())
    state = data["index"][3]  # CacheIndex(key, pages, entries, search)
    assert isinstance(state, list) and len(state) == 6  # SearchState(..., postings, sizes)
    state[field] = value
    index.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (4, ["!"]),  # postings that are not VLQ digits
        (1, []),  # no digest for the notes
        (3, ["a b"]),  # a term with a space
        (0, ["nobody"]),  # notes that are not these
        (2, "lengths"),  # not a list: the whole cache is refused
        (5, [-1]),  # sizes that do not line up with the notes (nor are counts)
    ],
)
def test_a_stored_index_that_does_not_fit_is_built_again(
    tmp_path: Path, field: int, value: object
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    _spoil(lib.root / ".papernotes" / "cache" / "index.json", field, value)
    lib.apply("body", "delta", "Another body.")
    _build(lib.root, out, use_cache=True)
    assert site_tree(out) == _clean(lib, tmp_path)


def test_an_unchanged_note_keeps_its_references_without_its_csl_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes.bib import csl

    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    made: list[str] = []
    real = csl.to_csl

    def counted(meta, *a, **kw):  # type: ignore[no-untyped-def]
        made.append(meta.key)
        return real(meta, *a, **kw)

    monkeypatch.setattr(csl, "to_csl", counted)
    lib.apply("body", "beta", "A body changed, its metadata not.")
    config, _ = load_config(lib.root)
    report = build(lib.root, config, out=out)
    assert report.errors == 0
    assert made == ["beta"]  # only the note whose text changed, for its references
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)

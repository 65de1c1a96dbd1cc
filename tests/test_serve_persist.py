"""Saving a serve session's cache: it never holds up a save, and a save of the cache given up
half-way (a change came) or cut short (the server killed) never leaves a cache that makes a
site other than a clean build's."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import cache
from papernotes.incremental.cache import ASIDE
from papernotes.incremental.session import Session

from conftest import copy_fixture, site_tree

NOTES = ("peft/lora.md", "peft/adapters.md")


def _lib(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    return root


def _save(root: Path, session: Session, i: int) -> None:
    """A save of one note (another each time), built."""
    note = root / "papers" / NOTES[i % len(NOTES)]
    before = note.stat().st_mtime_ns
    note.write_text(note.read_text("utf-8") + f"\nSaved while serving, {i}.\n", encoding="utf-8")
    os.utime(note, ns=(before + 10**9, before + 10**9))  # seen in the same tick
    session.invalidate({str(note.resolve())})
    assert session.build().rendered > 0


def _same_as_clean(root: Path, tmp_path: Path) -> None:
    """A plain build from the cache on disk makes the site a clean build makes."""
    config, _ = load_config(root)
    out = root / "site"
    assert build(root, config, out=out).errors == 0
    clean = tmp_path / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(out) == site_tree(clean)


def test_a_save_after_a_save_does_not_count_a_frozen_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The save before froze what it made (serve defers the collector); the build lock counts
    # the frozen objects one by one: the library must be thawed before it does.
    root = _lib(tmp_path)
    session = Session(root, root / "site", defer_collector=True)
    assert session.build().errors == 0
    session.persist()
    counted: list[int] = []

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(gc, name)

        def get_freeze_count(self) -> int:
            counted.append(gc.get_freeze_count())
            return counted[-1]

    try:
        _save(root, session, 0)
        assert gc.get_freeze_count() > 0  # the first save's objects, not saved yet
        monkeypatch.setattr(cache, "gc", Counting())
        _save(root, session, 1)
        assert counted == [0]
    finally:
        session.persist()
        if gc.get_freeze_count():
            gc.unfreeze()
    _same_as_clean(root, tmp_path)

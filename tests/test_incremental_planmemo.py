"""A body save through a serve session keys the plan's site-wide values by the last save's
tuple of every note's metadata (``incremental.planmemo``): not made again note by note while
the notes the link stage replaced have the same metadata; made again when one's moved. The
site is the clean build's, byte for byte, either way."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from test_serve_flat import _library

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import planmemo
from papernotes.incremental.session import Session

from conftest import site_tree


def _save(session: Session, path: Path, text: str) -> dict[str, int]:
    before = path.stat().st_mtime_ns
    path.write_text(text, "utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))
    session.invalidate([str(path.resolve())])
    assert session.build().errors == 0
    made = dict(session.made)
    session.persist()
    return made


def _clean_equal(root: Path) -> None:
    config, _ = load_config(root)
    clean = root.parent / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(root / "site") == site_tree(clean)


@pytest.mark.parametrize("n", [30, 120])
def test_a_body_save_keeps_the_tuple_of_metadata_and_a_title_edit_makes_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    given: list[tuple[Any, ...]] = []
    real = planmemo.metas_of

    def kept(library: Any, memo: Any) -> tuple[Any, ...]:
        given.append(real(library, memo))
        return given[-1]

    monkeypatch.setattr(planmemo, "metas_of", kept)
    root = _library(tmp_path / "lib", n)
    session = Session(root, root / "site", defer_collector=True)
    assert session.build(hold=True).errors == 0
    session.persist()
    note = root / "papers" / "n3.md"
    for i in range(2):
        made = _save(session, note, note.read_text("utf-8") + f"\nOn rank, {i}.\n")
        assert "plan-metas" not in made, made
    # Each body save planned with the very tuple the one before it had.
    assert len(given) >= 3 and given[-1] is given[-2] is given[-3]
    _clean_equal(root)
    text = note.read_text("utf-8").replace("title: Paper 3", "title: Renamed 3", 1)
    assert "Renamed 3" in text
    made = _save(session, note, text)
    assert made.get("plan-metas") == 1, made  # made again, not kept
    assert given[-1] is not given[-2]
    assert sum(m.title.startswith("Renamed 3") for m in given[-1]) == 1
    assert not any(m.title.startswith("Renamed 3") for m in given[-2])
    _clean_equal(root)

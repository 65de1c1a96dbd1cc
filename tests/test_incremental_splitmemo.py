"""A save through a serve session splits the site's jobs from the last save's split: the jobs
whose fingerprints moved and those it ran are looked at, not every job's path looked up in
the last fingerprints and the manifest again (``jobmemo.split_jobs``, once per session). The
site is the clean build's, byte for byte, and the split is the one ``split_jobs`` makes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from test_serve_flat import _library, _save_counts

from papernotes.incremental import jobmemo, splitmemo
from papernotes.incremental.session import Session
from papernotes.write import MARKER

from conftest import site_tree


def _later(folder: Path) -> None:
    """Move ``folder``'s time past a coarse clock's tick (a file came within the last one)."""
    moved = folder.stat().st_mtime_ns + 10**9
    os.utime(folder, ns=(moved, moved))


@pytest.mark.parametrize("n", [30])
def test_a_body_save_splits_the_jobs_it_moved_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    split = jobmemo.split_jobs
    splits: list[int] = []

    def counted(jobs: list[Any], *args: Any) -> object:
        splits.append(len(jobs))
        return split(jobs, *args)

    monkeypatch.setattr(splitmemo, "split_jobs", counted)
    small = _save_counts(_library(tmp_path / "small" / "lib", n))
    large = _save_counts(_library(tmp_path / "large" / "lib", 4 * n))
    # The jobs whose fingerprints moved: the note's page, its search shards, its preview…
    assert small["split-moved"] == large["split-moved"] > 0
    # Each session's first build alone: not its saves.
    assert len(splits) == 2 and splits[0] < splits[1], splits


def test_a_served_split_is_the_split_of_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every save's split, patched or not, equals ``split_jobs``'s of the same jobs; a
    manifest not the one the session committed sends the save through ``split_jobs`` again
    (a file the user drops into the output folder is the commit's to see)."""
    served = splitmemo.served_split

    def checked(jobs: Any, pages: Any, written: Any, memo: Any) -> Any:
        want = jobmemo.split_jobs(jobs, pages, written)
        got = served(jobs, pages, written, memo)
        assert got[0] == want[0] and sorted(got[1]) == sorted(want[1]) and got[2] == want[2]
        return got

    monkeypatch.setattr(splitmemo, "served_split", checked)
    root = _library(tmp_path / "lib", 16)
    session = Session(root, root / "site", defer_collector=True)
    assert session.build(hold=True).errors == 0
    session.persist()
    patched = []
    for n, rel in enumerate(("n3.md", "n5.md", "n7.md", "n9.md", "n11.md")):
        if n == 2:  # the manifest written again behind the session's back: read again
            manifest = root / "site" / MARKER
            manifest.write_bytes(manifest.read_bytes())
            _later(manifest)
            (root / "site" / "papers" / "mine.txt").write_text("mine", "utf-8")
            _later(root / "site" / "papers")
        path = root / "papers" / rel
        path.write_text(path.read_text("utf-8") + f"\nOn rank, {n}.\n", "utf-8")
        session.invalidate([str(path.resolve())])
        assert session.build().errors == 0
        patched.append("split-moved" in session.made)
        session.persist()
    # All but the save that found the manifest read again.
    assert patched == [True, True, False, True, True]
    assert "papers/mine.txt" in site_tree(root / "site")

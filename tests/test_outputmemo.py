"""A serve session's commit takes the bytes of the site and the user's files from the last
commit while no file came, went or was resized since (``OutputMemo.whole``): what it reports
is what a look at the output folder finds, save after save, and a file the user drops into
the folder, or resizes, or removes, is seen by the next save."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_serve_flat import _library

from papernotes.incremental.session import Session
from papernotes.outputmemo import OutputMemo
from papernotes.write import MARKER


def _on_disk(out: Path) -> tuple[int, tuple[str, ...]]:
    """The bytes of the manifest's files, and the files in ``out`` it does not list."""
    files = json.loads((out / MARKER).read_text("utf-8"))["files"]
    size = sum((out / rel).stat().st_size for rel in files)
    found = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name != MARKER and ".papernotes-tmp" not in p.parts
    }
    return size, tuple(sorted(found - files.keys(), key=lambda r: r.split("/")))


def _later(folder: Path) -> None:
    """Move ``folder``'s time past a coarse clock's tick (a file came or went in the last one)."""
    moved = folder.stat().st_mtime_ns + 10**9
    os.utime(folder, ns=(moved, moved))


def _save(session: Session, root: Path, rel: str, n: int) -> tuple[int, tuple[str, ...]]:
    path = root / "papers" / rel
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text("utf-8") + f"\nOn rank, {n}.\n", "utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))
    session.invalidate([str(path.resolve())])
    report = session.build()
    assert report.errors == 0 and report.written is not None
    session.persist()
    return report.written.bytes, report.written.kept


def test_the_bytes_and_the_users_files_are_the_folders_save_after_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _library(tmp_path / "lib", 12)
    out = root / "site"
    session = Session(root, out, defer_collector=True)
    assert session.build(hold=True).errors == 0
    session.persist()
    hits: list[bool] = []
    whole = OutputMemo.whole

    def counted(memo: OutputMemo, old: dict[str, str]) -> object:
        found = whole(memo, old)
        hits.append(found is not None)
        return found

    monkeypatch.setattr(OutputMemo, "whole", counted)
    assert _save(session, root, "n3.md", 0) == _on_disk(out)
    assert _save(session, root, "n4.md", 1) == _on_disk(out)
    assert hits[-1], hits  # taken from the commit before: nothing else moved
    (out / "papers" / "mine.txt").write_text("my own notes", "utf-8")
    _later(out / "papers")
    assert _save(session, root, "n5.md", 2) == _on_disk(out)
    assert not hits[-1] and "papers/mine.txt" in _on_disk(out)[1]
    assert _save(session, root, "n6.md", 3) == _on_disk(out)
    assert hits[-1]
    index = out / "index.html"  # a file of the site, resized behind the session's back
    index.write_bytes(index.read_bytes() + b"<!-- mine -->")
    _later(out)
    assert _save(session, root, "n7.md", 4) == _on_disk(out)
    assert not hits[-1]
    (out / "papers" / "mine.txt").unlink()
    _later(out / "papers")
    assert _save(session, root, "n8.md", 5) == _on_disk(out) and _on_disk(out)[1] == ()
    assert not hits[-1]

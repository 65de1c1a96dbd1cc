"""The cache save (``incremental.cache.persist`` → ``incremental.store.save``): a cold build's
many entries are written by forked workers, byte for byte as one process writes them, while a
save of a few entries forks nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cachefiles import encoded_here

from benchmarks.generate import generate
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import entryfile, parallel, store


def _cold(root: Path, workers: int) -> dict[str, bytes]:
    """A cold build's cache entries and index, by name."""
    for folder in ("site", ".papernotes"):
        shutil.rmtree(root / folder, ignore_errors=True)
    config, _ = load_config(root)
    report = build(root, config, out=root / "site", workers=workers)
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    folder = root / ".papernotes" / "cache"
    return {
        p.name: p.read_bytes() for p in [folder / store.INDEX, *(folder / store.ENTRIES).iterdir()]
    }


def test_a_cold_builds_entries_are_written_by_the_workers_as_one_process_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # a small library is worth a fork here
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 8)  # and its 16 buckets a pool
    root = tmp_path / "lib"
    notes = generate(parallel.PARALLEL_FROM + 16, root)
    alone = _cold(root, workers=1)
    here = encoded_here(monkeypatch)
    shared = _cold(root, workers=2)
    # A bucket per 32 notes or fewer, and the index.
    assert 1 < len(alone) - 1 <= entryfile.buckets_for(len(notes)) < len(notes)
    assert shared.keys() == alone.keys()
    # The index names the cache key, which names the library folder only: the same.
    assert shared == alone
    # The parent's first slice of buckets; the rest forked.
    assert 0 < len(here) < len(notes) // 2


def test_a_save_of_a_few_entries_writes_them_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    root = tmp_path / "lib"
    notes = generate(parallel.PARALLEL_FROM + 16, root)
    _cold(root, workers=2)
    here = encoded_here(monkeypatch)
    note = notes[0]
    note.write_text(note.read_text("utf-8") + "\nOne more line.\n", encoding="utf-8")
    config, _ = load_config(root)
    assert build(root, config, out=root / "site", workers=2).errors == 0
    assert here == [f"papers/{note.name}"]

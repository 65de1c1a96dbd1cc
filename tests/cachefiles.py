"""The build cache's files as the tests poke them: a note's entry is in a bucket file
(``incremental.entryfile``), found by the count of buckets the index names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes.incremental import entryfile, store

CACHE = Path(".papernotes") / "cache"


def bucket(root: Path, path: str) -> Path:
    """The bucket file that holds the entry of the note file ``path``."""
    count = json.loads((root / CACHE / "index.json").read_bytes())["buckets"]
    return root / CACHE / entryfile.ENTRIES / entryfile.bucket_of(path, count)


def entries(data: bytes) -> dict[str, bytes]:
    """Note file → its entry, of a bucket file's bytes."""
    return {head["path"]: data[at : at + size] for at, _, size, head in entryfile.scan(data)}


def entry(root: Path, path: str) -> bytes:
    """The entry of the note file ``path`` as its bucket holds it."""
    return entries(bucket(root, path).read_bytes())[path]


def rewrite_entry(root: Path, path: str, change: Callable[[bytes], bytes]) -> Path:
    """Change the entry of ``path`` in its bucket, the other entries left as they are; the
    bucket file."""
    file = bucket(root, path)
    data = file.read_bytes()
    at, _, size, _ = next(e for e in entryfile.scan(data) if e[3]["path"] == path)
    file.write_bytes(data[:at] + change(data[at : at + size]) + data[at + size :])
    return file


def all_entries(root: Path) -> dict[str, bytes]:
    """Note file → its entry, of every bucket."""
    found: dict[str, bytes] = {}
    for file in (root / CACHE / entryfile.ENTRIES).iterdir():
        if entryfile.bucket_count(file.name) is not None:
            found.update(entries(file.read_bytes()))
    return found


def encoded_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The note files whose entries this process encodes from now on (a forked worker
    counts in its own copy of the list, never seen here)."""
    here: list[str] = []
    real = store._entry_bytes

    def counted(cache, path, version, entry):  # type: ignore[no-untyped-def]
        here.append(path)
        return real(cache, path, version, entry)

    monkeypatch.setattr(store, "_entry_bytes", counted)
    return here

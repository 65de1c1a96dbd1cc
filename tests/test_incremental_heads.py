"""The heads file (``incremental.heads``): an edit build reads every entry's first line from
it, reading no bucket file for that, whatever the library's size; a heads file that is
missing, damaged, of another cache or out of date with a bucket costs only the time it saves
(those entries are read from their buckets) and is written whole again; the site is the
same byte for byte as a clean build's either way."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cachefiles import bucket, entries

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import entryread, heads, versions

from conftest import note_text, site_tree, write_note

HEADS = Path(".papernotes") / "cache" / heads.HEADS
Hash = Callable[..., str]


def _library(root: Path, n: int) -> Path:
    (root / "papers").mkdir(parents=True)
    for i in range(n):
        cites = f"cites: [paper{i - 1}]\n" if i else ""
        extra = f"id: paper{i}\n{cites}"
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", year=2000 + i % 20, extra=extra))
    return root


def _build(root: Path, out: Path | None = None, **kw: object):  # type: ignore[no-untyped-def]
    config, _ = load_config(root)
    report = build(root, config, out=out or root / "site", workers=1, **kw)  # type: ignore[arg-type]
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    return report


def _edit(root: Path, i: int, line: str = "One more line.") -> None:
    path = root / "papers" / f"n{i}.md"
    path.write_text(path.read_text("utf-8") + f"\n{line}\n", encoding="utf-8")


class _Opens:
    """The heads files opened (by ``os.open``), the note files whose entries were read from
    their buckets for their first line, and the buckets read for them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.heads: list[str] = []
        self.first_lines: list[str] = []
        self.buckets: list[str] = []
        real_open, real_entry, real_scan = os.open, entryread.entry, entryread.scan_file

        def opening(path, *args, **kw):  # type: ignore[no-untyped-def]
            if str(path).endswith(f"/cache/{heads.HEADS}"):
                self.heads.append(str(path))
            return real_open(path, *args, **kw)

        def entry(file: str, path: str, *args, **kw):  # type: ignore[no-untyped-def]
            self.first_lines.append(path)
            return real_entry(file, path, *args, **kw)

        def scan(file: str):  # type: ignore[no-untyped-def]
            self.buckets.append(file)
            return real_scan(file)

        monkeypatch.setattr(os, "open", opening)
        monkeypatch.setattr(entryread, "entry", entry)
        monkeypatch.setattr(entryread, "scan_file", scan)


def _edit_build(root: Path, monkeypatch: pytest.MonkeyPatch, i: int) -> _Opens:
    with monkeypatch.context() as m:
        opens = _Opens(m)
        _edit(root, i)
        report = _build(root)
    assert report.rendered > 0
    return opens


def test_an_edit_reads_no_entry_file_for_its_first_line_at_30_notes_or_120(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lines after the first are read as before, for the few pages an edit makes again
    # (the search shard it is in, its preview cards): tests/test_incremental_store.py.
    for n in (30, 120):
        root = _library(tmp_path / str(n), n)
        _build(root)
        first = _edit_build(root, monkeypatch, 5)  # the heads file a cold build wrote
        again = _edit_build(root, monkeypatch, 7)  # the one an edit build wrote
        assert first.first_lines == again.first_lines == first.buckets == again.buckets == []
        # Read once, and once more by the save to copy the lines of the entries it kept.
        assert len(first.heads) == len(again.heads) == 2
        _build(root, tmp_path / f"clean{n}", use_cache=False)
        assert site_tree(root / "site") == site_tree(tmp_path / f"clean{n}")


def test_a_save_hashes_the_version_of_the_edited_entry_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An entry made from what its first line says (its text digest and parts' fingerprints)
    # keeps its version; only the edited note's is a new digest, at 30 notes or 120.
    for n in (30, 120):
        root = _library(tmp_path / str(n), n)
        _build(root)
        hashed: list[str] = []

        def counting(*parts: object, seen: list[str] = hashed, real: Hash = versions.digest) -> str:
            if str(parts[0]).startswith("papers/"):
                seen.append(str(parts[0]))
            return real(*parts)

        with monkeypatch.context() as m:
            m.setattr(versions, "digest", counting)  # what makes the versions
            _edit(root, 5)
            _build(root)
        assert hashed == ["papers/n5.md"]
        _build(root, tmp_path / f"clean{n}", use_cache=False)
        assert site_tree(root / "site") == site_tree(tmp_path / f"clean{n}")


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garbage(data: bytes) -> bytes:
    return b"[" * 50_000 + b"]" * 50_000


def _other_key(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    said = json.loads(header)
    return json.dumps({**said, "key": "0" * 32}).encode() + b"\n" + rest


def _wrong_size(data: bytes) -> bytes:  # n3's bucket said to be a byte longer than it is
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        if b'"path":"papers/n3.md"' in line:
            size, rest = line.split(b" ", 1)
            lines[i] = b"%d " % (int(size) + 1) + rest
    return b"\n".join(lines)


def _wrong_version(data: bytes) -> bytes:  # n3's line of another version
    return data.replace(b'"path":"papers/n3.md","version":"', b'"path":"papers/n3.md","version":"0')


@pytest.mark.parametrize(
    ("spoil", "read"),
    [
        (_cut, None),  # the entries after the cut: read from their buckets
        (_garbage, 12),
        (_other_key, 12),
        (_wrong_size, 1),
        (_wrong_version, 1),
        (None, 12),  # no heads file at all
    ],
    ids=["cut", "garbage", "other-key", "wrong-size", "wrong-version", "missing"],
)
def test_a_damaged_heads_file_costs_only_the_entries_it_fails(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spoil: Callable[[bytes], bytes] | None,
    read: int | None,
) -> None:
    root = _library(tmp_path / "lib", 12)
    _build(root)
    file = root / HEADS
    if spoil is None:
        file.unlink()
    else:
        file.write_bytes(spoil(file.read_bytes()))
    opens = _edit_build(root, monkeypatch, 5)
    if read is None:
        assert 0 < len(opens.first_lines) < 12
    else:
        assert len(opens.first_lines) == read
    # Nothing was wrong with the entries: no warning, and no note made again but the edited.
    assert (root / HEADS).read_bytes() != b""
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")
    # The save wrote it whole again: the next edit reads no entry for its first line.
    assert _edit_build(root, monkeypatch, 6).first_lines == []


def test_a_bucket_written_again_by_hand_is_read_from_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same bytes, but another file (inode, time): the heads file no longer vouches for
    # it, nor for the other entries of its bucket; the bucket is read once for them.
    root = _lib_built(tmp_path)
    file = bucket(root, "papers/n3.md")
    data = file.read_bytes()
    file.unlink()
    file.write_bytes(data)
    opens = _edit_build(root, monkeypatch, 5)
    assert sorted(opens.first_lines) == sorted(entries(data)) and "papers/n3.md" in entries(data)
    # Read for the build, and once more by the save for the heads file's lines of it.
    assert opens.buckets == [str(file)] * 2
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def test_a_heads_file_that_is_a_symlink_is_not_read_nor_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _lib_built(tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_bytes((root / HEADS).read_bytes())
    (root / HEADS).unlink()
    (root / HEADS).symlink_to(outside)
    before = outside.read_bytes()
    opens = _edit_build(root, monkeypatch, 5)
    assert len(opens.first_lines) == 12
    assert outside.read_bytes() == before
    assert not (root / HEADS).is_symlink()  # replaced by the save, not written through


def _lib_built(tmp_path: Path) -> Path:
    root = _library(tmp_path / "lib", 12)
    _build(root)
    return root

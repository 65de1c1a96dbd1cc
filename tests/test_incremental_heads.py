"""The heads file (``incremental.heads``): an edit build reads every entry's first line from
it, opening no entry file for that, whatever the library's size; a heads file that is
missing, damaged, of another cache or out of date with an entry costs only the time it saves
(those entries are read from their own files) and is written whole again; the site is the
same byte for byte as a clean build's either way."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import entryread, heads, versions
from papernotes.incremental.store import ENTRIES, entry_name

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
    """The heads files opened (by ``os.open``), and the entry files read for their first
    line."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.heads: list[str] = []
        self.first_lines: list[str] = []
        real_open, real_head = os.open, entryread._read_head

        def opening(path, *args, **kw):  # type: ignore[no-untyped-def]
            if str(path).endswith(f"/cache/{heads.HEADS}"):
                self.heads.append(str(path))
            return real_open(path, *args, **kw)

        def head(path: str) -> tuple[bytes, int]:
            self.first_lines.append(path)
            return real_head(path)

        monkeypatch.setattr(os, "open", opening)
        monkeypatch.setattr(entryread, "_read_head", head)


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
        assert first.first_lines == again.first_lines == []
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


def _wrong_size(data: bytes) -> bytes:  # n3's entry said to be a byte longer than it is
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
        (_cut, None),  # the entries after the cut: read from their own files
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


def test_an_entry_written_again_by_hand_is_read_from_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same bytes, but another file (inode, time): the heads file no longer vouches for it.
    root = _lib_built(tmp_path)
    entry = root / ".papernotes" / "cache" / ENTRIES / entry_name("papers/n3.md")
    data = entry.read_bytes()
    entry.unlink()
    entry.write_bytes(data)
    opens = _edit_build(root, monkeypatch, 5)
    assert opens.first_lines == [str(entry)]
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

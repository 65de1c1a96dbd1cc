"""Atomic writes (papernotes.atomic): both operations, with failures injected at each step."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes.atomic import create_new, temp_name, write_atomic


def _replace(path: Path, data: bytes) -> None:
    write_atomic(path, data)


def _replace_synced(path: Path, data: bytes) -> None:
    write_atomic(path, data, fsync=True)


def _create(path: Path, data: bytes) -> None:
    create_new(path, data)


Op = Callable[[Path, bytes], None]
# operation, whether it may replace an existing file
OPERATIONS: list[tuple[str, Op, bool]] = [
    ("write_atomic", _replace, True),
    ("write_atomic fsync", _replace_synced, True),
    ("create_new", _create, False),
]
# os function to break, operations that call it
STEPS = [
    ("open", ("write_atomic", "write_atomic fsync", "create_new")),
    ("write", ("write_atomic", "write_atomic fsync", "create_new")),
    ("fsync", ("write_atomic fsync",)),
    ("replace", ("write_atomic", "write_atomic fsync")),
    ("link", ("create_new",)),
]
CASES = [
    pytest.param(name, op, step, id=f"{name}-{step}")
    for name, op, _ in OPERATIONS
    for step, users in STEPS
    if name in users
]


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_temp_names_are_short_fresh_and_hidden() -> None:
    names = {temp_name() for _ in range(50)}
    assert len(names) == 50
    assert all(re.fullmatch(r"\.pn-[0-9a-f]{8}\.tmp", n) for n in names)


@pytest.mark.parametrize(("name", "op", "step"), CASES)
def test_a_failure_at_any_step_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, op: Op, step: str
) -> None:
    target = tmp_path / "note.md"

    # A failing link makes create_new fall back to an exclusive create, so it is interrupted
    # (Ctrl-C) instead; the others fail as a full disk does.
    error = KeyboardInterrupt() if step == "link" else OSError(28, "No space left on device")

    def broken(*args: object, **kwargs: object) -> object:
        raise error

    monkeypatch.setattr(os, step, broken)
    with pytest.raises((OSError, KeyboardInterrupt)) as caught:
        op(target, b"new text\n")
    monkeypatch.undo()
    if isinstance(caught.value, OSError):
        assert caught.value.filename == str(target)  # the user's file, not the temporary
    assert _listing(tmp_path) == []


@pytest.mark.parametrize(("name", "op", "replaces"), OPERATIONS)
def test_existing_file(tmp_path: Path, name: str, op: Op, replaces: bool) -> None:
    target = tmp_path / "note.md"
    old = b"old \x00 bytes\r\n"
    target.write_bytes(old)
    if replaces:
        op(target, b"new")
        assert target.read_bytes() == b"new"
    else:
        with pytest.raises(FileExistsError) as caught:
            op(target, b"new")
        assert caught.value.filename == str(target)
        assert target.read_bytes() == old
    assert _listing(tmp_path) == ["note.md"]


@pytest.mark.parametrize(("name", "op", "replaces"), OPERATIONS)
def test_255_byte_names_work(tmp_path: Path, name: str, op: Op, replaces: bool) -> None:
    target = tmp_path / ("注" * 83 + "abc.md")  # 83 × 3 + 6 = 255 bytes
    assert len(target.name.encode("utf-8")) == 255
    op(target, b"x" * 100_000)
    assert target.read_bytes() == b"x" * 100_000
    assert _listing(tmp_path) == [target.name]


def test_create_new_without_hard_links_creates_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "new.md"
    create_new(target, b"text")
    assert target.read_bytes() == b"text"
    with pytest.raises(FileExistsError):
        create_new(target, b"other")
    assert target.read_bytes() == b"text"
    assert _listing(tmp_path) == ["new.md"]


def test_create_new_without_hard_links_removes_a_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    target = tmp_path / "new.md"

    def no_links(*args: object) -> None:
        raise OSError(1, "Operation not permitted")

    def write(fd: int, data: bytes) -> int:
        if os.path.exists(target):  # the exclusive create's write, not the temporary's
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "write", write)
    with pytest.raises(OSError):
        create_new(target, b"text")
    monkeypatch.undo()
    assert _listing(tmp_path) == []


def test_write_atomic_keeps_the_mode_it_is_given(tmp_path: Path) -> None:
    target = tmp_path / "note.md"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomic(target, b"new", mode=0o640)
    assert target.stat().st_mode & 0o777 == 0o640


def test_write_atomic_puts_its_temporary_in_tmp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    seen: list[str] = []
    real = os.replace

    def replace(src: str, dst: str) -> None:
        seen.append(os.path.dirname(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_atomic(tmp_path / "out.json", b"{}", tmp_dir=staging)
    assert seen == [str(staging)]
    assert (tmp_path / "out.json").read_bytes() == b"{}"

"""A cold build's packed bodies and terms wait for the cache save in an unnamed file in the
library's state folder (``incremental.spool``), not in the parent's memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from papernotes.incremental import spool as spool_mod
from papernotes.incremental.packed import pack_made
from papernotes.incremental.spool import Spool
from papernotes.markdown._types import RenderedBody


def _bodies(n: int) -> dict[str, tuple[str, RenderedBody]]:
    return {
        f"k{i}": (f"fp{i}", RenderedBody(f"<p>note {i} " + "word " * 200 + "</p>", "", f"t{i}"))
        for i in range(n)
    }


def test_spooled_values_read_back_equal_and_leave_no_file(tmp_path: Path) -> None:
    (tmp_path / ".papernotes").mkdir()
    spool = Spool.open(tmp_path)
    assert spool is not None
    bodies = _bodies(20)
    packed = pack_made(bodies, "body", spool=spool)
    assert packed is not None
    assert packed.held() == 0  # every text in the file
    assert dict(packed.items()) == bodies and packed["k3"] == bodies["k3"]
    assert packed.may_hold("k3", "note 3 ") and not packed.may_hold("k3", "note 4 ")
    assert list(os.listdir(tmp_path / ".papernotes")) == []  # the file has no name


def test_a_value_the_spool_cannot_write_stays_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool.open(tmp_path)  # the state folder is made
    assert spool is not None
    real = os.pwrite
    bodies = _bodies(6)
    monkeypatch.setattr(spool_mod.os, "pwrite", _failing_every_other(real))
    packed = pack_made(bodies, "body", spool=spool)
    assert packed is not None
    assert packed.held() > 0  # the three it could not write
    assert dict(packed.items()) == bodies


def _failing_every_other(real):  # type: ignore[no-untyped-def]
    count = [0]

    def pwrite(fd: int, data: bytes, at: int) -> int:
        count[0] += 1
        if count[0] % 2:
            raise OSError(28, "No space left on device")
        return int(real(fd, data, at))

    return pwrite


def test_no_spool_where_the_state_folder_leads_out(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / ".papernotes").symlink_to(outside)
    assert Spool.open(lib) is None
    assert list(outside.iterdir()) == []


def test_no_spool_without_pread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "pread")  # as on Windows
    assert Spool.open(tmp_path) is None
    packed = pack_made(_bodies(3), "body", spool=None)
    assert packed is not None and packed.held() > 0


def test_a_forked_worker_reads_its_parents_spool_but_never_writes_it(tmp_path: Path) -> None:
    """A worker's write would land where the parent's next one goes: it keeps its value."""
    spool = Spool.open(tmp_path)
    assert spool is not None
    first = spool.put(b"parent")
    assert first == (0, 6)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            ok = spool.put(b"worker") is None and spool.get(*first) == b"parent"
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    told = os.read(read, 1)
    os.waitpid(pid, 0)
    assert told == b"1"
    assert spool.put(b"next") == (6, 4) and spool.get(6, 4) == b"next"

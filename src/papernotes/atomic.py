"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Two operations, and every file papernotes writes outside the site's staging folder goes
through one of them:

- :func:`write_atomic` replaces a file (the site manifest, the build cache, a ``.bib``, the
  HTTP cache, a note whose ``cites:`` ``link`` extends);
- :func:`create_new` creates a file that must not exist yet, and never overwrites one (new
  notes, ``init``'s files).

Both write the bytes to a temporary file in the same folder (so the final rename or link never
crosses file systems), then rename or hard-link it into place. The temporary name is short and
fixed in length (``.pn-<8 hex>.tmp``, see :func:`temp_name`), so a destination whose name is at
the file system's limit (255 bytes) still gets one, and it is removed on every failure — a full
disk, a failing fsync or rename, Ctrl-C. An OSError names the destination, never the temporary.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["TMP_PREFIX", "TMP_SUFFIX", "create_new", "temp_name", "write_atomic"]

TMP_PREFIX = ".pn-"
TMP_SUFFIX = ".tmp"


def temp_name() -> str:
    """A fresh temporary file name, 16 bytes long whatever it stands in for."""
    # os.urandom is what secrets.token_hex reads; importing secrets (random, hmac) cost more.
    return f"{TMP_PREFIX}{os.urandom(4).hex()}{TMP_SUFFIX}"


def _write_temp(
    folder: Path, data: bytes | Iterable[bytes], *, fsync: bool, mode: int | None
) -> Path:
    """A new temporary file in ``folder`` holding ``data``; nothing is left if this fails."""
    tmp = folder / temp_name()
    # O_EXCL: never follow or reuse a file someone else put there.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            _write_all(fd, data)
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def _write_all(fd: int, data: bytes | Iterable[bytes]) -> None:
    for piece in (data,) if isinstance(data, bytes) else data:
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view) :]


def _named(exc: BaseException, path: Path) -> BaseException:
    # The temporary name means nothing to the user; the destination does.
    if isinstance(exc, OSError) and exc.filename != str(path):
        renamed = type(exc)(exc.errno, exc.strerror or str(exc), str(path))
        renamed.__cause__ = exc
        return renamed
    return exc


def write_atomic(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    fsync: bool = False,
    tmp_dir: Path | None = None,
    mode: int | None = None,
) -> None:
    """Replace ``path`` with ``data`` (bytes, or pieces written in turn) atomically.

    ``tmp_dir`` (default: ``path``'s folder) must be on the same file system as ``path``.
    ``fsync`` flushes the bytes to the disk before the rename, for files that must survive a
    power cut intact (the rename itself is not flushed). ``mode`` sets the permission bits
    (default: 0o666 less the umask), e.g. to keep those of the file being replaced. Raises
    OSError with ``filename`` set to ``path``, never to the temporary name.
    """
    folder = tmp_dir if tmp_dir is not None else path.parent
    tmp: Path | None = None
    try:
        tmp = _write_temp(folder, data, fsync=fsync, mode=mode)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        named = _named(exc, path)
        if named is exc:
            raise
        raise named from exc


def create_new(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``; FileExistsError if it exists, which stays untouched.

    The bytes are hard-linked into place, and linking fails if the name is taken, so a reader
    never sees half a file and two writers never both succeed. Where the file system has no
    hard links, an exclusive create is the next best thing (a reader may then see the file
    while it is being written; a failed write removes it).
    """
    tmp: Path | None = None
    try:
        tmp = _write_temp(path.parent, data, fsync=False, mode=None)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            _create_exclusive(path, data)
    except BaseException as exc:
        named = _named(exc, path)
        if named is exc:
            raise
        raise named from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _create_exclusive(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        # We made this file a moment ago: half a file is worse than none.
        with contextlib.suppress(OSError):
            path.unlink()
        raise

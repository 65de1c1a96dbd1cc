"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The bytes go to a temporary file in the same folder (so the final rename never crosses file
systems), which is then renamed over the destination. The temporary name is short and fixed
in length (``.pn-<8 hex>.tmp``), so a destination whose name is at the file system's limit
(255 bytes) still gets one, and it is removed on any failure, a full disk or Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["TMP_PREFIX", "TMP_SUFFIX", "temp_name", "write_atomic"]

TMP_PREFIX = ".pn-"
TMP_SUFFIX = ".tmp"


def temp_name() -> str:
    """A fresh temporary file name, 16 bytes long whatever it stands in for."""
    return f"{TMP_PREFIX}{secrets.token_hex(4)}{TMP_SUFFIX}"


def write_atomic(
    path: Path, data: bytes, *, fsync: bool = False, tmp_dir: Path | None = None
) -> None:
    """Replace ``path`` with ``data`` atomically.

    ``tmp_dir`` (default: ``path``'s folder) must be on the same file system as ``path``.
    ``fsync`` flushes the bytes to the disk before the rename, for files that must survive a
    power cut intact (the rename itself is not flushed). Raises OSError with ``filename`` set
    to ``path``, never to the temporary name.
    """
    folder = tmp_dir if tmp_dir is not None else path.parent
    tmp = folder / temp_name()
    try:
        # O_EXCL: never follow or reuse a file someone else put there.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(fd, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename != str(path):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise

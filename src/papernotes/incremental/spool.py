"""An unnamed file in the library's state folder that holds a build's packed values until
the cache save, instead of the parent's memory.

A cold build's rendered bodies and search terms, packed (``incremental.packed``), are read
once more each: a body by its page (in the worker that renders it), the terms by nobody but the
cache save. Held as bytes they were about 3.5 KB a note in the parent at the pages stage, and
every page worker forked from it inherits them. In the spool they cost the parent two numbers
each; a page worker reads its body with ``pread`` on the descriptor it inherited.

The file has no name (``tempfile.TemporaryFile``: ``O_TMPFILE`` where there is one), in
``.papernotes/``, so it is never written outside the library's state, and it is gone when the
build ends however it ends: a failed or interrupted build leaves nothing behind, and the last
build's cache is never touched. Where the file cannot be made or written (a read-only
library, a full disk), the values stay in memory as before.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

__all__ = ["Spool"]


class Spool:
    """Bytes written once at the file's end, read back by where they are."""

    __slots__ = ("_end", "_fd", "_file", "_last", "_owner")

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file  # kept: closing it (when the spool goes) gives the space back
        self._fd = file.fileno()
        self._end = 0
        self._owner = os.getpid()
        self._last: tuple[int, Any] | None = None

    @classmethod
    def open(cls, root: Path) -> Spool | None:
        """A new spool in ``root``'s state folder; None when one cannot be made there."""
        import tempfile  # here: an edit build (no spool) does not import it

        from papernotes.incremental.cache import state_path

        if not hasattr(os, "pread"):  # Windows: kept in memory
            return None
        try:
            folder = state_path(root)  # ``.papernotes`` itself, not a symlink out
            folder.mkdir(exist_ok=True)
            return cls(tempfile.TemporaryFile(dir=folder))
        except OSError:
            return None

    def put(self, data: bytes) -> tuple[int, int] | None:
        """Where ``data`` now is in the file (offset, length); None when it cannot be written
        (the caller keeps it), or in a forked worker: the file's end is its parent's to move,
        and a worker's write would land where the parent's next goes."""
        if os.getpid() != self._owner:
            return None
        at = self._end
        try:
            if os.pwrite(self._fd, data, at) != len(data):
                return None
        except OSError:
            return None
        self._end = at + len(data)
        return at, len(data)

    def get(self, at: int, size: int) -> bytes:
        """What :meth:`put` wrote at ``at``."""
        data = os.pread(self._fd, size, at)
        if len(data) != size:  # the file is ours alone: only a failing disk gets here
            raise OSError(f"spooled value cut short ({len(data)} of {size} bytes)")
        return data

    def json(self, at: int, size: int) -> Any:
        """What :meth:`put` wrote at ``at``, decoded as JSON. The last value read is kept
        (one note's values are read one after another: ``spoolquotes``); it is never changed
        by its readers."""
        last = self._last
        if last is not None and last[0] == at:
            return last[1]
        import json  # here: an edit build (no spool) does not import it

        value = json.loads(self.get(at, size))
        self._last = (at, value)
        return value

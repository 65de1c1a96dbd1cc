"""Stage 5, streamed: each page is staged as it is rendered, and the site changes at the end.

A build renders thousands of pages; holding them all until the write was most of a build's
memory. :class:`SiteWriter` takes them one at a time: a page's bytes are hashed and, when they
differ from what the output folder holds, written into ``.papernotes-tmp/`` at once, so only
the hashes stay in memory. This is phase 1 of :mod:`papernotes.write` (whose rules it
follows, and whose staging folder it uses); phase 2 runs in :meth:`SiteWriter.commit`.

Nothing outside the staging folder changes before ``commit``: a build that stops earlier (an
error in a template, ``--strict``, an exception, Ctrl-C) leaves the previous site as it was.
Leaving the ``with`` block removes the staging folder, and the output folder too when this
writer made it and it is still empty.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from papernotes import write
from papernotes.write import Copy, OutputRefused, Page, WriteReport

__all__ = ["SiteWriter"]


class SiteWriter:
    """One build's write of ``out``: :meth:`put` each file, then :meth:`commit`, inside a
    ``with`` block. A working object of one build, never kept."""

    def __init__(self, out: Path, *, fresh: bool = False) -> None:
        self.out, self.real, self.fresh = out, out.resolve(), fresh
        self._old: dict[str, str] = {}
        self.previous: dict[str, str] | None = None
        """The output folder's manifest as the last build left it (None: no site yet), read
        once on entry (``write.read_manifest``) for the writer and the planner alike."""
        self._files: dict[str, str] = {}
        self._todo: list[tuple[Path, str]] = []
        self._size = 0
        self._staging: write._Staging | None = None
        self._made: list[Path] = []
        self._done = False

    def __enter__(self) -> SiteWriter:
        real = self.real
        old = write.read_manifest(real, shown=self.out) if real.is_dir() else None
        if old is None and real.is_dir() and write._has_files(real):
            raise OutputRefused(f"{self.out}: is not empty and was not made by papernotes")
        self._old = old or {}
        self.previous = old
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._staging is not None:
            self._staging.__exit__(kind, exc, tb)
        if not self._done:
            for folder in self._made:  # deepest first: only what this writer made, if empty
                with contextlib.suppress(OSError):
                    folder.rmdir()

    def _stage(self) -> write._Staging:
        if self._staging is None:
            folder = self.real
            while not folder.exists() and folder != folder.parent:
                self._made.append(folder)
                folder = folder.parent
            self._staging = write._Staging(self.real, self.out).__enter__()
        return self._staging

    def put(self, item: Page | Copy) -> None:
        """Take one file of the new site: staged now when its bytes are new (or ``fresh``)."""
        if write.unsafe_path(item.path):
            raise ValueError(f"refusing to write outside the output folder: {item.path!r}")
        data = write._content(item)
        self._files[item.path] = digest = write._hash(data)
        self._size += len(data)
        real = self.real / item.path
        if self.fresh or self._old.get(item.path) != digest or not real.is_file():
            self._todo.append((self._stage().put(data, self.out / item.path), item.path))

    def commit(self, copies: Iterable[Copy] = (), *, unchanged: Iterable[str] = ()) -> WriteReport:
        """Make ``out`` hold exactly the files put, ``copies`` (a file put already wins over a
        copy to the same path) and ``unchanged`` (files of the last build that this one did
        not render again), plus the user's own files. Raises as ``write.write_site`` does."""
        real, old = self.real, self._old
        keep = set(unchanged)
        on_disk = write._scan(real)  # once, for the three questions below
        if any(not old.get(k) or k not in on_disk for k in keep):
            raise ValueError("unchanged files are missing from the output folder")
        for copy in copies:
            if copy.path not in self._files:
                self.put(copy)
        files = {**{k: old[k] for k in keep}, **self._files}
        write._check_targets(real, self.out, list(self._files), old)
        write._remove_legacy_litter(real)
        todo = self._todo
        stale = sorted(old.keys() - files.keys())
        staging = self._stage()  # made even when nothing changed: the folder then exists
        if todo or stale:
            staging.manifest({**old, **dict.fromkeys((rel for _, rel in todo), "")})
        for tmp, rel in todo:
            staging.place(tmp, rel)
        for rel in stale:
            staging.remove(rel)
        if todo or stale or files != old:
            staging.manifest(files)
        self._done = True
        size = self._size + sum(on_disk[k] for k in keep)
        kept = write._user_files(real, files, on_disk.keys() - set(stale))  # as it is now
        return WriteReport(len(files), len(todo), len(stale), size, tuple(kept))

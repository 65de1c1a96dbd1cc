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
import json
import os
import shutil
from collections.abc import Callable, Iterable
from functools import partial
from operator import add
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from papernotes import write
from papernotes.write import MARKER, Copy, OutputRefused, Page, WriteReport

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo

__all__ = ["OutputMemo", "SiteWriter", "output_memo"]

_Stamp = tuple[int, int, int]
"""A file's or folder's (size, modification time, inode)."""
_Base = tuple[dict[str, str], list[str], dict[str, int], set[str], list[str]]


def _stamp(path: str | Path) -> _Stamp | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class OutputMemo:
    """The output folder as this process last read or left it (``serve``): its manifest, and
    each folder's files with their sizes, so that a save reads the manifest and lists the
    folders again only when something else changed them since (their stamp moved).

    A save then costs the files it writes, not the site: at 10,000 notes reading the manifest
    twice and listing 13,000 files was a sixth of a save. What a commit changes, it records
    (:meth:`committed`), with the stamps the folders and the manifest have after it."""

    def __init__(self, count: Callable[[str, int], None] | None = None) -> None:
        self._count = count or (lambda tag, n: None)
        """Told each manifest read (``"manifest-read"``) and folder listed (``"folder-listed"``):
        what a test counts (``SaveMemo.count``)."""
        self._manifest: tuple[_Stamp, dict[str, str]] | None = None
        self._paths: frozenset[str] = frozenset()
        self._order: list[str] = []
        self._heads: list[str] = []
        """The manifest's paths last encoded, sorted, and each quoted with what comes before
        its hash (:meth:`encode`)."""
        self._folders: dict[str, tuple[_Stamp, dict[str, int], tuple[str, ...]]] = {}
        """Folder (site-relative, "" or ending in "/") → its stamp, files → size, subfolders."""
        self._base: _Base | None = None
        """The manifest last committed, each of its files quoted with its hash in the sorted
        order, each path's place in that order, the folders its files are in, and each path
        quoted with what comes before its hash (in that order): a save's
        manifests are patched from it (:meth:`encode_from`), not made again file by file."""
        self._found: dict[str, int] | None = None
        """Every folder's files in one (what :meth:`scan` gives), patched by each commit: kept
        while no folder moved, so a save does not gather the site's files again."""

    def manifest(self, real: Path, *, shown: Path | None = None) -> dict[str, str] | None:
        """``write.read_manifest(real)``, from memory while the file is the one read or
        written last (never to be changed in place: a caller copies it)."""
        stamp = _stamp(real / MARKER)
        kept = self._manifest
        if kept is not None and kept[0] == stamp:
            return kept[1]
        self._count("manifest-read", 1)
        found = write.read_manifest(real, shown=shown)
        # Stamped before reading: a manifest replaced meanwhile is read again next time.
        self._manifest = None if found is None or stamp is None else (stamp, found)
        return found

    def encode(self, files: dict[str, str]) -> str:
        """``write.manifest_json(files)``, with the paths sorted and quoted once while they
        are the same ones (a save most often changes hashes, not paths)."""
        if files.keys() != self._paths:
            self._paths = frozenset(files)
            self._order = sorted(files)
            self._heads = [f'{json.dumps(rel)}: "' for rel in self._order]
        # At C speed (no Python step per file): each head and hash joined, then closed.
        return _joined(list(map(add, self._heads, map(files.__getitem__, self._order))))

    def _keep(self, files: dict[str, str], moved: Iterable[str] | None) -> None:
        """Keep ``files`` (committed) as the base the next save's manifests are patched from;
        ``moved``: where it differs from the base before (None: made anew)."""
        base = self._base
        if moved is None or base is None:
            if files.keys() != self._paths:
                self.encode(files)  # the order and heads of these paths
            pieces = list(map(add, self._heads, map(files.__getitem__, self._order)))
            at = {rel: i for i, rel in enumerate(self._order)}
            dirs = {rel.rpartition("/")[0] for rel in files}
            self._base = (files, pieces, at, dirs, self._heads)
            return
        pieces, at, heads = base[1], base[2], base[4]  # the base before: no longer used
        for rel in moved:
            i = at[rel]
            pieces[i] = heads[i] + files[rel]
        self._base = (files, pieces, at, base[3], heads)

    def encode_from(self, old: dict[str, str], files: dict[str, str], moved: Iterable[str]) -> str:
        """``encode(files)``, where ``files`` has the paths of ``old`` (the manifest last
        committed) and differs from it at ``moved`` alone: the last manifest's quoted files
        with those replaced, joined (no step, and no new string, per file of the site)."""
        base = self._base
        if base is None or base[0] is not old:
            return self.encode(files)
        pieces, at, heads = list(base[1]), base[2], base[4]
        for rel in moved:
            i = at[rel]
            pieces[i] = heads[i] + files[rel]
        return _joined(pieces)

    def dirs(self, old: dict[str, str]) -> set[str] | None:
        """The folders the files of ``old`` (the manifest last committed) are in; None when
        not kept."""
        base = self._base
        return base[3] if base is not None and base[0] is old else None

    def scan(self, real: Path) -> dict[str, int]:
        """``write._scan(real)``: the folders whose stamp did not move from memory, and the
        files of all of them kept in one, patched with the folders listed again (the root, whose
        manifest each save replaces), not gathered again: never to be changed by a caller.
        Counts each file put into or taken out of that as ``"scan-file"``."""
        before = self._folders
        folders: dict[str, tuple[_Stamp, dict[str, int], tuple[str, ...]]] = {}
        listed: list[str] = []

        def visit(prefix: str) -> None:
            folder = os.path.join(real, prefix)
            stamp = _stamp(folder)
            kept = before.get(prefix)
            if stamp is None:
                return
            if kept is None or kept[0] != stamp:
                kept = (stamp, *self._list(folder, prefix))
                listed.append(prefix)
            folders[prefix] = kept
            for sub in kept[2]:
                visit(sub)

        visit("")
        self._folders = folders
        found = self._found
        if found is None:
            found = {}
            for kept in folders.values():
                found.update(kept[1])
            self._count("scan-file", len(found))
            self._found = found
            return found
        gone = [p for p in before if p not in folders]
        for prefix in (*listed, *gone):
            old = before.get(prefix)
            for rel in old[1] if old is not None else ():
                found.pop(rel, None)
            self._count("scan-file", len(old[1]) if old is not None else 0)
        for prefix in listed:
            found.update(folders[prefix][1])
            self._count("scan-file", len(folders[prefix][1]))
        return found

    def _list(self, folder: str, prefix: str) -> tuple[dict[str, int], tuple[str, ...]]:
        self._count("folder-listed", 1)
        files: dict[str, int] = {}
        subs: list[str] = []
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return files, ()
        for entry in entries:
            if not prefix and entry.name in write._RESERVED:
                continue
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    subs.append(rel + "/")
                elif entry.is_file():
                    files[rel] = entry.stat().st_size
            except OSError:  # gone meanwhile, or a symlink loop: not a file of the site
                continue
        return files, tuple(subs)

    def committed(
        self,
        real: Path,
        files: dict[str, str],
        placed: dict[str, int],
        removed: Iterable[str],
        moved: Iterable[str] | None = None,
    ) -> None:
        """Record a commit: the manifest ``files`` written, the files ``placed`` (path →
        size) and ``removed``. Each folder they are in is stamped anew; one not listed before
        (made by this commit) is listed next time. ``moved``: where ``files`` differs from
        the manifest committed before, which has the same paths (None: not so)."""
        stamp = _stamp(real / MARKER)
        self._manifest = None if stamp is None else (stamp, files)
        if stamp is None:
            self._base = None
        else:
            self._keep(files, moved)
        touched: dict[str, list[tuple[str, int | None]]] = {}
        for rel, size in (*placed.items(), *((rel, None) for rel in removed)):
            prefix = rel.rpartition("/")[0]
            touched.setdefault(prefix + "/" if prefix else "", []).append((rel, size))
        for prefix, changes in touched.items():
            kept = self._folders.pop(prefix, None)
            now = _stamp(os.path.join(real, prefix))
            if kept is None or now is None:  # a new folder: its parents list it next time
                self._found = None
                while prefix:
                    prefix = prefix[:-1].rpartition("/")[0]
                    prefix = prefix + "/" if prefix else ""
                    self._folders.pop(prefix, None)
                continue
            sizes = kept[1]  # ours alone (listed by ``_list``): patched in place
            found = self._found
            for rel, size in changes:
                if size is None:
                    sizes.pop(rel, None)
                    if found is not None:
                        found.pop(rel, None)
                else:
                    sizes[rel] = size
                    if found is not None:
                        found[rel] = size
            self._folders[prefix] = (now, sizes, kept[2])


def _joined(pieces: list[str]) -> str:
    """The manifest's text from its files, each quoted with what comes before its hash."""
    listed = '", '.join(pieces) + '"' if pieces else ""
    return '{"generator": "papernotes", "files": {' + listed + "}}"


def output_memo(memo: SaveMemo | None) -> OutputMemo | None:
    """The output folder's memo a save memo keeps (``serve``), or None (a build)."""
    return None if memo is None else memo.slot("output", partial(OutputMemo, memo.count))


class SiteWriter:
    """One build's write of ``out``: :meth:`put` each file, then :meth:`commit`, inside a
    ``with`` block. A working object of one build, never kept."""

    def __init__(self, out: Path, *, fresh: bool = False, memo: OutputMemo | None = None) -> None:
        self.out, self.real, self.fresh = out, out.resolve(), fresh
        self.memo = memo
        """What ``serve`` knows of the output folder from its last save (None: read it)."""
        self._old: dict[str, str] = {}
        self.previous: dict[str, str] | None = None
        """The output folder's manifest as the last build left it (None: no site yet), read
        once on entry (``write.read_manifest``) for the writer and the planner alike."""
        self._files: dict[str, str] = {}
        self._todo: list[tuple[Path, str]] = []
        self._placed: dict[str, int] = {}
        """Each file staged → its size."""
        self._size = 0
        self._staging: write._Staging | None = None
        self._made: list[Path] = []
        self._done = False

    def __enter__(self) -> SiteWriter:
        real = self.real
        read = self.memo.manifest if self.memo is not None else write.read_manifest
        old = read(real, shown=self.out) if real.is_dir() else None
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
            self._placed[item.path] = len(data)

    def commit(self, copies: Iterable[Copy] = (), *, unchanged: Iterable[str] = ()) -> WriteReport:
        """Make ``out`` hold exactly the files put, ``copies`` (a file put already wins over a
        copy to the same path) and ``unchanged`` (files of the last build that this one did
        not render again), plus the user's own files. Raises as ``write.write_site`` does."""
        real, old = self.real, self._old
        keep = set(unchanged)
        memo = self.memo
        on_disk = write._scan(real) if memo is None else memo.scan(real)  # for three questions
        # Set operations, not a loop over the site's files: a save keeps thousands.
        unknown = "" in old.values() and any(not old.get(k) for k in keep)
        if unknown or keep - old.keys() or keep - on_disk.keys():
            raise ValueError("unchanged files are missing from the output folder")
        for copy in copies:
            if copy.path not in self._files:
                self.put(copy)
        files = dict(old)  # the files kept, and those put (a site's order is the sorted one)
        for rel in old.keys() - keep:
            del files[rel]
        files.update(self._files)
        dirs = memo.dirs(old) if memo is not None else None
        write._check_targets(real, self.out, list(self._files), old, dirs)
        _remove_legacy_litter(real)
        todo = self._todo
        stale = sorted(old.keys() - files.keys())
        staging = self._stage()  # made even when nothing changed: the folder then exists
        # The same paths as the last manifest (a save most often): both manifests patched
        # from it where they differ (serve), not encoded file by file, twice.
        same = memo is not None and not stale and len(files) == len(old)
        encode = memo.encode if memo is not None else None
        if todo or stale:
            marked = {**old, **dict.fromkeys((rel for _, rel in todo), "")}
            if memo is not None and same:
                text = memo.encode_from(old, marked, (rel for _, rel in todo))
                staging.manifest(marked, lambda _: text)
            else:
                staging.manifest(marked, encode)
        for tmp, rel in todo:
            staging.place(tmp, rel)
        for rel in stale:
            staging.remove(rel)
        if todo or stale or files != old:
            if memo is not None and same:
                text = memo.encode_from(old, files, self._files)
                staging.manifest(files, lambda _: text)
            else:
                staging.manifest(files, encode)
        self._done = True
        size = self._size + sum(map(on_disk.__getitem__, keep))
        # As it is now; the site's own files left out at C speed, not copied twice first.
        kept = write._user_files(real, files, on_disk.keys() - files.keys() - set(stale))
        if memo is not None:  # after: it patches ``on_disk`` (the memo's) with this commit
            memo.committed(real, files, self._placed, stale, self._files if same else None)
        return WriteReport(len(files), len(todo), len(stale), size, tuple(kept))


def _remove_legacy_litter(real: Path) -> None:
    """Remove what a killed build of an earlier papernotes left beside the output folder:
    ``.site.new-PID/``, a half-made site, once it carries a manifest and its build is gone."""
    for path in real.parent.glob(f".{real.name}.new-*"):
        pid = path.name.rpartition("-")[2]
        if not pid.isdigit() or path.is_symlink() or not (path / MARKER).is_file():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass

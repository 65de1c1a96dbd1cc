"""The output folder as ``serve`` last read or left it (:class:`OutputMemo`): its manifest,
each folder's files and their sizes, kept from one save to the next so that a save reads,
lists and checks what changed since, not the whole site."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from operator import add
from pathlib import Path

from papernotes import write
from papernotes.write import MARKER

__all__ = ["OutputMemo"]

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
        self._whole: tuple[dict[str, str], int, tuple[str, ...]] | None = None
        """The manifest last committed, the bytes of its files and the user's files, while
        each of its files is in :meth:`scan`'s with the size it had then and no other file
        came or went (:meth:`whole`)."""

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
                fresh = (stamp, *self._list(folder, prefix))
                if kept is None or kept[1:] != fresh[1:]:  # a file came, went or was resized
                    self._whole = None
                kept = fresh
                listed.append(prefix)
            folders[prefix] = kept
            for sub in kept[2]:
                visit(sub)

        visit("")
        self._folders = folders
        found = self._found
        if found is None:
            self._whole = None
            found = {}
            for kept in folders.values():
                found.update(kept[1])
            self._count("scan-file", len(found))
            self._found = found
            return found
        gone = [p for p in before if p not in folders]
        if gone:
            self._whole = None
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

    def last(self, files: object) -> bool:
        """Whether ``files`` is the manifest last committed (the very map :meth:`manifest`
        gives while the file is the one that commit wrote)."""
        return self._base is not None and self._base[0] is files

    def whole(self, old: object) -> tuple[int, tuple[str, ...]] | None:
        """The bytes of the files of ``old`` and the user's files in the output folder, when
        ``old`` is the manifest last committed and no file came, went or was resized since
        (but by the commits recorded): each of its files is then in :meth:`scan`'s, with
        the size the commit left. None when not so."""
        whole = self._whole
        return whole[1:] if whole is not None and whole[0] is old else None

    def committed(
        self,
        real: Path,
        files: dict[str, str],
        placed: dict[str, int],
        removed: Iterable[str],
        moved: Iterable[str] | None = None,
        whole: tuple[int, tuple[str, ...]] | None = None,
    ) -> None:
        """Record a commit: the manifest ``files`` written, the files ``placed`` (path →
        size) and ``removed``. Each folder they are in is stamped anew; one not listed before
        (made by this commit) is listed next time. ``moved``: where ``files`` differs from
        the manifest committed before, which has the same paths (None: not so). ``whole``:
        the bytes of ``files`` and the user's files the folder holds (:meth:`whole`)."""
        self._whole = None if whole is None else (files, *whole)
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
                self._found = self._whole = None
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

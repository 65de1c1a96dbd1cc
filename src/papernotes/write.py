"""Stage 5: the only writer of the output folder.

Nothing outside the output folder is written, and nothing in it that papernotes did not write
is overwritten or deleted. The folder carries a manifest (``.papernotes-site.json``) of what
papernotes wrote, with a hash of each file; any other file in it (a ``CNAME``, a verification
file) is the user's. A build whose new site has a page where the user has a file refuses, and
writes nothing. A non-empty folder without a manifest, or with one that lists a path papernotes
could never have written (``../x``, ``/etc/x``, a path through a symlink that leads out), is
not treated as papernotes' and is never written to.

A build writes in place, in two phases, so the folder keeps its identity and permissions
(it may be a mount point) and a failed build leaves the previous site as it was:

1. every new or changed file is written into ``.papernotes-tmp/`` inside the output folder
   (short numbered names, so no name grows past the file system's limit), as it is rendered
   (``sitewriter.SiteWriter``: a build holds hashes, not pages). A full disk, an error or an
   interruption here removes that folder and changes nothing else.
2. the manifest is updated to cover the old and new files (each changed one marked "unknown",
   so the next build rewrites it), the files are renamed into place, stale ones are removed,
   and the final manifest is written. An interruption here leaves a site the next build
   completes.

``.papernotes-tmp/`` is the only temporary file papernotes makes in the output folder; one
left by a killed build is removed by the next.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import posixpath
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from papernotes._lazy import lazy_pattern
from papernotes.atomic import write_atomic
from papernotes.blake import blake2b
from papernotes.errors import PapernotesError

__all__ = [
    "MARKER",
    "STAGING",
    "Copy",
    "OutputRefused",
    "Page",
    "WriteFailed",
    "WriteReport",
    "check_output",
    "manifest_digest",
    "read_manifest",
    "write_site",
]

MARKER = ".papernotes-site.json"
STAGING = ".papernotes-tmp"
"""The folder inside the output folder where a build stages the files it writes."""
_STAGING_MARK = ".papernotes-staging"
_RESERVED = (MARKER, STAGING)
_HASH = lazy_pattern(r"[0-9a-f]{32}")
_LEGACY_TMP = lazy_pattern(r"\.pn-tmp-[0-9]+-(.+)")
"""Temporary files of earlier papernotes versions, left in the site by an interrupted build."""
_Read = Callable[..., dict[str, str] | None]
_Encode = Callable[[dict[str, str]], str]


class Page(NamedTuple):
    """One output file's bytes."""

    path: str
    """Site-relative path ("papers/hu2021lora.html")."""
    content: bytes


class Copy(NamedTuple):
    """A file copied into the site unchanged."""

    path: str
    """Site-relative destination."""
    source: Path
    """The file to copy."""


class OutputRefused(PapernotesError):
    """papernotes did not write the site; the message says why and what to do."""


class WriteFailed(OutputRefused):
    """The system refused a write (a full disk, permissions); the message names the file."""


class WriteReport(NamedTuple):
    """What a write did."""

    files: int
    """Files in the site that papernotes made."""
    written: int
    """Files actually (re)written by this build."""
    removed: int
    """Files of an earlier build that the new site no longer has, removed."""
    bytes: int
    """Total size of the site's files."""
    kept: tuple[str, ...]
    """The user's own files found in the output folder, left alone."""


def check_output(root: Path, out: Path, papers_dir: str, read: _Read | None = None) -> None:
    """Raise OutputRefused unless papernotes may write its site into ``out`` (``read``: how
    to read its manifest, ``read_manifest`` by default; ``serve`` keeps it in memory)."""
    root_r, out_r = root.resolve(), out.resolve()
    papers = (root / papers_dir).resolve()
    if out_r == root_r:
        raise OutputRefused(f"{out}: is the library root; choose a folder such as site/")
    if root_r.is_relative_to(out_r):
        raise OutputRefused(f"{out}: contains the library; choose a folder inside it")
    for name, protected in ((f"{papers_dir}/", papers), ("templates/", root_r / "templates")):
        if out_r.is_relative_to(protected) or protected.is_relative_to(out_r):
            raise OutputRefused(f"{out}: overlaps {name}; choose another output folder")
    if out_r.exists() and not out_r.is_dir():
        raise OutputRefused(f"{out}: exists and is not a folder")
    if out_r.is_dir() and (read or read_manifest)(out_r, shown=out) is None and _has_files(out_r):
        raise OutputRefused(
            f"{out}: is not empty and was not made by papernotes; "
            "empty it or choose another folder (papernotes never deletes files it did not write)"
        )


def _has_files(folder: Path) -> bool:
    return any(p.name != STAGING for p in folder.iterdir())


def _hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def unsafe_path(rel: str) -> str | None:
    """Why ``rel`` is not a plain site-relative path papernotes could write, or None."""
    if not rel or "\\" in rel or "\0" in rel:
        return "is empty or has a backslash or NUL"
    if rel.startswith("/") or posixpath.normpath(rel) != rel:
        return "is absolute or not normalised"
    parts = rel.split("/")
    if ".." in parts or "." in parts:
        return "leads outside the output folder"
    if parts[0] in _RESERVED:
        return "is a name papernotes reserves"
    return None


def read_manifest(out: Path, *, shown: Path | None = None) -> dict[str, str] | None:
    """What the last build wrote into ``out``: path → content hash ("" when unknown), or None
    when there is no manifest.

    A manifest is untrusted (it decides what a build deletes): one that cannot be read, or
    that lists a path papernotes would never write or a malformed hash, raises OutputRefused.
    """
    shown = shown or out
    try:
        data = json.loads((out / MARKER).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError):
        data = None
    files = data.get("files") if isinstance(data, dict) else None
    if isinstance(files, list):  # an older manifest without hashes: every file counts as changed
        files = dict.fromkeys(files, "")
    if not isinstance(files, dict):
        raise _untrusted(shown, "cannot be read")
    for rel, digest in files.items():
        why = unsafe_path(rel) if isinstance(rel, str) else "is not a string"
        if why:
            raise _untrusted(shown, f"lists {rel!r}, which {why}")
        if not isinstance(digest, str) or (digest and not _HASH().fullmatch(digest)):
            raise _untrusted(shown, f"has a malformed hash for {rel!r}")
    return files


def _untrusted(shown: Path, why: str) -> OutputRefused:
    return OutputRefused(
        f"{shown / MARKER}: {why}; papernotes will not trust it to decide what to replace or "
        f"delete. Move your own files out of {shown} and delete the folder, or choose "
        "another output folder"
    )


def manifest_digest(out: Path) -> str:
    """A hash of the output folder's manifest ("" when there is none), for the no-op check."""
    try:
        return _hash((out / MARKER).read_bytes())
    except OSError:
        return ""


_ADVICE = {
    errno.ENOSPC: "free some space and build again",
    errno.EDQUOT: "free some space and build again",
    errno.EACCES: "check that you may write to this folder",
    errno.EPERM: "check that you may write to this folder",
    errno.EROFS: "the file system is read-only; choose another output folder",
    errno.ENAMETOOLONG: "the name is too long for this file system",
}


def _failed(exc: OSError, shown: Path) -> WriteFailed:
    advice = _ADVICE.get(exc.errno or 0)
    reason = exc.strerror or str(exc)
    return WriteFailed(f"{shown}: cannot write: {reason}" + (f" ({advice})" if advice else ""))


def _content(item: Page | Copy) -> bytes:
    return item.content if isinstance(item, Page) else item.source.read_bytes()


def write_site(
    pages: Sequence[Page],
    copies: Sequence[Copy],
    out: Path,
    *,
    unchanged: Iterable[str] = (),
    fresh: bool = False,
) -> WriteReport:
    """Make ``out`` hold exactly these pages and copies (plus the user's own files).

    ``unchanged`` names files the previous build wrote and this one did not render again
    because nothing they show changed; they stay as they are. ``fresh`` rewrites every file
    even when its bytes did not change. Raises OutputRefused (nothing written) when the new
    site would replace a file papernotes did not write, and WriteFailed naming the file when
    the system refuses a write.
    """
    from papernotes.sitewriter import SiteWriter

    items: list[Page | Copy] = [*copies, *pages]
    for item in items:
        if unsafe_path(item.path):
            raise ValueError(f"refusing to write outside the output folder: {item.path!r}")
    with SiteWriter(out, fresh=fresh) as writer:
        for item in items:
            writer.put(item)
        return writer.commit(unchanged=unchanged)


def manifest_json(files: dict[str, str]) -> str:
    """The manifest's text (without its last newline): the files sorted by path."""
    return json.dumps({"generator": "papernotes", "files": dict(sorted(files.items()))})


def _rmtree(path: Path, *, ignore_errors: bool = False) -> None:
    # shutil is imported here, when a staging folder is removed: its import (bz2, lzma, ...)
    # is a cost a quick edit, which imports this module for its writers, never uses.
    import shutil

    shutil.rmtree(path, ignore_errors=ignore_errors)


class _Staging:
    """``.papernotes-tmp/`` for one build: created on entry, always removed on exit."""

    def __init__(self, real: Path, out: Path) -> None:
        self.real, self.out = real, out
        self.dir = real / STAGING
        self.count = 0
        self._pid, self._folder = 0, self.dir
        self.folders: set[str] = set()

    def __enter__(self) -> _Staging:
        try:
            self.real.mkdir(parents=True, exist_ok=True)
            if self.dir.is_symlink() or self.dir.exists():
                self._clear_stale()
            self.dir.mkdir()
            (self.dir / _STAGING_MARK).touch()
        except OSError as exc:
            self._remove()
            raise _failed(exc, self.out / STAGING) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        self._remove()

    def _clear_stale(self) -> None:
        ours = self.dir.is_dir() and not self.dir.is_symlink()
        if ours and ((self.dir / _STAGING_MARK).is_file() or not any(self.dir.iterdir())):
            _rmtree(self.dir)
            return
        raise OutputRefused(
            f"{self.out / STAGING}: papernotes keeps its temporary files under this name, "
            "but this is not one of its folders; rename it"
        )

    def _remove(self) -> None:
        if self.dir.is_dir() and not self.dir.is_symlink():
            _rmtree(self.dir, ignore_errors=True)

    def put(self, data: bytes, shown: Path, name: str = "") -> Path:
        """Stage one file's bytes; the returned name is short whatever the page's is: ``name``
        (unique in this build), or the next number. Each process stages into a folder of its
        own: two workers making files in one folder wait on its lock, and the kernel spins
        while it waits (up to 7% of a cold build's CPU at 1,000 notes)."""
        if not name:
            self.count += 1
        tmp = self._mine() / (name or str(self.count))
        try:
            with tmp.open("xb") as f:
                f.write(data)
        except OSError as exc:
            raise _failed(exc, shown) from exc
        return tmp

    def _mine(self) -> Path:
        pid = os.getpid()
        if self._pid != pid:
            folder = self.dir / str(pid)
            try:
                folder.mkdir(exist_ok=True)
            except OSError as exc:
                raise _failed(exc, self.out / STAGING) from exc
            self._pid, self._folder = pid, folder
        return self._folder

    def place(self, tmp: Path, rel: str) -> None:
        dest = self.real / rel
        folder = rel.rpartition("/")[0]
        try:
            if folder not in self.folders:  # made once, not asked again for each of its files
                dest.parent.mkdir(parents=True, exist_ok=True)
                self.folders.add(folder)
            os.replace(tmp, dest)
        except OSError as exc:
            raise _failed(exc, self.out / rel) from exc

    def remove(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            (self.real / rel).unlink()

    def manifest(self, files: dict[str, str], encode: _Encode | None = None) -> None:
        text = (encode or manifest_json)(files)
        try:
            write_atomic(self.real / MARKER, (text + "\n").encode("utf-8"), tmp_dir=self.dir)
        except OSError as exc:
            raise _failed(exc, self.out / MARKER) from exc


def _scan(real: Path) -> dict[str, int]:
    """Every file in ``real`` (a symlink to one too, not what a symlinked folder holds) → its
    size, but the names papernotes reserves: one ``scandir`` pass, not a ``stat`` per file."""
    found: dict[str, int] = {}

    def visit(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if not prefix and entry.name in _RESERVED:
                continue
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    visit(entry.path, rel + "/")
                elif entry.is_file():
                    found[rel] = entry.stat().st_size
            except OSError:  # gone meanwhile, or a symlink loop: not a file of the site
                continue

    visit(str(real), "")
    return found


def _user_files(real: Path, ours: dict[str, str], found: Iterable[str] | None = None) -> list[str]:
    """The files in ``real`` papernotes did not write, sorted (``found``: :func:`_scan`'s)."""
    names = _scan(real) if found is None else found
    kept = []
    for rel in sorted(set(names) - ours.keys(), key=lambda r: r.split("/")):
        legacy = _LEGACY_TMP().fullmatch(posixpath.basename(rel))
        if legacy and posixpath.join(posixpath.dirname(rel), legacy[1]) in ours:
            with contextlib.suppress(OSError):  # an older papernotes' temporary file
                (real / rel).unlink()
            continue
        kept.append(rel)
    return kept

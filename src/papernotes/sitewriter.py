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
import os
import shutil
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple

from papernotes import write
from papernotes.blake import blake2b
from papernotes.write import MARKER, Copy, OutputRefused, Page, WriteReport

if TYPE_CHECKING:
    from papernotes.bib.entrytexts import Sent
    from papernotes.errors import Diagnostic
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.outputmemo import OutputMemo
    from papernotes.sitejobs import Job

__all__ = ["Made", "SiteWriter", "Staged", "output_memo"]


def output_memo(memo: SaveMemo | None) -> OutputMemo | None:
    """The output folder's memo a save memo keeps (``serve``), or None (a build)."""
    if memo is None:
        return None
    from papernotes.outputmemo import OutputMemo  # serve's alone

    return memo.slot("output", partial(OutputMemo, memo.count))


class Staged(NamedTuple):
    """One file of the new site as :class:`SiteWriter` holds it: its hash, not its bytes."""

    path: str
    """Site-relative path."""
    digest: str
    """Hash of its bytes (the manifest's)."""
    size: int
    """Its length in bytes."""
    tmp: Path | None
    """Where it is staged, or None: the output folder holds these very bytes already."""


class Made(NamedTuple):
    """What one job made, as :meth:`SiteWriter.made` sends it back: its files, staged."""

    files: tuple[Staged, ...]
    """Its files, in the order it made them."""
    diagnostics: tuple[Diagnostic, ...]
    """Its problems, in the order met."""
    entries: Sent = ()
    """The .bib entries its paper page made in a worker (``render.Output.entries``)."""


def _name(path: str) -> str:
    """The staged name of the page at ``path``: short, and unique in a build without a count
    kept across the workers (each path is made once)."""
    return "p" + blake2b(path.encode("utf-8"), digest_size=10).hexdigest()


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
        self._stage()  # now: the workers that render the pages stage them there (``made``)
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
        self._took(self._staged(item))

    def made(self, job: Job) -> Made:
        """Run ``job`` and stage its files, where it runs (``plan.render_site``'s workers):
        what goes back to :meth:`take` is their hashes, not their bytes (19.6 MB of pages
        pickled back at 1,000 notes, then hashed and written by the parent alone)."""
        output = job.run()
        files = tuple(self._staged(page, _name(page.path)) for page in output.pages)
        return Made(files, output.diagnostics, output.entries)

    def take(self, made: Made) -> tuple[Diagnostic, ...]:
        """Take the files :meth:`made` staged, in job order; the job's problems."""
        for staged in made.files:
            self._took(staged)
        return made.diagnostics

    def _staged(self, item: Page | Copy, name: str = "") -> Staged:
        if write.unsafe_path(item.path):
            raise ValueError(f"refusing to write outside the output folder: {item.path!r}")
        data = write._content(item)
        digest = write._hash(data)
        real = self.real / item.path
        if self.fresh or self._old.get(item.path) != digest or not real.is_file():
            tmp = self._stage().put(data, self.out / item.path, name)
            return Staged(item.path, digest, len(data), tmp)
        return Staged(item.path, digest, len(data), None)

    def _took(self, staged: Staged) -> None:
        self._files[staged.path] = staged.digest
        self._size += staged.size
        if staged.tmp is not None:
            self._todo.append((staged.tmp, staged.path))
            self._placed[staged.path] = staged.size

    def commit(self, copies: Iterable[Copy] = (), *, unchanged: Iterable[str] = ()) -> WriteReport:
        """Make ``out`` hold exactly the files put, ``copies`` (a file put already wins over a
        copy to the same path) and ``unchanged`` (files of the last build that this one did
        not render again), plus the user's own files. Raises as ``write.write_site`` does."""
        real, old = self.real, self._old
        keep = set(unchanged)
        memo = self.memo
        on_disk = write._scan(real) if memo is None else memo.scan(real)  # for three questions
        # ``serve``: the last manifest's files all on disk, as the last commit left them.
        whole = memo.whole(old) if memo is not None else None
        # Set operations, not a loop over the site's files: a save keeps thousands.
        unknown = "" in old.values() and any(not old.get(k) for k in keep)
        gone = old.keys() - keep  # not kept: as many as this build renders again (a save)
        # The kept files all in the last manifest (``keep - old`` by counts), and on disk.
        missing = len(gone) != len(old) - len(keep) or (whole is None and keep - on_disk.keys())
        if unknown or missing:
            raise ValueError("unchanged files are missing from the output folder")
        for copy in copies:
            if copy.path not in self._files:
                self.put(copy)
        files = dict(old)  # the files kept, and those put (a site's order is the sorted one)
        for rel in gone:
            del files[rel]
        files.update(self._files)
        dirs = memo.dirs(old) if memo is not None else None
        _check_targets(real, self.out, list(self._files), old, dirs)
        _remove_legacy_litter(real)
        todo = self._todo
        stale = sorted(rel for rel in gone if rel not in files)  # ``old - files``, as kept ⊆ old
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
        if whole is None:
            size = self._size + sum(map(on_disk.__getitem__, keep))
        else:  # the last manifest's bytes but those of the files not kept (``keep`` ⊆ old)
            size = self._size + whole[0] - sum(map(on_disk.__getitem__, gone))
        if whole is not None and same:  # the same files of ours, and no file came or went
            kept = whole[1]
        else:  # as it is now; the site's own files left out at C speed, not copied twice first
            found = on_disk.keys() - files.keys() - set(stale)
            kept = tuple(write._user_files(real, files, found))
        if memo is not None:  # after: it patches ``on_disk`` (the memo's) with this commit
            moved = self._files if same else None
            memo.committed(real, files, self._placed, stale, moved, (size, kept))
        return WriteReport(len(files), len(todo), len(stale), size, kept)


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


def _check_targets(
    real: Path,
    out: Path,
    paths: Sequence[str],
    old: dict[str, str],
    dirs: Iterable[str] | None = None,
) -> None:
    """Refuse, before anything is written, to replace a file of the user's or to write or
    delete through a symlink that leads out of the output folder. ``dirs``: the folders of
    ``old``'s files, when the caller has them (``serve`` keeps them)."""
    theirs: set[str] = set()
    folders: set[Path] = set()
    held: dict[str, bool] = {}  # asked once a folder, not once a file: a site has few folders
    for rel in paths:
        parent = rel.rpartition("/")[0]
        if parent not in held:
            held[parent] = _may_hold(real, parent, old, theirs)
            folders.add(real / parent)
        if held[parent] and rel not in old and ((p := real / rel).is_symlink() or p.exists()):
            theirs.add(rel)
    if theirs:
        names = ", ".join(str(out / r) for r in sorted(theirs)[:5])
        raise OutputRefused(
            f"{names}: not written by papernotes, and this build would replace it; nothing "
            f"was written. Move your file out of {out}, or change the note's id so its page "
            "gets another name"
        )
    # The folders by name first: a site has thousands of files in a few dozen folders.
    if dirs is None:
        dirs = {rel.rpartition("/")[0] for rel in old}
    folders.update(real / d for d in dirs)
    for folder in sorted(folders):
        if not folder.resolve().is_relative_to(real):
            raise OutputRefused(
                f"{out / folder.relative_to(real)}: leads outside {out} (a symbolic link?); "
                "papernotes writes only inside its output folder: replace it with a folder"
            )


def _may_hold(real: Path, folder: str, old: dict[str, str], theirs: set[str]) -> bool:
    """Whether the folder ``folder`` may hold files: False when it surely is no folder (a cold
    build's are not there yet), so none of its files is asked about. Each of its folders that
    is a file (or a link to one) goes to ``theirs``: the user's, where a folder would go."""
    parts = folder.split("/") if folder else []
    for prefix in ("/".join(parts[: i + 1]) for i in range(len(parts))):
        p = real / prefix
        if prefix not in old and (p.is_symlink() or p.exists()) and not p.is_dir():
            theirs.add(prefix)
    try:
        os.stat(real / folder)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        pass  # its files asked about one by one
    return True

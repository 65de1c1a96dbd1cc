"""Has anything changed since the last build? Answered from file sizes and times alone, once
the configuration is read (``build`` asks :func:`up_to_date`); the command line asks
``replay`` first, which needs not even that. When something did change, the same sizes and
times tell the build which notes did not (:func:`stamped_notes`): it takes those from the cache
without reading or hashing them.

This module imports nothing heavy (no Markdown, templates or BibTeX); what the full check
needs is imported when it runs.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from papernotes import __version__
from papernotes.incremental.replay import diagnostics_to_json, saved_report

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from papernotes.config import Config
    from papernotes.errors import Diagnostic
    from papernotes.incremental.cache import BuildCache
    from papernotes.load import Source, Walk

__all__ = [
    "LastBuild",
    "StampedNotes",
    "diagnostics_to_json",
    "restamp",
    "stamp_for",
    "stamped_notes",
    "up_to_date",
]

RACY_NS = 10 * 10**9
"""How long before a stamp was taken a file must have last moved for its size and time to
vouch for its text: a file saved again within the same tick of a coarse clock (two seconds on
FAT, a jiffy on ext4) keeps its time, so one that moved this close to the stamp is read again
(git's "racy" files)."""


def _watched_folders(folders: Iterable[Path]) -> dict[str, int | None]:
    """Every folder under ``folders`` (through symlinks, once each; none hidden) → its
    modification time, None for a folder that is not there: a file added, removed or renamed
    in one changes it."""
    seen: set[str] = set()
    out: dict[str, int | None] = {}

    def visit(path: str) -> None:
        try:
            st = os.stat(path)
            entries = list(os.scandir(path))
        except OSError:
            out[path] = None
            return
        real = os.path.realpath(path)
        out[path] = st.st_mtime_ns
        if real in seen:
            return
        seen.add(real)
        for entry in entries:
            try:
                folder = not entry.name.startswith(".") and entry.is_dir()
            except OSError:  # a symlink loop
                continue
            if folder:
                visit(entry.path)

    for folder in folders:
        visit(str(folder))
    return out


def stamp_for(root: Path, config: Config, out: Path) -> dict[str, Any]:
    """Sizes and times of every input (notes and files, templates, configuration), the
    options that shape the output, and the times of the folders that hold them."""
    from papernotes import load
    from papernotes.incremental import cache
    from papernotes.theme import theme_dirs

    # The notes as load_sources finds them, through the folder symlinks it follows.
    notes = load.input_files(root, config.papers_dir)
    files = [root / "papernotes.yaml", root / "pyproject.toml", *notes]
    extra = f"{__version__}|{out.resolve()}|{config!r}"
    # styles/: the library's own CSL styles (bib.styles), read by every full build.
    folders = (*theme_dirs(root), root / "styles")
    # Taken before any file is looked at: ``stamped_notes`` trusts only files older than this.
    taken = time.time_ns()
    stamp = cache.input_stamp(root, folders, files, extra)
    # Where a new input could appear: the notes, theme and styles folders, the library's own
    # templates/ (theme_dirs leaves it out while it is missing), and the configuration files
    # (stamped only when present, so their absence is watched too).
    watch = _watched_folders([root / config.papers_dir, root / "templates", *folders])
    for name in ("papernotes.yaml", "pyproject.toml"):
        if str(root / name) not in stamp["inputs"]:
            watch[str(root / name)] = None
    return {**stamp, "watch": watch, "taken": taken}


class LastBuild(NamedTuple):
    """What the last build reported, when nothing changed since."""

    notes: int
    """Notes built."""
    pages: int
    """Files in the output folder."""
    diagnostics: tuple[Diagnostic, ...]
    """Its problems, as it reported them (before ``--strict``)."""


def _last_build(saved: dict[str, Any]) -> LastBuild | None:
    report = saved_report(saved)
    return None if report is None else LastBuild(*report)


def restamp(stamp: dict[str, Any], changed: Iterable[str]) -> dict[str, Any] | None:
    """``stamp`` with the ``changed`` files (absolute paths) looked at again: what
    :func:`stamp_for` would give when nothing else moved (``serve``, told by its watcher what
    did). None when a changed file is not an input yet or went away: :func:`stamp_for` then
    walks everything.

    The folders keep the times stamped before, and a file that moved unreported its old
    entry: at worst the next check finds something moved that did not, never the opposite
    (a folder's new time would vouch for files added in it that were never stamped)."""
    changed = list(changed)
    inputs: dict[str, list[int]] = dict(stamp["inputs"])
    by_path = None  # made only for a path not stamped as it is given
    if any(path not in inputs for path in changed):
        by_path = {os.path.abspath(k): k for k in inputs}
    patched = {**stamp, "inputs": inputs}
    return patched if moved_in_place(patched, changed, by_path) is not None else None


def moved_in_place(
    stamp: dict[str, Any], changed: Iterable[str], by_path: Mapping[str, str] | None = None
) -> bool | None:
    """Patch ``stamp`` (``serve``'s own, never shared with a caller that reads it after)
    with the ``changed`` files (absolute paths) looked at again; whether one of them moved.
    ``by_path``: each input's absolute path → its name in the stamp (a library given by a
    relative path). None when one is not an input or went away (``stamp`` may then be
    patched in part: the caller takes a stamp afresh).

    A file that moved makes the inputs differ from any stamp saved before it moved, so the
    build is not a no-op: nothing else is read, copied or compared (a copy and a comparison
    of every input's entry, and the saved stamp read from disk, each save)."""
    inputs = stamp["inputs"]
    moved = False
    for path in changed:
        key = path if path in inputs else (by_path or {}).get(os.path.abspath(path))
        if key is None:
            return None
        try:
            st = os.stat(key)
        except OSError:
            return None
        now = [st.st_size, st.st_mtime_ns]
        if inputs[key] != now:
            inputs[key] = now
            moved = True
    return moved


def up_to_date(
    root: Path, config: Config, out: Path, stamp: dict[str, Any] | None = None
) -> tuple[dict[str, Any], LastBuild | None]:
    """The input stamp (``stamp`` when given: :func:`restamp`'s), and the last build's report
    when nothing changed since (else None)."""
    from papernotes import write
    from papernotes.incremental import cache

    stamp = stamp if stamp is not None else stamp_for(root, config, out)
    saved = cache.stamp_matches(root, stamp, write.manifest_digest(out.resolve()))
    return stamp, None if saved is None else _last_build(saved)


class StampedNotes:
    """The notes that did not move since the last build, given without reading them
    (``load.Known``): an edit build reads and hashes the notes edited, not the library.

    A note is given as its path and the digest of its text the cache holds, with no text:
    the parse stage keeps the cached note of a file whose digest is the one it had, so it
    never reads the text of one given here."""

    def __init__(self, still: frozenset[str], digests: dict[str, str]) -> None:
        """``still``: the files (as stamped) that did not move; ``digests``: note file (as
        the cache names it) → the digest of its text."""
        self._still = still
        self._digests = digests
        self.given = 0
        """Notes given without reading them (what the tests count)."""

    def __call__(self, path: Path, display: str) -> Source | None:
        from papernotes.load import Source

        sha = self._digests.get(display)
        if sha is None or str(path) not in self._still:
            return None
        self.given += 1
        return Source(display, "", sha)

    def walk(self, root: Path, papers_dir: str, patterns: tuple[str, ...]) -> Walk:
        from papernotes.load import walk_notes

        return walk_notes(root, papers_dir, patterns)


def stamped_notes(
    root: Path, stamp: dict[str, Any], previous: BuildCache | None
) -> StampedNotes | None:
    """The notes whose file has, in ``stamp`` (this build's), the size and time the last
    build's stamp gave it, if it had last moved well before that stamp was taken
    (:data:`RACY_NS`), and whose parsed note the last build's cache (``previous``) holds;
    None when there is no such stamp or cache.

    The saved stamp is untrusted (a library may come with one): each value used is checked
    to be what ``stamp_for`` writes. The worst a crafted one can do is keep a cached note
    of this very library (the cache is keyed by the library folder's identity) after its
    file changed, as a crafted ``stamp.json`` can already make a build a no-op."""
    from papernotes.incremental import cache

    if previous is None or not stamp:  # no cache, or no stamp (``--no-cache``)
        return None
    saved = cache.saved_stamp(root)
    if saved is None or saved.get("extra") != stamp.get("extra"):
        return None
    taken, then, now = saved.get("taken"), saved.get("inputs"), stamp.get("inputs")
    if type(taken) is not int or type(then) is not dict or type(now) is not dict:
        return None
    before = taken - RACY_NS
    still = frozenset(
        path
        for path, seen in now.items()
        if type(old := then.get(path)) is list
        and old == seen
        and len(old) == 2
        and type(old[1]) is int
        and old[1] < before
    )
    return StampedNotes(still, {display: entry[0] for display, entry in previous.notes.items()})

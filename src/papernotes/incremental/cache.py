"""The build cache: what the last successful build read and wrote, so the next one redoes only
what changed.

It lives in ``<library>/.papernotes/cache/``, outside the site:

- ``stamp.json``: the sizes and modification times of every input, and the output folder's
  manifest digest. When nothing moved, ``papernotes build`` stops here, before importing the
  Markdown, template and BibTeX machinery.
- ``index.json`` and ``notes/``: parsed notes (body text and what was extracted from it),
  rendered note bodies, the search terms and formatted references of each note, one file per
  note, and the fingerprint of every page (``incremental.store``).

All are untrusted input (a library may come with them): the cache is plain JSON decoded
against our own type annotations (``incremental.codec``), so it can hold only values of the
declared types and never run code; the paths and hashes in them are only compared with ones
the build computed, never opened or deleted. A cache from another version, another layout, a
different configuration or theme is ignored (the build starts cold); a damaged index or note
entry is ignored with one warning naming the file (what it held is made again). The stamp is
written last, after a successful build. ``build.pickle``, the format of earlier versions, is
never read (unpickling can run code): it is removed.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papernotes.atomic import write_atomic
from papernotes.blake import blake2b
from papernotes.write import OutputRefused

if TYPE_CHECKING:
    from papernotes.bib.styles import Reference
    from papernotes.build import Run
    from papernotes.errors import Diagnostic
    from papernotes.incremental.deferred import GiveUp
    from papernotes.incremental.searchstate import DocEntry, SearchState
    from papernotes.incremental.summary import PlanSummary
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import Note
    from papernotes.search.index import DocTerms

__all__ = [
    "CACHE_DIR",
    "BuildBusy",
    "BuildCache",
    "NoteEntry",
    "build_lock",
    "digest",
    "drafts",
    "input_stamp",
    "load_cache",
    "persist",
    "read_cache",
    "rebuilt_if_damaged",
    "save_cache",
    "saved_stamp",
    "stamp_matches",
    "state_path",
]

STATE_DIR = ".papernotes"
CACHE_DIR = f"{STATE_DIR}/cache"


def digest(*parts: object) -> str:
    """A short stable hash of values whose ``repr`` is deterministic (strings, numbers,
    tuples, frozen dataclasses)."""
    return blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def text_digest(text: str) -> str:
    """The content hash of a source file's text."""
    return blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


NoteEntry = tuple[str, "Note | None", tuple["Diagnostic", ...]]
"""A note as :attr:`BuildCache.notes` keeps it: (text digest, the parsed note or None, its
problems)."""


def drafts(parsed: Mapping[str, NoteEntry]) -> tuple[str, ...]:
    """The notes left out on purpose (``draft: true``): no note, and a note-level message;
    the notes that parsed passed over at C speed (in Python, 3 ms a save at 10,000 notes)."""
    from itertools import compress, repeat
    from operator import is_, itemgetter

    from papernotes.errors import Severity

    none = compress(parsed.items(), map(is_, map(itemgetter(1), parsed.values()), repeat(None)))
    return tuple(p for p, (_, _, ds) in none if ds and ds[0].severity is Severity.NOTE)


@dataclass(frozen=True, slots=True)
class BuildCache:
    """What one build leaves for the next, made once from what its stages returned."""

    key: str
    """Digest of papernotes' version, the configuration and the theme; any change empties the
    cache."""
    notes: dict[str, tuple[str, Note | None, tuple[Diagnostic, ...]]]
    """Source path → (text digest, parsed note or None, its diagnostics)."""
    bodies: Mapping[str, tuple[str, RenderedBody]]
    """Citekey → (body fingerprint, RenderedBody)."""
    pages: dict[str, str]
    """Output path → fingerprint of what the page was made from."""
    terms: Mapping[str, tuple[str, DocTerms]]
    """Citekey → (fingerprint of its search document, its search terms)."""
    refs: Mapping[str, tuple[str, tuple[Reference, ...]]] = field(default_factory=dict)
    """Citekey → (fingerprint of its CSL item and the styles, its formatted references)."""
    stored: Mapping[str, str] = field(default_factory=dict)
    """Note file → version of its entry file as it is on disk (``incremental.store``): what a
    save need not write again."""
    docs: Mapping[str, tuple[str, DocEntry]] = field(default_factory=dict)
    """Citekey → (body fingerprint, (its search document's digest, the document))."""
    search: SearchState | None = None
    """The search index as built, to update rather than build again
    (``incremental.searchstate``); None when there is none."""
    summary: PlanSummary | None = None
    """What each note's fingerprints were made from (``incremental.summary``); None when
    there is none (``serve`` keeps its own)."""


class BuildBusy(OutputRefused):
    """Another build of the same library holds the lock."""


def state_path(root: Path, *parts: str) -> Path:
    """A path in the library's state folder, refusing one that a symlink leads elsewhere
    (a library could ship ``.papernotes/cache`` pointing into the user's home)."""
    path = root.joinpath(STATE_DIR, *parts)
    real_root = root.resolve()
    real = path.parent.resolve()
    if (real != real_root and real_root not in real.parents) or path.is_symlink():
        raise OSError(f"{path}: leads outside the library; remove it")
    return path


def load_cache(root: Path, key: str) -> BuildCache | None:
    """The cache of the last build, if it is readable and was made with the same key."""
    from papernotes.incremental import store

    return store.load(root, key)


def read_cache(root: Path, key: str) -> tuple[BuildCache | None, tuple[Diagnostic, ...]]:
    """:func:`load_cache` for a build that holds :func:`build_lock`, with a warning when the
    cache is damaged (a file cut short, of the wrong shape, not the one the index names):
    what it held is made again, so the site is the same, only the build is slower. One
    warning for the index, one for all the entries."""
    from papernotes.errors import warning
    from papernotes.incremental import store

    # The cache lives as long as the build: it is left out of the cycle collector's walks
    # until the build lets go of the library (``build_lock``).
    loaded, damage = store.read(root, key, freeze=True)
    hint = "nothing to do: the next build saves it whole again"
    index = [d for d in damage if d.note is None]
    entries = [d for d in damage if d.note is not None]
    found = [
        warning(d.file, None, f"build cache not used, everything is made again: {d.why}", hint)
        for d in index
    ]
    if entries:
        first = entries[0]
        more = f" (and {len(entries) - 1} more)" if len(entries) > 1 else ""
        message = (
            f"build cache entry of {first.note} not used, the note is made again: {first.why}{more}"
        )
        found.append(warning(first.file, None, message, hint))
    return loaded, tuple(found)


def save_cache(
    root: Path,
    cache: BuildCache,
    stamp: Mapping[str, Any],
    *,
    workers: int = 1,
    give_up: GiveUp = None,
) -> BuildCache:
    """Write the cache and the input stamp (the stamp last, so it never outlives its cache);
    ``cache`` with what is now stored on disk. Many entries are written over ``workers``
    processes (``store.save``), which asks ``give_up`` between its steps. Raises OSError
    (naming the file) when they cannot be written; SaveAbandoned (``deferred``).
    """
    from papernotes.incremental import store
    from papernotes.incremental.deferred import ASIDE, set_aside

    with contextlib.suppress(FileNotFoundError):  # the old stamp must not outlive its cache
        state_path(root, "cache", "stamp.json").unlink()
    if give_up is not None:  # the entries written before it gives up are no index's
        set_aside(root)
    saved = store.save(root, cache, workers=workers, give_up=give_up)
    with contextlib.suppress(FileNotFoundError):  # the index set aside: this one's past
        state_path(root, "cache", ASIDE).unlink()
    stamp_bytes = json.dumps(stamp, sort_keys=True).encode("utf-8")
    write_atomic(state_path(root, "cache", "stamp.json"), stamp_bytes)
    return saved


def persist(
    root: Path,
    done: Run,
    out: Path,
    *,
    workers: int = 1,
    ledger: bool = True,
    give_up: GiveUp = None,
) -> tuple[BuildCache | None, tuple[Diagnostic, ...]]:
    """Leave the cache and the input stamp of ``done`` (a build's ``Run``) for the next build:
    the cache as now stored (None when there is none), and a warning if it cannot be saved.
    Many entries to write go to ``workers`` processes (``store.save``). With ``ledger``, the
    search files' ledger too (``incremental.searchledger``: what a quick edit reads instead
    of the shards it does not touch; ``serve`` leaves none, its saves' work is per edit).
    Raises SaveAbandoned when ``give_up`` (asked between steps) says so (``serve``)."""
    from papernotes.errors import warning
    from papernotes.write import manifest_digest

    if done.cache is None:
        return None, ()
    stamp = {**done.stamp, "manifest": manifest_digest(out.resolve())}
    try:
        saved = save_cache(root, done.cache, stamp, workers=workers, give_up=give_up)
    except OSError as exc:  # the site is built; only the next build's head start is lost
        where, why = str(exc.filename or CACHE_DIR), exc.strerror or exc
        hint = "the site is built; the next build will redo everything"
        return None, (warning(where, None, f"cannot save the build cache: {why}", hint),)
    if ledger and done.cache.search is not None:
        from papernotes.incremental.searchledger import save_ledger

        # Only a head start for quick edits: one not left is one not read (bound to the files).
        with contextlib.suppress(OSError, ValueError):
            save_ledger(root, out, done.cache.search)
    return saved, ()


def rebuilt_if_damaged(root: Path, attempt: Callable[[], Run]) -> Run:
    """``attempt()``; if it met a cached note body that fits its entry but does not decode
    (a crafted file: ``incremental.lazybody``, read only when needed), the cache is cleared
    and the build made again without it, with one warning."""
    from dataclasses import replace

    from papernotes.errors import warning
    from papernotes.incremental.lazybody import BodyDamaged

    try:
        return attempt()
    except BodyDamaged as exc:
        clear_cache(root)
        done = attempt()
        said = warning(
            f"{CACHE_DIR}/notes",
            None,
            f"build cache not used, everything is made again: {exc}",
            "nothing to do: the next build saves it whole again",
        )
        report = replace(done.report, diagnostics=(said, *done.report.diagnostics))
        return done._replace(report=report)


def clear_cache(root: Path) -> None:
    """Forget the last build (``--clean``, ``--no-cache``)."""
    from papernotes.incremental import store
    from papernotes.incremental.deferred import ASIDE

    for name in ("stamp.json", ASIDE):
        with contextlib.suppress(FileNotFoundError):
            state_path(root, "cache", name).unlink()
    store.clear(root)


@contextlib.contextmanager
def collector_paused(pause: bool = True) -> Iterator[None]:
    """The cycle collector off while (``pause``) a stage makes objects that live to the end
    of the build (the notes, the library), frozen (``gc.freeze``) when it is done, until
    :func:`build_lock` lets go: no collection walks them again.

    Otherwise the collector's oldest generation is walked again each time the survivors
    grow by a quarter: at 5,000 notes, 8 full collections while the notes were read, 9.5 s
    of a cold build (under load; 26 at 20,000 notes, the longest 20 s). The stage makes
    almost no cyclic garbage (42 objects at 1,000 notes), which is found once thawed."""
    paused = pause and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.freeze()
            gc.enable()


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold the library's build lock: one build at a time, or BuildBusy.

    The lock is ``flock`` on ``.papernotes/build.lock``: the operating system releases it when
    the process ends, however it ends, so a crashed build never blocks the next. Where the
    state folder cannot be written (a read-only library) or ``flock`` does not exist, builds
    go unlocked: nothing else can write that library's state either.
    """
    try:
        import fcntl

        path = state_path(root, "build.lock")
        path.parent.mkdir(exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except (ImportError, OSError):
        fd = None
    thaw = gc.get_freeze_count() == 0
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildBusy(
                    f"{path}: another build of this library is running; "
                    "wait for it to finish, then build again"
                ) from None
        yield
    finally:
        # What the build froze when it read the cache (``read_cache``) is collectable again;
        # a caller's own frozen objects stay frozen.
        if thaw:
            gc.unfreeze()
        if fd is not None:
            os.close(fd)


def _files(folder: Path) -> Iterable[Path]:
    if folder.is_dir():
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    yield Path(dirpath) / name


def input_stamp(
    root: Path, folders: Iterable[Path], files: Iterable[Path], extra: str
) -> dict[str, Any]:
    """Size and modification time of every input file, plus ``extra`` (version, options)."""
    entries: dict[str, list[int]] = {}
    for path in [*files, *(p for folder in folders for p in _files(folder))]:
        try:
            st = path.stat()
        except OSError:
            continue
        entries[str(path)] = [st.st_size, st.st_mtime_ns]
    return {"extra": extra, "inputs": entries}


def stamp_matches(root: Path, stamp: Mapping[str, Any], manifest: str) -> dict[str, Any] | None:
    """The saved stamp, if the last build saw exactly these inputs and left the output folder
    as it is now; else None."""
    saved = saved_stamp(root)
    if saved is None or not manifest:
        return None
    same = (
        saved.get("inputs") == stamp["inputs"]
        and saved.get("extra") == stamp["extra"]
        and saved.get("manifest") == manifest
    )
    return saved if same else None


def saved_stamp(root: Path) -> dict[str, Any] | None:
    """The stamp the last build saved, as JSON (untrusted: the caller checks each value it
    uses); None when there is none or it is not a JSON object."""
    try:
        saved = json.loads(state_path(root, "cache", "stamp.json").read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return saved if isinstance(saved, dict) else None

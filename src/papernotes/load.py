"""Stage 1: find the notes and the files next to them, and read the notes as text.

Nothing from outside the library is read or published: a symlink (a note, a figure, a
folder) whose target lies outside the library root is recorded in ``Sources.outside`` instead
of being listed, and the stages that would use it say so. Symlinks that stay inside the
library work like the files they point to.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from papernotes.errors import Diagnostic, Location, Severity, error, warning
from papernotes.notetext import decode

if TYPE_CHECKING:
    from papernotes.exclude import Exclude

__all__ = [
    "LISTS_DIR",
    "Known",
    "Source",
    "Sources",
    "Walk",
    "decode",
    "escapes",
    "input_files",
    "load_sources",
    "outside_target",
]

LISTS_DIR = "lists"
"""The folder, directly in the notes folder, whose Markdown files are reading lists, not notes."""


class Source(NamedTuple):
    """One note file's text, decoded and with line endings normalised."""

    path: str
    """Relative to the library root, with ``/`` ("papers/peft/lora.md")."""
    text: str
    """UTF-8 text without a byte-order mark, with ``\\n`` line endings; empty for a note the
    build takes from its cache unread (``incremental.fastpath.StampedNotes``)."""
    digest: str = ""
    """``cache.text_digest(text)`` when made already (``serve`` keeps it with the text, so a
    save hashes only the files that moved); empty when not."""


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything under the notes folder."""

    notes: tuple[Source, ...]
    """The Markdown notes, sorted by path."""
    files: frozenset[str]
    """Every other file, relative to the notes folder ("peft/figures/lora.svg"): the files a
    note may link to or embed."""
    outside: Mapping[str, str] = field(default_factory=dict)
    """Symlinks that lead out of the library (notes, files, folders), relative to the notes
    folder → where they really point. None of them is read or published."""
    excluded: frozenset[str] = frozenset()
    """Files left out by the ``exclude`` patterns, relative to the notes folder: a link to
    one is reported as a link to an excluded file, not to a missing one."""
    lists: tuple[Source, ...] = ()
    """The reading lists: Markdown files directly in the notes folder's ``lists/``."""


def escapes(path: Path, roots: tuple[Path, ...]) -> Path | None:
    """Where ``path`` really is, when that is outside every one of ``roots`` (resolved
    folders); None when it stays inside one of them."""
    real = Path(os.path.realpath(path))  # never raises, even on a symlink loop
    return None if any(real.is_relative_to(r) for r in roots) else real


def outside_target(rel: str, outside: Mapping[str, str]) -> str | None:
    """Where ``rel`` (relative to the notes folder) really leads, when it or one of its
    folders is a symlink out of the library."""
    parts = rel.split("/")
    for n in range(1, len(parts) + 1):
        target = outside.get("/".join(parts[:n]))
        if target is not None:
            return target
    return None


@dataclass(slots=True)
class Walk:
    """The files found under the notes folder, and the symlinks refused on the way."""

    roots: tuple[Path, ...]
    """Where a symlink may lead: the library root and the notes folder, resolved."""
    patterns: tuple[str, ...] = ()
    """The ``exclude`` patterns: a file they match is listed in ``excluded`` instead."""
    files: list[tuple[Path, str]] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    """Excluded files → the pattern that excluded each."""
    outside: dict[str, str] = field(default_factory=dict)
    seen: set[Path] = field(default_factory=set)
    """Real folders already walked: a second symlink to one, or a loop, is not followed."""

    def visit(self, folder: Path, rel: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):  # editors and vaults keep state in .obsidian, .git
                continue
            path, sub = folder / entry.name, rel + entry.name
            if entry.is_symlink():
                target = escapes(path, self.roots)
                if target is not None:
                    self.outside[sub] = str(target)
                    continue
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:  # a symlink loop: it is not a file
                continue
            if is_dir:
                if entry.is_symlink():
                    real = Path(os.path.realpath(path))
                    # A link to a folder of the notes is an alias of notes already read; one
                    # to a folder holding them (the library root) would read them again.
                    notes = self.roots[1]
                    if (
                        real in self.seen
                        or real.is_relative_to(notes)
                        or notes.is_relative_to(real)
                    ):
                        continue
                    self.seen.add(real)
                self.visit(path, f"{sub}/")
            elif is_file:
                pattern = _matching(sub, self.patterns) if self.patterns else None
                if pattern is None:
                    self.files.append((path, sub))
                else:
                    self.excluded[sub] = pattern


def _matching(rel: str, patterns: tuple[str, ...]) -> str | None:
    from papernotes.exclude import matching  # a no-op build's walk has no patterns

    return matching(rel, patterns)


def walk_notes(root: Path, papers_dir: str, patterns: tuple[str, ...] = ()) -> Walk:
    """Every file under the notes folder, through the symlinks that stay in the library,
    with what the ``exclude`` ``patterns`` leave out and the symlinks that lead out."""
    base = root / papers_dir
    walk = Walk((root.resolve(), base.resolve()), patterns)
    walk.visit(base, "")
    return walk


def input_files(root: Path, papers_dir: str, patterns: tuple[str, ...] = ()) -> list[Path]:
    """Every file under the notes folder that a build reads or refuses, through the same
    symlinks ``load_sources`` follows: what decides whether anything changed. Files the
    ``exclude`` ``patterns`` match are left out."""
    if not (root / papers_dir).is_dir():
        return []
    walk = walk_notes(root, papers_dir, patterns)
    return [path for path, _ in walk.files] + [root / papers_dir / rel for rel in walk.outside]


class Known(Protocol):
    """What ``serve`` keeps of the notes folder from one save to the next
    (:class:`papernotes.incremental.session.TextMemo`)."""

    def __call__(self, path: Path, display: str) -> Source | None:
        """The note at ``path`` without reading it, when it did not move; else read now, or
        None (``load_sources`` then reads it and says what is wrong)."""

    def walk(self, root: Path, papers_dir: str, patterns: tuple[str, ...]) -> Walk:
        """:func:`walk_notes`, or the last walk while no file was added or removed."""


@runtime_checkable
class Replay(Protocol):
    """A :class:`Known` that also keeps what the last load found (``serve``'s): a save that
    moved no file in or out costs the files it moved, not a step per file of the library."""

    def replay(self, walk: Walk) -> tuple[Sources, tuple[Diagnostic, ...]] | None:
        """The last load of this very ``walk``, with the files that moved since read again;
        None when it cannot tell (the files are then gone through)."""

    def loaded(self, walk: Walk, found: Sources, diags: tuple[Diagnostic, ...]) -> None:
        """Told what a load of ``walk`` found."""


def load_sources(
    root: Path,
    papers_dir: str,
    exclude: Exclude | None = None,
    known: Known | None = None,
) -> tuple[Sources, tuple[Diagnostic, ...]]:
    """Read every ``*.md`` under ``root/papers_dir`` and list the other files there, leaving
    out what ``exclude`` matches (nothing when it is None). ``known`` may give a note without
    reading it, and the walk without walking (``serve`` keeps both)."""
    if not (root / papers_dir).is_dir():
        hint = "create it, or run 'papernotes init' to start a library"
        return Sources((), frozenset()), (error(papers_dir, None, "notes folder not found", hint),)
    patterns = exclude.patterns if exclude else ()
    if known is None:
        walk = walk_notes(root, papers_dir, patterns)
    else:
        walk = known.walk(root, papers_dir, patterns)
        replayed = known.replay(walk) if isinstance(known, Replay) else None
        if replayed is not None:
            return replayed
    notes: list[Source] = []
    lists: list[Source] = []
    files: set[str] = set()
    diags: list[Diagnostic] = []
    if exclude is not None and exclude.default and walk.excluded:
        diags.append(_excluded_by_default(papers_dir, walk.excluded, exclude.patterns))
    for rel, target in walk.outside.items():
        if rel.lower().endswith(".md") or Path(target).is_dir():
            diags.append(
                warning(
                    Path(papers_dir, rel).as_posix(),
                    None,
                    f"links outside the library (→ {target}) — not published",
                    "copy it into the library",
                )
            )
    head = _display_head(papers_dir)
    for path, rel in walk.files:
        if not rel.lower().endswith(".md"):  # ``rel`` ends with the file's name, never a dot one
            files.add(rel)
            continue
        display = head + rel
        kept = known(path, display) if known is not None else None
        into = lists if rel.startswith(f"{LISTS_DIR}/") and rel.count("/") == 1 else notes
        if kept is not None:
            into.append(kept)
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            diags.append(error(display, None, f"cannot read: {exc.strerror}"))
            continue
        text, problem = decode(raw, display)
        if problem is not None:
            diags.append(problem)
        elif text is not None:
            into.append(Source(display, text))
    excluded = frozenset(walk.excluded)
    found = Sources(tuple(notes), frozenset(files), walk.outside, excluded, tuple(lists))
    if isinstance(known, Replay):
        known.loaded(walk, found, tuple(diags))
    return found, tuple(diags)


def _display_head(papers_dir: str) -> str:
    """What comes before a path relative to the notes folder to make it relative to the
    library: ``Path(papers_dir, rel).as_posix()`` is this plus ``rel`` (without making a
    ``Path`` per file, a third of a save's stage 1 at 1,000 notes)."""
    folder = Path(papers_dir).as_posix()
    if folder == ".":
        return ""
    return folder if folder.endswith("/") else f"{folder}/"


def _excluded_by_default(
    papers_dir: str, excluded: Mapping[str, str], patterns: tuple[str, ...]
) -> Diagnostic:
    """The one note a build gives when the default ``exclude`` patterns left files out, so a
    user who wanted them knows how (a note: the user did not choose it, but it is no fault)."""
    counts = {p: n for p in patterns if (n := sum(m == p for m in excluded.values()))}
    named = ", ".join(f"{p} ({n})" for p, n in counts.items())
    n = len(excluded)
    message = f"{n} file{'s' if n != 1 else ''} excluded by default: {named}"
    hint = "set exclude: [] in papernotes.yaml to publish them, or list your own patterns"
    return Diagnostic(Severity.NOTE, Location(papers_dir), message, hint)

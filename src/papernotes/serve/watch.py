"""The watching side of ``papernotes serve``: which changes call for a build, the stream of
changes, and one build while serving — returned as what to say, never printed.

:mod:`papernotes.cli.serve` prints the lines and runs the loop; this module decides them, so
the loop can be driven (and its messages checked) without a terminal.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papernotes.incremental.session import Session

__all__ = ["BuildOutcome", "build_once", "rebuild", "watch_changes", "watch_filter"]


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What one build while serving came to, as lines for the terminal and the browser."""

    problems: tuple[str, ...]
    """The lines the browser shows over the page; empty after a good build."""
    report: tuple[str, ...] = ()
    """Lines for standard error: every diagnostic, or the one error that stopped the build."""
    status: str | None = None
    """The one-line summary for standard output ("rebuilt in …"); None when there is none."""
    up_to_date: bool = False
    """Nothing needed building: the site served is the one there was."""


def build_once(
    root: Path, out: Path, session: Session | None = None, *, hold: bool = False
) -> BuildOutcome:
    """Build ``root`` into ``out``, publishing the notes without errors: a note with errors
    is built from its last good text while the session has one (:mod:`.lastgood`), else left
    out (``keep_going``); the error lines, and what became of each such note, are the
    outcome's ``problems``. A build stopped by an error that is not about one note writes
    nothing, so the last good site stays.

    With a ``session``, the build starts from what it holds and its cache is left for the
    caller to save (``session.persist()``, once the browser was told); without, the cache
    is saved here. ``hold``: see :meth:`~papernotes.incremental.session.Session.build`."""
    from papernotes.errors import Severity
    from papernotes.incremental.session import Session
    from papernotes.pagebudget import PageOverBudget
    from papernotes.serve.lastgood import KEPT, LEFT_OUT
    from papernotes.write import OutputRefused

    own = session is None
    session = session or Session(root, out)
    _, cdiags = session.config()
    problems = [d.format() for d in cdiags]
    if any(d.severity is Severity.ERROR for d in cdiags):
        return BuildOutcome(tuple(problems), tuple(problems))
    try:
        report = session.build(keep_going=True, hold=hold)
    except OutputRefused as exc:
        return BuildOutcome((str(exc),), (exc.format(),))
    except PageOverBudget as exc:  # a theme's endless loop: the next save may fix it
        session.invalidate(None)  # stopped midway: the next build starts afresh
        status = "build failed: 1 errors; still serving the last good site"
        return BuildOutcome((exc.format(),), (exc.format(),), status)
    saved = session.persist() if own else ()
    lines = tuple(d.format() for d in (*report.diagnostics, *saved))
    errors = tuple(d.format() for d in report.diagnostics if d.severity is Severity.ERROR)
    if report.written is None and not report.up_to_date:  # stopped: nothing written
        status = f"build failed: {report.errors} errors; still serving the last good site"
        return BuildOutcome(errors, lines, status)
    if report.up_to_date:
        return BuildOutcome((), lines, f"site up to date ({report.pages} pages)", True)
    status = f"rebuilt in {report.seconds:.2f} s ({report.rendered} pages rendered)"
    if report.left_out:
        status += f"; {len(report.left_out)} notes with errors left out"
    # The held notes' own line (a Severity.NOTE) is among ``lines``; the browser needs it too.
    kept = tuple(f"{p}: note: {KEPT}" for p in session.held)
    if kept:
        status += f"; {len(kept)} notes with errors: their last good version kept"
    left = tuple(f"{p}: note: {LEFT_OUT}" for p in report.left_out)
    return BuildOutcome((*errors, *kept, *left), (*lines, *left), status)


def rebuild(
    root: Path,
    out: Path,
    session: Session | None = None,
    changed: Collection[str] | None = None,
) -> BuildOutcome:
    """A build while serving: whatever goes wrong becomes the outcome, and watching goes on.
    With a ``session``, ``changed`` (absolute paths; None: anything) tells it what to forget."""
    try:
        if session is None:
            return build_once(root, out)
        session.invalidate(changed)
        return build_once(root, out, session)
    except OSError as exc:
        line = f"papernotes: error: {exc.filename or ''}: {exc.strerror or exc}"
    except Exception as exc:  # a bug must not end the session; the user sees one line
        line = f"papernotes: internal error: {exc!r} — this is a bug; please report it"
    if session is not None:
        session.invalidate(None)  # after a failure, start the next build afresh
    return BuildOutcome((line,), (line,))


def watch_filter(
    root: Path, papers_dir: str, patterns: tuple[str, ...] = ()
) -> tuple[list[Path], Callable[[Any, str], bool]]:
    """The folders to watch and the filter of changes that call for a build: notes, templates,
    styles and the configuration, but nothing in a dot folder or dot file inside the library, nor a
    file of the notes folder that the ``exclude`` ``patterns`` leave out (as a build does)."""
    from papernotes.exclude import excluded

    base = root.resolve()
    # Resolved, so that the paths reported (under what was asked for) compare equal, whether
    # the library was given as ".", a relative path or through a symlink.
    notes = (base / papers_dir).resolve()
    # styles/: the library's CSL styles, which every page's Cite panel uses.
    folders = [notes, (base / "templates").resolve(), (base / "styles").resolve()]
    configs = {base / "papernotes.yaml", base / "pyproject.toml"}
    configs |= {p.resolve() for p in configs}

    def relevant(_: Any, path: str) -> bool:
        p = Path(os.path.abspath(path))
        if p in configs:
            return True
        if (
            patterns
            and p.is_relative_to(notes)
            and excluded(p.relative_to(notes).as_posix(), patterns)
        ):
            return False
        # Editors' swap files and .git, .obsidian, .papernotes below the watched folders are
        # noise; dot folders above the library (~/.local/notes) are not.
        return any(
            p.is_relative_to(f) and not any(x.startswith(".") for x in p.relative_to(f).parts)
            for f in folders
        )

    return [base, *(f for f in folders if f.exists() and not f.is_relative_to(base))], relevant


def watch_changes(
    root: Path, papers_dir: str, stop: threading.Event, patterns: tuple[str, ...] = ()
) -> Iterator[set[tuple[Any, str]]]:
    """Batches of relevant changes; an empty batch every 0.2 s proves the watcher is running."""
    import watchfiles

    paths, relevant = watch_filter(root, papers_dir, patterns)
    # watchfiles yields once a ``step`` passes with no new change: a save reaches the build
    # one to two steps after it lands. 10 ms (not its 50) takes ~60 ms off every save; the
    # ``debounce`` still bounds how long a burst (a ``git checkout``) is gathered into one.
    yield from watchfiles.watch(
        *paths,
        watch_filter=relevant,
        stop_event=stop,
        debounce=150,
        step=10,
        rust_timeout=200,
        yield_on_timeout=True,
        recursive=True,
    )

"""The command's start-up without the cycle collector's young-generation passes.

Starting ``papernotes build`` after an edit imports ~440 modules, which allocate ~55,000
container objects and keep nearly all of them: the collector's default young threshold (700)
ran ~75 collections over that start-up, each walking objects that all survive (a sixth of the
command's collection time and none of it freeing anything). :class:`StartupCollections`
raises the threshold for one window of :data:`ALLOWANCE` allocations, and the first
collection that window ends (its allocation count exceeded) puts the thresholds back: the
garbage it can hold up is bounded by the allowance, not by the library, so a big build's
heaps are collected as before once its own work starts. A build that starts cold (no cache,
``--clean``, ``--no-cache``) ends the window before it begins (:func:`end_windows`): its
imports are a small part of it, and the garbage a window holds up (Jinja's template
compilation makes much) left a cold 1,000-note build's peak RSS ~0.6 MB higher.

Leaving the block ends the window too (tests call :func:`~papernotes.cli.main.main` many
times in one process), except for the process's own command (``until_exit``): restoring the
threshold there would run one last young collection (~15 ms for 60,000 objects) just before
the interpreter's exit, for nothing.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # not typing's: a no-op build does without importing it
if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["ALLOWANCE", "StartupCollections", "end_windows", "exit_now"]

ALLOWANCE = 100_000
"""Young allocations before the first collection: an edit build's start-up (imports of the
Markdown, template and BibTeX machinery: ~55,000) stays under it, and so does the rest of an
edit build of a 1,000-note library; a bigger build spends it early and collects as before."""


class StartupCollections:
    """``with StartupCollections():`` runs its block with the young threshold raised to
    ``allowance`` until the first collection or the end of the block, whichever comes first
    (with ``until_exit``, until the first collection: the block is the process's last work)."""

    __slots__ = ("_allowance", "_saved", "_until_exit")

    def __init__(self, allowance: int = ALLOWANCE, *, until_exit: bool = False) -> None:
        self._allowance = allowance
        self._until_exit = until_exit
        self._saved: tuple[int, int, int] | None = None

    def __enter__(self) -> StartupCollections:
        young, middle, old = self._saved = gc.get_threshold()
        if young and young < self._allowance:  # 0: disabled by the caller; leave it so
            gc.set_threshold(self._allowance, middle, old)
            gc.callbacks.append(self._collecting)
        else:
            self._saved = None
        return self

    def _collecting(self, phase: str, info: dict[str, int]) -> None:
        """The first collection: the window's allowance is spent; back to the thresholds."""
        if phase == "start":
            self._restore()

    def _restore(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._until_exit and self._saved is not None:
            return  # still open: the interpreter's exit follows
        self._restore()
        if self._collecting in gc.callbacks:
            gc.callbacks.remove(self._collecting)


def end_windows() -> None:
    """End the start-up windows still open now (the command's, when it made one)."""
    for callback in gc.callbacks:
        window = getattr(callback, "__self__", None)
        if isinstance(window, StartupCollections):
            window._restore()


def exit_now(code: int) -> None:
    """End the process with ``code`` once its output is out, without the interpreter's
    teardown: freeing every module and object a build made took ~11 ms of a 0.1 s edit build
    and ~70 ms of a cold 1,000-note build, for nothing. A build leaves nothing to that
    teardown: its files are written and closed (``atomic``), its pools joined (``with
    Pool``), its spool a file without a name; no ``atexit`` hook of papernotes' own."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, a closed stream: nothing more to say
            code = code or 1
    os._exit(code)

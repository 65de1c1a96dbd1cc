"""The cache of ``serve``'s saves, saved later: the index set aside meanwhile, and a save of
the cache that gives up half-way when a change comes.

``serve`` saves the cache once saves pause; at 50,000 notes that is a second of work, and a
save that comes meanwhile must not wait for it. So the save (``incremental.store``) asks a
``give_up`` function between its steps, a few milliseconds apart, and stops when it says so,
before the index is in place: the cache on disk is then as good as before it began.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from papernotes.errors import PapernotesError
from papernotes.incremental.cache import state_path

__all__ = [
    "ASIDE",
    "STEP",
    "GiveUp",
    "SaveAbandoned",
    "give_up_if",
    "put_back",
    "set_aside",
]

GiveUp = Callable[[], bool] | None
"""Asked between a save's steps whether to stop there (None: never)."""

STEP = 2048
"""Entries between two questions to ``give_up`` (a few milliseconds of a save's steps)."""


class SaveAbandoned(PapernotesError):
    """A save given up half-way. It wrote entries and perhaps the heads file, never the index
    or the stamp, and left no temporary file. Never reaches the user (``Session.persist``)."""

    def __init__(self, stored: Mapping[str, str] | None = None) -> None:
        super().__init__("the build cache's save was given up")
        self.stored = stored
        """What is on disk now (``BuildCache.stored``) when the save changed it; else None."""


def give_up_if(give_up: GiveUp) -> None:
    """Raise :class:`SaveAbandoned` if ``give_up`` says to."""
    if give_up is not None and give_up():
        raise SaveAbandoned


ASIDE = "index.unsaved"
"""Where ``serve`` sets the cache's index aside while the site moves on (:func:`set_aside`)."""


def set_aside(root: Path) -> bool:
    """Set the cache's index aside before a build writes a site its fingerprints do not
    describe, whose cache is saved later (``serve``): a build that starts before (after a
    crash, or the server killed) finds no index and makes every page again, rather than keep
    one whose fingerprint the index says its file has. The entries stay; the next save
    (:func:`save_cache`) writes the index anew. Whether there was an index to set aside."""
    try:
        os.replace(state_path(root, "cache", "index.json"), state_path(root, "cache", ASIDE))
    except FileNotFoundError:
        return False
    return True


def put_back(root: Path) -> None:
    """The index set aside back in its place, for a build that wrote nothing after all."""
    with contextlib.suppress(FileNotFoundError):
        os.replace(state_path(root, "cache", ASIDE), state_path(root, "cache", "index.json"))

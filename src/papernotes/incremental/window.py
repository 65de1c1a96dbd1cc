"""Slices handed to a pool's workers as the caller takes their results, a window ahead
(``parallel``); while the next slice is not back, the caller's own steps are taken."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

__all__ = ["Pending", "windowed"]

_DONE = object()
"""What ``next`` gives for ``idle`` with no step left (:func:`_taken`)."""


class Pending(Protocol):
    """A slice handed out (``multiprocessing``'s ``AsyncResult``)."""

    def get(self) -> list[Any]: ...

    def ready(self) -> bool: ...


def windowed(
    submit: Callable[[tuple[int, int]], Pending],
    slices: Sequence[tuple[int, int]],
    ahead: int,
    idle: Iterator[object] | None = None,
) -> Iterator[list[Any]]:
    """Each slice's results in order, with at most ``ahead`` slices submitted and not yet
    taken: the next slice is submitted only as the caller takes one (``imap`` would submit
    them all, and queue every result in the parent however slowly the caller takes them).
    The first ``ahead`` are submitted now, before the caller takes anything. While the next
    slice is not back, steps of ``idle`` are taken (one at a time, each short): the caller's
    work that no result waits for, done in time it would spend waiting."""
    pending: deque[Pending] = deque()
    todo = iter(slices)
    for bounds in todo:
        pending.append(submit(bounds))
        if len(pending) >= max(1, ahead):
            break
    return _taken(submit, pending, todo, idle)


def _taken(
    submit: Callable[[tuple[int, int]], Pending],
    pending: deque[Pending],
    todo: Iterator[tuple[int, int]],
    idle: Iterator[object] | None,
) -> Iterator[list[Any]]:
    while pending:
        while idle is not None and not pending[0].ready():
            if next(idle, _DONE) is _DONE:
                idle = None
        part = pending.popleft().get()
        for bounds in todo:  # one in for the one out, before the caller works on it
            pending.append(submit(bounds))
            break
        yield part

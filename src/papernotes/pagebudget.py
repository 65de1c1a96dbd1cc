"""What one page may cost when the library's own templates render it: CPU time and memory.

The sandbox bounds each value a template makes (``sandbox.MAX_ITEMS``), not how many it
makes: ``{% for i in range(99999) %}{% for j in range(99999) %}…`` runs for days, and a loop
of bounded strings fills the memory. While a page of a library with templates of its own
renders, a timer on the process's CPU time (``SIGPROF``, every :data:`TICK` seconds of it)
looks at what the page has used so far (the CPU time of the thread rendering it, the process's
memory), and past :data:`CPU_SECONDS` or :data:`MEMORY_BYTES` stops it: the build ends with one
error at the template's line (:class:`PageOverBudget`), rather than every page meeting the same
loop (50,000 paper pages over one).

The default theme's pages are not timed: no timer runs unless the library has a ``templates/``
folder. A signal's handler runs in the main thread only, so only pages rendered there are timed:
a build's and its workers', not ``serve``'s rebuilds in its build thread (their workers are).
"""

from __future__ import annotations

import resource
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from papernotes.errors import PapernotesError

__all__ = ["CPU_SECONDS", "MEMORY_BYTES", "TICK", "OverBudget", "PageOverBudget", "page_budget"]

CPU_SECONDS = 60.0
"""The most CPU time one page may take: the default theme's home page of 50,000 notes takes
under one second."""
MEMORY_BYTES = 1 << 30
"""The most the process's memory may grow while one page renders (from its first tick on)."""
TICK = 0.25
"""Seconds of CPU time between two looks at what the page has used."""


class OverBudget(PapernotesError):
    """Raised inside the template's code when the page is over its budget (what it was over):
    turned into :class:`PageOverBudget`, at the template's line, by the page's renderer."""


class PageOverBudget(PapernotesError):
    """A page of the library's templates took more CPU time or memory than any page may: the
    build stops at the first."""


class _Page:
    """The page being timed in this process (one at a time: pages render one by one)."""

    armed = False
    cpu = 0.0
    memory = 0


_PAGE_SIZE = resource.getpagesize()


def _memory() -> int:
    """This process's resident memory in bytes (Linux); elsewhere its peak so far."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux


def _tick(signum: int, frame: FrameType | None) -> None:
    # Raised again at each tick while armed: code the template called may catch it once.
    if not _Page.armed:
        return  # a tick that came just after the page ended
    if time.thread_time() - _Page.cpu > CPU_SECONDS:
        raise OverBudget(f"the page took more than {CPU_SECONDS:g} s of CPU to render")
    if _Page.memory < 0:  # the page's first tick: most pages end before one comes
        _Page.memory = _memory()
    elif _memory() - _Page.memory > MEMORY_BYTES:
        raise OverBudget(f"the page needed more than {MEMORY_BYTES >> 20:,} MiB of memory")


_installed = False


@contextmanager
def page_budget() -> Iterator[None]:
    """Time the page rendered inside: :class:`OverBudget` is raised in its code once it is over
    budget. Outside the main thread (or where there is no ``SIGPROF``), nothing is timed."""
    global _installed
    if not hasattr(signal, "SIGPROF") or threading.current_thread() is not threading.main_thread():
        yield
        return
    if not _installed:  # kept for good: a tick pending when a page ends finds nothing armed
        signal.signal(signal.SIGPROF, _tick)
        _installed = True
    _Page.cpu, _Page.memory, _Page.armed = time.thread_time(), -1, True
    signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
    try:
        yield
    finally:
        _Page.armed = False
        signal.setitimer(signal.ITIMER_PROF, 0, 0)

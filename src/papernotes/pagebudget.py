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
folder. A signal's handler runs in the main thread only: a page rendered in another thread
(``serve``'s rebuilds) is watched by a thread of its own instead (:class:`_Watched`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from types import FrameType

from papernotes.errors import PapernotesError

__all__ = [
    "CPU_SECONDS",
    "MEMORY_BYTES",
    "TICK",
    "OverBudget",
    "PageOverBudget",
    "over_reason",
    "page_budget",
]

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


@cache
def _page_size() -> int:
    return os.sysconf("SC_PAGE_SIZE")


def _memory() -> int:
    """This process's resident memory in bytes (Linux); elsewhere its peak so far."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _page_size()
    except (OSError, IndexError, ValueError):
        import resource  # POSIX's: there is no SIGPROF, so no page is timed, where it is not

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux


def _over(cpu: float, grown: int) -> str:
    """What a page that took ``cpu`` seconds and grew the memory by ``grown`` bytes is over
    ("": nothing)."""
    if cpu > CPU_SECONDS:
        return f"the page took more than {CPU_SECONDS:g} s of CPU to render"
    if grown > MEMORY_BYTES:
        return f"the page needed more than {MEMORY_BYTES >> 20:,} MiB of memory"
    return ""


def _tick(signum: int, frame: FrameType | None) -> None:
    # Raised again at each tick while armed: code the template called may catch it once.
    if not _Page.armed:
        return  # a tick that came just after the page ended
    memory = _memory()
    if _Page.memory < 0:  # the page's first tick: most pages end before one comes
        _Page.memory = memory
    if reason := _over(time.thread_time() - _Page.cpu, memory - _Page.memory):
        raise OverBudget(reason)


class _Watched:
    """The page rendered outside the main thread (``serve``'s build thread): a thread of its own
    looks at it every :data:`TICK` seconds and raises :class:`OverBudget` in the rendering
    thread (``PyThreadState_SetAsyncExc``), a signal's handler running in the main thread only."""

    lock = threading.Lock()
    thread: int | None = None
    """The rendering thread's identifier while a page is watched."""
    clock: int | None = None
    """That thread's CPU clock (wall time where there is none)."""
    cpu = 0.0
    memory = 0
    reason = ""
    """What the page was over, for the error (an exception raised so carries no message)."""
    watcher = 0
    """The process whose watching thread runs (a fork has none)."""


def _cpu_of(clock: int | None) -> float:
    return time.clock_gettime(clock) if clock is not None else time.monotonic()


def _raise_in(thread: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in ``thread`` at its next step; None takes back one not raised yet."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), exc and ctypes.py_object(exc)
    )


def _watch() -> None:
    while True:
        time.sleep(TICK)
        with _Watched.lock:
            thread = _Watched.thread
            if thread is None:
                continue
            reason = _over(_cpu_of(_Watched.clock) - _Watched.cpu, _memory() - _Watched.memory)
            if reason:
                _Watched.reason = reason
                _raise_in(thread, OverBudget)  # again at each tick while the page is watched


@contextmanager
def _watched() -> Iterator[None]:
    thread = threading.get_ident()
    try:
        clock: int | None = time.pthread_getcpuclockid(thread)
    except (AttributeError, OSError):  # no such clock (macOS): wall time
        clock = None
    try:  # armed inside: a raise that comes as it is armed is let go too
        with _Watched.lock:
            if _Watched.watcher != os.getpid():
                threading.Thread(target=_watch, name="papernotes page budget", daemon=True).start()
                _Watched.watcher = os.getpid()
            _Watched.thread, _Watched.clock, _Watched.reason = thread, clock, ""
            _Watched.cpu, _Watched.memory = _cpu_of(clock), _memory()
        yield
    finally:
        while True:  # an exception raised here while the page is let go: let it go again
            try:
                with _Watched.lock:
                    _Watched.thread = None
                    _raise_in(thread, None)
                break
            except OverBudget:
                continue


def over_reason(exc: BaseException) -> str:
    """What the page of ``exc`` (an :class:`OverBudget`) was over."""
    return str(exc) or _Watched.reason


_installed = False


@contextmanager
def page_budget() -> Iterator[None]:
    """Time the page rendered inside: :class:`OverBudget` is raised in its code once it is over
    budget. In the main thread a ``SIGPROF`` timer looks at it; in another, a thread of its own
    (:class:`_Watched`); where there is no ``SIGPROF``, nothing is timed."""
    global _installed
    if not hasattr(signal, "SIGPROF"):
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        with _watched():
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

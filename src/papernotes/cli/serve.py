"""``papernotes serve``: build, serve on 127.0.0.1, rebuild on change, reload the browser.

HTML responses get a small live-reload script (see :mod:`papernotes.serve.http`), which
listens on an event stream and reloads the page after a good build, or shows the build's
problems over the page after a failed one. A failed build writes nothing, so the last good site
stays served. Saves that arrive while a build runs are coalesced into one more build.
"""

from __future__ import annotations

import argparse
import errno
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from papernotes.config import Config
    from papernotes.errors import Diagnostic
    from papernotes.incremental.session import Session
    from papernotes.serve.http import LiveState
    from papernotes.serve.watch import BuildOutcome

__all__ = ["SAVE_AFTER", "run"]

SAVE_AFTER = 1.0
"""Seconds without a save before the last build's cache is saved. Saving it takes a second at
50,000 notes (the index holds every page's fingerprint): saves in a row are built one after
the other, and the cache saved once they pause. A save that comes while it is being saved
does not wait for it: the saving stops (:meth:`Session.persist`'s ``give_up``), the save is
built, and the cache saved at the next pause."""


def _show(outcome: BuildOutcome, say: Callable[[str], None]) -> list[str]:
    """Print what a build came to; the problems to publish to the browser."""
    for line in outcome.report:
        print(line, file=sys.stderr)
    if outcome.status is not None:
        say(outcome.status)
    return list(outcome.problems)


@contextmanager
def _ctrl_c_interrupts() -> Iterator[None]:
    """Inside, Ctrl-C raises KeyboardInterrupt in the main thread, whatever this process was
    started with: a command started in the background by a shell without job control (a
    script's ``&``, CI) inherits SIGINT ignored, and Python then leaves it so."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _ctrl_c_flags(flag: list[bool]) -> Iterator[None]:
    """Inside, Ctrl-C only appends to ``flag``, and the main thread stops the server and watcher in
    order. A KeyboardInterrupt could land on any line, even while the banner is printed; a
    signal handler must not take locks either (the main thread may hold them), hence a list."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: flag.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _persist(session: Session, give_up: Callable[[], bool] | None = None) -> bool:
    """Save the session's cache for the next build, after the browser was told to reload;
    False when ``give_up`` stopped it (it is saved later)."""
    from papernotes.incremental.cache import BuildBusy

    try:
        problems = session.persist() if give_up is None else session.persist(give_up)
    except (OSError, BuildBusy) as exc:  # another build holds the lock: the next build saves it
        problems = ()
        print(f"papernotes: warning: cache not saved: {exc}", file=sys.stderr)
    for d in problems or ():
        print(d.format(), file=sys.stderr)
    return problems is not None


def _watch(
    changes: Iterator[set[tuple[Any, str]]],
    batches: queue.SimpleQueue[set[str] | None],
    arrived: threading.Event,
    watching: threading.Event,
) -> None:
    """Pass each batch of changes on, and say at once that one came (``arrived``): the build
    loop may be saving the cache, which stops for it. None at the end."""
    try:
        for batch in changes:
            watching.set()
            if batch:
                # Said before it is put: the build loop, once it takes the batch, clears it.
                arrived.set()
                batches.put({path for _, path in batch})
    except Exception as exc:  # e.g. the system's limit of watched folders
        print(f"papernotes: warning: not watching for changes: {exc}", file=sys.stderr)
    finally:
        watching.set()
        batches.put(None)


def _next_batch(
    batches: queue.SimpleQueue[set[str] | None], arrived: threading.Event, wait: float
) -> set[str] | None:
    """The changes that came (those of several batches: one build), an empty set when none
    came within ``wait`` seconds, None once watching ended."""
    try:
        batch = batches.get(timeout=wait)
    except queue.Empty:
        return set()
    arrived.clear()  # before the rest is taken: a batch put after is seen by the next call
    changed: set[str] = set()
    while batch is not None:
        changed |= batch
        try:
            batch = batches.get_nowait()
        except queue.Empty:
            return changed
    if not changed:
        return None
    batches.put(None)  # the end, for the next call: this last batch is built first
    return changed


def _up_to_date(root: Path, config: Config, diags: Sequence[Diagnostic], out: Path) -> bool:
    """Whether nothing changed since the last build (or save served) and neither it nor the
    configuration (its problems ``diags``) had errors: the site in ``out`` is then served as
    it is while the session warms up."""
    from papernotes.errors import Severity
    from papernotes.incremental.fastpath import up_to_date

    if not out.is_dir() or any(d.severity is Severity.ERROR for d in diags):
        return False
    try:
        _, last = up_to_date(root, config, out)
    except OSError:
        return False
    return last is not None and not any(d.severity is Severity.ERROR for d in last.diagnostics)


def _print_error(line: str) -> None:
    print(line, file=sys.stderr)


def _listen_error(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use; try --port {port + 1}"
    if exc.errno == errno.EACCES:
        return f"no permission to use port {port}; ports below 1024 need root, try --port 8000"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def run(
    args: argparse.Namespace,
    *,
    on_ready: Callable[[str, LiveState], None] | None = None,
    stop: threading.Event | None = None,
    exit_at_once: bool = False,
) -> int:
    """Build, serve and watch until Ctrl-C (or ``stop`` is set). Returns the exit code: 0 once
    stopped, 1 when there is nothing to serve or the address cannot be used. Ctrl-C during the
    first build interrupts it (the command line exits 130); after that it stops the server.
    ``exit_at_once`` (the process's own command): once stopped, the process ends here
    (:func:`_exit_now`) rather than return."""
    # Imported here: the command line registers ``serve`` on every run, and a no-op build
    # should not pay for the HTTP server and the watcher.
    from papernotes.config import load_config
    from papernotes.incremental.session import Session
    from papernotes.serve.heap import one_heap
    from papernotes.serve.http import LiveState, make_server, url_of
    from papernotes.serve.watch import build_once, rebuild, watch_changes

    # Before any thread starts: the saves, built in a thread of their own, reuse the memory
    # the warm-up freed (``serve.heap``).
    one_heap()
    root = Path(args.root)
    if not root.is_dir():
        print(f"papernotes: error: {root}: no such folder", file=sys.stderr)
        return 1
    config, config_diags = load_config(root)
    out = Path(args.out) if args.out else root / config.output
    quiet = getattr(args, "quiet", False)

    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    state = LiveState()
    # What stays in memory between saves: the next build reads, parses and renders only what
    # changed, and saves the cache only after the browser was told to reload.
    session = Session(root, out, defer_collector=True)
    # A site up to date, without errors, is served at once, and the session reads the library
    # into memory while it is (at 50,000 notes, 55 s before anything was served).
    later = _up_to_date(root, config, config_diags, out)
    if not later:
        # Held: the first save then finds in memory what every later save does.
        state.publish(_show(build_once(root, out, session, hold=True), say))
        _persist(session)
    if not out.is_dir():
        print(f"papernotes: error: nothing to serve: {out} was not built", file=sys.stderr)
        return 1
    try:
        server = make_server(args.host, args.port, out, state, on_error=_print_error)
    except OSError as exc:
        print(f"papernotes: error: {_listen_error(exc, args.host, args.port)}", file=sys.stderr)
        return 1
    stop = stop or threading.Event()
    watching = threading.Event()

    batches: queue.SimpleQueue[set[str] | None] = queue.SimpleQueue()
    arrived = threading.Event()
    changes = watch_changes(root, config.papers_dir, stop, config.excludes.patterns)

    def build_loop(built: float | None) -> None:
        # ``built``: when the last build not saved yet ended (the warm-up's, say).
        try:
            # Saves that arrived during the last build are in this one batch: one build.
            while (changed := _next_batch(batches, arrived, 0.2)) is not None:
                if changed:
                    state.publish(_show(rebuild(root, out, session, changed), say))
                    built = time.monotonic()
                elif (
                    built is not None
                    and time.monotonic() - built >= SAVE_AFTER
                    and _persist(session, arrived.is_set)
                ):
                    built = None
        except Exception as exc:  # a defect: say so in a line, and keep serving the last site
            warning = f"papernotes: warning: not rebuilding on changes any more: {exc}"
            print(warning, file=sys.stderr)
        finally:
            if built is not None:  # stopped: the last build's cache saved before the exit
                _persist(session)

    def announce() -> None:
        url = url_of(server)
        say(f"serving {out} at {url} (Ctrl-C to stop)")
        if on_ready is not None:
            on_ready(url, state)
        if getattr(args, "open", False):
            import webbrowser  # ~9 ms: only when asked to

            webbrowser.open(url)

    def close() -> None:
        stop.set()
        state.close()
        server.shutdown()
        server.server_close()

    threading.Thread(target=server.serve_forever, daemon=True).start()
    watch = (changes, batches, arrived, watching)
    threading.Thread(target=_watch, args=watch, daemon=True).start()
    announced = False
    unsaved: float | None = None  # when the warm-up ended, its cache not saved yet
    if later:
        # Served and watched first: a save made while the session warms up is built after.
        # Ctrl-C (the banner said it stops serving) stops the warm-up and serving at once.
        try:
            with _ctrl_c_interrupts():
                while not (stop.is_set() or watching.wait(0.1)):
                    pass
                if not stop.is_set():
                    announce()
                    announced = True
                    warmed = build_once(root, out, session, hold=True)
                    problems = _show(warmed, say)
                    if problems or not warmed.up_to_date:  # else the page shown is the same
                        state.publish(problems)
                    # Its cache saved as a save's is, by the loop once saves pause: a save
                    # right after the warm-up does not wait for it (1.3 s at 50,000 notes).
                    unsaved = time.monotonic()
        except KeyboardInterrupt:
            close()
            say("stopped")
            if exit_at_once:
                _exit_now(0)
            return 0
    interrupted: list[bool] = []
    with _ctrl_c_flags(interrupted):
        watcher = threading.Thread(target=build_loop, args=(unsaved,), daemon=True)
        watcher.start()
        try:
            # Announce only once an edit would be seen: users (and tests) edit right away.
            while not (interrupted or stop.is_set() or watching.wait(0.1)):
                pass
            if not (interrupted or stop.is_set() or announced):
                announce()
            while not (interrupted or stop.wait(0.1)):
                pass
        finally:
            close()
    # Waits for a build under way (its writes are atomic); a second Ctrl-C cuts that short.
    watcher.join()
    say("stopped")
    if exit_at_once:
        _exit_now(0)
    return 0


def _exit_now(code: int) -> NoReturn:
    """End this process now, with the library the session holds left unfreed.

    Returned from, :func:`run` let go of the session, and the library was freed object by
    object, then the interpreter's shutdown walked what was left with the cycle collector:
    7 s of CPU after "stopped" at 5,000 notes, 18 s at 50,000. By now every file is written
    and closed and the last build's cache saved (the build loop's ``finally``); Python's
    buffered output is flushed here, and the operating system lets go of the rest (the
    memory, the build lock)."""
    import os

    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # closed, or a pipe nobody reads
            stream.flush()
    os._exit(code)

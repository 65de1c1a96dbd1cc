"""Save → browser reload event under ``papernotes serve``, measured as a browser sees it.

``papernotes serve`` runs as a subprocess from inside the library (as the README says), with its
real file watcher. A client of the standard library connects to its Server-Sent Events stream
(``/__papernotes/events``, what ``livereload.js`` listens to); then a note is appended to, and
the time runs from just before the write until the ``reload`` event arrives.

Saves come at the pace of a user's (:data:`PAUSES`): some right after the last one's reload,
some once ``serve`` has begun to save its cache (it does after a second without a save), so the
figures include a save that lands while the cache is being saved.
"""

from __future__ import annotations

import collections
import http.client
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from benchmarks.procs import papernotes_command

PAUSES = (0.3, 1.5)
"""Seconds between a reload event and the next save, in turn: 0.3 lets the watcher's debounce
window close (the next save is a batch of its own); 1.5 lands the next save half a second into
the cache's save, which ``serve`` starts after a second without a save."""

EVENTS = "/__papernotes/events"
"""The event stream's path (``papernotes.serve.http.EVENTS``; not imported: the benchmark
drives papernotes only from outside, as a user does)."""


@dataclass(frozen=True, slots=True)
class ServeTiming:
    """What a serve session measured, and how the server ended."""

    latencies: tuple[float, ...]
    """Seconds from each save to its reload event, in order."""
    pid: int
    """The server's process id (gone by the time this is returned)."""
    returncode: int
    """The server's exit code (0: it stopped on Ctrl-C as it should)."""

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)


def free_port() -> int:
    """A port nobody listens on now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    """``papernotes serve`` in a subprocess, with its output drained so it never blocks."""

    def __init__(self, lib: Path, port: int) -> None:
        cmd = [*papernotes_command(), "serve", "--port", str(port)]
        # Its own session: Ctrl-C in the benchmark's terminal must not reach it half-way.
        self.proc = subprocess.Popen(
            cmd,
            cwd=lib,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        self.ready = threading.Event()
        self.lines: collections.deque[str] = collections.deque(maxlen=40)
        for stream in (self.proc.stdout, self.proc.stderr):
            assert stream is not None  # both are pipes
            threading.Thread(target=self._drain, args=(stream,), daemon=True).start()

    def _drain(self, stream: IO[str]) -> None:
        seen: set[str] = set()
        for line in iter(stream.readline, ""):
            self.lines.append(line.rstrip())
            # "serving" is printed once the watcher runs (an edit from now on is seen), and
            # the first build's line once the session holds the library: before "serving",
            # or after it when an up-to-date site was served at once while the session warmed
            # up. Saves are timed from both: a save during the warm-up waits for it.
            if line.startswith("serving "):
                seen.add("serving")
            elif line.startswith(("site up to date", "rebuilt in", "build failed")):
                seen.add("built")
            if seen == {"serving", "built"}:
                self.ready.set()
        self.ready.set()  # the server ended: stop waiting for it

    def wait_ready(self, timeout: float) -> None:
        if not self.ready.wait(timeout) or self.proc.poll() is not None:
            raise RuntimeError("papernotes serve did not start:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; then harder only if it does not stop."""
        for sig, patience in ((signal.SIGINT, 60.0), (signal.SIGTERM, 10.0)):
            if self.proc.poll() is not None:
                break
            self.proc.send_signal(sig)
            try:
                self.proc.wait(patience)
            except subprocess.TimeoutExpired:
                continue
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        return self.proc.wait()


def _reload_after(port: int, note: Path, text: str, timeout: float) -> float:
    """Connect to the event stream, append ``text`` to ``note``, and time the reload event."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", EVENTS, headers={"Accept": "text/event-stream"})
        # The server reads the build generation before sending its headers: once they are
        # here, any build that ends from now on is announced on this stream.
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"{EVENTS}: HTTP {response.status}")
        start = time.perf_counter()
        with note.open("a", encoding="utf-8") as f:
            f.write(text)
        while True:
            line = response.readline()
            if not line:
                raise RuntimeError("the event stream ended before a reload event")
            if line.startswith(b"event: reload"):
                return time.perf_counter() - start
            if line.startswith(b"event: error-report"):
                raise RuntimeError(f"the build failed: {response.readline()!r}")
    finally:
        conn.close()


def serve_latency(
    lib: Path,
    notes: Sequence[Path],
    runs: int,
    *,
    start_timeout: float = 3600,
    pauses: Sequence[float] = PAUSES,
) -> ServeTiming:
    """Serve ``lib`` and time ``runs`` saves (a different note each), each until its reload
    event, ``pauses`` apart in turn. ``start_timeout`` bounds the first build (long at 50,000
    notes without a cache)."""
    port = free_port()
    latencies = []
    server = _Server(lib, port)
    try:
        server.wait_ready(start_timeout)
        for i in range(runs):
            note = notes[(i * 7919) % len(notes)]
            text = f"\n\n补充 serve {i}：edited while serving.\n"
            latencies.append(_reload_after(port, note, text, timeout=start_timeout))
            time.sleep(pauses[i % len(pauses)])
    finally:
        code = server.stop()
    return ServeTiming(tuple(latencies), server.proc.pid, code)

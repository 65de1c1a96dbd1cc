"""``papernotes serve`` started in a thread of the test process, on a port the system picks."""

from __future__ import annotations

import argparse
import queue
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from papernotes.cli.serve import run
from papernotes.serve.http import LiveState

DEADLINE = 30.0
"""Seconds a server may take to stop."""


@dataclass
class Live:
    """A running server."""

    root: Path
    site: Path
    port: int
    state: LiveState
    stop: threading.Event
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=DEADLINE)
        assert not self.thread.is_alive(), "serve did not stop"


def start(root: Path) -> Live:
    """Build ``root`` and serve it; returns once the server answers."""
    args = argparse.Namespace(root=str(root), out=None, host="127.0.0.1", port=0, quiet=True)
    started = threading.Event()
    stop = threading.Event()
    box: dict[str, object] = {}

    def ready(url: str, state: LiveState) -> None:
        box.update(url=url, state=state)
        started.set()

    thread = threading.Thread(
        target=run, args=(args,), kwargs={"on_ready": ready, "stop": stop}, daemon=True
    )
    thread.start()
    assert started.wait(60), "serve did not start"
    port = int(str(box["url"]).rstrip("/").rsplit(":", 1)[1])
    state = box["state"]
    assert isinstance(state, LiveState)
    return Live(root, root / "site", port, state, stop, thread)


class Lines:
    """A process's stdout, read line by line in a thread: a test waits for a line with a
    deadline, so a ``serve`` that never says it fails the test instead of hanging it."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        stdout = proc.stdout
        self._lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.seen: list[str] = []

        def pump() -> None:
            for line in stdout:
                self._lines.put(line)
            self._lines.put(None)  # the end of the output

        self._reader = threading.Thread(target=pump, daemon=True)
        self._reader.start()

    def _next(self, deadline: float, what: str) -> str | None:
        try:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no {what} within {DEADLINE} s; said: {self.seen}") from None
        if line is not None:
            self.seen.append(line)
        return line

    def until(self, prefix: str) -> str:
        """The next line that starts with ``prefix`` (AssertionError after DEADLINE seconds,
        or when the output ends first)."""
        deadline = time.monotonic() + DEADLINE
        while (line := self._next(deadline, f"line starting {prefix!r}")) is not None:
            if line.startswith(prefix):
                return line
        raise AssertionError(f"the output ended before a line starting {prefix!r}: {self.seen}")

    def rest(self) -> str:
        """All the process said, once its output has ended (within DEADLINE seconds)."""
        deadline = time.monotonic() + DEADLINE
        while self._next(deadline, "end of the output") is not None:
            pass
        return "".join(self.seen)

"""``papernotes serve`` started in a thread of the test process, on a port the system picks."""

from __future__ import annotations

import argparse
import threading
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

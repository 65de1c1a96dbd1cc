"""serve.heap: the threads of a serving process allocate from one C heap."""

from __future__ import annotations

import subprocess
import sys

import pytest

# A thread that allocates blocks past Python's small-object allocator (512 bytes), so from the
# C library's heap; then the C library's own account of its heaps ("Arena N:" each).
_THREADED = """
import ctypes, sys, threading
if sys.argv[1] == "one":
    from papernotes.serve.heap import one_heap
    assert one_heap()
kept = []
worker = threading.Thread(target=lambda: kept.extend(bytearray(4096) for _ in range(2000)))
worker.start()
worker.join()
ctypes.CDLL(None).malloc_stats()
"""


def _arenas(mode: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _THREADED, mode], capture_output=True, text=True, check=True
    )
    return [line for line in done.stderr.splitlines() if line.startswith("Arena ")]


def test_a_thread_allocates_from_the_first_heap_once_serve_asked_for_one() -> None:
    # Without it, the thread gets a heap of its own (what the saves built in serve's build
    # thread started from, empty, while the warm-up's freed memory sat in the first one).
    assert len(_arenas("default")) >= 2
    assert _arenas("one") == ["Arena 0:"]


def test_serve_asks_for_one_heap_first(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # First: before the server's, the watcher's and the build loop's threads.
    from papernotes.cli import serve
    from papernotes.serve import heap

    calls: list[str] = []

    class _Stop(Exception):
        pass

    def load_config(*_: object) -> None:
        calls.append("load_config")
        raise _Stop

    monkeypatch.setattr(heap, "one_heap", lambda: calls.append("one_heap") or True)
    monkeypatch.setattr("papernotes.config.load_config", load_config)
    args = serve.argparse.Namespace(root=".", out=None, host="127.0.0.1", port=0)
    with pytest.raises(_Stop):
        serve.run(args)
    assert calls == ["one_heap", "load_config"]

"""``papernotes serve`` rebuilds on a save however the library was named: the README's
``cd my-notes && papernotes serve``, an absolute path, or a library inside a dot folder."""

from __future__ import annotations

import argparse
import http.client
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from papernotes.cli.serve import run
from papernotes.serve.http import LiveState
from papernotes.serve.watch import watch_filter

from conftest import copy_fixture
from serving import Lines

DEADLINE = 60.0
ADDED = "A sentence added while serving."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _edit(root: Path) -> None:
    note = root / "papers" / "peft" / "lora.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("## 方法", f"## 方法\n\n{ADDED}"), encoding="utf-8")


def test_serve_inside_the_library_with_default_flags_reloads(tmp_path: Path) -> None:
    root = copy_fixture("small", tmp_path)
    port = _free_port()  # the default port (8000) may be taken on this machine
    err_path = tmp_path / "stderr.txt"
    with err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "papernotes", "serve", "--port", str(port)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    lines = Lines(proc)
    try:
        lines.until("serving ")
        deadline = time.monotonic() + DEADLINE
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        conn.request("GET", "/__papernotes/events")
        events = conn.getresponse()
        assert events.status == 200
        assert events.getheader("Content-Type") == "text/event-stream"
        _edit(root)
        seen = []
        while time.monotonic() < deadline:
            line = events.readline().decode().strip()
            seen.append(line)
            if line.startswith("event: "):
                break
        assert seen[-1] == "event: reload", seen
        conn.close()
        built = root / "site" / "papers" / "hu2021lora.html"
        assert ADDED in built.read_text(encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        out = lines.rest().splitlines(keepends=True)
        proc.wait(timeout=DEADLINE)
    assert proc.returncode == 0, err_path.read_text()
    assert any(line.startswith("rebuilt in ") for line in out), out
    assert "stopped\n" in out
    assert "Traceback" not in err_path.read_text()


def test_a_library_inside_a_dot_folder_rebuilds(tmp_path: Path) -> None:
    root = copy_fixture("small", tmp_path / ".config" / "notes")
    args = argparse.Namespace(root=str(root), out=None, host="127.0.0.1", port=0, quiet=True)
    box: queue.Queue[LiveState] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        args=(args,),
        kwargs={"on_ready": lambda _url, state: box.put(state), "stop": stop},
        daemon=True,
    )
    thread.start()
    try:
        state = box.get(timeout=DEADLINE)
        before = state.generation
        _edit(root)
        assert state.wait(before, timeout=DEADLINE) != before, "no rebuild after a save"
        assert state.problems == []
        built = root / "site" / "papers" / "hu2021lora.html"
        assert ADDED in built.read_text(encoding="utf-8")
    finally:
        stop.set()
        thread.join(timeout=DEADLINE)
    assert not thread.is_alive()


@pytest.mark.parametrize(
    ("rel", "relevant"),
    [
        ("./papers/peft/lora.md", True),
        ("papers/peft/lora.md", True),
        ("papers/new.md", True),
        ("templates/base.html", True),
        ("./papernotes.yaml", True),
        ("pyproject.toml", True),
        ("papers/.obsidian/workspace.json", False),
        ("papers/peft/.lora.md.swp", False),
        (".git/index", False),
        (".papernotes/cache/notes.json", False),
        ("site/index.html", False),
        ("README.md", False),
    ],
)
def test_watch_filter_is_relative_to_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str, relevant: bool
) -> None:
    lib = tmp_path / ".hidden" / "my-notes"
    (lib / "papers").mkdir(parents=True)
    monkeypatch.chdir(lib)
    for root in (Path("."), lib, Path("../my-notes")):
        paths, keep = watch_filter(root, "papers")
        assert paths == [lib.resolve()]
        assert keep(None, f"{lib}/{rel}") is relevant, (root, rel)

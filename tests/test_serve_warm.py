"""``serve`` on a site that is up to date: served at once, while the session reads the library
into memory (at 50,000 notes that took 55 s before anything was served); a save made meanwhile
is built after, and Ctrl-C stops the warm-up and serving at once."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.serve import watch
from papernotes.serve.watch import BuildOutcome

from conftest import copy_fixture, same_as_clean
from serving import DEADLINE, Lines, start


def _built(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path / "lib")
    (root / "papers" / "hostile.md").unlink()  # its errors would be shown first
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    return root


class _HeldWarmUp:
    """``build_once`` with its first call (the warm-up or first build) held until let go, and
    the order things happened in."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []
        self.started, self.go = threading.Event(), threading.Event()
        real = watch.build_once

        def held(*args: object, **kw: object) -> BuildOutcome:
            first = not self.started.is_set()
            if first:
                self.events.append("first build starts")
                self.started.set()
                assert self.go.wait(DEADLINE), "the test never let the first build go"
            outcome = real(*args, **kw)  # type: ignore[arg-type]
            if first:
                self.events.append(f"first build: {outcome.status}")
            return outcome

        monkeypatch.setattr(watch, "build_once", held)


def test_an_up_to_date_site_is_served_while_the_session_warms_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _built(tmp_path)
    hold = _HeldWarmUp(monkeypatch)
    live = start(root)  # returns once serving is announced: here, with the warm-up held
    try:
        assert hold.started.wait(DEADLINE)
        assert hold.events == ["first build starts"]  # announced before it ended
        with urllib.request.urlopen(live.url + "papers/hu2021lora.html", timeout=DEADLINE) as r:
            assert r.status == 200 and b"LoRA" in r.read()
        assert live.state.generation == 0  # nothing published yet
        # Saved during the warm-up: built once it ends.
        note = root / "papers" / "peft" / "lora.md"
        note.write_text(note.read_text("utf-8") + "\nSaved while warming up.\n", "utf-8")
        hold.go.set()
        page = root / "site" / "papers" / "hu2021lora.html"
        seen = live.state.generation
        while b"Saved while warming up." not in page.read_bytes():
            now = live.state.wait(seen, timeout=DEADLINE)
            assert now != seen, "the save made during the warm-up was never built"
            seen = now
        # The warm-up found the site as served, or (had the save landed before it read the
        # note) built it: either way the save is on the page, and built once.
        assert hold.events[1].startswith(("first build: site up to date", "first build: rebuilt"))
    finally:
        hold.go.set()
        live.close()
    assert same_as_clean(root, tmp_path / "clean").up_to_date


def test_a_site_that_is_not_up_to_date_is_built_before_it_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _built(tmp_path)
    note = root / "papers" / "peft" / "lora.md"
    note.write_text(note.read_text("utf-8") + "\nEdited since the build.\n", "utf-8")
    hold = _HeldWarmUp(monkeypatch)
    hold.go.set()
    live = start(root)
    try:
        # The first build ended (and was published) before serving was announced.
        assert hold.events[0] == "first build starts"
        assert hold.events[1].startswith("first build: rebuilt in ")
        assert live.state.generation == 1
        assert "Edited since the build." in (root / "site/papers/hu2021lora.html").read_text()
    finally:
        live.close()


# Started as a shell without job control starts a background command (a script's ``&``, CI):
# with SIGINT ignored, which Python then leaves ignored. Ctrl-C must stop serve all the same.
_SLOW_WARM_UP = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
from papernotes.incremental import session
real = session.Session.build
def slow(self, **kw):
    if kw.get("hold"):
        print("warming up", flush=True)
        time.sleep(120)
    return real(self, **kw)
session.Session.build = slow
from papernotes.cli.main import main
sys.exit(main())
"""


def test_ctrl_c_during_the_warm_up_ends_serve_at_once(tmp_path: Path) -> None:
    root = _built(tmp_path)
    index = (root / "site" / "index.html").read_bytes()
    cmd = [sys.executable, "-c", _SLOW_WARM_UP, "serve", "--root", str(root)]
    cmd += ["--port", str(_free_port())]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = Lines(proc)
        lines.until("serving ")
        lines.until("warming up")
        proc.send_signal(signal.SIGINT)
        out = lines.rest()
        code = proc.wait(timeout=DEADLINE)  # not the two minutes the warm-up would take
        assert proc.stderr is not None
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=DEADLINE)
    assert code == 0, err
    assert out.endswith("stopped\n") and "Traceback" not in err
    assert (root / "site" / "index.html").read_bytes() == index  # the site as it was


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

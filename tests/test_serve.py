"""``papernotes serve`` end to end: edit a note, see the page reload with the new text; break
it, see the error over the page while the old site is still served; fix it, see it recover."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from papernotes.incremental.session import Session
from papernotes.serve import watch
from papernotes.serve.http import LiveState
from papernotes.serve.watch import BuildOutcome

from browser import Problems
from conftest import copy_fixture
from serving import DEADLINE, Lines, start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, LiveState]]:
    live = start(copy_fixture("small", tmp_path))
    yield live.root, live.url, live.state
    live.close()


def test_edit_reloads_the_page_and_errors_show_over_it(served, browser: Browser) -> None:
    root, url, state = served
    problems = Problems()
    page = problems.watch(browser.new_page())
    page.goto(url + "papers/hu2021lora.html")
    expect(page.locator("h1")).to_contain_text("LoRA")
    note = root / "papers" / "peft" / "lora.md"
    original = note.read_text(encoding="utf-8")
    note.write_text(
        original.replace("## 方法", "## 方法\n\nA sentence added while serving."), encoding="utf-8"
    )
    expect(page.locator(".note-body")).to_contain_text(
        "A sentence added while serving.", timeout=30_000
    )
    # Saved with an error at once, while the reloaded page may still be fetching its figure:
    # the note keeps its last good page and files meanwhile, so nothing it asks for is a 404.
    note.write_text(original.replace("year: 2022", "year: 2022\nrating: 9"), encoding="utf-8")
    overlay = page.locator("#papernotes-error-overlay")
    expect(overlay).to_be_visible(timeout=30_000)
    expect(overlay).to_contain_text(re.compile(r"papers/peft/lora\.md:\d+:\d+: error: rating"))
    expect(overlay).to_contain_text("papers/peft/lora.md: note: its last version without errors")
    expect(page.locator("h1")).to_contain_text("LoRA")  # the last good page is still there
    page.wait_for_load_state("load")  # every file it asked for came (a 404 is a problem below)
    assert page.reload().status == 200  # and the page itself is still served
    expect(overlay).to_be_visible(timeout=30_000)  # a tab opened meanwhile is told too

    note.write_text(original.replace("## 方法", "## 方法\n\nFixed again."), encoding="utf-8")
    expect(page.locator(".note-body")).to_contain_text("Fixed again.", timeout=30_000)
    expect(overlay).to_have_count(0)
    # Reloading a page ends its open event stream; that abort is the reload, not a failure.
    assert [p for p in problems.items if "/__papernotes/events" not in p] == []
    assert state.builds >= 4


def test_a_build_that_ends_before_the_page_listens_still_reloads_it(
    served: tuple[Path, str, LiveState], browser: Browser
) -> None:
    """The page's event stream opens only after the page has loaded: a build that ended in
    between (a save just after the page was opened) must still reload it. The stream's request
    is held until such a build has ended; the page then reloads and listens from that build."""
    _, url, state = served
    page = browser.new_page()
    read_at = state.generation
    held: list[str] = []

    def late(route: Route) -> None:
        held.append(route.request.url)
        if len(held) == 1:
            state.publish([])  # the build that ended before the page listened
        route.continue_()

    page.route("**/__papernotes/events*", late)
    with page.expect_request(lambda r: r.url.endswith(f"/__papernotes/events?since={read_at + 1}")):
        page.goto(url + "papers/hu2021lora.html")
    assert held[0].endswith(f"/__papernotes/events?since={read_at}")
    page.close()


def test_saves_during_a_build_are_coalesced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saves that land while a build runs make one more build, not one each. The first build
    is held at its start until every later save has landed, so they land during it however
    slowly this machine runs the test (saves spread out, each after the last one's build,
    are each built: that is no coalescing to expect). A save of another note, built after,
    shows that none of the first note's saves was left over for a build of its own."""
    started, go = threading.Event(), threading.Event()
    batches: list[set[str]] = []
    real = watch.rebuild

    def held(
        root: Path, out: Path, session: Session | None = None, changed: set[str] | None = None
    ) -> BuildOutcome:
        batches.append(set(changed or ()))
        if len(batches) == 1:
            started.set()
            assert go.wait(DEADLINE), "the test never let the first build go"
        return real(root, out, session, changed)

    monkeypatch.setattr(watch, "rebuild", held)
    live = start(copy_fixture("small", tmp_path))
    try:
        note = (live.root / "papers" / "peft" / "adapters.md").resolve()
        other = (live.root / "papers" / "peft" / "lora.md").resolve()
        text = note.read_text(encoding="utf-8")
        first = live.state.generation
        note.write_text(text + "\nSave 0.\n", encoding="utf-8")
        assert started.wait(DEADLINE), "no build after a save"
        for i in range(1, 8):
            note.write_text(text + f"\nSave {i}.\n", encoding="utf-8")
        go.set()
        _until(live.state, first + 2)
        other.write_text(other.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        _until(live.state, first + 3)
        assert batches == [{str(note)}, {str(note)}, {str(other)}]
        assert live.state.builds == first + 3 and live.state.problems == []
    finally:
        go.set()
        live.close()


def _until(state: LiveState, generation: int) -> None:
    """Wait, build after build (events, not sleeps), until ``generation`` builds ran."""
    seen = state.generation
    while seen < generation:
        now = state.wait(seen, timeout=DEADLINE)
        assert now != seen, f"no build came (waiting for build {generation}, at {seen})"
        seen = now


def test_port_in_use_and_ctrl_c(tmp_path: Path) -> None:
    root = copy_fixture("small", tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run(
            [sys.executable, "-m", "papernotes", "serve", "--root", str(root), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert busy.returncode == 1
    assert f"port {port} is in use; try --port {port + 1}" in busy.stderr
    assert "Traceback" not in busy.stderr

    cmd = [sys.executable, "-m", "papernotes", "serve", "--root", str(root)]
    code, out, err = _serve_then_ctrl_c([*cmd, "--port", str(_free_port())], tmp_path)
    assert code == 0, err
    assert "stopped" in out
    assert "Traceback" not in err


def _serve_then_ctrl_c(
    cmd: list[str], tmp_path: Path, meanwhile: Callable[[Lines], object] = lambda _: None
) -> tuple[int, str, str]:
    """Run ``cmd`` (a ``serve``) until it says it serves, then ``meanwhile``, then Ctrl-C: its
    exit code, stdout and stderr. A check that fails kills it."""
    with (tmp_path / "stderr.txt").open("w") as stderr:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        lines = Lines(proc)
        lines.until("serving ")
        meanwhile(lines)
        proc.send_signal(signal.SIGINT)
        out = lines.rest()
        code = proc.wait(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=DEADLINE)
    return code, out, (tmp_path / "stderr.txt").read_text(encoding="utf-8")


_ATEXIT = """
import atexit, sys
atexit.register(print, "the interpreter shut down")
from papernotes.cli.main import main
sys.exit(main())
"""


def test_ctrl_c_after_a_save_ends_the_process_at_once_with_its_cache_saved(
    tmp_path: Path,
) -> None:
    """``serve``, the process's own command, ends without the interpreter's shutdown (which
    freed the library it held object by object: seconds at 50,000 notes), once it has said
    all it had to and saved the last save's cache."""
    from conftest import same_as_clean

    root = copy_fixture("small", tmp_path / "lib")
    port = str(_free_port())
    cmd = [sys.executable, "-c", _ATEXIT, "serve", "--root", str(root), "--port", port]
    note = root / "papers" / "peft" / "lora.md"

    def save(lines: Lines) -> None:
        note.write_text(note.read_text(encoding="utf-8") + "\nSaved before Ctrl-C.\n", "utf-8")
        lines.until("rebuilt in ")  # SAVE_AFTER is a second: the cache is not saved yet

    code, out, err = _serve_then_ctrl_c(cmd, tmp_path, save)
    assert code == 0, err
    assert out.endswith("stopped\n"), out  # flushed before the end
    assert "the interpreter shut down" not in out
    assert "Traceback" not in err
    assert same_as_clean(root, tmp_path / "clean").up_to_date  # the last save's cache saved


@pytest.mark.parametrize("pause", [3600.0, 0.0])
def test_the_cache_is_saved_once_saves_pause_and_when_serve_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pause: float
) -> None:
    """A save's cache waits for saves to pause (``SAVE_AFTER``), its index set aside
    meanwhile; serve saves it before it stops, so the next build has nothing to do."""
    import time

    from papernotes.build import build
    from papernotes.cli import serve as serve_cli
    from papernotes.config import load_config

    monkeypatch.setattr(serve_cli, "SAVE_AFTER", pause)
    live = start(copy_fixture("small", tmp_path))
    index = live.root / ".papernotes" / "cache" / "index.json"
    try:
        assert index.exists()  # the first build's, saved before serving
        note = live.root / "papers" / "peft" / "lora.md"
        first = live.state.generation
        note.write_text(note.read_text(encoding="utf-8") + "\nSaved.\n", encoding="utf-8")
        _until(live.state, first + 1)
        if pause:
            assert not index.exists()  # not saved while saves may follow
        else:
            deadline = time.monotonic() + DEADLINE
            while not index.exists():
                assert time.monotonic() < deadline, "the cache was never saved"
                time.sleep(0.05)
    finally:
        live.close()
    config, _ = load_config(live.root)
    assert build(live.root, config, out=live.site).up_to_date

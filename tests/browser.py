"""Shared fixtures for tests in a real browser: Debian's Chromium driven by Playwright.

Playwright's own browser download cannot work on these machines, so the tests launch the
system Chromium (installed by ``.ci/system-deps``).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Problems:
    """Console errors and failed requests seen by a page; a test fails if any remain."""

    items: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                self.items.append(f"console: {msg.text}")

        def on_failed(request: Request) -> None:
            # ERR_ABORTED is the browser cancelling a request because the test moved on (a
            # navigation cuts off the favicon or a script still loading), never a missing or
            # broken file: those fail with their own errors (ERR_FILE_NOT_FOUND, ...).
            if request.failure == "net::ERR_ABORTED":
                return
            self.items.append(f"request failed: {request.url} ({request.failure})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on("requestfailed", on_failed)
        # The console's "Failed to load resource: 404" names no file: say which.
        page.on("response", lambda r: r.status == 404 and self.items.append(f"404: {r.url}"))
        return page


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), (
        "Chromium is not installed: run 'bash .ci/system-deps' (apt-get install -y chromium)"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) under a sub-path, as static hosts do."""
    handler = functools.partial(_QuietHandler, directory=str(directory.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{directory.name}/"
    finally:
        server.shutdown()
        server.server_close()


# --- The bundled library, built once per module that asks, over HTTP and from file:// -------
# A test module binds them by importing the functions (`from browser import _bundled_base, ...`)
# instead of writing its own site-building fixture; each is registered under its `name`, so a
# test's parameter of that name does not shadow the imported function.


@pytest.fixture(scope="module", name="bundled_site")
def _bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled library (a fresh copy), built into a sub-folder, as a static host serves it."""
    from papernotes.cli.main import main

    from conftest import copy_bundled

    out = tmp_path_factory.mktemp("built") / "notes"
    root = copy_bundled(tmp_path_factory.mktemp("lib"))
    assert main(["build", "--root", str(root), "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module", name="bundled_http")
def _bundled_http(bundled_site: Path) -> Iterator[str]:
    yield from serve(bundled_site)


@pytest.fixture(params=["http", "file"], name="bundled_base")
def _bundled_base(request: pytest.FixtureRequest, bundled_site: Path) -> str:
    """The built site's root URL, ending in "/": each test runs over HTTP and from file://."""
    if request.param == "file":
        return bundled_site.as_uri() + "/"
    return str(request.getfixturevalue("bundled_http"))


@pytest.fixture(name="phone")
def _phone(browser: Browser) -> Iterator[Page]:
    """A fresh 390×844 touch page (a phone: has_touch, is_mobile); the test fails on any
    console error or failed request."""
    problems = Problems()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    yield problems.watch(context.new_page())
    context.close()
    assert problems.items == []

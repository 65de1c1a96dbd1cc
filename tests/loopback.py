"""A tiny HTTP server on 127.0.0.1 for network tests: redirects, and servers that trickle.

Each route is a function of the request handler and a stop event; the server runs in a
thread for the length of a ``with`` block and is shut down (and its trickling handlers
released) when the block ends, so no test leaves a server behind.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Route = Callable[[BaseHTTPRequestHandler, threading.Event], None]

_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a proxy from the environment out of requests to the test server."""
    for name in _PROXY_VARS:
        for variant in (name, name.lower()):
            if variant in os.environ:
                monkeypatch.delenv(variant)


@dataclass
class Loopback:
    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def redirect(location: str, status: int = 302) -> Route:
    def route(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


def ok(body: bytes = b"ok") -> Route:
    def route(h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    return route


class Trickle:
    """A route that sends ``head``, then ``drip`` one byte per ``every`` seconds, then ``tail``.

    :attr:`dripped` counts the drip bytes sent (or being sent) so far. Read right after the client gives
    up, it shows the client was cut off rather than served to the end: no client can have
    read bytes the server had not yet sent. That is a count, not a clock, so a loaded
    machine cannot make it flaky (being slow only lowers the count).
    """

    def __init__(self, head: bytes, drip: bytes, tail: bytes, every: float) -> None:
        self.head, self.drip, self.tail, self.every = head, drip, tail, every
        self.dripped = 0

    def __call__(self, h: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        try:
            h.wfile.write(self.head)
            h.wfile.flush()
            for i in range(len(self.drip)):
                if stop.wait(self.every):  # paces the drip; ends at once when the test is over
                    return
                self.dripped += 1  # counted before the write: never fewer than the client saw
                h.wfile.write(self.drip[i : i + 1])
                h.wfile.flush()
            h.wfile.write(self.tail)
        except OSError:  # the client gave up and closed the connection
            return


def trickle(head: bytes, drip: bytes, tail: bytes, every: float) -> Trickle:
    """Send ``head``, then ``drip`` one byte per ``every`` seconds, then ``tail``."""
    return Trickle(head, drip, tail, every)


@contextmanager
def serve(routes: dict[str, Route], tls: ssl.SSLContext | None = None) -> Iterator[Loopback]:
    stop = threading.Event()
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _route(self) -> None:
            hits.append(self.path)
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
            else:
                route(self, stop)

        do_GET = _route
        do_HEAD = _route

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Loopback(server.server_address[1], hits)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

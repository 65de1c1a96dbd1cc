"""The HTTP side of ``papernotes serve``: the output folder's files, the live-reload script and
its Server-Sent Events stream, and nothing else.

The live-reload script is ``livereload.js``, package data beside this module rather
than a theme file: the theme's static files are copied into every built site, and this script
belongs only to ``serve``.

The built files are never touched for live reload: HTML responses get a small script injected
on the way out. Only requests addressed to the server by its own address are answered, so a web
page elsewhere cannot read the site through DNS rebinding; only regular files inside the output
folder are sent (``..``, encoded slashes and symlinks cannot lead out of it); a client that
disconnects mid-response is no error.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import mimetypes
import socket
import socketserver
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

__all__ = [
    "EVENTS",
    "SCRIPT",
    "HostCheck",
    "LiveState",
    "Located",
    "client_script",
    "locate",
    "make_server",
    "url_of",
]

EVENTS = "/__papernotes/events"
SCRIPT = "/__papernotes/livereload.js"
_TEXT = "text/plain; charset=utf-8"


@dataclass
class LiveState:
    """What the server and the watcher share: the build generation and its problems."""

    generation: int = 0
    """Bumped after every build; event streams wait for it to change."""
    problems: list[str] = field(default_factory=list)
    """The last build's error lines (empty after a good build)."""
    builds: int = 0
    """Builds run so far (tests read it to check coalescing)."""
    closed: bool = False
    """Set when the server stops, so open event streams end."""
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: list[str]) -> None:
        with self.changed:
            self.problems = problems
            self.generation += 1
            self.builds += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """The generation once it differs from ``seen`` (or after ``timeout``, or on close)."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen or self.closed, timeout)
            return self.generation

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()


@dataclass(frozen=True, slots=True)
class HostCheck:
    """Which ``Host`` headers name this server. A DNS-rebinding page reaches the server under
    its own domain name, so a name that is not ours is refused; an IP literal cannot be rebound."""

    port: int
    """The port the server listens on; the header must carry it (unless it is 80)."""
    names: frozenset[str]
    """Host names and addresses accepted, lower case, IPv6 without brackets."""
    any_ip: bool
    """Listening on every interface (0.0.0.0 or ::): any IP literal is accepted."""

    @classmethod
    def bound(cls, host: str, address: str, port: int) -> HostCheck:
        """For a server asked to listen on ``host`` and bound to ``address``:``port``."""
        names = {host.lower().strip("[]"), address.lower()}
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            ip = None
        any_ip = ip is not None and ip.is_unspecified
        if ip is not None and (ip.is_loopback or any_ip):
            names.add("localhost")
        if any_ip:
            names.add(socket.gethostname().lower())
        return cls(port, frozenset(names), any_ip)

    def accepts(self, header: str | None) -> bool:
        if not header:
            return False
        value = header.strip().lower()
        if value.startswith("["):
            name, bracket, port = value[1:].partition("]")
            if not bracket:
                return False
        else:
            name, colon, number = value.partition(":")
            port = colon + number
        if port != f":{self.port}" and not (port == "" and self.port == 80):
            return False
        if name in self.names:
            return True
        if not self.any_ip:
            return False
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Located:
    """What a request path names in the output folder."""

    file: Path | None = None
    """The regular file to send."""
    redirect: str | None = None
    """A folder asked for without its trailing slash: where to send the browser instead."""


def locate(out: Path, path: str, query: str = "") -> Located:
    """The file that URL ``path`` names inside ``out``, or nothing (a 404).

    Each segment is decoded on its own, so ``%2F`` cannot make a separator; ``..``, dot files
    (the site's state file, half-written temporary files) and anything whose real path leaves
    the output folder are not found.
    """
    segments: list[str] = []
    for raw in path.split("/"):
        try:
            segment = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return Located()
        if segment in ("", "."):
            continue
        if (
            segment == ".."
            or any(c in segment for c in "/\\\0")
            or (segment.startswith(".") and segment != ".well-known")
        ):
            return Located()
        segments.append(segment)
    try:
        base = out.resolve()
        real = base.joinpath(*segments).resolve()
        if not real.is_relative_to(base):
            return Located()
        mode = real.stat().st_mode
        if stat.S_ISDIR(mode):
            if not path.endswith("/"):
                slash = "/" + "".join(quote(s) + "/" for s in segments)
                return Located(redirect=slash + (f"?{query}" if query else ""))
            real = real / "index.html"
            mode = real.stat().st_mode
    except (OSError, ValueError, RuntimeError):
        # Too long a name, an embedded NUL, a symlink loop: all simply not there.
        return Located()
    return Located(file=real) if stat.S_ISREG(mode) else Located()


def _content_type(path: Path) -> str:
    if path.suffix == ".bib":
        return _TEXT
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return (
        f"{ctype}; charset=utf-8"
        if ctype.startswith("text/") or ctype.endswith(("javascript", "json", "xml", "svg+xml"))
        else ctype
    )


def _with_script(body: bytes, generation: int) -> bytes:
    """``body`` with the live-reload script, which carries the build generation the page was
    read at: its event stream opens only once the page has loaded, and a build that ended
    meanwhile must still reload the page."""
    tag = f'<script src="{SCRIPT}" data-since="{generation}"></script>'.encode()
    at = body.rfind(b"</body>")
    return body + tag if at < 0 else body[:at] + tag + body[at:]


def _since(query: str) -> int | None:
    """The generation an event stream's page was read at (``?since=N``); None when not given
    or not a number (an older page, or anything else a client sends)."""
    value = next((v for k, v in parse_qsl(query) if k == "since"), "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def client_script() -> bytes:
    """The live-reload client served at ``SCRIPT``."""
    return (resources.files("papernotes.serve") / "livereload.js").read_bytes()


def _handler(
    out: Path, state: LiveState, hosts: HostCheck, url: str, client: bytes
) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "papernotes"
        sys_version = ""
        timeout = 60  # an idle connection does not hold a thread for ever

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._answer(head=False)

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def _answer(self, *, head: bool) -> None:
            if not hosts.accepts(self.headers.get("Host")):
                text = f"papernotes serve answers only at {url}\n"
                self._send(403, text.encode(), _TEXT, head=head)
                return
            path, _, query = self.path.partition("?")
            if path == EVENTS:
                self._events(_since(query), head=head)
            elif path == SCRIPT:
                self._send(200, client, "text/javascript; charset=utf-8", head=head)
            else:
                self._file(path, query, head=head)

        def _send(
            self,
            status: int,
            body: bytes,
            ctype: str,
            *,
            head: bool,
            extra: tuple[tuple[str, str], ...] = (),
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _file(self, path: str, query: str, *, head: bool) -> None:
            # Read before the file: a page read just after a build gets that build's number
            # or an older one (one reload too many), never a newer one (a reload lost).
            generation = state.generation
            found = locate(out, path, query)
            if found.redirect is not None:
                body = f"moved to {found.redirect}\n".encode()
                self._send(301, body, _TEXT, head=head, extra=(("Location", found.redirect),))
                return
            status, local = 200, found.file
            if local is None:
                status, local = 404, locate(out, "/404.html").file
            try:
                body = b"" if local is None else local.read_bytes()
            except OSError:  # replaced or removed by a rebuild since it was found
                status, local, body = 404, None, b""
            if local is None:
                self._send(404, b"not found\n", _TEXT, head=head)
                return
            ctype = _content_type(local)
            if ctype.startswith("text/html"):
                body = _with_script(body, generation)
            self._send(status, body, ctype, head=head)

        def _events(self, since: int | None, *, head: bool) -> None:
            # Read before the headers go out: a build that ends meanwhile is still announced.
            seen = state.generation
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if head:
                return
            if since is not None and since != seen:
                # A build ended between the page's read and this stream: the page is stale.
                # Reloaded, it opens a new stream, which shows any problems.
                self._event("reload", str(seen))
            elif state.problems:
                self._event("error-report", json.dumps(state.problems))
            while not state.closed:
                now = state.wait(seen, timeout=15)
                if state.closed:
                    return
                if now == seen:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                seen = now
                if state.problems:
                    self._event("error-report", json.dumps(state.problems))
                else:
                    self._event("reload", str(now))

        def _event(self, name: str, data: str) -> None:
            self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
            self.wfile.flush()

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    on_error: Callable[[str], None] | None = None
    """Where a failed request's one-line report goes (the CLI prints it); None drops it."""

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for our full name, which we never use and which
        # can take seconds on a machine with a broken resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is routine; anything else is one line, never a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError) or self.on_error is None:
            return
        self.on_error(f"papernotes: error answering {client_address[0]}: {exc!r}")


def make_server(
    host: str,
    port: int,
    out: Path,
    state: LiveState,
    *,
    on_error: Callable[[str], None] | None = None,
) -> _Server:
    """A server bound to ``host``:``port`` (0: any free port) serving ``out``; not started.
    ``on_error`` receives one line per request that failed other than by the client going
    away. Raises OSError when the address cannot be used."""
    client = client_script()  # before binding: a broken install fails with no socket left open

    class Server(_Server):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host.strip("[]"), port), http.server.BaseHTTPRequestHandler)
    address, bound = str(server.server_address[0]), int(server.server_address[1])
    hosts = HostCheck.bound(host, address, bound)
    server.RequestHandlerClass = _handler(out, state, hosts, url_of(server), client)
    server.on_error = on_error
    return server


def url_of(server: socketserver.TCPServer) -> str:
    """The address to open in a browser."""
    host, port = str(server.server_address[0]), int(server.server_address[1])
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

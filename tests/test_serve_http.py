"""What ``papernotes serve`` answers over HTTP: only requests addressed to it, only files inside
the output folder, folders by their slash form, HEAD like GET, and never a traceback."""

from __future__ import annotations

import http.client
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from papernotes.serve.http import EVENTS, SCRIPT, HostCheck, client_script

from conftest import copy_fixture
from serving import DEADLINE, Live, start


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    base = tmp_path_factory.mktemp("serve-http")
    root = copy_fixture("small", base)
    served = start(root)
    site = served.site
    # Things a site could hold that must never let a request out of it.
    (base / "secret.txt").write_text("secret", encoding="utf-8")
    (base / "private").mkdir()
    (base / "private" / "index.html").write_text("<p>private</p>", encoding="utf-8")
    (site / "leak.txt").symlink_to(base / "secret.txt")
    (site / "leakdir").symlink_to(base / "private", target_is_directory=True)
    (site / "home.html").symlink_to(site / "index.html")
    (site / "big.bin").write_bytes(os.urandom(1 << 20) * 24)
    yield served
    served.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _ask(port: int, path: str, *, method: str = "GET", host: str | None = None) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    try:
        conn.request(method, path, headers={"Host": host or f"127.0.0.1:{port}"})
        resp = conn.getresponse()
        body = resp.read()
        headers = {k.lower(): v for k, v in resp.getheaders() if k.lower() != "date"}
        return Answer(resp.status, headers, body)
    finally:
        conn.close()


def _raw(port: int, request: bytes) -> bytes:
    """Everything the server sends back (it closes the connection after one response)."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_host_header_must_name_the_server(live: Live) -> None:
    port = live.port
    evil = _ask(port, "/", host="evil.example")
    assert evil.status == 403
    assert evil.headers["content-type"].startswith("text/plain")
    assert len(evil.body) < 200 and b"<" not in evil.body
    for host in (f"evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1", f"[::1]:{port}"):
        assert _ask(port, "/", host=host).status == 403, host
    assert _ask(port, "/__papernotes/events", host=f"rebind.example:{port}").status == 403
    assert _ask(port, "/", host=f"127.0.0.1:{port}").status == 200
    assert _ask(port, "/", host=f"LocalHost:{port}").status == 200
    no_host = _raw(port, b"GET / HTTP/1.0\r\n\r\n")
    assert no_host.startswith(b"HTTP/1.0 403 ")
    raw_evil = _raw(port, b"GET /index.html HTTP/1.1\r\nHost: evil.example\r\n\r\n")
    assert raw_evil.split(b"\r\n", 1)[0] == b"HTTP/1.0 403 Forbidden"
    assert b"<html" not in raw_evil


@pytest.mark.parametrize(
    ("host", "address", "header", "ok"),
    [
        ("127.0.0.1", "127.0.0.1", "127.0.0.1:8000", True),
        ("127.0.0.1", "127.0.0.1", "localhost:8000", True),
        ("127.0.0.1", "127.0.0.1", "localhost:8001", False),
        ("127.0.0.1", "127.0.0.1", "127.0.0.1.nip.io:8000", False),
        ("127.0.0.1", "127.0.0.1", "[::1]:8000", False),
        ("::1", "::1", "[::1]:8000", True),
        ("::1", "::1", "localhost:8000", True),
        ("::1", "::1", "::1:8000", False),
        ("0.0.0.0", "0.0.0.0", "192.168.1.20:8000", True),
        ("0.0.0.0", "0.0.0.0", "evil.example:8000", False),
        ("192.168.1.20", "192.168.1.20", "192.168.1.20:8000", True),
        ("192.168.1.20", "192.168.1.20", "localhost:8000", False),
        ("localhost", "127.0.0.1", "localhost:8000", True),
        ("127.0.0.1", "127.0.0.1", "", False),
    ],
)
def test_host_check_table(host: str, address: str, header: str, ok: bool) -> None:
    assert HostCheck.bound(host, address, 8000).accepts(header) is ok


def test_folders_redirect_to_their_slash_form(live: Live) -> None:
    moved = _ask(live.port, "/tags?sort=year&q=a%20b")
    assert moved.status == 301
    assert moved.headers["location"] == "/tags/?sort=year&q=a%20b"
    assert _ask(live.port, "/tags").headers["location"] == "/tags/"
    assert _ask(live.port, "//tags").headers["location"] == "/tags/"  # never //host
    index = _ask(live.port, "/tags/?sort=year")
    assert index.status == 200
    assert index.body.startswith((live.site / "tags" / "index.html").read_bytes()[:100])
    assert b"/__papernotes/livereload.js" in index.body
    assert _ask(live.port, "/").body == _ask(live.port, "/index.html").body
    leaf = _ask(live.port, "/tags/%E4%BD%8E%E7%A7%A9.html")  # 低秩.html
    assert leaf.status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/index.html",
        "/",
        "/tags/",
        "/tags",
        "/library.bib",
        "/feed.xml",
        "/no/such/page.html",
        "/__papernotes/livereload.js",
        "/__papernotes/events",
    ],
)
def test_head_gives_the_same_headers_as_get(live: Live, path: str) -> None:
    head = _raw(live.port, f"HEAD {path} HTTP/1.0\r\nHost: 127.0.0.1:{live.port}\r\n\r\n".encode())
    head_headers, _, head_body = head.partition(b"\r\n\r\n")
    assert head_body == b"", "HEAD must send no body"
    if path == "/__papernotes/events":
        assert b"text/event-stream" in head_headers
        return
    get = _ask(live.port, path)
    got = _ask(live.port, path, method="HEAD")
    assert got.status == get.status
    assert got.headers == get.headers
    if "content-length" in get.headers:
        assert int(get.headers["content-length"]) == len(get.body)
    assert "cache-control" in get.headers and "content-type" in get.headers


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/tags/..%2f..%2fsecret.txt",
        "/tags/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/leak.txt",
        "/leakdir/",
        "/leakdir/index.html",
        "/.papernotes-site.json",
        "/index.html%00.txt",
        "/%ff%fe",
        "/" + "a" * 300,
        "/tags/" + "b" * 300 + "/index.html",
        "/" + "%E4%BD%8E" * 120 + ".html",
    ],
)
def test_nothing_outside_the_output_folder(live: Live, path: str) -> None:
    answer = _ask(live.port, path)
    assert answer.status == 404, answer.headers
    assert b"secret" not in answer.body and b"private" not in answer.body
    assert b"papernotes-site" not in answer.body


def test_the_live_reload_script_is_served_but_never_built_into_the_site(live: Live) -> None:
    script = _ask(live.port, SCRIPT)
    assert script.status == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.body == client_script()
    assert b'new EventSource("/__papernotes/events" +' in script.body
    assert [p for p in live.site.rglob("*") if "livereload" in p.name] == []


def _first_event(port: int, query: str, then: Callable[[], None]) -> tuple[bytes, bytes]:
    """The first event (name, data) of an event stream opened with ``query``; ``then`` runs
    once the stream's headers came, that is once the server noted the build it is at."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        s.sendall(f"GET {EVENTS}{query} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        lines = s.makefile("rb")
        assert lines.readline().startswith(b"HTTP/1.0 200")
        while lines.readline() != b"\r\n":
            pass
        then()
        while not (line := lines.readline()).startswith(b"event: "):
            assert line, "the stream ended"
        return line.removeprefix(b"event: ").strip(), lines.readline().removeprefix(
            b"data: "
        ).strip()


def test_a_page_read_before_a_build_is_reloaded_though_its_stream_opens_after_it(
    live: Live,
) -> None:
    # A browser opens the page's event stream only after the page loaded: a build may end
    # in between (a save right after the page was opened), and must reload the page anyway.
    page = _ask(live.port, "/index.html").body
    tag = re.search(
        rb'<script src="/__papernotes/livereload.js" data-since="(\d+)"></script>', page
    )
    assert tag is not None
    since = int(tag.group(1))
    live.state.publish([])  # the build that ended before the stream opened
    assert _first_event(live.port, f"?since={since}", lambda: None) == (
        b"reload",
        str(since + 1).encode(),
    )


@pytest.mark.parametrize("query", ["", "?since=NOW", "?since=abc", "?since=" + "9" * 30])
def test_a_stream_of_a_page_that_is_current_waits_for_the_next_build(
    live: Live, query: str
) -> None:
    now = live.state.generation
    first = _first_event(live.port, query.replace("NOW", str(now)), lambda: live.state.publish([]))
    assert first == (b"reload", str(now + 1).encode())  # not one at once for the build it has


def test_symlink_inside_the_site_is_served(live: Live) -> None:
    assert _ask(live.port, "/home.html").body == _ask(live.port, "/index.html").body


def _request_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "process_request_thread" in t.name}


def _reset(s: socket.socket) -> None:
    """Close with a TCP reset, as a browser tab that is closed mid-download does."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def test_no_traceback_for_disconnects_or_long_names(
    live: Live, capfd: pytest.CaptureFixture[str]
) -> None:
    port = live.port
    before = _request_threads()
    # A client that goes away mid-download: the server is still writing 24 MB to it.
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET /big.bin HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert s.recv(4096).startswith(b"HTTP/1.0 200")
    _reset(s)
    # An event stream whose tab was closed, then a build that it is told about.
    e = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    e.sendall(f"GET /__papernotes/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert e.recv(4096).startswith(b"HTTP/1.0 200")
    _reset(e)
    live.state.publish([])
    live.state.publish([])
    # Names longer than the file system allows are simply not there.
    for path in ("/" + "a" * 300, "/tags/" + "b" * 300 + ".html", "/%00"):
        assert _ask(port, path).status == 404
    deadline = time.monotonic() + DEADLINE
    while (_request_threads() - before) and time.monotonic() < deadline:
        threading.Event().wait(0.05)
    assert not (_request_threads() - before), "requests still being answered"
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert err == ""

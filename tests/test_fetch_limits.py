"""Bounds on one request: decoded size (gzip bombs) and a whole-request deadline."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import httpcore
import httpx
import pytest

from papernotes.fetch.limits import (
    BadEncoding,
    DeadlineBackend,
    TooLarge,
    deadline,
    deadline_passed,
    read_body,
)
from papernotes.fetch.netguard import AddressPolicy, Refused

TEXT = b'{"title": "Attention Is All You Need"}' * 10


def _response(body: bytes, encoding: str | None = None) -> httpx.Response:
    headers = {"Content-Encoding": encoding} if encoding else {}
    # A stream, as from the network: ``content=`` would make httpx decode it up front.
    return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, as some servers send it
    ],
)
def test_bodies_are_decoded(encoding: str | None, body: bytes) -> None:
    decoded, wire = read_body(_response(body, encoding), limit=10_000)
    assert decoded == TEXT
    assert wire == len(body)


def test_a_gzip_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    with pytest.raises(TooLarge, match="larger than 1,000 bytes"):
        read_body(_response(bomb, "gzip"), limit=1_000)


def test_a_plain_body_over_the_limit_is_too_large() -> None:
    with pytest.raises(TooLarge):
        read_body(_response(TEXT), limit=len(TEXT) - 1)
    assert read_body(_response(TEXT), limit=len(TEXT))[0] == TEXT


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("br", b"xx"), ("gzip, gzip", gzip.compress(TEXT)), ("gzip", b"not gzip at all")],
)
def test_encodings_not_asked_for_or_broken_are_refused(encoding: str, body: bytes) -> None:
    with pytest.raises(BadEncoding):
        read_body(_response(body, encoding), limit=10_000)


def test_deadline_is_set_only_inside_its_block() -> None:
    assert not deadline_passed()
    with deadline(60):
        assert not deadline_passed()
    with deadline(-1):
        assert deadline_passed()
        with pytest.raises(httpx.ReadTimeout):
            read_body(_response(TEXT), limit=10_000)
    assert not deadline_passed()


class _Inner(httpcore.NetworkBackend):
    """Records what the deadline backend asks of the socket layer."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float | None]] = []

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, *_: Any) -> Any:
        self.calls.append((host, timeout))
        return object()


def test_connections_wait_no_longer_than_the_deadline() -> None:
    inner = _Inner()
    backend = DeadlineBackend(AddressPolicy(allow_private=True), inner)
    backend.connect_tcp("127.0.0.1", 80, timeout=30.0)
    with deadline(5):
        backend.connect_tcp("127.0.0.1", 80, timeout=30.0)
    with deadline(-1), pytest.raises(httpcore.ConnectTimeout):
        backend.connect_tcp("127.0.0.1", 80, timeout=30.0)
    [(host, outside), (_, inside)] = inner.calls
    assert (host, outside) == ("127.0.0.1", 30.0)
    assert inside is not None and 0 < inside <= 5


def test_private_addresses_and_unix_sockets_are_refused() -> None:
    backend = DeadlineBackend(AddressPolicy(), _Inner())
    with pytest.raises(Refused, match="loopback"):
        backend.connect_tcp("127.0.0.1", 80)
    with pytest.raises(httpcore.ConnectError, match="Unix sockets"):
        backend.connect_unix_socket("/tmp/socket")

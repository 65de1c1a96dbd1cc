"""Bounds on one metadata request: a whole-request deadline and a decoded-size limit.

httpx's timeouts apply to each read, so a server that sends a byte every few seconds never
trips them; and httpx decompresses as much as a chunk holds, so a 1 MB gzip answer can
become a gigabyte in memory. Both are answers the network can give, and the network is
untrusted, so :class:`~papernotes.fetch.http.Http` reads through this module:

* :func:`deadline` sets an end time that :class:`DeadlineBackend`, the socket layer under
  httpx, applies to every connect, read and write (each waits at most until that end);
* :func:`read_body` reads the raw bytes and inflates gzip/deflate itself, never producing
  more than ``limit`` bytes, so memory stays bounded by the limit, not by the answer.

The end time is a :class:`~contextvars.ContextVar` because httpcore gives the socket layer
no way to see the request it is reading for; the variable is set only around one request.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from papernotes.errors import PapernotesError
from papernotes.fetch.netguard import (
    CONNECT_ERRORS,
    AddressPolicy,
    connect_failure,
    lookup_failure_as_connect_error,
)

__all__ = [
    "ACCEPT_ENCODING",
    "BadEncoding",
    "DeadlineBackend",
    "TooLarge",
    "deadline",
    "deadline_passed",
    "read_body",
]

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings :func:`read_body` decodes, and so the only ones requests accept."""

_END: ContextVar[float | None] = ContextVar("papernotes_fetch_deadline", default=None)


class TooLarge(PapernotesError):
    """The answer, decompressed, is larger than the limit."""


class BadEncoding(PapernotesError):
    """The body is in an encoding that was not asked for, or does not decode."""


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Within this block, network I/O under :class:`DeadlineBackend` ends by ``seconds``."""
    end = time.monotonic() + seconds
    token = _END.set(end)
    try:
        yield end
    finally:
        _END.reset(token)


def deadline_passed() -> bool:
    """Whether the current deadline (if any) is over."""
    end = _END.get()
    return end is not None and time.monotonic() >= end


def _budget(timeout: float | None, error: type[Exception]) -> float | None:
    end = _END.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the deadline for this request has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        budget = _budget(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, budget))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket layer with each wait cut short at the current :func:`deadline`.

    It also keeps to an :class:`~papernotes.fetch.netguard.AddressPolicy`: the metadata client
    follows redirects (doi.org sends some to a URL the DOI's owner registered), and none of
    them may lead to loopback, private or metadata addresses. The host is resolved here and
    the connection goes to an address that was checked.

    Name resolution happens inside the operating system's blocking ``getaddrinfo``, which no
    timeout reaches; everything after it is bounded.
    """

    def __init__(
        self, addresses: AddressPolicy | None = None, inner: httpcore.NetworkBackend | None = None
    ) -> None:
        self._addresses = addresses if addresses is not None else AddressPolicy()
        self._inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        with lookup_failure_as_connect_error():
            addresses = self._addresses.resolve_now(host, port)
        failures: list[Exception] = []
        for address in addresses:
            budget = _budget(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(
                    address, port, budget, local_address, socket_options
                )
            except CONNECT_ERRORS as exc:
                failures.append(exc)
            else:
                return _Stream(stream)
        raise connect_failure(host, failures)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("metadata lookups do not use Unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Inflater:
    """gzip or deflate, decompressed a bounded piece at a time."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        # deflate is meant to be zlib-wrapped, but some servers send it raw (as httpx allows).
        wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """At most ``room`` bytes from ``data``; the rest stays pending."""
        try:
            out = self._z.decompress(data, room)
        except zlib.error:
            if self._encoding != "deflate" or self._started:
                raise BadEncoding(f"the body is not valid {self._encoding}") from None
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            self._started = True
            return self.feed(data, room)
        self._started = True
        return out

    @property
    def pending(self) -> bytes:
        return self._z.unconsumed_tail


def _encoding(response: httpx.Response) -> str:
    codings = [
        c.strip().lower()
        for c in response.headers.get("Content-Encoding", "").split(",")
        if c.strip().lower() not in ("", "identity")
    ]
    if not codings:
        return "identity"
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return "deflate" if codings[0] == "deflate" else "gzip"
    raise BadEncoding(f"the body is encoded as {', '.join(codings)!r}, which was not asked for")


def _raw_chunks(response: httpx.Response) -> Iterable[bytes]:
    if response.is_stream_consumed and isinstance(response.stream, httpx.SyncByteStream):
        # A Response built from bytes in memory (a test's MockTransport) was read once when
        # made; its stream holds the raw bytes and gives them again.
        return response.stream
    return response.iter_raw()


def read_body(response: httpx.Response, limit: int) -> tuple[bytes, int]:
    """The decoded body and its size on the wire; TooLarge past ``limit`` decoded bytes.

    Reads raw chunks and decodes them here, a bounded piece at a time, so neither the
    wire size nor the compression ratio decides how much memory an answer takes.
    """
    encoding = _encoding(response)
    inflater = _Inflater(encoding) if encoding != "identity" else None
    body = bytearray()
    wire = 0
    for chunk in _raw_chunks(response):
        wire += len(chunk)
        if inflater is None:
            body += chunk
        else:
            data = chunk
            while data:
                body += inflater.feed(data, limit - len(body) + 1)
                data = inflater.pending
                if len(body) > limit:
                    break
        if len(body) > limit:
            raise TooLarge(f"the answer is larger than {limit:,} bytes")
        if deadline_passed():
            # Without DeadlineBackend underneath (a test's transport), check between chunks.
            raise httpx.ReadTimeout("the deadline for this request has passed")
    return bytes(body), wire

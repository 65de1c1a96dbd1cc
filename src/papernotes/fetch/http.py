"""HTTP for metadata lookups: one client, polite by construction, answers cached on disk.

Every lookup goes through :meth:`Http.fetch`. It answers from the on-disk cache when it can;
otherwise it waits for the host's rate limit, sends the request with a timeout, retries with
exponential backoff on 429 and 5xx (honouring ``Retry-After``), and turns every failure into a
:class:`FetchError` whose message is one line for the user. A response is cached only after
the caller's parser accepted it, so an arXiv "Error" entry or a malformed body sent with HTTP
200 is never replayed from the cache.

Answers are untrusted: each request has one deadline for connecting and reading the whole
body, a body is refused past :attr:`Policy.max_bytes` once decompressed (see
:mod:`papernotes.fetch.limits`), and JSON nested too deeply for the parser is a FetchError.
The cache on disk is untrusted too (:mod:`papernotes.fetch.cache` ignores what it cannot
trust), and no request, redirects included, reaches a loopback, private or cloud metadata
address (:mod:`papernotes.fetch.netguard`).

The clock, the sleep and the httpx transport are injected, so tests replay recorded responses
through ``httpx.MockTransport`` and never wait.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpcore
import httpx

from papernotes import __version__
from papernotes.errors import PapernotesError
from papernotes.fetch.cache import CACHE_DIR, Answer, ResponseCache
from papernotes.fetch.limits import (
    ACCEPT_ENCODING,
    BadEncoding,
    DeadlineBackend,
    TooLarge,
    deadline,
    read_body,
)
from papernotes.fetch.netguard import AddressPolicy, Refused
from papernotes.foreign import lookup_failure

__all__ = [
    "CACHE_DIR",
    "PROJECT_URL",
    "Answer",
    "FetchError",
    "Http",
    "Policy",
    "RateLimiter",
    "ResponseCache",
    "load_json",
    "make_client",
    "retry_after_seconds",
    "user_agent",
]

T = TypeVar("T")

PROJECT_URL = ""
"""A project page to name in the User-Agent; none is published yet, so none is named."""

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_TIMEOUT = 20.0


class FetchError(PapernotesError):
    """A lookup failed; ``str(error)`` is one line that says what and why."""


def _default_intervals() -> dict[str, float]:
    # arXiv asks for no more than one request every 3 seconds; Semantic Scholar gives API keys
    # 1 request per second and the shared anonymous pool is smaller still.
    return {"export.arxiv.org": 3.0, "api.semanticscholar.org": 1.0}


@dataclass(frozen=True, slots=True)
class Policy:
    """How patient and how polite requests are."""

    timeout: float = _TIMEOUT
    """Seconds to wait for a connection or for the next bytes of an answer."""
    attempts: int = 4
    """Tries per request, the first included, for 429/5xx, timeouts and cut-off bodies."""
    backoff: float = 1.0
    """Seconds before the first retry; doubled for each further one."""
    max_wait: float = 60.0
    """The longest single wait; a ``Retry-After`` beyond it fails at once instead."""
    intervals: Mapping[str, float] = field(default_factory=_default_intervals)
    """Minimum seconds between two requests to a host."""
    deadline: float = 60.0
    """Seconds one request may take in all: connecting, redirects and the whole body."""
    max_bytes: int = 16 * 1024 * 1024
    """The largest answer accepted, counted after decompression."""


def user_agent(email: str | None) -> str:
    """``papernotes/<version> (+<project>; mailto:<email>)``: Crossref's polite-pool form."""
    parts = [
        p
        for p in (f"+{PROJECT_URL}" if PROJECT_URL else "", f"mailto:{email}" if email else "")
        if p
    ]
    return f"papernotes/{__version__}" + (f" ({'; '.join(parts)})" if parts else "")


def make_client(
    email: str | None = None,
    *,
    timeout: float = _TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    addresses: AddressPolicy | None = None,
) -> httpx.Client:
    """The client every lookup shares: identifying User-Agent, timeouts, redirects followed.

    doi.org answers content negotiation with a redirect to the registration agency, which
    httpx does not follow unless told to. Only the encodings :func:`read_body` decodes with
    a size bound are accepted. Without a ``transport`` (tests give one), the real network
    is reached through :class:`DeadlineBackend`, so :attr:`Policy.deadline` bounds every read
    and no redirect reaches an address ``addresses`` forbids (private ones, by default).
    """
    if transport is None:
        real = httpx.HTTPTransport()
        # httpx takes no network backend: swap in a pool like its own, with the bounded one.
        real._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=DeadlineBackend(addresses),
        )
        transport = real
    return httpx.Client(
        headers={"User-Agent": user_agent(email), "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        transport=transport,
    )


def load_json(answer: Answer, service: str) -> Any:
    """The JSON in ``answer``; FetchError (one line) for malformed or absurdly nested JSON."""
    try:
        return json.loads(answer.text)
    except RecursionError:
        raise FetchError(f"{service}: malformed answer: JSON nested too deeply") from None
    except ValueError as exc:
        raise FetchError(f"{service}: malformed answer: not valid JSON ({exc})") from None


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class RateLimiter:
    """Keeps a minimum gap between requests to the same host."""

    def __init__(
        self,
        intervals: Mapping[str, float],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._intervals = dict(intervals)
        self._clock = clock
        self._sleep = sleep
        self._ready: dict[str, float] = {}

    def wait(self, host: str) -> float:
        """Sleep until ``host`` may be asked again; returns the seconds slept."""
        gap = self._intervals.get(host, 0.0)
        if gap <= 0:
            return 0.0
        now = self._clock()
        ready = self._ready.get(host, now)
        slept = 0.0
        if ready > now:
            slept = ready - now
            self._sleep(slept)
            now = max(self._clock(), ready)
        self._ready[host] = now + gap
        return slept


class Http:
    """Cached, rate-limited, retrying GETs with one-line failures."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        cache: ResponseCache | None = None,
        policy: Policy | None = None,
        offline: bool = False,
        refresh: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
        on_request: Callable[[str], None] | None = None,
    ) -> None:
        self._client = client
        self._cache = cache
        self._policy = policy or Policy()
        self._offline = offline
        self._refresh = refresh
        self._sleep = sleep
        self._wall = wall
        self._limiter = RateLimiter(self._policy.intervals, clock, sleep)
        self._on_request = on_request
        self.sent = 0
        """Requests sent over the network so far (cache hits not counted)."""
        self.missing: list[str] = []
        """URLs an offline run needed but the cache did not have."""

    def fetch(
        self,
        url: str,
        parse: Callable[[Answer], T],
        *,
        service: str,
        accept: str = "*/*",
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """GET ``url`` and parse it; from the cache when possible, cached once parsed.

        ``parse`` gets every answer that is not a 429/5xx (a 404 too) and raises FetchError
        for one it cannot use. Raises FetchError for network failures, exhausted retries, a
        cut-off body, or (offline) a response the cache does not have.
        """
        cached = None if self._refresh else self._cache_get(url, accept)
        if cached is not None:
            try:
                return parse(cached)
            except FetchError:
                if self._offline:
                    raise
        if self._offline:
            self.missing.append(url)
            raise FetchError(
                f"{service}: not in the cache and --offline is set: GET {url} "
                "(run once without --offline to fetch it)"
            )
        answer = self._get(url, service=service, accept=accept, headers=headers or {})
        result = parse(answer)
        if self._cache is not None and 200 <= answer.status < 300:
            self._cache.put("GET", url, accept, answer)
        return result

    def _cache_get(self, url: str, accept: str) -> Answer | None:
        return self._cache.get("GET", url, accept) if self._cache is not None else None

    def _get(self, url: str, *, service: str, accept: str, headers: Mapping[str, str]) -> Answer:
        policy = self._policy
        host = httpx.URL(url).host
        request_headers = {"Accept": accept, **headers}
        problem = ""
        for attempt in range(1, policy.attempts + 1):
            self._limiter.wait(host)
            if self._on_request is not None:
                self._on_request(url)
            self.sent += 1
            wait: float | None = None
            try:
                with deadline(policy.deadline) as end:
                    response, answer = self._exchange(url, request_headers, service, host)
            except httpx.TimeoutException:
                if time.monotonic() >= end:
                    # A server this slow is not helped by asking again.
                    raise FetchError(
                        f"{service}: {host} did not send its whole answer within "
                        f"{policy.deadline:g} s"
                    ) from None
                problem = f"{host} did not answer within {policy.timeout:g} s"
            except (httpx.RemoteProtocolError, httpx.ReadError):
                problem = f"the answer from {host} was cut off (incomplete body)"
            except (httpx.HTTPError, Refused) as exc:
                raise FetchError(lookup_failure(exc, service=service, url=url)) from None
            else:
                if answer is not None:
                    return answer
                wait = retry_after_seconds(response.headers.get("Retry-After"), self._wall())
                code = response.status_code
                problem = (
                    f"rate-limited by {host} (HTTP 429)"
                    if code == 429
                    else f"{host} answered HTTP {code} ({response.reason_phrase})"
                )
                if wait is not None and wait > policy.max_wait:
                    raise FetchError(
                        f"{service}: {problem}; it asks to wait {wait:.0f} s — try again later"
                    )
            if attempt == policy.attempts:
                break
            backoff = policy.backoff * 2 ** (attempt - 1)
            self._sleep(min(policy.max_wait, wait if wait is not None else backoff))
        raise FetchError(f"{service}: {problem}; gave up after {policy.attempts} tries")

    def _exchange(
        self, url: str, headers: Mapping[str, str], service: str, host: str
    ) -> tuple[httpx.Response, Answer | None]:
        """The response, and its Answer unless it is one to retry (its body then unread)."""
        with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code in _RETRY_STATUS:
                return response, None
            try:
                body, wire = read_body(response, self._policy.max_bytes)
            except TooLarge as exc:
                raise FetchError(f"{service}: {host} sent too large an answer: {exc}") from None
            except BadEncoding as exc:
                raise FetchError(f"{service}: {host} sent an unreadable answer: {exc}") from None
            return response, self._answer(url, response, body, wire, service, host)

    @staticmethod
    def _answer(
        url: str, response: httpx.Response, body: bytes, wire: int, service: str, host: str
    ) -> Answer:
        declared = response.headers.get("Content-Length")
        # A body shorter than announced would otherwise reach the parser as garbage.
        if declared and declared.isdigit() and wire < int(declared):
            raise FetchError(
                f"{service}: the answer from {host} was cut off ({wire} of {declared} bytes)"
            )
        try:
            text = body.decode(response.charset_encoding or "utf-8", errors="replace")
        except LookupError:
            raise FetchError(f"{service}: {host} sent a body that is not text") from None
        return Answer(
            url=url,
            status=response.status_code,
            text=text,
            content_type=response.headers.get("Content-Type", ""),
        )

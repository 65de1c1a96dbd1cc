"""Checking outbound URLs concurrently: HEAD, falling back to GET, redirects followed.

``asyncio`` with one ``httpx.AsyncClient``: at most ``concurrency`` requests at once and at
most ``per_host`` to any one host, so a library with 300 arXiv links does not hammer arXiv.
Servers that refuse HEAD (405, 501, and often 403) are asked again with a GET whose body is
not downloaded. Results are not cached: a link check has to ask.

A link is untrusted input. Redirects are followed here, one hop at a time (at most
``max_redirects``), and every hop's host is checked against :mod:`papernotes.fetch.netguard`'s
address rule before it is asked, so neither a URL nor a redirect can make the check reach
loopback, private or cloud metadata addresses unless ``allow_private`` is set. Each URL has
one deadline for all its hops, so a server that trickles bytes cannot hold a check for long.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import httpx

from papernotes.fetch.http import user_agent
from papernotes.fetch.netguard import (
    ALLOW_PRIVATE_HINT,
    AddressPolicy,
    Refused,
    Resolver,
    guarded_transport,
    system_resolver,
)
from papernotes.foreign import link_failure

__all__ = ["LinkResult", "check_urls", "run_checks"]

_HEAD_REFUSED = frozenset({403, 405, 501})
_UNVERIFIABLE = frozenset({401, 403, 429})
_PERMANENT = frozenset({301, 308})
_REDIRECT = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What one URL answered."""

    url: str
    """The URL checked."""
    status: int | None = None
    """The final HTTP status, or None when no answer came."""
    final_url: str = ""
    """Where redirects ended."""
    moved: bool = False
    """Whether a permanent redirect (301/308) was on the way."""
    error: str = ""
    """Why there was no answer (timeout, DNS, refused connection, …)."""
    refused: bool = False
    """Not asked: the URL or a redirect leads to an address the policy forbids."""

    @property
    def broken(self) -> bool:
        """No answer, or an error status other than "forbidden"/"rate-limited"."""
        if self.refused:
            return False
        if self.status is None:
            return True
        return self.status >= 400 and self.status not in _UNVERIFIABLE

    @property
    def unverified(self) -> bool:
        """The server would not tell (401, 403, 429): not counted as broken."""
        return self.status in _UNVERIFIABLE

    @property
    def problem(self) -> str:
        """A short description of what is wrong, for messages."""
        if self.error:
            return self.error
        return f"HTTP {self.status}" if self.status is not None else "no answer"


async def _ask(client: httpx.AsyncClient, method: str, url: httpx.URL) -> httpx.Response:
    # Streamed and closed unread: a link check needs the status and headers, never the body.
    async with client.stream(method, url) as response:
        return response


async def _refusal(
    url: str, hop: int, target: httpx.URL, policy: AddressPolicy, resolver: Resolver
) -> LinkResult | None:
    """A result when ``target`` must not be asked (or its name does not resolve), else None."""
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    if policy.allows_endpoint(host, port):
        return None
    try:
        await policy.resolve(host, port, resolver)
    except Refused as exc:
        problem, _ = link_failure(exc, ALLOW_PRIVATE_HINT, via=str(target) if hop else None)
        return LinkResult(url, error=problem, refused=True)
    except OSError as exc:
        return LinkResult(url, error=link_failure(exc, ALLOW_PRIVATE_HINT)[0])
    return None


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    policy: AddressPolicy,
    resolver: Resolver,
    max_redirects: int,
) -> LinkResult:
    """Ask ``url``, following redirects one hop at a time, each hop's address checked first."""
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return LinkResult(url, error=link_failure(exc, ALLOW_PRIVATE_HINT)[0])
    if target.scheme not in ("http", "https"):
        return LinkResult(url, error="not an http or https URL")
    method = "HEAD"
    moved = False
    for hop in range(max_redirects + 1):
        refusal = await _refusal(url, hop, target, policy, resolver)
        if refusal is not None:
            return refusal
        response = await _ask(client, method, target)
        if method == "HEAD" and response.status_code in _HEAD_REFUSED:
            # Servers that refuse HEAD tend to refuse it on every hop: stay with GET.
            method = "GET"
            response = await _ask(client, method, target)
        location = response.headers.get("Location")
        if response.status_code not in _REDIRECT or not location:
            return LinkResult(url, response.status_code, str(target), moved)
        moved = moved or response.status_code in _PERMANENT
        try:
            target = target.join(location)
        except httpx.InvalidURL:
            return LinkResult(url, error=f"redirects to an invalid URL {location!r}")
        if target.scheme not in ("http", "https"):
            return LinkResult(url, error=f"redirects to {location}, not an http or https URL")
    return LinkResult(url, error=f"too many redirects (more than {max_redirects})")


async def _check_one(
    client: httpx.AsyncClient,
    url: str,
    *,
    policy: AddressPolicy,
    resolver: Resolver,
    deadline: float,
    max_redirects: int,
) -> LinkResult:
    try:
        # One deadline for the whole check, redirects included: per-read timeouts alone let
        # a server that trickles a byte every few seconds hold a link for minutes.
        async with asyncio.timeout(deadline):
            return await _follow(client, url, policy, resolver, max_redirects)
    except TimeoutError:
        return LinkResult(url, error=f"timed out (no complete answer within {deadline:g} s)")
    # Refused here is the connection layer's own check (DNS changed since ours).
    except (httpx.HTTPError, Refused) as exc:
        problem, refused = link_failure(exc, ALLOW_PRIVATE_HINT)
        return LinkResult(url, error=problem, refused=refused)


async def check_urls(
    urls: Iterable[str],
    client: httpx.AsyncClient,
    *,
    concurrency: int = 10,
    per_host: int = 2,
    progress: Callable[[str], None] | None = None,
    policy: AddressPolicy | None = None,
    resolver: Resolver = system_resolver,
    deadline: float = 15.0,
    max_redirects: int = MAX_REDIRECTS,
) -> dict[str, LinkResult]:
    """Check each URL once, within ``deadline`` seconds each; results by URL."""
    rule = policy if policy is not None else AddressPolicy()
    unique = list(dict.fromkeys(urls))
    overall = asyncio.Semaphore(max(1, concurrency))
    hosts: dict[str, asyncio.Semaphore] = {}

    async def run(url: str) -> LinkResult:
        host = httpx.URL(url).host
        gate = hosts.setdefault(host, asyncio.Semaphore(max(1, per_host)))
        async with overall, gate:
            result = await _check_one(
                client,
                url,
                policy=rule,
                resolver=resolver,
                deadline=deadline,
                max_redirects=max_redirects,
            )
        if progress is not None:
            progress(url)
        return result

    results = await asyncio.gather(*(run(u) for u in unique))
    return {r.url: r for r in results}


def run_checks(
    urls: Iterable[str],
    *,
    email: str | None = None,
    timeout: float = 15.0,
    concurrency: int = 10,
    per_host: int = 2,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[str], None] | None = None,
    allow_private: bool = False,
    policy: AddressPolicy | None = None,
    resolver: Resolver = system_resolver,
    deadline: float | None = None,
    max_redirects: int = MAX_REDIRECTS,
) -> Mapping[str, LinkResult]:
    """Check ``urls`` from synchronous code (the CLI).

    ``timeout`` bounds each URL's whole check, redirects included (``deadline`` sets that
    bound apart from the per-read timeout). Loopback, private and metadata addresses are
    refused unless ``allow_private``; ``policy`` replaces that rule (tests allow their own
    server's ``host:port``), ``resolver`` the DNS, ``transport`` the network.
    """
    rule = policy if policy is not None else AddressPolicy(allow_private=allow_private)

    async def main() -> dict[str, LinkResult]:
        net = transport
        if net is None and not rule.allow_private:
            net = guarded_transport(rule, resolver)
        async with httpx.AsyncClient(
            headers={"User-Agent": user_agent(email)},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            transport=net,
        ) as client:
            return await check_urls(
                urls,
                client,
                concurrency=concurrency,
                per_host=per_host,
                progress=progress,
                policy=rule,
                resolver=resolver,
                deadline=timeout if deadline is None else deadline,
                max_redirects=max_redirects,
            )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    # Called from inside a running event loop (a notebook, an embedding app): asyncio.run
    # refuses to nest, so the check gets a loop of its own in a worker thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()

"""Which addresses a link check may reach, and a connection layer that keeps to them.

A note can hold any URL, and a hostile one (or a redirect from an innocent-looking one) can
point at the machine running the check or its network: ``http://127.0.0.1:8080/admin``, a
router at ``192.168.1.1``, a cloud metadata service at ``169.254.169.254``. ``check
--external`` therefore reaches only globally routable unicast addresses unless the user
passes ``--allow-private``.

The rule is a table (:data:`_BLOCKED_V4`, :data:`_BLOCKED_V6`) rather than
``ipaddress.is_global``, whose answers differ between Python versions (3.11 calls
``192.0.0.192``, Oracle's metadata address, global). IPv6 addresses that carry an IPv4 one
(``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) are judged by it.

Checking a name's addresses and then letting the HTTP library resolve it again would leave a
gap (DNS rebinding: a public answer for the check, ``127.0.0.1`` for the connection).
:class:`GuardedBackend` closes it: it is the connection layer under httpx, resolves the name
itself, checks every address and connects to a checked one. Requests sent through a proxy
from the environment (``HTTPS_PROXY``) are connected by the proxy, so for them only the
check made before the request applies.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from papernotes.errors import PapernotesError

__all__ = [
    "ALLOW_PRIVATE_HINT",
    "CONNECT_ERRORS",
    "AddressPolicy",
    "GuardedBackend",
    "Refused",
    "Resolver",
    "address_problem",
    "connect_failure",
    "guarded_transport",
    "lookup_failure_as_connect_error",
    "system_resolver",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""``(host, port) -> addresses``; raises OSError when the name does not resolve."""

ALLOW_PRIVATE_HINT = "pass --allow-private to check it"

_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.170.23",  # AWS EKS pod identity
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "fd00:ec2::254",  # AWS over IPv6
        "fd00:ec2::23",  # AWS EKS pod identity over IPv6
    )
)


def _nets(rows: Iterable[tuple[str, str]]) -> tuple[tuple[Any, str], ...]:
    return tuple((ipaddress.ip_network(net), why) for net, why in rows)


_BLOCKED_V4 = _nets(
    [
        ("0.0.0.0/8", "an unspecified"),
        ("10.0.0.0/8", "a private"),
        ("100.64.0.0/10", "a carrier-grade NAT"),
        ("127.0.0.0/8", "a loopback"),
        ("169.254.0.0/16", "a link-local"),
        ("172.16.0.0/12", "a private"),
        ("192.0.0.0/24", "a reserved"),
        ("192.0.2.0/24", "a documentation"),
        ("192.88.99.0/24", "a reserved"),
        ("192.168.0.0/16", "a private"),
        ("198.18.0.0/15", "a benchmarking"),
        ("198.51.100.0/24", "a documentation"),
        ("203.0.113.0/24", "a documentation"),
        ("224.0.0.0/4", "a multicast"),
        ("240.0.0.0/4", "a reserved"),
    ]
)
_BLOCKED_V6 = _nets(
    [
        ("64:ff9b:1::/48", "a private"),
        ("100::/64", "a discard-only"),
        ("2001::/23", "a reserved"),
        ("2001:db8::/32", "a documentation"),
        ("3fff::/20", "a documentation"),
        ("fc00::/7", "a unique-local"),
        ("fe80::/10", "a link-local"),
        ("fec0::/10", "a site-local"),
        ("ff00::/8", "a multicast"),
    ]
)
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_problem(address: Address) -> str:
    """Why a check must not reach ``address`` ("a loopback address"), or "" when it may."""
    if address in _METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            return address_problem(inner)
        if address == ipaddress.IPv6Address("::"):
            return "an unspecified address"
        if address == ipaddress.IPv6Address("::1"):
            return "a loopback address"
        for net, why in _BLOCKED_V6:
            if address in net:
                return f"{why} address"
        if address not in _GLOBAL_UNICAST_V6:
            return "a reserved address"
        return ""
    for net, why in _BLOCKED_V4:
        if address in net:
            return f"{why} address"
    return ""


class Refused(PapernotesError):
    """A host the policy does not let requests reach, and why."""

    def __init__(self, host: str, address: str, problem: str) -> None:
        self.host = host
        self.address = address
        self.problem = problem
        super().__init__(self.describe())

    def describe(self) -> str:
        """``a loopback address 127.0.0.1``, or ``x.example, which resolves to …``."""
        what = f"{self.problem} {self.address}".strip()
        return (
            what
            if self.host.strip("[]") == self.address
            else f"{self.host}, which resolves to {what}"
        )


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses requests may reach."""

    allow_private: bool = False
    """Reach every address (``--allow-private``)."""
    allowed: frozenset[str] = frozenset()
    """Exact ``host:port`` endpoints reachable anyway (a test's own loopback server)."""

    def allows_endpoint(self, host: str, port: int) -> bool:
        """Whether ``host:port`` is exempt from the address rule."""
        return self.allow_private or f"{host}:{port}" in self.allowed

    def check(self, host: str, port: int, addresses: Iterable[str]) -> tuple[str, ...]:
        """``addresses`` when every one may be reached; else Refused naming the first bad one.

        All must pass, not just one: a name that also resolves to a private address is what
        DNS rebinding looks like, and the connection might pick that one.
        """
        out = tuple(dict.fromkeys(addresses))
        if self.allows_endpoint(host, port):
            return out
        for text in out:
            try:
                address = ipaddress.ip_address(text.split("%", 1)[0])
            except ValueError:
                raise Refused(host, repr(text), "something that is not an address") from None
            problem = address_problem(address)
            if problem:
                raise Refused(host, str(address), problem)
        return out

    async def resolve(self, host: str, port: int, resolver: Resolver) -> tuple[str, ...]:
        """The checked addresses of ``host``; Refused for a forbidden one, OSError for none."""
        literal = _literal(host)
        if literal is not None:
            return self.check(host, port, [literal])
        return self.check(host, port, await resolver(host.strip("[]"), port))

    def resolve_now(self, host: str, port: int) -> tuple[str, ...]:
        """:meth:`resolve` with the system's blocking resolver, for synchronous clients."""
        literal = _literal(host)
        if literal is not None:
            return self.check(host, port, [literal])
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        return self.check(host, port, [str(info[4][0]) for info in infos])


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The operating system's answer for ``host`` (what a connection would use)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


CONNECT_ERRORS = (httpcore.ConnectError, httpcore.ConnectTimeout)
"""How a connection to one checked address fails; the backends then try the next one."""


@contextmanager
def lookup_failure_as_connect_error() -> Iterator[None]:
    """A name that does not resolve (OSError) becomes httpcore's ConnectError, the error httpx
    expects from a connection layer. Wraps the lookup only, never the connection."""
    try:
        yield
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc


def connect_failure(host: str, failures: Sequence[Exception]) -> Exception:
    """What a backend raises when none of ``host``'s checked addresses connected: the last
    address's failure, or ConnectError when the name had no address to try."""
    return failures[-1] if failures else httpcore.ConnectError(f"no address for {host}")


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's connection layer, resolving and checking every host before connecting.

    The connection goes to an address that was checked, never to a second lookup's answer.
    TLS still verifies the certificate against the host name, which httpcore passes to
    ``start_tls`` separately.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        with lookup_failure_as_connect_error():
            addresses = await self._policy.resolve(host, port, self._resolver)
        failures: list[Exception] = []
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except CONNECT_ERRORS as exc:
                failures.append(exc)
        raise connect_failure(host, failures)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("link checks do not use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(
    policy: AddressPolicy, resolver: Resolver, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncHTTPTransport:
    """httpx's own transport with :class:`GuardedBackend` as its connection layer.

    httpx does not take a network backend, so the transport's connection pool is replaced by
    one built like httpx's default but with the guarded backend; tests check it is used.
    ``ssl_context`` defaults to httpx's (certifi's certificates); tests trust their own.
    """
    transport = httpx.AsyncHTTPTransport()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context if ssl_context is not None else httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(policy, resolver),
    )
    return transport

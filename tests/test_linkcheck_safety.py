"""`check --external` is not an SSRF tool, and every link check ends.

The address rule is tested as a table and with injected DNS answers; end to end, a server on
127.0.0.1 plays the innocent site. That server is itself on loopback, so the tests allow
exactly its ``127.0.0.1:<port>`` (``AddressPolicy.allowed``) and nothing else: what they
show refused is the redirect *target*, through the real transport.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import ssl
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpcore
import pytest
from loopback import no_proxy, ok, redirect, serve, trickle  # noqa: F401

from papernotes.fetch.linkcheck import run_checks
from papernotes.fetch.netguard import (
    CONNECT_ERRORS,
    AddressPolicy,
    Refused,
    address_problem,
    connect_failure,
    guarded_transport,
    lookup_failure_as_connect_error,
    system_resolver,
)

pytestmark = pytest.mark.usefixtures("no_proxy")

T = TypeVar("T")
TLS = Path(__file__).parent / "fixtures" / "tls"  # a self-signed test certificate, no secret
HINT = "; pass --allow-private to check it"


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("192.0.0.192", "a cloud metadata address"),
        ("100.64.0.1", "a carrier-grade NAT address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("255.255.255.255", "a reserved address"),
        ("fe80::1", "a link-local address"),
        ("fc00::1", "a unique-local address"),
        ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("64:ff9b::a00:1", "a private address"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", "a loopback address"),  # 6to4 of 127.0.0.1
        ("2001:db8::1", "a documentation address"),
        ("::127.0.0.1", "a reserved address"),  # deprecated IPv4-compatible
        ("93.184.216.34", ""),
        ("8.8.8.8", ""),
        ("2606:4700::1111", ""),
        ("::ffff:8.8.8.8", ""),
    ],
)
def test_address_rule(address: str, problem: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) == problem


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    # A loop of its own in a thread: the browser tests keep an event loop running here.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def dns(table: dict[str, Sequence[str]]):
    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return table[host]

    return resolve


def test_names_are_judged_by_every_address_they_resolve_to() -> None:
    resolver = dns({"intranet.example": ["10.0.0.5"], "mixed.example": ["8.8.8.8", "127.0.0.1"]})
    policy = AddressPolicy()
    with pytest.raises(Refused) as err:
        run_async(policy.resolve("intranet.example", 80, resolver))
    assert err.value.describe() == "intranet.example, which resolves to a private address 10.0.0.5"
    with pytest.raises(Refused) as err:
        run_async(policy.resolve("mixed.example", 443, resolver))
    assert err.value.describe() == "mixed.example, which resolves to a loopback address 127.0.0.1"
    assert run_async(AddressPolicy(allow_private=True).resolve("mixed.example", 1, resolver))
    # Literal addresses, in any spelling the URL parser accepts, are never looked up.
    with pytest.raises(Refused):
        run_async(policy.resolve("[::1]", 80, dns({})))


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "0177.0.0.1"])
def test_numeric_spellings_of_loopback_are_refused(host: str) -> None:
    # The system resolver reads these as 127.0.0.1 (inet_aton) without asking any DNS server.
    with pytest.raises(Refused) as err:
        run_async(AddressPolicy().resolve(host, 80, system_resolver))
    assert err.value.describe() == f"{host}, which resolves to a loopback address 127.0.0.1"


def test_redirects_to_private_addresses_are_refused_end_to_end() -> None:
    resolver = dns({"localhost": ["127.0.0.1"]})
    routes = {
        "/meta": redirect("http://169.254.169.254/latest/meta-data/"),
        "/loop": redirect("http://127.0.0.1:1/admin"),
        "/v6": redirect("http://[::ffff:7f00:1]/"),
    }
    with serve(routes) as site:
        routes["/named"] = redirect(f"http://localhost:{site.port}/secret", 301)
        urls = [site.url(p) for p in routes]
        policy = AddressPolicy(allowed=frozenset({site.endpoint}))
        results = run_checks(urls, policy=policy, resolver=resolver, timeout=5.0)
        hits = sorted(site.hits)
    errors = {url.rsplit("/", 1)[1]: results[url].error for url in urls}
    assert errors == {
        "meta": "refused: redirects to a cloud metadata address 169.254.169.254 "
        "(http://169.254.169.254/latest/meta-data/)" + HINT,
        "loop": "refused: redirects to a loopback address 127.0.0.1 (http://127.0.0.1:1/admin)"
        + HINT,
        "named": "refused: redirects to localhost, which resolves to a loopback address "
        f"127.0.0.1 (http://localhost:{site.port}/secret)" + HINT,
        "v6": "refused: redirects to a loopback address ::ffff:7f00:1 (http://[::ffff:7f00:1]/)"
        + HINT,
    }
    assert all(r.refused and not r.broken for r in results.values())
    assert hits == ["/loop", "/meta", "/named", "/v6"], "no refused target was asked"


def test_a_loopback_url_is_refused_unless_allowed() -> None:
    with serve({"/ok": ok()}) as site:
        url = site.url("/ok")
        refused = run_checks([url], timeout=5.0)[url]
        asked_before = list(site.hits)
        allowed = run_checks([url], timeout=5.0, allow_private=True)[url]
    assert refused.refused and refused.error == "refused: a loopback address 127.0.0.1" + HINT
    assert asked_before == []
    assert allowed.status == 200 and not allowed.broken


def test_the_connection_goes_to_the_checked_address() -> None:
    # "pinned.test" exists only in the injected resolver: reaching the server proves the
    # transport connected to the address the policy saw, not to a second lookup's.
    with serve({"/ok": ok()}) as site:
        resolver = dns({"pinned.test": ["127.0.0.1"]})
        policy = AddressPolicy(allowed=frozenset({f"pinned.test:{site.port}"}))
        url = f"http://pinned.test:{site.port}/ok"
        result = run_checks([url], policy=policy, resolver=resolver, timeout=5.0)[url]
    assert result.status == 200 and site.hits == ["/ok"]


def test_tls_is_verified_against_the_name_not_the_pinned_address() -> None:
    # The connection goes to the checked address, but SNI and the certificate check still
    # use the host name: a certificate for pinned.test is good for pinned.test only.
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(TLS / "pinned.test.pem", TLS / "pinned.test.key")
    names: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, ctx: names.append(name)
    client_tls = ssl.create_default_context(cafile=str(TLS / "pinned.test.pem"))
    with serve({"/ok": ok()}, tls=server_tls) as site:
        hosts = [f"pinned.test:{site.port}", f"impostor.test:{site.port}"]
        policy = AddressPolicy(allowed=frozenset(hosts))
        resolver = dns({"pinned.test": ["127.0.0.1"], "impostor.test": ["127.0.0.1"]})
        transport = guarded_transport(policy, resolver, client_tls)
        urls = [f"https://{h}/ok" for h in hosts]
        results = run_checks(urls, policy=policy, resolver=resolver, transport=transport)
    good, bad = (results[u] for u in urls)
    assert good.status == 200
    assert bad.broken and "certificate verify failed" in bad.error
    assert names == ["pinned.test", "impostor.test"]


def test_dns_rebinding_between_check_and_connect_is_refused() -> None:
    answers = iter([["93.184.216.34"]])

    async def rebinding(host: str, port: int) -> Sequence[str]:
        return next(answers, ["127.0.0.1"])  # public for the check, loopback afterwards

    with serve({"/ok": ok()}) as site:
        url = f"http://rebind.test:{site.port}/ok"
        result = run_checks([url], resolver=rebinding, timeout=5.0)[url]
        hits = list(site.hits)
    assert result.refused
    assert result.error == (
        "refused: rebind.test, which resolves to a loopback address 127.0.0.1" + HINT
    )
    assert hits == []


def test_redirect_loops_end_after_the_hop_limit() -> None:
    with serve({"/a": redirect("/b"), "/b": redirect("/a")}) as site:
        policy = AddressPolicy(allowed=frozenset({site.endpoint}))
        url = site.url("/a")
        result = run_checks([url], policy=policy, timeout=5.0, max_redirects=5)[url]
        hits = len(site.hits)
    assert result.broken and result.error == "too many redirects (more than 5)"
    assert hits == 6


def test_redirects_to_other_schemes_are_not_followed() -> None:
    with serve({"/f": redirect("file:///etc/passwd")}) as site:
        policy = AddressPolicy(allowed=frozenset({site.endpoint}))
        url = site.url("/f")
        result = run_checks([url], policy=policy, timeout=5.0)[url]
    assert result.error == "redirects to file:///etc/passwd, not an http or https URL"


def test_a_trickling_server_is_cut_off_at_the_deadline() -> None:
    # One header byte every 0.05 s: each read succeeds well within the 5 s timeout, so only
    # an overall deadline ends the check (the server would finish after ~15 s).
    drip = b"a" * 300
    slow = trickle(b"HTTP/1.1 200 OK\r\nX-Slow: ", drip, b"\r\nContent-Length: 0\r\n\r\n", 0.05)
    with serve({"/slow": slow}) as site:
        policy = AddressPolicy(allowed=frozenset({site.endpoint}))
        url = site.url("/slow")
        result = run_checks([url], policy=policy, timeout=5.0, deadline=1.0)[url]
        sent = slow.dripped  # header bytes the server had sent when the check gave up
    assert result.broken and result.error == "timed out (no complete answer within 1 s)"
    # Counted, not timed: the check cannot have read bytes not yet sent, so it was cut off
    # (~20 bytes in at 1 s); only a check 4 s late to its deadline would reach 100.
    assert sent < len(drip) // 3, f"read {sent} of {len(drip)} bytes: not cut off early"


_REFUSED = httpcore.ConnectError("connection refused")
_SLOW = httpcore.ConnectTimeout("timed out")


@pytest.mark.parametrize(
    ("failures", "raised"),
    [
        ([], "no address for example.org"),
        ([_REFUSED], "connection refused"),
        ([_REFUSED, _SLOW], "timed out"),
    ],
)
def test_when_no_address_connects_the_last_failure_is_raised(
    failures: list[Exception], raised: str
) -> None:
    """Both backends (sync metadata, async link checks) end their address loop with this."""
    failure = connect_failure("example.org", failures)
    assert isinstance(failure, CONNECT_ERRORS)
    assert str(failure) == raised
    if failures:
        assert failure is failures[-1]


def test_a_lookup_failure_becomes_a_connect_error_and_nothing_else_does() -> None:
    unknown = pytest.raises(httpcore.ConnectError, match="Name or service not known")
    with unknown as caught, lookup_failure_as_connect_error():
        raise OSError("Name or service not known")
    assert isinstance(caught.value.__cause__, OSError)
    with pytest.raises(Refused), lookup_failure_as_connect_error():
        raise Refused("h", "127.0.0.1", "loopback")

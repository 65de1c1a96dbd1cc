"""The HTTP layer: cache, rate limits, retries, Retry-After, and one-line failures."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tracemalloc
import zlib
from pathlib import Path

import httpx
import pytest
from fetch_replay import FakeClock, Replay
from loopback import redirect, serve, trickle

from papernotes import __version__
from papernotes.fetch.crossref import parse_crossref, parse_csl
from papernotes.fetch.http import (
    CACHE_DIR,
    Answer,
    FetchError,
    Http,
    Policy,
    RateLimiter,
    ResponseCache,
    load_json,
    make_client,
    retry_after_seconds,
    user_agent,
)
from papernotes.fetch.netguard import AddressPolicy
from papernotes.fetch.s2 import fetch_paper

URL = "https://api.crossref.org/works/10.1000/x"


def text_of(answer: Answer) -> str:
    if answer.status != 200:
        raise FetchError(f"status {answer.status}")
    return answer.text


def http_for(handler, tmp_path: Path | None = None, **kwargs) -> tuple[Http, FakeClock]:
    clock = FakeClock()
    http = Http(
        make_client(transport=httpx.MockTransport(handler)),
        cache=ResponseCache(tmp_path / CACHE_DIR) if tmp_path else None,
        clock=clock.monotonic,
        sleep=clock.sleep,
        wall=lambda: 1_700_000_000.0,
        **kwargs,
    )
    return http, clock


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Tue, 14 Nov 2023 22:14:20 GMT", 20.0),  # 20 s after the fake "now"
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),  # in the past: no wait
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_takes_seconds_or_an_http_date(header, expected) -> None:
    assert retry_after_seconds(header, 1_700_000_040.0) == expected


def test_user_agent_names_papernotes_and_the_contact() -> None:
    assert user_agent(None) == f"papernotes/{__version__}"
    assert user_agent("me@example.org") == f"papernotes/{__version__} (mailto:me@example.org)"


def test_every_request_carries_the_user_agent_and_a_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="ok")

    client = make_client("me@example.org", timeout=7.0, transport=httpx.MockTransport(handler))
    Http(client).fetch(URL, text_of, service="Crossref", accept="application/json")
    assert seen[0].headers["User-Agent"] == user_agent("me@example.org")
    assert seen[0].headers["Accept"] == "application/json"
    assert seen[0].extensions["timeout"] == {"connect": 7.0, "read": 7.0, "write": 7.0, "pool": 7.0}
    assert client.follow_redirects


def test_rate_limiter_spaces_requests_to_one_host() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"export.arxiv.org": 3.0}, clock.monotonic, clock.sleep)
    for _ in range(3):
        limiter.wait("export.arxiv.org")
        limiter.wait("api.crossref.org")  # no limit: never waits
    assert clock.sleeps == [3.0, 3.0]
    clock.now += 10  # time passed: no wait
    assert limiter.wait("export.arxiv.org") == 0.0


def test_arxiv_requests_are_three_seconds_apart() -> None:
    replay = Replay()
    http = replay.http()
    for ident in ("2106.09685", "2305.18290", "2103.10360"):
        http.fetch(f"https://export.arxiv.org/api/query?id_list={ident}", text_of, service="arXiv")
    assert replay.clock.sleeps == [3.0, 3.0]


def test_cache_answers_the_second_time_without_a_request(tmp_path: Path) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, text='{"a": 1}')

    http, _ = http_for(handler, tmp_path)
    assert http.fetch(URL, text_of, service="Crossref") == '{"a": 1}'
    again, _ = http_for(handler, tmp_path)
    assert again.fetch(URL, text_of, service="Crossref") == '{"a": 1}'
    assert len(calls) == 1 and again.sent == 0
    [cached] = list((tmp_path / CACHE_DIR).rglob("*.json"))
    record = json.loads(cached.read_text(encoding="utf-8"))
    assert record["url"] == URL and record["status"] == 200 and record["method"] == "GET"
    assert not list((tmp_path / CACHE_DIR).rglob(".tmp-*")), "no temporary file left"


def test_cache_key_includes_accept(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    assert cache.key("GET", URL, "application/json") != cache.key("GET", URL, "text/html")


def test_refresh_ignores_the_cache(tmp_path: Path) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append("x")
        return httpx.Response(200, text=f"v{len(calls)}")

    http_for(handler, tmp_path)[0].fetch(URL, text_of, service="Crossref")
    fresh, _ = http_for(handler, tmp_path, refresh=True)
    assert fresh.fetch(URL, text_of, service="Crossref") == "v2"


def test_unparseable_answers_are_not_cached(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="Rate exceeded.")

    def strict(answer: Answer) -> str:
        raise FetchError("arXiv: rate limit exceeded")

    http, _ = http_for(handler, tmp_path)
    with pytest.raises(FetchError):
        http.fetch(URL, strict, service="arXiv")
    assert not (tmp_path / CACHE_DIR).exists() or not list((tmp_path / CACHE_DIR).rglob("*.json"))


def test_a_corrupt_cache_file_is_fetched_again(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="fresh")

    http, _ = http_for(handler, tmp_path)
    http.fetch(URL, text_of, service="Crossref")
    [cached] = list((tmp_path / CACHE_DIR).rglob("*.json"))
    cached.write_text("{not json", encoding="utf-8")
    again, _ = http_for(handler, tmp_path)
    assert again.fetch(URL, text_of, service="Crossref") == "fresh"
    assert again.sent == 1


def test_offline_answers_from_the_cache_or_names_what_is_missing(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("offline must not send")

    http, _ = http_for(lambda r: httpx.Response(200, text="kept"), tmp_path)
    http.fetch(URL, text_of, service="Crossref")
    offline, _ = http_for(handler, tmp_path, offline=True)
    assert offline.fetch(URL, text_of, service="Crossref") == "kept"
    with pytest.raises(FetchError) as err:
        offline.fetch(URL + "y", text_of, service="Crossref")
    assert "--offline" in str(err.value) and URL + "y" in str(err.value)
    assert offline.missing == [URL + "y"]


def test_429_waits_as_retry_after_says_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, text="ok"),
        ]
    )
    http, clock = http_for(lambda r: next(answers))
    assert http.fetch(URL, text_of, service="Crossref") == "ok"
    assert clock.sleeps == [7.0]


def test_429_with_an_http_date_retry_after() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "Tue, 14 Nov 2023 22:13:50 GMT"}),
            httpx.Response(200, text="ok"),
        ]
    )
    http, clock = http_for(lambda r: next(answers))
    http.fetch(URL, text_of, service="Crossref")
    assert clock.sleeps == [30.0]


def test_5xx_backs_off_exponentially_then_gives_up_in_one_line() -> None:
    http, clock = http_for(
        lambda r: httpx.Response(503, text="busy"), policy=Policy(attempts=4, backoff=1.0)
    )
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="Crossref")
    assert clock.sleeps == [1.0, 2.0, 4.0]
    message = str(err.value)
    assert message == (
        "Crossref: api.crossref.org answered HTTP 503 (Service Unavailable); gave up after 4 tries"
    )
    assert "\n" not in message


def test_backoff_is_capped() -> None:
    http, clock = http_for(
        lambda r: httpx.Response(500),
        policy=Policy(attempts=5, backoff=10.0, max_wait=15.0),
    )
    with pytest.raises(FetchError):
        http.fetch(URL, text_of, service="Crossref")
    assert clock.sleeps == [10.0, 15.0, 15.0, 15.0]


def test_429_exhausted_is_one_line() -> None:
    http, clock = http_for(lambda r: httpx.Response(429, headers={"Retry-After": "2"}))
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="Semantic Scholar")
    assert str(err.value) == (
        "Semantic Scholar: rate-limited by api.crossref.org (HTTP 429); gave up after 4 tries"
    )
    assert clock.sleeps == [2.0, 2.0, 2.0]


def test_a_retry_after_beyond_the_cap_fails_at_once() -> None:
    http, clock = http_for(lambda r: httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="arXiv")
    assert "asks to wait 3600 s" in str(err.value)
    assert clock.sleeps == [] and http.sent == 1


def test_timeouts_are_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    http, _ = http_for(handler, policy=Policy(timeout=5.0, attempts=2))
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="Crossref")
    assert str(err.value) == (
        "Crossref: api.crossref.org did not answer within 5 s; gave up after 2 tries"
    )
    assert http.sent == 2


def test_no_network_is_one_line_without_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    http, clock = http_for(handler)
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="Crossref")
    assert str(err.value).startswith("Crossref: cannot connect to api.crossref.org (")
    assert "--offline" in str(err.value)
    assert http.sent == 1 and clock.sleeps == []


def test_a_body_shorter_than_its_content_length_is_truncated() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "5000"}, content=b'{"status":"o')

    http, _ = http_for(handler)
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="Crossref")
    assert (
        str(err.value)
        == "Crossref: the answer from api.crossref.org was cut off (12 of 5000 bytes)"
    )


def test_a_connection_closed_mid_body_is_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    http, _ = http_for(handler, policy=Policy(attempts=2))
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="doi.org")
    assert "was cut off (incomplete body)" in str(err.value)
    assert http.sent == 2


def test_404_reaches_the_parser() -> None:
    http, _ = http_for(lambda r: httpx.Response(404, text="Resource not found."))
    assert http.fetch(URL, lambda a: a.status, service="Crossref") == 404


# --- limits: size after decompression, one deadline per request, hostile JSON and cache ---


def gzip_bomb(megabytes: int) -> bytes:
    """``megabytes`` MiB of zeros, gzip-compressed (about 1 KiB per MiB)."""
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    return b"".join([*(z.compress(zeros) for _ in range(megabytes)), z.flush()])


def encoded(body: bytes, encoding: str) -> httpx.Response:
    # stream=, not content=: a Response made from content= decodes it at once, in the test.
    return httpx.Response(
        200,
        headers={"Content-Encoding": encoding, "Content-Length": str(len(body))},
        stream=httpx.ByteStream(body),
    )


def test_a_gzip_bomb_is_refused_with_bounded_memory() -> None:
    bomb = gzip_bomb(64)
    assert len(bomb) < 100_000  # under 100 kB on the wire, 64 MiB inflated
    http, _ = http_for(lambda r: encoded(bomb, "gzip"), policy=Policy(max_bytes=1 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as err:
            http.fetch(URL, text_of, service="Crossref")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(err.value) == (
        "Crossref: api.crossref.org sent too large an answer: "
        "the answer is larger than 1,048,576 bytes"
    )
    assert peak < 16 << 20, f"peak {peak / 2**20:.0f} MiB"


def test_compressed_answers_within_the_limit_are_decoded() -> None:
    body = b'{"message": "ok"}'
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    for encoding, data in [
        ("gzip", gzip.compress(body)),
        ("deflate", zlib.compress(body)),
        ("deflate", raw_deflate.compress(body) + raw_deflate.flush()),  # as some servers send
    ]:
        http, _ = http_for(lambda r, d=data, e=encoding: encoded(d, e))
        assert http.fetch(URL, text_of, service="Crossref") == body.decode()


def test_an_encoding_not_asked_for_is_a_clean_error() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return encoded(b"\x1b\x00", "br")

    http, _ = http_for(handler)
    with pytest.raises(FetchError) as err:
        http.fetch(URL, text_of, service="Crossref")
    assert "encoded as 'br', which was not asked for" in str(err.value)
    assert seen[0].headers["Accept-Encoding"] == "gzip, deflate"
    with pytest.raises(FetchError) as err:
        http_for(lambda r: encoded(b"not gzip at all", "gzip"))[0].fetch(
            URL, text_of, service="Crossref"
        )
    assert str(err.value) == (
        "Crossref: api.crossref.org sent an unreadable answer: the body is not valid gzip"
    )


def test_a_trickling_server_is_cut_off_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    # Headers at once, then one body byte every 0.05 s: no single read waits long enough for
    # the 5 s timeout, so only the whole-request deadline ends it (else after ~15 s).
    drip = b"x" * 300
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(drip)
    slow = trickle(head, drip, b"", 0.05)
    with serve({"/slow": slow}) as site:
        own = AddressPolicy(allowed=frozenset({site.endpoint}))
        http = Http(
            make_client(addresses=own), policy=Policy(timeout=5.0, deadline=1.0, attempts=3)
        )
        with pytest.raises(FetchError) as err:
            http.fetch(site.url("/slow"), text_of, service="Crossref")
        sent = slow.dripped  # bytes the server had sent when the client gave up
        asked = len(site.hits)
    assert str(err.value) == "Crossref: 127.0.0.1 did not send its whole answer within 1 s"
    # Counted, not timed: the client cannot have read bytes not yet sent, so it was cut off
    # (~20 bytes in at 1 s); only a client 4 s late to its deadline would reach 100.
    assert sent < len(drip) // 3, f"read {sent} of {len(drip)} bytes: not cut off early"
    assert asked == 1, "no retry for a server that slow"


def test_redirects_to_private_addresses_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    # doi.org sends some DOIs on to a URL their owner registered: it must not reach inside.
    routes = {"/meta": redirect("http://169.254.169.254/latest/"), "/local": redirect("/x")}
    with serve(routes) as site:
        http = Http(make_client(addresses=AddressPolicy(allowed=frozenset({site.endpoint}))))
        with pytest.raises(FetchError) as err:
            http.fetch(site.url("/meta"), text_of, service="doi.org")
        assert str(err.value) == (
            "doi.org: refused to contact a cloud metadata address 169.254.169.254: "
            "metadata lookups only go to public addresses"
        )
        with pytest.raises(FetchError) as err:
            Http(make_client()).fetch(site.url("/local"), text_of, service="doi.org")
        assert "refused to contact a loopback address 127.0.0.1" in str(err.value)
        assert site.hits == ["/meta"]


def test_deeply_nested_json_is_a_clean_error() -> None:
    deep = Answer(URL, 200, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(FetchError) as err:
        load_json(deep, "Crossref")
    assert str(err.value) == "Crossref: malformed answer: JSON nested too deeply"
    for parse in (parse_crossref, parse_csl):
        with pytest.raises(FetchError, match="nested too deeply"):
            parse(deep)
    http, _ = http_for(lambda r: httpx.Response(200, text=deep.text))
    with pytest.raises(FetchError, match="nested too deeply"):
        fetch_paper(http, "arXiv:2106.09685")


@pytest.mark.parametrize(
    "record",
    [
        {"message-type": "work", "message": {"title": "T", "issued": {"date-parts": [["²"]]}}},
        {
            "message-type": "work",
            "message": {"title": "T", "issued": {"date-parts": [["9" * 5000]]}},
        },
        {"message-type": "work", "message": {"title": ["T"], "DOI": ["10.1/x"], "author": "x"}},
        {"message-type": "work", "message": []},
        {"message-type": "work", "message": {"title": {"x": 1}}},
        [],
        "work",
    ],
)
def test_crossref_records_of_unexpected_shapes_do_not_crash(record: object) -> None:
    answer = Answer(URL, 200, json.dumps(record))
    try:
        work = parse_crossref(answer, "10.1/x")
    except FetchError:
        return
    assert work is not None and work.doi == "10.1/x" and work.year is None


def test_s2_ids_of_unexpected_types_are_dropped() -> None:
    body = {"title": ["T"], "externalIds": {"ArXiv": ["2106.09685"], "DOI": {"a": 1}}}
    http, _ = http_for(lambda r: httpx.Response(200, text=json.dumps(body)))
    paper = fetch_paper(http, "arXiv:2106.09685")
    assert paper is not None and (paper.title, paper.arxiv, paper.doi) == ("", "", "")


def _cached_path(tmp_path: Path) -> Path:
    http, _ = http_for(lambda r: httpx.Response(200, text="fresh"), tmp_path)
    http.fetch(URL, text_of, service="Crossref")
    [cached] = list((tmp_path / CACHE_DIR).rglob("*.json"))
    return cached


def test_hostile_cache_files_are_ignored(tmp_path: Path) -> None:
    cached = _cached_path(tmp_path)
    record = json.loads(cached.read_text(encoding="utf-8"))
    hostile = [
        "[" * 100_000,  # RecursionError in json.loads
        json.dumps([record]),
        json.dumps({**record, "url": "https://elsewhere.example/"}),  # not this request's
        json.dumps({**record, "status": "200"}),
        json.dumps({**record, "text": ["x"]}),
    ]
    for text in hostile:
        cached.write_text(text, encoding="utf-8")
        again, _ = http_for(lambda r: httpx.Response(200, text="fresh"), tmp_path)
        assert again.fetch(URL, text_of, service="Crossref") == "fresh" and again.sent == 1


def test_the_cache_never_reads_or_writes_through_links(tmp_path: Path) -> None:
    cached = _cached_path(tmp_path)
    cache = ResponseCache(tmp_path / CACHE_DIR)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / cached.name).write_text(cached.read_text(encoding="utf-8"), encoding="utf-8")
    # The two-letter folder replaced by a link to a folder outside the cache.
    shutil.rmtree(cached.parent)
    cached.parent.symlink_to(outside, target_is_directory=True)
    assert cache.get("GET", URL, "*/*") is None
    before = (outside / cached.name).read_text(encoding="utf-8")
    cache.put("GET", URL, "*/*", Answer(URL, 200, "planted"))
    assert (outside / cached.name).read_text(encoding="utf-8") == before
    assert [p.name for p in outside.iterdir()] == [cached.name], "nothing written outside"
    # A cache file that is a link, or a FIFO (which would block a plain read), is skipped.
    cached.parent.unlink()
    cached.parent.mkdir()
    cached.symlink_to(outside / cached.name)
    assert cache.get("GET", URL, "*/*") is None
    cached.unlink()
    os.mkfifo(cached)
    assert cache.get("GET", URL, "*/*") is None

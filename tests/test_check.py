"""`papernotes check [--external]`: diagnostics without building; links checked concurrently."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

import httpx
import pytest

from papernotes.build import read_library
from papernotes.cli import fetch as cli_fetch
from papernotes.cli.check import collect_links
from papernotes.config import load_config
from papernotes.fetch.linkcheck import run_checks

from conftest import note_text, write_note


async def public_dns(host: str, port: int) -> list[str]:
    """Every name is a public address: the mocked sites pass the address rule, with no DNS."""
    return ["93.184.216.34"]


def test_check_reports_what_build_would_and_writes_nothing(tmp_path: Path, cli) -> None:
    write_note(tmp_path, "good.md", note_text(body="See [@nobody].\n"))
    write_note(tmp_path, "bad.md", note_text(authors='";"'))
    result = cli("check", "--root", str(tmp_path))
    assert result.code == 1
    assert "papers/bad.md:3:1: error: authors: no authors given" in result.err
    assert 'papers/good.md:6:5: warning: unknown citation key "nobody"' in result.err
    assert result.out == "1 notes: 1 errors, 1 warnings\n"
    assert not (tmp_path / "site").exists()


def test_check_reports_the_reading_lists_problems_as_build_does(tmp_path: Path, cli) -> None:
    write_note(tmp_path, "good.md", note_text())
    lists = tmp_path / "papers" / "lists"
    lists.mkdir()
    (lists / "reading.md").write_text("---\ntitle: R\n---\n- [[good]]\n- [[missing2020]]\n")
    result = cli("check", "--root", str(tmp_path))
    assert "papers/lists/reading.md:5:" in result.err
    assert 'reading list names unknown paper "missing2020"' in result.err
    assert result.out == "1 notes: 0 errors, 1 warnings\n"
    assert cli("check", "--root", str(tmp_path), "--strict").code == 1


def test_check_strict_and_clean(tmp_path: Path, cli) -> None:
    write_note(tmp_path, "good.md", note_text(body="See [@nobody].\n"))
    assert cli("check", "--root", str(tmp_path)).code == 0
    assert cli("check", "--root", str(tmp_path), "--strict").code == 1


def _site(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    method = request.method
    if url.startswith("https://gone.example/"):
        return httpx.Response(404)
    if url == "https://nohead.example/":
        return httpx.Response(405 if method == "HEAD" else 200)
    if url == "https://moved.example/old":
        return httpx.Response(301, headers={"Location": "https://moved.example/new"})
    if url == "https://doi.org/10.1000/xyz":
        return httpx.Response(302, headers={"Location": "https://publisher.example/article"})
    if url.startswith("https://slow.example/"):
        raise httpx.ReadTimeout("timed out", request=request)
    if url.startswith("https://nodns.example/"):
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)
    if url == "https://forbidden.example/":
        return httpx.Response(403)
    return httpx.Response(200)


NOTE = """\
---
title: Links
authors: [Ada Lovelace]
year: 2020
url: https://ok.example/
pdf: https://gone.example/paper.pdf
code: https://nohead.example/
doi: 10.1000/xyz
---

Text with [a moved page](https://moved.example/old) and
a [slow one](https://slow.example/x), ![an image](https://gone.example/img.png),
<https://nodns.example/> and [forbidden](https://forbidden.example/).
A local [file](figure.png) is not checked.
"""


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _site(request)

    checker = functools.partial(
        run_checks, transport=httpx.MockTransport(handler), resolver=public_dns
    )
    monkeypatch.setattr(cli_fetch, "link_checker", checker)
    return seen


def test_external_links_are_checked_with_file_and_line(
    tmp_path: Path, cli, requests: list[httpx.Request]
) -> None:
    write_note(tmp_path, "links.md", NOTE)
    (tmp_path / "papers" / "figure.png").write_bytes(b"png")
    result = cli("check", "--root", str(tmp_path), "--external")
    assert result.code == 1
    err = result.err.splitlines()
    assert err == [
        "papers/links.md:6:6: error: broken link https://gone.example/paper.pdf: HTTP 404",
        "papers/links.md:12:14: error: broken link https://slow.example/x: timed out",
        "papers/links.md:12:51: error: broken link https://gone.example/img.png: HTTP 404",
        "papers/links.md:13:2: error: broken link https://nodns.example/: cannot connect "
        "([Errno -2] Name or service not known)",
        "papers/links.md:13:42: warning: could not verify https://forbidden.example/: HTTP 403 "
        "(the server refuses robots)",
        "papers/links.md:11:26: moved: https://moved.example/old → https://moved.example/new",
    ]
    assert result.out == "1 notes: 0 errors, 0 warnings; 9 links: 4 broken, 1 moved\n"
    methods = [(r.method, str(r.url)) for r in requests]
    assert ("GET", "https://nohead.example/") in methods  # HEAD refused, GET used
    assert ("GET", "https://ok.example/") not in methods  # HEAD was enough
    assert ("HEAD", "https://publisher.example/article") in methods  # doi.org redirect followed
    assert all(r.headers["User-Agent"].startswith("papernotes/") for r in requests)


def test_each_url_is_checked_once(tmp_path: Path, cli, requests) -> None:
    write_note(tmp_path, "a.md", note_text(extra="url: https://ok.example/\n"))
    write_note(tmp_path, "b.md", note_text("B", extra="url: https://ok.example/\n"))
    result = cli("check", "--root", str(tmp_path), "--external")
    assert result.code == 0
    assert len(requests) == 1 and "1 links: 0 broken" in result.out


def test_concurrency_is_bounded_overall_and_per_host() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    total_peak = [0]

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), in_flight[host])
        total_peak[0] = max(total_peak[0], sum(in_flight.values()))
        await asyncio.sleep(0.01)
        in_flight[host] -= 1
        return httpx.Response(200)

    urls = [f"https://{h}.example/{i}" for h in ("a", "b", "c") for i in range(8)]
    results = run_checks(
        urls,
        transport=httpx.MockTransport(handler),
        concurrency=4,
        per_host=2,
        timeout=1.0,
        resolver=public_dns,
    )
    assert len(results) == 24 and not any(r.broken for r in results.values())
    assert max(peak.values()) == 2
    assert total_peak[0] <= 4


def test_private_links_are_not_checked_unless_allowed(tmp_path: Path, cli, requests) -> None:
    write_note(tmp_path, "a.md", note_text(extra="url: http://127.0.0.1:8888/tree\n"))
    result = cli("check", "--root", str(tmp_path), "--external")
    assert result.code == 0 and requests == []
    assert result.err == (
        "papers/a.md:5:6: warning: not checked http://127.0.0.1:8888/tree: refused: a loopback "
        "address 127.0.0.1; pass --allow-private to check it\n"
    )
    assert result.out == "1 notes: 0 errors, 0 warnings; 1 links: 0 broken, 0 moved\n"
    allowed = cli("check", "--root", str(tmp_path), "--external", "--allow-private")
    assert allowed.code == 0 and allowed.err == ""
    assert [str(r.url) for r in requests] == ["http://127.0.0.1:8888/tree"]


def test_allow_private_is_documented(cli) -> None:
    result = cli("check", "--help")
    assert "--allow-private" in " ".join(result.out.split())
    assert "cloud metadata addresses, which are refused by default" in " ".join(result.out.split())


def test_a_url_written_twice_on_a_line_gets_two_columns(tmp_path: Path) -> None:
    body = "[a](https://x.example/) and [b](https://x.example/)\n<https://y.example/%7Eu>\n"
    write_note(tmp_path, "a.md", note_text(body=body, extra="code: https://c.example/\n"))
    config, _ = load_config(tmp_path)
    library, _ = read_library(tmp_path, config)
    links = collect_links(library)
    assert [(str(link.where), link.url) for link in links] == [
        ("papers/a.md:5:7", "https://c.example/"),
        ("papers/a.md:7:5", "https://x.example/"),
        ("papers/a.md:7:33", "https://x.example/"),
        ("papers/a.md:8:2", "https://y.example/%7Eu"),
    ]

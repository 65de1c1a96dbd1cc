"""``papernotes check``'s pure half: which links the notes contain, and what to say about them."""

from __future__ import annotations

from pathlib import Path

from papernotes.cli.check import Link, collect_links, link_diagnostics
from papernotes.errors import Severity
from papernotes.fetch.linkcheck import LinkResult

from conftest import clean_library, note_text, write_note


def test_links_come_from_front_matter_then_body_with_their_lines(tmp_path: Path) -> None:
    extra = "url: https://example.org/paper\ndoi: doi:10.1000/xyz\n"
    body = "Intro.\n\nSee [the blog](https://blog.example.org/post), [an anchor](#top).\n"
    write_note(tmp_path, "a.md", note_text(extra=extra, body=body))
    links = collect_links(clean_library(tmp_path))
    assert links == [
        Link("https://example.org/paper", "papers/a.md", 5, 6),
        Link("https://doi.org/10.1000/xyz", "papers/a.md", 6, 6),
        Link("https://blog.example.org/post", "papers/a.md", 10, 16),
    ]


def test_a_doi_written_as_a_link_is_checked_once_as_a_doi_link(tmp_path: Path) -> None:
    write_note(tmp_path, "a.md", note_text(extra="doi: https://doi.org/10.1000/abc\n"))
    [link] = collect_links(clean_library(tmp_path))
    assert link.url == "https://doi.org/10.1000/abc"


def _diagnose(url: str, result: LinkResult) -> tuple[list[str], tuple[str, ...]]:
    diags, moved = link_diagnostics([Link(url, "papers/a.md", 3)], {url: result})
    return [d.format() for d in diags], moved


def test_broken_links_are_errors_and_unverifiable_ones_warnings() -> None:
    url = "https://example.org/x"
    assert _diagnose(url, LinkResult(url, status=404)) == (
        ["papers/a.md:3: error: broken link https://example.org/x: HTTP 404"],
        (),
    )
    assert _diagnose(url, LinkResult(url, error="timed out"))[0] == [
        "papers/a.md:3: error: broken link https://example.org/x: timed out"
    ]
    [unverified], _ = _diagnose(url, LinkResult(url, status=403))
    assert "warning: could not verify" in unverified
    [refused], _ = _diagnose(url, LinkResult(url, refused=True, error="a private address"))
    assert refused == "papers/a.md:3: warning: not checked https://example.org/x: a private address"


def test_permanent_redirects_are_noticed_except_for_doi_links() -> None:
    url, doi = "https://example.org/old", "https://doi.org/10.1/x"
    moved = LinkResult(url, status=200, final_url="https://example.org/new", moved=True)
    assert _diagnose(url, moved) == (
        [],
        ("papers/a.md:3: moved: https://example.org/old → https://example.org/new",),
    )
    doi_moved = LinkResult(doi, status=200, final_url="https://publisher.org/x", moved=True)
    assert _diagnose(doi, doi_moved) == ([], ())


def test_links_without_a_result_and_good_links_say_nothing() -> None:
    url = "https://example.org/ok"
    diags, moved = link_diagnostics(
        [Link(url, "a.md", 1), Link("https://x.org", "a.md", 2)],
        {url: LinkResult(url, status=200, final_url=url)},
    )
    assert (diags, moved) == ((), ())
    assert all(
        d.severity is Severity.ERROR
        for d in link_diagnostics([Link(url, "a.md", 1)], {url: LinkResult(url, status=500)})[0]
    )

"""Mentions in the graph, in real Chromium over HTTP and from file://: drawn dashed, apart from
citations, with a toggle (kept while graph.html redraws) that hides them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import note_text, write_note


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    root = tmp_path_factory.mktemp("lib")
    write_note(root, "a.md", note_text("Paper A", year=2019, extra="id: a\ntags: [t]\n"))
    write_note(
        root, "b.md", note_text("Paper B", year=2020, extra="id: b\ncites: [a]\ntags: [t]\n")
    )
    body = "Like [[b]], it builds on [@a].\n"
    write_note(
        root, "c.md", note_text("Paper C", year=2021, extra="id: c\ncites: [a]\n", body=body)
    )
    out = tmp_path_factory.mktemp("built") / "notes"
    assert main(["build", "--root", str(root), "--out", str(out), "-q"]) == 0
    return out


def _shown(page: Page) -> bool:
    # A horizontal path has an empty box, which Playwright calls hidden: ask CSS instead.
    group = page.locator("svg.pn-graph .pn-mentions")
    return bool(group.evaluate("g => getComputedStyle(g).display !== 'none'"))


def test_mentions_are_dashed_and_can_be_hidden(page: Page, base: str) -> None:
    page.goto(base + "graph.html")
    # Two citations (b → a, c → a) and one mention (c → b, from the body's [[b]]).
    expect(page.locator("svg.pn-graph .pn-edge")).to_have_count(2)
    mention = page.locator("svg.pn-graph .pn-mention")
    expect(mention).to_have_count(1)
    assert mention.evaluate("e => getComputedStyle(e).strokeDasharray") not in ("none", "")
    assert page.locator("svg.pn-graph .pn-edge").first.evaluate(
        "e => getComputedStyle(e).strokeDasharray"
    ) in ("none", "")
    toggle = page.get_by_label("Mentions (dashed)")
    expect(toggle).to_be_checked()
    assert _shown(page)
    toggle.uncheck()
    assert not _shown(page)
    # A new filter redraws the graph; the choice stays.
    page.get_by_label("Tag").select_option(label="t")
    expect(page.locator("svg.pn-graph a.pn-node")).to_have_count(2)
    page.get_by_label("Tag").select_option(index=0)
    expect(page.locator("svg.pn-graph a.pn-node")).to_have_count(3)
    expect(page.get_by_label("Mentions (dashed)")).not_to_be_checked()
    assert not _shown(page)
    page.get_by_label("Mentions (dashed)").check()
    assert _shown(page)


def test_a_paper_page_draws_its_mentions_too(page: Page, base: str) -> None:
    page.goto(base + "papers/c.html")
    frame = page.locator("[data-pn-graph]")
    frame.scroll_into_view_if_needed()
    expect(frame.locator(".pn-mention")).to_have_count(1)
    expect(frame.get_by_label("Mentions (dashed)")).to_be_checked()

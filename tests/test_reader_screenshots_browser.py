"""The reader's new pieces on the bundled site, in Chromium from file://, as the README shows
them: backlinks in context with a preview card open, a series strip, a forgiven typo in search,
a reading list. Each view is checked; set PAPERNOTES_SCREENSHOTS=DIR to keep the pictures (the
README's come from here)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import Problems
from conftest import copy_bundled


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    out = tmp_path_factory.mktemp("built") / "notes"
    root = copy_bundled(tmp_path_factory.mktemp("lib"))
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    return out


def _cited_by_with_a_card(page: Page) -> None:
    page.locator("#cited-by").scroll_into_view_if_needed()
    items = page.locator("ul.backlinks li")
    assert items.count() >= 10  # LoRA: cited or mentioned by more than ten notes
    expect(page.locator("ul.backlinks .link-kind", has_text="citation").first).to_be_visible()
    expect(page.locator("ul.backlinks .link-kind", has_text="mention").first).to_be_visible()
    expect(page.locator("ul.backlinks q.backlink-context em").first).to_be_visible()
    items.first.locator("a").first.focus()  # a keyboard focus shows the card at once
    expect(page.locator(".cite-popover")).to_be_visible()
    expect(page.locator(".cite-popover .pop-text")).not_to_be_empty()


def _series_strip(page: Page) -> None:
    strip = page.locator("nav.series-strip")
    expect(strip).to_be_visible()
    expect(strip.locator(".series-position")).to_have_text("2 of 5")
    expect(strip.locator("a[rel=prev]")).to_contain_text("Improving Language Understanding")
    expect(strip.locator("a[rel=next]")).to_contain_text("Language Models are Few-Shot")


def _forgiven_typo(page: Page) -> None:
    expect(page.get_by_text("Showing results for")).to_be_visible()
    expect(page.locator(".search-result").first).to_contain_text("Attention")


def _reading_list(page: Page) -> None:
    expect(page.locator("main h2").first).to_be_visible()
    assert page.locator("main h2").count() >= 2  # the list's sections
    assert page.locator("main a[href^='../papers/']").count() >= 5


VIEWS: list[tuple[str, str, Callable[[Page], None]]] = [
    ("cited-by", "papers/hu2021lora.html", _cited_by_with_a_card),
    ("series", "papers/radford2019language.html", _series_strip),
    ("search-typo", "search.html?q=atention", _forgiven_typo),
    ("reading-list", "lists/gpt-series.html", _reading_list),
]


@pytest.mark.parametrize(("name", "path", "check"), VIEWS, ids=[v[0] for v in VIEWS])
def test_the_readers_new_pieces(
    browser: Browser, site: Path, name: str, path: str, check: Callable[[Page], None]
) -> None:
    problems = Problems()
    context = browser.new_context(viewport={"width": 1200, "height": 800}, device_scale_factor=1)
    page = problems.watch(context.new_page())
    page.goto(site.as_uri() + "/" + path)
    check(page)
    keep = os.environ.get("PAPERNOTES_SCREENSHOTS")
    if keep:
        page.screenshot(path=str(Path(keep) / f"{name}-1200.png"))
    context.close()
    assert problems.items == []

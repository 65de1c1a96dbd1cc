"""Listings in pages, in Chromium over HTTP and from file://: the page navigation used by
keyboard, the way from a long tag to the home table filtered to it, and every axe-core rule on
a page of a tag and of the authors index split by initial, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import _axe_violations

from conftest import note_text, write_note

PER_PAGE = 3


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes import paging
    from papernotes.build import build
    from papernotes.config import load_config

    root = tmp_path_factory.mktemp("lib")
    for i in range(10):
        extra = f"id: n{i:02d}\ntags: [{'long' if i < 8 else 'short'}]\nstatus: to-read\n"
        people = f"[Ann B{i:02d}, Cy C{i % 3}]"
        write_note(root, f"n{i:02d}.md", note_text(f"Paper {i:02d}", authors=people, extra=extra))
    config, _ = load_config(root)
    out = root / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paging, "PAPERS_PER_PAGE", PER_PAGE)
        patch.setattr(paging, "AUTHORS_ON_ONE_PAGE", 4)
        patch.setattr(paging, "AUTHORS_PER_PAGE", 4)
        assert build(root, config, out=out).errors == 0
    return out


def _titles(page: Page) -> list[str]:
    return page.locator("ul.paper-list > li > a:first-child").all_inner_texts()


def test_the_pages_of_a_tag_are_walked_by_keyboard(page: Page, base: str) -> None:
    page.goto(base + "tags/long.html")
    seen = [_titles(page)]
    for number in (2, 3):
        nxt = page.get_by_role("link", name="Next →")
        nxt.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/tags/long/page-{number}.html")
        expect(page.locator("nav.pager [aria-current=page]")).to_have_text(str(number))
        seen.append(_titles(page))
    assert [len(t) for t in seen] == [3, 3, 2]
    assert sorted(t for ts in seen for t in ts) == [f"Paper {i:02d}" for i in range(8)]
    expect(page.get_by_role("link", name="Next →")).to_have_count(0)
    page.get_by_role("link", name="Page 1").click()
    page.wait_for_url("**/tags/long.html")
    expect(page.locator(".result-count")).to_contain_text("8 papers, 1–3 on this page")


def test_a_long_tag_leads_to_the_home_table_filtered_to_it(page: Page, base: str) -> None:
    page.goto(base + "tags/long.html")
    page.get_by_role("link", name="sort and filter them in the table").click()
    page.wait_for_function("document.documentElement.dataset.pnTable === 'ready'")
    expect(page.locator("#filter-tag")).to_have_value("long")
    expect(page.locator("table.papers tbody tr:not([hidden])")).to_have_count(8)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    [
        "tags/long/page-2.html",
        "to-read/page-2.html",
        "authors/index.html",
        "authors/initial/b.html",
    ],
)
def test_pages_of_listings_pass_every_axe_rule(
    page: Page, http_base: str, path: str, theme: str
) -> None:
    page.emulate_media(color_scheme=theme)
    page.goto(http_base + path)
    assert _axe_violations(page) == []


def test_the_authors_index_by_initial_leads_to_every_author(page: Page, base: str) -> None:
    page.goto(base + "authors/index.html")
    assert page.locator("nav.initials li").all_inner_texts() == ["B (10)", "C (3)"]
    page.locator("nav.initials a").first.click()
    page.wait_for_url("**/authors/initial/b.html")
    expect(page.locator("nav.initials [aria-current=page]")).to_have_text("B")
    names = page.locator("ul.index-list a").all_inner_texts()
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**/authors/initial/b/page-2.html")
    names += page.locator("ul.index-list a").all_inner_texts()
    page.get_by_role("link", name="Next →").click()
    names += page.locator("ul.index-list a").all_inner_texts()
    assert sorted(names) == [f"Ann B{i:02d}" for i in range(10)]

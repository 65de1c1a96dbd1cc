"""The home table over static/library-data.js in a real Chromium from file://: it loads, pages,
sorts and filters all the notes while the DOM holds one page of rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from papernotes.render import HOME_ROWS

from conftest import note_text, write_note

NOTES = 230
ZEBRAS = range(0, NOTES, 33)  # 7 notes at the "Zebra Conference"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.build import build
    from papernotes.config import load_config

    root = tmp_path_factory.mktemp("lib")
    for i in range(NOTES):
        venue = "Zebra Conference" if i in ZEBRAS else "Plain Workshop"
        status = "read" if i % 2 else "to-read"
        write_note(
            root,
            f"n{i:03d}.md",
            note_text(
                f"Paper {i:03d}",
                authors=f"[Author{i % 5} Family{(7 * i) % 11}]",
                year=1800 + i,
                extra=f"id: n{i:03d}\nvenue: {venue}\ntags: [t{i % 4}]\nstatus: {status}\n",
            ),
        )
    config, _ = load_config(root)
    out = root / "site"
    assert build(root, config, out=out).errors == 0
    return out


def _open(page: Page, site: Path, query: str = "") -> None:
    page.goto((site / "index.html").as_uri() + query)
    page.wait_for_function("document.documentElement.dataset.pnTable === 'ready'")


def _titles(page: Page) -> list[str]:
    return page.locator("table.papers tbody td.title").all_inner_texts()


def _rendered(page: Page) -> int:
    return int(page.evaluate("document.documentElement.dataset.pnTableRendered"))


def test_loads_a_page_of_rows_and_pages_through_the_rest(page: Page, site: Path) -> None:
    _open(page, site)
    assert _titles(page) == [f"Paper {i:03d}" for i in range(NOTES - 1, NOTES - 1 - HOME_ROWS, -1)]
    expect(page.locator("#result-count")).to_have_text(f"{NOTES} papers.")
    assert page.locator("#table-more").is_hidden()
    nav = page.locator("#table-pages")
    expect(nav).to_contain_text("Page 1 of 3")
    before = _rendered(page)
    nav.get_by_role("button", name="Next").click()
    expect(nav).to_contain_text("Page 2 of 3")
    assert _rendered(page) == before + 1
    assert _titles(page)[0] == f"Paper {NOTES - 1 - HOME_ROWS:03d}"
    nav.get_by_role("button", name="Next").click()
    assert len(_titles(page)) == NOTES - 2 * HOME_ROWS
    assert nav.get_by_role("button", name="Next").is_disabled()
    row = page.locator("table.papers tbody tr").first
    assert row.locator("a.tag").get_attribute("href") == "tags/t1.html"
    assert row.locator("td.col-authors").inner_text() == "Author4 Family5"  # note 29


def test_sorts_every_note_not_just_the_page(page: Page, site: Path) -> None:
    _open(page, site)
    page.click("th[data-sort='year'] button")
    assert page.get_attribute("th[data-sort='year']", "aria-sort") == "ascending"
    assert _titles(page)[:2] == ["Paper 000", "Paper 001"]
    page.click("th[data-sort='author'] button")
    assert page.get_attribute("th[data-sort='author']", "aria-sort") == "ascending"
    assert page.get_attribute("th[data-sort='year']", "aria-sort") == "none"
    authors = page.locator("table.papers tbody td.col-authors").all_inner_texts()
    families = [a.split()[-1] for a in authors]
    assert families == sorted(families, key=str.casefold)
    assert families[0] == "Family0"
    page.click("th[data-sort='title'] button")
    page.click("th[data-sort='title'] button")
    assert page.get_attribute("th[data-sort='title']", "aria-sort") == "descending"
    assert _titles(page)[0] == f"Paper {NOTES - 1:03d}"


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (lambda p: p.fill("#filter-text", "zebra"), [f"Paper {i:03d}" for i in reversed(ZEBRAS)]),
        (lambda p: p.fill("#filter-text", "zebra paper 198"), ["Paper 198"]),
        (lambda p: p.select_option("#filter-tag", "t3"), sum(i % 4 == 3 for i in range(NOTES))),
        (lambda p: p.select_option("#filter-status", "read"), NOTES // 2),
        (
            lambda p: (p.fill("#filter-from", "2020"), p.fill("#filter-to", "2022")),
            ["Paper 222", "Paper 221", "Paper 220"],
        ),
    ],
)
def test_filters_scan_every_note(page: Page, site: Path, action, expected) -> None:  # type: ignore[no-untyped-def]
    _open(page, site)
    before = _rendered(page)
    action(page)
    page.wait_for_function(f"Number(document.documentElement.dataset.pnTableRendered) > {before}")
    if isinstance(expected, list):
        expect(page.locator("#result-count")).to_have_text(
            f"Showing {len(expected)} of {NOTES} papers."
        )
        assert _titles(page) == expected
        assert page.locator("#table-pages").is_hidden()
    else:
        expect(page.locator("#result-count")).to_have_text(f"Showing {expected} of {NOTES} papers.")
        assert len(_titles(page)) == min(expected, HOME_ROWS)
        assert page.locator("#table-pages").is_hidden() == (expected <= HOME_ROWS)

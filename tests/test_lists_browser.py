"""The reader features of lists and the home table in Chromium, over HTTP and from file://:
the filters in the URL (a shared link and Back restore them), facet counts that follow the
other filters, the "recently read" strip, and the series
strip used by keyboard; every new page passes every axe-core rule."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Page, expect
from test_browser import _axe_violations

from conftest import note_text, write_note

STATUSES = ["to-read", "read", "reading"]


def _status(i: int) -> str:
    return STATUSES[i % 3]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.build import build
    from papernotes.config import load_config

    root = tmp_path_factory.mktemp("lib")
    for i in range(12):
        tags = f"t{i % 2}" + (", rare" if i in (0, 3) else "")
        read = f"read: 2024-02-{i + 1:02d}\n" if i % 3 else ""
        venue = "venue: Quokka Workshop\n" if i == 5 else ""
        extra = f"id: n{i:02d}\ntags: [{tags}]\nstatus: {_status(i)}\n{read}{venue}"
        write_note(
            root,
            f"n{i:02d}.md",
            note_text(f"Paper {i:02d}", year=2000 + i, extra=extra, body=f"Body of paper {i}.\n"),
        )
    write_note(
        root,
        "lists/trio.md",
        "---\ntitle: Trio\nseries: true\n---\n- [[n01]]\n- [[n04]] *middle*\n- [[n07]]\n",
    )
    config, _ = load_config(root)
    out = root / "site"
    assert build(root, config, out=out).errors == 0
    return out


def _home(page: Page, base: str, query: str = "") -> None:
    page.goto(base + "index.html" + query)
    page.wait_for_function("document.documentElement.dataset.pnTable === 'ready'")


def _titles(page: Page) -> list[str]:
    return page.locator("table.papers tbody td.title").all_inner_texts()


def _options(page: Page, select: str) -> dict[str, tuple[str, bool]]:
    """Each option of a filter: its label and whether it is disabled."""
    found = page.eval_on_selector_all(
        f"{select} option",
        "os => os.filter(o => o.value).map(o => [o.value, o.textContent, o.disabled])",
    )
    return {value: (label, disabled) for value, label, disabled in found}


def test_the_filters_and_sort_live_in_the_url_and_come_back_on_back(page: Page, base: str) -> None:
    _home(page, base)
    page.fill("#filter-text", "quokka")
    expect(page.locator("table.papers tbody tr")).to_have_count(1)
    assert _titles(page) == ["Paper 05"]
    expect(page).to_have_url(re.compile(r"[?&]q=quokka"))
    page.select_option("#filter-status", "reading")
    page.click("th[data-sort='title'] button")
    shared = page.url
    assert "status=reading" in shared and "sort=title-ascending" in shared
    # Away to the paper, then Back: the filters, sort and rows are as they were.
    page.click("table.papers tbody td.title a")
    expect(page.locator("h1")).to_have_text("Paper 05")
    page.go_back()
    page.wait_for_function("document.documentElement.dataset.pnTable === 'ready'")
    expect(page.locator("#filter-text")).to_have_value("quokka")
    expect(page.locator("#filter-status")).to_have_value("reading")
    assert page.get_attribute("th[data-sort='title']", "aria-sort") == "ascending"
    assert _titles(page) == ["Paper 05"]
    # A shared link reproduces the view in a fresh page.
    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_function("document.documentElement.dataset.pnTable === 'ready'")
    expect(other.locator("#filter-text")).to_have_value("quokka")
    assert _titles(other) == ["Paper 05"]
    other.close()


def test_the_filter_leads_on_to_the_notes_text(page: Page, base: str) -> None:
    """The filter reads the table's columns; its words lead on to the search page, which
    reads the notes' text: "Body of paper" is in every body and in no column."""
    _home(page, base)
    offer = page.locator("#filter-in-text")
    expect(offer).to_be_hidden()
    page.fill("#filter-text", "body of paper 7")
    expect(page.locator("table.papers tbody tr")).to_have_count(0)
    expect(offer).to_be_visible()
    expect(offer).to_have_text("Search the notes’ text for “body of paper 7”")
    offer.locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.dataset.pnSearch === '1'")
    expect(page.locator("#search-form input[name=q]")).to_have_value("body of paper 7")
    first = page.locator("#search-results .search-result-title a").first
    expect(first).to_have_text("Paper 07")
    page.go_back()
    page.wait_for_function("document.documentElement.dataset.pnTable === 'ready'")
    page.fill("#filter-text", "")
    expect(offer).to_be_hidden()


def test_facet_counts_follow_the_other_filters(page: Page, base: str) -> None:
    _home(page, base)
    assert _options(page, "#filter-status") == {
        "to-read": ("to-read (4)", False),
        "reading": ("reading (4)", False),
        "read": ("read (4)", False),
    }
    page.select_option("#filter-tag", "rare")  # notes 0 and 3: both to-read
    assert _options(page, "#filter-status") == {
        "to-read": ("to-read (2)", False),
        "reading": ("reading (0)", True),
        "read": ("read (0)", True),
    }
    page.select_option("#filter-tag", "")
    page.fill("#filter-text", "quokka")  # note 5 only (its venue): tag t1
    tags = _options(page, "#filter-tag")
    assert tags["t1"] == ("t1 (1)", False)
    assert tags["t0"] == ("t0 (0)", True) and tags["rare"] == ("rare (0)", True)
    page.fill("#filter-text", "")
    assert _options(page, "#filter-tag")["rare"] == ("rare (2)", False)


def test_the_recently_read_strip(page: Page, base: str) -> None:
    _home(page, base)
    strip = page.locator("section.recently-read li")
    expect(strip).to_have_count(5)
    # The five read last, newest first (notes with read: dates are those with i % 3 != 0).
    assert [t.split()[1] for t in strip.all_inner_texts()] == ["11", "10", "08", "07", "05"]
    strip.first.locator("a").click()
    expect(page.locator("h1")).to_have_text("Paper 11")


def test_the_series_strip_by_keyboard(page: Page, base: str) -> None:
    page.goto(base + "papers/n04.html")
    expect(page.locator(".series-position")).to_have_text("2 of 3")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('rel')") == "next":
            break
    else:
        pytest.fail("Tab never reached the series' next link")
    expect(page.locator(":focus")).to_have_accessible_name("Next: Paper 07")
    page.keyboard.press("Enter")
    expect(page.locator(".series-position")).to_have_text("3 of 3")
    expect(page.locator(".series-next")).to_have_count(0)
    page.keyboard.press("Shift+Tab")  # from the page start, back to the previous paper
    prev = page.locator(".series-prev a")
    prev.focus()
    expect(prev).to_have_accessible_name("Previous: Paper 04")
    page.keyboard.press("Enter")
    expect(page.locator(".series-position")).to_have_text("2 of 3")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    "path", ["index.html", "lists/index.html", "lists/trio.html", "to-read.html", "papers/n04.html"]
)
def test_the_new_pages_pass_every_axe_rule(
    page: Page, http_base: str, path: str, theme: Literal["light", "dark"]
) -> None:
    page.emulate_media(color_scheme=theme)
    page.goto(http_base + path)
    assert _axe_violations(page) == []

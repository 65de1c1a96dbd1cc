"""The home table over static/library-data.js in a real Chromium from file://: it loads, pages,
sorts and filters all the notes while the DOM holds one page of rows."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect

from papernotes.render import HOME_ROWS, SiteIndex
from papernotes.search.table import LIBRARY_DATA, LIBRARY_PARTS, library_files

from browser import serve
from conftest import clean_library, note_text, write_note

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


FIRST, PART = 50, 60  # 230 rows: 50 in library-data.js, then parts of 60, 60 and 60


@pytest.fixture(scope="module")
def parted(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site with its rows split as a large library's are: most come in parts."""
    out = tmp_path_factory.mktemp("parted") / "site"
    shutil.copytree(site, out)
    library = clean_library(site.parent)
    index = SiteIndex.of(library)
    keys = [k for ks in index.year_notes.values() for k in ks] + list(index.undated)
    notes = [library.notes[k] for k in keys]
    files = library_files(
        notes, index.tag_path, index.author_path, first_rows=FIRST, part_rows=PART
    )
    assert [p for p, _ in files] == [LIBRARY_DATA, *(f"{LIBRARY_PARTS}{n}.js" for n in (1, 2, 3))]
    for path, text in files:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, "utf-8")
    return out


@pytest.fixture(scope="module")
def parted_http(parted: Path) -> Iterator[str]:
    yield from serve(parted)


@pytest.fixture(params=["file", "http"])
def parted_url(request: pytest.FixtureRequest, parted: Path) -> str:
    if request.param == "file":
        return (parted / "index.html").as_uri()
    return str(request.getfixturevalue("parted_http")) + "index.html"


def _open(page: Page, site: Path | str, query: str = "") -> None:
    page.goto((site if isinstance(site, str) else (site / "index.html").as_uri()) + query)
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


def test_rows_in_parts_arrive_after_the_first_page(page: Page, parted_url: str) -> None:
    _open(page, parted_url)
    assert _titles(page) == [f"Paper {i:03d}" for i in range(NOTES - 1, NOTES - 1 - HOME_ROWS, -1)]
    page.wait_for_function("document.documentElement.dataset.pnTableRows === 'all'")
    expect(page.locator("#result-count")).to_have_text(f"{NOTES} papers.")
    nav = page.locator("#table-pages")
    expect(nav).to_contain_text("Page 1 of 3")
    nav.get_by_role("button", name="Next").click()
    nav.get_by_role("button", name="Next").click()
    assert _titles(page) == [f"Paper {i:03d}" for i in range(NOTES - 1 - 2 * HOME_ROWS, -1, -1)]
    links = page.locator("td.col-authors a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    assert len(links) == NOTES - 2 * HOME_ROWS  # every author has papers in several parts
    assert all(h.startswith("authors/") and h.endswith(".html") for h in links), links
    page.click("th[data-sort='year'] button")  # ascending, still on page 3
    assert _titles(page)[:2] == [f"Paper {2 * HOME_ROWS:03d}", f"Paper {2 * HOME_ROWS + 1:03d}"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=zebra", [f"Paper {i:03d}" for i in reversed(ZEBRAS)]),
        ("?sort=year-ascending", [f"Paper {i:03d}" for i in range(HOME_ROWS)]),
        ("?page=3", [f"Paper {i:03d}" for i in range(NOTES - 1 - 2 * HOME_ROWS, -1, -1)]),
    ],
)
def test_a_view_in_the_url_is_ready_only_over_every_row(
    page: Page, parted_url: str, query: str, expected: list[str]
) -> None:
    _open(page, parted_url, query)
    assert page.evaluate("document.documentElement.dataset.pnTableRows") == "all"
    assert _titles(page) == expected


def test_filtering_while_typing_matches_filtering_at_once(page: Page, parted: Path) -> None:
    _open(page, parted)
    page.wait_for_function("document.documentElement.dataset.pnTableRows === 'all'")
    field = page.locator("#filter-text")
    seen = []
    for keys in ("zeb", "ra", " paper 1", "9", "Backspace", "Backspace", "Backspace"):
        before = _rendered(page)
        if keys == "Backspace":
            field.press(keys)
        else:
            field.press_sequentially(keys)
        page.wait_for_function(
            f"Number(document.documentElement.dataset.pnTableRendered) > {before}"
        )
        typed = field.input_value()
        count = page.locator("#result-count").inner_text()
        seen.append((typed, count, _titles(page)))
    for typed, count, titles in seen:  # each view as a fresh page filtered at once shows it
        _open(page, parted)
        page.wait_for_function("document.documentElement.dataset.pnTableRows === 'all'")
        before = _rendered(page)
        field.fill(typed)
        page.wait_for_function(
            f"Number(document.documentElement.dataset.pnTableRendered) > {before}"
        )
        assert (page.locator("#result-count").inner_text(), _titles(page)) == (count, titles), typed
    assert [t for t, _, _ in seen][-1] == "zebra paper"
    assert seen[3][2] == ["Paper 198", "Paper 165", "Paper 132"]  # years 1998, 1965, 1932


def test_authors_link_to_their_pages_as_the_html_rows_do(page: Page, site: Path) -> None:
    html = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    server = [str(td.decode_contents()) for td in html.select("table.papers td.col-authors")]
    assert any("<a href=" in cell for cell in server)
    _open(page, site)
    cells = page.locator("table.papers tbody td.col-authors")
    assert cells.evaluate_all("tds => tds.map(td => td.innerHTML)") == server

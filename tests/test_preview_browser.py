"""Link previews in real Chromium, over HTTP and from file://: every kind of link to a note shows
its card (title, authors, venue and year, status, first paragraph, or the linked section's), by
mouse, keyboard and touch; the data loads on demand; the card passes every axe-core rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from test_browser import _axe_violations

from browser import Problems
from conftest import note_text, write_note

TARGET_BODY = (
    "The target's first paragraph, with $x^2$ in it.\n\n"
    "## Method\n\nThe method section starts with this sentence.\n"
)
TARGET = note_text(
    "Target Paper",
    authors="[Tara Get, Sam Second, Tom Third, Fay Fourth]",
    year=2021,
    extra="id: target\nvenue: NeurIPS\nstatus: read\ntags: [x]\n",
    body=TARGET_BODY,
)
CITER_BODY = (
    "We build on [@target] and on [[target|the target paper]].\n\n"
    "Its [[target#Method|method]] is the part we use.\n"
)
CITER = note_text("Citing Note", extra="id: citer\ncites: [target]\ntags: [x]\n", body=CITER_BODY)

FIRST = "The target's first paragraph, with x^2 in it."
SECTION = "The method section starts with this sentence."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    root = tmp_path_factory.mktemp("lib")
    write_note(root, "target.md", TARGET)
    write_note(root, "citer.md", CITER)
    out = tmp_path_factory.mktemp("built") / "notes"
    assert main(["build", "--root", str(root), "--out", str(out), "-q"]) == 0
    return out


def _card(page: Page) -> Locator:
    return page.locator(".preview-card")


def _expect_target_card(page: Page, text: str = FIRST) -> None:
    card = _card(page)
    expect(card).to_be_visible()
    expect(card.locator(".pop-title")).to_have_text("Target Paper")
    expect(card.locator(".pop-meta")).to_have_text(
        "Tara Get, Sam Second, Tom Third et al. · 2021 · NeurIPS"
    )
    expect(card.locator(".pop-status")).to_have_text("Status: read")
    expect(card.locator(".pop-text")).to_have_text(text)


def _preview_scripts(page: Page) -> list[str]:
    return list(
        page.evaluate(
            "[...document.querySelectorAll('script[src*=\"static/preview/\"]')]"
            ".map(s => s.getAttribute('src').replace(/^.*static\\//, ''))"
        )
    )


@pytest.mark.parametrize(
    ("path", "selector", "text"),
    [
        ("papers/citer.html", ".note-body a.cite[href='target.html']:not(.wikilink)", FIRST),
        ("papers/citer.html", ".note-body a.wikilink[href='target.html']", FIRST),
        ("papers/citer.html", ".note-body a[href='target.html#h-method']", SECTION),
        ("papers/citer.html", "#cites + ul a", FIRST),
        ("papers/target.html", "#cited-by + ul a", None),
        ("tags/x.html", "main a[href$='target.html']", FIRST),
    ],
)
def test_hovering_any_link_to_a_note_shows_its_card(
    page: Page, base: str, path: str, selector: str, text: str | None
) -> None:
    page.goto(base + path)
    # Loaded on demand: nothing of the data before a link is hovered.
    expect(page.locator("script[src$='static/preview.js']")).to_have_count(1)
    assert _preview_scripts(page) == []
    page.locator(selector).first.hover()
    if text is None:  # the citing note's card, on the cited note's page
        expect(_card(page).locator(".pop-title")).to_have_text("Citing Note")
    else:
        _expect_target_card(page, text)
    # The shard count, then the one shard the card is in.
    assert len(_preview_scripts(page)) == 2
    assert _card(page).get_attribute("role") == "tooltip"
    link = page.locator(selector).first
    assert link.get_attribute("aria-describedby") == "cite-popover"
    page.mouse.move(0, 0)
    expect(_card(page)).to_have_count(0)


def test_graph_nodes_and_search_results_have_cards(page: Page, base: str) -> None:
    page.goto(base + "graph.html")
    page.locator("a.pn-node[href$='target.html']").first.hover()
    _expect_target_card(page)
    page.goto(base + "search.html?q=target")
    result = page.locator("#search-results a[href$='target.html']").first
    expect(result).to_be_visible()
    result.hover()
    _expect_target_card(page)


def test_a_link_passed_over_shows_nothing(page: Page, base: str) -> None:
    # The page's clock stands still while the pointer passes over the link: on a loaded
    # machine two hovers can take longer than the delay itself.
    page.clock.install()
    page.goto(base + "papers/citer.html")
    page.clock.pause_at(page.evaluate("Date.now()") + 1)
    page.locator("#cites + ul a").first.hover()
    page.locator("h1").hover()  # left before the delay is over
    page.clock.run_for(2000)  # long past it: the card was never coming
    expect(_card(page)).to_have_count(0)
    page.clock.resume()
    # Then another link is hovered and stays: only its card shows, the first never did.
    page.locator(".note-body a.cite[href='target.html']:not(.wikilink)").hover()
    _expect_target_card(page)
    expect(_card(page)).to_have_count(1)
    assert page.locator("#cites + ul a").first.get_attribute("aria-describedby") is None


def test_keyboard_focus_shows_and_escape_closes_without_taking_focus(page: Page, base: str) -> None:
    page.goto(base + "papers/citer.html")
    link = page.locator(".note-body a.wikilink[href='target.html']")
    link.focus()
    _expect_target_card(page)
    page.keyboard.press("Escape")
    expect(_card(page)).to_have_count(0)
    expect(link).to_be_focused()
    # Tab goes on to the next link (whose card replaces it), never into the card.
    page.keyboard.press("Tab")
    expect(page.locator(".note-body a[href='target.html#h-method']")).to_be_focused()
    _expect_target_card(page, SECTION)
    expect(_card(page)).to_have_count(1)
    page.keyboard.press("Shift+Tab")
    expect(link).to_be_focused()
    _expect_target_card(page)


def test_touch_first_tap_shows_the_card_second_tap_follows(browser: Browser, base: str) -> None:
    problems = Problems()
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = problems.watch(context.new_page())
    page.goto(base + "papers/citer.html")
    link = page.locator("#cites + ul a").first
    link.tap()
    _expect_target_card(page)
    assert page.url.endswith("papers/citer.html")
    open_link = _card(page).get_by_role("link", name="Open")
    expect(open_link).to_have_attribute("href", "target.html")
    link.tap()
    expect(page).to_have_url(re.compile(r"papers/target\.html$"))
    page.wait_for_load_state("load")  # leaving sooner would cut its scripts off
    # A tap elsewhere closes a card; the Open link follows it.
    page.goto(base + "papers/citer.html")
    page.locator(".note-body a.cite[href='target.html']:not(.wikilink)").tap()
    expect(_card(page)).to_be_visible()
    page.locator("h1").tap()
    expect(_card(page)).to_have_count(0)
    page.locator("#cites + ul a").first.tap()
    _card(page).get_by_role("link", name="Open").tap()
    expect(page).to_have_url(re.compile(r"papers/target\.html$"))
    page.wait_for_load_state("load")
    context.close()
    assert problems.items == []


# Counts the preview data scripts that have run: each calls PAPERNOTES_PREVIEW once.
COUNT_PREVIEW_CALLS = """
let preview;
window.previewCalls = 0;
Object.defineProperty(window, "PAPERNOTES_PREVIEW", {
  get() { return preview; },
  set(fn) { preview = (data) => { fn(data); window.previewCalls += 1; }; },
});
"""


@pytest.mark.parametrize("decompression", [True, False])
def test_gzipped_shards_show_cards_or_none_without_decompressionstream(
    browser: Browser, site: Path, base: str, decompression: bool
) -> None:
    # The shards on disk are packed: no card's text is readable in them.
    shards = [p.read_text("utf-8") for p in (site / "static/preview").glob("[0-9]*.js")]
    assert shards and all('"z":"' in s and "Target Paper" not in s for s in shards)
    problems = Problems()
    context = browser.new_context()
    page = problems.watch(context.new_page())
    page.add_init_script(COUNT_PREVIEW_CALLS)
    if not decompression:  # an older browser: links stay plain links, nothing breaks
        page.add_init_script("delete window.DecompressionStream;")
    page.goto(base + "papers/citer.html")
    link = page.locator("#cites + ul a").first
    link.hover()
    if decompression:
        _expect_target_card(page)
    else:
        # The index and the shard have run; without DecompressionStream a shard's cards are
        # decided as it runs, so a card would be there by now.
        page.wait_for_function("window.previewCalls === 2")
        expect(_card(page)).to_have_count(0)
        assert link.get_attribute("aria-describedby") is None
        link.click()
        expect(page).to_have_url(re.compile(r"papers/target\.html$"))
        page.wait_for_load_state("load")
    context.close()
    assert problems.items == []


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("touch", [False, True])
def test_open_card_passes_every_axe_rule(
    browser: Browser, http_base: str, theme: str, touch: bool
) -> None:
    context = browser.new_context(has_touch=touch, color_scheme=theme)
    page = context.new_page()
    page.goto(http_base + "papers/citer.html")
    link = page.locator(".note-body a[href='target.html#h-method']")
    if touch:
        link.tap()
    else:
        link.hover()
    _expect_target_card(page, SECTION)
    assert _axe_violations(page) == []
    context.close()

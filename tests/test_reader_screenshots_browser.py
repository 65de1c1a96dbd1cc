"""The reader's new pieces on the bundled site, in Chromium from file://, as the README shows
them: backlinks in context with a preview card open, a series strip, a forgiven typo in search,
a reading list, and typography in dark mode (reading time, a heading's anchor shown on keyboard
focus, a code block's Copy button, Chinese and English side by side), and the neighbourhood
graph's author-year labels with a node's tip on keyboard focus. Each view is checked; set PAPERNOTES_SCREENSHOTS=DIR to keep the pictures (the
README's come from here)."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FloatRect, Page, expect

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


def _graph_labels(page: Page) -> None:
    section = page.locator("section.graph-local")
    section.scroll_into_view_if_needed()
    nodes = section.locator("a.pn-node")
    expect(nodes.first).to_be_attached()
    labels = [str(n.get_attribute("data-label")) for n in nodes.all()]
    assert all(re.search(r"\b(19|20)\d\d[a-z]?$", label) for label in labels), labels
    assert len(set(labels)) == len(labels)  # no two papers read the same
    nodes.filter(has_not=page.locator(".is-current")).nth(2).focus()  # as Tab would
    tip = section.locator(".pn-tip")
    expect(tip).to_be_visible()
    expect(tip.locator("strong")).not_to_be_empty()
    page.evaluate("document.querySelector('section.graph-local').scrollIntoView()")


def _typography(page: Page) -> list[FloatRect]:
    """Dark mode; the header's reading time, and further down a section of mixed Chinese and
    English whose heading's anchor has keyboard focus, above a code block just copied. The
    two parts are returned as regions of the page, shown one above the other."""
    page.emulate_media(color_scheme="dark")
    reading = page.locator(".paper-header .reading-time")
    expect(reading).to_have_text(re.compile(r"^\d+ min read$"))
    heading = page.locator(".note-body h3", has_text="一个最小实现")
    block = page.locator(".code-block", has=page.locator("code.language-python")).first
    block.get_by_role("button").click()
    expect(block.locator("[data-copy-status]")).to_have_text(re.compile("Copied|Select"))
    heading.evaluate("h => { h.tabIndex = -1; h.focus(); }")
    page.keyboard.press("Tab")  # the keyboard reaches the heading's anchor next
    anchor = page.locator(".note-body .hd:has(> h3:has-text('一个最小实现')) > a.anchor")
    expect(anchor).to_be_focused()
    expect(anchor).to_have_css("opacity", "1")
    expect(anchor).to_have_accessible_name("Link to section: 一个最小实现")
    header = page.locator(".paper-header").bounding_box()
    top = anchor.locator("xpath=..").bounding_box()
    assert header is not None and top is not None
    scrolled = page.evaluate("scrollY")
    # Bounding boxes are in the viewport; a full-page clip wants the page's coordinates.
    first_y = header["y"] + scrolled
    second_y = top["y"] + scrolled - 150  # the paragraph before the heading
    return [
        {"x": 0, "y": first_y - 16, "width": 1200, "height": header["height"] + 24},
        {"x": 0, "y": second_y, "width": 1200, "height": 520},
    ]


def _stacked(page: Page, regions: list[FloatRect], path: Path) -> None:
    """One picture of ``regions`` of the page, one above the other, cut apart by a rule."""
    shots = [page.screenshot(clip=r, full_page=True) for r in regions]
    imgs = "<hr>".join(
        f'<img alt="" src="data:image/png;base64,{base64.b64encode(s).decode()}">' for s in shots
    )
    sheet = page.context.new_page()
    sheet.set_content(
        "<style>body{margin:0;background:#0d1117}img{display:block}"
        "hr{margin:0;border:0;border-top:4px dashed #3d444d}</style>" + imgs
    )
    sheet.screenshot(path=str(path), full_page=True)
    sheet.close()


VIEWS: list[tuple[str, str, Callable[[Page], list[FloatRect] | None]]] = [
    ("cited-by", "papers/hu2021lora.html", _cited_by_with_a_card),
    ("series", "papers/radford2019language.html", _series_strip),
    ("search-typo", "search.html?q=atention", _forgiven_typo),
    ("reading-list", "lists/gpt-series.html", _reading_list),
    ("typography", "papers/hu2021lora.html", _typography),
    ("graph-labels", "papers/hu2021lora.html", _graph_labels),
]


@pytest.mark.parametrize(("name", "path", "check"), VIEWS, ids=[v[0] for v in VIEWS])
def test_the_readers_new_pieces(
    browser: Browser,
    site: Path,
    name: str,
    path: str,
    check: Callable[[Page], list[FloatRect] | None],
) -> None:
    problems = Problems()
    context = browser.new_context(viewport={"width": 1200, "height": 800}, device_scale_factor=1)
    page = problems.watch(context.new_page())
    page.goto(site.as_uri() + "/" + path)
    regions = check(page)
    keep = os.environ.get("PAPERNOTES_SCREENSHOTS")
    if keep and regions:
        _stacked(page, regions, Path(keep) / f"{name}-1200.png")
    elif keep:
        page.screenshot(path=str(Path(keep) / f"{name}-1200.png"))
    context.close()
    assert problems.items == []

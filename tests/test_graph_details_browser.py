"""The graph's details in real Chromium, over HTTP and from file://: labels that tell papers
apart (author and year, a short title on hover and keyboard focus), the wheel that scrolls the
page unless Ctrl or ⌘ is held, tap to highlight then tap to open on touch, and labels that stay
readable (or hidden, and shown on tap) however far "Fit" zooms out on a phone."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect
from test_browser import _axe_violations

from papernotes import urls
from papernotes.graph import data as graph
from papernotes.graph.labels import distinct_labels, short_title
from papernotes.graph.layout import GEOMETRY
from papernotes.model import CiteKey, Library

import conftest
from browser import _bundled_base, _bundled_http, _bundled_site, _phone  # noqa: F401
from conftest import library_at

if not hasattr(conftest, "browser"):
    from browser import browser  # noqa: F401

LOCAL = CiteKey("hu2021lora")
MIN_LABEL_PX = 9
"""graph.js's MIN_LABEL_PX: no label shown smaller on screen."""


@pytest.fixture(scope="module")
def library() -> Library:
    return library_at(conftest.REPO)[0]


def vp_transform(page: Page) -> tuple[float, float, float]:
    value = page.locator(".pn-vp").first.get_attribute("transform") or ""
    m = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\) scale\(([-\d.]+)\)", value)
    assert m is not None, value
    return float(m[1]), float(m[2]), float(m[3])


def settle(page: Page) -> None:
    """Wait for graph.js's next animation frame to have applied its transform."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def open_local(page: Page, base: str) -> None:
    page.goto(base + urls.paper_page(LOCAL))
    page.locator("section.graph-local").scroll_into_view_if_needed()
    expect(page.locator("section.graph-local a.pn-node").first).to_be_attached()
    settle(page)


def node_in_view(page: Page, selector: str = "a.pn-node") -> tuple[str, float, float]:
    """A drawn paper whose middle is on screen and not under the graph's header band: its href
    and that point."""
    found = page.evaluate(
        """(selector) => {
          const frame = document.querySelector('[data-pn-graph] svg').getBoundingClientRect();
          for (const a of document.querySelectorAll(selector)) {
            const r = a.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (x < Math.max(frame.left, 0) || x > Math.min(frame.right, innerWidth)) continue;
            if (y < Math.max(frame.top, 0) || y > Math.min(frame.bottom, innerHeight)) continue;
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.closest('a') === a) return [a.getAttribute('href'), x, y];
          }
          return null;
        }""",
        selector,
    )
    assert isinstance(found, list), "no paper in view"
    return str(found[0]), float(found[1]), float(found[2])


def empty_point(page: Page) -> tuple[float, float]:
    """A point inside the graph, below its header band, at least 16 px from any paper: Chromium
    moves a tap that lands near a link onto the link."""
    found = page.evaluate(
        """() => {
          const svg = document.querySelector('[data-pn-graph] svg');
          const r = svg.getBoundingClientRect(), top = r.top + parseFloat(svg.dataset.top || 0);
          const boxes = Array.from(document.querySelectorAll('a.pn-node, a.pn-year'),
            a => a.getBoundingClientRect());
          const far = (x, y) => boxes.every(b => x < b.left - 16 || x > b.right + 16
            || y < b.top - 16 || y > b.bottom + 16);
          for (let y = Math.max(top + 40, 40); y < Math.min(r.bottom, innerHeight) - 4; y += 7)
            for (let x = Math.max(r.left, 0) + 4; x < Math.min(r.right, innerWidth) - 4; x += 9) {
              const hit = document.elementFromPoint(x, y);
              if (hit && svg.contains(hit) && far(x, y)) return [x, y];
            }
          return null;
        }"""
    )
    assert isinstance(found, list), "no empty space in the graph"
    return float(found[0]), float(found[1])


# --- 1. Labels that tell papers apart ------------------------------------------------------


def test_every_label_is_author_and_year_and_none_repeats(
    page: Page, bundled_base: str, library: Library
) -> None:
    page.goto(bundled_base + "graph.html")
    nodes = page.locator("svg.pn-graph a.pn-node")
    expect(nodes).to_have_count(len(library.notes))
    drawn = dict(
        nodes.evaluate_all(
            "els => els.map(a => [a.getAttribute('href'), a.querySelector('text').textContent])"
        )
    )
    keys = list(library.notes)
    want = distinct_labels(
        [library.labels[k] for k in keys],
        [library.notes[k].meta.heading for k in keys],
        GEOMETRY.node_w - 12,
    )
    assert drawn == {urls.paper_page(k): text for k, text in zip(keys, want, strict=True)}
    assert len(set(drawn.values())) == len(drawn)
    for text in drawn.values():
        assert re.search(r"(\d{4}|n\.d\.)[a-z]?\b", text), text
    # The complaint this answers: "Liu et al." three times, telling three papers apart by nothing.
    liu = [t for t in drawn.values() if t.startswith("Liu et al.")]
    assert len(liu) == len(set(liu)) and all(re.search(r"\d{4}", t) for t in liu)


def said(svg_html: str) -> dict[str, tuple[str, str, str]]:
    """Each node's href → its visible label, its tip's label and its tip's short title."""
    return {
        str(a["href"]): (label.get_text(), str(a.get("data-label")), str(a.get("data-short")))
        for a in BeautifulSoup(svg_html, "html.parser").select("a.pn-node")
        if (label := a.select_one("text")) is not None
    }


def test_the_neighbourhood_says_what_python_says(
    page: Page, bundled_base: str, library: Library
) -> None:
    open_local(page, bundled_base)
    js = said(str(page.locator("[data-pn-graph] svg").evaluate("e => e.outerHTML")))
    py = said(graph.neighbourhood_svg(library, LOCAL, urls.paper_page(LOCAL), css=""))
    assert js == py
    assert len({text for text, _, _ in js.values()}) == len(js)


# Labels graph.js gets from graph-data.js, made to clash before it draws them: names that are cut
# to the same text, then the same title word too.
CLASHES = [
    pytest.param(
        [
            ("Wolfeschlegelsteinhausen et al., 2020", "LoRA: one"),
            ("Wolfeschlegelsteinhausenberg, 2020", "QLoRA: two"),
        ],
        id="title-word",
    ),
    pytest.param(
        [
            ("Wolfeschlegelsteinhausen et al., 2020", "Adapters: one"),
            ("Wolfeschlegelsteinhausenberg, 2020", "Adapters: two"),
            ("Wolfeschlegelsteinhausenbergerdorff, 2020", "Adapters: three"),
        ],
        id="letters",
    ),
]


@pytest.mark.parametrize("clash", CLASHES)
def test_labels_that_would_read_the_same_are_told_apart_as_python_does(
    page: Page, bundled_base: str, library: Library, clash: list[tuple[str, str]]
) -> None:
    keys = list(library.notes)[: len(clash)]
    # Rewrite the first papers' labels and titles as graph-data.js assigns them.
    page.add_init_script(
        "(() => { const clash = "
        + json.dumps(clash)
        + """;
          let value;
          Object.defineProperty(window, "PAPERNOTES_GRAPH", {
            configurable: true,
            get() { return value; },
            set(v) {
              clash.forEach(([label, title], i) => { v.nodes[i][1] = label; v.nodes[i][2] = title; });
              value = v;
            }
          });
        })();"""
    )
    page.goto(bundled_base + "graph.html")
    texts = [
        page.locator(f'a.pn-node[href="{urls.paper_page(k)}"] text').text_content() for k in keys
    ]
    want = distinct_labels(
        [label for label, _ in clash], [title for _, title in clash], GEOMETRY.node_w - 12
    )
    assert tuple(texts) == want
    assert len(set(want)) == len(want)


def test_keyboard_focus_and_hover_show_the_short_title(
    page: Page, bundled_base: str, library: Library
) -> None:
    open_local(page, bundled_base)
    page.locator("[data-pn-graph] svg").focus()
    page.keyboard.press("Tab")
    focused = page.locator("a.pn-node:focus")
    expect(focused).to_have_count(1)
    href = focused.get_attribute("href")
    assert href is not None
    key = next(
        k
        for k in library.notes
        if urls.relative(urls.paper_page(LOCAL), urls.paper_page(k)) == href
    )
    meta = library.notes[key].meta
    tip = page.locator(".pn-tip")
    expect(tip).to_be_visible()
    expect(tip.locator("strong")).to_have_text(library.labels[key].replace(",", "", 1))
    expect(tip).to_contain_text(short_title(meta.heading))
    # The full title is the node's accessible name; the tip is not read twice.
    expect(page.get_by_role("link", name=f"{meta.heading} ({library.labels[key]})")).to_have_count(
        1
    )
    expect(tip).to_have_attribute("aria-hidden", "true")
    # Above the paper, clear of it.
    box, node_box = tip.bounding_box(), focused.bounding_box()
    assert box is not None and node_box is not None
    assert (
        box["y"] + box["height"] <= node_box["y"] or box["y"] >= node_box["y"] + node_box["height"]
    )
    # Hovering another paper moves the tip to it; leaving it returns to the focused one.
    other, x, y = node_in_view(page, "a.pn-node:not(:focus)")
    page.mouse.move(x, y)
    expect(tip.locator("strong")).to_have_text(
        str(page.locator(f'a.pn-node[href="{other}"]').get_attribute("data-label"))
    )
    page.mouse.move(2, 2)
    expect(tip.locator("strong")).to_have_text(str(focused.get_attribute("data-label")))
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()


# --- 2. The wheel scrolls the page; Ctrl or ⌘ + wheel zooms --------------------------------


@pytest.mark.parametrize("path", ["graph.html", urls.paper_page(LOCAL)])
def test_the_wheel_scrolls_the_page_and_ctrl_or_meta_wheel_zooms(
    page: Page, bundled_base: str, path: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(bundled_base + path)
    svg = page.locator("svg.pn-graph")
    svg.scroll_into_view_if_needed()
    expect(page.locator(".pn-hint")).to_have_text("Ctrl + scroll to zoom; drag to pan.")
    settle(page)
    before = vp_transform(page)
    box = svg.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, max(box["y"], 0) + 80
    page.mouse.move(x, y)
    scroll = page.evaluate("scrollY")
    delta = -200 if scroll > 0 else 200
    page.mouse.wheel(0, delta)
    page.wait_for_function("y => scrollY !== y", arg=scroll)
    settle(page)
    assert vp_transform(page) == before
    # No preventDefault on a plain wheel: nothing stops the page scrolling.
    prevented = svg.evaluate(
        "svg => !svg.dispatchEvent(new WheelEvent('wheel', {deltaY: 100, bubbles: true, cancelable: true}))"
    )
    assert prevented is False
    for modifier in ("ctrlKey", "metaKey"):
        box = svg.bounding_box()
        assert box is not None
        px, py = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6
        tx, ty, s = vp_transform(page)
        prevented = svg.evaluate(
            """(svg, [m, x, y]) => !svg.dispatchEvent(new WheelEvent('wheel', {deltaY: -120,
                 bubbles: true, cancelable: true, clientX: x, clientY: y, [m]: true}))""",
            [modifier, px, py],
        )
        assert prevented is True  # the browser's own page zoom does not happen too
        settle(page)
        tx2, ty2, s2 = vp_transform(page)
        assert s2 > s * 1.1, modifier
        # Around the pointer: the graph point under it stays under it (the viewBox is the
        # frame's size in px, so the SVG's units are the screen's).
        ox, oy = px - box["x"], py - box["y"]
        assert (ox - tx) / s == pytest.approx((ox - tx2) / s2, abs=0.6)
        assert (oy - ty) / s == pytest.approx((oy - ty2) / s2, abs=0.6)


# --- 3. Touch: tap to highlight, tap again to open ------------------------------------------


def test_a_tap_highlights_a_second_tap_opens_and_a_tap_on_nothing_clears(
    phone: Page, bundled_base: str
) -> None:
    page = phone
    open_local(page, bundled_base)
    expect(page.locator(".pn-hint")).to_contain_text("Tap a paper")
    href, x, y = node_in_view(page, "a.pn-node:not(.is-current)")
    node = page.locator(f'a.pn-node[href="{href}"]')
    page.touchscreen.tap(x, y)
    expect(node).to_have_class(re.compile(r"\bis-hl\b"))
    expect(page.locator("svg.pn-graph")).to_have_class(re.compile(r"\bpn-hl-on\b"))
    expect(page.locator(".pn-tip strong")).to_have_text(str(node.get_attribute("data-label")))
    # preview.js agrees: the same first tap shows its card (below the paper), and opens nothing.
    card = page.locator(".preview-card")
    expect(card).to_be_visible()
    assert page.url.endswith(urls.paper_page(LOCAL))
    tip_box, card_box = page.locator(".pn-tip").bounding_box(), card.bounding_box()
    assert tip_box is not None and card_box is not None
    assert tip_box["y"] + tip_box["height"] <= card_box["y"]  # the two do not cover each other
    # A tap on empty space clears both.
    ex, ey = empty_point(page)
    page.touchscreen.tap(ex, ey)
    expect(page.locator("a.pn-node.is-hl")).to_have_count(0)
    expect(page.locator(".pn-tip")).to_be_hidden()
    expect(card).to_have_count(0)
    # Tap, then tap the same paper again: its page opens.
    href, x, y = node_in_view(page, "a.pn-node:not(.is-current)")
    page.touchscreen.tap(x, y)
    expect(page.locator(f'a.pn-node[href="{href}"]')).to_have_class(re.compile(r"\bis-hl\b"))
    expect(card).to_be_visible()
    page.touchscreen.tap(x, y)
    page.wait_for_url("**/papers/" + href)


def test_a_second_tap_opens_the_paper_even_when_preview_has_no_card_for_it(
    phone: Page, bundled_http: str
) -> None:
    """preview.js holds back every tap on a link it has no card for; graph.js still opens the
    paper on the second tap (over HTTP only: routing cannot answer file:// requests)."""
    page = phone
    page.route(
        "**/static/preview/index.js",
        lambda r: r.fulfill(
            content_type="text/javascript", body="window.PAPERNOTES_PREVIEW({shards: 1});"
        ),
    )
    page.route(
        "**/static/preview/0.js",
        lambda r: r.fulfill(
            content_type="text/javascript", body="window.PAPERNOTES_PREVIEW({shard: 0, cards: {}});"
        ),
    )
    open_local(page, bundled_http)
    href, x, y = node_in_view(page, "a.pn-node:not(.is-current)")
    page.touchscreen.tap(x, y)
    expect(page.locator(f'a.pn-node[href="{href}"]')).to_have_class(re.compile(r"\bis-hl\b"))
    page.wait_for_function(
        "() => performance.getEntriesByName(new URL('../static/preview/0.js', location).href).length"
    )
    expect(page.locator(".preview-card")).to_have_count(0)
    assert page.url.endswith(urls.paper_page(LOCAL))
    page.touchscreen.tap(x, y)
    page.wait_for_url("**/papers/" + href)


# --- 4. "Fit" on a phone: labels readable, or hidden and shown on tap -----------------------


def label_px(page: Page) -> list[float]:
    """The on-screen font size of every drawn label, or [] when labels are hidden."""
    sizes = page.locator("svg.pn-graph a.pn-node text").evaluate_all(
        """els => els.filter(t => getComputedStyle(t).display !== 'none')
             .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    return [float(s) for s in sizes]


@pytest.mark.parametrize("path", ["graph.html", urls.paper_page(LOCAL)])
def test_fit_on_a_phone_keeps_labels_readable_or_shows_them_on_tap(
    phone: Page, bundled_base: str, path: str
) -> None:
    page = phone
    page.goto(bundled_base + path)
    page.locator("svg.pn-graph").scroll_into_view_if_needed()
    page.get_by_role("button", name="Fit: show the whole graph").tap()
    settle(page)
    fitted = vp_transform(page)[2]
    assert fitted < 0.65  # the whole graph on 390 px: too small for 11 px labels
    seen = set()
    for _ in range(4):
        sizes = label_px(page)
        if sizes:
            seen.add("shown")
            assert min(sizes) >= MIN_LABEL_PX - 0.05, sizes
        else:
            seen.add("hidden")
            # Hidden labels: a tap shows the paper's label at the page's size.
            href, x, y = node_in_view(page)
            page.touchscreen.tap(x, y)
            tip = page.locator(".pn-tip")
            expect(tip.locator("strong")).to_have_text(
                str(page.locator(f'a.pn-node[href="{href}"]').get_attribute("data-label"))
            )
            assert float(tip.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")) >= 12
            ex, ey = empty_point(page)
            page.touchscreen.tap(ex, ey)
            expect(tip).to_be_hidden()
        page.get_by_role("button", name="Zoom in").tap()
        settle(page)
    assert seen == {"shown", "hidden"}


# --- axe, with the details showing ---------------------------------------------------------


@pytest.mark.parametrize("path", ["graph.html", urls.paper_page(LOCAL)])
def test_a_focused_node_with_its_tip_passes_every_axe_rule(
    page: Page, bundled_http: str, path: str
) -> None:
    page.goto(bundled_http + path)
    svg = page.locator("[data-pn-graph] svg")
    svg.scroll_into_view_if_needed()
    svg.focus()
    page.keyboard.press("Tab")
    expect(page.locator(".pn-tip")).to_be_visible()
    assert _axe_violations(page) == []

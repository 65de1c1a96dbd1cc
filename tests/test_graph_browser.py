"""The citation graph in real Chromium, from file://: links, pan/zoom, highlighting, the tag
filter, the keyboard, no JavaScript at all, and 1,000 papers. Pages are a small harness (the
real style.css, graph.css, graph.js and graph-data.js around the templates), so these tests do
not depend on how the rest of the site is wired; test_graph_client.py opens a built site."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import jinja2
import pytest
from playwright.sync_api import Browser, Page, expect
from test_graph import library_of, synthetic

from papernotes import urls
from papernotes.config import load_config
from papernotes.graph import data as graph
from papernotes.graph.payload import graph_data, graph_data_js
from papernotes.model import CiteKey, Library

import conftest
from browser import Problems
from conftest import REPO, library_at

# One Playwright per session: a second session-scoped `browser` (each module that binds the
# fixture gets its own) fails with "Sync API inside the asyncio loop". Use conftest's when it
# provides one; until then bind it here, like the other browser test modules.
if not hasattr(conftest, "browser"):
    from browser import browser  # noqa: F401

SHOTS = Path("/tmp")
LOCAL = CiteKey("hu2021lora")


STUB_BASE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title>
<link rel="stylesheet" href="{{ url('static/style.css') }}">{% block head %}{% endblock %}</head>
<body><main id="main">{% block main %}{% endblock %}</main>{% block scripts %}{% endblock %}
</body></html>"""


def _env() -> jinja2.Environment:
    """The real graph templates over a stand-in base.html (the site's is not under test)."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.DictLoader({"base.html": STUB_BASE}),
                jinja2.FileSystemLoader(REPO / "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def write_harness(library: Library, out: Path, local: CiteKey | None) -> Path:
    """templates/graph.html, graph-data.js, a stub page per paper, and ``local``'s page with
    the real _graph_local.html partial."""
    env = _env()
    (out / "static").mkdir(parents=True)
    for name in ("style.css", "graph.js", "graph.css"):
        shutil.copy(REPO / "templates" / "static" / name, out / "static" / name)
    shared = graph_data_js(graph_data(library, graph.tag_palette(library)))
    (out / "static" / "graph-data.js").write_text(shared, "utf-8")

    def render(template: str, path: str, **context: object) -> None:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        html = env.get_template(template).render(
            url=lambda target: urls.relative(path, target),
            library=library,
            site=load_config(REPO)[0],
            page_path=path,
            **context,
        )
        (out / path).write_text(html, "utf-8")

    citations = sum(len(v) for v in library.cites.values())
    render("graph.html", "graph.html", citations=citations)
    stub = env.from_string(
        '{% extends "base.html" %}{% block main %}<h1>{{ key }}</h1>{% endblock %}'
    )
    for key in library.notes:
        path = urls.paper_page(key)
        (out / "papers").mkdir(exist_ok=True)
        html = stub.render(url=lambda target, path=path: urls.relative(path, target), key=key)
        (out / path).write_text(html, "utf-8")
    if local is not None:
        path = urls.paper_page(local)
        page = env.from_string(
            '{% extends "base.html" %}{% block main %}<article style="max-width:46rem;margin:auto">'
            '<h1>{{ key }}</h1>{% include "_graph_local.html" %}</article>{% endblock %}'
        )
        html = page.render(
            url=lambda target: urls.relative(path, target), key=local, graph_key=local
        )
        (out / path).write_text(html, "utf-8")
    return out


@pytest.fixture(scope="module")
def library() -> Library:
    return library_at(REPO)[0]


@pytest.fixture(scope="module")
def site(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_harness(library, tmp_path_factory.mktemp("graph30"), LOCAL)


@pytest.fixture(scope="module")
def site1000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_harness(synthetic(1000), tmp_path_factory.mktemp("graph1000"), None)


def transform(page: Page) -> tuple[float, float, float]:
    value = page.locator(".pn-vp").first.get_attribute("transform") or ""
    m = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\) scale\(([-\d.]+)\)", value)
    assert m is not None, value
    return float(m[1]), float(m[2]), float(m[3])


def settle(page: Page) -> None:
    """Wait for graph.js's next animation frame to have applied its transform."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def node(page: Page, key: str, frame: str = "") -> str:
    return f'{frame} a.pn-node[href$="{urls.paper_page(key).removeprefix("papers/")}"]'.strip()


def visible_node(page: Page, selector: str = "a.pn-node") -> str:
    """The href of a paper drawn inside the graph's frame, not under its header band."""
    href = page.evaluate(
        """(selector) => {
          const frame = document.querySelector('[data-pn-graph] svg').getBoundingClientRect();
          for (const a of document.querySelectorAll(selector)) {
            const r = a.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            if (x > frame.left && x < frame.right && y > frame.top && y < frame.bottom
                && hit && hit.closest('a') === a) return a.getAttribute('href');
          }
          return null;
        }""",
        selector,
    )
    assert isinstance(href, str), "no paper in view"
    return href


def test_clicking_a_node_opens_its_page(page: Page, site: Path) -> None:
    page.goto((site / "graph.html").as_uri())
    page.locator(node(page, "hu2021lora")).click()
    page.wait_for_url("**/papers/hu2021lora.html")
    expect(page.locator("h1")).to_have_text("hu2021lora")


def test_buttons_wheel_and_drag_pan_and_zoom(page: Page, site: Path) -> None:
    page.goto((site / "graph.html").as_uri())
    x0, y0, s0 = transform(page)
    page.get_by_role("button", name="Zoom in").click()
    settle(page)
    assert transform(page)[2] == pytest.approx(s0 * 1.4, rel=1e-3)
    box = page.locator("svg.pn-graph").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # Ctrl + wheel zooms (the wheel alone scrolls the page: test_graph_details_browser).
    page.keyboard.down("Control")
    page.mouse.wheel(0, 300)
    page.keyboard.up("Control")
    settle(page)
    assert transform(page)[2] < s0 * 1.4
    # A drag that starts on a paper pans and does not follow its link.
    before = transform(page)
    start = page.locator(node(page, "brown2020language")).bounding_box()
    assert start is not None
    cx, cy = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx - 40, cy + 15, steps=5)
    page.mouse.move(cx - 80, cy + 30, steps=5)
    page.mouse.up()
    settle(page)
    after = transform(page)
    assert after[0] == pytest.approx(before[0] - 80, abs=1)
    assert after[1] == pytest.approx(before[1] + 30, abs=1)
    assert page.url.endswith("/graph.html")
    page.get_by_role("button", name="Fit: show the whole graph").click()
    settle(page)
    assert transform(page) == pytest.approx((x0, y0, s0), abs=0.01)


def test_hover_highlights_exactly_the_papers_linked_to_it(
    page: Page, site: Path, library: Library
) -> None:
    page.goto((site / "graph.html").as_uri())
    key = CiteKey("brown2020language")
    page.locator(node(page, key)).hover()
    lit = page.locator("a.pn-node.is-hl").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    linked = {key, *library.cites[key], *library.cited_by[key]}
    assert sorted(lit) == sorted(urls.relative("graph.html", urls.paper_page(k)) for k in linked)
    edges = len(library.cites[key]) + len(library.cited_by[key])
    expect(page.locator("path.pn-edge.is-hl")).to_have_count(edges)
    expect(page.locator("svg.pn-graph")).to_have_class(re.compile(r"\bpn-hl-on\b"))
    hint = page.locator(".pn-hint")
    expect(hint).to_contain_text(library.notes[key].meta.title)
    page.screenshot(path=str(SHOTS / "papernotes-graph-30-hover.png"))
    page.mouse.move(2, 2)
    expect(page.locator("a.pn-node.is-hl")).to_have_count(0)


def test_tag_filter_draws_only_the_papers_with_that_tag(
    page: Page, site: Path, library: Library
) -> None:
    page.goto((site / "graph.html").as_uri())
    expect(page.locator("a.pn-node")).to_have_count(len(library.notes))
    page.get_by_label("Tag").select_option(label="peft")
    tagged = sum("peft" in (t.casefold() for t in n.meta.tags) for n in library.notes.values())
    assert 0 < tagged < len(library.notes)
    expect(page.locator("a.pn-node")).to_have_count(tagged)
    expect(page.locator(".pn-graph-status")).to_have_text(
        f"Showing all {tagged} papers that match."
    )
    page.get_by_label("Tag").select_option(label="all papers")
    expect(page.locator("a.pn-node")).to_have_count(len(library.notes))


def test_keyboard_zooms_pans_and_focuses_papers_visibly(page: Page, site: Path) -> None:
    page.goto((site / "graph.html").as_uri())
    svg = page.locator("svg.pn-graph")
    svg.focus()
    _, _, s0 = transform(page)
    page.keyboard.press("+")
    settle(page)
    assert transform(page)[2] > s0
    x1, _, _ = transform(page)
    page.keyboard.press("ArrowLeft")
    settle(page)
    assert transform(page)[0] == pytest.approx(x1 + 60, abs=1)
    page.keyboard.press("0")
    settle(page)
    assert transform(page)[2] == pytest.approx(s0)
    page.keyboard.press("Tab")
    focused = page.locator("a.pn-node:focus")
    expect(focused).to_have_count(1)
    expect(focused).to_have_class(re.compile(r"\bis-hl\b"))
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    href = focused.get_attribute("href")
    assert href is not None
    page.keyboard.press("Enter")
    page.wait_for_url("**/" + href)


def test_neighbourhood_opens_on_the_current_paper(page: Page, site: Path) -> None:
    page.goto((site / urls.paper_page(LOCAL)).as_uri())
    current = page.locator("a.pn-node.is-current")
    expect(current).to_have_attribute("aria-current", "page")
    frame = page.locator("[data-pn-graph] svg").bounding_box()
    box = current.bounding_box()
    assert frame is not None and box is not None
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    assert box["width"] > 100  # at full size, so its label is readable
    page.locator(".graph-local").screenshot(path=str(SHOTS / "papernotes-graph-local.png"))
    # Plain scrolling over the small graph scrolls the page; it does not zoom.
    before = transform(page)
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.wheel(0, 200)
    settle(page)
    assert transform(page) == before
    # A neighbour in view (the rest of the graph may lie outside the frame until panned).
    href = visible_node(page, "a.pn-node:not(.is-current)")
    assert href != "hu2021lora.html"
    page.locator(f'a.pn-node[href="{href}"]').click()
    page.wait_for_url("**/papers/" + href)


def test_without_javascript_the_pages_point_to_the_text_lists(browser: Browser, site: Path) -> None:
    problems = Problems()
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = problems.watch(context.new_page())
    page.goto((site / "graph.html").as_uri())
    expect(page.locator("svg.pn-graph")).to_have_count(0)
    expect(page.locator("form.pn-graph-filter")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "papernotes-graph-30-nojs.png"))
    text = page.locator("[data-pn-nojs]")
    expect(text.get_by_role("link", name="timeline")).to_have_attribute("href", "years/index.html")
    expect(text.get_by_role("link", name="tags")).to_have_attribute("href", "tags/index.html")
    page.goto((site / urls.paper_page(LOCAL)).as_uri())
    expect(page.locator("section.graph-local")).to_be_hidden()  # the cites lists say it in words
    context.close()
    assert problems.items == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_bundled_library(browser: Browser, site: Path, scheme: str) -> None:
    problems = Problems()
    context = browser.new_context(viewport={"width": 1280, "height": 700}, color_scheme=scheme)
    page = problems.watch(context.new_page())
    page.goto((site / "graph.html").as_uri())
    page.screenshot(path=str(SHOTS / f"papernotes-graph-30-{scheme}.png"))
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    problems.watch(phone).goto((site / urls.paper_page(LOCAL)).as_uri())
    phone.screenshot(path=str(SHOTS / f"papernotes-graph-local-phone-{scheme}.png"))
    context.close()
    assert problems.items == []


def test_on_a_phone_the_graph_opens_readable_on_the_newest_years(
    browser: Browser,
    site: Path,
    library: Library,
) -> None:
    problems = Problems()
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = problems.watch(context.new_page())
    page.goto((site / "graph.html").as_uri())
    svg = page.locator("svg.pn-graph")
    expect(svg).not_to_have_class(re.compile(r"\bpn-far\b"))
    assert transform(page)[2] == 1
    newest = max(n.meta.year for n in library.notes.values())
    label = page.locator(".pn-years text", has_text=str(newest))
    frame, box = svg.bounding_box(), label.bounding_box()
    assert frame is not None and box is not None
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    page.screenshot(path=str(SHOTS / "papernotes-graph-30-phone.png"))
    context.close()
    assert problems.items == []


def test_an_empty_library_gets_a_quiet_graph(page: Page, tmp_path: Path) -> None:
    empty = library_of()
    write_harness(empty, tmp_path / "site", None)
    page.goto((tmp_path / "site" / "graph.html").as_uri())
    expect(page.locator("svg.pn-graph")).to_have_count(1)
    expect(page.locator(".pn-graph-tools")).to_have_count(0)  # nothing to pan: no controls


def test_a_thousand_papers_stay_usable(page: Page, site1000: Path) -> None:
    start = time.perf_counter()
    page.goto((site1000 / "graph.html").as_uri())
    loaded = time.perf_counter() - start
    # At most a few hundred papers at once: the most cited, and the reader is told so.
    expect(page.locator("a.pn-node")).to_have_count(300)
    expect(page.locator(".pn-graph-status")).to_contain_text("the 300 most cited of 1000 papers")
    svg = page.locator("svg.pn-graph")
    expect(svg).not_to_have_class(re.compile(r"\bpn-far\b"))  # 300 fit with their labels
    page.get_by_label("Show at most").fill("5000")  # more than the page allows: capped at 500
    expect(page.locator("a.pn-node")).to_have_count(500)
    expect(page.locator(".pn-graph-status")).to_contain_text("the 500 most cited of 1000")
    page.screenshot(path=str(SHOTS / "papernotes-graph-1000.png"))
    # Zooming in on the middle brings labels back.
    box = svg.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    frame_ms = page.evaluate(
        """async () => {
          const svg = document.querySelector('svg.pn-graph');
          const r = svg.getBoundingClientRect();
          const times = [];
          for (let i = 0; i < 12; i++) {
            const t = performance.now();
            svg.dispatchEvent(new WheelEvent('wheel', {deltaY: -80, bubbles: true, cancelable: true,
              ctrlKey: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2}));
            await new Promise(res => requestAnimationFrame(() => requestAnimationFrame(res)));
            times.push(performance.now() - t);
          }
          times.sort((a, b) => a - b);
          return times[6];
        }"""
    )
    # The edges come back once the graph rests (180 ms after the last wheel): the expectations
    # wait for that state rather than for a fixed time.
    expect(svg).not_to_have_class(re.compile(r"\bpn-far\b"))
    expect(svg).not_to_have_class(re.compile(r"\bpn-moving\b"))
    page.screenshot(path=str(SHOTS / "papernotes-graph-1000-zoomed.png"))
    page.locator(f'a.pn-node[href="{visible_node(page)}"]').hover()
    expect(page.locator("a.pn-node.is-hl").first).to_be_visible()
    print(
        f"\n1,000 papers: page loaded in {loaded:.2f} s; median two-frame zoom step {frame_ms:.0f} ms"
    )

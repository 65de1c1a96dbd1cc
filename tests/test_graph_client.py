"""graph.js draws from graph-data.js in real Chromium, from file://: a built site's paper page
shows the two-step neighbourhood node for node as papernotes.graph.data specifies it, and the
global graph's filter decides what is drawn."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect
from test_graph import library_of, paper, synthetic

from papernotes import urls
from papernotes.cli.main import main
from papernotes.graph import data as graph
from papernotes.graph.payload import graph_data, graph_data_js
from papernotes.model import CiteKey, Library

import conftest
from conftest import REPO, library_at

if not hasattr(conftest, "browser"):
    from browser import browser  # noqa: F401

EVIL = "Tricky </script><b>bold</b> & co"
"""A title that would end an inline script and inject markup if escaped wrongly."""

# hub cites four papers and is cited by late2022; far2023 is two steps from hub, farther2024 three.
NOTES = (
    paper("base2017", 2017, tags=["nlp"]),
    paper("deep2018", 2018, ["base2017"], tags=["nlp", "vision"]),
    paper("evil2019", 2019, ["base2017"], title=EVIL, tags=["vision"]),
    paper("mid2019", 2019, ["deep2018", "base2017"]),
    paper("hub2020", 2020, ["deep2018", "evil2019", "mid2019", "base2017"], tags=["nlp"]),
    paper("late2022", 2022, ["hub2020"], tags=["rl"]),
    paper("far2023", 2023, ["late2022"], tags=["rl"]),
    paper("farther2024", 2024, ["far2023"]),
    paper("lone2021", 2021, tags=["nlp"]),
)


def positions(html: str, prefix: str = "") -> dict[str, tuple[float, float]]:
    """Each node's href (without ``prefix``) → its translate()."""
    out = {}
    for a in BeautifulSoup(html, "html.parser").select("a.pn-node"):
        m = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", str(a["transform"]))
        assert m is not None
        out[str(a["href"]).removeprefix(prefix)] = (float(m[1]), float(m[2]))
    return out


def drawn(page: Page) -> dict[str, tuple[float, float]]:
    html = page.locator("[data-pn-graph] svg").evaluate("e => e.outerHTML")
    return positions(str(html))


def assert_same_drawing(
    js: dict[str, tuple[float, float]], py: dict[str, tuple[float, float]]
) -> None:
    assert sorted(js) == sorted(py)
    for href, (x, y) in py.items():
        assert js[href] == pytest.approx((x, y), abs=0.11), href


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Library]:
    root = tmp_path_factory.mktemp("graphsite")
    for rel, text in NOTES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "papernotes.yaml").write_text("title: Graph test\n", encoding="utf-8")
    assert main(["build", "--root", str(root), "--no-cache", "-q"]) == 0
    return root / "site", library_at(root)[0]


def open_paper(page: Page, site: Path, key: str) -> float:
    """Open a paper page from file:// and wait for its graph; seconds until it was drawn."""
    page.goto((site / urls.paper_page(key)).as_uri())
    start = time.perf_counter()
    page.locator("section.graph-local").scroll_into_view_if_needed()
    expect(page.locator("section.graph-local svg.pn-graph a.pn-node").first).to_be_visible()
    return time.perf_counter() - start


def test_the_legend_sentence_is_written_by_graph_js_as_the_section_shows(
    page: Page, built: tuple[Path, Library]
) -> None:
    site, _ = built
    html = (site / urls.paper_page("hub2020")).read_text("utf-8")
    assert "citation steps away" not in html  # not carried hidden by every paper page
    open_paper(page, site, "hub2020")
    legend = page.locator("section.graph-local [data-pn-legend]")
    expect(legend).to_have_text(
        "Papers up to two citation steps away, by year; arrows point from the citing paper to"
        " the cited one, dashed outlines are two steps away. The whole library's graph."
    )
    expect(legend.get_by_role("link", name="The whole library's graph")).to_have_attribute(
        "href", "../graph.html"
    )


def test_a_paper_page_draws_its_neighbourhood_as_specified(
    page: Page, built: tuple[Path, Library]
) -> None:
    site, library = built
    open_paper(page, site, "hub2020")
    kept, total = graph.neighbourhood(library, CiteKey("hub2020"))
    assert kept[CiteKey("far2023")] == 2 and "farther2024" not in kept
    assert total == len(kept) == 7
    expect(page.locator("a.pn-node")).to_have_count(len(kept))
    py = graph.neighbourhood_svg(library, "hub2020", urls.paper_page("hub2020"), css="")
    assert_same_drawing(drawn(page), positions(py))
    current = page.locator("a.pn-node.is-current")
    expect(current).to_have_attribute("aria-current", "page")
    expect(current).to_have_attribute("href", "hub2020.html")
    # far2023, two steps away, is dashed.
    expect(page.locator("a.pn-node.is-distant")).to_have_count(sum(d > 1 for d in kept.values()))
    expect(page.locator("path.pn-edge")).to_have_count(
        sum(1 for k in kept for t in library.cites.get(k, ()) if t in kept)
    )
    group = page.get_by_role(
        "group", name=re.compile(r"^Papers within 2 steps of .* \(7 papers\)$")
    )
    expect(group).to_have_count(1)
    # The hostile title is text: the accessible name, not markup.
    evil = page.get_by_role("link", name=f"{EVIL} ({library.labels[CiteKey('evil2019')]})")
    expect(evil).to_have_count(1)
    expect(page.locator("svg.pn-graph b")).to_have_count(0)
    evil.focus()  # brought into view by graph.js, then followed like any link
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/evil2019.html")
    expect(page.locator("h1")).to_contain_text("Tricky")


def test_the_neighbourhood_is_reachable_by_keyboard(
    page: Page, built: tuple[Path, Library]
) -> None:
    site, _ = built
    open_paper(page, site, "late2022")
    page.locator("[data-pn-graph] svg").focus()
    page.keyboard.press("Tab")
    focused = page.locator("a.pn-node:focus")
    expect(focused).to_have_count(1)
    expect(focused).to_have_class(re.compile(r"\bis-hl\b"))
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    href = focused.get_attribute("href")
    assert href is not None and href.endswith(".html")
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/" + href)


def test_a_paper_with_no_links_has_no_graph_section(
    page: Page, built: tuple[Path, Library]
) -> None:
    site, _ = built
    page.goto((site / urls.paper_page("lone2021")).as_uri())
    expect(page.locator("section.graph-local")).to_have_count(0)
    expect(page.locator("[data-pn-graph]")).to_have_count(0)


WATCH = """
window.seen = {data: []};
addEventListener("load", () => { window.seen.load = performance.now(); });
new MutationObserver(changes => {
  for (const c of changes) for (const n of c.addedNodes)
    if (n.src && n.src.endsWith("graph-data.js")) window.seen.data.push(performance.now());
}).observe(document, {childList: true, subtree: true});
"""
"""Records when the page loaded and when a script loading graph-data.js was added."""


def test_graph_data_is_loaded_after_the_page_or_when_the_section_nears_the_screen(
    page: Page, built: tuple[Path, Library], tmp_path: Path
) -> None:
    _, library = built
    site = write_pages(library, ["hub2020"], tmp_path / "site", above="<p style='height:6000px'>")
    page.add_init_script(WATCH)
    page.goto((site / urls.paper_page("hub2020")).as_uri())
    # Far below the screen, the graph still waits for the page's load event (then idle).
    page.wait_for_function("() => window.PAPERNOTES_GRAPH")
    seen = page.evaluate("() => window.seen")
    assert len(seen["data"]) == 1 and seen["data"][0] >= seen["load"]
    open_paper(page, site, "hub2020")
    assert page.evaluate("() => window.PAPERNOTES_GRAPH.nodes.length") == len(NOTES)
    assert len(page.evaluate("() => window.seen.data")) == 1  # loaded once


def test_the_global_graph_filters_by_tag_year_and_citations(
    page: Page, built: tuple[Path, Library]
) -> None:
    site, library = built
    page.goto((site / "graph.html").as_uri())
    nodes = page.locator("svg.pn-graph a.pn-node")
    expect(nodes).to_have_count(len(NOTES))
    page.get_by_label("Tag").select_option(label="rl")
    expect(nodes).to_have_count(2)
    expect(page.locator("path.pn-edge")).to_have_count(1)  # far2023 → late2022
    page.get_by_label("Tag").select_option(label="all papers")
    page.get_by_label("From").fill("2019")
    page.get_by_label("to", exact=True).fill("2020")
    expect(nodes).to_have_count(3)  # evil2019, mid2019, hub2020
    page.get_by_label("From").fill("")
    page.get_by_label("to", exact=True).fill("")
    page.get_by_label("Cited at least").fill("2")
    cited = {k for k in library.notes if len(library.cited_by.get(k, ())) >= 2}
    expect(nodes).to_have_count(len(cited))
    page.get_by_label("Cited at least").fill("0")
    page.get_by_label("Show at most").fill("2")
    expect(nodes).to_have_count(2)  # the two most cited
    hrefs = sorted(nodes.evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    assert hrefs == ["papers/base2017.html", "papers/deep2018.html"]
    expect(page.locator(".pn-graph-status")).to_have_text(
        f"Showing the 2 most cited of {len(NOTES)} papers that match; "
        "narrow the filter to see the rest."
    )


def test_graph_html_does_not_grow_with_the_library(built: tuple[Path, Library]) -> None:
    site, library = built
    html = (site / "graph.html").read_text(encoding="utf-8")
    assert "<svg" not in html and "hub2020" not in html  # no paper is listed on the page
    assert 'src="static/graph-data.js"' in html
    data = (site / "static" / "graph-data.js").read_text(encoding="utf-8")
    assert "</script" not in data and "<b>" not in data
    value = json.loads(data[data.index("=") + 1 : -2])
    assert EVIL in [n[2] for n in value["nodes"]]
    assert len(value["nodes"]) == len(library.notes)


# --- the same rules as Python, on a library where the cap of 60 bites ---------------------


def write_pages(library: Library, keys: list[str], out: Path, *, above: str = "") -> Path:
    """graph-data.js, the real scripts and styles, and a bare page per key with a placeholder
    like _graph_local.html's."""
    (out / "static").mkdir(parents=True)
    (out / "papers").mkdir()
    for name in ("style.css", "graph.js", "graph.css"):
        shutil.copy(REPO / "templates" / "static" / name, out / "static" / name)
    data = graph_data_js(graph_data(library, graph.tag_palette(library)))
    (out / "static" / "graph-data.js").write_text(data, "utf-8")
    for key in keys:
        (out / urls.paper_page(key)).write_text(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f'<link rel="stylesheet" href="../static/style.css"></head><body>{above}'
            f'<section class="graph-local" hidden data-pn-local><h2>Graph</h2><div '
            f'class="pn-graph-frame" data-pn-graph data-key="{key}" data-root="../" data-papers="" '
            'data-graph-data="../static/graph-data.js" data-graph-css="../static/graph.css" '
            'data-max-vh="60" data-min-fit="0.7"></div>'
            '<script src="../static/graph.js" defer></script></section></body></html>',
            "utf-8",
        )
    return out


def test_hubs_capped_at_sixty_match_python_node_for_node(page: Page, tmp_path: Path) -> None:
    library = synthetic(400, seed=7)
    cited = sorted(library.notes, key=lambda k: -len(library.cited_by.get(k, ())))
    keys = [*cited[:4], *list(library.notes)[::97]]
    site = write_pages(library, keys, tmp_path / "site")
    capped, times = 0, []
    for key in keys:
        kept, total = graph.neighbourhood(library, CiteKey(key))
        if len(kept) < 2:  # no links: graph.js leaves the section hidden, as Python draws ""
            page.goto((site / urls.paper_page(key)).as_uri())
            page.wait_for_function("() => window.PAPERNOTES_GRAPH")
            expect(page.locator("section.graph-local")).to_be_hidden()
            continue
        capped += total > len(kept)
        times.append(open_paper(page, site, key))
        py = graph.neighbourhood_svg(library, key, urls.paper_page(key), css="")
        assert_same_drawing(drawn(page), positions(py))
        if total > len(kept):
            expect(page.locator(".pn-note")).to_have_text(
                f"showing the nearest {len(kept)} of {total} papers"
            )
    assert capped >= 4  # the hubs
    times.sort()
    print(
        f"\n{len(times)} neighbourhoods (≤60 of 400 papers) loaded and drawn in "
        f"{times[len(times) // 2] * 1000:.0f} ms median, {times[-1] * 1000:.0f} ms at most"
    )


def test_an_undated_paper_and_a_key_with_odd_characters(page: Page, tmp_path: Path) -> None:
    library = library_of(
        paper("Odd:Key.1", 2020, ["plain"]),
        paper("plain", 2019),
        ("papers/undated.md", "---\nid: undated\ntitle: U\nauthors: [A B]\nyear:\n---\n"),
        paper("cites-undated", 2021, ["undated", "Odd:Key.1"]),
    )
    site = write_pages(library, list(library.notes), tmp_path / "site")
    open_paper(page, site, "cites-undated")
    py = graph.neighbourhood_svg(library, "cites-undated", urls.paper_page("cites-undated"), css="")
    assert_same_drawing(drawn(page), positions(py))
    expect(page.locator(".pn-years text", has_text="n.d.")).to_have_count(1)
    page.locator(
        f'a.pn-node[href="{urls.relative("papers/x.html", urls.paper_page("Odd:Key.1"))}"]'
    ).click()
    page.wait_for_url("**/" + urls.paper_page("Odd:Key.1"))

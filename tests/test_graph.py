"""The citation graph: layout properties, neighbourhoods, tag colours, escaping, size at scale."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import jinja2
import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes import urls
from papernotes.config import load_config
from papernotes.graph import data as graph
from papernotes.graph.layout import GEOMETRY, Geometry, choose_rows, layout
from papernotes.graph.svg import PALETTE_SIZE, edge_path, fit_text, text_width
from papernotes.link import link
from papernotes.markdown.factory import make_parser
from papernotes.model import CiteKey, Library
from papernotes.parse import parse_notes

from conftest import REPO, library_at

MD = make_parser()
GRAPH_CSS = (REPO / "templates" / "static" / "graph.css").read_text(encoding="utf-8")
CSS = graph.inline_css(GRAPH_CSS)
"""The bundled stylesheet as every graph SVG inlines it."""
PALETTE = re.findall(r"^\.pn-c(\d+) \{ --pn-c: (#[0-9a-f]{6}); \}$", GRAPH_CSS, re.M)
"""graph.css's tag colours: (index, hue)."""
HUES = [hue for _, hue in PALETTE]

# --- building small libraries ------------------------------------------------------------


def paper(
    key: str,
    year: int,
    cites: Sequence[str] = (),
    *,
    tags: Sequence[str] = (),
    title: str | None = None,
    author: str = "Ada Smith",
) -> tuple[str, str]:
    """A note file's path and text; JSON strings are valid YAML, so any title survives."""
    lines = [
        "---",
        f"id: {key}",
        f"title: {json.dumps(title or f'Paper {key}')}",
        f"authors: [{json.dumps(author)}]",
        f"year: {year}",
    ]
    if tags:
        lines.append(f"tags: {json.dumps(list(tags))}")
    if cites:
        lines.append(f"cites: {json.dumps(list(cites))}")
    return f"papers/{key}.md", "\n".join([*lines, "---", "Body.", ""])


def library_of(*notes: tuple[str, str]) -> Library:
    parsed, diags = parse_notes(notes, MD)
    assert diags == ()
    library, diags = link(parsed, frozenset(), "papers")
    assert [d for d in diags if d.severity.name == "ERROR"] == []
    return library


def synthetic(n: int, seed: int = 1) -> Library:
    """A library like benchmarks/generate.py's: 10 years, 0–8 citations of earlier papers,
    three of 30 tags each."""
    rng = random.Random(seed)
    tags = [f"topic-{i:02d}" for i in range(30)]
    keys = [f"p{i:04d}" for i in range(n)]
    return library_of(
        *(
            paper(
                keys[i],
                2015 + i % 10,
                rng.sample(keys[:i], min(i, rng.randint(0, 8))),
                tags=rng.sample(tags, 3),
                author=f"Author{i % 37} Family{i % 53}",
            )
            for i in range(n)
        )
    )


@pytest.fixture(scope="module")
def bundled() -> Library:
    library, _ = library_at(REPO)
    return library


def soup_of(svg: str) -> BeautifulSoup:
    return BeautifulSoup(svg, "html.parser")


def nodes_of(svg: str) -> list[Tag]:
    return soup_of(svg).select("a.pn-node")


def translate(node: Tag) -> tuple[float, float]:
    m = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", str(node["transform"]))
    assert m is not None
    return float(m[1]), float(m[2])


def key_of(node: Tag, page_path: str) -> str:
    """The citekey a node links to, from its relative href."""
    href = str(node["href"])
    for prefix in ("papers/", ""):
        if href.startswith(prefix) and href.endswith(".html"):
            slug = href[len(prefix) : -5]
            return re.sub(r"~([0-9a-f]{2})", lambda m: chr(int(m[1], 16)), slug)
    raise AssertionError(href)


# --- layout ------------------------------------------------------------------------------

LAYOUT_CASES = {
    "one year": [2020, 2020, 2020],
    "consecutive years": [2017, 2018, 2019, 2020],
    "gap of decades": [1950, 2020, 2021, 1950],
    "unsorted input": [2023, 2017, 2020, 2017, 2023, 2019],
    "crowded year wraps": [2020] * 120 + [2021] * 5 + [2022] * 3,
    "many years": [2000 + i % 25 for i in range(300)],
}


@pytest.mark.parametrize("years", LAYOUT_CASES.values(), ids=LAYOUT_CASES.keys())
def test_x_is_monotone_in_year_and_nodes_never_overlap(years: list[int]) -> None:
    rng = random.Random(3)
    edges = [(a, b) for a in range(len(years)) for b in range(a) if rng.random() < 0.05]
    lay = layout(years, edges)
    # Every paper of an earlier year lies left of every paper of a later one.
    for early in set(years):
        for late in set(years):
            if early < late:
                right_edge = max(p.x for p, y in zip(lay.points, years, strict=True) if y == early)
                left_edge = min(p.x for p, y in zip(lay.points, years, strict=True) if y == late)
                assert right_edge + GEOMETRY.node_w <= left_edge
    seen = {(round(p.x), round(p.y)) for p in lay.points}
    assert len(seen) == len(years)
    for p in lay.points:
        assert GEOMETRY.node_w / 2 <= p.x <= lay.width - GEOMETRY.node_w / 2 + 1e-9
        assert 0 < p.y < lay.height
    assert [c.year for c in lay.columns] == sorted(set(years))
    assert sum(c.count for c in lay.columns) == len(years)


@given(
    st.lists(st.integers(1990, 2030), max_size=60),
    st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=120),
)
@settings(max_examples=60, deadline=None)
def test_layout_properties_hold_for_any_library(
    years: list[int], pairs: list[tuple[int, int]]
) -> None:
    edges = [(a, b) for a, b in pairs if a < len(years) and b < len(years)]
    lay = layout(years, edges)
    assert len(lay.points) == len(years)
    assert layout(years, edges) == lay  # deterministic
    for (p, a), (q, b) in itertools.combinations(zip(lay.points, years, strict=True), 2):
        if a < b:
            assert p.x < q.x
        assert (abs(p.x - q.x) >= GEOMETRY.node_w) or (abs(p.y - q.y) >= GEOMETRY.row_pitch)


def test_years_without_papers_are_compressed_but_visible() -> None:
    lay = layout([2000, 2001, 2030], [])
    first, second, third = lay.columns
    step = second.x0 - first.x1
    jump = third.x0 - second.x1
    assert step == GEOMETRY.year_gap
    assert jump == GEOMETRY.year_gap + GEOMETRY.skipped_years_gap  # not 29 empty columns


@pytest.mark.parametrize(
    ("counts", "wraps"),
    [([3, 8, 5], False), ([100] * 10, True), ([400, 2], True), ([1], False)],
)
def test_a_crowded_year_wraps_into_subcolumns_for_a_screen_shaped_layout(
    counts: list[int], wraps: bool
) -> None:
    years = [2000 + i for i in range(len(counts))]
    rows = choose_rows(years, counts)
    assert (rows < max(counts)) is wraps
    flat = [y for y, c in zip(years, counts, strict=True) for _ in range(c)]
    lay = layout(flat, [])
    if wraps:
        assert 0.5 < (lay.width / lay.height) / GEOMETRY.aspect < 2


def crossings(points: Sequence[tuple[float, float]], edges: Sequence[tuple[int, int]]) -> int:
    """Pairs of straight edges that cross (edges sharing a node never count)."""
    count = 0
    for i, (a, b) in enumerate(edges):
        for c, d in edges[i + 1 :]:
            if {a, b} & {c, d}:
                continue
            (ax, ay), (bx, by) = points[a], points[b]
            (cx, cy), (dx, dy) = points[c], points[d]

            def side(px: float, py: float, qx: float, qy: float, rx: float, ry: float) -> float:
                return (qx - px) * (ry - py) - (qy - py) * (rx - px)

            if (
                side(ax, ay, bx, by, cx, cy) * side(ax, ay, bx, by, dx, dy) < 0
                and side(cx, cy, dx, dy, ax, ay) * side(cx, cy, dx, dy, bx, by) < 0
            ):
                count += 1
    return count


def test_barycentric_sweeps_untangle_crossed_citations() -> None:
    # Input order puts each 2021 paper opposite the 2020 paper it cites: all pairs cross.
    years = [2020, 2020, 2020, 2021, 2021, 2021]
    edges = [(3, 2), (4, 1), (5, 0)]
    unordered = layout(years, edges, sweeps=0)
    ordered = layout(years, edges)
    before = crossings([(p.x, p.y) for p in unordered.points], edges)
    after = crossings([(p.x, p.y) for p in ordered.points], edges)
    assert before == 3
    assert after == 0


def test_sweeps_reduce_crossings_on_a_random_citation_graph() -> None:
    rng = random.Random(7)
    years = [2015 + i // 8 for i in range(40)]
    edges = [
        (a, b)
        for a in range(40)
        for b in range(a)
        if years[b] == years[a] - 1 and rng.random() < 0.2
    ]
    before = crossings([(p.x, p.y) for p in layout(years, edges, sweeps=0).points], edges)
    after = crossings([(p.x, p.y) for p in layout(years, edges).points], edges)
    assert after < before * 0.7, (before, after)


HALF = GEOMETRY.node_w / 2


@pytest.mark.parametrize(
    ("source", "target", "starts", "ends"),
    [
        # A newer paper cites an older one: from its left side to the cited one's right side.
        ((300, 10), (100, 50), (300 - HALF, 10), (100 + HALF, 50)),
        # A paper citing a later one (a preprint's year, say): right side to left side.
        ((100, 10), (300, 50), (100 + HALF, 10), (300 - HALF, 50)),
        # Same column: out of the left side and back into the left side.
        ((100, 10), (100, 70), (100 - HALF, 10), (100 - HALF, 70)),
    ],
)
def test_edges_leave_the_citing_node_and_end_at_the_cited_one(
    source: tuple[float, float],
    target: tuple[float, float],
    starts: tuple[float, float],
    ends: tuple[float, float],
) -> None:
    from papernotes.graph.layout import Point

    d = edge_path(Point(*source), Point(*target))
    numbers = [float(x) for x in re.findall(r"-?[\d.]+", d)]
    assert d.startswith("M") and "C" in d
    assert tuple(numbers[:2]) == starts
    assert tuple(numbers[-2:]) == ends


# --- the SVG -----------------------------------------------------------------------------


def test_every_edge_is_drawn_from_citing_to_cited_with_an_arrowhead(bundled: Library) -> None:
    svg = graph.library_graph_svg(bundled, "graph.html", css=CSS)
    soup = soup_of(svg)
    nodes = soup.select("a.pn-node")
    keys = [key_of(n, "graph.html") for n in nodes]
    assert sorted(keys) == sorted(bundled.notes)
    drawn = set()
    half = GEOMETRY.node_w / 2
    for path in soup.select("path.pn-edge"):
        s, t = map(int, str(path["data-e"]).split())
        drawn.add((keys[s], keys[t]))
        numbers = [float(x) for x in re.findall(r"-?[\d.]+", str(path["d"]))]
        (sx, sy), (tx, ty) = translate(nodes[s]), translate(nodes[t])  # same group as edges
        assert numbers[1] == pytest.approx(sy, abs=0.05)
        assert numbers[-1] == pytest.approx(ty, abs=0.05)
        assert abs(numbers[0] - sx) == pytest.approx(half, abs=0.05)
        assert abs(numbers[-2] - tx) == pytest.approx(half, abs=0.05)
    expected = {(k, t) for k in bundled.notes for t in bundled.cites.get(k, ())}
    assert drawn == expected
    group = soup.select_one("g.pn-edges")
    assert group is not None and group["marker-end"] == "url(#pn-lib-arrow)"
    assert soup.select_one("marker#pn-lib-arrow") is not None


def test_node_x_follows_year_in_the_svg(bundled: Library) -> None:
    nodes = nodes_of(graph.library_graph_svg(bundled, "graph.html", css=CSS))
    by_year: dict[int, list[float]] = {}
    for n in nodes:
        by_year.setdefault(bundled.notes[CiteKey(key_of(n, ""))].meta.year, []).append(
            translate(n)[0]
        )
    years = sorted(by_year)
    for early, late in itertools.pairwise(years):
        assert max(by_year[early]) < min(by_year[late])


@pytest.mark.parametrize(
    ("page_path", "key", "href"),
    [
        ("graph.html", "hu2021lora", "papers/hu2021lora.html"),
        ("papers/vaswani2017attention.html", "hu2021lora", "hu2021lora.html"),
        ("deep/er/page.html", "hu2021lora", "../../papers/hu2021lora.html"),
    ],
)
def test_node_links_are_relative_to_the_embedding_page(
    bundled: Library, page_path: str, key: str, href: str
) -> None:
    hrefs = [str(n["href"]) for n in nodes_of(graph.library_graph_svg(bundled, page_path, css=CSS))]
    assert href in hrefs
    years = soup_of(graph.library_graph_svg(bundled, page_path, css=CSS)).select("a.pn-year")
    assert urls.relative(page_path, "years/2017.html") in [str(a["href"]) for a in years]


def test_output_is_deterministic_even_across_hash_seeds(bundled: Library) -> None:
    first = graph.library_graph_svg(bundled, "graph.html", css=CSS)
    assert first == graph.library_graph_svg(bundled, "graph.html", css=CSS)
    code = (
        "import hashlib, pathlib; from papernotes import read_library, load_config; from papernotes.graph import data as graph;"
        f"r = pathlib.Path({str(REPO)!r}); lib, _ = read_library(r, load_config(r)[0]);"
        "css = graph.inline_css((r / 'templates/static/graph.css').read_text('utf-8'));"
        "print(hashlib.sha256((graph.library_graph_svg(lib, 'graph.html', css=css) + "
        "graph.neighbourhood_svg(lib, 'brown2020language', 'papers/x.html', max_nodes=12, "
        "css=css)).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "12345")
    }
    local = graph.neighbourhood_svg(
        bundled, "brown2020language", "papers/x.html", max_nodes=12, css=CSS
    )
    assert digests == {hashlib.sha256((first + local).encode()).hexdigest()}


HOSTILE = "<script>alert('t')</script> & \"quoted\" 'single' </svg><img src=x onerror=alert(1)>\x07"


def test_hostile_titles_tags_and_keys_are_escaped() -> None:
    library = library_of(
        paper(
            "evil:key.1",
            2023,
            ["plain2020"],
            tags=["<i>tag</i>", "强化学习"],
            title=HOSTILE,
            author="José <b>García</b>",
        ),
        paper("plain2020", 2020, tags=["<i>tag</i>"], title="Plain & simple"),
    )
    for svg in (
        graph.library_graph_svg(library, "graph.html", css=CSS),
        graph.neighbourhood_svg(library, "evil:key.1", urls.paper_page("evil:key.1"), css=CSS),
    ):
        assert "<script" not in svg and "<img" not in svg and "<i>" not in svg and "<b>" not in svg
        assert "\x07" not in svg
        soup = soup_of(svg)
        assert soup.find("script") is None and soup.find("img") is None
        assert len(soup.find_all("svg")) == 1  # the title's </svg> did not end the drawing
        titles = [t.get_text() for t in soup.select("a.pn-node > title")]
        assert any(
            t.startswith("<script>alert('t')</script> & \"quoted\" 'single' </svg>") for t in titles
        )
        hrefs = [str(a["href"]) for a in soup.select("a.pn-node")]
        assert any(h.endswith("evil~3akey.1.html") for h in hrefs)
        names = json.loads(str(soup.find("svg")["data-tag-names"]))
        assert "<i>tag</i>" in names and "强化学习" in names
        legend = soup.select_one("g.pn-legend")
        assert legend is not None and "<i>tag</i> (2)" in legend.get_text()


@pytest.mark.parametrize(
    ("label", "year", "short"),
    [
        ("Hu et al., 2022", 2022, "Hu et al."),
        ("Li and Liang, 2021", 2021, "Li and Liang"),
        ("Liu et al., 2022b", 2022, "Liu et al. (b)"),
        ("杨植麟, 2023", 2023, "杨植麟"),
        ("OpenAI, 2022", 2021, "OpenAI, 2022"),  # year disagrees: keep the whole label
        ("No year here", 2020, "No year here"),
    ],
)
def test_short_labels_drop_the_year_the_column_shows(label: str, year: int, short: str) -> None:
    assert graph.short_label(label, year) == short


def test_long_labels_are_cut_to_fit_the_node() -> None:
    label = fit_text("Wolfeschlegelsteinhausenbergerdorff et al.", GEOMETRY.node_w - 12)
    assert label.endswith("…") and text_width(label) <= GEOMETRY.node_w - 12
    assert fit_text("Hu et al.", 100) == "Hu et al."
    assert text_width("注意力") > text_width("abc")  # wide characters count double


# --- neighbourhoods ----------------------------------------------------------------------


def chain_library() -> Library:
    """a ← b ← c ← d (each cites the previous), e cites b, f cites e, g is alone."""
    return library_of(
        paper("a", 2017),
        paper("b", 2018, ["a"]),
        paper("c", 2019, ["b"]),
        paper("d", 2020, ["c"]),
        paper("e", 2019, ["b"]),
        paper("f", 2021, ["e"]),
        paper("g", 2020),
    )


@pytest.mark.parametrize(
    ("key", "depth", "expected"),
    [
        ("b", 1, {"b": 0, "a": 1, "c": 1, "e": 1}),
        ("b", 2, {"b": 0, "a": 1, "c": 1, "e": 1, "d": 2, "f": 2}),
        ("a", 2, {"a": 0, "b": 1, "c": 2, "e": 2}),
        ("d", 2, {"d": 0, "c": 1, "b": 2}),
        ("g", 2, {"g": 0}),
    ],
)
def test_neighbourhood_is_exactly_the_papers_within_depth_steps(
    key: str, depth: int, expected: dict[str, int]
) -> None:
    kept, total = graph.neighbourhood(chain_library(), CiteKey(key), depth=depth)
    assert kept == expected
    assert total == len(expected)


def hub_library(direct: int, second: int) -> Library:
    """``hub`` cited by ``direct`` papers, each cited by ``second`` more."""
    notes = [paper("hub", 2015)]
    for i in range(direct):
        notes.append(paper(f"d{i:03d}", 2016 + i % 3, ["hub"]))
        notes.extend(paper(f"s{i:03d}x{j:02d}", 2020, [f"d{i:03d}"]) for j in range(second))
    return library_of(*notes)


def test_neighbourhood_cap_keeps_the_nearest_papers() -> None:
    library = hub_library(direct=10, second=10)
    kept, total = graph.neighbourhood(library, CiteKey("hub"), max_nodes=15)
    assert total == 1 + 10 + 100
    assert len(kept) == 15
    assert sum(d == 1 for d in kept.values()) == 10  # every direct link survives the cap
    assert sum(d == 2 for d in kept.values()) == 4


def test_neighbourhood_cap_on_a_hub_with_more_direct_links_than_room() -> None:
    library = hub_library(direct=100, second=0)
    kept, total = graph.neighbourhood(library, CiteKey("hub"), max_nodes=60)
    assert total == 101 and len(kept) == 60
    assert set(kept.values()) == {0, 1}
    svg = graph.neighbourhood_svg(library, "hub", "papers/hub.html", css=CSS)
    assert len(nodes_of(svg)) == 60
    assert "showing the nearest 60 of 101 papers" in soup_of(svg).get_text()


def test_neighbourhood_prefers_papers_linked_to_more_of_the_kept_ones() -> None:
    # x and y are both two steps from a; x is linked to both of a's neighbours, y to one.
    library = library_of(
        paper("a", 2018),
        paper("b", 2019, ["a"]),
        paper("c", 2019, ["a"]),
        paper("y", 2020, ["b"]),
        paper("x", 2021, ["b", "c"]),
    )
    kept, _ = graph.neighbourhood(library, CiteKey("a"), max_nodes=4)
    assert set(kept) == {"a", "b", "c", "x"}


def test_neighbourhood_svg_marks_the_current_paper_and_distances() -> None:
    library = chain_library()
    svg = graph.neighbourhood_svg(library, "b", "papers/b.html", css=CSS)
    nodes = nodes_of(svg)
    assert sorted(key_of(n, "papers/b.html") for n in nodes) == ["a", "b", "c", "d", "e", "f"]
    current = [n for n in nodes if "is-current" in n["class"]]
    assert len(current) == 1 and current[0]["aria-current"] == "page"
    assert current[0]["href"] == "b.html"
    distant = sorted(key_of(n, "") for n in nodes if "is-distant" in n["class"])
    assert distant == ["d", "f"]
    # Edges touching the current paper are the emphasised ones.
    direct = soup_of(svg).select("path.pn-edge.pn-direct")
    assert len(direct) == 3
    assert graph.neighbourhood_svg(library, "g", "papers/g.html", css=CSS) == ""


def test_neighbourhood_of_a_real_hub_stays_under_the_cap(bundled: Library) -> None:
    svg = graph.neighbourhood_svg(
        bundled, "brown2020language", "papers/x.html", max_nodes=12, css=CSS
    )
    assert len(nodes_of(svg)) == 12


# --- tag colours -------------------------------------------------------------------------


def test_tag_palette_covers_the_most_notes_with_few_colours() -> None:
    library = library_of(
        paper("a", 2020, tags=["llm", "rlhf"]),
        paper("b", 2020, tags=["llm", "rlhf"]),
        paper("c", 2020, tags=["llm", "peft"]),
        paper("d", 2020, tags=["vision"]),
        paper("e", 2020, tags=["Vision"]),
        paper("f", 2020),
    )
    palette = graph.tag_palette(library, size=2)
    # "rlhf" is on two notes like "vision", but adds nothing once "llm" has coloured them.
    assert palette.tags == ("llm", "vision")
    assert palette.names["vision"] == "vision"
    svg = graph.library_graph_svg(library, "graph.html", css=CSS)
    classes = {key_of(n, ""): n["class"] for n in nodes_of(svg)}
    assert "pn-c0" in classes["a"] and "pn-c1" in classes["e"]
    assert not any(c.startswith("pn-c") for c in classes["f"])
    legend = soup_of(svg).select_one("g.pn-legend")
    assert legend is not None
    assert "other tags (1)" in legend.get_text()
    plain = graph.library_graph_svg(library, "graph.html", color_by_tag=False, css=CSS)
    assert not any(re.search(r"\bpn-c\d", " ".join(n["class"])) for n in nodes_of(plain))
    assert soup_of(plain).select("g.pn-key") == []


def _luminance(hex_colour: str) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _mix(a: str, b: str, weight: float) -> str:
    """CSS color-mix(in srgb, a weight, b)."""
    return "#" + "".join(
        f"{round(weight * int(a[i : i + 2], 16) + (1 - weight) * int(b[i : i + 2], 16)):02x}"
        for i in (1, 3, 5)
    )


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_graph_css_gives_each_palette_colour_a_hue() -> None:
    assert [int(i) for i, _ in PALETTE] == list(range(PALETTE_SIZE))


@pytest.mark.parametrize(
    ("css", "inlined"),
    [
        (
            "/* why */\n.a  >  .b ,\n.c {\n  fill: red;\n  stroke: blue;\n}\n",
            ".a>.b,.c{fill:red;stroke:blue}",
        ),
        # Inside an SVG in HTML a <style>'s text is markup: "<" and "&" would start a tag or
        # an entity, so they are escaped (the same text then reads alike in XML).
        (
            '.a::after { content: "</style><b>&amp;" }',
            '.a::after{content:"&lt;/style>&lt;b>&amp;amp;"}',
        ),
        ("", ""),
    ],
)
def test_inline_css_drops_comments_and_spaces_and_escapes_markup(css: str, inlined: str) -> None:
    assert graph.inline_css(css) == inlined


def test_a_librarys_own_graph_css_styles_every_graph(tmp_path: Path, cli) -> None:
    for rel, text in (paper("a2020", 2020), paper("b2021", 2021, ["a2020"])):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    own = "/* mine */\n.pn-graph .pn-node rect { fill: hotpink; }\n"
    (tmp_path / "templates" / "static").mkdir(parents=True)
    (tmp_path / "templates" / "static" / "graph.css").write_text(own, encoding="utf-8")
    assert cli("build", "--root", str(tmp_path), "--no-cache").code == 0
    site = tmp_path / "site"
    # graph.html links it; graph.js adds it to a paper page when it draws the graph there.
    soup = soup_of((site / "graph.html").read_text(encoding="utf-8"))
    assert soup.find("link", rel="stylesheet", href="static/graph.css") is not None
    for page in ("papers/a2020.html", "papers/b2021.html"):
        frame = soup_of((site / page).read_text(encoding="utf-8")).select_one("[data-pn-graph]")
        assert frame is not None and frame["data-graph-css"] == "../static/graph.css", page
    assert (site / "static" / "graph.css").read_text(encoding="utf-8") == own


@pytest.mark.parametrize(
    ("bg", "fg"), [("#ffffff", "#1f2328"), ("#0d1117", "#e6edf3")], ids=["light", "dark"]
)
@pytest.mark.parametrize("hue", HUES)
def test_palette_contrast_in_light_and_dark_themes(hue: str, bg: str, fg: str) -> None:
    # The mixes below are the ones CSS uses; the theme colours are style.css's.
    assert "var(--pn-c,var(--pn-muted)) 22%,var(--pn-bg)" in CSS
    assert "var(--pn-c,var(--pn-muted)) 60%,var(--pn-fg)" in CSS
    fill, stroke = _mix(hue, bg, 0.22), _mix(hue, fg, 0.60)
    assert _contrast(fg, fill) >= 7  # label text on the node: WCAG AAA
    assert _contrast(stroke, bg) >= 3  # node outline on the page


# --- templates ---------------------------------------------------------------------------


def _env() -> jinja2.Environment:
    base = (
        "{% block title %}{% endblock %}|{% block head %}{% endblock %}|"
        "{% block main %}{% endblock %}|{% block scripts %}{% endblock %}"
    )
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.DictLoader({"base.html": base}), jinja2.FileSystemLoader(REPO / "templates")]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def test_templates_load_graph_data_and_graph_js(bundled: Library) -> None:
    page = "graph.html"
    html = (
        _env()
        .get_template("graph.html")
        .render(
            citations=95,
            library=bundled,
            site=load_config(REPO)[0],
            url=lambda target: urls.relative(page, target),
            page_path=page,
        )
    )
    soup = BeautifulSoup(html, "html.parser")
    frame = soup.select_one("[data-pn-graph][data-pn-global]")
    assert frame is not None and frame.find("svg") is None  # drawn by graph.js
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    assert scripts == ["static/graph-data.js", "static/graph.js"]
    nojs = soup.select_one("[data-pn-nojs]")
    assert nojs is not None and nojs.find("a", href="years/index.html") is not None
    assert f"{len(bundled.notes)} papers and 95 citations" in soup.get_text()

    page = urls.paper_page("hu2021lora")
    partial = _env().get_template("_graph_local.html")
    html = partial.render(graph_key="hu2021lora", url=lambda t: urls.relative(page, t))
    soup = BeautifulSoup(html, "html.parser")
    section = soup.select_one("section.graph-local[hidden]")  # shown by graph.js
    assert section is not None and section.find("svg") is None
    frame = section.select_one("[data-pn-graph]")
    assert frame is not None
    assert (frame["data-key"], frame["data-root"], frame["data-papers"]) == (
        "hu2021lora",
        "../",
        "",
    )
    assert frame["data-graph-data"] == "../static/graph-data.js"
    assert soup.find("script", src="../static/graph.js") is not None
    assert soup.find("a", href="../graph.html") is not None
    assert partial.render(graph_key="", url=str).strip() == ""


# --- scale -------------------------------------------------------------------------------


def test_a_thousand_papers_render_in_reasonable_time(
    record_property: pytest.RecordProperty, capsys: pytest.CaptureFixture[str]
) -> None:
    library = synthetic(1000)
    n_edges = sum(len(v) for v in library.cites.values())
    start = time.perf_counter()
    svg = graph.library_graph_svg(library, "graph.html", css=CSS)
    seconds = time.perf_counter() - start
    palette = graph.tag_palette(library)
    start = time.perf_counter()
    locals_ = [
        graph.neighbourhood_svg(library, k, urls.paper_page(k), palette=palette, css=CSS)
        for k in library.notes
    ]
    local_seconds = time.perf_counter() - start
    assert len(nodes_of(svg)) == 1000
    assert len(soup_of(svg).select("path.pn-edge")) == n_edges
    assert max(len(nodes_of(s)) for s in locals_[:50]) <= 60
    record_property("svg_bytes", len(svg))
    record_property("library_graph_seconds", round(seconds, 3))
    record_property("all_neighbourhoods_seconds", round(local_seconds, 3))
    with capsys.disabled():
        print(
            f"\n1,000 papers, {n_edges} citations: library graph {len(svg) / 1024:.0f} KiB in "
            f"{seconds:.3f} s; 1,000 neighbourhood graphs in {local_seconds:.2f} s "
            f"(mean {sum(map(len, locals_)) / len(locals_) / 1024:.0f} KiB)"
        )
    root = soup_of(svg).find("svg")
    assert root is not None and "pn-big" in root["class"]
    width = float(str(root["width"]))
    height = float(str(root["height"]))
    assert width < 3 * height  # wrapped into a screen-shaped picture, not a 10-column strip


def test_empty_and_tiny_libraries_still_draw() -> None:
    empty = library_of()
    svg = graph.library_graph_svg(empty, "graph.html", css=CSS)
    assert nodes_of(svg) == [] and soup_of(svg).find("svg") is not None
    assert "0 papers" in soup_of(svg).get_text()
    assert layout([], []).points == ()
    one = library_of(paper("solo", 2020))
    assert len(nodes_of(graph.library_graph_svg(one, "graph.html", css=CSS))) == 1
    assert graph.neighbourhood_svg(one, "solo", "papers/solo.html", css=CSS) == ""


def test_layout_geometry_is_configurable() -> None:
    small = Geometry(node_w=80, row_pitch=24)
    lay = layout([2020, 2021], [(1, 0)], small)
    assert lay.points[1].x - lay.points[0].x == 80 + small.year_gap

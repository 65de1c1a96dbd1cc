"""A laid-out citation graph as inline SVG markup: escaped, deterministic, styled by CSS.

The SVG is meant to sit inside an HTML page, so colours come from CSS classes and the page's
theme variables, with fallbacks for a standalone file; dark mode needs no second drawing. The
stylesheet is the theme's ``static/graph.css``, passed in as text and inlined in every SVG, so
a drawing is complete wherever it is embedded. It works with no JavaScript: every node is a
link and the picture has its natural size. ``graph.js`` adds pan/zoom on top by transforming
the ``pn-vp`` group and moving the year labels, which is why those carry their x as data.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from papernotes.cjk import is_wide
from papernotes.graph.data import PALETTE_SIZE, UNDATED  # defined there: data draws lazily
from papernotes.graph.layout import GEOMETRY, Geometry, Layout, Point
from papernotes.model import NO_DATE

__all__ = [
    "PALETTE_SIZE",
    "UNDATED",
    "DrawNode",
    "Drawing",
    "LegendEntry",
    "edge_path",
    "fit_text",
    "inline_css",
    "render_svg",
    "text_width",
]

MARGIN = 16
"""Space around the drawing, in user units."""
LEGEND_ROW = 22
YEAR_ROW = 26
LABEL_SIZE = 11
"""Node label font size (px); graph.css must agree."""
BIG = 150
"""Above this many nodes, edges are drawn fainter: hundreds of lines otherwise read as a blur."""


@dataclass(frozen=True, slots=True)
class DrawNode:
    """One paper as drawn."""

    href: str
    """Link to its page, relative to the page the SVG is embedded in."""
    label: str
    """Text inside the node, fitted and distinct from its neighbours' ("Hu et al. 2021")."""
    tooltip: str
    """Full title and label; the link's accessible name."""
    year: int
    """Its column: the year, or :data:`UNDATED` for a paper with none."""
    colour: int | None
    """Palette index of its tag colour, or None for the neutral colour."""
    tags: tuple[int, ...]
    """Indices into ``Drawing.tag_names``, for graph.js's tag filter."""
    current: bool = False
    """The paper whose page this is."""
    distant: bool = False
    """More than one step from the current paper."""
    whole: str = ""
    """The label uncut ("Dettmers et al. 2023"), for graph.js's tip; "" to show the title only."""
    short: str = ""
    """The short title graph.js's tip shows ("LoRA"); "" for the full one, from ``<title>``."""


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """A colour and what it means."""

    colour: int | None
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Drawing:
    """Everything the SVG shows, already chosen and labelled; no library lookups left."""

    id_prefix: str
    """Prefix of every id in the SVG, unique within the page ("pn-lib")."""
    title: str
    """Accessible name of the whole graph."""
    description: str
    nodes: tuple[DrawNode, ...]
    edges: tuple[tuple[int, int], ...]
    """(citing, cited) node indices."""
    legend: tuple[LegendEntry, ...]
    tag_names: tuple[str, ...]
    """Every tag on a drawn node, most common first."""
    year_hrefs: Mapping[int, str]
    """Link of each year's page, relative to the embedding page."""
    note: str = ""
    """A remark shown after the legend ("60 of 143 papers shown")."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _esc(text: str) -> str:
    """Text safe in HTML and XML alike: escaped, and without control characters XML forbids."""
    return html.escape(_CONTROL.sub("", text), quote=True)


def _json_attr(value: object) -> str:
    """JSON for a single-quoted attribute: its double quotes stay as they are (a third of the
    bytes of ``&quot;``), while ``'``, ``&`` and ``<`` are escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return html.escape(_CONTROL.sub("", text), quote=False).replace("'", "&#x27;")


def _num(x: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros: small, stable output."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def inline_css(css: str) -> str:
    """A stylesheet as inlined in each SVG: without comments and layout whitespace, since it is
    repeated on every page, and with ``&`` and ``<`` escaped, since inside an SVG in HTML (and
    in XML) a ``<style>`` element's text is markup, not raw text."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r" ?([{};,>]) ?", r"\1", css).replace(";}", "}").replace(": ", ":")
    return css.strip().replace("&", "&amp;").replace("<", "&lt;")


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """Estimated rendered width in px; a system sans font, no measuring at build time."""
    width = 0.0
    for ch in text:
        if is_wide(ch):
            width += 1.0
        elif ch.isupper() or ch in "mwMW@%":
            width += 0.68
        elif ch in " .,:;'!|iIl()[]":
            width += 0.3
        else:
            width += 0.55
    return width * size


def fit_text(text: str, max_width: float, size: float = LABEL_SIZE) -> str:
    """``text``, cut with an ellipsis where it would overflow ``max_width``."""
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def edge_path(source: Point, target: Point, g: Geometry = GEOMETRY) -> str:
    """A curve from the citing node's side to the cited node's facing side.

    Older papers sit to the left, so most citations leave a node's left side and enter the
    cited node's right side. Within one column (papers of the same year) the curve bulges
    out to the left and enters from the left.
    """
    half = g.node_w / 2
    if abs(source.x - target.x) < 1:
        sx, tx = source.x - half, target.x - half
        bulge = min(g.year_gap * 0.8, 12 + 0.15 * abs(source.y - target.y))
        c1, c2 = sx - bulge, tx - bulge
    else:
        direction = -1 if source.x > target.x else 1
        sx, tx = source.x + direction * half, target.x - direction * half
        pull = max(14.0, abs(tx - sx) * 0.45)
        c1, c2 = sx + direction * pull, tx - direction * pull
    sy, ty = source.y, target.y
    return (
        f"M{_num(sx)} {_num(sy)}C{_num(c1)} {_num(sy)} {_num(c2)} {_num(ty)} {_num(tx)} {_num(ty)}"
    )


def _legend(drawing: Drawing, width: float) -> tuple[list[str], float]:
    """Legend entries wrapped into rows no wider than ``width``; markup and height."""
    items: list[tuple[str, str, float]] = []  # (class, inner markup, width)
    for entry in drawing.legend:
        text = f"{entry.name} ({entry.count})"
        cls = "pn-key" if entry.colour is None else f"pn-key pn-c{entry.colour}"
        swatch = '<rect x="0" y="-5" width="16" height="10" rx="5"/>'
        inner = f'{swatch}<text x="21" dy=".35em">{_esc(text)}</text>'
        items.append((cls, inner, 21 + text_width(text, 12) + 16))
    if drawing.note:
        inner = f'<text class="pn-note" dy=".35em">{_esc(drawing.note)}</text>'
        items.append(("pn-key", inner, text_width(drawing.note, 12) + 16))
    out: list[str] = []
    x, row = 0.0, 0
    for cls, inner, w in items:
        if x and x + w > width:
            x, row = 0.0, row + 1
        y = MARGIN / 2 + row * LEGEND_ROW + LEGEND_ROW / 2
        out.append(
            f'<g class="{cls}" transform="translate({_num(MARGIN + x)},{_num(y)})">{inner}</g>'
        )
        x += w
    return out, (row + 1) * LEGEND_ROW if items else 0


def render_svg(drawing: Drawing, lay: Layout, g: Geometry = GEOMETRY, *, css: str) -> str:
    """The drawing as an ``<svg>`` element, every piece of note text escaped, with ``css`` (from
    :func:`inline_css`) as its stylesheet."""
    p = _esc(drawing.id_prefix)
    width = max(lay.width + 2 * MARGIN, 320)
    legend, legend_h = _legend(drawing, width - 2 * MARGIN)
    top = MARGIN / 2 + legend_h + YEAR_ROW
    height = top + lay.height + MARGIN
    ox = (width - lay.width) / 2
    # Nodes go into the document by column, then top to bottom, so Tab and a screen reader
    # walk the papers in time order; edges and graph.js refer to nodes by this position.
    order = sorted(range(len(drawing.nodes)), key=lambda i: (lay.points[i].x, lay.points[i].y))
    rank = {v: i for i, v in enumerate(order)}
    current = next((rank[i] for i, n in enumerate(drawing.nodes) if n.current), None)
    big = " pn-big" if len(drawing.nodes) > BIG else ""
    attrs = [
        f'xmlns="http://www.w3.org/2000/svg" class="pn-graph{big}" id="{p}"',
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}"',
        f'role="group" aria-labelledby="{p}-title" aria-describedby="{p}-desc"',
        # Where graph.js finds the drawing's parts: header height, content offset, row sizes.
        f'data-top="{_num(top)}" data-ox="{_num(ox)}" data-margin="{MARGIN}" '
        f'data-rows="{LEGEND_ROW} {YEAR_ROW}"',
        f"data-tag-names='{_json_attr(drawing.tag_names)}'",
        *([f'data-current="{current}"'] if current is not None else []),
    ]
    return "".join(
        [
            f"<svg {' '.join(attrs)}>",
            f'<title id="{p}-title">{_esc(drawing.title)}</title>',
            f'<desc id="{p}-desc">{_esc(drawing.description)}</desc>',
            f"<style>{css}{_marker_css(p)}</style>",
            _markers(p),
            f'<g class="pn-vp" transform="translate({_num(ox)},{_num(top)})">',
            *_year_bands(lay, g),
            f'<g class="pn-edges" marker-end="url(#{p}-arrow)">',
            *_edges(drawing, lay, g, rank, current),
            '</g><g class="pn-nodes">',
            *(_node(drawing.nodes[i], lay.points[i], g) for i in order),
            "</g></g>",
            f'<g class="pn-head"><rect class="pn-band" width="100%" height="{_num(top)}"/>',
            f'<g class="pn-legend">{"".join(legend)}</g>',
            f'<g class="pn-years">{"".join(_year_labels(drawing, lay, ox, top))}</g>',
            "</g></svg>",
        ]
    )


def _markers(p: str) -> str:
    """Arrowheads, plain and highlighted; sized in user units so thick edges keep small tips."""
    return (
        "<defs>"
        + "".join(
            f'<marker id="{p}-{name}" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" '
            f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path class="pn-{name}" d="M0 0L8 4L0 8z"/></marker>'
            for name in ("arrow", "arrow-hl")
        )
        + "</defs>"
    )


def _year_bands(lay: Layout, g: Geometry) -> list[str]:
    """A faint band behind every other year, so a year wrapped into sub-columns reads as one."""
    return [
        f'<rect class="pn-yband" x="{_num(col.x0 - g.year_gap / 2)}" y="-10" '
        f'width="{_num(col.x1 - col.x0 + g.year_gap)}" height="{_num(lay.height + 20)}"/>'
        for col in lay.columns[1::2]
    ]


def _edges(
    drawing: Drawing, lay: Layout, g: Geometry, rank: Mapping[int, int], current: int | None
) -> list[str]:
    out = []
    for s, t in drawing.edges:
        cls = "pn-edge pn-direct" if current in (rank[s], rank[t]) else "pn-edge"
        d = edge_path(lay.points[s], lay.points[t], g)
        out.append(f'<path class="{cls}" d="{d}" data-e="{rank[s]} {rank[t]}"/>')
    return out


def _node(node: DrawNode, at: Point, g: Geometry) -> str:
    """One paper: a link around a pill and its label, the full title as tooltip and name."""
    classes = ["pn-node"]
    if node.colour is not None:
        classes.append(f"pn-c{node.colour}")
    if node.current:
        classes.append("is-current")
    if node.distant:
        classes.append("is-distant")
    hw, hh = _num(g.node_w / 2), _num(g.node_h / 2)
    aria = ' aria-current="page"' if node.current else ""
    label = fit_text(node.label, g.node_w - 12)
    tip = f' data-label="{_esc(node.whole)}"' if node.whole else ""
    tip += f' data-short="{_esc(node.short)}"' if node.short else ""
    return (
        f'<a class="{" ".join(classes)}" href="{_esc(node.href)}"{aria} '
        f'transform="translate({_num(at.x)},{_num(at.y)})" '
        f'data-tags="{" ".join(map(str, node.tags))}"{tip}><title>{_esc(node.tooltip)}</title>'
        f'<rect x="-{hw}" y="-{hh}" width="{_num(g.node_w)}" height="{_num(g.node_h)}" '
        f'rx="{hh}"/><text dy=".35em">{_esc(label)}</text></a>'
    )


def _year_labels(drawing: Drawing, lay: Layout, ox: float, top: float) -> list[str]:
    """Each year over its column, linked to its page; ``data-x`` lets graph.js move it."""
    out = []
    y = _num(top - YEAR_ROW / 2)
    for col in lay.columns:
        href = drawing.year_hrefs.get(col.year)
        papers = f"{col.count} paper{'s' if col.count != 1 else ''}"
        papers += " with no date" if col.year == UNDATED else f" from {col.year}"
        shown = NO_DATE if col.year == UNDATED else str(col.year)
        text = (
            f'<text x="{_num(ox + col.centre)}" y="{y}" dy=".35em" '
            f'data-x="{_num(col.centre)}"><title>{papers}</title>{shown}</text>'
        )
        out.append(f'<a class="pn-year" href="{_esc(href)}">{text}</a>' if href else text)
    return out


def _marker_css(p: str) -> str:
    # Marker ids are per SVG (two graphs may share a page), so this rule cannot be static.
    return f".pn-graph .pn-edge.is-hl{{marker-end:url(#{p}-arrow-hl)}}"

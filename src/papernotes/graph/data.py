"""The citation graph as a picture: the whole library, or one paper's neighbourhood.

Edges are front-matter citations only (``Library.cites``), drawn from the citing paper to the
cited one. Inline mentions are not edges: a 2017 note may mention a 2023 paper, and drawing
that as an arrow would claim a citation that never happened. graph.js draws them apart, dashed
and hideable, between papers a drawing shows anyway (``payload``); they choose no paper and
move none, so the rules here stay those of citations. Nodes are placed by year
(graph_layout), with no force simulation, so a big graph costs nothing while idle, unlike the
global graph views readers of Quartz have asked to remove.

The site no longer embeds these drawings: it writes the graph once (``payload``) and
``static/graph.js`` draws in the browser with the same rules. :func:`neighbourhood` and the
SVG functions here are those rules in Python: the specification the browser tests hold
graph.js's drawings to, node for node.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from papernotes import urls
from papernotes.model import CiteKey, Library, Note

# The drawing modules (labels, layout, svg: ~9 ms to import) are imported by the functions
# that draw: a build that only needs the tag palette, as an edit of one note does, skips them.
if TYPE_CHECKING:
    from papernotes.graph.layout import Geometry
    from papernotes.graph.svg import DrawNode, LegendEntry

__all__ = [
    "PALETTE_SIZE",
    "UNDATED",
    "TagPalette",
    "inline_css",
    "library_graph_svg",
    "neighbourhood",
    "neighbourhood_svg",
    "short_label",
    "tag_palette",
]


PALETTE_SIZE = 8
"""Tag colours available (graph.css's ``.pn-c0`` … ``.pn-c7``); more would no longer be told
apart, by anyone."""

UNDATED = 10_000
"""The column of papers with no year: after every year a note can hold (1000–9999)."""


def inline_css(css: str) -> str:
    """:func:`papernotes.graph.svg.inline_css`, loaded on first use."""
    from papernotes.graph.svg import inline_css as inline

    return inline(css)


class TagPalette(NamedTuple):
    """Which tags get a colour: the same on every page, so a colour keeps its meaning."""

    tags: tuple[str, ...]
    """Case-folded tags, in colour order (index = palette colour)."""
    names: Mapping[str, str]
    """Case-folded tag → the spelling shown (the first one met in library order)."""

    def colour(self, note: Note) -> int | None:
        """The colour of the first of the note's tags, as written, that has one."""
        for tag in note.meta.tags:
            folded = tag.casefold()
            if folded in self.tags:
                return self.tags.index(folded)
        return None


def tag_palette(library: Library, size: int = PALETTE_SIZE) -> TagPalette:
    """Up to ``size`` tags that between them colour as many notes as possible.

    Greedy set cover: each round takes the tag on most notes not yet coloured (ties: on more
    notes overall, then alphabetical). Taking simply the most common tags would spend colours
    on overlapping ones ("llm" and "transformer" on the same notes) and leave whole topics grey.
    """
    names: dict[str, str] = {}
    notes_of: dict[str, set[CiteKey]] = {}
    for key, note in library.notes.items():
        for tag in note.meta.tags:
            names.setdefault(tag.casefold(), tag)
            notes_of.setdefault(tag.casefold(), set()).add(key)
    chosen: list[str] = []
    covered: set[CiteKey] = set()
    while len(chosen) < size:
        left = [t for t in notes_of if t not in chosen and notes_of[t] - covered]
        if not left:
            break
        best = min(left, key=lambda t: (-len(notes_of[t] - covered), -len(notes_of[t]), t))
        chosen.append(best)
        covered |= notes_of[best]
    return TagPalette(tuple(chosen), names)


def neighbourhood(
    library: Library,
    key: CiteKey,
    *,
    depth: int = 2,
    max_nodes: int = 60,
    order: Mapping[CiteKey, int] | None = None,
) -> tuple[dict[CiteKey, int], int]:
    """The papers within ``depth`` citation steps of ``key`` (either direction), nearest kept.

    Returns the kept papers with their distance (``key`` itself at 0) and how many papers are
    within reach in all. Breadth first, a ring at a time; when a ring does not fit under
    ``max_nodes``, the papers with most links into the rings already kept go first, then the
    ones closest in year to ``key``, then library order. So a hub paper's picture keeps its
    direct citations and the papers most entangled with them.
    """
    # Library order of every note; a caller asking for many neighbourhoods passes it in.
    order = order if order is not None else {k: i for i, k in enumerate(library.notes)}

    def linked(k: CiteKey) -> tuple[CiteKey, ...]:
        return (*library.cites.get(k, ()), *library.cited_by.get(k, ()))

    year = _column(library.notes[key].meta.year)
    dist: dict[CiteKey, int] = {key: 0}
    ring = [key]
    total = 1
    kept: dict[CiteKey, int] = {key: 0}
    for step in range(1, depth + 1):
        found = dict.fromkeys(n for k in ring for n in linked(k) if n not in dist)
        for k in found:
            dist[k] = step
        total += len(found)
        room = max_nodes - len(kept)
        if room > 0:

            def rank(k: CiteKey) -> tuple[int, int, int]:
                inward = sum(1 for n in linked(k) if n in kept)
                return (-inward, abs(_column(library.notes[k].meta.year) - year), order[k])

            for k in sorted(found, key=rank)[:room]:
                kept[k] = step
        ring = list(found)
    return kept, total


_LABEL_YEAR = re.compile(r"^(?P<who>.+?),?\s+(?P<year>\d{4})(?P<suffix>[a-z]*)$")


def _column(year: int | None) -> int:
    return UNDATED if year is None else year


def short_label(label: str, year: int | None) -> str:
    """The author–year label without the year its column shows: the compact form for a
    caller that draws the year beside it. Graph nodes no longer use it: their labels keep the
    year, see :func:`papernotes.graph.labels.distinct_labels`.

    "Hu et al., 2022" → "Hu et al."; "Liu et al., 2022b" → "Liu et al. (b)", since the
    suffix is what tells two such papers apart. Anything else is kept whole.
    """
    m = _LABEL_YEAR.match(label)
    if m is None or year is None or int(m["year"]) != year:
        return label
    return f"{m['who']} ({m['suffix']})" if m["suffix"] else m["who"]


def _graph_svg(
    library: Library,
    keys: Sequence[CiteKey],
    page_path: str,
    *,
    title: str,
    description: str,
    css: str,
    color_by_tag: bool,
    palette: TagPalette | None,
    id_prefix: str,
    geometry: Geometry | None,
    distance: Mapping[CiteKey, int] | None = None,
    note: str = "",
) -> str:
    """``keys`` (in library order) and the citations among them, drawn as inline ``<svg>``:
    what :func:`library_graph_svg` and :func:`neighbourhood_svg` both end with."""
    from papernotes.graph.labels import distinct_labels, node_parts, short_title
    from papernotes.graph.layout import GEOMETRY, layout
    from papernotes.graph.svg import Drawing, DrawNode, LegendEntry, render_svg

    geometry = geometry or GEOMETRY
    palette = palette or tag_palette(library)
    index = {k: i for i, k in enumerate(keys)}
    edges = tuple(
        (index[s], index[t]) for s in keys for t in library.cites.get(s, ()) if t in index
    )
    tag_count = Counter(t.casefold() for k in keys for t in library.notes[k].meta.tags)
    tag_order = sorted(tag_count, key=lambda t: (-tag_count[t], t))
    tag_index = {t: i for i, t in enumerate(tag_order)}
    nodes: list[DrawNode] = []
    colours: Counter[int | None] = Counter()
    shown = distinct_labels(
        [library.labels.get(k, k) for k in keys],
        [library.notes[k].meta.heading for k in keys],
        geometry.node_w - 12,
    )
    for k, text in zip(keys, shown, strict=True):
        meta = library.notes[k].meta
        label = library.labels.get(k, k)
        colour = palette.colour(library.notes[k]) if color_by_tag else None
        colours[colour] += 1
        nodes.append(
            DrawNode(
                href=urls.relative(page_path, urls.paper_page(k)),
                label=text,
                tooltip=f"{meta.heading} ({label})",
                year=_column(meta.year),
                colour=colour,
                tags=tuple(tag_index[t.casefold()] for t in meta.tags),
                current=distance is not None and distance[k] == 0,
                distant=distance is not None and distance[k] > 1,
                whole=" ".join(p for p in node_parts(label) if p),
                short=short_title(meta.heading),
            )
        )
    legend: list[LegendEntry] = []
    if color_by_tag:
        legend = [
            LegendEntry(i, palette.names[t], colours[i])
            for i, t in enumerate(palette.tags)
            if colours[i]
        ]
        if colours[None] and legend:
            legend.append(LegendEntry(None, "other tags", colours[None]))
    years = sorted({n.year for n in nodes})
    drawing = Drawing(
        id_prefix=id_prefix,
        title=title,
        description=description,
        nodes=tuple(nodes),
        edges=edges,
        legend=tuple(legend),
        tag_names=tuple(palette.names.get(t, t) for t in tag_order),
        year_hrefs={y: urls.relative(page_path, urls.year_page(y)) for y in years if y != UNDATED},
        note=note,
    )
    return render_svg(drawing, layout([n.year for n in nodes], edges, geometry), geometry, css=css)


_DIRECTION = (
    "Columns are years, oldest on the left; arrows point from a paper to the papers it cites."
)


def library_graph_svg(
    library: Library,
    page_path: str,
    *,
    css: str,
    color_by_tag: bool = True,
    palette: TagPalette | None = None,
    id_prefix: str = "pn-lib",
    geometry: Geometry | None = None,
) -> str:
    """The whole library's citation graph as inline ``<svg>`` markup, links relative to
    ``page_path``, styled by ``css`` (the theme's graph.css through :func:`inline_css`). Pass
    ``palette`` when drawing many graphs, to compute it once."""
    keys = list(library.notes)
    n_edges = sum(len(library.cites.get(k, ())) for k in keys)
    return _graph_svg(
        library,
        keys,
        page_path,
        title=f"Citation graph of {len(keys)} papers and {n_edges} citations",
        description=_DIRECTION,
        css=css,
        color_by_tag=color_by_tag,
        palette=palette,
        id_prefix=id_prefix,
        geometry=geometry,
    )


def neighbourhood_svg(
    library: Library,
    key: str,
    page_path: str,
    *,
    css: str,
    depth: int = 2,
    max_nodes: int = 60,
    color_by_tag: bool = True,
    palette: TagPalette | None = None,
    id_prefix: str = "pn-local",
    geometry: Geometry | None = None,
) -> str:
    """The papers within ``depth`` citation steps of ``key`` as inline ``<svg>`` markup, at most
    ``max_nodes`` of them (the nearest), ``key`` highlighted, styled by ``css`` as in
    :func:`library_graph_svg`.

    Empty when the paper neither cites nor is cited by another paper in the library: a lone
    dot says nothing the page does not.
    """
    center = CiteKey(key)
    kept, total = neighbourhood(library, center, depth=depth, max_nodes=max_nodes)
    if len(kept) < 2:
        return ""
    keys = [k for k in library.notes if k in kept]
    label = library.labels.get(center, key)
    note = f"showing the nearest {len(kept)} of {total} papers" if total > len(kept) else ""
    steps = "one step" if depth == 1 else f"{depth} steps"
    return _graph_svg(
        library,
        keys,
        page_path,
        title=f"Papers within {steps} of {label} in the citation graph ({len(keys)} papers)",
        description=_DIRECTION + " Dashed outlines are two steps away.",
        css=css,
        color_by_tag=color_by_tag,
        palette=palette,
        id_prefix=id_prefix,
        geometry=geometry,
        distance=kept,
        note=note,
    )

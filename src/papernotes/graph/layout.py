"""Where each paper of a citation graph goes: a column per year, an order within each column.

Pure geometry over indices: nodes are ``0..n-1`` with a year each, edges are ``(citing, cited)``
pairs. Years run left to right, oldest first, like a timeline; years without papers get no
column (only a slightly wider gap), so a library spanning 1950–2024 does not become mostly
empty space. Within a year, barycentric sweeps order papers near the papers they cite and are
cited by, which removes most edge crossings without the cost (or the run-to-run jitter) of a
force simulation. A year with more papers than the graph has rows wraps into several
sub-columns, so 1,000 papers make a wide-screen rectangle rather than a tall strip.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["GEOMETRY", "Geometry", "Layout", "Point", "YearColumn", "layout"]


@dataclass(frozen=True, slots=True)
class Geometry:
    """Sizes in SVG user units (CSS pixels at zoom 1)."""

    node_w: float = 112
    """Width of a node's pill."""
    node_h: float = 22
    """Height of a node's pill."""
    row_pitch: float = 30
    """Distance between the centres of two rows."""
    subcolumn_gap: float = 14
    """Space between two sub-columns of one year."""
    year_gap: float = 40
    """Space between two years' columns; edges curve and their arrowheads land here."""
    skipped_years_gap: float = 22
    """Extra space where years without papers were left out, so the jump stays visible."""
    aspect: float = 1.6
    """Width/height the layout aims for when a year must wrap into sub-columns."""


GEOMETRY = Geometry()


@dataclass(frozen=True, slots=True)
class Point:
    """A node's centre."""

    x: float
    y: float


@dataclass(frozen=True, slots=True)
class YearColumn:
    """The horizontal span of one year's papers."""

    year: int
    x0: float
    """Left edge of the year's first sub-column."""
    x1: float
    """Right edge of its last sub-column."""
    count: int
    """Papers in the year."""

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True, slots=True)
class Layout:
    """Node centres (index-aligned with the input) inside a ``width`` × ``height`` box."""

    points: tuple[Point, ...]
    columns: tuple[YearColumn, ...]
    """Years present, oldest first."""
    width: float
    height: float


def _subcolumns(count: int, rows: int) -> int:
    return max(1, math.ceil(count / rows))


def _span(subcolumns: int, g: Geometry) -> float:
    return subcolumns * g.node_w + (subcolumns - 1) * g.subcolumn_gap


def _width(years: Sequence[int], counts: Sequence[int], rows: int, g: Geometry) -> float:
    width = sum(_span(_subcolumns(c, rows), g) for c in counts)
    width += g.year_gap * (len(years) - 1)
    width += g.skipped_years_gap * sum(b - a > 1 for a, b in itertools.pairwise(years))
    return width


def _height(counts: Sequence[int], rows: int, g: Geometry) -> float:
    return max((math.ceil(c / _subcolumns(c, rows)) for c in counts), default=0) * g.row_pitch


def choose_rows(years: Sequence[int], counts: Sequence[int], g: Geometry = GEOMETRY) -> int:
    """How many rows a column may hold before its year wraps into another sub-column.

    The count whose layout comes closest to ``g.aspect`` (width/height), preferring fewer
    sub-columns on a tie. A library whose busiest year already fits a wide picture never wraps.
    """
    if not counts:
        return 1
    tallest = max(counts)

    def misfit(rows: int) -> tuple[float, int]:
        ratio = _width(years, counts, rows, g) / max(_height(counts, rows, g), 1)
        return (abs(math.log(max(ratio, 1e-9) / g.aspect)), -rows)

    return min(range(1, tallest + 1), key=misfit)


def _offsets(order: Sequence[int], subcolumns: int, pitch: float) -> dict[int, float]:
    """Vertical offset from the column's middle of each node, filling rows left to right.

    Rows are filled before sub-columns, so vertical position follows the order even when a
    year wraps: the order the sweeps found is the order a reader sees top to bottom.
    """
    rows = math.ceil(len(order) / subcolumns)
    return {v: (rank // subcolumns - (rows - 1) / 2) * pitch for rank, v in enumerate(order)}


def order_layers(
    layers: Sequence[Sequence[int]],
    neighbours: Sequence[Sequence[int]],
    layer_of: Sequence[int],
    subcolumns: Sequence[int],
    pitch: float,
    sweeps: int = 4,
) -> list[list[int]]:
    """Each layer's nodes in an order that brings linked nodes to similar heights.

    Alternating sweeps: left to right, each node moves to the mean height of its neighbours in
    earlier layers (the papers it cites); right to left, of those in later layers; a last pass
    uses both sides (``sweeps=0`` keeps the input order). Nodes with no neighbour on the swept
    side keep their height, and ties keep the current order, so the result depends only on the
    input.
    """
    order = [list(layer) for layer in layers]
    y: dict[int, float] = {}
    for i, layer in enumerate(order):
        y.update(_offsets(layer, subcolumns[i], pitch))

    def reorder(i: int, side: int) -> None:
        def key(item: tuple[int, int]) -> tuple[float, int]:
            rank, v = item
            near = [
                y[u]
                for u in neighbours[v]
                if layer_of[u] != i and (side == 0 or (layer_of[u] - i) * side > 0)
            ]
            return (sum(near) / len(near) if near else y[v], rank)

        order[i] = [v for _, v in sorted(enumerate(order[i]), key=key)]
        y.update(_offsets(order[i], subcolumns[i], pitch))

    count = len(order)
    for _ in range(sweeps):
        for i in range(1, count):
            reorder(i, -1)
        for i in range(count - 2, -1, -1):
            reorder(i, +1)
    for i in range(count if sweeps else 0):
        reorder(i, 0)
    return order


def layout(
    years: Sequence[int],
    edges: Sequence[tuple[int, int]],
    g: Geometry = GEOMETRY,
    *,
    sweeps: int = 4,
) -> Layout:
    """Place nodes ``0..len(years)-1``: x by year (oldest left), y ordered to cut crossings.

    The input order breaks ties, so callers pass nodes in a stable order (the library's).
    """
    present = sorted(set(years))
    layer_index = {year: i for i, year in enumerate(present)}
    layer_of = [layer_index[year] for year in years]
    layers: list[list[int]] = [[] for _ in present]
    for v, i in enumerate(layer_of):
        layers[i].append(v)
    counts = [len(layer) for layer in layers]
    rows = choose_rows(present, counts, g)
    subcolumns = [_subcolumns(c, rows) for c in counts]

    linked: list[dict[int, None]] = [{} for _ in years]
    for a, b in edges:
        if a != b:
            linked[a][b] = None
            linked[b][a] = None
    neighbours = [tuple(d) for d in linked]
    ordered = order_layers(layers, neighbours, layer_of, subcolumns, g.row_pitch, sweeps)

    used_rows = max((math.ceil(c / s) for c, s in zip(counts, subcolumns, strict=True)), default=0)
    height = used_rows * g.row_pitch
    points = [Point(0, 0)] * len(years)
    columns: list[YearColumn] = []
    x = 0.0
    for i, year in enumerate(present):
        if i:
            x += g.year_gap + (g.skipped_years_gap if year - present[i - 1] > 1 else 0)
        s = subcolumns[i]
        offsets = _offsets(ordered[i], s, g.row_pitch)
        for rank, v in enumerate(ordered[i]):
            cx = x + g.node_w / 2 + (rank % s) * (g.node_w + g.subcolumn_gap)
            points[v] = Point(cx, height / 2 + offsets[v])
        columns.append(YearColumn(year, x, x + _span(s, g), counts[i]))
        x += _span(s, g)
    return Layout(tuple(points), tuple(columns), x, height)

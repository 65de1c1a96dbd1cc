"""The citation graph: nodes and edges from the library (``data``), the shared
``static/graph-data.js`` that pages draw from in the browser (``payload``), and the same
node labels (``labels``), placement (``layout``) and SVG drawing (``svg``) done in Python,
which ``static/graph.js`` follows and the tests hold it to; the stylesheet is
``templates/static/graph.css``.

``layout.layout`` is not re-exported: a package attribute named like a submodule would turn
into the submodule once that is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.graph.data import (
        library_graph_svg,
        neighbourhood,
        neighbourhood_svg,
        short_label,
        tag_palette,
    )
    from papernotes.graph.labels import distinct_labels, short_title
    from papernotes.graph.layout import GEOMETRY, Geometry, Layout, Point, choose_rows
    from papernotes.graph.payload import (
        GraphData,
        GraphNode,
        graph_data,
        graph_data_js,
        graph_inputs,
    )
    from papernotes.graph.svg import PALETTE_SIZE, edge_path, fit_text, inline_css, text_width

__all__ = [
    "GEOMETRY",
    "PALETTE_SIZE",
    "Geometry",
    "GraphData",
    "GraphNode",
    "Layout",
    "Point",
    "choose_rows",
    "distinct_labels",
    "edge_path",
    "fit_text",
    "graph_data",
    "graph_data_js",
    "graph_inputs",
    "inline_css",
    "library_graph_svg",
    "neighbourhood",
    "neighbourhood_svg",
    "short_label",
    "short_title",
    "tag_palette",
    "text_width",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "data": (
                "library_graph_svg",
                "neighbourhood",
                "neighbourhood_svg",
                "short_label",
                "tag_palette",
            ),
            "payload": ("GraphData", "GraphNode", "graph_data", "graph_data_js", "graph_inputs"),
            "labels": ("distinct_labels", "short_title"),
            "layout": ("GEOMETRY", "Geometry", "Layout", "Point", "choose_rows"),
            "svg": ("PALETTE_SIZE", "edge_path", "fit_text", "inline_css", "text_width"),
        },
    )

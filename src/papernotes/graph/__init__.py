"""The citation graph: nodes and edges from the library (``data``), their placement
(``layout``) and the SVG drawing (``svg``); the stylesheet is ``templates/static/graph.css``.

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
    from papernotes.graph.layout import GEOMETRY, Geometry, Layout, Point, choose_rows
    from papernotes.graph.svg import PALETTE_SIZE, edge_path, fit_text, inline_css, text_width

__all__ = [
    "GEOMETRY",
    "PALETTE_SIZE",
    "Geometry",
    "Layout",
    "Point",
    "choose_rows",
    "edge_path",
    "fit_text",
    "inline_css",
    "library_graph_svg",
    "neighbourhood",
    "neighbourhood_svg",
    "short_label",
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
            "layout": ("GEOMETRY", "Geometry", "Layout", "Point", "choose_rows"),
            "svg": ("PALETTE_SIZE", "edge_path", "fit_text", "inline_css", "text_width"),
        },
    )

"""The citation graph's stylesheet: one palette and one set of rules for light and dark themes.

It is inlined in every graph SVG (graph_svg), so a drawing is complete wherever it is embedded,
and it styles the graph's frame and graph.js's controls too. Colours come from the page's theme
variables (style.css's ``--bg``, ``--fg``, ``--muted``, ``--accent``, ``--line``, ``--bg-soft``)
with fallbacks for a page without them.
"""

from __future__ import annotations

import re

__all__ = ["CSS", "HUES"]

# Okabe–Ito's colour-blind-safe hues, plus a brown. Fills and strokes mix them with the page's
# own background and text colours, so one palette reads on light and dark themes alike: the
# stroke moves towards the text colour (≥3:1 against the background either way), the fill
# towards the background (the label, in the text colour, keeps WCAG AAA's 7:1 on it).
HUES = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442", "#a6761d")

_CSS = """
.pn-graph {
  --pn-bg: var(--bg, #fff); --pn-fg: var(--fg, #1f2328); --pn-muted: var(--muted, #4d555d);
  --pn-accent: var(--accent, #084bab);
  display: block; max-width: none; height: auto; font-size: 12px;
  font-family: var(--font-sans, system-ui, sans-serif);
  -webkit-user-select: none; user-select: none;
}
%(palette)s
.pn-graph .pn-node rect, .pn-graph .pn-key rect {
  fill: var(--pn-bg); fill: color-mix(in srgb, var(--pn-c, var(--pn-muted)) 22%%, var(--pn-bg));
  stroke: var(--pn-muted);
  stroke: color-mix(in srgb, var(--pn-c, var(--pn-muted)) 60%%, var(--pn-fg)); stroke-width: 1.5;
}
.pn-graph .pn-node text {
  fill: var(--pn-fg); font-size: 11px; text-anchor: middle; pointer-events: none;
}
.pn-graph .pn-node.is-distant rect { stroke-dasharray: 4 2; }
.pn-graph .pn-node.is-current rect { stroke: var(--pn-accent); stroke-width: 3; }
.pn-graph .pn-node.is-current text { font-weight: 700; }
.pn-graph .pn-node:hover rect { stroke: var(--pn-accent); stroke-width: 3; }
.pn-graph .pn-node:focus { outline: none; }
.pn-graph .pn-node:focus-visible { outline: 3px solid var(--pn-accent); outline-offset: 3px; }
.pn-graph .pn-node:focus-visible rect { stroke: var(--pn-accent); stroke-width: 3; }
.pn-graph .pn-edge { fill: none; stroke: var(--pn-muted); stroke-opacity: .5; stroke-width: 1.1; }
.pn-graph.pn-big .pn-edge { stroke-opacity: .2; }
.pn-graph .pn-edge.pn-direct { stroke-opacity: .85; }
.pn-graph .pn-arrow { fill: var(--pn-muted); }
.pn-graph .pn-arrow-hl { fill: var(--pn-accent); }
.pn-graph .pn-band { fill: var(--pn-bg); fill-opacity: .92; }
.pn-graph .pn-yband { fill: var(--bg-soft, #f6f8fa); }
.pn-graph .pn-key text { fill: var(--pn-fg); }
.pn-graph .pn-key .pn-note { fill: var(--pn-muted); font-style: italic; }
.pn-graph .pn-years text { fill: var(--pn-muted); font-weight: 700; text-anchor: middle; }
.pn-graph .pn-year text { fill: var(--pn-accent); }
.pn-graph .pn-year:focus-visible { outline: 3px solid var(--pn-accent); }

/* States set by graph.js: a hovered or focused paper with its links; a chosen tag; zoomed out
   too far to read labels; moving. */
.pn-graph.pn-hl-on .pn-node, .pn-graph.pn-tag-on .pn-node { opacity: .22; }
.pn-graph.pn-hl-on .pn-node.is-hl,
.pn-graph.pn-tag-on:not(.pn-hl-on) .pn-node.is-tag { opacity: 1; }
/* opacity, not stroke-opacity: it fades the arrowheads too. */
.pn-graph.pn-hl-on .pn-edge, .pn-graph.pn-tag-on .pn-edge { opacity: .12; }
.pn-graph.pn-hl-on .pn-edge.is-hl,
.pn-graph.pn-tag-on:not(.pn-hl-on) .pn-edge.is-tag { opacity: 1; }
.pn-graph .pn-edge.is-hl { stroke: var(--pn-accent); stroke-opacity: 1; stroke-width: 2; }
.pn-graph.pn-far .pn-node text { display: none; }
/* Thousands of faint curves cost most of a repaint: a big graph hides them while it moves,
   and shows only the lit ones while a paper or tag is picked. */
.pn-graph.pn-big.pn-moving .pn-edges,
.pn-graph.pn-big.pn-hl-on .pn-edge:not(.is-hl),
.pn-graph.pn-big.pn-tag-on:not(.pn-hl-on) .pn-edge:not(.is-tag) { visibility: hidden; }

/* The frame around the SVG (graph.html, _graph_local.html): scrolls when there is no JS. */
.pn-graph-frame {
  overflow: auto; max-height: 80vh; background: var(--bg, #fff);
  border: 1px solid var(--line, #d0d7de); border-radius: var(--radius, 6px);
}
.pn-graph-frame.pn-js { overflow: hidden; max-height: none; }
.pn-js > .pn-graph { width: 100%%; touch-action: none; cursor: grab; }
.pn-js > .pn-graph.pn-dragging { cursor: grabbing; }
.pn-js > .pn-graph:focus-visible {
  outline: 3px solid var(--accent, #084bab); outline-offset: -3px;
}
.pn-graph-tools {
  display: flex; flex-wrap: wrap; gap: .4rem .6rem; align-items: center; padding: .4rem .6rem;
  border-bottom: 1px solid var(--line, #d0d7de); background: var(--bg-soft, #f6f8fa);
  font-size: .9rem;
}
.pn-graph-tools button, .pn-graph-tools select {
  font: inherit; font-size: .9rem; padding: .15rem .6rem; cursor: pointer;
  border: 1px solid var(--line, #d0d7de); border-radius: var(--radius, 6px);
  background: var(--bg, #fff); color: var(--fg, #1f2328);
}
.pn-graph-tools label { display: flex; gap: .35rem; align-items: center; }
.pn-graph-tools .pn-hint { color: var(--muted, #4d555d); margin-left: auto; font-size: .85rem; }
.pn-graph-figure { margin: 1rem 0; }
.pn-graph-figure figcaption { margin-top: .4rem; }
.pn-graph-skip { position: absolute; left: -999px; }
.pn-graph-skip:focus { position: static; }
"""


def _minify(css: str) -> str:
    """The stylesheet without comments and layout whitespace: it is repeated on every page."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r" ?([{};,>]) ?", r"\1", css).replace(";}", "}").replace(": ", ":")
    return css.strip()


CSS = _minify(
    _CSS % {"palette": " ".join(f".pn-c{i} {{ --pn-c: {hue}; }}" for i, hue in enumerate(HUES))}
)
"""The graph's stylesheet, inlined in each SVG so the drawing is complete wherever it goes."""

"""``static/graph-data.js``: the whole citation graph, once, for every page that draws it.

A paper page used to inline its own two-step neighbourhood as ~30 KB of SVG; now it carries a
placeholder, and ``static/graph.js`` loads this one script (by ``<script src>``, so it works
from ``file://``, where fetch cannot), picks the neighbourhood with the rules of
:func:`papernotes.graph.data.neighbourhood` and draws it. The global graph page filters the
same data before drawing. Everything a drawing needs that the library knows is here; what
follows from it (short labels, tag colours, the layout) is worked out in the browser.

The structure, compact because it grows with the library (50,000 notes):

``{"v": 1, "no_date": "n.d.", "tags": [name, …], "palette": [tag, …], "years": {"2020":
"years/2020.html", …}, "nodes": [[key, label, title, year, page, [tag, …], [cited, …]], …]}``

- ``tags``: every tag's display name, sorted by its case-folded form, so a tag's index is its
  alphabetical rank (graph.js sorts tag menus by count, then index).
- ``palette``: the tags that have a colour, in colour order (``.pn-c0`` …).
- ``nodes``: in library order (the order that breaks ties). ``year`` is 0 when the paper has
  none; ``page`` is the paper page's file name under ``papers/`` (percent-encoded, no
  ``.html``), or ``""`` when that is the key itself; tags as written on the note; the last
  list is the node indices the paper cites, in its ``cites:`` order. An eighth list, only
  when the note has any, holds the papers its body mentions without citing them
  (``Library.mentions``): graph.js draws those dashed, among the papers a drawing shows
  anyway, and a toggle hides them; they never choose what is drawn nor where.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from papernotes import urls
from papernotes.graph.data import TagPalette
from papernotes.model import NO_DATE, Library

__all__ = ["GraphData", "GraphNode", "graph_data", "graph_data_js", "graph_inputs"]

GLOBAL = "PAPERNOTES_GRAPH"
"""The ``window`` property the script assigns."""


class GraphNode(NamedTuple):
    """One paper as graph-data.js lists it."""

    key: str
    """Its citekey (a paper page names itself by it: ``data-key``)."""
    label: str
    """Its author–year label ("Hu et al., 2022")."""
    title: str
    """Its heading: the tooltip and accessible name of its node."""
    year: int
    """Its year, 0 when it has none."""
    page: str
    """Its page's file name under ``papers/``, percent-encoded and without ``.html``; ""
    when that is the key as it stands."""
    tags: tuple[int, ...]
    """Indices into :attr:`GraphData.tags`, in the note's own order."""
    cites: tuple[int, ...]
    """Indices of the papers it cites, in its ``cites:`` order."""
    mentions: tuple[int, ...] = ()
    """Indices of the papers its body mentions without citing them, in body order."""


class GraphData(NamedTuple):
    """Everything graph-data.js holds; its digest is the file's fingerprint."""

    tags: tuple[str, ...]
    """Display names, sorted by case-folded name."""
    palette: tuple[int, ...]
    """Indices into ``tags`` of the coloured tags, in colour order."""
    years: tuple[tuple[int, str], ...]
    """Each year that has papers, with its page's site path."""
    nodes: tuple[GraphNode, ...]
    """Every paper, in library order."""


def graph_data(library: Library, palette: TagPalette) -> GraphData:
    """The library's citation graph as graph-data.js will hold it."""
    folded = sorted({t.casefold() for n in library.notes.values() for t in n.meta.tags})
    tag_index = {t: i for i, t in enumerate(folded)}
    index = {k: i for i, k in enumerate(library.notes)}
    nodes = []
    for key, note in library.notes.items():
        meta = note.meta
        page = urls.relative("papers/x.html", urls.paper_page(key)).removesuffix(".html")
        nodes.append(
            GraphNode(
                key=key,
                label=library.labels.get(key, key),
                title=meta.heading,
                year=meta.year or 0,
                page="" if page == key else page,
                tags=tuple(tag_index[t.casefold()] for t in meta.tags),
                cites=tuple(index[c] for c in library.cites.get(key, ()) if c in index),
                mentions=tuple(index[c] for c in library.mentions.get(key, ()) if c in index),
            )
        )
    years = sorted({n.year for n in nodes if n.year})
    return GraphData(
        tags=tuple(palette.names.get(t, t) for t in folded),
        palette=tuple(tag_index[t] for t in palette.tags),
        years=tuple((y, urls.year_page(y)) for y in years),
        nodes=tuple(nodes),
    )


def graph_inputs(library: Library, palette: TagPalette) -> tuple[object, ...]:
    """Everything :func:`graph_data` reads, cheaply: digested, it is graph-data.js's fingerprint
    without building the file's contents on a build that does not need them (a page's file
    name follows from its key)."""
    cites, labels, mentions = library.cites, library.labels, library.mentions
    notes = tuple(
        (
            k,
            labels.get(k, k),
            n.meta.heading,
            n.meta.year,
            n.meta.tags,
            cites.get(k),
            mentions.get(k),
        )
        for k, n in library.notes.items()
    )
    return (notes, palette.tags, tuple(palette.names.items()))


def _script_json(value: object) -> str:
    """Compact JSON that cannot end a ``<script>`` element or open a comment in one, whether
    the file is loaded by ``src`` or pasted inline: ``<``, ``>`` and ``&`` as ``\\u`` escapes
    (the same string once parsed), and U+2028/U+2029, line ends to older JavaScript."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch in "<>&\u2028\u2029":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def graph_data_js(data: GraphData) -> str:
    """The text of ``static/graph-data.js``: one assignment to ``window.PAPERNOTES_GRAPH``."""
    value = {
        "v": 1,
        "no_date": NO_DATE,
        "tags": data.tags,
        "palette": data.palette,
        "years": {str(y): path for y, path in data.years},
        "nodes": [
            [
                n.key,
                n.label,
                n.title,
                n.year,
                n.page,
                n.tags,
                n.cites,
                *([n.mentions] if n.mentions else []),
            ]
            for n in data.nodes
        ],
    }
    return f"window.{GLOBAL}={_script_json(value)};\n"

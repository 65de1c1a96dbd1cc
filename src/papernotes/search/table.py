"""The home table's data, shared once: ``static/library-data.js``, which ``table.js`` sorts,
filters and pages through in the browser.

index.html itself carries only the first page of rows (the no-JavaScript view): a row per note
made the page 4.6 MB at 6,000 notes. The data is an array of arrays (field names once, tags
once, in a table rows point into) assigned to ``window.PAPERNOTES_LIBRARY`` by a script, so it
loads from ``file://`` too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from papernotes import urls
from papernotes.model import Author, Metadata, Note
from papernotes.search.shards import script_json

__all__ = ["FIELDS", "LIBRARY_DATA", "TABLE_FORMAT", "library_data_js", "people_text"]

LIBRARY_DATA = "static/library-data.js"
TABLE_FORMAT = 1
"""Bumped whenever table.js must change to read the data."""
FIELDS = (
    "href",
    "title",
    "authors",
    "more",
    "author",
    "year",
    "label",
    "venue",
    "tags",
    "status",
    "rating",
    "read",
)
"""A row's fields: the page's href from the site root; the title; authors as the table shows
them; up to seven more names, only filtered on; the first author's family name (sorting); the
year (null when none) and what is shown for it; venue; indices into the tag table; status;
rating; read date."""

_SHOWN = 3  # authors named in a row, as _macros.html's people_links(meta, 3)
_FILTERED = 10  # authors the filter looks at, as the server-rendered rows' data-authors


def _names(people: tuple[Author, ...]) -> tuple[list[str], bool]:
    named = [a.display for a in people if not a.others]
    return named, bool(people) and people[-1].others


def people_text(meta: Metadata) -> tuple[str, str]:
    """Who made the work as a row shows it ("Hu, Shen, Wang et al." with ", eds." for
    editors), and the further names the filter also matches."""
    people = meta.authors or meta.editors
    names, et_al = _names(people)
    text = ", ".join(names[:_SHOWN])
    if len(names) > _SHOWN:
        text += " et al."
        if len(names) > 10:
            text += f" ({len(names):,} authors)"
    elif et_al:
        text += " et al."
    if not meta.authors and meta.editors:
        text += " (eds.)" if len(meta.editors) > 1 else " (ed.)"
    return text, ", ".join(names[_SHOWN:_FILTERED])


def library_data_js(notes: Sequence[Note], tag_path: Callable[[str], str]) -> str:
    """The contents of ``static/library-data.js`` for ``notes`` in the table's first order;
    ``tag_path`` gives a tag's page."""
    tags: dict[str, int] = {}
    tag_rows: list[list[str]] = []
    rows: list[list[object]] = []
    for note in notes:
        meta = note.meta
        for tag in meta.tags:
            if tag not in tags:
                tags[tag] = len(tag_rows)
                tag_rows.append([tag, tag.casefold(), urls.relative("index.html", tag_path(tag))])
        people = meta.authors or meta.editors
        shown, more = people_text(meta)
        rows.append(
            [
                urls.relative("index.html", urls.paper_page(meta.key)),
                meta.heading,
                shown,
                more,
                people[0].short if people else "",
                meta.year,
                meta.year_label,
                meta.venue or "",
                [tags[t] for t in meta.tags],
                meta.status.value if meta.status else "",
                meta.rating,
                meta.read.isoformat() if meta.read else "",
            ]
        )
    data = {"format": TABLE_FORMAT, "fields": FIELDS, "tags": tag_rows, "rows": rows}
    return f"window.PAPERNOTES_LIBRARY={script_json(data)};\n"

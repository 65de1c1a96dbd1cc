"""The home table's data, shared once: ``static/library-data.js`` and its parts under
``static/library/``, which ``table.js`` sorts, filters and pages through in the browser.

index.html itself carries only the first page of rows (the no-JavaScript view): a row per note
made the page 4.6 MB at 6,000 notes. The data is an array of arrays (field names once, tags and
linked authors once, in tables rows point into) assigned to ``window.PAPERNOTES_LIBRARY`` by a
script, so it loads from ``file://`` too.

library-data.js holds the first :data:`FIRST_ROWS` rows only: the table shows its first pages
from them at once, and table.js adds the scripts of the rest (``static/library/<n>.js``, each
calling ``PAPERNOTES_LIBRARY_PART(n, rows)``) after that. At 50,000 notes the rows are 10 MB of
script, which Chromium took over a second to parse before the first row could be shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from papernotes import urls
from papernotes.model import Author, Metadata, Note
from papernotes.search.shards import script_json

__all__ = [
    "FIELDS",
    "FIRST_ROWS",
    "LIBRARY_DATA",
    "LIBRARY_PARTS",
    "PART_ROWS",
    "TABLE_FORMAT",
    "library_data_js",
    "library_files",
    "library_paths",
    "people_text",
]

LIBRARY_DATA = "static/library-data.js"
LIBRARY_PARTS = "static/library/"
"""Where the further parts are: ``static/library/1.js`` and on."""
TABLE_FORMAT = 2
"""Bumped whenever table.js must change to read the data."""
FIRST_ROWS = 1000
"""Rows in library-data.js: the first ten pages of the table in its first order."""
PART_ROWS = 10_000
"""Rows in each further part (about 2 MB): few scripts, each parsed in a blink."""
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
    "links",
)
"""A row's fields: the page's href from the site root; the title; authors as the table shows
them; up to seven more names, only filtered on; the first author's family name (sorting); the
year (null when none) and what is shown for it; venue; indices into the tag table; status;
rating; read date; the authors shown that have pages of their own, as ``[start, end, n]``:
the characters of ``authors`` naming the n-th of the table of linked authors (each file adds the
ones its rows are the first to name)."""

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


def library_paths(
    count: int, first_rows: int = FIRST_ROWS, part_rows: int = PART_ROWS
) -> tuple[str, ...]:
    """The files of a library of ``count`` notes: library-data.js, then its parts."""
    parts = max(0, -(-(count - first_rows) // part_rows))
    return (LIBRARY_DATA, *(f"{LIBRARY_PARTS}{n}.js" for n in range(1, parts + 1)))


def _links(
    meta: Metadata, shown: str, author_path: Callable[[Author], str], people: dict[str, int]
) -> list[list[int]]:
    """Where ``shown`` names an author with a page of their own (as _macros.html's
    author_link: not one whose only paper is this row's)."""
    here = urls.paper_page(meta.key)
    out: list[list[int]] = []
    at = 0
    for author in (meta.authors or meta.editors)[:_SHOWN]:
        if author.others:
            break
        start = shown.find(author.display, at)
        if start < 0:
            break
        at = start + len(author.display)
        target = author_path(author)
        if target != here:
            n = people.setdefault(target, len(people))
            out.append([start, at, n])
    return out


def library_files(
    notes: Sequence[Note],
    tag_path: Callable[[str], str],
    author_path: Callable[[Author], str] | None = None,
    *,
    first_rows: int = FIRST_ROWS,
    part_rows: int = PART_ROWS,
) -> tuple[tuple[str, str], ...]:
    """``(path, text)`` of each of :func:`library_paths` for ``notes`` in the table's first
    order; ``tag_path`` gives a tag's page, ``author_path`` an author's (their page, or their
    one paper's: no links without it). ``first_rows`` go in library-data.js, the rest in parts
    of ``part_rows``."""
    tags: dict[str, int] = {}
    tag_rows: list[list[str]] = []
    people: dict[str, int] = {}
    rows: list[list[object]] = []
    known: list[int] = []  # linked authors known after each row: a part brings its new ones
    for note in notes:
        meta = note.meta
        for tag in meta.tags:
            if tag not in tags:
                tags[tag] = len(tag_rows)
                tag_rows.append([tag, tag.casefold(), urls.relative("index.html", tag_path(tag))])
        people_of = meta.authors or meta.editors
        shown, more = people_text(meta)
        links = _links(meta, shown, author_path, people) if author_path else []
        rows.append(
            [
                urls.relative("index.html", urls.paper_page(meta.key)),
                meta.heading,
                shown,
                more,
                people_of[0].short if people_of else "",
                meta.year,
                meta.year_label,
                meta.venue or "",
                [tags[t] for t in meta.tags],
                meta.status.value if meta.status else "",
                meta.rating,
                meta.read.isoformat() if meta.read else "",
                links,
            ]
        )
        known.append(len(people))
    paths = library_paths(len(rows), first_rows, part_rows)
    hrefs = [urls.relative("index.html", p) for p in people]

    def upto(row: int) -> int:
        return known[min(row, len(rows)) - 1] if row > 0 and rows else 0

    first = {
        "format": TABLE_FORMAT,
        "fields": FIELDS,
        "count": len(rows),
        "parts": len(paths) - 1,
        "tags": tag_rows,
        "people": hrefs[: upto(first_rows)],
        "rows": rows[:first_rows],
    }
    out = [(LIBRARY_DATA, f"window.PAPERNOTES_LIBRARY={script_json(first)};\n")]
    for n, path in enumerate(paths[1:], start=1):
        start = first_rows + (n - 1) * part_rows
        part = rows[start : start + part_rows]
        more = script_json(hrefs[upto(start) : upto(start + part_rows)])
        out.append((path, f"PAPERNOTES_LIBRARY_PART({n},{script_json(part)},{more});\n"))
    return tuple(out)


def library_data_js(notes: Sequence[Note], tag_path: Callable[[str], str]) -> str:
    """The contents of ``static/library-data.js`` for ``notes`` (the first of
    :func:`library_files`, without author links)."""
    return library_files(notes, tag_path)[0][1]

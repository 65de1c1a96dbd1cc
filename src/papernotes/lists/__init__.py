"""Reading lists and series: ``lists/*.md`` in the notes folder, parsed (``parse``), their
papers found in the library (``link``), and the pages they make (``pages``): one per list,
the index of lists, the to-read queue, and each paper's series strip."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.lists.link import (
        LinkedList,
        SeriesPlace,
        link_lists,
        lists_of,
        read_lists,
        series_of,
    )
    from papernotes.lists.pages import list_jobs, to_read
    from papernotes.lists.parse import ReadingList, parse_list

__all__ = [
    "LinkedList",
    "ReadingList",
    "SeriesPlace",
    "link_lists",
    "list_jobs",
    "lists_of",
    "parse_list",
    "read_lists",
    "series_of",
    "to_read",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "link": (
                "LinkedList",
                "SeriesPlace",
                "link_lists",
                "lists_of",
                "read_lists",
                "series_of",
            ),
            "pages": ("list_jobs", "to_read"),
            "parse": ("ReadingList", "parse_list"),
        },
    )

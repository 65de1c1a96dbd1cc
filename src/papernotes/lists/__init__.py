"""Reading lists and series: ``lists/*.md`` in the notes folder, parsed (``parse``), their
papers found in the library (``link``), and the pages they make (``pages``): one per list,
the index of lists, the to-read queue, and each paper's series strip."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.lists.link import (
        LinkedList,
        Memberships,
        SeriesPlace,
        link_lists,
        read_lists,
    )
    from papernotes.lists.pages import list_jobs, to_read
    from papernotes.lists.parse import ReadingList, parse_list

__all__ = [
    "LinkedList",
    "Memberships",
    "ReadingList",
    "SeriesPlace",
    "link_lists",
    "list_jobs",
    "parse_list",
    "read_lists",
    "to_read",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "link": ("LinkedList", "Memberships", "SeriesPlace", "link_lists", "read_lists"),
            "pages": ("list_jobs", "to_read"),
            "parse": ("ReadingList", "parse_list"),
        },
    )

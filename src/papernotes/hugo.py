"""Hugo's and Hugo Blox's ways with a page, read as Hugo reads them.

A Hugo page bundle is a folder whose ``index.md`` (``_index.md`` for a section) is the page:
the folder names it. Hugo Blox's publication pages give their kind as ``publication_types``
(a code, or a CSL type in newer templates) and use ``type`` for the page's layout
(``docs``, ``landing``), which is no BibTeX entry type. Pure functions on paths and values;
:mod:`papernotes.parse` and :mod:`papernotes.frontmatter` call them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papernotes.frontmatter import Field

__all__ = ["BUNDLE_FILES", "LAYOUT_TYPES", "PUBLICATION_TYPES", "page_stem", "publication_type"]

BUNDLE_FILES = frozenset({"index", "_index"})
"""File names (without ``.md``) that are their folder's page in Hugo."""

LAYOUT_TYPES = frozenset(
    {"docs", "landing", "widget_page", "page", "post", "event", "project", "publication"}
)
"""Hugo (Blox) page layouts written as ``type``: not entry types, and quietly ignored. Hugo
Blox's ``book`` layout is left out: ``type: book`` is read as the BibTeX type it also is."""

PUBLICATION_TYPES: Mapping[str, str] = MappingProxyType(
    {
        # Hugo Blox's legend, as its publication template writes it: "0 = Uncategorized;
        # 1 = Conference paper; 2 = Journal article; 3 = Preprint / Working Paper;
        # 4 = Report; 5 = Book; 6 = Book section; 7 = Thesis; 8 = Patent".
        "0": "misc",
        "1": "inproceedings",
        "2": "article",
        "3": "misc",  # a preprint: BibTeX has only misc for it (as Better BibTeX exports it)
        "4": "techreport",
        "5": "book",
        "6": "incollection",
        "7": "phdthesis",
        "8": "patent",
        # Newer Hugo Blox templates take a CSL type ("Enter a publication type from the CSL
        # standard").
        "article-journal": "article",
        "paper-conference": "inproceedings",
        "article": "misc",  # CSL's article is a preprint or working paper
        "chapter": "incollection",
        "book": "book",
        "thesis": "phdthesis",
        "report": "techreport",
        "patent": "patent",
        "manuscript": "unpublished",
        "dataset": "dataset",
        "software": "software",
        "webpage": "online",
    }
)
"""Hugo Blox ``publication_types`` value → BibTeX entry type."""


def page_stem(path: str) -> str:
    """The name Hugo gives the page at ``path`` (relative to the library root, under the notes
    folder: ``papers/…``): its file name without ``.md``, or for a bundle's
    ``index.md``/``_index.md`` its folder's name (``papers/publication/he2016deep/index.md``).
    The notes folder's own ``index.md`` is the home page, no bundle: it stays ``index``."""
    stem = posixpath.splitext(posixpath.basename(path))[0]
    folder = posixpath.dirname(path)
    if stem in BUNDLE_FILES and folder.count("/") >= 1:
        return posixpath.basename(folder)
    return stem


def publication_type(fields: Sequence[Field]) -> str | None:
    """The BibTeX type a Hugo Blox ``publication_types`` (``["1"]``, ``["paper-conference"]``)
    names, or None."""
    for f in fields:
        if f.name.casefold() != "publication_types":
            continue
        items = f.value if isinstance(f.value, list) else [f.value]
        for item in items:
            if (kind := PUBLICATION_TYPES.get(str(item).strip().lower())) is not None:
                return kind
    return None

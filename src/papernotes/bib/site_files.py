"""The library's bibliography files on the site: BibTeX, BibLaTeX, CSL JSON and RIS.

Each is a job of stage 4 (``plan``), fingerprinted by every note's metadata digest: an edit
to a note's body leaves them all as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from papernotes.bib import csl, ris
from papernotes.bib import export as bib
from papernotes.incremental.cache import digest
from papernotes.model import Library

__all__ = ["library_exports"]


def library_exports(
    library: Library, meta_digests: Iterable[str]
) -> list[tuple[str, str, Callable[[], str]]]:
    """``(path, fingerprint, make)`` for each bibliography file of the whole library."""
    metas = [n.meta for n in library.notes.values()]
    all_metas = list(meta_digests)
    return [
        ("library.bib", digest("bib", all_metas), lambda: bib.format_bib(metas, "bibtex")),
        (
            "library-biblatex.bib",
            digest("library-biblatex.bib", all_metas),
            lambda: bib.format_bib(metas, "biblatex"),
        ),
        ("library.json", digest("csl", all_metas), lambda: csl.format_csl(metas)),
        ("library.ris", digest("ris", all_metas), lambda: ris.format_ris(metas)),
    ]

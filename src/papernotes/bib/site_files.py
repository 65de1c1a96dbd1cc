"""The library's bibliography files on the site: BibTeX, BibLaTeX, CSL JSON and RIS.

Each is a job of stage 4 (``plan``), fingerprinted by every note's metadata digest: an edit
to a note's body leaves them all as they are. The two ``.bib`` files are one job: each note's
entry is built once for both (``export.format_bibs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from papernotes.bib import csl, ris
from papernotes.bib import export as bib
from papernotes.incremental.cache import digest
from papernotes.model import Library

__all__ = ["BIB_FILES", "library_exports"]

BIB_FILES = ("library.bib", "library-biblatex.bib")
"""The ``bibtex`` and ``biblatex`` flavours of the whole library, in ``bib.FLAVOURS`` order."""

Export = tuple[tuple[str, ...], str, Callable[[], tuple[tuple[str, str], ...]]]
"""``(paths, fingerprint, make)``: ``make`` gives each path with its text."""


def library_exports(library: Library, meta_digests: Iterable[str]) -> list[Export]:
    """``(paths, fingerprint, make)`` for each job of the whole library's bibliography files."""
    metas = [n.meta for n in library.notes.values()]
    all_metas = list(meta_digests)

    def bib_files() -> tuple[tuple[str, str], ...]:
        return tuple(zip(BIB_FILES, bib.format_bibs(metas, bib.FLAVOURS), strict=True))

    return [
        (BIB_FILES, digest("bib", all_metas), bib_files),
        (
            ("library.json",),
            digest("csl", all_metas),
            lambda: (("library.json", csl.format_csl(metas)),),
        ),
        (
            ("library.ris",),
            digest("ris", all_metas),
            lambda: (("library.ris", ris.format_ris(metas)),),
        ),
    ]

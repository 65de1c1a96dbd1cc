"""The library's bibliography files on the site: BibTeX, BibLaTeX, CSL JSON and RIS.

Each is a job of stage 4 (``plan``), fingerprinted by every note's metadata digest: an edit
to a note's body leaves them all as they are. The two ``.bib`` files are one job: each note's
entry is built once for both (``export.format_bibs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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

    # The writers (and pybtex) are imported when a file is made: an edit of a body makes none.
    def bib_files() -> tuple[tuple[str, str], ...]:
        from papernotes.bib import export as bib

        return tuple(zip(BIB_FILES, bib.format_bibs(metas, bib.FLAVOURS), strict=True))

    def csl_file() -> tuple[tuple[str, str], ...]:
        from papernotes.bib.csl import format_csl

        return (("library.json", format_csl(metas)),)

    def ris_file() -> tuple[tuple[str, str], ...]:
        from papernotes.bib.ris import format_ris

        return (("library.ris", format_ris(metas)),)

    return [
        (BIB_FILES, digest("bib", all_metas), bib_files),
        (("library.json",), digest("csl", all_metas), csl_file),
        (("library.ris",), digest("ris", all_metas), ris_file),
    ]

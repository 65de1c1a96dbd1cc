"""The library's bibliography files on the site: BibTeX, BibLaTeX, CSL JSON and RIS.

Each is a job of stage 4 (``plan``), fingerprinted by every note's metadata digest: an edit
to a note's body leaves them all as they are. The two ``.bib`` files are one job: each note's
entry is built once for both (``export.format_entries``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from papernotes.incremental.cache import digest
from papernotes.incremental.searchmemo import once, same
from papernotes.model import Library, Metadata

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo

__all__ = ["BIB_FILES", "library_exports"]

_T = TypeVar("_T")

BIB_FILES = ("library.bib", "library-biblatex.bib")
"""The ``bibtex`` and ``biblatex`` flavours of the whole library, in ``bib.FLAVOURS`` order."""

Export = tuple[tuple[str, ...], str, Callable[[], tuple[tuple[str, str], ...]]]
"""``(paths, fingerprint, make)``: ``make`` gives each path with its text."""


def import_ahead() -> None:
    """Import now what the library's exports import when they first need it (the RIS writer,
    the ASCII spellings of letters, latexcodec and its table). They run in the building
    process while its pool forks workers (``sitejobs.run_jobs``): a module being imported at
    a fork stays locked in the worker for good, and the next import of it there hangs. A
    build of an Obsidian vault hung so, latexcodec first needed by library.bib."""
    import latexcodec  # noqa: F401  (registers the "latex" codec)

    from papernotes.bib import ris, texascii, texletters  # noqa: F401

    "\u0150".encode("latex")  # its table, read on the first use


def library_exports(
    library: Library,
    meta_digests: Iterable[str],
    memo: SaveMemo | None = None,
    entries: Callable[[Metadata], tuple[str, ...]] | None = None,
) -> list[Export]:
    """``(paths, fingerprint, make)`` for each job of the whole library's bibliography files.
    With ``memo`` (``serve``'s), an entry is formatted again only for a note whose metadata is
    not the same object as at the last save: an edit of one note's metadata formats one entry
    (formatting every entry of 5,000 notes took seconds). ``entries`` gives a note's entry in
    each flavour (the build's ``EntryTexts.take``: the ones its paper pages made already)."""
    all_metas = tuple(meta_digests)

    def each(tag: str, one: Callable[[Metadata], _T]) -> list[_T]:
        metas = [n.meta for n in library.notes.values()]  # when a file is made alone
        return [once(memo, tag, (m,), partial(one, m)) for m in metas]

    # The writers (and pybtex) are imported when a file is made: an edit of a body makes none.
    def bib_files() -> tuple[tuple[str, str], ...]:
        from papernotes.bib import export as bib

        both = each("bib", entries or partial(bib.format_entries, flavours=bib.FLAVOURS))
        return tuple((p, "\n".join(e[i] for e in both)) for i, p in enumerate(BIB_FILES))

    def csl_file() -> tuple[tuple[str, str], ...]:
        from papernotes.bib import csl

        return (("library.json", csl.csl_array(each("csl-line", csl.csl_line))),)

    def ris_file() -> tuple[tuple[str, str], ...]:
        from papernotes.bib import ris

        return (("library.ris", "".join(each("ris", ris.format_record))),)

    # Kept while every note's metadata digest is the same (``serve``): a save compares them,
    # most of them the very strings, instead of hashing them all three times.
    bib, csl, ris = same(memo, "library-exports", all_metas, partial(_prints, all_metas))
    return [
        (BIB_FILES, bib, bib_files),
        (("library.json",), csl, csl_file),
        (("library.ris",), ris, ris_file),
    ]


def _prints(metas: tuple[str, ...]) -> tuple[str, str, str]:
    return digest("bib", list(metas)), digest("csl", list(metas)), digest("ris", list(metas))

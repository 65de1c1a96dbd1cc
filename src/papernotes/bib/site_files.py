"""The library's bibliography files on the site: BibTeX, BibLaTeX, CSL JSON and RIS.

Each is a job of stage 4 (``plan``), fingerprinted by every note's metadata digest: an edit
to a note's body leaves them all as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from papernotes.bib import csl, ris
from papernotes.bib import export as bib
from papernotes.incremental.cache import digest
from papernotes.incremental.searchmemo import once
from papernotes.model import Library, Metadata

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo

__all__ = ["library_exports"]


def library_exports(
    library: Library, meta_digests: Iterable[str], memo: SaveMemo | None = None
) -> list[tuple[str, str, Callable[[], str]]]:
    """``(path, fingerprint, make)`` for each bibliography file of the whole library. With
    ``memo`` (``serve``'s), an entry is formatted again only for a note whose metadata is not
    the same object as at the last save: an edit of one note's metadata formats one entry
    (formatting every entry of 5,000 notes took seconds)."""
    metas = [n.meta for n in library.notes.values()]
    all_metas = list(meta_digests)

    def each(tag: str, one: Callable[[Metadata], str]) -> list[str]:
        return [once(memo, tag, (m,), partial(one, m)) for m in metas]

    def bibtex(flavour: bib.Flavour) -> str:
        return "\n".join(each(f"bib-{flavour}", partial(bib.format_entry, flavour=flavour)))

    return [
        ("library.bib", digest("bib", all_metas), partial(bibtex, "bibtex")),
        (
            "library-biblatex.bib",
            digest("library-biblatex.bib", all_metas),
            partial(bibtex, "biblatex"),
        ),
        (
            "library.json",
            digest("csl", all_metas),
            lambda: csl.csl_array(each("csl-line", csl.csl_line)),
        ),
        ("library.ris", digest("ris", all_metas), lambda: "".join(each("ris", ris.format_record))),
    ]

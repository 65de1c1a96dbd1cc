"""Each note's .bib entry made once a build, for its paper page and for the site's .bib files.

A paper page shows its note's BibTeX entry and ``library.bib`` holds it again: both were made
from the metadata (``export.to_entry``, most of the cost) on their own, a tenth of a second at
1,000 notes. A :class:`EntryTexts` belongs to one build's ``Renderer``: the first of the two
to ask makes the entry in every flavour, the other takes it. A paper page rendered in a forked
worker makes only its own flavour: the .bib files are made in the building process, which
never sees what a worker kept.
"""

from __future__ import annotations

import os

from papernotes.bib.export import FLAVOURS, format_entries
from papernotes.model import Metadata

__all__ = ["EntryTexts"]


class EntryTexts:
    """One build's entries: ``meta`` → its entry's text in each of ``export.FLAVOURS``.

    An entry is kept (by its note's key, for that very metadata object) until :meth:`take`
    gives it to the .bib files, which need each once: at most one entry a note is held, as
    long as the build runs, and only when a paper page made it first.
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Metadata, tuple[str, ...]]] = {}
        self._pid = os.getpid()  # the process that takes them (a page worker is a fork)

    def _made(self, meta: Metadata, keep: bool) -> tuple[str, ...]:
        kept = self._kept.pop(meta.key, None) if not keep else self._kept.get(meta.key)
        if kept is not None and kept[0] is meta:
            return kept[1]
        texts = format_entries(meta, FLAVOURS)
        if keep:
            self._kept[meta.key] = (meta, texts)
        return texts

    def bibtex(self, meta: Metadata) -> str:
        """The ``bibtex`` flavour (a paper page's), the other flavours kept for :meth:`take`."""
        if os.getpid() != self._pid:  # a worker's: kept for nobody (a fifth of the making)
            return format_entries(meta, ("bibtex",))[0]
        return self._made(meta, keep=True)[FLAVOURS.index("bibtex")]

    def take(self, meta: Metadata) -> tuple[str, ...]:
        """Every flavour, in ``export.FLAVOURS`` order; what was kept of it is let go."""
        return self._made(meta, keep=False)

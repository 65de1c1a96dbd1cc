"""Each note's .bib entry made once a build, for its paper page and for the site's .bib files.

A paper page shows its note's BibTeX entry and ``library.bib`` holds it again: both were made
from the metadata (``export.to_entry``, most of the cost) on their own, a tenth of a second at
1,000 notes. A :class:`EntryTexts` belongs to one build's ``Renderer``: the first of the two
to ask makes the entry in every flavour, the other takes it.

A paper page rendered in a forked worker makes every flavour too and sends them back with its
page (:meth:`EntryTexts.sent`, ``render.Output.entries``); the building process keeps what
comes back (:meth:`EntryTexts.receive`) until the .bib files, made at their turn after the
paper pages (``sitejobs.Job.late``), take it. Made again in the building process, every entry
of 50,000 notes took it 6.4 s of CPU while the workers had run out of pages to render.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from papernotes.bib.export import FLAVOURS, format_entries
from papernotes.model import Metadata

if TYPE_CHECKING:
    from papernotes.incremental.spool import Spool

__all__ = ["EntryTexts", "Sent"]

Sent = tuple[tuple[str, tuple[str, ...]], ...]
"""Entries a worker made: each note's key and its entry in every flavour (``FLAVOURS`` order)."""


class EntryTexts:
    """One build's entries: ``meta`` → its entry's text in each of ``export.FLAVOURS``.

    An entry is kept (by its note's key) until :meth:`take` gives it to the .bib files, which
    need each once: at most one entry a note is held, as long as the build runs, and only
    when a paper page made it first. What workers send back is held in ``spool`` when there
    is one (a cold build's: two numbers a note here instead of its texts).
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Metadata, tuple[str, ...]]] = {}
        self._received: dict[str, tuple[str, ...] | tuple[int, int]] = {}
        self._outbox: list[tuple[str, tuple[str, ...]]] = []
        self._pid = os.getpid()  # the process that takes them (a page worker is a fork)
        self.spool: Spool | None = None
        """Where what workers send back is held (None: in memory)."""

    def _made(self, meta: Metadata, keep: bool) -> tuple[str, ...]:
        kept = self._kept.pop(meta.key, None) if not keep else self._kept.get(meta.key)
        if kept is not None and kept[0] is meta:
            return kept[1]
        texts = format_entries(meta, FLAVOURS)
        if keep:
            self._kept[meta.key] = (meta, texts)
        return texts

    def bibtex(self, meta: Metadata) -> str:
        """The ``bibtex`` flavour (a paper page's), the other flavours kept for :meth:`take`;
        in a forked worker, kept for :meth:`sent`."""
        if os.getpid() != self._pid:  # a worker's: sent back with its page
            texts = format_entries(meta, FLAVOURS)
            self._outbox.append((meta.key, texts))
        else:
            texts = self._made(meta, keep=True)
        return texts[FLAVOURS.index("bibtex")]

    def sent(self) -> Sent:
        """The entries this worker made since the last call, to go back with its page; none
        in the building process (it keeps its own)."""
        out, self._outbox = tuple(self._outbox), []
        return out

    def receiving(self, spool: Spool | None) -> Callable[[Sent], None]:
        """:meth:`receive`, what it keeps held in ``spool`` (a cold build's) when there is
        one."""
        self.spool = spool
        return self.receive

    def receive(self, sent: Sent) -> None:
        """Keep what a worker :meth:`sent`, for :meth:`take`. Entries are of this build's
        notes: the library does not change while it builds, so a key names its metadata."""
        spool = self.spool
        for key, texts in sent:
            where = spool.put(json.dumps(texts).encode("utf-8")) if spool is not None else None
            self._received[key] = texts if where is None else where

    def take(self, meta: Metadata) -> tuple[str, ...]:
        """Every flavour, in ``export.FLAVOURS`` order; what was kept of it is let go."""
        got = self._received.pop(meta.key, None)
        if got is None:
            return self._made(meta, keep=False)
        self._kept.pop(meta.key, None)
        if isinstance(got[0], str):
            return got
        assert self.spool is not None
        return tuple(self.spool.json(*got))

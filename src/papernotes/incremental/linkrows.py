"""What ``link`` found in each note, kept in the cache index for the next build, so that an
edit build (from the command line, without ``serve``'s memory) links only the notes whose
text changed.

Linking every note was the largest part of an edit build's stage 3 (73 ms of CPU at 1,000
notes, for one body edited). What ``link_note`` finds in a note depends on its own text and on
what its links resolve against: every note's key and file, the names notes go by and those two
share, the library's files, the notes folder, the symlinks out, the drafts and the excluded
files (``link.link``'s ``where``, which ``serve``'s memo keys on too). :func:`context_digest`
hashes those; while it is the same, a note whose text is the same finds what it found.

Only plain notes are kept: no embeds (an embed shows another note's headings and blocks), no
problems (their messages are not stored), and no Dendron link to reorder (the linked note is
the note given). The others are linked every build, as is every note when the digest moved.

The rows are untrusted input like the rest of the cache (decoded against
``summary.LinkRows`` by ``incremental.codec``): rows that do not line up are not used, and a
row is used only for a note whose file and text digest it names, and only if every note it
cites or mentions is in the library. At worst a crafted row keeps a page's citations stale, as
a crafted fingerprint in the same index can keep a page.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from papernotes.incremental.cache import digest
from papernotes.linknote import NoteLinks
from papernotes.model import CiteKey, External

if TYPE_CHECKING:
    from papernotes.incremental.cache import BuildCache, NoteEntry
    from papernotes.incremental.summary import LinkRows
    from papernotes.model import Note

__all__ = ["LinkStore", "context_digest"]


def context_digest(
    idents: tuple[tuple[str, str], ...],
    aliases: Mapping[str, str],
    shared: Mapping[str, tuple[tuple[str, str], ...]],
    files: Collection[str],
    papers_dir: str,
    outside: Mapping[str, str],
    drafts: Collection[str],
    excluded: Collection[str],
) -> str:
    """What every note's links resolve against (sets sorted: a frozenset's order is the
    process's hash seed's)."""
    where = (sorted(files), papers_dir, sorted(outside.items()), sorted(drafts))
    return digest("link", idents, aliases, shared, *where, sorted(excluded))


class LinkStore:
    """The last build's rows (``last``, or None) and the notes' text digests now (``shas``,
    by file): :meth:`take` gives a note's links from them, :meth:`keep` gathers this build's
    rows, :meth:`rows` gives them for the summary; ``linked`` counts the notes linked again
    (what the tests count)."""

    def __init__(self, last: LinkRows | None, shas: Mapping[str, str]) -> None:
        self._last = last if last is not None and last.fits() else None
        self._shas = shas
        self._at: dict[str, int] = {}
        self._context = ""
        self._sources: list[str] = []
        self._row_shas: list[str] = []
        self._targets: list[str] = []
        self._ends: list[int] = []
        self.linked = 0

    @classmethod
    def of(cls, previous: BuildCache | None, parsed: Mapping[str, NoteEntry]) -> LinkStore:
        """A build's store: the rows in ``previous``'s summary, the texts as ``parsed``."""
        summary = previous.summary if previous is not None else None
        last = summary.linked if summary is not None else None
        return cls(last, {path: sha for path, (sha, _, _) in parsed.items()})

    def open(self, context: str, keys: Collection[str]) -> None:
        """Start a build whose links resolve against ``context`` (``context_digest``), among
        the notes ``keys``: the last rows hold only if it is theirs."""
        self._context, self._keys = context, keys
        last = self._last
        if last is not None and last.context == context:
            self._at = {s: i for i, s in enumerate(last.sources)}

    def take(self, note: Note) -> NoteLinks | None:
        """What the last build found in ``note``, if its text is the same, else None."""
        i = self._at.get(note.source)
        last = self._last
        # The same text parses to the same body: one with embeds had no row (``keep``), so
        # the body is not read here (a note's body may be decoded only when read).
        if i is None or last is None or last.shas[i] != self._shas.get(note.source):
            return None
        ends, targets = last.ends, last.targets
        start = ends[3 * i - 1] if i else 0
        a, b, c = ends[3 * i : 3 * i + 3]
        if not start <= a <= b <= c:
            return None
        cites = tuple(map(CiteKey, targets[start:a]))
        mentions = tuple(map(CiteKey, targets[a:b]))
        keys = self._keys
        if not all(k in keys for k in (*cites, *mentions)):
            return None
        papers = []
        for text in targets[b:c]:
            kind, colon, ident = text.partition(":")
            if not colon or kind not in ("arxiv", "doi"):
                return None
            papers.append(External(kind, ident))
        return NoteLinks(note, cites, mentions, tuple(papers), ())

    def keep(self, given: Note, found: NoteLinks, *, taken: bool = False) -> None:
        """Keep a row for ``found`` (what ``given`` was found to link) if it is plain;
        ``taken``: found by :meth:`take` (plain, and its body is not read)."""
        sha = self._shas.get(given.source)
        if found.note is not given or found.diagnostics or sha is None:
            return
        if not taken and given.body.embeds:
            return
        self._sources.append(given.source)
        self._row_shas.append(sha)
        targets = self._targets
        targets += found.cites
        self._ends.append(len(targets))
        targets += found.mentions
        self._ends.append(len(targets))
        targets += (f"{e.kind}:{e.ident}" for e in found.external)
        self._ends.append(len(targets))

    def rows(self) -> LinkRows:
        """This build's rows, for the next one."""
        from papernotes.incremental.summary import LinkRows

        return LinkRows(
            self._context,
            tuple(self._sources),
            tuple(self._row_shas),
            tuple(self._targets),
            tuple(self._ends),
        )

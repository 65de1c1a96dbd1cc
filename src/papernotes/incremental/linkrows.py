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

The names notes go by and their labels ("Hu et al., 2021a") are made from every note's file
and front matter: a quarter of a second at 10,000 notes, for an edit that changed neither. So
they are kept too, with a digest of what they were made from (each note's file, key and front
matter digest, the last summary's for a note whose text is the same: :func:`names_key`), and
taken while that is the same.

The rows are untrusted input like the rest of the cache (decoded against :class:`LinkRows`
by ``incremental.codec``): rows that do not line up are not used, and a row is used only for a
note whose file and text digest it names, and only if every note it cites or mentions is in
the library; the names only if every note they name is. At worst a crafted row keeps a page's
citations stale, as a crafted fingerprint in the same index can keep a page.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING

from papernotes.incremental.cache import digest
from papernotes.linknote import NoteLinks
from papernotes.model import CiteKey, External

if TYPE_CHECKING:
    from papernotes.incremental.cache import BuildCache, NoteEntry
    from papernotes.model import Note

__all__ = ["LinkRows", "LinkStore", "Names", "context_digest", "names_key", "ordered"]

Names = tuple[tuple[dict[str, CiteKey], dict[str, tuple["Note", ...]]], dict[CiteKey, str]]
"""What ``link`` makes of every note's file and front matter: (the names notes go by → the
key of the note, the names two notes share → those notes), and each note's label."""


def ordered(ends: tuple[int, ...], size: int) -> bool:
    """Whether ``ends`` are places in a column of ``size`` values, in order."""
    return all(0 <= a <= b for a, b in pairwise(ends)) and (not ends or 0 <= ends[-1] <= size)


@dataclass(frozen=True, slots=True)
class LinkRows:
    """What ``link`` found in each plain note (no embeds, no problems, no Dendron link to
    reorder), a column per field, for the next build to take where the note's text and
    ``context`` are the same; and the names and labels it made, with what from."""

    context: str
    """Digest of what every note's links resolved against (:func:`context_digest`)."""
    sources: tuple[str, ...]
    """Each plain note's file."""
    shas: tuple[str, ...]
    """The digest of its text."""
    targets: tuple[str, ...]
    """The notes it cites, then those it mentions, then ``kind:ident`` of the papers it
    cites that have no note, one note's after the other's."""
    ends: tuple[int, ...]
    """Per note three places in ``targets``: where its cites, mentions and papers end."""
    names: str = ""
    """Digest of what the names and labels were made from (:func:`names_key`); "": none."""
    aliases: tuple[str, ...] = ()
    """Every name a note goes by (folded), in the order ``link`` made them."""
    alias_keys: tuple[str, ...] = ()
    """The key of the note each one is."""
    shared: tuple[str, ...] = ()
    """The names two or more notes share, in order."""
    shared_ends: tuple[int, ...] = ()
    """Where each one's notes end in ``shared_keys``."""
    shared_keys: tuple[str, ...] = ()
    """The keys of the notes sharing each, one name's after the other's."""
    labels: tuple[str, ...] = ()
    """Every note's label, in the order ``link`` made them."""
    label_keys: tuple[str, ...] = ()
    """The key of the note of each."""

    def fits(self) -> bool:
        """Whether the columns line up (a crafted file may say anything)."""
        n = len(self.sources)
        return (
            len(self.shas) == n
            and len(self.ends) == 3 * n
            and ordered(self.ends, len(self.targets))
            and len(self.alias_keys) == len(self.aliases)
            and len(self.shared_ends) == len(self.shared)
            and ordered(self.shared_ends, len(self.shared_keys))
            and len(self.label_keys) == len(self.labels)
        )

    def names_of(self, key: str, notes: Mapping[CiteKey, Note]) -> Names | None:
        """The names and labels, if they were made from ``key`` and name only ``notes``."""
        named = {*self.alias_keys, *self.shared_keys, *self.label_keys}
        if not self.names or self.names != key or not notes.keys() >= named:
            return None
        aliases = dict(zip(self.aliases, map(CiteKey, self.alias_keys), strict=True))
        starts = (0, *self.shared_ends)
        shared = {
            name: tuple(notes[CiteKey(k)] for k in self.shared_keys[a:b])
            for name, a, b in zip(self.shared, starts, self.shared_ends, strict=False)
        }
        labels = dict(zip(map(CiteKey, self.label_keys), self.labels, strict=True))
        return (aliases, shared), labels


def names_key(notes: Sequence[Note], metas: Callable[[Note], str]) -> str:
    """What the names and labels of ``notes`` (in ``link``'s order) are made from: each one's
    file, key (a key may come from the note's path: ``link._qualify``) and front matter
    digest (``metas``)."""
    return digest("names", [(n.source, n.key, metas(n)) for n in notes])


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

    def __init__(
        self,
        last: LinkRows | None,
        shas: Mapping[str, str],
        metas: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        """``metas``: each note file → (its text digest, its front matter digest) at the last
        build (its summary's)."""
        self._last = last if last is not None and last.fits() else None
        self._shas = shas
        self._metas = metas or {}
        self._names: tuple[str, Names] | None = None
        self.named = 0
        """How many times the names and labels were made (what the tests count)."""
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
        metas = None
        if summary is not None and summary.fits():
            pairs = zip(summary.shas, summary.metas, strict=True)
            metas = dict(zip(summary.sources, pairs, strict=True))
        return cls(last, {path: sha for path, (sha, _, _) in parsed.items()}, metas)

    def names(
        self, notes: Sequence[Note], by_key: Mapping[CiteKey, Note], make: Callable[[], Names]
    ) -> Names:
        """The names and labels of ``notes`` (``link``'s, in its order; ``by_key``: the same
        by key): the last build's if they were made from the same, else ``make()``."""

        def meta(note: Note) -> str:  # the last build's digest, where the text is the same
            last = self._metas.get(note.source)
            sha = self._shas.get(note.source)
            # ``fingerprints.meta_digest``'s, made here as it makes it: that counts the
            # notes stage 4 fingerprints (an edited note's front matter is hashed twice).
            return last[1] if last is not None and sha == last[0] else digest(note.meta)

        key = names_key(notes, meta)
        found = self._last.names_of(key, by_key) if self._last is not None else None
        if found is None:
            found = make()
            self.named += 1
        self._names = (key, found)
        return found

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
        columns = (tuple(self._sources), tuple(self._row_shas), tuple(self._targets))
        if self._names is None:
            return LinkRows(self._context, *columns, tuple(self._ends))
        key, ((aliases, shared), labels) = self._names
        return LinkRows(
            self._context,
            *columns,
            tuple(self._ends),
            names=key,
            aliases=tuple(aliases),
            alias_keys=tuple(aliases.values()),
            shared=tuple(shared),
            shared_ends=tuple(accumulate(map(len, shared.values()))),
            shared_keys=tuple(n.key for group in shared.values() for n in group),
            labels=tuple(labels.values()),
            label_keys=tuple(labels),
        )

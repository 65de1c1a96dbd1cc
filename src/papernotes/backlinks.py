"""Backlinks in context: for each note, the notes that cite or mention it and what they say.

Part of the link stage (:func:`papernotes.link.link` calls :func:`backlinks` once the graph is
known): the sentences were recorded when each body was parsed (``markdown.context``), with the
citations in them as holes; here they get the labels the library gives them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from papernotes.incremental.searchmemo import once
from papernotes.markdown._types import Passage
from papernotes.markdown.context import fill
from papernotes.model import Backlink, CiteKey, Library, Note

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.incremental.spool import Spool

__all__ = ["Backlinks", "backlinks", "backlinks_digest", "label_of", "said_of"]


def label_of(library: Library, target: str) -> str:
    """What a citation of ``target`` shows as text: its note's label, else the target."""
    found = library.resolve(target)
    return library.labels.get(found, target) if isinstance(found, str) else target


def backlinks(
    library: Library, memo: SaveMemo | None = None, token: object = None
) -> dict[CiteKey, tuple[Backlink, ...]]:
    """Every note that cites (front matter, ``[@key]``) or mentions (a wikilink, an embed)
    each note, in library order, with the first sentence it does so in.

    With a ``memo`` (``serve``'s), what a note says of the others is kept while the note,
    what it cites and mentions, and ``token`` (every name and label as they were: see
    :func:`papernotes.link.link`) are the same objects."""
    out: dict[CiteKey, list[Backlink]] = defaultdict(list)
    for source, note in library.notes.items():
        cites, mentions = library.cites.get(source, ()), library.mentions.get(source, ())
        said = once(
            memo,
            "backlinks",
            (note, cites, mentions, token),
            partial(said_of, library, source, note),
        )
        for target, link in said:
            out[target].append(link)
    return {k: tuple(v) for k, v in out.items()}


def backlinks_digest(links: Mapping[CiteKey, tuple[Backlink, ...]], target: CiteKey) -> str:
    """A digest of ``target``'s backlinks ("" when it has none), what a paper page's
    fingerprint holds of them: the same whether they are in memory or spooled
    (:meth:`Backlinks.digest_of`), where they are not decoded to be digested."""
    if isinstance(links, Backlinks):
        return links.digest_of(target)
    found = links.get(target)
    return "" if found is None else _digest(_encoded(found))


def _encoded(links: tuple[Backlink, ...]) -> bytes:
    """``links`` as the spool holds them (JSON)."""
    import json

    return json.dumps(links).encode()


def _digest(data: bytes) -> str:
    from papernotes.blake import blake2b

    return blake2b(data, digest_size=16).hexdigest()


class _Spooled(NamedTuple):
    """Where a note's backlinks are in the spool (their JSON)."""

    at: int
    size: int


class Backlinks(Mapping[CiteKey, tuple[Backlink, ...]]):
    """:func:`backlinks` of ``library``, each note's made when first asked for: a build after
    an edit shows the backlinks of the few pages it renders again, and asking every note what
    it says of the others was a third of linking 1,000 notes. The same values in the same
    order as :func:`backlinks` makes (``said`` counts the notes asked, for the tests).

    A cold build asks for every note's in its own process (the pages' fingerprints), then
    each page worker for its page's: with a ``spool``, each note's backlinks go to it once
    made, and what a note says of the others is let go once every note it names has its
    own, so the process that forks the page workers holds neither (at 2,000 notes the
    quoted sentences were 1.4 KB a note)."""

    __slots__ = ("_done", "_keys", "_left", "_library", "_place", "_said", "_spool", "said")

    def __init__(self, library: Library, spool: Spool | None = None) -> None:
        self._library = library
        self._done: dict[CiteKey, tuple[Backlink, ...] | _Spooled] = {}
        self._said: dict[CiteKey, tuple[tuple[CiteKey, Backlink], ...]] = {}
        self._left: dict[CiteKey, int] = {}  # with a spool: notes named, whose are not made
        self._keys: dict[CiteKey, None] | None = None
        self._place: dict[CiteKey, int] | None = None
        self._spool = spool
        self.said = 0
        """How many notes were asked what they say of the others."""

    def _targets(self) -> dict[CiteKey, None]:
        """Every note some note cites or mentions, in the order :func:`backlinks` meets them."""
        if self._keys is None:
            library, keys = self._library, dict[CiteKey, None]()
            for source in library.notes:
                keys.update(dict.fromkeys(library.cites.get(source, ())))
                keys.update(dict.fromkeys(library.mentions.get(source, ())))
            self._keys = keys
        return self._keys

    def __getitem__(self, target: CiteKey) -> tuple[Backlink, ...]:
        done = self._done.get(target)
        if done is not None:
            return self._read(done) if isinstance(done, _Spooled) else done
        library = self._library
        by = {*library.cited_by.get(target, ()), *library.mentioned_by.get(target, ())}
        if not by:
            raise KeyError(target)
        if self._place is None:
            self._place = {k: i for i, k in enumerate(library.notes)}
        place = self._place
        found: list[Backlink] = []
        for source in sorted((s for s in by if s in place), key=place.__getitem__):
            said = self._said.get(source)
            if said is None:
                said = self._said[source] = said_of(library, source, library.notes[source])
                self.said += 1
                if self._spool is not None:
                    self._left[source] = len({t for t, _ in said})
            found.extend(link for t, link in said if t == target)
        if self._spool is not None:
            self._let_go(by)
        if not found:
            raise KeyError(target)
        done = tuple(found)
        self._done[target] = self._put(done)
        return done

    def _put(self, done: tuple[Backlink, ...]) -> tuple[Backlink, ...] | _Spooled:
        """Where in the spool ``done`` went; ``done`` itself when it did not (no spool, a
        full disk, or a page worker: the spool is its parent's to write)."""
        where = None if self._spool is None else self._spool.put(_encoded(done))
        return done if where is None else _Spooled(*where)

    def digest_of(self, target: CiteKey) -> str:
        """:func:`backlinks_digest` of ``target``: a cold build's pages' fingerprints ask for
        every note's, spooled by then (``plan``'s ``meanwhile``), and digesting the bytes read
        spares decoding them (at 1,000 notes, 20 ms of the parent's CPU alone)."""
        done = self._done.get(target)
        if isinstance(done, _Spooled):
            assert self._spool is not None  # only a spool gives a place
            return _digest(self._spool.get(done.at, done.size))
        found = self.get(target)
        return "" if found is None else _digest(_encoded(found))

    def _read(self, where: _Spooled) -> tuple[Backlink, ...]:
        """A note's backlinks from where :meth:`_put` wrote them."""
        import json

        assert self._spool is not None  # only a spool gives a place
        data = json.loads(self._spool.get(where.at, where.size))
        return tuple(Backlink(*link) for link in data)

    def _let_go(self, by: set[CiteKey]) -> None:
        """Forget what each of ``by`` says once every note it names has its backlinks (a note
        asked again is asked anew: the same values)."""
        for source in by:
            left = self._left.get(source)
            if left is not None:
                if left <= 1:
                    del self._left[source]
                    self._said.pop(source, None)
                else:
                    self._left[source] = left - 1

    def __iter__(self) -> Iterator[CiteKey]:
        return iter(self._targets())

    def __len__(self) -> int:
        return len(self._targets())

    def __contains__(self, target: object) -> bool:
        return target in self._targets()


def said_of(library: Library, source: CiteKey, note: Note) -> tuple[tuple[CiteKey, Backlink], ...]:
    """What ``note`` says of each note it cites or mentions: (that note, its backlink)."""

    def label(target: str) -> str:
        return label_of(library, target)

    found: list[tuple[CiteKey, Backlink]] = []
    formal: set[CiteKey] = set(library.cites.get(source, ()))
    said: dict[CiteKey, Passage] = {}
    for citation in note.body.citations:
        for key in citation.keys:
            target = library.resolve(key)
            if not isinstance(target, str) or target == source:
                continue
            if citation.syntax == "pandoc":
                formal.add(target)
            if citation.context is not None:
                said.setdefault(target, citation.context)
    embeds = {library.resolve(e.target) for e in note.body.embeds}
    for target in (*library.cites.get(source, ()), *library.mentions.get(source, ())):
        where = said.get(target)
        if where is None:
            shown = target not in formal and target in embeds
            found.append((target, Backlink(source, target in formal, embedded=shown)))
            continue
        before, cited, after = (fill(t, label) for t in (where.before, where.cited, where.after))
        found.append((target, Backlink(source, target in formal, before, cited, after)))
    return tuple(found)

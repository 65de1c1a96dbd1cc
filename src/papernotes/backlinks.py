"""Backlinks in context: for each note, the notes that cite or mention it and what they say.

Part of the link stage (:func:`papernotes.link.link` calls :func:`backlinks` once the graph is
known): the sentences were recorded when each body was parsed (``markdown.context``), with the
citations in them as holes; here they get the labels the library gives them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING

from papernotes.incremental.searchmemo import once
from papernotes.markdown._types import Passage
from papernotes.markdown.context import fill
from papernotes.model import Backlink, CiteKey, Library, Note

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo

__all__ = ["Backlinks", "backlinks", "label_of", "said_of"]


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


class Backlinks(Mapping[CiteKey, tuple[Backlink, ...]]):
    """:func:`backlinks` of ``library``, each note's made when first asked for: a build after
    an edit shows the backlinks of the few pages it renders again, and asking every note what
    it says of the others was a third of linking 1,000 notes. The same values in the same
    order as :func:`backlinks` makes (``said`` counts the notes asked, for the tests)."""

    __slots__ = ("_done", "_keys", "_library", "_place", "_said", "said")

    def __init__(self, library: Library) -> None:
        self._library = library
        self._done: dict[CiteKey, tuple[Backlink, ...]] = {}
        self._said: dict[CiteKey, tuple[tuple[CiteKey, Backlink], ...]] = {}
        self._keys: dict[CiteKey, None] | None = None
        self._place: dict[CiteKey, int] | None = None
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
            return done
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
            found.extend(link for t, link in said if t == target)
        if not found:
            raise KeyError(target)
        done = self._done[target] = tuple(found)
        return done

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

"""Backlinks in context: for each note, the notes that cite or mention it and what they say.

Part of the link stage (:func:`papernotes.link.link` calls :func:`backlinks` once the graph is
known): the sentences were recorded when each body was parsed (``markdown.context``), with the
citations in them as holes; here they get the labels the library gives them.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING

from papernotes.incremental.searchmemo import once
from papernotes.markdown._types import Passage
from papernotes.markdown.context import fill
from papernotes.model import Backlink, CiteKey, Library, Note

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo

__all__ = ["backlinks", "label_of", "said_of"]


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

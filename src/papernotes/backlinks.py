"""Backlinks in context: for each note, the notes that cite or mention it and what they say.

Part of the link stage (:func:`papernotes.link.link` calls :func:`backlinks` once the graph is
known): the sentences were recorded when each body was parsed (``markdown.context``), with the
citations in them as holes; here they get the labels the library gives them.
"""

from __future__ import annotations

from collections import defaultdict

from papernotes.markdown._types import Passage
from papernotes.markdown.context import fill
from papernotes.model import Backlink, CiteKey, Library

__all__ = ["backlinks", "label_of"]


def label_of(library: Library, target: str) -> str:
    """What a citation of ``target`` shows as text: its note's label, else the target."""
    found = library.resolve(target)
    return library.labels.get(found, target) if isinstance(found, str) else target


def backlinks(library: Library) -> dict[CiteKey, tuple[Backlink, ...]]:
    """Every note that cites (front matter, ``[@key]``) or mentions (a wikilink, an embed)
    each note, in library order, with the first sentence it does so in."""

    def label(target: str) -> str:
        return label_of(library, target)

    out: dict[CiteKey, list[Backlink]] = defaultdict(list)
    for source, note in library.notes.items():
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
                out[target].append(Backlink(source, target in formal, embedded=shown))
                continue
            before, cited, after = (
                fill(t, label) for t in (where.before, where.cited, where.after)
            )
            out[target].append(Backlink(source, target in formal, before, cited, after))
    return {k: tuple(v) for k, v in out.items()}

"""The linked library kept from one save to the next, so that a save links the notes it changed
and patches the library, instead of walking every note (``serve``).

``link.link`` looks every note up in the save memo, gathers the citation graph and every
note's problems, and asks every note for its backlinks: at 10,000 notes a fifth of a save,
for an edit of one body. :class:`LinkMemo` gives the same library (the session tests hold
``serve`` to a clean build byte for byte) when what changed cannot move the graph: the same
notes in the same files, with the same metadata, no embeds, and no clash of ids; each note
saved is linked again, and kept only if it cites and mentions what it did. Then the library
is the last one with those notes, their external papers and problems replaced, and the
backlinks they give their targets spliced in. Anything else: ``link`` links as it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, compress
from operator import attrgetter, is_not
from typing import TYPE_CHECKING

from papernotes.backlinks import said_of
from papernotes.linknote import link_note

if TYPE_CHECKING:
    from papernotes.errors import Diagnostic
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.linknote import Names, NoteLinks
    from papernotes.model import Backlink, CiteKey, Library, Note

__all__ = ["LinkMemo", "Linked"]

_diagnostics = attrgetter("diagnostics")

_SAME = ("link-names", "link-context", "backlink-context")
"""What ``link`` keeps while equal (``memo.same``), and a patched save did not ask for."""
_MOST = 16
"""Notes changed at once beyond which a save links as a build does (a checkout, a rename)."""


@dataclass(frozen=True, slots=True)
class Linked:
    """What one run of ``link`` made, for the next save to patch."""

    inputs: tuple[object, ...]
    """Everything but the notes that ``link`` was given (files, folders, drafts…)."""
    notes: tuple[Note, ...]
    """The notes as given."""
    place: tuple[int, ...]
    """Each note given → its place in ``linked``."""
    embedding: tuple[int, ...]
    """The places in ``linked`` of the notes with embeds."""
    linked: tuple[NoteLinks, ...]
    """What each note was found to cite and mention, in library order."""
    head: tuple[Diagnostic, ...]
    """The problems found before linking (ids): none, or this is not kept."""
    names: Names
    token: object
    """What every note's links resolve against (``memo.once``'s key with the note)."""
    told: object
    """The same, with the labels: what backlinks are kept by."""
    library: Library
    diagnostics: tuple[Diagnostic, ...]


class LinkMemo:
    """The last library ``link`` made (see the module's docstring)."""

    def __init__(self) -> None:
        self.kept: Linked | None = None

    def embedding(self, notes: Mapping[CiteKey, Note]) -> tuple[Note, ...] | None:
        """The notes with embeds, when ``notes`` are the library's this memo kept (every other
        note has none); else None."""
        kept = self.kept
        if kept is None or kept.library.notes is not notes:
            return None
        return tuple(kept.linked[at].note for at in kept.embedding)

    def patch(
        self, notes: Sequence[Note], inputs: tuple[object, ...], memo: SaveMemo
    ) -> tuple[Library, tuple[Diagnostic, ...]] | None:
        """The library of ``notes`` patched from the last one, or None when it cannot be."""
        kept = self.kept
        if kept is None or len(notes) != len(kept.notes) or inputs != kept.inputs:
            return None
        changed = list(compress(range(len(notes)), map(is_not, notes, kept.notes)))
        if len(changed) > _MOST:
            return None
        for i in changed:
            old, new = kept.notes[i], notes[i]
            if new.source != old.source or new.meta != old.meta:
                return None
            if new.body.embeds or old.body.embeds:
                return None
        by_key = dict(kept.names.base.notes)
        by_key.update((notes[i].key, notes[i]) for i in changed)
        names = replace(kept.names, base=replace(kept.names.base, notes=by_key))
        linked = list(kept.linked)
        notes_before = {kept.place[i]: kept.notes[i] for i in changed}
        for i in changed:
            at = kept.place[i]
            made = memo.once(
                "link-note", (notes[i], kept.token), partial(link_note, notes[i], names)
            )
            before = linked[at]
            if made.cites != before.cites or made.mentions != before.mentions:
                return None
            memo.forget("link-note", (notes_before[at], kept.token))
            linked[at] = made
        touched = sorted({kept.place[i] for i in changed}.union(kept.embedding))
        for at in kept.embedding:  # an embed shows other notes' headings: linked every time
            made = link_note(by_key[linked[at].note.key], names)
            before = linked[at]
            if made.cites != before.cites or made.mentions != before.mentions:
                return None
            linked[at] = made
        library = kept.library
        notes_ = dict(library.notes)
        external = dict(library.external)
        for at in touched:
            found = linked[at]
            notes_[found.note.key] = found.note
            external[found.note.key] = found.external
        library = replace(library, notes=notes_, external=external)
        backlinks = dict(library.backlinks)
        moved = {linked[at].note.key for at in touched}
        for at in touched:
            found, before = linked[at], kept.linked[at]
            key = found.note.key
            cites, mentions = library.cites.get(key, ()), library.mentions.get(key, ())
            memo.forget("backlinks", (before.note, cites, mentions, kept.told))
            said = memo.once(
                "backlinks",
                (found.note, cites, mentions, kept.told),
                partial(said_of, library, key, found.note),
            )
            if not _splice(backlinks, key, said):
                return None
            moved.update(target for target, _ in said)
        library = replace(library, backlinks=backlinks)
        # Later stages look at these notes alone (their objects, external papers, backlinks
        # are the only ones that moved; the graph's maps are the very ones they were).
        was = kept.library
        memo.record("notes", was.notes, library.notes, moved)
        memo.record("backlinks", was.backlinks, library.backlinks, moved)
        memo.record("external", was.external, library.external, moved)
        diags = kept.diagnostics  # the notes linked again said what they said: the same
        if any(linked[at].diagnostics != kept.linked[at].diagnostics for at in touched):
            diags = (*kept.head, *chain.from_iterable(map(_diagnostics, linked)))
        self.kept = replace(
            kept,
            notes=tuple(notes),
            linked=tuple(linked),
            names=names,
            library=library,
            diagnostics=diags,
        )
        memo.hold("link-note", "backlinks", *_SAME)
        return library, diags

    def keep(
        self,
        notes: Sequence[Note],
        inputs: tuple[object, ...],
        linked: Sequence[NoteLinks],
        head: tuple[Diagnostic, ...],
        context: tuple[Names, object, object],
        done: tuple[Library, tuple[Diagnostic, ...]],
    ) -> None:
        """Keep what a full run of ``link`` made, when a save can patch it: no note renamed
        or left out for a clashing id, no embeds."""
        self.kept = None
        if head or len(linked) != len(notes):
            return
        order = {f.note.key: n for n, f in enumerate(linked)}
        place = tuple(order[n.key] for n in notes)
        names, token, told = context
        embedding = tuple(n for n, f in enumerate(linked) if f.note.body.embeds)
        self.kept = Linked(
            inputs, tuple(notes), place, embedding, tuple(linked), head, names, token, told, *done
        )


def _splice(
    backlinks: dict[CiteKey, tuple[Backlink, ...]],
    source: CiteKey,
    said: Sequence[tuple[CiteKey, Backlink]],
) -> bool:
    """Put what ``source`` says of each note in place of what it said: the same targets (it
    cites and mentions what it did), so each run of its backlinks is replaced where it is."""
    by_target: dict[CiteKey, list[Backlink]] = {}
    for target, link in said:
        by_target.setdefault(target, []).append(link)
    for target, links in by_target.items():
        old = backlinks.get(target, ())
        first = next((n for n, b in enumerate(old) if b.source == source), None)
        if first is None:
            return False
        end = first
        while end < len(old) and old[end].source == source:
            end += 1
        if end - first != len(links):
            return False
        backlinks[target] = (*old[:first], *links, *old[end:])
    return True

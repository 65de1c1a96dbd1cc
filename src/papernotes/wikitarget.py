"""What a ``[[…]]`` link names, beyond a note's key or name: Dendron's label-first order,
a file of the vault, a heading of the same note.

``[[a|b]]`` is Obsidian's ``[[note|label]]`` and Dendron's ``[[label|note.path]]``: the left
part is the target when it names something (also when both parts do), else the right part
when that does — the rule ``markdown.cite`` renders by, so the page, the backlinks and the
citation graph agree. ``[[fig.png]]`` names a file the way ``![[fig.png]]`` does
(``vault.resolve_embed``). ``[[#Heading]]`` and ``[[#^block]]`` name a part of the same note.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.markdown._types import BodyCitation
from papernotes.model import Library, Note
from papernotes.vault import FoundFile, has_fragment, resolve_embed

__all__ = ["check_self_links", "choose_order", "linked_files", "names_file"]


def _chosen(citation: BodyCitation, library: Library) -> BodyCitation:
    if not citation.alt or library.resolve(citation.keys[0]) is not None:
        return citation
    if library.resolve(citation.alt) is None:
        return citation
    # Dendron's order: cite the right part; the left one is kept as the other reading.
    return dataclasses.replace(citation, keys=(citation.alt,), alt=citation.keys[0])


def choose_order(note: Note, library: Library) -> Note:
    """``note`` with each ``[[label|note.path]]`` citing ``note.path`` when only it names a
    note (Dendron's order); the same note when no link needs it."""
    body = note.body
    chosen = tuple(_chosen(c, library) for c in body.citations)
    if all(a is b for a, b in zip(chosen, body.citations, strict=True)):
        return note
    return dataclasses.replace(note, body=dataclasses.replace(body, citations=chosen))


def names_file(note: Note, target: str, library: Library, papers_dir: str) -> bool:
    """Whether ``[[target]]``, naming no note, names a file of the vault (``[[fig.png]]``)."""
    found = resolve_embed(note, target, library, papers_dir)
    return isinstance(found, FoundFile) and found.path is not None


def linked_files(note: Note, library: Library, papers_dir: str) -> Iterator[str]:
    """The files of the vault a note's ``[[fig.png]]`` links name (published with it)."""
    for link in note.body.citations:
        if link.syntax != "wikilink" or not link.keys or library.resolve(link.keys[0]):
            continue
        found = resolve_embed(note, link.keys[0], library, papers_dir)
        if isinstance(found, FoundFile) and found.path is not None and found.path in library.files:
            yield found.path


def check_self_links(note: Note) -> list[Diagnostic]:
    """A warning for each ``[[#Heading]]`` or ``[[#^block]]`` naming nothing in the note."""
    diags: list[Diagnostic] = []
    for link in note.body.citations:
        if link.keys or not link.fragment or has_fragment(note.body, link.fragment):
            continue
        wanted = link.fragment.rsplit("#", 1)[-1].strip()
        what = "block" if wanted.startswith("^") else "heading"
        where = Location(note.source, note.body_line + link.line - 1, link.col)
        message = f'link "[[#{link.fragment}]]": no {what} "{wanted}" in this note'
        hint = "check the spelling; " + (
            "a block id ends its paragraph: ^id" if what == "block" else "headings ignore case"
        )
        diags.append(Diagnostic(Severity.WARNING, where, message, hint))
    return diags

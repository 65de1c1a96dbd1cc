"""What a ``[[…]]`` link names, beyond a note's key or name: Dendron's label-first order,
a file of the vault, a heading of the same note.

``[[a|b]]`` is Obsidian's ``[[note|label]]`` and Dendron's ``[[label|note.path]]``: the left
part is the target when it names something (also when both parts do), else the right part
when it names a note by its id, file name or path — not by a title or alias, which an
Obsidian label may well match (``[[Missing note|basis]]``, ``basis`` being another note's
alias). It is the rule ``markdown.cite`` renders by, so the page, the backlinks and the
citation graph agree. ``[[fig.png]]`` names a file the way ``![[fig.png]]`` does
(``vault.resolve_embed``). ``[[#Heading]]`` and ``[[#^block]]`` name a part of the same note.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterator

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.markdown._types import BodyCitation, ParsedBody
from papernotes.model import CiteKey, External, Library, Note, fold_target
from papernotes.vault import FoundFile, has_fragment, resolve_embed

__all__ = [
    "by_path",
    "check_self_links",
    "choose_order",
    "label_first",
    "linked_files",
    "names_file",
]


def by_path(library: Library, name: str) -> CiteKey | None:
    """The note ``name`` names by its id, file name or path (``sub/note``), not by a title or
    an alias; None otherwise."""
    key = library.resolve(name)
    if key is None or isinstance(key, External):
        return None
    folded = fold_target(name)
    source = posixpath.splitext(library.notes[key].source)[0].casefold()
    if folded == key.casefold() or source == folded or source.endswith("/" + folded):
        return key
    return None


def label_first(left: str, right: str, library: Library) -> bool:
    """Whether ``[[left|right]]`` is Dendron's ``[[label|note.path]]``: ``right`` names a note
    by its id, file name or path, and ``left`` names nothing, or the same note by its title —
    the rule ``markdown.cite`` renders by."""
    key = by_path(library, right)
    if key is None:
        return False
    named = library.resolve(left)
    return named is None or (named == key and by_path(library, left) is None)


def _chosen(citation: BodyCitation, body: ParsedBody, library: Library) -> BodyCitation:
    if not citation.alt:
        return citation
    if not citation.keys:  # [[#label|note.path]]: Dendron's when the note has no such heading
        if has_fragment(body, citation.fragment) or by_path(library, citation.alt) is None:
            return citation
        return dataclasses.replace(citation, keys=(citation.alt,), alt="", fragment="")
    if not label_first(citation.keys[0], citation.alt, library):
        return citation
    # Dendron's order: cite the right part; the left one is kept as the other reading.
    return dataclasses.replace(citation, keys=(citation.alt,), alt=citation.keys[0])


def choose_order(note: Note, library: Library) -> Note:
    """``note`` with each ``[[label|note.path]]`` citing ``note.path`` when only it names a
    note (Dendron's order); the same note when no link needs it."""
    body = note.body
    chosen = tuple(_chosen(c, body, library) for c in body.citations)
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

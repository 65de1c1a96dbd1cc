"""What an Obsidian embed or a root-absolute path names, found the way Obsidian finds it.

The one home of these rules, shared by ``link`` (warnings), ``render`` (URLs) and ``plan``
(fingerprints). A file named in ``![[…]]`` is looked for next to the note, then from the
notes folder (the vault's root), then by its name anywhere in the library — Obsidian's
"shortest path when possible" links; a name that fits several files takes the first in sorted
order, and ``link`` warns about it. A note is found by path (``sub/note``, ``note.md``), then
as a citation target is (id, file name, title). A root-absolute path (``/attachments/x.png``,
as Quartz and Hugo write it) is read against the notes folder.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Sequence
from typing import NamedTuple

from papernotes.markdown._types import ParsedBody
from papernotes.markdown.embed import file_kind
from papernotes.markdown.toc import anchor_slug
from papernotes.model import CiteKey, External, Library, Note
from papernotes.urls import inside

__all__ = [
    "FoundFile",
    "embed_fingerprint",
    "find_file",
    "find_note",
    "has_fragment",
    "heading_anchor",
    "note_dir",
    "resolve_embed",
    "root_path",
]


class FoundFile(NamedTuple):
    """Where an embedded file name leads."""

    path: str | None
    """The file, relative to the notes folder; None when no file fits."""
    candidates: tuple[str, ...] = ()
    """Every file the name fits when it fits more than one (``path`` is the first)."""


def note_dir(note: Note, papers_dir: str) -> str:
    """The note's folder, relative to the notes folder ("" at its top)."""
    return posixpath.dirname(posixpath.relpath(note.source, papers_dir))


def resolve_local(
    note: Note, url: str, papers_dir: str, known: Sequence[Collection[str]] = ()
) -> str | None:
    """A relative link in a note as a path inside the notes folder, or None if it escapes.

    With ``known`` (the library's files and notes), a link that leads to none of them from the
    note's folder is looked for as Obsidian does when it writes Markdown links: a path from the
    vault's top (``img/fig.png``), else a file name found once anywhere (``![](fig.png)`` for
    ``attachments/fig.png``). ``./`` and ``../`` links are taken as written."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    target = inside(posixpath.join(note_dir(note, papers_dir), path)) if path else None
    if target is None or not known or any(target in k for k in known):
        return target
    if path.startswith(("./", "../")):
        return target
    for names in known:
        found = find_file("", path, names)
        if found.path is not None and not found.candidates:
            return found.path
    return target


def root_path(url: str) -> str | None:
    """A root-absolute URL's file, relative to the notes folder (None if it escapes)."""
    path = url.split("#", 1)[0].split("?", 1)[0].lstrip("/")
    return inside(path) if path else None


def _by_name(target: str, names: Collection[str]) -> tuple[str, ...]:
    """Files whose path ends with ``target`` (a name or a partial path), exactly or else
    ignoring case (Obsidian's links ignore case)."""
    exact = sorted(f for f in names if f == target or f.endswith("/" + target))
    if exact:
        return tuple(exact)
    folded = target.casefold()
    return tuple(
        sorted(f for f in names if f.casefold() == folded or f.casefold().endswith("/" + folded))
    )


def find_file(folder: str, target: str, files: Collection[str]) -> FoundFile:
    """The file ``![[target]]`` in a note in ``folder`` shows."""
    for path in (posixpath.join(folder, target), target.lstrip("/")):
        rel = inside(path)
        if rel is not None and rel in files:
            return FoundFile(rel)
    rel = inside(target.lstrip("/"))
    matches = _by_name(rel, files) if rel is not None else ()
    if not matches:
        return FoundFile(None)
    return FoundFile(matches[0], matches if len(matches) > 1 else ())


def find_note(note: Note, target: str, library: Library, papers_dir: str) -> CiteKey | None:
    """The note ``![[target]]`` in ``note`` shows, or None."""
    name = target[:-3] if target.lower().endswith(".md") else target
    found = find_file(note_dir(note, papers_dir), name + ".md", library.sources)
    if found.path is not None and not found.candidates:
        return library.sources[found.path]
    key = library.resolve(name)
    if key is None and "/" in name and ":" not in name:
        key = library.resolve(posixpath.basename(name))
    return None if key is None or isinstance(key, External) else key


def resolve_embed(
    note: Note, target: str, library: Library, papers_dir: str
) -> FoundFile | CiteKey:
    """What ``![[target]]`` in ``note`` shows: a file (by extension, or any file when no note
    has the name) or a note; a ``FoundFile`` with no path when nothing fits."""
    folder = note_dir(note, papers_dir)
    if file_kind(target) != "note":
        return find_file(folder, target, library.files)
    key = find_note(note, target, library, papers_dir)
    return key if key is not None else find_file(folder, target, library.files)


def heading_anchor(body: ParsedBody, fragment: str) -> str | None:
    """The id of the heading an embed's ``#fragment`` names (its last ``#`` part), matched
    ignoring case and spacing, or by slug; None for a ``^block`` or no such heading."""
    wanted = fragment.rsplit("#", 1)[-1].strip()
    folded = " ".join(wanted.split()).casefold()
    for h in body.headings:
        if " ".join(h.text.split()).casefold() == folded or anchor_slug(h.text) == anchor_slug(
            wanted
        ):
            return h.anchor
    return None


def has_fragment(body: ParsedBody, fragment: str) -> bool:
    """Whether a body has the heading or ``^block`` id an embed's ``#fragment`` names."""
    wanted = fragment.rsplit("#", 1)[-1].strip()
    if wanted.startswith("^"):
        marker = re.compile(rf"(?:^|\s)\^{re.escape(wanted[1:])}[ \t]*$", re.MULTILINE)
        return marker.search(body.text) is not None
    return heading_anchor(body, fragment) is not None


def embed_fingerprint(note: Note, library: Library, papers_dir: str, depth: int) -> list[object]:
    """Everything the note's embeds show, ``depth`` levels down: which files and notes they
    name and the embedded notes' texts, so editing an embedded note renders the embedding one
    again. Empty for a note without embeds or root-absolute links."""
    out: list[object] = []
    for link in note.body.root_links:
        rel = root_path(link.url)
        out.append((link.url, rel, library.sources.get(rel or ""), library.files.get(rel or "")))
    for embed in note.body.embeds:
        found = resolve_embed(note, embed.target, library, papers_dir)
        if isinstance(found, FoundFile):
            out.append((embed.target, found.path, library.files.get(found.path or "")))
            continue
        key = found
        other = library.notes[key]
        inner = embed_fingerprint(other, library, papers_dir, depth - 1) if depth > 1 else []
        cites = [
            (t, library.labels.get(k) if isinstance(k, str) else k)
            for c in other.body.citations
            for t in c.keys
            for k in (library.resolve(t),)
        ]
        out.append((embed.target, key, other.meta.heading, other.body.text, cites, inner))
    return out

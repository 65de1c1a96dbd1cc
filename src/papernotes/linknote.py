"""Stage 3 for one note: its citations resolved against the library's names, its links and
embeds checked. :func:`papernotes.link.link` runs it for every note; while the names stay the
same (``serve``, a save that changed one note's body), what it found for a note that did not
change still holds, and only the notes that did are linked again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from papernotes.errors import Diagnostic, Location, Severity
from papernotes.exclude import to_excluded
from papernotes.ids import is_arxiv
from papernotes.load import outside_target
from papernotes.model import CiteKey, External, Library, Note, fold_target
from papernotes.vault import (
    FoundFile,
    has_fragment,
    note_dir,
    resolve_embed,
    resolve_local,
    root_path,
)
from papernotes.wikitarget import check_self_links, choose_order, names_file

__all__ = ["Names", "NoteLinks", "check_embeds", "check_root_links", "link_note"]

NAMED = 5
"""How many other files a message about a shared name or id names (a thousand stay readable)."""


@dataclass(frozen=True, slots=True)
class Names:
    """Everything a note's citations and links resolve against: the same for every note of
    one build, and equal from one save to the next while no note's id, title, aliases or
    file, and no file next to the notes, changed."""

    base: Library
    """The notes by key (before Dendron's order is chosen), their aliases, files and sources."""
    ambiguous: Mapping[str, tuple[Note, ...]]
    """Names two notes share, folded → the notes (``link._aliases``)."""
    unpublished: Mapping[str, str]
    """Drafts' file stems, folded → their files."""
    hidden: Mapping[str, str]
    """Names of the files ``exclude`` left out, folded → their files."""
    files: frozenset[str]
    """Every file of the notes folder, relative to the library."""
    sources: Mapping[str, CiteKey]
    """Note files relative to the notes folder → their keys."""
    papers_dir: str
    """The notes folder."""
    outside: Mapping[str, str]
    """Symlinks leading out of the library (``Sources.outside``)."""
    excluded: Collection[str]
    """The files ``exclude`` left out (``Sources.excluded``)."""
    guesses: dict[str, list[str]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    """Unknown citation key → the key it may be a typo of, found once per build: looking at
    every note's key takes 0.1 s at 50,000 notes, and a missing paper is cited by many."""
    files_named: dict[tuple[str, str], bool] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    """(a note's folder, a name no note has) → whether it names a file of the vault: found
    once per folder, as each look walks every file and every note's file."""


class NoteLinks(NamedTuple):
    """What stage 3 found in one note."""

    note: Note
    """The note, with each ``[[label|note.path]]`` in Dendron's order (``choose_order``)."""
    cites: tuple[CiteKey, ...]
    """The notes its front matter (or a ``[@key]``) cites, in order."""
    mentions: tuple[CiteKey, ...]
    """The notes its body links to or embeds that it does not cite."""
    external: tuple[External, ...]
    """The papers it cites that have no note."""
    diagnostics: tuple[Diagnostic, ...]
    """Its problems, in the order :func:`papernotes.link.link` reports them."""


def link_note(note: Note, names: Names) -> NoteLinks:
    """Resolve one note's citations, embeds and links against ``names``."""
    base, papers_dir = names.base, names.papers_dir
    note = choose_order(note, base)  # Dendron's [[label|note.path]]
    diags: list[Diagnostic] = []
    front: dict[CiteKey, None] = {}
    body: dict[CiteKey, None] = {}
    outer: dict[External, None] = {}
    for cite in note.citations:
        target = base.resolve(cite.target)
        if isinstance(target, External):
            outer[target] = None
        elif target is None:
            where = Location(note.source, cite.line, cite.col)
            if (same := names.ambiguous.get(fold_target(cite.target))) is not None:
                diags.append(_ambiguous(cite.target, where, same))
            elif (draft := names.unpublished.get(fold_target(cite.target))) is not None:
                message = f'"{cite.target}" is {draft}, which is not published: shown as text'
                diags.append(Diagnostic(Severity.NOTE, where, message))
            elif (gone := names.hidden.get(fold_target(cite.target))) is not None:
                diags.append(to_excluded(f"[[{cite.target}]]", gone, where, papers_dir))
            elif cite.in_body and _names_file(note, cite.target, names):
                pass  # [[fig.png]]: a link to the file, as render shows it
            else:
                diags.append(_unknown(cite.target, where, names))
        elif target != note.key:
            (body if cite.in_body else front)[target] = None
    # An embedded note is a link from the embedding one (a mention, like ``[[note]]``).
    embedded, d_embeds = check_embeds(note, base, papers_dir, names.hidden)
    diags.extend(d_embeds)
    body.update(dict.fromkeys(k for k in embedded if k != note.key))
    cites = tuple(front)
    mentions = tuple(k for k in body if k not in front)
    files, sources = names.files, names.sources
    diags.extend(
        _check_local_links(note, files, sources, papers_dir, names.outside, names.excluded)
    )
    diags.extend(check_root_links(note, files, sources, papers_dir))
    diags.extend(check_self_links(note))
    return NoteLinks(note, cites, mentions, tuple(outer), tuple(diags))


def _ambiguous(target: str, where: Location, notes: Sequence[Note]) -> Diagnostic:
    files = " and ".join(f'{n.source} ("{n.key}")' for n in notes[:NAMED])
    more = f" and {len(notes) - NAMED} more" if len(notes) > NAMED else ""
    message = f'ambiguous link "{target}": names {files}{more}; left unresolved'
    hint = "cite one by its id, or give the notes titles, aliases or file names of their own"
    return Diagnostic(Severity.WARNING, where, message, hint)


def _names_file(note: Note, target: str, names: Names) -> bool:
    """``names_file``, which reads only the note's folder, once per folder and name."""
    key = (note_dir(note, names.papers_dir), target)
    found = names.files_named.get(key)
    if found is None:
        found = names.files_named[key] = names_file(note, target, names.base, names.papers_dir)
    return found


def _unknown(target: str, where: Location, names: Names) -> Diagnostic:
    from difflib import get_close_matches  # only for a mistake (~2 ms to import)

    close = names.guesses.get(target)
    if close is None:
        keys = list(names.base.notes)
        close = names.guesses[target] = get_close_matches(target, keys, n=1, cutoff=0.7)
    if is_arxiv(target) and "/" not in target:
        # `cites: [2106.09685]` reads as a citekey now that ids are kept as written.
        close = [f"arXiv:{target}"]
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else "add a note with this id, or cite it as arXiv:ID or doi:DOI"
    )
    return Diagnostic(Severity.WARNING, where, f'unknown citation key "{target}"', hint)


def _check_local_links(
    note: Note,
    files: frozenset[str],
    notes: Mapping[str, CiteKey],
    papers_dir: str,
    outside: Mapping[str, str],
    excluded: Collection[str] = (),
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    links: list[tuple[str, Location | None]] = [
        (link.url, Location(note.source, note.body_line + link.line - 1, link.col or None))
        for link in note.body.local_links
    ]
    if note.meta.pdf and ":" not in note.meta.pdf:
        links.append((note.meta.pdf, None))  # placed only if it has a problem (read lazily)
    for url, placed in links:
        target = resolve_local(note, url, papers_dir, (files, notes))
        if (
            target is not None
            and (target in files or target in notes)
            and target not in excluded
            and outside_target(target, outside) is None
        ):
            continue  # the common case, which needs no location
        where = placed if placed is not None else note.at("pdf")
        if target is None:
            if url.split("#", 1)[0]:
                diags.append(
                    Diagnostic(
                        Severity.WARNING,
                        where,
                        f'link "{url}" points outside {papers_dir}/; it will not be copied',
                        f"move the file into {papers_dir}/",
                    )
                )
        elif (escaped := outside_target(target, outside)) is not None:
            diags.append(
                Diagnostic(
                    Severity.WARNING,
                    where,
                    f'"{url}" links outside the library (→ {escaped}) — not published',
                    "copy the file into the library",
                )
            )
        elif target in excluded:
            diags.append(to_excluded(f'link "{url}"', target, where, papers_dir))
        elif target not in files and target not in notes:
            message = f'link "{url}": no such file next to the note'
            diags.append(Diagnostic(Severity.WARNING, where, message))
    return diags


def check_embeds(
    note: Note, library: Library, papers_dir: str, hidden: Mapping[str, str] | None = None
) -> tuple[tuple[CiteKey, ...], tuple[Diagnostic, ...]]:
    """The notes a note embeds (``![[note]]``), and a warning for each embed that shows
    nothing (no such file, note, heading or block) or names several files."""
    keys: list[CiteKey] = []
    diags: list[Diagnostic] = []
    for embed in note.body.embeds:
        where = Location(note.source, note.body_line + embed.line - 1, embed.col)
        found = resolve_embed(note, embed.target, library, papers_dir)
        if isinstance(found, FoundFile):
            gone = (hidden or {}).get(fold_target(embed.target))
            if found.path is None and gone is not None:
                diags.append(to_excluded(f"![[{embed.target}]]", gone, where, papers_dir))
            elif found.path is None:
                diags.append(
                    Diagnostic(
                        Severity.WARNING,
                        where,
                        f'embed "![[{embed.target}]]": no such file or note in {papers_dir}/',
                        "check the name; a file is looked for next to the note, then anywhere "
                        f"under {papers_dir}/",
                    )
                )
            elif found.candidates:
                named = ", ".join(found.candidates[:NAMED])
                diags.append(
                    Diagnostic(
                        Severity.WARNING,
                        where,
                        f'embed "![[{embed.target}]]" fits {len(found.candidates)} files '
                        f"({named}); showing {found.path}",
                        "write the path from the notes folder: ![[folder/name]]",
                    )
                )
            continue
        keys.append(found)
        other = library.notes[found]
        if embed.fragment and not has_fragment(other.body, embed.fragment):
            what = "block" if embed.fragment.rsplit("#", 1)[-1].startswith("^") else "heading"
            diags.append(
                Diagnostic(
                    Severity.WARNING,
                    where,
                    f'embed "![[{embed.target}#{embed.fragment}]]": no {what} '
                    f'"{embed.fragment}" in {other.source}',
                )
            )
    return tuple(keys), tuple(diags)


def check_root_links(
    note: Note, files: frozenset[str], notes: Mapping[str, CiteKey], papers_dir: str
) -> list[Diagnostic]:
    """A warning for each root-absolute link (``/attachments/x.png``) that names no file of
    the notes folder; one that does is published like a relative link."""
    diags: list[Diagnostic] = []
    for link in note.body.root_links:
        rel = root_path(link.url)
        if rel is None or (rel not in files and rel not in notes):
            where = Location(note.source, note.body_line + link.line - 1, link.col or None)
            message = f'link "{link.url}": no such file in {papers_dir}/'
            hint = f"a path starting with / is read from {papers_dir}/, the library's root"
            diags.append(Diagnostic(Severity.WARNING, where, message, hint))
    return diags

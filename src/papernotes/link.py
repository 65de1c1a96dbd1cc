"""Stage 3: notes become a Library — ids checked, citations resolved, the graph built."""

from __future__ import annotations

import dataclasses
import posixpath
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from papernotes.backlinks import Backlinks, backlinks
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.exclude import excluded_names
from papernotes.ids import PATH_ID, key_problem, suggest_key
from papernotes.incremental.searchmemo import same
from papernotes.linknote import NAMED, Names, NoteLinks, check_embeds, check_root_links, link_note
from papernotes.model import Author, CiteKey, Library, Metadata, Note, fold_target, named
from papernotes.urls import file_paths
from papernotes.vault import resolve_local

if TYPE_CHECKING:
    from papernotes.incremental.linkrows import LinkStore
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.incremental.spool import Spool

__all__ = [
    "author_year_label",
    "check_embeds",
    "check_root_links",
    "link",
    "resolve_local",
]


def author_year_label(authors: Sequence[Author], year: int | str, *, anonymous: str = "") -> str:
    """ "Hu et al., 2021", "Li and Liang, 2021", "Vaswani, 2017"; ``anonymous`` stands for
    the names of a work with none (an edited volume's editors, or its title). A list ending
    in "and others" (:data:`model.OTHERS`) has more authors than it names: "Doe et al., 2020"."""
    names = [a.short for a in named(tuple(authors))]
    if len(names) >= 3 or (names and len(names) < len(authors)):
        who = f"{names[0]} et al."
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = names[0] if names else anonymous or "Anonymous"
    return f"{who}, {year}"


def _label(meta: Metadata) -> str:
    # Like author-year styles: editors stand in for absent authors, then the title; no name
    # is made up.
    if not meta.authors and meta.editors:
        who = author_year_label(meta.editors, "").removesuffix(", ")
        return f"{who} ({'eds.' if len(meta.editors) > 1 else 'ed.'}), {meta.year_label}"
    return author_year_label(meta.authors, meta.year_label, anonymous=meta.heading)


def _labels(notes: Iterable[Note]) -> dict[CiteKey, str]:
    by_label: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        by_label[_label(note.meta)].append(note)
    out: dict[CiteKey, str] = {}
    for label, group in by_label.items():
        if len(group) == 1:
            out[group[0].key] = label
            continue
        # Like author-year styles: "Radford et al., 2019a", ordered by title.
        for i, note in enumerate(sorted(group, key=lambda n: (n.meta.heading.casefold(), n.key))):
            out[note.key] = f"{label}{chr(ord('a') + i)}"
    return out


def _aliases(notes: Sequence[Note]) -> tuple[dict[str, CiteKey], dict[str, tuple[Note, ...]]]:
    """Every name a note goes by, folded → its key; and the names that are ambiguous → the
    notes that share them. A stronger kind of name (the key itself) wins a clash with a weaker
    one (a title); two notes sharing a name of the same kind — titles that differ only in
    case, two files called ``Overview.md`` — make it name neither: it is never guessed."""
    stem = posixpath.splitext
    kinds: list[list[tuple[str, Note]]] = [
        [
            (t, n)
            for n in notes
            for t in (*([n.meta.title] if n.meta.title else []), *n.meta.aliases)
        ],
        [(stem(posixpath.basename(n.source))[0], n) for n in notes],
    ]
    aliases: dict[str, CiteKey] = {}
    ambiguous: dict[str, tuple[Note, ...]] = {}
    for kind in kinds:
        owners: dict[str, dict[CiteKey, Note]] = defaultdict(dict)
        for name, note in kind:
            owners[fold_target(name)].setdefault(note.key, note)
        for name, found in owners.items():
            if len(found) == 1:
                aliases[name] = next(iter(found))
                ambiguous.pop(name, None)
            else:
                aliases.pop(name, None)
                ambiguous[name] = tuple(found.values())
    for note in notes:
        if note.meta.arxiv:
            aliases[fold_target(f"arXiv:{note.meta.arxiv}")] = note.key
        if note.meta.doi:
            aliases[fold_target(f"doi:{note.meta.doi}")] = note.key
    for note in notes:
        aliases[note.key.casefold()] = note.key
        ambiguous.pop(note.key.casefold(), None)
    return aliases, ambiguous


def _qualify(notes: Sequence[Note], papers_dir: str) -> tuple[list[Note], list[Diagnostic]]:
    """Notes whose id is their file name, and which share it (``Overview.md`` in two folders
    of a vault, as Obsidian allows), get their path as id (``EBM/Overview``), as Obsidian
    links them (``[[EBM/Overview]]``); an id written out is kept, and may still clash."""
    groups: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        groups[note.key.casefold()].append(note)
    out: list[Note] = []
    diags: list[Diagnostic] = []
    for note in notes:
        if len(groups[note.key.casefold()]) < 2 or "id" in note.locations:
            out.append(note)
            continue
        path = posixpath.splitext(posixpath.relpath(note.source, papers_dir))[0]
        key = CiteKey(suggest_key(path))
        if not key or key_problem(key):
            out.append(note)
            continue
        out.append(dataclasses.replace(note, meta=dataclasses.replace(note.meta, key=key)))
        others = len(groups[note.key.casefold()]) - 1
        notes_ = f"{others} other note{'s' if others > 1 else ''}"
        message = f'id "{key}" {PATH_ID}: "{note.key}" is also the id of {notes_}'
        hint = "write 'id:' to choose one; [[" + key + "]] links here"
        diags.append(Diagnostic(Severity.WARNING, Location(note.source, 1), message, hint))
    return out, diags


def _dedupe(notes: Sequence[Note]) -> tuple[list[Note], list[Diagnostic]]:
    """Keep the first note of each id (ignoring case); report every clash at each file's id."""
    groups: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        groups[note.key.casefold()].append(note)
    diags: list[Diagnostic] = []
    for group in groups.values():
        case = "" if len({n.key for n in group}) == 1 else " (ids ignore case)"
        for note in group if len(group) > 1 else ():
            named = [o for o in group[: NAMED + 1] if o is not note][:NAMED]
            more = len(group) - 1 - len(named)
            others = ", ".join(
                f"{o.source}:{o.key_line}" + ("" if o.key == note.key else f' ("{o.key}")')
                for o in named
            ) + (f" and {more} more" if more else "")
            hint = "give each an 'id:' of its own — BibTeX keys must be unique ignoring case"
            if "id" not in note.locations:  # two Overview.md in two folders of a vault
                hint = f"this id is the file name's; {hint}"
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    note.at("id"),
                    f'duplicate id "{note.key}": also the id of {others}{case}',
                    hint,
                )
            )
    return [group[0] for group in groups.values()], diags


def link(
    notes: Sequence[Note],
    files: frozenset[str],
    papers_dir: str,
    outside: Mapping[str, str] | None = None,
    drafts: Collection[str] = (),
    excluded: Collection[str] = (),
    memo: SaveMemo | None = None,
    store: LinkStore | None = None,
    spool: Spool | None = None,
) -> tuple[Library, tuple[Diagnostic, ...]]:
    """Build the library: reject duplicate ids, resolve every citation, check local links.

    ``outside`` lists the symlinks leading out of the library (``Sources.outside``): a note
    that links to one is warned that it is not published. ``drafts`` are the notes left out
    on purpose: a link to one by its file name is shown as text with a note, not a warning.
    ``excluded`` are the files the ``exclude`` option left out (``Sources.excluded``): a link
    to one is warned that it names an excluded file, not a missing one.

    With a ``memo`` (``serve``'s), a note that is the same object as at the last save, with
    every name as it was, keeps what it was found to cite and mention (``memo.made``
    counts the notes linked again under ``"link-note"``). With a ``store`` (a build's, from
    the last build's summary: ``incremental.linkrows``), likewise a note whose text is the
    same, while what links resolve against is; and the names and labels of the notes, while
    every note's file, key and front matter are the same. A ``spool`` (a cold build's) takes
    each note's backlinks once made (``backlinks.Backlinks``).
    """
    inputs = (files, papers_dir, dict(outside or {}), tuple(drafts), tuple(excluded))
    if memo is not None:  # serve's: a build from the command line has none to import
        from papernotes.incremental.linkmemo import LinkMemo
    patched = memo.slot("link", LinkMemo).patch(notes, inputs, memo) if memo else None
    if patched is not None:  # serve: the notes saved linked, the library patched
        return patched
    unpublished = {fold_target(posixpath.splitext(posixpath.basename(p))[0]): p for p in drafts}
    hidden = excluded_names(excluded)
    placed = file_paths(files)
    qualified, renamed = _qualify(notes, papers_dir)
    kept, diags = _dedupe(qualified)
    diags = renamed + diags
    head = tuple(diags)  # the ids' problems: a library with none is patched on a save
    kept.sort(key=lambda n: n.key.casefold())
    by_key = {n.key: n for n in kept}
    sources = {_under(n.source, papers_dir): n.key for n in kept}
    # The names and labels come from each note's file and metadata alone: a save that
    # changed only a body finds them equal, and keeps them.
    made = lambda: (_aliases(kept), _labels(kept))  # noqa: E731
    if store is not None:  # a build's: the last build's, where made from the same
        (aliases, ambiguous), labels = store.names(kept, by_key, made)
    else:
        heads = tuple((n.source, n.meta) for n in kept)
        (aliases, ambiguous), labels = same(memo, "link-names", (heads,), made)
    base = Library(by_key, {}, {}, {}, {}, {}, {}, aliases, placed, sources)
    outside = outside or {}
    names = Names(
        base, ambiguous, unpublished, hidden, files, sources, papers_dir, outside, excluded
    )
    # What a note's links resolve against: every note's key and file, and the names (not the
    # rest of the metadata: a ``cites:`` edit elsewhere leaves the other notes' links as found).
    idents = tuple((n.key, n.source) for n in kept)
    shared = {name: tuple((n.key, n.source) for n in group) for name, group in ambiguous.items()}
    where = (idents, aliases, shared, files, papers_dir, dict(outside), tuple(drafts))
    token = same(memo, "link-context", (*where, tuple(excluded)), object)
    if store is not None:
        from papernotes.incremental.linkrows import context_digest

        store.open(context_digest(idents, aliases, shared, *where[3:], excluded), by_key)

    def one(note: Note) -> NoteLinks:
        if store is not None:
            found = store.take(note)
            if found is not None:
                store.keep(note, found, taken=True)
                return found
            found = link_note(note, names)
            store.linked += 1
            store.keep(note, found)
            return found
        # A note's embeds show other notes' headings and blocks: linked every time.
        if memo is None or note.body.embeds:
            return link_note(note, names)
        return memo.once("link-note", (note, token), partial(link_note, note, names))

    linked = [one(n) for n in kept]
    cited_by: dict[CiteKey, list[CiteKey]] = defaultdict(list)
    mentioned_by: dict[CiteKey, list[CiteKey]] = defaultdict(list)
    for found in linked:
        key = found.note.key
        for target in found.cites:
            cited_by[target].append(key)
        for target in found.mentions:
            mentioned_by[target].append(key)
        diags.extend(found.diagnostics)
    library = Library(
        notes={f.note.key: f.note for f in linked},
        cites={f.note.key: f.cites for f in linked},
        cited_by={k: tuple(v) for k, v in cited_by.items()},
        mentions={f.note.key: f.mentions for f in linked},
        mentioned_by={k: tuple(v) for k, v in mentioned_by.items()},
        external={f.note.key: f.external for f in linked},
        labels=labels,
        aliases=base.aliases,
        files=placed,
        sources=sources,
    )
    # Backlinks show the labels too (made from authors and years).
    told = same(memo, "backlink-context", (token, labels), object)
    # A build asks each note for its backlinks when a page shows them (``Backlinks``);
    # ``serve`` keeps and splices them from one save to the next, so it makes them all.
    said = backlinks(library, memo, told) if memo is not None else Backlinks(library, spool)
    done = dataclasses.replace(library, backlinks=said), tuple(diags)
    if memo is not None:
        memo.slot("link", LinkMemo).keep(notes, inputs, linked, head, (names, token, told), done)
    return done


def _under(source: str, papers_dir: str) -> str:
    """``posixpath.relpath``, without its two ``getcwd`` calls for a plain path inside."""
    prefix = f"{papers_dir}/"
    if source.startswith(prefix) and posixpath.normpath(source) == source and "/." not in prefix:
        return source[len(prefix) :]
    return posixpath.relpath(source, papers_dir)

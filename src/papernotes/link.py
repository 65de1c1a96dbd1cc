"""Stage 3: notes become a Library — ids checked, citations resolved, the graph built."""

from __future__ import annotations

import dataclasses
import difflib
import posixpath
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from papernotes.backlinks import backlinks
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.exclude import excluded_names, to_excluded
from papernotes.ids import is_arxiv, key_problem, suggest_key
from papernotes.load import outside_target
from papernotes.model import (
    Author,
    CiteKey,
    External,
    Library,
    Metadata,
    Note,
    fold_target,
    named,
)
from papernotes.urls import file_paths
from papernotes.vault import FoundFile, has_fragment, resolve_embed, resolve_local, root_path
from papernotes.wikitarget import check_self_links, choose_order, names_file

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


def _ambiguous(target: str, where: Location, notes: Sequence[Note]) -> Diagnostic:
    files = " and ".join(f'{n.source} ("{n.key}")' for n in notes[:_NAMED])
    more = f" and {len(notes) - _NAMED} more" if len(notes) > _NAMED else ""
    message = f'ambiguous link "{target}": names {files}{more}; left unresolved'
    hint = "cite one by its id, or give the notes titles, aliases or file names of their own"
    return Diagnostic(Severity.WARNING, where, message, hint)


_NAMED = 5
"""How many other files a duplicate-id message names (a thousand copies stay readable)."""


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
        message = f'id "{key}" from the path: "{note.key}" is also the id of {notes_}'
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
            named = [o for o in group[: _NAMED + 1] if o is not note][:_NAMED]
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
) -> tuple[Library, tuple[Diagnostic, ...]]:
    """Build the library: reject duplicate ids, resolve every citation, check local links.

    ``outside`` lists the symlinks leading out of the library (``Sources.outside``): a note
    that links to one is warned that it is not published. ``drafts`` are the notes left out
    on purpose: a link to one by its file name is shown as text with a note, not a warning.
    ``excluded`` are the files the ``exclude`` option left out (``Sources.excluded``): a link
    to one is warned that it names an excluded file, not a missing one.
    """
    unpublished = {fold_target(posixpath.splitext(posixpath.basename(p))[0]): p for p in drafts}
    hidden = excluded_names(excluded)
    placed = file_paths(files)
    qualified, renamed = _qualify(notes, papers_dir)
    kept, diags = _dedupe(qualified)
    diags = renamed + diags
    kept.sort(key=lambda n: n.key.casefold())
    by_key = {n.key: n for n in kept}
    sources = {_under(n.source, papers_dir): n.key for n in kept}
    names, ambiguous = _aliases(kept)
    base = Library(by_key, {}, {}, {}, {}, {}, {}, names, placed, sources)
    kept = [choose_order(n, base) for n in kept]  # Dendron's [[label|note.path]]
    by_key = {n.key: n for n in kept}
    cites: dict[CiteKey, tuple[CiteKey, ...]] = {}
    mentions: dict[CiteKey, tuple[CiteKey, ...]] = {}
    external: dict[CiteKey, tuple[External, ...]] = {}
    cited_by: dict[CiteKey, list[CiteKey]] = defaultdict(list)
    mentioned_by: dict[CiteKey, list[CiteKey]] = defaultdict(list)
    for note in kept:
        front: dict[CiteKey, None] = {}
        body: dict[CiteKey, None] = {}
        outer: dict[External, None] = {}
        for cite in note.citations:
            target = base.resolve(cite.target)
            if isinstance(target, External):
                outer[target] = None
            elif target is None:
                where = Location(note.source, cite.line, cite.col)
                if (same := ambiguous.get(fold_target(cite.target))) is not None:
                    diags.append(_ambiguous(cite.target, where, same))
                elif (draft := unpublished.get(fold_target(cite.target))) is not None:
                    message = f'"{cite.target}" is {draft}, which is not published: shown as text'
                    diags.append(Diagnostic(Severity.NOTE, where, message))
                elif (gone := hidden.get(fold_target(cite.target))) is not None:
                    diags.append(to_excluded(f"[[{cite.target}]]", gone, where, papers_dir))
                elif cite.in_body and names_file(note, cite.target, base, papers_dir):
                    pass  # [[fig.png]]: a link to the file, as render shows it
                else:
                    diags.append(_unknown(note, cite.target, where, by_key))
            elif target != note.key:
                (body if cite.in_body else front)[target] = None
        # An embedded note is a link from the embedding one (a mention, like ``[[note]]``).
        embedded, d_embeds = check_embeds(note, base, papers_dir, hidden)
        diags.extend(d_embeds)
        body.update(dict.fromkeys(k for k in embedded if k != note.key))
        cites[note.key] = tuple(front)
        mentions[note.key] = tuple(k for k in body if k not in front)
        external[note.key] = tuple(outer)
        for target in cites[note.key]:
            cited_by[target].append(note.key)
        for target in mentions[note.key]:
            mentioned_by[target].append(note.key)
        diags.extend(_check_local_links(note, files, sources, papers_dir, outside or {}, excluded))
        diags.extend(check_root_links(note, files, sources, papers_dir))
        diags.extend(check_self_links(note))
    library = Library(
        notes=by_key,
        cites=cites,
        cited_by={k: tuple(v) for k, v in cited_by.items()},
        mentions=mentions,
        mentioned_by={k: tuple(v) for k, v in mentioned_by.items()},
        external=external,
        labels=_labels(kept),
        aliases=base.aliases,
        files=placed,
        sources=sources,
    )
    return dataclasses.replace(library, backlinks=backlinks(library)), tuple(diags)


def _under(source: str, papers_dir: str) -> str:
    """``posixpath.relpath``, without its two ``getcwd`` calls for a plain path inside."""
    prefix = f"{papers_dir}/"
    if source.startswith(prefix) and posixpath.normpath(source) == source and "/." not in prefix:
        return source[len(prefix) :]
    return posixpath.relpath(source, papers_dir)


def _unknown(note: Note, target: str, where: Location, keys: Iterable[str]) -> Diagnostic:
    close = difflib.get_close_matches(target, list(keys), n=1, cutoff=0.7)
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
    notes: dict[str, CiteKey],
    papers_dir: str,
    outside: Mapping[str, str],
    excluded: Collection[str] = (),
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    links = [
        (link.url, Location(note.source, note.body_line + link.line - 1, link.col or None))
        for link in note.body.local_links
    ]
    if note.meta.pdf and ":" not in note.meta.pdf:
        links.append((note.meta.pdf, note.at("pdf")))
    for url, where in links:
        target = resolve_local(note, url, papers_dir, (files, notes))
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
                named = ", ".join(found.candidates[:_NAMED])
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

"""The digests stage 4 compares with the last build's: what a note's rendered body depends on,
what other pages show of each note, and where its PDF link leads; and each note's formatted
references, reused while what they are formatted from is the same."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import compress
from operator import is_not
from typing import cast

from papernotes.bib import csl
from papernotes.bib.styles import Reference, Style, StyleSet, citeproc_item
from papernotes.bodyctx import MAX_DEPTH, body_tag_pages, tag_slugs
from papernotes.incremental.cache import BuildCache, digest
from papernotes.incremental.lazy import Kept, fingerprints
from papernotes.incremental.parallel import OWN_ITEMS_LIFE
from papernotes.incremental.reuse import reuse, reuse_ahead
from papernotes.incremental.searchmemo import SaveMemo, once
from papernotes.model import CiteKey, External, Library, Note
from papernotes.render import note_files
from papernotes.vault import embed_fingerprint, resolve_local

__all__ = [
    "body_fingerprint",
    "body_fingerprints",
    "citation_targets",
    "library_token",
    "linked_files",
    "meta_digest",
    "meta_fingerprints",
    "note_references",
    "pdf_target",
    "references_ahead",
]


def body_fingerprint(
    note: Note,
    source_digest: str,
    library: Library,
    papers_dir: str,
    slugs: Callable[[], Mapping[str, str]] | None = None,
) -> str:
    """Everything a rendered body depends on: the note's text, and what each of its inline
    citations and local links resolves to (a label, a title, a page or a file). ``slugs`` is
    the library's tag slugs made once for many notes (``bodyctx.body_tag_pages``)."""
    cites: list[tuple[object, ...]] = []
    for c in note.body.citations:
        for target in c.keys:
            found = library.resolve(target)
            if isinstance(found, External) or found is None:
                cites.append((target, found))
            else:
                cites.append(
                    (target, found, library.labels[found], library.notes[found].meta.heading)
                )
    links = []
    for link in note.body.local_links:
        rel = resolve_local(note, link.url, papers_dir, (library.files, library.sources))
        links.append((link.url, rel, library.sources.get(rel or ""), library.files.get(rel or "")))
    # Inline #tags link to these pages (left out when none: other fingerprints stay as they were).
    tags = sorted(body_tag_pages(note, library, slugs).items())
    # What its embeds show, down to the notes they transclude (left out when none, as tags).
    embeds = embed_fingerprint(note, library, papers_dir, MAX_DEPTH + 1)
    extra = [*([tags] if tags else []), *([embeds] if embeds else [])]
    return digest(source_digest, note.key, cites, links, *extra)


def library_token(library: Library, papers_dir: str, memo: SaveMemo) -> object:
    """An object that stays the same from one save to the next (``serve``) while everything a
    note's citations and links resolve to stays equal: every note's metadata (its heading, its
    tags' slugs), the labels, the aliases, the note files and the other files. A value made
    from a note that did not change and this token holds while both are the same objects."""
    last: list[object] = memo.slot("library-token", list)  # [library, its token]: once a save
    if last and last[0] is library and last[1] == papers_dir:
        return last[2]
    # Of the metadata, only what a citation or a link shows or resolves by: a ``cites:`` or
    # abstract edit keeps the token (and every other note's fingerprints and cards). Taken
    # again for the notes saved alone.
    shown = memo.each("shown", library.notes, None, _shown, counted=False)
    of = (
        papers_dir,
        tuple(library.notes),
        tuple(shown.values()),
        library.labels,
        library.aliases,
        library.sources,
        library.files,
    )
    token = memo.same("library", of, object)
    last[:] = [library, papers_dir, token]
    return token


def _shown(_: CiteKey, note: Note) -> tuple[object, ...]:
    return (note.meta.heading, note.meta.tags)


def body_fingerprints(
    library: Library,
    source_digests: Mapping[str, str],
    papers_dir: str,
    memo: SaveMemo | None = None,
) -> dict[CiteKey, str]:
    """:func:`body_fingerprint` of every note. With ``memo`` (``serve``), a note that did not
    change keeps its fingerprint while :func:`library_token` does: a save looks up each of
    its citations and links again only when something they resolve to changed (at 1,000
    notes that was a sixth of a save). A note with embeds shows other notes' texts: always
    made again."""
    slugs = cache(lambda: tag_slugs(library))  # made once, for the notes with inline #tags

    def make(note: Note) -> str:
        return body_fingerprint(note, source_digests[note.source], library, papers_dir, slugs)

    if memo is None:
        return {k: make(n) for k, n in library.notes.items()}
    token = library_token(library, papers_dir, memo)
    # The same note object is the same text (``incremental.reuse``), so its fingerprint holds.
    return memo.each("body-fp", library.notes, token, lambda _, n: make(n), always=_embeds)


def _embeds(note: Note) -> bool:
    return bool(note.body.embeds)


def citation_targets(
    note: Note, library: Library, memo: SaveMemo | None = None, token: object = None
) -> set[CiteKey | External | None]:
    """What the note's citations (front matter and body) resolve to; with ``memo``, kept for
    a note that did not change while ``token`` (:func:`library_token`) is the same."""
    if memo is not None:
        return memo.once("targets", (note, token), partial(citation_targets, note, library))
    return {library.resolve(c.target) for c in note.citations}


def linked_files(
    note: Note, library: Library, papers_dir: str, memo: SaveMemo | None, token: object = None
) -> tuple[str, ...]:
    """The library's files the note's page shows or links to (``render.note_files``); with
    ``memo``, kept as :func:`citation_targets` is (but for a note with embeds)."""
    if memo is not None and not note.body.embeds:
        return memo.once(
            "files", (note, token), partial(linked_files, note, library, papers_dir, None)
        )
    return tuple(note_files(note, library, papers_dir))


def meta_fingerprints(
    library: Library, memo: SaveMemo | None = None, metas: Mapping[CiteKey, str] | None = None
) -> dict[CiteKey, str]:
    """Each note's metadata as other pages show it: its front matter, label and file
    (``metas``: each note's :func:`meta_digest`, when the caller made them already). With
    ``memo``, a note whose three are as at the last save keeps its digest."""
    labels = library.labels
    if memo is None:
        return {
            k: digest(metas[k] if metas is not None else meta_digest(n), labels[k], n.source)
            for k, n in library.notes.items()
        }

    last: dict[CiteKey, tuple[tuple[str, str, str], str]] = memo.slot("meta-fp", dict)

    def make(k: CiteKey, n: Note) -> str:
        # A note saved keeps its digest when its three are equal (a body edit).
        of = (metas[k] if metas is not None else meta_digest(n, memo), labels[k], n.source)
        hit = last.get(k)
        if hit is None or hit[0] != of:
            hit = last[k] = (of, digest(*of))
            memo.count("meta-fp", 1)
        return hit[1]

    # Made from the note alone and its label: kept while the labels are the same object.
    return memo.each("meta-fp", library.notes, labels, make, counted=False)


def _kept_digests(
    memo: SaveMemo, tag: str, parts: Mapping[CiteKey, tuple[object, ...]]
) -> dict[CiteKey, str]:
    """``digest(*parts[k])`` for each key, kept from the last save for equal parts (strings
    the same objects most often: a comparison, where a digest is a ``repr`` and a hash)."""
    last: dict[CiteKey, tuple[tuple[object, ...], str]] = memo.slot(tag, dict)
    out: dict[CiteKey, str] = {}
    made: dict[CiteKey, tuple[tuple[object, ...], str]] = {}
    fresh = 0
    for k, of in parts.items():
        hit = last.get(k)
        if hit is None or hit[0] != of:
            hit = (of, digest(*of))
            fresh += 1
        made[k] = hit
        out[k] = hit[1]
    memo.count(tag, fresh)
    last.clear()
    last.update(made)
    return out


def meta_digest(note: Note, memo: SaveMemo | None = None) -> str:
    """The digest of a note's front matter, made once per note while ``memo`` holds it (the
    ``repr`` of a note's metadata is most of what fingerprinting a page costs)."""
    return once(memo, "meta", (note.meta,), lambda: digest(note.meta))


def pdf_target(note: Note, library: Library, papers_dir: str) -> list[str | None]:
    # Where the PDF link leads, or that there is none: a file moved or refused changes it.
    rel = (
        resolve_local(note, note.meta.pdf, papers_dir, (library.files, library.sources))
        if note.meta.pdf
        else None
    )
    return [rel, library.files.get(rel)] if rel else []


_Refs_ = Mapping[str, tuple[str, tuple[Reference, ...]]]


def note_references(
    library: Library,
    styles: Sequence[Style],
    previous: BuildCache | None,
    workers: int,
    memo: SaveMemo | None = None,
    sources: Mapping[str, str] | None = None,
) -> _Refs_:
    """Each note's formatted references, reused while its CSL item and the styles are the same
    (citeproc-py takes milliseconds per entry and style).

    Each is kept under two digests, "<text> <item>": of the note's text (``sources``, note
    file → text digest) with the styles, which an unchanged note matches without its CSL
    item being made again, and of what citeproc-py is given, which an edit that leaves the
    item as it was (the body, an abstract, tags) matches without formatting anything."""
    return _references(library, styles, previous, workers, memo, sources, ahead=False)[1]()


def references_ahead(
    library: Library,
    styles: Sequence[Style],
    previous: BuildCache | None,
    workers: int,
    sources: Mapping[str, str] | None = None,
) -> tuple[bool, Callable[[], _Refs_]]:
    """:func:`note_references` (a build's, without ``serve``'s memo), the references to format
    handed to forked workers now (``incremental.reuse.reuse_ahead``): whether they were, and
    what gives the references when the caller needs them. They depend on the notes' metadata
    alone, so the workers format them while the parent renders the bodies and tokenises
    the search documents. Those not handed out are made when the caller asks for them."""
    return _references(library, styles, previous, workers, None, sources, ahead=True)


def _references(
    library: Library,
    styles: Sequence[Style],
    previous: BuildCache | None,
    workers: int,
    memo: SaveMemo | None,
    sources: Mapping[str, str] | None,
    *,
    ahead: bool,
) -> tuple[bool, Callable[[], _Refs_]]:
    if not styles:
        return False, partial(dict, ((k, ("", ())) for k in library.notes))
    prints = [s.fingerprint for s in styles]
    old = previous.refs if previous else {}
    # Compared by fingerprint: a kept note's references are decoded only if a page needs them.
    old_fps = fingerprints(old)
    notes: Mapping[CiteKey, Note] = library.notes
    state = memo.slot("refs-kept", _Refs) if memo is not None and sources else None
    # Serve: the notes saved alone, when the others' are the last save's (the same order).
    told = _told(memo, state, prints, old_fps, notes)
    if told is not None:
        notes = {k: notes[k] for k in told}
    if not sources:
        texts = dict.fromkeys(notes, "")
    elif memo is None or notes is not library.notes:
        texts = {k: digest(sources[n.source], prints) for k, n in notes.items()}
    else:
        of = {k: (sources[n.source], prints) for k, n in notes.items()}
        texts = _kept_digests(memo, "refs-text", of)
    kept = {
        k: fp
        for k, t in texts.items()
        if t and (fp := old_fps.get(k)) is not None and fp.startswith(f"{t} ")
    }

    def keyed(note: Note) -> tuple[str, dict[str, object]]:
        item = csl.to_csl(note.meta)
        # Keyed on what citeproc-py is given: editing an abstract or tags formats nothing.
        return digest(citeproc_item(item), prints), item

    wanted = {
        k: once(memo, "csl", (n.meta, *styles), partial(keyed, n))
        for k, n in notes.items()
        if k not in kept
    }
    last: dict[str, tuple[str, tuple[Reference, ...]]] = {
        k: (hit[0].rpartition(" ")[2], hit[1]) for k in wanted if (hit := old.get(k))
    }
    formatter = cache(partial(StyleSet, styles))  # compiled once, and only if needed
    todo = [item for k, (fp, item) in wanted.items() if last.get(k, ("",))[0] != fp]
    if todo:
        formatter()  # before the workers fork: compiled once for all of them
    # References written without citeproc-py (bib.plainrefs, ~10 µs each) are made here: the
    # workers are left to render the bodies, as sending them these would cost more.
    plain = not todo or all(map(formatter().writes_plain, todo))

    def fmt(item: dict[str, object]) -> tuple[Reference, ...]:
        return formatter().format(item)

    # The first slice to the workers too: citeproc's memo would live on in ``remake``
    # through the pages. One reference made here warms citeproc-py for every worker, which
    # formats each note's own item alone: a long life (few forks of the big parent).
    made_of: Callable[[], Mapping[CiteKey, tuple[str, tuple[Reference, ...]]]]
    if ahead and not plain:
        life = OWN_ITEMS_LIFE
        made_of = later = reuse_ahead(wanted, last, fmt, workers=workers, here=1, life=life)
        forked = later.forked
    else:  # made when asked for: a cold build asks while its workers render (``plan``)
        workers = 1 if plain else workers
        made_of = partial(reuse, wanted, last, fmt, workers=workers, first_here=False)
        forked = False

    def remake(k: str) -> tuple[str, tuple[Reference, ...]]:
        key = CiteKey(k)
        fp, item = keyed(library.notes[key])
        return f"{texts[key]} {fp}", formatter().format(item)

    def finish() -> Kept[tuple[Reference, ...]]:
        made = made_of()
        fresh: dict[str, tuple[str, tuple[Reference, ...]]] = {
            k: (f"{texts[k]} {made[k][0]}", made[k][1]) for k in wanted
        }
        fps: dict[str, str]
        if notes is library.notes:
            fps = {k: kept.get(k) or fresh[k][0] for k in library.notes}
        else:  # the last save's, with the notes saved
            fresh_fps = {k: v[0] for k, v in fresh.items()}
            fps = {**old_fps, **cast("dict[str, str]", kept), **fresh_fps}
        if state is not None:
            keys = state.keys if told is not None else tuple(library.notes)  # the same
            state.prints, state.keys, state.notes, state.fps = prints, keys, library.notes, fps
        return Kept(fps, old, fresh, remake)

    return forked, finish


@dataclass(slots=True)
class _Refs:
    """What :func:`note_references` gave at the last save (``serve``)."""

    prints: list[str] = field(default_factory=list)
    keys: tuple[CiteKey, ...] = ()
    notes: Mapping[CiteKey, Note] = field(default_factory=dict)
    fps: Mapping[str, str] = field(default_factory=dict)


def _told(
    memo: SaveMemo | None,
    state: _Refs | None,
    prints: list[str],
    old_fps: Mapping[str, str],
    now: Mapping[CiteKey, Note],
) -> list[CiteKey] | None:
    """The keys whose notes are other objects than at the last save, when the other notes'
    references are that save's (the same styles, keys in the same order, fingerprints); None
    when not. The keys the link stage says it changed (``SaveMemo.moved``) are looked at
    alone; else every note, at C speed."""
    if memo is None or state is None or state.prints != prints:
        return None
    if state.fps is not old_fps and state.fps != old_fps:
        return None
    then = state.notes
    told = memo.moved("notes", then, now)  # no key came, went or moved: the same order
    if told is not None:
        return sorted(k for k in told if now[k] is not then.get(k))
    if state.keys != (*now,):
        return None
    return list(compress(now, map(is_not, map(then.get, now), now.values())))

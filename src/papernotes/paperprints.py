"""Each paper page's fingerprint: its note, and what it shows of the notes around it.

A paper page shows its own note (metadata, rendered body, formatted references), and of the
notes it cites, is cited by, mentions and is mentioned by, their metadata (titles, labels);
its backlinks, the external papers it cites, its PDF link, the lists and series it is in, and
the slugs of its tags and authors. :func:`paper_fingerprints` digests all of that per page.

While serving, a save changes one note or a few, and a page's fingerprint can only change
when one of its inputs did: its note, body or references are other objects, one of its
relations (cites, cited by, backlinks…) is another, or the metadata of a note it shows
moved. The state kept from the last save (:class:`_Papers`, in ``serve``'s memo) finds those
pages by comparing each input map with the last one — a pass of identity and string
comparisons, no digest — and only they are fingerprinted again; the others keep theirs.
Whatever the whole site shares (the tag and author slugs, a theme of the library's own, the
reading lists, every name a citation resolves by) changing makes every page fingerprinted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from operator import is_not, ne
from typing import Any

from papernotes.backlinks import backlinks_digest
from papernotes.fingerprints import citation_targets, linked_files, pdf_target
from papernotes.incremental.cache import digest
from papernotes.incremental.lazy import may_hold
from papernotes.incremental.searchmemo import SaveMemo, same
from papernotes.lists.link import Memberships
from papernotes.lists.pages import paper_lists_fingerprint
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.code import MERMAID_OPEN, has_diagram
from papernotes.model import CiteKey, Library, Note

__all__ = ["any_diagram", "listings", "paper_fingerprints"]

_GONE = object()
"""What a key that is not in a map is compared as: unequal to any value."""


def _relations(library: Library) -> tuple[Mapping[CiteKey, tuple[object, ...]], ...]:
    """The maps a paper page shows one entry of (each note's own)."""
    return (
        library.cites,
        library.cited_by,
        library.mentions,
        library.mentioned_by,
        library.backlinks,
        library.external,
    )


@dataclass(slots=True)
class _Papers:
    """What the last save fingerprinted the paper pages from, and their fingerprints."""

    context: tuple[object, ...] = ()
    """What every page depends on (compared as a whole; () before the first save)."""
    notes: Mapping[CiteKey, Note] = field(default_factory=dict)
    bodies: Mapping[str, str] = field(default_factory=dict)
    metas: Mapping[CiteKey, str] = field(default_factory=dict)
    refs: Mapping[str, str] = field(default_factory=dict)
    relations: tuple[Mapping[CiteKey, tuple[object, ...]], ...] = ()
    prints: dict[CiteKey, str] = field(default_factory=dict)
    """Each paper page's fingerprint."""
    files: dict[CiteKey, tuple[str, ...]] = field(default_factory=dict)
    """The library's files each note's page links to (only the notes with some)."""


def _differ(now: Mapping[Any, object], then: Mapping[Any, object]) -> set[Any]:
    """The keys whose values are unequal (one of them missing counts): the tuples compared
    hold the same objects when nothing changed, so each costs an identity test per item; a
    mapping kept whole from the last save (``incremental.linkmemo``'s graph) costs nothing."""
    if now is then:
        return set()
    # At C speed (a Python step per key was a few ms of a 10,000-note save, each call).
    out = set(compress(now, map(ne, map(then.get, now, repeat(_GONE)), now.values())))
    out.update(then.keys() - now.keys())
    return out


def _replaced(now: Mapping[Any, object], then: Mapping[Any, object]) -> set[Any]:
    """The keys whose values are other objects (a note, its references: equal objects that
    are not the same are rare, and comparing two notes costs more than fingerprinting one)."""
    return set(compress(now, map(is_not, map(then.get, now, repeat(_GONE)), now.values())))


def _told(
    memo: SaveMemo,
    state: _Papers,
    library: Library,
    metas: Mapping[CiteKey, str],
    bodies: Mapping[str, str],
) -> frozenset[CiteKey] | None:
    """The notes whose page inputs may have moved since the last save, as the stages that made
    them said (``SaveMemo.moved``): linking patched (the notes saved, the notes they give
    backlinks to; the graph's maps the very ones), and the body and metadata fingerprints
    made again. None when one of them does not know (a full pass): every note is compared.

    A note's references are made from its note alone (the styles are the memo's for its
    life), so they move only with a note in the first set."""
    relations = _relations(library)
    for now, then in zip(relations[:4], state.relations[:4], strict=True):
        if now is not then:  # cites, cited by, mentions, mentioned by: kept by a patch
            return None
    told = [
        memo.moved("notes", state.notes, library.notes),
        memo.moved("backlinks", state.relations[4], library.backlinks),
        memo.moved("external", state.relations[5], library.external),
        memo.moved("body-fp", state.bodies, bodies),
        memo.moved("meta-fp", state.metas, metas),
    ]
    out: set[CiteKey] = set()
    for keys in told:
        if keys is None:
            return None
        out |= keys
    return frozenset(out)


def _differ_at(
    keys: Collection[Any], now: Mapping[Any, object], then: Mapping[Any, object]
) -> set[Any]:
    """:func:`_differ` of the ``keys`` alone."""
    return {k for k in keys if now.get(k, _GONE) != then.get(k, _GONE)}


def _to_fingerprint(
    state: _Papers,
    library: Library,
    memberships: Memberships,
    metas: Mapping[CiteKey, str],
    bodies: Mapping[str, str],
    refs: Mapping[str, str],
    memo: SaveMemo,
) -> tuple[Collection[CiteKey], bool]:
    """The pages whose inputs may differ from the last save's (``state``), and whether the
    stages before said which notes moved (the same notes as then)."""
    told = _told(memo, state, library, metas, bodies)
    if told is not None:  # only those notes compared: no pass over every note
        out: set[CiteKey] = {k for k in told if library.notes.get(k) is not state.notes.get(k)}
        out |= _differ_at(told, refs, state.refs) | _differ_at(told, bodies, state.bodies)
        for now, then in zip(_relations(library)[4:], state.relations[4:], strict=True):
            out |= _differ_at(told, now, then)
        return _around(out, _differ_at(told, metas, state.metas), library, memberships), True
    out = _replaced(library.notes, state.notes) | _differ(refs, state.refs)
    out |= _differ(bodies, state.bodies)
    for now, then in zip(_relations(library), state.relations, strict=True):
        out |= _differ(now, then)
    return _around(out, _differ(metas, state.metas), library, memberships), False


def _around(
    out: set[CiteKey],
    metas_moved: set[CiteKey],
    library: Library,
    memberships: Memberships,
) -> Collection[CiteKey]:
    """``out``, with the pages showing a note whose metadata moved."""
    keys = library.notes.keys()
    # A note whose metadata moved is shown by the notes around it, and by its series.
    for key in metas_moved & keys:
        if memberships.lists_of(key):
            return keys
        out.add(key)
        for around in (library.cites, library.cited_by, library.mentions, library.mentioned_by):
            out.update(around.get(key, ()))
    return out & keys


def paper_fingerprints(
    library: Library,
    memberships: Memberships,
    metas: Mapping[CiteKey, str],
    bodies: Mapping[str, str],
    refs: Mapping[str, str],
    shared: tuple[str, str],
    papers_dir: str,
    memo: SaveMemo | None = None,
    token: object = None,
) -> tuple[dict[CiteKey, str], set[str]]:
    """Each paper page's fingerprint, and the library's files the pages link to.

    ``metas`` are the notes' metadata fingerprints (``meta_fingerprints``), ``bodies`` their
    body fingerprints and ``refs`` their formatted references' fingerprints (what they were
    formatted from: the references themselves are not read); ``shared`` is what every page
    shows (a theme of the library's own: everything; where tags and authors link). With
    ``memo`` (``serve``'s) and its ``token`` (:func:`~papernotes.fingerprints.library_token`),
    only the pages whose inputs changed since the last save are fingerprinted again
    (``memo.made["paper-fp"]`` counts them)."""
    state = memo.slot("paper-prints", _Papers) if memo is not None else None
    # What a note's citations, links and PDF resolve by; ``token`` holds every note's metadata
    # too, which reaches a page through the notes around it (found below) or its body.
    names = (library.aliases, library.sources, library.files)
    context = (same(memo, "page-names", names, object), *shared, papers_dir, library.reading_lists)
    todo: Collection[CiteKey] = library.notes
    told = False
    if memo is not None and state is not None and state.context and state.context == context:
        todo, told = _to_fingerprint(state, library, memberships, metas, bodies, refs, memo)
    made = partial(_paper, library, memberships, metas, bodies, refs, shared, papers_dir, memo)
    prints: dict[CiteKey, str] = {}
    files: dict[CiteKey, tuple[str, ...]] = {}
    for key in todo:
        prints[key], found = made(token, key)
        if found:
            files[key] = found
    if memo is not None and state is not None:
        if todo is not library.notes:
            kept = state.files
            files = {k: kept[k] for k in kept.keys() - prints.keys() if k in library.notes} | files
            # The last save's, with those made again (at C speed: no step per note).
            fresh, prints = prints, {**state.prints, **prints}
            if told:  # the same notes: the paper jobs look at those made again alone
                memo.record("paper-prints", state.prints, prints, fresh)
            else:
                for gone in prints.keys() - library.notes.keys():
                    del prints[gone]
        memo.count("paper-fp", len(todo))
        state.context, state.notes, state.bodies, state.metas = (
            context,
            library.notes,
            bodies,
            metas,
        )
        state.refs, state.relations = refs, _relations(library)
        state.prints, state.files = prints, files
    return prints, {f for found in files.values() for f in found}


def _paper(
    library: Library,
    memberships: Memberships,
    metas: Mapping[CiteKey, str],
    bodies: Mapping[str, str],
    refs: Mapping[str, str],
    shared: tuple[str, str],
    papers_dir: str,
    memo: SaveMemo | None,
    token: object,
    key: CiteKey,
) -> tuple[str, tuple[str, ...]]:
    """One paper page's fingerprint, and the files it links to. An input added here must be
    one :func:`_to_fingerprint` compares too (or in the ``context``), else a save keeps a
    page that changed: ``tests/test_incremental.py`` holds a served library to a clean build."""
    note = library.notes[key]
    targets = citation_targets(note, library, memo, token)

    def related(keys: Iterable[CiteKey]) -> list[tuple[CiteKey, str]]:
        return [(k, metas[k]) for k in keys]

    parts = (
        "paper",
        metas[key],
        bodies[key],
        *shared,
        related(library.cites.get(key, ())),
        related(library.cited_by.get(key, ())),
        related(library.mentions.get(key, ())),
        related(library.mentioned_by.get(key, ())),
        backlinks_digest(library.backlinks, key),
        library.external.get(key, ()),
        sorted((k, metas[k]) for k in targets if isinstance(k, str)),
        pdf_target(note, library, papers_dir),
        refs.get(key, ""),
        paper_lists_fingerprint(memberships, key, metas),
    )
    return digest(*parts), linked_files(note, library, papers_dir, memo, token)


@dataclass(slots=True)
class _Listings:
    """The listing fingerprints of the last save, by the tuple of keys they list."""

    context: tuple[object, ...] = ()
    metas: Mapping[CiteKey, str] = field(default_factory=dict)
    made: dict[tuple[CiteKey, ...], str] = field(default_factory=dict)


def listings(
    metas: Mapping[CiteKey, str], shared: tuple[str, str], memo: SaveMemo | None = None
) -> Callable[[Iterable[CiteKey]], str]:
    """The fingerprint of a page listing notes (a tag's, an author's, a year's): what it
    shows of each. With ``memo``, a listing of the same keys as at the last save keeps its
    fingerprint while none of those notes' metadata moved (``memo.made["listing"]`` counts
    those made again: none for a body edit, where there were ~475 at 1,000 notes)."""

    def listing(keys: Iterable[CiteKey]) -> str:
        return digest(*shared, [(k, metas[k]) for k in keys])

    if memo is None:
        return listing
    state = memo.slot("listings", _Listings)
    moved: set[CiteKey] | None = None
    if state.context == shared:  # the notes whose metadata digests were made again, if known
        said = memo.moved("meta-fp", state.metas, metas)
        moved = (
            _differ(metas, state.metas) if said is None else _differ_at(said, metas, state.metas)
        )
    last, made = state.made, dict[tuple[CiteKey, ...], str]()
    state.context, state.metas, state.made = shared, metas, made

    def kept(keys: Iterable[CiteKey]) -> str:
        listed = tuple(keys)  # hashed once per string: a tuple of keys hashes cheaply
        fp = last.get(listed)
        if fp is None or moved is None or not moved.isdisjoint(listed):
            fp = listing(listed)
            memo.count("listing", 1)
        made[listed] = fp
        return fp

    return kept


@dataclass(slots=True)
class _Diagrams:
    """The body fingerprints of the last save, and the notes whose bodies draw a diagram."""

    fps: Mapping[str, str] = field(default_factory=dict)
    drawn: set[str] = field(default_factory=set)


def any_diagram(
    bodies: Mapping[str, RenderedBody],
    memo: SaveMemo | None = None,
    fps: Mapping[str, str] | None = None,
) -> bool:
    """Whether a rendered body draws a diagram (the site then carries Mermaid). With
    ``memo`` and the bodies' fingerprints ``fps`` (``reuse`` keeps a body under its own), only
    the bodies whose fingerprints moved since the last save are searched (a pass at C speed,
    not a look-up of every body)."""
    if memo is None or fps is None:  # a body whose stored text has no marker is not decoded
        return any(has_diagram(bodies[k].html) for k in bodies if may_hold(bodies, k, MERMAID_OPEN))
    state = memo.slot("diagrams", _Diagrams)
    said = memo.moved("body-fp", state.fps, fps)  # the bodies fingerprinted again, if known
    moved = _differ(fps, state.fps) if said is None else _differ_at(said, fps, state.fps)
    state.drawn -= moved
    # A body whose stored text has no marker is not decoded: the first save of ``serve``
    # finds every body moved (at 50,000 notes, 7 s of its start-up decoding them all).
    state.drawn.update(
        k
        for k in moved & fps.keys()
        if may_hold(bodies, k, MERMAID_OPEN) and has_diagram(bodies[k].html)
    )
    state.fps = fps
    return bool(state.drawn)

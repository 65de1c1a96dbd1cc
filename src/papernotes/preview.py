"""The data of link previews: for each paper page, what its preview card shows.

``static/preview/index.js`` says how many shards there are; ``static/preview/N.js`` holds the
cards of the pages whose path hashes to ``N`` (FNV-1a over UTF-16 code units, as
``templates/static/preview.js`` computes it). Both are scripts, which load from ``file://``
where ``fetch()`` cannot; a hover loads two small files however large the library is. A shard's
cards come gzipped, in base64 (``search.shards.pack_rows``, as the search's doc shards do):
they are mostly prose, which gzip takes to about a quarter even after base64's third more;
preview.js unpacks them with ``DecompressionStream``.

A card shows the title, authors, venue and year, reading status, and the first paragraph of
the note (``markdown.context.leads``), or of the section a ``note#heading`` link names.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from papernotes import urls
from papernotes.backlinks import label_of
from papernotes.incremental.cache import digest
from papernotes.machine import script_json
from papernotes.markdown.context import LEAD_CHARS, fill
from papernotes.model import CiteKey, Library, Note
from papernotes.search.shards import pack_rows, unpack_rows
from papernotes.vault import heading_anchor

if TYPE_CHECKING:
    from papernotes.incremental.searchmemo import SaveMemo

__all__ = [
    "PREVIEW_INDEX",
    "PreviewFile",
    "PreviewMemo",
    "linked_sections",
    "preview_entry",
    "preview_files",
    "shard_cards",
    "shard_count",
    "shard_of",
]

PREVIEW_DIR = "static/preview/"
PREVIEW_INDEX = PREVIEW_DIR + "index.js"
NOTES_PER_SHARD = 16
"""About how many cards a shard holds: a hover reads one shard of a few tens of KB."""
AUTHORS_SHOWN = 3
"""Authors named before "et al.", as the inline citation popover always did."""


class PreviewFile(NamedTuple):
    """One file of the preview data, with what the build needs to decide to write it."""

    path: str
    """Where it goes in the site (``static/preview/3.js``)."""
    fingerprint: str
    """Digest of its text: a file is rewritten only when its cards change."""
    text: str
    """The script."""


def shard_count(notes: int) -> int:
    """The number of shards for ``notes`` notes: a power of two, at least one."""
    count = 1
    while count * NOTES_PER_SHARD < notes:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    """The shard of a page path among ``count`` (a power of two): FNV-1a (32 bits) over the
    path's UTF-16 code units, which is what JavaScript's ``charCodeAt`` walks."""
    data = path.encode("utf-16-le")
    h = 0x811C9DC5
    for i in range(0, len(data), 2):
        h = ((h ^ (data[i] | data[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return h & (count - 1)


def _trim(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else text[:limit]).rstrip() + "…"


def linked_sections(library: Library) -> dict[CiteKey, set[str]]:
    """For each note, the ``#fragments`` other notes link to in it (``[[key#Heading]]``,
    ``[text](other.md#method)``), as written."""
    rel_of = {key: rel for rel, key in library.sources.items()}
    out: dict[CiteKey, set[str]] = defaultdict(set)
    for key, note in library.notes.items():
        for target, fragment in _sections_named(library, note, rel_of.get(key, "")):
            out[target].add(fragment)
    return out


def _sections_named(library: Library, note: Note, rel: str) -> tuple[tuple[CiteKey, str], ...]:
    """The (note, ``#fragment``) pairs ``note`` (at ``rel`` in the notes folder) links to."""
    out: list[tuple[CiteKey, str]] = []
    for citation in note.body.citations:
        if citation.keys and citation.heading:
            target = library.resolve(citation.keys[0])
            if isinstance(target, str):
                out.append((target, citation.heading))
    folder = posixpath.dirname(rel)
    for link in note.body.local_links:
        path, _, fragment = link.url.partition("#")
        found = library.sources.get(posixpath.normpath(posixpath.join(folder, path)))
        if path and fragment and found is not None:
            out.append((found, fragment))
    return tuple(out)


def preview_entry(note: Note, library: Library, fragments: Collection[str] = ()) -> dict[str, Any]:
    """The card of one note: title ``t``, authors ``a``, year ``y``, venue ``v``, status
    ``s``, first paragraph ``p`` (else the abstract), and ``h``: the first paragraph of each
    section ``fragments`` name (the ones other notes link to), by its heading's anchor. Empty
    values are left out."""
    meta = note.meta
    names = [a.display for a in meta.authors or meta.editors]
    authors = ", ".join(names[:AUTHORS_SHOWN]) + (" et al." if len(names) > AUTHORS_SHOWN else "")

    def label(target: str) -> str:
        return label_of(library, target)

    # Only sections some link names: every section's would double the data for no reader.
    wanted = {heading_anchor(note.body, f) or f for f in fragments}
    leads = {
        lead.anchor: fill(lead.text, label)
        for lead in note.body.leads
        if not lead.anchor or lead.anchor in wanted
    }
    first = leads.pop("", "") or _trim(meta.abstract or "", LEAD_CHARS)
    entry: dict[str, Any] = {
        "t": meta.heading,
        "a": authors,
        "y": meta.year if meta.year is not None else meta.year_label,
        "v": meta.venue or "",
        "s": meta.status.value if meta.status else "",
        "p": first,
        "h": leads,
    }
    return {k: v for k, v in entry.items() if v != "" and v != {}}


def _script(value: Any) -> str:
    return f"PAPERNOTES_PREVIEW({script_json(value)});\n"


def shard_cards(data: dict[str, Any]) -> dict[str, Any]:
    """The cards of a shard's data (``{"shard": n, "z": packed}``), by page path."""
    cards = unpack_rows(data["z"])
    if not isinstance(cards, dict):
        raise TypeError(f"preview shard {data.get('shard')}: cards are not an object")
    return cards


def preview_files(
    library: Library, memo: SaveMemo | None = None, token: object = None
) -> Iterator[PreviewFile]:
    """The index, then every shard (an empty one too: a hover on any page finds a file).

    With a ``memo`` (``serve``'s), a card is kept while its note, the sections linked in it
    and ``token`` (``fingerprints.library_token``: every label as it was) are, and a shard's
    text while its cards are: a save makes one card and one shard again
    (:class:`PreviewMemo`, which visits the notes saved alone)."""
    if memo is not None:
        kept = memo.slot("preview", partial(PreviewMemo, memo.count, memo.moved))
        yield from kept.files(library, token)
        return
    count = shard_count(len(library.notes))
    shards: list[list[tuple[str, dict[str, Any]]]] = [[] for _ in range(count)]
    sections = linked_sections(library)
    for key, note in library.notes.items():
        fragments = frozenset(sections.get(key, ()))
        n, path, entry = _card(note, library, fragments, count)
        shards[n].append((path, entry))
    index = _script({"shards": count})
    yield PreviewFile(PREVIEW_INDEX, digest(index), index)
    for n, cards in enumerate(shards):
        text, fp = _shard(n, cards)
        yield PreviewFile(f"{PREVIEW_DIR}{n}.js", fp, text)


def _card(
    note: Note, library: Library, fragments: Collection[str], count: int
) -> tuple[int, str, dict[str, Any]]:
    """A note's shard, page path and card."""
    path = urls.paper_page(note.key)
    return shard_of(path, count), path, preview_entry(note, library, fragments)


def _shard(n: int, cards: list[tuple[str, dict[str, Any]]]) -> tuple[str, str]:
    """A shard's script and its digest."""
    text = _script({"shard": n, "z": pack_rows(dict(cards))})
    return text, digest(text)


_Card = tuple[int, str, dict[str, Any]]


@dataclass(slots=True)
class _Kept:
    """The last cards made (a working state of :class:`PreviewMemo`)."""

    notes: dict[CiteKey, Note]
    """The library's notes, by key, in order."""
    sources: object
    """The library's ``sources`` (the very object: while it is, ``rel_of`` holds)."""
    rel_of: dict[CiteKey, str]
    token: object
    count: int
    named: dict[CiteKey, tuple[tuple[CiteKey, str], ...]]
    """What each note links to by section (:func:`_sections_named`)."""
    sections: dict[CiteKey, frozenset[str]]
    cards: dict[CiteKey, tuple[Note, frozenset[str], _Card]]
    members: list[list[CiteKey]]
    """Each shard's notes, in library order."""
    files: list[PreviewFile]
    """The index, then each shard's file."""


class PreviewMemo:
    """``preview_files`` for ``serve``: the last save's cards and shards, a save remaking the
    cards of the notes it changed and their shards alone, when none of them changed which
    sections it links to (else every card is looked at, and kept where it can be).
    ``count(tag, n)`` is told each card (``"preview:<key>"``) and shard made."""

    def __init__(
        self,
        count: Callable[[str, int], None],
        moved: Callable[[str, object, object], Collection[CiteKey] | None] | None = None,
    ) -> None:
        self._count = count
        self._moved = moved
        """``SaveMemo.moved``: the notes linking replaced, when it says (no pass over all)."""
        self._kept: _Kept | None = None
        self._given: object = None
        """The library's notes map the kept cards were last made or patched for."""

    def files(self, library: Library, token: object) -> list[PreviewFile]:
        kept = self._kept
        count = shard_count(len(library.notes))
        if (
            kept is not None
            and (kept.token, kept.count, kept.sources) == (token, count, library.sources)
            and self._patch(kept, library)
        ):
            return kept.files
        self._kept = kept = self._all(library, token, count, kept)
        self._given = library.notes
        return kept.files

    def _patch(self, kept: _Kept, library: Library) -> bool:
        notes = library.notes
        told = self._moved("notes", self._given, notes) if self._moved is not None else None
        if told is not None:  # the notes linking replaced: no other key came, went or moved
            if not all(k in notes and k in kept.notes for k in told):
                return False
            changed = [k for k in told if notes[k] is not kept.notes[k]]
        elif len(notes) != len(kept.notes) or notes.keys() != kept.notes.keys():
            return False
        else:
            changed = [
                k for k, n in zip(notes, notes.values(), strict=True) if n is not kept.notes[k]
            ]
        if len(changed) > 16:
            return False
        named = {k: _sections_named(library, notes[k], kept.rel_of.get(k, "")) for k in changed}
        if any(named[k] != kept.named[k] for k in changed):
            return False  # the sections linked moved: every card looked at again
        dirty: set[int] = set()
        for key in changed:
            fragments = kept.sections.get(key, frozenset())
            card = _card(notes[key], library, fragments, kept.count)
            self._count(f"preview:{key}", 1)
            kept.cards[key] = (notes[key], fragments, card)
            dirty.add(card[0])
        for n in sorted(dirty):
            kept.files[n + 1] = self._shard(n, [kept.cards[k][2] for k in kept.members[n]])
        if told is None:
            kept.notes = dict(notes)
        else:  # ours alone: patched in place
            kept.notes.update((k, notes[k]) for k in changed)
        self._given = notes
        return True

    def _all(self, library: Library, token: object, count: int, last: _Kept | None) -> _Kept:
        rel_of = {key: rel for rel, key in library.sources.items()}
        named = {
            k: _sections_named(library, n, rel_of.get(k, "")) for k, n in library.notes.items()
        }
        found: dict[CiteKey, set[str]] = defaultdict(set)
        for pairs in named.values():
            for target, fragment in pairs:
                found[target].add(fragment)
        sections = {k: frozenset(v) for k, v in found.items()}
        old = last.cards if last is not None and last.token is token and last.count == count else {}
        cards: dict[CiteKey, tuple[Note, frozenset[str], _Card]] = {}
        members: list[list[CiteKey]] = [[] for _ in range(count)]
        for key, note in library.notes.items():
            fragments = sections.get(key, frozenset())
            hit = old.get(key)
            if hit is None or hit[0] is not note or hit[1] != fragments:
                self._count(f"preview:{key}", 1)
                hit = (note, fragments, _card(note, library, fragments, count))
            cards[key] = hit
            members[hit[2][0]].append(key)
        index = _script({"shards": count})
        files = [PreviewFile(PREVIEW_INDEX, digest(index), index)]
        before = last if last is not None and last.count == count else None
        for n, keys in enumerate(members):
            shown = [cards[k][2] for k in keys]
            # The same cards, the very objects: the shard's text as it was.
            if (
                before is not None
                and before.members[n] == keys
                and all(before.cards[k][2] is card for k, card in zip(keys, shown, strict=True))
            ):
                files.append(before.files[n + 1])
            else:
                files.append(self._shard(n, shown))
        return _Kept(
            dict(library.notes),
            library.sources,
            rel_of,
            token,
            count,
            named,
            sections,
            cards,
            members,
            files,
        )

    def _shard(self, n: int, cards: list[_Card]) -> PreviewFile:
        self._count(f"preview-shard:{n}", 1)
        text, fp = _shard(n, [(path, entry) for _, path, entry in cards])
        return PreviewFile(f"{PREVIEW_DIR}{n}.js", fp, text)

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
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from papernotes import urls
from papernotes.backlinks import label_of
from papernotes.incremental.cache import digest
from papernotes.incremental.searchmemo import once, same
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


@dataclass(frozen=True, slots=True)
class PreviewFile:
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
        for citation in note.body.citations:
            if citation.keys and citation.heading:
                target = library.resolve(citation.keys[0])
                if isinstance(target, str):
                    out[target].add(citation.heading)
        folder = posixpath.dirname(rel_of.get(key, ""))
        for link in note.body.local_links:
            path, _, fragment = link.url.partition("#")
            found = library.sources.get(posixpath.normpath(posixpath.join(folder, path)))
            if path and fragment and found is not None:
                out[found].add(fragment)
    return out


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
    text while its cards are: a save makes one card and one shard again."""
    count = shard_count(len(library.notes))
    shards: list[list[tuple[str, dict[str, Any]]]] = [[] for _ in range(count)]
    sections = linked_sections(library)
    for key, note in library.notes.items():
        fragments = frozenset(sections.get(key, ()))
        n, path, entry = same(
            memo,
            f"preview:{key}",
            (note, fragments, token, count),
            partial(_card, note, library, fragments, count),
        )
        shards[n].append((path, entry))
    index = _script({"shards": count})
    yield PreviewFile(PREVIEW_INDEX, digest(index), index)
    for n, cards in enumerate(shards):
        # The cards' own objects: the same ones while every card of the shard was kept.
        entries = tuple(e for _, e in cards)
        text, fp = once(memo, f"preview-shard:{n}", entries, partial(_shard, n, cards))
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

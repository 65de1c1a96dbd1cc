"""Rendered bodies held small between the search index and the cache save.

Once the search documents are made from them, a build's rendered bodies are read only by the
page of each note (in the worker that renders it), by the feed (20 of them) and by the cache
save, which writes each as JSON. As objects they were the parent's largest holding at the
pages stage (about 14 KB a note), and every page worker forked from it inherits them. Kept as
their entry's JSON text, compressed (about 2 KB a note), they cost the parent a seventh, the
save no longer encodes them, and a worker decodes only the bodies of the pages it renders.

The search terms, once the index is made, are read only by the cache save: those a build
made are packed the same way (``store.pack``), 2.5 KB a note as JSON, 1.2 compressed.

A cold build packs each body where it is rendered (:func:`render_packed`): in the page worker,
so the parent never holds the bodies as objects (at 5,000 notes they were 65 MiB of HTML and
text at once, before the parent packed them).

A text that goes to the build's spool (``incremental.spool``) is kept there as it is, not
compressed: it no longer costs the parent's memory, and compressing it cost CPU twice, once
to pack and once to save (at 1,000 notes, 0.4 s, most of it in the parent alone, between the
search index and the pages). Only a text held in memory (no spool) is compressed.

Only values a build made itself are packed (a cold build, or one whose cache held no bodies):
those kept from the last build (``lazy.Reused``) are already JSON text until read, and are
made again should one not decode, which a packed value never fails to.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from papernotes.incremental.entryfile import dump
from papernotes.incremental.lazy import Parts

if TYPE_CHECKING:
    from papernotes.incremental.searchstate import DocEntry
    from papernotes.incremental.spool import Spool
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import Note
    from papernotes.search.index import DocTerms, SearchDoc

__all__ = [
    "BODY_LIVES",
    "ColdBodies",
    "Packed",
    "Rendered",
    "pack_bodies",
    "pack_docs",
    "pack_made",
    "render_packed",
    "tokenise_packed",
]

_V = TypeVar("_V")

_LEVEL = 1
"""zlib's fastest level: 2.0 KB a body against 1.7 at level 6, in a fraction of the time."""


class Packed(Parts[_V]):
    """:class:`~papernotes.incremental.lazy.Parts` whose JSON texts are held small: in a
    :class:`Spool`'s file, as they are, or in memory zlib-compressed (those it could not
    write, or all without a spool); reading a value, or its JSON text for the store
    (:meth:`raw`), reads or inflates it first. The texts are the build's own, so none fails
    to decode."""

    __slots__ = ("_at", "_spool")

    def __init__(
        self,
        raw: dict[str, tuple[str, bytes]],
        decode: Callable[[Any], _V],
        spool: Spool | None = None,
        at: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        """``raw`` as :class:`Parts` takes it, compressed; ``at``: where in ``spool`` the
        texts of the keys ``raw`` gives as ``b""`` are."""
        super().__init__(raw, decode)
        self._spool = spool
        self._at = at or {}

    def _json(self, key: str) -> bytes | None:
        """``key``'s JSON text, from the spool or inflated; None when there is none."""
        at = self._at.get(key)
        if at is not None and self._spool is not None:
            return self._spool.get(*at)
        raw = self._raw.get(key)
        packed = raw if raw is None or isinstance(raw, bytes) else raw()
        return None if packed is None else zlib.decompress(packed)

    def held(self) -> int:
        """Bytes of packed text held in memory (not in the spool): what the tests count."""
        return sum(len(v) for v in self._raw.values() if isinstance(v, bytes))

    def raw(self, key: str) -> bytes | None:
        return self._json(key)

    def may_hold(self, key: str, text: str) -> bool:
        raw = self.raw(key)
        return raw is None or json.dumps(text, ensure_ascii=False)[1:-1].encode() in raw

    def __getitem__(self, key: str) -> tuple[str, _V]:
        """``key``'s value, decoded anew at each read and not kept: each is read once, by its
        page's worker (or the feed), and a kept value would grow the reader by it."""
        text = self._json(key)
        if text is None:
            raise KeyError(key)
        self.decoded += 1
        return self._fps[key], self._decode(json.loads(text))


def _spooled(
    packed: Iterable[tuple[str, tuple[str, bytes]]], spool: Spool | None
) -> tuple[dict[str, tuple[str, bytes]], dict[str, tuple[int, int]]]:
    """``packed`` (key, (fingerprint, JSON text)) as :class:`Packed` takes it: each text
    written to ``spool`` as it comes (``b""`` left in its place), or kept compressed when it
    cannot be."""
    raw: dict[str, tuple[str, bytes]] = {}
    at: dict[str, tuple[int, int]] = {}
    for key, (fp, text) in packed:
        where = spool.put(text) if spool is not None else None
        if where is None:
            raw[key] = (fp, zlib.compress(text, _LEVEL))
        else:
            raw[key], at[key] = (fp, b""), where
    return raw, at


def pack_made(
    values: Mapping[str, tuple[str, _V]],
    name: str,
    then: Callable[[Any], _V] | None = None,
    spool: Spool | None = None,
) -> Packed[_V] | None:
    """``values``, the cache part ``name`` (``entryfile.PARTS``), as the cache save writes
    them, compressed, in the same order, when the build made them all (a dict); else None.
    A value read from the result is decoded again (then passed through ``then``). With a
    ``spool``, each text goes to its file as soon as it is made."""
    if not isinstance(values, dict):
        return None
    from papernotes.incremental.store import _codec, _types

    codec, tp = _codec(), _types()[name]
    made = ((k, (fp, dump(codec.encode(value, tp)))) for k, (fp, value) in values.items())
    raw, at = _spooled(made, spool)
    return Packed(
        raw,
        lambda data: codec.decode(data, tp) if then is None else then(codec.decode(data, tp)),
        spool,
        at,
    )


def pack_bodies(
    bodies: Mapping[str, tuple[str, RenderedBody]], spool: Spool | None = None
) -> Mapping[str, tuple[str, RenderedBody]]:
    """``bodies`` packed (:func:`pack_made`) when the build made them all, else as they are."""
    return pack_made(bodies, "body", spool=spool) or bodies


class _Made(NamedTuple):
    """A value as its worker sends it back, packed, and where the spool took it."""

    packed: bytes
    """Its entry's JSON text (empty once in the spool); compressed when held in memory."""
    at: tuple[int, int] | None = None
    """Where in the spool it went, when it did."""


class Rendered(NamedTuple):
    """A body as its worker sends it back: packed, with the search document made from its
    plain text (the only part of it the parent reads before the pages)."""

    packed: bytes
    """Its entry's JSON text: as it is for the spool, else compressed (what :class:`Packed`
    holds)."""
    doc: DocEntry
    """The note's search document and its digest (``searchstate.doc_entry``)."""
    at: tuple[int, int] | None = None
    """Where in the spool ``packed`` went (``packed`` is then empty), when it did."""
    terms: _Made | None = None
    """The document's search terms, packed, when they were made with the body."""


class ColdBodies(NamedTuple):
    """What :func:`render_packed` makes of every note."""

    bodies: Packed[RenderedBody]
    """Key → (body fingerprint, rendered body), packed."""
    docs: dict[str, tuple[str, DocEntry]]
    """Key → (document fingerprint, (digest, search document)), as ``search_docs`` makes it."""
    terms: Packed[DocTerms] | None
    """Key → (document digest, its terms), as ``tokenise_packed`` makes it, when asked."""


def render_packed(
    wanted: Mapping[str, tuple[str, Note]],
    render: Callable[[Note], RenderedBody],
    workers: int,
    spool: Spool | None = None,
    *,
    terms: bool = False,
    meanwhile: Iterator[object] | None = None,
) -> ColdBodies:
    """Every note of ``wanted`` (key → (body fingerprint, note)) rendered and packed where it
    is rendered (over ``workers`` processes when there are many), each moved to ``spool`` as
    it arrives: the bodies, as :func:`pack_bodies` would have packed them, each one's search
    document, as ``searchstate.search_docs`` keys them, and with ``terms`` (and a spool) its
    terms, as :func:`tokenise_packed` makes them.

    The documents are made where the bodies are: made here from the texts after the pool,
    they were 0.14 s of the parent's CPU at 1,000 notes with no worker running. So can the
    terms be, when the bodies go to every worker: one pool instead of two (at 1,000 notes, a
    second pool's forks, first slice and last slices were ~0.15 s of wall time).
    ``meanwhile``: the caller's steps, taken while the workers render
    (``parallel.parallel_iter``)."""
    from papernotes.incremental.reuse import reuse
    from papernotes.incremental.searchstate import doc_entry
    from papernotes.incremental.store import _codec, _types
    from papernotes.search.index import INDEX_FORMAT

    codec, tp = _codec(), _types()["body"]
    tokenise = _tokeniser() if terms and spool is not None else None

    def make(note: Note) -> Rendered:
        body = render(note)
        text = dump(codec.encode(body, tp))
        packed = text if spool is not None else zlib.compress(text, _LEVEL)
        doc = doc_entry(note, body.text)
        return Rendered(packed, doc, None, tokenise(doc[1]) if tokenise else None)

    def own(made: Rendered) -> Rendered:  # spooled as each arrives: never all held at once
        if spool is None:
            return made
        where = spool.put(made.packed)
        found = None if made.terms is None else _spooled_one(made.terms, spool)
        if where is None:  # held in memory after all: compressed
            return Rendered(zlib.compress(made.packed, _LEVEL), made.doc, None, found)
        return Rendered(b"", made.doc, where, found)

    life = _body_life(len(wanted))
    made = reuse(wanted, {}, make, workers=workers, own=own, life=life, meanwhile=meanwhile)
    # Kept under the body's fingerprint and the index format, as ``search_docs`` keeps them.
    docs = {k: (f"{INDEX_FORMAT}:{fp}", r.doc) for k, (fp, r) in made.items()}
    raw = {k: (fp, r.packed) for k, (fp, r) in made.items()}
    at = {k: r.at for k, (_, r) in made.items() if r.at is not None}
    bodies = Packed(raw, lambda data: codec.decode(data, tp), spool, at)
    if tokenise is None:
        return ColdBodies(bodies, docs, None)
    found = {k: (r.doc[0], r.terms) for k, (_, r) in made.items() if r.terms is not None}
    return ColdBodies(bodies, docs, _packed_terms(found, spool))


BODY_LIVES = 32
"""About how many workers in all render a large library's bodies (:func:`_body_life`)."""


def _body_life(count: int) -> int:
    """About how many of ``count`` bodies a worker renders before a new fork takes its place.

    In a library of up to ``sitejobs.LIFE_FROM`` notes, ``parallel.OWN_ITEMS_LIFE`` (at 1,000
    notes, the default life of 256 forked 6 workers where 2 do, each fork a copy of the
    parent's page tables and its first steps again). In a larger one a body reads the notes it
    links to, and its worker copies the parent's memory as a page's does, so at least
    ``parallel.ITEMS_PER_WORKER``; but no more than :data:`BODY_LIVES` forks in all: each
    costs CPU in proportion to the parent, and with 256 a 50,000-note build forked ~200 times
    from a parent of ~850 MiB. What a longer life copies is held while the bodies render, a
    stage that ends well below the pages' peak (the parent has not yet grown by the plan)."""
    from papernotes.incremental.parallel import ITEMS_PER_WORKER, OWN_ITEMS_LIFE
    from papernotes.sitejobs import LIFE_FROM

    if count <= LIFE_FROM:
        return OWN_ITEMS_LIFE
    return max(ITEMS_PER_WORKER, -(-count // BODY_LIVES))


def tokenise_packed(
    docs: Mapping[str, tuple[str, DocEntry]], workers: int, spool: Spool
) -> Packed[DocTerms]:
    """A cold build's search terms: each note's (``search.index.doc_terms``) packed where it
    is made (over ``workers`` processes when there are many) and moved to ``spool`` as it
    arrives, under its document's digest, as ``searchstate.search_terms`` keys them. The
    parent held every note's as a dict until the index was made (about 7 KB a note), and the
    processes it forked in between inherited them; now the index reads each note's once,
    and the cache save writes the texts as they are."""
    from papernotes.incremental.parallel import OWN_ITEMS_LIFE
    from papernotes.incremental.reuse import reuse

    make = _tokeniser()
    wanted = {k: entry for k, (_, entry) in docs.items()}
    own = partial(_spooled_one, spool=spool)  # spooled as each arrives: never all held at once
    return _packed_terms(
        reuse(wanted, {}, make, workers=workers, own=own, life=OWN_ITEMS_LIFE), spool
    )


def _tokeniser() -> Callable[[SearchDoc], _Made]:
    """What makes a document's terms (``search.index.doc_terms``), packed as the store
    writes them."""
    from papernotes.incremental.store import _codec, _types
    from papernotes.search.index import doc_terms
    from papernotes.search.text import new_folds

    codec, tp = _codec(), _types()["terms"]
    folds = new_folds()  # a memo of folded characters, shared by the notes tokenised here
    return lambda doc: _Made(dump(codec.encode(doc_terms(doc, folds), tp)))


def _spooled_one(made: _Made, spool: Spool) -> _Made:
    """``made`` moved to ``spool``, or compressed when it cannot be written there."""
    where = spool.put(made.packed)
    return _Made(zlib.compress(made.packed, _LEVEL)) if where is None else _Made(b"", where)


def _packed_terms(made: Mapping[str, tuple[str, _Made]], spool: Spool | None) -> Packed[DocTerms]:
    from papernotes.incremental.store import _codec, _types

    codec, tp = _codec(), _types()["terms"]
    raw = {k: (fp, m.packed) for k, (fp, m) in made.items()}
    at = {k: m.at for k, (_, m) in made.items() if m.at is not None}
    return Packed(raw, lambda data: codec.decode(data, tp), spool, at)


def pack_docs(
    docs: Mapping[str, tuple[str, DocEntry]], spool: Spool | None
) -> tuple[Packed[DocEntry], dict[str, SearchDoc]]:
    """A cold build's search documents once their terms are counted: for the cache, packed
    (into ``spool``), as the save would write them; for the index, each with only what the
    search shards store of it (the body's first ``MAX_BODY_CHARS``, in ``spool`` too: see
    ``lazydoc.SpooledDoc``; the headings and ids are indexed, not stored). A body is most of
    a document: at 5,000 notes, 20 MiB of text."""
    from dataclasses import replace

    from papernotes.incremental.lazydoc import spooled_doc
    from papernotes.incremental.searchstate import StoredDoc
    from papernotes.incremental.store import _codec, _types
    from papernotes.search.index import MAX_BODY_CHARS

    codec, tp = _codec(), _types()["doc"]
    made = (
        (k, (fp, dump(codec.encode((d, StoredDoc.of(doc)), tp))))
        for k, (fp, (d, doc)) in docs.items()
    )
    raw, at = _spooled(made, spool)

    def restored(data: Any) -> DocEntry:
        digest, stored = codec.decode(data, tp)
        return digest, stored.restored()

    def shown(doc: SearchDoc) -> SearchDoc:
        cut = replace(doc, body=doc.body[:MAX_BODY_CHARS], headings="", arxiv="", doi="")
        return cut if spool is None else spooled_doc(cut, spool)

    return Packed(raw, restored, spool, at), {k: shown(d) for k, (_, (_, d)) in docs.items()}

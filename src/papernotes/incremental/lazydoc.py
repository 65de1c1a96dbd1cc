"""The search documents of the notes an edit did not touch, left undecoded.

An edit build updates the stored search index from the edited note's terms alone
(``incremental.searchstate``), yet it decoded every note's search document from the cache
(~20 ms at 1,000 notes): to sort them into index order, and to size the document shards
(``search.shards.shard_files`` sums every body's and abstract's length). The order of the
documents that did not change is the stored index's, and their sizes are stored beside it
(``SearchState.sizes``); so a document kept from the cache is a :class:`LazyDoc`, whose key is
known and whose other fields are decoded the first time one is read: by a document shard that
is written again, or to place an edited note among its neighbours.

A cold build's documents keep their bodies, once the terms are counted, in the build's spool
(:class:`SpooledDoc`): read by the document shards alone, in the page workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from papernotes.incremental.lazy import fingerprint_of, undecoded
from papernotes.search.index import SearchDoc

if TYPE_CHECKING:
    from papernotes.incremental.searchstate import SearchState
    from papernotes.incremental.spool import Spool

__all__ = [
    "LazyDoc",
    "SpooledDoc",
    "doc_size",
    "in_stored_order",
    "kept_docs",
    "lazy_doc",
    "sizes_of",
    "spooled_doc",
    "with_kept",
]

_FIELDS = tuple(SearchDoc.__dataclass_fields__)
_SLOTS = {name: SearchDoc.__dict__[name] for name in _FIELDS}


class LazyDoc(SearchDoc):
    """A :class:`SearchDoc` whose fields but its key are read from the cache when first read
    (no ``__slots__`` of its own, as ``lazybody.LazyBody``: a ``__dict__`` holds the loader)."""

    def __getattr__(self, name: str) -> Any:
        load = self.__dict__.get("_load")
        if name not in _SLOTS or load is None:
            raise AttributeError(name)
        value = load()  # a KeyError if it does not decode: the caller's mapping said so
        for slot in _SLOTS.values():
            slot.__set__(self, slot.__get__(value, SearchDoc))
        self.__dict__["_load"] = None
        return _SLOTS[name].__get__(self, SearchDoc)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchDoc):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _FIELDS)

    __hash__ = SearchDoc.__hash__

    def __repr__(self) -> str:  # a document's, as digests of a ``repr`` must see it
        return repr(SearchDoc(*(getattr(self, n) for n in _FIELDS)))

    def __reduce__(self) -> tuple[Any, ...]:
        return SearchDoc, tuple(getattr(self, n) for n in _FIELDS)

    @property
    def loaded(self) -> bool:
        """Whether its fields were read (what the tests count)."""
        return self.__dict__.get("_load") is None


class SpooledDoc(SearchDoc):
    """A cold build's :class:`SearchDoc` whose body, cut as the document shards store it,
    is in the build's spool: read from there at each use, never kept. Its one reader is the
    document shard it is in, in a page worker; as text it was the parent's largest holding
    through the pages (at 5,000 notes, 20 MiB), inherited by every page worker."""

    def __getattr__(self, name: str) -> Any:
        where = self.__dict__.get("_body")
        if name != "body" or where is None:
            raise AttributeError(name)
        spool, at, size, _ = where
        text: str = spool.get(at, size).decode("utf-8", "surrogatepass")
        return text

    __eq__ = LazyDoc.__eq__
    __hash__ = SearchDoc.__hash__
    __repr__ = LazyDoc.__repr__
    __reduce__ = LazyDoc.__reduce__

    @property
    def body_chars(self) -> int:
        """The body's length, known without reading it."""
        chars: int = self.__dict__["_body"][3]
        return chars


def spooled_doc(doc: SearchDoc, spool: Spool) -> SearchDoc:
    """``doc`` with its body in ``spool`` (:class:`SpooledDoc`); ``doc`` itself when the spool
    cannot take it (a full disk: it stays in memory)."""
    body = doc.body
    where = spool.put(body.encode("utf-8", "surrogatepass")) if body else None
    if where is None:
        return doc
    spooled = object.__new__(SpooledDoc)
    for name, slot in _SLOTS.items():
        if name != "body":
            slot.__set__(spooled, slot.__get__(doc, SearchDoc))
    spooled.__dict__["_body"] = (spool, *where, len(body))
    return spooled


def lazy_doc(key: str, load: Callable[[], SearchDoc]) -> SearchDoc:
    """The document of ``key``, made by ``load`` when a field but its key is first read."""
    doc = object.__new__(LazyDoc)
    _SLOTS["key"].__set__(doc, key)
    doc.__dict__["_load"] = load
    return doc


def kept_docs(docs: Mapping[str, tuple[str, tuple[str, SearchDoc]]]) -> dict[str, SearchDoc]:
    """Key → search document of ``docs`` (key → (body fingerprint, (digest, document))), a
    document kept from the cache undecoded as a :class:`LazyDoc`."""
    out: dict[str, SearchDoc] = {}
    for k in docs:
        if undecoded(docs, k):
            out[k] = lazy_doc(k, partial(_read, docs, k))
        else:
            out[k] = docs[k][1][1]
    return out


def _read(docs: Mapping[str, tuple[str, tuple[str, SearchDoc]]], key: str) -> SearchDoc:
    return docs[key][1][1]


def with_kept(
    docs: Mapping[str, tuple[str, tuple[str, SearchDoc]]], state: SearchState | None
) -> dict[str, tuple[str, tuple[str, SearchDoc]]]:
    """``docs`` with each document kept from the cache undecoded as a :class:`LazyDoc`, and
    its digest the one ``state`` (the index stored with it) gives: the same body fingerprint
    is the same document, so the terms are found by it without reading it."""
    at: dict[str, int] = {}
    if state is not None and len(state.keys) == len(state.digests):
        at = {k: i for i, k in enumerate(state.keys)}
    out: dict[str, tuple[str, tuple[str, SearchDoc]]] = {}
    for k in docs:
        i = at.get(k)
        fp = fingerprint_of(docs, k)
        if i is not None and fp is not None and undecoded(docs, k):
            assert state is not None
            out[k] = (fp, (state.digests[i], lazy_doc(k, partial(_read, docs, k))))
        else:
            out[k] = docs[k]
    return out


def doc_size(doc: SearchDoc, max_body_chars: int) -> int:
    """What a document weighs in its shard, in characters (``shards.shard_files``)."""
    if isinstance(doc, SpooledDoc):  # not read for its length
        return min(doc.body_chars, max_body_chars) + len(doc.abstract)
    return len(doc.body[:max_body_chars]) + len(doc.abstract)


def sizes_of(
    docs: Sequence[SearchDoc],
    digests: Mapping[str, str],
    state: SearchState | None,
    max_body_chars: int,
) -> tuple[int, ...]:
    """:func:`doc_size` of each of ``docs``: the stored one where ``state`` has the document
    under the same digest (a stored size that is not a count is not taken)."""
    at: dict[str, int] = {}
    if state is not None and len(state.sizes) == len(state.keys) == len(state.digests):
        at = {k: i for i, k in enumerate(state.keys)}
    out: list[int] = []
    for doc in docs:
        i = at.get(doc.key)
        if i is not None and state is not None and state.digests[i] == digests.get(doc.key):
            size = state.sizes[i]
            if size >= 0:
                out.append(size)
                continue
        out.append(doc_size(doc, max_body_chars))
    return tuple(out)


def in_stored_order(
    docs: Iterable[SearchDoc],
    order: Callable[[SearchDoc], Any],
    state: SearchState | None,
    digests: Mapping[str, str],
) -> tuple[SearchDoc, ...]:
    """``docs`` sorted by ``order``: in ``state``'s order without reading them when they are
    the notes it holds and each changed document (digest not the stored one) still sorts
    between its neighbours there; else every document is read and sorted."""
    docs = list(docs)
    if state is not None and len(state.keys) == len(docs) == len(state.digests):
        by_key = {d.key: d for d in docs}
        if len(by_key) == len(docs) and all(k in by_key for k in state.keys):
            ordered = [by_key[k] for k in state.keys]
            changed = [i for i, k in enumerate(state.keys) if digests.get(k) != state.digests[i]]
            if all(_in_place(ordered, i, order) for i in changed):
                return tuple(ordered)
    return tuple(sorted(docs, key=order))


def _in_place(ordered: Sequence[SearchDoc], i: int, order: Callable[[SearchDoc], Any]) -> bool:
    here = order(ordered[i])
    before = i == 0 or order(ordered[i - 1]) < here
    return before and (i + 1 == len(ordered) or here < order(ordered[i + 1]))

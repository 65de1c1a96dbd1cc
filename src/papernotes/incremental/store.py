"""The build cache on disk: a small index, and an entry per note in a few bucket files.

``.papernotes/cache/index.json`` holds the cache key, the count of buckets, the fingerprint of
every page and, for each note file, the *version* of its entry (a digest of the fingerprints
the entry was made under). A note's entry holds its part of the cache: the note as parsed, its
rendered body, its search terms, its formatted references and its search document, each part
on a line of its own; it is in the bucket file ``.papernotes/cache/packs/<count>-<bucket>.pack``
its path's digest names, with a few tens of others (``incremental.entryfile``: a file per note
was a thousand files made by a cold build, which cost more than their bytes).
``.papernotes/cache/heads.json`` holds the first line of every entry, so that a build need
not read every bucket (``incremental.heads``). A build reads the index and the first line of
each entry, decodes every note, and reads (then decodes) the note's body and each other part
only when it is asked for (``incremental.lazybody``, ``incremental.lazy``); it writes only the
buckets that hold an entry whose version changed (an unchanged entry is copied as it is, its
parts not even decoded), then the heads file, then the index, and removes the bucket files no
note has now — so an edit of one note rewrites one bucket and the index, not the whole cache.
When the count of buckets changes (the library grew or shrank past a power of two), every
bucket is written again, once.

Every file is untrusted input (a library may come with them): each is plain JSON decoded
against our own types (``incremental.codec``), never unpickled. A bucket file is read only
through ``O_NOFOLLOW`` inside a folder checked to be in the library, and taken only if it names
the path, the version, the key and the layout the index expects, and is as long as the lines
it gives; one that does not fit is skipped and its note is made again, while the other notes
keep theirs (``read`` says which; a bucket damaged in the middle costs the entries after the
damage, never another bucket's). A part that fits but does not decode (a crafted file), or
is no longer on its line when it is read, is made again when it is needed, and its entry
written again.
Only names this module makes (``entryfile.bucket_count``) are ever removed from the buckets
folder (and, from the folder of the entry files of earlier versions, ``notes``, theirs).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papernotes.atomic import write_atomic
from papernotes.incremental import entryfile, entryread, heads, packs
from papernotes.incremental import versions as versions_of
from papernotes.incremental.cache import CACHE_DIR, BuildCache, NoteEntry, digest, state_path
from papernotes.incremental.deferred import STEP, GiveUp, SaveAbandoned, give_up_if
from papernotes.incremental.entryfile import ENTRIES, PARTS, Part, bucket_of, dump
from papernotes.incremental.heads import HEADS
from papernotes.incremental.jsonpieces import dump_pieces
from papernotes.incremental.lazy import Parts, fingerprint_of, raw_of, source_of
from papernotes.incremental.records import CacheIndex, Damage, NoteRecord
from papernotes.incremental.versions import ATTRS

if TYPE_CHECKING:
    from papernotes.errors import Diagnostic
    from papernotes.incremental.codec import Codec
    from papernotes.incremental.lazy import Load
    from papernotes.incremental.searchstate import DocEntry, StoredDoc
    from papernotes.incremental.spool import Spool
    from papernotes.model import Note
    from papernotes.search.index import DocTerms

__all__ = ["ENTRIES", "INDEX", "Damage", "NoteRecord", "bucket_of", "load", "pack", "read", "save"]

_FORMAT = 7
INDEX = "index.json"


@functools.cache
def _codec() -> Codec:
    return _new_codec()


def _names() -> dict[str, Any]:
    # Imported here: the no-op build path (stamp only) must not load Markdown and templates.
    from papernotes.bib.styles import Reference
    from papernotes.errors import Diagnostic
    from papernotes.incremental.indexrows import IndexRows
    from papernotes.incremental.searchstate import SearchState, StoredDoc
    from papernotes.incremental.summary import PlanSummary
    from papernotes.markdown._types import ParsedBody, RenderedBody
    from papernotes.model import Note
    from papernotes.search.index import DocTerms, SearchDoc

    return {
        "Diagnostic": Diagnostic,
        "DocTerms": DocTerms,
        "IndexRows": IndexRows,
        "SearchDoc": SearchDoc,
        "SearchState": SearchState,
        "StoredDoc": StoredDoc,
        "Note": Note,
        "PlanSummary": PlanSummary,
        "ParsedBody": ParsedBody,
        "Reference": Reference,
        "RenderedBody": RenderedBody,
    }


def _new_codec() -> Codec:
    from papernotes.incremental.codec import Codec
    from papernotes.incremental.lazybody import lazy_body, raw_body
    from papernotes.markdown._types import ParsedBody

    return Codec(_names(), lazy={ParsedBody: (lazy_body, raw_body)})


def body_decoder() -> Callable[[Any], Any]:
    """What decodes a note's parsed body from its JSON (``lazybody``, in a worker)."""
    from papernotes.markdown._types import ParsedBody

    return functools.partial(_codec().decode, tp=ParsedBody)


@functools.cache
def _types() -> dict[str, Any]:
    """Each field of :class:`NoteRecord` → the type its JSON is decoded as (a part's type
    without its ``| None``: a part that is absent has no line to decode)."""
    hints = typing.get_type_hints(NoteRecord, globalns=globals(), localns=_names())
    return {
        name: next(a for a in typing.get_args(tp) if a is not type(None)) if name in PARTS else tp
        for name, tp in hints.items()
    }


@functools.cache
def _shape() -> str:
    # A codec of its own: the shape lists the types in the order they were first made.
    codec = _new_codec()
    return digest(_FORMAT, codec.shape(CacheIndex), codec.shape(NoteRecord))


def load(root: Path, key: str) -> BuildCache | None:
    """The cache of the last build, if its index is readable and was made with ``key``; the
    entries that cannot be used are left out (their notes are made again)."""
    return read(root, key)[0]


def read(
    root: Path, key: str, *, freeze: bool = False
) -> tuple[BuildCache | None, tuple[Damage, ...]]:
    """:func:`load`, and what was wrong with the files it could not use: a damaged index
    (nothing is used), or entries that are not what the index names (their notes are made
    again). A cache that is simply absent, or made with another key or by another version,
    is not damaged: it is ignored without a word.

    With ``freeze``, what was read is left out of the cycle collector's walks (``gc.freeze``)
    until the caller unfreezes it: a build, for which the cache lives as long as it does."""
    # Decoding makes millions of objects that all survive and form no cycle: the cyclic
    # collector, run as they pile up, would walk them again and again for nothing, and after
    # (a tenth of an edit build at 1,000 notes, before ``freeze``).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(root, key)
    finally:
        if freeze:  # before the collector runs again, or its first pass walks them all
            gc.freeze()
        if enabled:
            gc.enable()


def _read(root: Path, key: str) -> tuple[BuildCache | None, tuple[Damage, ...]]:
    shape = _shape()
    where = f"{CACHE_DIR}/{INDEX}"
    try:
        data = json.loads(entryread.read_bytes(state_path(root, "cache", INDEX)))
    except FileNotFoundError:
        return None, ()
    except (OSError, ValueError, RecursionError) as exc:
        return None, (Damage(where, entryread.why(exc)),)
    if not isinstance(data, dict):
        return None, (Damage(where, "not a cache index"),)
    if data.get("shape") != shape or data.get("key") != key:
        return None, ()
    buckets = data.get("buckets")
    if not entryfile.valid_count(buckets):
        return None, (Damage(where, "not a cache index"),)
    try:
        index = _codec().decode(data.get("index"), CacheIndex)
        folder = state_path(root, "cache", ENTRIES)
        compact = heads.read(state_path(root, "cache") / HEADS, key, shape)
    except (OSError, ValueError, RecursionError) as exc:  # the codec's errors are ValueErrors
        return None, (Damage(where, entryread.why(exc)),)
    if not isinstance(index, CacheIndex) or index.key != key:
        return None, (Damage(where, "not the index of this cache"),)
    codec, types = _codec(), _types()
    decode_note = functools.partial(codec.decode, tp=types["note"])
    notes: dict[str, tuple[str, Note | None, tuple[Diagnostic, ...]]] = {}
    raw: dict[str, dict[str, tuple[str, Load]]] = {name: {} for name in PARTS}
    stored = heads.OnDisk({}, compact.file if compact is not None else None)
    paths: dict[str, str] = {}
    damage: list[Damage] = []
    inside = os.path.join(folder, "")  # strings: a Path per entry cost 1.5 ms per 1,000
    seen: dict[str, entryread.Ident | None] = {}  # the bucket files as ``lstat`` sees them
    scanned: dict[str, entryread.Scanned | str] = {}  # those read whole (no heads line)
    for path, version in index.entries.items():
        name = bucket_of(path, buckets)
        file = inside + name
        took = heads.take(compact, path, version, file, key, shape, seen)
        found: tuple[Any, list[tuple[str, Load] | None], tuple[int, int, entryread.Ident]] | str
        if took is None:
            found = entryread.entry(file, path, version, key, shape, decode_note, scanned)
        else:
            try:
                spot = (file, path, key, shape, took.start, took.size)
                found = (
                    *entryread.of_head(took.head, spot, decode_note, took.first),
                    (took.start, took.size, took.bucket),
                )
                stored.lines[path] = took.line
            except (ValueError, RecursionError) as exc:
                found = entryread.why(exc)
        if isinstance(found, str):
            damage.append(Damage(f"{CACHE_DIR}/{ENTRIES}/{name}", found, path))
            continue
        stored[path] = version
        notes[path], parts, place = found
        stored.places[path] = (name, *place)
        stored.marks[path] = (notes[path][0], *(None if p is None else p[0] for p in parts))
        note = notes[path][1]
        if note is not None:
            paths[note.key] = path
            for name, part in zip(PARTS, parts, strict=True):
                if part is not None:
                    raw[name][note.key] = part

    def forget(k: str) -> None:  # a part that did not decode: the next save writes it again
        stored.pop(paths.get(k, ""), None)

    def lazy(name: str, then: Callable[[Any], Any] | None = None) -> Parts[Any]:
        decode = functools.partial(codec.decode, tp=types[name])
        return Parts(raw[name], decode if then is None else lambda d: then(decode(d)), forget)

    from papernotes.search.index import interned

    built = BuildCache(
        key,
        notes,
        lazy("body"),
        index.pages,
        lazy("terms", interned),  # one shared copy of each term, as a build makes them
        lazy("refs"),
        stored,
        docs=lazy("doc", _restored),
        search=index.search,
        summary=index.summary,
    )
    return built, tuple(damage)


def pack(terms: Mapping[str, tuple[str, DocTerms]], spool: Spool | None = None) -> Parts[DocTerms]:
    """Search ``terms`` as the next save writes them: each value its JSON text, decoded again
    only if read. Once the search index is made, a build reads them only to save them: as dicts
    they took 6.8 MiB per 1,000 notes, as text 2.5, in the parent and in every worker it forks.
    A value still undecoded (kept from the cache) is not decoded."""
    from papernotes.incremental.packed import Packed, pack_made
    from papernotes.search.index import interned

    if isinstance(terms, Packed):  # a cold build's, packed as they were made
        return terms
    if (made := pack_made(terms, "terms", interned, spool)) is not None:  # a cold build's
        return made
    codec, tp = _codec(), _types()["terms"]
    raw: dict[str, tuple[str, bytes | Load]] = {}
    for k in terms:  # a kept value not read yet stays so: its entry is not written again
        fp, text = fingerprint_of(terms, k), source_of(terms, k)
        if fp is None or text is None:
            fp, value = terms[k]
            text = dump(codec.encode(value, tp))
        raw[k] = (fp, text)
    return Parts(raw, lambda d: interned(codec.decode(d, tp)))


def _restored(stored: tuple[str, StoredDoc]) -> DocEntry:
    return stored[0], stored[1].restored()  # ValueError when it is not a document


def _entry_of(cache: BuildCache, versions: Mapping[str, str], path: str) -> bytes:
    """The entry of ``path`` (``entryfile``), encoded."""
    return _entry_bytes(cache, path, versions[path], cache.notes[path])


def _entry_bytes(cache: BuildCache, path: str, version: str, entry: NoteEntry) -> bytes:
    """The entry of ``path`` (``entryfile``)."""
    from papernotes.incremental.searchstate import StoredDoc

    codec, types = _codec(), _types()
    k = entry[1].key if entry[1] is not None else None
    parts: list[Part | None] = []
    for attr, name in zip(ATTRS, PARTS, strict=True):
        of = getattr(cache, attr)
        text = raw_of(of, k) if k is not None else None
        if text is not None:  # written as it was read (or packed): not decoded to encode it
            parts.append((fingerprint_of(of, k) or "", text))  # type: ignore[arg-type]
            continue
        hit = of.get(k) if k is not None else None
        if hit is not None and name == "doc":
            hit = (hit[0], (hit[1][0], StoredDoc.of(hit[1][1])))
        parts.append(None if hit is None else (hit[0], dump(codec.encode(hit[1], types[name]))))
    head = {"path": path, "version": version, "key": cache.key, "shape": _shape()}
    note, body = codec.encode(entry, types["note"]), b""
    if note[1] is not None:  # the body on a line of its own, as read (bytes) or made
        body = note[1][2] if type(note[1][2]) is bytes else dump(note[1][2])
        note[1][2] = 0
    return entryfile.join({**head, "note": note}, body, parts)


def save(
    root: Path,
    cache: BuildCache,
    *,
    workers: int = 1,
    give_up: GiveUp = None,
) -> BuildCache:
    """Write the buckets that hold an entry whose version changed, then the index, then
    remove the buckets no note has now; ``cache`` with what is now stored. Raises OSError
    (naming the file). A part of an unchanged entry is not decoded, let alone encoded again.

    ``give_up`` is asked between steps (every few milliseconds at 50,000 notes) until the
    index is in place: when it says so, the save stops there (SaveAbandoned), its temporary
    files removed. Its caller has set the index aside (``cache.save_cache``): no index names
    the buckets it wrote meanwhile.

    Many buckets to write (a cold build's) are written by ``workers`` forked processes: each
    file is independent of the others, and the save comes after every other stage, with the
    cores otherwise idle (at 1,000 notes, 0.5 s of the parent's CPU alone, most of it encoding
    the notes)."""
    from papernotes.incremental.parallel import parallel_iter
    from papernotes.incremental.slicing import save_life

    shape = _shape()
    marks = versions_of.marks(cache, give_up)
    versions = versions_of.versions(cache, marks, give_up)
    give_up_if(give_up)
    folder = state_path(root, "cache", ENTRIES)
    folder.mkdir(parents=True, exist_ok=True)
    folder = state_path(root, "cache", ENTRIES)  # checked again: it may have been made just now
    inside = os.path.join(folder, "")
    count, buckets = packs.grouped(versions, cache.stored, give_up)
    todo = packs.to_write(cache.stored, versions, buckets, give_up)
    encode = functools.partial(_entry_of, cache, versions)
    written = functools.partial(packs.write, encode, cache.stored, inside, versions)
    # A worker copies little of the parent here (the notes it encodes are read, not kept):
    # replaced as the pages' are, at 1,000 notes, 6 forks did 0.3 s of work.
    jobs = [(name, buckets[name]) for name in todo]
    made = parallel_iter(written, jobs, workers, life=save_life(len(jobs)))
    firsts = {
        p: f for (_, ps), fs in zip(jobs, made, strict=True) for p, f in zip(ps, fs, strict=True)
    }
    file = state_path(root, "cache") / HEADS
    between = functools.partial(give_up_if, give_up)
    with heads.Writer(file, cache.key, shape, cache.stored, inside, between) as out:
        for i, (path, name) in enumerate((p, n) for n, ps in buckets.items() for p in ps):
            if not i % STEP:
                give_up_if(give_up)
            if path in firsts:  # written just now: its first line as the worker gave it
                out.add(path, name, firsts[path])
            elif not out.copy(path):
                out.add(path, name)
        on_disk = out.commit(versions, marks)  # before the index: it names no entry the index lacks
    try:
        _save_index(root, cache, versions, count, give_up)
    except SaveAbandoned:
        raise SaveAbandoned(on_disk) from None  # the heads file written is the one on disk
    if packs.emptied(cache.stored, buckets):
        packs.remove_stale(folder, buckets.keys())
    packs.remove_old(root)
    return replace(cache, stored=on_disk)


def _save_index(
    root: Path, cache: BuildCache, versions: dict[str, str], buckets: int, give_up: GiveUp
) -> None:
    """Write the index (``give_up`` asked before each piece)."""
    give_up_if(give_up)
    index = CacheIndex(cache.key, dict(cache.pages), versions, cache.search, cache.summary)
    body = {"format": _FORMAT, "shape": _shape(), "key": cache.key, "buckets": buckets}
    encoded = {**body, "index": _codec().encode(index, CacheIndex)}  # written in pieces:
    pieces = dump_pieces(encoded, functools.partial(give_up_if, give_up))  # held whole, 5×
    write_atomic(state_path(root, "cache", INDEX), pieces)


def clear(root: Path) -> None:
    """Forget the last build's cache: the index first (without it no entry is read), then the
    buckets."""
    for name in (INDEX, HEADS):
        with contextlib.suppress(FileNotFoundError):
            state_path(root, "cache", name).unlink()
    packs.remove_old(root)
    with contextlib.suppress(OSError):
        packs.remove_stale(state_path(root, "cache", ENTRIES), ())

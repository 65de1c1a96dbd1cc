"""The build cache on disk: a small index, and one entry file per note.

``.papernotes/cache/index.json`` holds the cache key, the fingerprint of every page and, for
each note file, the *version* of its entry (a digest of the fingerprints the entry was made
under). ``.papernotes/cache/notes/<digest of the note's path>.json`` holds that note's part of
the cache: the note as parsed, its rendered body, its search terms and its formatted
references. A build reads the index and the entries; it writes only the entries whose version
changed, then the index, and removes the entry files of notes that are gone — so an edit of one
note rewrites one entry and the index, not the whole cache.

Every file is untrusted input (a library may come with them): each is plain JSON decoded
against our own types (``incremental.codec``), never unpickled. An entry file is read only
through ``O_NOFOLLOW`` inside a folder checked to be in the library, and taken only if it names
the path, the version, the key and the layout the index expects; one that does not fit is
skipped and its note is made again, while the other notes keep theirs (``read`` says which).
Only names this module makes (32 hex digits, ``.json``) are ever removed from the entries
folder.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papernotes.atomic import write_atomic
from papernotes.incremental.cache import CACHE_DIR, BuildCache, digest, state_path

if TYPE_CHECKING:
    from papernotes.bib.styles import Reference
    from papernotes.errors import Diagnostic
    from papernotes.incremental.codec import Codec
    from papernotes.incremental.searchstate import DocEntry, SearchState, StoredDoc
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import Note
    from papernotes.search.index import DocTerms

__all__ = ["ENTRIES", "INDEX", "Damage", "NoteRecord", "entry_name", "load", "read", "save"]

_FORMAT = 4
INDEX = "index.json"
ENTRIES = "notes"
_OLD = ("build.json", "build.pickle")
"""Earlier layouts: one JSON (or, before that, a pickle, which is never read) for everything."""
_NAME = re.compile(r"[0-9a-f]{32}\.json")


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """One note file's part of the cache: what its entry file holds."""

    path: str
    """The note file, as ``BuildCache.notes`` keys it."""
    note: tuple[str, Note | None, tuple[Diagnostic, ...]]
    """Its text digest, the note as parsed (None when it has errors) and its problems."""
    body: tuple[str, RenderedBody] | None
    """Its body fingerprint and rendered body; None when it was not rendered."""
    terms: tuple[str, DocTerms] | None
    """Its search document digest and search terms; None when it has none."""
    refs: tuple[str, tuple[Reference, ...]] | None
    """Its CSL item digest and formatted references; None when it has none."""
    doc: tuple[str, tuple[str, StoredDoc]] | None = None
    """Its body fingerprint, search document digest and search document; None when it has
    none."""


@dataclass(frozen=True, slots=True)
class CacheIndex:
    """What ``index.json`` holds."""

    key: str
    """The cache key of the build that wrote it."""
    pages: dict[str, str]
    """Output path → fingerprint of what the page was made from."""
    entries: dict[str, str]
    """Note file → the version of its entry file."""
    search: SearchState | None = None
    """The search index as built (``incremental.searchstate``), or None."""


@dataclass(frozen=True, slots=True)
class Damage:
    """A cache file that could not be used: the build does again what it held."""

    file: str
    """The file, relative to the library (``.papernotes/cache/index.json``)."""
    why: str
    """What is wrong with it, in a few words."""
    note: str | None = None
    """The note file whose entry it is; None for the index."""


def entry_name(path: str) -> str:
    """The entry file of a note file: a digest, so that no note path becomes a file path."""
    return hashlib.blake2b(path.encode("utf-8"), digest_size=16).hexdigest() + ".json"


@functools.cache
def _codec() -> Codec:
    return _new_codec()


def _new_codec() -> Codec:
    # Imported here: the no-op build path (stamp only) must not load Markdown and templates.
    from papernotes.bib.styles import Reference
    from papernotes.errors import Diagnostic
    from papernotes.incremental.codec import Codec
    from papernotes.incremental.searchstate import SearchState, StoredDoc
    from papernotes.markdown._types import ParsedBody, RenderedBody
    from papernotes.model import Note
    from papernotes.search.index import DocTerms, SearchDoc

    names = {
        "Diagnostic": Diagnostic,
        "DocTerms": DocTerms,
        "SearchDoc": SearchDoc,
        "SearchState": SearchState,
        "StoredDoc": StoredDoc,
        "Note": Note,
        "ParsedBody": ParsedBody,
        "Reference": Reference,
        "RenderedBody": RenderedBody,
    }
    return Codec(names)


@functools.cache
def _shape() -> str:
    # A codec of its own: the shape lists the types in the order they were first made.
    codec = _new_codec()
    return digest(_FORMAT, codec.shape(CacheIndex), codec.shape(NoteRecord))


def _read_json(path: Path) -> Any:
    """The JSON in ``path``, opened without following a symlink."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return json.loads(f.read())


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
        data = _read_json(state_path(root, "cache", INDEX))
    except FileNotFoundError:
        return None, ()
    except (OSError, ValueError, RecursionError) as exc:
        return None, (Damage(where, _why(exc)),)
    if not isinstance(data, dict):
        return None, (Damage(where, "not a cache index"),)
    if data.get("shape") != shape or data.get("key") != key:
        return None, ()
    try:
        index = _codec().decode(data.get("index"), CacheIndex)
        folder = state_path(root, "cache", ENTRIES)
    except (OSError, ValueError, RecursionError) as exc:  # the codec's errors are ValueErrors
        return None, (Damage(where, _why(exc)),)
    if not isinstance(index, CacheIndex) or index.key != key:
        return None, (Damage(where, "not the index of this cache"),)
    decode_record = functools.partial(_codec().decode, tp=NoteRecord)
    notes: dict[str, tuple[str, Note | None, tuple[Diagnostic, ...]]] = {}
    bodies: dict[str, tuple[str, RenderedBody]] = {}
    terms: dict[str, tuple[str, DocTerms]] = {}
    refs: dict[str, tuple[str, tuple[Reference, ...]]] = {}
    docs: dict[str, tuple[str, DocEntry]] = {}
    stored: dict[str, str] = {}
    damage: list[Damage] = []
    for path, version in index.entries.items():
        entry = folder / entry_name(path)
        record = _record(entry, path, version, key, shape, decode_record)
        try:
            doc = None if isinstance(record, str) or record.doc is None else _doc_of(record.doc)
        except ValueError:  # a document that is not one: the note is made again
            record = "a search document of another shape"
        if isinstance(record, str):
            damage.append(Damage(f"{CACHE_DIR}/{ENTRIES}/{entry.name}", record, path))
            continue
        stored[path] = version
        notes[path] = record.note
        note = record.note[1]
        if note is None:
            continue
        if record.body is not None:
            bodies[note.key] = record.body
        if record.terms is not None:
            terms[note.key] = record.terms
        if record.refs is not None:
            refs[note.key] = record.refs
        if doc is not None:
            docs[note.key] = doc
    built = BuildCache(
        key, notes, bodies, index.pages, terms, refs, stored, docs=docs, search=index.search
    )
    return built, tuple(damage)


def _why(exc: BaseException) -> str:
    """What is wrong with a cache file, in a few words."""
    if isinstance(exc, RecursionError):
        return "nested too deep"
    if isinstance(exc, OSError):
        return f"cannot be read: {exc.strerror or exc}"
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON (cut short?): {exc.msg} at character {exc.pos}"
    return f"not of the shape papernotes writes: {exc}"


def _record(
    file: Path, path: str, version: str, key: str, shape: str, decode: Callable[[Any], Any]
) -> NoteRecord | str:
    """The entry of ``path`` if it is exactly the one the index names; else what is wrong."""
    try:
        data = _read_json(file)
        if not isinstance(data, dict):
            return "not a cache entry"
        if (data.get("path"), data.get("version")) != (path, version):
            return "not the entry the index names (another note's, or another version)"
        if (data.get("key"), data.get("shape")) != (key, shape):
            return "made by another build"
        record = decode(data.get("record"))
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError, RecursionError) as exc:
        return _why(exc)
    if not isinstance(record, NoteRecord) or record.path != path:
        return "not the entry the index names"
    return record


def _doc_of(stored: tuple[str, tuple[str, StoredDoc]]) -> tuple[str, DocEntry]:
    fp, (doc_digest, doc) = stored
    return fp, (doc_digest, doc.restored())


def _record_of(
    path: str,
    entry: tuple[str, Note | None, tuple[Diagnostic, ...]],
    body: tuple[str, RenderedBody] | None,
    terms: tuple[str, DocTerms] | None,
    refs: tuple[str, tuple[Reference, ...]] | None,
    doc: tuple[str, DocEntry] | None,
) -> NoteRecord:
    from papernotes.incremental.searchstate import StoredDoc

    stored = None if doc is None else (doc[0], (doc[1][0], StoredDoc.of(doc[1][1])))
    return NoteRecord(path, entry, body, terms, refs, stored)


def _records(cache: BuildCache) -> dict[str, tuple[str, Callable[[], NoteRecord]]]:
    """Note file → (version, its record, made when asked for) for every note of ``cache``."""
    out: dict[str, tuple[str, Callable[[], NoteRecord]]] = {}
    for path, entry in cache.notes.items():
        note = entry[1]
        k = note.key if note is not None else None
        body = cache.bodies.get(k) if k is not None else None
        terms = cache.terms.get(k) if k is not None else None
        refs = cache.refs.get(k) if k is not None else None
        doc = cache.docs.get(k) if k is not None else None
        parts = (body, terms, refs, doc)
        version = digest(path, entry[0], *(part[0] if part else None for part in parts))
        out[path] = (version, functools.partial(_record_of, path, entry, *parts))
    return out


def save(root: Path, cache: BuildCache) -> BuildCache:
    """Write the entries whose version changed, then the index, then remove the entries of
    notes that are gone; ``cache`` with what is now stored. Raises OSError (naming the file)."""
    shape = _shape()
    codec = _codec()
    records = _records(cache)
    folder = state_path(root, "cache", ENTRIES)
    folder.mkdir(parents=True, exist_ok=True)
    folder = state_path(root, "cache", ENTRIES)  # checked again: it may have been made just now
    for path, (version, record) in records.items():
        if cache.stored.get(path) == version:
            continue  # the file on disk is this very entry
        entry = {
            "path": path,
            "version": version,
            "key": cache.key,
            "shape": shape,
            "record": codec.encode(record(), NoteRecord),
        }
        write_atomic(folder / entry_name(path), _dump(entry))
    versions = {path: version for path, (version, _) in records.items()}
    index = CacheIndex(cache.key, dict(cache.pages), versions, cache.search)
    body = {"format": _FORMAT, "shape": shape, "key": cache.key}
    write_atomic(
        state_path(root, "cache", INDEX), _dump({**body, "index": codec.encode(index, CacheIndex)})
    )
    _remove_stale(folder, {entry_name(p) for p in versions})
    for name in _OLD:
        with contextlib.suppress(OSError):
            state_path(root, "cache", name).unlink()
    return replace(cache, stored=versions)


def _remove_stale(folder: Path, keep: set[str]) -> None:
    """Remove the entry files no note has now: only names this module makes."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if _NAME.fullmatch(entry.name) and entry.name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def clear(root: Path) -> None:
    """Forget the last build's cache: the index first (without it no entry is read), then the
    entries."""
    for name in (INDEX, *_OLD):
        with contextlib.suppress(FileNotFoundError):
            state_path(root, "cache", name).unlink()
    with contextlib.suppress(OSError):
        _remove_stale(state_path(root, "cache", ENTRIES), set())

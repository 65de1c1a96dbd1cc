"""The sharded search index's files kept from one save to the next, so that a save re-encodes
only the shards its edit reached.

``search.shards.shard_files`` walks the whole vocabulary (which shard each term is in, the
short prefixes' shard lists, the size of every posting list) and fingerprints every doc shard:
at 10,000 notes a sixth of a save in ``serve``, for an edit that moves the postings of a few
hundred terms and one note's stored text. :class:`ShardMemo` gives the same files
(``tests/test_incremental_shardmemo.py`` holds it to ``shard_files``): when the vocabulary and
the number of notes are the ones it saw last, it redoes the term shards of the terms whose
postings changed, the short prefixes of those terms, and the doc shards of the notes whose
documents changed; otherwise it does what ``shard_files`` does, and keeps what the next save
needs.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import compress
from operator import is_not, ne
from typing import cast

from papernotes.incremental.cache import digest, text_digest
from papernotes.incremental.packahead import Packer, Prepacked
from papernotes.incremental.searchmemo import Moves
from papernotes.search.index import INDEX_FORMAT, MAX_BODY_CHARS, SearchDoc, SearchIndex
from papernotes.search.index import vlq_numbers as _vlq
from papernotes.search.shards import (
    DOC_SHARD_BYTES,
    KEY_CHARS,
    MANIFEST,
    SHARD_DIR,
    TERM_SHARD_BYTES,
    SearchFile,
    by_weight,
    pack_rows,
    power_of_two,
    power_of_two_below,
    prefix_lengths,
    script_json,
    shard_of,
    typo_keys,
    typo_moved,
)
from papernotes.search.shards import _doc_row as doc_row
from papernotes.search.shards import _script as script

__all__ = ["ShardMemo"]

_FIELDS = ["key", "path", "title", "authors", "year", "venue", "tags", "abstract", "body"]


@dataclass(slots=True)
class _Terms:
    """The term shards of one vocabulary's size (a working state, patched save by save)."""

    terms: tuple[str, ...]
    """The terms of the index last shown (the very tuple: what ``Moves.before`` names)."""
    postings: tuple[str, ...]
    size: int
    """What ``shard_files`` sizes the shards by."""
    count: int
    by_key: dict[str, int]
    """Each term key (first :data:`KEY_CHARS` code points) → its shard."""
    keyed: dict[str, int]
    """Each term key → how many terms have it."""
    members: list[list[str]]
    """Each shard's terms, in order."""
    lists: list[list[str]]
    """Each shard's terms' postings, in the same order."""
    files: list[SearchFile]
    weights: dict[str, dict[int, int]]
    """Short prefix → shard → size of the postings of its longer words there."""
    short: dict[str, list[int]]
    """Short prefix → its shards by weight, prefixes sorted: the manifest's ``short``."""
    typo: dict[str, str]
    """The manifest's ``typoKeys`` (from the terms' keys: made again when those change)."""


@dataclass(slots=True)
class _Docs:
    """The doc shards of one number of notes."""

    docs: tuple[SearchDoc, ...]
    stored: list[int]
    """Each note's stored size, as ``shard_files`` reckons it."""
    total: int
    per_shard: int
    seen: list[list[str]]
    """Each doc shard's notes' digests."""
    files: list[SearchFile]
    lengths: tuple[int, ...]
    codes: list[str]
    """Each note's length, VLQ-encoded."""


def _utf16(term: str) -> bytes:
    # The order of the index's terms (``build_index`` sorts by the same key).
    return term.encode("utf-16-be", "surrogatepass")


def _term_file(n: int, terms: str, postings: str) -> SearchFile:
    shard = {"terms": terms, "postings": postings}
    plain = script(f"t-{n}", shard)
    fp = text_digest("packed:" + plain)
    return SearchFile(f"{SHARD_DIR}t-{n}.js", fp, Prepacked(f"t-{n}", shard))


def _make_docs(part: tuple[SearchDoc, ...], name: str) -> str:
    return script(name, pack_rows([doc_row(d, MAX_BODY_CHARS) for d in part]))


def _stored(doc: SearchDoc) -> int:
    return len(doc.body[:MAX_BODY_CHARS]) + len(doc.abstract) + 200


class ShardMemo:
    """``shard_files(index, doc_digests=...)`` with the default sizes, reusing the last call's
    work. ``count(tag, n)`` is told how many shards each call made afresh."""

    def __init__(
        self,
        count: Callable[[str, int], None] | None = None,
        *,
        term_shard_bytes: int = TERM_SHARD_BYTES,
        doc_shard_bytes: int = DOC_SHARD_BYTES,
    ) -> None:
        self._sizes = (term_shard_bytes, doc_shard_bytes)
        """The target sizes (``shard_files``'s; a test makes them small)."""
        self._terms: _Terms | None = None
        self._docs: _Docs | None = None
        self._count = count or (lambda tag, n: None)
        self.packer = Packer()
        """What packs the term shards a save rewrote, side by side."""

    def __call__(
        self, index: SearchIndex, doc_digests: Mapping[str, str], moves: Moves | None = None
    ) -> tuple[SearchFile, ...]:
        """The files of ``index``; ``moves`` (``IndexMemo.moves``) says which terms moved
        since the index before, so that a word new to the library costs its shard alone."""
        terms = self._term_part(index, moves)
        docs = self._doc_part(index, doc_digests)
        manifest = {
            "format": INDEX_FORMAT,
            "fields": _FIELDS,
            "count": len(index.docs),
            "lengths": "".join(docs.codes),
            "termShards": terms.count,
            "keyChars": KEY_CHARS,
            "docsPerShard": docs.per_shard,
            "short": terms.short if terms.count > 1 else {},
            "typoKeys": terms.typo if terms.count > 1 else {},
            "dir": SHARD_DIR.removeprefix("static/"),
        }
        text = f"window.PAPERNOTES_SEARCH={script_json(manifest)};\n"
        head = SearchFile(MANIFEST, text_digest(text), partial(str, text))
        return (head, *terms.files, *docs.files)

    def _term_part(self, index: SearchIndex, moves: Moves | None) -> _Terms:
        kept = self._terms
        if kept is not None and kept.terms is index.terms and kept.postings is index.postings:
            return kept
        changed: Iterable[str] | None = None
        if kept is not None and moves is not None and moves.before is kept.terms:
            changed = moves.terms
        elif kept is not None and (kept.terms is index.terms or kept.terms == index.terms):
            moved = map(ne, index.postings, kept.postings)
            changed = list(compress(index.terms, moved))
        if kept is None or changed is None or not self._patched(kept, index, changed):
            self._terms = kept = _all_terms(index, self._sizes[0])
            self._count("search-term-shard", kept.count)
        return kept

    def _patched(self, kept: _Terms, index: SearchIndex, changed: Iterable[str]) -> bool:
        """Move ``changed`` terms' postings into ``kept`` (the shards they are in made again);
        False when the index has outgrown the number of shards (``kept`` is then spoilt)."""
        dirty: set[int] = set()
        prefixes: set[str] = set()
        keys_moved: list[str] = []  # the keys that came or went
        for term in changed:
            at = bisect_left(index.terms, _utf16(term), key=_utf16)
            now = index.postings[at] if at < len(index.terms) and index.terms[at] == term else None
            key = term[:KEY_CHARS]
            shard = kept.by_key.get(key)
            if shard is None:
                shard = shard_of(key, kept.count)
            members, lists = kept.members[shard], kept.lists[shard]
            j = bisect_left(members, _utf16(term), key=_utf16)
            was = lists[j] if j < len(members) and members[j] == term else None
            if was == now:
                continue
            grown = (len(now) if now is not None else -len(term) - 2) - (
                len(was) if was is not None else -len(term) - 2
            )
            if was is None:
                members.insert(j, term)
                lists.insert(j, "")
                kept.by_key[key] = shard
                kept.keyed[key] = kept.keyed.get(key, 0) + 1
                if kept.keyed[key] == 1:
                    keys_moved.append(key)
            if now is None:
                del members[j], lists[j]
                kept.keyed[key] -= 1
                if not kept.keyed[key]:
                    del kept.keyed[key], kept.by_key[key]
                    keys_moved.append(key)
            else:
                lists[j] = now
            kept.size += grown
            dirty.add(shard)
            delta = (len(now) if now is not None else 0) - (len(was) if was is not None else 0)
            for k in prefix_lengths(term):
                weights = kept.weights.setdefault(term[:k], {})
                weights[shard] = weights.get(shard, 0) + delta
                if not weights[shard]:
                    del weights[shard]
                prefixes.add(term[:k])
        if power_of_two(kept.size / self._sizes[0]) != kept.count:
            return False
        short = dict(kept.short)  # the last manifest's stays as it was
        for prefix in prefixes:
            if kept.weights[prefix]:
                short[prefix] = by_weight(kept.weights[prefix])
            else:
                del kept.weights[prefix]
                short.pop(prefix, None)
        if len(short) != len(kept.short) or not prefixes <= kept.short.keys():
            short = dict(sorted(short.items()))  # a prefix came or went: in order again
        files = list(kept.files)
        for n in sorted(dirty):
            files[n] = _term_file(n, " ".join(kept.members[n]), " ".join(kept.lists[n]))
        self.packer.ahead([cast("Prepacked", files[n].make) for n in sorted(dirty)])
        self._count("search-term-shard", len(dirty))
        if keys_moved:
            came = [k for k in keys_moved if k in kept.by_key]
            went = [k for k in keys_moved if k not in kept.by_key]
            kept.typo = typo_moved(kept.typo, came, went)
        kept.terms, kept.postings, kept.files, kept.short = (
            index.terms,
            index.postings,
            files,
            short,
        )
        return True

    def _doc_part(self, index: SearchIndex, doc_digests: Mapping[str, str]) -> _Docs:
        kept = self._docs
        if kept is None or len(kept.docs) != len(index.docs):
            self._docs = kept = _all_docs(index, doc_digests, self._sizes[1])
            self._count("search-doc-shard", len(kept.files))
            return kept
        moved = list(compress(range(len(index.docs)), map(is_not, index.docs, kept.docs)))
        stored = kept.stored
        for i in moved:
            before, stored[i] = stored[i], _stored(index.docs[i])
            kept.total += stored[i] - before
        per_shard = _per_shard(len(index.docs), kept.total, self._sizes[1])
        if per_shard != kept.per_shard:
            self._docs = kept = _all_docs(index, doc_digests, self._sizes[1])
            self._count("search-doc-shard", len(kept.files))
            return kept
        made = 0
        for n in sorted({i // per_shard for i in moved}):
            start = n * per_shard
            part = index.docs[start : start + per_shard]
            seen = [doc_digests[d.key] for d in part]
            file = kept.files[n]
            if seen != kept.seen[n]:
                made += 1
                kept.seen[n] = seen
                fp = digest("search-docs", INDEX_FORMAT, n, MAX_BODY_CHARS, seen)
                file = SearchFile(file.path, fp, file.make)
            # The text from these very documents (equal ones, when only their objects moved).
            make = partial(_make_docs, part, f"d-{n}")
            kept.files[n] = SearchFile(file.path, file.fingerprint, make)
        self._count("search-doc-shard", made)
        if index.lengths != kept.lengths:
            for i in compress(range(len(index.lengths)), map(ne, index.lengths, kept.lengths)):
                kept.codes[i] = _vlq((index.lengths[i],))
            kept.lengths = index.lengths
        kept.docs = index.docs
        return kept


def _per_shard(count: int, stored: int, target: int) -> int:
    return min(256, power_of_two_below(target * count / max(1, stored)))


def _all_terms(index: SearchIndex, target: int) -> _Terms:
    size = sum(len(t) + len(p) + 2 for t, p in zip(index.terms, index.postings, strict=True))
    count = power_of_two(size / target)
    by_key: dict[str, int] = {}
    keyed: dict[str, int] = {}
    members: list[list[str]] = [[] for _ in range(count)]
    lists: list[list[str]] = [[] for _ in range(count)]
    weights: dict[str, dict[int, int]] = {}
    for term, encoded in zip(index.terms, index.postings, strict=True):
        key = term[:KEY_CHARS]
        shard = by_key.get(key)
        if shard is None:
            shard = by_key[key] = shard_of(key, count)
        keyed[key] = keyed.get(key, 0) + 1
        members[shard].append(term)
        lists[shard].append(encoded)
        for k in prefix_lengths(term):
            at = weights.setdefault(term[:k], {})
            at[shard] = at.get(shard, 0) + len(encoded)
    files = [_term_file(n, " ".join(m), " ".join(lists[n])) for n, m in enumerate(members)]
    short = {p: by_weight(w) for p, w in sorted(weights.items())}
    typo = typo_keys(by_key)
    return _Terms(
        index.terms,
        index.postings,
        size,
        count,
        by_key,
        keyed,
        members,
        lists,
        files,
        weights,
        short,
        typo,
    )


def _all_docs(index: SearchIndex, doc_digests: Mapping[str, str], target: int) -> _Docs:
    stored = [_stored(d) for d in index.docs]
    total = sum(stored)
    per_shard = _per_shard(len(index.docs), total, target)
    seen: list[list[str]] = []
    files: list[SearchFile] = []
    for n, start in enumerate(range(0, len(index.docs), per_shard)):
        part = index.docs[start : start + per_shard]
        seen.append([doc_digests[d.key] for d in part])
        fp = digest("search-docs", INDEX_FORMAT, n, MAX_BODY_CHARS, seen[-1])
        files.append(SearchFile(f"{SHARD_DIR}d-{n}.js", fp, partial(_make_docs, part, f"d-{n}")))
    codes = [_vlq((n,)) for n in index.lengths]
    return _Docs(index.docs, stored, total, per_shard, seen, files, index.lengths, codes)

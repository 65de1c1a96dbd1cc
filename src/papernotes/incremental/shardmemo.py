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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import compress
from operator import is_not, ne

from papernotes.cjk import is_cjk_char
from papernotes.incremental.cache import digest, text_digest
from papernotes.search.index import ID_MARK, INDEX_FORMAT, MAX_BODY_CHARS, SearchDoc, SearchIndex
from papernotes.search.index import vlq_numbers as _vlq
from papernotes.search.shards import (
    DOC_SHARD_BYTES,
    KEY_CHARS,
    MANIFEST,
    SHARD_DIR,
    TERM_SHARD_BYTES,
    SearchFile,
    pack_rows,
    script_json,
    shard_of,
    typo_keys,
)
from papernotes.search.shards import _doc_row as doc_row
from papernotes.search.shards import _packed_script as packed_script
from papernotes.search.shards import _power_of_two as power_of_two
from papernotes.search.shards import _power_of_two_below as power_of_two_below
from papernotes.search.shards import _script as script

__all__ = ["ShardMemo"]

_FIELDS = ["key", "path", "title", "authors", "year", "venue", "tags", "abstract", "body"]


@dataclass(slots=True)
class _Terms:
    """The term shards of one vocabulary (a working state, replaced when that changes)."""

    terms: tuple[str, ...]
    postings: tuple[str, ...]
    size: int
    """What ``shard_files`` sizes the shards by."""
    count: int
    shards: list[int]
    """Each term's shard."""
    members: list[list[int]]
    """Each shard's terms (their places in ``terms``), in order."""
    joined: list[str]
    """Each shard's terms, joined."""
    files: list[SearchFile]
    weights: dict[str, dict[int, int]]
    """Short prefix → shard → size of the postings of its longer words there."""
    short: dict[str, list[int]]
    """Short prefix → its shards by weight, prefixes sorted: the manifest's ``short``."""
    typo: dict[str, str]
    """The manifest's ``typoKeys`` (from the terms' keys: made again only with the terms)."""


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


def _prefixes(term: str) -> range:
    """The short prefixes ``term`` counts under (their lengths): none for a CJK or id term."""
    if len(term) < 2 or is_cjk_char(term[0]) or term.startswith(ID_MARK):
        return range(0)
    return range(1, min(KEY_CHARS, len(term)))


def _by_weight(weights: dict[int, int]) -> list[int]:
    return sorted(weights, key=lambda n: (-weights[n], n))


def _term_file(n: int, terms: str, postings: str) -> SearchFile:
    shard = {"terms": terms, "postings": postings}
    plain = script(f"t-{n}", shard)
    fp = text_digest("packed:" + plain)
    return SearchFile(f"{SHARD_DIR}t-{n}.js", fp, partial(packed_script, f"t-{n}", shard))


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

    def __call__(
        self, index: SearchIndex, doc_digests: Mapping[str, str]
    ) -> tuple[SearchFile, ...]:
        terms = self._term_part(index)
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

    def _term_part(self, index: SearchIndex) -> _Terms:
        kept = self._terms
        if kept is None or (kept.terms is not index.terms and kept.terms != index.terms):
            self._terms = kept = _all_terms(index, self._sizes[0])
            self._count("search-term-shard", kept.count)
            return kept
        changed = list(compress(range(len(index.postings)), map(ne, index.postings, kept.postings)))
        size = kept.size + sum(len(index.postings[i]) - len(kept.postings[i]) for i in changed)
        if power_of_two(size / self._sizes[0]) != kept.count:
            self._terms = kept = _all_terms(index, self._sizes[0])
            self._count("search-term-shard", kept.count)
            return kept
        dirty_shards: set[int] = set()
        dirty_prefixes: set[str] = set()
        weights = kept.weights
        for i in changed:
            term, shard = index.terms[i], kept.shards[i]
            dirty_shards.add(shard)
            delta = len(index.postings[i]) - len(kept.postings[i])
            for k in _prefixes(term):
                weights[term[:k]][shard] += delta
                dirty_prefixes.add(term[:k])
        short = dict(kept.short)  # the last manifest's stays as it was
        for prefix in dirty_prefixes:
            short[prefix] = _by_weight(weights[prefix])
        files = list(kept.files)
        for n in sorted(dirty_shards):
            postings = " ".join([index.postings[i] for i in kept.members[n]])
            files[n] = _term_file(n, kept.joined[n], postings)
        self._count("search-term-shard", len(dirty_shards))
        kept.postings, kept.size, kept.files, kept.short = index.postings, size, files, short
        return kept

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
    shards = [
        by_key[t[:KEY_CHARS]]
        if t[:KEY_CHARS] in by_key
        else by_key.setdefault(t[:KEY_CHARS], shard_of(t[:KEY_CHARS], count))
        for t in index.terms
    ]
    members: list[list[int]] = [[] for _ in range(count)]
    for i, shard in enumerate(shards):
        members[shard].append(i)
    joined = [" ".join([index.terms[i] for i in m]) for m in members]
    files = [
        _term_file(n, joined[n], " ".join([index.postings[i] for i in m]))
        for n, m in enumerate(members)
    ]
    weights: dict[str, dict[int, int]] = {}
    for term, encoded, shard in zip(index.terms, index.postings, shards, strict=True):
        for k in _prefixes(term):
            at = weights.setdefault(term[:k], {})
            at[shard] = at.get(shard, 0) + len(encoded)
    short = {p: _by_weight(w) for p, w in sorted(weights.items())}
    return _Terms(
        index.terms,
        index.postings,
        size,
        count,
        shards,
        members,
        joined,
        files,
        weights,
        short,
        typo_keys(by_key),
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

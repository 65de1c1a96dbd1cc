"""What a quick edit needs of the search files it does not read: the ledger.

A quick edit (``incremental.quick``) rewrites the search manifest, one doc shard and the term
shards of the terms its note gained, lost or changed. The manifest depends on every shard: how
many term shards there are (from the size of all terms and postings), how many notes a doc
shard holds (from the size of all stored documents), and in what order each short prefix lists
its shards (from the size of the postings of its words in each). The ledger keeps those sums,
shard by shard, so that the shards an edit does not touch need not be read:

- ``sizes``: each term shard's size as ``shard_files`` counts it (a term and its postings, and
  two);
- ``weights``: each term shard's short prefixes → the size of their words' postings there;
- ``docs``: each doc shard's stored size (its notes' bodies, cut as stored, and abstracts).

It is a function of the search files alone, and is bound to them: ``binding`` is a digest of
the hashes the site's manifest holds for them, so a ledger left by another build (``serve``,
an interrupted one, a copied library) does not match, and the quick edit reads every shard
instead. A full build leaves one (:func:`save_ledger`), from the index it stored; a quick edit
leaves the one of the files it wrote.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from papernotes.blake import blake2b
from papernotes.search.shards import (
    DOC_SHARD_BYTES,
    KEY_CHARS,
    MANIFEST,
    SHARD_DIR,
    TERM_SHARD_BYTES,
    power_of_two,
    power_of_two_below,
    prefix_lengths,
    shard_of,
)

if TYPE_CHECKING:
    from papernotes.incremental.searchstate import SearchState

__all__ = [
    "LEDGER_FILE",
    "Ledger",
    "binding",
    "ledger_of",
    "per_shard",
    "read_ledger",
    "save_ledger",
    "shard_sums",
    "write_ledger",
]

LEDGER_FILE = "search-ledger.json"
"""The ledger's file in ``.papernotes/cache/``."""
_FORMAT = 1


class Ledger(NamedTuple):
    """The sums of a sharded search index that its manifest is made from."""

    sizes: list[int]
    """Each term shard's size (``shard_files``: its terms' and postings' lengths, and two)."""
    weights: list[dict[str, int]]
    """Each term shard's short prefixes → the size of the postings of their words there."""
    docs: list[int]
    """Each doc shard's stored size: its notes' bodies (cut as stored) and abstracts."""


def shard_sums(terms: Iterable[str], postings: Iterable[str]) -> tuple[int, dict[str, int]]:
    """One term shard's size and weights (:class:`Ledger`)."""
    size = 0
    weights: dict[str, int] = {}
    for term, encoded in zip(terms, postings, strict=True):
        size += len(term) + len(encoded) + 2
        for k in prefix_lengths(term):
            weights[term[:k]] = weights.get(term[:k], 0) + len(encoded)
    return size, weights


def per_shard(count: int, stored: int, target: int = DOC_SHARD_BYTES) -> int:
    """How many notes a doc shard holds, of ``count`` notes storing ``stored`` characters
    (``shard_files``: each note's size and 200)."""
    return min(256, power_of_two_below(target * count / max(1, stored)))


def ledger_of(
    terms: Iterable[str],
    postings: Iterable[str],
    doc_sizes: list[int],
    *,
    term_shard_bytes: int = TERM_SHARD_BYTES,
    doc_shard_bytes: int = DOC_SHARD_BYTES,
) -> Ledger:
    """The ledger of the files ``shard_files`` makes of an index with these ``terms`` and
    ``postings`` and whose notes, in order, store ``doc_sizes`` characters
    (``lazydoc.doc_size``)."""
    terms, postings = list(terms), list(postings)
    total = sum(len(t) + len(p) + 2 for t, p in zip(terms, postings, strict=True))
    count = power_of_two(total / term_shard_bytes)
    by_shard: list[tuple[list[str], list[str]]] = [([], []) for _ in range(count)]
    memo: dict[str, int] = {}
    for term, encoded in zip(terms, postings, strict=True):
        key = term[:KEY_CHARS]
        shard = memo.get(key)
        if shard is None:
            shard = memo[key] = shard_of(key, count)
        by_shard[shard][0].append(term)
        by_shard[shard][1].append(encoded)
    sums = [shard_sums(*part) for part in by_shard]
    stored = sum(doc_sizes) + 200 * len(doc_sizes)
    per = per_shard(len(doc_sizes), stored, doc_shard_bytes)
    docs = [sum(doc_sizes[i : i + per]) for i in range(0, len(doc_sizes), per)]
    return Ledger([s for s, _ in sums], [w for _, w in sums], docs)


def binding(files: Mapping[str, Any]) -> str:
    """The digest of the search files' hashes in the site's manifest (``files``)."""
    mine = sorted((p, h) for p, h in files.items() if p == MANIFEST or p.startswith(SHARD_DIR))
    return blake2b(json.dumps(mine).encode("utf-8"), digest_size=16).hexdigest()


def _path(root: str | Path) -> Path:
    return Path(root, ".papernotes", "cache", LEDGER_FILE)


def write_ledger(root: str | Path, ledger: Ledger, files: Mapping[str, Any]) -> None:
    """Leave ``ledger``, bound to the search files ``files`` (the site's manifest) lists."""
    from papernotes.atomic import write_atomic

    data = {"format": _FORMAT, "binding": binding(files), **ledger._asdict()}
    write_atomic(_path(root), json.dumps(data, separators=(",", ":")).encode("utf-8"))


def save_ledger(root: Path, out: Path, state: SearchState) -> None:
    """After a build that left ``state`` (its search index) and the site in ``out``: the
    ledger of its search files, or none when the state cannot tell (no sizes kept)."""
    from papernotes.write import MARKER

    path = _path(root)
    if not state.sizes or len(state.sizes) != len(state.keys):
        path.unlink(missing_ok=True)
        return
    site = json.loads((out / MARKER).read_bytes())
    files = site.get("files") if isinstance(site, dict) else None
    if not isinstance(files, dict):
        path.unlink(missing_ok=True)
        return
    write_ledger(root, ledger_of(state.terms, state.postings, list(state.sizes)), files)


def _ints(value: Any) -> TypeGuard[list[int]]:
    return isinstance(value, list) and all(type(v) is int and v >= 0 for v in value)


def read_ledger(root: str | Path, files: Mapping[str, Any]) -> Ledger | None:
    """The ledger left for the search files ``files`` (the site's manifest) lists, or None
    (none, another's, or not one this module writes)."""
    try:
        fd = os.open(_path(root), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    if data.get("binding") != binding(files):
        return None
    sizes, weights, docs = data.get("sizes"), data.get("weights"), data.get("docs")
    if not _ints(sizes) or not _ints(docs) or not isinstance(weights, list):
        return None
    for w in weights:
        if not isinstance(w, dict) or not all(type(v) is int and v > 0 for v in w.values()):
            return None
    if len(weights) != len(sizes):
        return None
    return Ledger(sizes, weights, docs)

"""The search files after one note's body changed, from the files it touches and the ledger.

``quicksearch.patched`` reads every shard back into the index that made them; this reads only
what the edit touches — the manifest, the term shard of the note's key term (where its number
is found), the term shards of the terms it gained, lost or changed, and its doc shard — and
takes what the manifest needs of the others from the ledger (``incremental.searchledger``):
the shards' sizes, which decide the shard counts, and their short prefixes' weights, which
order the manifest's shard lists. Each shard read is checked against the ledger, and the
lists of the prefixes it changes against the manifest, so a ledger that does not describe the
files is found out (ValueError) rather than written from.

The files are made by ``search.shards``' own functions, so they are what a build writes; when
the shard counts would move, the answer is None and the build runs.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from papernotes.incremental.quicksearch import (
    patch_term,
    read_lengths,
    read_manifest,
    read_shard,
    search_paths,
    stored_doc,
    term_shard,
    utf16,
)
from papernotes.incremental.searchledger import Ledger, per_shard, shard_sums
from papernotes.search.clean import clean_text
from papernotes.search.index import (
    FIELD_KEY,
    MAX_BODY_CHARS,
    DocTerms,
    SearchDoc,
    decode_pairs,
    id_term,
    vlq_numbers,
)
from papernotes.search.shards import (
    DOC_SHARD_BYTES,
    KEY_CHARS,
    MANIFEST,
    SHARD_DIR,
    TERM_SHARD_BYTES,
    by_weight,
    doc_shard_text,
    manifest_text,
    power_of_two,
    prefix_lengths,
    shard_of,
    term_shard_text,
    typo_moved,
)

__all__ = ["ledger_patched"]


def _size(doc: SearchDoc) -> int:
    return len(doc.body[:MAX_BODY_CHARS]) + len(doc.abstract)


class _Shards:
    """The shards read so far, each checked against the ledger when read."""

    def __init__(self, read: Callable[[str], str], ledger: Ledger) -> None:
        self.read, self.ledger = read, ledger
        self.terms: dict[int, tuple[list[str], list[str]]] = {}
        self.docs: dict[int, list[SearchDoc]] = {}
        self.sums: dict[int, tuple[int, dict[str, int]]] = {}
        """Each term shard's size and weights (``searchledger.shard_sums``), kept up to date."""
        self.keys: dict[int, set[str]] = {}
        """Each term shard's keys (first :data:`KEY_CHARS` code points) when it was read."""

    def term(self, n: int) -> tuple[list[str], list[str]]:
        if n not in self.terms:
            terms, postings = term_shard(self.read(f"{SHARD_DIR}t-{n}.js"), n)
            sums = shard_sums(terms, postings)
            if sums != (self.ledger.sizes[n], self.ledger.weights[n]):
                raise ValueError(f"the search ledger does not hold t-{n}")
            self.terms[n] = (terms, postings)
            self.sums[n] = sums
            self.keys[n] = {t[:KEY_CHARS] for t in terms}
        return self.terms[n]

    def moved(self, n: int, term: str, was: str | None, now: str | None) -> None:
        """Term shard ``n``'s sums after ``term``'s postings went from ``was`` to ``now``
        (None: the term not there)."""
        size, weights = self.sums[n]
        grown = (len(now) if now is not None else 0) - (len(was) if was is not None else 0)
        size += grown + (len(term) + 2) * ((now is not None) - (was is not None))
        for k in prefix_lengths(term):
            weight = weights.get(term[:k], 0) + grown
            if weight:
                weights[term[:k]] = weight
            else:
                del weights[term[:k]]
        self.sums[n] = (size, weights)

    def doc(self, n: int) -> list[SearchDoc]:
        if n not in self.docs:
            docs = list(map(stored_doc, read_shard(self.read(f"{SHARD_DIR}d-{n}.js"), f"d-{n}")))
            if sum(map(_size, docs)) != self.ledger.docs[n]:
                raise ValueError(f"the search ledger does not hold d-{n}")
            self.docs[n] = docs
        return self.docs[n]


def _number(shards: _Shards, key: str, old: DocTerms, sizes: tuple[int, int, int]) -> int:
    """The note's number in the index: a doc its key term's postings name, whose row is it."""
    count, per, notes = sizes
    plain = key.lower()
    term = plain if old[1].get(plain, 0) >> 4 & FIELD_KEY else id_term("key", plain)
    if term not in old[1]:
        raise ValueError("the cache holds no key term for the note")
    terms, postings = shards.term(shard_of(term, count))
    i = bisect.bisect_left(terms, utf16(term), key=utf16)
    if i == len(terms) or terms[i] != term:
        raise ValueError("the index holds no key term for the note")
    found = [
        doc
        for doc, value in decode_pairs(postings[i])
        if value == old[1][term]
        and doc < notes
        and len(docs := shards.doc(doc // per)) > doc % per
        and docs[doc % per].key == key
    ]
    if len(found) != 1:
        raise ValueError("the index does not hold the note once")
    return found[0]


def ledger_patched(
    read: Callable[[str], str],
    ledger: Ledger,
    key: str,
    old: DocTerms,
    new: DocTerms,
    body_text: str,
    term_shard_bytes: int = TERM_SHARD_BYTES,
    doc_shard_bytes: int = DOC_SHARD_BYTES,
) -> tuple[dict[str, str], SearchDoc, Ledger] | None:
    """``quicksearch.patched`` of the files ``read`` gives (path → text) and their ``ledger``:
    the files that change (path → new text), the note's document as the index stored it, and
    the ledger of the files after. None when the edit moves the shard counts; ValueError when
    a file is not what a build writes, or the ledger or the index do not hold what they say.
    The shard sizes are ``shard_files``' (tests make small ones)."""
    manifest = read(MANIFEST)
    data = read_manifest(manifest)
    names = search_paths(manifest)
    count, per = data["termShards"], data["docsPerShard"]
    lengths = read_lengths(data["lengths"])
    if len(ledger.sizes) != count or len(names) != 1 + count + len(ledger.docs):
        raise ValueError("the search ledger does not hold the manifest's shards")
    total = sum(ledger.docs) + 200 * len(lengths)
    if len(lengths) != data["count"] or per != per_shard(len(lengths), total, doc_shard_bytes):
        raise ValueError("the search ledger does not hold the manifest's notes")
    shards = _Shards(read, ledger)
    me = _number(shards, key, old, (count, per, len(lengths)))
    if lengths[me] != old[0]:
        raise ValueError("the index does not hold the note as the cache does")
    lengths[me] = new[0]
    touched: set[int] = set()
    for term in sorted(old[1].keys() | new[1].keys()):
        if old[1].get(term) == new[1].get(term):
            continue
        s = shard_of(term, count)
        touched.add(s)
        shards.moved(s, term, *patch_term(*shards.term(s), term, me, old, new))
    docs = shards.doc(me // per)
    stored = docs[me % per]
    docs[me % per] = replace(stored, body=clean_text(body_text)[:MAX_BODY_CHARS])
    after = _ledger_after(ledger, shards, touched, me // per)
    if power_of_two(sum(after.sizes) / term_shard_bytes) != count:
        return None  # the shard counts moved: every shard is made again
    if per_shard(len(lengths), sum(after.docs) + 200 * len(lengths), doc_shard_bytes) != per:
        return None  # the same number of doc shards, but not the same notes in each
    data["lengths"] = vlq_numbers(lengths)
    if count > 1:
        data["short"], data["typoKeys"] = _short_and_typo(data, ledger, after, shards, touched)
    made = {MANIFEST: manifest_text(data)}
    for s in sorted(touched):
        terms, postings = shards.term(s)
        made[f"{SHARD_DIR}t-{s}.js"] = term_shard_text(s, " ".join(terms), " ".join(postings))
    made[f"{SHARD_DIR}d-{me // per}.js"] = doc_shard_text(me // per, docs)
    changed = {path: text for path, text in made.items() if text != read(path)}
    return changed, stored, after


def _ledger_after(ledger: Ledger, shards: _Shards, touched: set[int], doc_shard: int) -> Ledger:
    sizes, weights, docs = list(ledger.sizes), list(ledger.weights), list(ledger.docs)
    for s in touched:
        sizes[s], weights[s] = shards.sums[s]
    docs[doc_shard] = sum(map(_size, shards.doc(doc_shard)))
    return Ledger(sizes, weights, docs)


def _by_prefix(ledger: Ledger, prefixes: set[str]) -> dict[str, dict[int, int]]:
    """Each of ``prefixes`` the ledger's shards have → shard → its weight there, in shard
    order: one pass over the shards (the prefixes of a few shards are thousands)."""
    found: dict[str, dict[int, int]] = {}
    for s, weights in enumerate(ledger.weights):
        for p in weights.keys() & prefixes:  # a pass over the smaller of the two
            found.setdefault(p, {})[s] = weights[p]
    return found


def _short_and_typo(
    data: dict[str, Any], before: Ledger, after: Ledger, shards: _Shards, touched: set[int]
) -> tuple[dict[str, list[int]], dict[str, str]]:
    """The manifest's ``short`` and ``typoKeys`` after the ``touched`` term shards changed
    (``shards`` holds them as they are now; ``before`` and ``after`` are the ledgers)."""
    short, typo = data["short"], data["typoKeys"]
    if not isinstance(short, dict) or not isinstance(typo, dict):
        raise ValueError("not a search manifest")
    prefixes = {p for s in touched for p in (*before.weights[s], *after.weights[s])}
    was, now = _by_prefix(before, prefixes), _by_prefix(after, prefixes)
    out = dict(short)
    for p in prefixes:
        if (by_weight(was[p]) if p in was else None) != short.get(p):
            raise ValueError(f"the search ledger does not hold the manifest's prefix {p!r}")
        if p in now:
            out[p] = by_weight(now[p])
        else:
            del out[p]
    came: list[str] = []
    went: list[str] = []
    for s in sorted(touched):  # a key lives in one shard only: there it came or went
        keys, had = {t[:KEY_CHARS] for t in shards.term(s)[0]}, shards.keys[s]
        came.extend(sorted(keys - had))
        went.extend(sorted(had - keys))
    short_out = out if out.keys() == short.keys() else dict(sorted(out.items()))
    return short_out, typo_moved(typo, came, went)

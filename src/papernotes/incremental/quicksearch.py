"""The search files of a site after one note's body changed, made from the files themselves.

The sharded index (``search.shards``) is read back from the site's files — the manifest, every
term shard and every doc shard — into the :class:`~papernotes.search.index.SearchIndex` that
made them; the note's postings, body length and stored text are changed in it; and the files
it touches (the manifest, its doc shard, the term shards of the terms it gained, lost or
changed) are made again by ``shard_files`` itself, so they are what a build writes. Nothing
else is made: when the shard counts would change (the index doubled or halved), or anything
read is not what a build writes, the answer is None and the build runs.

A body edit leaves the note's short fields (title, authors, tags, headings, ids) as they were,
so its new terms are its old terms' field bits with the new body's counts
(:func:`body_terms`), as ``doc_terms`` would make them.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from papernotes.search.clean import clean_text
from papernotes.search.index import (
    FIELD_ID,
    INDEX_FORMAT,
    DocTerms,
    SearchDoc,
    SearchIndex,
    decode_pairs,
    encode_pairs,
    read_vlq,
)
from papernotes.search.shards import (
    DOC_SHARD_BYTES,
    MANIFEST,
    SHARD_DIR,
    TERM_SHARD_BYTES,
    shard_files,
    shard_of,
    unpack_rows,
)
from papernotes.search.text import new_folds, tokenize

__all__ = [
    "body_terms",
    "patch_term",
    "patched",
    "read_lengths",
    "read_manifest",
    "read_shard",
    "search_paths",
    "stored_doc",
    "term_shard",
    "utf16",
]

_TF_CAP = 15
"""``search.index``'s cap on a body count."""
_HEAD = "window.PAPERNOTES_SEARCH="


def body_terms(old: DocTerms, body_text: str) -> DocTerms:
    """A note's terms (``doc_terms``) with its body's plain text now ``body_text``, from its
    terms before (``old``): the short fields' bits are kept, the body counted again."""
    body = tokenize(clean_text(body_text), new_folds())
    packed: dict[str, int] = {}
    for term in body:
        packed[term] = packed.get(term, 0) + 1
    packed = {term: min(count, _TF_CAP) for term, count in packed.items()}
    for term, value in old[1].items():
        if value >> 4 & FIELD_ID:
            packed[term] = value  # an id term is set, not added to
        elif value >> 4:
            packed[term] = packed.get(term, 0) | value >> 4 << 4
    return len(body), packed


def read_lengths(digits: str) -> list[int]:
    """The numbers ``search.index.vlq_numbers`` wrote; ValueError when they are not."""
    return read_vlq(digits, "lengths")


def read_manifest(text: str) -> dict[str, Any]:
    """The fields of the manifest ``text``; ValueError when it is not one a build writes."""
    if not text.startswith(_HEAD) or not text.endswith(";\n"):
        raise ValueError("not a search manifest")
    data = json.loads(text[len(_HEAD) : -2])
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
        raise ValueError("not a search manifest of this format")
    return data


def search_paths(manifest_text: str) -> list[str]:
    """Every file of the index ``manifest_text`` (the manifest's) names: the manifest, the term
    shards, the doc shards. ValueError when it is not a manifest a build writes."""
    data = read_manifest(manifest_text)
    terms, per, count = data.get("termShards"), data.get("docsPerShard"), data.get("count")
    if type(terms) is not int or type(per) is not int or type(count) is not int:
        raise ValueError("not a search manifest")
    if terms <= 0 or per <= 0:
        raise ValueError("not a search manifest")
    docs = -(-count // per)
    return [
        MANIFEST,
        *(f"{SHARD_DIR}t-{n}.js" for n in range(terms)),
        *(f"{SHARD_DIR}d-{n}.js" for n in range(docs)),
    ]


def read_shard(text: str, name: str) -> Any:
    """The rows (or terms) of the shard ``name`` whose file is ``text`` (ValueError: not it)."""
    head = f"PAPERNOTES_SEARCH_SHARD({json.dumps(name)},"
    if not text.startswith(head) or not text.endswith(");\n"):
        raise ValueError(f"not the search shard {name}")
    packed = json.loads(text[len(head) : -3])
    if not isinstance(packed, str):
        raise ValueError(f"not a packed search shard {name}")
    return unpack_rows(packed)


def term_shard(text: str, n: int) -> tuple[list[str], list[str]]:
    """Term shard ``n``'s file text as its sorted terms and their postings; ValueError when it
    is not what a build writes."""
    shard = read_shard(text, f"t-{n}")
    if not isinstance(shard, dict) or set(shard) != {"terms", "postings"}:
        raise ValueError(f"not a term shard: t-{n}")
    terms, postings = shard["terms"].split(" "), shard["postings"].split(" ")
    if terms == [""]:
        return [], []
    if len(terms) != len(postings):
        raise ValueError(f"a term shard's terms and postings differ: t-{n}")
    return terms, postings


def stored_doc(row: Any) -> SearchDoc:
    """A doc shard's row as a document (ValueError when it is not one)."""
    if not isinstance(row, list) or len(row) != 9 or not isinstance(row[6], list):
        raise ValueError("not a stored search document")
    key, path, title, authors, year, venue, tags, abstract, body = row
    strings = (key, path, title, authors, venue, abstract, body, *tags)
    if not all(isinstance(s, str) for s in strings) or type(year) not in (int, str):
        raise ValueError("not a stored search document")
    return SearchDoc(key, path, title, authors, year, venue, tuple(tags), abstract, body)


class _Nothing(dict[str, str]):
    """Every note's document digest, as "": fingerprints no one reads."""

    def __missing__(self, key: str) -> str:
        return ""


def utf16(term: str) -> bytes:
    """The key a shard's terms are sorted by (UTF-16 code units, as search.js compares)."""
    return term.encode("utf-16-be", "surrogatepass")


def patch_term(
    terms: list[str], postings: list[str], term: str, me: int, old: DocTerms, new: DocTerms
) -> tuple[str | None, str | None]:
    """Note ``me``'s postings of ``term`` in one sorted shard changed from ``old`` to ``new``
    in place: (the term's postings before, after), None where it has none. ValueError when the
    shard does not hold the note's term as ``old`` says."""
    i = bisect.bisect_left(terms, utf16(term), key=utf16)
    here = i < len(terms) and terms[i] == term
    pairs = decode_pairs(postings[i]) if here else []
    kept = [(doc, value) for doc, value in pairs if doc != me]
    if [(doc, value) for doc, value in pairs if doc == me] != (
        [(me, old[1][term])] if term in old[1] else []
    ):
        raise ValueError(f"the index does not hold the note's term {term!r} as the cache does")
    if term in new[1]:
        bisect.insort(kept, (me, new[1][term]))
    was = postings[i] if here else None
    now = encode_pairs(kept) if kept else None
    if here and now is not None:
        postings[i] = now
    elif here:
        del terms[i], postings[i]
    elif now is not None:
        terms.insert(i, term)
        postings.insert(i, now)
    return was, now


def patched(
    texts: Mapping[str, str],
    key: str,
    old: DocTerms,
    new: DocTerms,
    body_text: str,
    term_shard_bytes: int = TERM_SHARD_BYTES,
    doc_shard_bytes: int = DOC_SHARD_BYTES,
) -> tuple[dict[str, str], SearchDoc] | None:
    """The files of the index (``texts``: every one :func:`search_paths` names → its text)
    that change when note ``key``'s terms go from ``old`` to ``new`` and its plain text to
    ``body_text`` (path → new text), and the note's document as the index stored it. None
    when the edit moves the shard counts. ValueError when a file is not what a build writes,
    or the index does not hold ``old`` as the note's.
    The shard sizes are ``shard_files``' (tests make small ones)."""
    data = read_manifest(texts[MANIFEST])
    term_count, per_shard = data["termShards"], data["docsPerShard"]
    names = search_paths(texts[MANIFEST])
    shards: list[tuple[list[str], list[str]]] = []
    for n in range(term_count):
        shards.append(term_shard(texts[names[1 + n]], n))
    docs: list[SearchDoc] = []
    for n, path in enumerate(names[1 + term_count :]):
        docs.extend(map(stored_doc, read_shard(texts[path], f"d-{n}")))
    lengths = read_lengths(data["lengths"])
    if len(docs) != data["count"] or len(lengths) != len(docs):
        raise ValueError("the search manifest and its shards differ")
    at = [n for n, doc in enumerate(docs) if doc.key == key]
    if len(at) != 1 or lengths[at[0]] != old[0]:
        raise ValueError("the index does not hold the note as the cache does")
    me = at[0]
    stored = docs[me]
    lengths[me] = new[0]
    docs[me] = replace(docs[me], body=clean_text(body_text))
    touched = {me // per_shard + 1 + term_count}
    for term in sorted(old[1].keys() | new[1].keys()):
        if old[1].get(term) == new[1].get(term):
            continue
        s = shard_of(term, term_count)
        touched.add(1 + s)
        patch_term(*shards[s], term, me, old, new)
    index = SearchIndex(
        tuple(docs),
        tuple(lengths),
        tuple(t for terms, _ in shards for t in terms),
        tuple(p for _, postings in shards for p in postings),
    )
    # The files' fingerprints are not used here: digests of nothing spare hashing every
    # document (a doc shard's fingerprint reads its notes' digests, when given).
    files = shard_files(
        index,
        term_shard_bytes=term_shard_bytes,
        doc_shard_bytes=doc_shard_bytes,
        doc_digests=_Nothing(),
    )
    if [f.path for f in files] != names:
        return None  # the shard counts moved: every shard is made again
    made = {names[i]: files[i].make() for i in (0, *sorted(touched))}
    if read_manifest(made[MANIFEST])["docsPerShard"] != per_shard:
        return None  # the same number of doc shards, but not the same notes in each
    return {path: text for path, text in made.items() if text != texts[path]}, stored

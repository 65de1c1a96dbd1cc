"""The search index split into files a query loads a few of: a manifest, term shards and doc
shards, each a script (``<script src>`` works from ``file://``, where ``fetch()`` does not).

- ``static/search-index.js``, the manifest: the note count, each note's body length (BM25
  needs it for every candidate), how many shards there are, and, for word prefixes shorter than
  :data:`KEY_CHARS`, which term shards hold words that start with them, the shard with the most
  postings of such words first (search.js reads the first few only: at 50,000 notes "a" starts
  words in every shard); and which keys of three letters some word starts with
  (:func:`typo_keys`), so a typo reads only the shards of the words it may stand for.
- ``static/search/t-<n>.js``: the terms whose first :data:`KEY_CHARS` code points hash to
  shard ``n``, with their postings. Every word that starts with a prefix of that length lives in
  the same shard, so expanding ``transf`` reads one file. An id term is looked up whole,
  never expanded, and starts with its id's last two characters (``@62:arxiv:1706.03762``),
  so ids spread over the shards.
- ``static/search/d-<n>.js``: the stored text of a run of consecutive notes, for snippets and
  phrase checks; only the results shown (and the leading candidates) are loaded. The rows come
  gzipped, as base64 (:func:`pack_rows`): the stored text is most of the index's bytes, and
  gzip takes real notes' text to about half even after base64's third more; the browser
  unpacks it with ``DecompressionStream``, from ``file://`` too. The term shards come packed
  the same way: their postings go to about a quarter.

Notes are numbered in the order results tie-break in (newest year first, then title), so the
browser orders equal scores by number without loading any title. Both shard counts are powers
of two chosen from the library's size, so they change only when the library doubles or halves:
editing one note rewrites the manifest, its doc shard and the term shards of the terms it
gained, lost or changed, and nothing else.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

from papernotes.cjk import is_cjk_char
from papernotes.incremental.cache import digest, text_digest
from papernotes.search.index import (
    ID_MARK,
    INDEX_FORMAT,
    MAX_BODY_CHARS,
    DocTerms,
    SearchDoc,
    SearchIndex,
    build_index,
    vlq_numbers,
)

__all__ = [
    "DOC_SHARD_BYTES",
    "KEY_CHARS",
    "MANIFEST",
    "SHARD_DIR",
    "TERM_SHARD_BYTES",
    "SearchFile",
    "by_weight",
    "doc_order",
    "doc_shard_text",
    "manifest_text",
    "pack_rows",
    "power_of_two",
    "power_of_two_below",
    "prefix_lengths",
    "script_json",
    "search_files",
    "shard_files",
    "shard_of",
    "term_shard_text",
    "typo_keys",
    "typo_moved",
    "unpack_rows",
]

MANIFEST = "static/search-index.js"
"""The manifest keeps the old single file's name: every page's search box already points at it."""
SHARD_DIR = "static/search/"
KEY_CHARS = 3
"""Terms are sharded by their first three code points: a word shorter than that is looked up
through the manifest's list of shards holding its expansions."""
TERM_SHARD_BYTES = 128_000
"""Target size of a term shard: a query of three words reads about three of them."""
DOC_SHARD_BYTES = 32_000
"""Target size of a doc shard: twenty results shown read at most twenty of them."""


class SearchFile(NamedTuple):
    """One file of the sharded index, with what the build needs to decide to write it."""

    path: str
    """Site path, e.g. ``static/search/t-3.js``."""
    fingerprint: str
    """Digest of everything the file holds."""
    make: Callable[[], str]
    """The file's text (doc shards are serialised only when they are written)."""


def shard_of(term: str, count: int) -> int:
    """The term shard of ``term`` among ``count`` (a power of two): FNV-1a over the UTF-16 code
    units of its first :data:`KEY_CHARS` code points, as search.js computes it."""
    h = 0x811C9DC5
    key = term[:KEY_CHARS].encode("utf-16-le", "surrogatepass")
    for i in range(0, len(key), 2):
        h = ((h ^ (key[i] | key[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return h & (count - 1)


def power_of_two(n: float) -> int:
    """The smallest power of two not below ``n`` (1 at least)."""
    out = 1
    while out < n:
        out *= 2
    return out


def power_of_two_below(n: float) -> int:
    """The largest power of two not above ``n`` (1 at least)."""
    out = 1
    while out * 2 <= n:
        out *= 2
    return out


def _year_rank(doc: SearchDoc) -> tuple[int, int]:
    # A year shown as text ("n.d.", "400 BC") sorts after every numbered one.
    return (0, -doc.year) if isinstance(doc.year, int) else (1, 0)


def doc_order(doc: SearchDoc) -> tuple[tuple[int, int], bytes, str, str]:
    """The order notes are numbered in: results with equal scores are shown in it."""
    return (_year_rank(doc), doc.title.encode("utf-16-be", "surrogatepass"), doc.path, doc.key)


def script_json(data: object) -> str:
    """``data`` as a JavaScript literal that is safe inside ``<script>`` too."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Older engines end a string literal at U+2028/9; "</" could close an inline <script>.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")


def _script(name: str, data: object) -> str:
    return f"PAPERNOTES_SEARCH_SHARD({json.dumps(name)},{script_json(data)});\n"


def _packed_script(name: str, data: object) -> str:
    return _script(name, pack_rows(data))


def pack_rows(rows: object) -> str:
    """A doc shard's rows as search.js unpacks them: JSON, gzipped (no time stamp, so the same
    rows give the same bytes), in base64."""
    raw = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, 6, mtime=0)).decode("ascii")


def unpack_rows(packed: str) -> Any:
    """The rows :func:`pack_rows` packed."""
    return json.loads(gzip.decompress(base64.b64decode(packed, validate=True)))


def _doc_row(doc: SearchDoc, max_body_chars: int) -> list[object]:
    return [
        *(doc.key, doc.path, doc.title, doc.authors, doc.year, doc.venue, list(doc.tags)),
        *(doc.abstract, doc.body[:max_body_chars]),
    ]


def _shards_of(terms: Iterable[str], count: int) -> tuple[list[int], dict[str, int]]:
    """:func:`shard_of` of each term, hashed once per distinct first :data:`KEY_CHARS` code
    points (at 1,000 notes, a tenth as many as there are terms); and those keys' shards."""
    memo: dict[str, int] = {}
    out: list[int] = []
    for term in terms:
        key = term[:KEY_CHARS]
        shard = memo.get(key)
        if shard is None:
            shard = memo[key] = shard_of(key, count)
        out.append(shard)
    return out, memo


def _term_shards(index: SearchIndex, count: int, shards: list[int]) -> list[dict[str, str]]:
    terms: list[list[str]] = [[] for _ in range(count)]
    postings: list[list[str]] = [[] for _ in range(count)]
    for term, encoded, shard in zip(index.terms, index.postings, shards, strict=True):
        terms[shard].append(term)  # still in UTF-16 order within each shard
        postings[shard].append(encoded)
    return [
        {"terms": " ".join(t), "postings": " ".join(p)}
        for t, p in zip(terms, postings, strict=True)
    ]


def prefix_lengths(term: str) -> range:
    """The lengths of the short prefixes ``term`` counts under: none for a CJK or id term."""
    if len(term) < 2 or is_cjk_char(term[0]) or term.startswith(ID_MARK):
        return range(0)
    return range(1, min(KEY_CHARS, len(term)))


def by_weight(weights: Mapping[int, int]) -> list[int]:
    """A short prefix's shards (shard → size of its longer words' postings there), the
    heaviest first, then by number: the manifest's ``short`` list."""
    return sorted(weights, key=lambda n: (-weights[n], n))


def _short_prefixes(
    terms: Iterable[str], postings: Iterable[str], shards: Iterable[int]
) -> dict[str, list[int]]:
    """Prefix shorter than :data:`KEY_CHARS` → the shards holding longer words with it, by the
    size of those words' postings (the most first, then by number)."""
    found: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for term, encoded, shard in zip(terms, postings, shards, strict=True):
        for i in prefix_lengths(term):
            found[term[:i]][shard] += len(encoded)
    return {p: by_weight(s) for p, s in sorted(found.items())}


def typo_keys(terms: Iterable[str]) -> dict[str, str]:
    """The keys (first :data:`KEY_CHARS` code points) of ``terms`` that are all letters:
    their first code points → the last ones they take, sorted. Search.js reads only the term
    shards of those of a typo's candidate keys that some word has (a typo names up to thirty
    keys, most of them no word's).
    """
    found: dict[str, set[str]] = defaultdict(set)
    for term in terms:
        key = term[:KEY_CHARS]
        # A CJK run is searched by its characters, never as a typo of a word.
        if len(key) == KEY_CHARS and key.isalpha() and not any(map(is_cjk_char, key)):
            found[key[:-1]].add(key[-1])
    return {p: "".join(sorted(found[p])) for p in sorted(found)}


def typo_moved(typo: Mapping[str, str], came: Iterable[str], went: Iterable[str]) -> dict[str, str]:
    """``typo_keys`` of the keys ``typo`` was made of, the keys that ``came`` added and those
    that ``went`` taken away: their prefixes alone made again (not a pass over every key)."""
    found = dict(typo)
    for key, here in (*((k, True) for k in came), *((k, False) for k in went)):
        if len(key) != KEY_CHARS or not key.isalpha() or any(map(is_cjk_char, key)):
            continue  # never a typo key (as ``typo_keys`` says)
        prefix, last = key[:-1], key[-1]
        chars = set(found.get(prefix, ""))
        if here:
            chars.add(last)
        else:
            chars.discard(last)
        if chars:
            found[prefix] = "".join(sorted(chars))
        else:
            found.pop(prefix, None)
    # A prefix that came is put in its place: the manifest lists them in order.
    return found if found.keys() == typo.keys() else dict(sorted(found.items()))


def manifest_text(data: Mapping[str, object]) -> str:
    """The manifest's file, of its fields (``shard_files``' ``manifest``, in its order)."""
    return f"window.PAPERNOTES_SEARCH={script_json(data)};\n"


def term_shard_text(n: int, terms: str, postings: str) -> str:
    """Term shard ``n``'s file, of its terms and their postings (each joined by spaces)."""
    return _packed_script(f"t-{n}", {"terms": terms, "postings": postings})


def doc_shard_text(n: int, docs: Iterable[SearchDoc], max_body_chars: int = MAX_BODY_CHARS) -> str:
    """Doc shard ``n``'s file, of its notes in order."""
    return _script(f"d-{n}", pack_rows([_doc_row(d, max_body_chars) for d in docs]))


def search_files(
    docs: Sequence[SearchDoc],
    *,
    terms_of: Callable[[SearchDoc], DocTerms] | None = None,
    max_body_chars: int = MAX_BODY_CHARS,
    term_shard_bytes: int = TERM_SHARD_BYTES,
    doc_shard_bytes: int = DOC_SHARD_BYTES,
    indexer: Callable[..., SearchIndex] = build_index,
) -> tuple[SearchFile, ...]:
    """The manifest, then the term shards, then the doc shards of ``docs`` (shards of about
    the target sizes given).

    Deterministic: the same notes give the same files whatever order they come in.
    ``indexer`` builds the index as ``build_index`` does (``serve`` passes one that keeps the
    last index and updates it: ``incremental.searchmemo``).
    """
    index = indexer(docs, terms_of=terms_of, order=doc_order)
    return shard_files(
        index,
        max_body_chars=max_body_chars,
        term_shard_bytes=term_shard_bytes,
        doc_shard_bytes=doc_shard_bytes,
    )


def shard_files(
    index: SearchIndex,
    *,
    max_body_chars: int = MAX_BODY_CHARS,
    term_shard_bytes: int = TERM_SHARD_BYTES,
    doc_shard_bytes: int = DOC_SHARD_BYTES,
    doc_digests: Mapping[str, str] | None = None,
    sizes: Sequence[int] | None = None,
) -> tuple[SearchFile, ...]:
    """:func:`search_files` of an index built already (numbered in :func:`doc_order`). With
    ``doc_digests`` (each note's ``digest`` of its search document), a doc shard's fingerprint
    is made from those instead of from the documents themselves; with ``sizes`` (each
    document's body, cut at ``max_body_chars``, and abstract length), the documents are not
    read to size the shards."""
    size = sum(len(t) + len(p) + 2 for t, p in zip(index.terms, index.postings, strict=True))
    term_count = power_of_two(size / term_shard_bytes)
    shards, keys = _shards_of(index.terms, term_count)
    # In characters: close enough to bytes for choosing a power of two.
    if sizes is not None and len(sizes) == len(index.docs):
        stored = sum(sizes) + 200 * len(sizes)
    else:
        stored = sum(len(d.body[:max_body_chars]) + len(d.abstract) + 200 for d in index.docs)
    per_shard = min(256, power_of_two_below(doc_shard_bytes * len(index.docs) / max(1, stored)))
    manifest = {
        "format": INDEX_FORMAT,
        "fields": ["key", "path", "title", "authors", "year", "venue", "tags", "abstract", "body"],
        "count": len(index.docs),
        "lengths": vlq_numbers(index.lengths),
        "termShards": term_count,
        "keyChars": KEY_CHARS,
        "docsPerShard": per_shard,
        "short": (_short_prefixes(index.terms, index.postings, shards) if term_count > 1 else {}),
        # From the distinct keys: over every term it took 0.13 s at 50,000 notes.
        "typoKeys": typo_keys(keys) if term_count > 1 else {},
        "dir": SHARD_DIR.removeprefix("static/"),
    }
    text = manifest_text(manifest)
    files = [SearchFile(MANIFEST, text_digest(text), partial(str, text))]
    for n, shard in enumerate(_term_shards(index, term_count, shards)):
        # Packed as the doc shards are (search.js unpacks any shard that is a string): the
        # postings take gzip to about a quarter. The digest is of the plain text, so a build
        # gzips only the shards it writes.
        plain = _script(f"t-{n}", shard)
        packed = partial(_packed_script, f"t-{n}", shard)
        files.append(SearchFile(f"{SHARD_DIR}t-{n}.js", text_digest("packed:" + plain), packed))
    for n, start in enumerate(range(0, len(index.docs), per_shard)):
        part = index.docs[start : start + per_shard]

        make = partial(doc_shard_text, n, part, max_body_chars)
        seen = part if doc_digests is None else [doc_digests[d.key] for d in part]
        fp = digest("search-docs", INDEX_FORMAT, n, max_body_chars, seen)
        files.append(SearchFile(f"{SHARD_DIR}d-{n}.js", fp, make))
    return tuple(files)

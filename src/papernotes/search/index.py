"""Full-text search, built at build time: an inverted index plus the text, shipped as a script.

The site's search page loads ``static/search-index.js`` with a ``<script>`` tag (so it works from
``file://``, where ``fetch()`` of a JSON file is blocked) and ``static/search.js`` queries it.

What the index holds, and why:

- **Terms** (see :mod:`papernotes.search.text`): CJK unigrams and bigrams, folded Latin words. A
  sorted term list lets the browser expand an English prefix (``transf`` → ``transformer``) by
  binary search. Bigrams make an unspaced Chinese query (``奖励模型训练``) a set of terms without
  a segmenter: a dictionary segmenter such as jieba would have to run identically on the query in
  the browser, which is exactly where Pagefind fails (it segments pages but not queries).
- **Postings** per term: which notes contain it, in which short fields (title, authors,
  tags/venue/year/key, abstract, section headings) and how often in the body (for BM25).
  Encoded as base-64 VLQ strings: about two characters per posting.
- **Stored text** of every field, so the browser can check that a query's characters are
  adjacent (a phrase) and cut a snippet around the best match. The text is the cheapest
  positional index there is: a CJK character costs 3 bytes of UTF-8, less than the two
  positions (unigram and bigram) a positional index would store for it.
- **Id terms**, one per way of naming the note exactly: its citekey, arXiv id (old or new
  style, no version) and DOI (folded), as ``@<last two characters>:<kind>:<id>``, e.g.
  ``@62:arxiv:1706.03762``. A word never starts with ``@``, so they never meet a word's prefix
  expansion; search.js looks them up whole; the id's end spreads them over the term shards
  (which go by a term's first three characters: ``@do`` would hold every DOI).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from papernotes import urls
from papernotes.search.clean import clean_text
from papernotes.search.text import new_folds, tokenize

if TYPE_CHECKING:
    from papernotes.model import Note

__all__ = [
    "FIELD_ABSTRACT",
    "FIELD_AUTHORS",
    "FIELD_HEADING",
    "FIELD_ID",
    "FIELD_KEY",
    "FIELD_META",
    "FIELD_TITLE",
    "ID_MARK",
    "INDEX_FORMAT",
    "MAX_BODY_CHARS",
    "Posting",
    "SearchDoc",
    "SearchIndex",
    "build_index",
    "decode_pairs",
    "decode_postings",
    "encode_pairs",
    "encode_postings",
    "id_term",
    "id_terms",
    "index_data",
    "interned",
    "read_vlq",
    "search_index_js",
    "vlq_numbers",
]

INDEX_FORMAT = 6
"""Bumped whenever search.js must change to read the data (2: sharded, see ``shards``; 3:
heading and id bits, id terms sharded whole; 4: doc shards gzipped, in base64; 5: the key bit)."""

# Bits of a posting's field mask. The body is not a bit: its term frequency is stored instead.
FIELD_META = 1
"""Tags, venue, year and citekey."""
FIELD_TITLE = 2
FIELD_AUTHORS = 4
FIELD_ABSTRACT = 8
FIELD_HEADING = 16
"""A section heading of the body (its words are in the body too)."""
FIELD_ID = 32
"""An id term (``@key:…``, ``@arxiv:…``, ``@doi:…``): the note is the one it names."""
FIELD_KEY = 64
"""The word is the note's whole citekey (one the tokenizer keeps whole, so it has no id term):
a one-word query that is a key finds its note from the postings alone, where search.js once
loaded the stored text of every note with the word in its meta fields to compare keys (a
round trip for up to eight doc shards before the first result at 50,000 notes). Costs one
VLQ digit, in one posting per note."""

MAX_BODY_CHARS = 3_000
"""Body text stored for snippets and phrase checks (the stored text is most of the index's
weight per note). The index still covers the whole body, so a longer note is found; only its
snippet shows its start instead of a late match."""
ID_MARK = "@"
"""What every id term starts with, and no word does."""

_TF_CAP = 15  # BM25 saturates long before; the cap keeps most postings within two VLQ digits.
_VLQ = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VLQ_VALUE = {c: i for i, c in enumerate(_VLQ)}


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One note as the search page sees it."""

    key: str
    """The citekey."""
    path: str
    """Site-relative page path, e.g. "papers/hu2021lora.html"."""
    title: str
    """The paper's title (untrusted text: search.js never parses it as HTML)."""
    authors: str
    """Authors as shown, joined with ", "."""
    year: int | str
    """Year of publication; for a note with none, what is shown instead ("n.d.", "400 BC")."""
    venue: str
    """Venue as shown ("NeurIPS 2022"), or ""."""
    tags: tuple[str, ...]
    """Tags as written."""
    abstract: str
    """The abstract, or ""."""
    body: str
    """Plain text of the rendered note (``RenderedBody.text``), markup cleaned away."""
    headings: str = ""
    """The body's section headings, one per line (indexed, not stored: the body holds them)."""
    arxiv: str = ""
    """The note's arXiv id as written, or "" (indexed as an id term, not stored)."""
    doi: str = ""
    """The note's DOI as written, or "" (indexed as an id term, not stored)."""

    @classmethod
    def of_note(cls, note: Note, body_text: str) -> SearchDoc:
        """What the search page knows of ``note``, whose rendered plain text is ``body_text``."""
        from papernotes.model import people_text  # here: a quick edit imports no model (~8 ms)

        meta = note.meta
        return cls(
            key=meta.key,
            path=urls.paper_page(meta.key),
            title=meta.heading,
            authors=people_text(meta.authors or meta.editors),
            year=meta.year if meta.year is not None else meta.year_label,
            venue=meta.venue or "",
            tags=meta.tags,
            abstract=clean_text(meta.abstract or ""),
            body=clean_text(body_text),
            headings="\n".join(clean_text(h.text) for h in note.body.headings),
            arxiv=meta.arxiv or "",
            doi=meta.doi or "",
        )


def id_term(kind: str, value: str) -> str:
    """The id term of ``value`` (already folded), as search.js makes it (``idTerm``).

    >>> id_term("arxiv", "1706.03762")
    '@62:arxiv:1706.03762'
    """
    return f"{ID_MARK}{value[-2:]}:{kind}:{value}"


def id_terms(key: str, arxiv: str | None, doi: str | None) -> tuple[str, ...]:
    """The id terms of a note: its citekey, arXiv id (without version; also the one an arXiv
    DOI names) and DOI, lower-cased as search.js folds a query's (``idTerms``)."""
    from papernotes import ids  # here: its patterns are a cost a quick edit need not pay

    out = [id_term("key", key.lower())]
    doi_id = ids.arxiv_of_doi(doi) if doi else None
    for found in (ids.parse_arxiv(arxiv) if arxiv else None, doi_id):
        if found is not None and id_term("arxiv", found.base.lower()) not in out:
            out.append(id_term("arxiv", found.base.lower()))
    if doi:
        out.append(id_term("doi", doi.strip().lower()))
    return tuple(out)


class Posting(NamedTuple):
    """One term in one note."""

    doc: int
    """Index of the note in :attr:`SearchIndex.docs`."""
    fields: int
    """Short fields holding the term: a mask of ``FIELD_*`` bits."""
    body_tf: int
    """Occurrences in the body, capped at 15; 0 when only short fields hold the term."""


class SearchIndex(NamedTuple):
    """The inverted index of a set of notes."""

    docs: tuple[SearchDoc, ...]
    """Notes in a fixed order (by path unless told), so ids do not depend on the caller's."""
    lengths: tuple[int, ...]
    """Body length of each note in tokens, for BM25's length normalisation."""
    terms: tuple[str, ...]
    """Every term, sorted by UTF-16 code units: the order JavaScript's ``<`` compares in, which
    binary search in the browser relies on (code point order differs beyond U+FFFF)."""
    postings: tuple[str, ...]
    """Postings of ``terms[i]`` by ascending note, encoded (:func:`encode_postings`)."""


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be", "surrogatepass")


def _meta_text(doc: SearchDoc) -> str:
    return " ".join((*doc.tags, doc.venue, str(doc.year), doc.key))


DocTerms = tuple[int, dict[str, int]]
"""A note's body length in tokens and its terms → ``fields << 4 | body_tf``."""


def interned(terms: DocTerms) -> DocTerms:
    """``terms`` with each term the process's one shared copy (``sys.intern``): terms arrive
    from workers and the cache as strings of their own, thousands of copies of each."""
    count, tf = terms
    return count, {sys.intern(t): c for t, c in tf.items()}


def doc_terms(doc: SearchDoc, folds: Any = None) -> DocTerms:
    """Tokenise one note: what an incremental build caches per note."""
    folds = folds if folds is not None else new_folds()
    body = tokenize(doc.body, folds)
    packed = dict(Counter(body))  # then capped: a min() per term was a third of the counting
    packed.update([(t, _TF_CAP) for t, c in packed.items() if c > _TF_CAP])
    short = (
        (FIELD_TITLE, doc.title),
        (FIELD_AUTHORS, doc.authors),
        (FIELD_META, _meta_text(doc)),
        (FIELD_ABSTRACT, doc.abstract),
        (FIELD_HEADING, doc.headings),
    )
    for bit, text in short:
        for term in tokenize(text, folds):
            packed[term] = packed.get(term, 0) | bit << 4
    # A key that is one word as typed is found as that word, its posting marked as the key's;
    # only a key the tokenizer splits or folds needs an id term of its own.
    plain_key = tokenize(doc.key, folds) == [doc.key.lower()]
    if plain_key:
        packed[doc.key.lower()] |= FIELD_KEY << 4
    for term in id_terms(doc.key, doc.arxiv, doc.doi)[1 if plain_key else 0 :]:
        packed[term] = FIELD_ID << 4
    return len(body), packed


def _by_path(doc: SearchDoc) -> tuple[str, str]:
    return (doc.path, doc.key)


def build_index(
    docs: Iterable[SearchDoc],
    *,
    terms_of: Callable[[SearchDoc], DocTerms] | None = None,
    order: Callable[[SearchDoc], Any] = _by_path,
) -> SearchIndex:
    """Index titles, authors, meta fields, abstracts and bodies of ``docs``, numbered in
    ``order`` (by path unless told).

    ``terms_of`` may supply each note's terms (from a cache); by default they are computed.
    """
    ordered = tuple(sorted(docs, key=order))
    folds = new_folds()
    # term → [its postings as VLQ digits, the last note in them], encoded as found (~2 bytes
    # each; held as numbers to the end, 16 bytes each, ~13 million at 50,000 notes).
    found: dict[str, list[Any]] = {}
    lengths: list[int] = []
    digits, known = _DIGITS, len(_DIGITS)
    for doc_id, doc in enumerate(ordered):
        length, packed = terms_of(doc) if terms_of is not None else doc_terms(doc, folds)
        lengths.append(length)
        for term, value in packed.items():
            entry = found.get(term)
            if entry is None:
                found[term] = entry = [bytearray(), -1]
            gap, entry[1] = doc_id - entry[1] - 1, doc_id
            encoded = entry[0]
            encoded += digits[gap] if gap < known else _vlq(gap)
            encoded += digits[value] if value < known else _vlq(value)
    terms = tuple(sorted(found, key=_utf16))
    return SearchIndex(ordered, tuple(lengths), terms, tuple(found[t][0].decode() for t in terms))


def _encode(postings: Iterable[tuple[int, int]]) -> str:
    numbers: list[int] = []
    previous = -1
    for doc, value in postings:
        numbers += (doc - previous - 1, value)
        previous = doc
    return vlq_numbers(numbers)


def encode_pairs(postings: Iterable[tuple[int, int]]) -> str:
    """Postings given as ``(note, fields << 4 | body_tf)`` pairs, encoded as
    :func:`encode_postings` does."""
    return _encode(postings)


def read_vlq(encoded: str, what: str = "numbers") -> list[int]:
    """The inverse of :func:`vlq_numbers`; ValueError when ``encoded`` is not such numbers
    (``what`` names them in the message)."""
    numbers: list[int] = []
    value = shift = 0
    for ch in encoded:
        digit = _VLQ_VALUE.get(ch)
        if digit is None:
            raise ValueError(f"not a VLQ digit: {ch!r}")
        value |= (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        numbers.append(value)
        value = shift = 0
    if shift:
        raise ValueError(f"{what} cut short")
    return numbers


def decode_pairs(encoded: str) -> list[tuple[int, int]]:
    """The inverse of :func:`encode_pairs`; ValueError when ``encoded`` is not postings."""
    numbers = read_vlq(encoded, "postings")
    if len(numbers) % 2:
        raise ValueError("postings cut short")
    out: list[tuple[int, int]] = []
    doc = -1
    for gap, packed in zip(numbers[::2], numbers[1::2], strict=True):
        doc += gap + 1
        out.append((doc, packed))
    return out


def vlq_numbers(numbers: Iterable[int]) -> str:
    """Non-negative numbers as base-64 VLQ digits, as postings are encoded."""
    out: list[str] = []
    for number in numbers:
        while number >= 32:
            out.append(_VLQ[32 | number & 31])
            number >>= 5
        out.append(_VLQ[number])
    return "".join(out)


def _vlq(number: int) -> bytes:
    return vlq_numbers((number,)).encode("ascii")


_DIGITS = tuple(map(_vlq, range(1024)))  # the numbers most gaps and values are: 1-2 digits


def encode_postings(postings: Iterable[Posting]) -> str:
    """Postings as base-64 VLQ digits (5 bits each, the 6th says "more follow"): per posting
    the gap to the previous note (0 when adjacent), then ``fields << 4 | body_tf``. In the
    common case each is one digit."""
    return _encode((p.doc, p.fields << 4 | p.body_tf) for p in postings)


def decode_postings(encoded: str) -> tuple[Posting, ...]:
    """The inverse of :func:`encode_postings` (search.js has its own copy)."""
    return tuple(Posting(doc, packed >> 4, packed & 15) for doc, packed in decode_pairs(encoded))


def index_data(index: SearchIndex, *, max_body_chars: int = MAX_BODY_CHARS) -> dict[str, object]:
    """The index as JSON-ready data: the shape search.js reads.

    Terms and postings are each one space-separated string (neither ever contains a space):
    a string per term would cost two quotes and a comma each, a third of a CJK bigram's size.
    """
    return {
        "format": INDEX_FORMAT,
        "fields": ["key", "path", "title", "authors", "year", "venue", "tags", "abstract", "body"],
        "docs": [
            [
                *(d.key, d.path, d.title, d.authors, d.year, d.venue, list(d.tags)),
                *(d.abstract, d.body[:max_body_chars]),
            ]
            for d in index.docs
        ],
        "lengths": list(index.lengths),
        "terms": " ".join(index.terms),
        "postings": " ".join(index.postings),
    }


def search_index_js(
    docs: Sequence[SearchDoc],
    *,
    max_body_chars: int = MAX_BODY_CHARS,
    terms_of: Callable[[SearchDoc], DocTerms] | None = None,
) -> str:
    """The contents of ``static/search-index.js``: ``window.PAPERNOTES_SEARCH = {…};``.

    Deterministic: the same notes give the same bytes whatever order they come in.
    """
    data = index_data(build_index(docs, terms_of=terms_of), max_body_chars=max_body_chars)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Valid JSON, but older JavaScript engines end a string literal at these two characters.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.PAPERNOTES_SEARCH={text};\n"

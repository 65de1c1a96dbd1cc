"""Client-side search and browsing: the index (``index``), split into the files ``search.js``
loads a few of (``shards``), the text folding and tokenising it shares with the browser
(``text``), and the home table's data for ``table.js`` (``table``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.search.index import (
        INDEX_FORMAT,
        DocTerms,
        Posting,
        SearchDoc,
        SearchIndex,
        build_index,
        decode_postings,
        doc_terms,
        encode_postings,
        index_data,
        search_index_js,
    )
    from papernotes.search.shards import SearchFile, search_files, shard_of
    from papernotes.search.table import library_data_js
    from papernotes.search.text import new_folds, normalize, tokenize

__all__ = [
    "INDEX_FORMAT",
    "DocTerms",
    "Posting",
    "SearchDoc",
    "SearchFile",
    "SearchIndex",
    "build_index",
    "decode_postings",
    "doc_terms",
    "encode_postings",
    "index_data",
    "library_data_js",
    "new_folds",
    "normalize",
    "search_files",
    "search_index_js",
    "shard_of",
    "tokenize",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "index": (
                "DocTerms",
                "INDEX_FORMAT",
                "Posting",
                "SearchDoc",
                "SearchIndex",
                "build_index",
                "decode_postings",
                "doc_terms",
                "encode_postings",
                "index_data",
                "search_index_js",
            ),
            "shards": ("SearchFile", "search_files", "shard_of"),
            "table": ("library_data_js",),
            "text": ("new_folds", "normalize", "tokenize"),
        },
    )

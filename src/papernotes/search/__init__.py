"""Client-side search: the index written for ``search.js`` (``index``) and the text folding
and tokenising it shares with the browser (``text``).
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
    from papernotes.search.text import new_folds, normalize, tokenize

__all__ = [
    "INDEX_FORMAT",
    "DocTerms",
    "Posting",
    "SearchDoc",
    "SearchIndex",
    "build_index",
    "decode_postings",
    "doc_terms",
    "encode_postings",
    "index_data",
    "new_folds",
    "normalize",
    "search_index_js",
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
            "text": ("new_folds", "normalize", "tokenize"),
        },
    )

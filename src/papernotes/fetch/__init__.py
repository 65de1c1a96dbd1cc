"""Everything that talks to the network: the HTTP client with its cache, retries and rate
limits (``http``, ``cache``, ``limits``), the address guard (``netguard``), the metadata
services (``arxiv``, ``crossref``, ``s2``), paper identifiers (``ids``) and ``linkcheck``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.fetch.arxiv import ArxivRecord, fetch_arxiv, parse_feed, query_url
    from papernotes.fetch.cache import CACHE_DIR, Answer, ResponseCache
    from papernotes.fetch.crossref import (
        Name,
        UnknownDOI,
        Work,
        fetch_work,
        parse_crossref,
        parse_csl,
    )
    from papernotes.fetch.http import (
        FetchError,
        Http,
        Policy,
        RateLimiter,
        load_json,
        make_client,
        retry_after_seconds,
        user_agent,
    )
    from papernotes.fetch.ids import PaperRef, anthology_doi, parse_ref, split_arxiv_version
    from papernotes.fetch.linkcheck import LinkResult, run_checks
    from papernotes.fetch.netguard import (
        AddressPolicy,
        Refused,
        address_problem,
        guarded_transport,
        system_resolver,
    )
    from papernotes.fetch.s2 import fetch_paper, fetch_references, paper_id

__all__ = [
    "CACHE_DIR",
    "AddressPolicy",
    "Answer",
    "ArxivRecord",
    "FetchError",
    "Http",
    "LinkResult",
    "Name",
    "PaperRef",
    "Policy",
    "RateLimiter",
    "Refused",
    "ResponseCache",
    "UnknownDOI",
    "Work",
    "address_problem",
    "anthology_doi",
    "fetch_arxiv",
    "fetch_paper",
    "fetch_references",
    "fetch_work",
    "guarded_transport",
    "load_json",
    "make_client",
    "paper_id",
    "parse_crossref",
    "parse_csl",
    "parse_feed",
    "parse_ref",
    "query_url",
    "retry_after_seconds",
    "run_checks",
    "split_arxiv_version",
    "system_resolver",
    "user_agent",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "arxiv": ("ArxivRecord", "fetch_arxiv", "parse_feed", "query_url"),
            "cache": ("CACHE_DIR", "Answer", "ResponseCache"),
            "crossref": ("Name", "UnknownDOI", "Work", "fetch_work", "parse_crossref", "parse_csl"),
            "http": (
                "FetchError",
                "Http",
                "Policy",
                "RateLimiter",
                "load_json",
                "make_client",
                "retry_after_seconds",
                "user_agent",
            ),
            "ids": ("PaperRef", "anthology_doi", "parse_ref", "split_arxiv_version"),
            "linkcheck": ("LinkResult", "run_checks"),
            "netguard": (
                "AddressPolicy",
                "Refused",
                "address_problem",
                "guarded_transport",
                "system_resolver",
            ),
            "s2": ("fetch_paper", "fetch_references", "paper_id"),
        },
    )

"""What makes a rebuild cheap: the build cache of parsed notes and rendered pages
(``cache``), stored as an index and an entry per note in a few bucket files (``store``), its
pickle-free serialisation (``codec``), the no-op check that answers ``papernotes build`` from
the cache's manifest without importing the pipeline (``fastpath``), and what ``serve`` keeps
in memory between saves (``session``).
"""

from __future__ import annotations

from papernotes._lazy import lazy_exports

TYPE_CHECKING = False  # not typing's: a no-op build does without importing it

if TYPE_CHECKING:
    from papernotes.incremental.cache import (
        CACHE_DIR,
        BuildBusy,
        BuildCache,
        build_lock,
        clear_cache,
        digest,
        load_cache,
        save_cache,
        text_digest,
    )
    from papernotes.incremental.codec import Codec
    from papernotes.incremental.fastpath import diagnostics_to_json, up_to_date
    from papernotes.incremental.session import Session

__all__ = [
    "CACHE_DIR",
    "BuildBusy",
    "BuildCache",
    "Codec",
    "Session",
    "build_lock",
    "clear_cache",
    "diagnostics_to_json",
    "digest",
    "load_cache",
    "save_cache",
    "text_digest",
    "up_to_date",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "cache": (
                "BuildBusy",
                "BuildCache",
                "CACHE_DIR",
                "build_lock",
                "clear_cache",
                "digest",
                "load_cache",
                "save_cache",
                "text_digest",
            ),
            "codec": ("Codec",),
            "fastpath": ("diagnostics_to_json", "up_to_date"),
            "session": ("Session",),
        },
    )

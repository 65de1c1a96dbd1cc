"""What kind of URL a link names: a path next to the note, one from the notes folder's root,
or anything else (a web address, a fragment, a query), which is left as written."""

from __future__ import annotations

from papernotes._lazy import lazy_pattern

__all__ = ["is_local_url", "is_root_url"]

_SCHEME = lazy_pattern(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def is_local_url(url: str) -> bool:
    """A relative path: no scheme, and not ``#frag``, ``/abs``, ``//host`` or ``?query``."""
    return bool(url) and url[0] not in "#/?" and _SCHEME().match(url) is None


def is_root_url(url: str) -> bool:
    """A root-absolute path (``/attachments/x.png``, as Quartz and Hugo write them), read
    against the notes folder; not ``//host``."""
    return url.startswith("/") and not url.startswith("//")

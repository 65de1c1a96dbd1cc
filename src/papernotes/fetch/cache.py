"""Answers as the parsers see them, and the on-disk cache that keeps them between runs.

The cache is state a library carries around (and might receive from someone else), so it is
read as untrusted input: only regular files at ``folder/<2 hex>/<sha256>.json`` are read,
never through a symbolic link, never past a size bound, and only when the record is the one
asked for; anything else is ignored and the answer fetched again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from papernotes.atomic import write_atomic

__all__ = ["CACHE_DIR", "Answer", "ResponseCache"]

CACHE_DIR = Path(".papernotes") / "cache" / "http"
"""Where responses are cached, relative to the library root."""

_MAX_CACHE_FILE = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP response, as the parsers see it (live or from the cache)."""

    url: str
    """The URL that was asked for (before redirects)."""
    status: int
    """HTTP status code."""
    text: str
    """The body, decoded."""
    content_type: str = ""
    """The ``Content-Type`` header, if any."""
    from_cache: bool = False
    """Whether this came from the on-disk cache."""


class ResponseCache:
    """Responses on disk, one JSON file per (method, URL, Accept), written atomically.

    Files are read and written only at ``folder/<2 hex>/<sha256>.json``, never through a
    symbolic link, so neither a planted link nor a hostile key leads outside ``folder``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(method: str, url: str, accept: str) -> str:
        """The cache key: a hash of what makes two requests the same request."""
        return hashlib.sha256(f"{method} {url} {accept}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, method: str, url: str, accept: str) -> Answer | None:
        """The cached answer, or None for anything unusable (it is fetched again)."""
        raw = _read_plain_file(self._path(self.key(method, url, accept)))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        if (data.get("method"), data.get("url"), data.get("accept")) != (method, url, accept):
            return None
        status, text, kind = data.get("status"), data.get("text"), data.get("content_type", "")
        if type(status) is not int or not isinstance(text, str) or not isinstance(kind, str):
            return None
        return Answer(url=url, status=status, text=text, content_type=kind, from_cache=True)

    def put(self, method: str, url: str, accept: str, answer: Answer) -> None:
        """Store ``answer``; a reader never sees a half-written file.

        A cache that cannot be written (read-only disk, a planted link) only costs a refetch.
        """
        path = self._path(self.key(method, url, accept))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not stat.S_ISDIR(os.lstat(path.parent).st_mode):
                return
            self._write(path, method, url, accept, answer)
        except OSError:
            return

    @staticmethod
    def _write(path: Path, method: str, url: str, accept: str, answer: Answer) -> None:
        record = {
            "method": method,
            "url": url,
            "accept": accept,
            "status": answer.status,
            "content_type": answer.content_type,
            "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "text": answer.text,
        }
        write_atomic(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))


def _read_plain_file(path: Path) -> str | None:
    """The text of ``path`` if it is a regular file in a real folder and of sane size."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        if not stat.S_ISDIR(os.lstat(path.parent).st_mode):
            return None
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_CACHE_FILE:
                return None
            return f.read(_MAX_CACHE_FILE + 1).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

"""Which files under the notes folder are neither notes nor published: the ``exclude`` option.

Patterns are gitignore-style, relative to the notes folder: ``templates/`` (a folder of that
name at any depth), ``/drafts/*.md`` or ``drafts/*.md`` (anchored, since it holds a ``/``),
``**/*.excalidraw.md`` (any depth), ``private/**`` (everything below), ``!keep.md`` (take a
file back; the last pattern that matches decides). The stdlib is enough for this much of
gitignore, so no dependency is taken. Build, check, serve's watcher and migrate all ask
:func:`excluded`, so one rule decides everywhere.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Collection
from typing import NamedTuple

from papernotes.errors import Diagnostic, Location, Severity

__all__ = [
    "DEFAULT_EXCLUDE",
    "Exclude",
    "excluded",
    "excluded_names",
    "matching",
    "to_excluded",
]

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "templates/",
    "private/",
    "**/*.excalidraw.md",
    ".obsidian/",
    ".trash/",
)
"""What a library without an ``exclude`` key leaves out, as Quartz's ``ignorePatterns`` does
(``private``, ``templates``, ``.obsidian``), plus Obsidian's Excalidraw drawings (Markdown
files that hold a drawing's JSON, not a note) and Obsidian's ``.trash``."""


class Exclude(NamedTuple):
    """The patterns in force for one library."""

    patterns: tuple[str, ...] = DEFAULT_EXCLUDE
    """gitignore-style patterns, relative to the notes folder."""
    default: bool = True
    """Whether these are the defaults (the library has no ``exclude`` key), which a build
    says once so the user knows how to publish those files after all."""


# Memoised: a walk asks for every pattern once per file (5,000 translations at 1,000 notes).
@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> tuple[re.Pattern[str], bool, bool]:
    """The pattern as a regex over a relative path, whether it takes files back (``!``), and
    whether it matches folders only (a trailing ``/``)."""
    negate = pattern.startswith("!")
    body = pattern[1:] if negate else pattern
    dir_only = body.endswith("/")
    body = body.rstrip("/")
    # As in gitignore, a pattern holding a "/" (other than at its end) is anchored at the
    # notes folder; one without matches a name at any depth.
    anchored = "/" in body
    body = body.lstrip("/")
    out = [] if anchored else ["(?:.*/)?"]
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[" and (end := body.find("]", i + 2)) != -1:
            inner = body[i + 1 : end].replace("\\", "\\\\")
            out.append(f"[^{inner[1:]}]" if inner[:1] in "!^" and inner else f"[{inner}]")
            i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    return re.compile("".join(out)), negate, dir_only


def excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``rel`` (a file relative to the notes folder, with ``/``) is excluded."""
    return matching(rel, patterns) is not None


def matching(rel: str, patterns: tuple[str, ...]) -> str | None:
    """The pattern that excludes ``rel``, or None: a pattern matches the file itself or any
    folder it is in, and the last pattern that matches decides (a ``!`` one takes it back)."""
    parts = rel.strip("/").split("/")
    result: str | None = None
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern or pattern.startswith("#"):
            continue
        regex, negate, dir_only = _compile(pattern)
        for n in range(1, len(parts) + 1):
            if dir_only and n == len(parts):  # "templates/" never names a file
                break
            if regex.fullmatch("/".join(parts[:n])):
                result = None if negate else pattern
                break
    return result


def excluded_names(excluded: Collection[str]) -> dict[str, str]:
    """Excluded files by the names a wikilink or embed calls them (folded as link targets
    are): the file name, and a note's name and path without ``.md`` (``Drawing.excalidraw``
    for ``Drawing.excalidraw.md``)."""
    from papernotes.model import fold_target  # only the link stage needs it

    names: dict[str, str] = {}
    for rel in sorted(excluded):
        base = posixpath.basename(rel)
        names.setdefault(fold_target(base), rel)
        if base.lower().endswith(".md"):
            names.setdefault(fold_target(base[:-3]), rel)
            names.setdefault(fold_target(rel[:-3]), rel)
    return names


def to_excluded(link: str, rel: str, where: Location, papers_dir: str) -> Diagnostic:
    """The warning for a link (or embed) to an excluded file: it is there, but not published."""
    return Diagnostic(
        Severity.WARNING,
        where,
        f"{link} names {papers_dir}/{rel}, an excluded file: not published",
        "remove the link, or change the exclude option to publish the file",
    )

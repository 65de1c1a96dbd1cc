"""What other note-taking tools write in front matter, and how papernotes reads it.

Obsidian (with the Zotero Integration plugin), Dendron, Quartz and Hugo notes build as they
are: their spellings of our keys are read (:data:`papernotes.schema.ALIASES`, reported once
per library by :func:`fold_aliases`), Zotero item types become BibTeX types
(:data:`ZOTERO_TYPES`), and an id a tool generated is not taken for a citekey
(:func:`machine_id`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from papernotes.errors import Diagnostic

__all__ = ["ZOTERO_TYPES", "alias_message", "fold_aliases", "machine_id"]

ZOTERO_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "journalarticle": "article",
        "magazinearticle": "article",
        "newspaperarticle": "article",
        "conferencepaper": "inproceedings",
        "booksection": "incollection",
        "encyclopediaarticle": "incollection",
        "dictionaryentry": "incollection",
        "preprint": "misc",
        "manuscript": "unpublished",
        "webpage": "misc",
        "blogpost": "misc",
        "forumpost": "misc",
        "computerprogram": "software",
        "presentation": "misc",
        "document": "misc",
        "standard": "misc",
    }
)
"""Zotero item types (lowercased) that are not BibTeX types → the type Better BibTeX exports
them as. ``book``, ``thesis``, ``report``, ``patent`` and ``dataset`` are already BibTeX or
biblatex types and are kept as written."""

# Dendron (and nanoid in general) makes ids of lowercase letters and digits, 23 long today
# and 20–32 in older vaults; with Dendron's ``created``/``updated`` epoch-millisecond stamps
# beside it such an id is the tool's, not a citekey. A UUID is never a citekey either.
# Dendron's ids: 23 lowercase letters and digits now, a 21-character nanoid (any case, ``_``,
# ``-``) before 2022; a citekey in the author-year-title form is never one of them.
_MACHINE_ID = re.compile(
    r"(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9_-]{20,32}|(?=[\w-]*[A-Z])(?=[\w-]*[a-z])[\w-]{21}"
)
_CITEKEY_LIKE = re.compile(r"[A-Za-z]+[_:-]?\d{4}[A-Za-z_:-]*")
# A UUID, or one a character short, as some of Dendron's own notes have.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{11,12}", re.I)
_EPOCH_MS_SINCE_2001 = 978_307_200_000
_STAMPS = ("created", "updated")

# The two per-note alias warnings parse writes: the spelling read, or ignored beside ours.
_MADE_BY = re.compile(r'id: ".*" was made by (?P<tool>[^;]+); the file name is the citekey')
_ALIAS_READ = re.compile(
    r"(?P<alias>[^:]+): (?P<what>read as|ignored: it means) '(?P<key>[a-z]+)'.*"
)


def machine_id(key: str, fields: Mapping[str, Any]) -> str | None:
    """Which tool made ``key`` (``"Dendron"``, ``"a UUID generator"``), or None for a
    citekey a person (or Better BibTeX) chose; ``fields`` are the note's other values."""
    if _UUID.fullmatch(key):
        return "a UUID generator"
    stamped = any(
        isinstance(v, int) and not isinstance(v, bool) and v > _EPOCH_MS_SINCE_2001
        for v in (fields.get(s) for s in _STAMPS)
    )
    machine = _MACHINE_ID.fullmatch(key) and not _CITEKEY_LIKE.fullmatch(key)
    return "Dendron" if stamped and machine else None


def alias_message(alias: str, key: str) -> str:
    """The warning that ``alias`` was read as ``key`` (:func:`fold_aliases` recognises it)."""
    return f"{alias}: read as '{key}'"


def _fold_key(message: str) -> tuple[str, str] | None:
    """What a warning said once per library is about: an alias, or a tool's ids."""
    if (m := _ALIAS_READ.fullmatch(message)) is not None:
        return (m["alias"], m["what"] + m["key"])
    if (m := _MADE_BY.fullmatch(message)) is not None:
        return ("id", m["tool"])
    return None


def fold_aliases(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """``diags`` with each alias warning (read, or ignored beside our spelling), and each
    tool's machine-made ids, kept once per library: the first note is named, with how many
    other notes do the same; other diagnostics unchanged."""
    seen: dict[tuple[str, str], int] = {}
    out: list[Diagnostic] = []
    counts: dict[int, int] = {}
    for d in diags:
        spelling = _fold_key(d.message)
        if spelling is None:
            out.append(d)
            continue
        if spelling in seen:
            counts[seen[spelling]] += 1
            continue
        seen[spelling] = len(out)
        counts[len(out)] = 0
        out.append(d)
    for i, n in counts.items():
        if n:
            d = out[i]
            other = "note" if n == 1 else "notes"
            message = f"{d.message} (also in {n} other {other})"
            out[i] = Diagnostic(d.severity, d.where, message, d.hint)
    return out

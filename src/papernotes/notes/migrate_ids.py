"""Ids a migrated note must write because the library gives it one from its path.

A note with no ``id:`` is cited by its file name; when several notes share that name
(``Overview.md`` in four folders of a vault), the build names each by its path instead
(:func:`papernotes.link.link`, with a warning ``--strict`` fails on). ``migrate`` writes that
id down, so the migrated library builds under ``--strict`` and the pages keep their address.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Mapping

from markdown_it import MarkdownIt

from papernotes.ids import key_problem, suggest_key
from papernotes.parse import parse_note

__all__ = ["path_ids"]


def path_ids(
    texts: Mapping[str, str], notes_dir: str, md: MarkdownIt, keys: Mapping[str, str]
) -> dict[str, str]:
    """The id each note in ``texts`` (path → text, paths under ``notes_dir``) gets from its
    path, for the notes whose file-name id another note has too; the others are left out."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for path, text in texts.items():
        note, _ = parse_note(path, text, md, keys, drafts=True)
        if note is not None and "id" not in note.locations:
            by_key[note.key.casefold()].append(path)
    out: dict[str, str] = {}
    for paths in by_key.values():
        if len(paths) < 2:
            continue
        for path in paths:
            rel = posixpath.relpath(path, notes_dir) if notes_dir else path
            key = suggest_key(posixpath.splitext(rel)[0])
            if key and not key_problem(key):
                out[path] = key
    return out

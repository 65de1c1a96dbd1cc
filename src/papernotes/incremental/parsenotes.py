"""Stage 2 over the cache: parse the notes whose text changed since the last build.

A cold build (no last build, no ``serve`` memo) moves each body's packed text and template
to the build's spool as it arrives from its worker (``incremental.spoolbody``): the build's
process never holds them all.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from papernotes.incremental import cache

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from papernotes import load
    from papernotes.errors import Diagnostic
    from papernotes.incremental.cache import BuildCache, NoteEntry
    from papernotes.incremental.highlights import Parsed
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.incremental.spool import Spool
    from papernotes.model import Note

__all__ = ["parse_notes"]


def parse_notes(
    sources: load.Sources,
    md: MarkdownIt,
    previous: BuildCache | None,
    workers: int,
    keys: tuple[tuple[str, str], ...] = (),
    memo: SaveMemo | None = None,
    spool: Spool | None = None,
) -> tuple[list[Note], list[Diagnostic], dict[str, NoteEntry]]:
    """Stage 2, parsing only the notes whose text changed since ``previous``: the notes, their
    problems, and what the next build may reuse. ``serve`` (a ``memo``) patches its last.
    With a ``spool``, each body's packed text and template go to it as they are parsed."""
    from papernotes import parse
    from papernotes.incremental.highlights import parse_again
    from papernotes.incremental.parallel import OWN_ITEMS_LIFE
    from papernotes.incremental.reuse import reuse

    if memo is not None:
        from papernotes.incremental.parsememo import parse_saved

        full = partial(parse_notes, sources, md, previous, workers, keys)
        return parse_saved(memo, sources.notes, full, md, keys)
    old = {p: (sha, (n, ds)) for p, (sha, n, ds) in previous.notes.items()} if previous else {}
    parsed = reuse(
        {s.path: (s.digest or cache.text_digest(s.text), s) for s in sources.notes},
        old,
        parse_again(md, previous, dict(keys)),  # Pygments only for code that changed
        workers=workers,
        own=None if spool is None else partial(_spooled, spool),
        life=OWN_ITEMS_LIFE,  # a note parsed reads its own text alone
    )
    notes = [note for _, (note, _) in parsed.values() if note is not None]
    diags = parse.fold_aliases(d for _, (_, ds) in parsed.values() for d in ds)
    entries = {p: (sha, n, ds) for p, (sha, (n, ds)) in parsed.items()}
    return notes, diags, entries


def _spooled(spool: Spool, parsed: Parsed) -> Parsed:
    """``parsed`` with its note's packed text and template in ``spool``."""
    from dataclasses import replace

    from papernotes.incremental.spoolbody import spooled_body

    note, diags = parsed
    if note is None:
        return parsed
    return replace(note, body=spooled_body(note.body, spool)), diags

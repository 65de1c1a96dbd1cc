"""Which sections of other notes each note links to, kept in the summary for the next build.

A link preview card shows the first paragraph of each section other notes link to in it
(``preview.linked_sections``), which is found in the bodies of the notes that link: every
note's body was read (decoded from the cache) by an edit build for that alone, ~150 ms at
1,000 notes. The summary keeps, per note, the (note, ``#fragment``) pairs it links to, and the
next build takes them where the note's text is the same and the names links resolve by are
(:func:`names_digest`: the keys, aliases, note files and other files); the others are
found in their bodies, as ``preview`` finds them.

The rows are untrusted input like the rest of the summary: a row is used only for a note whose
file and text digest the summary names, and only if every note it names is in the library.
At worst a crafted row shows a stale section on a preview card.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from papernotes import preview
from papernotes.incremental.cache import digest

if TYPE_CHECKING:
    from papernotes.incremental.summary import PlanSummary
    from papernotes.model import CiteKey, Library

__all__ = ["Pairs", "names_digest", "section_links"]

Pairs = tuple[tuple["CiteKey", str], ...]
"""The (note, ``#fragment``) pairs a note links to, in the order its body has them."""


def names_digest(library: Library, papers_dir: str) -> str:
    """What a body's fingerprint depends on besides the note: every note's key, heading and
    tags, the labels, the aliases, the note files and the other files (``serve``'s
    ``fingerprints.library_token`` compares the same, as objects)."""
    heads = [(n.meta.heading, n.meta.tags) for n in library.notes.values()]
    of = (library.labels, library.aliases, library.sources, library.files)
    return digest("names", papers_dir, tuple(library.notes), heads, *of)


def section_links(
    library: Library, last: PlanSummary | None, still: Mapping[str, int]
) -> tuple[dict[CiteKey, set[str]], dict[CiteKey, Pairs], int]:
    """``preview.linked_sections(library)``, each note's pairs (for the next summary), and
    how many notes' bodies were read for them. ``last``: the last build's summary when the
    names are the same (else None: every body is read); ``still``: the notes whose file and
    text are the same → their place in it."""
    rel_of = {key: rel for rel, key in library.sources.items()}
    linked: dict[CiteKey, set[str]] = defaultdict(set)
    pairs: dict[CiteKey, Pairs] = {}
    read = 0
    for key, note in library.notes.items():
        i = still.get(key) if last is not None else None
        found = _stored(last, i, library) if i is not None and last is not None else None
        if found is None:
            found = preview._sections_named(library, note, rel_of.get(key, ""))
            read += 1
        pairs[key] = found
        for target, fragment in found:
            linked[target].add(fragment)
    return linked, pairs, read


def _stored(last: PlanSummary, i: int, library: Library) -> Pairs | None:
    """Note ``i``'s pairs as ``last`` keeps them, if every note they name is in ``library``."""
    ends = last.out_ends
    start, end = ends[i - 1] if i else 0, ends[i]
    targets = last.out_targets[start:end]
    if not all(t in library.notes for t in targets):
        return None
    return tuple(zip(targets, last.out_fragments[start:end], strict=True))

"""The version of each entry of the build cache: what a save compares with the version on disk
to know which entries (and so which bucket files) to write (``incremental.store``).

An entry's version is a digest of its note file's path, the note's text digest and the
fingerprint of each of its parts. At 50,000 notes, making them is a tenth of a second at C
speed: ``serve`` asks whether to give up the save (a change came) every :data:`STEP`
entries, so a save waits for no more than a few milliseconds of it.
"""

from __future__ import annotations

from itertools import islice
from operator import itemgetter

from papernotes.incremental import heads
from papernotes.incremental.cache import BuildCache, digest
from papernotes.incremental.deferred import STEP, GiveUp, give_up_if
from papernotes.incremental.lazy import fingerprint_reader

__all__ = ["ATTRS", "marks", "versions"]

ATTRS = ("bodies", "terms", "refs", "docs")
"""The fields of ``BuildCache`` that hold the parts, in the order of ``entryfile.PARTS``."""


def marks(cache: BuildCache, give_up: GiveUp = None) -> dict[str, tuple[str | None, ...]]:
    """What each entry's version is the digest of (with its path): the note's text digest and
    the fingerprint of each of its parts (None: it has none). A part at a time, at C speed
    where its fingerprints are a map (a call per entry and part was a third of persisting a
    save at 5,000 notes), :data:`STEP` entries between two questions to ``give_up``."""
    entries = cache.notes.values()
    keys = [None if entry[1] is None else entry[1].key for entry in entries]
    columns = []
    for attr in ATTRS:  # each part's map of fingerprints made first: ~20 ms at 50,000 notes
        give_up_if(give_up)
        columns.append(map(fingerprint_reader(getattr(cache, attr)), keys))
    digests = map(itemgetter(0), entries)
    made = zip(cache.notes, zip(digests, *columns, strict=True), strict=True)
    out: dict[str, tuple[str | None, ...]] = {}
    for _ in range(0, len(keys), STEP):
        give_up_if(give_up)
        out.update(islice(made, STEP))
    return out


def versions(
    cache: BuildCache,
    marks: dict[str, tuple[str | None, ...]],
    give_up: GiveUp = None,
) -> dict[str, str]:
    """The version of every entry (made from ``marks``): the one stored where it was made
    from the same, else a digest (10,000 of them were a quarter of a save at 10,000 notes)."""
    stored = cache.stored
    last = stored.marks if isinstance(stored, heads.OnDisk) else {}
    out: dict[str, str] = {}
    for i, (path, made) in enumerate(marks.items()):
        if not i % STEP:
            give_up_if(give_up)
        kept = stored.get(path)
        out[path] = kept if kept is not None and last.get(path) == made else digest(path, *made)
    return out

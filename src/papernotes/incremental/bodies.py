"""Stage 3's first half: each note's rendered body and its search document.

Three ways to the same values, by what the build has at hand: ``serve`` patches the last
save's at the notes whose body fingerprints moved (``searchpatch``); a build with a cache
takes the unchanged ones from it (``reuse``); a cold build has each body packed where it is
rendered (``packed.render_packed``), and its search document made there too, so the parent
never holds every rendered body at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from papernotes.incremental.packed import pack_bodies, render_packed
from papernotes.incremental.reuse import reuse
from papernotes.incremental.searchstate import DocEntry, search_docs

if TYPE_CHECKING:
    from papernotes.incremental.cache import BuildCache
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.incremental.spool import Spool
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import Library, Note
    from papernotes.search.index import DocTerms
    from papernotes.sitejobs import Progress

__all__ = ["MEANWHILE_UP_TO", "BodiesAndDocs", "bodies_and_docs"]

MEANWHILE_UP_TO = 3_300
"""The most notes for which a cold build takes its ``meanwhile`` steps while the workers
render the bodies; in a larger library they are left to the caller, after the pool. A step
reads every note (its backlinks, the link previews), and each reference count it writes
copies the page holding it in the parent, leaving each worker forked before it a private
copy of the page it inherited. At 50,000 notes the tree's peak while the bodies rendered was
1,530–1,661 MiB with the steps there, each worker holding 180–365 MiB of its own, and
1,056 MiB without them (70–84 MiB each; ``benchmarks/memstages.py``); at 5,000, 195–215
against 155–161 MiB. Below this size the pages' stage is the peak whichever way, and the
steps fill time the parent would wait (the size where page workers' lives shorten for the
same reason: ``sitejobs.LIFE_FROM``)."""


class BodiesAndDocs(NamedTuple):
    """What :func:`bodies_and_docs` makes."""

    bodies: Mapping[str, tuple[str, RenderedBody]]
    """Key → (body fingerprint, rendered body)."""
    docs: Mapping[str, tuple[str, DocEntry]]
    """Key → (body fingerprint, (digest, search document))."""
    terms: Mapping[str, tuple[str, DocTerms]] | None = None
    """Key → (document digest, its search terms), when they were made with the bodies."""


def bodies_and_docs(
    library: Library,
    fps: Mapping[str, str],
    render_body: Callable[[Note], RenderedBody],
    *,
    previous: BuildCache | None,
    memo: SaveMemo | None,
    workers: int,
    spool: Spool | None,
    progress: Progress | None = None,
    terms: bool = False,
    meanwhile: Iterator[object] | None = None,
) -> BodiesAndDocs:
    """Each note's (body fingerprint, rendered body) and (body fingerprint, (digest, search
    document)), the bodies rendered over ``workers`` processes when there are many. Outside
    ``serve`` the bodies come back packed (read by their pages, the feed and the cache alone);
    a cold build (no ``previous``, no ``memo``) packs them into ``spool``, and with ``terms``
    makes each document's search terms where its body is rendered (into ``spool`` too), and
    takes steps of ``meanwhile`` while its workers render (``parallel.parallel_iter``) in a library
    of up to :data:`MEANWHILE_UP_TO` notes."""
    notes = library.notes
    if len(notes) > MEANWHILE_UP_TO:  # memory: not while the workers hold the parent's pages
        meanwhile = None
    bodies: Mapping[str, tuple[str, RenderedBody]] | None = None
    docs: Mapping[str, tuple[str, DocEntry]] | None = None  # a cold build's: made with the bodies
    made_terms: Mapping[str, tuple[str, DocTerms]] | None = None
    if memo is not None:  # serve: the last save's, with the bodies whose fingerprints moved
        from papernotes.incremental import searchpatch  # serve's alone

        bodies = searchpatch.served_bodies(memo, notes, fps, previous, render_body)
    if bodies is None:
        paired = zip(map(fps.__getitem__, notes), notes.values(), strict=True)
        wanted: dict[str, tuple[str, Note]] = dict(zip(notes, paired, strict=True))
        if previous is None and memo is None:
            bodies, docs, made_terms = render_packed(
                wanted, render_body, workers, spool, terms=terms, meanwhile=meanwhile
            )
        else:
            bodies = reuse(
                wanted, previous.bodies if previous else {}, render_body, workers=workers
            )
        if memo is not None:  # the next save's to patch
            searchpatch.kept(memo, "bodies", fps, bodies)
    if progress:
        progress("render", len(notes), len(notes))
    if docs is None:
        docs = search_docs(library, bodies, previous.docs if previous else {}, memo, fps)
        if memo is None:  # memory: from here on, read by their pages, the feed and the cache
            bodies = pack_bodies(bodies)  # packed before the terms and references are made
    return BodiesAndDocs(bodies, docs, made_terms)

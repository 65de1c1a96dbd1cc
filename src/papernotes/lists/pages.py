"""The pages reading lists make: one per list, the index of lists, and the to-read queue;
and what a paper page shows of them (its lists, its series strip), as fingerprints.

``plan.plan_site`` turns :func:`list_jobs` into jobs; the commentary is Markdown, rendered
here without raw HTML, its ``[[key]]`` and ``[@key]`` references made links to the papers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from markdown_it import MarkdownIt
from markupsafe import Markup

from papernotes import urls
from papernotes.incremental.cache import digest
from papernotes.lists.link import LinkedList, Memberships
from papernotes.model import CiteKey, Library, Note, Status
from papernotes.paging import Pager, paged

if TYPE_CHECKING:
    from papernotes.render import Output, Renderer

__all__ = [
    "LISTS_INDEX",
    "TO_READ",
    "ListRow",
    "commentary_html",
    "list_jobs",
    "list_page",
    "paper_lists_fingerprint",
    "recently_read",
    "to_read",
]

LISTS_INDEX = "lists/index.html"
"""The index of reading lists (and the way to the to-read page)."""
TO_READ = "to-read.html"
"""Papers whose status is to-read, in the order they were added."""

_REF = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]|\[@([^\];\s]+)\]")


def list_page(slug: str) -> str:
    """Where a reading list's page is."""
    return f"lists/{slug}.html"


class ListRow(NamedTuple):
    """One paper as a list page shows it."""

    note: Note
    """The paper's note."""
    commentary: Markup
    """The reader's commentary, as HTML ("" when none)."""


def _escape_label(text: str) -> str:
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", text)


def commentary_html(text: str, library: Library, page: str) -> Markup:
    """``text`` (Markdown) as HTML for the page at ``page``: raw HTML is shown as text, and
    each reference to a note links to its page (one to nothing is left as its text)."""
    if not text.strip():
        return Markup("")

    def link(m: re.Match[str]) -> str:
        target = (m.group(1) or m.group(3)).strip()
        found = library.resolve(target)
        if not isinstance(found, str):
            return _escape_label(m.group(2) or target)
        shown = m.group(2) or (
            library.labels[found] if m.group(3) else library.notes[found].meta.heading
        )
        return f"[{_escape_label(shown)}](<{urls.relative(page, urls.paper_page(found))}>)"

    md = MarkdownIt("commonmark", {"html": False})
    return Markup(md.render(_REF.sub(link, text)))


def to_read(library: Library) -> tuple[CiteKey, ...]:
    """The papers to read, oldest ``added:`` first (a queue); those with no ``added:`` date
    follow by title. File times are not used: a clone or checkout resets them."""
    never = dt.date.max
    queue = [n for n in library.notes.values() if n.meta.status is Status.TO_READ]
    queue.sort(key=lambda n: (n.meta.added or never, n.meta.heading.casefold(), n.key))
    return tuple(n.key for n in queue)


RECENT = 5
"""Papers in the home page's "recently read" strip."""


def recently_read(library: Library, count: int = RECENT) -> tuple[Note, ...]:
    """The ``count`` papers read last (by ``read:`` date, newest first; then by title)."""
    dated = [n for n in library.notes.values() if n.meta.read is not None]
    dated.sort(key=lambda n: (-(n.meta.read or dt.date.min).toordinal(), n.meta.heading.casefold()))
    return tuple(dated[:count])


def paper_lists_fingerprint(
    memberships: Memberships, key: CiteKey, fps: Mapping[CiteKey, str]
) -> object:
    """What a paper page shows of the lists: each list it is in, and in each series its
    place and its neighbours (their titles)."""
    shown = [(r.slug, r.title) for r in memberships.lists_of(key)]
    if not shown:
        return ()
    places = [
        (p, fps[p.previous] if p.previous else "", fps[p.next] if p.next else "")
        for p in memberships.series_of(key)
    ]
    return (shown, places)


def list_jobs(
    r: Renderer,
    library: Library,
    listing: Callable[[Iterable[CiteKey]], str],
    queue: tuple[CiteKey, ...] | None = None,
) -> list[tuple[str, str, Callable[[], Output]]]:
    """Each page of the lists as (path, fingerprint, make): the index of lists, the to-read
    page, and one page per list. ``listing(keys)`` is the fingerprint of a listing of notes;
    ``queue``, ``to_read(library)`` when the caller kept it (``serve``)."""
    reading = library.reading_lists
    queue = to_read(library) if queue is None else queue
    jobs: list[tuple[str, str, Callable[[], Output]]] = []
    summary = [(x.slug, x.title, x.series, len(x.keys)) for x in reading]
    jobs.append(
        (
            LISTS_INDEX,
            digest("lists", summary, len(queue), listing(())),
            lambda: r.page("lists.html", LISTS_INDEX, lists=reading, to_read_count=len(queue)),
        )
    )
    for path, part, pager in paged(TO_READ, queue):
        jobs.append(
            (
                path,
                digest("to-read", pager, listing(part)),
                _to_read_run(r, path, part, pager),
            )
        )
    for x in reading:
        path = list_page(x.slug)
        # The commentary's references show other notes' titles and labels: all notes named.
        named = sorted({k for s in (x.intro, *_texts(x)) for k in _named(s, library)})
        fp = digest("list", x, listing(x.keys), listing(named))
        jobs.append((path, fp, _list_run(r, library, x, path)))
    return jobs


def _to_read_run(
    r: Renderer, path: str, keys: Sequence[CiteKey], pager: Pager
) -> Callable[[], Output]:
    # The notes looked up only when the page is made: most saves make none of these.
    return lambda: r.page("toread.html", path, notes=r.notes_of(keys), pager=pager)


def _texts(x: LinkedList) -> Iterable[str]:
    for s in x.sections:
        yield s.intro
        yield from (p.commentary for p in s.entries)


def _named(text: str, library: Library) -> Iterable[CiteKey]:
    for m in _REF.finditer(text):
        found = library.resolve((m.group(1) or m.group(3)).strip())
        if isinstance(found, str):
            yield found


def _list_run(r: Renderer, library: Library, x: LinkedList, path: str) -> Callable[[], Output]:
    def run() -> Output:
        sections = [
            (
                s.title,
                commentary_html(s.intro, library, path),
                [
                    ListRow(library.notes[p.key], commentary_html(p.commentary, library, path))
                    for p in s.entries
                ],
            )
            for s in x.sections
        ]
        intro = commentary_html(x.intro, library, path)
        return r.page("list.html", path, reading=x, intro=intro, sections=sections)

    return run

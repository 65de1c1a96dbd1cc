"""What stage 4 made each note's fingerprints from, stored in the cache index for the next build,
so that an edit build (from the command line, without ``serve``'s memory) fingerprints only the
notes the edit touches.

A build fingerprints every note four ways (its front matter, its rendered body's inputs, its
paper page, its link preview card): at 1,000 notes that was two fifths of an edit build's stage 4
(90 ms of CPU). Each depends on the note's own text and on what the whole library shares: what
citations and links resolve by, the labels, the tag slugs, the reading lists, a theme of the
library's own. So the index keeps, per note, its file and text digest, the fingerprints, the
notes it cites and mentions, the library's files its page links to, the sections other notes
link to in it and its preview shard; and two digests of what the library shares. The next
build takes what was stored where the note's text and the shared digests are those it was
made under:

- front matter: its text is the same (the digest is made from the note alone);
- body: and the names are the same, and it embeds nothing (an embed shows another note's
  text);
- paper page: and every note's front matter is the same (a page shows its neighbours' titles
  and labels), and its body and references fingerprints are, and no note changed that cites
  or mentions it now or did at the last build (its cited-by list and backlinks come from
  those notes' texts);
- preview shard: and the sections other notes link to in each of its notes are the same.

Anything else is made again, as :mod:`papernotes.paperprints` and :mod:`papernotes.preview`
make it. ``serve`` keeps all of this in memory (``paperprints``, ``searchmemo``) and neither
writes nor reads a summary; the first build after it makes everything once.

The summary is untrusted input like the rest of the cache (decoded against these types by
``incremental.codec``, its columns checked to line up): its digests are only compared with
ones this build made, a stored file is used only if the library has it, a stored shard only
if there is such a shard. At worst a crafted one keeps a page stale, as a crafted page
fingerprint in the same index can.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial
from itertools import accumulate
from typing import TYPE_CHECKING

from papernotes import fingerprints, paperprints, preview, urls
from papernotes.bodyctx import tag_slugs
from papernotes.incremental.cache import digest
from papernotes.incremental.drawn import drawn
from papernotes.incremental.linkrows import LinkRows, ordered
from papernotes.incremental.sectionrows import Pairs, names_digest, section_links
from papernotes.model import CiteKey

if TYPE_CHECKING:
    from papernotes.incremental.cache import BuildCache
    from papernotes.incremental.indexrows import IndexRows
    from papernotes.lists.link import Memberships
    from papernotes.markdown._types import RenderedBody
    from papernotes.model import Library

__all__ = ["LinkRows", "PlanSummary", "Reuse", "names_digest"]


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """What each note's fingerprints were made from, and what they were, a column per field
    and a place per note (plain lists of strings decode and encode at C speed; a value per
    note, 1,000 of them, cost an edit build more than it saved), and what the library shared
    when they were made."""

    names: str
    """Digest of what bodies resolve citations and links by (:func:`names_digest`)."""
    shared: str
    """Digest of what every paper page shows alike (slugs, lists, a theme's own templates)."""
    keys: tuple[CiteKey, ...]
    """Every note's key, in library order."""
    sources: tuple[str, ...]
    """Its file (``Note.source``)."""
    shas: tuple[str, ...]
    """The digest of its text."""
    metas: tuple[str, ...]
    """Its front matter's digest (``fingerprints.meta_digest``)."""
    meta_fps: tuple[str, ...]
    """Its front matter as other pages show it (``fingerprints.meta_fingerprints``)."""
    body_fps: tuple[str, ...]
    """Its body's fingerprint."""
    ref_fps: tuple[str, ...]
    """Its formatted references' fingerprint ("" when it has none)."""
    pages: tuple[str, ...]
    """Its paper page's fingerprint."""
    links: tuple[CiteKey, ...]
    """The notes each note cites and mentions (whose cited-by lists and backlinks it is in),
    one note's after the other's."""
    link_ends: tuple[int, ...]
    """Where each note's ``links`` end."""
    files: tuple[str, ...]
    """The library's files each note's page links to, one note's after the other's."""
    file_ends: tuple[int, ...]
    """Where each note's ``files`` end."""
    sections: tuple[str, ...]
    """The sections of it other notes link to (what its link preview card shows), joined."""
    shards: tuple[int, ...]
    """The link preview shard its card is in."""
    linked: LinkRows | None = None
    """What ``link`` found in the plain notes, or None (``serve``, a strict relink)."""
    out_targets: tuple[CiteKey, ...] = ()
    """The notes each note links to by section (``incremental.sectionrows``), in a row."""
    out_fragments: tuple[str, ...] = ()
    """The ``#fragment`` of each of those links, in the same places."""
    out_ends: tuple[int, ...] = ()
    """Where each note's links by section end."""
    drawn: tuple[CiteKey, ...] | None = None
    """The notes whose bodies draw a diagram (``incremental.drawn``), or None: not known."""
    index: IndexRows | None = None
    """The site index (``incremental.indexrows``), or None: made again."""

    def fits(self) -> bool:
        """Whether the columns are as long as the keys and the ends in order (a crafted
        file may say anything: one that does not fit is not used)."""
        n = len(self.keys)
        strings = (self.sources, self.shas, self.metas, self.meta_fps, self.body_fps)
        ends = (self.link_ends, self.file_ends, self.sections, self.shards, self.out_ends)
        return (
            all(len(c) == n for c in (*strings, self.ref_fps, self.pages, *ends))
            and ordered(self.link_ends, len(self.links))
            and ordered(self.file_ends, len(self.files))
            and ordered(self.out_ends, len(self.out_targets))
            and len(self.out_fragments) == len(self.out_targets)
        )


def _joined(sections: Collection[str]) -> str:
    return "\n".join(sorted(sections))


def _cut(flat: tuple[str, ...], ends: tuple[int, ...], i: int) -> tuple[str, ...]:
    return flat[ends[i - 1] if i else 0 : ends[i]]


class Reuse:
    """The last build's summary, for this build to take what still holds from; ``made``
    counts what was made again (what the tests count)."""

    def __init__(
        self,
        previous: BuildCache | None,
        library: Library,
        source_digests: Mapping[str, str],
        papers_dir: str,
    ) -> None:
        last = previous.summary if previous is not None else None
        if last is not None and not last.fits():
            last = None
        self._library = library
        self._papers_dir = papers_dir
        self._digests = source_digests
        self._names = names_digest(library, papers_dir)
        self._last = last
        notes = library.notes
        self._still: dict[str, int] = {}
        """The notes whose file and text are the same → their place in ``last``."""
        if last is not None:
            for i, (k, source, sha) in enumerate(
                zip(last.keys, last.sources, last.shas, strict=True)
            ):
                n = notes.get(k)
                if n is not None and n.source == source and source_digests.get(source) == sha:
                    self._still[k] = i
        self._same_names = last is not None and last.names == self._names
        self.made = {"meta": 0, "body-fp": 0, "paper-fp": 0, "sections": 0, "diagram": 0}
        """What was made again rather than kept."""
        self._metas: dict[CiteKey, str] = {}
        self._bodies: dict[str, str] = {}
        self._meta_fps: Mapping[CiteKey, str] = {}
        self._refs: Mapping[str, str] = {}
        self._shared = ""
        self._prints: dict[CiteKey, str] = {}
        self._files: dict[CiteKey, tuple[str, ...]] = {}
        self._pages = previous.pages if previous is not None else {}
        self._sections: dict[CiteKey, str] = {}
        self._pairs: dict[CiteKey, Pairs] = {}
        self._shards: dict[CiteKey, int] = {}
        self._drawn: tuple[CiteKey, ...] | None = None
        self._previews: Iterator[None] | None = None
        self._preview_files: list[tuple[str, str, Callable[[], str]]] = []

    def meta_digests(self) -> dict[CiteKey, str]:
        """Each note's ``meta_digest``: kept where its text is the same."""
        out: dict[CiteKey, str] = {}
        still, kept = self._still, self._last.metas if self._last is not None else ()
        for k, n in self._library.notes.items():
            i = still.get(k)
            if i is None:
                out[k] = fingerprints.meta_digest(n)
                self.made["meta"] += 1
            else:
                out[k] = kept[i]
        self._metas = out
        return out

    def body_fingerprints(self) -> dict[str, str]:
        """Each note's body fingerprint: kept where its text and the names are the same and
        it embeds nothing."""
        library, still = self._library, self._still if self._same_names else {}
        kept = self._last.body_fps if self._last is not None else ()
        slugs = cache(lambda: tag_slugs(library))  # made once, for the notes with #tags
        plain = self._plain()
        out: dict[str, str] = {}
        for k, n in library.notes.items():
            i = still.get(k)
            if i is None or (plain.get(n.source) != self._digests[n.source] and n.body.embeds):
                sha = self._digests[n.source]
                out[k] = fingerprints.body_fingerprint(n, sha, library, self._papers_dir, slugs)
                self.made["body-fp"] += 1
            else:
                out[k] = kept[i]
        self._bodies = out
        return out

    def any_diagram(self, bodies: Mapping[str, RenderedBody]) -> bool:
        """Whether a body draws a diagram: only those whose fingerprint moved are looked at
        (``made["diagram"]``). Call :meth:`body_fingerprints` first."""
        self._drawn, self.made["diagram"] = drawn(self._last, self._still, self._bodies, bodies)
        return bool(self._drawn)

    def _plain(self) -> dict[str, str]:
        """The notes the last build's link rows were kept for → their text digests: with
        the same text now they embed nothing (``linkrows``), and their bodies are not read."""
        rows = self._last.linked if self._last is not None else None
        if rows is None or not rows.fits():
            return {}
        return dict(zip(rows.sources, rows.shas, strict=True))

    def paper_prints(
        self,
        memberships: Memberships,
        metas: Mapping[CiteKey, str],
        refs: Mapping[str, str],
        shown: tuple[str, str],
    ) -> tuple[dict[CiteKey, str], set[str]]:
        """Each paper page's fingerprint and the library's files the pages link to, as
        ``paperprints.paper_fingerprints`` makes them (``metas``: the front matters as other
        pages show them), made again only for the pages the edit may have changed. Call
        :meth:`body_fingerprints` first."""
        library, last = self._library, self._last
        self._meta_fps, self._refs = metas, refs
        self._shared = digest("shared", *shown, self._papers_dir, library.reading_lists)
        todo = self._todo(metas, refs)
        bodies, prints, files = self._bodies, self._prints, self._files
        for k in library.notes:
            i = None if k in todo or last is None else self._still.get(k)
            if i is not None:
                assert last is not None
                found = _cut(last.files, last.file_ends, i)
                if all(f in library.files for f in found):
                    prints[k], files[k] = last.pages[i], found
                    continue
            prints[k], files[k] = paperprints._paper(
                library, memberships, metas, bodies, refs, shown, self._papers_dir, None, None, k
            )
            self.made["paper-fp"] += 1
        return prints, {f for found in files.values() for f in found}

    def _todo(self, metas: Mapping[CiteKey, str], refs: Mapping[str, str]) -> Collection[str]:
        """The pages whose inputs may have changed since the last build: all of them unless
        the names, what every page shows and every note's front matter are the same; else
        the notes whose text changed and those they cite or mention now or did, and those
        whose body or references fingerprint moved (what they show of other notes)."""
        library, last, still = self._library, self._last, self._still
        if (
            last is None
            or not self._same_names
            or self._shared != last.shared
            or last.keys != tuple(library.notes)
            or list(last.meta_fps) != [metas[k] for k in last.keys]
        ):
            return library.notes
        todo: set[str] = set()
        bodies, cites, mentions = self._bodies, library.cites, library.mentions
        for i, k in enumerate(last.keys):
            if k not in still:  # its text changed: so may what it says of the notes it cites
                todo.add(k)
                todo.update(_cut(last.links, last.link_ends, i))
                todo.update(cites.get(k, ()), mentions.get(k, ()))
            elif last.body_fps[i] != bodies[k] or last.ref_fps[i] != refs.get(k, ""):
                todo.add(k)
        return todo

    def preview_files(self) -> list[tuple[str, str, Callable[[], str]]]:
        """The link preview files as ``preview.preview_files`` makes them, as (path,
        fingerprint, make): a shard's cards are made again only when one of its notes changed
        or the sections other notes link to in it did; the others keep the last build's
        fingerprint, and are made only if their file must be written again. What
        :meth:`preview_steps` made already is not made again."""
        for _ in self.preview_steps():
            pass
        return self._preview_files

    def preview_steps(self) -> Iterator[None]:
        """:meth:`preview_files` made a step at a time (the sections linked, then a shard a
        step), for a cold build to take while its workers render the bodies (``parallel_iter``'s
        ``meanwhile``): it reads the notes and what they link to alone, and every shard's
        text is made there (no shard is kept), 0.07 s of the parent's CPU at 1,000 notes
        with no worker running. The same iterator each call: what it made stays made."""
        if self._previews is None:
            self._previews = self._preview_steps()
        return self._previews

    def _preview_steps(self) -> Iterator[None]:
        library, last, still = self._library, self._last, self._still
        count = preview.shard_count(len(library.notes))
        rows = last if self._same_names else None
        linked, self._pairs, self.made["sections"] = section_links(library, rows, still)
        self._sections = {k: _joined(linked.get(k, ())) for k in library.notes}
        kept = (
            last is not None
            and self._same_names
            and last.keys == tuple(library.notes)
            and all(0 <= n < count for n in last.shards)
        )
        members: list[list[CiteKey]] = [[] for _ in range(count)]
        stale: set[int] = set()
        for k in library.notes:
            i = still.get(k) if kept else None
            if i is not None and last is not None and last.sections[i] == self._sections[k]:
                n = last.shards[i]
            else:
                n = preview.shard_of(urls.paper_page(k), count)
                stale.add(n)
            self._shards[k] = n
            members[n].append(k)

        def shard(n: int) -> str:
            cards = []
            for k in members[n]:
                note, fragments = library.notes[k], frozenset(linked.get(k, ()))
                cards.append((urls.paper_page(k), preview.preview_entry(note, library, fragments)))
            return preview._shard(n, cards)[0]

        index = preview._script({"shards": count})
        out = self._preview_files
        out.append((preview.PREVIEW_INDEX, digest(index), partial(str, index)))
        for n in range(count):
            path = f"{preview.PREVIEW_DIR}{n}.js"
            fp = self._pages.get(path) if n not in stale else None
            if fp is None:
                yield
                text = shard(n)
                out.append((path, digest(text), partial(str, text)))
            else:
                out.append((path, fp, partial(shard, n)))

    def summary(self) -> PlanSummary:
        """What this build made, for the next one."""
        library = self._library
        keys = tuple(library.notes)
        links: list[CiteKey] = []
        link_ends: list[int] = []
        files: list[str] = []
        file_ends: list[int] = []
        for k in keys:
            links += library.cites.get(k, ())
            links += library.mentions.get(k, ())
            link_ends.append(len(links))
            files += self._files[k]
            file_ends.append(len(files))
        sources = tuple(n.source for n in library.notes.values())
        return PlanSummary(
            self._names,
            self._shared,
            keys,
            sources,
            tuple(self._digests[s] for s in sources),
            tuple(self._metas.values()),
            tuple(self._meta_fps[k] for k in keys),
            tuple(self._bodies.values()),
            tuple(self._refs.get(k, "") for k in keys),
            tuple(self._prints[k] for k in keys),
            tuple(links),
            tuple(link_ends),
            tuple(files),
            tuple(file_ends),
            tuple(self._sections[k] for k in keys),
            tuple(self._shards[k] for k in keys),
            out_targets=tuple(t for k in keys for t, _ in self._pairs.get(k, ())),
            out_fragments=tuple(f for k in keys for _, f in self._pairs.get(k, ())),
            out_ends=tuple(accumulate(len(self._pairs.get(k, ())) for k in keys)),
            drawn=self._drawn,
        )

"""The pipeline: load → parse → link → render → write, redoing only what changed.

With the cache (the default), a note whose text did not change is not parsed again, a body
whose inputs did not change is not rendered again, a page whose fingerprint did not change is
not rendered or written again, and a build whose inputs did not change at all stops after
comparing file sizes and times. ``--no-cache`` builds from scratch and keeps nothing; the
output is the same byte for byte either way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from papernotes import __version__, load, write
from papernotes.config import Config
from papernotes.errors import Diagnostic, Severity
from papernotes.incremental import cache, fastpath
from papernotes.incremental.cache import BuildCache, NoteEntry, persist

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from papernotes.bib.styles import Style
    from papernotes.incremental.linkrows import LinkStore
    from papernotes.incremental.searchmemo import SaveMemo
    from papernotes.incremental.spool import Spool
    from papernotes.model import Library, Note
    from papernotes.plan import Progress
    from papernotes.theme import Theme

__all__ = ["BuildReport", "Run", "Warm", "apply_strict", "build", "persist", "read_library", "run"]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """The outcome of a build."""

    notes: int
    """Notes in the library."""
    pages: int
    """Files in the site papernotes made (0 when the build failed)."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found, in the order found."""
    seconds: float
    """Wall time."""
    written: write.WriteReport | None
    """What was written, or None when errors stopped the build before writing."""
    rendered: int = 0
    """Pages rendered by this build (the others were unchanged)."""
    up_to_date: bool = False
    """True when nothing had changed and nothing was done."""
    left_out: tuple[str, ...] = ()
    """Note files left out of the site for their errors (``keep_going`` only), sorted."""

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


def apply_strict(diags: tuple[Diagnostic, ...], strict: bool) -> tuple[Diagnostic, ...]:
    """The problems as reported: under ``--strict`` every warning is an error, so a build with
    warnings writes nothing. Every command with ``--strict`` goes through here."""
    return tuple(d.promoted() for d in diags) if strict else diags


def _blocking(diags: tuple[Diagnostic, ...], left_out: Collection[str] = ()) -> bool:
    """Whether an error stops the build: any error, but one in a note left out."""
    return any(d.severity is Severity.ERROR and d.where.path not in left_out for d in diags)


class _Read(NamedTuple):
    """Stages 1–3: the sources, the library, and the parsed notes for the next build."""

    sources: load.Sources
    """What stage 1 read, but the notes' texts (parsed already: ``parsed``)."""
    library: Library
    """What stage 3 linked."""
    found: tuple[Diagnostic, ...]
    """The problems of stages 1–2, in order."""
    linked: tuple[Diagnostic, ...]
    """The problems of stage 3, in order."""
    parsed: dict[str, NoteEntry]
    """Every note as parsed: the next build's ``BuildCache.notes``."""
    notes: tuple[Note, ...]
    """The notes stage 3 was given (every note that parsed)."""
    links: LinkStore | None = None
    """What stage 3 found, for the next build's (``incremental.linkrows``); None: ``serve``."""

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every problem of stages 1–3, in order."""
        return (*self.found, *self.linked)


def _read(
    root: Path,
    config: Config,
    md: MarkdownIt,
    previous: BuildCache | None,
    workers: int,
    known: load.Known | None = None,
    memo: SaveMemo | None = None,
    spool: Spool | None = None,
) -> _Read:
    from papernotes import link
    from papernotes.incremental.linkrows import LinkStore
    from papernotes.incremental.parsenotes import parse_notes

    sources, d_load = load.load_sources(root, config.papers_dir, config.excludes, known)
    parsing = (md, previous, workers, config.keys, memo, spool)  # a cold build's: spooled
    notes, d_parse, parsed = parse_notes(sources, *parsing)
    sources = replace(sources, notes=())  # memory: the texts are parsed, their bodies in notes
    if memo is not None:  # serve: the last save's, while the notes patched are no drafts
        from papernotes.incremental.parsememo import drafts_of

        drafts = drafts_of(memo, parsed)
    else:
        drafts = cache.drafts(parsed)
    store = None if memo is not None else LinkStore.of(previous, parsed)
    args = (sources.files, config.papers_dir, sources.outside, drafts, sources.excluded, memo)
    library, d_link = link.link(notes, *args, store, spool)
    return _Read(sources, library, (*d_load, *d_parse), d_link, parsed, tuple(notes), store)


def read_library(
    root: Path, config: Config, md: MarkdownIt | None = None, *, strict: bool = False
) -> tuple[Library, tuple[Diagnostic, ...]]:
    """Stages 1–3 as ``build`` runs them, without a cache: the library as a value (its reading
    lists linked), with every problem found (warnings as errors under ``strict``)."""
    from papernotes.lists.link import read_lists
    from papernotes.markdown.factory import make_parser

    read = _read(root, config, md or make_parser(allow_html=config.allow_html), None, 1)
    library, d_lists = read_lists(read.library, read.sources.lists)
    return library, apply_strict((*read.diagnostics, *d_lists), strict)


@dataclass(frozen=True, slots=True)
class Warm:
    """What ``serve`` keeps from one build to the next (None: made anew, as a build does)."""

    cache: BuildCache | None = None
    """The last build's cache, in memory (not read from disk)."""
    theme: Theme | None = None
    """The theme, with the templates Jinja compiled so far."""
    md: MarkdownIt | None = None
    """The Markdown parser."""
    styles: tuple[tuple[Style, ...], tuple[Diagnostic, ...]] | None = None
    """The citation styles and their problems."""
    known: load.Known | None = None
    """The notes that did not change since they were read, and the walk (``load_sources``)."""
    memo: SaveMemo | None = None
    """What stage 4 keeps from one save to the next (``serve``'s; a build has none)."""


class Run(NamedTuple):
    """A build done but not yet remembered: its report, and what to save for the next one."""

    report: BuildReport
    """The outcome (``seconds`` is 0: the caller times it)."""
    cache: BuildCache | None
    """The next build's cache, when the site was written and the cache is used."""
    stamp: dict[str, object]
    """The inputs' stamp, with the report the next no-op build replays."""
    warm: Warm
    """What a long-running process may keep (``cache`` as above)."""


def build(
    root: Path,
    config: Config,
    *,
    out: Path,
    strict: bool = False,
    use_cache: bool = True,
    progress: Progress | None = None,
    fresh: bool = False,
    workers: int | None = None,
    keep_going: bool = False,
) -> BuildReport:
    """Build the site into ``out``; nothing is written when there are errors.

    With ``keep_going``, a note with errors (in its file, its front matter, its id) is left
    out and the others are published (``BuildReport.left_out``); an error that is not about
    one note (the theme, a style, the output folder) still writes nothing.

    ``fresh`` writes the whole output folder anew and swaps it in, instead of updating it.
    ``workers`` is how many processes parse and render (default: the cores, at most 8); the
    output is the same byte for byte whatever it is. One build of a library runs at a time:
    another raises ``cache.BuildBusy``. When nothing changed since the last build, this
    imports nothing of the Markdown, template and BibTeX machinery.
    """
    start = time.perf_counter()
    with cache.build_lock(root):
        write.check_output(root, out, config.papers_dir)
        stamp, last = fastpath.up_to_date(root, config, out) if use_cache else ({}, None)
        if last is not None:  # nothing changed: the last build's problems are this one's
            diags = apply_strict(last.diagnostics, strict)
            ok = not _blocking(diags)
            pages, elapsed = (last.pages if ok else 0), time.perf_counter() - start
            return BuildReport(last.notes, pages, diags, elapsed, None, up_to_date=ok)
        if not use_cache:
            cache.clear_cache(root)
        done = cache.rebuilt_if_damaged(
            root,
            partial(
                run,
                root,
                config,
                out,
                stamp=stamp,
                strict=strict,
                use_cache=use_cache,
                progress=progress,
                fresh=fresh,
                workers=workers,
                keep_going=keep_going,
            ),
        )
        report = done.report
        if done.cache is not None:
            _, problems = persist(root, done, out, workers=_workers(workers))
            report = replace(report, diagnostics=(*report.diagnostics, *problems))
            from papernotes.incremental.quickjournal import clear_journal

            clear_journal(root)  # the cache's fingerprints are the site's again
    return replace(report, seconds=time.perf_counter() - start)


def run(
    root: Path,
    config: Config,
    out: Path,
    *,
    stamp: dict[str, object],
    strict: bool = False,
    use_cache: bool = True,
    progress: Progress | None = None,
    fresh: bool = False,
    workers: int | None = None,
    keep_going: bool = False,
    warm: Warm | None = None,
) -> Run:
    """Stages 1–5, taking from ``warm`` what it holds; the caller holds the build lock, and
    saves the cache after (:func:`persist`)."""
    # Imported here: a build with nothing to do (above) must not load them.
    from papernotes import plan, theme
    from papernotes.bib.styles import load_styles
    from papernotes.bodyctx import body_renderer
    from papernotes.incremental.spool import Spool
    from papernotes.lists.link import read_lists
    from papernotes.markdown.factory import make_parser
    from papernotes.sitewriter import SiteWriter, output_memo

    warm = warm or Warm()
    workers = _workers(workers)
    the_theme = warm.theme or theme.load_theme(root)
    key = _cache_key(root, config, out, the_theme)
    d_cache: tuple[Diagnostic, ...] = ()  # a damaged cache: said, never promoted or replayed
    if not use_cache:
        old = None
    elif warm.cache is not None:
        old = warm.cache if warm.cache.key == key else None
    else:
        from papernotes.incremental.quickjournal import forget_quick

        old, d_cache = cache.read_cache(root, key)
        old = forget_quick(root, old)  # what quick edits rewrote is made again
    md = warm.md or make_parser(allow_html=config.allow_html)
    known = warm.known if warm.known is not None else fastpath.stamped_notes(root, stamp, old)
    cold = old is None and warm.memo is None  # the parsed bodies' texts go to a spool
    spool = Spool.open(root) if cold else None
    with cache.collector_paused(warm.memo is None):  # serve pauses it itself (``session``)
        read = _read(root, config, md, old, workers, known, warm.memo, spool)
    d_read = apply_strict(read.diagnostics, strict)
    left_out: tuple[str, ...] = ()
    if keep_going:
        read, d_read, left_out = _leave_out(read, config, strict)
    styles, d_styles = warm.styles or load_styles(root)
    library, d_lists = read_lists(read.library, read.sources.lists)
    n = len(library.notes)
    if progress:
        progress("parse", len(read.parsed), len(read.parsed))
    # Pages go to the staging folder as they are rendered; leaving the block without commit
    # (errors below, an exception) removes them and leaves the previous site as it was.
    # The collector paused for stage 4 too: what it makes (bodies, documents, the index, the
    # jobs) lives to the build's end, and each full collection walked it all again (at
    # 20,000 notes 17 of them, 1.0 s of the parent's CPU; 0.05 s at 5,000).
    paused = cache.collector_paused(warm.memo is None)  # serve pauses it itself (``session``)
    with SiteWriter(out, fresh=fresh, memo=output_memo(warm.memo)) as writer, paused:
        site, d_render = plan.render_site(
            library,
            config,
            the_theme,
            root=root,
            render_body=body_renderer(library, md, config.papers_dir),
            source_digests=_source_digests(read.parsed, warm.memo is not None),
            previous=old,
            written=writer.previous,
            workers=workers,
            progress=progress,
            styles=styles,
            sink=writer,
            memo=warm.memo,
        )
        kept = Warm(old, the_theme, md, (styles, d_styles), warm.known, warm.memo)
        diags = (*d_read, *apply_strict((*d_lists, *d_styles, *d_render), strict))
        said = (*d_cache, *diags)
        if _blocking(diags, left_out):
            report = BuildReport(n, 0, said, 0.0, None, rendered=site.rendered, left_out=left_out)
            return Run(report, None, stamp, kept)
        written = writer.commit(site.copies, unchanged=site.unchanged)
    report = BuildReport(n, written.files, said, 0.0, written, site.rendered, left_out=left_out)
    if not use_cache:
        return Run(report, None, stamp, kept)
    stored = old.stored if old is not None else {}
    parts = (read.parsed, site.bodies, site.fingerprints, site.terms, site.refs, stored)
    rows = read.links.rows() if read.links is not None else None
    summary = site.summary and replace(site.summary, linked=rows)
    new = BuildCache(key, *parts, docs=site.docs, search=site.search, summary=summary)
    from papernotes.incremental.quickjournal import mentioned

    last: dict[str, object] = {"diagnostics": fastpath.diagnostics_to_json(diags), "notes": n}
    among = warm.memo.embedding(library.notes) if warm.memo is not None else None  # serve's
    last["mentioned"] = mentioned(library, config.papers_dir, among)  # left to the full build
    # Notes left out: never "up to date", so the next (perhaps plain, failing) build runs.
    last |= {"pages": written.files, **({"partial": True} if left_out else {})}
    return Run(report, new, {**stamp, **last}, replace(kept, cache=new))


def _source_digests(parsed: Mapping[str, NoteEntry], lazily: bool) -> Mapping[str, str]:
    """Each note file's text digest; ``lazily`` (serve: a save looks up those of the notes it
    changed alone), read from ``parsed`` when looked up, not a map made of every note."""
    if lazily:
        from papernotes.incremental.lazy import mapped

        return mapped(parsed, itemgetter(0))
    return {path: sha for path, (sha, _, _) in parsed.items()}


def _leave_out(
    read: _Read, config: Config, strict: bool
) -> tuple[_Read, tuple[Diagnostic, ...], tuple[str, ...]]:
    """Stages 1–3 without the notes that have errors: the library linked again from the
    others, every problem (``strict`` applied), and the note files left out.

    A citation of, or a link to, a note left out reads as one to a note that does not exist.
    When the note was left out here (a duplicate id, or a warning ``strict`` promoted), that
    warning is new and is not promoted, so the notes citing it stay in. A note whose front
    matter cannot be read never was a note: citing it is an unknown key, as in a plain build.
    """
    from papernotes import link

    found, linked = apply_strict(read.found, strict), apply_strict(read.linked, strict)
    errors = {d.where.path for d in (*found, *linked) if d.severity is Severity.ERROR}
    left = tuple(sorted(p for p in errors if p.lower().endswith(".md")))
    if not left:
        return read, (*found, *linked), ()
    kept = tuple(n for n in read.notes if n.source not in left)
    src = read.sources
    drafts = cache.drafts(read.parsed)
    library, d_link = link.link(
        kept, src.files, config.papers_dir, src.outside, drafts, src.excluded
    )
    before = set(read.linked)
    relinked = tuple(d.promoted() if strict and d in before else d for d in d_link)
    theirs = tuple(d for d in linked if d.where.path in left)  # the duplicate ids
    again = _Read(src, library, read.found, d_link, read.parsed, kept)
    return again, (*found, *theirs, *relinked), left


def _workers(asked: int | None) -> int:
    """How many processes parse, render and save: ``asked``, or the cores (at most 8)."""
    return asked if asked is not None else min(os.cpu_count() or 1, 8)


def _cache_key(root: Path, config: Config, out: Path, the_theme: Theme) -> str:
    # The library folder's identity is in the key, so a cache that came with a library (a
    # clone, an archive) is never used: its bodies would reach the site unsanitized.
    here = root.resolve().stat()
    identity = (here.st_dev, here.st_ino)
    return cache.digest(
        __version__, str(out.resolve()), repr(config), the_theme.fingerprint, identity
    )

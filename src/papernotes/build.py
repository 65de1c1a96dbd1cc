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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from markdown_it import MarkdownIt

from papernotes import __version__, link, load, parse, plan, theme, write
from papernotes.config import Config
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.incremental import cache as cache
from papernotes.incremental import fastpath as fastpath
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.factory import make_parser
from papernotes.model import CiteKey, Library, Note
from papernotes.render import render_note_body
from papernotes.search.index import DocTerms, SearchDoc, doc_terms
from papernotes.search.text import new_folds

__all__ = ["BuildReport", "build", "read_library"]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` during long builds."""


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

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


def _promote(diags: Sequence[Diagnostic], strict: bool) -> tuple[Diagnostic, ...]:
    return tuple(d.promoted() for d in diags) if strict else tuple(diags)


def read_library(
    root: Path, config: Config, md: MarkdownIt | None = None
) -> tuple[Library, tuple[Diagnostic, ...]]:
    """Stages 1–3 without a cache: the library as a value, with every problem found."""
    sources, d_load = load.load_sources(root, config.papers_dir)
    md = md or make_parser(allow_html=config.allow_html)
    notes, d_parse = parse.parse_notes([(s.path, s.text) for s in sources.notes], md)
    library, d_link = link.link(notes, sources.files, config.papers_dir, sources.outside)
    return library, (*d_load, *d_parse, *d_link)


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
) -> BuildReport:
    """Build the site into ``out``; nothing is written when there are errors.

    ``fresh`` writes the whole output folder anew and swaps it in, instead of updating it.
    ``workers`` is how many processes parse and render (default: the cores, at most 8); the
    output is the same byte for byte whatever it is. One build of a library runs at a time:
    another raises ``cache.BuildBusy``.
    """
    with cache.build_lock(root):
        return _build(root, config, out, strict, use_cache, progress, fresh, workers)


def _build(
    root: Path,
    config: Config,
    out: Path,
    strict: bool,
    use_cache: bool,
    progress: Progress | None,
    fresh: bool,
    workers: int | None,
) -> BuildReport:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    start = time.perf_counter()
    write.check_output(root, out, config.papers_dir)
    stamp, last = fastpath.up_to_date(root, config, out, strict=strict) if use_cache else ({}, None)
    if last is not None:
        elapsed = time.perf_counter() - start
        return BuildReport(
            last.notes,
            last.pages,
            _promote(last.diagnostics, strict),
            elapsed,
            None,
            up_to_date=True,
        )
    if not use_cache:
        cache.clear_cache(root)
    the_theme = theme.load_theme(root)
    # The library folder's identity is in the key, so a cache that came with a library (a
    # clone, an archive) is never used: its bodies would reach the site unsanitized.
    here = root.resolve().stat()
    identity = (here.st_dev, here.st_ino)
    key = cache.digest(
        __version__, str(out.resolve()), repr(config), the_theme.fingerprint, identity
    )
    old = cache.load_cache(root, key) if use_cache else None
    new = cache.BuildCache(key)
    md = make_parser(allow_html=config.allow_html)
    sources, d_load = load.load_sources(root, config.papers_dir)
    notes: list[Note] = []
    d_parse: list[Diagnostic] = []
    shas = {s.path: cache.text_digest(s.text) for s in sources.notes}
    parsed: dict[str, tuple[Note | None, tuple[Diagnostic, ...]]] = {}
    misses = []
    for source in sources.notes:
        hit = old.notes.get(source.path) if old else None
        if hit is not None and hit[0] == shas[source.path]:
            parsed[source.path] = (hit[1], hit[2])
        else:
            misses.append(source)
    parsed.update(_map(lambda s: (s.path, parse.parse_note(s.path, s.text, md)), misses, workers))
    for source in sources.notes:
        note, ds = parsed[source.path]
        new.notes[source.path] = (shas[source.path], note, ds)
        d_parse.extend(ds)
        if note is not None:
            notes.append(note)
    if progress:
        progress("parse", len(sources.notes), len(sources.notes))
    library, d_link = link.link(notes, sources.files, config.papers_dir, sources.outside)

    bodies: dict[CiteKey, RenderedBody] = {}
    body_fps: dict[CiteKey, str] = {}
    stale: list[Note] = []
    for k, note in library.notes.items():
        fp = plan.body_fingerprint(note, shas[note.source], library, config.papers_dir)
        body_fps[k] = fp
        hit_body = old.bodies.get(k) if old else None
        if hit_body is not None and hit_body[0] == fp:
            bodies[k] = hit_body[1]
        else:
            stale.append(note)
    rendered = _map(
        lambda n: (n.key, render_note_body(n, library, md, config.papers_dir)),
        stale,
        workers,
    )
    bodies.update(rendered)
    for k in library.notes:
        new.bodies[k] = (body_fps[k], bodies[k])
    if progress:
        progress("render", len(library.notes), len(library.notes))

    folds = new_folds()

    def terms_of(doc: SearchDoc) -> DocTerms:
        fp = cache.digest(doc)
        hit = old.terms.get(doc.key) if old else None
        value = hit[1] if hit is not None and hit[0] == fp else doc_terms(doc, folds)
        new.terms[doc.key] = (fp, value)
        return value

    site = plan.plan_site(
        library, config, the_theme, bodies, root=root, body_fps=body_fps, doc_terms=terms_of
    )
    manifest = write.read_manifest(out.resolve()) if out.is_dir() else None
    todo: list[plan.Job] = []
    unchanged: list[str] = []
    for job in site.jobs:
        same = old is not None and old.pages.get(job.path) == job.fingerprint
        # A page the manifest marks unknown ("") was being replaced when a build stopped.
        if same and manifest is not None and all(manifest.get(p) for p in job.paths):
            unchanged.extend(job.paths)
        else:
            todo.append(job)
    pages = run_jobs(todo, site.renderer.diags, progress, workers)
    if old is not None:  # an index not rebuilt still needs its notes' terms next time
        for doc_key in library.notes:
            if doc_key not in new.terms and doc_key in old.terms:
                new.terms[doc_key] = old.terms[doc_key]
    diags = _promote((*d_load, *d_parse, *d_link, *site.renderer.diags), strict)
    if any(d.severity is Severity.ERROR for d in diags):
        return BuildReport(
            len(library.notes), 0, diags, time.perf_counter() - start, None, rendered=len(todo)
        )
    written = write.write_site(pages, site.copies, out, unchanged=unchanged, fresh=fresh)
    if use_cache:
        new.pages = {job.path: job.fingerprint for job in site.jobs}
        saved = {
            **stamp,
            "manifest": write.manifest_digest(out.resolve()),
            "diagnostics": fastpath.diagnostics_to_json(diags),
            "notes": len(library.notes),
            "pages": written.files,
        }
        try:
            cache.save_cache(root, new, saved)
        except OSError as exc:  # the site is built; only the next build's head start is lost
            where = exc.filename or cache.CACHE_DIR
            diags = (*diags, _cache_warning(str(where), exc))
    return BuildReport(
        notes=len(library.notes),
        pages=written.files,
        diagnostics=diags,
        seconds=time.perf_counter() - start,
        written=written,
        rendered=len(todo),
    )


def _cache_warning(where: str, exc: OSError) -> Diagnostic:
    return Diagnostic(
        Severity.WARNING,
        Location(where),
        f"cannot save the build cache: {exc.strerror or exc}",
        "the site is built; the next build will redo everything",
    )


def run_jobs(
    jobs: Sequence[plan.Job],
    diags: list[Diagnostic],
    progress: Progress | None = None,
    workers: int = 1,
) -> list[write.Page]:
    """Run jobs, over several processes when there are many and the machine has the cores.

    Workers are forked after the jobs are made, so each inherits them (and the library, the
    templates, the parser) and sends back only bytes and diagnostics; the output does not
    depend on how the work was split. Template problems are appended to ``diags``.
    """
    if len(jobs) < _PARALLEL_FROM or workers < 2 or not hasattr(os, "fork"):
        out = []
        for i, job in enumerate(jobs):
            out.extend(job.run())
            if progress and i % 100 == 0:
                progress("pages", i, len(jobs))
        return out
    return _run_forked(jobs, diags, workers, progress)


_PARALLEL_FROM = 64
"""Below this many items a process pool costs more than it saves."""

_T = TypeVar("_T")
_R = TypeVar("_R")
_MAP_STATE: list[Any] = []
"""The function and items of the running ``_map``, inherited by forked workers."""


def _map_slice(bounds: tuple[int, int]) -> list[Any]:
    fn, items = _MAP_STATE
    return [fn(item) for item in items[bounds[0] : bounds[1]]]


def _map(fn: Callable[[_T], _R], items: Sequence[_T], workers: int) -> list[_R]:
    """``[fn(x) for x in items]``, in forked processes when there are many items."""
    if len(items) < _PARALLEL_FROM or workers < 2 or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    import multiprocessing

    _MAP_STATE[:] = [fn, items]
    size = max(1, -(-len(items) // (workers * 2)))
    chunks = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [r for part in pool.imap(_map_slice, chunks) for r in part]
    finally:
        _MAP_STATE.clear()


_FORK_STATE: tuple[Sequence[plan.Job], list[Diagnostic]] = ((), [])


def _run_slice(bounds: tuple[int, int]) -> tuple[list[write.Page], list[Diagnostic]]:
    jobs, diags = _FORK_STATE
    before = len(diags)
    pages = [p for job in jobs[bounds[0] : bounds[1]] for p in job.run()]
    return pages, diags[before:]


def _run_forked(
    jobs: Sequence[plan.Job], diags: list[Diagnostic], workers: int, progress: Progress | None
) -> list[write.Page]:
    import multiprocessing

    global _FORK_STATE
    remote = [j for j in jobs if not j.in_parent]
    local = [j for j in jobs if j.in_parent]
    _FORK_STATE = (remote, diags)
    size = max(1, len(remote) // (workers * 4))
    slices = [(i, min(i + size, len(remote))) for i in range(0, len(remote), size)]
    out: list[write.Page] = []
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.imap(_run_slice, slices)
            # While the workers render pages, this process does the jobs that must stay here.
            for job in local:
                out.extend(job.run())
            for i, (pages, problems) in enumerate(results):
                out.extend(pages)
                diags.extend(problems)
                if progress:
                    progress("pages", slices[i][1], len(remote))
    finally:
        _FORK_STATE = ((), [])
    return out

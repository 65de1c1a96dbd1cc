"""The site as a list of jobs, each with a fingerprint of everything its output shows.

A job whose fingerprint matches the last build's is not run again; its file stays as it is.
The fingerprints follow the citation graph: a paper page depends on its own note, on the
titles, authors and labels of the papers it lists (cites, cited by, mentions, its two-step
graph), and on the slugs of its tags and authors; a tag page on the notes it lists; and so on.
Editing one note's body therefore re-renders its own page, the search index and, if it is in
the feed, the feed, and nothing else. A library with templates of its own may show anything
anywhere, so there every page also depends on the whole library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from papernotes import machine, urls
from papernotes.bib import export as bib
from papernotes.config import Config
from papernotes.graph import data as graph
from papernotes.incremental.cache import digest
from papernotes.link import resolve_local
from papernotes.markdown.body import RenderedBody, pygments_css
from papernotes.model import CiteKey, External, Library, Note
from papernotes.render import (
    Renderer,
    SiteIndex,
    feed_page,
    graph_page,
    home_page,
    note_files,
    paper_page,
    robots_and_sitemap,
)
from papernotes.search import index as search
from papernotes.theme import Theme
from papernotes.write import Copy, Page

__all__ = ["Job", "SitePlan", "body_fingerprint", "plan_site"]


@dataclass(frozen=True, slots=True)
class Job:
    """Something that makes output files."""

    path: str
    """The main file it makes (a paper job also makes the paper's ``.bib``)."""
    fingerprint: str
    """Digest of everything the output shows."""
    run: Callable[[], list[Page]]
    """Make the files (template errors are recorded in the renderer, and give no page)."""
    outputs: tuple[str, ...] = ()
    """Every file the job makes, when more than ``path``."""
    in_parent: bool = False
    """Run in the building process even when pages are spread over workers: the job fills a
    cache (the search index's per-note terms) that the next build needs."""

    @property
    def paths(self) -> tuple[str, ...]:
        return self.outputs or (self.path,)


@dataclass(frozen=True, slots=True)
class SitePlan:
    """The jobs and copies that make the site."""

    jobs: tuple[Job, ...]
    copies: tuple[Copy, ...]
    renderer: Renderer
    """Holds the template diagnostics of the jobs that ran."""
    terms_cache: dict[str, search.DocTerms] = field(default_factory=dict)


def body_fingerprint(note: Note, source_digest: str, library: Library, papers_dir: str) -> str:
    """Everything a rendered body depends on: the note's text, and what each of its inline
    citations and local links resolves to (a label, a title, a page or a file)."""
    cites: list[tuple[object, ...]] = []
    for c in note.body.citations:
        for target in c.keys:
            found = library.resolve(target)
            if isinstance(found, External) or found is None:
                cites.append((target, found))
            else:
                cites.append(
                    (target, found, library.labels[found], library.notes[found].meta.title)
                )
    links = []
    for link in note.body.local_links:
        rel = resolve_local(note, link.url, papers_dir)
        links.append((link.url, rel, library.sources.get(rel or ""), library.files.get(rel or "")))
    return digest(source_digest, note.key, cites, links)


def _meta_fps(library: Library) -> dict[CiteKey, str]:
    return {k: digest(n.meta, library.labels[k], n.source) for k, n in library.notes.items()}


def plan_site(
    library: Library,
    config: Config,
    theme: Theme,
    bodies: Mapping[CiteKey, RenderedBody],
    *,
    root: Path,
    body_fps: Mapping[CiteKey, str] | None = None,
    doc_terms: Callable[[search.SearchDoc], search.DocTerms] | None = None,
) -> SitePlan:
    """Every job of the site, in a fixed order, and the files to copy."""
    index = SiteIndex.of(library)
    r = Renderer(theme, config, library, index)
    papers_dir = config.papers_dir
    fps = _meta_fps(library)
    # With templates of its own, a page may show any part of the library.
    everything = digest(sorted(fps.items())) if len(theme.dirs) > 1 else ""
    slugs = digest(sorted(index.tag_slugs.items()), sorted(index.author_slugs.items()))
    palette = digest(r.palette.tags)
    jobs: list[Job] = []
    files: set[str] = set()
    ordered = [library.notes[k] for keys in index.year_notes.values() for k in keys]
    order = {k: i for i, k in enumerate(library.notes)}

    def related(keys: Iterable[CiteKey]) -> list[tuple[CiteKey, str]]:
        return [(k, fps[k]) for k in keys]

    for note in ordered:
        key = note.key
        body = bodies[key]
        files.update(note_files(note, library, papers_dir))
        kept, total = graph.neighbourhood(library, key, order=order)
        targets = {library.resolve(c.target) for c in note.citations}
        fp = digest(
            "paper",
            fps[key],
            body_fps[key] if body_fps else body,
            everything,
            slugs,
            palette,
            related(library.cites.get(key, ())),
            related(library.cited_by.get(key, ())),
            related(library.mentions.get(key, ())),
            related(library.mentioned_by.get(key, ())),
            library.external.get(key, ()),
            sorted((k, fps[k]) for k in targets if isinstance(k, str)),
            total,
            sorted((k, d, fps[k], library.cites.get(k, ())) for k, d in kept.items()),
            _pdf(note, library, papers_dir),
        )

        def run(note: Note = note, body: RenderedBody = body) -> list[Page]:
            html, entry = paper_page(r, note, body, papers_dir)
            return [p for p in (html, entry) if p is not None]

        jobs.append(Job(urls.paper_page(key), fp, run, (urls.paper_page(key), urls.paper_bib(key))))

    def listing(keys: Iterable[CiteKey]) -> str:
        return digest(everything, slugs, [(k, fps[k]) for k in keys])

    def template_job(path: str, fp: str, template: str, **context: object) -> Job:
        return Job(path, fp, lambda: _one(r.page(template, path, **context)))

    def bytes_job(path: str, fp: str, make: Callable[[], str | bytes]) -> Job:
        def run() -> list[Page]:
            data = make()
            return [Page(path, data.encode("utf-8") if isinstance(data, str) else data)]

        return Job(path, fp, run)

    all_keys = [n.key for n in ordered]
    everyone = listing(all_keys)
    jobs.append(Job("index.html", everyone, lambda: _one(home_page(r, ordered))))
    for template, path in (
        ("tags.html", "tags/index.html"),
        ("authors.html", "authors/index.html"),
        ("years.html", "years/index.html"),
    ):
        jobs.append(template_job(path, digest(template, everyone), template))
    jobs.append(template_job("404.html", digest("404", everything), "404.html"))
    jobs.append(template_job("search.html", digest("search", everything), "search.html"))
    graph_fp = digest("graph", everyone, palette, sorted(library.cites.items()))
    jobs.append(Job("graph.html", graph_fp, lambda: _one(graph_page(r))))
    for tag, keys in index.tag_notes.items():
        name, notes = index.tag_names[tag], r.notes_of(keys)
        fp = digest("tag", name, listing(keys))
        jobs.append(template_job(index.tag_path(tag), fp, "tag.html", tag=name, notes=notes))
    for author, keys in index.author_notes.items():
        fp = digest("author", author, listing(keys))
        path = index.author_path(author)
        jobs.append(template_job(path, fp, "author.html", author=author, notes=r.notes_of(keys)))
    for year, keys in index.year_notes.items():
        fp = digest("year", year, listing(keys))
        path = urls.year_page(year)
        jobs.append(template_job(path, fp, "year.html", year=year, notes=r.notes_of(keys)))

    texts = {k: bodies[k].text for k in all_keys}
    docs = [search.SearchDoc.of_note(library.notes[k], texts[k]) for k in all_keys]
    index_job = bytes_job(
        "static/search-index.js",
        digest("search-index", docs),
        lambda: search.search_index_js(docs, terms_of=doc_terms),
    )
    jobs.append(replace(index_job, in_parent=True))
    metas = [library.notes[k].meta for k in library.notes]
    jobs.append(bytes_job("library.bib", digest("bib", metas), lambda: bib.format_bib(metas)))
    entries = machine.feed_entries(library, texts)
    feed_fp = digest("feed", everything, [(n.key, fps[n.key], d, s) for n, d, s in entries])
    jobs.append(Job("feed.xml", feed_fp, lambda: _one(feed_page(r, texts))))
    if "static/pygments.css" not in theme.static:
        jobs.append(bytes_job("static/pygments.css", "pygments", pygments_css))
    html = sorted(p for j in jobs for p in j.paths if p.endswith(".html") and p != "404.html")
    outputs = ("sitemap.xml", "robots.txt") if config.base_url else ("robots.txt",)
    robots_fp = digest("robots", html)
    jobs.append(Job("robots.txt", robots_fp, lambda: robots_and_sitemap(config, html), outputs))
    copies = [Copy(path, source) for path, source in theme.static.items()]
    copies.extend(Copy(library.files[f], root / papers_dir / f) for f in sorted(files))
    return SitePlan(tuple(jobs), tuple(copies), r)


def _pdf(note: Note, library: Library, papers_dir: str) -> list[str | None]:
    # Where the PDF link leads, or that there is none: a file moved or refused changes it.
    rel = resolve_local(note, note.meta.pdf, papers_dir) if note.meta.pdf else None
    return [rel, library.files.get(rel)] if rel else []


def _one(page: Page | None) -> list[Page]:
    return [page] if page is not None else []

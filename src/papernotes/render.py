"""How each page of stage 4 is made: a note's body, and the templates with their helpers.

Each page function returns an ``Output`` (its files and its template problems), in memory:
``plan.render_site`` decides which pages to make, and writing is write.py's job.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from markdown_it import MarkdownIt
from markupsafe import Markup

from papernotes import machine, urls
from papernotes.bib.entrytexts import EntryTexts, Sent
from papernotes.bib.styles import Reference
from papernotes.bodyctx import body_tag_pages, note_context
from papernotes.config import Config
from papernotes.errors import Diagnostic
from papernotes.foreign import over_budget, template_error, theme_raised
from papernotes.graph import data as graph
from papernotes.lists.link import Memberships
from papernotes.lists.pages import recently_read
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.body import render_body
from papernotes.markdown.code import has_diagram
from papernotes.model import CiteKey, Library, Note, Status
from papernotes.pagebudget import OverBudget, page_budget
from papernotes.rowhtml import PageRows
from papernotes.siteindex import AUTHOR_PAGE_MIN_PAPERS, SiteIndex
from papernotes.theme import Theme
from papernotes.vault import FoundFile, resolve_embed, resolve_local, root_path
from papernotes.wikitarget import linked_files
from papernotes.write import Copy, Page

__all__ = [
    "AUTHOR_PAGE_MIN_PAPERS",
    "Copy",
    "Output",
    "Page",
    "Renderer",
    "SiteIndex",
    "absolute",
    "body_tag_pages",
    "embedded_files",
    "paper_page",
    "render_note_body",
]


@dataclass(frozen=True, slots=True)
class Output:
    """What rendering one page (or one job) made: the files, and the problems met."""

    pages: tuple[Page, ...] = ()
    """The files made (none when a template failed)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Template problems, in the order met."""
    entries: Sent = ()
    """The .bib entries a paper page made in a forked worker, for the site's .bib files
    (``bib.entrytexts``)."""

    def __add__(self, other: Output) -> Output:
        return Output(
            (*self.pages, *other.pages),
            (*self.diagnostics, *other.diagnostics),
            (*self.entries, *other.entries),
        )


def render_note_body(note: Note, library: Library, md: MarkdownIt, papers_dir: str) -> RenderedBody:
    """A note's HTML, with citations, local links and embeds relative to its own page.

    A pure function of the note and the library's labels, titles and files (and the texts
    of the notes it embeds): what the incremental build caches.
    """
    page = urls.paper_page(note.key)
    return render_body(md, note.body, note_context(note, library, md, papers_dir, page=page))


def note_files(note: Note, library: Library, papers_dir: str) -> Iterable[str]:
    """The files a note's page shows or links to, relative to the notes folder: relative and
    root-absolute links, embedded files, its PDF (a transcluded note's files are its own)."""
    urls_ = [link.url for link in note.body.local_links]
    if note.meta.pdf and ":" not in note.meta.pdf:
        urls_.append(note.meta.pdf)
    for url in urls_:
        target = resolve_local(note, url, papers_dir, (library.files, library.sources))
        if target is not None and target in library.files:
            yield target
    yield from embedded_files(note, library, papers_dir)


def embedded_files(note: Note, library: Library, papers_dir: str) -> Iterable[str]:
    """The files a note's ``![[…]]`` embeds, root-absolute links and ``[[file]]`` links name."""
    for link in note.body.root_links:
        target = root_path(link.url)
        if target is not None and target in library.files:
            yield target
    for embed in note.body.embeds:
        found = resolve_embed(note, embed.target, library, papers_dir)
        if isinstance(found, FoundFile) and found.path is not None and found.path in library.files:
            yield found.path
    yield from linked_files(note, library, papers_dir)  # [[fig.png]]


def _links(note: Note, library: Library, papers_dir: str) -> list[tuple[str, str]]:
    meta = note.meta
    out: list[tuple[str, str]] = []
    if meta.arxiv:
        out.append(("arXiv", f"https://arxiv.org/abs/{meta.arxiv}"))
    if meta.pdf and ":" in meta.pdf:
        out.append(("PDF", meta.pdf))
    elif meta.pdf:
        local = resolve_local(note, meta.pdf, papers_dir, (library.files, library.sources))
        if local is not None and local in library.files:  # a file refused is not linked
            out.append(("PDF", library.files[local]))
    if meta.code:
        out.append(("Code", meta.code))
    if meta.doi:
        out.append(("DOI", f"https://doi.org/{meta.doi}"))
    if meta.url:
        out.append(("Web", meta.url))
    return out


class Renderer:
    """Renders templates with the helpers every page gets; holds no per-page state."""

    def __init__(
        self,
        theme: Theme,
        config: Config,
        library: Library,
        index: SiteIndex,
        palette: graph.TagPalette | None = None,
    ):
        self.theme = theme
        self.config = config
        self.library = library
        self.index = index
        # ``palette``: the library's, made already (``serve`` keeps it while the tags stay).
        self.palette = palette if palette is not None else graph.tag_palette(library)
        self.memberships = Memberships.of(library.reading_lists)
        """Each paper's reading lists and series places, made once for every paper page."""
        """Tag colours, computed once: graph-data.js names them for every page's graph."""
        self.entries = EntryTexts()
        """Each note's .bib entry, made once for its paper page and the site's .bib files."""
        self._hrefs: dict[tuple[str, str], str] = {}
        """(folder of a page, site path) → the href between them: the pages of one folder
        (a thousand paper pages) link the same navigation, tags, authors and papers."""

    def notes_of(self, keys: Iterable[CiteKey]) -> list[Note]:
        """The notes with these keys, in the given order."""
        return [self.library.notes[k] for k in keys]

    def page(self, template: str, path: str, **context: Any) -> Output:
        """The page ``template`` makes at ``path``, or no page and the template's problem."""

        folder = path.rpartition("/")[0]
        hrefs = self._hrefs

        def url(target: str) -> str:
            if "://" in target or target.startswith("mailto:"):
                return target
            key = (folder, target)
            href = hrefs.get(key)
            if href is None:  # urls.relative reads only the page's folder
                href = hrefs[key] = urls.relative(path, target)
            return href

        helpers: dict[str, Callable[..., Any] | PageRows] = {
            "url": url,
            "paper_path": urls.paper_page,
            "tag_path": self.index.tag_path,
            "author_path": self.index.author_path,
            "year_path": urls.year_page,
            "notes_of": self.notes_of,
            "lists_of": self.memberships.lists_of,
            "series_of": self.memberships.series_of,
            "recently_read": lambda: recently_read(self.library),
            "absolute": lambda target: absolute(self.config, target),
            "rows": PageRows(url, path, self.library, self.index),
        }
        # The library's own templates are timed (``pagebudget``): a loop may never end.
        budget = page_budget() if len(self.theme.dirs) > 1 else nullcontext()
        try:
            with budget:
                html = self.theme.env.get_template(template).render(
                    site=self.config,
                    library=self.library,
                    index=self.index,
                    page_path=path,
                    **helpers,
                    **context,
                )
        except OverBudget as exc:  # the build stops: the next page would meet the same loop
            raise over_budget(exc, self.theme.dirs, template) from None
        except (jinja2.TemplateError, SecurityError, OverflowError) as exc:
            return Output(diagnostics=(template_error(exc, self.theme.dirs, template),))
        except Exception as exc:  # ``{{ 1 / 0 }}`` in the library's theme: its error, not ours
            if not theme_raised(exc, self.theme.dirs):
                raise
            return Output(diagnostics=(template_error(exc, self.theme.dirs, template),))
        return Output((Page(path, machine.xml_bytes(html)),))


def absolute(config: Config, path: str) -> str:
    """An absolute URL under the configured base URL, or "" when there is none."""
    if not config.base_url:
        return ""
    return config.base_url.rstrip("/") + "/" + urls.relative("index.html", path)


def paper_page(
    r: Renderer,
    note: Note,
    body: RenderedBody,
    papers_dir: str,
    references: tuple[Reference, ...] = (),
) -> Output:
    """The paper's page (with ``references``, its formatted references, in the Cite panel).

    Its BibTeX entry is on the page, and downloaded from there (papernotes.js): a ``.bib`` file
    per note would be one more file a note, and the site's ``library.bib`` holds every entry.
    """
    library, config = r.library, r.config
    path = urls.paper_page(note.key)
    entry = r.entries.bibtex(note.meta)
    notes_of = r.notes_of
    page = r.page(
        "paper.html",
        path,
        note=note,
        body=body,
        body_html=Markup(body.html),
        toc_html=Markup(body.toc_html),
        has_diagram=has_diagram(body.html),
        summary=machine.summary(note, body.text),
        json_ld=Markup(
            machine.json_ld(
                note,
                library,
                site_name=config.title,
                author=config.author,
                page_url=absolute(config, path),
            )
        ),
        links=_links(note, library, papers_dir),
        cites=notes_of(library.cites.get(note.key, ())),
        cited_by=notes_of(library.cited_by.get(note.key, ())),
        mentions=notes_of(library.mentions.get(note.key, ())),
        mentioned_by=notes_of(library.mentioned_by.get(note.key, ())),
        external=library.external.get(note.key, ()),
        bibtex=entry,
        references=[(ref, Markup(ref.html)) for ref in references],
        bib_file=posixpath.basename(urls.paper_bib(note.key)),
        graph_key=note.key if _linked(library, note.key) else "",
    )
    sent = r.entries.sent()  # a worker's: the entry in every flavour, for the .bib files
    return Output(page.pages, page.diagnostics, sent) if sent else page


HOME_ROWS = 100
"""Rows index.html carries itself (the newest papers): table.js shows the rest from the
shared static/library-data.js, and without JavaScript the year and tag pages list them."""


def home_page(r: Renderer, ordered: list[Note]) -> Output:
    index = r.index
    statuses = Counter(n.meta.status.value for n in ordered if n.meta.status)
    return r.page(
        "index.html",
        "index.html",
        notes=ordered[:HOME_ROWS],
        total=len(ordered),
        status_counts=[(s.value, statuses[s.value]) for s in Status if statuses[s.value]],
        years=list(index.year_notes) or [0],
    )


def _linked(library: Library, key: CiteKey) -> bool:
    """Whether the paper cites or is cited by another paper: else its graph is a lone dot."""
    return any(k != key for k in (*library.cites.get(key, ()), *library.cited_by.get(key, ())))


def graph_page(r: Renderer) -> Output:
    """The global graph: a light page whose graph.js filters graph-data.js, then draws."""
    citations = sum(len(v) for v in r.library.cites.values())
    return r.page("graph.html", "graph.html", citations=citations)


def feed_page(r: Renderer, texts: Mapping[CiteKey, str]) -> Output:
    config = r.config
    entries = machine.feed_entries(r.library, texts)

    def link(path: str) -> str:
        return absolute(config, path) or urls.relative("feed.xml", path)

    return r.page(
        "feed.xml",
        "feed.xml",
        entries=entries,
        updated=machine.newest(entries),
        feed_id=absolute(config, "feed.xml") or f"urn:papernotes:{urls.urn_slug(config.title)}",
        entry_id=lambda n: (
            absolute(config, urls.paper_page(n.key)) or f"urn:papernotes:{urls.urn_key(n.key)}"
        ),
        link=link,
    )


def robots_and_sitemap(config: Config, html_paths: Iterable[str]) -> Output:
    robots = "User-agent: *\nAllow: /\n"
    pages = []
    if config.base_url:
        robots += f"Sitemap: {absolute(config, 'sitemap.xml')}\n"
        pages.append(Page("sitemap.xml", machine.sitemap(absolute(config, p) for p in html_paths)))
    pages.append(Page("robots.txt", robots.encode("utf-8")))
    return Output(tuple(pages))

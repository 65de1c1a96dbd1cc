"""Stage 4, ``render_site``: the library and the theme become pages, as a list of jobs, each
with a fingerprint of everything its output shows.

A job whose fingerprint matches the last build's is not run again; its file stays as it is.
The fingerprints follow the citation graph: a paper page depends on its own note, on the
titles, authors and labels of the papers it lists (cites, cited by, mentions), and on the
slugs of its tags and authors; a tag page on the notes it lists; and so on. A paper's two-step
graph is drawn in the browser from ``static/graph-data.js``, which alone depends on the graph.
Editing one note's body therefore re-renders its own page, the search index and, if it is in
the feed, the feed, and nothing else. A library with templates of its own may show anything
anywhere, so there every page also depends on the whole library.

The note bodies and their search terms are reused the same way (``incremental.reuse``); the
jobs left go to worker processes when there are many (``incremental.parallel``), each
returning its pages and its template problems as a value."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cache, partial
from itertools import chain
from pathlib import Path
from typing import cast

from papernotes import machine
from papernotes.bib.site_files import BIB_FILES, library_exports
from papernotes.bib.styles import Reference, Style
from papernotes.config import Config
from papernotes.errors import Diagnostic
from papernotes.fingerprints import (
    body_fingerprint,
    body_fingerprints,
    library_token,
    meta_digest,
    meta_fingerprints,
    note_references,
    references_ahead,
)
from papernotes.foreign import fold_repeats
from papernotes.graph import payload as graph
from papernotes.graph.data import tag_palette
from papernotes.incremental import jobmemo
from papernotes.incremental.bodies import bodies_and_docs
from papernotes.incremental.cache import BuildCache, digest
from papernotes.incremental.indexrows import IndexRows, site_index
from papernotes.incremental.jobmemo import feed_notes
from papernotes.incremental.lazy import fingerprints, mapped, seconds
from papernotes.incremental.lazydoc import kept_docs, sizes_of
from papernotes.incremental.packed import pack_docs, pack_made
from papernotes.incremental.searchmemo import SaveMemo, same
from papernotes.incremental.searchstate import SearchState, search_inputs, state_of
from papernotes.incremental.spool import Spool
from papernotes.incremental.store import pack
from papernotes.incremental.summary import Reuse
from papernotes.indexpages import index_listings
from papernotes.lists.pages import list_jobs, to_read
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.code import is_diagram_asset, pygments_css
from papernotes.model import CiteKey, Library, Note
from papernotes.paperprints import any_diagram, listings, paper_fingerprints
from papernotes.preview import preview_files
from papernotes.render import (
    Output,
    Renderer,
    SiteIndex,
    feed_page,
    graph_page,
    home_page,
    paper_page,
    robots_and_sitemap,
)
from papernotes.search.index import MAX_BODY_CHARS as MAX_BODY
from papernotes.search.index import DocTerms, SearchDoc, SearchIndex, build_index
from papernotes.search.shards import doc_order, shard_files
from papernotes.search.table import LIBRARY_DATA, library_files, library_paths
from papernotes.sitejobs import Collected, Job, Progress, RenderedSite, Sink, SitePlan, run_jobs
from papernotes.theme import Theme
from papernotes.write import Copy, Page

__all__ = [
    "Job",
    "Progress",
    "RenderedSite",
    "SitePlan",
    "body_fingerprint",
    "plan_site",
    "render_site",
]


def render_site(
    library: Library,
    config: Config,
    theme: Theme,
    *,
    root: Path,
    render_body: Callable[[Note], RenderedBody],
    source_digests: Mapping[str, str],
    previous: BuildCache | None = None,
    written: Mapping[str, str] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    styles: Sequence[Style] = (),
    sink: Sink | None = None,
    memo: SaveMemo | None = None,
) -> tuple[RenderedSite, tuple[Diagnostic, ...]]:
    """Render the site: every page whose fingerprint differs from ``previous``'s (or whose
    file is not in ``written``, the output folder's manifest), over ``workers`` processes
    when there are many; the pages, and the template problems in job order.

    With ``sink``, each job's files go to it as they are made (``sitewriter.SiteWriter``
    stages them where the job runs) instead of into the result, so they are never all in
    memory at once, nor sent back from the workers. A ``memo`` (what ``serve`` keeps
    between saves) spares the work the last build did alike."""
    # The references depend on the notes' metadata alone: forked workers format them while the
    # bodies and search documents are made here (``incremental.parallel.Ahead``).
    ahead = None if memo else references_ahead(library, styles, previous, workers, source_digests)
    here = 1 if ahead is not None and ahead[0] else workers  # the cores are busy formatting
    # A build takes from the last one's summary what the edit left; ``serve`` its memo.
    stored = (
        None if memo is not None else Reuse(previous, library, source_digests, config.papers_dir)
    )
    body_fps = (
        stored.body_fingerprints()
        if stored is not None
        else body_fingerprints(library, source_digests, config.papers_dir, memo)
    )
    cold = previous is None and memo is None
    spool = Spool.open(root) if cold else None  # what only the pages and the save read
    # Made while the workers render, in time the parent waited: the references not handed out,
    # the backlinks the pages' fingerprints ask for, the link previews (``meanwhile``).
    made_refs: list[Mapping[str, tuple[str, tuple[Reference, ...]]]] = []
    later = [ahead[1]] if ahead and not ahead[0] else []  # not handed out: made when asked
    early = map(made_refs.append, (make() for make in later))
    previews = stored.preview_steps() if stored is not None else iter(())
    steps = chain(early, map(library.backlinks.get, library.notes), previews)
    bodies, docs, made_terms = bodies_and_docs(  # the terms too, when they go to every worker
        library,
        cast("Mapping[str, str]", body_fps),
        render_body,
        previous=previous,
        memo=memo,
        workers=here,
        spool=spool,
        progress=progress,
        terms=here == workers,
        meanwhile=steps if cold else None,
    )
    refs = made_refs.pop() if made_refs else ahead[1]() if ahead is not None else None
    later.clear()  # memory: what made them, as ``ahead`` below
    ahead = None  # memory: what made them (every note's CSL item) goes before the pages fork
    if cold and refs is not None:  # memory: read by their pages (each its own) and the cache
        refs = pack_made({k: refs[k] for k in refs}, "refs", spool=spool) or refs  # not held
    kept, terms, digests, indexer = search_inputs(
        library, bodies, previous, memo, workers, docs, spool, made_terms
    )
    if memo is not None:  # the notes whose documents or terms moved, for the index to look at
        memo.index.tell(docs, terms, memo.moved)
    if cold:  # memory: the terms are counted; the index shows a part of each document
        docs, shown = pack_docs(kept, spool)
    elif memo is not None:  # serve: the last save's, patched (those kept from the cache lazy)
        from papernotes.incremental.statememo import shown_docs  # serve's: only with a memo

        shown = shown_docs(docs, memo)
    else:
        shown = kept_docs(docs)  # those kept from the cache read only if needed
    del kept  # memory: a cold build's whole documents are in the spool from here on
    if refs is None:
        refs = note_references(library, styles, previous, workers, memo, source_digests)
    plan = plan_site(
        library,
        config,
        theme,
        seconds(bodies),  # each body decoded only if a page shows it
        root=root,
        body_fps=cast("Mapping[str, str]", body_fps),  # what ``reuse`` keeps each body under
        docs=shown,
        terms=seconds(terms),  # read only for the notes the search index must update
        refs=seconds(refs),
        ref_prints=fingerprints(refs),
        memo=memo,
        indexer=indexer,
        doc_digests=digests,
        stored=stored,
        search_state=previous.search if previous is not None else None,
        last_index=previous.summary.index if previous and previous.summary else None,
    )
    if memo is None:  # serve's index reads every note's terms at each save: kept as they are
        terms = pack(terms, spool)  # memory: from here on, only the cache reads them
    last = previous.pages if previous is not None else None
    if memo is not None:  # serve: the last save's split, patched
        from papernotes.incremental.splitmemo import served_split

        todo, unchanged, page_prints = served_split(plan.jobs, last, written, memo)
    else:
        todo, unchanged, page_prints = jobmemo.split_jobs(plan.jobs, last, written)
    report = (lambda done, total: progress("pages", done, total)) if progress else None
    collected = Collected() if sink is None else None
    to = collected if collected is not None else cast("Sink", sink)  # made where the job runs
    received = plan.entries.receiving(spool) if plan.entries is not None else None
    problems = fold_repeats(run_jobs(to, todo, workers, report, received))  # a template's, once
    state, index = previous.search if previous is not None else None, plan.search
    if index is not None and memo is not None:  # serve: the last save's state, patched
        from papernotes.incremental.statememo import search_state

        state = search_state(index, digests, state, MAX_BODY, memo)
    elif index is not None:
        state = state_of(index, digests, sizes_of(index.docs, digests, state, MAX_BODY))
    site = RenderedSite(
        pages=tuple(collected.pages if collected is not None else ()),
        copies=plan.copies,
        unchanged=tuple(unchanged),
        rendered=len(todo),
        bodies=bodies,
        terms=terms,
        refs=refs,
        fingerprints=page_prints,
        docs=docs,
        search=None if index is None else state,
        summary=replace(stored.summary(), index=plan.index_rows) if stored is not None else None,
    )
    return site, (*theme.problems, *problems)


def _text_files(make: Callable[[], Iterable[tuple[str, str]]]) -> Output:
    return Output(tuple(Page(path, text.encode("utf-8")) for path, text in make()))


def plan_site(
    library: Library,
    config: Config,
    theme: Theme,
    bodies: Mapping[str, RenderedBody],
    *,
    root: Path,
    body_fps: Mapping[str, str],
    docs: Mapping[str, SearchDoc],
    terms: Mapping[str, DocTerms],
    refs: Mapping[str, tuple[Reference, ...]] | None = None,
    memo: SaveMemo | None = None,
    indexer: Callable[..., SearchIndex] | None = None,
    doc_digests: Mapping[str, str] | None = None,
    ref_prints: Mapping[str, str] | None = None,
    stored: Reuse | None = None,
    search_state: SearchState | None = None,
    last_index: IndexRows | None = None,
) -> SitePlan:
    """Every job of the site, in a fixed order, and the files to copy.

    ``docs`` and ``terms`` are each note's search document and its terms, made beforehand so
    that the index job only assembles them. ``ref_prints``, each note's references' fingerprint
    (what they were formatted from), stands for them in its page's, so they are not read.
    ``search_state``: the last build's stored index, whose document sizes are taken;
    ``last_index``: its site index (``incremental.indexrows``)."""
    # The index shows only the notes' metadata, in library order: kept while that is equal.
    if memo is not None:  # serve: the last save's tuple while equal (``planmemo``)
        from papernotes.incremental.planmemo import metas_of

        of_metas = metas_of(library, memo)
    else:
        of_metas = tuple(n.meta for n in library.notes.values())
    meta_ds = (  # once per note
        memo.each("meta", library.notes, None, lambda _, n: meta_digest(n))
        if memo is not None
        else stored.meta_digests()
        if stored is not None
        else {k: meta_digest(n) for k, n in library.notes.items()}
    )
    rows = None  # a build's: the last build's index, where the metadata is all the same
    if memo is not None:
        index = memo.same("site-index", of_metas, lambda: SiteIndex.of(library))
    else:
        index, rows, _ = site_index(library, meta_ds, last_index)
    # The tag colours come from the notes' tags alone (in library order), as the index does.
    palette = same(memo, "palette", of_metas, partial(tag_palette, library))
    r = Renderer(theme, config, library, index, palette)
    papers_dir = config.papers_dir
    fps = meta_fingerprints(library, memo, meta_ds)
    # With templates of its own, a page may show any part of the library.
    everything = digest(sorted(fps.items())) if len(theme.dirs) > 1 else ""
    # Where each tag and author link leads (an author's page, or their one paper).
    slugs = same(memo, "slugs", (index,), index.links_digest)  # while the index is
    all_keys = same(memo, "all-keys", (index,), index.in_order)  # while the index is
    ordered = cache(lambda: [library.notes[k] for k in all_keys])  # for the pages that list all

    # What each unchanged note's citations resolve to holds while this token does (serve).
    token = library_token(library, papers_dir, memo) if memo is not None else None
    shown = (everything, slugs)
    refs = refs or {}
    ref_prints = ref_prints if ref_prints is not None else {k: digest(v) for k, v in refs.items()}
    prints, files = (
        stored.paper_prints(r.memberships, fps, ref_prints, shown)
        if stored is not None
        else paper_fingerprints(
            library, r.memberships, fps, body_fps, ref_prints, shown, papers_dir, memo, token
        )
    )

    def page_of(key: CiteKey) -> Output:  # the body and references read only if it runs
        return paper_page(r, library.notes[key], bodies[key], papers_dir, refs.get(key, ()))

    jobs, paper_html = jobmemo.paper_jobs(partial(Job, light=True), all_keys, prints, page_of, memo)

    listing = listings(fps, shown, memo)

    def template_job(path: str, fp: str, template: str, **context: object) -> Job:
        return Job(path, fp, lambda: r.page(template, path, **context))

    def listing_job(
        path: str, fp: str, template: str, keys: Sequence[CiteKey], **kw: object
    ) -> Job:
        # The notes looked up only when the page is made: most saves make none of these.
        return Job(path, fp, lambda: r.page(template, path, notes=r.notes_of(keys), **kw))

    def bytes_job(path: str, fp: str, make: Callable[[], str | bytes]) -> Job:
        def run() -> Output:
            data = make()
            return Output((Page(path, data.encode("utf-8") if isinstance(data, str) else data),))

        return Job(path, fp, run, light=True)  # copies little in a worker (sitejobs.HEAVY)

    everyone = listing(all_keys)
    jobs.append(Job("index.html", everyone, lambda: home_page(r, ordered()), here=True))

    def library_data() -> Output:
        files = library_files(ordered(), index.tag_path, index.author_path)
        return Output(tuple(Page(p, text.encode("utf-8")) for p, text in files))

    fp = digest("library-data", everyone)
    jobs.append(Job(LIBRARY_DATA, fp, library_data, library_paths(len(all_keys)), here=True))
    index_prints, listing_pages = index_listings(index, shown, listing, fps, memo)
    for template, path in (("tags.html", "tags/index.html"), ("years.html", "years/index.html")):
        jobs.append(template_job(path, index_prints[template], template)._replace(here=True))
    jobs.append(template_job("404.html", digest("404", everything), "404.html"))
    jobs.append(template_job("search.html", digest("search", everything), "search.html"))
    cited = same(memo, "cited", (library.cites,), lambda: sum(map(len, library.cites.values())))
    graph_fp = digest("graph", everything, len(all_keys), cited)
    jobs.append(Job("graph.html", graph_fp, lambda: graph_page(r)))
    graph_of = (of_metas, library.labels, library.cites, library.mentions, r.palette)
    graph_data = partial(graph.graph_inputs, library, r.palette)  # equal on a body edit
    graph_fp = same(memo, "graph-fp", graph_of, lambda: digest("graph-data", graph_data()))
    jobs.append(
        bytes_job(
            "static/graph-data.js",
            graph_fp,
            lambda: graph.graph_data_js(graph.graph_data(library, r.palette)),
        )._replace(here=True)
    )
    lists = (r, library, listing, same(memo, "to-read", of_metas, partial(to_read, library)))
    jobs.extend(Job(p, fp, make) for p, fp, make in list_jobs(*lists))
    for path, fp, template, keys, context in listing_pages:
        jobs.append(listing_job(path, fp, template, keys, **context))

    # Link previews: one job per file, so an edit rewrites the one shard its card is in.
    if stored is not None:
        jobs.extend(bytes_job(*card) for card in stored.preview_files())
    else:  # serve: the jobs of the shards its memo kept, kept (``jobmemo.FileJobs``)
        cards = preview_files(library, memo, token)
        make_card = lambda c: bytes_job(c.path, c.fingerprint, partial(str, c.text))  # noqa: E731
        jobs.extend(jobmemo.file_jobs(memo, "preview-jobs", cards, make_card))

    texts = cast("Mapping[CiteKey, str]", mapped(bodies, lambda b: b.text))  # the feed reads 20
    # A job per file of the sharded index: an edit rewrites only the shards it shows in.
    indexer, terms_of = indexer or (memo.index if memo else build_index), lambda d: terms[d.key]
    if memo is not None and indexer is memo.index:  # serve: the documents moved looked up
        search_index = memo.index.listed(docs, all_keys, terms_of=terms_of, order=doc_order)
    else:
        listed = list(map(docs.__getitem__, all_keys))
        search_index = indexer(listed, terms_of=terms_of, order=doc_order)
    if memo is not None and doc_digests is not None:  # serve: the shards the edit reached
        from papernotes.incremental.shardmemo import ShardMemo  # serve's: only with a memo

        shard_memo = memo.slot("search-shards", partial(ShardMemo, memo.count))
        moves = memo.index.moves if indexer is memo.index else None
        search_files = shard_memo(search_index, doc_digests, moves)
    else:
        sizes = sizes_of(search_index.docs, doc_digests or {}, search_state, MAX_BODY)
        search_files = shard_files(search_index, doc_digests=doc_digests, sizes=sizes)
    jobs.extend(jobmemo.file_jobs(memo, "search-jobs", search_files, lambda file: bytes_job(*file)))
    for paths, fp, make_texts in library_exports(library, meta_ds.values(), memo, r.entries.take):
        late = paths == BIB_FILES  # they join the entries the paper pages made: after them
        jobs.append(Job(paths[0], fp, partial(_text_files, make_texts), paths, True, late))
    entries = machine.feed_entries(library, texts, among=feed_notes(library, of_metas, memo))
    feed_fp = digest("feed", everything, [(n.key, fps[n.key], d, s) for n, d, s in entries])
    jobs.append(Job("feed.xml", feed_fp, lambda: feed_page(r, texts)))
    if "static/pygments.css" not in theme.static:
        jobs.append(bytes_job("static/pygments.css", "pygments", pygments_css))
    html, robots_fp = jobmemo.robots_html(jobs, len(all_keys), paper_html, memo)
    outputs = ("sitemap.xml", "robots.txt") if config.base_url else ("robots.txt",)
    jobs.append(Job("robots.txt", robots_fp, lambda: robots_and_sitemap(config, html), outputs))
    # Mermaid is 3.5 MB: only a site with a diagram carries it.
    diagrams = (
        stored.any_diagram(bodies) if stored is not None else any_diagram(bodies, memo, body_fps)
    )
    copies = [
        Copy(p, src) for p, src in theme.static.items() if diagrams or not is_diagram_asset(p)
    ]
    copies.extend(Copy(library.files[f], root / papers_dir / f) for f in sorted(files))
    return SitePlan(tuple(jobs), tuple(copies), search_index, rows, r.entries)

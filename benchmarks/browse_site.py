"""Only what the home page and search need, for a library too large to build whole in a session.

A cold build of 50,000 notes renders 50,000 paper pages, thousands of author pages and the Cite
panels (hours on a shared two-core machine); the home table and search read none of them. This
parses the library (over two processes), then writes index.html, search.html, the table's
static/library-data.js, the sharded search index and the static files, through the same plan
jobs a build runs, so what ``benchmarks/pages.py`` times is what a build ships.

Bodies are rendered as a build renders them (``bodyctx.body_renderer``, over forked
processes) and only their text is kept, so the search files are a build's, byte for byte
(``tests/test_browse_site.py`` checks it). The parsed library and the bodies' text are kept in
``<library>/.browse-library.pickle``, so re-writing the pages after a change to table.py,
shards.py or the scripts takes seconds.

    python benchmarks/generate.py 50000 /tmp/lib50k
    python benchmarks/browse_site.py /tmp/lib50k /tmp/lib50k/site
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

from papernotes.bodyctx import body_renderer
from papernotes.build import _read
from papernotes.config import load_config
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.factory import make_parser
from papernotes.model import CiteKey, Library
from papernotes.plan import plan_site
from papernotes.search import SearchDoc, doc_terms, new_folds
from papernotes.search.shards import MANIFEST, SHARD_DIR
from papernotes.search.table import LIBRARY_DATA, LIBRARY_PARTS
from papernotes.theme import load_theme

PAGES = ("index.html", "search.html", LIBRARY_DATA, MANIFEST, "static/pygments.css")
"""The plan's jobs this writes, besides every search shard."""
CACHE = ".browse-library.pickle"


def wanted(path: str) -> bool:
    """Whether the home page or the search page reads the plan job's file."""
    return path in PAGES or path.startswith((SHARD_DIR, LIBRARY_PARTS))


def library_of(root: Path, workers: int) -> tuple[Library, dict[CiteKey, str]]:
    """The parsed library of ``root`` and each note's rendered body text, from the pickle an
    earlier run left when there is one."""
    cache = root / CACHE
    if cache.exists():
        library, texts = pickle.loads(cache.read_bytes())  # our own file, made below
        assert isinstance(library, Library)
        return library, texts
    config, _ = load_config(root)
    read = _read(root, config, make_parser(allow_html=config.allow_html), None, workers)
    texts = body_texts(read.library, config.allow_html, config.papers_dir, workers)
    cache.write_bytes(pickle.dumps((read.library, texts), protocol=pickle.HIGHEST_PROTOCOL))
    return read.library, texts


_SHARED: tuple[Library, bool, str] | None = None
"""The library a forked worker renders from (inherited, not pickled to it)."""


def _texts_of(keys: list[CiteKey]) -> dict[CiteKey, str]:
    assert _SHARED is not None
    library, allow_html, papers_dir = _SHARED
    render = body_renderer(library, make_parser(allow_html=allow_html), papers_dir)
    return {k: render(library.notes[k]).text for k in keys}


def body_texts(
    library: Library, allow_html: bool, papers_dir: str, workers: int
) -> dict[CiteKey, str]:
    """Each note's body text as a build renders it (the search index reads nothing else of
    the body), over ``workers`` forked processes."""
    global _SHARED
    _SHARED = (library, allow_html, papers_dir)
    keys = list(library.notes)
    chunks = [keys[i : i + 500] for i in range(0, len(keys), 500)]
    try:
        if workers <= 1 or len(chunks) <= 1:
            parts = [_texts_of(c) for c in chunks]
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_texts_of, chunks)
    finally:
        _SHARED = None
    return {k: t for part in parts for k, t in part.items()}


def write_pages(
    root: Path, out: Path, library: Library, texts: Mapping[CiteKey, str]
) -> dict[str, int]:
    """Write the home and search pages of ``library`` (and what they load) into ``out``; the
    bytes of each file written."""
    config, _ = load_config(root)
    theme = load_theme(root)
    bodies = {k: RenderedBody(html="", toc_html="", text=texts[k]) for k in library.notes}
    docs = {k: SearchDoc.of_note(n, bodies[k].text) for k, n in library.notes.items()}
    folds = new_folds()
    terms = {k: doc_terms(d, folds) for k, d in docs.items()}
    plan = plan_site(
        library,
        config,
        theme,
        bodies,
        root=root,
        body_fps=dict.fromkeys(library.notes, ""),
        docs=docs,
        terms=terms,
    )
    if out.exists():
        shutil.rmtree(out)
    sizes: dict[str, int] = {}
    for job in plan.jobs:
        if not wanted(job.path):
            continue
        for page in job.run().pages:
            target = out / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.content)
            sizes[page.path] = len(page.content)
    for copy in plan.copies:
        if copy.path.startswith("static/"):
            target = out / copy.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copy.source, target)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    library, texts = library_of(args.library, args.workers)
    parsed = time.perf_counter()
    sizes = write_pages(args.library, args.out, library, texts)
    done = time.perf_counter()
    shards = [v for p, v in sizes.items() if p.startswith(SHARD_DIR)]
    n = max(1, len(library.notes))
    print(
        f"{len(library.notes):,} notes: read and rendered {parsed - start:.1f} s, pages {done - parsed:.1f} s"
    )
    for path in PAGES:
        print(f"  {path}: {sizes.get(path, 0) / 1e6:.2f} MB")
    print(f"  {len(shards)} shards, largest {max(shards, default=0) / 1e6:.2f} MB")
    for kind, prefix in (("term", "t-"), ("doc", "d-")):
        part = [v for p, v in sizes.items() if p.startswith(SHARD_DIR + prefix)]
        print(f"  {len(part)} {kind} shards: {sum(part) / 1e6:.1f} MB, {sum(part) / n:,.0f} B/note")


if __name__ == "__main__":
    main()

"""Only what the home page and search need, for a library too large to build whole in a session.

A cold build of 50,000 notes renders 50,000 paper pages, thousands of author pages and the Cite
panels (hours on a shared two-core machine); the home table and search read none of them. This
parses the library (over two processes), then writes index.html, search.html, the table's
static/library-data.js, the sharded search index and the static files, through the same plan
jobs a build runs, so what ``benchmarks/pages.py`` times is what a build ships.

Bodies are not rendered: a note's search text is its Markdown with whitespace collapsed and
``search.clean`` applied, as a built note's is (what the renderer drops besides, such as link
targets, stays: the index is slightly larger than a built one's). The parsed
library is kept in ``<library>/.browse-library.pickle``, so re-writing the pages after a change
to table.py, shards.py or the scripts takes seconds.

    python benchmarks/generate.py 50000 /tmp/lib50k
    python benchmarks/browse_site.py /tmp/lib50k /tmp/lib50k/site
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import time
from pathlib import Path

from papernotes.build import _read
from papernotes.config import load_config
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.factory import make_parser
from papernotes.model import Library
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


def library_of(root: Path, workers: int) -> Library:
    """The parsed library of ``root``, from its pickle when one was left by an earlier run."""
    cache = root / CACHE
    if cache.exists():
        library = pickle.loads(cache.read_bytes())
        assert isinstance(library, Library)
        return library
    config, _ = load_config(root)
    read = _read(root, config, make_parser(allow_html=config.allow_html), None, workers)
    cache.write_bytes(pickle.dumps(read.library, protocol=pickle.HIGHEST_PROTOCOL))
    return read.library


def write_pages(root: Path, out: Path, library: Library) -> dict[str, int]:
    """Write the home and search pages of ``library`` (and what they load) into ``out``; the
    bytes of each file written."""
    config, _ = load_config(root)
    theme = load_theme(root)
    bodies = {
        k: RenderedBody(html="", toc_html="", text=" ".join(n.body.text.split()))
        for k, n in library.notes.items()
    }
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
    library = library_of(args.library, args.workers)
    parsed = time.perf_counter()
    sizes = write_pages(args.library, args.out, library)
    done = time.perf_counter()
    shards = [v for p, v in sizes.items() if p.startswith(SHARD_DIR)]
    n = max(1, len(library.notes))
    print(f"{len(library.notes):,} notes: read {parsed - start:.1f} s, pages {done - parsed:.1f} s")
    for path in PAGES:
        print(f"  {path}: {sizes.get(path, 0) / 1e6:.2f} MB")
    print(f"  {len(shards)} shards, largest {max(shards, default=0) / 1e6:.2f} MB")
    for kind, prefix in (("term", "t-"), ("doc", "d-")):
        part = [v for p, v in sizes.items() if p.startswith(SHARD_DIR + prefix)]
        print(f"  {len(part)} {kind} shards: {sum(part) / 1e6:.1f} MB, {sum(part) / n:,.0f} B/note")


if __name__ == "__main__":
    main()

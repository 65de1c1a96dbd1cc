"""The site plan: every output as a job whose fingerprint covers exactly what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes import urls
from papernotes.config import load_config
from papernotes.fingerprints import body_fingerprint
from papernotes.incremental.cache import digest
from papernotes.markdown._types import RenderedBody
from papernotes.model import CiteKey, Library
from papernotes.plan import SitePlan, plan_site
from papernotes.search.index import SearchDoc, doc_terms
from papernotes.search.text import new_folds
from papernotes.theme import load_theme

from conftest import clean_library, note_text, write_note

A, B, C = CiteKey("a"), CiteKey("b"), CiteKey("c")


def _library(root: Path, *, b_title: str = "Paper B") -> Library:
    write_note(root, "a.md", note_text("Paper A", extra="cites: [b]\n", body="See [@b].\n"))
    write_note(root, "b.md", note_text(b_title, year=2019))
    write_note(root, "c.md", note_text("Paper C", year=2021, extra="tags: [misc]\n"))
    return clean_library(root)


def _plan(root: Path, library: Library, *, c_body: str = "c") -> SitePlan:
    config, _ = load_config(root)
    bodies = {k: RenderedBody(f"<p>{k}</p>", "", k) for k in library.notes}
    bodies[C] = RenderedBody(f"<p>{c_body}</p>", "", c_body)
    docs = {k: SearchDoc.of_note(n, bodies[k].text) for k, n in library.notes.items()}
    folds = new_folds()
    return plan_site(
        library,
        config,
        load_theme(root),
        bodies,
        root=root,
        body_fps={k: digest(body) for k, body in bodies.items()},
        docs=docs,
        terms={k: doc_terms(doc, folds) for k, doc in docs.items()},
    )


def _fps(plan: SitePlan) -> dict[str, str]:
    return {job.path: job.fingerprint for job in plan.jobs}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "lib"


def test_every_page_has_one_job(root: Path) -> None:
    library = _library(root)
    plan = _plan(root, library)
    paths = [p for job in plan.jobs for p in job.paths]
    assert len(paths) == len(set(paths))
    expected = {
        "index.html",
        "graph.html",
        "library.bib",
        "feed.xml",
        "robots.txt",
        "static/search-index.js",
        urls.year_page(2019),
        *(urls.paper_page(k) for k in (A, B, C)),
    }
    assert expected <= set(paths)
    assert not any(p.endswith(".bib") for p in paths if p.startswith("papers/"))  # no file per note


def test_the_jobs_that_read_every_note_run_in_the_building_process(root: Path) -> None:
    # Made in a forked worker, a page that reads every note copied most of the memory it
    # inherited (at 50,000 notes the authors' index left its worker 400 MiB of its own).
    # The listings cut into pages (the authors index, to-read) read a page's worth each.
    write_note(root, "d.md", note_text("Paper D", extra="status: to-read\n"))
    plan = _plan(root, _library(root))
    here = {job.path for job in plan.jobs if job.here}
    whole = {"index.html", "static/library-data.js", "static/graph-data.js", "library.bib"}
    assert whole | {"tags/index.html", "years/index.html"} <= here
    assert not here & {"to-read.html", "authors/index.html"}
    paths = {job.path for job in plan.jobs}
    assert {urls.paper_page(A), urls.year_page(2019), "graph.html"} <= paths - here


def test_paper_pages_and_files_made_beforehand_are_light_the_listings_not(root: Path) -> None:
    # A worker copies ~0.15 MiB of the parent a paper page, 1.3-1.9 MiB a listing page (at
    # 50,000 notes): the light jobs take a smaller share of a page worker's life.
    write_note(root, "d.md", note_text("Paper D", extra="status: to-read\n"))
    plan = _plan(root, _library(root))
    light = {job.path for job in plan.jobs if job.light}
    assert {urls.paper_page(k) for k in (A, B, C, CiteKey("d"))} <= light
    assert "static/search-index.js" in light
    assert {"static/search/t-0.js", "static/search/d-0.js", "static/preview/0.js"} <= light
    heavy = {urls.year_page(2019), urls.tag_page("misc"), "to-read.html", "authors/index.html"}
    assert heavy <= {job.path for job in plan.jobs} - light


def test_jobs_make_the_pages_they_name(root: Path) -> None:
    plan = _plan(root, _library(root))
    job = next(j for j in plan.jobs if j.path == urls.paper_page(A))
    output = job.run()
    assert output.diagnostics == ()
    pages = output.pages
    assert [p.path for p in pages] == [urls.paper_page(A)]  # its BibTeX is on the page
    assert b"Paper A" in pages[0].content
    assert b"Paper B" in pages[0].content  # the paper it cites is listed


def test_fingerprints_are_stable(root: Path) -> None:
    library = _library(root)
    assert _fps(_plan(root, library)) == _fps(_plan(root, library))


def test_a_body_edit_changes_its_own_page_and_the_search_index_only(root: Path) -> None:
    library = _library(root)
    before, after = _fps(_plan(root, library)), _fps(_plan(root, library, c_body="edited"))
    changed = {path for path in before if before[path] != after[path]}
    assert urls.paper_page(C) in changed
    # The search index: its manifest (when the body's length changed) and the shards it shows in.
    shards = {p for p in changed if p.startswith("static/search/")}
    assert shards
    assert changed - shards <= {urls.paper_page(C), "static/search-index.js", "feed.xml"}
    assert len([p for p in shards if p.startswith("static/search/d-")]) == 1


def test_a_title_edit_reaches_the_pages_that_list_the_paper(root: Path) -> None:
    before = _fps(_plan(root, _library(root)))
    after = _fps(_plan(root, _library(root, b_title="Paper B, renamed")))
    assert before[urls.paper_page(B)] != after[urls.paper_page(B)]
    assert before[urls.paper_page(A)] != after[urls.paper_page(A)]  # A cites B
    assert before["index.html"] != after["index.html"]
    assert before[urls.paper_page(C)] == after[urls.paper_page(C)]  # C has nothing to do with B


def test_body_fingerprint_follows_what_inline_citations_resolve_to(root: Path) -> None:
    library = _library(root)
    renamed = _library(root, b_title="Paper B, renamed")
    fp = body_fingerprint(library.notes[A], "sha", library, "papers")
    assert fp == body_fingerprint(library.notes[A], "sha", library, "papers")
    assert fp != body_fingerprint(library.notes[A], "other sha", library, "papers")
    assert fp != body_fingerprint(renamed.notes[A], "sha", renamed, "papers")
    assert body_fingerprint(library.notes[C], "sha", library, "papers") == body_fingerprint(
        renamed.notes[C], "sha", renamed, "papers"
    )


def test_a_cold_render_site_holds_no_search_terms(root: Path) -> None:
    # Memory: a cold build's terms go to the build's spool as each note's is made
    # (``packed.tokenise_packed``); none is held in memory, and each reads back whole.
    from papernotes.incremental.packed import Packed
    from papernotes.plan import render_site

    library = _library(root)
    config, _ = load_config(root)
    site, _ = render_site(
        library,
        config,
        load_theme(root),
        root=root,
        render_body=lambda note: RenderedBody("<p>x</p>", "", "x"),
        source_digests={n.source: "" for n in library.notes.values()},
    )
    assert isinstance(site.terms, Packed)
    assert site.terms.held() == 0
    assert all("paper" in terms for _, (_, terms) in site.terms.values())
    assert len(site.terms) == 3


def test_search_terms_made_in_memory_keep_one_copy_of_each_term(root: Path) -> None:
    # Memory: where the terms are held (an edit build's, serve's), a term every note holds
    # ("paper", from each title) is one string, not one per note.
    from papernotes.incremental.searchstate import search_inputs

    library = _library(root)
    bodies = {k: (k, RenderedBody("<p>x</p>", "", "x")) for k in library.notes}
    _, terms, _, _ = search_inputs(library, bodies, None, None, 1)
    held = [next(t for t in terms if t == "paper") for _, (_, terms) in terms.values()]
    assert len(held) == 3
    assert all(term is held[0] for term in held)

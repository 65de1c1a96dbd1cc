"""Long listings in pages: a tag's, an author's and a year's papers, the to-read queue, and the
authors index of a large library (``papernotes.paging``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from papernotes import paging, urls
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental.session import Session
from papernotes.indexpages import index_listings
from papernotes.serve.watch import rebuild
from papernotes.siteindex import SiteIndex

from conftest import note_text, same_as_clean, site_tree, write_note


def test_a_listing_is_cut_into_pages_beside_its_first() -> None:
    pages = paging.paged("tags/peft.html", list(range(450)), 200)
    assert [p for p, _, _ in pages] == [
        "tags/peft.html",
        "tags/peft/page-2.html",
        "tags/peft/page-3.html",
    ]
    assert [list(items) for _, items, _ in pages] == [
        list(range(200)),
        list(range(200, 400)),
        list(range(400, 450)),
    ]
    last = pages[2][2]
    assert (last.number, last.pages, last.first, last.last, last.total) == (3, 3, 401, 450, 450)
    [(path, items, pager)] = paging.paged("years/2020.html", [], 200)
    assert (path, list(items), pager.pages) == ("years/2020.html", [], 1)


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (1, [1, 2, 3, 0, 20]),
        (2, [1, 2, 3, 4, 0, 20]),
        (10, [1, 0, 8, 9, 10, 11, 12, 0, 20]),
        (4, [1, 2, 3, 4, 5, 6, 0, 20]),
        (20, [1, 0, 18, 19, 20]),
    ],
)
def test_the_navigation_names_the_ends_and_the_near_pages(number: int, shown: list[int]) -> None:
    pager = paging.paged("t.html", list(range(20)), 1)[number - 1][2]
    assert [n for n, _ in pager.links] == shown
    assert all(path == paging.page_path("t.html", n) for n, path in pager.links if n)


def _library(root: Path, tagged: int, *, to_read: int = 0) -> None:
    for i in range(tagged):
        status = "status: to-read\n" if i < to_read else ""
        extra = f"tags: [peft]\n{status}added: 2024-01-{1 + i % 28:02d}\n"
        title = f"Paper {i:03d}"
        write_note(root, f"p{i:03d}.md", note_text(title, year=2000 + i % 2, extra=extra))


def _soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def _titles(site: Path, rel: str) -> list[str]:
    return [a.get_text() for a in _soup(site, rel).select("ul.paper-list > li > a:first-child")]


def test_every_note_of_a_long_tag_is_on_exactly_one_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "PAPERS_PER_PAGE", 4)
    root = tmp_path / "lib"
    _library(root, 10, to_read=5)
    report = same_as_clean(root, tmp_path / "clean")
    assert report.errors == 0
    site = root / "site"
    pages = ["tags/peft.html", "tags/peft/page-2.html", "tags/peft/page-3.html"]
    assert {p for p in site_tree(site) if p.startswith("tags/peft")} == set(pages)
    listed = [_titles(site, p) for p in pages]
    assert [len(t) for t in listed] == [4, 4, 2]
    # Newest first, as the whole listing was, and each note once.
    assert sorted(t for page in listed for t in page) == [f"Paper {i:03d}" for i in range(10)]
    first = _soup(site, pages[0])
    assert "10 papers, 1–4 on this page" in first.select_one(".result-count").get_text()
    nav = first.select_one("nav.pager")
    assert nav is not None and nav["aria-label"] == "Pages"
    assert nav.select_one("[aria-current=page]").get_text() == "1"
    hrefs = [str(a["href"]) for a in nav.select("a")]
    assert hrefs == ["peft/page-2.html", "peft/page-3.html", "peft/page-2.html"]
    assert first.select_one("a[rel=next]")["href"] == "peft/page-2.html"
    # The home table, filtered to the tag, sorts and filters them all.
    table = first.find("a", string="sort and filter them in the table")
    assert table is not None and table["href"] == "../index.html?tag=peft"
    second = _soup(site, pages[1])
    assert second.title is not None and second.title.get_text().startswith("peft, page 2 — ")
    assert second.select_one("a[rel=prev]")["href"] == "../peft.html"
    for a in second.select("nav.pager a, ul.paper-list a"):  # every link leads to a page
        target = (site / pages[1]).parent / str(a["href"]).partition("?")[0]
        assert target.resolve().is_file(), a["href"]
    # The year pages are cut the same way; the to-read queue too, numbered on from page 1.
    assert (site / "years/2000/page-2.html").is_file()
    queue = ["to-read.html", "to-read/page-2.html"]
    assert {p for p in site_tree(site) if p.startswith("to-read")} == set(queue)
    ol = _soup(site, queue[1]).select_one("ol.to-read")
    assert ol is not None and ol["start"] == "5" and len(ol.select("li")) == 1
    assert "start" not in _soup(site, queue[0]).select_one("ol.to-read").attrs


def test_a_listing_that_shrinks_takes_its_later_pages_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "PAPERS_PER_PAGE", 4)
    root = tmp_path / "lib"
    _library(root, 10)
    same_as_clean(root, tmp_path / "clean")
    for i in range(3, 10):
        (root / "papers" / f"p{i:03d}.md").unlink()
    same_as_clean(root, tmp_path / "clean2")
    site = root / "site"
    assert not (site / "tags/peft/page-2.html").exists()
    assert _soup(site, "tags/peft.html").select_one("nav.pager") is None
    assert "3 papers" in _soup(site, "tags/peft.html").select_one(".result-count").get_text()


def test_serve_moves_a_note_between_pages_as_a_clean_build_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "PAPERS_PER_PAGE", 4)
    root = tmp_path / "lib"
    _library(root, 9)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    note = root / "papers" / "p004.md"
    before = note.stat().st_mtime_ns
    # A new year moves the note to the top of the tag's listing: every page shifts.
    note.write_text(note_text("Paper 004", year=2030, extra="tags: [peft]\n"), encoding="utf-8")
    os.utime(note, ns=(before + 10**9, before + 10**9))
    outcome = rebuild(root, out, session, {str(note.resolve())})
    assert outcome.problems == ()
    session.persist()
    assert _titles(out, "tags/peft.html")[0] == "Paper 004"
    clean = tmp_path / "clean"
    config, _ = load_config(root)
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(out) == site_tree(clean)


def test_a_large_authors_index_is_a_page_per_initial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "AUTHORS_ON_ONE_PAGE", 4)
    monkeypatch.setattr(paging, "AUTHORS_PER_PAGE", 2)
    root = tmp_path / "lib"
    # Three authors under B, one under C; Bea Brown has two papers (an entry, no page).
    write_note(root, "a.md", note_text("One", authors="[Ann Bell, Bea Brown, Cy Cole]"))
    write_note(root, "b.md", note_text("Two", authors="[Bea Brown, Bo Byrne]"))
    write_note(root, "c.md", note_text("Three", authors="[Zed Über]"))
    same_as_clean(root, tmp_path / "clean")
    site = root / "site"
    pages = {p for p in site_tree(site) if p.startswith("authors/")}
    initial = {"authors/initial/b.html", "authors/initial/b/page-2.html"}
    assert pages == {
        "authors/index.html",
        *initial,
        "authors/initial/c.html",
        "authors/initial/u.html",
    }
    index = _soup(site, "authors/index.html")
    nav = [(a.get_text(), a["href"]) for a in index.select("nav.initials a")]
    assert nav == [("B", "initial/b.html"), ("C", "initial/c.html"), ("U", "initial/u.html")]
    assert "(3)" in index.select("nav.initials li")[0].get_text()
    assert index.select("ul.index-list") == []
    assert "5 authors, A–Z by family name, on a page per initial" in index.get_text()
    # Bea Brown's entry is on the page that names her, and links to her lead there.
    where = urls.relative("papers/a.html", "authors/initial/b.html#a-bea-brown")
    paper = _soup(site, "papers/a.html")
    assert paper.find("a", href=where) is not None
    [entry] = _soup(site, "authors/initial/b.html").select("li#a-bea-brown")
    assert "(2)" in entry.get_text()
    second = _soup(site, "authors/initial/b/page-2.html")
    assert [a.get_text() for a in second.select("ul.index-list a")] == ["Bo Byrne"]
    assert second.select_one("nav.initials [aria-current=page]").get_text() == "B"
    assert second.select_one("a[rel=prev]")["href"] == "../b.html"


def test_a_tag_of_more_than_two_hundred_papers_has_a_second_page(tmp_path: Path, cli) -> None:
    root = tmp_path / "lib"
    _library(root, paging.PAPERS_PER_PAGE + 1, to_read=paging.PAPERS_PER_PAGE + 1)
    result = cli("build", "--root", str(root), "-q")
    assert result.code == 0, result.err
    site = root / "site"
    assert len(_titles(site, "tags/peft.html")) == paging.PAPERS_PER_PAGE
    assert len(_titles(site, "tags/peft/page-2.html")) == 1
    # The queue's numbers run on, with room for three digits ("201." outgrew the indent).
    ol = _soup(site, "to-read/page-2.html").select_one("ol.to-read")
    assert ol is not None and ol["start"] == "201" and "digits-3" in ol["class"]


def test_a_page_of_a_listing_changes_only_with_what_it_shows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(paging, "PAPERS_PER_PAGE", 2)

    def index(tagged: tuple[str, ...]) -> SiteIndex:
        return SiteIndex(
            tag_slugs={"peft": "peft"},
            tag_names={"peft": "PEFT"},
            tag_notes={"peft": tagged},
            author_slugs={},
            author_notes={},
            author_links={},
            author_groups=(),
            year_notes={},
        )

    def prints(tagged: tuple[str, ...]) -> dict[str, str]:
        _, pages = index_listings(index(tagged), ("", ""), lambda ks: repr(tuple(ks)), {}, None)
        return {path: fp for path, fp, template, _, _ in pages if template == "tag.html"}

    before = prints(("a", "b", "c", "d", "e"))
    assert list(before) == ["tags/peft.html", "tags/peft/page-2.html", "tags/peft/page-3.html"]
    after = prints(("a", "b", "d", "c", "e"))  # two notes swap on page 2
    assert [before[p] == after[p] for p in before] == [True, False, True]
    grown = prints(("a", "b", "c", "d", "e", "f"))  # page 3 gains one: every page's count
    assert all(before[p] != grown[p] for p in before)

"""Author, tag and year listings: who gets a page, where author links lead, how big lists are."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from papernotes import urls
from papernotes.config import load_config
from papernotes.incremental.cache import digest
from papernotes.markdown._types import RenderedBody
from papernotes.model import Library
from papernotes.plan import plan_site
from papernotes.search.index import SearchDoc, doc_terms
from papernotes.search.text import new_folds
from papernotes.siteindex import AUTHOR_PAGE_MIN_PAPERS, SiteIndex
from papernotes.theme import load_theme

from conftest import clean_library, note_text, write_note

# (file, title, authors, year, extra front matter, body)
NOTES = [
    ("a.md", "Paper A", "[Solo Person, Duo Pair]", 2020, "tags: [x]\n", "Math: $x^2$.\n"),
    ("b.md", "Paper B", "[Duo Pair, Trio Three]", 2021, "tags: [x, y]\n", "Plain.\n"),
    ("c.md", "Paper C", "[Trio Three, Édith Zola]", 2021, "editors: [Ed Itor]\n", "Plain.\n"),
    ("d.md", "Paper D", "[Trio Three, 杨植麟]", 2019, "", "Plain.\n"),
]
PAGES = {"Trio Three": "authors/trio-three.html"}
"""The authors with three or more papers, and their pages."""
ENTRIES = {"Duo Pair": "authors/index.html#a-duo-pair"}
"""The authors with two papers, and their entry in the authors index (which links both)."""
ONLY = {
    "Solo Person": "papers/a.html",
    "Édith Zola": "papers/c.html",
    "Ed Itor": "papers/c.html",
    "杨植麟": "papers/d.html",
}
"""The authors (and the editor) with one paper, and that paper."""


def _write(root: Path, notes: list[tuple[str, str, str, int, str, str]]) -> Library:
    for rel, title, authors, year, extra, body in notes:
        write_note(root, rel, note_text(title, authors=authors, year=year, extra=extra, body=body))
    return clean_library(root)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    root = tmp_path_factory.mktemp("lib")
    _write(root, NOTES)
    assert main(["build", "--root", str(root), "-q"]) == 0
    return root / "site"


def _soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


@pytest.mark.parametrize(
    ("papers", "page"),
    [
        (AUTHOR_PAGE_MIN_PAPERS - 2, False),
        (AUTHOR_PAGE_MIN_PAPERS - 1, False),
        (AUTHOR_PAGE_MIN_PAPERS, True),
        (AUTHOR_PAGE_MIN_PAPERS + 1, True),
    ],
)
def test_an_author_gets_a_page_from_three_papers(tmp_path: Path, papers: int, page: bool) -> None:
    assert AUTHOR_PAGE_MIN_PAPERS == 3
    notes = [
        (f"n{i}.md", f"Paper {i}", "[Jane Doe, Al Other]", 2000 + i, "", "B.\n")
        for i in range(papers)
    ]
    library = _write(tmp_path, [*notes, ("z.md", "Unrelated", "[Zed]", 1999, "", "B.\n")])
    index = SiteIndex.of(library)
    newest = f"papers/n{papers - 1}.html"
    # Two papers and no page: the authors index's entry, which links both.
    alone = "authors/index.html#a-jane-doe" if papers > 1 else newest
    assert index.author_path("Jane Doe") == ("authors/jane-doe.html" if page else alone)
    assert index.entry_anchor("Jane Doe") == ("a-jane-doe" if papers == 2 else "")
    entries = dict(index.author_entries())
    assert entries.get("Jane Doe") == (("n1", "n0") if papers == 2 else None)
    assert ("Jane Doe" in dict(index.author_pages())) is page
    assert index.author_path("Zed") == "papers/z.html"
    assert ("authors/jane-doe.html" in _fps(tmp_path, library)) is page


def test_an_authors_name_is_folded_once_however_many_papers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes import siteindex

    notes = [(f"n{i}.md", f"Paper {i}", "[Jane Doe, Al Other]", 2000, "", "B.\n") for i in range(6)]
    library = _write(tmp_path, notes)
    folded: list[str] = []
    real = siteindex._fold
    monkeypatch.setattr(siteindex, "_fold", lambda text: folded.append(text) or real(text))
    index = SiteIndex.of(library)
    assert sorted(folded) == ["Al", "Doe", "Jane", "Other"]  # family and given, once each
    assert index.author_path("Jane Doe") == "authors/jane-doe.html"


def test_a_slug_stays_when_a_namesake_gains_or_loses_a_page(tmp_path: Path) -> None:
    one = _write(
        tmp_path / "one",
        [
            ("a.md", "A", "[José García]", 2020, "", "B.\n"),
            ("b.md", "B", "[Jose Garcia]", 2020, "", "B.\n"),
            ("c.md", "C", "[Jose Garcia]", 2021, "", "B.\n"),
        ],
    )
    two = _write(
        tmp_path / "two",
        [
            ("a.md", "A", "[José García]", 2020, "", "B.\n"),
            ("b.md", "B", "[Jose Garcia, José García]", 2020, "", "B.\n"),
            ("c.md", "C", "[Jose Garcia]", 2021, "", "B.\n"),
        ],
    )
    before, after = SiteIndex.of(one), SiteIndex.of(two)
    assert before.author_path("Jose Garcia") == after.author_path("Jose Garcia")
    assert before.author_path("José García") == "papers/a.html"
    assert after.author_path("José García") == "authors/index.html#a-jose-garcia-2"


def test_only_authors_with_three_papers_have_pages(site: Path) -> None:
    made = {f"authors/{p.name}" for p in (site / "authors").glob("*.html")}
    assert made == {"authors/index.html", *PAGES.values()}


def test_every_author_link_on_every_page_leads_to_their_page_entry_or_paper(site: Path) -> None:
    expected = {**PAGES, **ENTRIES, **ONLY}
    seen: dict[str, set[str]] = {}
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        for a in _soup(site, rel).find_all("a", href=True):
            name = a.get_text()
            if name not in expected:
                continue
            href = urlsplit(str(a["href"]))
            target = (page.parent / unquote(href.path)).resolve()
            assert target.is_file(), (rel, a)
            path = target.relative_to(site.resolve()).as_posix()
            if href.fragment:  # an entry of the authors index: the id is there
                assert _soup(site, path).find(id=unquote(href.fragment)) is not None, (rel, a)
                path += "#" + unquote(href.fragment)
            seen.setdefault(name, set()).add(path)
    assert seen == {name: {path} for name, path in expected.items()}


def test_an_author_with_two_papers_is_an_index_entry_linking_both(site: Path) -> None:
    [entry] = _soup(site, "authors/index.html").select("li#a-duo-pair")
    assert entry.get_text(" ", strip=True).startswith("Duo Pair (2) :")
    assert [(a.get_text(), a["href"]) for a in entry.find_all("a")] == [
        ("Paper B", "../papers/b.html"),
        ("Paper A", "../papers/a.html"),
    ]


def test_a_name_is_plain_text_on_the_page_its_link_would_lead_to(site: Path) -> None:
    header = _soup(site, "papers/a.html").select_one(".paper-header .authors")
    assert header is not None
    assert [a.get_text() for a in header.find_all("a")] == ["Duo Pair"]
    assert "Solo Person" in header.get_text()
    # In a row, a name with one paper would link to the row's own paper: plain text too.
    row = _soup(site, "tags/x.html").select("ul.paper-list li")[1]
    assert [a.get_text() for a in row.find_all("a")] == ["Paper A", "Duo Pair"]
    assert "Solo Person, Duo Pair" in row.get_text()
    rows = _soup(site, "authors/trio-three.html").select("ul.paper-list li")
    assert all("Trio Three" not in [a.get_text() for a in row.find_all("a")] for row in rows)
    assert all("Trio Three" in row.get_text() for row in rows)


def _name(li: Tag) -> str:
    return li.get_text().split(" (")[0] if li.get("id") else li.a.get_text()


def test_the_authors_index_lists_every_author_once_a_to_z(site: Path) -> None:
    soup = _soup(site, "authors/index.html")
    groups = {
        # A name: the link to the author's page or paper, or an entry's first words.
        str(h2["id"]): [_name(li) for li in h2.find_next_sibling("ul").find_all("li")]
        for h2 in soup.select("main h2")
    }
    assert groups == {
        "by-I": ["Ed Itor"],
        "by-P": ["Duo Pair", "Solo Person"],
        "by-T": ["Trio Three"],
        "by-Z": ["Édith Zola"],
        "by-Other": ["杨植麟"],
    }
    assert [a["href"] for a in soup.select("nav.initials a")] == [f"#{g}" for g in groups]
    counts = {_name(li): li.get_text(" ", strip=True) for li in soup.select("main li")}
    assert counts["Trio Three"] == "Trio Three (3)"
    assert counts["Solo Person"] == "Solo Person"  # one paper: no count, a link to it


@pytest.mark.parametrize(
    ("rel", "rows"),
    [
        ("authors/trio-three.html", ["Paper B", "Paper C", "Paper D"]),
        ("tags/x.html", ["Paper B", "Paper A"]),
        ("tags/y.html", ["Paper B"]),
        ("years/2021.html", ["Paper B", "Paper C"]),
    ],
)
def test_a_listing_is_one_short_row_per_paper(site: Path, rel: str, rows: list[str]) -> None:
    soup = _soup(site, rel)
    items = soup.select("main ul.paper-list > li")
    assert [li.a.get_text() for li in items] == rows
    for li in items:
        assert len(str(li).encode()) < 400, li  # title, year, three authors, venue
        assert not li.select(".tag, .status")  # the home table's columns are not repeated
    assert soup.find("table") is None and "table.js" not in str(soup)


def test_the_timeline_lists_years_not_papers(site: Path) -> None:
    soup = _soup(site, "years/index.html")
    items = [li.get_text(" ", strip=True) for li in soup.select(".timeline > li")]
    assert items == ["2021 (2 papers)", "2020 (1 paper)", "2019 (1 paper)"]
    assert not any(title in soup.get_text() for _, title, *_ in NOTES)


@pytest.mark.parametrize(("rel", "math"), [("papers/a.html", True), ("papers/b.html", False)])
def test_katex_is_loaded_only_where_there_is_math(site: Path, rel: str, math: bool) -> None:
    html = (site / rel).read_text("utf-8")
    assert ("katex.min.js" in html) is math
    assert ("katex.min.css" in html) is math


def test_the_theme_is_set_before_paint_by_one_shared_script(site: Path) -> None:
    for rel in ("index.html", "papers/a.html", "authors/index.html"):
        head = _soup(site, rel).head
        assert head is not None
        scripts = head.find_all("script")
        assert [s.get("src") for s in scripts if s.get("type") is None] == [
            urls.relative(rel, "static/theme-init.js")
        ]
    assert "localStorage" in (site / "static/theme-init.js").read_text("utf-8")


def _fps(root: Path, library: Library) -> dict[str, str]:
    bodies = {k: RenderedBody("<p>b</p>", "", "b") for k in library.notes}
    docs = {k: SearchDoc.of_note(n, "b") for k, n in library.notes.items()}
    folds = new_folds()
    plan = plan_site(
        library,
        load_config(root)[0],
        load_theme(root),
        bodies,
        root=root,
        body_fps={k: digest(b) for k, b in bodies.items()},
        docs=docs,
        terms={k: doc_terms(d, folds) for k, d in docs.items()},
    )
    return {job.path: job.fingerprint for job in plan.jobs}


def test_index_fingerprints_follow_names_links_counts_and_entries(tmp_path: Path) -> None:
    before = _fps(tmp_path, _write(tmp_path, NOTES))
    retitled = [(*n[:1], "Paper B, revised", *n[2:]) if n[0] == "b.md" else n for n in NOTES]
    after = _fps(tmp_path, _write(tmp_path, retitled))
    for path in ("tags/index.html", "years/index.html"):
        assert before[path] == after[path], path
    assert before["tags/x.html"] != after["tags/x.html"]  # it shows the title
    # So does the authors index, in the entry of Duo Pair (two papers, no page), but not
    # for a paper of no such author.
    assert before["authors/index.html"] != after["authors/index.html"]
    retitled = [(*n[:1], "Paper D, revised", *n[2:]) if n[0] == "d.md" else n for n in NOTES]
    unrelated = _fps(tmp_path, _write(tmp_path, retitled))
    assert unrelated["authors/index.html"] == before["authors/index.html"]
    # Solo Person's second paper gives them an entry, their third a page: paper A's header
    # links to each in turn.
    two = [*NOTES, ("e.md", "E", "[Solo Person]", 2022, "", "")]
    more = _fps(tmp_path, _write(tmp_path, two))
    assert before["papers/a.html"] != more["papers/a.html"]
    assert "authors/solo-person.html" not in more
    most = _fps(tmp_path, _write(tmp_path, [*two, ("f.md", "F", "[Solo Person]", 2023, "", "")]))
    assert more["papers/a.html"] != most["papers/a.html"]
    assert "authors/solo-person.html" in most and "authors/solo-person.html" not in before

"""What a page weighs (issue 13, output per note): the bundled site carries each thing once.

The budget is per note at 1,000 notes (benchmarks/, ``--only output``); these tests hold the
rules that keep it: a citation is its href alone, the summary is said once, no file per note
beside its page, and the chrome every page repeats stays within a byte budget.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from papernotes import urls

from conftest import copy_bundled


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    out = tmp_path_factory.mktemp("built") / "site"
    root = copy_bundled(tmp_path_factory.mktemp("lib"))
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    return out


def _papers(site: Path) -> list[Path]:
    pages = sorted(p for p in (site / "papers").glob("*.html") if p.name != "index.html")
    assert len(pages) > 20
    return pages


def _soup(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def test_inline_citations_carry_only_their_href(site: Path) -> None:
    seen = 0
    for page in _papers(site):
        soup = _soup(page)
        for a in soup.select(".note-body a.cite"):
            seen += 1
            assert set(a.attrs) == {"class", "href"}, (page.name, a)
            if "://" in str(a["href"]):
                continue  # a paper outside the library: its arXiv or DOI page
            target = page.parent / str(a["href"]).partition("#")[0]
            assert target.is_file(), (page.name, a["href"])  # the href alone finds the note
    assert seen > 30


def test_the_summary_is_said_once_in_the_head(site: Path) -> None:
    for page in _papers(site):
        head = _soup(page).head
        assert head is not None
        [description] = head.find_all("meta", attrs={"name": "description"})
        assert not head.find_all("meta", property="og:description"), page.name
        text = str(description["content"])
        assert text and str(head).count(text[:60]) == 1, page.name


def test_a_note_makes_its_page_and_no_other_file(site: Path) -> None:
    assert _papers(site)
    others = [p.name for p in (site / "papers").iterdir() if p.suffix != ".html"]
    assert others == []  # no .bib file a note: its entry is on the page
    # The download (papernotes.js's) is named as the removed per-note .bib file was.
    entry = _soup(site / urls.paper_page("hu2021lora")).select_one(".bibtex code#bibtex-entry")
    assert entry is not None and entry.get_text().startswith("@")
    assert entry["data-file"] == posixpath.basename(urls.paper_bib("hu2021lora"))


def test_buttons_that_need_script_are_made_by_it(site: Path) -> None:
    for page in _papers(site):
        soup = _soup(page)
        assert not soup.select(".cite-panel button, .bibtex button"), page.name


def test_the_feed_is_announced_on_the_home_page_and_linked_from_every_page(site: Path) -> None:
    for page in site.rglob("*.html"):
        soup = _soup(page)
        alternate = soup.find_all("link", rel="alternate")
        assert len(alternate) == (page == site / "index.html"), page
        assert soup.select_one("footer a[href$='feed.xml']") is not None, page


def _chrome(page: Path) -> int:
    """Bytes outside <main>, less what is the page's own (title, description, JSON-LD, og:title)."""
    text = page.read_text(encoding="utf-8")
    for pattern in (
        r"<main.*</main>",
        r'<script type="application/ld\+json">.*?</script>',
        r'<meta (name="description"|property="og:title")[^>]*>',
        r"<title>.*?</title>",
    ):
        text = re.sub(pattern, "", text, flags=re.S)
    return len(text.encode("utf-8"))


@pytest.mark.parametrize(
    ("pattern", "budget"),
    [
        # What every page repeats, at most: 1.96 KB on paper pages (with KaTeX, Pygments and
        # Open Graph tags) and 1.66 KB on listings, down from 2.80 KB and 2.02 KB; a little
        # room for a script tag more, none for the summary or the footer's titles twice.
        ("papers/*.html", 2_100),
        ("authors/*.html", 1_750),
        ("tags/*.html", 1_750),
        ("years/*.html", 1_750),
    ],
)
def test_the_chrome_every_page_repeats_stays_within_budget(
    site: Path, pattern: str, budget: int
) -> None:
    pages = list(site.glob(pattern))
    assert pages
    heaviest = max(pages, key=_chrome)
    assert _chrome(heaviest) <= budget, heaviest.name


EXPORTS = ("library.bib", "library-biblatex.bib", "library.json", "library.ris")


def test_the_exports_are_linked_once_on_the_home_page_and_reached_from_every_page(
    site: Path,
) -> None:
    home = _soup(site / "index.html")
    export = home.select_one("footer #export")
    assert export is not None
    assert [a["href"] for a in export.select("a")] == list(EXPORTS)
    assert all((site / name).is_file() for name in EXPORTS)
    pages = [p for p in site.rglob("*.html") if p != site / "index.html"]
    assert len(pages) > 50
    for page in pages:
        soup = _soup(page)
        hrefs = [posixpath.basename(str(a["href"])) for a in soup.select("a[href]")]
        assert not set(EXPORTS) & set(hrefs), page  # said on the home page only
        # Two clicks from any file: this link, then the file's.
        [link] = soup.select("footer a[href$='#export']")
        target = (page.parent / str(link["href"]).partition("#")[0]).resolve()
        assert target == (site / "index.html").resolve(), page


def test_the_theme_button_is_made_by_script_not_carried_by_every_page(site: Path) -> None:
    # test_browser clicks the button papernotes.js makes; without it the button could do nothing.
    for page in site.rglob("*.html"):
        soup = _soup(page)
        assert soup.select_one("[data-theme-toggle], .theme-toggle") is None, page
        assert soup.select_one(".site-header .header-tools") is not None, page
    script = (site / "static/papernotes.js").read_text("utf-8")
    assert 'setAttribute("data-theme-toggle", "")' in script

"""End to end: build a fixture library and the bundled one; every internal link resolves."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, copy_bundled, copy_fixture


def _internal_targets(site: Path) -> list[tuple[Path, str, Path]]:
    found = []
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "img", "script"]):
            ref = tag.get("href") or tag.get("src")
            if not ref:
                continue
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            found.append((page, ref, (page.parent / unquote(parts.path)).resolve()))
    return found


def _assert_no_broken_links(site: Path) -> int:
    targets = _internal_targets(site)
    broken = [(str(p.relative_to(site)), ref) for p, ref, t in targets if not t.is_file()]
    assert broken == []
    assert all(site.resolve() in t.parents for _, _, t in targets)
    return len(targets)


def _ids(soup: BeautifulSoup) -> set[str]:
    return {str(t["id"]) for t in soup.find_all(id=True)}


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    root = copy_fixture("small", tmp_path_factory.mktemp("lib"))
    assert main(["build", "--root", str(root)]) == 0
    return root / "site"


def test_small_site_has_every_page_and_no_broken_links(small_site: Path) -> None:
    for rel in [
        "index.html",
        "tags/index.html",
        "authors/index.html",
        "years/index.html",
        "papers/hu2021lora.html",
        "library.bib",
        "years/2022.html",
        "tags/peft.html",
        "tags/低秩.html",
        "files/peft/figures/update.svg",
        "static/katex/katex.min.js",
    ]:
        assert (small_site / rel).is_file(), rel
    assert _assert_no_broken_links(small_site) > 50
    assert not list(small_site.glob("papers/*.bib"))  # downloaded from the page's entry


def test_paper_page_shows_metadata_citations_and_backlinks(small_site: Path) -> None:
    soup = BeautifulSoup((small_site / "papers/hu2021lora.html").read_text("utf-8"), "html.parser")
    text = soup.get_text(" ")
    assert "LoRA: Low-Rank Adaptation of Large Language Models" in soup.h1.get_text()
    for fact in ["Edward J. Hu", "ICLR 2022", "2022", "peft", "低秩", "read", "2024-03-01"]:
        assert fact in text
    hrefs = {a.get_text(): a["href"] for a in soup.select(".paper-links a")}
    assert hrefs["arXiv"] == "https://arxiv.org/abs/2106.09685"
    assert hrefs["Code"] == "https://github.com/microsoft/LoRA"
    cite = soup.select_one("a.cite[href='houlsby2019parameter.html']")
    assert cite is not None and cite["href"] == "houlsby2019parameter.html"
    assert "Houlsby et al., 2019" in cite.get_text()
    assert soup.select_one("a.wikilink").get_text() == "Adapters"
    cites = [a["href"] for a in soup.select("#cites + ul a")]
    assert cites == ["houlsby2019parameter.html"]
    external = [a["href"] for a in soup.select(".external a")]
    assert external == ["https://arxiv.org/abs/2005.14165"]
    cited_by = [a["href"] for a in soup.select("#cited-by + ul a")]
    assert cited_by == ["evil~3akey.1.html"]
    adapters = BeautifulSoup(
        (small_site / "papers/houlsby2019parameter.html").read_text("utf-8"), "html.parser"
    )
    assert [a["href"] for a in adapters.select("#cited-by + ul a")] == ["hu2021lora.html"]
    assert adapters.select("#mentioned-by") == []
    assert soup.select_one("img")["src"] == "../files/peft/figures/update.svg"
    assert soup.find("a", string="the adapter note")["href"] == "houlsby2019parameter.html#method"
    assert "@inproceedings{hu2021lora," in soup.select_one(".bibtex pre").get_text()
    assert soup.select_one("nav.toc") is not None


def test_chinese_emphasis_math_and_prices(small_site: Path) -> None:
    html = (small_site / "papers/hu2021lora.html").read_text("utf-8")
    assert "<strong>注意力（Attention）</strong>是" in html
    assert "<strong>“重点”</strong>内容" in html
    soup = BeautifulSoup(html, "html.parser")
    maths = [m.get_text() for m in soup.select(".math")]
    assert "W_0 + BA" in maths and any("h = W_0 x + B A x" in m for m in maths)
    assert not any("5" in m for m in maths)
    assert "价格 $5 和 $10 不是公式" in soup.get_text()


def test_untrusted_text_is_escaped_everywhere(small_site: Path) -> None:
    for page in small_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for script in soup.find_all("script"):
            if script.get("type") in ("application/json", "application/ld+json"):
                json.loads(script.get_text())  # data, and still well-formed
            else:
                assert "alert" not in (script.get("src") or script.get_text()), page
        assert soup.find("img", onerror=True) is None, page
        assert soup.find("i", string="tag") is None, page
        assert not soup.select('a[href^="javascript:"]'), page
    hostile = (small_site / "papers/evil~3akey.1.html").read_text("utf-8")
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in hostile
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in hostile


def test_only_files_notes_link_to_are_published(small_site: Path) -> None:
    assert (small_site / "files/peft/houlsby2019.pdf").is_file()
    assert not (small_site / "files/private.txt").exists()
    soup = BeautifulSoup(
        (small_site / "papers/houlsby2019parameter.html").read_text("utf-8"), "html.parser"
    )
    pdf = soup.find("a", string="PDF")
    assert pdf is not None and pdf["href"] == "../files/peft/houlsby2019.pdf"


def test_author_tag_and_year_pages_list_their_papers(small_site: Path) -> None:
    tag = BeautifulSoup((small_site / "tags/peft.html").read_text("utf-8"), "html.parser")
    titles = [a.get_text() for a in tag.select("ul.paper-list > li > a:first-child")]
    assert titles == [
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "Parameter-Efficient Transfer Learning for NLP",
    ]
    authors = (small_site / "authors/index.html").read_text("utf-8")
    for name in ["Stanisław Jastrzębski", "杨植麟", "Neil Houlsby"]:
        assert name in authors
    years = BeautifulSoup((small_site / "years/index.html").read_text("utf-8"), "html.parser")
    assert [a.get_text() for a in years.select(".timeline > li > a")] == ["2023", "2022", "2019"]


def _note_files() -> list[Path]:
    """The bundled notes: every Markdown file but the reading lists (``papers/lists/*.md``)."""
    lists = REPO / "papers" / "lists"
    return [p for p in (REPO / "papers").rglob("*.md") if p.parent != lists]


def test_bundled_library_builds_without_warnings(tmp_path: Path, cli) -> None:
    out = tmp_path / "site"
    root = copy_bundled(tmp_path / "lib")
    result = cli("build", "--root", str(root), "--out", str(out), "--strict")
    assert result.code == 0, result.err
    assert result.err == ""
    assert " 0 warnings" in result.out
    notes = _note_files()
    assert len(list((out / "papers").glob("*.html"))) == len(notes) >= 9
    _assert_no_broken_links(out)


def test_bundled_library_exports_bibtex_that_real_bibtex_and_pybtex_accept(
    tmp_path: Path, cli
) -> None:
    import subprocess

    from pybtex.database import parse_string

    result = cli("bib", "--root", str(REPO), "--strict")
    assert result.code == 0, result.err
    data = parse_string(result.out, "bibtex")
    notes = _note_files()
    assert len(data.entries) == len(notes)
    for entry in data.entries.values():
        assert entry.persons["author"], entry.key
        assert entry.fields["title"] and entry.fields["year"].isdigit()
    (tmp_path / "lib.bib").write_text(result.out, encoding="utf-8")
    (tmp_path / "doc.aux").write_text(
        "\\citation{*}\n\\bibdata{lib}\n\\bibstyle{plain}\n", encoding="utf-8"
    )
    run = subprocess.run(
        ["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    blg = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, run.stdout + blg
    assert "Warning" not in blg and "error message" not in blg, blg
    assert (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace").count(
        "\\bibitem"
    ) == len(notes)


def test_a_paper_with_thousands_of_authors_builds_in_linear_size(tmp_path: Path, cli) -> None:
    """A paper's 3,000 authors get no page each (one paper apiece): the authors index names
    them all, one short line each linking to the paper, so the site grows with the number of
    authors, not its square (2,000 authors used to make 90 MB, then 3,000 pages)."""
    n = 3000
    papers = tmp_path / "lib" / "papers"
    papers.mkdir(parents=True)
    names = "".join(f"  - Given{i} Family{i}\n" for i in range(n))
    (papers / "big.md").write_text(
        f"---\ntitle: Big collaboration\nauthors:\n{names}year: 2022\ntags: [big]\n---\nBody.\n",
        encoding="utf-8",
    )
    result = cli("build", "--root", str(tmp_path / "lib"), "-q")
    assert result.code == 0, result.err
    site = tmp_path / "lib" / "site"
    # Past 2,000 authors the index is a page per initial, in pages of 1,000 (all under F).
    pages = [str(p.relative_to(site / "authors")) for p in (site / "authors").rglob("*.html")]
    initial = ["initial/f.html", "initial/f/page-2.html", "initial/f/page-3.html"]
    assert sorted(pages) == sorted(["index.html", *initial])
    assert sum((site / "authors" / p).stat().st_size for p in pages) < 80 * n
    hrefs: list[str] = []
    for page in initial:
        soup = BeautifulSoup((site / "authors" / page).read_text("utf-8"), "html.parser")
        hrefs += [str(a["href"]) for a in soup.select("ul.index-list a")]
    assert len(hrefs) == n
    assert set(hrefs) == {"../../papers/big.html", "../../../papers/big.html"}
    row = BeautifulSoup((site / "tags/big.html").read_text("utf-8"), "html.parser")
    cell = row.select_one("ul.paper-list li .muted")
    assert cell is not None
    # Unlinked: each name would lead to this very paper, which the row's title links to.
    assert cell.find_all("a") == []
    assert (
        cell.get_text()
        == " · 2022 · Given0 Family0, Given1 Family1, Given2 Family2 et al. (3,000 authors)"
    )
    paper = BeautifulSoup((site / "papers/big.html").read_text("utf-8"), "html.parser")
    header = paper.select_one(".paper-header .authors")
    assert header is not None
    # The paper page names everyone, unlinked: each link would lead back to this page.
    assert header.find_all("a") == []
    assert header.get_text().count("Family") == n
    details = header.find("details")
    assert details is not None and details.summary.get_text() == "and 2,980 more authors"

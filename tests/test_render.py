from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from conftest import note_text, write_note


def test_raw_html_is_text_by_default_and_sanitised_when_allowed(tmp_path: Path, cli) -> None:
    body = (
        '<b>bold</b> <script>alert(1)</script> <a href="javascript:alert(2)">x</a> '
        '<img src="a.png" onerror="alert(3)"> [y](javascript:alert(4))\n'
    )
    write_note(tmp_path, "a.md", note_text(body=body))
    (tmp_path / "papers" / "a.png").write_bytes(b"\x89PNG")
    assert cli("build", "--root", str(tmp_path)).code == 0
    page = (tmp_path / "site" / "papers" / "a.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;bold&lt;/b&gt;" in page

    (tmp_path / "papernotes.yaml").write_text("allow_html: true\n", encoding="utf-8")
    assert cli("build", "--root", str(tmp_path)).code == 0
    soup = BeautifulSoup(
        (tmp_path / "site" / "papers" / "a.html").read_text("utf-8"), "html.parser"
    )
    body_html = soup.select_one(".note-body")
    assert body_html.find("b").get_text() == "bold"
    assert body_html.find("script") is None
    for tag in body_html.find_all(True):
        assert not any(k.startswith("on") for k in tag.attrs), tag
        assert "javascript" not in str(tag.get("href", "")) + str(tag.get("src", "")), tag
    assert "alert(1)" not in str(body_html)
    assert body_html.find("img")["src"] == "../files/a.png"


def test_home_lists_every_paper_newest_first(tmp_path: Path, cli) -> None:
    write_note(tmp_path, "old.md", note_text("Old paper", year=2001))
    write_note(
        tmp_path, "new.md", note_text("New paper", year=2024, extra="tags: [x]\nstatus: reading\n")
    )
    write_note(tmp_path, "mid.md", note_text("Mid paper", year=2010))
    assert cli("build", "--root", str(tmp_path)).code == 0
    soup = BeautifulSoup((tmp_path / "site" / "index.html").read_text("utf-8"), "html.parser")
    rows = soup.select("table.papers tbody tr")
    assert [r.find_all("td")[1].get_text() for r in rows] == ["New paper", "Mid paper", "Old paper"]
    first = [td.get_text(" ", strip=True) for td in rows[0].find_all("td")]
    assert first == ["2024", "New paper", "Ada Lovelace", "", "x", "reading"]


def test_unresolved_citation_is_visible_on_the_page(tmp_path: Path, cli) -> None:
    write_note(tmp_path, "a.md", note_text(body="As shown in [@ghost2020].\n"))
    result = cli("build", "--root", str(tmp_path))
    assert result.code == 0
    assert 'papers/a.md:6:13: warning: unknown citation key "ghost2020"' in result.err
    soup = BeautifulSoup(
        (tmp_path / "site" / "papers" / "a.html").read_text("utf-8"), "html.parser"
    )
    span = soup.select_one(".cite.unresolved")
    assert span is not None and span.name == "span" and "ghost2020" in span.get_text()


def test_pages_of_one_folder_work_out_each_href_once(tmp_path: Path, monkeypatch) -> None:
    from papernotes import urls
    from papernotes.build import build
    from papernotes.config import load_config

    for i in range(3):
        write_note(tmp_path, f"p{i}.md", note_text(f"Paper {i}", extra="tags: [shared]\n"))
    asked: list[tuple[str, str]] = []
    relative = urls.relative

    def counted(from_page: str, to_path: str) -> str:
        asked.append((from_page.rpartition("/")[0], to_path))
        return relative(from_page, to_path)

    monkeypatch.setattr(urls, "relative", counted)
    config, _ = load_config(tmp_path)
    build(tmp_path, config, out=tmp_path / "site", use_cache=False, workers=1)
    # Three paper pages link the stylesheet and the tag page; each href is worked out once.
    assert asked.count(("papers", "static/style.css")) == 1
    assert asked.count(("papers", "tags/shared.html")) == 1
    page = (tmp_path / "site" / "papers" / "p2.html").read_text("utf-8")
    assert 'href="../static/style.css"' in page and 'href="../tags/shared.html"' in page

"""What machines read: JSON-LD, Open Graph, the Atom feed, robots.txt and the sitemap."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import copy_fixture

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    root = copy_fixture("small", tmp_path_factory.mktemp("lib"))
    with (root / "papernotes.yaml").open("a", encoding="utf-8") as f:
        f.write("base_url: https://notes.example.org/sub/\nauthor: Ada\n")
    assert main(["build", "--root", str(root)]) == 0
    return root / "site"


def _soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def test_json_ld_describes_a_note_about_the_paper(site: Path) -> None:
    soup = _soup(site, "papers/hu2021lora.html")
    [script] = soup.find_all("script", type="application/ld+json")
    doc = json.loads(script.string)
    assert doc["@type"] == "Article"
    assert doc["url"] == "https://notes.example.org/sub/papers/hu2021lora.html"
    about = doc["about"]
    assert about["@type"] == "ScholarlyArticle"
    assert about["name"] == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert about["sameAs"] == ["https://arxiv.org/abs/2106.09685"]
    assert [a["name"] for a in about["author"]] == ["Edward J. Hu", "Yelong Shen", "Phillip Wallis"]
    cited = [c["sameAs"][0] for c in doc["citation"]]
    # A cited paper with an identifier is its identifiers alone, in the library or not: its
    # own page (and this page's Cites list) has the rest.
    assert [sorted(c) for c in doc["citation"]] == [["@type", "sameAs"], ["@type", "sameAs"]]
    assert cited == ["https://arxiv.org/abs/1902.00751", "https://arxiv.org/abs/2005.14165"]


def test_no_scholar_citation_tags_and_open_graph_present(site: Path) -> None:
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        assert not soup.find("meta", attrs={"name": lambda n: n and n.startswith("citation_")}), (
            page
        )
    soup = _soup(site, "papers/hu2021lora.html")
    og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
    assert og["og:type"] == "article"
    assert og["og:title"].startswith("LoRA: Low-Rank Adaptation")
    assert og["og:url"] == "https://notes.example.org/sub/papers/hu2021lora.html"
    # One description: Open Graph readers fall back to it, so og:description would repeat it.
    assert "og:description" not in og
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert description and str(soup.head).count(description) == 1


def test_hostile_title_cannot_break_out_of_json(site: Path) -> None:
    soup = _soup(site, "papers/evil~3akey.1.html")
    doc = json.loads(soup.find("script", type="application/ld+json").string)
    assert doc["about"]["name"].startswith("<script>alert('title')</script>")
    raw = (site / "papers/evil~3akey.1.html").read_text("utf-8")
    assert "</script>alert" not in raw and "<script>alert" not in raw


def test_atom_feed_lists_recently_read_notes(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "LoRA: Low-Rank Adaptation of Large Language Models"
    ]
    entry = entries[0]
    assert (
        entry.find(f"{ATOM}link").get("href")
        == "https://notes.example.org/sub/papers/hu2021lora.html"
    )
    assert entry.findtext(f"{ATOM}updated") == "2024-03-01T00:00:00Z"
    assert feed.findtext(f"{ATOM}updated") == "2024-03-01T00:00:00Z"
    home = _soup(site, "index.html")
    assert home.find("link", type="application/atom+xml")["href"] == "feed.xml"


def test_sitemap_and_robots_use_the_base_url(site: Path) -> None:
    robots = (site / "robots.txt").read_text("utf-8")
    assert "Sitemap: https://notes.example.org/sub/sitemap.xml" in robots
    urls = [
        u.text
        for u in ET.parse(site / "sitemap.xml")
        .getroot()
        .iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert "https://notes.example.org/sub/index.html" in urls
    assert "https://notes.example.org/sub/tags/%E4%BD%8E%E7%A7%A9.html" in urls
    assert not any("404" in u for u in urls)
    assert (site / "404.html").is_file()


def test_without_base_url_feed_links_are_relative(tmp_path: Path, cli) -> None:
    root = copy_fixture("small", tmp_path)
    assert cli("build", "--root", str(root)).code == 0
    feed = ET.parse(root / "site" / "feed.xml").getroot()
    assert feed.find(f"{ATOM}entry").find(f"{ATOM}link").get("href") == "papers/hu2021lora.html"
    assert not (root / "site" / "sitemap.xml").exists()
    assert "Sitemap" not in (root / "site" / "robots.txt").read_text("utf-8")


CONTROLS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])) + "\ufffe\uffff"
"""Every character XML 1.0 forbids that can reach a page (lone surrogates cannot: YAML refuses
them and note files are read as UTF-8)."""


def test_feed_sitemap_and_pages_stay_well_formed_whatever_a_note_holds(tmp_path: Path, cli) -> None:
    import xml.dom.minidom

    root = tmp_path / "lib"
    (root / "papers").mkdir(parents=True)
    (root / "papernotes.yaml").write_text(
        'base_url: https://notes.example.org/\ntitle: "Lib\\x01"\n', encoding="utf-8"
    )
    # YAML's escapes put control characters in front matter; a body holds them as they are.
    escaped = "".join(
        f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in CONTROLS
    )
    (root / "papers" / "cc.md").write_text(
        f'---\ntitle: "Bell{escaped}end"\nauthors: ["Ann\\x02 Bee"]\nyear: 2021\n'
        f'read: 2024-01-01\ntags: ["t\\x03"]\n---\nBody {CONTROLS} text.\n',
        encoding="utf-8",
    )
    (root / "papers" / "plain.md").write_text(
        f"---\ntitle: Plain\nauthors: [A B]\nyear: 2020\nread: 2024-01-02\n---\nx{CONTROLS}y\n",
        encoding="utf-8",
    )
    result = cli("build", "--root", str(root))
    assert result.code == 0, result.err
    site = root / "site"
    for name in ("feed.xml", "sitemap.xml"):
        xml.dom.minidom.parse(str(site / name))  # raises on a document that is not well-formed
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == "Lib: recently read"
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.findall(f"{ATOM}entry")}
    assert set(entries) == {"Bellend", "Plain"}
    # Markdown turns NUL into U+FFFD, as HTML does; the rest is gone.
    summary = entries["Bellend"].findtext(f"{ATOM}summary") or ""
    assert summary.split() == ["Body", "\ufffd", "text."]
    assert (entries["Plain"].findtext(f"{ATOM}summary") or "").split() == ["x\ufffd", "y"]
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert not any(c in text for c in CONTROLS), page


def test_xml_text_removes_what_xml_forbids_and_keeps_the_rest() -> None:
    from papernotes.machine import sitemap, xml_text

    kept = "tab\t nl\n cr\r é 中 \x7f \x85 \ud7ff \ue000 \ufffd 😀"
    assert xml_text(f"a{CONTROLS}\ud800\udfffb") == "ab"
    assert xml_text(kept) == kept
    root = ET.fromstring(sitemap(["https://x.org/a\x01b.html"]))
    assert [loc.text for loc in root.iter()][-1] == "https://x.org/ab.html"


@pytest.mark.parametrize(
    "text",
    [
        "tab\t nl\n cr\r é 中 \x7f \x85 \ud7ff \ue000 \ufffd ￥ 😀",  # kept as it is
        *(f"a{c}b" for c in CONTROLS),  # each forbidden character alone
        "a\ud800b",
        "\udfff",
        "\ud83d\ude00",  # a surrogate pair as two code points: lone surrogates both
        f"中{CONTROLS}\ud800文",
    ],
)
def test_xml_bytes_are_xml_text_in_utf8(text: str) -> None:
    from papernotes.machine import xml_bytes, xml_text

    assert xml_bytes(text) == xml_text(text).encode("utf-8")


def test_json_ld_names_a_cited_papers_first_authors_only(tmp_path: Path, cli) -> None:
    papers = tmp_path / "lib" / "papers"
    papers.mkdir(parents=True)
    names = ", ".join(f"G{i} F{i}" for i in range(50))
    (papers / "big.md").write_text(
        f"---\ntitle: Big\nauthors: [{names}]\nyear: 2022\n---\n", encoding="utf-8"
    )
    (papers / "small.md").write_text(
        "---\ntitle: Small\nauthors: [A B]\nyear: 2023\ncites: [big]\n---\n", encoding="utf-8"
    )
    assert cli("build", "--root", str(tmp_path / "lib")).code == 0
    site = tmp_path / "lib" / "site"

    def json_ld(rel: str) -> dict:
        soup = _soup(site, rel)
        return json.loads(soup.find("script", type="application/ld+json").string)

    assert len(json_ld("papers/big.html")["about"]["author"]) == 50
    [cited] = json_ld("papers/small.html")["citation"]
    assert [a["name"] for a in cited["author"]] == [f"G{i} F{i}" for i in range(10)]


def _summary_of_whole(text: str) -> str:
    # What summary_text gave when it collapsed the whole text first.
    text = " ".join(text.split())
    if len(text) <= 200:
        return text
    cut = text[:200].rsplit(" ", 1)[0] if " " in text[:200] else text[:200]
    return cut.rstrip(",;:，；：") + "…"


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "bc", " ", "  ", "\n\n", "\u3000", "中文", "，", ",", "x" * 150]),
        max_size=120,
    ),
    st.integers(0, 900),
)
def test_a_summary_collapses_only_the_start_it_shows(pieces: list[str], spaces: int) -> None:
    # Spaces up front: the start the summary collapses may hold too little once collapsed.
    from papernotes.machine import summary_text

    for text in ("".join(pieces), " " * spaces + "".join(pieces)):
        assert summary_text(text) == _summary_of_whole(text)

"""Obsidian embeds (``![[fig.png|300]]``, ``![[note#Method]]``), root-absolute paths and
placeholders for what is missing: the parser, the resolution rules, the whole site built from
``tests/fixtures/embeds/``, and Chromium showing it."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Page, expect

from papernotes.bodyctx import ALREADY_SHOWN, MAX_DEPTH, TOO_DEEP
from papernotes.build import build
from papernotes.config import load_config
from papernotes.link import check_root_links
from papernotes.markdown._types import BodyEmbed, EmbedTarget, LocalLink, RenderContext
from papernotes.markdown.body import render_body
from papernotes.markdown.embed import file_kind, split_label
from papernotes.markdown.excerpt import excerpt_tokens, parse_for_excerpt
from papernotes.markdown.extract import is_root_url, parse_body
from papernotes.markdown.factory import make_parser
from papernotes.vault import FoundFile, find_file, root_path

from browser import serve
from conftest import library_at

MD = make_parser()
FIXTURE = Path(__file__).parent / "fixtures" / "embeds"


# --- syntax -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "embeds"),
    [
        ("![[fig.png]]", (BodyEmbed("fig.png", "", "", 1, 1),)),
        ("a ![[fig.png|300]]", (BodyEmbed("fig.png", "", "300", 1, 3),)),
        ("![[fig.png|300x200]]", (BodyEmbed("fig.png", "", "300x200", 1, 1),)),
        ("x\n![[sub/fig.png|alt text]]", (BodyEmbed("sub/fig.png", "", "alt text", 2, 1),)),
        ("![[Screen Shot 2021.png]]", (BodyEmbed("Screen Shot 2021.png", "", "", 1, 1),)),
        ("![[other note#Method]]", (BodyEmbed("other note", "Method", "", 1, 1),)),
        ("![[note#^b1|see]]", (BodyEmbed("note", "^b1", "see", 1, 1),)),
        ("| ![[a.png]] |\n|---|\n", (BodyEmbed("a.png", "", "", 1, 3),)),
        # Not embeds: no target, code, brackets inside, a link's text.
        ("![[#Heading]]", ()),
        ("![[]]", ()),
        ("`![[fig.png]]`", ()),
        ("![[a]b]]", ()),
        ("[![[fig.png]]](https://x.org)", ()),
    ],
)
def test_embeds_are_parsed_with_their_position(text: str, embeds: tuple[BodyEmbed, ...]) -> None:
    body = parse_body(MD, text)
    assert body.embeds == embeds
    # An embed is not a citation: no "unknown citation key" for a pasted image.
    assert body.citations == ()


@pytest.mark.parametrize(
    ("label", "split"),
    [
        ("", ("", "", "")),
        ("300", ("", "300", "")),
        ("300x200", ("", "300", "200")),
        ("alt text", ("alt text", "", "")),
        ("alt text|120", ("alt text", "120", "")),
        ("a|b", ("a|b", "", "")),
        ("3 wide", ("3 wide", "", "")),
    ],
)
def test_labels_give_alt_text_and_size(label: str, split: tuple[str, str, str]) -> None:
    assert split_label(label) == split


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        *(
            (f"fig.{ext}", "image")
            for ext in ["png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp"]
        ),
        ("Fig.PNG", "image"),
        ("paper.pdf", "file"),
        ("talk.mp3", "file"),
        ("clip.mp4", "file"),
        ("Other Note", "note"),
        ("note.md", "note"),
        ("Results v1.2", "note"),
    ],
)
def test_file_kind_follows_the_extension(target: str, kind: str) -> None:
    assert file_kind(target) == kind


@pytest.mark.parametrize(
    ("url", "root"),
    [("/attachments/x.png", True), ("//cdn.org/x.png", False), ("x.png", False), ("#a", False)],
)
def test_root_urls(url: str, root: bool) -> None:
    assert is_root_url(url) is root


def test_root_absolute_links_are_collected_apart() -> None:
    body = parse_body(MD, "![a](/att/x.png) [b](/y.pdf) ![c](rel.png)")
    assert body.root_links == (
        LocalLink("/att/x.png", 1, True, 1),
        LocalLink("/y.pdf", 1, False, 18),
    )
    assert [link.url for link in body.local_links] == ["rel.png"]
    assert root_path("/att/x.png#f") == "att/x.png"
    assert root_path("/../x.png") is None


# --- rendering with a given context ------------------------------------------------------------


def _embed(target: str, fragment: str, block: bool) -> EmbedTarget | None:
    if file_kind(target) == "image" and target != "gone.png":
        return EmbedTarget("image", f"../files/{target}", target)
    if target == "paper.pdf":
        return EmbedTarget("file", "../files/paper.pdf", "paper.pdf")
    if target == "note":
        return EmbedTarget("note", "note.html", "A Note", "<p>inner text</p>\n")
    return None


CTX = RenderContext(
    cite=lambda key: None,
    local=lambda url: None if "gone" in url else f"../files/{url.lstrip('/')}",
    embed=_embed,
    missing=lambda url: "gone" in url,
)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "![[fig.png|300]]",
            '<p><img src="../files/fig.png" alt="fig.png" width="300" loading="lazy"></p>',
        ),
        (
            "![[fig.png|Fig 1|300x200]]",
            '<p><img src="../files/fig.png" alt="Fig 1" width="300" height="200" loading="lazy"></p>',
        ),
        (
            "![[Screen Shot 2021.png]]",
            '<p><img src="../files/Screen Shot 2021.png" alt="Screen Shot 2021.png" '
            'loading="lazy"></p>',
        ),
        ("![[paper.pdf]]", '<p><a class="embed-file" href="../files/paper.pdf">paper.pdf</a></p>'),
        (
            "![[gone.png|Lost]]",
            '<p><span class="missing-image" title="image not found">Lost <code>gone.png</code>'
            "</span></p>",
        ),
        (
            "![Gone](gone.png)",
            '<p><span class="missing-image" title="image not found">Gone <code>gone.png</code>'
            "</span></p>",
        ),
        ("![Root](/att/x.png)", '<p><img src="../files/att/x.png" alt="Root" loading="lazy"></p>'),
        (
            "![[nothing here]]",
            '<p><span class="embed-missing" title="note not found">nothing here</span></p>',
        ),
        (
            "![[note]]",
            '<div class="embed">\n<p class="embed-source"><a href="note.html">A Note</a></p>\n'
            "<p>inner text</p>\n</div>",
        ),
        ("see ![[note]].", '<p>see <a class="embed-link" href="note.html">A Note</a>.</p>'),
    ],
)
def test_embeds_render(text: str, html: str) -> None:
    assert render_body(MD, parse_body(MD, text), CTX).html.strip() == html


def test_embeds_without_a_resolver_are_placeholders_and_html_survives_the_sanitizer() -> None:
    md = make_parser(allow_html=True)
    plain = RenderContext(cite=lambda key: None, local=lambda url: None)
    out = render_body(md, parse_body(md, "![[fig.png|A]] ![[note]]"), plain).html
    assert 'class="missing-image"' in out and 'class="embed-missing"' in out
    rendered = render_body(md, parse_body(md, "![[note]]\n\n![[fig.png|300]]"), CTX).html
    soup = BeautifulSoup(rendered, "html.parser")
    assert soup.select_one("div.embed p.embed-source a")["href"] == "note.html"  # type: ignore[index]
    assert soup.select_one("img")["width"] == "300"  # type: ignore[index]


SECTIONED = (
    "# Intro\n\nIntro text.\n\n# Method\n\nWe do it[^1].\n\n## Details\n\nDetail. ^d1\n\n"
    "# Results\n\nDone.\n\n- item one ^li\n- item two\n\n[^1]: A note.\n"
)


@pytest.mark.parametrize(
    ("fragment", "kept", "dropped"),
    [
        ("", ["Intro text.", "We do it", "Done.", "A note."], []),
        ("Method", ["We do it", "Detail.", "A note."], ["Intro text.", "Done."]),
        ("method", ["We do it"], ["Intro text."]),
        ("Method#Details", ["Detail."], ["We do it", "Done.", "A note."]),
        ("Results", ["Done.", "item one"], ["Detail.", "A note."]),
        ("^d1", ["Detail."], ["^d1", "Details", "We do it"]),
        ("^li", ["item one"], ["^li", "item two"]),
    ],
)
def test_excerpts(fragment: str, kept: list[str], dropped: list[str]) -> None:
    tokens = parse_for_excerpt(MD, SECTIONED)
    part = excerpt_tokens(tokens, fragment)
    assert part is not None
    html = MD.renderer.render(part, MD.options, {"cite": lambda k: None, "local": lambda u: None})
    assert all(text in html for text in kept), html
    assert not [text for text in dropped if text in html], html
    assert ' id="h-' not in html  # transcluded headings carry no ids


@pytest.mark.parametrize("fragment", ["Nope", "^nope"])
def test_an_absent_fragment_is_none(fragment: str) -> None:
    assert excerpt_tokens(parse_for_excerpt(MD, SECTIONED), fragment) is None


# --- finding files the way Obsidian does ------------------------------------------------------

FILES = frozenset(
    {
        "notes/figure.png",
        "attachments/Screen Shot 2021.png",
        "attachments/sub/fig.png",
        "attachments/dup.png",
        "other/dup.png",
        "files/paper.pdf",
    }
)


@pytest.mark.parametrize(
    ("folder", "target", "found"),
    [
        ("notes", "figure.png", FoundFile("notes/figure.png")),  # next to the note
        ("", "notes/figure.png", FoundFile("notes/figure.png")),  # from the vault's root
        ("notes", "attachments/sub/fig.png", FoundFile("attachments/sub/fig.png")),
        ("notes", "/attachments/sub/fig.png", FoundFile("attachments/sub/fig.png")),
        ("notes", "Screen Shot 2021.png", FoundFile("attachments/Screen Shot 2021.png")),
        ("notes", "sub/fig.png", FoundFile("attachments/sub/fig.png")),  # a partial path
        ("deep/er", "paper.pdf", FoundFile("files/paper.pdf")),
        ("notes", "FIGURE.png", FoundFile("notes/figure.png")),  # Obsidian ignores case
        (
            "x",
            "dup.png",
            FoundFile("attachments/dup.png", ("attachments/dup.png", "other/dup.png")),
        ),
        ("notes", "nowhere.png", FoundFile(None)),
        ("notes", "../../etc/passwd", FoundFile(None)),
        ("notes", "ub/fig.png", FoundFile(None)),  # whole path parts only
    ],
)
def test_find_file(folder: str, target: str, found: FoundFile) -> None:
    assert find_file(folder, target, FILES) == found


# --- the whole site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("lib") / "embeds"
    shutil.copytree(FIXTURE, root)
    out = tmp_path_factory.mktemp("site") / "notes"
    config, _ = load_config(root)
    report = build(root, config, out=out, use_cache=False)
    assert report.errors == 0
    return root, out, [d.format() for d in report.diagnostics]


def _page(out: Path, key: str) -> BeautifulSoup:
    return BeautifulSoup((out / "papers" / f"{key}.html").read_text("utf-8"), "html.parser")


def test_every_missing_or_ambiguous_thing_is_one_warning_with_its_place(
    site: tuple[Path, Path, list[str]],
) -> None:
    where = "papers/notes/embedder.md"
    assert site[2] == [
        f'{where}:25:10: warning: embed "![[Nowhere.png]]": no such file or note in papers/ '
        "(check the name; a file is looked for next to the note, then anywhere under papers/)",
        f'{where}:25:43: warning: embed "![[no such note]]": no such file or note in papers/ '
        "(check the name; a file is looked for next to the note, then anywhere under papers/)",
        f'{where}:25:65: warning: embed "![[method#No Such Heading]]": no heading '
        '"No Such Heading" in papers/method-note.md',
        f'{where}:27:12: warning: embed "![[dup.png]]" fits 2 files (attachments/dup.png, '
        "other/dup.png); showing attachments/dup.png (write the path from the notes folder: "
        "![[folder/name]])",
        f'{where}:29:43: warning: link "gone.png": no such file next to the note',
        f'{where}:29:99: warning: link "/attachments/none.png": no such file in papers/ '
        "(a path starting with / is read from papers/, the library's root)",
    ]


@pytest.mark.parametrize(
    ("alt", "src", "width", "height"),
    [
        ("figure.png", "../files/notes/figure.png", None, None),
        ("Screen Shot 2021.png", "../files/attachments/Screen%20Shot%202021.png", "300", "200"),
        ("A green square", "../files/attachments/sub/fig.png", None, None),
        ("Diagram", "../files/attachments/diagram.svg", "120", None),
        ("photo.jpg", "../files/attachments/photo.jpg", None, None),
        ("Rooted", "../files/attachments/sub/fig.png", None, None),
    ],
)
def test_images_are_published(
    site: tuple[Path, Path, list[str]], alt: str, src: str, width: str | None, height: str | None
) -> None:
    out = site[1]
    img = _page(out, "embedder").find("img", alt=alt)
    assert isinstance(img, Tag)
    assert (img["src"], img.get("width"), img.get("height")) == (src, width, height)
    assert (out / "papers" / src.replace("%20", " ")).resolve().is_file()


def test_files_are_links_and_missing_things_are_visible(
    site: tuple[Path, Path, list[str]],
) -> None:
    page = _page(site[1], "embedder")
    files = {a.get_text(): a["href"] for a in page.select("a.embed-file")}
    assert files == {"paper.pdf": "../files/files/paper.pdf", "Listen": "../files/files/talk.mp3"}
    missing = [" ".join(s.get_text().split()) for s in page.select(".missing-image")]
    assert missing == [
        "Lost figure Nowhere.png",
        "Gone gone.png",
        "Rooted gone /attachments/none.png",
    ]
    assert [s.get_text() for s in page.select(".embed-missing")] == ["no such note"]
    body = page.select_one(".note-body")
    assert body is not None and "unknown" not in body.get_text()
    assert "!" not in body.get_text().replace("Missing:", "")  # no stray "!" before an embed


def test_transclusion(site: tuple[Path, Path, list[str]]) -> None:
    page = _page(site[1], "embedder")
    blocks = page.select(".note-body > div.embed")
    sources = [b.select_one(".embed-source a") for b in blocks]
    assert [(a.get_text(), a["href"]) for a in sources if a] == [
        ("Method Note › Method", "method.html#h-method"),
        ("Method Note › ^key-claim", "method.html"),
        ("Loop A", "loop-a.html"),
        ("Deep 1", "d1.html"),
    ]
    method, claim, loop, deep = blocks
    text = method.get_text()
    # The heading's section, down to the next heading of its level; its footnote comes along.
    assert "We do the thing" in text and "Nested details" in text
    assert "Intro text" not in text and "Results text" not in text
    assert "secret comment" not in page.get_text() and "^key-claim" not in text
    assert method.select_one("section.footnotes li")["id"] == "fn-e1-1"  # type: ignore[index]
    assert claim.get_text(" ", strip=True).endswith("The central claim of the method.")
    # A embeds B embeds A: the inner A is a link saying so.
    inner = loop.select("div.embed")  # B, and A inside it
    assert len(inner) == 2 and inner[1].get_text(" ", strip=True) == f"Loop A ({ALREADY_SHOWN})"
    assert "Loop b says hello" in loop.get_text()
    # d1 shows d2 shows d3; d4 is MAX_DEPTH deep: a link.
    shown = [t for t in ("Level 1", "Level 2", "Level 3", "Level 4") if t in deep.get_text()]
    assert len(shown) == MAX_DEPTH and TOO_DEEP in deep.get_text()
    ids = Counter(str(tag["id"]) for tag in page.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == []
    inline = page.select_one("a.embed-link")
    assert inline is not None and inline["href"] == "method.html"


def test_an_embedded_note_is_a_mention_of_the_embedding_one(
    site: tuple[Path, Path, list[str]],
) -> None:
    library, _ = library_at(site[0])
    assert library.mentions["embedder"] == ("method", "loop-a", "d1")
    assert library.mentioned_by["loop-a"] == ("embedder", "loop-b", "method")
    assert check_root_links(library.notes["method"], frozenset(), {}, "papers") == []


def test_editing_an_embedded_note_renders_the_embedding_page_again(tmp_path: Path) -> None:
    root = tmp_path / "embeds"
    shutil.copytree(FIXTURE, root)
    config, _ = load_config(root)
    out = tmp_path / "site"
    assert build(root, config, out=out).errors == 0
    deep = root / "papers" / "deep" / "d3.md"
    deep.write_text(deep.read_text("utf-8").replace("Level 3 text.", "Level three, edited."))
    report = build(root, config, out=out)
    assert report.errors == 0
    assert "Level three, edited." in (out / "papers" / "embedder.html").read_text("utf-8")
    fresh = tmp_path / "fresh"
    assert build(root, config, out=fresh, use_cache=False).errors == 0
    assert (out / "papers" / "embedder.html").read_bytes() == (
        fresh / "papers" / "embedder.html"
    ).read_bytes()


# --- in Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_base(site: tuple[Path, Path, list[str]]) -> Iterator[str]:
    yield from serve(site[1])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_chromium_shows_sized_images_and_transclusions(
    page: Page, http_base: str, theme: str
) -> None:
    from test_browser import _axe_violations

    page.emulate_media(color_scheme=theme)
    page.goto(http_base + "papers/embedder.html")
    sized = page.locator('img[alt="Screen Shot 2021.png"]')
    expect(sized).to_be_visible()
    box = sized.bounding_box()
    assert box is not None and box["width"] == 300
    # Images load lazily, after the page's load event: wait for this one, then check it.
    handle = sized.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    assert page.evaluate("img => img.naturalWidth", handle) == 8
    block = page.locator(".note-body > div.embed").first
    expect(block).to_be_visible()
    expect(block.locator(".embed-source a")).to_have_attribute("href", "method.html#h-method")
    expect(block).to_contain_text("We do the thing")
    expect(page.locator(".missing-image").first).to_be_visible()
    assert _axe_violations(page) == []

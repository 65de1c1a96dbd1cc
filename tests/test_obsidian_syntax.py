"""Obsidian-flavoured Markdown in note bodies: callouts, comments, highlights, bare URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from papernotes.build import build
from papernotes.config import load_config
from papernotes.markdown._types import CiteTarget, RenderContext, RenderedBody
from papernotes.markdown.body import render_body
from papernotes.markdown.callout import CALLOUT_STYLES, callout_plugin
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
from papernotes.markdown.obsidian import obsidian_plugin
from papernotes.search.shards import unpack_rows

from conftest import note_text, write_note

MD = make_parser()
MD_HTML = make_parser(allow_html=True)
TARGETS = {"a": CiteTarget("Ada, 2020", "A", "../a/")}
CTX = RenderContext(cite=TARGETS.get, local=lambda url: None)


def _render(text: str, md: object = MD) -> RenderedBody:
    assert md is MD or md is MD_HTML
    return render_body(md, parse_body(md, text), CTX)


def _soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(_render(text).html, "html.parser")


def _callout(text: str) -> Tag:
    found = _soup(text).find(class_="callout")
    assert isinstance(found, Tag), text
    return found


# --- callouts --------------------------------------------------------------------------------

CALLOUTS = [
    # (source, element, style class, title, body text, open)
    ("> [!note] My title\n> Body.", "div", "callout-note", "My title", "Body.", None),
    ("> [!tldr]\n> Short.", "div", "callout-abstract", "Tldr", "Short.", None),
    ("> [!TIP] Upper type", "div", "callout-tip", "Upper type", "", None),
    ("> [!faq]+ Open\n> Shown.", "details", "callout-question", "Open", "Shown.", True),
    ("> [!bug]- Closed\n> Hidden.", "details", "callout-bug", "Closed", "Hidden.", False),
    ("> [!whatever]\n> x", "div", "callout-note", "Whatever", "x", None),
    ("> [!cite] *Emph* title\n> - a\n> - b", "div", "callout-quote", "Emph title", "a b", None),
    ("> [!warning]\n>\n> Later paragraph.", "div", "callout-warning", "Warning", "Later...", None),
]


@pytest.mark.parametrize(("src", "tag", "style", "title", "body", "is_open"), CALLOUTS)
def test_callouts_render_as_obsidian_documents_them(
    src: str, tag: str, style: str, title: str, body: str, is_open: bool | None
) -> None:
    box = _callout(src)
    assert box.name == tag
    assert box["class"] == ["callout", style]
    head = box.find(class_="callout-title")
    assert isinstance(head, Tag)
    assert head.name == ("summary" if tag == "details" else "div")
    assert head.get_text(" ", strip=True) == title
    content = box.find(class_="callout-content")
    if body:
        assert isinstance(content, Tag)
        want = body.replace("...", " paragraph.")
        assert " ".join(content.get_text(" ", strip=True).split()) == want
    else:
        assert content is None
    if is_open is not None:
        assert box.has_attr("open") is is_open
    assert box.find("blockquote") is None


def test_every_callout_alias_gets_its_style() -> None:
    for written, style in CALLOUT_STYLES.items():
        assert _callout(f"> [!{written}]\n> x")["class"] == ["callout", f"callout-{style}"]


def test_nested_callouts_and_citations_in_them_are_located() -> None:
    text = "Intro.\n\n> [!example] Outer [@a]\n> Text.\n> > [!danger]- Inner\n> > See [[a]].\n"
    box = _callout(text)
    inner = box.find(class_="callout-danger")
    assert isinstance(inner, Tag) and inner.name == "details"
    assert inner.find_parent(class_="callout-example") is box
    assert box.find(class_="callout-title").find("a", href="../a/") is not None  # type: ignore[union-attr]
    cites = parse_body(MD, text).citations
    assert [(c.keys, c.line, c.col) for c in cites] == [(("a",), 3, 20), (("a",), 6, 9)]


@pytest.mark.parametrize(
    "src",
    [
        "> plain quote",
        "> [!note",
        "> text\n> [!note] not first",
        "    > [!note] code",
        "[!note] bare",
    ],
)
def test_what_is_not_a_callout(src: str) -> None:
    assert _soup(src).find(class_="callout") is None


def test_callouts_survive_the_sanitizer() -> None:
    html = _render("> [!info]+ T\n> <b>x</b>", MD_HTML).html
    soup = BeautifulSoup(html, "html.parser")
    box = soup.find("details", class_="callout-info")
    assert isinstance(box, Tag) and box.has_attr("open")


# --- comments --------------------------------------------------------------------------------

COMMENTS = [
    # (source, visible text, kept text)
    ("a %%secret%% b", "a b", ""),
    ("%%secret%%", "", ""),
    ("a %%multi\nline secret%% b", "a b", ""),
    ("Before.\n\n%%\nsecret\n\nsecret too\n%%\n\nAfter.", "Before. After.", ""),
    ("Before.\n%% secret\nsecret %%\nAfter.", "Before. After.", ""),
    ("`code %%kept%%` x", "code %%kept%% x", "%%kept%%"),
    ("```\n%%kept%%\n```", "%%kept%%", "%%kept%%"),
    ("    %%kept%%", "%%kept%%", "%%kept%%"),
    ("100%% sure, no close", "100%% sure, no close", "%%"),
    ("%%\nunclosed", "%% unclosed", "%%"),
    ("$a %%kept%% b$", "a %%kept%% b", "%%kept%%"),
]


@pytest.mark.parametrize(("src", "visible", "kept"), COMMENTS)
def test_comments_are_removed_outside_code(src: str, visible: str, kept: str) -> None:
    out = _render(src)
    assert "secret" not in out.html and "secret" not in out.text
    assert out.text == visible
    if kept:
        assert kept in out.html


def test_a_citation_in_a_comment_is_not_a_citation() -> None:
    assert parse_body(MD, "x %%[@a]%% y\n\n%%\n[[a]]\n%%\n").citations == ()


# --- highlights ------------------------------------------------------------------------------

HIGHLIGHTS = [
    ("==hi==", "<p><mark>hi</mark></p>"),
    ("a ==**bold** hi== b", "<p>a <mark><strong>bold</strong> hi</mark> b</p>"),
    ("*==x==*", "<p><em><mark>x</mark></em></p>"),
    ("==unclosed", "<p>==unclosed</p>"),
    ("a == b == c", "<p>a == b == c</p>"),
    ("`==code==`", "<p><code>==code==</code></p>"),
    ("x = 1 and y=2", "<p>x = 1 and y=2</p>"),
]


@pytest.mark.parametrize(("src", "html"), HIGHLIGHTS)
def test_highlights(src: str, html: str) -> None:
    assert _render(src).html.strip() == html


# --- bare URLs -------------------------------------------------------------------------------

URLS = [
    # (source, hrefs, link texts)
    ("See https://example.org/a.", ["https://example.org/a"], ["https://example.org/a"]),
    ("(https://example.org/x_(y))", ["https://example.org/x_(y)"], ["https://example.org/x_(y)"]),
    ("Ends https://a.org/b?c=1&d=2!", ["https://a.org/b?c=1&d=2"], ["https://a.org/b?c=1&d=2"]),
    (
        "[text](https://a.org) https://b.org",
        ["https://a.org", "https://b.org"],
        ["text", "https://b.org"],
    ),
    ("<https://a.org>", ["https://a.org"], ["https://a.org"]),
    ("`https://a.org`", [], []),
    ("[see https://a.org](https://b.org)", ["https://b.org"], ["see https://a.org"]),
    ("https://a.org/#frag", ["https://a.org/#frag"], ["https://a.org/#frag"]),
]


@pytest.mark.parametrize(("src", "hrefs", "texts"), URLS)
def test_bare_urls_are_linked_like_gfm_autolinks(
    src: str, hrefs: list[str], texts: list[str]
) -> None:
    links = _soup(src).find_all("a")
    assert [a["href"] for a in links] == hrefs
    assert [a.get_text() for a in links] == texts
    assert all(a["rel"] == ["noopener"] for a in links)


def test_bare_urls_are_web_links_with_their_position() -> None:
    links = parse_body(MD, "Intro.\n\nsee https://example.org/p here\n").web_links
    assert [(w.url, w.line, w.col) for w in links] == [("https://example.org/p", 3, 5)]


# --- the whole site --------------------------------------------------------------------------


def test_comments_reach_no_page_index_feed_or_description(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    body = (
        "Visible start %%SECRETINLINE%% of the note.\n\n%%\nSECRETBLOCK\n%%\n\n"
        "> [!tip] Callout\n> ==marked== text\n"
    )
    write_note(root, "a.md", note_text("A Paper", extra="id: a\n", body=body))
    config, _ = load_config(root)
    out = tmp_path / "site"
    report = build(root, config, out=out, use_cache=False)
    assert report.errors == 0
    texts = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".html", ".js", ".xml", ".json")
    }
    assert not [name for name, t in texts.items() if "SECRET" in t]
    page = next(t for name, t in texts.items() if "Visible start" in t and name.endswith(".html"))
    soup = BeautifulSoup(page, "html.parser")
    description = soup.find("meta", attrs={"name": "description"})
    assert isinstance(description, Tag)
    assert str(description["content"]).startswith("Visible start of the note.")
    assert soup.select_one("div.callout-tip mark") is not None
    stored = [
        unpack_rows(json.loads(t[t.index(",") + 1 : -3])) for n, t in texts.items() if "/d-" in n
    ]
    assert any(
        "Visible start of the note" in json.dumps(rows, ensure_ascii=False) for rows in stored
    )


def test_the_plugins_can_be_installed_alone() -> None:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    obsidian_plugin(md)
    callout_plugin(md)
    html = md.render("> [!note]\n> ==a== %%b%%")
    assert '<div class="callout callout-note">' in html and "<mark>a</mark>" in html
    assert "b" not in html.replace("callout", "").replace("blockquote", "")


# --- inline tags -----------------------------------------------------------------------------

TAG_CTX = RenderContext(cite=TARGETS.get, local=lambda url: None, tag=lambda t: f"T/{t}.html")

TAGS = [
    # (source, tags extracted, tag link texts)
    ("a #tag b", ("tag",), ["#tag"]),
    ("#start of a line", ("start",), ["#start"]),
    (
        "#nested/deep-er_x and #Tag, #TAG.",
        ("nested/deep-er_x", "Tag"),
        ["#nested/deep-er_x", "#Tag", "#TAG"],
    ),
    ("#1984 is a number, #y1984 is not", ("y1984",), ["#y1984"]),
    ("# Heading\n\n## Another", (), []),
    ("`#code` and\n\n```\n#fenced\n```", (), []),
    ("https://a.org/#frag and a#b and (#x)", (), []),
    ("[#in a link](https://a.org)", (), []),
    ("%%#hidden%%", (), []),
    ("> [!note] #intitle\n> #inbody", ("intitle", "inbody"), ["#intitle", "#inbody"]),
    ("#中文标签 too", ("中文标签",), ["#中文标签"]),
]


@pytest.mark.parametrize(("src", "tags", "texts"), TAGS)
def test_inline_tags(src: str, tags: tuple[str, ...], texts: list[str]) -> None:
    body = parse_body(MD, src)
    assert body.tags == tags
    soup = BeautifulSoup(render_body(MD, body, TAG_CTX).html, "html.parser")
    links = soup.select("a.tag")
    assert [a.get_text() for a in links] == texts
    assert [a["href"] for a in links] == [f"T/{t[1:]}.html" for t in texts]


def test_an_inline_tag_without_a_page_is_text() -> None:
    html = _render("a #tag").html
    assert '<span class="tag">#tag</span>' in html and "<a" not in html


def test_inline_tags_join_the_notes_tags_and_its_tag_page(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    write_note(
        root,
        "a.md",
        note_text("Paper A", extra="id: a\ntags: [peft]\n", body="On #LoRA and #PEFT.\n"),
    )
    write_note(root, "b.md", note_text("Paper B", extra="id: b\ntags: [LoRA]\n", body="Plain.\n"))
    config, _ = load_config(root)
    out = tmp_path / "site"
    assert build(root, config, out=out, use_cache=False).errors == 0
    tag_pages = {p.name: p.read_text(encoding="utf-8") for p in (out / "tags").glob("*.html")}
    lora = next(t for t in tag_pages.values() if "Paper B" in t)
    assert "Paper A" in lora  # the inline tag put paper A on LoRA's page
    peft = next(t for t in tag_pages.values() if "Paper A" in t and "Paper B" not in t)
    assert "Paper A" in peft
    page = next(
        p
        for p in out.rglob("*.html")
        if "On " in p.read_text(encoding="utf-8") and "tags" not in p.parts
    )
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    inline = {
        a.get_text(): a["href"]
        for a in soup.select(".note-body a.tag, article a.tag")
        if a.get_text().startswith("#")
    }
    assert set(inline) == {"#LoRA", "#PEFT"}
    for href in inline.values():
        assert (page.parent / str(href)).resolve().is_file()


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_an_incremental_build_follows_inline_tags_of_other_notes(tmp_path: Path) -> None:
    """A body's tag links depend on every tag of the library (slugs are made unique over
    them): adding one elsewhere must re-render it, as a clean build would."""
    root = tmp_path / "lib"
    write_note(root, "a.md", note_text("Paper A", extra="id: a\n", body="On #c/x and #C/X.\n"))
    write_note(root, "b.md", note_text("Paper B", extra="id: b\n", body="Plain.\n"))
    config, _ = load_config(root)
    out, clean = tmp_path / "site", tmp_path / "clean"
    assert build(root, config, out=out).errors == 0
    write_note(root, "b.md", note_text("Paper B", extra="id: b\n", body="Now #c-x.\n"))
    assert build(root, config, out=out).errors == 0
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert 'href="../tags/c-x-2.html">#c/x<' in next(
        t.decode() for k, t in _tree(clean).items() if b"On " in t and k.endswith(".html")
    )
    cached, fresh = _tree(out), _tree(clean)
    assert cached.keys() == fresh.keys()
    assert [k for k in fresh if cached[k] != fresh[k] and not k.startswith(".papernotes")] == []


def test_callout_colours_reach_aaa_in_both_themes() -> None:
    """Callout titles are drawn in their colour on --bg-soft (and --bg around them)."""
    import re

    from papernotes.markdown.code import MIN_CONTRAST, contrast_ratio

    from conftest import REPO

    css = (REPO / "templates" / "static" / "style.css").read_text(encoding="utf-8")
    themes = re.findall(r":root[^{]*\{([^}]*--bg:[^}]*)\}", css)
    light, _, dark = (dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6});", t)) for t in themes)
    blocks = re.findall(r"\.note-body \{([^}]*--callout-note[^}]*)\}", css)
    assert len(blocks) == 3
    callouts = [dict(re.findall(r"--callout-(\w+): (#[0-9a-f]{6});", b)) for b in blocks]
    assert callouts[1] == callouts[2]
    for colours, theme in ((callouts[0], light), (callouts[2], dark)):
        assert set(colours) == set(CALLOUT_STYLES.values()) - {"info", "todo", "failure", "bug"}
        for name, colour in colours.items():
            for bg in ("bg", "bg-soft", "bg-raise"):
                assert contrast_ratio(colour, theme[bg]) >= MIN_CONTRAST, (name, bg)
    for style in set(CALLOUT_STYLES.values()) - {"note", "info", "todo"}:
        assert f".note-body .callout-{style}" in css

"""Wikilinks as other tools write them: ``[[#Heading]]`` within a note (Obsidian, Quartz),
Dendron's label-first ``[[label|note.path]]`` and ``dendron://vault/`` prefix, and
``[[fig.png]]`` naming a file of the vault."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect

from papernotes.build import build
from papernotes.config import load_config
from papernotes.markdown._types import BodyCitation, CiteTarget, EmbedTarget, RenderContext
from papernotes.markdown.body import render_body
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
from papernotes.wikitarget import check_self_links, choose_order

from browser import serve
from conftest import library_at

MD = make_parser()
FIXTURE = Path(__file__).parent / "fixtures" / "wikilinks"


# --- syntax -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "citations"),
    [
        ("[[#Method]]", (BodyCitation((), 1, 1, "wikilink", fragment="Method"),)),
        (
            "a [[#Method|the method]]",
            (BodyCitation((), 1, 3, "wikilink", alt="the method", fragment="Method"),),
        ),
        (
            "[[#feedback|dendron://v/a.b.pods#feedback]]",
            (BodyCitation((), 1, 1, "wikilink", alt="a.b.pods", fragment="feedback"),),
        ),
        ("[[#^claim]]", (BodyCitation((), 1, 1, "wikilink", fragment="^claim"),)),
        ("[[lora]]", (BodyCitation(("lora",), 1, 1, "wikilink"),)),
        ("[[lora|LoRA]]", (BodyCitation(("lora",), 1, 1, "wikilink", alt="LoRA"),)),
        ("[[Pods|a.b.pods]]", (BodyCitation(("Pods",), 1, 1, "wikilink", alt="a.b.pods"),)),
        ("[[Pods|a.b.pods#usage]]", (BodyCitation(("Pods",), 1, 1, "wikilink", alt="a.b.pods"),)),
        (
            "[[Pods|dendron://vault/a.b.pods]]",
            (BodyCitation(("Pods",), 1, 1, "wikilink", alt="a.b.pods"),),
        ),
        ("[[dendron://vault/a.b.pods#usage]]", (BodyCitation(("a.b.pods",), 1, 1, "wikilink"),)),
        ("[[fig.png]]", (BodyCitation(("fig.png",), 1, 1, "wikilink"),)),
        # Not links: nothing in the brackets, [[TOC]], code.
        ("[[#]]", ()),
        ("[[]]", ()),
        ("`[[#Method]]`", ()),
    ],
)
def test_wikilinks_are_parsed_with_both_readings(
    text: str, citations: tuple[BodyCitation, ...]
) -> None:
    assert parse_body(MD, text).citations == citations


# --- rendering with a given context ------------------------------------------------------------

_NOTES = {
    "lora": CiteTarget("Hu et al., 2021", "LoRA", "lora.html", by_path=True),
    "LoRA": CiteTarget("Hu et al., 2021", "LoRA", "lora.html"),  # its title
    "a.b.pods": CiteTarget("Lin, 2021", "Pods", "pods.html", by_path=True),
    "Pods": CiteTarget("Lin, 2021", "Pods", "pods.html"),  # its title
    "other": CiteTarget("Doe, 2018", "Other", "other.html", by_path=True),
    "basis": CiteTarget("Roe, 2020", "Bases", "bases.html"),  # an alias
}


def _embed(target: str, fragment: str, block: bool) -> EmbedTarget | None:
    return EmbedTarget("image", f"../files/{target}", target) if target == "fig.png" else None


CTX = RenderContext(cite=_NOTES.get, local=lambda url: None, embed=_embed)
HEADINGS = "\n\n# The Method\n\nClaim. ^claim\n\n## Method\n"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("[[#Method]]", '<a class="wikilink heading" href="#h-method">Method</a>'),
        ("[[#METHOD|how]]", '<a class="wikilink heading" href="#h-method">how</a>'),
        ("[[#the method]]", '<a class="wikilink heading" href="#h-the-method">the method</a>'),
        ("[[#The  Method]]", '<a class="wikilink heading" href="#h-the-method">The  Method</a>'),
        (
            "[[#Nowhere]]",
            '<span class="cite wikilink unresolved" title="no such heading in this note">'
            "Nowhere</span>",
        ),
        ("[[#^claim]]", '<span class="wikilink block">^claim</span>'),
        # Obsidian's order: the left part names a note.
        (
            "[[lora|the paper]]",
            '<a class="cite wikilink" href="lora.html">the paper</a>',
        ),
        (
            "[[LoRA|lora]]",
            '<a class="cite wikilink" href="lora.html">LoRA</a>',
        ),
        # An Obsidian label naming a note by an alias is no Dendron path: left as it was.
        (
            "[[Missing note|basis]]",
            '<span class="cite wikilink unresolved" title="no note with this key">basis</span>',
        ),
        # Dendron's order: only the right part names a note by its path (or the left only
        # as its title).
        (
            "[[the pods|a.b.pods]]",
            '<a class="cite wikilink" href="pods.html">the pods</a>',
        ),
        (
            "[[Pods|a.b.pods]]",
            '<a class="cite wikilink" href="pods.html">Pods</a>',
        ),
        (
            "[[here|dendron://v/a.b.pods#Usage]]",
            '<a class="cite wikilink" href="pods.html#h-usage">here</a>',
        ),
        # Dendron's label may start with #: a note's path wins over a heading not there.
        (
            "[[#feedback|dendron://v/a.b.pods#Usage]]",
            '<a class="cite wikilink" href="pods.html#h-usage">#feedback</a>',
        ),
        (
            "[[#Method|a.b.pods]]",
            '<a class="wikilink heading" href="#h-method">a.b.pods</a>',
        ),
        # Both name (different) notes: Obsidian's order.
        (
            "[[other|a.b.pods]]",
            '<a class="cite wikilink" href="other.html">a.b.pods</a>',
        ),
        (
            "[[Nothing|no.such]]",
            '<span class="cite wikilink unresolved" title="no note with this key">no.such</span>',
        ),
        (
            "[[fig.png]]",
            '<a class="wikilink file" href="../files/fig.png" title="fig.png">fig.png</a>',
        ),
        (
            "[[gone.png]]",
            '<span class="cite wikilink unresolved" title="no note with this key">gone.png</span>',
        ),
    ],
)
def test_wikilinks_render(text: str, html: str) -> None:
    rendered = render_body(MD, parse_body(MD, text + HEADINGS), CTX).html
    assert rendered.split("\n", 1)[0] == f"<p>{html}</p>"


# --- the whole site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("lib") / "wikilinks"
    shutil.copytree(FIXTURE, root)
    out = tmp_path_factory.mktemp("site") / "notes"
    config, _ = load_config(root)
    report = build(root, config, out=out, use_cache=False)
    assert report.errors == 0
    return root, out, [d.format() for d in report.diagnostics]


def _body(out: Path, key: str) -> BeautifulSoup:
    page = BeautifulSoup((out / "papers" / f"{key}.html").read_text("utf-8"), "html.parser")
    body = page.select_one(".note-body")
    assert body is not None
    return BeautifulSoup(str(body), "html.parser")


def test_only_what_names_nothing_is_warned_with_its_place(
    site: tuple[Path, Path, list[str]],
) -> None:
    hint = "add a note with this id, or cite it as arXiv:ID or doi:DOI"
    assert site[2] == [
        f'papers/dendron-user.md:10:15: warning: unknown citation key "Nothing" ({hint})',
        f'papers/dendron-user.md:11:61: warning: unknown citation key "gone.png" ({hint})',
        f'papers/dendron-user.md:12:37: warning: unknown citation key "Gone note" ({hint})',
        'papers/self.md:8:55: warning: link "[[#Nowhere]]": no heading "Nowhere" in this '
        "note (check the spelling; headings ignore case)",
        'papers/self.md:9:8: warning: link "[[#^missing-block]]": no block "^missing-block" '
        "in this note (check the spelling; a block id ends its paragraph: ^id)",
    ]


@pytest.mark.parametrize(
    ("key", "text", "href"),
    [
        ("dendron-user", "Pods", "dendron.topic.pods.html"),
        ("dendron-user", "the usage", "dendron.topic.pods.html#h-usage"),
        ("dendron-user", "Lin, 2021", "dendron.topic.pods.html#h-usage"),
        ("dendron-user", "dendron.topic.pods", "other.html"),
        ("dendron-user", "fig.png", "../files/files/fig.png"),
        ("dendron-user", "the paper", "../files/files/paper.pdf"),
        ("dendron-user", "#feedback", "dendron.topic.pods.html#h-usage"),
        ("self", "Method", "#h-method"),
        ("self", "our method", "#h-the-method"),
    ],
)
def test_links_lead_to_the_chosen_target(
    site: tuple[Path, Path, list[str]], key: str, text: str, href: str
) -> None:
    out = site[1]
    links = [a for a in _body(out, key).select("a") if a.get_text() == text]
    assert [a["href"] for a in links] == [href]
    target = (out / "papers" / href.split("#")[0]).resolve() if href[0] != "#" else None
    assert target is None or target.is_file()


def test_backlinks_follow_the_chosen_order(site: tuple[Path, Path, list[str]]) -> None:
    library, _ = library_at(site[0])
    assert library.mentions["dendron-user"] == ("dendron.topic.pods", "other")
    assert library.mentioned_by["dendron.topic.pods"] == ("dendron-user",)
    # The note as linked cites the right part; the left is kept as the other reading.
    second = library.notes["dendron-user"].body.citations[1]
    assert (second.keys, second.alt) == (("dendron.topic.pods",), "the usage")
    assert choose_order(library.notes["dendron-user"], library) is library.notes["dendron-user"]
    assert [d.message for d in check_self_links(library.notes["other"])] == []


# --- in Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_base(site: tuple[Path, Path, list[str]]) -> Iterator[str]:
    yield from serve(site[1])


def test_chromium_follows_a_link_to_a_heading_of_the_same_note(page: Page, http_base: str) -> None:
    page.goto(http_base + "papers/self.html")
    heading = page.locator("#h-method")
    expect(heading).not_to_be_in_viewport()
    page.locator(".note-body a.wikilink.heading", has_text="Method").first.click()
    page.wait_for_url("**/self.html#h-method")
    expect(heading).to_be_in_viewport()
    assert page.evaluate("location.hash") == "#h-method"

"""Hugo markup in notes written for a Hugo site: ``{#id .class}`` on headings; figure,
ref/relref and callout shortcodes rendered; any other shortcode shown as text with a warning
that names its place. Nothing in a shortcode is run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from papernotes.build import build
from papernotes.config import load_config
from papernotes.markdown._types import CiteTarget, RenderContext
from papernotes.markdown.body import render_body
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
from papernotes.markdown.hugo import UnsupportedShortcode, shortcode_args, unsupported_shortcodes

from conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "hugo_markup"
MD = make_parser()


def _target(key: str) -> CiteTarget | None:
    known = {"adam": "adam.html", "post/adam/index.md": "adam.html"}
    return CiteTarget("Kingma & Ba, 2015", "Adam", known[key]) if key in known else None


def _html(text: str, *, allow_html: bool = False) -> str:
    md = make_parser(allow_html=allow_html) if allow_html else MD
    ctx = RenderContext(cite=_target, local=lambda url: "../files/" + url)
    return render_body(md, parse_body(md, text), ctx).html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("## Method {#method}\n", '<h2 id="h-method">Method</h2>\n'),
        ("## Method {#Method_2}\n", '<h2 id="h-method_2">Method</h2>\n'),
        ("## A *b* {#x .wide .big}\n", '<h2 class="wide big" id="h-x">A <em>b</em></h2>\n'),
        ("## Setup {.note}\n", '<h2 class="note" id="h-setup">Setup</h2>\n'),
        # Not attributes: inside the text, or not an id/class, or in code.
        ("## a {#b} c\n", '<h2 id="h-a-b-c">a {#b} c</h2>\n'),
        ("## a {b}\n", '<h2 id="h-a-b">a {b}</h2>\n'),
        ("## a `{#b}`\n", '<h2 id="h-a-b">a <code>{#b}</code></h2>\n'),
        # Sanitised: an id cannot break out of its attribute.
        ('## a {#x"onclick}\n', '<h2 id="h-a-xonclick">a {#x&quot;onclick}</h2>\n'),
    ],
)
def test_heading_attributes(text: str, html: str) -> None:
    assert _html(text) == html


def test_heading_ids_stay_unique() -> None:
    html = _html("## Intro {#m}\n\n## M\n\n## Other {#m}\n")
    assert html.count('id="h-m"') == 1
    assert 'id="h-m-1"' in html and 'id="h-m-2"' in html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            '{{< figure src="fig.png" caption="The *loss*" >}}\n',
            '<figure><img src="../files/fig.png" alt="The loss" loading="lazy">'
            "<figcaption>The <em>loss</em></figcaption>\n</figure>\n",
        ),
        (
            '{{< figure src="a b.png" alt="Curve" >}}\n',
            '<figure><img src="../files/a b.png" alt="Curve" loading="lazy"></figure>\n',
        ),
        (
            'Inline {{< figure src="x.png" title="T" >}} image.\n',
            '<p>Inline <img src="../files/x.png" alt="T" loading="lazy"> image.</p>\n',
        ),
        (
            'See {{< ref "adam.md" >}}.\n',
            '<p>See <a class="cite wikilink" href="adam.html">Kingma &amp; Ba, 2015</a>.</p>\n',
        ),
        (
            'See [the paper]({{< relref "/post/adam/index.md#Update Rule" >}}).\n',
            '<p>See <a class="cite wikilink" href="adam.html#h-update-rule">the paper</a>.</p>\n',
        ),
        (
            '{{< ref "nowhere.md" >}}\n',
            '<p><span class="cite wikilink unresolved" title="no note with this key">'
            "nowhere</span></p>\n",
        ),
        (
            "{{% callout warning %}}\nCareful **here**.\n{{% /callout %}}\n",
            '<div class="callout callout-warning">\n<div class="callout-title">Warning</div>\n'
            '<div class="callout-content">\n<p>Careful <strong>here</strong>.</p>\n</div>\n'
            "</div>\n",
        ),
        (
            "{{< callout unknowntype >}}\nx\n{{< /callout >}}\n",
            '<div class="callout callout-note">\n<div class="callout-title">Unknowntype</div>\n'
            '<div class="callout-content">\n<p>x</p>\n</div>\n</div>\n',
        ),
        # Unclosed: not a callout; the shortcode is text.
        ("{{% callout note %}}\nx\n", "<p>{{% callout note %}}\nx</p>\n"),
        # Anything else: shown as written, escaped; never run.
        ("{{< youtube abc >}}\n", "<p>{{&lt; youtube abc &gt;}}</p>\n"),
        (
            '{{< x src="<script>alert(1)</script>" >}}\n',
            "<p>{{&lt; x src=&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &gt;}}</p>\n",
        ),
        (
            '`{{< ref "adam.md" >}}`\n',
            "<p><code>{{&lt; ref &quot;adam.md&quot; &gt;}}</code></p>\n",
        ),
        ("{{</* ref x */>}}\n", "<p>{{&lt;/* ref x */&gt;}}</p>\n"),
    ],
)
def test_shortcodes_render(text: str, html: str) -> None:
    assert _html(text) == html


def test_figure_and_ref_survive_the_sanitizer() -> None:
    text = '{{< figure src="f.png" caption="C" >}}\n\n{{< ref "adam.md" >}}\n'
    html = _html(text, allow_html=True)
    assert '<figure><img src="../files/f.png" alt="C" loading="lazy">' in html
    assert "<figcaption>C</figcaption>" in html and 'href="adam.html"' in html


@pytest.mark.parametrize(
    ("args", "positional", "named"),
    [
        ('"a.md"', ("a.md",), {}),
        ("note", ("note",), {}),
        ('src="x.png" caption="A \\"q\\""', (), {"src": "x.png", "caption": 'A "q"'}),
        ("width=3 `raw` 'single'", ("raw", "single"), {"width": "3"}),
    ],
)
def test_shortcode_args(args: str, positional: tuple[str, ...], named: dict[str, str]) -> None:
    assert shortcode_args(args) == (positional, named)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("No shortcode.\n", ()),
        ('{{< figure src="x" >}}\n{{< ref "a.md" >}}\n', ()),
        (
            "Intro\n\n- item {{< youtube id >}}\n",
            (UnsupportedShortcode("youtube", "{{< youtube >}}", 3, 8),),
        ),
        (
            "{{% notice tip %}} x {{% /notice %}}\n",
            (UnsupportedShortcode("notice", "{{% notice %}}", 1, 1),),
        ),
        ("```\n{{< youtube id >}}\n```\n\n`{{< x >}}`\n", ()),
    ],
)
def test_unsupported_shortcodes_are_found_with_their_place(
    text: str, found: tuple[UnsupportedShortcode, ...]
) -> None:
    assert unsupported_shortcodes(MD, text) == found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("lib") / "hugo"
    shutil.copytree(FIXTURE, root)
    out = tmp_path_factory.mktemp("site") / "notes"
    config, _ = load_config(root)
    report = build(root, config, out=out, use_cache=False)
    assert report.errors == 0
    return out, [d.format() for d in report.diagnostics]


def _page(out: Path, key: str) -> BeautifulSoup:
    return BeautifulSoup((out / "papers" / f"{key}.html").read_text("utf-8"), "html.parser")


def test_each_unsupported_shortcode_is_one_warning_with_its_place(
    site: tuple[Path, list[str]],
) -> None:
    assert site[1] == [
        "papers/post/adam/index.md:19:1: warning: Hugo shortcode {{< youtube >}} is not "
        "supported: shown as text",
        "papers/vaswani2017attention.md:10:1: warning: Hugo shortcode {{% notice %}} is not "
        "supported: shown as text",
        'papers/vaswani2017attention.md:8:10: warning: unknown citation key "no-such-note" '
        "(add a note with this id, or cite it as arXiv:ID or doi:DOI)",
        'papers/vaswani2017attention.md:8:44: warning: link "images/none.png": no such file '
        "next to the note",
    ]


def test_a_hugo_page_in_the_site(site: tuple[Path, list[str]]) -> None:
    out = site[0]
    body = _page(out, "kingma2015adam").select_one(".note-body")
    assert isinstance(body, Tag)
    assert [(h.name, h["id"]) for h in body.find_all(["h2", "h3"])] == [
        ("h2", "h-method"),
        ("h2", "h-results"),
    ]
    img = body.select_one("figure > img")
    assert isinstance(img, Tag) and img["alt"] == "Training loss per epoch"
    assert (out / "papers" / str(img["src"])).resolve().is_file()
    assert body.select_one("figure > figcaption em") is not None
    callout = body.select_one("div.callout.callout-warning .callout-content a.cite.wikilink")
    assert isinstance(callout, Tag) and callout["href"] == "vaswani2017attention.html"
    assert "{{< youtube dQw4w9WgXcQ >}}" in body.get_text()
    assert "{#" not in body.get_text() and "{{%" not in body.get_text()


def test_refs_link_notes_as_wikilinks_do(site: tuple[Path, list[str]]) -> None:
    body = _page(site[0], "vaswani2017attention").select_one(".note-body")
    assert isinstance(body, Tag)
    links = [(a.get_text(), a["href"]) for a in body.select("a.cite.wikilink")]
    assert links == [
        ("Adam", "kingma2015adam.html#h-method"),
        ("Kingma and Ba, 2015", "kingma2015adam.html"),
    ]
    # A ref is a mention, as a wikilink is: the Adam page says who mentions it.
    adam = _page(site[0], "kingma2015adam")
    mentioned = adam.select_one("#mentioned-by + ul.paper-list")
    assert isinstance(mentioned, Tag)
    assert [a["href"] for a in mentioned.select("a")] == ["vaswani2017attention.html"]
